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
#include "field_stats.h"
#include "internal.h"

#include <string.h>

struct quarry_summary {
    quarry_env *env;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    bool cjk_words; /* the word layer is on */
    quarry_summary_totals totals;
    quarry_vocab *words;   /* normalized word forms */
    qi_fieldstats *fields; /* per-field profiles (field_stats.c) */
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
        rc = qi_fieldstats_new(env, &s->fields);
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
    quarry_env *env;
    if (!s)
        return;
    env = s->env;
    qi_fieldstats_free(s->fields);
    quarry_vocab_free(s->words);
    quarry_tokens_free(s->toks);
    quarry_tokenizer_free(s->tok);
    qi_free(env, s, sizeof *s);
}

const char *quarry_summary_errmsg(const quarry_summary *s)
{
    return s ? s->errmsg : "";
}

quarry_tokenizer *quarry_summary_tokenizer(quarry_summary *s)
{
    return s->tok;
}

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
        default: continue; /* punctuation and symbols are not words */
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

static int count_field(quarry_summary *s, const quarry_field *f)
{
    int rc = qi_fieldstats_add(s->fields, f);
    if (rc == QUARRY_EINVAL)
        qi_set_error(s->errmsg,
                     "summary: field without a name or with unknown type %d",
                     f->type);
    else if (rc != QUARRY_OK)
        return nomem(s);
    return rc;
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
        if (!f->name || f->type < QUARRY_FIELD_STRING ||
            f->type > QUARRY_FIELD_DATE) {
            qi_set_error(s->errmsg,
                         "summary: field %zu has no name or an unknown type",
                         i + 1);
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

void quarry_summary_totals_get(const quarry_summary *s,
                               quarry_summary_totals *out)
{
    *out = s->totals;
    out->types = quarry_vocab_size(s->words);
}

size_t quarry_summary_field_count(const quarry_summary *s)
{
    return qi_fieldstats_count(s->fields);
}

int quarry_summary_field_get(const quarry_summary *s, size_t i,
                             quarry_summary_field *out)
{
    return qi_fieldstats_get(s->fields, i, out);
}

const quarry_vocab *quarry_summary_vocab(const quarry_summary *s)
{
    return s->words;
}
