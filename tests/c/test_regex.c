/* test_regex.c - quarry_regex_*: grep-tool semantics (line confinement,
 * empty matches, the place after a final newline), flags, CRLF, invalid
 * UTF-8 in the text, match limits, syntax errors with their offsets,
 * allocation failures, and the required-literal extractor. */
#include "check.h"
#include "regex.h"
#include "testkit.h"

#include <stdlib.h>

static quarry_env *env;

/* All matches of pattern in text as "s-e" joined by spaces (the iteration
 * rule of grep tools: no empty match where the previous match ended). */
static int all(const char *pattern, unsigned flags, const char *text,
               size_t len, char *out, size_t size)
{
    quarry_regex *re = NULL;
    size_t pos = 0, s, e, used = 0, prev = SIZE_MAX;
    int rc;
    out[0] = 0;
    rc = quarry_regex_compile(env, pattern, strlen(pattern), flags, &re, NULL);
    if (rc != QUARRY_OK)
        return rc;
    while ((rc = quarry_regex_next(re, text, len, pos, &s, &e)) == QUARRY_OK) {
        if (s == e && s == prev) {
            pos = s + 1;
            continue;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%zu-%zu",
                                 used ? " " : "", s, e);
        prev = e;
        pos = e > s ? e : s + 1;
    }
    quarry_regex_free(re);
    return rc == QUARRY_DONE ? QUARRY_OK : rc;
}

#define MATCHES(pattern, flags, text, expect)                                  \
    do {                                                                       \
        char got_[512];                                                        \
        CHECK_EQ_INT(                                                          \
            all(pattern, flags, text, strlen(text), got_, sizeof got_),        \
            QUARRY_OK);                                                        \
        CHECK_EQ_STR(got_, expect);                                            \
    } while (0)

static void test_basics(void)
{
    MATCHES("cat", 0, "the cat and the cat", "4-7 16-19");
    MATCHES("c.t", 0, "cat cot cut", "0-3 4-7 8-11");
    MATCHES("dog", 0, "the cat", "");
    MATCHES("^the", 0, "the cat\nthe dog", "0-3 8-11");
    MATCHES("cat$", 0, "a cat\nthe cat", "2-5 10-13");
    MATCHES("\\bcat\\b", 0, "cat concat cats cat", "0-3 16-19");
    MATCHES("\\p{Han}+", 0, "abc 新质生产力 x 中", "4-19 22-25");
    MATCHES("colou?r", 0, "color colour colr", "0-5 6-12");
}

static void test_flags(void)
{
    MATCHES("CAT", QUARRY_RE_CASELESS, "cat Cat CAT", "0-3 4-7 8-11");
    MATCHES("a.c", QUARRY_RE_LITERAL, "abc a.c", "4-7");
    MATCHES("A.C", QUARRY_RE_LITERAL | QUARRY_RE_CASELESS, "abc a.c", "4-7");
    MATCHES("(a)", QUARRY_RE_LITERAL, "(a) a", "0-3");
    MATCHES("cat", QUARRY_RE_WORD, "cat concat cats cat", "0-3 16-19");
    MATCHES("c.t", QUARRY_RE_LITERAL | QUARRY_RE_WORD, "c.t xc.t c.t",
            "0-3 9-12");
    MATCHES("c a t # comment", QUARRY_RE_EXTENDED, "cat", "0-3");
    MATCHES("c a t # comment", QUARRY_RE_EXTENDED | QUARRY_RE_WORD, "cat cats",
            "0-3");
    /* DOTALL: . matches a line break and matches may span lines */
    MATCHES("a.b", QUARRY_RE_DOTALL, "a\nb", "0-3");
    MATCHES("a.b", 0, "a\nb", "");
}

static void test_lines(void)
{
    /* \s and [^x] match '\n': the match is confined to its first line */
    MATCHES("a\\s+b", 0, "a\nb a  b", "4-8");
    MATCHES("a[^x]*b", 0, "a1\n2b a3b", "6-9");
    /* a line that fails confined does not hide matches on later lines */
    MATCHES("x[^y]*z", 0, "x\nz\nxz", "4-6");
    /* the place after a final newline is not a line */
    MATCHES("$", 0, "a\n", "1-1");
    MATCHES("^", 0, "a\nb\n", "0-0 2-2");
    MATCHES("^", 0, "", "");
    MATCHES("$", 0, "a\nb", "1-1 3-3");
    MATCHES("^$", 0, "a\n\nb\n", "2-2");
    /* with a required literal */
    MATCHES("\\w+ing\\b", 0, "sing\nbringing thing", "0-4 5-13 14-19");
}

static void test_empty_matches(void)
{
    MATCHES("x*", 0, "axxb", "0-0 1-3 4-4");
    MATCHES("", 0, "ab", "0-0 1-1 2-2");
    MATCHES("\\b", 0, "ab cd", "0-0 2-2 3-3 5-5");
}

static void test_crlf(void)
{
    /* as in rg: $ is before '\n', so a CR stays part of the line */
    MATCHES("cat$", 0, "cat\r\ncat\n", "5-8");
    MATCHES("cat\\r$", 0, "cat\r\ncat\n", "0-4");
    MATCHES("a\\s+b", 0, "a\r\nb", "");
    MATCHES("^cat", 0, "x\r\ncat\r\n", "3-6");
}

static void test_invalid_utf8(void)
{
    const char text[] = "ab\xff\xfe cat \xc3 caf\xc3\xa9 \xe4\xb8";
    char got[256];
    CHECK_EQ_INT(all("cat", 0, text, sizeof text - 1, got, sizeof got),
                 QUARRY_OK);
    CHECK_EQ_STR(got, "5-8");
    CHECK_EQ_INT(all("caf.", 0, text, sizeof text - 1, got, sizeof got),
                 QUARRY_OK);
    CHECK_EQ_STR(got, "11-16");
    /* invalid bytes never match, not even . */
    CHECK_EQ_INT(all("b.", 0, text, sizeof text - 1, got, sizeof got),
                 QUARRY_OK);
    CHECK_EQ_STR(got, "");
    CHECK_EQ_INT(all("\\w+", 0, text, sizeof text - 1, got, sizeof got),
                 QUARRY_OK);
    CHECK_EQ_STR(got, "0-2 5-8 11-16");
}

static void test_limits(void)
{
    quarry_regex *re = NULL;
    size_t n = 20000, s = 0, e = 0;
    char *text = malloc(n + 16);
    const char *pattern = "(a+)+$";
    int rc;
    memcpy(text, "ok\n", 3);
    memset(text + 3, 'a', n);
    memcpy(text + 3 + n, "!\nend\n", 6);
    CHECK_EQ_INT(
        quarry_regex_compile(env, pattern, strlen(pattern), 0, &re, NULL),
        QUARRY_OK);
    rc = quarry_regex_next(re, text, n + 9, 0, &s, &e);
    CHECK_EQ_INT(rc, QUARRY_ELIMIT);
    /* the offset of the line that hit the limit */
    CHECK_EQ_INT(s, 3);
    CHECK(strstr(quarry_regex_errmsg(re), "(a+)+$") != NULL);
    quarry_regex_free(re);
    free(text);
}

static void test_syntax_errors(void)
{
    quarry_regex *re = NULL;
    size_t pos = 99;
    CHECK_EQ_INT(quarry_regex_compile(env, "ab(c", 4, 0, &re, &pos),
                 QUARRY_ESYNTAX);
    CHECK(re == NULL);
    CHECK_EQ_INT(pos, 4);
    CHECK(strstr(quarry_env_errmsg(env), "position 4") != NULL);
    /* the word wrapper must not make a broken pattern valid */
    CHECK_EQ_INT(
        quarry_regex_compile(env, "a)(b", 4, QUARRY_RE_WORD, &re, &pos),
        QUARRY_ESYNTAX);
    CHECK_EQ_INT(pos, 1);
    CHECK_EQ_INT(quarry_regex_compile(env, "x[", 2, QUARRY_RE_WORD, &re, &pos),
                 QUARRY_ESYNTAX);
    CHECK_EQ_INT(pos, 2);
    CHECK_EQ_INT(quarry_regex_compile(env, "\xff", 1, 0, &re, &pos),
                 QUARRY_ESYNTAX);
    CHECK_EQ_INT(quarry_regex_compile(env, "a", 1, 1u << 20, &re, &pos),
                 QUARRY_EINVAL);
    CHECK_EQ_INT(
        quarry_regex_compile(env, "a(", 2, QUARRY_RE_LITERAL, &re, &pos),
        QUARRY_OK);
    quarry_regex_free(re);
}

static void test_alloc_failures(void)
{
    tk_fail f = {-1, 0};
    quarry_env *fenv = NULL;
    long budget;
    int ok = 0;
    CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &f, &fenv), QUARRY_OK);
    for (budget = 0; budget < 200 && !ok; budget++) {
        quarry_regex *re = NULL;
        int rc;
        f.budget = budget;
        rc =
            quarry_regex_compile(fenv, "\\w+ing", 6, QUARRY_RE_WORD, &re, NULL);
        CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
        if (rc == QUARRY_OK) {
            size_t s, e;
            f.budget = -1;
            CHECK_EQ_INT(quarry_regex_next(re, "a thing", 7, 0, &s, &e),
                         QUARRY_OK);
            CHECK_EQ_INT(s, 2);
            ok = 1;
        }
        quarry_regex_free(re);
    }
    CHECK(ok);
    quarry_env_free(fenv);
}

static void literal_is(const char *pattern, unsigned flags, const char *expect)
{
    char out[256];
    size_t n = qi_regex_required_literal(pattern, strlen(pattern), flags, out);
    out[n] = 0;
    if (strcmp(out, expect) != 0)
        fprintf(stderr, "  literal of /%s/: \"%s\", expected \"%s\"\n", pattern,
                out, expect);
    CHECK_EQ_STR(out, expect);
}

static void test_required_literal(void)
{
    literal_is("hello", 0, "hello");
    literal_is("sustainable development", 0, "sustainable development");
    literal_is("\\w+ization of the \\w+", 0, "ization of the ");
    literal_is("colou?r", 0, "colo");
    literal_is("ab*c", 0, "a");
    literal_is("a|b", 0, "");
    literal_is("foo(bar|baz)qux", 0, "foo");
    literal_is("[abc]def", 0, "def");
    literal_is("[]x]yz", 0, "yz");
    literal_is("\\.txt$", 0, ".txt");
    literal_is("^The", 0, "The");
    literal_is("(?i)hello", 0, "");
    literal_is("hello", QUARRY_RE_CASELESS, "");
    literal_is("123-456", QUARRY_RE_CASELESS, "123-456");
    literal_is("\\p{Han}+中国", 0, "中国");
    literal_is("x{2,3}yz", 0, "yz");
    literal_is("x{0,3}yz", 0, "yz");
    literal_is("a{foo}", 0, "a{foo}");
    literal_is("\\d+ percent", 0, " percent");
    literal_is("\\bword\\b", 0, "word");
    literal_is("abc\\Qdef\\E", 0, "");
    literal_is("(?:abc)", 0, "");
    literal_is("a+bc", 0, "bc");
    literal_is("foo.bar", 0, "foo");
    literal_is("新质生产力?", 0, "新质生产");
    literal_is("", 0, "");
    literal_is("\\\\server", 0, "\\server");
    literal_is("tax(es)?", 0, "tax");
    literal_is("[a-z]+ing\\b", 0, "ing");
    literal_is("a b", QUARRY_RE_EXTENDED, "");
    literal_is("a.b", QUARRY_RE_LITERAL, "a.b");
    literal_is("ABC", QUARRY_RE_LITERAL | QUARRY_RE_CASELESS, "");
    literal_is("\\x41BC", 0, "BC");
    literal_is("(?=foo)foobar", 0, "foobar");
    literal_is("abc*?", 0, "ab");
    literal_is("(abc)\\1xy", 0, "");
    literal_is("a|", 0, "");
    literal_is("(?<name>ab)cd", 0, "cd");
    literal_is("\\p{L}\\x{4e2d}xy", 0, "xy");
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_basics);
    RUN(test_flags);
    RUN(test_lines);
    RUN(test_empty_matches);
    RUN(test_crlf);
    RUN(test_invalid_utf8);
    RUN(test_limits);
    RUN(test_syntax_errors);
    RUN(test_alloc_failures);
    RUN(test_required_literal);
    quarry_env_free(env);
    return check_summary();
}
