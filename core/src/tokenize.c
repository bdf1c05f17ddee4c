/*
 * tokenize.c - the tokenizer object, the result buffer and the driver that
 * walks the text once: whitespace is skipped (remembering line breaks for
 * paragraphs and CJK runs), words go to the word scanner, everything else
 * is a one-char token. Sentences and the CJK word layer are computed
 * afterwards from the tokens (sentence.c, cjk_words.c).
 */
#include "tokenize_internal.h"

#include <string.h>
#include <unicode/ustring.h>

static bool locale_ok(const char *loc)
{
    size_t k, n = strlen(loc);
    if (n < 2 || n > 64)
        return false;
    for (k = 0; k < n; k++) {
        char c = loc[k];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (k < 2 && !alpha)
            return false;
        if (!alpha && !(c >= '0' && c <= '9') && !strchr("_-@=;.", c))
            return false;
    }
    return true;
}

int quarry_tokenizer_new(quarry_env *env, const quarry_tokenizer_options *opts,
                         quarry_tokenizer **out)
{
    static const quarry_tokenizer_options defaults = {0, NULL, NULL, NULL};
    UText init = UTEXT_INITIALIZER;
    UErrorCode err = U_ZERO_ERROR;
    quarry_tokenizer *tok;
    const char *loc;
    int rc;

    *out = NULL;
    if (!opts)
        opts = &defaults;
    loc = opts->locale ? opts->locale : "en";
    if (!locale_ok(loc)) {
        qi_set_error(env->errmsg, "bad locale \"%.100s\"", loc);
        return QUARRY_EINVAL;
    }
    tok = qi_calloc(env, 1, sizeof *tok);
    if (!tok)
        goto nomem;
    tok->env = env;
    tok->flags = opts->flags;
    tok->ut = init;
    tok->locale_len = strlen(loc);
    tok->locale = qi_strndup(env, loc, tok->locale_len);
    if (!tok->locale)
        goto nomem;
    if (opts->cjk_dict) {
        tok->cjk_dict_len = strlen(opts->cjk_dict);
        tok->cjk_dict = qi_strndup(env, opts->cjk_dict, tok->cjk_dict_len);
        if (!tok->cjk_dict)
            goto nomem;
    }
    if (!(tok->flags & QUARRY_TOK_NO_NFKC)) {
        tok->nfkc = (tok->flags & QUARRY_TOK_CASE_SENSITIVE)
                        ? unorm2_getNFKCInstance(&err)
                        : unorm2_getNFKCCasefoldInstance(&err);
        if (U_FAILURE(err)) {
            qi_set_error(env->errmsg, "ICU normalizer unavailable: %s",
                         u_errorName(err));
            quarry_tokenizer_free(tok);
            return QUARRY_EUNSUPPORTED;
        }
    }
    /* open the word breaker now: it validates the locale, and tokenizing
     * then cannot fail for it */
    rc = qi_wbrk_set(tok, "", 0);
    if (rc != QUARRY_OK) {
        qi_set_error(env->errmsg, "bad locale \"%.100s\": %.300s", loc,
                     tok->errmsg);
        quarry_tokenizer_free(tok);
        return rc == QUARRY_ENOMEM ? rc : QUARRY_EINVAL;
    }
    /* a named dictionary must be readable; it is loaded on first use */
    if (tok->cjk_dict) {
        rc = qi_cjk_check(tok);
        if (rc != QUARRY_OK) {
            memcpy(env->errmsg, tok->errmsg, QI_ERRMSG_SIZE);
            quarry_tokenizer_free(tok);
            return rc;
        }
    }
    if (opts->lexicon) {
        rc = qi_lexicon_load(tok, opts->lexicon);
        if (rc != QUARRY_OK) {
            memcpy(env->errmsg, tok->errmsg, QI_ERRMSG_SIZE);
            quarry_tokenizer_free(tok);
            return rc;
        }
    }
    *out = tok;
    return QUARRY_OK;
nomem:
    quarry_tokenizer_free(tok);
    qi_set_error(env->errmsg, "out of memory creating a tokenizer");
    return QUARRY_ENOMEM;
}

void quarry_tokenizer_free(quarry_tokenizer *tok)
{
    quarry_env *env;
    if (!tok)
        return;
    env = tok->env;
    qi_cjk_free(tok);
    qi_icu_close(tok);
    qi_free(env, tok->locale, tok->locale ? tok->locale_len + 1 : 0);
    qi_free(env, tok->cjk_dict, tok->cjk_dict ? tok->cjk_dict_len + 1 : 0);
    qi_buf_free(env, &tok->scratch);
    qi_buf_free(env, &tok->lexicon);
    qi_free(env, tok->offs, tok->offs_cap * sizeof *tok->offs);
    qi_free(env, tok, sizeof *tok);
}

const char *quarry_tokenizer_errmsg(const quarry_tokenizer *tok)
{
    return tok ? tok->errmsg : "";
}

int quarry_tokens_new(quarry_env *env, quarry_tokens **out)
{
    quarry_tokens *t = qi_calloc(env, 1, sizeof *t);
    *out = NULL;
    if (!t) {
        qi_set_error(env->errmsg, "out of memory creating a token buffer");
        return QUARRY_ENOMEM;
    }
    t->env = env;
    *out = t;
    return QUARRY_OK;
}

void quarry_tokens_free(quarry_tokens *t)
{
    quarry_env *env;
    if (!t)
        return;
    env = t->env;
    qi_free(env, t->tok, t->cap * sizeof *t->tok);
    qi_free(env, t->aux, t->aux_cap);
    qi_buf_free(env, &t->arena);
    qi_free(env, t->sent, t->sent_cap * sizeof *t->sent);
    qi_free(env, t->para, t->para_cap * sizeof *t->para);
    qi_free(env, t->words, t->words_cap * sizeof *t->words);
    qi_free(env, t, sizeof *t);
}

bool qi_tokens_grow(quarry_tokens *out)
{
    size_t ncap = out->cap ? out->cap * 2 : 1024;
    void *p;
    if (ncap > SIZE_MAX / sizeof(quarry_token))
        return false;
    /* tok and aux keep their own capacities so that a failure between the
     * two reallocations leaves both blocks freeable */
    if (out->aux_cap < ncap) {
        p = qi_realloc(out->env, out->aux, out->aux_cap, ncap);
        if (!p)
            return false;
        out->aux = p;
        out->aux_cap = ncap;
    }
    p = qi_realloc(out->env, out->tok, out->cap * sizeof(quarry_token),
                   ncap * sizeof(quarry_token));
    if (!p)
        return false;
    out->tok = p;
    out->cap = ncap;
    return true;
}

static int fail_oom(quarry_tokenizer *tok)
{
    qi_set_error(tok->errmsg, "out of memory while tokenizing");
    return QUARRY_ENOMEM;
}

/* A mark or joiner that follows a token directly belongs to it: widen the
 * token and normalize it again (its norm is the last one in the arena). */
static int extend_last(quarry_tokenizer *tok, const char *text, size_t end,
                       quarry_tokens *out)
{
    quarry_token *t = &out->tok[out->ntok - 1];
    int rc;
    out->arena.len = t->norm;
    t->end = end;
    rc = qi_norm_icu(tok, text + t->start, end - t->start, &out->arena);
    t->norm_len = (uint32_t)(out->arena.len - t->norm);
    return rc;
}

/* End of the run of extending chars (marks, ZWJ, variation selectors)
 * starting at i. After a ZWJ a symbol is taken too (emoji sequences). */
static size_t skip_extend(const unsigned char *s, size_t len, size_t i,
                          bool symbols)
{
    /* bounded, so that no token handed to ICU grows without limit */
    if (len - i > QI_MAX_WORD_BYTES)
        len = i + QI_MAX_WORD_BYTES;
    /* Han ideographs (lead bytes E4-E9) are never extending: the common
     * case in Chinese text costs one compare */
    while (i < len && s[i] >= 0x80 && (s[i] < 0xE4 || s[i] > 0xE9)) {
        uint32_t cp;
        size_t n = qi_decode_valid(s + i, &cp);
        if (qi_class_nonascii(cp) != QI_C_EXTEND)
            break;
        i += n;
        if (cp == 0x200D && symbols && i < len && s[i] >= 0x80) {
            n = qi_utf8_decode(s + i, len - i, &cp);
            if (n && qi_classify(cp) == QI_C_SYMBOL)
                i += n;
        }
    }
    return i;
}

static size_t first_invalid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    uint32_t cp;
    while (i < len) {
        size_t n = s[i] < 0x80 ? 1 : qi_utf8_decode(s + i, len - i, &cp);
        if (!n)
            return i;
        i += n;
    }
    return len;
}

/* "don’t" and "don't" are one word to a reader, so the normalized form of a
 * word spells its inner apostrophe U+2019 as ASCII ' (the scanner only keeps
 * U+2019 inside a word when it joins letters). Shrinks the norm in place. */
static void fold_apostrophes(qi_buf *arena, size_t norm)
{
    char *p = arena->data + norm, *end = arena->data + arena->len, *d = p;
    while (p < end) {
        if (end - p >= 3 && (unsigned char)p[0] == 0xE2 &&
            (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x99) {
            *d++ = '\'';
            p += 3;
        } else {
            *d++ = *p++;
        }
    }
    arena->len = (size_t)(d - arena->data);
}

static int scan(quarry_tokenizer *tok, const char *text, size_t len,
                quarry_tokens *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    /* the gap since the last token */
    bool sp = false, hard = false, para = false;
    unsigned nl = 0;
    int rc = QUARRY_OK;

#define GAP_AUX()                                                              \
    (uint8_t)(sp ? (QI_T_SPACE | ((para || nl >= 2) ? QI_T_PARA : 0) |         \
                    ((nl == 1 && !hard && !para) ? QI_T_SOFTBREAK : 0))        \
                 : 0)
#define GAP_RESET() (sp = hard = para = false, nl = 0)

    while (i < len) {
        unsigned char c = s[i];
        uint32_t cp;
        size_t n, end;
        uint64_t norm;
        uint8_t aux;
        int cls;

        if (c < 0x80) {
            cls = qi_ascii_class[c];
            if (cls == QI_C_SPACE) {
                sp = true;
                if (c == '\n')
                    nl++;
                else if (c == '\r') {
                    if (i + 1 < len && s[i + 1] == '\n')
                        i++;
                    nl++;
                } else if (c != ' ' && c != '\t')
                    hard = true;
                i++;
                continue;
            }
            if (cls == QI_C_PUNCT || cls == QI_C_SYMBOL) {
                aux = GAP_AUX();
                GAP_RESET();
                norm = out->arena.len;
                if (!qi_buf_push(tok->env, &out->arena, (char)c) ||
                    !qi_push_token(out, i, i + 1, norm,
                                   cls == QI_C_PUNCT ? QUARRY_TOKEN_PUNCT
                                                     : QUARRY_TOKEN_SYMBOL,
                                   aux))
                    return fail_oom(tok);
                i++;
                end = skip_extend(s, len, i, false);
                if (end != i) {
                    rc = extend_last(tok, text, end, out);
                    i = end;
                }
                if (rc != QUARRY_OK)
                    return rc;
                continue;
            }
            if (cls == QI_C_IGNORE) {
                i++;
                continue;
            }
            cp = c;
            n = 1;
        } else {
            n = qi_decode_valid(s + i, &cp);
            cls = qi_class_nonascii(cp);
        }

        switch (cls) {
        case QI_C_LETTER:
        case QI_C_COMPLEX:
        case QI_C_DIGIT:
        case QI_C_CONNECT: {
            qi_word_scan ws;
            qi_scan_word(tok, s, len, i, &ws);
            aux = GAP_AUX();
            GAP_RESET();
            if (ws.complex) {
                rc = qi_tokenize_complex(tok, text, i, ws.end, aux, out);
            } else {
                norm = out->arena.len;
                if (!ws.nonascii) {
                    if (!qi_norm_ascii(tok, text + i, ws.end - i, &out->arena))
                        return fail_oom(tok);
                } else {
                    rc = qi_norm_icu(tok, text + i, ws.end - i, &out->arena);
                    if (rc == QUARRY_OK)
                        fold_apostrophes(&out->arena, norm);
                }
                if (rc == QUARRY_OK &&
                    !qi_push_token(out, i, ws.end, norm,
                                   ws.letters  ? QUARRY_TOKEN_WORD
                                   : ws.digits ? QUARRY_TOKEN_NUMBER
                                               : QUARRY_TOKEN_PUNCT, /* _ */
                                   aux))
                    return fail_oom(tok);
            }
            if (rc != QUARRY_OK)
                return rc;
            i = ws.end;
            continue;
        }
        case QI_C_SPACE:
            sp = true;
            if (cp == 0x2029)
                para = true;
            else if (cp == 0x2028 || cp == 0x85)
                nl++;
            else
                hard = true;
            i += n;
            continue;
        case QI_C_IGNORE: i += n; continue;
        case QI_C_EXTEND:
            /* a mark with no base char of its own */
            end = skip_extend(s, len, i, false);
            if (end == i)
                end = i + n; /* a lone ZWJ never loops */
            if (out->ntok && out->tok[out->ntok - 1].end == i && !sp &&
                end - out->tok[out->ntok - 1].start <= 2 * QI_MAX_WORD_BYTES) {
                rc = extend_last(tok, text, end, out);
                if (rc != QUARRY_OK)
                    return rc;
            }
            i = end;
            continue;
        default: break;
        }

        /* a one-char token, possibly with marks or an emoji sequence */
        aux = GAP_AUX();
        GAP_RESET();
        norm = out->arena.len;
        end = i + n;
        if (cls == QI_C_CJK && qi_is_kana_cp(cp))
            aux |= QI_T_KANA;
        end = skip_extend(s, len, end, cls != QI_C_CJK && cls != QI_C_PUNCT);
        if (cp >= 0x1F1E6 && cp <= 0x1F1FF && end + 4 <= len) {
            uint32_t cp2;
            if (qi_utf8_decode(s + end, len - end, &cp2) == 4 &&
                cp2 >= 0x1F1E6 && cp2 <= 0x1F1FF) /* a flag: a pair */
                end = skip_extend(s, len, end + 4, true);
        }
        if (end == i + n)
            rc = qi_norm_cp(tok, cp, text + i, n, &out->arena);
        else
            rc = qi_norm_icu(tok, text + i, end - i, &out->arena);
        if (rc != QUARRY_OK)
            return rc;
        switch (cls) {
        case QI_C_CJK: cls = QUARRY_TOKEN_CJK; break;
        case QI_C_PUNCT: cls = QUARRY_TOKEN_PUNCT; break;
        case QI_C_NUMSYM: cls = QUARRY_TOKEN_NUMBER; break;
        default: cls = QUARRY_TOKEN_SYMBOL; break;
        }
        if (!qi_push_token(out, i, end, norm, cls, aux))
            return fail_oom(tok);
        i = end;
    }
#undef GAP_AUX
#undef GAP_RESET
    return QUARRY_OK;
}

int quarry_tokenize(quarry_tokenizer *tok, const char *text, size_t len,
                    quarry_tokens *out)
{
    size_t bad;
    int rc;
    out->ntok = out->nsent = out->npara = out->nwords = 0;
    out->arena.len = 0;
    tok->errmsg[0] = '\0';
    if (!text && len) {
        qi_set_error(tok->errmsg, "text is NULL");
        return QUARRY_EINVAL;
    }
    bad = first_invalid((const unsigned char *)text, len);
    if (bad != len) {
        qi_set_error(tok->errmsg,
                     "text is not valid UTF-8 (bad byte 0x%02X at offset %zu)",
                     (unsigned)(unsigned char)text[bad], bad);
        return QUARRY_EINVAL;
    }
    /* most text yields fewer norm bytes than text bytes */
    if (!qi_buf_reserve(out->env, &out->arena, len + 16))
        return fail_oom(tok);
    rc = scan(tok, text, len, out);
    if (rc == QUARRY_OK)
        rc = qi_sentences(tok, text, out);
    if (rc == QUARRY_OK && !(tok->flags & QUARRY_TOK_NO_CJK_WORDS))
        rc = qi_cjk_words(tok, out);
    if (rc != QUARRY_OK)
        out->ntok = out->nsent = out->npara = out->nwords = 0;
    return rc;
}

size_t quarry_tokens_count(const quarry_tokens *t)
{
    return t->ntok;
}

const quarry_token *quarry_tokens_data(const quarry_tokens *t)
{
    return t->tok;
}

const char *quarry_tokens_arena(const quarry_tokens *t)
{
    return t->arena.data ? t->arena.data : "";
}

size_t quarry_tokens_sentence_count(const quarry_tokens *t)
{
    return t->nsent;
}

const quarry_span *quarry_tokens_sentences(const quarry_tokens *t)
{
    return t->sent;
}

size_t quarry_tokens_paragraph_count(const quarry_tokens *t)
{
    return t->npara;
}

const quarry_span *quarry_tokens_paragraphs(const quarry_tokens *t)
{
    return t->para;
}

size_t quarry_tokens_word_count(const quarry_tokens *t)
{
    return t->nwords;
}

const quarry_word *quarry_tokens_words(const quarry_tokens *t)
{
    return t->words;
}

const char *quarry_token_kind_name(int kind)
{
    switch (kind) {
    case QUARRY_TOKEN_WORD: return "word";
    case QUARRY_TOKEN_NUMBER: return "number";
    case QUARRY_TOKEN_PUNCT: return "punct";
    case QUARRY_TOKEN_SYMBOL: return "symbol";
    case QUARRY_TOKEN_CJK: return "cjk";
    default: return "unknown";
    }
}
