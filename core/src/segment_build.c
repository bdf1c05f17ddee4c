/*
 * segment_build.c - qi_segbuild: accumulates tokenized documents in memory
 * for one segment. The file is produced by qi_segbuild_write
 * (segment_write.c); the layout is in docs/format.md.
 *
 * Work done per token while adding, kept small because it is on the
 * indexing hot path: cut the norm to QI_MAX_TERM, intern it (one hash
 * probe), store the 4-byte id, and encode the token's byte span as a
 * 2-bit code (gap 0 or 1 and length equal to the norm's: nearly always)
 * with rare exceptions. Stored text is compressed block by block as it
 * arrives, so raw text is never held for more than one block.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include "segment_build.h"
#include "segment_format.h"
#include "varint.h"
#include "zstd_env.h"

#include <string.h>

static int fail(qi_segbuild *b, int rc, const char *what)
{
    qi_set_error(b->errmsg, "segment builder: %s", what);
    return rc;
}

/* A failure after a document has been partly taken in leaves counts that
 * no longer match the streams: the builder then refuses everything but
 * free (what a writer does after ENOMEM anyway). */
static int broken(qi_segbuild *b, int rc, const char *what)
{
    if (what)
        fail(b, rc, what);
    b->state = 2;
    return rc;
}

int qi_segbuild_new(quarry_env *env, qi_segbuild **out)
{
    qi_segbuild *b;
    *out = NULL;
    b = qi_calloc(env, 1, sizeof *b);
    if (!b)
        goto nomem;
    b->env = env;
    if (quarry_vocab_new(env, &b->terms) != QUARRY_OK ||
        quarry_vocab_new(env, &b->wterms) != QUARRY_OK ||
        quarry_vocab_new(env, &b->fnames) != QUARRY_OK)
        goto nomem;
    *out = b;
    return QUARRY_OK;
nomem:
    qi_segbuild_free(b);
    qi_set_error(env->errmsg, "segment builder: out of memory");
    return QUARRY_ENOMEM;
}

void qi_segbuild_free(qi_segbuild *b)
{
    quarry_env *env;
    if (!b)
        return;
    env = b->env;
    quarry_vocab_free(b->terms);
    quarry_vocab_free(b->wterms);
    quarry_vocab_free(b->fnames);
    qi_free(env, b->fname_off, b->fname_cap * sizeof *b->fname_off);
    qi_free(env, b->ids, b->ids_cap * sizeof *b->ids);
    qi_free(env, b->docs, b->docs_cap * sizeof *b->docs);
    qi_free(env, b->spans, b->spans_cap * sizeof *b->spans);
    qi_free(env, b->words, b->words_cap * sizeof *b->words);
    qi_free(env, b->bstarts, b->bstarts_cap * sizeof *b->bstarts);
    qi_free(env, b->lens, b->lens_cap * sizeof *b->lens);
    qi_free(env, b->cf, b->cf_cap * sizeof *b->cf);
    qi_buf_free(env, &b->sources);
    qi_buf_free(env, &b->fnames_blob);
    qi_buf_free(env, &b->fields);
    qi_buf_free(env, &b->offsets);
    qi_buf_free(env, &b->scratch);
    qi_buf_free(env, &b->store);
    qi_buf_free(env, &b->store_index);
    qi_buf_free(env, &b->pending);
    if (b->cctx)
        ZSTD_freeCCtx(b->cctx);
    qi_free(env, b, sizeof *b);
}

const char *qi_segbuild_errmsg(const qi_segbuild *b)
{
    return b ? b->errmsg : "";
}

uint64_t qi_segbuild_doc_count(const qi_segbuild *b)
{
    return b->ndocs;
}

size_t qi_segbuild_memory(const qi_segbuild *b)
{
    size_t nterms = quarry_vocab_size(b->terms);
    size_t nw = quarry_vocab_size(b->wterms);
    size_t m = sizeof *b;
    m += b->ids_cap * sizeof *b->ids + b->docs_cap * sizeof *b->docs +
         b->spans_cap * sizeof *b->spans + b->words_cap * sizeof *b->words;
    m += b->sources.cap + b->fnames_blob.cap + b->fields.cap + b->offsets.cap +
         b->scratch.cap + b->store.cap + b->store_index.cap + b->pending.cap;
    /* vocab: entry (32) + slots (8 / 0.7 load, doubled) + arena */
    m += (nterms + nw) * 56 + (size_t)b->term_bytes + b->cf_cap * 8;
    /* what qi_segbuild_write adds on top: one 8-byte postings entry per
     * token and per-term sort and remap arrays. Counting it now makes a
     * writer flush before the write itself would exceed its budget. */
    m += b->ids_len * 8 + (nterms + nw) * 48;
    return m;
}

bool qs_put_stream(quarry_env *env, qi_buf *out, const void *data, size_t len,
                   const uint32_t *starts, size_t nb)
{
    unsigned char v[QI_VARINT_MAX];
    size_t k, vl = qi_varint_put(v, len);
    size_t need = vl + (nb > 1 ? (nb - 1) * 4 : 0) + len;
    unsigned char *p;
    if (!qi_buf_reserve(env, out, need))
        return false;
    p = (unsigned char *)out->data + out->len;
    memcpy(p, v, vl);
    p += vl;
    for (k = 1; k < nb; k++, p += 4)
        qi_store32(p, starts[k]);
    if (len)
        memcpy(p, data, len);
    out->len += need;
    return true;
}

/* Cuts a normalized form to QI_MAX_TERM bytes at a UTF-8 boundary: never
 * in the middle of a character, so a cut term is still valid UTF-8. */
static size_t cut_len(const char *s, size_t len)
{
    if (len <= QI_MAX_TERM)
        return len;
    len = QI_MAX_TERM;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    return len;
}

int qs_build_flush_store(qi_segbuild *b)
{
    size_t bound, got;
    unsigned char ent[QS_STORE_ENTRY];
    if (b->pending.len == 0)
        return QUARRY_OK;
    if (!b->cctx) {
        b->cctx = qi_zstd_cctx_new(b->env);
        if (!b->cctx)
            return fail(b, QUARRY_ENOMEM, "out of memory (zstd)");
        /* the frame checksum lets a reader detect a damaged block without
         * the section checksum (which only verify computes) */
        if (ZSTD_isError(ZSTD_CCtx_setParameter(
                b->cctx, ZSTD_c_compressionLevel, QS_ZSTD_LEVEL)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(b->cctx, ZSTD_c_hashLog,
                                                QS_ZSTD_HASHLOG)) ||
            ZSTD_isError(
                ZSTD_CCtx_setParameter(b->cctx, ZSTD_c_checksumFlag, 1)))
            return fail(b, QUARRY_ENOMEM, "zstd parameters refused");
    }
    bound = ZSTD_compressBound(b->pending.len);
    if (!qi_buf_reserve(b->env, &b->store, bound) ||
        !qi_buf_reserve(b->env, &b->store_index, QS_STORE_ENTRY))
        return fail(b, QUARRY_ENOMEM, "out of memory (stored text)");
    got = ZSTD_compress2(b->cctx, b->store.data + b->store.len, bound,
                         b->pending.data, b->pending.len);
    if (ZSTD_isError(got))
        return fail(b, QUARRY_ENOMEM, ZSTD_getErrorName(got));
    qi_store64(ent, b->store.len);
    qi_store64(ent + 8, got);
    qi_store64(ent + 16, b->pending.len);
    qi_buf_append(b->env, &b->store_index, ent, QS_STORE_ENTRY);
    b->store.len += got;
    b->nblocks++;
    b->pending.len = 0;
    return QUARRY_OK;
}

static int add_text(qi_segbuild *b, qs_bdoc *d, const char *text, size_t len)
{
    int rc;
    if (b->pending.len > 0 && b->pending.len + len > QS_STORE_BLOCK) {
        rc = qs_build_flush_store(b);
        if (rc != QUARRY_OK)
            return rc;
    }
    d->store_block = b->nblocks;
    d->store_off = b->pending.len;
    if (!qi_buf_append(b->env, &b->pending, text, len))
        return fail(b, QUARRY_ENOMEM, "out of memory (stored text)");
    if (b->pending.len >= QS_STORE_BLOCK)
        return qs_build_flush_store(b);
    return QUARRY_OK;
}

static bool reserve_bstarts(qi_segbuild *b, size_t n)
{
    void *p = b->bstarts;
    bool ok =
        qi_array_reserve(b->env, &p, &b->bstarts_cap, n, sizeof *b->bstarts);
    b->bstarts = p;
    return ok;
}

/* Encodes the byte spans of the tokens into the offsets stream: per block
 * of QS_STREAM_BLOCK tokens, varint(end of the previous token), a 2-bit
 * code per token, then the exceptions' varints in token order. Code 0/1:
 * gap 0/1 and length = the (cut) norm length; 2: varint gap, length as
 * norm; 3: varint gap, varint length. */
static int encode_offsets(qi_segbuild *b, const qi_docinput *doc,
                          const uint32_t *lens)
{
    size_t n = doc->token_count,
           nb = (n + QS_STREAM_BLOCK - 1) / QS_STREAM_BLOCK;
    size_t i, blk;
    uint64_t prev_end = 0;
    unsigned char exc[QS_STREAM_BLOCK * 2 * QI_VARINT_MAX];
    unsigned char head[QI_VARINT_MAX + QS_STREAM_BLOCK / 4];

    b->scratch.len = 0;
    if (!reserve_bstarts(b, nb + 1))
        return fail(b, QUARRY_ENOMEM, "out of memory (offsets)");
    for (blk = 0, i = 0; blk < nb; blk++) {
        size_t m = n - i < QS_STREAM_BLOCK ? n - i : QS_STREAM_BLOCK;
        size_t hl, el = 0, j;
        unsigned char *codes;
        if (b->scratch.len > UINT32_MAX)
            return fail(b, QUARRY_ELIMIT, "document too large (offsets)");
        b->bstarts[blk] = (uint32_t)b->scratch.len;
        hl = qi_varint_put(head, prev_end);
        codes = head + hl;
        memset(codes, 0, (m + 3) / 4);
        for (j = 0; j < m; j++, i++) {
            const quarry_token *t = &doc->tokens[i];
            uint64_t gap = t->start - prev_end, len = t->end - t->start;
            unsigned code;
            if (len == lens[i])
                code = gap == 0 ? 0 : (gap == 1 ? 1 : 2);
            else
                code = 3;
            codes[j >> 2] |= (unsigned char)(code << ((j & 3) * 2));
            if (code >= 2)
                el += qi_varint_put(exc + el, gap);
            if (code == 3)
                el += qi_varint_put(exc + el, len);
            prev_end = t->end;
        }
        hl += (m + 3) / 4;
        if (!qi_buf_append(b->env, &b->scratch, head, hl) ||
            !qi_buf_append(b->env, &b->scratch, exc, el))
            return fail(b, QUARRY_ENOMEM, "out of memory (offsets)");
    }
    if (!qs_put_stream(b->env, &b->offsets, b->scratch.data, b->scratch.len,
                       b->bstarts, nb))
        return fail(b, QUARRY_ENOMEM, "out of memory (offsets)");
    return QUARRY_OK;
}

/* Spans must be ascending, non-overlapping and inside the document. */
static bool spans_ok(const quarry_span *s, size_t n, uint64_t ntok)
{
    uint64_t prev = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (s[i].first < prev || s[i].end < s[i].first || s[i].end > ntok)
            return false;
        prev = s[i].end;
    }
    return true;
}

static int add_fields(qi_segbuild *b, qs_bdoc *d, const qi_docinput *doc)
{
    size_t i;
    d->fields_off = b->fields.len;
    d->nfields = doc->field_count;
    for (i = 0; i < doc->field_count; i++) {
        const quarry_field *f = &doc->fields[i];
        unsigned char tmp[2 * QI_VARINT_MAX + 1 + QS_DATE_SIZE + 8];
        size_t nl, tl = f->text ? f->text_len : 0, k = 0, before;
        uint32_t id;
        int rc;
        nl = strlen(f->name);
        before = quarry_vocab_size(b->fnames);
        rc = quarry_vocab_add(b->fnames, f->name, nl, 1, &id);
        if (rc != QUARRY_OK)
            return fail(b, rc, "out of memory (field names)");
        if (quarry_vocab_size(b->fnames) != before) {
            void *p = b->fname_off;
            if (!qi_array_reserve(b->env, &p, &b->fname_cap, (size_t)id + 1,
                                  sizeof *b->fname_off))
                return fail(b, QUARRY_ENOMEM, "out of memory (field names)");
            b->fname_off = p;
            b->fname_off[id] = b->fnames_blob.len;
            if (!qi_buf_append(b->env, &b->fnames_blob, f->name, nl + 1))
                return fail(b, QUARRY_ENOMEM, "out of memory");
        }
        k += qi_varint_put(tmp + k, b->fname_off[id]);
        tmp[k++] = (unsigned char)f->type;
        k += qi_varint_put(tmp + k, tl);
        if (!qi_buf_append(b->env, &b->fields, tmp, k) ||
            !qi_buf_append(b->env, &b->fields, tl ? f->text : "", tl) ||
            !qi_buf_push(b->env, &b->fields, '\0'))
            return fail(b, QUARRY_ENOMEM, "out of memory (fields)");
        k = 0;
        if (f->type == QUARRY_FIELD_INTEGER) {
            /* zigzag: small negative numbers stay short */
            uint64_t u = (uint64_t)f->value.integer;
            u = (u << 1) ^ (uint64_t)(0 - (u >> 63));
            k = qi_varint_put(tmp, u);
        } else if (f->type == QUARRY_FIELD_NUMBER) {
            uint64_t u;
            memcpy(&u, &f->value.number, 8);
            qi_store64(tmp, u);
            k = 8;
        } else if (f->type == QUARRY_FIELD_DATE) {
            const quarry_date *dt = &f->value.date;
            qi_store32(tmp, (uint32_t)dt->year);
            tmp[4] = dt->month;
            tmp[5] = dt->day;
            tmp[6] = dt->hour;
            tmp[7] = dt->minute;
            tmp[8] = dt->second;
            tmp[9] = dt->precision;
            tmp[10] = dt->has_zone;
            qi_store16(tmp + 11, (uint16_t)dt->zone_minutes);
            k = QS_DATE_SIZE;
        }
        if (k && !qi_buf_append(b->env, &b->fields, tmp, k))
            return fail(b, QUARRY_ENOMEM, "out of memory (fields)");
    }
    return QUARRY_OK;
}

int qi_segbuild_add(qi_segbuild *b, const qi_docinput *doc)
{
    qs_bdoc *d;
    size_t i, n = doc->token_count;
    uint32_t *lens;
    int rc;

    if (b->state != 0)
        return fail(b, QUARRY_EINVAL, "add after write or failure");
    if (b->ndocs >= UINT32_MAX - 1)
        return fail(b, QUARRY_ELIMIT, "too many documents in one segment");
    /* Local positions are kept in 32 bits inside the builder (the file
     * stores 64-bit varints); 4 G tokens is 20+ GB of text in one doc. */
    if (n >= UINT32_MAX)
        return fail(b, QUARRY_ELIMIT, "document has too many tokens");
    if (!doc->source)
        return fail(b, QUARRY_EINVAL, "document without a source");
    if ((n && (!doc->tokens || !doc->arena)) || (doc->text_len && !doc->text))
        return fail(b, QUARRY_EINVAL, "tokens or text missing");
    /* validate everything before changing any state, so a rejected
     * document leaves the builder as it was */
    {
        uint64_t prev = 0;
        for (i = 0; i < n; i++) {
            const quarry_token *t = &doc->tokens[i];
            if (t->start < prev || t->end < t->start || t->end > doc->text_len)
                return fail(b, QUARRY_EINVAL,
                            "token spans out of order or outside the text");
            prev = t->end;
        }
    }
    if (!spans_ok(doc->sentences, doc->sentence_count, n) ||
        !spans_ok(doc->paragraphs, doc->paragraph_count, n))
        return fail(b, QUARRY_EINVAL, "sentences or paragraphs out of order");
    {
        uint64_t prev = 0;
        for (i = 0; i < doc->word_count; i++) {
            const quarry_word *w = &doc->words[i];
            if (w->first < prev || w->end <= w->first || w->end > n)
                return fail(b, QUARRY_EINVAL, "words out of order");
            prev = w->end;
        }
    }
    for (i = 0; i < doc->field_count; i++)
        if (!doc->fields[i].name || doc->fields[i].type < 1 ||
            doc->fields[i].type > 4)
            return fail(b, QUARRY_EINVAL, "a field has no name or a bad type");

    {
        void *p = b->docs;
        if (!qi_array_reserve(b->env, &p, &b->docs_cap, b->ndocs + 1,
                              sizeof *b->docs))
            return fail(b, QUARRY_ENOMEM, "out of memory (documents)");
        b->docs = p;
        p = b->ids;
        if (!qi_array_reserve(b->env, &p, &b->ids_cap, b->ids_len + n + 1,
                              sizeof *b->ids))
            return fail(b, QUARRY_ENOMEM, "out of memory (tokens)");
        b->ids = p;
        p = b->spans;
        if (!qi_array_reserve(b->env, &p, &b->spans_cap,
                              b->nspans + doc->sentence_count +
                                  doc->paragraph_count + 1,
                              sizeof *b->spans))
            return fail(b, QUARRY_ENOMEM, "out of memory (spans)");
        b->spans = p;
        p = b->lens;
        if (!qi_array_reserve(b->env, &p, &b->lens_cap, n + 1, sizeof *b->lens))
            return fail(b, QUARRY_ENOMEM, "out of memory (tokens)");
        b->lens = p;
        p = b->words;
        if (!qi_array_reserve(b->env, &p, &b->words_cap,
                              b->nwords + doc->word_count + 1,
                              sizeof *b->words))
            return fail(b, QUARRY_ENOMEM, "out of memory (words)");
        b->words = p;
    }
    d = &b->docs[b->ndocs];
    memset(d, 0, sizeof *d);
    d->record = doc->record;
    d->hash = doc->hash;
    d->tokens = n;
    d->text_bytes = doc->text_len;
    d->sentences = doc->sentence_count;
    d->paragraphs = doc->paragraph_count;
    d->words = doc->word_count;
    d->token_base = b->ids_len;
    d->span_base = b->nspans;
    d->word_base = b->nwords;
    d->source_off = b->sources.len;
    d->offsets_off = b->offsets.len;
    if (!qi_buf_append(b->env, &b->sources, doc->source,
                       strlen(doc->source) + 1))
        return broken(b, QUARRY_ENOMEM, "out of memory (sources)");

    /* Terms: ids are written in place; lens keeps the (cut) norm lengths
     * for the offsets codes. */
    lens = b->lens;
    for (i = 0; i < n; i++) {
        const quarry_token *t = &doc->tokens[i];
        const char *norm = doc->arena + t->norm;
        size_t len = cut_len(norm, t->norm_len);
        uint32_t id;
        struct qs_tcache *c = NULL;
        if (len <= 16 && len > 0) {
            /* (k1, k2, len) identifies the term: overlapping fixed-size
             * loads (8+8 for 9..16 bytes, 4+4 for 4..8, three bytes for
             * 1..3) cover every byte; unlike a variable memcpy into a
             * stack word they do not stall on store forwarding */
            const unsigned char *u = (const unsigned char *)norm;
            uint64_t k1, k2 = 0;
            if (len > 8) {
                k1 = qi_load64(u);
                k2 = qi_load64(u + len - 8);
            } else if (len >= 4) {
                k1 = qi_load32(u) | (uint64_t)qi_load32(u + len - 4) << 32;
            } else {
                k1 = u[0] | (uint64_t)u[len / 2] << 8 |
                     (uint64_t)u[len - 1] << 16;
            }
            c = &b->tcache[((k1 ^ len) * 0x9e3779b97f4a7c15ULL ^
                            k2 * 0xc2b2ae3d27d4eb4fULL) >>
                           (64 - QS_TCACHE_BITS)];
            if (c->k1 == k1 && c->k2 == k2 && c->len1 == len + 1) {
                id = c->id;
                goto have_id;
            }
            c->k1 = k1;
            c->k2 = k2;
            c->len1 = 0; /* set once the id is known */
        }
        {
            size_t before = quarry_vocab_size(b->terms);
            rc = quarry_vocab_add(b->terms, norm, len, 0, &id);
            if (rc != QUARRY_OK)
                return broken(b, rc, "out of memory (terms)");
            if (quarry_vocab_size(b->terms) != before) {
                void *p = b->cf;
                b->term_bytes += len + 1;
                if (!qi_array_reserve(b->env, &p, &b->cf_cap, (size_t)id + 1,
                                      sizeof *b->cf))
                    return broken(b, QUARRY_ENOMEM, "out of memory (terms)");
                b->cf = p;
                b->cf[id] = 0;
            }
            if (c) {
                c->len1 = (uint32_t)len + 1;
                c->id = id;
            }
        }
    have_id:
        b->cf[id]++;
        b->ids[b->ids_len + i] = id;
        lens[i] = (uint32_t)len;
    }
    rc = encode_offsets(b, doc, lens);
    if (rc != QUARRY_OK)
        return broken(b, rc, NULL);
    b->ids_len += n;

    for (i = 0; i < doc->sentence_count; i++)
        b->spans[b->nspans++] = doc->sentences[i];
    for (i = 0; i < doc->paragraph_count; i++)
        b->spans[b->nspans++] = doc->paragraphs[i];
    for (i = 0; i < doc->word_count; i++) {
        const quarry_word *w = &doc->words[i];
        const char *norm = doc->arena + w->norm;
        uint32_t id;
        size_t before = quarry_vocab_size(b->wterms);
        size_t len = cut_len(norm, w->norm_len);
        rc = quarry_vocab_add(b->wterms, norm, len, 1, &id);
        if (rc != QUARRY_OK)
            return broken(b, rc, "out of memory (words)");
        if (quarry_vocab_size(b->wterms) != before)
            b->term_bytes += len + 1;
        b->words[b->nwords].first = w->first;
        b->words[b->nwords].end = w->end;
        b->words[b->nwords].id = id;
        b->nwords++;
    }
    rc = add_fields(b, d, doc);
    if (rc != QUARRY_OK)
        return broken(b, rc, NULL);
    rc = add_text(b, d, doc->text ? doc->text : "", doc->text_len);
    if (rc != QUARRY_OK)
        return broken(b, rc, NULL);
    b->ndocs++;
    return QUARRY_OK;
}
