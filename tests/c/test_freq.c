/* test_freq.c - frequency lists, n-grams, keyness, lexical statistics and
 * stop lists over small indexes built here, with counts worked out by hand:
 * normalized and surface forms, stop words, groups, sentence and
 * punctuation boundaries of n-grams, keyness values against
 * quarry_keyness_compute on the hand counts, TTR/MATTR/hapax, an index of
 * two segments with a deleted document, the CJK word layer, bad options and
 * allocation failures. */
#include "analysis.h"
#include "check.h"
#include "testkit.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256], zhdir[256], tmpfile_path[256];

static void add(quarry_writer *w, const char *source, const char *text,
                const char *year)
{
    quarry_doc *doc = NULL;
    quarry_field f;
    memset(&f, 0, sizeof f);
    f.name = "year";
    f.text = year;
    f.text_len = strlen(year);
    CHECK_EQ_INT(
        quarry_doc_new(env, source, 0, text, strlen(text), &f, 1, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

/*
 * Counted tokens (normalized):
 *   a (2001): the cat sat on the mat | the cat ran          9
 *   b (2002): a dog , a cat | dogs bark                     6
 *   c (2002): the dog sat                                   3
 * x (deleted) would add three zebras. Segments: a b x | c.
 */
static void build(void)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    add(w, "a", "The cat sat on the mat. The cat ran!", "2001");
    add(w, "b", "A dog, a cat. Dogs bark.", "2002");
    add(w, "x", "Zebra zebra zebra.", "2001");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    add(w, "c", "The dog sat.", "2002");
    CHECK_EQ_INT(quarry_writer_delete_source(w, "x", NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);

    CHECK_EQ_INT(quarry_writer_open(env, zhdir, &o, &w), QUARRY_OK);
    add(w, "zh", "我们要发展新质生产力。新质生产力的发展很重要。", "2024");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

/* "text:count/docs" of every entry (with "gN " before a group's first). */
static void run_freq(quarry_index *ix, const quarry_subcorpus *sc,
                     const quarry_freq_options *o, char *out, size_t size)
{
    quarry_freq *f = NULL;
    size_t i, len = 0, last_group = SIZE_MAX;
    int rc = quarry_freq_new(env, ix, sc, o, &f);
    out[0] = 0;
    CHECK_EQ_INT(rc, QUARRY_OK);
    if (rc != QUARRY_OK) {
        fprintf(stderr, "  %s\n", quarry_env_errmsg(env));
        return;
    }
    for (i = 0; i < quarry_freq_count(f); i++) {
        quarry_freq_entry e;
        CHECK_EQ_INT(quarry_freq_get(f, i, &e), QUARRY_OK);
        if (o && o->groups && e.group != last_group) {
            len += (size_t)snprintf(out + len, size - len, "%sg%zu",
                                    len ? " " : "", e.group);
            last_group = e.group;
        }
        len += (size_t)snprintf(out + len, size - len, "%s%.*s:%llu/%llu",
                                len ? " " : "", (int)e.len, e.text,
                                (unsigned long long)e.count,
                                (unsigned long long)e.docs);
    }
    quarry_freq_free(f);
}

static void test_freq_lists(void)
{
    quarry_index *ix = NULL;
    quarry_freq_options o;
    quarry_freq *f = NULL;
    quarry_freq_entry e;
    quarry_freq_totals t;
    quarry_stopwords *sw = NULL;
    char out[2048];

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    memset(&o, 0, sizeof o);
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "the:4/2 cat:3/2 a:2/1 dog:2/2 sat:2/2 bark:1/1 "
                      "dogs:1/1 mat:1/1 on:1/1 ran:1/1");
    o.unit = QUARRY_UNIT_TERMS;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "the:4/2 cat:3/2 a:2/1 dog:2/2 sat:2/2 bark:1/1 "
                      "dogs:1/1 mat:1/1 on:1/1 ran:1/1");
    o.unit = QUARRY_UNIT_SURFACE;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "The:3/2 cat:3/2 dog:2/2 sat:2/2 A:1/1 Dogs:1/1 a:1/1 "
                      "bark:1/1 mat:1/1 on:1/1 ran:1/1 the:1/1");
    o.unit = QUARRY_UNIT_WORDS;
    o.include_punct = 1;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, ".:4/3 the:4/2 cat:3/2 a:2/1 dog:2/2 sat:2/2 !:1/1 "
                      ",:1/1 bark:1/1 dogs:1/1 mat:1/1 on:1/1 ran:1/1");
    o.include_punct = 0;
    o.min_count = 2;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "the:4/2 cat:3/2 a:2/1 dog:2/2 sat:2/2");
    o.top = 3;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "the:4/2 cat:3/2 a:2/1");
    o.min_count = 0;
    o.top = 0;

    /* stop words: removed from the list, not from the total */
    CHECK_EQ_INT(quarry_stopwords_new(env, &sw), QUARRY_OK);
    CHECK_EQ_INT(quarry_stopwords_add_builtin(sw, "en"), QUARRY_OK);
    o.stop = sw;
    CHECK_EQ_INT(quarry_freq_new(env, ix, NULL, &o, &f), QUARRY_OK);
    CHECK_EQ_INT(quarry_freq_count(f), 7);
    CHECK_EQ_INT(quarry_freq_group_count(f), 1);
    CHECK_EQ_INT(quarry_freq_get(f, 0, &e), QUARRY_OK);
    CHECK_EQ_STR(e.text, "cat");
    CHECK_EQ_INT(e.rank, 1);
    CHECK(fabs(e.per_million - 3e6 / 18) < 1e-6);
    CHECK_EQ_INT(quarry_freq_get(f, 6, &e), QUARRY_OK);
    CHECK_EQ_STR(e.text, "ran");
    CHECK_EQ_INT(e.rank, 7);
    CHECK_EQ_INT(quarry_freq_get(f, 7, &e), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_freq_totals_get(f, 0, &t), QUARRY_OK);
    CHECK_EQ_INT(t.tokens, 18);
    CHECK_EQ_INT(t.docs, 3);
    CHECK_EQ_INT(t.types, 10);
    CHECK_EQ_INT(quarry_freq_totals_get(f, 1, &t), QUARRY_EINVAL);
    quarry_freq_free(f);
    o.unit = QUARRY_UNIT_SURFACE; /* "The" is a stop word too */
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "cat:3/2 dog:2/2 sat:2/2 Dogs:1/1 bark:1/1 mat:1/1 "
                      "ran:1/1");
    quarry_stopwords_free(sw);
    quarry_index_free(ix);
}

static void test_groups_and_subcorpus(void)
{
    quarry_index *ix = NULL;
    quarry_groups *g = NULL;
    quarry_freq_options o;
    quarry_freq *f = NULL;
    quarry_freq_totals t;
    quarry_filter *flt = NULL;
    quarry_subcorpus *sc = NULL;
    char out[2048];

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(
        quarry_groups_new(env, ix, "year", QUARRY_PERIOD_YEAR, NULL, &g),
        QUARRY_OK);
    memset(&o, 0, sizeof o);
    o.groups = g;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "g0 the:3/1 cat:2/1 mat:1/1 on:1/1 ran:1/1 sat:1/1 "
                      "g1 a:2/1 dog:2/2 bark:1/1 cat:1/1 dogs:1/1 sat:1/1 "
                      "the:1/1");
    o.top = 1;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "g0 the:3/1 g1 a:2/1");
    CHECK_EQ_INT(quarry_freq_new(env, ix, NULL, &o, &f), QUARRY_OK);
    CHECK_EQ_INT(quarry_freq_group_count(f), 2);
    CHECK_EQ_INT(quarry_freq_totals_get(f, 1, &t), QUARRY_OK);
    CHECK_EQ_INT(t.tokens, 9);
    CHECK_EQ_INT(t.docs, 2);
    CHECK_EQ_INT(t.types, 7);
    quarry_freq_free(f);
    o.top = 0;
    o.groups = NULL;

    CHECK_EQ_INT(quarry_filter_compile(env, "year=2002", 9, &flt, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, flt, NULL, &sc), QUARRY_OK);
    run_freq(ix, sc, &o, out, sizeof out);
    CHECK_EQ_STR(out, "a:2/1 dog:2/2 bark:1/1 cat:1/1 dogs:1/1 sat:1/1 "
                      "the:1/1");
    quarry_subcorpus_free(sc);
    quarry_filter_free(flt);
    quarry_groups_free(g);
    quarry_index_free(ix);
}

/* Counts of every term id read from the token streams (the itemizer), for
 * the documents of sc in group (SIZE_MAX: any). */
static void stream_counts(quarry_index *ix, const quarry_subcorpus *sc,
                          int punct, const quarry_groups *g, size_t group,
                          uint64_t *counts, uint64_t *docs, uint64_t *tokens,
                          uint64_t *ndocs)
{
    qi_itemizer it;
    uint64_t id;
    size_t i, j;
    CHECK_EQ_INT(qi_itemizer_init(&it, env, ix, QUARRY_UNIT_TERMS, punct, NULL),
                 QUARRY_OK);
    *tokens = *ndocs = 0;
    for (id = qi_next_doc(ix, sc, UINT64_MAX); id < quarry_index_doc_limit(ix);
         id = qi_next_doc(ix, sc, id)) {
        if (g && quarry_groups_of(g, id) != group)
            continue;
        CHECK_EQ_INT(qi_itemizer_doc(&it, id), QUARRY_OK);
        for (i = 0; i < it.n; i++) {
            int seen = 0;
            for (j = 0; j < i; j++)
                seen |= it.items[j] == it.items[i];
            counts[it.items[i]]++;
            docs[it.items[i]] += !seen;
        }
        *tokens += it.n;
        (*ndocs)++;
    }
    qi_itemizer_free(&it);
}

/* Lists of term items come from the postings (or dictionary counts), per
 * group too; they must agree with the token streams. */
static void test_postings_path_agrees(void)
{
    quarry_index *ix = NULL;
    quarry_groups *g = NULL;
    quarry_filter *flt = NULL;
    quarry_subcorpus *sc = NULL;
    quarry_freq_options o;
    quarry_freq *f = NULL;
    quarry_freq_totals t;
    uint64_t counts[64], docs[64], tokens, ndocs;
    size_t i, k, nonzero;
    int pass;

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK(quarry_index_term_count(ix) <= 64);
    CHECK_EQ_INT(quarry_filter_compile(env, "year=2002", 9, &flt, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, flt, NULL, &sc), QUARRY_OK);
    CHECK_EQ_INT(
        quarry_groups_new(env, ix, "year", QUARRY_PERIOD_VALUE, NULL, &g),
        QUARRY_OK);
    for (pass = 0; pass < 6; pass++) {
        const quarry_subcorpus *psc = pass & 1 ? sc : NULL;
        int grouped = pass >= 2, punct = pass >= 4;
        memset(&o, 0, sizeof o);
        o.unit = pass == 3 ? QUARRY_UNIT_WORDS : QUARRY_UNIT_TERMS;
        o.include_punct = punct;
        o.groups = grouped ? g : NULL;
        CHECK_EQ_INT(quarry_freq_new(env, ix, psc, &o, &f), QUARRY_OK);
        for (k = 0; k < quarry_freq_group_count(f); k++) {
            memset(counts, 0, sizeof counts);
            memset(docs, 0, sizeof docs);
            stream_counts(ix, psc, punct, grouped ? g : NULL, k, counts, docs,
                          &tokens, &ndocs);
            quarry_freq_totals_get(f, k, &t);
            CHECK_EQ_INT(t.tokens, tokens);
            CHECK_EQ_INT(t.docs, ndocs);
            nonzero = 0;
            for (i = 0; i < 64; i++)
                nonzero += counts[i] > 0;
            CHECK_EQ_INT(t.types, nonzero);
            for (i = 0; i < quarry_freq_count(f); i++) {
                quarry_freq_entry e;
                uint32_t term = 0;
                quarry_freq_get(f, i, &e);
                if (e.group != k)
                    continue;
                nonzero--;
                CHECK_EQ_INT(quarry_index_term_lookup(ix, e.text, e.len, &term,
                                                      NULL, NULL),
                             QUARRY_OK);
                CHECK_EQ_INT(e.count, counts[term]);
                CHECK_EQ_INT(e.docs, docs[term]);
            }
            CHECK_EQ_INT(nonzero, 0);
        }
        quarry_freq_free(f);
    }
    quarry_groups_free(g);
    quarry_subcorpus_free(sc);
    quarry_filter_free(flt);
    quarry_index_free(ix);
}

static void test_ngrams(void)
{
    quarry_index *ix = NULL;
    quarry_freq_options o;
    quarry_stopwords *sw = NULL;
    quarry_freq *f = NULL;
    quarry_freq_totals t;
    char out[2048];

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    memset(&o, 0, sizeof o);
    o.n = 2;
    /* no "dog a" (comma), "mat the" or "cat dogs" (sentences) */
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "the cat:2/1 a cat:1/1 a dog:1/1 cat ran:1/1 "
                      "cat sat:1/1 dog sat:1/1 dogs bark:1/1 on the:1/1 "
                      "sat on:1/1 the dog:1/1 the mat:1/1");
    CHECK_EQ_INT(quarry_freq_new(env, ix, NULL, &o, &f), QUARRY_OK);
    CHECK_EQ_INT(quarry_freq_totals_get(f, 0, &t), QUARRY_OK);
    CHECK_EQ_INT(t.ngrams, 12);
    CHECK_EQ_INT(t.types, 11);
    CHECK_EQ_INT(t.tokens, 18);
    quarry_freq_free(f);
    CHECK_EQ_INT(quarry_stopwords_new(env, &sw), QUARRY_OK);
    CHECK_EQ_INT(quarry_stopwords_add_builtin(sw, "en"), QUARRY_OK);
    o.stop = sw;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "cat ran:1/1 cat sat:1/1 dog sat:1/1 dogs bark:1/1");
    o.stop = NULL;
    o.n = 3;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "cat sat on:1/1 on the mat:1/1 sat on the:1/1 "
                      "the cat ran:1/1 the cat sat:1/1 the dog sat:1/1");
    o.n = 5;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "cat sat on the mat:1/1 the cat sat on the:1/1");
    o.n = 2;
    o.min_count = 2;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "the cat:2/1");
    o.min_count = 0;
    o.include_punct = 1; /* punctuation joins runs, sentences still break */
    o.top = 4;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "the cat:2/1 , a:1/1 a cat:1/1 a dog:1/1");
    quarry_stopwords_free(sw);
    quarry_index_free(ix);
}

static void check_keyword(const quarry_keyword *k, const char *text, uint64_t a,
                          uint64_t b, double n1, double n2, double smooth)
{
    quarry_keyness want;
    quarry_keyness_compute((double)a, n1, (double)b, n2, smooth, &want);
    CHECK_EQ_STR(k->text, text);
    CHECK_EQ_INT((long long)k->k.a, (long long)a);
    CHECK_EQ_INT((long long)k->k.b, (long long)b);
    CHECK(k->k.g2 == want.g2);
    CHECK(k->k.log_ratio == want.log_ratio);
    CHECK(k->k.simple_maths == want.simple_maths);
    CHECK(k->p == want.p_g2);
    CHECK(fabs(k->per_million_target - (double)a * 1e6 / n1) < 1e-6);
    CHECK(fabs(k->per_million_reference - (double)b * 1e6 / n2) < 1e-6);
}

static void test_keyness(void)
{
    quarry_index *ix = NULL, *zix = NULL;
    quarry_filter *flt = NULL;
    quarry_subcorpus *sc = NULL;
    quarry_keywords_options o;
    quarry_keywords *kw = NULL;
    quarry_keyword k;
    uint64_t tt, td, rt, rd;
    size_t i;
    double prev = INFINITY;

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_filter_compile(env, "year=2001", 9, &flt, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, flt, NULL, &sc), QUARRY_OK);
    quarry_keywords_options_init(&o);
    CHECK_EQ_INT(o.min_freq, 3);
    CHECK(o.max_p == 0.05 && o.smooth == 1.0);
    o.min_freq = 1;
    o.max_p = 1;
    /* target a (9 tokens) against the rest: b and c (9 tokens) */
    CHECK_EQ_INT(quarry_keywords_new(env, ix, sc, NULL, NULL, &o, &kw),
                 QUARRY_OK);
    quarry_keywords_sizes(kw, &tt, &td, &rt, &rd);
    CHECK_EQ_INT(tt, 9);
    CHECK_EQ_INT(td, 1);
    CHECK_EQ_INT(rt, 9);
    CHECK_EQ_INT(rd, 2);
    /* + : the 3/1, cat 2/1, mat on ran 1/0 (equal g2: by text), sat 1/1;
     * - : a 2, dog 2 (0 in the target), bark dogs 1 */
    CHECK_EQ_INT(quarry_keywords_count(kw), 10);
    for (i = 0; i < 6; i++) {
        CHECK_EQ_INT(quarry_keywords_get(kw, i, &k), QUARRY_OK);
        CHECK_EQ_INT(k.direction, 1);
        CHECK_EQ_INT(k.rank, i + 1);
        CHECK(k.k.g2 <= prev);
        prev = k.k.g2;
    }
    quarry_keywords_get(kw, 0, &k);
    {
        /* the: 3 of 9 against 1 of 9; mat, on, ran: 1 against 0 */
        quarry_keyness a, b;
        quarry_keyness_compute(3, 9, 1, 9, 1, &a);
        quarry_keyness_compute(1, 9, 0, 9, 1, &b);
        if (a.g2 > b.g2) {
            check_keyword(&k, "the", 3, 1, 9, 9, 1);
        } else {
            check_keyword(&k, "mat", 1, 0, 9, 9, 1);
        }
    }
    quarry_keywords_get(kw, 5, &k);
    check_keyword(&k, "sat", 1, 1, 9, 9, 1);
    CHECK(k.k.g2 == 0);
    quarry_keywords_get(kw, 6, &k);
    CHECK_EQ_INT(k.direction, -1);
    CHECK_EQ_INT(k.rank, 1);
    check_keyword(&k, "a", 0, 2, 9, 9, 1);
    quarry_keywords_get(kw, 7, &k);
    check_keyword(&k, "dog", 0, 2, 9, 9, 1);
    quarry_keywords_get(kw, 9, &k);
    check_keyword(&k, "dogs", 0, 1, 9, 9, 1);
    CHECK_EQ_INT(k.rank, 4);
    CHECK_EQ_INT(quarry_keywords_get(kw, 10, &k), QUARRY_EINVAL);
    quarry_keywords_free(kw);

    /* the default threshold p <= 0.05 keeps nothing this small */
    quarry_keywords_options_init(&o);
    o.min_freq = 1;
    CHECK_EQ_INT(quarry_keywords_new(env, ix, sc, NULL, NULL, &o, &kw),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_keywords_count(kw), 0);
    quarry_keywords_free(kw);

    /* min_freq: positives by the target, negatives by the reference */
    quarry_keywords_options_init(&o);
    o.max_p = 1;
    o.min_freq = 2;
    o.measure = QUARRY_KEY_LOG_RATIO;
    CHECK_EQ_INT(quarry_keywords_new(env, ix, sc, NULL, NULL, &o, &kw),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_keywords_count(kw), 4);
    quarry_keywords_get(kw, 0, &k);
    check_keyword(&k, "the", 3, 1, 9, 9, 1);
    quarry_keywords_get(kw, 1, &k);
    check_keyword(&k, "cat", 2, 1, 9, 9, 1);
    quarry_keywords_get(kw, 2, &k);
    check_keyword(&k, "a", 0, 2, 9, 9, 1);
    quarry_keywords_free(kw);

    /* the whole index against another index, matched by text */
    CHECK_EQ_INT(quarry_index_open(env, zhdir, &zix), QUARRY_OK);
    quarry_keywords_options_init(&o);
    o.min_freq = 4;
    o.max_p = 1;
    o.unit = QUARRY_UNIT_TERMS;
    CHECK_EQ_INT(quarry_keywords_new(env, ix, NULL, zix, NULL, &o, &kw),
                 QUARRY_OK);
    quarry_keywords_sizes(kw, &tt, NULL, &rt, NULL);
    CHECK_EQ_INT(tt, 18);
    CHECK_EQ_INT(rt, 21);
    CHECK(quarry_keywords_count(kw) >= 1);
    quarry_keywords_get(kw, 0, &k);
    check_keyword(&k, "the", 4, 0, 18, 21, 1);
    quarry_keywords_free(kw);
    /* the same index as the reference: whole against subcorpus */
    o.min_freq = 1;
    o.unit = QUARRY_UNIT_WORDS;
    o.measure = QUARRY_KEY_SIMPLE_MATHS;
    o.smooth = 0.5;
    CHECK_EQ_INT(quarry_keywords_new(env, ix, NULL, ix, sc, &o, &kw),
                 QUARRY_OK);
    quarry_keywords_sizes(kw, &tt, NULL, &rt, NULL);
    CHECK_EQ_INT(tt, 18);
    CHECK_EQ_INT(rt, 9);
    quarry_keywords_get(kw, 0, &k);
    check_keyword(&k, "a", 2, 0, 18, 9, 0.5);
    quarry_keywords_free(kw);

    /* Chinese words (token streams: the word layer) against English */
    quarry_keywords_options_init(&o);
    o.min_freq = 2;
    o.max_p = 1;
    CHECK_EQ_INT(quarry_keywords_new(env, zix, NULL, ix, NULL, &o, &kw),
                 QUARRY_OK);
    quarry_keywords_sizes(kw, &tt, NULL, &rt, NULL);
    CHECK_EQ_INT(rt, 18);
    {
        int seen = 0;
        for (i = 0; i < quarry_keywords_count(kw); i++) {
            quarry_keywords_get(kw, i, &k);
            if (strcmp(k.text, "发展") == 0) {
                check_keyword(&k, "发展", 2, 0, (double)tt, 18, 1);
                seen = 1;
            }
        }
        CHECK(seen);
    }
    quarry_keywords_free(kw);

    /* bad options */
    CHECK_EQ_INT(quarry_keywords_new(env, ix, NULL, NULL, NULL, NULL, &kw),
                 QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "reference is empty") != NULL);
    o.measure = 9;
    CHECK_EQ_INT(quarry_keywords_new(env, ix, sc, NULL, NULL, &o, &kw),
                 QUARRY_EINVAL);
    CHECK(kw == NULL);
    quarry_subcorpus_free(sc);
    quarry_filter_free(flt);
    quarry_index_free(zix);
    quarry_index_free(ix);
}

static void test_lexstats(void)
{
    quarry_index *ix = NULL;
    quarry_groups *g = NULL;
    quarry_lexstats_options o;
    quarry_lexstats *ls = NULL;
    quarry_lexstats_row r;

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    memset(&o, 0, sizeof o);
    o.window = 3;
    CHECK_EQ_INT(quarry_lexstats_new(env, ix, NULL, &o, &ls), QUARRY_OK);
    CHECK_EQ_INT(quarry_lexstats_doc_count(ls), 3);
    CHECK_EQ_INT(quarry_lexstats_group_count(ls), 0);
    /* a: the cat sat on the mat the cat ran; windows of 3 have 3 types
     * except "the mat the": MATTR = (6 * 3 + 2) / 3 / 7 = 20 / 21 */
    CHECK_EQ_INT(quarry_lexstats_doc_get(ls, 0, &r), QUARRY_OK);
    CHECK_EQ_INT(r.doc, 0);
    CHECK_EQ_INT(r.tokens, 9);
    CHECK_EQ_INT(r.types, 6);
    CHECK_EQ_INT(r.hapax, 4);
    CHECK(fabs(r.ttr - 6.0 / 9) < 1e-12);
    CHECK(fabs(r.mattr - 20.0 / 21) < 1e-12);
    CHECK_EQ_INT(r.group, SIZE_MAX);
    /* b: a dog a cat dogs bark: windows 2/3, 3/3, 3/3, 3/3 */
    CHECK_EQ_INT(quarry_lexstats_doc_get(ls, 1, &r), QUARRY_OK);
    CHECK_EQ_INT(r.doc, 1);
    CHECK_EQ_INT(r.types, 5);
    CHECK_EQ_INT(r.hapax, 4);
    CHECK(fabs(r.mattr - 11.0 / 12) < 1e-12);
    /* c (id 3, after the deleted x): one window of 3 types */
    CHECK_EQ_INT(quarry_lexstats_doc_get(ls, 2, &r), QUARRY_OK);
    CHECK_EQ_INT(r.doc, 3);
    CHECK(r.mattr == 1.0 && r.ttr == 1.0);
    CHECK_EQ_INT(quarry_lexstats_doc_get(ls, 3, &r), QUARRY_EINVAL);
    quarry_lexstats_total_get(ls, &r);
    CHECK_EQ_INT(r.tokens, 18);
    CHECK_EQ_INT(r.types, 10);
    CHECK_EQ_INT(r.hapax, 5); /* bark dogs mat on ran */
    CHECK_EQ_INT(r.docs, 3);
    CHECK(fabs(r.mattr - (20.0 / 3 + 11.0 / 3 + 1) / 12) < 1e-12);
    quarry_lexstats_free(ls);

    /* window larger than every document: MATTR is the TTR; groups */
    CHECK_EQ_INT(
        quarry_groups_new(env, ix, "year", QUARRY_PERIOD_VALUE, NULL, &g),
        QUARRY_OK);
    o.window = 0;
    o.groups = g;
    CHECK_EQ_INT(quarry_lexstats_new(env, ix, NULL, &o, &ls), QUARRY_OK);
    CHECK_EQ_INT(quarry_lexstats_doc_get(ls, 0, &r), QUARRY_OK);
    CHECK(r.mattr == r.ttr);
    CHECK_EQ_INT(r.group, 0);
    CHECK_EQ_INT(quarry_lexstats_group_count(ls), 2);
    CHECK_EQ_INT(quarry_lexstats_group_get(ls, 1, &r), QUARRY_OK);
    CHECK_EQ_INT(r.docs, 2);
    CHECK_EQ_INT(r.tokens, 9);
    CHECK_EQ_INT(r.types, 7); /* a dog cat dogs bark the sat */
    CHECK_EQ_INT(r.hapax, 5);
    CHECK(fabs(r.mattr - (5.0 / 6 + 1.0) / 2) < 1e-12);
    quarry_lexstats_free(ls);
    quarry_groups_free(g);
    quarry_index_free(ix);
}

static void test_chinese_words(void)
{
    quarry_index *ix = NULL;
    quarry_freq_options o;
    quarry_stopwords *sw = NULL;
    char out[2048];

    CHECK_EQ_INT(quarry_index_open(env, zhdir, &ix), QUARRY_OK);
    memset(&o, 0, sizeof o);
    o.unit = QUARRY_UNIT_TERMS; /* one character each */
    o.top = 3;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK_EQ_STR(out, "产:2/1 力:2/1 发:2/1"); /* 8 chars twice: bytewise */
    /* the word layer: friso's dictionary keeps 发展 and 生产力 whole */
    o.unit = QUARRY_UNIT_WORDS;
    o.top = 0;
    o.min_count = 2;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK(strstr(out, "发展:2/1") != NULL);
    CHECK(strstr(out, "生产力:2/1") != NULL);
    CHECK(strstr(out, "发:") == NULL);
    /* the built-in Chinese stop list takes out 的 and 我们 */
    CHECK_EQ_INT(quarry_stopwords_new(env, &sw), QUARRY_OK);
    CHECK_EQ_INT(quarry_stopwords_add_builtin(sw, "zh"), QUARRY_OK);
    o.min_count = 0;
    o.stop = NULL;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK(strstr(out, "的:1/1") != NULL);
    CHECK(strstr(out, "我们:1/1") != NULL);
    o.stop = sw;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK(strstr(out, "的:") == NULL);
    CHECK(strstr(out, "我们:") == NULL);
    /* CJK n-grams are joined without a space */
    o.stop = NULL;
    o.n = 2;
    o.min_count = 2;
    run_freq(ix, NULL, &o, out, sizeof out);
    CHECK(strstr(out, "新质生产力:2/1") != NULL ||
          strstr(out, "质生产力:2/1") != NULL);
    quarry_stopwords_free(sw);
    quarry_index_free(ix);
}

static void test_stopwords(void)
{
    quarry_stopwords *sw = NULL;
    const char *const *list;
    size_t n;
    FILE *fp;

    list = quarry_stopwords_builtin("en", &n);
    CHECK(list != NULL && n >= 170 && n <= 200);
    list = quarry_stopwords_builtin("zh", &n);
    CHECK(list != NULL && n >= 100 && n <= 160);
    CHECK(quarry_stopwords_builtin("fr", &n) == NULL && n == 0);

    CHECK_EQ_INT(quarry_stopwords_new(env, &sw), QUARRY_OK);
    CHECK_EQ_INT(quarry_stopwords_count(sw), 0);
    CHECK(!quarry_stopwords_contains(sw, "the", 3));
    CHECK_EQ_INT(quarry_stopwords_add_builtin(sw, "all"), QUARRY_OK);
    CHECK(quarry_stopwords_contains(sw, "the", 3));
    CHECK(quarry_stopwords_contains(sw, "The", 3));
    CHECK(quarry_stopwords_contains(sw, "don't", 5));
    CHECK(quarry_stopwords_contains(sw, "的", strlen("的")));
    CHECK(!quarry_stopwords_contains(sw, "cat", 3));
    CHECK_EQ_INT(quarry_stopwords_add_builtin(sw, "xx"), QUARRY_EINVAL);
    CHECK(strstr(quarry_stopwords_errmsg(sw), "xx") != NULL);
    CHECK_EQ_INT(quarry_stopwords_add(sw, "", 0), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_stopwords_add(sw, "\xff", 1), QUARRY_EINVAL);

    fp = fopen(tmpfile_path, "wb");
    CHECK(fp != NULL);
    fputs("\xEF\xBB\xBF# my list\n  Cat \n\nzebra\r\n", fp);
    fclose(fp);
    n = quarry_stopwords_count(sw);
    CHECK_EQ_INT(quarry_stopwords_add_file(sw, tmpfile_path), QUARRY_OK);
    CHECK_EQ_INT(quarry_stopwords_count(sw), n + 2);
    CHECK(quarry_stopwords_contains(sw, "cat", 3));
    CHECK(quarry_stopwords_contains(sw, "zebra", 5));
    CHECK(!quarry_stopwords_contains(sw, "# my list", 9));

    fp = fopen(tmpfile_path, "wb");
    fputs("ok\nbad \xff word\n", fp);
    fclose(fp);
    CHECK_EQ_INT(quarry_stopwords_add_file(sw, tmpfile_path), QUARRY_EINVAL);
    CHECK(strstr(quarry_stopwords_errmsg(sw), ":2: not UTF-8") != NULL);
    CHECK_EQ_INT(quarry_stopwords_add_file(sw, "/nonexistent/stop.txt"),
                 QUARRY_ENOENT);
    CHECK(strstr(quarry_stopwords_errmsg(sw), "/nonexistent/stop.txt") != NULL);
    CHECK_EQ_INT(quarry_stopwords_add_file(sw, "/tmp"), QUARRY_EIO);
    quarry_stopwords_free(sw);
    quarry_stopwords_free(NULL);
    unlink(tmpfile_path);
}

static void test_bad_options(void)
{
    quarry_index *ix = NULL;
    quarry_freq_options o;
    quarry_lexstats_options lo;
    quarry_freq *f = (quarry_freq *)&f;
    quarry_lexstats *ls = NULL;

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    memset(&o, 0, sizeof o);
    o.n = 6;
    CHECK_EQ_INT(quarry_freq_new(env, ix, NULL, &o, &f), QUARRY_EINVAL);
    CHECK(f == NULL);
    CHECK(strstr(quarry_env_errmsg(env), "1 to 5") != NULL);
    o.n = 1;
    o.unit = 7;
    CHECK_EQ_INT(quarry_freq_new(env, ix, NULL, &o, &f), QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "unit") != NULL);
    memset(&lo, 0, sizeof lo);
    lo.unit = -1;
    CHECK_EQ_INT(quarry_lexstats_new(env, ix, NULL, &lo, &ls), QUARRY_EINVAL);
    CHECK(ls == NULL);
    /* NULL options are the defaults */
    CHECK_EQ_INT(quarry_freq_new(env, ix, NULL, NULL, &f), QUARRY_OK);
    CHECK_EQ_INT(quarry_freq_count(f), 10);
    quarry_freq_free(f);
    CHECK_EQ_INT(quarry_lexstats_new(env, ix, NULL, NULL, &ls), QUARRY_OK);
    quarry_lexstats_free(ls);
    quarry_index_free(ix);
}

/* Every allocation of a grouped bigram list, keywords and lexstats fails
 * in turn: each call fails cleanly or gives the full answer. */
static void test_alloc_failures(void)
{
    long budget;
    int done_freq = 0, done_kw = 0, done_ls = 0, done_fast = 0, done_gf = 0;
    for (budget = 0; budget < 2000 &&
                     !(done_freq && done_kw && done_ls && done_fast && done_gf);
         budget++) {
        tk_fail fl = {-1, 0};
        quarry_env *fenv = NULL;
        quarry_index *ix = NULL;
        quarry_groups *g = NULL;
        quarry_freq_options o;
        quarry_freq *f = NULL;
        quarry_keywords *kw = NULL;
        quarry_keywords_options ko;
        quarry_lexstats *ls = NULL;
        int rc;
        CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &fl, &fenv), QUARRY_OK);
        CHECK_EQ_INT(quarry_index_open(fenv, dir, &ix), QUARRY_OK);
        CHECK_EQ_INT(
            quarry_groups_new(fenv, ix, "year", QUARRY_PERIOD_YEAR, NULL, &g),
            QUARRY_OK);
        memset(&o, 0, sizeof o);
        o.n = 2;
        o.groups = g;
        fl.budget = budget;
        if (!done_freq) {
            rc = quarry_freq_new(fenv, ix, NULL, &o, &f);
            if (rc == QUARRY_OK) {
                CHECK_EQ_INT(quarry_freq_count(f), 11);
                done_freq = 1;
            } else {
                CHECK_EQ_INT(rc, QUARRY_ENOMEM);
                CHECK(f == NULL);
            }
        }
        fl.budget = budget;
        if (!done_fast) {
            quarry_freq *ff = NULL;
            rc = quarry_freq_new(fenv, ix, NULL, NULL, &ff);
            if (rc == QUARRY_OK) {
                CHECK_EQ_INT(quarry_freq_count(ff), 10);
                done_fast = 1;
            } else {
                CHECK_EQ_INT(rc, QUARRY_ENOMEM);
                CHECK(ff == NULL);
            }
            quarry_freq_free(ff);
        }
        fl.budget = budget;
        if (!done_gf) {
            quarry_freq *ff = NULL;
            quarry_freq_options go;
            memset(&go, 0, sizeof go);
            go.groups = g;
            rc = quarry_freq_new(fenv, ix, NULL, &go, &ff);
            if (rc == QUARRY_OK) {
                CHECK_EQ_INT(quarry_freq_count(ff), 13);
                done_gf = 1;
            } else {
                CHECK_EQ_INT(rc, QUARRY_ENOMEM);
                CHECK(ff == NULL);
            }
            quarry_freq_free(ff);
        }
        fl.budget = budget;
        if (!done_kw) {
            quarry_keywords_options_init(&ko);
            ko.max_p = 1;
            ko.min_freq = 1;
            rc = quarry_keywords_new(fenv, ix, NULL, ix, NULL, &ko, &kw);
            if (rc == QUARRY_OK) {
                CHECK_EQ_INT(quarry_keywords_count(kw), 10);
                done_kw = 1;
            } else {
                CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            }
        }
        fl.budget = budget;
        if (!done_ls) {
            quarry_lexstats_options lo;
            memset(&lo, 0, sizeof lo);
            lo.groups = g;
            rc = quarry_lexstats_new(fenv, ix, NULL, &lo, &ls);
            if (rc == QUARRY_OK) {
                CHECK_EQ_INT(quarry_lexstats_doc_count(ls), 3);
                done_ls = 1;
            } else {
                CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            }
        }
        fl.budget = -1;
        quarry_freq_free(f);
        quarry_keywords_free(kw);
        quarry_lexstats_free(ls);
        quarry_groups_free(g);
        quarry_index_free(ix);
        quarry_env_free(fenv);
    }
    CHECK(done_freq && done_kw && done_ls && done_fast && done_gf);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/quarry_test_freq_%ld", (long)getpid());
    snprintf(zhdir, sizeof zhdir, "/tmp/quarry_test_freq_zh_%ld",
             (long)getpid());
    snprintf(tmpfile_path, sizeof tmpfile_path,
             "/tmp/quarry_test_freq_stop_%ld.txt", (long)getpid());
    tk_rm_rf(dir);
    tk_rm_rf(zhdir);
    CHECK_EQ_INT(quarry_env_new(NULL, NULL, &env), QUARRY_OK);
    build();
    RUN(test_freq_lists);
    RUN(test_groups_and_subcorpus);
    RUN(test_postings_path_agrees);
    RUN(test_ngrams);
    RUN(test_keyness);
    RUN(test_lexstats);
    RUN(test_chinese_words);
    RUN(test_stopwords);
    RUN(test_bad_options);
    RUN(test_alloc_failures);
    quarry_env_free(env);
    tk_rm_rf(dir);
    tk_rm_rf(zhdir);
    return check_summary();
}
