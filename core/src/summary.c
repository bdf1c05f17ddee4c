/*
 * summary.c - the corpus summary behind `quarry stats`: totals, word types
 * and per-field profiles, accumulated one document at a time.
 *
 * Everything is counted in one pass over each document's tokens; the only
 * per-token work is a vocabulary lookup for word tokens, so the summary
 * runs at tokenizer speed. Field names are interned in a vocabulary too, so
 * a corpus with many documents and few fields costs one hash lookup per
 * field per document.
 */
#include "internal.h"

#include <string.h>

typedef struct summary_field {
    int type; /* unified type; -1 until the first value */
    uint64_t count;
    bool has_num, has_date, has_len;
    double num_min, num_max;
    quarry_date date_min, date_max;
    qi_buf date_min_text, date_max_text;
    uint64_t len_min, len_max;
    quarry_vocab *values; /* distinct value texts, up to the cap */
    bool capped;
} summary_field;

struct quarry_summary {
    quarry_env *env;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    bool cjk_words; /* the word layer is on */
    quarry_summary_totals totals;
    quarry_vocab *words;       /* normalized word forms */
    quarry_vocab *field_names; /* id = index into fields */
    summary_field *fields;
    size_t field_cap;
    char errmsg[QI_ERRMSG_SIZE];
};

int quarry_summary_new(quarry_env *env, const quarry_tokenizer_options *opts,
                       quarry_summary **out)
{
    quarry_summary *s;
    int rc;

    *out = NULL;
    s = qi_calloc(env, 1, sizeof *s);
    if (!s) {
        qi_set_error(env->errmsg, "summary: out of memory");
        return QUARRY_ENOMEM;
    }
    s->env = env;
    s->cjk_words = !(opts && (opts->flags & QUARRY_TOK_NO_CJK_WORDS));
    rc = quarry_tokenizer_new(env, opts, &s->tok);
    if (rc != QUARRY_OK)
        goto fail; /* the tokenizer left its message on env */
    rc = quarry_tokens_new(env, &s->toks);
    if (rc == QUARRY_OK)
        rc = quarry_vocab_new(env, &s->words);
    if (rc == QUARRY_OK)
        rc = quarry_vocab_new(env, &s->field_names);
    if (rc != QUARRY_OK) {
        qi_set_error(env->errmsg, "summary: out of memory");
        goto fail;
    }
    *out = s;
    return QUARRY_OK;
fail:
    quarry_summary_free(s);
    return rc;
}

void quarry_summary_free(quarry_summary *s)
{
    size_t i, n;
    quarry_env *env;
    if (!s)
        return;
    env = s->env;
    n = quarry_vocab_size(s->field_names);
    for (i = 0; i < n; i++) {
        qi_buf_free(env, &s->fields[i].date_min_text);
        qi_buf_free(env, &s->fields[i].date_max_text);
        quarry_vocab_free(s->fields[i].values);
    }
    qi_free(env, s->fields, s->field_cap * sizeof *s->fields);
    quarry_vocab_free(s->field_names);
    quarry_vocab_free(s->words);
    quarry_tokens_free(s->toks);
    quarry_tokenizer_free(s->tok);
    qi_free(env, s, sizeof *s);
}

const char *quarry_summary_errmsg(const quarry_summary *s)
{
    return s ? s->errmsg : "";
}

quarry_tokenizer *quarry_summary_tokenizer(quarry_summary *s) { return s->tok; }

static int nomem(quarry_summary *s)
{
    qi_set_error(s->errmsg, "summary: out of memory");
    return QUARRY_ENOMEM;
}

/* Counts the tokens of one text. */
static int count_text(quarry_summary *s, const char *text, size_t len)
{
    const quarry_token *t;
    const quarry_word *w;
    const char *arena;
    size_t n, nw, i, wi = 0;
    int rc;

    rc = quarry_tokenize(s->tok, text, len, s->toks);
    if (rc != QUARRY_OK) {
        qi_set_error(s->errmsg, "summary: %s", quarry_tokenizer_errmsg(s->tok));
        return rc;
    }
    n = quarry_tokens_count(s->toks);
    t = quarry_tokens_data(s->toks);
    arena = quarry_tokens_arena(s->toks);
    nw = s->cjk_words ? quarry_tokens_word_count(s->toks) : 0;
    w = quarry_tokens_words(s->toks);

    for (i = 0; i < n; i++) {
        const char *form;
        size_t form_len;
        switch (t[i].kind) {
        case QUARRY_TOKEN_WORD:
        case QUARRY_TOKEN_NUMBER:
            form = arena + t[i].norm;
            form_len = t[i].norm_len;
            break;
        case QUARRY_TOKEN_CJK:
            /* The word layer is sorted by position: advance past units that
             * end before this token. A token that starts a unit counts the
             * unit; one inside a unit was counted with it; one outside every
             * unit (layer off, or a gap) counts as a word of its own. */
            while (wi < nw && w[wi].end <= i)
                wi++;
            if (wi < nw && w[wi].first <= i) {
                if (w[wi].first != i)
                    continue;
                form = arena + w[wi].norm;
                form_len = w[wi].norm_len;
            } else {
                form = arena + t[i].norm;
                form_len = t[i].norm_len;
            }
            break;
        default:
            continue; /* punctuation and symbols are not words */
        }
        if (quarry_vocab_add(s->words, form, form_len, 1, NULL) != QUARRY_OK)
            return nomem(s);
        s->totals.words++;
    }
    s->totals.tokens += n;
    s->totals.sentences += quarry_tokens_sentence_count(s->toks);
    s->totals.paragraphs += quarry_tokens_paragraph_count(s->toks);
    return QUARRY_OK;
}

static int unify_type(int old, int new_type)
{
    if (old < 0 || old == new_type)
        return new_type;
    if (old == QUARRY_FIELD_STRING || new_type == QUARRY_FIELD_STRING)
        return QUARRY_FIELD_STRING;
    if (old == QUARRY_FIELD_MIXED)
        return QUARRY_FIELD_MIXED;
    if ((old == QUARRY_FIELD_INTEGER || old == QUARRY_FIELD_NUMBER) &&
        (new_type == QUARRY_FIELD_INTEGER || new_type == QUARRY_FIELD_NUMBER))
        return QUARRY_FIELD_NUMBER;
    return QUARRY_FIELD_MIXED; /* a date with a number */
}

/* Orders dates as instants with zones ignored: the reader fills unknown
 * parts with their lowest value, so "2024" sorts before "2024-01-02". */
static int date_cmp(const quarry_date *a, const quarry_date *b)
{
    int64_t ka = ((((int64_t)a->year * 13 + a->month) * 32 + a->day) * 24 +
                  a->hour) * 3600 + a->minute * 60 + a->second;
    int64_t kb = ((((int64_t)b->year * 13 + b->month) * 32 + b->day) * 24 +
                  b->hour) * 3600 + b->minute * 60 + b->second;
    return ka < kb ? -1 : (ka > kb ? 1 : 0);
}

static uint64_t utf8_chars(const char *p, size_t len)
{
    uint64_t n = 0;
    size_t i;
    for (i = 0; i < len; i++)
        n += ((unsigned char)p[i] & 0xC0) != 0x80;
    return n;
}

static bool set_text(quarry_env *env, qi_buf *b, const char *text, size_t len)
{
    b->len = 0;
    return qi_buf_append(env, b, text, len) && qi_buf_terminate(env, b);
}

static int count_field(quarry_summary *s, const quarry_field *f)
{
    uint32_t id;
    summary_field *sf;
    size_t tlen = f->text ? f->text_len : 0;
    const char *text = f->text ? f->text : "";
    uint64_t chars;

    if (!f->name || f->type < QUARRY_FIELD_STRING || f->type > QUARRY_FIELD_DATE) {
        qi_set_error(s->errmsg, "summary: field without a name or with unknown type %d",
                     f->type);
        return QUARRY_EINVAL;
    }
    /* Reserve the field slot before interning the name, so a failure never
     * leaves a name without its slot. */
    {
        size_t need = quarry_vocab_size(s->field_names) + 1;
        size_t old_cap = s->field_cap;
        void *p = s->fields;
        if (!qi_array_reserve(s->env, &p, &s->field_cap, need, sizeof *s->fields))
            return nomem(s);
        s->fields = p;
        if (s->field_cap > old_cap)
            memset(s->fields + old_cap, 0,
                   (s->field_cap - old_cap) * sizeof *s->fields);
    }
    if (quarry_vocab_add(s->field_names, f->name, strlen(f->name), 1, &id) !=
        QUARRY_OK)
        return nomem(s);
    sf = &s->fields[id];
    if (sf->count == 0 && !sf->values) {
        sf->type = -1;
        if (quarry_vocab_new(s->env, &sf->values) != QUARRY_OK)
            return nomem(s);
    }
    sf->type = unify_type(sf->type, f->type);
    sf->count++;

    switch (f->type) {
    case QUARRY_FIELD_INTEGER:
    case QUARRY_FIELD_NUMBER: {
        double x = f->type == QUARRY_FIELD_INTEGER ? (double)f->value.integer
                                                   : f->value.number;
        if (!sf->has_num || x < sf->num_min)
            sf->num_min = x;
        if (!sf->has_num || x > sf->num_max)
            sf->num_max = x;
        sf->has_num = true;
        break;
    }
    case QUARRY_FIELD_DATE:
        if (!sf->has_date || date_cmp(&f->value.date, &sf->date_min) < 0) {
            sf->date_min = f->value.date;
            if (!set_text(s->env, &sf->date_min_text, text, tlen))
                return nomem(s);
        }
        if (!sf->has_date || date_cmp(&f->value.date, &sf->date_max) > 0) {
            sf->date_max = f->value.date;
            if (!set_text(s->env, &sf->date_max_text, text, tlen))
                return nomem(s);
        }
        sf->has_date = true;
        break;
    default:
        break;
    }
    /* Lengths are kept for every value: the unified type can still become
     * STRING, and then the range is the lengths of all values seen. */
    chars = utf8_chars(text, tlen);
    if (!sf->has_len || chars < sf->len_min)
        sf->len_min = chars;
    if (!sf->has_len || chars > sf->len_max)
        sf->len_max = chars;
    sf->has_len = true;

    if (!sf->capped) {
        size_t before = quarry_vocab_size(sf->values);
        if (before >= QUARRY_SUMMARY_DISTINCT_CAP) {
            sf->capped = true;
        } else if (quarry_vocab_add(sf->values, text, tlen, 1, NULL) != QUARRY_OK) {
            return nomem(s);
        }
    }
    return QUARRY_OK;
}

int quarry_summary_add(quarry_summary *s, const quarry_doc *doc)
{
    size_t len = 0, i, n;
    const char *text = quarry_doc_text(doc, &len);
    int rc = count_text(s, text ? text : "", text ? len : 0);
    if (rc != QUARRY_OK)
        return rc;
    n = quarry_doc_field_count(doc);
    for (i = 0; i < n; i++) {
        const quarry_field *f = quarry_doc_field(doc, i);
        if (f && (rc = count_field(s, f)) != QUARRY_OK)
            return rc;
    }
    s->totals.replaced += quarry_doc_replaced(doc);
    s->totals.documents++;
    return QUARRY_OK;
}

int quarry_summary_add_text(quarry_summary *s, const char *text, size_t len,
                            const quarry_field *fields, size_t nfields,
                            uint64_t replaced)
{
    size_t i;
    int rc;
    if (!text)
        len = 0;
    if (len && !quarry_utf8_valid(text, len)) {
        qi_set_error(s->errmsg, "summary: text is not valid UTF-8");
        return QUARRY_EINVAL;
    }
    for (i = 0; i < nfields; i++) {
        const quarry_field *f = &fields[i];
        if (!f->name || f->type < QUARRY_FIELD_STRING || f->type > QUARRY_FIELD_DATE) {
            qi_set_error(s->errmsg,
                         "summary: field %zu has no name or an unknown type", i + 1);
            return QUARRY_EINVAL;
        }
    }
    rc = count_text(s, text ? text : "", len);
    for (i = 0; rc == QUARRY_OK && i < nfields; i++)
        rc = count_field(s, &fields[i]);
    if (rc != QUARRY_OK)
        return rc;
    s->totals.replaced += replaced;
    s->totals.documents++;
    return QUARRY_OK;
}

void quarry_summary_totals_get(const quarry_summary *s, quarry_summary_totals *out)
{
    *out = s->totals;
    out->types = quarry_vocab_size(s->words);
}

size_t quarry_summary_field_count(const quarry_summary *s)
{
    return quarry_vocab_size(s->field_names);
}

int quarry_summary_field_get(const quarry_summary *s, size_t i,
                             quarry_summary_field *out)
{
    const summary_field *sf;
    memset(out, 0, sizeof *out);
    if (i >= quarry_vocab_size(s->field_names))
        return QUARRY_EINVAL;
    sf = &s->fields[i];
    out->name = quarry_vocab_term(s->field_names, (uint32_t)i, NULL);
    out->type = sf->type < 0 ? QUARRY_FIELD_MIXED : sf->type;
    out->count = sf->count;
    out->has_range = sf->count > 0;
    out->num_min = sf->num_min;
    out->num_max = sf->num_max;
    out->date_min = sf->date_min;
    out->date_max = sf->date_max;
    out->date_min_text = sf->date_min_text.data ? sf->date_min_text.data : "";
    out->date_max_text = sf->date_max_text.data ? sf->date_max_text.data : "";
    out->len_min = sf->len_min;
    out->len_max = sf->len_max;
    out->distinct = quarry_vocab_size(sf->values);
    out->distinct_capped = sf->capped;
    return QUARRY_OK;
}

const quarry_vocab *quarry_summary_vocab(const quarry_summary *s)
{
    return s->words;
}
