/*
 * lquarry_summary.c - quarry.summary: the Summary handle over the C corpus
 * summary kernel. Documents reach it without their text ever becoming a Lua
 * string: add() takes a Document handle, add_sources() drains a Sources
 * handle entirely in C. Plain document tables are accepted too.
 */
#include "lquarry.h"

#include <math.h>
#include <string.h>

typedef struct lq_summary {
    quarry_summary *s;
    lua_Integer top; /* default number of top words in result() */
} lq_summary;

static int summary_gc(lua_State *L)
{
    lq_summary *u = luaL_checkudata(L, 1, LQ_SUMMARY_MT);
    if (u->s) {
        quarry_summary_free(u->s);
        u->s = NULL;
    }
    return 0;
}

static lq_summary *check_summary(lua_State *L, int idx)
{
    lq_summary *u = luaL_checkudata(L, idx, LQ_SUMMARY_MT);
    if (!u->s)
        luaL_error(L, "attempt to use a closed quarry.Summary");
    return u;
}

static int summary_tostring(lua_State *L)
{
    lq_summary *u = luaL_checkudata(L, 1, LQ_SUMMARY_MT);
    if (!u->s) {
        lua_pushliteral(L, "quarry.Summary (closed)");
    } else {
        quarry_summary_totals t;
        quarry_summary_totals_get(u->s, &t);
        lua_pushfstring(L, "quarry.Summary (%I documents)",
                        (lua_Integer)t.documents);
    }
    return 1;
}

/* quarry.summary([opts]) -> Summary | nil, msg, code
 * opts: the tokenizer options of quarry.tokenize, plus top (default 20). */
static int l_summary(lua_State *L)
{
    static const char *const extra[] = {"top", NULL};
    quarry_tokenizer_options o;
    lq_summary *u;
    int rc;

    lq_opt_table(L, 1);
    lua_settop(L, 1);
    lq_tokenizer_options(L, 1, &o, extra); /* pushes a cache key, unused */
    u = lq_new_handle(L, sizeof *u, 1, LQ_SUMMARY_MT);
    u->top = 20;
    if (lq_opt_table(L, 1)) {
        lua_getfield(L, 1, "top");
        if (!lua_isnil(L, -1))
            u->top = luaL_checkinteger(L, -1);
        lua_pop(L, 1);
        if (u->top < 0)
            return luaL_error(L, "option 'top' must be >= 0");
    }
    rc = quarry_summary_new(lq_env(L), &o, &u->s);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    rc = lq_add_user_words(L, 1, quarry_summary_tokenizer(u->s));
    if (rc != QUARRY_OK)
        return lq_fail(L, rc,
                       quarry_tokenizer_errmsg(quarry_summary_tokenizer(u->s)));
    return 1;
}

/* Builds quarry_field structs from doc.fields / doc.types. Every string
 * pointer refers to a Lua string kept alive in a table on the stack; the
 * struct array itself is a userdata on the stack. Returns the count. */
static size_t table_fields(lua_State *L, int doc, quarry_field **out)
{
    size_t n = 0, k = 0;
    int fields, types, keep;
    quarry_field *arr;

    *out = NULL;
    if (lua_getfield(L, doc, "fields") == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    fields = lua_gettop(L);
    luaL_argexpected(L, lua_istable(L, fields), 2,
                     "document table with a fields table");
    lua_getfield(L, doc, "types");
    types = lua_gettop(L);
    lua_newtable(L);
    keep = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, fields)) {
        n++;
        lua_pop(L, 1);
    }
    arr = lua_newuserdatauv(L, (n ? n : 1) * sizeof *arr, 0);
    memset(arr, 0, (n ? n : 1) * sizeof *arr);
    lua_pushnil(L);
    while (lua_next(L, fields)) {
        quarry_field *f = &arr[k];
        const char *tname = NULL;
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "document fields must have string names");
        f->name = lua_tostring(L, -2);
        if (lua_istable(L, types)) {
            lua_getfield(L, types, f->name);
            tname = lua_tostring(L, -1);
            lua_pop(L, 1); /* the types table keeps the string alive */
        }
        switch (lua_type(L, -1)) {
        case LUA_TNUMBER:
            if (lua_isinteger(L, -1)) {
                f->type = QUARRY_FIELD_INTEGER;
                f->value.integer = (int64_t)lua_tointeger(L, -1);
            } else {
                f->type = QUARRY_FIELD_NUMBER;
                f->value.number = (double)lua_tonumber(L, -1);
            }
            break;
        case LUA_TSTRING:
        case LUA_TBOOLEAN: f->type = QUARRY_FIELD_STRING; break;
        default:
            luaL_error(L, "field '%s' has a %s value", f->name,
                       luaL_typename(L, -1));
        }
        /* the text form, kept alive in `keep` */
        f->text = luaL_tolstring(L, -1, &f->text_len);
        lua_rawseti(L, keep, (lua_Integer)k + 1);
        if (f->type == QUARRY_FIELD_STRING && tname &&
            strcmp(tname, "date") == 0 &&
            quarry_date_parse(f->text, f->text_len, &f->value.date) ==
                QUARRY_OK)
            f->type = QUARRY_FIELD_DATE;
        lua_pop(L, 1);
        k++;
    }
    *out = arr;
    return k;
}

/* summary:add(doc) -> summary; doc is a Document or a document table */
static int summary_add(lua_State *L)
{
    lq_summary *u = check_summary(L, 1);
    int rc;
    if (lua_type(L, 2) == LUA_TUSERDATA) {
        rc = quarry_summary_add(u->s, lq_check_document(L, 2));
    } else {
        size_t len = 0, nf;
        const char *text = "";
        quarry_field *fields;
        lua_Integer replaced = 0;
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_settop(L, 2);
        lua_getfield(L, 2, "text");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_argerror(L, 2, "text must be a string");
            text = lua_tolstring(L, -1, &len);
        }
        lua_getfield(L, 2, "replaced");
        replaced = luaL_optinteger(L, -1, 0);
        lua_pop(L, 1);
        nf = table_fields(L, 2, &fields);
        rc = quarry_summary_add_text(u->s, text, len, fields, nf,
                                     (uint64_t)(replaced < 0 ? 0 : replaced));
        if (rc == QUARRY_EINVAL)
            return lq_fail(L, rc, quarry_summary_errmsg(u->s));
    }
    if (rc != QUARRY_OK)
        return luaL_error(L, "quarry.Summary: %s", quarry_summary_errmsg(u->s));
    lua_settop(L, 1);
    return 1;
}

/* summary:add_sources(sources) -> number of documents added */
static int summary_add_sources(lua_State *L)
{
    lq_summary *u = check_summary(L, 1);
    lua_Integer n = 0;
    luaL_checkudata(L, 2, LQ_SOURCES_MT);
    lua_settop(L, 2);
    while (lq_sources_next_document(L, 2)) {
        int rc = quarry_summary_add(u->s, lq_check_document(L, 3));
        /* free the document now: a whole corpus must not wait for the GC */
        lua_getfield(L, 3, "close");
        lua_pushvalue(L, 3);
        lua_call(L, 1, 0);
        lua_settop(L, 2);
        if (rc != QUARRY_OK)
            return luaL_error(L, "quarry.Summary: %s",
                              quarry_summary_errmsg(u->s));
        n++;
    }
    lua_pushinteger(L, n);
    return 1;
}

static void set_int(lua_State *L, const char *k, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

static void push_number(lua_State *L, double x, int as_integer)
{
    if (as_integer && x >= -9007199254740992.0 && x <= 9007199254740992.0 &&
        floor(x) == x)
        lua_pushinteger(L, (lua_Integer)x);
    else
        lua_pushnumber(L, x);
}

/* summary:result([top]) -> table (see docs/lua.md) */
static int summary_result(lua_State *L)
{
    lq_summary *u = check_summary(L, 1);
    lua_Integer top = luaL_optinteger(L, 2, u->top);
    quarry_summary_totals t;
    const quarry_vocab *v = quarry_summary_vocab(u->s);
    size_t i, nf = quarry_summary_field_count(u->s), k;
    uint32_t *ids;
    char buf[64];

    if (top < 0)
        return luaL_argerror(L, 2, "must be >= 0");
    quarry_summary_totals_get(u->s, &t);
    lua_settop(L, 1);
    lua_createtable(L, 0, 10);
    set_int(L, "documents", t.documents);
    set_int(L, "tokens", t.tokens);
    set_int(L, "words", t.words);
    set_int(L, "types", t.types);
    set_int(L, "sentences", t.sentences);
    set_int(L, "paragraphs", t.paragraphs);
    set_int(L, "replaced", t.replaced);

    lua_createtable(L, (int)nf, 0);
    for (i = 0; i < nf; i++) {
        quarry_summary_field f;
        quarry_summary_field_get(u->s, i, &f);
        lua_createtable(L, 0, 8);
        lua_pushstring(L, f.name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, lq_field_type_name(f.type));
        lua_setfield(L, -2, "type");
        set_int(L, "count", f.count);
        set_int(L, "distinct", f.distinct);
        lua_pushboolean(L, f.distinct_capped);
        lua_setfield(L, -2, "distinct_capped");
        if (f.has_range) {
            const char *range;
            if (f.type == QUARRY_FIELD_INTEGER ||
                f.type == QUARRY_FIELD_NUMBER) {
                range = "value";
                push_number(L, f.num_min, f.type == QUARRY_FIELD_INTEGER);
                lua_setfield(L, -2, "min");
                push_number(L, f.num_max, f.type == QUARRY_FIELD_INTEGER);
                lua_setfield(L, -2, "max");
            } else if (f.type == QUARRY_FIELD_DATE) {
                range = "date";
                lq_format_date(&f.date_min, buf, sizeof buf);
                lua_pushstring(L, buf);
                lua_setfield(L, -2, "min");
                lq_format_date(&f.date_max, buf, sizeof buf);
                lua_pushstring(L, buf);
                lua_setfield(L, -2, "max");
            } else {
                range = "length";
                set_int(L, "min", f.len_min);
                set_int(L, "max", f.len_max);
            }
            lua_pushstring(L, range);
            lua_setfield(L, -2, "range");
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "fields");

    ids = lua_newuserdatauv(L, (top > 0 ? (size_t)top : 1) * sizeof *ids, 0);
    k = quarry_vocab_top(v, (size_t)top, ids);
    lua_createtable(L, (int)k, 0);
    for (i = 0; i < k; i++) {
        size_t len;
        const char *w = quarry_vocab_term(v, ids[i], &len);
        lua_createtable(L, 0, 2);
        lua_pushlstring(L, w, len);
        lua_setfield(L, -2, "word");
        set_int(L, "count", quarry_vocab_count(v, ids[i]));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -3, "top");
    lua_pop(L, 1); /* ids */
    return 1;
}

static const luaL_Reg summary_meta[] = {{"__gc", summary_gc},
                                        {"__close", summary_gc},
                                        {"__tostring", summary_tostring},
                                        {NULL, NULL}};
static const luaL_Reg summary_methods[] = {{"add", summary_add},
                                           {"add_sources", summary_add_sources},
                                           {"result", summary_result},
                                           {"close", summary_gc},
                                           {NULL, NULL}};
static const luaL_Reg funcs[] = {{"summary", l_summary}, {NULL, NULL}};

void lq_open_summary(lua_State *L)
{
    lq_define_class(L, LQ_SUMMARY_MT, "Summary", summary_meta, summary_methods);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, funcs);
    lua_pop(L, 1);
}
