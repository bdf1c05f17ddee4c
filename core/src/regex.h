/*
 * regex.h - what the regex units share with the raw scans (grep.c,
 * grep_index.c): the compiled regex, its required literal and the scan of
 * one buffer. Not installed.
 */
#ifndef QUARRY_REGEX_H
#define QUARRY_REGEX_H

#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct quarry_regex {
    quarry_env *env;
    char *pattern; /* as given (pattern_len + 1 bytes, NUL-terminated) */
    size_t pattern_len;
    unsigned flags;
    /* bytes every match contains (regex_literal.c); NULL if none is known */
    char *literal;
    size_t literal_len;
    /* 1: the whole match is the literal (case-sensitive fixed string), so
     * memmem alone finds matches and code is NULL */
    int memmem_only;
    pcre2_general_context *gctx;
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    int jit;                 /* 1: code was JIT-compiled */
    int literal_has_newline; /* such a fixed string never matches unless
                                QUARRY_RE_DOTALL */
    char errmsg[QI_ERRMSG_SIZE];
};

/*
 * The longest byte string every match of pattern must contain, found
 * conservatively (top-level concatenation only; see regex_literal.c).
 * Copies it into out (room for len bytes) and returns its length; 0 means
 * no literal is known.
 */
size_t qi_regex_required_literal(const char *pattern, size_t len,
                                 unsigned flags, char *out);

/*
 * Copies re's pattern and flags into a new regex for another thread.
 * Errors as quarry_regex_compile (message on env).
 */
int qi_regex_clone(quarry_env *env, const quarry_regex *re, quarry_regex **out);

/* The first occurrence of the k bytes of needle in hay[0, n), or NULL
 * (memmem, faster on text; memfind.c). */
const char *qi_memfind(const char *hay, size_t n, const char *needle, size_t k);

/* Length of the UTF-8 character at text[pos] (1 for an invalid byte). */
size_t qi_regex_char_len(const char *text, size_t len, size_t pos);

/* Where a scan of one buffer delivers each hit: the byte span, the 0-based
 * line number relative to the scan's start and the line [line_start,
 * line_end). Returns 0 to go on, 1 to stop, or a negative status. */
typedef int (*qi_grep_sink)(void *ud, size_t start, size_t end, uint64_t line,
                            size_t line_start, size_t line_end);

/* The outcome of scanning one buffer. */
typedef struct qi_grep_scan_result {
    uint64_t hits;
    uint64_t newlines;   /* '\n' in [from, to) (only counted with lines) */
    uint64_t error_line; /* 0-based relative line of a QUARRY_ELIMIT */
    int stopped;         /* the sink asked to stop */
} qi_grep_scan_result;

/*
 * Scans text[from, to) for matches of re, with text[0, from) as context
 * for lookbehind; from must be 0 or follow a '\n', and to must be len or
 * follow one. With want_lines, hits carry their line and the newlines of
 * the range are counted; without it sink may be NULL (counting only).
 * Returns QUARRY_OK, QUARRY_ELIMIT (message on re, *r->error_line set),
 * QUARRY_ENOMEM, or the sink's negative status.
 */
int qi_grep_scan(quarry_regex *re, const char *text, size_t from, size_t to,
                 int want_lines, qi_grep_sink sink, void *ud,
                 qi_grep_scan_result *r);

#endif
