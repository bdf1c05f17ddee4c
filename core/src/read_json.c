/* read_json.c - JSON documents (one object per file), JSONL records (one
 * object per line) and JSON sidecar metadata, parsed with jansson.
 *
 * jansson allocates with malloc internally; json_set_alloc_funcs would route
 * it through our allocator but is process-global state, so it is not used.
 * Input is made valid UTF-8 before parsing, so jansson never rejects a file
 * for its encoding and replacements are counted like everywhere else. */
#include "reader_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest "%.*g" text of d that reads back as d. */
static void real_text(double d, char *buf, size_t size)
{
    int prec;
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
}

static bool is_scalar(json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

/* Text of a scalar (strings borrowed, others formatted into buf). */
static const char *scalar_text(json_t *v, char *buf, size_t size, size_t *len)
{
    if (json_is_string(v)) {
        *len = json_string_length(v);
        return json_string_value(v);
    }
    if (json_is_integer(v))
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        real_text(json_real_value(v), buf, size);
    else
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    *len = strlen(buf);
    return buf;
}

int qi_json_add_fields(quarry_reader *rd, quarry_doc *doc, json_t *obj,
                       const char *skip_key, bool replace)
{
    const char *key;
    json_t *value;
    char buf[64];
    json_object_foreach(obj, key, value)
    {
        quarry_field fv;
        const char *text;
        size_t len;
        int type = 0;
        bool ok;
        if ((skip_key && strcmp(key, skip_key) == 0) || !key[0] ||
            json_is_null(value))
            continue;
        memset(&fv, 0, sizeof fv);
        if (json_is_array(value)) {
            /* a list of scalars becomes one value joined with "; " */
            qi_buf joined = {0};
            size_t i, n = json_array_size(value);
            bool nested = false;
            for (i = 0; i < n && !nested; i++) {
                json_t *item = json_array_get(value, i);
                if (json_is_null(item))
                    continue;
                if (!is_scalar(item)) {
                    nested = true;
                    break;
                }
                text = scalar_text(item, buf, sizeof buf, &len);
                if ((joined.len && !qi_buf_append(rd->env, &joined, "; ", 2)) ||
                    !qi_buf_append(rd->env, &joined, text, len)) {
                    qi_buf_free(rd->env, &joined);
                    qi_set_error(rd->errmsg, "out of memory");
                    return QUARRY_ENOMEM;
                }
            }
            if (nested) {
                qi_buf_free(rd->env, &joined);
                goto skip_nested;
            }
            ok = qi_doc_set_field(doc, key, strlen(key),
                                  joined.data ? joined.data : "", joined.len, 0,
                                  NULL, replace);
            qi_buf_free(rd->env, &joined);
        } else if (json_is_object(value)) {
            goto skip_nested;
        } else {
            text = scalar_text(value, buf, sizeof buf, &len);
            if (json_is_integer(value)) {
                type = QUARRY_FIELD_INTEGER;
                fv.value.integer = json_integer_value(value);
            } else if (json_is_real(value)) {
                type = QUARRY_FIELD_NUMBER;
                fv.value.number = json_real_value(value);
            } else if (json_is_boolean(value)) {
                type = QUARRY_FIELD_STRING;
            }
            ok = qi_doc_set_field(doc, key, strlen(key), text, len, type, &fv,
                                  replace);
        }
        if (!ok) {
            qi_set_error(rd->errmsg, "out of memory");
            return QUARRY_ENOMEM;
        }
        continue;
    skip_nested:
        if (qi_emit(rd, QUARRY_EVENT_WARNING, doc->source, "field", 0,
                    doc->record, 0, 0,
                    "%s: field \"%s\" holds nested objects or lists; skipped",
                    doc->source, key) != QUARRY_OK)
            return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

/* "a, b, c": the member names of obj, for "no text field" messages. */
static void member_list(json_t *obj, char *out, size_t size)
{
    const char *key;
    json_t *value;
    size_t used = 0;
    out[0] = '\0';
    json_object_foreach(obj, key, value)
    {
        int n;
        (void)value;
        n = snprintf(out + used, size - used, "%s\"%s\"", used ? ", " : "",
                     key);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (!out[0])
        snprintf(out, size, "none");
}

static int missing_text(quarry_reader *rd, const char *path, uint64_t record,
                        uint64_t line, json_t *obj)
{
    char fields[256], where[48] = "";
    member_list(obj, fields, sizeof fields);
    if (record)
        snprintf(where, sizeof where, " record %" PRIu64 ":", record);
    if (rd->text_field)
        return qi_emit(rd, QUARRY_EVENT_ERROR, path, "field", QUARRY_EPARSE,
                       record, line, 0,
                       "%s:%s no text field \"%s\"; fields: %s", path, where,
                       rd->text_field, fields);
    return qi_emit(rd, QUARRY_EVENT_ERROR, path, "field", QUARRY_EPARSE, record,
                   line, 0,
                   "%s:%s no text field (\"text\", \"content\" or "
                   "\"body\"); fields: %s",
                   path, where, fields);
}

/* The byte column of jansson's error: its position is a byte offset from
 * the start of the input, its column counts characters. */
static void json_error_pos(const char *s, size_t len, const json_error_t *err,
                           uint64_t *line, uint64_t *col)
{
    size_t pos = err->position > 0 ? (size_t)err->position : 0;
    if (pos > len)
        pos = len;
    /* jansson's position is one past the offending byte */
    if (pos > 0 && err->line > 0)
        pos--;
    qi_line_col(s, pos, line, col);
    if (err->line <= 0) {
        *line = 0;
        *col = 0;
    }
}

/* Builds and queues the document of a parsed object. */
static int object_doc(quarry_reader *rd, qi_file *f, json_t *obj,
                      uint64_t record, uint64_t line, uint64_t replaced)
{
    const char *key = qi_json_text_key(rd, obj);
    json_t *text = key ? json_object_get(obj, key) : NULL;
    quarry_doc *doc;
    int rc;
    if (!text || json_is_null(text))
        return missing_text(rd, f->path, record, line, obj);
    if (!json_is_string(text))
        return qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "field", QUARRY_EPARSE,
                       record, line, 0,
                       "%s: record %" PRIu64 ": text field \"%s\" is not a "
                       "string",
                       f->path, record, key);
    doc = qi_file_new_doc(rd, f, record);
    if (!doc || !qi_doc_set_text(doc, json_string_value(text),
                                 json_string_length(text))) {
        quarry_doc_free(doc);
        qi_set_error(rd->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    doc->replaced = replaced;
    rc = qi_json_add_fields(rd, doc, obj, key, true);
    if (rc != QUARRY_OK) {
        quarry_doc_free(doc);
        return rc;
    }
    return qi_reader_finish_doc(rd, doc);
}

static int parse_error(quarry_reader *rd, const char *path, uint64_t record,
                       uint64_t line, uint64_t col, const char *what)
{
    if (line)
        return qi_emit(rd, QUARRY_EVENT_ERROR, path, "parse", QUARRY_EPARSE,
                       record, line, col, "%s:%" PRIu64 ":%" PRIu64 ": %s",
                       path, line, col, what);
    return qi_emit(rd, QUARRY_EVENT_ERROR, path, "parse", QUARRY_EPARSE, record,
                   0, 0, "%s: %s", path, what);
}

int qi_read_json(quarry_reader *rd, qi_file *f)
{
    uint64_t replaced = f->file_replaced;
    json_error_t err;
    json_t *root;
    int rc;
    if (!qi_make_valid(rd->env, &f->data, &replaced)) {
        qi_set_error(rd->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    root = json_loadb(f->data.data, f->data.len, 0, &err);
    if (!root) {
        uint64_t line, col;
        json_error_pos(f->data.data, f->data.len, &err, &line, &col);
        return parse_error(rd, f->path, 0, line, col, err.text);
    }
    if (!json_is_object(root))
        rc = parse_error(rd, f->path, 0, 1, 1,
                         "expected one JSON object (use .jsonl for one object "
                         "per line)");
    else
        rc = object_doc(rd, f, root, 0, 0, replaced);
    json_decref(root);
    return rc;
}

static bool blank(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' &&
            s[i] != '\v')
            return false;
    return true;
}

int qi_read_jsonl_next(quarry_reader *rd, qi_file *f)
{
    const char *s = f->data.data;
    size_t len = f->data.len;
    while (f->pos < len) {
        size_t start = f->pos, end;
        const char *nl = memchr(s + start, '\n', len - start);
        uint64_t line = f->line++, replaced = 0;
        qi_buf fixed = {0};
        const char *rec;
        size_t rec_len;
        json_error_t err;
        json_t *obj;
        int rc;
        end = nl ? (size_t)(nl - s) : len;
        f->pos = nl ? end + 1 : len;
        if (end > start && s[end - 1] == '\r')
            end--;
        if (blank(s + start, end - start))
            continue;
        rec = s + start;
        rec_len = end - start;
        if (!quarry_utf8_valid(rec, rec_len)) {
            if (!qi_utf8_repair(rd->env, rec, rec_len, &fixed, &replaced)) {
                qi_buf_free(rd->env, &fixed);
                qi_set_error(rd->errmsg, "out of memory");
                return QUARRY_ENOMEM;
            }
            rec = fixed.data;
            rec_len = fixed.len;
        }
        obj = json_loadb(rec, rec_len, 0, &err);
        if (!obj) {
            uint64_t l, col;
            json_error_pos(rec, rec_len, &err, &l, &col);
            rc = parse_error(rd, f->path, line, line, col ? col : 1, err.text);
        } else if (!json_is_object(obj)) {
            rc = parse_error(rd, f->path, line, line, 1,
                             "expected a JSON object");
        } else {
            rc = object_doc(rd, f, obj, line, line, replaced);
        }
        json_decref(obj);
        qi_buf_free(rd->env, &fixed);
        return rc;
    }
    f->active = 0;
    return QUARRY_OK;
}

int qi_read_sidecar(quarry_reader *rd, const char *json_path, quarry_doc *doc)
{
    qi_buf b = {0};
    const char *encoding;
    uint64_t replaced = 0;
    json_error_t err;
    json_t *root;
    int e, rc = QUARRY_OK;
    e = qi_read_path(rd->env, json_path, &b);
    if (e) {
        qi_buf_free(rd->env, &b);
        if (e == ENOMEM)
            goto nomem;
        return qi_emit(rd, QUARRY_EVENT_ERROR, json_path, "io", QUARRY_EIO, 0,
                       0, 0, "%s: cannot read sidecar: %s", json_path,
                       strerror(e));
    }
    if (!qi_decode_bom(rd->env, &b, &encoding, &replaced) ||
        !qi_make_valid(rd->env, &b, &replaced)) {
        qi_buf_free(rd->env, &b);
        goto nomem;
    }
    if (replaced)
        rc =
            qi_emit(rd, QUARRY_EVENT_WARNING, json_path, "replaced", 0, 0, 0, 0,
                    "%s: %" PRIu64 " invalid UTF-8 sequence%s replaced by "
                    "U+FFFD",
                    json_path, replaced, replaced == 1 ? "" : "s");
    root = rc == QUARRY_OK ? json_loadb(b.data, b.len, 0, &err) : NULL;
    if (rc != QUARRY_OK) {
        /* out of memory while queuing the warning */
    } else if (!root) {
        uint64_t line, col;
        json_error_pos(b.data, b.len, &err, &line, &col);
        rc = parse_error(rd, json_path, 0, line, col, err.text);
    } else if (!json_is_object(root)) {
        rc = parse_error(rd, json_path, 0, 1, 1,
                         "sidecar metadata must be one JSON object");
    } else {
        /* the sidecar's copy of the text (if any) is not indexed twice */
        rc =
            qi_json_add_fields(rd, doc, root, qi_json_text_key(rd, root), true);
    }
    json_decref(root);
    qi_buf_free(rd->env, &b);
    return rc;
nomem:
    qi_set_error(rd->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}
