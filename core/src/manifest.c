/*
 * manifest.c - the manifest and the deletion bitmaps of an index.
 *
 * The manifest is the commit point of the index: a snapshot is whatever the
 * file named "manifest" says. It is written whole to manifest.tmp, fsynced,
 * renamed over "manifest" and the directory fsynced, so a crash leaves
 * either the old or the new manifest, never a mix. Readers read it whole
 * and check magic, version and checksum before trusting any count in it.
 *
 * All integers are little-endian; strings are a u32 length and bytes (no
 * NUL; length 0 stands for "not set").
 */
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

static const char manifest_magic[8] = {'Q', 'R', 'Y', 'M', 'A', 'N', 'I', 'F'};
static const char del_magic[8] = {'Q', 'R', 'Y', 'D', 'E', 'L', 'E', 'T'};

/* ---- little-endian encoding ---------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v)
{
    int i;
    for (i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static bool buf_u32(quarry_env *env, qi_buf *b, uint32_t v)
{
    unsigned char t[4];
    put_u32(t, v);
    return qi_buf_append(env, b, t, 4);
}

static bool buf_u64(quarry_env *env, qi_buf *b, uint64_t v)
{
    unsigned char t[8];
    put_u64(t, v);
    return qi_buf_append(env, b, t, 8);
}

static bool buf_str(quarry_env *env, qi_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return buf_u32(env, b, (uint32_t)n) && qi_buf_append(env, b, s, n);
}

/* ---- paths and files ---- */

int qi_path_join(char *buf, const char *dir, const char *name)
{
    int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);
    return n < 0 || n >= PATH_MAX ? QUARRY_EINVAL : QUARRY_OK;
}

int qi_seg_path(char *buf, const char *dir, uint64_t id)
{
    int n = snprintf(buf, PATH_MAX, "%s/seg-%016llx.qseg", dir,
                     (unsigned long long)id);
    return n < 0 || n >= PATH_MAX ? QUARRY_EINVAL : QUARRY_OK;
}

int qi_del_path(char *buf, const char *dir, uint64_t id, uint64_t gen)
{
    int n = snprintf(buf, PATH_MAX, "%s/seg-%016llx.del-%llu", dir,
                     (unsigned long long)id, (unsigned long long)gen);
    return n < 0 || n >= PATH_MAX ? QUARRY_EINVAL : QUARRY_OK;
}

int qi_write_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t n = write(fd, c, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += n;
        len -= (size_t)n;
    }
    return 0;
}

int qi_fsync_dir(const char *dir, char *errmsg)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        qi_set_error(errmsg, "cannot fsync directory %.300s: %s", dir,
                     strerror(e));
        return QUARRY_EIO;
    }
    close(fd);
    return QUARRY_OK;
}

/* Writes a whole file at path (created or truncated) and fsyncs it. */
static int write_file_synced(const char *path, const void *data, size_t len,
                             char *errmsg)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || qi_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        qi_set_error(errmsg, "cannot write %.300s: %s", path, strerror(e));
        return QUARRY_EIO;
    }
    if (close(fd) != 0) {
        qi_set_error(errmsg, "cannot write %.300s: %s", path, strerror(errno));
        return QUARRY_EIO;
    }
    return QUARRY_OK;
}

/* Reads a whole file of at most max bytes into b. */
static int read_file(quarry_env *env, const char *path, uint64_t max, qi_buf *b,
                     char *errmsg)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    if (fd < 0) {
        int e = errno;
        qi_set_error(errmsg, "cannot open %.300s: %s", path, strerror(e));
        return e == ENOENT ? QUARRY_ENOENT : QUARRY_EIO;
    }
    if (fstat(fd, &st) != 0) {
        qi_set_error(errmsg, "cannot stat %.300s: %s", path, strerror(errno));
        close(fd);
        return QUARRY_EIO;
    }
    if ((uint64_t)st.st_size > max) {
        qi_set_error(errmsg, "%.300s: file too large (%llu bytes)", path,
                     (unsigned long long)st.st_size);
        close(fd);
        return QUARRY_ECORRUPT;
    }
    b->len = 0;
    if (!qi_buf_reserve(env, b, (size_t)st.st_size)) {
        close(fd);
        qi_set_error(errmsg, "out of memory reading %.300s", path);
        return QUARRY_ENOMEM;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, b->data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* shrank under us: the checks below see a short file */
        got += (size_t)n;
    }
    close(fd);
    b->len = got;
    return QUARRY_OK;
}

int qi_file_hash(const char *path, uint64_t *out, char *errmsg)
{
    XXH3_state_t *st;
    char chunk[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        qi_set_error(errmsg, "cannot open lexicon %.300s: %s", path,
                     strerror(e));
        return e == ENOENT ? QUARRY_ENOENT : QUARRY_EIO;
    }
    /* XXH3_createState uses malloc internally; a stack state avoids it. */
    {
        XXH3_state_t state;
        st = &state;
        XXH3_64bits_reset(st);
        for (;;) {
            ssize_t n = read(fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                qi_set_error(errmsg, "cannot read lexicon %.300s: %s", path,
                             strerror(errno));
                close(fd);
                return QUARRY_EIO;
            }
            if (n == 0)
                break;
            XXH3_64bits_update(st, chunk, (size_t)n);
        }
        *out = XXH3_64bits_digest(st);
    }
    close(fd);
    return QUARRY_OK;
}

/* ---- manifest ---- */

static void free_str(quarry_env *env, char **s)
{
    if (*s)
        qi_free(env, *s, strlen(*s) + 1);
    *s = NULL;
}

void qi_manifest_clear(quarry_env *env, qi_manifest *m)
{
    free_str(env, &m->locale);
    free_str(env, &m->cjk_dict);
    free_str(env, &m->lexicon);
    qi_free(env, m->segs, m->segs_cap * sizeof *m->segs);
    memset(m, 0, sizeof *m);
}

static int dup_str(quarry_env *env, char **dst, const char *src)
{
    *dst = NULL;
    if (!src || !*src)
        return QUARRY_OK;
    *dst = qi_strndup(env, src, strlen(src));
    return *dst ? QUARRY_OK : QUARRY_ENOMEM;
}

int qi_manifest_add_seg(quarry_env *env, qi_manifest *m,
                        const qi_manifest_seg *s)
{
    void *p = m->segs;
    if (!qi_array_reserve(env, &p, &m->segs_cap, m->nsegs + 1, sizeof *m->segs))
        return QUARRY_ENOMEM;
    m->segs = p;
    m->segs[m->nsegs++] = *s;
    return QUARRY_OK;
}

int qi_manifest_copy(quarry_env *env, qi_manifest *dst, const qi_manifest *src)
{
    size_t i;
    memset(dst, 0, sizeof *dst);
    dst->version = src->version;
    dst->generation = src->generation;
    dst->next_segment_id = src->next_segment_id;
    dst->tok_flags = src->tok_flags;
    dst->lexicon_hash = src->lexicon_hash;
    dst->file_bytes = src->file_bytes;
    if (dup_str(env, &dst->locale, src->locale) != QUARRY_OK ||
        dup_str(env, &dst->cjk_dict, src->cjk_dict) != QUARRY_OK ||
        dup_str(env, &dst->lexicon, src->lexicon) != QUARRY_OK)
        goto nomem;
    for (i = 0; i < src->nsegs; i++)
        if (qi_manifest_add_seg(env, dst, &src->segs[i]) != QUARRY_OK)
            goto nomem;
    return QUARRY_OK;
nomem:
    qi_manifest_clear(env, dst);
    return QUARRY_ENOMEM;
}

/* Layout (docs/format.md):
 *   magic[8] "QRYMANIF", u32 version, u32 reserved (0),
 *   u64 generation, u64 next_segment_id,
 *   u32 tokenizer flags, str locale, str cjk_dict, str lexicon,
 *   u64 lexicon hash,
 *   u64 segment count, then per segment u64 id, doc_count, del_gen, deleted,
 *   u64 XXH3-64 of every byte before it. */
#define MANIFEST_HEAD 32

int qi_manifest_decode(quarry_env *env, const unsigned char *p, size_t len,
                       const char *name, qi_manifest *m, char *errmsg)
{
    size_t pos;
    uint64_t nsegs, i, prev_id = 0;
    char **strs[3];
    int k;

    memset(m, 0, sizeof *m);
    if (len < 8 || memcmp(p, manifest_magic, 8) != 0) {
        qi_set_error(errmsg, "%.300s: not a quarry manifest (bad magic)", name);
        return QUARRY_ECORRUPT;
    }
    if (len < MANIFEST_HEAD + 4 + 3 * 4 + 8 + 8 + 8) {
        qi_set_error(errmsg, "%.300s: truncated manifest (%zu bytes)", name,
                     len);
        return QUARRY_ECORRUPT;
    }
    /* The checksum comes first: its place (the last 8 bytes, over all
     * before) is the same in every version, so a bit flip in the version
     * field reads as corruption, and only an intact file from a newer
     * quarry reads as EVERSION. */
    if (XXH3_64bits(p, len - 8) != get_u64(p + len - 8)) {
        qi_set_error(errmsg, "%.300s: manifest checksum mismatch", name);
        return QUARRY_ECORRUPT;
    }
    m->version = get_u32(p + 8);
    if (m->version > QUARRY_FORMAT_VERSION) {
        qi_set_error(errmsg,
                     "%.300s: format version %u is newer than this quarry "
                     "reads (%d)",
                     name, (unsigned)m->version, QUARRY_FORMAT_VERSION);
        return QUARRY_EVERSION;
    }
    if (m->version == 0) {
        qi_set_error(errmsg, "%.300s: bad format version 0", name);
        return QUARRY_ECORRUPT;
    }
    len -= 8; /* the checksum */
    m->generation = get_u64(p + 16);
    m->next_segment_id = get_u64(p + 24);
    pos = MANIFEST_HEAD;
    m->tok_flags = get_u32(p + pos);
    pos += 4;
    strs[0] = &m->locale;
    strs[1] = &m->cjk_dict;
    strs[2] = &m->lexicon;
    for (k = 0; k < 3; k++) {
        uint32_t n;
        if (len - pos < 4)
            goto truncated;
        n = get_u32(p + pos);
        pos += 4;
        if (n > QI_MANIFEST_MAX_STRING || n > len - pos) {
            qi_set_error(errmsg, "%.300s: string of %u bytes out of range",
                         name, (unsigned)n);
            goto corrupt;
        }
        if (n) {
            if (memchr(p + pos, '\0', n)) {
                qi_set_error(errmsg, "%.300s: NUL inside a string", name);
                goto corrupt;
            }
            *strs[k] = qi_strndup(env, (const char *)p + pos, n);
            if (!*strs[k])
                goto nomem;
        }
        pos += n;
    }
    if (len - pos < 16)
        goto truncated;
    m->lexicon_hash = get_u64(p + pos);
    nsegs = get_u64(p + pos + 8);
    pos += 16;
    if (nsegs > (len - pos) / 32 || (len - pos) != nsegs * 32) {
        qi_set_error(errmsg,
                     "%.300s: segment table of %llu entries does not fit the "
                     "%zu bytes left",
                     name, (unsigned long long)nsegs, len - pos);
        goto corrupt;
    }
    for (i = 0; i < nsegs; i++, pos += 32) {
        qi_manifest_seg s;
        s.id = get_u64(p + pos);
        s.doc_count = get_u64(p + pos + 8);
        s.del_gen = get_u64(p + pos + 16);
        s.deleted = get_u64(p + pos + 24);
        /* ids strictly increasing keeps file names unique; the other checks
         * keep every later computation (bases, bitmaps) in range */
        if ((i > 0 && s.id <= prev_id) || s.id >= m->next_segment_id ||
            s.deleted > s.doc_count || (s.deleted > 0) != (s.del_gen > 0) ||
            s.del_gen > m->generation || s.doc_count > ((uint64_t)1 << 40)) {
            qi_set_error(errmsg, "%.300s: segment entry %llu is inconsistent",
                         name, (unsigned long long)i);
            goto corrupt;
        }
        prev_id = s.id;
        if (qi_manifest_add_seg(env, m, &s) != QUARRY_OK)
            goto nomem;
    }
    m->file_bytes = len + 8;
    return QUARRY_OK;
truncated:
    qi_set_error(errmsg, "%.300s: truncated manifest", name);
corrupt:
    qi_manifest_clear(env, m);
    return QUARRY_ECORRUPT;
nomem:
    qi_manifest_clear(env, m);
    qi_set_error(errmsg, "out of memory reading %.300s", name);
    return QUARRY_ENOMEM;
}

int qi_manifest_read(quarry_env *env, const char *dir, qi_manifest *m,
                     char *errmsg)
{
    char path[PATH_MAX];
    qi_buf b = {0};
    int rc;
    memset(m, 0, sizeof *m);
    if (qi_path_join(path, dir, QI_MANIFEST_NAME) != QUARRY_OK) {
        qi_set_error(errmsg, "index path too long");
        return QUARRY_EINVAL;
    }
    rc = read_file(env, path, QI_MANIFEST_MAX_BYTES, &b, errmsg);
    if (rc == QUARRY_ENOENT)
        qi_set_error(errmsg, "no index at %.300s (no manifest)", dir);
    if (rc == QUARRY_OK)
        rc = qi_manifest_decode(env, (const unsigned char *)b.data, b.len, path,
                                m, errmsg);
    qi_buf_free(env, &b);
    return rc;
}

int qi_manifest_write(quarry_env *env, const char *dir, qi_manifest *m,
                      char *errmsg, bool *renamed)
{
    char tmp[PATH_MAX], path[PATH_MAX];
    qi_buf b = {0};
    bool ok;
    size_t i;
    int rc;

    if (renamed)
        *renamed = false;
    if (qi_path_join(tmp, dir, QI_MANIFEST_TMP) != QUARRY_OK ||
        qi_path_join(path, dir, QI_MANIFEST_NAME) != QUARRY_OK) {
        qi_set_error(errmsg, "index path too long");
        return QUARRY_EINVAL;
    }
    ok = qi_buf_append(env, &b, manifest_magic, 8) &&
         buf_u32(env, &b, QUARRY_FORMAT_VERSION) && buf_u32(env, &b, 0) &&
         buf_u64(env, &b, m->generation) &&
         buf_u64(env, &b, m->next_segment_id) &&
         buf_u32(env, &b, m->tok_flags) && buf_str(env, &b, m->locale) &&
         buf_str(env, &b, m->cjk_dict) && buf_str(env, &b, m->lexicon) &&
         buf_u64(env, &b, m->lexicon_hash) && buf_u64(env, &b, m->nsegs);
    for (i = 0; ok && i < m->nsegs; i++)
        ok = buf_u64(env, &b, m->segs[i].id) &&
             buf_u64(env, &b, m->segs[i].doc_count) &&
             buf_u64(env, &b, m->segs[i].del_gen) &&
             buf_u64(env, &b, m->segs[i].deleted);
    if (ok)
        ok = buf_u64(env, &b, XXH3_64bits(b.data, b.len));
    if (!ok) {
        qi_buf_free(env, &b);
        qi_set_error(errmsg, "out of memory writing the manifest");
        return QUARRY_ENOMEM;
    }
    rc = write_file_synced(tmp, b.data, b.len, errmsg);
    m->version = QUARRY_FORMAT_VERSION;
    m->file_bytes = b.len;
    qi_buf_free(env, &b);
    if (rc != QUARRY_OK)
        return rc;
    if (rename(tmp, path) != 0) {
        qi_set_error(errmsg, "cannot rename %.300s: %s", tmp, strerror(errno));
        return QUARRY_EIO;
    }
    if (renamed)
        *renamed = true; /* visible now, whatever the fsync below says */
    return qi_fsync_dir(dir, errmsg);
}

/* ---- tokenizer options ---- */

void qi_manifest_tokopts(const qi_manifest *m, quarry_tokenizer_options *out)
{
    out->flags = m->tok_flags;
    out->locale = m->locale;
    out->cjk_dict = m->cjk_dict;
    out->lexicon = m->lexicon;
}

static bool too_long(const char *s)
{
    return s && strlen(s) > QI_MANIFEST_MAX_STRING;
}

int qi_manifest_set_tokopts(quarry_env *env, qi_manifest *m,
                            const quarry_tokenizer_options *opts, char *errmsg)
{
    static const quarry_tokenizer_options defaults = {0, NULL, NULL, NULL};
    int rc;
    if (!opts)
        opts = &defaults;
    if (too_long(opts->locale) || too_long(opts->cjk_dict) ||
        too_long(opts->lexicon)) {
        qi_set_error(errmsg, "tokenizer option string too long");
        return QUARRY_EINVAL;
    }
    free_str(env, &m->locale);
    free_str(env, &m->cjk_dict);
    free_str(env, &m->lexicon);
    m->tok_flags = opts->flags;
    m->lexicon_hash = 0;
    if (dup_str(env, &m->locale, opts->locale) != QUARRY_OK ||
        dup_str(env, &m->cjk_dict, opts->cjk_dict) != QUARRY_OK ||
        dup_str(env, &m->lexicon, opts->lexicon) != QUARRY_OK) {
        qi_set_error(errmsg, "out of memory");
        return QUARRY_ENOMEM;
    }
    if (m->lexicon) {
        rc = qi_file_hash(m->lexicon, &m->lexicon_hash, errmsg);
        if (rc != QUARRY_OK)
            return rc;
    }
    return QUARRY_OK;
}

static bool same_str(const char *a, const char *b)
{
    if (a && !*a)
        a = NULL;
    if (b && !*b)
        b = NULL;
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

int qi_manifest_check_tokopts(const qi_manifest *m,
                              const quarry_tokenizer_options *opts,
                              char *errmsg)
{
    const char *la, *lb;
    if (opts) {
        la = m->locale ? m->locale : "en";
        lb = opts->locale && *opts->locale ? opts->locale : "en";
        if (m->tok_flags != opts->flags) {
            qi_set_error(errmsg,
                         "tokenizer flags 0x%x differ from the index's (0x%x)",
                         opts->flags, m->tok_flags);
            return QUARRY_EINVAL;
        }
        if (strcmp(la, lb) != 0) {
            qi_set_error(errmsg,
                         "tokenizer locale \"%.100s\" differs from the "
                         "index's (\"%.100s\")",
                         lb, la);
            return QUARRY_EINVAL;
        }
        if (!same_str(m->cjk_dict, opts->cjk_dict)) {
            qi_set_error(errmsg,
                         "CJK dictionary %.200s differs from the index's "
                         "(%.200s)",
                         opts->cjk_dict ? opts->cjk_dict : "(default)",
                         m->cjk_dict ? m->cjk_dict : "(default)");
            return QUARRY_EINVAL;
        }
        if (!same_str(m->lexicon, opts->lexicon)) {
            qi_set_error(errmsg,
                         "lexicon %.200s differs from the index's (%.200s)",
                         opts->lexicon ? opts->lexicon : "(none)",
                         m->lexicon ? m->lexicon : "(none)");
            return QUARRY_EINVAL;
        }
    }
    if (m->lexicon) {
        uint64_t h;
        int rc = qi_file_hash(m->lexicon, &h, errmsg);
        if (rc != QUARRY_OK)
            return rc;
        if (h != m->lexicon_hash) {
            qi_set_error(errmsg,
                         "lexicon %.300s changed since the index was built; "
                         "rebuild the index",
                         m->lexicon);
            return QUARRY_EINVAL;
        }
    }
    return QUARRY_OK;
}

/* ---- deletion bitmaps ---- */

/* Layout: magic[8] "QRYDELET", u32 version, u32 reserved, u64 segment id,
 * u64 doc count, u64 deleted count, bitmap words (u64 each), u64 XXH3. */
#define DEL_HEAD 40

int qi_del_write(const char *dir, uint64_t seg_id, uint64_t gen,
                 uint64_t doc_count, const uint64_t *bits, char *errmsg)
{
    char path[PATH_MAX];
    size_t nw = qi_del_words(doc_count), i;
    unsigned char *p, stackbuf[4096];
    uint64_t deleted = 0;

    if (qi_del_path(path, dir, seg_id, gen) != QUARRY_OK) {
        qi_set_error(errmsg, "index path too long");
        return QUARRY_EINVAL;
    }
    /* Streamed through a stack buffer with a streaming checksum: no env is
     * needed and the bitmap is never copied whole. */
    {
        XXH3_state_t st;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        size_t fill = 0;
        if (fd < 0)
            goto ioerr;
        for (i = 0; i < nw; i++)
            deleted += (uint64_t)__builtin_popcountll(bits[i]);
        XXH3_64bits_reset(&st);
        p = stackbuf;
        memcpy(p, del_magic, 8);
        put_u32(p + 8, QUARRY_FORMAT_VERSION);
        put_u32(p + 12, 0);
        put_u64(p + 16, seg_id);
        put_u64(p + 24, doc_count);
        put_u64(p + 32, deleted);
        fill = DEL_HEAD;
        for (i = 0; i <= nw; i++) {
            if (fill + 8 > sizeof stackbuf || i == nw) {
                XXH3_64bits_update(&st, stackbuf, fill);
                if (i == nw) {
                    put_u64(stackbuf + fill, XXH3_64bits_digest(&st));
                    fill += 8;
                }
                if (qi_write_all(fd, stackbuf, fill) != 0) {
                    close(fd);
                    goto ioerr;
                }
                fill = 0;
                if (i == nw)
                    break;
            }
            put_u64(stackbuf + fill, bits[i]);
            fill += 8;
        }
        if (fsync(fd) != 0 || close(fd) != 0)
            goto ioerr;
    }
    return QUARRY_OK;
ioerr:
    qi_set_error(errmsg, "cannot write %.300s: %s", path, strerror(errno));
    return QUARRY_EIO;
}

int qi_del_read(quarry_env *env, const char *dir, uint64_t seg_id, uint64_t gen,
                uint64_t doc_count, uint64_t deleted, uint64_t **bits,
                uint64_t *file_bytes, char *errmsg)
{
    char path[PATH_MAX];
    qi_buf b = {0};
    const unsigned char *p;
    size_t nw = qi_del_words(doc_count), i;
    uint64_t count = 0, *out;
    int rc;

    *bits = NULL;
    if (qi_del_path(path, dir, seg_id, gen) != QUARRY_OK) {
        qi_set_error(errmsg, "index path too long");
        return QUARRY_EINVAL;
    }
    rc = read_file(env, path, DEL_HEAD + 8 + (uint64_t)nw * 8, &b, errmsg);
    if (rc != QUARRY_OK) {
        qi_buf_free(env, &b);
        return rc;
    }
    p = (const unsigned char *)b.data;
    rc = QUARRY_ECORRUPT;
    if (b.len < 12 || memcmp(p, del_magic, 8) != 0) {
        qi_set_error(errmsg, "%.300s: not a deletion file (bad magic)", path);
        goto done;
    }
    if (b.len >= 16 && XXH3_64bits(p, b.len - 8) != get_u64(p + b.len - 8)) {
        qi_set_error(errmsg, "%.300s: deletions checksum mismatch", path);
        goto done;
    }
    if (get_u32(p + 8) > QUARRY_FORMAT_VERSION) {
        qi_set_error(errmsg,
                     "%.300s: format version %u is newer than this "
                     "quarry reads",
                     path, (unsigned)get_u32(p + 8));
        rc = QUARRY_EVERSION;
        goto done;
    }
    if (b.len != DEL_HEAD + 8 + nw * 8) {
        qi_set_error(errmsg, "%.300s: %zu bytes, expected %zu", path, b.len,
                     DEL_HEAD + 8 + nw * 8);
        goto done;
    }
    if (XXH3_64bits(p, b.len - 8) != get_u64(p + b.len - 8)) {
        qi_set_error(errmsg, "%.300s: deletions checksum mismatch", path);
        goto done;
    }
    if (get_u64(p + 16) != seg_id || get_u64(p + 24) != doc_count ||
        get_u64(p + 32) != deleted) {
        qi_set_error(errmsg,
                     "%.300s: header does not match the manifest (segment, "
                     "document or deletion count)",
                     path);
        goto done;
    }
    out = qi_alloc(env, (nw ? nw : 1) * 8);
    if (!out) {
        qi_set_error(errmsg, "out of memory reading %.300s", path);
        rc = QUARRY_ENOMEM;
        goto done;
    }
    for (i = 0; i < nw; i++) {
        out[i] = get_u64(p + DEL_HEAD + i * 8);
        count += (uint64_t)__builtin_popcountll(out[i]);
    }
    if (nw && (doc_count % 64) && (out[nw - 1] >> (doc_count % 64)) != 0) {
        qi_set_error(errmsg, "%.300s: bits set past the last document", path);
        qi_free(env, out, (nw ? nw : 1) * 8);
        goto done;
    }
    if (count != deleted) {
        qi_set_error(errmsg, "%.300s: %llu bits set, header says %llu", path,
                     (unsigned long long)count, (unsigned long long)deleted);
        qi_free(env, out, (nw ? nw : 1) * 8);
        goto done;
    }
    *bits = out;
    if (file_bytes)
        *file_bytes = b.len;
    rc = QUARRY_OK;
done:
    qi_buf_free(env, &b);
    return rc;
}
