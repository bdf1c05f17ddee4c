/*
 * index_internal.h - what the index snapshot's units share: the snapshot
 * object (index_reader.c) and its snapshot-wide term dictionary
 * (index_terms.c). Not installed.
 */
#ifndef QUARRY_INDEX_INTERNAL_H
#define QUARRY_INDEX_INTERNAL_H

#include "field_stats.h"
#include "manifest.h"
#include "segment.h"

/* One segment of a snapshot. */
typedef struct qi_ixseg {
    qi_segment *seg;    /* owned: closed with the snapshot */
    qi_manifest_seg ms; /* its manifest entry */
    qi_segment_stats stats;
    uint64_t base;       /* snapshot-wide id of its document 0 */
    uint64_t *del;       /* deletion bitmap (owned) or NULL */
    uint64_t del_bytes;  /* size of the deletion file */
    uint32_t *gmap;      /* local term ordinal -> snapshot term id; built
                            with the term table (owned), NULL before */
    int64_t live_tokens; /* tokens of live documents; -1 until counted */
} qi_ixseg;

/* The snapshot-wide dictionary: the sorted union of the segments' terms. */
typedef struct qi_termtab {
    uint64_t n;   /* terms */
    uint64_t cap; /* allocated entries of the arrays below */
    char *arena;  /* texts, each followed by a NUL */
    size_t arena_cap;
    uint64_t *off;   /* n + 1 offsets into arena */
    uint64_t *count; /* occurrences in live documents */
    uint64_t *docs;  /* live documents containing the term */
    uint8_t *stale;  /* 1: counts include deleted documents, fix on use */
} qi_termtab;

struct quarry_index {
    quarry_env *env;
    int refs; /* atomically updated: handles may be dropped on any thread */
    char *path;
    size_t path_len;
    qi_manifest man;
    quarry_tokenizer_options tokopts; /* strings borrowed from man */
    qi_ixseg *segs;
    size_t nsegs;
    uint64_t doc_limit;
    bool any_deleted;
    qi_termtab *terms;     /* NULL until first needed (index_terms.c) */
    qi_fieldstats *fields; /* NULL until first needed */
    qi_buf text;           /* scratch of quarry_index_doc_text */
    struct qi_kwic_scratch *kwic; /* NULL until the first concordance line */
    uint64_t *pos;         /* scratch positions for postings walks */
    size_t pos_cap;
    char errmsg[QI_ERRMSG_SIZE];
};

/* Frees ix->kwic (kwic.c). */
void qi_kwic_free(quarry_index *ix);
/* Builds ix->terms (and every segment's gmap) if not built yet. */
int qi_index_terms_build(quarry_index *ix);
void qi_index_terms_free(quarry_index *ix);
/* Makes the counts of global term id exact (walking postings of segments
 * with deletions); the table must be built. */
int qi_index_terms_fix(quarry_index *ix, uint64_t id);
/* Segment holding snapshot document id; NULL if out of range. */
qi_ixseg *qi_index_seg_of(quarry_index *ix, uint64_t id, uint64_t *local);
/* 1 if the table is needed for term ids (several segments or deletions). */
static inline bool qi_index_needs_table(const quarry_index *ix)
{
    return ix->nsegs > 1 || ix->any_deleted;
}

#endif
