/* name_pattern.c - file-name patterns such as "{country}_{session}_{year}".
 *
 * Syntax: "{name}" captures a field, "{}" or "{_}" captures and ignores a
 * part, "{{" and "}}" are literal braces, everything else is literal text
 * that must match exactly. Matching is left to right without backtracking:
 * a placeholder takes the shortest non-empty text up to the next occurrence
 * of the literal that follows it; the last placeholder takes the rest. Two
 * placeholders must be separated by a literal, since nothing could tell
 * where one ends. */
#include "reader_internal.h"

#include <string.h>

static int add_part(quarry_env *env, qi_name_pattern *p, int kind,
                    const char *text, size_t len)
{
    void *data = p->parts;
    qi_name_part *part;
    if (!qi_array_reserve(env, &data, &p->cap, p->count + 1, sizeof *part))
        return QUARRY_ENOMEM;
    p->parts = data;
    part = &p->parts[p->count];
    part->text = qi_strndup(env, text, len);
    if (!part->text)
        return QUARRY_ENOMEM;
    part->kind = kind;
    part->len = len;
    p->count++;
    return QUARRY_OK;
}

int qi_name_pattern_parse(quarry_env *env, const char *pattern,
                          qi_name_pattern *out, char *err)
{
    qi_buf lit = {0};
    const char *s = pattern;
    int rc = QUARRY_OK;
    memset(out, 0, sizeof *out);
    while (*s && rc == QUARRY_OK) {
        if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
            if (!qi_buf_push(env, &lit, s[0]))
                rc = QUARRY_ENOMEM;
            s += 2;
        } else if (s[0] == '{') {
            const char *end = strchr(s + 1, '}');
            size_t n;
            int kind;
            if (!end) {
                qi_set_error(err, "name pattern \"%s\": unclosed '{'", pattern);
                rc = QUARRY_EINVAL;
                break;
            }
            n = (size_t)(end - s - 1);
            if (memchr(s + 1, '{', n)) {
                qi_set_error(err,
                             "name pattern \"%s\": '{' inside a placeholder",
                             pattern);
                rc = QUARRY_EINVAL;
                break;
            }
            kind = (n == 0 || (n == 1 && s[1] == '_')) ? QI_NP_IGNORE
                                                       : QI_NP_FIELD;
            if (lit.len) {
                rc = add_part(env, out, QI_NP_LITERAL, lit.data, lit.len);
                lit.len = 0;
            } else if (out->count &&
                       out->parts[out->count - 1].kind != QI_NP_LITERAL) {
                qi_set_error(err,
                             "name pattern \"%s\": placeholders must be "
                             "separated by literal text",
                             pattern);
                rc = QUARRY_EINVAL;
                break;
            }
            if (rc == QUARRY_OK)
                rc = add_part(env, out, kind, s + 1, n);
            s = end + 1;
        } else if (s[0] == '}') {
            qi_set_error(err, "name pattern \"%s\": unmatched '}'", pattern);
            rc = QUARRY_EINVAL;
        } else {
            if (!qi_buf_push(env, &lit, s[0]))
                rc = QUARRY_ENOMEM;
            s++;
        }
    }
    if (rc == QUARRY_OK && lit.len)
        rc = add_part(env, out, QI_NP_LITERAL, lit.data, lit.len);
    qi_buf_free(env, &lit);
    if (rc == QUARRY_OK && out->count == 0) {
        qi_set_error(err, "name pattern is empty");
        rc = QUARRY_EINVAL;
    }
    if (rc != QUARRY_OK) {
        if (rc == QUARRY_ENOMEM)
            qi_set_error(err, "out of memory");
        qi_name_pattern_free(env, out);
    }
    return rc;
}

void qi_name_pattern_free(quarry_env *env, qi_name_pattern *p)
{
    size_t i;
    for (i = 0; i < p->count; i++)
        qi_free(env, p->parts[i].text, p->parts[i].len + 1);
    qi_free(env, p->parts, p->cap * sizeof *p->parts);
    memset(p, 0, sizeof *p);
}

/* First occurrence of needle in hay[from, len), or len if none. */
static size_t find(const char *hay, size_t len, size_t from, const char *needle,
                   size_t n)
{
    size_t i;
    if (n > len)
        return len;
    for (i = from; i + n <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
            return i;
    return len;
}

bool qi_name_pattern_match(const qi_name_pattern *p, const char *name,
                           size_t len, qi_name_span *spans)
{
    size_t pos = 0, i;
    for (i = 0; i < p->count; i++) {
        const qi_name_part *part = &p->parts[i];
        if (part->kind == QI_NP_LITERAL) {
            if (len - pos < part->len ||
                memcmp(name + pos, part->text, part->len) != 0)
                return false;
            spans[i].start = pos;
            spans[i].len = part->len;
            pos += part->len;
        } else if (i + 1 == p->count) {
            if (pos == len)
                return false;
            spans[i].start = pos;
            spans[i].len = len - pos;
            pos = len;
        } else {
            /* the next part is a literal (parse guarantees it) */
            const qi_name_part *next = &p->parts[i + 1];
            size_t at;
            if (pos == len)
                return false;
            at = find(name, len, pos + 1, next->text, next->len);
            if (at == len)
                return false;
            spans[i].start = pos;
            spans[i].len = at - pos;
            pos = at;
        }
    }
    return pos == len;
}
