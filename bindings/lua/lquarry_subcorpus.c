/*
 * lquarry_subcorpus.c - the subcorpus options every analysis method takes:
 * opts.filter (a field filter) and opts.query (documents with a hit of a
 * query, a Query, a Dictionary or query text). The subcorpus is owned by a
 * userdata on the Lua stack, so an error raised later frees it.
 */
#include "lquarry.h"

#define LQ_SUBCORPUS_MT "quarry.SubcorpusOwner"

typedef struct lq_subcorpus {
    quarry_subcorpus *sc;
} lq_subcorpus;

static int owner_gc(lua_State *L)
{
    lq_subcorpus *u = luaL_checkudata(L, 1, LQ_SUBCORPUS_MT);
    quarry_subcorpus_free(u->sc);
    u->sc = NULL;
    return 0;
}

void lq_subcorpus_done(lua_State *L, int idx)
{
    lq_subcorpus *u = luaL_testudata(L, idx, LQ_SUBCORPUS_MT);
    if (u) {
        quarry_subcorpus_free(u->sc);
        u->sc = NULL;
    }
}

static lq_subcorpus *new_owner(lua_State *L)
{
    lq_subcorpus *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->sc = NULL;
    if (luaL_newmetatable(L, LQ_SUBCORPUS_MT)) {
        lua_pushcfunction(L, owner_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, owner_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    return u;
}

quarry_subcorpus *lq_opt_subcorpus(lua_State *L, quarry_index *ix, int opts_idx)
{
    quarry_filter *filter = NULL;
    const quarry_query *query = NULL;
    lq_subcorpus *u;
    int rc, has_filter, has_query;

    opts_idx = lua_absindex(L, opts_idx);
    if (!lq_opt_table(L, opts_idx)) {
        lua_pushnil(L);
        return NULL;
    }
    has_filter = lua_getfield(L, opts_idx, "filter") != LUA_TNIL;
    has_query = lua_getfield(L, opts_idx, "query") != LUA_TNIL;
    if (!has_filter && !has_query) {
        lua_pop(L, 2);
        lua_pushnil(L);
        return NULL;
    }
    if (has_query)
        query = lq_check_query(L, -1); /* a string is compiled in place */
    if (has_filter) {
        size_t len, pos = 0;
        const char *text;
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "option 'filter' must be a field filter string");
        text = lua_tolstring(L, -2, &len);
        if (quarry_filter_compile(lq_env(L), text, len, &filter, &pos) !=
            QUARRY_OK)
            luaL_error(L, "bad filter: %s", quarry_env_errmsg(lq_env(L)));
    }
    u = new_owner(L); /* stack: filter, query, owner */
    rc = quarry_subcorpus_new(lq_env(L), ix, filter, query, &u->sc);
    quarry_filter_free(filter);
    if (rc != QUARRY_OK)
        luaL_error(L, "subcorpus: %s (%s)", quarry_env_errmsg(lq_env(L)),
                   quarry_status_name(rc));
    lua_replace(L, -3);
    lua_pop(L, 1);
    return u->sc;
}
