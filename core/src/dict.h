/*
 * dict.h - dictionaries inside the core: the entry list behind quarry_dict
 * (dict.c) and the per-segment matcher the query executor drives
 * (dict_match.c). Not installed.
 */
#ifndef QUARRY_DICT_H
#define QUARRY_DICT_H

#include "internal.h"
#include "segment.h"

/* A dictionary matcher bound to one segment: every entry compiled to sets of
 * the segment's local term ordinals (globs expanded over its dictionary,
 * words normalized by tok), matched in one pass over a document's token ids
 * with the policy of mode (QUARRY_DICT_LONGEST or QUARRY_DICT_ALL). */
typedef struct qi_dictmatch qi_dictmatch;

/* One dictionary hit inside a document: tokens [first, end), category. */
typedef struct qi_dicthit {
    uint64_t first, end;
    uint32_t category;
} qi_dicthit;

/* Compiles d for seg. tok must have been created with the index's
 * tokenizer options; it is used during the call only. *out is owned by the
 * caller. Errors (message in errmsg, QI_ERRMSG_SIZE bytes): QUARRY_ENOMEM,
 * QUARRY_ECORRUPT (reading seg's dictionary), QUARRY_ELIMIT (a glob expands
 * to more than max_expansion terms). */
int qi_dictmatch_new(quarry_env *env, const quarry_dict *d, int mode,
                     qi_segment *seg, quarry_tokenizer *tok,
                     uint64_t max_expansion, qi_dictmatch **out,
                     char *errmsg);
void qi_dictmatch_free(qi_dictmatch *m);

/* The local term ordinals that can start a match (the first word of every
 * entry, globs expanded), sorted ascending without duplicates: a document
 * holds a match only if it contains one of them. Borrowed from m. */
const uint64_t *qi_dictmatch_anchors(const qi_dictmatch *m, size_t *n);

/* Appends to *hits (an array of *cap entries, grown with qi_array_reserve)
 * the matches among n token ids (local ordinals) of one document, in order
 * of first, then end, then category; *nhits is updated. Returns QUARRY_OK or
 * QUARRY_ENOMEM. */
int qi_dictmatch_doc(qi_dictmatch *m, const uint32_t *ids, size_t n,
                     qi_dicthit **hits, size_t *nhits, size_t *cap);

#endif
