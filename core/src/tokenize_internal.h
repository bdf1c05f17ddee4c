/*
 * tokenize_internal.h - what the tokenizer's units (tokenize.c,
 * tokenize_latin.c, tokenize_icu.c, sentence.c, cjk_words.c) share.
 * Not installed; see docs/tokenizer.md for the behaviour.
 */
#ifndef QUARRY_TOKENIZE_INTERNAL_H
#define QUARRY_TOKENIZE_INTERNAL_H

#include "internal.h"

#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/utext.h>

/* Code-point classes of the scanner. */
enum {
    QI_C_OTHER = 0, /* unassigned, private use: a one-char SYMBOL */
    QI_C_SPACE,     /* White_Space: no token */
    QI_C_LETTER,    /* alphabetic, Latin or a script without dictionary */
    QI_C_COMPLEX,   /* a letter that ICU's dictionary breaks must see:
                       Thai, Lao, Khmer, Myanmar, Hangul */
    QI_C_DIGIT,     /* Nd */
    QI_C_CONNECT,   /* Pc, such as '_': joins like a letter (UAX #29) */
    QI_C_EXTEND,    /* marks, ZWJ, variation selectors: stay with the
                       previous char */
    QI_C_IGNORE,    /* other format chars (ZWSP, BOM): invisible */
    QI_C_CJK,       /* Han, kana, bopomofo: one token per char */
    QI_C_PUNCT,
    QI_C_SYMBOL,
    QI_C_NUMSYM /* No (superscripts, fractions): one-char NUMBER */
};

/* Per-token flags kept beside the public tokens (the public `flags`
 * field is reserved and stays 0). They describe the gap before a token. */
enum {
    QI_T_SPACE = 1,     /* whitespace before the token */
    QI_T_PARA = 2,      /* a blank line (or U+2029) before the token */
    QI_T_SOFTBREAK = 4, /* the gap is one line break plus spaces/tabs */
    QI_T_KANA = 8       /* a CJK token that is kana (word layer uses ICU) */
};

/* Normalized forms of single code points are cached, since CJK text and
 * punctuation repeat a few thousand distinct chars endlessly. */
#define QI_NCACHE_SIZE 2048
#define QI_NCACHE_BYTES 11
typedef struct qi_ncache_entry {
    uint32_t cp; /* 0 = empty (U+0000 never reaches the cache) */
    uint8_t len;
    char bytes[QI_NCACHE_BYTES];
} qi_ncache_entry;

/* A word longer than this is cut (at a char boundary before a non-mark),
 * which keeps every ICU call on bounded input. */
#define QI_MAX_WORD_BYTES 65536

typedef struct qi_cjk qi_cjk; /* the Chinese segmenter, in cjk_words.c */

struct quarry_tokenizer {
    quarry_env *env;
    unsigned flags;
    char errmsg[QI_ERRMSG_SIZE];
    char *locale; /* NUL-terminated, owned */
    size_t locale_len;
    const UNormalizer2 *nfkc; /* ICU-owned singleton; NULL with NO_NFKC */
    UBreakIterator *wbrk;     /* word break, opened on first use */
    UText ut;                 /* reused for every break call */
    UChar *u16a, *u16b;       /* UTF-16 scratch for normalization */
    size_t u16a_cap, u16b_cap;
    qi_buf scratch; /* UTF-8 scratch (normalization, CJK runs) */
    uint64_t *offs; /* byte offset per token of a CJK run */
    size_t offs_cap;
    qi_ncache_entry ncache[QI_NCACHE_SIZE];
    qi_cjk *cjk; /* NULL until the first Chinese run */
    char *cjk_dict;
    size_t cjk_dict_len;
    qi_buf lexicon; /* user words, normalized, each followed by a NUL */
    size_t lexicon_words;
};

struct quarry_tokens {
    quarry_env *env;
    quarry_token *tok;
    uint8_t *aux; /* QI_T_* per token */
    size_t ntok, cap, aux_cap;
    qi_buf arena;
    quarry_span *sent;
    size_t nsent, sent_cap;
    quarry_span *para;
    size_t npara, para_cap;
    quarry_word *words;
    size_t nwords, words_cap;
};

/* Decodes one code point of text already known to be valid UTF-8. */
static inline size_t qi_decode_valid(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xE0) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] < 0xF0) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
              (s[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
          ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

/* tokenize.c */
bool qi_tokens_grow(quarry_tokens *out);
/* Appends a token whose norm was just appended to the arena at norm. */
static inline bool qi_push_token(quarry_tokens *out, uint64_t start,
                                 uint64_t end, uint64_t norm, int kind,
                                 uint8_t aux)
{
    quarry_token *t;
    if (out->ntok == out->cap && !qi_tokens_grow(out))
        return false;
    t = &out->tok[out->ntok];
    t->start = start;
    t->end = end;
    t->norm = norm;
    t->norm_len = (uint32_t)(out->arena.len - norm);
    t->kind = (uint8_t)kind;
    t->flags = 0;
    t->reserved = 0;
    out->aux[out->ntok++] = aux;
    return true;
}

/* tokenize_latin.c: the scanner of word tokens. Returns the end of the
 * word starting at s[i] (a letter, digit or connector) and tells whether
 * it holds letters, digits, non-ASCII bytes or complex-script letters. */
typedef struct qi_word_scan {
    size_t end;
    bool letters;
    bool digits;
    bool nonascii;
    bool complex;
} qi_word_scan;
void qi_scan_word(const quarry_tokenizer *tok, const unsigned char *s,
                  size_t len, size_t i, qi_word_scan *ws);
/* Appends the ASCII-lowercased (or copied) bytes to the arena. */
bool qi_norm_ascii(quarry_tokenizer *tok, const char *s, size_t len,
                   qi_buf *arena);
extern const uint8_t qi_ascii_class[128];

/* Class of a non-ASCII code point, Latin blocks answered without ICU. */
int qi_class_nonascii(uint32_t cp);

/* tokenize_icu.c */
int qi_classify(uint32_t cp);
bool qi_is_kana_cp(uint32_t cp);
/* Appends the normalized form of s[0..len) to arena (QUARRY_OK/ENOMEM). */
int qi_norm_icu(quarry_tokenizer *tok, const char *s, size_t len,
                qi_buf *arena);
/* Same for a single code point, through the cache. */
int qi_norm_cp(quarry_tokenizer *tok, uint32_t cp, const char *s, size_t n,
               qi_buf *arena);
/* Opens the word break iterator on s[0..len) (UTF-8; native indexes are
 * byte offsets). Returns QUARRY_OK or sets tok->errmsg. */
int qi_wbrk_set(quarry_tokenizer *tok, const char *s, size_t len);
/* Emits tokens for a word holding complex-script letters, split by ICU. */
int qi_tokenize_complex(quarry_tokenizer *tok, const char *text, size_t start,
                        size_t end, uint8_t aux, quarry_tokens *out);
bool qi_is_upper_cp(uint32_t cp);
bool qi_is_lower_cp(uint32_t cp);
void qi_icu_close(quarry_tokenizer *tok);

/* sentence.c */
int qi_sentences(quarry_tokenizer *tok, const char *text, quarry_tokens *out);

/* cjk_words.c */
int qi_cjk_words(quarry_tokenizer *tok, quarry_tokens *out);
int qi_lexicon_load(quarry_tokenizer *tok, const char *path);
/* Checks that tok->cjk_dict and the files it names can be read. */
int qi_cjk_check(quarry_tokenizer *tok);
void qi_cjk_free(quarry_tokenizer *tok);

#endif
