/*
 * fuzz_dict.c - libFuzzer target for the dictionary loader:
 * quarry_dict_parse on arbitrary bytes.
 *
 * Invariants: a failure is EPARSE with a 1-based line and column and a
 * message that starts with them (or ENOMEM); a success has non-empty
 * categories and entries, valid UTF-8 throughout, entries without leading,
 * trailing or doubled spaces, no entry twice in one category, and survives
 * a copy and the query made from it.
 */
#include "fuzz_common.h"
#include "quarry.h"

#include <string.h>

static quarry_env *env;

static void check_dict(const quarry_dict *d)
{
    size_t nc = quarry_dict_category_count(d), ne = quarry_dict_entry_count(d);
    size_t i, j;
    for (i = 0; i < nc; i++) {
        const char *c = quarry_dict_category(d, i);
        FUZZ_CHECK(c && *c);
        FUZZ_CHECK(quarry_utf8_valid(c, strlen(c)));
    }
    FUZZ_CHECK(quarry_dict_category(d, nc) == NULL);
    for (i = 0; i < ne; i++) {
        size_t cat, len;
        const char *p;
        FUZZ_CHECK(quarry_dict_entry_get(d, i, &cat, &p, &len) == QUARRY_OK);
        FUZZ_CHECK(cat < nc);
        FUZZ_CHECK(len > 0 && strlen(p) == len);
        FUZZ_CHECK(quarry_utf8_valid(p, len));
        FUZZ_CHECK(p[0] != ' ' && p[len - 1] != ' ' && !strstr(p, "  "));
        /* quadratic, but fuzz inputs are small */
        for (j = 0; j < i && ne < 512; j++) {
            size_t c2, l2;
            const char *p2;
            quarry_dict_entry_get(d, j, &c2, &p2, &l2);
            FUZZ_CHECK(!(c2 == cat && l2 == len && memcmp(p, p2, len) == 0));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_dict *d = NULL;
    size_t line = 0, col = 0;
    int rc;
    if (!env && quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        abort();
    rc = quarry_dict_parse(env, (const char *)data, size, &d, &line, &col);
    if (rc != QUARRY_OK) {
        char prefix[64];
        FUZZ_CHECK(d == NULL);
        FUZZ_CHECK(rc == QUARRY_EPARSE || rc == QUARRY_ENOMEM);
        if (rc == QUARRY_EPARSE) {
            FUZZ_CHECK(line >= 1 && col >= 1);
            snprintf(prefix, sizeof prefix, "line %zu, column %zu: ", line,
                     col);
            FUZZ_CHECK(
                strncmp(quarry_env_errmsg(env), prefix, strlen(prefix)) == 0);
        }
        return 0;
    }
    FUZZ_CHECK(line == 0 && col == 0);
    check_dict(d);
    if (quarry_dict_entry_count(d) > 0) {
        quarry_query *q = NULL;
        FUZZ_CHECK(quarry_query_from_dict(env, d, QUARRY_DICT_ALL, &q) ==
                   QUARRY_OK);
        quarry_query_free(q);
    }
    quarry_dict_free(d);
    return 0;
}
