/*
 * dict_pattern.h - the syntax of dictionary patterns (dict_pattern.c):
 * words, globs and their escapes, and globs compiled against a tokenizer's
 * normalization. Not installed.
 */
#ifndef QUARRY_DICT_PATTERN_H
#define QUARRY_DICT_PATTERN_H

#include "internal.h"

/* Longest entry, in words (and tokens): longer ones are cut off by the
 * splitter and rejected by the matcher's compiler. */
#define QI_DICT_MAX_WORDS 64

/* Splits a pattern (white space squeezed to single spaces) into words:
 * word i is bytes [start[i], end[i]). Returns the number of words (at most
 * max). */
size_t qi_dict_split_words(const char *p, size_t len, size_t *start,
                           size_t *end, size_t max);
/* 1 if the word (len bytes) holds an unescaped * or ?. */
bool qi_dict_word_is_glob(const char *w, size_t len);
/* Removes the backslashes escaping *, ? or \ into out (len + 1 bytes);
 * returns the new length. */
size_t qi_dict_unescape(const char *w, size_t len, char *out);

enum { QI_GLOB_LIT = 0, QI_GLOB_STAR = 1, QI_GLOB_ONE = 2 };

typedef struct qi_globop {
    int kind;
    size_t off, len; /* QI_GLOB_LIT: normalized bytes in text */
} qi_globop;

/* A glob word with its literal pieces normalized. Zero-initialize. */
typedef struct qi_glob {
    qi_globop *ops;
    size_t nops, ops_cap;
    qi_buf text;
} qi_glob;

/* Compiles the glob word w: each literal piece becomes the concatenated
 * norms of its tokens under tok (toks is scratch). Returns QUARRY_OK,
 * QUARRY_ENOMEM or the tokenizer's error; g is empty on failure. */
int qi_glob_compile(quarry_env *env, quarry_tokenizer *tok, quarry_tokens *toks,
                    const char *w, size_t len, qi_glob *g);
void qi_glob_free(quarry_env *env, qi_glob *g);
/* 1 if the whole of s (a normalized term) matches g; ? is one code point. */
bool qi_glob_match(const qi_glob *g, const char *s, size_t len);
/* The literal bytes every match starts with (maybe none). */
size_t qi_glob_prefix(const qi_glob *g, const char **prefix);
/* 1 if g is a lone star, which every term matches. */
bool qi_glob_is_star(const qi_glob *g);

#endif
