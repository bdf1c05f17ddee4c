/*
 * segment_read.c - opening a segment file (mmap; header, footer and TOC
 * checks, O(1) in the file's size) and reading documents: metadata,
 * fields, stored text, tokens with byte offsets, spans and words.
 *
 * Every value read from the mapping is checked before it is used as an
 * offset, length or count. Section checksums are checked lazily: each read
 * calls qs_need for the sections it reads, which hashes a section the
 * first time it is needed and remembers the result (qs_sec_check); checks
 * of the structure across a whole section (stream consistency, order) are
 * qi_segment_verify's.
 */
#define XXH_STATIC_LINKING_ONLY
#define ZSTD_STATIC_LINKING_ONLY
#include "segment_internal.h"
#include "zstd_env.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

int qs_corrupt(qi_segment *seg, const char *part, const char *fmt, ...)
{
    char what[QI_ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    qi_set_error(seg->errmsg, "segment %.200s: %s: %.250s", seg->path, part,
                 what);
    return QUARRY_ECORRUPT;
}

const char *qs_section_name(int id)
{
    static const char *const names[QS_COUNT] = {
        "",           "sources",     "doc table",  "field names", "fields",
        "store",      "store index", "tokens",     "ranks",       "offsets",
        "structure",  "postings",    "terms",      "term index",  "words",
        "word index", "word ranks",  "token codes"};
    return id > 0 && id < QS_COUNT ? names[id] : "?";
}

int qs_sec_check(qi_segment *seg, uint32_t mask)
{
    int id;
    for (id = 1; id < QS_COUNT; id++) {
        qs_sec *s = &seg->sec[id];
        if (!(mask & QS_BIT(id)) || seg->sec_state[id] == QS_SEC_OK)
            continue;
        if (seg->sec_state[id] == QS_SEC_UNVERIFIED) {
            if (XXH3_64bits(s->p, (size_t)s->len) == s->xxh) {
                seg->sec_state[id] = QS_SEC_OK;
                seg->sec_ok |= QS_BIT(id);
                continue;
            }
            seg->sec_state[id] = QS_SEC_CORRUPT;
        }
        return qs_corrupt(seg, qs_section_name(id),
                          "section checksum mismatch (%llu bytes at offset "
                          "%llu)",
                          (unsigned long long)s->len,
                          (unsigned long long)s->off);
    }
    return QUARRY_OK;
}

/* Checks the TOC and fills seg->sec. */
static int read_toc(qi_segment *seg, char *errmsg)
{
    const unsigned char *t = seg->map + seg->toc_off;
    uint64_t n = seg->toc_len / QS_TOC_ENTRY, i;
    int seen[QS_COUNT] = {0};
    for (i = 0; i < n; i++, t += QS_TOC_ENTRY) {
        uint32_t id = qi_load32(t), part = qi_load32(t + 4);
        uint64_t off = qi_load64(t + 8), len = qi_load64(t + 16);
        if (id == 0 || id >= QS_COUNT || seen[id] ||
            part != (uint32_t)qs_section_part((int)id)) {
            qi_set_error(errmsg, "segment %.300s: TOC entry %u is invalid",
                         seg->path, (unsigned)i);
            return QUARRY_ECORRUPT;
        }
        if (off < QS_HEADER_SIZE || off > seg->toc_off ||
            len > seg->toc_off - off) {
            qi_set_error(errmsg,
                         "segment %.300s: section %s lies outside the file",
                         seg->path, qs_section_name((int)id));
            return QUARRY_ECORRUPT;
        }
        seen[id] = 1;
        seg->sec[id].p = seg->map + off;
        seg->sec[id].off = off;
        seg->sec[id].len = len;
        seg->sec[id].xxh = qi_load64(t + 24);
    }
    for (i = 1; i < QS_COUNT; i++)
        if (!seen[i]) {
            qi_set_error(errmsg, "segment %.300s: section %s is missing",
                         seg->path, qs_section_name((int)i));
            return QUARRY_ECORRUPT;
        }
    return QUARRY_OK;
}

/* Sizes of the fixed-width sections must agree with the header's counts:
 * after this, a doc id < doc_count, a rank < term_count and a block index
 * < the number of blocks all address inside their sections. */
static int check_sizes(qi_segment *seg, char *errmsg)
{
    const char *bad = NULL;
    uint64_t nblk = (seg->term_count + QS_DICT_BLOCK - 1) / QS_DICT_BLOCK;
    uint64_t nwblk = (seg->word_count + QS_DICT_BLOCK - 1) / QS_DICT_BLOCK;
    if (seg->doc_count > seg->sec[QS_DOCTABLE].len / QS_DOC_SIZE ||
        seg->sec[QS_DOCTABLE].len != seg->doc_count * QS_DOC_SIZE)
        bad = "doc table size does not match the document count";
    else if (seg->term_count > seg->sec[QS_RANKS].len / QS_RANK_ENTRY ||
             seg->sec[QS_RANKS].len != seg->term_count * QS_RANK_ENTRY)
        bad = "rank table size does not match the term count";
    else if (seg->sec[QS_TERM_INDEX].len != nblk * QS_DICT_INDEX_ENTRY)
        bad = "term index size does not match the term count";
    else if (seg->sec[QS_WORD_INDEX].len != nwblk * QS_DICT_INDEX_ENTRY)
        bad = "word index size does not match the word count";
    else if (seg->sec[QS_TOKEN_CODES].len != (seg->term_count < QI_HUFF_SYMBOLS
                                                  ? seg->term_count
                                                  : QI_HUFF_SYMBOLS))
        bad = "token code size does not match the term count";
    else if (seg->word_count > seg->sec[QS_WORD_RANKS].len / 4 ||
             seg->sec[QS_WORD_RANKS].len != seg->word_count * 4)
        bad = "word rank table size does not match the word count";
    else if (seg->sec[QS_STORE_INDEX].len % QS_STORE_ENTRY != 0)
        bad = "store index size is not a multiple of its entry";
    else if (seg->term_count > UINT32_MAX || seg->word_count > UINT32_MAX)
        bad = "too many terms";
    else if (seg->term_count > seg->sec[QS_TERMS].len ||
             seg->word_count > seg->sec[QS_WORDS].len)
        bad = "more terms than dictionary bytes";
    if (bad) {
        qi_set_error(errmsg, "segment %.300s: %s", seg->path, bad);
        return QUARRY_ECORRUPT;
    }
    seg->store_blocks = seg->sec[QS_STORE_INDEX].len / QS_STORE_ENTRY;
    return QUARRY_OK;
}

static int parse(qi_segment *seg, char *errmsg)
{
    const unsigned char *h = seg->map, *f;
    uint32_t version;
    if (seg->size < QS_HEADER_SIZE + QS_FOOTER_SIZE ||
        memcmp(h, QS_MAGIC, QS_MAGIC_LEN) != 0) {
        qi_set_error(
            errmsg, "segment %.300s: not a quarry segment file%s", seg->path,
            seg->size < QS_HEADER_SIZE + QS_FOOTER_SIZE ? " (too short)"
                                                        : " (bad magic)");
        return QUARRY_ECORRUPT;
    }
    version = qi_load32(h + QS_H_VERSION);
    f = seg->map + seg->size - QS_FOOTER_SIZE;
    /* A newer format may lay out its footer differently, so its version is
     * believed before anything else -- unless our footer is there and
     * disowns the header, which is a flipped bit, not a newer file. */
    if (version > QUARRY_FORMAT_VERSION &&
        (memcmp(f + QS_F_MAGIC, QS_FOOTER_MAGIC, QS_MAGIC_LEN) != 0 ||
         XXH3_64bits(h, QS_HEADER_SIZE) == qi_load64(f + QS_F_HDR_XXH))) {
        qi_set_error(errmsg,
                     "segment %.300s: format version %u is newer than this "
                     "library's (%d)",
                     seg->path, (unsigned)version, QUARRY_FORMAT_VERSION);
        return QUARRY_EVERSION;
    }
    if (memcmp(f + QS_F_MAGIC, QS_FOOTER_MAGIC, QS_MAGIC_LEN) != 0) {
        qi_set_error(errmsg, "segment %.300s: bad footer (truncated file?)",
                     seg->path);
        return QUARRY_ECORRUPT;
    }
    if (XXH3_64bits(h, QS_HEADER_SIZE) != qi_load64(f + QS_F_HDR_XXH) ||
        version == 0 || qi_load32(h + QS_H_HSIZE) != QS_HEADER_SIZE) {
        qi_set_error(errmsg, "segment %.300s: header checksum mismatch",
                     seg->path);
        return QUARRY_ECORRUPT;
    }
    seg->segment_id = qi_load64(h + QS_H_SEGID);
    seg->doc_count = qi_load64(h + QS_H_DOCS);
    seg->token_count = qi_load64(h + QS_H_TOKENS);
    seg->term_count = qi_load64(h + QS_H_TERMS);
    seg->word_count = qi_load64(h + QS_H_WORDS);
    seg->toc_off = qi_load64(f + QS_F_TOC_OFF);
    seg->toc_len = qi_load64(f + QS_F_TOC_LEN);
    if (seg->toc_off < QS_HEADER_SIZE ||
        seg->toc_off > seg->size - QS_FOOTER_SIZE ||
        seg->toc_len != seg->size - QS_FOOTER_SIZE - seg->toc_off ||
        seg->toc_len % QS_TOC_ENTRY != 0 ||
        seg->toc_len / QS_TOC_ENTRY != qi_load32(h + QS_H_NSEC)) {
        qi_set_error(errmsg, "segment %.300s: bad table of contents position",
                     seg->path);
        return QUARRY_ECORRUPT;
    }
    if (XXH3_64bits(seg->map + seg->toc_off, seg->toc_len) !=
        qi_load64(f + QS_F_TOC_XXH)) {
        qi_set_error(errmsg,
                     "segment %.300s: table of contents checksum mismatch",
                     seg->path);
        return QUARRY_ECORRUPT;
    }
    if (read_toc(seg, errmsg) != QUARRY_OK)
        return QUARRY_ECORRUPT;
    return check_sizes(seg, errmsg);
}

int qi_segment_open(quarry_env *env, const char *path, qi_segment **out,
                    char *errmsg)
{
    qi_segment *seg;
    struct stat st;
    int fd, rc;
    void *m;

    *out = NULL;
    errmsg[0] = '\0';
    seg = qi_calloc(env, 1, sizeof *seg);
    if (!seg)
        goto nomem;
    seg->env = env;
    seg->cache_block = UINT64_MAX;
    seg->path_len = strlen(path);
    seg->path = qi_strndup(env, path, seg->path_len);
    if (!seg->path)
        goto nomem;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        qi_set_error(errmsg, "cannot open segment %.300s: %s", path,
                     strerror(e));
        qi_segment_close(seg);
        return e == ENOENT ? QUARRY_ENOENT : QUARRY_EIO;
    }
    if (fstat(fd, &st) != 0) {
        qi_set_error(errmsg, "cannot stat segment %.300s: %s", path,
                     strerror(errno));
        close(fd);
        qi_segment_close(seg);
        return QUARRY_EIO;
    }
    if (st.st_size < QS_HEADER_SIZE + QS_FOOTER_SIZE ||
        (uint64_t)st.st_size > SIZE_MAX) {
        qi_set_error(errmsg,
                     "segment %.300s: not a quarry segment file (too short)",
                     path);
        close(fd);
        qi_segment_close(seg);
        return QUARRY_ECORRUPT;
    }
    seg->size = (size_t)st.st_size;
    m = mmap(NULL, seg->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd); /* the mapping keeps the file */
    if (m == MAP_FAILED) {
        qi_set_error(errmsg, "cannot map segment %.300s: %s", path,
                     strerror(errno));
        seg->size = 0;
        qi_segment_close(seg);
        return errno == ENOMEM ? QUARRY_ENOMEM : QUARRY_EIO;
    }
    seg->map = m;
    rc = parse(seg, errmsg);
    if (rc != QUARRY_OK) {
        qi_segment_close(seg);
        return rc;
    }
    *out = seg;
    return QUARRY_OK;
nomem:
    qi_segment_close(seg);
    qi_set_error(errmsg, "out of memory opening segment %.300s", path);
    return QUARRY_ENOMEM;
}

void qi_segment_close(qi_segment *seg)
{
    quarry_env *env;
    if (!seg)
        return;
    env = seg->env;
    if (seg->map)
        munmap((void *)seg->map, seg->size);
    if (seg->dctx)
        ZSTD_freeDCtx(seg->dctx);
    qi_buf_free(env, &seg->cache);
    qi_free(env, seg->huff, seg->huff ? sizeof *seg->huff : 0);
    qi_free(env, seg->path, seg->path ? seg->path_len + 1 : 0);
    qi_free(env, seg, sizeof *seg);
}

const char *qi_segment_errmsg(const qi_segment *seg)
{
    return seg ? seg->errmsg : "";
}

void qi_segment_stats_get(const qi_segment *seg, qi_segment_stats *out)
{
    int i;
    memset(out, 0, sizeof *out);
    out->segment_id = seg->segment_id;
    out->doc_count = seg->doc_count;
    out->token_count = seg->token_count;
    out->term_count = seg->term_count;
    out->word_term_count = seg->word_count;
    out->file_bytes = seg->size;
    for (i = 1; i < QS_COUNT; i++)
        out->bytes[qs_section_part(i)] += seg->sec[i].len;
    out->bytes[QUARRY_PART_DOCS] +=
        QS_HEADER_SIZE + seg->toc_len + QS_FOOTER_SIZE;
}

int qs_docrec(qi_segment *seg, uint64_t doc, const unsigned char **rec)
{
    int rc;
    *rec = NULL;
    if (doc >= seg->doc_count) {
        qi_set_error(seg->errmsg, "segment %.200s: document %llu out of range",
                     seg->path, (unsigned long long)doc);
        return QUARRY_EINVAL;
    }
    rc = qs_need(seg, QS_BIT(QS_DOCTABLE));
    if (rc != QUARRY_OK)
        return rc;
    *rec = seg->sec[QS_DOCTABLE].p + doc * QS_DOC_SIZE;
    return QUARRY_OK;
}

int qs_stream_open(qi_segment *seg, int id, uint64_t off, uint64_t n,
                   unsigned min_item, qs_stream *s, const unsigned char **after,
                   const char *part)
{
    const qs_sec *sec = &seg->sec[id];
    const unsigned char *p, *end = sec->p + sec->len;
    uint64_t dlen, nb;
    int rc = qs_need(seg, QS_BIT(id));
    if (rc != QUARRY_OK)
        return rc;
    if (off >= sec->len)
        return qs_corrupt(seg, part, "stream offset out of range");
    p = qi_varint_get(sec->p + off, end, &dlen);
    if (!p)
        return qs_corrupt(seg, part, "bad stream length");
    nb = n / QS_STREAM_BLOCK + (n % QS_STREAM_BLOCK != 0);
    if (nb > 1 && nb - 1 > (uint64_t)(end - p) / 4)
        return qs_corrupt(seg, part, "stream block table out of range");
    s->table = p;
    if (nb > 1)
        p += (nb - 1) * 4;
    if (dlen > (uint64_t)(end - p))
        return qs_corrupt(seg, part, "stream data out of range");
    if (min_item ? n > dlen / min_item : n / 8 > dlen)
        return qs_corrupt(seg, part, "stream too short for its items");
    s->data = p;
    s->end = p + dlen;
    s->n = n;
    s->nb = nb;
    if (after)
        *after = s->end;
    return QUARRY_OK;
}

const unsigned char *qs_stream_block(const qs_stream *s, uint64_t b)
{
    uint64_t off = b == 0 ? 0 : qi_load32(s->table + 4 * (b - 1));
    if (off >= (uint64_t)(s->end - s->data))
        return NULL;
    return s->data + off;
}

int qs_huff_load(qi_segment *seg)
{
    int rc;
    if (seg->huff)
        return QUARRY_OK;
    rc = qs_need(seg, QS_BIT(QS_TOKEN_CODES));
    if (rc != QUARRY_OK)
        return rc;
    seg->huff = qi_alloc(seg->env, sizeof *seg->huff);
    if (!seg->huff) {
        qi_set_error(seg->errmsg, "out of memory (token code)");
        return QUARRY_ENOMEM;
    }
    if (!qi_huffdec_init(seg->huff, seg->sec[QS_TOKEN_CODES].p,
                         (size_t)seg->sec[QS_TOKEN_CODES].len)) {
        qi_free(seg->env, seg->huff, sizeof *seg->huff);
        seg->huff = NULL;
        return qs_corrupt(seg, "token codes", "not a prefix code");
    }
    return QUARRY_OK;
}

int qi_segment_doc_meta(qi_segment *seg, uint64_t doc, qi_docmeta *out)
{
    const unsigned char *r;
    const qs_sec *src = &seg->sec[QS_SOURCES];
    uint64_t so;
    int rc = qs_docrec(seg, doc, &r);
    if (rc == QUARRY_OK)
        rc = qs_need(seg, QS_BIT(QS_SOURCES));
    if (rc != QUARRY_OK)
        return rc;
    so = qs_docget(r, QS_D_SOURCE);
    if (so >= src->len || !memchr(src->p + so, 0, src->len - so))
        return qs_corrupt(seg, "doc table", "source of document %llu",
                          (unsigned long long)doc);
    out->source = (const char *)src->p + so;
    out->record = qs_docget(r, QS_D_RECORD);
    out->hash = qs_docget(r, QS_D_HASH);
    out->tokens = qs_docget(r, QS_D_TOKENS);
    out->text_bytes = qs_docget(r, QS_D_TEXT);
    out->sentences = qs_docget(r, QS_D_SENTENCES);
    out->paragraphs = qs_docget(r, QS_D_PARAGRAPHS);
    out->words = qs_docget(r, QS_D_WORDS);
    /* Counts a caller may size arrays by must be plausible: each token
     * takes a bit of the token streams, each span or word a byte of the
     * structure, each field three bytes of the field records. */
    if (out->tokens / 8 > seg->sec[QS_TOKENS].len ||
        out->sentences > seg->sec[QS_STRUCTURE].len ||
        out->paragraphs > seg->sec[QS_STRUCTURE].len ||
        out->words > seg->sec[QS_STRUCTURE].len ||
        qs_docget(r, QS_D_NFIELDS) > seg->sec[QS_FIELDS].len / 3 ||
        out->text_bytes / QS_ZSTD_MAX_RATIO > seg->sec[QS_STORE].len)
        return qs_corrupt(seg, "doc table", "counts of document %llu",
                          (unsigned long long)doc);
    out->field_count = (size_t)qs_docget(r, QS_D_NFIELDS);
    return QUARRY_OK;
}

int qi_segment_doc_field(qi_segment *seg, uint64_t doc, size_t i,
                         quarry_field *out)
{
    const unsigned char *r, *p, *end;
    const qs_sec *fs = &seg->sec[QS_FIELDS], *ns = &seg->sec[QS_FIELD_NAMES];
    uint64_t off, k;
    int rc = qs_docrec(seg, doc, &r);
    if (rc != QUARRY_OK)
        return rc;
    if (i >= qs_docget(r, QS_D_NFIELDS)) {
        qi_set_error(seg->errmsg, "segment %.200s: field %zu out of range",
                     seg->path, i);
        return QUARRY_EINVAL;
    }
    rc = qs_need(seg, QS_BIT(QS_FIELDS) | QS_BIT(QS_FIELD_NAMES));
    if (rc != QUARRY_OK)
        return rc;
    off = qs_docget(r, QS_D_FIELDS);
    if (off > fs->len)
        return qs_corrupt(seg, "fields", "offset of document %llu",
                          (unsigned long long)doc);
    p = fs->p + off;
    end = fs->p + fs->len;
    for (k = 0; k <= i; k++) {
        uint64_t name, tl;
        int type;
        if (!(p = qi_varint_get(p, end, &name)) || p >= end)
            goto bad;
        type = *p++;
        if (!(p = qi_varint_get(p, end, &tl)) || tl >= (uint64_t)(end - p) ||
            p[tl] != 0 || name >= ns->len ||
            !memchr(ns->p + name, 0, ns->len - name))
            goto bad;
        memset(out, 0, sizeof *out);
        out->name = (const char *)ns->p + name;
        out->text = (const char *)p;
        out->text_len = (size_t)tl;
        out->type = type;
        p += tl + 1;
        switch (type) {
        case QUARRY_FIELD_STRING: break;
        case QUARRY_FIELD_INTEGER: {
            uint64_t u;
            if (!(p = qi_varint_get(p, end, &u)))
                goto bad;
            out->value.integer = (int64_t)((u >> 1) ^ (0 - (u & 1)));
            break;
        }
        case QUARRY_FIELD_NUMBER: {
            uint64_t u;
            if (end - p < 8)
                goto bad;
            u = qi_load64(p);
            memcpy(&out->value.number, &u, 8);
            p += 8;
            break;
        }
        case QUARRY_FIELD_DATE: {
            quarry_date *d = &out->value.date;
            if (end - p < QS_DATE_SIZE)
                goto bad;
            d->year = (int32_t)qi_load32(p);
            d->month = p[4];
            d->day = p[5];
            d->hour = p[6];
            d->minute = p[7];
            d->second = p[8];
            d->precision = p[9];
            d->has_zone = p[10];
            d->zone_minutes = (int16_t)qi_load16(p + 11);
            p += QS_DATE_SIZE;
            break;
        }
        default: goto bad;
        }
    }
    return QUARRY_OK;
bad:
    return qs_corrupt(seg, "fields", "record of document %llu",
                      (unsigned long long)doc);
}

int qs_load_block(qi_segment *seg, uint64_t b)
{
    const unsigned char *e;
    uint64_t off, clen, rlen;
    size_t got;
    int rc;
    if (seg->cache_block == b)
        return QUARRY_OK;
    rc = qs_need(seg, QS_BIT(QS_STORE_INDEX));
    if (rc != QUARRY_OK)
        return rc;
    if (b >= seg->store_blocks)
        return qs_corrupt(seg, "store", "block %llu out of range",
                          (unsigned long long)b);
    e = seg->sec[QS_STORE_INDEX].p + b * QS_STORE_ENTRY;
    off = qi_load64(e);
    clen = qi_load64(e + 8);
    rlen = qi_load64(e + 16);
    if (off > seg->sec[QS_STORE].len || clen > seg->sec[QS_STORE].len - off ||
        rlen / QS_ZSTD_MAX_RATIO > clen || rlen > SIZE_MAX - 1)
        return qs_corrupt(seg, "store", "block %llu out of range",
                          (unsigned long long)b);
    if (ZSTD_getFrameContentSize(seg->sec[QS_STORE].p + off, clen) != rlen)
        return qs_corrupt(seg, "store", "block %llu has a bad frame",
                          (unsigned long long)b);
    if (!seg->dctx) {
        seg->dctx = qi_zstd_dctx_new(seg->env);
        if (!seg->dctx) {
            qi_set_error(seg->errmsg, "out of memory (zstd)");
            return QUARRY_ENOMEM;
        }
    }
    seg->cache_block = UINT64_MAX;
    seg->cache.len = 0;
    if (!qi_buf_reserve(seg->env, &seg->cache, (size_t)rlen)) {
        qi_set_error(seg->errmsg, "out of memory decompressing text");
        return QUARRY_ENOMEM;
    }
    got = ZSTD_decompressDCtx(seg->dctx, seg->cache.data, (size_t)rlen,
                              seg->sec[QS_STORE].p + off, clen);
    if (ZSTD_isError(got) || got != rlen)
        return qs_corrupt(seg, "store", "block %llu does not decompress: %s",
                          (unsigned long long)b,
                          ZSTD_isError(got) ? ZSTD_getErrorName(got)
                                            : "wrong size");
    seg->cache.len = got;
    seg->cache_block = b;
    return QUARRY_OK;
}

int qi_segment_doc_text_ref(qi_segment *seg, uint64_t doc, const char **text,
                            size_t *len)
{
    const unsigned char *r;
    uint64_t n, off;
    int rc;
    *text = "";
    *len = 0;
    rc = qs_docrec(seg, doc, &r);
    if (rc != QUARRY_OK)
        return rc;
    n = qs_docget(r, QS_D_TEXT);
    off = qs_docget(r, QS_D_STORE_OFF);
    if (n == 0)
        return QUARRY_OK; /* may come before any block is loaded */
    {
        uint64_t blk = qs_docget(r, QS_D_STORE_BLOCK), raw;
        if (blk >= seg->store_blocks)
            return qs_corrupt(seg, "store", "block of document %llu",
                              (unsigned long long)doc);
        rc = qs_need(seg, QS_BIT(QS_STORE_INDEX));
        if (rc != QUARRY_OK)
            return rc;
        /* a block larger than QS_STORE_BLOCK holds one document only (the
         * writer's rule): then the allocation below is the document's
         * own size, never an amount a damaged header makes up */
        raw = qi_load64(seg->sec[QS_STORE_INDEX].p + blk * QS_STORE_ENTRY + 16);
        if (raw > QS_STORE_BLOCK && (off != 0 || n != raw))
            return qs_corrupt(seg, "store", "block of document %llu",
                              (unsigned long long)doc);
        rc = qs_load_block(seg, blk);
        if (rc != QUARRY_OK)
            return rc;
        if (off > seg->cache.len || n > seg->cache.len - off)
            return qs_corrupt(seg, "store", "text of document %llu",
                              (unsigned long long)doc);
    }
    *text = seg->cache.data + off;
    *len = (size_t)n;
    return QUARRY_OK;
}

int qi_segment_doc_text(qi_segment *seg, uint64_t doc, qi_buf *out)
{
    const char *text;
    size_t len;
    int rc = qi_segment_doc_text_ref(seg, doc, &text, &len);
    out->len = 0;
    if (rc != QUARRY_OK)
        return rc;
    if ((len && !qi_buf_append(seg->env, out, text, len)) ||
        !qi_buf_terminate(seg->env, out)) {
        qi_set_error(seg->errmsg, "out of memory copying text");
        return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

int qi_segment_doc_tokens(qi_segment *seg, uint64_t doc, uint64_t first,
                          size_t n, uint32_t *ids, uint64_t *starts,
                          uint64_t *ends, size_t *got)
{
    const unsigned char *r;
    const unsigned char *tp, *op = NULL, *codes = NULL, *ranks;
    qs_stream ts = {0}, os = {0}; /* zeroed for gcc -O3 false alarms */
    qi_bitr br = {NULL, 0, 0, 0};
    uint64_t ntok, i, last, prev_end = 0, text;
    int rc, want_off = starts || ends;
    size_t k = 0;

    *got = 0;
    rc = qs_docrec(seg, doc, &r);
    if (rc != QUARRY_OK)
        return rc;
    ntok = qs_docget(r, QS_D_TOKENS);
    text = qs_docget(r, QS_D_TEXT);
    if (first >= ntok || n == 0)
        return QUARRY_OK;
    last = n < ntok - first ? first + n : ntok;
    rc = qs_stream_open(seg, QS_TOKENS, qs_docget(r, QS_D_TOKSTREAM), ntok, 0,
                        &ts, NULL, "tokens");
    if (rc == QUARRY_OK)
        rc = qs_huff_load(seg);
    if (rc == QUARRY_OK)
        rc = qs_need(seg, QS_BIT(QS_RANKS));
    if (rc != QUARRY_OK)
        return rc;
    if (want_off) {
        rc = qs_stream_open(seg, QS_OFFSETS, qs_docget(r, QS_D_OFFSTREAM), ntok,
                            0, &os, NULL, "offsets");
        if (rc != QUARRY_OK)
            return rc;
    }
    i = first - first % QS_STREAM_BLOCK;
    tp = qs_stream_block(&ts, i / QS_STREAM_BLOCK);
    if (!tp)
        return qs_corrupt(seg, "tokens", "block table of document %llu",
                          (unsigned long long)doc);
    if (want_off) {
        op = qs_stream_block(&os, i / QS_STREAM_BLOCK);
        if (!op)
            return qs_corrupt(seg, "offsets", "block table of document %llu",
                              (unsigned long long)doc);
    }
    ranks = seg->sec[QS_RANKS].p;
    for (; i < last; i++) {
        uint64_t rank, ord, len;
        if (i % QS_STREAM_BLOCK == 0) {
            /* blocks are byte-aligned bit streams: start each at its
             * table entry */
            if (!(tp = qs_stream_block(&ts, i / QS_STREAM_BLOCK)))
                return qs_corrupt(seg, "tokens", "block table of document %llu",
                                  (unsigned long long)doc);
            br.p = tp;
            br.len = (uint64_t)(ts.end - tp);
            br.nbits = br.len * 8;
            br.pos = 0;
        }
        if (!qs_tok_get(seg, &br, &rank))
            return qs_corrupt(seg, "tokens", "stream of document %llu",
                              (unsigned long long)doc);
        ord = qi_load32(ranks + rank * QS_RANK_ENTRY);
        if (ord >= seg->term_count)
            return qs_corrupt(seg, "ranks", "ordinal out of range");
        if (want_off) {
            unsigned j = (unsigned)(i % QS_STREAM_BLOCK), code;
            uint64_t gap, start;
            if (j == 0) {
                uint64_t m =
                    ntok - i < QS_STREAM_BLOCK ? ntok - i : QS_STREAM_BLOCK;
                if (!(op = qi_varint_get(op, os.end, &prev_end)) ||
                    (uint64_t)(os.end - op) < (m + 3) / 4)
                    goto bad_off;
                codes = op;
                op += (m + 3) / 4;
            }
            code = (codes[j >> 2] >> ((j & 3) * 2)) & 3;
            len = qi_load16(ranks + rank * QS_RANK_ENTRY + 4);
            if (code < 2)
                gap = code;
            else if (!(op = qi_varint_get(op, os.end, &gap)))
                goto bad_off;
            if (code == 3 && !(op = qi_varint_get(op, os.end, &len)))
                goto bad_off;
            if (prev_end > text || gap > text - prev_end)
                goto bad_off;
            start = prev_end + gap;
            if (len > text - start)
                goto bad_off;
            prev_end = start + len;
            if (i >= first) {
                if (starts)
                    starts[k] = start;
                if (ends)
                    ends[k] = prev_end;
            }
        }
        if (i >= first) {
            if (ids)
                ids[k] = (uint32_t)ord;
            k++;
        }
    }
    *got = k;
    return QUARRY_OK;
bad_off:
    return qs_corrupt(seg, "offsets", "stream of document %llu",
                      (unsigned long long)doc);
}

/* Opens stream `which` (0 sentences, 1 paragraphs, 2 words) of doc. */
static int open_struct(qi_segment *seg, const unsigned char *r, uint64_t doc,
                       int which, qs_stream *s)
{
    const unsigned char *after = NULL;
    uint64_t off = qs_docget(r, QS_D_STRUCT);
    static const int counts[3] = {QS_D_SENTENCES, QS_D_PARAGRAPHS, QS_D_WORDS};
    int k, rc;
    (void)doc;
    for (k = 0; k <= which; k++) {
        rc = qs_stream_open(seg, QS_STRUCTURE, off, qs_docget(r, counts[k]), 1,
                            s, &after, "structure");
        if (rc != QUARRY_OK)
            return rc;
        off = (uint64_t)(after - seg->sec[QS_STRUCTURE].p);
    }
    return QUARRY_OK;
}

static int read_spans(qi_segment *seg, uint64_t doc, int which, uint64_t first,
                      size_t n, quarry_span *spans, uint32_t *word_ids,
                      size_t *got)
{
    const unsigned char *r, *p;
    qs_stream s = {0};
    uint64_t i, last, prev = 0, ntok;
    size_t k = 0;
    int rc;
    *got = 0;
    rc = qs_docrec(seg, doc, &r);
    if (rc == QUARRY_OK && which == 2)
        rc = qs_need(seg, QS_BIT(QS_WORD_RANKS));
    if (rc != QUARRY_OK)
        return rc;
    rc = open_struct(seg, r, doc, which, &s);
    if (rc != QUARRY_OK)
        return rc;
    ntok = qs_docget(r, QS_D_TOKENS);
    if (first >= s.n || n == 0)
        return QUARRY_OK;
    last = n < s.n - first ? first + n : s.n;
    i = first - first % QS_STREAM_BLOCK;
    p = qs_stream_block(&s, i / QS_STREAM_BLOCK);
    if (!p)
        goto bad;
    for (; i < last; i++) {
        uint64_t a, len, id = 0;
        if (i % QS_STREAM_BLOCK == 0 && !(p = qi_varint_get(p, s.end, &prev)))
            goto bad;
        if (which == 2) {
            if (!(p = qs_word_get(p, s.end, &id, &a, &len)) ||
                !qs_word_ord(seg, id, &id))
                goto bad;
        } else if (!(p = qs_span_get(p, s.end, &a, &len))) {
            goto bad;
        }
        if (prev > ntok || a > ntok - prev || len > ntok - prev - a)
            goto bad;
        if (i >= first) {
            if (spans) {
                spans[k].first = prev + a;
                spans[k].end = prev + a + len;
            }
            if (word_ids)
                word_ids[k] = (uint32_t)id;
            k++;
        }
        prev += a + len;
    }
    *got = k;
    return QUARRY_OK;
bad:
    return qs_corrupt(seg, "structure", "%s of document %llu",
                      which == 0 ? "sentences"
                                 : (which == 1 ? "paragraphs" : "words"),
                      (unsigned long long)doc);
}

int qi_segment_doc_spans(qi_segment *seg, uint64_t doc, int kind,
                         uint64_t first, size_t n, quarry_span *spans,
                         size_t *got)
{
    if (kind != 0 && kind != 1) {
        *got = 0;
        qi_set_error(seg->errmsg, "span kind must be 0 or 1");
        return QUARRY_EINVAL;
    }
    return read_spans(seg, doc, kind, first, n, spans, NULL, got);
}

int qi_segment_doc_words(qi_segment *seg, uint64_t doc, uint64_t first,
                         size_t n, quarry_span *spans, uint32_t *word_ids,
                         size_t *got)
{
    return read_spans(seg, doc, 2, first, n, spans, word_ids, got);
}
