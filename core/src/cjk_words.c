/*
 * cjk_words.c - the CJK word layer and the user lexicon.
 *
 * Tokens stay one per CJK char (so matching never depends on a segmenter);
 * this layer groups them into dictionary words for counting. Chinese runs
 * go to friso (mmseg; keeps 生产力 whole and takes user words), runs with
 * kana go to ICU's dictionary word break. The measurements behind the
 * choice are in docs/tokenizer.md.
 *
 * friso is isolated here: its dictionary (~70 ms, ~180k entries) is loaded
 * on the first Chinese run of a tokenizer, never for text without one; each
 * tokenizer has its own friso_t (friso keeps no global state: its .data and
 * .bss are empty). friso prints a warning on stdout when a lexicon file is
 * missing, so every file it will open is checked here first and a broken
 * setup falls back to ICU instead. friso calls exit(1) when malloc fails;
 * that cannot be prevented from outside and is documented.
 */
#include "tokenize_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <friso/friso.h>

#define QI_FRISO_INI "/etc/friso/friso.ini"
/* friso copies a word into a 64-byte buffer: 20 CJK chars fit */
#define QI_MAX_USER_WORD_CHARS 20
/* runs are cut into chunks so that each segmenter call is bounded */
#define QI_CJK_CHUNK 1024

struct qi_cjk {
    friso_t friso;
    friso_config_t cfg;
    friso_task_t task;
    int state; /* 0 = not tried, 1 = friso ready, -1 = use ICU */
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

/* Checks that the ini, its lex_dir, friso.lex.ini and every .lex file it
 * names can be opened, so that friso has nothing to print about. */
static bool friso_setup_ok(quarry_tokenizer *tok, const char *ini_path)
{
    qi_buf ini = {0}, lexini = {0};
    char dir[1024], path[1400];
    bool ok = false;
    const char *p;

    if (read_file(tok, ini_path, &ini) != QUARRY_OK)
        goto done;
    if (!ini_value(ini.data, "friso.lex_dir", dir, sizeof dir))
        goto done;
    snprintf(path, sizeof path, "%s%sfriso.lex.ini", dir,
             dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/");
    /* friso concatenates lex_dir and file names without a separator */
    if (!dir[0] || dir[strlen(dir) - 1] != '/')
        goto done;
    if (read_file(tok, path, &lexini) != QUARRY_OK)
        goto done;
    ok = true;
    for (p = lexini.data; ok && (p = strstr(p, ".lex")) != NULL; p += 4) {
        const char *b = p;
        FILE *f;
        while (b > lexini.data && b[-1] != ' ' && b[-1] != '\t' &&
               b[-1] != '\n' && b[-1] != '[')
            b--;
        if (*b == '#' || (size_t)(p + 4 - b) > 200)
            continue;
        snprintf(path, sizeof path, "%s%.*s", dir, (int)(p + 4 - b), b);
        if (strcmp(path + strlen(dir), "friso.lex.ini") == 0)
            continue;
        f = fopen(path, "rb");
        if (f)
            fclose(f);
        else
            ok = false;
    }
done:
    qi_buf_free(tok->env, &ini);
    qi_buf_free(tok->env, &lexini);
    return ok;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t k, n = 0;
    for (k = 0; k < len; k++)
        n += ((unsigned char)s[k] & 0xC0) != 0x80;
    return n;
}

/* Hands one user word to friso, which takes ownership of a malloc'd copy
 * (it frees its entries with free()). */
static void friso_add(struct qi_cjk *c, const char *w, size_t len)
{
    char *copy;
    size_t chars = utf8_chars(w, len);
    if (friso_dic_match(c->friso->dic, __LEX_CJK_WORDS__, (fstring)w))
        return;
    copy = malloc(len + 1);
    if (!copy)
        return; /* the word is then just not known to friso */
    memcpy(copy, w, len + 1);
    friso_dic_add(c->friso->dic, __LEX_CJK_WORDS__, copy, NULL);
    if (chars > c->cfg->max_len)
        c->cfg->max_len = (ushort_t)chars;
}

static int cjk_load(quarry_tokenizer *tok)
{
    struct qi_cjk *c = tok->cjk;
    const char *ini = tok->cjk_dict ? tok->cjk_dict : QI_FRISO_INI;
    const char *w;
    size_t k;

    if (!c) {
        c = qi_calloc(tok->env, 1, sizeof *c);
        if (!c)
            return QUARRY_ENOMEM;
        tok->cjk = c;
    }
    if (c->state)
        return QUARRY_OK;
    c->state = -1;
    if (!friso_setup_ok(tok, ini))
        return QUARRY_OK;
    c->friso = friso_new();
    c->cfg = friso_new_config();
    if (friso_init_from_ifile(c->friso, c->cfg, (fstring)ini) != 1)
        return QUARRY_OK;
    /* plain segmentation: no synonyms, no stopword removal */
    c->cfg->add_syn = 0;
    c->cfg->clr_stw = 0;
    c->cfg->keep_urec = 0;
    c->cfg->spx_out = 0;
    c->cfg->en_sseg = 0;
    c->task = friso_new_task();
    w = tok->lexicon.data;
    for (k = 0; k < tok->lexicon_words; k++) {
        size_t len = strlen(w);
        friso_add(c, w, len);
        w += len + 1;
    }
    c->state = 1;
    return QUARRY_OK;
}

void qi_cjk_free(quarry_tokenizer *tok)
{
    struct qi_cjk *c = tok->cjk;
    if (!c)
        return;
    if (c->task)
        friso_free_task(c->task);
    if (c->cfg)
        friso_free_config(c->cfg);
    if (c->friso)
        friso_free(c->friso);
    qi_free(tok->env, c, sizeof *c);
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
    if (tok->cjk && tok->cjk->state == 1)
        friso_add(tok->cjk, tok->lexicon.data + start, nlen);
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
        struct qi_cjk *c = tok->cjk;
        uint64_t pos = 0;
        tok->scratch.len = 0;
        if (!qi_buf_append(tok->env, &tok->scratch, out->arena.data + base,
                           (size_t)total) ||
            !qi_buf_terminate(tok->env, &tok->scratch))
            return QUARRY_ENOMEM;
        friso_set_text(c->task, tok->scratch.data);
        while (c->cfg->next_token(c->friso, c->cfg, c->task) != NULL) {
            uint64_t off = (uint64_t)c->task->token->offset;
            uint64_t e = off + c->task->token->rlen;
            if (off < pos || e > total)
                continue; /* an overlapping extra token */
            /* chars friso skipped become words of their own */
            while (st.cur < b && st.offs[st.cur - a] < off)
                if (!seg_to(&st, st.offs[st.cur - a + 1]))
                    return QUARRY_ENOMEM;
            if (!seg_to(&st, e))
                return QUARRY_ENOMEM;
            pos = e;
        }
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
