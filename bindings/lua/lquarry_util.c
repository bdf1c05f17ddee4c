/*
 * lquarry_util.c - conventions shared by the binding units: the
 * nil, message, code triple, option readers, handle creation and the
 * conversion of documents and field values to Lua.
 */
#include "lquarry.h"

#include <stdio.h>
#include <string.h>

int lq_fail(lua_State *L, int status, const char *msg)
{
    luaL_pushfail(L);
    lua_pushstring(L, msg && *msg ? msg : quarry_status_name(status));
    lua_pushstring(L, quarry_status_name(status));
    return 3;
}

int lq_opt_table(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx))
        return 0;
    luaL_checktype(L, idx, LUA_TTABLE);
    return 1;
}

int lq_opt_bool(lua_State *L, int idx, const char *key, int def)
{
    int v = def;
    if (!lq_opt_table(L, idx))
        return def;
    lua_getfield(L, idx, key);
    if (!lua_isnil(L, -1)) {
        if (!lua_isboolean(L, -1))
            luaL_error(L, "option '%s' must be a boolean, got %s", key,
                       luaL_typename(L, -1));
        v = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

const char *lq_opt_string(lua_State *L, int idx, const char *key)
{
    const char *s = NULL;
    if (!lq_opt_table(L, idx))
        return NULL;
    lua_getfield(L, idx, key);
    if (!lua_isnil(L, -1)) {
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "option '%s' must be a string, got %s", key,
                       luaL_typename(L, -1));
        s = lua_tostring(L, -1); /* the opts table keeps it alive */
    }
    lua_pop(L, 1);
    return s;
}

void *lq_new_handle(lua_State *L, size_t size, int nuv, const char *mt)
{
    void *p = lua_newuserdatauv(L, size, nuv);
    memset(p, 0, size);
    luaL_setmetatable(L, mt); /* __gc is armed before any resource exists */
    lua_pushvalue(L, LQ_STATE_UPVALUE);
    lua_setiuservalue(L, -2, 1);
    return p;
}

const char *lq_field_type_name(int type)
{
    switch (type) {
    case QUARRY_FIELD_STRING: return "string";
    case QUARRY_FIELD_INTEGER: return "integer";
    case QUARRY_FIELD_NUMBER: return "number";
    case QUARRY_FIELD_DATE: return "date";
    default: return "mixed";
    }
}

void lq_format_date(const quarry_date *d, char *buf, size_t size)
{
    int n;
    switch (d->precision) {
    case QUARRY_DATE_YEAR: n = snprintf(buf, size, "%04d", (int)d->year); break;
    case QUARRY_DATE_MONTH:
        n = snprintf(buf, size, "%04d-%02u", (int)d->year, d->month);
        break;
    case QUARRY_DATE_DAY:
        n = snprintf(buf, size, "%04d-%02u-%02u", (int)d->year, d->month,
                     d->day);
        break;
    case QUARRY_DATE_MINUTE:
        n = snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u", (int)d->year,
                     d->month, d->day, d->hour, d->minute);
        break;
    default:
        n = snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02u", (int)d->year,
                     d->month, d->day, d->hour, d->minute, d->second);
        break;
    }
    if (n > 0 && (size_t)n < size && d->has_zone &&
        d->precision >= QUARRY_DATE_MINUTE) {
        int z = d->zone_minutes, az = z < 0 ? -z : z;
        if (z == 0)
            snprintf(buf + n, size - (size_t)n, "Z");
        else
            snprintf(buf + n, size - (size_t)n, "%c%02d:%02d",
                     z < 0 ? '-' : '+', az / 60, az % 60);
    }
}

void lq_push_field_value(lua_State *L, const quarry_field *f)
{
    char buf[64];
    switch (f->type) {
    case QUARRY_FIELD_INTEGER:
        lua_pushinteger(L, (lua_Integer)f->value.integer);
        break;
    case QUARRY_FIELD_NUMBER:
        lua_pushnumber(L, (lua_Number)f->value.number);
        break;
    case QUARRY_FIELD_DATE:
        lq_format_date(&f->value.date, buf, sizeof buf);
        lua_pushstring(L, buf);
        break;
    default:
        lua_pushlstring(L, f->text ? f->text : "", f->text ? f->text_len : 0);
        break;
    }
}

void lq_push_doc_table(lua_State *L, const quarry_doc *doc)
{
    size_t len = 0, i, n = quarry_doc_field_count(doc);
    const char *text = quarry_doc_text(doc, &len);

    luaL_checkstack(L, 6, NULL);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, quarry_doc_source(doc));
    lua_setfield(L, -2, "source");
    lua_pushinteger(L, (lua_Integer)quarry_doc_record(doc));
    lua_setfield(L, -2, "record");
    lua_pushstring(L, quarry_doc_format(doc));
    lua_setfield(L, -2, "format");
    lua_pushstring(L, quarry_doc_encoding(doc));
    lua_setfield(L, -2, "encoding");
    lua_pushinteger(L, (lua_Integer)quarry_doc_replaced(doc));
    lua_setfield(L, -2, "replaced");
    lua_pushlstring(L, text ? text : "", text ? len : 0);
    lua_setfield(L, -2, "text");
    lua_createtable(L, 0, (int)n);
    lua_createtable(L, 0, (int)n);
    for (i = 0; i < n; i++) {
        const quarry_field *f = quarry_doc_field(doc, i);
        if (!f || !f->name)
            continue;
        lq_push_field_value(L, f);
        lua_setfield(L, -3, f->name);
        lua_pushstring(L, lq_field_type_name(f->type));
        lua_setfield(L, -2, f->name);
    }
    lua_setfield(L, -3, "types");
    lua_setfield(L, -2, "fields");
}
