/*
 * ngrams.c - n-gram lists (n = 2..5): n consecutive counted items inside one
 * sentence, with no skipped punctuation or symbol between them (analysis.h's
 * breaks), counted in an open-addressing table keyed by the n item ids.
 *
 * The table keeps keys, counts and per-document bookkeeping in parallel
 * arrays and probes linearly, so a lookup is a hash and, mostly, one cache
 * line of keys; it is cleared, not freed, between groups.
 */
#include "analysis.h"

#include <string.h>

typedef struct ngtab {
    quarry_env *env;
    unsigned n;
    size_t cap; /* slots, a power of two; 0 before the first group */
    size_t used;
    uint32_t *keys;  /* cap * n */
    uint64_t *count; /* 0: empty slot */
    uint32_t *docs;
    uint32_t *last; /* 1 + position in the list of the last document */
} ngtab;

static void tab_free(ngtab *t)
{
    quarry_env *env = t->env;
    qi_free(env, t->keys, t->cap * t->n * sizeof *t->keys);
    qi_free(env, t->count, t->cap * sizeof *t->count);
    qi_free(env, t->docs, t->cap * sizeof *t->docs);
    qi_free(env, t->last, t->cap * sizeof *t->last);
    memset(t, 0, sizeof *t);
}

/* Allocates cap empty slots into *t (old contents untouched). */
static int tab_alloc(ngtab *t, size_t cap)
{
    quarry_env *env = t->env;
    t->keys = qi_alloc(env, cap * t->n * sizeof *t->keys);
    t->count = qi_calloc(env, cap, sizeof *t->count);
    t->docs = qi_alloc(env, cap * sizeof *t->docs);
    t->last = qi_alloc(env, cap * sizeof *t->last);
    t->cap = cap;
    t->used = 0;
    if (!t->keys || !t->count || !t->docs || !t->last) {
        tab_free(t);
        return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

static uint64_t hash_key(const uint32_t *k, unsigned n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    unsigned i;
    for (i = 0; i < n; i++) {
        h ^= k[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

/* The slot of key: its own, or the empty one where it belongs. */
static size_t tab_find(const ngtab *t, const uint32_t *k)
{
    size_t mask = t->cap - 1, i = (size_t)hash_key(k, t->n) & mask;
    unsigned n = t->n;
    for (;;) {
        if (t->count[i] == 0 || memcmp(t->keys + i * n, k, n * sizeof *k) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

static int tab_grow(ngtab *t)
{
    ngtab old = *t;
    size_t i;
    if (tab_alloc(t, old.cap * 2) != QUARRY_OK) {
        *t = old;
        return QUARRY_ENOMEM;
    }
    for (i = 0; i < old.cap; i++) {
        size_t j;
        if (old.count[i] == 0)
            continue;
        j = tab_find(t, old.keys + i * t->n);
        memcpy(t->keys + j * t->n, old.keys + i * t->n, t->n * sizeof *t->keys);
        t->count[j] = old.count[i];
        t->docs[j] = old.docs[i];
        t->last[j] = old.last[i];
        t->used++;
    }
    tab_free(&old);
    return QUARRY_OK;
}

typedef struct ngctx {
    ngtab *t;
    qi_itemizer *it;
} ngctx;

static int item_text_cmp(qi_itemizer *it, uint32_t a, uint32_t b)
{
    size_t la = 0, lb = 0, m;
    const char *ta, *tb;
    int c;
    if (a == b)
        return 0;
    ta = qi_itemizer_text(it, a, &la);
    tb = qi_itemizer_text(it, b, &lb);
    if (!ta || !tb)
        return a < b ? -1 : 1;
    m = la < lb ? la : lb;
    c = memcmp(ta, tb, m);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

static int ngram_cmp(void *ud, uint64_t a, uint64_t b)
{
    ngctx *x = ud;
    unsigned n = x->t->n, i;
    const uint32_t *ka = x->t->keys + a * n, *kb = x->t->keys + b * n;
    for (i = 0; i < n; i++) {
        int c = item_text_cmp(x->it, ka[i], kb[i]);
        if (c)
            return c;
    }
    return 0;
}

static int ngram_text(void *ud, uint64_t key, qi_buf *out)
{
    ngctx *x = ud;
    unsigned n = x->t->n, i;
    const uint32_t *k = x->t->keys + key * n;
    for (i = 0; i < n; i++) {
        size_t len = 0;
        const char *s = qi_itemizer_text(x->it, k[i], &len);
        if (i > 0 &&
            qi_join_with_space(qi_itemizer_flags(x->it, k[i - 1]),
                               qi_itemizer_flags(x->it, k[i])) &&
            !qi_buf_push(x->it->env, out, ' '))
            return QUARRY_ENOMEM;
        if (!qi_buf_append(x->it->env, out, s ? s : "", s ? len : 0))
            return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

int qi_ngrams_count(quarry_freq *f, qi_itemizer *it, const uint64_t *docs,
                    size_t ndocs, size_t group, const quarry_freq_options *o,
                    quarry_freq_totals *tot, char *errmsg)
{
    quarry_env *env = it->env;
    ngtab t;
    ngctx x;
    qi_cand *cands = NULL;
    size_t d, i, ncand = 0, cand_cap = 0;
    unsigned n = o->n;
    int rc = QUARRY_OK;

    memset(&t, 0, sizeof t);
    t.env = env;
    t.n = n;
    if (tab_alloc(&t, 1u << 12) != QUARRY_OK)
        goto oom;
    for (d = 0; d < ndocs; d++) {
        uint32_t seq = (uint32_t)(d + 1);
        size_t run = 0;
        rc = qi_itemizer_doc(it, docs[d]);
        if (rc != QUARRY_OK) {
            qi_set_error(errmsg, "%s", it->errmsg);
            goto done;
        }
        tot->docs++;
        tot->tokens += it->n;
        for (i = 0; i < it->n; i++) {
            const uint32_t *k;
            size_t s;
            run = it->breaks[i] ? 1 : run + 1;
            if (run < n)
                continue;
            k = it->items + i + 1 - n;
            s = tab_find(&t, k);
            if (t.count[s] == 0) {
                memcpy(t.keys + s * n, k, n * sizeof *k);
                t.docs[s] = 0;
                t.last[s] = 0;
                t.used++;
            }
            t.count[s]++;
            if (t.last[s] != seq) {
                t.last[s] = seq;
                t.docs[s]++;
            }
            tot->ngrams++;
            /* grow at 70% load, after the insertion (the key is stored) */
            if (t.used * 10 > t.cap * 7 && tab_grow(&t) != QUARRY_OK)
                goto oom;
        }
    }
    tot->types = t.used;
    cand_cap = t.used ? t.used : 1;
    cands = qi_alloc(env, cand_cap * sizeof *cands);
    if (!cands)
        goto oom;
    for (i = 0; i < t.cap; i++) {
        const uint32_t *k = t.keys + i * n;
        if (t.count[i] == 0 || t.count[i] < o->min_count)
            continue;
        if (o->stop && ((qi_itemizer_flags(it, k[0]) & QI_ITEM_STOP) ||
                        (qi_itemizer_flags(it, k[n - 1]) & QI_ITEM_STOP)))
            continue;
        cands[ncand].count = t.count[i];
        cands[ncand].docs = t.docs[i];
        cands[ncand].key = i;
        ncand++;
    }
    x.t = &t;
    x.it = it;
    rc = qi_freq_emit(f, cands, ncand, o->top, group, tot->tokens, ngram_cmp,
                      ngram_text, &x);
    if (rc != QUARRY_OK)
        goto oom;
    goto done;
oom:
    rc = QUARRY_ENOMEM;
    qi_set_error(errmsg, "out of memory counting %u-grams", n);
done:
    qi_free(env, cands, cand_cap * sizeof *cands);
    tab_free(&t);
    return rc;
}
