/*
 * zstd_env.h - zstd compression and decompression contexts whose memory
 * comes from a quarry_env (the core never calls malloc directly).
 */
#ifndef QUARRY_ZSTD_ENV_H
#define QUARRY_ZSTD_ENV_H

#include "internal.h"

#include <zstd.h>

/* Both return NULL when memory runs out. Free with ZSTD_freeCCtx /
 * ZSTD_freeDCtx: zstd calls back into the env through the custom allocator
 * the context was created with, so env must outlive the context. */
ZSTD_CCtx *qi_zstd_cctx_new(quarry_env *env);
ZSTD_DCtx *qi_zstd_dctx_new(quarry_env *env);

#endif
