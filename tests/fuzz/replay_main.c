/*
 * replay_main.c - runs a fuzz target over files without libFuzzer, so the
 * seed corpus runs as a normal ctest in every build (gcc or clang, with or
 * without sanitizers). Arguments: files or directories (read one level deep,
 * in name order). Exit status 0 when every input ran; a crash or a failed
 * invariant aborts.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0, got;
    if (!f) {
        perror(path);
        return 1;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap ? cap * 2 : 4096);
            if (!nb) {
                fclose(f);
                free(buf);
                return 1;
            }
            buf = nb;
            cap = cap ? cap * 2 : 4096;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    /* An exact-size copy, so ASan sees reads past the end. */
    {
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
            free(buf);
            return 1;
        }
        if (len)
            memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int i, failures = 0;
    size_t count = 0;
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            failures++;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            char **names = NULL;
            size_t n = 0, cap = 0, k;
            if (!d) {
                perror(argv[i]);
                failures++;
                continue;
            }
            while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                    continue;
                if (n == cap) {
                    char **nn = realloc(names, (cap = cap ? cap * 2 : 64) *
                                                   sizeof *names);
                    if (!nn)
                        abort();
                    names = nn;
                }
                names[n] = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
                if (!names[n])
                    abort();
                sprintf(names[n], "%s/%s", argv[i], e->d_name);
                n++;
            }
            closedir(d);
            qsort(names, n, sizeof *names, cmp);
            for (k = 0; k < n; k++) {
                failures += run_file(names[k]);
                count++;
                free(names[k]);
            }
            free(names);
        } else {
            failures += run_file(argv[i]);
            count++;
        }
    }
    printf("replayed %zu inputs, %d could not be read\n", count, failures);
    return failures ? 1 : (count ? 0 : 1);
}
