/* saxs_impl: what the SAXS pass shares with its copies per SIMD level
 * (private to kernels): saxs.c (double frames) and saxs_frames.c (integer
 * frames, compiled once per level). */
#ifndef XPCS_SAXS_IMPL_H
#define XPCS_SAXS_IMPL_H

#include <stdint.h>
#include <string.h>

#include "xpcs/kernels/saxs.h"

/* Frame i's pixels of [p0, p1) that a copy asks for (row: frame i). */
static inline void xpcs_saxs_copy_block(const xpcs_saxs_copy *cp, int64_t n_cp, int64_t p0,
                                        int64_t p1, const void *row, size_t esz, int64_t i)
{
    /* the first copy that ends past p0 (cp ascending) */
    int64_t lo = 0, hi = n_cp;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (cp[mid].pix0 + cp[mid].len <= p0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (int64_t c = lo; c < n_cp && cp[c].pix0 < p1; c++) {
        int64_t a = cp[c].pix0 > p0 ? cp[c].pix0 : p0;
        int64_t e = cp[c].pix0 + cp[c].len < p1 ? cp[c].pix0 + cp[c].len : p1;
        memcpy(cp[c].dst + (size_t)i * cp[c].stride + (size_t)(a - cp[c].pix0) * esz,
               (const char *)row + (size_t)a * esz, (size_t)(e - a) * esz);
    }
}

#endif
