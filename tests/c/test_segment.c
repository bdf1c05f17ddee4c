/*
 * test_segment.c - segment files: build, write, open, read back every part
 * and verify; postings against a naive model; dictionary order, seek and
 * iteration; hostile files (truncated, bit-flipped) give errors, never
 * crashes or wrong answers once verified; a flipped bit in a section makes
 * every read that needs it fail (lazy section checksums), without verify.
 */
#include "check.h"
#include "segment_internal.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static quarry_env *env;
static char dir[64];
static int file_no;

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static void new_path(char *buf, size_t n)
{
    snprintf(buf, n, "%s/seg%d.qs", dir, file_no++);
}

/* ---- a document made of given norms, separated by single spaces -------- */

typedef struct tdoc {
    char *text; /* also the arena: norms are the words themselves */
    size_t len;
    quarry_token *tok;
    size_t ntok;
} tdoc;

static void tdoc_make(tdoc *d, const char *const *words, size_t n)
{
    size_t i, len = 0;
    for (i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    d->text = malloc(len + 1);
    d->tok = calloc(n + 1, sizeof *d->tok);
    d->ntok = n;
    d->len = 0;
    for (i = 0; i < n; i++) {
        size_t l = strlen(words[i]);
        if (i)
            d->text[d->len++] = ' ';
        d->tok[i].start = d->len;
        d->tok[i].end = d->len + l;
        d->tok[i].norm = d->len;
        d->tok[i].norm_len = (uint32_t)l;
        d->tok[i].kind = QUARRY_TOKEN_WORD;
        memcpy(d->text + d->len, words[i], l);
        d->len += l;
    }
    d->text[d->len] = '\0';
}

static void tdoc_free(tdoc *d)
{
    free(d->text);
    free(d->tok);
}

static void input_from(qi_docinput *in, const tdoc *d, const char *source)
{
    memset(in, 0, sizeof *in);
    in->source = source;
    in->text = d->text;
    in->text_len = d->len;
    in->tokens = d->tok;
    in->token_count = d->ntok;
    in->arena = d->text;
}

/* ---- round trip with the real tokenizer -------------------------------- */

static char *big_text(size_t want, size_t *len)
{
    static const char *const para =
        "Fellow-Citizens of the Senate and House of Representatives: Among "
        "the vicissitudes incident to life no event could have filled me "
        "with greater anxieties. 新质生产力是推动高质量发展的内在要求。\n\n";
    size_t pl = strlen(para), n = 0;
    char *t = malloc(want + pl + 1);
    while (n < want) {
        memcpy(t + n, para, pl);
        n += pl;
    }
    t[n] = '\0';
    *len = n;
    return t;
}

static void check_doc(qi_segment *seg, uint64_t id, const char *text,
                      size_t len, const quarry_tokens *toks,
                      const quarry_field *fields, size_t nf, const char *source)
{
    qi_docmeta m;
    qi_buf out = {0};
    size_t n = quarry_tokens_count(toks), got, i, k;
    const quarry_token *tk = quarry_tokens_data(toks);
    const char *arena = quarry_tokens_arena(toks);
    uint32_t *ids = calloc(n + 1, 4);
    uint64_t *st = calloc(n + 1, 8), *en = calloc(n + 1, 8);
    char term[QI_MAX_TERM + 1];
    size_t tl;
    int bad = 0;

    CHECK_EQ_INT(qi_segment_doc_meta(seg, id, &m), QUARRY_OK);
    CHECK_EQ_STR(m.source, source);
    CHECK_EQ_INT(m.tokens, n);
    CHECK_EQ_INT(m.text_bytes, len);
    CHECK_EQ_INT(m.sentences, quarry_tokens_sentence_count(toks));
    CHECK_EQ_INT(m.paragraphs, quarry_tokens_paragraph_count(toks));
    CHECK_EQ_INT(m.words, quarry_tokens_word_count(toks));
    CHECK_EQ_INT(m.field_count, nf);
    CHECK_EQ_INT(qi_segment_doc_text(seg, id, &out), QUARRY_OK);
    CHECK_EQ_INT(out.len, len);
    CHECK(out.len == len && (len == 0 || memcmp(out.data, text, len) == 0));

    CHECK_EQ_INT(qi_segment_doc_tokens(seg, id, 0, n + 5, ids, st, en, &got),
                 QUARRY_OK);
    CHECK_EQ_INT(got, n);
    for (i = 0; i < got && !bad; i++) {
        size_t nl = tk[i].norm_len > QI_MAX_TERM ? 0 : tk[i].norm_len;
        if (st[i] != tk[i].start || en[i] != tk[i].end)
            bad = 1;
        if (qi_segment_term_text(seg, ids[i], term, &tl) != QUARRY_OK)
            bad = 2;
        else if (tk[i].norm_len <= QI_MAX_TERM &&
                 (tl != nl || memcmp(term, arena + tk[i].norm, nl) != 0))
            bad = 3;
    }
    CHECK_EQ_INT(bad, 0);
    /* partial reads starting inside blocks, crossing block boundaries */
    for (k = 0; k < n; k += 97) {
        uint32_t pid[300];
        uint64_t ps[300], pe[300];
        CHECK_EQ_INT(qi_segment_doc_tokens(seg, id, k, 300, pid, ps, pe, &got),
                     QUARRY_OK);
        CHECK_EQ_INT(got, n - k < 300 ? n - k : 300);
        CHECK(got == 0 || (pid[0] == ids[k] && ps[0] == st[k] &&
                           pe[got - 1] == en[k + got - 1] &&
                           pid[got - 1] == ids[k + got - 1]));
        CHECK_EQ_INT(
            qi_segment_doc_tokens(seg, id, k, 3, pid, NULL, NULL, &got),
            QUARRY_OK);
        CHECK(got == 0 || pid[0] == ids[k]);
    }
    CHECK_EQ_INT(qi_segment_doc_tokens(seg, id, n, 10, ids, st, en, &got),
                 QUARRY_OK);
    CHECK_EQ_INT(got, 0);

    for (k = 0; k < 2; k++) {
        size_t ns = k ? quarry_tokens_paragraph_count(toks)
                      : quarry_tokens_sentence_count(toks);
        const quarry_span *want =
            k ? quarry_tokens_paragraphs(toks) : quarry_tokens_sentences(toks);
        quarry_span *sp = calloc(ns + 1, sizeof *sp);
        CHECK_EQ_INT(qi_segment_doc_spans(seg, id, (int)k, 0, ns + 1, sp, &got),
                     QUARRY_OK);
        CHECK_EQ_INT(got, ns);
        CHECK(ns == 0 || memcmp(sp, want, ns * sizeof *sp) == 0);
        if (ns > 130) {
            CHECK_EQ_INT(
                qi_segment_doc_spans(seg, id, (int)k, 129, 2, sp, &got),
                QUARRY_OK);
            CHECK(got == 2 && sp[0].first == want[129].first &&
                  sp[1].end == want[130].end);
        }
        free(sp);
    }
    {
        size_t nw = quarry_tokens_word_count(toks);
        const quarry_word *w = quarry_tokens_words(toks);
        quarry_span *sp = calloc(nw + 1, sizeof *sp);
        uint32_t *wid = calloc(nw + 1, 4);
        CHECK_EQ_INT(qi_segment_doc_words(seg, id, 0, nw, sp, wid, &got),
                     QUARRY_OK);
        CHECK_EQ_INT(got, nw);
        bad = 0;
        for (i = 0; i < got && !bad; i++) {
            if (sp[i].first != w[i].first || sp[i].end != w[i].end)
                bad = 1;
            else if (qi_segment_word_text(seg, wid[i], term, &tl) !=
                         QUARRY_OK ||
                     tl != w[i].norm_len ||
                     memcmp(term, arena + w[i].norm, tl) != 0)
                bad = 2;
        }
        CHECK_EQ_INT(bad, 0);
        free(sp);
        free(wid);
    }
    for (i = 0; i < nf; i++) {
        quarry_field f;
        CHECK_EQ_INT(qi_segment_doc_field(seg, id, i, &f), QUARRY_OK);
        CHECK_EQ_STR(f.name, fields[i].name);
        CHECK_EQ_STR(f.text, fields[i].text);
        CHECK_EQ_INT(f.text_len, fields[i].text_len);
        CHECK_EQ_INT(f.type, fields[i].type);
        if (f.type == QUARRY_FIELD_INTEGER)
            CHECK(f.value.integer == fields[i].value.integer);
        if (f.type == QUARRY_FIELD_NUMBER)
            CHECK(f.value.number == fields[i].value.number);
        if (f.type == QUARRY_FIELD_DATE) {
            const quarry_date *a = &f.value.date, *b = &fields[i].value.date;
            CHECK(a->year == b->year && a->month == b->month &&
                  a->day == b->day && a->hour == b->hour &&
                  a->minute == b->minute && a->second == b->second &&
                  a->precision == b->precision && a->has_zone == b->has_zone &&
                  a->zone_minutes == b->zone_minutes);
        }
    }
    CHECK_EQ_INT(qi_segment_doc_field(seg, id, nf, &(quarry_field){0}),
                 QUARRY_EINVAL);
    qi_buf_free(env, &out);
    free(ids);
    free(st);
    free(en);
}

static void test_roundtrip(void)
{
    quarry_tokenizer *tok;
    quarry_tokens *toks[5];
    qi_segbuild *b;
    qi_segment *seg;
    qi_segment_stats stats;
    char path[128], err[QI_ERRMSG_SIZE];
    size_t biglen, i, k;
    char *big = big_text((1u << 20) + 12345, &biglen);
    const char *texts[5];
    size_t lens[5];
    const char *sources[5] = {"a.txt", "empty.txt", "b/c.md", "big.txt",
                              "zh.txt"};
    quarry_field f[6];
    char longterm[1500];

    memset(longterm, 'x', sizeof longterm);
    memcpy(longterm + 1023, "\xc3\xa9", 2); /* é across the cut */
    longterm[sizeof longterm - 1] = '\0';
    texts[0] = "The quick brown fox. It jumps over the lazy dog!\n\n"
               "A second paragraph, with commas; and U.S.A. 1,000.5 "
               "don't stop.";
    texts[1] = "";
    texts[2] = longterm;
    texts[3] = big;
    texts[4] = "新质生产力是推动高质量发展的内在要求和重要着力点。"
               "中华人民共和国成立。";
    for (i = 0; i < 5; i++)
        lens[i] = i == 3 ? biglen : strlen(texts[i]);

    memset(f, 0, sizeof f);
    f[0].name = "title";
    f[0].text = "State of the Union";
    f[0].text_len = strlen(f[0].text);
    f[0].type = QUARRY_FIELD_STRING;
    f[1].name = "year";
    f[1].text = "-1790";
    f[1].text_len = 5;
    f[1].type = QUARRY_FIELD_INTEGER;
    f[1].value.integer = -1790;
    f[2].name = "score";
    f[2].text = "0.125";
    f[2].text_len = 5;
    f[2].type = QUARRY_FIELD_NUMBER;
    f[2].value.number = 0.125;
    f[3].name = "date";
    f[3].text = "2024-04-13T23:32:15+05:30";
    f[3].text_len = strlen(f[3].text);
    f[3].type = QUARRY_FIELD_DATE;
    CHECK_EQ_INT(quarry_date_parse(f[3].text, f[3].text_len, &f[3].value.date),
                 QUARRY_OK);
    f[4].name = "empty";
    f[4].text = "";
    f[4].text_len = 0;
    f[4].type = QUARRY_FIELD_STRING;
    f[5].name = "big";
    f[5].text = "9223372036854775807";
    f[5].text_len = strlen(f[5].text);
    f[5].type = QUARRY_FIELD_INTEGER;
    f[5].value.integer = INT64_MAX;

    CHECK_EQ_INT(quarry_tokenizer_new(env, NULL, &tok), QUARRY_OK);
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    for (i = 0; i < 5; i++) {
        qi_docinput in;
        CHECK_EQ_INT(quarry_tokens_new(env, &toks[i]), QUARRY_OK);
        CHECK_EQ_INT(quarry_tokenize(tok, texts[i], lens[i], toks[i]),
                     QUARRY_OK);
        memset(&in, 0, sizeof in);
        in.source = sources[i];
        in.record = i;
        in.hash = 0x1234567890abcdefULL + i;
        in.fields = i == 0 ? f : (i == 2 ? f + 3 : NULL);
        in.field_count = i == 0 ? 6 : (i == 2 ? 2 : 0);
        in.text = texts[i];
        in.text_len = lens[i];
        in.tokens = quarry_tokens_data(toks[i]);
        in.token_count = quarry_tokens_count(toks[i]);
        in.arena = quarry_tokens_arena(toks[i]);
        in.sentences = quarry_tokens_sentences(toks[i]);
        in.sentence_count = quarry_tokens_sentence_count(toks[i]);
        in.paragraphs = quarry_tokens_paragraphs(toks[i]);
        in.paragraph_count = quarry_tokens_paragraph_count(toks[i]);
        in.words = quarry_tokens_words(toks[i]);
        in.word_count = quarry_tokens_word_count(toks[i]);
        CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_OK);
    }
    CHECK(quarry_tokens_word_count(toks[4]) > 0);
    CHECK_EQ_INT(qi_segbuild_doc_count(b), 5);
    CHECK(qi_segbuild_memory(b) > 0);
    new_path(path, sizeof path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 42), QUARRY_OK);
    /* the builder can only be freed now; the path is taken */
    CHECK_EQ_INT(qi_segbuild_add(b, &(qi_docinput){.source = "x"}),
                 QUARRY_EINVAL);
    qi_segbuild_free(b);
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 43), QUARRY_EIO);
    qi_segbuild_free(b);

    CHECK_EQ_INT(qi_segment_open(env, path, &seg, err), QUARRY_OK);
    if (!seg)
        return;
    CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_OK);
    qi_segment_stats_get(seg, &stats);
    CHECK_EQ_INT(stats.segment_id, 42);
    CHECK_EQ_INT(stats.doc_count, 5);
    {
        uint64_t sum = 0, tot = 0;
        for (i = 0; i < QUARRY_PART_COUNT; i++)
            sum += stats.bytes[i];
        for (i = 0; i < 5; i++)
            tot += quarry_tokens_count(toks[i]);
        CHECK_EQ_INT(sum, stats.file_bytes);
        CHECK_EQ_INT(stats.token_count, tot);
        CHECK(stats.bytes[QUARRY_PART_STORE] < biglen / 4);
    }
    for (i = 0; i < 5; i++)
        check_doc(seg, i, texts[i], lens[i], toks[i],
                  i == 0 ? f : (i == 2 ? f + 3 : NULL),
                  i == 0 ? 6 : (i == 2 ? 2 : 0), sources[i]);
    {
        qi_docmeta m;
        CHECK_EQ_INT(qi_segment_doc_meta(seg, 0, &m), QUARRY_OK);
        CHECK_EQ_INT(m.record, 0);
        CHECK(m.hash == 0x1234567890abcdefULL);
        CHECK_EQ_INT(qi_segment_doc_meta(seg, 5, &m), QUARRY_EINVAL);
    }
    /* the long token is cut at a UTF-8 boundary: 1023 bytes (the é at
     * 1023 would straddle the limit) */
    {
        uint32_t id;
        size_t got, tl;
        char term[QI_MAX_TERM + 1];
        CHECK_EQ_INT(qi_segment_doc_tokens(seg, 2, 0, 1, &id, NULL, NULL, &got),
                     QUARRY_OK);
        CHECK_EQ_INT(qi_segment_term_text(seg, id, term, &tl), QUARRY_OK);
        CHECK_EQ_INT(tl, 1023);
        CHECK(quarry_utf8_valid(term, tl));
    }
    /* the term "the": postings with positions agree with the tokens */
    {
        qi_term t;
        qi_postings pl;
        uint64_t pos[64];
        CHECK_EQ_INT(qi_segment_term_find(seg, "the", 3, &t), QUARRY_OK);
        CHECK_EQ_INT(qi_postings_start(&pl, seg, &t), QUARRY_OK);
        CHECK_EQ_INT(qi_postings_next(&pl), QUARRY_OK);
        CHECK_EQ_INT(pl.doc, 0);
        CHECK_EQ_INT(pl.freq, 2);
        CHECK_EQ_INT(qi_postings_positions(&pl, pos), QUARRY_OK);
        CHECK_EQ_INT(pos[0], 0);
        CHECK_EQ_INT(qi_postings_next(&pl), QUARRY_OK);
        CHECK_EQ_INT(pl.doc, 3);
        CHECK_EQ_INT(qi_postings_next(&pl), QUARRY_DONE);
        CHECK_EQ_INT(qi_segment_term_find(seg, "thf", 3, &t), QUARRY_DONE);
        CHECK_EQ_INT(qi_segment_word_find(seg, "生产力", strlen("生产力"), &t),
                     QUARRY_OK);
        CHECK(t.coll_freq >= 1);
    }
    qi_segment_close(seg);
    for (k = 0; k < 5; k++)
        quarry_tokens_free(toks[k]);
    quarry_tokenizer_free(tok);
    free(big);
}

/* ---- postings against a naive model ------------------------------------ */

#define NV 40

static void test_postings_model(void)
{
    static const char *vocab[NV];
    static char names[NV][8];
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    size_t ndocs = 700, d, i, t;
    size_t **docs = calloc(ndocs, sizeof *docs), *dlen = calloc(ndocs, 8);
    qi_segbuild *b;
    qi_segment *seg;
    char path[128], err[QI_ERRMSG_SIZE];
    uint64_t *pos = malloc(8 * 5000);

    for (t = 0; t < NV; t++) {
        snprintf(names[t], sizeof names[t], "w%02zu", t);
        vocab[t] = names[t];
    }
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    for (d = 0; d < ndocs; d++) {
        const char *words[3000];
        tdoc td;
        qi_docinput in;
        char src[32];
        /* skewed lengths and a skewed vocabulary: frequent terms span
         * many postings blocks, rare ones few */
        size_t n = rng_next(&seed) % 5 == 0 ? 0 : rng_next(&seed) % 3000;
        if (d % 50 == 0)
            n = rng_next(&seed) % 3;
        docs[d] = malloc((n + 1) * sizeof **docs);
        dlen[d] = n;
        for (i = 0; i < n; i++) {
            uint64_t r = rng_next(&seed);
            t = (r % 3 == 0) ? (r >> 8) % 4 : (r >> 8) % NV;
            if (t >= 30 && rng_next(&seed) % 8)
                t = (r >> 20) % 30; /* rare terms */
            docs[d][i] = t;
            words[i] = vocab[t];
        }
        tdoc_make(&td, words, n);
        snprintf(src, sizeof src, "doc%zu", d);
        input_from(&in, &td, src);
        CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_OK);
        tdoc_free(&td);
    }
    new_path(path, sizeof path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 7), QUARRY_OK);
    qi_segbuild_free(b);
    CHECK_EQ_INT(qi_segment_open(env, path, &seg, err), QUARRY_OK);
    if (!seg)
        return;
    CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_OK);
    for (t = 0; t < NV; t++) {
        qi_term term;
        qi_postings pl;
        uint64_t df = 0, cf = 0;
        int bad = 0, rc, k;
        rc = qi_segment_term_find(seg, vocab[t], 3, &term);
        for (d = 0; d < ndocs; d++)
            for (i = 0; i < dlen[d]; i++)
                if (docs[d][i] == t) {
                    cf++;
                    if (i == 0 || 1) {
                        size_t j;
                        for (j = 0; j < i && docs[d][j] != t; j++)
                            ;
                        if (j == i)
                            df++;
                    }
                }
        if (cf == 0) {
            CHECK_EQ_INT(rc, QUARRY_DONE);
            continue;
        }
        CHECK_EQ_INT(rc, QUARRY_OK);
        CHECK_EQ_INT(term.doc_freq, df);
        CHECK_EQ_INT(term.coll_freq, cf);
        /* full walk, positions for every other document */
        CHECK_EQ_INT(qi_postings_start(&pl, seg, &term), QUARRY_OK);
        d = 0;
        while ((rc = qi_postings_next(&pl)) == QUARRY_OK && !bad) {
            size_t f = 0, m = 0;
            while (d < ndocs) {
                for (f = 0, i = 0; i < dlen[d]; i++)
                    f += docs[d][i] == t;
                if (f)
                    break;
                d++;
            }
            if (pl.doc != d || pl.freq != f) {
                bad = 1;
                break;
            }
            if (d % 2 == 0) {
                if (qi_postings_positions(&pl, pos) != QUARRY_OK)
                    bad = 2;
                for (i = 0; i < dlen[d] && !bad; i++)
                    if (docs[d][i] == t && pos[m++] != i)
                        bad = 3;
            }
            d++;
        }
        CHECK_EQ_INT(bad, 0);
        CHECK_EQ_INT(rc, QUARRY_DONE);
        /* advance to random targets, ascending, mixed with next */
        for (k = 0; k < 20; k++) {
            uint64_t target = 0;
            CHECK_EQ_INT(qi_postings_start(&pl, seg, &term), QUARRY_OK);
            for (;;) {
                size_t want = ndocs, f = 0;
                target += rng_next(&seed) % (k < 10 ? 40 : 300);
                for (d = target; d < ndocs; d++) {
                    for (f = 0, i = 0; i < dlen[d]; i++)
                        f += docs[d][i] == t;
                    if (f) {
                        want = d;
                        break;
                    }
                }
                rc = qi_postings_advance(&pl, target);
                if (want == ndocs) {
                    if (rc != QUARRY_DONE)
                        bad = 4;
                    break;
                }
                if (rc != QUARRY_OK || pl.doc != want || pl.freq != f) {
                    bad = 5;
                    break;
                }
                if (rng_next(&seed) % 3 == 0) {
                    size_t m = 0;
                    if (qi_postings_positions(&pl, pos) != QUARRY_OK)
                        bad = 6;
                    for (i = 0; i < dlen[want] && !bad; i++)
                        if (docs[want][i] == t && pos[m++] != i)
                            bad = 7;
                }
                target = pl.doc;
                if (rng_next(&seed) % 2 == 0) {
                    rc = qi_postings_next(&pl);
                    if (rc == QUARRY_DONE)
                        break;
                    target = pl.doc;
                }
            }
            CHECK_EQ_INT(bad, 0);
        }
    }
    qi_segment_close(seg);
    for (d = 0; d < ndocs; d++)
        free(docs[d]);
    free(docs);
    free(dlen);
    free(pos);
}

/* Positions whose gaps are far from the block's mean take the Rice
 * escape (a long document, a term dense at its start and once at its
 * end), and a position past 2^16. */
static void position_outliers(size_t empty_docs)
{
    size_t n = 200000, i, got;
    const char **words = malloc(n * sizeof *words);
    tdoc td;
    qi_docinput in;
    qi_segbuild *b;
    qi_segment *seg;
    qi_term t;
    qi_postings pl;
    uint64_t pos[1100];
    char path[128], err[QI_ERRMSG_SIZE];
    for (i = 0; i < n; i++)
        words[i] = (i < 1000 || i == n - 1) ? "a" : "b";
    tdoc_make(&td, words, n);
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    for (i = 0; i < empty_docs; i++) {
        qi_docinput e;
        memset(&e, 0, sizeof e);
        e.source = "";
        CHECK_EQ_INT(qi_segbuild_add(b, &e), QUARRY_OK);
    }
    input_from(&in, &td, "long");
    CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_OK);
    new_path(path, sizeof path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 2), QUARRY_OK);
    qi_segbuild_free(b);
    CHECK_EQ_INT(qi_segment_open(env, path, &seg, err), QUARRY_OK);
    if (seg) {
        CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_OK);
        CHECK_EQ_INT(qi_segment_term_find(seg, "a", 1, &t), QUARRY_OK);
        CHECK_EQ_INT(qi_postings_start(&pl, seg, &t), QUARRY_OK);
        CHECK_EQ_INT(qi_postings_next(&pl), QUARRY_OK);
        CHECK_EQ_INT(pl.doc, empty_docs);
        CHECK_EQ_INT(pl.freq, 1001);
        CHECK_EQ_INT(qi_postings_positions(&pl, pos), QUARRY_OK);
        CHECK_EQ_INT(pos[999], 999);
        CHECK_EQ_INT(pos[1000], n - 1);
        /* asked again, the same */
        memset(pos, 0, sizeof pos);
        CHECK_EQ_INT(qi_postings_positions(&pl, pos), QUARRY_OK);
        CHECK_EQ_INT(pos[1000], n - 1);
        {
            uint64_t s, e;
            uint32_t id;
            CHECK_EQ_INT(qi_segment_doc_tokens(seg, empty_docs, n - 1, 5, &id,
                                               &s, &e, &got),
                         QUARRY_OK);
            CHECK_EQ_INT(got, 1);
            CHECK_EQ_INT(s, 2 * (n - 1));
            CHECK_EQ_INT(id, t.ordinal);
        }
        qi_segment_close(seg);
    }
    tdoc_free(&td);
    free(words);
}

static void test_position_outliers(void)
{
    position_outliers(0);
    /* 40000 documents and 200000 tokens do not fit a 32-bit occurrence
     * entry in the writer: the 64-bit path */
    position_outliers(40000);
}

/* ---- dictionary order, seek, iteration --------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y);
}

static void test_dictionary(void)
{
    uint64_t seed = 12345;
    size_t nterms = 9000, i, n, ndistinct;
    char **terms = calloc(nterms, sizeof *terms);
    char **sorted;
    qi_segbuild *b;
    qi_segment *seg;
    char path[128], err[QI_ERRMSG_SIZE];
    tdoc td;
    qi_docinput in;
    qi_termiter *it = malloc(sizeof *it);

    /* prefix-sharing terms of 1..QI_MAX_TERM bytes over a tiny alphabet */
    for (i = 0; i < nterms; i++) {
        size_t len, k;
        uint64_t r = rng_next(&seed);
        len = i < 4 ? (i == 0 ? 1 : (i == 1 ? QI_MAX_TERM : 2 + i))
                    : 1 + (r % 7 == 0 ? r % QI_MAX_TERM : r % 12);
        terms[i] = malloc(len + 1);
        for (k = 0; k < len; k++)
            terms[i][k] = "abc"[rng_next(&seed) % 3];
        terms[i][len] = '\0';
    }
    tdoc_make(&td, (const char *const *)terms, nterms);
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    input_from(&in, &td, "dict");
    CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_OK);
    new_path(path, sizeof path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 1), QUARRY_OK);
    qi_segbuild_free(b);
    tdoc_free(&td);

    sorted = calloc(nterms, sizeof *sorted);
    memcpy(sorted, terms, nterms * sizeof *sorted);
    qsort(sorted, nterms, sizeof *sorted, cmp_str);
    for (i = 0, ndistinct = 0; i < nterms; i++)
        if (i == 0 || strcmp(sorted[i], sorted[ndistinct - 1]) != 0)
            sorted[ndistinct++] = sorted[i];

    CHECK_EQ_INT(qi_segment_open(env, path, &seg, err), QUARRY_OK);
    if (!seg)
        return;
    CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_OK);
    {
        qi_segment_stats st;
        qi_segment_stats_get(seg, &st);
        CHECK_EQ_INT(st.term_count, ndistinct);
    }
    /* the token stream reads back (more than QI_HUFF_SYMBOLS distinct
     * terms: rare ones take the escape code) */
    {
        uint32_t *ids = malloc(nterms * sizeof *ids);
        uint64_t *st = malloc(nterms * 8), *en = malloc(nterms * 8);
        size_t got, tl;
        int bad = 0;
        char buf[QI_MAX_TERM + 1];
        CHECK_EQ_INT(
            qi_segment_doc_tokens(seg, 0, 0, nterms, ids, st, en, &got),
            QUARRY_OK);
        CHECK_EQ_INT(got, nterms);
        for (i = 0; i < got && !bad; i++) {
            if (qi_segment_term_text(seg, ids[i], buf, &tl) != QUARRY_OK ||
                tl != strlen(terms[i]) || memcmp(buf, terms[i], tl) != 0)
                bad = 1;
            else if (en[i] - st[i] != tl)
                bad = 2;
        }
        CHECK_EQ_INT(bad, 0);
        free(ids);
        free(st);
        free(en);
    }
    /* full iteration */
    CHECK_EQ_INT(qi_termiter_start(it, seg, 0), QUARRY_OK);
    n = 0;
    while (qi_termiter_next(it) == QUARRY_OK) {
        if (n >= ndistinct || strcmp(it->text, sorted[n]) != 0 ||
            it->len != strlen(sorted[n]) || it->term.ordinal != n)
            break;
        n++;
    }
    CHECK_EQ_INT(n, ndistinct);
    /* iteration from inside blocks */
    for (i = 0; i < 50; i++) {
        uint64_t from = rng_next(&seed) % (ndistinct + 1), k;
        int ok = 1;
        CHECK_EQ_INT(qi_termiter_start(it, seg, from), QUARRY_OK);
        for (k = from; k < from + 40 && k < ndistinct; k++)
            if (qi_termiter_next(it) != QUARRY_OK ||
                strcmp(it->text, sorted[k]) != 0)
                ok = 0;
        if (k == ndistinct)
            ok &= qi_termiter_next(it) == QUARRY_DONE;
        CHECK(ok);
    }
    /* find, text and seek against the sorted list */
    for (i = 0; i < ndistinct; i += 7) {
        qi_term t;
        char buf[QI_MAX_TERM + 1];
        size_t len;
        uint64_t ord;
        CHECK_EQ_INT(
            qi_segment_term_find(seg, sorted[i], strlen(sorted[i]), &t),
            QUARRY_OK);
        CHECK_EQ_INT(t.ordinal, i);
        CHECK_EQ_INT(qi_segment_term_text(seg, i, buf, &len), QUARRY_OK);
        CHECK(len == strlen(sorted[i]) && strcmp(buf, sorted[i]) == 0);
        CHECK_EQ_INT(
            qi_segment_term_seek(seg, sorted[i], strlen(sorted[i]), &ord),
            QUARRY_OK);
        CHECK_EQ_INT(ord, i);
    }
    for (i = 0; i < 2000; i++) {
        char probe[16];
        size_t len = 1 + rng_next(&seed) % 13, k, lo = 0;
        uint64_t ord;
        qi_term t;
        for (k = 0; k < len; k++)
            probe[k] = "abcd"[rng_next(&seed) % 4];
        probe[len] = '\0';
        while (lo < ndistinct && strcmp(sorted[lo], probe) < 0)
            lo++;
        CHECK_EQ_INT(qi_segment_term_seek(seg, probe, len, &ord), QUARRY_OK);
        CHECK_EQ_INT(ord, lo);
        CHECK_EQ_INT(qi_segment_term_find(seg, probe, len, &t),
                     lo < ndistinct && strcmp(sorted[lo], probe) == 0
                         ? QUARRY_OK
                         : QUARRY_DONE);
    }
    {
        uint64_t ord;
        CHECK_EQ_INT(qi_segment_term_seek(seg, "", 0, &ord), QUARRY_OK);
        CHECK_EQ_INT(ord, 0);
        CHECK_EQ_INT(qi_segment_term_seek(seg, "zzz", 3, &ord), QUARRY_OK);
        CHECK_EQ_INT(ord, ndistinct);
        CHECK_EQ_INT(qi_segment_term_text(seg, ndistinct, path, &n),
                     QUARRY_EINVAL);
    }
    qi_segment_close(seg);
    for (i = 0; i < nterms; i++)
        free(terms[i]);
    free(terms);
    free(sorted);
    free(it);
}

/* ---- empty segment and input errors ------------------------------------ */

static void test_empty_and_errors(void)
{
    qi_segbuild *b;
    qi_segment *seg;
    char path[128], err[QI_ERRMSG_SIZE];
    qi_term t;
    uint64_t ord;
    qi_termiter it;

    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    {
        /* tokens out of order are refused and leave the builder usable */
        quarry_token tk[2] = {{5, 8, 5, 3, 1, 0, 0}, {0, 3, 0, 3, 1, 0, 0}};
        qi_docinput in;
        memset(&in, 0, sizeof in);
        in.source = "bad";
        in.text = "abc   abc";
        in.text_len = 9;
        in.tokens = tk;
        in.token_count = 2;
        in.arena = in.text;
        CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_EINVAL);
        CHECK(strlen(qi_segbuild_errmsg(b)) > 0);
        tk[1].start = 20;
        tk[1].end = 23;
        CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_EINVAL);
    }
    new_path(path, sizeof path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 9), QUARRY_OK);
    qi_segbuild_free(b);
    CHECK_EQ_INT(qi_segment_open(env, path, &seg, err), QUARRY_OK);
    if (seg) {
        CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_OK);
        CHECK_EQ_INT(qi_segment_term_find(seg, "a", 1, &t), QUARRY_DONE);
        CHECK_EQ_INT(qi_segment_term_seek(seg, "a", 1, &ord), QUARRY_OK);
        CHECK_EQ_INT(ord, 0);
        CHECK_EQ_INT(qi_termiter_start(&it, seg, 0), QUARRY_OK);
        CHECK_EQ_INT(qi_termiter_next(&it), QUARRY_DONE);
        qi_segment_close(seg);
    }
    CHECK_EQ_INT(qi_segment_open(env, "/nonexistent/x.qs", &seg, err),
                 QUARRY_ENOENT);
    CHECK(strstr(err, "/nonexistent/x.qs") != NULL);
}

/* ---- hostile files ----------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    d = malloc((size_t)n + 1);
    *len = fread(d, 1, (size_t)n, f);
    fclose(f);
    return d;
}

static void spit(const char *path, const unsigned char *d, size_t len)
{
    FILE *f;
    unlink(path);
    f = fopen(path, "wb");
    fwrite(d, 1, len, f);
    fclose(f);
}

/* Reads everything through every API; returns a digest of what was read,
 * or 0 if any call failed. Must never crash whatever the file holds. */
static uint64_t exercise(qi_segment *seg)
{
    qi_segment_stats st;
    uint64_t h = 1, d;
    qi_termiter *it = malloc(sizeof *it);
    qi_buf text = {0};
    int failed = 0;
    qi_segment_stats_get(seg, &st);
    for (d = 0; d < st.doc_count && d < 50; d++) {
        qi_docmeta m;
        uint32_t ids[64];
        uint64_t s[64], e[64];
        quarry_span sp[16];
        size_t got, i;
        memset(ids, 0, sizeof ids);
        memset(s, 0, sizeof s);
        memset(e, 0, sizeof e);
        memset(sp, 0, sizeof sp);
        if (qi_segment_doc_meta(seg, d, &m) != QUARRY_OK) {
            failed = 1;
            continue;
        }
        h = h * 31 + m.tokens + m.text_bytes + m.record;
        for (i = 0; i < m.field_count && i < 8; i++) {
            quarry_field f;
            if (qi_segment_doc_field(seg, d, i, &f) == QUARRY_OK)
                h = h * 31 + f.text_len + (uint64_t)f.type;
            else
                failed = 1;
        }
        if (qi_segment_doc_text(seg, d, &text) == QUARRY_OK)
            h = XXH3_64bits_withSeed(text.data, text.len, h);
        else
            failed = 1;
        if (qi_segment_doc_tokens(seg, d, 0, 64, ids, s, e, &got) == QUARRY_OK)
            h = XXH3_64bits_withSeed(ids, got * 4, h + s[0] * 7 + got);
        else
            failed = 1;
        if (qi_segment_doc_tokens(seg, d, 130, 64, ids, s, e, &got) ==
            QUARRY_OK)
            h = XXH3_64bits_withSeed(e, got * 8, h);
        else
            failed = 1;
        if (qi_segment_doc_spans(seg, d, 0, 0, 16, sp, &got) == QUARRY_OK &&
            qi_segment_doc_spans(seg, d, 1, 0, 16, sp + 8, &got) == QUARRY_OK &&
            qi_segment_doc_words(seg, d, 0, 8, sp, ids, &got) == QUARRY_OK)
            h = XXH3_64bits_withSeed(sp, sizeof sp, h);
        else
            failed = 1;
    }
    if (qi_termiter_start(it, seg, 0) == QUARRY_OK) {
        int rc;
        uint64_t *pos = NULL, n = 0;
        while ((rc = qi_termiter_next(it)) == QUARRY_OK && n++ < 5000) {
            qi_postings pl;
            qi_term t;
            h = XXH3_64bits_withSeed(it->text, it->len, h);
            if (qi_segment_term_find(seg, it->text, it->len, &t) != QUARRY_OK)
                failed = 1;
            if (qi_postings_start(&pl, seg, &it->term) != QUARRY_OK) {
                failed = 1;
                continue;
            }
            while ((rc = qi_postings_next(&pl)) == QUARRY_OK) {
                h = h * 31 + pl.doc + pl.freq;
                if (pl.freq < 1000000) {
                    pos = realloc(pos, pl.freq * 8 + 8);
                    if (qi_postings_positions(&pl, pos) == QUARRY_OK)
                        h = XXH3_64bits_withSeed(pos, pl.freq * 8, h);
                    else
                        failed = 1;
                }
            }
            if (rc != QUARRY_DONE)
                failed = 1;
            if (qi_postings_start(&pl, seg, &it->term) == QUARRY_OK &&
                qi_postings_advance(&pl, 3) < 0)
                failed = 1;
        }
        if (rc < 0)
            failed = 1;
        free(pos);
    } else {
        failed = 1;
    }
    {
        uint64_t ord;
        qi_term t;
        char buf[QI_MAX_TERM + 1];
        size_t len;
        if (qi_segment_term_seek(seg, "m", 1, &ord) != QUARRY_OK)
            failed = 1;
        if (st.word_term_count &&
            (qi_segment_word_at(seg, 0, &t) != QUARRY_OK ||
             qi_segment_word_text(seg, 0, buf, &len) != QUARRY_OK))
            failed = 1;
    }
    qi_buf_free(env, &text);
    free(it);
    return failed ? 0 : (h ? h : 1);
}

/* Damages bytes inside sections of the file image orig and recomputes
 * every checksum, so that only the structural checks stand between the
 * readers and the bytes. Whatever verify says, nothing may crash or read
 * out of bounds (the test runs under ASan too). Returns how many damaged
 * files verify refused. */
static int damage_with_checksums(const unsigned char *orig, size_t len,
                                 const char *bad_path, int rounds,
                                 uint64_t *seed)
{
    unsigned char *copy = malloc(len);
    uint64_t toc_off, toc_len, t;
    qi_segment *seg;
    char err[QI_ERRMSG_SIZE];
    int i, refused = 0;
    memcpy(&toc_off, orig + len - 40, 8);
    memcpy(&toc_len, orig + len - 32, 8);
    for (i = 0; i < rounds; i++) {
        int k, n = 1 + (int)(rng_next(seed) % 4);
        memcpy(copy, orig, len);
        for (k = 0; k < n; k++) {
            size_t at = 64 + rng_next(seed) % (toc_off - 64);
            uint64_t r = rng_next(seed);
            if (r % 3 == 0)
                copy[at] = (unsigned char)(r >> 8); /* any byte */
            else if (r % 3 == 1)
                copy[at] = 0xff; /* long varints, long unary codes */
            else
                copy[at] ^= (unsigned char)(1u << ((r >> 8) % 8));
        }
        for (t = 0; t < toc_len; t += 32) {
            uint64_t off, sl, x;
            memcpy(&off, copy + toc_off + t + 8, 8);
            memcpy(&sl, copy + toc_off + t + 16, 8);
            x = XXH3_64bits(copy + off, (size_t)sl);
            memcpy(copy + toc_off + t + 24, &x, 8);
        }
        {
            uint64_t x = XXH3_64bits(copy + toc_off, (size_t)toc_len);
            memcpy(copy + len - 40 + 16, &x, 8);
        }
        spit(bad_path, copy, len);
        if (qi_segment_open(env, bad_path, &seg, err) != QUARRY_OK)
            continue;
        exercise(seg);
        if (qi_segment_verify(seg) != QUARRY_OK)
            refused++;
        exercise(seg);
        qi_segment_close(seg);
    }
    free(copy);
    fprintf(stderr, "  checksummed damage: verify refused %d of %d\n", refused,
            rounds);
    return refused;
}

/* The same on a segment with multi-block postings and streams. */
static void test_damage_multiblock(void)
{
    uint64_t seed = 4242;
    size_t d, i;
    qi_segbuild *b;
    char path[128], bad_path[128];
    unsigned char *orig;
    size_t len = 0;
    static const char *const vocab[] = {"a", "bb", "ccc", "dd",
                                        "e", "ff", "gg",  "hhh"};
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    for (d = 0; d < 300; d++) {
        const char *words[400];
        size_t n = rng_next(&seed) % (d % 37 == 0 ? 400 : 40);
        tdoc td;
        qi_docinput in;
        quarry_span sent[2];
        for (i = 0; i < n; i++)
            words[i] = vocab[rng_next(&seed) % 8];
        tdoc_make(&td, words, n);
        input_from(&in, &td, "m");
        sent[0].first = 0;
        sent[0].end = n / 2;
        sent[1].first = n / 2;
        sent[1].end = n;
        in.sentences = sent;
        in.sentence_count = 2;
        CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_OK);
        tdoc_free(&td);
    }
    new_path(path, sizeof path);
    new_path(bad_path, sizeof bad_path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 5), QUARRY_OK);
    qi_segbuild_free(b);
    orig = slurp(path, &len);
    CHECK(orig != NULL && len > 104);
    if (orig && len > 104)
        CHECK(damage_with_checksums(orig, len, bad_path, 1500, &seed) > 1000);
    unlink(bad_path);
    free(orig);
}

static void test_corruption(void)
{
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    qi_segbuild *b;
    qi_segment *seg;
    char path[128], bad_path[128], err[QI_ERRMSG_SIZE];
    unsigned char *orig, *copy;
    size_t len = 0, cut, i;
    uint64_t good, seed = 777;
    int verified_ok = 0, wrong = 0, opened = 0;
    const char *texts[3] = {
        "One sentence here. Another one there!\n\nA new paragraph.", "",
        "新质生产力，发展。The end of the the the text."};
    quarry_field f = {"year", "1999", 4, QUARRY_FIELD_INTEGER, {1999}};

    CHECK_EQ_INT(quarry_tokenizer_new(env, NULL, &tok), QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_new(env, &toks), QUARRY_OK);
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    for (i = 0; i < 3; i++) {
        qi_docinput in;
        CHECK_EQ_INT(quarry_tokenize(tok, texts[i], strlen(texts[i]), toks),
                     QUARRY_OK);
        memset(&in, 0, sizeof in);
        in.source = "s";
        in.fields = &f;
        in.field_count = 1;
        in.text = texts[i];
        in.text_len = strlen(texts[i]);
        in.tokens = quarry_tokens_data(toks);
        in.token_count = quarry_tokens_count(toks);
        in.arena = quarry_tokens_arena(toks);
        in.sentences = quarry_tokens_sentences(toks);
        in.sentence_count = quarry_tokens_sentence_count(toks);
        in.paragraphs = quarry_tokens_paragraphs(toks);
        in.paragraph_count = quarry_tokens_paragraph_count(toks);
        in.words = quarry_tokens_words(toks);
        in.word_count = quarry_tokens_word_count(toks);
        CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_OK);
    }
    new_path(path, sizeof path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 3), QUARRY_OK);
    qi_segbuild_free(b);
    quarry_tokens_free(toks);
    quarry_tokenizer_free(tok);

    CHECK_EQ_INT(qi_segment_open(env, path, &seg, err), QUARRY_OK);
    if (!seg)
        return;
    good = exercise(seg);
    CHECK(good != 0);
    CHECK(exercise(seg) == good);
    CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_OK);
    CHECK(exercise(seg) == good);
    qi_segment_close(seg);
    orig = slurp(path, &len);
    CHECK(orig != NULL && len > 104);
    if (!orig || len <= 104)
        return;
    copy = malloc(len);
    new_path(bad_path, sizeof bad_path);

    /* truncation at every length */
    for (cut = 0; cut < len; cut++) {
        spit(bad_path, orig, cut);
        if (qi_segment_open(env, bad_path, &seg, err) == QUARRY_OK) {
            opened++;
            qi_segment_verify(seg);
            exercise(seg);
            qi_segment_close(seg);
        } else {
            CHECK(err[0] != '\0');
        }
    }
    CHECK_EQ_INT(opened, 0);
    /* bit flips, one to three at a time */
    for (i = 0; i < 3000; i++) {
        int k, nflip = 1 + (int)(rng_next(&seed) % 3);
        memcpy(copy, orig, len);
        for (k = 0; k < nflip; k++) {
            size_t at = rng_next(&seed) % len;
            copy[at] ^= (unsigned char)(1u << (rng_next(&seed) % 8));
        }
        if (memcmp(copy, orig, len) == 0)
            continue; /* the flips cancelled out */
        spit(bad_path, copy, len);
        if (qi_segment_open(env, bad_path, &seg, err) != QUARRY_OK) {
            CHECK(err[0] != '\0');
            continue;
        }
        /* reads without verify: errors or data, never a crash */
        exercise(seg);
        if (qi_segment_verify(seg) == QUARRY_OK) {
            verified_ok++;
            if (exercise(seg) != good)
                wrong++;
        } else {
            CHECK(strlen(qi_segment_errmsg(seg)) > 0);
        }
        qi_segment_close(seg);
    }
    /* a flip can only pass verify if it hits no checked byte: none are */
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(verified_ok, 0);

    CHECK(damage_with_checksums(orig, len, bad_path, 4000, &seed) > 2000);

    /* a newer format version is EVERSION, not ECORRUPT */
    memcpy(copy, orig, len);
    copy[8] = 99;
    {
        uint64_t hx = XXH3_64bits(copy, 64);
        memcpy(copy + len - 40 + 24, &hx, 8);
    }
    spit(bad_path, copy, len);
    CHECK_EQ_INT(qi_segment_open(env, bad_path, &seg, err), QUARRY_EVERSION);
    unlink(bad_path);
    free(orig);
    free(copy);
}

/* ---- lazy section checksums -------------------------------------------- */

/* Reads of a segment opened without verify, each through one entry point,
 * with the sections it depends on. Pristine values (term texts, qi_term
 * records for postings) come from the undamaged file, so a probe touches
 * only its own sections. */
enum {
    PR_META,
    PR_FIELD,
    PR_TEXT,
    PR_TOKIDS,
    PR_TOKOFF,
    PR_SPANS,
    PR_WORDS,
    PR_TERM_FIND,
    PR_TERM_SEEK,
    PR_TERM_ITER,
    PR_TERM_TEXT,
    PR_POSTINGS,
    PR_POSITIONS,
    PR_WORD_FIND,
    PR_WORD_AT,
    PR_WORD_TEXT,
    PR_COUNT
};

#define LZ_TERMS 256
#define LZ_DICT (QS_BIT(QS_TERMS) | QS_BIT(QS_TERM_INDEX))
#define LZ_WDICT (QS_BIT(QS_WORDS) | QS_BIT(QS_WORD_INDEX))
#define LZ_DOC QS_BIT(QS_DOCTABLE)

static const struct {
    const char *name;
    uint32_t needs;
} lz_probes[PR_COUNT] = {
    {"doc meta", LZ_DOC | QS_BIT(QS_SOURCES)},
    {"doc field", LZ_DOC | QS_BIT(QS_FIELDS) | QS_BIT(QS_FIELD_NAMES)},
    {"doc text", LZ_DOC | QS_BIT(QS_STORE_INDEX) | QS_BIT(QS_STORE)},
    {"doc tokens",
     LZ_DOC | QS_BIT(QS_TOKENS) | QS_BIT(QS_TOKEN_CODES) | QS_BIT(QS_RANKS)},
    {"doc tokens+offsets", LZ_DOC | QS_BIT(QS_TOKENS) | QS_BIT(QS_TOKEN_CODES) |
                               QS_BIT(QS_RANKS) | QS_BIT(QS_OFFSETS)},
    {"doc spans", LZ_DOC | QS_BIT(QS_STRUCTURE)},
    {"doc words", LZ_DOC | QS_BIT(QS_STRUCTURE) | QS_BIT(QS_WORD_RANKS)},
    {"term find", LZ_DICT},
    {"term seek", LZ_DICT},
    {"term iteration", LZ_DICT},
    {"term text", LZ_DICT},
    {"postings", QS_BIT(QS_POSTINGS)},
    {"positions", QS_BIT(QS_POSTINGS) | LZ_DOC},
    {"word find", LZ_WDICT},
    {"word at", LZ_WDICT},
    {"word text", LZ_WDICT},
};

typedef struct lz_pristine {
    uint64_t docs, nterms, nwords;
    char terms[LZ_TERMS][64];
    qi_term term[LZ_TERMS];
    char words[LZ_TERMS][64];
} lz_pristine;

#define LZ_STEP(call)                                                          \
    do {                                                                       \
        int lz_rc_ = (call);                                                   \
        if (lz_rc_ != QUARRY_OK && lz_rc_ != QUARRY_DONE) {                    \
            rc = lz_rc_;                                                       \
            goto out;                                                          \
        }                                                                      \
        h = h * 31 + (uint64_t)lz_rc_;                                         \
    } while (0)

/* Runs probe k over every document / term; returns the first error (or
 * QUARRY_OK) and a digest of everything read in *digest. */
static int lz_probe(qi_segment *seg, int k, const lz_pristine *pr,
                    uint64_t *digest)
{
    uint64_t h = 7, d, t, pos[512];
    qi_buf text = {0};
    qi_termiter *it = malloc(sizeof *it);
    char buf[QI_MAX_TERM + 1];
    int rc = QUARRY_OK;
    for (d = 0; d < pr->docs; d++) {
        uint32_t ids[512];
        uint64_t s[512], e[512];
        quarry_span sp[512];
        size_t got = 0, i;
        qi_docmeta m;
        quarry_field f;
        memset(ids, 0, sizeof ids);
        memset(s, 0, sizeof s);
        memset(e, 0, sizeof e);
        memset(sp, 0, sizeof sp);
        switch (k) {
        case PR_META:
            LZ_STEP(qi_segment_doc_meta(seg, d, &m));
            h = XXH3_64bits_withSeed(m.source, strlen(m.source), h);
            h = h * 31 + m.tokens + m.text_bytes * 3 + m.sentences * 5 +
                m.paragraphs * 7 + m.words * 11 + m.field_count * 13 +
                m.record + m.hash;
            break;
        case PR_FIELD:
            for (i = 0; i < 2; i++) {
                LZ_STEP(qi_segment_doc_field(seg, d, i, &f));
                h = XXH3_64bits_withSeed(f.name, strlen(f.name), h);
                h = XXH3_64bits_withSeed(f.text, f.text_len, h);
                h = h * 31 + (uint64_t)f.type + (uint64_t)f.value.integer;
            }
            break;
        case PR_TEXT:
            LZ_STEP(qi_segment_doc_text(seg, d, &text));
            h = XXH3_64bits_withSeed(text.data, text.len, h);
            break;
        case PR_TOKIDS:
        case PR_TOKOFF:
            LZ_STEP(qi_segment_doc_tokens(seg, d, 0, 512, ids,
                                          k == PR_TOKOFF ? s : NULL,
                                          k == PR_TOKOFF ? e : NULL, &got));
            h = XXH3_64bits_withSeed(ids, sizeof ids, h + got);
            h = XXH3_64bits_withSeed(s, sizeof s, h);
            h = XXH3_64bits_withSeed(e, sizeof e, h);
            break;
        case PR_SPANS:
            LZ_STEP(qi_segment_doc_spans(seg, d, 0, 0, 256, sp, &got));
            h += got;
            LZ_STEP(qi_segment_doc_spans(seg, d, 1, 0, 256, sp + 256, &got));
            h = XXH3_64bits_withSeed(sp, sizeof sp, h + got);
            break;
        case PR_WORDS:
            LZ_STEP(qi_segment_doc_words(seg, d, 0, 512, sp, ids, &got));
            h = XXH3_64bits_withSeed(sp, sizeof sp, h + got);
            h = XXH3_64bits_withSeed(ids, sizeof ids, h);
            break;
        default: break;
        }
    }
    for (t = 0; t < pr->nterms; t++) {
        const char *tx = pr->terms[t];
        qi_term term;
        qi_postings pl;
        uint64_t ord = 0;
        size_t len = 0;
        switch (k) {
        case PR_TERM_FIND:
            LZ_STEP(qi_segment_term_find(seg, tx, strlen(tx), &term));
            h = h * 31 + term.ordinal + term.doc_freq * 3 + term.coll_freq * 5 +
                term.postings * 7 + term.postings_len;
            break;
        case PR_TERM_SEEK:
            LZ_STEP(qi_segment_term_seek(seg, tx, strlen(tx) - 1, &ord));
            h = h * 31 + ord;
            break;
        case PR_TERM_TEXT:
            LZ_STEP(qi_segment_term_text(seg, t, buf, &len));
            h = XXH3_64bits_withSeed(buf, len, h);
            break;
        case PR_POSTINGS:
        case PR_POSITIONS:
            LZ_STEP(qi_postings_start(&pl, seg, &pr->term[t]));
            while ((rc = qi_postings_next(&pl)) == QUARRY_OK) {
                h = h * 31 + pl.doc * 3 + pl.freq;
                if (k == PR_POSITIONS && pl.freq <= 512) {
                    LZ_STEP(qi_postings_positions(&pl, pos));
                    h = XXH3_64bits_withSeed(pos, pl.freq * 8, h);
                }
            }
            if (rc != QUARRY_DONE)
                goto out;
            rc = QUARRY_OK;
            break;
        default: break;
        }
    }
    if (k == PR_TERM_ITER) {
        LZ_STEP(qi_termiter_start(it, seg, 0));
        while ((rc = qi_termiter_next(it)) == QUARRY_OK)
            h = XXH3_64bits_withSeed(it->text, it->len, h + it->term.doc_freq);
        if (rc != QUARRY_DONE)
            goto out;
        LZ_STEP(qi_termiter_start(it, seg, pr->nterms / 2));
        LZ_STEP(qi_termiter_next(it));
        h = XXH3_64bits_withSeed(it->text, it->len, h);
        rc = QUARRY_OK;
    }
    for (t = 0; t < pr->nwords; t++) {
        const char *tx = pr->words[t];
        qi_term term;
        size_t len = 0;
        switch (k) {
        case PR_WORD_FIND:
            LZ_STEP(qi_segment_word_find(seg, tx, strlen(tx), &term));
            h = h * 31 + term.ordinal + term.doc_freq * 3 + term.coll_freq;
            break;
        case PR_WORD_AT:
            LZ_STEP(qi_segment_word_at(seg, t, &term));
            h = h * 31 + term.ordinal + term.doc_freq * 3 + term.coll_freq;
            break;
        case PR_WORD_TEXT:
            LZ_STEP(qi_segment_word_text(seg, t, buf, &len));
            h = XXH3_64bits_withSeed(buf, len, h);
            break;
        default: break;
        }
    }
out:
    qi_buf_free(env, &text);
    free(it);
    *digest = h;
    return rc;
}

/* Offset and length of section id, from the file's TOC (docs/format.md). */
static void lz_section(const unsigned char *img, size_t len, int id,
                       uint64_t *off, uint64_t *slen)
{
    uint64_t toc_off, toc_len, t;
    memcpy(&toc_off, img + len - 40, 8);
    memcpy(&toc_len, img + len - 32, 8);
    *off = *slen = 0;
    for (t = 0; t < toc_len; t += 32) {
        uint32_t sid;
        memcpy(&sid, img + toc_off + t, 4);
        if ((int)sid == id) {
            memcpy(off, img + toc_off + t + 8, 8);
            memcpy(slen, img + toc_off + t + 16, 8);
        }
    }
}

static void test_lazy_checksums(void)
{
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    qi_segbuild *b;
    qi_segment *seg;
    char path[128], bad_path[128], err[QI_ERRMSG_SIZE];
    unsigned char *orig, *copy;
    size_t len = 0, i;
    int k, id, tested = 0;
    uint64_t good[PR_COUNT];
    lz_pristine *pr = calloc(1, sizeof *pr);
    qi_termiter *it = malloc(sizeof *it);
    const char *texts[5] = {
        "One sentence here. Another one there!\n\nA new paragraph.",
        "新质生产力是推动高质量发展的内在要求。The end of the the text.",
        "Fellow-Citizens of the Senate: among the vicissitudes of life.\n\n"
        "No event could have filled me with greater anxieties.",
        "发展新质生产力。人工智能和数字经济。", "Short."};
    quarry_field f[2] = {{"year", "1999", 4, QUARRY_FIELD_INTEGER, {1999}},
                         {"country", "FRA", 3, QUARRY_FIELD_STRING, {0}}};
    static const char *const sources[5] = {"a.txt", "b.txt", "c.txt", "d.txt",
                                           "e.txt"};

    CHECK_EQ_INT(quarry_tokenizer_new(env, NULL, &tok), QUARRY_OK);
    CHECK_EQ_INT(quarry_tokens_new(env, &toks), QUARRY_OK);
    CHECK_EQ_INT(qi_segbuild_new(env, &b), QUARRY_OK);
    for (i = 0; i < 5; i++) {
        qi_docinput in;
        CHECK_EQ_INT(quarry_tokenize(tok, texts[i], strlen(texts[i]), toks),
                     QUARRY_OK);
        memset(&in, 0, sizeof in);
        in.source = sources[i];
        in.record = i;
        in.fields = f;
        in.field_count = 2;
        in.text = texts[i];
        in.text_len = strlen(texts[i]);
        in.tokens = quarry_tokens_data(toks);
        in.token_count = quarry_tokens_count(toks);
        in.arena = quarry_tokens_arena(toks);
        in.sentences = quarry_tokens_sentences(toks);
        in.sentence_count = quarry_tokens_sentence_count(toks);
        in.paragraphs = quarry_tokens_paragraphs(toks);
        in.paragraph_count = quarry_tokens_paragraph_count(toks);
        in.words = quarry_tokens_words(toks);
        in.word_count = quarry_tokens_word_count(toks);
        CHECK_EQ_INT(qi_segbuild_add(b, &in), QUARRY_OK);
    }
    new_path(path, sizeof path);
    CHECK_EQ_INT(qi_segbuild_write(b, path, 9), QUARRY_OK);
    qi_segbuild_free(b);
    quarry_tokens_free(toks);
    quarry_tokenizer_free(tok);

    /* pristine values, and the states: nothing hashed at open, only the
     * sections a read needs after it, everything after verify */
    CHECK_EQ_INT(qi_segment_open(env, path, &seg, err), QUARRY_OK);
    if (!seg)
        return;
    for (id = 1; id < QS_COUNT; id++)
        CHECK_EQ_INT(seg->sec_state[id], QS_SEC_UNVERIFIED);
    CHECK_EQ_INT(seg->sec_ok, 0);
    pr->docs = seg->doc_count;
    CHECK_EQ_INT(qi_termiter_start(it, seg, 0), QUARRY_OK);
    while (pr->nterms < LZ_TERMS && qi_termiter_next(it) == QUARRY_OK) {
        if (it->len == 0 || it->len >= 64)
            continue;
        memcpy(pr->terms[pr->nterms], it->text, it->len + 1);
        pr->term[pr->nterms++] = it->term;
    }
    CHECK_EQ_INT(seg->sec_ok, LZ_DICT);
    for (id = 1; id < QS_COUNT; id++)
        CHECK_EQ_INT(seg->sec_state[id],
                     (LZ_DICT & QS_BIT(id)) ? QS_SEC_OK : QS_SEC_UNVERIFIED);
    while (pr->nwords < seg->word_count && pr->nwords < LZ_TERMS) {
        size_t wl = 0;
        char buf[QI_MAX_TERM + 1];
        CHECK_EQ_INT(qi_segment_word_text(seg, pr->nwords, buf, &wl),
                     QUARRY_OK);
        CHECK(wl > 0 && wl < 64);
        if (wl == 0 || wl >= 64)
            break;
        memcpy(pr->words[pr->nwords++], buf, wl + 1);
    }
    CHECK(pr->nterms > 30 && pr->nterms == seg->term_count);
    CHECK(pr->nwords > 3 && pr->nwords == seg->word_count);
    for (k = 0; k < PR_COUNT; k++)
        CHECK_EQ_INT(lz_probe(seg, k, pr, &good[k]), QUARRY_OK);
    CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_OK);
    CHECK_EQ_INT(seg->sec_ok, (QS_BIT(QS_COUNT) - 1) & ~1u);
    for (k = 0; k < PR_COUNT; k++) {
        uint64_t h;
        CHECK_EQ_INT(lz_probe(seg, k, pr, &h), QUARRY_OK);
        CHECK(h == good[k]);
    }
    qi_segment_close(seg);

    orig = slurp(path, &len);
    CHECK(orig != NULL && len > 104);
    if (!orig || len <= 104)
        return;
    copy = malloc(len);
    new_path(bad_path, sizeof bad_path);
    /* one flipped bit inside each section in turn: first, middle and last
     * byte. Every read that needs the section fails with ECORRUPT naming
     * the file and the section, now and on later calls through the same
     * segment; every other read still gives the pristine answer. */
    for (id = 1; id < QS_COUNT; id++) {
        uint64_t soff, slen;
        int at;
        const char *name;
        lz_section(orig, len, id, &soff, &slen);
        CHECK(slen > 0);
        if (slen == 0)
            continue;
        tested++;
        for (at = 0; at < 3; at++) {
            uint64_t pos =
                soff + (at == 0 ? 0 : (at == 1 ? slen / 2 : slen - 1));
            memcpy(copy, orig, len);
            copy[pos] ^= (unsigned char)(1u << ((unsigned)(id + at) % 8));
            spit(bad_path, copy, len);
            for (k = 0; k < PR_COUNT; k++) {
                int depends = (lz_probes[k].needs & QS_BIT(id)) != 0, rc;
                uint64_t h = 0;
                CHECK_EQ_INT(qi_segment_open(env, bad_path, &seg, err),
                             QUARRY_OK);
                if (!seg)
                    continue;
                name = qs_section_name(id);
                rc = lz_probe(seg, k, pr, &h);
                if (depends) {
                    const char *msg = qi_segment_errmsg(seg);
                    if (rc != QUARRY_ECORRUPT)
                        fprintf(stderr, "  %s: flip in %s at +%llu: rc %d\n",
                                lz_probes[k].name, name,
                                (unsigned long long)(pos - soff), rc);
                    CHECK_EQ_INT(rc, QUARRY_ECORRUPT);
                    CHECK(strstr(msg, bad_path) != NULL);
                    CHECK(strstr(msg, name) != NULL);
                    /* the section stays corrupt for this segment */
                    CHECK_EQ_INT(lz_probe(seg, k, pr, &h), QUARRY_ECORRUPT);
                    CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_ECORRUPT);
                    CHECK(strstr(qi_segment_errmsg(seg), name) != NULL);
                } else {
                    if (rc != QUARRY_OK || h != good[k])
                        fprintf(stderr, "  %s: flip in %s at +%llu: rc %d%s\n",
                                lz_probes[k].name, name,
                                (unsigned long long)(pos - soff), rc,
                                h != good[k] ? ", different answer" : "");
                    CHECK_EQ_INT(rc, QUARRY_OK);
                    CHECK(h == good[k]);
                }
                qi_segment_close(seg);
            }
            /* all probes through one segment: the damaged section does
             * not disturb the others */
            CHECK_EQ_INT(qi_segment_open(env, bad_path, &seg, err), QUARRY_OK);
            if (!seg)
                continue;
            for (k = 0; k < PR_COUNT; k++) {
                uint64_t h = 0;
                int rc = lz_probe(seg, k, pr, &h);
                if (lz_probes[k].needs & QS_BIT(id))
                    CHECK_EQ_INT(rc, QUARRY_ECORRUPT);
                else
                    CHECK(rc == QUARRY_OK && h == good[k]);
            }
            CHECK_EQ_INT(seg->sec_state[id],
                         id == QS_STORE ? QS_SEC_UNVERIFIED : QS_SEC_CORRUPT);
            CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_ECORRUPT);
            CHECK_EQ_INT(seg->sec_state[id], QS_SEC_CORRUPT);
            qi_segment_close(seg);
        }
    }
    CHECK_EQ_INT(tested, QS_COUNT - 1);
    /* the store's bytes are left to zstd's frame checksums (no hash of the
     * whole store for one document's text): a single-bit flip anywhere in
     * it makes the text read fail, or (bits zstd ignores, such as the
     * frame header's unused bit) leaves every text intact; verify refuses
     * them all */
    {
        uint64_t soff, slen, p;
        int refused = 0, intact = 0, wrong = 0;
        lz_section(orig, len, QS_STORE, &soff, &slen);
        for (p = soff; p < soff + slen; p++) {
            unsigned bit;
            for (bit = 0; bit < 8; bit++) {
                uint64_t h = 0;
                int rc;
                memcpy(copy, orig, len);
                copy[p] ^= (unsigned char)(1u << bit);
                spit(bad_path, copy, len);
                CHECK_EQ_INT(qi_segment_open(env, bad_path, &seg, err),
                             QUARRY_OK);
                if (!seg)
                    continue;
                rc = lz_probe(seg, PR_TEXT, pr, &h);
                if (rc == QUARRY_ECORRUPT)
                    refused++;
                else if (rc == QUARRY_OK && h == good[PR_TEXT])
                    intact++;
                else
                    wrong++;
                CHECK_EQ_INT(qi_segment_verify(seg), QUARRY_ECORRUPT);
                qi_segment_close(seg);
            }
        }
        fprintf(stderr,
                "  store bit flips: %d read errors, %d left the text intact "
                "(verify refused all %d)\n",
                refused, intact, (int)(slen * 8));
        CHECK_EQ_INT(wrong, 0);
        CHECK(refused > 0 && intact <= (int)slen / 8);
    }
    unlink(bad_path);
    free(orig);
    free(copy);
    free(pr);
    free(it);
}

/* ---- allocation failures and size bookkeeping -------------------------- */

/* Fails after a budget of allocations and keeps the byte balance with the
 * sizes the core passes back (lua_Alloc's osize): a wrong size on any free
 * or realloc shows as a balance other than 0 at the end. */
typedef struct acct_ud {
    long budget;
    long long balance;
} acct_ud;

static void *acct_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    acct_ud *a = ud;
    void *p;
    if (nsize == 0) {
        if (ptr)
            a->balance -= (long long)osize;
        free(ptr);
        return NULL;
    }
    if (a->budget-- <= 0)
        return NULL;
    p = realloc(ptr, nsize);
    if (p)
        a->balance += (long long)nsize - (ptr ? (long long)osize : 0);
    return p;
}

/* Builds, writes, opens, verifies and reads a small segment with budget
 * allocations. Returns the first failing status (QUARRY_OK if none);
 * *bad counts outcomes other than OK/ENOMEM, leftover files after a
 * failed write and unbalanced sizes. */
static int oom_run(long budget, long *used, int *bad)
{
    acct_ud a = {1L << 30, 0};
    quarry_env *fenv;
    qi_segbuild *b = NULL;
    qi_segment *seg = NULL;
    char path[128], err[QI_ERRMSG_SIZE];
    int rc, d;
    static const char *const words[] = {"alpha", "beta", "gamma", "alpha",
                                        "delta", "beta", "alpha"};
    quarry_field f = {"year", "2001", 4, QUARRY_FIELD_INTEGER, {2001}};

    if (quarry_env_new(acct_alloc, &a, &fenv) != QUARRY_OK)
        return QUARRY_ENOMEM;
    a.budget = budget;
    new_path(path, sizeof path);
    rc = qi_segbuild_new(fenv, &b);
    for (d = 0; d < 40 && rc == QUARRY_OK; d++) {
        tdoc td;
        qi_docinput in;
        char *big = NULL;
        tdoc_make(&td, words, (size_t)(d % 7) + 1);
        input_from(&in, &td, "src");
        in.fields = &f;
        in.field_count = 1;
        if (d == 20) { /* a stored-text block of its own */
            big = calloc(1, 70000);
            memset(big, 'x', 69999);
            memcpy(big, td.text, td.len);
            in.text = big;
            in.text_len = 69999;
        }
        rc = qi_segbuild_add(b, &in);
        free(big);
        tdoc_free(&td);
    }
    if (rc == QUARRY_OK) {
        rc = qi_segbuild_write(b, path, 1);
        if (rc != QUARRY_OK && access(path, F_OK) == 0)
            (*bad)++; /* a failed write leaves no file */
    }
    qi_segbuild_free(b);
    if (rc == QUARRY_OK)
        rc = qi_segment_open(fenv, path, &seg, err);
    if (rc == QUARRY_OK)
        rc = qi_segment_verify(seg);
    if (rc == QUARRY_OK) {
        qi_buf text = {0};
        rc = qi_segment_doc_text(seg, 20, &text);
        if (rc == QUARRY_OK && text.len != 69999)
            (*bad)++;
        qi_buf_free(fenv, &text);
    }
    qi_segment_close(seg);
    if (rc != QUARRY_OK && rc != QUARRY_ENOMEM)
        (*bad)++;
    quarry_env_free(fenv);
    if (a.balance != 0)
        (*bad)++;
    *used = budget - a.budget;
    return rc;
}

static void test_oom_sweep(void)
{
    long needed = 0, used, budget;
    int bad = 0, completed = 0;
    CHECK_EQ_INT(oom_run(1L << 30, &needed, &bad), QUARRY_OK);
    CHECK_EQ_INT(bad, 0);
    for (budget = 0; budget <= needed; budget++)
        if (oom_run(budget, &used, &bad) == QUARRY_OK)
            completed++;
    CHECK_EQ_INT(bad, 0);
    CHECK(completed >= 1);
}

static void cleanup(void)
{
    int i;
    char p[128];
    for (i = 0; i < file_no; i++) {
        snprintf(p, sizeof p, "%s/seg%d.qs", dir, i);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    strcpy(dir, "/tmp/quarry-seg-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    RUN(test_roundtrip);
    RUN(test_postings_model);
    RUN(test_position_outliers);
    RUN(test_dictionary);
    RUN(test_empty_and_errors);
    RUN(test_corruption);
    RUN(test_damage_multiblock);
    RUN(test_lazy_checksums);
    RUN(test_oom_sweep);
    quarry_env_free(env);
    cleanup();
    return check_summary();
}
