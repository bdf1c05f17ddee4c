/*
 * lquarry_stats.c - quarry.stats: the association, keyness, dispersion and
 * chi-squared functions of the core (quarry.h, "Statistics") for Lua.
 *
 * Every function returns one flat table whose fields are those of the C
 * struct, so analyses and scripts see the same names as docs/statistics.md.
 * Undefined measures stay numbers (NaN or +-inf, as the core gives them)
 * rather than nil, so a record always has every field. Counts must be
 * finite non-negative numbers: anything else is a programming error and
 * raises, as does a frequency above its corpus size.
 */
#include "lquarry.h"

#include <math.h>

/* Reads a count: a real number (not a numeric string), finite, >= 0.
 * Returns NULL or the reason it is not one. */
static const char *count_error(lua_State *L, int idx, double *out)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        return "a number";
    *out = lua_tonumber(L, idx);
    if (!isfinite(*out) || *out < 0)
        return "a finite number >= 0";
    return NULL;
}

static double check_count(lua_State *L, int arg, const char *what)
{
    double v = 0;
    const char *want = count_error(L, arg, &v);
    if (want)
        luaL_argerror(L, arg,
                      lua_pushfstring(L, "%s must be %s, got %s", what, want,
                                      lua_type(L, arg) == LUA_TNUMBER
                                          ? "an out-of-range number"
                                          : luaL_typename(L, arg)));
    return v;
}

static void set_number(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

/* Counts go back as integers when they are whole, so a record shows 8,
 * not 8.0, for the counts it was given. */
static void set_count(lua_State *L, const char *key, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        lua_pushinteger(L, (lua_Integer)v);
    else
        lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

static int stats_association(lua_State *L)
{
    double o11 = check_count(L, 1, "o11");
    double o12 = check_count(L, 2, "o12");
    double o21 = check_count(L, 3, "o21");
    double o22 = check_count(L, 4, "o22");
    quarry_assoc a;
    quarry_assoc_compute(o11, o12, o21, o22, &a);
    lua_createtable(L, 0, 19); /* the 19 fields of quarry_assoc */
    set_count(L, "o11", a.o11);
    set_count(L, "o12", a.o12);
    set_count(L, "o21", a.o21);
    set_count(L, "o22", a.o22);
    set_count(L, "n", a.n);
    set_number(L, "e11", a.e11);
    set_number(L, "mi", a.mi);
    set_number(L, "mi3", a.mi3);
    set_number(L, "t", a.t);
    set_number(L, "z", a.z);
    set_number(L, "g2", a.g2);
    set_number(L, "chi2", a.chi2);
    set_number(L, "chi2_yates", a.chi2_yates);
    set_number(L, "dice", a.dice);
    set_number(L, "log_dice", a.log_dice);
    set_number(L, "log_ratio", a.log_ratio);
    set_number(L, "p_g2", a.p_g2);
    set_number(L, "p_chi2", a.p_chi2);
    set_number(L, "p_fisher", a.p_fisher);
    return 1;
}

static int stats_keyness(lua_State *L)
{
    double a = check_count(L, 1, "freq_target");
    double n1 = check_count(L, 2, "size_target");
    double b = check_count(L, 3, "freq_ref");
    double n2 = check_count(L, 4, "size_ref");
    double smooth = 1.0;
    if (n1 <= 0)
        luaL_argerror(L, 2, "size_target must be > 0");
    if (n2 <= 0)
        luaL_argerror(L, 4, "size_ref must be > 0");
    if (a > n1)
        luaL_argerror(L, 1, "freq_target exceeds size_target");
    if (b > n2)
        luaL_argerror(L, 3, "freq_ref exceeds size_ref");
    if (lq_opt_table(L, 5)) {
        lua_getfield(L, 5, "smooth");
        if (!lua_isnil(L, -1)) {
            const char *want = count_error(L, -1, &smooth);
            if (want)
                luaL_error(L, "opts.smooth must be %s", want);
        }
        lua_pop(L, 1);
    }
    quarry_keyness k;
    quarry_keyness_compute(a, n1, b, n2, smooth, &k);
    lua_createtable(L, 0, 15);
    set_count(L, "a", k.a);
    set_count(L, "b", k.b);
    set_count(L, "n1", k.n1);
    set_count(L, "n2", k.n2);
    set_number(L, "e1", k.e1);
    set_number(L, "e2", k.e2);
    set_number(L, "g2", k.g2);
    set_number(L, "chi2", k.chi2);
    set_number(L, "chi2_yates", k.chi2_yates);
    set_number(L, "log_ratio", k.log_ratio);
    set_number(L, "pct_diff", k.pct_diff);
    set_number(L, "simple_maths", k.simple_maths);
    set_count(L, "smooth", smooth);
    set_number(L, "p_g2", k.p_g2);
    set_number(L, "p_chi2", k.p_chi2);
    return 1;
}

/* Reads the array at idx (a sequence of counts) into a fresh userdata
 * buffer left on the stack, so it is collected even when a later check
 * raises. */
static double *check_counts(lua_State *L, int idx, const char *what,
                            lua_Integer *n)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    *n = luaL_len(L, idx);
    double *v = lua_newuserdatauv(L, (size_t)(*n ? *n : 1) * sizeof *v, 0);
    for (lua_Integer i = 1; i <= *n; i++) {
        lua_geti(L, idx, i);
        if (lua_type(L, -1) != LUA_TNUMBER)
            luaL_error(L, "%s[%d] must be a number, got %s", what, (int)i,
                       luaL_typename(L, -1));
        double x = lua_tonumber(L, -1);
        if (!isfinite(x) || x < 0)
            luaL_error(L, "%s[%d] must be a finite number >= 0", what, (int)i);
        v[i - 1] = x;
        lua_pop(L, 1);
    }
    return v;
}

static int stats_dispersion(lua_State *L)
{
    lua_Integer nf, ns;
    const double *freqs = check_counts(L, 1, "freqs", &nf);
    const double *sizes = check_counts(L, 2, "sizes", &ns);
    if (nf != ns)
        return luaL_error(L, "freqs and sizes differ in length (%d, %d)",
                          (int)nf, (int)ns);
    if (nf == 0)
        return luaL_error(L, "dispersion needs at least one part");
    quarry_dispersion d;
    if (quarry_dispersion_compute(freqs, sizes, (size_t)nf, &d) != QUARRY_OK)
        return luaL_error(L, "the parts have no tokens (sizes sum to 0)");
    lua_createtable(L, 0, 5);
    set_count(L, "parts", d.parts);
    set_count(L, "range", d.range);
    set_number(L, "juilland_d", d.juilland_d);
    set_number(L, "gries_dp", d.gries_dp);
    set_number(L, "gries_dp_norm", d.gries_dp_norm);
    return 1;
}

static int stats_pvalue(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TNUMBER)
        luaL_argerror(
            L, 1,
            lua_pushfstring(L, "number expected, got %s", luaL_typename(L, 1)));
    double x = lua_tonumber(L, 1);
    if (isnan(x))
        luaL_argerror(L, 1, "x is NaN");
    lua_Integer df = 1;
    if (!lua_isnoneornil(L, 2)) {
        if (!lua_isinteger(L, 2))
            luaL_argerror(L, 2, "df must be an integer");
        df = lua_tointeger(L, 2);
        if (df < 1 || df > 1000000000)
            luaL_argerror(L, 2, "df must be between 1 and 1e9");
    }
    lua_pushnumber(L, quarry_chi2_pvalue(x, (unsigned)df));
    return 1;
}

static const luaL_Reg stats_funcs[] = {
    {"association", stats_association},
    {"keyness", stats_keyness},
    {"dispersion", stats_dispersion},
    {"pvalue", stats_pvalue},
    {NULL, NULL},
};

void lq_open_stats(lua_State *L)
{
    lua_createtable(L, 0, 4);
    lq_set_funcs(L, stats_funcs);
    lua_setfield(L, LQ_OPEN_MODULE, "stats");
}
