/*
 * dict_internal.h - the layout of quarry_dict, shared by its units: the
 * object (dict.c), the YAML loader (dict_yaml.c), the matcher
 * (dict_match.c) and the lint (dict_lint.c). Not installed.
 */
#ifndef QUARRY_DICT_INTERNAL_H
#define QUARRY_DICT_INTERNAL_H

#include "dict.h"

typedef struct qi_dict_category {
    char *name; /* owned, NUL-terminated; nested names joined with '.' */
    size_t len;
} qi_dict_category;

typedef struct qi_dict_entry {
    size_t category;
    char *pattern; /* owned, NUL-terminated, white space squeezed */
    size_t len;
} qi_dict_entry;

struct quarry_dict {
    quarry_env *env;
    qi_dict_category *cats;
    size_t ncats, cats_cap;
    qi_dict_entry *entries;
    size_t nentries, entries_cap;
    size_t *set; /* open addressing over entries (SIZE_MAX = empty), to keep
                    an entry once per category */
    size_t set_cap;
    quarry_dict_issue *issues; /* last lint; messages owned */
    size_t nissues, issues_cap;
    char errmsg[QI_ERRMSG_SIZE];
};

/* Index of the category name (len bytes), created at the end if new. */
int qi_dict_category_index(quarry_dict *d, const char *name, size_t len,
                           size_t *out);
/* Adds a pattern to category (an index); QUARRY_EINVAL for an empty or
 * invalid pattern, a duplicate is kept once. */
int qi_dict_add_entry(quarry_dict *d, size_t category, const char *pattern,
                      size_t len);

/* Sets live[e] for every dictionary entry e (live has one flag per entry)
 * that can match in the matcher's segment: all its words are in the
 * segment's dictionary. For the lint. */
void qi_dictmatch_mark_entries(const qi_dictmatch *m, bool *live);

#endif
