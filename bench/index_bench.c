/*
 * index_bench.c - index build against SQLite FTS5, through one driver so
 * that both sides index the same documents and neither pays for the other's
 * parsing (bench/README.md, "Index build").
 *
 *   index_bench MODE SOURCE TARGET [-p NAME_PATTERN] [-n RUNS] [-t THREADS]
 *
 * SOURCE is read completely with quarry_reader before anything is timed
 * (text + sidecar JSON, or the file-name pattern of -p). MODE:
 *
 *   fts5-default  CREATE VIRTUAL TABLE t USING fts5(body); every text
 *                 inserted in one transaction (journal_mode=OFF,
 *                 synchronous=OFF); TARGET is the database file
 *   fts5-tuned    contentless fts5(body, content='', detail=full), pgsz
 *                 32768, hashsize 64 MiB, page_size 32768, cache 256 MiB,
 *                 secure_delete off (Debian builds it on); same pragmas.
 *                 (pgsz 65536, FTS5's documented maximum, makes SQLite
 *                 3.40.1 fail with "database disk image is malformed" on
 *                 the UN corpus with a 16 MiB hash; 65535 works.)
 *                 INDEX_BENCH_PGSZ, INDEX_BENCH_HASHSIZE and
 *                 INDEX_BENCH_PAGE_SIZE override the three numbers
 *   quarry        quarry_writer_open (new index at TARGET) + one
 *                 quarry_writer_add per document + commit + free, with
 *                 -t THREADS tokenizing threads (default 1)
 *   rerun         the same on the existing index at TARGET: every document
 *                 is UNCHANGED (checked)
 *   open          quarry_index_open + quarry_index_free on TARGET, -n RUNS
 *                 times (default 201): median, min, max and the first
 *
 * Prints one line of key=value pairs:
 *   mode docs bytes (text bytes) load_s wall_s cpu_s (process user+sys)
 *   size (bytes on disk after the build) rss_loaded_kb rss_peak_kb, and
 *   per mode: quarry parts (part_<name>=bytes), fts5 table sizes
 *   (dbstat: fts_data, fts_idx, fts_content, fts_docsize, other).
 */
#include "quarry.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "index_bench: %s: %s\n", what, msg ? msg : "");
    exit(2);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system CPU time of the whole process (every thread). */
static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* ---- documents ---------------------------------------------------------- */

static quarry_env *env;
static quarry_doc **docs;
static size_t ndocs, docs_cap;
static uint64_t text_bytes;

static void load(const char *source, const char *pattern)
{
    quarry_read_options ro;
    quarry_reader *rd = NULL;
    quarry_read_event ev;
    int rc;
    memset(&ro, 0, sizeof ro);
    ro.name_pattern = pattern;
    if (quarry_reader_new(env, &ro, &rd) != QUARRY_OK)
        die("reader", quarry_env_errmsg(env));
    if (quarry_reader_add(rd, source) != QUARRY_OK)
        die(source, quarry_reader_errmsg(rd));
    while ((rc = quarry_reader_next(rd, &ev)) == QUARRY_OK) {
        size_t len;
        if (ev.kind == QUARRY_EVENT_ERROR)
            fprintf(stderr, "index_bench: %s: %s\n", ev.path, ev.message);
        if (!ev.doc)
            continue;
        if (ndocs == docs_cap) {
            docs_cap = docs_cap ? docs_cap * 2 : 1024;
            docs = realloc(docs, docs_cap * sizeof *docs);
            if (!docs)
                die("load", "out of memory");
        }
        docs[ndocs++] = ev.doc;
        quarry_doc_text(ev.doc, &len);
        text_bytes += len;
    }
    if (rc != QUARRY_DONE)
        die("reader", quarry_reader_errmsg(rd));
    quarry_reader_free(rd);
    if (ndocs == 0)
        die(source, "no documents");
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* ---- FTS5 --------------------------------------------------------------- */

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        die(sql, err);
}

static void fts5_sizes(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, sqlite3_errmsg(db));
    if (sqlite3_prepare_v2(db,
                           "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name",
                           -1, &st, NULL) != SQLITE_OK)
        die("dbstat", sqlite3_errmsg(db));
    {
        uint64_t data = 0, idx = 0, content = 0, docsize = 0, other = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            uint64_t b = (uint64_t)sqlite3_column_int64(st, 1);
            if (strcmp(name, "t_data") == 0)
                data += b;
            else if (strcmp(name, "t_idx") == 0)
                idx += b;
            else if (strcmp(name, "t_content") == 0)
                content += b;
            else if (strcmp(name, "t_docsize") == 0)
                docsize += b;
            else
                other += b; /* schema, t_config, sqlite_autoindex_* */
        }
        printf(" fts_data=%llu fts_idx=%llu fts_content=%llu fts_docsize=%llu"
               " fts_other=%llu",
               (unsigned long long)data, (unsigned long long)idx,
               (unsigned long long)content, (unsigned long long)docsize,
               (unsigned long long)other);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The tuned settings can be varied for exploration (bench/README.md). */
static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static void run_fts5(const char *path, int tuned)
{
    sqlite3 *db;
    sqlite3_stmt *ins;
    double w0, c0, w1, c1;
    size_t i;

    unlink(path);
    w0 = wall_now();
    c0 = cpu_now();
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, sqlite3_errmsg(db));
    if (tuned) {
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA page_size=%s",
                 env_or("INDEX_BENCH_PAGE_SIZE", "32768"));
        exec(db, sql);
        exec(db, "PRAGMA cache_size=-262144"); /* 256 MiB */
        exec(db, "PRAGMA secure_delete=OFF");
    }
    exec(db, "PRAGMA journal_mode=OFF");
    exec(db, "PRAGMA synchronous=OFF");
    if (tuned) {
        exec(db, "CREATE VIRTUAL TABLE t USING fts5(body, content='', "
                 "detail=full)");
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO t(t, rank) VALUES('pgsz', %s)",
                 env_or("INDEX_BENCH_PGSZ", "32768"));
        exec(db, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO t(t, rank) VALUES('hashsize', %s)",
                 env_or("INDEX_BENCH_HASHSIZE", "67108864"));
        exec(db, sql);
    } else {
        exec(db, "CREATE VIRTUAL TABLE t USING fts5(body)");
    }
    exec(db, "BEGIN");
    if (sqlite3_prepare_v2(db,
                           tuned ? "INSERT INTO t(rowid, body) VALUES(?, ?)"
                                 : "INSERT INTO t(body) VALUES(?)",
                           -1, &ins, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    for (i = 0; i < ndocs; i++) {
        size_t len;
        const char *text = quarry_doc_text(docs[i], &len);
        int k = 1;
        if (tuned)
            sqlite3_bind_int64(ins, k++, (sqlite3_int64)i + 1);
        sqlite3_bind_text(ins, k, text, (int)len, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die("insert", sqlite3_errmsg(db));
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    exec(db, "COMMIT");
    if (sqlite3_close(db) != SQLITE_OK)
        die("close", "");
    w1 = wall_now();
    c1 = cpu_now();
    printf("mode=%s docs=%zu bytes=%llu wall_s=%.4f cpu_s=%.4f size=%llu",
           tuned ? "fts5-tuned" : "fts5-default", ndocs,
           (unsigned long long)text_bytes, w1 - w0, c1 - c0,
           (unsigned long long)file_size(path));
}

/* ---- quarry ------------------------------------------------------------- */

static void print_parts(const char *path)
{
    quarry_index *ix = NULL;
    quarry_index_info info;
    int p;
    if (quarry_index_open(env, path, &ix) != QUARRY_OK)
        die(path, quarry_env_errmsg(env));
    if (quarry_index_info_get(ix, &info) != QUARRY_OK)
        die("info", quarry_index_errmsg(ix));
    printf(" size=%llu segments=%llu tokens=%llu types=%llu",
           (unsigned long long)info.bytes_total,
           (unsigned long long)info.segments, (unsigned long long)info.tokens,
           (unsigned long long)info.types);
    for (p = 0; p < QUARRY_PART_COUNT; p++)
        printf(" part_%s=%llu", quarry_index_part_name(p),
               (unsigned long long)info.bytes[p]);
    quarry_index_free(ix);
}

static void run_quarry(const char *path, unsigned threads, int rerun)
{
    quarry_writer_options o;
    quarry_writer *w = NULL;
    quarry_commit_stats st;
    double w0, c0, wa, w1, c1;
    size_t i, unchanged = 0;

    memset(&o, 0, sizeof o);
    o.threads = threads;
    w0 = wall_now();
    c0 = cpu_now();
    if (quarry_writer_open(env, path, &o, &w) != QUARRY_OK)
        die(path, quarry_env_errmsg(env));
    for (i = 0; i < ndocs; i++) {
        int outcome = 0;
        quarry_doc *d = docs[i];
        docs[i] = NULL; /* the writer owns it now */
        if (quarry_writer_add(w, d, &outcome) != QUARRY_OK)
            die("add", quarry_writer_errmsg(w));
        unchanged += outcome == QUARRY_UNCHANGED;
    }
    wa = wall_now();
    if (quarry_writer_commit(w, &st) != QUARRY_OK)
        die("commit", quarry_writer_errmsg(w));
    quarry_writer_free(w);
    w1 = wall_now();
    c1 = cpu_now();
    if (rerun && unchanged != ndocs) {
        fprintf(stderr, "index_bench: rerun: %zu of %zu unchanged\n", unchanged,
                ndocs);
        exit(2);
    }
    printf("mode=%s threads=%u docs=%zu bytes=%llu wall_s=%.4f cpu_s=%.4f"
           " add_s=%.4f commit_s=%.4f unchanged=%zu",
           rerun ? "rerun" : "quarry", threads, ndocs,
           (unsigned long long)text_bytes, w1 - w0, c1 - c0, wa - w0, w1 - wa,
           unchanged);
    print_parts(path);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run_open(const char *path, int runs)
{
    double *t = malloc((size_t)runs * sizeof *t);
    int i;
    if (!t || runs < 1)
        die("open", "bad run count");
    for (i = 0; i < runs; i++) {
        quarry_index *ix = NULL;
        double t0 = wall_now();
        if (quarry_index_open(env, path, &ix) != QUARRY_OK)
            die(path, quarry_env_errmsg(env));
        quarry_index_free(ix);
        t[i] = wall_now() - t0;
    }
    {
        double first = t[0];
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        printf("mode=open runs=%d median_ms=%.4f min_ms=%.4f max_ms=%.4f"
               " first_ms=%.4f",
               runs, t[runs / 2] * 1e3, t[0] * 1e3, t[runs - 1] * 1e3,
               first * 1e3);
    }
    free(t);
}

int main(int argc, char **argv)
{
    const char *mode, *source, *target, *pattern = NULL;
    int runs = 201, i;
    unsigned threads = 1;
    double t0;
    long rss_loaded;

    if (argc < 4) {
        fprintf(stderr, "usage: index_bench fts5-default|fts5-tuned|quarry|"
                        "rerun|open SOURCE TARGET [-p PATTERN] [-n RUNS] "
                        "[-t THREADS]\n");
        return 2;
    }
    mode = argv[1];
    source = argv[2];
    target = argv[3];
    for (i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-p") == 0)
            pattern = argv[i + 1];
        else if (strcmp(argv[i], "-n") == 0)
            runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-t") == 0)
            threads = (unsigned)atoi(argv[i + 1]);
        else
            die("unknown option", argv[i]);
    }
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 2;

    if (strcmp(mode, "open") == 0) {
        run_open(target, runs);
        printf(" rss_peak_kb=%ld\n", peak_rss_kb());
        quarry_env_free(env);
        return 0;
    }

    t0 = wall_now();
    load(source, pattern);
    {
        double load_s = wall_now() - t0;
        rss_loaded = peak_rss_kb();
        if (strcmp(mode, "fts5-default") == 0)
            run_fts5(target, 0);
        else if (strcmp(mode, "fts5-tuned") == 0)
            run_fts5(target, 1);
        else if (strcmp(mode, "quarry") == 0)
            run_quarry(target, threads, 0);
        else if (strcmp(mode, "rerun") == 0)
            run_quarry(target, threads, 1);
        else
            die("unknown mode", mode);
        printf(" load_s=%.3f rss_loaded_kb=%ld rss_peak_kb=%ld", load_s,
               rss_loaded, peak_rss_kb());
    }
    if (strncmp(mode, "fts5", 4) == 0)
        fts5_sizes(target);
    printf("\n");
    for (i = 0; (size_t)i < ndocs; i++)
        quarry_doc_free(docs[i]);
    free(docs);
    quarry_env_free(env);
    return 0;
}
