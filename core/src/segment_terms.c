/*
 * segment_terms.c - the term dictionary and the word-layer dictionary of a
 * segment: exact lookup, seek (first term >= text), sequential iteration
 * and access by ordinal, all straight from the mapping.
 *
 * A dictionary is blocks of QS_DICT_BLOCK entries, the first of each block
 * stored whole and the others as (shared prefix, suffix); a fixed-width
 * index of block offsets allows a binary search over the blocks' first
 * terms, then a scan of at most one block. qs_dict_block, which every
 * path goes through, checks the checksums of the dictionary and its index
 * the first time they are used (qs_need).
 */
#include "segment_internal.h"

#include <string.h>

static const char *dict_part(int words)
{
    return words ? "word dictionary" : "term dictionary";
}

static uint64_t dict_count(const qi_segment *seg, int words)
{
    return words ? seg->word_count : seg->term_count;
}

int qs_dict_block(qi_segment *seg, int words, uint64_t b, qs_dcur *cur)
{
    const qs_sec *ix = &seg->sec[words ? QS_WORD_INDEX : QS_TERM_INDEX];
    const qs_sec *d = &seg->sec[words ? QS_WORDS : QS_TERMS];
    uint64_t nb = ix->len / QS_DICT_INDEX_ENTRY, off, end;
    const unsigned char *e;
    int rc = qs_need(seg, words ? QS_BIT(QS_WORD_INDEX) | QS_BIT(QS_WORDS)
                                : QS_BIT(QS_TERM_INDEX) | QS_BIT(QS_TERMS));
    if (rc != QUARRY_OK)
        return rc;
    if (b >= nb)
        return qs_corrupt(seg, dict_part(words), "block %llu out of range",
                          (unsigned long long)b);
    e = ix->p + b * QS_DICT_INDEX_ENTRY;
    off = qi_load64(e);
    end = b + 1 < nb ? qi_load64(e + QS_DICT_INDEX_ENTRY) : d->len;
    if (off >= end || end > d->len)
        return qs_corrupt(seg, dict_part(words), "block %llu out of range",
                          (unsigned long long)b);
    cur->p = d->p + off;
    cur->end = d->p + end;
    cur->ord = b * QS_DICT_BLOCK;
    cur->poff = qi_load64(e + 8);
    cur->len = 0;
    return QUARRY_OK;
}

int qs_dict_next(qi_segment *seg, int words, qs_dcur *cur, qi_term *out)
{
    const unsigned char *p = cur->p, *end = cur->end;
    uint64_t shared = 0, suffix, df, extra, plen = 0;
    if (cur->ord >= dict_count(seg, words))
        return qs_corrupt(seg, dict_part(words), "read past the last term");
    if (cur->ord % QS_DICT_BLOCK != 0 &&
        (!(p = qi_varint_get(p, end, &shared)) || shared > cur->len))
        goto bad;
    if (!(p = qi_varint_get(p, end, &suffix)) ||
        suffix > QI_MAX_TERM - shared || suffix > (uint64_t)(end - p))
        goto bad;
    memcpy(cur->text + shared, p, (size_t)suffix);
    p += suffix;
    cur->len = (size_t)(shared + suffix);
    cur->text[cur->len] = '\0';
    if (!(p = qi_varint_get(p, end, &df)) ||
        !(p = qi_varint_get(p, end, &extra)) || extra > UINT64_MAX - df)
        goto bad;
    if (!words) {
        const qs_sec *ps = &seg->sec[QS_POSTINGS];
        if (!(p = qi_varint_get(p, end, &plen)) || cur->poff > ps->len ||
            plen > ps->len - cur->poff)
            goto bad;
    }
    /* a document count beyond the segment's is impossible */
    if (df > seg->doc_count)
        goto bad;
    out->ordinal = cur->ord;
    out->doc_freq = df;
    out->coll_freq = df + extra;
    out->postings = words ? 0 : cur->poff;
    out->postings_len = plen;
    cur->poff += plen;
    cur->p = p;
    cur->ord++;
    return QUARRY_OK;
bad:
    return qs_corrupt(seg, dict_part(words), "entry %llu",
                      (unsigned long long)cur->ord);
}

/* Compares a term with text/len bytewise (shorter prefix first). */
static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return al < bl ? -1 : (al > bl ? 1 : 0);
}

/* The first term of block b (whole in the file), without decoding counts. */
static int block_first(qi_segment *seg, int words, uint64_t b, const char **t,
                       size_t *len)
{
    qs_dcur cur;
    uint64_t l;
    const unsigned char *p;
    cur.p = cur.end = NULL; /* for gcc -O3, which loses track of the set */
    int rc = qs_dict_block(seg, words, b, &cur);
    if (rc != QUARRY_OK)
        return rc;
    if (!(p = qi_varint_get(cur.p, cur.end, &l)) || l > QI_MAX_TERM ||
        l > (uint64_t)(cur.end - p))
        return qs_corrupt(seg, dict_part(words), "block %llu",
                          (unsigned long long)b);
    *t = (const char *)p;
    *len = (size_t)l;
    return QUARRY_OK;
}

/* Finds the first ordinal whose term is >= text. *exact is set when that
 * term equals text (then *out is its entry). */
static int dict_seek(qi_segment *seg, int words, const char *text, size_t len,
                     uint64_t *ordinal, int *exact, qi_term *out)
{
    uint64_t n = dict_count(seg, words);
    uint64_t nb = (n + QS_DICT_BLOCK - 1) / QS_DICT_BLOCK, lo = 0, hi, k;
    char buf[QI_MAX_TERM + 1];
    qs_dcur cur;
    qi_term t;
    int rc;
    *exact = 0;
    if (nb == 0) {
        *ordinal = 0;
        return QUARRY_OK;
    }
    /* the last block whose first term <= text */
    hi = nb;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        const char *ft = NULL;
        size_t fl = 0;
        rc = block_first(seg, words, mid, &ft, &fl);
        if (rc != QUARRY_OK)
            return rc;
        if (cmp_bytes(ft, fl, text, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    rc = qs_dict_block(seg, words, lo, &cur);
    if (rc != QUARRY_OK)
        return rc;
    cur.text = buf;
    for (k = 0; k < QS_DICT_BLOCK && cur.ord < n; k++) {
        int c;
        rc = qs_dict_next(seg, words, &cur, &t);
        if (rc != QUARRY_OK)
            return rc;
        c = cmp_bytes(buf, cur.len, text, len);
        if (c >= 0) {
            *ordinal = t.ordinal;
            *exact = c == 0;
            if (out)
                *out = t;
            return QUARRY_OK;
        }
    }
    *ordinal = cur.ord;
    return QUARRY_OK;
}

int qi_segment_term_find(qi_segment *seg, const char *term, size_t len,
                         qi_term *out)
{
    uint64_t ord;
    int exact, rc;
    if (len > QI_MAX_TERM)
        return QUARRY_DONE;
    rc = dict_seek(seg, 0, term, len, &ord, &exact, out);
    if (rc != QUARRY_OK)
        return rc;
    return exact ? QUARRY_OK : QUARRY_DONE;
}

int qi_segment_term_seek(qi_segment *seg, const char *text, size_t len,
                         uint64_t *ordinal)
{
    int exact;
    return dict_seek(seg, 0, text, len, ordinal, &exact, NULL);
}

int qi_segment_word_find(qi_segment *seg, const char *word, size_t len,
                         qi_term *out)
{
    uint64_t ord;
    int exact, rc;
    if (len > QI_MAX_TERM)
        return QUARRY_DONE;
    rc = dict_seek(seg, 1, word, len, &ord, &exact, out);
    if (rc != QUARRY_OK)
        return rc;
    return exact ? QUARRY_OK : QUARRY_DONE;
}

/* Entry `ordinal` with its text in buf (QI_MAX_TERM + 1 bytes). */
static int dict_at(qi_segment *seg, int words, uint64_t ordinal, char *buf,
                   size_t *len, qi_term *out)
{
    qs_dcur cur;
    qi_term t;
    int rc;
    if (ordinal >= dict_count(seg, words)) {
        qi_set_error(seg->errmsg,
                     "segment %.200s: %s ordinal %llu out of "
                     "range",
                     seg->path, dict_part(words), (unsigned long long)ordinal);
        return QUARRY_EINVAL;
    }
    rc = qs_dict_block(seg, words, ordinal / QS_DICT_BLOCK, &cur);
    if (rc != QUARRY_OK)
        return rc;
    cur.text = buf;
    do {
        rc = qs_dict_next(seg, words, &cur, &t);
        if (rc != QUARRY_OK)
            return rc;
    } while (t.ordinal < ordinal);
    if (len)
        *len = cur.len;
    if (out)
        *out = t;
    return QUARRY_OK;
}

int qi_segment_word_at(qi_segment *seg, uint64_t ordinal, qi_term *out)
{
    char buf[QI_MAX_TERM + 1];
    return dict_at(seg, 1, ordinal, buf, NULL, out);
}

int qi_segment_word_text(qi_segment *seg, uint64_t ordinal, char *buf,
                         size_t *len)
{
    return dict_at(seg, 1, ordinal, buf, len, NULL);
}

int qi_segment_term_text(qi_segment *seg, uint64_t ordinal, char *buf,
                         size_t *len)
{
    return dict_at(seg, 0, ordinal, buf, len, NULL);
}

int qi_termiter_start(qi_termiter *it, qi_segment *seg, uint64_t ordinal)
{
    memset(&it->term, 0, sizeof it->term);
    it->seg = seg;
    it->next = ordinal;
    it->pos = 0;
    it->len = 0;
    it->text[0] = '\0';
    if (ordinal > 0 && ordinal < seg->term_count &&
        ordinal % QS_DICT_BLOCK != 0) {
        /* decode the entries before ordinal in its block: the next entry
         * shares a prefix with the one before it */
        qs_dcur cur;
        qi_term t;
        int rc = qs_dict_block(seg, 0, ordinal / QS_DICT_BLOCK, &cur);
        if (rc != QUARRY_OK)
            return rc;
        cur.text = it->text;
        while (cur.ord < ordinal) {
            rc = qs_dict_next(seg, 0, &cur, &t);
            if (rc != QUARRY_OK)
                return rc;
        }
        it->pos = (uint64_t)(cur.p - seg->sec[QS_TERMS].p);
        it->len = cur.len;
        it->term = t;
    }
    return QUARRY_OK;
}

int qi_termiter_next(qi_termiter *it)
{
    qi_segment *seg = it->seg;
    qs_dcur cur;
    int rc;
    if (it->next >= seg->term_count)
        return QUARRY_DONE;
    if (it->next % QS_DICT_BLOCK == 0 || it->pos == 0) {
        rc = qs_dict_block(seg, 0, it->next / QS_DICT_BLOCK, &cur);
        if (rc != QUARRY_OK)
            return rc;
        if (it->next % QS_DICT_BLOCK != 0)
            return qs_corrupt(seg, "term dictionary", "iterator state");
    } else {
        uint64_t b = it->next / QS_DICT_BLOCK;
        rc = qs_dict_block(seg, 0, b, &cur);
        if (rc != QUARRY_OK)
            return rc;
        cur.p = seg->sec[QS_TERMS].p + it->pos;
        cur.ord = it->next;
        cur.poff = it->term.postings + it->term.postings_len;
        cur.len = it->len;
    }
    cur.text = it->text;
    rc = qs_dict_next(seg, 0, &cur, &it->term);
    if (rc != QUARRY_OK)
        return rc;
    it->len = cur.len;
    it->pos = (uint64_t)(cur.p - seg->sec[QS_TERMS].p);
    it->next = cur.ord;
    return QUARRY_OK;
}
