/* test_tokenize.c - the tokenizer: spans, kinds, norms, compounds and their
 * split flags, sentences, paragraphs, CJK tokens and the CJK word layer,
 * other scripts through ICU, invalid and large input, memory accounting. */
#include "check.h"
#include "quarry.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unistd.h>

static quarry_env *env;
static size_t live_bytes; /* bytes held through the counting allocator */

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    if (ptr)
        live_bytes -= osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    ptr = realloc(ptr, nsize);
    if (ptr)
        live_bytes += nsize;
    else if (osize)
        live_bytes += osize; /* the old block is still there */
    return ptr;
}

static const char *fixtures(void)
{
    const char *f = getenv("QUARRY_FIXTURES");
    return f ? f : "fixtures";
}

/* One result rendered as text for compact checks. */
static char norms[65536], kinds[4096], sents[8192], paras[1024], words[8192];

static int run(unsigned flags, const char *cjk_dict, const char *text)
{
    quarry_tokenizer_options o = {0};
    quarry_tokenizer *tok;
    quarry_tokens *t;
    const quarry_token *d;
    const quarry_span *sp;
    const quarry_word *w;
    const char *ar;
    size_t i, n, len = strlen(text);
    int rc;

    o.flags = flags;
    o.cjk_dict = cjk_dict;
    norms[0] = kinds[0] = sents[0] = paras[0] = words[0] = '\0';
    if (quarry_tokenizer_new(env, &o, &tok) != QUARRY_OK) {
        fprintf(stderr, "tokenizer_new: %s\n", quarry_env_errmsg(env));
        return -100;
    }
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    rc = quarry_tokenize(tok, text, len, t);
    d = quarry_tokens_data(t);
    ar = quarry_tokens_arena(t);
    n = quarry_tokens_count(t);
    for (i = 0; i < n; i++) {
        size_t k = strlen(norms);
        snprintf(norms + k, sizeof norms - k, "%s%.*s", i ? " " : "",
                 (int)d[i].norm_len, ar + d[i].norm);
        kinds[i] = "?WNPSC"[d[i].kind];
        kinds[i + 1] = '\0';
        CHECK(d[i].start < d[i].end && d[i].end <= len);
        CHECK(i == 0 || d[i].start >= d[i - 1].end);
        CHECK(d[i].flags == 0);
    }
    sp = quarry_tokens_sentences(t);
    for (i = 0; i < quarry_tokens_sentence_count(t); i++) {
        size_t k = strlen(sents);
        uint64_t a = d[sp[i].first].start, b = d[sp[i].end - 1].end;
        CHECK(sp[i].first < sp[i].end);
        CHECK(i == 0 ? sp[i].first == 0 : sp[i].first == sp[i - 1].end);
        snprintf(sents + k, sizeof sents - k, "%s%.*s", i ? " | " : "",
                 (int)(b - a), text + a);
    }
    if (quarry_tokens_sentence_count(t))
        CHECK(sp[quarry_tokens_sentence_count(t) - 1].end == n);
    sp = quarry_tokens_paragraphs(t);
    for (i = 0; i < quarry_tokens_paragraph_count(t); i++) {
        size_t k = strlen(paras);
        CHECK(i == 0 ? sp[i].first == 0 : sp[i].first == sp[i - 1].end);
        snprintf(paras + k, sizeof paras - k, "%s%llu-%llu", i ? " " : "",
                 (unsigned long long)sp[i].first,
                 (unsigned long long)sp[i].end);
    }
    w = quarry_tokens_words(t);
    for (i = 0; i < quarry_tokens_word_count(t); i++) {
        size_t k = strlen(words);
        CHECK(d[w[i].first].kind == QUARRY_TOKEN_CJK);
        snprintf(words + k, sizeof words - k, "%s%.*s", i ? " " : "",
                 (int)w[i].norm_len, ar + w[i].norm);
    }
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);
    return rc;
}

static void test_spans_and_kinds(void)
{
    quarry_tokenizer *tok;
    quarry_tokens *t;
    const quarry_token *d;
    const char *s = "Hi, you!";
    CHECK(quarry_tokenizer_new(env, NULL, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, s, strlen(s), t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), 4);
    d = quarry_tokens_data(t);
    CHECK_EQ_INT(d[0].start, 0);
    CHECK_EQ_INT(d[0].end, 2);
    CHECK_EQ_INT(d[1].start, 2);
    CHECK_EQ_INT(d[1].end, 3);
    CHECK_EQ_INT(d[2].start, 4);
    CHECK_EQ_INT(d[2].end, 7);
    CHECK_EQ_INT(d[3].kind, QUARRY_TOKEN_PUNCT);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);

    CHECK(run(0, NULL, "The $5 fee + 10% tax © 😀 👍🏽 🇫🇷 ok") ==
          QUARRY_OK);
    CHECK_EQ_STR(norms, "the $ 5 fee + 10 % tax © 😀 👍🏽 🇫🇷 ok");
    CHECK_EQ_STR(kinds, "WSNWSNSWSSSSW");
    /* connectors join like letters; alone they are punctuation */
    CHECK(run(0, NULL, "snake_case __init__ _ 1_000") == QUARRY_OK);
    CHECK_EQ_STR(kinds, "WWPN");
    CHECK_EQ_STR(quarry_token_kind_name(QUARRY_TOKEN_CJK), "cjk");
    CHECK_EQ_STR(quarry_token_kind_name(QUARRY_TOKEN_SYMBOL), "symbol");
    CHECK_EQ_STR(quarry_token_kind_name(99), "unknown");
}

static void test_norms(void)
{
    CHECK(run(0, NULL, "HeLLo ﬁne ＡＢＣ１２３ Straße cafe\xcc\x81 ΣΊΣΥΦΟΣ") ==
          QUARRY_OK);
    CHECK_EQ_STR(norms, "hello fine abc123 strasse café σίσυφοσ");
    CHECK_EQ_STR(kinds, "WWWWWW");
    CHECK(run(QUARRY_TOK_CASE_SENSITIVE, NULL, "HeLLo ﬁne ＡＢＣ１２３") ==
          QUARRY_OK);
    CHECK_EQ_STR(norms, "HeLLo fine ABC123");
    CHECK(run(QUARRY_TOK_NO_NFKC, NULL, "HeLLo ﬁne ＡＢＣ") == QUARRY_OK);
    /* full case folding alone already maps the ligature */
    CHECK_EQ_STR(norms, "hello fine ａｂｃ");
    CHECK(run(QUARRY_TOK_NO_NFKC | QUARRY_TOK_CASE_SENSITIVE, NULL,
              "HeLLo ﬁne ＡＢＣ") == QUARRY_OK);
    CHECK_EQ_STR(norms, "HeLLo ﬁne ＡＢＣ");
    /* fullwidth punctuation normalizes, CJK ideographs stay */
    CHECK(run(0, NULL, "中文，（注）") == QUARRY_OK);
    CHECK_EQ_STR(norms, "中 文 , ( 注 )");
    CHECK_EQ_STR(kinds, "CCPPCP");
}

static void test_compounds_defaults(void)
{
    CHECK(run(0, NULL,
              "Fellow-Citizens, a well-known Britain's don't isn\xe2\x80\x99t "
              "1,000.5 3.14 1,000 COVID-19 2nd 1990-1995") == QUARRY_OK);
    /* U+2019 inside a word is spelled ' in the norm: isn’t == isn't */
    CHECK_EQ_STR(norms, "fellow-citizens , a well-known britain's don't "
                        "isn't 1,000.5 3.14 1,000 covid-19 2nd "
                        "1990 - 1995");
    CHECK_EQ_STR(kinds, "WPWWWWWNNNWWNPN");
    /* trailing hyphen and apostrophe are not part of the word */
    CHECK(run(0, NULL, "the Jones' house, pre- and post-war -x y- 'quoted'") ==
          QUARRY_OK);
    CHECK_EQ_STR(norms, "the jones ' house , pre - and post-war - x y - ' "
                        "quoted '");
    /* a sentence-final period is not a number separator */
    CHECK(run(0, NULL, "In 1999. Then 2,5,") == QUARRY_OK);
    CHECK_EQ_STR(norms, "in 1999 . then 2,5 ,");
}

static void test_dotted_initialisms(void)
{
    /* single letters between periods stay one word; the final period is
     * punctuation and does not end the sentence */
    CHECK(
        run(0, NULL, "The U.S. Senate, e.g. this; U.S.A. a.m. end.Next x.yz") ==
        QUARRY_OK);
    CHECK_EQ_STR(norms, "the u.s . senate , e.g . this ; u.s.a . a.m . end . "
                        "next x . yz");
    CHECK(run(0, NULL, "The U.S. Senate agreed. Good.") == QUARRY_OK);
    CHECK_EQ_STR(sents, "The U.S. Senate agreed. | Good.");
}

static void test_split_flags(void)
{
    const char *s = "Fellow-Citizens don't it\xe2\x80\x99s 1,000.5";
    CHECK(run(QUARRY_TOK_SPLIT_HYPHENS, NULL, s) == QUARRY_OK);
    CHECK_EQ_STR(norms, "fellow - citizens don't it's 1,000.5");
    CHECK(run(QUARRY_TOK_SPLIT_APOSTROPHES, NULL, s) == QUARRY_OK);
    CHECK_EQ_STR(norms, "fellow-citizens don ' t it \xe2\x80\x99 s 1,000.5");
    CHECK(run(QUARRY_TOK_SPLIT_NUMBERS, NULL, s) == QUARRY_OK);
    CHECK_EQ_STR(norms, "fellow-citizens don't it's 1 , 000 . 5");
    CHECK_EQ_STR(kinds, "WWWNPNPN");
}

static void test_sentences(void)
{
    CHECK(run(0, NULL, "Mr. Smith met Dr. Jones. They left.") == QUARRY_OK);
    CHECK_EQ_STR(sents, "Mr. Smith met Dr. Jones. | They left.");
    CHECK(run(0, NULL, "The U.S. Senate and the U.N. agreed. Good.") ==
          QUARRY_OK);
    CHECK_EQ_STR(sents, "The U.S. Senate and the U.N. agreed. | Good.");
    CHECK(run(0, NULL, "Use tools, e.g. hammers, i.e. heavy ones. Fine.") ==
          QUARRY_OK);
    CHECK_EQ_STR(sents, "Use tools, e.g. hammers, i.e. heavy ones. | Fine.");
    CHECK(run(0, NULL, "Apples, pears, etc. and more. Nuts etc. Then end.") ==
          QUARRY_OK);
    CHECK_EQ_STR(sents,
                 "Apples, pears, etc. and more. | Nuts etc. | Then end.");
    CHECK(run(0, NULL,
              "J. Smith wrote. St. Paul agreed. Mrs. Brown and Jr. "
              "too.") == QUARRY_OK);
    CHECK_EQ_STR(
        sents, "J. Smith wrote. | St. Paul agreed. | Mrs. Brown and Jr. too.");
    CHECK(run(0, NULL, "Really?! Yes! He said \"Stop.\" Then (he left.) Ok") ==
          QUARRY_OK);
    CHECK_EQ_STR(sents, "Really?! | Yes! | He said \"Stop.\" | Then (he "
                        "left.) | Ok");
    CHECK(run(0, NULL, "Pi is 3.14 today. Visit example.com now. Done") ==
          QUARRY_OK);
    CHECK_EQ_STR(sents, "Pi is 3.14 today. | Visit example.com now. | Done");
    /* a single line break does not end a sentence; a blank line does */
    CHECK(run(0, NULL, "A line\nwrapped here. Title\n\nBody text") ==
          QUARRY_OK);
    CHECK_EQ_STR(sents, "A line\nwrapped here. | Title | Body text");
    CHECK(run(0, NULL, "中文句子。第二句！第三句？“引用。”完") == QUARRY_OK);
    CHECK_EQ_STR(sents, "中文句子。 | 第二句！ | 第三句？ | “引用。” | 完");
}

/* Our sentence starts (token indexes) and ICU's en@ss=standard ones, mapped
 * to the first token at or after each ICU boundary, as "i,j,k". */
static void sentence_starts(const char *text, char *ours, char *icu, size_t sz)
{
    quarry_tokenizer *tok;
    quarry_tokens *t;
    const quarry_token *d;
    const quarry_span *sp;
    UErrorCode err = U_ZERO_ERROR;
    UBreakIterator *bi;
    UText *ut;
    size_t i, n, len = strlen(text);
    int32_t b;
    ours[0] = icu[0] = '\0';
    CHECK(quarry_tokenizer_new(env, NULL, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, text, len, t) == QUARRY_OK);
    d = quarry_tokens_data(t);
    n = quarry_tokens_count(t);
    sp = quarry_tokens_sentences(t);
    for (i = 1; i < quarry_tokens_sentence_count(t); i++)
        snprintf(ours + strlen(ours), sz - strlen(ours), "%llu,",
                 (unsigned long long)sp[i].first);
    bi = ubrk_open(UBRK_SENTENCE, "en@ss=standard", NULL, 0, &err);
    ut = utext_openUTF8(NULL, text, (int64_t)len, &err);
    ubrk_setUText(bi, ut, &err);
    CHECK(U_SUCCESS(err));
    while ((b = ubrk_next(bi)) != UBRK_DONE) {
        size_t k = 0;
        while (k < n && d[k].start < (uint64_t)b)
            k++;
        if (k > 0 && k < n)
            snprintf(icu + strlen(icu), sz - strlen(icu), "%zu,", k);
    }
    ubrk_close(bi);
    utext_close(ut);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);
}

static void test_sentences_match_icu(void)
{
    /* cases where ICU 72 and the requirements agree; docs/tokenizer.md
     * lists those where ICU differs (Dr., St., U.S. + capital, J. Smith) */
    static const char *const cases[] = {
        "Mr. Smith met someone. They left.",
        "Mrs. Brown and Jr. too. Fine.",
        "The U.N. agreed. Good.",
        "Use tools, e.g. hammers, i.e. heavy ones. Fine.",
        "Apples, pears, etc. and more. Nuts etc. Then end.",
        "Really?! Yes! He said \"Stop.\" Then (he left.) Ok",
        "Pi is 3.14 today. Visit example.com now. Done",
        "Is it? No... Maybe. wait. What?",
        "中文句子。第二句！第三句？完",
        "He said \"Hi.\" She said \"Bye!\" End.",
    };
    char ours[256], icu[256];
    size_t i;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        sentence_starts(cases[i], ours, icu, sizeof ours);
        if (strcmp(ours, icu) != 0)
            fprintf(stderr, "  sentence case %zu: \"%s\"\n", i, cases[i]);
        CHECK_EQ_STR(ours, icu);
    }
}

static void test_paragraphs(void)
{
    CHECK(run(0, NULL, "One. Two.\n\nThree\n \t \nFour.\r\n\r\nFive") ==
          QUARRY_OK);
    CHECK_EQ_STR(paras, "0-4 4-5 5-7 7-8");
    CHECK_EQ_STR(sents, "One. | Two. | Three | Four. | Five");
    CHECK(run(0, NULL, "\n\n  Leading blank lines.\n\n\n") == QUARRY_OK);
    CHECK_EQ_STR(paras, "0-4");
    /* U+2029 PARAGRAPH SEPARATOR */
    CHECK(run(0, NULL,
              "a\xe2\x80\xa9"
              "b") == QUARRY_OK);
    CHECK_EQ_STR(paras, "0-1 1-2");
}

static void test_cjk_tokens(void)
{
    CHECK(run(QUARRY_TOK_NO_CJK_WORDS, NULL,
              "新质生产力，ＡＢＣ１２３《报告》") == QUARRY_OK);
    CHECK_EQ_STR(norms, "新 质 生 产 力 , abc123 《 报 告 》");
    CHECK_EQ_STR(kinds, "CCCCCPWPCCP");
    CHECK_EQ_STR(words, "");
    /* kana and ideographic iteration marks are CJK tokens too */
    CHECK(run(QUARRY_TOK_NO_CJK_WORDS, NULL, "ひらがなカタカナ人々") ==
          QUARRY_OK);
    CHECK_EQ_STR(kinds, "CCCCCCCCCC");
    /* halfwidth katakana normalize to fullwidth */
    CHECK(run(QUARRY_TOK_NO_CJK_WORDS, NULL, "ｶﾀ") == QUARRY_OK);
    CHECK_EQ_STR(norms, "カ タ");
}

static char dict_ini[512];

static void make_dict_ini(void)
{
    char path[] = "/tmp/quarry-test-dict-XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    CHECK(fd >= 0);
    f = fdopen(fd, "w");
    fprintf(
        f,
        "# generated by test_tokenize.c\nfriso.lex_dir = %s/tokenize/dict/\n"
        "friso.max_len = 5\n",
        fixtures());
    fclose(f);
    snprintf(dict_ini, sizeof dict_ini, "%s", path);
}

static void test_cjk_word_layer(void)
{
    /* a line break inside a run is no boundary; U+3000 is a space */
    CHECK(run(0, dict_ini, "推动高质量发展，符合生\n产力理念　先进") ==
          QUARRY_OK);
    CHECK_EQ_STR(words, "推 动 高质量 发展 符合 生产力 理念 先进");
    CHECK(run(0, dict_ini, "法律\n、\n法规") == QUARRY_OK);
    CHECK_EQ_STR(norms, "法 律 、 法 规");
    /* a blank line, or any other space, ends the run */
    CHECK(run(0, dict_ini, "生\n\n产力 生产 力") == QUARRY_OK);
    CHECK_EQ_STR(words, "生 产 力 生产 力");
    /* the word norm is the concatenated token norms, without the break */
    CHECK(run(0, dict_ini, "新质生\n产力") == QUARRY_OK);
    CHECK_EQ_STR(words, "新 质 生产力");
}

static void test_cjk_long_run(void)
{
    /* a run longer than a segmenter chunk (1024 chars) is cut into chunks;
     * only a word across a chunk edge can be split */
    quarry_tokenizer_options o = {0};
    quarry_tokenizer *tok;
    quarry_tokens *t;
    const quarry_word *w;
    size_t i, whole = 0, covered = 0, len = 0;
    char *s = malloc(3000 * 3 + 1);
    for (i = 0; i < 1000; i++) {
        memcpy(s + len, "生产力", 9);
        len += 9;
    }
    o.cjk_dict = dict_ini;
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, s, len, t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), 3000);
    w = quarry_tokens_words(t);
    for (i = 0; i < quarry_tokens_word_count(t); i++) {
        CHECK(w[i].first == covered);
        covered = w[i].end;
        whole += w[i].end - w[i].first == 3;
    }
    CHECK_EQ_INT(covered, 3000);
    CHECK(whole >= 998);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);
    free(s);
}

static void test_user_lexicon(void)
{
    quarry_tokenizer_options o = {0};
    quarry_tokenizer *tok;
    quarry_tokens *t;
    const quarry_word *w;
    const char *ar;
    char lex[512];
    const char *s = "新质生\n产力推动高质量发展";

    snprintf(lex, sizeof lex, "%s/tokenize/lexicon.txt", fixtures());
    o.cjk_dict = dict_ini;
    o.lexicon = lex;
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, s, strlen(s), t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_word_count(t), 4);
    w = quarry_tokens_words(t);
    ar = quarry_tokens_arena(t);
    CHECK_EQ_INT(w[0].first, 0);
    CHECK_EQ_INT(w[0].end, 5);
    CHECK(w[0].norm_len == 15 && memcmp(ar + w[0].norm, "新质生产力", 15) == 0);
    CHECK(w[3].norm_len == 15 && memcmp(ar + w[3].norm, "高质量发展", 15) == 0);
    /* a word added after the dictionary was loaded */
    CHECK(quarry_tokenizer_add_word(tok, "推动", strlen("推动")) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, s, strlen(s), t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_word_count(t), 3);
    CHECK(quarry_tokenizer_add_word(tok, "", 0) == QUARRY_EINVAL);
    CHECK(quarry_tokenizer_add_word(tok, "\xff", 1) == QUARRY_EINVAL);
    CHECK(strlen(quarry_tokenizer_errmsg(tok)) > 0);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);

    /* without the lexicon, added before the first CJK text */
    o.lexicon = NULL;
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, s, strlen(s), t) == QUARRY_OK);
    /* 新 质 生产力 推 动 高质量 发展 */
    CHECK_EQ_INT(quarry_tokens_word_count(t), 7);
    quarry_tokenizer_free(tok);
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_OK);
    CHECK(quarry_tokenizer_add_word(tok, "新质生产力", strlen("新质生产力")) ==
          QUARRY_OK);
    CHECK(quarry_tokenize(tok, s, strlen(s), t) == QUARRY_OK);
    w = quarry_tokens_words(t);
    CHECK_EQ_INT(w[0].end, 5);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);

    /* missing files */
    o.lexicon = "/nonexistent/lexicon.txt";
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_ENOENT);
    CHECK(strstr(quarry_env_errmsg(env), "lexicon") != NULL);
    o.lexicon = NULL;
    o.cjk_dict = "/nonexistent/friso.ini";
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_ENOENT);
    /* an ini whose lex_dir holds no friso.lex.ini fails at creation */
    snprintf(lex, sizeof lex, "%s/tokenize/lexicon.txt", fixtures());
    o.cjk_dict = lex;
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_ENOENT);
    CHECK(strstr(quarry_env_errmsg(env), "lex_dir") != NULL);
    o.cjk_dict = NULL;
    o.locale = "?";
    CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_EINVAL);
}

static void test_system_dictionary(void)
{
    if (access("/etc/friso/friso.ini", R_OK) != 0) {
        fprintf(stderr, "  (friso-dict not installed: default dictionary "
                        "checks skipped)\n");
        return;
    }
    CHECK(run(0, NULL, "新质生产力是符合新发展理念的先进生产力质态。") ==
          QUARRY_OK);
    CHECK_EQ_STR(words,
                 "新 质 生产力 是 符合 新发展 理念 的 先进 生产力 质 态");
}

static void test_other_scripts(void)
{
    CHECK(run(0, NULL, "한국어 텍스트입니다") == QUARRY_OK);
    CHECK_EQ_STR(norms, "한국어 텍스트입니다");
    CHECK_EQ_STR(kinds, "WW");
    /* Thai has no spaces between words: ICU's dictionary splits them */
    CHECK(run(0, NULL, "สวัสดีครับ") == QUARRY_OK);
    CHECK_EQ_STR(norms, "สวัสดี ครับ");
    CHECK_EQ_STR(kinds, "WW");
    CHECK(run(0, NULL, "Привет, МИР! Ελληνικά") == QUARRY_OK);
    CHECK_EQ_STR(norms, "привет , мир ! ελληνικά");
    /* Japanese: char tokens, word layer through ICU */
    CHECK(run(0, NULL, "カタカナと東京") == QUARRY_OK);
    CHECK_EQ_STR(kinds, "CCCCCCC");
    CHECK(strncmp(words, "カタカナ ", strlen("カタカナ ")) == 0);
}

static void test_invalid_and_empty(void)
{
    const char *s;
    quarry_tokenizer *tok;
    quarry_tokens *t;
    CHECK(quarry_tokenizer_new(env, NULL, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, "ok then", 7, t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), 2);
    CHECK(quarry_tokenize(tok, "bad \xff here", 10, t) == QUARRY_EINVAL);
    CHECK(strstr(quarry_tokenizer_errmsg(tok), "UTF-8") != NULL);
    CHECK_EQ_INT(quarry_tokens_count(t), 0);
    CHECK(quarry_tokenize(tok, "\xe6\x96", 2, t) == QUARRY_EINVAL);
    CHECK(quarry_tokenize(tok, "\xed\xa0\x80", 3, t) == QUARRY_EINVAL);
    CHECK(quarry_tokenize(tok, "", 0, t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), 0);
    CHECK_EQ_INT(quarry_tokens_sentence_count(t), 0);
    CHECK_EQ_INT(quarry_tokens_paragraph_count(t), 0);
    CHECK_EQ_INT(quarry_tokens_word_count(t), 0);
    CHECK(quarry_tokenize(tok, NULL, 0, t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, " \n\t\n ", 5, t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), 0);
    CHECK_EQ_INT(quarry_tokens_sentence_count(t), 0);
    /* stray marks and format chars never crash and never make empty tokens */
    s = "\xcc\x81 \xe2\x80\x8d\xef\xbb\xbf a\xcc\x81";
    CHECK(quarry_tokenize(tok, s, strlen(s), t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), 1);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);
}

static void test_large_single_line(void)
{
    const char *unit = "The quick brown fox, jumps over 1,000 lazy dogs. ";
    size_t ul = strlen(unit), reps = (20u << 20) / ul, i;
    char *big = malloc(reps * ul + 1);
    quarry_tokenizer *tok;
    quarry_tokens *t;
    for (i = 0; i < reps; i++)
        memcpy(big + i * ul, unit, ul);
    CHECK(quarry_tokenizer_new(env, NULL, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, big, reps * ul, t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), reps * 11);
    CHECK_EQ_INT(quarry_tokens_sentence_count(t), reps);
    CHECK_EQ_INT(quarry_tokens_paragraph_count(t), 1);
    /* one giant word is cut, never crashes */
    memset(big, 'a', reps * ul);
    CHECK(quarry_tokenize(tok, big, reps * ul, t) == QUARRY_OK);
    CHECK(quarry_tokens_count(t) >= 1);
    /* endless combining marks after a letter, a period and a space */
    for (i = 0; i + 2 <= reps * ul; i += 2)
        memcpy(big + i, "\xcc\x81", 2);
    big[0] = 'a';
    big[1] = '.';
    CHECK(quarry_tokenize(tok, big, i, t) == QUARRY_OK);
    CHECK(quarry_tokens_count(t) >= 1);
    big[1] = ' ';
    CHECK(quarry_tokenize(tok, big, i, t) == QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_count(t), 1);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);
    free(big);
}

/* Random mixes of the interesting code points, under every flag, must
 * keep the invariants: tokens ordered and inside the text, sentences and
 * paragraphs covering all tokens, words covering exactly the CJK tokens. */
static void test_random_invariants(void)
{
    static const uint32_t pool[] = {
        'a',      'Z',     '0',    '9',    ' ',    '\n',   '\r',    '\t',
        '.',      ',',     '-',    '\'',   '"',    '?',    '!',     '_',
        '$',      '%',     '(',    ')',    0xE9,   0x301,  0x308,   0x200D,
        0x200B,   0xAD,    0xFEFF, 0x2019, 0x2010, 0xA0,   0x3000,  0x2029,
        0x65B0,   0x8D28,  0x751F, 0x4EA7, 0x529B, 0x3002, 0xFF0C,  0x201C,
        0x201D,   0x30AB,  0x3072, 0x3099, 0xFF76, 0xAC00, 0xD55C,  0x0E2A,
        0x0E27,   0x0E31,  0x05D0, 0x0627, 0x0915, 0x094D, 0x1F600, 0x1F3FD,
        0x1F1EB,  0x1F1F7, 0xFE0F, 0xB2,   0xFF21, 0xFB01, 0x1,     0x7F,
        0x10FFFF, 0xE000};
    const size_t npool = sizeof pool / sizeof *pool;
    static const unsigned flagsets[] = {
        0, QUARRY_TOK_CASE_SENSITIVE | QUARRY_TOK_NO_NFKC,
        QUARRY_TOK_SPLIT_HYPHENS | QUARRY_TOK_SPLIT_APOSTROPHES |
            QUARRY_TOK_SPLIT_NUMBERS,
        QUARRY_TOK_NO_CJK_WORDS};
    unsigned long seed = 12345;
    size_t f, round;
    char buf[1024];
    for (f = 0; f < sizeof flagsets / sizeof *flagsets; f++) {
        quarry_tokenizer_options o = {0};
        quarry_tokenizer *tok;
        quarry_tokens *t;
        o.flags = flagsets[f];
        o.cjk_dict = dict_ini;
        CHECK(quarry_tokenizer_new(env, &o, &tok) == QUARRY_OK);
        CHECK(quarry_tokens_new(env, &t) == QUARRY_OK);
        for (round = 0; round < 1500; round++) {
            size_t len = 0, n, i, k, nlen;
            const quarry_token *d;
            const quarry_span *sp;
            const quarry_word *w;
            size_t cjk = 0, covered = 0;
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            nlen = (size_t)(seed >> 33) % 60;
            for (i = 0; i < nlen; i++) {
                uint32_t cp;
                seed = seed * 6364136223846793005ul + 1442695040888963407ul;
                cp = pool[(seed >> 33) % npool];
                if (cp < 0x80)
                    buf[len++] = (char)cp;
                else if (cp < 0x800) {
                    buf[len++] = (char)(0xC0 | (cp >> 6));
                    buf[len++] = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    buf[len++] = (char)(0xE0 | (cp >> 12));
                    buf[len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    buf[len++] = (char)(0xF0 | (cp >> 18));
                    buf[len++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    buf[len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (char)(0x80 | (cp & 0x3F));
                }
            }
            if (quarry_tokenize(tok, buf, len, t) != QUARRY_OK) {
                CHECK(!"tokenize failed");
                continue;
            }
            d = quarry_tokens_data(t);
            n = quarry_tokens_count(t);
            for (i = 0; i < n; i++) {
                if (!(d[i].start < d[i].end && d[i].end <= len &&
                      (i == 0 || d[i].start >= d[i - 1].end) &&
                      d[i].kind >= 1 && d[i].kind <= 5)) {
                    CHECK(!"token invariant");
                    break;
                }
                cjk += d[i].kind == QUARRY_TOKEN_CJK;
            }
            sp = quarry_tokens_sentences(t);
            for (i = 0, k = 0; i < quarry_tokens_sentence_count(t); i++) {
                if (sp[i].first != k || sp[i].end <= sp[i].first)
                    CHECK(!"sentence invariant");
                k = sp[i].end;
            }
            CHECK(k == n);
            sp = quarry_tokens_paragraphs(t);
            for (i = 0, k = 0; i < quarry_tokens_paragraph_count(t); i++) {
                if (sp[i].first != k || sp[i].end <= sp[i].first)
                    CHECK(!"paragraph invariant");
                k = sp[i].end;
            }
            CHECK(k == n);
            w = quarry_tokens_words(t);
            for (i = 0, k = 0; i < quarry_tokens_word_count(t); i++) {
                size_t j;
                if (w[i].first < k || w[i].end <= w[i].first || w[i].end > n)
                    CHECK(!"word order invariant");
                for (j = w[i].first; j < w[i].end && j < n; j++)
                    if (d[j].kind != QUARRY_TOKEN_CJK)
                        CHECK(!"word over a non-CJK token");
                covered += w[i].end - w[i].first;
                k = w[i].end;
            }
            if (!(o.flags & QUARRY_TOK_NO_CJK_WORDS))
                CHECK(covered == cjk);
        }
        quarry_tokens_free(t);
        quarry_tokenizer_free(tok);
    }
}

static void test_memory_accounting(void)
{
    quarry_env *cenv;
    quarry_tokenizer_options o = {0};
    quarry_tokenizer *tok;
    quarry_tokens *t;
    const char *s = "Mixed: English, 中文生产力, ไทย, 한국어 and ﬁ.";
    CHECK(quarry_env_new(counting_alloc, NULL, &cenv) == QUARRY_OK);
    o.cjk_dict = dict_ini;
    CHECK(quarry_tokenizer_new(cenv, &o, &tok) == QUARRY_OK);
    CHECK(quarry_tokens_new(cenv, &t) == QUARRY_OK);
    CHECK(quarry_tokenizer_add_word(tok, "中文", strlen("中文")) == QUARRY_OK);
    CHECK(quarry_tokenize(tok, s, strlen(s), t) == QUARRY_OK);
    CHECK(live_bytes > 0);
    quarry_tokens_free(t);
    quarry_tokenizer_free(tok);
    quarry_env_free(cenv);
    CHECK_EQ_INT(live_bytes, 0);
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    make_dict_ini();
    RUN(test_spans_and_kinds);
    RUN(test_norms);
    RUN(test_compounds_defaults);
    RUN(test_dotted_initialisms);
    RUN(test_split_flags);
    RUN(test_sentences);
    RUN(test_sentences_match_icu);
    RUN(test_paragraphs);
    RUN(test_cjk_tokens);
    RUN(test_cjk_word_layer);
    RUN(test_cjk_long_run);
    RUN(test_user_lexicon);
    RUN(test_system_dictionary);
    RUN(test_other_scripts);
    RUN(test_invalid_and_empty);
    RUN(test_large_single_line);
    RUN(test_random_invariants);
    RUN(test_memory_accounting);
    unlink(dict_ini);
    quarry_env_free(env);
    return check_summary();
}
