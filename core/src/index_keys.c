/*
 * index_keys.c - the writer's key map: (source, record) -> where the
 * document is and its content hash. Built when a writer opens (from the
 * segments' document tables) and consulted on every add, so that an
 * unchanged document is recognised without being tokenized.
 *
 * Sources are interned once (a JSON Lines file has many records under one
 * source); entries of one source are chained so that deleting a source is
 * proportional to its records. Chained hashing with a free list keeps
 * removal simple (no tombstones).
 */
#include "index_writer.h"

#include <string.h>

static uint64_t key_hash(uint32_t src, uint64_t record)
{
    uint64_t h = (uint64_t)src * 0x9E3779B97F4A7C15ull ^
                 (record + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

int qi_keymap_init(qi_keymap *km, quarry_env *env)
{
    memset(km, 0, sizeof *km);
    km->env = env;
    km->free_list = QI_NONE32;
    km->nbuckets = 1024;
    km->buckets = qi_alloc(env, km->nbuckets * sizeof *km->buckets);
    if (!km->buckets || quarry_vocab_new(env, &km->sources) != QUARRY_OK) {
        qi_keymap_free(km);
        return QUARRY_ENOMEM;
    }
    memset(km->buckets, 0xFF, km->nbuckets * sizeof *km->buckets);
    return QUARRY_OK;
}

void qi_keymap_free(qi_keymap *km)
{
    quarry_env *env = km->env;
    if (!env)
        return;
    quarry_vocab_free(km->sources);
    qi_free(env, km->src_head, km->src_cap * sizeof *km->src_head);
    qi_free(env, km->ents, km->ents_cap * sizeof *km->ents);
    qi_free(env, km->buckets, km->nbuckets * sizeof *km->buckets);
    memset(km, 0, sizeof *km);
}

int qi_keymap_source(qi_keymap *km, const char *source, uint32_t *src)
{
    size_t n = quarry_vocab_size(km->sources);
    if (quarry_vocab_add(km->sources, source, strlen(source), 0, src) !=
        QUARRY_OK)
        return QUARRY_ENOMEM;
    if (*src >= n) { /* a new source: give it an empty chain */
        void *p = km->src_head;
        size_t old = km->src_cap;
        if (!qi_array_reserve(km->env, &p, &km->src_cap, (size_t)*src + 1,
                              sizeof *km->src_head))
            return QUARRY_ENOMEM;
        km->src_head = p;
        if (km->src_cap > old)
            memset(km->src_head + old, 0xFF,
                   (km->src_cap - old) * sizeof *km->src_head);
    }
    return QUARRY_OK;
}

uint32_t qi_keymap_find(const qi_keymap *km, uint32_t src, uint64_t record)
{
    uint32_t i = km->buckets[key_hash(src, record) & (km->nbuckets - 1)];
    while (i != QI_NONE32) {
        const qi_kentry *e = &km->ents[i];
        if (e->src == src && e->record == record)
            return i;
        i = e->next;
    }
    return QI_NONE32;
}

static int grow_buckets(qi_keymap *km)
{
    size_t nb = km->nbuckets * 2, i;
    uint32_t *b = qi_alloc(km->env, nb * sizeof *b);
    if (!b)
        return QUARRY_ENOMEM;
    memset(b, 0xFF, nb * sizeof *b);
    for (i = 0; i < km->nents; i++) {
        qi_kentry *e = &km->ents[i];
        size_t h;
        if (e->src == QI_NONE32) /* on the free list */
            continue;
        h = key_hash(e->src, e->record) & (nb - 1);
        e->next = b[h];
        b[h] = (uint32_t)i;
    }
    qi_free(km->env, km->buckets, km->nbuckets * sizeof *km->buckets);
    km->buckets = b;
    km->nbuckets = nb;
    return QUARRY_OK;
}

int qi_keymap_insert(qi_keymap *km, uint32_t src, uint64_t record,
                     uint32_t *idx)
{
    qi_kentry *e;
    uint32_t i;
    size_t h;
    if (km->live + 1 > km->nbuckets && grow_buckets(km) != QUARRY_OK)
        return QUARRY_ENOMEM;
    if (km->free_list != QI_NONE32) {
        i = km->free_list;
        km->free_list = km->ents[i].next;
    } else {
        void *p = km->ents;
        if (km->nents >= QI_NONE32 - 1 ||
            !qi_array_reserve(km->env, &p, &km->ents_cap, km->nents + 1,
                              sizeof *km->ents))
            return QUARRY_ENOMEM;
        km->ents = p;
        i = (uint32_t)km->nents++;
    }
    e = &km->ents[i];
    memset(e, 0, sizeof *e);
    e->src = src;
    e->record = record;
    e->seg_id = QI_NONE64;
    h = key_hash(src, record) & (km->nbuckets - 1);
    e->next = km->buckets[h];
    km->buckets[h] = i;
    e->src_prev = QI_NONE32;
    e->src_next = km->src_head[src];
    if (e->src_next != QI_NONE32)
        km->ents[e->src_next].src_prev = i;
    km->src_head[src] = i;
    km->live++;
    *idx = i;
    return QUARRY_OK;
}

void qi_keymap_remove(qi_keymap *km, uint32_t idx)
{
    qi_kentry *e = &km->ents[idx];
    size_t h = key_hash(e->src, e->record) & (km->nbuckets - 1);
    uint32_t *pp = &km->buckets[h];
    while (*pp != QI_NONE32 && *pp != idx)
        pp = &km->ents[*pp].next;
    if (*pp == idx)
        *pp = e->next;
    if (e->src_prev != QI_NONE32)
        km->ents[e->src_prev].src_next = e->src_next;
    else
        km->src_head[e->src] = e->src_next;
    if (e->src_next != QI_NONE32)
        km->ents[e->src_next].src_prev = e->src_prev;
    e->src = QI_NONE32;
    e->next = km->free_list;
    km->free_list = idx;
    km->live--;
}

uint32_t qi_keymap_source_head(const qi_keymap *km, uint32_t src)
{
    return src < km->src_cap ? km->src_head[src] : QI_NONE32;
}
