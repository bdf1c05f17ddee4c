/*
 * colloc.c - collocates of a query's hits: the counted tokens in windows
 * around every hit, with the contingency table of docs/statistics.md and
 * every association measure (quarry.h, "Collocations, dispersion,
 * timelines"; semantics in docs/query-analyses.md).
 *
 * One pass in document order. Each document with hits becomes a row of
 * units: its counted tokens, except that a CJK run counts by its
 * word-layer words when the index has them (a character is no useful
 * collocate of 新质生产力; 加快 and 发展 are). A byte per unit remembers
 * which units a window has claimed (or a hit holds), so overlapping windows
 * count a unit once and the node never counts as its own collocate.
 *
 * C1 and N must come from the subcorpus. For the whole index without a
 * word layer they are the dictionary's counts; otherwise every document of
 * the subcorpus is decoded and counted in the same pass (the only way to
 * know a term's frequency inside it). Word-layer words get ids after the
 * term ids, interned by text; a word that is also a term (a one-character
 * word) takes the term's id.
 */
#include "qanalysis.h"

#include "index_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NO_UNIT UINT32_MAX

struct quarry_colloc {
    quarry_env *env;
    quarry_collocate *items;
    size_t n;
    qi_buf arena; /* the collocates' texts, each NUL-terminated */
    quarry_colloc_totals totals;
};

/* A counted token or a word-layer word: tokens [first, end) of a document
 * and its unit id (a term id, or terms + a word's id in the vocabulary). */
typedef struct unit {
    uint32_t first, end, id;
} unit;

/* Counting state of one analysis. */
typedef struct colloc_run {
    quarry_env *env;
    quarry_index *ix;
    const quarry_subcorpus *sc;
    quarry_colloc_options opts;
    qi_counted counted;
    qi_docids doc;
    qi_hitreader *hits;
    uint64_t *left, *right, *freq; /* per unit id; one block at left */
    size_t ids_cap;                /* entries of each of the three */
    int words;                     /* the index has a CJK word layer */
    quarry_vocab *vocab;           /* word-layer words that are no term */
    uint32_t **word_units;         /* per segment: word ordinal -> unit id */
    unit *units;
    size_t units_cap, nunits;
    uint8_t *claimed; /* per unit of the current document */
    size_t claimed_cap;
    quarry_span *spans; /* word-layer spans of the current document */
    size_t spans_cap;
    uint32_t *span_words; /* their word ordinals */
    size_t span_words_cap;
    quarry_span *sentences;
    size_t sentences_cap;
    uint64_t nsentences;
    quarry_colloc_totals totals;
} colloc_run;

static const quarry_colloc_options default_options = {5, 5, 0, 3, 2};

static int oom(colloc_run *r)
{
    qi_set_error(r->env->errmsg, "out of memory for collocation counts");
    return QUARRY_ENOMEM;
}

/* Makes the per-unit arrays hold ids below need (new entries zero). The
 * three live in one block, [left | right | freq], so growing is one
 * allocation that either happens or leaves everything as it was. */
static int reserve_ids(colloc_run *r, size_t need)
{
    size_t cap = r->ids_cap;
    uint64_t *block;
    if (need <= cap)
        return QUARRY_OK;
    while (cap < need)
        cap = cap ? cap * 2 : 1024;
    block = qi_calloc(r->env, 3 * cap, sizeof *block);
    if (!block)
        return oom(r);
    if (r->ids_cap) {
        memcpy(block, r->left, r->ids_cap * sizeof *block);
        memcpy(block + cap, r->right, r->ids_cap * sizeof *block);
        memcpy(block + 2 * cap, r->freq, r->ids_cap * sizeof *block);
        qi_free(r->env, r->left, 3 * r->ids_cap * sizeof *block);
    }
    r->left = block;
    r->right = block + cap;
    r->freq = block + 2 * cap;
    r->ids_cap = cap;
    return QUARRY_OK;
}

/* The unit id of word ordinal w of segment s. */
static int word_unit(colloc_run *r, size_t s, uint32_t w, uint32_t *id)
{
    qi_ixseg *seg = &r->ix->segs[s];
    char text[QI_MAX_TERM + 1];
    size_t len;
    uint32_t tid;
    int rc;
    if (!r->word_units[s]) {
        size_t n = seg->stats.word_term_count ? seg->stats.word_term_count : 1;
        r->word_units[s] = qi_alloc(r->env, n * sizeof *r->word_units[s]);
        if (!r->word_units[s])
            return oom(r);
        memset(r->word_units[s], 0xff, n * sizeof *r->word_units[s]);
    }
    if (w >= seg->stats.word_term_count) {
        qi_set_error(r->env->errmsg, "%s: word id out of range", r->ix->path);
        return QUARRY_ECORRUPT;
    }
    if (r->word_units[s][w] != NO_UNIT) {
        *id = r->word_units[s][w];
        return QUARRY_OK;
    }
    rc = qi_segment_word_text(seg->seg, w, text, &len);
    if (rc != QUARRY_OK) {
        qi_set_error(r->env->errmsg, "%s", qi_segment_errmsg(seg->seg));
        return rc;
    }
    rc = quarry_index_term_lookup(r->ix, text, len, &tid, NULL, NULL);
    if (rc == QUARRY_OK) {
        *id = tid;
    } else if (rc == QUARRY_DONE) {
        uint32_t v;
        if (quarry_vocab_add(r->vocab, text, len, 0, &v) != QUARRY_OK)
            return oom(r);
        if (r->counted.terms + v >= NO_UNIT) {
            qi_set_error(r->env->errmsg, "too many distinct words");
            return QUARRY_ELIMIT;
        }
        *id = (uint32_t)(r->counted.terms + v);
        if ((rc = reserve_ids(r, (size_t)*id + 1)) != QUARRY_OK)
            return rc;
    } else {
        return qi_index_fail(r->env, r->ix, rc);
    }
    r->word_units[s][w] = *id;
    return QUARRY_OK;
}

/* Loads document id and turns it into units. */
static int load_units(colloc_run *r, uint64_t id)
{
    uint64_t p, local, nspans = 0, k = 0;
    size_t s = 0;
    int rc = qi_docids_load(r->env, r->ix, id, &r->doc);
    if (rc != QUARRY_OK)
        return rc;
    r->nunits = 0;
    if (!qi_array_reserve(r->env, (void **)&r->units, &r->units_cap,
                          (size_t)r->doc.n + 1, sizeof *r->units))
        return oom(r);
    if (r->words) {
        qi_ixseg *seg = qi_index_seg_of(r->ix, id, &local);
        qi_docmeta m;
        size_t got;
        if (!seg)
            return qi_index_fail(r->env, r->ix, QUARRY_EINVAL);
        s = (size_t)(seg - r->ix->segs);
        rc = qi_segment_doc_meta(seg->seg, local, &m);
        if (rc == QUARRY_OK && m.words > 0) {
            if (!qi_array_reserve(r->env, (void **)&r->spans, &r->spans_cap,
                                  (size_t)m.words, sizeof *r->spans) ||
                !qi_array_reserve(r->env, (void **)&r->span_words,
                                  &r->span_words_cap, (size_t)m.words,
                                  sizeof *r->span_words))
                return oom(r);
            rc = qi_segment_doc_words(seg->seg, local, 0, (size_t)m.words,
                                      r->spans, r->span_words, &got);
            nspans = got;
        }
        if (rc != QUARRY_OK) {
            qi_set_error(r->env->errmsg, "%s", qi_segment_errmsg(seg->seg));
            return rc;
        }
    }
    /* units never outnumber tokens: the array was reserved above */
    for (p = 0; p < r->doc.n;) {
        uint32_t t = r->doc.ids[p];
        unit *un = &r->units[r->nunits];
        if (k < nspans && r->spans[k].first == p) {
            uint64_t end = r->spans[k].end;
            if (end <= p || end > r->doc.n) {
                qi_set_error(r->env->errmsg, "%s: word span out of range",
                             r->ix->path);
                return QUARRY_ECORRUPT;
            }
            if ((rc = word_unit(r, s, r->span_words[k], &un->id)) != QUARRY_OK)
                return rc;
            un->first = (uint32_t)p;
            un->end = (uint32_t)end;
            r->nunits++;
            k++;
            p = end;
            continue;
        }
        while (k < nspans && r->spans[k].first < p)
            k++; /* a span overlapping one before: not a word boundary */
        if (t < r->counted.terms && r->counted.is_counted[t]) {
            un->first = (uint32_t)p;
            un->end = (uint32_t)(p + 1);
            un->id = t;
            r->nunits++;
        }
        p++;
    }
    return QUARRY_OK;
}

/* Adds the units of the loaded document to the subcorpus counts. */
static void count_document(colloc_run *r)
{
    size_t i;
    for (i = 0; i < r->nunits; i++)
        r->freq[r->units[i].id]++;
    r->totals.tokens += r->nunits;
}

static int load_sentences(colloc_run *r, uint64_t doc)
{
    quarry_index_doc meta;
    size_t got;
    int rc = quarry_index_doc_get(r->ix, doc, &meta);
    if (rc != QUARRY_OK)
        return qi_index_fail(r->env, r->ix, rc);
    if (!qi_array_reserve(r->env, (void **)&r->sentences, &r->sentences_cap,
                          (size_t)meta.sentences + 1, sizeof *r->sentences))
        return oom(r);
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

static void claim(colloc_run *r, size_t u, uint64_t *side)
{
    if (!r->claimed[u]) {
        r->claimed[u] = 1;
        side[r->units[u].id]++;
        r->totals.window_tokens++;
    }
}

static int windows_of_document(colloc_run *r)
{
    uint64_t lo = 0, hi = r->doc.n, sent_first = 0, sent_last = 0;
    size_t h, at = 0, u, k;
    int rc;
    if (!qi_array_reserve(r->env, (void **)&r->claimed, &r->claimed_cap,
                          r->nunits + 1, 1))
        return oom(r);
    memset(r->claimed, 0, r->nunits);
    /* docs/statistics.md: the hits themselves are in no window (they still
     * take room in a neighbour's window, as any unit does) */
    for (h = 0; h < r->hits->nhits; h++) {
        uint64_t first = r->hits->hits[h].first, end = r->hits->hits[h].end;
        while (at < r->nunits && r->units[at].end <= first)
            at++;
        for (u = at; u < r->nunits && r->units[u].first < end; u++)
            r->claimed[u] = 1;
    }
    if (r->opts.sentence && (rc = load_sentences(r, r->hits->doc)) != QUARRY_OK)
        return rc;
    at = 0;
    for (h = 0; h < r->hits->nhits; h++) {
        uint64_t first = r->hits->hits[h].first, end = r->hits->hits[h].end;
        size_t after;
        if (first >= r->doc.n || end > r->doc.n || end <= first)
            continue; /* a hit the stream does not hold: nothing around it */
        if (r->opts.sentence && r->nsentences > 0) {
            sent_first = sentence_of(r, first, sent_first);
            sent_last = sentence_of(r, end - 1, sent_first);
            lo = r->sentences[sent_first].first;
            hi = r->sentences[sent_last].end;
        }
        /* at: the first unit not wholly before the hit */
        while (at < r->nunits && r->units[at].end <= first)
            at++;
        for (u = at, k = 0; u > 0 && k < r->opts.left; k++) {
            if (r->units[--u].first < lo)
                break;
            claim(r, u, r->left);
        }
        for (after = at; after < r->nunits && r->units[after].first < end;)
            after++;
        for (u = after, k = 0; u < r->nunits && k < r->opts.right; u++, k++) {
            if (r->units[u].end > hi)
                break;
            claim(r, u, r->right);
        }
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
        if ((rc = load_units(r, id)) != QUARRY_OK)
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
    int scan = r->sc != NULL || r->words, rc;
    while ((rc = qi_hitreader_next_doc(r->env, r->hits)) == QUARRY_OK) {
        uint64_t doc = r->hits->doc;
        if (!qi_in_subcorpus(r->ix, r->sc, doc))
            continue;
        if (scan &&
            (rc = count_documents_between(r, next_unseen, doc)) != QUARRY_OK)
            return rc;
        if ((rc = load_units(r, doc)) != QUARRY_OK)
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
    size_t n;
    int c;
    if (x->o11 != y->o11)
        return x->o11 > y->o11 ? -1 : 1;
    if (x->term != y->term)
        return x->term < y->term ? -1 : 1;
    n = x->text_len < y->text_len ? x->text_len : y->text_len;
    c = memcmp(x->text, y->text, n);
    return c ? c : (x->text_len > y->text_len) - (x->text_len < y->text_len);
}

static const char *unit_text(colloc_run *r, uint64_t id, size_t *len)
{
    if (id < r->counted.terms)
        return quarry_index_term_text(r->ix, (uint32_t)id, len, NULL, NULL);
    return quarry_vocab_term(r->vocab, (uint32_t)(id - r->counted.terms), len);
}

static int collect(colloc_run *r, quarry_colloc *c)
{
    uint64_t id, n = 0, min_freq = r->opts.min_freq ? r->opts.min_freq : 1,
                 min_o11 = r->opts.min_o11 ? r->opts.min_o11 : 1;
    double big_n = (double)r->totals.tokens,
           r1 = (double)r->totals.window_tokens;
    size_t i, *offsets;
    for (id = 0; id < r->ids_cap; id++) {
        uint64_t o11 = r->left[id] + r->right[id];
        if (o11 >= min_o11 && r->freq[id] >= min_freq)
            n++;
    }
    c->items = qi_calloc(r->env, n ? (size_t)n : 1, sizeof *c->items);
    offsets = qi_alloc(r->env, (n ? (size_t)n : 1) * sizeof *offsets);
    if (!c->items || !offsets) {
        qi_free(r->env, offsets, (n ? (size_t)n : 1) * sizeof *offsets);
        return oom(r);
    }
    for (id = 0; id < r->ids_cap; id++) {
        uint64_t o11 = r->left[id] + r->right[id];
        quarry_collocate *it;
        const char *text;
        size_t len = 0;
        double o, c1;
        if (o11 < min_o11 || r->freq[id] < min_freq)
            continue;
        text = unit_text(r, id, &len);
        offsets[c->n] = c->arena.len;
        if (!text || !qi_buf_append(r->env, &c->arena, text, len) ||
            !qi_buf_push(r->env, &c->arena, 0)) {
            qi_free(r->env, offsets, (n ? (size_t)n : 1) * sizeof *offsets);
            return text ? oom(r) : qi_index_fail(r->env, r->ix, QUARRY_ENOMEM);
        }
        it = &c->items[c->n++];
        it->term = id < r->counted.terms ? (uint32_t)id : NO_UNIT;
        it->text_len = len;
        it->o11 = o11;
        it->left = r->left[id];
        it->right = r->right[id];
        it->c1 = r->freq[id];
        o = (double)o11;
        c1 = (double)it->c1;
        quarry_assoc_compute(o, r1 - o, c1 - o, big_n - r1 - c1 + o,
                             &it->assoc);
    }
    /* the arena has stopped moving: point into it */
    for (i = 0; i < c->n; i++)
        c->items[i].text = c->arena.data + offsets[i];
    qi_free(r->env, offsets, (n ? (size_t)n : 1) * sizeof *offsets);
    qsort(c->items, c->n, sizeof *c->items, by_o11);
    c->totals = r->totals;
    return QUARRY_OK;
}

static void run_free(colloc_run *r)
{
    size_t i;
    qi_free(r->env, r->left, 3 * r->ids_cap * sizeof *r->left);
    qi_free(r->env, r->units, r->units_cap * sizeof *r->units);
    qi_free(r->env, r->claimed, r->claimed_cap);
    qi_free(r->env, r->spans, r->spans_cap * sizeof *r->spans);
    qi_free(r->env, r->span_words, r->span_words_cap * sizeof *r->span_words);
    qi_free(r->env, r->sentences, r->sentences_cap * sizeof *r->sentences);
    qi_docids_free(r->env, &r->doc);
    if (r->hits) {
        qi_hitreader_close(r->env, r->hits);
        qi_free(r->env, r->hits, sizeof *r->hits);
    }
    if (r->word_units) {
        for (i = 0; i < r->ix->nsegs; i++) {
            size_t n = r->ix->segs[i].stats.word_term_count;
            qi_free(r->env, r->word_units[i],
                    (n ? n : 1) * sizeof *r->word_units[i]);
        }
        qi_free(r->env, r->word_units, r->ix->nsegs * sizeof *r->word_units);
    }
    quarry_vocab_free(r->vocab);
    qi_counted_free(r->env, &r->counted);
}

/* Everything but the counting: term kinds, arrays, the word layer. */
static int run_init(colloc_run *r)
{
    size_t i;
    int rc;
    if ((rc = qi_counted_init(r->env, r->ix, &r->counted)) != QUARRY_OK)
        return rc;
    for (i = 0; i < r->ix->nsegs; i++)
        r->words |= r->ix->segs[i].stats.word_term_count > 0;
    r->hits = qi_calloc(r->env, 1, sizeof *r->hits);
    if (!r->hits)
        return oom(r);
    if ((rc = reserve_ids(r, (size_t)r->counted.terms + 1)) != QUARRY_OK)
        return rc;
    if (r->words) {
        r->word_units = qi_calloc(r->env, r->ix->nsegs, sizeof *r->word_units);
        if (!r->word_units || quarry_vocab_new(r->env, &r->vocab) != QUARRY_OK)
            return oom(r);
    }
    return QUARRY_OK;
}

int quarry_colloc_new(quarry_env *env, quarry_index *ix, const quarry_query *q,
                      const quarry_subcorpus *sc,
                      const quarry_colloc_options *opts, quarry_colloc **out,
                      size_t *error_pos)
{
    colloc_run r;
    quarry_colloc *c = NULL;
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
    rc = run_init(&r);
    if (rc == QUARRY_OK)
        rc = qi_hitreader_open(env, ix, q, r.hits, error_pos);
    if (rc == QUARRY_OK)
        rc = count_all(&r);
    if (rc == QUARRY_OK && !(c = qi_calloc(env, 1, sizeof *c)))
        rc = oom(&r);
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
    qi_buf_free(c->env, &c->arena);
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
