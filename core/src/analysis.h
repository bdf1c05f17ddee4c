/*
 * analysis.h - what the counting analyses share (count_terms.c): the item
 * stream of a document in one unit (terms, CJK words, surface forms), the
 * texts and kinds of items, and a plain count of terms over a subcorpus.
 * Not installed.
 *
 * Items are dense uint32 ids so that counts live in arrays, not hashes:
 * a term is its snapshot term id; a CJK word-layer word or a surface form
 * gets an id past the terms (words) or its own id (surface), interned the
 * first time it is seen.
 */
#ifndef QUARRY_ANALYSIS_H
#define QUARRY_ANALYSIS_H

#include "index_internal.h"

/* Item flags, computed the first time an item is seen. */
enum {
    QI_ITEM_KNOWN = 1,   /* the flags below are set */
    QI_ITEM_SKIPPED = 2, /* punctuation or symbol, not counted */
    QI_ITEM_STOP = 4,    /* in the stop list */
    QI_ITEM_CJK = 8      /* text starts and ends with a CJK character */
};

/* Reads documents as item streams. One per index and unit; zero-initialize,
 * then qi_itemizer_init. */
typedef struct qi_itemizer {
    quarry_env *env;
    quarry_index *ix; /* borrowed */
    int unit;
    int include_punct;
    const quarry_stopwords *stop; /* borrowed, may be NULL */
    int sentences;       /* mark sentence starts as breaks (1 after init; the
                            callers that ignore breaks set 0 to skip reading
                            sentence spans) */
    uint64_t nterms;     /* terms of the snapshot */
    quarry_vocab *extra; /* word-layer words or surface forms */
    uint8_t *flags;      /* by item */
    size_t flags_cap;
    uint32_t **wmap; /* per segment: local word ordinal -> item + 1 */
    /* the current document's stream */
    uint32_t *items; /* counted items in text order */
    uint8_t *breaks; /* 1: a sentence starts or skipped tokens precede it */
    size_t n;        /* items of the stream */
    size_t items_cap, breaks_cap;
    /* scratch */
    uint32_t *ids;
    size_t ids_cap;
    uint64_t *starts, *ends;
    size_t starts_cap, ends_cap;
    quarry_span *spans; /* sentences */
    size_t spans_cap;
    quarry_span *wspans; /* word-layer units */
    size_t wspans_cap;
    uint32_t *word_ids;
    size_t word_ids_cap;
    qi_buf text;
    char errmsg[QI_ERRMSG_SIZE];
} qi_itemizer;

/* QUARRY_OK, QUARRY_EINVAL (unknown unit) or QUARRY_ENOMEM; message in
 * it->errmsg. */
int qi_itemizer_init(qi_itemizer *it, quarry_env *env, quarry_index *ix,
                     int unit, int include_punct, const quarry_stopwords *stop);
void qi_itemizer_free(qi_itemizer *it);
/* Reads document id (live) into it->items/breaks/n. Breaks also mark
 * sentence starts, so n-grams stay inside sentences. Errors in errmsg. */
int qi_itemizer_doc(qi_itemizer *it, uint64_t id);
/* Items known so far: ids are below this. */
uint64_t qi_itemizer_limit(const qi_itemizer *it);
/* Text of an item (borrowed from ix or the itemizer, valid while both
 * live), NULL for an unknown id. */
const char *qi_itemizer_text(qi_itemizer *it, uint32_t item, size_t *len);
/* Flags of an item seen in a stream (QI_ITEM_*). */
static inline uint8_t qi_itemizer_flags(const qi_itemizer *it, uint32_t item)
{
    return item < it->flags_cap ? it->flags[item] : 0;
}

/* Occurrences (counts) and documents (docs, may be NULL) of every term id
 * in the live documents of sc (NULL: every live document), arrays of
 * quarry_index_term_count(ix) entries the caller zeroed; *tokens gets the
 * tokens read (punctuation included). Errors as quarry_index_doc_tokens,
 * message on ix. */
int qi_count_terms(quarry_index *ix, const quarry_subcorpus *sc,
                   uint64_t *counts, uint64_t *docs, uint64_t *tokens);

/* The same from the postings, without reading token streams: faster, and
 * no work at all for segments whose every live document is in sc (their
 * dictionary counts are taken as they are). */
int qi_count_terms_postings(quarry_index *ix, const quarry_subcorpus *sc,
                            uint64_t *counts, uint64_t *docs);
/* Term counts per group from the postings: for each group, the terms of
 * its documents (in sc) as tuples, one per segment holding the term (so a
 * term may come several times: callers merge by term). */
typedef struct qi_group_count {
    uint32_t term;
    uint32_t docs;
    uint64_t count;
} qi_group_count;
typedef struct qi_group_counts {
    size_t groups;
    qi_group_count **t; /* per group */
    size_t *n, *cap;    /* per group */
} qi_group_counts;
int qi_count_terms_groups(quarry_index *ix, const quarry_subcorpus *sc,
                          const quarry_groups *groups, qi_group_counts *out);
void qi_group_counts_free(quarry_env *env, qi_group_counts *gc);
/* 1 if no segment has a CJK word layer: then the WORDS unit is the TERMS
 * unit and counts may come from the postings. */
int qi_terms_are_words(quarry_index *ix);
/* Flags of term id (QI_ITEM_*), computed now if it was never seen. */
int qi_itemizer_term_flags(qi_itemizer *it, uint32_t term, uint8_t *flags);

/* The next document of sc after id (from id + 1; sc NULL: live ones);
 * quarry_index_doc_limit when none is left. Start with qi_next_doc(ix, sc,
 * UINT64_MAX). */
uint64_t qi_next_doc(quarry_index *ix, const quarry_subcorpus *sc, uint64_t id);

/* Word-joining rule of n-grams: a space between two items unless both are
 * CJK (flags). */
static inline int qi_join_with_space(uint8_t left, uint8_t right)
{
    return !((left & QI_ITEM_CJK) && (right & QI_ITEM_CJK));
}

/* The documents of sc (NULL: live ones) split by groups (NULL: one list of
 * them all): lists[g] holds ns[g] ids ascending. Free with
 * qi_doc_lists_free. QUARRY_OK or QUARRY_ENOMEM (message on env). */
typedef struct qi_doc_lists {
    size_t n;       /* lists */
    uint64_t **ids; /* per list */
    size_t *len;    /* per list */
    size_t *cap;    /* per list (allocated entries) */
} qi_doc_lists;
int qi_doc_lists_build(quarry_env *env, quarry_index *ix,
                       const quarry_subcorpus *sc, const quarry_groups *groups,
                       qi_doc_lists *out);
void qi_doc_lists_free(quarry_env *env, qi_doc_lists *dl);

/* A counted entry before ranking: key is an item (single items) or a slot
 * of the n-gram table. */
typedef struct qi_cand {
    uint64_t count;
    uint64_t docs;
    uint64_t key;
} qi_cand;

/* Ranking of entries with equal counts: bytewise by text, item by item
 * for n-grams (<0, 0, >0). */
typedef int (*qi_cand_text_cmp)(void *ud, uint64_t a, uint64_t b);
/* Appends the text of key to out. */
typedef int (*qi_cand_text)(void *ud, uint64_t key, qi_buf *out);

/* Orders cands (count descending, then text), keeps the first top (0: all)
 * and appends them as entries of group to f with per-million figures over
 * tokens. cands is reordered. QUARRY_OK or QUARRY_ENOMEM. */
int qi_freq_emit(quarry_freq *f, qi_cand *cands, size_t n, size_t top,
                 size_t group, uint64_t tokens, qi_cand_text_cmp cmp,
                 qi_cand_text text, void *ud);
/* Sorts n candidates best first (heapsort: no allocation). */
void qi_cands_sort(qi_cand *c, size_t n, qi_cand_text_cmp cmp, void *ud);
/* Moves the best k of n candidates to the front, sorted (k <= n). */
void qi_cands_top(qi_cand *c, size_t n, size_t k, qi_cand_text_cmp cmp,
                  void *ud);

/* N-grams of the documents of one list into f (ngrams.c). */
int qi_ngrams_count(quarry_freq *f, qi_itemizer *it, const uint64_t *docs,
                    size_t ndocs, size_t group, const quarry_freq_options *o,
                    quarry_freq_totals *tot, char *errmsg);

#endif
