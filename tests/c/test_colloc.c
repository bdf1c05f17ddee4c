/* test_colloc.c - collocations and dispersion data (quarry_colloc_*,
 * quarry_dispersion_data_*) on tests/fixtures/qanalysis, against counts
 * worked out by hand (the token table is in that directory's README.md):
 * windows, punctuation skipped, positions claimed once, sentence windows,
 * subcorpus totals (a collocate frequent outside the subcorpus changes
 * nothing), sorting, dispersion per document and per slice, errors and
 * allocation failures. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char full_dir[256], in_dir[256], multi_dir[256];
static char full_jsonl[512];

static void build(const char *dir, const char *jsonl)
{
    quarry_writer *w = NULL;
    quarry_reader *rd = NULL;
    quarry_writer_options o;
    quarry_read_event ev;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    CHECK_EQ_INT(quarry_reader_new(env, NULL, &rd), QUARRY_OK);
    CHECK_EQ_INT(quarry_reader_add(rd, jsonl), QUARRY_OK);
    while (quarry_reader_next(rd, &ev) == QUARRY_OK)
        if (ev.kind == QUARRY_EVENT_DOCUMENT)
            CHECK_EQ_INT(quarry_writer_add(w, ev.doc, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_reader_free(rd);
    quarry_writer_free(w);
}

static quarry_query *query(const char *text)
{
    quarry_query *q = NULL;
    CHECK_EQ_INT(quarry_query_compile(env, text, strlen(text), &q, NULL),
                 QUARRY_OK);
    return q;
}

static quarry_subcorpus *subcorpus(quarry_index *ix, const char *filter)
{
    quarry_filter *f = NULL;
    quarry_subcorpus *sc = NULL;
    CHECK_EQ_INT(quarry_filter_compile(env, filter, strlen(filter), &f, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, f, NULL, &sc), QUARRY_OK);
    quarry_filter_free(f);
    return sc;
}

/* The collocate whose text is text, or NULL. */
static const quarry_collocate *find(quarry_index *ix, const quarry_colloc *c,
                                    const char *text)
{
    const quarry_collocate *it = quarry_colloc_items(c);
    size_t i;
    for (i = 0; i < quarry_colloc_count(c); i++) {
        size_t len;
        const char *t =
            quarry_index_term_text(ix, it[i].term, &len, NULL, NULL);
        if (it[i].text_len == strlen(text) &&
            memcmp(it[i].text, text, it[i].text_len) == 0) {
            /* a term's text is the dictionary's */
            CHECK(t && len == it[i].text_len && memcmp(t, text, len) == 0);
            return &it[i];
        }
    }
    return NULL;
}

static int near(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b ||
           fabs(a - b) <= 1e-12 * (fabs(a) + fabs(b));
}

static int same_assoc(const quarry_assoc *a, const quarry_assoc *b)
{
    return near(a->e11, b->e11) && near(a->mi, b->mi) && near(a->mi3, b->mi3) &&
           near(a->t, b->t) && near(a->z, b->z) && near(a->g2, b->g2) &&
           near(a->chi2, b->chi2) && near(a->dice, b->dice) &&
           near(a->log_dice, b->log_dice) && near(a->log_ratio, b->log_ratio) &&
           near(a->p_g2, b->p_g2);
}

/* Checks one collocate's counts and that its measures are those of the
 * contingency table of docs/statistics.md. */
static void check_item(quarry_index *ix, const quarry_colloc *c,
                       const char *text, uint64_t left, uint64_t right,
                       uint64_t c1)
{
    const quarry_collocate *it = find(ix, c, text);
    quarry_colloc_totals t;
    quarry_assoc want;
    double o11, r1, n;
    CHECK(it != NULL);
    if (!it) {
        fprintf(stderr, "  missing collocate %s\n", text);
        return;
    }
    quarry_colloc_totals_get(c, &t);
    CHECK_EQ_INT(it->left, left);
    CHECK_EQ_INT(it->right, right);
    CHECK_EQ_INT(it->o11, left + right);
    CHECK_EQ_INT(it->c1, c1);
    o11 = (double)(left + right);
    r1 = (double)t.window_tokens;
    n = (double)t.tokens;
    quarry_assoc_compute(o11, r1 - o11, (double)c1 - o11,
                         n - r1 - (double)c1 + o11, &want);
    CHECK(same_assoc(&it->assoc, &want));
    CHECK(near(it->assoc.e11, r1 * (double)c1 / n));
}

static const quarry_colloc_options every = {2, 3, 0, 1, 1};

static void test_whole_index(void)
{
    quarry_index *ix = NULL;
    quarry_query *q = query("node");
    quarry_colloc *c = NULL;
    quarry_colloc_totals t;
    CHECK_EQ_INT(quarry_index_open(env, full_dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, &every, &c, NULL),
                 QUARRY_OK);
    quarry_colloc_totals_get(c, &t);
    /* doc 1: x y | node | z w . v (the full stop takes no room); the second
     * node's left window re-reads v and w, claimed already; doc 2: x x |
     * node | x; doc 5: s | node */
    CHECK_EQ_INT(t.hits, 4);
    CHECK_EQ_INT(t.docs, 3);
    CHECK_EQ_INT(t.window_tokens, 6 + 3 + 1);
    CHECK_EQ_INT(t.tokens, 8 + 5 + 4 + 6 + 2);
    CHECK_EQ_INT(quarry_colloc_count(c), 7); /* x y z w v u s */
    check_item(ix, c, "x", 3, 1, 1 + 4 + 6);
    check_item(ix, c, "y", 1, 0, 1);
    check_item(ix, c, "z", 0, 1, 1);
    check_item(ix, c, "w", 0, 1, 1);
    check_item(ix, c, "v", 0, 1, 1);
    check_item(ix, c, "u", 0, 1, 1);
    check_item(ix, c, "s", 1, 0, 2);
    CHECK(find(ix, c, "node") == NULL); /* never in another hit's window */
    CHECK(find(ix, c, ".") == NULL);
    /* ordered by o11, then term id (bytes) */
    CHECK_EQ_INT(quarry_colloc_items(c)[0].o11, 4);
    quarry_colloc_free(c);

    /* thresholds: min_freq 2 keeps x and s; min_o11 2 keeps x */
    {
        quarry_colloc_options o = every;
        o.min_freq = 2;
        CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, &o, &c, NULL),
                     QUARRY_OK);
        CHECK_EQ_INT(quarry_colloc_count(c), 2);
        quarry_colloc_free(c);
        o.min_o11 = 2;
        CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, &o, &c, NULL),
                     QUARRY_OK);
        CHECK_EQ_INT(quarry_colloc_count(c), 1);
        quarry_colloc_free(c);
    }
    /* NULL options: 5/5, min_freq 3, min_o11 2: only x. Each node of
     * document 1 is inside the other's window, but a hit is in no window
     * (docs/statistics.md), so node is no collocate of itself */
    CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, NULL, &c, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_count(c), 1);
    CHECK(find(ix, c, "node") == NULL);
    check_item(ix, c, "x", 3 + 1, 1, 11);
    quarry_colloc_free(c);
    quarry_query_free(q);
    quarry_index_free(ix);
}

static void test_sentence_windows(void)
{
    quarry_index *ix = NULL;
    quarry_query *q = query("node");
    quarry_colloc *c = NULL;
    quarry_colloc_options o = every;
    quarry_colloc_totals t;
    o.sentence = 1;
    CHECK_EQ_INT(quarry_index_open(env, full_dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, &o, &c, NULL), QUARRY_OK);
    quarry_colloc_totals_get(c, &t);
    /* the first node's right window stops at the full stop, so v is
     * claimed by the second node's left window instead */
    CHECK_EQ_INT(t.window_tokens, 10);
    check_item(ix, c, "v", 1, 0, 1);
    check_item(ix, c, "w", 0, 1, 1);
    quarry_colloc_free(c);
    /* left 0: only right windows */
    o.sentence = 0;
    o.left = 0;
    CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, &o, &c, NULL), QUARRY_OK);
    quarry_colloc_totals_get(c, &t);
    CHECK_EQ_INT(t.window_tokens, 3 + 1 + 1); /* z w v; u; x; - */
    CHECK(find(ix, c, "y") == NULL);
    quarry_colloc_free(c);
    quarry_query_free(q);
    quarry_index_free(ix);
}

/* The point of subcorpora: C1 and N come from the subcorpus, so the x of
 * the documents outside it change nothing. */
static void test_subcorpus(void)
{
    quarry_index *full = NULL, *in = NULL;
    quarry_query *q = query("node");
    quarry_subcorpus *sc;
    quarry_colloc *a = NULL, *b = NULL;
    quarry_colloc_totals ta, tb;
    size_t i;
    CHECK_EQ_INT(quarry_index_open(env, full_dir, &full), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_open(env, in_dir, &in), QUARRY_OK);
    sc = subcorpus(full, "part:in");
    CHECK_EQ_INT(quarry_colloc_new(env, full, q, sc, &every, &a, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_new(env, in, q, NULL, &every, &b, NULL),
                 QUARRY_OK);
    quarry_colloc_totals_get(a, &ta);
    quarry_colloc_totals_get(b, &tb);
    CHECK_EQ_INT(ta.hits, 3);
    CHECK_EQ_INT(ta.window_tokens, 7);
    CHECK_EQ_INT(ta.tokens, 8 + 4 + 2);
    CHECK_EQ_INT(ta.hits, tb.hits);
    CHECK_EQ_INT(ta.window_tokens, tb.window_tokens);
    CHECK_EQ_INT(ta.tokens, tb.tokens);
    check_item(full, a, "x", 1, 0, 1);
    check_item(full, a, "s", 1, 0, 2);
    CHECK(near(find(full, a, "s")->assoc.e11, 1.0)); /* 7 * 2 / 14 */
    CHECK_EQ_INT(quarry_colloc_count(a), quarry_colloc_count(b));
    for (i = 0; i < quarry_colloc_count(a) && i < quarry_colloc_count(b); i++) {
        const quarry_collocate *x = &quarry_colloc_items(a)[i];
        const quarry_collocate *y = &quarry_colloc_items(b)[i];
        CHECK_EQ_STR(quarry_index_term_text(full, x->term, NULL, NULL, NULL),
                     quarry_index_term_text(in, y->term, NULL, NULL, NULL));
        CHECK_EQ_INT(x->o11, y->o11);
        CHECK_EQ_INT(x->c1, y->c1);
        CHECK(same_assoc(&x->assoc, &y->assoc));
    }
    quarry_colloc_free(a);
    quarry_colloc_free(b);
    quarry_subcorpus_free(sc);
    quarry_query_free(q);
    quarry_index_free(full);
    quarry_index_free(in);
}

static void test_sort(void)
{
    quarry_index *ix = NULL;
    quarry_query *q = query("node");
    quarry_colloc *c = NULL;
    const quarry_collocate *it;
    size_t i;
    CHECK_EQ_INT(quarry_index_open(env, full_dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, &every, &c, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_sort(c, "mi"), QUARRY_OK);
    it = quarry_colloc_items(c);
    for (i = 1; i < quarry_colloc_count(c); i++)
        CHECK(it[i - 1].assoc.mi >= it[i].assoc.mi);
    CHECK_EQ_INT(quarry_colloc_sort(c, "c1"), QUARRY_OK);
    CHECK_EQ_STR(quarry_index_term_text(ix, it[0].term, NULL, NULL, NULL), "x");
    CHECK_EQ_INT(quarry_colloc_sort(c, "left"), QUARRY_OK);
    CHECK_EQ_INT(it[0].left, 3);
    CHECK_EQ_INT(quarry_colloc_sort(c, "bogus"), QUARRY_EINVAL);
    quarry_colloc_free(c);
    quarry_query_free(q);
    quarry_index_free(ix);
}

static void test_dispersion(void)
{
    quarry_index *ix = NULL;
    quarry_query *q = query("node");
    quarry_dispersion_data *d = NULL;
    const quarry_dispersion_part *p;
    const quarry_dispersion *m;
    quarry_dispersion want;
    const double freqs[] = {2, 1, 0, 0, 1}, sizes[] = {8, 5, 4, 6, 2};
    const double *pos;
    CHECK_EQ_INT(quarry_index_open(env, full_dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_dispersion_data_new(env, ix, q, NULL, 0, &d, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_dispersion_data_part_count(d), 5);
    CHECK_EQ_INT(quarry_dispersion_data_tokens(d), 25);
    p = quarry_dispersion_data_parts(d);
    CHECK_EQ_INT(p[0].tokens, 8);
    CHECK_EQ_INT(p[0].hits, 2);
    CHECK_EQ_INT(p[3].first, 17);
    CHECK_EQ_INT(p[4].doc, 4);
    CHECK_EQ_INT(p[4].hits, 1);
    m = quarry_dispersion_data_measures(d);
    CHECK(near(m->range, 3));
    /* DP by hand: (.18 + .05 + .16 + .24 + .17) / 2 */
    CHECK(fabs(m->gries_dp - 0.4) < 1e-12);
    CHECK(fabs(m->gries_dp_norm - 0.4 / 0.92) < 1e-12);
    CHECK_EQ_INT(quarry_dispersion_compute(freqs, sizes, 5, &want), QUARRY_OK);
    CHECK(near(m->juilland_d, want.juilland_d));
    CHECK(fabs(m->juilland_d - (1 - sqrt(0.0344) / 0.19 / 2)) < 1e-9);
    /* counted positions 2, 6 (the full stop does not count), 8 + 3,
     * 8 + 5 + 4 + 6 + 1 */
    CHECK_EQ_INT(quarry_dispersion_data_hit_count(d), 4);
    pos = quarry_dispersion_data_positions(d);
    CHECK(near(pos[0], 2 / 25.0) && near(pos[1], 6 / 25.0));
    CHECK(near(pos[2], 11 / 25.0) && near(pos[3], 24 / 25.0));
    quarry_dispersion_data_free(d);

    /* five slices of five tokens */
    CHECK_EQ_INT(quarry_dispersion_data_new(env, ix, q, NULL, 5, &d, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_dispersion_data_part_count(d), 5);
    p = quarry_dispersion_data_parts(d);
    CHECK_EQ_INT(p[0].hits, 1);
    CHECK_EQ_INT(p[1].hits, 1);
    CHECK_EQ_INT(p[2].hits, 1);
    CHECK_EQ_INT(p[3].hits, 0);
    CHECK_EQ_INT(p[4].hits, 1);
    CHECK_EQ_INT(p[1].doc, 0);
    CHECK_EQ_INT(p[2].doc, 1);
    CHECK_EQ_INT(p[3].doc, 2);
    CHECK_EQ_INT(p[4].doc, 3);
    CHECK_EQ_INT(p[4].first, 20);
    CHECK(near(quarry_dispersion_data_measures(d)->range, 4));
    quarry_dispersion_data_free(d);

    /* three slices of 25 tokens: 9, 8, 8 */
    CHECK_EQ_INT(quarry_dispersion_data_new(env, ix, q, NULL, 3, &d, NULL),
                 QUARRY_OK);
    p = quarry_dispersion_data_parts(d);
    CHECK_EQ_INT(p[0].tokens, 9);
    CHECK_EQ_INT(p[2].tokens, 8);
    CHECK_EQ_INT(p[0].hits + p[1].hits + p[2].hits, 4);
    quarry_dispersion_data_free(d);

    /* more slices than tokens */
    CHECK_EQ_INT(quarry_dispersion_data_new(env, ix, q, NULL, 26, &d, NULL),
                 QUARRY_EINVAL);
    CHECK(d == NULL);
    CHECK(strstr(quarry_env_errmsg(env), "26 parts") != NULL);
    quarry_query_free(q);

    /* a query without hits: range 0, D and DP undefined */
    q = query("absent");
    CHECK_EQ_INT(quarry_dispersion_data_new(env, ix, q, NULL, 0, &d, NULL),
                 QUARRY_OK);
    CHECK(near(quarry_dispersion_data_measures(d)->range, 0));
    CHECK(isnan(quarry_dispersion_data_measures(d)->gries_dp));
    CHECK_EQ_INT(quarry_dispersion_data_hit_count(d), 0);
    quarry_dispersion_data_free(d);
    quarry_query_free(q);

    /* subcorpus: documents 1, 3, 5 */
    {
        quarry_subcorpus *sc = subcorpus(ix, "part:in");
        q = query("node");
        CHECK_EQ_INT(quarry_dispersion_data_new(env, ix, q, sc, 0, &d, NULL),
                     QUARRY_OK);
        CHECK_EQ_INT(quarry_dispersion_data_part_count(d), 3);
        CHECK_EQ_INT(quarry_dispersion_data_tokens(d), 14);
        CHECK_EQ_INT(quarry_dispersion_data_hit_count(d), 3);
        CHECK_EQ_INT(quarry_dispersion_data_parts(d)[2].doc, 4);
        quarry_dispersion_data_free(d);
        quarry_query_free(q);
        quarry_subcorpus_free(sc);
    }
    quarry_index_free(ix);
}

static void test_errors(void)
{
    quarry_index *ix = NULL;
    quarry_query *q = query("node");
    quarry_colloc *c = NULL;
    quarry_dispersion_data *d = NULL;
    size_t pos = 99;
    CHECK_EQ_INT(quarry_index_open(env, full_dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_new(env, NULL, q, NULL, NULL, &c, NULL),
                 QUARRY_EINVAL);
    CHECK(c == NULL);
    CHECK_EQ_INT(quarry_colloc_new(env, ix, NULL, NULL, NULL, &c, NULL),
                 QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dispersion_data_new(env, ix, NULL, NULL, 0, &d, NULL),
                 QUARRY_EINVAL);
    quarry_query_free(q);
    /* no hits: no collocates, totals still from the subcorpus */
    q = query("absent");
    CHECK_EQ_INT(quarry_colloc_new(env, ix, q, NULL, NULL, &c, &pos),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_count(c), 0);
    {
        quarry_colloc_totals t;
        quarry_colloc_totals_get(c, &t);
        CHECK_EQ_INT(t.hits, 0);
        CHECK_EQ_INT(t.window_tokens, 0);
        CHECK_EQ_INT(t.tokens, 25);
    }
    quarry_colloc_free(c);
    quarry_query_free(q);
    quarry_index_free(ix);
}

/* Two segments, the out documents deleted: the live documents are those of
 * in/, so every count must equal the in index's (global term ids through
 * each segment's map, live counts, deleted documents skipped). */
static void test_segments_and_deletions(void)
{
    quarry_writer *w = NULL;
    quarry_reader *rd = NULL;
    quarry_writer_options o;
    quarry_read_event ev;
    quarry_index *multi = NULL, *in = NULL;
    quarry_query *q = query("node");
    quarry_colloc *a = NULL, *b = NULL;
    quarry_dispersion_data *da = NULL, *db = NULL;
    quarry_colloc_totals ta, tb;
    uint64_t deleted = 0, n;
    size_t i;
    int docs = 0;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, multi_dir, &o, &w), QUARRY_OK);
    CHECK_EQ_INT(quarry_reader_new(env, NULL, &rd), QUARRY_OK);
    CHECK_EQ_INT(quarry_reader_add(rd, full_jsonl), QUARRY_OK);
    while (quarry_reader_next(rd, &ev) == QUARRY_OK) {
        if (ev.kind != QUARRY_EVENT_DOCUMENT)
            continue;
        CHECK_EQ_INT(quarry_writer_add(w, ev.doc, NULL), QUARRY_OK);
        if (++docs == 3)
            CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    }
    CHECK_EQ_INT(quarry_writer_delete_key(w, full_jsonl, 2, &n), QUARRY_OK);
    deleted += n;
    CHECK_EQ_INT(quarry_writer_delete_key(w, full_jsonl, 4, &n), QUARRY_OK);
    deleted += n;
    CHECK_EQ_INT(deleted, 2);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_reader_free(rd);
    quarry_writer_free(w);

    CHECK_EQ_INT(quarry_index_open(env, multi_dir, &multi), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_open(env, in_dir, &in), QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_new(env, multi, q, NULL, &every, &a, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_colloc_new(env, in, q, NULL, &every, &b, NULL),
                 QUARRY_OK);
    quarry_colloc_totals_get(a, &ta);
    quarry_colloc_totals_get(b, &tb);
    CHECK_EQ_INT(ta.hits, 3);
    CHECK_EQ_INT(ta.tokens, tb.tokens);
    CHECK_EQ_INT(ta.window_tokens, tb.window_tokens);
    CHECK_EQ_INT(quarry_colloc_count(a), quarry_colloc_count(b));
    for (i = 0; i < quarry_colloc_count(a) && i < quarry_colloc_count(b); i++) {
        const quarry_collocate *x = &quarry_colloc_items(a)[i];
        const quarry_collocate *y = &quarry_colloc_items(b)[i];
        CHECK_EQ_STR(x->text, y->text);
        CHECK_EQ_INT(x->c1, y->c1);
        CHECK(same_assoc(&x->assoc, &y->assoc));
    }
    CHECK_EQ_INT(quarry_dispersion_data_new(env, multi, q, NULL, 0, &da, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_dispersion_data_new(env, in, q, NULL, 0, &db, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_dispersion_data_part_count(da), 3);
    CHECK_EQ_INT(quarry_dispersion_data_tokens(da),
                 quarry_dispersion_data_tokens(db));
    CHECK(near(quarry_dispersion_data_measures(da)->gries_dp,
               quarry_dispersion_data_measures(db)->gries_dp));
    quarry_dispersion_data_free(da);
    quarry_dispersion_data_free(db);
    /* a timeline's counted tokens per period come from postings of every
     * segment, offset by the segment's first id */
    {
        quarry_timeline *t = NULL;
        const quarry_query *qs[1] = {q};
        CHECK_EQ_INT(quarry_timeline_new(env, multi, qs, 1, "year",
                                         QUARRY_PERIOD_YEAR, NULL, &t, NULL,
                                         NULL),
                     QUARRY_OK);
        CHECK_EQ_INT(quarry_timeline_period_count(t), 2);
        CHECK_EQ_INT(quarry_timeline_period_tokens(t, 0), 8);
        CHECK_EQ_INT(quarry_timeline_period_tokens(t, 1), 4 + 2);
        CHECK_EQ_INT(quarry_timeline_cell_get(t, 1, 0)->hits, 1);
        quarry_timeline_free(t);
    }
    quarry_colloc_free(a);
    quarry_colloc_free(b);
    quarry_query_free(q);
    quarry_index_free(multi);
    quarry_index_free(in);
}

/* Every allocation failure is reported, never a crash or a leak (ASan). */
static void test_out_of_memory(void)
{
    long budget;
    int ok_colloc = 0, ok_disp = 0;
    for (budget = 0; budget < 2000 && !(ok_colloc && ok_disp); budget++) {
        tk_fail f = {budget, 0};
        quarry_env *e = NULL;
        quarry_index *ix = NULL;
        quarry_query *q = NULL;
        quarry_colloc *c = NULL;
        quarry_dispersion_data *d = NULL;
        int rc;
        if (quarry_env_new(tk_failing_alloc, &f, &e) != QUARRY_OK)
            continue;
        f.budget = -1;
        rc = quarry_index_open(e, full_dir, &ix);
        if (rc == QUARRY_OK)
            rc = quarry_query_compile(e, "node", 4, &q, NULL);
        if (rc == QUARRY_OK) {
            f.budget = budget;
            rc = quarry_colloc_new(e, ix, q, NULL, &every, &c, NULL);
            CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            if (rc == QUARRY_OK)
                ok_colloc = 1;
            quarry_colloc_free(c);
            f.budget = budget;
            rc = quarry_dispersion_data_new(e, ix, q, NULL, 2, &d, NULL);
            CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            if (rc == QUARRY_OK)
                ok_disp = 1;
            quarry_dispersion_data_free(d);
            f.budget = -1;
        }
        quarry_query_free(q);
        quarry_index_free(ix);
        quarry_env_free(e);
    }
    CHECK(ok_colloc && ok_disp);
}

int main(void)
{
    const char *fix = getenv("QUARRY_FIXTURES");
    char path[512];
    CHECK_EQ_INT(quarry_env_new(NULL, NULL, &env), QUARRY_OK);
    snprintf(full_dir, sizeof full_dir, "/tmp/test_colloc_full_%d",
             (int)getpid());
    snprintf(in_dir, sizeof in_dir, "/tmp/test_colloc_in_%d", (int)getpid());
    snprintf(multi_dir, sizeof multi_dir, "/tmp/test_colloc_multi_%d",
             (int)getpid());
    tk_rm_rf(multi_dir);
    tk_rm_rf(full_dir);
    tk_rm_rf(in_dir);
    snprintf(path, sizeof path, "%s/qanalysis/full/corpus.jsonl",
             fix ? fix : "tests/fixtures");
    build(full_dir, path);
    snprintf(full_jsonl, sizeof full_jsonl, "%s", path);
    snprintf(path, sizeof path, "%s/qanalysis/in/corpus.jsonl",
             fix ? fix : "tests/fixtures");
    build(in_dir, path);
    RUN(test_whole_index);
    RUN(test_sentence_windows);
    RUN(test_subcorpus);
    RUN(test_sort);
    RUN(test_dispersion);
    RUN(test_errors);
    RUN(test_segments_and_deletions);
    RUN(test_out_of_memory);
    tk_rm_rf(multi_dir);
    tk_rm_rf(full_dir);
    tk_rm_rf(in_dir);
    quarry_env_free(env);
    return check_summary();
}
