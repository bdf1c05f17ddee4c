/*
 * qanalysis.c - the pieces the query analyses share (qanalysis.h).
 *
 * Term kinds come from the term texts (quarry_term_kind) once per analysis:
 * the index keeps no kind per term, and one pass over the dictionary is
 * cheaper than deciding token by token. Counted tokens per document come
 * from the other side: every token minus the occurrences of punctuation
 * and symbol terms, read from their postings (a few hundred short lists)
 * instead of decoding every token of the corpus.
 */
#include "qanalysis.h"

#include "index_internal.h"

#include <string.h>

int qi_index_fail(quarry_env *env, quarry_index *ix, int rc)
{
    qi_set_error(env->errmsg, "%s", quarry_index_errmsg(ix));
    return rc;
}

int qi_counted_init(quarry_env *env, quarry_index *ix, qi_counted *c)
{
    uint64_t n = quarry_index_term_count(ix), id;
    memset(c, 0, sizeof *c);
    c->is_counted = qi_calloc(env, n ? (size_t)n : 1, 1);
    if (!c->is_counted) {
        qi_set_error(env->errmsg, "out of memory for the term kinds");
        return QUARRY_ENOMEM;
    }
    c->terms = n;
    for (id = 0; id < n; id++) {
        size_t len;
        const char *text =
            quarry_index_term_text(ix, (uint32_t)id, &len, NULL, NULL);
        int kind;
        if (!text) {
            qi_counted_free(env, c);
            return qi_index_fail(env, ix, QUARRY_ENOMEM);
        }
        kind = quarry_term_kind(text, len);
        c->is_counted[id] = kind == QUARRY_TOKEN_WORD ||
                            kind == QUARRY_TOKEN_NUMBER ||
                            kind == QUARRY_TOKEN_CJK;
    }
    return QUARRY_OK;
}

void qi_counted_free(quarry_env *env, qi_counted *c)
{
    qi_free(env, c->is_counted, c->terms ? (size_t)c->terms : 1);
    memset(c, 0, sizeof *c);
}

int qi_docids_load(quarry_env *env, quarry_index *ix, uint64_t id, qi_docids *d)
{
    quarry_index_doc meta;
    size_t got;
    int rc = quarry_index_doc_get(ix, id, &meta);
    if (rc != QUARRY_OK)
        return qi_index_fail(env, ix, rc);
    if (!qi_array_reserve(env, (void **)&d->ids, &d->cap,
                          (size_t)meta.tokens + 1, sizeof *d->ids)) {
        qi_set_error(env->errmsg, "out of memory for a document's tokens");
        return QUARRY_ENOMEM;
    }
    rc = quarry_index_doc_tokens(ix, id, 0, (size_t)meta.tokens, d->ids, NULL,
                                 NULL, &got);
    if (rc != QUARRY_OK)
        return qi_index_fail(env, ix, rc);
    d->n = got;
    return QUARRY_OK;
}

void qi_docids_free(quarry_env *env, qi_docids *d)
{
    qi_free(env, d->ids, d->cap * sizeof *d->ids);
    memset(d, 0, sizeof *d);
}

int qi_hitreader_open(quarry_env *env, quarry_index *ix, const quarry_query *q,
                      qi_hitreader *r, size_t *error_pos)
{
    memset(r, 0, sizeof *r);
    return quarry_search_new(env, ix, q, NULL, &r->s, error_pos);
}

static int search_fail(quarry_env *env, qi_hitreader *r, int rc)
{
    qi_set_error(env->errmsg, "%s", quarry_search_errmsg(r->s));
    return rc;
}

int qi_hitreader_next_doc(quarry_env *env, qi_hitreader *r)
{
    int have = 0;
    r->nhits = 0;
    for (;;) {
        if (r->next == r->got) {
            int rc;
            if (r->done)
                return have ? QUARRY_OK : QUARRY_DONE;
            rc = quarry_search_next(r->s, QI_HIT_BATCH, r->docs, r->firsts,
                                    r->ends, NULL, &r->got);
            r->next = 0;
            if (rc == QUARRY_DONE) {
                r->done = 1;
                r->got = 0;
                continue;
            }
            if (rc != QUARRY_OK)
                return search_fail(env, r, rc);
        }
        if (have && r->docs[r->next] != r->doc)
            return QUARRY_OK;
        if (!have) {
            r->doc = r->docs[r->next];
            have = 1;
        }
        if (!qi_array_reserve(env, (void **)&r->hits, &r->cap, r->nhits + 1,
                              sizeof *r->hits)) {
            qi_set_error(env->errmsg, "out of memory for hits");
            return QUARRY_ENOMEM;
        }
        r->hits[r->nhits].first = r->firsts[r->next];
        r->hits[r->nhits].end = r->ends[r->next];
        r->nhits++;
        r->next++;
    }
}

void qi_hitreader_close(quarry_env *env, qi_hitreader *r)
{
    quarry_search_free(r->s);
    qi_free(env, r->hits, r->cap * sizeof *r->hits);
    r->s = NULL;
    r->hits = NULL;
    r->cap = r->nhits = 0;
}

int qi_in_subcorpus(quarry_index *ix, const quarry_subcorpus *sc, uint64_t id)
{
    return sc ? quarry_subcorpus_contains(sc, id)
              : quarry_index_doc_live(ix, id);
}

uint64_t qi_subcorpus_next(quarry_index *ix, const quarry_subcorpus *sc,
                           uint64_t from)
{
    uint64_t limit = quarry_index_doc_limit(ix);
    if (sc)
        return quarry_subcorpus_next(sc, from);
    while (from < limit && !quarry_index_doc_live(ix, from))
        from++;
    return from < limit ? from : limit;
}

static size_t per_doc_entries(quarry_index *ix)
{
    uint64_t n = quarry_index_doc_limit(ix);
    return n ? (size_t)n : 1;
}

void qi_counted_per_doc_free(quarry_env *env, quarry_index *ix,
                             uint64_t *counts)
{
    qi_free(env, counts, per_doc_entries(ix) * sizeof *counts);
}

/* Subtracts the punctuation and symbol occurrences of one segment. */
static int segment_uncount(quarry_env *env, qi_ixseg *s, uint64_t *counts)
{
    qi_termiter it;
    int rc = qi_termiter_start(&it, s->seg, 0);
    while (rc == QUARRY_OK && (rc = qi_termiter_next(&it)) == QUARRY_OK) {
        qi_postings pl;
        int kind = quarry_term_kind(it.text, it.len);
        if (kind == QUARRY_TOKEN_WORD || kind == QUARRY_TOKEN_NUMBER ||
            kind == QUARRY_TOKEN_CJK)
            continue;
        rc = qi_postings_start(&pl, s->seg, &it.term);
        while (rc == QUARRY_OK && (rc = qi_postings_next(&pl)) == QUARRY_OK) {
            uint64_t *c;
            if (pl.doc >= s->ms.doc_count) {
                rc = QUARRY_ECORRUPT;
                break;
            }
            c = &counts[s->base + pl.doc];
            *c = *c > pl.freq ? *c - pl.freq : 0;
        }
        if (rc == QUARRY_DONE)
            rc = QUARRY_OK;
    }
    if (rc == QUARRY_DONE)
        return QUARRY_OK;
    qi_set_error(env->errmsg, "%s", qi_segment_errmsg(s->seg));
    return rc;
}

int qi_counted_per_doc(quarry_env *env, quarry_index *ix, uint64_t **out)
{
    uint64_t *counts, id, limit = quarry_index_doc_limit(ix);
    size_t i;
    int rc = QUARRY_OK;
    *out = NULL;
    counts = qi_calloc(env, per_doc_entries(ix), sizeof *counts);
    if (!counts) {
        qi_set_error(env->errmsg, "out of memory for token counts");
        return QUARRY_ENOMEM;
    }
    for (id = 0; id < limit && rc == QUARRY_OK; id++) {
        quarry_index_doc d;
        rc = quarry_index_doc_get(ix, id, &d);
        if (rc == QUARRY_OK)
            counts[id] = d.tokens;
        else
            qi_index_fail(env, ix, rc);
    }
    for (i = 0; i < ix->nsegs && rc == QUARRY_OK; i++)
        rc = segment_uncount(env, &ix->segs[i], counts);
    if (rc != QUARRY_OK) {
        qi_counted_per_doc_free(env, ix, counts);
        return rc;
    }
    *out = counts;
    return QUARRY_OK;
}
