/*
 * main.c - the `quarry` executable: a Lua 5.4 host. It preloads the C module
 * quarry.core, points package.path at the Lua half of the library and at the
 * CLI (both written in Lua), and hands the command line to quarry_cli.main.
 * Everything the user sees is decided in Lua; this file only boots it.
 */
#include "lua_paths.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int luaopen_quarry_core(lua_State *L);

/* The source tree the binary was built from is used while it is there (a
 * build-tree run); an installed binary falls back to the install prefix. */
static const char *lua_search_path(void)
{
    const char *env = getenv("QUARRY_LUA_PATH");
    if (env && *env)
        return env;
#ifdef QUARRY_SOURCE_LUA_PATH
    {
        static const char probe[] = QUARRY_SOURCE_LUA_PATH;
        /* the first template names bindings/lua/?.lua */
        const char *q = strchr(probe, '?');
        if (q) {
            char file[4096];
            size_t n = (size_t)(q - probe);
            if (n + sizeof "quarry/init.lua" < sizeof file) {
                memcpy(file, probe, n);
                memcpy(file + n, "quarry/init.lua", sizeof "quarry/init.lua");
                if (access(file, R_OK) == 0)
                    return QUARRY_SOURCE_LUA_PATH;
            }
        }
    }
#endif
    return QUARRY_INSTALL_LUA_PATH;
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Runs in protected mode: sets up the paths, then calls the CLI. */
static int boot(lua_State *L)
{
    char **argv = (char **)lua_touserdata(L, 1);
    int argc = (int)lua_tointeger(L, 2);
    int i;

    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_quarry_core);
    lua_setfield(L, -2, "quarry.core");
    lua_pop(L, 1);

    lua_getglobal(L, "package");
    lua_pushfstring(L, "%s;", lua_search_path());
    lua_getfield(L, -2, "path");
    lua_concat(L, 2);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);

    lua_getglobal(L, "require");
    lua_pushliteral(L, "quarry_cli.main");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "main");
    lua_createtable(L, argc, 1);
    lua_pushstring(L, argv[0]);
    lua_rawseti(L, -2, 0);
    for (i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    lua_call(L, 1, 1);
    return 1;
}

int main(int argc, char **argv)
{
    lua_State *L = luaL_newstate();
    int status, code;

    if (L == NULL) {
        fputs("quarry: cannot create the Lua state: out of memory\n", stderr);
        return 1;
    }
    lua_pushcfunction(L, traceback);
    lua_pushcfunction(L, boot);
    lua_pushlightuserdata(L, argv);
    lua_pushinteger(L, argc);
    status = lua_pcall(L, 2, 1, 1);
    if (status != LUA_OK) {
        fprintf(stderr, "quarry: internal error: %s\n", lua_tostring(L, -1));
        code = 70; /* EX_SOFTWARE: a bug in quarry, not in the input */
    } else {
        code = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
    }
    fflush(stdout);
    lua_close(L);
    return code;
}
