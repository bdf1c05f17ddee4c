/* test_index.c - the index writer and snapshot reader: round trips,
 * incremental updates, deletions, multi-segment snapshots against a
 * single-segment build, optimize, snapshot isolation, the writer lock,
 * tokenizer options, leftovers and corrupt manifests. */
#include "check.h"
#include "manifest.h"
#include "reader_internal.h"
#include "testkit.h"

#include <xxhash.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static quarry_env *env;
static char tmproot[256];
static int dir_counter;

/* A fresh directory name under the test's temporary root. */
static void new_dir(char *out)
{
    snprintf(out, 512, "%s/ix%d", tmproot, ++dir_counter);
}

static quarry_doc *mkdoc(const char *source, uint64_t record, const char *text,
                         int year)
{
    quarry_doc *doc = qi_doc_new(env, source, record, QI_FMT_TEXT);
    CHECK(doc != NULL);
    CHECK(qi_doc_set_text(doc, text, strlen(text)));
    if (year) {
        char buf[16];
        quarry_field v;
        memset(&v, 0, sizeof v);
        v.value.integer = year;
        snprintf(buf, sizeof buf, "%d", year);
        CHECK(qi_doc_set_field(doc, "year", 4, buf, strlen(buf),
                               QUARRY_FIELD_INTEGER, &v, true));
    }
    return doc;
}

static quarry_writer *open_writer(const char *dir, uint64_t memory,
                                  unsigned threads)
{
    quarry_writer_options o;
    quarry_writer *w = NULL;
    int rc;
    memset(&o, 0, sizeof o);
    o.memory = memory;
    o.threads = threads;
    rc = quarry_writer_open(env, dir, &o, &w);
    if (rc != QUARRY_OK)
        fprintf(stderr, "writer_open: %s\n", quarry_env_errmsg(env));
    CHECK_EQ_INT(rc, QUARRY_OK);
    return w;
}

static int add(quarry_writer *w, const char *source, uint64_t record,
               const char *text, int year)
{
    int outcome = -1;
    int rc = quarry_writer_add(w, mkdoc(source, record, text, year), &outcome);
    if (rc != QUARRY_OK)
        fprintf(stderr, "add: %s\n", quarry_writer_errmsg(w));
    CHECK_EQ_INT(rc, QUARRY_OK);
    return outcome;
}

static quarry_index *open_index(const char *dir)
{
    quarry_index *ix = NULL;
    int rc = quarry_index_open(env, dir, &ix);
    if (rc != QUARRY_OK)
        fprintf(stderr, "index_open: %s\n", quarry_env_errmsg(env));
    CHECK_EQ_INT(rc, QUARRY_OK);
    return ix;
}

/* Id of the live document with this key, or UINT64_MAX. */
static uint64_t find_doc(quarry_index *ix, const char *source, uint64_t record)
{
    uint64_t id, n = quarry_index_doc_limit(ix);
    for (id = 0; id < n; id++) {
        quarry_index_doc d;
        if (!quarry_index_doc_live(ix, id))
            continue;
        CHECK_EQ_INT(quarry_index_doc_get(ix, id, &d), QUARRY_OK);
        if (strcmp(d.source, source) == 0 && d.record == record)
            return id;
    }
    return UINT64_MAX;
}

static void check_text(quarry_index *ix, const char *source, uint64_t record,
                       const char *want)
{
    uint64_t id = find_doc(ix, source, record);
    const char *t;
    size_t len;
    CHECK(id != UINT64_MAX);
    if (id == UINT64_MAX)
        return;
    CHECK_EQ_INT(quarry_index_doc_text(ix, id, &t, &len), QUARRY_OK);
    CHECK_EQ_INT(len, strlen(want));
    CHECK(len == strlen(want) && memcmp(t, want, len) == 0);
}

static uint64_t term_count_of(quarry_index *ix, const char *term,
                              uint64_t *docs)
{
    uint64_t count = 0;
    uint32_t id;
    int rc =
        quarry_index_term_lookup(ix, term, strlen(term), &id, &count, docs);
    if (rc == QUARRY_DONE) {
        if (docs)
            *docs = 0;
        return 0;
    }
    CHECK_EQ_INT(rc, QUARRY_OK);
    return count;
}

static void test_roundtrip(void)
{
    char dir[512];
    quarry_writer *w;
    quarry_index *ix;
    quarry_commit_stats st;
    quarry_index_info info;
    quarry_summary_field sf;
    uint64_t docs, id;
    uint32_t ids[16];
    size_t got, len;
    const char *t;

    new_dir(dir);
    w = open_writer(dir, 0, 2);
    /* an empty index is readable as soon as the writer opened it */
    ix = open_index(dir);
    CHECK_EQ_INT(quarry_index_doc_limit(ix), 0);
    CHECK_EQ_INT(quarry_index_term_count(ix), 0);
    quarry_index_free(ix);

    CHECK_EQ_INT(add(w, "a.txt", 0, "The cat sat on the mat.", 2001),
                 QUARRY_ADDED);
    CHECK_EQ_INT(add(w, "b.txt", 0, "A dog. The dog barked!", 2003),
                 QUARRY_ADDED);
    CHECK_EQ_INT(add(w, "c.txt", 0, "新质生产力 and the cat", 1999),
                 QUARRY_ADDED);
    CHECK_EQ_INT(quarry_writer_commit(w, &st), QUARRY_OK);
    CHECK_EQ_INT(st.added, 3);
    CHECK_EQ_INT(st.documents, 3);
    CHECK_EQ_INT(st.generation, 1); /* 0 is the empty index */
    quarry_writer_free(w);

    ix = open_index(dir);
    CHECK_EQ_INT(quarry_index_doc_limit(ix), 3);
    check_text(ix, "a.txt", 0, "The cat sat on the mat.");
    check_text(ix, "c.txt", 0, "新质生产力 and the cat");
    CHECK_EQ_INT(term_count_of(ix, "the", &docs), 4);
    CHECK_EQ_INT(docs, 3);
    CHECK_EQ_INT(term_count_of(ix, "cat", &docs), 2);
    CHECK_EQ_INT(term_count_of(ix, "质", &docs), 1);
    CHECK_EQ_INT(term_count_of(ix, "zebra", NULL), 0);
    /* token ids map back to the texts of the tokens */
    id = find_doc(ix, "a.txt", 0);
    CHECK_EQ_INT(quarry_index_doc_tokens(ix, id, 0, 16, ids, NULL, NULL, &got),
                 QUARRY_OK);
    CHECK_EQ_INT(got, 7);
    t = quarry_index_term_text(ix, ids[1], &len, NULL, NULL);
    CHECK(t && len == 3 && memcmp(t, "cat", 3) == 0);
    t = quarry_index_term_text(ix, ids[6], &len, NULL, NULL);
    CHECK(t && len == 1 && t[0] == '.');
    CHECK_EQ_INT(quarry_index_term_seek(ix, "cat", 3), ids[1]);

    CHECK_EQ_INT(quarry_index_info_get(ix, &info), QUARRY_OK);
    CHECK_EQ_INT(info.documents, 3);
    CHECK_EQ_INT(info.segments, 1);
    CHECK_EQ_INT(info.format_version, QUARRY_FORMAT_VERSION);
    CHECK(info.bytes[QUARRY_PART_MANIFEST] > 0);
    CHECK(info.bytes_total > info.bytes[QUARRY_PART_MANIFEST]);
    CHECK_EQ_INT(info.types, quarry_index_term_count(ix));
    CHECK_EQ_STR(quarry_index_part_name(QUARRY_PART_DELETIONS), "deletions");

    CHECK_EQ_INT(quarry_index_field_count(ix), 1);
    CHECK_EQ_INT(quarry_index_field_get(ix, 0, &sf), QUARRY_OK);
    CHECK_EQ_STR(sf.name, "year");
    CHECK_EQ_INT(sf.type, QUARRY_FIELD_INTEGER);
    CHECK_EQ_INT(sf.count, 3);
    CHECK(sf.num_min == 1999 && sf.num_max == 2003);
    CHECK_EQ_INT(quarry_index_check(ix), QUARRY_OK);
    quarry_index_free(ix);
}

static void test_incremental(void)
{
    char dir[512];
    quarry_writer *w;
    quarry_index *ix, *ix2;
    quarry_commit_stats st;
    quarry_index_info info;
    uint64_t n;

    new_dir(dir);
    w = open_writer(dir, 0, 1);
    add(w, "a.txt", 0, "alpha one", 0);
    add(w, "b.txt", 0, "beta two", 0);
    add(w, "j.jsonl", 1, "rec one", 0);
    add(w, "j.jsonl", 2, "rec two", 0);
    add(w, "j.jsonl", 3, "rec three", 0);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);

    w = open_writer(dir, 0, 2);
    CHECK_EQ_INT(add(w, "a.txt", 0, "alpha one", 0), QUARRY_UNCHANGED);
    CHECK_EQ_INT(add(w, "b.txt", 0, "beta changed", 0), QUARRY_REPLACED);
    CHECK_EQ_INT(add(w, "c.txt", 0, "gamma new", 0), QUARRY_ADDED);
    /* the same key twice in one session: the later one wins */
    CHECK_EQ_INT(add(w, "c.txt", 0, "gamma newer", 0), QUARRY_REPLACED);
    CHECK_EQ_INT(add(w, "j.jsonl", 2, "rec two", 0), QUARRY_UNCHANGED);
    CHECK_EQ_INT(quarry_writer_commit(w, &st), QUARRY_OK);
    CHECK_EQ_INT(st.unchanged, 2);
    CHECK_EQ_INT(st.replaced, 2);
    CHECK_EQ_INT(st.added, 1);
    CHECK_EQ_INT(st.documents, 6);

    ix = open_index(dir);
    check_text(ix, "b.txt", 0, "beta changed");
    check_text(ix, "c.txt", 0, "gamma newer");
    CHECK_EQ_INT(term_count_of(ix, "two", NULL), 1); /* old b.txt is gone */
    CHECK_EQ_INT(term_count_of(ix, "newer", NULL), 1);
    CHECK_EQ_INT(term_count_of(ix, "new", NULL), 0);
    CHECK_EQ_INT(quarry_index_info_get(ix, &info), QUARRY_OK);
    CHECK_EQ_INT(info.documents, 6);
    CHECK(info.deleted >= 1);
    CHECK_EQ_INT(quarry_index_check(ix), QUARRY_OK);

    /* deletions by key and by source */
    CHECK_EQ_INT(quarry_writer_delete_key(w, "j.jsonl", 2, &n), QUARRY_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(quarry_writer_delete_key(w, "j.jsonl", 2, &n), QUARRY_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(quarry_writer_delete_source(w, "j.jsonl", &n), QUARRY_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(quarry_writer_delete_source(w, "c.txt", &n), QUARRY_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(quarry_writer_commit(w, &st), QUARRY_OK);
    CHECK_EQ_INT(st.deleted, 4);
    CHECK_EQ_INT(st.documents, 2);

    /* the older snapshot still sees everything it saw */
    check_text(ix, "j.jsonl", 3, "rec three");
    CHECK_EQ_INT(term_count_of(ix, "rec", NULL), 3);
    ix2 = open_index(dir);
    CHECK_EQ_INT(find_doc(ix2, "j.jsonl", 3), UINT64_MAX);
    CHECK_EQ_INT(term_count_of(ix2, "rec", NULL), 0);
    check_text(ix2, "a.txt", 0, "alpha one");
    CHECK_EQ_INT(quarry_index_info_get(ix2, &info), QUARRY_OK);
    CHECK_EQ_INT(info.documents, 2);
    CHECK_EQ_INT(quarry_index_check(ix2), QUARRY_OK);
    quarry_index_free(ix2);

    /* a deleted key can come back */
    CHECK_EQ_INT(add(w, "c.txt", 0, "gamma newer", 0), QUARRY_ADDED);
    CHECK_EQ_INT(quarry_writer_optimize(w, &st), QUARRY_OK);
    CHECK_EQ_INT(st.segments, 1);
    CHECK_EQ_INT(st.documents, 3);
    quarry_writer_free(w);
    ix2 = open_index(dir);
    CHECK_EQ_INT(quarry_index_info_get(ix2, &info), QUARRY_OK);
    CHECK_EQ_INT(info.documents, 3);
    CHECK_EQ_INT(info.deleted, 0);
    CHECK_EQ_INT(info.segments, 1);
    check_text(ix2, "c.txt", 0, "gamma newer");
    CHECK_EQ_INT(quarry_index_check(ix2), QUARRY_OK);
    quarry_index_free(ix2);

    /* the first snapshot survives the removal of all its files */
    check_text(ix, "j.jsonl", 1, "rec one");
    CHECK_EQ_INT(quarry_index_check(ix), QUARRY_OK);
    quarry_index_free(ix);

    /* a re-open reloads the key map from the merged segment */
    w = open_writer(dir, 0, 1);
    CHECK_EQ_INT(add(w, "c.txt", 0, "gamma newer", 0), QUARRY_UNCHANGED);
    CHECK_EQ_INT(add(w, "a.txt", 0, "alpha one", 0), QUARRY_UNCHANGED);
    {
        /* nothing changed: no new generation */
        quarry_commit_stats st2;
        uint64_t gen;
        CHECK_EQ_INT(quarry_writer_commit(w, &st2), QUARRY_OK);
        gen = st2.generation;
        CHECK_EQ_INT(st2.unchanged, 2);
        CHECK_EQ_INT(quarry_writer_commit(w, &st2), QUARRY_OK);
        CHECK_EQ_INT(st2.generation, gen);
        CHECK_EQ_INT(st2.documents, 3);
    }
    quarry_writer_free(w);
}

/* Deterministic pseudo-random text. */
static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

static void gen_text(char *buf, size_t cap, int words)
{
    static const char *const vocab[] = {"the",     "of",     "and",
                                        "nation",  "people", "war",
                                        "peace",   "trade",  "law",
                                        "union",   "State",  "Congress",
                                        "year",    "great",  "new",
                                        "quality", "forces", "1,000",
                                        "economy", "world",  "free",
                                        "生",      "产",     "力",
                                        "policy",  "it's",   "Fellow-Citizens"};
    size_t len = 0, nv = sizeof vocab / sizeof vocab[0];
    int i;
    buf[0] = '\0';
    for (i = 0; i < words && len + 40 < cap; i++) {
        const char *v = vocab[rnd() % nv];
        int n;
        if (rnd() % 50 == 0)
            n = snprintf(buf + len, cap - len, "w%u ", rnd() % 5000);
        else
            n = snprintf(buf + len, cap - len, "%s%s", v,
                         rnd() % 12 == 0 ? ". " : " ");
        len += (size_t)n;
    }
}

/* Snapshot document id of source in ix (linear: the tests are small). */
static uint64_t id_of_source(quarry_index *ix, const char *source)
{
    uint64_t id;
    for (id = 0; id < quarry_index_doc_limit(ix); id++) {
        quarry_index_doc d;
        if (quarry_index_doc_live(ix, id) &&
            quarry_index_doc_get(ix, id, &d) == QUARRY_OK &&
            strcmp(d.source, source) == 0)
            return id;
    }
    return UINT64_MAX;
}

/* Everything a reader can see, compared between two snapshots: the same
 * term ids with the same texts and counts, and the same documents (matched
 * by source, since merges move documents to the end) with the same term-id
 * streams. */
static void compare_snapshots(quarry_index *a, quarry_index *b)
{
    uint64_t n = quarry_index_term_count(a), i, id;
    static uint32_t ia[4096], ib[4096];
    CHECK_EQ_INT(quarry_index_term_count(b), n);
    for (i = 0; i < n; i++) {
        size_t la = 0, lb = 0;
        uint64_t ca = 0, cb = 0, da = 0, db = 0;
        const char *ta = quarry_index_term_text(a, (uint32_t)i, &la, &ca, &da);
        const char *tb = quarry_index_term_text(b, (uint32_t)i, &lb, &cb, &db);
        CHECK(ta && tb && la == lb && memcmp(ta, tb, la) == 0);
        CHECK(ca == cb && da == db);
        if (!(ta && tb && la == lb && ca == cb && da == db))
            break;
    }
    for (id = 0; id < quarry_index_doc_limit(a); id++) {
        quarry_index_doc da, db;
        size_t ga = 0, gb = 0;
        uint64_t idb;
        if (!quarry_index_doc_live(a, id))
            continue;
        CHECK_EQ_INT(quarry_index_doc_get(a, id, &da), QUARRY_OK);
        idb = id_of_source(b, da.source);
        CHECK(idb != UINT64_MAX);
        if (idb == UINT64_MAX)
            break;
        CHECK_EQ_INT(quarry_index_doc_get(b, idb, &db), QUARRY_OK);
        CHECK_EQ_INT(da.hash, db.hash);
        CHECK_EQ_INT(da.tokens, db.tokens);
        CHECK_EQ_INT(
            quarry_index_doc_tokens(a, id, 0, 4096, ia, NULL, NULL, &ga),
            QUARRY_OK);
        CHECK_EQ_INT(
            quarry_index_doc_tokens(b, idb, 0, 4096, ib, NULL, NULL, &gb),
            QUARRY_OK);
        CHECK(ga == gb && memcmp(ia, ib, ga * sizeof *ia) == 0);
        if (!(ga == gb && memcmp(ia, ib, ga * sizeof *ia) == 0))
            break;
    }
}

static void test_multi_segment(void)
{
    char d1[512], d2[512], d3[512], name[64];
    static char text[8192];
    quarry_writer *w1, *w2, *w3;
    quarry_index *a, *b, *c;
    quarry_index_info info;
    quarry_commit_stats st;
    int i;

    new_dir(d1);
    new_dir(d2);
    new_dir(d3);
    w1 = open_writer(d1, 64 << 10, 2); /* tiny budget: many segments */
    w2 = open_writer(d2, 0, 1);
    w3 = open_writer(d3, 0, 2);
    rng_state = 42;
    for (i = 0; i < 400; i++) {
        snprintf(name, sizeof name, "doc%03d.txt", i);
        gen_text(text, sizeof text, 50 + (int)(rnd() % 600));
        add(w1, name, 0, text, 1900 + i % 120);
        add(w2, name, 0, text, 1900 + i % 120);
        /* w3 gets the same documents over many commits, with deletions
         * and replacements, so its snapshot has deletions and merges */
        add(w3, name, 0, text, 1900 + i % 120);
        if (i % 37 == 5)
            add(w3, name, 0, "to be replaced", 0);
        if (i % 37 == 6) {
            add(w3, name, 7, "to be deleted", 0);
            CHECK_EQ_INT(quarry_writer_delete_key(w3, name, 7, NULL),
                         QUARRY_OK);
        }
        if (i % 37 == 5)
            add(w3, name, 0, text, 1900 + i % 120);
        if (i % 20 == 19)
            CHECK_EQ_INT(quarry_writer_commit(w3, NULL), QUARRY_OK);
    }
    CHECK_EQ_INT(quarry_writer_commit(w1, &st), QUARRY_OK);
    CHECK(st.segments > 2);
    CHECK_EQ_INT(quarry_writer_commit(w2, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w3, NULL), QUARRY_OK);
    a = open_index(d1);
    b = open_index(d2);
    CHECK_EQ_INT(quarry_index_info_get(a, &info), QUARRY_OK);
    CHECK(info.segments > 2);
    CHECK_EQ_INT(info.documents, 400);
    compare_snapshots(a, b);
    CHECK_EQ_INT(quarry_index_check(a), QUARRY_OK);
    quarry_index_free(a);

    /* w3: same live documents but in another order; compare counts */
    c = open_index(d3);
    CHECK_EQ_INT(quarry_index_info_get(c, &info), QUARRY_OK);
    CHECK_EQ_INT(info.documents, 400);
    /* replaced and deleted documents leave their terms in the dictionary
     * (with no live occurrences) until a merge drops them */
    CHECK(quarry_index_term_count(c) >= quarry_index_term_count(b));
    {
        uint64_t n = quarry_index_term_count(b), t;
        for (t = 0; t < n; t++) {
            uint64_t cb, db, cc, dc;
            size_t len;
            const char *tx =
                quarry_index_term_text(b, (uint32_t)t, &len, &cb, &db);
            uint32_t id;
            CHECK_EQ_INT(quarry_index_term_lookup(c, tx, len, &id, &cc, &dc),
                         QUARRY_OK);
            CHECK(cb == cc && db == dc);
            if (cb != cc || db != dc)
                break;
        }
    }
    CHECK_EQ_INT(quarry_index_check(c), QUARRY_OK);
    quarry_index_free(c);

    /* optimize: one segment, same content as the single-segment build */
    CHECK_EQ_INT(quarry_writer_optimize(w1, &st), QUARRY_OK);
    CHECK_EQ_INT(st.segments, 1);
    a = open_index(d1);
    compare_snapshots(a, b);
    quarry_index_free(a);
    CHECK_EQ_INT(quarry_writer_optimize(w3, &st), QUARRY_OK);
    c = open_index(d3);
    CHECK_EQ_INT(quarry_index_info_get(c, &info), QUARRY_OK);
    CHECK_EQ_INT(info.deleted, 0);
    CHECK_EQ_INT(info.segments, 1);
    CHECK_EQ_INT(quarry_index_check(c), QUARRY_OK);
    quarry_index_free(c);
    quarry_index_free(b);
    quarry_writer_free(w1);
    quarry_writer_free(w2);
    quarry_writer_free(w3);
}

static void test_lock_and_options(void)
{
    char dir[512], want[64];
    quarry_writer *w, *w2 = NULL;
    quarry_writer_options o;
    quarry_tokenizer_options t;
    quarry_index *ix;
    int rc;

    new_dir(dir);
    w = open_writer(dir, 0, 1);
    rc = quarry_writer_open(env, dir, NULL, &w2);
    CHECK_EQ_INT(rc, QUARRY_EBUSY);
    CHECK(w2 == NULL);
    snprintf(want, sizeof want, "locked by pid %ld (", (long)getpid());
    CHECK(strstr(quarry_env_errmsg(env), want) != NULL);
    CHECK(strstr(quarry_env_errmsg(env), "test_index") != NULL);
    /* readers never wait for the lock */
    ix = open_index(dir);
    quarry_index_free(ix);
    quarry_writer_free(w);

    memset(&o, 0, sizeof o);
    memset(&t, 0, sizeof t);
    t.flags = QUARRY_TOK_CASE_SENSITIVE;
    o.tokenizer = &t;
    rc = quarry_writer_open(env, dir, &o, &w2);
    CHECK_EQ_INT(rc, QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "flags") != NULL);
    /* the lock was released by the failed open */
    t.flags = 0;
    t.locale = "en";
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w2), QUARRY_OK);
    quarry_writer_free(w2);

    /* a new index records its options; readers report them */
    new_dir(dir);
    t.flags = QUARRY_TOK_SPLIT_HYPHENS;
    t.locale = NULL;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w2), QUARRY_OK);
    CHECK_EQ_INT(add(w2, "h.txt", 0, "Fellow-Citizens", 0), QUARRY_ADDED);
    CHECK_EQ_INT(quarry_writer_commit(w2, NULL), QUARRY_OK);
    quarry_writer_free(w2);
    ix = open_index(dir);
    CHECK_EQ_INT(quarry_index_tokenizer_options(ix)->flags,
                 QUARRY_TOK_SPLIT_HYPHENS);
    CHECK_EQ_INT(term_count_of(ix, "fellow", NULL), 1);
    quarry_index_free(ix);
    /* NULL options mean "as built" */
    CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w2), QUARRY_OK);
    CHECK_EQ_INT(add(w2, "h.txt", 0, "Fellow-Citizens", 0), QUARRY_UNCHANGED);
    quarry_writer_free(w2);

    /* a lexicon is recorded with a hash of its content: editing the file
     * makes the index refuse more documents tokenized differently */
    {
        char lex[600];
        FILE *f;
        new_dir(dir);
        snprintf(lex, sizeof lex, "%s/lexicon.txt", tmproot);
        f = fopen(lex, "w");
        fputs("新质生产力\n", f);
        fclose(f);
        memset(&t, 0, sizeof t);
        t.lexicon = lex;
        CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w2), QUARRY_OK);
        quarry_writer_free(w2);
        CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w2), QUARRY_OK);
        quarry_writer_free(w2);
        f = fopen(lex, "a");
        fputs("生产力\n", f);
        fclose(f);
        CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w2), QUARRY_EINVAL);
        CHECK(strstr(quarry_env_errmsg(env), "changed") != NULL);
        CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w2), QUARRY_EINVAL);
        t.lexicon = NULL;
        CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w2), QUARRY_EINVAL);
        unlink(lex);
        ix = open_index(dir); /* readers do not care */
        CHECK(quarry_index_tokenizer_options(ix)->lexicon != NULL);
        quarry_index_free(ix);
    }
}

static void touch(const char *dir, const char *name)
{
    char p[1024];
    int fd;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, "junk", 4) == 4);
        close(fd);
    }
}

static int exists(const char *dir, const char *name)
{
    char p[1024];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void test_leftovers(void)
{
    char dir[512];
    quarry_writer *w;
    quarry_index *ix;
    new_dir(dir);
    w = open_writer(dir, 0, 1);
    add(w, "a.txt", 0, "kept", 0);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
    touch(dir, "manifest.tmp");
    touch(dir, "seg-00000000000000ff.qseg");
    touch(dir, "seg-0000000000000001.del-99");
    touch(dir, "notes.txt");
    w = open_writer(dir, 0, 1);
    CHECK(!exists(dir, "manifest.tmp"));
    CHECK(!exists(dir, "seg-00000000000000ff.qseg"));
    CHECK(!exists(dir, "seg-0000000000000001.del-99"));
    CHECK(exists(dir, "notes.txt")); /* not ours: left alone */
    CHECK(exists(dir, "seg-0000000000000001.qseg"));
    /* uncommitted work is discarded by free */
    add(w, "b.txt", 0, "dropped", 0);
    quarry_writer_free(w);
    ix = open_index(dir);
    CHECK_EQ_INT(quarry_index_doc_limit(ix), 1);
    quarry_index_free(ix);
}

static void corrupt_byte(const char *dir, const char *name, long off)
{
    char p[1024];
    unsigned char c;
    int fd;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    fd = open(p, O_RDWR);
    CHECK(fd >= 0);
    if (off < 0)
        off += lseek(fd, 0, SEEK_END);
    CHECK(pread(fd, &c, 1, off) == 1);
    c ^= 0x20;
    CHECK(pwrite(fd, &c, 1, off) == 1);
    close(fd);
}

static void test_corrupt_manifest(void)
{
    char dir[512], p[1024];
    quarry_writer *w = NULL;
    quarry_index *ix = NULL;
    struct stat st;
    long i, size;

    new_dir(dir);
    w = open_writer(dir, 0, 1);
    add(w, "a.txt", 0, "some text", 0);
    add(w, "b.txt", 0, "more text", 0);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_delete_key(w, "a.txt", 0, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
    snprintf(p, sizeof p, "%s/manifest", dir);
    CHECK_EQ_INT(stat(p, &st), 0);
    size = (long)st.st_size;
    /* every single bit flip is caught */
    for (i = 0; i < size; i++) {
        corrupt_byte(dir, "manifest", i);
        CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_ECORRUPT);
        corrupt_byte(dir, "manifest", i);
    }
    /* truncation at every length */
    for (i = 0; i < size; i++) {
        CHECK_EQ_INT(truncate(p, i), 0);
        CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_ECORRUPT);
    }
    CHECK(strstr(quarry_env_errmsg(env), "manifest") != NULL);
    CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w), QUARRY_ECORRUPT);
    tk_rm_rf(dir);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_ENOENT);

    /* a corrupt deletion file */
    new_dir(dir);
    w = open_writer(dir, 0, 1);
    add(w, "a.txt", 0, "some text", 0);
    add(w, "b.txt", 0, "more text", 0);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_delete_key(w, "a.txt", 0, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
    snprintf(p, sizeof p, "%s/seg-0000000000000001.del-2", dir);
    CHECK_EQ_INT(stat(p, &st), 0);
    size = (long)st.st_size;
    for (i = 0; i < size; i++) {
        corrupt_byte(dir, "seg-0000000000000001.del-2", i);
        CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_ECORRUPT);
        CHECK(strstr(quarry_env_errmsg(env), "del-2") != NULL);
        corrupt_byte(dir, "seg-0000000000000001.del-2", i);
    }
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    quarry_index_free(ix);
    CHECK_EQ_INT(truncate(p, size - 1), 0);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_ECORRUPT);
    CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w), QUARRY_ECORRUPT);
    CHECK_EQ_INT(unlink(p), 0);
    /* a file the manifest names is missing: corrupt, not "no index" */
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_ECORRUPT);
    CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w), QUARRY_ECORRUPT);

    /* an intact manifest from a newer format version */
    {
        qi_manifest m;
        char err[QI_ERRMSG_SIZE];
        unsigned char *buf;
        FILE *f;
        long n;
        new_dir(dir);
        w = open_writer(dir, 0, 1);
        quarry_writer_free(w);
        snprintf(p, sizeof p, "%s/manifest", dir);
        f = fopen(p, "rb");
        CHECK(f != NULL);
        buf = malloc(4096);
        n = (long)fread(buf, 1, 4096, f);
        fclose(f);
        buf[8] = 2; /* version 2, then a fresh checksum */
        {
            uint64_t h = XXH3_64bits(buf, (size_t)n - 8);
            int k;
            for (k = 0; k < 8; k++)
                buf[n - 8 + k] = (unsigned char)(h >> (8 * k));
        }
        CHECK_EQ_INT(qi_manifest_decode(env, buf, (size_t)n, "m", &m, err),
                     QUARRY_EVERSION);
        f = fopen(p, "wb");
        CHECK(fwrite(buf, 1, (size_t)n, f) == (size_t)n);
        fclose(f);
        free(buf);
        CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_EVERSION);
        CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w), QUARRY_EVERSION);
    }
}

static void test_many_commits_merge(void)
{
    char dir[512], name[64];
    quarry_writer *w;
    quarry_index *ix;
    quarry_commit_stats st;
    quarry_index_info info;
    int i;
    new_dir(dir);
    w = open_writer(dir, 1 << 20, 2);
    for (i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "d%d.txt", i);
        add(w, name, 0, "a small document about trade and peace", i);
        CHECK_EQ_INT(quarry_writer_commit(w, &st), QUARRY_OK);
    }
    /* 100 one-document commits: the tiered policy keeps them few */
    CHECK(st.segments < 16);
    CHECK_EQ_INT(st.documents, 100);
    quarry_writer_free(w);
    ix = open_index(dir);
    CHECK_EQ_INT(quarry_index_info_get(ix, &info), QUARRY_OK);
    CHECK_EQ_INT(info.documents, 100);
    CHECK_EQ_INT(term_count_of(ix, "trade", NULL), 100);
    CHECK_EQ_INT(quarry_index_check(ix), QUARRY_OK);
    quarry_index_free(ix);
}

/* Readers opening while a writer commits, merges and removes files in
 * another thread: every open succeeds (a vanished file makes the reader
 * re-read the manifest) and sees a whole commit. */
typedef struct race_arg {
    char dir[512];
    int done; /* set by the writer thread (atomic builtins) */
    int failures;
} race_arg;

static void *race_writer(void *p)
{
    race_arg *a = p;
    quarry_env *wenv;
    quarry_writer *w;
    quarry_writer_options o;
    char name[64];
    int i;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.memory = 1 << 20;
    if (quarry_env_new(NULL, NULL, &wenv) != QUARRY_OK ||
        quarry_writer_open(wenv, a->dir, &o, &w) != QUARRY_OK) {
        a->failures++;
        __atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
        return NULL;
    }
    for (i = 0; i < 60; i++) {
        quarry_doc *doc;
        snprintf(name, sizeof name, "r%02d.txt", i);
        doc = qi_doc_new(wenv, name, 0, QI_FMT_TEXT);
        if (!doc || !qi_doc_set_text(doc, "race text", 9) ||
            quarry_writer_add(w, doc, NULL) != QUARRY_OK ||
            quarry_writer_commit(w, NULL) != QUARRY_OK)
            a->failures++;
        if (i % 5 == 4 && quarry_writer_optimize(w, NULL) != QUARRY_OK)
            a->failures++;
    }
    quarry_writer_free(w);
    quarry_env_free(wenv);
    __atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_reader_race(void)
{
    static race_arg a;
    pthread_t t;
    quarry_env *renv;
    uint64_t last = 0;
    int opens = 0;
    new_dir(a.dir);
    a.done = 0;
    a.failures = 0;
    quarry_writer_free(open_writer(a.dir, 0, 1)); /* create it */
    CHECK_EQ_INT(quarry_env_new(NULL, NULL, &renv), QUARRY_OK);
    CHECK_EQ_INT(pthread_create(&t, NULL, race_writer, &a), 0);
    while (!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE)) {
        quarry_index *ix = NULL;
        quarry_index_info info;
        int rc = quarry_index_open(renv, a.dir, &ix);
        if (rc != QUARRY_OK)
            fprintf(stderr, "race open: %s\n", quarry_env_errmsg(renv));
        CHECK_EQ_INT(rc, QUARRY_OK);
        if (rc != QUARRY_OK)
            break;
        CHECK_EQ_INT(quarry_index_info_get(ix, &info), QUARRY_OK);
        CHECK(info.documents >= last); /* only adds: never goes back */
        last = info.documents;
        CHECK_EQ_INT(term_count_of(ix, "race", NULL), info.documents);
        quarry_index_free(ix);
        opens++;
    }
    pthread_join(t, NULL);
    CHECK_EQ_INT(a.failures, 0);
    CHECK(opens > 0);
    quarry_env_free(renv);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmproot, sizeof tmproot, "%s/quarry-test-index-XXXXXX",
             tmp ? tmp : "/tmp");
    if (!mkdtemp(tmproot)) {
        perror("mkdtemp");
        return 1;
    }
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_roundtrip);
    RUN(test_incremental);
    RUN(test_multi_segment);
    RUN(test_lock_and_options);
    RUN(test_leftovers);
    RUN(test_corrupt_manifest);
    RUN(test_many_commits_merge);
    RUN(test_reader_race);
    quarry_env_free(env);
    {
        int k;
        char d[512];
        for (k = 1; k <= dir_counter; k++) {
            snprintf(d, sizeof d, "%s/ix%d", tmproot, k);
            tk_rm_rf(d);
        }
        rmdir(tmproot);
    }
    return check_summary();
}
