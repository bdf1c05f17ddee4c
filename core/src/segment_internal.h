/*
 * segment_internal.h - the reader side of a segment, shared by
 * segment_read.c (open, documents), segment_terms.c (dictionaries),
 * postings.c and segment_verify.c.
 */
#ifndef QUARRY_SEGMENT_INTERNAL_H
#define QUARRY_SEGMENT_INTERNAL_H

#include "huffman.h"
#include "segment.h"
#include "segment_format.h"
#include "varint.h"

typedef struct qs_sec {
    const unsigned char *p; /* into the mapping */
    uint64_t off, len, xxh;
} qs_sec;

struct qi_segment {
    quarry_env *env;
    char *path; /* owned, NUL-terminated; path_len + 1 bytes */
    size_t path_len;
    const unsigned char *map; /* the whole file, read-only */
    size_t size;
    qs_sec sec[QS_COUNT]; /* by section id; [0] unused */
    uint64_t segment_id, doc_count, token_count, term_count, word_count;
    uint64_t toc_off, toc_len;
    uint64_t store_blocks;
    /* one decompressed stored-text block: reading the documents of a
     * block one after another decompresses it once */
    void *dctx;         /* ZSTD_DCtx, created on first use */
    qi_huffdec *huff;   /* token code tables, built on first use */
    uint64_t huff_syms; /* symbols of the token code */
    qi_buf cache;
    uint64_t cache_block; /* UINT64_MAX: none */
    /* Section checksums, checked lazily: the first read that needs a
     * section hashes it (qs_sec_check) and records the result here, so
     * open stays O(1) and later reads pay one test of sec_ok. */
    unsigned char sec_state[QS_COUNT]; /* QS_SEC_UNVERIFIED/OK/CORRUPT */
    uint32_t sec_ok;                   /* bit id set: sec_state[id] is OK */
    char errmsg[QI_ERRMSG_SIZE];
};

enum { QS_SEC_UNVERIFIED = 0, QS_SEC_OK = 1, QS_SEC_CORRUPT = 2 };

#define QS_BIT(id) ((uint32_t)1 << (id))

/* Name of section id ("postings", "doc table", ...). */
const char *qs_section_name(int id);

/* Hashes every section of mask not yet checked and records the results;
 * QUARRY_OK if all of them match their TOC checksums, else ECORRUPT naming
 * the file and the (first) damaged section, now and on every later call. */
int qs_sec_check(qi_segment *seg, uint32_t mask);

/* What every read calls before it reads the sections of mask: one test
 * once they are checked. */
static inline int qs_need(qi_segment *seg, uint32_t mask)
{
    return (seg->sec_ok & mask) == mask ? QUARRY_OK : qs_sec_check(seg, mask);
}

/* Sets "segment PATH: PART: ..." on seg and returns QUARRY_ECORRUPT. */
int qs_corrupt(qi_segment *seg, const char *part, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The doc table record of doc into *rec: EINVAL if doc is out of range,
 * ECORRUPT if the doc table's checksum does not match. */
int qs_docrec(qi_segment *seg, uint64_t doc, const unsigned char **rec);

static inline uint64_t qs_docget(const unsigned char *rec, int field)
{
    return qi_load64(rec + 8 * field);
}

/* A per-document stream: varint(data length), (nb - 1) u32 block starts,
 * data. */
typedef struct qs_stream {
    const unsigned char *table; /* nb - 1 entries */
    const unsigned char *data, *end;
    uint64_t n, nb;
} qs_stream;

/* Opens the stream of n items at off in section id; *after (may be NULL)
 * gets the first byte after it. Checks the section's checksum (qs_need),
 * that the table and data fit the section and that n is plausible
 * (min_item bytes per item). */
int qs_stream_open(qi_segment *seg, int id, uint64_t off, uint64_t n,
                   unsigned min_item, qs_stream *s, const unsigned char **after,
                   const char *part);
/* Start of block b (< nb), or NULL if its table entry is out of range. */
const unsigned char *qs_stream_block(const qs_stream *s, uint64_t b);

/* One span or word-layer unit of a structure stream: varint
 * (length << 1 | gap != 0), then varint gap if it is not 0 (spans are
 * nearly always contiguous). NULL if truncated. */
static inline const unsigned char *qs_span_get(const unsigned char *p,
                                               const unsigned char *end,
                                               uint64_t *gap, uint64_t *len)
{
    uint64_t v;
    if (!(p = qi_varint_get(p, end, &v)))
        return NULL;
    *len = v >> 1;
    *gap = 0;
    if (v & 1)
        p = qi_varint_get(p, end, gap);
    return p;
}

/* One word-layer unit: varint(rank << 3 | gap != 0 << 2 | min(len - 1, 3)),
 * varint(len - 4) if len >= 4, varint(gap) if not 0: a frequent word of
 * one to four CJK characters right after the previous one is one or two
 * bytes. NULL if truncated. */
static inline const unsigned char *qs_word_get(const unsigned char *p,
                                               const unsigned char *end,
                                               uint64_t *rank, uint64_t *gap,
                                               uint64_t *len)
{
    uint64_t v, x;
    if (!(p = qi_varint_get(p, end, &v)))
        return NULL;
    *rank = v >> 3;
    *len = (v & 3) + 1;
    *gap = 0;
    if ((v & 3) == 3) {
        if (!(p = qi_varint_get(p, end, &x)) || x > UINT64_MAX - 4)
            return NULL;
        *len = x + 4;
    }
    if (v & 4)
        p = qi_varint_get(p, end, gap);
    return p;
}

/* Word ordinal of a word-layer rank; false if out of range. The caller
 * has checked QS_WORD_RANKS (qs_need). */
static inline bool qs_word_ord(const qi_segment *seg, uint64_t rank,
                               uint64_t *ord)
{
    if (rank >= seg->word_count)
        return false;
    *ord = qi_load32(seg->sec[QS_WORD_RANKS].p + rank * 4);
    return *ord < seg->word_count;
}

/* Builds seg->huff from the token code section (checksum checked) if not
 * done yet. */
int qs_huff_load(qi_segment *seg);

/* Decodes one token rank from r (seg->huff loaded): a Huffman symbol, and
 * for the escape symbol 5 bits L and L more bits (the rank beyond the
 * direct ones, + 1, without its top bit). False if the bits run out, match
 * no code or give a rank >= term_count. */
static inline bool qs_tok_get(const qi_segment *seg, qi_bitr *r, uint64_t *rank)
{
    uint64_t sym, l, low;
    if (!qi_huff_get(seg->huff, r, &sym))
        return false;
    if (seg->term_count > QI_HUFF_SYMBOLS && sym == QI_HUFF_SYMBOLS - 1) {
        if (!qi_bitr_get(r, 5, &l) || !qi_bitr_get(r, (unsigned)l, &low))
            return false;
        sym = (QI_HUFF_SYMBOLS - 1) + (((uint64_t)1 << l) | low) - 1;
    }
    *rank = sym;
    return sym < seg->term_count;
}

/* Decompresses stored-text block b into seg->cache. The store index's
 * checksum is checked; the store's own bytes are covered by each zstd
 * frame's content checksum (hashing the whole store for one document
 * would cost far more than the block). */
int qs_load_block(qi_segment *seg, uint64_t b);

/* Dictionary cursor (terms: words == 0, word layer: words == 1). */
typedef struct qs_dcur {
    const unsigned char *p, *end; /* next entry, end of its block */
    uint64_t ord;                 /* ordinal of the next entry */
    uint64_t poff;                /* postings offset of the next entry */
    size_t len;                   /* length of the last decoded term */
    char *text;                   /* QI_MAX_TERM + 1 bytes */
} qs_dcur;

/* Positions cur at the start of block b (checks the checksums of the
 * dictionary and its block index). */
int qs_dict_block(qi_segment *seg, int words, uint64_t b, qs_dcur *cur);
/* Decodes the next entry of the block (its term text into cur->text). */
int qs_dict_next(qi_segment *seg, int words, qs_dcur *cur, qi_term *out);

#endif
