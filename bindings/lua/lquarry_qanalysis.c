/* lquarry_qanalysis.c - placeholder until this binding lands (issue 5). */
#include "lquarry.h"

void lq_open_qanalysis(lua_State *L)
{
    (void)L;
}
