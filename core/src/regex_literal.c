/*
 * regex_literal.c - the required literal of a pattern: the longest run of
 * bytes that every match must contain, so that a scan can find candidate
 * lines with memmem and run the regex only there.
 *
 * Conservative by construction: only the top-level concatenation is read.
 * Anything whose effect on the set of matches is not plain (alternation at
 * the top, inline options, \Q...\E, verbs, extended mode) makes the answer
 * "no literal", which costs speed, never correctness. Groups, classes and
 * escapes that stand for sets of characters end the current run; a
 * character made optional by ?, * or {0 is dropped from it.
 */
#include "regex.h"

#include <string.h>

typedef struct run_state {
    const char *p;
    size_t len, pos;
    char *out;     /* best run so far */
    size_t best;   /* its length */
    char cur[256]; /* the run being read (longer runs are cut) */
    size_t cur_len;
    size_t last_char; /* offset in cur of the last character appended */
    int last_is_char; /* 1: the previous atom was a character of cur */
    int caseless;
} run_state;

static int has_letter(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* any non-ASCII byte may belong to a cased letter */
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return 1;
    }
    return 0;
}

static void end_run(run_state *st)
{
    if (st->cur_len > st->best &&
        !(st->caseless && has_letter(st->cur, st->cur_len))) {
        memcpy(st->out, st->cur, st->cur_len);
        st->best = st->cur_len;
    }
    st->cur_len = 0;
    st->last_is_char = 0;
}

/* Appends the n bytes of one character to the current run. */
static void add_char(run_state *st, const char *c, size_t n)
{
    if (st->cur_len + n > sizeof st->cur)
        end_run(st);
    st->last_char = st->cur_len;
    memcpy(st->cur + st->cur_len, c, n);
    st->cur_len += n;
    st->last_is_char = 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of a {n}, {n,} or {n,m} quantifier at p[pos] (0 if '{' is a
 * literal there, as PCRE2 reads it); *min_zero is set when n is 0. */
static size_t brace_quantifier(const char *p, size_t len, size_t pos,
                               int *min_zero)
{
    size_t i = pos + 1, digits = 0;
    int zero = 1;
    while (i < len && is_digit(p[i])) {
        if (p[i] != '0')
            zero = 0;
        i++;
        digits++;
    }
    if (digits == 0)
        return 0;
    if (i < len && p[i] == ',') {
        i++;
        while (i < len && is_digit(p[i]))
            i++;
    }
    if (i >= len || p[i] != '}')
        return 0;
    *min_zero = zero;
    return i + 1 - pos;
}

/* Skips a character class starting at p[pos] == '['; returns the position
 * after its ']' or len if it does not close. */
static size_t skip_class(const char *p, size_t len, size_t pos)
{
    size_t i = pos + 1;
    if (i < len && p[i] == '^')
        i++;
    if (i < len && p[i] == ']')
        i++;
    while (i < len && p[i] != ']') {
        if (p[i] == '\\')
            i += 2;
        else if (p[i] == '[' && i + 1 < len && p[i + 1] == ':') {
            const char *close = NULL;
            size_t k;
            for (k = i + 2; k + 1 < len; k++)
                if (p[k] == ':' && p[k + 1] == ']') {
                    close = p + k;
                    break;
                }
            i = close ? (size_t)(close - p) + 2 : i + 1;
        } else
            i++;
    }
    return i < len ? i + 1 : len;
}

/* Skips a group starting at p[pos] == '('; returns the position after its
 * ')' or len if it does not close. */
static size_t skip_group(const char *p, size_t len, size_t pos)
{
    size_t i = pos;
    int depth = 0;
    while (i < len) {
        char c = p[i];
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (c == '[') {
            i = skip_class(p, len, i);
            continue;
        }
        if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return i + 1;
        i++;
    }
    return len;
}

/* Length of the argument of the escape letter at p[pos] (\p{Han} -> the
 * "{Han}" part), or (size_t)-1 for escapes not understood here. */
static size_t escape_argument(const char *p, size_t len, size_t pos)
{
    char c = p[pos];
    size_t i = pos + 1;
    if (strchr("wWsSdDbBAzZGhHvVRXKnrtfae", c))
        return 0;
    if (c == 'p' || c == 'P' || c == 'x' || c == 'o' || c == 'N') {
        if (i < len && p[i] == '{') {
            while (i < len && p[i] != '}')
                i++;
            return i < len ? i + 1 - (pos + 1) : (size_t)-1;
        }
        if (c == 'x') {
            size_t n = 0;
            while (n < 2 && i + n < len &&
                   strchr("0123456789abcdefABCDEF", p[i + n]) && p[i + n])
                n++;
            return n;
        }
        if (c == 'N')
            return 0;
        return (c == 'p' || c == 'P') && i < len ? 1 : (size_t)-1;
    }
    return (size_t)-1;
}

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Reads a quantifier at st->pos, if any, and applies it to the previous
 * atom. */
static void quantifier(run_state *st)
{
    const char *p = st->p;
    size_t q = 0;
    int optional = 0, min_zero = 0;
    char c;
    if (st->pos >= st->len)
        return;
    c = p[st->pos];
    if (c == '*' || c == '?') {
        q = 1;
        optional = 1;
    } else if (c == '+') {
        q = 1;
    } else if (c == '{') {
        q = brace_quantifier(p, st->len, st->pos, &min_zero);
        optional = min_zero;
    }
    if (q == 0)
        return;
    st->pos += q;
    /* lazy and possessive suffixes */
    if (st->pos < st->len && (p[st->pos] == '?' || p[st->pos] == '+'))
        st->pos++;
    if (st->last_is_char) {
        if (optional)
            st->cur_len = st->last_char;
        /* a repeated character stays required, but what follows it is
         * no longer adjacent to what precedes it */
        end_run(st);
    }
}

size_t qi_regex_required_literal(const char *pattern, size_t len,
                                 unsigned flags, char *out)
{
    run_state st;
    memset(&st, 0, sizeof st);
    st.p = pattern;
    st.len = len;
    st.out = out;
    st.caseless = (flags & QUARRY_RE_CASELESS) != 0;
    if (flags & QUARRY_RE_LITERAL) {
        if (st.caseless && has_letter(pattern, len))
            return 0;
        memcpy(out, pattern, len);
        return len;
    }
    /* white space and comments would need their own reading */
    if (flags & QUARRY_RE_EXTENDED)
        return 0;
    while (st.pos < len) {
        char c = pattern[st.pos];
        switch (c) {
        case '|': return 0;
        case ')': return 0; /* unbalanced: PCRE2 rejects it anyway */
        case '(':
            /* options ((?i), (?x), ...), verbs and \Q can change how the
             * rest reads */
            if (st.pos + 1 < len &&
                (pattern[st.pos + 1] == '*' ||
                 (pattern[st.pos + 1] == '?' && st.pos + 2 < len &&
                  strchr("imnsx-^)", pattern[st.pos + 2]) != NULL &&
                  pattern[st.pos + 2] != 0)))
                return 0;
            end_run(&st);
            st.pos = skip_group(pattern, len, st.pos);
            quantifier(&st);
            break;
        case '[':
            end_run(&st);
            st.pos = skip_class(pattern, len, st.pos);
            quantifier(&st);
            break;
        case '.':
        case '^':
        case '$':
            end_run(&st);
            st.pos++;
            quantifier(&st);
            break;
        case '*':
        case '+':
        case '?': return 0; /* a quantifier with nothing before it */
        case '\\': {
            size_t arg;
            char e;
            if (st.pos + 1 >= len)
                return 0;
            e = pattern[st.pos + 1];
            if (!((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
                  is_digit(e) || (unsigned char)e >= 0x80)) {
                add_char(&st, pattern + st.pos + 1, 1);
                st.pos += 2;
                quantifier(&st);
                break;
            }
            if (e == 'Q' || e == 'E')
                return 0;
            arg = escape_argument(pattern, len, st.pos + 1);
            if (arg == (size_t)-1)
                return 0;
            end_run(&st);
            st.pos += 2 + arg;
            quantifier(&st);
            break;
        }
        default: {
            size_t n = utf8_len((unsigned char)c);
            if (st.pos + n > len)
                n = len - st.pos;
            if (c == '{') {
                int z;
                if (brace_quantifier(pattern, len, st.pos, &z))
                    return 0; /* a quantifier with nothing before it */
            }
            add_char(&st, pattern + st.pos, n);
            st.pos += n;
            quantifier(&st);
            break;
        }
        }
    }
    end_run(&st);
    return st.best;
}
