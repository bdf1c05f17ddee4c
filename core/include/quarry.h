/*
 * quarry.h - the one public header of libquarry, the quarry text-corpus engine.
 *
 * Conventions (they hold for every function below unless its comment says
 * otherwise):
 *
 *  - Every fallible function returns an int status: QUARRY_OK (0),
 *    QUARRY_DONE (1, "no more items") or a negative QUARRY_E* code.
 *  - The message for the last failure is kept on the object the function was
 *    called on (quarry_tokenizer_errmsg, quarry_reader_errmsg, ...). A
 *    constructor that fails leaves its message on the quarry_env it was given.
 *  - Memory: the core never calls malloc directly; every allocation goes
 *    through the allocator of the quarry_env the object was created from.
 *  - Ownership is stated in each doc comment: "borrowed" pointers stay valid
 *    as long as the named owner does and must not be freed; "owned by the
 *    caller" pointers are freed with the matching *_free function.
 *  - Positions: byte offsets and token indexes are 0-based, spans half-open
 *    [start, end). 64-bit throughout.
 *  - Threads: no global mutable state. An object (and the env that carries its
 *    constructor errors) is used by one thread at a time; different objects
 *    may be used from different threads concurrently.
 *  - Text is UTF-8. Input that is not valid UTF-8 is repaired by the readers
 *    (invalid sequences become U+FFFD and are counted) before tokenizing.
 */
#ifndef QUARRY_H
#define QUARRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(QUARRY_BUILDING) && defined(__GNUC__)
#define QUARRY_API __attribute__((visibility("default")))
#else
#define QUARRY_API
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define QUARRY_VERSION_MAJOR 0
#define QUARRY_VERSION_MINOR 1
#define QUARRY_VERSION_PATCH 0
#define QUARRY_VERSION_STRING "0.1.0"
#define QUARRY_VERSION_NUMBER                                                  \
    (QUARRY_VERSION_MAJOR * 1000000 + QUARRY_VERSION_MINOR * 1000 +            \
     QUARRY_VERSION_PATCH)

/** Library version as a static string ("0.1.0"); never freed. */
QUARRY_API const char *quarry_version(void);
/** Library version as QUARRY_VERSION_NUMBER; the Lua binding checks it. */
QUARRY_API int quarry_version_number(void);

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

enum {
    QUARRY_OK = 0,
    QUARRY_DONE = 1,       /* iteration finished; not an error */
    QUARRY_ENOMEM = -1,    /* the allocator returned NULL */
    QUARRY_EINVAL = -2,    /* bad argument or option (usage error) */
    QUARRY_ENOENT = -3,    /* a file or source does not exist */
    QUARRY_EIO = -4,       /* a system call failed */
    QUARRY_EPARSE = -5,    /* malformed input: JSON, YAML, CSV, front matter */
    QUARRY_EENCODING = -6, /* text in an encoding that cannot be read */
    QUARRY_ECORRUPT = -7,  /* an index file fails its checks */
    QUARRY_ESYNTAX = -8,   /* a query or pattern does not parse */
    QUARRY_EVERSION = -9,  /* a file from a newer format version */
    QUARRY_ELIMIT = -10,   /* a size, depth or match limit was reached */
    QUARRY_EUNSUPPORTED = -11, /* a feature this build or input cannot do */
    QUARRY_EBUSY = -12         /* another writer holds the index lock */
};

/**
 * Stable short name of a status code: "OK", "DONE", "ENOMEM", "EINVAL", ...
 * Returns a static string (never NULL; "EUNKNOWN" for unknown codes).
 */
QUARRY_API const char *quarry_status_name(int status);

/* ------------------------------------------------------------------------ */
/* Environment: allocator and constructor errors                            */
/* ------------------------------------------------------------------------ */

/**
 * Allocator with lua_Alloc's shape: nsize == 0 frees ptr and returns NULL;
 * otherwise it returns a block of nsize bytes holding the first
 * min(osize, nsize) bytes of ptr (ptr may be NULL, then osize is meaningless),
 * or NULL on failure, leaving ptr untouched.
 */
typedef void *(*quarry_alloc_fn)(void *ud, void *ptr, size_t osize,
                                 size_t nsize);

typedef struct quarry_env quarry_env;

/**
 * Creates an environment. alloc may be NULL for the C library's allocator;
 * ud is passed to alloc unchanged. On success *out is owned by the caller and
 * freed with quarry_env_free after every object created from it.
 * Returns QUARRY_OK or QUARRY_ENOMEM.
 */
QUARRY_API int quarry_env_new(quarry_alloc_fn alloc, void *ud,
                              quarry_env **out);
/** Frees env (NULL is allowed). Objects created from it must be freed first. */
QUARRY_API void quarry_env_free(quarry_env *env);
/** Message of the last failed constructor on env; borrowed, "" if none. */
QUARRY_API const char *quarry_env_errmsg(const quarry_env *env);

/* ------------------------------------------------------------------------ */
/* Tokenizer                                                                */
/* ------------------------------------------------------------------------ */

/** Token kinds. Every token, punctuation included, has a position. */
typedef enum quarry_token_kind {
    QUARRY_TOKEN_WORD = 1,   /* letters (any script but CJK ideographs/kana) */
    QUARRY_TOKEN_NUMBER = 2, /* digits, with inner separators: 1,000.5 */
    QUARRY_TOKEN_PUNCT = 3,  /* punctuation: . , ; " ( ) 。 、 ... */
    QUARRY_TOKEN_SYMBOL = 4, /* symbols and emoji: $ % + © ... */
    QUARRY_TOKEN_CJK = 5     /* one Han ideograph, kana or bopomofo char */
} quarry_token_kind;

/** Tokenizer option flags (quarry_tokenizer_options.flags). */
enum {
    QUARRY_TOK_CASE_SENSITIVE = 1u << 0,    /* no case folding in norm forms */
    QUARRY_TOK_NO_NFKC = 1u << 1,           /* no NFKC in norm forms */
    QUARRY_TOK_SPLIT_HYPHENS = 1u << 2,     /* "Fellow-Citizens" -> 3 tokens */
    QUARRY_TOK_SPLIT_APOSTROPHES = 1u << 3, /* "don't" -> don ' t */
    QUARRY_TOK_SPLIT_NUMBERS = 1u << 4,     /* "1,000.5" -> 1 , 000 . 5 */
    QUARRY_TOK_NO_CJK_WORDS = 1u << 5       /* skip the CJK word layer */
};

typedef struct quarry_tokenizer_options {
    unsigned flags;     /* QUARRY_TOK_* bits; 0 = the documented defaults */
    const char *locale; /* ICU locale for breaks; NULL = "en" */
    const char
        *cjk_dict; /* friso .ini for Chinese words; NULL = system default */
    const char *lexicon; /* user lexicon file, one word per line; NULL = none */
} quarry_tokenizer_options;

/** One token. Offsets into the tokenized text; norm into the result's arena. */
typedef struct quarry_token {
    uint64_t start;    /* byte offset of the first byte */
    uint64_t end;      /* byte offset one past the last byte */
    uint64_t norm;     /* offset of the normalized form in the norm arena */
    uint32_t norm_len; /* its length in bytes */
    uint8_t kind;      /* quarry_token_kind */
    uint8_t flags;     /* reserved, 0 */
    uint16_t reserved;
} quarry_token;

/** A range of token indexes [first, end): a sentence or a paragraph. */
typedef struct quarry_span {
    uint64_t first;
    uint64_t end;
} quarry_span;

/**
 * A unit of the CJK word layer: the CJK tokens [first, end) form one
 * dictionary word whose normalized form is at norm/norm_len in the arena.
 * Only CJK runs have word-layer units; every other word token is its own word.
 */
typedef struct quarry_word {
    uint64_t first;
    uint64_t end;
    uint64_t norm;
    uint32_t norm_len;
    uint32_t reserved;
} quarry_word;

typedef struct quarry_tokenizer quarry_tokenizer;
typedef struct quarry_tokens quarry_tokens;

/**
 * Creates a tokenizer. opts may be NULL for the defaults (NFKC + case folding;
 * hyphenated compounds, internal apostrophes and numbers with separators kept
 * whole; CJK word layer on). *out is owned by the caller
 * (quarry_tokenizer_free). Errors: QUARRY_ENOMEM; QUARRY_EINVAL (bad locale);
 * QUARRY_ENOENT (cjk_dict or lexicon missing); message on env.
 */
QUARRY_API int quarry_tokenizer_new(quarry_env *env,
                                    const quarry_tokenizer_options *opts,
                                    quarry_tokenizer **out);
/** Frees tok and all it owns (dictionary, ICU objects); NULL is allowed.
 * Token buffers are separate objects and stay valid. */
QUARRY_API void quarry_tokenizer_free(quarry_tokenizer *tok);
/** Message of the last failure on tok; borrowed from tok, "" if none. */
QUARRY_API const char *quarry_tokenizer_errmsg(const quarry_tokenizer *tok);

/**
 * Adds a word to the tokenizer's user lexicon (CJK word layer): word is
 * copied, len bytes of UTF-8. Returns QUARRY_OK, QUARRY_EINVAL (empty or not
 * UTF-8) or QUARRY_ENOMEM.
 */
QUARRY_API int quarry_tokenizer_add_word(quarry_tokenizer *tok,
                                         const char *word, size_t len);

/** Creates an empty, reusable token buffer; owned by the caller. */
QUARRY_API int quarry_tokens_new(quarry_env *env, quarry_tokens **out);
/** Frees toks and its arrays (NULL is allowed); borrowed pointers die. */
QUARRY_API void quarry_tokens_free(quarry_tokens *toks);

/**
 * Tokenizes len bytes of valid UTF-8 text into out, replacing its previous
 * contents. text is only read during the call. Tokens come in text order;
 * whitespace produces no tokens. A line break between two CJK characters is
 * not a boundary of any kind: both characters are adjacent tokens and the
 * word layer sees the run without it. Sentences and paragraphs cover every
 * token exactly once, in order. Returns QUARRY_OK, QUARRY_ENOMEM or
 * QUARRY_EINVAL (text is not valid UTF-8); message on tok. (Also
 * QUARRY_ENOENT if the files of opts->cjk_dict, checked by
 * quarry_tokenizer_new, are gone when the first Chinese text loads them.)
 * On failure out holds no tokens. Behaviour details: docs/tokenizer.md.
 */
QUARRY_API int quarry_tokenize(quarry_tokenizer *tok, const char *text,
                               size_t len, quarry_tokens *out);

/** Result accessors: arrays borrowed from toks, valid until its next use. */
QUARRY_API size_t quarry_tokens_count(const quarry_tokens *toks);
QUARRY_API const quarry_token *quarry_tokens_data(const quarry_tokens *toks);
/** The normalized-form arena (not NUL-terminated between forms). */
QUARRY_API const char *quarry_tokens_arena(const quarry_tokens *toks);
QUARRY_API size_t quarry_tokens_sentence_count(const quarry_tokens *toks);
QUARRY_API const quarry_span *
quarry_tokens_sentences(const quarry_tokens *toks);
QUARRY_API size_t quarry_tokens_paragraph_count(const quarry_tokens *toks);
QUARRY_API const quarry_span *
quarry_tokens_paragraphs(const quarry_tokens *toks);
QUARRY_API size_t quarry_tokens_word_count(const quarry_tokens *toks);
QUARRY_API const quarry_word *quarry_tokens_words(const quarry_tokens *toks);

/** Short name of a token kind: "word", "number", "punct", "symbol", "cjk". */
QUARRY_API const char *quarry_token_kind_name(int kind);

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                    */
/* ------------------------------------------------------------------------ */

/** Returns 1 if len bytes at s are valid UTF-8 (no surrogates, no overlongs).
 */
QUARRY_API int quarry_utf8_valid(const char *s, size_t len);

/* ------------------------------------------------------------------------ */
/* Documents, fields and readers                                            */
/* ------------------------------------------------------------------------ */

typedef enum quarry_field_type {
    QUARRY_FIELD_STRING = 1,
    QUARRY_FIELD_INTEGER = 2,
    QUARRY_FIELD_NUMBER = 3,
    QUARRY_FIELD_DATE = 4
} quarry_field_type;

/** How much of a date is known. */
typedef enum quarry_date_precision {
    QUARRY_DATE_YEAR = 1,   /* "2024" (only when the field is typed date) */
    QUARRY_DATE_MONTH = 2,  /* "2024-04" */
    QUARRY_DATE_DAY = 3,    /* "2024-04-13" */
    QUARRY_DATE_MINUTE = 4, /* "2024-04-13 23:32" / "2024-04-13T23:32" */
    QUARRY_DATE_SECOND = 5  /* "2024-04-13 23:32:15", optional zone */
} quarry_date_precision;

typedef struct quarry_date {
    int32_t year;
    uint8_t month; /* 1-12, 1 when unknown */
    uint8_t day;   /* 1-31, 1 when unknown */
    uint8_t hour, minute, second;
    uint8_t precision;    /* quarry_date_precision */
    uint8_t has_zone;     /* 1 if a zone was given; then zone_minutes is set */
    int16_t zone_minutes; /* offset east of UTC */
} quarry_date;

/** A typed metadata field of a document. */
typedef struct quarry_field {
    const char *name; /* NUL-terminated, borrowed from the document */
    const char *text; /* the value as text, NUL-terminated, borrowed */
    size_t text_len;
    int type; /* quarry_field_type */
    union {
        int64_t integer;
        double number;
        quarry_date date;
    } value;
} quarry_field;

/**
 * Parses a date in the forms listed under quarry_date_precision. Returns
 * QUARRY_OK or QUARRY_EINVAL. A bare "YYYY" is accepted (precision YEAR).
 */
QUARRY_API int quarry_date_parse(const char *s, size_t len, quarry_date *out);

/**
 * Infers the type of a textual value as the readers do: an optional sign and
 * digits (fitting int64) -> INTEGER; a decimal number -> NUMBER; YYYY-MM,
 * YYYY-MM-DD or an ISO 8601 date-time -> DATE; anything else -> STRING.
 * A bare YYYY is INTEGER unless the field is typed date by an override.
 */
QUARRY_API int quarry_infer_type(const char *s, size_t len);

typedef struct quarry_doc quarry_doc;

/** Frees a document (NULL is allowed). */
QUARRY_API void quarry_doc_free(quarry_doc *doc);
/** Source path ("-" for stdin); borrowed from doc, NUL-terminated. */
QUARRY_API const char *quarry_doc_source(const quarry_doc *doc);
/** Record number: 0 for a whole-file document, else 1-based (JSONL line, CSV
 * row). */
QUARRY_API uint64_t quarry_doc_record(const quarry_doc *doc);
/** Format the document was read as: "text", "markdown", "json", "jsonl", "csv".
 */
QUARRY_API const char *quarry_doc_format(const quarry_doc *doc);
/** Text as valid UTF-8 (BOM removed), NUL-terminated; borrowed from doc. */
QUARRY_API const char *quarry_doc_text(const quarry_doc *doc, size_t *len);
QUARRY_API size_t quarry_doc_field_count(const quarry_doc *doc);
/** i-th field (0-based) or NULL; borrowed from doc. */
QUARRY_API const quarry_field *quarry_doc_field(const quarry_doc *doc,
                                                size_t i);
/** Field by name or NULL; borrowed from doc. */
QUARRY_API const quarry_field *quarry_doc_find_field(const quarry_doc *doc,
                                                     const char *name);
/** Number of invalid UTF-8 sequences replaced by U+FFFD in this document. */
QUARRY_API uint64_t quarry_doc_replaced(const quarry_doc *doc);
/** Source encoding: "utf-8", "utf-16le" or "utf-16be". Static string. */
QUARRY_API const char *quarry_doc_encoding(const quarry_doc *doc);

/**
 * Creates a document from parts, for documents that do not come from a
 * reader (an embedding tool's own data): source (NUL-terminated, not empty),
 * record number (0 for a whole-file document), len bytes of UTF-8 text and
 * nfields fields. A field's name and text are used; type 0 infers the type
 * from the text as the readers do (quarry_infer_type); INTEGER, NUMBER and
 * DATE take value.* as given; STRING keeps the text. Everything is copied.
 * The document's format is "text" and its encoding "utf-8". On success *out
 * is owned by the caller (quarry_doc_free, or hand it to quarry_writer_add).
 * Errors (message on env): QUARRY_EINVAL (empty source, text not valid
 * UTF-8, a field without a name, with text that is not UTF-8 or with an
 * unknown type, or a name given twice), QUARRY_ENOMEM.
 * (core/src/document_new.c)
 */
QUARRY_API int quarry_doc_new(quarry_env *env, const char *source,
                              uint64_t record, const char *text, size_t len,
                              const quarry_field *fields, size_t nfields,
                              quarry_doc **out);

/** Reader options; zero-initialize, then set what you need. */
typedef struct quarry_read_options {
    /* "auto" (NULL), "text", "markdown", "json", "jsonl", "csv" */
    const char *format;
    /* JSON/JSONL/CSV text field; NULL tries "text", "content", "body" */
    const char *text_field;
    /* file-name pattern such as "{country}_{session}_{year}", matched
       against the file name without its extension; NULL = none */
    const char *name_pattern;
    /* type overrides "name=type" (type: string, integer, number, date,
       auto); field_type_count entries */
    const char *const *field_types;
    size_t field_type_count;
    int no_sidecar;     /* 1: do not merge x.json into x.txt / x.md */
    int include_hidden; /* 1: read hidden files and directories too */
    char csv_delimiter; /* 0: ',' (or '\t' for .tsv) */
} quarry_read_options;

/** What quarry_reader_next produced. */
typedef enum quarry_event_kind {
    QUARRY_EVENT_DOCUMENT = 1, /* ev.doc holds a document */
    QUARRY_EVENT_SKIPPED = 2,  /* a file was skipped on purpose (ev.reason) */
    QUARRY_EVENT_ERROR = 3,    /* a file (or record) could not be read */
    QUARRY_EVENT_WARNING = 4   /* read, with a problem worth reporting */
} quarry_event_kind;

typedef struct quarry_read_event {
    int kind;         /* quarry_event_kind */
    quarry_doc *doc;  /* DOCUMENT: owned by the caller (quarry_doc_free) */
    const char *path; /* file concerned; borrowed, valid until the next call */
    /* SKIPPED: "hidden", "appledouble", "binary", "empty", "sidecar",
       "unsupported"; ERROR/WARNING: "parse", "encoding", "io", "field",
       "name-pattern", "replaced"; borrowed static string */
    const char *reason;
    const char *message; /* human-readable, borrowed until the next call */
    uint64_t record;     /* record number or 0 */
    uint64_t line;       /* 1-based line in the file, 0 if unknown */
    uint64_t column;     /* 1-based column (bytes), 0 if unknown */
    int status;          /* ERROR: the status code (QUARRY_EPARSE, ...) */
} quarry_read_event;

typedef struct quarry_reader quarry_reader;

/**
 * Creates a reader over sources added with quarry_reader_add. opts may be NULL
 * (everything auto); it is copied. *out is owned by the caller.
 * Errors: QUARRY_ENOMEM, QUARRY_EINVAL (bad format name, bad name pattern,
 * bad type override); message on env.
 */
QUARRY_API int quarry_reader_new(quarry_env *env,
                                 const quarry_read_options *opts,
                                 quarry_reader **out);
QUARRY_API void quarry_reader_free(quarry_reader *rd);
QUARRY_API const char *quarry_reader_errmsg(const quarry_reader *rd);

/**
 * Adds a source: a file, a directory (walked recursively, in name order), a
 * glob ("corpus/NAME*.txt"; "**" crosses directories) or "-" for stdin. spec is
 * copied. Returns QUARRY_OK, QUARRY_ENOENT (nothing exists or matches; the
 * message names spec) or QUARRY_ENOMEM.
 */
QUARRY_API int quarry_reader_add(quarry_reader *rd, const char *spec);

/**
 * Produces the next event. Returns QUARRY_OK with *ev filled, QUARRY_DONE at
 * the end, or a negative code when reading cannot go on (QUARRY_ENOMEM);
 * per-file problems are events, not failures.
 */
QUARRY_API int quarry_reader_next(quarry_reader *rd, quarry_read_event *ev);

/**
 * Reads one document from a buffer, as if it were the file `name` (whose
 * extension picks the format when opts->format is auto). data is only read
 * during the call. For multi-record formats (JSONL, CSV) the first record is
 * returned. On success *out is owned by the caller. On failure ev (may be
 * NULL) describes the problem and the status is returned.
 * Details: name may be NULL or "-" (no file name: the format is then guessed
 * from the content, as for stdin). On success ev->kind is DOCUMENT, or
 * WARNING when reading produced one (ev->reason/message: the first warning,
 * e.g. "replaced"); ev->doc is *out either way. A skipped input (empty,
 * binary, no records) returns QUARRY_DONE with ev->kind SKIPPED and *out
 * NULL. ev->path is name ("-" if NULL); ev->message points into env's
 * message buffer (quarry_env_errmsg) and lives until env's next use.
 */
QUARRY_API int quarry_read_buffer(quarry_env *env, const char *name,
                                  const char *data, size_t len,
                                  const quarry_read_options *opts,
                                  quarry_doc **out, quarry_read_event *ev);

/* ------------------------------------------------------------------------ */
/* Vocabulary: interned terms with counts                                   */
/* ------------------------------------------------------------------------ */

typedef struct quarry_vocab quarry_vocab;

/** Creates an empty vocabulary; owned by the caller. */
QUARRY_API int quarry_vocab_new(quarry_env *env, quarry_vocab **out);
QUARRY_API void quarry_vocab_free(quarry_vocab *v);
/**
 * Interns len bytes at term (copied) and adds count to its frequency.
 * *id (may be NULL) receives its id: ids are dense, in first-seen order.
 */
QUARRY_API int quarry_vocab_add(quarry_vocab *v, const char *term, size_t len,
                                uint64_t count, uint32_t *id);
/** Number of distinct terms. */
QUARRY_API size_t quarry_vocab_size(const quarry_vocab *v);
/** Term text of id (borrowed, NUL-terminated) and its length, or NULL. */
QUARRY_API const char *quarry_vocab_term(const quarry_vocab *v, uint32_t id,
                                         size_t *len);
/** Frequency of id (0 for an unknown id). */
QUARRY_API uint64_t quarry_vocab_count(const quarry_vocab *v, uint32_t id);
/**
 * Writes up to k ids with the highest counts into ids (count descending,
 * then term bytes ascending) and returns how many were written.
 */
QUARRY_API size_t quarry_vocab_top(const quarry_vocab *v, size_t k,
                                   uint32_t *ids);

/* ------------------------------------------------------------------------ */
/* Corpus summary                                                           */
/* ------------------------------------------------------------------------ */

/*
 * A corpus summary accumulates, document by document, what `quarry stats`
 * prints: counts of documents, tokens, word tokens, sentences, paragraphs
 * and replaced characters; the word types (distinct normalized word forms)
 * with their frequencies; and, per metadata field, its unified type, how
 * many documents have it, its range and its number of distinct values.
 *
 * Word tokens are WORD and NUMBER tokens plus the CJK word-layer units
 * (quarry_tokens_words); punctuation and symbols are not words. A CJK run
 * counts by the word layer (or, when the layer is off, one word per CJK
 * token). Word types are keyed by the normalized form (token norm or
 * word-layer norm), so case folding and NFKC follow the tokenizer options.
 */

/** Field type recorded when documents disagree irreconcilably (a date in
 *  one document, a number in another). See quarry_summary_field.type. */
#define QUARRY_FIELD_MIXED 0

/** Distinct values of a field are counted exactly up to this many. */
#define QUARRY_SUMMARY_DISTINCT_CAP 10000

typedef struct quarry_summary quarry_summary;

/** Totals of a summary (quarry_summary_totals). */
typedef struct quarry_summary_totals {
    uint64_t documents;
    uint64_t tokens; /* every token, punctuation included */
    uint64_t words;  /* word tokens as defined above */
    uint64_t types;  /* distinct normalized word forms */
    uint64_t sentences;
    uint64_t paragraphs;
    uint64_t replaced; /* invalid UTF-8 sequences replaced by U+FFFD */
} quarry_summary_totals;

/**
 * What the summary knows of one metadata field. The type is unified across
 * documents: integer + number -> NUMBER; anything + string -> STRING; date +
 * integer/number -> QUARRY_FIELD_MIXED.
 *
 * The range depends on the unified type:
 *  - INTEGER / NUMBER: num_min / num_max, the smallest and largest values
 *    (integers are exact below 2^53);
 *  - DATE: date_min / date_max, the earliest and latest dates (compared
 *    as instants ignoring zones, missing parts as their lowest value);
 *    date_min_text / date_max_text are their texts as read;
 *  - STRING and MIXED: len_min / len_max, the shortest and longest value
 *    in characters (code points).
 * has_range is 0 only when no value was seen (count == 0).
 * distinct counts different value texts exactly up to
 * QUARRY_SUMMARY_DISTINCT_CAP; distinct_capped is 1 once the cap is hit
 * (then distinct == the cap, a lower bound).
 */
typedef struct quarry_summary_field {
    const char *name; /* NUL-terminated, borrowed from the summary */
    int type;         /* quarry_field_type or QUARRY_FIELD_MIXED */
    uint64_t count;   /* documents having the field */
    int has_range;
    double num_min, num_max;
    quarry_date date_min, date_max;
    const char *date_min_text, *date_max_text; /* borrowed; "" if none */
    uint64_t len_min, len_max;
    uint64_t distinct;
    int distinct_capped;
} quarry_summary_field;

/**
 * Creates an empty summary with its own tokenizer made from opts (NULL =
 * defaults) and its own token buffer. *out is owned by the caller
 * (quarry_summary_free). Errors: those of quarry_tokenizer_new, message on
 * env.
 */
QUARRY_API int quarry_summary_new(quarry_env *env,
                                  const quarry_tokenizer_options *opts,
                                  quarry_summary **out);
QUARRY_API void quarry_summary_free(quarry_summary *s);
QUARRY_API const char *quarry_summary_errmsg(const quarry_summary *s);

/**
 * The summary's tokenizer, borrowed (valid until quarry_summary_free): use it
 * to add user lexicon words (quarry_tokenizer_add_word) before adding
 * documents.
 */
QUARRY_API quarry_tokenizer *quarry_summary_tokenizer(quarry_summary *s);

/**
 * Adds a document: tokenizes its text and counts it and its fields. doc is
 * only read during the call. Returns QUARRY_OK or QUARRY_ENOMEM (message on
 * s); after a failure the summary may hold part of the document.
 */
QUARRY_API int quarry_summary_add(quarry_summary *s, const quarry_doc *doc);

/**
 * Adds a document given by parts (for documents that do not come from a
 * reader): len bytes of UTF-8 text, nfields fields (name, text and type
 * are used; value.* for INTEGER, NUMBER and DATE), and its count of
 * replaced characters. Everything is only read during the call. Returns
 * QUARRY_OK, QUARRY_EINVAL (text is not valid UTF-8, or a field has no
 * name or an unknown type) or QUARRY_ENOMEM; message on s.
 */
QUARRY_API int quarry_summary_add_text(quarry_summary *s, const char *text,
                                       size_t len, const quarry_field *fields,
                                       size_t nfields, uint64_t replaced);

/** Fills *out with the totals so far. */
QUARRY_API void quarry_summary_totals_get(const quarry_summary *s,
                                          quarry_summary_totals *out);

/** Number of distinct field names seen, in first-seen order. */
QUARRY_API size_t quarry_summary_field_count(const quarry_summary *s);

/**
 * Fills *out with the i-th field (0-based, first-seen order). Returns
 * QUARRY_OK or QUARRY_EINVAL (i out of range). Strings in *out are borrowed
 * from s and valid until its next add or free.
 */
QUARRY_API int quarry_summary_field_get(const quarry_summary *s, size_t i,
                                        quarry_summary_field *out);

/**
 * The vocabulary of word types (normalized word forms with their counts),
 * borrowed from s: read it with quarry_vocab_size/term/count and rank it
 * with quarry_vocab_top. Valid until the summary's next add or free; do not
 * add to it.
 */
QUARRY_API const quarry_vocab *quarry_summary_vocab(const quarry_summary *s);

/* ------------------------------------------------------------------------ */
/* Index: a read-only snapshot                                              */
/* ------------------------------------------------------------------------ */

/*
 * An index is a directory: immutable segment files plus a manifest naming the
 * live segments and their deletions (docs/format.md). quarry_index is one
 * committed snapshot of it, read through mmap: a writer committing later does
 * not change what an open snapshot sees.
 *
 * Document ids are snapshot-wide: 0 .. quarry_index_doc_limit() - 1, segment
 * after segment in manifest order, deleted documents included (they keep their
 * id but are not live). Term ids are snapshot-wide too: the position of the
 * term in the sorted union of all segments' dictionaries.
 */

#define QUARRY_FORMAT_VERSION 1

/** Parts of an index, for sizes in quarry_index_info. */
typedef enum quarry_index_part {
    QUARRY_PART_TERMS = 0, /* term dictionaries and their block index */
    QUARRY_PART_POSTINGS,  /* documents, counts and positions per term */
    QUARRY_PART_TOKENS,    /* per-document term-id streams */
    QUARRY_PART_OFFSETS,   /* per-document token-to-byte offsets */
    QUARRY_PART_STRUCTURE, /* sentences, paragraphs and the CJK word layer */
    QUARRY_PART_STORE,     /* stored text, zstd-compressed */
    QUARRY_PART_FIELDS,    /* typed field columns */
    QUARRY_PART_DOCS,      /* per-document table: sources, hashes, counts */
    QUARRY_PART_DELETIONS, /* deletion bitmaps */
    QUARRY_PART_MANIFEST,  /* the manifest */
    QUARRY_PART_COUNT
} quarry_index_part;

/** Short name of a part: "terms", "postings", ...; static, "" if unknown. */
QUARRY_API const char *quarry_index_part_name(int part);

typedef struct quarry_index_info {
    uint32_t format_version;
    uint64_t generation; /* commit number of the snapshot */
    uint64_t documents;  /* live documents */
    uint64_t deleted;    /* deleted documents still in segments */
    uint64_t tokens;     /* tokens of live documents */
    uint64_t types;      /* distinct terms in the dictionaries */
    uint64_t segments;
    uint64_t bytes_total; /* size on disk of the snapshot's files */
    uint64_t bytes[QUARRY_PART_COUNT];
} quarry_index_info;

typedef struct quarry_index quarry_index;

/**
 * Opens the snapshot of the index at path that is committed now. Cost:
 * O(segments) (headers, footers and tables of contents are checked; section
 * checksums are left to quarry_index_check). *out is owned by the caller and
 * reference-counted: quarry_index_free drops one reference.
 * Errors (message on env): QUARRY_ENOENT (no index at path), QUARRY_ECORRUPT,
 * QUARRY_EVERSION (written by a newer format), QUARRY_EIO, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_index_open(quarry_env *env, const char *path,
                                 quarry_index **out);
/** Adds a reference; every reference is dropped with quarry_index_free. */
QUARRY_API quarry_index *quarry_index_retain(quarry_index *ix);
/** Drops a reference; the last one unmaps and frees. NULL is allowed. */
QUARRY_API void quarry_index_free(quarry_index *ix);
QUARRY_API const char *quarry_index_errmsg(const quarry_index *ix);

/** Fills *out. Returns QUARRY_OK or an error from reading deletions. */
QUARRY_API int quarry_index_info_get(quarry_index *ix, quarry_index_info *out);

/**
 * Fields of the live documents, with the same meaning as in a corpus summary
 * (type unified, count, range, distinct). Computed on first use (O(documents))
 * and cached. Strings are borrowed from ix.
 */
QUARRY_API size_t quarry_index_field_count(quarry_index *ix);
QUARRY_API int quarry_index_field_get(quarry_index *ix, size_t i,
                                      quarry_summary_field *out);

/**
 * Verifies every checksum and the structure of every file of the snapshot
 * (term order, postings decode and agree with the token streams, ids and
 * offsets in range). Returns QUARRY_OK or QUARRY_ECORRUPT with a message on
 * ix naming the file, the part and what is wrong.
 */
QUARRY_API int quarry_index_check(quarry_index *ix);

/** One past the largest document id of the snapshot. */
QUARRY_API uint64_t quarry_index_doc_limit(const quarry_index *ix);
/** 1 if id is a live document, 0 if deleted or out of range. */
QUARRY_API int quarry_index_doc_live(quarry_index *ix, uint64_t id);

/** What the index keeps of a document besides text and tokens. */
typedef struct quarry_index_doc {
    const char *source;  /* borrowed from ix, valid until ix is freed */
    uint64_t record;     /* as quarry_doc_record */
    uint64_t hash;       /* content hash (text + fields) */
    uint64_t tokens;     /* token count */
    uint64_t text_bytes; /* length of the stored text */
    uint64_t sentences;
    uint64_t paragraphs;
    size_t field_count;
} quarry_index_doc;

/** Fills *out for document id. QUARRY_EINVAL for an id out of range. */
QUARRY_API int quarry_index_doc_get(quarry_index *ix, uint64_t id,
                                    quarry_index_doc *out);
/**
 * The i-th field of document id. Strings in *out are borrowed from ix and
 * valid until ix is freed. Like every call that reads documents, this one
 * uses scratch memory of ix: one thread at a time per quarry_index.
 */
QUARRY_API int quarry_index_doc_field(quarry_index *ix, uint64_t id, size_t i,
                                      quarry_field *out);
/**
 * The stored text of document id (decompressed on demand); *text is borrowed
 * from ix and valid until the next call on ix. Errors: QUARRY_EINVAL,
 * QUARRY_ECORRUPT, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_index_doc_text(quarry_index *ix, uint64_t id,
                                     const char **text, size_t *len);
/**
 * Copies tokens [first, first + n) of document id (clamped to its end) into
 * the caller's arrays (any of them may be NULL): term ids, byte starts and
 * byte ends (half-open). *got receives how many were copied.
 */
QUARRY_API int quarry_index_doc_tokens(quarry_index *ix, uint64_t id,
                                       uint64_t first, size_t n, uint32_t *ids,
                                       uint64_t *starts, uint64_t *ends,
                                       size_t *got);
/**
 * Sentence (kind 0) or paragraph (kind 1) spans of document id, as token
 * ranges, copied from span index first on (at most n); *got as above.
 */
QUARRY_API int quarry_index_doc_spans(quarry_index *ix, uint64_t id, int kind,
                                      uint64_t first, size_t n,
                                      quarry_span *spans, size_t *got);

/** Number of distinct terms (term ids are 0 .. count - 1, sorted by bytes). */
QUARRY_API uint64_t quarry_index_term_count(quarry_index *ix);
/**
 * Looks up a normalized term. Returns QUARRY_OK and fills the non-NULL
 * outputs (id, occurrences in live documents, live documents containing it),
 * QUARRY_DONE when the term is absent, or an error.
 */
QUARRY_API int quarry_index_term_lookup(quarry_index *ix, const char *term,
                                        size_t len, uint32_t *id,
                                        uint64_t *count, uint64_t *docs);
/**
 * Text of term id (borrowed from ix, valid until ix is freed), with its
 * counts as in quarry_index_term_lookup; NULL for an id out of range.
 */
QUARRY_API const char *quarry_index_term_text(quarry_index *ix, uint32_t id,
                                              size_t *len, uint64_t *count,
                                              uint64_t *docs);
/** Smallest term id whose text is >= the given bytes (term_count if none). */
QUARRY_API uint32_t quarry_index_term_seek(quarry_index *ix, const char *text,
                                           size_t len);

/** The tokenizer options the index was built with (borrowed from ix). */
QUARRY_API const quarry_tokenizer_options *
quarry_index_tokenizer_options(const quarry_index *ix);

/* ------------------------------------------------------------------------ */
/* Index writer                                                             */
/* ------------------------------------------------------------------------ */

typedef struct quarry_writer quarry_writer;

typedef struct quarry_writer_options {
    uint64_t memory;  /* budget in bytes before a segment is flushed;
                         0 = QUARRY_DEFAULT_MEMORY */
    unsigned threads; /* tokenizing threads; 0 = online cores. The
                         writer's threads call the env's allocator (and
                         free added documents), so it must be thread-safe
                         (the C library's and Lua's default one are) */
    /* tokenizer options for a new index; for an existing one NULL means
       "as built", and anything else must equal the index's options */
    const quarry_tokenizer_options *tokenizer;
} quarry_writer_options;

#define QUARRY_DEFAULT_MEMORY ((uint64_t)256 << 20)

/** Outcome of quarry_writer_add. */
enum {
    QUARRY_ADDED = 1,    /* new source key */
    QUARRY_REPLACED = 2, /* same key, different content: old one deleted */
    QUARRY_UNCHANGED = 3 /* same key and content hash: nothing to do */
};

typedef struct quarry_commit_stats {
    uint64_t generation; /* of the snapshot just committed */
    uint64_t added, replaced, unchanged, deleted;
    uint64_t documents; /* live documents after the commit */
    uint64_t segments;
} quarry_commit_stats;

/**
 * Opens the index at path for writing, creating the directory and an empty
 * index if needed, and takes its writer lock. Leftovers of an interrupted
 * writer (uncommitted segment files, temporary manifests) are removed.
 * *out is owned by the caller. Errors (message on env): QUARRY_EBUSY (another
 * writer holds the lock; the message names its pid and command), QUARRY_EINVAL
 * (tokenizer options differ from the index's), QUARRY_ECORRUPT,
 * QUARRY_EVERSION, QUARRY_EIO, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_writer_open(quarry_env *env, const char *path,
                                  const quarry_writer_options *opts,
                                  quarry_writer **out);
/**
 * Discards everything not committed, stops the writer's threads and releases
 * the lock. NULL is allowed.
 */
QUARRY_API void quarry_writer_free(quarry_writer *w);
QUARRY_API const char *quarry_writer_errmsg(const quarry_writer *w);

/**
 * Adds a document, keyed by (source, record) with a hash of its text and
 * fields: a new key is added, a known key with another hash replaces the old
 * document, a known key with the same hash is left alone. Takes ownership of
 * doc in every case (it is freed by the writer). *outcome (may be NULL) gets
 * QUARRY_ADDED, QUARRY_REPLACED or QUARRY_UNCHANGED. Tokenizing happens on
 * the writer's threads; errors from them surface at a later add or at commit.
 */
QUARRY_API int quarry_writer_add(quarry_writer *w, quarry_doc *doc,
                                 int *outcome);
/**
 * Deletes every document whose source is source (all records); *count (may
 * be NULL) gets how many. Visible after commit.
 */
QUARRY_API int quarry_writer_delete_source(quarry_writer *w, const char *source,
                                           uint64_t *count);
/** Deletes the document with key (source, record); *count gets 0 or 1. */
QUARRY_API int quarry_writer_delete_key(quarry_writer *w, const char *source,
                                        uint64_t record, uint64_t *count);
/**
 * Makes everything added and deleted so far durable and visible as a new
 * snapshot: segments written and fsynced, then the manifest written, fsynced
 * and renamed, then the directory fsynced. May merge segments (tiered merge
 * policy). *stats (may be NULL) is filled.
 */
QUARRY_API int quarry_writer_commit(quarry_writer *w,
                                    quarry_commit_stats *stats);
/** Commits, then merges every segment into one and commits again. */
QUARRY_API int quarry_writer_optimize(quarry_writer *w,
                                      quarry_commit_stats *stats);

/* ------------------------------------------------------------------------ */
/* Field filters                                                            */
/* ------------------------------------------------------------------------ */

/*
 * A field filter selects documents by their typed metadata
 * (core/src/filter.c). Syntax:
 *
 *   year>=2015 year<2020 party:Democratic
 *   (party="Democratic-Republican" OR party:Whig) AND NOT year=1812
 *
 *  - A comparison is NAME OP VALUE with OP one of = (or ==), !=, <, <=, >,
 *    >= and : (equality, the same as =). No space is needed around OP.
 *  - NAME is a field name: letters, digits, '_', '-', '.' and any non-ASCII
 *    character. VALUE is a run of characters up to white space or a
 *    parenthesis, or a "double-quoted string" (\" and \\ escape a quote
 *    and a backslash).
 *  - Values are typed by the field they are compared with, document by
 *    document: numbers compare as numbers with INTEGER and NUMBER fields;
 *    dates compare as dates with DATE fields, at the precision of the value
 *    (date=2024 matches every date in 2024, date<2024-03 every date before
 *    March 2024; zones are ignored); STRING fields compare bytewise
 *    (case-sensitive). A value that cannot be read as the field's type
 *    (year=abc) makes the comparison false.
 *  - A comparison with a field the document does not have is false, for
 *    every OP (so party!=Whig needs a party field; NOT party:Whig does not).
 *  - NOT, AND and OR (upper case) combine comparisons, with parentheses;
 *    NOT binds tightest, then AND, then OR. Juxtaposition means AND.
 *
 * Compiled once, a filter is read-only: quarry_filter_match may be called
 * from several threads at once.
 */

typedef struct quarry_filter quarry_filter;

/** Deepest nesting of parentheses and NOTs a filter may have. */
#define QUARRY_FILTER_MAX_DEPTH 200

/**
 * Compiles len bytes of filter text. On success *out is owned by the caller
 * (quarry_filter_free). Errors (message on env, *out NULL):
 * QUARRY_ESYNTAX, with *error_pos (may be NULL) set to the 0-based byte
 * offset of the offending token (text that is empty or only white space is
 * a syntax error at 0); QUARRY_ENOMEM.
 */
QUARRY_API int quarry_filter_compile(quarry_env *env, const char *text,
                                     size_t len, quarry_filter **out,
                                     size_t *error_pos);
/** Frees f (NULL is allowed). */
QUARRY_API void quarry_filter_free(quarry_filter *f);
/**
 * Returns 1 if a document with the n fields (name, text, type and value.*
 * are read; names are compared exactly) matches f, else 0.
 */
QUARRY_API int quarry_filter_match(const quarry_filter *f,
                                   const quarry_field *fields, size_t n);
/** The filter text as compiled (borrowed from f, NUL-terminated). */
QUARRY_API const char *quarry_filter_text(const quarry_filter *f);

/* ------------------------------------------------------------------------ */
/* Vocabulary scan over an index                                            */
/* ------------------------------------------------------------------------ */

/*
 * Walks the term dictionary of a snapshot in term-id (byte) order and yields
 * the terms that pass every given test, in batches (core/src/vocab_scan.c).
 * A prefix narrows the walk to the terms starting with it (a seek, not a
 * scan); a regex is a PCRE2 pattern (UTF, Unicode properties, JIT when
 * available) that must match the whole normalized term.
 */

typedef struct quarry_vocab_scan quarry_vocab_scan;

typedef struct quarry_vocab_scan_options {
    const char *prefix; /* NULL or prefix_len bytes */
    size_t prefix_len;
    const char *regex; /* NULL or regex_len bytes of PCRE2 pattern */
    size_t regex_len;
    int caseless;       /* 1: the regex ignores case */
    uint64_t min_count; /* occurrences in live documents; 0 counts as 1, so
                           terms left only in deleted documents are skipped */
    uint64_t min_docs;  /* live documents containing the term; 0 = any */
} quarry_vocab_scan_options;

/**
 * Starts a scan over ix (opts may be NULL: every term). The scan holds a
 * reference to ix (quarry_index_retain) until quarry_vocab_scan_free, so the
 * caller may free its own reference first. Like every reader of ix, a scan
 * is used by one thread at a time, and not concurrently with other calls on
 * ix. On success *out is owned by the caller. Errors (message on env):
 * QUARRY_ESYNTAX (the regex does not compile; *error_pos, may be NULL, gets
 * the 0-based byte offset PCRE2 reports), QUARRY_ENOMEM.
 */
QUARRY_API int quarry_vocab_scan_new(quarry_env *env, quarry_index *ix,
                                     const quarry_vocab_scan_options *opts,
                                     quarry_vocab_scan **out,
                                     size_t *error_pos);
QUARRY_API void quarry_vocab_scan_free(quarry_vocab_scan *s);
QUARRY_API const char *quarry_vocab_scan_errmsg(const quarry_vocab_scan *s);

/**
 * Fills up to max entries of the caller's arrays (any may be NULL) with the
 * next matching terms: ids, occurrences and documents (live documents only).
 * Term texts come from quarry_index_term_text. *got receives the number of
 * entries. Returns QUARRY_OK with *got > 0, QUARRY_DONE when the scan is
 * over (*got == 0), QUARRY_ELIMIT (the regex hit PCRE2's match or depth
 * limit on a term; message on s) or QUARRY_ENOMEM.
 */
QUARRY_API int quarry_vocab_scan_next(quarry_vocab_scan *s, size_t max,
                                      uint32_t *ids, uint64_t *counts,
                                      uint64_t *docs, size_t *got);

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A query finds occurrences ("hits") of words, phrases and token patterns in
 * an index. The grammar is documented in docs/query.md; in short:
 *
 *   freedom  "new quality productive forces"  新质生产力  econom*  /colou?r/i
 *   =Party (case-sensitive, against the surface form)
 *   a AND b   a OR b   NOT a   (a OR b) c     juxtaposition is AND
 *   NEAR/5(a, b, "c d")   ONEAR/5(a, b)  (ordered)
 *   "new" []{0,2} "forces"   [norm="tax*" & word!="Tax"]   (token sequences)
 *   ... within s | within p | within doc
 *   year>=2015  party:Democratic  date>=2023-01  (field filters, AND-ed)
 *
 * A hit is a document and a range of token positions [first, end) in it.
 * Compiling parses and checks the text without an index (regexes included);
 * the words of the query are tokenized later, with the tokenizer options of
 * the index searched, so one query can run on several indexes.
 */

typedef struct quarry_query quarry_query;

/** Deepest nesting of parentheses, operators and NEAR groups a query may
 * have. */
#define QUARRY_QUERY_MAX_DEPTH 200

/**
 * Compiles len bytes of query text. On success *out is owned by the caller
 * (quarry_query_free) and is read-only: it may be searched from several
 * threads at once. Errors (message on env, *out NULL): QUARRY_ESYNTAX with
 * *error_pos (may be NULL) set to the 0-based byte offset of the offending
 * token (of the character PCRE2 names, inside a regex); QUARRY_ELIMIT (deeper
 * than QUARRY_QUERY_MAX_DEPTH, with *error_pos); QUARRY_ENOMEM.
 */
QUARRY_API int quarry_query_compile(quarry_env *env, const char *text,
                                    size_t len, quarry_query **out,
                                    size_t *error_pos);
/** Frees q (NULL is allowed). */
QUARRY_API void quarry_query_free(quarry_query *q);
/** The query text as compiled (borrowed from q, NUL-terminated). */
QUARRY_API const char *quarry_query_text(const quarry_query *q);
/**
 * Writes the parsed form of q as an S-expression, for tests and for
 * `quarry search --explain`: (and (term "a") (phrase "b c") (near 5 ...)).
 * Like snprintf: writes at most size bytes including a NUL and returns the
 * length the whole form needs.
 */
QUARRY_API size_t quarry_query_format(const quarry_query *q, char *buf,
                                      size_t size);

/* ------------------------------------------------------------------------ */
/* Dictionaries                                                             */
/* ------------------------------------------------------------------------ */

/*
 * A dictionary maps categories to patterns, in the YAML layout quanteda's
 * dictionary() reads: a mapping from category names to lists of patterns or
 * to nested mappings (nested names are joined with '.'). A pattern is a word
 * with optional globs (* any run of characters, ? one character) or several
 * words separated by spaces (a multi-word entry, matched as a phrase).
 * Matching is on normalized forms, in one pass over each document's tokens;
 * by default the longest entry starting at a position wins and matches do not
 * overlap (docs/dictionaries.md).
 */

typedef struct quarry_dict quarry_dict;

/**
 * Parses len bytes of YAML. *out is owned by the caller (quarry_dict_free).
 * Errors (message on env naming line and column): QUARRY_EPARSE with *line
 * and *column (1-based; may be NULL) set; QUARRY_ENOMEM.
 */
QUARRY_API int quarry_dict_parse(quarry_env *env, const char *yaml, size_t len,
                                 quarry_dict **out, size_t *line,
                                 size_t *column);
/** The same for a file; QUARRY_ENOENT/QUARRY_EIO if it cannot be read. */
QUARRY_API int quarry_dict_load(quarry_env *env, const char *path,
                                quarry_dict **out, size_t *line,
                                size_t *column);
/** An empty dictionary to fill with quarry_dict_add; owned by the caller. */
QUARRY_API int quarry_dict_new(quarry_env *env, quarry_dict **out);
/**
 * Adds a pattern (len bytes, copied) to category (NUL-terminated, copied,
 * created on first use). QUARRY_EINVAL for an empty pattern or category or
 * invalid UTF-8 (message on d).
 */
QUARRY_API int quarry_dict_add(quarry_dict *d, const char *category,
                               const char *pattern, size_t len);
QUARRY_API void quarry_dict_free(quarry_dict *d);
QUARRY_API const char *quarry_dict_errmsg(const quarry_dict *d);
/** Categories, in order of first appearance; names borrowed from d. */
QUARRY_API size_t quarry_dict_category_count(const quarry_dict *d);
QUARRY_API const char *quarry_dict_category(const quarry_dict *d, size_t i);
/** Entries in order; *category is the index of the entry's category. */
QUARRY_API size_t quarry_dict_entry_count(const quarry_dict *d);
QUARRY_API int quarry_dict_entry_get(const quarry_dict *d, size_t i,
                                     size_t *category, const char **pattern,
                                     size_t *len);

/** How dictionary matches may overlap. */
enum {
    QUARRY_DICT_LONGEST = 0, /* longest entry at a position, no overlaps */
    QUARRY_DICT_ALL = 1      /* every entry at every position */
};

/**
 * A query whose hits are the dictionary's matches; each hit's tag is the index
 * of its category (quarry_search_next). d is copied: it may be freed at once.
 * *out is owned by the caller. Errors on env: QUARRY_EINVAL (empty
 * dictionary, unknown mode), QUARRY_ENOMEM.
 */
QUARRY_API int quarry_query_from_dict(quarry_env *env, const quarry_dict *d,
                                      int mode, quarry_query **out);

/** A problem found by quarry_dict_lint. */
typedef struct quarry_dict_issue {
    size_t entry;        /* index of the entry */
    int never_matches;   /* 1: no text can ever match it; 0: a warning */
    const char *message; /* borrowed from d until its next lint or free */
} quarry_dict_issue;

/**
 * Checks every entry against a tokenizer (opts may be NULL for the defaults)
 * and, when ix is not NULL, against that index's vocabulary: entries the
 * tokenizer can never produce (a glob across a token boundary, an entry that
 * normalizes to nothing, ...) and, as warnings, entries matching no term of
 * ix. Fills *issues (borrowed from d until its next lint or free) and *count.
 */
QUARRY_API int quarry_dict_lint(quarry_dict *d,
                                const quarry_tokenizer_options *opts,
                                quarry_index *ix,
                                const quarry_dict_issue **issues,
                                size_t *count);

/* ------------------------------------------------------------------------ */
/* Search: the hits of a query in an index                                  */
/* ------------------------------------------------------------------------ */

typedef struct quarry_search quarry_search;

typedef struct quarry_search_options {
    const quarry_filter *filter; /* extra document filter (borrowed; NULL =
                                    none), AND-ed with the query's own */
    uint64_t max_expansion;      /* most terms a wildcard or regex may expand
                                    to; 0 = QUARRY_DEFAULT_MAX_EXPANSION */
} quarry_search_options;

#define QUARRY_DEFAULT_MAX_EXPANSION 100000

/**
 * Binds q to a snapshot: tokenizes its words with ix's tokenizer options,
 * expands wildcards and regexes over the vocabulary and plans the search.
 * The search holds a reference to ix and does not need q afterwards. Like
 * every reader of ix, it is used by one thread at a time and not concurrently
 * with other calls on ix. *out is owned by the caller. Errors (message on
 * env): QUARRY_ELIMIT (an expansion above max_expansion; *error_pos names
 * it), QUARRY_EINVAL (a query that can match only by absence, such as
 * NOT a alone), QUARRY_ENOMEM, QUARRY_ECORRUPT.
 */
QUARRY_API int quarry_search_new(quarry_env *env, quarry_index *ix,
                                 const quarry_query *q,
                                 const quarry_search_options *opts,
                                 quarry_search **out, size_t *error_pos);
QUARRY_API void quarry_search_free(quarry_search *s);
QUARRY_API const char *quarry_search_errmsg(const quarry_search *s);

/**
 * Fills up to max entries of the caller's arrays (any may be NULL) with the
 * next hits, in order of document, then first, then end: document ids, first
 * token positions, end positions (one past the last token) and tags (the
 * category of a dictionary hit, else 0). Every occurrence is a hit: a term
 * occurring 3 times in a document gives 3 hits. *got receives the count.
 * Returns QUARRY_OK with *got > 0, QUARRY_DONE (*got == 0), QUARRY_ELIMIT
 * (a regex over surface forms hit PCRE2's limits), QUARRY_ECORRUPT or
 * QUARRY_ENOMEM (message on s).
 */
QUARRY_API int quarry_search_next(quarry_search *s, size_t max, uint64_t *docs,
                                  uint64_t *firsts, uint64_t *ends,
                                  uint32_t *tags, size_t *got);
/**
 * Moves to the next document with hits and returns it with its number of
 * hits, without returning the hits themselves (a single term is counted from
 * its postings without reading positions). Hits of the current document not
 * yet returned by quarry_search_next are skipped. QUARRY_OK, QUARRY_DONE or
 * an error as above.
 */
QUARRY_API int quarry_search_next_doc(quarry_search *s, uint64_t *doc,
                                      uint64_t *hits);
/** Counts the remaining hits and documents (either pointer may be NULL). */
QUARRY_API int quarry_search_count(quarry_search *s, uint64_t *hits,
                                   uint64_t *docs);

/* ------------------------------------------------------------------------ */
/* Concordance lines                                                        */
/* ------------------------------------------------------------------------ */

/** Unit of KWIC context. */
enum {
    QUARRY_KWIC_TOKENS = 0,   /* left/right tokens */
    QUARRY_KWIC_CHARS = 1,    /* left/right characters (code points) */
    QUARRY_KWIC_SENTENCE = 2  /* the sentence(s) around the hit */
};

typedef struct quarry_kwic_options {
    int unit;       /* QUARRY_KWIC_* */
    uint32_t left;  /* context size before the hit (tokens or chars) */
    uint32_t right; /* after the hit */
} quarry_kwic_options;

/** One concordance line; the strings are borrowed (see quarry_kwic_get). */
typedef struct quarry_kwic {
    const char *left;
    size_t left_len;
    const char *hit;
    size_t hit_len;
    const char *right;
    size_t right_len;
    uint64_t start; /* byte span of the hit in the document's text */
    uint64_t end;
} quarry_kwic;

/**
 * The concordance line of the hit [first, end) of document doc: the text
 * before, of and after the hit, each with runs of white space (line breaks
 * included) written as one space. Strings are borrowed from ix and valid
 * until the next call on ix. Errors (message on ix): QUARRY_EINVAL (doc or
 * range out of bounds), QUARRY_ECORRUPT, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_kwic_get(quarry_index *ix, uint64_t doc, uint64_t first,
                               uint64_t end, const quarry_kwic_options *opts,
                               quarry_kwic *out);

/**
 * Terminal columns len bytes of UTF-8 take: 2 for East Asian wide and
 * fullwidth characters, 0 for combining marks and controls, 1 otherwise.
 */
QUARRY_API size_t quarry_text_width(const char *text, size_t len);

/* ------------------------------------------------------------------------ */
/* Regular expressions and raw scans                                        */
/* ------------------------------------------------------------------------ */

typedef struct quarry_regex quarry_regex;

/** quarry_regex_compile flags. */
enum {
    QUARRY_RE_CASELESS = 1u << 0,  /* i */
    QUARRY_RE_LITERAL = 1u << 1,   /* the pattern is a fixed string */
    QUARRY_RE_DOTALL = 1u << 2,    /* s: . matches a line break, and matches
                                      may span lines */
    QUARRY_RE_EXTENDED = 1u << 3,  /* x */
    QUARRY_RE_WORD = 1u << 4       /* only at word boundaries (\b...\b) */
};

/** PCRE2 limits a compiled regex runs with (docs/query.md). */
#define QUARRY_RE_MATCH_LIMIT 10000000u
#define QUARRY_RE_DEPTH_LIMIT 100000u

/**
 * Compiles a PCRE2 pattern (UTF, Unicode properties, multi-line ^ and $, JIT
 * when available) with QUARRY_RE_* flags. Unless QUARRY_RE_DOTALL is given,
 * matches never span a line break, as in grep tools. *out is owned by the
 * caller; it is read-only once compiled, but each thread needs its own
 * quarry_regex for matching (match data lives on it). Errors (message on
 * env): QUARRY_ESYNTAX with *error_pos; QUARRY_ENOMEM.
 */
QUARRY_API int quarry_regex_compile(quarry_env *env, const char *pattern,
                                    size_t len, unsigned flags,
                                    quarry_regex **out, size_t *error_pos);
QUARRY_API void quarry_regex_free(quarry_regex *re);
QUARRY_API const char *quarry_regex_errmsg(const quarry_regex *re);
/**
 * Finds the first match in text[from, len): QUARRY_OK with the byte span
 * [*start, *end), QUARRY_DONE, or QUARRY_ELIMIT (PCRE2's match or depth
 * limit: the message on re names the pattern, and *start is the offset of
 * the line where it was hit). text is only read, and may hold invalid UTF-8
 * (such bytes never match). The place after a final line break is not a
 * line: no match starts there. An empty match at *end is never returned
 * twice: callers continue from *end, or *end + 1 character after an empty
 * match (grep tools and Lua's gmatch also skip an empty match right where
 * the previous match ended).
 */
QUARRY_API int quarry_regex_next(quarry_regex *re, const char *text,
                                 size_t len, size_t from, size_t *start,
                                 size_t *end);

/** One hit of a raw scan. */
typedef struct quarry_grep_hit {
    size_t source;   /* index of the file in the list given */
    uint64_t doc;    /* document id (index scans), else 0 */
    uint64_t start;  /* byte span of the match */
    uint64_t end;
    uint64_t line;   /* 1-based line number of start */
    uint64_t first;  /* token span [first, end_token) (index scans); else 0 */
    uint64_t end_token;
    const char *line_text; /* the whole line (borrowed, valid during the
                              callback), without its line break */
    size_t line_len;
    uint64_t line_start;   /* byte offset of line_text */
} quarry_grep_hit;

/** Called for every hit in order (file by file, offset by offset); a
 * non-zero return stops the scan (see quarry_grep_files). */
typedef int (*quarry_grep_fn)(void *ud, const quarry_grep_hit *hit);

typedef struct quarry_grep_options {
    unsigned threads; /* 0 = online cores */
    int count_only;   /* 1: no callback; counts only */
    int skip_binary;  /* 1: skip files with a NUL byte in their first 8 KiB
                         (as grep tools do for files found by walking) */
} quarry_grep_options;

typedef struct quarry_grep_counts {
    uint64_t hits;  /* matches */
    uint64_t files; /* files (or documents) with a match */
    uint64_t bytes; /* bytes scanned */
} quarry_grep_counts;

/**
 * Scans the raw bytes of n files with pattern (compiled per thread from re's
 * pattern and flags), files in parallel and large files in chunks cut at line
 * breaks (not with QUARRY_RE_DOTALL); hits reach fn in file order, on the
 * calling thread (fn may be NULL with count_only). re, paths and opts are
 * only read. With threads > 1 the worker threads allocate through env's
 * allocator, which must then be thread-safe (the C library's and Lua's
 * default one are). Unreadable files are errors (message on env names the
 * file) only after the others were scanned: QUARRY_EIO/QUARRY_ENOENT.
 * QUARRY_ELIMIT if a match limit was hit (message names file, line and
 * pattern; the rest of that file is not scanned, other files are). With
 * several failures the first in file order is returned. A non-zero return
 * from fn stops the scan: QUARRY_OK is returned with the counts so far.
 */
QUARRY_API int quarry_grep_files(quarry_env *env, const quarry_regex *re,
                                 const char *const *paths, size_t n,
                                 const quarry_grep_options *opts,
                                 quarry_grep_fn fn, void *ud,
                                 quarry_grep_counts *counts);
/** The same over the stored texts of ix's live documents (optionally those
 * matching filter), on the calling thread only (opts->threads is ignored: a
 * snapshot is read by one thread at a time); hits carry doc and token spans
 * (line numbers count within the document); source is 0. Errors on ix. */
QUARRY_API int quarry_grep_index(quarry_index *ix, const quarry_regex *re,
                                 const quarry_filter *filter,
                                 const quarry_grep_options *opts,
                                 quarry_grep_fn fn, void *ud,
                                 quarry_grep_counts *counts);

/* ------------------------------------------------------------------------ */
/* Dates in text and dated statements                                       */
/* ------------------------------------------------------------------------ */

/*
 * A recognizer of dates written in running English and Chinese text
 * ("September 7, 2023", "7 Sept. 2023", "2023-09-07", "January 2024",
 * "On March 5", "in 2023", "2023年9月7日", "９月７日", "九月七日"), and on
 * top of it the dated statements of documents: the sentences that mention a
 * date, with the key terms they contain, as a timeline. The forms, the year
 * inference and what is deliberately not a date are in docs/dates.md
 * (core/src/dates.c, core/src/statements.c).
 */

/** All-numeric dates with slashes (09/07/2023) are ambiguous: they are
 * dates only when an order is chosen. YYYY-MM-DD and YYYY/MM/DD always are. */
enum {
    QUARRY_DATES_NUMERIC_NONE = 0, /* 09/07/2023 is not a date (default) */
    QUARRY_DATES_NUMERIC_MDY = 1,  /* September 7 (US order) */
    QUARRY_DATES_NUMERIC_DMY = 2   /* 9 July; 09.07.2023 is read too */
};

/** quarry_dates_options.flags */
enum {
    QUARRY_DATES_NO_YEARS = 1u << 0,    /* skip bare years ("in 2023") */
    QUARRY_DATES_NO_INFERENCE = 1u << 1 /* skip dates without a year
                                           instead of inferring it */
};

typedef struct quarry_dates_options {
    int numeric;    /* QUARRY_DATES_NUMERIC_* */
    unsigned flags; /* QUARRY_DATES_* bits */
    /* the text's own date (e.g. of publication): a date written without
       a year ("March 5") and no year written shortly before it takes the
       year that puts it closest to this date (docs/dates.md); precision
       0 = none: the last year written at any distance, else skipped */
    quarry_date reference;
} quarry_dates_options;

/** A date mentioned in text. */
typedef struct quarry_text_date {
    uint64_t start;    /* byte span [start, end) of the mention, weekday */
    uint64_t end;      /* included ("Tuesday, March 5, 2024") */
    quarry_date date;  /* precision QUARRY_DATE_YEAR, _MONTH or _DAY; the
                          unknown parts are 1 */
    quarry_date until; /* last day of a range ("December 11 to 12, 2023",
                          "12月11日至12日"); precision 0 when not a range */
    int year_inferred; /* 1: the text gave no year (from context or the
                          reference) */
    char iso[16];      /* date at its precision, NUL-terminated:
                          "2023-09-07", "2024-01" or "2024" */
} quarry_text_date;

/** The dates found in one text; items owned by the list. */
typedef struct quarry_date_list {
    quarry_text_date *items; /* in text order, spans do not overlap */
    size_t count;
    size_t capacity;
} quarry_date_list;

/**
 * Finds the dates in len bytes of text (any bytes: invalid UTF-8 is never
 * part of a date). opts may be NULL (defaults). *out must be zeroed or a
 * list from an earlier call (it is reused); free it with
 * quarry_date_list_free. Impossible dates (February 30, 2023-13-45) are
 * not dates. Errors (message on env): QUARRY_EINVAL (bad option),
 * QUARRY_ENOMEM; out then holds no dates.
 */
QUARRY_API int quarry_dates_find(quarry_env *env, const char *text, size_t len,
                                 const quarry_dates_options *opts,
                                 quarry_date_list *out);
/** Frees the items of list (the struct itself is the caller's) and zeroes
 * it; env is the one the list was filled with. */
QUARRY_API void quarry_date_list_free(quarry_env *env, quarry_date_list *list);

/** Order of quarry_statements_sort. */
enum {
    QUARRY_STATEMENTS_BY_DATE = 0,    /* chronological, stable; a year
                                         sorts before its months and days */
    QUARRY_STATEMENTS_BY_POSITION = 1 /* documents as added, then text order */
};

typedef struct quarry_statements_options {
    quarry_dates_options dates;
    /* key terms to report (NUL-terminated UTF-8, copied): words or phrases
       matched on normalized tokens (CJK by characters); a final '*' makes
       the last word a prefix. term_count entries; NULL/0: none */
    const char *const *terms;
    size_t term_count;
    int each_date;     /* 1: one record per date of a sentence; 0: one per
                          sentence, at its first date */
    int require_terms; /* 1: keep only sentences containing a key term */
    /* index documents: the DATE field whose value is a document's
       reference when dates.reference has precision 0; NULL = none */
    const char *date_field;
} quarry_statements_options;

typedef struct quarry_statements quarry_statements;

/** One record of a statement timeline; pointers borrowed from the result. */
typedef struct quarry_statement {
    uint64_t doc;     /* index document id, or the number given to add_text */
    uint64_t start;   /* byte span [start, end) of the sentence in the */
    uint64_t end;     /* document's text */
    const char *text; /* the sentence with white space runs as one space
                         (none between two CJK characters) */
    size_t text_len;
    const quarry_text_date *date;  /* the date of this record */
    const quarry_text_date *dates; /* every date of the sentence */
    size_t date_count;
    const uint32_t *terms; /* indexes into opts->terms found, ascending */
    size_t term_count;
} quarry_statement;

/**
 * Creates an empty statement timeline; opts (may be NULL) is copied. *out is
 * owned by the caller (quarry_statements_free). Errors on env: QUARRY_EINVAL
 * (bad date options, an empty term), QUARRY_ENOMEM.
 */
QUARRY_API int quarry_statements_new(quarry_env *env,
                                     const quarry_statements_options *opts,
                                     quarry_statements **out);
QUARRY_API void quarry_statements_free(quarry_statements *st);
QUARRY_API const char *quarry_statements_errmsg(const quarry_statements *st);

/**
 * Adds the dated statements of a raw text, split into sentences by tok
 * (borrowed during the call), as document doc. reference (may be NULL)
 * replaces opts->dates.reference for this text. Records are appended in text
 * order. Errors (message on st): those of quarry_tokenize, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_statements_add_text(quarry_statements *st,
                                          quarry_tokenizer *tok, uint64_t doc,
                                          const char *text, size_t len,
                                          const quarry_date *reference);

struct quarry_subcorpus; /* typedef under "Subcorpora and groups" */

/**
 * Adds the dated statements of the documents of sc (NULL: every live
 * document of ix), by the index's sentences, in document order. With query
 * (may be NULL) only sentences holding the first token of one of its hits
 * are kept. Key terms are tokenized with ix's tokenizer options. ix is used
 * during the call only. Errors (message on st): those of quarry_search_new,
 * QUARRY_ECORRUPT, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_statements_add_index(quarry_statements *st,
                                           quarry_index *ix,
                                           const struct quarry_subcorpus *sc,
                                           const quarry_query *query);

/** Orders the records (QUARRY_STATEMENTS_BY_*); QUARRY_EINVAL if unknown. */
QUARRY_API int quarry_statements_sort(quarry_statements *st, int order);
QUARRY_API size_t quarry_statements_count(const quarry_statements *st);
/** Fills *out with record i; QUARRY_EINVAL when out of range. Pointers are
 * valid until the next add or free of st. */
QUARRY_API int quarry_statements_get(const quarry_statements *st, size_t i,
                                     quarry_statement *out);

/* ------------------------------------------------------------------------ */
/* Subcorpora and groups                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Every analysis runs on a subcorpus: the live documents of a snapshot that
 * match a field filter and/or contain a hit of a query. All counts, totals
 * and expected values of an analysis come from its subcorpus only
 * (core/src/subcorpus.c). A NULL subcorpus means every live document.
 */

typedef struct quarry_subcorpus quarry_subcorpus;

/**
 * Selects the live documents of ix matching filter (NULL: any) that contain
 * at least one hit of query (NULL: any). Holds a reference to ix. *out is
 * owned by the caller; read-only afterwards. Errors (message on env): those
 * of quarry_search_new, QUARRY_ENOMEM, QUARRY_ECORRUPT.
 */
QUARRY_API int quarry_subcorpus_new(quarry_env *env, quarry_index *ix,
                                    const quarry_filter *filter,
                                    const quarry_query *query,
                                    quarry_subcorpus **out);
QUARRY_API void quarry_subcorpus_free(quarry_subcorpus *sc);
/** Documents and tokens (punctuation included) of the subcorpus. */
QUARRY_API uint64_t quarry_subcorpus_doc_count(const quarry_subcorpus *sc);
QUARRY_API uint64_t quarry_subcorpus_token_count(const quarry_subcorpus *sc);
/** 1 if document id is in sc. A NULL sc means "no restriction": 1 for any
 * id (callers check liveness themselves). */
QUARRY_API int quarry_subcorpus_contains(const quarry_subcorpus *sc,
                                         uint64_t id);
/** The first document id >= from in sc; quarry_index_doc_limit of its
 * snapshot if none. A NULL sc returns from. */
QUARRY_API uint64_t quarry_subcorpus_next(const quarry_subcorpus *sc,
                                          uint64_t from);

/** How a field's values become groups. */
enum {
    QUARRY_PERIOD_VALUE = 0,   /* each distinct value is a group */
    QUARRY_PERIOD_YEAR = 1,    /* dates and year numbers by year: "2024" */
    QUARRY_PERIOD_DECADE = 2,  /* "1990s" */
    QUARRY_PERIOD_QUARTER = 3, /* "2024-Q1" (dates only) */
    QUARRY_PERIOD_MONTH = 4,   /* "2024-03" (dates only) */
    QUARRY_PERIOD_DAY = 5      /* "2024-03-05" (dates only) */
};

typedef struct quarry_groups quarry_groups;

/**
 * Splits the documents of sc (NULL: all live ones) by the value of field,
 * bucketed by period. Groups are ordered by value (numbers and dates
 * chronologically, strings bytewise); documents without the field (or
 * whose value does not fit the period) belong to no group. Holds a
 * reference to ix; *out owned by the caller. Errors on env: QUARRY_EINVAL
 * (a period other than VALUE on a field that is neither a date nor a number
 * in every document: the message names a document), QUARRY_ENOMEM.
 */
QUARRY_API int quarry_groups_new(quarry_env *env, quarry_index *ix,
                                 const char *field, int period,
                                 const quarry_subcorpus *sc,
                                 quarry_groups **out);
QUARRY_API void quarry_groups_free(quarry_groups *g);
QUARRY_API size_t quarry_groups_count(const quarry_groups *g);
/** Label of group i ("2024", "1990s", "Democratic"); borrowed from g. */
QUARRY_API const char *quarry_groups_label(const quarry_groups *g, size_t i);
/** Group of document id, or SIZE_MAX if it belongs to none. */
QUARRY_API size_t quarry_groups_of(const quarry_groups *g, uint64_t id);
/** Documents and tokens of group i. */
QUARRY_API uint64_t quarry_groups_docs(const quarry_groups *g, size_t i);
QUARRY_API uint64_t quarry_groups_tokens(const quarry_groups *g, size_t i);

/**
 * The token kind of a normalized term, from its first character (word,
 * number, punct, symbol or cjk; quarry_token_kind), so analyses can leave
 * punctuation out without per-term kinds in the index. 0 for empty text.
 */
QUARRY_API int quarry_term_kind(const char *text, size_t len);

/* ------------------------------------------------------------------------ */
/* Statistics: association, keyness and dispersion measures                 */
/* ------------------------------------------------------------------------ */

/*
 * Pure functions (core/src/stats.c); every formula with its reference is in
 * docs/statistics.md. Counts are doubles so callers may bring any counts.
 */

/** Every association measure of one 2x2 contingency table:
 *             collocate   other
 *   node       o11         o12
 *   other      o21         o22
 * (o11: co-occurrences in the node's windows). */
typedef struct quarry_assoc {
    double o11, o12, o21, o22, n;
    double e11;        /* expected o11: (o11 + o12)(o11 + o21) / n */
    double mi;         /* log2(o11 / e11) */
    double mi3;        /* log2(o11^3 / e11) */
    double t;          /* (o11 - e11) / sqrt(o11) */
    double z;          /* (o11 - e11) / sqrt(e11) */
    double g2;         /* log-likelihood, signed: negative when o11 < e11 */
    double chi2;       /* Pearson's chi-squared, no correction */
    double chi2_yates; /* with Yates' continuity correction */
    double dice;       /* 2 o11 / (R1 + C1) */
    double log_dice;   /* 14 + log2(dice) (Rychly 2008) */
    double log_ratio;  /* log2 of the ratio of relative frequencies */
    double p_g2;       /* p-value of g2 (chi-squared, 1 df) */
    double p_chi2;     /* p-value of chi2 (1 df) */
    double p_fisher;   /* one-sided Fisher's exact p: P(O11 >= o11) with
                          the margins fixed (quarry_fisher_pvalue) */
} quarry_assoc;

/** Fills *out from the four cells (any may be 0; measures that are
 * undefined come out as NaN or +-infinity as documented). */
QUARRY_API void quarry_assoc_compute(double o11, double o12, double o21,
                                     double o22, quarry_assoc *out);

/** Keyness of one item: frequency a in a target of size n1, frequency b in
 * a reference of size n2. */
typedef struct quarry_keyness {
    double a, b, n1, n2;
    double e1, e2;       /* expected frequencies */
    double g2;           /* log-likelihood, signed: + when relatively more
                            frequent in the target */
    double chi2;         /* signed likewise */
    double chi2_yates;   /* signed, Yates' correction */
    double log_ratio;    /* log2 of the ratio of relative frequencies
                            (zero frequencies: documented adjustment) */
    double pct_diff;     /* %DIFF (Gabrielatos & Marchi 2012) */
    double simple_maths; /* Kilgarriff's (pm1 + N) / (pm2 + N) */
    double p_g2, p_chi2; /* p-values (1 df) */
} quarry_keyness;

/** Fills *out. smooth is Kilgarriff's N, added to both frequencies per
 * million before their ratio (the CLI's and Lua's default is 1). */
QUARRY_API void quarry_keyness_compute(double a, double n1, double b,
                                       double n2, double smooth,
                                       quarry_keyness *out);

/** Upper tail of the chi-squared distribution: P(X >= x) with df degrees
 * of freedom (df >= 1). */
QUARRY_API double quarry_chi2_pvalue(double x, unsigned df);

/** One-sided (attraction) Fisher's exact test of a 2x2 table: the
 * probability of o11 or more co-occurrences given the four margins. Cells
 * must be whole numbers >= 0, else NaN. Exact to ~1e-13 relative even for
 * corpus-sized tables (docs/statistics.md). */
QUARRY_API double quarry_fisher_pvalue(double o11, double o12, double o21,
                                       double o22);

/** Dispersion of an item over n parts (documents or equal slices). */
typedef struct quarry_dispersion {
    double parts;      /* n */
    double range;      /* parts with at least one occurrence */
    double juilland_d; /* Juilland's D (1 - V / sqrt(n - 1)) */
    double gries_dp;   /* Gries' DP (0 even .. 1 uneven) */
    double gries_dp_norm; /* DP normalized (Lijffijt & Gries 2012) */
} quarry_dispersion;

/** freqs[i]: occurrences in part i, sizes[i]: tokens of part i. Returns
 * QUARRY_OK or QUARRY_EINVAL (n == 0, a negative value or zero total size). */
QUARRY_API int quarry_dispersion_compute(const double *freqs,
                                         const double *sizes, size_t n,
                                         quarry_dispersion *out);

/* ------------------------------------------------------------------------ */
/* Frequency lists, n-grams, keyness, lexical statistics                    */
/* ------------------------------------------------------------------------ */

/*
 * Counting analyses over the token streams of a subcorpus (core/src/freq.c,
 * ngrams.c, keyness.c, lexstats.c, stopwords.c; docs/frequency.md). They
 * count items of one unit (below) at the counted tokens: words, numbers and
 * CJK characters (quarry_term_kind); punctuation and symbols are skipped
 * unless include_punct is set. "Tokens" in their totals and per-million
 * figures are these counted tokens of the subcorpus or group (stop words
 * included: a stop list removes items from a list, not from the total).
 * ix is used during the call only; results own copies of their texts.
 */

/** What one counted item is. */
enum {
    /* normalized forms, with CJK runs as their dictionary words (the word
       layer); the same as TERMS for text without CJK [default] */
    QUARRY_UNIT_WORDS = 0,
    QUARRY_UNIT_TERMS = 1,  /* normalized forms; a CJK character each */
    QUARRY_UNIT_SURFACE = 2 /* the exact text of each token, as stored */
};

typedef struct quarry_stopwords quarry_stopwords;

/** Creates an empty stop list; owned by the caller. QUARRY_ENOMEM on env. */
QUARRY_API int quarry_stopwords_new(quarry_env *env, quarry_stopwords **out);
QUARRY_API void quarry_stopwords_free(quarry_stopwords *sw);
/** Message of the last failure on sw; borrowed, "" if none. */
QUARRY_API const char *quarry_stopwords_errmsg(const quarry_stopwords *sw);
/** Adds one word (copied; ASCII letters are lowercased, as items are
 * compared lowercased). QUARRY_EINVAL (empty, not UTF-8), QUARRY_ENOMEM. */
QUARRY_API int quarry_stopwords_add(quarry_stopwords *sw, const char *word,
                                    size_t len);
/** Adds a built-in list: "en" (English function words), "zh" (Chinese
 * function words and characters) or "all" (both). QUARRY_EINVAL otherwise. */
QUARRY_API int quarry_stopwords_add_builtin(quarry_stopwords *sw,
                                            const char *name);
/** Adds the words of a UTF-8 file, one per line (blank lines and lines
 * starting with '#' skipped, surrounding white space trimmed). Errors on sw:
 * QUARRY_ENOENT, QUARRY_EIO, QUARRY_EINVAL (not UTF-8: names the line),
 * QUARRY_ENOMEM. */
QUARRY_API int quarry_stopwords_add_file(quarry_stopwords *sw,
                                         const char *path);
/** 1 if the word (ASCII-lowercased) is in sw. */
QUARRY_API int quarry_stopwords_contains(const quarry_stopwords *sw,
                                         const char *word, size_t len);
QUARRY_API size_t quarry_stopwords_count(const quarry_stopwords *sw);
/** The words of a built-in list (static, never freed), NULL if unknown. */
QUARRY_API const char *const *quarry_stopwords_builtin(const char *name,
                                                       size_t *count);

/** Frequency list and n-gram options; zero-initialize for the defaults. */
typedef struct quarry_freq_options {
    int unit;           /* QUARRY_UNIT_* [WORDS] */
    unsigned n;         /* 1: items; 2-5: n-grams of n consecutive counted
                           tokens inside one sentence, broken by skipped
                           punctuation and symbols [0 = 1] */
    uint64_t min_count; /* drop entries rarer than this (per group) [0] */
    size_t top;         /* keep the first top entries per group [0: all] */
    const quarry_stopwords *stop; /* n = 1: drop these items; n > 1: drop
                                     n-grams starting or ending with one */
    const quarry_groups *groups;  /* one list per group [NULL: one list];
                                     borrowed during the call */
    int include_punct;            /* count punctuation and symbols too */
} quarry_freq_options;

/** One entry of a frequency list. */
typedef struct quarry_freq_entry {
    const char *text; /* item, or n-gram items joined by a space (none
                         between two CJK items); borrowed from the result */
    size_t len;
    size_t group;       /* group index (0 without groups) */
    uint64_t rank;      /* 1-based within the group */
    uint64_t count;     /* occurrences */
    uint64_t docs;      /* documents holding it */
    double per_million; /* count per million tokens of the group */
} quarry_freq_entry;

/** Totals of one group (or of the whole list). */
typedef struct quarry_freq_totals {
    uint64_t docs;   /* documents */
    uint64_t tokens; /* counted tokens */
    uint64_t types;  /* distinct items or n-grams before min/top/stop */
    uint64_t ngrams; /* n-gram occurrences (n > 1; = tokens for n = 1) */
} quarry_freq_totals;

typedef struct quarry_freq quarry_freq;

/**
 * Counts items (or n-grams) over sc (NULL: every live document of ix). opts
 * NULL: defaults. Entries come group by group (groups in their order), by
 * count descending then text bytewise. *out is owned by the caller. Errors
 * (message on env): QUARRY_EINVAL (bad unit or n), QUARRY_ECORRUPT,
 * QUARRY_ENOMEM.
 */
QUARRY_API int quarry_freq_new(quarry_env *env, quarry_index *ix,
                               const quarry_subcorpus *sc,
                               const quarry_freq_options *opts,
                               quarry_freq **out);
QUARRY_API void quarry_freq_free(quarry_freq *f);
QUARRY_API size_t quarry_freq_count(const quarry_freq *f);
/** Entry i; QUARRY_EINVAL out of range. */
QUARRY_API int quarry_freq_get(const quarry_freq *f, size_t i,
                               quarry_freq_entry *out);
/** Groups of the list (1 without groups). */
QUARRY_API size_t quarry_freq_group_count(const quarry_freq *f);
/** Totals of group g; QUARRY_EINVAL out of range. */
QUARRY_API int quarry_freq_totals_get(const quarry_freq *f, size_t g,
                                      quarry_freq_totals *out);

/** Measures keywords can be ordered by. */
enum {
    QUARRY_KEY_G2 = 0,
    QUARRY_KEY_LOG_RATIO = 1,
    QUARRY_KEY_CHI2 = 2,
    QUARRY_KEY_SIMPLE_MATHS = 3,
    QUARRY_KEY_PCT_DIFF = 4
};

typedef struct quarry_keywords_options {
    int unit; /* QUARRY_UNIT_* */
    int include_punct;
    const quarry_stopwords *stop; /* items left out of the lists */
    int measure;                  /* QUARRY_KEY_*: the order of each list */
    uint64_t min_freq; /* positive keywords need this frequency in the
                          target, negative ones in the reference */
    double max_p;      /* keep items whose p-value (of chi2 when measure
                          is CHI2, else of G2) is at most this; >= 1: all */
    int yates;         /* chi2 with Yates' correction (measure CHI2) */
    double smooth;     /* Kilgarriff's N for simple maths */
    size_t top;        /* keep the first top of each direction; 0: all */
} quarry_keywords_options;

/** Fills *o with the defaults: unit WORDS, measure G2, min_freq 3,
 * max_p 0.05, smooth 1, everything else 0. */
QUARRY_API void quarry_keywords_options_init(quarry_keywords_options *o);

/** One keyword. */
typedef struct quarry_keyword {
    const char *text; /* borrowed from the result */
    size_t len;
    int direction;    /* +1: relatively more frequent in the target, -1 less */
    uint64_t rank;    /* 1-based within its direction */
    quarry_keyness k; /* a = target frequency, b = reference, n1, n2 sizes */
    double per_million_target, per_million_reference;
    double chi2; /* k.chi2 or k.chi2_yates as asked, signed */
    double p;    /* the p-value the threshold was applied to */
} quarry_keyword;

typedef struct quarry_keywords quarry_keywords;

/**
 * Compares the items of a target (tsc over tix; NULL: every live document)
 * with a reference: rsc over rix (terms of two indexes are matched by
 * text), or, when rix is NULL, the live documents of tix outside tsc.
 * Sizes are the counted tokens of each side. Positive keywords come first,
 * each direction ordered by the measure (strongest first), ties by text.
 * opts NULL: quarry_keywords_options_init's. *out owned by the caller.
 * Errors (message on env): QUARRY_EINVAL (bad option, an empty side),
 * QUARRY_ECORRUPT, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_keywords_new(quarry_env *env, quarry_index *tix,
                                   const quarry_subcorpus *tsc,
                                   quarry_index *rix,
                                   const quarry_subcorpus *rsc,
                                   const quarry_keywords_options *opts,
                                   quarry_keywords **out);
QUARRY_API void quarry_keywords_free(quarry_keywords *kw);
QUARRY_API size_t quarry_keywords_count(const quarry_keywords *kw);
QUARRY_API int quarry_keywords_get(const quarry_keywords *kw, size_t i,
                                   quarry_keyword *out);
/** Counted tokens and documents of the target and the reference. */
QUARRY_API void quarry_keywords_sizes(const quarry_keywords *kw,
                                      uint64_t *target_tokens,
                                      uint64_t *target_docs,
                                      uint64_t *reference_tokens,
                                      uint64_t *reference_docs);

typedef struct quarry_lexstats_options {
    int unit; /* QUARRY_UNIT_* */
    int include_punct;
    uint32_t window;             /* MATTR window in counted tokens [0 = 100] */
    const quarry_groups *groups; /* rows per group too [NULL: none] */
} quarry_lexstats_options;

/** Lexical statistics of a document, a group or the whole subcorpus. */
typedef struct quarry_lexstats_row {
    uint64_t doc;    /* document id (document rows) */
    size_t group;    /* group index (group rows; documents: their group or
                        SIZE_MAX) */
    uint64_t docs;   /* documents of the row */
    uint64_t tokens; /* counted tokens */
    uint64_t types;  /* distinct items */
    uint64_t hapax;  /* items seen once */
    double ttr;      /* types / tokens (NaN without tokens) */
    double mattr;    /* moving-average TTR (Covington & McFall 2010): mean
                        TTR of every window of `window` tokens inside a
                        document; a shorter document is one window */
} quarry_lexstats_row;

typedef struct quarry_lexstats quarry_lexstats;

/** Computes the rows over sc (NULL: every live document). *out owned by
 * the caller. Errors (message on env): QUARRY_EINVAL, QUARRY_ECORRUPT,
 * QUARRY_ENOMEM. */
QUARRY_API int quarry_lexstats_new(quarry_env *env, quarry_index *ix,
                                   const quarry_subcorpus *sc,
                                   const quarry_lexstats_options *opts,
                                   quarry_lexstats **out);
QUARRY_API void quarry_lexstats_free(quarry_lexstats *ls);
/** Document rows, in document id order. */
QUARRY_API size_t quarry_lexstats_doc_count(const quarry_lexstats *ls);
QUARRY_API int quarry_lexstats_doc_get(const quarry_lexstats *ls, size_t i,
                                       quarry_lexstats_row *out);
/** Group rows (0 without groups), in group order. */
QUARRY_API size_t quarry_lexstats_group_count(const quarry_lexstats *ls);
QUARRY_API int quarry_lexstats_group_get(const quarry_lexstats *ls, size_t i,
                                         quarry_lexstats_row *out);
/** The whole subcorpus as one row. */
QUARRY_API void quarry_lexstats_total_get(const quarry_lexstats *ls,
                                          quarry_lexstats_row *out);

/* ------------------------------------------------------------------------ */
/* Collocations, dispersion, timelines                                      */
/* ------------------------------------------------------------------------ */

/*
 * Analyses of the hits of a query in a subcorpus (core/src/colloc.c,
 * dispersion.c, timeline.c; docs/query-analyses.md). Hits in documents
 * outside the subcorpus (NULL: every live document) are ignored. "Counted
 * tokens" are the tokens whose term is a word, a number or a CJK character
 * (quarry_term_kind); punctuation and symbols are skipped: they are not
 * collocates, do not take room in a window and are not in the totals.
 * Every constructor binds q itself (quarry_search_new): errors as there,
 * with *error_pos (may be NULL); ix is used during the call only.
 */

/** Collocation window and thresholds; NULL means the defaults in [ ]. */
typedef struct quarry_colloc_options {
    uint32_t left;     /* counted tokens before each hit [5] */
    uint32_t right;    /* counted tokens after each hit [5] */
    int sentence;      /* 1: windows stop at the hit's sentence [0] */
    uint64_t min_freq; /* drop collocates rarer in the subcorpus [3] */
    uint64_t min_o11;  /* drop collocates with fewer co-occurrences [2] */
} quarry_colloc_options;

/**
 * One collocate: a term seen in the windows of the node's hits. A window
 * position counts once even when the windows of several hits cover it, and
 * never when it is inside a hit (the node itself). The contingency table is
 * docs/statistics.md's: o11 = the term's positions in the windows, R1 = all
 * counted positions in the windows, C1 = the term's frequency in the
 * subcorpus, N = the subcorpus's counted tokens; assoc holds
 * quarry_assoc_compute(o11, R1 - o11, C1 - o11, N - R1 - C1 + o11).
 * A CJK run counts by its word-layer words when the index has them: a
 * word is one token of a window and one collocate (a window is then
 * counted in words, and C1 and N count words too).
 */
typedef struct quarry_collocate {
    uint32_t term;    /* term id (quarry_index_term_text), UINT32_MAX for a
                         CJK word-layer word that is no term */
    const char *text; /* the collocate, borrowed from the result */
    size_t text_len;
    uint64_t o11;   /* = left + right */
    uint64_t left;  /* positions before a hit (first claimed by a left
                       window, see docs/query-analyses.md) */
    uint64_t right; /* positions after a hit */
    uint64_t c1;    /* frequency of the term in the subcorpus */
    quarry_assoc assoc;
} quarry_collocate;

/** Totals of a collocation analysis. */
typedef struct quarry_colloc_totals {
    uint64_t hits;          /* hits of the node in the subcorpus */
    uint64_t docs;          /* documents holding them */
    uint64_t window_tokens; /* R1 */
    uint64_t tokens;        /* N */
} quarry_colloc_totals;

typedef struct quarry_colloc quarry_colloc;

/**
 * Counts the collocates of q's hits in sc (NULL: every live document of ix)
 * with opts (NULL: defaults). Collocates come ordered by o11 descending,
 * then term id. *out is owned by the caller (quarry_colloc_free). Errors
 * (message on env): those of quarry_search_new and quarry_search_next,
 * QUARRY_ECORRUPT, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_colloc_new(quarry_env *env, quarry_index *ix,
                                 const quarry_query *q,
                                 const quarry_subcorpus *sc,
                                 const quarry_colloc_options *opts,
                                 quarry_colloc **out, size_t *error_pos);
QUARRY_API void quarry_colloc_free(quarry_colloc *c);
QUARRY_API size_t quarry_colloc_count(const quarry_colloc *c);
/** The collocates, borrowed from c (valid until its next sort or free). */
QUARRY_API const quarry_collocate *quarry_colloc_items(const quarry_colloc *c);
QUARRY_API void quarry_colloc_totals_get(const quarry_colloc *c,
                                         quarry_colloc_totals *out);
/**
 * Orders the collocates by a measure, largest first (NaN last; ties by o11
 * descending, then term id): "o11", "e11", "c1", "mi", "mi3", "t", "z",
 * "g2", "chi2", "dice", "log_dice", "log_ratio", "left", "right".
 * QUARRY_EINVAL for another name.
 */
QUARRY_API int quarry_colloc_sort(quarry_colloc *c, const char *measure);

/** One part of a dispersion: a document, or a slice of equal size. */
typedef struct quarry_dispersion_part {
    uint64_t doc;    /* the document (per document), or the document where
                        the slice starts */
    uint64_t first;  /* slices: first counted position in the subcorpus
                        stream; documents: the document's offset in it */
    uint64_t tokens; /* counted tokens of the part */
    uint64_t hits;   /* hits starting in the part */
} quarry_dispersion_part;

typedef struct quarry_dispersion_data quarry_dispersion_data;

/**
 * Hits of q per document of sc (slices == 0) or per slice of the counted
 * token stream of sc (its documents concatenated in id order) cut into
 * slices parts of equal size (the last ones one token shorter when the
 * total does not divide), with the measures of quarry_dispersion_compute
 * over them and every hit's position in that stream. *out is owned by the
 * caller. Errors (message on env): those of quarry_search_new, QUARRY_EINVAL
 * (an empty subcorpus, more slices than counted tokens),
 * QUARRY_ECORRUPT, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_dispersion_data_new(quarry_env *env, quarry_index *ix,
                                          const quarry_query *q,
                                          const quarry_subcorpus *sc,
                                          size_t slices,
                                          quarry_dispersion_data **out,
                                          size_t *error_pos);
QUARRY_API void quarry_dispersion_data_free(quarry_dispersion_data *d);
/** Range, Juilland's D and Gries' DP over the parts (borrowed from d). */
QUARRY_API const quarry_dispersion *
quarry_dispersion_data_measures(const quarry_dispersion_data *d);
QUARRY_API size_t
quarry_dispersion_data_part_count(const quarry_dispersion_data *d);
/** Parts in stream order, borrowed from d. */
QUARRY_API const quarry_dispersion_part *
quarry_dispersion_data_parts(const quarry_dispersion_data *d);
/** Number of hits and, borrowed from d, each hit's counted position in
 * the stream divided by its length (in [0, 1), hits in stream order). */
QUARRY_API size_t
quarry_dispersion_data_hit_count(const quarry_dispersion_data *d);
QUARRY_API const double *
quarry_dispersion_data_positions(const quarry_dispersion_data *d);
/** Counted tokens of the whole stream. */
QUARRY_API uint64_t
quarry_dispersion_data_tokens(const quarry_dispersion_data *d);

/** Hits of one query in one period. */
typedef struct quarry_timeline_cell {
    uint64_t hits;
    uint64_t docs; /* documents of the period with a hit */
} quarry_timeline_cell;

/** The earliest or latest hit of a query (by the field's value, then by
 * document id and position). */
typedef struct quarry_timeline_hit {
    int found;     /* 0: the query has no hit in the subcorpus */
    size_t period; /* its period (group index) */
    uint64_t doc;
    uint64_t first, end; /* its token span */
} quarry_timeline_hit;

typedef struct quarry_timeline quarry_timeline;

/**
 * Counts the hits of n queries per period of field (quarry_groups_new with
 * period) over sc (NULL: every live document). Periods are the groups of
 * the subcorpus's documents, so a period with documents but no hit has
 * zero cells. Documents counted per query with quarry_search_next_doc. On
 * failure *failed (may be NULL) gets the index of the query at fault, or n
 * when the grouping failed. *out is owned by the caller. Errors (message
 * on env): those of quarry_groups_new and quarry_search_new,
 * QUARRY_ECORRUPT, QUARRY_ENOMEM.
 */
QUARRY_API int quarry_timeline_new(quarry_env *env, quarry_index *ix,
                                   const quarry_query *const *queries, size_t n,
                                   const char *field, int period,
                                   const quarry_subcorpus *sc,
                                   quarry_timeline **out, size_t *failed,
                                   size_t *error_pos);
QUARRY_API void quarry_timeline_free(quarry_timeline *t);
QUARRY_API size_t quarry_timeline_query_count(const quarry_timeline *t);
QUARRY_API size_t quarry_timeline_period_count(const quarry_timeline *t);
/** Period i's label ("2024", "2024-03"), borrowed from t. */
QUARRY_API const char *quarry_timeline_period_label(const quarry_timeline *t,
                                                    size_t i);
/** Documents (quarry_groups_docs) and counted tokens of period i. */
QUARRY_API uint64_t quarry_timeline_period_docs(const quarry_timeline *t,
                                                size_t i);
QUARRY_API uint64_t quarry_timeline_period_tokens(const quarry_timeline *t,
                                                  size_t i);
/** The cell of period i and query j (borrowed from t), NULL out of range. */
QUARRY_API const quarry_timeline_cell *
quarry_timeline_cell_get(const quarry_timeline *t, size_t i, size_t j);
/** The first (last == 0) or last hit of query j, NULL out of range. */
QUARRY_API const quarry_timeline_hit *
quarry_timeline_extreme(const quarry_timeline *t, size_t j, int last);

#ifdef __cplusplus
}
#endif

#endif /* QUARRY_H */
