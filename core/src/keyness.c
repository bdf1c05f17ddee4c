/*
 * keyness.c - keywords of a target against a reference (quarry.h,
 * "Frequency lists, n-grams, keyness, lexical statistics"): item counts of
 * both sides, quarry_keyness_compute on each item, a significance filter
 * and two lists ordered by the chosen measure.
 *
 * Both sides of one index share one itemizer, so their items are the same
 * ids and the counts are two dense arrays. Sides from two indexes are
 * joined by item text through a vocabulary, since their term ids differ.
 */
#include "analysis.h"

#include <math.h>
#include <string.h>

typedef struct kwentry {
    quarry_keyword k; /* text points into the arena after the build */
    size_t off;
} kwentry;

struct quarry_keywords {
    quarry_env *env;
    kwentry *e;
    size_t n, cap;
    qi_buf arena;
    uint64_t tokens[2], docs[2];
};

void quarry_keywords_options_init(quarry_keywords_options *o)
{
    memset(o, 0, sizeof *o);
    o->unit = QUARRY_UNIT_WORDS;
    o->measure = QUARRY_KEY_G2;
    o->min_freq = 3;
    o->max_p = 0.05;
    o->smooth = 1.0;
}

void quarry_keywords_free(quarry_keywords *kw)
{
    if (!kw)
        return;
    qi_free(kw->env, kw->e, kw->cap * sizeof *kw->e);
    qi_buf_free(kw->env, &kw->arena);
    qi_free(kw->env, kw, sizeof *kw);
}

size_t quarry_keywords_count(const quarry_keywords *kw)
{
    return kw ? kw->n : 0;
}

int quarry_keywords_get(const quarry_keywords *kw, size_t i,
                        quarry_keyword *out)
{
    memset(out, 0, sizeof *out);
    if (!kw || i >= kw->n)
        return QUARRY_EINVAL;
    *out = kw->e[i].k;
    out->text = kw->arena.data + kw->e[i].off;
    return QUARRY_OK;
}

void quarry_keywords_sizes(const quarry_keywords *kw, uint64_t *target_tokens,
                           uint64_t *target_docs, uint64_t *reference_tokens,
                           uint64_t *reference_docs)
{
    if (target_tokens)
        *target_tokens = kw->tokens[0];
    if (target_docs)
        *target_docs = kw->docs[0];
    if (reference_tokens)
        *reference_tokens = kw->tokens[1];
    if (reference_docs)
        *reference_docs = kw->docs[1];
}

/* ---- counting ----------------------------------------------------------- */

/* Item counts of one side, dense by item id. */
typedef struct side {
    uint64_t *count;
    size_t cap;
    uint64_t tokens, docs;
} side;

static void side_free(quarry_env *env, side *s)
{
    qi_free(env, s->count, s->cap * sizeof *s->count);
    memset(s, 0, sizeof *s);
}

/* Counts documents of ix (tsc when in == 1, else live ones outside tsc,
 * or those of sc) into s. */
static int count_side(qi_itemizer *it, const quarry_subcorpus *sc,
                      const quarry_subcorpus *outside, side *s, char *errmsg)
{
    quarry_index *ix = it->ix;
    uint64_t id;
    for (id = qi_next_doc(ix, outside ? NULL : sc, UINT64_MAX);
         id < quarry_index_doc_limit(ix);
         id = qi_next_doc(ix, outside ? NULL : sc, id)) {
        size_t i, need, old = s->cap;
        int rc;
        void *p = s->count;
        if (outside && quarry_subcorpus_contains(outside, id))
            continue;
        rc = qi_itemizer_doc(it, id);
        if (rc != QUARRY_OK) {
            qi_set_error(errmsg, "%s", it->errmsg);
            return rc;
        }
        need = (size_t)qi_itemizer_limit(it);
        if (!qi_array_reserve(it->env, &p, &s->cap, need, sizeof *s->count))
            goto oom;
        s->count = p;
        memset(s->count + old, 0, (s->cap - old) * sizeof *s->count);
        for (i = 0; i < it->n; i++)
            s->count[it->items[i]]++;
        s->tokens += it->n;
        s->docs++;
    }
    return QUARRY_OK;
oom:
    qi_set_error(errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

/* The same from the postings, for units whose items are terms: the
 * documents of sc, or the live ones outside `outside` (every live one minus
 * those of outside, whose counts come from the dictionary when nothing is
 * deleted). Skipped terms (punctuation, symbols) get 0. */
static int count_side_postings(qi_itemizer *it, const quarry_subcorpus *sc,
                               const quarry_subcorpus *outside, side *s,
                               char *errmsg)
{
    quarry_env *env = it->env;
    quarry_index *ix = it->ix;
    size_t n = (size_t)it->nterms, i, alloc = n ? n : 1;
    uint64_t *inner = NULL, id;
    int rc;
    s->count = qi_calloc(env, alloc, sizeof *s->count);
    if (!s->count)
        goto oom;
    s->cap = alloc;
    rc = qi_count_terms_postings(ix, outside ? NULL : sc, s->count, NULL);
    if (rc == QUARRY_OK && outside) {
        inner = qi_calloc(env, alloc, sizeof *inner);
        if (!inner)
            goto oom;
        rc = qi_count_terms_postings(ix, outside, inner, NULL);
        for (i = 0; rc == QUARRY_OK && i < n; i++)
            s->count[i] -= inner[i];
        qi_free(env, inner, alloc * sizeof *inner);
    }
    if (rc != QUARRY_OK) {
        qi_set_error(errmsg, "%s", quarry_index_errmsg(ix));
        return rc;
    }
    for (i = 0; i < n; i++) {
        uint8_t fl;
        if (!s->count[i])
            continue;
        if ((rc = qi_itemizer_term_flags(it, (uint32_t)i, &fl)) != QUARRY_OK) {
            qi_set_error(errmsg, "%s", it->errmsg);
            return rc;
        }
        if (fl & QI_ITEM_SKIPPED)
            s->count[i] = 0;
        else
            s->tokens += s->count[i];
    }
    for (id = qi_next_doc(ix, outside ? NULL : sc, UINT64_MAX);
         id < quarry_index_doc_limit(ix);
         id = qi_next_doc(ix, outside ? NULL : sc, id))
        s->docs += !(outside && quarry_subcorpus_contains(outside, id));
    return QUARRY_OK;
oom:
    qi_set_error(errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

/* Items of it are terms: counts may come from the postings. */
static int terms_unit(qi_itemizer *it)
{
    return it->unit == QUARRY_UNIT_TERMS ||
           (it->unit == QUARRY_UNIT_WORDS && qi_terms_are_words(it->ix));
}

/* One item with both frequencies. */
typedef struct row {
    const char *text; /* borrowed from an itemizer or the join vocabulary */
    size_t len;
    uint64_t a, b;
    int stop;
} row;

typedef struct rows {
    row *r;
    size_t n, cap;
} rows;

static int rows_push(quarry_env *env, rows *rs, const char *text, size_t len,
                     uint64_t a, uint64_t b, int stop)
{
    void *p = rs->r;
    if (!qi_array_reserve(env, &p, &rs->cap, rs->n + 1, sizeof *rs->r))
        return QUARRY_ENOMEM;
    rs->r = p;
    rs->r[rs->n].text = text;
    rs->r[rs->n].len = len;
    rs->r[rs->n].a = a;
    rs->r[rs->n].b = b;
    rs->r[rs->n].stop = stop;
    rs->n++;
    return QUARRY_OK;
}

/* ---- ordering ----------------------------------------------------------- */

typedef struct scored {
    double key; /* larger is stronger (negatives: negated) */
    size_t row;
} scored;

static int scored_cmp(const scored *a, const scored *b, const rows *rs)
{
    const row *ra, *rb;
    size_t m;
    int c;
    int na = isnan(a->key), nb = isnan(b->key);
    if (na != nb)
        return na ? 1 : -1;
    if (!na && a->key != b->key)
        return a->key > b->key ? -1 : 1;
    ra = &rs->r[a->row];
    rb = &rs->r[b->row];
    m = ra->len < rb->len ? ra->len : rb->len;
    c = memcmp(ra->text, rb->text, m);
    if (c)
        return c;
    return ra->len < rb->len ? -1 : ra->len > rb->len;
}

static void scored_sift(scored *s, size_t n, size_t i, const rows *rs)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        scored t;
        if (l < n && scored_cmp(&s[l], &s[m], rs) > 0)
            m = l;
        if (r < n && scored_cmp(&s[r], &s[m], rs) > 0)
            m = r;
        if (m == i)
            return;
        t = s[i];
        s[i] = s[m];
        s[m] = t;
        i = m;
    }
}

static void scored_sort(scored *s, size_t n, const rows *rs)
{
    size_t i;
    if (n < 2)
        return;
    for (i = n / 2; i-- > 0;)
        scored_sift(s, n, i, rs);
    for (i = n - 1; i > 0; i--) {
        scored t = s[0];
        s[0] = s[i];
        s[i] = t;
        scored_sift(s, i, 0, rs);
    }
}

static double measure_of(const quarry_keyness *k, double chi2, int measure)
{
    switch (measure) {
    case QUARRY_KEY_LOG_RATIO: return k->log_ratio;
    case QUARRY_KEY_CHI2: return chi2;
    case QUARRY_KEY_SIMPLE_MATHS:
        /* a ratio around 1: its log orders both directions symmetrically */
        return k->simple_maths > 0 ? log(k->simple_maths) : -INFINITY;
    case QUARRY_KEY_PCT_DIFF: return k->pct_diff;
    default: return k->g2;
    }
}

static int emit(quarry_keywords *kw, const rows *rs,
                const quarry_keywords_options *o)
{
    quarry_env *env = kw->env;
    scored *s[2] = {NULL, NULL};
    size_t ns[2] = {0, 0}, i, d;
    double n1 = (double)kw->tokens[0], n2 = (double)kw->tokens[1];
    int rc = QUARRY_OK;
    for (d = 0; d < 2; d++) {
        s[d] = qi_alloc(env, (rs->n ? rs->n : 1) * sizeof *s[d]);
        if (!s[d])
            goto oom;
    }
    for (i = 0; i < rs->n; i++) {
        const row *r = &rs->r[i];
        quarry_keyness k;
        double chi2, p;
        int pos;
        if (r->stop)
            continue;
        quarry_keyness_compute((double)r->a, n1, (double)r->b, n2, o->smooth,
                               &k);
        pos = (double)r->a * n2 >= (double)r->b * n1;
        if ((pos ? r->a : r->b) < o->min_freq || (pos ? r->a : r->b) == 0)
            continue;
        chi2 = o->yates ? k.chi2_yates : k.chi2;
        p = o->measure == QUARRY_KEY_CHI2
                ? (o->yates ? quarry_chi2_pvalue(fabs(chi2), 1) : k.p_chi2)
                : k.p_g2;
        if (o->max_p < 1.0 && !(p <= o->max_p))
            continue;
        {
            double m = measure_of(&k, chi2, o->measure);
            scored *e = &s[pos ? 0 : 1][ns[pos ? 0 : 1]++];
            e->key = pos ? m : -m;
            e->row = i;
        }
    }
    for (d = 0; d < 2; d++) {
        size_t keep;
        void *p = kw->e;
        scored_sort(s[d], ns[d], rs);
        keep = o->top && o->top < ns[d] ? o->top : ns[d];
        if (!qi_array_reserve(env, &p, &kw->cap, kw->n + keep, sizeof *kw->e))
            goto oom;
        kw->e = p;
        for (i = 0; i < keep; i++) {
            const row *r = &rs->r[s[d][i].row];
            kwentry *e = &kw->e[kw->n];
            memset(e, 0, sizeof *e);
            quarry_keyness_compute((double)r->a, n1, (double)r->b, n2,
                                   o->smooth, &e->k.k);
            e->off = kw->arena.len;
            if (!qi_buf_append(env, &kw->arena, r->text, r->len) ||
                !qi_buf_push(env, &kw->arena, 0))
                goto oom;
            e->k.len = r->len;
            e->k.direction = d == 0 ? 1 : -1;
            e->k.rank = i + 1;
            e->k.per_million_target = n1 > 0 ? (double)r->a * 1e6 / n1 : 0;
            e->k.per_million_reference = n2 > 0 ? (double)r->b * 1e6 / n2 : 0;
            e->k.chi2 = o->yates ? e->k.k.chi2_yates : e->k.k.chi2;
            e->k.p = o->measure == QUARRY_KEY_CHI2
                         ? (o->yates ? quarry_chi2_pvalue(fabs(e->k.chi2), 1)
                                     : e->k.k.p_chi2)
                         : e->k.k.p_g2;
            kw->n++;
        }
    }
    goto done;
oom:
    rc = QUARRY_ENOMEM;
done:
    for (d = 0; d < 2; d++)
        qi_free(env, s[d], (rs->n ? rs->n : 1) * sizeof *s[d]);
    return rc;
}

int quarry_keywords_new(quarry_env *env, quarry_index *tix,
                        const quarry_subcorpus *tsc, quarry_index *rix,
                        const quarry_subcorpus *rsc,
                        const quarry_keywords_options *opts,
                        quarry_keywords **out)
{
    quarry_keywords_options o;
    quarry_keywords *kw = NULL;
    qi_itemizer it[2];
    side sd[2];
    rows rs = {NULL, 0, 0};
    quarry_vocab *join = NULL;
    char errmsg[QI_ERRMSG_SIZE] = "";
    int rc, two = rix && rix != tix;
    size_t i;

    *out = NULL;
    memset(it, 0, sizeof it);
    memset(sd, 0, sizeof sd);
    if (opts)
        o = *opts;
    else
        quarry_keywords_options_init(&o);
    if (o.measure < QUARRY_KEY_G2 || o.measure > QUARRY_KEY_PCT_DIFF ||
        !(o.smooth >= 0) || isnan(o.max_p)) {
        qi_set_error(env->errmsg,
                     "keyness: bad options (measure %d, smooth "
                     "%g, max_p %g)",
                     o.measure, o.smooth, o.max_p);
        return QUARRY_EINVAL;
    }
    if (!rix && !tsc) {
        qi_set_error(env->errmsg,
                     "keyness: the reference is empty (the target is the "
                     "whole index; give a target subcorpus or a reference)");
        return QUARRY_EINVAL;
    }
    rc = qi_itemizer_init(&it[0], env, tix, o.unit, o.include_punct, o.stop);
    if (rc == QUARRY_OK && two)
        rc =
            qi_itemizer_init(&it[1], env, rix, o.unit, o.include_punct, o.stop);
    if (rc != QUARRY_OK) {
        qi_set_error(errmsg, "%s",
                     it[0].errmsg[0] ? it[0].errmsg : it[1].errmsg);
        goto fail;
    }
    it[0].sentences = it[1].sentences = 0;
    rc = (terms_unit(&it[0]) ? count_side_postings
                             : count_side)(&it[0], tsc, NULL, &sd[0], errmsg);
    if (rc == QUARRY_OK)
        rc = (terms_unit(&it[two ? 1 : 0]) ? count_side_postings : count_side)(
            &it[two ? 1 : 0], rix ? rsc : NULL, rix ? NULL : tsc, &sd[1],
            errmsg);
    if (rc != QUARRY_OK)
        goto fail;
    if (sd[0].tokens == 0 || sd[1].tokens == 0) {
        qi_set_error(errmsg, "the %s has no counted tokens",
                     sd[0].tokens == 0 ? "target" : "reference");
        rc = QUARRY_EINVAL;
        goto fail;
    }
    rc = QUARRY_ENOMEM;
    qi_set_error(errmsg, "out of memory");
    if (!two) {
        size_t n = sd[0].cap > sd[1].cap ? sd[0].cap : sd[1].cap;
        for (i = 0; i < n; i++) {
            uint64_t a = i < sd[0].cap ? sd[0].count[i] : 0;
            uint64_t b = i < sd[1].cap ? sd[1].count[i] : 0;
            size_t len = 0;
            const char *t;
            if (!a && !b)
                continue;
            t = qi_itemizer_text(&it[0], (uint32_t)i, &len);
            if (rows_push(env, &rs, t ? t : "", len, a, b,
                          (qi_itemizer_flags(&it[0], (uint32_t)i) &
                           QI_ITEM_STOP) != 0) != QUARRY_OK)
                goto fail;
        }
    } else {
        /* rows 0 .. k-1 are the target's items in vocabulary order */
        if (quarry_vocab_new(env, &join) != QUARRY_OK)
            goto fail;
        for (i = 0; i < sd[0].cap; i++) {
            size_t len = 0;
            const char *t;
            uint32_t id;
            if (!sd[0].count[i])
                continue;
            t = qi_itemizer_text(&it[0], (uint32_t)i, &len);
            if (quarry_vocab_add(join, t ? t : "", len, 0, &id) != QUARRY_OK)
                goto fail;
            if (id == rs.n) {
                if (rows_push(env, &rs, NULL, len, 0, 0,
                              (qi_itemizer_flags(&it[0], (uint32_t)i) &
                               QI_ITEM_STOP) != 0) != QUARRY_OK)
                    goto fail;
            }
            rs.r[id].a += sd[0].count[i];
        }
        for (i = 0; i < sd[1].cap; i++) {
            size_t len = 0;
            const char *t;
            uint32_t id;
            if (!sd[1].count[i])
                continue;
            t = qi_itemizer_text(&it[1], (uint32_t)i, &len);
            if (quarry_vocab_add(join, t ? t : "", len, 0, &id) != QUARRY_OK)
                goto fail;
            if (id == rs.n) {
                if (rows_push(env, &rs, NULL, len, 0, 0,
                              (qi_itemizer_flags(&it[1], (uint32_t)i) &
                               QI_ITEM_STOP) != 0) != QUARRY_OK)
                    goto fail;
            }
            rs.r[id].b += sd[1].count[i];
        }
        /* the vocabulary may have moved its texts while growing */
        for (i = 0; i < rs.n; i++)
            rs.r[i].text = quarry_vocab_term(join, (uint32_t)i, &rs.r[i].len);
    }
    kw = qi_calloc(env, 1, sizeof *kw);
    if (!kw)
        goto fail;
    kw->env = env;
    kw->tokens[0] = sd[0].tokens;
    kw->tokens[1] = sd[1].tokens;
    kw->docs[0] = sd[0].docs;
    kw->docs[1] = sd[1].docs;
    rc = emit(kw, &rs, &o);
    if (rc != QUARRY_OK)
        goto fail;
    /* texts point into the arena only now that it stopped growing */
    for (i = 0; i < kw->n; i++)
        kw->e[i].k.text = kw->arena.data + kw->e[i].off;
    *out = kw;
    kw = NULL;
    rc = QUARRY_OK;
fail:
    if (rc != QUARRY_OK)
        qi_set_error(env->errmsg, "keyness: %s", errmsg);
    quarry_keywords_free(kw);
    quarry_vocab_free(join);
    qi_free(env, rs.r, rs.cap * sizeof *rs.r);
    side_free(env, &sd[0]);
    side_free(env, &sd[1]);
    qi_itemizer_free(&it[0]);
    qi_itemizer_free(&it[1]);
    return rc;
}
