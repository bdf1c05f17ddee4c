/*
 * ngrams.c - n-gram lists (n = 2..5): n consecutive counted items inside one
 * sentence, with no skipped punctuation or symbol between them (analysis.h's
 * breaks), counted in an open-addressing table keyed by the n item ids.
 *
 * A slot holds its key, count and per-document bookkeeping together and
 * the table probes linearly, so an insertion is a hash and, mostly, one
 * cache line; each group gets a fresh table.
 */
#include "analysis.h"

#include <string.h>

/* A slot: count (0: empty), documents, the last document (1 + its position
 * in the list) and the n item ids, in one block so that a probe touches one
 * cache line. */
typedef struct slot {
    uint64_t count;
    uint32_t docs;
    uint32_t last;
    uint32_t key[]; /* n ids */
} slot;

typedef struct ngtab {
    quarry_env *env;
    unsigned n;
    size_t stride; /* bytes per slot, a multiple of 8 */
    size_t cap;    /* slots, a power of two; 0 before the first group */
    size_t used;
    unsigned char *slots;
} ngtab;

static slot *slot_at(const ngtab *t, size_t i)
{
    return (slot *)(void *)(t->slots + i * t->stride);
}

static void tab_free(ngtab *t)
{
    qi_free(t->env, t->slots, t->cap * t->stride);
    t->slots = NULL;
    t->cap = t->used = 0;
}

/* Allocates cap empty slots into *t (old contents untouched). */
static int tab_alloc(ngtab *t, size_t cap)
{
    t->slots = qi_calloc(t->env, cap, t->stride);
    t->cap = t->slots ? cap : 0;
    t->used = 0;
    return t->slots ? QUARRY_OK : QUARRY_ENOMEM;
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

static int key_eq(const uint32_t *a, const uint32_t *b, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* The slot of key (hash h): its own, or the empty one where it belongs. */
static slot *tab_find_h(const ngtab *t, const uint32_t *k, uint64_t h)
{
    size_t mask = t->cap - 1, i = (size_t)h & mask;
    unsigned n = t->n;
    for (;;) {
        slot *s = slot_at(t, i);
        if (s->count == 0 || key_eq(s->key, k, n))
            return s;
        i = (i + 1) & mask;
    }
}

static slot *tab_find(const ngtab *t, const uint32_t *k)
{
    return tab_find_h(t, k, hash_key(k, t->n));
}

/* Insertions miss the cache (the table is far larger than it): the slot of
 * the n-gram PREFETCH positions ahead is requested while this one is
 * counted, so several misses overlap. */
#define PREFETCH 16

static void prefetch_slot(const ngtab *t, uint64_t h)
{
#if defined(__GNUC__)
    __builtin_prefetch(t->slots + ((size_t)h & (t->cap - 1)) * t->stride, 1);
#else
    (void)t;
    (void)h;
#endif
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
        slot *from = slot_at(&old, i);
        if (from->count == 0)
            continue;
        memcpy(tab_find(t, from->key), from, t->stride);
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
    const uint32_t *ka = slot_at(x->t, (size_t)a)->key;
    const uint32_t *kb = slot_at(x->t, (size_t)b)->key;
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
    const uint32_t *k = slot_at(x->t, (size_t)key)->key;
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
    uint64_t ring[PREFETCH]; /* hashes of the n-grams ending at i .. */
    unsigned n = o->n;
    int rc = QUARRY_OK;

    memset(&t, 0, sizeof t);
    t.env = env;
    t.n = n;
    t.stride = (sizeof(slot) + n * sizeof(uint32_t) + 7) / 8 * 8;
    /* Sized for a type per 12 tokens (UN corpus bigrams: one per 15), so
     * that big lists are not rehashed ten times on the way */
    {
        uint64_t tokens = 0;
        size_t cap = 1u << 12;
        for (d = 0; d < ndocs; d++) {
            quarry_index_doc meta;
            if (quarry_index_doc_get(it->ix, docs[d], &meta) == QUARRY_OK)
                tokens += meta.tokens;
        }
        while (cap < (size_t)1 << 28 && cap * 7 / 10 < tokens / 12)
            cap *= 2;
        if (tab_alloc(&t, cap) != QUARRY_OK)
            goto oom;
    }
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
        for (i = n - 1; i < it->n && i < n - 1 + PREFETCH; i++) {
            ring[i % PREFETCH] = hash_key(it->items + i + 1 - n, n);
            prefetch_slot(&t, ring[i % PREFETCH]);
        }
        for (i = 0; i < it->n; i++) {
            const uint32_t *k;
            slot *s;
            uint64_t h = ring[i % PREFETCH];
            if (i + PREFETCH < it->n && i + PREFETCH >= n - 1) {
                size_t j = i + PREFETCH;
                ring[j % PREFETCH] = hash_key(it->items + j + 1 - n, n);
                prefetch_slot(&t, ring[j % PREFETCH]);
            }
            run = it->breaks[i] ? 1 : run + 1;
            if (run < n)
                continue;
            k = it->items + i + 1 - n;
            s = tab_find_h(&t, k, h);
            if (s->count == 0) {
                memcpy(s->key, k, n * sizeof *k);
                t.used++;
            }
            s->count++;
            if (s->last != seq) {
                s->last = seq;
                s->docs++;
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
        const slot *sl = slot_at(&t, i);
        const uint32_t *k = sl->key;
        if (sl->count == 0 || sl->count < o->min_count)
            continue;
        if (o->stop && ((qi_itemizer_flags(it, k[0]) & QI_ITEM_STOP) ||
                        (qi_itemizer_flags(it, k[n - 1]) & QI_ITEM_STOP)))
            continue;
        cands[ncand].count = sl->count;
        cands[ncand].docs = sl->docs;
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
