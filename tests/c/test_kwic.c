/* test_kwic.c - concordance lines (quarry_kwic_get) by tokens, characters
 * and sentences, white space collapsing, clamping at document edges, CJK,
 * bad ranges, and terminal widths (quarry_text_width). */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256];

static void add(quarry_writer *w, const char *source, const char *text)
{
    quarry_doc *doc = NULL;
    CHECK_EQ_INT(
        quarry_doc_new(env, source, 0, text, strlen(text), NULL, 0, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

static void build(void)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    /* tokens: The(0) new(1) quality(2) productive(3) forces(4) grew(5) .(6)
     * They(7) matter(8) \n\n more(9) and(10) more(11) .(12) */
    add(w, "a",
        "The new  quality productive\tforces grew. They matter\n\n"
        "more and more.");
    add(w, "b", "发展新质生产力。");
    {
        /* 300 tokens t0 .. t299: windows across offset-stream blocks */
        static char long_text[300 * 6];
        size_t n = 0;
        int i;
        for (i = 0; i < 300; i++)
            n += (size_t)snprintf(long_text + n, sizeof long_text - n, "%st%d",
                                  i ? " " : "", i);
        add(w, "c", long_text);
    }
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

static char line[1024];

/* Formats a line as "left|hit|right". */
static const char *kwic(quarry_index *ix, uint64_t doc, uint64_t first,
                        uint64_t end, int unit, uint32_t l, uint32_t r)
{
    quarry_kwic_options o;
    quarry_kwic k;
    int rc;
    o.unit = unit;
    o.left = l;
    o.right = r;
    rc = quarry_kwic_get(ix, doc, first, end, &o, &k);
    if (rc != QUARRY_OK) {
        snprintf(line, sizeof line, "error %s", quarry_status_name(rc));
        return line;
    }
    snprintf(line, sizeof line, "%.*s|%.*s|%.*s", (int)k.left_len, k.left,
             (int)k.hit_len, k.hit, (int)k.right_len, k.right);
    return line;
}

static void test_tokens(void)
{
    quarry_index *ix = NULL;
    quarry_kwic k;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_STR(kwic(ix, 0, 2, 4, QUARRY_KWIC_TOKENS, 2, 2),
                 "The new |quality productive| forces grew");
    /* clamped at both ends, white space runs become one space */
    CHECK_EQ_STR(kwic(ix, 0, 0, 1, QUARRY_KWIC_TOKENS, 5, 1), "|The| new");
    CHECK_EQ_STR(kwic(ix, 0, 12, 13, QUARRY_KWIC_TOKENS, 3, 4),
                 "more and more|.|");
    CHECK_EQ_STR(kwic(ix, 0, 8, 9, QUARRY_KWIC_TOKENS, 0, 1), "|matter| more");
    CHECK_EQ_STR(kwic(ix, 0, 3, 4, QUARRY_KWIC_TOKENS, 0, 0), "|productive|");
    CHECK_EQ_INT(quarry_kwic_get(ix, 0, 3, 4, NULL, &k), QUARRY_OK);
    CHECK_EQ_INT((int)k.start, 17);
    CHECK_EQ_INT((int)k.end, 27);
    /* CJK: one token per character */
    CHECK_EQ_STR(kwic(ix, 1, 2, 7, QUARRY_KWIC_TOKENS, 2, 1),
                 "发展|新质生产力|。");
    quarry_index_free(ix);
}

/* Lines of one document asked out of order and across the blocks in which
 * offsets are decoded and kept. */
static void test_windows_across_blocks(void)
{
    quarry_index *ix = NULL;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_STR(kwic(ix, 2, 250, 251, QUARRY_KWIC_TOKENS, 2, 2),
                 "t248 t249 |t250| t251 t252");
    CHECK_EQ_STR(kwic(ix, 2, 5, 6, QUARRY_KWIC_TOKENS, 2, 2),
                 "t3 t4 |t5| t6 t7");
    CHECK_EQ_STR(kwic(ix, 2, 127, 129, QUARRY_KWIC_TOKENS, 2, 2),
                 "t125 t126 |t127 t128| t129 t130");
    CHECK_EQ_STR(kwic(ix, 2, 126, 127, QUARRY_KWIC_TOKENS, 1, 1),
                 "t125 |t126| t127");
    CHECK_EQ_STR(kwic(ix, 2, 299, 300, QUARRY_KWIC_TOKENS, 1, 3),
                 "t298 |t299|");
    CHECK_EQ_STR(kwic(ix, 0, 2, 4, QUARRY_KWIC_TOKENS, 2, 2),
                 "The new |quality productive| forces grew");
    CHECK_EQ_STR(kwic(ix, 2, 0, 1, QUARRY_KWIC_TOKENS, 1, 1), "|t0| t1");
    quarry_index_free(ix);
}

static void test_chars_and_sentences(void)
{
    quarry_index *ix = NULL;
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_STR(kwic(ix, 0, 4, 5, QUARRY_KWIC_CHARS, 11, 5),
                 "productive |forces| grew");
    CHECK_EQ_STR(kwic(ix, 1, 2, 3, QUARRY_KWIC_CHARS, 1, 2), "展|新|质生");
    CHECK_EQ_STR(kwic(ix, 0, 3, 4, QUARRY_KWIC_SENTENCE, 0, 0),
                 "The new quality |productive| forces grew.");
    /* a blank line (a new paragraph) ends a sentence too */
    CHECK_EQ_STR(kwic(ix, 0, 8, 9, QUARRY_KWIC_SENTENCE, 0, 0),
                 "They |matter|");
    CHECK_EQ_STR(kwic(ix, 0, 10, 11, QUARRY_KWIC_SENTENCE, 0, 0),
                 "more |and| more.");
    /* a hit across two sentences shows both */
    CHECK_EQ_STR(kwic(ix, 0, 6, 8, QUARRY_KWIC_SENTENCE, 0, 0),
                 "The new quality productive forces grew|. They| matter");
    quarry_index_free(ix);
}

static void test_errors(void)
{
    quarry_index *ix = NULL;
    quarry_kwic k;
    quarry_kwic_options o = {7, 1, 1};
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_STR(kwic(ix, 3, 0, 1, QUARRY_KWIC_TOKENS, 1, 1), "error EINVAL");
    CHECK(strstr(quarry_index_errmsg(ix), "out of range") != NULL);
    CHECK_EQ_STR(kwic(ix, 0, 3, 3, QUARRY_KWIC_TOKENS, 1, 1), "error EINVAL");
    CHECK_EQ_STR(kwic(ix, 0, 12, 14, QUARRY_KWIC_TOKENS, 1, 1), "error EINVAL");
    CHECK_EQ_INT(quarry_kwic_get(ix, 0, 1, 2, &o, &k), QUARRY_EINVAL);
    CHECK(strstr(quarry_index_errmsg(ix), "unit") != NULL);
    quarry_index_free(ix);
}

static void test_alloc_failures(void)
{
    long budget;
    for (budget = 0; budget < 400; budget++) {
        tk_fail f = {budget, 0};
        quarry_env *e = NULL;
        quarry_index *ix = NULL;
        quarry_kwic k;
        quarry_kwic_options o = {QUARRY_KWIC_SENTENCE, 0, 0};
        int rc;
        if (quarry_env_new(tk_failing_alloc, &f, &e) != QUARRY_OK)
            continue;
        if (quarry_index_open(e, dir, &ix) == QUARRY_OK) {
            rc = quarry_kwic_get(ix, 0, 3, 4, &o, &k);
            CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            if (rc == QUARRY_OK)
                CHECK(k.hit_len == 10 && memcmp(k.hit, "productive", 10) == 0);
            quarry_index_free(ix);
        }
        quarry_env_free(e);
        if (f.budget > 0)
            break; /* everything succeeded with budget to spare */
    }
}

static void test_width(void)
{
    CHECK_EQ_INT((int)quarry_text_width("abc", 3), 3);
    CHECK_EQ_INT((int)quarry_text_width("新质生产力", strlen("新质生产力")),
                 10);
    CHECK_EQ_INT((int)quarry_text_width("e\xcc\x81t\xc3\xa9", 6), 3);
    CHECK_EQ_INT((int)quarry_text_width("ＡＢ", strlen("ＡＢ")), 4);
    CHECK_EQ_INT((int)quarry_text_width("a\tb\x01", 4), 2);
    CHECK_EQ_INT((int)quarry_text_width("\xff"
                                        "a",
                                        2),
                 2);
    CHECK_EQ_INT((int)quarry_text_width("", 0), 0);
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    strcpy(dir, "/tmp/quarry-kwic-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    build();
    RUN(test_tokens);
    RUN(test_windows_across_blocks);
    RUN(test_chars_and_sentences);
    RUN(test_errors);
    RUN(test_alloc_failures);
    RUN(test_width);
    tk_rm_rf(dir);
    quarry_env_free(env);
    return check_summary();
}
