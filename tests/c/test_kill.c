/* test_kill.c - crash safety: a child process indexes, replaces and deletes
 * documents over many commits (with a tiny memory budget, so that it is
 * nearly always flushing, committing or merging) and reports each commit
 * on a pipe; the parent kills it with SIGKILL at a random moment, then
 * checks that the index opens, passes quarry_index_check, and holds exactly
 * the documents of the last reported commit (or of the one after it, whose
 * manifest may have landed just before the kill). The next child starts a
 * writer on the same directory, which must clean up the leftovers. */
#include "check.h"
#include "manifest.h"
#include "reader_internal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NKEYS 300
#define KEYS_PER_SOURCE 10
#define MIN_KILLS 50
#define MAX_STEPS 100000

static quarry_env *env;
static char dir[256];

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static void key_of(int k, char *source, uint64_t *record)
{
    snprintf(source, 32, "f%02d.jsonl", k / KEYS_PER_SOURCE);
    *record = (uint64_t)(k % KEYS_PER_SOURCE) + 1;
}

/* The text of document version v (deterministic). */
static size_t make_text(int64_t v, char *buf, size_t cap)
{
    static const char *const words[] = {
        "the",    "union", "state",  "of",     "peace", "war",
        "trade",  "law",   "people", "nation", "year",  "new",
        "forces", "生",    "产",     "力",     "."};
    uint64_t s = (uint64_t)v * 7919u + 1;
    size_t len = 0, n = 20 + rng_next(&s) % 300, i;
    len += (size_t)snprintf(buf, cap, "v%lld ", (long long)v);
    for (i = 0; i < n && len + 16 < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s ",
                                words[rng_next(&s) % 17]);
    return len;
}

/* The operations of step s, applied to a model (version per key, -1 for
 * absent) and, if w is not NULL, to a writer. */
static int run_step(int64_t s, int64_t *version, quarry_writer *w)
{
    uint64_t r = (uint64_t)s * 2654435761u + 17;
    static char text[8192];
    char source[32];
    uint64_t record;
    int i, n;
    n = 2 + (int)(rng_next(&r) % 8);
    for (i = 0; i < n; i++) {
        int k = (int)(rng_next(&r) % NKEYS);
        version[k] = s * 100 + i;
        if (w) {
            size_t len = make_text(version[k], text, sizeof text);
            quarry_doc *doc;
            key_of(k, source, &record);
            doc = qi_doc_new(env, source, record, QI_FMT_JSONL);
            if (!doc || !qi_doc_set_text(doc, text, len) ||
                quarry_writer_add(w, doc, NULL) != QUARRY_OK)
                return -1;
        }
    }
    n = (int)(rng_next(&r) % 3);
    for (i = 0; i < n; i++) {
        int k = (int)(rng_next(&r) % NKEYS);
        version[k] = -1;
        key_of(k, source, &record);
        if (w && quarry_writer_delete_key(w, source, record, NULL) != QUARRY_OK)
            return -1;
    }
    if (s % 5 == 4) {
        int src = (int)(rng_next(&r) % (NKEYS / KEYS_PER_SOURCE));
        for (i = 0; i < KEYS_PER_SOURCE; i++)
            version[src * KEYS_PER_SOURCE + i] = -1;
        snprintf(source, sizeof source, "f%02d.jsonl", src);
        if (w && quarry_writer_delete_source(w, source, NULL) != QUARRY_OK)
            return -1;
    }
    return 0;
}

static void model_at(int64_t last, int64_t *version)
{
    int64_t s;
    int k;
    for (k = 0; k < NKEYS; k++)
        version[k] = -1;
    for (s = 0; s <= last; s++)
        run_step(s, version, NULL);
}

/* The child: steps from `from` on, a commit each, reported on fd. */
static void child(int fd, int64_t from)
{
    quarry_writer_options o;
    quarry_writer *w;
    int64_t version[NKEYS], s;
    memset(&o, 0, sizeof o);
    o.memory = 48 << 10; /* flush every few documents */
    o.threads = 2;
    if (quarry_writer_open(env, dir, &o, &w) != QUARRY_OK) {
        fprintf(stderr, "child: open: %s\n", quarry_env_errmsg(env));
        _exit(3);
    }
    for (s = from; s < MAX_STEPS; s++) {
        if (run_step(s, version, w) != 0 ||
            quarry_writer_commit(w, NULL) != QUARRY_OK) {
            fprintf(stderr, "child: step %lld: %s\n", (long long)s,
                    quarry_writer_errmsg(w));
            _exit(4);
        }
        if (write(fd, &s, sizeof s) != (ssize_t)sizeof s)
            _exit(5);
        if (s % 16 == 15 && quarry_writer_optimize(w, NULL) != QUARRY_OK)
            _exit(6);
    }
    quarry_writer_free(w);
    _exit(0);
}

/* 1 if the index holds exactly the documents of model version[]. */
static int matches(quarry_index *ix, const int64_t *version)
{
    static char text[8192];
    uint64_t id, n = quarry_index_doc_limit(ix), live = 0;
    int k, want = 0;
    for (k = 0; k < NKEYS; k++)
        want += version[k] >= 0;
    for (id = 0; id < n; id++) {
        quarry_index_doc d;
        const char *t;
        size_t len, tl;
        int src;
        if (!quarry_index_doc_live(ix, id))
            continue;
        live++;
        if (quarry_index_doc_get(ix, id, &d) != QUARRY_OK ||
            sscanf(d.source, "f%d.jsonl", &src) != 1 || d.record < 1 ||
            d.record > KEYS_PER_SOURCE)
            return 0;
        k = src * KEYS_PER_SOURCE + (int)d.record - 1;
        if (k < 0 || k >= NKEYS || version[k] < 0)
            return 0;
        if (quarry_index_doc_text(ix, id, &t, &len) != QUARRY_OK)
            return 0;
        tl = make_text(version[k], text, sizeof text);
        if (tl != len || memcmp(t, text, len) != 0)
            return 0;
    }
    return live == (uint64_t)want;
}

/* Files in the directory that the manifest does not name: temporary
 * files and segment or deletion files of an interrupted commit. */
static int count_leftovers(void)
{
    qi_manifest m;
    DIR *d;
    struct dirent *de;
    char errmsg[QI_ERRMSG_SIZE];
    int n = 0;
    if (qi_manifest_read(env, dir, &m, errmsg) != QUARRY_OK)
        return 0;
    d = opendir(dir);
    while (d && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        unsigned long long id, gen = 0;
        int named = 0;
        size_t i;
        if (strstr(name, ".tmp")) {
            n++;
            continue;
        }
        if (sscanf(name, "seg-%16llx.", &id) != 1)
            continue;
        if (strstr(name, ".del-"))
            gen = strtoull(strstr(name, ".del-") + 5, NULL, 10);
        for (i = 0; i < m.nsegs; i++)
            if (m.segs[i].id == id && (gen == 0 || m.segs[i].del_gen == gen))
                named = 1;
        n += !named;
    }
    if (d)
        closedir(d);
    qi_manifest_clear(env, &m);
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t last_reported = -1;

static void verify(int round)
{
    static int64_t version[NKEYS];
    quarry_index *ix = NULL;
    int rc = quarry_index_open(env, dir, &ix), ok;
    if (rc == QUARRY_ENOENT && last_reported < 0)
        return; /* killed before the first writer created the index */
    if (rc != QUARRY_OK) {
        fprintf(stderr, "round %d: open: %s\n", round, quarry_env_errmsg(env));
        CHECK_EQ_INT(rc, QUARRY_OK);
        return;
    }
    rc = quarry_index_check(ix);
    if (rc != QUARRY_OK)
        fprintf(stderr, "round %d: check: %s\n", round,
                quarry_index_errmsg(ix));
    CHECK_EQ_INT(rc, QUARRY_OK);
    model_at(last_reported, version);
    ok = matches(ix, version);
    if (!ok) {
        /* the commit in flight may have landed before the kill */
        model_at(last_reported + 1, version);
        ok = matches(ix, version);
        if (ok)
            last_reported++;
    }
    if (!ok)
        fprintf(stderr, "round %d: index differs from commit %lld and %lld\n",
                round, (long long)last_reported, (long long)last_reported + 1);
    CHECK(ok);
    quarry_index_free(ix);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    double t0 = now(),
           budget = 55.0; /* stay under a minute even on a loaded machine */
    int kills = 0, rounds = 0, with_leftovers = 0;
    char cmd[512];
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    const char *se = getenv("QUARRY_KILL_SEED");

    if (se)
        seed = (unsigned)strtoul(se, NULL, 10);
    srand(seed);
    snprintf(dir, sizeof dir, "%s/quarry-test-kill-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir) || quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    strcat(dir, "/ix");

    while (kills < MIN_KILLS && now() - t0 < budget) {
        int fds[2], status;
        pid_t pid;
        int64_t s;
        long delay;
        if (pipe(fds) != 0)
            return 1;
        pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(fds[0]);
            child(fds[1], last_reported + 1);
        }
        close(fds[1]);
        rounds++;
        /* random moment: anywhere in the first ~300 ms of the child's life
         * (open, flushes, commits, merges, optimize) */
        delay = 1000 + rand() % 300000;
        usleep((useconds_t)delay);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            kills++;
        else
            fprintf(stderr, "round %d: child ended with status %d\n", rounds,
                    status);
        while (read(fds[0], &s, sizeof s) == (ssize_t)sizeof s)
            last_reported = s;
        close(fds[0]);
        if (count_leftovers())
            with_leftovers++;
        if (access(dir, F_OK) == 0)
            verify(rounds);
    }
    CHECK(kills >= MIN_KILLS);

    /* A writer started on the survivor cleans up and carries on. */
    {
        quarry_writer *w;
        int64_t version[NKEYS];
        CHECK_EQ_INT(quarry_writer_open(env, dir, NULL, &w), QUARRY_OK);
        CHECK_EQ_INT(count_leftovers(), 0);
        model_at(last_reported, version);
        CHECK_EQ_INT(run_step(last_reported + 1, version, w), 0);
        CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
        quarry_writer_free(w);
        last_reported++;
        verify(rounds + 1);
    }
    printf("seed %u: %d kills in %d rounds, %lld commits survived, %d kills "
           "left uncommitted files, %.1f s\n",
           seed, kills, rounds, (long long)last_reported + 1, with_leftovers,
           now() - t0);
    quarry_env_free(env);
    snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strlen(dir) - 3), dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
