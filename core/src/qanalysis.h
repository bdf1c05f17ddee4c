/*
 * qanalysis.h - what the query analyses (colloc.c, dispersion.c,
 * timeline.c) share: which terms are counted tokens, whole-document token
 * streams, reading a search hit by hit, and copying errors onto the env.
 * Not installed.
 */
#ifndef QUARRY_QANALYSIS_H
#define QUARRY_QANALYSIS_H

#include "internal.h"

/* A table with one byte per term id of ix: 1 when the term is a counted
 * token (word, number or CJK character), else 0. */
typedef struct qi_counted {
    uint8_t *is_counted;
    uint64_t terms;
} qi_counted;

/* Builds the table; message on env on failure. */
int qi_counted_init(quarry_env *env, quarry_index *ix, qi_counted *c);
void qi_counted_free(quarry_env *env, qi_counted *c);

/* Counted tokens of every document id of ix (deleted ones included, to be
 * skipped by the caller): its tokens less its punctuation and symbols,
 * from the postings of those terms alone, so no token stream is read.
 * *out has quarry_index_doc_limit(ix) entries (at least 1), freed with
 * qi_free(env, *out, entries * 8). Message on env on failure. */
int qi_counted_per_doc(quarry_env *env, quarry_index *ix, uint64_t **out);
void qi_counted_per_doc_free(quarry_env *env, quarry_index *ix,
                             uint64_t *counts);

/* Term ids of a whole document, in a buffer reused across documents. */
typedef struct qi_docids {
    uint32_t *ids;
    size_t cap;
    uint64_t n;
} qi_docids;

/* Loads every token of document id; message on env on failure. */
int qi_docids_load(quarry_env *env, quarry_index *ix, uint64_t id,
                   qi_docids *d);
void qi_docids_free(quarry_env *env, qi_docids *d);

/* The hits of a search, one document at a time. */
#define QI_HIT_BATCH 4096

typedef struct qi_hitreader {
    quarry_search *s;
    uint64_t docs[QI_HIT_BATCH], firsts[QI_HIT_BATCH], ends[QI_HIT_BATCH];
    size_t got, next;
    int done;
    /* the current document's hits */
    uint64_t doc;
    quarry_span *hits;
    size_t nhits, cap;
} qi_hitreader;

/* Binds q on ix; message on env on failure. */
int qi_hitreader_open(quarry_env *env, quarry_index *ix, const quarry_query *q,
                      qi_hitreader *r, size_t *error_pos);
/* Moves to the next document with hits (r->doc, r->hits, r->nhits):
 * QUARRY_OK, QUARRY_DONE or an error (message on env). */
int qi_hitreader_next_doc(quarry_env *env, qi_hitreader *r);
void qi_hitreader_close(quarry_env *env, qi_hitreader *r);

/* Whether document id belongs to sc (NULL: the live documents of ix). */
int qi_in_subcorpus(quarry_index *ix, const quarry_subcorpus *sc, uint64_t id);
/* The first document >= from in sc (NULL: live documents of ix), or
 * quarry_index_doc_limit(ix). */
uint64_t qi_subcorpus_next(quarry_index *ix, const quarry_subcorpus *sc,
                           uint64_t from);

/* Copies ix's last message onto env and returns rc. */
int qi_index_fail(quarry_env *env, quarry_index *ix, int rc);

#endif
