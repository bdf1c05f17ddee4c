/* test_grep.c - quarry_grep_files and quarry_grep_index: hits in file and
 * offset order with line numbers and line texts, counts, a missing file
 * among readable ones, binary files, stopping from the callback, match
 * limits naming file and line, a ~30 MB file cut into chunks giving the
 * same hits with 1 and 2 threads, and token spans of index scans. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256];

static void write_file(const char *name, const char *data, size_t len)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_EQ_INT(fwrite(data, 1, len, f), len);
    fclose(f);
}

static char *path_of(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

typedef struct collected {
    char text[4096];
    size_t len;
    uint64_t n;
    uint64_t stop_after; /* 0: never */
} collected;

static int collect(void *ud, const quarry_grep_hit *h)
{
    collected *c = ud;
    c->len += (size_t)snprintf(
        c->text + c->len, sizeof c->text - c->len, "%s%zu:%llu:%llu-%llu:%.*s",
        c->len ? "|" : "", h->source, (unsigned long long)h->line,
        (unsigned long long)h->start, (unsigned long long)h->end,
        (int)h->line_len, h->line_text);
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static quarry_regex *compile(const char *pattern, unsigned flags)
{
    quarry_regex *re = NULL;
    CHECK_EQ_INT(
        quarry_regex_compile(env, pattern, strlen(pattern), flags, &re, NULL),
        QUARRY_OK);
    return re;
}

static void test_files_in_order(void)
{
    const char *paths[3];
    quarry_regex *re = compile("ca[tr]", 0);
    quarry_grep_options o;
    quarry_grep_counts k;
    collected c;
    unsigned threads;
    write_file("a.txt", "a cat\nno\ncar cat\n", 17);
    write_file("b.txt", "", 0);
    write_file("c.txt", "x\r\ncat\r\nend", 11);
    paths[0] = path_of("a.txt");
    paths[1] = path_of("b.txt");
    paths[2] = path_of("c.txt");
    for (threads = 1; threads <= 3; threads++) {
        memset(&o, 0, sizeof o);
        memset(&c, 0, sizeof c);
        o.threads = threads;
        CHECK_EQ_INT(quarry_grep_files(env, re, paths, 3, &o, collect, &c, &k),
                     QUARRY_OK);
        CHECK_EQ_STR(c.text, "0:1:2-5:a cat|0:3:9-12:car cat|0:3:13-16:car "
                             "cat|2:2:3-6:cat\r");
        CHECK_EQ_INT(k.hits, 4);
        CHECK_EQ_INT(k.files, 2);
        CHECK_EQ_INT(k.bytes, 28);
        o.count_only = 1;
        CHECK_EQ_INT(quarry_grep_files(env, re, paths, 3, &o, NULL, NULL, &k),
                     QUARRY_OK);
        CHECK_EQ_INT(k.hits, 4);
        CHECK_EQ_INT(k.files, 2);
    }
    /* the callback stops the scan */
    memset(&o, 0, sizeof o);
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    o.threads = 2;
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 3, &o, collect, &c, &k),
                 QUARRY_OK);
    CHECK_EQ_INT(c.n, 2);
    CHECK_EQ_INT(k.hits, 2);
    /* neither a callback nor count_only */
    o.count_only = 0;
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 3, &o, NULL, NULL, &k),
                 QUARRY_EINVAL);
    quarry_regex_free(re);
}

static void test_missing_and_binary(void)
{
    const char *paths[4];
    quarry_regex *re = compile("cat", 0);
    quarry_grep_options o;
    quarry_grep_counts k;
    collected c;
    write_file("d.txt", "cat\n", 4);
    write_file("bin.dat", "cat\0cat\n", 8);
    paths[0] = path_of("d.txt");
    paths[1] = path_of("missing.txt");
    paths[2] = path_of("bin.dat");
    paths[3] = dir; /* a directory */
    memset(&o, 0, sizeof o);
    memset(&c, 0, sizeof c);
    o.threads = 2;
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 4, &o, collect, &c, &k),
                 QUARRY_ENOENT);
    CHECK(strstr(quarry_env_errmsg(env), "missing.txt") != NULL);
    CHECK(strstr(quarry_env_errmsg(env), "1 more") != NULL);
    /* every readable file was still scanned (%.*s stops at the NUL) */
    CHECK_EQ_STR(c.text, "0:1:0-3:cat|2:1:0-3:cat|2:1:4-7:cat");
    CHECK_EQ_INT(k.hits, 3);
    o.skip_binary = 1;
    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 3, &o, collect, &c, &k),
                 QUARRY_ENOENT);
    CHECK_EQ_INT(k.hits, 1);
    quarry_regex_free(re);
}

static void test_limit_names_file_and_line(void)
{
    const char *paths[2];
    quarry_regex *re = compile("(a+)+$", 0);
    quarry_grep_options o;
    quarry_grep_counts k;
    size_t n = 30000;
    char *text = malloc(n + 32);
    memcpy(text, "aa\nb\n", 5);
    memset(text + 5, 'a', n);
    memcpy(text + 5 + n, "!\n", 2);
    write_file("limit.txt", text, n + 7);
    write_file("other.txt", "aaa\n", 4);
    paths[0] = path_of("limit.txt");
    paths[1] = path_of("other.txt");
    memset(&o, 0, sizeof o);
    o.count_only = 1;
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 2, &o, NULL, NULL, &k),
                 QUARRY_ELIMIT);
    CHECK(strstr(quarry_env_errmsg(env), "limit.txt:3:") != NULL);
    CHECK(strstr(quarry_env_errmsg(env), "(a+)+$") != NULL);
    /* the hit before the limit and the other file still count */
    CHECK_EQ_INT(k.hits, 2);
    free(text);
    quarry_regex_free(re);
}

/* Sum over hits of line * 31 + start, with the line number checked against
 * the number each generated line carries. */
typedef struct big_check {
    uint64_t hits, sum, bad_lines;
} big_check;

static int check_big(void *ud, const quarry_grep_hit *h)
{
    big_check *b = ud;
    uint64_t n = 0;
    size_t i;
    /* lines read "line N ..." (line_text is not NUL-terminated) */
    for (i = 5;
         i < h->line_len && h->line_text[i] >= '0' && h->line_text[i] <= '9';
         i++)
        n = n * 10 + (uint64_t)(h->line_text[i] - '0');
    if (h->line_len < 6 || memcmp(h->line_text, "line ", 5) != 0 ||
        n != h->line)
        b->bad_lines++;
    b->hits++;
    b->sum = b->sum * 31 + h->start + h->line;
    return 0;
}

static void test_big_file_chunks(void)
{
    const char *paths[2];
    quarry_regex *re = compile("\\bte\\w+ \\d+7\\b", 0);
    quarry_grep_options o;
    quarry_grep_counts k1, k2, kc;
    big_check b1, b2;
    FILE *f;
    unsigned long long i;
    char name[512];
    snprintf(name, sizeof name, "%s/big.txt", dir);
    f = fopen(name, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    /* ~30 MB; a few very long lines cross chunk boundaries */
    for (i = 1; i <= 600000; i++) {
        if (i % 100000 == 0) {
            unsigned j;
            fprintf(f, "line %llu ", i);
            for (j = 0; j < 200000; j++)
                fputs("text 17 ", f);
            fputc('\n', f);
        } else {
            fprintf(f, "line %llu has some text %llu here\n", i, i);
        }
    }
    fclose(f);
    paths[0] = name;
    paths[1] = path_of("a.txt");
    memset(&o, 0, sizeof o);
    memset(&b1, 0, sizeof b1);
    memset(&b2, 0, sizeof b2);
    o.threads = 1;
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 2, &o, check_big, &b1, &k1),
                 QUARRY_OK);
    o.threads = 2;
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 2, &o, check_big, &b2, &k2),
                 QUARRY_OK);
    o.count_only = 1;
    CHECK_EQ_INT(quarry_grep_files(env, re, paths, 2, &o, NULL, NULL, &kc),
                 QUARRY_OK);
    CHECK(k1.bytes > 30u * 1000 * 1000);
    /* 60000 short lines say "text N" with N ending in 7 (but
     * not N = 7: \\d+7 needs two digits); 6 long ones hold
     * 200000 "text 17" each */
    CHECK_EQ_INT(k1.hits, 60000 - 1 + 6 * 200000);
    CHECK_EQ_INT(k2.hits, k1.hits);
    CHECK_EQ_INT(kc.hits, k1.hits);
    CHECK_EQ_INT(b1.hits, k1.hits);
    CHECK_EQ_INT(b2.hits, k1.hits);
    CHECK_EQ_INT(b1.bad_lines, 0);
    CHECK_EQ_INT(b2.bad_lines, 0);
    CHECK(b1.sum == b2.sum);
    CHECK_EQ_INT(k1.bytes, k2.bytes);
    CHECK_EQ_INT(kc.bytes, k1.bytes);
    /* stopping inside a split file leaves no part behind */
    {
        collected c;
        memset(&c, 0, sizeof c);
        c.stop_after = 3;
        o.count_only = 0;
        CHECK_EQ_INT(quarry_grep_files(env, re, paths, 2, &o, collect, &c, &k2),
                     QUARRY_OK);
        CHECK_EQ_INT(c.n, 3);
        CHECK_EQ_INT(k2.hits, 3);
    }
    unlink(name);
    quarry_regex_free(re);
}

/* ---- index scans -------------------------------------------------------- */

static void add(quarry_writer *w, const char *source, const char *text,
                const char *year)
{
    quarry_doc *doc = NULL;
    quarry_field fl;
    memset(&fl, 0, sizeof fl);
    fl.name = "year";
    fl.text = year;
    fl.type = QUARRY_FIELD_INTEGER;
    fl.value.integer = atoi(year);
    CHECK_EQ_INT(
        quarry_doc_new(env, source, 0, text, strlen(text), &fl, 1, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

static int collect_ix(void *ud, const quarry_grep_hit *h)
{
    collected *c = ud;
    c->len += (size_t)snprintf(
        c->text + c->len, sizeof c->text - c->len,
        "%s%llu:%llu:%llu-%llu:[%llu,%llu):%.*s", c->len ? "|" : "",
        (unsigned long long)h->doc, (unsigned long long)h->line,
        (unsigned long long)h->start, (unsigned long long)h->end,
        (unsigned long long)h->first, (unsigned long long)h->end_token,
        (int)h->line_len, h->line_text);
    c->n++;
    return 0;
}

static void test_index(void)
{
    char ixdir[512];
    quarry_writer *w = NULL;
    quarry_writer_options wo;
    quarry_index *ix = NULL;
    quarry_regex *re;
    quarry_filter *flt = NULL;
    quarry_grep_options o;
    quarry_grep_counts k;
    collected c;
    snprintf(ixdir, sizeof ixdir, "%s/ix", dir);
    memset(&wo, 0, sizeof wo);
    wo.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, ixdir, &wo, &w), QUARRY_OK);
    add(w, "a", "The cat sat.\nA concatenation!", "2001");
    add(w, "b", "no match here", "2002");
    add(w, "c", "新质生产力 and cats", "2003");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
    CHECK_EQ_INT(quarry_index_open(env, ixdir, &ix), QUARRY_OK);

    re = compile("cat", 0);
    memset(&o, 0, sizeof o);
    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(quarry_grep_index(ix, re, NULL, &o, collect_ix, &c, &k),
                 QUARRY_OK);
    /* "The cat sat . A concatenation !": cat is token 1; inside token 6 */
    CHECK_EQ_STR(c.text, "0:1:4-7:[1,2):The cat sat.|0:2:18-21:[5,6):A "
                         "concatenation!|2:1:20-23:[6,7):新质生产力 and cats");
    CHECK_EQ_INT(k.hits, 3);
    CHECK_EQ_INT(k.files, 2);
    quarry_regex_free(re);

    /* a match over several tokens, and one across CJK characters */
    re = compile("生产力 and", 0);
    memset(&c, 0, sizeof c);
    CHECK_EQ_INT(quarry_grep_index(ix, re, NULL, &o, collect_ix, &c, &k),
                 QUARRY_OK);
    CHECK_EQ_STR(c.text, "2:1:6-19:[2,6):新质生产力 and cats");
    quarry_regex_free(re);

    /* filter and count_only */
    re = compile("cat", 0);
    CHECK_EQ_INT(quarry_filter_compile(env, "year>=2002", 10, &flt, NULL),
                 QUARRY_OK);
    o.count_only = 1;
    CHECK_EQ_INT(quarry_grep_index(ix, re, flt, &o, NULL, NULL, &k), QUARRY_OK);
    CHECK_EQ_INT(k.hits, 1);
    CHECK_EQ_INT(k.files, 1);
    quarry_filter_free(flt);
    quarry_regex_free(re);
    quarry_index_free(ix);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    snprintf(dir, sizeof dir, "%s/quarry-grep-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_files_in_order);
    RUN(test_missing_and_binary);
    RUN(test_limit_names_file_and_line);
    RUN(test_big_file_chunks);
    RUN(test_index);
    tk_rm_rf(dir);
    quarry_env_free(env);
    return check_summary();
}
