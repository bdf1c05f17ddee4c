/*
 * timeline.c - hits of several queries per period of a date or year field
 * (quarry.h, "Collocations, dispersion, timelines").
 *
 * Periods are quarry_groups over the subcorpus. Counting reads documents,
 * not hits (quarry_search_next_doc), so a frequent term costs one step per
 * document. The first and last occurrence need a hit's position, which
 * next_doc does not give: the counting pass remembers the document before
 * each of them, and a second search skips document by document up to it
 * and then reads hits.
 */
#include "qanalysis.h"

#include <string.h>

#define NO_DOC UINT64_MAX

struct quarry_timeline {
    quarry_env *env;
    quarry_groups *groups;
    size_t nq, np;
    uint64_t *tokens;              /* np: counted tokens of each period */
    quarry_timeline_cell *cells;   /* np * nq, period-major */
    quarry_timeline_hit *extremes; /* 2 per query: first, last */
};

void quarry_timeline_free(quarry_timeline *t)
{
    if (!t)
        return;
    quarry_groups_free(t->groups);
    qi_free(t->env, t->tokens, (t->np ? t->np : 1) * sizeof *t->tokens);
    qi_free(t->env, t->cells,
            (t->np * t->nq > 0 ? t->np * t->nq : 1) * sizeof *t->cells);
    qi_free(t->env, t->extremes, (t->nq ? 2 * t->nq : 1) * sizeof *t->extremes);
    qi_free(t->env, t, sizeof *t);
}

/* Sort key of a document's field value within its period: dates as an
 * ordinal, numbers as themselves (exact in a double for these ranges). */
static int field_key(quarry_index *ix, uint64_t doc, const char *field,
                     double *key)
{
    quarry_index_doc meta;
    size_t i;
    int rc = quarry_index_doc_get(ix, doc, &meta);
    *key = 0;
    for (i = 0; rc == QUARRY_OK && i < meta.field_count; i++) {
        quarry_field f;
        rc = quarry_index_doc_field(ix, doc, i, &f);
        if (rc != QUARRY_OK || strcmp(f.name, field) != 0)
            continue;
        if (f.type == QUARRY_FIELD_DATE) {
            const quarry_date *d = &f.value.date;
            *key = ((((double)d->year * 13 + d->month) * 32 + d->day) * 24 +
                    d->hour) *
                       3600.0 +
                   d->minute * 60.0 + d->second;
        } else if (f.type == QUARRY_FIELD_INTEGER) {
            *key = (double)f.value.integer;
        } else if (f.type == QUARRY_FIELD_NUMBER) {
            *key = f.value.number;
        }
        break;
    }
    return rc;
}

/* What the counting pass keeps about a candidate first or last hit. */
typedef struct candidate {
    int found;
    size_t period;
    double key;
    uint64_t doc, prev; /* the document before it among all hit documents */
} candidate;

static int count_query(quarry_timeline *t, quarry_index *ix,
                       const quarry_query *q, size_t j, const char *field,
                       const quarry_subcorpus *sc, candidate *first,
                       candidate *last, size_t *error_pos)
{
    quarry_search *s;
    uint64_t doc, hits, prev = NO_DOC;
    int rc = quarry_search_new(t->env, ix, q, NULL, &s, error_pos);
    if (rc != QUARRY_OK)
        return rc;
    memset(first, 0, sizeof *first);
    memset(last, 0, sizeof *last);
    while ((rc = quarry_search_next_doc(s, &doc, &hits)) == QUARRY_OK) {
        size_t g;
        double key = 0;
        int keyed = 0;
        if (qi_in_subcorpus(ix, sc, doc) &&
            (g = quarry_groups_of(t->groups, doc)) != SIZE_MAX) {
            quarry_timeline_cell *cell = &t->cells[g * t->nq + j];
            cell->hits += hits;
            cell->docs++;
            if (first->found && g == first->period) {
                if ((rc = field_key(ix, doc, field, &key)) != QUARRY_OK)
                    break;
                keyed = 1;
            }
            if (!first->found || g < first->period ||
                (g == first->period && key < first->key)) {
                if (!keyed &&
                    (rc = field_key(ix, doc, field, &key)) != QUARRY_OK)
                    break;
                keyed = 1;
                *first = (candidate){1, g, key, doc, prev};
            }
            if (!keyed && last->found && g == last->period) {
                if ((rc = field_key(ix, doc, field, &key)) != QUARRY_OK)
                    break;
                keyed = 1;
            }
            if (!last->found || g > last->period ||
                (g == last->period && key >= last->key)) {
                if (!keyed &&
                    (rc = field_key(ix, doc, field, &key)) != QUARRY_OK)
                    break;
                *last = (candidate){1, g, key, doc, prev};
            }
        }
        prev = doc;
    }
    if (rc == QUARRY_DONE)
        rc = QUARRY_OK;
    else if (rc < 0 && quarry_search_errmsg(s)[0])
        qi_set_error(t->env->errmsg, "%s", quarry_search_errmsg(s));
    else if (rc < 0)
        qi_set_error(t->env->errmsg, "%s", quarry_index_errmsg(ix));
    quarry_search_free(s);
    return rc;
}

/* Finds the first (want_last 0) or last hit of c->doc with a new search. */
static int locate(quarry_timeline *t, quarry_index *ix, const quarry_query *q,
                  const candidate *c, int want_last, quarry_timeline_hit *out)
{
    quarry_search *s;
    uint64_t doc = NO_DOC, hdoc, first, end;
    size_t got;
    int rc = quarry_search_new(t->env, ix, q, NULL, &s, NULL);
    if (rc != QUARRY_OK)
        return rc;
    while (c->prev != NO_DOC && doc != c->prev &&
           (rc = quarry_search_next_doc(s, &doc, NULL)) == QUARRY_OK)
        ;
    out->found = 1;
    out->period = c->period;
    out->doc = c->doc;
    out->first = out->end = 0;
    while (rc == QUARRY_OK &&
           (rc = quarry_search_next(s, 1, &hdoc, &first, &end, NULL, &got)) ==
               QUARRY_OK &&
           hdoc == c->doc) {
        out->first = first;
        out->end = end;
        if (!want_last)
            break;
    }
    if (rc == QUARRY_DONE || rc == QUARRY_OK)
        rc = QUARRY_OK;
    else
        qi_set_error(t->env->errmsg, "%s", quarry_search_errmsg(s));
    quarry_search_free(s);
    return rc;
}

/* Counted tokens per period, for per-million rates on the same tokens as
 * the other analyses (punctuation left out). */
static int period_tokens(quarry_timeline *t, quarry_index *ix,
                         const quarry_subcorpus *sc)
{
    uint64_t *per_doc, id, limit = quarry_index_doc_limit(ix);
    int rc;
    t->tokens = qi_calloc(t->env, t->np ? t->np : 1, sizeof *t->tokens);
    if (!t->tokens) {
        qi_set_error(t->env->errmsg, "out of memory for a timeline");
        return QUARRY_ENOMEM;
    }
    if ((rc = qi_counted_per_doc(t->env, ix, &per_doc)) != QUARRY_OK)
        return rc;
    for (id = qi_subcorpus_next(ix, sc, 0); id < limit;
         id = qi_subcorpus_next(ix, sc, id + 1)) {
        size_t g = quarry_groups_of(t->groups, id);
        if (g != SIZE_MAX && g < t->np)
            t->tokens[g] += per_doc[id];
    }
    qi_counted_per_doc_free(t->env, ix, per_doc);
    return QUARRY_OK;
}

int quarry_timeline_new(quarry_env *env, quarry_index *ix,
                        const quarry_query *const *queries, size_t n,
                        const char *field, int period,
                        const quarry_subcorpus *sc, quarry_timeline **out,
                        size_t *failed, size_t *error_pos)
{
    quarry_timeline *t;
    size_t j;
    int rc;
    *out = NULL;
    if (failed)
        *failed = n;
    if (!env)
        return QUARRY_EINVAL;
    if (!ix || !field || (n > 0 && !queries)) {
        qi_set_error(env->errmsg, "a timeline needs an index and a field");
        return QUARRY_EINVAL;
    }
    t = qi_calloc(env, 1, sizeof *t);
    if (!t) {
        qi_set_error(env->errmsg, "out of memory for a timeline");
        return QUARRY_ENOMEM;
    }
    t->env = env;
    rc = quarry_groups_new(env, ix, field, period, sc, &t->groups);
    if (rc != QUARRY_OK) {
        qi_free(env, t, sizeof *t);
        return rc;
    }
    t->np = quarry_groups_count(t->groups);
    t->nq = n;
    t->cells = qi_calloc(env, t->np * n > 0 ? t->np * n : 1, sizeof *t->cells);
    t->extremes = qi_calloc(env, n ? 2 * n : 1, sizeof *t->extremes);
    if (!t->cells || !t->extremes) {
        quarry_timeline_free(t);
        qi_set_error(env->errmsg, "out of memory for a timeline");
        return QUARRY_ENOMEM;
    }
    if ((rc = period_tokens(t, ix, sc)) != QUARRY_OK) {
        quarry_timeline_free(t);
        return rc;
    }
    for (j = 0; j < n; j++) {
        candidate first, last;
        rc = count_query(t, ix, queries[j], j, field, sc, &first, &last,
                         error_pos);
        if (rc == QUARRY_OK && first.found)
            rc = locate(t, ix, queries[j], &first, 0, &t->extremes[2 * j]);
        if (rc == QUARRY_OK && last.found)
            rc = locate(t, ix, queries[j], &last, 1, &t->extremes[2 * j + 1]);
        if (rc != QUARRY_OK) {
            if (failed)
                *failed = j;
            quarry_timeline_free(t);
            return rc;
        }
    }
    *out = t;
    return QUARRY_OK;
}

size_t quarry_timeline_query_count(const quarry_timeline *t)
{
    return t ? t->nq : 0;
}

size_t quarry_timeline_period_count(const quarry_timeline *t)
{
    return t ? t->np : 0;
}

const char *quarry_timeline_period_label(const quarry_timeline *t, size_t i)
{
    return t && i < t->np ? quarry_groups_label(t->groups, i) : NULL;
}

uint64_t quarry_timeline_period_docs(const quarry_timeline *t, size_t i)
{
    return t && i < t->np ? quarry_groups_docs(t->groups, i) : 0;
}

uint64_t quarry_timeline_period_tokens(const quarry_timeline *t, size_t i)
{
    return t && i < t->np ? t->tokens[i] : 0;
}

const quarry_timeline_cell *quarry_timeline_cell_get(const quarry_timeline *t,
                                                     size_t i, size_t j)
{
    if (!t || i >= t->np || j >= t->nq)
        return NULL;
    return &t->cells[i * t->nq + j];
}

const quarry_timeline_hit *quarry_timeline_extreme(const quarry_timeline *t,
                                                   size_t j, int last)
{
    if (!t || j >= t->nq)
        return NULL;
    return &t->extremes[2 * j + (last ? 1 : 0)];
}
