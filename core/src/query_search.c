/*
 * query_search.c - the public search API (quarry.h, "Search"): binds a
 * query to every segment of a snapshot, then walks the segments in order,
 * asking the bound tree for candidate documents, dropping deleted and
 * filtered-out ones, and computing each survivor's hits (query_exec.h).
 */
#include "pcre_env.h"
#include "query_exec.h"

#include <string.h>

#define SEARCH_MATCH_LIMIT QUARRY_RE_MATCH_LIMIT
#define SEARCH_DEPTH_LIMIT QUARRY_RE_DEPTH_LIMIT

static void search_release(quarry_search *s)
{
    quarry_env *env = s->env;
    size_t i;
    for (i = 0; i < s->ntrees; i++)
        qx_node_free(s, s->trees[i]);
    if (s->trees)
        qi_free(env, s->trees, s->ntrees * sizeof *s->trees);
    for (i = 0; i < s->nfilters; i++)
        quarry_filter_free(s->filters[i]);
    if (s->filters)
        qi_free(env, s->filters, s->nfilters * sizeof *s->filters);
    if (s->allowed)
        qi_free(env, s->allowed, s->allowed_words * sizeof *s->allowed);
    qx_hits_free(env, &s->out);
    if (s->dhits)
        qi_free(env, s->dhits, s->dhits_cap * sizeof *s->dhits);
    if (s->cursors)
        qi_free(env, s->cursors, s->cursors_cap * sizeof *s->cursors);
    if (s->at_idx)
        qi_free(env, s->at_idx, s->at_cap * sizeof *s->at_idx);
    if (s->plain_pos)
        qi_free(env, s->plain_pos, s->plain_cap * sizeof *s->plain_pos);
    if (s->plain_bits)
        qi_free(env, s->plain_bits, s->plain_bits_cap * sizeof *s->plain_bits);
    qi_buf_free(env, &s->text);
    if (s->ids)
        qi_free(env, s->ids, s->ids_cap * sizeof *s->ids);
    if (s->starts)
        qi_free(env, s->starts, s->starts_cap * sizeof *s->starts);
    if (s->ends)
        qi_free(env, s->ends, s->ends_cap * sizeof *s->ends);
    if (s->units)
        qi_free(env, s->units, s->units_cap * sizeof *s->units);
    if (s->pos)
        qi_free(env, s->pos, s->pos_cap * sizeof *s->pos);
    if (s->set_a)
        qi_free(env, s->set_a, s->set_a_cap * sizeof *s->set_a);
    if (s->set_b)
        qi_free(env, s->set_b, s->set_b_cap * sizeof *s->set_b);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_general_context_free(s->gctx);
    quarry_tokens_free(s->toks);
    quarry_tokenizer_free(s->tok);
}

void quarry_search_free(quarry_search *s)
{
    quarry_index *ix;
    if (!s)
        return;
    ix = s->ix;
    search_release(s);
    qi_free(s->env, s, sizeof *s);
    quarry_index_free(ix);
}

const char *quarry_search_errmsg(const quarry_search *s)
{
    return s ? s->errmsg : "";
}

/* A copy of f (filters have no clone: recompiled from their text). */
static int add_filter(quarry_search *s, const quarry_filter *f)
{
    const char *text = quarry_filter_text(f);
    quarry_filter *copy = NULL;
    quarry_filter **v;
    int rc = quarry_filter_compile(s->env, text, strlen(text), &copy, NULL);
    if (rc != QUARRY_OK) {
        qi_set_error(s->errmsg, "search: filter: %s",
                     quarry_env_errmsg(s->env));
        return rc;
    }
    v = qi_realloc(s->env, s->filters, s->nfilters * sizeof *v,
                   (s->nfilters + 1) * sizeof *v);
    if (!v) {
        quarry_filter_free(copy);
        qi_set_error(s->errmsg, "search: out of memory");
        return QUARRY_ENOMEM;
    }
    v[s->nfilters++] = copy;
    s->filters = v;
    return QUARRY_OK;
}

/* The structural checks the executor relies on: something positional must
 * be asked for. */
static int check_root(quarry_search *s, const qi_qnode *root, size_t *error_pos)
{
    size_t i, positive = 0;
    int rc;
    if (root->kind == QN_AND) {
        for (i = 0; i < root->nkids; i++) {
            const qi_qnode *k = root->kids[i];
            if (k->kind == QN_FILTER) {
                rc = add_filter(s, k->filter);
                if (rc != QUARRY_OK)
                    return rc;
            } else if (k->kind != QN_NOT) {
                positive++;
            }
        }
    } else if (root->kind != QN_FILTER && root->kind != QN_NOT) {
        positive = 1;
    }
    if (positive == 0) {
        if (error_pos)
            *error_pos = root->pos;
        qi_set_error(s->errmsg, "search: the query can match only by absence "
                                "or by fields; it needs a word");
        return QUARRY_EINVAL;
    }
    return QUARRY_OK;
}

static int search_init(quarry_search *s, const quarry_query *q,
                       const quarry_search_options *opts, size_t *error_pos)
{
    quarry_index *ix = s->ix;
    size_t i;
    int rc;
    s->scope = q->scope;
    s->max_expansion = opts && opts->max_expansion
                           ? opts->max_expansion
                           : QUARRY_DEFAULT_MAX_EXPANSION;
    rc = quarry_tokenizer_new(s->env, quarry_index_tokenizer_options(ix),
                              &s->tok);
    if (rc != QUARRY_OK) {
        qi_set_error(s->errmsg, "search: %s", quarry_env_errmsg(s->env));
        return rc;
    }
    rc = quarry_tokens_new(s->env, &s->toks);
    if (rc != QUARRY_OK)
        goto nomem;
    s->gctx = qi_pcre2_context(s->env);
    if (!s->gctx)
        goto nomem;
    s->mctx = pcre2_match_context_create(s->gctx);
    s->md = pcre2_match_data_create(1, s->gctx);
    if (!s->mctx || !s->md)
        goto nomem;
    pcre2_set_match_limit(s->mctx, SEARCH_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, SEARCH_DEPTH_LIMIT);
    rc = check_root(s, q->root, error_pos);
    if (rc != QUARRY_OK)
        return rc;
    if (opts && opts->filter) {
        rc = add_filter(s, opts->filter);
        if (rc != QUARRY_OK)
            return rc;
    }
    if (ix->nsegs == 0) {
        /* nothing to search, but the words must still be valid */
        qx_node *t = NULL;
        rc = qx_bind(s, NULL, q->root, &t, error_pos);
        qx_node_free(s, t);
        return rc;
    }
    s->trees = qi_calloc(s->env, ix->nsegs, sizeof *s->trees);
    if (!s->trees)
        goto nomem;
    s->ntrees = ix->nsegs;
    for (i = 0; i < ix->nsegs; i++) {
        rc = qx_bind(s, ix->segs[i].seg, q->root, &s->trees[i], error_pos);
        if (rc == QUARRY_OK)
            rc = qx_plan(s, s->trees[i]);
        if (rc != QUARRY_OK)
            return rc;
    }
    return QUARRY_OK;
nomem:
    qi_set_error(s->errmsg, "search: out of memory");
    return QUARRY_ENOMEM;
}

int quarry_search_new(quarry_env *env, quarry_index *ix, const quarry_query *q,
                      const quarry_search_options *opts, quarry_search **out,
                      size_t *error_pos)
{
    quarry_search *s;
    int rc;
    if (!out)
        return QUARRY_EINVAL;
    *out = NULL;
    if (!env || !ix || !q || !q->root) {
        if (env)
            qi_set_error(env->errmsg, "search: no index or no query");
        return QUARRY_EINVAL;
    }
    s = qi_calloc(env, 1, sizeof *s);
    if (!s) {
        qi_set_error(env->errmsg, "search: out of memory");
        return QUARRY_ENOMEM;
    }
    s->env = env;
    s->ix = quarry_index_retain(ix);
    rc = search_init(s, q, opts, error_pos);
    if (rc != QUARRY_OK) {
        qi_set_error(env->errmsg, "%s", s->errmsg);
        quarry_search_free(s);
        return rc;
    }
    *out = s;
    return QUARRY_OK;
}

/* ---- iteration ---------------------------------------------------------- */

/* Evaluates the filters on every document of the current segment. */
static int build_allowed(quarry_search *s, qi_segment *seg, uint64_t ndocs)
{
    quarry_field *fields = NULL;
    size_t fcap = 0, i;
    uint64_t d;
    int rc = QUARRY_OK;
    s->allowed_words = (size_t)((ndocs + 63) / 64) + 1;
    s->allowed = qi_calloc(s->env, s->allowed_words, sizeof *s->allowed);
    if (!s->allowed) {
        s->allowed_words = 0;
        qi_set_error(s->errmsg, "search: out of memory");
        return QUARRY_ENOMEM;
    }
    for (d = 0; d < ndocs && rc == QUARRY_OK; d++) {
        qi_docmeta m;
        bool pass = true;
        rc = qi_segment_doc_meta(seg, d, &m);
        if (rc != QUARRY_OK)
            break;
        if (!qi_array_reserve(s->env, (void **)&fields, &fcap,
                              m.field_count + 1, sizeof *fields)) {
            rc = QUARRY_ENOMEM;
            break;
        }
        for (i = 0; i < m.field_count && rc == QUARRY_OK; i++)
            rc = qi_segment_doc_field(seg, d, i, &fields[i]);
        for (i = 0; rc == QUARRY_OK && i < s->nfilters && pass; i++)
            pass = quarry_filter_match(s->filters[i], fields, m.field_count);
        if (rc == QUARRY_OK && pass)
            s->allowed[d / 64] |= 1ull << (d % 64);
    }
    if (fields)
        qi_free(s->env, fields, fcap * sizeof *fields);
    if (rc == QUARRY_ENOMEM)
        qi_set_error(s->errmsg, "search: out of memory");
    else if (rc != QUARRY_OK)
        qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
    return rc;
}

/* Moves to the next document with hits. With count_only and a countable
 * tree, *count gets its hits and s->out stays empty; otherwise s->out holds
 * them. */
static int find_doc(quarry_search *s, int count_only, uint64_t *count)
{
    while (s->seg < s->ntrees) {
        qi_ixseg *xs = &s->ix->segs[s->seg];
        qx_node *tree = s->trees[s->seg];
        uint64_t d;
        int rc;
        if (!s->seg_ready) {
            s->next_local = 0;
            s->text_doc = s->tok_doc = s->span_doc = 0;
            if (s->nfilters > 0) {
                rc = build_allowed(s, xs->seg, xs->ms.doc_count);
                if (rc != QUARRY_OK)
                    return rc;
            }
            s->seg_ready = 1;
        }
        rc = qx_next_candidate(s, tree, s->next_local, &d);
        if (rc == QUARRY_DONE) {
            if (s->allowed)
                qi_free(s->env, s->allowed,
                        s->allowed_words * sizeof *s->allowed);
            s->allowed = NULL;
            s->allowed_words = 0;
            s->seg++;
            s->seg_ready = 0;
            continue;
        }
        if (rc != QUARRY_OK)
            return rc;
        s->next_local = d + 1;
        if (qi_del_test(xs->del, d) ||
            (s->allowed && !((s->allowed[d / 64] >> (d % 64)) & 1)))
            continue;
        s->out.n = 0;
        s->out_next = 0;
        if (count_only && qx_countable(s, tree)) {
            uint64_t n = 0;
            rc = qx_count_of(s, xs->seg, tree, d, &n);
            if (rc != QUARRY_OK)
                return rc;
            if (n == 0)
                continue;
            *count = n;
            s->out_doc = xs->base + d;
            return QUARRY_OK;
        }
        rc = qx_hits_of(s, xs->seg, tree, d);
        if (rc != QUARRY_OK)
            return rc;
        if (tree->hits.n == 0)
            continue;
        if (!qx_hits_reserve(s->env, &s->out, tree->hits.n)) {
            qi_set_error(s->errmsg, "search: out of memory");
            return QUARRY_ENOMEM;
        }
        memcpy(s->out.v, tree->hits.v, tree->hits.n * sizeof *s->out.v);
        s->out.n = tree->hits.n;
        rc = qx_scope_filter(s, xs->seg, d, &s->out);
        if (rc != QUARRY_OK)
            return rc;
        if (s->out.n == 0)
            continue;
        if (count)
            *count = s->out.n;
        s->out_doc = xs->base + d;
        return QUARRY_OK;
    }
    return QUARRY_DONE;
}

int quarry_search_next(quarry_search *s, size_t max, uint64_t *docs,
                       uint64_t *firsts, uint64_t *ends, uint32_t *tags,
                       size_t *got)
{
    size_t n = 0;
    int rc = QUARRY_OK;
    if (got)
        *got = 0;
    if (!s || !got)
        return QUARRY_EINVAL;
    if (max == 0) {
        /* QUARRY_OK with nothing would loop a caller forever */
        qi_set_error(s->errmsg, "search: max must be at least 1");
        return QUARRY_EINVAL;
    }
    while (n < max) {
        if (s->out_next == s->out.n) {
            if (s->finished)
                break;
            rc = find_doc(s, 0, NULL);
            if (rc == QUARRY_DONE) {
                s->finished = 1;
                rc = QUARRY_OK;
                break;
            }
            if (rc != QUARRY_OK)
                break;
        }
        while (n < max && s->out_next < s->out.n) {
            const qx_hit *h = &s->out.v[s->out_next++];
            if (docs)
                docs[n] = s->out_doc;
            if (firsts)
                firsts[n] = h->first;
            if (ends)
                ends[n] = h->end;
            if (tags)
                tags[n] = h->tag;
            n++;
        }
    }
    *got = n;
    if (rc != QUARRY_OK)
        return rc;
    return n > 0 ? QUARRY_OK : QUARRY_DONE;
}

int quarry_search_next_doc(quarry_search *s, uint64_t *doc, uint64_t *hits)
{
    uint64_t count = 0;
    int rc;
    if (!s)
        return QUARRY_EINVAL;
    if (s->finished)
        return QUARRY_DONE;
    /* the rest of the current document's hits are skipped */
    s->out.n = 0;
    s->out_next = 0;
    rc = find_doc(s, 1, &count);
    if (rc == QUARRY_DONE)
        s->finished = 1;
    if (rc != QUARRY_OK)
        return rc;
    /* the document is consumed: next calls continue after it */
    s->out.n = 0;
    s->out_next = 0;
    if (doc)
        *doc = s->out_doc;
    if (hits)
        *hits = count;
    return QUARRY_OK;
}

int quarry_search_count(quarry_search *s, uint64_t *hits, uint64_t *docs)
{
    uint64_t nh = 0, nd = 0, h;
    int rc;
    if (!s)
        return QUARRY_EINVAL;
    /* hits of the current document not returned yet count too */
    if (s->out_next < s->out.n) {
        nh += s->out.n - s->out_next;
        nd++;
        s->out_next = s->out.n;
    }
    while ((rc = quarry_search_next_doc(s, NULL, &h)) == QUARRY_OK) {
        nh += h;
        nd++;
    }
    if (rc != QUARRY_DONE)
        return rc;
    if (hits)
        *hits = nh;
    if (docs)
        *docs = nd;
    return QUARRY_OK;
}
