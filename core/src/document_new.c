/*
 * document_new.c - quarry_doc_new: a document built from parts rather than
 * read from a file, for tools that index their own data (the Lua writer's
 * add{source=, text=, fields=}). Fields are typed as the readers type them.
 */
#include "reader_internal.h"

#include <string.h>

int quarry_doc_new(quarry_env *env, const char *source, uint64_t record,
                   const char *text, size_t len, const quarry_field *fields,
                   size_t nfields, quarry_doc **out)
{
    quarry_doc *doc;
    size_t i, j;

    if (out)
        *out = NULL;
    if (!env || !out)
        return QUARRY_EINVAL;
    if (!source || !*source) {
        qi_set_error(env->errmsg, "document: the source must not be empty");
        return QUARRY_EINVAL;
    }
    if (!text && len) {
        qi_set_error(env->errmsg, "document %s: text is NULL", source);
        return QUARRY_EINVAL;
    }
    if (!quarry_utf8_valid(text ? text : "", len)) {
        qi_set_error(env->errmsg, "document %s: text is not valid UTF-8",
                     source);
        return QUARRY_EINVAL;
    }
    if (nfields && !fields) {
        qi_set_error(env->errmsg, "document %s: fields is NULL", source);
        return QUARRY_EINVAL;
    }
    for (i = 0; i < nfields; i++) {
        const quarry_field *f = &fields[i];
        const char *t = f->text ? f->text : "";
        size_t tl = f->text ? f->text_len : 0;
        if (!f->name || !*f->name) {
            qi_set_error(env->errmsg, "document %s: field %zu has no name",
                         source, i + 1);
            return QUARRY_EINVAL;
        }
        if (!quarry_utf8_valid(f->name, strlen(f->name)) ||
            !quarry_utf8_valid(t, tl)) {
            qi_set_error(env->errmsg,
                         "document %s: field '%s' is not valid UTF-8", source,
                         f->name);
            return QUARRY_EINVAL;
        }
        if (f->type < 0 || f->type > QUARRY_FIELD_DATE) {
            qi_set_error(env->errmsg,
                         "document %s: field '%s' has an unknown type %d",
                         source, f->name, f->type);
            return QUARRY_EINVAL;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(fields[j].name, f->name) == 0) {
                qi_set_error(env->errmsg,
                             "document %s: field '%s' is given twice", source,
                             f->name);
                return QUARRY_EINVAL;
            }
        }
    }

    doc = qi_doc_new(env, source, record, QI_FMT_TEXT);
    if (!doc || !qi_doc_set_text(doc, text ? text : "", len))
        goto nomem;
    for (i = 0; i < nfields; i++) {
        const quarry_field *f = &fields[i];
        const char *t = f->text ? f->text : "";
        size_t tl = f->text ? f->text_len : 0;
        quarry_field *nf;
        if (!qi_doc_set_field(doc, f->name, strlen(f->name), t, tl,
                              f->type == QUARRY_FIELD_STRING ? 0 : f->type, f,
                              true))
            goto nomem;
        nf = &doc->fields[doc->nfields - 1];
        if (f->type == 0) {
            /* inferred from the text, as readers do for untyped values */
            int ty = quarry_infer_type(nf->text, nf->text_len);
            if (ty == QUARRY_FIELD_STRING || !qi_field_convert(nf, ty)) {
                nf->type = QUARRY_FIELD_STRING;
                memset(&nf->value, 0, sizeof nf->value);
            }
        } else if (f->type == QUARRY_FIELD_STRING) {
            nf->type = QUARRY_FIELD_STRING;
            memset(&nf->value, 0, sizeof nf->value);
        }
    }
    *out = doc;
    return QUARRY_OK;

nomem:
    quarry_doc_free(doc);
    qi_set_error(env->errmsg, "document %s: out of memory", source);
    return QUARRY_ENOMEM;
}
