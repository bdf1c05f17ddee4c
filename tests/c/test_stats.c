/* test_stats.c - association, keyness, chi-squared p-values and dispersion
 * (core/src/stats*.c) against values published in the literature, plus
 * properties: symmetry, signs, monotonicity and the zero-cell conventions of
 * docs/statistics.md. Differential tests against R are in
 * tests/lua/stats_spec.lua. */
#include "check.h"
#include "internal.h"

#include <math.h>

/* |got - want| <= tol; prints both on failure. */
#define CHECK_NEAR(got, want, tol)                                             \
    do {                                                                       \
        double check_g_ = (got), check_w_ = (want);                            \
        if (fabs(check_g_ - check_w_) <= (tol)) {                              \
            check_passed_count++;                                              \
        } else {                                                               \
            check_failed_count++;                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s ~ %s (%.10g vs %.10g)\n", \
                    __FILE__, __LINE__, #got, #want, check_g_, check_w_);      \
        }                                                                      \
    } while (0)

/* Manning & Schuetze (1999), ch. 5: New York Times newswire, N = 14307668
 * tokens; a bigram "w1 w2" as a 2x2 table from C(w1), C(w2), C(w1 w2). */
#define MS_N 14307668.0

static quarry_assoc bigram(double c1, double c2, double c12, double n)
{
    quarry_assoc a;
    quarry_assoc_compute(c12, c1 - c12, c2 - c12, n - c1 - c2 + c12, &a);
    return a;
}

static void test_manning_schuetze(void)
{
    /* Section 5.3.1, the t test: "new companies", C(new) = 15828,
     * C(companies) = 4675, C(new companies) = 8: t = 0.999932. */
    quarry_assoc a = bigram(15828, 4675, 8, MS_N);
    CHECK_NEAR(a.t, 0.999932, 5e-7);
    /* Section 5.3.3, Pearson's chi-square for the same bigram (its 2x2 table):
     * X2 = 1.55, not significant at 0.05. */
    CHECK_NEAR(a.chi2, 1.55, 0.005);
    CHECK(a.p_chi2 > 0.05);
    CHECK_NEAR(a.e11, 15828.0 * 4675.0 / MS_N, 1e-12);

    /* Section 5.3.1, the table of t scores of bigrams occurring 20 times,
     * printed
     * truncated (not rounded) to four decimals: 4.47208 shows as 4.4720. */
#define CHECK_T(c1, c2, printed)                                               \
    CHECK_NEAR(bigram(c1, c2, 20, MS_N).t, (printed) + 0.00005, 0.00005)
    CHECK_T(42, 20, 4.4721);       /* Ayatollah Ruhollah */
    CHECK_T(41, 27, 4.4721);       /* Bette Midler */
    CHECK_T(30, 117, 4.4720);      /* Agatha Christie */
    CHECK_T(14907, 9017, 2.3714);  /* first made */
    CHECK_T(13484, 10570, 2.2446); /* over many */
    CHECK_T(14734, 13478, 1.3685); /* into them */
    CHECK_T(14093, 14776, 1.2176); /* like people */
    CHECK_T(15019, 15629, 0.8036); /* time last */
#undef CHECK_T

    /* Section 5.4, the table of pointwise mutual information of the
     * same bigrams (Church & Hanks 1990's I, in bits). */
    CHECK_NEAR(bigram(42, 20, 20, MS_N).mi, 18.38, 0.005);
    CHECK_NEAR(bigram(41, 27, 20, MS_N).mi, 17.98, 0.005);
    CHECK_NEAR(bigram(30, 117, 20, MS_N).mi, 16.31, 0.005);
    CHECK_NEAR(bigram(14907, 9017, 20, MS_N).mi, 1.09, 0.005);
    CHECK_NEAR(bigram(15019, 15629, 20, MS_N).mi, 0.29, 0.005);

    /* Section 5.3.3, translation pairs in the Hansard: "cow"
     * and "vache", o11 = 59, o12 = 6, o21 = 8, o22 = 570934: X2 = 456400. */
    quarry_assoc_compute(59, 6, 8, 570934, &a);
    CHECK_NEAR(a.chi2, 456400, 0.5);
}

static void test_keyness_published(void)
{
    /* Lancaster University's log-likelihood web form (the example in its
     * instructions, also used in Hardie's CQPweb teaching material): a word
     * occurring 52 times in 50,000 tokens and 57 times in 75,000 tokens gives
     * "Word 52 0.10 57 0.08 + 2.65" - the Rayson & Garside (2000) LL,
     * positive because the word is more frequent in corpus 1. */
    quarry_keyness k;
    quarry_keyness_compute(52, 50000, 57, 75000, 1, &k);
    CHECK_NEAR(k.g2, 2.65, 0.005);
    CHECK(k.p_g2 > 0.05); /* "not statistically significant" */
    CHECK_NEAR(k.e1, 50000.0 * 109 / 125000, 1e-12);
    CHECK_NEAR(k.e2, 75000.0 * 109 / 125000, 1e-12);

    /* Hardie's log ratio is log2 of the ratio of relative frequencies:
     * 52/50000 against 57/75000. */
    CHECK_NEAR(k.log_ratio, log2((52.0 / 50000) / (57.0 / 75000)), 1e-12);
    /* %DIFF (Gabrielatos & Marchi 2012): (1040 - 760) / 760 * 100. */
    CHECK_NEAR(k.pct_diff, (1040.0 - 760.0) / 760.0 * 100.0, 1e-9);
    /* Kilgarriff (2009): (fpm1 + N) / (fpm2 + N), here 1041 / 761. */
    CHECK_NEAR(k.simple_maths, 1041.0 / 761.0, 1e-12);
    quarry_keyness_compute(52, 50000, 57, 75000, 100, &k);
    CHECK_NEAR(k.simple_maths, 1140.0 / 860.0, 1e-12);
}

static void test_pvalue(void)
{
    /* Upper critical values of the chi-squared distribution, as tabulated
     * in the NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.4. */
    static const struct {
        unsigned df;
        double x, p;
    } table[] = {
        {1, 3.841, 0.05},     {1, 6.635, 0.01},    {1, 10.828, 0.001},
        {2, 5.991, 0.05},     {2, 13.816, 0.001},  {3, 7.815, 0.05},
        {5, 11.070, 0.05},    {5, 20.515, 0.001},  {10, 18.307, 0.05},
        {10, 2.558, 0.99},    {30, 43.773, 0.05},  {30, 14.953, 0.99},
        {100, 124.342, 0.05}, {100, 70.065, 0.99},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        double p = quarry_chi2_pvalue(table[i].x, table[i].df);
        /* three decimals in the table: relative error of a few 1e-4 */
        CHECK_NEAR(p / table[i].p, 1.0, 2e-3);
    }
    CHECK(quarry_chi2_pvalue(0, 1) == 1.0);
    CHECK(quarry_chi2_pvalue(-3, 4) == 1.0);
    CHECK(quarry_chi2_pvalue(INFINITY, 3) == 0.0);
    CHECK(isnan(quarry_chi2_pvalue(NAN, 1)));
    CHECK(isnan(quarry_chi2_pvalue(1, 0)));
    /* far tail stays a positive number, not 0 by cancellation */
    CHECK(quarry_chi2_pvalue(1000, 1) > 0.0);
    CHECK(quarry_chi2_pvalue(1000, 7) > 0.0);

    /* For even df the upper tail has a closed form: Q(k, y) =
     * exp(-y) sum_{i<k} y^i / i!; checks both the series and the continued
     * fraction branches (x / 2 below and above df / 2 + 1). */
    for (unsigned k = 2; k <= 40; k += 3) {
        for (double x = 0.25; x < 200; x *= 1.7) {
            double y = x / 2, term = 1, sum = 0;
            for (unsigned i = 0; i < k; i++) {
                sum += term;
                term *= y / (i + 1);
            }
            double want = exp(-y) * sum;
            double got = quarry_chi2_pvalue(x, 2 * k);
            CHECK_NEAR(got, want, 1e-13 + 1e-11 * want);
        }
    }
    /* Monotone in x and in df, continuous across the branch switch. */
    for (unsigned df = 1; df <= 60; df++) {
        double prev = 1.0;
        for (double x = 0.01; x < 300; x += 0.37) {
            double p = quarry_chi2_pvalue(x, df);
            if (!(p <= prev && p >= 0.0)) {
                CHECK(p <= prev && p >= 0.0);
                break;
            }
            prev = p;
        }
        CHECK(quarry_chi2_pvalue(df, df + 1) > quarry_chi2_pvalue(df, df));
    }
}

static void test_fisher(void)
{
    /* Fisher (1935), The Design of Experiments, the lady tasting tea: 3 of
     * 4 cups right with 4 of each kind, one-sided p = 17/70. */
    CHECK_NEAR(quarry_fisher_pvalue(3, 1, 1, 3), 17.0 / 70.0, 1e-15);
    CHECK_NEAR(quarry_fisher_pvalue(4, 0, 0, 4), 1.0 / 70.0, 1e-15);
    CHECK_NEAR(quarry_fisher_pvalue(0, 4, 4, 0), 1.0, 0);
    /* P(X >= o11) by the density: o11 at its lower bound is certain. */
    CHECK_NEAR(quarry_fisher_pvalue(0, 10, 20, 970), 1.0, 0);
    CHECK_NEAR(quarry_fisher_pvalue(7, 0, 0, 0), 1.0, 0);
    /* A tail far below 1e-100 on a corpus-sized table (Manning & Schuetze's
     * Ayatollah Ruhollah) stays a positive number. */
    double p = quarry_fisher_pvalue(20, 22, 0, MS_N - 42);
    CHECK(p > 0 && p < 1e-100);
    CHECK(isnan(quarry_fisher_pvalue(1.5, 2, 3, 4)));
    CHECK(isnan(quarry_fisher_pvalue(-1, 2, 3, 4)));
    /* The two tails meet: P(X >= k) = 1 - P(X >= k + 1) + P(X = k), with
     * k on either side of the mode (upper and lower summation). */
    for (double k = 1; k < 40; k++) {
        double hi = quarry_fisher_pvalue(k, 100 - k, 60 - k, 840 + k);
        double next = quarry_fisher_pvalue(k + 1, 99 - k, 59 - k, 841 + k);
        CHECK(hi >= next);
    }
    quarry_assoc a;
    quarry_assoc_compute(3, 1, 1, 3, &a);
    CHECK_NEAR(a.p_fisher, 17.0 / 70.0, 1e-15);
}

static void test_dispersion_published(void)
{
    quarry_dispersion d;
    /* Gries (2008), DP of "a" in the five-part toy corpus of parts
     * of 9, 10, 10, 10 and 11 words, with frequencies 1, 2, 3, 4, 5:
     * DP = 0.18. DPnorm after Lijffijt & Gries (2012): 0.18 / (1 - 0.18). */
    double f1[] = {1, 2, 3, 4, 5}, s1[] = {9, 10, 10, 10, 11};
    CHECK_EQ_INT(quarry_dispersion_compute(f1, s1, 5, &d), QUARRY_OK);
    CHECK_NEAR(d.gries_dp, 0.18, 1e-12);
    CHECK_NEAR(d.gries_dp_norm, 0.18 / 0.82, 1e-12);
    CHECK_NEAR(d.range, 5, 0);
    CHECK_NEAR(d.parts, 5, 0);

    /* Lyne (1985), French ALLEMAND over the ten Tenths of his business
     * correspondence corpus, as reproduced in the README of the tlda R
     * package (Soenning): D = 0.6038797 (Juilland), DP = 0.4990705 (Gries
     * scaling), relative range 0.5. */
    double f2[] = {2, 0, 1, 1, 3, 0, 3, 0, 0, 0};
    double s2[] = {8143, 8058, 8271, 8125, 7959, 7941, 8146, 8001, 8003, 7930};
    CHECK_EQ_INT(quarry_dispersion_compute(f2, s2, 10, &d), QUARRY_OK);
    CHECK_NEAR(d.juilland_d, 0.6038797, 5e-8);
    CHECK_NEAR(d.gries_dp, 0.4990705, 5e-8);
    CHECK_NEAR(d.range / d.parts, 0.5, 0);
}

static void test_dispersion_edges(void)
{
    quarry_dispersion d;
    double even[] = {3, 3, 3, 3}, sizes[] = {100, 100, 100, 100};
    CHECK_EQ_INT(quarry_dispersion_compute(even, sizes, 4, &d), QUARRY_OK);
    CHECK_NEAR(d.gries_dp, 0, 1e-15);
    CHECK_NEAR(d.gries_dp_norm, 0, 1e-15);
    CHECK_NEAR(d.juilland_d, 1, 1e-15);

    /* All in the smallest part: the most uneven distribution, DPnorm 1. */
    double clumped[] = {0, 0, 7}, unequal[] = {50, 30, 20};
    CHECK_EQ_INT(quarry_dispersion_compute(clumped, unequal, 3, &d), QUARRY_OK);
    CHECK_NEAR(d.gries_dp, 0.8, 1e-15);
    CHECK_NEAR(d.gries_dp_norm, 1, 1e-15);
    CHECK_NEAR(d.juilland_d, 0, 1e-15);
    CHECK_NEAR(d.range, 1, 0);

    /* One part: DP is 0, D and DPnorm are 0/0. */
    double one_f[] = {4}, one_s[] = {10};
    CHECK_EQ_INT(quarry_dispersion_compute(one_f, one_s, 1, &d), QUARRY_OK);
    CHECK_NEAR(d.gries_dp, 0, 0);
    CHECK(isnan(d.gries_dp_norm));
    CHECK(isnan(d.juilland_d));

    /* An absent item: only range is defined. */
    double none[] = {0, 0};
    CHECK_EQ_INT(quarry_dispersion_compute(none, sizes, 2, &d), QUARRY_OK);
    CHECK_NEAR(d.range, 0, 0);
    CHECK(isnan(d.gries_dp) && isnan(d.juilland_d));

    /* An empty part takes no share of the corpus and no relative
     * frequency: D over the others is that of the parts alone. */
    double f3[] = {2, 0, 2}, s3[] = {10, 0, 10};
    CHECK_EQ_INT(quarry_dispersion_compute(f3, s3, 3, &d), QUARRY_OK);
    CHECK_NEAR(d.juilland_d, 1, 1e-15);
    CHECK_NEAR(d.gries_dp, 0, 1e-15);

    double neg[] = {1, -1}, zero[] = {0, 0}, inf[] = {1, INFINITY};
    CHECK_EQ_INT(quarry_dispersion_compute(neg, sizes, 2, &d), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dispersion_compute(even, zero, 2, &d), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dispersion_compute(even, inf, 2, &d), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dispersion_compute(even, sizes, 0, &d), QUARRY_EINVAL);
    CHECK_EQ_INT(quarry_dispersion_compute(NULL, sizes, 2, &d), QUARRY_EINVAL);
}

static void test_assoc_properties(void)
{
    quarry_assoc a, b;
    /* Transposing the table (node and collocate swap roles) keeps every
     * symmetric measure. */
    quarry_assoc_compute(30, 270, 170, 99530, &a);
    quarry_assoc_compute(30, 170, 270, 99530, &b);
    CHECK_NEAR(a.mi, b.mi, 1e-12);
    CHECK_NEAR(a.t, b.t, 1e-12);
    CHECK_NEAR(a.z, b.z, 1e-12);
    CHECK_NEAR(a.g2, b.g2, 1e-9);
    CHECK_NEAR(a.chi2, b.chi2, 1e-9);
    CHECK_NEAR(a.chi2_yates, b.chi2_yates, 1e-9);
    CHECK_NEAR(a.dice, b.dice, 1e-15);
    CHECK(a.g2 > 0 && a.mi > 0 && a.t > 0 && a.z > 0);
    CHECK(a.chi2_yates < a.chi2);
    CHECK_NEAR(a.log_dice, 14 + log2(60.0 / 500.0), 1e-12);
    CHECK_NEAR(a.mi3, log2(30.0 * 30 * 30 / a.e11), 1e-12);
    /* log ratio: 30/300 inside the windows against 170/99700 outside */
    CHECK_NEAR(a.log_ratio, log2((30.0 / 300) / (170.0 / 99700)), 1e-12);

    /* Repulsion: o11 below its expectation gives negative G2, MI, t, z. */
    quarry_assoc_compute(1, 999, 999, 8001, &a);
    CHECK(a.e11 > 1);
    CHECK(a.g2 < 0 && a.mi < 0 && a.t < 0 && a.z < 0 && a.log_ratio < 0);
    CHECK(a.chi2 > 0);
    CHECK_NEAR(a.p_g2, quarry_chi2_pvalue(-a.g2, 1), 0);

    /* Monotone: more co-occurrences (margins R1, C1 and N fixed) raise
     * every association score. */
    double prev_g2 = -INFINITY, prev_mi = -INFINITY, prev_t = -INFINITY;
    for (double o11 = 1; o11 <= 100; o11++) {
        quarry_assoc_compute(o11, 100 - o11, 200 - o11, 10000 - 300 + o11, &a);
        CHECK(a.g2 > prev_g2 && a.mi > prev_mi && a.t > prev_t);
        prev_g2 = a.g2;
        prev_mi = a.mi;
        prev_t = a.t;
    }

    /* Zero cells: 0 ln 0 = 0 in G2; MI, MI3, t and log Dice at o11 = 0 are
     * -inf; log ratio replaces the zero by 0.5. */
    quarry_assoc_compute(0, 10, 20, 970, &a);
    CHECK(isfinite(a.g2) && a.g2 < 0);
    CHECK(isinf(a.mi) && a.mi < 0);
    CHECK(isinf(a.t) && a.t < 0);
    CHECK(isinf(a.log_dice) && a.log_dice < 0);
    CHECK_NEAR(a.dice, 0, 0);
    CHECK_NEAR(a.log_ratio, log2((0.5 / 10) / (20.0 / 990)), 1e-12);
    quarry_assoc_compute(5, 0, 0, 95, &a); /* perfect association */
    CHECK(isfinite(a.g2) && a.g2 > 0);
    CHECK_NEAR(a.g2, 2 * (5 * log(100.0 / 5) + 95 * log(100.0 / 95)), 1e-9);
    CHECK_NEAR(a.dice, 1, 0);
    CHECK_NEAR(a.log_dice, 14, 0);
    CHECK_NEAR(a.log_ratio, log2((5.0 / 5) / (0.5 / 95)), 1e-12);

    /* An empty row: no evidence either way. */
    quarry_assoc_compute(0, 0, 10, 90, &a);
    CHECK_NEAR(a.g2, 0, 0);
    CHECK_NEAR(a.chi2, 0, 0);
    CHECK_NEAR(a.p_g2, 1, 0);
    CHECK(isnan(a.mi) && isnan(a.log_ratio));
    /* An empty table. */
    quarry_assoc_compute(0, 0, 0, 0, &a);
    CHECK(isnan(a.e11) && a.g2 == 0 && a.p_chi2 == 1);

    /* Yates' correction never exceeds |O - E| (R's chisq.test): a table
     * at its expectation stays 0 rather than turning positive. */
    quarry_assoc_compute(10, 10, 10, 10, &a);
    CHECK_NEAR(a.chi2, 0, 0);
    CHECK_NEAR(a.chi2_yates, 0, 0);
    /* Cells past 2^53 in the cross product: N (ad - bc)^2 / margins with
     * ad - bc = 1.2e9 exactly gives 2e-8 (R's chisq.test agrees). */
    quarry_assoc_compute(1e8 + 1, 2e8 - 1, 3e8 - 1, 6e8 + 1, &a);
    CHECK_NEAR(a.chi2, 2e-8, 1e-20);
    quarry_assoc_compute(11, 10, 10, 10, &a); /* |ad - bc| = 10 < n/2 */
    CHECK_NEAR(a.chi2_yates, 0, 0);
    CHECK(a.chi2 > 0);
}

static void test_keyness_properties(void)
{
    quarry_keyness k, r;
    /* Swapping target and reference flips the sign of every signed
     * measure and keeps the magnitudes. */
    quarry_keyness_compute(120, 100000, 40, 150000, 1, &k);
    quarry_keyness_compute(40, 150000, 120, 100000, 1, &r);
    CHECK(k.g2 > 0 && k.chi2 > 0 && k.chi2_yates > 0 && k.log_ratio > 0);
    CHECK_NEAR(k.g2, -r.g2, 1e-9);
    CHECK_NEAR(k.chi2, -r.chi2, 1e-9);
    CHECK_NEAR(k.chi2_yates, -r.chi2_yates, 1e-9);
    CHECK_NEAR(k.log_ratio, -r.log_ratio, 1e-12);
    CHECK_NEAR(k.simple_maths * r.simple_maths, 1, 1e-12);
    CHECK_NEAR(k.p_g2, r.p_g2, 1e-15);
    CHECK(k.pct_diff > 0 && r.pct_diff < 0 && r.pct_diff > -100);

    /* chi2 is the full 2x2 Pearson statistic: the same as quarry_assoc's
     * over the table (a, b; n1 - a, n2 - b). */
    quarry_assoc a;
    quarry_assoc_compute(120, 40, 100000 - 120, 150000 - 40, &a);
    CHECK_NEAR(k.chi2, a.chi2, 1e-9);
    CHECK_NEAR(k.chi2_yates, a.chi2_yates, 1e-9);
    /* G2 of two cells stays close to the four-cell G2 when the item is
     * rare (Rayson & Garside 2000). */
    CHECK_NEAR(k.g2 / a.g2, 1, 0.01);

    /* Equal relative frequencies: nothing is key. */
    quarry_keyness_compute(10, 1000, 20, 2000, 1, &k);
    CHECK_NEAR(k.g2, 0, 1e-12);
    CHECK_NEAR(k.log_ratio, 0, 1e-12);
    CHECK_NEAR(k.pct_diff, 0, 1e-12);
    CHECK_NEAR(k.simple_maths, 1, 1e-12);
    CHECK_NEAR(k.p_g2, 1, 1e-12);

    /* Monotone in the target frequency once above expectation. */
    double prev = 0;
    for (double f = 11; f < 200; f += 7) {
        quarry_keyness_compute(f, 1000, 20, 2000, 1, &k);
        CHECK(k.g2 > prev);
        prev = k.g2;
    }

    /* Zero in the reference: log ratio with 0.5 for 0 (Hardie), %DIFF
     * infinite, G2 finite. */
    quarry_keyness_compute(8, 1000, 0, 1000, 1, &k);
    CHECK_NEAR(k.log_ratio, log2(8 / 0.5), 1e-12);
    CHECK(isinf(k.pct_diff) && k.pct_diff > 0);
    CHECK_NEAR(k.g2, 2 * 8 * log(2.0), 1e-12);
    CHECK_NEAR(k.simple_maths, 8001.0, 1e-9);
    quarry_keyness_compute(0, 1000, 8, 1000, 1, &k);
    CHECK_NEAR(k.log_ratio, -log2(8 / 0.5), 1e-12);
    CHECK_NEAR(k.pct_diff, -100, 1e-12);
    CHECK(k.g2 < 0);
    /* Absent from both. */
    quarry_keyness_compute(0, 1000, 0, 1000, 1, &k);
    CHECK(k.g2 == 0 && k.chi2 == 0 && k.log_ratio == 0 && k.pct_diff == 0);
    CHECK_NEAR(k.simple_maths, 1, 0);
    CHECK_NEAR(k.p_g2, 1, 0);
    /* An empty corpus leaves everything undefined. */
    quarry_keyness_compute(0, 0, 3, 1000, 1, &k);
    CHECK(isnan(k.g2) && isnan(k.log_ratio) && isnan(k.p_g2));
}

int main(void)
{
    RUN(test_manning_schuetze);
    RUN(test_keyness_published);
    RUN(test_pvalue);
    RUN(test_fisher);
    RUN(test_dispersion_published);
    RUN(test_dispersion_edges);
    RUN(test_assoc_properties);
    RUN(test_keyness_properties);
    return check_summary();
}
