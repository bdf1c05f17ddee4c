/*
 * lquarry_read.c - document sources: quarry.open_sources (the Sources
 * handle over a quarry_reader) and the light Document handle that keeps a
 * document in C, for consumers (the summary) that never need its text as a
 * Lua string.
 *
 * Per-file problems (skipped files, parse errors, warnings) are data, not
 * failures: Sources records each as an event table in its user value 2 and
 * calls opts.on_event (user value 3) if given. Only a source that does not
 * exist at all is a failure of open_sources (nil, msg, "ENOENT"), and only
 * when none of the given sources exists; otherwise the missing ones are
 * recorded as error events with reason "missing".
 */
#include "lquarry.h"

#include <string.h>

typedef struct lq_sources {
    quarry_reader *rd;
    lua_Integer documents; /* documents produced so far */
    int done;
} lq_sources;

typedef struct lq_document {
    quarry_doc *doc;
} lq_document;

/* user values of a Sources handle */
enum { UV_STATE = 1, UV_EVENTS, UV_ON_EVENT, UV_PIN, UV_NUV = UV_PIN };

/* ---- Document -------------------------------------------------------- */

static int document_gc(lua_State *L)
{
    lq_document *d = luaL_checkudata(L, 1, LQ_DOCUMENT_MT);
    if (d->doc) {
        quarry_doc_free(d->doc);
        d->doc = NULL;
    }
    return 0;
}

const quarry_doc *lq_check_document(lua_State *L, int idx)
{
    lq_document *d = luaL_checkudata(L, idx, LQ_DOCUMENT_MT);
    if (!d->doc)
        luaL_error(L, "attempt to use a closed quarry.Document");
    return d->doc;
}

static int document_tostring(lua_State *L)
{
    lq_document *d = luaL_checkudata(L, 1, LQ_DOCUMENT_MT);
    if (!d->doc)
        lua_pushliteral(L, "quarry.Document (closed)");
    else if (quarry_doc_record(d->doc))
        lua_pushfstring(L, "quarry.Document (%s #%d)",
                        quarry_doc_source(d->doc),
                        (int)quarry_doc_record(d->doc));
    else
        lua_pushfstring(L, "quarry.Document (%s)", quarry_doc_source(d->doc));
    return 1;
}

static int document_totable(lua_State *L)
{
    lq_push_doc_table(L, lq_check_document(L, 1));
    return 1;
}

static int document_source(lua_State *L)
{
    lua_pushstring(L, quarry_doc_source(lq_check_document(L, 1)));
    return 1;
}

static int document_record(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)quarry_doc_record(lq_check_document(L, 1)));
    return 1;
}

static int document_text(lua_State *L)
{
    size_t len = 0;
    const char *t = quarry_doc_text(lq_check_document(L, 1), &len);
    lua_pushlstring(L, t ? t : "", t ? len : 0);
    return 1;
}

static int document_field(lua_State *L)
{
    const quarry_doc *doc = lq_check_document(L, 1);
    const quarry_field *f = quarry_doc_find_field(doc, luaL_checkstring(L, 2));
    if (!f)
        return 0;
    lq_push_field_value(L, f);
    lua_pushstring(L, lq_field_type_name(f->type));
    return 2;
}

/* ---- Sources ---------------------------------------------------------- */

static int sources_gc(lua_State *L)
{
    lq_sources *s = luaL_checkudata(L, 1, LQ_SOURCES_MT);
    if (s->rd) {
        quarry_reader_free(s->rd);
        s->rd = NULL;
    }
    return 0;
}

static lq_sources *check_sources(lua_State *L, int idx)
{
    lq_sources *s = luaL_checkudata(L, idx, LQ_SOURCES_MT);
    if (!s->rd)
        luaL_error(L, "attempt to use a closed quarry.Sources");
    return s;
}

static int sources_tostring(lua_State *L)
{
    lq_sources *s = luaL_checkudata(L, 1, LQ_SOURCES_MT);
    if (!s->rd)
        lua_pushliteral(L, "quarry.Sources (closed)");
    else
        lua_pushfstring(L, "quarry.Sources (%p)", (void *)s);
    return 1;
}

static const char *const event_kinds[] = {"", "document", "skipped", "error",
                                          "warning"};

/* Records an event table (on top of the stack; popped) on the Sources at
 * idx and hands it to on_event. */
static void record_event(lua_State *L, int idx)
{
    int ev = lua_gettop(L);
    lua_getiuservalue(L, idx, UV_EVENTS);
    lua_pushvalue(L, ev);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 1);
    if (lua_getiuservalue(L, idx, UV_ON_EVENT) == LUA_TFUNCTION) {
        /* No core resource is held here: the reader is between calls and
         * the event is a Lua table, so an error in the callback simply
         * propagates. */
        lua_pushvalue(L, ev);
        lua_call(L, 1, 0);
    } else {
        lua_pop(L, 1);
    }
    lua_settop(L, ev - 1);
}

static void push_event(lua_State *L, const quarry_read_event *e)
{
    lua_createtable(L, 0, 9);
    lua_pushstring(L, e->kind >= 1 && e->kind <= 4 ? event_kinds[e->kind]
                                                   : "unknown");
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, e->path ? e->path : "");
    lua_setfield(L, -2, "path");
    lua_pushstring(L, e->reason ? e->reason : "");
    lua_setfield(L, -2, "reason");
    lua_pushstring(L, e->message ? e->message : "");
    lua_setfield(L, -2, "message");
    if (e->record) {
        lua_pushinteger(L, (lua_Integer)e->record);
        lua_setfield(L, -2, "record");
    }
    if (e->line) {
        lua_pushinteger(L, (lua_Integer)e->line);
        lua_setfield(L, -2, "line");
    }
    if (e->column) {
        lua_pushinteger(L, (lua_Integer)e->column);
        lua_setfield(L, -2, "column");
    }
    if (e->kind == QUARRY_EVENT_ERROR && e->status < 0) {
        lua_pushstring(L, quarry_status_name(e->status));
        lua_setfield(L, -2, "code");
    }
}

int lq_sources_next_document(lua_State *L, int idx)
{
    lq_sources *s = check_sources(L, idx);
    quarry_read_event ev;
    int rc;

    if (s->done)
        return 0;
    for (;;) {
        lq_document *d;
        memset(&ev, 0, sizeof ev);
        /* The Document that will own the result exists before the call,
         * so a memory error while handing it over cannot leak it. */
        d = lq_new_handle(L, sizeof *d, 1, LQ_DOCUMENT_MT);
        rc = quarry_reader_next(s->rd, &ev);
        if (rc == QUARRY_DONE) {
            lua_pop(L, 1);
            s->done = 1;
            return 0;
        }
        if (rc != QUARRY_OK) {
            lua_pop(L, 1);
            return luaL_error(L, "quarry: reading sources failed: %s (%s)",
                              quarry_reader_errmsg(s->rd),
                              quarry_status_name(rc));
        }
        if (ev.kind == QUARRY_EVENT_DOCUMENT && ev.doc) {
            d->doc = ev.doc;
            s->documents++;
            return 1;
        }
        lua_pop(L, 1);
        push_event(L, &ev);
        record_event(L, idx);
    }
}

/* Frees the document of the Document at idx now rather than at the next
 * collection: sources:next() converts it to a table and is done with it. */
static void free_doc_at(lua_State *L, int idx)
{
    lq_document *d = luaL_checkudata(L, idx, LQ_DOCUMENT_MT);
    if (d->doc) {
        quarry_doc_free(d->doc);
        d->doc = NULL;
    }
}

/* sources:next() -> document table | nil at the end */
static int sources_next(lua_State *L)
{
    lua_settop(L, 1);
    if (!lq_sources_next_document(L, 1))
        return 0;
    lq_push_doc_table(L, lq_check_document(L, 2));
    free_doc_at(L, 2);
    return 1;
}

/* sources:next_document() -> Document | nil at the end */
static int sources_next_document(lua_State *L)
{
    lua_settop(L, 1);
    return lq_sources_next_document(L, 1);
}

/* sources:events([kind]) -> array of event tables (a fresh array) */
static int sources_events(lua_State *L)
{
    lua_Integer i, n, k = 0;
    const char *kind;
    luaL_checkudata(L, 1, LQ_SOURCES_MT); /* readable after close too */
    kind = luaL_optstring(L, 2, NULL);
    lua_settop(L, 2);
    lua_getiuservalue(L, 1, UV_EVENTS);
    n = (lua_Integer)lua_rawlen(L, 3);
    lua_createtable(L, (int)n, 0);
    for (i = 1; i <= n; i++) {
        lua_rawgeti(L, 3, i);
        if (kind) {
            lua_getfield(L, -1, "kind");
            if (strcmp(lua_tostring(L, -1), kind) != 0) {
                lua_pop(L, 2);
                continue;
            }
            lua_pop(L, 1);
        }
        lua_rawseti(L, 4, ++k);
    }
    return 1;
}

/* sources:count() -> number of documents produced so far */
static int sources_count(lua_State *L)
{
    lq_sources *s = luaL_checkudata(L, 1, LQ_SOURCES_MT);
    lua_pushinteger(L, s->documents);
    return 1;
}

static int sources_close(lua_State *L)
{
    return sources_gc(L);
}

static const char *const read_opts[] = {
    "format", "text_field",    "name_pattern", "fields", "sidecar",
    "hidden", "csv_delimiter", "on_event",     NULL};

/* Fills ro from the opts table at idx. Strings point into the opts table
 * or into the pin table at pin (for the "name=type" strings), both of which
 * the Sources keeps as user values, so they outlive the reader even if it
 * kept pointers rather than copies. */
static void read_options(lua_State *L, int idx, int pin,
                         quarry_read_options *ro)
{
    memset(ro, 0, sizeof *ro);
    if (!lq_opt_table(L, idx))
        return;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int i, ok = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            for (i = 0; read_opts[i]; i++)
                if (strcmp(lua_tostring(L, -2), read_opts[i]) == 0)
                    ok = 1;
        if (!ok) {
            lua_pushvalue(L, -2);
            luaL_error(L, "unknown read option '%s'",
                       luaL_tolstring(L, -1, NULL));
        }
        lua_pop(L, 1);
    }
    ro->format = lq_opt_string(L, idx, "format");
    ro->text_field = lq_opt_string(L, idx, "text_field");
    ro->name_pattern = lq_opt_string(L, idx, "name_pattern");
    ro->no_sidecar = !lq_opt_bool(L, idx, "sidecar", 1);
    ro->include_hidden = lq_opt_bool(L, idx, "hidden", 0);
    {
        const char *d = lq_opt_string(L, idx, "csv_delimiter");
        if (d) {
            if (strlen(d) != 1)
                luaL_error(L, "option 'csv_delimiter' must be one character");
            ro->csv_delimiter = d[0];
        }
    }
    lua_getfield(L, idx, "fields");
    if (!lua_isnil(L, -1)) {
        int ft = lua_gettop(L);
        size_t n = 0, k = 0;
        const char **arr;
        if (!lua_istable(L, ft))
            luaL_error(L, "option 'fields' must be a table name -> type");
        lua_pushnil(L);
        while (lua_next(L, ft)) {
            n++;
            lua_pop(L, 1);
        }
        arr = lua_newuserdatauv(L, (n ? n : 1) * sizeof *arr, 0);
        lua_setfield(L, pin, "field_types");
        lua_createtable(L, (int)n, 0);
        lua_pushvalue(L, -1);
        lua_setfield(L, pin, "field_strings");
        lua_pushnil(L);
        while (lua_next(L, ft)) {
            if (lua_type(L, -2) != LUA_TSTRING ||
                lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "option 'fields' must map names to type names");
            lua_pushfstring(L, "%s=%s", lua_tostring(L, -2),
                            lua_tostring(L, -1));
            arr[k] = lua_tostring(L, -1);
            lua_rawseti(L, -4, (lua_Integer)++k);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        ro->field_types = arr;
        ro->field_type_count = n;
    }
    lua_pop(L, 1);
}

/* quarry.open_sources(sources [, opts]) -> Sources | nil, msg, code */
static int l_open_sources(lua_State *L)
{
    quarry_read_options ro;
    lq_sources *s;
    lua_Integer i, n, missing = 0;
    int rc, src = 1, opts = 2, pin, ud;

    if (lua_type(L, 1) == LUA_TSTRING) {
        lua_createtable(L, 1, 0);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 1);
        lua_replace(L, 1);
    } else if (!lua_istable(L, 1)) {
        return luaL_typeerror(L, 1, "string or array of strings");
    }
    n = (lua_Integer)luaL_len(L, src);
    if (n == 0)
        return luaL_argerror(L, 1, "no sources given");
    for (i = 1; i <= n; i++) {
        if (lua_geti(L, src, i) != LUA_TSTRING)
            return luaL_argerror(L, 1, "sources must be strings");
        lua_pop(L, 1);
    }
    lq_opt_table(L, opts);
    lua_settop(L, 2);

    s = lq_new_handle(L, sizeof *s, UV_NUV, LQ_SOURCES_MT);
    ud = lua_gettop(L);
    lua_newtable(L);
    lua_setiuservalue(L, ud, UV_EVENTS);
    lua_newtable(L);
    pin = lua_gettop(L);
    lua_pushvalue(L, opts);
    lua_setfield(L, pin, "opts");
    lua_pushvalue(L, pin);
    lua_setiuservalue(L, ud, UV_PIN);
    if (lq_opt_table(L, opts)) {
        lua_getfield(L, opts, "on_event");
        if (!lua_isnil(L, -1) && !lua_isfunction(L, -1))
            return luaL_error(L, "option 'on_event' must be a function");
        lua_setiuservalue(L, ud, UV_ON_EVENT);
    }
    read_options(L, opts, pin, &ro);

    rc = quarry_reader_new(lq_env(L), &ro, &s->rd);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    for (i = 1; i <= n; i++) {
        const char *spec;
        lua_geti(L, src, i);
        spec = lua_tostring(L, -1);
        rc = quarry_reader_add(s->rd, spec);
        if (rc == QUARRY_ENOENT) {
            missing++;
            lua_createtable(L, 0, 5);
            lua_pushliteral(L, "error");
            lua_setfield(L, -2, "kind");
            lua_pushvalue(L, -2);
            lua_setfield(L, -2, "path");
            lua_pushliteral(L, "missing");
            lua_setfield(L, -2, "reason");
            lua_pushstring(L, quarry_reader_errmsg(s->rd));
            lua_setfield(L, -2, "message");
            lua_pushliteral(L, "ENOENT");
            lua_setfield(L, -2, "code");
            if (missing == n) {
                /* nothing to read at all: an environment failure */
                if (n == 1)
                    lua_getfield(L, -1, "message");
                else
                    lua_pushfstring(L, "none of the %d sources exists", (int)n);
                quarry_reader_free(s->rd);
                s->rd = NULL;
                return lq_fail(L, QUARRY_ENOENT, lua_tostring(L, -1));
            }
            record_event(L, ud);
        } else if (rc != QUARRY_OK) {
            lua_pushstring(L, quarry_reader_errmsg(s->rd));
            quarry_reader_free(s->rd);
            s->rd = NULL;
            return lq_fail(L, rc, lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
    lua_settop(L, ud);
    return 1;
}

/* sources:each() -> iterator, sources: `for doc in sources:each() do`.
 * The Sources is not the closing value: the caller usually wants its
 * events after the loop, so closing is left to it (or to <close>). */
static int sources_each(lua_State *L)
{
    check_sources(L, 1);
    lua_getfield(L, 1, "next");
    lua_pushvalue(L, 1);
    return 2;
}

static const luaL_Reg document_meta[] = {{"__gc", document_gc},
                                         {"__close", document_gc},
                                         {"__tostring", document_tostring},
                                         {NULL, NULL}};
static const luaL_Reg document_methods[] = {{"totable", document_totable},
                                            {"source", document_source},
                                            {"record", document_record},
                                            {"text", document_text},
                                            {"field", document_field},
                                            {"close", document_gc},
                                            {NULL, NULL}};

static const luaL_Reg sources_meta[] = {{"__gc", sources_gc},
                                        {"__close", sources_gc},
                                        {"__tostring", sources_tostring},
                                        {NULL, NULL}};
static const luaL_Reg sources_methods[] = {
    {"next", sources_next},
    {"next_document", sources_next_document},
    {"each", sources_each},
    {"events", sources_events},
    {"count", sources_count},
    {"close", sources_close},
    {NULL, NULL}};

static const luaL_Reg funcs[] = {{"open_sources", l_open_sources},
                                 {NULL, NULL}};

void lq_open_read(lua_State *L)
{
    lq_define_class(L, LQ_DOCUMENT_MT, "Document", document_meta,
                    document_methods);
    lq_define_class(L, LQ_SOURCES_MT, "Sources", sources_meta, sources_methods);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, funcs);
    lua_pop(L, 1);
}
