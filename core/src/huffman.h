/*
 * huffman.h - the canonical Huffman code of the token streams
 * (docs/format.md, "Tokens").
 *
 * Token ranks are Zipf-distributed; a per-segment Huffman code over the
 * most frequent QI_HUFF_SYMBOLS - 1 ranks (plus an escape for the rest)
 * comes within a few percent of their order-0 entropy, about 17% below
 * varint ranks on English. Codes are canonical, at most QI_HUFF_MAXLEN
 * bits, written into an LSB-first bit stream (rice.h) bit-reversed, so a
 * table indexed by the next QI_HUFF_FAST bits decodes nearly every token
 * in one lookup.
 */
#ifndef QUARRY_HUFFMAN_H
#define QUARRY_HUFFMAN_H

#include "internal.h"
#include "rice.h"

#define QI_HUFF_SYMBOLS 4096 /* the last one is the escape when needed */
#define QI_HUFF_MAXLEN 20
#define QI_HUFF_FAST 11

/* Code lengths (1..QI_HUFF_MAXLEN) for n >= 1 symbols of frequencies
 * freq (each >= 1), length-limited. Returns false on allocation failure. */
bool qi_huff_lengths(quarry_env *env, const uint64_t *freq, size_t n,
                     uint8_t *len);
/* Canonical codes for the lengths, bit-reversed for LSB-first output. */
void qi_huff_codes(const uint8_t *len, size_t n, uint32_t *code);

/* Decoder tables, built once per segment (qi_huffdec_init). */
typedef struct qi_huffdec {
    uint32_t fast[1u << QI_HUFF_FAST];   /* sym << 5 | len; 0 = slow path */
    uint32_t first[QI_HUFF_MAXLEN + 1];  /* first canonical code per length */
    uint32_t count[QI_HUFF_MAXLEN + 1];  /* codes per length */
    uint32_t offset[QI_HUFF_MAXLEN + 1]; /* their start in sorted */
    uint16_t sorted[QI_HUFF_SYMBOLS];    /* symbols by (length, symbol) */
    size_t n;
} qi_huffdec;

/* Builds the tables from n <= QI_HUFF_SYMBOLS lengths (0 = unused symbol).
 * Returns false if the lengths are not a valid prefix code (a length above
 * the maximum, or over-subscribed), which a reader reports as corrupt. */
bool qi_huffdec_init(qi_huffdec *d, const uint8_t *len, size_t n);

/* Decodes one symbol; false if the bits run out or match no code. */
static inline bool qi_huff_get(const qi_huffdec *d, qi_bitr *r, uint64_t *sym)
{
    uint64_t w, code = 0;
    uint32_t e;
    unsigned l;
    if (r->pos >= r->nbits)
        return false;
    w = qi_bitr_peek(r);
    e = d->fast[w & ((1u << QI_HUFF_FAST) - 1)];
    if (e) {
        l = e & 31;
        if (l > r->nbits - r->pos)
            return false;
        r->pos += l;
        *sym = e >> 5;
        return true;
    }
    /* a code longer than the table: canonical decode, first bit first */
    for (l = 1; l <= QI_HUFF_MAXLEN; l++) {
        code = code << 1 | ((w >> (l - 1)) & 1);
        if (code - d->first[l] < d->count[l]) {
            if (l > r->nbits - r->pos)
                return false;
            r->pos += l;
            *sym = d->sorted[d->offset[l] + (code - d->first[l])];
            return true;
        }
    }
    return false;
}

#endif
