/*
 * read_bench.c - reads sources with the quarry reader and reports what it
 * produced and how fast. Not part of the build; compile against a build
 * tree, for example:
 *
 *   cc -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -Icore/include \
 *      bench/read_bench.c build/core/libquarry.a \
 *      $(pkg-config --libs icu-uc icu-i18n libpcre2-8 yaml-0.1 libzstd \
 *        jansson friso) -lpthread -lm -o /tmp/read_bench
 *
 *   /tmp/read_bench [-v] [-H] [-p PATTERN] [-f FORMAT] [-T FIELD] \
 *                   [-t NAME=TYPE]... SOURCE...
 *
 * -v prints every non-document event and each document's fields; -H reads
 * hidden files too.
 */
#include "quarry.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_field(const quarry_field *f)
{
    switch (f->type) {
    case QUARRY_FIELD_INTEGER:
        printf("  %s = %" PRId64 " (integer)\n", f->name, f->value.integer);
        break;
    case QUARRY_FIELD_NUMBER:
        printf("  %s = %g (number)\n", f->name, f->value.number);
        break;
    case QUARRY_FIELD_DATE:
        printf("  %s = %s (date, precision %d)\n", f->name, f->text,
               f->value.date.precision);
        break;
    default: printf("  %s = \"%s\" (string)\n", f->name, f->text);
    }
}

int main(int argc, char **argv)
{
    quarry_read_options opts;
    const char *types[64];
    quarry_env *env;
    quarry_reader *rd;
    quarry_read_event ev;
    uint64_t docs = 0, bytes = 0, skipped = 0, errors = 0, warnings = 0;
    uint64_t by_reason[16] = {0};
    const char *reasons[16] = {0};
    size_t nreasons = 0, i;
    int verbose = 0, rc, a;
    double t0, t1;
    memset(&opts, 0, sizeof opts);
    opts.field_types = types;
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    for (a = 1; a < argc && argv[a][0] == '-' && argv[a][1]; a++) {
        if (strcmp(argv[a], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[a], "-H") == 0)
            opts.include_hidden = 1;
        else if (strcmp(argv[a], "-p") == 0 && a + 1 < argc)
            opts.name_pattern = argv[++a];
        else if (strcmp(argv[a], "-f") == 0 && a + 1 < argc)
            opts.format = argv[++a];
        else if (strcmp(argv[a], "-T") == 0 && a + 1 < argc)
            opts.text_field = argv[++a];
        else if (strcmp(argv[a], "-t") == 0 && a + 1 < argc &&
                 opts.field_type_count < 64)
            types[opts.field_type_count++] = argv[++a];
        else {
            fprintf(stderr, "unknown option %s\n", argv[a]);
            return 2;
        }
    }
    if (quarry_reader_new(env, &opts, &rd) != QUARRY_OK) {
        fprintf(stderr, "reader: %s\n", quarry_env_errmsg(env));
        return 1;
    }
    t0 = now();
    for (; a < argc; a++)
        if ((rc = quarry_reader_add(rd, argv[a])) != QUARRY_OK)
            fprintf(stderr, "add %s: %s %s\n", argv[a], quarry_status_name(rc),
                    quarry_reader_errmsg(rd));
    while ((rc = quarry_reader_next(rd, &ev)) == QUARRY_OK) {
        if (ev.kind == QUARRY_EVENT_DOCUMENT) {
            size_t len;
            quarry_doc_text(ev.doc, &len);
            bytes += len;
            docs++;
            if (verbose) {
                printf("DOC %s #%" PRIu64 " %s %s %zu bytes\n", ev.path,
                       ev.record, quarry_doc_format(ev.doc),
                       quarry_doc_encoding(ev.doc), len);
                for (i = 0; i < quarry_doc_field_count(ev.doc); i++)
                    print_field(quarry_doc_field(ev.doc, i));
            }
            quarry_doc_free(ev.doc);
            continue;
        }
        if (ev.kind == QUARRY_EVENT_SKIPPED)
            skipped++;
        else if (ev.kind == QUARRY_EVENT_ERROR)
            errors++;
        else
            warnings++;
        for (i = 0; i < nreasons && strcmp(reasons[i], ev.reason) != 0; i++)
            ;
        if (i == nreasons && nreasons < 16)
            reasons[nreasons++] = ev.reason;
        if (i < 16)
            by_reason[i]++;
        if (verbose || ev.kind == QUARRY_EVENT_ERROR)
            printf("%s %s line %" PRIu64 " col %" PRIu64 " rec %" PRIu64
                   ": %s\n",
                   ev.kind == QUARRY_EVENT_SKIPPED ? "SKIPPED"
                   : ev.kind == QUARRY_EVENT_ERROR ? "ERROR"
                                                   : "WARNING",
                   ev.reason, ev.line, ev.column, ev.record, ev.message);
    }
    t1 = now();
    if (rc != QUARRY_DONE)
        fprintf(stderr, "next: %s %s\n", quarry_status_name(rc),
                quarry_reader_errmsg(rd));
    printf("documents %" PRIu64 ", skipped %" PRIu64 ", errors %" PRIu64
           ", warnings %" PRIu64 "\n",
           docs, skipped, errors, warnings);
    for (i = 0; i < nreasons; i++)
        printf("  %s: %" PRIu64 "\n", reasons[i], by_reason[i]);
    printf("%.1f MB of text in %.2f s: %.1f MB/s\n", (double)bytes / 1e6,
           t1 - t0, (double)bytes / 1e6 / (t1 - t0));
    quarry_reader_free(rd);
    quarry_env_free(env);
    return 0;
}
