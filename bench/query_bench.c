/*
 * query_bench.c - query latency in process, quarry against SQLite FTS5, so
 * that neither side pays for process start or output (bench/README.md,
 * "Queries").
 *
 *   query_bench quarry INDEX QUERY [-n RUNS]   compile + search + count every
 *                                              hit (quarry_search_count)
 *   query_bench fts5 DB MATCH [-n RUNS]        SELECT instcount(t) ... MATCH,
 *                                              summed over the rows:
 *                                              documents and every phrase
 *                                              instance (an auxiliary
 *                                              function over xInstCount)
 *   query_bench fts5-docs DB MATCH [-n RUNS]   SELECT count(*) only
 *   query_bench vocab INDEX REGEX [-n RUNS]    regex over the vocabulary
 *                                              (quarry_vocab_scan, all terms)
 *   query_bench kwic INDEX QUERY [-n HITS]     first HITS hits, then one
 *                                              concordance line each
 *                                              (8 tokens a side): lines/s
 *
 * Prints one line of key=value pairs: mode, hits, docs, median_ms, min_ms
 * (over RUNS, default 21, after one warm-up run), or lines and lines_per_s.
 */
#include "quarry.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "query_bench: %s: %s\n", what, msg ? msg : "");
    exit(2);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *mode, long long hits, long long docs, double *ms,
                   int runs)
{
    qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
    printf("mode=%s hits=%lld docs=%lld median_ms=%.3f min_ms=%.3f runs=%d\n",
           mode, hits, docs, ms[runs / 2], ms[0], runs);
}

/* ---- quarry ---- */

static void quarry_count(quarry_env *env, quarry_index *ix, const char *text,
                         uint64_t *hits, uint64_t *docs)
{
    quarry_query *q = NULL;
    quarry_search *s = NULL;
    size_t pos = 0;
    if (quarry_query_compile(env, text, strlen(text), &q, &pos) != QUARRY_OK)
        die("query", quarry_env_errmsg(env));
    if (quarry_search_new(env, ix, q, NULL, &s, &pos) != QUARRY_OK)
        die("search", quarry_env_errmsg(env));
    if (quarry_search_count(s, hits, docs) != QUARRY_OK)
        die("count", quarry_search_errmsg(s));
    quarry_search_free(s);
    quarry_query_free(q);
}

static void run_quarry(const char *path, const char *text, int runs)
{
    quarry_env *env = NULL;
    quarry_index *ix = NULL;
    uint64_t hits = 0, docs = 0;
    double *ms = calloc((size_t)runs, sizeof *ms);
    int i;
    if (!ms || quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        die("env", "out of memory");
    if (quarry_index_open(env, path, &ix) != QUARRY_OK)
        die(path, quarry_env_errmsg(env));
    quarry_count(env, ix, text, &hits, &docs); /* warm-up */
    for (i = 0; i < runs; i++) {
        double t0 = now_ms();
        quarry_count(env, ix, text, &hits, &docs);
        ms[i] = now_ms() - t0;
    }
    report("quarry", (long long)hits, (long long)docs, ms, runs);
    quarry_index_free(ix);
    quarry_env_free(env);
    free(ms);
}

static void run_vocab(const char *path, const char *regex, int runs)
{
    quarry_env *env = NULL;
    quarry_index *ix = NULL;
    double *ms = calloc((size_t)runs, sizeof *ms);
    long long terms = 0;
    int i;
    if (!ms || quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        die("env", "out of memory");
    if (quarry_index_open(env, path, &ix) != QUARRY_OK)
        die(path, quarry_env_errmsg(env));
    for (i = -1; i < runs; i++) {
        quarry_vocab_scan_options o;
        quarry_vocab_scan *s = NULL;
        uint32_t ids[1024];
        size_t got, pos;
        double t0 = now_ms();
        memset(&o, 0, sizeof o);
        o.regex = regex;
        o.regex_len = strlen(regex);
        if (quarry_vocab_scan_new(env, ix, &o, &s, &pos) != QUARRY_OK)
            die("vocab", quarry_env_errmsg(env));
        terms = 0;
        while (quarry_vocab_scan_next(s, 1024, ids, NULL, NULL, &got) ==
               QUARRY_OK)
            terms += (long long)got;
        quarry_vocab_scan_free(s);
        if (i >= 0)
            ms[i] = now_ms() - t0;
    }
    report("vocab", terms, 0, ms, runs);
    quarry_index_free(ix);
    quarry_env_free(env);
    free(ms);
}

static void run_kwic(const char *path, const char *text, int want)
{
    quarry_env *env = NULL;
    quarry_index *ix = NULL;
    quarry_query *q = NULL;
    quarry_search *s = NULL;
    uint64_t *docs = malloc((size_t)want * sizeof *docs);
    uint64_t *firsts = malloc((size_t)want * sizeof *firsts);
    uint64_t *ends = malloc((size_t)want * sizeof *ends);
    quarry_kwic_options o = {QUARRY_KWIC_TOKENS, 8, 8};
    size_t n = 0, got, pos;
    size_t bytes = 0;
    double t0, t;
    if (!docs || !firsts || !ends ||
        quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        die("env", "out of memory");
    if (quarry_index_open(env, path, &ix) != QUARRY_OK)
        die(path, quarry_env_errmsg(env));
    if (quarry_query_compile(env, text, strlen(text), &q, &pos) != QUARRY_OK ||
        quarry_search_new(env, ix, q, NULL, &s, &pos) != QUARRY_OK)
        die("query", quarry_env_errmsg(env));
    while (n < (size_t)want &&
           quarry_search_next(s, (size_t)want - n, docs + n, firsts + n,
                              ends + n, NULL, &got) == QUARRY_OK)
        n += got;
    quarry_search_free(s);
    t0 = now_ms();
    for (size_t i = 0; i < n; i++) {
        quarry_kwic k;
        if (quarry_kwic_get(ix, docs[i], firsts[i], ends[i], &o, &k) !=
            QUARRY_OK)
            die("kwic", quarry_index_errmsg(ix));
        bytes += k.left_len + k.hit_len + k.right_len;
    }
    t = now_ms() - t0;
    printf("mode=kwic lines=%zu ms=%.3f lines_per_s=%.0f bytes=%zu\n", n, t,
           (double)n / (t / 1e3), bytes);
    quarry_query_free(q);
    quarry_index_free(ix);
    quarry_env_free(env);
    free(docs);
    free(firsts);
    free(ends);
}

/* ---- FTS5 ---- */

static void instcount(const Fts5ExtensionApi *api, Fts5Context *ctx,
                      sqlite3_context *out, int n, sqlite3_value **args)
{
    int count = 0;
    (void)n;
    (void)args;
    if (api->xInstCount(ctx, &count) != SQLITE_OK) {
        sqlite3_result_error(out, "xInstCount failed", -1);
        return;
    }
    sqlite3_result_int(out, count);
}

static fts5_api *fts5_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        die("fts5", sqlite3_errmsg(db));
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api)
        die("fts5", "no fts5_api");
    return api;
}

static void run_fts5(const char *path, const char *match, int runs,
                     int positions)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    double *ms = calloc((size_t)runs, sizeof *ms);
    long long docs = 0, hits = 0;
    /* an auxiliary function is only found when called on the table's rows
     * directly (not inside an aggregate, even through a subquery, which the
     * planner flattens): the rows are summed here */
    const char *sql = positions ? "SELECT instcount(t) FROM t WHERE t MATCH ?1"
                                : "SELECT count(*) FROM t WHERE t MATCH ?1";
    int i;
    if (!ms ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(path, db ? sqlite3_errmsg(db) : "cannot open");
    if (positions) {
        fts5_api *api = fts5_of(db);
        if (api->xCreateFunction(api, "instcount", NULL, instcount, NULL) !=
            SQLITE_OK)
            die("fts5", "cannot register instcount");
    }
    sqlite3_exec(db, "PRAGMA cache_size=-262144", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    for (i = -1; i < runs; i++) {
        double t0 = now_ms();
        sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
        docs = hits = 0;
        if (positions) {
            int rc;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                docs++;
                hits += sqlite3_column_int64(st, 0);
            }
            if (rc != SQLITE_DONE)
                die("query", sqlite3_errmsg(db));
        } else {
            if (sqlite3_step(st) != SQLITE_ROW)
                die("query", sqlite3_errmsg(db));
            docs = sqlite3_column_int64(st, 0);
        }
        sqlite3_reset(st);
        if (i >= 0)
            ms[i] = now_ms() - t0;
    }
    report(positions ? "fts5" : "fts5-docs", hits, docs, ms, runs);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(ms);
}

int main(int argc, char **argv)
{
    int runs = 21, i;
    if (argc < 4) {
        fprintf(stderr, "usage: query_bench quarry|fts5|fts5-docs|vocab|kwic "
                        "TARGET QUERY [-n N]\n");
        return 2;
    }
    for (i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-n") == 0)
            runs = atoi(argv[i + 1]);
        else
            die("unknown option", argv[i]);
    }
    if (runs < 1)
        die("-n", "must be >= 1");
    if (strcmp(argv[1], "quarry") == 0)
        run_quarry(argv[2], argv[3], runs);
    else if (strcmp(argv[1], "fts5") == 0)
        run_fts5(argv[2], argv[3], runs, 1);
    else if (strcmp(argv[1], "fts5-docs") == 0)
        run_fts5(argv[2], argv[3], runs, 0);
    else if (strcmp(argv[1], "vocab") == 0)
        run_vocab(argv[2], argv[3], runs);
    else if (strcmp(argv[1], "kwic") == 0)
        run_kwic(argv[2], argv[3], runs);
    else
        die("unknown mode", argv[1]);
    return 0;
}
