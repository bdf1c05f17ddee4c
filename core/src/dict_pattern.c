/*
 * dict_pattern.c - the syntax of a dictionary pattern: words separated by
 * spaces, * and ? as globs inside a word, a backslash making either (or a
 * backslash) literal; and globs compiled to normalized pieces and matched
 * against terms (dict_pattern.h). Used by the matcher and the lint.
 */
#include "dict_pattern.h"

#include <string.h>

size_t qi_dict_split_words(const char *p, size_t len, size_t *start,
                           size_t *end, size_t max)
{
    /* entries are stored with white space squeezed to single spaces */
    size_t i = 0, n = 0;
    while (i < len && n < max) {
        size_t j = i;
        while (j < len && p[j] != ' ')
            j++;
        if (j > i) {
            start[n] = i;
            end[n] = j;
            n++;
        }
        i = j + 1;
    }
    return n;
}

static bool escapable(char c)
{
    return c == '*' || c == '?' || c == '\\';
}

bool qi_dict_word_is_glob(const char *w, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        if (w[i] == '\\' && i + 1 < len && escapable(w[i + 1]))
            i++;
        else if (w[i] == '*' || w[i] == '?')
            return true;
    }
    return false;
}

size_t qi_dict_unescape(const char *w, size_t len, char *out)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++) {
        if (w[i] == '\\' && i + 1 < len && escapable(w[i + 1]))
            i++;
        out[n++] = w[i];
    }
    out[n] = '\0';
    return n;
}

void qi_glob_free(quarry_env *env, qi_glob *g)
{
    if (g->ops)
        qi_free(env, g->ops, g->ops_cap * sizeof *g->ops);
    qi_buf_free(env, &g->text);
    memset(g, 0, sizeof *g);
}

static bool add_op(quarry_env *env, qi_glob *g, int kind, size_t off,
                   size_t len)
{
    if (!qi_array_reserve(env, (void **)&g->ops, &g->ops_cap, g->nops + 1,
                          sizeof *g->ops))
        return false;
    g->ops[g->nops].kind = kind;
    g->ops[g->nops].off = off;
    g->ops[g->nops].len = len;
    g->nops++;
    return true;
}

/* Normalizes one literal piece with the tokenizer: the norms of its tokens,
 * concatenated (a piece that is only a part of a word still folds the way
 * the word's term did). */
static int add_literal(quarry_env *env, quarry_tokenizer *tok,
                       quarry_tokens *toks, qi_glob *g, const char *piece,
                       size_t len)
{
    size_t i, n, off = g->text.len;
    const quarry_token *t;
    const char *arena;
    int rc;
    if (len == 0)
        return QUARRY_OK;
    rc = quarry_tokenize(tok, piece, len, toks);
    if (rc != QUARRY_OK)
        return rc;
    n = quarry_tokens_count(toks);
    t = quarry_tokens_data(toks);
    arena = quarry_tokens_arena(toks);
    for (i = 0; i < n; i++)
        if (!qi_buf_append(env, &g->text, arena + t[i].norm, t[i].norm_len))
            return QUARRY_ENOMEM;
    if (g->text.len > off &&
        !add_op(env, g, QI_GLOB_LIT, off, g->text.len - off))
        return QUARRY_ENOMEM;
    return QUARRY_OK;
}

int qi_glob_compile(quarry_env *env, quarry_tokenizer *tok, quarry_tokens *toks,
                    const char *w, size_t len, qi_glob *g)
{
    qi_buf piece = {0};
    size_t i;
    int rc = QUARRY_OK;
    memset(g, 0, sizeof *g);
    for (i = 0; i <= len && rc == QUARRY_OK; i++) {
        char c = i < len ? w[i] : '\0';
        if (i < len && c == '\\' && i + 1 < len && escapable(w[i + 1])) {
            if (!qi_buf_push(env, &piece, w[++i]))
                rc = QUARRY_ENOMEM;
            continue;
        }
        if (i < len && c != '*' && c != '?') {
            if (!qi_buf_push(env, &piece, c))
                rc = QUARRY_ENOMEM;
            continue;
        }
        rc = add_literal(env, tok, toks, g, piece.data, piece.len);
        piece.len = 0;
        if (rc == QUARRY_OK && i < len) {
            /* ** is one star */
            if (c == '*' && g->nops > 0 &&
                g->ops[g->nops - 1].kind == QI_GLOB_STAR)
                continue;
            if (!add_op(env, g, c == '*' ? QI_GLOB_STAR : QI_GLOB_ONE, 0, 0))
                rc = QUARRY_ENOMEM;
        }
    }
    qi_buf_free(env, &piece);
    if (rc != QUARRY_OK)
        qi_glob_free(env, g);
    return rc;
}

static size_t char_len(const char *s, size_t len)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return n < len ? n : len;
}

bool qi_glob_match(const qi_glob *g, const char *s, size_t len)
{
    /* the classic single-backtrack wildcard walk: on a mismatch, let the
     * last star swallow one more character */
    size_t i = 0, p = 0, star_i = SIZE_MAX, star_p = 0;
    const char *text = g->text.data;
    for (;;) {
        if (i < g->nops) {
            const qi_globop *op = &g->ops[i];
            if (op->kind == QI_GLOB_STAR) {
                star_i = i++;
                star_p = p;
                continue;
            }
            if (op->kind == QI_GLOB_ONE && p < len) {
                p += char_len(s + p, len - p);
                i++;
                continue;
            }
            if (op->kind == QI_GLOB_LIT && len - p >= op->len &&
                memcmp(s + p, text + op->off, op->len) == 0) {
                p += op->len;
                i++;
                continue;
            }
        } else if (p == len) {
            return true;
        }
        if (star_i == SIZE_MAX || star_p >= len)
            return false;
        star_p += char_len(s + star_p, len - star_p);
        p = star_p;
        i = star_i + 1;
    }
}

size_t qi_glob_prefix(const qi_glob *g, const char **prefix)
{
    if (g->nops > 0 && g->ops[0].kind == QI_GLOB_LIT) {
        *prefix = g->text.data + g->ops[0].off;
        return g->ops[0].len;
    }
    *prefix = "";
    return 0;
}

bool qi_glob_is_star(const qi_glob *g)
{
    return g->nops == 1 && g->ops[0].kind == QI_GLOB_STAR;
}
