/*
 * segment_bench.c - index build throughput of one segment: tokenize-only
 * against tokenize + build + write, and the bytes of each part of the
 * segment as a share of the input.
 *
 *   segment_bench [-r RUNS] [-l MB] [-k] DIR...
 *
 * Every .txt file under DIR (recursively; AppleDouble "._" files skipped)
 * is read into memory first, so only CPU work is timed. Each file is one
 * document with one field. Times are thread CPU times (the target is
 * MB/s per core on a shared machine), best of RUNS (default 3); the
 * segment's fsync is reported separately as wall time. -l stops reading
 * after MB megabytes of input; -k keeps the segment file (path printed).
 *
 * Not part of the default build: it uses the internal segment API.
 *   cc -O2 -std=c99 -D_DEFAULT_SOURCE -Icore/include -Icore/src \
 *      bench/segment_bench.c build-seg/core/libquarry.a $(pkg-config \
 *      --libs icu-uc icu-i18n libpcre2-8 yaml-0.1 libzstd jansson friso \
 *      libxxhash) -lpthread -lm -o build-seg/segment_bench
 */
#include "segment.h"

#include <zstd.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct file {
    char *path;
    char *text;
    size_t len;
} file;

static file *files;
static size_t nfiles, files_cap, total_bytes, limit_bytes = (size_t)-1;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const file *)a)->path, ((const file *)b)->path);
}

static void add_file(const char *path)
{
    FILE *f;
    long n;
    file *x;
    if (total_bytes >= limit_bytes)
        return;
    f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (nfiles == files_cap) {
        files_cap = files_cap ? files_cap * 2 : 1024;
        files = realloc(files, files_cap * sizeof *files);
    }
    x = &files[nfiles];
    x->path = strdup(path);
    x->text = malloc((size_t)n + 1);
    x->len = fread(x->text, 1, (size_t)n, f);
    fclose(f);
    if (!quarry_utf8_valid(x->text, x->len)) {
        free(x->path);
        free(x->text);
        return;
    }
    total_bytes += x->len;
    nfiles++;
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) {
        add_file(dir);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char p[4096];
        struct stat st;
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(p);
        else if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0)
            add_file(p);
    }
    closedir(d);
}

static void input_of(qi_docinput *in, const file *f, const quarry_tokens *t,
                     const quarry_field *fld)
{
    memset(in, 0, sizeof *in);
    in->source = f->path;
    in->fields = fld;
    in->field_count = 1;
    in->text = f->text;
    in->text_len = f->len;
    in->tokens = quarry_tokens_data(t);
    in->token_count = quarry_tokens_count(t);
    in->arena = quarry_tokens_arena(t);
    in->sentences = quarry_tokens_sentences(t);
    in->sentence_count = quarry_tokens_sentence_count(t);
    in->paragraphs = quarry_tokens_paragraphs(t);
    in->paragraph_count = quarry_tokens_paragraph_count(t);
    in->words = quarry_tokens_words(t);
    in->word_count = quarry_tokens_word_count(t);
}

int main(int argc, char **argv)
{
    quarry_env *env;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    int i, run, runs = 3, keep = 0;
    double best_tok = 1e30, best_full = 1e30, best_add = 1e30,
           best_write = 1e30, fsync_wall = 0, zstd_time = 0;
    size_t ntokens = 0, k, mem = 0;
    char dir[] = "/tmp/segbench-XXXXXX", path[64];
    quarry_field fld = {"kind", "speech", 6, QUARRY_FIELD_STRING, {0}};

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
            limit_bytes = (size_t)atol(argv[++i]) << 20;
        else if (strcmp(argv[i], "-k") == 0)
            keep = 1;
        else
            return 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: segment_bench [-r RUNS] [-l MB] [-k] DIR...\n");
        return 2;
    }
    for (; i < argc; i++)
        walk(argv[i]);
    qsort(files, nfiles, sizeof *files, cmp_file);
    if (!mkdtemp(dir))
        return 1;
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK ||
        quarry_tokenizer_new(env, NULL, &tok) != QUARRY_OK ||
        quarry_tokens_new(env, &toks) != QUARRY_OK)
        return 1;
    /* one-off loads (CJK dictionary) before timing */
    quarry_tokenize(tok, files[0].text, files[0].len, toks);

    for (run = 0; run < runs; run++) {
        qi_segbuild *b;
        double t0, t1, tadd = 0, tw, w0;
        ntokens = 0;
        t0 = cpu_now();
        for (k = 0; k < nfiles; k++) {
            if (quarry_tokenize(tok, files[k].text, files[k].len, toks) !=
                QUARRY_OK)
                return 1;
            ntokens += quarry_tokens_count(toks);
        }
        t1 = cpu_now() - t0;
        if (t1 < best_tok)
            best_tok = t1;

        if (qi_segbuild_new(env, &b) != QUARRY_OK)
            return 1;
        t0 = cpu_now();
        for (k = 0; k < nfiles; k++) {
            qi_docinput in;
            double a;
            if (quarry_tokenize(tok, files[k].text, files[k].len, toks) !=
                QUARRY_OK)
                return 1;
            input_of(&in, &files[k], toks, &fld);
            a = cpu_now();
            if (qi_segbuild_add(b, &in) != QUARRY_OK) {
                fprintf(stderr, "add: %s\n", qi_segbuild_errmsg(b));
                return 1;
            }
            tadd += cpu_now() - a;
        }
        mem = qi_segbuild_memory(b);
        snprintf(path, sizeof path, "%s/seg%d.qs", dir, run);
        tw = cpu_now();
        w0 = wall_now();
        if (qi_segbuild_write(b, path, 1) != QUARRY_OK) {
            fprintf(stderr, "write: %s\n", qi_segbuild_errmsg(b));
            return 1;
        }
        fsync_wall = wall_now() - w0;
        tw = cpu_now() - tw;
        t1 = cpu_now() - t0;
        qi_segbuild_free(b);
        if (t1 < best_full)
            best_full = t1;
        if (tadd < best_add)
            best_add = tadd;
        if (tw < best_write)
            best_write = tw;
        if (run + 1 < runs || !keep)
            unlink(path);
    }
    {
        /* what the store's compression alone costs: the same 64 KiB
         * blocks of consecutive documents at the same level */
        ZSTD_CCtx *z = ZSTD_createCCtx();
        char *blk = malloc(1 << 16), *dst = malloc(ZSTD_compressBound(1 << 20));
        size_t fill = 0;
        double z0;
        ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 1);
        ZSTD_CCtx_setParameter(z, ZSTD_c_hashLog, 12);
        ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1);
        z0 = cpu_now();
        for (k = 0; k < nfiles; k++) {
            size_t off = 0;
            while (off < files[k].len) {
                size_t take = files[k].len - off;
                if (fill && fill + take > (1 << 16)) {
                    ZSTD_compress2(z, dst, ZSTD_compressBound(1 << 16), blk,
                                   fill);
                    fill = 0;
                }
                if (take >= (1 << 16)) {
                    dst = realloc(dst, ZSTD_compressBound(take));
                    ZSTD_compress2(z, dst, ZSTD_compressBound(take),
                                   files[k].text + off, take);
                } else {
                    memcpy(blk + fill, files[k].text + off, take);
                    fill += take;
                }
                off += take;
            }
        }
        if (fill)
            ZSTD_compress2(z, dst, ZSTD_compressBound(1 << 16), blk, fill);
        zstd_time = cpu_now() - z0;
        ZSTD_freeCCtx(z);
        free(blk);
        free(dst);
    }
    {
        double mb = (double)total_bytes / 1e6;
        printf("input: %zu files, %.1f MB, %zu tokens\n", nfiles, mb, ntokens);
        printf("tokenize only:           %6.3f s  %7.1f MB/s\n", best_tok,
               mb / best_tok);
        printf("tokenize+build+write:    %6.3f s  %7.1f MB/s\n", best_full,
               mb / best_full);
        printf("  build (add) alone:     %6.3f s  %7.1f MB/s of input\n",
               best_add, mb / best_add);
        printf("  write alone:           %6.3f s  %7.1f MB/s of input "
               "(wall incl. fsync %.3f s)\n",
               best_write, mb / best_write, fsync_wall);
        printf("  build+write:           %6.3f s  %7.1f MB/s of input\n",
               best_add + best_write, mb / (best_add + best_write));
        printf("  of which zstd (store):  %6.3f s  %7.1f MB/s; build+write "
               "without it: %.1f MB/s\n",
               zstd_time, mb / zstd_time,
               mb / (best_add + best_write - zstd_time));
        printf("builder memory before write: %.1f MB (%.2f x input)\n",
               (double)mem / 1e6, (double)mem / (double)total_bytes);
    }
    /* sizes: write once more if the file was removed */
    {
        qi_segbuild *b;
        qi_segment *seg;
        qi_segment_stats st;
        char err[QI_ERRMSG_SIZE];
        uint64_t idx = 0;
        snprintf(path, sizeof path, "%s/sizes.qs", dir);
        qi_segbuild_new(env, &b);
        for (k = 0; k < nfiles; k++) {
            qi_docinput in;
            quarry_tokenize(tok, files[k].text, files[k].len, toks);
            input_of(&in, &files[k], toks, &fld);
            qi_segbuild_add(b, &in);
        }
        if (qi_segbuild_write(b, path, 1) != QUARRY_OK)
            return 1;
        qi_segbuild_free(b);
        if (qi_segment_open(env, path, &seg, err) != QUARRY_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        qi_segment_stats_get(seg, &st);
        printf("segment: %.1f MB, %llu terms, %llu word-layer forms\n",
               (double)st.file_bytes / 1e6, (unsigned long long)st.term_count,
               (unsigned long long)st.word_term_count);
        for (k = 0; k < QUARRY_PART_DELETIONS; k++) {
            static const char *const names[] = {
                "terms",     "postings", "tokens", "offsets",
                "structure", "store",    "fields", "docs"};
            printf("  %-10s %10llu bytes  %6.2f%% of input\n", names[k],
                   (unsigned long long)st.bytes[k],
                   100.0 * (double)st.bytes[k] / (double)total_bytes);
        }
        idx = st.bytes[QUARRY_PART_TERMS] + st.bytes[QUARRY_PART_POSTINGS];
        printf("  terms+postings:                  %6.2f%%\n",
               100.0 * (double)idx / (double)total_bytes);
        idx += st.bytes[QUARRY_PART_TOKENS] + st.bytes[QUARRY_PART_OFFSETS] +
               st.bytes[QUARRY_PART_STRUCTURE];
        printf("  + tokens, offsets, structure:    %6.2f%%\n",
               100.0 * (double)idx / (double)total_bytes);
        idx += st.bytes[QUARRY_PART_FIELDS] + st.bytes[QUARRY_PART_DOCS];
        printf("  all but stored text:             %6.2f%%\n",
               100.0 * (double)idx / (double)total_bytes);
        {
            double v0 = cpu_now();
            int rc = qi_segment_verify(seg);
            printf("verify: %s in %.3f s %s\n",
                   rc == QUARRY_OK ? "ok" : "FAILED", cpu_now() - v0,
                   rc ? qi_segment_errmsg(seg) : "");
        }
        qi_segment_close(seg);
        if (!keep)
            unlink(path);
        else
            printf("kept %s\n", path);
    }
    if (!keep)
        rmdir(dir);
    quarry_tokens_free(toks);
    quarry_tokenizer_free(tok);
    quarry_env_free(env);
    return 0;
}
