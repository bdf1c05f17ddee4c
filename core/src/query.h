/*
 * query.h - the parsed form of a query, shared by the parser
 * (query_parse.c), the dictionary compiler (dict.c) and the executor
 * (query_exec*.c). Not installed. The grammar is in docs/query.md.
 *
 * A query is a tree of qi_qnode. The parser keeps words as the user typed
 * them (unescaped): they are tokenized and normalized only when the query is
 * bound to an index (quarry_search_new), with that index's tokenizer.
 */
#ifndef QUARRY_QUERY_H
#define QUARRY_QUERY_H

#include "internal.h"

typedef enum qi_qkind {
    /* Positional leaves: they produce hits. */
    QN_TERM = 1, /* text: a word or a quoted phrase; tokenized at bind time,
                    several tokens make a phrase (CJK: one per character) */
    QN_WILDCARD, /* text: one word with * (any run) and ? (one character);
                    matched against normalized terms of the vocabulary */
    QN_REGEX,    /* text: PCRE2 pattern matched against whole normalized
                    terms; QN_F_CASELESS for /.../i */
    QN_SEQ,      /* CQL token sequence: kids are QN_TOKEN, in order */
    QN_TOKEN,    /* one position of a sequence, repeated min..max times;
                    kids[0] is its test (QN_ATTR/QN_ATTR_*), or no kid for []
                    (any token). A quoted string inside a sequence is parsed
                    as QN_TOKEN with kid QN_ATTR norm = text and QN_F_PHRASE:
                    the binder expands it to one QN_TOKEN per token */
    QN_ATTR,     /* attr test: attr QA_WORD | QA_NORM, op QA_EQ | QA_NE,
                    value text as QV_LITERAL | QV_WILDCARD | QV_REGEX */
    QN_ATTR_AND, /* kids: tests, all must hold */
    QN_ATTR_OR,  /* kids: tests, one must hold */
    QN_ATTR_NOT, /* kids[0]: test that must not hold */
    /* Combinations. */
    QN_AND,    /* kids: operands; documents (or scope units) where every
                  positive operand has a hit and no NOT operand has one; hits
                  are those of the positive operands */
    QN_OR,     /* kids: operands; hits of any */
    QN_NOT,    /* kids[0]: operand; only as an operand of a QN_AND that has
                  a positive operand (the parser rejects NOT a alone, and
                  a OR NOT b, with ESYNTAX at the NOT) */
    QN_NEAR,   /* kids: operands (positional); near = n; QN_F_ORDERED for
                  ONEAR. A match is one hit of each operand such that
                  (max end - min start) - (sum of their lengths) <= n;
                  with ORDERED the hits start in operand order and do not
                  overlap. Each minimal such window is one hit. */
    QN_FILTER, /* a document filter (filter is compiled and owned); the
                  parser only puts it under the root QN_AND or as root */
    QN_DICT    /* dict (a private copy, owned), dict_mode QUARRY_DICT_* */
} qi_qkind;

enum {
    QN_F_CASE = 1u << 0,     /* =word / ="phrase": compare surface forms
                                exactly (case-sensitive, no NFKC) */
    QN_F_CASELESS = 1u << 1, /* regex flag i */
    QN_F_ORDERED = 1u << 2,  /* ONEAR */
    QN_F_PHRASE = 1u << 3    /* quoted string inside a sequence */
};

enum { QA_NORM = 0, QA_WORD = 1 };       /* attribute of a QN_ATTR */
enum { QA_EQ = 0, QA_NE = 1 };           /* operator of a QN_ATTR */
enum { QV_LITERAL = 0, QV_WILDCARD = 1, QV_REGEX = 2 }; /* its value */

/* Scope of the boolean and NEAR operators: "within s|p|doc". */
enum { QI_SCOPE_DOC = 0, QI_SCOPE_SENTENCE = 1, QI_SCOPE_PARAGRAPH = 2 };

#define QI_QUANT_INF UINT32_MAX /* max of * and + and {n,} */

typedef struct qi_qnode qi_qnode;
struct qi_qnode {
    qi_qkind kind;
    unsigned flags;   /* QN_F_* */
    size_t pos, len;  /* byte span in the query text, for error messages */
    char *text;       /* owned, NUL-terminated, unescaped; NULL if none */
    size_t text_len;
    uint32_t near;      /* QN_NEAR distance */
    uint32_t min, max;  /* QN_TOKEN repetitions (1, 1 without quantifier) */
    int attr, op, vkind; /* QN_ATTR: QA_*, QA_EQ/QA_NE, QV_* */
    quarry_filter *filter; /* QN_FILTER, owned */
    quarry_dict *dict;     /* QN_DICT, owned */
    int dict_mode;         /* QN_DICT: QUARRY_DICT_* */
    qi_qnode **kids;       /* owned array of owned nodes */
    size_t nkids;
};

struct quarry_query {
    quarry_env *env;
    char *text; /* owned copy of the query text, NUL-terminated */
    size_t len;
    qi_qnode *root;
    int scope; /* QI_SCOPE_* */
};

/* Allocates a zeroed node of kind (min = max = 1); NULL on failure. */
qi_qnode *qi_qnode_new(quarry_env *env, qi_qkind kind, size_t pos, size_t len);
/* Appends kid to parent's kids (taking ownership); false on failure (kid is
 * then still the caller's). */
bool qi_qnode_add(quarry_env *env, qi_qnode *parent, qi_qnode *kid);
/* Frees a node and everything under it (NULL is allowed). */
void qi_qnode_free(quarry_env *env, qi_qnode *n);

/* A private copy of a dictionary (dict.c), for QN_DICT nodes. */
int qi_dict_clone(quarry_env *env, const quarry_dict *d, quarry_dict **out);

#endif
