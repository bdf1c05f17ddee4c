/*
 * lquarry.c - luaopen_quarry_core: the entry point of the C module, the
 * module state that owns the env, and the class-definition helpers.
 */
#include "lquarry.h"

/* The env's allocator is Lua's own (lua_getallocf), as docs/design.md
 * decides: one allocator for the whole embedding. The state userdata is
 * created first, so its finalizer runs after those of all handles. */
static int state_gc(lua_State *L)
{
    lq_state *st = luaL_checkudata(L, 1, LQ_STATE_MT);
    if (st->env) {
        quarry_env_free(st->env);
        st->env = NULL;
    }
    return 0;
}

quarry_env *lq_env(lua_State *L)
{
    lq_state *st = lua_touserdata(L, LQ_STATE_UPVALUE);
    if (!st || !st->env)
        luaL_error(L, "quarry.core: module state is gone");
    return st->env;
}

void lq_set_funcs(lua_State *L, const luaL_Reg *funcs)
{
    luaL_checkstack(L, 2, NULL);
    lua_pushvalue(L, LQ_OPEN_STATE);
    luaL_setfuncs(L, funcs, 1);
}

void lq_define_class(lua_State *L, const char *mt, const char *short_name,
                     const luaL_Reg *meta, const luaL_Reg *methods)
{
    luaL_newmetatable(L, mt);
    lq_set_funcs(L, meta);
    lua_newtable(L);
    lq_set_funcs(L, methods);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__index");
    /* module._methods[short_name] = methods */
    lua_getfield(L, LQ_OPEN_MODULE, "_methods");
    lua_insert(L, -2);
    lua_setfield(L, -2, short_name);
    lua_pop(L, 2); /* _methods, metatable */
}

static const char *const status_names[] = {
    "ENOMEM", "EINVAL", "ENOENT", "EIO", "EPARSE", "EENCODING", "ECORRUPT",
    "ESYNTAX", "EVERSION", "ELIMIT", "EUNSUPPORTED", NULL};

int luaopen_quarry_core(lua_State *L)
{
    lq_state *st;
    void *ud;
    lua_Alloc allocf;
    int i;

    luaL_checkversion(L);
    if (quarry_version_number() != QUARRY_VERSION_NUMBER)
        return luaL_error(L, "quarry.core: header %s but library %s",
                          QUARRY_VERSION_STRING, quarry_version());
    lua_settop(L, 0);

    /* 1: the state, closed until the env exists */
    st = lua_newuserdatauv(L, sizeof *st, 1);
    st->env = NULL;
    if (luaL_newmetatable(L, LQ_STATE_MT)) {
        lua_pushcfunction(L, state_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "quarry.State");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    allocf = lua_getallocf(L, &ud);
    if (quarry_env_new((quarry_alloc_fn)allocf, ud, &st->env) != QUARRY_OK)
        return luaL_error(L, "quarry.core: out of memory");
    /* user value 1: tokenizer cache, options key -> Tokenizer */
    lua_newtable(L);
    lua_setiuservalue(L, 1, 1);

    /* 2: the module table */
    lua_newtable(L);
    lua_pushstring(L, quarry_version());
    lua_setfield(L, LQ_OPEN_MODULE, "version");
    lua_pushinteger(L, quarry_version_number());
    lua_setfield(L, LQ_OPEN_MODULE, "version_number");
    lua_newtable(L);
    for (i = 0; status_names[i]; i++) {
        lua_pushstring(L, status_names[i]);
        lua_setfield(L, -2, status_names[i]);
    }
    lua_setfield(L, LQ_OPEN_MODULE, "errors");
    lua_newtable(L);
    lua_setfield(L, LQ_OPEN_MODULE, "_methods");

    lq_open_tokenize(L);
    lq_open_read(L);
    lq_open_summary(L);

    lua_settop(L, LQ_OPEN_MODULE);
    return 1;
}
