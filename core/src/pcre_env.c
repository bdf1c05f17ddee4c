/*
 * pcre_env.c - the allocator bridge between PCRE2 and a quarry_env.
 * PCRE2 frees without a size and quarry's allocator wants one, so every
 * block carries its size in a header aligned for any type.
 */
#include "pcre_env.h"

typedef union {
    size_t size;
    long double ld;
    void *p;
    uint64_t u;
} blockhdr;

static void *bridge_malloc(size_t size, void *ud)
{
    blockhdr *h = qi_alloc(ud, sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    return h + 1;
}

static void bridge_free(void *p, void *ud)
{
    blockhdr *h;
    if (!p)
        return;
    h = (blockhdr *)p - 1;
    qi_free(ud, h, sizeof *h + h->size);
}

pcre2_general_context *qi_pcre2_context(quarry_env *env)
{
    return pcre2_general_context_create(bridge_malloc, bridge_free, env);
}
