/*
 * huffman.c - code lengths, canonical codes and decoder tables for the
 * token streams (huffman.h).
 */
#include "huffman.h"

#include <stdlib.h>
#include <string.h>

typedef struct hsym {
    uint64_t freq;
    uint32_t sym;
} hsym;

static int hsym_cmp(const void *a, const void *b)
{
    const hsym *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq < y->freq ? -1 : 1;
    return x->sym < y->sym ? -1 : (x->sym > y->sym ? 1 : 0);
}

bool qi_huff_lengths(quarry_env *env, const uint64_t *freq, size_t n,
                     uint8_t *len)
{
    size_t nodes = 2 * n - 1, i, leaf = 0, inner = n, next = n;
    hsym *s;
    uint64_t *f;
    uint32_t *parent, *depth;
    uint64_t kraft;
    int l;

    if (n == 1) {
        len[0] = 1;
        return true;
    }
    s = qi_alloc(env, n * sizeof *s);
    f = qi_alloc(env, nodes * sizeof *f);
    parent = qi_alloc(env, nodes * sizeof *parent);
    depth = qi_alloc(env, nodes * sizeof *depth);
    if (!s || !f || !parent || !depth) {
        qi_free(env, s, s ? n * sizeof *s : 0);
        qi_free(env, f, f ? nodes * sizeof *f : 0);
        qi_free(env, parent, parent ? nodes * sizeof *parent : 0);
        qi_free(env, depth, depth ? nodes * sizeof *depth : 0);
        return false;
    }
    for (i = 0; i < n; i++) {
        s[i].freq = freq[i];
        s[i].sym = (uint32_t)i;
    }
    qsort(s, n, sizeof *s, hsym_cmp);
    for (i = 0; i < n; i++)
        f[i] = s[i].freq;
    /* two queues: the sorted leaves and the inner nodes, which are made in
     * non-decreasing order of weight */
    while (next < nodes) {
        size_t pick[2];
        int k;
        for (k = 0; k < 2; k++) {
            if (leaf < n && (inner >= next || f[leaf] <= f[inner]))
                pick[k] = leaf++;
            else
                pick[k] = inner++;
        }
        f[next] = f[pick[0]] + f[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint32_t)next;
        next++;
    }
    depth[nodes - 1] = 0;
    for (i = nodes - 1; i-- > 0;)
        depth[i] = depth[parent[i]] + 1;
    for (i = 0; i < n; i++)
        len[s[i].sym] =
            (uint8_t)(depth[i] > QI_HUFF_MAXLEN ? QI_HUFF_MAXLEN : depth[i]);
    /* Length limit: codes cut to the maximum over-subscribe the code
     * space; lengthen the longest codes below the maximum (the cheapest
     * bits to give up) until the Kraft sum fits again. */
    kraft = 0;
    for (i = 0; i < n; i++)
        kraft += (uint64_t)1 << (QI_HUFF_MAXLEN - len[i]);
    for (l = QI_HUFF_MAXLEN - 1; kraft > ((uint64_t)1 << QI_HUFF_MAXLEN);) {
        int found = 0;
        /* s is sorted by frequency: walk the rarest symbols first */
        for (i = 0; i < n && kraft > ((uint64_t)1 << QI_HUFF_MAXLEN); i++) {
            uint8_t *x = &len[s[i].sym];
            if (*x == l) {
                kraft -= (uint64_t)1 << (QI_HUFF_MAXLEN - l - 1);
                (*x)++;
                found = 1;
            }
        }
        if (!found && l > 1)
            l--;
        else if (!found)
            break; /* cannot happen for n <= 2^QI_HUFF_MAXLEN */
    }
    qi_free(env, s, n * sizeof *s);
    qi_free(env, f, nodes * sizeof *f);
    qi_free(env, parent, nodes * sizeof *parent);
    qi_free(env, depth, nodes * sizeof *depth);
    return true;
}

static uint32_t reverse_bits(uint32_t v, unsigned n)
{
    uint32_t r = 0;
    unsigned i;
    for (i = 0; i < n; i++, v >>= 1)
        r = r << 1 | (v & 1);
    return r;
}

void qi_huff_codes(const uint8_t *len, size_t n, uint32_t *code)
{
    uint32_t count[QI_HUFF_MAXLEN + 1] = {0}, next[QI_HUFF_MAXLEN + 2];
    size_t i;
    unsigned l;
    for (i = 0; i < n; i++)
        count[len[i]]++;
    count[0] = 0;
    next[1] = 0;
    for (l = 1; l < QI_HUFF_MAXLEN; l++)
        next[l + 1] = (next[l] + count[l]) << 1;
    for (i = 0; i < n; i++)
        code[i] = len[i] ? reverse_bits(next[len[i]]++, len[i]) : 0;
}

bool qi_huffdec_init(qi_huffdec *d, const uint8_t *len, size_t n)
{
    uint32_t next[QI_HUFF_MAXLEN + 2];
    uint64_t kraft = 0;
    size_t i;
    unsigned l;
    if (n > QI_HUFF_SYMBOLS)
        return false;
    memset(d, 0, sizeof *d);
    d->n = n;
    for (i = 0; i < n; i++) {
        if (len[i] > QI_HUFF_MAXLEN)
            return false;
        if (len[i]) {
            d->count[len[i]]++;
            kraft += (uint64_t)1 << (QI_HUFF_MAXLEN - len[i]);
        }
    }
    if (kraft > ((uint64_t)1 << QI_HUFF_MAXLEN))
        return false; /* over-subscribed: not a prefix code */
    next[1] = 0;
    for (l = 1; l < QI_HUFF_MAXLEN; l++)
        next[l + 1] = (next[l] + d->count[l]) << 1;
    for (l = 1; l <= QI_HUFF_MAXLEN; l++) {
        d->first[l] = next[l];
        d->offset[l] = l == 1 ? 0 : d->offset[l - 1] + d->count[l - 1];
    }
    for (i = 0; i < n; i++) {
        uint32_t c, r, step;
        if (!len[i])
            continue;
        c = next[len[i]]++;
        d->sorted[d->offset[len[i]] + (c - d->first[len[i]])] = (uint16_t)i;
        if (len[i] <= QI_HUFF_FAST) {
            r = reverse_bits(c, len[i]);
            for (step = 0; (r | step) < (1u << QI_HUFF_FAST);
                 step += 1u << len[i])
                d->fast[r | step] = (uint32_t)i << 5 | len[i];
        }
    }
    return true;
}
