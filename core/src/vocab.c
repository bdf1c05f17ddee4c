/*
 * vocab.c - interned byte strings -> dense uint32 ids with uint64 counts.
 *
 * Layout, chosen for the hot loop (one lookup per token of a 30 M token
 * corpus):
 *  - an open-addressing table of uint64 slots, power-of-two capacity, linear
 *    probing, load factor <= 0.7. A slot packs the upper 32 bits of the hash
 *    with id + 1 (0 = empty), so a probe rejects almost every non-matching
 *    slot without touching the arena, and growing never rehashes a string;
 *  - the terms in one growing arena, each NUL-terminated so quarry_vocab_term
 *    can hand out C strings; per id one entry (arena offset, count, length)
 *    in an array that dense ids index directly.
 */
#include "internal.h"

#include <string.h>

/* VOCAB_HEAD bytes of each term are kept inside its entry: most words are
 * shorter, so a lookup that has loaded the entry (it must, to bump the
 * count) can confirm a match without a second cache miss into the arena.
 * 8 + 8 + 4 + 12 = 32 bytes, two entries per cache line. */
#define VOCAB_HEAD 12

struct vocab_entry {
    uint64_t offset; /* arena offset of the term */
    uint64_t count;
    uint32_t len;          /* term length in bytes (without the NUL) */
    char head[VOCAB_HEAD]; /* the first min(len, VOCAB_HEAD) bytes, 0-padded */
};

struct quarry_vocab {
    quarry_env *env;
    uint64_t *slots;             /* (hash >> 32) << 32 | (id + 1); 0 = empty */
    size_t slot_cap;             /* power of two */
    size_t size;                 /* number of terms */
    struct vocab_entry *entries; /* indexed by id */
    size_t entry_cap;            /* in elements */
    qi_buf arena;
};

/* The largest id is UINT32_MAX - 1 so that id + 1 fits the slot's low half. */
#define VOCAB_MAX_TERMS ((size_t)UINT32_MAX - 1)

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* unaligned-safe; the compiler emits one load */
    return v;
}

static uint64_t load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t mix64(uint64_t h)
{
    /* murmur3's fmix64: every input bit affects every output bit, which
     * the upper-32-bit tag and the low-bit table index both rely on. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* A word-at-a-time multiplicative hash: terms are mostly 2-12 bytes, so
 * handling 8 bytes per step and finishing with one strong mix beats a
 * byte-wise FNV loop without needing a seed or any global state. */
static uint64_t vocab_hash(const char *term, size_t len)
{
    const unsigned char *p = (const unsigned char *)term;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0x100000001b3ULL);
    while (len >= 8) {
        h = (h ^ mix64(load64(p))) * 0x9fb21c651e98df25ULL;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    if (len >= 4) {
        uint64_t v = load32(p) | (load32(p + len - 4) << 32);
        h = (h ^ mix64(v)) * 0x9fb21c651e98df25ULL;
    } else if (len > 0) {
        uint64_t v = (uint64_t)p[0] | ((uint64_t)p[len / 2] << 8) |
                     ((uint64_t)p[len - 1] << 16);
        h = (h ^ mix64(v + 1)) * 0x9fb21c651e98df25ULL;
    }
    return mix64(h);
}

int quarry_vocab_new(quarry_env *env, quarry_vocab **out)
{
    quarry_vocab *v;

    *out = NULL;
    v = qi_calloc(env, 1, sizeof *v);
    if (!v) {
        qi_set_error(env->errmsg, "vocab: out of memory");
        return QUARRY_ENOMEM;
    }
    v->env = env;
    v->slot_cap = 64;
    v->slots = qi_calloc(env, v->slot_cap, sizeof *v->slots);
    if (!v->slots) {
        qi_free(env, v, sizeof *v);
        qi_set_error(env->errmsg, "vocab: out of memory");
        return QUARRY_ENOMEM;
    }
    *out = v;
    return QUARRY_OK;
}

void quarry_vocab_free(quarry_vocab *v)
{
    quarry_env *env;
    if (!v)
        return;
    env = v->env;
    qi_free(env, v->slots, v->slot_cap * sizeof *v->slots);
    qi_free(env, v->entries, v->entry_cap * sizeof *v->entries);
    qi_buf_free(env, &v->arena);
    qi_free(env, v, sizeof *v);
}

/* Doubles the slot table. The tag in each slot is the hash's upper half and
 * the index comes from the lower half, which is not stored: recompute the
 * hash from the arena. That costs one pass over the terms per doubling
 * (amortized O(1) per insertion) and keeps slots at 8 bytes. */
static bool vocab_grow(quarry_vocab *v)
{
    size_t ncap = v->slot_cap * 2, mask = ncap - 1, i;
    uint64_t *ns;

    if (ncap > SIZE_MAX / sizeof *ns)
        return false;
    ns = qi_calloc(v->env, ncap, sizeof *ns);
    if (!ns)
        return false;
    for (i = 0; i < v->size; i++) {
        uint64_t h =
            vocab_hash(v->arena.data + v->entries[i].offset, v->entries[i].len);
        size_t pos = (size_t)h & mask;
        while (ns[pos])
            pos = (pos + 1) & mask;
        ns[pos] = (h & 0xffffffff00000000ULL) | (uint64_t)(i + 1);
    }
    qi_free(v->env, v->slots, v->slot_cap * sizeof *v->slots);
    v->slots = ns;
    v->slot_cap = ncap;
    return true;
}

/* e->len == len is already known. The head is compared first; only terms
 * longer than the head need the arena. */
static bool entry_equals(const quarry_vocab *v, const struct vocab_entry *e,
                         const char *term, size_t len)
{
    if (len == 0)
        return true;
    if (len <= VOCAB_HEAD)
        return memcmp(e->head, term, len) == 0;
    return memcmp(e->head, term, VOCAB_HEAD) == 0 &&
           memcmp(v->arena.data + e->offset + VOCAB_HEAD, term + VOCAB_HEAD,
                  len - VOCAB_HEAD) == 0;
}

int quarry_vocab_add(quarry_vocab *v, const char *term, size_t len,
                     uint64_t count, uint32_t *id)
{
    uint64_t h, tag;
    size_t mask, pos, nid;

    if (len > UINT32_MAX)
        return QUARRY_ELIMIT;
    h = vocab_hash(term, len);
    tag = h & 0xffffffff00000000ULL;
    mask = v->slot_cap - 1;
    pos = (size_t)h & mask;
    for (;;) {
        uint64_t s = v->slots[pos];
        if (s == 0)
            break;
        if ((s & 0xffffffff00000000ULL) == tag) {
            struct vocab_entry *e =
                &v->entries[(size_t)(s & 0xffffffffULL) - 1];
            if (e->len == len && entry_equals(v, e, term, len)) {
                e->count += count;
                if (id)
                    *id = (uint32_t)((size_t)(s & 0xffffffffULL) - 1);
                return QUARRY_OK;
            }
        }
        pos = (pos + 1) & mask;
    }

    /* New term. Keep the load factor <= 0.7 (10 * size > 7 * cap means
     * grow). A failed grow is tolerated up to 0.9, past which probing
     * degrades and, at 1.0, would never find an empty slot. */
    if (v->size >= VOCAB_MAX_TERMS)
        return QUARRY_ELIMIT;
    if ((v->size + 1) * 10 > v->slot_cap * 7) {
        if (vocab_grow(v)) {
            mask = v->slot_cap - 1;
            pos = (size_t)h & mask;
            while (v->slots[pos])
                pos = (pos + 1) & mask;
        } else if ((v->size + 1) * 10 > v->slot_cap * 9) {
            return QUARRY_ENOMEM;
        }
    }
    nid = v->size;
    {
        void *entries = v->entries;
        bool ok = qi_array_reserve(v->env, &entries, &v->entry_cap, nid + 1,
                                   sizeof *v->entries);
        v->entries = entries;
        if (!ok || !qi_buf_reserve(v->env, &v->arena, len + 1))
            return QUARRY_ENOMEM;
    }
    v->entries[nid].offset = v->arena.len;
    v->entries[nid].len = (uint32_t)len;
    v->entries[nid].count = count;
    memset(v->entries[nid].head, 0, VOCAB_HEAD);
    if (len)
        memcpy(v->entries[nid].head, term, len < VOCAB_HEAD ? len : VOCAB_HEAD);
    if (len)
        memcpy(v->arena.data + v->arena.len, term, len);
    v->arena.data[v->arena.len + len] = '\0';
    v->arena.len += len + 1;
    v->slots[pos] = tag | (uint64_t)(nid + 1);
    v->size++;
    if (id)
        *id = (uint32_t)nid;
    return QUARRY_OK;
}

size_t quarry_vocab_size(const quarry_vocab *v)
{
    return v ? v->size : 0;
}

const char *quarry_vocab_term(const quarry_vocab *v, uint32_t id, size_t *len)
{
    if (!v || (size_t)id >= v->size) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = v->entries[id].len;
    return v->arena.data + v->entries[id].offset;
}

uint64_t quarry_vocab_count(const quarry_vocab *v, uint32_t id)
{
    if (!v || (size_t)id >= v->size)
        return 0;
    return v->entries[id].count;
}

/* Ranking order: count descending, then term bytes ascending (a shorter
 * term that is a prefix of a longer one comes first). Returns < 0 when a
 * ranks before b. */
static int rank_cmp(const quarry_vocab *v, uint32_t a, uint32_t b)
{
    const struct vocab_entry *ea = &v->entries[a], *eb = &v->entries[b];
    size_t la = ea->len, lb = eb->len, n = la < lb ? la : lb;
    int c;
    if (ea->count != eb->count)
        return ea->count > eb->count ? -1 : 1;
    c = n ? memcmp(v->arena.data + ea->offset, v->arena.data + eb->offset, n)
          : 0;
    if (c)
        return c;
    return la < lb ? -1 : (la > lb ? 1 : 0);
}

/* heap[0] is the worst-ranked of the kept ids, so a candidate only needs
 * one comparison against it: O(n log k) for the whole scan. */
static void heap_sift_down(const quarry_vocab *v, uint32_t *heap, size_t n,
                           size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, worst = i;
        uint32_t t;
        if (l < n && rank_cmp(v, heap[l], heap[worst]) > 0)
            worst = l;
        if (r < n && rank_cmp(v, heap[r], heap[worst]) > 0)
            worst = r;
        if (worst == i)
            return;
        t = heap[i];
        heap[i] = heap[worst];
        heap[worst] = t;
        i = worst;
    }
}

size_t quarry_vocab_top(const quarry_vocab *v, size_t k, uint32_t *ids)
{
    size_t n, i, m;
    if (!v || k == 0)
        return 0;
    n = v->size;
    if (k > n)
        k = n;
    /* Build a "worst on top" heap of the first k ids in ids[] itself, so no
     * allocation is needed (quarry_vocab_top cannot fail). */
    for (i = 0; i < k; i++)
        ids[i] = (uint32_t)i;
    for (i = k / 2; i-- > 0;)
        heap_sift_down(v, ids, k, i);
    for (i = k; i < n; i++) {
        if (rank_cmp(v, (uint32_t)i, ids[0]) < 0) {
            ids[0] = (uint32_t)i;
            heap_sift_down(v, ids, k, 0);
        }
    }
    /* Heap sort in place: repeatedly move the worst to the end. */
    for (m = k; m > 1; m--) {
        uint32_t t = ids[0];
        ids[0] = ids[m - 1];
        ids[m - 1] = t;
        heap_sift_down(v, ids, m - 1, 0);
    }
    return k;
}
