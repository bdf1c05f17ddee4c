/*
 * query_parse.c - quarry_query_compile: the query language of docs/query.md
 * parsed by recursive descent into the tree of query.h.
 *
 * The parser works on the raw text (no token list): most constructs are
 * recognized by their first characters, and the few decisions that need
 * look-ahead (a quoted string that starts a token sequence, a parenthesized
 * group made only of field filters) scan forward without building anything.
 * Every nesting step (parenthesis, NOT, NEAR, token-test operator) goes
 * through enter(), so recursion and tree depth are bounded by
 * QUARRY_QUERY_MAX_DEPTH whatever the input.
 */
#include "query.h"

#include "pcre_env.h"

#include <stdio.h>
#include <string.h>

#define NEAR_DEFAULT 10u
#define NEAR_MAX 1000000u
#define QUANT_MAX 100u

static const char seq_word_hint[] =
    "in a token sequence, write words in quotes: \"new\" [] \"forces\"";

typedef struct parser {
    quarry_env *env;
    const char *s;
    size_t len; /* end of the part parsed: before a trailing "within X" */
    size_t pos;
    int depth;
    int status; /* QUARRY_OK until the first error */
    size_t err_pos;
    /* Memo of sequence_ahead: from noseq_from up to noseq_to there is a run
     * of quoted strings not followed by '[' (avoids rescanning it from each
     * of its strings). */
    size_t noseq_from, noseq_to;
} parser;

static void *fail(parser *p, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void *fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->status == QUARRY_OK) {
        char msg[QI_ERRMSG_SIZE];
        va_list ap;
        va_start(ap, fmt);
        qi_vset_error(msg, fmt, ap);
        va_end(ap);
        p->status = QUARRY_ESYNTAX;
        p->err_pos = pos;
        /* messages count from 1, as editors and the CLI caret do; *error_pos
         * stays 0-based */
        qi_set_error(p->env->errmsg, "query: %s at position %zu", msg, pos + 1);
    }
    return NULL;
}

static void *oom(parser *p)
{
    if (p->status == QUARRY_OK) {
        p->status = QUARRY_ENOMEM;
        qi_set_error(p->env->errmsg, "query: out of memory");
    }
    return NULL;
}

/* Counts one level of nesting; false (ELIMIT set) past the maximum. */
static bool enter(parser *p, size_t pos)
{
    if (++p->depth > QUARRY_QUERY_MAX_DEPTH) {
        if (p->status == QUARRY_OK) {
            p->status = QUARRY_ELIMIT;
            p->err_pos = pos;
            qi_set_error(p->env->errmsg,
                         "query: nested deeper than %d levels at position %zu",
                         QUARRY_QUERY_MAX_DEPTH, pos + 1);
        }
        return false;
    }
    return true;
}

static void leave(parser *p)
{
    p->depth--;
}

/* ---- characters --------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Ends a word, a keyword or a quoted string. */
static bool is_delim(char c)
{
    return is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' ||
           c == '"' || c == ',';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

static bool is_name_char(unsigned char c)
{
    return is_name_start(c) || is_digit((char)c) || c == '-' || c == '.';
}

/* Bytes of the UTF-8 sequence whose lead byte is c (the text is valid). */
static size_t seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static void skip_space(parser *p)
{
    while (p->pos < p->len && is_space(p->s[p->pos]))
        p->pos++;
}

static bool at(const parser *p, size_t pos, char c)
{
    return pos < p->len && p->s[pos] == c;
}

static bool delim_at(const parser *p, size_t pos)
{
    return pos >= p->len || is_delim(p->s[pos]);
}

static bool keyword_at(const parser *p, size_t pos, const char *kw)
{
    size_t n = strlen(kw);
    return pos + n <= p->len && memcmp(p->s + pos, kw, n) == 0 &&
           delim_at(p, pos + n);
}

static bool any_keyword_at(const parser *p, size_t pos)
{
    return keyword_at(p, pos, "AND") || keyword_at(p, pos, "OR") ||
           keyword_at(p, pos, "NOT");
}

/* NEAR( NEAR/ ONEAR( ONEAR/ */
static bool near_at(const parser *p, size_t pos)
{
    size_t e;
    if (pos + 4 <= p->len && memcmp(p->s + pos, "NEAR", 4) == 0)
        e = pos + 4;
    else if (pos + 5 <= p->len && memcmp(p->s + pos, "ONEAR", 5) == 0)
        e = pos + 5;
    else
        return false;
    return at(p, e, '(') || at(p, e, '/');
}

/* ---- look-ahead --------------------------------------------------------- */

/* End of the quoted string opening at pos (after its closing quote), or 0
 * if it is not closed. Backslash always takes the next byte along, which
 * finds the same end for the phrase and the value escapes. */
static size_t quoted_end(const parser *p, size_t pos)
{
    size_t i = pos + 1;
    while (i < p->len) {
        if (p->s[i] == '\\')
            i += 2;
        else if (p->s[i] == '"')
            return i + 1;
        else
            i++;
    }
    return 0;
}

/* Does a token sequence start at pos: '[' or a run of quoted strings (also
 * ="...") juxtaposed with a '['? */
static bool sequence_ahead(parser *p, size_t pos)
{
    size_t i = pos;
    if (pos >= p->noseq_from && pos < p->noseq_to)
        return false;
    for (;;) {
        while (i < p->len && is_space(p->s[i]))
            i++;
        if (at(p, i, '['))
            return true;
        if (at(p, i, '=') && at(p, i + 1, '"'))
            i++;
        if (!at(p, i, '"'))
            break;
        i = quoted_end(p, i);
        if (!i)
            return false;
    }
    p->noseq_from = pos;
    p->noseq_to = i;
    return false;
}

/* End of a field filter comparison NAME OP VALUE at pos, or 0. VALUE may
 * not start with '/' (so http://x stays a word); an unclosed quoted value
 * runs to the end for the filter compiler to report. */
static size_t filter_item_end(const parser *p, size_t pos)
{
    size_t i = pos;
    if (i >= p->len || !is_name_start((unsigned char)p->s[i]))
        return 0;
    while (i < p->len && is_name_char((unsigned char)p->s[i]))
        i++;
    if (i + 1 < p->len &&
        (p->s[i] == '!' || p->s[i] == '<' || p->s[i] == '>' ||
         p->s[i] == '=') &&
        p->s[i + 1] == '=')
        i += 2;
    else if (i < p->len && (p->s[i] == '=' || p->s[i] == ':' ||
                            p->s[i] == '<' || p->s[i] == '>'))
        i++;
    else
        return 0;
    if (i >= p->len)
        return 0;
    if (p->s[i] == '"') {
        size_t e = quoted_end(p, i);
        return e ? e : p->len;
    }
    if (is_space(p->s[i]) || p->s[i] == '(' || p->s[i] == ')' || p->s[i] == '/')
        return 0;
    while (i < p->len && !is_space(p->s[i]) && p->s[i] != '(' &&
           p->s[i] != ')' && p->s[i] != '"')
        i++;
    return i;
}

/* End of a parenthesized group at pos made only of filter comparisons,
 * AND, OR, NOT and such groups (at least one comparison), or 0. */
static size_t filter_group_end(const parser *p, size_t pos, int depth)
{
    size_t i = pos + 1, e;
    int items = 0;
    if (depth > QUARRY_QUERY_MAX_DEPTH)
        return 0;
    for (;;) {
        while (i < p->len && is_space(p->s[i]))
            i++;
        if (i >= p->len)
            return 0;
        if (p->s[i] == ')')
            return items ? i + 1 : 0;
        if (p->s[i] == '(') {
            e = filter_group_end(p, i, depth + 1);
            items++;
        } else if (keyword_at(p, i, "AND") || keyword_at(p, i, "NOT")) {
            e = i + 3;
        } else if (keyword_at(p, i, "OR")) {
            e = i + 2;
        } else {
            e = filter_item_end(p, i);
            items++;
        }
        if (!e)
            return 0;
        i = e;
    }
}

static size_t filter_at(const parser *p, size_t pos)
{
    if (at(p, pos, '('))
        return filter_group_end(p, pos, 0);
    return filter_item_end(p, pos);
}

/* ---- nodes -------------------------------------------------------------- */

static qi_qnode *node(parser *p, qi_qkind kind, size_t pos, size_t len)
{
    qi_qnode *n = qi_qnode_new(p->env, kind, pos, len);
    return n ? n : oom(p);
}

/* Gives n its text (copied); false on allocation failure. */
static bool set_text(parser *p, qi_qnode *n, const char *text, size_t len)
{
    n->text = qi_strndup(p->env, text, len);
    if (!n->text)
        return oom(p), false;
    n->text_len = len;
    return true;
}

/* A node of kind spanning [start, p->pos) with flags and the text of b;
 * NULL (status set) on failure. */
static qi_qnode *text_node(parser *p, qi_qkind kind, size_t start,
                           unsigned flags, const qi_buf *b)
{
    qi_qnode *n = node(p, kind, start, p->pos - start);
    if (!n)
        return NULL;
    n->flags |= flags;
    if (!set_text(p, n, b->data, b->len)) {
        qi_qnode_free(p->env, n);
        return NULL;
    }
    return n;
}

/* A parenthesized group opening at open: what parse reads inside, then the
 * closing ')'. */
static qi_qnode *parse_paren(parser *p, size_t open,
                             qi_qnode *(*parse)(parser *))
{
    qi_qnode *inner;
    if (!enter(p, open))
        return NULL;
    p->pos++;
    inner = parse(p);
    leave(p);
    if (!inner)
        return NULL;
    skip_space(p);
    if (!at(p, p->pos, ')')) {
        qi_qnode_free(p->env, inner);
        return fail(p, open, "expected ')' to close the '(' at %zu", open + 1);
    }
    p->pos++;
    return inner;
}

/* Adds kid to parent, taking the kids of a kid of the same AND/OR kind
 * instead of the kid itself. kid is freed on failure. */
static bool add_kid(parser *p, qi_qnode *parent, qi_qnode *kid)
{
    size_t i, j;
    bool flatten = kid->kind == parent->kind &&
                   (kid->kind == QN_AND || kid->kind == QN_OR ||
                    kid->kind == QN_ATTR_AND || kid->kind == QN_ATTR_OR);
    if (!flatten) {
        if (qi_qnode_add(p->env, parent, kid))
            return true;
        qi_qnode_free(p->env, kid);
        return oom(p), false;
    }
    for (i = 0; i < kid->nkids; i++) {
        if (!qi_qnode_add(p->env, parent, kid->kids[i])) {
            for (j = 0; j < i; j++)
                kid->kids[j] = NULL; /* now the parent's */
            qi_qnode_free(p->env, kid);
            return oom(p), false;
        }
    }
    qi_free(p->env, kid->kids, kid->nkids * sizeof *kid->kids);
    kid->kids = NULL;
    kid->nkids = 0;
    qi_qnode_free(p->env, kid);
    return true;
}

/* Returns the only kid of a one-kid group in its place; sets the span. */
static qi_qnode *close_group(parser *p, qi_qnode *g, size_t end)
{
    qi_qnode *only;
    g->len = end - g->pos;
    if (g->nkids != 1)
        return g;
    only = g->kids[0];
    qi_free(p->env, g->kids, sizeof *g->kids);
    g->kids = NULL;
    g->nkids = 0;
    qi_qnode_free(p->env, g);
    return only;
}

/* ---- strings ------------------------------------------------------------ */

/* Reads the quoted string at p->pos into b (NUL-terminated), leaving p->pos
 * after the closing quote. any_escape: backslash escapes any character (token
 * test values) rather than only \" and \\ (phrases). raw: keep the escapes
 * (wildcard values). *wild is set if it has an unescaped * or ?. */
static bool read_quoted(parser *p, qi_buf *b, bool any_escape, bool raw,
                        bool *wild, const char *what)
{
    size_t open = p->pos, i = p->pos + 1;
    if (wild)
        *wild = false;
    while (i < p->len && p->s[i] != '"') {
        char c = p->s[i];
        if (c == '\\' && i + 1 < p->len &&
            (any_escape || p->s[i + 1] == '"' || p->s[i + 1] == '\\')) {
            size_t n = seq_len((unsigned char)p->s[i + 1]);
            if (raw && !qi_buf_push(p->env, b, c))
                return oom(p), false;
            if (!qi_buf_append(p->env, b, p->s + i + 1, n))
                return oom(p), false;
            i += 1 + n;
            continue;
        }
        if (wild && (c == '*' || c == '?'))
            *wild = true;
        if (!qi_buf_push(p->env, b, c))
            return oom(p), false;
        i++;
    }
    if (i >= p->len)
        return fail(p, open, "unterminated %s: no '\"' closes the '\"' at %zu",
                    what, open + 1),
               false;
    if (b->len == 0)
        return fail(p, open, "empty %s \"\"", what), false;
    if (!qi_buf_terminate(p->env, b))
        return oom(p), false;
    p->pos = i + 1;
    return true;
}

/* After a quoted string outside [...]: a quantifier or glued text. */
static bool check_after_quote(parser *p)
{
    char c;
    if (delim_at(p, p->pos))
        return true;
    c = p->s[p->pos];
    if (c == '?' || c == '*' || c == '+' || c == '{')
        return fail(p, p->pos,
                    "a quantifier (%c) can only follow a [...] token test, "
                    "not a quoted string: write [norm=\"x\"]%c",
                    c, c),
               false;
    return fail(p, p->pos, "expected white space after the closing '\"'"),
           false;
}

/* ---- regular expressions ------------------------------------------------ */

/* Query offset of byte off of the pattern read from the regex at open. */
static size_t regex_offset(const parser *p, size_t open, size_t off)
{
    size_t i = open + 1, o = 0;
    while (o < off && i < p->len && p->s[i] != '/') {
        if (p->s[i] == '\\' && at(p, i + 1, '/')) {
            i += 2;
        } else if (p->s[i] == '\\' && i + 1 < p->len) {
            i += 2;
            o++;
        } else {
            i++;
        }
        o++;
    }
    return i;
}

/* Checks the pattern with PCRE2 as the executor will compile it. */
static bool validate_regex(parser *p, size_t open, const qi_buf *b,
                           bool caseless)
{
    pcre2_general_context *g;
    pcre2_compile_context *cc;
    pcre2_code *code;
    int err = 0;
    PCRE2_SIZE off = 0;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK;
    if (caseless)
        opts |= PCRE2_CASELESS;
    g = qi_pcre2_context(p->env);
    if (!g)
        return oom(p), false;
    cc = pcre2_compile_context_create(g);
    if (!cc) {
        pcre2_general_context_free(g);
        return oom(p), false;
    }
    code = pcre2_compile((PCRE2_SPTR)b->data, b->len, opts, &err, &off, cc);
    pcre2_compile_context_free(cc);
    pcre2_general_context_free(g);
    if (code) {
        pcre2_code_free(code);
        return true;
    }
    if (err == PCRE2_ERROR_HEAP_FAILED || err == PCRE2_ERROR_NOMEMORY)
        return oom(p), false;
    {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
            strcpy((char *)msg, "invalid pattern");
        fail(p, regex_offset(p, open, off), "regex error: %s",
             (const char *)msg);
    }
    return false;
}

/* Reads /pattern/flags at p->pos into b (\/ unescaped) and validates it. */
static bool read_regex(parser *p, qi_buf *b, bool *caseless)
{
    size_t open = p->pos, i = p->pos + 1;
    *caseless = false;
    while (i < p->len && p->s[i] != '/') {
        size_t n = 1;
        if (p->s[i] == '\\' && at(p, i + 1, '/')) {
            i++; /* the slash alone */
        } else if (p->s[i] == '\\' && i + 1 < p->len) {
            n = 1 + seq_len((unsigned char)p->s[i + 1]);
        }
        if (!qi_buf_append(p->env, b, p->s + i, n))
            return oom(p), false;
        i += n;
    }
    if (i >= p->len)
        return fail(p, open, "unterminated regex: no '/' closes the '/' at %zu",
                    open + 1),
               false;
    if (b->len == 0)
        return fail(p, open, "empty regex //"), false;
    if (!qi_buf_terminate(p->env, b))
        return oom(p), false;
    i++;
    while (i < p->len && ((p->s[i] >= 'a' && p->s[i] <= 'z') ||
                          (p->s[i] >= 'A' && p->s[i] <= 'Z'))) {
        if (p->s[i] != 'i')
            return fail(p, i,
                        "unknown flag '%c' after regex (the only flag is i, "
                        "caseless)",
                        p->s[i]),
                   false;
        if (*caseless)
            return fail(p, i, "flag 'i' given twice after regex"), false;
        *caseless = true;
        i++;
    }
    p->pos = i;
    return validate_regex(p, open, b, *caseless);
}

/* ---- leaves ------------------------------------------------------------- */

static qi_qnode *parse_regex(parser *p)
{
    size_t start = p->pos;
    qi_buf b = {0};
    bool caseless;
    qi_qnode *n = NULL;
    if (!read_regex(p, &b, &caseless))
        goto out;
    if (!delim_at(p, p->pos)) {
        fail(p, p->pos, "expected white space after the regex");
        goto out;
    }
    n = text_node(p, QN_REGEX, start, caseless ? QN_F_CASELESS : 0, &b);
out:
    qi_buf_free(p->env, &b);
    return n;
}

static qi_qnode *parse_phrase(parser *p, unsigned flags)
{
    size_t start = p->pos;
    qi_buf b = {0};
    qi_qnode *n = NULL;
    if (flags & QN_F_CASE)
        p->pos++; /* = */
    if (!read_quoted(p, &b, false, false, NULL, "phrase") ||
        !check_after_quote(p))
        goto out;
    n = text_node(p, QN_TERM, start, flags, &b);
out:
    qi_buf_free(p->env, &b);
    return n;
}

/* A word (also after '='): TERM with the escapes removed, or WILDCARD with
 * them kept (so \* stays a literal star for the matcher). */
static qi_qnode *parse_word(parser *p, unsigned flags)
{
    size_t start = p->pos, wstart, i;
    bool wild = false;
    qi_buf b = {0};
    qi_qnode *n = NULL;
    if (flags & QN_F_CASE)
        p->pos++;
    wstart = i = p->pos;
    while (i < p->len && !is_delim(p->s[i])) {
        if (p->s[i] == '\\') {
            if (i + 1 >= p->len)
                return fail(p, i,
                            "'\\' at the end of the query escapes nothing");
            i += 1 + seq_len((unsigned char)p->s[i + 1]);
            continue;
        }
        if (p->s[i] == '*' || p->s[i] == '?')
            wild = true;
        i++;
    }
    if (i == wstart)
        return fail(p, start,
                    "expected a word or a quoted phrase after '=' (=Word, "
                    "=\"A Phrase\")");
    if (wild && (flags & QN_F_CASE))
        return fail(p, start,
                    "a case-sensitive word cannot have wildcards: use a token "
                    "test such as [word=\"Econ*\"]");
    p->pos = i;
    {
        size_t after = i;
        while (after < p->len && is_space(p->s[after]))
            after++;
        if (after < p->len && sequence_ahead(p, after))
            return fail(p, start, "%s", seq_word_hint);
    }
    n = node(p, wild ? QN_WILDCARD : QN_TERM, start, i - start);
    if (!n)
        return NULL;
    n->flags = flags;
    if (wild) {
        if (!set_text(p, n, p->s + wstart, i - wstart))
            goto fail;
        return n;
    }
    for (i = wstart; i < p->pos; i++) {
        if (p->s[i] == '\\')
            i++;
        if (!qi_buf_push(p->env, &b, p->s[i]))
            goto nomem;
    }
    if (!qi_buf_terminate(p->env, &b))
        goto nomem;
    if (!set_text(p, n, b.data, b.len))
        goto fail;
    qi_buf_free(p->env, &b);
    return n;
nomem:
    oom(p);
fail:
    qi_buf_free(p->env, &b);
    qi_qnode_free(p->env, n);
    return NULL;
}

/* ---- token tests [...] -------------------------------------------------- */

static qi_qnode *parse_attr_or(parser *p);

static qi_qnode *parse_attr_cmp(parser *p)
{
    size_t start = p->pos;
    int attr, op;
    const char *name;
    qi_buf b = {0};
    qi_qnode *n = NULL;
    int vkind = QV_LITERAL;
    bool caseless = false;

    if (p->pos + 4 <= p->len && memcmp(p->s + p->pos, "word", 4) == 0 &&
        !(p->pos + 4 < p->len &&
          is_name_char((unsigned char)p->s[p->pos + 4]))) {
        attr = QA_WORD;
        name = "word";
    } else if (p->pos + 4 <= p->len && memcmp(p->s + p->pos, "norm", 4) == 0 &&
               !(p->pos + 4 < p->len &&
                 is_name_char((unsigned char)p->s[p->pos + 4]))) {
        attr = QA_NORM;
        name = "norm";
    } else if (p->pos >= p->len) {
        return fail(p, p->pos, "expected a token test such as norm=\"tax*\"");
    } else {
        return fail(p, p->pos,
                    "expected 'word' or 'norm' in a token test (e.g. "
                    "[norm=\"tax*\"], [word!=\"Tax\"])");
    }
    p->pos += 4;
    skip_space(p);
    if (at(p, p->pos, '!') && at(p, p->pos + 1, '=')) {
        op = QA_NE;
        p->pos += 2;
    } else if (at(p, p->pos, '=')) {
        op = QA_EQ;
        p->pos++;
    } else {
        return fail(p, p->pos, "expected '=' or '!=' after '%s'", name);
    }
    skip_space(p);
    if (at(p, p->pos, '"')) {
        bool wild;
        size_t open = p->pos;
        if (!read_quoted(p, &b, true, false, &wild, "value"))
            goto out;
        if (wild) {
            /* again, keeping the escapes: the matcher reads \x as x */
            qi_buf_free(p->env, &b);
            p->pos = open;
            if (!read_quoted(p, &b, true, true, NULL, "value"))
                goto out;
            vkind = QV_WILDCARD;
        }
    } else if (at(p, p->pos, '/')) {
        if (!read_regex(p, &b, &caseless))
            goto out;
        vkind = QV_REGEX;
    } else {
        fail(p, p->pos, "expected a \"quoted value\" or a /regex/ after '%s%s'",
             name, op == QA_NE ? "!=" : "=");
        goto out;
    }
    n = text_node(p, QN_ATTR, start, caseless ? QN_F_CASELESS : 0, &b);
    if (n) {
        n->attr = attr;
        n->op = op;
        n->vkind = vkind;
    }
out:
    qi_buf_free(p->env, &b);
    return n;
}

static qi_qnode *parse_attr_not(parser *p)
{
    size_t start;
    qi_qnode *kid, *n;
    skip_space(p);
    start = p->pos;
    if (at(p, p->pos, '!')) {
        if (!enter(p, start))
            return NULL;
        p->pos++;
        kid = parse_attr_not(p);
        leave(p);
        if (!kid)
            return NULL;
        n = node(p, QN_ATTR_NOT, start, p->pos - start);
        if (!n || !add_kid(p, n, kid)) {
            if (!n)
                qi_qnode_free(p->env, kid);
            qi_qnode_free(p->env, n);
            return NULL;
        }
        return n;
    }
    if (at(p, p->pos, '('))
        return parse_paren(p, start, parse_attr_or);
    return parse_attr_cmp(p);
}

/* attr_and: attr_not ('&' attr_not)*; attr_or likewise with '|'. */
static qi_qnode *parse_attr_list(parser *p, bool is_or)
{
    char sep = is_or ? '|' : '&';
    size_t start;
    qi_qnode *g, *kid;
    skip_space(p);
    start = p->pos;
    kid = is_or ? parse_attr_list(p, false) : parse_attr_not(p);
    if (!kid)
        return NULL;
    skip_space(p);
    if (!at(p, p->pos, sep))
        return kid;
    g = node(p, is_or ? QN_ATTR_OR : QN_ATTR_AND, start, 0);
    if (!g) {
        qi_qnode_free(p->env, kid);
        return NULL;
    }
    if (!add_kid(p, g, kid))
        goto fail;
    while (skip_space(p), at(p, p->pos, sep)) {
        p->pos++;
        kid = is_or ? parse_attr_list(p, false) : parse_attr_not(p);
        if (!kid || !add_kid(p, g, kid))
            goto fail;
    }
    return close_group(p, g, p->pos);
fail:
    qi_qnode_free(p->env, g);
    return NULL;
}

static qi_qnode *parse_attr_or(parser *p)
{
    return parse_attr_list(p, true);
}

static bool read_bound(parser *p, uint32_t *v)
{
    size_t start = p->pos;
    uint64_t x = 0;
    while (p->pos < p->len && is_digit(p->s[p->pos])) {
        if (x <= QUANT_MAX)
            x = x * 10 + (uint64_t)(p->s[p->pos] - '0');
        p->pos++;
    }
    if (x > QUANT_MAX)
        return fail(p, start, "repetition bound %.*s is larger than %u",
                    (int)(p->pos - start), p->s + start, QUANT_MAX),
               false;
    *v = (uint32_t)x;
    return true;
}

/* ? * + {n} {n,m} {,m} {n,} right after the ']'. */
static bool parse_quantifier(parser *p, qi_qnode *tok)
{
    size_t q = p->pos;
    if (q >= p->len)
        return true;
    switch (p->s[q]) {
    case '?': tok->min = 0, tok->max = 1, p->pos++; break;
    case '*': tok->min = 0, tok->max = QI_QUANT_INF, p->pos++; break;
    case '+': tok->min = 1, tok->max = QI_QUANT_INF, p->pos++; break;
    case '{': {
        bool has_min, has_max = false, comma = false;
        p->pos++;
        has_min = p->pos < p->len && is_digit(p->s[p->pos]);
        if (has_min && !read_bound(p, &tok->min))
            return false;
        if (!has_min)
            tok->min = 0;
        if (at(p, p->pos, ',')) {
            comma = true;
            p->pos++;
            has_max = p->pos < p->len && is_digit(p->s[p->pos]);
            if (has_max && !read_bound(p, &tok->max))
                return false;
            if (!has_max)
                tok->max = QI_QUANT_INF;
        } else {
            tok->max = tok->min;
        }
        if (!at(p, p->pos, '}')) {
            if (p->pos >= p->len ||
                !(is_digit(p->s[p->pos]) || p->s[p->pos] == ','))
                return fail(p, q,
                            "expected '}' to close the repetition '{' at %zu "
                            "({n}, {n,m}, {,m} or {n,})",
                            q + 1),
                       false;
            return fail(p, p->pos, "unexpected '%c' in a repetition",
                        p->s[p->pos]),
                   false;
        }
        p->pos++;
        if (!has_min && !has_max)
            return fail(p, q,
                        "a repetition needs a bound: {n}, {n,m}, {,m} or {n,}"),
                   false;
        if (comma && has_min && has_max && tok->min > tok->max)
            return fail(p, q,
                        "repetition {%u,%u}: the minimum is larger than the "
                        "maximum",
                        (unsigned)tok->min, (unsigned)tok->max),
                   false;
        if (tok->max == 0)
            return fail(p, q,
                        "a repetition of at most 0 tokens matches "
                        "nothing"),
                   false;
        break;
    }
    default: return true;
    }
    if (!delim_at(p, p->pos))
        return fail(p, p->pos, "expected white space after the repetition"),
               false;
    return true;
}

/* [test]quantifier */
static qi_qnode *parse_token_test(parser *p)
{
    size_t open = p->pos;
    qi_qnode *tok = node(p, QN_TOKEN, open, 0), *test;
    if (!tok)
        return NULL;
    p->pos++;
    skip_space(p);
    if (!at(p, p->pos, ']')) {
        if (p->pos >= p->len) {
            qi_qnode_free(p->env, tok);
            return fail(p, open, "expected ']' to close the '[' at %zu",
                        open + 1);
        }
        test = parse_attr_or(p);
        if (!test || !add_kid(p, tok, test))
            goto fail;
        skip_space(p);
        if (p->pos >= p->len) {
            fail(p, open, "expected ']' to close the '[' at %zu", open + 1);
            goto fail;
        }
        if (!at(p, p->pos, ']')) {
            fail(p, p->pos, "expected '&', '|' or ']' in the token test");
            goto fail;
        }
    }
    p->pos++;
    if (!parse_quantifier(p, tok))
        goto fail;
    tok->len = p->pos - open;
    return tok;
fail:
    qi_qnode_free(p->env, tok);
    return NULL;
}

/* "..." or ="..." inside a sequence: QN_TOKEN(QN_F_PHRASE, QN_ATTR). */
static qi_qnode *parse_seq_string(parser *p)
{
    size_t start = p->pos;
    bool surface = at(p, p->pos, '=');
    qi_buf b = {0};
    qi_qnode *tok = NULL, *a;
    if (surface)
        p->pos++;
    if (!read_quoted(p, &b, false, false, NULL, "phrase") ||
        !check_after_quote(p))
        goto out;
    tok = node(p, QN_TOKEN, start, p->pos - start);
    a = node(p, QN_ATTR, start, p->pos - start);
    if (!tok || !a || !set_text(p, a, b.data, b.len)) {
        qi_qnode_free(p->env, a);
        goto fail;
    }
    a->attr = surface ? QA_WORD : QA_NORM;
    a->op = QA_EQ;
    a->vkind = QV_LITERAL;
    tok->flags |= QN_F_PHRASE;
    if (!add_kid(p, tok, a))
        goto fail;
    goto out;
fail:
    qi_qnode_free(p->env, tok);
    tok = NULL;
out:
    qi_buf_free(p->env, &b);
    return tok;
}

/* A maximal run of juxtaposed [...] and quoted strings (sequence_ahead has
 * found a '[' in it). */
static qi_qnode *parse_seq(parser *p)
{
    size_t start = p->pos, end, i;
    bool real = false;
    qi_qnode *seq = node(p, QN_SEQ, start, 0), *tok;
    if (!seq)
        return NULL;
    for (;;) {
        end = p->pos;
        skip_space(p);
        if (at(p, p->pos, '['))
            tok = parse_token_test(p);
        else if (at(p, p->pos, '"') ||
                 (at(p, p->pos, '=') && at(p, p->pos + 1, '"')))
            tok = parse_seq_string(p);
        else
            break;
        if (!tok || !add_kid(p, seq, tok))
            goto fail;
    }
    p->pos = end;
    seq->len = end - start;
    for (i = 0; i < seq->nkids; i++)
        real |= seq->kids[i]->nkids > 0;
    if (!real) {
        fail(p, start,
             "a token sequence needs a token test or a quoted word: [] "
             "alone matches any text");
        goto fail;
    }
    /* a bare word glued after the sequence was meant as one of its tokens */
    skip_space(p);
    i = p->pos;
    if (i < p->len && !is_delim(p->s[i]) && p->s[i] != '/' &&
        !any_keyword_at(p, i) && !near_at(p, i) && !filter_item_end(p, i)) {
        fail(p, i, "%s", seq_word_hint);
        goto fail;
    }
    p->pos = end;
    return seq;
fail:
    qi_qnode_free(p->env, seq);
    return NULL;
}

/* ---- NEAR and positional expressions ------------------------------------ */

static qi_qnode *parse_near(parser *p);
static qi_qnode *parse_pos_or(parser *p);

/* Leaves that produce hits; the caller has skipped white space and ruled
 * out '(' and filters. */
static qi_qnode *parse_leaf(parser *p)
{
    char c = p->s[p->pos];
    if (c == ']')
        return fail(p, p->pos, "unexpected ']' (no '[' to close)");
    if (c == ',')
        return fail(p, p->pos,
                    "unexpected ',' (commas separate the operands of NEAR)");
    if (c == '[' || ((c == '"' || (c == '=' && at(p, p->pos + 1, '"'))) &&
                     sequence_ahead(p, p->pos)))
        return parse_seq(p);
    if (c == '"')
        return parse_phrase(p, 0);
    if (c == '=' && at(p, p->pos + 1, '"'))
        return parse_phrase(p, QN_F_CASE);
    if (c == '=')
        return parse_word(p, QN_F_CASE);
    if (c == '/')
        return parse_regex(p);
    if (near_at(p, p->pos))
        return parse_near(p);
    return parse_word(p, 0);
}

/* Why the text at p->pos cannot continue a NEAR operand. */
static void *fail_in_near(parser *p, const char *expected)
{
    size_t i = p->pos;
    if (keyword_at(p, i, "AND") || keyword_at(p, i, "NOT"))
        return fail(p, i,
                    "%.3s is not allowed inside NEAR (its operands are words, "
                    "phrases, patterns, sequences, NEAR groups and ORs of "
                    "those)",
                    p->s + i);
    if (filter_at(p, i))
        return fail(p, i, "a field filter cannot be inside NEAR");
    return fail(p, i,
                "expected %s (juxtaposed words are an AND, which NEAR does "
                "not take: write a phrase \"a b\")",
                expected);
}

static qi_qnode *parse_pos_operand(parser *p)
{
    size_t open;
    qi_qnode *inner;
    skip_space(p);
    open = p->pos;
    if (p->pos >= p->len)
        return fail(p, p->pos, "expected a NEAR operand");
    if (p->s[p->pos] == ')' || p->s[p->pos] == ',')
        return fail(p, p->pos, "expected a NEAR operand before '%c'",
                    p->s[p->pos]);
    if (keyword_at(p, p->pos, "OR"))
        return fail(p, p->pos, "OR needs an operand before it");
    if (any_keyword_at(p, p->pos) || filter_at(p, p->pos))
        return fail_in_near(p, "a NEAR operand");
    if (p->s[p->pos] != '(')
        return parse_leaf(p);
    if (!enter(p, open))
        return NULL;
    p->pos++;
    inner = parse_pos_or(p);
    leave(p);
    if (!inner)
        return NULL;
    skip_space(p);
    if (at(p, p->pos, ')')) {
        p->pos++;
        return inner;
    }
    qi_qnode_free(p->env, inner);
    if (p->pos >= p->len)
        return fail(p, open, "expected ')' to close the '(' at %zu", open + 1);
    return fail_in_near(p, "')' or OR");
}

static qi_qnode *parse_pos_or(parser *p)
{
    size_t start, orpos;
    qi_qnode *g, *kid;
    skip_space(p);
    start = p->pos;
    kid = parse_pos_operand(p);
    if (!kid)
        return NULL;
    skip_space(p);
    if (!keyword_at(p, p->pos, "OR"))
        return kid;
    g = node(p, QN_OR, start, 0);
    if (!g) {
        qi_qnode_free(p->env, kid);
        return NULL;
    }
    if (!add_kid(p, g, kid))
        goto fail;
    while (skip_space(p), keyword_at(p, p->pos, "OR")) {
        orpos = p->pos;
        p->pos += 2;
        skip_space(p);
        if (p->pos >= p->len || at(p, p->pos, ')') || at(p, p->pos, ',')) {
            fail(p, orpos, "OR needs an operand after it");
            goto fail;
        }
        kid = parse_pos_operand(p);
        if (!kid || !add_kid(p, g, kid))
            goto fail;
    }
    return close_group(p, g, p->pos);
fail:
    qi_qnode_free(p->env, g);
    return NULL;
}

/* NEAR/n(a, b, ...) and ONEAR/n(...); n is 10 without /n. */
static qi_qnode *parse_near(parser *p)
{
    size_t start = p->pos, open, num, head_end;
    bool ordered = p->s[p->pos] == 'O';
    uint64_t n = NEAR_DEFAULT;
    qi_qnode *g, *kid;

    p->pos += ordered ? 5 : 4;
    if (at(p, p->pos, '/')) {
        p->pos++;
        num = p->pos;
        if (!(p->pos < p->len && is_digit(p->s[p->pos])))
            return fail(p, p->pos,
                        "expected a distance after %s/ (e.g. %s/5(a, b))",
                        ordered ? "ONEAR" : "NEAR", ordered ? "ONEAR" : "NEAR");
        n = 0;
        while (p->pos < p->len && is_digit(p->s[p->pos])) {
            if (n <= NEAR_MAX)
                n = n * 10 + (uint64_t)(p->s[p->pos] - '0');
            p->pos++;
        }
        if (n > NEAR_MAX)
            return fail(p, num, "NEAR distance %.*s is larger than %u",
                        (int)(p->pos - num), p->s + num, NEAR_MAX);
    }
    head_end = p->pos;
    skip_space(p);
    if (!at(p, p->pos, '('))
        return fail(p, p->pos, "expected '(' after %.*s",
                    (int)(head_end - start), p->s + start);
    open = p->pos;
    if (!enter(p, start))
        return NULL;
    p->pos++;
    g = node(p, QN_NEAR, start, 0);
    if (!g)
        goto fail;
    g->near = (uint32_t)n;
    if (ordered)
        g->flags |= QN_F_ORDERED;
    for (;;) {
        kid = parse_pos_or(p);
        if (!kid || !add_kid(p, g, kid))
            goto fail;
        skip_space(p);
        if (at(p, p->pos, ',')) {
            p->pos++;
            continue;
        }
        if (at(p, p->pos, ')')) {
            p->pos++;
            break;
        }
        if (p->pos >= p->len)
            fail(p, open, "expected ')' to close the '(' at %zu", open + 1);
        else
            fail_in_near(p, "',' or ')'");
        goto fail;
    }
    leave(p);
    if (g->nkids < 2) {
        qi_qnode_free(p->env, g);
        return fail(p, start,
                    "NEAR needs at least 2 operands, separated by "
                    "commas");
    }
    g->len = p->pos - start;
    return g;
fail:
    leave(p);
    qi_qnode_free(p->env, g);
    return NULL;
}

/* ---- boolean expressions ------------------------------------------------ */

static qi_qnode *parse_or(parser *p);

/* The filter text [start, end) compiled into a QN_FILTER; the filter's error
 * position is mapped back into the query. */
static qi_qnode *make_filter(parser *p, size_t start, size_t end)
{
    quarry_filter *f = NULL;
    size_t epos = 0;
    qi_qnode *n;
    int rc =
        quarry_filter_compile(p->env, p->s + start, end - start, &f, &epos);
    if (rc == QUARRY_ENOMEM)
        return oom(p);
    if (rc != QUARRY_OK) {
        char msg[QI_ERRMSG_SIZE];
        const char *m = p->env->errmsg, *cut;
        if (strncmp(m, "filter: ", 8) == 0)
            m += 8;
        snprintf(msg, sizeof msg, "%s", m);
        cut = strstr(msg, " at position ");
        if (cut)
            msg[cut - msg] = '\0';
        return fail(p, start + epos, "in the field filter: %s", msg);
    }
    p->pos = end;
    n = node(p, QN_FILTER, start, end - start);
    if (!n) {
        quarry_filter_free(f);
        return NULL;
    }
    n->filter = f;
    return n;
}

static qi_qnode *parse_primary(parser *p)
{
    size_t open = p->pos, e;
    e = filter_at(p, p->pos);
    if (e)
        return make_filter(p, p->pos, e);
    if (p->s[p->pos] != '(')
        return parse_leaf(p);
    return parse_paren(p, open, parse_or);
}

static qi_qnode *parse_unary(parser *p)
{
    size_t notpos = p->pos, e;
    qi_qnode *kid, *n;
    if (!keyword_at(p, p->pos, "NOT"))
        return parse_primary(p);
    p->pos += 3;
    skip_space(p);
    if (p->pos >= p->len || at(p, p->pos, ')') ||
        keyword_at(p, p->pos, "AND") || keyword_at(p, p->pos, "OR"))
        return fail(p, notpos, "NOT needs an operand after it");
    if (keyword_at(p, p->pos, "NOT"))
        return fail(p, p->pos, "NOT NOT is not allowed: drop both");
    e = filter_at(p, p->pos);
    if (e) /* NOT year=2020 is one filter */
        return make_filter(p, notpos, e);
    if (!enter(p, notpos))
        return NULL;
    kid = parse_primary(p);
    leave(p);
    if (!kid)
        return NULL;
    n = node(p, QN_NOT, notpos, p->pos - notpos);
    if (!n) {
        qi_qnode_free(p->env, kid);
        return NULL;
    }
    if (!add_kid(p, n, kid)) {
        qi_qnode_free(p->env, n);
        return NULL;
    }
    return n;
}

/* Operands joined by AND or juxtaposition, up to OR, ')' or the end. */
static qi_qnode *parse_and(parser *p)
{
    size_t start, andpos, i;
    qi_qnode *g, *kid;
    bool positive = false;
    skip_space(p);
    start = p->pos;
    g = node(p, QN_AND, start, 0);
    if (!g)
        return NULL;
    for (;;) {
        skip_space(p);
        if (p->pos >= p->len || at(p, p->pos, ')') ||
            keyword_at(p, p->pos, "OR"))
            break;
        if (keyword_at(p, p->pos, "AND")) {
            andpos = p->pos;
            if (g->nkids == 0) {
                fail(p, andpos, "AND needs an operand before it");
                goto fail;
            }
            p->pos += 3;
            skip_space(p);
            if (p->pos >= p->len || at(p, p->pos, ')') ||
                keyword_at(p, p->pos, "OR") || keyword_at(p, p->pos, "AND")) {
                fail(p, andpos, "AND needs an operand after it");
                goto fail;
            }
        }
        kid = parse_unary(p);
        if (!kid || !add_kid(p, g, kid))
            goto fail;
    }
    if (g->nkids == 0) {
        if (p->pos >= p->len)
            fail(p, p->pos, "expected a word, phrase or pattern at the end");
        else if (p->s[p->pos] == ')')
            fail(p, p->pos, "expected a word, phrase or pattern before ')'");
        else
            fail(p, p->pos, "OR needs an operand before it");
        goto fail;
    }
    for (i = 0; i < g->nkids; i++)
        positive |= g->kids[i]->kind != QN_NOT;
    if (!positive) {
        fail(p, g->kids[0]->pos,
             "NOT needs a positive operand in the same AND (a NOT b): alone "
             "or under OR it has nothing to exclude from");
        goto fail;
    }
    return close_group(p, g, p->pos);
fail:
    qi_qnode_free(p->env, g);
    return NULL;
}

static qi_qnode *parse_or(parser *p)
{
    size_t start, orpos;
    qi_qnode *g, *kid;
    skip_space(p);
    start = p->pos;
    if (keyword_at(p, p->pos, "OR"))
        return fail(p, p->pos, "OR needs an operand before it");
    kid = parse_and(p);
    if (!kid)
        return NULL;
    if (!keyword_at(p, p->pos, "OR"))
        return kid;
    g = node(p, QN_OR, start, 0);
    if (!g) {
        qi_qnode_free(p->env, kid);
        return NULL;
    }
    if (!add_kid(p, g, kid))
        goto fail;
    while (keyword_at(p, p->pos, "OR")) {
        orpos = p->pos;
        p->pos += 2;
        skip_space(p);
        if (p->pos >= p->len || at(p, p->pos, ')')) {
            fail(p, orpos, "OR needs an operand after it");
            goto fail;
        }
        if (keyword_at(p, p->pos, "OR")) {
            fail(p, p->pos, "OR needs an operand before it");
            goto fail;
        }
        kid = parse_and(p);
        if (!kid || !add_kid(p, g, kid))
            goto fail;
    }
    return close_group(p, g, p->pos);
fail:
    qi_qnode_free(p->env, g);
    return NULL;
}

/* ---- whole query -------------------------------------------------------- */

/* Field filters select documents and have no hits: they may only be AND-ed
 * with the root, which must keep a positive positional operand. */
static bool check_filters_under(parser *p, const qi_qnode *n)
{
    size_t i;
    for (i = 0; i < n->nkids; i++) {
        if (n->kids[i]->kind == QN_FILTER)
            return fail(p, n->kids[i]->pos,
                        "a field filter can only be AND-ed with the whole "
                        "query (it selects documents and has no hits), not "
                        "used under OR or NOT"),
                   false;
        if (!check_filters_under(p, n->kids[i]))
            return false;
    }
    return true;
}

static bool check_filters(parser *p, const qi_qnode *root)
{
    static const char no_words[] =
        "the query has no word, phrase or pattern (to select documents by "
        "metadata alone, use --filter)";
    size_t i;
    bool positive = false;
    if (root->kind == QN_FILTER)
        return fail(p, 0, "%s", no_words), false;
    if (root->kind != QN_AND)
        return check_filters_under(p, root);
    for (i = 0; i < root->nkids; i++) {
        const qi_qnode *k = root->kids[i];
        if (k->kind == QN_FILTER)
            continue;
        positive |= k->kind != QN_NOT;
        if (!check_filters_under(p, k))
            return false;
    }
    if (!positive)
        return fail(p, 0, "%s", no_words), false;
    return true;
}

/* A trailing "within s|sentence|p|paragraph|doc|document" (the last two
 * items): sets q->scope and returns where the rest of the query ends. */
static size_t strip_scope(const char *s, size_t len, int *scope)
{
    static const struct {
        const char *name;
        int scope;
    } names[] = {{"s", QI_SCOPE_SENTENCE},  {"sentence", QI_SCOPE_SENTENCE},
                 {"p", QI_SCOPE_PARAGRAPH}, {"paragraph", QI_SCOPE_PARAGRAPH},
                 {"doc", QI_SCOPE_DOC},     {"document", QI_SCOPE_DOC}};
    size_t e = len, b, k, a, i;
    while (e > 0 && is_space(s[e - 1]))
        e--;
    b = e;
    while (b > 0 && !is_space(s[b - 1]))
        b--;
    k = b;
    while (k > 0 && is_space(s[k - 1]))
        k--;
    if (k == b || k < 6)
        return len;
    a = k - 6;
    if (memcmp(s + a, "within", 6) != 0 || (a > 0 && !is_space(s[a - 1])))
        return len;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == e - b &&
            memcmp(s + b, names[i].name, e - b) == 0) {
            *scope = names[i].scope;
            return a;
        }
    }
    return len;
}

static qi_qnode *parse_query(parser *p, int *scope)
{
    size_t i = 0, n;
    uint32_t cp;
    qi_qnode *root;

    while (i < p->len) {
        if (p->s[i] == '\0')
            return fail(p, i, "NUL byte in the query");
        n = qi_utf8_decode((const unsigned char *)p->s + i, p->len - i, &cp);
        if (n == 0)
            return fail(p, i, "invalid UTF-8 in the query");
        i += n;
    }
    skip_space(p);
    if (p->pos >= p->len)
        return fail(p, 0, "empty query");
    p->len = strip_scope(p->s, p->len, scope);
    skip_space(p);
    if (p->pos >= p->len)
        return fail(p, 0, "empty query before 'within'");
    root = parse_or(p);
    if (!root)
        return NULL;
    skip_space(p);
    if (p->pos < p->len) { /* parse_or stops only at a ')' it did not open */
        qi_qnode_free(p->env, root);
        return fail(p, p->pos, "unexpected ')' (no '(' to close)");
    }
    if (!check_filters(p, root)) {
        qi_qnode_free(p->env, root);
        return NULL;
    }
    return root;
}

int quarry_query_compile(quarry_env *env, const char *text, size_t len,
                         quarry_query **out, size_t *error_pos)
{
    quarry_query *q;
    parser p;

    if (out)
        *out = NULL;
    if (error_pos)
        *error_pos = 0;
    if (!env || !out || (!text && len)) {
        if (env)
            qi_set_error(env->errmsg, "query: bad arguments");
        return QUARRY_EINVAL;
    }
    q = qi_calloc(env, 1, sizeof *q);
    if (!q) {
        qi_set_error(env->errmsg, "query: out of memory");
        return QUARRY_ENOMEM;
    }
    q->env = env;
    q->text = qi_strndup(env, text ? text : "", len);
    if (!q->text) {
        qi_free(env, q, sizeof *q);
        qi_set_error(env->errmsg, "query: out of memory");
        return QUARRY_ENOMEM;
    }
    q->len = len;
    q->scope = QI_SCOPE_DOC;
    memset(&p, 0, sizeof p);
    p.env = env;
    p.s = q->text;
    p.len = len;
    q->root = parse_query(&p, &q->scope);
    if (p.status != QUARRY_OK) {
        if (error_pos)
            *error_pos = p.err_pos;
        qi_qnode_free(env, q->root);
        q->root = NULL;
        quarry_query_free(q);
        return p.status;
    }
    *out = q;
    return QUARRY_OK;
}
