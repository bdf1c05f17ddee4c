/*
 * lquarry_tokenize.c - quarry.tokenize: text -> one table of parallel
 * arrays. Tokenizers are costly to create (ICU break iterators, the Chinese
 * dictionary), so they are cached per distinct options in a table held by
 * the module state (its user value 1), never in a C global.
 */
#include "lquarry.h"

#include <string.h>

typedef struct lq_tokenizer {
    quarry_tokenizer *tok;
    quarry_tokens *toks; /* reused between calls */
} lq_tokenizer;

static int tokenizer_gc(lua_State *L)
{
    lq_tokenizer *t = luaL_checkudata(L, 1, LQ_TOKENIZER_MT);
    if (t->toks) {
        quarry_tokens_free(t->toks);
        t->toks = NULL;
    }
    if (t->tok) {
        quarry_tokenizer_free(t->tok);
        t->tok = NULL;
    }
    return 0;
}

static const char *const known_opts[] = {"case_sensitive",
                                         "nfkc",
                                         "split_hyphens",
                                         "split_apostrophes",
                                         "split_numbers",
                                         "cjk_words",
                                         "lexicon",
                                         "words",
                                         "locale",
                                         "cjk_dict",
                                         NULL};

/* Unknown keys are programming errors (a typo would silently change
 * results), so they raise. quarry.summary's own options (extra) are
 * allowed when it reads its options through here. */
static void check_known(lua_State *L, int idx, const char *const *extra)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int i, ok = 0;
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -2);
            for (i = 0; known_opts[i]; i++)
                if (strcmp(k, known_opts[i]) == 0)
                    ok = 1;
            for (i = 0; extra && extra[i]; i++)
                if (strcmp(k, extra[i]) == 0)
                    ok = 1;
        }
        if (!ok) {
            lua_pushvalue(L, -2);
            luaL_error(L, "unknown tokenizer option '%s'",
                       luaL_tolstring(L, -1, NULL));
        }
        lua_pop(L, 1);
    }
}

void lq_tokenizer_options(lua_State *L, int idx, quarry_tokenizer_options *o,
                          const char *const *extra)
{
    luaL_Buffer b;
    memset(o, 0, sizeof *o);
    if (lq_opt_table(L, idx))
        check_known(L, idx, extra);
    if (lq_opt_bool(L, idx, "case_sensitive", 0))
        o->flags |= QUARRY_TOK_CASE_SENSITIVE;
    if (!lq_opt_bool(L, idx, "nfkc", 1))
        o->flags |= QUARRY_TOK_NO_NFKC;
    if (lq_opt_bool(L, idx, "split_hyphens", 0))
        o->flags |= QUARRY_TOK_SPLIT_HYPHENS;
    if (lq_opt_bool(L, idx, "split_apostrophes", 0))
        o->flags |= QUARRY_TOK_SPLIT_APOSTROPHES;
    if (lq_opt_bool(L, idx, "split_numbers", 0))
        o->flags |= QUARRY_TOK_SPLIT_NUMBERS;
    if (!lq_opt_bool(L, idx, "cjk_words", 1))
        o->flags |= QUARRY_TOK_NO_CJK_WORDS;
    o->lexicon = lq_opt_string(L, idx, "lexicon");
    o->locale = lq_opt_string(L, idx, "locale");
    o->cjk_dict = lq_opt_string(L, idx, "cjk_dict");

    /* The cache key: every option that changes the tokenizer. NUL bytes
     * separate parts; words are part of the key because they change the
     * word layer. */
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "%d", (int)o->flags);
    luaL_addvalue(&b);
    luaL_addchar(&b, '\0');
    luaL_addstring(&b, o->locale ? o->locale : "");
    luaL_addchar(&b, '\0');
    luaL_addstring(&b, o->cjk_dict ? o->cjk_dict : "");
    luaL_addchar(&b, '\0');
    luaL_addstring(&b, o->lexicon ? o->lexicon : "");
    if (lq_opt_table(L, idx)) {
        lua_getfield(L, idx, "words");
        if (!lua_isnil(L, -1)) {
            lua_Integer i, n;
            int wt = lua_gettop(L);
            luaL_argexpected(L, lua_istable(L, wt), idx,
                             "words: array of strings");
            n = luaL_len(L, wt);
            for (i = 1; i <= n; i++) {
                size_t len;
                const char *w;
                lua_geti(L, wt, i);
                if (lua_type(L, -1) != LUA_TSTRING)
                    luaL_error(
                        L, "option 'words' must hold strings (item %d is %s)",
                        (int)i, luaL_typename(L, -1));
                w = lua_tolstring(L, -1, &len);
                lua_pop(L, 1);
                luaL_addchar(&b, '\0');
                luaL_addlstring(&b, w, len);
            }
        }
        lua_pop(L, 1);
    }
    luaL_pushresult(&b);
}

int lq_add_user_words(lua_State *L, int idx, quarry_tokenizer *tok)
{
    lua_Integer i, n;
    int rc = QUARRY_OK;
    if (!lq_opt_table(L, idx))
        return QUARRY_OK;
    lua_getfield(L, idx, "words");
    if (lua_istable(L, -1)) {
        n = luaL_len(L, -1);
        for (i = 1; i <= n && rc == QUARRY_OK; i++) {
            size_t len;
            const char *w;
            lua_geti(L, -1, i);
            w = lua_tolstring(L, -1, &len);
            rc = quarry_tokenizer_add_word(tok, w, len);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return rc;
}

/* Pushes the cached tokenizer for the options at idx, creating it if
 * needed. Returns NULL after pushing nil, msg, code (3 values) when the
 * tokenizer cannot be made (missing lexicon, ...). */
static lq_tokenizer *get_tokenizer(lua_State *L, int idx)
{
    quarry_tokenizer_options o;
    lq_tokenizer *t;
    int key, cache, rc;

    lq_tokenizer_options(L, idx, &o, NULL);
    key = lua_gettop(L);
    lua_getiuservalue(L, LQ_STATE_UPVALUE, 1);
    cache = lua_gettop(L);
    lua_pushvalue(L, key);
    if (lua_rawget(L, cache) == LUA_TUSERDATA) {
        lua_replace(L, key);
        lua_settop(L, key);
        return lua_touserdata(L, key);
    }
    lua_pop(L, 1);
    t = lq_new_handle(L, sizeof *t, 1, LQ_TOKENIZER_MT);
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
    if (quarry_tokens_new(lq_env(L), &t->toks) != QUARRY_OK)
        luaL_error(L, "quarry.tokenize: out of memory");
    {
        lq_state *st = lua_touserdata(L, LQ_STATE_UPVALUE);
        if (++st->cached_tokenizers > LQ_TOKENIZER_CACHE) {
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_setiuservalue(L, LQ_STATE_UPVALUE, 1);
            lua_replace(L, cache);
            st->cached_tokenizers = 1;
        }
    }
    lua_pushvalue(L, key);
    lua_pushvalue(L, -2);
    lua_rawset(L, cache);
    lua_replace(L, key);
    lua_settop(L, key);
    return t;
}

static const quarry_tokens *tokenize_arg(lua_State *L, const char *text,
                                         size_t len, int opts, int *nret)
{
    lq_tokenizer *t;
    int rc;
    *nret = 0;
    if (!quarry_utf8_valid(text, len)) {
        *nret = lq_fail(L, QUARRY_EINVAL,
                        "quarry.tokenize: text is not valid UTF-8");
        return NULL;
    }
    t = get_tokenizer(L, opts);
    if (!t) {
        *nret = 3;
        return NULL;
    }
    rc = quarry_tokenize(t->tok, text, len, t->toks);
    if (rc != QUARRY_OK) {
        *nret = lq_fail(L, rc, quarry_tokenizer_errmsg(t->tok));
        return NULL;
    }
    /* t stays on the stack: the cache pins it anyway, and the buffer is
     * only read before this C function returns. */
    return t->toks;
}

static void push_spans(lua_State *L, const quarry_span *sp, size_t n)
{
    size_t i;
    lua_createtable(L, 0, 2);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)sp[i].first + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "first");
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)sp[i].end); /* half-open -> inclusive */
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "last");
}

/* quarry.tokenize(text [, opts]) -> result table | nil, msg, code */
static int l_tokenize(lua_State *L)
{
    size_t len, n, i, ns, s;
    const char *text;
    const quarry_tokens *toks;
    const quarry_token *tk;
    const quarry_span *sp;
    const quarry_word *w;
    const char *arena;
    int nret;

    /* checked before luaL_checklstring, which would turn a number into a
     * string: tokenizing a number is a programming error, not text */
    if (lua_type(L, 1) != LUA_TSTRING)
        return luaL_typeerror(L, 1, "string");
    text = lua_tolstring(L, 1, &len);
    lq_opt_table(L, 2);
    lua_settop(L, 2);
    toks = tokenize_arg(L, text, len, 2, &nret);
    if (!toks)
        return nret;
    n = quarry_tokens_count(toks);
    tk = quarry_tokens_data(toks);
    arena = quarry_tokens_arena(toks);
    luaL_checkstack(L, 8, NULL);

    lua_createtable(L, 0, 12);
    lua_pushinteger(L, (lua_Integer)n);
    lua_setfield(L, -2, "n");

    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushlstring(L, text + tk[i].start,
                        (size_t)(tk[i].end - tk[i].start));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "text");

    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushlstring(L, arena + tk[i].norm, tk[i].norm_len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "norm");

    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushstring(L, quarry_token_kind_name(tk[i].kind));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "kind");

    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)tk[i].start + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "first");

    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)tk[i].end);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "last");

    ns = quarry_tokens_sentence_count(toks);
    sp = quarry_tokens_sentences(toks);
    lua_createtable(L, (int)n, 0);
    for (s = 0, i = 0; i < n; i++) {
        while (s + 1 < ns && sp[s].end <= i)
            s++;
        lua_pushinteger(L, (lua_Integer)s + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "sentence");

    push_spans(L, sp, ns);
    lua_setfield(L, -2, "sentences");
    push_spans(L, quarry_tokens_paragraphs(toks),
               quarry_tokens_paragraph_count(toks));
    lua_setfield(L, -2, "paragraphs");

    n = quarry_tokens_word_count(toks);
    w = quarry_tokens_words(toks);
    lua_createtable(L, 0, 3);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)w[i].first + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "first");
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)w[i].end);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "last");
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushlstring(L, arena + w[i].norm, w[i].norm_len);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "norm");
    lua_setfield(L, -2, "words");
    return 1;
}

static const luaL_Reg tokenizer_meta[] = {
    {"__gc", tokenizer_gc}, {"__close", tokenizer_gc}, {NULL, NULL}};
static const luaL_Reg tokenizer_methods[] = {{NULL, NULL}};

static const luaL_Reg funcs[] = {{"tokenize", l_tokenize}, {NULL, NULL}};

void lq_open_tokenize(lua_State *L)
{
    lq_define_class(L, LQ_TOKENIZER_MT, "Tokenizer", tokenizer_meta,
                    tokenizer_methods);
    lua_pushvalue(L, LQ_OPEN_MODULE);
    lq_set_funcs(L, funcs);
    lua_pop(L, 1);
}
