/*
 * lquarry_analysis.c - Index:freq, Index:ngrams, Index:keyness and
 * Index:lexstats (quarry.h, "Frequency lists, n-grams, keyness, lexical
 * statistics"; records documented in docs/frequency.md), and
 * quarry.stopwords(name), the built-in stop lists.
 *
 * Each method returns one array of flat records and, as a second value, a
 * table of totals. Core objects (stop list, groups, results) are owned by
 * userdata on the stack while the tables are built, so an error raised
 * half-way frees them.
 */
#include "lquarry.h"

#include <math.h>
#include <string.h>

static void free_stop(void *p)
{
    quarry_stopwords_free(p);
}
static void free_groups(void *p)
{
    quarry_groups_free(p);
}
static void free_freq(void *p)
{
    quarry_freq_free(p);
}
static void free_keywords(void *p)
{
    quarry_keywords_free(p);
}
static void free_lexstats(void *p)
{
    quarry_lexstats_free(p);
}

/* ---- options ------------------------------------------------------------ */

/* opts[key] as a number in [lo, hi] (def when absent). */
static double opt_num(lua_State *L, int idx, const char *key, double def,
                      double lo, double hi)
{
    double v = def;
    if (!lq_opt_table(L, idx))
        return def;
    lua_getfield(L, idx, key);
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "option '%s' must be a number, got %s", key,
                       luaL_typename(L, -1));
        v = lua_tonumber(L, -1);
        if (!(v >= lo && v <= hi))
            luaL_error(L, "option '%s' must be from %f to %f", key, lo, hi);
    }
    lua_pop(L, 1);
    return v;
}

static int opt_choice(lua_State *L, int idx, const char *key,
                      const char *const *names, int def)
{
    const char *s = lq_opt_string(L, idx, key);
    int i;
    if (!s)
        return def;
    for (i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    lua_pushstring(L, names[0]);
    for (i = 1; names[i]; i++)
        lua_pushfstring(L, "%s, %s", lua_tostring(L, -1), names[i]);
    return luaL_error(L, "option '%s': unknown value '%s' (%s)", key, s,
                      lua_tostring(L, -1));
}

static const char *const unit_names[] = {"words", "terms", "surface", NULL};
static const char *const unit_label[] = {"words", "terms", "surface"};
static const char *const period_names[] = {"value", "year", "decade", "quarter",
                                           "month", "day",  NULL};

/* Builds the stop list of opts.stop ("en", "zh", "all" or an array of
 * words) and opts.stop_file (a path), owned by a userdata pushed in every
 * case. Returns 0 with the list in *out (NULL: none), or the number of
 * values of a nil, message, code failure pushed on top (a missing or
 * unreadable file). */
static int opt_stop(lua_State *L, int idx, quarry_stopwords **out)
{
    lq_owner *u = lq_new_owner(L, free_stop);
    const char *file = lq_opt_string(L, idx, "stop_file");
    quarry_stopwords *sw;
    int rc, t;
    *out = NULL;
    if (!lq_opt_table(L, idx))
        return 0;
    t = lua_getfield(L, idx, "stop");
    if (t == LUA_TNIL && !file) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TNIL && t != LUA_TSTRING && t != LUA_TTABLE)
        luaL_error(L, "option 'stop' must be \"en\", \"zh\", \"all\" or an "
                      "array of words");
    rc = quarry_stopwords_new(lq_env(L), &sw);
    if (rc != QUARRY_OK)
        luaL_error(L, "%s", quarry_env_errmsg(lq_env(L)));
    u->p = sw;
    if (t == LUA_TSTRING) {
        if (quarry_stopwords_add_builtin(sw, lua_tostring(L, -1)) != QUARRY_OK)
            luaL_error(L, "option 'stop': %s", quarry_stopwords_errmsg(sw));
    } else if (t == LUA_TTABLE) {
        lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);
        for (i = 1; i <= n; i++) {
            size_t len;
            const char *w;
            lua_rawgeti(L, -1, i);
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "option 'stop': item %I is not a string", i);
            w = lua_tolstring(L, -1, &len);
            if (quarry_stopwords_add(sw, w, len) != QUARRY_OK)
                luaL_error(L, "option 'stop': item %I: %s", i,
                           quarry_stopwords_errmsg(sw));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    if (file) {
        rc = quarry_stopwords_add_file(sw, file);
        if (rc != QUARRY_OK)
            return lq_fail(L, rc, quarry_stopwords_errmsg(sw));
    }
    *out = sw;
    return 0;
}

/* The first field of ix named field: its unified type, or 0 if absent. */
static int field_type(quarry_index *ix, const char *field)
{
    size_t i, n = quarry_index_field_count(ix);
    for (i = 0; i < n; i++) {
        quarry_summary_field f;
        if (quarry_index_field_get(ix, i, &f) == QUARRY_OK &&
            strcmp(f.name, field) == 0)
            return f.type;
    }
    return 0;
}

/* Builds the groups of opts.by / opts.period over sc, owned by a userdata
 * pushed in every case. Returns 0 (*out NULL without opts.by) or the
 * values of a failure pushed on top. */
static int opt_groups(lua_State *L, int idx, quarry_index *ix,
                      const quarry_subcorpus *sc, quarry_groups **out)
{
    lq_owner *u = lq_new_owner(L, free_groups);
    const char *by = lq_opt_string(L, idx, "by");
    int period, rc;
    *out = NULL;
    period = opt_choice(L, idx, "period", period_names, -1);
    if (!by) {
        if (period >= 0)
            luaL_error(L, "option 'period' needs 'by' (the field to group "
                          "by)");
        return 0;
    }
    if (period < 0) /* dates by year, anything else by value */
        period = field_type(ix, by) == QUARRY_FIELD_DATE ? QUARRY_PERIOD_YEAR
                                                         : QUARRY_PERIOD_VALUE;
    rc = quarry_groups_new(lq_env(L), ix, by, period, sc, out);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    u->p = *out;
    return 0;
}

static void set_int(lua_State *L, const char *key, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

/* Sets a number, or nothing for NaN (records stay JSON-friendly). */
static void set_num(lua_State *L, const char *key, double v)
{
    if (isnan(v))
        return;
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

static void set_str(lua_State *L, const char *key, const char *s)
{
    lua_pushstring(L, s);
    lua_setfield(L, -2, key);
}

/* ---- freq and ngrams ---------------------------------------------------- */

static const char *const freq_keys[] = {
    "unit",   "min_count", "top",    "stop",  "stop_file", "by",
    "period", "punct",     "filter", "query", NULL};
static const char *const ngram_keys[] = {
    "n",  "unit",   "min_count", "top",    "stop",  "stop_file",
    "by", "period", "punct",     "filter", "query", NULL};

static int freq_common(lua_State *L, int ngrams)
{
    const char *method = ngrams ? "ngrams" : "freq";
    quarry_index *ix = lq_check_index(L, 1);
    quarry_freq_options o;
    quarry_stopwords *sw;
    quarry_groups *g;
    quarry_subcorpus *sc;
    quarry_freq *f = NULL;
    lq_owner *owner;
    size_t i, n, ng;
    int rc, top;

    lua_settop(L, 2);
    lq_check_keys(L, 2, method, ngrams ? ngram_keys : freq_keys);
    memset(&o, 0, sizeof o);
    o.unit = opt_choice(L, 2, "unit", unit_names, QUARRY_UNIT_WORDS);
    o.n = ngrams ? (unsigned)lq_opt_int_range(L, 2, "n", 2, 2, 5) : 1;
    o.min_count =
        (uint64_t)lq_opt_int_range(L, 2, "min_count", 0, 0, LUA_MAXINTEGER);
    o.top = (size_t)lq_opt_int_range(L, 2, "top", 0, 0, LUA_MAXINTEGER);
    o.include_punct = lq_opt_bool(L, 2, "punct", 0);
    if ((rc = opt_stop(L, 2, &sw)) != 0) /* 3 */
        return rc;
    o.stop = sw;
    sc = lq_opt_subcorpus(L, ix, 2);              /* 4 */
    if ((rc = opt_groups(L, 2, ix, sc, &g)) != 0) /* 5 */
        return rc;
    o.groups = g;
    owner = lq_new_owner(L, free_freq); /* 6 */
    rc = quarry_freq_new(lq_env(L), ix, sc, &o, &f);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    owner->p = f;
    n = quarry_freq_count(f);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        quarry_freq_entry e;
        quarry_freq_get(f, i, &e);
        lua_createtable(L, 0, 6);
        set_int(L, "rank", e.rank);
        lua_pushlstring(L, e.text, e.len);
        lua_setfield(L, -2, ngrams ? "ngram" : "term");
        set_int(L, "count", e.count);
        set_num(L, "per_million", e.per_million);
        set_int(L, "docs", e.docs);
        if (g)
            set_str(L, "group", quarry_groups_label(g, e.group));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    /* totals: of the whole list, and per group */
    lua_createtable(L, 0, 8);
    top = lua_gettop(L);
    {
        quarry_freq_totals all, t;
        memset(&all, 0, sizeof all);
        ng = quarry_freq_group_count(f);
        if (g)
            lua_createtable(L, (int)ng, 0);
        for (i = 0; i < ng; i++) {
            quarry_freq_totals_get(f, i, &t);
            all.docs += t.docs;
            all.tokens += t.tokens;
            all.ngrams += t.ngrams;
            all.types = t.types; /* one list: its types */
            if (g) {
                lua_createtable(L, 0, 5);
                set_str(L, "group", quarry_groups_label(g, i));
                set_int(L, "docs", t.docs);
                set_int(L, "tokens", t.tokens);
                set_int(L, "types", t.types);
                if (ngrams)
                    set_int(L, "ngrams", t.ngrams);
                lua_rawseti(L, -2, (lua_Integer)i + 1);
            }
        }
        if (g)
            lua_setfield(L, top, "groups");
        set_int(L, "docs", all.docs);
        set_int(L, "tokens", all.tokens);
        if (!g)
            set_int(L, "types", all.types);
        if (ngrams) {
            set_int(L, "ngrams", all.ngrams);
            set_int(L, "n", o.n);
        }
        set_str(L, "unit", unit_label[o.unit]);
        set_int(L, "entries", n);
    }
    return 2;
}

static int index_freq(lua_State *L)
{
    return freq_common(L, 0);
}

static int index_ngrams(lua_State *L)
{
    return freq_common(L, 1);
}

/* ---- keyness ------------------------------------------------------------ */

static const char *const keyness_keys[] = {
    "target",    "reference", "reference_index", "unit", "punct", "stop",
    "stop_file", "measure",   "min_freq",        "p",    "yates", "smooth",
    "top",       NULL};
static const char *const side_keys[] = {"filter", "query", NULL};
static const char *const measure_names[] = {"g2",           "log_ratio", "chi2",
                                            "simple_maths", "pct_diff",  NULL};

/* The subcorpus of the side table opts[key] over ix (one value pushed). */
static quarry_subcorpus *side_subcorpus(lua_State *L, int opts, const char *key,
                                        quarry_index *ix)
{
    quarry_subcorpus *sc;
    int t = lq_opt_table(L, opts) ? lua_getfield(L, opts, key) : LUA_TNIL;
    if (t == LUA_TNIL) {
        if (lq_opt_table(L, opts))
            lua_pop(L, 1);
        lua_pushnil(L);
        return NULL;
    }
    if (t != LUA_TTABLE)
        luaL_error(L,
                   "option '%s' must be a table {filter = ..., query = "
                   "...}",
                   key);
    lq_check_keys(L, lua_gettop(L), key, side_keys);
    sc = lq_opt_subcorpus(L, ix, lua_gettop(L));
    lua_remove(L, -2);
    return sc;
}

static int index_keyness(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1), *rix = NULL;
    quarry_keywords_options o;
    quarry_stopwords *sw;
    quarry_subcorpus *tsc, *rsc;
    quarry_keywords *kw = NULL;
    lq_owner *owner;
    uint64_t tt, td, rt, rd;
    size_t i, n;
    int rc, has_ref;

    lua_settop(L, 2);
    lq_check_keys(L, 2, "keyness", keyness_keys);
    quarry_keywords_options_init(&o);
    o.unit = opt_choice(L, 2, "unit", unit_names, QUARRY_UNIT_WORDS);
    o.include_punct = lq_opt_bool(L, 2, "punct", 0);
    o.measure = opt_choice(L, 2, "measure", measure_names, QUARRY_KEY_G2);
    o.min_freq =
        (uint64_t)lq_opt_int_range(L, 2, "min_freq", 3, 0, LUA_MAXINTEGER);
    o.max_p = opt_num(L, 2, "p", 0.05, 0.0, 1.0);
    o.yates = lq_opt_bool(L, 2, "yates", 0);
    o.smooth = opt_num(L, 2, "smooth", 1.0, 0.0, HUGE_VAL);
    o.top = (size_t)lq_opt_int_range(L, 2, "top", 0, 0, LUA_MAXINTEGER);
    if ((rc = opt_stop(L, 2, &sw)) != 0) /* 3 */
        return rc;
    o.stop = sw;
    if (lq_opt_table(L, 2)) {
        if (lua_getfield(L, 2, "reference_index") != LUA_TNIL)
            rix = lq_check_index(L, lua_gettop(L));
        lua_pop(L, 1); /* the opts table keeps the Index alive */
        lua_getfield(L, 2, "reference");
        has_ref = !lua_isnil(L, -1);
        lua_pop(L, 1);
    } else {
        has_ref = 0;
    }
    tsc = side_subcorpus(L, 2, "target", ix);                /* 4 */
    rsc = side_subcorpus(L, 2, "reference", rix ? rix : ix); /* 5 */
    if (has_ref && !rix)
        rix = ix; /* a reference subcorpus of the same index */
    owner = lq_new_owner(L, free_keywords); /* 6 */
    rc = quarry_keywords_new(lq_env(L), ix, tsc, rix, rsc, &o, &kw);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    owner->p = kw;
    n = quarry_keywords_count(kw);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        quarry_keyword k;
        quarry_keywords_get(kw, i, &k);
        lua_createtable(L, 0, 14);
        set_int(L, "rank", k.rank);
        lua_pushlstring(L, k.text, k.len);
        lua_setfield(L, -2, "term");
        set_str(L, "direction", k.direction > 0 ? "+" : "-");
        set_int(L, "freq_target", (uint64_t)k.k.a);
        set_int(L, "freq_reference", (uint64_t)k.k.b);
        set_num(L, "per_million_target", k.per_million_target);
        set_num(L, "per_million_reference", k.per_million_reference);
        set_num(L, "g2", k.k.g2);
        set_num(L, "p", k.p);
        set_num(L, "log_ratio", k.k.log_ratio);
        set_num(L, "chi2", k.chi2);
        set_num(L, "pct_diff", k.k.pct_diff);
        set_num(L, "simple_maths", k.k.simple_maths);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    quarry_keywords_sizes(kw, &tt, &td, &rt, &rd);
    lua_createtable(L, 0, 8);
    set_int(L, "target_tokens", tt);
    set_int(L, "target_docs", td);
    set_int(L, "reference_tokens", rt);
    set_int(L, "reference_docs", rd);
    set_str(L, "measure", measure_names[o.measure]);
    set_str(L, "unit", unit_label[o.unit]);
    set_int(L, "entries", n);
    return 2;
}

/* ---- lexstats ----------------------------------------------------------- */

static const char *const lexstats_keys[] = {"unit",   "punct",  "window", "by",
                                            "period", "filter", "query",  NULL};

/* Sets the statistics of row into the table on top. */
static void set_row(lua_State *L, const quarry_lexstats_row *r)
{
    set_int(L, "tokens", r->tokens);
    set_int(L, "types", r->types);
    set_num(L, "ttr", r->ttr);
    set_num(L, "mattr", r->mattr);
    set_int(L, "hapax", r->hapax);
    if (r->types)
        set_num(L, "hapax_ratio", (double)r->hapax / (double)r->types);
}

static int index_lexstats(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1);
    quarry_lexstats_options o;
    quarry_subcorpus *sc;
    quarry_groups *g;
    quarry_lexstats *ls = NULL;
    quarry_lexstats_row r;
    lq_owner *owner;
    size_t i, n;
    int rc, docs_idx;

    lua_settop(L, 2);
    lq_check_keys(L, 2, "lexstats", lexstats_keys);
    memset(&o, 0, sizeof o);
    o.unit = opt_choice(L, 2, "unit", unit_names, QUARRY_UNIT_WORDS);
    o.include_punct = lq_opt_bool(L, 2, "punct", 0);
    o.window = (uint32_t)lq_opt_int_range(L, 2, "window", 100, 1, UINT32_MAX);
    sc = lq_opt_subcorpus(L, ix, 2);              /* 3 */
    if ((rc = opt_groups(L, 2, ix, sc, &g)) != 0) /* 4 */
        return rc;
    o.groups = g;
    owner = lq_new_owner(L, free_lexstats); /* 5 */
    rc = quarry_lexstats_new(lq_env(L), ix, sc, &o, &ls);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    owner->p = ls;
    n = quarry_lexstats_doc_count(ls);
    lua_createtable(L, (int)n, 0); /* 6: document records */
    docs_idx = lua_gettop(L);
    for (i = 0; i < n; i++) {
        quarry_lexstats_doc_get(ls, i, &r);
        lua_createtable(L, 0, 9);
        set_int(L, "doc", r.doc + 1);
        lq_push_doc_label(L, ix, r.doc);
        lua_setfield(L, -2, "label");
        set_row(L, &r);
        if (g && r.group != SIZE_MAX)
            set_str(L, "group", quarry_groups_label(g, r.group));
        lua_rawseti(L, docs_idx, (lua_Integer)i + 1);
    }
    if (g) { /* 7: group records */
        n = quarry_lexstats_group_count(ls);
        lua_createtable(L, (int)n, 0);
        for (i = 0; i < n; i++) {
            quarry_lexstats_group_get(ls, i, &r);
            lua_createtable(L, 0, 8);
            set_str(L, "group", quarry_groups_label(g, i));
            set_int(L, "docs", r.docs);
            set_row(L, &r);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    } else {
        lua_pushvalue(L, docs_idx);
    }
    lua_createtable(L, 0, 10); /* the totals */
    quarry_lexstats_total_get(ls, &r);
    set_int(L, "docs", r.docs);
    set_row(L, &r);
    set_int(L, "window", o.window);
    set_str(L, "unit", unit_label[o.unit]);
    if (g) {
        lua_pushvalue(L, docs_idx);
        lua_setfield(L, -2, "documents");
    }
    return 2;
}

/* ---- quarry.stopwords --------------------------------------------------- */

static int module_stopwords(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    size_t n, i;
    const char *const *list = quarry_stopwords_builtin(name, &n);
    if (!list)
        return luaL_argerror(L, 1,
                             "no built-in stop list by that name (en "
                             "or zh)");
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushstring(L, list[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static const luaL_Reg index_methods[] = {{"freq", index_freq},
                                         {"ngrams", index_ngrams},
                                         {"keyness", index_keyness},
                                         {"lexstats", index_lexstats},
                                         {NULL, NULL}};

static const luaL_Reg module_funcs[] = {{"stopwords", module_stopwords},
                                        {NULL, NULL}};

void lq_open_analysis(lua_State *L)
{
    lua_getfield(L, LQ_OPEN_MODULE, "_methods");
    lua_getfield(L, -1, "Index");
    lq_set_funcs(L, index_methods);
    lua_pop(L, 2);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, module_funcs);
    lua_pop(L, 1);
}
