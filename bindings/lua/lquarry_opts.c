/*
 * lquarry_opts.c - what the analysis bindings share: option tables checked
 * key by key, integer options with ranges, owners that free a core result
 * if a Lua error interrupts the building of its tables, and the label and
 * field values of documents as records show them.
 */
#include "lquarry.h"

#include <string.h>

#define LQ_OWNER_MT "quarry.ResultOwner"

static int owner_gc(lua_State *L)
{
    lq_owner *u = luaL_checkudata(L, 1, LQ_OWNER_MT);
    if (u->p && u->free_fn)
        u->free_fn(u->p);
    u->p = NULL;
    return 0;
}

lq_owner *lq_new_owner(lua_State *L, void (*free_fn)(void *))
{
    lq_owner *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->p = NULL;
    u->free_fn = free_fn;
    if (luaL_newmetatable(L, LQ_OWNER_MT)) {
        lua_pushcfunction(L, owner_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, owner_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_setmetatable(L, -2);
    return u;
}

void lq_check_keys(lua_State *L, int idx, const char *method,
                   const char *const *allowed)
{
    if (!lq_opt_table(L, idx))
        return;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        const char *k;
        size_t i;
        int ok = 0;
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s: option keys must be strings", method);
        k = lua_tostring(L, -1);
        for (i = 0; allowed[i]; i++)
            ok |= strcmp(k, allowed[i]) == 0;
        if (!ok)
            luaL_error(L, "%s: unknown option '%s'", method, k);
    }
}

lua_Integer lq_opt_int_range(lua_State *L, int idx, const char *key,
                             lua_Integer def, lua_Integer lo, lua_Integer hi)
{
    lua_Integer v = def;
    int isint;
    if (!lq_opt_table(L, idx))
        return def;
    lua_getfield(L, idx, key);
    if (!lua_isnil(L, -1)) {
        v = lua_tointegerx(L, -1, &isint);
        if (!isint || lua_type(L, -1) != LUA_TNUMBER || v < lo || v > hi)
            luaL_error(L, "option '%s' must be an integer from %I to %I", key,
                       lo, hi);
    }
    lua_pop(L, 1);
    return v;
}

void lq_push_doc_label(lua_State *L, quarry_index *ix, uint64_t id)
{
    quarry_index_doc d;
    const char *name;
    if (quarry_index_doc_get(ix, id, &d) != QUARRY_OK) {
        lua_pushnil(L);
        return;
    }
    name = strrchr(d.source, '/');
    name = name ? name + 1 : d.source;
    if (d.record > 0)
        lua_pushfstring(L, "%s:%I", name, (lua_Integer)d.record);
    else
        lua_pushstring(L, name);
}

void lq_push_doc_field(lua_State *L, quarry_index *ix, uint64_t id,
                       const char *name)
{
    quarry_index_doc d;
    size_t i;
    if (quarry_index_doc_get(ix, id, &d) == QUARRY_OK) {
        for (i = 0; i < d.field_count; i++) {
            quarry_field f;
            if (quarry_index_doc_field(ix, id, i, &f) == QUARRY_OK &&
                strcmp(f.name, name) == 0) {
                lq_push_field_value(L, &f);
                return;
            }
        }
    }
    lua_pushnil(L);
}
