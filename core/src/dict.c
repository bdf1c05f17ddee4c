/* dict.c - placeholder until the dictionary loader lands (issue 4). */
#include "dict.h"

void quarry_dict_free(quarry_dict *d)
{
    (void)d;
}
