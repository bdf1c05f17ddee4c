/*
 * memfind.c - finding a byte string in a buffer, for the literal prefilter
 * of regex scans (regex.c).
 *
 * glibc's memmem is a byte-at-a-time two-way search for long needles; on
 * text, comparing the needle's first and last bytes against 16 positions
 * at once with SSE2 (W. Muła's "generic SIMD" substring search) and
 * verifying only the positions where both agree is several times faster.
 * Without SSE2, or for needles of one byte, the C library does the work.
 */
#define _GNU_SOURCE /* memmem */
#include "regex.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

const char *qi_memfind(const char *hay, size_t n, const char *needle, size_t k)
{
#if defined(__SSE2__)
    size_t i = 0;
    if (k >= 2 && n >= k + 15) {
        const __m128i first = _mm_set1_epi8(needle[0]);
        const __m128i last = _mm_set1_epi8(needle[k - 1]);
        /* the last block's last-byte load ends at hay[n - 1] */
        for (; i + k - 1 + 16 <= n; i += 16) {
            __m128i bf = _mm_loadu_si128((const __m128i *)(hay + i));
            __m128i bl = _mm_loadu_si128((const __m128i *)(hay + i + k - 1));
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(
                _mm_cmpeq_epi8(first, bf), _mm_cmpeq_epi8(last, bl)));
            while (mask) {
                unsigned bit = (unsigned)__builtin_ctz(mask);
                if (memcmp(hay + i + bit + 1, needle + 1, k - 2) == 0)
                    return hay + i + bit;
                mask &= mask - 1;
            }
        }
    }
    {
        const char *hit = memmem(hay + i, n - i, needle, k);
        return hit;
    }
#else
    return memmem(hay, n, needle, k);
#endif
}
