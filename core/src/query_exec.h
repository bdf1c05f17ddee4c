/*
 * query_exec.h - the executor of a parsed query (query.h) over one index
 * snapshot, shared by its units: binding words and patterns to one segment's
 * terms (query_bind.c), document-level candidate iteration (query_iter.c),
 * per-document hit computation (query_match.c) and the public search API
 * (query_search.c). Not installed. Semantics: docs/query.md.
 *
 * Every segment gets its own tree of qx_node, bound to its local term
 * ordinals. Documents are visited in ascending local order; the iterators
 * and the per-document hit lists of a tree only move forward.
 */
#ifndef QUARRY_QUERY_EXEC_H
#define QUARRY_QUERY_EXEC_H

#include "dict.h"
#include "index_internal.h"
#include "query.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* One hit inside a document: tokens [first, end). */
typedef struct qx_hit {
    uint64_t first, end;
    uint32_t tag;
} qx_hit;

/* A growable hit list, reused from document to document. */
typedef struct qx_hits {
    qx_hit *v;
    size_t n, cap;
} qx_hits;

typedef enum qx_kind {
    QX_TERMS = 1, /* any of a set of terms (one word, or an expansion) */
    QX_PHRASE,    /* kids: QX_TERMS at consecutive positions */
    QX_AND,
    QX_OR,
    QX_NOT,
    QX_NEAR,
    QX_SEQ,   /* token sequence; kids: QX_TERMS that must all occur */
    QX_DICT,  /* dictionary matches; kids: QX_TERMS over its anchors */
    QX_FILTER /* a document filter: true for every candidate (the filters
                 are applied as a per-segment bitmap) */
} qx_kind;

/* A compiled attribute test of a sequence element. */
typedef struct qx_test qx_test;
struct qx_test {
    qi_qkind kind; /* QN_ATTR, QN_ATTR_AND, QN_ATTR_OR, QN_ATTR_NOT */
    int attr, op, vkind;
    /* norm literal: one ordinal (has_ord 0: the word is not in the segment)
       norm wildcard/regex: a bitmap over the segment's term ordinals */
    uint64_t ord;
    int has_ord;
    uint64_t *bits;
    size_t nwords;
    /* word literal: the surface form (owned) */
    char *lit;
    size_t lit_len;
    pcre2_code *re; /* word wildcard/regex */
    qx_test **kids;
    size_t nkids;
};

/* One position of a sequence, repeated min..max times; test NULL: any. */
typedef struct qx_node qx_node;
typedef struct qx_elem {
    qx_test *test;
    uint32_t min, max;
    qx_node *req; /* the QX_TERMS kid of the sequence holding the set its
                     norm must be in (borrowed), or NULL */
} qx_elem;

struct qx_node {
    qx_kind kind;
    qx_node **kids;
    size_t nkids;
    /* QX_TERMS */
    qi_term *terms;
    qi_postings *pl;
    unsigned char *pl_state; /* per term: 0 not started, 1 at pl.doc, 2 done */
    size_t nterms;
    size_t *heap; /* many terms: live cursors as a min-heap on pl.doc */
    size_t heap_n;
    int heap_ready;
    char *surface; /* QN_F_CASE: exact surface form to check, owned */
    size_t surface_len;
    /* QX_NEAR */
    uint32_t near;
    int ordered;
    /* QX_PHRASE or QX_NEAR whose kids are all QX_TERMS without a surface
       check: computed from the kids' positions, without their hits */
    int plain;
    /* QX_PHRASE, QX_NEAR or QX_AND whose kids are all QX_TERMS of one term
       without a surface check: candidates from the cursors directly */
    int flat;
    /* QX_AND of words and NOT words whose positive words share no term:
       without a scope, its hits in a document are all its words'
       occurrences, so they are counted from the frequencies */
    int sum_count;
    /* QX_DICT */
    qi_dictmatch *dm;
    /* QX_SEQ */
    qx_elem *elems;
    size_t nelems;
    size_t anchor; /* element whose positions give the start positions */
    int has_anchor;
    /* plan: estimated documents with candidates, and the kids that must
       hold hits (AND-like nodes), rarest first */
    uint64_t est;
    size_t *order;
    size_t norder;
    /* candidate state: doc is the current candidate when started && !done */
    uint64_t doc;
    int started, done;
    /* hits of the document hits_doc (valid when have_hits) */
    uint64_t hits_doc;
    int have_hits;
    qx_hits hits;
};

/* The search object. */
struct quarry_search {
    quarry_env *env;
    quarry_index *ix; /* one reference */
    int scope;        /* QI_SCOPE_* */
    uint64_t max_expansion;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    /* one bound tree per segment (NULL for an empty segment list) */
    qx_node **trees;
    size_t ntrees;
    /* document filters: copies of the query's QN_FILTER nodes and of
       opts->filter (owned), all of which a document must pass */
    quarry_filter **filters;
    size_t nfilters;
    /* PCRE2 */
    pcre2_general_context *gctx;
    pcre2_match_context *mctx;
    pcre2_match_data *md;
    /* iteration */
    size_t seg;          /* segment being searched */
    uint64_t next_local; /* next local document to look at */
    uint64_t *allowed;   /* filter bitmap of the current segment, or NULL */
    size_t allowed_words;
    int seg_ready;
    qx_hits out;      /* hits of the current document */
    size_t out_next;  /* next of them to return */
    uint64_t out_doc; /* its global id */
    int finished;
    /* per-document scratch */
    uint64_t text_doc; /* document whose text is in text (+1; 0 = none) */
    qi_buf text;
    uint64_t tok_doc;  /* document whose tokens are all decoded (+1; 0 =
                          none or only a window) */
    uint64_t tok_base; /* position of ids[0] */
    uint32_t *ids;
    uint64_t *starts, *ends;
    size_t tok_n, ids_cap, starts_cap, ends_cap;
    uint64_t span_doc; /* document whose units are in units (+1) */
    quarry_span *units;
    size_t nunits, units_cap;
    uint64_t *pos; /* positions scratch */
    size_t pos_cap;
    uint64_t *set_a, *set_b; /* sequence automaton states, ONEAR chain
                                values */
    size_t set_a_cap, set_b_cap;
    qi_dicthit *dhits; /* dictionary matches of one document */
    size_t dhits_cap;
    size_t *cursors; /* per-operand scratch of phrases and NEAR; state
                        offsets of the sequence automaton */
    size_t cursors_cap;
    size_t *at_idx; /* cursors of a term set at the current document */
    size_t at_cap;
    uint64_t *plain_pos; /* positions of a plain phrase's or NEAR's kids */
    size_t plain_cap;
    uint64_t *plain_bits; /* a plain phrase's starts as a bitmap */
    size_t plain_bits_cap;
    char errmsg[QI_ERRMSG_SIZE];
};

/* ---- query_bind.c ---- */

/* Builds the tree of seg (NULL: no segment, only checks the words) for the
 * query q. Errors on s->errmsg: QUARRY_EINVAL / QUARRY_ELIMIT with
 * *error_pos, QUARRY_ENOMEM, QUARRY_ECORRUPT. */
int qx_bind(quarry_search *s, qi_segment *seg, const qi_qnode *q, qx_node **out,
            size_t *error_pos);
void qx_node_free(quarry_search *s, qx_node *n);

/* ---- query_iter.c ---- */

/* Term sets of more terms than this keep their cursors in a heap. */
#define QX_HEAP_MIN 16

/* The first document >= target that may hold hits of n: QUARRY_OK with
 * *doc, QUARRY_DONE, or an error (message on s). Targets never decrease. */
int qx_next_candidate(quarry_search *s, qx_node *n, uint64_t target,
                      uint64_t *doc);
/* Estimates candidate counts bottom-up and orders the required kids of
 * every AND-like node rarest first (for the leapfrog). */
int qx_plan(quarry_search *s, qx_node *n);
/* The cursors of term set n positioned on doc (its current candidate):
 * indexes into n->pl in s->at_idx, *count of them. */
int qx_terms_at(quarry_search *s, qx_node *n, uint64_t doc, size_t *count);

/* ---- query_match.c ---- */

/* Computes the hits of n in local document doc of segment seg (sorted by
 * first, then end, without duplicates) into n->hits. */
int qx_hits_of(quarry_search *s, qi_segment *seg, qx_node *n, uint64_t doc);
/* Whether qx_count_of can count the hits of tree root n without making
 * them (after qx_plan). */
bool qx_countable(const quarry_search *s, const qx_node *n);
/* The number of hits of countable n in its current candidate doc. */
int qx_count_of(quarry_search *s, qi_segment *seg, qx_node *n, uint64_t doc,
                uint64_t *count);
/* Keeps the hits of h inside one unit of the current document's scope. */
int qx_scope_filter(quarry_search *s, qi_segment *seg, uint64_t doc,
                    qx_hits *h);

bool qx_hits_reserve(quarry_env *env, qx_hits *h, size_t need);
void qx_hits_free(quarry_env *env, qx_hits *h);

#endif
