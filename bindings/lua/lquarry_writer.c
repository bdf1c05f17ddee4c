/*
 * lquarry_writer.c - quarry.writer: the Writer handle over quarry_writer,
 * so tools that embed quarry index their own data without the CLI.
 *
 * writer:add takes a Document handle (its document moves into the writer
 * and the handle is closed) or a plain table {source=, record=, text=,
 * fields=, types=} built into a document with quarry_doc_new. Closing the
 * writer (close, <close> or the collector) discards what was not committed
 * and releases the index lock.
 */
#include "lquarry.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct lq_writer {
    quarry_writer *w;
} lq_writer;

/* The layout of a Document userdata (lquarry_read.c): its only member is
 * the owned document pointer, NULL once closed. */
typedef struct lq_document_layout {
    quarry_doc *doc;
} lq_document_layout;

static int writer_gc(lua_State *L)
{
    lq_writer *u = luaL_checkudata(L, 1, LQ_WRITER_MT);
    if (u->w) {
        quarry_writer_free(u->w);
        u->w = NULL;
    }
    return 0;
}

static lq_writer *check_writer(lua_State *L, int idx)
{
    lq_writer *u = luaL_checkudata(L, idx, LQ_WRITER_MT);
    if (!u->w)
        luaL_error(L, "attempt to use a closed quarry.Writer");
    return u;
}

static int writer_tostring(lua_State *L)
{
    lq_writer *u = luaL_checkudata(L, 1, LQ_WRITER_MT);
    if (!u->w)
        lua_pushliteral(L, "quarry.Writer (closed)");
    else
        lua_pushfstring(L, "quarry.Writer (%p)", (void *)u);
    return 1;
}

/* Parses a size: an integer number of bytes, or a string "512K", "64M",
 * "1G", "1.5G", "300000" (binary multiples). Returns -1 if malformed. */
static double parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end), mul = 1;
    if (end == s || v < 0)
        return -1;
    while (*end == ' ')
        end++;
    switch (toupper((unsigned char)*end)) {
    case 0: break;
    case 'K':
        mul = 1024.0;
        end++;
        break;
    case 'M':
        mul = 1024.0 * 1024;
        end++;
        break;
    case 'G':
        mul = 1024.0 * 1024 * 1024;
        end++;
        break;
    case 'T':
        mul = 1024.0 * 1024 * 1024 * 1024;
        end++;
        break;
    default: return -1;
    }
    if (toupper((unsigned char)*end) == 'B' ||
        toupper((unsigned char)*end) == 'I')
        end++;
    if (toupper((unsigned char)*end) == 'B')
        end++;
    if (*end)
        return -1;
    return v * mul;
}

static const char *const writer_opts[] = {"memory", "threads", "tokenizer",
                                          NULL};

/* quarry.writer(path [, opts]) -> Writer | nil, msg, code
 * opts.memory: bytes or "64M"; opts.threads; opts.tokenizer: the options of
 * quarry.tokenize for a new index (nil: as the index was built, or the
 * defaults for a new one). */
static int l_writer(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    quarry_writer_options wo;
    quarry_tokenizer_options to;
    lq_writer *u;
    int rc;

    memset(&wo, 0, sizeof wo);
    lua_settop(L, 2);
    if (lq_opt_table(L, 2)) {
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            int i, ok = 0;
            if (lua_type(L, -2) == LUA_TSTRING)
                for (i = 0; writer_opts[i]; i++)
                    if (strcmp(lua_tostring(L, -2), writer_opts[i]) == 0)
                        ok = 1;
            if (!ok) {
                lua_pushvalue(L, -2);
                return luaL_error(L, "unknown writer option '%s'",
                                  luaL_tolstring(L, -1, NULL));
            }
            lua_pop(L, 1);
        }
        lua_getfield(L, 2, "memory");
        if (lua_isinteger(L, -1)) {
            lua_Integer m = lua_tointeger(L, -1);
            if (m < 0)
                return luaL_error(L, "option 'memory' must be >= 0");
            wo.memory = (uint64_t)m;
        } else if (lua_type(L, -1) == LUA_TSTRING) {
            double m = parse_size(lua_tostring(L, -1));
            if (m < 0 || m > 1e18)
                return luaL_error(
                    L, "option 'memory': bad size '%s' (e.g. 64M, 1G)",
                    lua_tostring(L, -1));
            wo.memory = (uint64_t)m;
        } else if (!lua_isnil(L, -1)) {
            return luaL_error(
                L, "option 'memory' must be an integer or a size string");
        }
        lua_pop(L, 1);
        lua_getfield(L, 2, "threads");
        if (!lua_isnil(L, -1)) {
            lua_Integer t;
            if (!lua_isinteger(L, -1) || (t = lua_tointeger(L, -1)) < 0 ||
                t > 1024)
                return luaL_error(
                    L, "option 'threads' must be an integer 0..1024");
            wo.threads = (unsigned)t;
        }
        lua_pop(L, 1);
        lua_getfield(L, 2, "tokenizer"); /* stays at 3: strings point into it */
        if (!lua_isnil(L, -1)) {
            if (!lua_istable(L, -1))
                return luaL_error(L, "option 'tokenizer' must be a table");
            lua_getfield(L, 3, "words");
            if (!lua_isnil(L, -1))
                return luaL_error(
                    L, "tokenizer option 'words' is not supported by "
                       "writers (use 'lexicon', a file)");
            lua_pop(L, 1);
            lq_tokenizer_options(L, 3, &to, NULL);
            lua_pop(L, 1); /* cache key */
            wo.tokenizer = &to;
        }
    }
    u = lq_new_handle(L, sizeof *u, 1, LQ_WRITER_MT);
    rc = quarry_writer_open(lq_env(L), path, &wo, &u->w);
    if (rc != QUARRY_OK) {
        u->w = NULL;
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    }
    return 1;
}

static int type_from_name(const char *t)
{
    if (!t || strcmp(t, "auto") == 0)
        return 0;
    if (strcmp(t, "string") == 0)
        return QUARRY_FIELD_STRING;
    if (strcmp(t, "integer") == 0)
        return QUARRY_FIELD_INTEGER;
    if (strcmp(t, "number") == 0)
        return QUARRY_FIELD_NUMBER;
    if (strcmp(t, "date") == 0)
        return QUARRY_FIELD_DATE;
    return -1;
}

/* Builds a document from the table at idx. Returns a status; on failure
 * the message is left pushed. */
static int table_doc(lua_State *L, int idx, quarry_doc **out)
{
    const char *source, *text = "";
    size_t len = 0, n = 0, k = 0;
    lua_Integer record = 0;
    int fields, types, keep, rc;
    quarry_field *arr = NULL;

    lua_getfield(L, idx, "source");
    if (lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "document table needs a string 'source', got %s",
                          luaL_typename(L, -1));
    source = lua_tostring(L, -1);
    lua_getfield(L, idx, "record");
    if (!lua_isnil(L, -1)) {
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
            return luaL_error(
                L, "document 'record' must be a non-negative integer");
        record = lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    lua_getfield(L, idx, "text");
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "document 'text' must be a string, got %s",
                              luaL_typename(L, -1));
        text = lua_tolstring(L, -1, &len);
    }
    lua_getfield(L, idx, "fields");
    fields = lua_gettop(L);
    lua_getfield(L, idx, "types");
    types = lua_gettop(L);
    if (!lua_isnil(L, fields) && !lua_istable(L, fields))
        return luaL_error(L, "document 'fields' must be a table");
    if (!lua_isnil(L, types) && !lua_istable(L, types))
        return luaL_error(L, "document 'types' must be a table");
    lua_newtable(L);
    keep = lua_gettop(L);
    if (lua_istable(L, fields)) {
        lua_pushnil(L);
        while (lua_next(L, fields)) {
            n++;
            lua_pop(L, 1);
        }
    }
    arr = lua_newuserdatauv(L, (n ? n : 1) * sizeof *arr, 0);
    memset(arr, 0, (n ? n : 1) * sizeof *arr);
    if (n) {
        lua_pushnil(L);
        while (lua_next(L, fields)) {
            quarry_field *f = &arr[k];
            int want = 0;
            if (lua_type(L, -2) != LUA_TSTRING)
                return luaL_error(L, "document fields must have string names");
            f->name = lua_tostring(L, -2);
            if (lua_istable(L, types)) {
                lua_getfield(L, types, f->name);
                if (!lua_isnil(L, -1)) {
                    want = type_from_name(lua_tostring(L, -1));
                    if (want < 0 || lua_type(L, -1) != LUA_TSTRING)
                        return luaL_error(
                            L,
                            "field '%s': unknown type '%s' (string, "
                            "integer, number, date, auto)",
                            f->name, luaL_tolstring(L, -1, NULL));
                }
                lua_pop(L, 1);
            }
            switch (lua_type(L, -1)) {
            case LUA_TNUMBER:
                if (want == QUARRY_FIELD_STRING || want == QUARRY_FIELD_DATE) {
                    f->type =
                        want == QUARRY_FIELD_STRING ? QUARRY_FIELD_STRING : 0;
                } else if (lua_isinteger(L, -1) &&
                           want != QUARRY_FIELD_NUMBER) {
                    f->type = QUARRY_FIELD_INTEGER;
                    f->value.integer = (int64_t)lua_tointeger(L, -1);
                } else {
                    f->type = QUARRY_FIELD_NUMBER;
                    f->value.number = (double)lua_tonumber(L, -1);
                }
                break;
            case LUA_TBOOLEAN: f->type = QUARRY_FIELD_STRING; break;
            case LUA_TSTRING:
                f->type = want == QUARRY_FIELD_STRING ? QUARRY_FIELD_STRING : 0;
                break;
            default:
                return luaL_error(L, "field '%s' has a %s value", f->name,
                                  luaL_typename(L, -1));
            }
            f->text = luaL_tolstring(L, -1, &f->text_len);
            lua_rawseti(L, keep, (lua_Integer)k + 1);
            if (want && f->type == 0) {
                /* a string typed by `types`: convert it as an override */
                if (want == QUARRY_FIELD_DATE) {
                    if (quarry_date_parse(f->text, f->text_len,
                                          &f->value.date) != QUARRY_OK)
                        return luaL_error(L, "field '%s': '%s' is not a date",
                                          f->name, f->text);
                    f->type = QUARRY_FIELD_DATE;
                } else if (want == QUARRY_FIELD_INTEGER ||
                           want == QUARRY_FIELD_NUMBER) {
                    char *end;
                    double v = strtod(f->text, &end);
                    if (end == f->text || *end)
                        return luaL_error(L, "field '%s': '%s' is not a number",
                                          f->name, f->text);
                    if (want == QUARRY_FIELD_INTEGER &&
                        v == (double)(int64_t)v) {
                        f->type = QUARRY_FIELD_INTEGER;
                        f->value.integer = (int64_t)v;
                    } else {
                        f->type = QUARRY_FIELD_NUMBER;
                        f->value.number = v;
                    }
                }
            }
            lua_pop(L, 1);
            k++;
        }
    }
    rc = quarry_doc_new(lq_env(L), source, (uint64_t)record, text, len, arr, k,
                        out);
    if (rc != QUARRY_OK)
        lua_pushstring(L, quarry_env_errmsg(lq_env(L)));
    return rc;
}

static const char *outcome_name(int outcome)
{
    switch (outcome) {
    case QUARRY_ADDED: return "added";
    case QUARRY_REPLACED: return "replaced";
    case QUARRY_UNCHANGED: return "unchanged";
    default: return "unknown";
    }
}

/* writer:add(doc) -> outcome ("added", "replaced", "unchanged"), bytes
 *                  | nil, msg, code
 * doc: a Document handle (moved into the writer; the handle is closed) or
 * a document table. bytes is the length of the document's text. */
static int writer_add(lua_State *L)
{
    lq_writer *u = check_writer(L, 1);
    quarry_doc *doc = NULL;
    size_t len = 0;
    int rc, outcome = 0;

    if (lua_type(L, 2) == LUA_TUSERDATA) {
        lq_document_layout *d = luaL_checkudata(L, 2, LQ_DOCUMENT_MT);
        if (!d->doc)
            return luaL_error(L, "attempt to use a closed quarry.Document");
        doc = d->doc;
        d->doc = NULL; /* ownership moves to the writer, whatever happens */
    } else {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_settop(L, 2);
        rc = table_doc(L, 2, &doc);
        if (rc != QUARRY_OK)
            return lq_fail(L, rc, lua_tostring(L, -1));
    }
    quarry_doc_text(doc, &len);
    rc = quarry_writer_add(u->w, doc, &outcome);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_writer_errmsg(u->w));
    lua_pushstring(L, outcome_name(outcome));
    lua_pushinteger(L, (lua_Integer)len);
    return 2;
}

/* writer:add_sources(sources [, on_add]) -> counts {added=, replaced=,
 * unchanged=, documents=, bytes=} | nil, msg, code
 * Drains a Sources handle in C. on_add(outcome, bytes, source), if given,
 * is called after each document (for progress). */
static int writer_add_sources(lua_State *L)
{
    lq_writer *u = check_writer(L, 1);
    lua_Integer counts[4] = {0, 0, 0, 0}, bytes = 0, docs = 0;
    int has_cb;
    luaL_checkudata(L, 2, LQ_SOURCES_MT);
    has_cb = !lua_isnoneornil(L, 3);
    if (has_cb)
        luaL_checktype(L, 3, LUA_TFUNCTION);
    lua_settop(L, 3);
    while (lq_sources_next_document(L, 2)) {
        lq_document_layout *d = luaL_checkudata(L, 4, LQ_DOCUMENT_MT);
        quarry_doc *doc = d->doc;
        size_t len = 0;
        int rc, outcome = 0;
        d->doc = NULL;
        if (has_cb) {
            lua_pushstring(L,
                           quarry_doc_source(doc)); /* 5, before the doc goes */
        }
        quarry_doc_text(doc, &len);
        rc = quarry_writer_add(u->w, doc, &outcome);
        if (rc != QUARRY_OK)
            return lq_fail(L, rc, quarry_writer_errmsg(u->w));
        if (outcome >= 1 && outcome <= 3)
            counts[outcome]++;
        bytes += (lua_Integer)len;
        docs++;
        if (has_cb) {
            lua_pushvalue(L, 3);
            lua_pushstring(L, outcome_name(outcome));
            lua_pushinteger(L, (lua_Integer)len);
            lua_pushvalue(L, 5);
            lua_call(L, 3, 0);
        }
        lua_settop(L, 3);
    }
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, counts[QUARRY_ADDED]);
    lua_setfield(L, -2, "added");
    lua_pushinteger(L, counts[QUARRY_REPLACED]);
    lua_setfield(L, -2, "replaced");
    lua_pushinteger(L, counts[QUARRY_UNCHANGED]);
    lua_setfield(L, -2, "unchanged");
    lua_pushinteger(L, docs);
    lua_setfield(L, -2, "documents");
    lua_pushinteger(L, bytes);
    lua_setfield(L, -2, "bytes");
    return 1;
}

/* writer:delete(source [, record]) -> count | nil, msg, code
 * Without record: every document of source. */
static int writer_delete(lua_State *L)
{
    lq_writer *u = check_writer(L, 1);
    const char *source = luaL_checkstring(L, 2);
    uint64_t count = 0;
    int rc;
    if (lua_isnoneornil(L, 3)) {
        rc = quarry_writer_delete_source(u->w, source, &count);
    } else {
        lua_Integer rec = luaL_checkinteger(L, 3);
        luaL_argcheck(L, rec >= 0, 3, "must be >= 0");
        rc = quarry_writer_delete_key(u->w, source, (uint64_t)rec, &count);
    }
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_writer_errmsg(u->w));
    lua_pushinteger(L, (lua_Integer)count);
    return 1;
}

static void push_commit_stats(lua_State *L, const quarry_commit_stats *s)
{
    lua_createtable(L, 0, 7);
    lua_pushinteger(L, (lua_Integer)s->generation);
    lua_setfield(L, -2, "generation");
    lua_pushinteger(L, (lua_Integer)s->added);
    lua_setfield(L, -2, "added");
    lua_pushinteger(L, (lua_Integer)s->replaced);
    lua_setfield(L, -2, "replaced");
    lua_pushinteger(L, (lua_Integer)s->unchanged);
    lua_setfield(L, -2, "unchanged");
    lua_pushinteger(L, (lua_Integer)s->deleted);
    lua_setfield(L, -2, "deleted");
    lua_pushinteger(L, (lua_Integer)s->documents);
    lua_setfield(L, -2, "documents");
    lua_pushinteger(L, (lua_Integer)s->segments);
    lua_setfield(L, -2, "segments");
}

/* writer:commit() -> stats | nil, msg, code */
static int writer_commit(lua_State *L)
{
    lq_writer *u = check_writer(L, 1);
    quarry_commit_stats st;
    int rc;
    memset(&st, 0, sizeof st);
    rc = quarry_writer_commit(u->w, &st);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_writer_errmsg(u->w));
    push_commit_stats(L, &st);
    return 1;
}

/* writer:optimize() -> stats | nil, msg, code */
static int writer_optimize(lua_State *L)
{
    lq_writer *u = check_writer(L, 1);
    quarry_commit_stats st;
    int rc;
    memset(&st, 0, sizeof st);
    rc = quarry_writer_optimize(u->w, &st);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_writer_errmsg(u->w));
    push_commit_stats(L, &st);
    return 1;
}

static const luaL_Reg writer_meta[] = {{"__gc", writer_gc},
                                       {"__close", writer_gc},
                                       {"__tostring", writer_tostring},
                                       {NULL, NULL}};
static const luaL_Reg writer_methods[] = {{"add", writer_add},
                                          {"add_sources", writer_add_sources},
                                          {"delete", writer_delete},
                                          {"commit", writer_commit},
                                          {"optimize", writer_optimize},
                                          {"close", writer_gc},
                                          {NULL, NULL}};

static const luaL_Reg funcs[] = {{"writer", l_writer}, {NULL, NULL}};

void lq_open_writer(lua_State *L)
{
    lq_define_class(L, LQ_WRITER_MT, "Writer", writer_meta, writer_methods);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, funcs);
    lua_pop(L, 1);
}
