/*
 * rice.h - Rice codes for the positions of a postings block
 * (docs/format.md, "Positions").
 *
 * Position gaps within a document are close to geometric, for which a
 * Rice code with k = log2(mean) spends about 1.5 bits above the entropy;
 * a varint spends 8 or 16 bits whatever the mean. A value v is written as
 * q = v >> k in unary (q one-bits, then a zero) and the k low bits of v;
 * when q >= QI_RICE_ESC the code is QI_RICE_ESC one-bits, 6 bits of
 * (bit length of v) - 1, and v in that many bits, so no value costs more
 * than 98 bits. Bits are packed LSB-first.
 *
 * The reader treats its input as hostile: every read is bounded by the
 * stream's bit length, and a read past it is an error, never a read past
 * the buffer.
 */
#ifndef QUARRY_RICE_H
#define QUARRY_RICE_H

#include "varint.h"

#include <stdbool.h>

#define QI_RICE_ESC 28
#define QI_RICE_MAX_K 40
/* worst case of one value in bytes, rounded up */
#define QI_RICE_MAX_BYTES 13

static inline unsigned qi_bitlen(uint64_t v)
{
    unsigned n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

/* Bits one value costs with parameter k. */
static inline uint64_t qi_rice_cost(uint64_t v, unsigned k)
{
    uint64_t q = v >> k;
    if (q < QI_RICE_ESC)
        return q + 1 + k;
    return QI_RICE_ESC + 6 + (v ? qi_bitlen(v) : 1);
}

typedef struct qi_bitw {
    unsigned char *p; /* next byte to write; room checked by the caller */
    uint64_t acc;     /* pending bits, LSB first */
    unsigned n;       /* number of pending bits (< 64 between calls) */
} qi_bitw;

/* Appends the low n bits of v (1 <= n <= 57, v < 2^n). Whole 64-bit words
 * are stored as they fill, not byte by byte. */
static inline void qi_bitw_put(qi_bitw *w, uint64_t v, unsigned n)
{
    w->acc |= v << w->n;
    if (w->n + n >= 64) {
        qi_store64(w->p, w->acc);
        w->p += 8;
        /* the bits of v that did not fit (none if it ended exactly) */
        w->acc = w->n ? v >> (64 - w->n) : 0;
        w->n = w->n + n - 64;
    } else {
        w->n += n;
    }
}

static inline void qi_rice_put(qi_bitw *w, uint64_t v, unsigned k)
{
    uint64_t q = v >> k;
    if (q < QI_RICE_ESC && q + 1 + k <= 57) {
        /* q ones, a zero, the k low bits: one put */
        uint64_t low = k ? v & (((uint64_t)1 << k) - 1) : 0;
        qi_bitw_put(w, (((uint64_t)1 << q) - 1) | low << (q + 1),
                    (unsigned)q + 1 + k);
    } else if (q < QI_RICE_ESC) {
        qi_bitw_put(w, ((uint64_t)1 << q) - 1, (unsigned)q + 1);
        qi_bitw_put(w, v & 0xffffffffu, 32);
        qi_bitw_put(w, (v >> 32) & (((uint64_t)1 << (k - 32)) - 1), k - 32);
    } else {
        unsigned len = v ? qi_bitlen(v) : 1;
        qi_bitw_put(w, ((uint64_t)1 << QI_RICE_ESC) - 1, QI_RICE_ESC);
        qi_bitw_put(w, len - 1, 6);
        if (len > 32) {
            qi_bitw_put(w, v & 0xffffffffu, 32);
            qi_bitw_put(w, v >> 32, len - 32);
        } else {
            qi_bitw_put(w, v, len);
        }
    }
}

/* Writes the pending bits, the last byte zero-padded. */
static inline void qi_bitw_flush(qi_bitw *w)
{
    while (w->n > 0) {
        *w->p++ = (unsigned char)w->acc;
        w->acc >>= 8;
        w->n = w->n > 8 ? w->n - 8 : 0;
    }
}

/* Reader over nbits = 8 * (end - p) bits at p. */
typedef struct qi_bitr {
    const unsigned char *p;
    uint64_t len;   /* bytes */
    uint64_t pos;   /* bit position */
    uint64_t nbits; /* 8 * len */
} qi_bitr;

/* The next 57+ bits from pos (zeros beyond the end). */
static inline uint64_t qi_bitr_peek(const qi_bitr *r)
{
    uint64_t byte = r->pos >> 3, w;
    unsigned sh = (unsigned)(r->pos & 7);
    if (byte + 8 <= r->len) {
        w = qi_load64(r->p + byte);
    } else {
        unsigned i;
        w = 0;
        for (i = 0; byte + i < r->len; i++)
            w |= (uint64_t)r->p[byte + i] << (8 * i);
    }
    return w >> sh;
}

/* Reads n <= 56 bits; false past the end. */
static inline bool qi_bitr_get(qi_bitr *r, unsigned n, uint64_t *v)
{
    if (n > r->nbits - r->pos)
        return false;
    *v = n ? qi_bitr_peek(r) & (((uint64_t)1 << n) - 1) : 0;
    r->pos += n;
    return true;
}

static inline bool qi_bitr_get64(qi_bitr *r, unsigned n, uint64_t *v)
{
    uint64_t lo, hi;
    if (n <= 32)
        return qi_bitr_get(r, n, v);
    if (!qi_bitr_get(r, 32, &lo) || !qi_bitr_get(r, n - 32, &hi))
        return false;
    *v = lo | hi << 32;
    return true;
}

/* Reads one Rice-coded value; false if the stream ends first. Forced
 * inline: it is the inner loop of every phrase and proximity query. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline bool
qi_rice_get(qi_bitr *r, unsigned k, uint64_t *v)
{
    uint64_t w, q, low;
    if (r->pos >= r->nbits)
        return false;
    w = qi_bitr_peek(r);
    /* ones before the first zero: at most QI_RICE_ESC are looked at, and
     * the peek holds at least 57 valid bits */
    q = (uint64_t)__builtin_ctzll(~w | ((uint64_t)1 << QI_RICE_ESC));
    if (q < QI_RICE_ESC && q + 1 + k <= 57) {
        /* the common case: the whole code is in the word already peeked */
        uint64_t n = q + 1 + k;
        if (n > r->nbits - r->pos)
            return false;
        *v = q << k | ((w >> (q + 1)) & (((uint64_t)1 << k) - 1));
        r->pos += n;
        return true;
    }
    if (q < QI_RICE_ESC) {
        if (q + 1 > r->nbits - r->pos)
            return false;
        r->pos += q + 1;
        if (!qi_bitr_get64(r, k, &low))
            return false;
        *v = q << k | low;
        return true;
    }
    if (QI_RICE_ESC > r->nbits - r->pos)
        return false;
    r->pos += QI_RICE_ESC;
    if (!qi_bitr_get(r, 6, &q))
        return false;
    return qi_bitr_get64(r, (unsigned)q + 1, v);
}

#endif
