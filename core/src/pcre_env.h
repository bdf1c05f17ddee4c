/*
 * pcre_env.h - PCRE2 allocating through a quarry_env, so that regexes obey
 * the caller's allocator (and its failure tests) like everything else.
 * Not installed.
 */
#ifndef QUARRY_PCRE_ENV_H
#define QUARRY_PCRE_ENV_H

#include "internal.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

/* A general context whose allocations go to env (which must outlive it);
 * NULL when out of memory. Free with pcre2_general_context_free. */
pcre2_general_context *qi_pcre2_context(quarry_env *env);

#endif
