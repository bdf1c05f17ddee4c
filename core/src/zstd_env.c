/*
 * zstd_env.c - routes zstd's allocations to the env's allocator.
 *
 * zstd's custom free gets no size, but the env allocator wants the size of
 * the block (lua_Alloc's contract), so each block carries its size in a
 * 16-byte prefix (16 keeps the result as aligned as malloc's).
 */
#define ZSTD_STATIC_LINKING_ONLY
#include "zstd_env.h"

#include <string.h>

#define ZPREFIX 16

static void *zalloc(void *opaque, size_t size)
{
    quarry_env *env = opaque;
    unsigned char *p;
    if (size > SIZE_MAX - ZPREFIX)
        return NULL;
    p = qi_alloc(env, size + ZPREFIX);
    if (!p)
        return NULL;
    memcpy(p, &size, sizeof size);
    return p + ZPREFIX;
}

static void zfree(void *opaque, void *address)
{
    quarry_env *env = opaque;
    unsigned char *p;
    size_t size;
    if (!address)
        return;
    p = (unsigned char *)address - ZPREFIX;
    memcpy(&size, p, sizeof size);
    qi_free(env, p, size + ZPREFIX);
}

ZSTD_CCtx *qi_zstd_cctx_new(quarry_env *env)
{
    ZSTD_customMem mem;
    mem.customAlloc = zalloc;
    mem.customFree = zfree;
    mem.opaque = env;
    return ZSTD_createCCtx_advanced(mem);
}

ZSTD_DCtx *qi_zstd_dctx_new(quarry_env *env)
{
    ZSTD_customMem mem;
    mem.customAlloc = zalloc;
    mem.customFree = zfree;
    mem.opaque = env;
    return ZSTD_createDCtx_advanced(mem);
}
