/*
 * query_iter.c - document-level candidates of a bound query tree: the
 * documents that may hold hits, found from postings alone (query_exec.h).
 * Term sets take the smallest current document of their cursors; AND,
 * phrases, NEAR and sequences intersect their required operands by
 * leapfrogging (each operand skips to the largest document seen so far);
 * OR takes the smallest of its operands. NOT operands and filters never
 * prune: they are checked on the candidates.
 */
#include "query_exec.h"

static int corrupt(quarry_search *s, qi_segment *seg, int rc)
{
    qi_set_error(s->errmsg, "%s", qi_segment_errmsg(seg));
    return rc;
}

static int terms_next(quarry_search *s, qx_node *n, uint64_t target,
                      uint64_t *doc)
{
    uint64_t best = UINT64_MAX;
    size_t i;
    for (i = 0; i < n->nterms; i++) {
        qi_postings *pl = &n->pl[i];
        int rc;
        if (n->pl_state[i] == 2)
            continue;
        if (n->pl_state[i] == 0) {
            rc = qi_postings_start(pl, s->ix->segs[s->seg].seg, &n->terms[i]);
            if (rc != QUARRY_OK)
                return corrupt(s, s->ix->segs[s->seg].seg, rc);
            rc = qi_postings_advance(pl, target);
            n->pl_state[i] = 1;
        } else if (pl->doc < target) {
            rc = qi_postings_advance(pl, target);
        } else {
            rc = QUARRY_OK;
        }
        if (rc == QUARRY_DONE) {
            n->pl_state[i] = 2;
            continue;
        }
        if (rc != QUARRY_OK)
            return corrupt(s, pl->seg, rc);
        if (pl->doc < best)
            best = pl->doc;
    }
    if (best == UINT64_MAX)
        return QUARRY_DONE;
    *doc = best;
    return QUARRY_OK;
}

/* ---- many terms: a heap of cursors ordered by document ---------------- */

static void sift_down(qx_node *n, size_t i)
{
    size_t *h = n->heap, len = n->heap_n;
    for (;;) {
        size_t l = 2 * i + 1, m = i, t;
        if (l < len && n->pl[h[l]].doc < n->pl[h[m]].doc)
            m = l;
        if (l + 1 < len && n->pl[h[l + 1]].doc < n->pl[h[m]].doc)
            m = l + 1;
        if (m == i)
            return;
        t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static int heap_next(quarry_search *s, qx_node *n, uint64_t target,
                     uint64_t *doc)
{
    qi_segment *seg = s->ix->segs[s->seg].seg;
    int rc;
    if (!n->heap_ready) {
        size_t i;
        for (i = 0; i < n->nterms; i++) {
            rc = qi_postings_start(&n->pl[i], seg, &n->terms[i]);
            if (rc == QUARRY_OK)
                rc = qi_postings_advance(&n->pl[i], target);
            if (rc == QUARRY_DONE) {
                n->pl_state[i] = 2;
                continue;
            }
            if (rc != QUARRY_OK)
                return corrupt(s, seg, rc);
            n->pl_state[i] = 1;
            n->heap[n->heap_n++] = i;
        }
        for (i = n->heap_n / 2; i-- > 0;)
            sift_down(n, i);
        n->heap_ready = 1;
    }
    while (n->heap_n > 0 && n->pl[n->heap[0]].doc < target) {
        size_t top = n->heap[0];
        rc = qi_postings_advance(&n->pl[top], target);
        if (rc == QUARRY_DONE) {
            n->pl_state[top] = 2;
            n->heap[0] = n->heap[--n->heap_n];
        } else if (rc != QUARRY_OK) {
            return corrupt(s, seg, rc);
        }
        sift_down(n, 0);
    }
    if (n->heap_n == 0)
        return QUARRY_DONE;
    *doc = n->pl[n->heap[0]].doc;
    return QUARRY_OK;
}

int qx_terms_at(quarry_search *s, qx_node *n, uint64_t doc, size_t *count)
{
    size_t c = 0, i;
    if (!n->heap) {
        if (!qi_array_reserve(s->env, (void **)&s->at_idx, &s->at_cap,
                              n->nterms + 1, sizeof *s->at_idx))
            goto nomem;
        for (i = 0; i < n->nterms; i++)
            if (n->pl_state[i] == 1 && n->pl[i].doc == doc)
                s->at_idx[c++] = i;
        *count = c;
        return QUARRY_OK;
    }
    /* the heap entries on doc form a subtree at the root: walk it with
       the second half of at_idx as the stack */
    if (!qi_array_reserve(s->env, (void **)&s->at_idx, &s->at_cap,
                          2 * n->heap_n + 2, sizeof *s->at_idx))
        goto nomem;
    {
        size_t *stack = s->at_idx + n->heap_n + 1, sp = 0;
        if (n->heap_n > 0)
            stack[sp++] = 0;
        while (sp > 0) {
            size_t h = stack[--sp];
            if (n->pl[n->heap[h]].doc != doc)
                continue;
            s->at_idx[c++] = n->heap[h];
            if (2 * h + 1 < n->heap_n)
                stack[sp++] = 2 * h + 1;
            if (2 * h + 2 < n->heap_n)
                stack[sp++] = 2 * h + 2;
        }
    }
    *count = c;
    return QUARRY_OK;
nomem:
    qi_set_error(s->errmsg, "search: out of memory");
    return QUARRY_ENOMEM;
}

/* Leapfrog over the kids that must hold hits (all but NOT and filters),
 * rarest first: each skips to the largest document seen so far until all
 * agree. */
static int and_next(quarry_search *s, qx_node *n, uint64_t target,
                    uint64_t *doc)
{
    uint64_t x = target;
    size_t j, agree = 0;
    if (n->norder == 0) {
        /* only filters (or a sequence without a required word): every
           document of the segment is a candidate */
        if (x >= s->ix->segs[s->seg].ms.doc_count)
            return QUARRY_DONE;
        *doc = x;
        return QUARRY_OK;
    }
    for (j = 0;;) {
        uint64_t d;
        int rc = qx_next_candidate(s, n->kids[n->order[j]], x, &d);
        if (rc != QUARRY_OK)
            return rc;
        if (d != x) {
            x = d;
            agree = 0;
        }
        if (++agree == n->norder)
            break;
        if (++j == n->norder) /* not a modulo: a division per step */
            j = 0;
    }
    *doc = x;
    return QUARRY_OK;
}

/* Whether an AND's hits are its words' occurrences (qx_node.sum_count):
 * its kids are filters, words without a surface check, or NOTs of such
 * words, and no term is in two positive words (its spans would repeat).
 * Term sets are compared pairwise, so only for a few terms. */
static int sum_countable(const qx_node *n)
{
    size_t i, j, a, b, terms = 0;
    for (i = 0; i < n->nkids; i++) {
        const qx_node *k = n->kids[i];
        if (k->kind == QX_NOT)
            k = k->kids[0];
        if (k->kind == QX_FILTER)
            continue;
        if (k->kind != QX_TERMS || k->surface)
            return 0;
        terms += k->nterms;
    }
    if (terms > 64)
        return 0;
    for (i = 0; i < n->nkids; i++)
        for (j = i + 1; j < n->nkids; j++) {
            const qx_node *x = n->kids[i], *y = n->kids[j];
            if (x->kind != QX_TERMS || y->kind != QX_TERMS)
                continue;
            for (a = 0; a < x->nterms; a++)
                for (b = 0; b < y->nterms; b++)
                    if (x->terms[a].ordinal == y->terms[b].ordinal)
                        return 0;
        }
    return 1;
}

/* and_next for a flat node: the same leapfrog on its words' cursors,
 * without a call per operand and step; each kid's candidate state is kept
 * as qx_next_candidate keeps it. */
static int flat_next(quarry_search *s, qx_node *n, uint64_t target,
                     uint64_t *doc)
{
    qi_segment *seg = s->ix->segs[s->seg].seg;
    uint64_t x = target;
    size_t j = 0, agree = 0;
    for (;;) {
        qx_node *k = n->kids[n->order[j]];
        qi_postings *pl = &k->pl[0];
        int rc = QUARRY_OK;
        if (k->pl_state[0] == 2) {
            rc = QUARRY_DONE;
        } else if (k->pl_state[0] == 0) {
            rc = qi_postings_start(pl, seg, &k->terms[0]);
            if (rc == QUARRY_OK)
                rc = qi_postings_advance(pl, x);
            k->pl_state[0] = 1;
        } else if (pl->doc < x) {
            rc = qi_postings_advance(pl, x);
        }
        if (rc == QUARRY_DONE) {
            k->pl_state[0] = 2;
            k->done = 1;
            return QUARRY_DONE;
        }
        if (rc != QUARRY_OK)
            return corrupt(s, seg, rc);
        k->started = 1;
        k->doc = pl->doc;
        if (pl->doc != x) {
            x = pl->doc;
            agree = 0;
        }
        if (++agree == n->norder)
            break;
        if (++j == n->norder)
            j = 0;
    }
    *doc = x;
    return QUARRY_OK;
}

int qx_plan(quarry_search *s, qx_node *n)
{
    size_t i, j;
    uint64_t sum = 0, min = UINT64_MAX;
    for (i = 0; i < n->nkids; i++) {
        int rc = qx_plan(s, n->kids[i]);
        if (rc != QUARRY_OK)
            return rc;
    }
    switch (n->kind) {
    case QX_TERMS:
        for (i = 0; i < n->nterms; i++)
            sum += n->terms[i].doc_freq;
        n->est = sum;
        return QUARRY_OK;
    case QX_OR:
        for (i = 0; i < n->nkids; i++)
            sum = n->kids[i]->est > UINT64_MAX - sum ? UINT64_MAX
                                                     : sum + n->kids[i]->est;
        n->est = sum;
        return QUARRY_OK;
    case QX_NOT: n->est = n->kids[0]->est; return QUARRY_OK;
    case QX_FILTER: n->est = UINT64_MAX; return QUARRY_OK;
    default: break;
    }
    if (n->kind == QX_PHRASE || n->kind == QX_NEAR || n->kind == QX_AND) {
        bool words = n->nkids > 0, one_term = true;
        for (i = 0; i < n->nkids; i++) {
            const qx_node *k = n->kids[i];
            if (k->kind != QX_TERMS || k->surface)
                words = false;
            else if (k->nterms != 1 || k->heap)
                one_term = false;
        }
        n->plain = words && n->kind != QX_AND;
        n->flat = words && one_term;
    }
    if (n->kind == QX_AND)
        n->sum_count = sum_countable(n);
    /* AND-like: the required kids, by estimate (insertion sort: few) */
    if (n->nkids > 0) {
        n->order = qi_alloc(s->env, n->nkids * sizeof *n->order);
        if (!n->order) {
            qi_set_error(s->errmsg, "search: out of memory");
            return QUARRY_ENOMEM;
        }
    }
    for (i = 0; i < n->nkids; i++) {
        const qx_node *k = n->kids[i];
        if (k->kind == QX_NOT || k->kind == QX_FILTER)
            continue;
        for (j = n->norder; j > 0 && n->kids[n->order[j - 1]]->est > k->est;
             j--)
            n->order[j] = n->order[j - 1];
        n->order[j] = i;
        n->norder++;
        if (k->est < min)
            min = k->est;
    }
    n->est = min;
    return QUARRY_OK;
}

static int or_next(quarry_search *s, qx_node *n, uint64_t target, uint64_t *doc)
{
    uint64_t best = UINT64_MAX;
    size_t i;
    for (i = 0; i < n->nkids; i++) {
        uint64_t d;
        int rc = qx_next_candidate(s, n->kids[i], target, &d);
        if (rc == QUARRY_DONE)
            continue;
        if (rc != QUARRY_OK)
            return rc;
        if (d < best)
            best = d;
    }
    if (best == UINT64_MAX)
        return QUARRY_DONE;
    *doc = best;
    return QUARRY_OK;
}

int qx_next_candidate(quarry_search *s, qx_node *n, uint64_t target,
                      uint64_t *doc)
{
    int rc;
    if (n->done)
        return QUARRY_DONE;
    if (n->started && n->doc >= target) {
        *doc = n->doc;
        return QUARRY_OK;
    }
    switch (n->kind) {
    case QX_TERMS:
        rc = n->heap ? heap_next(s, n, target, doc)
                     : terms_next(s, n, target, doc);
        break;
    case QX_OR: rc = or_next(s, n, target, doc); break;
    case QX_NOT: rc = qx_next_candidate(s, n->kids[0], target, doc); break;
    case QX_FILTER:
        if (target >= s->ix->segs[s->seg].ms.doc_count) {
            rc = QUARRY_DONE;
        } else {
            *doc = target;
            rc = QUARRY_OK;
        }
        break;
    default: /* AND, PHRASE, NEAR, SEQ: every kid is required */
        rc = n->flat ? flat_next(s, n, target, doc)
                     : and_next(s, n, target, doc);
        break;
    }
    if (rc == QUARRY_DONE)
        n->done = 1;
    if (rc != QUARRY_OK)
        return rc;
    n->started = 1;
    n->doc = *doc;
    return QUARRY_OK;
}
