/*
 * colloc.c - collocates of a query's hits: the counted tokens in windows
 * around every hit, with the contingency table of docs/statistics.md and
 * every association measure (quarry.h, "Collocations, dispersion,
 * timelines"; semantics in docs/query-analyses.md).
 *
 * One pass in document order. A document with hits is decoded once and a
 * byte per position remembers which positions a window has claimed (or
 * a hit holds), so overlapping windows count a position once and the
 * node never counts as its own collocate. C1 and N must come from the
 * subcorpus: for the whole index they are the dictionary's counts, for a
 * smaller subcorpus every one of its documents is decoded and counted in
 * the same pass (the only way to know a term's frequency inside it).
 */
#include "qanalysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct quarry_colloc {
    quarry_env *env;
    quarry_collocate *items;
    size_t n;
    quarry_colloc_totals totals;
};

/* Counting state of one analysis. */
typedef struct colloc_run {
    quarry_env *env;
    quarry_index *ix;
    const quarry_subcorpus *sc;
    quarry_colloc_options opts;
    qi_counted counted;
    qi_docids doc;
    qi_hitreader *hits;
    uint64_t *left, *right; /* per term id */
    uint64_t *freq;         /* per term id, when counting the subcorpus */
    uint8_t *claimed;       /* per position of the current document */
    size_t claimed_cap;
    quarry_span *sentences;
    size_t sentences_cap;
    uint64_t nsentences;
    quarry_colloc_totals totals;
} colloc_run;

static const quarry_colloc_options default_options = {5, 5, 0, 3, 2};

/* Adds the counted tokens of the loaded document to the subcorpus counts. */
static void count_document(colloc_run *r)
{
    uint64_t i;
    for (i = 0; i < r->doc.n; i++) {
        uint32_t id = r->doc.ids[i];
        if (id < r->counted.terms && r->counted.is_counted[id]) {
            r->freq[id]++;
            r->totals.tokens++;
        }
    }
}

static int load_sentences(colloc_run *r, uint64_t doc)
{
    quarry_index_doc meta;
    size_t got;
    int rc = quarry_index_doc_get(r->ix, doc, &meta);
    if (rc != QUARRY_OK)
        return qi_index_fail(r->env, r->ix, rc);
    if (!qi_array_reserve(r->env, (void **)&r->sentences, &r->sentences_cap,
                          (size_t)meta.sentences + 1, sizeof *r->sentences)) {
        qi_set_error(r->env->errmsg, "out of memory for sentences");
        return QUARRY_ENOMEM;
    }
    rc = quarry_index_doc_spans(r->ix, doc, 0, 0, (size_t)meta.sentences,
                                r->sentences, &got);
    if (rc != QUARRY_OK)
        return qi_index_fail(r->env, r->ix, rc);
    r->nsentences = got;
    return QUARRY_OK;
}

/* Index of the sentence holding position pos, searching from *from on
 * (positions come in increasing order within a document). */
static uint64_t sentence_of(const colloc_run *r, uint64_t pos, uint64_t from)
{
    while (from + 1 < r->nsentences && r->sentences[from].end <= pos)
        from++;
    return from;
}

/* Claims position p for a window on one side; skips punctuation. Returns
 * 1 when p is a counted token (it takes room in the window). */
static int claim(colloc_run *r, uint64_t p, uint64_t *side)
{
    uint32_t id = r->doc.ids[p];
    if (id >= r->counted.terms || !r->counted.is_counted[id])
        return 0;
    if (!r->claimed[p]) {
        r->claimed[p] = 1;
        side[id]++;
        r->totals.window_tokens++;
    }
    return 1;
}

static int windows_of_document(colloc_run *r)
{
    uint64_t lo = 0, hi = r->doc.n, sent_first = 0, sent_last = 0;
    size_t h;
    int rc;
    if (!qi_array_reserve(r->env, (void **)&r->claimed, &r->claimed_cap,
                          (size_t)r->doc.n + 1, 1)) {
        qi_set_error(r->env->errmsg, "out of memory for windows");
        return QUARRY_ENOMEM;
    }
    memset(r->claimed, 0, (size_t)r->doc.n);
    /* docs/statistics.md: the hits themselves are in no window (they still
     * take room in a neighbour's window, as any token does) */
    for (h = 0; h < r->hits->nhits; h++) {
        uint64_t p, end = r->hits->hits[h].end;
        for (p = r->hits->hits[h].first; p < end && p < r->doc.n; p++)
            r->claimed[p] = 1;
    }
    if (r->opts.sentence && (rc = load_sentences(r, r->hits->doc)) != QUARRY_OK)
        return rc;
    for (h = 0; h < r->hits->nhits; h++) {
        uint64_t first = r->hits->hits[h].first, end = r->hits->hits[h].end;
        uint64_t p, k;
        if (first >= r->doc.n || end > r->doc.n || end <= first)
            continue; /* a hit the stream does not hold: nothing around it */
        if (r->opts.sentence && r->nsentences > 0) {
            sent_first = sentence_of(r, first, sent_first);
            sent_last = sentence_of(r, end - 1, sent_first);
            lo = r->sentences[sent_first].first;
            hi = r->sentences[sent_last].end;
            if (hi > r->doc.n)
                hi = r->doc.n;
        }
        for (p = first, k = 0; p > lo && k < r->opts.left;)
            k += (uint64_t)claim(r, --p, r->left);
        for (p = end, k = 0; p < hi && k < r->opts.right; p++)
            k += (uint64_t)claim(r, p, r->right);
        r->totals.hits++;
    }
    r->totals.docs++;
    return QUARRY_OK;
}

/* Counts the subcorpus documents in [from, to) that have no hits. */
static int count_documents_between(colloc_run *r, uint64_t from, uint64_t to)
{
    uint64_t id;
    int rc;
    for (id = qi_subcorpus_next(r->ix, r->sc, from); id < to;
         id = qi_subcorpus_next(r->ix, r->sc, id + 1)) {
        if ((rc = qi_docids_load(r->env, r->ix, id, &r->doc)) != QUARRY_OK)
            return rc;
        count_document(r);
    }
    return QUARRY_OK;
}

/* C1 and N of the whole index: the dictionary's counts. */
static int dictionary_counts(colloc_run *r)
{
    uint64_t id;
    for (id = 0; id < r->counted.terms; id++) {
        uint64_t count;
        if (!r->counted.is_counted[id])
            continue;
        if (!quarry_index_term_text(r->ix, (uint32_t)id, NULL, &count, NULL))
            return qi_index_fail(r->env, r->ix, QUARRY_ECORRUPT);
        r->freq[id] = count;
        r->totals.tokens += count;
    }
    return QUARRY_OK;
}

static int count_all(colloc_run *r)
{
    uint64_t next_unseen = 0, limit = quarry_index_doc_limit(r->ix);
    int scan = r->sc != NULL, rc;
    while ((rc = qi_hitreader_next_doc(r->env, r->hits)) == QUARRY_OK) {
        uint64_t doc = r->hits->doc;
        if (!qi_in_subcorpus(r->ix, r->sc, doc))
            continue;
        if (scan &&
            (rc = count_documents_between(r, next_unseen, doc)) != QUARRY_OK)
            return rc;
        if ((rc = qi_docids_load(r->env, r->ix, doc, &r->doc)) != QUARRY_OK)
            return rc;
        if (scan)
            count_document(r);
        next_unseen = doc + 1;
        if ((rc = windows_of_document(r)) != QUARRY_OK)
            return rc;
    }
    if (rc != QUARRY_DONE)
        return rc;
    if (scan)
        return count_documents_between(r, next_unseen, limit);
    return dictionary_counts(r);
}

static int by_o11(const void *a, const void *b)
{
    const quarry_collocate *x = a, *y = b;
    if (x->o11 != y->o11)
        return x->o11 > y->o11 ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

static int collect(colloc_run *r, quarry_colloc *c)
{
    uint64_t id, n = 0, min_freq = r->opts.min_freq ? r->opts.min_freq : 1,
                 min_o11 = r->opts.min_o11 ? r->opts.min_o11 : 1;
    double big_n = (double)r->totals.tokens,
           r1 = (double)r->totals.window_tokens;
    for (id = 0; id < r->counted.terms; id++) {
        uint64_t o11 = r->left[id] + r->right[id];
        if (o11 >= min_o11 && r->freq[id] >= min_freq)
            n++;
    }
    c->items = qi_calloc(r->env, n ? (size_t)n : 1, sizeof *c->items);
    if (!c->items) {
        qi_set_error(r->env->errmsg, "out of memory for collocates");
        return QUARRY_ENOMEM;
    }
    for (id = 0; id < r->counted.terms; id++) {
        uint64_t o11 = r->left[id] + r->right[id];
        quarry_collocate *it;
        double o, c1;
        if (o11 < min_o11 || r->freq[id] < min_freq)
            continue;
        it = &c->items[c->n++];
        it->term = (uint32_t)id;
        it->o11 = o11;
        it->left = r->left[id];
        it->right = r->right[id];
        it->c1 = r->freq[id];
        o = (double)o11;
        c1 = (double)it->c1;
        quarry_assoc_compute(o, r1 - o, c1 - o, big_n - r1 - c1 + o,
                             &it->assoc);
    }
    qsort(c->items, c->n, sizeof *c->items, by_o11);
    c->totals = r->totals;
    return QUARRY_OK;
}

static void run_free(colloc_run *r)
{
    size_t terms = r->counted.terms ? (size_t)r->counted.terms : 1;
    qi_free(r->env, r->left, terms * sizeof *r->left);
    qi_free(r->env, r->right, terms * sizeof *r->right);
    qi_free(r->env, r->freq, terms * sizeof *r->freq);
    qi_free(r->env, r->claimed, r->claimed_cap);
    qi_free(r->env, r->sentences, r->sentences_cap * sizeof *r->sentences);
    qi_docids_free(r->env, &r->doc);
    if (r->hits) {
        qi_hitreader_close(r->env, r->hits);
        qi_free(r->env, r->hits, sizeof *r->hits);
    }
    qi_counted_free(r->env, &r->counted);
}

int quarry_colloc_new(quarry_env *env, quarry_index *ix, const quarry_query *q,
                      const quarry_subcorpus *sc,
                      const quarry_colloc_options *opts, quarry_colloc **out,
                      size_t *error_pos)
{
    colloc_run r;
    quarry_colloc *c;
    size_t terms;
    int rc;
    *out = NULL;
    if (!env)
        return QUARRY_EINVAL;
    if (!ix || !q) {
        qi_set_error(env->errmsg, "collocations need an index and a query");
        return QUARRY_EINVAL;
    }
    memset(&r, 0, sizeof r);
    r.env = env;
    r.ix = ix;
    r.sc = sc;
    r.opts = opts ? *opts : default_options;
    if ((rc = qi_counted_init(env, ix, &r.counted)) != QUARRY_OK)
        return rc;
    terms = r.counted.terms ? (size_t)r.counted.terms : 1;
    r.left = qi_calloc(env, terms, sizeof *r.left);
    r.right = qi_calloc(env, terms, sizeof *r.right);
    r.freq = qi_calloc(env, terms, sizeof *r.freq);
    r.hits = qi_alloc(env, sizeof *r.hits);
    if (!r.left || !r.right || !r.freq || !r.hits) {
        if (r.hits)
            memset(r.hits, 0, sizeof *r.hits);
        run_free(&r);
        qi_set_error(env->errmsg, "out of memory for collocation counts");
        return QUARRY_ENOMEM;
    }
    rc = qi_hitreader_open(env, ix, q, r.hits, error_pos);
    if (rc == QUARRY_OK)
        rc = count_all(&r);
    c = NULL;
    if (rc == QUARRY_OK && !(c = qi_calloc(env, 1, sizeof *c))) {
        qi_set_error(env->errmsg, "out of memory for collocations");
        rc = QUARRY_ENOMEM;
    }
    if (rc == QUARRY_OK) {
        c->env = env;
        rc = collect(&r, c);
        if (rc != QUARRY_OK) {
            quarry_colloc_free(c);
            c = NULL;
        }
    }
    run_free(&r);
    *out = c;
    return rc;
}

void quarry_colloc_free(quarry_colloc *c)
{
    if (!c)
        return;
    qi_free(c->env, c->items, (c->n ? c->n : 1) * sizeof *c->items);
    qi_free(c->env, c, sizeof *c);
}

size_t quarry_colloc_count(const quarry_colloc *c)
{
    return c ? c->n : 0;
}

const quarry_collocate *quarry_colloc_items(const quarry_colloc *c)
{
    return c ? c->items : NULL;
}

void quarry_colloc_totals_get(const quarry_colloc *c, quarry_colloc_totals *out)
{
    if (c)
        *out = c->totals;
    else
        memset(out, 0, sizeof *out);
}

/* ---- ordering by a measure ---------------------------------------------- */

typedef double (*measure_fn)(const quarry_collocate *it);

#define MEASURE(name, expr)                                                    \
    static double measure_##name(const quarry_collocate *it)                   \
    {                                                                          \
        return (expr);                                                         \
    }
MEASURE(o11, (double)it->o11)
MEASURE(e11, it->assoc.e11)
MEASURE(c1, (double)it->c1)
MEASURE(mi, it->assoc.mi)
MEASURE(mi3, it->assoc.mi3)
MEASURE(t, it->assoc.t)
MEASURE(z, it->assoc.z)
MEASURE(g2, it->assoc.g2)
MEASURE(chi2, it->assoc.chi2)
MEASURE(dice, it->assoc.dice)
MEASURE(log_dice, it->assoc.log_dice)
MEASURE(log_ratio, it->assoc.log_ratio)
MEASURE(left, (double)it->left)
MEASURE(right, (double)it->right)
#undef MEASURE

static const struct {
    const char *name;
    measure_fn fn;
} measures[] = {
    {"o11", measure_o11},
    {"e11", measure_e11},
    {"c1", measure_c1},
    {"mi", measure_mi},
    {"mi3", measure_mi3},
    {"t", measure_t},
    {"z", measure_z},
    {"g2", measure_g2},
    {"chi2", measure_chi2},
    {"dice", measure_dice},
    {"log_dice", measure_log_dice},
    {"log_ratio", measure_log_ratio},
    {"left", measure_left},
    {"right", measure_right},
};

/* A sort key precomputed per item, so the comparison needs no state. */
typedef struct keyed {
    double key;
    quarry_collocate item;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int xn = isnan(x->key), yn = isnan(y->key);
    if (xn != yn)
        return xn - yn;
    if (!xn && x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return by_o11(&x->item, &y->item);
}

int quarry_colloc_sort(quarry_colloc *c, const char *measure)
{
    measure_fn fn = NULL;
    keyed *tmp;
    size_t i;
    if (!c || !measure)
        return QUARRY_EINVAL;
    for (i = 0; i < sizeof measures / sizeof measures[0]; i++)
        if (strcmp(measures[i].name, measure) == 0)
            fn = measures[i].fn;
    if (!fn)
        return QUARRY_EINVAL;
    if (c->n < 2)
        return QUARRY_OK;
    tmp = qi_alloc(c->env, c->n * sizeof *tmp);
    if (!tmp)
        return QUARRY_ENOMEM;
    for (i = 0; i < c->n; i++) {
        tmp[i].key = fn(&c->items[i]);
        tmp[i].item = c->items[i];
    }
    qsort(tmp, c->n, sizeof *tmp, by_key);
    for (i = 0; i < c->n; i++)
        c->items[i] = tmp[i].item;
    qi_free(c->env, tmp, c->n * sizeof *tmp);
    return QUARRY_OK;
}
