/* test_query_exec.c - quarry_search_* against a brute-force oracle that
 * evaluates the same query trees directly on each document's token stream:
 * terms, phrases, wildcards, regexes, booleans, NEAR/ONEAR, token sequences,
 * scopes, filters and case-sensitive forms, on a random multi-segment corpus
 * with deletions; plus fixed examples, CJK, errors, next/next_doc/count
 * consistency and allocation failures. Query trees are built with
 * qi_qnode_new so this file does not depend on the parser. */
#include "check.h"
#include "query.h"
#include "testkit.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char root[256];

/* ---- small deterministic random numbers --------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* ---- query trees -------------------------------------------------------- */

static qi_qnode *node(qi_qkind kind, const char *text)
{
    qi_qnode *n = qi_qnode_new(env, kind, 0, 0);
    if (text) {
        n->text_len = strlen(text);
        n->text = qi_strndup(env, text, n->text_len);
    }
    return n;
}

static qi_qnode *kid(qi_qnode *parent, qi_qnode *k)
{
    CHECK(qi_qnode_add(env, parent, k));
    return parent;
}

static qi_qnode *op2(qi_qkind kind, qi_qnode *a, qi_qnode *b)
{
    return kid(kid(node(kind, NULL), a), b);
}

static qi_qnode *near2(uint32_t n, int ordered, qi_qnode *a, qi_qnode *b)
{
    qi_qnode *x = op2(QN_NEAR, a, b);
    x->near = n;
    if (ordered)
        x->flags |= QN_F_ORDERED;
    return x;
}

static qi_qnode *attr(int a, int op, int vkind, const char *text)
{
    qi_qnode *n = node(QN_ATTR, text);
    n->attr = a;
    n->op = op;
    n->vkind = vkind;
    return n;
}

static qi_qnode *token(qi_qnode *test, uint32_t min, uint32_t max)
{
    qi_qnode *t = node(QN_TOKEN, NULL);
    if (test)
        kid(t, test);
    t->min = min;
    t->max = max;
    return t;
}

static qi_qnode *case_term(const char *text)
{
    qi_qnode *n = node(QN_TERM, text);
    n->flags |= QN_F_CASE;
    return n;
}

static qi_qnode *filter_node(const char *text)
{
    qi_qnode *n = node(QN_FILTER, NULL);
    CHECK_EQ_INT(
        quarry_filter_compile(env, text, strlen(text), &n->filter, NULL),
        QUARRY_OK);
    return n;
}

static quarry_query *query(qi_qnode *rootnode, int scope)
{
    quarry_query *q = qi_calloc(env, 1, sizeof *q);
    q->env = env;
    q->root = rootnode;
    q->scope = scope;
    return q;
}

static void dump(const qi_qnode *n, char *buf, size_t size)
{
    static const char *names[] = {
        "?",  "term", "wild", "regex", "seq", "tok",  "attr",   "a&",
        "a|", "a!",   "and",  "or",    "not", "near", "filter", "dict"};
    size_t len = strlen(buf), i;
    snprintf(buf + len, size - len, "(%s", names[n->kind]);
    len = strlen(buf);
    if (n->kind == QN_NEAR)
        snprintf(buf + len, size - len, "%s/%u",
                 n->flags & QN_F_ORDERED ? "o" : "", n->near);
    else if (n->kind == QN_TOKEN)
        snprintf(buf + len, size - len, "{%u,%u}", n->min, n->max);
    else if (n->kind == QN_ATTR)
        snprintf(buf + len, size - len, " %s%s%d", n->attr ? "word" : "norm",
                 n->op ? "!=" : "=", n->vkind);
    len = strlen(buf);
    if (n->text)
        snprintf(buf + len, size - len, " %s\"%s\"",
                 n->flags & QN_F_CASE ? "=" : "", n->text);
    for (i = 0; i < n->nkids; i++) {
        len = strlen(buf);
        snprintf(buf + len, size - len, " ");
        dump(n->kids[i], buf, size);
    }
    len = strlen(buf);
    snprintf(buf + len, size - len, ")");
}

/* ---- the oracle --------------------------------------------------------- */

typedef struct hitlist {
    uint64_t *f, *e;
    size_t n, cap;
} hitlist;

static void hl_push(hitlist *h, uint64_t f, uint64_t e)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 16;
        h->f = realloc(h->f, h->cap * sizeof *h->f);
        h->e = realloc(h->e, h->cap * sizeof *h->e);
    }
    h->f[h->n] = f;
    h->e[h->n] = e;
    h->n++;
}

static void hl_free(hitlist *h)
{
    free(h->f);
    free(h->e);
    memset(h, 0, sizeof *h);
}

static void hl_sort_unique(hitlist *h)
{
    size_t i, j, o = 0;
    for (i = 1; i < h->n; i++)
        for (j = i;
             j > 0 && (h->f[j - 1] > h->f[j] ||
                       (h->f[j - 1] == h->f[j] && h->e[j - 1] > h->e[j]));
             j--) {
            uint64_t t = h->f[j];
            h->f[j] = h->f[j - 1];
            h->f[j - 1] = t;
            t = h->e[j];
            h->e[j] = h->e[j - 1];
            h->e[j - 1] = t;
        }
    for (i = 0; i < h->n; i++)
        if (o == 0 || h->f[i] != h->f[o - 1] || h->e[i] != h->e[o - 1]) {
            h->f[o] = h->f[i];
            h->e[o] = h->e[i];
            o++;
        }
    h->n = o;
}

typedef struct odoc {
    uint64_t id;
    size_t n;
    const char **norm; /* borrowed from the index */
    size_t *norm_len;
    uint64_t *st, *en;
    char *text;
    size_t text_len;
    quarry_span *units[2]; /* sentences, paragraphs */
    size_t nunits[2];
    quarry_field fields[4];
    size_t nfields;
} odoc;

typedef struct ocorpus {
    quarry_index *ix;
    odoc *docs;
    size_t ndocs;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
} ocorpus;

static void oc_load(ocorpus *c, quarry_index *ix)
{
    uint64_t id, lim = quarry_index_doc_limit(ix);
    memset(c, 0, sizeof *c);
    c->ix = ix;
    c->docs = calloc(lim + 1, sizeof *c->docs);
    CHECK_EQ_INT(
        quarry_tokenizer_new(env, quarry_index_tokenizer_options(ix), &c->tok),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_new(env, &c->toks), QUARRY_OK);
    for (id = 0; id < lim; id++) {
        odoc *d = &c->docs[c->ndocs];
        quarry_index_doc m;
        uint32_t *ids;
        const char *text;
        size_t got, i, k;
        if (!quarry_index_doc_live(ix, id))
            continue;
        c->ndocs++;
        d->id = id;
        CHECK_EQ_INT(quarry_index_doc_get(ix, id, &m), QUARRY_OK);
        d->n = (size_t)m.tokens;
        ids = calloc(d->n + 1, sizeof *ids);
        d->st = calloc(d->n + 1, sizeof *d->st);
        d->en = calloc(d->n + 1, sizeof *d->en);
        d->norm = calloc(d->n + 1, sizeof *d->norm);
        d->norm_len = calloc(d->n + 1, sizeof *d->norm_len);
        CHECK_EQ_INT(
            quarry_index_doc_tokens(ix, id, 0, d->n, ids, d->st, d->en, &got),
            QUARRY_OK);
        CHECK_EQ_INT(got, d->n);
        for (i = 0; i < d->n; i++)
            d->norm[i] =
                quarry_index_term_text(ix, ids[i], &d->norm_len[i], NULL, NULL);
        free(ids);
        CHECK_EQ_INT(quarry_index_doc_text(ix, id, &text, &d->text_len),
                     QUARRY_OK);
        d->text = malloc(d->text_len + 1);
        memcpy(d->text, text, d->text_len);
        d->text[d->text_len] = 0;
        for (k = 0; k < 2; k++) {
            size_t cnt = (size_t)(k == 0 ? m.sentences : m.paragraphs);
            d->units[k] = calloc(cnt + 1, sizeof *d->units[k]);
            CHECK_EQ_INT(quarry_index_doc_spans(ix, id, (int)k, 0, cnt,
                                                d->units[k], &got),
                         QUARRY_OK);
            d->nunits[k] = got;
        }
        d->nfields = m.field_count < 4 ? m.field_count : 4;
        for (i = 0; i < d->nfields; i++)
            CHECK_EQ_INT(quarry_index_doc_field(ix, id, i, &d->fields[i]),
                         QUARRY_OK);
    }
}

static void oc_free(ocorpus *c)
{
    size_t i;
    for (i = 0; i < c->ndocs; i++) {
        odoc *d = &c->docs[i];
        free(d->norm);
        free(d->norm_len);
        free(d->st);
        free(d->en);
        free(d->text);
        free(d->units[0]);
        free(d->units[1]);
    }
    free(c->docs);
    quarry_tokens_free(c->toks);
    quarry_tokenizer_free(c->tok);
}

/* glob: * any run, ? one byte (the corpus is ASCII) */
static int glob(const char *p, const char *s, size_t n)
{
    if (!*p)
        return n == 0;
    if (*p == '*')
        return glob(p + 1, s, n) || (n > 0 && glob(p, s + 1, n - 1));
    if (n == 0)
        return 0;
    if (*p == '?' || *p == *s)
        return glob(p + 1, s + 1, n - 1);
    return 0;
}

/* full match of a regex (the same engine as the executor: the oracle
 * checks the plumbing, not PCRE2) */
static int re_full(const char *pat, int icase, const char *s, size_t n)
{
    pcre2_code *re;
    pcre2_match_data *md;
    int err, ok;
    PCRE2_SIZE off;
    re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                       PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED |
                           (icase ? PCRE2_CASELESS : 0),
                       &err, &off, NULL);
    if (!re)
        return 0;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    ok = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return ok;
}

static int norm_eq(const odoc *d, size_t i, const char *s, size_t n)
{
    return d->norm_len[i] == n && memcmp(d->norm[i], s, n) == 0;
}

static int surface_eq(const odoc *d, size_t i, const char *s, size_t n)
{
    return d->en[i] - d->st[i] == n && memcmp(d->text + d->st[i], s, n) == 0;
}

static void lower(const char *s, char *out, size_t size)
{
    size_t i;
    for (i = 0; s[i] && i + 1 < size; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    out[i] = 0;
}

static int test_ok(ocorpus *c, const odoc *d, const qi_qnode *t, size_t i)
{
    size_t k;
    int r = 0;
    if (!t)
        return 1;
    switch (t->kind) {
    case QN_ATTR_AND:
        for (k = 0; k < t->nkids; k++)
            if (!test_ok(c, d, t->kids[k], i))
                return 0;
        return 1;
    case QN_ATTR_OR:
        for (k = 0; k < t->nkids; k++)
            if (test_ok(c, d, t->kids[k], i))
                return 1;
        return 0;
    case QN_ATTR_NOT: return !test_ok(c, d, t->kids[0], i);
    default: break;
    }
    if (t->attr == QA_NORM) {
        if (t->vkind == QV_LITERAL) {
            const quarry_token *tv;
            quarry_tokenize(c->tok, t->text, t->text_len, c->toks);
            tv = quarry_tokens_data(c->toks);
            r = quarry_tokens_count(c->toks) == 1 &&
                norm_eq(d, i, quarry_tokens_arena(c->toks) + tv->norm,
                        tv->norm_len);
        } else if (t->vkind == QV_WILDCARD) {
            char low[128];
            lower(t->text, low, sizeof low);
            r = glob(low, d->norm[i], d->norm_len[i]);
        } else {
            r = re_full(t->text, (t->flags & QN_F_CASELESS) != 0, d->norm[i],
                        d->norm_len[i]);
        }
    } else {
        const char *w = d->text + d->st[i];
        size_t n = (size_t)(d->en[i] - d->st[i]);
        if (t->vkind == QV_LITERAL)
            r = surface_eq(d, i, t->text, t->text_len);
        else if (t->vkind == QV_WILDCARD)
            r = glob(t->text, w, n);
        else
            r = re_full(t->text, (t->flags & QN_F_CASELESS) != 0, w, n);
    }
    return t->op == QA_NE ? !r : r;
}

/* elements of a sequence, quoted strings expanded */
typedef struct oelem {
    const qi_qnode *test; /* NULL: any */
    char norm[64];        /* a token of a quoted string, else "" */
    size_t norm_len;
    int surface; /* norm holds the surface form of ="..." */
    uint32_t min, max;
} oelem;

static int seq_match(ocorpus *c, const odoc *d, const oelem *el, size_t ne,
                     size_t pos, size_t end)
{
    uint64_t k;
    if (ne == 0)
        return pos == end;
    for (k = 0; k <= el->max && pos + k <= end; k++) {
        if (k > 0) {
            size_t i = pos + (size_t)k - 1;
            int ok = el->surface    ? surface_eq(d, i, el->norm, el->norm_len)
                     : el->norm_len ? norm_eq(d, i, el->norm, el->norm_len)
                                    : test_ok(c, d, el->test, i);
            if (!ok)
                break;
        }
        if (k >= el->min && seq_match(c, d, el + 1, ne - 1, pos + k, end))
            return 1;
    }
    return 0;
}

static void eval(ocorpus *c, const odoc *d, const qi_qnode *q, int scope,
                 hitlist *out);

static void units(const odoc *d, int scope, const quarry_span **u, size_t *n)
{
    static const quarry_span whole = {0, UINT64_MAX};
    if (scope == QI_SCOPE_DOC) {
        *u = &whole;
        *n = 1;
    } else {
        *u = d->units[scope == QI_SCOPE_SENTENCE ? 0 : 1];
        *n = d->nunits[scope == QI_SCOPE_SENTENCE ? 0 : 1];
    }
}

static void restrict_to(const hitlist *h, quarry_span u, hitlist *out)
{
    size_t i;
    out->n = 0;
    for (i = 0; i < h->n; i++)
        if (h->f[i] >= u.first && h->e[i] <= u.end)
            hl_push(out, h->f[i], h->e[i]);
}

static void eval_near(const qi_qnode *q, hitlist *ops, size_t k, hitlist *out)
{
    size_t idx[8] = {0}, i;
    hitlist spans = {0};
    if (k == 0 || k > 8)
        return;
    for (i = 0; i < k; i++)
        if (ops[i].n == 0)
            return;
    for (;;) {
        uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
        int ok = 1;
        for (i = 0; i < k; i++) {
            uint64_t f = ops[i].f[idx[i]], e = ops[i].e[idx[i]];
            lo = f < lo ? f : lo;
            hi = e > hi ? e : hi;
            sum += e - f;
            if ((q->flags & QN_F_ORDERED) && i > 0 &&
                ops[i - 1].e[idx[i - 1]] > f)
                ok = 0;
        }
        if (ok && (int64_t)(hi - lo) - (int64_t)sum <= (int64_t)q->near)
            hl_push(&spans, lo, hi);
        for (i = 0; i < k; i++) {
            if (++idx[i] < ops[i].n)
                break;
            idx[i] = 0;
        }
        if (i == k)
            break;
    }
    hl_sort_unique(&spans);
    for (i = 0; i < spans.n; i++) {
        size_t j;
        int minimal = 1;
        for (j = 0; j < spans.n && minimal; j++)
            if (j != i && spans.f[j] >= spans.f[i] && spans.e[j] <= spans.e[i])
                minimal = 0;
        if (minimal)
            hl_push(out, spans.f[i], spans.e[i]);
    }
    hl_free(&spans);
}

static void eval(ocorpus *c, const odoc *d, const qi_qnode *q, int scope,
                 hitlist *out)
{
    size_t i, j, k;
    switch (q->kind) {
    case QN_TERM: {
        const quarry_token *tv;
        const char *arena;
        size_t nt;
        quarry_tokenize(c->tok, q->text, q->text_len, c->toks);
        tv = quarry_tokens_data(c->toks);
        arena = quarry_tokens_arena(c->toks);
        nt = quarry_tokens_count(c->toks);
        for (i = 0; nt && i + nt <= d->n; i++) {
            for (k = 0; k < nt; k++) {
                if (!norm_eq(d, i + k, arena + tv[k].norm, tv[k].norm_len))
                    break;
                if ((q->flags & QN_F_CASE) &&
                    !surface_eq(d, i + k, q->text + tv[k].start,
                                (size_t)(tv[k].end - tv[k].start)))
                    break;
            }
            if (k == nt)
                hl_push(out, i, i + nt);
        }
        break;
    }
    case QN_WILDCARD: {
        char low[128];
        lower(q->text, low, sizeof low);
        for (i = 0; i < d->n; i++)
            if (glob(low, d->norm[i], d->norm_len[i]))
                hl_push(out, i, i + 1);
        break;
    }
    case QN_REGEX:
        for (i = 0; i < d->n; i++)
            if (re_full(q->text, (q->flags & QN_F_CASELESS) != 0, d->norm[i],
                        d->norm_len[i]))
                hl_push(out, i, i + 1);
        break;
    case QN_SEQ: {
        oelem el[32];
        size_t ne = 0, p, e;
        for (i = 0; i < q->nkids; i++) {
            const qi_qnode *t = q->kids[i];
            if (t->flags & QN_F_PHRASE) {
                const quarry_token *tv;
                quarry_tokenize(c->tok, t->kids[0]->text, t->kids[0]->text_len,
                                c->toks);
                tv = quarry_tokens_data(c->toks);
                for (k = 0; k < quarry_tokens_count(c->toks); k++) {
                    memset(&el[ne], 0, sizeof el[ne]);
                    if (t->kids[0]->attr == QA_WORD) {
                        el[ne].surface = 1;
                        memcpy(el[ne].norm, t->kids[0]->text + tv[k].start,
                               (size_t)(tv[k].end - tv[k].start));
                        el[ne].norm_len = (size_t)(tv[k].end - tv[k].start);
                        el[ne].min = el[ne].max = 1;
                        ne++;
                        continue;
                    }
                    memcpy(el[ne].norm,
                           quarry_tokens_arena(c->toks) + tv[k].norm,
                           tv[k].norm_len);
                    el[ne].norm_len = tv[k].norm_len;
                    el[ne].min = el[ne].max = 1;
                    ne++;
                }
                continue;
            }
            memset(&el[ne], 0, sizeof el[ne]);
            el[ne].test = t->nkids ? t->kids[0] : NULL;
            el[ne].min = t->min;
            el[ne].max = t->max;
            ne++;
        }
        for (p = 0; p < d->n; p++)
            for (e = p + 1; e <= d->n; e++)
                if (seq_match(c, d, el, ne, p, e)) {
                    hl_push(out, p, e);
                    break;
                }
        break;
    }
    case QN_OR:
        for (i = 0; i < q->nkids; i++)
            eval(c, d, q->kids[i], scope, out);
        hl_sort_unique(out);
        break;
    case QN_AND:
    case QN_NEAR: {
        hitlist all[8], in[8];
        const quarry_span *u;
        size_t nu, ui;
        memset(all, 0, sizeof all);
        memset(in, 0, sizeof in);
        for (i = 0; i < q->nkids && i < 8; i++) {
            const qi_qnode *kq = q->kids[i];
            if (kq->kind == QN_FILTER)
                continue;
            eval(c, d, kq->kind == QN_NOT ? kq->kids[0] : kq, scope, &all[i]);
        }
        units(d, scope, &u, &nu);
        for (ui = 0; ui < nu; ui++) {
            int ok = 1;
            for (i = 0; i < q->nkids && i < 8; i++)
                restrict_to(&all[i], u[ui], &in[i]);
            if (q->kind == QN_NEAR) {
                eval_near(q, in, q->nkids, out);
                continue;
            }
            for (i = 0; i < q->nkids && ok; i++) {
                if (q->kids[i]->kind == QN_FILTER)
                    continue;
                if (q->kids[i]->kind == QN_NOT)
                    ok = in[i].n == 0;
                else
                    ok = in[i].n > 0;
            }
            if (!ok)
                continue;
            for (i = 0; i < q->nkids; i++)
                if (q->kids[i]->kind != QN_NOT && q->kids[i]->kind != QN_FILTER)
                    for (j = 0; j < in[i].n; j++)
                        hl_push(out, in[i].f[j], in[i].e[j]);
        }
        for (i = 0; i < 8; i++) {
            hl_free(&all[i]);
            hl_free(&in[i]);
        }
        hl_sort_unique(out);
        break;
    }
    default: break;
    }
}

/* Every filter of the query's root AND must pass. */
static int doc_passes(const odoc *d, const qi_qnode *rootq)
{
    size_t i;
    if (rootq->kind != QN_AND)
        return 1;
    for (i = 0; i < rootq->nkids; i++)
        if (rootq->kids[i]->kind == QN_FILTER &&
            !quarry_filter_match(rootq->kids[i]->filter, d->fields, d->nfields))
            return 0;
    return 1;
}

/* All hits of the query: doc, first, end triples. */
static void oracle(ocorpus *c, const quarry_query *q, hitlist *docs,
                   hitlist *spans)
{
    size_t i, j;
    for (i = 0; i < c->ndocs; i++) {
        hitlist h = {0}, r = {0};
        const quarry_span *u;
        size_t nu, ui;
        if (!doc_passes(&c->docs[i], q->root))
            continue;
        eval(c, &c->docs[i], q->root, q->scope, &h);
        hl_sort_unique(&h);
        units(&c->docs[i], q->scope, &u, &nu);
        for (j = 0; j < h.n; j++)
            for (ui = 0; ui < nu; ui++)
                if (h.f[j] >= u[ui].first && h.e[j] <= u[ui].end) {
                    hl_push(&r, h.f[j], h.e[j]);
                    break;
                }
        for (j = 0; j < r.n; j++) {
            hl_push(docs, c->docs[i].id, 0);
            hl_push(spans, r.f[j], r.e[j]);
        }
        hl_free(&h);
        hl_free(&r);
    }
}

/* Runs q through quarry_search in random batches. */
static int run_search(quarry_index *ix, const quarry_query *q, hitlist *docs,
                      hitlist *spans)
{
    quarry_search *s = NULL;
    uint64_t d[16], f[16], e[16];
    size_t got, i;
    int rc = quarry_search_new(env, ix, q, NULL, &s, NULL);
    if (rc != QUARRY_OK) {
        fprintf(stderr, "search_new: %s\n", quarry_env_errmsg(env));
        return rc;
    }
    while ((rc = quarry_search_next(s, 1 + rnd(16), d, f, e, NULL, &got)) ==
           QUARRY_OK) {
        for (i = 0; i < got; i++) {
            hl_push(docs, d[i], 0);
            hl_push(spans, f[i], e[i]);
        }
    }
    if (rc != QUARRY_DONE)
        fprintf(stderr, "search_next: %s\n", quarry_search_errmsg(s));
    quarry_search_free(s);
    return rc == QUARRY_DONE ? QUARRY_OK : rc;
}

/* Compares engine and oracle; also next_doc and count. Returns 1 if equal. */
static int compare(ocorpus *c, const quarry_query *q)
{
    hitlist od = {0}, os = {0}, sd = {0}, ss = {0};
    quarry_search *s = NULL;
    uint64_t doc, hits, total_hits = 0, total_docs = 0, ch = 0, cd = 0;
    size_t i, at = 0;
    int ok = 1, rc;
    oracle(c, q, &od, &os);
    rc = run_search(c->ix, q, &sd, &ss);
    if (rc != QUARRY_OK || sd.n != od.n)
        ok = 0;
    for (i = 0; ok && i < od.n; i++)
        if (sd.f[i] != od.f[i] || ss.f[i] != os.f[i] || ss.e[i] != os.e[i])
            ok = 0;
    if (!ok) {
        char buf[2048] = "";
        dump(q->root, buf, sizeof buf);
        fprintf(stderr, "MISMATCH scope %d %s: engine %zu hits, oracle %zu\n",
                q->scope, buf, sd.n, od.n);
        for (i = 0; i < od.n || i < sd.n; i++) {
            if (i < od.n && i < sd.n && sd.f[i] == od.f[i] &&
                ss.f[i] == os.f[i] && ss.e[i] == os.e[i])
                continue;
            fprintf(stderr, "  first difference at %zu: engine ", i);
            if (i < sd.n)
                fprintf(stderr, "%llu:[%llu,%llu)", (unsigned long long)sd.f[i],
                        (unsigned long long)ss.f[i],
                        (unsigned long long)ss.e[i]);
            fprintf(stderr, " oracle ");
            if (i < od.n)
                fprintf(stderr, "%llu:[%llu,%llu)", (unsigned long long)od.f[i],
                        (unsigned long long)os.f[i],
                        (unsigned long long)os.e[i]);
            fprintf(stderr, "\n");
            break;
        }
    }
    /* next_doc: one call per document with its hit count */
    if (ok) {
        CHECK_EQ_INT(quarry_search_new(env, c->ix, q, NULL, &s, NULL),
                     QUARRY_OK);
        while ((rc = quarry_search_next_doc(s, &doc, &hits)) == QUARRY_OK) {
            uint64_t n = 0;
            while (at + n < od.n && od.f[at + n] == doc)
                n++;
            if (n != hits || at >= od.n) {
                fprintf(stderr, "next_doc: doc %llu: %llu hits, oracle %llu\n",
                        (unsigned long long)doc, (unsigned long long)hits,
                        (unsigned long long)n);
                ok = 0;
                break;
            }
            at += (size_t)n;
            total_hits += hits;
            total_docs++;
        }
        if (ok)
            CHECK_EQ_INT(rc, QUARRY_DONE);
        CHECK_EQ_INT(total_hits, od.n);
        quarry_search_free(s);
        CHECK_EQ_INT(quarry_search_new(env, c->ix, q, NULL, &s, NULL),
                     QUARRY_OK);
        CHECK_EQ_INT(quarry_search_count(s, &ch, &cd), QUARRY_OK);
        CHECK_EQ_INT(ch, od.n);
        CHECK_EQ_INT(cd, total_docs);
        quarry_search_free(s);
    }
    hl_free(&od);
    hl_free(&os);
    hl_free(&sd);
    hl_free(&ss);
    return ok;
}

/* ---- corpora ------------------------------------------------------------ */

static const char *vocab[] = {"the",  "of",  "and", "tax", "taxes", "cat",
                              "cats", "dog", "red", "run", "runs",  "sea",
                              "The",  "Tax", "CAT", "Cat"};
#define NVOCAB (sizeof vocab / sizeof *vocab)

static void add_doc(quarry_writer *w, const char *source, uint64_t record,
                    const char *text, int year)
{
    quarry_doc *doc = NULL;
    quarry_field f;
    char ybuf[16];
    memset(&f, 0, sizeof f);
    snprintf(ybuf, sizeof ybuf, "%d", year);
    f.name = "year";
    f.text = ybuf;
    f.text_len = strlen(ybuf);
    f.type = QUARRY_FIELD_INTEGER;
    f.value.integer = year;
    CHECK_EQ_INT(
        quarry_doc_new(env, source, record, text, strlen(text), &f, 1, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

static void random_text(char *buf, size_t size)
{
    size_t n = 3 + rnd(40), i, len = 0;
    buf[0] = 0;
    for (i = 0; i < n && len + 16 < size; i++) {
        const char *w = vocab[rnd(NVOCAB)];
        uint32_t r = rnd(100);
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", w);
        if (r < 12)
            len += (size_t)snprintf(buf + len, size - len, ".");
        else if (r < 16)
            len += (size_t)snprintf(buf + len, size - len, ".\n\n");
        else if (r < 20)
            len += (size_t)snprintf(buf + len, size - len, ",");
    }
}

static void build_random(const char *dir)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    char text[1024];
    int batch, i;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    for (batch = 0; batch < 3; batch++) {
        CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
        for (i = 0; i < 100; i++) {
            char src[32];
            snprintf(src, sizeof src, "d%d", batch * 100 + i);
            random_text(text, sizeof text);
            add_doc(w, src, 0, text, 1990 + (int)rnd(20));
        }
        CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
        quarry_writer_free(w);
    }
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    for (i = 0; i < 300; i += 13) {
        char src[32];
        snprintf(src, sizeof src, "d%d", i);
        CHECK_EQ_INT(quarry_writer_delete_key(w, src, 0, NULL), QUARRY_OK);
    }
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

/* ---- random queries ----------------------------------------------------- */

static const char *word(void)
{
    return vocab[rnd(NVOCAB)];
}

static qi_qnode *rand_leaf(void)
{
    static const char *wild[] = {"ta*", "c?t*", "*s", "r*n", "?he", "*a*"};
    static const char *re[] = {"ta.*", "(cat|dog)s?", "r[a-u]ns?", "[st].*"};
    char buf[64];
    switch (rnd(7)) {
    case 0:
    case 1: return node(QN_TERM, word());
    case 2:
        snprintf(buf, sizeof buf, "%s %s", word(), word());
        return node(QN_TERM, buf);
    case 3: return node(QN_WILDCARD, wild[rnd(6)]);
    case 4: {
        qi_qnode *n = node(QN_REGEX, re[rnd(4)]);
        if (rnd(2))
            n->flags |= QN_F_CASELESS;
        return n;
    }
    case 5: return case_term(rnd(2) ? word() : "Tax");
    default: {
        qi_qnode *s = node(QN_SEQ, NULL);
        size_t n = 1 + rnd(3), i;
        for (i = 0; i < n; i++) {
            switch (rnd(8)) {
            case 6: kid(s, token(NULL, rnd(2), QI_QUANT_INF)); break;
            case 7:
                kid(s, token(attr(QA_NORM, QA_EQ, QV_LITERAL, word()), 1,
                             QI_QUANT_INF));
                break;
            case 0:
                kid(s, token(attr(QA_NORM, QA_EQ, QV_LITERAL, word()), 1, 1));
                break;
            case 1: kid(s, token(NULL, rnd(2), 1 + rnd(3))); break;
            case 2:
                kid(s, token(attr(QA_WORD, rnd(2), QV_LITERAL, "Tax"), 1,
                             1 + rnd(2)));
                break;
            case 3:
                kid(s, token(op2(QN_ATTR_AND,
                                 attr(QA_NORM, QA_EQ, QV_WILDCARD, "ta*"),
                                 attr(QA_WORD, QA_NE, QV_LITERAL, "TAX")),
                             1, 1));
                break;
            case 4: {
                qi_qnode *t;
                snprintf(buf, sizeof buf, "%s %s", word(), word());
                t = token(attr(QA_NORM, QA_EQ, QV_LITERAL, buf), 1, 1);
                t->flags |= QN_F_PHRASE;
                kid(s, t);
                break;
            }
            default:
                kid(s, token(attr(QA_WORD, QA_EQ, QV_REGEX, "[A-Z].*"), 1, 1));
                break;
            }
        }
        if (s->kids[0]->min == 0) /* keep it anchored on something */
            s->kids[0]->min = 1;
        return s;
    }
    }
}

static qi_qnode *rand_query(int depth)
{
    uint32_t r = depth > 1 ? 0 : rnd(5);
    qi_qnode *n;
    switch (r) {
    case 0:
    case 1: return rand_leaf();
    case 2:
        n = op2(QN_AND, rand_query(depth + 1), rand_query(depth + 1));
        if (rnd(3) == 0)
            kid(n, kid(node(QN_NOT, NULL), rand_leaf()));
        return n;
    case 3: return op2(QN_OR, rand_query(depth + 1), rand_query(depth + 1));
    default:
        n = near2(rnd(5), rnd(2), rand_leaf(), rand_leaf());
        if (rnd(3) == 0)
            kid(n, rand_leaf());
        return n;
    }
}

/* ---- tests -------------------------------------------------------------- */

static void test_random(void)
{
    char dir[300];
    quarry_index *ix = NULL;
    quarry_index_info info;
    ocorpus c;
    int i, bad = 0;
    snprintf(dir, sizeof dir, "%s/random", root);
    build_random(dir);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_info_get(ix, &info), QUARRY_OK);
    CHECK(info.segments > 1);
    CHECK(info.deleted > 0);
    oc_load(&c, ix);
    for (i = 0; i < 400; i++) {
        qi_qnode *r = rand_query(0);
        quarry_query *q;
        if (rnd(6) == 0) {
            qi_qnode *a = node(QN_AND, NULL);
            kid(a, r);
            kid(a, filter_node(rnd(2) ? "year>=2000" : "year<1995"));
            r = a;
        }
        q = query(r, (int)rnd(3));
        if (!compare(&c, q))
            bad++;
        CHECK(bad < 5 || !"too many mismatches");
        quarry_query_free(q);
        if (bad >= 5)
            break;
    }
    CHECK_EQ_INT(bad, 0);
    oc_free(&c);
    quarry_index_free(ix);
}

/* Query texts through the parser, against the oracle on the parsed tree. */
static void test_parsed(void)
{
    static const char *const texts[] = {
        "cat",
        "\"the cat\"",
        "=Cat",
        "=\"The Cat\"",
        "ta*",
        "c?t*",
        "/r[a-u]ns?/",
        "/CAT/i",
        "cat dog",
        "cat OR dog",
        "cat NOT dog",
        "cat NOT dog within s",
        "(cat OR dog) tax within p",
        "NEAR/2(cat, dog)",
        "ONEAR/3(the, \"red sea\")",
        "NEAR/1(cat, dog, the)",
        "NEAR/3(cat OR dog, tax*)",
        "ONEAR/0(cat, cat) within s",
        "\"the\" []{0,2} \"cat\"",
        "[norm=\"ta*\" & word!=\"TAX\"] \"the\"",
        "\"the\" [word=/[A-Z].*/]+",
        "=\"The\" [] \"cat\"",
        "[norm=\"cat\"]+ \"dog\"",
        "\"of\" []* \"sea\" within s",
        "\"of\" []* \"sea\"",
        "[word!=\"the\" & norm=\"the\"]",
        "[!norm=\"the\"] \"cat\"",
        "[norm=\"cat\" | norm=\"dog\"]{2}",
        "[]{1,3} [norm=\"sea\"] []? within p",
        "cat year>=2000",
        "NEAR/4(cat, dog) year<1995 within s",
        "\"red\" [norm=/t.*/i]? \"cat\"",
        "tax AND taxes AND NOT cat within s",
        "(cat NOT dog) OR (dog NOT cat) within s",
        "NEAR/2(\"the cat\", [norm=\"run*\"])",
    };
    char dir[300];
    quarry_index *ix = NULL;
    ocorpus c;
    size_t i;
    snprintf(dir, sizeof dir, "%s/random", root);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    oc_load(&c, ix);
    for (i = 0; i < sizeof texts / sizeof *texts; i++) {
        quarry_query *q = NULL;
        size_t pos = 0;
        int rc =
            quarry_query_compile(env, texts[i], strlen(texts[i]), &q, &pos);
        if (rc != QUARRY_OK) {
            fprintf(stderr, "compile '%s': %s\n", texts[i],
                    quarry_env_errmsg(env));
            CHECK_EQ_INT(rc, QUARRY_OK);
            continue;
        }
        if (!compare(&c, q)) {
            fprintf(stderr, "  (query text: %s)\n", texts[i]);
            CHECK(!"parsed query differs from the oracle");
        }
        quarry_query_free(q);
    }
    oc_free(&c);
    quarry_index_free(ix);
}

static quarry_index *fixed_index(const char *name, const char *const *texts,
                                 size_t n)
{
    char dir[300];
    quarry_writer *w = NULL;
    quarry_writer_options o;
    quarry_index *ix = NULL;
    size_t i;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    for (i = 0; i < n; i++) {
        char src[32];
        snprintf(src, sizeof src, "f%zu", i);
        add_doc(w, src, 0, texts[i], 2000 + (int)i);
    }
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    return ix;
}

/* "doc:first-end doc:first-end ..." of every hit of q */
static void hits_str(quarry_index *ix, qi_qnode *r, int scope, char *out,
                     size_t size)
{
    quarry_query *q = query(r, scope);
    hitlist d = {0}, s = {0};
    size_t i, len = 0;
    out[0] = 0;
    CHECK_EQ_INT(run_search(ix, q, &d, &s), QUARRY_OK);
    for (i = 0; i < d.n; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%llu:%llu-%llu",
                                i ? " " : "", (unsigned long long)d.f[i],
                                (unsigned long long)s.f[i],
                                (unsigned long long)s.e[i]);
    hl_free(&d);
    hl_free(&s);
    quarry_query_free(q);
}

static void test_fixed(void)
{
    static const char *const texts[] = {
        "The cat sat on the mat. The Cat ran.",
        "Tax the rich; taxes on the poor. U.S. tax policy.",
        "A cat and a dog. The dog and the cat.\n\nA new paragraph with a cat."};
    quarry_index *ix = fixed_index("fixed", texts, 3);
    char out[1024];
    hits_str(ix, node(QN_TERM, "cat"), 0, out, sizeof out);
    CHECK_EQ_STR(out, "0:1-2 0:8-9 2:1-2 2:10-11 2:17-18");
    hits_str(ix, case_term("Cat"), 0, out, sizeof out);
    CHECK_EQ_STR(out, "0:8-9");
    hits_str(ix, node(QN_TERM, "the cat"), 0, out, sizeof out);
    CHECK_EQ_STR(out, "0:0-2 0:7-9 2:9-11");
    /* U.S. is two tokens (u.s and .) */
    hits_str(ix, node(QN_TERM, "U.S. tax"), 0, out, sizeof out);
    CHECK_EQ_STR(out, "1:9-12");
    hits_str(ix, node(QN_WILDCARD, "tax*"), 0, out, sizeof out);
    CHECK_EQ_STR(out, "1:0-1 1:4-5 1:11-12");
    /* cat and dog in the same sentence: the first two sentences of doc 2 */
    hits_str(ix, op2(QN_AND, node(QN_TERM, "cat"), node(QN_TERM, "dog")),
             QI_SCOPE_SENTENCE, out, sizeof out);
    CHECK_EQ_STR(out, "2:1-2 2:4-5 2:7-8 2:10-11");
    hits_str(ix,
             op2(QN_AND, node(QN_TERM, "cat"),
                 kid(node(QN_NOT, NULL), node(QN_TERM, "dog"))),
             QI_SCOPE_SENTENCE, out, sizeof out);
    CHECK_EQ_STR(out, "0:1-2 0:8-9 2:17-18");
    hits_str(ix,
             op2(QN_AND, node(QN_TERM, "cat"),
                 kid(node(QN_NOT, NULL), node(QN_TERM, "dog"))),
             QI_SCOPE_DOC, out, sizeof out);
    CHECK_EQ_STR(out, "0:1-2 0:8-9");
    hits_str(ix, near2(2, 0, node(QN_TERM, "dog"), node(QN_TERM, "cat")), 0,
             out, sizeof out);
    CHECK_EQ_STR(out, "2:1-5 2:7-11");
    hits_str(ix, near2(2, 1, node(QN_TERM, "dog"), node(QN_TERM, "cat")), 0,
             out, sizeof out);
    CHECK_EQ_STR(out, "2:7-11");
    /* [word="The"] []{0,1} "cat" */
    {
        qi_qnode *s = node(QN_SEQ, NULL);
        kid(s, token(attr(QA_WORD, QA_EQ, QV_LITERAL, "The"), 1, 1));
        kid(s, token(NULL, 0, 1));
        kid(s, token(attr(QA_NORM, QA_EQ, QV_LITERAL, "cat"), 1, 1));
        hits_str(ix, s, 0, out, sizeof out);
        CHECK_EQ_STR(out, "0:0-2 0:7-9");
    }
    /* filter */
    {
        qi_qnode *a = node(QN_AND, NULL);
        kid(a, node(QN_TERM, "cat"));
        kid(a, filter_node("year>=2002"));
        hits_str(ix, a, 0, out, sizeof out);
        CHECK_EQ_STR(out, "2:1-2 2:10-11 2:17-18");
    }
    /* opts->filter is AND-ed with the query's own; the search keeps its
       own reference to the index and its own copy of the filter */
    {
        quarry_search_options o;
        quarry_filter *f = NULL;
        quarry_search *s = NULL;
        quarry_query *q = query(node(QN_TERM, "cat"), 0);
        uint64_t d[8], fi[8];
        size_t got = 0;
        memset(&o, 0, sizeof o);
        CHECK_EQ_INT(quarry_filter_compile(env, "year<2002", 9, &f, NULL),
                     QUARRY_OK);
        o.filter = f;
        CHECK_EQ_INT(quarry_search_new(env, ix, q, &o, &s, NULL), QUARRY_OK);
        quarry_filter_free(f);
        quarry_query_free(q);
        quarry_index_free(ix);
        CHECK_EQ_INT(quarry_search_next(s, 0, d, fi, NULL, NULL, &got),
                     QUARRY_EINVAL);
        CHECK_EQ_INT(quarry_search_next(s, 8, d, fi, NULL, NULL, &got),
                     QUARRY_OK);
        CHECK_EQ_INT(got, 2);
        CHECK_EQ_INT(d[0], 0);
        CHECK_EQ_INT(fi[1], 8);
        CHECK_EQ_INT(quarry_search_next(s, 8, d, fi, NULL, NULL, &got),
                     QUARRY_DONE);
        CHECK_EQ_INT(got, 0);
        quarry_search_free(s);
    }
}

static void test_cjk(void)
{
    static const char *const texts[] = {
        "加快发展新质生产力。新质生产力是关键！",
        "因地制宜发展新质生\n产力，生产力新质。", "没有。"};
    quarry_index *ix = fixed_index("cjk", texts, 3);
    quarry_search *s = NULL;
    quarry_query *q = query(node(QN_TERM, "新质生产力"), 0);
    uint64_t hits = 0, docs = 0;
    ocorpus c;
    CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &s, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_search_count(s, &hits, &docs), QUARRY_OK);
    CHECK_EQ_INT(hits, 3);
    CHECK_EQ_INT(docs, 2);
    quarry_search_free(s);
    oc_load(&c, ix);
    CHECK(compare(&c, q));
    quarry_query_free(q);
    q = query(near2(3, 0, node(QN_TERM, "生产力"), node(QN_TERM, "新质")),
              QI_SCOPE_SENTENCE);
    CHECK(compare(&c, q));
    quarry_query_free(q);
    oc_free(&c);
    quarry_index_free(ix);
}

/* An index without segments: words are still checked, nothing matches. */
static void test_empty_index(void)
{
    char dir[300];
    quarry_writer *w = NULL;
    quarry_writer_options o;
    quarry_index *ix = NULL;
    quarry_search *s = NULL;
    quarry_query *q;
    uint64_t hits = 1, docs = 1;
    size_t got = 1, pos = 0;
    qi_qnode *blank;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    snprintf(dir, sizeof dir, "%s/empty", root);
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    q = query(op2(QN_OR, node(QN_TERM, "a b"), node(QN_WILDCARD, "x*")), 0);
    CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &s, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_search_next(s, 4, NULL, NULL, NULL, NULL, &got),
                 QUARRY_DONE);
    CHECK_EQ_INT(got, 0);
    CHECK_EQ_INT(quarry_search_count(s, &hits, &docs), QUARRY_OK);
    CHECK_EQ_INT(hits, 0);
    CHECK_EQ_INT(docs, 0);
    quarry_search_free(s);
    quarry_query_free(q);
    blank = node(QN_TERM, " ");
    blank->pos = 3;
    q = query(blank, 0);
    CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &s, &pos), QUARRY_EINVAL);
    CHECK_EQ_INT(pos, 3);
    quarry_query_free(q);
    quarry_index_free(ix);
}

/* Wildcards over many terms (their cursors are kept in a heap). */
static void test_many_terms(void)
{
    static const char *const queries[] = {"w*",
                                          "w1*",
                                          "*5",
                                          "w?",
                                          "NEAR/2(w*, the)",
                                          "\"the\" [norm=\"w*\"]",
                                          "w*2 OR w3*",
                                          "the w*"};
    char *texts[80], buf[512];
    quarry_index *ix;
    ocorpus c;
    size_t i, j;
    for (i = 0; i < 80; i++) {
        size_t len = 0;
        buf[0] = 0;
        for (j = 0; j < 30; j++) {
            if (rnd(4) == 0)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%sthe",
                                        j ? " " : "");
            else
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%sw%02u",
                                        j ? " " : "", rnd(60));
        }
        texts[i] = strdup(buf);
    }
    ix = fixed_index("many", (const char *const *)texts, 80);
    oc_load(&c, ix);
    for (i = 0; i < sizeof queries / sizeof *queries; i++) {
        quarry_query *q = NULL;
        CHECK_EQ_INT(
            quarry_query_compile(env, queries[i], strlen(queries[i]), &q, NULL),
            QUARRY_OK);
        if (!q)
            continue;
        if (!compare(&c, q)) {
            fprintf(stderr, "  (query text: %s)\n", queries[i]);
            CHECK(!"many terms: differs from the oracle");
        }
        quarry_query_free(q);
    }
    oc_free(&c);
    quarry_index_free(ix);
    for (i = 0; i < 80; i++)
        free(texts[i]);
}

/* Long documents with very frequent and very rare words: phrases and NEAR
 * over plain words take their positions directly, a phrase's starts either
 * as a bitmap (dense) or searched by galloping (q, twice per document far
 * apart, before m, at 1%), and wildcards give several lists per word.
 * ANDs of words are counted from frequencies unless a term repeats. */
static void test_long_docs(void)
{
    static const char *const queries[] = {"\"a b\"",
                                          "\"z1 a\"",
                                          "\"a z1\"",
                                          "\"a b a\"",
                                          "\"a a a\"",
                                          "\"b a z2 a\"",
                                          "\"c b\" a",
                                          "NEAR/3(z1, a)",
                                          "NEAR/0(a, a)",
                                          "ONEAR/0(a, a)",
                                          "ONEAR/2(b, a)",
                                          "NEAR/5(z1, b, a)",
                                          "ONEAR/4(a, b, z3)",
                                          "NEAR/2(z*, c)",
                                          "ONEAR/1(z*, a, b)",
                                          "NEAR/4(\"a b\", z2)",
                                          "NEAR/3(z1, a) within s",
                                          "\"b c\" within s",
                                          "NEAR/1(w07, w08)",
                                          "\"w01 w02\" OR NEAR/2(c, z*)",
                                          "\"q m\"",
                                          "\"m q\"",
                                          "\"q m a\"",
                                          "a AND b",
                                          "a b a",
                                          "z* z1",
                                          "z1 NOT z2",
                                          "c NOT q",
                                          "m NOT (q OR z1)",
                                          "z1 NOT z2 within s"};
    enum { NDOCS = 6, NTOK = 4000 };
    char *texts[NDOCS];
    quarry_index *ix;
    ocorpus c;
    size_t i, j;
    for (i = 0; i < NDOCS; i++) {
        size_t len = 0, cap = NTOK * 8;
        char *buf = malloc(cap);
        CHECK(buf != NULL);
        if (!buf)
            return;
        buf[0] = 0;
        for (j = 0; j < NTOK; j++) {
            uint32_t r = rnd(1000);
            const char *sep = j == 0 ? "" : j % 23 == 0 ? ". " : " ";
            if (j == 5 || j == NTOK - 5)
                len += (size_t)snprintf(buf + len, cap - len, "%sq", sep);
            else if (j == 6 || r >= 990)
                len += (size_t)snprintf(buf + len, cap - len, "%sm", sep);
            else if (r < 400)
                len += (size_t)snprintf(buf + len, cap - len, "%sa", sep);
            else if (r < 550)
                len += (size_t)snprintf(buf + len, cap - len, "%sb", sep);
            else if (r < 650)
                len += (size_t)snprintf(buf + len, cap - len, "%sc", sep);
            else if (r < 650 + 2 * (i + 1))
                len += (size_t)snprintf(buf + len, cap - len, "%sz%u", sep,
                                        1 + rnd(3));
            else
                len += (size_t)snprintf(buf + len, cap - len, "%sw%02u", sep,
                                        rnd(50));
        }
        texts[i] = buf;
    }
    ix = fixed_index("long", (const char *const *)texts, NDOCS);
    oc_load(&c, ix);
    for (i = 0; i < sizeof queries / sizeof *queries; i++) {
        quarry_query *q = NULL;
        CHECK_EQ_INT(
            quarry_query_compile(env, queries[i], strlen(queries[i]), &q, NULL),
            QUARRY_OK);
        if (!q)
            continue;
        if (!compare(&c, q)) {
            fprintf(stderr, "  (query text: %s)\n", queries[i]);
            CHECK(!"long documents: differs from the oracle");
        }
        quarry_query_free(q);
    }
    oc_free(&c);
    quarry_index_free(ix);
    for (i = 0; i < NDOCS; i++)
        free(texts[i]);
}

static void test_errors(void)
{
    static const char *const texts[] = {"tax taxes taxation taxi taxon"};
    quarry_index *ix = fixed_index("errors", texts, 1);
    quarry_search *s = (quarry_search *)1;
    quarry_search_options o;
    quarry_query *q;
    qi_qnode *w;
    size_t pos = 0;
    memset(&o, 0, sizeof o);
    o.max_expansion = 3;
    w = node(QN_WILDCARD, "tax*");
    w->pos = 7;
    q = query(op2(QN_OR, node(QN_TERM, "x"), w), 0);
    CHECK_EQ_INT(quarry_search_new(env, ix, q, &o, &s, &pos), QUARRY_ELIMIT);
    CHECK(s == NULL);
    CHECK_EQ_INT(pos, 7);
    CHECK(strstr(quarry_env_errmsg(env), "tax*") != NULL);
    o.max_expansion = 5;
    CHECK_EQ_INT(quarry_search_new(env, ix, q, &o, &s, &pos), QUARRY_OK);
    quarry_search_free(s);
    quarry_query_free(q);

    w = node(QN_TERM, "  ");
    w->pos = 4;
    q = query(op2(QN_AND, node(QN_TERM, "tax"), w), 0);
    CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &s, &pos), QUARRY_EINVAL);
    CHECK_EQ_INT(pos, 4);
    quarry_query_free(q);

    q = query(kid(node(QN_NOT, NULL), node(QN_TERM, "tax")), 0);
    CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &s, &pos), QUARRY_EINVAL);
    quarry_query_free(q);
    q = query(filter_node("year>1"), 0);
    CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &s, &pos), QUARRY_EINVAL);
    quarry_query_free(q);
    quarry_index_free(ix);
}

static void test_dict(void)
{
    static const char *const texts[] = {
        "The new tax policy taxes the rich. Tax cuts for the poor.",
        "No match here.", "Cats and tax cuts."};
    quarry_index *ix = fixed_index("dict", texts, 3);
    quarry_dict *d = NULL;
    quarry_query *q = NULL;
    quarry_search *s = NULL;
    uint64_t docs[16], firsts[16], ends[16];
    uint32_t tags[16];
    size_t got = 0, i, len = 0;
    char out[512] = "";
    CHECK_EQ_INT(quarry_dict_new(env, &d), QUARRY_OK);
    CHECK_EQ_INT(quarry_dict_add(d, "fiscal", "tax*", 4), QUARRY_OK);
    CHECK_EQ_INT(quarry_dict_add(d, "fiscal", "tax cuts", 8), QUARRY_OK);
    CHECK_EQ_INT(quarry_dict_add(d, "animals", "cat*", 4), QUARRY_OK);
    CHECK_EQ_INT(quarry_query_from_dict(env, d, QUARRY_DICT_LONGEST, &q),
                 QUARRY_OK);
    quarry_dict_free(d);
    CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &s, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_search_next(s, 16, docs, firsts, ends, tags, &got),
                 QUARRY_OK);
    for (i = 0; i < got; i++)
        len += (size_t)snprintf(
            out + len, sizeof out - len, "%s%llu:%llu-%llu/%u", i ? " " : "",
            (unsigned long long)docs[i], (unsigned long long)firsts[i],
            (unsigned long long)ends[i], tags[i]);
    CHECK_EQ_STR(out, "0:2-3/0 0:4-5/0 0:8-10/0 2:0-1/1 2:2-4/0");
    quarry_search_free(s);
    quarry_query_free(q);
    quarry_index_free(ix);
}

static tk_fail fail = {-1, 0};

static void test_allocation_failures(void)
{
    static const char *const texts[] = {
        "The cat sat on the mat. The Cat ran to the sea.",
        "Tax the rich; taxes on the cat. Runs of the dog.",
        "A cat and a dog.\n\nThe dog and the cat ran."};
    quarry_index *ix = fixed_index("oom", texts, 3);
    quarry_env *e = NULL;
    uint64_t ref_hits = 0, ref_docs = 0;
    long b;
    int ok = 0;
    qi_qnode *r = node(QN_AND, NULL), *s = node(QN_SEQ, NULL);
    quarry_query *q;
    kid(s, token(attr(QA_NORM, QA_EQ, QV_WILDCARD, "ta*"), 1, 1));
    kid(s, token(NULL, 0, 2));
    kid(s, token(attr(QA_WORD, QA_EQ, QV_REGEX, "r.*"), 1, 1));
    kid(r, op2(QN_OR, node(QN_TERM, "the cat"), s));
    kid(r, near2(3, 0, node(QN_REGEX, "d.g"), node(QN_TERM, "cat")));
    kid(r, kid(node(QN_NOT, NULL), case_term("CAT")));
    kid(r, filter_node("year>=2000"));
    q = query(r, QI_SCOPE_PARAGRAPH);
    {
        quarry_search *x = NULL;
        CHECK_EQ_INT(quarry_search_new(env, ix, q, NULL, &x, NULL), QUARRY_OK);
        CHECK_EQ_INT(quarry_search_count(x, &ref_hits, &ref_docs), QUARRY_OK);
        quarry_search_free(x);
        CHECK(ref_hits > 0);
    }
    CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &fail, &e), QUARRY_OK);
    for (b = 0; b < 2000 && !ok; b++) {
        quarry_search *x = NULL;
        uint64_t h = 0, d = 0;
        int rc;
        fail.budget = b;
        rc = quarry_search_new(e, ix, q, NULL, &x, NULL);
        if (rc == QUARRY_OK) {
            rc = quarry_search_count(x, &h, &d);
            quarry_search_free(x);
        } else {
            CHECK(x == NULL);
        }
        fail.budget = -1;
        if (rc == QUARRY_OK) {
            CHECK_EQ_INT(h, ref_hits);
            CHECK_EQ_INT(d, ref_docs);
            ok = 1;
        } else {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
        }
    }
    CHECK(ok);
    quarry_env_free(e);
    quarry_query_free(q);
    quarry_index_free(ix);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    const char *seed = getenv("QUARRY_TEST_SEED"); /* to explore; fixed
                                                      by default */
    if (seed && strtoull(seed, NULL, 10))
        rng_state = strtoull(seed, NULL, 10);
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    snprintf(root, sizeof root, "%s/quarry-test-qexec-XXXXXX",
             tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_fixed);
    RUN(test_cjk);
    RUN(test_errors);
    RUN(test_many_terms);
    RUN(test_long_docs);
    RUN(test_empty_index);
    RUN(test_dict);
    RUN(test_random);
    RUN(test_parsed);
    RUN(test_allocation_failures);
    tk_rm_rf(root);
    quarry_env_free(env);
    return check_summary();
}
