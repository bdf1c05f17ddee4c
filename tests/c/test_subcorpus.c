/* test_subcorpus.c - subcorpora by filter, by query and by both over a
 * two-segment index with a deletion; token totals; iteration; term kinds. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256];

static void add(quarry_writer *w, const char *source, const char *text,
                const char *year)
{
    quarry_doc *doc = NULL;
    quarry_field f;
    memset(&f, 0, sizeof f);
    f.name = "year";
    f.text = year;
    f.text_len = strlen(year);
    f.type = QUARRY_FIELD_INTEGER;
    f.value.integer = atoi(year);
    CHECK_EQ_INT(
        quarry_doc_new(env, source, 0, text, strlen(text), &f, 1, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

static void build(void)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    uint64_t n = 0;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    add(w, "a", "Peace and growth.", "2001");   /* 4 tokens */
    add(w, "b", "War, war and peace!", "2005"); /* 6 tokens */
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    add(w, "c", "Growth again", "2010");         /* 2 tokens */
    add(w, "d", "Nothing here at all.", "2012"); /* 5 tokens */
    add(w, "e", "peace", "2015");                /* 1 token, deleted */
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_delete_source(w, "e", &n), QUARRY_OK);
    CHECK_EQ_INT((int)n, 1);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

/* The ids in sc joined as "0,2,3" via quarry_subcorpus_next. */
static const char *ids(quarry_index *ix, const quarry_subcorpus *sc)
{
    static char buf[128];
    uint64_t id;
    size_t n = 0;
    buf[0] = 0;
    for (id = quarry_subcorpus_next(sc, 0); id < quarry_index_doc_limit(ix);
         id = quarry_subcorpus_next(sc, id + 1)) {
        CHECK(quarry_subcorpus_contains(sc, id));
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%llu", n ? "," : "",
                              (unsigned long long)id);
    }
    return buf;
}

static quarry_subcorpus *make(quarry_index *ix, const char *filter,
                              const char *query)
{
    quarry_filter *f = NULL;
    quarry_query *q = NULL;
    quarry_subcorpus *sc = NULL;
    if (filter)
        CHECK_EQ_INT(
            quarry_filter_compile(env, filter, strlen(filter), &f, NULL),
            QUARRY_OK);
    if (query)
        CHECK_EQ_INT(quarry_query_compile(env, query, strlen(query), &q, NULL),
                     QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, f, q, &sc), QUARRY_OK);
    quarry_filter_free(f);
    quarry_query_free(q);
    return sc;
}

static void test_selections(void)
{
    quarry_index *ix = NULL;
    quarry_subcorpus *sc;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);

    sc = make(ix, NULL, NULL); /* every live document, the deleted one out */
    CHECK_EQ_STR(ids(ix, sc), "0,1,2,3");
    CHECK_EQ_INT((int)quarry_subcorpus_doc_count(sc), 4);
    CHECK_EQ_INT((int)quarry_subcorpus_token_count(sc), 17);
    CHECK(!quarry_subcorpus_contains(sc, 4));
    CHECK(!quarry_subcorpus_contains(sc, 99));
    quarry_subcorpus_free(sc);

    sc = make(ix, "year>=2005", NULL);
    CHECK_EQ_STR(ids(ix, sc), "1,2,3");
    CHECK_EQ_INT((int)quarry_subcorpus_token_count(sc), 13);
    quarry_subcorpus_free(sc);

    sc = make(ix, NULL, "peace OR growth");
    CHECK_EQ_STR(ids(ix, sc), "0,1,2");
    CHECK_EQ_INT((int)quarry_subcorpus_token_count(sc), 12);
    quarry_subcorpus_free(sc);

    sc = make(ix, "year>2001", "peace OR growth");
    CHECK_EQ_STR(ids(ix, sc), "1,2");
    quarry_subcorpus_free(sc);

    sc = make(ix, "year>3000", NULL);
    CHECK_EQ_STR(ids(ix, sc), "");
    CHECK_EQ_INT((int)quarry_subcorpus_doc_count(sc), 0);
    quarry_subcorpus_free(sc);

    /* NULL is "no restriction" */
    CHECK(quarry_subcorpus_contains(NULL, 3));
    CHECK_EQ_INT((int)quarry_subcorpus_next(NULL, 2), 2);
    quarry_index_free(ix);
}

static void test_alloc_failures(void)
{
    long budget;
    for (budget = 0; budget < 2000; budget++) {
        tk_fail f = {budget, 0};
        quarry_env *e = NULL;
        quarry_index *ix = NULL;
        quarry_query *q = NULL;
        quarry_subcorpus *sc = NULL;
        int rc;
        if (quarry_env_new(tk_failing_alloc, &f, &e) != QUARRY_OK)
            continue;
        if (quarry_index_open(e, dir, &ix) == QUARRY_OK &&
            quarry_query_compile(e, "peace", 5, &q, NULL) == QUARRY_OK) {
            rc = quarry_subcorpus_new(e, ix, NULL, q, &sc);
            CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            if (rc == QUARRY_OK)
                CHECK_EQ_INT((int)quarry_subcorpus_doc_count(sc), 2);
            quarry_subcorpus_free(sc);
        }
        quarry_query_free(q);
        quarry_index_free(ix);
        quarry_env_free(e);
        if (f.budget > 0)
            break;
    }
}

static void test_term_kinds(void)
{
    CHECK_EQ_INT(quarry_term_kind("peace", 5), QUARRY_TOKEN_WORD);
    CHECK_EQ_INT(quarry_term_kind("1,000", 5), QUARRY_TOKEN_NUMBER);
    CHECK_EQ_INT(quarry_term_kind(",", 1), QUARRY_TOKEN_PUNCT);
    CHECK_EQ_INT(quarry_term_kind("$", 1), QUARRY_TOKEN_SYMBOL);
    CHECK_EQ_INT(quarry_term_kind("新", strlen("新")), QUARRY_TOKEN_CJK);
    CHECK_EQ_INT(quarry_term_kind("é", strlen("é")), QUARRY_TOKEN_WORD);
    CHECK_EQ_INT(quarry_term_kind("u.s", 3), QUARRY_TOKEN_WORD);
    CHECK_EQ_INT(quarry_term_kind("。", strlen("。")), QUARRY_TOKEN_PUNCT);
    CHECK_EQ_INT(quarry_term_kind("", 0), 0);
    CHECK_EQ_INT(quarry_term_kind("\xff", 1), QUARRY_TOKEN_SYMBOL);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    snprintf(dir, sizeof dir, "%s/quarry-test-subcorpus-XXXXXX",
             tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    build();
    RUN(test_selections);
    RUN(test_alloc_failures);
    RUN(test_term_kinds);
    tk_rm_rf(dir);
    quarry_env_free(env);
    return check_summary();
}
