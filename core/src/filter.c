/*
 * filter.c - field filters: a small expression language over the typed
 * metadata of documents (quarry.h, "Field filters").
 *
 * The text is parsed by recursive descent into a flat array of nodes; a
 * comparison keeps its value as text plus every typed reading of it that
 * parses (integer, number, date), so matching a document only picks the
 * reading that fits each field's type. Self-contained on purpose: the query
 * language embeds it later.
 */
#include "reader_internal.h"

#include <math.h>
#include <string.h>

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum { N_CMP, N_AND, N_OR, N_NOT };

typedef struct fnode {
    int kind;
    int a, b; /* children (AND, OR: a and b; NOT: a) */
    /* N_CMP */
    int op;
    char *name;
    size_t name_len;
    char *value;
    size_t value_len;
    int has_int, has_num, has_date;
    int64_t ival;
    double nval;
    quarry_date dval;
} fnode;

struct quarry_filter {
    quarry_env *env;
    char *text;
    size_t text_len;
    fnode *nodes;
    size_t n, cap;
    int root;
};

typedef struct parser {
    quarry_filter *f;
    const char *s;
    size_t len, pos;
    int depth;
    int status; /* QUARRY_OK until the first error */
    size_t err_pos;
    char *errmsg; /* env's message buffer */
} parser;

static int fail(parser *p, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->status == QUARRY_OK) {
        char msg[QI_ERRMSG_SIZE];
        va_list ap;
        va_start(ap, fmt);
        qi_vset_error(msg, fmt, ap);
        va_end(ap);
        p->status = QUARRY_ESYNTAX;
        p->err_pos = pos;
        qi_set_error(p->errmsg, "filter: %s at position %zu", msg, pos + 1);
    }
    return -1;
}

static int oom(parser *p)
{
    if (p->status == QUARRY_OK) {
        p->status = QUARRY_ENOMEM;
        qi_set_error(p->errmsg, "filter: out of memory");
    }
    return -1;
}

static int new_node(parser *p, int kind)
{
    quarry_filter *f = p->f;
    void *data = f->nodes;
    if (!qi_array_reserve(f->env, &data, &f->cap, f->n + 1, sizeof *f->nodes))
        return oom(p);
    f->nodes = data;
    memset(&f->nodes[f->n], 0, sizeof *f->nodes);
    f->nodes[f->n].kind = kind;
    f->nodes[f->n].a = f->nodes[f->n].b = -1;
    return (int)f->n++;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static void skip_space(parser *p)
{
    while (p->pos < p->len && is_space(p->s[p->pos]))
        p->pos++;
}

static int is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
           c >= 0x80;
}

/* A keyword (AND, OR, NOT) at the current position, followed by a
 * delimiter. */
static int at_keyword(const parser *p, const char *kw)
{
    size_t n = strlen(kw), e = p->pos + n;
    if (e > p->len || memcmp(p->s + p->pos, kw, n) != 0)
        return 0;
    if (e == p->len)
        return 1;
    return is_space(p->s[e]) || p->s[e] == '(' || p->s[e] == ')' ||
           p->s[e] == '"';
}

static int parse_or(parser *p);

/* Reads the typed forms of a comparison's value, with the conversions the
 * readers use for type overrides (so "2001" is an integer and a number,
 * "2024-03" a date, " 7 " the integer 7). */
static void type_value(fnode *nd)
{
    quarry_field f;
    memset(&f, 0, sizeof f);
    f.text = nd->value;
    f.text_len = nd->value_len;
    if (qi_field_convert(&f, QUARRY_FIELD_INTEGER)) {
        nd->has_int = 1;
        nd->ival = f.value.integer;
    }
    if (qi_field_convert(&f, QUARRY_FIELD_NUMBER) && !isnan(f.value.number)) {
        nd->has_num = 1;
        nd->nval = f.value.number;
    }
    if (qi_field_convert(&f, QUARRY_FIELD_DATE)) {
        nd->has_date = 1;
        nd->dval = f.value.date;
    }
}

static int parse_comparison(parser *p)
{
    size_t start = p->pos, name_end, vstart;
    int op, id;
    fnode *nd;
    qi_buf val = {0};

    while (p->pos < p->len && is_name_char((unsigned char)p->s[p->pos]))
        p->pos++;
    name_end = p->pos;
    if (name_end == start) {
        if (p->pos >= p->len)
            return fail(p, p->pos, "expected a comparison such as year>=2020");
        if (p->s[p->pos] == ')')
            return fail(p, p->pos, "unexpected ')'");
        return fail(p, p->pos,
                    "expected a field name, got '%c' (a comparison is "
                    "NAME OP VALUE, e.g. year>=2020)",
                    p->s[p->pos]);
    }
    skip_space(p);
    if (p->pos >= p->len)
        return fail(p, p->pos,
                    "expected an operator (= != < <= > >= :) after '%.*s'",
                    (int)(name_end - start), p->s + start);
    {
        const char *c = p->s + p->pos;
        size_t rest = p->len - p->pos;
        if (rest >= 2 && c[0] == '!' && c[1] == '=') {
            op = OP_NE;
            p->pos += 2;
        } else if (rest >= 2 && c[0] == '<' && c[1] == '=') {
            op = OP_LE;
            p->pos += 2;
        } else if (rest >= 2 && c[0] == '>' && c[1] == '=') {
            op = OP_GE;
            p->pos += 2;
        } else if (rest >= 2 && c[0] == '=' && c[1] == '=') {
            op = OP_EQ;
            p->pos += 2;
        } else if (c[0] == '=' || c[0] == ':') {
            op = OP_EQ;
            p->pos += 1;
        } else if (c[0] == '<') {
            op = OP_LT;
            p->pos += 1;
        } else if (c[0] == '>') {
            op = OP_GT;
            p->pos += 1;
        } else {
            return fail(p, p->pos,
                        "expected an operator (= != < <= > >= :) after '%.*s'",
                        (int)(name_end - start), p->s + start);
        }
    }
    skip_space(p);
    vstart = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '"') {
        p->pos++;
        for (;;) {
            char c;
            if (p->pos >= p->len) {
                qi_buf_free(p->f->env, &val);
                return fail(p, vstart, "unterminated string");
            }
            c = p->s[p->pos++];
            if (c == '"')
                break;
            if (c == '\\' && p->pos < p->len &&
                (p->s[p->pos] == '"' || p->s[p->pos] == '\\'))
                c = p->s[p->pos++];
            if (!qi_buf_push(p->f->env, &val, c)) {
                qi_buf_free(p->f->env, &val);
                return oom(p);
            }
        }
    } else {
        while (p->pos < p->len && !is_space(p->s[p->pos]) &&
               p->s[p->pos] != '(' && p->s[p->pos] != ')' &&
               p->s[p->pos] != '"')
            p->pos++;
        if (p->pos == vstart)
            return fail(p, vstart, "expected a value after '%.*s'",
                        (int)(vstart - start), p->s + start);
        if (!qi_buf_append(p->f->env, &val, p->s + vstart, p->pos - vstart))
            return oom(p);
    }
    if (!qi_buf_terminate(p->f->env, &val)) {
        qi_buf_free(p->f->env, &val);
        return oom(p);
    }
    id = new_node(p, N_CMP);
    if (id < 0) {
        qi_buf_free(p->f->env, &val);
        return -1;
    }
    nd = &p->f->nodes[id];
    nd->op = op;
    nd->value = val.data; /* val.cap bytes: freed with value_len + 1 below */
    nd->value_len = val.len;
    /* keep the allocation size exact for qi_free */
    if (val.cap != val.len + 1) {
        char *exact = qi_strndup(p->f->env, val.data, val.len);
        qi_buf_free(p->f->env, &val);
        nd = &p->f->nodes[id];
        nd->value = exact;
        if (!exact)
            return oom(p);
    }
    nd->name = qi_strndup(p->f->env, p->s + start, name_end - start);
    if (!nd->name)
        return oom(p);
    nd->name_len = name_end - start;
    type_value(nd);
    return id;
}

static int parse_unary(parser *p)
{
    int id, child;
    skip_space(p);
    if (++p->depth > QUARRY_FILTER_MAX_DEPTH)
        return fail(p, p->pos, "nesting deeper than %d",
                    QUARRY_FILTER_MAX_DEPTH);
    if (at_keyword(p, "NOT")) {
        p->pos += 3;
        child = parse_unary(p);
        if (child < 0)
            return -1;
        id = new_node(p, N_NOT);
        if (id < 0)
            return -1;
        p->f->nodes[id].a = child;
    } else if (p->pos < p->len && p->s[p->pos] == '(') {
        size_t open = p->pos++;
        id = parse_or(p);
        if (id < 0)
            return -1;
        skip_space(p);
        if (p->pos >= p->len || p->s[p->pos] != ')')
            return fail(p, p->pos >= p->len ? open : p->pos,
                        p->pos >= p->len ? "unclosed '('" : "expected ')'");
        p->pos++;
    } else if (at_keyword(p, "AND") || at_keyword(p, "OR")) {
        return fail(p, p->pos, "expected a comparison before '%s'",
                    p->s[p->pos] == 'A' ? "AND" : "OR");
    } else {
        id = parse_comparison(p);
    }
    p->depth--;
    return id;
}

/* Starts another operand of AND (explicit or by juxtaposition)? */
static int operand_follows(parser *p)
{
    skip_space(p);
    if (p->pos >= p->len || p->s[p->pos] == ')')
        return 0;
    return !at_keyword(p, "OR");
}

static int parse_and(parser *p)
{
    int left = parse_unary(p);
    while (left >= 0 && operand_follows(p)) {
        int right, id;
        if (at_keyword(p, "AND")) {
            p->pos += 3;
            skip_space(p);
            if (p->pos >= p->len || p->s[p->pos] == ')' ||
                at_keyword(p, "OR") || at_keyword(p, "AND"))
                return fail(p, p->pos, "expected a comparison after AND");
        }
        right = parse_unary(p);
        if (right < 0)
            return -1;
        id = new_node(p, N_AND);
        if (id < 0)
            return -1;
        p->f->nodes[id].a = left;
        p->f->nodes[id].b = right;
        left = id;
    }
    return left;
}

static int parse_or(parser *p)
{
    int left = parse_and(p);
    for (;;) {
        int right, id;
        if (left < 0)
            return -1;
        skip_space(p);
        if (!at_keyword(p, "OR"))
            return left;
        p->pos += 2;
        skip_space(p);
        if (p->pos >= p->len || p->s[p->pos] == ')' || at_keyword(p, "OR") ||
            at_keyword(p, "AND"))
            return fail(p, p->pos, "expected a comparison after OR");
        right = parse_and(p);
        if (right < 0)
            return -1;
        id = new_node(p, N_OR);
        if (id < 0)
            return -1;
        p->f->nodes[id].a = left;
        p->f->nodes[id].b = right;
        left = id;
    }
}

void quarry_filter_free(quarry_filter *f)
{
    size_t i;
    if (!f)
        return;
    for (i = 0; i < f->n; i++) {
        fnode *nd = &f->nodes[i];
        if (nd->name)
            qi_free(f->env, nd->name, nd->name_len + 1);
        if (nd->value)
            qi_free(f->env, nd->value, nd->value_len + 1);
    }
    qi_free(f->env, f->nodes, f->cap * sizeof *f->nodes);
    qi_free(f->env, f->text, f->text_len + 1);
    qi_free(f->env, f, sizeof *f);
}

int quarry_filter_compile(quarry_env *env, const char *text, size_t len,
                          quarry_filter **out, size_t *error_pos)
{
    parser p;
    quarry_filter *f;
    int root;

    if (out)
        *out = NULL;
    if (error_pos)
        *error_pos = 0;
    if (!env || !out || (!text && len)) {
        if (env)
            qi_set_error(env->errmsg, "filter: bad arguments");
        return QUARRY_EINVAL;
    }
    f = qi_calloc(env, 1, sizeof *f);
    if (!f) {
        qi_set_error(env->errmsg, "filter: out of memory");
        return QUARRY_ENOMEM;
    }
    f->env = env;
    f->text = qi_strndup(env, text ? text : "", len);
    f->text_len = len;
    if (!f->text) {
        f->text_len = 0;
        qi_free(env, f, sizeof *f);
        qi_set_error(env->errmsg, "filter: out of memory");
        return QUARRY_ENOMEM;
    }
    memset(&p, 0, sizeof p);
    p.f = f;
    p.s = f->text;
    p.len = len;
    p.errmsg = env->errmsg;
    skip_space(&p);
    if (p.pos >= p.len) {
        fail(&p, 0, "empty filter (expected a comparison such as year>=2020)");
    } else if (memchr(p.s, '\0', len)) {
        fail(&p, (size_t)((const char *)memchr(p.s, '\0', len) - p.s),
             "NUL byte in filter");
    } else {
        root = parse_or(&p);
        if (root >= 0) {
            skip_space(&p);
            if (p.pos < p.len)
                fail(&p, p.pos,
                     p.s[p.pos] == ')' ? "unexpected ')'" : "unexpected text");
            f->root = root;
        }
    }
    if (p.status != QUARRY_OK) {
        if (error_pos)
            *error_pos = p.err_pos;
        quarry_filter_free(f);
        return p.status;
    }
    *out = f;
    return QUARRY_OK;
}

const char *quarry_filter_text(const quarry_filter *f)
{
    return f ? f->text : "";
}

/* ---- matching ----------------------------------------------------------- */

static int cmp_result(int op, int c)
{
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
    }
}

/* Date parts as a sortable tuple, cut at precision prec. */
static void date_key(const quarry_date *d, int prec, int64_t key[6])
{
    key[0] = d->year;
    key[1] = prec >= QUARRY_DATE_MONTH ? d->month : 0;
    key[2] = prec >= QUARRY_DATE_DAY ? d->day : 0;
    key[3] = prec >= QUARRY_DATE_MINUTE ? d->hour : 0;
    key[4] = prec >= QUARRY_DATE_MINUTE ? d->minute : 0;
    key[5] = prec >= QUARRY_DATE_SECOND ? d->second : 0;
}

static int match_cmp(const fnode *nd, const quarry_field *fields, size_t n)
{
    const quarry_field *fd = NULL;
    size_t i;
    int c;
    for (i = 0; i < n; i++) {
        if (fields[i].name && strlen(fields[i].name) == nd->name_len &&
            memcmp(fields[i].name, nd->name, nd->name_len) == 0) {
            fd = &fields[i];
            break;
        }
    }
    if (!fd)
        return 0;
    switch (fd->type) {
    case QUARRY_FIELD_INTEGER:
        if (nd->has_int) {
            c = fd->value.integer < nd->ival ? -1
                                             : fd->value.integer > nd->ival;
            return cmp_result(nd->op, c);
        }
        if (!nd->has_num)
            return 0;
        {
            double x = (double)fd->value.integer;
            c = x < nd->nval ? -1 : x > nd->nval;
        }
        return cmp_result(nd->op, c);
    case QUARRY_FIELD_NUMBER: {
        double x = fd->value.number;
        if (!nd->has_num || isnan(x))
            return 0;
        c = x < nd->nval ? -1 : x > nd->nval;
        return cmp_result(nd->op, c);
    }
    case QUARRY_FIELD_DATE: {
        int64_t a[6], b[6];
        int prec, k;
        if (!nd->has_date)
            return 0;
        prec = nd->dval.precision;
        if (fd->value.date.precision < prec)
            prec = fd->value.date.precision;
        date_key(&fd->value.date, prec, a);
        date_key(&nd->dval, prec, b);
        c = 0;
        for (k = 0; k < 6 && c == 0; k++)
            c = a[k] < b[k] ? -1 : a[k] > b[k];
        return cmp_result(nd->op, c);
    }
    default: {
        size_t la = fd->text ? fd->text_len : 0, m;
        m = la < nd->value_len ? la : nd->value_len;
        c = m ? memcmp(fd->text, nd->value, m) : 0;
        if (c == 0)
            c = la < nd->value_len ? -1 : la > nd->value_len;
        else
            c = c < 0 ? -1 : 1;
        return cmp_result(nd->op, c);
    }
    }
}

static int match_node(const quarry_filter *f, int id,
                      const quarry_field *fields, size_t n)
{
    const fnode *nd = &f->nodes[id];
    /* AND and OR chains are left-deep (a is the chain so far, b one
     * operand): walk them in a loop, so recursion is bounded by the nesting
     * depth (QUARRY_FILTER_MAX_DEPTH), not by the length of the filter. */
    while (nd->kind == N_AND || nd->kind == N_OR) {
        int r = match_node(f, nd->b, fields, n);
        if (nd->kind == N_AND ? !r : r)
            return r;
        nd = &f->nodes[nd->a];
    }
    if (nd->kind == N_NOT)
        return !match_node(f, nd->a, fields, n);
    return match_cmp(nd, fields, n);
}

int quarry_filter_match(const quarry_filter *f, const quarry_field *fields,
                        size_t n)
{
    if (!f || f->n == 0)
        return 0;
    return match_node(f, f->root, fields, n);
}
