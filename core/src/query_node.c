/*
 * query_node.c - the nodes of a parsed query and the query object's
 * lifetime (query.h). The parser, the dictionary compiler and the executor
 * all build or walk these trees.
 */
#include "query.h"

#include <string.h>

qi_qnode *qi_qnode_new(quarry_env *env, qi_qkind kind, size_t pos, size_t len)
{
    qi_qnode *n = qi_calloc(env, 1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->pos = pos;
    n->len = len;
    n->min = 1;
    n->max = 1;
    return n;
}

bool qi_qnode_add(quarry_env *env, qi_qnode *parent, qi_qnode *kid)
{
    /* kids grow one at a time; queries are small */
    qi_qnode **k = qi_realloc(env, parent->kids,
                              parent->nkids * sizeof *parent->kids,
                              (parent->nkids + 1) * sizeof *parent->kids);
    if (!k)
        return false;
    k[parent->nkids++] = kid;
    parent->kids = k;
    return true;
}

void qi_qnode_free(quarry_env *env, qi_qnode *n)
{
    size_t i;
    if (!n)
        return;
    for (i = 0; i < n->nkids; i++)
        qi_qnode_free(env, n->kids[i]);
    if (n->kids)
        qi_free(env, n->kids, n->nkids * sizeof *n->kids);
    if (n->text)
        qi_free(env, n->text, n->text_len + 1);
    quarry_filter_free(n->filter);
    quarry_dict_free(n->dict);
    qi_free(env, n, sizeof *n);
}

void quarry_query_free(quarry_query *q)
{
    if (!q)
        return;
    qi_qnode_free(q->env, q->root);
    if (q->text)
        qi_free(q->env, q->text, q->len + 1);
    qi_free(q->env, q, sizeof *q);
}

const char *quarry_query_text(const quarry_query *q)
{
    return q->text ? q->text : "";
}
