/* document.c - quarry_doc: a text with its source, record number and typed
 * fields. Every string a document hands out is borrowed from it. */
#include "reader_internal.h"

#include <string.h>

const char *qi_format_name(int fmt)
{
    switch (fmt) {
    case QI_FMT_MARKDOWN: return "markdown";
    case QI_FMT_JSON: return "json";
    case QI_FMT_JSONL: return "jsonl";
    case QI_FMT_CSV: return "csv";
    default: return "text";
    }
}

quarry_doc *qi_doc_new(quarry_env *env, const char *source, uint64_t record,
                       int fmt)
{
    quarry_doc *doc = qi_calloc(env, 1, sizeof *doc);
    if (!doc)
        return NULL;
    doc->env = env;
    doc->source_len = strlen(source);
    doc->source = qi_strndup(env, source, doc->source_len);
    doc->text = qi_strndup(env, "", 0);
    doc->text_cap = 1;
    if (!doc->source || !doc->text) {
        quarry_doc_free(doc);
        return NULL;
    }
    doc->record = record;
    doc->format = qi_format_name(fmt);
    doc->encoding = "utf-8";
    return doc;
}

void qi_doc_take_text(quarry_doc *doc, qi_buf *b)
{
    qi_free(doc->env, doc->text, doc->text_cap);
    doc->text = b->data;
    doc->text_len = b->len;
    doc->text_cap = b->cap;
    b->data = NULL;
    b->len = b->cap = 0;
}

bool qi_doc_set_text(quarry_doc *doc, const char *s, size_t len)
{
    char *t = qi_strndup(doc->env, s, len);
    if (!t)
        return false;
    qi_free(doc->env, doc->text, doc->text_cap);
    doc->text = t;
    doc->text_len = len;
    doc->text_cap = len + 1;
    return true;
}

static void field_clear(quarry_env *env, quarry_field *f)
{
    qi_free(env, (char *)f->name, strlen(f->name) + 1);
    qi_free(env, (char *)f->text, f->text_len + 1);
}

bool qi_doc_set_field(quarry_doc *doc, const char *name, size_t name_len,
                      const char *text, size_t len, int type,
                      const quarry_field *value, bool replace)
{
    quarry_env *env = doc->env;
    quarry_field *f = NULL;
    char *t;
    size_t i;
    for (i = 0; i < doc->nfields; i++) {
        if (strlen(doc->fields[i].name) == name_len &&
            memcmp(doc->fields[i].name, name, name_len) == 0) {
            f = &doc->fields[i];
            break;
        }
    }
    if (f && !replace)
        return true;
    t = qi_strndup(env, text, len);
    if (!t)
        return false;
    if (f) {
        qi_free(env, (char *)f->text, f->text_len + 1);
    } else {
        char *n;
        void *data = doc->fields;
        if (!qi_array_reserve(env, &data, &doc->fields_cap, doc->nfields + 1,
                              sizeof *doc->fields)) {
            qi_free(env, t, len + 1);
            return false;
        }
        doc->fields = data;
        n = qi_strndup(env, name, name_len);
        if (!n) {
            qi_free(env, t, len + 1);
            return false;
        }
        f = &doc->fields[doc->nfields++];
        memset(f, 0, sizeof *f);
        f->name = n;
    }
    f->text = t;
    f->text_len = len;
    f->type = type;
    memset(&f->value, 0, sizeof f->value);
    if (type && value)
        f->value = value->value;
    return true;
}

void quarry_doc_free(quarry_doc *doc)
{
    quarry_env *env;
    size_t i;
    if (!doc)
        return;
    env = doc->env;
    for (i = 0; i < doc->nfields; i++)
        field_clear(env, &doc->fields[i]);
    qi_free(env, doc->fields, doc->fields_cap * sizeof *doc->fields);
    qi_free(env, doc->source, doc->source_len + 1);
    qi_free(env, doc->text, doc->text_cap);
    qi_free(env, doc, sizeof *doc);
}

const char *quarry_doc_source(const quarry_doc *doc)
{
    return doc ? doc->source : "";
}

uint64_t quarry_doc_record(const quarry_doc *doc)
{
    return doc ? doc->record : 0;
}

const char *quarry_doc_format(const quarry_doc *doc)
{
    return doc ? doc->format : "text";
}

const char *quarry_doc_text(const quarry_doc *doc, size_t *len)
{
    if (!doc) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = doc->text_len;
    return doc->text;
}

size_t quarry_doc_field_count(const quarry_doc *doc)
{
    return doc ? doc->nfields : 0;
}

const quarry_field *quarry_doc_field(const quarry_doc *doc, size_t i)
{
    if (!doc || i >= doc->nfields)
        return NULL;
    return &doc->fields[i];
}

const quarry_field *quarry_doc_find_field(const quarry_doc *doc,
                                          const char *name)
{
    size_t i;
    if (!doc || !name)
        return NULL;
    for (i = 0; i < doc->nfields; i++)
        if (strcmp(doc->fields[i].name, name) == 0)
            return &doc->fields[i];
    return NULL;
}

uint64_t quarry_doc_replaced(const quarry_doc *doc)
{
    return doc ? doc->replaced : 0;
}

const char *quarry_doc_encoding(const quarry_doc *doc)
{
    return doc ? doc->encoding : "utf-8";
}
