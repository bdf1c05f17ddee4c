/*
 * query_format.c - quarry_query_format: the parsed query as an S-expression
 * (docs/query.md, "Parsed form"). The form is stable: tests and
 * `quarry search --explain` compare it as text.
 */
#include "query.h"

#include <stdio.h>
#include <string.h>

typedef struct sink {
    char *buf;
    size_t size; /* bytes of buf, NUL included */
    size_t n;    /* bytes the whole form needs so far */
} sink;

static void put(sink *o, const char *s, size_t len)
{
    if (o->n + 1 < o->size) {
        size_t room = o->size - 1 - o->n;
        memcpy(o->buf + o->n, s, len < room ? len : room);
    }
    o->n += len;
}

static void put_s(sink *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_u(sink *o, uint32_t v)
{
    char num[16];
    if (v == QI_QUANT_INF) {
        put_s(o, "inf");
        return;
    }
    snprintf(num, sizeof num, "%lu", (unsigned long)v);
    put_s(o, num);
}

/* "text" with \" and \\ escaped. */
static void put_quoted(sink *o, const char *s, size_t len)
{
    size_t i, run = 0;
    put_s(o, "\"");
    for (i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            put(o, s + run, i - run);
            put_s(o, "\\");
            run = i;
        }
    }
    put(o, s + run, len - run);
    put_s(o, "\"");
}

static void put_node(sink *o, const qi_qnode *n);

static void put_kids(sink *o, const qi_qnode *n)
{
    size_t i;
    for (i = 0; i < n->nkids; i++) {
        put_s(o, " ");
        put_node(o, n->kids[i]);
    }
    put_s(o, ")");
}

static void put_attr(sink *o, const qi_qnode *n)
{
    put_s(o, n->attr == QA_WORD ? "(word" : "(norm");
    put_s(o, n->op == QA_NE ? "!=" : "=");
    switch (n->vkind) {
    case QV_REGEX:
        /* quoted like every other string, so the form stays an S-expression
         * whatever the pattern holds */
        put_s(o, (n->flags & QN_F_CASELESS) ? "/i " : "/ ");
        put_quoted(o, n->text, n->text_len);
        break;
    case QV_WILDCARD:
        put_s(o, "~ ");
        put_quoted(o, n->text, n->text_len);
        break;
    default:
        put_s(o, " ");
        put_quoted(o, n->text, n->text_len);
        break;
    }
    put_s(o, ")");
}

static void put_node(sink *o, const qi_qnode *n)
{
    switch (n->kind) {
    case QN_TERM:
        put_s(o, (n->flags & QN_F_CASE) ? "(term= " : "(term ");
        put_quoted(o, n->text, n->text_len);
        put_s(o, ")");
        break;
    case QN_WILDCARD:
        put_s(o, "(wild ");
        put_quoted(o, n->text, n->text_len);
        put_s(o, ")");
        break;
    case QN_REGEX:
        put_s(o, (n->flags & QN_F_CASELESS) ? "(regex/i " : "(regex ");
        put_quoted(o, n->text, n->text_len);
        put_s(o, ")");
        break;
    case QN_SEQ: put_s(o, "(seq"), put_kids(o, n); break;
    case QN_TOKEN:
        put_s(o, "(tok ");
        put_u(o, n->min);
        put_s(o, " ");
        put_u(o, n->max);
        if (n->flags & QN_F_PHRASE)
            put_s(o, " phrase");
        put_kids(o, n);
        break;
    case QN_ATTR: put_attr(o, n); break;
    case QN_ATTR_AND: put_s(o, "(&"), put_kids(o, n); break;
    case QN_ATTR_OR: put_s(o, "(|"), put_kids(o, n); break;
    case QN_ATTR_NOT: put_s(o, "(!"), put_kids(o, n); break;
    case QN_AND: put_s(o, "(and"), put_kids(o, n); break;
    case QN_OR: put_s(o, "(or"), put_kids(o, n); break;
    case QN_NOT: put_s(o, "(not"), put_kids(o, n); break;
    case QN_NEAR:
        put_s(o, (n->flags & QN_F_ORDERED) ? "(onear " : "(near ");
        put_u(o, n->near);
        put_kids(o, n);
        break;
    case QN_FILTER: {
        const char *t = n->filter ? quarry_filter_text(n->filter) : "";
        put_s(o, "(filter ");
        put_quoted(o, t, strlen(t));
        put_s(o, ")");
        break;
    }
    case QN_DICT:
        put_s(o, "(dict ");
        put_u(o, n->dict ? (uint32_t)quarry_dict_category_count(n->dict) : 0);
        if (n->dict_mode == QUARRY_DICT_ALL)
            put_s(o, " all");
        put_s(o, ")");
        break;
    default: put_s(o, "(?)"); break;
    }
}

size_t quarry_query_format(const quarry_query *q, char *buf, size_t size)
{
    sink o;
    o.buf = buf;
    o.size = buf ? size : 0;
    o.n = 0;
    if (q && q->root) {
        if (q->scope == QI_SCOPE_SENTENCE)
            put_s(&o, "(within s ");
        else if (q->scope == QI_SCOPE_PARAGRAPH)
            put_s(&o, "(within p ");
        put_node(&o, q->root);
        if (q->scope != QI_SCOPE_DOC)
            put_s(&o, ")");
    }
    if (o.size > 0)
        o.buf[o.n < o.size ? o.n : o.size - 1] = '\0';
    return o.n;
}
