/*
 * fuzz_segment.c - libFuzzer target for the index reader: a segment file or
 * a manifest, written into a temporary index directory, then
 * quarry_index_open, every read, quarry_index_check and the reads again.
 *
 * Input: the first byte is a mode, the rest the file.
 *   bit 0 clear: the rest is a segment file. It is written as
 *     seg-<id>.qseg with <id> from its header (offset 16), beside a valid
 *     manifest naming it with the document count of its header (offset 24).
 *   bit 0 set: the rest is a manifest, written beside the segment and
 *     deletion files of a small index (two segments, one deletion file) that
 *     the target builds with the writer on first use.
 *   bit 1 set: checksums are recomputed before writing (a segment's section
 *     checksums in its TOC, then the TOC and header checksums in its
 *     footer; a manifest's trailing XXH3), so that mutations get past the
 *     checksums to the structure checks and the decoders.
 *
 * Invariants: open returns OK or ECORRUPT / EVERSION / ENOENT / EIO with a
 * message; reads return documented codes and never crash; check returns OK
 * or ECORRUPT with a message. When check passes, the snapshot must be
 * consistent: every document's meta, text (of the recorded length), tokens
 * (the recorded count, term ids in range, byte spans inside the text) and
 * spans read without error, every term id has a text, and looking a term's
 * text up finds that id.
 */
#include "fuzz_common.h"
#include "quarry.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define MAX_DOCS 2048   /* documents read per input */
#define MAX_TERMS 20000 /* terms walked per input */
#define MAX_TOKENS 4096 /* tokens read per document */

static quarry_env *env;
static char dir[256];
/* FUZZ_SEGMENT_SKIP_EMPTY_TEXT=1: do not read the text of documents whose
 * text is empty, to fuzz on past a known bug: qi_segment_doc_text computes
 * NULL + 0 (UBSan: "applying zero offset to null pointer") when no store
 * block has been loaded yet. */
static int skip_empty_text;

/* The template index for manifest inputs: its files (not the manifest). */
typedef struct tfile {
    char name[256];
    uint8_t *data;
    size_t size;
} tfile;
static tfile tfiles[16];
static size_t ntfiles;

static uint64_t ld64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void st64(uint8_t *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static void write_file(const char *name, const uint8_t *data, size_t n)
{
    char p[512];
    int fd;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(n == 0 || write(fd, data, n) == (ssize_t)n);
    close(fd);
}

static void clear_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[512];
    FUZZ_CHECK(d != NULL);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    FUZZ_CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void add_doc(quarry_writer *w, const char *src, const char *text,
                    const char *year)
{
    quarry_field f;
    quarry_doc *doc = NULL;
    memset(&f, 0, sizeof f);
    f.name = "year";
    f.text = year;
    f.text_len = strlen(year);
    FUZZ_CHECK(quarry_doc_new(env, src, 0, text, strlen(text), &f, 1, &doc) ==
               QUARRY_OK);
    FUZZ_CHECK(quarry_writer_add(w, doc, NULL) == QUARRY_OK);
}

static void cleanup(void)
{
    size_t i;
    clear_dir();
    rmdir(dir);
    for (i = 0; i < ntfiles; i++)
        free(tfiles[i].data);
    quarry_env_free(env);
}

/* On first use: the temporary directory and the template index. */
static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    quarry_writer *w = NULL;
    quarry_writer_options o;
    DIR *d;
    struct dirent *de;
    if (env)
        return;
    skip_empty_text = getenv("FUZZ_SEGMENT_SKIP_EMPTY_TEXT") != NULL;
    FUZZ_CHECK(quarry_env_new(NULL, NULL, &env) == QUARRY_OK);
    snprintf(dir, sizeof dir, "%s/quarry-fuzz-segment-XXXXXX",
             tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    memset(&o, 0, sizeof o);
    o.threads = 1;
    FUZZ_CHECK(quarry_writer_open(env, dir, &o, &w) == QUARRY_OK);
    add_doc(w, "a.txt",
            "The cat sat on the mat. It's 1,000 miles.\n\nNew "
            "paragraph here.",
            "1999");
    add_doc(w, "b.txt", "新质生产力 and the dog barked!", "2024-03");
    FUZZ_CHECK(quarry_writer_commit(w, NULL) == QUARRY_OK);
    add_doc(w, "c.txt", "Peace and trade; Fellow-Citizens.", "1801");
    FUZZ_CHECK(quarry_writer_delete_key(w, "a.txt", 0, NULL) == QUARRY_OK);
    FUZZ_CHECK(quarry_writer_commit(w, NULL) == QUARRY_OK);
    quarry_writer_free(w);
    d = opendir(dir);
    FUZZ_CHECK(d != NULL);
    while ((de = readdir(d)) != NULL && ntfiles < 16) {
        char p[512];
        if (strncmp(de->d_name, "seg-", 4) != 0)
            continue;
        snprintf(tfiles[ntfiles].name, sizeof tfiles[ntfiles].name, "%s",
                 de->d_name);
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        tfiles[ntfiles].data = slurp(p, &tfiles[ntfiles].size);
        FUZZ_CHECK(tfiles[ntfiles].data != NULL);
        ntfiles++;
    }
    closedir(d);
    clear_dir();
    atexit(cleanup);
}

/* Recomputes the checksums of a segment file in place (as far as its
 * footer and TOC make sense). */
static void fix_segment(uint8_t *b, size_t n)
{
    uint8_t *f;
    uint64_t toc_off, toc_len, i;
    if (n < 64 + 40)
        return;
    f = b + n - 40;
    toc_off = ld64(f);
    toc_len = ld64(f + 8);
    if (toc_off <= n - 40 && toc_len <= n - 40 - toc_off) {
        for (i = 0; i + 32 <= toc_len; i += 32) {
            uint8_t *e = b + toc_off + i;
            uint64_t off = ld64(e + 8), len = ld64(e + 16);
            if (off <= n && len <= n - off)
                st64(e + 24, XXH3_64bits(b + off, (size_t)len));
        }
        st64(f + 16, XXH3_64bits(b + toc_off, (size_t)toc_len));
    }
    st64(f + 24, XXH3_64bits(b, 64));
}

/* A manifest naming one segment (docs/format-manifest.md). */
static size_t make_manifest(uint8_t *m, uint64_t id, uint64_t docs)
{
    size_t n = 0;
    memcpy(m, "QRYMANIF", 8);
    n = 8;
    memset(m + n, 0, 8); /* version, reserved */
    m[n] = QUARRY_FORMAT_VERSION;
    n += 8;
    st64(m + n, 1); /* generation */
    n += 8;
    st64(m + n, id + 1); /* next segment id */
    n += 8;
    memset(m + n, 0, 4 + 4 * 3); /* flags, three empty strings */
    n += 16;
    st64(m + n, 0); /* lexicon hash */
    n += 8;
    st64(m + n, 1); /* one segment */
    n += 8;
    st64(m + n, id);
    st64(m + n + 8, docs);
    st64(m + n + 16, 0);
    st64(m + n + 24, 0);
    n += 32;
    st64(m + n, XXH3_64bits(m, n));
    return n + 8;
}

static int known(int rc)
{
    return rc == QUARRY_OK || rc == QUARRY_DONE || rc == QUARRY_ECORRUPT ||
           rc == QUARRY_EINVAL || rc == QUARRY_ENOMEM || rc == QUARRY_EIO ||
           rc == QUARRY_ELIMIT;
}

/* Every read; with strict (the check passed) they must all succeed and
 * agree with each other. */
static void exercise(quarry_index *ix, int strict)
{
    static uint32_t ids[MAX_TOKENS];
    static uint64_t starts[MAX_TOKENS], ends[MAX_TOKENS];
    static quarry_span spans[MAX_TOKENS];
    quarry_index_info info;
    uint64_t n, id, t, terms;
    size_t i;
    int rc, k;

    rc = quarry_index_info_get(ix, &info);
    FUZZ_CHECK(known(rc));
    FUZZ_CHECK(!strict || rc == QUARRY_OK);
    terms = quarry_index_term_count(ix);
    n = quarry_index_doc_limit(ix);
    for (id = 0; id < n && id < MAX_DOCS; id++) {
        quarry_index_doc m;
        const char *text;
        size_t len = 0, got = 0, nf;
        (void)quarry_index_doc_live(ix, id);
        memset(&m, 0, sizeof m);
        rc = quarry_index_doc_get(ix, id, &m);
        FUZZ_CHECK(known(rc));
        FUZZ_CHECK(!strict || rc == QUARRY_OK);
        if (rc != QUARRY_OK)
            memset(&m, 0, sizeof m);
        else {
            FUZZ_CHECK(m.source != NULL);
            nf = m.field_count < 64 ? m.field_count : 64;
            for (i = 0; i < nf; i++) {
                quarry_field f;
                rc = quarry_index_doc_field(ix, id, i, &f);
                FUZZ_CHECK(known(rc));
                FUZZ_CHECK(!strict || rc == QUARRY_OK);
                if (rc == QUARRY_OK)
                    FUZZ_CHECK(f.name != NULL && f.text != NULL);
            }
        }
        if (m.text_bytes == 0 && skip_empty_text) {
            /* known UB on the first read of an empty text (see below) */
        } else {
            rc = quarry_index_doc_text(ix, id, &text, &len);
            FUZZ_CHECK(known(rc));
            FUZZ_CHECK(!strict || rc == QUARRY_OK);
            if (strict)
                FUZZ_CHECK(len == m.text_bytes);
        }
        rc = quarry_index_doc_tokens(ix, id, 0, MAX_TOKENS, ids, starts, ends,
                                     &got);
        FUZZ_CHECK(known(rc));
        FUZZ_CHECK(!strict || rc == QUARRY_OK);
        if (rc == QUARRY_OK)
            FUZZ_CHECK(got <= MAX_TOKENS);
        if (strict) {
            FUZZ_CHECK(got == (m.tokens < MAX_TOKENS ? m.tokens : MAX_TOKENS));
            for (i = 0; i < got; i++) {
                FUZZ_CHECK(ids[i] < terms);
                FUZZ_CHECK(starts[i] <= ends[i] && ends[i] <= m.text_bytes);
            }
        }
        if (m.tokens > 2 && rc == QUARRY_OK) {
            rc = quarry_index_doc_tokens(ix, id, m.tokens / 2, 3, ids, NULL,
                                         NULL, &got);
            FUZZ_CHECK(known(rc));
            FUZZ_CHECK(!strict || rc == QUARRY_OK);
        }
        for (k = 0; k < 2; k++) {
            rc = quarry_index_doc_spans(ix, id, k, 0, MAX_TOKENS, spans, &got);
            FUZZ_CHECK(known(rc));
            FUZZ_CHECK(!strict || rc == QUARRY_OK);
            if (strict) {
                uint64_t want = k ? m.paragraphs : m.sentences;
                FUZZ_CHECK(got == (want < MAX_TOKENS ? want : MAX_TOKENS));
                for (i = 0; i < got; i++)
                    FUZZ_CHECK(spans[i].first <= spans[i].end &&
                               spans[i].end <= m.tokens);
            }
        }
    }
    for (t = 0; t < terms && t < MAX_TERMS; t++) {
        size_t len = 0;
        uint64_t c, dc;
        uint32_t got_id = 0;
        const char *s = quarry_index_term_text(ix, (uint32_t)t, &len, &c, &dc);
        FUZZ_CHECK(!strict || s != NULL);
        if (!s)
            continue;
        rc = quarry_index_term_lookup(ix, s, len, &got_id, &c, &dc);
        FUZZ_CHECK(known(rc));
        if (strict) {
            FUZZ_CHECK(rc == QUARRY_OK && got_id == t);
            FUZZ_CHECK(quarry_index_term_seek(ix, s, len) == t);
        }
    }
    (void)quarry_index_term_text(ix, (uint32_t)terms, NULL, NULL, NULL);
    rc = quarry_index_term_lookup(ix, "the", 3, NULL, NULL, NULL);
    FUZZ_CHECK(known(rc));
    (void)quarry_index_term_seek(ix, "m", 1);
    {
        quarry_vocab_scan *s = NULL;
        size_t got = 0, rounds = 0;
        if (quarry_vocab_scan_new(env, ix, NULL, &s, NULL) == QUARRY_OK) {
            while ((rc = quarry_vocab_scan_next(s, 512, ids, starts, ends,
                                                &got)) == QUARRY_OK &&
                   ++rounds < MAX_TERMS / 512)
                ;
            FUZZ_CHECK(known(rc));
            quarry_vocab_scan_free(s);
        }
    }
    n = quarry_index_field_count(ix);
    for (i = 0; i < n && i < 64; i++) {
        quarry_summary_field sf;
        rc = quarry_index_field_get(ix, i, &sf);
        FUZZ_CHECK(known(rc));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *file, man[128];
    quarry_index *ix = NULL;
    size_t n, i;
    int mode, rc;

    if (size < 1)
        return 0;
    setup();
    mode = data[0];
    n = size - 1;
    file = malloc(n ? n : 1);
    FUZZ_CHECK(file != NULL);
    if (n)
        memcpy(file, data + 1, n);
    clear_dir();
    if (mode & 1) {
        if ((mode & 2) && n >= 8)
            st64(file + n - 8, XXH3_64bits(file, n - 8));
        for (i = 0; i < ntfiles; i++)
            write_file(tfiles[i].name, tfiles[i].data, tfiles[i].size);
        write_file("manifest", file, n);
    } else {
        char name[64];
        uint64_t id = n >= 24 ? ld64(file + 16) : 1;
        uint64_t docs = n >= 32 ? ld64(file + 24) : 0;
        if (mode & 2)
            fix_segment(file, n);
        snprintf(name, sizeof name, "seg-%016llx.qseg", (unsigned long long)id);
        write_file(name, file, n);
        write_file("manifest", man, make_manifest(man, id, docs));
    }
    free(file);

    rc = quarry_index_open(env, dir, &ix);
    if (getenv("FUZZ_SEGMENT_VERBOSE"))
        fprintf(stderr, "open: %s %s\n", quarry_status_name(rc),
                rc ? quarry_env_errmsg(env) : "");
    if (rc != QUARRY_OK) {
        FUZZ_CHECK(rc == QUARRY_ECORRUPT || rc == QUARRY_EVERSION ||
                   rc == QUARRY_ENOENT || rc == QUARRY_EIO ||
                   rc == QUARRY_ENOMEM);
        FUZZ_CHECK(ix == NULL);
        FUZZ_CHECK(quarry_env_errmsg(env)[0] != '\0');
        return 0;
    }
    exercise(ix, 0);
    rc = quarry_index_check(ix);
    FUZZ_CHECK(rc == QUARRY_OK || rc == QUARRY_ECORRUPT || rc == QUARRY_ENOMEM);
    if (rc != QUARRY_OK)
        FUZZ_CHECK(quarry_index_errmsg(ix)[0] != '\0');
    if (getenv("FUZZ_SEGMENT_VERBOSE"))
        fprintf(stderr, "check: %s %s\n", quarry_status_name(rc),
                rc ? quarry_index_errmsg(ix) : "");
    exercise(ix, rc == QUARRY_OK);
    quarry_index_free(ix);
    return 0;
}
