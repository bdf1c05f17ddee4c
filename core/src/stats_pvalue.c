/*
 * stats_pvalue.c - upper tail of the chi-squared distribution
 * (quarry_chi2_pvalue; formulas in docs/statistics.md).
 *
 * P(X >= x) for df degrees of freedom is the regularized upper incomplete
 * gamma function Q(df/2, x/2). df == 1 and df == 2 have closed forms (erfc,
 * exp), which are exact to the last bit in the far tail where the
 * association measures live. Other df use the power series of P where it
 * converges fast (x < a + 1) and Lentz's continued fraction for Q elsewhere,
 * so the small side is always computed directly and never as 1 - (1 - q).
 */
#include "internal.h"

#include <float.h>
#include <math.h>

enum { MAX_ITERATIONS = 100000 };

/* log(Gamma(a)) for a >= 0.5 (a is df / 2 here) by the Lanczos
 * approximation (g = 7, 9 terms), relative error below 1e-15. lgamma() is
 * avoided because glibc's writes the global signgam, which would break the
 * core's no-shared-state rule. */
static double log_gamma(double a)
{
    static const double c[9] = {
        0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
        771.32342877765313,   -176.61502916214059,   12.507343278686905,
        -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    a -= 1.0;
    double sum = c[0];
    double t = a + 7.5;
    for (int i = 1; i < 9; i++)
        sum += c[i] / (a + i);
    return 0.5 * log(2.0 * M_PI) + (a + 0.5) * log(t) - t + log(sum);
}

/* P(a, x) by its series: x^a e^-x / Gamma(a + 1) * sum x^n / (a+1)..(a+n). */
static double lower_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < MAX_ITERATIONS; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * DBL_EPSILON)
            break;
    }
    return sum * exp(-x + a * log(x) - log_gamma(a));
}

/* Q(a, x) by its continued fraction, evaluated with the modified Lentz
 * method (Numerical Recipes, 3rd ed., 6.2). */
static double upper_fraction(double a, double x)
{
    const double tiny = DBL_MIN / DBL_EPSILON;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < MAX_ITERATIONS; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < DBL_EPSILON)
            break;
    }
    return exp(-x + a * log(x) - log_gamma(a)) * h;
}

QUARRY_API double quarry_chi2_pvalue(double x, unsigned df)
{
    if (isnan(x) || df == 0)
        return NAN;
    if (x <= 0.0)
        return 1.0;
    if (isinf(x))
        return 0.0;
    if (df == 1)
        return erfc(sqrt(x / 2.0));
    if (df == 2)
        return exp(-x / 2.0);
    double a = df / 2.0, half = x / 2.0;
    if (half < a + 1.0) {
        double p = lower_series(a, half);
        return p >= 1.0 ? 0.0 : 1.0 - p;
    }
    return upper_fraction(a, half);
}
