/* lquarry_analysis.c - placeholder until this binding lands (issue 5). */
#include "lquarry.h"

void lq_open_analysis(lua_State *L)
{
    (void)L;
}
