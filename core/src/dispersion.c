/*
 * dispersion.c - how a query's hits spread over a subcorpus: hits and
 * counted tokens per document or per equal slice of the subcorpus's
 * counted-token stream, the measures of quarry_dispersion_compute over
 * them, and every hit's place in the stream for a dispersion plot
 * (quarry.h, "Collocations, dispersion, timelines").
 *
 * The stream is the subcorpus's documents concatenated in id order, with
 * punctuation and symbols left out. A document with hits is decoded to
 * place them among its counted tokens; one without needs only its count of
 * counted tokens, which comes from postings (qi_counted_per_doc).
 */
#include "qanalysis.h"

#include <math.h>
#include <string.h>

struct quarry_dispersion_data {
    quarry_env *env;
    quarry_dispersion measures;
    quarry_dispersion_part *parts;
    size_t nparts, parts_cap;
    uint64_t *hit_pos; /* counted position of each hit in the stream */
    size_t nhits, hits_cap;
    double *positions; /* hit_pos / tokens */
    uint64_t tokens;
};

void quarry_dispersion_data_free(quarry_dispersion_data *d)
{
    if (!d)
        return;
    qi_free(d->env, d->parts, d->parts_cap * sizeof *d->parts);
    qi_free(d->env, d->hit_pos, d->hits_cap * sizeof *d->hit_pos);
    qi_free(d->env, d->positions, (d->nhits ? d->nhits : 1) * sizeof(double));
    qi_free(d->env, d, sizeof *d);
}

static int oom(quarry_env *env)
{
    qi_set_error(env->errmsg, "out of memory for dispersion data");
    return QUARRY_ENOMEM;
}

/* Counts the counted tokens of the loaded document and places the hits
 * (if hits is not NULL) at their counted positions in the stream. */
static int place_document(quarry_dispersion_data *d, const qi_counted *c,
                          const qi_docids *doc, uint64_t id,
                          const qi_hitreader *hits)
{
    quarry_dispersion_part *part;
    uint64_t pos, counted = 0;
    size_t h = 0, nh = hits ? hits->nhits : 0;
    if (!qi_array_reserve(d->env, (void **)&d->parts, &d->parts_cap,
                          d->nparts + 1, sizeof *d->parts) ||
        !qi_array_reserve(d->env, (void **)&d->hit_pos, &d->hits_cap,
                          d->nhits + nh + 1, sizeof *d->hit_pos))
        return oom(d->env);
    for (pos = 0; pos <= doc->n; pos++) {
        /* every hit starting here sits before this token */
        while (h < nh && hits->hits[h].first <= pos) {
            d->hit_pos[d->nhits++] = d->tokens + counted;
            h++;
        }
        if (pos < doc->n) {
            uint32_t t = doc->ids[pos];
            counted += t < c->terms && c->is_counted[t];
        }
    }
    part = &d->parts[d->nparts++];
    part->doc = id;
    part->first = d->tokens;
    part->tokens = counted;
    part->hits = h;
    d->tokens += counted;
    return QUARRY_OK;
}

/* A document without hits needs only its size: no decoding. */
static int add_document_size(quarry_dispersion_data *d, uint64_t id,
                             uint64_t tokens)
{
    quarry_dispersion_part *part;
    if (!qi_array_reserve(d->env, (void **)&d->parts, &d->parts_cap,
                          d->nparts + 1, sizeof *d->parts))
        return oom(d->env);
    part = &d->parts[d->nparts++];
    part->doc = id;
    part->first = d->tokens;
    part->tokens = tokens;
    part->hits = 0;
    d->tokens += tokens;
    return QUARRY_OK;
}

static int scan(quarry_dispersion_data *d, quarry_index *ix,
                const quarry_subcorpus *sc, qi_hitreader *hits)
{
    qi_counted counted;
    qi_docids doc;
    uint64_t id, limit = quarry_index_doc_limit(ix), *per_doc = NULL;
    int rc, more;
    memset(&doc, 0, sizeof doc);
    if ((rc = qi_counted_init(d->env, ix, &counted)) != QUARRY_OK)
        return rc;
    if ((rc = qi_counted_per_doc(d->env, ix, &per_doc)) != QUARRY_OK) {
        qi_counted_free(d->env, &counted);
        return rc;
    }
    rc = qi_hitreader_next_doc(d->env, hits);
    more = rc == QUARRY_OK;
    if (rc == QUARRY_DONE)
        rc = QUARRY_OK;
    for (id = qi_subcorpus_next(ix, sc, 0); rc == QUARRY_OK && id < limit;
         id = qi_subcorpus_next(ix, sc, id + 1)) {
        while (more && hits->doc < id) {
            rc = qi_hitreader_next_doc(d->env, hits);
            more = rc == QUARRY_OK;
            if (rc == QUARRY_DONE)
                rc = QUARRY_OK;
        }
        if (rc != QUARRY_OK)
            break;
        if (!more || hits->doc != id) {
            rc = add_document_size(d, id, per_doc[id]);
            continue;
        }
        rc = qi_docids_load(d->env, ix, id, &doc);
        if (rc == QUARRY_OK)
            rc = place_document(d, &counted, &doc, id, hits);
    }
    qi_counted_per_doc_free(d->env, ix, per_doc);
    qi_docids_free(d->env, &doc);
    qi_counted_free(d->env, &counted);
    return rc;
}

/* Re-cuts the per-document parts into n slices of the stream. */
static int slice(quarry_dispersion_data *d, size_t n)
{
    quarry_dispersion_part *slices;
    uint64_t base = d->tokens / n, extra = d->tokens % n, k;
    size_t doc_part = 0, h = 0;
    if (n > d->tokens || n == 0) {
        qi_set_error(d->env->errmsg, "%zu parts but only %llu counted tokens",
                     n, (unsigned long long)d->tokens);
        return QUARRY_EINVAL;
    }
    slices = qi_calloc(d->env, n, sizeof *slices);
    if (!slices)
        return oom(d->env);
    for (k = 0; k < n; k++) {
        quarry_dispersion_part *s = &slices[k];
        s->first = k * base + (k < extra ? k : extra);
        s->tokens = base + (k < extra);
        /* the document holding the slice's first token */
        while (doc_part + 1 < d->nparts &&
               d->parts[doc_part].first + d->parts[doc_part].tokens <= s->first)
            doc_part++;
        s->doc = d->parts[doc_part].doc;
        while (h < d->nhits && d->hit_pos[h] < s->first + s->tokens) {
            s->hits++;
            h++;
        }
    }
    /* hits placed after the last counted token belong to the last slice */
    slices[n - 1].hits += d->nhits - h;
    qi_free(d->env, d->parts, d->parts_cap * sizeof *d->parts);
    d->parts = slices;
    d->nparts = d->parts_cap = n;
    return QUARRY_OK;
}

static int finish(quarry_dispersion_data *d)
{
    double *freqs, *sizes;
    size_t i;
    int rc;
    d->positions = qi_alloc(d->env, (d->nhits ? d->nhits : 1) * sizeof(double));
    freqs = qi_alloc(d->env, d->nparts * sizeof *freqs);
    sizes = qi_alloc(d->env, d->nparts * sizeof *sizes);
    if (!d->positions || !freqs || !sizes) {
        qi_free(d->env, freqs, d->nparts * sizeof *freqs);
        qi_free(d->env, sizes, d->nparts * sizeof *sizes);
        return oom(d->env);
    }
    for (i = 0; i < d->nhits && d->tokens > 0; i++) {
        /* a hit after the last counted token (trailing punctuation) */
        double p = (double)d->hit_pos[i] / (double)d->tokens;
        d->positions[i] = p < 1.0 ? p : nextafter(1.0, 0.0);
    }
    for (i = 0; i < d->nparts; i++) {
        freqs[i] = (double)d->parts[i].hits;
        sizes[i] = (double)d->parts[i].tokens;
    }
    rc = quarry_dispersion_compute(freqs, sizes, d->nparts, &d->measures);
    if (rc != QUARRY_OK)
        qi_set_error(d->env->errmsg, "the subcorpus has no counted tokens");
    qi_free(d->env, freqs, d->nparts * sizeof *freqs);
    qi_free(d->env, sizes, d->nparts * sizeof *sizes);
    return rc;
}

int quarry_dispersion_data_new(quarry_env *env, quarry_index *ix,
                               const quarry_query *q,
                               const quarry_subcorpus *sc, size_t slices,
                               quarry_dispersion_data **out, size_t *error_pos)
{
    quarry_dispersion_data *d;
    qi_hitreader *hits;
    int rc;
    *out = NULL;
    if (!env)
        return QUARRY_EINVAL;
    if (!ix || !q) {
        qi_set_error(env->errmsg, "dispersion needs an index and a query");
        return QUARRY_EINVAL;
    }
    d = qi_calloc(env, 1, sizeof *d);
    hits = qi_calloc(env, 1, sizeof *hits);
    if (!d || !hits) {
        qi_free(env, d, sizeof *d);
        qi_free(env, hits, sizeof *hits);
        return oom(env);
    }
    d->env = env;
    rc = qi_hitreader_open(env, ix, q, hits, error_pos);
    if (rc == QUARRY_OK)
        rc = scan(d, ix, sc, hits);
    qi_hitreader_close(env, hits);
    qi_free(env, hits, sizeof *hits);
    if (rc == QUARRY_OK && d->nparts == 0) {
        qi_set_error(env->errmsg, "the subcorpus has no documents");
        rc = QUARRY_EINVAL;
    }
    if (rc == QUARRY_OK && slices > 0)
        rc = slice(d, slices);
    if (rc == QUARRY_OK)
        rc = finish(d);
    if (rc != QUARRY_OK) {
        quarry_dispersion_data_free(d);
        return rc;
    }
    *out = d;
    return QUARRY_OK;
}

const quarry_dispersion *
quarry_dispersion_data_measures(const quarry_dispersion_data *d)
{
    return d ? &d->measures : NULL;
}

size_t quarry_dispersion_data_part_count(const quarry_dispersion_data *d)
{
    return d ? d->nparts : 0;
}

const quarry_dispersion_part *
quarry_dispersion_data_parts(const quarry_dispersion_data *d)
{
    return d ? d->parts : NULL;
}

size_t quarry_dispersion_data_hit_count(const quarry_dispersion_data *d)
{
    return d ? d->nhits : 0;
}

const double *quarry_dispersion_data_positions(const quarry_dispersion_data *d)
{
    return d ? d->positions : NULL;
}

uint64_t quarry_dispersion_data_tokens(const quarry_dispersion_data *d)
{
    return d ? d->tokens : 0;
}
