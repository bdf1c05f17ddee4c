/*
 * dict_lint.c - quarry_dict_lint: entries no text can match under a
 * tokenizer (a glob across a token boundary, a word that normalizes to no
 * token) and, as warnings, entries that match nothing in a given index and
 * patterns repeated across categories. docs/dictionaries.md lists the
 * checks.
 */
#include "dict_internal.h"
#include "dict_pattern.h"
#include "index_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct linter {
    quarry_dict *d;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    qi_buf scratch;
} linter;

static int add_issue(quarry_dict *d, size_t entry, int never, const char *fmt,
                     ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int add_issue(quarry_dict *d, size_t entry, int never, const char *fmt,
                     ...)
{
    char msg[QI_ERRMSG_SIZE];
    va_list ap;
    char *copy;
    va_start(ap, fmt);
    qi_vset_error(msg, fmt, ap);
    va_end(ap);
    copy = qi_strndup(d->env, msg, strlen(msg));
    if (!copy || !qi_array_reserve(d->env, (void **)&d->issues, &d->issues_cap,
                                   d->nissues + 1, sizeof *d->issues)) {
        if (copy)
            qi_free(d->env, copy, strlen(copy) + 1);
        qi_set_error(d->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    d->issues[d->nissues].entry = entry;
    d->issues[d->nissues].never_matches = never;
    d->issues[d->nissues].message = copy;
    d->nissues++;
    return QUARRY_OK;
}

static int tokenize(linter *l, const char *s, size_t len, size_t *n)
{
    int rc = quarry_tokenize(l->tok, s, len, l->toks);
    if (rc != QUARRY_OK) {
        qi_set_error(l->d->errmsg, "%s", quarry_tokenizer_errmsg(l->tok));
        return rc;
    }
    *n = quarry_tokens_count(l->toks);
    return QUARRY_OK;
}

/* A glob can match only a single token: it can never match if every way of
 * filling its wildcards gives text the tokenizer splits. The fillers tried
 * ("x", "1" and an empty star) stand for letters, digits and nothing. */
static int lint_glob(linter *l, size_t entry, const char *w, size_t wl,
                     bool *never)
{
    static const char *const fill[] = {"x", "1", ""};
    size_t v, i, n = 0, first_n = 0;
    const qi_dict_entry *e = &l->d->entries[entry];
    for (v = 0; v < 3; v++) {
        int rc;
        l->scratch.len = 0;
        for (i = 0; i < wl; i++) {
            const char *add = w + i;
            size_t alen = 1;
            if (w[i] == '\\' && i + 1 < wl &&
                (w[i + 1] == '*' || w[i + 1] == '?' || w[i + 1] == '\\'))
                add = w + ++i;
            else if (w[i] == '*' || w[i] == '?') {
                add = w[i] == '?' && v == 2 ? "x" : fill[v];
                alen = strlen(add);
            }
            if (!qi_buf_append(l->d->env, &l->scratch, add, alen)) {
                qi_set_error(l->d->errmsg, "out of memory");
                return QUARRY_ENOMEM;
            }
        }
        rc = tokenize(l, l->scratch.data ? l->scratch.data : "", l->scratch.len,
                      &n);
        if (rc != QUARRY_OK)
            return rc;
        if (n == 1)
            return QUARRY_OK;
        if (v == 0)
            first_n = n;
    }
    *never = true;
    return add_issue(l->d, entry, 1,
                     "'%s' (category '%s') can never match: the glob '%.*s' "
                     "spans a token boundary (filled in, it is %zu tokens, "
                     "and a glob matches within one token)",
                     e->pattern, l->d->cats[e->category].name, (int)wl, w,
                     first_n);
}

static int lint_entry(linter *l, size_t entry, bool *never)
{
    const qi_dict_entry *e = &l->d->entries[entry];
    size_t start[QI_DICT_MAX_WORDS], end[QI_DICT_MAX_WORDS], ntok = 0, i;
    size_t nw =
        qi_dict_split_words(e->pattern, e->len, start, end, QI_DICT_MAX_WORDS);
    int rc;
    for (i = 0; i < nw; i++) {
        const char *w = e->pattern + start[i];
        size_t wl = end[i] - start[i], n;
        if (qi_dict_word_is_glob(w, wl)) {
            rc = lint_glob(l, entry, w, wl, never);
            if (rc != QUARRY_OK || *never)
                return rc;
            ntok++;
            continue;
        }
        l->scratch.len = 0;
        if (!qi_buf_reserve(l->d->env, &l->scratch, wl + 1)) {
            qi_set_error(l->d->errmsg, "out of memory");
            return QUARRY_ENOMEM;
        }
        l->scratch.len = qi_dict_unescape(w, wl, l->scratch.data);
        rc = tokenize(l, l->scratch.data, l->scratch.len, &n);
        if (rc != QUARRY_OK)
            return rc;
        ntok += n;
    }
    if (ntok == 0) {
        *never = true;
        return add_issue(l->d, entry, 1,
                         "'%s' (category '%s') can never match: it "
                         "normalizes to no token",
                         e->pattern, l->d->cats[e->category].name);
    }
    if (nw >= QI_DICT_MAX_WORDS || ntok > QI_DICT_MAX_WORDS) {
        *never = true;
        return add_issue(l->d, entry, 1,
                         "'%s' (category '%s') can never match: longer than "
                         "%d tokens",
                         e->pattern, l->d->cats[e->category].name,
                         QI_DICT_MAX_WORDS);
    }
    return QUARRY_OK;
}

static int cmp_pattern(const void *a, const void *b, const quarry_dict *d)
{
    const qi_dict_entry *x = &d->entries[*(const size_t *)a];
    const qi_dict_entry *y = &d->entries[*(const size_t *)b];
    int c = strcmp(x->pattern, y->pattern);
    if (c)
        return c;
    return (*(const size_t *)a > *(const size_t *)b) -
           (*(const size_t *)a < *(const size_t *)b);
}

/* Sorts the entry indexes by pattern (insertion into runs would need a
 * context qsort lacks; a merge sort keeps it O(n log n)). */
static void sort_by_pattern(const quarry_dict *d, size_t *a, size_t *tmp,
                            size_t n)
{
    size_t mid, i, j, k;
    if (n < 2)
        return;
    mid = n / 2;
    sort_by_pattern(d, a, tmp, mid);
    sort_by_pattern(d, a + mid, tmp, n - mid);
    for (i = 0, j = mid, k = 0; k < n; k++)
        tmp[k] = (j >= n || (i < mid && cmp_pattern(&a[i], &a[j], d) <= 0))
                     ? a[i++]
                     : a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static int lint_duplicates(quarry_dict *d)
{
    size_t n = d->nentries, i;
    size_t *order, *tmp;
    int rc = QUARRY_OK;
    if (n < 2)
        return QUARRY_OK;
    order = qi_alloc(d->env, n * sizeof *order);
    tmp = qi_alloc(d->env, n * sizeof *tmp);
    if (!order || !tmp) {
        if (order)
            qi_free(d->env, order, n * sizeof *order);
        if (tmp)
            qi_free(d->env, tmp, n * sizeof *tmp);
        qi_set_error(d->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    for (i = 0; i < n; i++)
        order[i] = i;
    sort_by_pattern(d, order, tmp, n);
    for (i = 1; i < n && rc == QUARRY_OK; i++) {
        const qi_dict_entry *a = &d->entries[order[i - 1]];
        const qi_dict_entry *b = &d->entries[order[i]];
        if (strcmp(a->pattern, b->pattern) == 0)
            rc = add_issue(d, order[i], 0,
                           "'%s' is in category '%s' and also in '%s': a "
                           "match counts for both",
                           b->pattern, d->cats[b->category].name,
                           d->cats[a->category].name);
    }
    qi_free(d->env, order, n * sizeof *order);
    qi_free(d->env, tmp, n * sizeof *tmp);
    return rc;
}

/* Warns about entries that can match in no segment of ix. */
static int lint_index(linter *l, quarry_index *ix, const bool *never)
{
    quarry_dict *d = l->d;
    bool *seen = qi_calloc(d->env, d->nentries + 1, sizeof *seen);
    size_t s, i;
    int rc = QUARRY_OK;
    if (!seen) {
        qi_set_error(d->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    for (s = 0; s < ix->nsegs && rc == QUARRY_OK; s++) {
        qi_dictmatch *m;
        char err[QI_ERRMSG_SIZE];
        rc = qi_dictmatch_new(d->env, d, QUARRY_DICT_ALL, ix->segs[s].seg,
                              l->tok, UINT64_MAX, &m, err);
        if (rc != QUARRY_OK) {
            qi_set_error(d->errmsg, "%s", err);
            break;
        }
        qi_dictmatch_mark_entries(m, seen);
        qi_dictmatch_free(m);
    }
    for (i = 0; i < d->nentries && rc == QUARRY_OK; i++) {
        const qi_dict_entry *e = &d->entries[i];
        if (seen[i] || never[i])
            continue;
        rc = add_issue(d, i, 0,
                       strchr(e->pattern, ' ')
                           ? "'%s' (category '%s') matches nothing in the "
                             "index: one of its words is in no document"
                           : "'%s' (category '%s') matches no term of the "
                             "index",
                       e->pattern, d->cats[e->category].name);
    }
    qi_free(d->env, seen, (d->nentries + 1) * sizeof *seen);
    return rc;
}

static int cmp_issue(const void *a, const void *b)
{
    const quarry_dict_issue *x = a, *y = b;
    if (x->entry != y->entry)
        return (x->entry > y->entry) - (x->entry < y->entry);
    if (x->never_matches != y->never_matches)
        return (x->never_matches < y->never_matches) -
               (x->never_matches > y->never_matches);
    return strcmp(x->message, y->message); /* qsort is not stable */
}

int quarry_dict_lint(quarry_dict *d, const quarry_tokenizer_options *opts,
                     quarry_index *ix, const quarry_dict_issue **issues,
                     size_t *count)
{
    linter l;
    bool *never = NULL;
    size_t i;
    int rc;
    *issues = NULL;
    *count = 0;
    memset(&l, 0, sizeof l);
    l.d = d;
    /* clear the previous lint */
    for (i = 0; i < d->nissues; i++)
        qi_free(d->env, (char *)d->issues[i].message,
                strlen(d->issues[i].message) + 1);
    d->nissues = 0;
    if (ix)
        opts = quarry_index_tokenizer_options(ix);
    rc = quarry_tokenizer_new(d->env, opts, &l.tok);
    if (rc != QUARRY_OK) {
        qi_set_error(d->errmsg, "%s", quarry_env_errmsg(d->env));
        return rc;
    }
    rc = quarry_tokens_new(d->env, &l.toks);
    never = qi_calloc(d->env, d->nentries + 1, sizeof *never);
    if (rc != QUARRY_OK || !never) {
        qi_set_error(d->errmsg, "out of memory");
        rc = QUARRY_ENOMEM;
    }
    for (i = 0; i < d->nentries && rc == QUARRY_OK; i++)
        rc = lint_entry(&l, i, &never[i]);
    if (rc == QUARRY_OK)
        rc = lint_duplicates(d);
    if (rc == QUARRY_OK && ix)
        rc = lint_index(&l, ix, never);
    if (never)
        qi_free(d->env, never, (d->nentries + 1) * sizeof *never);
    qi_buf_free(d->env, &l.scratch);
    quarry_tokens_free(l.toks);
    quarry_tokenizer_free(l.tok);
    if (rc != QUARRY_OK) {
        for (i = 0; i < d->nissues; i++)
            qi_free(d->env, (char *)d->issues[i].message,
                    strlen(d->issues[i].message) + 1);
        d->nissues = 0;
        return rc;
    }
    if (d->nissues > 1)
        qsort(d->issues, d->nissues, sizeof *d->issues, cmp_issue);
    *issues = d->issues;
    *count = d->nissues;
    return QUARRY_OK;
}
