/*
 * check.h - the minimal assertion kit of the C unit tests. A test file
 * defines test functions, lists them in main with RUN(), and returns
 * check_summary(). Every failed CHECK prints file:line and the expression.
 */
#ifndef QUARRY_CHECK_H
#define QUARRY_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failed_count;
static int check_passed_count;

#define CHECK(expr)                                                            \
    do {                                                                       \
        if (expr) {                                                            \
            check_passed_count++;                                              \
        } else {                                                               \
            check_failed_count++;                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #expr);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
    do {                                                                       \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);        \
        if (check_a_ == check_b_) {                                            \
            check_passed_count++;                                              \
        } else {                                                               \
            check_failed_count++;                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n",  \
                    __FILE__, __LINE__, #a, #b, check_a_, check_b_);           \
        }                                                                      \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                     \
    do {                                                                       \
        const char *check_a_ = (a), *check_b_ = (b);                           \
        if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {         \
            check_passed_count++;                                              \
        } else {                                                               \
            check_failed_count++;                                              \
            fprintf(                                                           \
                stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n",  \
                __FILE__, __LINE__, #a, #b, check_a_ ? check_a_ : "(null)",    \
                check_b_ ? check_b_ : "(null)");                               \
        }                                                                      \
    } while (0)

#define RUN(fn)                                                                \
    do {                                                                       \
        int check_before_ = check_failed_count;                                \
        fn();                                                                  \
        fprintf(stderr, "%s %s\n",                                             \
                check_failed_count == check_before_ ? "ok  " : "FAIL", #fn);   \
    } while (0)

static int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed_count, check_failed_count);
    return check_failed_count ? 1 : 0;
}

#endif
