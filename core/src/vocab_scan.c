/*
 * vocab_scan.c - walks the term dictionary of an index snapshot and yields,
 * batch by batch, the terms that pass a prefix, a PCRE2 regex (anchored at
 * both ends: it must match the whole normalized term) and minimum counts
 * (quarry.h, "Vocabulary scan over an index").
 *
 * The walk goes through the public snapshot API (quarry_index_term_seek and
 * quarry_index_term_text), so it never depends on the segment layout. PCRE2
 * allocates through the env's allocator; its blocks carry their size in a
 * small header because PCRE2's free callback does not pass one.
 */
#include "internal.h"

#include "pcre_env.h"

#include <string.h>

/* PCRE2 bounds on one term match: terms are at most a few KB, so these are
 * generous for real patterns and stop pathological ones quickly. */
#define SCAN_MATCH_LIMIT 1000000u
#define SCAN_DEPTH_LIMIT 10000u

struct quarry_vocab_scan {
    quarry_env *env;
    quarry_index *ix; /* one reference, dropped by quarry_vocab_scan_free */
    char *prefix;
    size_t prefix_len;
    uint64_t min_count, min_docs;
    uint32_t next;  /* term id the next call looks at */
    uint32_t limit; /* term count of the snapshot */
    int done;
    pcre2_general_context *gctx;
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    char errmsg[QI_ERRMSG_SIZE];
};

/* ---- life cycle --------------------------------------------------------- */

void quarry_vocab_scan_free(quarry_vocab_scan *s)
{
    quarry_env *env;
    if (!s)
        return;
    env = s->env;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_code_free(s->code);
    pcre2_general_context_free(s->gctx);
    if (s->prefix)
        qi_free(env, s->prefix, s->prefix_len + 1);
    quarry_index_free(s->ix);
    qi_free(env, s, sizeof *s);
}

const char *quarry_vocab_scan_errmsg(const quarry_vocab_scan *s)
{
    return s ? s->errmsg : "";
}

static int compile_regex(quarry_vocab_scan *s,
                         const quarry_vocab_scan_options *o, size_t *error_pos)
{
    quarry_env *env = s->env;
    pcre2_compile_context *cctx = NULL;
    uint32_t flags = PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED |
                     PCRE2_ENDANCHORED | PCRE2_NO_UTF_CHECK;
    int err = 0;
    PCRE2_SIZE off = 0;

    if (!quarry_utf8_valid(o->regex, o->regex_len)) {
        qi_set_error(env->errmsg, "vocab: the regex is not valid UTF-8");
        return QUARRY_ESYNTAX;
    }
    if (o->caseless)
        flags |= PCRE2_CASELESS;
    s->gctx = qi_pcre2_context(env);
    if (!s->gctx)
        goto nomem;
    cctx = pcre2_compile_context_create(s->gctx);
    if (!cctx)
        goto nomem;
    s->code = pcre2_compile((PCRE2_SPTR)o->regex, o->regex_len, flags, &err,
                            &off, cctx);
    pcre2_compile_context_free(cctx);
    if (!s->code) {
        PCRE2_UCHAR buf[256];
        if (err == PCRE2_ERROR_HEAP_FAILED || err == PCRE2_ERROR_NOMEMORY)
            goto nomem;
        pcre2_get_error_message(err, buf, sizeof buf);
        if (error_pos)
            *error_pos = (size_t)off;
        qi_set_error(env->errmsg, "vocab: regex error at position %zu: %s",
                     (size_t)off, (const char *)buf);
        return QUARRY_ESYNTAX;
    }
    /* JIT when the platform has it; the interpreter otherwise */
    (void)pcre2_jit_compile(s->code, PCRE2_JIT_COMPLETE);
    s->md = pcre2_match_data_create_from_pattern(s->code, s->gctx);
    s->mctx = pcre2_match_context_create(s->gctx);
    if (!s->md || !s->mctx)
        goto nomem;
    pcre2_set_match_limit(s->mctx, SCAN_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, SCAN_DEPTH_LIMIT);
    return QUARRY_OK;

nomem:
    qi_set_error(env->errmsg, "vocab: out of memory");
    return QUARRY_ENOMEM;
}

int quarry_vocab_scan_new(quarry_env *env, quarry_index *ix,
                          const quarry_vocab_scan_options *opts,
                          quarry_vocab_scan **out, size_t *error_pos)
{
    quarry_vocab_scan_options none;
    quarry_vocab_scan *s;
    uint64_t count;
    int rc;

    if (out)
        *out = NULL;
    if (error_pos)
        *error_pos = 0;
    if (!env || !ix || !out)
        return QUARRY_EINVAL;
    if (!opts) {
        memset(&none, 0, sizeof none);
        opts = &none;
    }
    if ((opts->prefix == NULL && opts->prefix_len) ||
        (opts->regex == NULL && opts->regex_len)) {
        qi_set_error(env->errmsg, "vocab: NULL prefix or regex with a length");
        return QUARRY_EINVAL;
    }
    s = qi_calloc(env, 1, sizeof *s);
    if (!s) {
        qi_set_error(env->errmsg, "vocab: out of memory");
        return QUARRY_ENOMEM;
    }
    s->env = env;
    s->ix = quarry_index_retain(ix);
    s->min_count = opts->min_count ? opts->min_count : 1;
    s->min_docs = opts->min_docs;
    if (opts->prefix && opts->prefix_len) {
        s->prefix = qi_strndup(env, opts->prefix, opts->prefix_len);
        if (!s->prefix) {
            quarry_vocab_scan_free(s);
            qi_set_error(env->errmsg, "vocab: out of memory");
            return QUARRY_ENOMEM;
        }
        s->prefix_len = opts->prefix_len;
    }
    if (opts->regex) {
        rc = compile_regex(s, opts, error_pos);
        if (rc != QUARRY_OK) {
            quarry_vocab_scan_free(s);
            return rc;
        }
    }
    count = quarry_index_term_count(ix);
    s->limit = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
    s->next =
        s->prefix ? quarry_index_term_seek(ix, s->prefix, s->prefix_len) : 0;
    *out = s;
    return QUARRY_OK;
}

/* ---- the walk ----------------------------------------------------------- */

int quarry_vocab_scan_next(quarry_vocab_scan *s, size_t max, uint32_t *ids,
                           uint64_t *counts, uint64_t *docs, size_t *got)
{
    size_t n = 0;
    if (got)
        *got = 0;
    if (!s)
        return QUARRY_EINVAL;
    while (n < max && !s->done && s->next < s->limit) {
        uint32_t id = s->next;
        uint64_t c = 0, d = 0;
        size_t len = 0;
        const char *t = quarry_index_term_text(s->ix, id, &len, &c, &d);
        if (!t) {
            s->done = 1;
            break;
        }
        if (s->prefix &&
            (len < s->prefix_len || memcmp(t, s->prefix, s->prefix_len) != 0)) {
            /* terms are sorted: past the prefix range, nothing more */
            s->done = 1;
            break;
        }
        s->next++;
        if (c < s->min_count || d < s->min_docs)
            continue;
        if (s->code) {
            int rc =
                pcre2_match(s->code, (PCRE2_SPTR)t, len, 0, 0, s->md, s->mctx);
            if (rc == PCRE2_ERROR_NOMATCH)
                continue;
            if (rc < 0) {
                PCRE2_UCHAR buf[256];
                pcre2_get_error_message(rc, buf, sizeof buf);
                qi_set_error(s->errmsg, "vocab: regex on term '%.*s': %s",
                             (int)(len > 80 ? 80 : len), t, (const char *)buf);
                if (got)
                    *got = n;
                return rc == PCRE2_ERROR_NOMEMORY ? QUARRY_ENOMEM
                                                  : QUARRY_ELIMIT;
            }
        }
        if (ids)
            ids[n] = id;
        if (counts)
            counts[n] = c;
        if (docs)
            docs[n] = d;
        n++;
    }
    if (got)
        *got = n;
    return n > 0 ? QUARRY_OK : QUARRY_DONE;
}
