/*
 * postings.c - the qi_postings decoder: one term's documents, frequencies
 * and positions, block by block (docs/format.md, "Postings").
 *
 * A block header carries the block's last document and the byte lengths of
 * its docs and positions parts, so advance() skips a block without
 * decoding it, and next() never touches positions: the positions of the
 * documents passed over are only counted (pos_skip) and decoded past
 * when positions are asked for. Positions are Rice-coded (rice.h).
 *
 * Every decoded value is checked against what the block header and the
 * segment allow (document ids below doc_count and ascending, frequencies
 * within the bytes of the positions part, positions below the document's
 * token count), so a damaged list yields QUARRY_ECORRUPT, never a read
 * outside the list or an endless loop. qi_postings_start checks the
 * postings section's checksum (positions are inside it), and positions
 * the doc table's (qs_docrec), on their first use through the segment.
 */
#include "rice.h"
#include "segment_internal.h"

#include <string.h>

/* After an error the decoder is finished: later calls return DONE rather
 * than decode from a pointer that failed. */
static int bad(qi_postings *pl, const char *what)
{
    pl->remaining = 0;
    pl->block_left = 0;
    pl->started = 0;
    return qs_corrupt(pl->seg, "postings", "%s", what);
}

int qi_postings_start(qi_postings *pl, qi_segment *seg, const qi_term *term)
{
    const qs_sec *ps = &seg->sec[QS_POSTINGS];
    int rc;
    memset(pl, 0, sizeof *pl);
    pl->seg = seg;
    pl->positions_read = 1;
    rc = qs_need(seg, QS_BIT(QS_POSTINGS));
    if (rc != QUARRY_OK)
        return rc; /* remaining 0: later calls return DONE */
    if (term->postings > ps->len ||
        term->postings_len > ps->len - term->postings)
        return bad(pl, "list outside the postings section");
    if (term->doc_freq > seg->doc_count)
        return bad(pl, "document frequency above the document count");
    pl->p = ps->p + term->postings;
    pl->end = pl->p + term->postings_len;
    pl->remaining = term->doc_freq;
    return QUARRY_OK;
}

/* Reads the header of the block at pl->p; *next gets the byte after the
 * whole block. */
static int read_header(qi_postings *pl, uint64_t *last, uint64_t *dlen,
                       uint64_t *plen, const unsigned char **body,
                       const unsigned char **next)
{
    const unsigned char *p = pl->p;
    uint64_t rel;
    if (!(p = qi_varint_get(p, pl->end, &rel)) ||
        !(p = qi_varint_get(p, pl->end, dlen)) ||
        !(p = qi_varint_get(p, pl->end, plen)) ||
        *dlen > (uint64_t)(pl->end - p) ||
        *plen > (uint64_t)(pl->end - p) - *dlen)
        return bad(pl, "block header");
    if (pl->base >= pl->seg->doc_count ||
        rel > pl->seg->doc_count - 1 - pl->base)
        return bad(pl, "block's last document out of range");
    *last = pl->base + rel;
    *body = p;
    *next = p + *dlen + *plen;
    return QUARRY_OK;
}

static int open_block(qi_postings *pl)
{
    /* initialized for gcc -O3, which cannot see that read_header sets them
     * whenever it returns QUARRY_OK */
    uint64_t last = 0, dlen = 0, plen = 0, n;
    const unsigned char *body = NULL, *next = NULL;
    int rc = read_header(pl, &last, &dlen, &plen, &body, &next);
    if (rc != QUARRY_OK)
        return rc;
    n = pl->remaining < QS_POSTINGS_BLOCK ? pl->remaining : QS_POSTINGS_BLOCK;
    if (n - 1 > last - pl->base)
        return bad(pl, "more documents than ids in a block");
    /* positions part: the Rice parameter, then at least one byte of bits */
    if (plen < 2 || body[dlen] > QI_RICE_MAX_K)
        return bad(pl, "positions part of a block");
    pl->dp = body;
    pl->dend = body + dlen;
    pl->pk = body[dlen];
    pl->pp = pl->dend + 1;
    pl->plen = plen - 1;
    pl->pbit = 0;
    pl->pos_cur = 0;
    pl->p = next;
    pl->remaining -= n;
    pl->block_left = n;
    pl->block_last = last;
    pl->pos_budget = pl->plen * 8; /* a value takes at least one bit */
    pl->pos_skip = 0;
    pl->positions_read = 1;
    return QUARRY_OK;
}

int qi_postings_next(qi_postings *pl)
{
    uint64_t v, delta, f;
    if (pl->block_left == 0) {
        int rc;
        if (pl->remaining == 0)
            return QUARRY_DONE;
        rc = open_block(pl);
        if (rc != QUARRY_OK)
            return rc;
    } else if (!pl->positions_read) {
        pl->pos_skip += pl->freq;
    }
    if (!(pl->dp = qi_varint_get(pl->dp, pl->dend, &v)))
        return bad(pl, "document entry");
    delta = v >> 1;
    if (v & 1) {
        f = 1;
    } else {
        if (!(pl->dp = qi_varint_get(pl->dp, pl->dend, &f)) ||
            f > UINT64_MAX - 2)
            return bad(pl, "frequency");
        f += 2;
    }
    pl->block_left--;
    /* room for this document and the ones left in the block */
    if (delta > pl->block_last - pl->base ||
        pl->block_left > pl->block_last - pl->base - delta)
        return bad(pl, "document id out of order");
    pl->doc = pl->base + delta;
    if (pl->block_left == 0 &&
        (pl->doc != pl->block_last || pl->dp != pl->dend))
        return bad(pl, "block does not end at its last document");
    if (f > pl->pos_budget)
        return bad(pl, "frequency larger than the positions");
    pl->pos_budget -= f;
    pl->freq = f;
    pl->base = pl->doc + 1;
    pl->started = 1;
    pl->positions_read = 0;
    return QUARRY_OK;
}

int qi_postings_advance(qi_postings *pl, uint64_t target)
{
    int rc;
    if (pl->started && pl->doc >= target)
        return QUARRY_OK;
    for (;;) {
        if (pl->block_left > 0) {
            if (pl->block_last >= target)
                break;
            /* the rest of this block is below target */
            pl->block_left = 0;
            pl->base = pl->block_last + 1;
            pl->positions_read = 1;
        }
        if (pl->remaining == 0)
            return QUARRY_DONE;
        {
            uint64_t last = 0, dlen = 0, plen = 0, n;
            const unsigned char *body = NULL, *next = NULL;
            rc = read_header(pl, &last, &dlen, &plen, &body, &next);
            if (rc != QUARRY_OK)
                return rc;
            if (last >= target) {
                rc = open_block(pl);
                if (rc != QUARRY_OK)
                    return rc;
                break;
            }
            n = pl->remaining < QS_POSTINGS_BLOCK ? pl->remaining
                                                  : QS_POSTINGS_BLOCK;
            pl->p = next;
            pl->remaining -= n;
            pl->base = last + 1;
        }
    }
    while ((rc = qi_postings_next(pl)) == QUARRY_OK && pl->doc < target)
        ;
    return rc;
}

/* The bit position below which a 64-bit load at pos >> 3 stays inside r's
 * bytes: there, a code of at most 57 bits lies wholly in the peeked word
 * and inside the stream, so the common code needs no bound check. */
static uint64_t fast_limit(const qi_bitr *r)
{
    return r->len >= 8 ? (r->len - 7) * 8 : 0;
}

/* Passes over count values (the positions of documents skipped), 56 bits
 * of the stream at a time as decode_positions reads them. */
static bool skip_values(qi_bitr *r, unsigned k, uint64_t count)
{
    const uint64_t limit = fast_limit(r);
    const uint64_t low56 = ((uint64_t)1 << 56) - 1;
    uint64_t pos = r->pos, v;
    while (count > 0) {
        if (pos < limit) {
            uint64_t w = (qi_load64(r->p + (pos >> 3)) >> (pos & 7)) & low56;
            uint64_t left = 56;
            do {
                uint64_t q = (uint64_t)__builtin_ctzll(~w);
                uint64_t n = q + 1 + k;
                if (q >= QI_RICE_ESC || n > left)
                    break;
                w >>= n;
                left -= n;
            } while (--count > 0);
            pos += 56 - left;
            if (left < 56)
                continue;
        }
        if (count == 0)
            break;
        r->pos = pos;
        if (!qi_rice_get(r, k, &v))
            return false;
        pos = r->pos;
        count--;
    }
    r->pos = pos;
    return true;
}

/* Where decoded positions go: stored, marked in a bitmap, or tested
 * against one (qi_postings_positions_mark / _test). */
enum { SINK_STORE, SINK_MARK, SINK_TEST };
typedef struct pos_sink {
    uint64_t *out;
    uint64_t *bits;
    uint64_t shift, span;
    size_t kept;
} pos_sink;

/* Forced inline with a constant mode, so that each caller gets a loop
 * without the switch. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void
sink_put(pos_sink *k, int mode, uint64_t i, uint64_t p)
{
    uint64_t d = p - k->shift; /* wraps above span when p < shift */
    switch (mode) {
    case SINK_STORE: k->out[i] = p; return;
    case SINK_MARK:
        if (d <= k->span)
            k->bits[d / 64] |= (uint64_t)1 << (d % 64);
        return;
    default:
        if (d <= k->span) {
            k->out[k->kept] = d;
            k->kept += (k->bits[d / 64] >> (d % 64)) & 1;
        }
        return;
    }
}

/* Decodes count gaps into ascending positions below ntok: the first is its
 * gap, each next one the previous + 1 + its gap. 0, 1 (stream too short) or
 * 2 (a position beyond the document). Codes are taken from a word loaded
 * once and shifted in a register until one does not fit in its valid bits:
 * the loop then depends on a shift, not on a load, and the sink's work
 * overlaps it. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int
decode_positions(qi_bitr *r, unsigned k, uint64_t count, uint64_t ntok,
                 int mode, pos_sink *sink)
{
    const uint64_t limit = fast_limit(r);
    const uint64_t mask = ((uint64_t)1 << k) - 1;
    /* 56 bits of each word loaded: the bits above them are zero, so ~w is
       never 0 and counts at most 56 ones */
    const uint64_t low56 = ((uint64_t)1 << 56) - 1;
    uint64_t pos = r->pos, next = 0, v, i = 0;
    while (i < count) {
        if (pos < limit) {
            uint64_t w = (qi_load64(r->p + (pos >> 3)) >> (pos & 7)) & low56;
            uint64_t left = 56; /* bits of w not consumed yet */
            do {
                uint64_t q = (uint64_t)__builtin_ctzll(~w);
                uint64_t n = q + 1 + k;
                if (q >= QI_RICE_ESC || n > left)
                    break;
                v = q << k | ((w >> (q + 1)) & mask);
                w >>= n;
                left -= n;
                /* next <= ntok always: one check bounds every position */
                if (v >= ntok - next)
                    return 2;
                sink_put(sink, mode, i, next + v);
                next += v + 1;
            } while (++i < count);
            pos += 56 - left;
            if (left < 56)
                continue;
        }
        if (i == count)
            break;
        /* a long code, or the last bytes of the stream */
        r->pos = pos;
        if (!qi_rice_get(r, k, &v))
            return 1;
        pos = r->pos;
        if (v >= ntok - next)
            return 2;
        sink_put(sink, mode, i++, next + v);
        next += v + 1;
    }
    r->pos = pos;
    return 0;
}

/* Positions the reader at the current document's positions; *ntok gets
 * its token count. */
static int positions_begin(qi_postings *pl, qi_bitr *r, uint64_t *ntok)
{
    const unsigned char *rec;
    if (!pl->started) {
        qi_set_error(pl->seg->errmsg, "positions asked before a document");
        return QUARRY_EINVAL;
    }
    r->p = pl->pp;
    r->len = pl->plen;
    r->nbits = pl->plen * 8;
    r->pos = pl->positions_read ? pl->pos_cur : pl->pbit;
    if (qs_docrec(pl->seg, pl->doc, &rec) != QUARRY_OK) {
        if (pl->doc >= pl->seg->doc_count)
            return bad(pl, "document out of range");
        pl->remaining = 0; /* doc table damaged: message already set */
        pl->block_left = 0;
        pl->started = 0;
        return QUARRY_ECORRUPT;
    }
    *ntok = qs_docget(rec, QS_D_TOKENS);
    /* bounded: pos_skip is a sum of frequencies within pos_budget bits */
    if (!skip_values(r, pl->pk, pl->pos_skip))
        return bad(pl, "positions part too short");
    pl->pos_skip = 0;
    pl->pos_cur = r->pos;
    return QUARRY_OK;
}

static int positions_end(qi_postings *pl, const qi_bitr *r, int rc)
{
    if (rc == 1)
        return bad(pl, "position");
    if (rc == 2)
        return bad(pl, "position beyond the document");
    pl->pbit = r->pos;
    pl->positions_read = 1;
    return QUARRY_OK;
}

int qi_postings_positions(qi_postings *pl, uint64_t *pos)
{
    pos_sink sink = {pos, NULL, 0, 0, 0};
    uint64_t ntok;
    qi_bitr r;
    int rc = positions_begin(pl, &r, &ntok);
    if (rc != QUARRY_OK)
        return rc;
    rc = decode_positions(&r, pl->pk, pl->freq, ntok, SINK_STORE, &sink);
    return positions_end(pl, &r, rc);
}

int qi_postings_positions_mark(qi_postings *pl, uint64_t shift, uint64_t *bits,
                               uint64_t span)
{
    pos_sink sink = {NULL, bits, shift, span, 0};
    uint64_t ntok;
    qi_bitr r;
    int rc = positions_begin(pl, &r, &ntok);
    if (rc != QUARRY_OK)
        return rc;
    rc = decode_positions(&r, pl->pk, pl->freq, ntok, SINK_MARK, &sink);
    return positions_end(pl, &r, rc);
}

int qi_postings_positions_test(qi_postings *pl, uint64_t shift,
                               const uint64_t *bits, uint64_t span,
                               uint64_t *out, size_t *kept)
{
    pos_sink sink = {out, (uint64_t *)bits, shift, span, 0};
    uint64_t ntok;
    qi_bitr r;
    int rc = positions_begin(pl, &r, &ntok);
    *kept = 0;
    if (rc != QUARRY_OK)
        return rc;
    rc = decode_positions(&r, pl->pk, pl->freq, ntok, SINK_TEST, &sink);
    *kept = sink.kept;
    return positions_end(pl, &r, rc);
}
