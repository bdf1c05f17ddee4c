/* test_groups.c - quarry_groups_*: groups by value, year, decade, quarter,
 * month and day over an index of two segments with a deletion; documents
 * without the field; subcorpora; fields that cannot be grouped by period;
 * allocation failures. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256];

/* Fields are "name=value" pairs separated by ';', typed as the readers do. */
static void add(quarry_writer *w, const char *source, const char *text,
                const char *fields)
{
    quarry_doc *doc = NULL;
    quarry_field f[8];
    char buf[256], *p, *save = NULL;
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", fields);
    for (p = strtok_r(buf, ";", &save); p && n < 8;
         p = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(p, '=');
        memset(&f[n], 0, sizeof f[n]);
        *eq = 0;
        f[n].name = p;
        f[n].text = eq + 1;
        f[n].text_len = strlen(eq + 1);
        n++;
    }
    CHECK_EQ_INT(quarry_doc_new(env, source, 0, text, strlen(text), f, n, &doc),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

/* Two segments (one commit each, no merge for two small ones), with d3
 * deleted. Ids: a0 b1 c2 d3 | e4 f5 g6. */
static void build(void)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    add(w, "a", "One two three.", "year=1989;date=1989-12-31;party=Whig");
    add(w, "b", "One two.", "year=1990;date=1990-01-05;party=Democratic");
    add(w, "c", "One.", "year=1999;date=1990-04;party=Whig;score=2.5");
    add(w, "d", "Deleted here.", "year=2001;date=2001-01-01;party=Whig");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    add(w, "e", "Five words are in here.",
        "year=2001;date=2001-02-03;party=Democratic");
    add(w, "f", "No fields at all.", "other=x");
    add(w, "g", "Two, words.", "year=-5;date=2001;party=Zeta;score=2.5");
    CHECK_EQ_INT(quarry_writer_delete_source(w, "d", NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

/* "label:docs/tokens" of every group joined by spaces, and each document's
 * group ("-" for none) after a '|'. */
static void describe(const quarry_groups *g, const quarry_index *ix, char *out,
                     size_t size)
{
    size_t i, len = 0;
    uint64_t d;
    out[0] = 0;
    for (i = 0; i < quarry_groups_count(g); i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s:%llu/%llu",
                                i ? " " : "", quarry_groups_label(g, i),
                                (unsigned long long)quarry_groups_docs(g, i),
                                (unsigned long long)quarry_groups_tokens(g, i));
    len += (size_t)snprintf(out + len, size - len, " |");
    for (d = 0; d < quarry_index_doc_limit(ix); d++) {
        size_t k = quarry_groups_of(g, d);
        if (k == SIZE_MAX)
            len += (size_t)snprintf(out + len, size - len, " -");
        else
            len += (size_t)snprintf(out + len, size - len, " %zu", k);
    }
}

static void expect(quarry_index *ix, const char *field, int period,
                   const quarry_subcorpus *sc, const char *want)
{
    quarry_groups *g = NULL;
    char out[1024];
    int rc = quarry_groups_new(env, ix, field, period, sc, &g);
    CHECK_EQ_INT(rc, QUARRY_OK);
    if (rc != QUARRY_OK) {
        fprintf(stderr, "  %s\n", quarry_env_errmsg(env));
        return;
    }
    describe(g, ix, out, sizeof out);
    CHECK_EQ_STR(out, want);
    quarry_groups_free(g);
}

static void test_periods(void)
{
    quarry_index *ix = NULL;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_doc_limit(ix), 7);
    /* tokens: a 4, b 3, c 2, e 6, g 4 (punctuation included) */
    expect(ix, "year", QUARRY_PERIOD_VALUE, NULL,
           "-5:1/4 1989:1/4 1990:1/3 1999:1/2 2001:1/6 | 1 2 3 - 4 - 0");
    expect(ix, "year", QUARRY_PERIOD_YEAR, NULL,
           "-5:1/4 1989:1/4 1990:1/3 1999:1/2 2001:1/6 | 1 2 3 - 4 - 0");
    expect(ix, "year", QUARRY_PERIOD_DECADE, NULL,
           "-10s:1/4 1980s:1/4 1990s:2/5 2000s:1/6 | 1 2 2 - 3 - 0");
    /* dates: 2001 (precision year) has no month, quarter or day */
    expect(ix, "date", QUARRY_PERIOD_YEAR, NULL,
           "1989:1/4 1990:2/5 2001:2/10 | 0 1 1 - 2 - 2");
    expect(ix, "date", QUARRY_PERIOD_DECADE, NULL,
           "1980s:1/4 1990s:2/5 2000s:2/10 | 0 1 1 - 2 - 2");
    expect(ix, "date", QUARRY_PERIOD_QUARTER, NULL,
           "1989-Q4:1/4 1990-Q1:1/3 1990-Q2:1/2 2001-Q1:1/6 | 0 1 2 - 3 - -");
    expect(ix, "date", QUARRY_PERIOD_MONTH, NULL,
           "1989-12:1/4 1990-01:1/3 1990-04:1/2 2001-02:1/6 | 0 1 2 - 3 - -");
    expect(ix, "date", QUARRY_PERIOD_DAY, NULL,
           "1989-12-31:1/4 1990-01-05:1/3 2001-02-03:1/6 | 0 1 - - 2 - -");
    /* dates by value sort chronologically, not by text */
    /* by value: numbers first (g's bare 2001 is an integer), then dates
     * chronologically, not by text */
    expect(ix, "date", QUARRY_PERIOD_VALUE, NULL,
           "2001:1/4 1989-12-31:1/4 1990-01-05:1/3 1990-04:1/2 "
           "2001-02-03:1/6 | 1 2 3 - 4 - 0");
    /* strings bytewise; the deleted Whig d is not counted */
    expect(ix, "party", QUARRY_PERIOD_VALUE, NULL,
           "Democratic:2/9 Whig:2/6 Zeta:1/4 | 1 0 1 - 0 - 2");
    expect(ix, "score", QUARRY_PERIOD_VALUE, NULL, "2.5:2/6 | - - 0 - - - 0");
    {
        /* a field no document has is an error naming the fields there are */
        quarry_groups *g = NULL;
        CHECK_EQ_INT(quarry_groups_new(env, ix, "missing", QUARRY_PERIOD_VALUE,
                                       NULL, &g),
                     QUARRY_EINVAL);
        CHECK(g == NULL);
        CHECK(strstr(quarry_env_errmsg(env),
                     "no document has a field named 'missing'") != NULL);
    }
    quarry_index_free(ix);
}

static void test_subcorpus(void)
{
    quarry_index *ix = NULL;
    quarry_filter *f = NULL;
    quarry_subcorpus *sc = NULL;
    const char *text = "year>=1990";
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_filter_compile(env, text, strlen(text), &f, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, f, NULL, &sc), QUARRY_OK);
    expect(ix, "party", QUARRY_PERIOD_VALUE, sc,
           "Democratic:2/9 Whig:1/2 | - 0 1 - 0 - -");
    expect(ix, "year", QUARRY_PERIOD_DECADE, sc,
           "1990s:2/5 2000s:1/6 | - 0 0 - 1 - -");
    quarry_subcorpus_free(sc);
    quarry_filter_free(f);
    quarry_index_free(ix);
}

static void test_errors(void)
{
    quarry_index *ix = NULL;
    quarry_groups *g = (quarry_groups *)&g;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(
        quarry_groups_new(env, ix, "party", QUARRY_PERIOD_YEAR, NULL, &g),
        QUARRY_EINVAL);
    CHECK(g == NULL);
    CHECK(strstr(quarry_env_errmsg(env), "party") != NULL);
    CHECK(strstr(quarry_env_errmsg(env), "Whig") != NULL);
    CHECK_EQ_INT(
        quarry_groups_new(env, ix, "year", QUARRY_PERIOD_MONTH, NULL, &g),
        QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "numbers") != NULL);
    CHECK_EQ_INT(quarry_groups_new(env, ix, "year", 9, NULL, &g),
                 QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_groups_new(env, ix, "", 0, NULL, &g), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_groups_new(env, ix, NULL, 0, NULL, &g), QUARRY_EINVAL);
    /* accessors are safe out of range */
    CHECK(quarry_groups_label(NULL, 0) == NULL);
    CHECK_EQ_INT(quarry_groups_count(NULL), 0);
    CHECK_EQ_INT(quarry_groups_of(NULL, 0), SIZE_MAX);
    quarry_groups_free(NULL);
    quarry_index_free(ix);
}

/* The groups outlive the caller's reference to the snapshot. */
static void test_reference(void)
{
    quarry_index *ix = NULL;
    quarry_groups *g = NULL;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(
        quarry_groups_new(env, ix, "party", QUARRY_PERIOD_VALUE, NULL, &g),
        QUARRY_OK);
    quarry_index_free(ix);
    CHECK_EQ_STR(quarry_groups_label(g, 2), "Zeta");
    CHECK(quarry_groups_label(g, 3) == NULL);
    CHECK_EQ_INT(quarry_groups_of(g, 6), 2);
    CHECK_EQ_INT(quarry_groups_of(g, 99), SIZE_MAX);
    quarry_groups_free(g);
}

static void test_alloc_failures(void)
{
    long budget;
    int ok = 0;
    for (budget = 0; budget < 400 && !ok; budget++) {
        tk_fail fl = {-1, 0};
        quarry_env *fenv = NULL;
        quarry_index *ix = NULL;
        quarry_groups *g = NULL;
        int rc;
        CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &fl, &fenv), QUARRY_OK);
        CHECK_EQ_INT(quarry_index_open(fenv, dir, &ix), QUARRY_OK);
        fl.budget = budget;
        rc = quarry_groups_new(fenv, ix, "date", QUARRY_PERIOD_MONTH, NULL, &g);
        if (rc == QUARRY_OK) {
            CHECK_EQ_INT(quarry_groups_count(g), 4);
            CHECK_EQ_STR(quarry_groups_label(g, 3), "2001-02");
            ok = 1;
        } else {
            CHECK(rc == QUARRY_ENOMEM || rc == QUARRY_ECORRUPT);
            CHECK(g == NULL);
        }
        fl.budget = -1;
        quarry_groups_free(g);
        quarry_index_free(ix);
        quarry_env_free(fenv);
    }
    CHECK(ok);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/quarry_test_groups_%ld", (long)getpid());
    tk_rm_rf(dir);
    CHECK_EQ_INT(quarry_env_new(NULL, NULL, &env), QUARRY_OK);
    build();
    RUN(test_periods);
    RUN(test_subcorpus);
    RUN(test_errors);
    RUN(test_reference);
    RUN(test_alloc_failures);
    quarry_env_free(env);
    tk_rm_rf(dir);
    return check_summary();
}
