/*
 * sentence.c - sentence and paragraph spans over the tokens.
 *
 * A hand-written version of UAX #29 sentence breaks with ICU's "en@ss=standard"
 * suppressions, working on tokens instead of chars: it runs in one pass
 * over the token array without calling ICU, which is what keeps English at
 * well over 150 MB/s. Deliberate differences from ICU (docs/tokenizer.md):
 * a single line break does not end a sentence (hard-wrapped text would be
 * cut at every line); a blank line does, and starts a paragraph.
 */
#include "tokenize_internal.h"

#include <string.h>
#include <unicode/uchar.h>

/* Abbreviations whose period does not end a sentence (ICU's English
 * suppression list, trimmed to the unambiguous ones). Lowercase. */
static const char *const abbreviations[] = {
    "mr",     "mrs",  "ms",     "dr",  "st",   "jr",   "sr",   "prof", "mt",
    "messrs", "mme",  "mlle",   "gen", "col",  "capt", "lt",   "sgt",  "maj",
    "adm",    "cmdr", "rev",    "hon", "gov",  "sen",  "rep",  "pres", "supt",
    "esq",    "ave",  "blvd",   "vs",  "inc",  "ltd",  "corp", "bros", "dept",
    "univ",   "assn", "approx", "fig", "figs", "vol",  "vols", "pp",   "jan",
    "feb",    "aug",  "sept",   "oct", "nov",  "dec",  "cf",   "al",   "ca"};

static uint32_t first_cp(const char *text, const quarry_token *t)
{
    uint32_t cp = 0;
    qi_utf8_decode((const unsigned char *)text + t->start, t->end - t->start,
                   &cp);
    return cp;
}

enum { T_NONE, T_ATERM, T_STERM };

static int term_kind(const char *text, const quarry_token *t)
{
    uint32_t cp;
    if (t->kind != QUARRY_TOKEN_PUNCT)
        return T_NONE;
    cp = first_cp(text, t);
    switch (cp) {
    case '.':
    case 0x2024:
    case 0xFE52:
    case 0xFF0E: return T_ATERM;
    case '!':
    case '?':
    case 0x3002:
    case 0xFF01:
    case 0xFF1F:
    case 0xFF61:
    case 0x203C:
    case 0x203D:
    case 0x2047:
    case 0x2048:
    case 0x2049:
    case 0xFE56:
    case 0xFE57: return T_STERM;
    default: return T_NONE;
    }
}

static bool is_close(const char *text, const quarry_token *t)
{
    uint32_t cp;
    if (t->kind != QUARRY_TOKEN_PUNCT)
        return false;
    cp = first_cp(text, t);
    if (cp < 0x80)
        return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == '}';
    /* Unlike UAX #29, opening quotes (Pi) are not taken: in Chinese the
     * next sentence often starts with “ right after 。 */
    switch (u_charType((UChar32)cp)) {
    case U_END_PUNCTUATION:
    case U_FINAL_PUNCTUATION: return true;
    default: return false;
    }
}

static bool is_abbreviation(const char *s, size_t len)
{
    char low[8];
    size_t k;
    if (len >= sizeof low)
        return false;
    for (k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c >= 0x80)
            return false;
        low[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    low[len] = '\0';
    for (k = 0; k < sizeof abbreviations / sizeof *abbreviations; k++)
        if (abbreviations[k][0] == low[0] && strcmp(low, abbreviations[k]) == 0)
            return true;
    return false;
}

/* Whether the period at token k, with the closing tokens up to j, ends a
 * sentence. */
static bool period_ends(const char *text, const quarry_tokens *out, size_t k,
                        size_t j)
{
    const quarry_token *tk = out->tok;
    const uint8_t *aux = out->aux;
    size_t n = out->ntok, m, limit;

    /* "U.S", "example.com", "3.14" split: no space after the period */
    if (j < n && !(aux[j] & QI_T_SPACE) && j == k + 1)
        return false;
    if (k > 0 && !(aux[k] & QI_T_SPACE) &&
        tk[k - 1].kind == QUARRY_TOKEN_WORD) {
        const quarry_token *w = &tk[k - 1];
        uint32_t cp;
        size_t wl = w->end - w->start;
        size_t cl =
            qi_utf8_decode((const unsigned char *)text + w->start, wl, &cp);
        if (cl == wl) {
            /* "J. Smith", and "U.S." / "e.g." as dotted letters */
            if (qi_is_upper_cp(cp))
                return false;
            if (k >= 2 && !(aux[k - 1] & QI_T_SPACE) &&
                term_kind(text, &tk[k - 2]) == T_ATERM)
                return false;
        }
        if (is_abbreviation(text + w->start, wl) ||
            memchr(text + w->start, '.', wl)) /* "U.S." "e.g." */
            return false;
    }
    /* UAX #29 SB8: no break if the next word starts in lowercase */
    limit = j + 64 < n ? j + 64 : n;
    for (m = j; m < limit; m++) {
        if (aux[m] & QI_T_PARA)
            return true;
        if (tk[m].kind == QUARRY_TOKEN_WORD)
            return !qi_is_lower_cp(first_cp(text, &tk[m]));
        if (tk[m].kind == QUARRY_TOKEN_CJK || term_kind(text, &tk[m]))
            return true;
    }
    return true;
}

static bool push_span(quarry_env *env, quarry_span **arr, size_t *count,
                      size_t *cap, size_t first, size_t end)
{
    void *p = *arr;
    if (*count == *cap &&
        !qi_array_reserve(env, &p, cap, *count + 1, sizeof(quarry_span)))
        return false;
    *arr = p;
    (*arr)[*count].first = first;
    (*arr)[*count].end = end;
    (*count)++;
    return true;
}

int qi_sentences(quarry_tokenizer *tok, const char *text, quarry_tokens *out)
{
    quarry_env *env = out->env;
    size_t n = out->ntok, k, s0 = 0, p0 = 0;
    const quarry_token *tk = out->tok;
    const uint8_t *aux = out->aux;

    for (k = 0; k < n; k++) {
        int tkind;
        size_t j;
        if (k > 0 && (aux[k] & QI_T_PARA)) {
            if ((s0 < k && !push_span(env, &out->sent, &out->nsent,
                                      &out->sent_cap, s0, k)) ||
                !push_span(env, &out->para, &out->npara, &out->para_cap, p0, k))
                goto nomem;
            s0 = p0 = k;
        }
        /* most tokens are words: test the kind before decoding */
        if (tk[k].kind != QUARRY_TOKEN_PUNCT)
            continue;
        tkind = term_kind(text, &tk[k]);
        if (tkind == T_NONE)
            continue;
        j = k + 1;
        while (j < n && !(aux[j] & QI_T_SPACE) &&
               (term_kind(text, &tk[j]) != T_NONE || is_close(text, &tk[j])))
            j++;
        if (tkind == T_STERM || period_ends(text, out, k, j)) {
            if (!push_span(env, &out->sent, &out->nsent, &out->sent_cap, s0, j))
                goto nomem;
            s0 = j;
        }
        k = j - 1;
    }
    if (n > 0) {
        if ((s0 < n &&
             !push_span(env, &out->sent, &out->nsent, &out->sent_cap, s0, n)) ||
            !push_span(env, &out->para, &out->npara, &out->para_cap, p0, n))
            goto nomem;
    }
    return QUARRY_OK;
nomem:
    qi_set_error(tok->errmsg, "out of memory computing sentences");
    return QUARRY_ENOMEM;
}
