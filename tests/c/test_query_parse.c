/*
 * test_query_parse.c - quarry_query_compile and quarry_query_format: the
 * parsed form of every construct of docs/query.md, the errors with their
 * exact positions, the depth limit and every allocation failure.
 */
#include "check.h"
#include "quarry.h"
#include "testkit.h"

#include <stdlib.h>
#include <string.h>

static quarry_env *env;

/* The parsed form of text, or "ERR <status> <pos>: <message>". */
static const char *parse(const char *text)
{
    static char out[4096];
    quarry_query *q = NULL;
    size_t pos = 12345;
    int rc = quarry_query_compile(env, text, strlen(text), &q, &pos);
    if (rc != QUARRY_OK) {
        snprintf(out, sizeof out, "ERR %s %zu: %s", quarry_status_name(rc), pos,
                 quarry_env_errmsg(env));
        return out;
    }
    quarry_query_format(q, out, sizeof out);
    quarry_query_free(q);
    return out;
}

#define OK(text, form) CHECK_EQ_STR(parse(text), form)

/* An error: status, exact position and a word of the message. */
#define BAD(text, status, pos, word)                                           \
    do {                                                                       \
        quarry_query *q_ = NULL;                                               \
        size_t pos_ = 12345;                                                   \
        int rc_ = quarry_query_compile(env, text, strlen(text), &q_, &pos_);   \
        CHECK_EQ_INT(rc_, status);                                             \
        CHECK_EQ_INT(pos_, pos);                                               \
        CHECK(q_ == NULL);                                                     \
        if (!strstr(quarry_env_errmsg(env), word)) {                           \
            CHECK(!"message lacks the word");                                  \
            fprintf(stderr, "  query %s: message '%s' lacks '%s'\n", text,     \
                    quarry_env_errmsg(env), word);                             \
        }                                                                      \
    } while (0)

static void test_words(void)
{
    OK("freedom", "(term \"freedom\")");
    OK("  freedom  ", "(term \"freedom\")");
    OK("e-mail", "(term \"e-mail\")");
    OK("U.S.", "(term \"U.S.\")");
    OK("don't", "(term \"don't\")");
    OK("10:30", "(term \"10:30\")");
    OK("http://x.org/a", "(term \"http://x.org/a\")");
    OK("and/or", "(term \"and/or\")");
    OK("and", "(term \"and\")");
    OK("not or", "(and (term \"not\") (term \"or\"))");
    OK("NEAR", "(term \"NEAR\")");
    OK("naïve", "(term \"naïve\")");
    OK("新质生产力", "(term \"新质生产力\")");
    OK("新质生产力 发展", "(and (term \"新质生产力\") (term \"发展\"))");
    OK("a\\(b\\)", "(term \"a(b)\")");
    OK("\\AND", "(term \"AND\")");
    OK("new\\ york", "(term \"new york\")");
    OK("back\\\\slash", "(term \"back\\\\slash\")");
    OK("a:", "(term \"a:\")");
    OK("C++", "(term \"C++\")");
    OK("within", "(term \"within\")");
    OK("a within", "(and (term \"a\") (term \"within\"))");
    OK("a within x", "(and (term \"a\") (term \"within\") (term \"x\"))");
}

static void test_wildcards_regex(void)
{
    OK("econom*", "(wild \"econom*\")");
    OK("wom?n", "(wild \"wom?n\")");
    OK("*tax*", "(wild \"*tax*\")");
    /* the escape stays in a wildcard's text: the matcher reads \* as * */
    OK("a\\*b*", "(wild \"a\\\\*b*\")");
    OK("a\\*b", "(term \"a*b\")");
    OK("/colou?r/", "(regex \"colou?r\")");
    OK("/colou?r/i", "(regex/i \"colou?r\")");
    OK("/a\\/b/", "(regex \"a/b\")");
    OK("/\\d+/", "(regex \"\\\\d+\")");
    OK("/a b/", "(regex \"a b\")");
    OK("/x/ y", "(and (regex \"x\") (term \"y\"))");
    OK("/[a-z]+ing/i", "(regex/i \"[a-z]+ing\")");
}

static void test_phrases(void)
{
    OK("\"new quality productive forces\"",
       "(term \"new quality productive forces\")");
    OK("\"say \\\"hi\\\"\"", "(term \"say \\\"hi\\\"\")");
    OK("\"a\\\\b\"", "(term \"a\\\\b\")");
    OK("\"a\\nb\"", "(term \"a\\\\nb\")"); /* only \" and \\ escape */
    OK("\"econom*\"", "(term \"econom*\")");
    OK("\"a\" \"b\"", "(and (term \"a\") (term \"b\"))");
    OK("=Party", "(term= \"Party\")");
    OK("=\"White House\"", "(term= \"White House\")");
    OK("\"AND\"", "(term \"AND\")");
    OK("\"新质 生产力\"", "(term \"新质 生产力\")");
}

static void test_boolean(void)
{
    OK("a b", "(and (term \"a\") (term \"b\"))");
    OK("a AND b", "(and (term \"a\") (term \"b\"))");
    OK("a OR b", "(or (term \"a\") (term \"b\"))");
    OK("a b OR c", "(or (and (term \"a\") (term \"b\")) (term \"c\"))");
    OK("a OR b c", "(or (term \"a\") (and (term \"b\") (term \"c\")))");
    OK("a OR b AND c", "(or (term \"a\") (and (term \"b\") (term \"c\")))");
    OK("(a OR b) c", "(and (or (term \"a\") (term \"b\")) (term \"c\"))");
    OK("a NOT b", "(and (term \"a\") (not (term \"b\")))");
    OK("a AND NOT b", "(and (term \"a\") (not (term \"b\")))");
    OK("NOT b a", "(and (not (term \"b\")) (term \"a\"))");
    OK("a NOT (b OR c)",
       "(and (term \"a\") (not (or (term \"b\") (term \"c\"))))");
    OK("a NOT b OR c",
       "(or (and (term \"a\") (not (term \"b\"))) (term \"c\"))");
    OK("NOT(b) a", "(and (not (term \"b\")) (term \"a\"))");
    /* flattening and collapsing */
    OK("a (b c) d",
       "(and (term \"a\") (term \"b\") (term \"c\") (term \"d\"))");
    OK("a OR (b OR c) OR d",
       "(or (term \"a\") (term \"b\") (term \"c\") (term \"d\"))");
    OK("((a))", "(term \"a\")");
    OK("(((a OR b)))", "(or (term \"a\") (term \"b\"))");
    OK("a AND b AND c", "(and (term \"a\") (term \"b\") (term \"c\"))");
    OK("(a b) OR (c d)",
       "(or (and (term \"a\") (term \"b\")) (and (term \"c\") (term \"d\")))");
    OK("a(b)", "(and (term \"a\") (term \"b\"))");
    OK("ANDROID ORE NOTE", "(and (term \"ANDROID\") (term \"ORE\") "
                           "(term \"NOTE\"))");
}

static void test_near(void)
{
    OK("NEAR/5(a, b)", "(near 5 (term \"a\") (term \"b\"))");
    OK("NEAR(a, b)", "(near 10 (term \"a\") (term \"b\"))");
    OK("ONEAR/0(a,b,c)", "(onear 0 (term \"a\") (term \"b\") (term \"c\"))");
    OK("NEAR/3 (a, b)", "(near 3 (term \"a\") (term \"b\"))");
    OK("NEAR/1000000(a, b)", "(near 1000000 (term \"a\") (term \"b\"))");
    OK("NEAR/2(\"new forces\", econ*, /tax(es)?/)",
       "(near 2 (term \"new forces\") (wild \"econ*\") (regex \"tax(es)?\"))");
    OK("NEAR/2((a OR b), c)",
       "(near 2 (or (term \"a\") (term \"b\")) (term \"c\"))");
    OK("NEAR/2(a OR b, c)",
       "(near 2 (or (term \"a\") (term \"b\")) (term \"c\"))");
    OK("NEAR/4(NEAR/1(a, b), c)",
       "(near 4 (near 1 (term \"a\") (term \"b\")) (term \"c\"))");
    OK("NEAR/4(\"x\" [] \"y\", z)",
       "(near 4 (seq (tok 1 1 phrase (norm= \"x\")) (tok 1 1) "
       "(tok 1 1 phrase (norm= \"y\"))) (term \"z\"))");
    OK("NEAR/5(a, b) c",
       "(and (near 5 (term \"a\") (term \"b\")) (term \"c\"))");
    OK("NEAR/5(a, b) OR c",
       "(or (near 5 (term \"a\") (term \"b\")) (term \"c\"))");
}

static void test_sequences(void)
{
    OK("\"new\" []{0,2} \"forces\"",
       "(seq (tok 1 1 phrase (norm= \"new\")) (tok 0 2) "
       "(tok 1 1 phrase (norm= \"forces\")))");
    OK("[norm=\"tax*\" & word!=\"Tax\"]",
       "(seq (tok 1 1 (& (norm=~ \"tax*\") (word!= \"Tax\"))))");
    OK("[word=\"a\" | norm=\"b\" & !word=\"c\"]",
       "(seq (tok 1 1 (| (word= \"a\") (& (norm= \"b\") (! (word= \"c\"))))))");
    OK("[(word=\"a\" | word=\"b\") & norm!=/x+/i]",
       "(seq (tok 1 1 (& (| (word= \"a\") (word= \"b\")) (norm!=/i \"x+\"))))");
    OK("[norm=/a\\/b/]", "(seq (tok 1 1 (norm=/ \"a/b\")))");
    OK("[ norm = \"x\" ]", "(seq (tok 1 1 (norm= \"x\")))");
    OK("[norm=\"a\\*\"]", "(seq (tok 1 1 (norm= \"a*\")))");
    OK("[norm=\"a\\*b*\"]", "(seq (tok 1 1 (norm=~ \"a\\\\*b*\")))");
    OK("[norm=\"x\"]? [norm=\"y\"]* [norm=\"z\"]+",
       "(seq (tok 0 1 (norm= \"x\")) (tok 0 inf (norm= \"y\")) "
       "(tok 1 inf (norm= \"z\")))");
    OK("\"a\" []{3} []{,4} []{2,} \"b\"",
       "(seq (tok 1 1 phrase (norm= \"a\")) (tok 3 3) (tok 0 4) (tok 2 inf) "
       "(tok 1 1 phrase (norm= \"b\")))");
    OK("=\"New\" [] \"x\"", "(seq (tok 1 1 phrase (word= \"New\")) (tok 1 1) "
                            "(tok 1 1 phrase (norm= \"x\")))");
    OK("\"a\" \"b\" [] \"c\" d2 OR e",
       "ERR ESYNTAX 15: query: in a token sequence, write words in "
       "quotes: \"new\" [] \"forces\" at position 16");
    OK("\"a\"[]\"b\"", "(seq (tok 1 1 phrase (norm= \"a\")) (tok 1 1) "
                       "(tok 1 1 phrase (norm= \"b\")))");
    OK("x \"a\" [] \"b\" OR y",
       "ERR ESYNTAX 0: query: in a token sequence, write words in "
       "quotes: \"new\" [] \"forces\" at position 1");
    OK("x AND \"a\" [] \"b\" OR y",
       "(or (and (term \"x\") (seq (tok 1 1 phrase (norm= \"a\")) (tok 1 1) "
       "(tok 1 1 phrase (norm= \"b\")))) (term \"y\"))");
    OK("[norm=\"x\"] [norm=\"y\"]",
       "(seq (tok 1 1 (norm= \"x\")) (tok 1 1 (norm= \"y\")))");
    OK("[word=\"a\"] AND b",
       "(and (seq (tok 1 1 (word= \"a\"))) (term \"b\"))");
    OK("[word=\"a\"]{100}", "(seq (tok 100 100 (word= \"a\")))");
    OK("[word=\"a\"] year>=2015",
       "(and (seq (tok 1 1 (word= \"a\"))) (filter \"year>=2015\"))");
}

static void test_filters_scope(void)
{
    OK("tax year>=2015", "(and (term \"tax\") (filter \"year>=2015\"))");
    OK("year>=2015 tax party:Whig",
       "(and (filter \"year>=2015\") (term \"tax\") (filter \"party:Whig\"))");
    OK("tax party=\"Democratic-Republican\"",
       "(and (term \"tax\") (filter \"party=\\\"Democratic-Republican\\\"\"))");
    OK("tax (year=1 OR year=2)",
       "(and (term \"tax\") (filter \"(year=1 OR year=2)\"))");
    OK("tax NOT year=1812", "(and (term \"tax\") (filter \"NOT year=1812\"))");
    OK("tax NOT (party:Whig OR party:Tory)",
       "(and (term \"tax\") (filter \"NOT (party:Whig OR party:Tory)\"))");
    OK("tax AND date<2023-03",
       "(and (term \"tax\") (filter \"date<2023-03\"))");
    OK("(a year>=2015) b",
       "(and (term \"a\") (filter \"year>=2015\") (term \"b\"))");
    OK("a http://x", "(and (term \"a\") (term \"http://x\"))");
    OK("a within s", "(within s (term \"a\"))");
    OK("a b within sentence", "(within s (and (term \"a\") (term \"b\")))");
    OK("a within p", "(within p (term \"a\"))");
    OK("a within paragraph  ", "(within p (term \"a\"))");
    OK("a within doc", "(term \"a\")");
    OK("a within document", "(term \"a\")");
    OK("\"a within s\"", "(term \"a within s\")");
    OK("NEAR/3(a, b) within s",
       "(within s (near 3 (term \"a\") (term \"b\")))");
    OK("a WITHIN s", "(and (term \"a\") (term \"WITHIN\") (term \"s\"))");
    OK("\"a\" [] \"b\" year=1",
       "(and (seq (tok 1 1 phrase (norm= \"a\")) (tok 1 1) "
       "(tok 1 1 phrase (norm= \"b\"))) (filter \"year=1\"))");
    OK("x (NOT year=1) NOT (y OR z)",
       "(and (term \"x\") (filter \"(NOT year=1)\") "
       "(not (or (term \"y\") (term \"z\"))))");
    OK("a within  s tax year=1",
       "(and (term \"a\") (term \"within\") (term \"s\") (term \"tax\") "
       "(filter \"year=1\"))");
}

static void test_errors(void)
{
    BAD("", QUARRY_ESYNTAX, 0, "empty");
    BAD("   \t", QUARRY_ESYNTAX, 0, "empty");
    BAD("within s", QUARRY_ESYNTAX, 0, "empty");
    BAD("(a b", QUARRY_ESYNTAX, 0, "')' to close the '(' at 1");
    BAD("x (a (b) c", QUARRY_ESYNTAX, 2, "to close");
    BAD("a b)", QUARRY_ESYNTAX, 3, "unexpected ')'");
    BAD("()", QUARRY_ESYNTAX, 1, "before ')'");
    BAD("a ]", QUARRY_ESYNTAX, 2, "unexpected ']'");
    BAD("a, b", QUARRY_ESYNTAX, 1, "','");
    BAD("\"abc", QUARRY_ESYNTAX, 0, "unterminated phrase");
    BAD("a \"\"", QUARRY_ESYNTAX, 2, "empty phrase");
    BAD("\"a\"*", QUARRY_ESYNTAX, 3, "quantifier");
    BAD("\"a\"b", QUARRY_ESYNTAX, 3, "white space");
    BAD("a OR", QUARRY_ESYNTAX, 2, "after");
    BAD("OR a", QUARRY_ESYNTAX, 0, "before");
    BAD("a OR OR b", QUARRY_ESYNTAX, 5, "before");
    BAD("a AND", QUARRY_ESYNTAX, 2, "after");
    BAD("AND a", QUARRY_ESYNTAX, 0, "before");
    BAD("a AND OR b", QUARRY_ESYNTAX, 2, "after");
    BAD("NOT a", QUARRY_ESYNTAX, 0, "positive operand");
    BAD("a OR NOT b", QUARRY_ESYNTAX, 5, "positive operand");
    BAD("a (NOT b)", QUARRY_ESYNTAX, 3, "positive operand");
    BAD("a NOT NOT b", QUARRY_ESYNTAX, 6, "NOT NOT");
    BAD("a NOT", QUARRY_ESYNTAX, 2, "after");
    BAD("NEAR/5(a)", QUARRY_ESYNTAX, 0, "at least 2");
    BAD("NEAR/5(a, b", QUARRY_ESYNTAX, 6, "to close the '(' at 7");
    BAD("NEAR/x(a, b)", QUARRY_ESYNTAX, 5, "distance");
    BAD("NEAR/1000001(a, b)", QUARRY_ESYNTAX, 5, "larger than 1000000");
    BAD("NEAR/5 a", QUARRY_ESYNTAX, 7, "expected '(' after NEAR/5 at");
    BAD("ONEAR/ (a, b)", QUARRY_ESYNTAX, 6, "after ONEAR/");
    BAD("NEAR(a, b) NEAR()", QUARRY_ESYNTAX, 16, "operand before ')'");
    BAD("NEAR/5(a AND b, c)", QUARRY_ESYNTAX, 9, "AND is not allowed");
    BAD("NEAR/5(a, NOT b)", QUARRY_ESYNTAX, 10, "NOT is not allowed");
    BAD("NEAR/5(a b, c)", QUARRY_ESYNTAX, 9, "juxtaposed");
    BAD("NEAR/5(a, year=2)", QUARRY_ESYNTAX, 10, "field filter");
    BAD("NEAR/5(a, (b c))", QUARRY_ESYNTAX, 13, "juxtaposed");
    BAD("NEAR/5(a, , b)", QUARRY_ESYNTAX, 10, "operand");
    BAD("/abc", QUARRY_ESYNTAX, 0, "unterminated regex");
    BAD("a //", QUARRY_ESYNTAX, 2, "empty regex");
    BAD("/abc/g", QUARRY_ESYNTAX, 5, "unknown flag 'g'");
    BAD("/abc/ii", QUARRY_ESYNTAX, 6, "twice");
    BAD("x /a(b/", QUARRY_ESYNTAX, 6, "regex error");
    BAD("/a[b/", QUARRY_ESYNTAX, 4, "regex error");
    BAD("/ab)/", QUARRY_ESYNTAX, 3, "regex error");
    BAD("x /a\\/b)/", QUARRY_ESYNTAX, 7, "regex error");
    BAD("[norm=/a(/]", QUARRY_ESYNTAX, 9, "regex error");
    BAD("[]", QUARRY_ESYNTAX, 0, "needs a token test");
    BAD("[] []{2}", QUARRY_ESYNTAX, 0, "needs a token test");
    BAD("\"new\" [] forces", QUARRY_ESYNTAX, 9, "write words in quotes");
    BAD("new [] \"forces\"", QUARRY_ESYNTAX, 0, "write words in quotes");
    BAD("a [norm=\"x\"", QUARRY_ESYNTAX, 0, "write words in quotes");
    BAD("x AND [norm=\"x\"", QUARRY_ESYNTAX, 6, "']' to close the '[' at 7");
    BAD("[norm=\"x\" word=\"y\"]", QUARRY_ESYNTAX, 10, "'&', '|' or ']'");
    BAD("[lemma=\"x\"]", QUARRY_ESYNTAX, 1, "'word' or 'norm'");
    BAD("[word~\"x\"]", QUARRY_ESYNTAX, 5, "'=' or '!='");
    BAD("[word=x]", QUARRY_ESYNTAX, 6, "quoted value");
    BAD("[word=\"\"]", QUARRY_ESYNTAX, 6, "empty value");
    BAD("[word=\"x\"]{101}", QUARRY_ESYNTAX, 11, "larger than 100");
    BAD("[word=\"x\"]{3,2}", QUARRY_ESYNTAX, 10, "minimum is larger");
    BAD("[word=\"x\"]{0}", QUARRY_ESYNTAX, 10, "matches nothing");
    BAD("[word=\"x\"]{2", QUARRY_ESYNTAX, 10, "'}'");
    BAD("[word=\"x\"]{}", QUARRY_ESYNTAX, 10, "needs a bound");
    BAD("[word=\"x\"]+x", QUARRY_ESYNTAX, 11, "white space");
    BAD("[(word=\"x\"]", QUARRY_ESYNTAX, 1, "')' to close");
    BAD("year>=2015", QUARRY_ESYNTAX, 0, "--filter");
    BAD("year>=2015 NOT tax", QUARRY_ESYNTAX, 0, "--filter");
    BAD("tax OR year=2015", QUARRY_ESYNTAX, 7, "AND-ed");
    BAD("tax NOT (a OR year=2015)", QUARRY_ESYNTAX, 14, "AND-ed");
    BAD("tax year>\"2015", QUARRY_ESYNTAX, 9, "field filter");
    BAD("tax (year=1 OR)", QUARRY_ESYNTAX, 14, "field filter");
    BAD("=", QUARRY_ESYNTAX, 0, "after '='");
    BAD("=econ*", QUARRY_ESYNTAX, 0, "wildcards");
    BAD("a\\", QUARRY_ESYNTAX, 1, "escapes nothing");
    BAD("a \xff b", QUARRY_ESYNTAX, 2, "UTF-8");
    BAD("a \xe6\x96 b", QUARRY_ESYNTAX, 2, "UTF-8");
    {
        quarry_query *q = NULL;
        size_t pos = 99;
        CHECK_EQ_INT(quarry_query_compile(env, "a\0b", 3, &q, &pos),
                     QUARRY_ESYNTAX);
        CHECK_EQ_INT(pos, 1);
        CHECK(strstr(quarry_env_errmsg(env), "NUL") != NULL);
        CHECK_EQ_INT(quarry_query_compile(env, NULL, 0, &q, NULL),
                     QUARRY_ESYNTAX);
        CHECK_EQ_INT(quarry_query_compile(env, NULL, 3, &q, NULL),
                     QUARRY_EINVAL);
        CHECK_EQ_INT(quarry_query_compile(env, "a", 1, NULL, NULL),
                     QUARRY_EINVAL);
    }
}

static void test_format_and_text(void)
{
    quarry_query *q = NULL;
    char small[8];
    const char *text = "tax OR \"new forces\" within s";
    size_t need;
    CHECK_EQ_INT(quarry_query_compile(env, text, strlen(text), &q, NULL),
                 QUARRY_OK);
    CHECK_EQ_STR(quarry_query_text(q), text);
    need = quarry_query_format(q, NULL, 0);
    CHECK_EQ_INT(need, strlen("(within s (or (term \"tax\") (term \"new "
                              "forces\")))"));
    memset(small, 'x', sizeof small);
    CHECK_EQ_INT(quarry_query_format(q, small, sizeof small), need);
    CHECK_EQ_STR(small, "(within");
    CHECK_EQ_INT(quarry_query_format(q, small, 1), need);
    CHECK_EQ_STR(small, "");
    quarry_query_free(q);
    quarry_query_free(NULL);
}

static void test_depth(void)
{
    enum { N = QUARRY_QUERY_MAX_DEPTH };
    char buf[6 * N + 64];
    size_t i, n = 0;
    quarry_query *q = NULL;
    size_t pos = 0;

    for (i = 0; i < N; i++)
        buf[n++] = '(';
    buf[n++] = 'a';
    for (i = 0; i < N; i++)
        buf[n++] = ')';
    CHECK_EQ_INT(quarry_query_compile(env, buf, n, &q, &pos), QUARRY_OK);
    quarry_query_free(q);

    n = 0;
    for (i = 0; i <= N; i++)
        buf[n++] = '(';
    buf[n++] = 'a';
    for (i = 0; i <= N; i++)
        buf[n++] = ')';
    CHECK_EQ_INT(quarry_query_compile(env, buf, n, &q, &pos), QUARRY_ELIMIT);
    CHECK_EQ_INT(pos, N);
    CHECK(q == NULL);

    /* NEAR groups and token-test operators count as well */
    n = 0;
    for (i = 0; i <= N; i++) {
        memcpy(buf + n, "NEAR(", 5);
        n += 5;
        if (n > sizeof buf - 16)
            break;
    }
    buf[n++] = 'a';
    CHECK_EQ_INT(quarry_query_compile(env, buf, n, &q, &pos), QUARRY_ELIMIT);
    n = 0;
    buf[n++] = '[';
    for (i = 0; i <= N; i++)
        buf[n++] = '!';
    memcpy(buf + n, "word=\"a\"]", 9);
    n += 9;
    CHECK_EQ_INT(quarry_query_compile(env, buf, n, &q, &pos), QUARRY_ELIMIT);
    CHECK_EQ_INT(pos, 1 + N);
    /* a deep filter group is bounded too */
    n = 0;
    buf[n++] = 'x';
    buf[n++] = ' ';
    for (i = 0; i <= N; i++)
        buf[n++] = '(';
    memcpy(buf + n, "y=1", 3);
    n += 3;
    for (i = 0; i <= N; i++)
        buf[n++] = ')';
    CHECK(quarry_query_compile(env, buf, n, &q, &pos) != QUARRY_OK);
}

/* Every allocation of a complex compile fails in turn: ENOMEM, no leak (the
 * ASan build checks), and success once the budget suffices. */
static void test_alloc_failures(void)
{
    const char *text =
        "(econom* OR /colou?r/i OR =Party) \"new quality\" NOT tax "
        "NEAR/5(a, \"b c\", (d OR e*)) ONEAR/2(x, NEAR(y, z)) "
        "\"new\" []{0,2} [norm=\"forc*\" & !word!=/F.*/ | word=\"x\"]+ "
        "year>=2015 NOT (party:Whig OR party:Tory) within s";
    long budget;
    int ok = 0;
    for (budget = 0; budget < 100000 && !ok; budget++) {
        tk_fail f = {budget, 0};
        quarry_env *e = NULL;
        quarry_query *q = NULL;
        int rc;
        if (quarry_env_new(tk_failing_alloc, &f, &e) != QUARRY_OK)
            continue;
        rc = quarry_query_compile(e, text, strlen(text), &q, NULL);
        if (rc == QUARRY_OK) {
            char buf[2048];
            ok = 1;
            quarry_query_format(q, buf, sizeof buf);
            CHECK(strstr(buf, "(within s (and (or (wild \"econom*\")") == buf);
        } else if (rc != QUARRY_ENOMEM) {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            fprintf(stderr, "  budget %ld: %s\n", budget, quarry_env_errmsg(e));
        }
        quarry_query_free(q);
        quarry_env_free(e);
    }
    CHECK(ok);
    CHECK(budget > 20);
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_words);
    RUN(test_wildcards_regex);
    RUN(test_phrases);
    RUN(test_boolean);
    RUN(test_near);
    RUN(test_sequences);
    RUN(test_filters_scope);
    RUN(test_errors);
    RUN(test_format_and_text);
    RUN(test_depth);
    RUN(test_alloc_failures);
    quarry_env_free(env);
    return check_summary();
}
