/* test_vocab_scan.c - quarry_vocab_scan_* over a small index built here:
 * prefix seeks, full-match regexes, counts, batches, compile errors with
 * their offsets, the reference it holds on the snapshot, and allocation
 * failures. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256];

static void add(quarry_writer *w, const char *source, const char *text)
{
    quarry_doc *doc = NULL;
    CHECK_EQ_INT(
        quarry_doc_new(env, source, 0, text, strlen(text), NULL, 0, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

static void build(void)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    add(w, "a", "The cat sat on the mat. Cats!");
    add(w, "b", "The catalog of cattle; the cat.");
    add(w, "c", "Productivity and productive forces: 新质生产力。");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

/* Runs a scan to the end in batches of n; writes "term:count" joined by
 * spaces into out. Returns the number of terms. */
static size_t collect(quarry_index *ix, const quarry_vocab_scan_options *o,
                      size_t n, char *out, size_t size)
{
    quarry_vocab_scan *s = NULL;
    uint32_t ids[64];
    uint64_t counts[64], docs[64];
    size_t got, total = 0, len = 0, i;
    int rc;
    out[0] = 0;
    CHECK_EQ_INT(quarry_vocab_scan_new(env, ix, o, &s, NULL), QUARRY_OK);
    while ((rc = quarry_vocab_scan_next(s, n, ids, counts, docs, &got)) ==
           QUARRY_OK) {
        CHECK(got > 0 && got <= n);
        for (i = 0; i < got; i++) {
            size_t tl;
            const char *t = quarry_index_term_text(ix, ids[i], &tl, NULL, NULL);
            CHECK(t != NULL);
            CHECK(docs[i] <= counts[i]);
            len += (size_t)snprintf(out + len, size - len, "%s%.*s:%llu",
                                    len ? " " : "", (int)tl, t,
                                    (unsigned long long)counts[i]);
        }
        total += got;
    }
    CHECK_EQ_INT(rc, QUARRY_DONE);
    CHECK_EQ_INT(got, 0);
    /* done stays done */
    CHECK_EQ_INT(quarry_vocab_scan_next(s, n, ids, counts, docs, &got),
                 QUARRY_DONE);
    quarry_vocab_scan_free(s);
    return total;
}

static void test_scans(void)
{
    quarry_index *ix = NULL;
    quarry_vocab_scan_options o;
    char out[4096];
    size_t n;

    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    /* everything, in batches of 1 and 7: the same terms */
    n = collect(ix, NULL, 1, out, sizeof out);
    CHECK_EQ_INT(n, quarry_index_term_count(ix));
    CHECK_EQ_INT(collect(ix, NULL, 7, out, sizeof out), n);

    memset(&o, 0, sizeof o);
    o.prefix = "cat";
    o.prefix_len = 3;
    collect(ix, &o, 2, out, sizeof out);
    CHECK_EQ_STR(out, "cat:2 catalog:1 cats:1 cattle:1");

    o.min_count = 2;
    collect(ix, &o, 64, out, sizeof out);
    CHECK_EQ_STR(out, "cat:2");

    memset(&o, 0, sizeof o);
    o.regex = "cat(s|tle)?";
    o.regex_len = strlen(o.regex);
    collect(ix, &o, 64, out, sizeof out);
    CHECK_EQ_STR(out, "cat:2 cats:1 cattle:1");

    o.regex = "CAT";
    o.regex_len = 3;
    o.caseless = 1;
    collect(ix, &o, 64, out, sizeof out);
    CHECK_EQ_STR(out, "cat:2");

    memset(&o, 0, sizeof o);
    o.prefix = "produ";
    o.prefix_len = 5;
    o.regex = "\\w+ive";
    o.regex_len = strlen(o.regex);
    collect(ix, &o, 64, out, sizeof out);
    CHECK_EQ_STR(out, "productive:1");

    memset(&o, 0, sizeof o);
    o.regex = "[\\x{4e00}-\\x{9fff}]"; /* \p{Han} also matches 。 (script
                                          extensions) */
    o.regex_len = strlen(o.regex);
    o.min_docs = 1;
    CHECK_EQ_INT(collect(ix, &o, 64, out, sizeof out), 5); /* 新 质 生 产 力 */

    memset(&o, 0, sizeof o);
    o.prefix = "zzz";
    o.prefix_len = 3;
    CHECK_EQ_INT(collect(ix, &o, 64, out, sizeof out), 0);
    quarry_index_free(ix);
}

static void test_errors(void)
{
    quarry_index *ix = NULL;
    quarry_vocab_scan *s = (quarry_vocab_scan *)1;
    quarry_vocab_scan_options o;
    size_t pos = 0;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    memset(&o, 0, sizeof o);
    o.regex = "ab(c";
    o.regex_len = 4;
    CHECK_EQ_INT(quarry_vocab_scan_new(env, ix, &o, &s, &pos), QUARRY_ESYNTAX);
    CHECK(s == NULL);
    CHECK_EQ_INT(pos, 4);
    CHECK(strstr(quarry_env_errmsg(env), "regex") != NULL);
    o.regex = "a\xff";
    o.regex_len = 2;
    CHECK_EQ_INT(quarry_vocab_scan_new(env, ix, &o, &s, &pos), QUARRY_ESYNTAX);
    o.regex = NULL;
    o.regex_len = 3;
    CHECK_EQ_INT(quarry_vocab_scan_new(env, ix, &o, &s, &pos), QUARRY_EINVAL);
    quarry_index_free(ix);
}

static void test_reference(void)
{
    /* the scan keeps the snapshot alive after the caller's free */
    quarry_index *ix = NULL;
    quarry_vocab_scan *s = NULL;
    uint32_t ids[4];
    size_t got = 0;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_vocab_scan_new(env, ix, NULL, &s, NULL), QUARRY_OK);
    quarry_index_free(ix);
    CHECK_EQ_INT(quarry_vocab_scan_next(s, 4, ids, NULL, NULL, &got),
                 QUARRY_OK);
    CHECK_EQ_INT(got, 4);
    quarry_vocab_scan_free(s);
}

static tk_fail fail = {-1, 0}; /* the allocator budget of the OOM test */

static void test_allocation_failures(void)
{
    quarry_env *e = NULL;
    quarry_index *ix = NULL;
    quarry_vocab_scan_options o;
    long b;
    int ok = 0;
    CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &fail, &e), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    memset(&o, 0, sizeof o);
    o.regex = "(ca|ma)t+s?";
    o.regex_len = strlen(o.regex);
    o.prefix = "c";
    o.prefix_len = 1;
    for (b = 0; b < 200 && !ok; b++) {
        quarry_vocab_scan *s = NULL;
        int rc;
        fail.budget = b;
        rc = quarry_vocab_scan_new(e, ix, &o, &s, NULL);
        fail.budget = -1;
        if (rc == QUARRY_OK) {
            uint32_t ids[8];
            size_t got = 0;
            CHECK_EQ_INT(quarry_vocab_scan_next(s, 8, ids, NULL, NULL, &got),
                         QUARRY_OK);
            CHECK_EQ_INT(got, 2); /* cat, cats */
            quarry_vocab_scan_free(s);
            ok = 1;
        } else {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            CHECK(s == NULL);
        }
    }
    CHECK(ok);
    quarry_index_free(ix);
    quarry_env_free(e);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    snprintf(dir, sizeof dir, "%s/quarry-test-vscan-XXXXXX",
             tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    strcat(dir, "/ix");
    build();
    RUN(test_scans);
    RUN(test_errors);
    RUN(test_reference);
    RUN(test_allocation_failures);
    tk_rm_rf(dir);
    *strrchr(dir, '/') = 0;
    rmdir(dir);
    quarry_env_free(env);
    return check_summary();
}
