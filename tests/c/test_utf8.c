/* test_utf8.c - UTF-8 validation and repair. */
#include "check.h"
#include "internal.h"

static quarry_env *env;

static void test_valid(void)
{
    CHECK(quarry_utf8_valid("", 0));
    CHECK(quarry_utf8_valid("abc", 3));
    CHECK(quarry_utf8_valid("\xe6\x96\xb0\xe8\xb4\xa8", 6)); /* 新质 */
    CHECK(quarry_utf8_valid("\xf0\x9f\x98\x80", 4));         /* emoji */
    CHECK(!quarry_utf8_valid("\xc0\xaf", 2));                /* overlong */
    CHECK(!quarry_utf8_valid("\xed\xa0\x80", 3));            /* surrogate */
    CHECK(!quarry_utf8_valid("\xf4\x90\x80\x80", 4));        /* > U+10FFFF */
    CHECK(!quarry_utf8_valid("\xe6\x96", 2));                /* truncated */
    CHECK(!quarry_utf8_valid("\xff", 1));
}

static void check_repair(const char *in, size_t len, const char *want,
                         uint64_t want_replaced)
{
    qi_buf b = {0};
    uint64_t replaced = 0;
    CHECK(qi_utf8_repair(env, in, len, &b, &replaced));
    CHECK(qi_buf_terminate(env, &b));
    CHECK_EQ_STR(b.data, want);
    CHECK_EQ_INT(replaced, want_replaced);
    CHECK(quarry_utf8_valid(b.data, b.len));
    qi_buf_free(env, &b);
}

static void test_repair(void)
{
    check_repair("abc", 3, "abc", 0);
    check_repair("a\xff"
                 "b",
                 3,
                 "a\xef\xbf\xbd"
                 "b",
                 1);
    /* a truncated 3-byte sequence is one maximal subpart: one U+FFFD */
    check_repair("a\xe6\x96"
                 "b",
                 4,
                 "a\xef\xbf\xbd"
                 "b",
                 1);
    /* Unicode 15 table 3-8: each ill-formed byte of an overlong gets one */
    check_repair("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 2);
    check_repair("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3);
    check_repair("x\xe6\x96\xb0", 4, "x\xe6\x96\xb0", 0);
}

static void test_status_names(void)
{
    CHECK_EQ_STR(quarry_status_name(QUARRY_ENOENT), "ENOENT");
    CHECK_EQ_STR(quarry_status_name(QUARRY_ECORRUPT), "ECORRUPT");
    CHECK_EQ_STR(quarry_status_name(QUARRY_EBUSY), "EBUSY");
    CHECK_EQ_STR(quarry_status_name(12345), "EUNKNOWN");
    CHECK_EQ_STR(quarry_version(), QUARRY_VERSION_STRING);
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_valid);
    RUN(test_repair);
    RUN(test_status_names);
    quarry_env_free(env);
    return check_summary();
}
