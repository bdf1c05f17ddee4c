/*
 * lquarry.h - shared declarations of the quarry.core binding units.
 *
 * Every function of the module and every method of its handles has one
 * upvalue: the module state (LQ_STATE), a userdata that owns the quarry_env
 * all core objects are created from. Handles pin it through their first user
 * value, so the env outlives every object allocated from it (finalizers run
 * in reverse order of marking, and the state is marked first).
 */
#ifndef LQUARRY_H
#define LQUARRY_H

#include "quarry.h"

#include <lauxlib.h>
#include <lua.h>

#define LQ_STATE_MT "quarry.State"
#define LQ_TOKENIZER_MT "quarry.Tokenizer"
#define LQ_SOURCES_MT "quarry.Sources"
#define LQ_DOCUMENT_MT "quarry.Document"
#define LQ_SUMMARY_MT "quarry.Summary"
#define LQ_INDEX_MT "quarry.Index"
#define LQ_VOCABSCAN_MT "quarry.VocabScan"
#define LQ_WRITER_MT "quarry.Writer"

/* The module state: the env plus, as user value 1, the tokenizer cache. */
typedef struct lq_state {
    quarry_env *env;
    int cached_tokenizers; /* entries in the cache, bounded by
                              LQ_TOKENIZER_CACHE */
} lq_state;

/* Scripts that vary opts.words per call would otherwise grow the cache
 * without bound; past this many tokenizers the cache starts afresh (the
 * old ones are collected once unused). */
#define LQ_TOKENIZER_CACHE 16

#define LQ_STATE_UPVALUE lua_upvalueindex(1)

int luaopen_quarry_core(lua_State *L);

/* lquarry.c */

/* While luaopen_quarry_core runs, the state is at this stack index and the
 * module table at LQ_OPEN_MODULE; the lq_open_* functions rely on it. */
#define LQ_OPEN_STATE 1
#define LQ_OPEN_MODULE 2

/* The env of the module state (upvalue 1 of the running C function). */
quarry_env *lq_env(lua_State *L);
/* Sets funcs into the table at the top, each with the state as upvalue. */
void lq_set_funcs(lua_State *L, const luaL_Reg *funcs);
/* Creates metatable mt with the metamethods meta and an __index table of
 * methods (all with the state as upvalue), and publishes the methods table
 * as module._methods[short_name] so the Lua layer can add methods. Leaves
 * the stack as it was. */
void lq_define_class(lua_State *L, const char *mt, const char *short_name,
                     const luaL_Reg *meta, const luaL_Reg *methods);

/* lquarry_util.c */

/* Pushes nil, message, code-name; returns 3 (for `return lq_fail(...)`). */
int lq_fail(lua_State *L, int status, const char *msg);
/* Checks that the optional argument at idx is nil or a table; returns 1 if
 * it is a table. */
int lq_opt_table(lua_State *L, int idx);
/* Reads opts[key] as a boolean (nil -> def); raises on other types. */
int lq_opt_bool(lua_State *L, int idx, const char *key, int def);
/* Reads opts[key] as a string or NULL; the string stays valid while the
 * opts table holds it. Raises on other types. */
const char *lq_opt_string(lua_State *L, int idx, const char *key);
/* Formats a date as ISO 8601 text at its precision into buf (48 bytes). */
void lq_format_date(const quarry_date *d, char *buf, size_t size);
/* Pushes a field's value: integer, number, ISO date string or string. */
void lq_push_field_value(lua_State *L, const quarry_field *f);
const char *lq_field_type_name(int type);
/* Pushes the document table {source, record, format, encoding, replaced,
 * text, fields, types}. */
void lq_push_doc_table(lua_State *L, const quarry_doc *doc);
/* Creates a userdata with nuv user values and metatable mt, zero-filled,
 * with user value 1 set to the module state: the "closed" handle that is
 * safe to collect before its resource exists. */
void *lq_new_handle(lua_State *L, size_t size, int nuv, const char *mt);

/* lquarry_tokenize.c */

/* Fills opts from the Lua table at idx (may be absent) and pushes a cache
 * key string for it. Strings point into the table. Keys other than the
 * tokenizer options and those listed in extra (NULL-terminated, may be
 * NULL) raise. */
void lq_tokenizer_options(lua_State *L, int idx, quarry_tokenizer_options *o,
                          const char *const *extra);
/* Adds opts.words (an array of strings) to tok; returns status. */
int lq_add_user_words(lua_State *L, int idx, quarry_tokenizer *tok);
void lq_open_tokenize(lua_State *L);

/* lquarry_read.c */
void lq_open_read(lua_State *L);
/* Checks that the argument is a live Document; returns its doc. */
const quarry_doc *lq_check_document(lua_State *L, int idx);
/* Returns 1 with a new Document (owned by the returned userdata) pushed, or
 * 0 at the end of the sources at idx (nothing pushed); raises on failure. */
int lq_sources_next_document(lua_State *L, int idx);

/* lquarry_summary.c */
void lq_open_summary(lua_State *L);

/* lquarry_index.c */
void lq_open_index(lua_State *L);
/* Checks that the argument is an open Index; returns its snapshot. */
quarry_index *lq_check_index(lua_State *L, int idx);
/* Pushes tokenizer options as the table quarry.tokenize takes. */
void lq_push_tokenizer_options(lua_State *L, const quarry_tokenizer_options *o);

/* lquarry_writer.c */
void lq_open_writer(lua_State *L);

/* lquarry_search.c: quarry.query, Index:search/cursor/count/kwic */
void lq_open_search(lua_State *L);
/* Returns the query at idx: a Query, a Dictionary (as a query) or a string
 * (compiled; raises on a syntax error). Borrowed from the value at idx. */
const quarry_query *lq_check_query(lua_State *L, int idx);

/* lquarry_grep.c: quarry.regex, quarry.grep */
void lq_open_grep(lua_State *L);

/* lquarry_dict.c: quarry.dictionary */
void lq_open_dict(lua_State *L);
/* If the value at idx is a Dictionary, returns the query built from it
 * (owned by the Dictionary userdata), else NULL. */
const quarry_query *lq_test_dict_query(lua_State *L, int idx);

/* lquarry_subcorpus.c: the subcorpus options every analysis takes */
/* Reads opts.filter (field filter text) and opts.query (query text, Query
 * or Dictionary: documents with a hit) from the table at opts_idx (may be
 * none/nil) and returns the subcorpus of ix they select, or NULL for "every
 * live document" when neither is given. The subcorpus is owned by a
 * userdata pushed on the stack (freed by the collector or lq_subcorpus_done)
 * - one value is pushed in every case (nil when NULL is returned). A bad
 * filter or query raises with its 1-based position. */
quarry_subcorpus *lq_opt_subcorpus(lua_State *L, quarry_index *ix,
                                   int opts_idx);
/* Frees the subcorpus owned by the userdata at idx now (if any). */
void lq_subcorpus_done(lua_State *L, int idx);

/* lquarry_opts.c: what the analysis bindings share */
/* Owns a core result (freed with free_fn) while Lua tables are built from
 * it, so that an error raised half-way frees it: set p after creating. */
typedef struct lq_owner {
    void *p;
    void (*free_fn)(void *p);
} lq_owner;
/* Pushes a new owner (nothing owned yet). */
lq_owner *lq_new_owner(lua_State *L, void (*free_fn)(void *));
/* Raises "METHOD: unknown option 'k'" for keys of the options table at idx
 * (may be none/nil) that are not in the NULL-terminated list allowed. */
void lq_check_keys(lua_State *L, int idx, const char *method,
                   const char *const *allowed);
/* opts[key] as an integer in [lo, hi], def when absent; raises otherwise. */
lua_Integer lq_opt_int_range(lua_State *L, int idx, const char *key,
                             lua_Integer def, lua_Integer lo, lua_Integer hi);
/* Pushes the label of document id as records show it: its source's file
 * name, with ":record" for a record of a multi-record file; nil if absent. */
void lq_push_doc_label(lua_State *L, quarry_index *ix, uint64_t id);
/* Pushes the value of field name of document id, or nil. */
void lq_push_doc_field(lua_State *L, quarry_index *ix, uint64_t id,
                       const char *name);

/* lquarry_stats.c: quarry.stats (association, keyness, dispersion, pvalue) */
void lq_open_stats(lua_State *L);
/* lquarry_analysis.c: Index freq, ngrams, keyness, lexstats */
void lq_open_analysis(lua_State *L);
/* lquarry_qanalysis.c: Index collocates, dispersion, timeline */
void lq_open_qanalysis(lua_State *L);
/* lquarry_dates.c: quarry.dates, Index statements */
void lq_open_dates(lua_State *L);

/* lquarry_yaml.c: quarry.yaml (decode) */
void lq_open_yaml(lua_State *L);

/* lquarry.c: small operating-system helpers for the CLI (module._sys) */
void lq_open_sys(lua_State *L);

#endif
