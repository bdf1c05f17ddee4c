/*
 * tokenize_driver.c - tokenizer throughput driver for bench/tokenize.sh.
 *
 * Reads every .txt file of the given directories (one level, name order) or
 * the given files into memory, then tokenizes each with the default
 * tokenizer (spans, kinds, NFKC + case folding, sentences, paragraphs, CJK
 * word layer) and counts tokens; best of -n runs. With --vocab, every
 * word/number/CJK token's normalized form is also counted in a
 * quarry_vocab (the analogue of Python's Counter).
 *
 * Times are CPU time of the process (CLOCK_PROCESS_CPUTIME_ID), like
 * tokenize_bench's thread CPU time; --wall uses CLOCK_MONOTONIC instead.
 *
 * Usage: tokenize_driver [-n RUNS] [--vocab] [--wall] [--flags N] PATH...
 * Output: one line of key=value pairs:
 *   driver=quarry files=N bytes=B tokens=T sentences=S types=V best_s=X
 *   mb_s=M tokens_s=R
 */
#include "quarry.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct {
    char *data;
    size_t len;
} text_buf;

static text_buf *texts;
static size_t ntexts, captexts;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "tokenize_driver: %s%s%s\n", what, detail ? ": " : "",
            detail ? detail : "");
    exit(1);
}

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    long sz;
    text_buf t;
    if (!f)
        die("cannot open", path);
    if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0)
        die("cannot size", path);
    rewind(f);
    t.len = (size_t)sz;
    t.data = malloc(t.len + 1);
    if (!t.data)
        die("out of memory", NULL);
    if (t.len && fread(t.data, 1, t.len, f) != t.len)
        die("cannot read", path);
    fclose(f);
    t.data[t.len] = '\0';
    if (!quarry_utf8_valid(t.data, t.len)) {
        fprintf(stderr, "tokenize_driver: skipping %s: not valid UTF-8\n",
                path);
        free(t.data);
        return;
    }
    if (ntexts == captexts) {
        captexts = captexts ? captexts * 2 : 256;
        texts = realloc(texts, captexts * sizeof *texts);
        if (!texts)
            die("out of memory", NULL);
    }
    texts[ntexts++] = t;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        die("no such file or directory", path);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        char **names = NULL;
        size_t n = 0, cap = 0, i;
        if (!d)
            die("cannot open directory", path);
        while ((e = readdir(d)) != NULL) {
            size_t l = strlen(e->d_name);
            if (e->d_name[0] == '.' || l < 5 ||
                strcmp(e->d_name + l - 4, ".txt"))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                names = realloc(names, cap * sizeof *names);
                if (!names)
                    die("out of memory", NULL);
            }
            names[n] = malloc(strlen(path) + l + 2);
            if (!names[n])
                die("out of memory", NULL);
            sprintf(names[n], "%s/%s", path, e->d_name);
            n++;
        }
        closedir(d);
        qsort(names, n, sizeof *names, cmp);
        for (i = 0; i < n; i++) {
            add_file(names[i]);
            free(names[i]);
        }
        free(names);
    } else {
        add_file(path);
    }
}

static int use_wall;

static double now(void)
{
    struct timespec ts;
    clock_gettime(use_wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int runs = 5, use_vocab = 0, i, r;
    quarry_tokenizer_options opts = {0, NULL, NULL, NULL};
    quarry_env *env;
    quarry_tokenizer *tok;
    quarry_tokens *out;
    size_t bytes = 0, k, types = 0;
    unsigned long long tokens = 0, sentences = 0;
    double best = -1;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--vocab"))
            use_vocab = 1;
        else if (!strcmp(argv[i], "--wall"))
            use_wall = 1;
        else if (!strcmp(argv[i], "--flags") && i + 1 < argc)
            opts.flags = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (argv[i][0] == '-')
            die("usage: tokenize_driver [-n RUNS] [--vocab] [--wall] [--flags "
                "N] PATH...",
                NULL);
        else
            add_path(argv[i]);
    }
    if (ntexts == 0)
        die("no .txt input", NULL);
    if (runs < 1)
        runs = 1;
    for (k = 0; k < ntexts; k++)
        bytes += texts[k].len;

    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        die("quarry_env_new", NULL);
    if (quarry_tokenizer_new(env, &opts, &tok) != QUARRY_OK)
        die("quarry_tokenizer_new", quarry_env_errmsg(env));
    if (quarry_tokens_new(env, &out) != QUARRY_OK)
        die("quarry_tokens_new", NULL);

    for (r = 0; r < runs; r++) {
        quarry_vocab *vocab = NULL;
        unsigned long long nt = 0, ns = 0;
        double t0, dt;
        if (use_vocab && quarry_vocab_new(env, &vocab) != QUARRY_OK)
            die("quarry_vocab_new", NULL);
        t0 = now();
        for (k = 0; k < ntexts; k++) {
            size_t n, j;
            if (quarry_tokenize(tok, texts[k].data, texts[k].len, out) !=
                QUARRY_OK)
                die("quarry_tokenize", quarry_tokenizer_errmsg(tok));
            n = quarry_tokens_count(out);
            nt += n;
            ns += quarry_tokens_sentence_count(out);
            if (vocab) {
                const quarry_token *t = quarry_tokens_data(out);
                const char *arena = quarry_tokens_arena(out);
                for (j = 0; j < n; j++) {
                    if (t[j].kind == QUARRY_TOKEN_PUNCT ||
                        t[j].kind == QUARRY_TOKEN_SYMBOL)
                        continue;
                    if (quarry_vocab_add(vocab, arena + t[j].norm,
                                         t[j].norm_len, 1, NULL) != QUARRY_OK)
                        die("quarry_vocab_add", NULL);
                }
            }
        }
        dt = now() - t0;
        if (best < 0 || dt < best)
            best = dt;
        tokens = nt;
        sentences = ns;
        if (vocab) {
            types = quarry_vocab_size(vocab);
            quarry_vocab_free(vocab);
        }
    }

    printf("driver=quarry%s files=%zu bytes=%zu tokens=%llu sentences=%llu "
           "types=%zu best_s=%.6f mb_s=%.3f tokens_s=%.1f clock=%s\n",
           use_vocab ? "+vocab" : "", ntexts, bytes, tokens, sentences, types,
           best, bytes / best / 1e6, tokens / best, use_wall ? "wall" : "cpu");

    quarry_tokens_free(out);
    quarry_tokenizer_free(tok);
    quarry_env_free(env);
    for (k = 0; k < ntexts; k++)
        free(texts[k].data);
    free(texts);
    return 0;
}
