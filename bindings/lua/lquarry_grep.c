/* lquarry_grep.c - placeholder until the grep binding lands (issue 4). */
#include "lquarry.h"

void lq_open_grep(lua_State *L)
{
    (void)L;
}
