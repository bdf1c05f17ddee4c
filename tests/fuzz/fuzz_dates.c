/*
 * fuzz_dates.c - libFuzzer target for the date recognizer
 * (quarry_dates_find) and dated statements (quarry_statements_add_text).
 *
 * Input: the first byte picks the options (bits 0-1: numeric order, 3 read
 * as none; bit 2: no bare years; bit 3: no inference; bit 4: a reference
 * date; bit 5: also run dated statements); the rest is the text, given raw
 * to the recognizer (any bytes) and repaired to valid UTF-8 for
 * statements. Invariants: dates lie inside the text in order without
 * overlapping; each has a known precision, a year from 1000 to 2999, an ISO
 * text that quarry_date_parse reads back to the same date, and a range end
 * after its start; statements lie inside the text, their sentence text is
 * valid UTF-8, their dates are among the sentence's, their key terms are
 * ascending indexes of the terms given, and sorting by date orders them.
 */
#include "fuzz_common.h"
#include "quarry.h"

#include <string.h>

static quarry_env *env;
static quarry_tokenizer *tok;
static const char *const terms[] = {"new quality", "innovat*", "新质",
                                    "March 5"};

static void check_date(const quarry_text_date *d, size_t len)
{
    quarry_date back;
    FUZZ_CHECK(d->start < d->end && d->end <= len);
    FUZZ_CHECK(d->date.precision >= QUARRY_DATE_YEAR &&
               d->date.precision <= QUARRY_DATE_DAY);
    FUZZ_CHECK(d->date.year >= 1000 && d->date.year <= 2999);
    FUZZ_CHECK(quarry_date_parse(d->iso, strlen(d->iso), &back) == QUARRY_OK);
    FUZZ_CHECK(back.year == d->date.year && back.month == d->date.month &&
               back.day == d->date.day && back.precision == d->date.precision);
    if (d->until.precision) {
        FUZZ_CHECK(d->date.precision == QUARRY_DATE_DAY);
        FUZZ_CHECK(d->until.year > d->date.year ||
                   (d->until.year == d->date.year &&
                    (d->until.month > d->date.month ||
                     (d->until.month == d->date.month &&
                      d->until.day > d->date.day))));
    }
}

static long long key_of(const quarry_text_date *d)
{
    long long k = (long long)d->date.year * 10000;
    if (d->date.precision >= QUARRY_DATE_MONTH)
        k += d->date.month * 100;
    if (d->date.precision >= QUARRY_DATE_DAY)
        k += d->date.day;
    return k;
}

static void run_statements(const quarry_dates_options *dopts,
                           const uint8_t *data, size_t size)
{
    quarry_statements_options o;
    quarry_statements *st = NULL;
    size_t len, i, k;
    char *text = fuzz_utf8_repair(data, size, &len);
    int rc;
    if (!text)
        return;
    memset(&o, 0, sizeof o);
    o.dates = *dopts;
    o.terms = terms;
    o.term_count = sizeof terms / sizeof terms[0];
    o.each_date = (int)(size & 1);
    FUZZ_CHECK(quarry_statements_new(env, &o, &st) == QUARRY_OK);
    rc = quarry_statements_add_text(st, tok, 7, text, len, NULL);
    FUZZ_CHECK(rc == QUARRY_OK);
    FUZZ_CHECK(quarry_statements_sort(st, QUARRY_STATEMENTS_BY_DATE) ==
               QUARRY_OK);
    for (i = 0; i < quarry_statements_count(st); i++) {
        quarry_statement r, prev;
        FUZZ_CHECK(quarry_statements_get(st, i, &r) == QUARRY_OK);
        FUZZ_CHECK(r.doc == 7);
        FUZZ_CHECK(r.start < r.end && r.end <= len);
        FUZZ_CHECK(quarry_utf8_valid(r.text, r.text_len));
        FUZZ_CHECK(r.date_count >= 1);
        FUZZ_CHECK(r.date >= r.dates && r.date < r.dates + r.date_count);
        for (k = 0; k < r.date_count; k++) {
            check_date(&r.dates[k], len);
            FUZZ_CHECK(r.dates[k].start >= r.start && r.dates[k].start < r.end);
        }
        for (k = 0; k < r.term_count; k++) {
            FUZZ_CHECK(r.terms[k] < o.term_count);
            FUZZ_CHECK(k == 0 || r.terms[k] > r.terms[k - 1]);
        }
        if (i > 0) {
            FUZZ_CHECK(quarry_statements_get(st, i - 1, &prev) == QUARRY_OK);
            FUZZ_CHECK(key_of(prev.date) <= key_of(r.date));
        }
    }
    FUZZ_CHECK(quarry_statements_sort(st, QUARRY_STATEMENTS_BY_POSITION) ==
               QUARRY_OK);
    for (i = 1; i < quarry_statements_count(st); i++) {
        quarry_statement a, b;
        quarry_statements_get(st, i - 1, &a);
        quarry_statements_get(st, i, &b);
        FUZZ_CHECK(a.start <= b.start);
    }
    quarry_statements_free(st);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_dates_options o;
    quarry_date_list list;
    size_t i;
    if (size < 1)
        return 0;
    if (!env && quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 0;
    memset(&o, 0, sizeof o);
    o.numeric = (data[0] & 3) == 3 ? 0 : data[0] & 3;
    if (data[0] & 4)
        o.flags |= QUARRY_DATES_NO_YEARS;
    if (data[0] & 8)
        o.flags |= QUARRY_DATES_NO_INFERENCE;
    if (data[0] & 16)
        FUZZ_CHECK(quarry_date_parse("2024-04-13", 10, &o.reference) ==
                   QUARRY_OK);
    memset(&list, 0, sizeof list);
    FUZZ_CHECK(quarry_dates_find(env, (const char *)data + 1, size - 1, &o,
                                 &list) == QUARRY_OK);
    for (i = 0; i < list.count; i++) {
        check_date(&list.items[i], size - 1);
        FUZZ_CHECK(i == 0 || list.items[i - 1].end <= list.items[i].start);
    }
    quarry_date_list_free(env, &list);
    if (data[0] & 32) {
        if (!tok && quarry_tokenizer_new(env, NULL, &tok) != QUARRY_OK)
            abort();
        run_statements(&o, data + 1, size - 1);
    }
    return 0;
}
