/*
 * lquarry_dates.c - quarry.dates (the dates of a text), quarry.statements
 * (dated statements of raw texts) and Index:statements (of indexed
 * documents); quarry.h, "Dates in text and dated statements"; the records'
 * fields are documented in docs/dates.md.
 *
 * Positions are 1-based inclusive byte spans. Core results are held by a
 * userdata on the stack while the Lua tables are built, so an error raised
 * half-way frees them. quarry.statements keeps its own small tokenizer cache
 * as its second upvalue (tokenizers are costly to create).
 */
#include "lquarry.h"

#include <stdbool.h>
#include <string.h>

#define LQ_STATEMENTS_MT "quarry.StatementsResult"
#define LQ_DATES_TOKENIZER_MT "quarry.StatementsTokenizer"
#define TOKENIZER_CACHE 8

/* ---- owners of core objects --------------------------------------------- */

typedef struct lq_statements {
    quarry_statements *st;
} lq_statements;

static int statements_gc(lua_State *L)
{
    lq_statements *u = luaL_checkudata(L, 1, LQ_STATEMENTS_MT);
    quarry_statements_free(u->st);
    u->st = NULL;
    return 0;
}

typedef struct lq_dates_tokenizer {
    quarry_tokenizer *tok;
} lq_dates_tokenizer;

static int dates_tokenizer_gc(lua_State *L)
{
    lq_dates_tokenizer *t = luaL_checkudata(L, 1, LQ_DATES_TOKENIZER_MT);
    quarry_tokenizer_free(t->tok);
    t->tok = NULL;
    return 0;
}

/* ---- options ------------------------------------------------------------ */

static const char *const date_keys[] = {"numeric", "reference_date", "years",
                                        "infer", NULL};
static const char *const statement_keys[] = {
    "numeric", "reference_date", "years",         "infer",      "terms",
    "order",   "each_date",      "require_terms", "date_field", NULL};
static const char *const index_keys[] = {
    "numeric",   "reference_date", "years",      "infer",  "terms", "order",
    "each_date", "require_terms",  "date_field", "filter", "query", NULL};

/* Parses a reference date ("2024-04-13", "2024-04" or "2024"); raises. */
static void check_date(lua_State *L, const char *fn, const char *s,
                       quarry_date *out)
{
    if (quarry_date_parse(s, strlen(s), out) != QUARRY_OK || out->year < 1000 ||
        out->year > 2999)
        luaL_error(L,
                   "%s: reference_date '%s' is not a date from 1000 to 2999 "
                   "(YYYY-MM-DD, YYYY-MM or YYYY)",
                   fn, s);
}

static void read_dates_options(lua_State *L, int idx, const char *fn,
                               quarry_dates_options *o)
{
    const char *numeric = lq_opt_string(L, idx, "numeric");
    const char *ref = lq_opt_string(L, idx, "reference_date");
    memset(o, 0, sizeof *o);
    if (!numeric || strcmp(numeric, "none") == 0)
        o->numeric = QUARRY_DATES_NUMERIC_NONE;
    else if (strcmp(numeric, "mdy") == 0 || strcmp(numeric, "us") == 0)
        o->numeric = QUARRY_DATES_NUMERIC_MDY;
    else if (strcmp(numeric, "dmy") == 0 || strcmp(numeric, "eu") == 0)
        o->numeric = QUARRY_DATES_NUMERIC_DMY;
    else
        luaL_error(L, "%s: option 'numeric' must be none, mdy (us) or dmy (eu)",
                   fn);
    if (ref)
        check_date(L, fn, ref, &o->reference);
    if (!lq_opt_bool(L, idx, "years", 1))
        o->flags |= QUARRY_DATES_NO_YEARS;
    if (!lq_opt_bool(L, idx, "infer", 1))
        o->flags |= QUARRY_DATES_NO_INFERENCE;
}

/* Reads the statement options of the table at idx into *o; the key terms
 * are kept as a pointer array in a userdata pushed on the stack (their
 * strings stay in opts.terms). Returns the sort order. */
static int read_statement_options(lua_State *L, int idx, const char *fn,
                                  quarry_statements_options *o)
{
    const char *order = lq_opt_string(L, idx, "order");
    const char *field = lq_opt_string(L, idx, "date_field");
    memset(o, 0, sizeof *o);
    read_dates_options(L, idx, fn, &o->dates);
    o->each_date = lq_opt_bool(L, idx, "each_date", 0);
    o->require_terms = lq_opt_bool(L, idx, "require_terms", 0);
    o->date_field = field ? field : "date";
    if (lq_opt_table(L, idx))
        lua_getfield(L, idx, "terms");
    else
        lua_pushnil(L);
    if (!lua_isnil(L, -1)) {
        lua_Integer i, n;
        const char **terms;
        int t = lua_gettop(L);
        if (!lua_istable(L, t))
            luaL_error(L, "%s: option 'terms' must be an array of strings", fn);
        n = luaL_len(L, t);
        terms =
            lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *terms, 0);
        for (i = 1; i <= n; i++) {
            size_t len;
            lua_geti(L, t, i);
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L,
                           "%s: option 'terms' must hold strings (item %d "
                           "is %s)",
                           fn, (int)i, luaL_typename(L, -1));
            terms[i - 1] = lua_tolstring(L, -1, &len);
            if (len == 0 || strlen(terms[i - 1]) != len)
                luaL_error(L, "%s: key term %d is empty or holds a NUL byte",
                           fn, (int)i);
            lua_pop(L, 1);
        }
        o->terms = terms;
        o->term_count = (size_t)n;
        lua_remove(L, t); /* the userdata stays; the table is in opts */
    } else {
        lua_pop(L, 1);
    }
    if (!order || strcmp(order, "date") == 0)
        return QUARRY_STATEMENTS_BY_DATE;
    if (strcmp(order, "document") == 0)
        return QUARRY_STATEMENTS_BY_POSITION;
    return luaL_error(L, "%s: option 'order' must be date or document", fn);
}

/* ---- records ------------------------------------------------------------ */

static const char *precision_name(int p)
{
    switch (p) {
    case QUARRY_DATE_YEAR: return "year";
    case QUARRY_DATE_MONTH: return "month";
    default: return "day";
    }
}

/* Sets date, precision, inferred and (for a range) until in the table at
 * the top. */
static void set_date_fields(lua_State *L, const quarry_text_date *d)
{
    lua_pushstring(L, d->iso);
    lua_setfield(L, -2, "date");
    lua_pushstring(L, precision_name(d->date.precision));
    lua_setfield(L, -2, "precision");
    lua_pushboolean(L, d->year_inferred);
    lua_setfield(L, -2, "inferred");
    if (d->until.precision) {
        char buf[48];
        lq_format_date(&d->until, buf, sizeof buf);
        lua_pushstring(L, buf);
        lua_setfield(L, -2, "until");
    }
}

static void set_int(lua_State *L, const char *key, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

/* quarry.dates(text [, opts]) -> array of {date, precision, start, end,
 * text, inferred, until} */
static int l_dates(lua_State *L)
{
    size_t len, i;
    const char *text = luaL_checklstring(L, 1, &len);
    quarry_dates_options o;
    quarry_date_list list;
    int rc;
    lq_check_keys(L, 2, "dates", date_keys);
    read_dates_options(L, 2, "dates", &o);
    memset(&list, 0, sizeof list);
    rc = quarry_dates_find(lq_env(L), text, len, &o, &list);
    if (rc != QUARRY_OK)
        return luaL_error(L, "%s", quarry_env_errmsg(lq_env(L)));
    /* the list is copied into tables that may raise: copy it to a userdata
       the collector owns first */
    {
        quarry_text_date *items = lua_newuserdatauv(
            L, (list.count ? list.count : 1) * sizeof *items, 0);
        size_t n = list.count;
        if (n)
            memcpy(items, list.items, n * sizeof *items);
        quarry_date_list_free(lq_env(L), &list);
        lua_createtable(L, (int)n, 0);
        for (i = 0; i < n; i++) {
            const quarry_text_date *d = &items[i];
            lua_createtable(L, 0, 7);
            set_date_fields(L, d);
            set_int(L, "start", d->start + 1);
            set_int(L, "end", d->end);
            lua_pushlstring(L, text + d->start, (size_t)(d->end - d->start));
            lua_setfield(L, -2, "text");
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    return 1;
}

/* Pushes the records of st. terms_idx: the opts table holding the key terms
 * (its 'terms' array names them). labels_idx: a table of labels by document
 * number for raw texts (0: none), ix: the index for index documents. */
static void push_statements(lua_State *L, const quarry_statements *st,
                            int opts_idx, int labels_idx, quarry_index *ix)
{
    size_t i, n = quarry_statements_count(st), k;
    int terms_idx = 0;
    if (lq_opt_table(L, opts_idx)) {
        lua_getfield(L, opts_idx, "terms");
        if (lua_istable(L, -1))
            terms_idx = lua_gettop(L);
        else
            lua_pop(L, 1);
    }
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        quarry_statement r;
        luaL_Buffer b;
        quarry_statements_get(st, i, &r);
        lua_createtable(L, 0, 12);
        set_date_fields(L, r.date);
        lua_pushlstring(L, r.text, r.text_len);
        lua_setfield(L, -2, "sentence");
        set_int(L, "start", r.start + 1);
        set_int(L, "end", r.end);
        luaL_buffinit(L, &b);
        for (k = 0; k < r.term_count; k++) {
            if (k)
                luaL_addstring(&b, "; ");
            if (terms_idx) {
                lua_geti(L, terms_idx, (lua_Integer)r.terms[k] + 1);
                luaL_addvalue(&b);
            }
        }
        luaL_pushresult(&b);
        lua_setfield(L, -2, "terms");
        luaL_buffinit(L, &b);
        for (k = 0; k < r.date_count; k++) {
            if (k)
                luaL_addstring(&b, "; ");
            luaL_addstring(&b, r.dates[k].iso);
        }
        luaL_pushresult(&b);
        lua_setfield(L, -2, "dates");
        if (ix) {
            set_int(L, "doc", r.doc + 1);
            lq_push_doc_label(L, ix, r.doc);
            lua_setfield(L, -2, "label");
        } else if (labels_idx) {
            set_int(L, "doc", r.doc + 1);
            lua_geti(L, labels_idx, (lua_Integer)r.doc + 1);
            lua_setfield(L, -2, "label");
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    if (terms_idx)
        lua_remove(L, terms_idx);
}

static lq_statements *new_owner(lua_State *L)
{
    return lq_new_handle(L, sizeof(lq_statements), 1, LQ_STATEMENTS_MT);
}

/* The tokenizer for the tokenizer options at idx, from the cache in
 * upvalue 2 (created when missing). Returns NULL with nil, msg, code
 * pushed when it cannot be made; else the tokenizer, with its userdata
 * left on the stack. */
static quarry_tokenizer *cached_tokenizer(lua_State *L, int idx)
{
    quarry_tokenizer_options o;
    lq_dates_tokenizer *t;
    int key, cache = lua_upvalueindex(2), rc;
    lq_tokenizer_options(L, idx, &o, statement_keys);
    key = lua_gettop(L);
    lua_pushvalue(L, key);
    if (lua_rawget(L, cache) == LUA_TUSERDATA) {
        t = lua_touserdata(L, -1);
        lua_remove(L, key);
        return t->tok;
    }
    lua_pop(L, 1);
    t = lq_new_handle(L, sizeof *t, 1, LQ_DATES_TOKENIZER_MT);
    rc = quarry_tokenizer_new(lq_env(L), &o, &t->tok);
    if (rc != QUARRY_OK) {
        lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
        return NULL;
    }
    rc = lq_add_user_words(L, idx, t->tok);
    if (rc != QUARRY_OK) {
        lq_fail(L, rc, quarry_tokenizer_errmsg(t->tok));
        return NULL;
    }
    /* a script varying its options must not grow the cache without bound */
    lua_pushnil(L);
    {
        int count = 0;
        while (lua_next(L, cache)) {
            lua_pop(L, 1);
            count++;
        }
        if (count >= TOKENIZER_CACHE) {
            lua_newtable(L);
            lua_replace(L, cache);
        }
    }
    lua_pushvalue(L, key);
    lua_pushvalue(L, -2);
    lua_rawset(L, cache);
    lua_remove(L, key);
    return t->tok;
}

/* The reference date of a Document from its field name (a date, or a year
 * as an integer). */
static bool doc_reference(const quarry_doc *doc, const char *name,
                          quarry_date *out)
{
    const quarry_field *f = quarry_doc_find_field(doc, name);
    if (!f)
        return false;
    if (f->type == QUARRY_FIELD_DATE) {
        *out = f->value.date;
        return true;
    }
    if (f->type == QUARRY_FIELD_INTEGER && f->value.integer >= 1000 &&
        f->value.integer <= 2999) {
        memset(out, 0, sizeof *out);
        out->year = (int32_t)f->value.integer;
        out->month = out->day = 1;
        out->precision = QUARRY_DATE_YEAR;
        return true;
    }
    return false;
}

/* The reference date of a text table: its reference_date, else the value
 * of its date field in fields (a document table of quarry.read or
 * Sources:next): a date text or a year. Raises on a bad reference_date. */
static bool table_reference(lua_State *L, int idx, const char *field,
                            quarry_date *out)
{
    bool has = false;
    int t = lua_getfield(L, idx, "reference_date");
    if (t == LUA_TSTRING) {
        check_date(L, "statements", lua_tostring(L, -1), out);
        lua_pop(L, 1);
        return true;
    }
    if (t != LUA_TNIL)
        luaL_error(L, "statements: reference_date must be a string");
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "fields") == LUA_TTABLE) {
        lua_getfield(L, -1, field);
        if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1000 &&
            lua_tointeger(L, -1) <= 2999) {
            memset(out, 0, sizeof *out);
            out->year = (int32_t)lua_tointeger(L, -1);
            out->month = out->day = 1;
            out->precision = QUARRY_DATE_YEAR;
            has = true;
        } else if (lua_type(L, -1) == LUA_TSTRING) {
            size_t n;
            const char *v = lua_tolstring(L, -1, &n);
            has = quarry_date_parse(v, n, out) == QUARRY_OK &&
                  out->year >= 1000 && out->year <= 2999;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return has;
}

/* Pushes the label of a text table: its label, else the file name of its
 * source (with ":record" for a record), else "text N". */
static void push_table_label(lua_State *L, int idx, uint64_t doc)
{
    if (lua_getfield(L, idx, "label") != LUA_TNIL) {
        luaL_tolstring(L, -1, NULL);
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "source") == LUA_TSTRING) {
        const char *src = lua_tostring(L, -1), *name = strrchr(src, '/');
        lua_Integer rec;
        lua_getfield(L, idx, "record");
        rec = lua_tointeger(L, -1);
        lua_pop(L, 1);
        name = name ? name + 1 : src;
        if (rec > 0)
            lua_pushfstring(L, "%s:%I", name, rec);
        else
            lua_pushstring(L, name);
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_pushfstring(L, "text %I", (lua_Integer)doc + 1);
}

/* Adds one raw text (string, {text=, label=, reference_date=} or Document)
 * at idx as document doc; pushes its label into the table at labels_idx.
 * Returns 0, or the number of values pushed for a failure. */
static int add_raw(lua_State *L, quarry_statements *st, quarry_tokenizer *tok,
                   int idx, uint64_t doc, int labels_idx,
                   const quarry_statements_options *o)
{
    const char *text = NULL;
    size_t len = 0;
    quarry_date ref;
    bool has_ref = false;
    int rc;
    if (lua_type(L, idx) == LUA_TSTRING) {
        text = lua_tolstring(L, idx, &len);
        lua_pushfstring(L, "text %I", (lua_Integer)doc + 1);
    } else if (luaL_testudata(L, idx, LQ_DOCUMENT_MT)) {
        const quarry_doc *d = lq_check_document(L, idx);
        const char *src = quarry_doc_source(d), *name = strrchr(src, '/');
        text = quarry_doc_text(d, &len);
        name = name ? name + 1 : src;
        if (quarry_doc_record(d) > 0)
            lua_pushfstring(L, "%s:%I", name,
                            (lua_Integer)quarry_doc_record(d));
        else
            lua_pushstring(L, name);
        if (!o->dates.reference.precision)
            has_ref = doc_reference(d, o->date_field, &ref);
    } else if (lua_istable(L, idx)) {
        lua_getfield(L, idx, "text");
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "statements: text %I has no 'text' string",
                              (lua_Integer)doc + 1);
        text = lua_tolstring(L, -1, &len);
        lua_pop(L, 1); /* the table keeps it */
        if (!o->dates.reference.precision)
            has_ref = table_reference(L, idx, o->date_field, &ref);
        push_table_label(L, idx, doc);
    } else {
        return luaL_error(L,
                          "statements: text %I must be a string, a table with "
                          "'text' or a Document (got %s)",
                          (lua_Integer)doc + 1, luaL_typename(L, idx));
    }
    lua_rawseti(L, labels_idx, (lua_Integer)doc + 1);
    if (!quarry_utf8_valid(text, len))
        return lq_fail(L, QUARRY_EINVAL, "statements: text is not valid UTF-8");
    rc = quarry_statements_add_text(st, tok, doc, text, len,
                                    has_ref ? &ref : NULL);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_statements_errmsg(st));
    return 0;
}

/* quarry.statements(text | {texts...} [, opts]) -> array of records */
static int l_statements(lua_State *L)
{
    quarry_statements_options o;
    quarry_tokenizer *tok;
    lq_statements *owner;
    int order, labels, nret, is_list;
    lua_settop(L, 2);
    /* an array is a list of texts; a table without an array part is one
       text table (a document table of quarry.read) */
    is_list = lua_istable(L, 1) && lua_rawlen(L, 1) > 0;
    luaL_argexpected(L,
                     lua_type(L, 1) == LUA_TSTRING || lua_istable(L, 1) ||
                         luaL_testudata(L, 1, LQ_DOCUMENT_MT),
                     1, "string, table, Document or array of texts");
    order = read_statement_options(L, 2, "statements", &o);
    tok = cached_tokenizer(L, 2);
    if (!tok)
        return 3;
    owner = new_owner(L);
    if (quarry_statements_new(lq_env(L), &o, &owner->st) != QUARRY_OK)
        return luaL_error(L, "%s", quarry_env_errmsg(lq_env(L)));
    lua_newtable(L);
    labels = lua_gettop(L);
    if (is_list) {
        lua_Integer i, n = luaL_len(L, 1);
        for (i = 1; i <= n; i++) {
            lua_geti(L, 1, i);
            nret = add_raw(L, owner->st, tok, lua_gettop(L), (uint64_t)(i - 1),
                           labels, &o);
            if (nret)
                return nret;
            lua_pop(L, 1);
        }
    } else if ((nret = add_raw(L, owner->st, tok, 1, 0, labels, &o)) != 0) {
        return nret;
    }
    quarry_statements_sort(owner->st, order);
    push_statements(L, owner->st, 2, is_list ? labels : 0, NULL);
    return 1;
}

/* Index:statements([q] [, opts]) -> array of records */
static int l_index_statements(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1);
    const quarry_query *q = NULL;
    quarry_statements_options o;
    quarry_subcorpus *sc;
    lq_statements *owner;
    int order, sc_idx, rc;
    lua_settop(L, 3);
    if (!lua_isnil(L, 2))
        q = lq_check_query(L, 2);
    lq_check_keys(L, 3, "statements", index_keys);
    order = read_statement_options(L, 3, "statements", &o);
    sc = lq_opt_subcorpus(L, ix, 3);
    sc_idx = lua_gettop(L);
    owner = new_owner(L);
    rc = quarry_statements_new(lq_env(L), &o, &owner->st);
    if (rc != QUARRY_OK)
        return luaL_error(L, "%s", quarry_env_errmsg(lq_env(L)));
    rc = quarry_statements_add_index(owner->st, ix, sc, q);
    if (rc == QUARRY_EINVAL || rc == QUARRY_ELIMIT)
        return luaL_error(L, "%s", quarry_statements_errmsg(owner->st));
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_statements_errmsg(owner->st));
    lq_subcorpus_done(L, sc_idx);
    quarry_statements_sort(owner->st, order);
    push_statements(L, owner->st, 3, 0, ix);
    return 1;
}

static const luaL_Reg module_funcs[] = {{"dates", l_dates}, {NULL, NULL}};
static const luaL_Reg index_methods[] = {{"statements", l_index_statements},
                                         {NULL, NULL}};

void lq_open_dates(lua_State *L)
{
    if (luaL_newmetatable(L, LQ_STATEMENTS_MT)) {
        lua_pushcfunction(L, statements_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, LQ_DATES_TOKENIZER_MT)) {
        lua_pushcfunction(L, dates_tokenizer_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, module_funcs);
    lua_pushvalue(L, LQ_OPEN_STATE);
    lua_newtable(L); /* the tokenizer cache of quarry.statements */
    lua_pushcclosure(L, l_statements, 2);
    lua_setfield(L, -2, "statements");
    lua_pop(L, 1);
    lua_getfield(L, LQ_OPEN_MODULE, "_methods");
    lua_getfield(L, -1, "Index");
    lq_set_funcs(L, index_methods);
    lua_pop(L, 2);
}
