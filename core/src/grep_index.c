/*
 * grep_index.c - the raw scan of an index's stored texts
 * (quarry_grep_index).
 *
 * Single-threaded by contract: a snapshot is read by one thread at a time.
 * Each live document passing the filter is scanned whole; its hits are
 * buffered, then mapped to token spans with a binary search over the
 * document's token offsets. The text stays valid while the tokens are read
 * because only quarry_index_doc_text writes the snapshot's text scratch.
 */
#include "index_internal.h"
#include "regex.h"

#include <string.h>

typedef struct ix_rec {
    size_t start, end, line_start, line_end;
    uint64_t line;
} ix_rec;

typedef struct ix_scan {
    quarry_index *ix;
    quarry_env *env;
    ix_rec *recs;
    size_t nrecs, rec_cap;
    uint64_t *starts, *ends;
    size_t tok_cap;
    quarry_field *fields;
    size_t field_cap;
} ix_scan;

static int collect(void *ud, size_t start, size_t end, uint64_t line,
                   size_t line_start, size_t line_end)
{
    ix_scan *sc = ud;
    void *data = sc->recs;
    ix_rec *r;
    if (!qi_array_reserve(sc->env, &data, &sc->rec_cap, sc->nrecs + 1,
                          sizeof *r))
        return QUARRY_ENOMEM;
    sc->recs = data;
    r = &sc->recs[sc->nrecs++];
    r->start = start;
    r->end = end;
    r->line = line;
    r->line_start = line_start;
    r->line_end = line_end;
    return 0;
}

/* First index in v[0, n) whose value is > key. */
static size_t upper_bound(const uint64_t *v, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] > key)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Token span of the byte span [start, end): first is the token containing
 * start or the next one; end_token is one past the token containing
 * end - 1 (never before first). */
static void token_span(const ix_scan *sc, size_t n, uint64_t start,
                       uint64_t end, uint64_t *first, uint64_t *end_token)
{
    size_t f = upper_bound(sc->ends, n, start);
    size_t e = end > start ? upper_bound(sc->starts, n, end - 1) : f;
    *first = f;
    *end_token = e > f ? e : f;
}

static int filter_passes(ix_scan *sc, uint64_t id, const quarry_filter *filter,
                         int *passes)
{
    quarry_index_doc d;
    size_t i;
    int rc = quarry_index_doc_get(sc->ix, id, &d);
    *passes = 0;
    if (rc != QUARRY_OK)
        return rc;
    if (d.field_count > sc->field_cap) {
        void *data = sc->fields;
        if (!qi_array_reserve(sc->env, &data, &sc->field_cap, d.field_count,
                              sizeof *sc->fields))
            return QUARRY_ENOMEM;
        sc->fields = data;
    }
    for (i = 0; i < d.field_count; i++) {
        rc = quarry_index_doc_field(sc->ix, id, i, &sc->fields[i]);
        if (rc != QUARRY_OK)
            return rc;
    }
    *passes = quarry_filter_match(filter, sc->fields, d.field_count);
    return QUARRY_OK;
}

/* Delivers the buffered hits of document id; returns 1 if fn stops. */
static int deliver(ix_scan *sc, uint64_t id, const char *text,
                   quarry_grep_fn fn, void *ud, quarry_grep_counts *counts,
                   int *status)
{
    quarry_index_doc d;
    size_t i, got = 0;
    *status = quarry_index_doc_get(sc->ix, id, &d);
    if (*status != QUARRY_OK)
        return 1;
    if (d.tokens > sc->tok_cap) {
        if (sc->starts)
            qi_free(sc->env, sc->starts, sc->tok_cap * sizeof(uint64_t));
        if (sc->ends)
            qi_free(sc->env, sc->ends, sc->tok_cap * sizeof(uint64_t));
        sc->tok_cap = (size_t)d.tokens;
        sc->starts = qi_alloc(sc->env, sc->tok_cap * sizeof(uint64_t));
        sc->ends = qi_alloc(sc->env, sc->tok_cap * sizeof(uint64_t));
        if (!sc->starts || !sc->ends) {
            *status = QUARRY_ENOMEM;
            return 1;
        }
    }
    if (d.tokens) {
        *status = quarry_index_doc_tokens(sc->ix, id, 0, (size_t)d.tokens, NULL,
                                          sc->starts, sc->ends, &got);
        if (*status != QUARRY_OK)
            return 1;
    }
    for (i = 0; i < sc->nrecs; i++) {
        const ix_rec *r = &sc->recs[i];
        quarry_grep_hit h;
        memset(&h, 0, sizeof h);
        h.doc = id;
        h.start = r->start;
        h.end = r->end;
        h.line = r->line + 1;
        token_span(sc, got, r->start, r->end, &h.first, &h.end_token);
        h.line_text = text + r->line_start;
        h.line_len = r->line_end - r->line_start;
        h.line_start = r->line_start;
        counts->hits++;
        if (fn(ud, &h) != 0)
            return 1;
    }
    return 0;
}

int quarry_grep_index(quarry_index *ix, const quarry_regex *re,
                      const quarry_filter *filter,
                      const quarry_grep_options *opts, quarry_grep_fn fn,
                      void *ud, quarry_grep_counts *counts)
{
    ix_scan sc;
    quarry_regex *mine = NULL;
    quarry_grep_counts local;
    uint64_t id, limit;
    int count_only = opts && opts->count_only;
    int rc = QUARRY_OK;

    if (!counts)
        counts = &local;
    memset(counts, 0, sizeof *counts);
    if (!ix || !re)
        return QUARRY_EINVAL;
    if (!fn && !count_only) {
        qi_set_error(ix->errmsg, "grep: no callback and not count_only");
        return QUARRY_EINVAL;
    }
    memset(&sc, 0, sizeof sc);
    sc.ix = ix;
    sc.env = ix->env;
    /* re is shared and read-only; matching needs match data of its own */
    rc = qi_regex_clone(sc.env, re, &mine);
    if (rc != QUARRY_OK) {
        qi_set_error(ix->errmsg, "%s", sc.env->errmsg);
        return rc;
    }
    limit = quarry_index_doc_limit(ix);
    for (id = 0; id < limit; id++) {
        const char *text;
        size_t len;
        qi_grep_scan_result r;
        int passes = 1;
        if (!quarry_index_doc_live(ix, id))
            continue;
        if (filter && (rc = filter_passes(&sc, id, filter, &passes)) != 0)
            break;
        if (!passes)
            continue;
        rc = quarry_index_doc_text(ix, id, &text, &len);
        if (rc != QUARRY_OK)
            break;
        sc.nrecs = 0;
        rc = qi_grep_scan(mine, text, 0, len, !count_only,
                          count_only ? NULL : collect, &sc, &r);
        counts->bytes += len;
        if (rc == QUARRY_ELIMIT) {
            qi_set_error(ix->errmsg, "document %llu:%llu: %s",
                         (unsigned long long)id,
                         (unsigned long long)(r.error_line + 1), mine->errmsg);
            break;
        }
        if (rc != QUARRY_OK)
            break;
        if (r.hits)
            counts->files++;
        if (count_only) {
            counts->hits += r.hits;
        } else if (sc.nrecs && deliver(&sc, id, text, fn, ud, counts, &rc)) {
            break;
        }
    }
    if (rc == QUARRY_ENOMEM)
        qi_set_error(ix->errmsg, "grep: out of memory");
    if (sc.recs)
        qi_free(sc.env, sc.recs, sc.rec_cap * sizeof *sc.recs);
    if (sc.starts)
        qi_free(sc.env, sc.starts, sc.tok_cap * sizeof(uint64_t));
    if (sc.ends)
        qi_free(sc.env, sc.ends, sc.tok_cap * sizeof(uint64_t));
    if (sc.fields)
        qi_free(sc.env, sc.fields, sc.field_cap * sizeof *sc.fields);
    quarry_regex_free(mine);
    return rc;
}
