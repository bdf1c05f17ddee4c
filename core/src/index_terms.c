/*
 * index_terms.c - the snapshot-wide term dictionary of quarry_index.
 *
 * Term ids are positions in the sorted union of the segments'
 * dictionaries. With one segment and no deletions they are the segment's
 * own ordinals, so lookups go straight to the segment and nothing is
 * built. Otherwise the union is built on first use by a k-way merge of the
 * segments' term iterators through a heap (O(terms log segments)), with
 * one local -> global map per segment for token streams.
 *
 * Counts are exact over live documents: while merging, a term's counts are
 * the sums of the segments' dictionary counts; where a contributing
 * segment has deletions the term is marked stale and its postings in those
 * segments are walked on first use to subtract deleted documents.
 */
#include "index_internal.h"

#include <string.h>

static int nomem(quarry_index *ix)
{
    qi_set_error(ix->errmsg, "out of memory building the term dictionary");
    return QUARRY_ENOMEM;
}

void qi_index_terms_free(quarry_index *ix)
{
    quarry_env *env = ix->env;
    qi_termtab *t = ix->terms;
    size_t i;
    for (i = 0; i < ix->nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        qi_free(env, s->gmap,
                (s->stats.term_count ? s->stats.term_count : 1) *
                    sizeof *s->gmap);
        s->gmap = NULL;
    }
    if (!t)
        return;
    qi_free(env, t->arena, t->arena_cap);
    qi_free(env, t->off, (t->cap + 1) * sizeof *t->off);
    qi_free(env, t->count, (t->cap ? t->cap : 1) * sizeof *t->count);
    qi_free(env, t->docs, (t->cap ? t->cap : 1) * sizeof *t->docs);
    qi_free(env, t->stale, t->cap ? t->cap : 1);
    qi_free(env, t, sizeof *t);
    ix->terms = NULL;
}

static int term_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* Orders segments by their iterator's current term (then by position,
 * so equal terms come out in segment order). */
static bool it_less(const qi_termiter *its, size_t a, size_t b)
{
    int c = term_cmp(its[a].text, its[a].len, its[b].text, its[b].len);
    return c < 0 || (c == 0 && a < b);
}

/* Restores the min-heap property below pos. */
static void sift(size_t *h, size_t n, size_t pos, const qi_termiter *its)
{
    for (;;) {
        size_t l = 2 * pos + 1, r = l + 1, m = pos, tmp;
        if (l < n && it_less(its, h[l], h[m]))
            m = l;
        if (r < n && it_less(its, h[r], h[m]))
            m = r;
        if (m == pos)
            return;
        tmp = h[m];
        h[m] = h[pos];
        h[pos] = tmp;
        pos = m;
    }
}

int qi_index_terms_build(quarry_index *ix)
{
    quarry_env *env = ix->env;
    qi_termtab *t;
    qi_termiter *its = NULL;
    bool *have = NULL;
    size_t *heap = NULL, hn = 0;
    uint64_t bound = 0, n = 0;
    size_t k = ix->nsegs, i, arena_len = 0;
    int rc = QUARRY_OK;

    if (ix->terms)
        return QUARRY_OK;
    for (i = 0; i < k; i++)
        bound += ix->segs[i].stats.term_count;
    t = qi_calloc(env, 1, sizeof *t);
    if (!t)
        return nomem(ix);
    ix->terms = t;
    /* Arrays are sized to the bound (the sum of the dictionaries) and kept
     * so: terms shared by segments waste a little, reallocating would copy
     * everything once more. */
    t->cap = bound;
    t->off = qi_alloc(env, (bound + 1) * sizeof *t->off);
    t->count = qi_alloc(env, (bound ? bound : 1) * sizeof *t->count);
    t->docs = qi_alloc(env, (bound ? bound : 1) * sizeof *t->docs);
    t->stale = qi_alloc(env, bound ? bound : 1);
    its = qi_calloc(env, k ? k : 1, sizeof *its);
    have = qi_calloc(env, k ? k : 1, sizeof *have);
    heap = qi_calloc(env, k ? k : 1, sizeof *heap);
    if (!t->off || !t->count || !t->docs || !t->stale || !its || !have ||
        !heap) {
        rc = nomem(ix);
        goto done;
    }
    for (i = 0; i < k; i++) {
        qi_ixseg *s = &ix->segs[i];
        s->gmap =
            qi_alloc(env, (s->stats.term_count ? s->stats.term_count : 1) *
                              sizeof *s->gmap);
        if (!s->gmap) {
            rc = nomem(ix);
            goto done;
        }
        rc = qi_termiter_start(&its[i], s->seg, 0);
        if (rc == QUARRY_OK)
            rc = qi_termiter_next(&its[i]);
        if (rc < 0)
            goto segerr;
        have[i] = rc == QUARRY_OK;
        rc = QUARRY_OK;
    }
    for (i = 0; i < k; i++)
        if (have[i])
            heap[hn++] = i;
    for (i = hn / 2; i-- > 0;)
        sift(heap, hn, i, its);
    while (hn > 0) {
        const char *mt = its[heap[0]].text;
        size_t ml = its[heap[0]].len;
        if (n >= bound || n >= UINT32_MAX) {
            qi_set_error(ix->errmsg,
                         "%s: more terms than the dictionaries "
                         "declare, or more than 2^32",
                         ix->path);
            rc = n >= UINT32_MAX ? QUARRY_ELIMIT : QUARRY_ECORRUPT;
            goto done;
        }
        /* append the text first: mt dies when its iterator moves */
        {
            void *a = t->arena;
            if (!qi_array_reserve(env, &a, &t->arena_cap, arena_len + ml + 1,
                                  1)) {
                rc = nomem(ix);
                goto done;
            }
            t->arena = a;
            memcpy(t->arena + arena_len, mt, ml);
            t->arena[arena_len + ml] = '\0';
            t->off[n] = arena_len;
            arena_len += ml + 1;
        }
        t->count[n] = t->docs[n] = 0;
        t->stale[n] = 0;
        /* every segment whose current term is this one */
        while (hn > 0 && term_cmp(its[heap[0]].text, its[heap[0]].len,
                                  t->arena + t->off[n], ml) == 0) {
            qi_ixseg *s;
            i = heap[0];
            s = &ix->segs[i];
            if (its[i].term.ordinal >= s->stats.term_count) {
                rc = QUARRY_ECORRUPT;
                qi_set_error(ix->errmsg, "%s: term ordinal out of range",
                             ix->path);
                goto done;
            }
            s->gmap[its[i].term.ordinal] = (uint32_t)n;
            t->count[n] += its[i].term.coll_freq;
            t->docs[n] += its[i].term.doc_freq;
            if (s->del)
                t->stale[n] = 1;
            rc = qi_termiter_next(&its[i]);
            if (rc < 0)
                goto segerr;
            if (rc == QUARRY_DONE)
                heap[0] = heap[--hn];
            rc = QUARRY_OK;
            sift(heap, hn, 0, its);
        }
        n++;
    }
    t->off[n] = arena_len;
    t->n = n;
    goto done;
segerr:
    qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(its[i].seg));
done:
    qi_free(env, its, (k ? k : 1) * sizeof *its);
    qi_free(env, have, (k ? k : 1) * sizeof *have);
    qi_free(env, heap, (k ? k : 1) * sizeof *heap);
    if (rc != QUARRY_OK)
        qi_index_terms_free(ix);
    return rc;
}

int qi_index_terms_fix(quarry_index *ix, uint64_t id)
{
    qi_termtab *t = ix->terms;
    const char *text;
    size_t len, i;
    if (!t->stale[id])
        return QUARRY_OK;
    text = t->arena + t->off[id];
    len = (size_t)(t->off[id + 1] - t->off[id] - 1);
    for (i = 0; i < ix->nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        qi_term term;
        qi_postings pl;
        int rc;
        if (!s->del)
            continue;
        rc = qi_segment_term_find(s->seg, text, len, &term);
        if (rc == QUARRY_DONE)
            continue;
        if (rc == QUARRY_OK)
            rc = qi_postings_start(&pl, s->seg, &term);
        while (rc == QUARRY_OK && (rc = qi_postings_next(&pl)) == QUARRY_OK) {
            if (pl.doc >= s->ms.doc_count) {
                qi_set_error(ix->errmsg, "%s: postings document out of range",
                             ix->path);
                return QUARRY_ECORRUPT;
            }
            if (qi_del_test(s->del, pl.doc)) {
                if (t->count[id] < pl.freq || t->docs[id] == 0) {
                    qi_set_error(ix->errmsg,
                                 "%s: postings disagree with term counts",
                                 ix->path);
                    return QUARRY_ECORRUPT;
                }
                t->count[id] -= pl.freq;
                t->docs[id]--;
            }
        }
        if (rc < 0) {
            qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(s->seg));
            return rc;
        }
    }
    t->stale[id] = 0;
    return QUARRY_OK;
}

/* ---- public term API ---- */

uint64_t quarry_index_term_count(quarry_index *ix)
{
    if (ix->nsegs == 0)
        return 0;
    if (!qi_index_needs_table(ix))
        return ix->segs[0].stats.term_count;
    if (qi_index_terms_build(ix) != QUARRY_OK)
        return 0;
    return ix->terms->n;
}

/* Binary search: first id whose text is >= (text, len). */
static uint64_t table_seek(const qi_termtab *t, const char *text, size_t len)
{
    uint64_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (term_cmp(t->arena + t->off[mid],
                     (size_t)(t->off[mid + 1] - t->off[mid] - 1), text,
                     len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int quarry_index_term_lookup(quarry_index *ix, const char *term, size_t len,
                             uint32_t *id, uint64_t *count, uint64_t *docs)
{
    qi_termtab *t;
    uint64_t g;
    int rc;
    if (ix->nsegs == 0)
        return QUARRY_DONE;
    if (!qi_index_needs_table(ix)) {
        qi_term tm;
        rc = qi_segment_term_find(ix->segs[0].seg, term, len, &tm);
        if (rc == QUARRY_OK) {
            if (id)
                *id = (uint32_t)tm.ordinal;
            if (count)
                *count = tm.coll_freq;
            if (docs)
                *docs = tm.doc_freq;
        } else if (rc < 0) {
            qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(ix->segs[0].seg));
        }
        return rc;
    }
    rc = qi_index_terms_build(ix);
    if (rc != QUARRY_OK)
        return rc;
    t = ix->terms;
    g = table_seek(t, term, len);
    if (g >= t->n ||
        term_cmp(t->arena + t->off[g], (size_t)(t->off[g + 1] - t->off[g] - 1),
                 term, len) != 0)
        return QUARRY_DONE;
    if ((count || docs) && (rc = qi_index_terms_fix(ix, g)) != QUARRY_OK)
        return rc;
    if (id)
        *id = (uint32_t)g;
    if (count)
        *count = t->count[g];
    if (docs)
        *docs = t->docs[g];
    return QUARRY_OK;
}

const char *quarry_index_term_text(quarry_index *ix, uint32_t id, size_t *len,
                                   uint64_t *count, uint64_t *docs)
{
    qi_termtab *t;
    if (qi_index_terms_build(ix) != QUARRY_OK)
        return NULL;
    t = ix->terms;
    if (id >= t->n)
        return NULL;
    if ((count || docs) && qi_index_terms_fix(ix, id) != QUARRY_OK)
        return NULL;
    if (len)
        *len = (size_t)(t->off[id + 1] - t->off[id] - 1);
    if (count)
        *count = t->count[id];
    if (docs)
        *docs = t->docs[id];
    return t->arena + t->off[id];
}

uint32_t quarry_index_term_seek(quarry_index *ix, const char *text, size_t len)
{
    if (ix->nsegs == 0)
        return 0;
    if (!qi_index_needs_table(ix)) {
        uint64_t ord = ix->segs[0].stats.term_count;
        if (qi_segment_term_seek(ix->segs[0].seg, text, len, &ord) != QUARRY_OK)
            return (uint32_t)ix->segs[0].stats.term_count;
        return (uint32_t)ord;
    }
    if (qi_index_terms_build(ix) != QUARRY_OK)
        return 0;
    return (uint32_t)table_seek(ix->terms, text, len);
}
