/* test_timeline.c - quarry_timeline_* on tests/fixtures/qanalysis (token
 * table in its README.md): hits and documents per year and per month of a
 * date field, periods without hits, several queries side by side, the
 * first and last occurrence (by date inside a period, not by document id),
 * a subcorpus, a year field, and errors. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256];

static void build(const char *jsonl)
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

static void check_cell(const quarry_timeline *t, size_t period, size_t j,
                       uint64_t hits, uint64_t docs)
{
    const quarry_timeline_cell *c = quarry_timeline_cell_get(t, period, j);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ_INT(c->hits, hits);
    CHECK_EQ_INT(c->docs, docs);
}

static void check_hit(const quarry_timeline *t, size_t j, int last,
                      const char *period, uint64_t doc, uint64_t first)
{
    const quarry_timeline_hit *h = quarry_timeline_extreme(t, j, last);
    CHECK(h != NULL && h->found);
    if (!h || !h->found)
        return;
    CHECK_EQ_STR(quarry_timeline_period_label(t, h->period), period);
    CHECK_EQ_INT(h->doc, doc);
    CHECK_EQ_INT(h->first, first);
}

static void test_years(void)
{
    quarry_index *ix = NULL;
    quarry_query *q[3] = {query("node"), query("s"), query("absent")};
    quarry_timeline *t = NULL;
    size_t i;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_timeline_new(env, ix, (const quarry_query *const *)q, 3,
                                     "date", QUARRY_PERIOD_YEAR, NULL, &t, NULL,
                                     NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_timeline_query_count(t), 3);
    /* 2022 has no document, so it is no period; 2023 has one, without
     * hits of node or s */
    CHECK_EQ_INT(quarry_timeline_period_count(t), 3);
    CHECK_EQ_STR(quarry_timeline_period_label(t, 0), "2020");
    CHECK_EQ_STR(quarry_timeline_period_label(t, 1), "2021");
    CHECK_EQ_STR(quarry_timeline_period_label(t, 2), "2023");
    CHECK_EQ_INT(quarry_timeline_period_docs(t, 1), 3);
    CHECK_EQ_INT(quarry_timeline_period_tokens(t, 0), 8); /* not the "." */
    CHECK_EQ_INT(quarry_timeline_period_tokens(t, 1), 5 + 4 + 2);
    check_cell(t, 0, 0, 2, 1);
    check_cell(t, 1, 0, 2, 2); /* documents 2 and 5 */
    check_cell(t, 2, 0, 0, 0);
    check_cell(t, 0, 1, 0, 0);
    check_cell(t, 1, 1, 2, 2); /* documents 3 and 5 */
    for (i = 0; i < 3; i++)
        check_cell(t, i, 2, 0, 0);
    /* node: first in 2020 at token 2 of document 0; last in 2021, in
     * document 1 (June) rather than document 4 (February), its only hit */
    check_hit(t, 0, 0, "2020", 0, 2);
    check_hit(t, 0, 1, "2021", 1, 3);
    /* s: both hits in 2021; the first is document 4 (February), the last
     * document 2 (July), against document order */
    check_hit(t, 1, 0, "2021", 4, 0);
    check_hit(t, 1, 1, "2021", 2, 2);
    CHECK_EQ_INT(quarry_timeline_extreme(t, 2, 0)->found, 0);
    CHECK(quarry_timeline_extreme(t, 3, 0) == NULL);
    CHECK(quarry_timeline_cell_get(t, 3, 0) == NULL);
    CHECK(quarry_timeline_cell_get(t, 0, 3) == NULL);
    CHECK(quarry_timeline_period_label(t, 3) == NULL);
    quarry_timeline_free(t);
    for (i = 0; i < 3; i++)
        quarry_query_free(q[i]);
    quarry_index_free(ix);
}

static void test_months_and_subcorpus(void)
{
    quarry_index *ix = NULL;
    quarry_query *q = query("node");
    quarry_timeline *t = NULL;
    quarry_filter *f = NULL;
    quarry_subcorpus *sc = NULL;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_timeline_new(env, ix, (const quarry_query *const *)&q,
                                     1, "date", QUARRY_PERIOD_MONTH, NULL, &t,
                                     NULL, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_timeline_period_count(t), 5);
    CHECK_EQ_STR(quarry_timeline_period_label(t, 0), "2020-01");
    CHECK_EQ_STR(quarry_timeline_period_label(t, 1), "2021-02");
    CHECK_EQ_STR(quarry_timeline_period_label(t, 4), "2023-03");
    check_cell(t, 0, 0, 2, 1);
    check_cell(t, 1, 0, 1, 1);
    check_cell(t, 2, 0, 1, 1);
    check_cell(t, 3, 0, 0, 0);
    check_hit(t, 0, 1, "2021-06", 1, 3);
    quarry_timeline_free(t);

    /* only part:in (documents 0, 2, 4), by the integer year field */
    CHECK_EQ_INT(quarry_filter_compile(env, "part:in", 7, &f, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, f, NULL, &sc), QUARRY_OK);
    CHECK_EQ_INT(quarry_timeline_new(env, ix, (const quarry_query *const *)&q,
                                     1, "year", QUARRY_PERIOD_YEAR, sc, &t,
                                     NULL, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_timeline_period_count(t), 2);
    check_cell(t, 1, 0, 1, 1);
    CHECK_EQ_INT(quarry_timeline_period_docs(t, 1), 2);
    /* the year ties document 4 with document 2: the later id is last */
    check_hit(t, 0, 1, "2021", 4, 1);
    quarry_timeline_free(t);
    quarry_subcorpus_free(sc);
    quarry_filter_free(f);
    quarry_query_free(q);
    quarry_index_free(ix);
}

static void test_errors(void)
{
    quarry_index *ix = NULL;
    quarry_query *q[2] = {query("node"), query("s")};
    quarry_timeline *t = NULL;
    size_t failed = 99;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    /* a string field cannot be cut into years */
    CHECK_EQ_INT(quarry_timeline_new(env, ix, (const quarry_query *const *)q, 2,
                                     "part", QUARRY_PERIOD_YEAR, NULL, &t,
                                     &failed, NULL),
                 QUARRY_EINVAL);
    CHECK(t == NULL);
    CHECK_EQ_INT(failed, 2);
    CHECK(strstr(quarry_env_errmsg(env), "part") != NULL);
    CHECK_EQ_INT(quarry_timeline_new(env, ix, (const quarry_query *const *)q, 2,
                                     NULL, QUARRY_PERIOD_YEAR, NULL, &t,
                                     &failed, NULL),
                 QUARRY_EINVAL);
    /* a field nobody has is a mistake, named in the message */
    CHECK_EQ_INT(quarry_timeline_new(env, ix, (const quarry_query *const *)q, 2,
                                     "nothing", QUARRY_PERIOD_YEAR, NULL, &t,
                                     &failed, NULL),
                 QUARRY_EINVAL);
    CHECK(t == NULL);
    CHECK(strstr(quarry_env_errmsg(env), "'nothing'") != NULL);
    quarry_query_free(q[0]);
    quarry_query_free(q[1]);
    quarry_index_free(ix);
}

static void test_out_of_memory(void)
{
    long budget;
    int ok = 0;
    for (budget = 0; budget < 2000 && !ok; budget++) {
        tk_fail f = {-1, 0};
        quarry_env *e = NULL;
        quarry_index *ix = NULL;
        quarry_query *q = NULL;
        quarry_timeline *t = NULL;
        int rc;
        if (quarry_env_new(tk_failing_alloc, &f, &e) != QUARRY_OK)
            continue;
        rc = quarry_index_open(e, dir, &ix);
        if (rc == QUARRY_OK)
            rc = quarry_query_compile(e, "node", 4, &q, NULL);
        if (rc == QUARRY_OK) {
            f.budget = budget;
            rc = quarry_timeline_new(e, ix, (const quarry_query *const *)&q, 1,
                                     "date", QUARRY_PERIOD_YEAR, NULL, &t, NULL,
                                     NULL);
            f.budget = -1;
            CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            ok = rc == QUARRY_OK;
            quarry_timeline_free(t);
        }
        quarry_query_free(q);
        quarry_index_free(ix);
        quarry_env_free(e);
    }
    CHECK(ok);
}

int main(void)
{
    const char *fix = getenv("QUARRY_FIXTURES");
    char path[512];
    CHECK_EQ_INT(quarry_env_new(NULL, NULL, &env), QUARRY_OK);
    snprintf(dir, sizeof dir, "/tmp/test_timeline_%d", (int)getpid());
    tk_rm_rf(dir);
    snprintf(path, sizeof path, "%s/qanalysis/full/corpus.jsonl",
             fix ? fix : "tests/fixtures");
    build(path);
    RUN(test_years);
    RUN(test_months_and_subcorpus);
    RUN(test_errors);
    RUN(test_out_of_memory);
    tk_rm_rf(dir);
    quarry_env_free(env);
    return check_summary();
}
