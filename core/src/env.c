/* env.c - the allocator environment and the shared memory helpers. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

int quarry_env_new(quarry_alloc_fn alloc, void *ud, quarry_env **out)
{
    quarry_alloc_fn fn = alloc ? alloc : default_alloc;
    quarry_env *env;

    *out = NULL;
    env = fn(ud, NULL, 0, sizeof *env);
    if (!env)
        return QUARRY_ENOMEM;
    memset(env, 0, sizeof *env);
    env->alloc = fn;
    env->ud = ud;
    *out = env;
    return QUARRY_OK;
}

void quarry_env_free(quarry_env *env)
{
    if (env)
        env->alloc(env->ud, env, sizeof *env, 0);
}

const char *quarry_env_errmsg(const quarry_env *env)
{
    return env ? env->errmsg : "";
}

void *qi_alloc(quarry_env *env, size_t size)
{
    if (size == 0)
        size = 1;
    return env->alloc(env->ud, NULL, 0, size);
}

void *qi_calloc(quarry_env *env, size_t count, size_t size)
{
    void *p;
    if (size && count > SIZE_MAX / size)
        return NULL;
    p = qi_alloc(env, count * size);
    if (p)
        memset(p, 0, (count * size) > 0 ? count * size : 1);
    return p;
}

void *qi_realloc(quarry_env *env, void *ptr, size_t old_size, size_t new_size)
{
    if (new_size == 0)
        new_size = 1;
    return env->alloc(env->ud, ptr, ptr ? old_size : 0, new_size);
}

void qi_free(quarry_env *env, void *ptr, size_t size)
{
    if (ptr)
        env->alloc(env->ud, ptr, size, 0);
}

char *qi_strndup(quarry_env *env, const char *s, size_t len)
{
    char *p = qi_alloc(env, len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void qi_vset_error(char *buf, const char *fmt, va_list ap)
{
    vsnprintf(buf, QI_ERRMSG_SIZE, fmt, ap);
}

void qi_set_error(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qi_vset_error(buf, fmt, ap);
    va_end(ap);
}

bool qi_array_reserve(quarry_env *env, void **data, size_t *cap, size_t need,
                      size_t elem_size)
{
    size_t ncap;
    void *p;
    if (need <= *cap)
        return true;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem_size)
            return false;
        ncap *= 2;
    }
    p = qi_realloc(env, *data, *cap * elem_size, ncap * elem_size);
    if (!p)
        return false;
    *data = p;
    *cap = ncap;
    return true;
}

bool qi_buf_reserve(quarry_env *env, qi_buf *b, size_t extra)
{
    void *data = b->data;
    if (extra > SIZE_MAX - b->len - 1)
        return false;
    if (!qi_array_reserve(env, &data, &b->cap, b->len + extra + 1, 1))
        return false;
    b->data = data;
    return true;
}

bool qi_buf_append(quarry_env *env, qi_buf *b, const void *data, size_t len)
{
    if (!qi_buf_reserve(env, b, len))
        return false;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    return true;
}

bool qi_buf_push(quarry_env *env, qi_buf *b, char c)
{
    if (b->len + 1 >= b->cap && !qi_buf_reserve(env, b, 1))
        return false;
    b->data[b->len++] = c;
    return true;
}

bool qi_buf_terminate(quarry_env *env, qi_buf *b)
{
    if (!qi_buf_reserve(env, b, 0))
        return false;
    b->data[b->len] = '\0';
    return true;
}

void qi_buf_free(quarry_env *env, qi_buf *b)
{
    qi_free(env, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}
