/*
 * count_terms.c - documents as streams of counted items for the counting
 * analyses (analysis.h): terms, CJK word-layer words or surface forms,
 * with punctuation and symbols left out and the places where they (or a
 * sentence start) break a run of items marked; and counts of terms over a
 * subcorpus (or per group) from the token streams or from the postings.
 *
 * Kinds and stop-list membership are worked out once per item, the first
 * time it is seen, and kept in a byte per item, so the per-token work is an
 * array lookup.
 */
#include "analysis.h"

#include <string.h>

uint64_t qi_next_doc(quarry_index *ix, const quarry_subcorpus *sc, uint64_t id)
{
    uint64_t limit = quarry_index_doc_limit(ix);
    uint64_t next = id == UINT64_MAX ? 0 : id + 1;
    if (sc)
        return quarry_subcorpus_next(sc, next);
    while (next < limit && !quarry_index_doc_live(ix, next))
        next++;
    return next < limit ? next : limit;
}

int qi_itemizer_init(qi_itemizer *it, quarry_env *env, quarry_index *ix,
                     int unit, int include_punct, const quarry_stopwords *stop)
{
    memset(it, 0, sizeof *it);
    it->env = env;
    it->ix = ix;
    it->unit = unit;
    it->include_punct = include_punct;
    it->stop = stop;
    it->sentences = 1;
    if (unit < QUARRY_UNIT_WORDS || unit > QUARRY_UNIT_SURFACE) {
        qi_set_error(it->errmsg, "unknown unit %d (words, terms or surface)",
                     unit);
        return QUARRY_EINVAL;
    }
    it->nterms = quarry_index_term_count(ix);
    if (ix->nsegs && it->nterms == 0 && qi_index_needs_table(ix) &&
        !ix->terms) {
        qi_set_error(it->errmsg, "%s", quarry_index_errmsg(ix));
        return QUARRY_ENOMEM;
    }
    if (quarry_vocab_new(env, &it->extra) != QUARRY_OK)
        goto oom;
    if (unit == QUARRY_UNIT_WORDS) {
        it->wmap = qi_calloc(env, ix->nsegs ? ix->nsegs : 1, sizeof *it->wmap);
        if (!it->wmap)
            goto oom;
    }
    return QUARRY_OK;
oom:
    qi_set_error(it->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

void qi_itemizer_free(qi_itemizer *it)
{
    quarry_env *env = it->env;
    size_t i;
    if (!env)
        return;
    if (it->wmap) {
        for (i = 0; i < it->ix->nsegs; i++)
            if (it->wmap[i])
                qi_free(env, it->wmap[i],
                        it->ix->segs[i].stats.word_term_count *
                            sizeof *it->wmap[i]);
        qi_free(env, it->wmap,
                (it->ix->nsegs ? it->ix->nsegs : 1) * sizeof *it->wmap);
    }
    quarry_vocab_free(it->extra);
    qi_free(env, it->flags, it->flags_cap);
    qi_free(env, it->items, it->items_cap * sizeof *it->items);
    qi_free(env, it->breaks, it->breaks_cap);
    qi_free(env, it->ids, it->ids_cap * sizeof *it->ids);
    qi_free(env, it->starts, it->starts_cap * sizeof *it->starts);
    qi_free(env, it->ends, it->ends_cap * sizeof *it->ends);
    qi_free(env, it->spans, it->spans_cap * sizeof *it->spans);
    qi_free(env, it->wspans, it->wspans_cap * sizeof *it->wspans);
    qi_free(env, it->word_ids, it->word_ids_cap * sizeof *it->word_ids);
    qi_buf_free(env, &it->text);
    memset(it, 0, sizeof *it);
}

uint64_t qi_itemizer_limit(const qi_itemizer *it)
{
    if (it->unit == QUARRY_UNIT_SURFACE)
        return quarry_vocab_size(it->extra);
    return it->nterms + quarry_vocab_size(it->extra);
}

const char *qi_itemizer_text(qi_itemizer *it, uint32_t item, size_t *len)
{
    if (it->unit != QUARRY_UNIT_SURFACE && item < it->nterms)
        return quarry_index_term_text(it->ix, item, len, NULL, NULL);
    if (it->unit != QUARRY_UNIT_SURFACE)
        item -= (uint32_t)it->nterms;
    return quarry_vocab_term(it->extra, item, len);
}

/* Kind of the last character of text. */
static int last_kind(const char *text, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)text[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > 0)
        i--;
    return quarry_term_kind(text + i, len - i);
}

/* Flags of item from its normalized text (kind) and its own text (stop). */
static int set_flags(qi_itemizer *it, uint32_t item, const char *norm,
                     size_t norm_len, const char *text, size_t len)
{
    uint8_t fl = QI_ITEM_KNOWN;
    int kind = quarry_term_kind(norm, norm_len);
    if (item >= it->flags_cap) {
        size_t old = it->flags_cap;
        void *p = it->flags;
        if (!qi_array_reserve(it->env, &p, &it->flags_cap, (size_t)item + 1, 1))
            return QUARRY_ENOMEM;
        it->flags = p;
        memset(it->flags + old, 0, it->flags_cap - old);
    }
    if (!it->include_punct && (kind == QUARRY_TOKEN_PUNCT ||
                               kind == QUARRY_TOKEN_SYMBOL || kind == 0))
        fl |= QI_ITEM_SKIPPED;
    if (kind == QUARRY_TOKEN_CJK && last_kind(text, len) == QUARRY_TOKEN_CJK)
        fl |= QI_ITEM_CJK;
    if (it->stop && quarry_stopwords_contains(it->stop, text, len))
        fl |= QI_ITEM_STOP;
    it->flags[item] = fl;
    return QUARRY_OK;
}

/* The item of local word ordinal w of segment s (interned on first use). */
static int word_item(qi_itemizer *it, qi_ixseg *s, uint32_t w, uint32_t *item)
{
    size_t si = (size_t)(s - it->ix->segs);
    uint64_t nw = s->stats.word_term_count;
    char buf[QI_MAX_TERM + 1];
    size_t len = 0;
    uint32_t id;
    int rc;
    if (w >= nw) {
        qi_set_error(it->errmsg, "%s: word ordinal out of range", it->ix->path);
        return QUARRY_ECORRUPT;
    }
    if (!it->wmap[si]) {
        it->wmap[si] = qi_calloc(it->env, (size_t)nw, sizeof *it->wmap[si]);
        if (!it->wmap[si])
            goto oom;
    }
    if (it->wmap[si][w]) {
        *item = it->wmap[si][w] - 1;
        return QUARRY_OK;
    }
    rc = qi_segment_word_text(s->seg, w, buf, &len);
    if (rc != QUARRY_OK) {
        qi_set_error(it->errmsg, "%s", qi_segment_errmsg(s->seg));
        return rc;
    }
    /* A one-character word is also a term: count both as one item. */
    rc = quarry_index_term_lookup(it->ix, buf, len, &id, NULL, NULL);
    if (rc < 0) {
        qi_set_error(it->errmsg, "%s", quarry_index_errmsg(it->ix));
        return rc;
    }
    if (rc == QUARRY_DONE) {
        if (quarry_vocab_add(it->extra, buf, len, 1, &id) != QUARRY_OK)
            goto oom;
        if (it->nterms + id >= UINT32_MAX) {
            qi_set_error(it->errmsg, "more than 2^32 distinct items");
            return QUARRY_ELIMIT;
        }
        id += (uint32_t)it->nterms;
    }
    if (!(qi_itemizer_flags(it, id) & QI_ITEM_KNOWN) &&
        set_flags(it, id, buf, len, buf, len) != QUARRY_OK)
        goto oom;
    it->wmap[si][w] = id + 1;
    *item = id;
    return QUARRY_OK;
oom:
    qi_set_error(it->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

#define RESERVE(field, capfield, need)                                         \
    do {                                                                       \
        void *p_ = it->field;                                                  \
        if (!qi_array_reserve(it->env, &p_, &it->capfield, (need),             \
                              sizeof *it->field))                              \
            goto oom;                                                          \
        it->field = p_;                                                        \
    } while (0)

int qi_itemizer_doc(qi_itemizer *it, uint64_t id)
{
    quarry_index *ix = it->ix;
    quarry_index_doc meta;
    qi_docmeta m;
    qi_ixseg *s;
    uint64_t local, t;
    size_t got, nsent = 0, nwords = 0, si = 0, wi = 0, n;
    const char *text = NULL;
    size_t text_len = 0;
    int rc, pending = 1, surface = it->unit == QUARRY_UNIT_SURFACE;

    it->n = 0;
    if ((rc = quarry_index_doc_get(ix, id, &meta)) != QUARRY_OK)
        goto ix_error;
    s = qi_index_seg_of(ix, id, &local);
    if (!s)
        goto ix_error;
    n = (size_t)meta.tokens;
    RESERVE(ids, ids_cap, n + 1);
    RESERVE(items, items_cap, n + 1);
    RESERVE(breaks, breaks_cap, n + 1);
    if (surface) {
        RESERVE(starts, starts_cap, n + 1);
        RESERVE(ends, ends_cap, n + 1);
    }
    rc = quarry_index_doc_tokens(ix, id, 0, n, it->ids,
                                 surface ? it->starts : NULL,
                                 surface ? it->ends : NULL, &got);
    if (rc != QUARRY_OK)
        goto ix_error;
    n = got;
    RESERVE(spans, spans_cap, (size_t)meta.sentences + 1);
    rc = quarry_index_doc_spans(ix, id, 0, 0, (size_t)meta.sentences, it->spans,
                                &nsent);
    if (rc != QUARRY_OK)
        goto ix_error;
    if (it->unit == QUARRY_UNIT_WORDS) {
        rc = qi_segment_doc_meta(s->seg, local, &m);
        if (rc == QUARRY_OK && m.words) {
            RESERVE(wspans, wspans_cap, (size_t)m.words);
            RESERVE(word_ids, word_ids_cap, (size_t)m.words);
            rc = qi_segment_doc_words(s->seg, local, 0, (size_t)m.words,
                                      it->wspans, it->word_ids, &nwords);
        }
        if (rc != QUARRY_OK) {
            qi_set_error(it->errmsg, "%s", qi_segment_errmsg(s->seg));
            return rc;
        }
    }
    if (surface) {
        rc = quarry_index_doc_text(ix, id, &text, &text_len);
        if (rc != QUARRY_OK)
            goto ix_error;
    }

    for (t = 0; t < n; t++) {
        uint32_t item, term = it->ids[t];
        uint8_t fl;
        while (si < nsent && it->spans[si].first <= t) {
            if (it->spans[si].first == t)
                pending = 1;
            si++;
        }
        while (wi < nwords && it->wspans[wi].first < t)
            wi++; /* a word inside one already taken: never in real data */
        if (wi < nwords && it->wspans[wi].first == t &&
            it->wspans[wi].end > t) {
            rc = word_item(it, s, it->word_ids[wi], &item);
            if (rc != QUARRY_OK)
                return rc;
            t = (it->wspans[wi].end <= n ? it->wspans[wi].end : n) - 1;
            wi++;
        } else if (surface) {
            uint64_t a = it->starts[t], b = it->ends[t];
            uint32_t vid;
            if (b < a || b > text_len) {
                qi_set_error(it->errmsg, "%s: token offsets out of range",
                             ix->path);
                return QUARRY_ECORRUPT;
            }
            if (quarry_vocab_add(it->extra, text + a, (size_t)(b - a), 1,
                                 &vid) != QUARRY_OK)
                goto oom;
            item = vid;
            if (!(qi_itemizer_flags(it, item) & QI_ITEM_KNOWN)) {
                size_t nl = 0;
                const char *norm =
                    quarry_index_term_text(ix, term, &nl, NULL, NULL);
                if (!norm)
                    goto ix_error_corrupt;
                if (set_flags(it, item, norm, nl, text + a, (size_t)(b - a)) !=
                    QUARRY_OK)
                    goto oom;
            }
        } else {
            item = term;
            if (term >= it->nterms)
                goto ix_error_corrupt;
            if (!(qi_itemizer_flags(it, item) & QI_ITEM_KNOWN)) {
                size_t nl = 0;
                const char *norm =
                    quarry_index_term_text(ix, term, &nl, NULL, NULL);
                if (!norm)
                    goto ix_error_corrupt;
                if (set_flags(it, item, norm, nl, norm, nl) != QUARRY_OK)
                    goto oom;
            }
        }
        fl = it->flags[item];
        if (fl & QI_ITEM_SKIPPED) {
            pending = 1;
            continue;
        }
        it->items[it->n] = item;
        it->breaks[it->n] = (uint8_t)pending;
        it->n++;
        pending = 0;
    }
    return QUARRY_OK;

ix_error_corrupt:
    if (!*quarry_index_errmsg(ix))
        qi_set_error(it->errmsg, "%s: term id out of range", ix->path);
    else
        qi_set_error(it->errmsg, "%s", quarry_index_errmsg(ix));
    return QUARRY_ECORRUPT;
ix_error:
    qi_set_error(it->errmsg, "%s", quarry_index_errmsg(ix));
    return rc != QUARRY_OK ? rc : QUARRY_EINVAL;
oom:
    qi_set_error(it->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

int qi_count_terms(quarry_index *ix, const quarry_subcorpus *sc,
                   uint64_t *counts, uint64_t *docs, uint64_t *tokens)
{
    quarry_env *env = ix->env;
    uint64_t nterms = quarry_index_term_count(ix), id, *last = NULL;
    uint32_t *ids = NULL;
    size_t cap = 0;
    int rc = QUARRY_OK;
    *tokens = 0;
    if (docs) {
        last = qi_alloc(env, (size_t)(nterms ? nterms : 1) * sizeof *last);
        if (!last)
            goto oom;
        memset(last, 0xff, (size_t)nterms * sizeof *last);
    }
    for (id = qi_next_doc(ix, sc, UINT64_MAX); id < quarry_index_doc_limit(ix);
         id = qi_next_doc(ix, sc, id)) {
        quarry_index_doc meta;
        size_t got, i;
        void *p = ids;
        if ((rc = quarry_index_doc_get(ix, id, &meta)) != QUARRY_OK)
            break;
        if (!qi_array_reserve(env, &p, &cap, (size_t)meta.tokens + 1,
                              sizeof *ids))
            goto oom;
        ids = p;
        rc = quarry_index_doc_tokens(ix, id, 0, (size_t)meta.tokens, ids, NULL,
                                     NULL, &got);
        if (rc != QUARRY_OK)
            break;
        for (i = 0; i < got; i++) {
            uint32_t t = ids[i];
            if (t >= nterms) {
                qi_set_error(ix->errmsg, "%s: term id out of range", ix->path);
                rc = QUARRY_ECORRUPT;
                break;
            }
            counts[t]++;
            if (last && last[t] != id) {
                last[t] = id;
                docs[t]++;
            }
        }
        if (rc != QUARRY_OK)
            break;
        *tokens += got;
    }
    qi_free(env, ids, cap * sizeof *ids);
    qi_free(env, last, (size_t)(nterms ? nterms : 1) * sizeof *last);
    return rc;
oom:
    qi_free(env, ids, cap * sizeof *ids);
    qi_free(env, last, (size_t)(nterms ? nterms : 1) * sizeof *last);
    qi_set_error(ix->errmsg, "out of memory counting terms");
    return QUARRY_ENOMEM;
}

void qi_doc_lists_free(quarry_env *env, qi_doc_lists *dl)
{
    size_t g;
    if (dl->ids && dl->cap)
        for (g = 0; g < dl->n; g++)
            qi_free(env, dl->ids[g], dl->cap[g] * sizeof *dl->ids[g]);
    qi_free(env, dl->ids, (dl->n ? dl->n : 1) * sizeof *dl->ids);
    qi_free(env, dl->len, (dl->n ? dl->n : 1) * sizeof *dl->len);
    qi_free(env, dl->cap, (dl->n ? dl->n : 1) * sizeof *dl->cap);
    memset(dl, 0, sizeof *dl);
}

int qi_doc_lists_build(quarry_env *env, quarry_index *ix,
                       const quarry_subcorpus *sc, const quarry_groups *groups,
                       qi_doc_lists *out)
{
    size_t n = groups ? quarry_groups_count(groups) : 1, alloc = n ? n : 1;
    uint64_t id;
    memset(out, 0, sizeof *out);
    out->ids = qi_calloc(env, alloc, sizeof *out->ids);
    out->len = qi_calloc(env, alloc, sizeof *out->len);
    out->cap = qi_calloc(env, alloc, sizeof *out->cap);
    out->n = n;
    if (!out->ids || !out->len || !out->cap)
        goto oom;
    for (id = qi_next_doc(ix, sc, UINT64_MAX); id < quarry_index_doc_limit(ix);
         id = qi_next_doc(ix, sc, id)) {
        size_t g = groups ? quarry_groups_of(groups, id) : 0;
        void *p;
        if (g >= n)
            continue;
        p = out->ids[g];
        if (!qi_array_reserve(env, &p, &out->cap[g], out->len[g] + 1,
                              sizeof *out->ids[g]))
            goto oom;
        out->ids[g] = p;
        out->ids[g][out->len[g]++] = id;
    }
    return QUARRY_OK;
oom:
    qi_doc_lists_free(env, out);
    qi_set_error(env->errmsg, "out of memory listing documents");
    return QUARRY_ENOMEM;
}

int qi_itemizer_term_flags(qi_itemizer *it, uint32_t term, uint8_t *flags)
{
    if (!(qi_itemizer_flags(it, term) & QI_ITEM_KNOWN)) {
        size_t len = 0;
        const char *t = quarry_index_term_text(it->ix, term, &len, NULL, NULL);
        if (!t) {
            qi_set_error(it->errmsg, "%s", quarry_index_errmsg(it->ix));
            return QUARRY_ECORRUPT;
        }
        if (set_flags(it, term, t, len, t, len) != QUARRY_OK) {
            qi_set_error(it->errmsg, "out of memory");
            return QUARRY_ENOMEM;
        }
    }
    *flags = it->flags[term];
    return QUARRY_OK;
}

int qi_terms_are_words(quarry_index *ix)
{
    size_t i;
    for (i = 0; i < ix->nsegs; i++)
        if (ix->segs[i].stats.word_term_count > 0)
            return 0;
    return 1;
}

/* 1 if sc holds every live document of segment s. */
static int covers_segment(const quarry_subcorpus *sc, const qi_ixseg *s)
{
    uint64_t d;
    for (d = 0; d < s->ms.doc_count; d++)
        if (!qi_del_test(s->del, d) &&
            !quarry_subcorpus_contains(sc, s->base + d))
            return 0;
    return 1;
}

int qi_count_terms_postings(quarry_index *ix, const quarry_subcorpus *sc,
                            uint64_t *counts, uint64_t *docs)
{
    size_t i;
    int rc;
    if (qi_index_needs_table(ix) &&
        (rc = qi_index_terms_build(ix)) != QUARRY_OK)
        return rc;
    for (i = 0; i < ix->nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        /* the dictionary's counts are those of every document of a segment
         * without deletions: no postings to walk when all of them count */
        int stored = !s->del && (!sc || covers_segment(sc, s));
        qi_termiter ti;
        rc = qi_termiter_start(&ti, s->seg, 0);
        while (rc == QUARRY_OK && (rc = qi_termiter_next(&ti)) == QUARRY_OK) {
            uint64_t c = 0, dc = 0, g = ti.term.ordinal;
            if (g >= s->stats.term_count)
                goto corrupt;
            if (s->gmap)
                g = s->gmap[g];
            if (stored) {
                c = ti.term.coll_freq;
                dc = ti.term.doc_freq;
            } else {
                qi_postings pl;
                rc = qi_postings_start(&pl, s->seg, &ti.term);
                while (rc == QUARRY_OK &&
                       (rc = qi_postings_next(&pl)) == QUARRY_OK) {
                    if (sc ? !quarry_subcorpus_contains(sc, s->base + pl.doc)
                           : qi_del_test(s->del, pl.doc))
                        continue;
                    c += pl.freq;
                    dc++;
                }
                if (rc != QUARRY_DONE)
                    break;
                rc = QUARRY_OK;
            }
            counts[g] += c;
            if (docs)
                docs[g] += dc;
        }
        if (rc != QUARRY_DONE) {
            qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(s->seg));
            return rc;
        }
    }
    return QUARRY_OK;
corrupt:
    qi_set_error(ix->errmsg, "%s: term ordinal out of range", ix->path);
    return QUARRY_ECORRUPT;
}

/* Grows the tuple array of one group by one. */
static qi_group_count *push_tuple(quarry_env *env, qi_group_counts *gc,
                                  size_t g)
{
    void *p = gc->t[g];
    if (!qi_array_reserve(env, &p, &gc->cap[g], gc->n[g] + 1, sizeof *gc->t[g]))
        return NULL;
    gc->t[g] = p;
    return &gc->t[g][gc->n[g]++];
}

void qi_group_counts_free(quarry_env *env, qi_group_counts *gc)
{
    size_t g;
    if (gc->t && gc->cap)
        for (g = 0; g < gc->groups; g++)
            qi_free(env, gc->t[g], gc->cap[g] * sizeof *gc->t[g]);
    qi_free(env, gc->t, (gc->groups ? gc->groups : 1) * sizeof *gc->t);
    qi_free(env, gc->n, (gc->groups ? gc->groups : 1) * sizeof *gc->n);
    qi_free(env, gc->cap, (gc->groups ? gc->groups : 1) * sizeof *gc->cap);
    memset(gc, 0, sizeof *gc);
}

int qi_count_terms_groups(quarry_index *ix, const quarry_subcorpus *sc,
                          const quarry_groups *groups, qi_group_counts *out)
{
    quarry_env *env = ix->env;
    size_t ng = quarry_groups_count(groups), alloc = ng ? ng : 1, i;
    uint64_t *cnt = NULL, *dc = NULL;
    uint32_t *touched = NULL;
    int rc = QUARRY_OK;

    memset(out, 0, sizeof *out);
    out->groups = ng;
    out->t = qi_calloc(env, alloc, sizeof *out->t);
    out->n = qi_calloc(env, alloc, sizeof *out->n);
    out->cap = qi_calloc(env, alloc, sizeof *out->cap);
    cnt = qi_calloc(env, alloc, sizeof *cnt);
    dc = qi_calloc(env, alloc, sizeof *dc);
    touched = qi_alloc(env, alloc * sizeof *touched);
    if (!out->t || !out->n || !out->cap || !cnt || !dc || !touched)
        goto oom;
    if (qi_index_needs_table(ix) &&
        (rc = qi_index_terms_build(ix)) != QUARRY_OK)
        goto done;
    for (i = 0; i < ix->nsegs && rc == QUARRY_OK; i++) {
        qi_ixseg *s = &ix->segs[i];
        qi_termiter ti;
        rc = qi_termiter_start(&ti, s->seg, 0);
        while (rc == QUARRY_OK && (rc = qi_termiter_next(&ti)) == QUARRY_OK) {
            uint64_t g = ti.term.ordinal;
            size_t nt = 0, k;
            qi_postings pl;
            if (g >= s->stats.term_count) {
                qi_set_error(ix->errmsg, "%s: term ordinal out of range",
                             ix->path);
                rc = QUARRY_ECORRUPT;
                goto done;
            }
            if (s->gmap)
                g = s->gmap[g];
            rc = qi_postings_start(&pl, s->seg, &ti.term);
            while (rc == QUARRY_OK &&
                   (rc = qi_postings_next(&pl)) == QUARRY_OK) {
                uint64_t d = s->base + pl.doc;
                size_t grp;
                if (sc ? !quarry_subcorpus_contains(sc, d)
                       : qi_del_test(s->del, pl.doc))
                    continue;
                grp = quarry_groups_of(groups, d);
                if (grp >= ng)
                    continue;
                if (dc[grp]++ == 0)
                    touched[nt++] = (uint32_t)grp;
                cnt[grp] += pl.freq;
            }
            if (rc != QUARRY_DONE)
                break;
            rc = QUARRY_OK;
            for (k = 0; k < nt; k++) {
                size_t grp = touched[k];
                qi_group_count *t = push_tuple(env, out, grp);
                if (!t)
                    goto oom;
                t->term = (uint32_t)g;
                t->count = cnt[grp];
                t->docs = dc[grp];
                cnt[grp] = dc[grp] = 0;
            }
        }
        if (rc == QUARRY_DONE)
            rc = QUARRY_OK;
        else if (rc != QUARRY_OK)
            qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(s->seg));
    }
    goto done;
oom:
    rc = QUARRY_ENOMEM;
    qi_set_error(ix->errmsg, "out of memory counting terms per group");
done:
    qi_free(env, cnt, alloc * sizeof *cnt);
    qi_free(env, dc, alloc * sizeof *dc);
    qi_free(env, touched, alloc * sizeof *touched);
    if (rc != QUARRY_OK)
        qi_group_counts_free(env, out);
    return rc;
}
