/*
 * varint.h - LEB128 unsigned varints and little-endian fixed-width loads and
 * stores, shared by the segment writer and readers.
 *
 * Decoding treats its input as hostile: every read is bounded by an end
 * pointer, a varint longer than 10 bytes or with bits beyond 64 is an error,
 * and the decoder returns NULL rather than reading past end. Callers turn a
 * NULL into QUARRY_ECORRUPT.
 */
#ifndef QUARRY_VARINT_H
#define QUARRY_VARINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define QI_VARINT_MAX 10

/* Writes v at out (QI_VARINT_MAX bytes of room); returns the bytes written. */
static inline size_t qi_varint_put(unsigned char *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (unsigned char)v;
    return n;
}

static inline size_t qi_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Slow path of qi_varint_get: fewer than 10 bytes before end, or a long
 * varint. Every byte read is checked against end. */
static inline const unsigned char *qi_varint_get_slow(const unsigned char *p,
                                                      const unsigned char *end,
                                                      uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        unsigned b;
        if (p >= end || shift > 63)
            return NULL;
        b = *p++;
        /* the 10th byte may only carry the top bit of a 64-bit value */
        if (shift == 63 && b > 1)
            return NULL;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80)
            break;
        shift += 7;
    }
    *out = v;
    return p;
}

/* Decodes one varint at p (p < end required for success). Returns the
 * position after it, or NULL if it is truncated or overlong. The one-byte
 * case is inlined: most deltas, ranks and gaps are small. */
static inline const unsigned char *
qi_varint_get(const unsigned char *p, const unsigned char *end, uint64_t *out)
{
    if (p < end && *p < 0x80) {
        *out = *p;
        return p + 1;
    }
    if (p + 1 < end && p[1] < 0x80) {
        *out = (uint64_t)(p[0] & 0x7f) | ((uint64_t)p[1] << 7);
        return p + 2;
    }
    return qi_varint_get_slow(p, end, out);
}

/* Skips n varints; NULL if they do not all fit before end. Bounded by end:
 * each skipped varint consumes at least one byte. */
static inline const unsigned char *
qi_varint_skip(const unsigned char *p, const unsigned char *end, uint64_t n)
{
    while (n > 0) {
        if (p >= end)
            return NULL;
        if (*p++ < 0x80)
            n--;
    }
    return p;
}

static inline uint64_t qi_load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint32_t qi_load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline uint16_t qi_load16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline void qi_store64(unsigned char *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

static inline void qi_store32(unsigned char *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, 4);
}

static inline void qi_store16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

#endif
