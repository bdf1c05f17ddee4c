/*
 * term_kind.c - the token kind of a normalized term, read from its text.
 * The index keeps no kind per term (a merged dictionary has only texts), and
 * the tokenizer's rules make the first character decide: a token starting
 * with a letter is a word, with a digit a number, and so on (tokenize.c).
 */
#include "tokenize_internal.h"

int quarry_term_kind(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = qi_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return QUARRY_TOKEN_SYMBOL;
        i += n;
        switch (qi_classify(cp)) {
        case QI_C_LETTER:
        case QI_C_COMPLEX:
        case QI_C_CONNECT: return QUARRY_TOKEN_WORD;
        case QI_C_DIGIT:
        case QI_C_NUMSYM: return QUARRY_TOKEN_NUMBER;
        case QI_C_CJK: return QUARRY_TOKEN_CJK;
        case QI_C_PUNCT: return QUARRY_TOKEN_PUNCT;
        case QI_C_EXTEND:
        case QI_C_IGNORE:
        case QI_C_SPACE: continue; /* look at the next character */
        default: return QUARRY_TOKEN_SYMBOL;
        }
    }
    return 0;
}
