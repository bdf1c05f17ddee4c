/*
 * stats_dispersion.c - dispersion of one item over the parts of a corpus
 * (quarry_dispersion_compute; formulas in docs/statistics.md).
 */
#include "internal.h"

#include <math.h>

QUARRY_API int quarry_dispersion_compute(const double *freqs,
                                         const double *sizes, size_t n,
                                         quarry_dispersion *out)
{
    if (n == 0 || !freqs || !sizes || !out)
        return QUARRY_EINVAL;
    double total_freq = 0.0, total_size = 0.0, min_size = INFINITY;
    double range = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(freqs[i] >= 0.0) || !(sizes[i] >= 0.0) || isinf(freqs[i]) ||
            isinf(sizes[i]))
            return QUARRY_EINVAL;
        total_freq += freqs[i];
        total_size += sizes[i];
        if (freqs[i] > 0.0)
            range++;
    }
    if (!(total_size > 0.0))
        return QUARRY_EINVAL;
    out->parts = (double)n;
    out->range = range;
    if (!(total_freq > 0.0)) {
        /* An absent item is not spread evenly or unevenly: every measure
         * but range is undefined. */
        out->juilland_d = out->gries_dp = out->gries_dp_norm = NAN;
        return QUARRY_OK;
    }

    /* Gries (2008): DP is half the sum of |observed share - expected
     * share|, the expected share of a part being its share of the corpus. */
    double dp = 0.0;
    for (size_t i = 0; i < n; i++) {
        double share = sizes[i] / total_size;
        dp += fabs(freqs[i] / total_freq - share);
        if (share < min_size)
            min_size = share;
    }
    dp /= 2.0;
    out->gries_dp = dp;
    /* Lijffijt & Gries (2012): the largest DP possible is 1 - the smallest
     * part's share (everything in the smallest part); one part is 0/0. */
    out->gries_dp_norm = n > 1 ? dp / (1.0 - min_size) : NAN;

    /* Juilland's D on relative frequencies (Gries 2008: unequal parts are
     * compared per token), V with the population standard deviation. An
     * empty part has no relative frequency and is left out. */
    double sum = 0.0, parts = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (sizes[i] > 0.0) {
            sum += freqs[i] / sizes[i];
            parts++;
        }
    }
    double mean = sum / parts, squares = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (sizes[i] > 0.0) {
            double d = freqs[i] / sizes[i] - mean;
            squares += d * d;
        }
    }
    double cv = sqrt(squares / parts) / mean;
    out->juilland_d = parts > 1.0 ? 1.0 - cv / sqrt(parts - 1.0) : NAN;
    return QUARRY_OK;
}
