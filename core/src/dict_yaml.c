/*
 * dict_yaml.c - dictionaries from YAML files (the layout quanteda's
 * dictionary(file = "x.yml") reads; docs/dictionaries.md). libyaml's event
 * parser is used rather than its document loader so that every node keeps
 * its own mark for error messages and aliases are seen as such. libyaml
 * allocates with malloc internally, outside the env's allocator.
 */
#include "dict_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

/* Deeper nesting is certainly not a dictionary, and unbounded recursion on
 * hostile input would exhaust the stack. */
#define DICT_MAX_DEPTH 64

typedef struct yctx {
    quarry_env *env;
    quarry_dict *d;
    yaml_parser_t parser;
    const char *src;
    size_t src_len;
    size_t *line, *column;
    qi_buf name; /* current category name, joined with '.' */
} yctx;

/* libyaml's marks count characters from 0; messages use 1-based lines and
 * byte columns, like the readers. */
static size_t byte_column(const char *s, size_t len, size_t line, size_t col)
{
    size_t i = 0, l = 0, c = 0, start;
    while (l < line && i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        if (!nl)
            return col + 1;
        i = (size_t)(nl - s) + 1;
        l++;
    }
    start = i;
    while (c < col && i < len && s[i] != '\n') {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return i - start + 1;
}

static int fail_at(yctx *y, yaml_mark_t m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail_at(yctx *y, yaml_mark_t m, const char *fmt, ...)
{
    char msg[QI_ERRMSG_SIZE];
    size_t line = m.line + 1;
    size_t col = byte_column(y->src, y->src_len, m.line, m.column);
    va_list ap;
    va_start(ap, fmt);
    qi_vset_error(msg, fmt, ap);
    va_end(ap);
    qi_set_error(y->env->errmsg, "line %zu, column %zu: %s", line, col, msg);
    if (y->line)
        *y->line = line;
    if (y->column)
        *y->column = col;
    return QUARRY_EPARSE;
}

static int nomem(yctx *y)
{
    qi_set_error(y->env->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

static int next_event(yctx *y, yaml_event_t *ev)
{
    const yaml_parser_t *p = &y->parser;
    if (yaml_parser_parse(&y->parser, ev))
        return QUARRY_OK;
    if (p->error == YAML_MEMORY_ERROR)
        return nomem(y);
    {
        yaml_mark_t m = p->problem_mark;
        bool tab = m.index < y->src_len && y->src[m.index] == '\t';
        /* libyaml's index counts characters; only for ASCII-only text does
         * it equal the byte offset, so the tab hint is best effort */
        return fail_at(
            y, m, "%s%s%s%s", p->problem ? p->problem : "invalid YAML",
            p->context ? " " : "", p->context ? p->context : "",
            tab ? " (YAML does not allow tabs for indentation)" : "");
    }
}

static bool plain_is(const yaml_event_t *ev, const char *const *words)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t i;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    for (i = 0; words[i]; i++)
        if (strcmp(v, words[i]) == 0)
            return true;
    return false;
}

static bool scalar_is_null(const yaml_event_t *ev)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    return plain_is(ev, nulls);
}

static bool scalar_is_number(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t i = 0, digits = 0;
    static const char *const special[] = {".inf", "-.inf", "+.inf", ".nan",
                                          ".Inf", ".NaN",  NULL};
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    if (plain_is(ev, special))
        return true;
    if (v[i] == '-' || v[i] == '+')
        i++;
    for (; v[i] >= '0' && v[i] <= '9'; i++)
        digits++;
    if (v[i] == '.')
        for (i++; v[i] >= '0' && v[i] <= '9'; i++)
            digits++;
    if (digits > 0 && (v[i] == 'e' || v[i] == 'E')) {
        i++;
        if (v[i] == '-' || v[i] == '+')
            i++;
        if (!(v[i] >= '0' && v[i] <= '9'))
            return false;
        while (v[i] >= '0' && v[i] <= '9')
            i++;
    }
    return digits > 0 && v[i] == '\0';
}

static const char *node_kind(const yaml_event_t *ev)
{
    static const char *const bools[] = {"true", "false", "True", "False",
                                        "TRUE", "FALSE", NULL};
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (scalar_is_null(ev))
            return "nothing (null)";
        if (scalar_is_number(ev))
            return "a number";
        if (plain_is(ev, bools))
            return "a boolean";
        return "a single string (write a list: [pattern])";
    case YAML_SEQUENCE_START_EVENT: return "a list";
    case YAML_MAPPING_START_EVENT: return "a mapping";
    case YAML_ALIAS_EVENT: return "an alias";
    default: return "no value";
    }
}

static const char *event_anchor(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: return (const char *)ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return (const char *)ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT:
        return (const char *)ev->data.mapping_start.anchor;
    default: return NULL;
    }
}

/* Rejects what the dictionary format does not support in any position. */
static int check_node(yctx *y, const yaml_event_t *ev)
{
    if (ev->type == YAML_ALIAS_EVENT)
        return fail_at(y, ev->start_mark,
                       "aliases (*%s) are not supported in dictionaries",
                       (const char *)ev->data.alias.anchor);
    if (event_anchor(ev))
        return fail_at(y, ev->start_mark,
                       "anchors (&%s) are not supported in dictionaries",
                       event_anchor(ev));
    return QUARRY_OK;
}

static int parse_value(yctx *y, yaml_event_t *ev, int depth);

/* Appends ".key" (or "key" at the top) to the current name; returns the
 * previous length to restore it. */
static int push_name(yctx *y, const yaml_event_t *key, size_t *saved)
{
    const char *k = (const char *)key->data.scalar.value;
    size_t klen = key->data.scalar.length;
    *saved = y->name.len;
    if (klen == 0 || scalar_is_null(key))
        return fail_at(y, key->start_mark, "empty category name");
    if (memchr(k, '\0', klen))
        return fail_at(y, key->start_mark,
                       "category name contains a NUL character");
    if ((y->name.len > 0 && !qi_buf_push(y->env, &y->name, '.')) ||
        !qi_buf_append(y->env, &y->name, k, klen) ||
        !qi_buf_terminate(y->env, &y->name))
        return nomem(y);
    return QUARRY_OK;
}

static void pop_name(yctx *y, size_t saved)
{
    y->name.len = saved;
    if (y->name.data)
        y->name.data[saved] = '\0';
}

/* A mapping of category names (its MAPPING_START already read). */
static int parse_mapping(yctx *y, int depth)
{
    for (;;) {
        yaml_event_t key, val;
        size_t saved;
        int rc = next_event(y, &key);
        if (rc != QUARRY_OK)
            return rc;
        if (key.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key);
            return QUARRY_OK;
        }
        rc = check_node(y, &key);
        if (rc == QUARRY_OK && key.type != YAML_SCALAR_EVENT)
            rc = fail_at(y, key.start_mark,
                         "a category name must be a string, got %s",
                         node_kind(&key));
        if (rc == QUARRY_OK)
            rc = push_name(y, &key, &saved);
        yaml_event_delete(&key);
        if (rc != QUARRY_OK)
            return rc;
        rc = next_event(y, &val);
        if (rc != QUARRY_OK)
            return rc;
        rc = parse_value(y, &val, depth + 1);
        yaml_event_delete(&val);
        if (rc != QUARRY_OK)
            return rc;
        pop_name(y, saved);
    }
}

/* A scalar item of the current category's list. */
static int add_pattern(yctx *y, size_t cat, const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    int rc;
    if (scalar_is_null(ev))
        return fail_at(y, ev->start_mark, "empty pattern in category '%s'%s",
                       y->name.data, len ? " (quote it to mean the word)" : "");
    if (memchr(v, '\0', len))
        return fail_at(y, ev->start_mark,
                       "pattern in category '%s' contains a NUL character",
                       y->name.data);
    rc = qi_dict_add_entry(y->d, cat, v, len);
    if (rc == QUARRY_EINVAL)
        return fail_at(y, ev->start_mark, "%s in category '%s'", y->d->errmsg,
                       y->name.data);
    if (rc != QUARRY_OK)
        qi_set_error(y->env->errmsg, "%s", y->d->errmsg);
    return rc;
}

/* A mapping item of a list (its MAPPING_START at `at` read): quanteda
 * tolerates "- sub: [...]", a subcategory with a single key. */
static int parse_list_mapping(yctx *y, yaml_mark_t at, int depth)
{
    yaml_event_t key, val, end;
    size_t saved = y->name.len;
    int rc = next_event(y, &key);
    if (rc != QUARRY_OK)
        return rc;
    if (key.type == YAML_MAPPING_END_EVENT)
        rc = fail_at(y, at, "empty mapping in the list of category '%s'",
                     y->name.data);
    if (rc == QUARRY_OK)
        rc = check_node(y, &key);
    if (rc == QUARRY_OK && key.type != YAML_SCALAR_EVENT)
        rc = fail_at(y, key.start_mark,
                     "a category name must be a string, got %s",
                     node_kind(&key));
    if (rc == QUARRY_OK)
        rc = push_name(y, &key, &saved);
    yaml_event_delete(&key);
    if (rc != QUARRY_OK)
        return rc;
    rc = next_event(y, &val);
    if (rc != QUARRY_OK)
        return rc;
    rc = parse_value(y, &val, depth + 1);
    yaml_event_delete(&val);
    if (rc != QUARRY_OK)
        return rc;
    pop_name(y, saved);
    rc = next_event(y, &end);
    if (rc != QUARRY_OK)
        return rc;
    if (end.type != YAML_MAPPING_END_EVENT)
        rc = fail_at(y, end.start_mark,
                     "a mapping inside the list of category '%s' must have a "
                     "single key (a subcategory)",
                     y->name.data);
    yaml_event_delete(&end);
    return rc;
}

/* The items of the list of the current category (SEQUENCE_START read). */
static int parse_list(yctx *y, int depth)
{
    size_t cat;
    int rc = qi_dict_category_index(y->d, y->name.data, y->name.len, &cat);
    if (rc != QUARRY_OK) {
        qi_set_error(y->env->errmsg, "%s", y->d->errmsg);
        return rc;
    }
    for (;;) {
        yaml_event_t ev;
        rc = next_event(y, &ev);
        if (rc != QUARRY_OK)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return QUARRY_OK;
        }
        rc = check_node(y, &ev);
        if (rc == QUARRY_OK) {
            if (ev.type == YAML_SCALAR_EVENT)
                rc = add_pattern(y, cat, &ev);
            else if (ev.type == YAML_MAPPING_START_EVENT)
                rc = parse_list_mapping(y, ev.start_mark, depth);
            else
                rc = fail_at(y, ev.start_mark,
                             "a pattern of category '%s' must be a string, "
                             "got %s",
                             y->name.data, node_kind(&ev));
        }
        yaml_event_delete(&ev);
        if (rc != QUARRY_OK)
            return rc;
    }
}

/* The value of the current category: a list or a mapping. */
static int parse_value(yctx *y, yaml_event_t *ev, int depth)
{
    int rc = check_node(y, ev);
    if (rc != QUARRY_OK)
        return rc;
    if (depth > DICT_MAX_DEPTH)
        return fail_at(y, ev->start_mark,
                       "categories nested deeper than %d levels",
                       DICT_MAX_DEPTH);
    if (ev->type == YAML_SEQUENCE_START_EVENT)
        return parse_list(y, depth);
    if (ev->type == YAML_MAPPING_START_EVENT)
        return parse_mapping(y, depth);
    return fail_at(y, ev->start_mark,
                   "category '%s' must be a list of patterns or a mapping of "
                   "subcategories, got %s",
                   y->name.data, node_kind(ev));
}

static int parse_stream(yctx *y)
{
    yaml_event_t ev;
    int rc;
    /* stream start, then a document start or the end of an empty stream */
    rc = next_event(y, &ev);
    if (rc != QUARRY_OK)
        return rc;
    yaml_event_delete(&ev);
    rc = next_event(y, &ev);
    if (rc != QUARRY_OK)
        return rc;
    if (ev.type != YAML_DOCUMENT_START_EVENT) {
        rc = fail_at(y, ev.start_mark,
                     "the file is empty: expected a mapping of category names "
                     "to lists of patterns");
        yaml_event_delete(&ev);
        return rc;
    }
    yaml_event_delete(&ev);
    rc = next_event(y, &ev);
    if (rc != QUARRY_OK)
        return rc;
    rc = check_node(y, &ev);
    if (rc == QUARRY_OK && ev.type != YAML_MAPPING_START_EVENT)
        rc = fail_at(y, ev.start_mark,
                     ev.type == YAML_SCALAR_EVENT && scalar_is_null(&ev)
                         ? "the file is empty: expected a mapping of category "
                           "names to lists of patterns%s"
                         : "the top level must be a mapping of category names "
                           "to lists of patterns, got %s",
                     ev.type == YAML_SCALAR_EVENT && scalar_is_null(&ev)
                         ? ""
                         : node_kind(&ev));
    yaml_event_delete(&ev);
    if (rc == QUARRY_OK)
        rc = parse_mapping(y, 0);
    if (rc != QUARRY_OK)
        return rc;
    rc = next_event(y, &ev); /* document end */
    if (rc != QUARRY_OK)
        return rc;
    yaml_event_delete(&ev);
    rc = next_event(y, &ev);
    if (rc != QUARRY_OK)
        return rc;
    if (ev.type != YAML_STREAM_END_EVENT)
        rc = fail_at(y, ev.start_mark,
                     "a dictionary file holds one YAML document, found a "
                     "second one");
    yaml_event_delete(&ev);
    return rc;
}

/* Fails with the position of the first byte that is not UTF-8. */
static int check_utf8(yctx *y)
{
    const unsigned char *s = (const unsigned char *)y->src;
    size_t i = 0, line = 1, line_start = 0;
    while (i < y->src_len) {
        uint32_t cp;
        size_t n = qi_utf8_decode(s + i, y->src_len - i, &cp);
        if (n == 0) {
            qi_set_error(y->env->errmsg,
                         "line %zu, column %zu: invalid UTF-8 (byte 0x%02X)",
                         line, i - line_start + 1, s[i]);
            if (y->line)
                *y->line = line;
            if (y->column)
                *y->column = i - line_start + 1;
            return QUARRY_EPARSE;
        }
        if (cp == '\n') {
            line++;
            line_start = i + 1;
        }
        i += n;
    }
    return QUARRY_OK;
}

int quarry_dict_parse(quarry_env *env, const char *yaml, size_t len,
                      quarry_dict **out, size_t *line, size_t *column)
{
    yctx y;
    int rc;
    *out = NULL;
    if (line)
        *line = 0;
    if (column)
        *column = 0;
    memset(&y, 0, sizeof y);
    y.env = env;
    y.src = yaml ? yaml : "";
    y.src_len = yaml ? len : 0;
    y.line = line;
    y.column = column;
    rc = check_utf8(&y);
    if (rc != QUARRY_OK)
        return rc;
    rc = quarry_dict_new(env, &y.d);
    if (rc != QUARRY_OK)
        return rc;
    if (!yaml_parser_initialize(&y.parser)) {
        quarry_dict_free(y.d);
        return nomem(&y);
    }
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)y.src,
                                 y.src_len);
    yaml_parser_set_encoding(&y.parser, YAML_UTF8_ENCODING);
    rc = parse_stream(&y);
    yaml_parser_delete(&y.parser);
    qi_buf_free(env, &y.name);
    if (rc != QUARRY_OK) {
        quarry_dict_free(y.d);
        return rc;
    }
    *out = y.d;
    return QUARRY_OK;
}

int quarry_dict_load(quarry_env *env, const char *path, quarry_dict **out,
                     size_t *line, size_t *column)
{
    qi_buf b = {0};
    FILE *f;
    int rc;
    *out = NULL;
    if (line)
        *line = 0;
    if (column)
        *column = 0;
    f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        qi_set_error(env->errmsg, "%s: %s", path, strerror(e));
        return e == ENOENT || e == ENOTDIR ? QUARRY_ENOENT : QUARRY_EIO;
    }
    for (;;) {
        size_t got;
        if (!qi_buf_reserve(env, &b, 65536)) {
            fclose(f);
            qi_buf_free(env, &b);
            qi_set_error(env->errmsg, "out of memory");
            return QUARRY_ENOMEM;
        }
        got = fread(b.data + b.len, 1, b.cap - b.len, f);
        b.len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        qi_buf_free(env, &b);
        qi_set_error(env->errmsg, "%s: read error", path);
        return QUARRY_EIO;
    }
    fclose(f);
    rc = quarry_dict_parse(env, b.data, b.len, out, line, column);
    qi_buf_free(env, &b);
    return rc;
}
