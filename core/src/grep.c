/*
 * grep.c - the raw scan of files (quarry_grep_files).
 *
 * A small pool of threads, each with its own compiled regex, takes files in
 * order. A small file is read and scanned whole; a large one (over 8 MiB)
 * is mapped by the worker that opens it and split into ~8 MiB parts, queued
 * for every worker to take (each part owns the lines that start inside
 * it, so no line is cut or scanned twice). Sizes are learnt from the open
 * file: the calling thread stats nothing. Hits are buffered per part; the
 * calling thread delivers them strictly in file and offset order, adding
 * the line counts of earlier parts to make line numbers absolute. Workers
 * may open at most a window of files ahead of delivery, which bounds the
 * memory held by buffered hits.
 *
 * Worker threads allocate (file buffers, hit lists) through the env's
 * allocator, which must therefore be thread-safe when threads > 1.
 */
#define _GNU_SOURCE /* memrchr */
#include "regex.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_BYTES ((uint64_t)8 << 20)
/* grep tools call a file binary when its start holds a NUL byte */
#define BINARY_PROBE 8192
#define MAX_THREADS 64
/* how far workers may run ahead of delivery: enough that many small files
 * do not make them wait on the calling thread at every task */
#define TASKS_AHEAD_PER_THREAD 64
/* tasks the calling thread lets finish before it wakes to deliver them
 * (well below the window, so workers never wait for it meanwhile) */
#define EMIT_BATCH 32

typedef struct grep_rec {
    uint64_t start, end;
    uint64_t line; /* 0-based, relative to the part's first line */
    uint64_t line_start;
    size_t line_off; /* of the line's copy in the part's arena */
    size_t line_len;
} grep_rec;

/* What the scan of one range found: a whole small file, or one ~8 MiB
 * part of a large one. */
typedef struct grep_part {
    uint64_t off, end; /* nominal byte range in the file */
    int status;
    int err_errno;
    char *msg; /* QI_ERRMSG_SIZE bytes once a regex error happened */
    uint64_t error_line;
    uint64_t hits, newlines, bytes;
    grep_rec *recs;
    size_t nrecs, cap;
    qi_buf lines;
    uint64_t last_line_start;
    int has_line;
    const char *base; /* the buffer being scanned (during the scan) */
    quarry_env *env;
} grep_part;

/* One file. Its size is only known once a worker opens it: a large file
 * is then mapped and split into parts that every worker may take. */
typedef struct grep_task {
    size_t file;
    int done; /* every part scanned */
    grep_part whole;
    grep_part *parts; /* NULL unless split */
    size_t nparts, next_part, parts_done;
    char *map;
    size_t map_size;
    struct grep_task *next_split; /* queue of tasks with parts to take */
} grep_task;

typedef struct grep_run {
    quarry_env *env;
    const char *const *paths;
    int want_lines;
    int skip_binary;
    int split_files;
    grep_task *tasks;
    size_t ntasks;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    int threaded;
    size_t next_task; /* the next file a worker opens */
    size_t emitted;   /* files delivered so far */
    size_t window;
    size_t awaited;   /* the task the calling thread waits for, or SIZE_MAX */
    unsigned idle;    /* workers waiting for work */
    unsigned opening; /* files being opened: they may still be split */
    grep_task *splits, *splits_tail;
    int stop;
} grep_run;

typedef struct grep_worker {
    grep_run *run;
    quarry_regex *re;
    qi_buf buf; /* contents of small files, reused */
    pthread_t thread;
} grep_worker;

static void lock(grep_run *run)
{
    if (run->threaded)
        pthread_mutex_lock(&run->mu);
}

static void unlock(grep_run *run)
{
    if (run->threaded)
        pthread_mutex_unlock(&run->mu);
}

static uint64_t newlines_in(const char *text, size_t from, size_t to)
{
    uint64_t n = 0;
    const char *p = text + from, *stop = text + to;
    while (p < stop && (p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* ---- scanning ----------------------------------------------------------- */

static int collect_hit(void *ud, size_t start, size_t end, uint64_t line,
                       size_t line_start, size_t line_end)
{
    grep_part *t = ud;
    grep_rec *r;
    void *data = t->recs;
    if (!qi_array_reserve(t->env, &data, &t->cap, t->nrecs + 1, sizeof *r))
        return QUARRY_ENOMEM;
    t->recs = data;
    r = &t->recs[t->nrecs];
    if (!t->has_line || t->last_line_start != line_start) {
        size_t off = t->lines.len;
        if (!qi_buf_append(t->env, &t->lines, t->base + line_start,
                           line_end - line_start))
            return QUARRY_ENOMEM;
        t->last_line_start = line_start;
        t->has_line = 1;
        r->line_off = off;
    } else {
        r->line_off = t->recs[t->nrecs - 1].line_off;
    }
    r->start = start;
    r->end = end;
    r->line = line;
    r->line_start = line_start;
    r->line_len = line_end - line_start;
    t->nrecs++;
    return 0;
}

/* Reads the rest of a file of about size bytes into b; returns 0 or an
 * errno value. With room for one byte more than fstat said, a short read
 * ends the file without another system call. */
static int read_whole(quarry_env *env, int fd, size_t size, qi_buf *b)
{
    b->len = 0;
    if (!qi_buf_reserve(env, b, size + 1))
        return ENOMEM;
    for (;;) {
        size_t room;
        ssize_t got;
        if (b->cap - b->len < 4096 && !qi_buf_reserve(env, b, 65536))
            return ENOMEM;
        room = b->cap - b->len;
        got = read(fd, b->data + b->len, room);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        b->len += (size_t)got;
        if ((size_t)got < room)
            return 0;
    }
}

/* The first line start at or after pos (size if none). */
static size_t line_start_from(const char *text, size_t size, uint64_t pos)
{
    const char *nl;
    if (pos == 0)
        return 0;
    if (pos >= size)
        return size;
    nl = memchr(text + pos - 1, '\n', size - (size_t)(pos - 1));
    return nl ? (size_t)(nl - text) + 1 : size;
}

/* Scans the lines of text that start in the part's nominal range. */
static void part_scan(grep_worker *w, grep_part *t, const char *text,
                      size_t size)
{
    grep_run *run = w->run;
    size_t from = line_start_from(text, size, t->off);
    size_t to = t->end >= size ? size : line_start_from(text, size, t->end);
    qi_grep_scan_result r;
    int rc;
    if (run->skip_binary &&
        memchr(text, 0, size < BINARY_PROBE ? size : BINARY_PROBE))
        return;
    t->env = run->env;
    t->bytes = to - from;
    t->base = text;
    rc = qi_grep_scan(w->re, text, from, to, run->want_lines,
                      run->want_lines ? collect_hit : NULL, t, &r);
    t->hits = r.hits;
    t->newlines = r.newlines;
    if (rc == QUARRY_OK)
        return;
    t->status = rc;
    t->error_line = r.error_line;
    if (run->want_lines)
        t->newlines = newlines_in(text, from, to);
    t->msg = qi_alloc(t->env, QI_ERRMSG_SIZE);
    if (t->msg)
        memcpy(t->msg, w->re->errmsg, QI_ERRMSG_SIZE);
}

static void set_error(grep_part *t, int err)
{
    t->status = err == ENOENT   ? QUARRY_ENOENT
                : err == ENOMEM ? QUARRY_ENOMEM
                                : QUARRY_EIO;
    t->err_errno = err;
}

/* Marks t done and wakes the calling thread if it waits for t. */
static void task_done(grep_run *run, grep_task *t)
{
    lock(run);
    t->done = 1;
    /* wake-ups cost more than small files: only for the awaited one */
    if (run->threaded && run->awaited == (size_t)(t - run->tasks))
        pthread_cond_signal(&run->done_cv);
    unlock(run);
}

/* Scans part p of split task t; the last part to finish unmaps the file. */
static void part_run(grep_worker *w, grep_task *t, size_t p)
{
    grep_run *run = w->run;
    int last;
    part_scan(w, &t->parts[p], t->map, t->map_size);
    lock(run);
    last = ++t->parts_done == t->nparts;
    unlock(run);
    if (last) {
        munmap(t->map, t->map_size);
        t->map = NULL;
        task_done(run, t);
    }
}

/* Splits a large file into parts and queues them for every worker. */
static int split(grep_run *run, grep_task *t, int fd, size_t size)
{
    size_t n = (size_t)((size + CHUNK_BYTES - 1) / CHUNK_BYTES), i;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return errno;
    t->parts = qi_calloc(run->env, n, sizeof *t->parts);
    if (!t->parts) {
        munmap(map, size);
        return ENOMEM;
    }
    for (i = 0; i < n; i++) {
        t->parts[i].off = (uint64_t)i * CHUNK_BYTES;
        t->parts[i].end = (uint64_t)(i + 1) * CHUNK_BYTES;
    }
    t->map = map;
    t->map_size = size;
    lock(run);
    t->nparts = n;
    if (run->splits_tail)
        run->splits_tail->next_split = t;
    else
        run->splits = t;
    run->splits_tail = t;
    if (run->threaded && run->idle)
        pthread_cond_broadcast(&run->work_cv);
    unlock(run);
    return 0;
}

/* Opens file task t: scans it whole, or splits it (its parts are then
 * taken from the queue, by this worker too). */
static void task_open(grep_worker *w, grep_task *t)
{
    grep_run *run = w->run;
    struct stat st;
    int fd = open(run->paths[t->file], O_RDONLY | O_CLOEXEC), err = 0;
    if (fd < 0) {
        set_error(&t->whole, errno);
        task_done(run, t);
        return;
    }
    if (fstat(fd, &st) != 0) {
        err = errno;
    } else if (S_ISDIR(st.st_mode)) {
        err = EISDIR;
    } else if (run->split_files && S_ISREG(st.st_mode) &&
               (uint64_t)st.st_size > CHUNK_BYTES) {
        err = split(run, t, fd, (size_t)st.st_size);
        if (!err) {
            close(fd);
            return;
        }
    } else {
        err = read_whole(run->env, fd, (size_t)st.st_size, &w->buf);
        if (!err) {
            t->whole.off = 0;
            t->whole.end = UINT64_MAX;
            part_scan(w, &t->whole, w->buf.data ? w->buf.data : "", w->buf.len);
        }
    }
    if (err)
        set_error(&t->whole, err);
    close(fd);
    task_done(run, t);
}

static void part_release(quarry_env *env, grep_part *t)
{
    if (t->recs)
        qi_free(env, t->recs, t->cap * sizeof *t->recs);
    t->recs = NULL;
    t->nrecs = t->cap = 0;
    qi_buf_free(env, &t->lines);
    if (t->msg)
        qi_free(env, t->msg, QI_ERRMSG_SIZE);
    t->msg = NULL;
}

static void task_release(quarry_env *env, grep_task *t)
{
    size_t i;
    part_release(env, &t->whole);
    for (i = 0; i < t->nparts; i++)
        part_release(env, &t->parts[i]);
    if (t->parts)
        qi_free(env, t->parts, t->nparts * sizeof *t->parts);
    t->parts = NULL;
    t->nparts = 0;
    if (t->map)
        munmap(t->map, t->map_size);
    t->map = NULL;
}

/* ---- the pool ----------------------------------------------------------- */

/* Takes the next part of a split file (under the lock); NULL if none. */
static grep_task *take_part(grep_run *run, size_t *p)
{
    while (run->splits) {
        grep_task *t = run->splits;
        if (t->next_part < t->nparts) {
            *p = t->next_part++;
            return t;
        }
        run->splits = t->next_split;
        if (!run->splits)
            run->splits_tail = NULL;
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    grep_worker *w = arg;
    grep_run *run = w->run;
    for (;;) {
        grep_task *t;
        size_t p = 0;
        int skip;
        pthread_mutex_lock(&run->mu);
        for (;;) {
            if ((t = take_part(run, &p)) != NULL)
                break;
            if (run->next_task < run->ntasks &&
                (run->next_task < run->emitted + run->window || run->stop)) {
                t = &run->tasks[run->next_task++];
                p = SIZE_MAX;
                run->opening++;
                break;
            }
            if (run->next_task >= run->ntasks && run->opening == 0)
                break;
            run->idle++;
            pthread_cond_wait(&run->work_cv, &run->mu);
            run->idle--;
        }
        skip = run->stop;
        pthread_mutex_unlock(&run->mu);
        if (!t)
            return NULL;
        if (p != SIZE_MAX) {
            part_run(w, t, p); /* the parts of a stopped scan finish too */
            continue;
        }
        if (skip)
            task_done(run, t);
        else
            task_open(w, t);
        pthread_mutex_lock(&run->mu);
        run->opening--;
        /* the last files opened decide whether idle workers may leave */
        if (run->idle && run->next_task >= run->ntasks)
            pthread_cond_broadcast(&run->work_cv);
        pthread_mutex_unlock(&run->mu);
    }
}

/* ---- delivery ----------------------------------------------------------- */

typedef struct grep_emit {
    uint64_t line0;  /* newlines of the file's earlier parts */
    int first_error; /* status of the first failure */
    size_t errors;   /* files with a failure */
} grep_emit;

static void note_error(grep_run *run, grep_emit *em, size_t file,
                       const grep_part *t)
{
    const char *path = run->paths[file];
    em->errors++;
    if (em->first_error)
        return;
    em->first_error = t->status;
    if (t->status == QUARRY_ELIMIT || t->msg)
        qi_set_error(run->env->errmsg, "%s:%llu: %s", path,
                     (unsigned long long)(em->line0 + t->error_line + 1),
                     t->msg ? t->msg : "match limit");
    else if (t->status == QUARRY_ENOMEM)
        qi_set_error(run->env->errmsg, "%s: out of memory", path);
    else
        qi_set_error(run->env->errmsg, "%s: %s", path, strerror(t->err_errno));
}

/* Delivers part t of file; returns 1 when fn asked to stop. */
static int emit_part(grep_run *run, grep_emit *em, size_t file,
                     const grep_part *t, quarry_grep_fn fn, void *ud,
                     quarry_grep_counts *counts, int *failed)
{
    size_t i;
    int stop = 0;
    if (t->status != QUARRY_OK && !*failed) {
        note_error(run, em, file, t);
        *failed = 1;
    }
    counts->bytes += t->bytes;
    if (!fn || !run->want_lines) {
        counts->hits += t->hits;
    } else {
        for (i = 0; i < t->nrecs && !stop; i++) {
            const grep_rec *r = &t->recs[i];
            quarry_grep_hit h;
            memset(&h, 0, sizeof h);
            h.source = file;
            h.start = r->start;
            h.end = r->end;
            h.line = em->line0 + r->line + 1;
            h.line_text = t->lines.data ? t->lines.data + r->line_off : "";
            h.line_len = r->line_len;
            h.line_start = r->line_start;
            counts->hits++;
            stop = fn(ud, &h) != 0;
        }
    }
    em->line0 += t->newlines;
    return stop;
}

/* Delivers file task t; returns 1 when fn asked to stop. */
static int emit(grep_run *run, grep_emit *em, grep_task *t, quarry_grep_fn fn,
                void *ud, quarry_grep_counts *counts)
{
    size_t i;
    int stop = 0, failed = 0, matched = t->whole.hits > 0;
    em->line0 = 0;
    stop = emit_part(run, em, t->file, &t->whole, fn, ud, counts, &failed);
    for (i = 0; i < t->nparts && !stop; i++) {
        matched |= t->parts[i].hits > 0;
        stop =
            emit_part(run, em, t->file, &t->parts[i], fn, ud, counts, &failed);
    }
    if (matched)
        counts->files++;
    task_release(run->env, t);
    return stop;
}

/* ---- setup -------------------------------------------------------------- */

static unsigned thread_count(const quarry_grep_options *opts, size_t ntasks)
{
    long online;
    unsigned n = opts ? opts->threads : 0;
    if (n == 0) {
        online = sysconf(_SC_NPROCESSORS_ONLN);
        n = online > 0 ? (unsigned)online : 1;
    }
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    /* one large file still gives work to every thread (its parts) */
    if (ntasks == 0)
        n = 1;
    return n;
}

static void free_workers(quarry_env *env, grep_worker *w, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++) {
        quarry_regex_free(w[i].re);
        qi_buf_free(env, &w[i].buf);
    }
    qi_free(env, w, n * sizeof *w);
}

/* Runs every task on the calling thread, delivering as it goes. */
static int run_inline(grep_run *run, grep_worker *w, grep_emit *em,
                      quarry_grep_fn fn, void *ud, quarry_grep_counts *counts)
{
    size_t i, p = 0;
    for (i = 0; i < run->ntasks; i++) {
        grep_task *t = &run->tasks[i];
        task_open(w, t);
        while (take_part(run, &p) == t)
            part_run(w, t, p);
        if (emit(run, em, t, fn, ud, counts))
            return 1;
    }
    return 0;
}

static int run_pool(grep_run *run, grep_worker *w, unsigned n, grep_emit *em,
                    quarry_grep_fn fn, void *ud, quarry_grep_counts *counts)
{
    unsigned started = 0, i;
    size_t k;
    int rc = QUARRY_OK;
    pthread_mutex_init(&run->mu, NULL);
    pthread_cond_init(&run->work_cv, NULL);
    pthread_cond_init(&run->done_cv, NULL);
    run->threaded = 1;
    run->window = (size_t)n * TASKS_AHEAD_PER_THREAD;
    run->awaited = SIZE_MAX;
    for (i = 0; i < n; i++) {
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
            break;
        started++;
    }
    if (started == 0) {
        qi_set_error(run->env->errmsg, "grep: cannot start a thread");
        rc = QUARRY_EIO;
    }
    for (k = 0; k < run->ntasks && started; k++) {
        grep_task *t = &run->tasks[k];
        int stop;
        pthread_mutex_lock(&run->mu);
        if (!t->done) {
            /* sleep until a batch is ready rather than once per task:
             * small files would cost a context switch each */
            size_t target = k + EMIT_BATCH - 1;
            if (target >= run->ntasks)
                target = run->ntasks - 1;
            run->awaited = target;
            while (!run->tasks[target].done)
                pthread_cond_wait(&run->done_cv, &run->mu);
            run->awaited = k;
            while (!t->done)
                pthread_cond_wait(&run->done_cv, &run->mu);
            run->awaited = SIZE_MAX;
        }
        pthread_mutex_unlock(&run->mu);
        stop = emit(run, em, t, fn, ud, counts);
        pthread_mutex_lock(&run->mu);
        run->emitted = k + 1;
        if (stop)
            run->stop = 1;
        if (run->idle)
            pthread_cond_broadcast(&run->work_cv);
        pthread_mutex_unlock(&run->mu);
        if (stop)
            break;
    }
    for (i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    /* tasks run ahead of a stop were never delivered */
    for (k = 0; k < run->ntasks; k++)
        task_release(run->env, &run->tasks[k]);
    pthread_cond_destroy(&run->done_cv);
    pthread_cond_destroy(&run->work_cv);
    pthread_mutex_destroy(&run->mu);
    run->threaded = 0;
    return rc;
}

int quarry_grep_files(quarry_env *env, const quarry_regex *re,
                      const char *const *paths, size_t n,
                      const quarry_grep_options *opts, quarry_grep_fn fn,
                      void *ud, quarry_grep_counts *counts)
{
    grep_run run;
    grep_emit em;
    grep_worker *workers;
    quarry_grep_counts local;
    unsigned nthreads, i;
    int rc;

    if (!counts)
        counts = &local;
    memset(counts, 0, sizeof *counts);
    if (!env || !re || (!paths && n))
        return QUARRY_EINVAL;
    if (!fn && !(opts && opts->count_only)) {
        qi_set_error(env->errmsg, "grep: no callback and not count_only");
        return QUARRY_EINVAL;
    }
    memset(&run, 0, sizeof run);
    run.env = env;
    run.paths = paths;
    run.want_lines = !(opts && opts->count_only);
    run.skip_binary = opts && opts->skip_binary;
    /* a match that may span lines could cross a part boundary */
    run.split_files = !(re->flags & QUARRY_RE_DOTALL);
    run.ntasks = n;
    run.tasks = qi_calloc(env, n ? n : 1, sizeof *run.tasks);
    workers = NULL;
    if (run.tasks) {
        for (i = 0; i < n; i++)
            run.tasks[i].file = i;
        nthreads = thread_count(opts, n);
        workers = qi_calloc(env, nthreads, sizeof *workers);
    }
    if (!workers) {
        if (run.tasks)
            qi_free(env, run.tasks, (n ? n : 1) * sizeof *run.tasks);
        qi_set_error(env->errmsg, "grep: out of memory");
        return QUARRY_ENOMEM;
    }
    for (i = 0; i < nthreads; i++) {
        workers[i].run = &run;
        rc = qi_regex_clone(env, re, &workers[i].re);
        if (rc != QUARRY_OK) {
            free_workers(env, workers, nthreads);
            qi_free(env, run.tasks, (n ? n : 1) * sizeof *run.tasks);
            return rc;
        }
    }
    memset(&em, 0, sizeof em);
    rc = QUARRY_OK;
    if (nthreads == 1)
        run_inline(&run, &workers[0], &em, fn, ud, counts);
    else
        rc = run_pool(&run, workers, nthreads, &em, fn, ud, counts);
    {
        size_t k;
        for (k = 0; k < run.ntasks; k++)
            task_release(env, &run.tasks[k]);
        qi_free(env, run.tasks, (n ? n : 1) * sizeof *run.tasks);
    }
    free_workers(env, workers, nthreads);
    if (rc != QUARRY_OK)
        return rc;
    if (em.errors > 1) {
        size_t used = strlen(env->errmsg);
        snprintf(env->errmsg + used, QI_ERRMSG_SIZE - used,
                 " (and %zu more failed files)", em.errors - 1);
    }
    return em.first_error ? em.first_error : QUARRY_OK;
}
