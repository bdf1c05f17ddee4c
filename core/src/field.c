/* field.c - field types: parsing integers, numbers and ISO 8601 dates, the
 * inference rules of quarry_infer_type and conversions for overrides.
 *
 * Values are trimmed of surrounding ASCII white space before they are
 * recognized (CSV cells and YAML values often carry some); the field's text
 * keeps the original. */
#include "reader_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

/* n digits at s as an int; false if any is not a digit. */
static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month == 2 && leap)
        return 29;
    return days[month - 1];
}

/* Zone at s: "Z", "+HH:MM", "-HH:MM", "+HHMM" or "+HH". Returns the bytes
 * used (0 if none matches exactly to the end). */
static size_t parse_zone(const char *s, size_t len, quarry_date *d)
{
    int h = 0, m = 0, sign;
    if (len == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        d->has_zone = 1;
        d->zone_minutes = 0;
        return 1;
    }
    if (len < 3 || (s[0] != '+' && s[0] != '-'))
        return 0;
    sign = s[0] == '-' ? -1 : 1;
    if (!digits(s + 1, 2, &h))
        return 0;
    if (len == 6 && s[3] == ':') {
        if (!digits(s + 4, 2, &m))
            return 0;
    } else if (len == 5) {
        if (!digits(s + 3, 2, &m))
            return 0;
    } else if (len != 3) {
        return 0;
    }
    if (h > 23 || m > 59)
        return 0;
    d->has_zone = 1;
    d->zone_minutes = (int16_t)(sign * (h * 60 + m));
    return len;
}

int quarry_date_parse(const char *s, size_t len, quarry_date *out)
{
    quarry_date d;
    int v;
    size_t i;
    if (!s || !out)
        return QUARRY_EINVAL;
    trim(&s, &len);
    memset(&d, 0, sizeof d);
    d.month = d.day = 1;
    if (len < 4 || !digits(s, 4, &v))
        return QUARRY_EINVAL;
    d.year = v;
    d.precision = QUARRY_DATE_YEAR;
    if (len == 4)
        goto done;
    if (len < 7 || s[4] != '-' || !digits(s + 5, 2, &v) || v < 1 || v > 12)
        return QUARRY_EINVAL;
    d.month = (uint8_t)v;
    d.precision = QUARRY_DATE_MONTH;
    if (len == 7)
        goto done;
    if (len < 10 || s[7] != '-' || !digits(s + 8, 2, &v) || v < 1 ||
        v > days_in_month(d.year, d.month))
        return QUARRY_EINVAL;
    d.day = (uint8_t)v;
    d.precision = QUARRY_DATE_DAY;
    if (len == 10)
        goto done;
    /* time: [ T]HH:MM[:SS[.fff]][zone] */
    if (len < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &v) || v > 23)
        return QUARRY_EINVAL;
    d.hour = (uint8_t)v;
    if (s[13] != ':' || !digits(s + 14, 2, &v) || v > 59)
        return QUARRY_EINVAL;
    d.minute = (uint8_t)v;
    d.precision = QUARRY_DATE_MINUTE;
    i = 16;
    if (i < len && s[i] == ':') {
        if (len < 19 || !digits(s + 17, 2, &v) || v > 60)
            return QUARRY_EINVAL;
        d.second = (uint8_t)v;
        d.precision = QUARRY_DATE_SECOND;
        i = 19;
        /* fractional seconds are accepted and dropped: quarry_date keeps
         * whole seconds */
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            if (i >= len || !is_digit(s[i]))
                return QUARRY_EINVAL;
            while (i < len && is_digit(s[i]))
                i++;
        }
    }
    if (i < len && parse_zone(s + i, len - i, &d) != len - i)
        return QUARRY_EINVAL;
done:
    *out = d;
    return QUARRY_OK;
}

/* Optional sign and 1+ digits fitting int64. */
static bool parse_integer(const char *s, size_t len, int64_t *out)
{
    uint64_t v = 0, limit;
    bool neg = false;
    size_t i = 0;
    if (len && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return false;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned d;
        if (!is_digit(s[i]))
            return false;
        d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return true;
}

/* A decimal number: [sign] digits [. digits] [e [sign] digits], with at least
 * one digit in the mantissa. Hex, inf and nan are not numbers here. */
static bool decimal_syntax(const char *s, size_t len)
{
    size_t i = 0, mant = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < len && is_digit(s[i]))
        i++, mant++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && is_digit(s[i]))
            i++, mant++;
    }
    if (mant == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        while (i < len && is_digit(s[i]))
            i++, e++;
        if (e == 0)
            return false;
    }
    return i == len;
}

static bool parse_number(const char *s, size_t len, double *out)
{
    char buf[128];
    char *end;
    double v;
    if (!decimal_syntax(s, len) || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtod(buf, &end);
    if (end != buf + len || errno == ERANGE)
        return false;
    *out = v;
    return true;
}

int quarry_infer_type(const char *s, size_t len)
{
    int64_t i;
    double d;
    quarry_date date;
    if (!s)
        return QUARRY_FIELD_STRING;
    trim(&s, &len);
    if (parse_integer(s, len, &i))
        return QUARRY_FIELD_INTEGER;
    if (parse_number(s, len, &d))
        return QUARRY_FIELD_NUMBER;
    /* a bare YYYY was an integer above; what remains with 4+ digits and a
     * dash is a date only if it parses as one */
    if (len > 4 && quarry_date_parse(s, len, &date) == QUARRY_OK)
        return QUARRY_FIELD_DATE;
    return QUARRY_FIELD_STRING;
}

bool qi_field_convert(quarry_field *f, int type)
{
    const char *s = f->text;
    size_t len = f->text_len;
    trim(&s, &len);
    switch (type) {
    case QUARRY_FIELD_STRING: memset(&f->value, 0, sizeof f->value); break;
    case QUARRY_FIELD_INTEGER: {
        int64_t v;
        if (!parse_integer(s, len, &v))
            return false;
        f->value.integer = v;
        break;
    }
    case QUARRY_FIELD_NUMBER: {
        double v;
        if (!parse_number(s, len, &v))
            return false;
        f->value.number = v;
        break;
    }
    case QUARRY_FIELD_DATE: {
        quarry_date v;
        if (quarry_date_parse(s, len, &v) != QUARRY_OK)
            return false;
        f->value.date = v;
        break;
    }
    default: return false;
    }
    f->type = type;
    return true;
}

int qi_field_type_from_name(const char *s, size_t len)
{
    static const struct {
        const char *name;
        int type;
    } names[] = {{"string", QUARRY_FIELD_STRING},
                 {"integer", QUARRY_FIELD_INTEGER},
                 {"number", QUARRY_FIELD_NUMBER},
                 {"date", QUARRY_FIELD_DATE},
                 {"auto", 0}};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == len && memcmp(names[i].name, s, len) == 0)
            return names[i].type;
    return -1;
}

const char *qi_field_type_name(int type)
{
    switch (type) {
    case QUARRY_FIELD_STRING: return "string";
    case QUARRY_FIELD_INTEGER: return "integer";
    case QUARRY_FIELD_NUMBER: return "number";
    case QUARRY_FIELD_DATE: return "date";
    default: return "auto";
    }
}
