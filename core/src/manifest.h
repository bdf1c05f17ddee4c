/*
 * manifest.h - the index manifest (which segments are live, with which
 * deletions, built with which tokenizer options) and the deletion bitmaps.
 * Internal to the core; the byte layouts are in docs/format.md, section
 * "Manifest and deletions".
 *
 * Both files are small and read whole into memory, so a reader never maps
 * them and a writer replacing them never disturbs an open snapshot.
 */
#ifndef QUARRY_MANIFEST_H
#define QUARRY_MANIFEST_H

#include "internal.h"

#define QI_MANIFEST_NAME "manifest"
#define QI_MANIFEST_TMP "manifest.tmp"
/* Longest string (locale, dictionary or lexicon path) a manifest holds. */
#define QI_MANIFEST_MAX_STRING 4096
/* Largest manifest accepted when reading (a hostile length cannot make a
 * reader allocate more). 32 bytes per segment: millions of segments. */
#define QI_MANIFEST_MAX_BYTES ((uint64_t)64 << 20)

typedef struct qi_manifest_seg {
    uint64_t id;        /* file seg-<016x id>.qseg */
    uint64_t doc_count; /* documents in the segment, deleted included */
    uint64_t del_gen;   /* generation of its deletion file; 0 = none */
    uint64_t deleted;   /* documents marked in that file */
} qi_manifest_seg;

/* A decoded manifest. Strings are owned (qi_strndup) or NULL; free with
 * qi_manifest_clear. Zero-initialize before use. */
typedef struct qi_manifest {
    uint32_t version;
    uint64_t generation;      /* commit number; 0 = the empty index */
    uint64_t next_segment_id; /* every segment id in use is below it */
    unsigned tok_flags;
    char *locale;          /* NULL = tokenizer default */
    char *cjk_dict;        /* NULL = system default */
    char *lexicon;         /* NULL = none */
    uint64_t lexicon_hash; /* XXH3 of the lexicon file's content; 0 if none */
    qi_manifest_seg *segs;
    size_t nsegs, segs_cap;
    uint64_t file_bytes; /* size of the file read (0 for one not read) */
} qi_manifest;

void qi_manifest_clear(quarry_env *env, qi_manifest *m);
/* Deep copy of src into dst (dst zero-initialized or cleared). */
int qi_manifest_copy(quarry_env *env, qi_manifest *dst, const qi_manifest *src);
/* Appends a segment entry. Returns QUARRY_OK or QUARRY_ENOMEM. */
int qi_manifest_add_seg(quarry_env *env, qi_manifest *m,
                        const qi_manifest_seg *s);

/* Reads dir/manifest into *m (zero-initialized). Errors: QUARRY_ENOENT (no
 * manifest), QUARRY_ECORRUPT, QUARRY_EVERSION, QUARRY_EIO, QUARRY_ENOMEM;
 * message in errmsg (QI_ERRMSG_SIZE) naming the file. */
int qi_manifest_read(quarry_env *env, const char *dir, qi_manifest *m,
                     char *errmsg);
/* Decodes a manifest from memory (what qi_manifest_read does after reading
 * the file); name is used in messages. */
int qi_manifest_decode(quarry_env *env, const unsigned char *p, size_t len,
                       const char *name, qi_manifest *m, char *errmsg);
/* Commits m: writes dir/manifest.tmp, fsyncs it, renames it to
 * dir/manifest and fsyncs dir. Sets m->file_bytes. *renamed (may be NULL)
 * tells whether the rename happened: then m is the index's manifest even
 * if an error is returned (the final directory fsync failed). */
int qi_manifest_write(quarry_env *env, const char *dir, qi_manifest *m,
                      char *errmsg, bool *renamed);

/* Tokenizer options as recorded in m (strings borrowed from m). */
void qi_manifest_tokopts(const qi_manifest *m, quarry_tokenizer_options *out);
/* Records opts in m, hashing the lexicon file. Errors: QUARRY_ENOENT (the
 * lexicon cannot be read), QUARRY_ENOMEM. */
int qi_manifest_set_tokopts(quarry_env *env, qi_manifest *m,
                            const quarry_tokenizer_options *opts, char *errmsg);
/* QUARRY_OK if opts describe the same tokenizer as m (a NULL locale equals
 * "en"); QUARRY_EINVAL with a message saying what differs, also when the
 * lexicon file's content changed since m was written. opts NULL compares
 * only the lexicon content. */
int qi_manifest_check_tokopts(const qi_manifest *m,
                              const quarry_tokenizer_options *opts,
                              char *errmsg);
/* XXH3 of a whole file. QUARRY_ENOENT / QUARRY_EIO with errmsg. */
int qi_file_hash(const char *path, uint64_t *out, char *errmsg);

/* ---- deletion bitmaps: dir/seg-<016x id>.del-<gen> ---- */

/* Bitmap words (64 documents per word, bit i%64 of word i/64). */
static inline size_t qi_del_words(uint64_t doc_count)
{
    return (size_t)((doc_count + 63) / 64);
}
static inline int qi_del_test(const uint64_t *bits, uint64_t doc)
{
    return bits ? (int)((bits[doc / 64] >> (doc % 64)) & 1u) : 0;
}

/* Writes and fsyncs a deletion file for segment id (doc_count documents,
 * qi_del_words(doc_count) words of bits). */
int qi_del_write(const char *dir, uint64_t seg_id, uint64_t gen,
                 uint64_t doc_count, const uint64_t *bits, char *errmsg);
/* Reads a deletion file into *bits (allocated, qi_del_words(doc_count)
 * words, owned by the caller) and checks that it belongs to seg_id, has
 * doc_count documents and `deleted` bits set. Errors: QUARRY_ENOENT,
 * QUARRY_ECORRUPT, QUARRY_EVERSION, QUARRY_EIO, QUARRY_ENOMEM. *file_bytes
 * (may be NULL) gets its size. */
int qi_del_read(quarry_env *env, const char *dir, uint64_t seg_id, uint64_t gen,
                uint64_t doc_count, uint64_t deleted, uint64_t **bits,
                uint64_t *file_bytes, char *errmsg);

/* ---- paths and files ---- */

/* Formats dir/name into buf (PATH_MAX bytes); QUARRY_EINVAL if too long. */
int qi_path_join(char *buf, const char *dir, const char *name);
int qi_seg_path(char *buf, const char *dir, uint64_t id);
int qi_del_path(char *buf, const char *dir, uint64_t id, uint64_t gen);
/* fsyncs a directory so that renames and creations in it are durable. */
int qi_fsync_dir(const char *dir, char *errmsg);
/* Writes len bytes to fd, retrying short writes and EINTR. */
int qi_write_all(int fd, const void *p, size_t len);

#endif
