/* test_corrupt.c - damaged index files: every file of a small index with
 * several segments and deletions (segments, deletion files, manifest) is
 * truncated at many lengths, has single bits flipped and regions overwritten
 * with random bytes (seeded PRNG), each time in a fresh copy of the whole
 * index directory. For every mutation:
 *
 *  - quarry_index_open returns OK, or ECORRUPT / EVERSION / ENOENT with a
 *    message naming the damaged file;
 *  - when open succeeds, quarry_index_check returns ECORRUPT naming the file
 *    and a part (every byte of every file is covered by a checksum, so a
 *    mutation that changed bytes never passes the check);
 *  - reads (info, every document's meta, fields, text, tokens and spans,
 *    term walk, lookups, seek, vocabulary scan, field summaries) never crash
 *    (the suite also runs under ASan + UBSan) and return either an error or
 *    exactly the data of the pristine index, before and after the check
 *    (reads verify each section's checksum on its first use). Data that
 *    differs ("silent" wrong reads) is reported per section and fails the
 *    test; QUARRY_CORRUPT_STRICT=0 only counts it.
 *
 * QUARRY_CORRUPT_SEED=N changes the PRNG seed (default 20261128);
 * QUARRY_CORRUPT_VERBOSE=1 prints every open and check message. */
#include "check.h"
#include "segment_format.h"
#include "testkit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static quarry_env *env;
static char tmproot[256];
static uint64_t rng_state = 20261128;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* ---- files ------------------------------------------------------------- */

typedef struct file {
    char name[256];
    unsigned char *data;
    size_t size;
} file;

static file files[64];
static size_t nfiles;

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void write_all(const char *path, const unsigned char *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(n == 0 || write(fd, data, n) == (ssize_t)n);
    close(fd);
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const file *)a)->name, ((const file *)b)->name);
}

/* Loads every file of the index (not the writer's lock) into files[]. */
static void load_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[1024];
    CHECK(d != NULL);
    if (!d)
        return;
    while ((de = readdir(d)) != NULL && nfiles < 64) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "lock") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        snprintf(files[nfiles].name, sizeof files[nfiles].name, "%s",
                 de->d_name);
        files[nfiles].data = read_all(p, &files[nfiles].size);
        CHECK(files[nfiles].data != NULL);
        nfiles++;
    }
    closedir(d);
    qsort(files, nfiles, sizeof *files, cmp_file);
}

/* The copy of the index with file k replaced by (data, n). */
static void make_copy(const char *dir, size_t k, const unsigned char *data,
                      size_t n)
{
    char p[1024];
    size_t i;
    CHECK_EQ_INT(mkdir(dir, 0755), 0);
    for (i = 0; i < nfiles; i++) {
        snprintf(p, sizeof p, "%.700s/%.255s", dir, files[i].name);
        if (i == k)
            write_all(p, data, n);
        else
            write_all(p, files[i].data, files[i].size);
    }
}

/* ---- the pristine snapshot ---------------------------------------------- */

typedef struct pdoc {
    int live;
    quarry_index_doc meta;
    char *source;
    char *text;
    size_t text_len;
    quarry_field *fields; /* name/text strdup'ed */
    uint32_t *ids;
    uint64_t *starts, *ends;
    size_t ntok;
    quarry_span *spans[2];
    size_t nspans[2];
} pdoc;

typedef struct pterm {
    char *text;
    size_t len;
    uint64_t count, docs;
} pterm;

static pdoc *pdocs;
static uint64_t pdoc_limit;
static pterm *pterms;
static uint64_t pterm_count;
static quarry_index_info pinfo;

static char *dup_bytes(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void snapshot(quarry_index *ix)
{
    uint64_t id, t;
    CHECK_EQ_INT(quarry_index_info_get(ix, &pinfo), QUARRY_OK);
    pdoc_limit = quarry_index_doc_limit(ix);
    pdocs = calloc((size_t)pdoc_limit, sizeof *pdocs);
    for (id = 0; id < pdoc_limit; id++) {
        pdoc *d = &pdocs[id];
        const char *text;
        size_t i, got, len;
        int k;
        d->live = quarry_index_doc_live(ix, id);
        CHECK_EQ_INT(quarry_index_doc_get(ix, id, &d->meta), QUARRY_OK);
        d->source = dup_bytes(d->meta.source, strlen(d->meta.source));
        CHECK_EQ_INT(quarry_index_doc_text(ix, id, &text, &len), QUARRY_OK);
        d->text = dup_bytes(text, len);
        d->text_len = len;
        d->fields = calloc(d->meta.field_count + 1, sizeof *d->fields);
        for (i = 0; i < d->meta.field_count; i++) {
            quarry_field f;
            CHECK_EQ_INT(quarry_index_doc_field(ix, id, i, &f), QUARRY_OK);
            d->fields[i] = f;
            d->fields[i].name = dup_bytes(f.name, strlen(f.name));
            d->fields[i].text = dup_bytes(f.text, f.text_len);
        }
        d->ntok = (size_t)d->meta.tokens;
        d->ids = malloc((d->ntok + 1) * sizeof *d->ids);
        d->starts = malloc((d->ntok + 1) * sizeof *d->starts);
        d->ends = malloc((d->ntok + 1) * sizeof *d->ends);
        CHECK_EQ_INT(quarry_index_doc_tokens(ix, id, 0, d->ntok, d->ids,
                                             d->starts, d->ends, &got),
                     QUARRY_OK);
        CHECK_EQ_INT(got, d->ntok);
        for (k = 0; k < 2; k++) {
            size_t n = (size_t)(k ? d->meta.paragraphs : d->meta.sentences);
            d->spans[k] = malloc((n + 1) * sizeof *d->spans[k]);
            CHECK_EQ_INT(
                quarry_index_doc_spans(ix, id, k, 0, n, d->spans[k], &got),
                QUARRY_OK);
            CHECK_EQ_INT(got, n);
            d->nspans[k] = n;
        }
    }
    pterm_count = quarry_index_term_count(ix);
    pterms = calloc((size_t)pterm_count + 1, sizeof *pterms);
    for (t = 0; t < pterm_count; t++) {
        size_t len = 0;
        const char *s = quarry_index_term_text(
            ix, (uint32_t)t, &len, &pterms[t].count, &pterms[t].docs);
        CHECK(s != NULL);
        if (!s)
            continue;
        pterms[t].text = dup_bytes(s, len);
        pterms[t].len = len;
    }
}

static void free_snapshot(void)
{
    uint64_t id, t;
    size_t i;
    for (id = 0; id < pdoc_limit; id++) {
        pdoc *d = &pdocs[id];
        for (i = 0; i < d->meta.field_count; i++) {
            free((char *)d->fields[i].name);
            free((char *)d->fields[i].text);
        }
        free(d->fields);
        free(d->source);
        free(d->text);
        free(d->ids);
        free(d->starts);
        free(d->ends);
        free(d->spans[0]);
        free(d->spans[1]);
    }
    free(pdocs);
    for (t = 0; t < pterm_count; t++)
        free(pterms[t].text);
    free(pterms);
}

/* ---- the damaged snapshot ----------------------------------------------- */

/* Statistics: per file kind, per outcome; silent wrong reads per section. */
static int n_mutations, n_unchanged, n_open_err, n_check_err, n_slipped;
static int n_wrong_msg, n_silent, n_silent_mut, n_eversion;
static int silent_by_section[QS_COUNT + 3];
static int strict;

/* A read that returned OK gave data different from the pristine index. */
static int silent_this;
static const char *silent_where = "";
static void silent(const char *what, uint64_t id)
{
    if (silent_this++ == 0 && strict)
        fprintf(stderr, "  silent wrong read: %s (id %llu) after %s\n", what,
                (unsigned long long)id, silent_where);
}

static int field_eq(const quarry_field *a, const quarry_field *b)
{
    if (strcmp(a->name, b->name) != 0 || a->type != b->type ||
        a->text_len != b->text_len || memcmp(a->text, b->text, a->text_len))
        return 0;
    switch (a->type) {
    case QUARRY_FIELD_INTEGER: return a->value.integer == b->value.integer;
    case QUARRY_FIELD_NUMBER:
        return memcmp(&a->value.number, &b->value.number, sizeof(double)) == 0;
    case QUARRY_FIELD_DATE:
        return a->value.date.year == b->value.date.year &&
               a->value.date.month == b->value.date.month &&
               a->value.date.day == b->value.date.day &&
               a->value.date.precision == b->value.date.precision;
    default: return 1;
    }
}

static void errcode_ok(int rc)
{
    /* an error is one of the documented codes; never a crash or garbage */
    CHECK(rc == QUARRY_OK || rc == QUARRY_DONE || rc == QUARRY_ECORRUPT ||
          rc == QUARRY_EINVAL || rc == QUARRY_ENOMEM || rc == QUARRY_EIO);
}

static void exercise(quarry_index *ix)
{
    static uint32_t ids[1 << 16];
    static uint64_t starts[1 << 16], ends[1 << 16], counts[4096], dcs[4096];
    static quarry_span spans[1 << 14];
    quarry_index_info info;
    uint64_t id, t, n;
    size_t i, nf;
    int rc, k;

    rc = quarry_index_info_get(ix, &info);
    errcode_ok(rc);
    if (rc == QUARRY_OK &&
        (info.documents != pinfo.documents || info.deleted != pinfo.deleted ||
         info.tokens != pinfo.tokens || info.segments != pinfo.segments))
        silent("info", 0);
    n = quarry_index_doc_limit(ix);
    if (n != pdoc_limit)
        silent("doc limit", n);
    for (id = 0; id < n && id < pdoc_limit; id++) {
        const pdoc *d = &pdocs[id];
        quarry_index_doc m;
        const char *text;
        size_t len, got;
        if (quarry_index_doc_live(ix, id) != d->live)
            silent("live", id);
        rc = quarry_index_doc_get(ix, id, &m);
        errcode_ok(rc);
        if (rc == QUARRY_OK) {
            if (!m.source || strcmp(m.source, d->source) != 0 ||
                m.record != d->meta.record || m.hash != d->meta.hash ||
                m.tokens != d->meta.tokens ||
                m.text_bytes != d->meta.text_bytes ||
                m.sentences != d->meta.sentences ||
                m.paragraphs != d->meta.paragraphs ||
                m.field_count != d->meta.field_count)
                silent("doc meta", id);
            nf = m.field_count < 16 ? m.field_count : 16;
            for (i = 0; i < nf; i++) {
                quarry_field f;
                rc = quarry_index_doc_field(ix, id, i, &f);
                errcode_ok(rc);
                if (rc == QUARRY_OK) {
                    CHECK(f.name != NULL && f.text != NULL);
                    if (i >= d->meta.field_count || !f.name || !f.text ||
                        !field_eq(&f, &d->fields[i]))
                        silent("field", id);
                }
            }
        }
        rc = quarry_index_doc_text(ix, id, &text, &len);
        errcode_ok(rc);
        if (rc == QUARRY_OK &&
            (len != d->text_len || memcmp(text, d->text, len) != 0))
            silent("text", id);
        /* tokens: all of them, then a window in the middle */
        rc = quarry_index_doc_tokens(ix, id, 0, sizeof ids / sizeof *ids, ids,
                                     starts, ends, &got);
        errcode_ok(rc);
        if (rc == QUARRY_OK &&
            (got != d->ntok || memcmp(ids, d->ids, got * sizeof *ids) != 0 ||
             memcmp(starts, d->starts, got * sizeof *starts) != 0 ||
             memcmp(ends, d->ends, got * sizeof *ends) != 0))
            silent("tokens", id);
        if (d->ntok > 3) {
            uint64_t first = d->ntok / 2 + 1;
            rc = quarry_index_doc_tokens(ix, id, first, 5, ids, NULL, ends,
                                         &got);
            errcode_ok(rc);
            if (rc == QUARRY_OK &&
                (got != (d->ntok - first < 5 ? d->ntok - first : 5) ||
                 memcmp(ids, d->ids + first, got * sizeof *ids) != 0))
                silent("token window", id);
        }
        for (k = 0; k < 2; k++) {
            rc = quarry_index_doc_spans(
                ix, id, k, 0, sizeof spans / sizeof *spans, spans, &got);
            errcode_ok(rc);
            if (rc == QUARRY_OK &&
                (got != d->nspans[k] ||
                 memcmp(spans, d->spans[k], got * sizeof *spans) != 0))
                silent("spans", id);
        }
    }
    /* term walk, lookups and seeks. quarry_index_term_count has no status:
     * 0 is how it reports a snapshot term table it could not build (an
     * error, not a wrong answer); term_text signals errors with NULL. */
    n = quarry_index_term_count(ix);
    if (n != pterm_count && n != 0)
        silent("term count", n);
    for (t = 0; t < n && t < pterm_count; t++) {
        size_t len = 0;
        uint64_t c = 0, dc = 0;
        uint32_t tid = 0;
        const char *s = quarry_index_term_text(ix, (uint32_t)t, &len, &c, &dc);
        if (!s)
            continue;
        if (len != pterms[t].len || memcmp(s, pterms[t].text, len) != 0)
            silent("term text", t);
        else if (c != pterms[t].count || dc != pterms[t].docs)
            silent("term counts", t);
        if (t % 7 == 0) {
            rc = quarry_index_term_lookup(ix, pterms[t].text, pterms[t].len,
                                          &tid, &c, &dc);
            errcode_ok(rc);
            if (rc != QUARRY_OK && rc < 0)
                continue;
            if (rc != QUARRY_OK || tid != t || c != pterms[t].count ||
                dc != pterms[t].docs)
                silent("term lookup", t);
            if (quarry_index_term_seek(ix, pterms[t].text, pterms[t].len) != t)
                silent("term seek", t);
        }
    }
    rc = quarry_index_term_lookup(ix, "zzzz-not-a-term", 15, NULL, NULL, NULL);
    errcode_ok(rc);
    (void)quarry_index_term_text(ix, (uint32_t)n, NULL, NULL, NULL);
    (void)quarry_index_term_text(ix, UINT32_MAX, NULL, NULL, NULL);
    /* vocabulary scan: every term with a live occurrence */
    {
        quarry_vocab_scan *s = NULL;
        size_t got = 0, total = 0;
        if (quarry_vocab_scan_new(env, ix, NULL, &s, NULL) == QUARRY_OK) {
            while ((rc = quarry_vocab_scan_next(s, 4096, ids, counts, dcs,
                                                &got)) == QUARRY_OK)
                total += got;
            errcode_ok(rc == QUARRY_DONE ? QUARRY_OK : rc);
            quarry_vocab_scan_free(s);
        }
        (void)total;
    }
    /* field summaries */
    nf = quarry_index_field_count(ix);
    for (i = 0; i < nf && i < 64; i++) {
        quarry_summary_field sf;
        errcode_ok(quarry_index_field_get(ix, i, &sf));
    }
}

/* Section (or header/TOC/footer) of a segment that holds byte off. */
static int section_of(const file *f, size_t off)
{
    const unsigned char *b = f->data;
    uint64_t toc_off, toc_len, i;
    if (f->size < QS_HEADER_SIZE + QS_FOOTER_SIZE)
        return QS_COUNT;
    if (off < QS_HEADER_SIZE)
        return 0; /* header */
    if (off >= f->size - QS_FOOTER_SIZE)
        return QS_COUNT + 1; /* footer */
    memcpy(&toc_off, b + f->size - QS_FOOTER_SIZE + QS_F_TOC_OFF, 8);
    memcpy(&toc_len, b + f->size - QS_FOOTER_SIZE + QS_F_TOC_LEN, 8);
    if (off >= toc_off && off < toc_off + toc_len)
        return QS_COUNT; /* TOC */
    for (i = 0; i + QS_TOC_ENTRY <= toc_len; i += QS_TOC_ENTRY) {
        uint32_t id;
        uint64_t so, sl;
        memcpy(&id, b + toc_off + i, 4);
        memcpy(&so, b + toc_off + i + 8, 8);
        memcpy(&sl, b + toc_off + i + 16, 8);
        if (off >= so && off < so + sl)
            return (int)id;
    }
    return QS_COUNT + 2; /* between sections: no checksum covers it */
}

/* Name of a region from section_of: a section id (1 .. QS_COUNT - 1), the
 * header (0), the TOC, the footer, or bytes between sections. */
static const char *region_name(int r)
{
    static const char *const sections[] = {
        "header",     "sources",     "doc table", "field names", "fields",
        "store",      "store index", "tokens",    "ranks",       "offsets",
        "structure",  "postings",    "terms",     "term index",  "words",
        "word index", "word ranks"};
    static char other[32];
    if (r == QS_COUNT)
        return "TOC";
    if (r == QS_COUNT + 1)
        return "footer";
    if (r == QS_COUNT + 2)
        return "padding";
    if (r >= 0 && r < (int)(sizeof sections / sizeof *sections))
        return sections[r];
    snprintf(other, sizeof other, "section %d", r);
    return other;
}

static int is_segment(const file *f)
{
    return strstr(f->name, ".qseg") != NULL;
}

/* Words a check message may use for the damaged part of a file. */
static int names_a_part(const char *msg)
{
    static const char *const parts[] = {
        "checksum",   "header",    "footer",   "table of contents",
        "TOC",        "section",   "sources",  "doc",
        "field",      "store",     "tokens",   "ranks",
        "offsets",    "structure", "postings", "terms",
        "dictionary", "words",     "word"};
    size_t i;
    for (i = 0; i < sizeof parts / sizeof *parts; i++)
        if (strstr(msg, parts[i]))
            return 1;
    return 0;
}

/* Runs one mutation of file k: mutated contents (data, n); off is the first
 * changed byte (for the section statistics; SIZE_MAX for a truncation). */
static void run_mutation(size_t k, const unsigned char *data, size_t n,
                         size_t off, const char *kind)
{
    char dir[512];
    quarry_index *ix = NULL;
    const file *f = &files[k];
    int rc;

    n_mutations++;
    if (n == f->size && memcmp(data, f->data, n) == 0) {
        n_unchanged++; /* random bytes equal to the old ones */
        return;
    }
    snprintf(dir, sizeof dir, "%s/m%d", tmproot, n_mutations);
    make_copy(dir, k, data, n);
    rc = quarry_index_open(env, dir, &ix);
    if (rc != QUARRY_OK) {
        const char *msg = quarry_env_errmsg(env);
        n_open_err++;
        n_eversion += rc == QUARRY_EVERSION;
        if (getenv("QUARRY_CORRUPT_VERBOSE"))
            fprintf(stderr, "open: %s %s\n", quarry_status_name(rc), msg);
        CHECK(rc == QUARRY_ECORRUPT || rc == QUARRY_EVERSION ||
              rc == QUARRY_ENOENT);
        if (!strstr(msg, f->name)) {
            n_wrong_msg++;
            fprintf(stderr,
                    "%s %s at %zu (len %zu): open message does not "
                    "name the file: %s\n",
                    f->name, kind, off, n, msg);
        }
        CHECK(strstr(msg, f->name) != NULL);
        CHECK(ix == NULL);
    } else {
        int region = is_segment(f) && off != (size_t)-1 ? section_of(f, off)
                                                        : QS_COUNT + 2;
        char where[512];
        snprintf(where, sizeof where, "%s %s at %zu (%s)", kind, f->name, off,
                 is_segment(f) ? region_name(region) : "-");
        silent_where = where;
        silent_this = 0;
        exercise(ix); /* before the check: what a reader sees */
        if (silent_this) {
            n_silent += silent_this;
            n_silent_mut++;
            silent_by_section[region]++;
        }
        rc = quarry_index_check(ix);
        if (rc == QUARRY_OK) {
            n_slipped++;
            fprintf(stderr,
                    "SLIPPED THROUGH: %s %s at offset %zu (%s), len %zu\n",
                    f->name, kind, off,
                    is_segment(f) ? region_name(region) : "", n);
        } else {
            const char *msg = quarry_index_errmsg(ix);
            n_check_err++;
            if (getenv("QUARRY_CORRUPT_VERBOSE"))
                fprintf(stderr, "check: %s\n", msg);
            CHECK_EQ_INT(rc, QUARRY_ECORRUPT);
            if (!strstr(msg, f->name) || !names_a_part(msg)) {
                n_wrong_msg++;
                fprintf(stderr, "%s %s at %zu: check message: %s\n", f->name,
                        kind, off, msg);
            }
            CHECK(strstr(msg, f->name) != NULL);
            CHECK(names_a_part(msg));
        }
        exercise(ix); /* after a failed check too */
        quarry_index_free(ix);
    }
    tk_rm_rf(dir);
}

/* ---- building the index ------------------------------------------------- */

static void gen_text(char *buf, size_t cap, int words)
{
    static const char *const vocab[] = {
        "the",   "of",     "and",   "nation", "people",  "war",
        "peace", "trade",  "law",   "union",  "State",   "Congress",
        "year",  "great",  "new",   "1,000",  "economy", "world",
        "生",    "产",     "力",    "新质",   "it's",    "Fellow-Citizens",
        "free",  "policy", "États", "Ωμέγα",  "déjà-vu", "3.5%"};
    size_t len = 0, nv = sizeof vocab / sizeof vocab[0];
    int i;
    buf[0] = '\0';
    for (i = 0; i < words && len + 40 < cap; i++) {
        const char *v = vocab[rnd() % nv];
        const char *sep = " ";
        int r = (int)(rnd() % 40);
        if (r == 0)
            sep = ".\n\n";
        else if (r < 4)
            sep = ". ";
        len += (size_t)snprintf(buf + len, cap - len, "%s%s",
                                rnd() % 30 == 0 ? "w" : v, sep);
        if (rnd() % 30 == 0)
            len += (size_t)snprintf(buf + len, cap - len, "w%u ", rnd() % 3000);
    }
}

static void add_doc(quarry_writer *w, const char *source, uint64_t record,
                    int year, int words)
{
    static char text[16384];
    quarry_field f[3];
    char ys[16];
    quarry_doc *doc = NULL;
    int rc;
    gen_text(text, sizeof text, words);
    snprintf(ys, sizeof ys, "%d", year);
    memset(f, 0, sizeof f);
    f[0].name = "year";
    f[0].text = ys;
    f[0].text_len = strlen(ys);
    f[1].name = "party";
    f[1].text = year % 2 ? "Whig" : "Democratic-Republican";
    f[1].text_len = strlen(f[1].text);
    f[2].name = "date";
    f[2].text = year % 3 ? "1999-04-13" : "2024-11";
    f[2].text_len = strlen(f[2].text);
    rc = quarry_doc_new(env, source, record, text, strlen(text), f, 3, &doc);
    CHECK_EQ_INT(rc, QUARRY_OK);
    if (rc != QUARRY_OK)
        return;
    rc = quarry_writer_add(w, doc, NULL);
    if (rc != QUARRY_OK)
        fprintf(stderr, "add: %s\n", quarry_writer_errmsg(w));
    CHECK_EQ_INT(rc, QUARRY_OK);
}

static void build(const char *dir)
{
    quarry_writer_options o;
    quarry_writer *w = NULL;
    char name[64];
    int i, c;
    memset(&o, 0, sizeof o);
    /* a tiny budget: a segment every few documents, so that replaced and
     * deleted documents leave deletion files in segments that stay */
    o.memory = 128 << 10;
    o.threads = 2;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    if (!w)
        return;
    for (c = 0; c < 3; c++) {
        for (i = 0; i < 12; i++) {
            snprintf(name, sizeof name, "c%d/doc%02d.txt", c, i);
            add_doc(w, name, 0, 1900 + c * 12 + i, 20 + (int)(rnd() % 300));
        }
        if (c > 0) {
            /* replace two documents of the previous commit, delete one */
            snprintf(name, sizeof name, "c%d/doc%02d.txt", c - 1, 3);
            add_doc(w, name, 0, 1800 + c, 40);
            snprintf(name, sizeof name, "c%d/doc%02d.txt", c - 1, 7);
            add_doc(w, name, 0, 1850 + c, 60);
            snprintf(name, sizeof name, "c%d/doc%02d.txt", c - 1, 9);
            CHECK_EQ_INT(quarry_writer_delete_key(w, name, 0, NULL), QUARRY_OK);
        }
        CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    }
    quarry_writer_free(w);
}

static void test_corrupt(void)
{
    char dir[512];
    quarry_index *ix = NULL;
    unsigned char *buf;
    size_t k, nseg = 0, ndel = 0;
    int j;

    snprintf(dir, sizeof dir, "%s/pristine", tmproot);
    build(dir);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    if (!ix)
        return;
    CHECK_EQ_INT(quarry_index_check(ix), QUARRY_OK);
    snapshot(ix);
    quarry_index_free(ix);
    load_files(dir);
    for (k = 0; k < nfiles; k++) {
        nseg += is_segment(&files[k]);
        ndel += strstr(files[k].name, ".del-") != NULL;
    }
    fprintf(stderr,
            "index: %zu files, %zu segments, %zu deletion files, "
            "%llu documents (%llu deleted), %llu terms\n",
            nfiles, nseg, ndel, (unsigned long long)pinfo.documents,
            (unsigned long long)pinfo.deleted, (unsigned long long)pterm_count);
    CHECK(nseg >= 3);
    CHECK(ndel >= 1);
    CHECK(pinfo.deleted > 0);

    /* the pristine copy passes (the harness itself is sound) */
    {
        char d2[512];
        snprintf(d2, sizeof d2, "%s/copy", tmproot);
        make_copy(d2, (size_t)-1, NULL, 0);
        CHECK_EQ_INT(quarry_index_open(env, d2, &ix), QUARRY_OK);
        if (ix) {
            silent_this = 0;
            exercise(ix);
            CHECK_EQ_INT(silent_this, 0);
            CHECK_EQ_INT(quarry_index_check(ix), QUARRY_OK);
            quarry_index_free(ix);
        }
        tk_rm_rf(d2);
    }

    for (k = 0; k < nfiles; k++) {
        const file *f = &files[k];
        size_t size = f->size, lens[32], nl = 0, i;
        int flips = is_segment(f) ? 50 : 30;
        buf = malloc(size + 1);
        /* truncations, at fixed and random lengths */
        lens[nl++] = 0;
        lens[nl++] = 1;
        lens[nl++] = 8;
        lens[nl++] = 12;
        lens[nl++] = 16;
        lens[nl++] = 40;
        lens[nl++] = 63;
        lens[nl++] = 64;
        lens[nl++] = size / 2;
        if (size > 41) {
            lens[nl++] = size - 41;
            lens[nl++] = size - 40;
            lens[nl++] = size - 39;
        }
        lens[nl++] = size - 9;
        lens[nl++] = size - 8;
        lens[nl++] = size - 1;
        for (j = 0; j < 6; j++)
            lens[nl++] = rnd() % size;
        for (i = 0; i < nl; i++) {
            if (lens[i] >= size)
                continue;
            run_mutation(k, f->data, lens[i], (size_t)-1, "truncated");
        }
        /* single bit flips: random offsets, plus the first and last bytes */
        for (j = 0; j < flips; j++) {
            size_t off;
            if (j < 4)
                off = (size_t)j * 5 % size; /* magic, version, header */
            else if (j < 8)
                off = size - 1 - (size_t)(j - 4) * 9 % size; /* footer */
            else
                off = rnd() % size;
            memcpy(buf, f->data, size);
            buf[off] ^= (unsigned char)(1u << (rnd() % 8));
            run_mutation(k, buf, size, off, "bit flip");
        }
        /* regions overwritten with random bytes */
        for (j = 0; j < 12; j++) {
            size_t off = rnd() % size, len = 1 + rnd() % 256, m;
            if (len > size - off)
                len = size - off;
            memcpy(buf, f->data, size);
            for (m = 0; m < len; m++)
                buf[off + m] = (unsigned char)rnd();
            run_mutation(k, buf, size, off, "overwrite");
        }
        free(buf);
    }

    fprintf(stderr,
            "mutations: %d (%d left the bytes unchanged); open refused %d "
            "(%d of them EVERSION); opened and check refused %d; slipped "
            "through check: %d; messages not naming file/part: %d\n",
            n_mutations, n_unchanged, n_open_err, n_eversion, n_check_err,
            n_slipped, n_wrong_msg);
    fprintf(stderr,
            "silent wrong reads (OK with data differing from the pristine "
            "index): %d mutations, %d reads; by section:",
            n_silent_mut, n_silent);
    for (j = 0; j < QS_COUNT + 3; j++)
        if (silent_by_section[j])
            fprintf(stderr, " %s=%d", region_name(j), silent_by_section[j]);
    fprintf(stderr, "\n");
    CHECK(n_mutations >= 300);
    CHECK_EQ_INT(n_slipped, 0);
    CHECK_EQ_INT(n_wrong_msg, 0);
    if (strict)
        CHECK_EQ_INT(n_silent_mut, 0);
    free_snapshot();
    for (k = 0; k < nfiles; k++)
        free(files[k].data);
    tk_rm_rf(dir);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    const char *seed = getenv("QUARRY_CORRUPT_SEED");
    const char *st = getenv("QUARRY_CORRUPT_STRICT");
    if (seed && *seed)
        rng_state = strtoull(seed, NULL, 10);
    strict = !(st && strcmp(st, "0") == 0);
    snprintf(tmproot, sizeof tmproot, "%s/quarry-test-corrupt-XXXXXX",
             tmp ? tmp : "/tmp");
    if (!mkdtemp(tmproot)) {
        perror("mkdtemp");
        return 1;
    }
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_corrupt);
    quarry_env_free(env);
    rmdir(tmproot);
    return check_summary();
}
