/*
 * lexstats.c - lexical statistics per document, per group and for the whole
 * subcorpus (quarry.h, "Frequency lists, n-grams, keyness, lexical
 * statistics"): tokens, types, type-token ratio, moving-average TTR
 * (Covington & McFall 2010) and hapax legomena.
 *
 * MATTR slides a window of W counted tokens over each document, one token
 * in and one out, keeping the window's types in a count per item, so a
 * document costs O(tokens) whatever W is. A row over several documents
 * (group, total) averages the TTR of all their windows: windows never span
 * two documents, and a document shorter than W is one window.
 */
#include "analysis.h"

#include <math.h>
#include <string.h>

struct quarry_lexstats {
    quarry_env *env;
    quarry_lexstats_row *docs, *groups;
    size_t ndocs, docs_cap, ngroups;
    quarry_lexstats_row total;
};

void quarry_lexstats_free(quarry_lexstats *ls)
{
    if (!ls)
        return;
    qi_free(ls->env, ls->docs, ls->docs_cap * sizeof *ls->docs);
    qi_free(ls->env, ls->groups,
            (ls->ngroups ? ls->ngroups : 1) * sizeof *ls->groups);
    qi_free(ls->env, ls, sizeof *ls);
}

size_t quarry_lexstats_doc_count(const quarry_lexstats *ls)
{
    return ls ? ls->ndocs : 0;
}

int quarry_lexstats_doc_get(const quarry_lexstats *ls, size_t i,
                            quarry_lexstats_row *out)
{
    memset(out, 0, sizeof *out);
    if (!ls || i >= ls->ndocs)
        return QUARRY_EINVAL;
    *out = ls->docs[i];
    return QUARRY_OK;
}

size_t quarry_lexstats_group_count(const quarry_lexstats *ls)
{
    return ls ? ls->ngroups : 0;
}

int quarry_lexstats_group_get(const quarry_lexstats *ls, size_t i,
                              quarry_lexstats_row *out)
{
    memset(out, 0, sizeof *out);
    if (!ls || i >= ls->ngroups)
        return QUARRY_EINVAL;
    *out = ls->groups[i];
    return QUARRY_OK;
}

void quarry_lexstats_total_get(const quarry_lexstats *ls,
                               quarry_lexstats_row *out)
{
    *out = ls->total;
}

/* Counts per item with the list of items touched, to reset cheaply. */
typedef struct tally {
    uint64_t *count;
    size_t cap;
    uint32_t *touched;
    size_t ntouched, touched_cap;
} tally;

static void tally_free(quarry_env *env, tally *t)
{
    qi_free(env, t->count, t->cap * sizeof *t->count);
    qi_free(env, t->touched, t->touched_cap * sizeof *t->touched);
}

static int tally_reserve(quarry_env *env, tally *t, size_t items, size_t more)
{
    size_t old = t->cap;
    void *p = t->count, *q = t->touched;
    if (!qi_array_reserve(env, &p, &t->cap, items, sizeof *t->count))
        return QUARRY_ENOMEM;
    t->count = p;
    memset(t->count + old, 0, (t->cap - old) * sizeof *t->count);
    if (!qi_array_reserve(env, &q, &t->touched_cap, t->ntouched + more,
                          sizeof *t->touched))
        return QUARRY_ENOMEM;
    t->touched = q;
    return QUARRY_OK;
}

static void tally_add(tally *t, uint32_t item)
{
    if (t->count[item]++ == 0)
        t->touched[t->ntouched++] = item;
}

/* Types and hapax of t into row, then resets t. */
static void tally_close(tally *t, quarry_lexstats_row *row)
{
    size_t i;
    row->types = t->ntouched;
    row->hapax = 0;
    for (i = 0; i < t->ntouched; i++) {
        row->hapax += t->count[t->touched[i]] == 1;
        t->count[t->touched[i]] = 0;
    }
    t->ntouched = 0;
}

/* Sum of window TTRs and number of windows of one item stream. */
static void mattr_doc(const uint32_t *items, size_t n, size_t w, uint64_t *win,
                      double *sum, uint64_t *windows)
{
    size_t i, types = 0;
    if (n == 0)
        return;
    if (n <= w) { /* one window: the document's own TTR */
        for (i = 0; i < n; i++)
            types += win[items[i]]++ == 0;
        *sum += (double)types / (double)n;
        *windows += 1;
        for (i = 0; i < n; i++)
            win[items[i]] = 0;
        return;
    }
    for (i = 0; i < w; i++)
        types += win[items[i]]++ == 0;
    *sum += (double)types / (double)w;
    for (i = w; i < n; i++) {
        types -= --win[items[i - w]] == 0;
        types += win[items[i]]++ == 0;
        *sum += (double)types / (double)w;
    }
    *windows += n - w + 1;
    for (i = n - w; i < n; i++)
        win[items[i]] = 0;
}

static void finish_row(quarry_lexstats_row *row, double sum, uint64_t windows)
{
    row->ttr = row->tokens ? (double)row->types / (double)row->tokens : NAN;
    row->mattr = windows ? sum / (double)windows : NAN;
}

int quarry_lexstats_new(quarry_env *env, quarry_index *ix,
                        const quarry_subcorpus *sc,
                        const quarry_lexstats_options *opts,
                        quarry_lexstats **out)
{
    quarry_lexstats_options o;
    quarry_lexstats *ls = NULL;
    qi_itemizer it;
    qi_doc_lists all, dl;
    tally doc_t, row_t, win;
    char errmsg[QI_ERRMSG_SIZE] = "out of memory";
    double total_sum = 0;
    uint64_t total_windows = 0;
    size_t g, d, w;
    int rc;

    *out = NULL;
    memset(&o, 0, sizeof o);
    if (opts)
        o = *opts;
    w = o.window ? o.window : 100;
    memset(&all, 0, sizeof all);
    memset(&dl, 0, sizeof dl);
    memset(&doc_t, 0, sizeof doc_t);
    memset(&row_t, 0, sizeof row_t);
    memset(&win, 0, sizeof win);
    rc = qi_itemizer_init(&it, env, ix, o.unit, o.include_punct, NULL);
    if (rc != QUARRY_OK) {
        qi_set_error(errmsg, "%s", it.errmsg);
        goto fail;
    }
    it.sentences = 0;
    rc = QUARRY_ENOMEM;
    ls = qi_calloc(env, 1, sizeof *ls);
    if (!ls)
        goto fail;
    ls->env = env;
    ls->ngroups = o.groups ? quarry_groups_count(o.groups) : 0;
    ls->groups =
        qi_calloc(env, ls->ngroups ? ls->ngroups : 1, sizeof *ls->groups);
    if (!ls->groups)
        goto fail;
    if (qi_doc_lists_build(env, ix, sc, NULL, &all) != QUARRY_OK)
        goto fail;
    ls->docs_cap = all.len[0] ? all.len[0] : 1;
    ls->docs = qi_calloc(env, ls->docs_cap, sizeof *ls->docs);
    if (!ls->docs)
        goto fail;

    /* pass 1: documents and the total */
    for (d = 0; d < all.len[0]; d++) {
        quarry_lexstats_row *row = &ls->docs[ls->ndocs];
        double sum = 0;
        uint64_t windows = 0;
        size_t i, limit;
        rc = qi_itemizer_doc(&it, all.ids[0][d]);
        if (rc != QUARRY_OK) {
            qi_set_error(errmsg, "%s", it.errmsg);
            goto fail;
        }
        rc = QUARRY_ENOMEM;
        limit = (size_t)qi_itemizer_limit(&it);
        if (tally_reserve(env, &doc_t, limit, it.n) != QUARRY_OK ||
            tally_reserve(env, &row_t, limit, it.n) != QUARRY_OK ||
            tally_reserve(env, &win, limit, 0) != QUARRY_OK)
            goto fail;
        for (i = 0; i < it.n; i++) {
            tally_add(&doc_t, it.items[i]);
            tally_add(&row_t, it.items[i]);
        }
        mattr_doc(it.items, it.n, w, win.count, &sum, &windows);
        row->doc = all.ids[0][d];
        row->group = o.groups ? quarry_groups_of(o.groups, row->doc) : SIZE_MAX;
        row->docs = 1;
        row->tokens = it.n;
        tally_close(&doc_t, row);
        finish_row(row, sum, windows);
        ls->ndocs++;
        ls->total.tokens += it.n;
        total_sum += sum;
        total_windows += windows;
    }
    ls->total.docs = ls->ndocs;
    ls->total.doc = UINT64_MAX;
    ls->total.group = SIZE_MAX;
    tally_close(&row_t, &ls->total);
    finish_row(&ls->total, total_sum, total_windows);

    /* pass 2: groups (types and hapax need each group's own counts) */
    if (o.groups) {
        rc = qi_doc_lists_build(env, ix, sc, o.groups, &dl);
        if (rc != QUARRY_OK)
            goto fail;
        for (g = 0; g < dl.n; g++) {
            quarry_lexstats_row *row = &ls->groups[g];
            double sum = 0;
            uint64_t windows = 0;
            row->doc = UINT64_MAX;
            row->group = g;
            for (d = 0; d < dl.len[g]; d++) {
                size_t i, limit;
                rc = qi_itemizer_doc(&it, dl.ids[g][d]);
                if (rc != QUARRY_OK) {
                    qi_set_error(errmsg, "%s", it.errmsg);
                    goto fail;
                }
                rc = QUARRY_ENOMEM;
                limit = (size_t)qi_itemizer_limit(&it);
                if (tally_reserve(env, &row_t, limit, it.n) != QUARRY_OK ||
                    tally_reserve(env, &win, limit, 0) != QUARRY_OK)
                    goto fail;
                for (i = 0; i < it.n; i++)
                    tally_add(&row_t, it.items[i]);
                mattr_doc(it.items, it.n, w, win.count, &sum, &windows);
                row->tokens += it.n;
                row->docs++;
            }
            tally_close(&row_t, row);
            finish_row(row, sum, windows);
        }
    }
    rc = QUARRY_OK;
    *out = ls;
    ls = NULL;
fail:
    if (rc != QUARRY_OK)
        qi_set_error(env->errmsg, "lexstats: %s", errmsg);
    quarry_lexstats_free(ls);
    qi_doc_lists_free(env, &all);
    qi_doc_lists_free(env, &dl);
    tally_free(env, &doc_t);
    tally_free(env, &row_t);
    tally_free(env, &win);
    qi_itemizer_free(&it);
    return rc;
}
