/*
 * test_wordbreak.c - our token boundaries against the Unicode UAX #29 word
 * break conformance file WordBreakTest.txt (package unicode-data; path
 * overridable with QUARRY_WORDBREAKTEST).
 *
 * Expected tokens are the UAX #29 segments minus those made only of
 * whitespace (whitespace yields no tokens). A mismatch fails the test
 * unless the case falls in one of the deliberate deviations documented in
 * docs/tokenizer.md; those are skipped and counted per category.
 * QUARRY_WORDBREAK_VERBOSE=1 prints every skipped case.
 */
#include "check.h"
#include "quarry.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#define DEFAULT_PATH "/usr/share/unicode/auxiliary/WordBreakTest.txt"
#define MAX_CPS 64

/* Deviation categories, tested in this order; a mismatching case is put in
 * the first whose trigger it contains. */
enum {
    DEV_INVISIBLE, /* controls and ZWSP produce no token */
    DEV_SPACE_EXT, /* marks/ZWJ/format after whitespace (WB4, WB3d) */
    DEV_PUNCT_MID, /* . : ' , ; between letters/digits: punct is split */
    DEV_HEBREW_QT, /* Hebrew letter + quote rules (WB7a-c) */
    DEV_KATAKANA,  /* Katakana runs: we make one token per kana */
    DEV_ZWJ_EMOJI, /* ZWJ + pictographic inside or after words */
    DEV_COUNT
};

static const char *const dev_names[DEV_COUNT] = {
    "controls and ZWSP produce no token",
    "marks/format/ZWJ after whitespace or at the start",
    "mid-word punctuation (. : , ; ') is its own token",
    "Hebrew letter + quote rules",
    "Katakana: one token per kana",
    "ZWJ + pictographic sequences",
};

static int wb(uint32_t cp)
{
    return u_getIntPropertyValue((UChar32)cp, UCHAR_WORD_BREAK);
}

static bool is_space(uint32_t cp)
{
    return u_isUWhiteSpace((UChar32)cp) != 0;
}

static bool is_invisible(uint32_t cp)
{
    return u_charType((UChar32)cp) == U_CONTROL_CHAR || cp == 0x200B;
}

/* The category of a mismatching case, or -1. */
static int categorize(const uint32_t *cp, size_t n)
{
    size_t i;
    bool has[DEV_COUNT] = {false};
    for (i = 0; i < n; i++) {
        int w = wb(cp[i]);
        bool mark = w == U_WB_EXTEND || w == U_WB_FORMAT || w == U_WB_ZWJ;
        if (is_invisible(cp[i]) && !is_space(cp[i]) && !mark)
            has[DEV_INVISIBLE] = true;
        if (mark && (i == 0 || is_space(cp[i - 1])))
            has[DEV_SPACE_EXT] = true;
        if (w == U_WB_MIDLETTER || w == U_WB_MIDNUM || w == U_WB_MIDNUMLET ||
            w == U_WB_SINGLE_QUOTE)
            has[DEV_PUNCT_MID] = true;
        if (w == U_WB_HEBREW_LETTER || w == U_WB_DOUBLE_QUOTE)
            has[DEV_HEBREW_QT] = true;
        if (w == U_WB_KATAKANA)
            has[DEV_KATAKANA] = true;
        if (w == U_WB_ZWJ)
            has[DEV_ZWJ_EMOJI] = true;
    }
    for (i = 0; i < DEV_COUNT; i++)
        if (has[i])
            return (int)i;
    return -1;
}

static size_t encode(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int main(void)
{
    const char *path = getenv("QUARRY_WORDBREAKTEST");
    const char *verbose = getenv("QUARRY_WORDBREAK_VERBOSE");
    char line[4096];
    FILE *f;
    quarry_env *env;
    quarry_tokenizer *tok;
    quarry_tokenizer_options o = {0};
    quarry_tokens *toks;
    unsigned long cases = 0, passed = 0, failed = 0, lineno = 0, blanks = 0;
    unsigned long skipped[DEV_COUNT] = {0}, total_skipped = 0;
    size_t k;

    if (!path)
        path = DEFAULT_PATH;
    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr,
                "FAIL: cannot open %s: install the Debian package "
                "unicode-data (or set QUARRY_WORDBREAKTEST to the path of "
                "WordBreakTest.txt)\n",
                path);
        return 1;
    }
    o.flags = QUARRY_TOK_NO_CJK_WORDS;
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK ||
        quarry_tokenizer_new(env, &o, &tok) != QUARRY_OK ||
        quarry_tokens_new(env, &toks) != QUARRY_OK)
        return 1;

    while (fgets(line, sizeof line, f)) {
        uint32_t cps[MAX_CPS];
        size_t starts[MAX_CPS + 1], exp_s[MAX_CPS], exp_e[MAX_CPS];
        bool brk[MAX_CPS + 1];
        char text[MAX_CPS * 4 + 1];
        size_t n = 0, len = 0, nexp = 0, i, seg;
        const quarry_token *d;
        bool ok;
        char *p = line, *hash = strchr(line, '#');
        lineno++;
        if (hash)
            *hash = '\0';
        /* "÷ 0001 × 0308 ÷": a break marker before each code point */
        while (*p) {
            if (strncmp(p, "\xc3\xb7", 2) == 0) { /* ÷ */
                brk[n] = true;
                p += 2;
            } else if (strncmp(p, "\xc3\x97", 2) == 0) { /* × */
                brk[n] = false;
                p += 2;
            } else if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F')) {
                if (n == MAX_CPS)
                    break;
                cps[n] = (uint32_t)strtoul(p, &p, 16);
                starts[n] = len;
                len += encode(cps[n], text + len);
                n++;
            } else {
                p++;
            }
        }
        if (n == 0)
            continue;
        starts[n] = len;
        cases++;
        /* expected tokens: segments that are not all whitespace */
        for (i = 0; i < n; i = seg) {
            bool blank = is_space(cps[i]);
            for (seg = i + 1; seg < n && !brk[seg]; seg++)
                blank = blank && is_space(cps[seg]);
            if (!blank) {
                exp_s[nexp] = starts[i];
                exp_e[nexp++] = starts[seg];
            }
        }
        for (i = 0; i < n; i++)
            if (is_space(cps[i]) && wb(cps[i]) == U_WB_WSEGSPACE) {
                blanks++;
                break;
            }
        if (quarry_tokenize(tok, text, len, toks) != QUARRY_OK) {
            fprintf(stderr, "line %lu: tokenize failed: %s\n", lineno,
                    quarry_tokenizer_errmsg(tok));
            failed++;
            continue;
        }
        d = quarry_tokens_data(toks);
        ok = quarry_tokens_count(toks) == nexp;
        for (i = 0; ok && i < nexp; i++)
            ok = d[i].start == exp_s[i] && d[i].end == exp_e[i];
        if (ok) {
            passed++;
        } else {
            int cat = categorize(cps, n);
            if (cat < 0) {
                failed++;
            } else {
                skipped[cat]++;
                total_skipped++;
            }
            if (cat < 0 || (verbose && *verbose == '1')) {
                fprintf(stderr, "line %lu %s [%s]: expected", lineno,
                        cat < 0 ? "MISMATCH" : "skipped",
                        cat < 0 ? "-" : dev_names[cat]);
                for (i = 0; i < nexp; i++)
                    fprintf(stderr, " %zu-%zu", exp_s[i], exp_e[i]);
                fprintf(stderr, ", got");
                for (i = 0; i < quarry_tokens_count(toks); i++)
                    fprintf(stderr, " %llu-%llu",
                            (unsigned long long)d[i].start,
                            (unsigned long long)d[i].end);
                fprintf(stderr, " ; cps");
                for (i = 0; i < n; i++)
                    fprintf(stderr, " %s%04X", brk[i] ? "/" : "x",
                            (unsigned)cps[i]);
                fprintf(stderr, "\n");
            }
        }
    }
    fclose(f);
    printf("WordBreakTest: %lu cases, %lu pass, %lu skipped as deliberate "
           "deviations, %lu fail\n",
           cases, passed, total_skipped, failed);
    printf("  (%lu cases hold horizontal whitespace, whose segments are "
           "dropped from the expectation: no tokens for whitespace)\n",
           blanks);
    for (k = 0; k < DEV_COUNT; k++)
        printf("  skipped %4lu  %s\n", skipped[k], dev_names[k]);
    quarry_tokens_free(toks);
    quarry_tokenizer_free(tok);
    quarry_env_free(env);
    CHECK(cases > 1000);
    CHECK_EQ_INT(failed, 0);
    return check_summary();
}
