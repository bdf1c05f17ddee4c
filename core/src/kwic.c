/*
 * kwic.c - concordance lines: the text before, of and after a hit, cut by
 * tokens, characters or sentences (quarry.h, "Concordance lines").
 *
 * Speed is the point (a million lines a second): the text is read in place
 * from the segment's decompressed block (no copy of the document), token
 * offsets are decoded only for the window around the hit (the offset
 * streams have random access by block), and sentence spans are decoded once
 * per document and kept while hits of the same document follow.
 */
#include "index_internal.h"

#include <string.h>

/* Offsets are decoded in whole blocks of the segment's offset stream. */
#define QI_KWIC_BLOCK 128

struct qi_kwic_scratch {
    qi_buf out;       /* left, hit and right, one after another */
    uint64_t *starts; /* token offsets of the window */
    uint64_t *ends;
    size_t starts_cap, ends_cap;
    /* starts/ends hold the offsets of tokens [win_first, win_end) of
     * document win_doc: whole stream blocks, so that the next hits of the
     * same document (they come in order) reuse them */
    uint64_t win_doc, win_first, win_end;
    quarry_span *sents; /* sentence spans of doc sent_doc */
    size_t sent_n, sent_cap;
    uint64_t sent_doc; /* UINT64_MAX: none cached */
};

void qi_kwic_free(quarry_index *ix)
{
    struct qi_kwic_scratch *k = ix->kwic;
    if (!k)
        return;
    qi_buf_free(ix->env, &k->out);
    qi_free(ix->env, k->starts, k->starts_cap * sizeof *k->starts);
    qi_free(ix->env, k->ends, k->ends_cap * sizeof *k->ends);
    qi_free(ix->env, k->sents, k->sent_cap * sizeof *k->sents);
    qi_free(ix->env, k, sizeof *k);
    ix->kwic = NULL;
}

static int oom(quarry_index *ix)
{
    qi_set_error(ix->errmsg, "out of memory building a concordance line");
    return QUARRY_ENOMEM;
}

/* Appends text with every run of white space written as one space. */
static bool append_collapsed(quarry_env *env, qi_buf *b, const char *s,
                             size_t n)
{
    size_t i = 0;
    if (!qi_buf_reserve(env, b, n))
        return false;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' ||
            c == '\v') {
            size_t j = i + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t' ||
                             s[j] == '\r' || s[j] == '\f' || s[j] == '\v'))
                j++;
            b->data[b->len++] = ' ';
            i = j;
        } else {
            size_t j = i + 1;
            while (j < n && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' &&
                   s[j] != '\r' && s[j] != '\f' && s[j] != '\v')
                j++;
            memcpy(b->data + b->len, s + i, j - i);
            b->len += j - i;
            i = j;
        }
    }
    return true;
}

/* Moves back from byte pos over up to n code points (not before 0). */
static size_t back_chars(const char *s, size_t pos, uint32_t n)
{
    while (n > 0 && pos > 0) {
        pos--;
        while (pos > 0 && ((unsigned char)s[pos] & 0xC0) == 0x80)
            pos--;
        n--;
    }
    return pos;
}

static size_t fwd_chars(const char *s, size_t len, size_t pos, uint32_t n)
{
    while (n > 0 && pos < len) {
        pos++;
        while (pos < len && ((unsigned char)s[pos] & 0xC0) == 0x80)
            pos++;
        n--;
    }
    return pos;
}

static int need_tokens(quarry_index *ix, struct qi_kwic_scratch *k, size_t n)
{
    void *a = k->starts, *b = k->ends;
    bool ok =
        qi_array_reserve(ix->env, &a, &k->starts_cap, n, sizeof(uint64_t));
    k->starts = a;
    ok = ok && qi_array_reserve(ix->env, &b, &k->ends_cap, n, sizeof(uint64_t));
    k->ends = b;
    return ok ? QUARRY_OK : oom(ix);
}

/* Sentence spans of local document doc of s, cached by global id. */
static int load_sentences(quarry_index *ix, struct qi_kwic_scratch *k,
                          qi_ixseg *s, uint64_t local, uint64_t id)
{
    qi_docmeta meta;
    size_t got;
    int rc;
    if (k->sent_doc == id)
        return QUARRY_OK;
    k->sent_doc = UINT64_MAX;
    rc = qi_segment_doc_meta(s->seg, local, &meta);
    if (rc != QUARRY_OK)
        return rc;
    if (meta.sentences > SIZE_MAX / sizeof *k->sents)
        return oom(ix);
    {
        void *p = k->sents;
        if (!qi_array_reserve(ix->env, &p, &k->sent_cap,
                              (size_t)meta.sentences ? (size_t)meta.sentences
                                                     : 1,
                              sizeof *k->sents))
            return oom(ix);
        k->sents = p;
    }
    rc = qi_segment_doc_spans(s->seg, local, 0, 0, (size_t)meta.sentences,
                              k->sents, &got);
    if (rc != QUARRY_OK)
        return rc;
    k->sent_n = got;
    k->sent_doc = id;
    return QUARRY_OK;
}

/* Index of the sentence holding token t (the last one starting at or
 * before t); 0 if there are none. */
static size_t sentence_of(const struct qi_kwic_scratch *k, uint64_t t)
{
    size_t lo = 0, hi = k->sent_n;
    if (hi == 0)
        return 0;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->sents[mid].first <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int quarry_kwic_get(quarry_index *ix, uint64_t doc, uint64_t first,
                    uint64_t end, const quarry_kwic_options *opts,
                    quarry_kwic *out)
{
    struct qi_kwic_scratch *k = ix->kwic;
    quarry_kwic_options def = {QUARRY_KWIC_TOKENS, 8, 8};
    qi_docmeta meta;
    uint64_t local, wfirst, wend;
    const char *text;
    size_t text_len, got, left_from, right_to;
    uint64_t base;
    size_t hit_start, hit_end, l_len, h_len;
    qi_ixseg *s;
    int rc;

    memset(out, 0, sizeof *out);
    out->left = out->hit = out->right = "";
    if (!opts)
        opts = &def;
    if (opts->unit < QUARRY_KWIC_TOKENS || opts->unit > QUARRY_KWIC_SENTENCE) {
        qi_set_error(ix->errmsg, "unknown concordance unit %d", opts->unit);
        return QUARRY_EINVAL;
    }
    s = qi_index_seg_of(ix, doc, &local);
    if (!s) {
        /* messages count from 1, as the Lua API and the CLI do */
        qi_set_error(ix->errmsg,
                     "document %llu out of range (%llu documents; ids count "
                     "from 1)",
                     (unsigned long long)doc + 1,
                     (unsigned long long)ix->doc_limit);
        return QUARRY_EINVAL;
    }
    rc = qi_segment_doc_meta(s->seg, local, &meta);
    if (rc != QUARRY_OK)
        goto seg_fail;
    if (first >= end || end > meta.tokens) {
        qi_set_error(ix->errmsg,
                     "hit %llu..%llu is not a token range of document %llu "
                     "(%llu tokens; positions count from 1)",
                     (unsigned long long)first + 1, (unsigned long long)end,
                     (unsigned long long)doc + 1,
                     (unsigned long long)meta.tokens);
        return QUARRY_EINVAL;
    }
    if (!k) {
        k = qi_calloc(ix->env, 1, sizeof *k);
        if (!k)
            return oom(ix);
        k->sent_doc = UINT64_MAX;
        k->win_doc = UINT64_MAX;
        ix->kwic = k;
    }

    /* the token window whose offsets are needed */
    wfirst = first;
    wend = end;
    if (opts->unit == QUARRY_KWIC_TOKENS) {
        wfirst = first > opts->left ? first - opts->left : 0;
        wend =
            meta.tokens - end > opts->right ? end + opts->right : meta.tokens;
    } else if (opts->unit == QUARRY_KWIC_SENTENCE) {
        size_t a, b;
        rc = load_sentences(ix, k, s, local, doc);
        if (rc != QUARRY_OK)
            goto seg_fail_or_oom;
        if (k->sent_n > 0) {
            a = sentence_of(k, first);
            b = sentence_of(k, end - 1);
            wfirst = k->sents[a].first < first ? k->sents[a].first : first;
            wend = k->sents[b].end > end ? k->sents[b].end : end;
            if (wend > meta.tokens)
                wend = meta.tokens;
        }
    }
    if (k->win_doc != doc || wfirst < k->win_first || wend > k->win_end) {
        /* whole blocks of the offset stream: decoding starts at a block
         * boundary anyway */
        uint64_t a = wfirst - wfirst % QI_KWIC_BLOCK;
        uint64_t b =
            wend + (QI_KWIC_BLOCK - wend % QI_KWIC_BLOCK) % QI_KWIC_BLOCK;
        if (b > meta.tokens)
            b = meta.tokens;
        k->win_doc = UINT64_MAX;
        if (b - a > SIZE_MAX / sizeof(uint64_t))
            return oom(ix);
        rc = need_tokens(ix, k, (size_t)(b - a));
        if (rc != QUARRY_OK)
            return rc;
        rc = qi_segment_doc_tokens(s->seg, local, a, (size_t)(b - a), NULL,
                                   k->starts, k->ends, &got);
        if (rc != QUARRY_OK)
            goto seg_fail;
        if (got != b - a) {
            qi_set_error(ix->errmsg, "document %llu: token offsets cut short",
                         (unsigned long long)doc + 1);
            return QUARRY_ECORRUPT;
        }
        k->win_doc = doc;
        k->win_first = a;
        k->win_end = b;
    }
    base = k->win_first; /* starts[t - base]: offsets of token t */
    rc = qi_segment_doc_text_ref(s->seg, local, &text, &text_len);
    if (rc != QUARRY_OK)
        goto seg_fail;

    hit_start = (size_t)k->starts[first - base];
    hit_end = (size_t)k->ends[end - 1 - base];
    if (hit_end > text_len || hit_start > hit_end) {
        qi_set_error(ix->errmsg, "document %llu: token offsets beyond its text",
                     (unsigned long long)doc);
        return QUARRY_ECORRUPT;
    }
    if (opts->unit == QUARRY_KWIC_CHARS) {
        left_from = back_chars(text, hit_start, opts->left);
        right_to = fwd_chars(text, text_len, hit_end, opts->right);
    } else {
        left_from = (size_t)k->starts[wfirst - base];
        right_to = (size_t)k->ends[wend - 1 - base];
        if (left_from > hit_start)
            left_from = hit_start;
        if (right_to > text_len)
            right_to = text_len;
        if (right_to < hit_end)
            right_to = hit_end;
    }

    k->out.len = 0;
    if (!append_collapsed(ix->env, &k->out, text + left_from,
                          hit_start - left_from))
        return oom(ix);
    l_len = k->out.len;
    if (!append_collapsed(ix->env, &k->out, text + hit_start,
                          hit_end - hit_start))
        return oom(ix);
    h_len = k->out.len - l_len;
    if (!append_collapsed(ix->env, &k->out, text + hit_end,
                          right_to - hit_end) ||
        !qi_buf_terminate(ix->env, &k->out))
        return oom(ix);
    out->left = k->out.data;
    out->left_len = l_len;
    out->hit = k->out.data + l_len;
    out->hit_len = h_len;
    out->right = k->out.data + l_len + h_len;
    out->right_len = k->out.len - l_len - h_len;
    out->start = hit_start;
    out->end = hit_end;
    return QUARRY_OK;

seg_fail_or_oom:
    if (rc == QUARRY_ENOMEM)
        return rc;
seg_fail:
    qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(s->seg));
    return rc;
}
