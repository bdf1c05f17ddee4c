/*
 * subcorpus.c - the documents an analysis runs on: live documents matching a
 * field filter and/or containing a hit of a query, kept as a bitmap over the
 * snapshot's document ids with their token total (quarry.h, "Subcorpora and
 * groups").
 */
#include "index_internal.h"

#include <string.h>

struct quarry_subcorpus {
    quarry_env *env;
    quarry_index *ix; /* one reference, dropped at free */
    uint64_t limit;   /* the snapshot's doc limit */
    uint64_t *bits;   /* (limit + 63) / 64 words */
    uint64_t docs, tokens;
};

void quarry_subcorpus_free(quarry_subcorpus *sc)
{
    if (!sc)
        return;
    qi_free(sc->env, sc->bits, ((sc->limit + 63) / 64) * sizeof *sc->bits);
    quarry_index_free(sc->ix);
    qi_free(sc->env, sc, sizeof *sc);
}

/* 1 if document id's fields match f; fields is scratch of *cap entries. */
static int fields_match(quarry_index *ix, uint64_t id, const quarry_filter *f,
                        quarry_field **fields, size_t *cap, int *rc)
{
    quarry_index_doc d;
    size_t i;
    *rc = quarry_index_doc_get(ix, id, &d);
    if (*rc != QUARRY_OK)
        return 0;
    if (!qi_array_reserve(ix->env, (void **)fields, cap, d.field_count + 1,
                          sizeof **fields)) {
        *rc = QUARRY_ENOMEM;
        return 0;
    }
    for (i = 0; i < d.field_count; i++) {
        *rc = quarry_index_doc_field(ix, id, i, &(*fields)[i]);
        if (*rc != QUARRY_OK)
            return 0;
    }
    return quarry_filter_match(f, *fields, d.field_count);
}

static void set_bit(quarry_subcorpus *sc, uint64_t id)
{
    sc->bits[id / 64] |= 1ull << (id % 64);
}

/* Adds the tokens of every selected document. */
static int count_tokens(quarry_subcorpus *sc)
{
    uint64_t id;
    for (id = quarry_subcorpus_next(sc, 0); id < sc->limit;
         id = quarry_subcorpus_next(sc, id + 1)) {
        quarry_index_doc d;
        int rc = quarry_index_doc_get(sc->ix, id, &d);
        if (rc != QUARRY_OK)
            return rc;
        sc->docs++;
        sc->tokens += d.tokens;
    }
    return QUARRY_OK;
}

int quarry_subcorpus_new(quarry_env *env, quarry_index *ix,
                         const quarry_filter *filter, const quarry_query *query,
                         quarry_subcorpus **out)
{
    quarry_subcorpus *sc;
    int rc = QUARRY_OK;
    *out = NULL;
    sc = qi_calloc(env, 1, sizeof *sc);
    if (!sc)
        goto oom;
    sc->env = env;
    sc->limit = quarry_index_doc_limit(ix);
    sc->bits =
        qi_calloc(env, (size_t)((sc->limit + 63) / 64) + 1, sizeof *sc->bits);
    if (!sc->bits) {
        qi_free(env, sc, sizeof *sc);
        goto oom;
    }
    sc->ix = quarry_index_retain(ix);
    if (query) {
        /* the search applies the filter itself, per segment */
        quarry_search_options so;
        quarry_search *s = NULL;
        uint64_t doc, hits;
        memset(&so, 0, sizeof so);
        so.filter = filter;
        rc = quarry_search_new(env, ix, query, &so, &s, NULL);
        if (rc != QUARRY_OK)
            goto fail_keep_msg;
        while ((rc = quarry_search_next_doc(s, &doc, &hits)) == QUARRY_OK)
            set_bit(sc, doc);
        if (rc != QUARRY_DONE) {
            qi_set_error(env->errmsg, "subcorpus: %s", quarry_search_errmsg(s));
            quarry_search_free(s);
            goto fail_keep_msg;
        }
        quarry_search_free(s);
    } else {
        quarry_field *fields = NULL;
        size_t cap = 0;
        uint64_t id;
        for (id = 0; id < sc->limit && rc == QUARRY_OK; id++) {
            if (!quarry_index_doc_live(ix, id))
                continue;
            if (!filter || fields_match(ix, id, filter, &fields, &cap, &rc))
                set_bit(sc, id);
        }
        if (fields)
            qi_free(env, fields, cap * sizeof *fields);
        if (rc != QUARRY_OK) {
            qi_set_error(env->errmsg, "subcorpus: %s",
                         rc == QUARRY_ENOMEM ? "out of memory"
                                             : quarry_index_errmsg(ix));
            goto fail_keep_msg;
        }
    }
    rc = count_tokens(sc);
    if (rc != QUARRY_OK) {
        qi_set_error(env->errmsg, "subcorpus: %s", quarry_index_errmsg(ix));
        goto fail_keep_msg;
    }
    *out = sc;
    return QUARRY_OK;

oom:
    qi_set_error(env->errmsg, "subcorpus: out of memory");
    return QUARRY_ENOMEM;
fail_keep_msg:
    quarry_subcorpus_free(sc);
    return rc;
}

uint64_t quarry_subcorpus_doc_count(const quarry_subcorpus *sc)
{
    return sc->docs;
}

uint64_t quarry_subcorpus_token_count(const quarry_subcorpus *sc)
{
    return sc->tokens;
}

int quarry_subcorpus_contains(const quarry_subcorpus *sc, uint64_t id)
{
    if (!sc)
        return 1;
    return id < sc->limit && ((sc->bits[id / 64] >> (id % 64)) & 1);
}

uint64_t quarry_subcorpus_next(const quarry_subcorpus *sc, uint64_t from)
{
    uint64_t w;
    if (!sc)
        return from;
    if (from >= sc->limit)
        return sc->limit;
    w = sc->bits[from / 64] & (~0ull << (from % 64));
    for (;;) {
        if (w) {
            uint64_t id = (from / 64) * 64 + (uint64_t)__builtin_ctzll(w);
            return id < sc->limit ? id : sc->limit;
        }
        from = (from / 64 + 1) * 64;
        if (from >= sc->limit)
            return sc->limit;
        w = sc->bits[from / 64];
    }
}
