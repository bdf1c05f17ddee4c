/*
 * fuzz_tokenize.c - libFuzzer target for the tokenizer: quarry_tokenize.
 *
 * Input: the first byte picks one of four tokenizer configurations (the
 * defaults; case-sensitive without NFKC; every split flag; no CJK word
 * layer); the rest is repaired to valid UTF-8 (invalid bytes -> U+FFFD, as
 * the readers do) and tokenized. Invariants: tokens are in text order, do not
 * overlap, lie inside the text on UTF-8 boundaries and have a known kind;
 * sentences and paragraphs each cover every token exactly once, in order;
 * word-layer units are in range. Tokenizers are created once per
 * configuration and reused (as a real caller does).
 */
#include "fuzz_common.h"
#include "quarry.h"

#define NCONF 4
static const unsigned conf_flags[NCONF] = {
    0,
    QUARRY_TOK_CASE_SENSITIVE | QUARRY_TOK_NO_NFKC,
    QUARRY_TOK_SPLIT_HYPHENS | QUARRY_TOK_SPLIT_APOSTROPHES |
        QUARRY_TOK_SPLIT_NUMBERS,
    QUARRY_TOK_NO_CJK_WORDS,
};

static quarry_env *env;
static quarry_tokenizer *toks_by_conf[NCONF];
static quarry_tokens *result;

static int is_boundary(const char *text, size_t len, uint64_t off)
{
    return off == len || ((unsigned char)text[off] & 0xC0) != 0x80;
}

static void check_spans(const quarry_span *s, size_t n, size_t ntok)
{
    uint64_t next = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(s[i].first == next);
        FUZZ_CHECK(s[i].end > s[i].first);
        next = s[i].end;
    }
    FUZZ_CHECK(next == ntok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_tokenizer *tok;
    const quarry_token *t;
    const quarry_word *w;
    char *text;
    size_t len, n, i;
    int rc;

    if (size < 1)
        return 0;
    if (!env && quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 0;
    if (!result && quarry_tokens_new(env, &result) != QUARRY_OK)
        return 0;
    tok = toks_by_conf[data[0] % NCONF];
    if (!tok) {
        quarry_tokenizer_options opts = {0, NULL, NULL, NULL};
        opts.flags = conf_flags[data[0] % NCONF];
        rc = quarry_tokenizer_new(env, &opts, &tok);
        if (rc != QUARRY_OK) {
            fprintf(stderr, "quarry_tokenizer_new: %s: %s\n",
                    quarry_status_name(rc), quarry_env_errmsg(env));
            abort();
        }
        toks_by_conf[data[0] % NCONF] = tok;
    }

    text = fuzz_utf8_repair(data + 1, size - 1, &len);
    if (!text)
        return 0;
    FUZZ_CHECK(quarry_utf8_valid(text, len));

    rc = quarry_tokenize(tok, text, len, result);
    FUZZ_CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
    if (rc == QUARRY_OK) {
        uint64_t prev_end = 0;
        n = quarry_tokens_count(result);
        t = quarry_tokens_data(result);
        FUZZ_CHECK(n == 0 || t != NULL);
        for (i = 0; i < n; i++) {
            FUZZ_CHECK(t[i].start >= prev_end);
            FUZZ_CHECK(t[i].start < t[i].end);
            FUZZ_CHECK(t[i].end <= len);
            FUZZ_CHECK(is_boundary(text, len, t[i].start));
            FUZZ_CHECK(is_boundary(text, len, t[i].end));
            FUZZ_CHECK(t[i].kind >= QUARRY_TOKEN_WORD &&
                       t[i].kind <= QUARRY_TOKEN_CJK);
            FUZZ_CHECK(t[i].norm_len == 0 ||
                       quarry_tokens_arena(result) != NULL);
            if (t[i].norm_len)
                FUZZ_CHECK(quarry_utf8_valid(
                    quarry_tokens_arena(result) + t[i].norm, t[i].norm_len));
            prev_end = t[i].end;
        }
        check_spans(quarry_tokens_sentences(result),
                    quarry_tokens_sentence_count(result), n);
        check_spans(quarry_tokens_paragraphs(result),
                    quarry_tokens_paragraph_count(result), n);
        w = quarry_tokens_words(result);
        for (i = 0; i < quarry_tokens_word_count(result); i++) {
            uint64_t k;
            FUZZ_CHECK(w[i].first < w[i].end && w[i].end <= n);
            for (k = w[i].first; k < w[i].end; k++)
                FUZZ_CHECK(t[k].kind == QUARRY_TOKEN_CJK);
            FUZZ_CHECK(i == 0 || w[i].first >= w[i - 1].end);
        }
    }
    free(text);
    return 0;
}
