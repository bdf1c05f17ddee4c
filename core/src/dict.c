/*
 * dict.c - the dictionary object: categories and entries in order, with
 * duplicates within a category dropped (a hash set over (category,
 * pattern)), its private copies for query nodes, and the query built from it.
 * Loading YAML is in dict_yaml.c, matching in dict_match.c, lint in
 * dict_lint.c; the format is documented in docs/dictionaries.md.
 */
#include "dict_internal.h"
#include "query.h"

#include <stdio.h>
#include <string.h>

static uint64_t entry_hash(size_t category, const char *s, size_t len)
{
    /* FNV-1a, seeded by the category so equal patterns of different
     * categories spread */
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)category;
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int quarry_dict_new(quarry_env *env, quarry_dict **out)
{
    quarry_dict *d;
    *out = NULL;
    d = qi_calloc(env, 1, sizeof *d);
    if (!d) {
        qi_set_error(env->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    d->env = env;
    *out = d;
    return QUARRY_OK;
}

static void free_issues(quarry_dict *d)
{
    size_t i;
    for (i = 0; i < d->nissues; i++)
        qi_free(d->env, (char *)d->issues[i].message,
                strlen(d->issues[i].message) + 1);
    if (d->issues)
        qi_free(d->env, d->issues, d->issues_cap * sizeof *d->issues);
    d->issues = NULL;
    d->nissues = d->issues_cap = 0;
}

void quarry_dict_free(quarry_dict *d)
{
    size_t i;
    quarry_env *env;
    if (!d)
        return;
    env = d->env;
    free_issues(d);
    for (i = 0; i < d->ncats; i++)
        qi_free(env, d->cats[i].name, d->cats[i].len + 1);
    if (d->cats)
        qi_free(env, d->cats, d->cats_cap * sizeof *d->cats);
    for (i = 0; i < d->nentries; i++)
        qi_free(env, d->entries[i].pattern, d->entries[i].len + 1);
    if (d->entries)
        qi_free(env, d->entries, d->entries_cap * sizeof *d->entries);
    if (d->set)
        qi_free(env, d->set, d->set_cap * sizeof *d->set);
    qi_free(env, d, sizeof *d);
}

const char *quarry_dict_errmsg(const quarry_dict *d)
{
    return d ? d->errmsg : "";
}

size_t quarry_dict_category_count(const quarry_dict *d)
{
    return d->ncats;
}

const char *quarry_dict_category(const quarry_dict *d, size_t i)
{
    return i < d->ncats ? d->cats[i].name : NULL;
}

size_t quarry_dict_entry_count(const quarry_dict *d)
{
    return d->nentries;
}

int quarry_dict_entry_get(const quarry_dict *d, size_t i, size_t *category,
                          const char **pattern, size_t *len)
{
    if (i >= d->nentries)
        return QUARRY_EINVAL;
    if (category)
        *category = d->entries[i].category;
    if (pattern)
        *pattern = d->entries[i].pattern;
    if (len)
        *len = d->entries[i].len;
    return QUARRY_OK;
}

int qi_dict_category_index(quarry_dict *d, const char *name, size_t len,
                           size_t *out)
{
    size_t i;
    qi_dict_category *c;
    /* categories are few (tens); a scan is simpler than a second table */
    for (i = 0; i < d->ncats; i++) {
        if (d->cats[i].len == len && memcmp(d->cats[i].name, name, len) == 0) {
            *out = i;
            return QUARRY_OK;
        }
    }
    if (d->ncats >= UINT32_MAX) {
        qi_set_error(d->errmsg, "too many categories");
        return QUARRY_ELIMIT;
    }
    if (!qi_array_reserve(d->env, (void **)&d->cats, &d->cats_cap, d->ncats + 1,
                          sizeof *d->cats)) {
        qi_set_error(d->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    c = &d->cats[d->ncats];
    c->name = qi_strndup(d->env, name, len);
    if (!c->name) {
        qi_set_error(d->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    c->len = len;
    *out = d->ncats++;
    return QUARRY_OK;
}

static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Writes s with runs of ASCII white space made one space and the ends
 * trimmed into out (len + 1 bytes); returns the new length. Words are split
 * on the same white space by the matcher, so "tax  cut" and "tax cut" are
 * one entry. */
static size_t squeeze_spaces(const char *s, size_t len, char *out)
{
    size_t i, n = 0;
    bool gap = false;
    for (i = 0; i < len; i++) {
        if (is_ascii_space(s[i])) {
            gap = n > 0;
            continue;
        }
        if (gap)
            out[n++] = ' ';
        gap = false;
        out[n++] = s[i];
    }
    out[n] = '\0';
    return n;
}

static bool set_grow(quarry_dict *d)
{
    size_t cap = d->set_cap ? d->set_cap * 2 : 64, i;
    size_t *set = qi_alloc(d->env, cap * sizeof *set);
    if (!set)
        return false;
    for (i = 0; i < cap; i++)
        set[i] = SIZE_MAX;
    for (i = 0; i < d->nentries; i++) {
        const qi_dict_entry *e = &d->entries[i];
        size_t h = (size_t)entry_hash(e->category, e->pattern, e->len);
        while (set[h & (cap - 1)] != SIZE_MAX)
            h++;
        set[h & (cap - 1)] = i;
    }
    if (d->set)
        qi_free(d->env, d->set, d->set_cap * sizeof *d->set);
    d->set = set;
    d->set_cap = cap;
    return true;
}

int qi_dict_add_entry(quarry_dict *d, size_t category, const char *pattern,
                      size_t len)
{
    char *p;
    size_t n, h;
    qi_dict_entry *e;
    if (!quarry_utf8_valid(pattern, len)) {
        qi_set_error(d->errmsg, "pattern is not valid UTF-8");
        return QUARRY_EINVAL;
    }
    p = qi_alloc(d->env, len + 1);
    if (!p) {
        qi_set_error(d->errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    n = squeeze_spaces(pattern, len, p);
    if (n == 0) {
        qi_free(d->env, p, len + 1);
        qi_set_error(d->errmsg, "empty pattern");
        return QUARRY_EINVAL;
    }
    if (strspn(p, "*") == n) {
        qi_free(d->env, p, len + 1);
        qi_set_error(d->errmsg, "the pattern '*' would match every token");
        return QUARRY_EINVAL;
    }
    if (n < len) {
        char *q = qi_realloc(d->env, p, len + 1, n + 1);
        if (!q) {
            qi_free(d->env, p, len + 1);
            qi_set_error(d->errmsg, "out of memory");
            return QUARRY_ENOMEM;
        }
        p = q;
    }
    if ((d->nentries + 1) * 2 > d->set_cap && !set_grow(d))
        goto nomem;
    h = (size_t)entry_hash(category, p, n);
    for (;; h++) {
        size_t at = d->set[h & (d->set_cap - 1)];
        if (at == SIZE_MAX)
            break;
        e = &d->entries[at];
        if (e->category == category && e->len == n &&
            memcmp(e->pattern, p, n) == 0) {
            qi_free(d->env, p, n + 1);
            return QUARRY_OK; /* kept once */
        }
    }
    if (!qi_array_reserve(d->env, (void **)&d->entries, &d->entries_cap,
                          d->nentries + 1, sizeof *d->entries))
        goto nomem;
    e = &d->entries[d->nentries];
    e->category = category;
    e->pattern = p;
    e->len = n;
    d->set[h & (d->set_cap - 1)] = d->nentries++;
    return QUARRY_OK;
nomem:
    qi_free(d->env, p, n + 1);
    qi_set_error(d->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

int quarry_dict_add(quarry_dict *d, const char *category, const char *pattern,
                    size_t len)
{
    size_t cat, clen = category ? strlen(category) : 0;
    int rc;
    if (clen == 0) {
        qi_set_error(d->errmsg, "empty category name");
        return QUARRY_EINVAL;
    }
    if (!quarry_utf8_valid(category, clen)) {
        qi_set_error(d->errmsg, "category name is not valid UTF-8");
        return QUARRY_EINVAL;
    }
    if (!pattern && len > 0) {
        qi_set_error(d->errmsg, "empty pattern");
        return QUARRY_EINVAL;
    }
    /* check the pattern before creating the category, so a rejected add
     * leaves d as it was */
    if (!quarry_utf8_valid(pattern ? pattern : "", len)) {
        qi_set_error(d->errmsg, "pattern is not valid UTF-8");
        return QUARRY_EINVAL;
    }
    {
        size_t i, words = 0;
        bool stars = true, gap = true;
        for (i = 0; i < len; i++) {
            bool space = is_ascii_space(pattern[i]);
            words += gap && !space;
            gap = space;
            stars = stars && (space || pattern[i] == '*');
        }
        if (words == 0) {
            qi_set_error(d->errmsg, "empty pattern");
            return QUARRY_EINVAL;
        }
        if (words == 1 && stars) {
            qi_set_error(d->errmsg, "the pattern '*' would match every token");
            return QUARRY_EINVAL;
        }
    }
    rc = qi_dict_category_index(d, category, clen, &cat);
    if (rc != QUARRY_OK)
        return rc;
    return qi_dict_add_entry(d, cat, pattern, len);
}

int qi_dict_clone(quarry_env *env, const quarry_dict *d, quarry_dict **out)
{
    quarry_dict *c;
    size_t i, cat;
    int rc = quarry_dict_new(env, &c);
    *out = NULL;
    if (rc != QUARRY_OK)
        return rc;
    for (i = 0; i < d->ncats && rc == QUARRY_OK; i++)
        rc = qi_dict_category_index(c, d->cats[i].name, d->cats[i].len, &cat);
    for (i = 0; i < d->nentries && rc == QUARRY_OK; i++)
        rc = qi_dict_add_entry(c, d->entries[i].category, d->entries[i].pattern,
                               d->entries[i].len);
    if (rc != QUARRY_OK) {
        qi_set_error(env->errmsg, "%s", c->errmsg);
        quarry_dict_free(c);
        return rc;
    }
    *out = c;
    return QUARRY_OK;
}

int quarry_query_from_dict(quarry_env *env, const quarry_dict *d, int mode,
                           quarry_query **out)
{
    quarry_query *q;
    qi_qnode *root;
    char text[96];
    int n, rc;
    *out = NULL;
    if (mode != QUARRY_DICT_LONGEST && mode != QUARRY_DICT_ALL) {
        qi_set_error(env->errmsg, "unknown dictionary mode %d", mode);
        return QUARRY_EINVAL;
    }
    if (d->nentries == 0) {
        qi_set_error(env->errmsg, "the dictionary has no entries");
        return QUARRY_EINVAL;
    }
    n = snprintf(text, sizeof text, "dictionary (%zu %s, %zu %s)", d->ncats,
                 d->ncats == 1 ? "category" : "categories", d->nentries,
                 d->nentries == 1 ? "entry" : "entries");
    q = qi_calloc(env, 1, sizeof *q);
    if (!q)
        goto nomem;
    q->env = env;
    root = qi_qnode_new(env, QN_DICT, 0, (size_t)n);
    if (!root)
        goto nomem;
    q->root = root;
    q->scope = QI_SCOPE_DOC;
    root->dict_mode = mode;
    rc = qi_dict_clone(env, d, &root->dict);
    if (rc != QUARRY_OK) {
        quarry_query_free(q);
        return rc;
    }
    q->text = qi_strndup(env, text, (size_t)n);
    if (!q->text)
        goto nomem;
    q->len = (size_t)n;
    *out = q;
    return QUARRY_OK;
nomem:
    if (q)
        quarry_query_free(q);
    qi_set_error(env->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}
