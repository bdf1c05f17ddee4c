/*
 * dict_match.c - the dictionary matcher of one segment (dict.h). Every
 * entry becomes a sequence of positions, each a sorted set of local term
 * ordinals (one ordinal for a literal token, the expansion for a glob); a
 * table from first ordinal to the entries starting there (with a bitmap to
 * reject most tokens at once) drives one pass over a document's tokens.
 */
#include "dict_internal.h"
#include "dict_pattern.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct idset {
    size_t off, n; /* ordinals pool[off .. off + n), sorted, unique */
} idset;

typedef struct centry {
    uint32_t category;
    size_t npos;
    size_t set;    /* its first position's set in m->sets */
    size_t source; /* index of the dictionary entry */
} centry;

typedef struct startpair {
    uint32_t ordinal;
    uint32_t entry;
} startpair;

typedef struct found {
    size_t len;
    uint32_t category;
} found;

struct qi_dictmatch {
    quarry_env *env;
    int mode;
    uint32_t *pool;
    size_t npool, pool_cap;
    idset *sets;
    size_t nsets, sets_cap;
    centry *entries;
    size_t nentries, entries_cap;
    startpair *starts; /* sorted by ordinal, then entry */
    size_t nstarts, starts_cap;
    uint64_t *anchors; /* unique ordinals of starts */
    size_t *anchor_at; /* nanchors + 1 offsets into starts */
    size_t nanchors;
    uint64_t *bits; /* term_count bits: ordinal starts some entry */
    size_t nwords;
    found *found; /* scratch of one position */
    size_t nfound, found_cap;
};

typedef struct compiler {
    qi_dictmatch *m;
    const quarry_dict *d;
    qi_segment *seg;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    uint64_t max_expansion;
    uint64_t term_count;
    char *errmsg;
    char *word; /* scratch for an unescaped word */
    size_t word_cap;
} compiler;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_start(const void *a, const void *b)
{
    const startpair *x = a, *y = b;
    if (x->ordinal != y->ordinal)
        return (x->ordinal > y->ordinal) - (x->ordinal < y->ordinal);
    return (x->entry > y->entry) - (x->entry < y->entry);
}

static int cmp_found(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->len != y->len)
        return (x->len > y->len) - (x->len < y->len);
    return (x->category > y->category) - (x->category < y->category);
}

static int nomem(compiler *c)
{
    qi_set_error(c->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

static bool pool_push(compiler *c, uint32_t ordinal)
{
    qi_dictmatch *m = c->m;
    if (!qi_array_reserve(m->env, (void **)&m->pool, &m->pool_cap, m->npool + 1,
                          sizeof *m->pool))
        return false;
    m->pool[m->npool++] = ordinal;
    return true;
}

/* Closes the set of ordinals pushed since off. */
static bool set_close(compiler *c, size_t off)
{
    qi_dictmatch *m = c->m;
    size_t n = m->npool - off, i, k = 0;
    if (n > 1)
        qsort(m->pool + off, n, sizeof *m->pool, cmp_u32);
    for (i = 0; i < n; i++)
        if (k == 0 || m->pool[off + i] != m->pool[off + k - 1])
            m->pool[off + k++] = m->pool[off + i];
    m->npool = off + k;
    if (!qi_array_reserve(m->env, (void **)&m->sets, &m->sets_cap, m->nsets + 1,
                          sizeof *m->sets))
        return false;
    m->sets[m->nsets].off = off;
    m->sets[m->nsets].n = k;
    m->nsets++;
    return true;
}

static int corrupt(compiler *c)
{
    qi_set_error(c->errmsg, "%s", qi_segment_errmsg(c->seg));
    return QUARRY_ECORRUPT;
}

/* Expands a glob word into one set; *empty when no term matches. */
static int add_glob(compiler *c, const char *w, size_t len, size_t entry,
                    bool *empty)
{
    qi_glob g;
    qi_termiter it;
    const char *prefix;
    size_t plen, off = c->m->npool;
    uint64_t start, matched = 0;
    int rc = qi_glob_compile(c->m->env, c->tok, c->toks, w, len, &g);
    if (rc == QUARRY_ENOMEM)
        return nomem(c);
    if (rc != QUARRY_OK) {
        qi_set_error(c->errmsg, "%s", quarry_tokenizer_errmsg(c->tok));
        return rc;
    }
    plen = qi_glob_prefix(&g, &prefix);
    rc = plen ? qi_segment_term_seek(c->seg, prefix, plen, &start) : QUARRY_OK;
    if (!plen)
        start = 0;
    if (rc == QUARRY_OK)
        rc = start < c->term_count ? qi_termiter_start(&it, c->seg, start)
                                   : QUARRY_DONE;
    while (rc == QUARRY_OK && (rc = qi_termiter_next(&it)) == QUARRY_OK) {
        if (it.len < plen || memcmp(it.text, prefix, plen) != 0) {
            rc = QUARRY_DONE; /* past the terms with the prefix */
            break;
        }
        if (!qi_glob_match(&g, it.text, it.len))
            continue;
        if (++matched > c->max_expansion) {
            const qi_dict_entry *e = &c->d->entries[entry];
            qi_set_error(c->errmsg,
                         "dictionary entry '%s' (category '%s'): '%.*s' "
                         "expands to more than %" PRIu64 " terms",
                         e->pattern, c->d->cats[e->category].name, (int)len, w,
                         c->max_expansion);
            rc = QUARRY_ELIMIT;
            break;
        }
        if (!pool_push(c, (uint32_t)it.term.ordinal)) {
            rc = nomem(c);
            break;
        }
    }
    qi_glob_free(c->m->env, &g);
    if (rc == QUARRY_ECORRUPT)
        return corrupt(c);
    if (rc != QUARRY_DONE && rc != QUARRY_OK)
        return rc;
    *empty = matched == 0;
    if (!set_close(c, off))
        return nomem(c);
    return QUARRY_OK;
}

/* Adds the tokens of a literal word, one set each; *empty when a token is
 * not in the segment or the word has no token. */
static int add_literal(compiler *c, const char *w, size_t len, size_t *npos,
                       bool *empty)
{
    size_t n, i;
    const quarry_token *t;
    const char *arena;
    int rc;
    if (len + 1 > c->word_cap) {
        char *p = qi_realloc(c->m->env, c->word, c->word_cap, len + 1);
        if (!p)
            return nomem(c);
        c->word = p;
        c->word_cap = len + 1;
    }
    len = qi_dict_unescape(w, len, c->word);
    rc = quarry_tokenize(c->tok, c->word, len, c->toks);
    if (rc != QUARRY_OK) {
        qi_set_error(c->errmsg, "%s", quarry_tokenizer_errmsg(c->tok));
        return rc;
    }
    n = quarry_tokens_count(c->toks);
    t = quarry_tokens_data(c->toks);
    arena = quarry_tokens_arena(c->toks);
    *empty = n == 0;
    for (i = 0; i < n && !*empty; i++) {
        qi_term term;
        size_t off = c->m->npool;
        size_t tl = t[i].norm_len;
        if (tl > QI_MAX_TERM)
            tl = QI_MAX_TERM; /* the dictionary cuts long terms there */
        rc = qi_segment_term_find(c->seg, arena + t[i].norm, tl, &term);
        if (rc == QUARRY_DONE) {
            *empty = true;
            break;
        }
        if (rc != QUARRY_OK)
            return corrupt(c);
        if (!pool_push(c, (uint32_t)term.ordinal) || !set_close(c, off))
            return nomem(c);
        (*npos)++;
    }
    return QUARRY_OK;
}

static int compile_entry(compiler *c, size_t entry)
{
    qi_dictmatch *m = c->m;
    const qi_dict_entry *e = &c->d->entries[entry];
    size_t start[QI_DICT_MAX_WORDS], end[QI_DICT_MAX_WORDS];
    size_t nw =
        qi_dict_split_words(e->pattern, e->len, start, end, QI_DICT_MAX_WORDS);
    size_t first_set = m->nsets, first_pool = m->npool, npos = 0, i;
    bool empty = false;
    int rc = QUARRY_OK;
    for (i = 0; i < nw && !empty && rc == QUARRY_OK; i++) {
        const char *w = e->pattern + start[i];
        size_t wl = end[i] - start[i];
        if (qi_dict_word_is_glob(w, wl)) {
            rc = add_glob(c, w, wl, entry, &empty);
            npos++;
        } else {
            rc = add_literal(c, w, wl, &npos, &empty);
        }
    }
    if (rc != QUARRY_OK)
        return rc;
    if (empty || npos == 0 || npos > QI_DICT_MAX_WORDS) {
        /* cannot match in this segment: forget its sets */
        m->nsets = first_set;
        m->npool = first_pool;
        return QUARRY_OK;
    }
    if (!qi_array_reserve(m->env, (void **)&m->entries, &m->entries_cap,
                          m->nentries + 1, sizeof *m->entries))
        return nomem(c);
    m->entries[m->nentries].category = (uint32_t)e->category;
    m->entries[m->nentries].npos = npos;
    m->entries[m->nentries].set = first_set;
    m->entries[m->nentries].source = entry;
    m->nentries++;
    return QUARRY_OK;
}

static int build_starts(compiler *c)
{
    qi_dictmatch *m = c->m;
    size_t i, j;
    for (i = 0; i < m->nentries; i++) {
        const idset *s = &m->sets[m->entries[i].set];
        if (!qi_array_reserve(m->env, (void **)&m->starts, &m->starts_cap,
                              m->nstarts + s->n, sizeof *m->starts))
            return nomem(c);
        for (j = 0; j < s->n; j++) {
            m->starts[m->nstarts].ordinal = m->pool[s->off + j];
            m->starts[m->nstarts].entry = (uint32_t)i;
            m->nstarts++;
        }
    }
    if (m->nstarts > 1)
        qsort(m->starts, m->nstarts, sizeof *m->starts, cmp_start);
    m->anchors = qi_alloc(m->env, (m->nstarts + 1) * sizeof *m->anchors);
    m->anchor_at = qi_alloc(m->env, (m->nstarts + 1) * sizeof *m->anchor_at);
    m->nwords = (size_t)((c->term_count + 63) / 64);
    m->bits = qi_calloc(m->env, m->nwords + 1, sizeof *m->bits);
    if (!m->anchors || !m->anchor_at || !m->bits)
        return nomem(c);
    for (i = 0; i < m->nstarts; i++) {
        uint32_t o = m->starts[i].ordinal;
        if (m->nanchors == 0 || m->anchors[m->nanchors - 1] != o) {
            m->anchors[m->nanchors] = o;
            m->anchor_at[m->nanchors++] = i;
            m->bits[o / 64] |= (uint64_t)1 << (o % 64);
        }
    }
    m->anchor_at[m->nanchors] = m->nstarts;
    return QUARRY_OK;
}

void qi_dictmatch_free(qi_dictmatch *m)
{
    quarry_env *env;
    if (!m)
        return;
    env = m->env;
    if (m->pool)
        qi_free(env, m->pool, m->pool_cap * sizeof *m->pool);
    if (m->sets)
        qi_free(env, m->sets, m->sets_cap * sizeof *m->sets);
    if (m->entries)
        qi_free(env, m->entries, m->entries_cap * sizeof *m->entries);
    if (m->starts)
        qi_free(env, m->starts, m->starts_cap * sizeof *m->starts);
    if (m->anchors)
        qi_free(env, m->anchors, (m->nstarts + 1) * sizeof *m->anchors);
    if (m->anchor_at)
        qi_free(env, m->anchor_at, (m->nstarts + 1) * sizeof *m->anchor_at);
    if (m->bits)
        qi_free(env, m->bits, (m->nwords + 1) * sizeof *m->bits);
    if (m->found)
        qi_free(env, m->found, m->found_cap * sizeof *m->found);
    qi_free(env, m, sizeof *m);
}

int qi_dictmatch_new(quarry_env *env, const quarry_dict *d, int mode,
                     qi_segment *seg, quarry_tokenizer *tok,
                     uint64_t max_expansion, qi_dictmatch **out, char *errmsg)
{
    compiler c;
    qi_segment_stats st;
    size_t i;
    int rc = QUARRY_OK;
    *out = NULL;
    memset(&c, 0, sizeof c);
    c.m = qi_calloc(env, 1, sizeof *c.m);
    if (!c.m) {
        qi_set_error(errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    c.m->env = env;
    c.m->mode = mode;
    c.d = d;
    c.seg = seg;
    c.tok = tok;
    c.errmsg = errmsg;
    c.max_expansion =
        max_expansion ? max_expansion : QUARRY_DEFAULT_MAX_EXPANSION;
    qi_segment_stats_get(seg, &st);
    c.term_count = st.term_count;
    rc = quarry_tokens_new(env, &c.toks);
    if (rc != QUARRY_OK)
        rc = nomem(&c);
    for (i = 0; i < d->nentries && rc == QUARRY_OK; i++)
        rc = compile_entry(&c, i);
    if (rc == QUARRY_OK)
        rc = build_starts(&c);
    quarry_tokens_free(c.toks);
    if (c.word)
        qi_free(env, c.word, c.word_cap);
    if (rc != QUARRY_OK) {
        qi_dictmatch_free(c.m);
        return rc;
    }
    *out = c.m;
    return QUARRY_OK;
}

void qi_dictmatch_mark_entries(const qi_dictmatch *m, bool *live)
{
    size_t i;
    for (i = 0; i < m->nentries; i++)
        live[m->entries[i].source] = true;
}

const uint64_t *qi_dictmatch_anchors(const qi_dictmatch *m, size_t *n)
{
    *n = m->nanchors;
    return m->anchors;
}

static bool in_set(const qi_dictmatch *m, const idset *s, uint32_t id)
{
    const uint32_t *a = m->pool + s->off;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && a[lo] == id;
}

/* Index of ordinal id in anchors (it is there: its bit is set). */
static size_t anchor_index(const qi_dictmatch *m, uint32_t id)
{
    size_t lo = 0, hi = m->nanchors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->anchors[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool emit(qi_dictmatch *m, size_t first, size_t len, uint32_t category,
                 qi_dicthit **hits, size_t *nhits, size_t *cap)
{
    if (!qi_array_reserve(m->env, (void **)hits, cap, *nhits + 1,
                          sizeof **hits))
        return false;
    (*hits)[*nhits].first = first;
    (*hits)[*nhits].end = first + len;
    (*hits)[*nhits].category = category;
    (*nhits)++;
    return true;
}

int qi_dictmatch_doc(qi_dictmatch *m, const uint32_t *ids, size_t n,
                     qi_dicthit **hits, size_t *nhits, size_t *cap)
{
    size_t i = 0;
    while (i < n) {
        uint32_t id = ids[i];
        size_t a, k, best = 0;
        if (id / 64 >= m->nwords ||
            !(m->bits[id / 64] & ((uint64_t)1 << (id % 64)))) {
            i++;
            continue;
        }
        a = anchor_index(m, id);
        m->nfound = 0;
        for (k = m->anchor_at[a]; k < m->anchor_at[a + 1]; k++) {
            const centry *e = &m->entries[m->starts[k].entry];
            size_t p;
            if (e->npos > n - i)
                continue;
            for (p = 1; p < e->npos; p++)
                if (!in_set(m, &m->sets[e->set + p], ids[i + p]))
                    break;
            if (p < e->npos)
                continue;
            if (m->mode == QUARRY_DICT_LONGEST && e->npos < best)
                continue;
            if (!qi_array_reserve(m->env, (void **)&m->found, &m->found_cap,
                                  m->nfound + 1, sizeof *m->found))
                return QUARRY_ENOMEM;
            m->found[m->nfound].len = e->npos;
            m->found[m->nfound].category = e->category;
            m->nfound++;
            if (e->npos > best)
                best = e->npos;
        }
        if (m->nfound == 0) {
            i++;
            continue;
        }
        if (m->nfound > 1)
            qsort(m->found, m->nfound, sizeof *m->found, cmp_found);
        for (k = 0; k < m->nfound; k++) {
            const found *f = &m->found[k];
            if (m->mode == QUARRY_DICT_LONGEST && f->len != best)
                continue;
            if (k > 0 && f->len == f[-1].len && f->category == f[-1].category)
                continue; /* one hit per (first, end, category) */
            if (!emit(m, i, f->len, f->category, hits, nhits, cap))
                return QUARRY_ENOMEM;
        }
        i += m->mode == QUARRY_DICT_LONGEST ? best : 1;
    }
    return QUARRY_OK;
}
