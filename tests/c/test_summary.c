/* test_summary.c - the corpus summary kernel: totals, word types, field
 * profiles and type unification, on texts counted by hand. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>

static quarry_env *env;

static quarry_field int_field(const char *name, int64_t v, const char *text)
{
    quarry_field f;
    memset(&f, 0, sizeof f);
    f.name = name;
    f.text = text;
    f.text_len = strlen(text);
    f.type = QUARRY_FIELD_INTEGER;
    f.value.integer = v;
    return f;
}

static quarry_field num_field(const char *name, double v, const char *text)
{
    quarry_field f = int_field(name, 0, text);
    f.type = QUARRY_FIELD_NUMBER;
    f.value.number = v;
    return f;
}

static quarry_field str_field(const char *name, const char *text)
{
    quarry_field f = int_field(name, 0, text);
    f.type = QUARRY_FIELD_STRING;
    return f;
}

static quarry_field date_field(const char *name, const char *text)
{
    quarry_field f = int_field(name, 0, text);
    f.type = QUARRY_FIELD_DATE;
    CHECK_EQ_INT(quarry_date_parse(text, strlen(text), &f.value.date),
                 QUARRY_OK);
    return f;
}

static const quarry_summary_field *find(quarry_summary *s, const char *name,
                                        quarry_summary_field *out)
{
    size_t i, n = quarry_summary_field_count(s);
    for (i = 0; i < n; i++) {
        CHECK_EQ_INT(quarry_summary_field_get(s, i, out), QUARRY_OK);
        if (strcmp(out->name, name) == 0)
            return out;
    }
    return NULL;
}

static void test_totals(void)
{
    quarry_summary *s;
    quarry_summary_totals t;
    const quarry_vocab *v;
    uint32_t ids[3];
    const char *a = "The cat sat. The dog ran.\n\nA new paragraph here.\n";
    const char *b = "The cat, the cat!";

    CHECK_EQ_INT(quarry_summary_new(env, NULL, &s), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, a, strlen(a), NULL, 0, 0),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, b, strlen(b), NULL, 0, 2),
                 QUARRY_OK);
    quarry_summary_totals_get(s, &t);
    CHECK_EQ_INT(t.documents, 2);
    CHECK_EQ_INT(t.tokens, 19);
    CHECK_EQ_INT(t.words, 14);
    CHECK_EQ_INT(t.types, 9);
    CHECK_EQ_INT(t.sentences, 4);
    CHECK_EQ_INT(t.paragraphs, 3);
    CHECK_EQ_INT(t.replaced, 2);
    v = quarry_summary_vocab(s);
    CHECK_EQ_INT(quarry_vocab_top(v, 3, ids), 3);
    CHECK_EQ_STR(quarry_vocab_term(v, ids[0], NULL), "the");
    CHECK_EQ_INT(quarry_vocab_count(v, ids[0]), 4);
    CHECK_EQ_STR(quarry_vocab_term(v, ids[1], NULL), "cat");
    CHECK_EQ_STR(quarry_vocab_term(v, ids[2], NULL), "a");
    /* invalid UTF-8 is refused and changes nothing */
    CHECK_EQ_INT(quarry_summary_add_text(s, "a\xff", 2, NULL, 0, 0),
                 QUARRY_EINVAL);
    quarry_summary_totals_get(s, &t);
    CHECK_EQ_INT(t.documents, 2);
    CHECK(quarry_summary_errmsg(s)[0] != '\0');
    quarry_summary_free(s);
    quarry_summary_free(NULL);
}

static void test_cjk_words(void)
{
    quarry_summary *s;
    quarry_summary_totals t;
    quarry_tokenizer_options o;
    const char *zh =
        "\xe6\x96\xb0\xe8\xb4\xa8\xe7\x94\x9f\xe4\xba\xa7\xe5\x8a\x9b"
        "\xe3\x80\x82"; /* 新质生产力。 */
    CHECK_EQ_INT(quarry_summary_new(env, NULL, &s), QUARRY_OK);
    CHECK_EQ_INT(quarry_tokenizer_add_word(quarry_summary_tokenizer(s), zh, 15),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, zh, strlen(zh), NULL, 0, 0),
                 QUARRY_OK);
    quarry_summary_totals_get(s, &t);
    CHECK_EQ_INT(t.tokens, 6);
    CHECK_EQ_INT(t.words,
                 1); /* one lexicon word; the full stop is not a word */
    CHECK_EQ_INT(t.types, 1);
    quarry_summary_free(s);

    memset(&o, 0, sizeof o);
    o.flags = QUARRY_TOK_NO_CJK_WORDS;
    CHECK_EQ_INT(quarry_summary_new(env, &o, &s), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, zh, strlen(zh), NULL, 0, 0),
                 QUARRY_OK);
    quarry_summary_totals_get(s, &t);
    CHECK_EQ_INT(t.words, 5); /* one per character without the word layer */
    quarry_summary_free(s);
}

static void test_fields(void)
{
    quarry_summary *s;
    quarry_summary_field f;
    quarry_field d1[4], d2[4], d3[1];

    d1[0] = int_field("year", 2001, "2001");
    d1[1] = int_field("n", 1, "1");
    d1[2] = date_field("when", "2020-05-01");
    d1[3] = str_field("party", "Red");
    d2[0] = int_field("year", 1999, "1999");
    d2[1] = num_field("n", 2.5, "2.5");
    d2[2] = int_field("when", 7, "7");
    d2[3] = str_field("party",
                      "\xe7\xba\xa2\xe8\x89\xb2\xe5\x85\x9a"); /* 3 chars */
    d3[0] = date_field("when2", "2019-12-31");

    CHECK_EQ_INT(quarry_summary_new(env, NULL, &s), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, "x", 1, d1, 4, 0), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, "y", 1, d2, 4, 0), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, "", 0, d3, 1, 0), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_field_count(s), 5);
    CHECK_EQ_INT(quarry_summary_field_get(s, 5, &f), QUARRY_EINVAL);

    CHECK(find(s, "year", &f) != NULL);
    CHECK_EQ_INT(f.type, QUARRY_FIELD_INTEGER);
    CHECK_EQ_INT(f.count, 2);
    CHECK(f.has_range && f.num_min == 1999 && f.num_max == 2001);
    CHECK_EQ_INT(f.distinct, 2);

    CHECK(find(s, "n", &f) != NULL);
    CHECK_EQ_INT(f.type, QUARRY_FIELD_NUMBER);
    CHECK(f.num_min == 1 && f.num_max == 2.5);

    CHECK(find(s, "when", &f) != NULL);
    CHECK_EQ_INT(f.type, QUARRY_FIELD_MIXED);

    CHECK(find(s, "party", &f) != NULL);
    CHECK_EQ_INT(f.type, QUARRY_FIELD_STRING);
    CHECK_EQ_INT(f.len_min, 3);
    CHECK_EQ_INT(f.len_max, 3);
    CHECK_EQ_INT(f.distinct, 2);
    CHECK(!f.distinct_capped);

    CHECK(find(s, "when2", &f) != NULL);
    CHECK_EQ_INT(f.type, QUARRY_FIELD_DATE);
    CHECK_EQ_INT(f.date_min.year, 2019);
    CHECK_EQ_STR(f.date_min_text, "2019-12-31");
    CHECK_EQ_STR(f.date_max_text, "2019-12-31");
    quarry_summary_free(s);
}

static void test_string_wins(void)
{
    quarry_summary *s;
    quarry_summary_field f;
    quarry_field a = int_field("id", 12345, "12345");
    quarry_field b = str_field("id", "x");
    quarry_field bad = str_field(NULL, "x");
    CHECK_EQ_INT(quarry_summary_new(env, NULL, &s), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, "", 0, &a, 1, 0), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, "", 0, &b, 1, 0), QUARRY_OK);
    CHECK_EQ_INT(quarry_summary_add_text(s, "", 0, &bad, 1, 0), QUARRY_EINVAL);
    CHECK(find(s, "id", &f) != NULL);
    CHECK_EQ_INT(f.type, QUARRY_FIELD_STRING);
    /* lengths cover the integer's text too once the field is a string */
    CHECK_EQ_INT(f.len_min, 1);
    CHECK_EQ_INT(f.len_max, 5);
    quarry_summary_free(s);
}

static void test_missing_lexicon(void)
{
    quarry_summary *s = (quarry_summary *)&s;
    quarry_tokenizer_options o;
    memset(&o, 0, sizeof o);
    o.lexicon = "/nonexistent/lexicon.txt";
    CHECK_EQ_INT(quarry_summary_new(env, &o, &s), QUARRY_ENOENT);
    CHECK(s == NULL);
    CHECK(quarry_env_errmsg(env)[0] != '\0');
}

/* One summary of three documents with an allocator allowing budget
 * allocations. Returns the status; *used receives the allocations made. */
static int oom_run(long budget, long *used, long *bad, uint64_t *words)
{
    const char *text =
        "The cat sat. The dog ran.\n\nA new paragraph here. "
        "\xe6\x96\xb0\xe8\xb4\xa8\xe7\x94\x9f\xe4\xba\xa7\xe5\x8a\x9b";
    tk_fail f = {1L << 30, 0};
    quarry_env *fenv;
    quarry_summary *s = NULL;
    quarry_field fl[2];
    int rc, i;

    fl[0] = int_field("year", 2001, "2001");
    fl[1] = str_field("party", "Red");
    if (quarry_env_new(tk_failing_alloc, &f, &fenv) != QUARRY_OK)
        return QUARRY_ENOMEM;
    f.budget = budget;
    rc = quarry_summary_new(fenv, NULL, &s);
    if (rc != QUARRY_OK && s != NULL)
        (*bad)++;
    for (i = 0; i < 3 && rc == QUARRY_OK; i++)
        rc = quarry_summary_add_text(s, text, strlen(text), fl, 2, 0);
    if (rc == QUARRY_OK) {
        quarry_summary_totals t;
        quarry_summary_totals_get(s, &t);
        /* a run that succeeds counts exactly what an unlimited run does */
        if (*words == 0)
            *words = t.words;
        if (t.documents != 3 || t.words != *words)
            (*bad)++;
    } else if (rc != QUARRY_ENOMEM) {
        (*bad)++;
    }
    quarry_summary_free(s);
    quarry_env_free(fenv);
    *used = budget - f.budget;
    return rc;
}

static void test_oom_sweep(void)
{
    long budget, completed = 0, bad = 0, needed, step, used;
    uint64_t words = 0;
    /* Count the allocations of a full run, then fail at about 60 points
     * spread over it (failing at every point would rebuild the tokenizer
     * hundreds of times). */
    CHECK_EQ_INT(oom_run(1L << 30, &needed, &bad, &words), QUARRY_OK);
    step = needed / 60 > 0 ? needed / 60 : 1;
    for (budget = 0; budget <= needed; budget += step)
        if (oom_run(budget, &used, &bad, &words) == QUARRY_OK)
            completed++;
    if (oom_run(needed, &used, &bad, &words) == QUARRY_OK)
        completed++;
    CHECK_EQ_INT(bad, 0);
    CHECK(completed > 0); /* the full budget suffices */
}

int main(void)
{
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_totals);
    RUN(test_cjk_words);
    RUN(test_fields);
    RUN(test_string_wins);
    RUN(test_missing_lexicon);
    RUN(test_oom_sweep);
    quarry_env_free(env);
    return check_summary();
}
