/*
 * testkit.h - helpers shared by the C unit tests: an allocator that fails
 * once a budget of allocations is spent (to drive every out-of-memory path),
 * and removal of a directory tree the test made.
 */
#ifndef QUARRY_TESTKIT_H
#define QUARRY_TESTKIT_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The user data of tk_failing_alloc. */
typedef struct tk_fail {
    long budget; /* allocations still allowed; < 0: unlimited */
    long calls;  /* allocations asked for (frees not counted) */
} tk_fail;

/* A quarry_alloc_fn over malloc: returns NULL once ud's budget is spent. */
static inline void *tk_failing_alloc(void *ud, void *ptr, size_t osize,
                                     size_t nsize)
{
    tk_fail *f = ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    f->calls++;
    if (f->budget == 0)
        return NULL;
    if (f->budget > 0)
        f->budget--;
    return realloc(ptr, nsize);
}

/* Removes path and, if it is a directory, everything below it (symbolic
 * links are removed, never followed). Errors are ignored: it cleans up. */
static inline void tk_rm_rf(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    d = opendir(path);
    if (d) {
        while ((de = readdir(d)) != NULL) {
            size_t n;
            char *p;
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            n = strlen(path) + strlen(de->d_name) + 2;
            p = malloc(n);
            if (!p)
                break;
            snprintf(p, n, "%s/%s", path, de->d_name);
            tk_rm_rf(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(path);
}

#endif
