/* lquarry_dict.c - placeholder until the dict binding lands (issue 4). */
#include "lquarry.h"

void lq_open_dict(lua_State *L)
{
    (void)L;
}

const quarry_query *lq_test_dict_query(lua_State *L, int idx)
{
    (void)L;
    (void)idx;
    return NULL;
}
