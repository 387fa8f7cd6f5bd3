/* twotime_diag: the two-time g2 (diagonal means of the map) and the
 * segment means as exact sums, so that a map split in row tiles over ranks
 * gives the same bits as one rank (see include/xpcs/kernels/twotime.h). */
#include "xpcs/kernels/twotime.h"

#include <string.h>

/* Threads own blocks of diagonals (no two threads add to one sum). */
#define DIAG_BLOCK 256

int xpcs_twotime_diag_exponent(double cmax)
{
    /* 2 cmax: room for the last bits by which a computed element may pass
     * the bound */
    return xpcs_xsum_exponent(2.0 * cmax);
}

void xpcs_twotime_diag_partial(double *const *row, int64_t n, int64_t r0, int64_t r1, int e,
                               xpcs_xsum *acc, xpcs_xsum *seg)
{
    const double scale = xpcs_xsum_scale(e);
    const int64_t len = n / 5;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t kb = 0; kb < n; kb += DIAG_BLOCK) {
        const int64_t ke = kb + DIAG_BLOCK < n ? kb + DIAG_BLOCK : n;
        for (int64_t i = r0; i < r1 && i + kb < n; i++) {
            const double *ri = row[i - r0] + i; /* ri[k] = C(i, i + k) */
            const int64_t kmax = ke < n - i ? ke : n - i;
            for (int64_t k = kb; k < kmax; k++)
                xpcs_xsum_add(&acc[k], ri[k], scale);
            if (len == 0 || i >= 5 * len)
                continue;
            /* the diagonal block s of row i: columns up to (s + 1) len */
            const int64_t s = i / len, smax = (s + 1) * len - i;
            const int64_t kend = ke < smax ? ke : smax;
            for (int64_t k = kb; k < kend; k++)
                xpcs_xsum_add(&seg[k * 5 + s], ri[k], scale);
        }
    }
}

void xpcs_twotime_diag_finish(const xpcs_xsum *acc, const xpcs_xsum *seg, int64_t n, int e,
                              double *g2, double *seg_means)
{
    for (int64_t k = 0; k < n; k++)
        g2[k] = xpcs_xsum_value(&acc[k], e) / (double)(n - k);
    const int64_t len = n / 5;
    for (int64_t k = 0; k < len; k++)
        for (int s = 0; s < 5; s++)
            seg_means[k * 5 + s] = xpcs_xsum_value(&seg[k * 5 + s], e) / (double)(len - k);
}
