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

int main(void)
{
    CHECK_EQ_INT(quarry_env_new(NULL, NULL, &env), QUARRY_OK);
    RUN(test_english_days);
    RUN(test_english_months_and_years);
    RUN(test_numeric);
    RUN(test_ranges);
    RUN(test_inference);
    RUN(test_chinese);
    RUN(test_not_dates);
    RUN(test_many_and_bytes);
    RUN(test_out_of_memory);
    quarry_env_free(env);
    return check_summary();
}
