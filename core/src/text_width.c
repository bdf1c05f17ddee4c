/*
 * text_width.c - how many terminal columns a string takes, for aligned
 * concordances and tables with Chinese text (East Asian Width, UAX #11).
 */
#include "internal.h"

#include <unicode/uchar.h>

static size_t cp_width(uint32_t cp)
{
    int ea, gc;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x300)
        return 1;
    gc = u_charType((UChar32)cp);
    if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK ||
        gc == U_FORMAT_CHAR || cp == 0x200B)
        return 0;
    ea = u_getIntPropertyValue((UChar32)cp, UCHAR_EAST_ASIAN_WIDTH);
    return (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
}

size_t quarry_text_width(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, w = 0;
    while (i < len) {
        uint32_t cp;
        size_t n;
        if (s[i] < 0x80) {
            w += (s[i] >= 0x20 && s[i] != 0x7F);
            i++;
            continue;
        }
        n = qi_utf8_decode(s + i, len - i, &cp);
        if (n == 0) { /* an invalid byte shows as one replacement char */
            w++;
            i++;
            continue;
        }
        w += cp_width(cp);
        i += n;
    }
    return w;
}
