/*
 * lquarry_search.c - queries from Lua: quarry.query (the Query handle), and
 * the Index methods search, cursor, count and kwic with the Cursor handle
 * over a quarry_search.
 *
 * Hits cross the boundary as three integers: document id (1-based), first
 * and last token position (1-based, inclusive). A Cursor owns its
 * quarry_search (which holds its own reference of the snapshot) and pins
 * the Index userdata and the query value through user values. Hits are
 * fetched from C in batches, so the per-hit cost in Lua is one call.
 */
#include "lquarry.h"

#include <string.h>

#define LQ_QUERY_MT "quarry.Query"
#define LQ_CURSOR_MT "quarry.Cursor"
#define LQ_HIT_BATCH 512

typedef struct lq_query {
    quarry_query *q;
} lq_query;

typedef struct lq_cursor {
    quarry_search *s;
    quarry_index *ix;      /* borrowed: the search holds a reference */
    const quarry_query *q; /* borrowed: pinned by a user value */
    int is_dict;           /* hits carry a category */
    lua_Integer limit;     /* hits still allowed; < 0 unlimited */
    size_t n, at;          /* batch size and next unread entry */
    uint64_t docs[LQ_HIT_BATCH], firsts[LQ_HIT_BATCH], ends[LQ_HIT_BATCH];
    uint32_t tags[LQ_HIT_BATCH];
} lq_cursor;

enum {
    CUR_UV_STATE = 1,
    CUR_UV_INDEX,
    CUR_UV_QUERY,
    CUR_UV_CATEGORIES, /* names of a dictionary's categories, or nil */
    CUR_NUV = CUR_UV_CATEGORIES
};
enum { Q_NUV = 1 };

/* ---- Query ---------------------------------------------------------------*/

static int query_gc(lua_State *L)
{
    lq_query *u = luaL_checkudata(L, 1, LQ_QUERY_MT);
    if (u->q) {
        quarry_query_free(u->q);
        u->q = NULL;
    }
    return 0;
}

static lq_query *check_query_ud(lua_State *L, int idx)
{
    lq_query *u = luaL_checkudata(L, idx, LQ_QUERY_MT);
    if (!u->q)
        luaL_error(L, "attempt to use a closed quarry.Query");
    return u;
}

/* Compiles the string at idx into a new Query userdata pushed on the stack.
 * Returns QUARRY_OK, or the status with nil, msg, code, position pushed. */
static int compile_query(lua_State *L, int idx, int *nret)
{
    size_t len, pos = 0;
    const char *text = luaL_checklstring(L, idx, &len);
    lq_query *u = lq_new_handle(L, sizeof *u, Q_NUV, LQ_QUERY_MT);
    int rc = quarry_query_compile(lq_env(L), text, len, &u->q, &pos);
    if (rc != QUARRY_OK) {
        u->q = NULL;
        lua_pop(L, 1);
        *nret = lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
        lua_pushinteger(L, (lua_Integer)pos + 1);
        (*nret)++;
    }
    return rc;
}

/* quarry.query(text) -> Query | nil, msg, "ESYNTAX"|"ELIMIT", position */
static int l_query(lua_State *L)
{
    int nret = 1;
    compile_query(L, 1, &nret);
    return nret;
}

const quarry_query *lq_check_query(lua_State *L, int idx)
{
    const quarry_query *q;
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TSTRING) {
        int nret = 0;
        if (compile_query(L, idx, &nret) != QUARRY_OK)
            luaL_error(L, "bad query: %s", lua_tostring(L, -3));
        lua_replace(L, idx); /* the Query userdata now owns it */
    }
    q = lq_test_dict_query(L, idx);
    if (q)
        return q;
    if (!luaL_testudata(L, idx, LQ_QUERY_MT))
        luaL_typeerror(L, idx,
                       "query (string, quarry.Query or "
                       "quarry.Dictionary)");
    return check_query_ud(L, idx)->q;
}

static int query_text(lua_State *L)
{
    lua_pushstring(L, quarry_query_text(check_query_ud(L, 1)->q));
    return 1;
}

/* query:explain() -> the parsed form as an S-expression */
static int query_explain(lua_State *L)
{
    const quarry_query *q = check_query_ud(L, 1)->q;
    luaL_Buffer b;
    size_t need = quarry_query_format(q, NULL, 0);
    char *p = luaL_buffinitsize(L, &b, need + 1);
    quarry_query_format(q, p, need + 1);
    luaL_pushresultsize(&b, need);
    return 1;
}

static int query_tostring(lua_State *L)
{
    lq_query *u = luaL_checkudata(L, 1, LQ_QUERY_MT);
    if (u->q)
        lua_pushfstring(L, "quarry.Query (%s)", quarry_query_text(u->q));
    else
        lua_pushliteral(L, "quarry.Query (closed)");
    return 1;
}

/* ---- Cursor --------------------------------------------------------------*/

static int cursor_gc(lua_State *L)
{
    lq_cursor *c = luaL_checkudata(L, 1, LQ_CURSOR_MT);
    if (c->s) {
        quarry_search_free(c->s);
        c->s = NULL;
    }
    return 0;
}

static lq_cursor *check_cursor(lua_State *L, int idx)
{
    lq_cursor *c = luaL_checkudata(L, idx, LQ_CURSOR_MT);
    if (!c->s)
        luaL_error(L, "attempt to use a closed quarry.Cursor");
    return c;
}

static int parse_search_opts(lua_State *L, int idx, quarry_filter **filter,
                             lua_Integer *limit)
{
    static const char *const known[] = {"filter", "limit", NULL};
    *filter = NULL;
    *limit = -1;
    if (!lq_opt_table(L, idx))
        return 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int i, ok = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            for (i = 0; known[i]; i++)
                if (strcmp(lua_tostring(L, -2), known[i]) == 0)
                    ok = 1;
        if (!ok) {
            lua_pushvalue(L, -2);
            return luaL_error(L, "unknown search option '%s'",
                              luaL_tolstring(L, -1, NULL));
        }
        lua_pop(L, 1);
    }
    lua_getfield(L, idx, "limit");
    if (!lua_isnil(L, -1)) {
        *limit = luaL_checkinteger(L, -1);
        if (*limit < 0)
            luaL_error(L, "option 'limit' must be >= 0");
    }
    lua_pop(L, 1);
    lua_getfield(L, idx, "filter");
    if (!lua_isnil(L, -1)) {
        size_t len, pos = 0;
        const char *text;
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "option 'filter' must be a string");
        text = lua_tolstring(L, -1, &len);
        if (quarry_filter_compile(lq_env(L), text, len, filter, &pos) !=
            QUARRY_OK)
            return luaL_error(L, "bad filter: %s",
                              quarry_env_errmsg(lq_env(L)));
    }
    lua_pop(L, 1);
    return 1;
}

/* Pushes a new Cursor for index at 1, query at 2, options at 3; returns 1,
 * or pushes nil, msg, code[, position] and returns their count. Raises for
 * bad arguments. */
static int new_cursor(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1);
    const quarry_query *q;
    quarry_search_options so;
    quarry_filter *filter = NULL;
    lua_Integer limit;
    lq_cursor *c;
    size_t pos = 0;
    int rc;

    lua_settop(L, 3);
    q = lq_check_query(L, 2);
    parse_search_opts(L, 3, &filter, &limit);
    c = lq_new_handle(L, sizeof *c, CUR_NUV, LQ_CURSOR_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, CUR_UV_INDEX);
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, -2, CUR_UV_QUERY);
    memset(&so, 0, sizeof so);
    so.filter = filter;
    rc = quarry_search_new(lq_env(L), ix, q, &so, &c->s, &pos);
    quarry_filter_free(filter);
    if (rc != QUARRY_OK) {
        int nret;
        c->s = NULL;
        nret = lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
        if (rc == QUARRY_ELIMIT || rc == QUARRY_ESYNTAX ||
            rc == QUARRY_EINVAL) {
            lua_pushinteger(L, (lua_Integer)pos + 1);
            nret++;
        }
        return nret;
    }
    c->ix = ix;
    c->q = q;
    c->is_dict = lq_test_dict_query(L, 2) != NULL;
    c->limit = limit;
    if (c->is_dict) { /* names once, not per hit: dictionary:categories() */
        int cur = lua_gettop(L);
        lua_getfield(L, 2, "categories");
        lua_pushvalue(L, 2);
        lua_call(L, 1, 1);
        lua_setiuservalue(L, cur, CUR_UV_CATEGORIES);
    }
    return 1;
}

/* Makes the next hit available at c->at; returns 0 at the end. Raises on a
 * search failure (corrupt index, out of memory, a regex limit). */
static int cursor_fill(lua_State *L, lq_cursor *c)
{
    size_t got = 0;
    int rc;
    if (c->limit == 0)
        return 0;
    if (c->at < c->n)
        return 1;
    rc = quarry_search_next(c->s, LQ_HIT_BATCH, c->docs, c->firsts, c->ends,
                            c->tags, &got);
    if (rc < 0)
        return luaL_error(L, "quarry.Cursor: %s (%s)",
                          quarry_search_errmsg(c->s), quarry_status_name(rc));
    c->n = got;
    c->at = 0;
    return got > 0;
}

/* Pushes the category name of a dictionary hit's tag (cursor at 1). */
static void push_category(lua_State *L, uint32_t tag)
{
    if (lua_getiuservalue(L, 1, CUR_UV_CATEGORIES) == LUA_TTABLE) {
        lua_rawgeti(L, -1, (lua_Integer)tag + 1);
        lua_remove(L, -2);
    } else {
        lua_pop(L, 1);
        lua_pushinteger(L, (lua_Integer)tag + 1);
    }
}

/* cursor:next() -> doc, first, last[, category] | nil at the end. Also the
 * iterator function of index:search (the cursor is its state). */
static int cursor_next(lua_State *L)
{
    lq_cursor *c = check_cursor(L, 1);
    size_t i;
    if (!cursor_fill(L, c))
        return 0;
    i = c->at++;
    if (c->limit > 0)
        c->limit--;
    lua_pushinteger(L, (lua_Integer)c->docs[i] + 1);
    lua_pushinteger(L, (lua_Integer)c->firsts[i] + 1);
    lua_pushinteger(L, (lua_Integer)c->ends[i]);
    if (c->is_dict) {
        push_category(L, c->tags[i]);
        return 4;
    }
    return 3;
}

/* cursor:fetch(n, docs, firsts, lasts[, tags]) -> count filled (0 at the
 * end). Entries 1..count of the caller's tables are overwritten; tags get
 * 1-based category indexes (dictionary queries) or 0. */
static int cursor_fetch(lua_State *L)
{
    lq_cursor *c = check_cursor(L, 1);
    lua_Integer want = luaL_checkinteger(L, 2), k = 0;
    int has_tags;
    luaL_argcheck(L, want >= 0, 2, "must be >= 0");
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    luaL_checktype(L, 5, LUA_TTABLE);
    has_tags = !lua_isnoneornil(L, 6);
    if (has_tags)
        luaL_checktype(L, 6, LUA_TTABLE);
    while (k < want && cursor_fill(L, c)) {
        size_t i = c->at++;
        if (c->limit > 0)
            c->limit--;
        k++;
        lua_pushinteger(L, (lua_Integer)c->docs[i] + 1);
        lua_rawseti(L, 3, k);
        lua_pushinteger(L, (lua_Integer)c->firsts[i] + 1);
        lua_rawseti(L, 4, k);
        lua_pushinteger(L, (lua_Integer)c->ends[i]);
        lua_rawseti(L, 5, k);
        if (has_tags) {
            lua_pushinteger(L, c->is_dict ? (lua_Integer)c->tags[i] + 1 : 0);
            lua_rawseti(L, 6, k);
        }
    }
    lua_pushinteger(L, k);
    return 1;
}

/* cursor:count() -> hits, documents still ahead (the cursor is used up) */
static int cursor_count(lua_State *L)
{
    lq_cursor *c = check_cursor(L, 1);
    uint64_t hits = 0, docs = 0, last_doc = UINT64_MAX;
    size_t got;
    int rc;
    if (c->at == c->n) {
        rc = quarry_search_count(c->s, &hits, &docs);
        if (rc < 0)
            return luaL_error(L, "quarry.Cursor: %s (%s)",
                              quarry_search_errmsg(c->s),
                              quarry_status_name(rc));
        lua_pushinteger(L, (lua_Integer)hits);
        lua_pushinteger(L, (lua_Integer)docs);
        return 2;
    }
    /* Hits are waiting in the batch and the search may go on in the
     * batch's last document, which quarry_search_count would count again:
     * the rest is read hit by hit instead. */
    for (;;) {
        for (; c->at < c->n; c->at++) {
            hits++;
            if (c->docs[c->at] != last_doc) {
                docs++;
                last_doc = c->docs[c->at];
            }
        }
        rc = quarry_search_next(c->s, LQ_HIT_BATCH, c->docs, c->firsts, c->ends,
                                c->tags, &got);
        if (rc < 0)
            return luaL_error(L, "quarry.Cursor: %s (%s)",
                              quarry_search_errmsg(c->s),
                              quarry_status_name(rc));
        c->n = got;
        c->at = 0;
        if (got == 0)
            break;
    }
    lua_pushinteger(L, (lua_Integer)hits);
    lua_pushinteger(L, (lua_Integer)docs);
    return 2;
}

static int cursor_close(lua_State *L)
{
    cursor_gc(L);
    return 0;
}

static int cursor_tostring(lua_State *L)
{
    lq_cursor *c = luaL_checkudata(L, 1, LQ_CURSOR_MT);
    lua_pushstring(L, c->s ? "quarry.Cursor" : "quarry.Cursor (closed)");
    return 1;
}

/* ---- Index methods -------------------------------------------------------*/

/* Frees the search of the Cursor at idx now rather than at collection. */
static void cursor_gc_at(lua_State *L, int idx)
{
    lq_cursor *c = lua_touserdata(L, idx);
    if (c->s) {
        quarry_search_free(c->s);
        c->s = NULL;
    }
}

/* index:cursor(q[, opts]) -> Cursor | nil, msg, code[, position] */
static int index_cursor(lua_State *L)
{
    return new_cursor(L);
}

/* index:search(q[, opts]) -> iterator, cursor, nil, cursor (generic for:
 * the cursor is the closing value, so `break` frees the search). Failures
 * to start raise: an iterator cannot return nil, msg. */
static int index_search(lua_State *L)
{
    int n = new_cursor(L);
    if (n != 1) {
        int top = lua_gettop(L);
        return luaL_error(L, "%s", lua_tostring(L, top - n + 2));
    }
    {
        int cur = lua_gettop(L);
        lua_pushcfunction(L, cursor_next);
        lua_pushvalue(L, cur);
        lua_pushnil(L);
        lua_pushvalue(L, cur);
    }
    return 4;
}

/* Pushes the value of field name of document id as a Lua value; nil if the
 * document has no such field. "source" (unless a field is so named) is the
 * document's source. */
static void push_group_key(lua_State *L, quarry_index *ix, uint64_t id,
                           const char *name)
{
    quarry_index_doc d;
    size_t i;
    if (quarry_index_doc_get(ix, id, &d) != QUARRY_OK) {
        lua_pushnil(L);
        return;
    }
    for (i = 0; i < d.field_count; i++) {
        quarry_field f;
        if (quarry_index_doc_field(ix, id, i, &f) == QUARRY_OK &&
            strcmp(f.name, name) == 0) {
            lq_push_field_value(L, &f);
            return;
        }
    }
    if (strcmp(name, "source") == 0 || strcmp(name, "file") == 0)
        lua_pushstring(L, d.source);
    else
        lua_pushnil(L);
}

/* index:count(q[, opts]) -> hits, documents; with opts.by = FIELD an array
 * of {value =, hits =, docs =} (documents without the field under value
 * false), in order of first appearance. */
static int index_count(lua_State *L)
{
    const char *by = NULL;
    lq_cursor *c;
    int n, cur, groups, order;
    lua_settop(L, 3);
    if (lq_opt_table(L, 3)) {
        lua_getfield(L, 3, "by");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "option 'by' must be a field name");
            by = lua_tostring(L, -1);
        }
        lua_pop(L, 1);
        /* the cursor options do not know 'by': pass a copy without it */
        lua_newtable(L);
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            if (lua_type(L, -2) == LUA_TSTRING &&
                strcmp(lua_tostring(L, -2), "by") == 0) {
                lua_pop(L, 1);
                continue;
            }
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_settable(L, -4);
        }
        lua_replace(L, 3);
    }
    n = new_cursor(L);
    if (n != 1)
        return n;
    cur = lua_gettop(L);
    c = lua_touserdata(L, cur);
    if (!by) {
        uint64_t hits = 0, docs = 0;
        int rc = quarry_search_count(c->s, &hits, &docs);
        if (rc < 0)
            return luaL_error(L, "quarry.Index:count: %s (%s)",
                              quarry_search_errmsg(c->s),
                              quarry_status_name(rc));
        cursor_gc_at(L, cur);
        lua_pushinteger(L, (lua_Integer)hits);
        lua_pushinteger(L, (lua_Integer)docs);
        return 2;
    }
    lua_newtable(L); /* value -> record */
    groups = lua_gettop(L);
    lua_newtable(L); /* the records in order */
    order = lua_gettop(L);
    for (;;) {
        uint64_t doc, hits;
        int rc = quarry_search_next_doc(c->s, &doc, &hits);
        if (rc == QUARRY_DONE)
            break;
        if (rc < 0)
            return luaL_error(L, "quarry.Index:count: %s (%s)",
                              quarry_search_errmsg(c->s),
                              quarry_status_name(rc));
        push_group_key(L, c->ix, doc, by);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_pushboolean(L, 0);
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, groups) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_createtable(L, 0, 3);
            lua_pushvalue(L, -2);
            lua_setfield(L, -2, "value");
            lua_pushinteger(L, 0);
            lua_setfield(L, -2, "hits");
            lua_pushinteger(L, 0);
            lua_setfield(L, -2, "docs");
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, groups);
            lua_pushvalue(L, -1);
            lua_rawseti(L, order, (lua_Integer)lua_rawlen(L, order) + 1);
        }
        lua_getfield(L, -1, "hits");
        lua_pushinteger(L, lua_tointeger(L, -1) + (lua_Integer)hits);
        lua_setfield(L, -3, "hits");
        lua_pop(L, 1);
        lua_getfield(L, -1, "docs");
        lua_pushinteger(L, lua_tointeger(L, -1) + 1);
        lua_setfield(L, -3, "docs");
        lua_pop(L, 3); /* docs, record, key */
    }
    cursor_gc_at(L, cur);
    lua_pushvalue(L, order);
    return 1;
}

static int opt_uint(lua_State *L, int idx, const char *key, uint32_t def)
{
    lua_Integer v;
    lua_getfield(L, idx, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return (int)def;
    }
    v = luaL_checkinteger(L, -1);
    if (v < 0 || v > 100000)
        luaL_error(L, "option '%s' must be between 0 and 100000", key);
    lua_pop(L, 1);
    return (int)v;
}

/* index:kwic(doc, first, last[, opts]) -> left, hit, right, start, end
 * opts: unit = "tokens" | "chars" | "sentence", left, right (or context for
 * both; default 8 tokens or 40 characters). start/end: 1-based inclusive
 * byte span of the hit. nil, msg, code for a range outside the document. */
static int index_kwic(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1);
    lua_Integer doc = luaL_checkinteger(L, 2);
    lua_Integer first = luaL_checkinteger(L, 3);
    lua_Integer last = luaL_checkinteger(L, 4);
    quarry_kwic_options o = {QUARRY_KWIC_TOKENS, 8, 8};
    quarry_kwic k;
    int rc;
    if (lq_opt_table(L, 5)) {
        static const char *const units[] = {"tokens", "chars", "sentence",
                                            NULL};
        uint32_t ctx;
        lua_getfield(L, 5, "unit");
        o.unit = luaL_checkoption(L, -1, "tokens", units);
        lua_pop(L, 1);
        ctx = (uint32_t)opt_uint(L, 5, "context",
                                 o.unit == QUARRY_KWIC_CHARS ? 40 : 8);
        o.left = (uint32_t)opt_uint(L, 5, "left", ctx);
        o.right = (uint32_t)opt_uint(L, 5, "right", ctx);
    }
    if (doc < 1 || first < 1 || last < first)
        return lq_fail(L, QUARRY_EINVAL,
                       "kwic: document and positions are 1-based, with "
                       "first <= last");
    rc = quarry_kwic_get(ix, (uint64_t)doc - 1, (uint64_t)first - 1,
                         (uint64_t)last, &o, &k);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_index_errmsg(ix));
    lua_pushlstring(L, k.left, k.left_len);
    lua_pushlstring(L, k.hit, k.hit_len);
    lua_pushlstring(L, k.right, k.right_len);
    lua_pushinteger(L, (lua_Integer)k.start + 1);
    lua_pushinteger(L, (lua_Integer)k.end);
    return 5;
}

/* quarry.text_width(s) -> terminal columns of s */
static int l_text_width(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_pushinteger(L, (lua_Integer)quarry_text_width(s, len));
    return 1;
}

static const luaL_Reg query_meta[] = {{"__gc", query_gc},
                                      {"__close", query_gc},
                                      {"__tostring", query_tostring},
                                      {NULL, NULL}};
static const luaL_Reg query_methods[] = {{"text", query_text},
                                         {"explain", query_explain},
                                         {"close", query_gc},
                                         {NULL, NULL}};
static const luaL_Reg cursor_meta[] = {{"__gc", cursor_gc},
                                       {"__close", cursor_gc},
                                       {"__tostring", cursor_tostring},
                                       {NULL, NULL}};
static const luaL_Reg cursor_methods[] = {{"next", cursor_next},
                                          {"fetch", cursor_fetch},
                                          {"count", cursor_count},
                                          {"close", cursor_close},
                                          {NULL, NULL}};
static const luaL_Reg index_methods[] = {{"search", index_search},
                                         {"cursor", index_cursor},
                                         {"count", index_count},
                                         {"kwic", index_kwic},
                                         {NULL, NULL}};
static const luaL_Reg module_funcs[] = {
    {"query", l_query}, {"text_width", l_text_width}, {NULL, NULL}};

void lq_open_search(lua_State *L)
{
    lq_define_class(L, LQ_QUERY_MT, "Query", query_meta, query_methods);
    lq_define_class(L, LQ_CURSOR_MT, "Cursor", cursor_meta, cursor_methods);
    lua_getfield(L, LQ_OPEN_MODULE, "_methods");
    lua_getfield(L, -1, "Index");
    lq_set_funcs(L, index_methods);
    lua_pop(L, 2);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, module_funcs);
    lua_pop(L, 1);
}
