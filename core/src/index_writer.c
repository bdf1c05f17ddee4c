/*
 * index_writer.c - quarry_writer: adds, replaces and deletes documents of
 * an index and commits them as new snapshots.
 *
 * Commit protocol (what makes a crash at any instant safe): segment files
 * are written and fsynced by the segment layer; deletion bitmaps go to new
 * files named by the new generation (never overwritten); the directory is
 * fsynced; then the manifest is written to manifest.tmp, fsynced, renamed
 * over "manifest" and the directory fsynced again. Only after that are the
 * files the new manifest no longer names removed. A crash before the rename
 * leaves the old manifest, which names only old files, all still present;
 * the new files are leftovers that the next writer removes on open.
 *
 * Merging: after each commit a tiered policy looks at the live document
 * counts of the segments (tiers by factor 8) and merges 8 or more segments
 * of one tier, as long as the merged segment fits the memory budget (it is
 * built in memory like any other). Merged documents are replayed from the
 * old segments (stored text, term ids turned back into term texts,
 * offsets, spans, word layer) without tokenizing again; the key map is
 * updated to the new locations, and the merge is committed like any other
 * change. Optimize merges everything, whatever the budget.
 */
#include "index_writer.h"
#include "index_lock.h"
#include "reader_internal.h"

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define MERGE_FACTOR 8

static int fail(quarry_writer *w, int rc)
{
    if (rc < 0 && !w->failed)
        w->failed = rc;
    return rc;
}

static int nomem(quarry_writer *w)
{
    qi_set_error(w->errmsg, "out of memory");
    return QUARRY_ENOMEM;
}

/* ---- content hash ---- */

static void hash_u64(XXH3_state_t *st, uint64_t v)
{
    unsigned char b[8];
    int i;
    for (i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    XXH3_64bits_update(st, b, 8);
}

static void hash_bytes(XXH3_state_t *st, const char *s, size_t len)
{
    hash_u64(st, len);
    XXH3_64bits_update(st, s, len);
}

/* XXH3 over the text and the fields in name order (so the order in which
 * an embedder lists fields does not matter): each as length-prefixed name,
 * type, length-prefixed value text. The typed value follows from text and
 * type, so it is not hashed. */
static uint64_t content_hash(const quarry_doc *doc)
{
    XXH3_state_t st;
    size_t i, n = doc->nfields;
    const quarry_field *prev = NULL;
    XXH3_64bits_reset(&st);
    hash_bytes(&st, doc->text, doc->text_len);
    hash_u64(&st, n);
    /* selection by name without allocating: O(fields^2), fields are few */
    for (i = 0; i < n; i++) {
        const quarry_field *best = NULL;
        size_t j;
        for (j = 0; j < n; j++) {
            const quarry_field *f = &doc->fields[j];
            if (prev && (strcmp(f->name, prev->name) < 0 ||
                         (strcmp(f->name, prev->name) == 0 && f <= prev)))
                continue;
            if (!best || strcmp(f->name, best->name) < 0 ||
                (strcmp(f->name, best->name) == 0 && f < best))
                best = f;
        }
        if (!best)
            break;
        hash_bytes(&st, best->name, strlen(best->name));
        hash_u64(&st, (uint64_t)best->type);
        hash_bytes(&st, best->text ? best->text : "",
                   best->text ? best->text_len : 0);
        prev = best;
    }
    return XXH3_64bits_digest(&st);
}

/* ---- segments ---- */

static qi_wseg *find_seg(quarry_writer *w, uint64_t id)
{
    size_t lo = 0, hi = w->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->segs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->nsegs && w->segs[lo].id == id ? &w->segs[lo] : NULL;
}

static void wseg_release(quarry_writer *w, qi_wseg *s)
{
    size_t nw = qi_del_words(s->doc_count);
    qi_segment_close(s->seg);
    s->seg = NULL;
    if (s->del)
        qi_free(w->ienv, s->del, (nw ? nw : 1) * 8);
    s->del = NULL;
}

static int seg_open(quarry_writer *w, qi_wseg *s)
{
    char path[PATH_MAX];
    qi_segment_stats st;
    int rc;
    if (s->seg)
        return QUARRY_OK;
    if (qi_seg_path(path, w->path, s->id) != QUARRY_OK) {
        qi_set_error(w->errmsg, "index path too long");
        return QUARRY_EINVAL;
    }
    rc = qi_segment_open(w->ienv, path, &s->seg, w->errmsg);
    if (rc != QUARRY_OK)
        return rc;
    qi_segment_stats_get(s->seg, &st);
    if (st.doc_count != s->doc_count || st.segment_id != s->id) {
        qi_set_error(w->errmsg,
                     "%s: segment id or document count differs from the "
                     "manifest's",
                     path);
        return QUARRY_ECORRUPT;
    }
    s->file_bytes = st.file_bytes;
    return QUARRY_OK;
}

/* Fills s->file_bytes (stat) if not known yet. */
static int seg_size(quarry_writer *w, qi_wseg *s)
{
    char path[PATH_MAX];
    struct stat st;
    if (s->file_bytes)
        return QUARRY_OK;
    if (qi_seg_path(path, w->path, s->id) != QUARRY_OK ||
        stat(path, &st) != 0) {
        qi_set_error(w->errmsg, "cannot stat segment %llu of %s",
                     (unsigned long long)s->id, w->path);
        return QUARRY_EIO;
    }
    s->file_bytes = (uint64_t)st.st_size;
    return QUARRY_OK;
}

static int mark_deleted(quarry_writer *w, uint64_t seg_id, uint64_t local)
{
    qi_wseg *s = find_seg(w, seg_id);
    if (!s || local >= s->doc_count) {
        qi_set_error(w->errmsg, "internal: document (%llu, %llu) not found",
                     (unsigned long long)seg_id, (unsigned long long)local);
        return QUARRY_ECORRUPT;
    }
    if (!s->del) {
        size_t nw = qi_del_words(s->doc_count);
        s->del = qi_calloc(w->ienv, nw ? nw : 1, 8);
        if (!s->del)
            return nomem(w);
    }
    if (!qi_del_test(s->del, local)) {
        s->del[local / 64] |= (uint64_t)1 << (local % 64);
        s->deleted++;
        s->dirty = true;
    }
    return QUARRY_OK;
}

static int add_wseg(quarry_writer *w, const qi_wseg *s)
{
    void *p = w->segs;
    if (!qi_array_reserve(w->ienv, &p, &w->segs_cap, w->nsegs + 1,
                          sizeof *w->segs))
        return nomem(w);
    w->segs = p;
    w->segs[w->nsegs++] = *s; /* ids only grow: the array stays sorted */
    return QUARRY_OK;
}

/* ---- opening ---- */

/* Removes files of the directory that the committed manifest does not
 * name: temporary files and segment or deletion files of interrupted
 * writers. Other files are left alone (they are not ours). */
static void clean_leftovers(quarry_writer *w)
{
    DIR *d;
    struct dirent *de;
    char path[PATH_MAX];
    /* Only a lock holder that has read the committed manifest may judge
     * what is a leftover: anything else could remove another writer's
     * files. */
    if (w->lock_fd < 0 || !w->man_loaded)
        return;
    d = opendir(w->path);
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        bool remove = false;
        if (len > 4 && strcmp(name + len - 4, ".tmp") == 0) {
            remove = true;
        } else if (strncmp(name, "seg-", 4) == 0 && len > 4 + 16) {
            char *end;
            unsigned long long id = strtoull(name + 4, &end, 16);
            const qi_manifest_seg *s = NULL;
            size_t i;
            for (i = 0; end == name + 4 + 16 && i < w->man.nsegs; i++)
                if (w->man.segs[i].id == id)
                    s = &w->man.segs[i];
            if (end != name + 4 + 16) {
                remove = false; /* not one of our names */
            } else if (strcmp(end, ".qseg") == 0) {
                remove = !s;
            } else if (strncmp(end, ".del-", 5) == 0) {
                unsigned long long gen = strtoull(end + 5, NULL, 10);
                remove = !s || s->del_gen != gen;
            }
        }
        if (remove && qi_path_join(path, w->path, name) == QUARRY_OK)
            unlink(path);
    }
    closedir(d);
}

/* Loads the committed segments: deletion bitmaps and the key map. */
static int load_segments(quarry_writer *w)
{
    size_t i;
    uint64_t d;
    int rc;
    for (i = 0; i < w->man.nsegs; i++) {
        qi_wseg s;
        memset(&s, 0, sizeof s);
        s.id = w->man.segs[i].id;
        s.doc_count = w->man.segs[i].doc_count;
        s.deleted = w->man.segs[i].deleted;
        s.del_gen = w->man.segs[i].del_gen;
        s.committed = true;
        if ((rc = add_wseg(w, &s)) != QUARRY_OK)
            return rc;
    }
    for (i = 0; i < w->nsegs; i++) {
        qi_wseg *s = &w->segs[i];
        if ((rc = seg_open(w, s)) != QUARRY_OK)
            return rc == QUARRY_ENOENT ? QUARRY_ECORRUPT : rc;
        if (s->del_gen) {
            rc = qi_del_read(w->ienv, w->path, s->id, s->del_gen, s->doc_count,
                             s->deleted, &s->del, NULL, w->errmsg);
            if (rc != QUARRY_OK)
                return rc == QUARRY_ENOENT ? QUARRY_ECORRUPT : rc;
        }
        for (d = 0; d < s->doc_count; d++) {
            qi_docmeta m;
            uint32_t src, e;
            if (qi_del_test(s->del, d))
                continue;
            rc = qi_segment_doc_meta(s->seg, d, &m);
            if (rc != QUARRY_OK) {
                qi_set_error(w->errmsg, "%s", qi_segment_errmsg(s->seg));
                return rc;
            }
            if (qi_keymap_source(&w->keys, m.source, &src) != QUARRY_OK)
                return nomem(w);
            e = qi_keymap_find(&w->keys, src, m.record);
            if (e != QI_NONE32) {
                /* A key twice among live documents cannot come from this
                 * writer; keep the later one so the index stays usable. */
                qi_kentry *k = &w->keys.ents[e];
                if ((rc = mark_deleted(w, k->seg_id, k->local)) != QUARRY_OK)
                    return rc;
            } else if (qi_keymap_insert(&w->keys, src, m.record, &e) !=
                       QUARRY_OK) {
                return nomem(w);
            }
            w->keys.ents[e].hash = m.hash;
            w->keys.ents[e].seg_id = s->id;
            w->keys.ents[e].local = d;
            w->keys.ents[e].seq = 0;
        }
        /* The key map has what the writer needs; a merge maps it again. */
        qi_segment_close(s->seg);
        s->seg = NULL;
    }
    return QUARRY_OK;
}

void quarry_writer_free(quarry_writer *w);

int quarry_writer_open(quarry_env *env, const char *path,
                       const quarry_writer_options *opts, quarry_writer **out)
{
    quarry_writer *w;
    quarry_tokenizer_options tok;
    long ncpu;
    int rc;

    *out = NULL;
    if (!path || !*path) {
        qi_set_error(env->errmsg, "no index path given");
        return QUARRY_EINVAL;
    }
    w = qi_calloc(env, 1, sizeof *w);
    if (!w) {
        qi_set_error(env->errmsg, "out of memory opening a writer");
        return QUARRY_ENOMEM;
    }
    w->env = env;
    w->lock_fd = -1;
    if (quarry_env_new(env->alloc, env->ud, &w->ienv) != QUARRY_OK) {
        qi_free(env, w, sizeof *w);
        qi_set_error(env->errmsg, "out of memory opening a writer");
        return QUARRY_ENOMEM;
    }
    w->path_len = strlen(path);
    while (w->path_len > 1 && path[w->path_len - 1] == '/')
        w->path_len--;
    w->path = qi_strndup(w->ienv, path, w->path_len);
    if (!w->path || qi_keymap_init(&w->keys, w->ienv) != QUARRY_OK) {
        rc = QUARRY_ENOMEM;
        qi_set_error(env->errmsg, "out of memory opening a writer");
        goto fail;
    }
    w->memory = opts && opts->memory ? opts->memory : QUARRY_DEFAULT_MEMORY;
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    w->nthreads =
        opts && opts->threads ? opts->threads : (unsigned)(ncpu > 0 ? ncpu : 1);
    if (w->nthreads > 256)
        w->nthreads = 256;

    if (mkdir(w->path, 0777) != 0 && errno != EEXIST) {
        int e = errno;
        qi_set_error(env->errmsg, "cannot create index directory %.300s: %s",
                     w->path, strerror(e));
        rc = e == ENOENT ? QUARRY_ENOENT : QUARRY_EIO;
        goto fail;
    }
    rc = qi_index_lock(w->path, &w->lock_fd, env->errmsg);
    if (rc != QUARRY_OK)
        goto fail;
    rc = qi_manifest_read(w->ienv, w->path, &w->man, env->errmsg);
    if (rc == QUARRY_ENOENT) {
        /* A new index: commit an empty snapshot (generation 0) so that
         * readers can open it at once and the options are recorded. */
        memset(&w->man, 0, sizeof w->man);
        w->man.next_segment_id = 1;
        rc = qi_manifest_set_tokopts(
            w->ienv, &w->man, opts ? opts->tokenizer : NULL, env->errmsg);
        if (rc == QUARRY_OK) {
            /* check the options now: a bad locale must not be recorded */
            quarry_tokenizer *t = NULL;
            qi_manifest_tokopts(&w->man, &tok);
            rc = quarry_tokenizer_new(w->ienv, &tok, &t);
            quarry_tokenizer_free(t);
            if (rc != QUARRY_OK)
                qi_set_error(env->errmsg, "%s", w->ienv->errmsg);
        }
        if (rc == QUARRY_OK)
            rc =
                qi_manifest_write(w->ienv, w->path, &w->man, env->errmsg, NULL);
    } else if (rc == QUARRY_OK) {
        rc = qi_manifest_check_tokopts(&w->man, opts ? opts->tokenizer : NULL,
                                       env->errmsg);
    }
    if (rc != QUARRY_OK)
        goto fail;
    w->man_loaded = true;
    w->next_id = w->man.next_segment_id;
    rc = load_segments(w);
    if (rc != QUARRY_OK) {
        qi_set_error(env->errmsg, "%s", w->errmsg);
        goto fail;
    }
    clean_leftovers(w);
    qi_manifest_tokopts(&w->man, &tok);
    rc = qi_pipeline_start(w, &tok);
    if (rc != QUARRY_OK)
        goto fail;
    *out = w;
    return QUARRY_OK;
fail:
    quarry_writer_free(w);
    return rc;
}

/* Removes the files of segments that were never committed. */
static void discard_uncommitted(quarry_writer *w)
{
    char path[PATH_MAX];
    size_t i;
    for (i = 0; i < w->nflushed; i++)
        if (qi_seg_path(path, w->path, w->flushed[i].id) == QUARRY_OK)
            unlink(path);
    w->nflushed = 0;
    for (i = 0; i < w->nsegs; i++)
        if (!w->segs[i].committed &&
            qi_seg_path(path, w->path, w->segs[i].id) == QUARRY_OK)
            unlink(path);
}

void quarry_writer_free(quarry_writer *w)
{
    quarry_env *ienv;
    size_t i;
    if (!w)
        return;
    ienv = w->ienv;
    qi_pipeline_stop(w);
    if (w->path) {
        discard_uncommitted(w);
        /* A builder's file may be half-written if a worker failed. */
        clean_leftovers(w);
    }
    for (i = 0; i < w->nsegs; i++)
        wseg_release(w, &w->segs[i]);
    qi_free(ienv, w->segs, w->segs_cap * sizeof *w->segs);
    qi_free(ienv, w->flushed, w->flushed_cap * sizeof *w->flushed);
    qi_free(ienv, w->locs, w->locs_cap * sizeof *w->locs);
    qi_free(ienv, w->srecs, w->srecs_cap * sizeof *w->srecs);
    qi_keymap_free(&w->keys);
    qi_manifest_clear(ienv, &w->man);
    qi_index_unlock(w->lock_fd);
    if (w->path)
        qi_free(ienv, w->path, w->path_len + 1);
    qi_free(w->env, w, sizeof *w);
    quarry_env_free(ienv);
}

const char *quarry_writer_errmsg(const quarry_writer *w)
{
    return w ? w->errmsg : "";
}

/* ---- adding and deleting ---- */

static int check_usable(quarry_writer *w)
{
    int rc;
    if (w->failed) {
        if (!w->errmsg[0])
            qi_set_error(w->errmsg, "writer failed earlier");
        return w->failed;
    }
    rc = qi_pipeline_error(w);
    return rc ? fail(w, rc) : QUARRY_OK;
}

/* Forgets entry e: its document is deleted at commit. */
static int drop_entry_doc(quarry_writer *w, uint32_t e)
{
    qi_kentry *k = &w->keys.ents[e];
    if (k->seq) {
        w->srecs[k->seq - 1].superseded = true;
        return QUARRY_OK;
    }
    return mark_deleted(w, k->seg_id, k->local);
}

int quarry_writer_add(quarry_writer *w, quarry_doc *doc, int *outcome)
{
    uint64_t hash;
    uint32_t src, e;
    int rc, oc;
    void *p;

    if (outcome)
        *outcome = 0;
    if (!doc) {
        qi_set_error(w->errmsg, "no document given");
        return QUARRY_EINVAL;
    }
    if ((rc = check_usable(w)) != QUARRY_OK) {
        quarry_doc_free(doc);
        return rc;
    }
    hash = content_hash(doc);
    if (qi_keymap_source(&w->keys, doc->source, &src) != QUARRY_OK) {
        quarry_doc_free(doc);
        return fail(w, nomem(w));
    }
    e = qi_keymap_find(&w->keys, src, doc->record);
    if (e != QI_NONE32 && w->keys.ents[e].hash == hash) {
        quarry_doc_free(doc);
        w->pending.unchanged++;
        if (outcome)
            *outcome = QUARRY_UNCHANGED;
        return QUARRY_OK;
    }
    p = w->srecs;
    if (!qi_array_reserve(w->ienv, &p, &w->srecs_cap, w->nsrecs + 1,
                          sizeof *w->srecs)) {
        quarry_doc_free(doc);
        return fail(w, nomem(w));
    }
    w->srecs = p;
    if (e != QI_NONE32) {
        if ((rc = drop_entry_doc(w, e)) != QUARRY_OK) {
            quarry_doc_free(doc);
            return fail(w, rc);
        }
        oc = QUARRY_REPLACED;
    } else {
        if (qi_keymap_insert(&w->keys, src, doc->record, &e) != QUARRY_OK) {
            quarry_doc_free(doc);
            return fail(w, nomem(w));
        }
        oc = QUARRY_ADDED;
    }
    w->keys.ents[e].hash = hash;
    w->keys.ents[e].seg_id = QI_NONE64;
    w->srecs[w->nsrecs].entry = e;
    w->srecs[w->nsrecs].superseded = false;
    w->nsrecs++;
    w->keys.ents[e].seq = w->nsrecs;
    rc = qi_pipeline_push(w, doc, hash); /* takes doc in every case */
    if (rc != QUARRY_OK)
        return fail(w, rc);
    if (oc == QUARRY_ADDED)
        w->pending.added++;
    else
        w->pending.replaced++;
    if (outcome)
        *outcome = oc;
    return QUARRY_OK;
}

int quarry_writer_delete_key(quarry_writer *w, const char *source,
                             uint64_t record, uint64_t *count)
{
    uint32_t src, e;
    int rc;
    if (count)
        *count = 0;
    if (!source) {
        qi_set_error(w->errmsg, "no source given");
        return QUARRY_EINVAL;
    }
    if ((rc = check_usable(w)) != QUARRY_OK)
        return rc;
    if (qi_keymap_source(&w->keys, source, &src) != QUARRY_OK)
        return fail(w, nomem(w));
    e = qi_keymap_find(&w->keys, src, record);
    if (e == QI_NONE32)
        return QUARRY_OK;
    if ((rc = drop_entry_doc(w, e)) != QUARRY_OK)
        return fail(w, rc);
    qi_keymap_remove(&w->keys, e);
    w->pending.deleted++;
    if (count)
        *count = 1;
    return QUARRY_OK;
}

int quarry_writer_delete_source(quarry_writer *w, const char *source,
                                uint64_t *count)
{
    uint32_t src, e;
    uint64_t n = 0;
    int rc;
    if (count)
        *count = 0;
    if (!source) {
        qi_set_error(w->errmsg, "no source given");
        return QUARRY_EINVAL;
    }
    if ((rc = check_usable(w)) != QUARRY_OK)
        return rc;
    if (qi_keymap_source(&w->keys, source, &src) != QUARRY_OK)
        return fail(w, nomem(w));
    while ((e = qi_keymap_source_head(&w->keys, src)) != QI_NONE32) {
        if ((rc = drop_entry_doc(w, e)) != QUARRY_OK)
            return fail(w, rc);
        qi_keymap_remove(&w->keys, e);
        n++;
    }
    w->pending.deleted += n;
    if (count)
        *count = n;
    return QUARRY_OK;
}

/* ---- committing ---- */

/* Takes over what the pipeline wrote since the last commit: new segments,
 * and the locations of this session's documents (for the key map and for
 * the deletions of documents superseded within the session). */
static int absorb_session(quarry_writer *w)
{
    size_t i;
    int rc;
    for (i = 0; i < w->nflushed; i++) {
        w->flushed[i].committed = false;
        if ((rc = add_wseg(w, &w->flushed[i])) != QUARRY_OK)
            return rc;
    }
    w->nflushed = 0;
    for (i = 0; i < w->nsrecs; i++) {
        qi_srec *r = &w->srecs[i];
        qi_loc *l = &w->locs[i];
        if (l->seg_id == QI_NONE64) {
            qi_set_error(w->errmsg, "internal: a document was not added");
            return QUARRY_EIO;
        }
        if (r->superseded) {
            if ((rc = mark_deleted(w, l->seg_id, l->local)) != QUARRY_OK)
                return rc;
        } else {
            qi_kentry *k = &w->keys.ents[r->entry];
            k->seg_id = l->seg_id;
            k->local = l->local;
            k->seq = 0;
        }
    }
    w->nsrecs = 0;
    w->seq_base = w->seq_issued;
    return QUARRY_OK;
}

static void unlink_seg_files(quarry_writer *w, uint64_t id, uint64_t del_gen)
{
    char path[PATH_MAX];
    if (qi_seg_path(path, w->path, id) == QUARRY_OK)
        unlink(path);
    if (del_gen && qi_del_path(path, w->path, id, del_gen) == QUARRY_OK)
        unlink(path);
}

/* Writes the current state (w->segs) as the next generation. `gone` lists
 * segments (id, del_gen) removed from the state since the last commit:
 * their files are deleted once the new manifest is in place. */
static int write_commit(quarry_writer *w, const qi_wseg *gone, size_t ngone)
{
    qi_manifest m;
    uint64_t gen = w->man.generation + 1;
    uint64_t *old_gen;
    size_t i, j, cap = w->nsegs ? w->nsegs : 1;
    bool renamed = false;
    int rc, commit_rc;

    old_gen = qi_calloc(w->ienv, cap, sizeof *old_gen);
    if (!old_gen)
        return nomem(w);
    if (qi_manifest_copy(w->ienv, &m, &w->man) != QUARRY_OK) {
        qi_free(w->ienv, old_gen, cap * sizeof *old_gen);
        return nomem(w);
    }
    m.nsegs = 0;
    m.generation = gen;
    m.next_segment_id = w->next_id;
    rc = QUARRY_OK;
    for (i = 0; i < w->nsegs && rc == QUARRY_OK; i++) {
        qi_wseg *s = &w->segs[i];
        qi_manifest_seg ms;
        if (s->deleted == s->doc_count)
            continue; /* nothing live: dropped from the snapshot */
        ms.id = s->id;
        ms.doc_count = s->doc_count;
        ms.deleted = s->deleted;
        ms.del_gen = s->deleted ? (s->dirty ? gen : s->del_gen) : 0;
        if (s->dirty && s->deleted)
            rc = qi_del_write(w->path, s->id, gen, s->doc_count, s->del,
                              w->errmsg);
        if (rc == QUARRY_OK &&
            qi_manifest_add_seg(w->ienv, &m, &ms) != QUARRY_OK)
            rc = nomem(w);
    }
    /* new segment and deletion files must be durable names before the
     * manifest that names them */
    if (rc == QUARRY_OK)
        rc = qi_fsync_dir(w->path, w->errmsg);
    if (rc == QUARRY_OK)
        rc = qi_manifest_write(w->ienv, w->path, &m, w->errmsg, &renamed);
    if (rc != QUARRY_OK && !renamed) {
        qi_manifest_clear(w->ienv, &m);
        qi_free(w->ienv, old_gen, cap * sizeof *old_gen);
        return rc;
    }
    /* If only the final directory fsync failed, the new manifest is in
     * place all the same: adopt it (so that cleanup judges leftovers by
     * it), then report the error. */
    commit_rc = rc;
    /* Committed. Update the state, then remove what is no longer named. */
    qi_manifest_clear(w->ienv, &w->man);
    w->man = m;
    for (i = 0, j = 0; i < w->nsegs; i++) {
        qi_wseg *s = &w->segs[i];
        uint64_t stale_del = 0;
        if (s->deleted == s->doc_count) {
            unlink_seg_files(w, s->id, s->del_gen);
            wseg_release(w, s);
            continue;
        }
        if (s->dirty) {
            stale_del = s->del_gen;
            s->del_gen = s->deleted ? gen : 0;
            s->dirty = false;
        }
        s->committed = true;
        old_gen[j] = stale_del;
        w->segs[j++] = *s;
    }
    w->nsegs = j;
    for (i = 0; i < j; i++) {
        char path[PATH_MAX];
        if (old_gen[i] &&
            qi_del_path(path, w->path, w->segs[i].id, old_gen[i]) == QUARRY_OK)
            unlink(path);
    }
    for (i = 0; i < ngone; i++)
        unlink_seg_files(w, gone[i].id, gone[i].del_gen);
    qi_free(w->ienv, old_gen, cap * sizeof *old_gen);
    return commit_rc;
}

/* ---- merging ---- */

/* Scratch of a merge: one segment's dictionaries as texts, and one
 * document's parts rebuilt as a qi_docinput. */
typedef struct merge_ctx {
    quarry_env *env;
    qi_buf arena;   /* term texts, then word-layer texts */
    uint64_t *toff; /* per local term: offset in arena */
    uint32_t *tlen;
    size_t tcap;
    uint64_t *woff; /* per word-layer term */
    uint32_t *wlen;
    size_t wcap;
    qi_buf text;
    quarry_field *fields;
    size_t fields_cap;
    uint32_t *ids;
    uint64_t *starts, *ends;
    quarry_token *toks;
    size_t tok_cap;
    quarry_span *sent, *para, *wspans;
    size_t sent_cap, para_cap, wspan_cap;
    uint32_t *wids;
    quarry_word *words;
    size_t wid_cap, words_cap;
} merge_ctx;

static void merge_ctx_free(merge_ctx *c)
{
    quarry_env *env = c->env;
    qi_buf_free(env, &c->arena);
    qi_free(env, c->toff, c->tcap * sizeof *c->toff);
    qi_free(env, c->tlen, c->tcap * sizeof *c->tlen);
    qi_free(env, c->woff, c->wcap * sizeof *c->woff);
    qi_free(env, c->wlen, c->wcap * sizeof *c->wlen);
    qi_buf_free(env, &c->text);
    qi_free(env, c->fields, c->fields_cap * sizeof *c->fields);
    qi_free(env, c->ids, c->tok_cap * sizeof *c->ids);
    qi_free(env, c->starts, c->tok_cap * sizeof *c->starts);
    qi_free(env, c->ends, c->tok_cap * sizeof *c->ends);
    qi_free(env, c->toks, c->tok_cap * sizeof *c->toks);
    qi_free(env, c->sent, c->sent_cap * sizeof *c->sent);
    qi_free(env, c->para, c->para_cap * sizeof *c->para);
    qi_free(env, c->wspans, c->wspan_cap * sizeof *c->wspans);
    qi_free(env, c->wids, c->wid_cap * sizeof *c->wids);
    qi_free(env, c->words, c->words_cap * sizeof *c->words);
}

/* Grows an array to n elements exactly (cap in elements). */
static bool grow(quarry_env *env, void **p, size_t *cap, size_t n, size_t elem)
{
    void *q;
    if (n <= *cap)
        return true;
    if (n > SIZE_MAX / elem / 2)
        return false;
    q = qi_realloc(env, *p, *cap * elem, n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* Rebuilds the texts of segment seg's dictionaries. */
static int merge_load_dict(quarry_writer *w, merge_ctx *c, qi_segment *seg)
{
    qi_segment_stats st;
    qi_termiter it;
    uint64_t k;
    int rc;
    size_t tc = 0, wc = 0;
    qi_segment_stats_get(seg, &st);
    c->arena.len = 0;
    if (st.term_count > SIZE_MAX / 16 || st.word_term_count > SIZE_MAX / 16)
        return QUARRY_ECORRUPT;
    tc = c->tcap;
    if (!grow(c->env, (void **)&c->toff, &tc, (size_t)st.term_count, 8) ||
        !grow(c->env, (void **)&c->tlen, &c->tcap, (size_t)st.term_count, 4))
        return nomem(w);
    wc = c->wcap;
    if (!grow(c->env, (void **)&c->woff, &wc, (size_t)st.word_term_count, 8) ||
        !grow(c->env, (void **)&c->wlen, &c->wcap, (size_t)st.word_term_count,
              4))
        return nomem(w);
    rc = qi_termiter_start(&it, seg, 0);
    while (rc == QUARRY_OK && (rc = qi_termiter_next(&it)) == QUARRY_OK) {
        if (it.term.ordinal >= st.term_count)
            return QUARRY_ECORRUPT;
        c->toff[it.term.ordinal] = c->arena.len;
        c->tlen[it.term.ordinal] = (uint32_t)it.len;
        if (!qi_buf_append(c->env, &c->arena, it.text, it.len))
            return nomem(w);
    }
    if (rc < 0) {
        qi_set_error(w->errmsg, "%s", qi_segment_errmsg(seg));
        return rc;
    }
    for (k = 0; k < st.word_term_count; k++) {
        char buf[QI_MAX_TERM + 1];
        size_t len = 0;
        rc = qi_segment_word_text(seg, k, buf, &len);
        if (rc != QUARRY_OK) {
            qi_set_error(w->errmsg, "%s", qi_segment_errmsg(seg));
            return rc;
        }
        c->woff[k] = c->arena.len;
        c->wlen[k] = (uint32_t)len;
        if (!qi_buf_append(c->env, &c->arena, buf, len))
            return nomem(w);
    }
    return QUARRY_OK;
}

static int seg_fail(quarry_writer *w, qi_segment *seg, int rc)
{
    if (rc < 0)
        qi_set_error(w->errmsg, "%s", qi_segment_errmsg(seg));
    return rc;
}

/* Reads document d of seg back into a qi_docinput. */
static int merge_read_doc(quarry_writer *w, merge_ctx *c, qi_segment *seg,
                          uint64_t d, qi_docinput *in)
{
    qi_segment_stats st;
    qi_docmeta m;
    size_t i, got, n;
    int rc;

    qi_segment_stats_get(seg, &st);
    if ((rc = qi_segment_doc_meta(seg, d, &m)) != QUARRY_OK)
        return seg_fail(w, seg, rc);
    memset(in, 0, sizeof *in);
    in->source = m.source;
    in->record = m.record;
    in->hash = m.hash;
    if (m.tokens > SIZE_MAX / 64 || m.sentences > SIZE_MAX / 64 ||
        m.paragraphs > SIZE_MAX / 64 || m.words > SIZE_MAX / 64 ||
        m.field_count > SIZE_MAX / 64)
        return QUARRY_ECORRUPT;
    if (!grow(c->env, (void **)&c->fields, &c->fields_cap, m.field_count,
              sizeof *c->fields))
        return nomem(w);
    for (i = 0; i < m.field_count; i++)
        if ((rc = qi_segment_doc_field(seg, d, i, &c->fields[i])) != QUARRY_OK)
            return seg_fail(w, seg, rc);
    in->fields = c->fields;
    in->field_count = m.field_count;
    if ((rc = qi_segment_doc_text(seg, d, &c->text)) != QUARRY_OK)
        return seg_fail(w, seg, rc);
    in->text = c->text.data ? c->text.data : "";
    in->text_len = c->text.len;

    n = (size_t)m.tokens;
    {
        size_t cap = c->tok_cap, c1 = cap, c2 = cap, c3 = cap;
        if (!grow(c->env, (void **)&c->ids, &c1, n, sizeof *c->ids) ||
            !grow(c->env, (void **)&c->starts, &c2, n, sizeof *c->starts) ||
            !grow(c->env, (void **)&c->ends, &c3, n, sizeof *c->ends) ||
            !grow(c->env, (void **)&c->toks, &c->tok_cap, n, sizeof *c->toks))
            return nomem(w);
    }
    for (i = 0; i < n; i += got) {
        rc = qi_segment_doc_tokens(seg, d, i, n - i, c->ids + i, c->starts + i,
                                   c->ends + i, &got);
        if (rc != QUARRY_OK)
            return seg_fail(w, seg, rc);
        if (got == 0)
            return QUARRY_ECORRUPT;
    }
    for (i = 0; i < n; i++) {
        uint32_t id = c->ids[i];
        if (id >= st.term_count) {
            qi_set_error(w->errmsg, "segment %llu: term id out of range",
                         (unsigned long long)st.segment_id);
            return QUARRY_ECORRUPT;
        }
        c->toks[i].start = c->starts[i];
        c->toks[i].end = c->ends[i];
        c->toks[i].norm = c->toff[id];
        c->toks[i].norm_len = c->tlen[id];
        /* kinds are not stored in segments (the segment keeps term ids);
         * the builder does not read them */
        c->toks[i].kind = QUARRY_TOKEN_WORD;
        c->toks[i].flags = 0;
        c->toks[i].reserved = 0;
    }
    in->tokens = c->toks;
    in->token_count = n;
    in->arena = c->arena.data ? c->arena.data : "";

    if (!grow(c->env, (void **)&c->sent, &c->sent_cap, (size_t)m.sentences,
              sizeof *c->sent) ||
        !grow(c->env, (void **)&c->para, &c->para_cap, (size_t)m.paragraphs,
              sizeof *c->para))
        return nomem(w);
    for (i = 0; i < m.sentences; i += got) {
        rc = qi_segment_doc_spans(seg, d, 0, i, (size_t)m.sentences - i,
                                  c->sent + i, &got);
        if (rc != QUARRY_OK)
            return seg_fail(w, seg, rc);
        if (got == 0)
            return QUARRY_ECORRUPT;
    }
    for (i = 0; i < m.paragraphs; i += got) {
        rc = qi_segment_doc_spans(seg, d, 1, i, (size_t)m.paragraphs - i,
                                  c->para + i, &got);
        if (rc != QUARRY_OK)
            return seg_fail(w, seg, rc);
        if (got == 0)
            return QUARRY_ECORRUPT;
    }
    in->sentences = c->sent;
    in->sentence_count = (size_t)m.sentences;
    in->paragraphs = c->para;
    in->paragraph_count = (size_t)m.paragraphs;

    {
        size_t c1 = c->wspan_cap, c2 = c->wid_cap;
        n = (size_t)m.words;
        if (!grow(c->env, (void **)&c->wspans, &c1, n, sizeof *c->wspans) ||
            !grow(c->env, (void **)&c->wids, &c2, n, sizeof *c->wids) ||
            !grow(c->env, (void **)&c->words, &c->words_cap, n,
                  sizeof *c->words))
            return nomem(w);
        c->wspan_cap = c1;
        c->wid_cap = c2;
    }
    for (i = 0; i < n; i += got) {
        rc = qi_segment_doc_words(seg, d, i, n - i, c->wspans + i, c->wids + i,
                                  &got);
        if (rc != QUARRY_OK)
            return seg_fail(w, seg, rc);
        if (got == 0)
            return QUARRY_ECORRUPT;
    }
    for (i = 0; i < n; i++) {
        uint32_t id = c->wids[i];
        if (id >= st.word_term_count)
            return QUARRY_ECORRUPT;
        c->words[i].first = c->wspans[i].first;
        c->words[i].end = c->wspans[i].end;
        c->words[i].norm = c->woff[id];
        c->words[i].norm_len = c->wlen[id];
        c->words[i].reserved = 0;
    }
    in->words = c->words;
    in->word_count = n;
    return QUARRY_OK;
}

/* Merges segments pick[0..n) (indexes into w->segs, ascending) into one new
 * segment and commits the result. */
static int do_merge(quarry_writer *w, const size_t *pick, size_t n)
{
    merge_ctx c;
    qi_segbuild *b = NULL;
    qi_wseg out, *gone = NULL;
    char path[PATH_MAX];
    size_t i, j, k;
    uint64_t d;
    int rc;

    memset(&c, 0, sizeof c);
    c.env = w->ienv;
    memset(&out, 0, sizeof out);
    out.id = w->next_id++;
    rc = qi_segbuild_new(w->ienv, &b);
    if (rc != QUARRY_OK) {
        nomem(w);
        goto done;
    }
    for (k = 0; k < n; k++) {
        qi_wseg *s = &w->segs[pick[k]];
        if ((rc = seg_open(w, s)) != QUARRY_OK)
            goto done;
        if ((rc = merge_load_dict(w, &c, s->seg)) != QUARRY_OK)
            goto done;
        for (d = 0; d < s->doc_count; d++) {
            qi_docinput in;
            uint32_t src, e;
            uint64_t local;
            if (qi_del_test(s->del, d))
                continue;
            if ((rc = merge_read_doc(w, &c, s->seg, d, &in)) != QUARRY_OK) {
                if (rc == QUARRY_ECORRUPT && !w->errmsg[0])
                    qi_set_error(w->errmsg, "segment %llu is corrupt",
                                 (unsigned long long)s->id);
                goto done;
            }
            local = qi_segbuild_doc_count(b);
            if ((rc = qi_segbuild_add(b, &in)) != QUARRY_OK) {
                qi_set_error(w->errmsg, "%s", qi_segbuild_errmsg(b));
                goto done;
            }
            if (qi_keymap_source(&w->keys, in.source, &src) != QUARRY_OK) {
                rc = nomem(w);
                goto done;
            }
            e = qi_keymap_find(&w->keys, src, in.record);
            if (e != QI_NONE32 && w->keys.ents[e].seq == 0 &&
                w->keys.ents[e].seg_id == s->id && w->keys.ents[e].local == d) {
                w->keys.ents[e].seg_id = out.id;
                w->keys.ents[e].local = local;
            }
        }
    }
    out.doc_count = qi_segbuild_doc_count(b);
    if (out.doc_count > 0) {
        if ((rc = qi_seg_path(path, w->path, out.id)) != QUARRY_OK) {
            qi_set_error(w->errmsg, "index path too long");
            goto done;
        }
        rc = qi_segbuild_write(b, path, out.id);
        if (rc != QUARRY_OK) {
            qi_set_error(w->errmsg, "%s", qi_segbuild_errmsg(b));
            goto done;
        }
    }
    qi_segbuild_free(b);
    b = NULL;
    /* Swap the inputs for the output in the state and commit. */
    gone = qi_calloc(w->ienv, n, sizeof *gone);
    if (!gone) {
        rc = nomem(w);
        goto done;
    }
    for (i = 0, j = 0, k = 0; i < w->nsegs; i++) {
        if (k < n && pick[k] == i) {
            gone[k] = w->segs[i];
            wseg_release(w, &w->segs[i]);
            k++;
            continue;
        }
        w->segs[j++] = w->segs[i];
    }
    w->nsegs = j;
    if (out.doc_count > 0 && (rc = add_wseg(w, &out)) != QUARRY_OK)
        goto done;
    rc = write_commit(w, gone, n);
done:
    qi_free(w->ienv, gone, n * sizeof *gone);
    qi_segbuild_free(b);
    merge_ctx_free(&c);
    return rc;
}

/* Estimated builder memory of a segment, from its file size: stored text is
 * compressed in the file and so is the token stream, the builder keeps a
 * 4-byte id per token and its own dictionaries. */
#define MERGE_MEMORY_PER_FILE_BYTE 4

static int cmp_size(const void *a, const void *b, const quarry_writer *w)
{
    uint64_t x = w->segs[*(const size_t *)a].file_bytes;
    uint64_t y = w->segs[*(const size_t *)b].file_bytes;
    return x < y ? -1 : (x > y ? 1 : 0);
}

static int cmp_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* The tiered policy: segments are grouped by the base-8 magnitude of their
 * live documents; a tier with MERGE_FACTOR or more segments is merged,
 * smallest files first, as many as fit the memory budget. Picks at most
 * one merge; the caller repeats until nothing is picked. */
static int pick_merge(quarry_writer *w, size_t *pick, size_t *npick)
{
    int tier;
    size_t i;
    int rc;
    *npick = 0;
    /* Sizes come from stat, not from mapping every segment: touching the
     * mappings would add the files to the process's resident memory. */
    for (i = 0; i < w->nsegs; i++)
        if ((rc = seg_size(w, &w->segs[i])) != QUARRY_OK)
            return rc;
    for (tier = 0; tier < 22; tier++) {
        size_t n = 0, a, b;
        uint64_t est = 0;
        for (i = 0; i < w->nsegs; i++) {
            uint64_t live = w->segs[i].doc_count - w->segs[i].deleted;
            int t = 0;
            while (live >= MERGE_FACTOR) {
                live /= MERGE_FACTOR;
                t++;
            }
            if (t == tier)
                pick[n++] = i;
        }
        if (n < MERGE_FACTOR)
            continue;
        /* insertion sort by size (n is small) */
        for (a = 1; a < n; a++)
            for (b = a; b > 0 && cmp_size(&pick[b - 1], &pick[b], w) > 0; b--) {
                size_t t = pick[b];
                pick[b] = pick[b - 1];
                pick[b - 1] = t;
            }
        for (a = 0; a < n; a++) {
            est += w->segs[pick[a]].file_bytes * MERGE_MEMORY_PER_FILE_BYTE;
            if (est > w->memory)
                break;
        }
        if (a >= MERGE_FACTOR) {
            qsort(pick, a, sizeof *pick, cmp_index);
            *npick = a;
            return QUARRY_OK;
        }
    }
    return QUARRY_OK;
}

static void fill_stats(quarry_writer *w, quarry_commit_stats *stats)
{
    size_t i;
    if (!stats)
        return;
    *stats = w->pending;
    stats->generation = w->man.generation;
    stats->documents = 0;
    for (i = 0; i < w->nsegs; i++)
        stats->documents += w->segs[i].doc_count - w->segs[i].deleted;
    stats->segments = w->nsegs;
}

/* Whether the state differs from the committed manifest. */
static bool state_changed(const quarry_writer *w)
{
    size_t i;
    if (w->nsegs != w->man.nsegs)
        return true;
    for (i = 0; i < w->nsegs; i++) {
        const qi_wseg *s = &w->segs[i];
        if (!s->committed || s->dirty || s->deleted == s->doc_count)
            return true;
    }
    return false;
}

static int commit_changes(quarry_writer *w)
{
    int rc;
    if ((rc = check_usable(w)) != QUARRY_OK)
        return rc;
    rc = qi_pipeline_drain(w);
    if (rc != QUARRY_OK)
        return fail(w, rc);
    if ((rc = absorb_session(w)) != QUARRY_OK)
        return fail(w, rc);
    if (!state_changed(w))
        return QUARRY_OK; /* a re-run that changed nothing writes nothing */
    if ((rc = write_commit(w, NULL, 0)) != QUARRY_OK)
        return fail(w, rc);
    return QUARRY_OK;
}

int quarry_writer_commit(quarry_writer *w, quarry_commit_stats *stats)
{
    size_t *pick, cap;
    int rc = commit_changes(w);
    if (rc != QUARRY_OK)
        return rc;
    cap = w->nsegs ? w->nsegs : 1;
    pick = qi_alloc(w->ienv, cap * sizeof *pick);
    if (!pick)
        return fail(w, nomem(w));
    for (;;) {
        size_t n;
        rc = pick_merge(w, pick, &n);
        if (rc != QUARRY_OK || n == 0)
            break;
        rc = do_merge(w, pick, n);
        if (rc != QUARRY_OK)
            break;
    }
    qi_free(w->ienv, pick, cap * sizeof *pick);
    if (rc != QUARRY_OK)
        return fail(w, rc);
    fill_stats(w, stats);
    memset(&w->pending, 0, sizeof w->pending);
    return QUARRY_OK;
}

int quarry_writer_optimize(quarry_writer *w, quarry_commit_stats *stats)
{
    size_t *pick, i, n;
    int rc = commit_changes(w);
    if (rc != QUARRY_OK)
        return rc;
    n = w->nsegs;
    if (n > 1 || (n == 1 && w->segs[0].deleted > 0)) {
        pick = qi_alloc(w->ienv, n * sizeof *pick);
        if (!pick)
            return fail(w, nomem(w));
        for (i = 0; i < n; i++)
            pick[i] = i;
        rc = do_merge(w, pick, n);
        qi_free(w->ienv, pick, n * sizeof *pick);
        if (rc != QUARRY_OK)
            return fail(w, rc);
    }
    fill_stats(w, stats);
    memset(&w->pending, 0, sizeof w->pending);
    return QUARRY_OK;
}
