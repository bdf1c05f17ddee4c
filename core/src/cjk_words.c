/*
 * cjk_words.c - the CJK word layer and the user lexicon.
 *
 * Tokens stay one per CJK char (so matching never depends on a segmenter);
 * this layer groups them into dictionary words for counting. Chinese runs
 * are segmented with friso's dictionary (which keeps 生产力 whole and takes
 * user words) by the segmenter below; runs with kana go to ICU's dictionary
 * word break. docs/tokenizer.md has the measurements behind this.
 *
 * Why not libfriso itself: its mmseg "complex" mode runs at 2.8 MB/s on the
 * government work reports (the target is 20 MB/s for the whole tokenizer),
 * it prints to stdout when a lexicon file is missing and calls exit(1) when
 * malloc fails. So friso.ini and its lexicon files are read here, into a
 * code-point trie allocated through the env, and each run is segmented by
 * dynamic programming with mmseg's first rules: fewest words, then the
 * most even word lengths. The dictionary (~180k words, ~60 ms) is loaded
 * on the first Chinese run of a tokenizer, never for text without one.
 */
#include "tokenize_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QI_FRISO_INI "/etc/friso/friso.ini"
/* friso copies a word into a 64-byte buffer: 20 CJK chars fit */
#define QI_MAX_USER_WORD_CHARS 20
/* runs are cut into chunks so that each segmenter call is bounded */
#define QI_CJK_CHUNK 1024

/* The dictionary is a trie over code points. Edges live in one
 * open-addressing table of packed 64-bit slots, ((node << 21 | cp) + 1)
 * << 21 | child, so a probe touches one cache line; the root's edges for
 * the CJK BMP blocks are a direct array. A walk costs one probe per char,
 * so a run is segmented in O(chars * longest word). Node 0 is the root; no
 * edge leads to it, so 0 also means "no child". */
#define QI_TRIE_MAX_NODES (1u << 21)
#define QI_ROOT_LO 0x3000u
#define QI_ROOT_HI 0xA000u

struct qi_cjk {
    uint64_t *slots_tab; /* 0 = empty */
    size_t slots, used;
    uint32_t *root; /* child of the root for cp in [QI_ROOT_LO, QI_ROOT_HI) */
    uint8_t *term;  /* per node: 1 if a word ends there */
    size_t nodes, term_cap;
    unsigned max_chars; /* longest dictionary word, in chars */
    int state;          /* 0 = not tried, 1 = dictionary ready, -1 = ICU */
    /* dynamic programming scratch, per token of a chunk */
    uint64_t *cost; /* words << 32 | sum of squared lengths */
    uint32_t *back;
    size_t dp_cap;
};

/* Reads a whole (small) file into b. */
static int read_file(quarry_tokenizer *tok, const char *path, qi_buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    if (!f)
        return QUARRY_ENOENT;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (!qi_buf_append(tok->env, b, chunk, n)) {
            fclose(f);
            return QUARRY_ENOMEM;
        }
    }
    fclose(f);
    return qi_buf_terminate(tok->env, b) ? QUARRY_OK : QUARRY_ENOMEM;
}

/* Value of "key = value" in an ini text, copied into out (NUL-terminated);
 * false if absent or too long. */
static bool ini_value(const char *ini, const char *key, char *out, size_t outsz)
{
    size_t kl = strlen(key);
    const char *p = ini;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        const char *end = eol ? eol : p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if ((size_t)(end - p) > kl && strncmp(p, key, kl) == 0) {
            const char *v = p + kl;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            if (v < end && *v == '=') {
                size_t n;
                v++;
                while (v < end && (*v == ' ' || *v == '\t'))
                    v++;
                while (end > v &&
                       (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
                    end--;
                n = (size_t)(end - v);
                if (n + 1 > outsz)
                    return false;
                memcpy(out, v, n);
                out[n] = '\0';
                return true;
            }
        }
        p = eol ? eol + 1 : NULL;
    }
    return false;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t k, n = 0;
    for (k = 0; k < len; k++)
        n += ((unsigned char)s[k] & 0xC0) != 0x80;
    return n;
}

static inline size_t slot_of(uint64_t key, size_t slots)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (slots - 1);
}

static inline uint32_t trie_child(const struct qi_cjk *c, uint32_t node,
                                  uint32_t cp)
{
    uint64_t key;
    size_t i;
    if (node == 0 && cp >= QI_ROOT_LO && cp < QI_ROOT_HI)
        return c->root[cp - QI_ROOT_LO];
    key = (((uint64_t)node << 21) | cp) + 1;
    i = slot_of(key, c->slots);
    while (c->slots_tab[i]) {
        if ((c->slots_tab[i] >> 21) == key)
            return (uint32_t)(c->slots_tab[i] & (QI_TRIE_MAX_NODES - 1));
        i = (i + 1) & (c->slots - 1);
    }
    return 0;
}

static void slot_put(uint64_t *tab, size_t slots, uint64_t entry)
{
    size_t i = slot_of(entry >> 21, slots);
    while (tab[i])
        i = (i + 1) & (slots - 1);
    tab[i] = entry;
}

static bool trie_grow(quarry_env *env, struct qi_cjk *c)
{
    size_t nslots = c->slots ? c->slots * 2 : 1u << 16, k;
    uint64_t *nt = qi_calloc(env, nslots, sizeof *nt);
    if (!nt)
        return false;
    for (k = 0; k < c->slots; k++)
        if (c->slots_tab[k])
            slot_put(nt, nslots, c->slots_tab[k]);
    qi_free(env, c->slots_tab, c->slots * sizeof *c->slots_tab);
    c->slots_tab = nt;
    c->slots = nslots;
    return true;
}

/* Adds a word (valid UTF-8) to the trie. */
static bool trie_insert(quarry_env *env, struct qi_cjk *c, const char *w,
                        size_t len)
{
    uint32_t node = 0;
    size_t i = 0, chars = 0;
    while (i < len) {
        uint32_t cp, child;
        size_t n = qi_utf8_decode((const unsigned char *)w + i, len - i, &cp);
        if (!n)
            return true;
        i += n;
        chars++;
        child = trie_child(c, node, cp);
        if (!child) {
            if (c->nodes >= QI_TRIE_MAX_NODES)
                return true; /* the packing holds 2M nodes; ~400k in use */
            if ((c->used + 1) * 2 > c->slots && !trie_grow(env, c))
                return false;
            if (c->nodes + 1 > c->term_cap) {
                void *p = c->term;
                if (!qi_array_reserve(env, &p, &c->term_cap, c->nodes + 1, 1))
                    return false;
                c->term = p;
            }
            child = (uint32_t)c->nodes;
            c->term[c->nodes++] = 0;
            if (node == 0 && cp >= QI_ROOT_LO && cp < QI_ROOT_HI) {
                c->root[cp - QI_ROOT_LO] = child;
            } else {
                slot_put(c->slots_tab, c->slots,
                         (((((uint64_t)node << 21) | cp) + 1) << 21) | child);
                c->used++;
            }
        }
        node = child;
    }
    if (node) {
        c->term[node] = 1;
        if (chars > c->max_chars)
            c->max_chars = (unsigned)chars;
    }
    return true;
}

/* Loads one friso lexicon file: "word" or "word/synonyms/frequency" per
 * line, '#' comments. Words longer than max_chars are skipped, as friso
 * does (its max_len), so that long idioms do not swallow phrases. */
static int load_lex(quarry_tokenizer *tok, const char *path, size_t max_chars)
{
    qi_buf b = {0};
    const char *p, *end;
    int rc = read_file(tok, path, &b);
    if (rc != QUARRY_OK) {
        qi_buf_free(tok->env, &b);
        return rc;
    }
    p = b.data;
    end = b.data + b.len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *e = eol ? eol : end;
        const char *slash = memchr(p, '/', (size_t)(e - p));
        const char *we = slash ? slash : e;
        while (we > p && (we[-1] == '\r' || we[-1] == ' ' || we[-1] == '\t'))
            we--;
        if (we > p && *p != '#' && quarry_utf8_valid(p, (size_t)(we - p)) &&
            utf8_chars(p, (size_t)(we - p)) <= max_chars &&
            !trie_insert(tok->env, tok->cjk, p, (size_t)(we - p))) {
            rc = QUARRY_ENOMEM;
            break;
        }
        p = eol ? eol + 1 : end;
    }
    qi_buf_free(tok->env, &b);
    return rc;
}

/* Reads friso.ini (lex_dir, max_len) and the __LEX_CJK_WORDS__ files named
 * by lex_dir/friso.lex.ini; with check_only, only checks that they can be
 * opened. Returns QUARRY_OK, ENOENT (message on tok) or ENOMEM. */
static int load_dict(quarry_tokenizer *tok, const char *ini_path,
                     bool check_only)
{
    qi_buf ini = {0}, lexini = {0};
    char dir[1024], path[1400], val[32];
    size_t max_chars = 5;
    const char *p, *end;
    bool in_words = false;
    int rc = read_file(tok, ini_path, &ini);

    snprintf(path, sizeof path, "%s", ini_path);
    if (rc != QUARRY_OK)
        goto done;
    rc = QUARRY_ENOENT;
    if (!ini_value(ini.data, "friso.lex_dir", dir, sizeof dir) || !dir[0]) {
        qi_set_error(tok->errmsg, "no friso.lex_dir in %.300s", ini_path);
        goto out;
    }
    if (ini_value(ini.data, "friso.max_len", val, sizeof val) &&
        atoi(val) > 0 && atoi(val) <= QI_MAX_USER_WORD_CHARS)
        max_chars = (size_t)atoi(val);
    snprintf(path, sizeof path, "%s%sfriso.lex.ini", dir,
             dir[strlen(dir) - 1] == '/' ? "" : "/");
    rc = read_file(tok, path, &lexini);
    if (rc != QUARRY_OK)
        goto done;
    p = lexini.data;
    end = lexini.data + lexini.len;
    while (rc == QUARRY_OK && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *e = eol ? eol : end;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        while (e > p &&
               (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == ';'))
            e--;
        if (p < e && *p != '#') {
            if (e[-1] == '[')
                in_words = strncmp(p, "__LEX_CJK_WORDS__", 17) == 0;
            else if (*p == ']')
                in_words = false;
            else if (in_words && e - p < 200) {
                snprintf(path, sizeof path, "%s%s%.*s", dir,
                         dir[strlen(dir) - 1] == '/' ? "" : "/", (int)(e - p),
                         p);
                if (check_only) {
                    FILE *f = fopen(path, "rb");
                    if (f)
                        fclose(f);
                    else
                        rc = QUARRY_ENOENT;
                } else {
                    rc = load_lex(tok, path, max_chars);
                }
            }
        }
        p = eol ? eol + 1 : end;
    }
done:
    if (rc == QUARRY_ENOENT)
        qi_set_error(tok->errmsg, "cannot read CJK dictionary file %.300s",
                     path);
    else if (rc == QUARRY_ENOMEM)
        qi_set_error(tok->errmsg, "out of memory loading the CJK dictionary");
out:
    qi_buf_free(tok->env, &ini);
    qi_buf_free(tok->env, &lexini);
    return rc;
}

int qi_cjk_check(quarry_tokenizer *tok)
{
    return load_dict(tok, tok->cjk_dict, true);
}

static void cjk_release(quarry_env *env, struct qi_cjk *c)
{
    qi_free(env, c->slots_tab, c->slots * sizeof *c->slots_tab);
    qi_free(env, c->root, (QI_ROOT_HI - QI_ROOT_LO) * sizeof *c->root);
    qi_free(env, c->term, c->term_cap);
    qi_free(env, c->cost, c->dp_cap * sizeof *c->cost);
    qi_free(env, c->back, c->dp_cap * sizeof *c->back);
    memset(c, 0, sizeof *c);
}

/* Loads the dictionary and the user words on the first Chinese run. A
 * missing default dictionary is not an error: Chinese then goes to ICU. */
static int cjk_load(quarry_tokenizer *tok)
{
    struct qi_cjk *c = tok->cjk;
    const char *ini = tok->cjk_dict ? tok->cjk_dict : QI_FRISO_INI;
    const char *w;
    size_t k;
    int rc;

    if (!c) {
        c = qi_calloc(tok->env, 1, sizeof *c);
        if (!c)
            return QUARRY_ENOMEM;
        tok->cjk = c;
    }
    if (c->state)
        return QUARRY_OK;
    c->root = qi_calloc(tok->env, QI_ROOT_HI - QI_ROOT_LO, sizeof *c->root);
    if (!c->root || !trie_grow(tok->env, c))
        goto nomem;
    if (!qi_array_reserve(tok->env, (void **)&c->term, &c->term_cap, 1024, 1))
        goto nomem;
    c->term[0] = 0;
    c->nodes = 1;
    rc = load_dict(tok, ini, false);
    if (rc == QUARRY_ENOMEM)
        goto nomem;
    if (rc != QUARRY_OK) {
        cjk_release(tok->env, c);
        if (tok->cjk_dict)
            return rc; /* checked at creation; gone since: say so */
        c->state = -1; /* no default dictionary installed: use ICU */
        tok->errmsg[0] = '\0';
        return QUARRY_OK;
    }
    w = tok->lexicon.data;
    for (k = 0; k < tok->lexicon_words; k++) {
        size_t len = strlen(w);
        if (!trie_insert(tok->env, c, w, len))
            goto nomem;
        w += len + 1;
    }
    c->state = 1;
    return QUARRY_OK;
nomem:
    cjk_release(tok->env, c);
    qi_set_error(tok->errmsg, "out of memory loading the CJK dictionary");
    return QUARRY_ENOMEM;
}

void qi_cjk_free(quarry_tokenizer *tok)
{
    if (!tok->cjk)
        return;
    cjk_release(tok->env, tok->cjk);
    qi_free(tok->env, tok->cjk, sizeof *tok->cjk);
    tok->cjk = NULL;
}

int quarry_tokenizer_add_word(quarry_tokenizer *tok, const char *word,
                              size_t len)
{
    size_t start = tok->lexicon.len, nlen;
    int rc;
    if (!word || len == 0 || !quarry_utf8_valid(word, len) ||
        memchr(word, '\0', len)) {
        qi_set_error(tok->errmsg, "a lexicon word must be non-empty UTF-8");
        return QUARRY_EINVAL;
    }
    /* stored in normalized form, since the segmenter sees norms */
    rc = qi_norm_icu(tok, word, len, &tok->lexicon);
    if (rc != QUARRY_OK) {
        tok->lexicon.len = start;
        return rc;
    }
    nlen = tok->lexicon.len - start;
    if (utf8_chars(tok->lexicon.data + start, nlen) > QI_MAX_USER_WORD_CHARS) {
        tok->lexicon.len = start;
        qi_set_error(tok->errmsg, "lexicon word longer than %d chars",
                     QI_MAX_USER_WORD_CHARS);
        return QUARRY_EINVAL;
    }
    if (!qi_buf_push(tok->env, &tok->lexicon, '\0')) {
        tok->lexicon.len = start;
        qi_set_error(tok->errmsg, "out of memory adding a lexicon word");
        return QUARRY_ENOMEM;
    }
    tok->lexicon_words++;
    if (tok->cjk && tok->cjk->state == 1 &&
        !trie_insert(tok->env, tok->cjk, tok->lexicon.data + start, nlen)) {
        qi_set_error(tok->errmsg, "out of memory adding a lexicon word");
        return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

int qi_lexicon_load(quarry_tokenizer *tok, const char *path)
{
    qi_buf b = {0};
    char *p, *end;
    unsigned line = 0;
    int rc = read_file(tok, path, &b);
    if (rc != QUARRY_OK) {
        qi_buf_free(tok->env, &b);
        qi_set_error(tok->errmsg,
                     rc == QUARRY_ENOENT
                         ? "cannot open lexicon %.300s"
                         : "out of memory reading lexicon %.300s",
                     path);
        return rc;
    }
    p = b.data;
    end = b.data + b.len;
    while (rc == QUARRY_OK && p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        char *e = eol ? eol : end;
        line++;
        if (line == 1 && e - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            p += 3;
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (p < e && *p != '#') {
            rc = quarry_tokenizer_add_word(tok, p, (size_t)(e - p));
            if (rc == QUARRY_EINVAL) {
                char why[QI_ERRMSG_SIZE];
                memcpy(why, tok->errmsg, sizeof why);
                qi_set_error(tok->errmsg, "lexicon %.300s line %u: %.150s",
                             path, line, why);
            }
        }
        p = eol ? eol + 1 : end;
    }
    qi_buf_free(tok->env, &b);
    return rc;
}

static bool push_word(quarry_tokens *out, size_t first, size_t end)
{
    const quarry_token *tk = out->tok;
    quarry_word *w;
    void *p = out->words;
    if (out->nwords == out->words_cap &&
        !qi_array_reserve(out->env, &p, &out->words_cap, out->nwords + 1,
                          sizeof *w))
        return false;
    out->words = p;
    w = &out->words[out->nwords++];
    w->first = first;
    w->end = end;
    /* the norms of a run's tokens are adjacent in the arena */
    w->norm = tk[first].norm;
    w->norm_len =
        (uint32_t)(tk[end - 1].norm + tk[end - 1].norm_len - tk[first].norm);
    w->reserved = 0;
    return true;
}

/* Segments tokens [a, b) (one chunk of a run) whose norms, concatenated,
 * are the bytes at arena + tk[a].norm. Segment boundaries (byte offsets
 * from that point) are mapped to token boundaries, rounding up, so a
 * segmenter can never split a token. */
typedef struct seg_state {
    quarry_tokens *out;
    size_t a, b;
    size_t cur; /* first token not yet in a word */
    const uint64_t *offs;
} seg_state;

static bool seg_to(seg_state *st, uint64_t byte)
{
    size_t t = st->cur;
    while (t < st->b && st->offs[t - st->a] < byte)
        t++;
    if (t == st->cur)
        return true;
    if (!push_word(st->out, st->cur, t))
        return false;
    st->cur = t;
    return true;
}

static inline void relax(struct qi_cjk *c, size_t i, size_t e)
{
    uint64_t len = e - i;
    uint64_t cand = c->cost[i] + (1ull << 32) + len * len;
    if (cand < c->cost[e]) {
        c->cost[e] = cand;
        c->back[e] = (uint32_t)i;
    }
}

/* Segments tokens [a, b) with the dictionary: the split into the fewest
 * words, and among those the one with the most even lengths (mmseg's
 * rules 1 and 3, applied to the whole chunk instead of 3-word windows). */
static bool dict_segment(quarry_tokenizer *tok, quarry_tokens *out, size_t a,
                         size_t b)
{
    struct qi_cjk *c = tok->cjk;
    const quarry_token *tk = out->tok;
    const unsigned char *ar = (const unsigned char *)out->arena.data;
    size_t m = b - a, i, j, k, prev;

    if (m + 1 > c->dp_cap) {
        size_t ncap = m + 1 > QI_CJK_CHUNK + 1 ? m + 1 : QI_CJK_CHUNK + 1;
        uint64_t *nc = qi_alloc(tok->env, ncap * sizeof *nc);
        uint32_t *nb = qi_alloc(tok->env, ncap * sizeof *nb);
        if (!nc || !nb) {
            qi_free(tok->env, nc, ncap * sizeof *nc);
            qi_free(tok->env, nb, ncap * sizeof *nb);
            return false;
        }
        qi_free(tok->env, c->cost, c->dp_cap * sizeof *c->cost);
        qi_free(tok->env, c->back, c->dp_cap * sizeof *c->back);
        c->cost = nc;
        c->back = nb;
        c->dp_cap = ncap;
    }
    c->cost[0] = 0;
    for (i = 1; i <= m; i++)
        c->cost[i] = UINT64_MAX;
    for (i = 0; i < m; i++) {
        uint32_t node = 0; /* the root; no child is node 0 */
        relax(c, i, i + 1);
        for (j = i; j < m && j - i < c->max_chars; j++) {
            const unsigned char *p = ar + tk[a + j].norm;
            const unsigned char *e = p + tk[a + j].norm_len;
            while (p < e) {
                uint32_t cp;
                size_t n = qi_decode_valid(p, &cp);
                if (!(node = trie_child(c, node, cp)))
                    break;
                p += n;
            }
            if (p < e)
                break;
            if (j > i && c->term[node])
                relax(c, i, j + 1);
        }
    }
    /* walk the best path back, then emit it forwards */
    k = 0;
    for (i = m; i > 0; i = c->back[i])
        c->cost[k++] = i;
    prev = 0;
    while (k > 0) {
        size_t e = (size_t)c->cost[--k];
        if (!push_word(out, a + prev, a + e))
            return false;
        prev = e;
    }
    return true;
}

static int segment_chunk(quarry_tokenizer *tok, quarry_tokens *out, size_t a,
                         size_t b, bool kana)
{
    const quarry_token *tk = out->tok;
    uint64_t base = tk[a].norm;
    uint64_t total = tk[b - 1].norm + tk[b - 1].norm_len - base;
    seg_state st;
    size_t t;
    int rc;

    if (!qi_array_reserve(tok->env, (void **)&tok->offs, &tok->offs_cap,
                          b - a + 1, sizeof *tok->offs))
        return QUARRY_ENOMEM;
    for (t = a; t < b; t++)
        tok->offs[t - a] = tk[t].norm - base;
    tok->offs[b - a] = total;
    st.out = out;
    st.a = a;
    st.b = b;
    st.cur = a;
    st.offs = tok->offs;

    if (!kana && tok->cjk && tok->cjk->state == 1) {
        if (!dict_segment(tok, out, a, b))
            return QUARRY_ENOMEM;
        return QUARRY_OK;
    } else {
        int32_t bnd;
        rc = qi_wbrk_set(tok, out->arena.data + base, (size_t)total);
        if (rc != QUARRY_OK)
            return rc;
        while ((bnd = ubrk_next(tok->wbrk)) != UBRK_DONE)
            if (!seg_to(&st, (uint64_t)bnd))
                return QUARRY_ENOMEM;
    }
    while (st.cur < b)
        if (!seg_to(&st, st.offs[st.cur - a + 1]))
            return QUARRY_ENOMEM;
    return QUARRY_OK;
}

int qi_cjk_words(quarry_tokenizer *tok, quarry_tokens *out)
{
    size_t n = out->ntok, k = 0;
    int rc = QUARRY_OK;
    while (k < n) {
        size_t b, c;
        bool kana;
        if (out->tok[k].kind != QUARRY_TOKEN_CJK) {
            k++;
            continue;
        }
        kana = (out->aux[k] & QI_T_KANA) != 0;
        /* a run continues over adjacency and single line breaks */
        for (b = k + 1;
             b < n && out->tok[b].kind == QUARRY_TOKEN_CJK &&
             (!(out->aux[b] & QI_T_SPACE) || (out->aux[b] & QI_T_SOFTBREAK));
             b++)
            kana |= (out->aux[b] & QI_T_KANA) != 0;
        if (b - k == 1) {
            if (!push_word(out, k, b))
                rc = QUARRY_ENOMEM;
        } else {
            if (!kana && (!tok->cjk || tok->cjk->state == 0))
                rc = cjk_load(tok);
            for (c = k; rc == QUARRY_OK && c < b; c += QI_CJK_CHUNK)
                rc = segment_chunk(tok, out, c,
                                   b - c > QI_CJK_CHUNK ? c + QI_CJK_CHUNK : b,
                                   kana);
        }
        if (rc != QUARRY_OK) {
            if (rc == QUARRY_ENOMEM)
                qi_set_error(tok->errmsg, "out of memory in the word layer");
            return rc;
        }
        k = b;
    }
    return QUARRY_OK;
}
