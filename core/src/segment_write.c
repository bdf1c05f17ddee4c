/*
 * segment_write.c - qi_segbuild_write: turns a builder into a segment file.
 *
 * Steps: sort the terms bytewise (their ordinals), rank them by frequency
 * (the token streams store ranks so that frequent terms take one byte),
 * counting-sort every token occurrence by term to make the postings, then
 * stream every section through one buffered writer that checksums each
 * section as it goes. The file is created with O_EXCL, fsynced and closed;
 * on any failure it is removed again (it is ours: we created it).
 */
#define XXH_STATIC_LINKING_ONLY
#include "huffman.h"
#include "rice.h"
#include "segment_build.h"
#include "segment_format.h"
#include "varint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define OUT_BUF (1u << 20)

typedef struct qs_out {
    qi_segbuild *b;
    int fd;
    const char *path;
    unsigned char *buf;
    size_t len;
    size_t hpos;  /* buf[0, hpos) is checksummed already */
    uint64_t off; /* file offset of buf[0] + len */
    XXH3_state_t *st;
    uint64_t sec_start;
    unsigned char toc[QS_COUNT * QS_TOC_ENTRY];
    size_t nsec;
} qs_out;

/* Checksums the bytes written since the last call: hashing in large runs
 * at flush and section boundaries is much cheaper than one update per
 * small write. */
static void out_hash(qs_out *o)
{
    if (o->len > o->hpos)
        XXH3_64bits_update(o->st, o->buf + o->hpos, o->len - o->hpos);
    o->hpos = o->len;
}

static int out_flush(qs_out *o)
{
    size_t done = 0;
    out_hash(o);
    while (done < o->len) {
        ssize_t w = write(o->fd, o->buf + done, o->len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            qi_set_error(o->b->errmsg, "cannot write %.300s: %s", o->path,
                         strerror(errno));
            return QUARRY_EIO;
        }
        done += (size_t)w;
    }
    o->len = o->hpos = 0;
    return QUARRY_OK;
}

static int out_write(qs_out *o, const void *data, size_t n)
{
    const unsigned char *p = data;
    o->off += n;
    while (n > 0) {
        size_t room = OUT_BUF - o->len, k = n < room ? n : room;
        memcpy(o->buf + o->len, p, k);
        o->len += k;
        p += k;
        n -= k;
        if (o->len == OUT_BUF) {
            int rc = out_flush(o);
            if (rc != QUARRY_OK)
                return rc;
        }
    }
    return QUARRY_OK;
}

static int out_varint(qs_out *o, uint64_t v)
{
    unsigned char t[QI_VARINT_MAX];
    if (o->len + QI_VARINT_MAX < OUT_BUF) {
        size_t k = qi_varint_put(o->buf + o->len, v);
        o->len += k;
        o->off += k;
        return QUARRY_OK;
    }
    return out_write(o, t, qi_varint_put(t, v));
}

static void sec_begin(qs_out *o)
{
    out_hash(o); /* what came before belongs to the previous state */
    o->sec_start = o->off;
    XXH3_64bits_reset(o->st);
}

static void sec_end(qs_out *o, int id)
{
    unsigned char *e = o->toc + o->nsec * QS_TOC_ENTRY;
    out_hash(o);
    qi_store32(e, (uint32_t)id);
    qi_store32(e + 4, (uint32_t)qs_section_part(id));
    qi_store64(e + 8, o->sec_start);
    qi_store64(e + 16, o->off - o->sec_start);
    qi_store64(e + 24, XXH3_64bits_digest(o->st));
    o->nsec++;
}

/* A whole in-memory section. */
static int out_section(qs_out *o, int id, const void *data, size_t len)
{
    int rc;
    sec_begin(o);
    rc = out_write(o, data, len);
    sec_end(o, id);
    return rc;
}

/* A per-document stream (the same layout as qs_put_stream). */
static int out_stream(qs_out *o, const qi_buf *data, const uint32_t *starts,
                      size_t nb)
{
    size_t k;
    int rc = out_varint(o, data->len);
    for (k = 1; rc == QUARRY_OK && k < nb; k++) {
        unsigned char t[4];
        qi_store32(t, starts[k]);
        rc = out_write(o, t, 4);
    }
    if (rc == QUARRY_OK)
        rc = out_write(o, data->data, data->len);
    return rc;
}

/* ---- sorting ------------------------------------------------------------ */

typedef struct qs_sterm {
    uint64_t key; /* first 8 bytes, big-endian, zero-padded */
    const char *p;
    uint32_t len;
    uint32_t id;
} qs_sterm;

static int sterm_cmp(const void *a, const void *b)
{
    const qs_sterm *x = a, *y = b;
    size_t n;
    int c;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    n = x->len < y->len ? x->len : y->len;
    c = n ? memcmp(x->p, y->p, n) : 0;
    if (c)
        return c;
    return x->len < y->len ? -1 : (x->len > y->len ? 1 : 0);
}

/* Sorts the vocab bytewise; ord[id] receives the ordinal of each id and
 * sorted[ordinal] the id. An LSD radix sort on the first 8 bytes (a few
 * linear passes instead of n log n comparisons through a function
 * pointer), then a comparison sort of each run of terms sharing them. */
static bool sort_vocab(quarry_env *env, const quarry_vocab *v, uint32_t *ord,
                       uint32_t *sorted)
{
    size_t n = quarry_vocab_size(v), i, k, cap = n ? n : 1;
    qs_sterm *a = qi_alloc(env, cap * sizeof *a);
    qs_sterm *tmp = qi_alloc(env, cap * sizeof *tmp);
    if (!a || !tmp) {
        qi_free(env, a, a ? cap * sizeof *a : 0);
        qi_free(env, tmp, tmp ? cap * sizeof *tmp : 0);
        return false;
    }
    for (i = 0; i < n; i++) {
        size_t len;
        const char *s = quarry_vocab_term(v, (uint32_t)i, &len);
        uint64_t key = 0;
        for (k = 0; k < 8; k++)
            key = (key << 8) | (k < len ? (unsigned char)s[k] : 0);
        a[i].key = key;
        a[i].p = s;
        a[i].len = (uint32_t)len;
        a[i].id = (uint32_t)i;
    }
    for (k = 0; k < 64; k += 8) {
        size_t count[256] = {0}, sum = 0;
        qs_sterm *t;
        for (i = 0; i < n; i++)
            count[(a[i].key >> k) & 255]++;
        if (n && count[(a[0].key >> k) & 255] == n)
            continue; /* one digit value: the pass would not move anything */
        for (i = 0; i < 256; i++) {
            size_t c = count[i];
            count[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            tmp[count[(a[i].key >> k) & 255]++] = a[i];
        t = a;
        a = tmp;
        tmp = t;
    }
    for (i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && a[j].key == a[i].key)
            j++;
        if (j - i > 1)
            qsort(a + i, j - i, sizeof *a, sterm_cmp);
        i = j;
    }
    for (i = 0; i < n; i++) {
        ord[a[i].id] = (uint32_t)i;
        sorted[i] = a[i].id;
    }
    qi_free(env, a, cap * sizeof *a);
    qi_free(env, tmp, cap * sizeof *tmp);
    return true;
}

typedef struct qs_rterm {
    uint32_t ord;
    uint32_t id;
} qs_rterm;

/* A frequency class: log2 of the count with two more bits of precision.
 * Ranks only need to put frequent terms first (so that their varints are
 * short); the order inside a class does not matter, and a counting sort
 * over 256 classes is linear. */
static unsigned freq_class(uint64_t c)
{
    unsigned e = 0;
    while (e < 63 && (c >> (e + 1)) != 0)
        e++;
    return e * 4 + (e >= 2 ? (unsigned)(c >> (e - 2)) & 3 : 0);
}

/* ---- the sections ----------------------------------------------------- */

/* Dictionary encoder state (terms or words). */
typedef struct qs_dict {
    qi_buf index; /* QS_DICT_INDEX_ENTRY per block */
    const char *prev;
    size_t prev_len;
    uint64_t n;
} qs_dict;

static int dict_add(qs_out *o, qs_dict *d, const char *t, size_t len,
                    uint64_t df, uint64_t cf, int with_postings,
                    uint64_t postings_off, uint64_t postings_len)
{
    int rc;
    if (d->n % QS_DICT_BLOCK == 0) {
        unsigned char e[QS_DICT_INDEX_ENTRY];
        qi_store64(e, o->off - o->sec_start);
        qi_store64(e + 8, postings_off);
        if (!qi_buf_append(o->b->env, &d->index, e, sizeof e))
            return QUARRY_ENOMEM;
        rc = out_varint(o, len);
        if (rc == QUARRY_OK)
            rc = out_write(o, t, len);
    } else {
        size_t shared = 0, m = d->prev_len < len ? d->prev_len : len;
        while (shared < m && d->prev[shared] == t[shared])
            shared++;
        rc = out_varint(o, shared);
        if (rc == QUARRY_OK)
            rc = out_varint(o, len - shared);
        if (rc == QUARRY_OK)
            rc = out_write(o, t + shared, len - shared);
    }
    if (rc == QUARRY_OK)
        rc = out_varint(o, df);
    if (rc == QUARRY_OK)
        rc = out_varint(o, cf - df);
    if (rc == QUARRY_OK && with_postings)
        rc = out_varint(o, postings_len);
    d->prev = t;
    d->prev_len = len;
    d->n++;
    return rc;
}

typedef struct qs_wctx {
    qi_segbuild *b;
    quarry_env *env;
    size_t nterms, nw;
    uint32_t *ord, *sorted, *rank; /* by vocab id / ordinal / vocab id */
    qs_rterm *ranked;              /* terms in rank order */
    uint32_t *word_ord, *word_sorted, *word_rank;
    uint32_t *word_ranked; /* word ordinal by rank */
    uint64_t *word_df, *word_last;
    uint64_t *start; /* per ordinal: first entry in entries; nterms + 1 */
    /* occurrences grouped by ordinal: doc << pos_bits | position in 32
     * bits when both fit (nearly always: half the memory and page faults
     * of the scatter), else doc << 32 | position in 64 bits */
    void *entries;
    size_t esize; /* 4 or 8 */
    unsigned pos_bits;
    uint64_t *df, *plen;
    qi_buf blk_docs, blk_pos, data;
    uint32_t *starts;
    size_t starts_cap;
    uint8_t *hlen;   /* Huffman code length per token symbol */
    uint32_t *hcode; /* its code, bit-reversed */
    size_t hsyms;    /* symbols: min(terms, QI_HUFF_SYMBOLS) */
    uint64_t *pvals; /* one term's position values while it is encoded */
    size_t pvals_cap;
} qs_wctx;

static bool reserve_starts(qs_wctx *w, size_t n)
{
    void *p = w->starts;
    bool ok =
        qi_array_reserve(w->env, &p, &w->starts_cap, n + 1, sizeof *w->starts);
    w->starts = p;
    return ok;
}

static bool buf_varint(quarry_env *env, qi_buf *b, uint64_t v)
{
    if (b->len + QI_VARINT_MAX >= b->cap &&
        !qi_buf_reserve(env, b, QI_VARINT_MAX))
        return false;
    b->len += qi_varint_put((unsigned char *)b->data + b->len, v);
    return true;
}

/* The Rice parameter with the fewest bits for n values of sum `sum`:
 * log2 of the mean, give or take one, costed exactly in one pass. */
static unsigned rice_k(const uint64_t *v, size_t n, uint64_t sum)
{
    uint64_t mean = n ? sum / n : 0, c[3] = {0, 0, 0}, best;
    unsigned k0 = mean ? qi_bitlen(mean) - 1 : 0, j, bk;
    size_t i;
    if (k0 == 0)
        k0 = 1; /* candidates k0 - 1 .. k0 + 1 */
    if (k0 > 31)
        k0 = 31;
    for (i = 0; i < n; i++) {
        uint64_t x = v[i] >> (k0 - 1);
        for (j = 0; j < 3; j++, x >>= 1) {
            if (x < QI_RICE_ESC)
                c[j] += x;
            else
                c[j] += QI_RICE_ESC + 6 + qi_bitlen(v[i]) - (k0 - 1 + j) - 1;
        }
    }
    /* fixed part: the zero bit and k low bits per value (escapes were
     * credited above so that the sum stays exact) */
    best = UINT64_MAX;
    bk = k0;
    for (j = 0; j < 3; j++) {
        uint64_t bits = c[j] + (uint64_t)n * (1 + k0 - 1 + j);
        if (bits < best) {
            best = bits;
            bk = k0 - 1 + j;
        }
    }
    return bk;
}

/* Postings of one term: entries[0, c) sorted by (doc, position). Blocks of
 * QS_POSTINGS_BLOCK documents: header varint(last doc - base),
 * varint(docs length), varint(positions length); then the docs part
 * (per doc: varint(delta << 1 | freq == 1), varint(freq - 2) if freq > 1;
 * delta = doc - base for the first doc, doc - previous - 1 after) and the
 * positions part: a byte k, then per doc its first position and the gaps
 * - 1 after it, Rice-coded with parameter k (rice.h). */
static int write_postings(qs_out *o, qs_wctx *w, uint64_t first, uint64_t c,
                          uint64_t *df_out)
{
    uint64_t i = 0, base = 0, df = 0;
    const uint32_t *e32 = (const uint32_t *)w->entries + first;
    const uint64_t *e64 = (const uint64_t *)w->entries + first;
    const unsigned pb = w->pos_bits;
    const uint64_t pmask = ((uint64_t)1 << pb) - 1;
    const int narrow = w->esize == 4;
    int rc = QUARRY_OK;
#define EDOC(x) (narrow ? (uint64_t)e32[x] >> pb : e64[x] >> 32)
#define EPOS(x) (narrow ? (uint64_t)e32[x] & pmask : e64[x] & 0xffffffffu)
    if (!qi_buf_reserve(w->env, &w->blk_docs,
                        QS_POSTINGS_BLOCK * 2 * QI_VARINT_MAX) ||
        !qi_buf_reserve(w->env, &w->blk_pos,
                        (size_t)c * QI_RICE_MAX_BYTES + 16))
        return QUARRY_ENOMEM;
    if (c > w->pvals_cap) {
        void *p = w->pvals;
        if (!qi_array_reserve(w->env, &p, &w->pvals_cap, (size_t)c,
                              sizeof *w->pvals))
            return QUARRY_ENOMEM;
        w->pvals = p;
    }
    while (i < c && rc == QUARRY_OK) {
        uint64_t ndocs = 0, prev = 0, last = 0, sum = 0;
        unsigned char *dp = (unsigned char *)w->blk_docs.data;
        size_t dl, pl, nv = 0, j;
        unsigned k;
        qi_bitw bw;
        while (i < c && ndocs < QS_POSTINGS_BLOCK) {
            uint64_t doc = EDOC(i), f, delta, pv;
            size_t end = (size_t)i + 1;
            while (end < c && EDOC(end) == doc)
                end++;
            f = end - i;
            delta = ndocs == 0 ? doc - base : doc - prev - 1;
            dp += qi_varint_put(dp, delta << 1 | (f == 1));
            if (f > 1)
                dp += qi_varint_put(dp, f - 2);
            pv = EPOS(i);
            w->pvals[nv++] = pv;
            sum += pv;
            for (i++; i < end; i++) {
                uint64_t p = EPOS(i);
                w->pvals[nv++] = p - pv - 1;
                sum += p - pv - 1;
                pv = p;
            }
            prev = last = doc;
            ndocs++;
        }
        df += ndocs;
        k = rice_k(w->pvals, nv, sum);
        w->blk_pos.data[0] = (char)k;
        /* qi_bitw stores whole words: room for 8 more bytes is reserved */
        bw.p = (unsigned char *)w->blk_pos.data + 1;
        bw.acc = 0;
        bw.n = 0;
        for (j = 0; j < nv; j++)
            qi_rice_put(&bw, w->pvals[j], k);
        qi_bitw_flush(&bw);
        dl = (size_t)(dp - (unsigned char *)w->blk_docs.data);
        pl = (size_t)(bw.p - (unsigned char *)w->blk_pos.data);
        rc = out_varint(o, last - base);
        if (rc == QUARRY_OK)
            rc = out_varint(o, dl);
        if (rc == QUARRY_OK)
            rc = out_varint(o, pl);
        if (rc == QUARRY_OK)
            rc = out_write(o, w->blk_docs.data, dl);
        if (rc == QUARRY_OK)
            rc = out_write(o, w->blk_pos.data, pl);
        base = last + 1;
    }
    *df_out = df;
    return rc;
#undef EDOC
#undef EPOS
}

/* Counting sort of all occurrences by term ordinal. */
static int make_entries(qs_wctx *w)
{
    qi_segbuild *b = w->b;
    size_t t, d;
    uint64_t acc = 0, maxtok = 0;
    uint64_t *pos;
    unsigned doc_bits;
    for (d = 0; d < b->ndocs; d++)
        if (b->docs[d].tokens > maxtok)
            maxtok = b->docs[d].tokens;
    w->pos_bits = maxtok ? qi_bitlen(maxtok - 1) : 0;
    doc_bits = b->ndocs ? qi_bitlen(b->ndocs - 1) : 0;
    w->esize = doc_bits + w->pos_bits <= 32 ? 4 : 8;
    w->start = qi_alloc(w->env, (w->nterms + 1) * sizeof *w->start);
    w->entries = qi_alloc(w->env, (b->ids_len ? b->ids_len : 1) * w->esize);
    if (!w->start || !w->entries)
        return QUARRY_ENOMEM;
    for (t = 0; t < w->nterms; t++) {
        w->start[t] = acc;
        acc += b->cf[w->sorted[t]];
    }
    w->start[w->nterms] = acc;
    /* plen is free until the dictionary is written: use it as the fill
     * pointers */
    pos = w->plen;
    memcpy(pos, w->start, w->nterms * sizeof *pos);
    for (d = 0; d < b->ndocs; d++) {
        const uint32_t *ids = b->ids + b->docs[d].token_base;
        uint64_t n = b->docs[d].tokens, i;
        /* the stores land all over a large array: prefetching the slot a
         * few tokens ahead hides some of the miss */
        if (w->esize == 4) {
            uint32_t *e = w->entries,
                     hi = (uint32_t)((uint64_t)d << w->pos_bits);
            for (i = 0; i + 16 < n; i++) {
                __builtin_prefetch(&e[pos[w->ord[ids[i + 16]]]], 1, 0);
                e[pos[w->ord[ids[i]]]++] = hi | (uint32_t)i;
            }
            for (; i < n; i++)
                e[pos[w->ord[ids[i]]]++] = hi | (uint32_t)i;
        } else {
            uint64_t *e = w->entries, hi = (uint64_t)d << 32;
            for (i = 0; i + 16 < n; i++) {
                __builtin_prefetch(&e[pos[w->ord[ids[i + 16]]]], 1, 0);
                e[pos[w->ord[ids[i]]]++] = hi | i;
            }
            for (; i < n; i++)
                e[pos[w->ord[ids[i]]]++] = hi | i;
        }
    }
    return QUARRY_OK;
}

/* Token streams: per block of QS_STREAM_BLOCK tokens, a byte-aligned bit
 * stream of the ranks' Huffman codes (huffman.h); a rank beyond the direct
 * symbols is the escape code, 5 bits L and the L low bits of
 * (rank - escape + 1). */
static int write_tokens(qs_out *o, qs_wctx *w)
{
    qi_segbuild *b = w->b;
    size_t d;
    int rc = QUARRY_OK;
    const int esc = w->nterms > QI_HUFF_SYMBOLS;
    const uint32_t esym = QI_HUFF_SYMBOLS - 1;
    sec_begin(o);
    for (d = 0; d < b->ndocs && rc == QUARRY_OK; d++) {
        qs_bdoc *doc = &b->docs[d];
        const uint32_t *ids = b->ids + doc->token_base;
        uint64_t i, n = doc->tokens;
        size_t nb = (size_t)((n + QS_STREAM_BLOCK - 1) / QS_STREAM_BLOCK);
        unsigned char *p;
        doc->tokens_off = o->off - o->sec_start;
        w->data.len = 0;
        /* at most 7 bytes a token (20 + 5 + 31 bits), 8 of slack a block */
        if (!reserve_starts(w, nb) ||
            !qi_buf_reserve(w->env, &w->data, (size_t)n * 7 + nb * 8 + 8))
            return QUARRY_ENOMEM;
        p = (unsigned char *)w->data.data;
        for (i = 0; i < n;) {
            uint64_t stop = n - i < QS_STREAM_BLOCK ? n : i + QS_STREAM_BLOCK;
            size_t off = (size_t)(p - (unsigned char *)w->data.data);
            qi_bitw bw;
            if (off > UINT32_MAX)
                return QUARRY_ELIMIT;
            w->starts[i / QS_STREAM_BLOCK] = (uint32_t)off;
            bw.p = p;
            bw.acc = 0;
            bw.n = 0;
            for (; i < stop; i++) {
                uint32_t r = w->rank[ids[i]];
                if (!esc || r < esym) {
                    qi_bitw_put(&bw, w->hcode[r], w->hlen[r]);
                } else {
                    uint64_t x1 = (uint64_t)(r - esym) + 1;
                    unsigned l = qi_bitlen(x1) - 1;
                    qi_bitw_put(&bw, w->hcode[esym], w->hlen[esym]);
                    qi_bitw_put(&bw, l, 5);
                    if (l)
                        qi_bitw_put(&bw, x1 & (((uint64_t)1 << l) - 1), l);
                }
            }
            qi_bitw_flush(&bw);
            p = bw.p;
        }
        w->data.len = (size_t)(p - (unsigned char *)w->data.data);
        rc = out_stream(o, &w->data, w->starts, nb);
    }
    sec_end(o, QS_TOKENS);
    return rc;
}

/* Spans or words of one document as a stream: per block varint(end of the
 * previous item), then per span varint((end - first) << 1 | gap != 0) and
 * varint(gap = first - previous end) if not 0; per word the packed form of
 * qs_word_get (segment_internal.h). */
static int write_spans(qs_out *o, qs_wctx *w, const quarry_span *spans,
                       const qs_bword *words, uint64_t n, uint64_t doc)
{
    uint64_t i, prev = 0;
    size_t nb = (size_t)((n + QS_STREAM_BLOCK - 1) / QS_STREAM_BLOCK);
    w->data.len = 0;
    if (!reserve_starts(w, nb))
        return QUARRY_ENOMEM;
    for (i = 0; i < n; i++) {
        uint64_t first = spans ? spans[i].first : words[i].first;
        uint64_t end = spans ? spans[i].end : words[i].end;
        if (i % QS_STREAM_BLOCK == 0) {
            if (w->data.len > UINT32_MAX)
                return QUARRY_ELIMIT;
            w->starts[i / QS_STREAM_BLOCK] = (uint32_t)w->data.len;
            if (!buf_varint(w->env, &w->data, prev))
                return QUARRY_ENOMEM;
        }
        if (words) {
            uint32_t id = words[i].id;
            uint64_t l1 = end - first - 1; /* words are never empty */
            if (!buf_varint(w->env, &w->data,
                            (uint64_t)w->word_rank[id] << 3 |
                                (uint64_t)(first != prev) << 2 |
                                (l1 < 3 ? l1 : 3)) ||
                (l1 >= 3 && !buf_varint(w->env, &w->data, l1 - 3)) ||
                (first != prev && !buf_varint(w->env, &w->data, first - prev)))
                return QUARRY_ENOMEM;
            if (w->word_last[id] != doc + 1) {
                w->word_last[id] = doc + 1;
                w->word_df[id]++;
            }
        } else if (!buf_varint(w->env, &w->data,
                               (end - first) << 1 | (first != prev)) ||
                   (first != prev &&
                    !buf_varint(w->env, &w->data, first - prev))) {
            return QUARRY_ENOMEM;
        }
        prev = end;
    }
    return out_stream(o, &w->data, w->starts, nb);
}

static int write_structure(qs_out *o, qs_wctx *w)
{
    qi_segbuild *b = w->b;
    size_t d;
    int rc = QUARRY_OK;
    sec_begin(o);
    for (d = 0; d < b->ndocs && rc == QUARRY_OK; d++) {
        qs_bdoc *doc = &b->docs[d];
        const quarry_span *sp = b->spans + doc->span_base;
        doc->struct_off = o->off - o->sec_start;
        rc = write_spans(o, w, sp, NULL, doc->sentences, d);
        if (rc == QUARRY_OK)
            rc = write_spans(o, w, sp + doc->sentences, NULL, doc->paragraphs,
                             d);
        if (rc == QUARRY_OK)
            rc = write_spans(o, w, NULL, b->words + doc->word_base, doc->words,
                             d);
    }
    sec_end(o, QS_STRUCTURE);
    return rc;
}

static int write_dict(qs_out *o, qs_wctx *w, int words)
{
    const quarry_vocab *v = words ? w->b->wterms : w->b->terms;
    const uint32_t *sorted = words ? w->word_sorted : w->sorted;
    size_t i, n = words ? w->nw : w->nterms;
    qs_dict d;
    uint64_t poff = 0;
    int rc = QUARRY_OK;
    memset(&d, 0, sizeof d);
    sec_begin(o);
    for (i = 0; i < n && rc == QUARRY_OK; i++) {
        uint32_t id = sorted[i];
        size_t len;
        const char *t = quarry_vocab_term(v, id, &len);
        uint64_t cf = words ? quarry_vocab_count(v, id) : w->b->cf[id];
        if (words)
            rc = dict_add(o, &d, t, len, w->word_df[id], cf, 0, 0, 0);
        else {
            rc = dict_add(o, &d, t, len, w->df[i], cf, 1, poff, w->plen[i]);
            poff += w->plen[i];
        }
    }
    sec_end(o, words ? QS_WORDS : QS_TERMS);
    if (rc == QUARRY_OK)
        rc = out_section(o, words ? QS_WORD_INDEX : QS_TERM_INDEX, d.index.data,
                         d.index.len);
    qi_buf_free(w->env, &d.index);
    return rc;
}

static int write_doctable(qs_out *o, qs_wctx *w)
{
    qi_segbuild *b = w->b;
    size_t d;
    int rc = QUARRY_OK;
    sec_begin(o);
    for (d = 0; d < b->ndocs && rc == QUARRY_OK; d++) {
        const qs_bdoc *x = &b->docs[d];
        unsigned char e[QS_DOC_SIZE];
        qi_store64(e + 8 * QS_D_SOURCE, x->source_off);
        qi_store64(e + 8 * QS_D_RECORD, x->record);
        qi_store64(e + 8 * QS_D_HASH, x->hash);
        qi_store64(e + 8 * QS_D_TOKENS, x->tokens);
        qi_store64(e + 8 * QS_D_TEXT, x->text_bytes);
        qi_store64(e + 8 * QS_D_SENTENCES, x->sentences);
        qi_store64(e + 8 * QS_D_PARAGRAPHS, x->paragraphs);
        qi_store64(e + 8 * QS_D_WORDS, x->words);
        qi_store64(e + 8 * QS_D_NFIELDS, x->nfields);
        qi_store64(e + 8 * QS_D_FIELDS, x->fields_off);
        qi_store64(e + 8 * QS_D_TOKSTREAM, x->tokens_off);
        qi_store64(e + 8 * QS_D_OFFSTREAM, x->offsets_off);
        qi_store64(e + 8 * QS_D_STRUCT, x->struct_off);
        qi_store64(e + 8 * QS_D_STORE_BLOCK, x->store_block);
        qi_store64(e + 8 * QS_D_STORE_OFF, x->store_off);
        rc = out_write(o, e, sizeof e);
    }
    sec_end(o, QS_DOCTABLE);
    return rc;
}

static int write_all(qs_out *o, qs_wctx *w, uint64_t segment_id)
{
    qi_segbuild *b = w->b;
    unsigned char h[QS_HEADER_SIZE], f[QS_FOOTER_SIZE];
    uint64_t hxxh, toc_off;
    size_t t;
    int rc;

    memset(h, 0, sizeof h);
    memcpy(h + QS_H_MAGIC, QS_MAGIC, QS_MAGIC_LEN);
    qi_store32(h + QS_H_VERSION, QUARRY_FORMAT_VERSION);
    qi_store32(h + QS_H_HSIZE, QS_HEADER_SIZE);
    qi_store64(h + QS_H_SEGID, segment_id);
    qi_store64(h + QS_H_DOCS, b->ndocs);
    qi_store64(h + QS_H_TOKENS, b->ids_len);
    qi_store64(h + QS_H_TERMS, w->nterms);
    qi_store64(h + QS_H_WORDS, w->nw);
    qi_store32(h + QS_H_NSEC, QS_COUNT - 1);
    hxxh = XXH3_64bits(h, sizeof h);
    rc = out_write(o, h, sizeof h);

    if (rc == QUARRY_OK)
        rc = out_section(o, QS_SOURCES, b->sources.data, b->sources.len);
    if (rc == QUARRY_OK)
        rc = out_section(o, QS_FIELD_NAMES, b->fnames_blob.data,
                         b->fnames_blob.len);
    if (rc == QUARRY_OK)
        rc = out_section(o, QS_FIELDS, b->fields.data, b->fields.len);
    if (rc == QUARRY_OK)
        rc = out_section(o, QS_STORE, b->store.data, b->store.len);
    if (rc == QUARRY_OK)
        rc = out_section(o, QS_STORE_INDEX, b->store_index.data,
                         b->store_index.len);
    if (rc == QUARRY_OK)
        rc = out_section(o, QS_OFFSETS, b->offsets.data, b->offsets.len);
    if (rc == QUARRY_OK)
        rc = write_tokens(o, w);
    if (rc == QUARRY_OK) {
        /* rank -> (ordinal, length) */
        sec_begin(o);
        for (t = 0; t < w->nterms && rc == QUARRY_OK; t++) {
            unsigned char e[QS_RANK_ENTRY];
            size_t len;
            quarry_vocab_term(b->terms, w->ranked[t].id, &len);
            qi_store32(e, w->ranked[t].ord);
            qi_store16(e + 4, (uint16_t)len);
            rc = out_write(o, e, sizeof e);
        }
        sec_end(o, QS_RANKS);
    }
    if (rc == QUARRY_OK)
        rc = out_section(o, QS_TOKEN_CODES, w->hlen, w->hsyms);
    if (rc == QUARRY_OK)
        rc = write_structure(o, w);
    if (rc == QUARRY_OK) {
        rc = make_entries(w);
        sec_begin(o);
        for (t = 0; t < w->nterms && rc == QUARRY_OK; t++) {
            uint64_t before = o->off;
            rc = write_postings(o, w, w->start[t],
                                w->start[t + 1] - w->start[t], &w->df[t]);
            w->plen[t] = o->off - before;
        }
        sec_end(o, QS_POSTINGS);
        /* the entries are the largest transient: give them back early */
        qi_free(w->env, w->entries, (b->ids_len ? b->ids_len : 1) * w->esize);
        w->entries = NULL;
    }
    if (rc == QUARRY_OK)
        rc = write_dict(o, w, 0);
    if (rc == QUARRY_OK)
        rc = write_dict(o, w, 1);
    if (rc == QUARRY_OK) {
        size_t r;
        sec_begin(o);
        for (r = 0; r < w->nw && rc == QUARRY_OK; r++) {
            unsigned char e[4];
            qi_store32(e, w->word_ranked[r]);
            rc = out_write(o, e, 4);
        }
        sec_end(o, QS_WORD_RANKS);
    }
    if (rc == QUARRY_OK)
        rc = write_doctable(o, w);
    if (rc != QUARRY_OK)
        return rc;
    toc_off = o->off;
    XXH3_64bits_reset(o->st);
    rc = out_write(o, o->toc, o->nsec * QS_TOC_ENTRY);
    if (rc != QUARRY_OK)
        return rc;
    qi_store64(f + QS_F_TOC_OFF, toc_off);
    qi_store64(f + QS_F_TOC_LEN, o->nsec * QS_TOC_ENTRY);
    qi_store64(f + QS_F_TOC_XXH, XXH3_64bits(o->toc, o->nsec * QS_TOC_ENTRY));
    qi_store64(f + QS_F_HDR_XXH, hxxh);
    memcpy(f + QS_F_MAGIC, QS_FOOTER_MAGIC, QS_MAGIC_LEN);
    rc = out_write(o, f, sizeof f);
    if (rc == QUARRY_OK)
        rc = out_flush(o);
    return rc;
}

static void wctx_free(qs_wctx *w)
{
    quarry_env *env = w->env;
    size_t n = w->nterms ? w->nterms : 1, nw = w->nw ? w->nw : 1;
    qi_free(env, w->ord, n * 4);
    qi_free(env, w->sorted, n * 4);
    qi_free(env, w->rank, n * 4);
    qi_free(env, w->ranked, n * sizeof *w->ranked);
    qi_free(env, w->df, n * 8);
    qi_free(env, w->plen, n * 8);
    qi_free(env, w->start, (w->nterms + 1) * sizeof *w->start);
    qi_free(env, w->entries, (w->b->ids_len ? w->b->ids_len : 1) * w->esize);
    qi_free(env, w->word_ord, nw * 4);
    qi_free(env, w->word_sorted, nw * 4);
    qi_free(env, w->word_rank, nw * 4);
    qi_free(env, w->word_ranked, nw * 4);
    qi_free(env, w->word_df, nw * 8);
    qi_free(env, w->word_last, nw * 8);
    qi_free(env, w->starts, w->starts_cap * sizeof *w->starts);
    qi_free(env, w->pvals, w->pvals_cap * sizeof *w->pvals);
    qi_free(env, w->hlen, (w->hsyms ? w->hsyms : 1) * sizeof *w->hlen);
    qi_free(env, w->hcode, (w->hsyms ? w->hsyms : 1) * sizeof *w->hcode);
    qi_buf_free(env, &w->blk_docs);
    qi_buf_free(env, &w->blk_pos);
    qi_buf_free(env, &w->data);
}

static int prepare(qs_wctx *w)
{
    quarry_env *env = w->env;
    size_t n = w->nterms ? w->nterms : 1, nw = w->nw ? w->nw : 1, t;
    w->ord = qi_alloc(env, n * 4);
    w->sorted = qi_alloc(env, n * 4);
    w->rank = qi_alloc(env, n * 4);
    w->df = qi_calloc(env, n, 8);
    w->plen = qi_calloc(env, n, 8);
    w->word_ord = qi_alloc(env, nw * 4);
    w->word_sorted = qi_alloc(env, nw * 4);
    w->word_rank = qi_alloc(env, nw * 4);
    w->word_ranked = qi_alloc(env, nw * 4);
    w->word_df = qi_calloc(env, nw, 8);
    w->word_last = qi_calloc(env, nw, 8);
    if (!w->ord || !w->sorted || !w->rank || !w->df || !w->plen ||
        !w->word_ord || !w->word_sorted || !w->word_df || !w->word_last ||
        !w->word_rank || !w->word_ranked)
        return QUARRY_ENOMEM;
    if (!sort_vocab(env, w->b->terms, w->ord, w->sorted) ||
        !sort_vocab(env, w->b->wterms, w->word_ord, w->word_sorted))
        return QUARRY_ENOMEM;
    {
        /* ranks: by frequency class descending, then id */
        size_t count[256] = {0}, sum = 0;
        int c;
        qs_rterm *r = qi_calloc(env, n, sizeof *r);
        if (!r)
            return QUARRY_ENOMEM;
        w->ranked = r;
        for (t = 0; t < w->nterms; t++)
            count[freq_class(w->b->cf[t])]++;
        for (c = 255; c >= 0; c--) {
            size_t k = count[c];
            count[c] = sum;
            sum += k;
        }
        for (t = 0; t < w->nterms; t++) {
            size_t rk = count[freq_class(w->b->cf[t])]++;
            r[rk].id = (uint32_t)t;
            r[rk].ord = w->ord[t];
            w->rank[t] = (uint32_t)rk;
        }
    }
    {
        /* word-layer ranks, the same way (counts from the word vocab) */
        size_t count[256] = {0}, sum = 0;
        int c;
        for (t = 0; t < w->nw; t++)
            count[freq_class(quarry_vocab_count(w->b->wterms, (uint32_t)t))]++;
        for (c = 255; c >= 0; c--) {
            size_t k = count[c];
            count[c] = sum;
            sum += k;
        }
        for (t = 0; t < w->nw; t++) {
            size_t rk = count[freq_class(
                quarry_vocab_count(w->b->wterms, (uint32_t)t))]++;
            w->word_rank[t] = (uint32_t)rk;
            w->word_ranked[rk] = w->word_ord[t];
        }
    }
    {
        /* the token code: direct symbols for the most frequent ranks, the
         * last symbol standing for every rarer one when there are more */
        size_t ns = w->nterms < QI_HUFF_SYMBOLS ? w->nterms : QI_HUFF_SYMBOLS;
        uint64_t *freq;
        w->hsyms = ns;
        w->hlen = qi_calloc(env, ns ? ns : 1, sizeof *w->hlen);
        w->hcode = qi_calloc(env, ns ? ns : 1, sizeof *w->hcode);
        freq = qi_calloc(env, ns ? ns : 1, sizeof *freq);
        if (!w->hlen || !w->hcode || !freq) {
            qi_free(env, freq, freq ? (ns ? ns : 1) * sizeof *freq : 0);
            return QUARRY_ENOMEM;
        }
        for (t = 0; t < w->nterms; t++) {
            size_t r = t < ns ? t : ns - 1;
            freq[r] += w->b->cf[w->ranked[t].id];
        }
        if (ns && !qi_huff_lengths(env, freq, ns, w->hlen)) {
            qi_free(env, freq, ns * sizeof *freq);
            return QUARRY_ENOMEM;
        }
        qi_huff_codes(w->hlen, ns, w->hcode);
        qi_free(env, freq, (ns ? ns : 1) * sizeof *freq);
    }
    return QUARRY_OK;
}

int qi_segbuild_write(qi_segbuild *b, const char *path, uint64_t segment_id)
{
    XXH3_state_t st;
    qs_out o;
    qs_wctx w;
    int rc;

    if (b->state != 0) {
        qi_set_error(b->errmsg, "segment builder: write after write or "
                                "failure");
        return QUARRY_EINVAL;
    }
    b->state = 1;
    rc = qs_build_flush_store(b);
    if (rc != QUARRY_OK)
        return rc;
    memset(&w, 0, sizeof w);
    w.b = b;
    w.env = b->env;
    w.nterms = quarry_vocab_size(b->terms);
    w.nw = quarry_vocab_size(b->wterms);
    memset(&o, 0, sizeof o);
    o.b = b;
    o.path = path;
    o.st = &st;
    XXH3_64bits_reset(&st); /* the header goes through it uncounted */
    o.fd = -1;
    rc = prepare(&w);
    if (rc == QUARRY_OK) {
        o.buf = qi_alloc(b->env, OUT_BUF);
        if (!o.buf)
            rc = QUARRY_ENOMEM;
    }
    if (rc == QUARRY_OK) {
        o.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (o.fd < 0) {
            int e = errno;
            qi_set_error(b->errmsg, "cannot create %.300s: %s", path,
                         strerror(e));
            rc = e == ENOENT ? QUARRY_ENOENT : QUARRY_EIO;
            goto done;
        }
        rc = write_all(&o, &w, segment_id);
        if (rc == QUARRY_OK && fsync(o.fd) != 0) {
            qi_set_error(b->errmsg, "cannot fsync %.300s: %s", path,
                         strerror(errno));
            rc = QUARRY_EIO;
        }
        if (close(o.fd) != 0 && rc == QUARRY_OK) {
            qi_set_error(b->errmsg, "cannot close %.300s: %s", path,
                         strerror(errno));
            rc = QUARRY_EIO;
        }
        if (rc != QUARRY_OK)
            unlink(path);
    }
done:
    if (rc == QUARRY_ENOMEM)
        qi_set_error(b->errmsg, "segment writer: out of memory writing %.300s",
                     path);
    else if (rc == QUARRY_ELIMIT)
        qi_set_error(b->errmsg,
                     "segment writer: a document is too large "
                     "for one segment (%.300s)",
                     path);
    qi_free(b->env, o.buf, OUT_BUF);
    wctx_free(&w);
    return rc;
}
