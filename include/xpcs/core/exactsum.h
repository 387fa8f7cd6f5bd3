/* exactsum: order-independent (reproducible) sums of doubles.
 *
 * Why: per-bin sums over pixels are reduced across ranks and threads, and
 * the grouping changes with the rank count.  Plain double sums would then
 * differ in the last bits.  Each value x of a bin is cut, relative to a
 * common power of two 2^e >= max|x| over the whole bin (agreed across
 * ranks first), into three 30-bit integer digits:
 *     x ~= (d0 + d1 2^-30 + d2 2^-60) 2^(e-30)
 * Digits are summed in int64 (exact, associative: up to 2^33 values), so
 * the sum is the same for any order; bits of x below 2^(e-90) are dropped
 * (the same way on every rank).
 */
#ifndef XPCS_EXACTSUM_H
#define XPCS_EXACTSUM_H

#include <stdint.h>

#define XPCS_XSUM_DIGITS 3

typedef struct {
    int64_t d[XPCS_XSUM_DIGITS];
} xpcs_xsum;

/* Smallest e with max_abs <= 2^e (0 for max_abs == 0 or not finite). */
int xpcs_xsum_exponent(double max_abs);
/* 2^(30-e): the factor xpcs_xsum_add multiplies by (exact). */
double xpcs_xsum_scale(int e);
/* acc += x, with scale = xpcs_xsum_scale(e) of the bin's exponent e. */
static inline void xpcs_xsum_add(xpcs_xsum *acc, double x, double scale)
{
    double y = x * scale; /* |y| <= 2^30 */
    for (int k = 0; k < XPCS_XSUM_DIGITS; k++) {
        double t = __builtin_trunc(y); /* y - t is exact: the fractional part */
        acc->d[k] += (int64_t)t;
        y = (y - t) * 0x1p30;
    }
}
double xpcs_xsum_value(const xpcs_xsum *acc, int e);

#endif
