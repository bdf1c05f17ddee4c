/* test_filter.c - field filters: syntax, precedence, typed comparisons,
 * error positions, and quarry_doc_new (the documents filters run on). */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>

static quarry_env *env;

/* A document: year 2001 (integer), score 2.5 (number), date 2024-03-15
 * (date), party "Democratic-Republican" (string), name "Jefferson". */
static quarry_field doc[5];

static quarry_field mk(const char *name, const char *text, int type)
{
    quarry_field f;
    memset(&f, 0, sizeof f);
    f.name = name;
    f.text = text;
    f.text_len = strlen(text);
    f.type = type;
    if (type == QUARRY_FIELD_INTEGER)
        f.value.integer = strtoll(text, NULL, 10);
    else if (type == QUARRY_FIELD_NUMBER)
        f.value.number = strtod(text, NULL);
    else if (type == QUARRY_FIELD_DATE)
        quarry_date_parse(text, strlen(text), &f.value.date);
    return f;
}

static void setup(void)
{
    doc[0] = mk("year", "2001", QUARRY_FIELD_INTEGER);
    doc[1] = mk("score", "2.5", QUARRY_FIELD_NUMBER);
    doc[2] = mk("date", "2024-03-15", QUARRY_FIELD_DATE);
    doc[3] = mk("party", "Democratic-Republican", QUARRY_FIELD_STRING);
    doc[4] = mk("name", "Jefferson", QUARRY_FIELD_STRING);
}

/* 1 match, 0 no match, -1 compile error */
static int m(const char *text)
{
    quarry_filter *f = NULL;
    size_t pos = 99;
    int rc = quarry_filter_compile(env, text, strlen(text), &f, &pos), r;
    if (rc != QUARRY_OK) {
        fprintf(stderr, "  unexpected error for [%s]: %s\n", text,
                quarry_env_errmsg(env));
        return -1;
    }
    r = quarry_filter_match(f, doc, 5);
    quarry_filter_free(f);
    return r;
}

/* the 0-based error position, or -1 if it compiled */
static long err_at(const char *text)
{
    quarry_filter *f = NULL;
    size_t pos = 99;
    int rc = quarry_filter_compile(env, text, strlen(text), &f, &pos);
    if (rc == QUARRY_OK) {
        quarry_filter_free(f);
        return -1;
    }
    CHECK_EQ_INT(rc, QUARRY_ESYNTAX);
    CHECK(f == NULL);
    CHECK(strstr(quarry_env_errmsg(env), "position") != NULL);
    return (long)pos;
}

static void test_integer(void)
{
    CHECK_EQ_INT(m("year=2001"), 1);
    CHECK_EQ_INT(m("year:2001"), 1);
    CHECK_EQ_INT(m("year==2001"), 1);
    CHECK_EQ_INT(m("year = 2001"), 1);
    CHECK_EQ_INT(m("year!=2001"), 0);
    CHECK_EQ_INT(m("year<2001"), 0);
    CHECK_EQ_INT(m("year<=2001"), 1);
    CHECK_EQ_INT(m("year>2000"), 1);
    CHECK_EQ_INT(m("year>=2002"), 0);
    CHECK_EQ_INT(m("year>2000.5"), 1); /* numeric value, integer field */
    CHECK_EQ_INT(m("year<2001.5"), 1);
    CHECK_EQ_INT(m("year=\"2001\""), 1); /* quoting does not change the type */
    CHECK_EQ_INT(m("year=abc"), 0);      /* not a number: false */
    CHECK_EQ_INT(m("year!=abc"), 0);
    CHECK_EQ_INT(m("year=02001"), 1); /* typed, not textual */
}

static void test_number(void)
{
    CHECK_EQ_INT(m("score=2.5"), 1);
    CHECK_EQ_INT(m("score>2"), 1);
    CHECK_EQ_INT(m("score<2.5"), 0);
    CHECK_EQ_INT(m("score>=2.50"), 1);
    CHECK_EQ_INT(m("score=-1e3"), 0);
    CHECK_EQ_INT(m("score>-1e3"), 1);
}

static void test_date(void)
{
    CHECK_EQ_INT(m("date=2024-03-15"), 1);
    CHECK_EQ_INT(m("date=2024"), 1); /* at the value's precision */
    CHECK_EQ_INT(m("date=2024-03"), 1);
    CHECK_EQ_INT(m("date=2024-04"), 0);
    CHECK_EQ_INT(m("date<2024-03"), 0); /* March is not before March */
    CHECK_EQ_INT(m("date<2024-04"), 1);
    CHECK_EQ_INT(m("date>=2024-03-15"), 1);
    CHECK_EQ_INT(m("date>2024-03-14"), 1);
    CHECK_EQ_INT(m("date>2024"), 0);
    CHECK_EQ_INT(m("date>=2024"), 1);
    CHECK_EQ_INT(m("date<2025"), 1);
    CHECK_EQ_INT(m("date=2024-03-15T10:00"),
                 1); /* the field has day precision */
    CHECK_EQ_INT(m("date=yesterday"), 0);
}

static void test_string(void)
{
    CHECK_EQ_INT(m("party:Democratic-Republican"), 1);
    CHECK_EQ_INT(m("party=\"Democratic-Republican\""), 1);
    CHECK_EQ_INT(m("party:democratic-republican"), 0); /* case-sensitive */
    CHECK_EQ_INT(m("party!=Whig"), 1);
    CHECK_EQ_INT(m("name<K"), 1);
    CHECK_EQ_INT(m("name>Jefferson"), 0);
    CHECK_EQ_INT(m("name>=Jefferson"), 1);
    CHECK_EQ_INT(m("name<Jeffersonian"), 1);      /* prefix sorts first */
    CHECK_EQ_INT(m("name=\"Jeff\\\"erson\""), 0); /* escaped quote */
    CHECK_EQ_INT(m("name=\"\""), 0);
}

static void test_missing_field(void)
{
    CHECK_EQ_INT(m("missing=1"), 0);
    CHECK_EQ_INT(m("missing!=1"), 0);
    CHECK_EQ_INT(m("NOT missing=1"), 1);
    CHECK_EQ_INT(m("Year=2001"), 0); /* names are exact */
}

static void test_boolean(void)
{
    CHECK_EQ_INT(m("year=2001 AND party:Whig"), 0);
    CHECK_EQ_INT(m("year=2001 party:Whig"), 0); /* juxtaposition = AND */
    CHECK_EQ_INT(m("year=2001 name:Jefferson"), 1);
    CHECK_EQ_INT(m("year=1999 OR name:Jefferson"), 1);
    CHECK_EQ_INT(m("year=1999 OR name:Adams"), 0);
    CHECK_EQ_INT(m("NOT year=1999"), 1);
    CHECK_EQ_INT(m("NOT NOT year=1999"), 0);
    /* AND binds tighter than OR */
    CHECK_EQ_INT(m("year=2001 OR year=1 AND name:Adams"), 1);
    CHECK_EQ_INT(m("(year=2001 OR year=1) AND name:Adams"), 0);
    CHECK_EQ_INT(m("year=1 AND name:Adams OR score>2"), 1);
    CHECK_EQ_INT(m("NOT (year=1 OR name:Adams)"), 1);
    CHECK_EQ_INT(m("NOT year=2001 OR name:Jefferson"),
                 1); /* NOT binds tightest */
    CHECK_EQ_INT(m("  ( ( year>=2000 ) )  "), 1);
    CHECK_EQ_INT(m("(year>=2000)(name:Jefferson)"), 1);
    /* keywords need a delimiter: ANDROID is a field name */
    CHECK_EQ_INT(m("ANDROID=1 OR year=2001"), 1);
    CHECK_EQ_INT(m("year=2001 AND(name:Jefferson)"), 1);
}

static void test_errors(void)
{
    CHECK_EQ_INT(err_at(""), 0);
    CHECK_EQ_INT(err_at("   "), 0);
    CHECK_EQ_INT(err_at("year"), 4);
    CHECK_EQ_INT(err_at("year>="), 6);
    CHECK_EQ_INT(err_at("year 2001"), 5);
    CHECK_EQ_INT(err_at("year=2001 AND"), 13);
    CHECK_EQ_INT(err_at("year=2001 OR"), 12);
    CHECK_EQ_INT(err_at("AND year=1"), 0);
    CHECK_EQ_INT(err_at("year=1 OR OR year=2"), 10);
    CHECK_EQ_INT(err_at("(year=1"), 0);
    CHECK_EQ_INT(err_at("year=1)"), 6);
    CHECK_EQ_INT(err_at("year=1 )"), 7);
    CHECK_EQ_INT(err_at("()"), 1);
    CHECK_EQ_INT(err_at("name=\"abc"), 5);
    CHECK_EQ_INT(err_at("year=1 #x=2"), 7);
    CHECK_EQ_INT(err_at("NOT"), 3);
    CHECK_EQ_INT(err_at("year=1 NOT"), 10);
    {
        /* deep nesting is refused, not a stack overflow */
        char buf[2 * QUARRY_FILTER_MAX_DEPTH + 64];
        int i, n = QUARRY_FILTER_MAX_DEPTH + 5;
        for (i = 0; i < n; i++)
            buf[i] = '(';
        strcpy(buf + n, "a=1");
        CHECK(err_at(buf) >= 0);
        CHECK(strstr(quarry_env_errmsg(env), "nesting") != NULL);
    }
    {
        /* a NUL inside the given length */
        quarry_filter *f = NULL;
        size_t pos = 0;
        CHECK_EQ_INT(quarry_filter_compile(env, "a=1\0b", 5, &f, &pos),
                     QUARRY_ESYNTAX);
        CHECK_EQ_INT(pos, 3);
    }
}

static void test_long_chain(void)
{
    /* a long AND chain matches without deep recursion */
    size_t n = 20000, i, len = 0;
    char *buf = malloc(n * 10 + 16);
    quarry_filter *f = NULL;
    for (i = 0; i < n; i++) {
        memcpy(buf + len, "year=2001 ", 10);
        len += 10;
    }
    CHECK_EQ_INT(quarry_filter_compile(env, buf, len, &f, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_filter_match(f, doc, 5), 1);
    CHECK_EQ_STR(quarry_filter_text(f) + len - 10, "year=2001 ");
    quarry_filter_free(f);
    free(buf);
}

static void test_doc_new(void)
{
    quarry_doc *d = NULL;
    quarry_field in[4];
    const quarry_field *f;
    size_t len;
    memset(in, 0, sizeof in);
    in[0].name = "year";
    in[0].text = "1999";
    in[0].text_len = 4; /* type 0: inferred -> integer */
    in[1].name = "date";
    in[1].text = "2024-03-15";
    in[1].text_len = 10; /* inferred -> date */
    in[2].name = "zip";
    in[2].text = "01234";
    in[2].text_len = 5;
    in[2].type = QUARRY_FIELD_STRING; /* stays a string */
    in[3].name = "score";
    in[3].text = "2.5";
    in[3].text_len = 3;
    in[3].type = QUARRY_FIELD_NUMBER;
    in[3].value.number = 2.5;
    CHECK_EQ_INT(quarry_doc_new(env, "mem:1", 7, "Hello world.", 12, in, 4, &d),
                 QUARRY_OK);
    CHECK_EQ_STR(quarry_doc_source(d), "mem:1");
    CHECK_EQ_INT(quarry_doc_record(d), 7);
    CHECK_EQ_STR(quarry_doc_text(d, &len), "Hello world.");
    CHECK_EQ_INT(len, 12);
    CHECK_EQ_INT(quarry_doc_field_count(d), 4);
    f = quarry_doc_find_field(d, "year");
    CHECK(f && f->type == QUARRY_FIELD_INTEGER && f->value.integer == 1999);
    f = quarry_doc_find_field(d, "date");
    CHECK(f && f->type == QUARRY_FIELD_DATE && f->value.date.month == 3);
    f = quarry_doc_find_field(d, "zip");
    CHECK(f && f->type == QUARRY_FIELD_STRING);
    CHECK_EQ_STR(f ? f->text : NULL, "01234");
    f = quarry_doc_find_field(d, "score");
    CHECK(f && f->type == QUARRY_FIELD_NUMBER && f->value.number == 2.5);
    {
        /* the filter runs on the document's fields */
        quarry_filter *flt = NULL;
        const char *q = "year<2000 date=2024-03 zip:01234 score>2";
        CHECK_EQ_INT(quarry_filter_compile(env, q, strlen(q), &flt, NULL),
                     QUARRY_OK);
        CHECK_EQ_INT(quarry_filter_match(flt, quarry_doc_field(d, 0), 4), 1);
        quarry_filter_free(flt);
    }
    quarry_doc_free(d);

    d = (quarry_doc *)1;
    CHECK_EQ_INT(quarry_doc_new(env, "", 0, "x", 1, NULL, 0, &d),
                 QUARRY_EINVAL);
    CHECK(d == NULL);
    CHECK_EQ_INT(quarry_doc_new(env, "s", 0, "\xff", 1, NULL, 0, &d),
                 QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "UTF-8") != NULL);
    in[1].name = "year";
    CHECK_EQ_INT(quarry_doc_new(env, "s", 0, "x", 1, in, 2, &d), QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "twice") != NULL);
    in[1].name = NULL;
    CHECK_EQ_INT(quarry_doc_new(env, "s", 0, "x", 1, in, 2, &d), QUARRY_EINVAL);
    in[1].name = "t";
    in[1].type = 9;
    CHECK_EQ_INT(quarry_doc_new(env, "s", 0, "x", 1, in, 2, &d), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_doc_new(env, "s", 0, "", 0, NULL, 0, &d), QUARRY_OK);
    quarry_doc_free(d);
}

static tk_fail fail = {-1, 0}; /* the allocator budget of the OOM test */

static void test_allocation_failures(void)
{
    quarry_env *e = NULL;
    const char *q = "(year>=2000 OR party:\"Whig\") AND NOT name:Adams";
    long b;
    int ok = 0;
    CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &fail, &e), QUARRY_OK);
    for (b = 0; b < 200 && !ok; b++) {
        quarry_filter *f = NULL;
        int rc;
        fail.budget = b;
        rc = quarry_filter_compile(e, q, strlen(q), &f, NULL);
        fail.budget = -1;
        if (rc == QUARRY_OK) {
            CHECK_EQ_INT(quarry_filter_match(f, doc, 5), 1);
            quarry_filter_free(f);
            ok = 1;
        } else {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            CHECK(f == NULL);
        }
    }
    CHECK(ok);
    quarry_env_free(e);
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    setup();
    RUN(test_integer);
    RUN(test_number);
    RUN(test_date);
    RUN(test_string);
    RUN(test_missing_field);
    RUN(test_boolean);
    RUN(test_errors);
    RUN(test_long_chain);
    RUN(test_doc_new);
    RUN(test_allocation_failures);
    quarry_env_free(env);
    return check_summary();
}
