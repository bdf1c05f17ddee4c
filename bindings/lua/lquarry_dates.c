/* lquarry_dates.c - placeholder until this binding lands (issue 5). */
#include "lquarry.h"

void lq_open_dates(lua_State *L)
{
    (void)L;
}
