/*
 * lquarry_yaml.c - quarry.yaml.decode: one YAML document as a Lua value,
 * read with libyaml's event parser.
 *
 * Report specs, plugin options and user files are YAML; scripts want them as
 * plain tables, typed as YAML 1.2's core schema types them, so that `width:
 * 80` is a number and `title: "80"` stays a string. The decoder is strict
 * where a silent answer would mislead: duplicate keys, keys that are not
 * scalars and several documents are errors, not a last-one-wins guess.
 *
 * Aliases are resolved to the anchored value (the same table for a
 * collection, so a document cannot grow by aliasing); an anchor is known
 * once its node is complete, which makes a node that aliases itself an
 * "unknown anchor" rather than a cycle.
 *
 * With opts.positions the second result maps every table of the value to
 * where it and its entries are in the text ({ line, column, keys = { [k] =
 * {line, column} }, values = { [k] = {line, column} } }), so that a caller
 * validating the data (a spec loader) can point at the offending line.
 */
#include "lquarry.h"

#include <math.h>
#include <string.h>
#include <yaml.h>

#define YAML_READER_MT "quarry.YamlReader"
/* Deeper documents are hostile or broken; the limit also bounds the C stack
 * the recursive descent uses. */
#define YAML_MAX_DEPTH 256

/* Owned by a userdata so that a Lua error (out of memory) in the middle of
 * a decode still frees libyaml's parser and event through __gc. */
typedef struct yaml_reader {
    yaml_parser_t parser;
    yaml_event_t event;
    int parser_ready;
    int event_ready;
    /* stack slots of the decode call */
    int null_idx;      /* opts.null, or 0: nulls are nil */
    int anchors_idx;   /* anchor name -> value */
    int positions_idx; /* table -> its positions */
    int null_marker;   /* stack slot of the reader: stands for null among
                          anchors, where nil cannot be stored */
    const char *text;
    size_t text_len;
    /* the first error; the decode stops at it */
    char message[256];
    size_t line, column; /* 1-based */
} yaml_reader;

static void reader_release(yaml_reader *r)
{
    if (r->event_ready) {
        yaml_event_delete(&r->event);
        r->event_ready = 0;
    }
    if (r->parser_ready) {
        yaml_parser_delete(&r->parser);
        r->parser_ready = 0;
    }
}

static int reader_gc(lua_State *L)
{
    reader_release(luaL_checkudata(L, 1, YAML_READER_MT));
    return 0;
}

static int fail_at(yaml_reader *r, yaml_mark_t mark, const char *fmt,
                   const char *arg)
{
    if (r->message[0] == '\0') {
        snprintf(r->message, sizeof r->message, fmt, arg ? arg : "");
        r->line = mark.line + 1;
        r->column = mark.column + 1;
    }
    return -1;
}

/* libyaml's reader errors (bad UTF-8) come with a byte offset only. */
static void offset_position(const yaml_reader *r, size_t offset, size_t *line,
                            size_t *column)
{
    size_t i;
    *line = 1;
    *column = 1;
    for (i = 0; i < offset && i < r->text_len; i++) {
        unsigned char c = (unsigned char)r->text[i];
        if (c == '\n') {
            ++*line;
            *column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++*column;
        }
    }
}

static int parser_failed(yaml_reader *r)
{
    const yaml_parser_t *p = &r->parser;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR) {
        offset_position(r, p->problem_offset, &r->line, &r->column);
        snprintf(r->message, sizeof r->message, "%s", problem);
    } else if (p->error == YAML_MEMORY_ERROR) {
        snprintf(r->message, sizeof r->message, "out of memory");
        r->line = r->column = 1;
    } else {
        r->line = p->problem_mark.line + 1;
        r->column = p->problem_mark.column + 1;
        if (p->context)
            snprintf(r->message, sizeof r->message,
                     "%s (%s at line %lu, column %lu)", problem, p->context,
                     (unsigned long)p->context_mark.line + 1,
                     (unsigned long)p->context_mark.column + 1);
        else
            snprintf(r->message, sizeof r->message, "%s", problem);
    }
    return -1;
}

/* Replaces the current event by the next one. */
static int next_event(yaml_reader *r)
{
    if (r->event_ready) {
        yaml_event_delete(&r->event);
        r->event_ready = 0;
    }
    if (!yaml_parser_parse(&r->parser, &r->event))
        return parser_failed(r);
    r->event_ready = 1;
    return 0;
}

/* --- YAML 1.2 core schema ------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_any_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

/* [-+]?[0-9]+ */
static int is_decimal_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!is_digit(*s))
        return 0;
    while (is_digit(*s))
        s++;
    return *s == '\0';
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_decimal_float(const char *s)
{
    int mantissa_digits = 0;
    if (*s == '-' || *s == '+')
        s++;
    while (is_digit(*s)) {
        s++;
        mantissa_digits++;
    }
    if (*s == '.') {
        s++;
        while (is_digit(*s)) {
            s++;
            mantissa_digits++;
        }
    }
    if (mantissa_digits == 0)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!is_digit(*s))
            return 0;
        while (is_digit(*s))
            s++;
    }
    return *s == '\0';
}

static int is_prefixed_int(const char *s, const char *prefix, int base)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0 || s[n] == '\0')
        return 0;
    for (s += n; *s; s++) {
        int d = is_digit(*s)               ? *s - '0'
                : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10
                : (*s >= 'A' && *s <= 'F') ? *s - 'A' + 10
                                           : 99;
        if (d >= base)
            return 0;
    }
    return 1;
}

/* Octal and hexadecimal: as Lua reads hex literals, wrapping around past
 * 64 bits, but without Lua's hex floats. */
static lua_Integer prefixed_value(const char *s, int base)
{
    lua_Unsigned v = 0;
    for (s += 2; *s; s++) {
        int d = is_digit(*s) ? *s - '0' : (*s | 0x20) - 'a' + 10;
        v = v * (lua_Unsigned)base + (lua_Unsigned)d;
    }
    return (lua_Integer)v;
}

enum scalar_type { SCALAR_STRING, SCALAR_NULL, SCALAR_BOOL, SCALAR_NUMBER };

static const char *const null_words[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"true", "True", "TRUE", NULL};
static const char *const false_words[] = {"false", "False", "FALSE", NULL};
static const char *const inf_words[] = {".inf", ".Inf", ".INF", NULL};
static const char *const nan_words[] = {".nan", ".NaN", ".NAN", NULL};

/* Pushes the typed value of a plain scalar and returns its type; SCALAR_NULL
 * pushes nothing. */
static enum scalar_type push_resolved(lua_State *L, const char *s, size_t len)
{
    if (strlen(s) != len) { /* an escaped NUL: only a string holds it */
        lua_pushlstring(L, s, len);
        return SCALAR_STRING;
    }
    if (is_any_of(s, null_words))
        return SCALAR_NULL;
    if (is_any_of(s, true_words) || is_any_of(s, false_words)) {
        lua_pushboolean(L, is_any_of(s, true_words));
        return SCALAR_BOOL;
    }
    if (is_decimal_int(s) || is_decimal_float(s)) {
        /* Lua reads these forms as YAML does; a decimal integer too large
         * for 64 bits becomes a float */
        if (lua_stringtonumber(L, s) != 0)
            return SCALAR_NUMBER;
    }
    if (is_prefixed_int(s, "0o", 8)) {
        lua_pushinteger(L, prefixed_value(s, 8));
        return SCALAR_NUMBER;
    }
    if (is_prefixed_int(s, "0x", 16)) {
        lua_pushinteger(L, prefixed_value(s, 16));
        return SCALAR_NUMBER;
    }
    if (is_any_of(s, inf_words) ||
        is_any_of(s + (*s == '+' || *s == '-'), inf_words)) {
        lua_pushnumber(L, *s == '-' ? -HUGE_VAL : HUGE_VAL);
        return SCALAR_NUMBER;
    }
    if (is_any_of(s, nan_words)) {
        lua_pushnumber(L, (lua_Number)NAN);
        return SCALAR_NUMBER;
    }
    lua_pushlstring(L, s, len);
    return SCALAR_STRING;
}

#define TAG_PREFIX "tag:yaml.org,2002:"

/* --- the tree ----------------------------------------------------------- */

/* Pushes the value of a null node: opts.null or nil. */
static void push_null(lua_State *L, const yaml_reader *r)
{
    if (r->null_idx)
        lua_pushvalue(L, r->null_idx);
    else
        lua_pushnil(L);
}

/* Pushes the scalar of the current event. */
static int push_scalar(lua_State *L, yaml_reader *r)
{
    const char *s = (const char *)r->event.data.scalar.value;
    size_t len = r->event.data.scalar.length;
    const char *tag = (const char *)r->event.data.scalar.tag;
    int plain = r->event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    enum scalar_type type;

    if (tag && strcmp(tag, TAG_PREFIX "str") == 0) {
        lua_pushlstring(L, s, len);
        return 0;
    }
    if (tag && strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
        const char *want = tag + strlen(TAG_PREFIX);
        static const char *const resolvable[] = {"null", "bool", "int", "float",
                                                 NULL};
        if (is_any_of(want, resolvable)) {
            type = push_resolved(L, s, len);
            if ((strcmp(want, "null") == 0 && type != SCALAR_NULL) ||
                (strcmp(want, "bool") == 0 && type != SCALAR_BOOL) ||
                ((strcmp(want, "int") == 0 || strcmp(want, "float") == 0) &&
                 type != SCALAR_NUMBER) ||
                (strcmp(want, "int") == 0 && !lua_isinteger(L, -1))) {
                if (type != SCALAR_NULL)
                    lua_pop(L, 1);
                return fail_at(r, r->event.start_mark,
                               "the scalar does not match its tag !!%s", want);
            }
            if (strcmp(want, "float") == 0 && lua_isinteger(L, -1)) {
                lua_Integer i = lua_tointeger(L, -1);
                lua_pop(L, 1);
                lua_pushnumber(L, (lua_Number)i);
            }
            if (type == SCALAR_NULL)
                push_null(L, r);
            return 0;
        }
    }
    /* quoted, block and non-specifically tagged ("!") scalars are strings */
    if (!plain || (tag && strcmp(tag, "!") == 0)) {
        lua_pushlstring(L, s, len);
        return 0;
    }
    if (push_resolved(L, s, len) == SCALAR_NULL)
        push_null(L, r);
    return 0;
}

/* Pushes {line=, column=} of mark. */
static void push_mark(lua_State *L, yaml_mark_t mark)
{
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)mark.line + 1);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, (lua_Integer)mark.column + 1);
    lua_setfield(L, -2, "column");
}

/* Pushes the positions entry of the table at the top (registered under it)
 * with an empty `values` subtable. */
static void push_positions_entry(lua_State *L, yaml_reader *r,
                                 yaml_mark_t start)
{
    push_mark(L, start);
    lua_newtable(L);
    lua_setfield(L, -2, "values");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    lua_rawset(L, r->positions_idx);
}

/* entry[field][key] = mark, for the positions entry at entry_idx and the
 * key at key_idx (absolute indexes). */
static void record_position(lua_State *L, int entry_idx, int key_idx,
                            const char *field, yaml_mark_t mark)
{
    lua_getfield(L, entry_idx, field);
    lua_pushvalue(L, key_idx);
    push_mark(L, mark);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* Remembers the value at the top under anchor (if any). */
static void keep_anchor(lua_State *L, yaml_reader *r, int anchor_idx)
{
    if (lua_isnil(L, anchor_idx))
        return;
    lua_pushvalue(L, anchor_idx);
    if (lua_isnil(L, -2))
        lua_pushvalue(L, r->null_marker);
    else
        lua_pushvalue(L, -2);
    lua_rawset(L, r->anchors_idx);
}

static int push_node(lua_State *L, yaml_reader *r, int depth);

static int push_sequence(lua_State *L, yaml_reader *r, int depth)
{
    int seq, entry;
    lua_Integer n = 0;
    lua_newtable(L);
    seq = lua_gettop(L);
    push_positions_entry(L, r, r->event.start_mark);
    entry = seq + 1;
    for (;;) {
        yaml_mark_t at;
        if (next_event(r) != 0)
            return -1;
        if (r->event.type == YAML_SEQUENCE_END_EVENT)
            break;
        at = r->event.start_mark;
        n++;
        lua_pushinteger(L, n);
        if (push_node(L, r, depth + 1) != 0)
            return -1;
        record_position(L, entry, entry + 1, "values", at);
        lua_rawset(L, seq); /* a null leaves a hole */
    }
    lua_settop(L, seq);
    return 0;
}

static int push_mapping(lua_State *L, yaml_reader *r, int depth)
{
    int map, entry, key;
    lua_newtable(L);
    map = lua_gettop(L);
    push_positions_entry(L, r, r->event.start_mark);
    entry = map + 1;
    key = map + 2;
    /* keys also tells duplicates apart when the first value was null */
    lua_newtable(L);
    lua_setfield(L, entry, "keys");
    for (;;) {
        yaml_mark_t key_at, value_at;
        if (next_event(r) != 0)
            return -1;
        if (r->event.type == YAML_MAPPING_END_EVENT)
            break;
        key_at = r->event.start_mark;
        if (push_node(L, r, depth + 1) != 0)
            return -1;
        if (lua_type(L, key) == LUA_TTABLE)
            return fail_at(r, key_at, "%s", "a mapping key must be a scalar");
        if (lua_isnil(L, key) ||
            (r->null_idx && lua_rawequal(L, key, r->null_idx)))
            return fail_at(r, key_at, "%s", "a mapping key must not be null");
        if (lua_type(L, key) == LUA_TNUMBER &&
            lua_tonumber(L, key) != lua_tonumber(L, key))
            return fail_at(r, key_at, "%s", "a mapping key must not be NaN");
        lua_getfield(L, entry, "keys");
        lua_pushvalue(L, key);
        if (lua_rawget(L, -2) != LUA_TNIL)
            return fail_at(r, key_at, "duplicate key '%s'",
                           luaL_tolstring(L, key, NULL));
        lua_pop(L, 2);
        record_position(L, entry, key, "keys", key_at);

        if (next_event(r) != 0)
            return -1;
        value_at = r->event.start_mark;
        if (push_node(L, r, depth + 1) != 0)
            return -1;
        record_position(L, entry, key, "values", value_at);
        lua_rawset(L, map);
    }
    lua_settop(L, map);
    return 0;
}

/* Pushes the node that starts with the current event. */
static int push_node(lua_State *L, yaml_reader *r, int depth)
{
    const yaml_char_t *anchor = NULL;
    int anchor_idx, status;
    if (depth > YAML_MAX_DEPTH)
        return fail_at(r, r->event.start_mark, "nested deeper than %s levels",
                       "256");
    luaL_checkstack(L, 10, "YAML nesting");
    switch (r->event.type) {
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)r->event.data.alias.anchor;
        if (lua_getfield(L, r->anchors_idx, name) == LUA_TNIL)
            return fail_at(r, r->event.start_mark, "unknown anchor '%s'", name);
        if (lua_rawequal(L, -1, r->null_marker)) {
            lua_pop(L, 1);
            push_null(L, r);
        }
        return 0;
    }
    case YAML_SCALAR_EVENT: anchor = r->event.data.scalar.anchor; break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = r->event.data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = r->event.data.mapping_start.anchor;
        break;
    default:
        return fail_at(r, r->event.start_mark, "%s", "unexpected YAML event");
    }
    /* the anchor is copied: the event is replaced while children are read */
    if (anchor)
        lua_pushstring(L, (const char *)anchor);
    else
        lua_pushnil(L);
    anchor_idx = lua_gettop(L);
    if (r->event.type == YAML_SCALAR_EVENT)
        status = push_scalar(L, r);
    else if (r->event.type == YAML_SEQUENCE_START_EVENT)
        status = push_sequence(L, r, depth);
    else
        status = push_mapping(L, r, depth);
    if (status != 0)
        return -1;
    keep_anchor(L, r, anchor_idx);
    lua_remove(L, anchor_idx);
    return 0;
}

/* Pushes the one document of the stream (null for an empty stream). */
static int push_document(lua_State *L, yaml_reader *r)
{
    if (next_event(r) != 0)
        return -1; /* STREAM-START */
    if (next_event(r) != 0)
        return -1;
    if (r->event.type == YAML_STREAM_END_EVENT) {
        push_null(L, r);
        return 0;
    }
    /* DOCUMENT-START */
    if (next_event(r) != 0)
        return -1;
    if (push_node(L, r, 0) != 0)
        return -1;
    if (next_event(r) != 0) /* DOCUMENT-END */
        return -1;
    if (next_event(r) != 0)
        return -1;
    if (r->event.type != YAML_STREAM_END_EVENT)
        return fail_at(r, r->event.start_mark, "%s",
                       "a second YAML document: only one is read");
    return 0;
}

/* yaml.decode(text [, opts]) -> value [, positions] | nil, msg, "EPARSE",
 * line, column */
static int yaml_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    int want_positions = 0, top, base;
    yaml_reader *r;

    lua_settop(L, 2);
    if (lq_opt_table(L, 2)) {
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            const char *k =
                lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
            if (strcmp(k, "positions") != 0 && strcmp(k, "null") != 0)
                luaL_error(L, "yaml.decode: unknown option '%s'",
                           luaL_tolstring(L, -2, NULL));
            lua_pop(L, 1);
        }
        want_positions = lq_opt_bool(L, 2, "positions", 0);
    }
    base = lua_gettop(L);
    r = lq_new_handle(L, sizeof *r, 1, YAML_READER_MT);
    r->null_marker = base + 1;
    r->text = text;
    r->text_len = len;
    if (lq_opt_table(L, 2)) {
        if (lua_getfield(L, 2, "null") != LUA_TNIL)
            r->null_idx = lua_gettop(L);
        else
            lua_pop(L, 1);
    }
    lua_newtable(L);
    r->anchors_idx = lua_gettop(L);
    lua_newtable(L);
    r->positions_idx = lua_gettop(L);

    if (!yaml_parser_initialize(&r->parser))
        return luaL_error(L, "yaml.decode: out of memory");
    r->parser_ready = 1;
    yaml_parser_set_input_string(&r->parser, (const unsigned char *)text, len);
    top = lua_gettop(L);
    if (push_document(L, r) != 0) {
        reader_release(r);
        lua_settop(L, top);
        lua_pushnil(L);
        lua_pushfstring(L, "line %I, column %I: %s", (lua_Integer)r->line,
                        (lua_Integer)r->column, r->message);
        lua_pushstring(L, "EPARSE");
        lua_pushinteger(L, (lua_Integer)r->line);
        lua_pushinteger(L, (lua_Integer)r->column);
        return 5;
    }
    reader_release(r);
    if (want_positions) {
        lua_pushvalue(L, r->positions_idx);
        return 2;
    }
    return 1;
}

static const luaL_Reg yaml_funcs[] = {{"decode", yaml_decode}, {NULL, NULL}};

void lq_open_yaml(lua_State *L)
{
    static const luaL_Reg meta[] = {{"__gc", reader_gc}, {NULL, NULL}};
    luaL_newmetatable(L, YAML_READER_MT);
    luaL_setfuncs(L, meta, 0);
    lua_pop(L, 1);
    lua_createtable(L, 0, 1);
    lq_set_funcs(L, yaml_funcs);
    lua_setfield(L, LQ_OPEN_MODULE, "yaml");
}
