/*
 * groups.c - splits the documents of a subcorpus by the value of a field,
 * bucketed by a period (quarry.h, "Subcorpora and groups").
 *
 * One pass over the documents computes each document's label ("1990s",
 * "2024-Q1", "Democratic") and interns it, remembering a sort key the first
 * time a label is seen; the groups are then sorted by key and every
 * document's provisional group is renumbered. A per-document array (4 bytes
 * per document id of the snapshot) makes quarry_groups_of O(1), which the
 * counting kernels call once per document.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_GROUP UINT32_MAX

/* Labels of different kinds sort numbers first, then dates, then strings. */
enum { KEY_NUMBER = 0, KEY_DATE = 1, KEY_STRING = 2 };

typedef struct group_key {
    int cls;
    int is_int;
    int64_t ival;      /* integers, dates and periods as one sortable integer */
    double dval;       /* numbers that are not integers */
    const char *label; /* borrowed from the interning vocabulary */
    size_t label_len;
    uint32_t provisional; /* id in the vocabulary */
} group_key;

struct quarry_groups {
    quarry_env *env;
    quarry_index *ix; /* one reference */
    size_t n;
    char *arena; /* labels, each NUL-terminated */
    size_t arena_len;
    size_t *label_off; /* n offsets into arena */
    size_t cap;        /* allocated entries of label_off, docs and tokens */
    uint64_t *docs, *tokens;
    uint32_t *of; /* of_len entries (one per document id): group or NO_GROUP */
    uint64_t of_len;
};

static int64_t date_ordinal(const quarry_date *d)
{
    return ((((int64_t)d->year * 13 + d->month) * 32 + d->day) * 24 + d->hour) *
               3600 +
           d->minute * 60 + d->second;
}

/* Floor division, so that decade -5 is -10s, not 0s. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The label and sort key of one field value under period. Returns 1 when
 * the value belongs to a group, 0 when it does not fit the period (a date
 * less precise than the period, a number that is not a whole year or is
 * asked for months), or -1 when the field cannot be grouped by period at
 * all (a string). */
static int label_of(const quarry_field *f, int period, char *buf, size_t size,
                    group_key *key)
{
    memset(key, 0, sizeof *key);
    key->is_int = 1;
    if (period == QUARRY_PERIOD_VALUE) {
        switch (f->type) {
        case QUARRY_FIELD_INTEGER:
            key->cls = KEY_NUMBER;
            key->ival = f->value.integer;
            snprintf(buf, size, "%lld", (long long)f->value.integer);
            return 1;
        case QUARRY_FIELD_NUMBER:
            if (isnan(f->value.number))
                return 0;
            key->cls = KEY_NUMBER;
            key->is_int = 0;
            key->dval = f->value.number;
            snprintf(buf, size, "%.15g", f->value.number);
            return 1;
        case QUARRY_FIELD_DATE:
            key->cls = KEY_DATE;
            key->ival = date_ordinal(&f->value.date);
            break;
        default: key->cls = KEY_STRING; break;
        }
        {
            size_t len = f->text ? f->text_len : 0;
            if (len >= size)
                len = size - 1;
            memcpy(buf, f->text ? f->text : "", len);
            buf[len] = 0;
        }
        return 1;
    }
    key->cls = KEY_NUMBER;
    if (f->type == QUARRY_FIELD_INTEGER || f->type == QUARRY_FIELD_NUMBER) {
        int64_t year;
        if (period != QUARRY_PERIOD_YEAR && period != QUARRY_PERIOD_DECADE)
            return 0;
        if (f->type == QUARRY_FIELD_INTEGER) {
            year = f->value.integer;
        } else {
            double x = f->value.number;
            if (isnan(x) || x != floor(x) || fabs(x) > 1e15)
                return 0;
            year = (int64_t)x;
        }
        if (year < -999999999 || year > 999999999)
            return 0;
        if (period == QUARRY_PERIOD_DECADE) {
            key->ival = floor_div(year, 10) * 10;
            snprintf(buf, size, "%llds", (long long)key->ival);
        } else {
            key->ival = year;
            snprintf(buf, size, "%lld", (long long)year);
        }
        return 1;
    }
    if (f->type != QUARRY_FIELD_DATE)
        return -1;
    {
        const quarry_date *d = &f->value.date;
        int need = period == QUARRY_PERIOD_DAY       ? QUARRY_DATE_DAY
                   : period == QUARRY_PERIOD_MONTH   ? QUARRY_DATE_MONTH
                   : period == QUARRY_PERIOD_QUARTER ? QUARRY_DATE_MONTH
                                                     : QUARRY_DATE_YEAR;
        int y = d->year;
        if (d->precision < need)
            return 0;
        switch (period) {
        case QUARRY_PERIOD_YEAR:
            key->ival = y;
            snprintf(buf, size, "%04d", y);
            break;
        case QUARRY_PERIOD_DECADE:
            key->ival = floor_div(y, 10) * 10;
            snprintf(buf, size, "%04llds", (long long)key->ival);
            break;
        case QUARRY_PERIOD_QUARTER:
            key->ival = (int64_t)y * 4 + (d->month - 1) / 3;
            snprintf(buf, size, "%04d-Q%d", y, (d->month - 1) / 3 + 1);
            break;
        case QUARRY_PERIOD_MONTH:
            key->ival = (int64_t)y * 12 + d->month;
            snprintf(buf, size, "%04d-%02d", y, d->month);
            break;
        default:
            key->ival = ((int64_t)y * 12 + d->month) * 31 + d->day;
            snprintf(buf, size, "%04d-%02d-%02d", y, d->month, d->day);
            break;
        }
    }
    return 1;
}

static int key_cmp(const void *pa, const void *pb)
{
    const group_key *a = pa, *b = pb;
    size_t m;
    int c;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    if (a->cls != KEY_STRING) {
        if (a->is_int && b->is_int) {
            if (a->ival != b->ival)
                return a->ival < b->ival ? -1 : 1;
        } else {
            double x = a->is_int ? (double)a->ival : a->dval;
            double y = b->is_int ? (double)b->ival : b->dval;
            if (x != y)
                return x < y ? -1 : 1;
        }
    }
    m = a->label_len < b->label_len ? a->label_len : b->label_len;
    c = memcmp(a->label, b->label, m);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return a->label_len < b->label_len ? -1 : a->label_len > b->label_len;
}

void quarry_groups_free(quarry_groups *g)
{
    quarry_env *env;
    if (!g)
        return;
    env = g->env;
    qi_free(env, g->arena, g->arena_len);
    qi_free(env, g->label_off, g->cap * sizeof *g->label_off);
    qi_free(env, g->docs, g->cap * sizeof *g->docs);
    qi_free(env, g->tokens, g->cap * sizeof *g->tokens);
    qi_free(env, g->of, g->of_len * sizeof *g->of);
    quarry_index_free(g->ix);
    qi_free(env, g, sizeof *g);
}

/* Scratch of one quarry_groups_new call. */
typedef struct builder {
    quarry_vocab *labels;
    group_key *keys; /* by provisional id */
    size_t keys_cap;
    uint64_t *docs, *tokens; /* by provisional id */
    size_t docs_cap, tokens_cap;
} builder;

static void builder_free(quarry_env *env, builder *b)
{
    quarry_vocab_free(b->labels);
    qi_free(env, b->keys, b->keys_cap * sizeof *b->keys);
    qi_free(env, b->docs, b->docs_cap * sizeof *b->docs);
    qi_free(env, b->tokens, b->tokens_cap * sizeof *b->tokens);
}

/* Finds field in document id; 1 if present (then *out is set). */
static int find_field(quarry_index *ix, uint64_t id, size_t count,
                      const char *field, quarry_field *out, int *rc)
{
    size_t i;
    for (i = 0; i < count; i++) {
        *rc = quarry_index_doc_field(ix, id, i, out);
        if (*rc != QUARRY_OK)
            return 0;
        if (out->name && strcmp(out->name, field) == 0)
            return 1;
    }
    *rc = QUARRY_OK;
    return 0;
}

/* Whether any live document of ix has the field: a field none has is a
 * mistake (a typo, most often), not an empty grouping. */
static int field_in_index(quarry_index *ix, const char *field, int *rc)
{
    uint64_t id;
    for (id = 0; id < quarry_index_doc_limit(ix); id++) {
        quarry_index_doc meta;
        quarry_field f;
        if (!quarry_index_doc_live(ix, id))
            continue;
        *rc = quarry_index_doc_get(ix, id, &meta);
        if (*rc != QUARRY_OK)
            return 0;
        if (find_field(ix, id, meta.field_count, field, &f, rc))
            return 1;
        if (*rc != QUARRY_OK)
            return 0;
    }
    *rc = QUARRY_OK;
    return 0;
}

/* Adds document id (with its tokens) to the group labelled buf. */
static int builder_add(quarry_env *env, builder *b, const char *buf,
                       const group_key *key, uint64_t tokens, uint32_t *out)
{
    size_t before = quarry_vocab_size(b->labels), need = before + 1;
    uint32_t id;
    void *p;
    /* Room first, so an interned label always has its slots. */
    p = b->keys;
    if (!qi_array_reserve(env, &p, &b->keys_cap, need, sizeof *b->keys))
        return QUARRY_ENOMEM;
    b->keys = p;
    p = b->docs;
    if (!qi_array_reserve(env, &p, &b->docs_cap, need, sizeof *b->docs))
        return QUARRY_ENOMEM;
    b->docs = p;
    p = b->tokens;
    if (!qi_array_reserve(env, &p, &b->tokens_cap, need, sizeof *b->tokens))
        return QUARRY_ENOMEM;
    b->tokens = p;
    if (quarry_vocab_add(b->labels, buf, strlen(buf), 1, &id) != QUARRY_OK)
        return QUARRY_ENOMEM;
    if (id == before) {
        b->keys[id] = *key;
        b->keys[id].provisional = id;
        b->docs[id] = 0;
        b->tokens[id] = 0;
    }
    b->docs[id]++;
    b->tokens[id] += tokens;
    *out = id;
    return QUARRY_OK;
}

/* Sorts the groups and moves them from the builder into g. */
static int finish(quarry_env *env, builder *b, quarry_groups *g)
{
    size_t n = quarry_vocab_size(b->labels), cap = n ? n : 1, arena = 1, i;
    uint32_t *rank;
    uint64_t d;

    for (i = 0; i < n; i++) {
        b->keys[i].label =
            quarry_vocab_term(b->labels, (uint32_t)i, &b->keys[i].label_len);
        arena += b->keys[i].label_len + 1;
    }
    if (n > 1)
        qsort(b->keys, n, sizeof *b->keys, key_cmp);
    g->cap = cap;
    g->label_off = qi_alloc(env, cap * sizeof *g->label_off);
    g->docs = qi_alloc(env, cap * sizeof *g->docs);
    g->tokens = qi_alloc(env, cap * sizeof *g->tokens);
    g->arena_len = arena;
    g->arena = qi_alloc(env, arena);
    rank = qi_alloc(env, cap * sizeof *rank);
    if (!rank || !g->label_off || !g->docs || !g->tokens || !g->arena) {
        qi_free(env, rank, cap * sizeof *rank);
        return QUARRY_ENOMEM;
    }
    arena = 0;
    for (i = 0; i < n; i++) {
        const group_key *k = &b->keys[i];
        rank[k->provisional] = (uint32_t)i;
        g->label_off[i] = arena;
        memcpy(g->arena + arena, k->label, k->label_len + 1);
        arena += k->label_len + 1;
        g->docs[i] = b->docs[k->provisional];
        g->tokens[i] = b->tokens[k->provisional];
    }
    for (d = 0; d < g->of_len; d++)
        if (g->of[d] != NO_GROUP)
            g->of[d] = rank[g->of[d]];
    qi_free(env, rank, cap * sizeof *rank);
    g->n = n;
    return QUARRY_OK;
}

int quarry_groups_new(quarry_env *env, quarry_index *ix, const char *field,
                      int period, const quarry_subcorpus *sc,
                      quarry_groups **out)
{
    quarry_groups *g;
    builder b;
    uint64_t id;
    int rc = QUARRY_OK, unfit_number = 0, seen_field = 0;
    char unfit_doc[256] = "";

    if (out)
        *out = NULL;
    if (!env || !ix || !field || !*field || !out ||
        period < QUARRY_PERIOD_VALUE || period > QUARRY_PERIOD_DAY) {
        if (env)
            qi_set_error(env->errmsg,
                         "groups: bad arguments (a field name and a period "
                         "from QUARRY_PERIOD_VALUE to QUARRY_PERIOD_DAY)");
        return QUARRY_EINVAL;
    }
    memset(&b, 0, sizeof b);
    g = qi_calloc(env, 1, sizeof *g);
    if (!g)
        goto oom;
    g->env = env;
    g->ix = quarry_index_retain(ix);
    if (quarry_vocab_new(env, &b.labels) != QUARRY_OK)
        goto oom;
    /* One entry even for an empty snapshot: its id 0 is in no group. */
    g->of_len = quarry_index_doc_limit(ix) ? quarry_index_doc_limit(ix) : 1;
    g->of = qi_alloc(env, g->of_len * sizeof *g->of);
    if (!g->of)
        goto oom;
    for (id = 0; id < g->of_len; id++)
        g->of[id] = NO_GROUP;

    for (id = sc ? quarry_subcorpus_next(sc, 0) : 0;
         id < quarry_index_doc_limit(ix);
         id = sc ? quarry_subcorpus_next(sc, id + 1) : id + 1) {
        quarry_index_doc meta;
        quarry_field f;
        group_key key;
        char buf[1024]; /* longer values are cut: labels, not texts */
        int fit;
        if (!sc && !quarry_index_doc_live(ix, id))
            continue;
        rc = quarry_index_doc_get(ix, id, &meta);
        if (rc != QUARRY_OK)
            goto index_error;
        if (!find_field(ix, id, meta.field_count, field, &f, &rc)) {
            if (rc != QUARRY_OK)
                goto index_error;
            continue;
        }
        seen_field = 1;
        fit = label_of(&f, period, buf, sizeof buf, &key);
        if (fit < 0) {
            qi_set_error(env->errmsg,
                         "groups: field %s of %s (record %llu) is the text "
                         "\"%.*s\", not a date or a number; it can only be "
                         "grouped by value",
                         field, meta.source, (unsigned long long)meta.record,
                         (int)(f.text_len > 60 ? 60 : f.text_len),
                         f.text ? f.text : "");
            rc = QUARRY_EINVAL;
            goto fail;
        }
        if (fit == 0) {
            if (f.type != QUARRY_FIELD_DATE && !unfit_number) {
                unfit_number = 1;
                snprintf(unfit_doc, sizeof unfit_doc, "%s (record %llu)",
                         meta.source, (unsigned long long)meta.record);
            }
            continue;
        }
        rc = builder_add(env, &b, buf, &key, meta.tokens, &g->of[id]);
        if (rc != QUARRY_OK)
            goto oom;
    }
    if (!seen_field && !field_in_index(ix, field, &rc)) {
        if (rc != QUARRY_OK)
            goto index_error;
        qi_set_error(env->errmsg, "groups: no document has a field named '%s'",
                     field);
        rc = QUARRY_EINVAL;
        goto fail;
    }
    /* A year field asked for months would silently give no groups. */
    if (quarry_vocab_size(b.labels) == 0 && unfit_number) {
        qi_set_error(env->errmsg,
                     "groups: field %s holds numbers (e.g. in %s), not dates: "
                     "group it by value, year or decade",
                     field, unfit_doc);
        rc = QUARRY_EINVAL;
        goto fail;
    }
    rc = finish(env, &b, g);
    if (rc != QUARRY_OK)
        goto oom;
    builder_free(env, &b);
    *out = g;
    return QUARRY_OK;

index_error:
    qi_set_error(env->errmsg, "groups: %s", quarry_index_errmsg(ix));
    goto fail;
oom:
    rc = QUARRY_ENOMEM;
    qi_set_error(env->errmsg, "groups: out of memory");
fail:
    builder_free(env, &b);
    quarry_groups_free(g);
    return rc;
}

size_t quarry_groups_count(const quarry_groups *g)
{
    return g ? g->n : 0;
}

const char *quarry_groups_label(const quarry_groups *g, size_t i)
{
    return g && i < g->n ? g->arena + g->label_off[i] : NULL;
}

size_t quarry_groups_of(const quarry_groups *g, uint64_t id)
{
    if (!g || id >= g->of_len || g->of[id] == NO_GROUP)
        return SIZE_MAX;
    return g->of[id];
}

uint64_t quarry_groups_docs(const quarry_groups *g, size_t i)
{
    return g && i < g->n ? g->docs[i] : 0;
}

uint64_t quarry_groups_tokens(const quarry_groups *g, size_t i)
{
    return g && i < g->n ? g->tokens[i] : 0;
}
