/*
 * dates_zh.c - the Chinese forms of the date recognizer: year 年, month 月
 * and day 日 (or 号) written with ASCII digits, full-width digits or Chinese
 * numerals, with optional spaces between the parts and day ranges with
 * 至, 到 or a dash ("12月11日至12日"). docs/dates.md lists the forms.
 *
 * A month written in Chinese numerals counts only with a day or after a
 * year: "三月" alone is as often part of a name or idiom as a date, while
 * "3月" is practically always one.
 */
#include "dates.h"

#include <string.h>

enum {
    NUM_ARABIC = 1,     /* ASCII or full-width digits: 2023, ９ */
    NUM_CJK_DIGITS = 2, /* one numeral per digit: 二〇二三, 九 */
    NUM_CJK_TENS = 3    /* with 十: 十二, 二十一, 三十 */
};

typedef struct zh_number {
    int value;
    int digits; /* characters read (capped: longer runs are not dates) */
    int kind;
    size_t end;
} zh_number;

#define MAX_NUMBER_CHARS 5

static uint32_t code_point_at(const unsigned char *s, size_t len, size_t p,
                              size_t *n)
{
    uint32_t cp = 0;
    *n = p < len ? qi_utf8_decode(s + p, len - p, &cp) : 0;
    return *n ? cp : 0;
}

/* Value of a Chinese digit numeral (0-9), or -1. */
static int cjk_digit(uint32_t cp)
{
    switch (cp) {
    case 0x3007: /* 〇 */
    case 0x96F6: /* 零 */ return 0;
    case 0x4E00: return 1; /* 一 */
    case 0x4E8C: return 2; /* 二 */
    case 0x4E09: return 3; /* 三 */
    case 0x56DB: return 4; /* 四 */
    case 0x4E94: return 5; /* 五 */
    case 0x516D: return 6; /* 六 */
    case 0x4E03: return 7; /* 七 */
    case 0x516B: return 8; /* 八 */
    case 0x4E5D: return 9; /* 九 */
    default: return -1;
    }
}

#define CJK_TEN 0x5341 /* 十 */

static int arabic_digit(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return (int)(cp - 0xFF10);
    return -1;
}

size_t qi_date_zh_digit(const unsigned char *s, size_t len, size_t p)
{
    size_t n;
    uint32_t cp = code_point_at(s, len, p, &n);
    if (n == 0 || cp < 0x80)
        return 0;
    if (arabic_digit(cp) >= 0 || cjk_digit(cp) >= 0 || cp == CJK_TEN)
        return n;
    return 0;
}

static bool read_number(const unsigned char *s, size_t len, size_t p,
                        zh_number *num)
{
    size_t n;
    uint32_t cp = code_point_at(s, len, p, &n);
    int d;
    memset(num, 0, sizeof *num);
    if (arabic_digit(cp) >= 0) {
        num->kind = NUM_ARABIC;
        while (n && (d = arabic_digit(cp)) >= 0 &&
               num->digits < MAX_NUMBER_CHARS) {
            num->value = num->value * 10 + d;
            num->digits++;
            p += n;
            cp = code_point_at(s, len, p, &n);
        }
        num->end = p;
        return num->digits < MAX_NUMBER_CHARS;
    }
    if (cjk_digit(cp) < 0 && cp != CJK_TEN)
        return false;
    {
        int vals[MAX_NUMBER_CHARS], count = 0, ten_at = -1, i;
        while (n && (cjk_digit(cp) >= 0 || cp == CJK_TEN)) {
            if (count == MAX_NUMBER_CHARS)
                return false;
            if (cp == CJK_TEN) {
                if (ten_at >= 0)
                    return false;
                ten_at = count;
            }
            vals[count++] = cjk_digit(cp);
            p += n;
            cp = code_point_at(s, len, p, &n);
        }
        num->end = p;
        num->digits = count;
        if (ten_at < 0) {
            num->kind = NUM_CJK_DIGITS;
            for (i = 0; i < count; i++)
                num->value = num->value * 10 + vals[i];
            return true;
        }
        /* 十, 十X, X十, X十Y with X and Y from 1 to 9 */
        num->kind = NUM_CJK_TENS;
        if (count - ten_at > 2 || ten_at > 1)
            return false;
        num->value = 10;
        if (ten_at == 1) {
            if (vals[0] < 1)
                return false;
            num->value = vals[0] * 10;
        }
        if (ten_at + 1 < count) {
            if (vals[ten_at + 1] < 1)
                return false;
            num->value += vals[ten_at + 1];
        }
        return true;
    }
}

static bool is_year(const zh_number *n)
{
    return (n->kind == NUM_ARABIC || n->kind == NUM_CJK_DIGITS) &&
           n->digits == 4 && n->value >= QI_DATE_YEAR_MIN &&
           n->value <= QI_DATE_YEAR_MAX;
}

/* Months and days: one or two arabic digits, or a numeral from 一 to 三十一
 * (一 to 九 alone, or with 十). */
static bool is_small(const zh_number *n, int max)
{
    if (n->value < 1 || n->value > max)
        return false;
    if (n->kind == NUM_ARABIC)
        return n->digits <= 2;
    if (n->kind == NUM_CJK_DIGITS)
        return n->digits == 1;
    return true;
}

static size_t skip_spaces(const unsigned char *s, size_t len, size_t p)
{
    size_t n;
    while ((n = qi_date_space(s, len, p)) > 0)
        p += n;
    return p;
}

/* If the character after optional spaces at p is cp, returns the position
 * after it, else 0 (never a valid end: a date has at least one byte). */
static size_t expect(const unsigned char *s, size_t len, size_t p,
                     uint32_t want)
{
    size_t n, q = skip_spaces(s, len, p);
    uint32_t cp = code_point_at(s, len, q, &n);
    return n && cp == want ? q + n : 0;
}

static size_t expect_day_mark(const unsigned char *s, size_t len, size_t p)
{
    size_t q;
    if ((q = expect(s, len, p, 0x65E5)) != 0) /* 日 */
        return q;
    if ((q = expect(s, len, p, 0x53F7)) != 0) /* 号 */
        return q;
    return expect(s, len, p, 0x865F); /* 號 */
}

static size_t expect_range_mark(const unsigned char *s, size_t len, size_t p)
{
    static const uint32_t marks[] = {0x81F3, /* 至 */
                                     0x5230, /* 到 */
                                     '-',    0x2013, 0x2014,
                                     '~',    0xFF5E, 0x301C};
    size_t i, q;
    for (i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if ((q = expect(s, len, p, marks[i])) != 0)
            return q;
    return 0;
}

/* The end of a range after the start's day: [month 月] day 日. */
static void range_tail(const unsigned char *s, size_t len, size_t p,
                       qi_date_match *m)
{
    zh_number a, b;
    size_t q = expect_range_mark(s, len, p), r;
    if (!q || !read_number(s, len, skip_spaces(s, len, q), &a))
        return;
    if ((r = expect(s, len, a.end, 0x6708)) != 0) { /* 月 */
        size_t e;
        if (!is_small(&a, 12) ||
            !read_number(s, len, skip_spaces(s, len, r), &b) ||
            !is_small(&b, 31) || !(e = expect_day_mark(s, len, b.end)))
            return;
        m->until_month = a.value;
        m->until_day = b.value;
        m->end = e;
        return;
    }
    if (is_small(&a, 31) && (r = expect_day_mark(s, len, a.end)) != 0) {
        m->until_month = m->month;
        m->until_day = a.value;
        m->end = r;
    }
}

/* A day (and range) after the month, which ended at p. */
static bool day_tail(const unsigned char *s, size_t len, size_t p,
                     qi_date_match *m)
{
    zh_number d;
    size_t q, month_end = m->end;
    if (!read_number(s, len, skip_spaces(s, len, p), &d) || !is_small(&d, 31))
        return false;
    if ((q = expect_day_mark(s, len, d.end)) != 0) {
        m->day = d.value;
        m->end = q;
        range_tail(s, len, q, m);
        return true;
    }
    /* "11至12日": the start's day takes its mark from the end's */
    m->day = d.value;
    m->end = d.end;
    range_tail(s, len, d.end, m);
    if (m->until_day)
        return true;
    m->day = 0;
    m->end = month_end;
    return false;
}

bool qi_date_match_zh(const unsigned char *s, size_t len, size_t p,
                      qi_date_match *m)
{
    zh_number a, b;
    size_t q;
    memset(m, 0, sizeof *m);
    if (!read_number(s, len, p, &a))
        return false;
    if ((q = expect(s, len, a.end, 0x5E74)) != 0) { /* 年 */
        size_t n, r;
        if (!is_year(&a) || code_point_at(s, len, q, &n) == 0x4EE3) /* 年代 */
            return false;
        m->year = a.value;
        m->end = q;
        if (read_number(s, len, skip_spaces(s, len, q), &b) &&
            is_small(&b, 12) && (r = expect(s, len, b.end, 0x6708)) != 0) {
            m->month = b.value;
            m->end = r;
            day_tail(s, len, r, m);
        }
        return true;
    }
    if ((q = expect(s, len, a.end, 0x6708)) != 0 && is_small(&a, 12)) {
        m->month = a.value;
        m->end = q;
        return day_tail(s, len, q, m) || a.kind == NUM_ARABIC;
    }
    return false;
}
