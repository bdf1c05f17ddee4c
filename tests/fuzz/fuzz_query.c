/*
 * fuzz_query.c - libFuzzer target for the query parser: quarry_query_compile,
 * quarry_query_format and quarry_query_free.
 *
 * Input: the bytes are the query text, as is (invalid UTF-8 and NUL bytes
 * included: they must be syntax errors). Invariants: the status is OK,
 * ESYNTAX or ELIMIT; an error has a "query:" message, a position inside the
 * text (at most its length) and no query; a compiled query keeps its text
 * and formats to a non-empty S-expression with balanced parentheses outside
 * strings, of the length the size query returned, truncated like snprintf
 * into a small buffer.
 */
#include "fuzz_common.h"
#include "quarry.h"

#include <stdlib.h>
#include <string.h>

static quarry_env *env;

static void check_form(const char *form, size_t n)
{
    size_t i;
    long open = 0;
    int in_str = 0;
    FUZZ_CHECK(n > 0 && form[0] == '(' && form[n - 1] == ')');
    for (i = 0; i < n; i++) {
        char c = form[i];
        if (in_str) {
            if (c == '\\') {
                i++;
                FUZZ_CHECK(i < n);
            } else if (c == '"') {
                in_str = 0;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '(') {
            open++;
        } else if (c == ')') {
            open--;
            FUZZ_CHECK(open >= 0);
            FUZZ_CHECK(open > 0 || i == n - 1);
        }
    }
    FUZZ_CHECK(!in_str && open == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_query *q = NULL;
    size_t pos = (size_t)-1, need, got;
    char small[16];
    char *form;
    int rc;

    if (!env && quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 0;
    rc = quarry_query_compile(env, (const char *)data, size, &q, &pos);
    if (rc != QUARRY_OK) {
        FUZZ_CHECK(rc == QUARRY_ESYNTAX || rc == QUARRY_ELIMIT ||
                   rc == QUARRY_ENOMEM);
        FUZZ_CHECK(q == NULL);
        FUZZ_CHECK(pos <= size);
        FUZZ_CHECK(strncmp(quarry_env_errmsg(env), "query: ", 7) == 0);
        return 0;
    }
    FUZZ_CHECK(q != NULL);
    FUZZ_CHECK(strlen(quarry_query_text(q)) <= size);
    FUZZ_CHECK(
        memcmp(quarry_query_text(q), data, strlen(quarry_query_text(q))) == 0);
    need = quarry_query_format(q, NULL, 0);
    form = malloc(need + 1);
    if (form) {
        got = quarry_query_format(q, form, need + 1);
        FUZZ_CHECK(got == need);
        FUZZ_CHECK(strlen(form) == need);
        check_form(form, need);
        memset(small, 'x', sizeof small);
        FUZZ_CHECK(quarry_query_format(q, small, sizeof small) == need);
        FUZZ_CHECK(strlen(small) ==
                   (need < sizeof small ? need : sizeof small - 1));
        FUZZ_CHECK(memcmp(small, form, strlen(small)) == 0);
        free(form);
    }
    quarry_query_free(q);
    return 0;
}
