/*
 * reader_internal.h - declarations shared by the ingestion units (reader.c,
 * source_walk.c, document.c, field.c, name_pattern.c, encoding.c and the
 * per-format readers). Not installed.
 */
#ifndef QUARRY_READER_INTERNAL_H
#define QUARRY_READER_INTERNAL_H

#include "internal.h"

#include <jansson.h>

/* Formats. QI_FMT_AUTO only ever appears in options. */
enum {
    QI_FMT_AUTO = 0,
    QI_FMT_TEXT,
    QI_FMT_MARKDOWN,
    QI_FMT_JSON,
    QI_FMT_JSONL,
    QI_FMT_CSV
};

/* Static name of a format ("text", ...). */
const char *qi_format_name(int fmt);

/* ---- documents (document.c) ---- */

struct quarry_doc {
    quarry_env *env;
    char *source; /* NUL-terminated, source_len + 1 bytes allocated */
    size_t source_len;
    uint64_t record;
    const char *format;   /* static */
    const char *encoding; /* static */
    char *text;           /* NUL-terminated at text_len; text_cap allocated */
    size_t text_len, text_cap;
    /* While a document is being built, fields[i].type == 0 means "infer
     * from the text"; readers set a fixed type only for values whose type
     * the source states (JSON numbers, booleans). qi_reader_finish_doc
     * resolves every field before the caller sees the document. */
    quarry_field *fields;
    size_t nfields, fields_cap;
    uint64_t replaced;
};

/* Creates an empty document (text ""); NULL on allocation failure. */
quarry_doc *qi_doc_new(quarry_env *env, const char *source, uint64_t record,
                       int fmt);
/* Hands a buffer to doc as its text: b->data must hold a NUL at b->len.
 * b is left empty (zeroed). */
void qi_doc_take_text(quarry_doc *doc, qi_buf *b);
/* Copies len bytes as the text; false on allocation failure. */
bool qi_doc_set_text(quarry_doc *doc, const char *s, size_t len);
/* Sets field name to the value text (both copied). An existing field of that
 * name keeps its position and gets the new value if replace, else it is left
 * alone. type: 0 to infer later, or a fixed quarry_field_type whose value
 * (integer/number) is taken from *value. Returns false on allocation
 * failure. */
bool qi_doc_set_field(quarry_doc *doc, const char *name, size_t name_len,
                      const char *text, size_t len, int type,
                      const quarry_field *value, bool replace);

/* ---- field types (field.c) ---- */

/* Converts f->text to type (a quarry_field_type) and fills f->value and
 * f->type. Returns false (f untouched) if the text does not convert. */
bool qi_field_convert(quarry_field *f, int type);
/* Type name ("string", "integer", "number", "date", "auto") to a
 * quarry_field_type, 0 for auto, -1 if unknown. */
int qi_field_type_from_name(const char *s, size_t len);
const char *qi_field_type_name(int type);

/* ---- file-name patterns (name_pattern.c) ---- */

enum { QI_NP_LITERAL = 1, QI_NP_FIELD = 2, QI_NP_IGNORE = 3 };

typedef struct qi_name_part {
    int kind;
    char *text; /* literal text or field name; len + 1 bytes allocated */
    size_t len;
} qi_name_part;

typedef struct qi_name_pattern {
    qi_name_part *parts;
    size_t count, cap;
} qi_name_pattern;

/* A matched part: [start, start + len) of the name. */
typedef struct qi_name_span {
    size_t start, len;
} qi_name_span;

/* Parses pattern into *out (zero-initialized). Returns QUARRY_OK,
 * QUARRY_EINVAL (message in err, QI_ERRMSG_SIZE bytes) or QUARRY_ENOMEM. */
int qi_name_pattern_parse(quarry_env *env, const char *pattern,
                          qi_name_pattern *out, char *err);
void qi_name_pattern_free(quarry_env *env, qi_name_pattern *p);
/* Matches name[0, len); spans has p->count entries. Returns true on a match. */
bool qi_name_pattern_match(const qi_name_pattern *p, const char *name,
                           size_t len, qi_name_span *spans);

/* ---- encodings (encoding.c) ---- */

/* True if the first bytes of s look like a binary file (NUL bytes, many
 * control bytes, or a known binary magic number). UTF-16 with a BOM is
 * never binary. */
bool qi_sniff_binary(const unsigned char *s, size_t len);
/* Strips a UTF-8 BOM or converts UTF-16LE/BE with a BOM to UTF-8, in place
 * in b (b->data may be replaced). *encoding receives the static name.
 * Unpaired surrogates become U+FFFD and are counted in *replaced. The
 * result is NUL-terminated but not yet checked as UTF-8. */
bool qi_decode_bom(quarry_env *env, qi_buf *b, const char **encoding,
                   uint64_t *replaced);
/* Makes b valid UTF-8 (qi_utf8_repair), counting replacements; no copy when
 * it is valid already. The result is NUL-terminated. */
bool qi_make_valid(quarry_env *env, qi_buf *b, uint64_t *replaced);

/* ---- sources (source_walk.c) ---- */

/* One entry of the reader's work list. */
enum {
    QI_ITEM_FILE = 1, /* read path */
    QI_ITEM_STDIN,    /* read standard input */
    QI_ITEM_BUFFER,   /* read data/len (quarry_read_buffer) */
    QI_ITEM_SKIP,     /* report a SKIPPED event (reason) */
    QI_ITEM_ERROR,    /* report an ERROR event (reason, status, message) */
    QI_ITEM_DIR       /* walk the directory path */
};

typedef struct qi_item {
    int kind;
    char *path; /* owned; strlen + 1 bytes */
    const char *reason;
    char *message; /* owned or NULL */
    int status;
    const char *data; /* QI_ITEM_BUFFER: borrowed for the call */
    size_t len;
} qi_item;

typedef struct qi_items {
    qi_item *v;
    size_t len, cap, head;
} qi_items;

/* Appends an item (path and message copied). false on allocation failure. */
bool qi_items_push(quarry_env *env, qi_items *items, int kind, const char *path,
                   const char *reason, int status, const char *message);
void qi_items_free(quarry_env *env, qi_items *items);

/* Skip reason for a file or directory name (basename), or NULL to read it:
 * "appledouble" for "._*", "hidden" for other dot-names (unless
 * include_hidden). "." and ".." are never hidden. */
const char *qi_skip_reason(const char *base, int include_hidden);

/* A directory walk (recursive, name order), run a step at a time.
 * Iterative: deep trees use heap memory, not stack. */
typedef struct qi_walk qi_walk;
/* Starts a walk of dir (copied); nothing is read yet. QUARRY_OK or
 * QUARRY_ENOMEM. *out is freed with qi_walk_free. */
int qi_walk_open(quarry_env *env, const char *dir, int include_hidden,
                 qi_walk **out);
/* Adds the next item(s) the walk finds to items (at least one unless the
 * walk ends); unreadable directories become ERROR items. *done is set when
 * nothing is left. Returns QUARRY_OK or QUARRY_ENOMEM. */
int qi_walk_step(qi_walk *wk, qi_items *items, bool *done);
void qi_walk_free(qi_walk *wk);
/* Expands a glob (`*`, `?`, `[...]`, `**`) into items; *matched receives the
 * number of items added. Returns QUARRY_OK or QUARRY_ENOMEM. */
int qi_walk_glob(quarry_env *env, const char *pattern, int include_hidden,
                 qi_items *items, size_t *matched);
/* True if spec contains glob metacharacters. */
bool qi_is_glob(const char *spec);

/* ---- the reader (reader.c) ---- */

typedef struct qi_override {
    char *name; /* len + 1 bytes */
    size_t len;
    int type; /* quarry_field_type, or 0 for auto */
} qi_override;

/* A queued event; strings owned. */
typedef struct qi_event {
    int kind;
    quarry_doc *doc;
    char *path;
    const char *reason;
    char *message;
    uint64_t record, line, column;
    int status;
} qi_event;

/* A file being read: what the format readers need. */
typedef struct qi_file {
    char *path; /* owned; path_len + 1 bytes */
    size_t path_len;
    int fmt;
    int is_fs; /* 1 if path names a file (sidecars apply) */
    const char *encoding;
    uint64_t file_replaced; /* replacements outside any record (BOM/UTF-16) */
    qi_buf data;            /* decoded bytes (BOM removed) */
    /* name-pattern fields: (name, value) copied into each document */
    char **name_fields; /* 2 * name_count strings */
    size_t name_count;
    /* multi-record state (JSONL, CSV) */
    int active;
    size_t pos;
    uint64_t line;   /* 1-based line at pos */
    uint64_t record; /* records produced so far */
    char delim;
    struct qi_csv *csv; /* CSV state (read_csv.c) */
} qi_file;

struct quarry_reader {
    quarry_env *env;
    char errmsg[QI_ERRMSG_SIZE];
    /* options (copied) */
    int format;
    char *text_field; /* NULL: text, content, body */
    size_t text_field_len;
    qi_name_pattern pattern;
    char *pattern_text; /* the pattern as given, for messages */
    int has_pattern;
    qi_name_span *spans; /* pattern.count entries */
    qi_override *overrides;
    size_t override_count;
    int no_sidecar, include_hidden;
    char csv_delimiter;
    /* work list and event queue */
    qi_items items;
    qi_walk *walk;       /* the directory being walked, or NULL */
    qi_items walk_items; /* what it found, read before it goes on */
    qi_event *events;
    size_t ev_len, ev_cap, ev_head;
    qi_event current; /* strings of the event last returned */
    qi_file file;     /* the file being read (multi-record formats) */
};

/* Queues an event (message formatted, path copied). Returns QUARRY_OK or
 * QUARRY_ENOMEM. */
int qi_emit(quarry_reader *rd, int kind, const char *path, const char *reason,
            int status, uint64_t record, uint64_t line, uint64_t column,
            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 9, 10)))
#endif
    ;
/* A new document for file f (record number given), carrying the file's
 * name-pattern fields. NULL on allocation failure. */
quarry_doc *qi_file_new_doc(quarry_reader *rd, qi_file *f, uint64_t record);
/* Resolves field types (overrides, inference; WARNING "field" events),
 * reports replacements (WARNING "replaced") and queues the document, which
 * the reader then owns. Frees doc on failure. */
int qi_reader_finish_doc(quarry_reader *rd, quarry_doc *doc);
/* The text member name to use in obj: rd->text_field, else the first of
 * "text", "content", "body" present; NULL if none is present. */
const char *qi_json_text_key(const quarry_reader *rd, json_t *obj);

/* ---- format readers ---- */

/* Adds the scalar members of obj as fields of doc (except skip_key):
 * strings are inferred, numbers keep their JSON type, booleans become
 * "true"/"false", null is absent, arrays of scalars are joined with "; ",
 * anything nested is skipped with a WARNING "field". */
int qi_json_add_fields(quarry_reader *rd, quarry_doc *doc, json_t *obj,
                       const char *skip_key, bool replace);
/* Reads f as one JSON object (one document). */
int qi_read_json(quarry_reader *rd, qi_file *f);
/* Produces the next JSONL record's events; sets f->active = 0 at the end. */
int qi_read_jsonl_next(quarry_reader *rd, qi_file *f);
/* Merges the sidecar JSON at json_path into doc (parse errors are events). */
int qi_read_sidecar(quarry_reader *rd, const char *json_path, quarry_doc *doc);
/* Reads f as markdown with optional YAML front matter into doc. Returns
 * QUARRY_OK, QUARRY_EPARSE (an ERROR event was queued; drop doc) or
 * QUARRY_ENOMEM. */
int qi_read_markdown(quarry_reader *rd, qi_file *f, quarry_doc *doc);
/* Starts reading f as CSV/TSV (header row). */
int qi_read_csv_begin(quarry_reader *rd, qi_file *f);
/* Produces the next CSV record's events; sets f->active = 0 at the end. */
int qi_read_csv_next(quarry_reader *rd, qi_file *f);
void qi_csv_free(quarry_env *env, qi_file *f);

/* Line (1-based) and byte column (1-based) of offset off in s. */
void qi_line_col(const char *s, size_t off, uint64_t *line, uint64_t *col);
/* Reads a whole file into b (NUL-terminated). Returns 0 or an errno value
 * (ENOMEM when the allocator fails, EISDIR for a directory). */
int qi_read_path(quarry_env *env, const char *path, qi_buf *b);

#endif
