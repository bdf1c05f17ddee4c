/*
 * tokenize_bench.c - throughput of the full default tokenizer (spans,
 * kinds, norms, sentences, paragraphs, CJK word layer).
 *
 *   tokenize_bench [-r MB] [-f flags] [-j field] file...
 *
 * The files are concatenated (blank line between them; with -j, the string
 * field of each JSONL line instead) and repeated until the text holds at
 * least MB megabytes (default 100); the text is then tokenized in 1 MiB
 * pieces cut at a blank line, as a reader would hand over documents, and
 * once as a whole. The first piece is tokenized before timing so that the
 * one-off loads (the CJK dictionary) are not counted; they are reported.
 * Times are thread CPU times (MB/s per core).
 */
#include "quarry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread: the machine is shared, and the target is MB/s
 * per core, so time spent waiting for a core is not counted. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s,
                   size_t n)
{
    if (*len + n + 1 > *cap) {
        while (*len + n + 1 > *cap)
            *cap = *cap ? *cap * 2 : 1 << 20;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            exit(2);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
}

static void add_file(const char *path, const char *field, char **buf,
                     size_t *len, size_t *cap)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    if (!field) {
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
            append(buf, len, cap, chunk, k);
        append(buf, len, cap, "\n\n", 2);
    } else {
        while ((n = getline(&line, &lcap, f)) > 0) {
            json_error_t e;
            json_t *o = json_loadb(line, (size_t)n, 0, &e);
            json_t *v = o ? json_object_get(o, field) : NULL;
            if (v && json_is_string(v)) {
                append(buf, len, cap, json_string_value(v),
                       json_string_length(v));
                append(buf, len, cap, "\n\n", 2);
            }
            json_decref(o);
        }
        free(line);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    quarry_tokenizer_options opts = {0};
    quarry_env *env;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    const char *field = NULL;
    char *one = NULL, *text = NULL;
    size_t one_len = 0, one_cap = 0, len = 0, cap = 0, want = 100, pos;
    size_t ntok = 0, nsent = 0, nwords = 0;
    double t0, t1, tload;
    int i, rc;

    for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            return 2;
        if (strcmp(argv[i], "-r") == 0)
            want = (size_t)atol(argv[i + 1]);
        else if (strcmp(argv[i], "-f") == 0)
            opts.flags = (unsigned)strtoul(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "-j") == 0)
            field = argv[i + 1];
        else
            return 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: tokenize_bench [-r MB] [-f flags] "
                        "[-j field] file...\n");
        return 2;
    }
    for (; i < argc; i++)
        add_file(argv[i], field, &one, &one_len, &one_cap);
    while (len < want << 20)
        append(&text, &len, &cap, one, one_len);

    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK ||
        quarry_tokenizer_new(env, &opts, &tok) != QUARRY_OK ||
        quarry_tokens_new(env, &toks) != QUARRY_OK) {
        fprintf(stderr, "setup failed: %s\n", quarry_env_errmsg(env));
        return 1;
    }
    t0 = now();
    {
        /* a first document, cut at a blank line (never inside a char) */
        const char *p =
            one_len > (1 << 20) ? strstr(one + (1 << 20), "\n\n") : NULL;
        rc = quarry_tokenize(tok, one, p ? (size_t)(p - one) : one_len, toks);
    }
    tload = now() - t0;

    t0 = now();
    for (pos = 0; pos < len;) {
        size_t end = pos + (1 << 20);
        if (end >= len)
            end = len;
        else {
            char *p = strstr(text + end, "\n\n");
            end = p ? (size_t)(p - text) + 2 : len;
        }
        rc = quarry_tokenize(tok, text + pos, end - pos, toks);
        if (rc != QUARRY_OK) {
            fprintf(stderr, "tokenize: %s\n", quarry_tokenizer_errmsg(tok));
            return 1;
        }
        ntok += quarry_tokens_count(toks);
        nsent += quarry_tokens_sentence_count(toks);
        nwords += quarry_tokens_word_count(toks);
        pos = end;
    }
    t1 = now();
    printf("input %.1f MB; first call %.3f s (includes lazy loads)\n",
           (double)len / 1e6, tload);
    printf("pieces: %.3f s, %.1f MB/s, %zu tokens, %zu sentences, "
           "%zu cjk words\n",
           t1 - t0, (double)len / 1e6 / (t1 - t0), ntok, nsent, nwords);
    t0 = now();
    rc = quarry_tokenize(tok, text, len, toks);
    t1 = now();
    printf("whole: %.3f s, %.1f MB/s, %zu tokens (rc %d)\n", t1 - t0,
           (double)len / 1e6 / (t1 - t0), quarry_tokens_count(toks), rc);
    quarry_tokens_free(toks);
    quarry_tokenizer_free(tok);
    quarry_env_free(env);
    free(one);
    free(text);
    return 0;
}
