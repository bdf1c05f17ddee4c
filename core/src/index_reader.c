/*
 * index_reader.c - quarry_index: one committed snapshot of an index
 * directory, read through the segments' mmaps.
 *
 * Opening reads the manifest, maps every live segment (headers and tables
 * of contents only: O(segments)) and reads the deletion bitmaps into
 * memory. Readers never take the writer lock and never wait: a writer that
 * commits and removes the files of an older snapshot between our reading
 * the manifest and opening a segment makes that open fail with ENOENT, and
 * then the manifest is read again and the open retried. Once open, a
 * snapshot never looks at the directory again, so later commits cannot
 * change what it answers (the mappings keep removed files alive).
 */
#include "index_internal.h"

#include <string.h>

/* How often a vanished file makes us re-read the manifest. Each retry means
 * a writer committed in between; more than this many commits during one
 * open is not a race but a writer loop, and the error names the file. */
#define OPEN_RETRIES 20

const char *quarry_index_part_name(int part)
{
    static const char *const names[QUARRY_PART_COUNT] = {
        "terms", "postings", "tokens", "offsets",   "structure",
        "store", "fields",   "docs",   "deletions", "manifest"};
    if (part < 0 || part >= QUARRY_PART_COUNT)
        return "";
    return names[part];
}

static void close_segments(quarry_index *ix)
{
    size_t i;
    qi_index_terms_free(ix);
    for (i = 0; i < ix->nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        qi_segment_close(s->seg);
        if (s->del) {
            size_t nw = qi_del_words(s->ms.doc_count);
            qi_free(ix->env, s->del, (nw ? nw : 1) * 8);
        }
    }
    qi_free(ix->env, ix->segs,
            (ix->man.nsegs ? ix->man.nsegs : 1) * sizeof *ix->segs);
    ix->segs = NULL;
    ix->nsegs = 0;
    qi_manifest_clear(ix->env, &ix->man);
}

static void index_destroy(quarry_index *ix)
{
    quarry_env *env = ix->env;
    close_segments(ix);
    qi_fieldstats_free(ix->fields);
    qi_kwic_free(ix);
    qi_buf_free(env, &ix->text);
    qi_free(env, ix->pos, ix->pos_cap * sizeof *ix->pos);
    qi_free(env, ix->path, ix->path_len + 1);
    qi_free(env, ix, sizeof *ix);
}

/* One attempt: manifest, then every segment and deletion file. ENOENT for a
 * segment or deletion file means "try again" to the caller. */
static int open_once(quarry_index *ix, char *errmsg, bool *vanished)
{
    quarry_env *env = ix->env;
    char path[4096];
    size_t i;
    int rc;

    *vanished = false;
    rc = qi_manifest_read(env, ix->path, &ix->man, errmsg);
    if (rc != QUARRY_OK)
        return rc;
    ix->segs =
        qi_calloc(env, ix->man.nsegs ? ix->man.nsegs : 1, sizeof *ix->segs);
    if (!ix->segs) {
        qi_set_error(errmsg, "out of memory opening %.300s", ix->path);
        return QUARRY_ENOMEM;
    }
    ix->doc_limit = 0;
    ix->any_deleted = false;
    for (i = 0; i < ix->man.nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        s->ms = ix->man.segs[i];
        s->live_tokens = -1;
        if (qi_seg_path(path, ix->path, s->ms.id) != QUARRY_OK) {
            qi_set_error(errmsg, "index path too long");
            return QUARRY_EINVAL;
        }
        rc = qi_segment_open(env, path, &s->seg, errmsg);
        if (rc != QUARRY_OK) {
            *vanished = rc == QUARRY_ENOENT;
            return rc;
        }
        ix->nsegs = i + 1;
        qi_segment_stats_get(s->seg, &s->stats);
        if (s->stats.segment_id != s->ms.id ||
            s->stats.doc_count != s->ms.doc_count) {
            qi_set_error(errmsg,
                         "%.300s: segment id or document count (%llu) differs "
                         "from the manifest's (%llu)",
                         path, (unsigned long long)s->stats.doc_count,
                         (unsigned long long)s->ms.doc_count);
            return QUARRY_ECORRUPT;
        }
        if (s->ms.del_gen) {
            rc = qi_del_read(env, ix->path, s->ms.id, s->ms.del_gen,
                             s->ms.doc_count, s->ms.deleted, &s->del,
                             &s->del_bytes, errmsg);
            if (rc != QUARRY_OK) {
                *vanished = rc == QUARRY_ENOENT;
                return rc;
            }
            ix->any_deleted = true;
        }
        s->base = ix->doc_limit;
        ix->doc_limit += s->ms.doc_count;
    }
    qi_manifest_tokopts(&ix->man, &ix->tokopts);
    return QUARRY_OK;
}

int quarry_index_open(quarry_env *env, const char *path, quarry_index **out)
{
    quarry_index *ix;
    uint64_t last_gen = UINT64_MAX;
    int attempt, rc = QUARRY_OK;

    *out = NULL;
    if (!path || !*path) {
        qi_set_error(env->errmsg, "no index path given");
        return QUARRY_EINVAL;
    }
    ix = qi_calloc(env, 1, sizeof *ix);
    if (!ix) {
        qi_set_error(env->errmsg, "out of memory opening an index");
        return QUARRY_ENOMEM;
    }
    ix->env = env;
    ix->refs = 1;
    ix->path_len = strlen(path);
    ix->path = qi_strndup(env, path, ix->path_len);
    if (!ix->path) {
        qi_free(env, ix, sizeof *ix);
        qi_set_error(env->errmsg, "out of memory opening an index");
        return QUARRY_ENOMEM;
    }
    for (attempt = 0; attempt < OPEN_RETRIES; attempt++) {
        bool vanished;
        rc = open_once(ix, env->errmsg, &vanished);
        if (rc == QUARRY_OK)
            break;
        /* A file named by the manifest is gone: a writer committed and
         * cleaned up since we read it. Retry with the new manifest; if the
         * manifest did not change, the file is really missing. */
        {
            uint64_t gen = ix->man.generation;
            close_segments(ix);
            if (!vanished || gen == last_gen) {
                if (vanished)
                    rc = QUARRY_ECORRUPT; /* named but absent: message kept */
                break;
            }
            last_gen = gen;
        }
    }
    if (rc != QUARRY_OK) {
        index_destroy(ix);
        return rc;
    }
    *out = ix;
    return QUARRY_OK;
}

quarry_index *quarry_index_retain(quarry_index *ix)
{
    if (ix)
        __atomic_add_fetch(&ix->refs, 1, __ATOMIC_RELAXED);
    return ix;
}

void quarry_index_free(quarry_index *ix)
{
    if (ix && __atomic_sub_fetch(&ix->refs, 1, __ATOMIC_ACQ_REL) == 0)
        index_destroy(ix);
}

const char *quarry_index_errmsg(const quarry_index *ix)
{
    return ix ? ix->errmsg : "";
}

const quarry_tokenizer_options *
quarry_index_tokenizer_options(const quarry_index *ix)
{
    return &ix->tokopts;
}

/* ---- documents ---- */

qi_ixseg *qi_index_seg_of(quarry_index *ix, uint64_t id, uint64_t *local)
{
    size_t lo = 0, hi = ix->nsegs;
    if (id >= ix->doc_limit)
        return NULL;
    while (hi - lo > 1) { /* last segment whose base <= id */
        size_t mid = lo + (hi - lo) / 2;
        if (ix->segs[mid].base <= id)
            lo = mid;
        else
            hi = mid;
    }
    *local = id - ix->segs[lo].base;
    return &ix->segs[lo];
}

static qi_ixseg *doc_seg(quarry_index *ix, uint64_t id, uint64_t *local)
{
    qi_ixseg *s = qi_index_seg_of(ix, id, local);
    if (!s)
        qi_set_error(ix->errmsg,
                     "document id %llu out of range (%llu documents)",
                     (unsigned long long)id, (unsigned long long)ix->doc_limit);
    return s;
}

static int seg_err(quarry_index *ix, qi_ixseg *s, int rc)
{
    if (rc < 0)
        qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(s->seg));
    return rc;
}

uint64_t quarry_index_doc_limit(const quarry_index *ix)
{
    return ix->doc_limit;
}

int quarry_index_doc_live(quarry_index *ix, uint64_t id)
{
    uint64_t local;
    qi_ixseg *s = qi_index_seg_of(ix, id, &local);
    return s && !qi_del_test(s->del, local);
}

int quarry_index_doc_get(quarry_index *ix, uint64_t id, quarry_index_doc *out)
{
    uint64_t local;
    qi_ixseg *s = doc_seg(ix, id, &local);
    qi_docmeta m;
    int rc;
    memset(out, 0, sizeof *out);
    if (!s)
        return QUARRY_EINVAL;
    rc = qi_segment_doc_meta(s->seg, local, &m);
    if (rc != QUARRY_OK)
        return seg_err(ix, s, rc);
    out->source = m.source;
    out->record = m.record;
    out->hash = m.hash;
    out->tokens = m.tokens;
    out->text_bytes = m.text_bytes;
    out->sentences = m.sentences;
    out->paragraphs = m.paragraphs;
    out->field_count = m.field_count;
    return QUARRY_OK;
}

int quarry_index_doc_field(quarry_index *ix, uint64_t id, size_t i,
                           quarry_field *out)
{
    uint64_t local;
    qi_ixseg *s = doc_seg(ix, id, &local);
    memset(out, 0, sizeof *out);
    if (!s)
        return QUARRY_EINVAL;
    return seg_err(ix, s, qi_segment_doc_field(s->seg, local, i, out));
}

int quarry_index_doc_text(quarry_index *ix, uint64_t id, const char **text,
                          size_t *len)
{
    uint64_t local;
    qi_ixseg *s = doc_seg(ix, id, &local);
    int rc;
    *text = "";
    *len = 0;
    if (!s)
        return QUARRY_EINVAL;
    rc = qi_segment_doc_text(s->seg, local, &ix->text);
    if (rc != QUARRY_OK)
        return seg_err(ix, s, rc);
    if (!qi_buf_terminate(ix->env, &ix->text)) {
        qi_set_error(ix->errmsg, "out of memory reading a document");
        return QUARRY_ENOMEM;
    }
    *text = ix->text.data;
    *len = ix->text.len;
    return QUARRY_OK;
}

int quarry_index_doc_tokens(quarry_index *ix, uint64_t id, uint64_t first,
                            size_t n, uint32_t *ids, uint64_t *starts,
                            uint64_t *ends, size_t *got)
{
    uint64_t local;
    qi_ixseg *s = doc_seg(ix, id, &local);
    size_t i;
    int rc;
    *got = 0;
    if (!s)
        return QUARRY_EINVAL;
    if (ids && qi_index_needs_table(ix) &&
        (rc = qi_index_terms_build(ix)) != QUARRY_OK)
        return rc;
    rc = qi_segment_doc_tokens(s->seg, local, first, n, ids, starts, ends, got);
    if (rc != QUARRY_OK)
        return seg_err(ix, s, rc);
    if (ids && s->gmap) {
        for (i = 0; i < *got; i++) {
            if (ids[i] >= s->stats.term_count) {
                qi_set_error(ix->errmsg, "%s: token term id out of range",
                             ix->path);
                return QUARRY_ECORRUPT;
            }
            ids[i] = s->gmap[ids[i]];
        }
    }
    return QUARRY_OK;
}

int quarry_index_doc_spans(quarry_index *ix, uint64_t id, int kind,
                           uint64_t first, size_t n, quarry_span *spans,
                           size_t *got)
{
    uint64_t local;
    qi_ixseg *s = doc_seg(ix, id, &local);
    *got = 0;
    if (!s)
        return QUARRY_EINVAL;
    if (kind != 0 && kind != 1) {
        qi_set_error(ix->errmsg,
                     "span kind %d is neither 0 (sentences) nor 1 "
                     "(paragraphs)",
                     kind);
        return QUARRY_EINVAL;
    }
    return seg_err(
        ix, s, qi_segment_doc_spans(s->seg, local, kind, first, n, spans, got));
}

/* ---- info, fields, check ---- */

/* Tokens of the live documents of s: the segment's total minus those of
 * its deleted documents (walked once, then cached). */
static int live_tokens(quarry_index *ix, qi_ixseg *s, uint64_t *out)
{
    if (s->live_tokens < 0) {
        uint64_t t = s->stats.token_count, d;
        for (d = 0; s->del && d < s->ms.doc_count; d++) {
            qi_docmeta m;
            int rc;
            if (!qi_del_test(s->del, d))
                continue;
            rc = qi_segment_doc_meta(s->seg, d, &m);
            if (rc != QUARRY_OK)
                return seg_err(ix, s, rc);
            t = m.tokens <= t ? t - m.tokens : 0;
        }
        s->live_tokens = (int64_t)t;
    }
    *out = (uint64_t)s->live_tokens;
    return QUARRY_OK;
}

int quarry_index_info_get(quarry_index *ix, quarry_index_info *out)
{
    size_t i;
    int p, rc;
    memset(out, 0, sizeof *out);
    out->format_version = ix->man.version;
    out->generation = ix->man.generation;
    out->segments = ix->nsegs;
    for (i = 0; i < ix->nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        uint64_t t;
        out->documents += s->ms.doc_count - s->ms.deleted;
        out->deleted += s->ms.deleted;
        if ((rc = live_tokens(ix, s, &t)) != QUARRY_OK)
            return rc;
        out->tokens += t;
        for (p = 0; p < QUARRY_PART_COUNT; p++)
            if (p != QUARRY_PART_DELETIONS && p != QUARRY_PART_MANIFEST)
                out->bytes[p] += s->stats.bytes[p];
        out->bytes[QUARRY_PART_DELETIONS] += s->del_bytes;
        out->bytes_total += s->stats.file_bytes + s->del_bytes;
    }
    out->bytes[QUARRY_PART_MANIFEST] = ix->man.file_bytes;
    out->bytes_total += ix->man.file_bytes;
    out->types = quarry_index_term_count(ix);
    if (ix->nsegs && out->types == 0 && ix->terms == NULL &&
        qi_index_needs_table(ix))
        return QUARRY_ENOMEM; /* the build failed; its message is on ix */
    return QUARRY_OK;
}

static int fields_build(quarry_index *ix)
{
    size_t i;
    uint64_t d, f;
    int rc;
    if (ix->fields)
        return QUARRY_OK;
    if (qi_fieldstats_new(ix->env, &ix->fields) != QUARRY_OK) {
        qi_set_error(ix->errmsg, "out of memory profiling fields");
        return QUARRY_ENOMEM;
    }
    for (i = 0; i < ix->nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        for (d = 0; d < s->ms.doc_count; d++) {
            qi_docmeta m;
            if (qi_del_test(s->del, d))
                continue;
            rc = qi_segment_doc_meta(s->seg, d, &m);
            for (f = 0; rc == QUARRY_OK && f < m.field_count; f++) {
                quarry_field fl;
                rc = qi_segment_doc_field(s->seg, d, (size_t)f, &fl);
                if (rc == QUARRY_OK) {
                    rc = qi_fieldstats_add(ix->fields, &fl);
                    if (rc == QUARRY_EINVAL) {
                        qi_set_error(ix->errmsg,
                                     "%s: field with an unknown "
                                     "type",
                                     ix->path);
                        rc = QUARRY_ECORRUPT;
                    } else if (rc != QUARRY_OK) {
                        qi_set_error(ix->errmsg,
                                     "out of memory profiling fields");
                    }
                } else {
                    seg_err(ix, s, rc);
                }
            }
            if (rc == QUARRY_OK)
                continue;
            if (rc < 0 && rc != QUARRY_ENOMEM && rc != QUARRY_ECORRUPT)
                seg_err(ix, s, rc);
            qi_fieldstats_free(ix->fields);
            ix->fields = NULL;
            return rc;
        }
    }
    return QUARRY_OK;
}

size_t quarry_index_field_count(quarry_index *ix)
{
    if (fields_build(ix) != QUARRY_OK)
        return 0;
    return qi_fieldstats_count(ix->fields);
}

int quarry_index_field_get(quarry_index *ix, size_t i,
                           quarry_summary_field *out)
{
    int rc = fields_build(ix);
    if (rc != QUARRY_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    rc = qi_fieldstats_get(ix->fields, i, out);
    if (rc != QUARRY_OK)
        qi_set_error(ix->errmsg, "field %zu out of range", i);
    return rc;
}

int quarry_index_check(quarry_index *ix)
{
    size_t i;
    char path[4096];
    for (i = 0; i < ix->nsegs; i++) {
        qi_ixseg *s = &ix->segs[i];
        int rc = qi_segment_verify(s->seg);
        if (rc != QUARRY_OK) {
            qi_set_error(ix->errmsg, "%s", qi_segment_errmsg(s->seg));
            return rc == QUARRY_ENOMEM ? rc : QUARRY_ECORRUPT;
        }
        /* The deletion bitmaps were verified (checksum, counts, no bits past
         * the end) when the snapshot was opened and have been in memory
         * since; the manifest likewise. What is left is agreement between
         * them and the segment. */
        if (s->stats.doc_count != s->ms.doc_count) {
            qi_seg_path(path, ix->path, s->ms.id);
            qi_set_error(ix->errmsg,
                         "%s: document count differs from the "
                         "manifest's",
                         path);
            return QUARRY_ECORRUPT;
        }
    }
    return QUARRY_OK;
}
