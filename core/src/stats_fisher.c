/*
 * stats_fisher.c - one-sided Fisher's exact test of a 2x2 table
 * (quarry_fisher_pvalue; docs/statistics.md).
 *
 * With the margins fixed, O11 is hypergeometric: R1 draws from N tokens of
 * which C1 are the collocate. The p-value is P(X >= o11). Corpus tables
 * have N in the tens of millions, where log-gamma differences lose half
 * their digits to cancellation, so the density comes from Loader's (2000)
 * saddle-point form of the binomial (Stirling's error term plus a
 * deviance term computed without cancellation), and the tail from the
 * ratio of consecutive densities, summed from the far side of the mode
 * inward so that the small side is never computed as 1 - (1 - p).
 */
#include "internal.h"

#include <float.h>
#include <math.h>

/* ln(n!) - ln(sqrt(2 pi n) (n/e)^n) for n >= 0 (Stirling's error). Exact
 * values for small n, the asymptotic series beyond (Loader 2000). */
static double stirling_error(double n)
{
    static const double small[16] = {
        0.0,
        0.0810614667953272582196702,
        0.0413406959554092940938221,
        0.0276779256849983391487893,
        0.0207906721037650931400073,
        0.0166446911898211921631949,
        0.0138761288230707480200558,
        0.0118967099458917700950557,
        0.0104112652619720965343,
        0.00925546218271273291772,
        0.00833056343336287125646,
        0.00757367548795184079497,
        0.00694284010720952986566,
        0.00640899418800420706193,
        0.00595137011275884773,
        0.00555473355196280137,
    };
    if (n < 16 && n == floor(n))
        return small[(int)n];
    double n2 = n * n;
    return (1.0 / 12 -
            (1.0 / 360 -
             (1.0 / 1260 - (1.0 / 1680 - 1.0 / (1188 * n2)) / n2) / n2) /
                n2) /
           n;
}

/* x ln(x / m) + m - x, the binomial deviance, summed as a series when
 * x is near m (where the direct form cancels). */
static double deviance(double x, double m)
{
    if (fabs(x - m) < 0.1 * (x + m)) {
        double v = (x - m) / (x + m);
        double s = (x - m) * v, ej = 2 * x * v;
        v *= v;
        for (int j = 1; j < 1000; j++) {
            ej *= v;
            double next = s + ej / (2 * j + 1);
            if (next == s)
                return next;
            s = next;
        }
        return s;
    }
    return x * log(x / m) + m - x;
}

/* Binomial density of x successes in n trials of probability p = 1 - q. */
static double binomial_density(double x, double n, double p, double q)
{
    if (x == 0) {
        if (n == 0)
            return 1.0;
        return exp(p < 0.1 ? -deviance(n, n * q) - n * p : n * log(q));
    }
    if (x == n)
        return exp(q < 0.1 ? -deviance(n, n * p) - n * q : n * log(p));
    double lc = stirling_error(n) - stirling_error(x) - stirling_error(n - x) -
                deviance(x, n * p) - deviance(n - x, n * q);
    double lf = log(2 * M_PI) + log(x) + log1p(-x / n);
    return exp(lc - 0.5 * lf);
}

/* P(X = x) for X the number of white balls in `draws` draws without
 * replacement from `white` white and `black` black balls. */
static double hypergeometric_density(double x, double white, double black,
                                     double draws)
{
    double total = white + black;
    double p = draws / total, q = (total - draws) / total;
    return binomial_density(x, white, p, q) *
           binomial_density(draws - x, black, p, q) /
           binomial_density(draws, total, p, q);
}

QUARRY_API double quarry_fisher_pvalue(double o11, double o12, double o21,
                                       double o22)
{
    double cells[4] = {o11, o12, o21, o22};
    for (int i = 0; i < 4; i++)
        if (!(cells[i] >= 0) || cells[i] != floor(cells[i]) ||
            cells[i] > 9007199254740992.0)
            return NAN;
    double white = o11 + o21; /* C1 */
    double black = o12 + o22; /* C2 */
    double draws = o11 + o12; /* R1 */
    double low = fmax(0, draws - black), high = fmin(draws, white);
    if (o11 <= low)
        return 1.0;
    double mode = floor((draws + 1) * (white + 1) / (white + black + 2));
    if (o11 > mode) {
        /* Upper tail: densities fall from o11 upward. */
        double term = 1.0, sum = 1.0;
        for (double k = o11; k < high; k++) {
            term *=
                (white - k) * (draws - k) / ((k + 1) * (black - draws + k + 1));
            sum += term;
            if (term < sum * DBL_EPSILON)
                break;
        }
        return fmin(1.0,
                    hypergeometric_density(o11, white, black, draws) * sum);
    }
    /* Lower tail P(X <= o11 - 1), densities falling from o11 - 1 down. */
    double term = 1.0, sum = 1.0;
    for (double k = o11 - 1; k > low; k--) {
        term *= k * (black - draws + k) / ((white - k + 1) * (draws - k + 1));
        sum += term;
        if (term < sum * DBL_EPSILON)
            break;
    }
    double below = hypergeometric_density(o11 - 1, white, black, draws) * sum;
    return fmax(0.0, 1.0 - below);
}
