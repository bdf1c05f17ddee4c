/*
 * segment_build.h - the in-memory state of a segment builder, shared by
 * segment_build.c (accumulation, qi_segbuild_add) and segment_write.c
 * (sorting, remapping and writing the file).
 *
 * What is kept per token during building is only its vocab id (4 bytes)
 * plus its encoded byte offsets (about a third of a byte): postings are
 * made at write time by one counting sort of the id stream, which is
 * cheaper than appending to one growing list per term while adding.
 */
#ifndef QUARRY_SEGMENT_BUILD_H
#define QUARRY_SEGMENT_BUILD_H

#include "segment.h"

#include <zstd.h>

#define QS_TCACHE_BITS 15
#define QS_TCACHE_SIZE (1u << QS_TCACHE_BITS)

/* One added document: its counts and where its parts are in the builder's
 * buffers. */
typedef struct qs_bdoc {
    uint64_t source_off; /* in sources */
    uint64_t record, hash;
    uint64_t tokens, text_bytes;
    uint64_t sentences, paragraphs, words;
    uint64_t nfields, fields_off; /* in fields */
    uint64_t offsets_off;         /* in offsets: the encoded stream */
    uint64_t store_block, store_off;
    uint64_t token_base; /* first entry in ids */
    uint64_t span_base;  /* first entry in spans: sentences then paragraphs */
    uint64_t word_base;  /* first entry in words */
    uint64_t tokens_off, struct_off; /* set while writing */
} qs_bdoc;

typedef struct qs_bword {
    uint64_t first, end;
    uint32_t id; /* word vocab id */
} qs_bword;

struct qi_segbuild {
    quarry_env *env;
    char errmsg[QI_ERRMSG_SIZE];
    int state; /* 0 building; 1 written, 2 broken: only free is allowed */

    quarry_vocab *terms; /* normalized token forms (counts unused) */
    uint64_t *cf;        /* occurrences per term id */
    size_t cf_cap;
    /* Direct-mapped cache of terms of up to 16 bytes (nearly all tokens)
     * in front of the vocab: one probe in a table that stays in L2,
     * instead of a hash-table probe and an entry compare (two cache
     * misses once the vocabulary outgrows the caches) per token. 2^15
     * entries (768 KiB): on the UN corpus, perf samples in
     * qi_segbuild_add + quarry_vocab_add fell from 857-907 (2^13) to
     * 669-721; 2^16 and 2^17 gave 701-833. */
    struct qs_tcache {
        uint64_t k1, k2; /* the term's bytes (see term_key) */
        uint32_t len1;   /* length + 1; 0 = empty */
        uint32_t id;
    } tcache[QS_TCACHE_SIZE];
    quarry_vocab *wterms; /* word-layer forms; counts = occurrences */
    quarry_vocab *fnames; /* field names -> id; fname_off[id] in fnames_blob */
    uint64_t *fname_off;
    size_t fname_cap;
    uint64_t term_bytes; /* bytes of distinct terms (memory estimate) */

    uint32_t *ids; /* vocab id per token, all documents in order */
    size_t ids_len, ids_cap;
    qs_bdoc *docs;
    size_t ndocs, docs_cap;
    quarry_span *spans;
    size_t nspans, spans_cap;
    qs_bword *words;
    size_t nwords, words_cap;

    qi_buf sources;     /* NUL-terminated sources: section QS_SOURCES */
    qi_buf fnames_blob; /* NUL-terminated names: section QS_FIELD_NAMES */
    qi_buf fields;      /* section QS_FIELDS */
    qi_buf offsets;     /* section QS_OFFSETS */
    qi_buf scratch;     /* one document's stream while it is encoded */
    uint32_t *bstarts;  /* block starts of that stream */
    size_t bstarts_cap;
    uint32_t *lens; /* one document's cut norm lengths */
    size_t lens_cap;

    ZSTD_CCtx *cctx;    /* created on the first flush */
    qi_buf store;       /* compressed blocks: section QS_STORE */
    qi_buf store_index; /* QS_STORE_ENTRY per block */
    qi_buf pending;     /* raw text of the block being filled */
    uint64_t nblocks;   /* blocks flushed */
};

/* Compresses the pending text into a new store block (no-op if empty). */
int qs_build_flush_store(qi_segbuild *b);

/* Appends a per-document stream to out: varint(data length), the u32 start
 * of every block but the first, then the data (docs/format.md, "Streams").
 * data/len and nb block starts are the encoded stream. */
bool qs_put_stream(quarry_env *env, qi_buf *out, const void *data, size_t len,
                   const uint32_t *starts, size_t nb);

#endif
