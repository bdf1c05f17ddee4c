/* reader.c - the document reader: options, sources, the event queue, reading
 * files and dispatching them to the format readers.
 *
 * quarry_reader_add checks a source and puts it on a work list right away
 * (so that a missing path or an empty glob is reported to the caller who
 * named it; globs are expanded then). Directories are walked lazily: when
 * quarry_reader_next reaches one, a qi_walk lists it step by step into
 * rd->walk_items, which are read before the rest of the work list.
 * quarry_reader_next takes one work item at a time and turns it into events.
 * Whole-file formats produce their events in one step; JSONL and CSV keep
 * the file in rd->file and produce one record per step, so a large file never
 * turns into a large queue of documents. */
#include "reader_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- events ---- */

static void event_clear(quarry_env *env, qi_event *e)
{
    if (e->path)
        qi_free(env, e->path, strlen(e->path) + 1);
    if (e->message)
        qi_free(env, e->message, strlen(e->message) + 1);
    quarry_doc_free(e->doc);
    memset(e, 0, sizeof *e);
}

static int push_event(quarry_reader *rd, qi_event *e)
{
    void *data = rd->events;
    if (!qi_array_reserve(rd->env, &data, &rd->ev_cap, rd->ev_len + 1,
                          sizeof *rd->events)) {
        event_clear(rd->env, e);
        qi_set_error(rd->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    rd->events = data;
    rd->events[rd->ev_len++] = *e;
    return QUARRY_OK;
}

int qi_emit(quarry_reader *rd, int kind, const char *path, const char *reason,
            int status, uint64_t record, uint64_t line, uint64_t column,
            const char *fmt, ...)
{
    char msg[QI_ERRMSG_SIZE];
    qi_event e;
    va_list ap;
    memset(&e, 0, sizeof e);
    va_start(ap, fmt);
    qi_vset_error(msg, fmt, ap);
    va_end(ap);
    e.kind = kind;
    e.reason = reason;
    e.status = status;
    e.record = record;
    e.line = line;
    e.column = column;
    e.path = qi_strndup(rd->env, path, strlen(path));
    e.message = qi_strndup(rd->env, msg, strlen(msg));
    if (!e.path || !e.message) {
        event_clear(rd->env, &e);
        qi_set_error(rd->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    return push_event(rd, &e);
}

/* ---- options ---- */

static int format_from_name(const char *s)
{
    static const char *const names[] = {"auto", "text",  "markdown",
                                        "json", "jsonl", "csv"};
    size_t i;
    if (!s)
        return QI_FMT_AUTO;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return (int)i;
    if (strcmp(s, "md") == 0)
        return QI_FMT_MARKDOWN;
    if (strcmp(s, "ndjson") == 0)
        return QI_FMT_JSONL;
    if (strcmp(s, "tsv") == 0)
        return QI_FMT_CSV;
    return -1;
}

int quarry_reader_new(quarry_env *env, const quarry_read_options *opts,
                      quarry_reader **out)
{
    quarry_read_options defaults;
    quarry_reader *rd;
    size_t i;
    int rc;
    *out = NULL;
    if (!env)
        return QUARRY_EINVAL;
    if (!opts) {
        memset(&defaults, 0, sizeof defaults);
        opts = &defaults;
    }
    rd = qi_calloc(env, 1, sizeof *rd);
    if (!rd) {
        qi_set_error(env->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    rd->env = env;
    rd->format = format_from_name(opts->format);
    if (rd->format < 0) {
        qi_set_error(env->errmsg,
                     "unknown format \"%s\" (auto, text, markdown, json, "
                     "jsonl, csv)",
                     opts->format);
        rc = QUARRY_EINVAL;
        goto fail;
    }
    rd->no_sidecar = opts->no_sidecar;
    rd->include_hidden = opts->include_hidden;
    rd->csv_delimiter = opts->csv_delimiter;
    if (opts->text_field) {
        rd->text_field_len = strlen(opts->text_field);
        rd->text_field = qi_strndup(env, opts->text_field, rd->text_field_len);
        if (!rd->text_field)
            goto nomem;
    }
    if (opts->name_pattern) {
        rc = qi_name_pattern_parse(env, opts->name_pattern, &rd->pattern,
                                   env->errmsg);
        if (rc != QUARRY_OK)
            goto fail;
        rd->has_pattern = 1;
        rd->pattern_text =
            qi_strndup(env, opts->name_pattern, strlen(opts->name_pattern));
        if (!rd->pattern_text)
            goto nomem;
        rd->spans = qi_calloc(env, rd->pattern.count, sizeof *rd->spans);
        if (!rd->spans)
            goto nomem;
    }
    if (opts->field_type_count) {
        if (!opts->field_types) {
            qi_set_error(env->errmsg, "field_types is NULL");
            rc = QUARRY_EINVAL;
            goto fail;
        }
        rd->overrides =
            qi_calloc(env, opts->field_type_count, sizeof *rd->overrides);
        if (!rd->overrides)
            goto nomem;
        for (i = 0; i < opts->field_type_count; i++) {
            const char *spec = opts->field_types[i];
            const char *eq = spec ? strchr(spec, '=') : NULL;
            int type;
            if (!eq || eq == spec) {
                qi_set_error(env->errmsg,
                             "bad field type override \"%s\" (want name=type)",
                             spec ? spec : "(null)");
                rc = QUARRY_EINVAL;
                goto fail;
            }
            type = qi_field_type_from_name(eq + 1, strlen(eq + 1));
            if (type < 0) {
                qi_set_error(env->errmsg,
                             "bad field type override \"%s\": type must be "
                             "string, integer, number, date or auto",
                             spec);
                rc = QUARRY_EINVAL;
                goto fail;
            }
            rd->overrides[i].len = (size_t)(eq - spec);
            rd->overrides[i].name = qi_strndup(env, spec, rd->overrides[i].len);
            if (!rd->overrides[i].name)
                goto nomem;
            rd->overrides[i].type = type;
            rd->override_count = i + 1;
        }
    }
    *out = rd;
    return QUARRY_OK;
nomem:
    qi_set_error(env->errmsg, "out of memory");
    rc = QUARRY_ENOMEM;
fail:
    quarry_reader_free(rd);
    return rc;
}

static void file_clear(quarry_reader *rd, qi_file *f)
{
    quarry_env *env = rd->env;
    size_t i;
    if (f->path)
        qi_free(env, f->path, f->path_len + 1);
    qi_buf_free(env, &f->data);
    for (i = 0; i < 2 * f->name_count; i++)
        if (f->name_fields[i])
            qi_free(env, f->name_fields[i], strlen(f->name_fields[i]) + 1);
    if (f->name_fields)
        qi_free(env, f->name_fields, 2 * f->name_count * sizeof(char *));
    qi_csv_free(env, f);
    memset(f, 0, sizeof *f);
}

void quarry_reader_free(quarry_reader *rd)
{
    quarry_env *env;
    size_t i;
    if (!rd)
        return;
    env = rd->env;
    for (i = rd->ev_head; i < rd->ev_len; i++)
        event_clear(env, &rd->events[i]);
    qi_free(env, rd->events, rd->ev_cap * sizeof *rd->events);
    event_clear(env, &rd->current);
    file_clear(rd, &rd->file);
    qi_items_free(env, &rd->items);
    qi_items_free(env, &rd->walk_items);
    qi_walk_free(rd->walk);
    for (i = 0; i < rd->override_count; i++)
        qi_free(env, rd->overrides[i].name, rd->overrides[i].len + 1);
    if (rd->overrides)
        qi_free(env, rd->overrides,
                (rd->override_count ? rd->override_count : 1) *
                    sizeof *rd->overrides);
    if (rd->spans)
        qi_free(env, rd->spans, rd->pattern.count * sizeof *rd->spans);
    qi_name_pattern_free(env, &rd->pattern);
    if (rd->pattern_text)
        qi_free(env, rd->pattern_text, strlen(rd->pattern_text) + 1);
    if (rd->text_field)
        qi_free(env, rd->text_field, rd->text_field_len + 1);
    qi_free(env, rd, sizeof *rd);
}

const char *quarry_reader_errmsg(const quarry_reader *rd)
{
    return rd ? rd->errmsg : "";
}

/* ---- sources ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Extension of path without the dot ("" if none; a leading dot of the base
 * name does not start an extension). */
static const char *extension(const char *path)
{
    const char *base = base_name(path);
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

static bool ext_is(const char *ext, const char *want)
{
    size_t i;
    for (i = 0; ext[i] && want[i]; i++) {
        char c = ext[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != want[i])
            return false;
    }
    return ext[i] == want[i];
}

static int format_from_ext(const char *path)
{
    const char *ext = extension(path);
    if (ext_is(ext, "md") || ext_is(ext, "markdown"))
        return QI_FMT_MARKDOWN;
    if (ext_is(ext, "json"))
        return QI_FMT_JSON;
    if (ext_is(ext, "jsonl") || ext_is(ext, "ndjson"))
        return QI_FMT_JSONL;
    if (ext_is(ext, "csv") || ext_is(ext, "tsv"))
        return QI_FMT_CSV;
    return QI_FMT_TEXT;
}

/* Extensions that can have a sidecar x.json. */
static bool sidecar_capable(const char *path)
{
    const char *ext = extension(path);
    return ext_is(ext, "txt") || ext_is(ext, "md") || ext_is(ext, "markdown");
}

/* path with its extension replaced by ext (ext includes the dot). */
static char *swap_ext(quarry_env *env, const char *path, const char *ext,
                      size_t *len)
{
    const char *e = extension(path);
    size_t stem = e[0] ? (size_t)(e - path) - 1 : strlen(path);
    size_t el = strlen(ext);
    char *p = qi_alloc(env, stem + el + 1);
    if (!p)
        return NULL;
    memcpy(p, path, stem);
    memcpy(p + stem, ext, el + 1);
    *len = stem + el;
    return p;
}

static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* For x.json: true if x.txt, x.md or x.markdown exists, making it a sidecar.
 * Returns -1 on allocation failure. */
static int json_is_sidecar(quarry_env *env, const char *path)
{
    static const char *const exts[] = {".txt", ".md", ".markdown"};
    size_t i;
    for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t len;
        char *p = swap_ext(env, path, exts[i], &len);
        bool found;
        if (!p)
            return -1;
        found = is_regular(p);
        qi_free(env, p, len + 1);
        if (found)
            return 1;
    }
    return 0;
}

static bool is_appledouble(const char *path)
{
    const char *r = qi_skip_reason(base_name(path), 1);
    return r && strcmp(r, "appledouble") == 0;
}

int quarry_reader_add(quarry_reader *rd, const char *spec)
{
    quarry_env *env;
    struct stat st;
    int rc = QUARRY_OK;
    if (!rd)
        return QUARRY_EINVAL;
    env = rd->env;
    if (!spec || !spec[0]) {
        qi_set_error(rd->errmsg, "empty source");
        return QUARRY_EINVAL;
    }
    if (strcmp(spec, "-") == 0) {
        if (!qi_items_push(env, &rd->items, QI_ITEM_STDIN, "-", NULL, 0, NULL))
            goto nomem;
        return QUARRY_OK;
    }
    if (stat(spec, &st) == 0) {
        if (S_ISDIR(st.st_mode)) /* walked when reached, see next */
            rc =
                qi_items_push(env, &rd->items, QI_ITEM_DIR, spec, NULL, 0, NULL)
                    ? QUARRY_OK
                    : QUARRY_ENOMEM;
        else if (is_appledouble(spec)) /* even when named explicitly */
            rc = qi_items_push(env, &rd->items, QI_ITEM_SKIP, spec,
                               "appledouble", 0, NULL)
                     ? QUARRY_OK
                     : QUARRY_ENOMEM;
        else
            rc = qi_items_push(env, &rd->items, QI_ITEM_FILE, spec, NULL, 0,
                               NULL)
                     ? QUARRY_OK
                     : QUARRY_ENOMEM;
        if (rc == QUARRY_ENOMEM)
            goto nomem;
        return rc;
    }
    if (errno != ENOENT && errno != ENOTDIR) {
        char msg[QI_ERRMSG_SIZE];
        qi_set_error(msg, "%s: %s", spec, strerror(errno));
        if (!qi_items_push(env, &rd->items, QI_ITEM_ERROR, spec, "io",
                           QUARRY_EIO, msg))
            goto nomem;
        return QUARRY_OK;
    }
    if (qi_is_glob(spec)) {
        size_t matched = 0;
        rc = qi_walk_glob(env, spec, rd->include_hidden, &rd->items, &matched);
        if (rc == QUARRY_ENOMEM)
            goto nomem;
        if (matched == 0) {
            qi_set_error(rd->errmsg, "%s: no file matches", spec);
            return QUARRY_ENOENT;
        }
        return QUARRY_OK;
    }
    qi_set_error(rd->errmsg, "%s: no such file or directory", spec);
    return QUARRY_ENOENT;
nomem:
    qi_set_error(rd->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

/* ---- reading bytes ---- */

/* Reads fd to the end into b (which may hold a size hint in cap). */
static int read_all(quarry_env *env, int fd, size_t hint, qi_buf *b)
{
    if (hint && !b->data) {
        /* exactly the file's size (+ NUL): no doubling slack on big files */
        b->data = qi_alloc(env, hint + 1);
        if (!b->data)
            return ENOMEM;
        b->cap = hint + 1;
    } else if (!qi_buf_reserve(env, b, hint ? hint : 65536)) {
        return ENOMEM;
    }
    for (;;) {
        ssize_t n;
        if (b->cap - b->len < 2 &&
            !qi_buf_reserve(env, b, b->cap < 65536 ? 65536 : b->cap))
            return ENOMEM;
        n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
    }
    b->data[b->len] = '\0';
    return 0;
}

int qi_read_path(quarry_env *env, const char *path, qi_buf *b)
{
    struct stat st;
    int fd, err;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    if (fstat(fd, &st) != 0) {
        err = errno;
        close(fd);
        return err;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return EISDIR;
    }
    /* one byte more than the size: the read that sees EOF needs room */
    err = read_all(env, fd, st.st_size > 0 ? (size_t)st.st_size + 1 : 0, b);
    close(fd);
    return err;
}

void qi_line_col(const char *s, size_t off, uint64_t *line, uint64_t *col)
{
    uint64_t l = 1;
    size_t i, start = 0;
    for (i = 0; i < off; i++)
        if (s[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = (uint64_t)(off - start) + 1;
}

/* ---- documents ---- */

const char *qi_json_text_key(const quarry_reader *rd, json_t *obj)
{
    static const char *const defaults[] = {"text", "content", "body"};
    size_t i;
    if (rd->text_field)
        return json_object_get(obj, rd->text_field) ? rd->text_field : NULL;
    for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (json_object_get(obj, defaults[i]))
            return defaults[i];
    return NULL;
}

quarry_doc *qi_file_new_doc(quarry_reader *rd, qi_file *f, uint64_t record)
{
    quarry_doc *doc = qi_doc_new(rd->env, f->path, record, f->fmt);
    size_t i;
    if (!doc)
        return NULL;
    doc->encoding = f->encoding ? f->encoding : "utf-8";
    for (i = 0; i < f->name_count; i++) {
        const char *n = f->name_fields[2 * i], *v = f->name_fields[2 * i + 1];
        if (!qi_doc_set_field(doc, n, strlen(n), v, strlen(v), 0, NULL, true)) {
            quarry_doc_free(doc);
            return NULL;
        }
    }
    return doc;
}

static const qi_override *find_override(const quarry_reader *rd,
                                        const char *name)
{
    size_t i, len = strlen(name);
    /* the last override of a name wins, like a later command-line flag */
    for (i = rd->override_count; i-- > 0;)
        if (rd->overrides[i].len == len &&
            memcmp(rd->overrides[i].name, name, len) == 0)
            return &rd->overrides[i];
    return NULL;
}

int qi_reader_finish_doc(quarry_reader *rd, quarry_doc *doc)
{
    qi_event e;
    size_t i;
    int rc;
    for (i = 0; i < doc->nfields; i++) {
        quarry_field *f = &doc->fields[i];
        const qi_override *ov = find_override(rd, f->name);
        if (ov && ov->type) {
            if (!qi_field_convert(f, ov->type)) {
                /* keep the value, as a string, and say so */
                qi_field_convert(f, QUARRY_FIELD_STRING);
                rc = qi_emit(rd, QUARRY_EVENT_WARNING, doc->source, "field", 0,
                             doc->record, 0, 0,
                             "%s: field \"%s\": value \"%.200s\" is not %s %s; "
                             "kept as a string",
                             doc->source, f->name, f->text,
                             ov->type == QUARRY_FIELD_INTEGER ? "an" : "a",
                             qi_field_type_name(ov->type));
                if (rc != QUARRY_OK) {
                    quarry_doc_free(doc);
                    return rc;
                }
            }
        } else if (ov || f->type == 0) {
            qi_field_convert(f, quarry_infer_type(f->text, f->text_len));
        }
    }
    if (doc->replaced) {
        rc = qi_emit(rd, QUARRY_EVENT_WARNING, doc->source, "replaced", 0,
                     doc->record, 0, 0,
                     "%s: %" PRIu64 " invalid UTF-8 sequence%s replaced by "
                     "U+FFFD",
                     doc->source, doc->replaced, doc->replaced == 1 ? "" : "s");
        if (rc != QUARRY_OK) {
            quarry_doc_free(doc);
            return rc;
        }
    }
    memset(&e, 0, sizeof e);
    e.kind = QUARRY_EVENT_DOCUMENT;
    e.record = doc->record;
    e.path = qi_strndup(rd->env, doc->source, doc->source_len);
    e.doc = doc;
    if (!e.path) {
        quarry_doc_free(doc);
        qi_set_error(rd->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    return push_event(rd, &e);
}

/* Matches the file name against the name pattern and stores the captured
 * fields in f; a mismatch is a WARNING, the file is still read. */
static int apply_name_pattern(quarry_reader *rd, qi_file *f)
{
    const char *base = base_name(f->path), *ext = extension(f->path);
    size_t len = ext[0] ? (size_t)(ext - base) - 1 : strlen(base);
    size_t i, n = 0;
    if (!rd->has_pattern || strcmp(f->path, "-") == 0)
        return QUARRY_OK;
    if (!qi_name_pattern_match(&rd->pattern, base, len, rd->spans))
        return qi_emit(rd, QUARRY_EVENT_WARNING, f->path, "name-pattern", 0, 0,
                       0, 0, "%s: file name \"%.*s\" does not match \"%s\"",
                       f->path, (int)len, base, rd->pattern_text);
    for (i = 0; i < rd->pattern.count; i++)
        if (rd->pattern.parts[i].kind == QI_NP_FIELD)
            n++;
    if (!n)
        return QUARRY_OK;
    f->name_fields = qi_calloc(rd->env, 2 * n, sizeof(char *));
    if (!f->name_fields)
        goto nomem;
    f->name_count = n; /* entries stay NULL until filled */
    n = 0;
    for (i = 0; i < rd->pattern.count; i++) {
        const qi_name_part *p = &rd->pattern.parts[i];
        char *name, *value;
        if (p->kind != QI_NP_FIELD)
            continue;
        name = qi_strndup(rd->env, p->text, p->len);
        value =
            qi_strndup(rd->env, base + rd->spans[i].start, rd->spans[i].len);
        if (!name || !value) {
            if (name)
                qi_free(rd->env, name, p->len + 1);
            if (value)
                qi_free(rd->env, value, rd->spans[i].len + 1);
            goto nomem;
        }
        f->name_fields[2 * n] = name;
        f->name_fields[2 * n + 1] = value;
        n++;
    }
    return QUARRY_OK;
nomem:
    qi_set_error(rd->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

/* Guesses the format of stdin or a nameless buffer from its content. */
static int sniff_format(const qi_buf *b)
{
    const char *s = b->data, *end = b->data + b->len;
    json_error_t err;
    json_t *v;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    if (s < end && *s == '{') {
        v = json_loadb(b->data, b->len, 0, &err);
        if (v) {
            json_decref(v);
            return QI_FMT_JSON;
        }
        return memchr(s, '\n', (size_t)(end - s)) ? QI_FMT_JSONL : QI_FMT_JSON;
    }
    if (b->len >= 4 && memcmp(b->data, "---", 3) == 0 &&
        (b->data[3] == '\n' || b->data[3] == '\r'))
        return QI_FMT_MARKDOWN;
    return QI_FMT_TEXT;
}

static int oom(quarry_reader *rd)
{
    qi_set_error(rd->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

/* Reads one whole-file document (text, markdown, JSON) from f. */
static int read_single(quarry_reader *rd, qi_file *f, uint64_t replaced)
{
    quarry_doc *doc;
    int rc;
    if (f->fmt == QI_FMT_JSON) {
        f->file_replaced = replaced;
        return qi_read_json(rd, f);
    }
    if (!qi_make_valid(rd->env, &f->data, &replaced))
        return oom(rd);
    doc = qi_file_new_doc(rd, f, 0);
    if (!doc)
        return oom(rd);
    doc->replaced = replaced;
    qi_doc_take_text(doc, &f->data);
    if (f->is_fs && !rd->no_sidecar && sidecar_capable(f->path)) {
        size_t len;
        char *side = swap_ext(rd->env, f->path, ".json", &len);
        if (!side) {
            quarry_doc_free(doc);
            return oom(rd);
        }
        rc = is_regular(side) ? qi_read_sidecar(rd, side, doc) : QUARRY_OK;
        qi_free(rd->env, side, len + 1);
        if (rc != QUARRY_OK) {
            quarry_doc_free(doc);
            return rc;
        }
    }
    /* after the sidecar: front matter wins over it */
    if (f->fmt == QI_FMT_MARKDOWN) {
        rc = qi_read_markdown(rd, f, doc);
        if (rc != QUARRY_OK) {
            quarry_doc_free(doc);
            return rc == QUARRY_ENOMEM ? oom(rd) : QUARRY_OK;
        }
    }
    return qi_reader_finish_doc(rd, doc);
}

/* Reads a file, stdin or buffer item. */
static int read_item(quarry_reader *rd, qi_item *it)
{
    qi_file *f = &rd->file;
    uint64_t replaced = 0;
    int err, rc;
    file_clear(rd, f);
    f->path_len = strlen(it->path);
    f->path = it->path; /* taken over from the item */
    it->path = NULL;
    f->is_fs = it->kind == QI_ITEM_FILE;
    f->fmt = rd->format;
    if (f->fmt == QI_FMT_AUTO && it->kind != QI_ITEM_STDIN &&
        strcmp(f->path, "-") != 0)
        f->fmt = format_from_ext(f->path);
    if (f->is_fs && f->fmt == QI_FMT_JSON && rd->format == QI_FMT_AUTO &&
        !rd->no_sidecar) {
        int side = json_is_sidecar(rd->env, f->path);
        if (side < 0)
            return oom(rd);
        if (side)
            return qi_emit(rd, QUARRY_EVENT_SKIPPED, f->path, "sidecar", 0, 0,
                           0, 0,
                           "%s: sidecar metadata of a text file, merged "
                           "into its document",
                           f->path);
    }
    if (it->kind == QI_ITEM_FILE)
        err = qi_read_path(rd->env, f->path, &f->data);
    else if (it->kind == QI_ITEM_STDIN)
        err = read_all(rd->env, 0, 0, &f->data);
    else
        err = qi_buf_append(rd->env, &f->data, it->data, it->len) &&
                      qi_buf_terminate(rd->env, &f->data)
                  ? 0
                  : ENOMEM;
    if (err == ENOMEM)
        return oom(rd);
    if (err)
        return qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "io",
                       err == ENOENT ? QUARRY_ENOENT : QUARRY_EIO, 0, 0, 0,
                       "%s: cannot read: %s", f->path, strerror(err));
    if (f->data.len == 0)
        return qi_emit(rd, QUARRY_EVENT_SKIPPED, f->path, "empty", 0, 0, 0, 0,
                       "%s: empty file", f->path);
    if (qi_sniff_binary((const unsigned char *)f->data.data, f->data.len))
        return qi_emit(rd, QUARRY_EVENT_SKIPPED, f->path, "binary", 0, 0, 0, 0,
                       "%s: binary file (NUL or control bytes, or a binary "
                       "format's signature)",
                       f->path);
    if (!qi_decode_bom(rd->env, &f->data, &f->encoding, &replaced))
        return oom(rd);
    if (f->fmt == QI_FMT_AUTO)
        f->fmt = sniff_format(&f->data);
    rc = apply_name_pattern(rd, f);
    if (rc != QUARRY_OK)
        return rc;
    if (f->fmt == QI_FMT_JSONL || f->fmt == QI_FMT_CSV) {
        if (replaced) {
            rc = qi_emit(rd, QUARRY_EVENT_WARNING, f->path, "replaced", 0, 0, 0,
                         0,
                         "%s: %" PRIu64 " unpaired UTF-16 surrogate%s "
                         "replaced by U+FFFD",
                         f->path, replaced, replaced == 1 ? "" : "s");
            if (rc != QUARRY_OK)
                return rc;
        }
        f->active = 1;
        f->line = 1;
        f->pos = 0;
        if (f->fmt == QI_FMT_CSV) {
            const char *ext = extension(f->path);
            f->delim = rd->csv_delimiter    ? rd->csv_delimiter
                       : ext_is(ext, "tsv") ? '\t'
                                            : ',';
            rc = qi_read_csv_begin(rd, f);
        }
        return rc;
    }
    return read_single(rd, f, replaced);
}

/* Reads at most the first 8 KiB of a regular file to sniff it. */
static bool hidden_file_is_binary(const char *path)
{
    unsigned char head[8192];
    struct stat st;
    ssize_t n;
    int fd;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    n = read(fd, head, sizeof head);
    close(fd);
    return n > 0 && qi_sniff_binary(head, (size_t)n);
}

static int process_item(quarry_reader *rd, qi_item *it)
{
    switch (it->kind) {
    case QI_ITEM_SKIP: {
        const char *what;
        /* A hidden file that is binary (a Finder .DS_Store renamed .txt, say)
         * is reported as binary: that is what the user needs to know. */
        if (strcmp(it->reason, "hidden") == 0 && !it->message &&
            hidden_file_is_binary(it->path))
            return qi_emit(rd, QUARRY_EVENT_SKIPPED, it->path, "binary", 0, 0,
                           0, 0, "%s: binary file (hidden)", it->path);
        what = strcmp(it->reason, "appledouble") == 0
                   ? "macOS AppleDouble metadata file"
               : strcmp(it->reason, "hidden") == 0 ? "hidden file or directory"
                                                   : NULL;
        if (it->message || !what)
            return qi_emit(rd, QUARRY_EVENT_SKIPPED, it->path, it->reason, 0, 0,
                           0, 0, "%s: %s", it->path,
                           it->message ? it->message : it->reason);
        return qi_emit(rd, QUARRY_EVENT_SKIPPED, it->path, it->reason, 0, 0, 0,
                       0, "%s: %s", it->path, what);
    }
    case QI_ITEM_ERROR:
        return qi_emit(rd, QUARRY_EVENT_ERROR, it->path, it->reason, it->status,
                       0, 0, 0, "%s", it->message ? it->message : it->path);
    default: return read_item(rd, it);
    }
}

int quarry_reader_next(quarry_reader *rd, quarry_read_event *ev)
{
    int rc;
    if (!rd || !ev)
        return QUARRY_EINVAL;
    /* the strings of the previous event die now; its doc went to the
     * caller */
    rd->current.doc = NULL;
    event_clear(rd->env, &rd->current);
    for (;;) {
        if (rd->ev_head < rd->ev_len) {
            qi_event *e = &rd->events[rd->ev_head++];
            rd->current = *e;
            memset(e, 0, sizeof *e);
            memset(ev, 0, sizeof *ev);
            ev->kind = rd->current.kind;
            ev->doc = rd->current.doc;
            ev->path = rd->current.path;
            ev->reason = rd->current.reason;
            ev->message = rd->current.message ? rd->current.message : "";
            ev->record = rd->current.record;
            ev->line = rd->current.line;
            ev->column = rd->current.column;
            ev->status = rd->current.status;
            /* the caller owns the document from here on */
            rd->current.doc = NULL;
            return QUARRY_OK;
        }
        rd->ev_head = rd->ev_len = 0;
        if (rd->file.active) {
            rc = rd->file.fmt == QI_FMT_CSV ? qi_read_csv_next(rd, &rd->file)
                                            : qi_read_jsonl_next(rd, &rd->file);
            if (rc < 0)
                return rc;
            if (!rd->file.active)
                file_clear(rd, &rd->file);
            continue;
        }
        if (rd->walk && rd->walk_items.head == rd->walk_items.len) {
            bool done = false;
            rc = qi_walk_step(rd->walk, &rd->walk_items, &done);
            if (rc < 0) {
                qi_set_error(rd->errmsg, "out of memory");
                return rc;
            }
            if (done) {
                qi_walk_free(rd->walk);
                rd->walk = NULL;
            }
        }
        if (rd->walk_items.head < rd->walk_items.len ||
            rd->items.head < rd->items.len) {
            /* what a walk found comes before the sources added after it */
            qi_items *q = rd->walk_items.head < rd->walk_items.len
                              ? &rd->walk_items
                              : &rd->items;
            qi_item it = q->v[q->head];
            memset(&q->v[q->head], 0, sizeof it);
            q->head++;
            if (q->head == q->len)
                q->head = q->len = 0;
            if (it.kind == QI_ITEM_DIR) {
                rc = qi_walk_open(rd->env, it.path, rd->include_hidden,
                                  &rd->walk);
                qi_free(rd->env, it.path, strlen(it.path) + 1);
                if (rc < 0) {
                    qi_set_error(rd->errmsg, "out of memory");
                    return rc;
                }
                continue;
            }
            rc = process_item(rd, &it);
            if (it.path)
                qi_free(rd->env, it.path, strlen(it.path) + 1);
            if (it.message)
                qi_free(rd->env, it.message, strlen(it.message) + 1);
            if (!rd->file.active)
                file_clear(rd, &rd->file);
            if (rc < 0)
                return rc;
            continue;
        }
        return QUARRY_DONE;
    }
}

int quarry_read_buffer(quarry_env *env, const char *name, const char *data,
                       size_t len, const quarry_read_options *opts,
                       quarry_doc **out, quarry_read_event *ev)
{
    quarry_reader *rd;
    quarry_read_event e, warn;
    int rc, result = QUARRY_DONE;
    bool have_warn = false;
    const char *path = name ? name : "-";
    if (out)
        *out = NULL;
    if (ev)
        memset(ev, 0, sizeof *ev);
    if (!env || !out || (!data && len))
        return QUARRY_EINVAL;
    rc = quarry_reader_new(env, opts, &rd);
    if (rc != QUARRY_OK)
        return rc;
    if (!qi_items_push(env, &rd->items, QI_ITEM_BUFFER, path, NULL, 0, NULL)) {
        quarry_reader_free(rd);
        qi_set_error(env->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    rd->items.v[0].data = data ? data : "";
    rd->items.v[0].len = len;
    memset(&warn, 0, sizeof warn);
    for (;;) {
        rc = quarry_reader_next(rd, &e);
        if (rc == QUARRY_DONE) {
            memset(&e, 0, sizeof e);
            e.kind = QUARRY_EVENT_SKIPPED;
            e.reason = "empty";
            qi_set_error(env->errmsg, "%s: no records", path);
            break;
        }
        if (rc < 0) {
            qi_set_error(env->errmsg, "%s", rd->errmsg);
            result = rc;
            memset(&e, 0, sizeof e);
            break;
        }
        if (e.kind == QUARRY_EVENT_WARNING) {
            if (!have_warn) {
                warn = e;
                have_warn = true;
                qi_set_error(env->errmsg, "%s", e.message);
            }
            continue;
        }
        if (e.kind == QUARRY_EVENT_DOCUMENT) {
            *out = e.doc;
            result = QUARRY_OK;
            if (have_warn) {
                warn.doc = e.doc;
                e = warn;
            } else {
                env->errmsg[0] = '\0';
            }
            break;
        }
        qi_set_error(env->errmsg, "%s", e.message);
        result = e.kind == QUARRY_EVENT_ERROR ? e.status : QUARRY_DONE;
        break;
    }
    if (ev && result != QUARRY_ENOMEM) {
        *ev = e;
        ev->path = path;
        ev->message = env->errmsg;
    }
    quarry_reader_free(rd);
    return result;
}
