/*
 * lquarry_grep.c - quarry.regex (the Regex handle over quarry_regex) and
 * quarry.grep, the raw scan of files, directories or an index's stored
 * texts (quarry_grep_files, quarry_grep_index).
 *
 * Byte positions cross the boundary 1-based inclusive, as string.find
 * reports them (an empty match at byte p is p, p - 1). Directories are
 * walked here, in name order, without hidden entries and without following
 * symbolic links to directories: the core scans a list of files. Hits reach
 * Lua on the calling thread; a Lua callback runs under lua_pcall so that an
 * error in it never unwinds through the core's scan.
 */
#include "lquarry.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LQ_REGEX_MT "quarry.Regex"
#define LQ_GREPFILTER_MT "quarry.GrepFilter"

/* Deepest directory nesting walked. */
#define WALK_MAX_DEPTH 64

typedef struct lq_regex {
    quarry_regex *re;
} lq_regex;

enum { RE_UV_STATE = 1, RE_NUV = 1 };

/* ---- Regex ------------------------------------------------------------- */

static int regex_gc(lua_State *L)
{
    lq_regex *u = luaL_checkudata(L, 1, LQ_REGEX_MT);
    quarry_regex_free(u->re);
    u->re = NULL;
    return 0;
}

static int regex_tostring(lua_State *L)
{
    lq_regex *u = luaL_checkudata(L, 1, LQ_REGEX_MT);
    lua_pushstring(L, u->re ? "quarry.Regex" : "quarry.Regex (closed)");
    return 1;
}

static quarry_regex *check_regex(lua_State *L, int idx)
{
    lq_regex *u = luaL_checkudata(L, idx, LQ_REGEX_MT);
    if (!u->re)
        luaL_argerror(L, idx, "the regex is closed");
    return u->re;
}

/* Reads a flags string ("i", "is", "F", "w", "x"); raises on others. */
static unsigned parse_flags(lua_State *L, const char *s)
{
    unsigned flags = 0;
    for (; s && *s; s++) {
        switch (*s) {
        case 'i': flags |= QUARRY_RE_CASELESS; break;
        case 's': flags |= QUARRY_RE_DOTALL; break;
        case 'x': flags |= QUARRY_RE_EXTENDED; break;
        case 'w': flags |= QUARRY_RE_WORD; break;
        case 'F': flags |= QUARRY_RE_LITERAL; break;
        default:
            luaL_error(L, "unknown regex flag '%c' (use i, s, x, w or F)", *s);
        }
    }
    return flags;
}

/* Compiles pattern with flags into a new Regex pushed on the stack; on a
 * failure pushes nothing and returns the status (message on the env,
 * *pos the 0-based offset of a syntax error). */
static int push_regex(lua_State *L, const char *pattern, size_t len,
                      unsigned flags, size_t *pos)
{
    lq_regex *u = lq_new_handle(L, sizeof *u, RE_NUV, LQ_REGEX_MT);
    int rc = quarry_regex_compile(lq_env(L), pattern, len, flags, &u->re, pos);
    if (rc != QUARRY_OK)
        lua_pop(L, 1);
    return rc;
}

/* Pushes nil, message, code (and the 1-based position of a syntax error). */
static int regex_fail(lua_State *L, int rc, size_t pos)
{
    int n = lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    if (rc == QUARRY_ESYNTAX) {
        lua_pushinteger(L, (lua_Integer)pos + 1);
        n++;
    }
    return n;
}

/* quarry.regex(pattern [, flags]) -> Regex | nil, msg, "ESYNTAX", position */
static int l_regex(lua_State *L)
{
    size_t len, pos = 0;
    const char *pattern = luaL_checklstring(L, 1, &len);
    unsigned flags = parse_flags(L, luaL_optstring(L, 2, ""));
    int rc = push_regex(L, pattern, len, flags, &pos);
    return rc == QUARRY_OK ? 1 : regex_fail(L, rc, pos);
}

/* The 0-based start of a 1-based init that may count from the end (as in
 * string.find); returns 0 and sets *ok = 0 past the end. */
static size_t start_offset(lua_State *L, int idx, size_t len, int *ok)
{
    lua_Integer init = luaL_optinteger(L, idx, 1);
    *ok = 1;
    if (init < 0)
        init = (lua_Integer)len + init + 1;
    if (init < 1)
        init = 1;
    if ((size_t)init > len + 1) {
        *ok = 0;
        return 0;
    }
    return (size_t)init - 1;
}

/* re:find(text [, init]) -> start, end | nil | nil, msg, code */
static int regex_find(lua_State *L)
{
    quarry_regex *re = check_regex(L, 1);
    size_t len, s, e;
    const char *text = luaL_checklstring(L, 2, &len);
    int ok, rc;
    size_t from = start_offset(L, 3, len, &ok);
    if (!ok) {
        luaL_pushfail(L);
        return 1;
    }
    rc = quarry_regex_next(re, text, len, from, &s, &e);
    if (rc == QUARRY_DONE) {
        luaL_pushfail(L);
        return 1;
    }
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_regex_errmsg(re));
    lua_pushinteger(L, (lua_Integer)s + 1);
    lua_pushinteger(L, (lua_Integer)e);
    return 2;
}

/* Upvalues of the gmatch iterator: the Regex, the text, the next offset and
 * the end of the previous match (-1 before the first). */
static int gmatch_step(lua_State *L)
{
    quarry_regex *re = check_regex(L, lua_upvalueindex(1));
    size_t len, s, e;
    const char *text = lua_tolstring(L, lua_upvalueindex(2), &len);
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));
    lua_Integer prev = lua_tointeger(L, lua_upvalueindex(4));
    for (;;) {
        int rc;
        if (pos < 0 || (size_t)pos > len)
            return 0;
        rc = quarry_regex_next(re, text, len, (size_t)pos, &s, &e);
        if (rc == QUARRY_DONE) {
            lua_pushinteger(L, -1);
            lua_replace(L, lua_upvalueindex(3));
            return 0;
        }
        if (rc != QUARRY_OK)
            return luaL_error(L, "%s (%s)", quarry_regex_errmsg(re),
                              quarry_status_name(rc));
        /* as Lua's gmatch: no empty match where the previous one ended */
        if (s == e && (lua_Integer)s == prev) {
            pos = (lua_Integer)s + 1;
            continue;
        }
        break;
    }
    lua_pushinteger(L, (lua_Integer)(e > s ? e : s + 1));
    lua_replace(L, lua_upvalueindex(3));
    lua_pushinteger(L, (lua_Integer)e);
    lua_replace(L, lua_upvalueindex(4));
    lua_pushinteger(L, (lua_Integer)s + 1);
    lua_pushinteger(L, (lua_Integer)e);
    return 2;
}

/* re:gmatch(text [, init]) -> iterator of start, end */
static int regex_gmatch(lua_State *L)
{
    size_t len;
    int ok;
    size_t from;
    check_regex(L, 1);
    luaL_checklstring(L, 2, &len);
    from = start_offset(L, 3, len, &ok);
    lua_settop(L, 2);
    lua_pushinteger(L, ok ? (lua_Integer)from : -1);
    lua_pushinteger(L, -1);
    lua_pushcclosure(L, gmatch_step, 4);
    return 1;
}

/* ---- sources: files and walked directories --------------------------- */

typedef struct walk_entry {
    const char *name;   /* anchored in the walk's table of names */
    unsigned char type; /* d_type: DT_UNKNOWN makes the walk stat it */
} walk_entry;

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const walk_entry *)a)->name, ((const walk_entry *)b)->name);
}

/* Appends the files under dir (name order, hidden entries skipped,
 * symbolic links to directories not followed) to the table at list. */
static void walk(lua_State *L, const char *dir, int list, int depth)
{
    DIR *d;
    struct dirent *de;
    walk_entry *entries;
    size_t n = 0, i, cap = 0;
    int names_table;
    if (depth > WALK_MAX_DEPTH)
        return;
    luaL_checkstack(L, 8, "directory walk");
    d = opendir(dir);
    if (!d) {
        /* the scan reports the error with the path */
        lua_pushstring(L, dir);
        lua_rawseti(L, list, (lua_Integer)luaL_len(L, list) + 1);
        return;
    }
    lua_newtable(L);
    names_table = lua_gettop(L);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        lua_pushstring(L, de->d_name);
        lua_rawseti(L, names_table, (lua_Integer)++n);
        lua_pushinteger(L, de->d_type);
        lua_rawseti(L, names_table, -(lua_Integer)n);
    }
    closedir(d);
    cap = n ? n : 1;
    entries = lua_newuserdatauv(L, cap * sizeof *entries, 0);
    for (i = 0; i < n; i++) {
        lua_rawgeti(L, names_table, (lua_Integer)i + 1);
        entries[i].name = lua_tostring(L, -1);
        lua_rawgeti(L, names_table, -(lua_Integer)i - 1);
        entries[i].type = (unsigned char)lua_tointeger(L, -1);
        lua_pop(L, 2);
    }
    qsort(entries, n, sizeof *entries, compare_entries);
    for (i = 0; i < n; i++) {
        struct stat st;
        const char *child;
        size_t dl = strlen(dir);
        lua_pushstring(L, dir);
        lua_pushstring(L, dl && dir[dl - 1] != '/' ? "/" : "");
        lua_pushstring(L, entries[i].name);
        lua_concat(L, 3);
        child = lua_tostring(L, -1);
        if (entries[i].type == DT_REG) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, list, (lua_Integer)luaL_len(L, list) + 1);
        } else if (entries[i].type == DT_DIR) {
            walk(L, child, list, depth + 1);
        } else if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(L, child, list, depth + 1);
        } else if (stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, list, (lua_Integer)luaL_len(L, list) + 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 2); /* entries, names_table */
}

/* Pushes the list of files of the sources at idx (a path or an array of
 * paths; directories walked); *walked is set when a directory was. */
static void push_file_list(lua_State *L, int idx, int *walked)
{
    int list, n, i;
    lua_newtable(L);
    list = lua_gettop(L);
    *walked = 0;
    n = lua_type(L, idx) == LUA_TSTRING ? 1 : (int)luaL_len(L, idx);
    for (i = 1; i <= n; i++) {
        struct stat st;
        const char *path;
        if (lua_type(L, idx) == LUA_TSTRING)
            lua_pushvalue(L, idx);
        else
            lua_geti(L, idx, i);
        path = lua_tostring(L, -1);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "sources[%d] must be a path string, got %s", i,
                       luaL_typename(L, -1));
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(L, path, list, 0);
            *walked = 1;
        } else {
            lua_pushvalue(L, -1);
            lua_rawseti(L, list, (lua_Integer)luaL_len(L, list) + 1);
        }
        lua_pop(L, 1);
    }
}

/* ---- quarry.grep ------------------------------------------------------ */

typedef struct grep_ctx {
    lua_State *L;
    int paths;   /* stack index of the file list (file scans) or 0 */
    int results; /* stack index of the result array */
    int each;    /* stack index of the callback or 0 */
    quarry_index *ix;
    lua_Integer limit; /* 0: none */
    lua_Integer n;
    int failed; /* the callback raised: its error is on the stack top */
} grep_ctx;

static void set_int(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

/* Pushes the record of hit h. */
static void push_hit(grep_ctx *c, const quarry_grep_hit *h)
{
    lua_State *L = c->L;
    size_t off = (size_t)(h->start - h->line_start);
    size_t mlen = (size_t)(h->end - h->start);
    lua_createtable(L, 0, 10);
    /* the text first: for index scans it is borrowed until the next call on
     * the index */
    if (off > h->line_len)
        off = h->line_len;
    if (mlen > h->line_len - off)
        mlen = h->line_len - off; /* under dotall, clipped to its first line */
    lua_pushlstring(L, h->line_text + off, mlen);
    lua_setfield(L, -2, "text");
    lua_pushlstring(L, h->line_text, h->line_len);
    lua_setfield(L, -2, "line_text");
    set_int(L, "start", (lua_Integer)h->start + 1);
    set_int(L, "end", (lua_Integer)h->end);
    set_int(L, "line", (lua_Integer)h->line);
    set_int(L, "line_start", (lua_Integer)h->line_start + 1);
    if (c->ix) {
        quarry_index_doc d;
        set_int(L, "doc", (lua_Integer)h->doc + 1);
        set_int(L, "first", (lua_Integer)h->first + 1);
        set_int(L, "last", (lua_Integer)h->end_token);
        if (quarry_index_doc_get(c->ix, h->doc, &d) == QUARRY_OK) {
            lua_pushstring(L, d.source);
            lua_setfield(L, -2, "source");
        }
    } else {
        lua_rawgeti(L, c->paths, (lua_Integer)h->source + 1);
        lua_setfield(L, -2, "source");
    }
}

static int on_hit(void *ud, const quarry_grep_hit *h)
{
    grep_ctx *c = ud;
    lua_State *L = c->L;
    if (!lua_checkstack(L, 8)) {
        lua_pushstring(L, "quarry.grep: Lua stack overflow");
        c->failed = 1;
        return 1;
    }
    push_hit(c, h);
    c->n++;
    if (c->each) {
        int stop;
        lua_pushvalue(L, c->each);
        lua_insert(L, -2);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
            c->failed = 1;
            return 1;
        }
        /* an explicit false stops; nothing (or anything else) goes on */
        stop = lua_isboolean(L, -1) && !lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (stop)
            return 1;
    } else {
        lua_rawseti(L, c->results, (lua_Integer)c->n);
    }
    return c->limit > 0 && c->n >= c->limit;
}

static int filter_gc(lua_State *L)
{
    quarry_filter **f = luaL_checkudata(L, 1, LQ_GREPFILTER_MT);
    quarry_filter_free(*f);
    *f = NULL;
    return 0;
}

static const char *const grep_opts[] = {"flags",  "limit",      "count",
                                        "filter", "threads",    "binary",
                                        "each",   "keep_going", NULL};

static void check_grep_opts(lua_State *L, int idx)
{
    if (!lq_opt_table(L, idx))
        return;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int i, ok = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            for (i = 0; grep_opts[i]; i++)
                if (strcmp(lua_tostring(L, -2), grep_opts[i]) == 0)
                    ok = 1;
        if (!ok) {
            lua_pushvalue(L, -2);
            luaL_error(L, "unknown grep option '%s'",
                       luaL_tolstring(L, -1, NULL));
        }
        lua_pop(L, 1);
    }
}

static lua_Integer opt_count(lua_State *L, int idx, const char *key)
{
    lua_Integer v = 0;
    if (!lq_opt_table(L, idx))
        return 0;
    lua_getfield(L, idx, key);
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
            luaL_error(L, "option '%s' must be a non-negative integer", key);
        v = lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

static int push_result(lua_State *L, const grep_ctx *c,
                       const quarry_grep_counts *k, int count_only,
                       int counted_in_core);

/* quarry.grep(pattern_or_regex, sources [, opts]) -> hits | counts
 *   | nil, msg, code */
static int l_grep(lua_State *L)
{
    quarry_env *env = lq_env(L);
    quarry_regex *re;
    quarry_grep_options o;
    quarry_grep_counts k;
    grep_ctx c;
    int rc, count_only, keep_going, nret;
    const char *filter_text;

    lua_settop(L, 3);
    check_grep_opts(L, 3);
    memset(&o, 0, sizeof o);
    memset(&c, 0, sizeof c);
    c.L = L;
    if (lua_type(L, 1) == LUA_TSTRING) {
        size_t len, pos = 0;
        const char *p = lua_tolstring(L, 1, &len);
        unsigned flags = parse_flags(L, lq_opt_string(L, 3, "flags"));
        rc = push_regex(L, p, len, flags, &pos);
        if (rc != QUARRY_OK)
            return regex_fail(L, rc, pos);
        lua_replace(L, 1);
    } else if (lq_opt_string(L, 3, "flags")) {
        return luaL_error(L, "option 'flags' goes with a pattern string, not "
                             "a Regex");
    }
    re = check_regex(L, 1);
    count_only = lq_opt_bool(L, 3, "count", 0);
    keep_going = lq_opt_bool(L, 3, "keep_going", 0);
    o.count_only = count_only;
    o.threads = (unsigned)opt_count(L, 3, "threads");
    o.skip_binary = !lq_opt_bool(L, 3, "binary", 0);
    c.limit = opt_count(L, 3, "limit");
    if (lq_opt_table(L, 3)) {
        lua_getfield(L, 3, "each");
        if (!lua_isnil(L, -1)) {
            luaL_checktype(L, -1, LUA_TFUNCTION);
            c.each = lua_gettop(L);
        } else {
            lua_pop(L, 1);
        }
    }
    /* a limit or a callback needs the hits, even for counting */
    if (count_only && (c.limit > 0 || c.each))
        o.count_only = 0;
    lua_newtable(L);
    c.results = lua_gettop(L);
    filter_text = lq_opt_string(L, 3, "filter");

    if (luaL_testudata(L, 2, LQ_INDEX_MT)) {
        quarry_filter **slot;
        c.ix = lq_check_index(L, 2);
        slot = lua_newuserdatauv(L, sizeof *slot, 0);
        *slot = NULL;
        luaL_setmetatable(L, LQ_GREPFILTER_MT);
        if (filter_text) {
            size_t pos = 0;
            rc = quarry_filter_compile(env, filter_text, strlen(filter_text),
                                       slot, &pos);
            if (rc != QUARRY_OK)
                return regex_fail(L, rc, pos);
        }
        rc = quarry_grep_index(c.ix, re, *slot, &o, on_hit, &c, &k);
        if (rc != QUARRY_OK && !c.failed)
            return lq_fail(L, rc, quarry_index_errmsg(c.ix));
    } else {
        const char **paths;
        size_t n, i;
        int walked;
        if (filter_text)
            return luaL_error(L, "option 'filter' needs an Index source");
        if (lua_type(L, 2) != LUA_TSTRING && lua_type(L, 2) != LUA_TTABLE)
            return luaL_typeerror(L, 2, "path, array of paths or Index");
        push_file_list(L, 2, &walked);
        c.paths = lua_gettop(L);
        n = (size_t)luaL_len(L, c.paths);
        paths = lua_newuserdatauv(L, (n ? n : 1) * sizeof *paths, 0);
        for (i = 0; i < n; i++) {
            lua_rawgeti(L, c.paths, (lua_Integer)i + 1);
            paths[i] = lua_tostring(L, -1); /* anchored in the list */
            lua_pop(L, 1);
        }
        rc = quarry_grep_files(env, re, paths, n, &o, on_hit, &c, &k);
        if (rc != QUARRY_OK && !c.failed &&
            !(keep_going && (rc == QUARRY_ENOENT || rc == QUARRY_EIO)))
            return lq_fail(L, rc, quarry_env_errmsg(env));
    }
    if (c.failed)
        return lua_error(L);
    nret = push_result(L, &c, &k, count_only, o.count_only);
    if (rc != QUARRY_OK) {
        /* keep_going: the result, then what could not be read */
        lua_pushstring(L, quarry_env_errmsg(env));
        lua_pushstring(L, quarry_status_name(rc));
        nret += 2;
    }
    return nret;
}

/* Pushes what quarry.grep returns: the counts or the hits. */
static int push_result(lua_State *L, const grep_ctx *c,
                       const quarry_grep_counts *k, int count_only,
                       int counted_in_core)
{
    if (count_only || c->each) {
        lua_createtable(L, 0, 3);
        set_int(L, "hits",
                counted_in_core ? (lua_Integer)k->hits : (lua_Integer)c->n);
        set_int(L, "files", (lua_Integer)k->files);
        set_int(L, "bytes", (lua_Integer)k->bytes);
        return 1;
    }
    lua_pushvalue(L, c->results);
    return 1;
}

/* quarry._grep_files(sources) -> array of the files a scan of sources
 * reads (directories walked), for the CLI's per-file reports */
static int l_grep_files(lua_State *L)
{
    int walked;
    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_checktype(L, 1, LUA_TTABLE);
    push_file_list(L, 1, &walked);
    lua_pushboolean(L, walked);
    return 2;
}

static const luaL_Reg regex_meta[] = {{"__gc", regex_gc},
                                      {"__close", regex_gc},
                                      {"__tostring", regex_tostring},
                                      {NULL, NULL}};
static const luaL_Reg regex_methods[] = {{"find", regex_find},
                                         {"gmatch", regex_gmatch},
                                         {"close", regex_gc},
                                         {NULL, NULL}};
static const luaL_Reg funcs[] = {{"regex", l_regex},
                                 {"grep", l_grep},
                                 {"_grep_files", l_grep_files},
                                 {NULL, NULL}};

void lq_open_grep(lua_State *L)
{
    lq_define_class(L, LQ_REGEX_MT, "Regex", regex_meta, regex_methods);
    luaL_newmetatable(L, LQ_GREPFILTER_MT);
    lua_pushcfunction(L, filter_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, funcs);
    lua_pop(L, 1);
}
