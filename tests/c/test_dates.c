/* test_dates.c - the date recognizer (quarry_dates_find): English and
 * Chinese forms, ranges, year inference from context and from a reference,
 * numeric orders, what must not be a date (the modal "May", "March" the verb,
 * versions, phone numbers, impossible dates), spans, arbitrary bytes and
 * allocation failures; then dated statements (quarry_statements_*) over the
 * fixture article, raw and indexed. */
#include "check.h"
#include "internal.h"
#include "testkit.h"

#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;

/* The dates of text as "iso[*][/until]" joined by spaces ('*': year
 * inferred). */
static const char *found_with(const char *text, const quarry_dates_options *o)
{
    static char out[1024];
    quarry_date_list list;
    size_t i, n = 0;
    memset(&list, 0, sizeof list);
    out[0] = 0;
    CHECK_EQ_INT(quarry_dates_find(env, text, strlen(text), o, &list),
                 QUARRY_OK);
    for (i = 0; i < list.count; i++) {
        const quarry_text_date *d = &list.items[i];
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s%s", n ? " " : "",
                              d->iso, d->year_inferred ? "*" : "");
        if (d->until.precision)
            n += (size_t)snprintf(out + n, sizeof out - n, "/%04d-%02d-%02d",
                                  (int)d->until.year, d->until.month,
                                  d->until.day);
        CHECK(d->start < d->end && d->end <= strlen(text));
        if (i > 0)
            CHECK(list.items[i - 1].end <= d->start);
    }
    quarry_date_list_free(env, &list);
    return out;
}

static const char *found(const char *text)
{
    return found_with(text, NULL);
}

/* The source text of the only date found in text. */
static const char *span_of(const char *text)
{
    static char out[256];
    quarry_date_list list;
    memset(&list, 0, sizeof list);
    out[0] = 0;
    CHECK_EQ_INT(quarry_dates_find(env, text, strlen(text), NULL, &list),
                 QUARRY_OK);
    CHECK_EQ_INT(list.count, 1);
    if (list.count == 1)
        snprintf(out, sizeof out, "%.*s",
                 (int)(list.items[0].end - list.items[0].start),
                 text + list.items[0].start);
    quarry_date_list_free(env, &list);
    return out;
}

static void test_english_days(void)
{
    CHECK_EQ_STR(found("September 7, 2023"), "2023-09-07");
    CHECK_EQ_STR(found("Sept. 7, 2023"), "2023-09-07");
    CHECK_EQ_STR(found("Sep 7 2023"), "2023-09-07");
    CHECK_EQ_STR(found("7 September 2023"), "2023-09-07");
    CHECK_EQ_STR(found("7th September 2023"), "2023-09-07");
    CHECK_EQ_STR(found("on the 7th of September, 2023 we"), "2023-09-07");
    CHECK_EQ_STR(found("September 7th, 2023"), "2023-09-07");
    CHECK_EQ_STR(found("September 1st, 2023"), "2023-09-01");
    CHECK_EQ_STR(found("Dec. 25, 1999."), "1999-12-25");
    CHECK_EQ_STR(found("On March 5, 2024, he spoke."), "2024-03-05");
    CHECK_EQ_STR(found("MARCH 5, 2024"), "2024-03-05");
    CHECK_EQ_STR(found("May 5, 2024"), "2024-05-05");
    CHECK_EQ_STR(found("(June 30, 2024)"), "2024-06-30");
    CHECK_EQ_STR(found("March 5,2024"), "2024-03-05");
    CHECK_EQ_STR(found("February 29, 2024"), "2024-02-29");
    CHECK_EQ_STR(found("February 29, 2000"), "2000-02-29");
    CHECK_EQ_STR(found("Tuesday, March 5, 2024"), "2024-03-05");
    CHECK_EQ_STR(found("Tue. 5 March 2024"), "2024-03-05");
    CHECK_EQ_STR(found("on Friday 12 January 2024"), "2024-01-12");
    CHECK_EQ_STR(span_of("Said on Tuesday, March 5, 2024, that"),
                 "Tuesday, March 5, 2024");
    CHECK_EQ_STR(span_of("On March 5, 2024, he"), "March 5, 2024");
    CHECK_EQ_STR(span_of("the 7th of September 2023."),
                 "7th of September 2023");
    CHECK_EQ_STR(span_of("by Sept. 7 2023"), "Sept. 7 2023");
}

static void test_english_months_and_years(void)
{
    CHECK_EQ_STR(found("January 2024"), "2024-01");
    CHECK_EQ_STR(found("January, 2024"), "2024-01");
    CHECK_EQ_STR(found("January of 2024"), "2024-01");
    CHECK_EQ_STR(found("In September 2023, he first put forward"), "2023-09");
    CHECK_EQ_STR(found("May 2024"), "2024-05");
    CHECK_EQ_STR(found("Oct. 1999"), "1999-10");
    CHECK_EQ_STR(found("in 2023"), "2023");
    CHECK_EQ_STR(found("Since 1990, prices"), "1990");
    CHECK_EQ_STR(found("In 2023 the economy grew"), "2023");
    CHECK_EQ_STR(found("in 2023 alone"), "2023");
    CHECK_EQ_STR(found("in early 2024,"), "2024");
    CHECK_EQ_STR(found("by mid-2025."), "2025");
    CHECK_EQ_STR(found("by 2035"), "2035");
    CHECK_EQ_STR(found("between 2020 and 2023"), "2020");
    CHECK_EQ_STR(found("during 1944 and"), "1944");
    CHECK_EQ_STR(span_of("grew in early 2024."), "2024");
}

static void test_numeric(void)
{
    quarry_dates_options o;
    CHECK_EQ_STR(found("2023-09-07"), "2023-09-07");
    CHECK_EQ_STR(found("2023/9/7"), "2023-09-07");
    CHECK_EQ_STR(found("at 2023-09-07T10:00:00Z"), "2023-09-07");
    CHECK_EQ_STR(found("Published: 2024-04-13 23:32:15"), "2024-04-13");
    CHECK_EQ_STR(found("report 2023-09."), "2023-09");
    CHECK_EQ_STR(found("the 2011-12 season"), "");
    CHECK_EQ_STR(found("2023-13-45"), "");
    CHECK_EQ_STR(found("2023-02-30"), "");
    CHECK_EQ_STR(found("09/07/2023"), "");
    memset(&o, 0, sizeof o);
    o.numeric = QUARRY_DATES_NUMERIC_MDY;
    CHECK_EQ_STR(found_with("09/07/2023", &o), "2023-09-07");
    CHECK_EQ_STR(found_with("9-7-2023", &o), "2023-09-07");
    CHECK_EQ_STR(found_with("13/07/2023", &o), "");
    CHECK_EQ_STR(found_with("09.07.2023", &o), "");
    o.numeric = QUARRY_DATES_NUMERIC_DMY;
    CHECK_EQ_STR(found_with("09/07/2023", &o), "2023-07-09");
    CHECK_EQ_STR(found_with("09.07.2023", &o), "2023-07-09");
    CHECK_EQ_STR(found_with("31/12/1999", &o), "1999-12-31");
    CHECK_EQ_STR(found_with("1.2.3.2023", &o), "");
    o.numeric = 7;
    {
        quarry_date_list list;
        memset(&list, 0, sizeof list);
        CHECK_EQ_INT(quarry_dates_find(env, "x", 1, &o, &list), QUARRY_EINVAL);
        CHECK(strstr(quarry_env_errmsg(env), "numeric") != NULL);
    }
}

static void test_ranges(void)
{
    CHECK_EQ_STR(found("From December 11 to 12, 2023, he"),
                 "2023-12-11/2023-12-12");
    CHECK_EQ_STR(found("December 11-12, 2023"), "2023-12-11/2023-12-12");
    CHECK_EQ_STR(found("11-12 December 2023"), "2023-12-11/2023-12-12");
    CHECK_EQ_STR(found("11 to 12 December 2023"), "2023-12-11/2023-12-12");
    CHECK_EQ_STR(found("March 5 to April 2, 2024"), "2024-03-05/2024-04-02");
    CHECK_EQ_STR(found("5 March to 2 April 2024"), "2024-03-05/2024-04-02");
    CHECK_EQ_STR(found("March 5 \xe2\x80\x93 7, 2024"),
                 "2024-03-05/2024-03-07");
    /* a backwards range is not a range, and not read twice either */
    CHECK_EQ_STR(found("December 12 to 11, 2023"), "");
    CHECK_EQ_STR(span_of("From December 11 to 12, 2023, he"),
                 "December 11 to 12, 2023");
}

static void test_inference(void)
{
    quarry_dates_options o;
    CHECK_EQ_STR(found("On September 7, 2023, X. On March 5, Y."),
                 "2023-09-07 2023-03-05*");
    CHECK_EQ_STR(found("On March 5 he said"), "");
    CHECK_EQ_STR(found("March 5. Then on April 2, 2024 and May 3."),
                 "2024-04-02 2024-05-03*");
    CHECK_EQ_STR(found("In 2023 we met. On February 29 we left."), "2023");
    CHECK_EQ_STR(found("In 2024 we met. On February 29 we left."),
                 "2024 2024-02-29*");
    CHECK_EQ_STR(
        found("In September 2023, X. On March 5, 2024, Y. Then May 2."),
        "2023-09 2024-03-05 2024-05-02*");
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(quarry_date_parse("2024-04-13", 10, &o.reference), QUARRY_OK);
    CHECK_EQ_STR(found_with("On March 5 he said", &o), "2024-03-05*");
    CHECK_EQ_STR(found_with("On March 5, 2023 and March 7", &o),
                 "2023-03-05 2023-03-07*");
    CHECK_EQ_STR(found_with("九月七日", &o), "2024-09-07*");
    /* the closest year to the reference, across a new year */
    CHECK_EQ_INT(quarry_date_parse("2024-01-05", 10, &o.reference), QUARRY_OK);
    CHECK_EQ_STR(found_with("On December 28 he said", &o), "2023-12-28*");
    CHECK_EQ_STR(found_with("On January 2 he said", &o), "2024-01-02*");
    CHECK_EQ_INT(quarry_date_parse("2024-11", 7, &o.reference), QUARRY_OK);
    CHECK_EQ_STR(found_with("in January", &o), "");
    CHECK_EQ_STR(found_with("On 3 January", &o), "2025-01-03*");
    /* a year written long before does not beat the reference; without a
       reference it still lends its year */
    {
        char far[1200];
        memset(far, 'x', sizeof far);
        memcpy(far, "In March 1945, it began. ", 25);
        far[25 + 700] = ' ';
        strcpy(far + 25 + 701, "On 10 September we met.");
        CHECK_EQ_INT(quarry_date_parse("2019", 4, &o.reference), QUARRY_OK);
        CHECK_EQ_STR(found_with(far, &o), "1945-03 2019-09-10*");
        CHECK_EQ_STR(found(far), "1945-03 1945-09-10*");
    }
    CHECK_EQ_INT(quarry_date_parse("2024-04-13", 10, &o.reference), QUARRY_OK);
    o.flags = QUARRY_DATES_NO_INFERENCE;
    CHECK_EQ_STR(found_with("On March 5 he said", &o), "");
    o.flags = QUARRY_DATES_NO_YEARS;
    CHECK_EQ_STR(found_with("in 2023 and March 2024", &o), "2024-03");
    o.flags = 0;
    o.reference.year = 12;
    {
        quarry_date_list list;
        memset(&list, 0, sizeof list);
        CHECK_EQ_INT(quarry_dates_find(env, "x", 1, &o, &list), QUARRY_EINVAL);
    }
}

static void test_chinese(void)
{
    quarry_dates_options o;
    CHECK_EQ_STR(found("2023年9月7日"), "2023-09-07");
    CHECK_EQ_STR(found("2023年9月"), "2023-09");
    CHECK_EQ_STR(found("2023年，"), "2023");
    CHECK_EQ_STR(found("\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x93年"
                       "\xef\xbc\x99月\xef\xbc\x97日"),
                 "2023-09-07");
    CHECK_EQ_STR(found("二〇二三年九月七日"), "2023-09-07");
    CHECK_EQ_STR(found("二零二四年十二月三十一日"), "2024-12-31");
    CHECK_EQ_STR(found("2023 年 9 月 7 日"), "2023-09-07");
    CHECK_EQ_STR(found("2024年3月5号"), "2024-03-05");
    CHECK_EQ_STR(
        found("2023年9月7日，习近平在黑龙江考察。9月8日，他听取汇报。"),
        "2023-09-07 2023-09-08*");
    CHECK_EQ_STR(found("2023年12月11日至12日"), "2023-12-11/2023-12-12");
    CHECK_EQ_STR(found("2023年12月11日—12日"), "2023-12-11/2023-12-12");
    CHECK_EQ_STR(found("2023年12月11至12日"), "2023-12-11/2023-12-12");
    CHECK_EQ_STR(found("2024年3月15日至4月2日"), "2024-03-15/2024-04-02");
    CHECK_EQ_STR(found("2023年的9月"), "2023 2023-09*");
    CHECK_EQ_STR(found("2023年的十月一日"), "2023 2023-10-01*");
    CHECK_EQ_STR(span_of("于2023年9月7日在"), "2023年9月7日");
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(quarry_date_parse("2024", 4, &o.reference), QUARRY_OK);
    CHECK_EQ_STR(found_with("9月7日", &o), "2024-09-07*");
    CHECK_EQ_STR(found_with("十二月", &o), "");
    CHECK_EQ_STR(found_with("十二月二十日", &o), "2024-12-20*");
    CHECK_EQ_STR(found_with("3个月", &o), "");
    CHECK_EQ_STR(found_with("第13月", &o), "");
    CHECK_EQ_STR(found_with("2月30日", &o), "");
    CHECK_EQ_STR(found("1990年代"), "");
    CHECK_EQ_STR(found("123年"), "");
    CHECK_EQ_STR(found("20231年"), "");
    CHECK_EQ_STR(found("十三月"), "");
    CHECK_EQ_STR(found("三十二日"), "");
}

static void test_not_dates(void)
{
    CHECK_EQ_STR(found("May I help you?"), "");
    CHECK_EQ_STR(found("You may 5 times"), "");
    CHECK_EQ_STR(found("They march 5 miles a day."), "");
    CHECK_EQ_STR(found("March"), "");
    CHECK_EQ_STR(found("The March on Washington"), "");
    CHECK_EQ_STR(found("May"), "");
    CHECK_EQ_STR(found("SePtember 7, 2023"), "");
    CHECK_EQ_STR(found("september 7, 2023"), "");
    CHECK_EQ_STR(found("Jan Smith and Mar Roxas"), "");
    CHECK_EQ_STR(found("Sat 12 people"), "");
    CHECK_EQ_STR(found("version 2.0.23"), "");
    CHECK_EQ_STR(found("version 2023.09.07"), "");
    CHECK_EQ_STR(found("Python 3.12"), "");
    CHECK_EQ_STR(found("Call 555-2023-0907"), "");
    CHECK_EQ_STR(found("+1 (555) 2023-0907"), "");
    CHECK_EQ_STR(found("tel. 2023 4567"), "");
    CHECK_EQ_STR(found("abc2023-09-07"), "");
    CHECK_EQ_STR(found("2023-09-07abc"), "");
    CHECK_EQ_STR(found("February 30, 2024"), "");
    CHECK_EQ_STR(found("April 31, 2024"), "");
    CHECK_EQ_STR(found("February 29, 2023"), "");
    CHECK_EQ_STR(found("1,2023"), "");
    CHECK_EQ_STR(found("$2023"), "");
    CHECK_EQ_STR(found("2023 people came"), "");
    CHECK_EQ_STR(found("in 2000 cases"), "");
    CHECK_EQ_STR(found("a total of 1500 people"), "");
    CHECK_EQ_STR(found("rose by 2,100"), "");
    CHECK_EQ_STR(found("in 5000"), "");
    CHECK_EQ_STR(found("in 999"), "");
    CHECK_EQ_STR(found("12345"), "");
    CHECK_EQ_STR(found("the 14th National People's Congress"), "");
    CHECK_EQ_STR(found("the 20th CPC Central Committee"), "");
    CHECK_EQ_STR(found("March 5:30"), "");
    CHECK_EQ_STR(found("3 May-be"), "");
    CHECK_EQ_STR(found("in 2023%"), "");
    CHECK_EQ_STR(found("in 2023.5"), "");
    CHECK_EQ_STR(found("up 32 March"), "");
}

static void test_many_and_bytes(void)
{
    static const char bytes[] = "\xff\xfe 2023\xe5\xb9\xb4 \xe5 Sept\x80 "
                                "7, 2023 \xe4\xb8\x83\xe6\x9c\x88";
    CHECK_EQ_STR(found("On September 7, 2023, and on 8 September 2023, and "
                       "2023年9月9日."),
                 "2023-09-07 2023-09-08 2023-09-09");
    CHECK_EQ_STR(found(bytes), "2023");
    CHECK_EQ_STR(found(""), "");
    {
        quarry_date_list list;
        memset(&list, 0, sizeof list);
        CHECK_EQ_INT(quarry_dates_find(env, NULL, 0, NULL, &list), QUARRY_OK);
        CHECK_EQ_INT(list.count, 0);
        CHECK_EQ_INT(quarry_dates_find(env, NULL, 3, NULL, &list),
                     QUARRY_EINVAL);
        quarry_date_list_free(env, &list);
        quarry_date_list_free(env, NULL);
    }
    /* every prefix of a text full of dates: no read past the end */
    {
        const char *t = "On Tuesday, March 5, 2024, 2023年12月11日至12日, "
                        "11-12 December 2023 and in 2020";
        size_t n = strlen(t), i;
        for (i = 0; i <= n; i++) {
            char *copy = malloc(i ? i : 1);
            quarry_date_list list;
            memcpy(copy, t, i);
            memset(&list, 0, sizeof list);
            CHECK_EQ_INT(quarry_dates_find(env, copy, i, NULL, &list),
                         QUARRY_OK);
            quarry_date_list_free(env, &list);
            free(copy);
        }
    }
}

static void test_out_of_memory(void)
{
    tk_fail f = {-1, 0};
    quarry_env *e = NULL;
    quarry_date_list list;
    const char *t = "On September 7, 2023 and 8 September 2023.";
    CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &f, &e), QUARRY_OK);
    memset(&list, 0, sizeof list);
    f.budget = 0;
    CHECK_EQ_INT(quarry_dates_find(e, t, strlen(t), NULL, &list),
                 QUARRY_ENOMEM);
    CHECK_EQ_INT(list.count, 0);
    f.budget = -1;
    CHECK_EQ_INT(quarry_dates_find(e, t, strlen(t), NULL, &list), QUARRY_OK);
    CHECK_EQ_INT(list.count, 2);
    quarry_date_list_free(e, &list);
    quarry_env_free(e);
}

/* ---- dated statements --------------------------------------------------- */

static char article[8192];
static size_t article_len;
static char index_dir[512];
static const char *const key_terms[] = {"green productive forces",
                                        "new quality productive forces",
                                        "新质生产力", "innovat*"};

/* The fixture article's statements in date order: date[*][/until]
 * "|" terms "|" the sentence's first words. */
static const char *const expected_by_date[] = {
    "2022||In 2022, the output of clean",
    "2023-03|0|In March 2023, the provincial",
    "2023-06-05|0|On June 5, 2023, the",
    "2023-06-06*|3|On June 6, when listening",
    "2023-11-20/2023-11-21|1,3|From November 20 to 21,",
    "2024-01-15|2|2024年1月15日，省委召开全会",
    "2024-01-16*||1月16日，全会继续讨论绿色生产力",
    "2024-02-02||On 2 February 2024, the",
    "2024-03-05|0|On Tuesday, March 5, 2024,",
    "2024-05-20||Publisher: Editor Source: Study",
    "2030||The target is to cut",
};

/* Record i of st as in expected_by_date (the sentence cut to the length of
 * the expected prefix). */
static const char *describe(const quarry_statements *st, size_t i,
                            size_t prefix)
{
    static char out[512];
    quarry_statement r;
    size_t n, k;
    CHECK_EQ_INT(quarry_statements_get(st, i, &r), QUARRY_OK);
    n = (size_t)snprintf(out, sizeof out, "%s%s", r.date->iso,
                         r.date->year_inferred ? "*" : "");
    if (r.date->until.precision)
        n += (size_t)snprintf(out + n, sizeof out - n, "/%04d-%02d-%02d",
                              (int)r.date->until.year, r.date->until.month,
                              r.date->until.day);
    n += (size_t)snprintf(out + n, sizeof out - n, "|");
    for (k = 0; k < r.term_count; k++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%u", k ? "," : "",
                              r.terms[k]);
    snprintf(out + n, sizeof out - n, "|%.*s",
             (int)(prefix < r.text_len ? prefix : r.text_len), r.text);
    return out;
}

static void check_expected(const quarry_statements *st, const char *const *want,
                           size_t n)
{
    size_t i;
    CHECK_EQ_INT(quarry_statements_count(st), n);
    for (i = 0; i < n && i < quarry_statements_count(st); i++) {
        const char *bar = strrchr(want[i], '|');
        CHECK_EQ_STR(describe(st, i, strlen(bar + 1)), want[i]);
    }
}

static quarry_statements *new_statements(int each_date, int require_terms)
{
    quarry_statements_options o;
    quarry_statements *st = NULL;
    memset(&o, 0, sizeof o);
    o.terms = key_terms;
    o.term_count = 4;
    o.each_date = each_date;
    o.require_terms = require_terms;
    o.date_field = "date";
    CHECK_EQ_INT(quarry_statements_new(env, &o, &st), QUARRY_OK);
    return st;
}

static void test_statements_text(void)
{
    quarry_tokenizer *tok = NULL;
    quarry_statements *st = new_statements(0, 0);
    quarry_statement r;
    size_t i;
    CHECK_EQ_INT(quarry_tokenizer_new(env, NULL, &tok), QUARRY_OK);
    CHECK_EQ_INT(
        quarry_statements_add_text(st, tok, 0, article, article_len, NULL),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_statements_sort(st, QUARRY_STATEMENTS_BY_DATE),
                 QUARRY_OK);
    check_expected(st, expected_by_date,
                   sizeof expected_by_date / sizeof *expected_by_date);
    /* spans are the sentence's bytes in the text; the text has its line
       breaks as spaces */
    for (i = 0; i < quarry_statements_count(st); i++) {
        quarry_statements_get(st, i, &r);
        CHECK(r.end <= article_len && r.start < r.end);
        CHECK(memchr(r.text, '\n', r.text_len) == NULL);
        CHECK(r.text[0] == article[r.start]);
    }
    /* document order: the publication line first, then the text's order */
    CHECK_EQ_INT(quarry_statements_sort(st, QUARRY_STATEMENTS_BY_POSITION),
                 QUARRY_OK);
    CHECK_EQ_STR(describe(st, 0, 9), "2024-05-20||Publisher");
    CHECK_EQ_STR(describe(st, 1, 8), "2023-03|0|In March");
    CHECK_EQ_STR(describe(st, 10, 10), "2030||The target");
    for (i = 1; i < quarry_statements_count(st); i++) {
        quarry_statement a;
        quarry_statements_get(st, i - 1, &a);
        quarry_statements_get(st, i, &r);
        CHECK(a.end <= r.start);
    }
    CHECK_EQ_INT(quarry_statements_sort(st, 9), QUARRY_EINVAL);
    CHECK(strstr(quarry_statements_errmsg(st), "order") != NULL);
    CHECK_EQ_INT(quarry_statements_get(st, 99, &r), QUARRY_EINVAL);
    quarry_statements_free(st);

    /* only sentences with a key term; a second text as document 1 */
    st = new_statements(0, 1);
    CHECK_EQ_INT(
        quarry_statements_add_text(st, tok, 0, article, article_len, NULL),
        QUARRY_OK);
    {
        const char *t2 = "On June 5 the innovation plan was new.";
        quarry_date ref;
        CHECK_EQ_INT(quarry_date_parse("2021", 4, &ref), QUARRY_OK);
        CHECK_EQ_INT(
            quarry_statements_add_text(st, tok, 1, t2, strlen(t2), &ref),
            QUARRY_OK);
    }
    quarry_statements_sort(st, QUARRY_STATEMENTS_BY_DATE);
    CHECK_EQ_INT(quarry_statements_count(st), 7);
    CHECK_EQ_STR(describe(st, 0, 9), "2021-06-05*|3|On June 5");
    quarry_statements_get(st, 0, &r);
    CHECK_EQ_INT(r.doc, 1);
    quarry_statements_free(st);

    /* a record per date: the sentence with a range has one date, the
       sentences with two dates give two records */
    st = new_statements(1, 0);
    {
        const char *t = "On May 1, 2024 and on May 3, 2024, we met. "
                        "Nothing here. In 2020 it began.";
        CHECK_EQ_INT(quarry_statements_add_text(st, tok, 0, t, strlen(t), NULL),
                     QUARRY_OK);
    }
    quarry_statements_sort(st, QUARRY_STATEMENTS_BY_DATE);
    CHECK_EQ_INT(quarry_statements_count(st), 3);
    CHECK_EQ_STR(describe(st, 0, 2), "2020||In");
    CHECK_EQ_STR(describe(st, 1, 2), "2024-05-01||On");
    CHECK_EQ_STR(describe(st, 2, 2), "2024-05-03||On");
    quarry_statements_get(st, 2, &r);
    CHECK_EQ_INT(r.date_count, 2);
    CHECK(r.date == &r.dates[1]);
    quarry_statements_free(st);

    /* bad input */
    st = new_statements(0, 0);
    CHECK_EQ_INT(quarry_statements_add_text(st, tok, 0, "\xff", 1, NULL),
                 QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_statements_add_text(st, tok, 0, "", 0, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_statements_count(st), 0);
    quarry_statements_free(st);
    quarry_tokenizer_free(tok);
}

static void test_statements_options(void)
{
    quarry_statements_options o;
    quarry_statements *st = NULL;
    const char *const bad[] = {"ok", ""};
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(quarry_statements_new(env, NULL, &st), QUARRY_OK);
    quarry_statements_free(st);
    st = NULL;
    o.terms = bad;
    o.term_count = 2;
    CHECK_EQ_INT(quarry_statements_new(env, &o, &st), QUARRY_EINVAL);
    CHECK(st == NULL);
    CHECK(strstr(quarry_env_errmsg(env), "term 2") != NULL);
    o.term_count = 0;
    o.dates.numeric = -1;
    CHECK_EQ_INT(quarry_statements_new(env, &o, &st), QUARRY_EINVAL);
    quarry_statements_free(NULL);
    CHECK_EQ_STR(quarry_statements_errmsg(NULL), "");
    CHECK_EQ_INT(quarry_statements_count(NULL), 0);
}

static void add_doc(quarry_writer *w, const char *source, const char *text,
                    const char *date)
{
    quarry_doc *doc = NULL;
    quarry_field f;
    memset(&f, 0, sizeof f);
    f.name = "date";
    f.text = date;
    f.text_len = strlen(date);
    CHECK_EQ_INT(
        quarry_doc_new(env, source, 0, text, strlen(text), &f, 1, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

static void build_index(void)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, index_dir, &o, &w), QUARRY_OK);
    add_doc(w, "dir/article.txt", article, "2024-05-20");
    add_doc(w, "dir/note.txt",
            "On March 5 the green productive forces plan was announced. "
            "Nothing else happened.",
            "2023-01-10");
    add_doc(w, "dir/gone.txt", "On May 1, 2020 it was deleted.", "2020");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_delete_source(w, "dir/gone.txt", NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

static void test_statements_index(void)
{
    quarry_index *ix = NULL;
    quarry_statements *st;
    quarry_statement r;
    quarry_query *q = NULL;
    quarry_filter *f = NULL;
    quarry_subcorpus *sc = NULL;
    size_t i, article_records = 0;
    CHECK_EQ_INT(quarry_index_open(env, index_dir, &ix), QUARRY_OK);

    /* the whole index: the article as from its raw text, plus the note's
       "March 5" in the year of its date field */
    st = new_statements(0, 0);
    CHECK_EQ_INT(quarry_statements_add_index(st, ix, NULL, NULL), QUARRY_OK);
    quarry_statements_sort(st, QUARRY_STATEMENTS_BY_DATE);
    CHECK_EQ_INT(quarry_statements_count(st), 12);
    for (i = 0; i < quarry_statements_count(st); i++) {
        quarry_statements_get(st, i, &r);
        CHECK(r.doc == 0 || r.doc == 1);
        article_records += r.doc == 0;
    }
    CHECK_EQ_INT(article_records, 11);
    CHECK_EQ_STR(describe(st, 2, 8), "2023-03-05*|0|On March");
    quarry_statements_free(st);

    /* a subcorpus: the article alone gives exactly the raw text's list */
    CHECK_EQ_INT(quarry_filter_compile(env, "date>=2024", 10, &f, NULL),
                 QUARRY_OK);
    CHECK_EQ_INT(quarry_subcorpus_new(env, ix, f, NULL, &sc), QUARRY_OK);
    st = new_statements(0, 0);
    CHECK_EQ_INT(quarry_statements_add_index(st, ix, sc, NULL), QUARRY_OK);
    quarry_statements_sort(st, QUARRY_STATEMENTS_BY_DATE);
    check_expected(st, expected_by_date,
                   sizeof expected_by_date / sizeof *expected_by_date);
    quarry_statements_free(st);

    /* a query keeps the sentences with one of its hits */
    CHECK_EQ_INT(quarry_query_compile(env, "stressed OR 全会",
                                      strlen("stressed OR 全会"), &q, NULL),
                 QUARRY_OK);
    st = new_statements(0, 0);
    CHECK_EQ_INT(quarry_statements_add_index(st, ix, sc, q), QUARRY_OK);
    quarry_statements_sort(st, QUARRY_STATEMENTS_BY_DATE);
    {
        static const char *const want[] = {
            "2023-06-05|0|On June",
            "2023-06-06*|3|On June",
            "2023-11-20/2023-11-21|1,3|From November",
            "2024-01-15|2|2024年1月15日",
            "2024-01-16*||1月16日",
            "2024-03-05|0|On Tuesday",
        };
        check_expected(st, want, sizeof want / sizeof *want);
    }
    quarry_statements_free(st);
    quarry_query_free(q);
    q = NULL;

    /* a query without hits keeps nothing */
    CHECK_EQ_INT(quarry_query_compile(env, "zebra", 5, &q, NULL), QUARRY_OK);
    st = new_statements(0, 0);
    CHECK_EQ_INT(quarry_statements_add_index(st, ix, NULL, q), QUARRY_OK);
    CHECK_EQ_INT(quarry_statements_count(st), 0);
    quarry_statements_free(st);
    quarry_query_free(q);
    quarry_subcorpus_free(sc);
    quarry_filter_free(f);
    quarry_index_free(ix);
}

static void test_statements_out_of_memory(void)
{
    tk_fail fl = {-1, 0};
    quarry_env *e = NULL;
    quarry_tokenizer *tok = NULL;
    quarry_index *ix = NULL;
    long budget;
    int ok_text = 0, ok_index = 0;
    quarry_statements_options o;
    memset(&o, 0, sizeof o);
    o.terms = key_terms;
    o.term_count = 4;
    o.date_field = "date";
    CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &fl, &e), QUARRY_OK);
    CHECK_EQ_INT(quarry_tokenizer_new(e, NULL, &tok), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_open(e, index_dir, &ix), QUARRY_OK);
    for (budget = 0; budget < 400 && !(ok_text && ok_index); budget++) {
        quarry_statements *st = NULL;
        int rc;
        fl.budget = budget;
        rc = quarry_statements_new(e, &o, &st);
        if (rc == QUARRY_OK) {
            rc = quarry_statements_add_text(st, tok, 0, article, article_len,
                                            NULL);
            CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            if (rc == QUARRY_OK) {
                ok_text = 1;
                CHECK_EQ_INT(quarry_statements_count(st), 11);
            }
            rc = quarry_statements_add_index(st, ix, NULL, NULL);
            CHECK(rc == QUARRY_OK || rc == QUARRY_ENOMEM);
            ok_index |= rc == QUARRY_OK;
        } else {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            CHECK(st == NULL);
        }
        fl.budget = -1;
        quarry_statements_free(st);
    }
    CHECK(ok_text && ok_index);
    quarry_index_free(ix);
    quarry_tokenizer_free(tok);
    quarry_env_free(e);
}

static void read_article(void)
{
    const char *fix = getenv("QUARRY_FIXTURES");
    char path[512];
    FILE *fp;
    snprintf(path, sizeof path, "%s/dates/article.txt",
             fix ? fix : "tests/fixtures");
    fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    article_len = fread(article, 1, sizeof article - 1, fp);
    fclose(fp);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    CHECK_EQ_INT(quarry_env_new(NULL, NULL, &env), QUARRY_OK);
    read_article();
    snprintf(index_dir, sizeof index_dir, "%s/quarry-test-dates-XXXXXX",
             tmp ? tmp : "/tmp");
    if (!mkdtemp(index_dir)) {
        perror("mkdtemp");
        return 1;
    }
    {
        char root[512];
        snprintf(root, sizeof root, "%s", index_dir);
        strcat(index_dir, "/ix");
        build_index();
        RUN(test_english_days);
        RUN(test_english_months_and_years);
        RUN(test_numeric);
        RUN(test_ranges);
        RUN(test_inference);
        RUN(test_chinese);
        RUN(test_not_dates);
        RUN(test_many_and_bytes);
        RUN(test_out_of_memory);
        RUN(test_statements_text);
        RUN(test_statements_options);
        RUN(test_statements_index);
        RUN(test_statements_out_of_memory);
        tk_rm_rf(root);
    }
    quarry_env_free(env);
    return check_summary();
}
