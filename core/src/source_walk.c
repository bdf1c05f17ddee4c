/* source_walk.c - expanding directories and globs into the reader's work
 * list.
 *
 * One iterative depth-first walk serves both: an explicit stack (heap
 * memory) instead of recursion, so deep trees cannot overflow the C stack.
 * Entries are visited in byte order of their names so that the same tree
 * always yields the same document order. Symbolic links to files are read;
 * symbolic links to directories are not followed (reported as
 * "unsupported"), which rules out cycles without tracking visited inodes.
 *
 * Globs are matched component by component with fnmatch(3); a "**"
 * component matches zero or more directories. Globs select files; the
 * directories on the way are only traversed. Dot-names are matched by `*`
 * too, so that hidden and AppleDouble files a glob covers are reported as
 * SKIPPED rather than silently passed over. */
#include "reader_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool qi_items_push(quarry_env *env, qi_items *items, int kind, const char *path,
                   const char *reason, int status, const char *message)
{
    void *data = items->v;
    qi_item *it;
    if (!qi_array_reserve(env, &data, &items->cap, items->len + 1, sizeof *it))
        return false;
    items->v = data;
    it = &items->v[items->len];
    memset(it, 0, sizeof *it);
    it->path = qi_strndup(env, path, strlen(path));
    if (!it->path)
        return false;
    if (message) {
        it->message = qi_strndup(env, message, strlen(message));
        if (!it->message) {
            qi_free(env, it->path, strlen(path) + 1);
            return false;
        }
    }
    it->kind = kind;
    it->reason = reason;
    it->status = status;
    items->len++;
    return true;
}

static void item_clear(quarry_env *env, qi_item *it)
{
    if (it->path)
        qi_free(env, it->path, strlen(it->path) + 1);
    if (it->message)
        qi_free(env, it->message, strlen(it->message) + 1);
    it->path = it->message = NULL;
}

void qi_items_free(quarry_env *env, qi_items *items)
{
    size_t i;
    for (i = items->head; i < items->len; i++)
        item_clear(env, &items->v[i]);
    qi_free(env, items->v, items->cap * sizeof *items->v);
    memset(items, 0, sizeof *items);
}

const char *qi_skip_reason(const char *base, int include_hidden)
{
    if (base[0] != '.' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return NULL;
    /* AppleDouble files are resource forks, never text: skipped even with
     * include_hidden */
    if (base[1] == '_')
        return "appledouble";
    return include_hidden ? NULL : "hidden";
}

bool qi_is_glob(const char *spec)
{
    return strpbrk(spec, "*?[") != NULL;
}

/* ---- the walk ---- */

enum { ENT_FILE = 1, ENT_DIR, ENT_OTHER };

typedef struct entry {
    char *path; /* display path; strlen + 1 bytes */
    size_t rel; /* offset of the part relative to the walk's root */
    int type;   /* ENT_*; 0 = not known yet */
} entry;

typedef struct walk {
    quarry_env *env;
    int include_hidden;
    qi_items *items;
    size_t matched;
    entry *stack;
    size_t depth, cap;
    /* glob: pattern components (NULL when walking a whole directory) */
    char **pat;
    size_t npat;
    bool has_globstar;
    bool *states, *next_states; /* npat + 1 each */
    char **comps;               /* scratch: the relative path's components */
    size_t comps_cap;
} walk;

static void entry_free(quarry_env *env, entry *e)
{
    qi_free(env, e->path, strlen(e->path) + 1);
}

static char *join(quarry_env *env, const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = dl > 0 && dir[dl - 1] != '/';
    char *p = qi_alloc(env, dl + slash + nl + 1);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    if (slash)
        p[dl] = '/';
    memcpy(p + dl + slash, name, nl + 1);
    return p;
}

typedef struct dirent_copy {
    char *name;
    int type;
} dirent_copy;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const dirent_copy *)a)->name,
                  ((const dirent_copy *)b)->name);
}

static int push_entry(walk *w, char *path, size_t rel, int type)
{
    void *data = w->stack;
    if (!qi_array_reserve(w->env, &data, &w->cap, w->depth + 1,
                          sizeof *w->stack)) {
        qi_free(w->env, path, strlen(path) + 1);
        return QUARRY_ENOMEM;
    }
    w->stack = data;
    w->stack[w->depth].path = path;
    w->stack[w->depth].rel = rel;
    w->stack[w->depth].type = type;
    w->depth++;
    return QUARRY_OK;
}

static int io_item(walk *w, const char *path, const char *what, int err)
{
    char msg[QI_ERRMSG_SIZE];
    qi_set_error(msg, "%s: %s: %s", path, what, strerror(err));
    w->matched++;
    return qi_items_push(w->env, w->items, QI_ITEM_ERROR, path, "io",
                         err == ENOENT ? QUARRY_ENOENT : QUARRY_EIO, msg)
               ? QUARRY_OK
               : QUARRY_ENOMEM;
}

/* Reads dir's entries, sorts them and pushes them in reverse so that they
 * pop in name order. rel is the offset of the relative part for children. */
static int list_dir(walk *w, const char *dir, size_t rel)
{
    DIR *d = opendir(dir[0] ? dir : ".");
    struct dirent *de;
    dirent_copy *v = NULL;
    size_t n = 0, cap = 0, i;
    int rc = QUARRY_OK;
    if (!d)
        return io_item(w, dir[0] ? dir : ".", "cannot open directory", errno);
    for (;;) {
        void *data = v;
        errno = 0;
        de = readdir(d);
        if (!de) {
            if (errno)
                rc = io_item(w, dir, "cannot read directory", errno);
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!qi_array_reserve(w->env, &data, &cap, n + 1, sizeof *v)) {
            rc = QUARRY_ENOMEM;
            break;
        }
        v = data;
        v[n].name = qi_strndup(w->env, de->d_name, strlen(de->d_name));
        if (!v[n].name) {
            rc = QUARRY_ENOMEM;
            break;
        }
#ifdef DT_DIR
        v[n].type = de->d_type == DT_DIR   ? ENT_DIR
                    : de->d_type == DT_REG ? ENT_FILE
                                           : 0;
#else
        v[n].type = 0;
#endif
        n++;
    }
    closedir(d);
    if (rc == QUARRY_OK && n > 1)
        qsort(v, n, sizeof *v, cmp_names);
    for (i = n; i-- > 0;) {
        if (rc == QUARRY_OK) {
            char *p = join(w->env, dir, v[i].name);
            rc = p ? push_entry(w, p, rel, v[i].type) : QUARRY_ENOMEM;
        }
        qi_free(w->env, v[i].name, strlen(v[i].name) + 1);
    }
    qi_free(w->env, v, cap * sizeof *v);
    return rc;
}

/* Splits the relative path into w->comps; returns the count or -1. */
static long split_rel(walk *w, char *rel)
{
    size_t n = 0;
    char *s = rel;
    for (;;) {
        char *slash = strchr(s, '/');
        void *data = w->comps;
        if (!qi_array_reserve(w->env, &data, &w->comps_cap, n + 1,
                              sizeof *w->comps))
            return -1;
        w->comps = data;
        w->comps[n++] = s;
        if (!slash)
            break;
        *slash = '\0';
        s = slash + 1;
    }
    return (long)n;
}

static void closure(const walk *w, bool *st)
{
    size_t j;
    for (j = 0; j < w->npat; j++)
        if (st[j] && strcmp(w->pat[j], "**") == 0)
            st[j + 1] = true;
}

/* Matches the relative path against the pattern. *full: it matches;
 * *prefix: a longer path below it could match (for directories). Returns
 * false on allocation failure. */
static bool glob_match(walk *w, const char *relpath, bool *full, bool *prefix)
{
    size_t rl = strlen(relpath), j;
    char *rel = qi_strndup(w->env, relpath, rl);
    long n, k;
    *full = *prefix = false;
    if (!rel)
        return false;
    n = split_rel(w, rel);
    if (n < 0) {
        qi_free(w->env, rel, rl + 1);
        return false;
    }
    memset(w->states, 0, (w->npat + 1) * sizeof *w->states);
    w->states[0] = true;
    closure(w, w->states);
    for (k = 0; k < n; k++) {
        bool any = false;
        memset(w->next_states, 0, (w->npat + 1) * sizeof *w->states);
        for (j = 0; j < w->npat; j++) {
            if (!w->states[j])
                continue;
            if (strcmp(w->pat[j], "**") == 0) {
                /* "**" absorbs this component and may absorb more */
                w->next_states[j] = true;
            } else if (fnmatch(w->pat[j], w->comps[k], 0) == 0) {
                w->next_states[j + 1] = true;
            }
        }
        closure(w, w->next_states);
        memcpy(w->states, w->next_states, (w->npat + 1) * sizeof *w->states);
        for (j = 0; j <= w->npat; j++)
            any = any || w->states[j];
        if (!any)
            break;
    }
    *full = w->states[w->npat];
    for (j = 0; j < w->npat; j++)
        if (w->states[j])
            *prefix = true;
    qi_free(w->env, rel, rl + 1);
    return true;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int visit(walk *w, entry *e)
{
    const char *base = base_name(e->path);
    const char *skip;
    bool full = true, prefix = true;
    if (e->type == 0 || e->type == ENT_OTHER) {
        struct stat st, lst;
        if (stat(e->path, &st) != 0) {
            if (w->pat && (!glob_match(w, e->path + e->rel, &full, &prefix)))
                return QUARRY_ENOMEM;
            return full ? io_item(w, e->path, "cannot stat", errno) : QUARRY_OK;
        }
        if (S_ISDIR(st.st_mode)) {
            e->type = ENT_DIR;
            if (lstat(e->path, &lst) == 0 && S_ISLNK(lst.st_mode))
                e->type = ENT_OTHER; /* not followed: no cycles */
        } else {
            e->type = S_ISREG(st.st_mode) ? ENT_FILE : ENT_OTHER;
        }
    }
    if (w->pat) {
        if (!glob_match(w, e->path + e->rel, &full, &prefix))
            return QUARRY_ENOMEM;
        if (e->type == ENT_DIR) {
            if (!prefix)
                return QUARRY_OK;
            /* without "**" the pattern bounds the depth */
        } else if (!full) {
            return QUARRY_OK;
        }
    }
    skip = qi_skip_reason(base, w->include_hidden);
    if (skip) {
        w->matched++;
        return qi_items_push(w->env, w->items, QI_ITEM_SKIP, e->path, skip, 0,
                             NULL)
                   ? QUARRY_OK
                   : QUARRY_ENOMEM;
    }
    if (e->type == ENT_DIR)
        return list_dir(w, e->path, e->rel);
    w->matched++;
    if (e->type == ENT_OTHER)
        return qi_items_push(w->env, w->items, QI_ITEM_SKIP, e->path,
                             "unsupported", 0,
                             "not a regular file (directory links are not "
                             "followed)")
                   ? QUARRY_OK
                   : QUARRY_ENOMEM;
    return qi_items_push(w->env, w->items, QI_ITEM_FILE, e->path, NULL, 0, NULL)
               ? QUARRY_OK
               : QUARRY_ENOMEM;
}

static int run(walk *w, const char *root, size_t rel)
{
    int rc = list_dir(w, root, rel);
    while (w->depth > 0) {
        entry e = w->stack[--w->depth];
        if (rc == QUARRY_OK)
            rc = visit(w, &e);
        entry_free(w->env, &e);
    }
    return rc;
}

static void walk_free(walk *w)
{
    size_t i;
    for (i = 0; i < w->depth; i++)
        entry_free(w->env, &w->stack[i]);
    qi_free(w->env, w->stack, w->cap * sizeof *w->stack);
    qi_free(w->env, w->comps, w->comps_cap * sizeof *w->comps);
    if (w->states) {
        qi_free(w->env, w->states, (w->npat + 1) * sizeof *w->states);
        qi_free(w->env, w->next_states, (w->npat + 1) * sizeof *w->states);
    }
}

/* A directory walk driven step by step from quarry_reader_next, so that the
 * first documents come before the whole tree has been listed and memory
 * stays proportional to the open directories, not to the files. */
struct qi_walk {
    walk w;
    char *root; /* strlen + 1 bytes */
    bool started;
};

int qi_walk_open(quarry_env *env, const char *dir, int include_hidden,
                 qi_walk **out)
{
    qi_walk *wk = qi_calloc(env, 1, sizeof *wk);
    *out = NULL;
    if (!wk)
        return QUARRY_ENOMEM;
    wk->root = qi_strndup(env, dir, strlen(dir));
    if (!wk->root) {
        qi_free(env, wk, sizeof *wk);
        return QUARRY_ENOMEM;
    }
    wk->w.env = env;
    wk->w.include_hidden = include_hidden;
    *out = wk;
    return QUARRY_OK;
}

int qi_walk_step(qi_walk *wk, qi_items *items, bool *done)
{
    walk *w = &wk->w;
    size_t before = items->len;
    int rc = QUARRY_OK;
    w->items = items;
    if (!wk->started) {
        size_t len = strlen(wk->root);
        wk->started = true;
        rc = list_dir(w, wk->root, len + (len && wk->root[len - 1] != '/'));
    }
    while (rc == QUARRY_OK && w->depth > 0 && items->len == before) {
        entry e = w->stack[--w->depth];
        rc = visit(w, &e);
        entry_free(w->env, &e);
    }
    *done = w->depth == 0;
    return rc;
}

void qi_walk_free(qi_walk *wk)
{
    quarry_env *env;
    if (!wk)
        return;
    env = wk->w.env;
    walk_free(&wk->w);
    qi_free(env, wk->root, strlen(wk->root) + 1);
    qi_free(env, wk, sizeof *wk);
}

int qi_walk_glob(quarry_env *env, const char *pattern, int include_hidden,
                 qi_items *items, size_t *matched)
{
    walk w;
    int rc = QUARRY_OK;
    size_t plen = strlen(pattern), base_len = 0, i, npat = 0, patcap = 0;
    char *copy = qi_strndup(env, pattern, plen), *root = NULL;
    char *s;
    *matched = 0;
    memset(&w, 0, sizeof w);
    w.env = env;
    w.include_hidden = include_hidden;
    w.items = items;
    if (!copy)
        return QUARRY_ENOMEM;
    /* the literal prefix: whole components before the first wildcard */
    for (i = 0; i < plen; i++) {
        if (pattern[i] == '/')
            base_len = i + 1;
        else if (strchr("*?[", pattern[i]))
            break;
    }
    root = qi_strndup(env, pattern, base_len);
    if (!root) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    /* pattern components after the prefix (empty ones dropped) */
    s = copy + base_len;
    while (s && *s) {
        char *slash = strchr(s, '/');
        void *data = w.pat;
        if (slash)
            *slash = '\0';
        if (*s) {
            if (!qi_array_reserve(env, &data, &patcap, npat + 1,
                                  sizeof *w.pat)) {
                rc = QUARRY_ENOMEM;
                goto out;
            }
            w.pat = data;
            w.pat[npat++] = s;
            if (strcmp(s, "**") == 0)
                w.has_globstar = true;
        }
        s = slash ? slash + 1 : NULL;
    }
    w.npat = npat;
    w.states = qi_calloc(env, npat + 1, sizeof *w.states);
    w.next_states = qi_calloc(env, npat + 1, sizeof *w.states);
    if (!w.states || !w.next_states) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    if (npat == 0) {
        /* "dir/" with no wildcard after it cannot happen (qi_is_glob) */
        goto out;
    }
    {
        struct stat st;
        if (stat(root[0] ? root : ".", &st) == 0 && S_ISDIR(st.st_mode))
            rc = run(&w, root, base_len);
    }
out:
    *matched = w.matched;
    walk_free(&w);
    if (w.pat)
        qi_free(env, w.pat, patcap * sizeof *w.pat);
    if (root)
        qi_free(env, root, base_len + 1);
    qi_free(env, copy, plen + 1);
    return rc;
}
