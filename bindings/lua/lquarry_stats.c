/* lquarry_stats.c - placeholder until this binding lands (issue 5). */
#include "lquarry.h"

void lq_open_stats(lua_State *L)
{
    (void)L;
}
