/*
 * lquarry.c - luaopen_quarry_core: the entry point of the C module, the
 * module state that owns the env, and the class-definition helpers.
 */
#include "lquarry.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The env's allocator is Lua's own (lua_getallocf), as docs/design.md
 * decides: one allocator for the whole embedding. The state userdata is
 * created first, so its finalizer runs after those of all handles. */
static int state_gc(lua_State *L)
{
    lq_state *st = luaL_checkudata(L, 1, LQ_STATE_MT);
    if (st->env) {
        quarry_env_free(st->env);
        st->env = NULL;
    }
    return 0;
}

quarry_env *lq_env(lua_State *L)
{
    lq_state *st = lua_touserdata(L, LQ_STATE_UPVALUE);
    if (!st || !st->env)
        luaL_error(L, "quarry.core: module state is gone");
    return st->env;
}

void lq_set_funcs(lua_State *L, const luaL_Reg *funcs)
{
    luaL_checkstack(L, 2, NULL);
    lua_pushvalue(L, LQ_OPEN_STATE);
    luaL_setfuncs(L, funcs, 1);
}

void lq_define_class(lua_State *L, const char *mt, const char *short_name,
                     const luaL_Reg *meta, const luaL_Reg *methods)
{
    luaL_newmetatable(L, mt);
    lq_set_funcs(L, meta);
    lua_newtable(L);
    lq_set_funcs(L, methods);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__index");
    /* module._methods[short_name] = methods */
    lua_getfield(L, LQ_OPEN_MODULE, "_methods");
    lua_insert(L, -2);
    lua_setfield(L, -2, short_name);
    lua_pop(L, 2); /* _methods, metatable */
}

static const char *const status_names[] = {
    "ENOMEM",       "EINVAL",   "ENOENT",  "EIO",      "EPARSE",
    "EENCODING",    "ECORRUPT", "ESYNTAX", "EVERSION", "ELIMIT",
    "EUNSUPPORTED", "EBUSY",    NULL};

/* ---- module._sys: what the CLI needs from the OS and Lua lacks ---------- */

/* _sys.isatty(stream) -> boolean; stream: "stdin", "stdout", "stderr" or a
 * file descriptor number. */
static int sys_isatty(lua_State *L)
{
    int fd;
    if (lua_type(L, 1) == LUA_TSTRING) {
        const char *n = lua_tostring(L, 1);
        if (strcmp(n, "stdin") == 0)
            fd = fileno(stdin);
        else if (strcmp(n, "stdout") == 0)
            fd = fileno(stdout);
        else if (strcmp(n, "stderr") == 0)
            fd = fileno(stderr);
        else
            return luaL_argerror(L, 1, "stdin, stdout, stderr or a descriptor");
    } else {
        fd = (int)luaL_checkinteger(L, 1);
    }
    lua_pushboolean(L, isatty(fd) == 1);
    return 1;
}

/* _sys.clock() -> seconds of a monotonic clock (wall time, not CPU time) */
static int sys_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
    return 1;
}

/* _sys.path_kind(path) -> "file", "directory", "other" or nil (absent) */
static int sys_path_kind(lua_State *L)
{
    struct stat st;
    if (stat(luaL_checkstring(L, 1), &st) != 0)
        return 0;
    lua_pushstring(L, S_ISREG(st.st_mode)   ? "file"
                      : S_ISDIR(st.st_mode) ? "directory"
                                            : "other");
    return 1;
}

typedef struct du_acc {
    double bytes;
    lua_Integer files;
    int hidden;
} du_acc;

static void du_walk(const char *path, du_acc *acc, int depth)
{
    struct stat st;
    if (depth > 64 || stat(path, &st) != 0)
        return;
    if (S_ISREG(st.st_mode)) {
        acc->bytes += (double)st.st_size;
        acc->files++;
    } else if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        if (!d)
            return;
        while ((e = readdir(d)) != NULL) {
            char child[4096];
            if (e->d_name[0] == '.' &&
                (!acc->hidden || e->d_name[1] == 0 ||
                 (e->d_name[1] == '.' && e->d_name[2] == 0)))
                continue;
            if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) <
                (int)sizeof child)
                du_walk(child, acc, depth + 1);
        }
        closedir(d);
    }
}

/* _sys.disk_usage(specs [, hidden]) -> bytes, files: what the sources
 * hold on disk (directories walked, globs expanded; "**" counts as "*").
 * Approximate by design: it feeds the ETA of progress bars. */
static int sys_disk_usage(lua_State *L)
{
    du_acc acc = {0, 0, 0};
    lua_Integer i, n;
    luaL_checktype(L, 1, LUA_TTABLE);
    acc.hidden = lua_toboolean(L, 2);
    n = luaL_len(L, 1);
    for (i = 1; i <= n; i++) {
        const char *spec;
        lua_geti(L, 1, i);
        spec = lua_tostring(L, -1);
        if (spec && strcmp(spec, "-") != 0) {
            if (strpbrk(spec, "*?[")) {
                glob_t g;
                size_t k;
                memset(&g, 0, sizeof g);
                if (glob(spec, GLOB_NOSORT, NULL, &g) == 0)
                    for (k = 0; k < g.gl_pathc; k++)
                        du_walk(g.gl_pathv[k], &acc, 0);
                globfree(&g);
            } else {
                du_walk(spec, &acc, 0);
            }
        }
        lua_pop(L, 1);
    }
    lua_pushinteger(L, (lua_Integer)acc.bytes);
    lua_pushinteger(L, acc.files);
    return 2;
}

/* _sys.list_dir(path) -> array of the entry names of a directory (without
 * "." and ".."; unsorted), or nil, msg, code. Plugin discovery needs it. */
static int sys_list_dir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    struct dirent *e;
    lua_Integer n = 0;
    if (!d) {
        int err = errno;
        return lq_fail(
            L, err == ENOENT || err == ENOTDIR ? QUARRY_ENOENT : QUARRY_EIO,
            lua_pushfstring(L, "%s: %s", path, strerror(err)));
    }
    lua_newtable(L);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    return 1;
}

/* _sys.make_dirs(path) -> true | nil, msg, code: creates path and its
 * missing parents (mkdir -p), so a report can be written to reports/x. */
static int sys_make_dirs(lua_State *L)
{
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    char *buf = lua_newuserdatauv(L, len + 1, 0); /* collected, never leaked */
    size_t i;
    struct stat st;
    memcpy(buf, path, len + 1);
    for (i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            int err = errno;
            return lq_fail(
                L, err == ENOENT || err == ENOTDIR ? QUARRY_ENOENT : QUARRY_EIO,
                lua_pushfstring(L, "%s: %s", buf, strerror(err)));
        }
        buf[i] = path[i];
    }
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return lq_fail(L, QUARRY_EIO,
                       lua_pushfstring(L, "%s: not a directory", path));
    lua_pushboolean(L, 1);
    return 1;
}

void lq_open_sys(lua_State *L)
{
    static const luaL_Reg sys[] = {{"isatty", sys_isatty},
                                   {"clock", sys_clock},
                                   {"path_kind", sys_path_kind},
                                   {"disk_usage", sys_disk_usage},
                                   {"list_dir", sys_list_dir},
                                   {"make_dirs", sys_make_dirs},
                                   {NULL, NULL}};
    lua_newtable(L);
    lq_set_funcs(L, sys);
    lua_setfield(L, LQ_OPEN_MODULE, "_sys");
}

int luaopen_quarry_core(lua_State *L)
{
    lq_state *st;
    void *ud;
    lua_Alloc allocf;
    int i;

    luaL_checkversion(L);
    if (quarry_version_number() != QUARRY_VERSION_NUMBER)
        return luaL_error(L, "quarry.core: header %s but library %s",
                          QUARRY_VERSION_STRING, quarry_version());
    lua_settop(L, 0);

    /* 1: the state, closed until the env exists */
    st = lua_newuserdatauv(L, sizeof *st, 1);
    st->env = NULL;
    if (luaL_newmetatable(L, LQ_STATE_MT)) {
        lua_pushcfunction(L, state_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "quarry.State");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    allocf = lua_getallocf(L, &ud);
    if (quarry_env_new((quarry_alloc_fn)allocf, ud, &st->env) != QUARRY_OK)
        return luaL_error(L, "quarry.core: out of memory");
    /* user value 1: tokenizer cache, options key -> Tokenizer */
    lua_newtable(L);
    lua_setiuservalue(L, 1, 1);

    /* 2: the module table */
    lua_newtable(L);
    lua_pushstring(L, quarry_version());
    lua_setfield(L, LQ_OPEN_MODULE, "version");
    lua_pushinteger(L, quarry_version_number());
    lua_setfield(L, LQ_OPEN_MODULE, "version_number");
    lua_newtable(L);
    for (i = 0; status_names[i]; i++) {
        lua_pushstring(L, status_names[i]);
        lua_setfield(L, -2, status_names[i]);
    }
    lua_setfield(L, LQ_OPEN_MODULE, "errors");
    lua_newtable(L);
    lua_setfield(L, LQ_OPEN_MODULE, "_methods");

    lq_open_tokenize(L);
    lq_open_read(L);
    lq_open_summary(L);
    lq_open_index(L);
    lq_open_writer(L);
    lq_open_search(L);
    lq_open_grep(L);
    lq_open_dict(L);
    lq_open_stats(L);
    lq_open_analysis(L);
    lq_open_qanalysis(L);
    lq_open_dates(L);
    lq_open_yaml(L);
    lq_open_sys(L);

    lua_settop(L, LQ_OPEN_MODULE);
    return 1;
}
