/*
 * tokenize_latin.c - the hand-written fast path: the extent of a word token
 * (letters, digits and the joiners the defaults keep inside a word) and the
 * ASCII lowercasing of its normalized form. ASCII and the Latin blocks are
 * classified here without calling ICU, since they are almost all of the
 * bytes of Western text; other code points ask tokenize_icu.c.
 */
#include "tokenize_internal.h"

#include <string.h>

#define O QI_C_IGNORE
#define S QI_C_SPACE
#define L QI_C_LETTER
#define D QI_C_DIGIT
#define P QI_C_PUNCT
#define Y QI_C_SYMBOL
#define C QI_C_CONNECT
/* '%' is a symbol (with $ +) because corpus tools count it with units,
 * although Unicode files it under Po. */
const uint8_t qi_ascii_class[128] = {
    O, O, O, O, O, O, O, O, O, S, S, S, S, S, O, O, /* 00 */
    O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, /* 10 */
    S, P, P, P, Y, Y, P, P, P, P, P, Y, P, P, P, P, /*  !"#$%&'()*+,-./ */
    D, D, D, D, D, D, D, D, D, D, P, P, Y, Y, Y, P, /* 0-9 :;<=>? */
    P, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* @A-O */
    L, L, L, L, L, L, L, L, L, L, L, P, P, P, Y, C, /* P-Z [\]^_ */
    Y, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* `a-o */
    L, L, L, L, L, L, L, L, L, L, L, P, Y, P, Y, O  /* p-z {|}~ DEL */
};
#undef O
#undef S
#undef L
#undef D
#undef P
#undef Y
#undef C

/* What a char contributes to joining decisions. */
enum { K_NONE, K_LETTER, K_DIGIT, K_CONNECT, K_EXTEND };

/* Class of a non-ASCII code point; the Latin letter blocks and combining
 * diacritics are answered without ICU. */
int qi_class_nonascii(uint32_t cp)
{
    if (cp >= 0xC0 && cp < 0x2B0)
        return (cp == 0xD7 || cp == 0xF7) ? QI_C_SYMBOL : QI_C_LETTER;
    if (cp >= 0x300 && cp < 0x370)
        return QI_C_EXTEND;
    if (cp >= 0x1E00 && cp < 0x1F00)
        return QI_C_LETTER;
    return qi_classify(cp);
}

static inline int kind_of_class(int cls)
{
    switch (cls) {
    case QI_C_LETTER:
    case QI_C_COMPLEX: return K_LETTER;
    case QI_C_DIGIT: return K_DIGIT;
    case QI_C_CONNECT: return K_CONNECT;
    case QI_C_EXTEND: return K_EXTEND;
    default: return K_NONE;
    }
}

/* Kind of the char at s[i] (K_NONE past the end). */
static inline int kind_at(const unsigned char *s, size_t len, size_t i)
{
    uint32_t cp;
    if (i >= len)
        return K_NONE;
    if (s[i] < 0x80)
        return kind_of_class(qi_ascii_class[s[i]]);
    if (!qi_utf8_decode(s + i, len - i, &cp))
        return K_NONE;
    return kind_of_class(qi_class_nonascii(cp));
}

static bool is_hyphen_cp(uint32_t cp)
{
    return cp == 0x2010 || cp == 0x2011;
}

void qi_scan_word(const quarry_tokenizer *tok, const unsigned char *s,
                  size_t len, size_t i, qi_word_scan *ws)
{
    const bool keep_hyphens = !(tok->flags & QUARRY_TOK_SPLIT_HYPHENS);
    const bool keep_apos = !(tok->flags & QUARRY_TOK_SPLIT_APOSTROPHES);
    const bool keep_nums = !(tok->flags & QUARRY_TOK_SPLIT_NUMBERS);
    const size_t start = i;
    int prev = K_NONE;
    size_t run = 0; /* length of the last run of ASCII letters */
    ws->letters = ws->digits = ws->nonascii = ws->complex = false;

    while (i < len) {
        unsigned char c = s[i];
        uint32_t cp;
        size_t n;
        int cls, next;

        if (c < 0x80) {
            cls = qi_ascii_class[c];
            if (cls == QI_C_LETTER) {
                /* the hot loop: a run of ASCII letters */
                size_t run_start = i;
                do
                    i++;
                while (i < len && s[i] < 0x80 &&
                       qi_ascii_class[s[i]] == QI_C_LETTER);
                run = i - run_start;
                ws->letters = true;
                prev = K_LETTER;
                goto next_char;
            }
            if (cls == QI_C_DIGIT) {
                do
                    i++;
                while (i < len && s[i] >= '0' && s[i] <= '9');
                ws->digits = true;
                prev = K_DIGIT;
                goto next_char;
            }
            if (cls == QI_C_CONNECT) {
                i++;
                prev = K_CONNECT;
                goto next_char;
            }
            if (prev != K_LETTER && prev != K_DIGIT)
                break;
            next = kind_at(s, len, i + 1);
            if (c == '-' && keep_hyphens &&
                (next == K_LETTER || next == K_DIGIT) &&
                (prev == K_LETTER || next == K_LETTER)) {
                i++;
                continue;
            }
            if (c == '\'' && keep_apos && next == K_LETTER) {
                i++;
                continue;
            }
            if ((c == '.' || c == ',') && keep_nums && prev == K_DIGIT &&
                next == K_DIGIT) {
                i++;
                continue;
            }
            /* dotted initialisms stay one word, as in UAX #29 (MidNumLet):
             * "U.S", "e.g", "U.S.A" -- single letters between periods only,
             * so that "end.Next" in messy text is still two words */
            if (c == '.' && prev == K_LETTER && run == 1 && i + 1 < len &&
                s[i + 1] < 0x80 && qi_ascii_class[s[i + 1]] == QI_C_LETTER &&
                (i + 2 >= len || s[i + 2] >= 0x80 ||
                 (qi_ascii_class[s[i + 2]] != QI_C_LETTER &&
                  qi_ascii_class[s[i + 2]] != QI_C_DIGIT))) {
                i++;
                continue;
            }
            break;
        }

        n = qi_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            break;
        cls = qi_class_nonascii(cp);
        switch (cls) {
        case QI_C_COMPLEX: ws->complex = true; /* fall through */
        case QI_C_LETTER:
            ws->letters = true;
            prev = K_LETTER;
            run = 0;
            break;
        case QI_C_DIGIT:
            ws->digits = true;
            prev = K_DIGIT;
            break;
        case QI_C_CONNECT: prev = K_CONNECT; break;
        case QI_C_EXTEND: break; /* a mark keeps the kind of its base */
        default:
            if (prev != K_LETTER && prev != K_DIGIT)
                goto done;
            next = kind_at(s, len, i + n);
            if (is_hyphen_cp(cp) && keep_hyphens &&
                (next == K_LETTER || next == K_DIGIT) &&
                (prev == K_LETTER || next == K_LETTER))
                break;
            if (cp == 0x2019 && keep_apos && next == K_LETTER)
                break;
            goto done;
        }
        ws->nonascii = true;
        i += n;
    next_char:
        /* cut an overlong word before a base char, or anywhere once a
         * run of marks makes it twice the limit */
        if (i - start >= QI_MAX_WORD_BYTES &&
            (kind_at(s, len, i) != K_EXTEND ||
             i - start >= 2 * QI_MAX_WORD_BYTES))
            break;
    }
done:
    ws->end = i;
}

bool qi_norm_ascii(quarry_tokenizer *tok, const char *s, size_t len,
                   qi_buf *arena)
{
    char *d;
    size_t k;
    if (arena->len + len >= arena->cap && !qi_buf_reserve(tok->env, arena, len))
        return false;
    d = arena->data + arena->len;
    if (tok->flags & QUARRY_TOK_CASE_SENSITIVE) {
        memcpy(d, s, len);
    } else {
        for (k = 0; k < len; k++) {
            unsigned char c = (unsigned char)s[k];
            d[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    }
    arena->len += len;
    return true;
}
