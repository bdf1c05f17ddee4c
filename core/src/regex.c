/*
 * regex.c - compiled regexes with grep-tool semantics (quarry.h, "Regular
 * expressions and raw scans").
 *
 * PCRE2 compiles the pattern with UTF, Unicode properties, multi-line
 * anchors and MATCH_INVALID_UTF (raw files are not repaired, and invalid
 * bytes must simply never match), then JIT-compiles it when the platform
 * allows. Matching searches the whole buffer at once, which lets PCRE2's
 * own start-of-match optimizations skip ahead, and confines a match to the
 * line it starts on only when it actually contains a line break. When the
 * pattern has a required literal, memmem finds candidate lines first and
 * the regex runs on those lines only.
 *
 * PCRE2 allocates through the env's allocator; its blocks carry their size
 * in a small header because PCRE2's free callback does not pass one.
 */
#define _GNU_SOURCE /* memmem, memrchr */
#include "regex.h"
#include "pcre_env.h"

#include <string.h>

/* JIT stack bounds: the upper one is what stops runaway recursion in JIT
 * code, where PCRE2's depth limit does not apply. */
#define JIT_STACK_START (32u * 1024u)
#define JIT_STACK_MAX (1024u * 1024u)

/* How much of the pattern error messages quote. */
#define QUOTE_MAX 60

/* ---- life cycle --------------------------------------------------------- */

void quarry_regex_free(quarry_regex *re)
{
    quarry_env *env;
    if (!re)
        return;
    env = re->env;
    pcre2_match_data_free(re->md);
    pcre2_match_context_free(re->mctx);
    if (re->jit_stack)
        pcre2_jit_stack_free(re->jit_stack);
    pcre2_code_free(re->code);
    pcre2_general_context_free(re->gctx);
    if (re->pattern)
        qi_free(env, re->pattern, re->pattern_len + 1);
    if (re->literal)
        qi_free(env, re->literal, re->literal_len);
    qi_free(env, re, sizeof *re);
}

const char *quarry_regex_errmsg(const quarry_regex *re)
{
    return re ? re->errmsg : "";
}

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* The pattern PCRE2 compiles: a fixed string with every ASCII punctuation
 * escaped, and the word flag as \b(?:...)\b. *prefix gets how many bytes
 * precede the user's pattern (to map error offsets back). */
static int build_source(quarry_env *env, const char *pattern, size_t len,
                        unsigned flags, qi_buf *src, size_t *prefix)
{
    size_t i;
    int word = (flags & QUARRY_RE_WORD) != 0;
    *prefix = 0;
    if (word) {
        if (!qi_buf_append(env, src, "\\b(?:", 5))
            return 0;
        *prefix = 5;
    }
    if (flags & QUARRY_RE_LITERAL) {
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)pattern[i];
            if (c < 0x80 && !is_word_byte(c) && c != ' ' && c != '\n' &&
                !qi_buf_push(env, src, '\\'))
                return 0;
            if (!qi_buf_push(env, src, (char)c))
                return 0;
        }
    } else if (!qi_buf_append(env, src, pattern, len)) {
        return 0;
    }
    /* under x a trailing comment would swallow the closing parenthesis */
    if (word && (flags & QUARRY_RE_EXTENDED) && !qi_buf_push(env, src, '\n'))
        return 0;
    if (word && !qi_buf_append(env, src, ")\\b", 3))
        return 0;
    return qi_buf_terminate(env, src);
}

static int compile_pcre(quarry_regex *re, const char *src, size_t src_len,
                        size_t *error_off, int *error_code)
{
    pcre2_compile_context *cctx;
    uint32_t opts =
        PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE | PCRE2_MATCH_INVALID_UTF;
    PCRE2_SIZE off = 0;
    if (re->flags & QUARRY_RE_CASELESS)
        opts |= PCRE2_CASELESS;
    if (re->flags & QUARRY_RE_DOTALL)
        opts |= PCRE2_DOTALL;
    if (re->flags & QUARRY_RE_EXTENDED)
        opts |= PCRE2_EXTENDED;
    cctx = pcre2_compile_context_create(re->gctx);
    if (!cctx) {
        *error_code = PCRE2_ERROR_NOMEMORY;
        return 0;
    }
    re->code =
        pcre2_compile((PCRE2_SPTR)src, src_len, opts, error_code, &off, cctx);
    pcre2_compile_context_free(cctx);
    *error_off = (size_t)off;
    return re->code != NULL;
}

static int compile_error(quarry_env *env, quarry_regex *re, int code,
                         size_t off, size_t *error_pos)
{
    PCRE2_UCHAR buf[256];
    if (code == PCRE2_ERROR_HEAP_FAILED || code == PCRE2_ERROR_NOMEMORY) {
        qi_set_error(env->errmsg, "regex: out of memory");
        quarry_regex_free(re);
        return QUARRY_ENOMEM;
    }
    pcre2_get_error_message(code, buf, sizeof buf);
    if (error_pos)
        *error_pos = off;
    qi_set_error(env->errmsg, "regex error at position %zu: %s", off,
                 (const char *)buf);
    quarry_regex_free(re);
    return QUARRY_ESYNTAX;
}

static int setup_matching(quarry_regex *re)
{
    re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
    re->md = pcre2_match_data_create_from_pattern(re->code, re->gctx);
    re->mctx = pcre2_match_context_create(re->gctx);
    if (!re->md || !re->mctx)
        return 0;
    pcre2_set_match_limit(re->mctx, QUARRY_RE_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, QUARRY_RE_DEPTH_LIMIT);
    if (re->jit) {
        re->jit_stack =
            pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, re->gctx);
        if (!re->jit_stack)
            return 0;
        pcre2_jit_stack_assign(re->mctx, NULL, re->jit_stack);
    }
    return 1;
}

int quarry_regex_compile(quarry_env *env, const char *pattern, size_t len,
                         unsigned flags, quarry_regex **out, size_t *error_pos)
{
    quarry_regex *re;
    qi_buf src = {0};
    size_t prefix = 0, off = 0;
    int code = 0;
    char *lit;

    if (out)
        *out = NULL;
    if (error_pos)
        *error_pos = 0;
    if (!env || !out || (!pattern && len))
        return QUARRY_EINVAL;
    if (flags &
        ~(unsigned)(QUARRY_RE_CASELESS | QUARRY_RE_LITERAL | QUARRY_RE_DOTALL |
                    QUARRY_RE_EXTENDED | QUARRY_RE_WORD)) {
        qi_set_error(env->errmsg, "regex: unknown flags 0x%x", flags);
        return QUARRY_EINVAL;
    }
    if (!pattern)
        pattern = "";
    re = qi_calloc(env, 1, sizeof *re);
    if (!re)
        goto nomem;
    re->env = env;
    re->flags = flags;
    re->pattern = qi_strndup(env, pattern, len);
    if (!re->pattern)
        goto nomem;
    re->pattern_len = len;

    lit = qi_alloc(env, len ? len : 1);
    if (!lit)
        goto nomem;
    re->literal_len = qi_regex_required_literal(pattern, len, flags, lit);
    if (re->literal_len == 0) {
        qi_free(env, lit, len ? len : 1);
    } else {
        re->literal = qi_realloc(env, lit, len, re->literal_len);
        if (!re->literal) {
            qi_free(env, lit, len);
            goto nomem;
        }
    }
    /* a case-sensitive fixed string needs no regex engine at all */
    if ((flags & ~(unsigned)QUARRY_RE_DOTALL) == QUARRY_RE_LITERAL &&
        re->literal_len > 0 && quarry_utf8_valid(pattern, len)) {
        re->memmem_only = 1;
        re->literal_has_newline = memchr(pattern, '\n', len) != NULL;
        *out = re;
        return QUARRY_OK;
    }

    re->gctx = qi_pcre2_context(env);
    if (!re->gctx)
        goto nomem;
    /* the word wrapper would turn "a)(b" into a valid pattern: check the
     * pattern alone first */
    if ((flags & QUARRY_RE_WORD) && !(flags & QUARRY_RE_LITERAL)) {
        if (!compile_pcre(re, pattern, len, &off, &code))
            return compile_error(env, re, code, off, error_pos);
        pcre2_code_free(re->code);
        re->code = NULL;
    }
    if (!build_source(env, pattern, len, flags, &src, &prefix))
        goto nomem;
    if (!compile_pcre(re, src.data, src.len, &off, &code)) {
        size_t user_off = off > prefix ? off - prefix : 0;
        if ((flags & QUARRY_RE_LITERAL) || user_off > len)
            user_off = user_off > len ? len : user_off;
        qi_buf_free(env, &src);
        return compile_error(env, re, code, user_off, error_pos);
    }
    qi_buf_free(env, &src);
    if (!setup_matching(re))
        goto nomem;
    *out = re;
    return QUARRY_OK;

nomem:
    qi_buf_free(env, &src);
    quarry_regex_free(re);
    qi_set_error(env->errmsg, "regex: out of memory");
    return QUARRY_ENOMEM;
}

int qi_regex_clone(quarry_env *env, const quarry_regex *re, quarry_regex **out)
{
    return quarry_regex_compile(env, re->pattern, re->pattern_len, re->flags,
                                out, NULL);
}

size_t qi_regex_char_len(const char *text, size_t len, size_t pos)
{
    uint32_t cp;
    size_t n;
    if (pos >= len)
        return 1;
    n = qi_utf8_decode((const unsigned char *)text + pos, len - pos, &cp);
    return n ? n : 1;
}

/* ---- matching ----------------------------------------------------------- */

static int limit_error(quarry_regex *re, int rc)
{
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(rc, buf, sizeof buf);
    qi_set_error(
        re->errmsg, "regex '%.*s%s': %s",
        (int)(re->pattern_len > QUOTE_MAX ? QUOTE_MAX : re->pattern_len),
        re->pattern, re->pattern_len > QUOTE_MAX ? "..." : "",
        (const char *)buf);
    if (rc == PCRE2_ERROR_NOMEMORY || rc == PCRE2_ERROR_HEAP_FAILED)
        return QUARRY_ENOMEM;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
        return QUARRY_ELIMIT;
    return QUARRY_EINVAL;
}

/* One PCRE2 run over subject[0, len) from from: QUARRY_OK with the span,
 * QUARRY_DONE or an error. */
static int run_pcre(quarry_regex *re, const char *subject, size_t len,
                    size_t from, size_t *start, size_t *end)
{
    PCRE2_SIZE *ov;
    int rc;
    if (re->jit)
        rc = pcre2_jit_match(re->code, (PCRE2_SPTR)subject, len, from, 0,
                             re->md, re->mctx);
    else
        rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, from, 0, re->md,
                         re->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return QUARRY_DONE;
    if (rc < 0)
        return limit_error(re, rc);
    ov = pcre2_get_ovector_pointer(re->md);
    *start = (size_t)ov[0];
    *end = (size_t)ov[1];
    /* \K in a lookahead can report an end before the start */
    if (*end < *start)
        *end = *start;
    return QUARRY_OK;
}

/* How far past a candidate the end of its line is looked for before the
 * line counts as long: for long lines the regex runs unconfined, so that
 * many hits on one line do not each search for its end. */
#define LINE_PROBE 4096u

/* Line of text containing pos: [*ls, *le), *le at its '\n' or at len. */
static void line_around(const char *text, size_t len, size_t floor, size_t pos,
                        size_t *ls, size_t *le)
{
    const char *nl;
    nl = pos > floor ? memrchr(text + floor, '\n', pos - floor) : NULL;
    *ls = nl ? (size_t)(nl - text) + 1 : floor;
    nl = pos < len ? memchr(text + pos, '\n', len - pos) : NULL;
    *le = nl ? (size_t)(nl - text) : len;
}

/* The regex confined to text[from, le), le being a line end. */
static int run_line(quarry_regex *re, const char *text, size_t from, size_t le,
                    size_t *start, size_t *end)
{
    if (re->memmem_only) {
        const char *hit =
            qi_memfind(text + from, le - from, re->literal, re->literal_len);
        if (!hit)
            return QUARRY_DONE;
        *start = (size_t)(hit - text);
        *end = *start + re->literal_len;
        return QUARRY_OK;
    }
    return run_pcre(re, text, le, from, start, end);
}

/* Line by line from the line of from: the fallback after the whole-buffer
 * search hit a limit, so that the limit applies per line (as in grep tools)
 * and an error names the line that caused it. */
static int search_lines(quarry_regex *re, const char *text, size_t len,
                        size_t from, size_t *start, size_t *end)
{
    while (from <= len) {
        size_t ls, le;
        int rc;
        line_around(text, len, from, from, &ls, &le);
        rc = run_line(re, text, from, le, start, end);
        if (rc == QUARRY_ELIMIT) {
            *start = *end = from;
            return rc;
        }
        if (rc != QUARRY_DONE)
            return rc;
        if (le >= len)
            break;
        from = le + 1;
    }
    return QUARRY_DONE;
}

/* A match found unconfined from from, made to respect lines: if it crosses
 * a line break, the match confined to the line where it starts, else
 * QUARRY_DONE with *next set to the start of the following line. */
static int confine(quarry_regex *re, const char *text, size_t len,
                   size_t *start, size_t *end, size_t *next)
{
    const char *nl = memchr(text + *start, '\n', *end - *start);
    size_t s = *start, le;
    int rc;
    if (!nl)
        return QUARRY_OK;
    le = (size_t)(nl - text);
    rc = run_line(re, text, s, le, start, end);
    if (rc == QUARRY_ELIMIT)
        *start = *end = s;
    *next = le + 1;
    (void)len;
    return rc;
}

/* Candidates from memmem, the regex on their lines only. */
static int search_literal(quarry_regex *re, const char *text, size_t len,
                          size_t from, size_t *start, size_t *end)
{
    size_t pos = from;
    while (pos < len) {
        const char *hit =
            qi_memfind(text + pos, len - pos, re->literal, re->literal_len);
        const char *nl;
        size_t c, ls, window, next = len;
        int rc;
        if (!hit)
            return QUARRY_DONE;
        c = (size_t)(hit - text);
        nl = c > pos ? memrchr(text + pos, '\n', c - pos) : NULL;
        ls = nl ? (size_t)(nl - text) + 1 : pos;
        window = len - c < LINE_PROBE ? len - c : LINE_PROBE;
        nl = memchr(text + c, '\n', window);
        if (nl || c + window == len) {
            size_t le = nl ? (size_t)(nl - text) : len;
            rc = run_line(re, text, ls, le, start, end);
            if (rc == QUARRY_ELIMIT)
                *start = *end = ls;
            if (rc != QUARRY_DONE)
                return rc;
            pos = le + 1;
            continue;
        }
        /* a long line */
        rc = run_pcre(re, text, len, ls, start, end);
        if (rc == QUARRY_ELIMIT)
            return search_lines(re, text, len, ls, start, end);
        if (rc != QUARRY_OK)
            return rc;
        rc = confine(re, text, len, start, end, &next);
        if (rc != QUARRY_DONE)
            return rc;
        pos = next;
    }
    return QUARRY_DONE;
}

static int search(quarry_regex *re, const char *text, size_t len, size_t from,
                  size_t *start, size_t *end)
{
    int rc;
    if (re->memmem_only) {
        const char *hit;
        if (re->literal_has_newline && !(re->flags & QUARRY_RE_DOTALL))
            return QUARRY_DONE;
        hit = qi_memfind(text + from, len - from, re->literal, re->literal_len);
        if (!hit)
            return QUARRY_DONE;
        *start = (size_t)(hit - text);
        *end = *start + re->literal_len;
        return QUARRY_OK;
    }
    if (re->flags & QUARRY_RE_DOTALL) {
        rc = run_pcre(re, text, len, from, start, end);
        if (rc == QUARRY_ELIMIT)
            *start = *end = from;
        return rc;
    }
    if (re->literal_len >= 2)
        return search_literal(re, text, len, from, start, end);
    for (;;) {
        size_t next = len;
        rc = run_pcre(re, text, len, from, start, end);
        if (rc == QUARRY_ELIMIT)
            return search_lines(re, text, len, from, start, end);
        if (rc != QUARRY_OK)
            return rc;
        rc = confine(re, text, len, start, end, &next);
        if (rc != QUARRY_DONE || next >= len)
            return rc;
        from = next;
    }
}

int quarry_regex_next(quarry_regex *re, const char *text, size_t len,
                      size_t from, size_t *start, size_t *end)
{
    int rc;
    if (!re || !start || !end || (!text && len))
        return QUARRY_EINVAL;
    if (!text)
        text = "";
    *start = *end = 0;
    /* the place after a final line break, or an empty text, is no line */
    if (from > len || (from == len && (len == 0 || text[len - 1] == '\n')))
        return QUARRY_DONE;
    rc = search(re, text, len, from, start, end);
    if (rc == QUARRY_OK && *start == len && len > 0 && text[len - 1] == '\n')
        return QUARRY_DONE;
    return rc;
}
