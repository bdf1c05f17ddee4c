/*
 * freq.c - frequency lists (quarry.h, "Frequency lists, n-grams, keyness,
 * lexical statistics"): counts of items per group in dense arrays indexed
 * by item id, and the result object that n-gram lists (ngrams.c) share.
 *
 * Groups are counted one after the other over their own document lists, so
 * one set of arrays serves every group: the items a group touched are
 * remembered, harvested and reset, which costs the group's types, not the
 * vocabulary. Ranking needs text only to break ties of equal counts; with a
 * top N a heap of N keeps the work at O(types log N).
 */
#include "analysis.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    size_t group;
    uint64_t rank, count, docs;
    double per_million;
    size_t off, len; /* text in the arena */
} entry;

struct quarry_freq {
    quarry_env *env;
    entry *e;
    size_t n, cap;
    qi_buf arena;
    size_t ngroups;
    quarry_freq_totals *totals;
};

/* ---- ranking ------------------------------------------------------------ */

/* <0 when a ranks before b. */
static int cand_cmp(const qi_cand *a, const qi_cand *b, qi_cand_text_cmp cmp,
                    void *ud)
{
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return cmp(ud, a->key, b->key);
}

/* Max-heap on "ranks later" (sign 1) or "ranks earlier" (sign -1). */
static void sift_down(qi_cand *c, size_t n, size_t i, int sign,
                      qi_cand_text_cmp cmp, void *ud)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        qi_cand t;
        if (l < n && sign * cand_cmp(&c[l], &c[m], cmp, ud) > 0)
            m = l;
        if (r < n && sign * cand_cmp(&c[r], &c[m], cmp, ud) > 0)
            m = r;
        if (m == i)
            return;
        t = c[i];
        c[i] = c[m];
        c[m] = t;
        i = m;
    }
}

void qi_cands_sort(qi_cand *c, size_t n, qi_cand_text_cmp cmp, void *ud)
{
    size_t i;
    if (n < 2)
        return;
    /* heap whose root ranks last; popping it to the end sorts best first */
    for (i = n / 2; i-- > 0;)
        sift_down(c, n, i, 1, cmp, ud);
    for (i = n - 1; i > 0; i--) {
        qi_cand t = c[0];
        c[0] = c[i];
        c[i] = t;
        sift_down(c, i, 0, 1, cmp, ud);
    }
}

void qi_cands_top(qi_cand *c, size_t n, size_t k, qi_cand_text_cmp cmp,
                  void *ud)
{
    size_t i;
    if (k >= n) {
        qi_cands_sort(c, n, cmp, ud);
        return;
    }
    if (k == 0)
        return;
    /* c[0..k) is a heap whose root is the worst kept entry */
    for (i = k / 2; i-- > 0;)
        sift_down(c, k, i, 1, cmp, ud);
    for (i = k; i < n; i++) {
        if (c[i].count < c[0].count)
            continue; /* the common case: decided without text */
        if (cand_cmp(&c[i], &c[0], cmp, ud) < 0) {
            c[0] = c[i];
            sift_down(c, k, 0, 1, cmp, ud);
        }
    }
    qi_cands_sort(c, k, cmp, ud);
}

/* ---- the result --------------------------------------------------------- */

int qi_freq_emit(quarry_freq *f, qi_cand *cands, size_t n, size_t top,
                 size_t group, uint64_t tokens, qi_cand_text_cmp cmp,
                 qi_cand_text text, void *ud)
{
    size_t keep = top && top < n ? top : n, i;
    void *p = f->e;
    qi_cands_top(cands, n, keep, cmp, ud);
    if (!qi_array_reserve(f->env, &p, &f->cap, f->n + keep, sizeof *f->e))
        return QUARRY_ENOMEM;
    f->e = p;
    for (i = 0; i < keep; i++) {
        entry *e = &f->e[f->n];
        size_t before = f->arena.len;
        if (text(ud, cands[i].key, &f->arena) != QUARRY_OK ||
            !qi_buf_push(f->env, &f->arena, 0))
            return QUARRY_ENOMEM;
        e->group = group;
        e->rank = i + 1;
        e->count = cands[i].count;
        e->docs = cands[i].docs;
        e->per_million =
            tokens ? (double)cands[i].count * 1e6 / (double)tokens : 0.0;
        e->off = before;
        e->len = f->arena.len - before - 1;
        f->n++;
    }
    return QUARRY_OK;
}

void quarry_freq_free(quarry_freq *f)
{
    if (!f)
        return;
    qi_free(f->env, f->e, f->cap * sizeof *f->e);
    qi_buf_free(f->env, &f->arena);
    qi_free(f->env, f->totals,
            (f->ngroups ? f->ngroups : 1) * sizeof *f->totals);
    qi_free(f->env, f, sizeof *f);
}

size_t quarry_freq_count(const quarry_freq *f)
{
    return f ? f->n : 0;
}

int quarry_freq_get(const quarry_freq *f, size_t i, quarry_freq_entry *out)
{
    const entry *e;
    memset(out, 0, sizeof *out);
    if (!f || i >= f->n)
        return QUARRY_EINVAL;
    e = &f->e[i];
    out->text = f->arena.data + e->off;
    out->len = e->len;
    out->group = e->group;
    out->rank = e->rank;
    out->count = e->count;
    out->docs = e->docs;
    out->per_million = e->per_million;
    return QUARRY_OK;
}

size_t quarry_freq_group_count(const quarry_freq *f)
{
    return f ? f->ngroups : 0;
}

int quarry_freq_totals_get(const quarry_freq *f, size_t g,
                           quarry_freq_totals *out)
{
    memset(out, 0, sizeof *out);
    if (!f || g >= f->ngroups)
        return QUARRY_EINVAL;
    *out = f->totals[g];
    return QUARRY_OK;
}

/* ---- single items ------------------------------------------------------- */

static int item_cmp(void *ud, uint64_t a, uint64_t b)
{
    qi_itemizer *it = ud;
    size_t la = 0, lb = 0, m;
    const char *ta = qi_itemizer_text(it, (uint32_t)a, &la);
    const char *tb = qi_itemizer_text(it, (uint32_t)b, &lb);
    int c;
    if (!ta || !tb)
        return a < b ? -1 : a > b;
    m = la < lb ? la : lb;
    c = memcmp(ta, tb, m);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

static int item_text(void *ud, uint64_t key, qi_buf *out)
{
    qi_itemizer *it = ud;
    size_t len = 0;
    const char *t = qi_itemizer_text(it, (uint32_t)key, &len);
    return qi_buf_append(it->env, out, t ? t : "", t ? len : 0) ? QUARRY_OK
                                                                : QUARRY_ENOMEM;
}

/* One item's counts; together so that a token touches one cache line. */
typedef struct tally {
    uint64_t count;
    uint32_t docs;
    uint32_t last; /* 1 + position in the list of the last document */
} tally;

/* Dense per-item counters reused across groups. */
typedef struct counters {
    tally *t;
    size_t cap;
    uint32_t *touched;
    size_t ntouched, touched_cap;
} counters;

static void counters_free(quarry_env *env, counters *c)
{
    qi_free(env, c->t, c->cap * sizeof *c->t);
    qi_free(env, c->touched, c->touched_cap * sizeof *c->touched);
}

/* Makes the array cover need items, the new ones zero. */
static int counters_reserve(quarry_env *env, counters *c, size_t need)
{
    size_t old = c->cap;
    void *p = c->t;
    if (need <= old)
        return QUARRY_OK;
    if (!qi_array_reserve(env, &p, &c->cap, need, sizeof *c->t))
        return QUARRY_ENOMEM;
    c->t = p;
    memset(c->t + old, 0, (c->cap - old) * sizeof *c->t);
    return QUARRY_OK;
}

/* Counts the items of one document list and emits its entries. */
static int count_items(quarry_freq *f, qi_itemizer *it, counters *c,
                       const uint64_t *docs, size_t ndocs, size_t group,
                       const quarry_freq_options *o, quarry_freq_totals *tot,
                       char *errmsg)
{
    quarry_env *env = f->env;
    qi_cand *cands = NULL;
    size_t d, i, ncand = 0, cand_cap = 0;
    int rc = QUARRY_OK;
    c->ntouched = 0;
    for (d = 0; d < ndocs; d++) {
        uint32_t seq = (uint32_t)(d + 1);
        rc = qi_itemizer_doc(it, docs[d]);
        if (rc != QUARRY_OK) {
            qi_set_error(errmsg, "%s", it->errmsg);
            goto done;
        }
        if (counters_reserve(env, c, (size_t)qi_itemizer_limit(it)) !=
            QUARRY_OK)
            goto oom;
        {
            void *p = c->touched;
            if (!qi_array_reserve(env, &p, &c->touched_cap, c->ntouched + it->n,
                                  sizeof *c->touched))
                goto oom;
            c->touched = p;
        }
        for (i = 0; i < it->n; i++) {
            uint32_t item = it->items[i];
            tally *t = &c->t[item];
            if (t->count++ == 0)
                c->touched[c->ntouched++] = item;
            if (t->last != seq) {
                t->last = seq;
                t->docs++;
            }
        }
        tot->tokens += it->n;
        tot->docs++;
    }
    tot->types = c->ntouched;
    tot->ngrams = tot->tokens;
    cand_cap = c->ntouched ? c->ntouched : 1;
    cands = qi_alloc(env, cand_cap * sizeof *cands);
    if (!cands)
        goto oom;
    for (i = 0; i < c->ntouched; i++) {
        uint32_t item = c->touched[i];
        if (c->t[item].count < o->min_count ||
            (qi_itemizer_flags(it, item) & QI_ITEM_STOP))
            continue;
        cands[ncand].count = c->t[item].count;
        cands[ncand].docs = c->t[item].docs;
        cands[ncand].key = item;
        ncand++;
    }
    rc = qi_freq_emit(f, cands, ncand, o->top, group, tot->tokens, item_cmp,
                      item_text, it);
    if (rc != QUARRY_OK)
        goto oom;
    goto done;
oom:
    rc = QUARRY_ENOMEM;
    qi_set_error(errmsg, "out of memory");
done:
    for (i = 0; i < c->ntouched; i++)
        memset(&c->t[c->touched[i]], 0, sizeof *c->t);
    c->ntouched = 0;
    qi_free(env, cands, cand_cap * sizeof *cands);
    return rc;
}

/* The same list from the postings (single items of terms, no groups):
 * O(postings of the subcorpus's terms) instead of O(tokens), and O(types)
 * when the subcorpus is every live document. */
static int count_terms_fast(quarry_freq *f, qi_itemizer *it,
                            const quarry_subcorpus *sc,
                            const quarry_freq_options *o,
                            quarry_freq_totals *tot, char *errmsg)
{
    quarry_env *env = f->env;
    quarry_index *ix = it->ix;
    size_t nt = (size_t)it->nterms, i, ncand = 0, alloc = nt ? nt : 1;
    uint64_t *counts = qi_calloc(env, alloc, sizeof *counts);
    uint64_t *docs = qi_calloc(env, alloc, sizeof *docs);
    qi_cand *cands = qi_alloc(env, alloc * sizeof *cands);
    uint64_t id;
    int rc = QUARRY_ENOMEM;
    if (!counts || !docs || !cands) {
        qi_set_error(errmsg, "out of memory");
        goto done;
    }
    rc = qi_count_terms_postings(ix, sc, counts, docs);
    if (rc != QUARRY_OK) {
        qi_set_error(errmsg, "%s", quarry_index_errmsg(ix));
        goto done;
    }
    for (i = 0; i < nt; i++) {
        uint8_t fl;
        if (!counts[i])
            continue;
        rc = qi_itemizer_term_flags(it, (uint32_t)i, &fl);
        if (rc != QUARRY_OK) {
            qi_set_error(errmsg, "%s", it->errmsg);
            goto done;
        }
        if (fl & QI_ITEM_SKIPPED)
            continue;
        tot->tokens += counts[i];
        tot->types++;
        if (counts[i] < o->min_count || (fl & QI_ITEM_STOP))
            continue;
        cands[ncand].count = counts[i];
        cands[ncand].docs = docs[i];
        cands[ncand].key = i;
        ncand++;
    }
    tot->ngrams = tot->tokens;
    for (id = qi_next_doc(ix, sc, UINT64_MAX); id < quarry_index_doc_limit(ix);
         id = qi_next_doc(ix, sc, id))
        tot->docs++;
    rc = qi_freq_emit(f, cands, ncand, o->top, 0, tot->tokens, item_cmp,
                      item_text, it);
    if (rc != QUARRY_OK)
        qi_set_error(errmsg, "out of memory");
done:
    qi_free(env, counts, alloc * sizeof *counts);
    qi_free(env, docs, alloc * sizeof *docs);
    qi_free(env, cands, alloc * sizeof *cands);
    return rc;
}

static int tuple_cmp(const void *pa, const void *pb)
{
    const qi_group_count *a = pa, *b = pb;
    return a->term < b->term ? -1 : a->term > b->term;
}

/* Lists per group of single term items from the postings. */
static int count_groups_fast(quarry_freq *f, qi_itemizer *it,
                             const quarry_subcorpus *sc,
                             const quarry_freq_options *o, char *errmsg)
{
    quarry_env *env = f->env;
    quarry_index *ix = it->ix;
    qi_group_counts gc;
    qi_cand *cands = NULL;
    size_t cand_cap = 0, g, i;
    uint64_t id;
    int rc = qi_count_terms_groups(ix, sc, o->groups, &gc);
    if (rc != QUARRY_OK) {
        qi_set_error(errmsg, "%s", quarry_index_errmsg(ix));
        return rc;
    }
    for (id = qi_next_doc(ix, sc, UINT64_MAX); id < quarry_index_doc_limit(ix);
         id = qi_next_doc(ix, sc, id)) {
        size_t k = quarry_groups_of(o->groups, id);
        if (k < f->ngroups)
            f->totals[k].docs++;
    }
    for (g = 0; g < gc.groups && rc == QUARRY_OK; g++) {
        qi_group_count *t = gc.t[g];
        size_t n = gc.n[g], m = 0, ncand = 0;
        quarry_freq_totals *tot = &f->totals[g];
        void *p = cands;
        if (ix->nsegs > 1 && n > 1) { /* one tuple per segment: merge */
            qsort(t, n, sizeof *t, tuple_cmp);
            for (i = 0; i < n; i++) {
                if (m > 0 && t[m - 1].term == t[i].term) {
                    t[m - 1].count += t[i].count;
                    t[m - 1].docs += t[i].docs;
                } else {
                    t[m++] = t[i];
                }
            }
            n = m;
        }
        if (!qi_array_reserve(env, &p, &cand_cap, n ? n : 1, sizeof *cands)) {
            rc = QUARRY_ENOMEM;
            qi_set_error(errmsg, "out of memory");
            break;
        }
        cands = p;
        for (i = 0; i < n; i++) {
            uint8_t fl;
            rc = qi_itemizer_term_flags(it, t[i].term, &fl);
            if (rc != QUARRY_OK) {
                qi_set_error(errmsg, "%s", it->errmsg);
                break;
            }
            if (fl & QI_ITEM_SKIPPED)
                continue;
            tot->tokens += t[i].count;
            tot->types++;
            if (t[i].count < o->min_count || (fl & QI_ITEM_STOP))
                continue;
            cands[ncand].count = t[i].count;
            cands[ncand].docs = t[i].docs;
            cands[ncand].key = t[i].term;
            ncand++;
        }
        if (rc != QUARRY_OK)
            break;
        tot->ngrams = tot->tokens;
        rc = qi_freq_emit(f, cands, ncand, o->top, g, tot->tokens, item_cmp,
                          item_text, it);
        if (rc != QUARRY_OK)
            qi_set_error(errmsg, "out of memory");
    }
    qi_free(env, cands, cand_cap * sizeof *cands);
    qi_group_counts_free(env, &gc);
    return rc;
}

int quarry_freq_new(quarry_env *env, quarry_index *ix,
                    const quarry_subcorpus *sc, const quarry_freq_options *opts,
                    quarry_freq **out)
{
    quarry_freq_options o;
    quarry_freq *f = NULL;
    qi_itemizer it;
    qi_doc_lists dl;
    counters c;
    char errmsg[QI_ERRMSG_SIZE] = "";
    size_t g;
    int rc, fast = 0;

    *out = NULL;
    memset(&o, 0, sizeof o);
    if (opts)
        o = *opts;
    if (o.n == 0)
        o.n = 1;
    memset(&it, 0, sizeof it);
    memset(&dl, 0, sizeof dl);
    memset(&c, 0, sizeof c);
    if (o.n > 5) {
        qi_set_error(env->errmsg, "freq: n must be 1 to 5 (got %u)", o.n);
        return QUARRY_EINVAL;
    }
    rc = qi_itemizer_init(&it, env, ix, o.unit, o.include_punct, o.stop);
    if (rc != QUARRY_OK) {
        qi_set_error(env->errmsg, "freq: %s", it.errmsg);
        qi_itemizer_free(&it);
        return rc;
    }
    it.sentences = o.n > 1;
    f = qi_calloc(env, 1, sizeof *f);
    if (!f)
        goto oom;
    f->env = env;
    rc = qi_doc_lists_build(env, ix, sc, o.groups, &dl);
    if (rc != QUARRY_OK)
        goto fail_env;
    f->ngroups = dl.n;
    f->totals = qi_calloc(env, dl.n ? dl.n : 1, sizeof *f->totals);
    if (!f->totals)
        goto oom;
    if (o.n == 1 && (o.unit == QUARRY_UNIT_TERMS ||
                     (o.unit == QUARRY_UNIT_WORDS && qi_terms_are_words(ix)))) {
        rc = o.groups ? count_groups_fast(f, &it, sc, &o, errmsg)
                      : count_terms_fast(f, &it, sc, &o, &f->totals[0], errmsg);
        if (rc != QUARRY_OK) {
            qi_set_error(env->errmsg, "freq: %s", errmsg);
            goto fail_env;
        }
        fast = 1;
    }
    for (g = 0; g < dl.n && !fast; g++) {
        if (o.n == 1)
            rc = count_items(f, &it, &c, dl.ids[g], dl.len[g], g, &o,
                             &f->totals[g], errmsg);
        else
            rc = qi_ngrams_count(f, &it, dl.ids[g], dl.len[g], g, &o,
                                 &f->totals[g], errmsg);
        if (rc != QUARRY_OK) {
            qi_set_error(env->errmsg, "freq: %s", errmsg);
            goto fail_env;
        }
    }
    counters_free(env, &c);
    qi_doc_lists_free(env, &dl);
    qi_itemizer_free(&it);
    *out = f;
    return QUARRY_OK;
oom:
    rc = QUARRY_ENOMEM;
    qi_set_error(env->errmsg, "freq: out of memory");
fail_env:
    counters_free(env, &c);
    qi_doc_lists_free(env, &dl);
    qi_itemizer_free(&it);
    quarry_freq_free(f);
    return rc;
}
