/* read_csv.c - CSV and TSV (RFC 4180): a header row, then one document per
 * data row.
 *
 * Hand-written rather than Debian's libcsv: libcsv reports rows through
 * callbacks that carry no position, so the line on which a row starts (for
 * events about that record) and the line and column of a parse error would
 * need a second scanner anyway; it also trims spaces and ignores malformed
 * quoting unless put in strict mode, and adds a dependency for ~200 lines.
 *
 * The parser works on raw bytes: its special bytes (delimiter, quote, CR,
 * LF) are ASCII and never occur inside a multi-byte UTF-8 sequence, so each
 * cell is made valid UTF-8 on its own and replacements are counted per row.
 * Rules: fields may be quoted with '"', a doubled quote inside is one quote,
 * quoted fields may hold delimiters and newlines, rows end with LF or CRLF,
 * blank lines are skipped, a quote inside an unquoted field is kept as a
 * literal character. Errors: an unterminated quoted field, and text after a
 * closing quote. Empty cells leave the field absent. Header names are
 * trimmed of surrounding blanks. */
#include "reader_internal.h"

#include <inttypes.h>
#include <string.h>

typedef struct cell {
    size_t start, len; /* in qi_csv.cells */
} cell;

struct qi_csv {
    char **header; /* header_count names, strlen + 1 bytes each */
    size_t header_count;
    size_t text_col;
    qi_buf cells; /* unescaped bytes of the current row */
    cell *v;
    size_t n, cap;
};

void qi_csv_free(quarry_env *env, qi_file *f)
{
    struct qi_csv *c = f->csv;
    size_t i;
    if (!c)
        return;
    for (i = 0; i < c->header_count; i++)
        if (c->header[i]) /* NULL after an allocation failure */
            qi_free(env, c->header[i], strlen(c->header[i]) + 1);
    qi_free(env, c->header,
            (c->header_count ? c->header_count : 1) * sizeof *c->header);
    qi_buf_free(env, &c->cells);
    qi_free(env, c->v, c->cap * sizeof *c->v);
    qi_free(env, c, sizeof *c);
    f->csv = NULL;
}

enum { ROW_OK, ROW_END, ROW_ERROR, ROW_NOMEM };

typedef struct row_error {
    uint64_t line, col;
    const char *what;
    bool fatal; /* the rest of the file cannot be read */
} row_error;

static uint64_t column_of(const char *s, size_t pos)
{
    size_t i = pos;
    while (i > 0 && s[i - 1] != '\n')
        i--;
    return (uint64_t)(pos - i) + 1;
}

static bool push_cell(quarry_env *env, struct qi_csv *c, size_t start)
{
    void *data = c->v;
    if (!qi_array_reserve(env, &data, &c->cap, c->n + 1, sizeof *c->v))
        return false;
    c->v = data;
    c->v[c->n].start = start;
    c->v[c->n].len = c->cells.len - start;
    c->n++;
    return true;
}

/* Skips to the start of the next line (after an error). */
static void resync(qi_file *f)
{
    const char *s = f->data.data;
    const char *nl = memchr(s + f->pos, '\n', f->data.len - f->pos);
    if (nl) {
        f->pos = (size_t)(nl - s) + 1;
        f->line++;
    } else {
        f->pos = f->data.len;
    }
}

/* Parses the row at f->pos into f->csv's cells. Blank lines are skipped;
 * *row_line receives the line the row starts on. */
static int parse_row(quarry_env *env, qi_file *f, uint64_t *row_line,
                     row_error *err)
{
    struct qi_csv *c = f->csv;
    const char *s = f->data.data;
    size_t len = f->data.len;
    char d = f->delim;
    c->n = 0;
    c->cells.len = 0;
    /* blank lines */
    while (f->pos < len &&
           (s[f->pos] == '\n' ||
            (s[f->pos] == '\r' && f->pos + 1 < len && s[f->pos + 1] == '\n'))) {
        f->pos += s[f->pos] == '\r' ? 2 : 1;
        f->line++;
    }
    if (f->pos >= len)
        return ROW_END;
    *row_line = f->line;
    for (;;) {
        size_t start = c->cells.len;
        if (f->pos < len && s[f->pos] == '"') {
            uint64_t qline = f->line, qcol = column_of(s, f->pos);
            f->pos++;
            for (;;) {
                const char *q;
                size_t run;
                if (f->pos >= len) {
                    err->line = qline;
                    err->col = qcol;
                    err->what = "quoted field is never closed";
                    err->fatal = true;
                    return ROW_ERROR;
                }
                /* copy up to the next quote in one go, counting lines */
                q = memchr(s + f->pos, '"', len - f->pos);
                run = q ? (size_t)(q - (s + f->pos)) : len - f->pos;
                {
                    const char *p = s + f->pos, *e = p + run;
                    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
                        f->line++;
                        p++;
                    }
                }
                if (!qi_buf_append(env, &c->cells, s + f->pos, run))
                    return ROW_NOMEM;
                f->pos += run;
                if (!q)
                    continue; /* reports the unclosed quote above */
                if (f->pos + 1 < len && s[f->pos + 1] == '"') {
                    if (!qi_buf_push(env, &c->cells, '"'))
                        return ROW_NOMEM;
                    f->pos += 2;
                    continue;
                }
                f->pos++; /* the closing quote */
                break;
            }
            if (f->pos < len && s[f->pos] != d && s[f->pos] != '\n' &&
                !(s[f->pos] == '\r' &&
                  (f->pos + 1 == len || s[f->pos + 1] == '\n'))) {
                err->line = f->line;
                err->col = column_of(s, f->pos);
                err->what = "unexpected text after a closing quote";
                err->fatal = false;
                resync(f);
                return ROW_ERROR;
            }
        } else {
            size_t e = f->pos;
            while (e < len && s[e] != d && s[e] != '\n')
                e++;
            {
                size_t cell_end = e;
                if (e < len && s[e] == '\n' && cell_end > f->pos &&
                    s[cell_end - 1] == '\r')
                    cell_end--;
                else if (e == len && cell_end > f->pos &&
                         s[cell_end - 1] == '\r')
                    cell_end--;
                if (!qi_buf_append(env, &c->cells, s + f->pos,
                                   cell_end - f->pos))
                    return ROW_NOMEM;
            }
            f->pos = e;
        }
        if (!push_cell(env, c, start))
            return ROW_NOMEM;
        if (f->pos >= len)
            return ROW_OK;
        if (s[f->pos] == d) {
            f->pos++;
            continue;
        }
        if (s[f->pos] == '\r')
            f->pos++;
        if (f->pos < len && s[f->pos] == '\n') {
            f->pos++;
            f->line++;
        }
        return ROW_OK;
    }
}

static int oom(quarry_reader *rd)
{
    qi_set_error(rd->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

static int row_error_event(quarry_reader *rd, qi_file *f, uint64_t record,
                           const row_error *err)
{
    return qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "parse", QUARRY_EPARSE,
                   record, err->line, err->col,
                   "%s:%" PRIu64 ":%" PRIu64 ": %s", f->path, err->line,
                   err->col, err->what);
}

int qi_read_csv_begin(quarry_reader *rd, qi_file *f)
{
    static const char *const defaults[] = {"text", "content", "body"};
    struct qi_csv *c;
    row_error err;
    uint64_t line = 0, replaced = 0;
    size_t i, k;
    int r;
    c = qi_calloc(rd->env, 1, sizeof *c);
    if (!c)
        return oom(rd);
    f->csv = c;
    r = parse_row(rd->env, f, &line, &err);
    if (r == ROW_NOMEM)
        return oom(rd);
    if (r == ROW_END) {
        f->active = 0;
        return qi_emit(rd, QUARRY_EVENT_SKIPPED, f->path, "empty", 0, 0, 0, 0,
                       "%s: empty file (no header row)", f->path);
    }
    if (r == ROW_ERROR) {
        f->active = 0;
        return row_error_event(rd, f, 0, &err);
    }
    c->header = qi_calloc(rd->env, c->n ? c->n : 1, sizeof *c->header);
    if (!c->header)
        return oom(rd);
    c->header_count = c->n;
    for (i = 0; i < c->n; i++) {
        const char *s = c->cells.data + c->v[i].start;
        size_t len = c->v[i].len;
        qi_buf name = {0};
        while (len && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (!qi_utf8_repair(rd->env, s, len, &name, &replaced) ||
            !qi_buf_terminate(rd->env, &name)) {
            qi_buf_free(rd->env, &name);
            return oom(rd);
        }
        c->header[i] = qi_strndup(rd->env, name.data, name.len);
        qi_buf_free(rd->env, &name);
        if (!c->header[i])
            return oom(rd);
    }
    c->text_col = c->header_count;
    for (k = 0; k < 3 && c->text_col == c->header_count; k++) {
        const char *want = rd->text_field ? rd->text_field : defaults[k];
        for (i = 0; i < c->header_count; i++)
            if (strcmp(c->header[i], want) == 0) {
                c->text_col = i;
                break;
            }
        if (rd->text_field)
            break;
    }
    if (replaced) {
        int rc = qi_emit(rd, QUARRY_EVENT_WARNING, f->path, "replaced", 0, 0,
                         line, 0,
                         "%s: header: %" PRIu64 " invalid UTF-8 sequence%s "
                         "replaced by U+FFFD",
                         f->path, replaced, replaced == 1 ? "" : "s");
        if (rc != QUARRY_OK)
            return rc;
    }
    if (c->text_col == c->header_count) {
        char cols[256];
        size_t used = 0;
        cols[0] = '\0';
        for (i = 0; i < c->header_count && used < sizeof cols; i++) {
            int n = snprintf(cols + used, sizeof cols - used, "%s\"%s\"",
                             i ? ", " : "", c->header[i]);
            if (n < 0)
                break;
            used += (size_t)n;
        }
        f->active = 0;
        if (rd->text_field)
            return qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "field",
                           QUARRY_EPARSE, 0, line, 0,
                           "%s: no text column \"%s\"; columns: %s", f->path,
                           rd->text_field, cols);
        return qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "field", QUARRY_EPARSE,
                       0, line, 0,
                       "%s: no text column (\"text\", \"content\" or "
                       "\"body\"); columns: %s",
                       f->path, cols);
    }
    return QUARRY_OK;
}

int qi_read_csv_next(quarry_reader *rd, qi_file *f)
{
    struct qi_csv *c = f->csv;
    row_error err;
    uint64_t line = 0, record;
    quarry_doc *doc;
    qi_buf text = {0}, val = {0};
    size_t i;
    int r, rc = QUARRY_OK;
    r = parse_row(rd->env, f, &line, &err);
    if (r == ROW_NOMEM)
        return oom(rd);
    if (r == ROW_END) {
        f->active = 0;
        return QUARRY_OK;
    }
    record = ++f->record;
    if (r == ROW_ERROR) {
        /* an unclosed quote swallows the rest of the file */
        if (err.fatal)
            f->active = 0;
        return row_error_event(rd, f, record, &err);
    }
    if (c->n <= c->text_col)
        return qi_emit(rd, QUARRY_EVENT_ERROR, f->path, "field", QUARRY_EPARSE,
                       record, line, 0,
                       "%s:%" PRIu64 ": record %" PRIu64 " has %zu cell%s; "
                       "the text column \"%s\" is column %zu",
                       f->path, line, record, c->n, c->n == 1 ? "" : "s",
                       c->header[c->text_col], c->text_col + 1);
    doc = qi_file_new_doc(rd, f, record);
    if (!doc)
        return oom(rd);
    for (i = 0; i < c->n && rc == QUARRY_OK; i++) {
        const char *s = c->cells.data + c->v[i].start;
        size_t len = c->v[i].len;
        if (i == c->text_col) {
            if (!qi_utf8_repair(rd->env, s, len, &text, &doc->replaced) ||
                !qi_buf_terminate(rd->env, &text))
                rc = QUARRY_ENOMEM;
            else
                qi_doc_take_text(doc, &text);
            continue;
        }
        if (i >= c->header_count) {
            rc = qi_emit(rd, QUARRY_EVENT_WARNING, f->path, "parse", 0, record,
                         line, 0,
                         "%s:%" PRIu64 ": record %" PRIu64 " has %zu cells, "
                         "the header %zu; extra cells ignored",
                         f->path, line, record, c->n, c->header_count);
            break;
        }
        if (len == 0 || !c->header[i][0])
            continue;
        val.len = 0;
        if (!qi_utf8_repair(rd->env, s, len, &val, &doc->replaced) ||
            !qi_doc_set_field(doc, c->header[i], strlen(c->header[i]), val.data,
                              val.len, 0, NULL, true))
            rc = QUARRY_ENOMEM;
    }
    qi_buf_free(rd->env, &text);
    qi_buf_free(rd->env, &val);
    if (rc != QUARRY_OK) {
        quarry_doc_free(doc);
        return rc == QUARRY_ENOMEM ? oom(rd) : rc;
    }
    return qi_reader_finish_doc(rd, doc);
}
