/*
 * statements.c - dated statements: the sentences of documents that mention
 * a date, with the key terms they contain, as a timeline (quarry.h, "Dates
 * in text and dated statements"; docs/dates.md).
 *
 * Dates are found over a document's whole text, not sentence by sentence,
 * so that a year given earlier in the text reaches "On March 5" later on.
 * Each date then belongs to the sentence it starts in; a date running over
 * a sentence end (a breaker may end a sentence after "Sept.") joins the
 * sentences it spans into one statement.
 *
 * Raw texts and indexed documents go through the same code: both are seen
 * as token byte spans plus a way to test a token against a key-term word
 * (its normalized form for raw text, its term id for an index).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* One word of a key term, compiled for the tokens it will be tested on. */
typedef struct term_word {
    size_t norm; /* raw text: offset of the normalized form in word_text */
    size_t norm_len;
    bool prefix;     /* "innovat*": the last word matches by prefix */
    uint32_t lo, hi; /* index: the term ids it matches, [lo, hi) */
} term_word;

typedef struct term_plan {
    size_t first; /* its words: words[first, first + count) */
    size_t count; /* 0: the term can never match */
} term_plan;

typedef struct record {
    uint64_t doc, start, end;
    size_t text_off, text_len;
    size_t date;                   /* index into dates */
    size_t first_date, date_count; /* the sentence's dates */
    size_t first_term, term_count; /* into term_hits */
    int64_t key;                   /* chronological sort key of the date */
    uint64_t seq;                  /* order of addition */
} record;

/* The tokens of the document being processed. */
typedef struct doc_view {
    size_t ntok;
    const uint64_t *starts, *ends;
    const quarry_token *toks; /* raw text: norms in arena */
    const char *arena;
    const uint32_t *ids; /* index: term ids (NULL without key terms) */
    bool index;
} doc_view;

struct quarry_statements {
    quarry_env *env;
    char errmsg[QI_ERRMSG_SIZE];
    quarry_dates_options dates;
    char **terms;
    size_t *term_lens;
    size_t term_count;
    int each_date, require_terms;
    char *date_field;
    size_t date_field_len;

    record *records;
    size_t nrecords, records_cap;
    quarry_text_date *all_dates;
    size_t ndates, dates_cap;
    uint32_t *term_hits;
    size_t nterm_hits, term_hits_cap;
    qi_buf texts; /* sentence texts */
    uint64_t next_seq;

    /* scratch, reused from document to document */
    quarry_tokens *toks, *term_toks;
    quarry_date_list found;
    qi_buf doc_text;
    uint64_t *starts, *ends;
    uint32_t *ids;
    size_t starts_cap, ends_cap, ids_cap;
    quarry_span *spans;
    size_t spans_cap;
    uint64_t *hits;
    size_t nhits, hits_cap;
    term_word *words;
    size_t nwords, words_cap;
    term_plan *plans; /* term_count entries */
    qi_buf word_text;
};

static int fail(quarry_statements *st, int rc, const char *what)
{
    if (rc == QUARRY_ENOMEM)
        qi_set_error(st->errmsg, "statements: out of memory");
    else
        qi_set_error(st->errmsg, "statements: %s", what);
    return rc;
}

/* ---- life cycle --------------------------------------------------------- */

void quarry_statements_free(quarry_statements *st)
{
    quarry_env *env;
    size_t i;
    if (!st)
        return;
    env = st->env;
    for (i = 0; i < st->term_count; i++)
        qi_free(env, st->terms[i], st->term_lens[i] + 1); /* NULL-safe */
    qi_free(env, st->terms, st->term_count * sizeof *st->terms);
    qi_free(env, st->term_lens, st->term_count * sizeof *st->term_lens);
    qi_free(env, st->plans, st->term_count * sizeof *st->plans);
    if (st->date_field)
        qi_free(env, st->date_field, st->date_field_len + 1);
    qi_free(env, st->records, st->records_cap * sizeof *st->records);
    qi_free(env, st->all_dates, st->dates_cap * sizeof *st->all_dates);
    qi_free(env, st->term_hits, st->term_hits_cap * sizeof *st->term_hits);
    qi_buf_free(env, &st->texts);
    quarry_tokens_free(st->toks);
    quarry_tokens_free(st->term_toks);
    quarry_date_list_free(env, &st->found);
    qi_buf_free(env, &st->doc_text);
    qi_free(env, st->starts, st->starts_cap * sizeof *st->starts);
    qi_free(env, st->ends, st->ends_cap * sizeof *st->ends);
    qi_free(env, st->ids, st->ids_cap * sizeof *st->ids);
    qi_free(env, st->spans, st->spans_cap * sizeof *st->spans);
    qi_free(env, st->hits, st->hits_cap * sizeof *st->hits);
    qi_free(env, st->words, st->words_cap * sizeof *st->words);
    qi_buf_free(env, &st->word_text);
    qi_free(env, st, sizeof *st);
}

int quarry_statements_new(quarry_env *env,
                          const quarry_statements_options *opts,
                          quarry_statements **out)
{
    quarry_statements *st;
    quarry_date_list probe;
    size_t i;
    int rc;
    if (!env || !out)
        return QUARRY_EINVAL;
    *out = NULL;
    if (opts && opts->term_count && !opts->terms) {
        qi_set_error(env->errmsg, "statements: terms is NULL");
        return QUARRY_EINVAL;
    }
    for (i = 0; opts && i < opts->term_count; i++) {
        if (!opts->terms[i] || !opts->terms[i][0] ||
            !quarry_utf8_valid(opts->terms[i], strlen(opts->terms[i]))) {
            qi_set_error(env->errmsg,
                         "statements: key term %zu is empty or not UTF-8",
                         i + 1);
            return QUARRY_EINVAL;
        }
    }
    /* the date options are checked by the recognizer itself */
    memset(&probe, 0, sizeof probe);
    rc = quarry_dates_find(env, "", 0, opts ? &opts->dates : NULL, &probe);
    quarry_date_list_free(env, &probe);
    if (rc != QUARRY_OK)
        return rc;
    st = qi_calloc(env, 1, sizeof *st);
    if (!st)
        goto nomem;
    st->env = env;
    if (opts) {
        st->dates = opts->dates;
        st->each_date = opts->each_date;
        st->require_terms = opts->require_terms;
        if (opts->date_field) {
            st->date_field_len = strlen(opts->date_field);
            st->date_field =
                qi_strndup(env, opts->date_field, st->date_field_len);
            if (!st->date_field)
                goto nomem;
        }
        if (opts->term_count) {
            st->terms = qi_calloc(env, opts->term_count, sizeof *st->terms);
            st->term_lens =
                qi_calloc(env, opts->term_count, sizeof *st->term_lens);
            st->plans = qi_calloc(env, opts->term_count, sizeof *st->plans);
            if (!st->terms || !st->term_lens || !st->plans) {
                /* term_count stays 0 until the arrays exist */
                qi_free(env, st->terms, opts->term_count * sizeof *st->terms);
                qi_free(env, st->term_lens,
                        opts->term_count * sizeof *st->term_lens);
                qi_free(env, st->plans, opts->term_count * sizeof *st->plans);
                st->terms = NULL;
                st->term_lens = NULL;
                st->plans = NULL;
                goto nomem;
            }
            st->term_count = opts->term_count;
            for (i = 0; i < opts->term_count; i++) {
                st->term_lens[i] = strlen(opts->terms[i]);
                st->terms[i] =
                    qi_strndup(env, opts->terms[i], st->term_lens[i]);
                if (!st->terms[i])
                    goto nomem;
            }
        }
    }
    *out = st;
    return QUARRY_OK;
nomem:
    quarry_statements_free(st);
    qi_set_error(env->errmsg, "statements: out of memory");
    return QUARRY_ENOMEM;
}

const char *quarry_statements_errmsg(const quarry_statements *st)
{
    return st ? st->errmsg : "";
}

size_t quarry_statements_count(const quarry_statements *st)
{
    return st ? st->nrecords : 0;
}

int quarry_statements_get(const quarry_statements *st, size_t i,
                          quarry_statement *out)
{
    const record *r;
    if (!st || !out || i >= st->nrecords)
        return QUARRY_EINVAL;
    r = &st->records[i];
    out->doc = r->doc;
    out->start = r->start;
    out->end = r->end;
    out->text = st->texts.data + r->text_off;
    out->text_len = r->text_len;
    out->date = &st->all_dates[r->date];
    out->dates = &st->all_dates[r->first_date];
    out->date_count = r->date_count;
    out->terms = r->term_count ? &st->term_hits[r->first_term] : NULL;
    out->term_count = r->term_count;
    return QUARRY_OK;
}

static int compare_by_date(const void *a, const void *b)
{
    const record *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int compare_by_position(const void *a, const void *b)
{
    const record *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int quarry_statements_sort(quarry_statements *st, int order)
{
    if (!st)
        return QUARRY_EINVAL;
    if (order != QUARRY_STATEMENTS_BY_DATE &&
        order != QUARRY_STATEMENTS_BY_POSITION) {
        qi_set_error(st->errmsg, "statements: unknown order %d", order);
        return QUARRY_EINVAL;
    }
    if (st->nrecords > 1)
        qsort(st->records, st->nrecords, sizeof *st->records,
              order == QUARRY_STATEMENTS_BY_DATE ? compare_by_date
                                                 : compare_by_position);
    return QUARRY_OK;
}

/* ---- key terms ---------------------------------------------------------- */

/* Splits off a final '*' (a prefix term) and tokenizes the rest with tok
 * into st->term_toks. */
static int tokenize_term(quarry_statements *st, quarry_tokenizer *tok, size_t t,
                         bool *prefix)
{
    size_t len = st->term_lens[t];
    int rc;
    *prefix = len > 0 && st->terms[t][len - 1] == '*';
    if (*prefix)
        len--;
    if (!st->term_toks && (rc = quarry_tokens_new(st->env, &st->term_toks)))
        return fail(st, rc, "");
    rc = quarry_tokenize(tok, st->terms[t], len, st->term_toks);
    if (rc != QUARRY_OK) {
        qi_set_error(st->errmsg, "statements: key term \"%s\": %s",
                     st->terms[t], quarry_tokenizer_errmsg(tok));
        return rc;
    }
    return QUARRY_OK;
}

static bool push_word(quarry_statements *st, const term_word *w)
{
    if (!qi_array_reserve(st->env, (void **)&st->words, &st->words_cap,
                          st->nwords + 1, sizeof *st->words))
        return false;
    st->words[st->nwords++] = *w;
    return true;
}

/* Compiles the key terms for raw text tokenized by tok: words by their
 * normalized forms. */
static int compile_terms_text(quarry_statements *st, quarry_tokenizer *tok)
{
    size_t t, i;
    int rc;
    st->nwords = 0;
    st->word_text.len = 0;
    for (t = 0; t < st->term_count; t++) {
        const quarry_token *k;
        const char *arena;
        bool prefix;
        size_t n;
        if ((rc = tokenize_term(st, tok, t, &prefix)) != QUARRY_OK)
            return rc;
        n = quarry_tokens_count(st->term_toks);
        k = quarry_tokens_data(st->term_toks);
        arena = quarry_tokens_arena(st->term_toks);
        st->plans[t].first = st->nwords;
        st->plans[t].count = n;
        for (i = 0; i < n; i++) {
            term_word w;
            memset(&w, 0, sizeof w);
            w.norm = st->word_text.len;
            w.norm_len = k[i].norm_len;
            w.prefix = prefix && i + 1 == n;
            if (!qi_buf_append(st->env, &st->word_text, arena + k[i].norm,
                               k[i].norm_len) ||
                !push_word(st, &w))
                return fail(st, QUARRY_ENOMEM, "");
        }
    }
    return QUARRY_OK;
}

/* Compiles the key terms for documents of ix: words by term-id ranges. */
static int compile_terms_index(quarry_statements *st, quarry_index *ix)
{
    quarry_tokenizer *tok = NULL;
    size_t t, i;
    int rc = QUARRY_OK;
    st->nwords = 0;
    if (st->term_count == 0)
        return QUARRY_OK;
    rc =
        quarry_tokenizer_new(st->env, quarry_index_tokenizer_options(ix), &tok);
    if (rc != QUARRY_OK) {
        qi_set_error(st->errmsg, "statements: %s", quarry_env_errmsg(st->env));
        return rc;
    }
    for (t = 0; t < st->term_count && rc == QUARRY_OK; t++) {
        const quarry_token *k;
        const char *arena;
        bool prefix;
        size_t n;
        if ((rc = tokenize_term(st, tok, t, &prefix)) != QUARRY_OK)
            break;
        n = quarry_tokens_count(st->term_toks);
        k = quarry_tokens_data(st->term_toks);
        arena = quarry_tokens_arena(st->term_toks);
        st->plans[t].first = st->nwords;
        st->plans[t].count = n;
        for (i = 0; i < n && rc == QUARRY_OK; i++) {
            term_word w;
            const char *norm = arena + k[i].norm;
            memset(&w, 0, sizeof w);
            if (prefix && i + 1 == n) {
                /* terms are UTF-8, so none has a 0xFF byte: every term
                   starting with norm sorts before norm + "\xff" */
                char *upper = qi_alloc(st->env, k[i].norm_len + 1);
                if (!upper) {
                    rc = fail(st, QUARRY_ENOMEM, "");
                    break;
                }
                memcpy(upper, norm, k[i].norm_len);
                upper[k[i].norm_len] = (char)0xFF;
                w.lo = quarry_index_term_seek(ix, norm, k[i].norm_len);
                w.hi = quarry_index_term_seek(ix, upper, k[i].norm_len + 1);
                qi_free(st->env, upper, k[i].norm_len + 1);
            } else {
                uint32_t id;
                int found = quarry_index_term_lookup(ix, norm, k[i].norm_len,
                                                     &id, NULL, NULL);
                if (found == QUARRY_OK) {
                    w.lo = id;
                    w.hi = id + 1;
                } else if (found != QUARRY_DONE) {
                    qi_set_error(st->errmsg, "statements: %s",
                                 quarry_index_errmsg(ix));
                    rc = found;
                    break;
                }
            }
            if (!push_word(st, &w))
                rc = fail(st, QUARRY_ENOMEM, "");
        }
    }
    quarry_tokenizer_free(tok);
    return rc;
}

static bool word_matches(const quarry_statements *st, const doc_view *v,
                         size_t i, const term_word *w)
{
    const char *norm, *want;
    size_t len;
    if (v->index)
        return v->ids[i] >= w->lo && v->ids[i] < w->hi;
    norm = v->arena + v->toks[i].norm;
    len = v->toks[i].norm_len;
    want = st->word_text.data + w->norm;
    if (w->prefix)
        return len >= w->norm_len && memcmp(norm, want, w->norm_len) == 0;
    return len == w->norm_len && memcmp(norm, want, len) == 0;
}

static bool term_in(const quarry_statements *st, const doc_view *v,
                    size_t first, size_t end, const term_plan *p)
{
    size_t i, k;
    if (p->count == 0 || end - first < p->count)
        return false;
    for (i = first; i + p->count <= end; i++) {
        for (k = 0; k < p->count; k++)
            if (!word_matches(st, v, i + k, &st->words[p->first + k]))
                break;
        if (k == p->count)
            return true;
    }
    return false;
}

/* ---- sentences ---------------------------------------------------------- */

static bool is_cjk(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF00 && cp <= 0xFFEF) || cp >= 0x20000;
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* The code point ending just before p (text[0, p) is valid UTF-8). */
static uint32_t cp_before(const unsigned char *s, size_t p)
{
    size_t q = p;
    uint32_t cp = 0;
    while (q > 0 && p - q < 4) {
        q--;
        if ((s[q] & 0xC0) != 0x80)
            break;
    }
    if (q < p && qi_utf8_decode(s + q, p - q, &cp) == p - q)
        return cp;
    return 0;
}

/* Appends text[start, end) with every run of white space as one space, or
 * as nothing when it is a line break between two CJK characters (a
 * wrapped Chinese line). */
static bool append_sentence(quarry_statements *st, const char *text,
                            size_t start, size_t end)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t p = start;
    while (p < end) {
        size_t q = p;
        bool newline = false;
        while (q < end && is_blank(s[q])) {
            newline |= s[q] == '\n' || s[q] == '\r';
            q++;
        }
        if (q > p) {
            uint32_t before = cp_before(s, p), after = 0;
            if (q < end)
                qi_utf8_decode(s + q, end - q, &after);
            if (!(newline && is_cjk(before) && is_cjk(after)) &&
                !qi_buf_push(st->env, &st->texts, ' '))
                return false;
            p = q;
            continue;
        }
        while (q < end && !is_blank(s[q]))
            q++;
        if (!qi_buf_append(st->env, &st->texts, s + p, q - p))
            return false;
        p = q;
    }
    return true;
}

static int64_t date_key(const quarry_text_date *d)
{
    int64_t k = (int64_t)d->date.year * 10000;
    if (d->date.precision >= QUARRY_DATE_MONTH)
        k += d->date.month * 100;
    if (d->date.precision >= QUARRY_DATE_DAY)
        k += d->date.day;
    return k;
}

/* Adds the statement of one sentence: its dates are found[d0, d1). */
static int add_statement(quarry_statements *st, const doc_view *v, uint64_t doc,
                         const char *text, size_t s_first, size_t s_end,
                         size_t d0, size_t d1)
{
    size_t t, k, first_date = st->ndates, first_term = st->nterm_hits;
    size_t start = v->starts[s_first], end = v->ends[s_end - 1];
    size_t text_off = st->texts.len, nrec;
    for (t = 0; t < st->term_count; t++) {
        if (!term_in(st, v, s_first, s_end, &st->plans[t]))
            continue;
        if (!qi_array_reserve(st->env, (void **)&st->term_hits,
                              &st->term_hits_cap, st->nterm_hits + 1,
                              sizeof *st->term_hits))
            return fail(st, QUARRY_ENOMEM, "");
        st->term_hits[st->nterm_hits++] = (uint32_t)t;
    }
    if (st->require_terms && st->nterm_hits == first_term)
        return QUARRY_OK;
    if (!qi_array_reserve(st->env, (void **)&st->all_dates, &st->dates_cap,
                          st->ndates + (d1 - d0), sizeof *st->all_dates))
        return fail(st, QUARRY_ENOMEM, "");
    memcpy(st->all_dates + st->ndates, st->found.items + d0,
           (d1 - d0) * sizeof *st->all_dates);
    st->ndates += d1 - d0;
    if (!append_sentence(st, text, start, end))
        return fail(st, QUARRY_ENOMEM, "");
    nrec = st->each_date ? d1 - d0 : 1;
    if (!qi_array_reserve(st->env, (void **)&st->records, &st->records_cap,
                          st->nrecords + nrec, sizeof *st->records))
        return fail(st, QUARRY_ENOMEM, "");
    for (k = 0; k < nrec; k++) {
        record *r = &st->records[st->nrecords++];
        r->doc = doc;
        r->start = start;
        r->end = end;
        r->text_off = text_off;
        r->text_len = st->texts.len - text_off;
        r->date = first_date + k;
        r->first_date = first_date;
        r->date_count = d1 - d0;
        r->first_term = first_term;
        r->term_count = st->nterm_hits - first_term;
        r->key = date_key(&st->all_dates[r->date]);
        r->seq = st->next_seq++;
    }
    return QUARRY_OK;
}

/* Finds the dates of one document and adds its dated sentences. hits (NULL
 * when no query selects sentences) are the first tokens of the query's hits
 * in the document, ascending. */
static int add_document(quarry_statements *st, const doc_view *v, uint64_t doc,
                        const char *text, size_t len, const quarry_span *spans,
                        size_t nspans, const quarry_date *reference,
                        const uint64_t *hits, size_t nhits)
{
    quarry_dates_options o = st->dates;
    size_t si, di = 0, hi = 0;
    int rc;
    if (reference)
        o.reference = *reference;
    if (o.reference.precision &&
        (o.reference.year < 1000 || o.reference.year > 2999))
        memset(&o.reference, 0, sizeof o.reference);
    rc = quarry_dates_find(st->env, text, len, &o, &st->found);
    if (rc != QUARRY_OK) {
        qi_set_error(st->errmsg, "%s", quarry_env_errmsg(st->env));
        return rc;
    }
    for (si = 0; si < nspans && di < st->found.count; si++) {
        size_t first = spans[si].first, end = spans[si].end, d0;
        uint64_t s_end;
        bool keep = true;
        if (end <= first || end > v->ntok)
            continue;
        s_end = v->ends[end - 1];
        if (st->found.items[di].start >= s_end)
            continue;
        d0 = di;
        while (di < st->found.count && st->found.items[di].start < s_end) {
            while (st->found.items[di].end > s_end && si + 1 < nspans &&
                   spans[si + 1].end > spans[si + 1].first &&
                   spans[si + 1].end <= v->ntok) {
                si++;
                end = spans[si].end;
                s_end = v->ends[end - 1];
            }
            di++;
        }
        if (hits) {
            while (hi < nhits && hits[hi] < first)
                hi++;
            keep = hi < nhits && hits[hi] < end;
        }
        if (keep &&
            (rc = add_statement(st, v, doc, text, first, end, d0, di)) != 0)
            return rc;
    }
    return QUARRY_OK;
}

/* ---- raw text ----------------------------------------------------------- */

static bool reserve_tokens(quarry_statements *st, size_t n, bool ids)
{
    if (!qi_array_reserve(st->env, (void **)&st->starts, &st->starts_cap, n,
                          sizeof *st->starts) ||
        !qi_array_reserve(st->env, (void **)&st->ends, &st->ends_cap, n,
                          sizeof *st->ends))
        return false;
    return !ids || qi_array_reserve(st->env, (void **)&st->ids, &st->ids_cap, n,
                                    sizeof *st->ids);
}

int quarry_statements_add_text(quarry_statements *st, quarry_tokenizer *tok,
                               uint64_t doc, const char *text, size_t len,
                               const quarry_date *reference)
{
    const quarry_token *t;
    doc_view v;
    size_t i, n;
    int rc;
    if (!st || !tok || (!text && len))
        return QUARRY_EINVAL;
    if ((rc = compile_terms_text(st, tok)) != QUARRY_OK)
        return rc;
    if (!st->toks && (rc = quarry_tokens_new(st->env, &st->toks)))
        return fail(st, rc, "");
    rc = quarry_tokenize(tok, text ? text : "", len, st->toks);
    if (rc != QUARRY_OK) {
        qi_set_error(st->errmsg, "statements: %s",
                     quarry_tokenizer_errmsg(tok));
        return rc;
    }
    n = quarry_tokens_count(st->toks);
    t = quarry_tokens_data(st->toks);
    if (!reserve_tokens(st, n, false))
        return fail(st, QUARRY_ENOMEM, "");
    for (i = 0; i < n; i++) {
        st->starts[i] = t[i].start;
        st->ends[i] = t[i].end;
    }
    memset(&v, 0, sizeof v);
    v.ntok = n;
    v.starts = st->starts;
    v.ends = st->ends;
    v.toks = t;
    v.arena = quarry_tokens_arena(st->toks);
    return add_document(
        st, &v, doc, text, len, quarry_tokens_sentences(st->toks),
        quarry_tokens_sentence_count(st->toks), reference, NULL, 0);
}

/* ---- index -------------------------------------------------------------- */

static int index_fail(quarry_statements *st, quarry_index *ix, int rc)
{
    if (rc == QUARRY_ENOMEM)
        return fail(st, rc, "");
    qi_set_error(st->errmsg, "statements: %s", quarry_index_errmsg(ix));
    return rc;
}

/* The reference date of document id from its date field: a date, or a
 * year given as a number. */
static int field_reference(quarry_statements *st, quarry_index *ix, uint64_t id,
                           size_t nfields, quarry_date *out, bool *has)
{
    size_t i;
    *has = false;
    for (i = 0; i < nfields; i++) {
        quarry_field f;
        int rc = quarry_index_doc_field(ix, id, i, &f);
        if (rc != QUARRY_OK)
            return index_fail(st, ix, rc);
        if (strcmp(f.name, st->date_field) != 0)
            continue;
        memset(out, 0, sizeof *out);
        if (f.type == QUARRY_FIELD_DATE) {
            *out = f.value.date;
            *has = true;
        } else if (f.type == QUARRY_FIELD_INTEGER && f.value.integer >= 1000 &&
                   f.value.integer <= 2999) {
            out->year = (int32_t)f.value.integer;
            out->month = out->day = 1;
            out->precision = QUARRY_DATE_YEAR;
            *has = true;
        }
        break;
    }
    return QUARRY_OK;
}

typedef struct hit_reader {
    quarry_search *search;
    uint64_t docs[256], firsts[256];
    size_t n, i;
    bool done;
} hit_reader;

/* Collects into st->hits the first tokens of the hits in document id (the
 * search runs in document order, so earlier documents' hits are passed). */
static int hits_of(quarry_statements *st, hit_reader *h, uint64_t id)
{
    st->nhits = 0;
    for (;;) {
        if (h->i == h->n) {
            int rc;
            if (h->done)
                return QUARRY_OK;
            rc = quarry_search_next(h->search, 256, h->docs, h->firsts, NULL,
                                    NULL, &h->n);
            h->i = 0;
            if (rc == QUARRY_DONE) {
                h->done = true;
                h->n = 0;
                return QUARRY_OK;
            }
            if (rc != QUARRY_OK) {
                qi_set_error(st->errmsg, "statements: %s",
                             quarry_search_errmsg(h->search));
                return rc;
            }
        }
        if (h->docs[h->i] > id)
            return QUARRY_OK;
        if (h->docs[h->i] == id) {
            if (!qi_array_reserve(st->env, (void **)&st->hits, &st->hits_cap,
                                  st->nhits + 1, sizeof *st->hits))
                return fail(st, QUARRY_ENOMEM, "");
            st->hits[st->nhits++] = h->firsts[h->i];
        }
        h->i++;
    }
}

static int add_index_doc(quarry_statements *st, quarry_index *ix, uint64_t id,
                         hit_reader *h)
{
    quarry_index_doc info;
    quarry_date ref;
    bool has_ref = false;
    const char *text;
    size_t len, got;
    doc_view v;
    int rc;
    if (h) {
        if ((rc = hits_of(st, h, id)) != QUARRY_OK)
            return rc;
        if (st->nhits == 0)
            return QUARRY_OK;
    }
    if ((rc = quarry_index_doc_get(ix, id, &info)) != QUARRY_OK)
        return index_fail(st, ix, rc);
    if (st->date_field && !st->dates.reference.precision &&
        (rc = field_reference(st, ix, id, info.field_count, &ref, &has_ref)) !=
            QUARRY_OK)
        return rc;
    /* the text is borrowed only until the next call on ix */
    if ((rc = quarry_index_doc_text(ix, id, &text, &len)) != QUARRY_OK)
        return index_fail(st, ix, rc);
    st->doc_text.len = 0;
    if (!qi_buf_append(st->env, &st->doc_text, text, len) ||
        !qi_buf_terminate(st->env, &st->doc_text))
        return fail(st, QUARRY_ENOMEM, "");
    if (info.tokens > SIZE_MAX / sizeof(uint64_t) ||
        info.sentences > SIZE_MAX / sizeof(quarry_span))
        return fail(st, QUARRY_ENOMEM, "");
    if (!reserve_tokens(st, (size_t)info.tokens, st->nwords > 0) ||
        !qi_array_reserve(st->env, (void **)&st->spans, &st->spans_cap,
                          (size_t)info.sentences, sizeof *st->spans))
        return fail(st, QUARRY_ENOMEM, "");
    rc = quarry_index_doc_tokens(ix, id, 0, (size_t)info.tokens,
                                 st->nwords > 0 ? st->ids : NULL, st->starts,
                                 st->ends, &got);
    if (rc != QUARRY_OK)
        return index_fail(st, ix, rc);
    memset(&v, 0, sizeof v);
    v.ntok = got;
    v.starts = st->starts;
    v.ends = st->ends;
    v.ids = st->nwords > 0 ? st->ids : NULL;
    v.index = true;
    rc = quarry_index_doc_spans(ix, id, 0, 0, (size_t)info.sentences, st->spans,
                                &got);
    if (rc != QUARRY_OK)
        return index_fail(st, ix, rc);
    return add_document(st, &v, id, st->doc_text.data, st->doc_text.len,
                        st->spans, got, has_ref ? &ref : NULL,
                        h ? st->hits : NULL, st->nhits);
}

int quarry_statements_add_index(quarry_statements *st, quarry_index *ix,
                                const quarry_subcorpus *sc,
                                const quarry_query *query)
{
    hit_reader *h = NULL;
    uint64_t id, limit;
    int rc;
    if (!st || !ix)
        return QUARRY_EINVAL;
    if ((rc = compile_terms_index(st, ix)) != QUARRY_OK)
        return rc;
    if (query) {
        h = qi_calloc(st->env, 1, sizeof *h);
        if (!h)
            return fail(st, QUARRY_ENOMEM, "");
        rc = quarry_search_new(st->env, ix, query, NULL, &h->search, NULL);
        if (rc != QUARRY_OK) {
            qi_set_error(st->errmsg, "statements: %s",
                         quarry_env_errmsg(st->env));
            qi_free(st->env, h, sizeof *h);
            return rc;
        }
    }
    limit = quarry_index_doc_limit(ix);
    rc = QUARRY_OK;
    for (id = quarry_subcorpus_next(sc, 0); id < limit && rc == QUARRY_OK;
         id = quarry_subcorpus_next(sc, id + 1)) {
        if (!sc && !quarry_index_doc_live(ix, id))
            continue;
        rc = add_index_doc(st, ix, id, h);
    }
    if (h) {
        quarry_search_free(h->search);
        qi_free(st->env, h, sizeof *h);
    }
    return rc;
}
