/* saxs_frames: the SAXS pass over integer frames, compiled once per SIMD
 * level (simd_impl.h: every function carries the level's suffix).  Its
 * sums are integers, exact in any order and lane width, so every level
 * gives the same doubles.  Before this copy the pass ran as the build's
 * baseline (SSE2: 8 counts per instruction): 0.38 s per rank of a 256 x 256
 * x 20000 run at 2 ranks, a fifth of it. */
#include <stdlib.h>
#include <string.h>

#include "simd_impl.h"

/* every function of this file, and those it inlines from saxs_impl.h */
#define xpcs_saxs_copy_block XPCS_SIMD_NAME(xpcs_saxs_copy_block)

#include "saxs_impl.h"

/* The same for integer frames in integer lanes: the sum, the largest count
 * and the masked frame sum of a block of IBLK pixels are integers (exact),
 * folded into the double sums after at most 65536 frames (no overflow:
 * ACC_T holds 65536 counts of IN_T, SUM_T IBLK of them).  The block's
 * frame rows are read once, also for the copies. */
#define IBLK 2048
#define INT_RUN(IN_T, ACC_T, SUM_T)                                                                \
    do {                                                                                           \
        const IN_T *base = (const IN_T *)frames;                                                   \
        _Pragma("omp parallel")                                                                    \
        {                                                                                          \
            double *part = xpcs_calloc((size_t)cnt, sizeof(double));                               \
            ACC_T acc[IBLK];                                                                       \
            IN_T mx[IBLK], mk[IBLK];                                                               \
            _Pragma("omp for schedule(static)") for (int64_t b = 0; b < n_iblk; b++)               \
            {                                                                                      \
                const int64_t p0 = b * IBLK, p1 = p0 + IBLK < np ? p0 + IBLK : np;                 \
                const int w = (int)(p1 - p0);                                                      \
                for (int p = 0; p < w; p++) {                                                      \
                    mk[p] = maskd[p0 + p] != 0.0 ? (IN_T) ~(IN_T)0 : 0;                            \
                    mx[p] = 0;                                                                     \
                    acc[p] = 0;                                                                    \
                }                                                                                  \
                for (int64_t f0 = 0; f0 < cnt; f0 += 65536) {                                      \
                    const int64_t f1 = cnt - f0 < 65536 ? cnt : f0 + 65536;                        \
                    for (int64_t f = f0; f < f1; f++) {                                            \
                        const IN_T *v = base + (size_t)(i0 + f) * (size_t)np + p0;                 \
                        SUM_T sum = 0;                                                             \
                        _Pragma("omp simd reduction(+ : sum)") for (int p = 0; p < w; p++)         \
                        {                                                                          \
                            acc[p] += v[p];                                                        \
                            mx[p] = v[p] > mx[p] ? v[p] : mx[p];                                   \
                            sum += (SUM_T)(v[p] & mk[p]);                                          \
                        }                                                                          \
                        part[f] += (double)sum;                                                    \
                        xpcs_saxs_copy_block(cp, n_cp, p0, p1, v - p0, sizeof(IN_T), i0 + f);      \
                    }                                                                              \
                    for (int p = 0; p < w; p++) {                                                  \
                        open[p0 + p] += (double)acc[p];                                            \
                        acc[p] = 0;                                                                \
                    }                                                                              \
                }                                                                                  \
                for (int p = 0; p < w; p++)                                                        \
                    pmax[p0 + p] = (double)mx[p] > pmax[p0 + p] ? (double)mx[p] : pmax[p0 + p];    \
            }                                                                                      \
            _Pragma("omp critical") for (int64_t f = 0; f < cnt; f++) fsum[f] += part[f];          \
            free(part);                                                                            \
        }                                                                                          \
    } while (0)

void XPCS_SIMD_NAME(xpcs_saxs_int_frames)(const void *frames, xpcs_dtype t, int64_t np, int64_t i0,
                                          int64_t cnt, const double *maskd, double *open,
                                          double *pmax, double *fsum, const xpcs_saxs_copy *cp,
                                          int64_t n_cp)
{
    const int64_t n_iblk = (np + IBLK - 1) / IBLK;
    switch (t) {
    case XPCS_DT_U8:
        INT_RUN(uint8_t, uint32_t, uint32_t);
        break;
    case XPCS_DT_U16:
        INT_RUN(uint16_t, uint32_t, uint32_t);
        break;
    default: /* XPCS_DT_U32 */
        INT_RUN(uint32_t, uint64_t, uint64_t);
        break;
    }
}
