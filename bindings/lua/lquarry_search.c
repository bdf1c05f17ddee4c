/* lquarry_search.c - placeholder until the search binding lands (issue 4). */
#include "lquarry.h"

void lq_open_search(lua_State *L)
{
    (void)L;
}
