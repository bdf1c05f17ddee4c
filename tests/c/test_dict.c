/* test_dict.c - dictionaries: every accepted YAML shape, every parse error
 * with its line and column, the entry list (duplicates, white space), the
 * per-segment matcher (phrases, globs, CJK, longest vs all on overlaps,
 * expansion limit) over a two-segment index built here, the query made from
 * a dictionary, the lint, and allocation failures. */
#include "check.h"
#include "dict.h"
#include "index_internal.h"
#include "query.h"
#include "testkit.h"

#include <stdlib.h>
#include <unistd.h>

static quarry_env *env;
static char dir[256];

static quarry_dict *parse_ok(const char *yaml)
{
    quarry_dict *d = NULL;
    size_t line = 9, col = 9;
    int rc = quarry_dict_parse(env, yaml, strlen(yaml), &d, &line, &col);
    CHECK_EQ_INT(rc, QUARRY_OK);
    if (rc != QUARRY_OK)
        fprintf(stderr, "  %s\n", quarry_env_errmsg(env));
    CHECK_EQ_INT(line, 0);
    return d;
}

/* "cat=pattern|..." of every entry. */
static const char *entries_text(const quarry_dict *d)
{
    static char out[2048];
    size_t i, len = 0;
    out[0] = 0;
    for (i = 0; i < quarry_dict_entry_count(d); i++) {
        size_t cat, plen;
        const char *p;
        CHECK_EQ_INT(quarry_dict_entry_get(d, i, &cat, &p, &plen), QUARRY_OK);
        CHECK_EQ_INT(strlen(p), plen);
        len +=
            (size_t)snprintf(out + len, sizeof out - len, "%s%s=%s",
                             len ? "|" : "", quarry_dict_category(d, cat), p);
    }
    return out;
}

static void test_shapes(void)
{
    quarry_dict *d = parse_ok("# a comment\n"
                              "economy:\n"
                              "  - econom*\n"
                              "  - \"tax   cut\"\n"
                              "  - 'new deal'\n"
                              "policy:\n"
                              "  fiscal: [tax, budget]\n"
                              "  monetary:\n"
                              "    rates: [interest rate*]\n"
                              "mixed:\n"
                              "  - alpha\n"
                              "  - sub: [beta]\n"
                              "  - sub2:\n"
                              "      deeper: [gamma]\n"
                              "economy: [trade, econom*, 2020, 'null']\n"
                              "empty: []\n");
    size_t cat, len;
    const char *p;
    if (!d)
        return;
    CHECK_EQ_INT(quarry_dict_category_count(d), 7);
    CHECK_EQ_STR(quarry_dict_category(d, 0), "economy");
    CHECK_EQ_STR(quarry_dict_category(d, 1), "policy.fiscal");
    CHECK_EQ_STR(quarry_dict_category(d, 2), "policy.monetary.rates");
    CHECK_EQ_STR(quarry_dict_category(d, 3), "mixed");
    CHECK_EQ_STR(quarry_dict_category(d, 4), "mixed.sub");
    CHECK_EQ_STR(quarry_dict_category(d, 5), "mixed.sub2.deeper");
    CHECK_EQ_STR(quarry_dict_category(d, 6), "empty");
    CHECK(quarry_dict_category(d, 7) == NULL);
    /* duplicates merge, the repeated econom* is kept once, white space is
     * squeezed, numbers and quoted null are words */
    CHECK_EQ_STR(entries_text(d),
                 "economy=econom*|economy=tax cut|economy=new deal|"
                 "policy.fiscal=tax|policy.fiscal=budget|"
                 "policy.monetary.rates=interest rate*|mixed=alpha|"
                 "mixed.sub=beta|mixed.sub2.deeper=gamma|economy=trade|"
                 "economy=2020|economy=null");
    CHECK_EQ_INT(quarry_dict_entry_get(d, 99, &cat, &p, &len), QUARRY_EINVAL);
    quarry_dict_free(d);

    /* flow style, a document marker, a block scalar */
    d = parse_ok("---\n{a: [x, y], b: {c: [\"z w\"]}}\n...\n");
    if (d) {
        CHECK_EQ_STR(entries_text(d), "a=x|a=y|b.c=z w");
        quarry_dict_free(d);
    }
    d = parse_ok("a:\n  - >-\n    long\n    phrase\n");
    if (d) {
        CHECK_EQ_STR(entries_text(d), "a=long phrase");
        quarry_dict_free(d);
    }
}

/* Parses yaml expecting EPARSE at line:col with a message containing
 * what. */
static void parse_err(const char *yaml, size_t len, size_t line, size_t col,
                      const char *what)
{
    quarry_dict *d = (quarry_dict *)1;
    size_t l = 0, c = 0;
    char prefix[64];
    CHECK_EQ_INT(quarry_dict_parse(env, yaml, len, &d, &l, &c), QUARRY_EPARSE);
    CHECK(d == NULL);
    CHECK_EQ_INT(l, line);
    CHECK_EQ_INT(c, col);
    snprintf(prefix, sizeof prefix, "line %zu, column %zu: ", line, col);
    CHECK(strncmp(quarry_env_errmsg(env), prefix, strlen(prefix)) == 0);
    if (!strstr(quarry_env_errmsg(env), what)) {
        fprintf(stderr, "  message: %s\n  wanted: %s\n", quarry_env_errmsg(env),
                what);
        CHECK(0);
    }
}

#define PERR(s, l, c, w) parse_err(s, sizeof s - 1, l, c, w)

static void test_errors(void)
{
    quarry_dict *d = NULL;
    PERR("econ: [a]\ntax: 3\n", 2, 6,
         "category 'tax' must be a list of patterns or a mapping of "
         "subcategories, got a number");
    PERR("tax: cut\n", 1, 6, "got a single string");
    PERR("tax:\n", 1, 5, "got nothing (null)");
    PERR("tax: true\n", 1, 6, "got a boolean");
    PERR("- a\n- b\n", 1, 1, "top level must be a mapping");
    PERR("hello\n", 1, 1, "top level must be a mapping");
    PERR("", 1, 1, "the file is empty");
    PERR("# only a comment\n", 2, 1, "the file is empty");
    PERR("a:\n  - x\n  - \"\"\n", 3, 5, "empty pattern in category 'a'");
    PERR("a:\n  - x\n  -\n", 3, 4, "empty pattern in category 'a'");
    PERR("a: [x, ~]\n", 1, 8, "empty pattern in category 'a' (quote it");
    PERR("a: [x, '  ']\n", 1, 8, "empty pattern in category 'a'");
    PERR("a: ['*']\n", 1, 5, "would match every token");
    PERR("a: &x [b]\nc: *x\n", 1, 4, "anchors (&x) are not supported");
    PERR("a: [b]\nc: *x\n", 2, 4, "alias");
    PERR("a: [b, [c]]\n", 1, 8,
         "a pattern of category 'a' must be a string, "
         "got a list");
    PERR("a:\n  - s: [x]\n    t: [y]\n", 3, 5, "must have a single key");
    PERR("a:\n  - {}\n", 2, 5, "empty mapping");
    PERR("[a]: [b]\n", 1, 1, "a category name must be a string, got a list");
    PERR("'': [b]\n", 1, 1, "empty category name");
    PERR("a: [b]\n---\nc: [d]\n", 2, 1, "one YAML document");
    PERR("a: [caf\xc3\xa9, x\xff]\n", 1, 13, "invalid UTF-8 (byte 0xFF)");
    PERR("\xc3\xa9t\xc3\xa9: [x]\nb: [\xc3\xa9, 1\n", 3, 1, "");
    PERR("a:\n\t- b\n", 2, 1, "tabs");
    PERR("a: 'unterminated\n", 2, 1, "quoted scalar");
    /* a pattern's NUL inside a quoted escape */
    PERR("a: [\"x\\0y\"]\n", 1, 5, "NUL");
    /* nesting is bounded */
    {
        char deep[1024];
        size_t i, n = 0;
        for (i = 0; i < 70; i++)
            n += (size_t)snprintf(deep + n, sizeof deep - n, "{k: ");
        n += (size_t)snprintf(deep + n, sizeof deep - n, "[x]");
        for (i = 0; i < 70; i++)
            deep[n++] = '}';
        deep[n] = 0;
        parse_err(deep, n, 1, 4 * 65 + 1 - 0, "nested deeper than 64");
    }
    /* line and column may be NULL */
    CHECK_EQ_INT(quarry_dict_parse(env, "x", 1, &d, NULL, NULL), QUARRY_EPARSE);
    CHECK_EQ_INT(quarry_dict_load(env, "/nonexistent/dict.yml", &d, NULL, NULL),
                 QUARRY_ENOENT);
    CHECK(d == NULL);
    CHECK(strstr(quarry_env_errmsg(env), "/nonexistent/dict.yml") != NULL);
}

static void test_add(void)
{
    quarry_dict *d = NULL;
    CHECK_EQ_INT(quarry_dict_new(env, &d), QUARRY_OK);
    CHECK_EQ_INT(quarry_dict_add(d, "c", "  tax \t cut ", 12), QUARRY_OK);
    CHECK_EQ_INT(quarry_dict_add(d, "c", "tax cut", 7), QUARRY_OK);
    CHECK_EQ_INT(quarry_dict_add(d, "d", "tax cut", 7), QUARRY_OK);
    CHECK_EQ_INT(quarry_dict_add(d, "c", "  ", 2), QUARRY_EINVAL);
    CHECK(strstr(quarry_dict_errmsg(d), "empty pattern") != NULL);
    CHECK_EQ_INT(quarry_dict_add(d, "e", "x\xff", 2), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dict_add(d, "", "x", 1), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dict_add(d, "f", "**", 2), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dict_add(d, "f", "the *", 5), QUARRY_OK);
    /* rejected adds created no category */
    CHECK_EQ_INT(quarry_dict_category_count(d), 3);
    CHECK_EQ_STR(entries_text(d), "c=tax cut|d=tax cut|f=the *");
    quarry_dict_free(d);
}

static void add(quarry_writer *w, const char *source, const char *text)
{
    quarry_doc *doc = NULL;
    CHECK_EQ_INT(
        quarry_doc_new(env, source, 0, text, strlen(text), NULL, 0, &doc),
        QUARRY_OK);
    CHECK_EQ_INT(quarry_writer_add(w, doc, NULL), QUARRY_OK);
}

static void build(void)
{
    quarry_writer *w = NULL;
    quarry_writer_options o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    add(w, "a",
        "New quality productive forces matter. The new quality of tax cuts "
        "and taxation.");
    add(w, "b", "U.S. tax policy: 新质生产力 and the U.S. economy.");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
    /* a second commit: a second segment */
    CHECK_EQ_INT(quarry_writer_open(env, dir, &o, &w), QUARRY_OK);
    add(w, "c", "Taxes, tax cuts, tax cut! New-York economy economic *.");
    CHECK_EQ_INT(quarry_writer_commit(w, NULL), QUARRY_OK);
    quarry_writer_free(w);
}

/* Runs d over every document of ix; writes "src:first-end:cat ..." (one
 * group per document, separated by "; ") into out. Returns the status of
 * the first failing compile, message in err. */
static int run_dict(quarry_index *ix, const quarry_dict *d, int mode,
                    uint64_t max_expansion, char *out, size_t size, char *err,
                    char *anchors)
{
    quarry_tokenizer *tok = NULL;
    size_t s, len = 0, alen = 0;
    int rc = QUARRY_OK;
    out[0] = 0;
    if (anchors)
        anchors[0] = 0;
    CHECK_EQ_INT(
        quarry_tokenizer_new(env, quarry_index_tokenizer_options(ix), &tok),
        QUARRY_OK);
    for (s = 0; s < ix->nsegs && rc == QUARRY_OK; s++) {
        qi_dictmatch *m = NULL;
        qi_segment_stats st;
        uint64_t doc;
        rc = qi_dictmatch_new(env, d, mode, ix->segs[s].seg, tok, max_expansion,
                              &m, err);
        if (rc != QUARRY_OK) {
            CHECK(m == NULL);
            break;
        }
        if (anchors) {
            size_t n, i;
            const uint64_t *a = qi_dictmatch_anchors(m, &n);
            for (i = 0; i < n; i++) {
                char term[QI_MAX_TERM + 1];
                size_t tl;
                CHECK(i == 0 || a[i] > a[i - 1]);
                CHECK_EQ_INT(
                    qi_segment_term_text(ix->segs[s].seg, a[i], term, &tl),
                    QUARRY_OK);
                alen += (size_t)snprintf(anchors + alen, 512 - alen, "%s%.*s",
                                         i ? " " : "", (int)tl, term);
            }
            alen += (size_t)snprintf(anchors + alen, 512 - alen, ";");
        }
        qi_segment_stats_get(ix->segs[s].seg, &st);
        for (doc = 0; doc < st.doc_count; doc++) {
            uint32_t ids[256];
            size_t got = 0, i, nh = 0, cap = 0;
            qi_docmeta meta;
            qi_dicthit *hits = NULL;
            CHECK_EQ_INT(qi_segment_doc_meta(ix->segs[s].seg, doc, &meta),
                         QUARRY_OK);
            CHECK_EQ_INT(qi_segment_doc_tokens(ix->segs[s].seg, doc, 0, 256,
                                               ids, NULL, NULL, &got),
                         QUARRY_OK);
            CHECK_EQ_INT(qi_dictmatch_doc(m, ids, got, &hits, &nh, &cap),
                         QUARRY_OK);
            len += (size_t)snprintf(out + len, size - len,
                                    "%s%s:", len ? "; " : "", meta.source);
            for (i = 0; i < nh; i++)
                len += (size_t)snprintf(out + len, size - len, " %d-%d:%u",
                                        (int)hits[i].first, (int)hits[i].end,
                                        hits[i].category);
            free(hits);
        }
        qi_dictmatch_free(m);
    }
    quarry_tokenizer_free(tok);
    return rc;
}

static const char *const overlap_yaml = "econ: [econom*, tax cut*]\n"
                                        "fiscal: [tax, tax cuts, taxation]\n"
                                        "quality:\n"
                                        "  - new quality productive forces\n"
                                        "  - new quality\n"
                                        "  - 新质生产力\n"
                                        "country: [U.S.]\n";

static void test_match(void)
{
    quarry_index *ix = NULL;
    quarry_dict *d;
    quarry_index_info info;
    char out[2048], err[QI_ERRMSG_SIZE], anchors[512];
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_info_get(ix, &info), QUARRY_OK);
    CHECK_EQ_INT(info.segments, 2);
    d = parse_ok(overlap_yaml);
    if (!d) {
        quarry_index_free(ix);
        return;
    }
    /* Tokens (hand-counted):
     * a: new0 quality1 productive2 forces3 matter4 .5 the6 new7 quality8
     *    of9 tax10 cuts11 and12 taxation13 .14
     * b: u.s0 .1 tax2 policy3 :4 新5 质6 生7 产8 力9 and10 the11 u.s12 .13
     *    economy14 .15
     * c: taxes0 ,1 tax2 cuts3 ,4 tax5 cut6 !7 new-york8 economy9
     *    economic10 *11 .12
     * categories: econ 0, fiscal 1, quality 2, country 3 */
    CHECK_EQ_INT(
        run_dict(ix, d, QUARRY_DICT_LONGEST, 0, out, sizeof out, err, anchors),
        QUARRY_OK);
    CHECK_EQ_STR(out, "a: 0-4:2 7-9:2 10-12:0 10-12:1 13-14:1; "
                      "b: 0-2:3 2-3:1 5-10:2 12-14:3 14-15:0; "
                      "c: 2-4:0 2-4:1 5-7:0 9-10:0 10-11:0");
    /* first words, sorted by term, per segment */
    CHECK_EQ_STR(anchors, "economy new tax taxation u.s 新;"
                          "economic economy tax;");
    CHECK_EQ_INT(
        run_dict(ix, d, QUARRY_DICT_ALL, 0, out, sizeof out, err, NULL),
        QUARRY_OK);
    CHECK_EQ_STR(out, "a: 0-2:2 0-4:2 7-9:2 10-11:1 10-12:0 10-12:1 13-14:1; "
                      "b: 0-2:3 2-3:1 5-10:2 12-14:3 14-15:0; "
                      "c: 2-3:1 2-4:0 2-4:1 5-6:1 5-7:0 9-10:0 10-11:0");
    /* econom* is economy in the first segment, economy + economic in the
     * second: a limit of 1 fails there, naming the entry */
    CHECK_EQ_INT(
        run_dict(ix, d, QUARRY_DICT_LONGEST, 1, out, sizeof out, err, NULL),
        QUARRY_ELIMIT);
    CHECK(strstr(err, "'econom*' (category 'econ')") != NULL);
    CHECK(strstr(err, "more than 1 terms") != NULL);
    quarry_dict_free(d);

    /* ? is one character, \* a literal star, case folds in globs too */
    d = parse_ok("q: [TAX?, 'NEW-*', '\\*', 't?x', 'ta*es']\n");
    if (d) {
        CHECK_EQ_INT(
            run_dict(ix, d, QUARRY_DICT_LONGEST, 0, out, sizeof out, err, NULL),
            QUARRY_OK);
        CHECK_EQ_STR(out, "a: 10-11:0; b: 2-3:0; "
                          "c: 0-1:0 2-3:0 5-6:0 8-9:0 11-12:0");
        quarry_dict_free(d);
    }
    /* an entry whose word is absent from a segment is dropped there only;
     * an empty dictionary matches nothing */
    d = parse_ok("x: [cut, zebra]\ny: []\n");
    if (d) {
        CHECK_EQ_INT(
            run_dict(ix, d, QUARRY_DICT_ALL, 0, out, sizeof out, err, anchors),
            QUARRY_OK);
        CHECK_EQ_STR(out, "a:; b:; c: 6-7:0");
        CHECK_EQ_STR(anchors, ";cut;");
        quarry_dict_free(d);
    }
    quarry_index_free(ix);
}

static void test_query(void)
{
    quarry_dict *d = parse_ok("a: [x, y]\nb: [z]\n");
    quarry_dict *empty = NULL;
    quarry_query *q = NULL;
    if (!d)
        return;
    CHECK_EQ_INT(quarry_query_from_dict(env, d, 7, &q), QUARRY_EINVAL);
    CHECK(q == NULL);
    CHECK_EQ_INT(quarry_dict_new(env, &empty), QUARRY_OK);
    CHECK_EQ_INT(quarry_query_from_dict(env, empty, QUARRY_DICT_ALL, &q),
                 QUARRY_EINVAL);
    CHECK(strstr(quarry_env_errmsg(env), "no entries") != NULL);
    quarry_dict_free(empty);
    CHECK_EQ_INT(quarry_query_from_dict(env, d, QUARRY_DICT_ALL, &q),
                 QUARRY_OK);
    quarry_dict_free(d); /* the query holds its own copy */
    if (!q)
        return;
    CHECK_EQ_STR(quarry_query_text(q), "dictionary (2 categories, 3 entries)");
    CHECK_EQ_INT(q->root->kind, QN_DICT);
    CHECK_EQ_INT(q->root->dict_mode, QUARRY_DICT_ALL);
    CHECK_EQ_STR(entries_text(q->root->dict), "a=x|a=y|b=z");
    quarry_query_free(q);
}

/* "entry:never:message" of every issue, one per line. */
static const char *lint_text(quarry_dict *d, const quarry_tokenizer_options *o,
                             quarry_index *ix)
{
    static char out[4096];
    const quarry_dict_issue *is = NULL;
    size_t n = 0, i, len = 0;
    out[0] = 0;
    CHECK_EQ_INT(quarry_dict_lint(d, o, ix, &is, &n), QUARRY_OK);
    for (i = 0; i < n; i++)
        len +=
            (size_t)snprintf(out + len, sizeof out - len, "%zu:%d:%s\n",
                             is[i].entry, is[i].never_matches, is[i].message);
    return out;
}

static void test_lint(void)
{
    quarry_tokenizer_options split;
    quarry_index *ix = NULL;
    quarry_dict *d = parse_ok("a: [new-*, tax.*, econom*, \"\\u200b\", U.S.]\n"
                              "b: [tax, tax cut, zebra, tax zebra]\n"
                              "c: [tax]\n");
    if (!d)
        return;
    /* default options: new-* is fine (hyphenated words stay whole) */
    CHECK_EQ_STR(lint_text(d, NULL, NULL),
                 "1:1:'tax.*' (category 'a') can never match: the glob "
                 "'tax.*' spans a token boundary (filled in, it is 3 tokens, "
                 "and a glob matches within one token)\n"
                 "3:1:'\xe2\x80\x8b' (category 'a') can never match: it "
                 "normalizes to no token\n"
                 "9:0:'tax' is in category 'c' and also in 'b': a match "
                 "counts for both\n");
    memset(&split, 0, sizeof split);
    split.flags = QUARRY_TOK_SPLIT_HYPHENS;
    CHECK(strstr(lint_text(d, &split, NULL),
                 "0:1:'new-*' (category 'a') can never match: the glob "
                 "'new-*' spans a token boundary") != NULL);
    /* against the index: its options (the defaults) replace the ones
     * given, so new-* is fine and matches new-york; absent words warn */
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_STR(lint_text(d, &split, ix),
                 "1:1:'tax.*' (category 'a') can never match: the glob "
                 "'tax.*' spans a token boundary (filled in, it is 3 tokens, "
                 "and a glob matches within one token)\n"
                 "3:1:'\xe2\x80\x8b' (category 'a') can never match: it "
                 "normalizes to no token\n"
                 "7:0:'zebra' (category 'b') matches no term of the index\n"
                 "8:0:'tax zebra' (category 'b') matches nothing in the "
                 "index: one of its words is in no document\n"
                 "9:0:'tax' is in category 'c' and also in 'b': a match "
                 "counts for both\n");
    quarry_index_free(ix);
    quarry_dict_free(d);
}

static tk_fail fail = {-1, 0};

static void test_allocation_failures(void)
{
    quarry_env *e = NULL;
    quarry_index *ix = NULL;
    quarry_tokenizer *tok = NULL;
    long b;
    int parsed = 0, matched = 0, linted = 0, queried = 0;
    CHECK_EQ_INT(quarry_env_new(tk_failing_alloc, &fail, &e), QUARRY_OK);
    CHECK_EQ_INT(quarry_index_open(env, dir, &ix), QUARRY_OK);
    CHECK_EQ_INT(quarry_tokenizer_new(env, NULL, &tok), QUARRY_OK);
    for (b = 0; b < 400 && !(parsed && matched && linted && queried); b++) {
        quarry_dict *d = NULL;
        quarry_query *q = NULL;
        qi_dictmatch *m = NULL;
        char err[QI_ERRMSG_SIZE];
        int rc;
        fail.budget = b;
        rc = quarry_dict_parse(e, overlap_yaml, strlen(overlap_yaml), &d, NULL,
                               NULL);
        fail.budget = -1;
        if (rc != QUARRY_OK) {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            CHECK(d == NULL);
            continue;
        }
        parsed = 1;
        fail.budget = b;
        rc = qi_dictmatch_new(e, d, QUARRY_DICT_LONGEST, ix->segs[0].seg, tok,
                              0, &m, err);
        fail.budget = -1;
        if (rc == QUARRY_OK) {
            uint32_t ids[64];
            size_t got = 0, nh = 0, cap = 0;
            qi_dicthit *hits = NULL;
            matched = 1;
            CHECK_EQ_INT(qi_segment_doc_tokens(ix->segs[0].seg, 0, 0, 64, ids,
                                               NULL, NULL, &got),
                         QUARRY_OK);
            /* no memory for the scratch of a position or the hits */
            fail.budget = 0;
            CHECK_EQ_INT(qi_dictmatch_doc(m, ids, got, &hits, &nh, &cap),
                         QUARRY_ENOMEM);
            fail.budget = -1;
            free(hits);
            hits = NULL;
            nh = cap = 0;
            CHECK_EQ_INT(qi_dictmatch_doc(m, ids, got, &hits, &nh, &cap),
                         QUARRY_OK);
            CHECK_EQ_INT(nh, 5);
            free(hits);
            qi_dictmatch_free(m);
        } else {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            CHECK(m == NULL);
        }
        {
            const quarry_dict_issue *is;
            size_t n;
            fail.budget = b;
            rc = quarry_dict_lint(d, NULL, NULL, &is, &n);
            fail.budget = -1;
            if (rc == QUARRY_OK)
                linted = 1;
            else
                CHECK(rc == QUARRY_ENOMEM || rc == QUARRY_EINVAL);
        }
        fail.budget = b;
        rc = quarry_query_from_dict(e, d, QUARRY_DICT_LONGEST, &q);
        fail.budget = -1;
        if (rc == QUARRY_OK) {
            queried = 1;
            quarry_query_free(q);
        } else {
            CHECK_EQ_INT(rc, QUARRY_ENOMEM);
            CHECK(q == NULL);
        }
        quarry_dict_free(d);
    }
    CHECK(parsed && matched && linted && queried);
    quarry_tokenizer_free(tok);
    quarry_index_free(ix);
    quarry_env_free(e);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 1;
    snprintf(dir, sizeof dir, "%s/quarry-test-dict-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    strcat(dir, "/ix");
    build();
    RUN(test_shapes);
    RUN(test_errors);
    RUN(test_add);
    RUN(test_match);
    RUN(test_query);
    RUN(test_lint);
    RUN(test_allocation_failures);
    tk_rm_rf(dir);
    *strrchr(dir, '/') = 0;
    rmdir(dir);
    quarry_env_free(env);
    return check_summary();
}
