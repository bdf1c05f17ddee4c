/*
 * query_match.c - the hits of a bound query tree inside one candidate
 * document, computed bottom-up (query_exec.h; semantics in docs/query.md).
 * Terms read their positions from postings; phrases merge the positions of
 * their words; booleans and NEAR combine their operands' hits, unit by unit
 * (sentence or paragraph) when the query has a scope; token sequences decode
 * the document's token ids once and test each position.
 */
#include "query_exec.h"

#include <stdlib.h>
#include <string.h>

bool qx_hits_reserve(quarry_env *env, qx_hits *h, size_t need)
{
    return need <= h->cap ||
           qi_array_reserve(env, (void **)&h->v, &h->cap, need, sizeof *h->v);
}

void qx_hits_free(quarry_env *env, qx_hits *h)
{
    if (h->v)
        qi_free(env, h->v, h->cap * sizeof *h->v);
    memset(h, 0, sizeof *h);
}

static int nomem(quarry_search *s)
{
    qi_set_error(s->errmsg, "search: out of memory");
    return QUARRY_ENOMEM;
}

static int seg_error(quarry_search *s, qi_segment *seg, int rc)
{
    if (rc == QUARRY_ENOMEM)
        return nomem(s);
    qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
    return rc;
}

static int push(quarry_search *s, qx_hits *h, uint64_t first, uint64_t end,
                uint32_t tag)
{
    if (!qx_hits_reserve(s->env, h, h->n + 1))
        return nomem(s);
    h->v[h->n].first = first;
    h->v[h->n].end = end;
    h->v[h->n].tag = tag;
    h->n++;
    return QUARRY_OK;
}

static int hit_cmp(const void *a, const void *b)
{
    const qx_hit *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->tag < y->tag ? -1 : x->tag > y->tag;
}

/* Sorts by (first, end) and drops repeated spans (the lowest tag stays). */
static void sort_unique(qx_hits *h)
{
    size_t i, o = 0;
    if (h->n < 2)
        return;
    qsort(h->v, h->n, sizeof *h->v, hit_cmp);
    for (i = 0; i < h->n; i++)
        if (o == 0 || h->v[i].first != h->v[o - 1].first ||
            h->v[i].end != h->v[o - 1].end)
            h->v[o++] = h->v[i];
    h->n = o;
}

static bool u64_reserve(quarry_env *env, uint64_t **a, size_t *cap, size_t need)
{
    return need <= *cap ||
           qi_array_reserve(env, (void **)a, cap, need, sizeof **a);
}

/* ---- per-document data -------------------------------------------------- */

static int load_text(quarry_search *s, qi_segment *seg, uint64_t doc)
{
    int rc;
    if (s->text_doc == doc + 1)
        return QUARRY_OK;
    rc = qi_segment_doc_text(seg, doc, &s->text);
    if (rc != QUARRY_OK)
        return seg_error(s, seg, rc);
    s->text_doc = doc + 1;
    return QUARRY_OK;
}

/* Decodes tokens [first, first + count) of doc (clamped) into ids, starts
 * and ends; tok_base = first. count SIZE_MAX: to the end. */
static int load_window(quarry_search *s, qi_segment *seg, uint64_t doc,
                       uint64_t first, size_t count)
{
    qi_docmeta m;
    size_t n, got = 0;
    int rc;
    if (s->tok_doc == doc + 1 && first == 0 && count == SIZE_MAX)
        return QUARRY_OK;
    rc = qi_segment_doc_meta(seg, doc, &m);
    if (rc != QUARRY_OK)
        return seg_error(s, seg, rc);
    if (m.tokens > SIZE_MAX / sizeof(uint64_t)) {
        qi_set_error(s->errmsg, "search: document too long");
        return QUARRY_ELIMIT;
    }
    n = first >= m.tokens ? 0 : (size_t)(m.tokens - first);
    if (count < n)
        n = count;
    if (!qi_array_reserve(s->env, (void **)&s->ids, &s->ids_cap, n + 1,
                          sizeof *s->ids) ||
        !u64_reserve(s->env, &s->starts, &s->starts_cap, n + 1) ||
        !u64_reserve(s->env, &s->ends, &s->ends_cap, n + 1))
        return nomem(s);
    s->tok_doc = 0;
    if (n > 0) {
        rc = qi_segment_doc_tokens(seg, doc, first, n, s->ids, s->starts,
                                   s->ends, &got);
        if (rc != QUARRY_OK)
            return seg_error(s, seg, rc);
    }
    s->tok_n = got;
    s->tok_base = first;
    if (first == 0 && count == SIZE_MAX)
        s->tok_doc = doc + 1;
    return QUARRY_OK;
}

static int load_tokens(quarry_search *s, qi_segment *seg, uint64_t doc)
{
    return load_window(s, seg, doc, 0, SIZE_MAX);
}

static int load_units(quarry_search *s, qi_segment *seg, uint64_t doc)
{
    qi_docmeta m;
    uint64_t count;
    size_t got = 0;
    int rc;
    if (s->span_doc == doc + 1)
        return QUARRY_OK;
    rc = qi_segment_doc_meta(seg, doc, &m);
    if (rc != QUARRY_OK)
        return seg_error(s, seg, rc);
    count = s->scope == QI_SCOPE_SENTENCE ? m.sentences : m.paragraphs;
    if (count > SIZE_MAX / sizeof *s->units) {
        qi_set_error(s->errmsg, "search: too many units");
        return QUARRY_ELIMIT;
    }
    if (!qi_array_reserve(s->env, (void **)&s->units, &s->units_cap,
                          (size_t)count ? (size_t)count : 1, sizeof *s->units))
        return nomem(s);
    s->span_doc = 0;
    if (count > 0) {
        rc = qi_segment_doc_spans(seg, doc,
                                  s->scope == QI_SCOPE_SENTENCE ? 0 : 1, 0,
                                  (size_t)count, s->units, &got);
        if (rc != QUARRY_OK)
            return seg_error(s, seg, rc);
    }
    s->nunits = got;
    s->span_doc = doc + 1;
    return QUARRY_OK;
}

/* ---- terms and phrases -------------------------------------------------- */

/* Keeps the hits whose surface bytes equal n->surface. */
static int check_case(quarry_search *s, qi_segment *seg, qx_node *n,
                      uint64_t doc)
{
    size_t i, o = 0;
    int rc = load_text(s, seg, doc);
    if (rc != QUARRY_OK)
        return rc;
    for (i = 0; i < n->hits.n; i++) {
        uint64_t st, en;
        size_t got = 0;
        rc = qi_segment_doc_tokens(seg, doc, n->hits.v[i].first, 1, NULL, &st,
                                   &en, &got);
        if (rc != QUARRY_OK)
            return seg_error(s, seg, rc);
        if (got == 1 && en <= s->text.len && en - st == n->surface_len &&
            memcmp(s->text.data + st, n->surface, n->surface_len) == 0)
            n->hits.v[o++] = n->hits.v[i];
    }
    n->hits.n = o;
    return QUARRY_OK;
}

static int terms_hits(quarry_search *s, qi_segment *seg, qx_node *n,
                      uint64_t doc)
{
    size_t i, j, lists = 0;
    int rc = qx_terms_at(s, n, doc, &lists);
    if (rc != QUARRY_OK)
        return rc;
    for (i = 0; i < lists; i++) {
        qi_postings *pl = &n->pl[s->at_idx[i]];
        if (pl->freq > SIZE_MAX / sizeof(uint64_t) ||
            !u64_reserve(s->env, &s->pos, &s->pos_cap, (size_t)pl->freq))
            return nomem(s);
        rc = qi_postings_positions(pl, s->pos);
        if (rc != QUARRY_OK)
            return seg_error(s, seg, rc);
        if (!qx_hits_reserve(s->env, &n->hits, n->hits.n + (size_t)pl->freq))
            return nomem(s);
        for (j = 0; j < pl->freq; j++) {
            qx_hit *h = &n->hits.v[n->hits.n++];
            h->first = s->pos[j];
            h->end = s->pos[j] + 1;
            h->tag = 0;
        }
    }
    if (lists > 1)
        sort_unique(&n->hits);
    if (n->surface)
        return check_case(s, seg, n, doc);
    return QUARRY_OK;
}

static bool cursors_reserve(quarry_search *s, size_t need)
{
    return need <= s->cursors_cap ||
           qi_array_reserve(s->env, (void **)&s->cursors, &s->cursors_cap, need,
                            sizeof *s->cursors);
}

static int phrase_hits(quarry_search *s, qx_node *n)
{
    size_t k = n->nkids, i, a;
    size_t *at;
    qx_hits *h0 = &n->kids[0]->hits;
    if (!cursors_reserve(s, k))
        return nomem(s);
    at = s->cursors;
    memset(at, 0, k * sizeof *at);
    for (a = 0; a < h0->n; a++) {
        uint64_t p = h0->v[a].first;
        bool ok = true;
        for (i = 1; i < k && ok; i++) {
            qx_hits *hi = &n->kids[i]->hits;
            while (at[i] < hi->n && hi->v[at[i]].first < p + i)
                at[i]++;
            ok = at[i] < hi->n && hi->v[at[i]].first == p + i;
        }
        if (ok && push(s, &n->hits, p, p + k, 0) != QUARRY_OK)
            return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

/* ---- plain phrases and NEAR: straight from positions -------------------- */

/* A phrase or NEAR over plain term sets is computed from the positions of
 * its kids, decoded into one array (s->plain_pos), without making the
 * kids' hits: this is the inner loop of the commonest slow queries. */

static bool use_plain(const quarry_search *s, const qx_node *n)
{
    return n->plain && (n->kind == QX_PHRASE || s->scope == QI_SCOPE_DOC);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Occurrences of term set k in doc (its current candidate). */
static int kid_freq(quarry_search *s, qx_node *k, uint64_t doc, uint64_t *freq)
{
    size_t lists = 0, j;
    uint64_t f = 0;
    int rc;
    if (k->nterms == 1 && k->pl_state[0] == 1 && k->pl[0].doc == doc) {
        *freq = k->pl[0].freq; /* one word: no cursor search */
        return QUARRY_OK;
    }
    rc = qx_terms_at(s, k, doc, &lists);
    if (rc != QUARRY_OK)
        return rc;
    for (j = 0; j < lists; j++)
        f += k->pl[s->at_idx[j]].freq;
    *freq = f;
    return QUARRY_OK;
}

/* Room for total positions in s->plain_pos. */
static int plain_reserve(quarry_search *s, uint64_t total)
{
    if (total >= SIZE_MAX / sizeof(uint64_t) ||
        !u64_reserve(s->env, &s->plain_pos, &s->plain_cap, (size_t)total + 1))
        return nomem(s);
    return QUARRY_OK;
}

/* The positions of term set k in doc, ascending, into out (room for its
 * kid_freq); a position belongs to one term, so lists never overlap. */
static int kid_positions(quarry_search *s, qi_segment *seg, qx_node *k,
                         uint64_t doc, uint64_t *out)
{
    size_t lists = 0, j;
    uint64_t n = 0;
    int rc;
    if (k->nterms == 1 && k->pl_state[0] == 1 && k->pl[0].doc == doc) {
        rc = qi_postings_positions(&k->pl[0], out);
        return rc == QUARRY_OK ? rc : seg_error(s, seg, rc);
    }
    rc = qx_terms_at(s, k, doc, &lists);
    if (rc != QUARRY_OK)
        return rc;
    for (j = 0; j < lists; j++) {
        qi_postings *pl = &k->pl[s->at_idx[j]];
        rc = qi_postings_positions(pl, out + n);
        if (rc != QUARRY_OK)
            return seg_error(s, seg, rc);
        n += pl->freq;
    }
    if (lists > 1)
        qsort(out, (size_t)n, sizeof *out, u64_cmp);
    return QUARRY_OK;
}

/* Keeps the starts c[i] with c[i] + shift in p (both ascending). */
static size_t keep_shifted(uint64_t *c, size_t nc, const uint64_t *p, size_t np,
                           uint64_t shift)
{
    size_t i = 0, j = 0, o = 0;
    if (np / 8 > nc) {
        /* few starts against many positions: gallop to each */
        for (i = 0; i < nc && j < np; i++) {
            uint64_t want = c[i] + shift;
            size_t step = 1, lo = j, hi;
            while (lo + step < np && p[lo + step] < want)
                step *= 2;
            hi = lo + step < np ? lo + step : np;
            while (lo < hi) {
                size_t m = lo + (hi - lo) / 2;
                if (p[m] < want)
                    lo = m + 1;
                else
                    hi = m;
            }
            j = lo;
            if (j < np && p[j] == want)
                c[o++] = c[i];
        }
        return o;
    }
    /* comparable sizes: a merge without unpredictable branches */
    while (i < nc && j < np) {
        uint64_t a = c[i] + shift, b = p[j];
        c[o] = c[i];
        o += a == b;
        i += a <= b;
        j += b <= a;
    }
    return o;
}

/* keep_shifted for starts dense in their range: the starts become a bitmap
 * and each position tests one bit, so the loop has no branch that depends
 * on the data. */
static int keep_shifted_dense(quarry_search *s, uint64_t *c, size_t nc,
                              const uint64_t *p, size_t np, uint64_t shift,
                              size_t *kept)
{
    uint64_t base = c[0] & ~(uint64_t)63, span = c[nc - 1] - base;
    size_t words = (size_t)(span / 64) + 1, i, j = 0, o = 0;
    uint64_t *bits;
    if (!u64_reserve(s->env, &s->plain_bits, &s->plain_bits_cap, words))
        return nomem(s);
    bits = s->plain_bits;
    memset(bits, 0, words * sizeof *bits);
    for (i = 0; i < nc; i++)
        bits[(c[i] - base) / 64] |= (uint64_t)1 << ((c[i] - base) % 64);
    while (j < np && p[j] < shift + base)
        j++;
    for (; j < np; j++) {
        uint64_t d = p[j] - shift - base;
        if (d > span)
            break;
        c[o] = d + base;
        o += (bits[d / 64] >> (d % 64)) & 1;
    }
    *kept = o;
    return QUARRY_OK;
}

/* The cursor of term set k on doc when it is one word, else NULL. */
static qi_postings *one_list(qx_node *k, uint64_t doc)
{
    return k->nterms == 1 && k->pl_state[0] == 1 && k->pl[0].doc == doc
               ? &k->pl[0]
               : NULL;
}

/* plain_phrase for one word per element in a document short against its
 * positions: the rarest word's positions are decoded straight into a
 * bitmap of starts, the others' straight against it (no arrays in
 * between). *used false: it does not apply. */
static int phrase_bitmap(quarry_search *s, qi_segment *seg, qx_node *n,
                         uint64_t doc, uint64_t *freq, size_t r, size_t *count,
                         bool *used)
{
    size_t k = n->nkids, i, done_kids, nc = 0, words;
    uint64_t most = 0, span;
    qi_docmeta m;
    int rc;
    *used = false;
    for (i = 0; i < k; i++) {
        if (!one_list(n->kids[i], doc))
            return QUARRY_OK;
        if (i != r && freq[i] > most)
            most = freq[i];
    }
    rc = qi_segment_doc_meta(seg, doc, &m);
    if (rc != QUARRY_OK)
        return seg_error(s, seg, rc);
    if (m.tokens == 0 || m.tokens / 64 > freq[r] + most)
        return QUARRY_OK;
    *used = true;
    span = m.tokens - 1;
    words = (size_t)(span / 64) + 1;
    rc = plain_reserve(s, freq[r]);
    if (rc != QUARRY_OK)
        return rc;
    if (!u64_reserve(s->env, &s->plain_bits, &s->plain_bits_cap, words))
        return nomem(s);
    memset(s->plain_bits, 0, words * sizeof *s->plain_bits);
    rc = qi_postings_positions_mark(one_list(n->kids[r], doc), r, s->plain_bits,
                                    span);
    if (rc != QUARRY_OK)
        return seg_error(s, seg, rc);
    freq[r] = UINT64_MAX; /* done */
    for (done_kids = 1; done_kids < k; done_kids++) {
        size_t next = 0;
        for (i = 0; i < k; i++)
            if (freq[i] < freq[next])
                next = i;
        rc = qi_postings_positions_test(one_list(n->kids[next], doc), next,
                                        s->plain_bits, span, s->plain_pos, &nc);
        if (rc != QUARRY_OK)
            return seg_error(s, seg, rc);
        freq[next] = UINT64_MAX;
        if (nc == 0 || done_kids + 1 == k)
            break;
        memset(s->plain_bits, 0, words * sizeof *s->plain_bits);
        for (i = 0; i < nc; i++)
            s->plain_bits[s->plain_pos[i] / 64] |= (uint64_t)1
                                                   << (s->plain_pos[i] % 64);
    }
    *count = nc;
    return QUARRY_OK;
}

/* The starts of a plain phrase in doc: into s->plain_pos, *count of them.
 * The rarest word gives the candidate starts; every other word keeps those
 * it follows at its offset, rarest first, until none is left. */
static int plain_phrase(quarry_search *s, qi_segment *seg, qx_node *n,
                        uint64_t doc, size_t *count)
{
    size_t k = n->nkids, i, r = 0, nc = 0, done_kids = 0;
    uint64_t *freq, total = 0;
    int rc;
    *count = 0;
    if (!u64_reserve(s->env, &s->set_a, &s->set_a_cap, k))
        return nomem(s);
    freq = s->set_a;
    for (i = 0; i < k; i++) {
        rc = kid_freq(s, n->kids[i], doc, &freq[i]);
        if (rc != QUARRY_OK)
            return rc;
        if (freq[i] < freq[r])
            r = i;
        if (freq[i] > total)
            total = freq[i];
    }
    {
        bool used;
        rc = phrase_bitmap(s, seg, n, doc, freq, r, count, &used);
        if (rc != QUARRY_OK || used)
            return rc;
    }
    /* the starts, then the positions of one other word after them */
    rc = plain_reserve(s, freq[r] + total);
    if (rc != QUARRY_OK)
        return rc;
    rc = kid_positions(s, seg, n->kids[r], doc, s->plain_pos);
    if (rc != QUARRY_OK)
        return rc;
    for (i = 0; i < freq[r]; i++)
        if (s->plain_pos[i] >= r)
            s->plain_pos[nc++] = s->plain_pos[i] - r;
    freq[r] = UINT64_MAX; /* done */
    for (done_kids = 1; done_kids < k && nc > 0; done_kids++) {
        size_t next = 0;
        uint64_t *p = s->plain_pos + nc;
        for (i = 0; i < k; i++)
            if (freq[i] < freq[next])
                next = i;
        rc = kid_positions(s, seg, n->kids[next], doc, p);
        if (rc != QUARRY_OK)
            return rc;
        if ((s->plain_pos[nc - 1] - s->plain_pos[0]) / 64 <= nc + freq[next])
            rc = keep_shifted_dense(s, s->plain_pos, nc, p, (size_t)freq[next],
                                    next, &nc);
        else
            nc = keep_shifted(s->plain_pos, nc, p, (size_t)freq[next], next);
        if (rc != QUARRY_OK)
            return rc;
        freq[next] = UINT64_MAX;
    }
    *count = nc;
    return QUARRY_OK;
}

/* The windows a plain NEAR keeps, in order; out NULL: only counted. */
typedef struct near_kept {
    qx_hits *out;
    uint64_t n, last_end;
} near_kept;

/* Keeps window [a, b); a window is dropped when the next one kept has the
 * same end (it contains it). */
static int near_keep(quarry_search *s, near_kept *w, uint64_t a, uint64_t b)
{
    if (w->n > 0 && b == w->last_end)
        w->n--;
    if (w->out) {
        if (!qx_hits_reserve(s->env, w->out, (size_t)w->n + 1))
            return nomem(s);
        w->out->v[w->n].first = a;
        w->out->v[w->n].end = b;
        w->out->v[w->n].tag = 0;
    }
    w->n++;
    w->last_end = b;
    return QUARRY_OK;
}

/* NEAR of two words: a merge of their positions. */
static int near_pair(quarry_search *s, const qx_node *n, const uint64_t *x,
                     size_t nx, const uint64_t *y, size_t ny, near_kept *w)
{
    const uint64_t most = (uint64_t)n->near + 2;
    size_t i = 0, j = 0;
    while (i < nx && j < ny) {
        uint64_t p = x[i], q = y[j];
        uint64_t a = p < q ? p : q, b = (p < q ? q : p) + 1;
        if (b - a <= most) {
            int rc = near_keep(s, w, a, b);
            if (rc != QUARRY_OK)
                return rc;
        }
        i += p == a;
        j += q == a;
    }
    return QUARRY_OK;
}

/* The minimal windows of a plain NEAR in doc (no scope): every hit has
 * length 1, so the window starting at a hit a ends after the first
 * occurrence of each operand at or after a (after a chain of them, in
 * order, for ONEAR), and that end never decreases as a grows. Its words
 * fit when b - a <= near + k (FTS5's (b - a) - k <= near, or any overlap).
 * out NULL: only *count. */
static int plain_near(quarry_search *s, qi_segment *seg, qx_node *n,
                      uint64_t doc, qx_hits *out, uint64_t *count)
{
    size_t k = n->nkids, i, *off, *len, *head, *chain;
    uint64_t total = 0, f;
    const uint64_t *pos;
    near_kept w = {out, 0, UINT64_MAX};
    int rc;
    *count = 0;
    if (k == 2 && !n->ordered && n->flat) {
        /* the common NEAR of two words: its cursors are on doc */
        qi_postings *px = &n->kids[0]->pl[0], *py = &n->kids[1]->pl[0];
        rc = plain_reserve(s, px->freq + py->freq);
        if (rc == QUARRY_OK)
            rc = qi_postings_positions(px, s->plain_pos);
        if (rc == QUARRY_OK)
            rc = qi_postings_positions(py, s->plain_pos + px->freq);
        if (rc == QUARRY_ENOMEM)
            return rc;
        if (rc != QUARRY_OK)
            return seg_error(s, seg, rc);
        rc = near_pair(s, n, s->plain_pos, (size_t)px->freq,
                       s->plain_pos + px->freq, (size_t)py->freq, &w);
        goto finish;
    }
    if (!cursors_reserve(s, 4 * k))
        return nomem(s);
    off = s->cursors;
    len = off + k;
    head = len + k;
    chain = head + k;
    for (i = 0; i < k; i++) {
        rc = kid_freq(s, n->kids[i], doc, &f);
        if (rc != QUARRY_OK)
            return rc;
        if (f > SIZE_MAX - total)
            return nomem(s);
        off[i] = (size_t)total;
        len[i] = (size_t)f;
        head[i] = chain[i] = 0;
        total += f;
    }
    rc = plain_reserve(s, total);
    if (rc != QUARRY_OK)
        return rc;
    for (i = 0; i < k; i++) {
        rc = kid_positions(s, seg, n->kids[i], doc, s->plain_pos + off[i]);
        if (rc != QUARRY_OK)
            return rc;
    }
    pos = s->plain_pos;
    if (k == 2 && !n->ordered) {
        rc = near_pair(s, n, pos + off[0], len[0], pos + off[1], len[1], &w);
        goto finish;
    }
    for (;;) {
        uint64_t a = UINT64_MAX, b = 0;
        bool all = true;
        for (i = 0; i < k; i++) {
            if (head[i] == len[i]) {
                all = false; /* no window starts at or after a any more */
                break;
            }
            if (pos[off[i] + head[i]] < a)
                a = pos[off[i] + head[i]];
        }
        if (!all)
            break;
        if (!n->ordered) {
            for (i = 0; i < k; i++)
                if (pos[off[i] + head[i]] + 1 > b)
                    b = pos[off[i] + head[i]] + 1;
        } else {
            b = a;
            for (i = 0; i < k && all; i++) {
                while (chain[i] < len[i] && pos[off[i] + chain[i]] < b)
                    chain[i]++;
                all = chain[i] < len[i];
                if (all)
                    b = pos[off[i] + chain[i]] + 1;
            }
            if (!all)
                break;
        }
        if (b - a <= (uint64_t)n->near + k) {
            rc = near_keep(s, &w, a, b);
            if (rc != QUARRY_OK)
                return rc;
        }
        for (i = 0; i < k; i++)
            if (pos[off[i] + head[i]] == a)
                head[i]++;
    }
    rc = QUARRY_OK;
finish:
    if (rc != QUARRY_OK)
        return rc;
    if (out)
        out->n = (size_t)w.n;
    *count = w.n;
    return QUARRY_OK;
}

static int plain_hits(quarry_search *s, qi_segment *seg, qx_node *n,
                      uint64_t doc)
{
    size_t nc, i;
    uint64_t count;
    int rc;
    if (n->kind == QX_NEAR)
        return plain_near(s, seg, n, doc, &n->hits, &count);
    rc = plain_phrase(s, seg, n, doc, &nc);
    if (rc != QUARRY_OK)
        return rc;
    if (!qx_hits_reserve(s->env, &n->hits, nc))
        return nomem(s);
    for (i = 0; i < nc; i++) {
        n->hits.v[i].first = s->plain_pos[i];
        n->hits.v[i].end = s->plain_pos[i] + n->nkids;
        n->hits.v[i].tag = 0;
    }
    n->hits.n = nc;
    return QUARRY_OK;
}

bool qx_countable(const quarry_search *s, const qx_node *n)
{
    if (s->scope != QI_SCOPE_DOC)
        return false;
    return (n->kind == QX_TERMS && !n->surface) || use_plain(s, n) ||
           (n->kind == QX_AND && n->sum_count);
}

/* qx_count_of for a sum_count AND: 0 if a NOT word is in doc. */
static int and_count(quarry_search *s, qx_node *n, uint64_t doc,
                     uint64_t *count)
{
    uint64_t sum = 0, f, d;
    size_t i;
    int rc;
    for (i = 0; i < n->nkids; i++) {
        qx_node *k = n->kids[i];
        if (k->kind == QX_FILTER)
            continue;
        if (k->kind == QX_NOT) {
            rc = qx_next_candidate(s, k, doc, &d);
            if (rc == QUARRY_OK && d == doc) {
                *count = 0;
                return QUARRY_OK;
            }
            if (rc != QUARRY_OK && rc != QUARRY_DONE)
                return rc;
            continue;
        }
        rc = kid_freq(s, k, doc, &f);
        if (rc != QUARRY_OK)
            return rc;
        sum += f;
    }
    *count = sum;
    return QUARRY_OK;
}

int qx_count_of(quarry_search *s, qi_segment *seg, qx_node *n, uint64_t doc,
                uint64_t *count)
{
    size_t nc;
    int rc;
    if (n->kind == QX_TERMS)
        return kid_freq(s, n, doc, count);
    if (n->kind == QX_AND)
        return and_count(s, n, doc, count);
    if (n->kind == QX_NEAR)
        return plain_near(s, seg, n, doc, NULL, count);
    rc = plain_phrase(s, seg, n, doc, &nc);
    *count = nc;
    return rc;
}

/* ---- units -------------------------------------------------------------- */

/* [lo, hi) of the hits of h whose first lies in [first, end). */
static void range_of(const qx_hits *h, uint64_t first, uint64_t end, size_t *lo,
                     size_t *hi)
{
    size_t a = 0, b = h->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (h->v[m].first < first)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    b = h->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (h->v[m].first < end)
            a = m + 1;
        else
            b = m;
    }
    *hi = a;
}

/* Does h hold a hit inside [first, end)? */
static bool any_in(const qx_hits *h, uint64_t first, uint64_t end)
{
    size_t lo, hi, i;
    range_of(h, first, end, &lo, &hi);
    for (i = lo; i < hi; i++)
        if (h->v[i].end <= end)
            return true;
    return false;
}

/* The units of the current document: one [0, inf) without a scope. */
static int units_of(quarry_search *s, qi_segment *seg, uint64_t doc,
                    const quarry_span **units, size_t *n)
{
    static const quarry_span whole = {0, UINT64_MAX};
    int rc;
    if (s->scope == QI_SCOPE_DOC) {
        *units = &whole;
        *n = 1;
        return QUARRY_OK;
    }
    rc = load_units(s, seg, doc);
    if (rc != QUARRY_OK)
        return rc;
    *units = s->units;
    *n = s->nunits;
    return QUARRY_OK;
}

int qx_scope_filter(quarry_search *s, qi_segment *seg, uint64_t doc, qx_hits *h)
{
    const quarry_span *u;
    size_t nu, i, o = 0, j = 0;
    int rc;
    if (s->scope == QI_SCOPE_DOC)
        return QUARRY_OK;
    rc = units_of(s, seg, doc, &u, &nu);
    if (rc != QUARRY_OK)
        return rc;
    /* hits sorted by first, units in order: one walk */
    for (i = 0; i < h->n; i++) {
        while (j < nu && u[j].end <= h->v[i].first)
            j++;
        if (j < nu && h->v[i].first >= u[j].first && h->v[i].end <= u[j].end)
            h->v[o++] = h->v[i];
    }
    h->n = o;
    return QUARRY_OK;
}

/* ---- booleans ----------------------------------------------------------- */

static int and_hits(quarry_search *s, qi_segment *seg, qx_node *n, uint64_t doc)
{
    const quarry_span *u;
    size_t nu, ui, i;
    int rc = units_of(s, seg, doc, &u, &nu);
    if (rc != QUARRY_OK)
        return rc;
    for (ui = 0; ui < nu; ui++) {
        bool ok = true;
        for (i = 0; i < n->nkids && ok; i++) {
            qx_node *k = n->kids[i];
            if (k->kind == QX_FILTER)
                continue;
            if (k->kind == QX_NOT)
                /* the operand's hits are this document's only when the
                   NOT had it as a candidate */
                ok = !(k->kids[0]->have_hits && k->kids[0]->hits_doc == doc &&
                       any_in(&k->kids[0]->hits, u[ui].first, u[ui].end));
            else
                ok = any_in(&k->hits, u[ui].first, u[ui].end);
        }
        if (!ok)
            continue;
        for (i = 0; i < n->nkids; i++) {
            qx_node *k = n->kids[i];
            size_t lo, hi, j;
            if (k->kind == QX_FILTER || k->kind == QX_NOT)
                continue;
            range_of(&k->hits, u[ui].first, u[ui].end, &lo, &hi);
            for (j = lo; j < hi; j++)
                if (k->hits.v[j].end <= u[ui].end) {
                    rc = push(s, &n->hits, k->hits.v[j].first, k->hits.v[j].end,
                              k->hits.v[j].tag);
                    if (rc != QUARRY_OK)
                        return rc;
                }
        }
    }
    sort_unique(&n->hits);
    return QUARRY_OK;
}

static int or_hits(quarry_search *s, qx_node *n)
{
    size_t i, j, total = 0;
    for (i = 0; i < n->nkids; i++)
        total += n->kids[i]->hits.n;
    if (!qx_hits_reserve(s->env, &n->hits, total))
        return nomem(s);
    for (i = 0; i < n->nkids; i++)
        for (j = 0; j < n->kids[i]->hits.n; j++)
            n->hits.v[n->hits.n++] = n->kids[i]->hits.v[j];
    sort_unique(&n->hits);
    return QUARRY_OK;
}

/* ---- NEAR --------------------------------------------------------------- */

/* The largest total length of one hit per operand, all inside [a, b) (and
 * for ONEAR in operand order without overlap); 0 if there is none. The
 * hits of operand i starting at or after a begin at at[i]; hi[i] ends its
 * range in the unit. */
static uint64_t near_best(quarry_search *s, qx_node *n, const size_t *at,
                          const size_t *hi, uint64_t a, uint64_t b)
{
    size_t i, j, m;
    uint64_t sum = 0;
    if (!n->ordered) {
        for (i = 0; i < n->nkids; i++) {
            const qx_hits *h = &n->kids[i]->hits;
            uint64_t best = 0;
            for (j = at[i]; j < hi[i] && h->v[j].first < b; j++)
                if (h->v[j].end <= b && h->v[j].end - h->v[j].first > best)
                    best = h->v[j].end - h->v[j].first;
            if (best == 0)
                return 0;
            sum += best;
        }
        return sum;
    }
    /* chain: f(h) = len(h) + the best f of the previous operand's hits that
       end at or before h starts; values in set_b, aligned with the hits of
       the operand from at[i] (previous operand's values in set_a) */
    {
        const qx_hits *prev = NULL;
        size_t plo = 0, phi = 0;
        (void)a;
        for (i = 0; i < n->nkids; i++) {
            const qx_hits *h = &n->kids[i]->hits;
            uint64_t *t;
            bool any = false;
            for (j = at[i]; j < hi[i] && h->v[j].first < b; j++) {
                uint64_t v = 0;
                s->set_b[j - at[i]] = 0;
                if (h->v[j].end > b)
                    continue;
                if (prev) {
                    for (m = plo; m < phi; m++)
                        if (s->set_a[m - plo] > v &&
                            prev->v[m].end <= h->v[j].first)
                            v = s->set_a[m - plo];
                    if (v == 0)
                        continue;
                }
                s->set_b[j - at[i]] = v + (h->v[j].end - h->v[j].first);
                any = true;
            }
            if (!any)
                return 0;
            t = s->set_a;
            s->set_a = s->set_b;
            s->set_b = t;
            {
                size_t c = s->set_a_cap;
                s->set_a_cap = s->set_b_cap;
                s->set_b_cap = c;
            }
            prev = h;
            plo = at[i];
            phi = j;
        }
        for (m = plo; m < phi; m++)
            if (s->set_a[m - plo] > sum)
                sum = s->set_a[m - plo];
        return sum;
    }
}

/* Minimal windows of one unit [ufirst, uend). */
static int near_unit(quarry_search *s, qx_node *n, uint64_t ufirst,
                     uint64_t uend, size_t *lo, size_t *hi, size_t start_n)
{
    size_t k = n->nkids, i, j, most = 0;
    uint64_t maxlen_sum = 0;
    for (i = 0; i < k; i++) {
        const qx_hits *h = &n->kids[i]->hits;
        uint64_t ml = 0;
        size_t cnt;
        range_of(h, ufirst, uend, &lo[i], &hi[i]);
        for (j = lo[i]; j < hi[i]; j++)
            if (h->v[j].end <= uend && h->v[j].end - h->v[j].first > ml)
                ml = h->v[j].end - h->v[j].first;
        if (ml == 0)
            return QUARRY_OK;
        maxlen_sum += ml;
        cnt = hi[i] - lo[i];
        if (cnt > most)
            most = cnt;
    }
    if (!u64_reserve(s->env, &s->set_a, &s->set_a_cap, most + 1) ||
        !u64_reserve(s->env, &s->set_b, &s->set_b_cap, most + 1))
        return nomem(s);
    /* window starts: every hit's first, ascending (a k-way walk) */
    {
        size_t *at = lo + 2 * k;
        for (i = 0; i < k; i++)
            at[i] = lo[i];
        for (;;) {
            uint64_t a = UINT64_MAX, bound, best_b = UINT64_MAX;
            for (i = 0; i < k; i++)
                if (at[i] < hi[i] && n->kids[i]->hits.v[at[i]].first < a)
                    a = n->kids[i]->hits.v[at[i]].first;
            if (a == UINT64_MAX)
                break;
            bound = a + n->near + maxlen_sum;
            if (bound < a)
                bound = UINT64_MAX;
            /* the smallest feasible end among the ends of the hits that
               start in [a, bound] */
            for (i = 0; i < k; i++) {
                const qx_hits *h = &n->kids[i]->hits;
                for (j = at[i]; j < hi[i] && h->v[j].first <= bound; j++) {
                    uint64_t b = h->v[j].end, sum;
                    if (b > uend || b > bound || b >= best_b)
                        continue;
                    sum = near_best(s, n, at, hi, a, b);
                    if (sum > 0 &&
                        (b - a) - (sum < b - a ? sum : b - a) <= n->near)
                        best_b = b;
                }
            }
            if (best_b != UINT64_MAX) {
                int rc = push(s, &n->hits, a, best_b, 0);
                if (rc != QUARRY_OK)
                    return rc;
            }
            for (i = 0; i < k; i++)
                while (at[i] < hi[i] && n->kids[i]->hits.v[at[i]].first == a)
                    at[i]++;
        }
    }
    /* keep minimal windows: drop one that contains a later one */
    {
        size_t o = n->hits.n;
        uint64_t min_end = UINT64_MAX;
        size_t w;
        for (w = n->hits.n; w-- > start_n;) {
            qx_hit h = n->hits.v[w];
            if (min_end <= h.end) {
                n->hits.v[w].tag = UINT32_MAX; /* dropped */
                continue;
            }
            min_end = h.end;
        }
        o = start_n;
        for (w = start_n; w < n->hits.n; w++)
            if (n->hits.v[w].tag != UINT32_MAX)
                n->hits.v[o++] = n->hits.v[w];
        n->hits.n = o;
    }
    return QUARRY_OK;
}

static int near_hits(quarry_search *s, qi_segment *seg, qx_node *n,
                     uint64_t doc)
{
    const quarry_span *u;
    size_t nu, ui;
    int rc = units_of(s, seg, doc, &u, &nu);
    if (rc != QUARRY_OK)
        return rc;
    /* lo, hi and the walk's cursors, one each per operand */
    if (!cursors_reserve(s, 3 * n->nkids))
        return nomem(s);
    for (ui = 0; ui < nu && rc == QUARRY_OK; ui++)
        rc = near_unit(s, n, u[ui].first, u[ui].end, s->cursors,
                       s->cursors + n->nkids, n->hits.n);
    return rc;
}

/* ---- sequences ---------------------------------------------------------- */

static int test_eval(quarry_search *s, const qx_test *t, size_t pos)
{
    size_t i;
    int r;
    switch (t->kind) {
    case QN_ATTR_AND:
        for (i = 0; i < t->nkids; i++)
            if ((r = test_eval(s, t->kids[i], pos)) <= 0)
                return r;
        return 1;
    case QN_ATTR_OR:
        for (i = 0; i < t->nkids; i++)
            if ((r = test_eval(s, t->kids[i], pos)) != 0)
                return r;
        return 0;
    case QN_ATTR_NOT:
        r = t->nkids ? test_eval(s, t->kids[0], pos) : 0;
        return r < 0 ? r : !r;
    default: break;
    }
    if (t->attr == QA_NORM) {
        uint32_t id = s->ids[pos - s->tok_base];
        if (t->bits)
            r = id / 64 < t->nwords && ((t->bits[id / 64] >> (id % 64)) & 1);
        else
            r = t->has_ord && id == t->ord;
    } else {
        uint64_t st = s->starts[pos - s->tok_base];
        uint64_t en = s->ends[pos - s->tok_base];
        const char *w = s->text.data + st;
        size_t len = (size_t)(en - st);
        if (en > s->text.len || st > en) {
            qi_set_error(s->errmsg, "search: token offsets outside the text");
            return QUARRY_ECORRUPT;
        }
        if (t->re) {
            int m = pcre2_match(t->re, (PCRE2_SPTR)w, len, 0,
                                PCRE2_NO_UTF_CHECK, s->md, s->mctx);
            if (m == PCRE2_ERROR_MATCHLIMIT || m == PCRE2_ERROR_DEPTHLIMIT) {
                qi_set_error(s->errmsg,
                             "search: a word pattern hit PCRE2's limits");
                return QUARRY_ELIMIT;
            }
            if (m == PCRE2_ERROR_NOMEMORY || m == PCRE2_ERROR_HEAPLIMIT)
                return nomem(s);
            r = m >= 0;
        } else {
            r = len == t->lit_len && memcmp(w, t->lit, len) == 0;
        }
    }
    return t->op == QA_NE ? !r : r;
}

static bool seq_needs_text(const qx_test *t)
{
    size_t i;
    if (!t)
        return false;
    if (t->kind == QN_ATTR)
        return t->attr == QA_WORD;
    for (i = 0; i < t->nkids; i++)
        if (seq_needs_text(t->kids[i]))
            return true;
    return false;
}

/* States of the sequence automaton: element e after c repetitions, for c
 * in 0 .. width(e) - 1, where width is max + 1, or min + 1 for an
 * unbounded element (more than min repetitions behave like min). State
 * index base[e] + c; base[nelems] is the accepting state. */
static size_t seq_width(const qx_elem *el)
{
    return (el->max == QI_QUANT_INF ? el->min : el->max) + (size_t)1;
}

/* Follows the empty moves: an element repeated at least min times may
 * give way to the next one. */
static void seq_closure(const qx_node *n, const size_t *base, uint64_t *set)
{
    size_t e, c;
    for (e = 0; e < n->nelems; e++) {
        const qx_elem *el = &n->elems[e];
        for (c = el->min; c < seq_width(el); c++)
            if (set[base[e] + c]) {
                set[base[e + 1]] = 1;
                break;
            }
    }
}

/* The shortest non-empty match from start p, ending at or before limit
 * (inside the decoded window): a simulation of the automaton token by
 * token, which stops at the first accepting position or when no state is
 * left. *end gets the match's end, or UINT64_MAX. */
static int seq_from(quarry_search *s, const qx_node *n, uint64_t p,
                    uint64_t limit, uint64_t *end)
{
    const size_t *base = s->cursors;
    size_t nstates = base[n->nelems] + 1, e, c;
    uint64_t *cur = s->set_a, *nxt = s->set_b, x;
    *end = UINT64_MAX;
    memset(cur, 0, nstates * sizeof *cur);
    cur[0] = 1;
    seq_closure(n, base, cur);
    for (x = p; x < limit; x++) {
        bool any = false;
        memset(nxt, 0, nstates * sizeof *nxt);
        for (e = 0; e < n->nelems; e++) {
            const qx_elem *el = &n->elems[e];
            size_t w = seq_width(el);
            int pass = -1; /* the test at x, evaluated once per element */
            for (c = 0; c < w; c++) {
                size_t to;
                if (!cur[base[e] + c])
                    continue;
                if (el->max != QI_QUANT_INF && c + 1 > el->max)
                    continue;
                if (pass < 0) {
                    pass = el->test ? test_eval(s, el->test, (size_t)x) : 1;
                    if (pass < 0)
                        return pass;
                }
                if (!pass)
                    break;
                to = c + 1 < w ? c + 1 : w - 1;
                nxt[base[e] + to] = 1;
                any = true;
            }
        }
        if (!any)
            return QUARRY_OK;
        seq_closure(n, base, nxt);
        if (nxt[base[n->nelems]]) {
            *end = x + 1;
            return QUARRY_OK;
        }
        {
            uint64_t *t = cur;
            cur = nxt;
            nxt = t;
        }
    }
    return QUARRY_OK;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* Runs the starts [sa, sb] over a window decoded from sa on. A match never
 * crosses the end of the unit of its start when the query has a scope (it
 * would be dropped), and starts before req_end (the end of the last
 * occurrence of the required element that ends first). */
static int seq_starts(quarry_search *s, qi_segment *seg, qx_node *n,
                      uint64_t doc, uint64_t sa, uint64_t sb, uint64_t span,
                      uint64_t req_end)
{
    uint64_t p, end, wend;
    uint64_t wlen = sat_add(sb - sa, span);
    size_t nstates, e, unit = 0;
    int rc = load_window(s, seg, doc, sa,
                         wlen >= SIZE_MAX ? SIZE_MAX : (size_t)wlen);
    if (rc != QUARRY_OK)
        return rc;
    if (s->scope != QI_SCOPE_DOC && (rc = load_units(s, seg, doc)) != 0)
        return rc;
    if (!cursors_reserve(s, n->nelems + 1))
        return nomem(s);
    s->cursors[0] = 0;
    for (e = 0; e < n->nelems; e++)
        s->cursors[e + 1] = s->cursors[e] + seq_width(&n->elems[e]);
    nstates = s->cursors[n->nelems] + 1;
    if (!u64_reserve(s->env, &s->set_a, &s->set_a_cap, nstates) ||
        !u64_reserve(s->env, &s->set_b, &s->set_b_cap, nstates))
        return nomem(s);
    wend = s->tok_base + s->tok_n;
    for (p = sa; p <= sb && p < wend && p < req_end; p++) {
        uint64_t limit = wend;
        if (s->scope != QI_SCOPE_DOC) {
            while (unit < s->nunits && s->units[unit].end <= p)
                unit++;
            if (unit < s->nunits && s->units[unit].end < limit)
                limit = s->units[unit].end;
        }
        rc = seq_from(s, n, p, limit, &end);
        if (rc != QUARRY_OK)
            return rc;
        if (end != UINT64_MAX && (rc = push(s, &n->hits, p, end, 0)) != 0)
            return rc;
    }
    return QUARRY_OK;
}

/* For each start position, the shortest non-empty match starting there.
 * Starts come from the anchor element's positions when the elements
 * before it have a bounded length; tokens are decoded only in windows
 * around them when the whole sequence has a bounded length. */
static int seq_hits(quarry_search *s, qi_segment *seg, qx_node *n, uint64_t doc)
{
    uint64_t pre_min = 0, pre_max = 0, span = 0, sa = 0, sb = 0;
    uint64_t req_end = UINT64_MAX;
    size_t e, i;
    bool text = false, started = false;
    const qx_hits *anchor;
    int rc;
    for (e = 0; e < n->nelems; e++) {
        const qx_elem *el = &n->elems[e];
        uint64_t mx = el->max == QI_QUANT_INF ? UINT64_MAX : el->max;
        text = text || seq_needs_text(el->test);
        span = sat_add(span, mx);
        if (n->has_anchor && e < n->anchor) {
            pre_min += el->min;
            pre_max = sat_add(pre_max, mx);
        }
        /* every match holds one token of each required element: none
           starts after the last one of any */
        if (el->req) {
            rc = qx_hits_of(s, seg, el->req, doc);
            if (rc != QUARRY_OK)
                return rc;
            if (el->req->hits.n == 0)
                return QUARRY_OK;
            if (el->req->hits.v[el->req->hits.n - 1].end < req_end)
                req_end = el->req->hits.v[el->req->hits.n - 1].end;
        }
    }
    if (text && (rc = load_text(s, seg, doc)) != QUARRY_OK)
        return rc;
    if (!n->has_anchor || pre_max == UINT64_MAX)
        return seq_starts(s, seg, n, doc, 0, UINT64_MAX - 1, UINT64_MAX,
                          req_end);
    anchor = &n->elems[n->anchor].req->hits;
    /* merge the start ranges [pos - pre_max, pos - pre_min] in order */
    for (i = 0; i < anchor->n; i++) {
        uint64_t pos = anchor->v[i].first, lo, hi;
        if (pos < pre_min)
            continue;
        hi = pos - pre_min;
        lo = pos > pre_max ? pos - pre_max : 0;
        if (started && lo <= sb + 1) {
            if (hi > sb)
                sb = hi;
            continue;
        }
        if (started &&
            (rc = seq_starts(s, seg, n, doc, sa, sb, span, req_end)) != 0)
            return rc;
        sa = lo;
        sb = hi;
        started = true;
    }
    if (started)
        return seq_starts(s, seg, n, doc, sa, sb, span, req_end);
    return QUARRY_OK;
}

/* ---- dictionaries ------------------------------------------------------ */

static int dict_hits(quarry_search *s, qi_segment *seg, qx_node *n,
                     uint64_t doc)
{
    size_t nd = 0, i;
    int rc;
    if (!n->dm)
        return QUARRY_OK;
    rc = load_tokens(s, seg, doc);
    if (rc != QUARRY_OK)
        return rc;
    rc = qi_dictmatch_doc(n->dm, s->ids, s->tok_n, &s->dhits, &nd,
                          &s->dhits_cap);
    if (rc != QUARRY_OK)
        return nomem(s);
    if (!qx_hits_reserve(s->env, &n->hits, nd))
        return nomem(s);
    for (i = 0; i < nd; i++) {
        n->hits.v[i].first = s->dhits[i].first;
        n->hits.v[i].end = s->dhits[i].end;
        n->hits.v[i].tag = s->dhits[i].category;
    }
    n->hits.n = nd;
    return QUARRY_OK;
}

/* ---- dispatch ----------------------------------------------------------- */

int qx_hits_of(quarry_search *s, qi_segment *seg, qx_node *n, uint64_t doc)
{
    uint64_t d;
    size_t i;
    int rc;
    if (n->have_hits && n->hits_doc == doc)
        return QUARRY_OK;
    n->hits.n = 0;
    n->have_hits = 0;
    rc = qx_next_candidate(s, n, doc, &d);
    if (rc == QUARRY_DONE || (rc == QUARRY_OK && d != doc))
        goto done;
    if (rc != QUARRY_OK)
        return rc;
    if (use_plain(s, n)) {
        rc = plain_hits(s, seg, n, doc);
        if (rc != QUARRY_OK)
            return rc;
        goto done;
    }
    if (n->kind != QX_TERMS && n->kind != QX_SEQ && n->kind != QX_DICT)
        for (i = 0; i < n->nkids; i++) {
            rc = qx_hits_of(s, seg, n->kids[i], doc);
            if (rc != QUARRY_OK)
                return rc;
        }
    switch (n->kind) {
    case QX_TERMS: rc = terms_hits(s, seg, n, doc); break;
    case QX_PHRASE: rc = phrase_hits(s, n); break;
    case QX_AND: rc = and_hits(s, seg, n, doc); break;
    case QX_OR: rc = or_hits(s, n); break;
    case QX_NOT:
        rc = QUARRY_OK; /* its operand's hits are read by the AND */
        break;
    case QX_NEAR: rc = near_hits(s, seg, n, doc); break;
    case QX_SEQ: rc = seq_hits(s, seg, n, doc); break;
    case QX_DICT: rc = dict_hits(s, seg, n, doc); break;
    case QX_FILTER: rc = QUARRY_OK; break;
    }
    if (rc != QUARRY_OK)
        return rc;
done:
    n->have_hits = 1;
    n->hits_doc = doc;
    return QUARRY_OK;
}
