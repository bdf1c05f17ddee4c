/* test_vocab.c - the vocabulary against a naive model on random data. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>

static quarry_env *env;

/* A deterministic PRNG (xorshift64*), local state only. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

/* The naive model: a linear list of (term, count) in first-seen order. */
typedef struct {
    char term[16];
    size_t len;
    uint64_t count;
} model_entry;

static size_t model_find(const model_entry *m, size_t n, const char *t,
                         size_t len)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (m[i].len == len && memcmp(m[i].term, t, len) == 0)
            return i;
    return n;
}

static int model_rank_cmp(const model_entry *a, const model_entry *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    c = n ? memcmp(a->term, b->term, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : (a->len > b->len ? 1 : 0);
}

static void test_basic(void)
{
    quarry_vocab *v;
    uint32_t id = 99, ids[4];
    size_t len;
    CHECK_EQ_INT(quarry_vocab_new(env, &v), QUARRY_OK);
    CHECK_EQ_INT(quarry_vocab_size(v), 0);
    CHECK_EQ_INT(quarry_vocab_top(v, 4, ids), 0);
    CHECK_EQ_INT(quarry_vocab_add(v, "the", 3, 1, &id), QUARRY_OK);
    CHECK_EQ_INT(id, 0);
    CHECK_EQ_INT(quarry_vocab_add(v, "cat", 3, 2, &id), QUARRY_OK);
    CHECK_EQ_INT(id, 1);
    CHECK_EQ_INT(quarry_vocab_add(v, "the", 3, 5, &id), QUARRY_OK);
    CHECK_EQ_INT(id, 0);
    /* the empty term and embedded NULs are ordinary byte strings */
    CHECK_EQ_INT(quarry_vocab_add(v, "", 0, 1, &id), QUARRY_OK);
    CHECK_EQ_INT(id, 2);
    CHECK_EQ_INT(quarry_vocab_add(v, "a\0b", 3, 1, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_vocab_size(v), 4);
    CHECK_EQ_STR(quarry_vocab_term(v, 0, &len), "the");
    CHECK_EQ_INT(len, 3);
    CHECK_EQ_STR(quarry_vocab_term(v, 2, &len), "");
    CHECK_EQ_INT(len, 0);
    CHECK(memcmp(quarry_vocab_term(v, 3, &len), "a\0b", 3) == 0);
    CHECK(quarry_vocab_term(v, 4, &len) == NULL);
    CHECK_EQ_INT(quarry_vocab_count(v, 0), 6);
    CHECK_EQ_INT(quarry_vocab_count(v, 1), 2);
    CHECK_EQ_INT(quarry_vocab_count(v, 77), 0);
    CHECK_EQ_INT(quarry_vocab_top(v, 3, ids), 3);
    CHECK_EQ_INT(ids[0], 0); /* the: 6 */
    CHECK_EQ_INT(ids[1], 1); /* cat: 2 */
    CHECK_EQ_INT(ids[2], 2); /* "" < "a\0b" at count 1 */
    /* long terms that share more than the in-entry head (12 bytes) */
    CHECK_EQ_INT(quarry_vocab_add(v, "internationalization", 20, 1, &id),
                 QUARRY_OK);
    CHECK_EQ_INT(id, 4);
    CHECK_EQ_INT(quarry_vocab_add(v, "internationalisation", 20, 1, &id),
                 QUARRY_OK);
    CHECK_EQ_INT(id, 5);
    CHECK_EQ_INT(quarry_vocab_add(v, "internationalization", 20, 1, &id),
                 QUARRY_OK);
    CHECK_EQ_INT(id, 4);
    CHECK_EQ_INT(quarry_vocab_add(v, "internationa", 12, 1, &id), QUARRY_OK);
    CHECK_EQ_INT(id, 6);
    CHECK_EQ_INT(quarry_vocab_count(v, 4), 2);
    CHECK_EQ_STR(quarry_vocab_term(v, 5, &len), "internationalisation");
    quarry_vocab_free(v);
    quarry_vocab_free(NULL);
}

static void test_random_against_model(void)
{
    enum { N_OPS = 200000, MAX_TERMS = 3000 };
    model_entry *model = calloc(MAX_TERMS, sizeof *model);
    uint32_t *ids = calloc(MAX_TERMS, sizeof *ids);
    model_entry **sorted = calloc(MAX_TERMS, sizeof *sorted);
    quarry_vocab *v;
    uint64_t seed = 0x1234567887654321ULL;
    size_t n = 0, i, k, mismatches = 0;
    const size_t ks[] = {0, 1, 5, 20, 100, 2999, 5000};

    CHECK(model && ids && sorted);
    CHECK_EQ_INT(quarry_vocab_new(env, &v), QUARRY_OK);
    for (i = 0; i < N_OPS; i++) {
        char term[16];
        /* a small alphabet and skewed lengths give many repeats, some
         * shared prefixes and ties in count */
        /* mostly short terms, some longer than the 12-byte entry head */
        size_t len = 1 + (size_t)(rng_next(&seed) % 6), j, m;
        if (rng_next(&seed) % 8 == 0)
            len += 9;
        uint64_t count = 1 + rng_next(&seed) % 3;
        uint32_t id = 0;
        for (j = 0; j < len; j++)
            term[j] = "abcde\xc3\0"[rng_next(&seed) % 7];
        m = model_find(model, n, term, len);
        if (m == n) {
            if (n == MAX_TERMS)
                continue;
            memcpy(model[n].term, term, len);
            model[n].len = len;
            n++;
        }
        model[m].count += count;
        if (quarry_vocab_add(v, term, len, count, &id) != QUARRY_OK || id != m)
            mismatches++;
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK_EQ_INT(quarry_vocab_size(v), n);
    for (i = 0; i < n; i++) {
        size_t len;
        const char *t = quarry_vocab_term(v, (uint32_t)i, &len);
        if (!t || len != model[i].len || memcmp(t, model[i].term, len) != 0 ||
            t[len] != '\0' ||
            quarry_vocab_count(v, (uint32_t)i) != model[i].count)
            mismatches++;
    }
    CHECK_EQ_INT(mismatches, 0);

    /* top-k against a full selection sort of the model */
    for (i = 0; i < n; i++)
        sorted[i] = &model[i];
    for (i = 0; i < n; i++) {
        size_t j, best = i;
        for (j = i + 1; j < n; j++)
            if (model_rank_cmp(sorted[j], sorted[best]) < 0)
                best = j;
        if (best != i) {
            model_entry *t = sorted[i];
            sorted[i] = sorted[best];
            sorted[best] = t;
        }
    }
    for (k = 0; k < sizeof ks / sizeof ks[0]; k++) {
        size_t want = ks[k] < n ? ks[k] : n;
        size_t got = quarry_vocab_top(v, ks[k], ids);
        CHECK_EQ_INT(got, want);
        for (i = 0; i < got; i++)
            if (&model[ids[i]] != sorted[i])
                mismatches++;
    }
    CHECK_EQ_INT(mismatches, 0);
    quarry_vocab_free(v);
    free(model);
    free(ids);
    free(sorted);
}

/* Many distinct terms: exercises repeated growth of the slot table. */
static void test_many_terms(void)
{
    quarry_vocab *v;
    size_t i, bad = 0;
    char buf[32];
    CHECK_EQ_INT(quarry_vocab_new(env, &v), QUARRY_OK);
    for (i = 0; i < 300000; i++) {
        uint32_t id;
        int len = snprintf(buf, sizeof buf, "term%zu", i);
        if (quarry_vocab_add(v, buf, (size_t)len, i, &id) != QUARRY_OK ||
            id != i)
            bad++;
    }
    for (i = 0; i < 300000; i += 7) {
        uint32_t id;
        int len = snprintf(buf, sizeof buf, "term%zu", i);
        if (quarry_vocab_add(v, buf, (size_t)len, 1, &id) != QUARRY_OK ||
            id != i || quarry_vocab_count(v, id) != i + 1)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(quarry_vocab_size(v), 300000);
    quarry_vocab_free(v);
}

static void test_oom(void)
{
    long budget;
    for (budget = 0; budget < 40; budget++) {
        tk_fail f = {1000, 0};
        quarry_env *fenv;
        quarry_vocab *v = NULL;
        size_t i;
        char buf[32];
        if (quarry_env_new(tk_failing_alloc, &f, &fenv) != QUARRY_OK)
            continue;
        f.budget = budget;
        if (quarry_vocab_new(fenv, &v) == QUARRY_OK) {
            for (i = 0; i < 2000; i++) {
                int len = snprintf(buf, sizeof buf, "w%zu", i);
                int rc = quarry_vocab_add(v, buf, (size_t)len, 1, NULL);
                CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            }
            CHECK(quarry_vocab_size(v) <= 2000);
            quarry_vocab_free(v);
        }
        quarry_env_free(fenv);
    }
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_basic);
    RUN(test_random_against_model);
    RUN(test_many_terms);
    RUN(test_oom);
    quarry_env_free(env);
    return check_summary();
}
