/*
 * query_bind.c - binds a parsed query to one segment: words are tokenized
 * with the index's tokenizer (several tokens make a phrase), wildcards and
 * regexes are expanded over the segment's dictionary into sets of local
 * term ordinals, and sequence attribute tests are compiled (query_exec.h).
 */
#include "pcre_env.h"
#include "query_exec.h"

#include <string.h>

/* PCRE2 bounds on one term or surface-form match: tokens are short. */
#define BIND_MATCH_LIMIT 1000000u
#define BIND_DEPTH_LIMIT 10000u

/* ---- nodes -------------------------------------------------------------- */

static void test_free(quarry_search *s, qx_test *t)
{
    size_t i;
    if (!t)
        return;
    for (i = 0; i < t->nkids; i++)
        test_free(s, t->kids[i]);
    if (t->kids)
        qi_free(s->env, t->kids, t->nkids * sizeof *t->kids);
    if (t->bits)
        qi_free(s->env, t->bits, t->nwords * sizeof *t->bits);
    if (t->lit)
        qi_free(s->env, t->lit, t->lit_len + 1);
    pcre2_code_free(t->re);
    qi_free(s->env, t, sizeof *t);
}

void qx_node_free(quarry_search *s, qx_node *n)
{
    size_t i;
    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        qx_node_free(s, n->kids[i]);
    if (n->kids)
        qi_free(s->env, n->kids, n->nkids * sizeof *n->kids);
    if (n->terms)
        qi_free(s->env, n->terms, n->nterms * sizeof *n->terms);
    if (n->pl)
        qi_free(s->env, n->pl, n->nterms * sizeof *n->pl);
    if (n->pl_state)
        qi_free(s->env, n->pl_state, n->nterms);
    if (n->heap)
        qi_free(s->env, n->heap, n->nterms * sizeof *n->heap);
    if (n->surface)
        qi_free(s->env, n->surface, n->surface_len + 1);
    for (i = 0; i < n->nelems; i++)
        test_free(s, n->elems[i].test);
    if (n->elems)
        qi_free(s->env, n->elems, n->nelems * sizeof *n->elems);
    qi_dictmatch_free(n->dm);
    if (n->order)
        qi_free(s->env, n->order, n->nkids * sizeof *n->order);
    qx_hits_free(s->env, &n->hits);
    qi_free(s->env, n, sizeof *n);
}

static int nomem(quarry_search *s)
{
    qi_set_error(s->errmsg, "search: out of memory");
    return QUARRY_ENOMEM;
}

static int node_new(quarry_search *s, qx_kind kind, qx_node **out)
{
    *out = qi_calloc(s->env, 1, sizeof **out);
    if (!*out)
        return nomem(s);
    (*out)->kind = kind;
    return QUARRY_OK;
}

static int add_kid(quarry_search *s, qx_node *n, qx_node *kid)
{
    qx_node **k = qi_realloc(s->env, n->kids, n->nkids * sizeof *k,
                             (n->nkids + 1) * sizeof *k);
    if (!k) {
        qx_node_free(s, kid);
        return nomem(s);
    }
    k[n->nkids++] = kid;
    n->kids = k;
    return QUARRY_OK;
}

/* Gives n room for nterms terms with their postings cursors. */
static int terms_alloc(quarry_search *s, qx_node *n, size_t nterms)
{
    n->nterms = nterms;
    if (nterms == 0)
        return QUARRY_OK;
    n->terms = qi_calloc(s->env, nterms, sizeof *n->terms);
    n->pl = qi_calloc(s->env, nterms, sizeof *n->pl);
    n->pl_state = qi_calloc(s->env, nterms, 1);
    if (nterms > QX_HEAP_MIN)
        n->heap = qi_calloc(s->env, nterms, sizeof *n->heap);
    if (!n->terms || !n->pl || !n->pl_state ||
        (nterms > QX_HEAP_MIN && !n->heap))
        return nomem(s);
    return QUARRY_OK;
}

/* A QX_TERMS node for one normalized term (absent: no terms). */
static int term_node(quarry_search *s, qi_segment *seg, const char *norm,
                     size_t len, qx_node **out)
{
    qi_term t;
    int rc = node_new(s, QX_TERMS, out);
    if (rc != QUARRY_OK)
        return rc;
    if (!seg)
        return QUARRY_OK;
    rc = qi_segment_term_find(seg, norm, len, &t);
    if (rc == QUARRY_DONE)
        return QUARRY_OK;
    if (rc != QUARRY_OK) {
        qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
        return rc;
    }
    rc = terms_alloc(s, *out, 1);
    if (rc == QUARRY_OK)
        (*out)->terms[0] = t;
    return rc;
}

/* Tokenizes the text of a word; 0 tokens is an error at q->pos. */
static int tokenize_word(quarry_search *s, const qi_qnode *q, const char *text,
                         size_t len, size_t *ntok, size_t *error_pos)
{
    int rc;
    *ntok = 0;
    rc = quarry_tokenize(s->tok, text, len, s->toks);
    if (rc != QUARRY_OK) {
        qi_set_error(s->errmsg, "search: %s", quarry_tokenizer_errmsg(s->tok));
        if (rc == QUARRY_EINVAL && error_pos)
            *error_pos = q->pos;
        return rc;
    }
    *ntok = quarry_tokens_count(s->toks);
    if (*ntok == 0) {
        if (error_pos)
            *error_pos = q->pos;
        qi_set_error(s->errmsg,
                     "search: '%.100s' at position %zu holds no token", text,
                     q->pos);
        return QUARRY_EINVAL;
    }
    return QUARRY_OK;
}

static int bind_word(quarry_search *s, qi_segment *seg, const qi_qnode *q,
                     qx_node **out, size_t *error_pos)
{
    const quarry_token *tv;
    const char *arena;
    size_t n, i;
    qx_node *phrase = NULL;
    int rc = tokenize_word(s, q, q->text, q->text_len, &n, error_pos);
    if (rc != QUARRY_OK)
        return rc;
    /* the tokens live in s->toks until the next tokenize: copy them out
       before binding anything else */
    tv = quarry_tokens_data(s->toks);
    arena = quarry_tokens_arena(s->toks);
    if (n > 1) {
        rc = node_new(s, QX_PHRASE, &phrase);
        if (rc != QUARRY_OK)
            return rc;
    }
    for (i = 0; i < n; i++) {
        qx_node *t = NULL;
        rc = term_node(s, seg, arena + tv[i].norm, tv[i].norm_len, &t);
        if (rc == QUARRY_OK && (q->flags & QN_F_CASE)) {
            t->surface_len = (size_t)(tv[i].end - tv[i].start);
            t->surface =
                qi_strndup(s->env, q->text + tv[i].start, t->surface_len);
            if (!t->surface) {
                t->surface_len = 0;
                rc = nomem(s);
            }
        }
        if (rc != QUARRY_OK) {
            qx_node_free(s, t);
            qx_node_free(s, phrase);
            return rc;
        }
        if (!phrase) {
            *out = t;
            return QUARRY_OK;
        }
        rc = add_kid(s, phrase, t);
        if (rc != QUARRY_OK) {
            qx_node_free(s, phrase);
            return rc;
        }
    }
    *out = phrase;
    return QUARRY_OK;
}

/* ---- patterns ----------------------------------------------------------- */

/* Compiles a PCRE2 pattern anchored at both ends. */
static int compile_pattern(quarry_search *s, const qi_qnode *q, const char *pat,
                           size_t len, int caseless, pcre2_code **out,
                           size_t *error_pos)
{
    pcre2_compile_context *cctx;
    uint32_t flags = PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED |
                     PCRE2_ENDANCHORED | PCRE2_NO_UTF_CHECK;
    int err = 0;
    PCRE2_SIZE off = 0;
    if (!quarry_utf8_valid(pat, len)) {
        if (error_pos)
            *error_pos = q->pos;
        qi_set_error(s->errmsg, "search: pattern at %zu is not valid UTF-8",
                     q->pos);
        return QUARRY_EINVAL;
    }
    if (caseless)
        flags |= PCRE2_CASELESS;
    cctx = pcre2_compile_context_create(s->gctx);
    if (!cctx)
        return nomem(s);
    *out = pcre2_compile((PCRE2_SPTR)pat, len, flags, &err, &off, cctx);
    pcre2_compile_context_free(cctx);
    if (!*out) {
        PCRE2_UCHAR buf[256];
        if (err == PCRE2_ERROR_HEAP_FAILED || err == PCRE2_ERROR_NOMEMORY)
            return nomem(s);
        pcre2_get_error_message(err, buf, sizeof buf);
        if (error_pos)
            *error_pos = q->pos;
        qi_set_error(s->errmsg, "search: pattern at %zu: %s", q->pos,
                     (const char *)buf);
        return QUARRY_EINVAL;
    }
    (void)pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
    return QUARRY_OK;
}

/* Translates a wildcard (* any run, ? one character, \x a literal x) into
 * a PCRE2 pattern in b, and its literal prefix (up to the first wildcard,
 * ASCII only, lower-cased when caseless) into prefix. */
static bool wildcard_pattern(quarry_env *env, const char *w, size_t len,
                             int caseless, qi_buf *b, qi_buf *prefix)
{
    size_t i;
    bool in_prefix = true;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c == '*' || c == '?') {
            in_prefix = false;
            if (!qi_buf_append(env, b, c == '*' ? ".*" : ".", c == '*' ? 2 : 1))
                return false;
            continue;
        }
        if (c == '\\' && i + 1 < len)
            c = (unsigned char)w[++i];
        if (c >= 0x80) {
            in_prefix = false; /* case folding beyond ASCII: no seek */
        } else if (in_prefix) {
            char p = (char)c;
            if (caseless && p >= 'A' && p <= 'Z')
                p = (char)(p - 'A' + 'a');
            if (!qi_buf_push(env, prefix, p))
                return false;
        }
        if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                          (c >= 'A' && c <= 'Z'))) {
            if (!qi_buf_push(env, b, '\\'))
                return false;
        }
        if (!qi_buf_push(env, b, (char)c))
            return false;
    }
    return qi_buf_terminate(env, b) && qi_buf_terminate(env, prefix);
}

/* Expands a compiled pattern over seg's dictionary (from the terms starting
 * with prefix): the matching terms, ascending. */
static int expand(quarry_search *s, qi_segment *seg, const qi_qnode *q,
                  pcre2_code *re, const char *prefix, size_t prefix_len,
                  qi_term **terms, size_t *nterms, size_t *error_pos)
{
    qi_termiter *it;
    uint64_t start = 0;
    size_t cap = 0;
    int rc;
    *terms = NULL;
    *nterms = 0;
    if (!seg)
        return QUARRY_OK;
    if (prefix_len > 0) {
        rc = qi_segment_term_seek(seg, prefix, prefix_len, &start);
        if (rc != QUARRY_OK) {
            qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
            return rc;
        }
    }
    it = qi_alloc(s->env, sizeof *it);
    if (!it)
        return nomem(s);
    rc = qi_termiter_start(it, seg, start);
    while (rc == QUARRY_OK && (rc = qi_termiter_next(it)) == QUARRY_OK) {
        int m;
        if (it->len < prefix_len || memcmp(it->text, prefix, prefix_len) != 0)
            break;
        m = pcre2_match(re, (PCRE2_SPTR)it->text, it->len, 0,
                        PCRE2_NO_UTF_CHECK, s->md, s->mctx);
        if (m == PCRE2_ERROR_NOMATCH)
            continue;
        if (m < 0) {
            /* a pathological pattern: treat the term as no match */
            if (m == PCRE2_ERROR_MATCHLIMIT || m == PCRE2_ERROR_DEPTHLIMIT)
                continue;
            if (m == PCRE2_ERROR_NOMEMORY || m == PCRE2_ERROR_HEAPLIMIT) {
                rc = nomem(s);
                break;
            }
            continue;
        }
        if ((uint64_t)*nterms >= s->max_expansion) {
            if (error_pos)
                *error_pos = q->pos;
            qi_set_error(s->errmsg,
                         "search: '%.100s' at position %zu expands to more "
                         "than %llu terms",
                         q->text ? q->text : "", q->pos,
                         (unsigned long long)s->max_expansion);
            rc = QUARRY_ELIMIT;
            break;
        }
        if (!qi_array_reserve(s->env, (void **)terms, &cap, *nterms + 1,
                              sizeof **terms)) {
            rc = nomem(s);
            break;
        }
        (*terms)[(*nterms)++] = it->term;
    }
    qi_free(s->env, it, sizeof *it);
    if (rc == QUARRY_DONE)
        rc = QUARRY_OK;
    else if (rc == QUARRY_ECORRUPT)
        qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
    if (rc != QUARRY_OK) {
        if (*terms)
            qi_free(s->env, *terms, cap * sizeof **terms);
        *terms = NULL;
        *nterms = 0;
        return rc;
    }
    /* shrink to the exact size the node frees with */
    if (*terms && cap != *nterms) {
        qi_term *t = qi_realloc(s->env, *terms, cap * sizeof **terms,
                                *nterms * sizeof **terms);
        if (!t) {
            qi_free(s->env, *terms, cap * sizeof **terms);
            *terms = NULL;
            *nterms = 0;
            return nomem(s);
        }
        *terms = t;
    }
    return QUARRY_OK;
}

/* Compiles a wildcard or regex query node (or attribute value of kind
 * vkind) into the terms it expands to in seg. */
static int expand_node(quarry_search *s, qi_segment *seg, const qi_qnode *q,
                       int vkind, qi_term **terms, size_t *nterms,
                       size_t *error_pos)
{
    qi_buf pat = {0}, prefix = {0};
    pcre2_code *re = NULL;
    int caseless, rc;
    caseless = !(quarry_index_tokenizer_options(s->ix)->flags &
                 QUARRY_TOK_CASE_SENSITIVE);
    if (vkind == QV_WILDCARD) {
        if (!wildcard_pattern(s->env, q->text, q->text_len, caseless, &pat,
                              &prefix)) {
            rc = nomem(s);
            goto done;
        }
        rc = compile_pattern(s, q, pat.data, pat.len, caseless, &re, error_pos);
    } else {
        rc = compile_pattern(s, q, q->text, q->text_len,
                             (q->flags & QN_F_CASELESS) != 0, &re, error_pos);
    }
    if (rc == QUARRY_OK)
        rc = expand(s, seg, q, re, prefix.data ? prefix.data : "", prefix.len,
                    terms, nterms, error_pos);
done:
    pcre2_code_free(re);
    qi_buf_free(s->env, &pat);
    qi_buf_free(s->env, &prefix);
    return rc;
}

static int bind_pattern(quarry_search *s, qi_segment *seg, const qi_qnode *q,
                        qx_node **out, size_t *error_pos)
{
    qi_term *terms = NULL;
    size_t n = 0;
    int rc =
        expand_node(s, seg, q, q->kind == QN_WILDCARD ? QV_WILDCARD : QV_REGEX,
                    &terms, &n, error_pos);
    if (rc != QUARRY_OK)
        return rc;
    rc = node_new(s, QX_TERMS, out);
    if (rc != QUARRY_OK) {
        if (terms)
            qi_free(s->env, terms, n * sizeof *terms);
        return rc;
    }
    (*out)->terms = terms;
    (*out)->nterms = n;
    if (n > 0) {
        (*out)->pl = qi_calloc(s->env, n, sizeof *(*out)->pl);
        (*out)->pl_state = qi_calloc(s->env, n, 1);
        if (n > QX_HEAP_MIN)
            (*out)->heap = qi_calloc(s->env, n, sizeof *(*out)->heap);
        if (!(*out)->pl || !(*out)->pl_state ||
            (n > QX_HEAP_MIN && !(*out)->heap))
            return nomem(s);
    }
    return QUARRY_OK;
}

/* ---- sequences ---------------------------------------------------------- */

/* A QX_TERMS node over a copy of terms (for the candidates of a sequence). */
static int terms_copy_node(quarry_search *s, const qi_term *terms, size_t n,
                           qx_node **out)
{
    int rc = node_new(s, QX_TERMS, out);
    if (rc == QUARRY_OK)
        rc = terms_alloc(s, *out, n);
    if (rc == QUARRY_OK && n > 0)
        memcpy((*out)->terms, terms, n * sizeof *terms);
    return rc;
}

/* Compiles one attribute test. When the test requires the norm to be in a
 * set and *req is still NULL, *req gets a QX_TERMS node over that set. */
static int bind_test(quarry_search *s, qi_segment *seg, const qi_qnode *q,
                     qx_test **out, qx_node **req, size_t *error_pos)
{
    qx_test *t = qi_calloc(s->env, 1, sizeof *t);
    size_t i;
    int rc = QUARRY_OK;
    if (!t)
        return nomem(s);
    *out = t;
    t->kind = q->kind;
    t->attr = q->attr;
    t->op = q->op;
    t->vkind = q->vkind;
    if (q->kind == QN_ATTR_AND || q->kind == QN_ATTR_OR ||
        q->kind == QN_ATTR_NOT) {
        if (q->nkids > 0) {
            t->kids = qi_calloc(s->env, q->nkids, sizeof *t->kids);
            if (!t->kids)
                return nomem(s);
            t->nkids = q->nkids;
        }
        for (i = 0; i < q->nkids && rc == QUARRY_OK; i++)
            rc = bind_test(s, seg, q->kids[i], &t->kids[i],
                           q->kind == QN_ATTR_AND ? req : NULL, error_pos);
        return rc;
    }
    if (q->kind != QN_ATTR) {
        qi_set_error(s->errmsg, "search: unexpected node in a token test");
        return QUARRY_EINVAL;
    }
    if (q->attr == QA_WORD) {
        if (q->vkind == QV_LITERAL) {
            t->lit = qi_strndup(s->env, q->text ? q->text : "", q->text_len);
            if (!t->lit)
                return nomem(s);
            t->lit_len = q->text_len;
            return QUARRY_OK;
        }
        if (q->vkind == QV_WILDCARD) {
            qi_buf pat = {0}, prefix = {0};
            if (!wildcard_pattern(s->env, q->text, q->text_len, 0, &pat,
                                  &prefix))
                rc = nomem(s);
            else
                rc = compile_pattern(s, q, pat.data, pat.len, 0, &t->re,
                                     error_pos);
            qi_buf_free(s->env, &pat);
            qi_buf_free(s->env, &prefix);
            return rc;
        }
        return compile_pattern(s, q, q->text, q->text_len,
                               (q->flags & QN_F_CASELESS) != 0, &t->re,
                               error_pos);
    }
    if (q->vkind == QV_LITERAL) {
        size_t n;
        const quarry_token *tv;
        qi_term term;
        rc = tokenize_word(s, q, q->text, q->text_len, &n, error_pos);
        if (rc != QUARRY_OK)
            return rc;
        /* a value of several tokens can never equal one token's norm */
        if (n != 1 || !seg)
            goto required;
        tv = quarry_tokens_data(s->toks);
        rc = qi_segment_term_find(seg, quarry_tokens_arena(s->toks) + tv->norm,
                                  tv->norm_len, &term);
        if (rc == QUARRY_DONE)
            goto required;
        if (rc != QUARRY_OK) {
            qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
            return rc;
        }
        t->ord = term.ordinal;
        t->has_ord = 1;
        if (req && !*req && q->op == QA_EQ)
            return terms_copy_node(s, &term, 1, req);
        return QUARRY_OK;
    required:
        if (req && !*req && q->op == QA_EQ)
            return terms_copy_node(s, NULL, 0, req);
        return QUARRY_OK;
    } else {
        qi_term *terms = NULL;
        size_t n = 0, j;
        qi_segment_stats st;
        rc = expand_node(s, seg, q, q->vkind, &terms, &n, error_pos);
        if (rc != QUARRY_OK)
            return rc;
        if (seg) {
            qi_segment_stats_get(seg, &st);
            t->nwords = (size_t)((st.term_count + 63) / 64);
            if (t->nwords == 0)
                t->nwords = 1;
            t->bits = qi_calloc(s->env, t->nwords, sizeof *t->bits);
            if (!t->bits) {
                t->nwords = 0;
                rc = nomem(s);
            }
            for (j = 0; j < n && rc == QUARRY_OK; j++)
                t->bits[terms[j].ordinal / 64] |= 1ull
                                                  << (terms[j].ordinal % 64);
        }
        if (rc == QUARRY_OK && req && !*req && q->op == QA_EQ)
            rc = terms_copy_node(s, terms, n, req);
        if (terms)
            qi_free(s->env, terms, n * sizeof *terms);
        return rc;
    }
}

static int add_elem(quarry_search *s, qx_node *n, qx_test *test, uint32_t min,
                    uint32_t max, qx_node *req)
{
    qx_elem *e = qi_realloc(s->env, n->elems, n->nelems * sizeof *e,
                            (n->nelems + 1) * sizeof *e);
    if (!e) {
        test_free(s, test);
        return nomem(s);
    }
    e[n->nelems].test = test;
    e[n->nelems].min = min;
    e[n->nelems].max = max;
    e[n->nelems].req = req;
    n->nelems++;
    n->elems = e;
    return QUARRY_OK;
}

static int bind_seq(quarry_search *s, qi_segment *seg, const qi_qnode *q,
                    qx_node **out, size_t *error_pos)
{
    qx_node *n;
    size_t i;
    int rc = node_new(s, QX_SEQ, out);
    if (rc != QUARRY_OK)
        return rc;
    n = *out;
    for (i = 0; i < q->nkids; i++) {
        const qi_qnode *k = q->kids[i];
        qx_node *req = NULL;
        qx_test *t = NULL;
        if (k->kind != QN_TOKEN) {
            qi_set_error(s->errmsg, "search: a sequence holds only tokens");
            return QUARRY_EINVAL;
        }
        if ((k->flags & QN_F_PHRASE) && k->nkids == 1 && k->kids[0]->text) {
            /* a quoted string: one element per token, each required (on
               its norm; on its surface too for ="...") */
            const qi_qnode *a = k->kids[0];
            size_t ntok, j;
            rc = tokenize_word(s, a, a->text, a->text_len, &ntok, error_pos);
            for (j = 0; j < ntok && rc == QUARRY_OK; j++) {
                const quarry_token *tv;
                qi_term term;
                /* s->toks is reused by nothing below until the next loop */
                rc = quarry_tokenize(s->tok, a->text, a->text_len, s->toks);
                if (rc != QUARRY_OK)
                    return nomem(s);
                tv = quarry_tokens_data(s->toks) + j;
                t = qi_calloc(s->env, 1, sizeof *t);
                if (!t)
                    return nomem(s);
                t->kind = QN_ATTR;
                t->attr = a->attr;
                t->op = QA_EQ;
                t->vkind = QV_LITERAL;
                if (a->attr == QA_WORD) {
                    /* ="Text": the surface of each token; its norm still
                       gives the candidates */
                    t->lit_len = (size_t)(tv->end - tv->start);
                    t->lit =
                        qi_strndup(s->env, a->text + tv->start, t->lit_len);
                    if (!t->lit) {
                        t->lit_len = 0;
                        test_free(s, t);
                        return nomem(s);
                    }
                }
                rc = seg ? qi_segment_term_find(
                               seg, quarry_tokens_arena(s->toks) + tv->norm,
                               tv->norm_len, &term)
                         : QUARRY_DONE;
                if (rc == QUARRY_OK) {
                    t->ord = term.ordinal;
                    t->has_ord = 1;
                } else if (rc != QUARRY_DONE) {
                    test_free(s, t);
                    qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
                    return rc;
                }
                rc = terms_copy_node(s, &term, t->has_ord ? 1 : 0, &req);
                if (rc == QUARRY_OK)
                    rc = add_kid(s, n, req);
                else
                    qx_node_free(s, req);
                if (rc != QUARRY_OK) {
                    test_free(s, t);
                    return rc;
                }
                rc = add_elem(s, n, t, 1, 1, req);
            }
            if (rc != QUARRY_OK)
                return rc;
            continue;
        }
        if (k->nkids > 0) {
            rc = bind_test(s, seg, k->kids[0], &t, k->min >= 1 ? &req : NULL,
                           error_pos);
            if (rc != QUARRY_OK) {
                test_free(s, t);
                qx_node_free(s, req);
                return rc;
            }
        }
        if (req) {
            rc = add_kid(s, n, req);
            if (rc != QUARRY_OK) {
                test_free(s, t);
                return rc;
            }
        }
        rc = add_elem(s, n, t, k->min, k->max, req);
        if (rc != QUARRY_OK)
            return rc;
    }
    if (n->nelems == 0) {
        if (error_pos)
            *error_pos = q->pos;
        qi_set_error(s->errmsg, "search: empty sequence at %zu", q->pos);
        return QUARRY_EINVAL;
    }
    /* anchor on the rarest required element */
    {
        uint64_t best = UINT64_MAX;
        for (i = 0; i < n->nelems; i++) {
            const qx_node *r = n->elems[i].req;
            uint64_t df = 0;
            size_t j;
            if (!r)
                continue;
            for (j = 0; j < r->nterms; j++)
                df += r->terms[j].doc_freq;
            if (df < best) {
                best = df;
                n->anchor = i;
                n->has_anchor = 1;
            }
        }
    }
    return QUARRY_OK;
}

/* ---- dictionaries ------------------------------------------------------ */

/* A matcher for seg plus a QX_TERMS kid over its anchors (the documents
 * that can hold a match). */
static int bind_dict(quarry_search *s, qi_segment *seg, const qi_qnode *q,
                     qx_node **out, size_t *error_pos)
{
    const uint64_t *anchors;
    size_t na, i, nt = 0;
    qx_node *n, *kid = NULL;
    char *buf = NULL;
    int rc = node_new(s, QX_DICT, out);
    if (rc != QUARRY_OK)
        return rc;
    n = *out;
    if (!q->dict) {
        qi_set_error(s->errmsg, "search: dictionary node without dictionary");
        return QUARRY_EINVAL;
    }
    rc = node_new(s, QX_TERMS, &kid);
    if (rc == QUARRY_OK)
        rc = add_kid(s, n, kid);
    if (rc != QUARRY_OK || !seg)
        return rc;
    rc = qi_dictmatch_new(s->env, q->dict, q->dict_mode, seg, s->tok,
                          s->max_expansion, &n->dm, s->errmsg);
    if (rc != QUARRY_OK) {
        n->dm = NULL;
        if (rc == QUARRY_ELIMIT && error_pos)
            *error_pos = q->pos;
        return rc;
    }
    anchors = qi_dictmatch_anchors(n->dm, &na);
    if (na == 0)
        return QUARRY_OK;
    rc = terms_alloc(s, kid, na);
    buf = qi_alloc(s->env, QI_MAX_TERM + 1);
    if (rc == QUARRY_OK && !buf)
        rc = nomem(s);
    for (i = 0; i < na && rc == QUARRY_OK; i++) {
        size_t len = 0;
        rc = qi_segment_term_text(seg, anchors[i], buf, &len);
        if (rc == QUARRY_OK)
            rc = qi_segment_term_find(seg, buf, len, &kid->terms[nt]);
        if (rc == QUARRY_OK)
            nt++;
        else if (rc == QUARRY_DONE)
            rc = QUARRY_OK; /* cannot happen on a sound segment */
        else
            qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
    }
    if (buf)
        qi_free(s->env, buf, QI_MAX_TERM + 1);
    if (rc == QUARRY_OK && nt < na) {
        rc = QUARRY_ECORRUPT;
        qi_set_error(s->errmsg, "search: a dictionary anchor is not a term");
    }
    return rc;
}

/* ---- the tree ----------------------------------------------------------- */

int qx_bind(quarry_search *s, qi_segment *seg, const qi_qnode *q, qx_node **out,
            size_t *error_pos)
{
    qx_node *n = NULL;
    size_t i;
    int rc;
    *out = NULL;
    switch (q->kind) {
    case QN_TERM: rc = bind_word(s, seg, q, out, error_pos); break;
    case QN_WILDCARD:
    case QN_REGEX: rc = bind_pattern(s, seg, q, out, error_pos); break;
    case QN_SEQ: rc = bind_seq(s, seg, q, out, error_pos); break;
    case QN_AND:
    case QN_OR:
    case QN_NOT:
    case QN_NEAR:
        rc = node_new(s,
                      q->kind == QN_AND   ? QX_AND
                      : q->kind == QN_OR  ? QX_OR
                      : q->kind == QN_NOT ? QX_NOT
                                          : QX_NEAR,
                      out);
        if (rc != QUARRY_OK)
            break;
        (*out)->near = q->near;
        (*out)->ordered = (q->flags & QN_F_ORDERED) != 0;
        for (i = 0; i < q->nkids && rc == QUARRY_OK; i++) {
            rc = qx_bind(s, seg, q->kids[i], &n, error_pos);
            if (rc == QUARRY_OK)
                rc = add_kid(s, *out, n);
            else
                qx_node_free(s, n);
        }
        if (rc == QUARRY_OK && q->nkids == 0) {
            if (error_pos)
                *error_pos = q->pos;
            qi_set_error(s->errmsg, "search: operator without operands at %zu",
                         q->pos);
            rc = QUARRY_EINVAL;
        }
        break;
    case QN_FILTER: rc = node_new(s, QX_FILTER, out); break;
    case QN_DICT: rc = bind_dict(s, seg, q, out, error_pos); break;
    default:
        if (error_pos)
            *error_pos = q->pos;
        qi_set_error(s->errmsg, "search: unexpected query node at %zu", q->pos);
        rc = QUARRY_EINVAL;
        break;
    }
    if (rc != QUARRY_OK) {
        qx_node_free(s, *out);
        *out = NULL;
    }
    return rc;
}
