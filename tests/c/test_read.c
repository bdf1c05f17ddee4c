/* test_read.c - document readers: sources, formats, fields, encodings, skip
 * reasons and errors. Fixtures live in $QUARRY_FIXTURES/read; binary and
 * large inputs are written to a temporary directory at run time. */
#include "check.h"
#include "reader_internal.h"
#include "testkit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A counting allocator: every test's env must end with nothing live. */
typedef struct counter {
    long long live_blocks;
    long long live_bytes;
    long long fail_after; /* > 0: the fail_after-th allocation fails */
} counter;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    counter *c = ud;
    if (nsize == 0) {
        if (ptr) {
            c->live_blocks--;
            c->live_bytes -= (long long)osize;
        }
        free(ptr);
        return NULL;
    }
    if (c->fail_after > 0 && --c->fail_after == 0)
        return NULL;
    ptr = realloc(ptr, nsize);
    if (ptr) {
        c->live_bytes += (long long)nsize - (long long)osize;
        if (osize == 0)
            c->live_blocks++;
    }
    return ptr;
}

static counter counts;
static quarry_env *env;
static char fixtures[1024];

static const char *fx(const char *rel)
{
    static char buf[4][2048];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/read/%s", fixtures, rel);
    return buf[k];
}

/* ---- event capture ---- */

typedef struct rec {
    int kind;
    char path[4096];
    char reason[32];
    char message[600];
    uint64_t record, line, column;
    int status;
    quarry_doc *doc;
} rec;

#define MAX_EVENTS 256

typedef struct run {
    rec ev[MAX_EVENTS];
    size_t n;
    int rc;
} run;

static run R;

static void run_free(void)
{
    size_t i;
    for (i = 0; i < R.n; i++)
        quarry_doc_free(R.ev[i].doc);
    memset(&R, 0, sizeof R);
}

/* Reads the sources with opts into R. */
static void read_all(const quarry_read_options *opts, const char *const *src,
                     size_t nsrc)
{
    quarry_reader *rd = NULL;
    quarry_read_event ev;
    size_t i;
    run_free();
    CHECK_EQ_INT(quarry_reader_new(env, opts, &rd), QUARRY_OK);
    if (!rd)
        return;
    for (i = 0; i < nsrc; i++)
        CHECK_EQ_INT(quarry_reader_add(rd, src[i]), QUARRY_OK);
    while ((R.rc = quarry_reader_next(rd, &ev)) == QUARRY_OK) {
        rec *r;
        if (R.n == MAX_EVENTS) {
            quarry_doc_free(ev.doc);
            continue;
        }
        r = &R.ev[R.n++];
        r->kind = ev.kind;
        snprintf(r->path, sizeof r->path, "%s", ev.path);
        snprintf(r->reason, sizeof r->reason, "%s", ev.reason ? ev.reason : "");
        snprintf(r->message, sizeof r->message, "%s", ev.message);
        r->record = ev.record;
        r->line = ev.line;
        r->column = ev.column;
        r->status = ev.status;
        r->doc = ev.doc;
        /* every event names its file and says something */
        CHECK(ev.path && ev.path[0]);
        if (ev.kind != QUARRY_EVENT_DOCUMENT)
            CHECK(ev.message && ev.message[0] && ev.reason);
    }
    CHECK_EQ_INT(R.rc, QUARRY_DONE);
    quarry_reader_free(rd);
}

static void read_one(const quarry_read_options *opts, const char *src)
{
    read_all(opts, &src, 1);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The first event of kind whose path ends with suffix (and reason, if
 * given); NULL if none. */
static rec *find(int kind, const char *suffix, const char *reason)
{
    size_t i;
    for (i = 0; i < R.n; i++)
        if (R.ev[i].kind == kind && ends_with(R.ev[i].path, suffix) &&
            (!reason || strcmp(R.ev[i].reason, reason) == 0))
            return &R.ev[i];
    return NULL;
}

static rec *find_record(const char *suffix, uint64_t record)
{
    size_t i;
    for (i = 0; i < R.n; i++)
        if (R.ev[i].kind == QUARRY_EVENT_DOCUMENT &&
            ends_with(R.ev[i].path, suffix) && R.ev[i].record == record)
            return &R.ev[i];
    return NULL;
}

static size_t count(int kind, const char *reason)
{
    size_t i, n = 0;
    for (i = 0; i < R.n; i++)
        if (R.ev[i].kind == kind &&
            (!reason || strcmp(R.ev[i].reason, reason) == 0))
            n++;
    return n;
}

static const char *text_of(const quarry_doc *doc)
{
    return doc ? quarry_doc_text(doc, NULL) : "(no doc)";
}

static const quarry_field *field(const rec *r, const char *name)
{
    return r ? quarry_doc_find_field(r->doc, name) : NULL;
}

static void check_string(const rec *r, const char *name, const char *want)
{
    const quarry_field *f = field(r, name);
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "  missing field %s\n", name);
        return;
    }
    CHECK_EQ_INT(f->type, QUARRY_FIELD_STRING);
    CHECK_EQ_STR(f->text, want);
}

static void check_integer(const rec *r, const char *name, int64_t want)
{
    const quarry_field *f = field(r, name);
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "  missing field %s\n", name);
        return;
    }
    CHECK_EQ_INT(f->type, QUARRY_FIELD_INTEGER);
    CHECK_EQ_INT(f->value.integer, want);
}

/* ---- dates and inference ---- */

static void check_date(const char *s, int y, int mo, int d, int h, int mi,
                       int sec, int prec, int has_zone, int zone)
{
    quarry_date date;
    int rc = quarry_date_parse(s, strlen(s), &date);
    CHECK_EQ_INT(rc, QUARRY_OK);
    if (rc != QUARRY_OK) {
        fprintf(stderr, "  date %s\n", s);
        return;
    }
    CHECK_EQ_INT(date.year, y);
    CHECK_EQ_INT(date.month, mo);
    CHECK_EQ_INT(date.day, d);
    CHECK_EQ_INT(date.hour, h);
    CHECK_EQ_INT(date.minute, mi);
    CHECK_EQ_INT(date.second, sec);
    CHECK_EQ_INT(date.precision, prec);
    CHECK_EQ_INT(date.has_zone, has_zone);
    CHECK_EQ_INT(date.zone_minutes, zone);
}

static void check_bad_date(const char *s)
{
    quarry_date date;
    int rc = quarry_date_parse(s, strlen(s), &date);
    CHECK_EQ_INT(rc, QUARRY_EINVAL);
    if (rc != QUARRY_EINVAL)
        fprintf(stderr, "  accepted bad date \"%s\"\n", s);
}

static void test_dates(void)
{
    check_date("2024", 2024, 1, 1, 0, 0, 0, QUARRY_DATE_YEAR, 0, 0);
    check_date("2024-04", 2024, 4, 1, 0, 0, 0, QUARRY_DATE_MONTH, 0, 0);
    check_date("2024-04-13", 2024, 4, 13, 0, 0, 0, QUARRY_DATE_DAY, 0, 0);
    check_date("2024-04-13 23:32", 2024, 4, 13, 23, 32, 0, QUARRY_DATE_MINUTE,
               0, 0);
    check_date("2024-04-13T23:32", 2024, 4, 13, 23, 32, 0, QUARRY_DATE_MINUTE,
               0, 0);
    check_date("2024-04-13 23:32:15", 2024, 4, 13, 23, 32, 15,
               QUARRY_DATE_SECOND, 0, 0);
    check_date("2024-04-13T23:32:15Z", 2024, 4, 13, 23, 32, 15,
               QUARRY_DATE_SECOND, 1, 0);
    check_date("2024-04-13T23:32:15+05:30", 2024, 4, 13, 23, 32, 15,
               QUARRY_DATE_SECOND, 1, 330);
    check_date("2024-04-13T23:32-08:00", 2024, 4, 13, 23, 32, 0,
               QUARRY_DATE_MINUTE, 1, -480);
    check_date("2024-04-13T23:32:15.250Z", 2024, 4, 13, 23, 32, 15,
               QUARRY_DATE_SECOND, 1, 0);
    check_date("2024-02-29", 2024, 2, 29, 0, 0, 0, QUARRY_DATE_DAY, 0, 0);
    check_date("2000-02-29", 2000, 2, 29, 0, 0, 0, QUARRY_DATE_DAY, 0, 0);
    check_date(" 1999-12-31 ", 1999, 12, 31, 0, 0, 0, QUARRY_DATE_DAY, 0, 0);
    check_bad_date("2023-02-29"); /* not a leap year */
    check_bad_date("1900-02-29");
    check_bad_date("2023-02-30");
    check_bad_date("2023-04-31");
    check_bad_date("2023-13-01");
    check_bad_date("2023-00-10");
    check_bad_date("2023-01-00");
    check_bad_date("2023-01-32");
    check_bad_date("2023-1-5");
    check_bad_date("2023-01-05 24:00");
    check_bad_date("2023-01-05 12:60");
    check_bad_date("2023-01-05T12");
    check_bad_date("2023-01-05T12:30+25:00");
    check_bad_date("2023-01-05T12:30 Z");
    check_bad_date("2023-01-05x");
    check_bad_date("202");
    check_bad_date("");
    check_bad_date("abcd");
    check_bad_date("12/05/2023");
}

static void test_infer(void)
{
#define INFER(s, t) CHECK_EQ_INT(quarry_infer_type(s, strlen(s)), t)
    INFER("42", QUARRY_FIELD_INTEGER);
    INFER("-7", QUARRY_FIELD_INTEGER);
    INFER("+7", QUARRY_FIELD_INTEGER);
    INFER("2024", QUARRY_FIELD_INTEGER); /* a bare year is an integer */
    INFER("9223372036854775807", QUARRY_FIELD_INTEGER);
    INFER("-9223372036854775808", QUARRY_FIELD_INTEGER);
    INFER("9223372036854775808", QUARRY_FIELD_NUMBER); /* beyond int64 */
    INFER("3.25", QUARRY_FIELD_NUMBER);
    INFER("-0.5", QUARRY_FIELD_NUMBER);
    INFER(".5", QUARRY_FIELD_NUMBER);
    INFER("1e6", QUARRY_FIELD_NUMBER);
    INFER("2024-04", QUARRY_FIELD_DATE);
    INFER("2024-04-13", QUARRY_FIELD_DATE);
    INFER("2024-04-13 23:32:15", QUARRY_FIELD_DATE);
    INFER("2024-04-13T23:32:15+02:00", QUARRY_FIELD_DATE);
    INFER("2023-02-30", QUARRY_FIELD_STRING); /* invalid date */
    INFER("2023-13", QUARRY_FIELD_STRING);
    INFER("", QUARRY_FIELD_STRING);
    INFER("-", QUARRY_FIELD_STRING);
    INFER("1.2.3", QUARRY_FIELD_STRING);
    INFER("0x10", QUARRY_FIELD_STRING);
    INFER("inf", QUARRY_FIELD_STRING);
    INFER("nan", QUARRY_FIELD_STRING);
    INFER("George Washington", QUARRY_FIELD_STRING);
    INFER("true", QUARRY_FIELD_STRING);
#undef INFER
}

/* ---- the mini corpus, walked as a directory ---- */

static void test_walk_corpus(void)
{
    const char *src = fx("corpus");
    rec *r;
    const quarry_field *f;
    size_t i, len;
    read_one(NULL, src);

    /* documents come in name order, recursively */
    {
        static const char *const order[] = {"a_plain.txt",
                                            "b_note.md",
                                            "d_record.json",
                                            "e_lines.jsonl",
                                            "f_table.csv",
                                            "g_speech.txt",
                                            "i_utf16le.txt",
                                            "j_utf16be.txt",
                                            "k_invalid.txt",
                                            "l_bom.txt",
                                            "sub/deeper/m_nested.txt"};
        size_t k = 0;
        for (i = 0; i < R.n && k < sizeof order / sizeof order[0]; i++)
            if (R.ev[i].kind == QUARRY_EVENT_DOCUMENT &&
                ends_with(R.ev[i].path, order[k]))
                k++;
        CHECK_EQ_INT(k, sizeof order / sizeof order[0]);
    }
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 14);

    /* a directory's files come before the sources added after it */
    {
        const char *src2[] = {fx("names"), fx("corpus/a_plain.txt")};
        read_all(NULL, src2, 2);
        CHECK_EQ_INT(R.n, 5);
        CHECK(R.n == 5 && ends_with(R.ev[4].path, "corpus/a_plain.txt"));
        read_all(NULL, &src, 1);
    }

    /* skip reasons: one event for the hidden directory, none for its files */
    CHECK(find(QUARRY_EVENT_SKIPPED, "corpus/._g_speech.txt", "appledouble"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "corpus/.hidden.txt", "hidden"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "corpus/.hiddendir", "hidden"));
    CHECK(!find(QUARRY_EVENT_SKIPPED, "inner.txt", NULL));
    CHECK(!find(QUARRY_EVENT_DOCUMENT, "inner.txt", NULL));
    CHECK_EQ_INT(count(QUARRY_EVENT_SKIPPED, "hidden"), 2);
    r = find(QUARRY_EVENT_SKIPPED, "h_empty.txt", "empty");
    CHECK(r != NULL);
    CHECK(r && strstr(r->message, "empty file"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "g_speech.json", "sidecar"));
    CHECK(!find(QUARRY_EVENT_DOCUMENT, "g_speech.json", NULL));

    /* plain text */
    r = find(QUARRY_EVENT_DOCUMENT, "a_plain.txt", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL),
                 "Hello world. This is plain text.\n");
    CHECK_EQ_STR(quarry_doc_format(r ? r->doc : NULL), "text");
    CHECK_EQ_INT(quarry_doc_record(r ? r->doc : NULL), 0);
    CHECK_EQ_INT(quarry_doc_field_count(r ? r->doc : NULL), 0);
    CHECK(r && ends_with(quarry_doc_source(r->doc), "corpus/a_plain.txt"));

    /* markdown with front matter */
    r = find(QUARRY_EVENT_DOCUMENT, "b_note.md", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL),
                 "# Heading\n\nBody of the note.\n");
    CHECK_EQ_STR(quarry_doc_format(r ? r->doc : NULL), "markdown");
    check_string(r, "title", "A note");
    f = field(r, "date");
    CHECK(f && f->type == QUARRY_FIELD_DATE && f->value.date.year == 2024 &&
          f->value.date.month == 4 && f->value.date.day == 13 &&
          f->value.date.precision == QUARRY_DATE_DAY);
    f = field(r, "rating");
    CHECK(f && f->type == QUARRY_FIELD_NUMBER && f->value.number == 4.5);
    check_integer(r, "count", 12);
    check_string(r, "tags", "alpha; beta");
    check_integer(r, "quoted", 2020);  /* quoted "2020" is inferred too */
    CHECK(field(r, "author") == NULL); /* nested: skipped with a warning */
    CHECK(field(r, "empty") == NULL);  /* null: absent */
    r = find(QUARRY_EVENT_WARNING, "b_note.md", "field");
    CHECK(r && strstr(r->message, "author"));

    /* malformed front matter: an error, no document */
    r = find(QUARRY_EVENT_ERROR, "c_bad_front.md", "parse");
    CHECK(r && r->status == QUARRY_EPARSE && r->line >= 3 && r->column >= 1);
    CHECK(!find(QUARRY_EVENT_DOCUMENT, "c_bad_front.md", NULL));

    /* JSON: text member, typed scalars, null absent, booleans as strings */
    r = find(QUARRY_EVENT_DOCUMENT, "d_record.json", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "JSON body text.");
    CHECK_EQ_STR(quarry_doc_format(r ? r->doc : NULL), "json");
    check_string(r, "title", "A record");
    check_integer(r, "year", 2020);
    f = field(r, "score");
    CHECK(f && f->type == QUARRY_FIELD_NUMBER && f->value.number == 1.5);
    CHECK_EQ_STR(f ? f->text : NULL, "1.5");
    check_string(r, "ok", "true");
    CHECK(field(r, "none") == NULL);
    CHECK(field(r, "text") == NULL);
    f = field(r, "when");
    CHECK(f && f->type == QUARRY_FIELD_DATE &&
          f->value.date.precision == QUARRY_DATE_SECOND &&
          f->value.date.has_zone && f->value.date.hour == 10);
    check_string(r, "authors", "A; B");
    /* member order is kept */
    CHECK_EQ_STR(quarry_doc_field(r ? r->doc : NULL, 0)
                     ? quarry_doc_field(r->doc, 0)->name
                     : NULL,
                 "title");

    /* JSONL: records are line numbers; a bad line does not stop the file */
    r = find_record("e_lines.jsonl", 1);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "first line");
    CHECK_EQ_STR(quarry_doc_format(r ? r->doc : NULL), "jsonl");
    check_integer(r, "id", 1);
    r = find(QUARRY_EVENT_ERROR, "e_lines.jsonl", "parse");
    CHECK(r && r->record == 3 && r->line == 3 && r->column > 0 &&
          r->status == QUARRY_EPARSE);
    r = find_record("e_lines.jsonl", 4);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "third via content");
    r = find(QUARRY_EVENT_ERROR, "e_lines.jsonl", "field");
    CHECK(r && r->record == 5 && strstr(r->message, "\"id\"") &&
          strstr(r->message, "e_lines.jsonl") &&
          strstr(r->message, "record 5"));

    /* CSV: quoted cells, doubled quotes, embedded CRLF, blank line */
    r = find_record("f_table.csv", 1);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "Line one\r\nline two");
    CHECK_EQ_STR(quarry_doc_format(r ? r->doc : NULL), "csv");
    check_string(r, "title", "Quoted, with comma");
    check_integer(r, "id", 1);
    f = field(r, "date");
    CHECK(f && f->type == QUARRY_FIELD_DATE);
    r = find_record("f_table.csv", 2);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "plain text");
    check_string(r, "title", "He said \"hi\"");
    CHECK(field(r, "date") == NULL); /* empty cell: absent */
    r = find_record("f_table.csv", 3);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "last \"row\"");
    check_string(r, "date", "2023-02-30"); /* invalid date stays a string */
    CHECK(find_record("f_table.csv", 4) == NULL);

    /* sidecar: fields merged, its copy of the text not indexed */
    r = find(QUARRY_EVENT_DOCUMENT, "g_speech.txt", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL),
                 "Fellow citizens, this is the speech.\n");
    check_integer(r, "year", 1790);
    check_string(r, "name", "George Washington");
    check_string(r, "party", "none");
    CHECK(field(r, "text") == NULL);
    CHECK_EQ_INT(quarry_doc_field_count(r ? r->doc : NULL), 3);

    /* encodings */
    r = find(QUARRY_EVENT_DOCUMENT, "i_utf16le.txt", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL),
                 "Gr\xc3\xbc\xc3\x9f"
                 "e \xe6\x96\xb0 \xf0\x9f\x98\x80\n");
    CHECK_EQ_STR(quarry_doc_encoding(r ? r->doc : NULL), "utf-16le");
    r = find(QUARRY_EVENT_DOCUMENT, "j_utf16be.txt", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "Gr\xc3\xbc\xc3\x9f"
                                             "e BE\n");
    CHECK_EQ_STR(quarry_doc_encoding(r ? r->doc : NULL), "utf-16be");
    r = find(QUARRY_EVENT_DOCUMENT, "k_invalid.txt", NULL);
    CHECK_EQ_INT(quarry_doc_replaced(r ? r->doc : NULL), 3);
    if (r) {
        const char *t = quarry_doc_text(r->doc, &len);
        CHECK(quarry_utf8_valid(t, len));
    }
    CHECK_EQ_STR(text_of(r ? r->doc : NULL),
                 "caf\xef\xbf\xbd na\xef\xbf\xbdve \xef\xbf\xbd end\n");
    r = find(QUARRY_EVENT_WARNING, "k_invalid.txt", "replaced");
    CHECK(r && strstr(r->message, "3 invalid"));
    r = find(QUARRY_EVENT_DOCUMENT, "l_bom.txt", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "BOM text\n");
    CHECK_EQ_INT(quarry_doc_replaced(r ? r->doc : NULL), 0);
    CHECK_EQ_STR(quarry_doc_encoding(r ? r->doc : NULL), "utf-8");
    run_free();
}

static void test_hidden_and_sidecar_options(void)
{
    quarry_read_options o;
    rec *r;
    memset(&o, 0, sizeof o);
    o.include_hidden = 1;
    read_one(&o, fx("corpus"));
    CHECK(find(QUARRY_EVENT_DOCUMENT, "corpus/.hidden.txt", NULL));
    CHECK(find(QUARRY_EVENT_DOCUMENT, ".hiddendir/inner.txt", NULL));
    CHECK(find(QUARRY_EVENT_DOCUMENT, ".hiddendir/inner2.txt", NULL));
    /* AppleDouble files are junk even then */
    CHECK(find(QUARRY_EVENT_SKIPPED, "._g_speech.txt", "appledouble"));
    CHECK_EQ_INT(count(QUARRY_EVENT_SKIPPED, "hidden"), 0);

    memset(&o, 0, sizeof o);
    o.no_sidecar = 1;
    read_one(&o, fx("corpus"));
    r = find(QUARRY_EVENT_DOCUMENT, "g_speech.txt", NULL);
    CHECK_EQ_INT(quarry_doc_field_count(r ? r->doc : NULL), 0);
    r = find(QUARRY_EVENT_DOCUMENT, "g_speech.json", NULL);
    CHECK(r != NULL);
    check_string(r, "name", "George Washington");
    CHECK(!find(QUARRY_EVENT_SKIPPED, "g_speech.json", "sidecar"));

    /* a hidden file named explicitly is read; an AppleDouble one is not */
    {
        const char *src[] = {fx("corpus/.hidden.txt"),
                             fx("corpus/._g_speech.txt")};
        read_all(NULL, src, 2);
        CHECK(find(QUARRY_EVENT_DOCUMENT, "corpus/.hidden.txt", NULL));
        CHECK(find(QUARRY_EVENT_SKIPPED, "._g_speech.txt", "appledouble"));
    }
    /* explicit file lists and globs find sidecars too */
    {
        const char *src[] = {fx("corpus/g_speech.txt"),
                             fx("corpus/g_speech.json")};
        read_all(NULL, src, 2);
        r = find(QUARRY_EVENT_DOCUMENT, "g_speech.txt", NULL);
        check_integer(r, "year", 1790);
        CHECK(find(QUARRY_EVENT_SKIPPED, "g_speech.json", "sidecar"));
        CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 1);
    }
    read_one(NULL, fx("corpus/g_*"));
    r = find(QUARRY_EVENT_DOCUMENT, "g_speech.txt", NULL);
    check_string(r, "party", "none");
    CHECK(find(QUARRY_EVENT_SKIPPED, "g_speech.json", "sidecar"));
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 1);
    run_free();
}

/* ---- file-name metadata ---- */

static void test_name_patterns(void)
{
    quarry_read_options o;
    quarry_reader *rd = NULL;
    const char *types[] = {"year=date"};
    rec *r;
    const quarry_field *f;
    memset(&o, 0, sizeof o);
    o.name_pattern = "{country}_{session}_{year}";
    read_one(&o, fx("names"));
    r = find(QUARRY_EVENT_DOCUMENT, "USA_79_2024.txt", NULL);
    check_string(r, "country", "USA");
    check_integer(r, "session", 79);
    check_integer(r, "year", 2024);
    CHECK_EQ_STR(quarry_doc_field(r ? r->doc : NULL, 0)
                     ? quarry_doc_field(r->doc, 0)->name
                     : NULL,
                 "country");
    r = find(QUARRY_EVENT_DOCUMENT, "FRA_1_1946.txt", NULL);
    check_integer(r, "session", 1);
    /* a mismatch: the document is still read, with a warning */
    r = find(QUARRY_EVENT_DOCUMENT, "1861-Lincoln.txt", NULL);
    CHECK(r && quarry_doc_field_count(r->doc) == 0);
    r = find(QUARRY_EVENT_WARNING, "1861-Lincoln.txt", "name-pattern");
    CHECK(r && strstr(r->message, "1861-Lincoln") &&
          strstr(r->message, "{country}_{session}_{year}"));
    CHECK(find(QUARRY_EVENT_WARNING, "notes.txt", "name-pattern"));
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 4);

    /* "{year}-{president}" with year typed as a date */
    o.name_pattern = "{year}-{president}";
    o.field_types = types;
    o.field_type_count = 1;
    read_one(&o, fx("names/1861-Lincoln.txt"));
    r = find(QUARRY_EVENT_DOCUMENT, "1861-Lincoln.txt", NULL);
    f = field(r, "year");
    CHECK(f && f->type == QUARRY_FIELD_DATE && f->value.date.year == 1861 &&
          f->value.date.precision == QUARRY_DATE_YEAR);
    CHECK_EQ_STR(f ? f->text : NULL, "1861");
    check_string(r, "president", "Lincoln");

    /* ignored parts and the last placeholder taking the rest */
    o.field_types = NULL;
    o.field_type_count = 0;
    o.name_pattern = "{}_{_}_{year}";
    read_one(&o, fx("names/USA_79_2024.txt"));
    r = find(QUARRY_EVENT_DOCUMENT, "USA_79_2024.txt", NULL);
    CHECK_EQ_INT(quarry_doc_field_count(r ? r->doc : NULL), 1);
    check_integer(r, "year", 2024);
    o.name_pattern = "{country}_{rest}";
    read_one(&o, fx("names/USA_79_2024.txt"));
    r = find(QUARRY_EVENT_DOCUMENT, "USA_79_2024.txt", NULL);
    check_string(r, "rest", "79_2024");
    o.name_pattern = "USA_{session}_{year}";
    read_one(&o, fx("names"));
    r = find(QUARRY_EVENT_DOCUMENT, "USA_79_2024.txt", NULL);
    check_integer(r, "session", 79);
    CHECK(find(QUARRY_EVENT_WARNING, "FRA_1_1946.txt", "name-pattern"));

    /* sidecar values win over the file name */
    o.name_pattern = "{year}_{name}";
    read_one(&o, fx("corpus/g_speech.txt"));
    r = find(QUARRY_EVENT_DOCUMENT, "g_speech.txt", NULL);
    check_string(r, "name", "George Washington");
    check_integer(r, "year", 1790);

    /* bad patterns are rejected by quarry_reader_new */
    {
        static const char *const bad[] = {"{a}{b}", "{unclosed", "x}", ""};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            o.name_pattern = bad[i];
            CHECK_EQ_INT(quarry_reader_new(env, &o, &rd), QUARRY_EINVAL);
            CHECK(rd == NULL);
            CHECK(quarry_env_errmsg(env)[0] != '\0');
        }
    }
    /* the matcher itself */
    {
        qi_name_pattern p;
        qi_name_span spans[8];
        char err[QI_ERRMSG_SIZE];
        CHECK_EQ_INT(qi_name_pattern_parse(env, "{a}-{b}.{{x}}", &p, err),
                     QUARRY_OK);
        CHECK(qi_name_pattern_match(&p, "1-2-3.{x}", 9, spans));
        CHECK_EQ_INT(spans[0].len, 1); /* shortest up to the first "-" */
        CHECK_EQ_INT(spans[2].start, 2);
        CHECK_EQ_INT(spans[2].len, 3);
        CHECK(!qi_name_pattern_match(&p, "-2.{x}", 6, spans)); /* empty a */
        CHECK(!qi_name_pattern_match(&p, "1-2.{x}z", 8, spans));
        qi_name_pattern_free(env, &p);
    }
    run_free();
}

/* ---- type overrides ---- */

static void test_overrides(void)
{
    quarry_read_options o;
    quarry_reader *rd = NULL;
    const char *types[] = {"title=integer", "year=date", "score=string",
                           "id=number",     "date=auto", "ok=date"};
    const char *bad1[] = {"year"};
    const char *bad2[] = {"year=float"};
    const char *bad3[] = {"=date"};
    rec *r;
    const quarry_field *f;
    memset(&o, 0, sizeof o);
    o.field_types = types;
    o.field_type_count = sizeof types / sizeof types[0];
    read_one(&o, fx("corpus/d_record.json"));
    r = find(QUARRY_EVENT_DOCUMENT, "d_record.json", NULL);
    /* title does not convert: kept as a string, with a warning */
    check_string(r, "title", "A record");
    r = find(QUARRY_EVENT_WARNING, "d_record.json", "field");
    CHECK(r && strstr(r->message, "title") && strstr(r->message, "A record") &&
          strstr(r->message, "integer") && strstr(r->message, "d_record.json"));
    CHECK(find(QUARRY_EVENT_WARNING, "d_record.json", "field") &&
          count(QUARRY_EVENT_WARNING, "field") == 2); /* title and ok */
    r = find(QUARRY_EVENT_DOCUMENT, "d_record.json", NULL);
    f = field(r, "year");
    CHECK(f && f->type == QUARRY_FIELD_DATE && f->value.date.year == 2020 &&
          f->value.date.precision == QUARRY_DATE_YEAR);
    check_string(r, "score", "1.5");
    check_string(r, "ok", "true");

    read_one(&o, fx("corpus/f_table.csv"));
    r = find_record("f_table.csv", 1);
    f = field(r, "id");
    CHECK(f && f->type == QUARRY_FIELD_NUMBER && f->value.number == 1.0);
    f = field(r, "date");
    CHECK(f && f->type == QUARRY_FIELD_DATE);

    o.field_types = bad1;
    o.field_type_count = 1;
    CHECK_EQ_INT(quarry_reader_new(env, &o, &rd), QUARRY_EINVAL);
    o.field_types = bad2;
    CHECK_EQ_INT(quarry_reader_new(env, &o, &rd), QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "year=float") != NULL);
    o.field_types = bad3;
    CHECK_EQ_INT(quarry_reader_new(env, &o, &rd), QUARRY_EINVAL);
    o.field_types = NULL;
    o.field_type_count = 0;
    o.format = "pdf";
    CHECK_EQ_INT(quarry_reader_new(env, &o, &rd), QUARRY_EINVAL);
    CHECK(rd == NULL);
    run_free();
}

/* ---- malformed input: errors with positions ---- */

static void test_errors(void)
{
    rec *r;
    read_one(NULL, fx("errors"));
    r = find(QUARRY_EVENT_ERROR, "bad.json", "parse");
    CHECK(r && r->line == 4 && r->column >= 3 && r->column <= 9 &&
          r->status == QUARRY_EPARSE && strstr(r->message, "bad.json:4:"));
    CHECK(!find(QUARRY_EVENT_DOCUMENT, "bad.json", NULL));
    r = find(QUARRY_EVENT_ERROR, "bad_front.md", "parse");
    CHECK(r && r->line >= 2 && r->line <= 3 && r->column >= 1 &&
          strstr(r->message, "front matter"));
    r = find(QUARRY_EVENT_ERROR, "unclosed_front.md", "parse");
    CHECK(r && r->line == 1 && strstr(r->message, "never closed"));
    /* CSV: the bad row is an error, the rows around it are read */
    r = find(QUARRY_EVENT_ERROR, "bad_quote.csv", "parse");
    CHECK(r && r->line == 3 && r->column == 8 && r->record == 2);
    CHECK_EQ_STR(text_of(find_record("bad_quote.csv", 1)
                             ? find_record("bad_quote.csv", 1)->doc
                             : NULL),
                 "fine");
    CHECK_EQ_STR(text_of(find_record("bad_quote.csv", 3)
                             ? find_record("bad_quote.csv", 3)->doc
                             : NULL),
                 "after");
    r = find(QUARRY_EVENT_ERROR, "unclosed.csv", "parse");
    CHECK(r && r->line == 3 && r->column == 3 && r->record == 2 &&
          strstr(r->message, "never closed"));
    CHECK(find_record("unclosed.csv", 1) != NULL);
    /* missing text field / column: names the fields that exist */
    r = find(QUARRY_EVENT_ERROR, "no_text.json", "field");
    CHECK(r && strstr(r->message, "\"title\"") &&
          strstr(r->message, "\"year\""));
    r = find(QUARRY_EVENT_ERROR, "no_text.csv", "field");
    CHECK(r && strstr(r->message, "\"Year\"") &&
          strstr(r->message, "\"President\""));
    /* a broken sidecar is an error; its text file is still read */
    r = find(QUARRY_EVENT_ERROR, "bad_sidecar.json", "parse");
    CHECK(r && r->line == 1 && r->column > 0);
    r = find(QUARRY_EVENT_DOCUMENT, "bad_sidecar.txt", NULL);
    CHECK(r && quarry_doc_field_count(r->doc) == 0);
    CHECK(find(QUARRY_EVENT_ERROR, "array.json", "parse"));
    run_free();
}

static void test_misc_formats(void)
{
    quarry_read_options o;
    rec *r;
    read_one(NULL, fx("misc"));
    r = find_record("table.tsv", 1);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "quoted\ttab");
    check_integer(r, "n", 7);
    r = find_record("table.tsv", 2);
    check_integer(r, "n", -3);
    r = find(QUARRY_EVENT_DOCUMENT, "front_only.md", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "");
    check_string(r, "title", "t");
    r = find(QUARRY_EVENT_DOCUMENT, "no_front.md", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL),
                 "Just markdown --- not front matter.\n");

    /* a forced format and a named text field */
    memset(&o, 0, sizeof o);
    o.format = "text";
    read_one(&o, fx("corpus/d_record.json"));
    r = find(QUARRY_EVENT_DOCUMENT, "d_record.json", NULL);
    CHECK(r && text_of(r->doc)[0] == '{');
    CHECK_EQ_STR(quarry_doc_format(r ? r->doc : NULL), "text");
    memset(&o, 0, sizeof o);
    o.text_field = "title";
    read_one(&o, fx("corpus/d_record.json"));
    r = find(QUARRY_EVENT_DOCUMENT, "d_record.json", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "A record");
    CHECK(field(r, "text") != NULL); /* now an ordinary field */
    o.text_field = "missing";
    read_one(&o, fx("corpus/f_table.csv"));
    r = find(QUARRY_EVENT_ERROR, "f_table.csv", "field");
    CHECK(r && strstr(r->message, "missing") &&
          strstr(r->message, "\"title\""));
    run_free();
}

/* ---- globs and missing sources ---- */

static void test_globs(void)
{
    quarry_reader *rd = NULL;
    rec *r;
    read_one(NULL, fx("corpus/*.txt"));
    CHECK(find(QUARRY_EVENT_DOCUMENT, "a_plain.txt", NULL));
    CHECK(find(QUARRY_EVENT_DOCUMENT, "g_speech.txt", NULL));
    CHECK(!find(QUARRY_EVENT_DOCUMENT, "b_note.md", NULL));
    CHECK(!find(QUARRY_EVENT_DOCUMENT, "m_nested.txt", NULL)); /* * is flat */
    CHECK(find(QUARRY_EVENT_SKIPPED, "._g_speech.txt", "appledouble"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "corpus/.hidden.txt", "hidden"));
    CHECK(!find(QUARRY_EVENT_SKIPPED, ".hiddendir", NULL));
    /* ** crosses directories */
    read_one(NULL, fx("corpus/**/*.txt"));
    CHECK(find(QUARRY_EVENT_DOCUMENT, "sub/deeper/m_nested.txt", NULL));
    CHECK(find(QUARRY_EVENT_DOCUMENT, "corpus/a_plain.txt", NULL));
    CHECK(find(QUARRY_EVENT_SKIPPED, ".hiddendir", "hidden"));
    CHECK(!find(QUARRY_EVENT_DOCUMENT, "inner.txt", NULL));
    read_one(NULL, fx("**/m_*.txt"));
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 1);
    read_one(NULL, fx("corpus/[ab]_*"));
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 2);
    read_one(NULL, fx("names/???_*_*.txt"));
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 2);
    read_one(NULL, fx("c*/s*/*/*.txt"));
    r = find(QUARRY_EVENT_DOCUMENT, "m_nested.txt", NULL);
    CHECK(r != NULL);
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 1);

    CHECK_EQ_INT(quarry_reader_new(env, NULL, &rd), QUARRY_OK);
    CHECK_EQ_INT(quarry_reader_add(rd, fx("corpus/*.nothing")), QUARRY_ENOENT);
    CHECK(strstr(quarry_reader_errmsg(rd), "*.nothing") != NULL);
    CHECK_EQ_INT(quarry_reader_add(rd, fx("no/such/file.txt")), QUARRY_ENOENT);
    CHECK(strstr(quarry_reader_errmsg(rd), "no/such/file.txt") != NULL);
    CHECK_EQ_INT(quarry_reader_add(rd, fx("nowhere/**/*.txt")), QUARRY_ENOENT);
    quarry_reader_free(rd);
    run_free();
}

/* ---- quarry_read_buffer ---- */

static void test_read_buffer(void)
{
    quarry_doc *doc = NULL;
    quarry_read_event ev;
    quarry_read_options o;
    const char *s;
    int rc;

    s = "{\"text\": \"hello\", \"n\": 3}";
    rc = quarry_read_buffer(env, "x.json", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(text_of(doc), "hello");
    CHECK_EQ_INT(ev.kind, QUARRY_EVENT_DOCUMENT);
    CHECK(ev.doc == doc);
    CHECK(quarry_doc_find_field(doc, "n") &&
          quarry_doc_find_field(doc, "n")->value.integer == 3);
    quarry_doc_free(doc);

    /* stdin-like: "-" sniffs the format from the content */
    s = "{\"body\": \"one\"}\n{\"body\": \"two\"}\n";
    rc = quarry_read_buffer(env, "-", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(text_of(doc), "one");
    CHECK_EQ_STR(quarry_doc_format(doc), "jsonl");
    CHECK_EQ_INT(quarry_doc_record(doc), 1);
    CHECK_EQ_STR(quarry_doc_source(doc), "-");
    quarry_doc_free(doc);
    s = "---\ntitle: T\n---\nbody\n";
    rc = quarry_read_buffer(env, NULL, s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(quarry_doc_format(doc), "markdown");
    CHECK_EQ_STR(text_of(doc), "body\n");
    quarry_doc_free(doc);
    s = "plain words";
    rc = quarry_read_buffer(env, "-", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(quarry_doc_format(doc), "text");
    quarry_doc_free(doc);

    /* CSV via opts->format, first record */
    memset(&o, 0, sizeof o);
    o.format = "csv";
    s = "content,year\n\"a, b\",1999\nc,2000\n";
    rc = quarry_read_buffer(env, "-", s, strlen(s), &o, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(text_of(doc), "a, b");
    CHECK(quarry_doc_find_field(doc, "year") &&
          quarry_doc_find_field(doc, "year")->type == QUARRY_FIELD_INTEGER);
    quarry_doc_free(doc);

    /* a warning still gives the document, and says so */
    s = "bad \xff byte";
    rc = quarry_read_buffer(env, "latin.txt", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_INT(quarry_doc_replaced(doc), 1);
    CHECK_EQ_INT(ev.kind, QUARRY_EVENT_WARNING);
    CHECK_EQ_STR(ev.reason, "replaced");
    CHECK(ev.doc == doc);
    quarry_doc_free(doc);

    /* errors: status returned, ev filled, no document */
    s = "{\"text\": \n\"x\",, }";
    rc = quarry_read_buffer(env, "bad.json", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_EPARSE);
    CHECK(doc == NULL);
    CHECK_EQ_INT(ev.kind, QUARRY_EVENT_ERROR);
    CHECK_EQ_STR(ev.reason, "parse");
    CHECK_EQ_STR(ev.path, "bad.json");
    CHECK_EQ_INT(ev.line, 2);
    CHECK(ev.column > 0);
    CHECK(strstr(ev.message, "bad.json") != NULL);
    /* YAML errors: the column counts bytes, not characters */
    s = "---\ntitle: \"\xc3\xa9\" x\n---\nbody\n";
    rc = quarry_read_buffer(env, "y.md", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_EPARSE);
    CHECK_EQ_INT(ev.line, 2);
    CHECK_EQ_INT(ev.column, 13);
    /* CSV rows longer or shorter than the header */
    s = "text,a\nx,1,extra\n";
    rc = quarry_read_buffer(env, "l.csv", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_INT(ev.kind, QUARRY_EVENT_WARNING);
    CHECK_EQ_STR(ev.reason, "parse");
    CHECK_EQ_STR(text_of(doc), "x");
    quarry_doc_free(doc);
    s = "a,text\n1\n";
    rc = quarry_read_buffer(env, "s.csv", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_EPARSE);
    CHECK_EQ_STR(ev.reason, "field");
    CHECK_EQ_INT(ev.record, 1);
    /* a quote inside an unquoted cell is a character; CRLF; no final EOL */
    s = "text,size\r\n5\" floppy,3\r\nlast,4";
    memset(&o, 0, sizeof o);
    o.format = "csv";
    rc = quarry_read_buffer(env, "-", s, strlen(s), &o, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(text_of(doc), "5\" floppy");
    CHECK(quarry_doc_find_field(doc, "size") &&
          quarry_doc_find_field(doc, "size")->value.integer == 3);
    quarry_doc_free(doc);
    /* a custom delimiter */
    s = "text;n\n\"a;b\";2\n";
    o.csv_delimiter = ';';
    rc = quarry_read_buffer(env, "-", s, strlen(s), &o, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(text_of(doc), "a;b");
    quarry_doc_free(doc);
    /* header only: no records */
    s = "text,n\n";
    rc = quarry_read_buffer(env, "h.csv", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_DONE);
    CHECK(doc == NULL);
    /* CSV errors through a buffer */
    s = "text\n\"a\"b\n";
    rc = quarry_read_buffer(env, "c.csv", s, strlen(s), NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_EPARSE);
    CHECK_EQ_INT(ev.line, 2);
    CHECK_EQ_INT(ev.column, 4);
    CHECK_EQ_INT(ev.record, 1);
    s = "{\"title\": \"no text\"}";
    rc = quarry_read_buffer(env, "t.json", s, strlen(s), NULL, &doc, NULL);
    CHECK_EQ_INT(rc, QUARRY_EPARSE);
    CHECK(strstr(quarry_env_errmsg(env), "title") != NULL);
    rc = quarry_read_buffer(env, "e.txt", "", 0, NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_DONE);
    CHECK_EQ_INT(ev.kind, QUARRY_EVENT_SKIPPED);
    CHECK_EQ_STR(ev.reason, "empty");
    rc = quarry_read_buffer(env, "b.bin", "ab\0cd", 5, NULL, &doc, &ev);
    CHECK_EQ_INT(rc, QUARRY_DONE);
    CHECK_EQ_STR(ev.reason, "binary");
    CHECK(doc == NULL);
}

/* ---- run-time fixtures: binary files, I/O errors, big and deep inputs ---- */

static char tmpdir[256];

static void write_file(const char *name, const void *data, size_t len)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_EQ_INT(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_binary(void)
{
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                                        '\n', 0,   0,   0,   13,   'I',  'H'};
    char ctl[400], pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\nsome text";
    unsigned char utf16[] = {0xFF, 0xFE, 'h', 0, 'i', 0, '\n', 0};
    char src[512];
    size_t i;
    for (i = 0; i < sizeof ctl; i++)
        ctl[i] = (char)(i % 3 == 0 ? 0x01 : 'a');
    write_file("image.png", png, sizeof png);
    write_file("nul.txt", "text\0with nul", 13);
    write_file("controls.txt", ctl, sizeof ctl);
    write_file("doc.pdf", pdf, strlen(pdf));
    write_file("utf16.txt", utf16, sizeof utf16);
    write_file("utf32.txt", "\xff\xfe\0\0h\0\0\0", 8);
    /* a hidden binary file (Finder's .DS_Store) is reported as binary, a
     * hidden text file as hidden */
    write_file(".DS_Store", "\0\0\0\1Bud1\0\0", 10);
    write_file(".notes.txt", "plain text", 10);
    snprintf(src, sizeof src, "%s", tmpdir);
    read_one(NULL, src);
    CHECK(find(QUARRY_EVENT_SKIPPED, "image.png", "binary"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "nul.txt", "binary"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "controls.txt", "binary"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "doc.pdf", "binary"));
    CHECK(find(QUARRY_EVENT_SKIPPED, "utf32.txt", "binary"));
    CHECK(find(QUARRY_EVENT_SKIPPED, ".DS_Store", "binary"));
    CHECK(find(QUARRY_EVENT_SKIPPED, ".notes.txt", "hidden"));
    CHECK_EQ_STR(
        text_of(find(QUARRY_EVENT_DOCUMENT, "utf16.txt", NULL)
                    ? find(QUARRY_EVENT_DOCUMENT, "utf16.txt", NULL)->doc
                    : NULL),
        "hi\n");
    run_free();
}

static void test_io_errors(void)
{
    char dir[512], path[512];
    snprintf(dir, sizeof dir, "%s/io", tmpdir);
    CHECK_EQ_INT(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/io/locked.txt", tmpdir);
    {
        FILE *f = fopen(path, "w");
        if (f) {
            fputs("secret\n", f);
            fclose(f);
        }
    }
    CHECK_EQ_INT(chmod(path, 0), 0);
    read_one(NULL, dir);
    if (geteuid() != 0) { /* root reads it anyway */
        rec *r = find(QUARRY_EVENT_ERROR, "locked.txt", "io");
        CHECK(r && r->status == QUARRY_EIO && strstr(r->message, "locked.txt"));
    }
    chmod(path, 0644);
    /* a file and a directory that vanish between add and next */
    {
        quarry_reader *rd = NULL;
        quarry_read_event ev;
        char sub[600], subfile[700];
        snprintf(sub, sizeof sub, "%s/gone", dir);
        snprintf(subfile, sizeof subfile, "%s/gone/x.txt", dir);
        CHECK_EQ_INT(mkdir(sub, 0755), 0);
        CHECK_EQ_INT(rename(path, subfile), 0);
        CHECK_EQ_INT(quarry_reader_new(env, NULL, &rd), QUARRY_OK);
        CHECK_EQ_INT(quarry_reader_add(rd, subfile), QUARRY_OK);
        CHECK_EQ_INT(quarry_reader_add(rd, sub), QUARRY_OK);
        CHECK_EQ_INT(unlink(subfile), 0);
        CHECK_EQ_INT(rmdir(sub), 0);
        CHECK_EQ_INT(quarry_reader_next(rd, &ev), QUARRY_OK);
        CHECK_EQ_INT(ev.kind, QUARRY_EVENT_ERROR);
        CHECK_EQ_STR(ev.reason, "io");
        CHECK(strstr(ev.message, "gone/x.txt") != NULL);
        CHECK_EQ_INT(quarry_reader_next(rd, &ev), QUARRY_OK);
        CHECK_EQ_INT(ev.kind, QUARRY_EVENT_ERROR);
        CHECK_EQ_STR(ev.reason, "io");
        CHECK(strstr(ev.message, "gone") != NULL &&
              strstr(ev.message, "directory") != NULL);
        CHECK_EQ_INT(quarry_reader_next(rd, &ev), QUARRY_DONE);
        quarry_reader_free(rd);
    }
    run_free();
}

static void test_large_line(void)
{
    /* a 100 MB file with no newline at all */
    const size_t size = 100u * 1024 * 1024;
    char path[512];
    char *chunk = malloc(1 << 20);
    FILE *f;
    size_t i, len = 0;
    quarry_reader *rd = NULL;
    quarry_read_event ev;
    const char *text;
    if (!chunk)
        return;
    for (i = 0; i < (1u << 20); i++)
        chunk[i] = (char)("abcdefgh "[i % 9]);
    snprintf(path, sizeof path, "%s/big.txt", tmpdir);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) {
        free(chunk);
        return;
    }
    for (i = 0; i < size >> 20; i++)
        fwrite(chunk, 1, 1 << 20, f);
    fclose(f);
    free(chunk);
    CHECK_EQ_INT(quarry_reader_new(env, NULL, &rd), QUARRY_OK);
    CHECK_EQ_INT(quarry_reader_add(rd, path), QUARRY_OK);
    CHECK_EQ_INT(quarry_reader_next(rd, &ev), QUARRY_OK);
    CHECK_EQ_INT(ev.kind, QUARRY_EVENT_DOCUMENT);
    text = quarry_doc_text(ev.doc, &len);
    CHECK_EQ_INT(len, size);
    CHECK(text[0] == 'a' && text[len] == '\0');
    quarry_doc_free(ev.doc);
    CHECK_EQ_INT(quarry_reader_next(rd, &ev), QUARRY_DONE);
    quarry_reader_free(rd);
    unlink(path);

    /* a 100 MB JSONL line */
    f = fopen(path, "wb");
    if (f) {
        fputs("{\"year\": 2024, \"text\": \"", f);
        chunk = malloc(1 << 20);
        if (chunk) {
            memset(chunk, 'x', 1 << 20);
            for (i = 0; i < size >> 20; i++)
                fwrite(chunk, 1, 1 << 20, f);
            free(chunk);
        }
        fputs("\"}\n{\"text\": \"second\"}\n", f);
        fclose(f);
    }
    {
        char jpath[512];
        snprintf(jpath, sizeof jpath, "%s/big.jsonl", tmpdir);
        CHECK_EQ_INT(rename(path, jpath), 0);
        CHECK_EQ_INT(quarry_reader_new(env, NULL, &rd), QUARRY_OK);
        CHECK_EQ_INT(quarry_reader_add(rd, jpath), QUARRY_OK);
        CHECK_EQ_INT(quarry_reader_next(rd, &ev), QUARRY_OK);
        CHECK_EQ_INT(ev.kind, QUARRY_EVENT_DOCUMENT);
        quarry_doc_text(ev.doc, &len);
        CHECK_EQ_INT(len, size);
        quarry_doc_free(ev.doc);
        CHECK_EQ_INT(quarry_reader_next(rd, &ev), QUARRY_OK);
        CHECK_EQ_STR(text_of(ev.doc), "second");
        CHECK_EQ_INT(ev.record, 2);
        quarry_doc_free(ev.doc);
        quarry_reader_free(rd);
        unlink(jpath);
    }
}

static void test_deep_tree(void)
{
    /* deeper than any sane recursion budget per frame would like, well
     * within PATH_MAX */
    char path[4096];
    size_t depth = 1000, i, len;
    int fd;
    snprintf(path, sizeof path, "%s/deep", tmpdir);
    CHECK_EQ_INT(mkdir(path, 0755), 0);
    len = strlen(path);
    for (i = 0; i < depth && len + 3 < sizeof path - 16; i++) {
        path[len++] = '/';
        path[len++] = 'd';
        path[len] = '\0';
        if (mkdir(path, 0755) != 0)
            break;
    }
    strcat(path, "/leaf.txt");
    fd = open(path, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_INT(write(fd, "deep\n", 5), 5);
        close(fd);
    }
    snprintf(path, sizeof path, "%s/deep", tmpdir);
    read_one(NULL, path);
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 1);
    CHECK(find(QUARRY_EVENT_DOCUMENT, "d/d/leaf.txt", NULL));
    snprintf(path, sizeof path, "%s/deep/**/leaf.txt", tmpdir);
    read_one(NULL, path);
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 1);
    run_free();
}

static void test_precedence_and_records(void)
{
    const char *types[] = {"n=integer"};
    quarry_read_options o;
    rec *r;
    const quarry_field *f;
    memset(&o, 0, sizeof o);
    o.name_pattern = "{year}_{title}";
    o.field_types = types;
    o.field_type_count = 1;
    read_one(&o, fx("precedence"));
    /* name < sidecar < front matter */
    r = find(QUARRY_EVENT_DOCUMENT, "2020_note.md", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "Note body.\n");
    check_string(r, "title", "From front matter");
    check_string(r, "author", "Sidecar Author");
    check_integer(r, "year", 2020);
    CHECK(field(r, "body") == NULL);
    CHECK(find(QUARRY_EVENT_SKIPPED, "2020_note.json", "sidecar"));
    /* JSONL: CRLF, per-record replacement counts, overrides on JSON values */
    r = find_record("records.jsonl", 1);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "caf\xef\xbf\xbd");
    CHECK_EQ_INT(quarry_doc_replaced(r ? r->doc : NULL), 1);
    check_integer(r, "n", 1); /* a JSON string converted by the override */
    r = find(QUARRY_EVENT_WARNING, "records.jsonl", "replaced");
    CHECK(r && r->record == 1);
    r = find_record("records.jsonl", 2);
    CHECK_EQ_INT(quarry_doc_replaced(r ? r->doc : NULL), 0);
    f = field(r, "n");
    /* 2.0 is a JSON real: its text is "2", which the override converts */
    CHECK(f && f->type == QUARRY_FIELD_INTEGER && f->value.integer == 2);
    CHECK(find(QUARRY_EVENT_WARNING, "records.jsonl", "name-pattern"));
    run_free();
}

static void test_stdin(void)
{
    int saved = dup(0), fd;
    rec *r;
    fd = open(fx("corpus/d_record.json"), O_RDONLY);
    CHECK(fd >= 0 && saved >= 0);
    if (fd < 0 || saved < 0)
        return;
    CHECK_EQ_INT(dup2(fd, 0), 0);
    close(fd);
    read_one(NULL, "-");
    r = find(QUARRY_EVENT_DOCUMENT, "-", NULL);
    CHECK_EQ_STR(text_of(r ? r->doc : NULL), "JSON body text.");
    CHECK_EQ_STR(quarry_doc_format(r ? r->doc : NULL), "json");
    CHECK_EQ_STR(quarry_doc_source(r ? r->doc : NULL), "-");
    dup2(saved, 0);
    close(saved);
    run_free();
}

static void test_utf16_surrogates(void)
{
    /* LE: "a", U+1F600 as a pair, a lone high surrogate, a lone low one,
     * then an odd trailing byte */
    static const char le[] = {'\xff', '\xfe', 'a',    0,      '\x3d',
                              '\xd8', '\x00', '\xde', '\x3d', '\xd8',
                              'b',    0,      '\x00', '\xde', 'c'};
    quarry_doc *doc = NULL;
    int rc = quarry_read_buffer(env, "s.txt", le, sizeof le, NULL, &doc, NULL);
    CHECK_EQ_INT(rc, QUARRY_OK);
    CHECK_EQ_STR(text_of(doc), "a\xf0\x9f\x98\x80\xef\xbf\xbd"
                               "b\xef\xbf\xbd\xef\xbf\xbd");
    CHECK_EQ_INT(quarry_doc_replaced(doc), 3);
    CHECK_EQ_STR(quarry_doc_encoding(doc), "utf-16le");
    quarry_doc_free(doc);
}

static void test_symlinks(void)
{
    char dir[512], target[2048], link[512];
    snprintf(dir, sizeof dir, "%s/links", tmpdir);
    CHECK_EQ_INT(mkdir(dir, 0755), 0);
    snprintf(link, sizeof link, "%s/links/loop", tmpdir);
    CHECK_EQ_INT(symlink(dir, link), 0); /* a cycle if followed */
    snprintf(target, sizeof target, "%s", fx("corpus/a_plain.txt"));
    snprintf(link, sizeof link, "%s/links/file.txt", tmpdir);
    CHECK_EQ_INT(symlink(target, link), 0);
    snprintf(link, sizeof link, "%s/links/dangling.txt", tmpdir);
    CHECK_EQ_INT(symlink("/nonexistent/quarry", link), 0);
    read_one(NULL, dir);
    CHECK(find(QUARRY_EVENT_DOCUMENT, "links/file.txt", NULL));
    CHECK(find(QUARRY_EVENT_SKIPPED, "links/loop", "unsupported"));
    CHECK(find(QUARRY_EVENT_ERROR, "links/dangling.txt", "io"));
    CHECK_EQ_INT(count(QUARRY_EVENT_DOCUMENT, NULL), 1);
    run_free();
}

/* Every allocation failure point: the reader reports ENOMEM (or finishes)
 * and leaks nothing. */
static void test_out_of_memory(void)
{
    const char *srcs[] = {fx("corpus"), fx("errors"), fx("misc"),
                          fx("precedence")};
    quarry_read_options o;
    const char *types[] = {"year=date"};
    long long n;
    int finished = 0;
    memset(&o, 0, sizeof o);
    o.name_pattern = "{a}_{b}";
    o.field_types = types;
    o.field_type_count = 1;
    for (n = 1; n < 20000 && !finished; n++) {
        quarry_reader *rd = NULL;
        quarry_read_event ev;
        long long before = counts.live_blocks;
        int rc = QUARRY_OK;
        size_t i;
        counts.fail_after = n;
        if (quarry_reader_new(env, &o, &rd) == QUARRY_OK) {
            for (i = 0; i < 4 && rc == QUARRY_OK; i++)
                rc = quarry_reader_add(rd, srcs[i]);
            while (rc == QUARRY_OK &&
                   (rc = quarry_reader_next(rd, &ev)) == QUARRY_OK)
                quarry_doc_free(ev.doc);
            CHECK(rc == QUARRY_DONE || rc == QUARRY_ENOMEM);
            if (rc == QUARRY_ENOMEM)
                CHECK(strstr(quarry_reader_errmsg(rd), "memory") != NULL);
            finished = rc == QUARRY_DONE && counts.fail_after > 0;
            quarry_reader_free(rd);
        }
        counts.fail_after = 0;
        CHECK_EQ_INT(counts.live_blocks, before);
        if (counts.live_blocks != before) {
            fprintf(stderr, "  leak when allocation %lld fails\n", n);
            break;
        }
    }
    CHECK(finished);
}

int main(void)
{
    const char *fxenv = getenv("QUARRY_FIXTURES");
    snprintf(fixtures, sizeof fixtures, "%s", fxenv ? fxenv : "fixtures");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/quarry_read_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    if (quarry_env_new(count_alloc, &counts, &env) != QUARRY_OK)
        return 1;
    RUN(test_dates);
    RUN(test_infer);
    RUN(test_walk_corpus);
    RUN(test_hidden_and_sidecar_options);
    RUN(test_name_patterns);
    RUN(test_overrides);
    RUN(test_errors);
    RUN(test_misc_formats);
    RUN(test_globs);
    RUN(test_read_buffer);
    RUN(test_binary);
    RUN(test_io_errors);
    RUN(test_deep_tree);
    RUN(test_precedence_and_records);
    RUN(test_stdin);
    RUN(test_utf16_surrogates);
    RUN(test_symlinks);
    RUN(test_out_of_memory);
    RUN(test_large_line);
    run_free();
    /* everything allocated through the env was given back (the env itself
     * is the one block left) */
    CHECK_EQ_INT(counts.live_blocks, 1);
    quarry_env_free(env);
    tk_rm_rf(tmpdir);
    return check_summary();
}
