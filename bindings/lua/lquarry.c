/* lquarry.c - luaopen_quarry_core: the entry point of the C module. */
#include "lquarry.h"

int luaopen_quarry_core(lua_State *L)
{
    if (quarry_version_number() != QUARRY_VERSION_NUMBER)
        return luaL_error(L, "quarry.core: header %s but library %s",
                          QUARRY_VERSION_STRING, quarry_version());
    lua_newtable(L);
    lua_pushstring(L, quarry_version());
    lua_setfield(L, -2, "version");
    return 1;
}
