/*
 * dates.c - finds the dates written in running text (quarry.h, "Dates in
 * text and dated statements"; forms and choices in docs/dates.md).
 *
 * One left-to-right pass over the bytes. At each place a date may start
 * (a capitalized English word, a number not glued to another number or
 * word, a full-width digit or a Chinese numeral) every form is tried and
 * the longest match wins; the scan then resumes after it. Years missing
 * from a mention are settled in the same pass, since the context that
 * supplies them is the last date with a year before it.
 *
 * The recognizer prefers missing a date to inventing one: month names must
 * be capitalized and come with a day or a year ("May" the verb, "March"
 * the verb), four-digit years stand alone only after a preposition, and
 * slashed all-numeric dates need an explicit order.
 */
#include "dates.h"

#include <stdio.h>
#include <string.h>

/* A bare year ("in 1990") is read only up to this year: further on, a
 * four-digit number after "by" or "in" is more often a quantity. */
#define BARE_YEAR_MAX 2199

/* How far (bytes from the end of one mention to the start of the next) a
 * written year reaches a date without one when the text also has a
 * reference date: about three sentences. A report continues its dated
 * event nearby ("On June 5, 2023, ... On June 6, ..."), while a speech that
 * cited a year long before means its own year by "on 10 September". */
#define QI_DATE_CONTEXT_BYTES 600

int qi_days_in_month(int32_t year, int month)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && year != 0) {
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return leap ? 29 : 28;
    }
    return days[month - 1];
}

size_t qi_date_space(const unsigned char *s, size_t len, size_t p)
{
    if (p >= len)
        return 0;
    if (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')
        return 1;
    if (s[p] == 0xC2 && p + 1 < len && s[p + 1] == 0xA0)
        return 2; /* U+00A0 */
    if (s[p] == 0xE3 && p + 2 < len && s[p + 1] == 0x80 && s[p + 2] == 0x80)
        return 3; /* U+3000 */
    return 0;
}

static size_t skip_spaces(const unsigned char *s, size_t len, size_t p)
{
    size_t n;
    while ((n = qi_date_space(s, len, p)) > 0)
        p += n;
    return p;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static unsigned char lower(unsigned char c)
{
    return is_upper(c) ? (unsigned char)(c + 32) : c;
}

/* ---- words -------------------------------------------------------------- */

typedef struct name_entry {
    const char *name; /* lower case */
    int value;
    bool abbrev; /* may be followed by '.' */
} name_entry;

static const name_entry month_names[] = {
    {"january", 1, false},   {"jan", 1, true},        {"february", 2, false},
    {"feb", 2, true},        {"march", 3, false},     {"mar", 3, true},
    {"april", 4, false},     {"apr", 4, true},        {"may", 5, false},
    {"june", 6, false},      {"jun", 6, true},        {"july", 7, false},
    {"jul", 7, true},        {"august", 8, false},    {"aug", 8, true},
    {"september", 9, false}, {"sept", 9, true},       {"sep", 9, true},
    {"october", 10, false},  {"oct", 10, true},       {"november", 11, false},
    {"nov", 11, true},       {"december", 12, false}, {"dec", 12, true},
    {NULL, 0, false}};

static const name_entry weekday_names[] = {
    {"monday", 1, false}, {"mon", 1, true},       {"tuesday", 2, false},
    {"tues", 2, true},    {"tue", 2, true},       {"wednesday", 3, false},
    {"wed", 3, true},     {"thursday", 4, false}, {"thurs", 4, true},
    {"thur", 4, true},    {"thu", 4, true},       {"friday", 5, false},
    {"fri", 5, true},     {"saturday", 6, false}, {"sat", 6, true},
    {"sunday", 7, false}, {"sun", 7, true},       {NULL, 0, false}};

/* Words after which a four-digit number is read as a year. */
static const char *const year_prepositions[] = {
    "in",    "since", "during", "until",   "till",       "before",
    "after", "from",  "by",     "between", "throughout", NULL};

/* Lower-case words that may follow a bare year ("in 2023 the ..."); any
 * other lower-case word makes the number a quantity ("in 2000 cases"). */
static const char *const year_followers[] = {
    "a",       "an",       "and",     "as",   "at",    "but",   "for",  "had",
    "has",     "have",     "he",      "i",    "in",    "is",    "it",   "its",
    "alone",   "was",      "were",    "we",   "when",  "while", "will", "with",
    "the",     "there",    "these",   "they", "this",  "those", "to",   "or",
    "on",      "onward",   "onwards", "our",  "she",   "so",    "that", "until",
    "through", "compared", "versus",  "vs",   "which", "would", "you",  NULL};

/* Length of the ASCII letter run at p. */
static size_t word_length(const unsigned char *s, size_t len, size_t p)
{
    size_t q = p;
    while (q < len && is_alpha(s[q]))
        q++;
    return q - p;
}

/* Case-insensitive comparison of the n letters at s with name. */
static bool word_is(const unsigned char *s, size_t n, const char *name)
{
    size_t i;
    if (strlen(name) != n)
        return false;
    for (i = 0; i < n; i++)
        if (lower(s[i]) != (unsigned char)name[i])
            return false;
    return true;
}

/* Capitalized ("March") or all capitals ("MARCH"): the way names of months
 * and days are written, and not "march" or "may" the verbs. */
static bool name_case(const unsigned char *s, size_t n)
{
    size_t i;
    bool all_upper = true, rest_lower = true;
    if (n == 0 || !is_upper(s[0]))
        return false;
    for (i = 1; i < n; i++) {
        if (is_upper(s[i]))
            rest_lower = false;
        else
            all_upper = false;
    }
    return rest_lower || all_upper;
}

/* Looks the name at p up in table; returns its value and sets *end after
 * it (and after the '.' of an abbreviation), or returns 0. */
static int name_at(const unsigned char *s, size_t len, size_t p,
                   const name_entry *table, size_t *end)
{
    size_t n = word_length(s, len, p), i;
    if (!name_case(s + p, n))
        return 0;
    for (i = 0; table[i].name; i++) {
        if (word_is(s + p, n, table[i].name)) {
            *end = p + n;
            if (table[i].abbrev && *end < len && s[*end] == '.')
                (*end)++;
            return table[i].value;
        }
    }
    return 0;
}

static bool word_in(const unsigned char *s, size_t n, const char *const *list)
{
    size_t i;
    for (i = 0; list[i]; i++)
        if (word_is(s, n, list[i]))
            return true;
    return false;
}

/* ---- numbers ------------------------------------------------------------ */

/* A number ends cleanly at p: no digit or letter is glued to it, and no
 * separator followed by a digit (5.5, 5,000, 5:30, 5-6, 5/6). */
static bool number_ends(const unsigned char *s, size_t len, size_t p)
{
    if (p >= len)
        return true;
    if (is_digit(s[p]) || is_alpha(s[p]) || s[p] == '%')
        return false;
    if (strchr(".,:-/", s[p]) && p + 1 < len && is_digit(s[p + 1]))
        return false;
    return true;
}

/* Reads a run of ASCII digits at p (at most max, and no longer run):
 * returns the number of digits and sets *value, or 0. */
static size_t digits_at(const unsigned char *s, size_t len, size_t p,
                        size_t max, int *value)
{
    size_t n = 0;
    int v = 0;
    while (p + n < len && is_digit(s[p + n])) {
        if (n == max)
            return 0;
        v = v * 10 + (s[p + n] - '0');
        n++;
    }
    *value = v;
    return n;
}

/* A year of four digits standing alone at p; sets *end. */
static bool year_at(const unsigned char *s, size_t len, size_t p, int *year,
                    size_t *end)
{
    if (digits_at(s, len, p, 4, year) != 4 || *year < QI_DATE_YEAR_MIN ||
        *year > QI_DATE_YEAR_MAX || !number_ends(s, len, p + 4))
        return false;
    *end = p + 4;
    return true;
}

/* A day of the month at p: one or two digits, optionally 1st, 2nd, 3rd, th.
 * A dash may follow (a range "11-12"). Sets *end. */
static bool day_at(const unsigned char *s, size_t len, size_t p, int *day,
                   size_t *end)
{
    size_t n = digits_at(s, len, p, 2, day), q;
    if (n == 0 || *day < 1 || *day > 31)
        return false;
    q = p + n;
    if (q + 1 < len && is_alpha(s[q]) && is_alpha(s[q + 1]) &&
        (q + 2 >= len || !is_alpha(s[q + 2]))) {
        unsigned char a = lower(s[q]), b = lower(s[q + 1]);
        if ((a == 's' && b == 't') || (a == 'n' && b == 'd') ||
            (a == 'r' && b == 'd') || (a == 't' && b == 'h'))
            q += 2;
    }
    if (q < len && s[q] == '-' && q + 1 < len && is_digit(s[q + 1])) {
        *end = q;
        return true;
    }
    if (!number_ends(s, len, q)) {
        int year;
        size_t e;
        /* "March 5,2024": a comma glued to a year is not a thousands
           separator */
        if (!(s[q] == ',' && year_at(s, len, q + 1, &year, &e)))
            return false;
    }
    *end = q;
    return true;
}

/* ---- English forms ------------------------------------------------------ */

/* After white space at p, the word "of": returns the position after it
 * (white space follows), or p. */
static size_t skip_of(const unsigned char *s, size_t len, size_t p)
{
    size_t q = skip_spaces(s, len, p);
    if (q > p && word_length(s, len, q) == 2 && word_is(s + q, 2, "of") &&
        qi_date_space(s, len, q + 2))
        return q + 2;
    return p;
}

/* A range connector at p (after optional white space): "-", en or em dash
 * glued or spaced, or the words to, through, until, till, and. Returns the
 * position after it and its white space, or 0. */
static size_t range_connector(const unsigned char *s, size_t len, size_t p)
{
    size_t q = skip_spaces(s, len, p), n;
    if (q < len && s[q] == '-')
        return skip_spaces(s, len, q + 1);
    if (q + 2 < len && s[q] == 0xE2 && s[q + 1] == 0x80 &&
        (s[q + 2] == 0x93 || s[q + 2] == 0x94))
        return skip_spaces(s, len, q + 3);
    if (q == p)
        return 0; /* a word needs space before it */
    n = word_length(s, len, q);
    if (n && (word_is(s + q, n, "to") || word_is(s + q, n, "through") ||
              word_is(s + q, n, "until") || word_is(s + q, n, "till") ||
              word_is(s + q, n, "and"))) {
        size_t r = skip_spaces(s, len, q + n);
        return r > q + n ? r : 0;
    }
    return 0;
}

/* The year after a day or a month at p: [","] white space year (or a
 * comma alone before it). Returns true and fills m->year and m->end. */
static bool year_tail(const unsigned char *s, size_t len, size_t p,
                      qi_date_match *m)
{
    size_t q = p, r, e;
    int year;
    if (q < len && s[q] == ',')
        q++;
    r = skip_spaces(s, len, q);
    if (r == p)
        return false; /* "March 52024" */
    if (!year_at(s, len, r, &year, &e))
        return false;
    m->year = year;
    m->end = e;
    return true;
}

static bool month_led(const unsigned char *s, size_t len, size_t p,
                      qi_date_match *m, bool range);
static bool day_led(const unsigned char *s, size_t len, size_t p,
                    qi_date_match *m, bool range);

/* "March 5", "March 5th, 2024", "Dec. 11-12, 2023", "March 5 to April 2,
 * 2024", "September 2023", "September of 2023". */
static bool month_led(const unsigned char *s, size_t len, size_t p,
                      qi_date_match *m, bool range)
{
    size_t q, r, e;
    int month = name_at(s, len, p, month_names, &q), day;
    memset(m, 0, sizeof *m);
    if (!month)
        return false;
    r = skip_spaces(s, len, q);
    if (r > q && day_at(s, len, r, &day, &e)) {
        size_t c;
        m->month = month;
        m->day = day;
        m->end = e;
        if (range && (c = range_connector(s, len, e)) != 0) {
            qi_date_match to;
            int day2;
            size_t e2;
            if (month_led(s, len, c, &to, false) && to.day) {
                m->until_month = to.month;
                m->until_day = to.day;
                m->until_year = to.year;
                m->year = to.year;
                m->end = to.end;
                return true;
            }
            if (day_at(s, len, c, &day2, &e2) && day2 > day) {
                m->until_month = month;
                m->until_day = day2;
                m->end = e2;
            }
        }
        year_tail(s, len, m->end, m);
        return true;
    }
    m->month = month;
    if (year_tail(s, len, skip_of(s, len, q), m))
        return true;
    memset(m, 0, sizeof *m);
    return false;
}

/* "7 September 2023", "7th of September, 2023", "11-12 December 2023",
 * "5 March to 2 April 2024", "7 Sept." */
static bool day_led(const unsigned char *s, size_t len, size_t p,
                    qi_date_match *m, bool range)
{
    size_t e, c, q, r;
    int day, day2 = 0, month;
    memset(m, 0, sizeof *m);
    if (!day_at(s, len, p, &day, &e))
        return false;
    if (range && (c = range_connector(s, len, e)) != 0) {
        size_t e2;
        if (day_at(s, len, c, &day2, &e2) && day2 > day)
            e = e2;
        else
            day2 = 0;
    }
    q = skip_spaces(s, len, skip_of(s, len, e));
    if (q == e)
        return false;
    month = name_at(s, len, q, month_names, &r);
    if (!month)
        return false;
    m->month = month;
    m->day = day;
    m->end = r;
    if (day2) {
        m->until_month = month;
        m->until_day = day2;
    } else if (range && (c = range_connector(s, len, r)) != 0) {
        qi_date_match to;
        if (day_led(s, len, c, &to, false)) {
            m->until_month = to.month;
            m->until_day = to.day;
            m->until_year = to.year;
            m->year = to.year;
            m->end = to.end;
            return true;
        }
    }
    year_tail(s, len, m->end, m);
    return true;
}

/* A weekday name before a date: "Tuesday, March 5, 2024", "Tue. 5 March". */
static bool weekday_led(const unsigned char *s, size_t len, size_t p,
                        qi_date_match *m)
{
    size_t q, r;
    if (!name_at(s, len, p, weekday_names, &q))
        return false;
    if (q < len && s[q] == ',')
        q++;
    r = skip_spaces(s, len, q);
    if (r == q)
        return false;
    if (month_led(s, len, r, m, true) && m->day)
        return true;
    return r < len && is_digit(s[r]) && day_led(s, len, r, m, true);
}

/* ---- numeric forms ------------------------------------------------------ */

/* 2023-09-07, 2023/9/7, and 2023-09 (a month: two digits, and not a span
 * of years such as 2011-12). A time may follow ("2023-09-07T10:00",
 * "2023-09-07 10:00"); it is not part of the date. */
static bool iso_at(const unsigned char *s, size_t len, size_t p,
                   qi_date_match *m)
{
    int year, month, day;
    size_t n, q;
    unsigned char sep;
    memset(m, 0, sizeof *m);
    if (digits_at(s, len, p, 4, &year) != 4 || p + 4 >= len)
        return false;
    sep = s[p + 4];
    if (sep != '-' && sep != '/')
        return false;
    n = digits_at(s, len, p + 5, 2, &month);
    if (n == 0)
        return false;
    q = p + 5 + n;
    if (q < len && s[q] == sep) {
        size_t k = digits_at(s, len, q + 1, 2, &day);
        size_t e = q + 1 + k;
        if (k == 0)
            return false;
        if (e < len && s[e] == 'T' && e + 1 < len && is_digit(s[e + 1])) {
            /* the time is not ours; the T is its separator */
        } else if (!number_ends(s, len, e)) {
            return false;
        }
        m->year = year;
        m->month = month;
        m->day = day;
        m->end = e;
        return true;
    }
    if (sep != '-' || n != 2 || !number_ends(s, len, q) ||
        month == (year + 1) % 100)
        return false;
    m->year = year;
    m->month = month;
    m->end = q;
    return true;
}

/* 09/07/2023 in the order chosen (09.07.2023 and 09-07-2023 too). */
static bool numeric_at(const unsigned char *s, size_t len, size_t p, int order,
                       qi_date_match *m)
{
    int a, b, year;
    size_t n, k, e;
    unsigned char sep;
    memset(m, 0, sizeof *m);
    if (order == QUARRY_DATES_NUMERIC_NONE)
        return false;
    n = digits_at(s, len, p, 2, &a);
    if (n == 0 || p + n >= len)
        return false;
    sep = s[p + n];
    if (sep != '/' && sep != '-' &&
        !(sep == '.' && order == QUARRY_DATES_NUMERIC_DMY))
        return false;
    k = digits_at(s, len, p + n + 1, 2, &b);
    if (k == 0 || p + n + 1 + k >= len || s[p + n + 1 + k] != sep)
        return false;
    if (!year_at(s, len, p + n + 2 + k, &year, &e))
        return false;
    m->year = year;
    m->month = order == QUARRY_DATES_NUMERIC_MDY ? a : b;
    m->day = order == QUARRY_DATES_NUMERIC_MDY ? b : a;
    m->end = e;
    return true;
}

/* Steps back over white space before p; returns where it starts. */
static size_t back_spaces(const unsigned char *s, size_t p)
{
    for (;;) {
        if (p >= 1 && (s[p - 1] == ' ' || s[p - 1] == '\t' ||
                       s[p - 1] == '\n' || s[p - 1] == '\r'))
            p--;
        else if (p >= 2 && s[p - 2] == 0xC2 && s[p - 1] == 0xA0)
            p -= 2;
        else
            return p;
    }
}

/* The word ending at p (letters only); sets *start. */
static size_t word_before(const unsigned char *s, size_t p, size_t *start)
{
    size_t q = p;
    while (q > 0 && is_alpha(s[q - 1]))
        q--;
    *start = q;
    return p - q;
}

/* "in 2023", "since 1990", "in early 2024", "by mid-2025". */
static bool bare_year_at(const unsigned char *s, size_t len, size_t p,
                         qi_date_match *m)
{
    int year;
    size_t e, q, w, n, r;
    memset(m, 0, sizeof *m);
    if (!year_at(s, len, p, &year, &e) || year > BARE_YEAR_MAX)
        return false;
    if (p >= 4 && lower(s[p - 4]) == 'm' && memcmp(s + p - 3, "id-", 3) == 0) {
        q = back_spaces(s, p - 4);
        if (q == p - 4)
            return false;
        n = word_before(s, q, &w);
    } else {
        q = back_spaces(s, p);
        if (q == p)
            return false;
        n = word_before(s, q, &w);
        if (n && (word_is(s + w, n, "early") || word_is(s + w, n, "late") ||
                  word_is(s + w, n, "mid"))) {
            q = back_spaces(s, w);
            if (q == w)
                return false;
            n = word_before(s, q, &w);
        }
    }
    if (!n || !word_in(s + w, n, year_prepositions) ||
        (w > 0 && (is_digit(s[w - 1]) || s[w - 1] == '-')))
        return false;
    /* what follows must not make the number a quantity */
    r = skip_spaces(s, len, e);
    if (r < len && is_digit(s[r]))
        return false;
    if (r > e && r < len && is_alpha(s[r]) && !is_upper(s[r])) {
        n = word_length(s, len, r);
        if (!word_in(s + r, n, year_followers))
            return false;
    }
    m->year = year;
    m->end = e;
    return true;
}

/* ---- the scan ----------------------------------------------------------- */

/* A number may start a date at p: nothing glued before it that would make
 * it part of a longer number, a code or an amount. */
static bool number_may_start(const unsigned char *s, size_t p)
{
    unsigned char c;
    if (p == 0)
        return true;
    c = s[p - 1];
    if (is_digit(c) || is_alpha(c) || strchr(".,:-/+_#$%@&", c))
        return false;
    if (c >= 0x80 && p >= 2 && s[p - 2] == 0xC2 && (c == 0xA3 || c == 0xA5))
        return false; /* £ ¥ */
    /* a full-width digit or a Chinese numeral right before */
    if (p >= 3 && qi_date_zh_digit(s, p, p - 3) == 3)
        return false;
    return true;
}

static bool match_longest(const unsigned char *s, size_t len, size_t p,
                          const quarry_dates_options *o, qi_date_match *best)
{
    qi_date_match m;
    bool found = false;
#define TRY(call)                                                              \
    do {                                                                       \
        if ((call) && (!found || m.end > best->end)) {                         \
            *best = m;                                                         \
            found = true;                                                      \
        }                                                                      \
    } while (0)
    if (is_alpha(s[p])) {
        if (p > 0 && (is_alpha(s[p - 1]) || is_digit(s[p - 1])))
            return false;
        TRY(weekday_led(s, len, p, &m));
        TRY(month_led(s, len, p, &m, true));
    } else if (is_digit(s[p])) {
        if (!number_may_start(s, p)) {
            /* "mid-2025" */
            if (!(o->flags & QUARRY_DATES_NO_YEARS) && p >= 4 &&
                s[p - 1] == '-' && lower(s[p - 4]) == 'm' &&
                lower(s[p - 3]) == 'i' && lower(s[p - 2]) == 'd')
                TRY(bare_year_at(s, len, p, &m));
            return found;
        }
        TRY(iso_at(s, len, p, &m));
        TRY(numeric_at(s, len, p, o->numeric, &m));
        TRY(day_led(s, len, p, &m, true));
        TRY(qi_date_match_zh(s, len, p, &m));
        if (!(o->flags & QUARRY_DATES_NO_YEARS))
            TRY(bare_year_at(s, len, p, &m));
    } else if (qi_date_zh_digit(s, len, p)) {
        if (!number_may_start(s, p))
            return false;
        TRY(qi_date_match_zh(s, len, p, &m));
    }
#undef TRY
    return found;
}

static int date_key(int32_t year, int month, int day)
{
    return (int)year * 10000 + month * 100 + day;
}

static void format_iso(quarry_text_date *d)
{
    const quarry_date *v = &d->date;
    if (v->precision == QUARRY_DATE_DAY)
        snprintf(d->iso, sizeof d->iso, "%04d-%02d-%02d", (int)v->year,
                 v->month, v->day);
    else if (v->precision == QUARRY_DATE_MONTH)
        snprintf(d->iso, sizeof d->iso, "%04d-%02d", (int)v->year, v->month);
    else
        snprintf(d->iso, sizeof d->iso, "%04d", (int)v->year);
}

/* Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), to compare candidate years by distance. */
static long days_from_civil(long y, int m, int d)
{
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The year of a date written without one, from the reference: the
 * reference's year when it is only a year, else the year (the reference's,
 * the one before or the one after) that puts the date closest to it, so
 * "December 28" in a text of 2024-01-05 is 2023-12-28. */
static int32_t year_from_reference(const quarry_date *ref, int month, int day)
{
    int32_t best = ref->year, y;
    long target, best_gap = -1;
    if (ref->precision < QUARRY_DATE_MONTH || month < 1 || month > 12)
        return ref->year;
    target = days_from_civil(ref->year, ref->month,
                             ref->precision >= QUARRY_DATE_DAY ? ref->day : 15);
    for (y = ref->year - 1; y <= ref->year + 1; y++) {
        int d = day ? day : 15;
        long gap;
        if (d > qi_days_in_month(y, month))
            d = qi_days_in_month(y, month);
        gap = days_from_civil(y, month, d) - target;
        if (gap < 0)
            gap = -gap;
        if (best_gap < 0 || gap < best_gap) {
            best_gap = gap;
            best = y;
        }
    }
    return best;
}

/* The context of a text: the last date written with its year. */
typedef struct date_context {
    int32_t year; /* 0: none yet */
    size_t end;   /* where its mention ended */
} date_context;

/* Turns a match at start into a text date with its year settled (docs/
 * dates.md, "Years from context"): a date with a year written close enough
 * before it lends its year; else the reference; else the last year written
 * at any distance. Returns false when the date does not exist (February
 * 30) or has no year to take. */
static bool settle(const qi_date_match *m, size_t start,
                   const date_context *ctx, const quarry_dates_options *o,
                   quarry_text_date *out)
{
    int32_t year = m->year;
    memset(out, 0, sizeof *out);
    if (year == 0) {
        bool near = ctx->year && start - ctx->end <= QI_DATE_CONTEXT_BYTES;
        if (o->flags & QUARRY_DATES_NO_INFERENCE)
            return false;
        if (near || (ctx->year && !o->reference.precision))
            year = ctx->year;
        else if (o->reference.precision)
            year = year_from_reference(&o->reference, m->month, m->day);
        else
            return false;
        out->year_inferred = 1;
    }
    if (year < QI_DATE_YEAR_MIN || year > QI_DATE_YEAR_MAX)
        return false;
    out->start = start;
    out->end = m->end;
    out->date.year = year;
    out->date.month = 1;
    out->date.day = 1;
    out->date.precision = QUARRY_DATE_YEAR;
    if (m->month) {
        if (m->month < 1 || m->month > 12)
            return false;
        out->date.month = (uint8_t)m->month;
        out->date.precision = QUARRY_DATE_MONTH;
    }
    if (m->day) {
        if (m->day > qi_days_in_month(year, m->month))
            return false;
        out->date.day = (uint8_t)m->day;
        out->date.precision = QUARRY_DATE_DAY;
    }
    if (m->until_day) {
        int32_t uy = m->until_year ? m->until_year : year;
        if (m->until_month < 1 || m->until_month > 12 ||
            m->until_day > qi_days_in_month(uy, m->until_month) ||
            date_key(uy, m->until_month, m->until_day) <=
                date_key(year, m->month, m->day))
            return false;
        out->until = out->date;
        out->until.year = uy;
        out->until.month = (uint8_t)m->until_month;
        out->until.day = (uint8_t)m->until_day;
    }
    format_iso(out);
    return true;
}

static bool push(quarry_env *env, quarry_date_list *list,
                 const quarry_text_date *d)
{
    if (!qi_array_reserve(env, (void **)&list->items, &list->capacity,
                          list->count + 1, sizeof *list->items))
        return false;
    list->items[list->count++] = *d;
    return true;
}

int quarry_dates_find(quarry_env *env, const char *text, size_t len,
                      const quarry_dates_options *opts, quarry_date_list *out)
{
    const unsigned char *s = (const unsigned char *)text;
    quarry_dates_options o;
    date_context ctx = {0, 0};
    size_t p = 0;
    if (!env || !out || (!text && len))
        return QUARRY_EINVAL;
    out->count = 0;
    memset(&o, 0, sizeof o);
    if (opts)
        o = *opts;
    if (o.numeric < QUARRY_DATES_NUMERIC_NONE ||
        o.numeric > QUARRY_DATES_NUMERIC_DMY) {
        qi_set_error(env->errmsg, "dates: unknown numeric order %d", o.numeric);
        return QUARRY_EINVAL;
    }
    if (o.reference.precision && (o.reference.year < QI_DATE_YEAR_MIN ||
                                  o.reference.year > QI_DATE_YEAR_MAX)) {
        qi_set_error(env->errmsg, "dates: reference year %d is outside %d-%d",
                     (int)o.reference.year, QI_DATE_YEAR_MIN, QI_DATE_YEAR_MAX);
        return QUARRY_EINVAL;
    }
    while (p < len) {
        qi_date_match m = {0, 0, 0, 0, 0, 0, 0};
        quarry_text_date d;
        if (!match_longest(s, len, p, &o, &m)) {
            p++;
            continue;
        }
        if (settle(&m, p, &ctx, &o, &d)) {
            if (!push(env, out, &d)) {
                out->count = 0;
                qi_set_error(env->errmsg, "dates: out of memory");
                return QUARRY_ENOMEM;
            }
            if (!d.year_inferred) {
                ctx.year = d.date.year;
                ctx.end = d.end;
            }
        }
        /* a date that does not exist is still one mention: no part of it
           ("30, 2023" of "February 30, 2023") is read again */
        p = m.end;
    }
    return QUARRY_OK;
}

void quarry_date_list_free(quarry_env *env, quarry_date_list *list)
{
    if (!list)
        return;
    if (env && list->items)
        qi_free(env, list->items, list->capacity * sizeof *list->items);
    memset(list, 0, sizeof *list);
}
