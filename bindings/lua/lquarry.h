/* lquarry.h - shared declarations of the quarry.core binding units. */
#ifndef LQUARRY_H
#define LQUARRY_H

#include "quarry.h"

#include <lauxlib.h>
#include <lua.h>

int luaopen_quarry_core(lua_State *L);

#endif
