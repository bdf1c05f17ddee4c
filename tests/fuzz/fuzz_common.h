/*
 * fuzz_common.h - helpers shared by the fuzz targets (public API only).
 * A violated invariant aborts, so libFuzzer and the replay runner both
 * report it as a crash with the message below.
 */
#ifndef QUARRY_FUZZ_COMMON_H
#define QUARRY_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(expr)                                                       \
    do {                                                                       \
        if (!(expr)) {                                                         \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__,    \
                    __LINE__, #expr);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if it is not valid. */
static inline size_t fuzz_utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;  /* overlong */
        if (c == 0xED && s[1] >= 0xA0) return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
        if (c == 0xF4 && s[1] >= 0x90) return 0; /* > U+10FFFF */
        return 4;
    }
    return 0;
}

/* Copies data into a new malloc'ed buffer with every invalid byte replaced
 * by U+FFFD; *out_len receives the length. Returns NULL on allocation
 * failure. The result is NUL-terminated (not counted). */
static inline char *fuzz_utf8_repair(const uint8_t *data, size_t size, size_t *out_len)
{
    char *out = malloc(size * 3 + 1);
    size_t i = 0, o = 0;
    if (!out) return NULL;
    while (i < size) {
        size_t k = fuzz_utf8_seq(data + i, size - i);
        if (k == 0) {
            out[o++] = (char)0xEF;
            out[o++] = (char)0xBF;
            out[o++] = (char)0xBD;
            i++;
        } else {
            while (k--) out[o++] = (char)data[i++];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

#endif
