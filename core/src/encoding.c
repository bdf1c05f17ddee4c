/* encoding.c - byte-order marks, UTF-16 to UTF-8, UTF-8 repair and binary
 * sniffing.
 *
 * UTF-16 is converted by hand rather than with ICU's ucnv: it is a few lines,
 * needs no converter object, and lets unpaired surrogates be counted as
 * replacements exactly like invalid UTF-8. */
#include "reader_internal.h"

#include <string.h>

#define SNIFF_BYTES 8192

static bool has_prefix(const unsigned char *s, size_t len, const char *magic,
                       size_t n)
{
    return len >= n && memcmp(s, magic, n) == 0;
}

/* Control bytes that do not occur in text: C0 controls other than tab,
 * newlines, vertical tab, form feed and escape, and DEL. A table, because a
 * branch per byte made sniffing a quarter of the reading time. */
static const unsigned char is_control[256] = {
    [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1,
    [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1,
    [0x1F] = 1, [0x7F] = 1};

bool qi_sniff_binary(const unsigned char *s, size_t len)
{
    /* magic numbers of common binary formats that can start with a few
     * printable bytes (PDF, PNG, GIF) or that we want to catch early */
    static const struct {
        const char *magic;
        size_t len;
    } magics[] = {
        {"%PDF-", 5},
        {"\x89PNG\r\n\x1a\n", 8},
        {"GIF87a", 6},
        {"GIF89a", 6},
        {"\xff\xd8\xff", 3},
        {"PK\x03\x04", 4},
        {"\x1f\x8b", 2},
        {"\xfd"
         "7zXZ",
         5},
        {"BZh", 3},
        {"\x28\xb5\x2f\xfd", 4},
        {"7z\xbc\xaf\x27\x1c", 6},
        {"\x7f"
         "ELF",
         4},
        {"\xd0\xcf\x11\xe0", 4},
        {"\x00\x05\x16\x07", 4}, /* AppleDouble */
    };
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES, i, control = 0;
    /* UTF-16 with a BOM: NULs are expected. (FF FE 00 00 is UTF-32LE's
     * BOM, which is not supported: it falls through to the NUL check.) */
    if ((has_prefix(s, len, "\xff\xfe", 2) &&
         !has_prefix(s, len, "\xff\xfe\x00\x00", 4)) ||
        has_prefix(s, len, "\xfe\xff", 2))
        return false;
    for (i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (has_prefix(s, len, magics[i].magic, magics[i].len))
            return true;
    /* memchr is vectorized; this runs on every file */
    if (memchr(s, 0, n))
        return true;
    for (i = 0; i < n;) {
        if (n - i >= 8) {
            /* skip 8 bytes at once when none is below 0x20 or is DEL
             * (the usual "has a byte less than" / "has a zero byte" bit
             * tricks; exact as booleans) */
            const uint64_t ones = UINT64_C(0x0101010101010101);
            const uint64_t highs = UINT64_C(0x8080808080808080);
            uint64_t w, x;
            memcpy(&w, s + i, 8);
            x = w ^ (ones * 0x7F);
            if (!(((w - ones * 0x20) & ~w & highs) |
                  ((x - ones) & ~x & highs))) {
                i += 8;
                continue;
            }
        }
        control += is_control[s[i]];
        i++;
    }
    /* more than 1 in 10 control bytes is not text anybody wrote */
    return n > 0 && control * 10 > n;
}

/* Converts UTF-16 (after its BOM) to UTF-8 into out. */
static bool utf16_to_utf8(quarry_env *env, const unsigned char *s, size_t len,
                          bool big_endian, qi_buf *out, uint64_t *replaced)
{
    size_t i = 0;
    char enc[4];
    if (!qi_buf_reserve(env, out, len + len / 2 + 4))
        return false;
    while (i + 1 < len) {
        uint32_t u = big_endian ? ((uint32_t)s[i] << 8 | s[i + 1])
                                : ((uint32_t)s[i + 1] << 8 | s[i]);
        uint32_t cp = u;
        i += 2;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = 0;
            if (i + 1 < len)
                lo = big_endian ? ((uint32_t)s[i] << 8 | s[i + 1])
                                : ((uint32_t)s[i + 1] << 8 | s[i]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                cp = 0xFFFD;
                (*replaced)++;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = 0xFFFD;
            (*replaced)++;
        }
        if (!qi_buf_append(env, out, enc, qi_utf8_encode(cp, enc)))
            return false;
    }
    if (i < len) { /* an odd trailing byte */
        if (!qi_buf_append(env, out, "\xef\xbf\xbd", 3))
            return false;
        (*replaced)++;
    }
    return qi_buf_terminate(env, out);
}

bool qi_decode_bom(quarry_env *env, qi_buf *b, const char **encoding,
                   uint64_t *replaced)
{
    const unsigned char *s = (const unsigned char *)b->data;
    *encoding = "utf-8";
    if (b->len >= 2 &&
        ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
        qi_buf out = {0};
        bool be = s[0] == 0xFE;
        if (!utf16_to_utf8(env, s + 2, b->len - 2, be, &out, replaced)) {
            qi_buf_free(env, &out);
            return false;
        }
        qi_buf_free(env, b);
        *b = out;
        *encoding = be ? "utf-16be" : "utf-16le";
        return true;
    }
    if (b->len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        memmove(b->data, b->data + 3, b->len - 3);
        b->len -= 3;
    }
    return qi_buf_terminate(env, b);
}

/* quarry_utf8_valid with a word-at-a-time skip over ASCII: most corpus text
 * is mostly ASCII, and this check runs over every byte read. */
static bool valid_utf8(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    uint32_t cp;
    while (i < len) {
        size_t n;
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & UINT64_C(0x8080808080808080))) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        n = qi_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

bool qi_make_valid(quarry_env *env, qi_buf *b, uint64_t *replaced)
{
    qi_buf out = {0};
    if (valid_utf8(b->data ? b->data : "", b->len))
        return qi_buf_terminate(env, b);
    if (!qi_utf8_repair(env, b->data, b->len, &out, replaced) ||
        !qi_buf_terminate(env, &out)) {
        qi_buf_free(env, &out);
        return false;
    }
    qi_buf_free(env, b);
    *b = out;
    return true;
}
