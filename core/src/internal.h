/*
 * internal.h - declarations shared by the core's units; not installed.
 * Cross-file internal names start with qi_.
 */
#ifndef QUARRY_INTERNAL_H
#define QUARRY_INTERNAL_H

#include "quarry.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QI_ERRMSG_SIZE 512

struct quarry_env {
    quarry_alloc_fn alloc;
    void *ud;
    char errmsg[QI_ERRMSG_SIZE];
};

/* Allocation through the env's allocator. qi_alloc/qi_realloc return NULL on
 * failure; sizes must be the ones the block was allocated with. */
void *qi_alloc(quarry_env *env, size_t size);
void *qi_calloc(quarry_env *env, size_t count, size_t size);
void *qi_realloc(quarry_env *env, void *ptr, size_t old_size, size_t new_size);
void qi_free(quarry_env *env, void *ptr, size_t size);
/* Copies len bytes of s plus a NUL; free with qi_free(env, p, len + 1). */
char *qi_strndup(quarry_env *env, const char *s, size_t len);

/* Formats a message into buf (QI_ERRMSG_SIZE bytes). */
void qi_set_error(char *buf, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void qi_vset_error(char *buf, const char *fmt, va_list ap);

/* A growable byte buffer. Zero-initialize; free with qi_buf_free. */
typedef struct qi_buf {
    char *data;
    size_t len;
    size_t cap;
} qi_buf;

/* Ensures room for extra more bytes; returns false on allocation failure. */
bool qi_buf_reserve(quarry_env *env, qi_buf *b, size_t extra);
bool qi_buf_append(quarry_env *env, qi_buf *b, const void *data, size_t len);
bool qi_buf_push(quarry_env *env, qi_buf *b, char c);
/* Appends a NUL without counting it in len; returns false on failure. */
bool qi_buf_terminate(quarry_env *env, qi_buf *b);
void qi_buf_free(quarry_env *env, qi_buf *b);

/* Grows an array of elem_size-byte elements so that it holds at least
 * need elements; *cap is in elements. Returns false on failure. */
bool qi_array_reserve(quarry_env *env, void **data, size_t *cap, size_t need,
                      size_t elem_size);

/* UTF-8 */

/* Decodes one code point at s (len > 0 bytes available). Returns the
 * number of bytes consumed (1-4) and stores the code point in *cp, or
 * returns 0 for an invalid or truncated sequence. */
size_t qi_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* Encodes cp as UTF-8 into out (4 bytes of room); returns its length. */
size_t qi_utf8_encode(uint32_t cp, char *out);
/* Appends s to b, replacing each maximal invalid subsequence with U+FFFD
 * (as the Unicode standard's "best practice" does). *replaced is increased
 * by the number of replacements. Returns false on allocation failure. */
bool qi_utf8_repair(quarry_env *env, const char *s, size_t len, qi_buf *b,
                    uint64_t *replaced);

#endif
