/*
 * lquarry_dict.c - quarry.dictionary: the Dictionary handle over a
 * quarry_dict, loaded from a YAML file or built from a Lua table, and the
 * query made from it (lazily, owned by the handle) so that a Dictionary is
 * accepted wherever a query is (lq_test_dict_query).
 */
#include "lquarry.h"

#include <stdlib.h>
#include <string.h>

#define LQ_DICT_MT "quarry.Dictionary"
#define LQ_DICTRUN_MT "quarry.DictionaryRun"

typedef struct lq_dict {
    quarry_dict *d;
    quarry_query *q; /* built on first use as a query */
    int mode;        /* QUARRY_DICT_* */
} lq_dict;

/* The search and filter of one d:count call, in a userdata so that a Lua
 * error while the results are collected still frees them. */
typedef struct lq_dictrun {
    quarry_search *s;
    quarry_filter *f;
} lq_dictrun;

enum { DICT_NUV = 1 };

#define LQ_DICT_BATCH 512

static int dict_gc(lua_State *L)
{
    lq_dict *u = luaL_checkudata(L, 1, LQ_DICT_MT);
    if (u->q) {
        quarry_query_free(u->q);
        u->q = NULL;
    }
    if (u->d) {
        quarry_dict_free(u->d);
        u->d = NULL;
    }
    return 0;
}

static lq_dict *check_dict(lua_State *L, int idx)
{
    lq_dict *u = luaL_checkudata(L, idx, LQ_DICT_MT);
    if (!u->d)
        luaL_error(L, "attempt to use a closed quarry.Dictionary");
    return u;
}

const quarry_query *lq_test_dict_query(lua_State *L, int idx)
{
    lq_dict *u = luaL_testudata(L, idx, LQ_DICT_MT);
    int rc;
    if (!u)
        return NULL;
    if (!u->d)
        luaL_error(L, "attempt to use a closed quarry.Dictionary");
    if (!u->q) {
        rc = quarry_query_from_dict(lq_env(L), u->d, u->mode, &u->q);
        if (rc != QUARRY_OK)
            luaL_error(L, "dictionary: %s", quarry_env_errmsg(lq_env(L)));
    }
    return u->q;
}

/* Keys of the table at idx that are strings, sorted (pushed as an array). */
static void push_sorted_keys(lua_State *L, int idx)
{
    lua_Integer n = 0;
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, -3, ++n);
        }
    }
    /* table.sort is the simplest stable way to order Lua strings */
    lua_getglobal(L, "table");
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "sort");
        lua_pushvalue(L, -3);
        lua_call(L, 1, 0);
    }
    lua_pop(L, 1);
}

/* Adds the table at idx as category name (patterns in its array part,
 * subcategories under its string keys). Raises on a bad shape. */
static void add_table(lua_State *L, quarry_dict *d, int idx, const char *name,
                      int depth)
{
    lua_Integer i, n, nkeys;
    idx = lua_absindex(L, idx);
    if (depth > 64)
        luaL_error(L, "dictionary: categories nested deeper than 64 levels");
    n = (lua_Integer)lua_rawlen(L, idx);
    for (i = 1; i <= n; i++) {
        size_t len;
        const char *p;
        int rc;
        lua_rawgeti(L, idx, i);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L,
                       "dictionary: pattern %d of category '%s' must be a "
                       "string, got %s",
                       (int)i, name, luaL_typename(L, -1));
        p = lua_tolstring(L, -1, &len);
        rc = quarry_dict_add(d, name, p, len);
        if (rc == QUARRY_ENOMEM)
            luaL_error(L, "not enough memory");
        if (rc != QUARRY_OK)
            luaL_error(L, "dictionary: category '%s': %s", name,
                       quarry_dict_errmsg(d));
        lua_pop(L, 1);
    }
    /* keys that are neither the array part nor names */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING &&
            !(lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 &&
              lua_tointeger(L, -1) <= n))
            luaL_error(L,
                       "dictionary: category '%s' has a key that is neither a "
                       "pattern index nor a name (%s)",
                       name, luaL_typename(L, -1));
    }
    push_sorted_keys(L, idx);
    nkeys = (lua_Integer)lua_rawlen(L, -1);
    for (i = 1; i <= nkeys; i++) {
        const char *key;
        lua_rawgeti(L, -1, i); /* keys key */
        key = lua_tostring(L, -1);
        if (!*key)
            luaL_error(L, "dictionary: empty category name%s%s%s",
                       *name ? " under '" : "", name, *name ? "'" : "");
        lua_pushvalue(L, -1);
        lua_rawget(L, idx); /* keys key value */
        if (*name)
            lua_pushfstring(L, "%s.%s", name, key);
        else
            lua_pushstring(L, key); /* keys key value fullname */
        if (!lua_istable(L, -2))
            luaL_error(L,
                       "dictionary: category '%s' must be a table of "
                       "patterns or subcategories, got %s",
                       lua_tostring(L, -1), luaL_typename(L, -2));
        add_table(L, d, -2, lua_tostring(L, -1), depth + 1);
        lua_pop(L, 3);
    }
    lua_pop(L, 1);
}

/* The message of a file's parse error as "path:line:column: problem". */
static void push_parse_message(lua_State *L, const char *path, const char *msg,
                               size_t line, size_t col)
{
    /* the core writes "line L, column C: problem" */
    const char *p = strstr(msg, ": ");
    if (strncmp(msg, "line ", 5) == 0 && p)
        msg = p + 2;
    lua_pushfstring(L, "%s:%I:%I: %s", path, (lua_Integer)line,
                    (lua_Integer)col, msg);
}

static int l_dictionary(lua_State *L)
{
    quarry_env *env = lq_env(L);
    lq_dict *u;
    const char *mode = NULL;
    int has_opts;
    luaL_argexpected(L, lua_type(L, 1) == LUA_TSTRING || lua_istable(L, 1), 1,
                     "string or table");
    has_opts = lq_opt_table(L, 2);
    if (has_opts)
        mode = lq_opt_string(L, 2, "mode");
    u = lq_new_handle(L, sizeof *u, DICT_NUV, LQ_DICT_MT);
    u->mode = QUARRY_DICT_LONGEST;
    if (mode && strcmp(mode, "all") == 0)
        u->mode = QUARRY_DICT_ALL;
    else if (mode && strcmp(mode, "longest") != 0)
        return luaL_error(L,
                          "bad option 'mode' to 'dictionary' (\"longest\" or "
                          "\"all\" expected, got \"%s\")",
                          mode);
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *path = lua_tostring(L, 1);
        size_t line = 0, col = 0;
        int rc = quarry_dict_load(env, path, &u->d, &line, &col);
        if (rc == QUARRY_ENOMEM)
            return luaL_error(L, "not enough memory");
        if (rc != QUARRY_OK) {
            luaL_pushfail(L);
            if (rc == QUARRY_EPARSE)
                push_parse_message(L, path, quarry_env_errmsg(env), line, col);
            else
                lua_pushstring(L, quarry_env_errmsg(env));
            lua_pushstring(L, quarry_status_name(rc));
            if (rc != QUARRY_EPARSE)
                return 3;
            lua_pushinteger(L, (lua_Integer)line);
            lua_pushinteger(L, (lua_Integer)col);
            return 5;
        }
        return 1;
    }
    if (quarry_dict_new(env, &u->d) != QUARRY_OK)
        return luaL_error(L, "not enough memory");
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L,
                              "dictionary: the table must map category names "
                              "to tables of patterns (found a %s key)",
                              luaL_typename(L, -1));
    }
    add_table(L, u->d, 1, "", 0);
    return 1;
}

static int dict_categories(lua_State *L)
{
    lq_dict *u = check_dict(L, 1);
    size_t i, n = quarry_dict_category_count(u->d);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushstring(L, quarry_dict_category(u->d, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static void push_entry_fields(lua_State *L, const quarry_dict *d, size_t i)
{
    size_t cat = 0, len = 0;
    const char *p = "";
    quarry_dict_entry_get(d, i, &cat, &p, &len);
    lua_pushstring(L, quarry_dict_category(d, cat));
    lua_setfield(L, -2, "category");
    lua_pushlstring(L, p, len);
    lua_setfield(L, -2, "pattern");
}

static int dict_entries(lua_State *L)
{
    lq_dict *u = check_dict(L, 1);
    size_t i, n = quarry_dict_entry_count(u->d);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_createtable(L, 0, 2);
        push_entry_fields(L, u->d, i);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int dict_lint(lua_State *L)
{
    lq_dict *u = check_dict(L, 1);
    quarry_index *ix = lua_isnoneornil(L, 2) ? NULL : lq_check_index(L, 2);
    const quarry_dict_issue *is = NULL;
    size_t n = 0, i;
    int rc = quarry_dict_lint(u->d, NULL, ix, &is, &n);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_dict_errmsg(u->d));
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);
        lua_pushinteger(L, (lua_Integer)is[i].entry + 1);
        lua_setfield(L, -2, "entry");
        push_entry_fields(L, u->d, is[i].entry);
        lua_pushboolean(L, is[i].never_matches);
        lua_setfield(L, -2, "never_matches");
        lua_pushstring(L, is[i].message);
        lua_setfield(L, -2, "message");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int dictrun_gc(lua_State *L)
{
    lq_dictrun *r = luaL_checkudata(L, 1, LQ_DICTRUN_MT);
    quarry_search_free(r->s);
    r->s = NULL;
    quarry_filter_free(r->f);
    r->f = NULL;
    return 0;
}

/* d:count(idx [, {filter = "year>=2000", max_expansion = n}]): the hits
 * per live document and category, through quarry_search_* (each hit's tag
 * is its category): an array, in document order, of {doc = id, counts =
 * {n per category, in the order of d:categories()}, total = n}; documents
 * without hits are left out. nil, msg, code for a failed search, plus the
 * 1-based offset of the problem for a filter that does not parse. */
static int dict_count(lua_State *L)
{
    lq_dict *u = check_dict(L, 1);
    quarry_index *ix = lq_check_index(L, 2);
    quarry_env *env = lq_env(L);
    const quarry_query *q;
    const char *filter = NULL;
    quarry_search_options so;
    lq_dictrun *r;
    uint64_t docs[LQ_DICT_BATCH], cur = UINT64_MAX;
    uint32_t tags[LQ_DICT_BATCH];
    size_t got, i, ncat = quarry_dict_category_count(u->d), pos = 0, nrows = 0;
    int rc, row = 0;
    memset(&so, 0, sizeof so);
    if (lq_opt_table(L, 3)) {
        filter = lq_opt_string(L, 3, "filter");
        lua_getfield(L, 3, "max_expansion");
        if (!lua_isnil(L, -1))
            so.max_expansion = (uint64_t)luaL_checkinteger(L, -1);
        lua_pop(L, 1);
    }
    q = lq_test_dict_query(L, 1);
    r = lq_new_handle(L, sizeof *r, 1, LQ_DICTRUN_MT);
    if (filter) {
        rc = quarry_filter_compile(env, filter, strlen(filter), &r->f, &pos);
        if (rc != QUARRY_OK) {
            lq_fail(L, rc, quarry_env_errmsg(env));
            lua_pushinteger(L, (lua_Integer)pos + 1);
            return 4;
        }
        so.filter = r->f;
    }
    rc = quarry_search_new(env, ix, q, &so, &r->s, &pos);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(env));
    lua_newtable(L);
    while ((rc = quarry_search_next(r->s, LQ_DICT_BATCH, docs, NULL, NULL, tags,
                                    &got)) == QUARRY_OK) {
        for (i = 0; i < got; i++) {
            lua_Integer n;
            if (docs[i] != cur) {
                size_t c;
                if (row)
                    lua_pop(L, 2); /* previous row and its counts */
                cur = docs[i];
                lua_createtable(L, 0, 3);
                lua_pushinteger(L, (lua_Integer)cur + 1);
                lua_setfield(L, -2, "doc");
                lua_createtable(L, (int)ncat, 0);
                for (c = 1; c <= ncat; c++) {
                    lua_pushinteger(L, 0);
                    lua_rawseti(L, -2, (lua_Integer)c);
                }
                lua_pushvalue(L, -1);
                lua_setfield(L, -3, "counts");
                lua_pushvalue(L, -2);
                lua_rawseti(L, -4, (lua_Integer)++nrows);
                lua_pushinteger(L, 0);
                lua_setfield(L, -3, "total");
                row = 1;
            }
            if ((size_t)tags[i] < ncat) {
                n = (lua_rawgeti(L, -1, (lua_Integer)tags[i] + 1),
                     lua_tointeger(L, -1));
                lua_pop(L, 1);
                lua_pushinteger(L, n + 1);
                lua_rawseti(L, -2, (lua_Integer)tags[i] + 1);
            }
            lua_getfield(L, -2, "total");
            n = lua_tointeger(L, -1);
            lua_pop(L, 1);
            lua_pushinteger(L, n + 1);
            lua_setfield(L, -3, "total");
        }
    }
    if (row)
        lua_pop(L, 2);
    if (rc != QUARRY_DONE)
        return lq_fail(L, rc, quarry_search_errmsg(r->s));
    return 1;
}

static int dict_mode(lua_State *L)
{
    lq_dict *u = check_dict(L, 1);
    lua_pushstring(L, u->mode == QUARRY_DICT_ALL ? "all" : "longest");
    return 1;
}

static int dict_close(lua_State *L)
{
    return dict_gc(L);
}

static int dict_tostring(lua_State *L)
{
    lq_dict *u = luaL_checkudata(L, 1, LQ_DICT_MT);
    if (!u->d)
        lua_pushliteral(L, "quarry.Dictionary (closed)");
    else
        lua_pushfstring(L, "quarry.Dictionary (%I categories, %I entries)",
                        (lua_Integer)quarry_dict_category_count(u->d),
                        (lua_Integer)quarry_dict_entry_count(u->d));
    return 1;
}

static const luaL_Reg dict_meta[] = {{"__gc", dict_gc},
                                     {"__close", dict_gc},
                                     {"__tostring", dict_tostring},
                                     {NULL, NULL}};
static const luaL_Reg dict_methods[] = {{"categories", dict_categories},
                                        {"entries", dict_entries},
                                        {"lint", dict_lint},
                                        {"mode", dict_mode},
                                        {"count", dict_count},
                                        {"close", dict_close},
                                        {NULL, NULL}};
static const luaL_Reg dictrun_meta[] = {
    {"__gc", dictrun_gc}, {"__close", dictrun_gc}, {NULL, NULL}};
static const luaL_Reg dictrun_methods[] = {{NULL, NULL}};
static const luaL_Reg funcs[] = {{"dictionary", l_dictionary}, {NULL, NULL}};

void lq_open_dict(lua_State *L)
{
    lq_define_class(L, LQ_DICT_MT, "Dictionary", dict_meta, dict_methods);
    lq_define_class(L, LQ_DICTRUN_MT, "DictionaryRun", dictrun_meta,
                    dictrun_methods);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, funcs);
    lua_pop(L, 1);
}
