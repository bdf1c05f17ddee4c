/*
 * lquarry_qanalysis.c - Index:collocates, Index:dispersion and
 * Index:timeline (quarry.h, "Collocations, dispersion, timelines"; fields
 * documented in docs/query-analyses.md).
 *
 * Each method returns one table: an array of flat records, with the
 * analysis's totals as string-keyed fields of the same table. Core results
 * are held by a userdata on the stack while the tables are built, so a
 * memory error raised half-way frees them. Token positions are 1-based.
 */
#include "lquarry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void free_colloc(void *p)
{
    quarry_colloc_free(p);
}

static void free_dispersion(void *p)
{
    quarry_dispersion_data_free(p);
}

static void free_timeline(void *p)
{
    quarry_timeline_free(p);
}

/* opts[key] as a non-negative integer (def when absent); raises otherwise. */
static lua_Integer opt_count(lua_State *L, int idx, const char *key,
                             lua_Integer def, lua_Integer max)
{
    return lq_opt_int_range(L, idx, key, def, 0, max);
}

static void set_int(lua_State *L, const char *key, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

static void set_num(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

/* ---- collocates --------------------------------------------------------- */

static const char *const colloc_keys[] = {
    "left", "right", "window", "sentence", "min_freq", "min_o11",
    "sort", "limit", "filter", "query",    NULL};

/* idx:collocates(q[, opts]) -> records */
static int index_collocates(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1);
    const quarry_query *q;
    quarry_colloc_options o = {5, 5, 0, 3, 2};
    quarry_colloc_totals tot;
    const quarry_collocate *items;
    quarry_subcorpus *sc;
    lq_owner *owner;
    quarry_colloc *c = NULL;
    const char *sort;
    lua_Integer window, limit;
    size_t i, n, err_pos = 0;
    int rc;

    lua_settop(L, 3);
    q = lq_check_query(L, 2);
    lq_check_keys(L, 3, "collocates", colloc_keys);
    window = opt_count(L, 3, "window", 5, UINT32_MAX);
    o.left = (uint32_t)opt_count(L, 3, "left", window, UINT32_MAX);
    o.right = (uint32_t)opt_count(L, 3, "right", window, UINT32_MAX);
    o.sentence = lq_opt_bool(L, 3, "sentence", 0);
    o.min_freq = (uint64_t)opt_count(L, 3, "min_freq", 3, LUA_MAXINTEGER);
    o.min_o11 = (uint64_t)opt_count(L, 3, "min_o11", 2, LUA_MAXINTEGER);
    limit = opt_count(L, 3, "limit", 0, LUA_MAXINTEGER);
    sort = lq_opt_string(L, 3, "sort");
    sc = lq_opt_subcorpus(L, ix, 3); /* pushes its owner: index 4 */
    owner = lq_new_owner(L, free_colloc);
    rc = quarry_colloc_new(lq_env(L), ix, q, sc, &o, &c, &err_pos);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    owner->p = c;
    lq_subcorpus_done(L, 4);
    rc = quarry_colloc_sort(c, sort ? sort : "log_dice");
    if (rc == QUARRY_EINVAL)
        return luaL_error(L,
                          "collocates: unknown sort measure '%s' (o11, e11, "
                          "c1, mi, mi3, t, z, g2, chi2, dice, log_dice, "
                          "log_ratio, left, right)",
                          sort);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, "out of memory sorting collocates");
    n = quarry_colloc_count(c);
    if (limit > 0 && (size_t)limit < n)
        n = (size_t)limit;
    items = quarry_colloc_items(c);
    quarry_colloc_totals_get(c, &tot);
    lua_createtable(L, (int)n, 6);
    for (i = 0; i < n; i++) {
        const quarry_collocate *it = &items[i];
        lua_createtable(L, 0, 18);
        set_int(L, "rank", i + 1);
        lua_pushlstring(L, it->text, it->text_len);
        lua_setfield(L, -2, "collocate");
        set_int(L, "o11", it->o11);
        set_num(L, "e11", it->assoc.e11);
        set_int(L, "c1", it->c1);
        set_num(L, "mi", it->assoc.mi);
        set_num(L, "mi3", it->assoc.mi3);
        set_num(L, "t", it->assoc.t);
        set_num(L, "z", it->assoc.z);
        set_num(L, "g2", it->assoc.g2);
        set_num(L, "chi2", it->assoc.chi2);
        set_num(L, "dice", it->assoc.dice);
        set_num(L, "log_dice", it->assoc.log_dice);
        set_num(L, "log_ratio", it->assoc.log_ratio);
        set_num(L, "p", it->assoc.p_g2);
        set_num(L, "p_fisher", it->assoc.p_fisher);
        set_int(L, "left", it->left);
        set_int(L, "right", it->right);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    set_int(L, "hits", tot.hits);
    set_int(L, "docs", tot.docs);
    set_int(L, "window_tokens", tot.window_tokens);
    set_int(L, "tokens", tot.tokens);
    set_int(L, "collocates", quarry_colloc_count(c));
    lua_pushstring(L, sort ? sort : "log_dice");
    lua_setfield(L, -2, "sort");
    return 1;
}

/* ---- dispersion --------------------------------------------------------- */

static const char *const dispersion_keys[] = {"parts", "positions", "filter",
                                              "query", NULL};

/* idx:dispersion(q[, opts]) -> records */
static int index_dispersion(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1);
    const quarry_query *q;
    const quarry_dispersion *m;
    const quarry_dispersion_part *parts;
    const double *pos;
    quarry_subcorpus *sc;
    lq_owner *owner;
    quarry_dispersion_data *d = NULL;
    lua_Integer slices;
    size_t i, n, err_pos = 0;
    int rc, positions;

    lua_settop(L, 3);
    q = lq_check_query(L, 2);
    lq_check_keys(L, 3, "dispersion", dispersion_keys);
    slices = opt_count(L, 3, "parts", 0, (lua_Integer)1 << 40);
    positions = lq_opt_bool(L, 3, "positions", 1);
    sc = lq_opt_subcorpus(L, ix, 3);
    owner = lq_new_owner(L, free_dispersion);
    rc = quarry_dispersion_data_new(lq_env(L), ix, q, sc, (size_t)slices, &d,
                                    &err_pos);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    owner->p = d;
    lq_subcorpus_done(L, 4);
    n = quarry_dispersion_data_part_count(d);
    parts = quarry_dispersion_data_parts(d);
    lua_createtable(L, (int)n, 6);
    for (i = 0; i < n; i++) {
        const quarry_dispersion_part *p = &parts[i];
        lua_createtable(L, 0, 7);
        set_int(L, "part", i + 1);
        set_int(L, "doc", p->doc + 1);
        lq_push_doc_label(L, ix, p->doc);
        lua_setfield(L, -2, "label");
        set_int(L, "start", p->first + 1);
        set_int(L, "tokens", p->tokens);
        set_int(L, "hits", p->hits);
        set_num(L, "per_million",
                p->tokens ? (double)p->hits * 1e6 / (double)p->tokens : NAN);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    m = quarry_dispersion_data_measures(d);
    lua_createtable(L, 0, 5);
    set_int(L, "parts", (uint64_t)m->parts);
    set_int(L, "range", (uint64_t)m->range);
    set_num(L, "juilland_d", m->juilland_d);
    set_num(L, "gries_dp", m->gries_dp);
    set_num(L, "gries_dp_norm", m->gries_dp_norm);
    lua_setfield(L, -2, "measures");
    n = quarry_dispersion_data_hit_count(d);
    set_int(L, "hits", n);
    set_int(L, "tokens", quarry_dispersion_data_tokens(d));
    lua_pushstring(L, slices > 0 ? "parts" : "documents");
    lua_setfield(L, -2, "unit");
    if (positions) {
        pos = quarry_dispersion_data_positions(d);
        lua_createtable(L, (int)n, 0);
        for (i = 0; i < n; i++) {
            lua_pushnumber(L, pos[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "positions");
    }
    return 1;
}

/* ---- timeline ----------------------------------------------------------- */

static const char *const timeline_keys[] = {"by", "period", "filter", "query",
                                            NULL};

static int period_of(lua_State *L, const char *name)
{
    static const char *const names[] = {"value", "year", "decade", "quarter",
                                        "month", "day",  NULL};
    static const int codes[] = {QUARRY_PERIOD_VALUE,  QUARRY_PERIOD_YEAR,
                                QUARRY_PERIOD_DECADE, QUARRY_PERIOD_QUARTER,
                                QUARRY_PERIOD_MONTH,  QUARRY_PERIOD_DAY};
    size_t i;
    for (i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return codes[i];
    return luaL_error(L,
                      "timeline: unknown period '%s' (year, decade, quarter, "
                      "month, day or value)",
                      name);
}

/* The field to group by when none is given: the first date field of the
 * index, else a field named "year"; NULL if neither exists. */
static const char *default_field(quarry_index *ix)
{
    size_t i, n = quarry_index_field_count(ix);
    const char *year = NULL;
    for (i = 0; i < n; i++) {
        quarry_summary_field f;
        if (quarry_index_field_get(ix, i, &f) != QUARRY_OK)
            continue;
        if (f.type == QUARRY_FIELD_DATE)
            return f.name;
        if (strcmp(f.name, "year") == 0)
            year = f.name;
    }
    return year;
}

/* Pushes {period, doc, label, position, value} of an extreme hit under
 * keys prefixed with prefix ("first_", "last_") into the table at -1. */
static void set_extreme(lua_State *L, quarry_index *ix,
                        const quarry_timeline *t, const quarry_timeline_hit *h,
                        const char *field, const char *prefix)
{
    char key[32];
    if (!h->found)
        return;
    snprintf(key, sizeof key, "%speriod", prefix);
    lua_pushstring(L, quarry_timeline_period_label(t, h->period));
    lua_setfield(L, -2, key);
    snprintf(key, sizeof key, "%sdoc", prefix);
    set_int(L, key, h->doc + 1);
    snprintf(key, sizeof key, "%slabel", prefix);
    lq_push_doc_label(L, ix, h->doc);
    lua_setfield(L, -2, key);
    snprintf(key, sizeof key, "%sposition", prefix);
    set_int(L, key, h->first + 1);
    snprintf(key, sizeof key, "%s%s", prefix, "value");
    lq_push_doc_field(L, ix, h->doc, field);
    lua_setfield(L, -2, key);
}

/* idx:timeline(queries[, opts]) -> records */
static int index_timeline(lua_State *L)
{
    quarry_index *ix = lq_check_index(L, 1);
    const quarry_query **qs;
    quarry_subcorpus *sc;
    lq_owner *owner;
    quarry_timeline *t = NULL;
    const char *field, *period_name;
    size_t i, j, nq, np, failed = 0, err_pos = 0;
    int rc, period, labels, first_query, sc_idx;

    lua_settop(L, 3);
    lq_check_keys(L, 3, "timeline", timeline_keys);
    nq = lua_type(L, 2) == LUA_TTABLE ? (size_t)lua_rawlen(L, 2) : 1;
    if (nq == 0)
        return luaL_argerror(L, 2, "no queries");
    luaL_checkstack(L, (int)nq + 16, "too many queries");
    lua_createtable(L, (int)nq, 0); /* 4: the query texts */
    labels = lua_gettop(L);
    qs = lua_newuserdatauv(L, nq * sizeof *qs, 0); /* 5 */
    first_query = lua_gettop(L) + 1;
    for (i = 0; i < nq; i++) {
        int idx = first_query + (int)i;
        if (lua_type(L, 2) == LUA_TTABLE)
            lua_rawgeti(L, 2, (lua_Integer)i + 1);
        else
            lua_pushvalue(L, 2);
        if (lua_type(L, idx) == LUA_TSTRING)
            lua_pushvalue(L, idx); /* compiled in place below */
        else
            lua_pushnil(L);
        qs[i] = lq_check_query(L, idx);
        if (lua_isnil(L, -1)) {
            const char *text = quarry_query_text(qs[i]);
            lua_pop(L, 1);
            lua_pushstring(L, text && *text ? text : "dictionary");
        }
        lua_rawseti(L, labels, (lua_Integer)i + 1);
    }
    field = lq_opt_string(L, 3, "by");
    if (!field && !(field = default_field(ix)))
        return lq_fail(L, QUARRY_EINVAL,
                       "timeline: the index has no date field and no "
                       "'year' field; name one with 'by'");
    period_name = lq_opt_string(L, 3, "period");
    period = period_of(L, period_name ? period_name : "year");
    sc = lq_opt_subcorpus(L, ix, 3);
    sc_idx = lua_gettop(L);
    owner = lq_new_owner(L, free_timeline);
    rc = quarry_timeline_new(lq_env(L), ix, qs, nq, field, period, sc, &t,
                             &failed, &err_pos);
    if (rc != QUARRY_OK)
        return lq_fail(L, rc, quarry_env_errmsg(lq_env(L)));
    owner->p = t;
    lq_subcorpus_done(L, sc_idx);
    np = quarry_timeline_period_count(t);
    lua_createtable(L, (int)(np * nq), 3);
    for (i = 0; i < np; i++) {
        const char *label = quarry_timeline_period_label(t, i);
        uint64_t docs = quarry_timeline_period_docs(t, i);
        uint64_t tokens = quarry_timeline_period_tokens(t, i);
        for (j = 0; j < nq; j++) {
            const quarry_timeline_cell *cell =
                quarry_timeline_cell_get(t, i, j);
            lua_createtable(L, 0, 8);
            lua_pushstring(L, label);
            lua_setfield(L, -2, "period");
            lua_rawgeti(L, labels, (lua_Integer)j + 1);
            lua_setfield(L, -2, "query");
            set_int(L, "hits", cell->hits);
            set_num(L, "per_million",
                    tokens ? (double)cell->hits * 1e6 / (double)tokens : NAN);
            set_int(L, "docs", cell->docs);
            set_int(L, "docs_total", docs);
            set_num(L, "share", docs ? (double)cell->docs / (double)docs : NAN);
            set_int(L, "tokens", tokens);
            lua_rawseti(L, -2, (lua_Integer)(i * nq + j) + 1);
        }
    }
    lua_createtable(L, (int)np, 0);
    for (i = 0; i < np; i++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, quarry_timeline_period_label(t, i));
        lua_setfield(L, -2, "period");
        set_int(L, "docs", quarry_timeline_period_docs(t, i));
        set_int(L, "tokens", quarry_timeline_period_tokens(t, i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "periods");
    lua_createtable(L, (int)nq, 0);
    for (j = 0; j < nq; j++) {
        uint64_t hits = 0, docs = 0;
        for (i = 0; i < np; i++) {
            hits += quarry_timeline_cell_get(t, i, j)->hits;
            docs += quarry_timeline_cell_get(t, i, j)->docs;
        }
        lua_createtable(L, 0, 13);
        lua_rawgeti(L, labels, (lua_Integer)j + 1);
        lua_setfield(L, -2, "query");
        set_int(L, "hits", hits);
        set_int(L, "docs", docs);
        set_extreme(L, ix, t, quarry_timeline_extreme(t, j, 0), field,
                    "first_");
        set_extreme(L, ix, t, quarry_timeline_extreme(t, j, 1), field, "last_");
        lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_setfield(L, -2, "queries");
    lua_pushstring(L, field);
    lua_setfield(L, -2, "by");
    lua_pushstring(L, period_name ? period_name : "year");
    lua_setfield(L, -2, "period");
    return 1;
}

static const luaL_Reg index_methods[] = {{"collocates", index_collocates},
                                         {"dispersion", index_dispersion},
                                         {"timeline", index_timeline},
                                         {NULL, NULL}};

void lq_open_qanalysis(lua_State *L)
{
    lua_getfield(L, LQ_OPEN_MODULE, "_methods");
    lua_getfield(L, -1, "Index");
    lq_set_funcs(L, index_methods);
    lua_pop(L, 2);
}
