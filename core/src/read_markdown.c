/* read_markdown.c - markdown documents with optional YAML front matter.
 *
 * Front matter is a first line "---", YAML, and a closing line "---" or
 * "...". It is parsed with libyaml's document loader; the top level must be
 * a mapping. Scalar values become fields; a list of scalars becomes one
 * value joined with "; " (the same rule as JSON arrays); nested mappings and
 * lists of lists are skipped with a WARNING "field". A plain null ("", "~",
 * "null") leaves the field absent, like JSON null. The document's text is
 * what follows the front matter. libyaml allocates with malloc internally
 * (it has no allocator hook). */
#include "reader_internal.h"

#include <inttypes.h>
#include <string.h>
#include <yaml.h>

/* Length of the line at s (up to, not including, '\n') and whether it is
 * the marker (trailing blanks and '\r' allowed). */
static bool is_marker(const char *s, size_t len, const char *marker)
{
    size_t i = 3;
    if (len < 3 || memcmp(s, marker, 3) != 0)
        return false;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i == len;
}

static bool plain_null(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return len == 0 || (len == 1 && v[0] == '~') ||
           (len == 4 &&
            (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
             memcmp(v, "NULL", 4) == 0));
}

static int warn_nested(quarry_reader *rd, quarry_doc *doc, const char *key,
                       uint64_t line)
{
    return qi_emit(rd, QUARRY_EVENT_WARNING, doc->source, "field", 0, 0, line,
                   0,
                   "%s:%" PRIu64 ": front matter field \"%s\" holds nested "
                   "mappings or lists; skipped",
                   doc->source, line, key);
}

static int add_pairs(quarry_reader *rd, quarry_doc *doc, yaml_document_t *yd,
                     yaml_node_t *root)
{
    yaml_node_pair_t *pair;
    for (pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(yd, pair->key);
        yaml_node_t *v = yaml_document_get_node(yd, pair->value);
        const char *key;
        size_t key_len;
        uint64_t line;
        bool ok = true;
        if (!k || !v)
            continue;
        line = (uint64_t)k->start_mark.line + 2; /* front matter: line 2+ */
        if (k->type != YAML_SCALAR_NODE) {
            int rc = qi_emit(rd, QUARRY_EVENT_WARNING, doc->source, "field", 0,
                             0, line, 0,
                             "%s:%" PRIu64 ": front matter key is not a "
                             "scalar; skipped",
                             doc->source, line);
            if (rc != QUARRY_OK)
                return rc;
            continue;
        }
        key = (const char *)k->data.scalar.value;
        key_len = k->data.scalar.length;
        if (key_len == 0)
            continue;
        if (v->type == YAML_SCALAR_NODE) {
            if (plain_null(v))
                continue;
            ok = qi_doc_set_field(doc, key, key_len,
                                  (const char *)v->data.scalar.value,
                                  v->data.scalar.length, 0, NULL, true);
        } else if (v->type == YAML_SEQUENCE_NODE) {
            qi_buf joined = {0};
            yaml_node_item_t *it;
            bool nested = false;
            for (it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top && ok; it++) {
                yaml_node_t *e = yaml_document_get_node(yd, *it);
                if (!e || e->type != YAML_SCALAR_NODE) {
                    nested = true;
                    break;
                }
                if (plain_null(e))
                    continue;
                ok =
                    (!joined.len || qi_buf_append(rd->env, &joined, "; ", 2)) &&
                    qi_buf_append(rd->env, &joined, e->data.scalar.value,
                                  e->data.scalar.length);
            }
            if (ok && !nested)
                ok = qi_doc_set_field(doc, key, key_len,
                                      joined.data ? joined.data : "",
                                      joined.len, 0, NULL, true);
            qi_buf_free(rd->env, &joined);
            if (ok && nested) {
                int rc = warn_nested(rd, doc, key, line);
                if (rc != QUARRY_OK)
                    return rc;
            }
        } else {
            int rc = warn_nested(rd, doc, key, line);
            if (rc != QUARRY_OK)
                return rc;
        }
        if (!ok) {
            qi_set_error(rd->errmsg, "out of memory");
            return QUARRY_ENOMEM;
        }
    }
    return QUARRY_OK;
}

/* libyaml's marks count characters; events report byte columns. Converts
 * (line, column) within the front matter fm (0-based, characters) to a byte
 * column (1-based). */
static uint64_t byte_column(const char *fm, size_t len, size_t line,
                            size_t column)
{
    size_t i = 0, l = 0, c = 0, start;
    while (l < line && i < len) {
        const char *nl = memchr(fm + i, '\n', len - i);
        if (!nl)
            return (uint64_t)column + 1;
        i = (size_t)(nl - fm) + 1;
        l++;
    }
    start = i;
    while (c < column && i < len && fm[i] != '\n') {
        /* skip one UTF-8 character: its lead byte and continuations */
        i++;
        while (i < len && ((unsigned char)fm[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return (uint64_t)(i - start) + 1;
}

static int yaml_fail(quarry_reader *rd, const char *path,
                     const yaml_parser_t *p, const char *fm, size_t fm_len)
{
    /* marks are 0-based within the front matter, which starts on line 2 */
    uint64_t line = (uint64_t)p->problem_mark.line + 2;
    uint64_t col =
        byte_column(fm, fm_len, p->problem_mark.line, p->problem_mark.column);
    int rc =
        qi_emit(rd, QUARRY_EVENT_ERROR, path, "parse", QUARRY_EPARSE, 0, line,
                col, "%s:%" PRIu64 ":%" PRIu64 ": front matter: %s%s%s", path,
                line, col, p->problem ? p->problem : "invalid YAML",
                p->context ? " " : "", p->context ? p->context : "");
    return rc == QUARRY_OK ? QUARRY_EPARSE : rc;
}

int qi_read_markdown(quarry_reader *rd, qi_file *f, quarry_doc *doc)
{
    const char *s = doc->text;
    size_t len = doc->text_len, pos, fm_start, fm_end = 0, body = 0;
    const char *nl = memchr(s, '\n', len);
    yaml_parser_t parser;
    yaml_document_t yd;
    yaml_node_t *root;
    bool closed = false;
    int rc = QUARRY_OK;
    if (!nl || !is_marker(s, (size_t)(nl - s), "---"))
        return QUARRY_OK; /* no front matter: all text */
    fm_start = pos = (size_t)(nl - s) + 1;
    while (pos < len) {
        const char *e = memchr(s + pos, '\n', len - pos);
        size_t line_len = e ? (size_t)(e - (s + pos)) : len - pos;
        if (is_marker(s + pos, line_len, "---") ||
            is_marker(s + pos, line_len, "...")) {
            fm_end = pos;
            body = e ? (size_t)(e - s) + 1 : len;
            closed = true;
            break;
        }
        pos = e ? (size_t)(e - s) + 1 : len;
    }
    if (!closed) {
        rc = qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "parse", QUARRY_EPARSE, 0,
                     1, 1,
                     "%s:1:1: front matter opened with \"---\" is never "
                     "closed (\"---\" or \"...\")",
                     f->path);
        return rc == QUARRY_OK ? QUARRY_EPARSE : rc;
    }
    if (!yaml_parser_initialize(&parser)) {
        qi_set_error(rd->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)s + fm_start,
                                 fm_end - fm_start);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    if (!yaml_parser_load(&parser, &yd)) {
        rc = parser.error == YAML_MEMORY_ERROR
                 ? QUARRY_ENOMEM
                 : yaml_fail(rd, f->path, &parser, s + fm_start,
                             fm_end - fm_start);
        if (rc == QUARRY_ENOMEM)
            qi_set_error(rd->errmsg, "out of memory");
        yaml_parser_delete(&parser);
        return rc;
    }
    root = yaml_document_get_root_node(&yd);
    if (root && root->type == YAML_MAPPING_NODE) {
        rc = add_pairs(rd, doc, &yd, root);
    } else if (root && !(root->type == YAML_SCALAR_NODE && plain_null(root))) {
        rc = qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "parse", QUARRY_EPARSE, 0,
                     2, 1,
                     "%s:2:1: front matter is not a mapping of names to "
                     "values",
                     f->path);
        if (rc == QUARRY_OK)
            rc = QUARRY_EPARSE;
    }
    yaml_document_delete(&yd);
    yaml_parser_delete(&parser);
    if (rc != QUARRY_OK)
        return rc;
    /* the text is what follows the front matter */
    memmove(doc->text, doc->text + body, len - body);
    doc->text_len = len - body;
    doc->text[doc->text_len] = '\0';
    return QUARRY_OK;
}
