/*
 * stats.c - association measures of a 2x2 contingency table and keyness of
 * one item between two corpora (quarry.h, "Statistics"). Every formula, its
 * reference and the handling of zero cells are in docs/statistics.md; the
 * comments here only say why a case is treated the way it is.
 */
#include "internal.h"

#include <math.h>

/* Hardie's (2014) convention for log ratio: a zero frequency counts as 0.5
 * (as if the item had been seen half a time), so "never seen on one side"
 * gets a finite value that still grows with the other side's frequency,
 * instead of an infinity that would tie every such item. */
#define ZERO_FREQUENCY_STANDIN 0.5

/* o ln(o / e) with the limit 0 ln 0 = 0: an empty cell adds nothing to G2
 * (Dunning 1993), whatever its expectation. */
static double xlogx_over(double o, double e)
{
    return o > 0.0 ? o * log(o / e) : 0.0;
}

static double nonzero(double f)
{
    return f > 0.0 ? f : ZERO_FREQUENCY_STANDIN;
}

/* Pearson's X2 of a 2x2 table from its cross product, uncorrected and with
 * Yates' correction capped as R's chisq.test caps it (the correction never
 * exceeds |O - E|, so a table at its expectation gives 0, not a positive
 * value). A zero marginal means the table carries no evidence: 0. */
static void pearson(double o11, double o12, double o21, double o22,
                    double *chi2, double *chi2_yates)
{
    double n = o11 + o12 + o21 + o22;
    double margins = (o11 + o12) * (o21 + o22) * (o11 + o21) * (o12 + o22);
    if (!(margins > 0.0)) {
        *chi2 = *chi2_yates = 0.0;
        return;
    }
    /* Kahan's difference of products: with corpus-sized cells the two
     * products pass 2^53 and nearly cancel for independent items. */
    double off = o12 * o21;
    double off_error = fma(o12, o21, -off);
    double cross = fabs(fma(o11, o22, -off) - off_error);
    double corrected = fmax(0.0, cross - n / 2.0);
    *chi2 = n * (cross / margins) * cross;
    *chi2_yates = n * (corrected / margins) * corrected;
}

/* Dunning's G2 over the four cells, never negative (rounding could make a
 * table at its expectation come out as -1e-16). */
static double log_likelihood(double o11, double o12, double o21, double o22)
{
    double n = o11 + o12 + o21 + o22;
    double r1 = o11 + o12, r2 = o21 + o22, c1 = o11 + o21, c2 = o12 + o22;
    double sum = xlogx_over(o11, r1 * c1 / n) + xlogx_over(o12, r1 * c2 / n) +
                 xlogx_over(o21, r2 * c1 / n) + xlogx_over(o22, r2 * c2 / n);
    return fmax(0.0, 2.0 * sum);
}

QUARRY_API void quarry_assoc_compute(double o11, double o12, double o21,
                                     double o22, quarry_assoc *out)
{
    double n = o11 + o12 + o21 + o22;
    double r1 = o11 + o12, r2 = o21 + o22, c1 = o11 + o21;
    out->o11 = o11;
    out->o12 = o12;
    out->o21 = o21;
    out->o22 = o22;
    out->n = n;
    if (!(n > 0.0)) {
        out->e11 = out->mi = out->mi3 = out->t = out->z = NAN;
        out->dice = out->log_dice = out->log_ratio = NAN;
        out->g2 = out->chi2 = out->chi2_yates = 0.0;
        out->p_g2 = out->p_chi2 = out->p_fisher = 1.0;
        return;
    }
    double e11 = r1 * c1 / n;
    out->e11 = e11;
    /* IEEE arithmetic gives the documented limits directly: o11 = 0 with
     * e11 > 0 is -inf for MI, MI3 and t; an empty row or column (e11 = 0)
     * is 0/0 = NaN. */
    out->mi = log2(o11 / e11);
    out->mi3 = log2(o11 * o11 * o11 / e11);
    out->t = (o11 - e11) / sqrt(o11);
    out->z = (o11 - e11) / sqrt(e11);
    double g2 = log_likelihood(o11, o12, o21, o22);
    out->g2 = o11 < e11 && g2 > 0.0 ? -g2 : g2; /* never -0 */
    pearson(o11, o12, o21, o22, &out->chi2, &out->chi2_yates);
    out->dice = 2.0 * o11 / (r1 + c1);
    out->log_dice = 14.0 + log2(out->dice);
    /* The collocate's relative frequency inside the node's windows against
     * outside them; empty windows or an empty outside leave it undefined. */
    if (r1 > 0.0 && r2 > 0.0 && (o11 > 0.0 || o21 > 0.0))
        out->log_ratio = log2((nonzero(o11) / r1) / (nonzero(o21) / r2));
    else
        out->log_ratio = r1 > 0.0 && r2 > 0.0 ? 0.0 : NAN;
    out->p_g2 = quarry_chi2_pvalue(g2, 1);
    out->p_chi2 = quarry_chi2_pvalue(out->chi2, 1);
    out->p_fisher = quarry_fisher_pvalue(o11, o12, o21, o22);
}

QUARRY_API void quarry_keyness_compute(double a, double n1, double b, double n2,
                                       double smooth, quarry_keyness *out)
{
    double n = n1 + n2;
    out->a = a;
    out->b = b;
    out->n1 = n1;
    out->n2 = n2;
    if (!(n1 > 0.0) || !(n2 > 0.0)) {
        out->e1 = out->e2 = NAN;
        out->g2 = out->chi2 = out->chi2_yates = NAN;
        out->log_ratio = out->pct_diff = out->simple_maths = NAN;
        out->p_g2 = out->p_chi2 = NAN;
        return;
    }
    double e1 = n1 * (a + b) / n, e2 = n2 * (a + b) / n;
    out->e1 = e1;
    out->e2 = e2;
    double rel1 = a / n1, rel2 = b / n2;
    /* Equal relative frequencies give statistics of 0, kept as +0. */
    double sign = rel1 < rel2 ? -1.0 : 1.0;
    /* Rayson & Garside (2000) sum over the item's two cells only: this is
     * the value of Lancaster's log-likelihood calculator and of Wmatrix, so
     * keyword lists made with them are reproduced (the full four-cell G2 is
     * in quarry_assoc). By Gibbs'
     * inequality the sum is >= 0; fmax only absorbs rounding. */
    double g2 = fmax(0.0, 2.0 * (xlogx_over(a, e1) + xlogx_over(b, e2)));
    out->g2 = sign * g2;
    double chi2, chi2_yates;
    pearson(a, b, n1 - a, n2 - b, &chi2, &chi2_yates);
    out->chi2 = sign * chi2;
    out->chi2_yates = sign * chi2_yates;
    if (a > 0.0 || b > 0.0) {
        out->log_ratio = log2((nonzero(a) / n1) / (nonzero(b) / n2));
        /* Gabrielatos & Marchi (2012): relative difference of the
         * normalised frequencies; absent from the reference is +inf. */
        out->pct_diff = b > 0.0 ? (rel1 - rel2) * 100.0 / rel2 : INFINITY;
    } else {
        out->log_ratio = 0.0;
        out->pct_diff = 0.0;
    }
    out->simple_maths = (rel1 * 1e6 + smooth) / (rel2 * 1e6 + smooth);
    out->p_g2 = quarry_chi2_pvalue(g2, 1);
    out->p_chi2 = quarry_chi2_pvalue(chi2, 1);
}
