/* pack: sums of raw frames and packing for the owners (see
 * include/xpcs/pipeline/pack.h). */
#include "xpcs/pipeline/pack.h"

#include <stdlib.h>
#include <string.h>

#include "xpcs/core/status.h"

#define SUM_GROUPS(OUT_T, IN_T)                                                                    \
    do {                                                                                           \
        OUT_T *o = (OUT_T *)out;                                                                   \
        const IN_T *in = (const IN_T *)raw;                                                        \
        _Pragma("omp parallel for schedule(static)") for (int64_t f = 0; f < count; f++)           \
        {                                                                                          \
            OUT_T *dst = o + (size_t)f * (size_t)npix;                                             \
            for (int64_t p = 0; p < npix; p++)                                                     \
                dst[p] = 0;                                                                        \
            for (int64_t a = 0; a < avg; a++) {                                                    \
                const IN_T *src = in + (size_t)(f * avg + a) * (size_t)npix;                       \
                _Pragma("omp simd") for (int64_t p = 0; p < npix; p++) dst[p] += (OUT_T)src[p];    \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Output frame f = sum of avg consecutive raw frames read (boost: average). */
void xpcs_sum_groups(const void *raw, xpcs_dtype rt, void *out, xpcs_dtype ot, int64_t count,
                     int64_t avg, int64_t npix)
{
    if (ot == XPCS_DT_U32) {
        if (rt == XPCS_DT_U8)
            SUM_GROUPS(uint32_t, uint8_t);
        else
            SUM_GROUPS(uint32_t, uint16_t);
    }
    else {
        if (rt == XPCS_DT_U8)
            SUM_GROUPS(double, uint8_t);
        else if (rt == XPCS_DT_U16)
            SUM_GROUPS(double, uint16_t);
        else
            SUM_GROUPS(double, uint32_t);
    }
}

void xpcs_pixel_runs_build(xpcs_pixel_runs *pr, const int64_t *pix, const int64_t *pf, int n_ranks)
{
    int64_t n = pf[n_ranks];
    pr->start = xpcs_malloc(sizeof(int64_t) * (size_t)(n + 1));
    pr->len = xpcs_malloc(sizeof(int64_t) * (size_t)(n + 1));
    pr->first_run = xpcs_malloc(sizeof(int64_t) * (size_t)(n_ranks + 1));
    int64_t k = 0;
    for (int d = 0; d < n_ranks; d++) {
        pr->first_run[d] = k;
        for (int64_t j = pf[d]; j < pf[d + 1]; j++) {
            if (j > pf[d] && pix[j] == pix[j - 1] + 1) {
                pr->len[k - 1]++;
                continue;
            }
            pr->start[k] = pix[j];
            pr->len[k] = 1;
            k++;
        }
    }
    pr->first_run[n_ranks] = k;
    pr->n_runs = k;
}

void xpcs_pixel_runs_free(xpcs_pixel_runs *pr)
{
    free(pr->start);
    free(pr->len);
    free(pr->first_run);
}

/* send = [owner rank][frame][owner's pixels]: each owner's block is the
 * frames of this rank restricted to the owner's pixels. */
void xpcs_pack_owners(const void *frames, size_t esz, int64_t count, int64_t npix,
                      const xpcs_pixel_runs *pr, const int64_t *pf, int n_ranks, void *send)
{
#pragma omp parallel for schedule(static)
    for (int64_t f = 0; f < count; f++) {
        const char *src = (const char *)frames + (size_t)(f * npix) * esz;
        for (int d = 0; d < n_ranks; d++) {
            int64_t n = pf[d + 1] - pf[d];
            char *dst = (char *)send + (size_t)(count * pf[d] + f * n) * esz;
            for (int64_t k = pr->first_run[d]; k < pr->first_run[d + 1]; k++) {
                size_t bytes = (size_t)pr->len[k] * esz;
                memcpy(dst, src + (size_t)pr->start[k] * esz, bytes);
                dst += bytes;
            }
        }
    }
}

int64_t xpcs_pack_copies(const xpcs_pixel_runs *pr, const int64_t *pf, int n_ranks, int64_t count,
                         size_t esz, void *send, int self, void *self_dst, xpcs_saxs_copy *cp)
{
    int64_t n = 0;
    for (int d = 0; d < n_ranks; d++) {
        const int64_t n_d = pf[d + 1] - pf[d];
        char *dst =
            d == self && self_dst ? (char *)self_dst : (char *)send + (size_t)(count * pf[d]) * esz;
        for (int64_t k = pr->first_run[d]; k < pr->first_run[d + 1]; k++) {
            cp[n].pix0 = pr->start[k];
            cp[n].len = pr->len[k];
            cp[n].dst = dst;
            cp[n].stride = (size_t)n_d * esz;
            dst += (size_t)pr->len[k] * esz;
            n++;
        }
    }
    return n;
}
