/*
 * cjk_segmenters.c - the measurement behind the CJK word layer choice
 * (docs/tokenizer.md): libfriso (mmseg complex and simple modes), ICU's
 * dictionary word break for "zh", and quarry's word layer (friso's
 * dictionary, own trie + DP), on the same Chinese text.
 *
 *   cjk_segmenters [-j field] file.jsonl|file.txt
 *
 * Prints for each: load time, segmentation time and MB/s over the whole
 * text, and quality checks: how often 生产力 and 高质量发展 come out as one
 * word, whether 新质生产力 does once added as a user word, and how many
 * word starts between two Han chars agree with friso's complex mode.
 */
#include "quarry.h"

#include <friso/friso.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* the machine is shared */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *text;
static size_t len;
static unsigned char *starts_friso, *starts; /* word start flags per byte */

static void load(const char *path, const char *field)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0, tcap = 1 << 22;
    ssize_t n;
    if (!f)
        exit(2);
    text = malloc(tcap);
    while ((n = getline(&line, &cap, f)) > 0) {
        const char *s = line;
        size_t sl = (size_t)n;
        json_t *o = NULL;
        if (field) {
            json_error_t e;
            json_t *v;
            o = json_loadb(line, (size_t)n, 0, &e);
            v = o ? json_object_get(o, field) : NULL;
            if (!v || !json_is_string(v)) {
                json_decref(o);
                continue;
            }
            s = json_string_value(v);
            sl = json_string_length(v);
        }
        while (len + sl + 3 > tcap)
            text = realloc(text, tcap *= 2);
        memcpy(text + len, s, sl);
        len += sl;
        if (field) {
            memcpy(text + len, "\n\n", 2);
            len += 2;
        }
        json_decref(o);
    }
    text[len] = '\0';
    free(line);
    fclose(f);
}

static int is_han_at(size_t i)
{
    const unsigned char *s = (const unsigned char *)text + i;
    uint32_t cp;
    if (i + 3 > len || (s[0] & 0xF0) != 0xE0)
        return 0;
    cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
         (s[2] & 0x3F);
    return cp >= 0x4E00 && cp <= 0x9FFF;
}

/* counts of a word as a whole segment, and of its text overall */
static void count_word(const unsigned char *st, const char *w, size_t *whole,
                       size_t *all)
{
    size_t wl = strlen(w);
    const char *p = text;
    *whole = *all = 0;
    while ((p = strstr(p, w)) != NULL) {
        size_t i = (size_t)(p - text);
        size_t k = 1;
        (*all)++;
        while (k < wl && !st[i + k])
            k++;
        if (st[i] && k == wl &&
            (i + wl >= len || st[i + wl] || !is_han_at(i + wl)))
            (*whole)++;
        p += wl;
    }
}

static void report(const char *name, double tload, double tseg,
                   const unsigned char *st, int user)
{
    size_t w1, a1, w2, a2, w3, a3;
    count_word(st, "生产力", &w1, &a1);
    count_word(st, "高质量发展", &w2, &a2);
    count_word(st, "新质生产力", &w3, &a3);
    printf("%-28s load %6.3f s  segment %6.3f s  %6.1f MB/s  生产力 %zu/%zu  "
           "高质量发展 %zu/%zu  新质生产力%s %zu/%zu\n",
           name, tload, tseg, (double)len / 1e6 / tseg, w1, a1, w2, a2,
           user ? "(user word)" : "", w3, a3);
}

static void run_friso(int mode, unsigned char *st, int user)
{
    double t0 = now(), t1;
    friso_t fr = friso_new();
    friso_config_t cfg = friso_new_config();
    friso_task_t task;
    friso_init_from_ifile(fr, cfg, "/etc/friso/friso.ini");
    cfg->add_syn = 0;
    friso_set_mode(cfg, (friso_mode_t)mode);
    if (user) {
        friso_dic_add(fr->dic, __LEX_CJK_WORDS__, strdup("新质生产力"), NULL);
        friso_dic_add(fr->dic, __LEX_CJK_WORDS__, strdup("高质量发展"), NULL);
    }
    task = friso_new_task();
    t1 = now();
    friso_set_text(task, text);
    memset(st, 0, len + 1);
    while (cfg->next_token(fr, cfg, task) != NULL)
        if ((size_t)task->token->offset < len)
            st[task->token->offset] = 1;
    report(mode == 2
               ? (user ? "friso complex + user words" : "friso complex (mmseg)")
               : "friso simple (max match)",
           t1 - t0, now() - t1, st, user);
    friso_free_task(task);
    friso_free_config(cfg);
    friso_free(fr);
}

static void run_icu(unsigned char *st)
{
    double t0 = now(), t1;
    UErrorCode err = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &err);
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &err);
    int32_t b;
    t1 = now();
    ubrk_setUText(bi, ut, &err);
    memset(st, 0, len + 1);
    st[0] = 1;
    while ((b = ubrk_next(bi)) != UBRK_DONE)
        st[b] = 1;
    report("ICU 72 word break (zh)", t1 - t0, now() - t1, st, 0);
    ubrk_close(bi);
    utext_close(ut);
}

static void run_quarry(unsigned char *st, int user)
{
    quarry_env *env;
    quarry_tokenizer *tok;
    quarry_tokens *toks;
    const quarry_token *d;
    const quarry_word *w;
    double t0, t1, t2;
    size_t i;
    quarry_env_new(NULL, NULL, &env);
    quarry_tokenizer_new(env, NULL, &tok);
    quarry_tokens_new(env, &toks);
    if (user) {
        quarry_tokenizer_add_word(tok, "新质生产力", strlen("新质生产力"));
        quarry_tokenizer_add_word(tok, "高质量发展", strlen("高质量发展"));
    }
    t0 = now();
    quarry_tokenize(tok, "中文", strlen("中文"), toks); /* loads the dict */
    t1 = now();
    if (quarry_tokenize(tok, text, len, toks) != QUARRY_OK)
        exit(1);
    t2 = now();
    d = quarry_tokens_data(toks);
    w = quarry_tokens_words(toks);
    memset(st, 0, len + 1);
    for (i = 0; i < quarry_tokens_word_count(toks); i++)
        st[d[w[i].first].start] = 1;
    report(user ? "quarry + user words" : "quarry (friso dict, DP)", t1 - t0,
           t2 - t1, st, user);
    quarry_tokens_free(toks);
    quarry_tokenizer_free(tok);
    quarry_env_free(env);
}

/* word starts strictly inside runs of Han chars (no line break around) */
static void agreement(const char *name, const unsigned char *a,
                      const unsigned char *b)
{
    size_t i, both = 0, only_a = 0, only_b = 0;
    for (i = 3; i + 3 <= len; i++) {
        if (!is_han_at(i) || !is_han_at(i - 3))
            continue;
        if (a[i] && b[i])
            both++;
        else if (a[i])
            only_a++;
        else if (b[i])
            only_b++;
    }
    printf("%-28s word starts inside Han runs: %zu shared, %zu only friso, "
           "%zu only other (agreement %.1f%%)\n",
           name, both, only_a, only_b,
           100.0 * (double)both / (double)(both + only_a + only_b));
}

int main(int argc, char **argv)
{
    const char *field = NULL;
    int i = 1;
    if (argc > 3 && strcmp(argv[1], "-j") == 0) {
        field = argv[2];
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: cjk_segmenters [-j field] file\n");
        return 2;
    }
    load(argv[i], field);
    printf("text: %.2f MB\n", (double)len / 1e6);
    starts_friso = malloc(len + 1);
    starts = malloc(len + 1);
    run_friso(2, starts_friso, 0);
    run_friso(2, starts, 1);
    run_friso(1, starts, 0);
    agreement("friso simple vs complex", starts_friso, starts);
    run_icu(starts);
    agreement("ICU vs friso complex", starts_friso, starts);
    run_quarry(starts, 0);
    agreement("quarry vs friso complex", starts_friso, starts);
    run_quarry(starts, 1);
    free(starts_friso);
    free(starts);
    free(text);
    return 0;
}
