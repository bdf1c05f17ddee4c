/*
 * field_stats.c - per-field profiles: unified type, count, range and
 * distinct values. Moved out of summary.c so that the index snapshot
 * reports the fields of its live documents exactly as `quarry stats`
 * reports those of a corpus. Field names are interned in a vocabulary, so
 * many documents with few fields cost one hash lookup per field value.
 */
#include "field_stats.h"

#include <string.h>

typedef struct summary_field {
    int type; /* unified type; -1 until the first value */
    uint64_t count;
    bool has_num, has_date, has_len;
    double num_min, num_max;
    quarry_date date_min, date_max;
    qi_buf date_min_text, date_max_text;
    uint64_t len_min, len_max;
    quarry_vocab *values; /* distinct value texts, up to the cap */
    bool capped;
} summary_field;

struct qi_fieldstats {
    quarry_env *env;
    quarry_vocab *field_names; /* id = index into fields */
    summary_field *fields;
    size_t field_cap;
};

int qi_fieldstats_new(quarry_env *env, qi_fieldstats **out)
{
    qi_fieldstats *fs = qi_calloc(env, 1, sizeof *fs);
    *out = NULL;
    if (!fs)
        return QUARRY_ENOMEM;
    fs->env = env;
    if (quarry_vocab_new(env, &fs->field_names) != QUARRY_OK) {
        qi_free(env, fs, sizeof *fs);
        return QUARRY_ENOMEM;
    }
    *out = fs;
    return QUARRY_OK;
}

void qi_fieldstats_free(qi_fieldstats *fs)
{
    size_t i, n;
    quarry_env *env;
    if (!fs)
        return;
    env = fs->env;
    n = quarry_vocab_size(fs->field_names);
    for (i = 0; i < n; i++) {
        qi_buf_free(env, &fs->fields[i].date_min_text);
        qi_buf_free(env, &fs->fields[i].date_max_text);
        quarry_vocab_free(fs->fields[i].values);
    }
    qi_free(env, fs->fields, fs->field_cap * sizeof *fs->fields);
    quarry_vocab_free(fs->field_names);
    qi_free(env, fs, sizeof *fs);
}

static int unify_type(int old, int new_type)
{
    if (old < 0 || old == new_type)
        return new_type;
    if (old == QUARRY_FIELD_STRING || new_type == QUARRY_FIELD_STRING)
        return QUARRY_FIELD_STRING;
    if (old == QUARRY_FIELD_MIXED)
        return QUARRY_FIELD_MIXED;
    if ((old == QUARRY_FIELD_INTEGER || old == QUARRY_FIELD_NUMBER) &&
        (new_type == QUARRY_FIELD_INTEGER || new_type == QUARRY_FIELD_NUMBER))
        return QUARRY_FIELD_NUMBER;
    return QUARRY_FIELD_MIXED; /* a date with a number */
}

/* Orders dates as instants with zones ignored: the reader fills unknown
 * parts with their lowest value, so "2024" sorts before "2024-01-02". */
static int date_cmp(const quarry_date *a, const quarry_date *b)
{
    int64_t ka =
        ((((int64_t)a->year * 13 + a->month) * 32 + a->day) * 24 + a->hour) *
            3600 +
        a->minute * 60 + a->second;
    int64_t kb =
        ((((int64_t)b->year * 13 + b->month) * 32 + b->day) * 24 + b->hour) *
            3600 +
        b->minute * 60 + b->second;
    return ka < kb ? -1 : (ka > kb ? 1 : 0);
}

static uint64_t utf8_chars(const char *p, size_t len)
{
    uint64_t n = 0;
    size_t i;
    for (i = 0; i < len; i++)
        n += ((unsigned char)p[i] & 0xC0) != 0x80;
    return n;
}

static bool set_text(quarry_env *env, qi_buf *b, const char *text, size_t len)
{
    b->len = 0;
    return qi_buf_append(env, b, text, len) && qi_buf_terminate(env, b);
}

int qi_fieldstats_add(qi_fieldstats *s, const quarry_field *f)
{
    uint32_t id;
    summary_field *sf;
    size_t tlen = f->text ? f->text_len : 0;
    const char *text = f->text ? f->text : "";
    uint64_t chars;

    if (!f->name || f->type < QUARRY_FIELD_STRING ||
        f->type > QUARRY_FIELD_DATE) {
        return QUARRY_EINVAL;
    }
    /* Reserve the field slot before interning the name, so a failure never
     * leaves a name without its slot. */
    {
        size_t need = quarry_vocab_size(s->field_names) + 1;
        size_t old_cap = s->field_cap;
        void *p = s->fields;
        if (!qi_array_reserve(s->env, &p, &s->field_cap, need,
                              sizeof *s->fields))
            return QUARRY_ENOMEM;
        s->fields = p;
        if (s->field_cap > old_cap)
            memset(s->fields + old_cap, 0,
                   (s->field_cap - old_cap) * sizeof *s->fields);
    }
    if (quarry_vocab_add(s->field_names, f->name, strlen(f->name), 1, &id) !=
        QUARRY_OK)
        return QUARRY_ENOMEM;
    sf = &s->fields[id];
    if (sf->count == 0 && !sf->values) {
        sf->type = -1;
        if (quarry_vocab_new(s->env, &sf->values) != QUARRY_OK)
            return QUARRY_ENOMEM;
    }
    sf->type = unify_type(sf->type, f->type);
    sf->count++;

    switch (f->type) {
    case QUARRY_FIELD_INTEGER:
    case QUARRY_FIELD_NUMBER: {
        double x = f->type == QUARRY_FIELD_INTEGER ? (double)f->value.integer
                                                   : f->value.number;
        if (!sf->has_num || x < sf->num_min)
            sf->num_min = x;
        if (!sf->has_num || x > sf->num_max)
            sf->num_max = x;
        sf->has_num = true;
        break;
    }
    case QUARRY_FIELD_DATE:
        if (!sf->has_date || date_cmp(&f->value.date, &sf->date_min) < 0) {
            sf->date_min = f->value.date;
            if (!set_text(s->env, &sf->date_min_text, text, tlen))
                return QUARRY_ENOMEM;
        }
        if (!sf->has_date || date_cmp(&f->value.date, &sf->date_max) > 0) {
            sf->date_max = f->value.date;
            if (!set_text(s->env, &sf->date_max_text, text, tlen))
                return QUARRY_ENOMEM;
        }
        sf->has_date = true;
        break;
    default: break;
    }
    /* Lengths are kept for every value: the unified type can still become
     * STRING, and then the range is the lengths of all values seen. */
    chars = utf8_chars(text, tlen);
    if (!sf->has_len || chars < sf->len_min)
        sf->len_min = chars;
    if (!sf->has_len || chars > sf->len_max)
        sf->len_max = chars;
    sf->has_len = true;

    if (!sf->capped) {
        size_t before = quarry_vocab_size(sf->values);
        if (before >= QUARRY_SUMMARY_DISTINCT_CAP) {
            sf->capped = true;
        } else if (quarry_vocab_add(sf->values, text, tlen, 1, NULL) !=
                   QUARRY_OK) {
            return QUARRY_ENOMEM;
        }
    }
    return QUARRY_OK;
}

int qi_fieldstats_get(const qi_fieldstats *s, size_t i,
                      quarry_summary_field *out)
{
    const summary_field *sf;
    memset(out, 0, sizeof *out);
    if (i >= quarry_vocab_size(s->field_names))
        return QUARRY_EINVAL;
    sf = &s->fields[i];
    out->name = quarry_vocab_term(s->field_names, (uint32_t)i, NULL);
    out->type = sf->type < 0 ? QUARRY_FIELD_MIXED : sf->type;
    out->count = sf->count;
    out->has_range = sf->count > 0;
    out->num_min = sf->num_min;
    out->num_max = sf->num_max;
    out->date_min = sf->date_min;
    out->date_max = sf->date_max;
    out->date_min_text = sf->date_min_text.data ? sf->date_min_text.data : "";
    out->date_max_text = sf->date_max_text.data ? sf->date_max_text.data : "";
    out->len_min = sf->len_min;
    out->len_max = sf->len_max;
    out->distinct = quarry_vocab_size(sf->values);
    out->distinct_capped = sf->capped;
    return QUARRY_OK;
}

size_t qi_fieldstats_count(const qi_fieldstats *fs)
{
    return quarry_vocab_size(fs->field_names);
}
