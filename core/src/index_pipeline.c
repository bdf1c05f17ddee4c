/*
 * index_pipeline.c - the writer's tokenizing pipeline.
 *
 * The caller's thread reads files and calls quarry_writer_add, which hashes
 * the document and queues it with a sequence number. `threads` workers,
 * each with its own tokenizer and token buffer, take documents from the
 * bounded queue and tokenize them in parallel. Adding to the segment
 * builder must happen in sequence order (document ids follow the order of
 * adds, and a re-added key must land after its predecessor), so a worker
 * that has tokenized document n waits for its turn (turn == n), adds it,
 * possibly flushes the builder, and passes the turn on. This "ordered
 * writer" needs no extra thread and no copy of the tokens: the worker's
 * own buffer is added directly.
 *
 * Memory: qbytes counts the text of documents queued or in flight; when
 * builder memory + qbytes reaches half the budget the builder is handed to
 * the flusher thread, which writes it as a new (uncommitted) segment while a
 * new builder fills (see maybe_flush for how both stay within budget). The
 * queue itself is bounded in count and in bytes (a quarter of the budget), so
 * the caller blocks instead of reading ahead without limit.
 *
 * Errors on a worker (out of memory, a failed write) are recorded once in
 * perr/perrmsg and surface at the caller's next add or commit; documents
 * after the error are freed without being added.
 */
#include "index_writer.h"
#include "reader_internal.h"

#include <limits.h>
#include <string.h>

static void set_perr(quarry_writer *w, int rc, const char *msg)
{
    pthread_mutex_lock(&w->mu);
    if (!w->perr) {
        w->perr = rc;
        qi_set_error(w->perrmsg, "%s", msg);
    }
    pthread_mutex_unlock(&w->mu);
}

/* Records where document seq landed (locs is owned by the turn holder). */
static bool set_loc(quarry_writer *w, uint64_t seq, uint64_t seg_id,
                    uint64_t local)
{
    size_t k = (size_t)(seq - w->seq_base);
    void *p = w->locs;
    if (!qi_array_reserve(w->ienv, &p, &w->locs_cap, k + 1, sizeof *w->locs))
        return false;
    w->locs = p;
    w->locs[k].seg_id = seg_id;
    w->locs[k].local = local;
    return true;
}

/* Writes builder b as segment id, records it in the flushed list and
 * frees b. Called by the flusher thread, or by the caller once drained. */
static int write_builder(quarry_writer *w, qi_segbuild *b, uint64_t id)
{
    char path[PATH_MAX];
    qi_wseg ws;
    void *p;
    int rc;
    memset(&ws, 0, sizeof ws);
    ws.id = id;
    ws.doc_count = qi_segbuild_doc_count(b);
    if (ws.doc_count == 0) {
        qi_segbuild_free(b);
        return QUARRY_OK;
    }
    if (qi_seg_path(path, w->path, ws.id) != QUARRY_OK) {
        qi_segbuild_free(b);
        set_perr(w, QUARRY_EINVAL, "index path too long");
        return QUARRY_EINVAL;
    }
    rc = qi_segbuild_write(b, path, ws.id);
    if (rc != QUARRY_OK)
        set_perr(w, rc, qi_segbuild_errmsg(b));
    qi_segbuild_free(b);
    if (rc != QUARRY_OK)
        return rc; /* a partial file is a leftover: cleaned at free */
    pthread_mutex_lock(&w->mu);
    p = w->flushed;
    if (qi_array_reserve(w->ienv, &p, &w->flushed_cap, w->nflushed + 1,
                         sizeof *w->flushed)) {
        w->flushed = p;
        w->flushed[w->nflushed++] = ws;
    } else {
        rc = QUARRY_ENOMEM;
    }
    pthread_mutex_unlock(&w->mu);
    if (rc != QUARRY_OK)
        set_perr(w, rc, "out of memory recording a segment");
    return rc;
}

/* The flusher: writes full builders handed over by the turn holder, so
 * that adding goes on (on the other core) while a segment is written. */
static void *flusher_main(void *arg)
{
    quarry_writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        qi_segbuild *b;
        uint64_t id;
        bool discard;
        while (!w->fl_build && !w->stop)
            pthread_cond_wait(&w->cv_flush, &w->mu);
        if (!w->fl_build)
            break;
        b = w->fl_build;
        id = w->fl_id;
        discard = w->discard || w->perr;
        pthread_mutex_unlock(&w->mu);
        if (discard)
            qi_segbuild_free(b);
        else
            write_builder(w, b, id);
        pthread_mutex_lock(&w->mu);
        w->fl_build = NULL;
        w->fl_mem = 0;
        pthread_cond_broadcast(&w->cv_flush);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* After an add: when the builder (plus the text queued or in flight)
 * reaches half the budget, hand it to the flusher and start a new one. The
 * budget is shared by the builder being filled and the one being written:
 * while the flusher still holds a builder and the two would exceed the
 * budget, the turn holder waits for the flusher (backpressure). Half and
 * half lets adding go on during a whole write; handing over only at the
 * full budget would stall adding during every write (the new builder would
 * hit the budget at once) or else double the peak memory. Measured on the
 * UN corpus with 256 MiB: peak RSS 190-220 MB (5 segments) instead of
 * about 300 MB (3 segments), at the same speed. */
static void maybe_flush(quarry_writer *w)
{
    uint64_t mem = (uint64_t)qi_segbuild_memory(w->build);
    bool handoff = false;
    pthread_mutex_lock(&w->mu);
    while (w->fl_build && !w->perr && mem + w->qbytes + w->fl_mem >= w->memory)
        pthread_cond_wait(&w->cv_flush, &w->mu);
    if (!w->perr && mem + w->qbytes >= w->memory / 2) {
        while (w->fl_build)
            pthread_cond_wait(&w->cv_flush, &w->mu);
        w->fl_build = w->build;
        w->fl_id = w->build_id;
        w->fl_mem = mem;
        pthread_cond_broadcast(&w->cv_flush);
        handoff = true;
    }
    pthread_mutex_unlock(&w->mu);
    if (handoff)
        w->build = NULL;
}

static int ensure_builder(quarry_writer *w)
{
    int rc;
    if (w->build)
        return QUARRY_OK;
    rc = qi_segbuild_new(w->ienv, &w->build);
    if (rc != QUARRY_OK) {
        set_perr(w, rc, "out of memory starting a segment");
        return rc;
    }
    pthread_mutex_lock(&w->mu);
    w->build_id = w->next_id++;
    pthread_mutex_unlock(&w->mu);
    return QUARRY_OK;
}

/* Adds one tokenized document (the turn holder's work). */
static int add_doc(quarry_writer *w, qi_worker *wk, const qi_job *job)
{
    const quarry_doc *doc = job->doc;
    qi_docinput in;
    uint64_t local;
    int rc = ensure_builder(w);
    if (rc != QUARRY_OK)
        return rc;
    memset(&in, 0, sizeof in);
    in.source = doc->source;
    in.record = doc->record;
    in.hash = job->hash;
    in.fields = doc->fields;
    in.field_count = doc->nfields;
    in.text = doc->text;
    in.text_len = doc->text_len;
    in.tokens = quarry_tokens_data(wk->toks);
    in.token_count = quarry_tokens_count(wk->toks);
    in.arena = quarry_tokens_arena(wk->toks);
    in.sentences = quarry_tokens_sentences(wk->toks);
    in.sentence_count = quarry_tokens_sentence_count(wk->toks);
    in.paragraphs = quarry_tokens_paragraphs(wk->toks);
    in.paragraph_count = quarry_tokens_paragraph_count(wk->toks);
    in.words = quarry_tokens_words(wk->toks);
    in.word_count = quarry_tokens_word_count(wk->toks);
    local = qi_segbuild_doc_count(w->build);
    rc = qi_segbuild_add(w->build, &in);
    if (rc != QUARRY_OK) {
        set_perr(w, rc, qi_segbuild_errmsg(w->build));
        return rc;
    }
    if (!set_loc(w, job->seq, w->build_id, local)) {
        set_perr(w, QUARRY_ENOMEM, "out of memory recording a document");
        return QUARRY_ENOMEM;
    }
    maybe_flush(w);
    return QUARRY_OK;
}

/* Whether to wake a caller blocked in qi_pipeline_push (under mu). Not as
 * soon as one slot frees but once the queue has drained to half (in count
 * and in bytes), or is empty, or on an error: the caller then queues
 * several documents per wake-up instead of one, which on a shared core
 * halves the context switches between caller and worker (each freed slot
 * used to cost two). Every dequeued job ends with a check here after its
 * turn, and the last one leaves qbytes at 0, so a blocked caller is always
 * woken once its condition can hold. */
static bool space_ready(const quarry_writer *w)
{
    return w->perr || w->qbytes == 0 ||
           (w->qlen <= w->qcap / 2 && w->qbytes <= w->qlimit / 2);
}

static void *worker_main(void *arg)
{
    qi_worker *wk = arg;
    quarry_writer *w = wk->w;
    for (;;) {
        qi_job job;
        bool skip;
        int rc = QUARRY_OK;

        pthread_mutex_lock(&w->mu);
        while (w->qlen == 0 && !w->stop)
            pthread_cond_wait(&w->cv_job, &w->mu);
        if (w->qlen == 0) { /* stop requested and nothing left */
            pthread_mutex_unlock(&w->mu);
            break;
        }
        job = w->queue[w->qhead];
        w->qhead = (w->qhead + 1) % w->qcap;
        w->qlen--;
        skip = w->discard || w->perr;
        pthread_mutex_unlock(&w->mu);

        if (!skip) {
            rc = quarry_tokenize(wk->tok, job.doc->text, job.doc->text_len,
                                 wk->toks);
            if (rc != QUARRY_OK) {
                char msg[QI_ERRMSG_SIZE];
                qi_set_error(msg, "tokenizing %.300s: %s", job.doc->source,
                             quarry_tokenizer_errmsg(wk->tok));
                set_perr(w, rc, msg);
            }
        }

        pthread_mutex_lock(&w->mu);
        while (w->turn != job.seq)
            pthread_cond_wait(&w->cv_turn, &w->mu);
        skip = skip || w->discard || w->perr;
        pthread_mutex_unlock(&w->mu);

        /* Our turn: the builder, locs and flushed list are ours. */
        if (!skip && rc == QUARRY_OK)
            rc = add_doc(w, wk, &job);
        if (skip || rc != QUARRY_OK)
            set_loc(w, job.seq, QI_NONE64, 0);

        pthread_mutex_lock(&w->mu);
        w->turn++;
        w->qbytes -= job.bytes;
        pthread_cond_broadcast(&w->cv_turn);
        if (w->push_waiting && space_ready(w))
            pthread_cond_broadcast(&w->cv_space);
        pthread_mutex_unlock(&w->mu);
        /* after passing the turn: freeing is not ordered work */
        quarry_doc_free(job.doc);
    }
    return NULL;
}

int qi_pipeline_start(quarry_writer *w, const quarry_tokenizer_options *opts)
{
    unsigned i;
    int rc;
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        goto syserr;
    if (pthread_cond_init(&w->cv_job, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        goto syserr;
    }
    if (pthread_cond_init(&w->cv_space, NULL) != 0) {
        pthread_cond_destroy(&w->cv_job);
        pthread_mutex_destroy(&w->mu);
        goto syserr;
    }
    if (pthread_cond_init(&w->cv_flush, NULL) != 0) {
        pthread_cond_destroy(&w->cv_space);
        pthread_cond_destroy(&w->cv_job);
        pthread_mutex_destroy(&w->mu);
        goto syserr;
    }
    if (pthread_cond_init(&w->cv_turn, NULL) != 0) {
        pthread_cond_destroy(&w->cv_flush);
        pthread_cond_destroy(&w->cv_space);
        pthread_cond_destroy(&w->cv_job);
        pthread_mutex_destroy(&w->mu);
        goto syserr;
    }
    w->sync_ready = true;
    w->qcap = (size_t)w->nthreads * 4 + 4;
    w->queue = qi_calloc(w->ienv, w->qcap, sizeof *w->queue);
    w->workers = qi_calloc(w->ienv, w->nthreads, sizeof *w->workers);
    if (!w->queue || !w->workers) {
        qi_set_error(w->env->errmsg, "out of memory starting the writer");
        return QUARRY_ENOMEM;
    }
    w->qlimit = w->memory / 4 > ((uint64_t)1 << 20) ? w->memory / 4
                                                    : ((uint64_t)1 << 20);
    for (i = 0; i < w->nthreads; i++) {
        qi_worker *wk = &w->workers[i];
        wk->w = w;
        rc = quarry_tokenizer_new(w->ienv, opts, &wk->tok);
        if (rc != QUARRY_OK) {
            qi_set_error(w->env->errmsg, "%s", w->ienv->errmsg);
            return rc;
        }
        rc = quarry_tokens_new(w->ienv, &wk->toks);
        if (rc != QUARRY_OK) {
            qi_set_error(w->env->errmsg, "out of memory starting the writer");
            return rc;
        }
    }
    if (pthread_create(&w->flusher, NULL, flusher_main, w) != 0) {
        qi_set_error(w->env->errmsg, "cannot start a writer thread");
        return QUARRY_EIO;
    }
    w->flusher_started = true;
    for (i = 0; i < w->nthreads; i++) {
        qi_worker *wk = &w->workers[i];
        if (pthread_create(&wk->tid, NULL, worker_main, wk) != 0) {
            qi_set_error(w->env->errmsg, "cannot start a writer thread");
            return QUARRY_EIO;
        }
        wk->started = true;
    }
    return QUARRY_OK;
syserr:
    qi_set_error(w->env->errmsg, "cannot create the writer's locks");
    return QUARRY_EIO;
}

void qi_pipeline_stop(quarry_writer *w)
{
    unsigned i;
    if (!w->sync_ready)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    w->discard = true;
    pthread_cond_broadcast(&w->cv_job);
    pthread_cond_broadcast(&w->cv_turn);
    pthread_cond_broadcast(&w->cv_flush);
    pthread_mutex_unlock(&w->mu);
    for (i = 0; w->workers && i < w->nthreads; i++) {
        if (w->workers[i].started)
            pthread_join(w->workers[i].tid, NULL);
        w->workers[i].started = false;
    }
    if (w->flusher_started)
        pthread_join(w->flusher, NULL);
    w->flusher_started = false;
    /* Jobs nobody took (no thread started): free their documents. */
    while (w->qlen) {
        quarry_doc_free(w->queue[w->qhead].doc);
        w->qhead = (w->qhead + 1) % w->qcap;
        w->qlen--;
    }
    for (i = 0; w->workers && i < w->nthreads; i++) {
        quarry_tokenizer_free(w->workers[i].tok);
        quarry_tokens_free(w->workers[i].toks);
    }
    qi_free(w->ienv, w->workers, w->nthreads * sizeof *w->workers);
    w->workers = NULL;
    qi_free(w->ienv, w->queue, w->qcap * sizeof *w->queue);
    w->queue = NULL;
    qi_segbuild_free(w->build);
    w->build = NULL;
    pthread_cond_destroy(&w->cv_turn);
    pthread_cond_destroy(&w->cv_flush);
    pthread_cond_destroy(&w->cv_space);
    pthread_cond_destroy(&w->cv_job);
    pthread_mutex_destroy(&w->mu);
    w->sync_ready = false;
}

int qi_pipeline_push(quarry_writer *w, quarry_doc *doc, uint64_t hash)
{
    qi_job job;
    int rc;
    job.doc = doc;
    job.hash = hash;
    job.bytes = doc->text_len + 64;
    pthread_mutex_lock(&w->mu);
    while (!w->perr && (w->qlen == w->qcap ||
                        (w->qbytes > 0 && w->qbytes + job.bytes > w->qlimit))) {
        w->push_waiting++;
        pthread_cond_wait(&w->cv_space, &w->mu);
        w->push_waiting--;
    }
    rc = w->perr;
    if (rc) {
        qi_set_error(w->errmsg, "%s", w->perrmsg);
        pthread_mutex_unlock(&w->mu);
        quarry_doc_free(doc);
        return rc;
    }
    job.seq = w->seq_issued++;
    w->queue[(w->qhead + w->qlen) % w->qcap] = job;
    w->qlen++;
    w->qbytes += job.bytes;
    pthread_cond_signal(&w->cv_job);
    pthread_mutex_unlock(&w->mu);
    return QUARRY_OK;
}

int qi_pipeline_error(quarry_writer *w)
{
    int rc;
    pthread_mutex_lock(&w->mu);
    rc = w->perr;
    if (rc)
        qi_set_error(w->errmsg, "%s", w->perrmsg);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int qi_pipeline_drain(quarry_writer *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->turn != w->seq_issued)
        pthread_cond_wait(&w->cv_turn, &w->mu);
    while (w->fl_build)
        pthread_cond_wait(&w->cv_flush, &w->mu);
    pthread_mutex_unlock(&w->mu);
    /* Every thread is idle now: the builder is ours. */
    if (qi_pipeline_error(w) == QUARRY_OK && w->build) {
        qi_segbuild *b = w->build;
        w->build = NULL;
        write_builder(w, b, w->build_id);
    }
    return qi_pipeline_error(w);
}
