/*
 * lquarry_index.c - quarry.open: the Index handle over a read-only snapshot
 * (quarry_index), and the VocabScan handle that walks its dictionary in
 * batches.
 *
 * Ids cross the boundary 1-based: a Lua document id is the C id + 1, a Lua
 * term id the C term id + 1; byte spans are 1-based inclusive. The Index
 * userdata owns one reference of the snapshot; a VocabScan owns another
 * (taken by quarry_vocab_scan_new) and pins the Index userdata through a
 * user value, so closing the Index while a scan runs is safe.
 */
#include "lquarry.h"

#include <string.h>

typedef struct lq_index {
    quarry_index *ix;
    quarry_tokenizer
        *tok; /* made on first use by :term, from the index's options */
    quarry_tokens *toks;
} lq_index;

typedef struct lq_vscan {
    quarry_vocab_scan *s;
    quarry_index *ix; /* borrowed: the scan holds a reference */
    lua_Integer batch;
} lq_vscan;

enum { IX_UV_STATE = 1, IX_NUV = 1 };
enum { VS_UV_STATE = 1, VS_UV_INDEX, VS_NUV = VS_UV_INDEX };

#define LQ_DEFAULT_BATCH 1000

/* ---- Index ----------------------------------------------------------------
 */

static int index_gc(lua_State *L)
{
    lq_index *u = luaL_checkudata(L, 1, LQ_INDEX_MT);
    if (u->toks) {
        quarry_tokens_free(u->toks);
        u->toks = NULL;
    }
    if (u->tok) {
        quarry_tokenizer_free(u->tok);
        u->tok = NULL;
    }
    if (u->ix) {
        quarry_index_free(u->ix);
        u->ix = NULL;
    }
    return 0;
}

static lq_index *check_index(lua_State *L, int idx)
{
    lq_index *u = luaL_checkudata(L, idx, LQ_INDEX_MT);
    if (!u->ix)
        luaL_error(L, "attempt to use a closed quarry.Index");
    return u;
}

quarry_index *lq_check_index(lua_State *L, int idx)
{
    return check_index(L, idx)->ix;
}

static int index_tostring(lua_State *L)
{
    lq_index *u = luaL_checkudata(L, 1, LQ_INDEX_MT);
    quarry_index_info info;
    if (!u->ix)
        lua_pushliteral(L, "quarry.Index (closed)");
    else if (quarry_index_info_get(u->ix, &info) == QUARRY_OK)
        lua_pushfstring(L, "quarry.Index (%I documents, generation %I)",
                        (lua_Integer)info.documents,
                        (lua_Integer)info.generation);
    else
        lua_pushliteral(L, "quarry.Index");
    return 1;
}

/* quarry.open(path) -> Index | nil, msg, code */
static int l_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lq_index *u;
    int rc;
    lua_settop(L, 1);
    u = lq_new_handle(L, sizeof *u, IX_NUV, LQ_INDEX_MT);
    rc = quarry_index_open(lq_env(L), path, &u->ix);
    if (rc != QUARRY_OK) {
        u->ix = NULL;
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    }
    return 1;
}

static void set_int(lua_State *L, const char *k, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

/* Sets t[k] to a Lua array of the n integers v[i] + add (add converts a
 * 0-based id or offset to the 1-based Lua convention). */
static void set_u64_array(lua_State *L, const char *k, const uint64_t *v,
                          size_t n, lua_Integer add)
{
    size_t i;
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)v[i] + add);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, k);
}

static void set_u32_array(lua_State *L, const char *k, const uint32_t *v,
                          size_t n, lua_Integer add)
{
    size_t i;
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)v[i] + add);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, k);
}

static void set_bool(lua_State *L, const char *k, int v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *v)
{
    if (v) {
        lua_pushstring(L, v);
        lua_setfield(L, -2, k);
    }
}

static void push_number(lua_State *L, double x, int as_integer)
{
    if (as_integer && x >= -9007199254740992.0 && x <= 9007199254740992.0 &&
        (double)(lua_Integer)x == x)
        lua_pushinteger(L, (lua_Integer)x);
    else
        lua_pushnumber(L, x);
}

/* Pushes a field profile with the keys of Summary:result().fields[i]. */
static void push_summary_field(lua_State *L, const quarry_summary_field *f)
{
    char buf[64];
    lua_createtable(L, 0, 8);
    set_str(L, "name", f->name);
    set_str(L, "type", lq_field_type_name(f->type));
    set_int(L, "count", f->count);
    set_int(L, "distinct", f->distinct);
    set_bool(L, "distinct_capped", f->distinct_capped);
    if (f->has_range) {
        const char *range;
        if (f->type == QUARRY_FIELD_INTEGER || f->type == QUARRY_FIELD_NUMBER) {
            range = "value";
            push_number(L, f->num_min, f->type == QUARRY_FIELD_INTEGER);
            lua_setfield(L, -2, "min");
            push_number(L, f->num_max, f->type == QUARRY_FIELD_INTEGER);
            lua_setfield(L, -2, "max");
        } else if (f->type == QUARRY_FIELD_DATE) {
            range = "date";
            lq_format_date(&f->date_min, buf, sizeof buf);
            lua_pushstring(L, buf);
            lua_setfield(L, -2, "min");
            lq_format_date(&f->date_max, buf, sizeof buf);
            lua_pushstring(L, buf);
            lua_setfield(L, -2, "max");
        } else {
            range = "length";
            set_int(L, "min", f->len_min);
            set_int(L, "max", f->len_max);
        }
        set_str(L, "range", range);
    }
}

void lq_push_tokenizer_options(lua_State *L, const quarry_tokenizer_options *o)
{
    unsigned fl = o ? o->flags : 0;
    lua_createtable(L, 0, 9);
    set_bool(L, "case_sensitive", (fl & QUARRY_TOK_CASE_SENSITIVE) != 0);
    set_bool(L, "nfkc", (fl & QUARRY_TOK_NO_NFKC) == 0);
    set_bool(L, "split_hyphens", (fl & QUARRY_TOK_SPLIT_HYPHENS) != 0);
    set_bool(L, "split_apostrophes", (fl & QUARRY_TOK_SPLIT_APOSTROPHES) != 0);
    set_bool(L, "split_numbers", (fl & QUARRY_TOK_SPLIT_NUMBERS) != 0);
    set_bool(L, "cjk_words", (fl & QUARRY_TOK_NO_CJK_WORDS) == 0);
    if (o) {
        set_str(L, "locale", o->locale);
        set_str(L, "cjk_dict", o->cjk_dict);
        set_str(L, "lexicon", o->lexicon);
    }
}

/* index:info() -> table (docs/lua.md) | nil, msg, code */
static int index_info(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    quarry_index_info info;
    size_t i, nf;
    int rc = quarry_index_info_get(u->ix, &info);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_index_errmsg(u->ix));
    lua_settop(L, 1);
    lua_createtable(L, 0, 14);
    set_int(L, "format_version", info.format_version);
    set_int(L, "generation", info.generation);
    set_int(L, "documents", info.documents);
    set_int(L, "deleted", info.deleted);
    set_int(L, "tokens", info.tokens);
    set_int(L, "types", info.types);
    set_int(L, "segments", info.segments);
    set_int(L, "bytes_total", info.bytes_total);
    set_int(L, "doc_limit", quarry_index_doc_limit(u->ix));
    lua_createtable(L, 0, QUARRY_PART_COUNT);
    for (i = 0; i < QUARRY_PART_COUNT; i++)
        set_int(L, quarry_index_part_name((int)i), info.bytes[i]);
    lua_setfield(L, -2, "bytes");
    /* parts in their documented order, for printing */
    lua_createtable(L, QUARRY_PART_COUNT, 0);
    for (i = 0; i < QUARRY_PART_COUNT; i++) {
        lua_pushstring(L, quarry_index_part_name((int)i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "parts");
    nf = quarry_index_field_count(u->ix);
    lua_createtable(L, (int)nf, 0);
    for (i = 0; i < nf; i++) {
        quarry_summary_field f;
        memset(&f, 0, sizeof f);
        rc = quarry_index_field_get(u->ix, i, &f);
        if (rc != QUARRY_OK)
            return lq_fail(L, rc, quarry_index_errmsg(u->ix));
        push_summary_field(L, &f);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "fields");
    lq_push_tokenizer_options(L, quarry_index_tokenizer_options(u->ix));
    lua_setfield(L, -2, "tokenizer");
    return 1;
}

/* Checks a 1-based document id argument; returns the C id, or -1 when it
 * is out of range (not an error: ids come from data). */
static int64_t doc_arg(lua_State *L, lq_index *u, int idx)
{
    lua_Integer id = luaL_checkinteger(L, idx);
    if (id < 1 || (uint64_t)(id - 1) >= quarry_index_doc_limit(u->ix))
        return -1;
    return (int64_t)(id - 1);
}

/* index:doc(id [, opts]) -> document table | nil, msg, "ENOENT"
 * opts.text = false leaves the text out. */
static int index_doc(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    int64_t id = doc_arg(L, u, 2);
    int with_text = lq_opt_bool(L, 3, "text", 1);
    quarry_index_doc d;
    size_t i;
    int rc;

    if (id < 0 || !quarry_index_doc_live(u->ix, (uint64_t)id))
        return lq_fail(L, QUARRY_ENOENT,
                       lua_pushfstring(L, "no live document %I in the index",
                                       luaL_checkinteger(L, 2)));
    rc = quarry_index_doc_get(u->ix, (uint64_t)id, &d);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_index_errmsg(u->ix));
    lua_settop(L, 3);
    lua_createtable(L, 0, 12);
    set_int(L, "id", (uint64_t)id + 1);
    set_str(L, "source", d.source);
    set_int(L, "record", d.record);
    set_int(L, "hash", d.hash);
    set_int(L, "tokens", d.tokens);
    set_int(L, "bytes", d.text_bytes);
    set_int(L, "sentences", d.sentences);
    set_int(L, "paragraphs", d.paragraphs);
    lua_createtable(L, 0, (int)d.field_count);
    lua_createtable(L, 0, (int)d.field_count);
    for (i = 0; i < d.field_count; i++) {
        quarry_field f;
        memset(&f, 0, sizeof f);
        rc = quarry_index_doc_field(u->ix, (uint64_t)id, i, &f);
        if (rc != QUARRY_OK)
            return lq_fail(L, rc, quarry_index_errmsg(u->ix));
        if (!f.name)
            continue;
        lq_push_field_value(L, &f);
        lua_setfield(L, -3, f.name);
        lua_pushstring(L, lq_field_type_name(f.type));
        lua_setfield(L, -2, f.name);
    }
    lua_setfield(L, -3, "types");
    lua_setfield(L, -2, "fields");
    if (with_text) {
        const char *text = NULL;
        size_t len = 0;
        rc = quarry_index_doc_text(u->ix, (uint64_t)id, &text, &len);
        if (rc != QUARRY_OK)
            return lq_fail(L, rc, quarry_index_errmsg(u->ix));
        lua_pushlstring(L, text ? text : "", text ? len : 0);
        lua_setfield(L, -2, "text");
    }
    return 1;
}

/* index:text(id) -> string | nil, msg, code: the stored text alone. */
static int index_text(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    int64_t id = doc_arg(L, u, 2);
    const char *text = NULL;
    size_t len = 0;
    int rc;
    if (id < 0 || !quarry_index_doc_live(u->ix, (uint64_t)id))
        return lq_fail(L, QUARRY_ENOENT,
                       lua_pushfstring(L, "no live document %I in the index",
                                       luaL_checkinteger(L, 2)));
    rc = quarry_index_doc_text(u->ix, (uint64_t)id, &text, &len);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_index_errmsg(u->ix));
    lua_pushlstring(L, text ? text : "", text ? len : 0);
    return 1;
}

#define LQ_FILTER_SLOT_MT "quarry.FilterSlot"

/* __gc of the userdata that owns a compiled filter during index:docs */
static int filter_slot_gc(lua_State *L)
{
    quarry_filter **slot = luaL_checkudata(L, 1, LQ_FILTER_SLOT_MT);
    quarry_filter_free(*slot);
    *slot = NULL;
    return 0;
}

/* index:docs([opts]) -> array of ids | nil, msg, "ESYNTAX", position
 * opts.filter: field filter text; opts.limit: at most this many ids. */
static int index_docs(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    const char *ftext = NULL;
    size_t flen = 0, cap = 0;
    quarry_filter *flt = NULL;
    quarry_field *fields = NULL;
    uint64_t id, limit = quarry_index_doc_limit(u->ix);
    lua_Integer max = -1, n = 0;
    int rc;

    if (lq_opt_table(L, 2)) {
        lua_getfield(L, 2, "filter");
        if (!lua_isnil(L, -1)) {
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "option 'filter' must be a string, got %s",
                                  luaL_typename(L, -1));
            ftext = lua_tolstring(L, -1, &flen);
        }
        lua_pop(L, 1);
        lua_getfield(L, 2, "limit");
        if (!lua_isnil(L, -1)) {
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
                return luaL_error(
                    L, "option 'limit' must be a non-negative integer");
            max = lua_tointeger(L, -1);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    if (ftext) {
        /* the filter is owned by a userdata so an error cannot leak it */
        quarry_filter **slot = lua_newuserdatauv(L, sizeof *slot, 0);
        size_t pos = 0;
        *slot = NULL;
        if (luaL_newmetatable(L, LQ_FILTER_SLOT_MT)) {
            lua_pushcfunction(L, filter_slot_gc);
            lua_setfield(L, -2, "__gc");
        }
        lua_setmetatable(L, -2);
        rc = quarry_filter_compile(lq_env(L), ftext, flen, slot, &pos);
        if (rc != QUARRY_OK) {
            int nret = lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
            if (rc == QUARRY_ESYNTAX) {
                lua_pushinteger(L, (lua_Integer)pos + 1);
                nret++;
            }
            return nret;
        }
        flt = *slot;
    }
    lua_createtable(L, 0, 0);
    for (id = 0; id < limit && (max < 0 || n < max); id++) {
        if (!quarry_index_doc_live(u->ix, id))
            continue;
        if (flt) {
            quarry_index_doc d;
            size_t i;
            rc = quarry_index_doc_get(u->ix, id, &d);
            if (rc != QUARRY_OK)
                return lq_fail(L, rc, quarry_index_errmsg(u->ix));
            if (d.field_count > cap) {
                cap = d.field_count * 2;
                fields = lua_newuserdatauv(L, cap * sizeof *fields, 0);
                lua_replace(L, 2); /* kept alive in the opts slot */
            }
            for (i = 0; i < d.field_count; i++) {
                memset(&fields[i], 0, sizeof fields[i]);
                rc = quarry_index_doc_field(u->ix, id, i, &fields[i]);
                if (rc != QUARRY_OK)
                    return lq_fail(L, rc, quarry_index_errmsg(u->ix));
            }
            if (!quarry_filter_match(flt, fields, d.field_count))
                continue;
        }
        lua_pushinteger(L, (lua_Integer)id + 1);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* index:doc_limit() -> one past the largest document id (1-based: ids are
 * 1 .. doc_limit, deleted ones included) */
static int index_doc_limit(lua_State *L)
{
    lua_pushinteger(L,
                    (lua_Integer)quarry_index_doc_limit(check_index(L, 1)->ix));
    return 1;
}

/* index:live(id) -> boolean */
static int index_live(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    int64_t id = doc_arg(L, u, 2);
    lua_pushboolean(L, id >= 0 && quarry_index_doc_live(u->ix, (uint64_t)id));
    return 1;
}

/* Normalizes word with the index's tokenizer. Returns the normalized form
 * (pushed) or pushes nil, msg, code and returns NULL. */
static const char *normalize(lua_State *L, lq_index *u, const char *w,
                             size_t len, size_t *nlen)
{
    const quarry_token *tk;
    size_t n;
    int rc;
    if (!quarry_utf8_valid(w, len)) {
        lq_fail(L, QUARRY_EINVAL, "term is not valid UTF-8");
        return NULL;
    }
    if (!u->tok) {
        rc = quarry_tokenizer_new(
            lq_env(L), quarry_index_tokenizer_options(u->ix), &u->tok);
        if (rc != QUARRY_OK) {
            u->tok = NULL;
            lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
            return NULL;
        }
    }
    if (!u->toks) {
        rc = quarry_tokens_new(lq_env(L), &u->toks);
        if (rc != QUARRY_OK) {
            u->toks = NULL;
            lq_fail(L, rc, "out of memory");
            return NULL;
        }
    }
    rc = quarry_tokenize(u->tok, w, len, u->toks);
    if (rc != QUARRY_OK) {
        lq_fail(L, rc, quarry_tokenizer_errmsg(u->tok));
        return NULL;
    }
    n = quarry_tokens_count(u->toks);
    if (n != 1) {
        lua_pushfstring(L,
                        n == 0 ? "'%s' has no token to look up"
                               : "'%s' is %d tokens; a term is one token",
                        w, (int)n);
        lq_fail(L, QUARRY_EINVAL, lua_tostring(L, -1));
        lua_remove(L, -4);
        return NULL;
    }
    tk = quarry_tokens_data(u->toks);
    *nlen = tk[0].norm_len;
    return lua_pushlstring(L, quarry_tokens_arena(u->toks) + tk[0].norm,
                           tk[0].norm_len);
}

/* index:term(word [, opts]) -> {term=, id=, count=, docs=} | nil, msg, code
 * The word is normalized as the index was built (opts.raw = true: looked
 * up as given). An absent term has count 0 and no id. */
static int index_term(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    size_t len, nlen = 0;
    const char *w, *norm;
    uint32_t id = 0;
    uint64_t count = 0, docs = 0;
    int rc, raw;
    if (lua_type(L, 2) != LUA_TSTRING)
        return luaL_typeerror(L, 2, "string");
    w = lua_tolstring(L, 2, &len);
    raw = lq_opt_bool(L, 3, "raw", 0);
    lua_settop(L, 3);
    if (raw) {
        lua_pushvalue(L, 2);
        norm = w;
        nlen = len;
    } else {
        norm = normalize(L, u, w, len, &nlen);
        if (!norm)
            return 3;
    }
    rc = quarry_index_term_lookup(u->ix, norm, nlen, &id, &count, &docs);
    if (rc < 0)
        return lq_fail(L, rc, quarry_index_errmsg(u->ix));
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, 4);
    lua_setfield(L, -2, "term");
    if (rc == QUARRY_OK) {
        set_int(L, "id", (uint64_t)id + 1);
        set_int(L, "count", count);
        set_int(L, "docs", docs);
    } else {
        set_int(L, "count", 0);
        set_int(L, "docs", 0);
    }
    return 1;
}

/* index:term_text(id) -> text, count, docs | nil */
static int index_term_text(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    lua_Integer id = luaL_checkinteger(L, 2);
    size_t len = 0;
    uint64_t count = 0, docs = 0;
    const char *t;
    if (id < 1 || id > (lua_Integer)UINT32_MAX)
        return 0;
    t = quarry_index_term_text(u->ix, (uint32_t)(id - 1), &len, &count, &docs);
    if (!t)
        return 0;
    lua_pushlstring(L, t, len);
    lua_pushinteger(L, (lua_Integer)count);
    lua_pushinteger(L, (lua_Integer)docs);
    return 3;
}

/* index:term_count() -> number of terms (ids 1 .. n) */
static int index_term_count(lua_State *L)
{
    lua_pushinteger(
        L, (lua_Integer)quarry_index_term_count(check_index(L, 1)->ix));
    return 1;
}

/* index:tokens(doc [, first [, n]]) -> {n=, ids=, first=, last=} | nil, msg,
 * code Tokens first .. first + n - 1 (1-based, clamped to the document): their
 * term ids and 1-based inclusive byte spans. */
static int index_tokens(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    int64_t id = doc_arg(L, u, 2);
    lua_Integer first = luaL_optinteger(L, 3, 1), want;
    quarry_index_doc d;
    uint32_t *ids;
    uint64_t *starts, *ends;
    size_t got = 0, n;
    int rc;

    luaL_argcheck(L, first >= 1, 3, "must be >= 1");
    if (id < 0)
        return lq_fail(L, QUARRY_ENOENT,
                       lua_pushfstring(L, "no document %I in the index",
                                       luaL_checkinteger(L, 2)));
    rc = quarry_index_doc_get(u->ix, (uint64_t)id, &d);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_index_errmsg(u->ix));
    want = (lua_Integer)d.tokens - (first - 1);
    if (!lua_isnoneornil(L, 4)) {
        lua_Integer k = luaL_checkinteger(L, 4);
        luaL_argcheck(L, k >= 0, 4, "must be >= 0");
        if (k < want)
            want = k;
    }
    n = want > 0 ? (size_t)want : 0;
    lua_settop(L, 4);
    {
        size_t m = n ? n : 1;
        starts =
            lua_newuserdatauv(L, m * (2 * sizeof *starts + sizeof *ids), 0);
        ends = starts + m;
        ids = (uint32_t *)(void *)(ends + m);
    }
    if (n) {
        rc = quarry_index_doc_tokens(u->ix, (uint64_t)id, (uint64_t)(first - 1),
                                     n, ids, starts, ends, &got);
        if (rc != QUARRY_OK)
            return lq_fail(L, rc, quarry_index_errmsg(u->ix));
    }
    lua_createtable(L, 0, 4);
    set_int(L, "n", got);
    set_u32_array(L, "ids", ids, got, 1);
    set_u64_array(L, "first", starts, got, 1);
    set_u64_array(L, "last", ends, got, 0);
    return 1;
}

/* index:check() -> true | nil, msg, "ECORRUPT" */
static int index_check(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    int rc = quarry_index_check(u->ix);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_index_errmsg(u->ix));
    lua_pushboolean(L, 1);
    return 1;
}

/* ---- VocabScan ------------------------------------------------------------
 */

static int vscan_gc(lua_State *L)
{
    lq_vscan *v = luaL_checkudata(L, 1, LQ_VOCABSCAN_MT);
    if (v->s) {
        quarry_vocab_scan_free(v->s);
        v->s = NULL;
        v->ix = NULL;
    }
    return 0;
}

static int vscan_tostring(lua_State *L)
{
    lq_vscan *v = luaL_checkudata(L, 1, LQ_VOCABSCAN_MT);
    lua_pushstring(L, v->s ? "quarry.VocabScan" : "quarry.VocabScan (closed)");
    return 1;
}

static const char *const vocab_opts[] = {
    "prefix", "regex", "min", "min_docs", "batch", "caseless", NULL};

/* index:vocab_scan([opts]) -> VocabScan | nil, msg, "ESYNTAX", position */
static int index_vocab_scan(lua_State *L)
{
    lq_index *u = check_index(L, 1);
    quarry_vocab_scan_options o;
    lq_vscan *v;
    size_t pos = 0;
    int rc;

    memset(&o, 0, sizeof o);
    lua_settop(L, 2);
    v = NULL;
    if (lq_opt_table(L, 2)) {
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            int i, ok = 0;
            if (lua_type(L, -2) == LUA_TSTRING)
                for (i = 0; vocab_opts[i]; i++)
                    if (strcmp(lua_tostring(L, -2), vocab_opts[i]) == 0)
                        ok = 1;
            if (!ok) {
                lua_pushvalue(L, -2);
                return luaL_error(L, "unknown vocab option '%s'",
                                  luaL_tolstring(L, -1, NULL));
            }
            lua_pop(L, 1);
        }
        o.prefix = lq_opt_string(L, 2, "prefix");
        o.prefix_len = o.prefix ? strlen(o.prefix) : 0;
        o.regex = lq_opt_string(L, 2, "regex");
        if (o.regex) {
            lua_getfield(L, 2, "regex");
            lua_tolstring(L, -1, &o.regex_len);
            lua_pop(L, 1);
        }
        o.caseless = lq_opt_bool(L, 2, "caseless", 0);
        lua_getfield(L, 2, "min");
        if (!lua_isnil(L, -1)) {
            lua_Integer m = luaL_checkinteger(L, -1);
            o.min_count = m > 0 ? (uint64_t)m : 0;
        }
        lua_getfield(L, 2, "min_docs");
        if (!lua_isnil(L, -1)) {
            lua_Integer m = luaL_checkinteger(L, -1);
            o.min_docs = m > 0 ? (uint64_t)m : 0;
        }
        lua_pop(L, 2);
    }
    v = lq_new_handle(L, sizeof *v, VS_NUV, LQ_VOCABSCAN_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, VS_UV_INDEX);
    v->batch = LQ_DEFAULT_BATCH;
    if (lq_opt_table(L, 2)) {
        lua_getfield(L, 2, "batch");
        if (!lua_isnil(L, -1)) {
            v->batch = luaL_checkinteger(L, -1);
            if (v->batch < 1)
                return luaL_error(L, "option 'batch' must be >= 1");
        }
        lua_pop(L, 1);
    }
    rc = quarry_vocab_scan_new(lq_env(L), u->ix, &o, &v->s, &pos);
    if (rc != QUARRY_OK) {
        int nret;
        v->s = NULL;
        nret = lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
        if (rc == QUARRY_ESYNTAX) {
            lua_pushinteger(L, (lua_Integer)pos + 1);
            nret++;
        }
        return nret;
    }
    v->ix = u->ix;
    return 1;
}

/* scan:next([n]) -> batch {n=, ids=, terms=, counts=, docs=} | nil at the end
 * Raises on failure (a regex hitting its match limit, out of memory). */
static int vscan_next(lua_State *L)
{
    lq_vscan *v = luaL_checkudata(L, 1, LQ_VOCABSCAN_MT);
    lua_Integer want;
    uint32_t *ids;
    uint64_t *counts, *docs;
    size_t got = 0, i, n;
    int rc;
    if (!v->s)
        return luaL_error(L, "attempt to use a closed quarry.VocabScan");
    /* as the iterator of index:vocab, argument 2 is the previous batch */
    want = lua_istable(L, 2) ? v->batch : luaL_optinteger(L, 2, v->batch);
    luaL_argcheck(L, want >= 1, 2, "must be >= 1");
    n = (size_t)want;
    lua_settop(L, 2);
    counts = lua_newuserdatauv(L, n * (2 * sizeof *counts + sizeof *ids), 0);
    docs = counts + n;
    ids = (uint32_t *)(void *)(docs + n);
    rc = quarry_vocab_scan_next(v->s, n, ids, counts, docs, &got);
    if (rc < 0)
        return luaL_error(L, "quarry.VocabScan: %s (%s)",
                          quarry_vocab_scan_errmsg(v->s),
                          quarry_status_name(rc));
    if (rc == QUARRY_DONE || got == 0)
        return 0;
    lua_createtable(L, 0, 5);
    set_int(L, "n", got);
    set_u32_array(L, "ids", ids, got, 1);
    lua_createtable(L, (int)got, 0);
    for (i = 0; i < got; i++) {
        size_t len = 0;
        const char *t = quarry_index_term_text(v->ix, ids[i], &len, NULL, NULL);
        lua_pushlstring(L, t ? t : "", t ? len : 0);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "terms");
    set_u64_array(L, "counts", counts, got, 0);
    set_u64_array(L, "docs", docs, got, 0);
    return 1;
}

/* index:vocab([opts]) -> iterator over batches for a generic for; the scan
 * is the closing value, so `break` frees it. A bad regex raises (an
 * iterator cannot return nil, msg); use index:vocab_scan to get nil, msg,
 * "ESYNTAX", position instead. */
static int index_vocab(lua_State *L)
{
    int n;
    lua_settop(L, 2);
    n = index_vocab_scan(L);
    if (n != 1) {
        if (n >= 4)
            return luaL_error(L, "%s", lua_tostring(L, -3));
        return luaL_error(L, "%s", lua_tostring(L, -2));
    }
    {
        int scan = lua_gettop(L);
        lua_getfield(L, scan, "next");
        lua_pushvalue(L, scan);
        lua_pushnil(L);
        lua_pushvalue(L, scan);
    }
    return 4;
}

static const luaL_Reg index_meta[] = {{"__gc", index_gc},
                                      {"__close", index_gc},
                                      {"__tostring", index_tostring},
                                      {NULL, NULL}};
static const luaL_Reg index_methods[] = {{"info", index_info},
                                         {"doc", index_doc},
                                         {"text", index_text},
                                         {"docs", index_docs},
                                         {"doc_limit", index_doc_limit},
                                         {"live", index_live},
                                         {"term", index_term},
                                         {"term_text", index_term_text},
                                         {"term_count", index_term_count},
                                         {"tokens", index_tokens},
                                         {"vocab_scan", index_vocab_scan},
                                         {"vocab", index_vocab},
                                         {"check", index_check},
                                         {"close", index_gc},
                                         {NULL, NULL}};

static const luaL_Reg vscan_meta[] = {{"__gc", vscan_gc},
                                      {"__close", vscan_gc},
                                      {"__tostring", vscan_tostring},
                                      {NULL, NULL}};
static const luaL_Reg vscan_methods[] = {
    {"next", vscan_next}, {"close", vscan_gc}, {NULL, NULL}};

static const luaL_Reg funcs[] = {{"open", l_open}, {NULL, NULL}};

void lq_open_index(lua_State *L)
{
    lq_define_class(L, LQ_INDEX_MT, "Index", index_meta, index_methods);
    lq_define_class(L, LQ_VOCABSCAN_MT, "VocabScan", vscan_meta, vscan_methods);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, funcs);
    lua_pop(L, 1);
}
