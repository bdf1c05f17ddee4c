/*
 * index_writer.h - what the writer's units share: the writer object
 * (index_writer.c: open, add, delete, commit, merge), its key map
 * (index_keys.c) and its tokenizing pipeline (index_pipeline.c).
 * Not installed.
 */
#ifndef QUARRY_INDEX_WRITER_H
#define QUARRY_INDEX_WRITER_H

#include "manifest.h"
#include "segment.h"

#include <pthread.h>

#define QI_NONE32 UINT32_MAX
#define QI_NONE64 UINT64_MAX

/* ---- key map (index_keys.c) ---- */

/* Where the document with one (source, record) key is. Either resolved to
 * (seg_id, local), or, for a document added in this session and not yet
 * committed, seq != 0: the 1-based index of its session record. */
typedef struct qi_kentry {
    uint64_t record;
    uint64_t hash; /* content hash */
    uint64_t seg_id, local;
    uint64_t seq;
    uint32_t src;                /* source id in the keymap's vocab */
    uint32_t next;               /* next entry in the same hash bucket */
    uint32_t src_next, src_prev; /* entries of the same source */
} qi_kentry;

typedef struct qi_keymap {
    quarry_env *env;
    quarry_vocab *sources; /* interned source strings; id = vocab id */
    uint32_t *src_head;    /* first entry of each source, QI_NONE32 if none */
    size_t src_cap;
    qi_kentry *ents;
    size_t nents, ents_cap;
    uint32_t free_list; /* removed entries, chained through next */
    uint32_t *buckets;
    size_t nbuckets; /* a power of two */
    size_t live;
} qi_keymap;

int qi_keymap_init(qi_keymap *km, quarry_env *env);
void qi_keymap_free(qi_keymap *km);
/* Source id of source (interned); QUARRY_ENOMEM. */
int qi_keymap_source(qi_keymap *km, const char *source, uint32_t *src);
/* Entry index of (src, record) or QI_NONE32. */
uint32_t qi_keymap_find(const qi_keymap *km, uint32_t src, uint64_t record);
/* Inserts a new key (not present); *idx gets its entry. QUARRY_ENOMEM.
 * Entry pointers die at the next insert. */
int qi_keymap_insert(qi_keymap *km, uint32_t src, uint64_t record,
                     uint32_t *idx);
void qi_keymap_remove(qi_keymap *km, uint32_t idx);
/* First entry of a source (QI_NONE32 if none); follow src_next. */
uint32_t qi_keymap_source_head(const qi_keymap *km, uint32_t src);

/* ---- the writer ---- */

/* A segment the writer knows: committed, or written in this session. */
typedef struct qi_wseg {
    uint64_t id;
    uint64_t doc_count;
    qi_segment *seg; /* mapping (owned), opened when first needed */
    uint64_t *del;   /* deletion bits (owned), NULL if none yet */
    uint64_t deleted;
    uint64_t del_gen; /* its committed deletion file, 0 if none */
    bool dirty;       /* bits changed since that file */
    bool committed;   /* named by the committed manifest */
    uint64_t file_bytes;
} qi_wseg;

/* A document added this session: its key entry and, once the pipeline has
 * added it, where it landed. */
typedef struct qi_srec {
    uint32_t entry;
    bool superseded; /* replaced or deleted again before commit */
} qi_srec;

typedef struct qi_loc {
    uint64_t seg_id; /* QI_NONE64: lost to a pipeline error */
    uint64_t local;
} qi_loc;

typedef struct qi_job {
    quarry_doc *doc; /* owned by the job */
    uint64_t hash;
    uint64_t seq;
    size_t bytes;
} qi_job;

typedef struct qi_worker {
    quarry_writer *w;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    pthread_t tid;
    bool started;
} qi_worker;

struct quarry_writer {
    quarry_env *env;  /* the caller's: constructor messages only */
    quarry_env *ienv; /* private env (same allocator) for internal objects,
                         so their constructor messages never race with the
                         caller's use of env */
    char *path;
    size_t path_len;
    int lock_fd;
    char errmsg[QI_ERRMSG_SIZE];
    int failed; /* sticky: after a failed commit or pipeline error */

    qi_manifest man; /* the last committed manifest */
    bool man_loaded; /* man holds what the directory's manifest says */
    uint64_t memory;
    unsigned nthreads;

    /* caller-thread state */
    qi_wseg *segs; /* sorted by id (= manifest and document order) */
    size_t nsegs, segs_cap;
    qi_keymap keys;
    qi_srec *srecs;
    size_t nsrecs, srecs_cap;
    quarry_commit_stats pending; /* counts since the last commit */

    /* pipeline state: guarded by mu, or owned by the thread whose turn it
     * is (builder, locs, flushed), or by the caller once drained */
    pthread_mutex_t mu;
    pthread_cond_t cv_job, cv_space, cv_turn;
    bool sync_ready;
    qi_worker *workers;
    qi_job *queue;
    size_t qcap, qhead, qlen;
    uint64_t qbytes, qlimit; /* text bytes queued or in flight */
    unsigned push_waiting;   /* callers blocked on cv_space */
    uint64_t seq_issued;     /* next sequence number (caller) */
    uint64_t seq_base;       /* sequence number of srecs[0] */
    uint64_t turn;           /* next sequence number to add */
    bool stop, discard;
    int perr;
    char perrmsg[QI_ERRMSG_SIZE];
    qi_segbuild *build;
    uint64_t build_id;
    pthread_cond_t cv_flush;
    pthread_t flusher;
    bool flusher_started;
    qi_segbuild *fl_build; /* handed to the flusher, being written */
    uint64_t fl_id, fl_mem;
    uint64_t next_id; /* next segment id */
    qi_loc *locs;     /* per session record */
    size_t locs_cap;
    qi_wseg *flushed; /* written this session, not yet absorbed */
    size_t nflushed, flushed_cap;
};

/* index_pipeline.c */
int qi_pipeline_start(quarry_writer *w, const quarry_tokenizer_options *opts);
/* Stops and joins the threads; queued documents are freed unadded. */
void qi_pipeline_stop(quarry_writer *w);
/* Queues doc (ownership passes) with its hash; blocks while the queue is
 * full. */
int qi_pipeline_push(quarry_writer *w, quarry_doc *doc, uint64_t hash);
/* Waits until every queued document is added, then writes the builder (if
 * it holds documents) as a segment. Afterwards the caller owns locs and
 * flushed until the next push. Returns the pipeline's first error. */
int qi_pipeline_drain(quarry_writer *w);
/* Returns the pipeline's first error without waiting (QUARRY_OK if none). */
int qi_pipeline_error(quarry_writer *w);

#endif
