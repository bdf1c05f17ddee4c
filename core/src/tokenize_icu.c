/*
 * tokenize_icu.c - everything the tokenizer asks ICU: the classes of
 * non-Latin code points, normalization of one token at a time (never the
 * whole text, so ICU sees bounded input), and UAX #29 word breaks for the
 * scripts that need ICU's dictionaries (Thai, Lao, Khmer, Myanmar, Hangul,
 * Japanese kana runs).
 */
#include "tokenize_internal.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

static bool is_space_cp(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 ||
           cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

static bool is_cjk_cp(uint32_t cp)
{
    if (cp < 0x3005)
        return false;
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x309D && cp <= 0x309F) ||
           (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0x30FC && cp <= 0x30FF) ||
           (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3021 && cp <= 0x3029) ||
           (cp >= 0x3031 && cp <= 0x3035) || (cp >= 0x3038 && cp <= 0x303B) ||
           (cp >= 0x3105 && cp <= 0x312F) || (cp >= 0x31A0 && cp <= 0x31BF) ||
           (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF66 && cp <= 0xFF9D) || (cp >= 0x1B000 && cp <= 0x1B16F) ||
           (cp >= 0x20000 && cp <= 0x323AF);
}

bool qi_is_kana_cp(uint32_t cp)
{
    return (cp >= 0x3041 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0x3031 && cp <= 0x3035) || (cp >= 0xFF66 && cp <= 0xFF9D) ||
           (cp >= 0x1B000 && cp <= 0x1B16F);
}

/* Scripts whose words ICU finds with dictionaries or keeps as syllable
 * runs; our own letter rule would get Thai wrong. */
static bool is_complex_cp(uint32_t cp)
{
    return (cp >= 0x0E00 && cp <= 0x0EFF) || (cp >= 0x1000 && cp <= 0x109F) ||
           (cp >= 0x1780 && cp <= 0x17FF) || (cp >= 0x19E0 && cp <= 0x19FF) ||
           (cp >= 0xAA60 && cp <= 0xAA7F) || (cp >= 0xA9E0 && cp <= 0xA9FF) ||
           (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
           (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xAC00 && cp <= 0xD7FF) ||
           (cp >= 0xFFA0 && cp <= 0xFFDC);
}

int qi_classify(uint32_t cp)
{
    if (cp < 0x80)
        return qi_ascii_class[cp];
    if (is_space_cp(cp))
        return QI_C_SPACE;
    if (is_cjk_cp(cp))
        return QI_C_CJK;
    if (cp == 0x200C || cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) ||
        (cp >= 0xE0100 && cp <= 0xE01EF) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
        cp == 0xFF9E || cp == 0xFF9F)
        return QI_C_EXTEND;
    if (cp == 0x2030 || cp == 0x2031 || cp == 0xFF05 || cp == 0x066A ||
        cp == 0xFE6A)
        return QI_C_SYMBOL;
    switch (u_charType((UChar32)cp)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_LETTER_NUMBER: return is_complex_cp(cp) ? QI_C_COMPLEX : QI_C_LETTER;
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK: return QI_C_EXTEND;
    case U_DECIMAL_DIGIT_NUMBER: return QI_C_DIGIT;
    case U_OTHER_NUMBER: return QI_C_NUMSYM;
    case U_CONNECTOR_PUNCTUATION: return QI_C_CONNECT;
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION: return QI_C_PUNCT;
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL: return QI_C_SYMBOL;
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR: return QI_C_SPACE;
    case U_FORMAT_CHAR:
        /* soft hyphen, word joiner, BOM...: part of the char before them
         * (UAX #29 WB4); ZWSP is a boundary that yields no token */
        return cp == 0x200B ? QI_C_IGNORE : QI_C_EXTEND;
    case U_CONTROL_CHAR: return QI_C_IGNORE;
    default: return QI_C_OTHER;
    }
}

bool qi_is_upper_cp(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    return u_isUUppercase((UChar32)cp) ||
           u_charType((UChar32)cp) == U_TITLECASE_LETTER;
}

bool qi_is_lower_cp(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z';
    return u_isULowercase((UChar32)cp);
}

static bool grow_u16(quarry_tokenizer *tok, UChar **p, size_t *cap, size_t need)
{
    size_t ncap = *cap ? *cap : 256;
    UChar *np;
    if (need <= *cap)
        return true;
    while (ncap < need)
        ncap *= 2;
    np = qi_realloc(tok->env, *p, *cap * sizeof(UChar), ncap * sizeof(UChar));
    if (!np)
        return false;
    *p = np;
    *cap = ncap;
    return true;
}

static int oom(quarry_tokenizer *tok)
{
    qi_set_error(tok->errmsg, "out of memory while normalizing");
    return QUARRY_ENOMEM;
}

int qi_norm_icu(quarry_tokenizer *tok, const char *s, size_t len, qi_buf *arena)
{
    const bool fold = !(tok->flags & QUARRY_TOK_CASE_SENSITIVE);
    UErrorCode err = U_ZERO_ERROR;
    int32_t n16 = 0, m16 = 0, n8 = 0;
    const UChar *res;

    if (!tok->nfkc && !fold)
        return qi_buf_append(tok->env, arena, s, len) ? QUARRY_OK : oom(tok);
    /* UTF-16 never has more units than UTF-8 has bytes */
    if (!grow_u16(tok, &tok->u16a, &tok->u16a_cap, len + 1))
        return oom(tok);
    u_strFromUTF8(tok->u16a, (int32_t)tok->u16a_cap, &n16, s, (int32_t)len,
                  &err);
    if (U_FAILURE(err))
        goto icu_fail;
    for (;;) {
        err = U_ZERO_ERROR;
        if (tok->nfkc)
            m16 = unorm2_normalize(tok->nfkc, tok->u16a, n16, tok->u16b,
                                   (int32_t)tok->u16b_cap, &err);
        else
            m16 = u_strFoldCase(tok->u16b, (int32_t)tok->u16b_cap, tok->u16a,
                                n16, U_FOLD_CASE_DEFAULT, &err);
        if (err == U_BUFFER_OVERFLOW_ERROR ||
            (U_SUCCESS(err) && (size_t)m16 >= tok->u16b_cap)) {
            if (!grow_u16(tok, &tok->u16b, &tok->u16b_cap,
                          (size_t)m16 + 1 > 64 ? (size_t)m16 + 1 : 64))
                return oom(tok);
            continue;
        }
        break;
    }
    if (U_FAILURE(err))
        goto icu_fail;
    res = tok->u16b;
    for (;;) {
        size_t room = arena->cap > arena->len ? arena->cap - arena->len : 0;
        err = U_ZERO_ERROR;
        u_strToUTF8(arena->data ? arena->data + arena->len : NULL,
                    (int32_t)(room > INT32_MAX ? INT32_MAX : room), &n8, res,
                    m16, &err);
        if (err == U_BUFFER_OVERFLOW_ERROR ||
            (U_SUCCESS(err) && (size_t)n8 >= room)) {
            if (!qi_buf_reserve(tok->env, arena, (size_t)n8 + 1))
                return oom(tok);
            continue;
        }
        break;
    }
    if (U_FAILURE(err))
        goto icu_fail;
    arena->len += (size_t)n8;
    return QUARRY_OK;
icu_fail:
    qi_set_error(tok->errmsg, "ICU normalization failed: %s", u_errorName(err));
    return err == U_MEMORY_ALLOCATION_ERROR ? QUARRY_ENOMEM : QUARRY_EINVAL;
}

/* Code points whose NFKC-casefolded form is themselves: the unified
 * ideographs and the ordinary kana. */
static bool norm_is_identity(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) ||
           (cp >= 0x20000 && cp <= 0x2A6DF);
}

int qi_norm_cp(quarry_tokenizer *tok, uint32_t cp, const char *s, size_t n,
               qi_buf *arena)
{
    qi_ncache_entry *e;
    size_t before;
    int rc;
    if (norm_is_identity(cp) ||
        (!tok->nfkc && (tok->flags & QUARRY_TOK_CASE_SENSITIVE))) {
        if (arena->len + n >= arena->cap && !qi_buf_reserve(tok->env, arena, n))
            return oom(tok);
        memcpy(arena->data + arena->len, s, n);
        arena->len += n;
        return QUARRY_OK;
    }
    e = &tok->ncache[cp % QI_NCACHE_SIZE];
    if (e->cp == cp) {
        if (arena->len + e->len >= arena->cap &&
            !qi_buf_reserve(tok->env, arena, e->len))
            return oom(tok);
        memcpy(arena->data + arena->len, e->bytes, e->len);
        arena->len += e->len;
        return QUARRY_OK;
    }
    before = arena->len;
    rc = qi_norm_icu(tok, s, n, arena);
    if (rc == QUARRY_OK && arena->len - before <= QI_NCACHE_BYTES) {
        e->cp = cp;
        e->len = (uint8_t)(arena->len - before);
        memcpy(e->bytes, arena->data + before, e->len);
    }
    return rc;
}

int qi_wbrk_set(quarry_tokenizer *tok, const char *s, size_t len)
{
    UErrorCode err = U_ZERO_ERROR;
    if (!tok->wbrk) {
        tok->wbrk = ubrk_open(UBRK_WORD, tok->locale, NULL, 0, &err);
        if (U_FAILURE(err)) {
            tok->wbrk = NULL;
            qi_set_error(tok->errmsg, "cannot open the ICU word breaker: %s",
                         u_errorName(err));
            return err == U_MEMORY_ALLOCATION_ERROR ? QUARRY_ENOMEM
                                                    : QUARRY_EUNSUPPORTED;
        }
    }
    utext_openUTF8(&tok->ut, s, (int64_t)len, &err);
    if (U_SUCCESS(err))
        ubrk_setUText(tok->wbrk, &tok->ut, &err);
    if (U_FAILURE(err)) {
        qi_set_error(tok->errmsg, "ICU word break failed: %s",
                     u_errorName(err));
        return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

/* Kind of an ICU segment from its rule status and first char. */
static int segment_kind(int status, uint32_t cp)
{
    if (status >= UBRK_WORD_NUMBER && status < UBRK_WORD_NUMBER_LIMIT)
        return QUARRY_TOKEN_NUMBER;
    if (status >= UBRK_WORD_LETTER)
        return QUARRY_TOKEN_WORD;
    switch (qi_classify(cp)) {
    case QI_C_LETTER:
    case QI_C_COMPLEX:
    case QI_C_CONNECT: return QUARRY_TOKEN_WORD;
    case QI_C_DIGIT:
    case QI_C_NUMSYM: return QUARRY_TOKEN_NUMBER;
    case QI_C_PUNCT: return QUARRY_TOKEN_PUNCT;
    default: return QUARRY_TOKEN_SYMBOL;
    }
}

int qi_tokenize_complex(quarry_tokenizer *tok, const char *text, size_t start,
                        size_t end, uint8_t aux, quarry_tokens *out)
{
    const char *s = text + start;
    int32_t prev = 0, b;
    int rc = qi_wbrk_set(tok, s, end - start);
    if (rc != QUARRY_OK)
        return rc;
    while ((b = ubrk_next(tok->wbrk)) != UBRK_DONE) {
        uint32_t cp = 0;
        uint64_t norm = out->arena.len;
        int kind;
        qi_utf8_decode((const unsigned char *)s + prev, (size_t)(b - prev),
                       &cp);
        kind = segment_kind(ubrk_getRuleStatus(tok->wbrk), cp);
        rc = qi_norm_icu(tok, s + prev, (size_t)(b - prev), &out->arena);
        if (rc != QUARRY_OK)
            return rc;
        if (!qi_push_token(out, start + (uint64_t)prev, start + (uint64_t)b,
                           norm, kind, aux))
            return oom(tok);
        aux = 0;
        prev = b;
    }
    return QUARRY_OK;
}

void qi_icu_close(quarry_tokenizer *tok)
{
    if (tok->wbrk)
        ubrk_close(tok->wbrk);
    utext_close(&tok->ut);
    qi_free(tok->env, tok->u16a, tok->u16a_cap * sizeof(UChar));
    qi_free(tok->env, tok->u16b, tok->u16b_cap * sizeof(UChar));
}
