/*
 * segment_verify.c - qi_segment_verify: every checksum and the whole
 * structure of a segment (what quarry_index_check asks for).
 *
 * Checked: section checksums and non-overlap; both dictionaries strictly
 * increasing, their block indexes matching the blocks, postings lists
 * contiguous and covering the postings section; every postings list
 * decodes (documents ascending and < doc_count, positions ascending and <
 * the document's tokens, doc_freq and coll_freq as the dictionary says);
 * every document's streams decode with block tables that match the data,
 * offsets inside the text, spans and words inside the tokens; the
 * occurrences per term in the token streams equal the dictionary's
 * coll_freq, and the postings' frequencies per document add up to its
 * tokens; word-layer counts agree with the word dictionary; fields decode;
 * every stored-text block decompresses to its size and holds its documents.
 */
#include "segment_internal.h"

#include <string.h>

typedef struct vstate {
    qi_segment *seg;
    uint64_t *term_cf;   /* per ordinal: occurrences in the token streams */
    uint64_t *doc_sum;   /* per doc: frequencies summed over postings */
    uint64_t *word_cf;   /* per word ordinal: units in the streams */
    uint64_t *word_df;   /* documents containing it */
    uint64_t *word_last; /* doc + 1 of the last document counted */
} vstate;

/* Every section's checksum, through the readers' lazy check (a section
 * already checked is not hashed again; all are marked checked after). */
static int check_sections(qi_segment *seg)
{
    int i, j;
    for (i = 1; i < QS_COUNT; i++) {
        const qs_sec *s = &seg->sec[i];
        int rc = qs_need(seg, QS_BIT(i));
        if (rc != QUARRY_OK)
            return rc;
        for (j = 1; j < i; j++) {
            const qs_sec *t = &seg->sec[j];
            if (s->len && t->len && s->off < t->off + t->len &&
                t->off < s->off + s->len)
                return qs_corrupt(seg, "table of contents",
                                  "sections %d and %d overlap", j, i);
        }
    }
    return QUARRY_OK;
}

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return al < bl ? -1 : (al > bl ? 1 : 0);
}

/* Walks a dictionary block by block, checking order and the index. */
static int check_dict(qi_segment *seg, int words, uint64_t *cf_out)
{
    uint64_t n = words ? seg->word_count : seg->term_count, b, poff = 0;
    uint64_t nb = (n + QS_DICT_BLOCK - 1) / QS_DICT_BLOCK;
    const char *part = words ? "word dictionary" : "term dictionary";
    const qs_sec *d = &seg->sec[words ? QS_WORDS : QS_TERMS];
    char prev[QI_MAX_TERM + 1], text[QI_MAX_TERM + 1];
    size_t prev_len = 0;
    int rc;
    if (nb == 0 && d->len != 0)
        return qs_corrupt(seg, part, "bytes without terms");
    for (b = 0; b < nb; b++) {
        qs_dcur cur;
        qi_term t;
        uint64_t k;
        rc = qs_dict_block(seg, words, b, &cur);
        if (rc != QUARRY_OK)
            return rc;
        if (b == 0 && cur.p != d->p)
            return qs_corrupt(seg, part, "first block not at the start");
        if (!words && cur.poff != poff)
            return qs_corrupt(seg, part, "block %llu postings offset",
                              (unsigned long long)b);
        cur.text = text;
        for (k = 0; k < QS_DICT_BLOCK && cur.ord < n; k++) {
            rc = qs_dict_next(seg, words, &cur, &t);
            if (rc != QUARRY_OK)
                return rc;
            if (t.doc_freq == 0 || t.coll_freq < t.doc_freq)
                return qs_corrupt(seg, part, "counts of entry %llu",
                                  (unsigned long long)t.ordinal);
            if (t.ordinal > 0 && cmp_bytes(prev, prev_len, text, cur.len) >= 0)
                return qs_corrupt(seg, part, "entry %llu out of order",
                                  (unsigned long long)t.ordinal);
            memcpy(prev, text, cur.len);
            prev_len = cur.len;
            if (cf_out)
                cf_out[t.ordinal] = t.coll_freq;
            poff = cur.poff;
        }
        if (cur.p != cur.end)
            return qs_corrupt(seg, part, "block %llu has trailing bytes",
                              (unsigned long long)b);
    }
    if (!words && poff != seg->sec[QS_POSTINGS].len)
        return qs_corrupt(seg, "postings", "lists do not cover the section");
    return QUARRY_OK;
}

/* Decodes every postings list. */
static int check_postings(vstate *v)
{
    qi_segment *seg = v->seg;
    qi_termiter *it;
    uint64_t *pos = NULL;
    size_t pos_cap = 0;
    int rc = QUARRY_OK;
    it = qi_alloc(seg->env, sizeof *it);
    if (!it)
        goto nomem;
    rc = qi_termiter_start(it, seg, 0);
    while (rc == QUARRY_OK && (rc = qi_termiter_next(it)) == QUARRY_OK) {
        qi_postings pl;
        uint64_t docs = 0, occ = 0;
        rc = qi_postings_start(&pl, seg, &it->term);
        while (rc == QUARRY_OK && (rc = qi_postings_next(&pl)) == QUARRY_OK) {
            if (pl.freq > pos_cap) {
                void *p = pos;
                if (!qi_array_reserve(seg->env, &p, &pos_cap, (size_t)pl.freq,
                                      sizeof *pos))
                    goto nomem;
                pos = p;
            }
            rc = qi_postings_positions(&pl, pos);
            docs++;
            occ += pl.freq;
            v->doc_sum[pl.doc] += pl.freq;
        }
        if (rc == QUARRY_DONE) {
            rc = QUARRY_OK;
            if (docs != it->term.doc_freq || occ != it->term.coll_freq ||
                pl.p != pl.end)
                rc = qs_corrupt(seg, "postings",
                                "list of term %llu disagrees with the "
                                "dictionary",
                                (unsigned long long)it->term.ordinal);
        }
    }
    if (rc == QUARRY_DONE)
        rc = QUARRY_OK;
    qi_free(seg->env, pos, pos_cap * sizeof *pos);
    qi_free(seg->env, it, sizeof *it);
    return rc;
nomem:
    qi_free(seg->env, pos, pos_cap * sizeof *pos);
    qi_free(seg->env, it, it ? sizeof *it : 0);
    qi_set_error(seg->errmsg, "out of memory verifying %.200s", seg->path);
    return QUARRY_ENOMEM;
}

/* Token and offset streams of one document, walked together. */
static int check_tokens(vstate *v, uint64_t doc, const unsigned char *r)
{
    qi_segment *seg = v->seg;
    const unsigned char *ranks = seg->sec[QS_RANKS].p, *tp, *op, *codes = NULL;
    uint64_t n = qs_docget(r, QS_D_TOKENS), text = qs_docget(r, QS_D_TEXT);
    uint64_t i, prev_end = 0;
    qs_stream ts, os;
    qi_bitr br = {NULL, 0, 0, 0};
    int rc = qs_stream_open(seg, QS_TOKENS, qs_docget(r, QS_D_TOKSTREAM), n, 0,
                            &ts, NULL, "tokens");
    if (rc == QUARRY_OK)
        rc = qs_huff_load(seg);
    if (rc == QUARRY_OK)
        rc = qs_stream_open(seg, QS_OFFSETS, qs_docget(r, QS_D_OFFSTREAM), n, 0,
                            &os, NULL, "offsets");
    if (rc != QUARRY_OK)
        return rc;
    tp = ts.data;
    op = os.data;
    for (i = 0; i < n; i++) {
        uint64_t rank, ord, len, gap, base;
        unsigned j = (unsigned)(i % QS_STREAM_BLOCK), code;
        if (j == 0) {
            uint64_t m = n - i < QS_STREAM_BLOCK ? n - i : QS_STREAM_BLOCK;
            /* the token block starts at the byte after the previous one */
            if (i > 0)
                tp = br.p + (br.pos + 7) / 8;
            if (qs_stream_block(&ts, i / QS_STREAM_BLOCK) != tp ||
                qs_stream_block(&os, i / QS_STREAM_BLOCK) != op)
                goto bad;
            br.p = tp;
            br.len = (uint64_t)(ts.end - tp);
            br.nbits = br.len * 8;
            br.pos = 0;
            if (!(op = qi_varint_get(op, os.end, &base)) || base != prev_end ||
                (uint64_t)(os.end - op) < (m + 3) / 4)
                goto bad;
            codes = op;
            op += (m + 3) / 4;
        }
        if (!qs_tok_get(seg, &br, &rank))
            goto bad;
        ord = qi_load32(ranks + rank * QS_RANK_ENTRY);
        if (ord >= seg->term_count)
            goto bad;
        v->term_cf[ord]++;
        code = (codes[j >> 2] >> ((j & 3) * 2)) & 3;
        len = qi_load16(ranks + rank * QS_RANK_ENTRY + 4);
        gap = code;
        if (code >= 2 && !(op = qi_varint_get(op, os.end, &gap)))
            goto bad;
        if (code == 3 && !(op = qi_varint_get(op, os.end, &len)))
            goto bad;
        if (gap > text - prev_end || len > text - prev_end - gap)
            goto bad;
        prev_end += gap + len;
    }
    if (n > 0)
        tp = br.p + (br.pos + 7) / 8;
    if (tp != ts.end || op != os.end)
        goto bad;
    return QUARRY_OK;
bad:
    return qs_corrupt(seg, "tokens", "streams of document %llu",
                      (unsigned long long)doc);
}

static int check_struct(vstate *v, uint64_t doc, const unsigned char *r)
{
    qi_segment *seg = v->seg;
    static const int counts[3] = {QS_D_SENTENCES, QS_D_PARAGRAPHS, QS_D_WORDS};
    uint64_t off = qs_docget(r, QS_D_STRUCT), ntok = qs_docget(r, QS_D_TOKENS);
    int k, rc;
    for (k = 0; k < 3; k++) {
        const unsigned char *p, *after;
        uint64_t i, prev = 0, n = qs_docget(r, counts[k]);
        qs_stream s;
        rc = qs_stream_open(seg, QS_STRUCTURE, off, n, 1, &s, &after,
                            "structure");
        if (rc != QUARRY_OK)
            return rc;
        p = s.data;
        for (i = 0; i < n; i++) {
            uint64_t a, len, id = 0, base;
            if (i % QS_STREAM_BLOCK == 0) {
                if (qs_stream_block(&s, i / QS_STREAM_BLOCK) != p ||
                    !(p = qi_varint_get(p, s.end, &base)) || base != prev)
                    goto bad;
            }
            if (k == 2) {
                if (!(p = qs_word_get(p, s.end, &id, &a, &len)) ||
                    !qs_word_ord(seg, id, &id))
                    goto bad;
            } else if (!(p = qs_span_get(p, s.end, &a, &len))) {
                goto bad;
            }
            if (a > ntok - prev || len > ntok - prev - a)
                goto bad;
            if (k == 2) {
                v->word_cf[id]++;
                if (v->word_last[id] != doc + 1) {
                    v->word_last[id] = doc + 1;
                    v->word_df[id]++;
                }
            }
            prev += a + len;
        }
        if (p != s.end)
            goto bad;
        off = (uint64_t)(after - seg->sec[QS_STRUCTURE].p);
    }
    return QUARRY_OK;
bad:
    return qs_corrupt(seg, "structure", "streams of document %llu",
                      (unsigned long long)doc);
}

static int check_docs(vstate *v)
{
    qi_segment *seg = v->seg;
    uint64_t d, total = 0;
    int rc;
    for (d = 0; d < seg->doc_count; d++) {
        const unsigned char *r;
        qi_docmeta m;
        size_t f;
        rc = qs_docrec(seg, d, &r);
        if (rc == QUARRY_OK)
            rc = qi_segment_doc_meta(seg, d, &m);
        if (rc != QUARRY_OK)
            return rc;
        for (f = 0; f < m.field_count; f++) {
            quarry_field fd;
            rc = qi_segment_doc_field(seg, d, f, &fd);
            if (rc != QUARRY_OK)
                return rc;
        }
        rc = check_tokens(v, d, r);
        if (rc == QUARRY_OK)
            rc = check_struct(v, d, r);
        if (rc != QUARRY_OK)
            return rc;
        if (v->doc_sum[d] != m.tokens)
            return qs_corrupt(seg, "postings",
                              "frequencies of document %llu do not add up "
                              "to its tokens",
                              (unsigned long long)d);
        if (m.text_bytes > 0) {
            uint64_t off = qs_docget(r, QS_D_STORE_OFF);
            uint64_t blk = qs_docget(r, QS_D_STORE_BLOCK);
            rc = qs_load_block(seg, blk);
            /* a block above QS_STORE_BLOCK holds exactly one document */
            if (rc == QUARRY_OK && seg->cache.len > QS_STORE_BLOCK &&
                (off != 0 || m.text_bytes != seg->cache.len))
                return qs_corrupt(seg, "store", "block %llu",
                                  (unsigned long long)blk);
            if (rc != QUARRY_OK)
                return rc;
            if (off > seg->cache.len || m.text_bytes > seg->cache.len - off)
                return qs_corrupt(seg, "store", "text of document %llu",
                                  (unsigned long long)d);
        }
        total += m.tokens;
    }
    if (total != seg->token_count)
        return qs_corrupt(seg, "header", "token count");
    return QUARRY_OK;
}

int qi_segment_verify(qi_segment *seg)
{
    vstate v;
    uint64_t *dict_cf = NULL, t, b;
    size_t nt = (size_t)seg->term_count + 1, nw = (size_t)seg->word_count + 1;
    size_t nd = (size_t)seg->doc_count + 1;
    int rc;

    rc = check_sections(seg);
    if (rc != QUARRY_OK)
        return rc;
    memset(&v, 0, sizeof v);
    v.seg = seg;
    /* sizes were checked against the sections at open: bounded by the file */
    v.term_cf = qi_calloc(seg->env, nt, 8);
    dict_cf = qi_calloc(seg->env, nt, 8);
    v.doc_sum = qi_calloc(seg->env, nd, 8);
    v.word_cf = qi_calloc(seg->env, nw, 8);
    v.word_df = qi_calloc(seg->env, nw, 8);
    v.word_last = qi_calloc(seg->env, nw, 8);
    if (!v.term_cf || !dict_cf || !v.doc_sum || !v.word_cf || !v.word_df ||
        !v.word_last) {
        qi_set_error(seg->errmsg, "out of memory verifying %.200s", seg->path);
        rc = QUARRY_ENOMEM;
        goto done;
    }
    rc = check_dict(seg, 0, dict_cf);
    if (rc == QUARRY_OK)
        rc = check_dict(seg, 1, NULL);
    if (rc == QUARRY_OK)
        rc = check_postings(&v);
    if (rc == QUARRY_OK)
        rc = check_docs(&v);
    for (t = 0; rc == QUARRY_OK && t < seg->term_count; t++)
        if (v.term_cf[t] != dict_cf[t])
            rc = qs_corrupt(seg, "tokens",
                            "occurrences of term %llu disagree with the "
                            "dictionary",
                            (unsigned long long)t);
    for (t = 0; rc == QUARRY_OK && t < seg->word_count; t++) {
        qi_term w;
        rc = qi_segment_word_at(seg, t, &w);
        if (rc == QUARRY_OK &&
            (w.coll_freq != v.word_cf[t] || w.doc_freq != v.word_df[t]))
            rc = qs_corrupt(seg, "word dictionary",
                            "counts of word %llu disagree with the streams",
                            (unsigned long long)t);
    }
    for (b = 0; rc == QUARRY_OK && b < seg->store_blocks; b++)
        rc = qs_load_block(seg, b);
done:
    qi_free(seg->env, v.term_cf, nt * 8);
    qi_free(seg->env, dict_cf, nt * 8);
    qi_free(seg->env, v.doc_sum, nd * 8);
    qi_free(seg->env, v.word_cf, nw * 8);
    qi_free(seg->env, v.word_df, nw * 8);
    qi_free(seg->env, v.word_last, nw * 8);
    return rc;
}
