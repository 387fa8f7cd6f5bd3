/* twotime: smoothing, the rank-k update (OpenBLAS cblas_dsyrk, OpenMP
 * build), normalization and diagonal means.  See include/xpcs/twotime.h. */
#include "xpcs/twotime.h"

#include <cblas.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

int xpcs_smooth_from_name(const char *name)
{
    if (strcmp(name, "sqmap") == 0)
        return XPCS_SMOOTH_SQMAP;
    if (strcmp(name, "dqmap") == 0)
        return XPCS_SMOOTH_DQMAP;
    if (strcmp(name, "none") == 0)
        return XPCS_SMOOTH_NONE;
    return -1;
}

#define LOAD(T)                                                                                    \
    do {                                                                                           \
        _Pragma("omp parallel for schedule(static)") for (int64_t t = 0; t < n_frames; t++)        \
        {                                                                                          \
            const T *src = (const T *)store + (size_t)t * (size_t)ld + col0;                       \
            double *dst = X + (size_t)t * (size_t)n_pix;                                           \
            for (int64_t k = 0; k < n_pix; k++)                                                    \
                dst[k] = (double)src[k];                                                           \
        }                                                                                          \
    } while (0)

void xpcs_twotime_load(const void *store, xpcs_dtype type, int64_t ld, int64_t col0,
                       int64_t n_frames, int64_t n_pix, double *X)
{
    switch (type) {
    case XPCS_DT_U8:
        LOAD(uint8_t);
        break;
    case XPCS_DT_U16:
        LOAD(uint16_t);
        break;
    case XPCS_DT_U32:
        LOAD(uint32_t);
        break;
    default:
        LOAD(double);
        break;
    }
}

void xpcs_twotime_smooth(double *X, int64_t n_frames, int64_t n_pix, const int64_t *group_start,
                         int n_groups)
{
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < n_frames; t++) {
        double *row = X + (size_t)t * (size_t)n_pix;
        for (int g = 0; g < n_groups; g++) {
            int64_t a = group_start[g], b = group_start[g + 1];
            if (b <= a)
                continue;
            double s = 0;
            for (int64_t k = a; k < b; k++)
                s += row[k];
            double mean = s / (double)(b - a);
            if (mean <= 0) /* empty group at this frame: leave it (boost: mean -> 1) */
                mean = 1.0;
            for (int64_t k = a; k < b; k++)
                row[k] /= mean;
        }
    }
}

void xpcs_twotime_correlate(const double *X, int64_t n_frames, int64_t n_pix, double *C, double *S,
                            double *syrk_seconds)
{
    const int64_t n = n_frames;
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < n; t++) {
        const double *row = X + (size_t)t * (size_t)n_pix;
        double s = 0;
        for (int64_t k = 0; k < n_pix; k++)
            s += row[k];
        S[t] = s > 0 ? s : 1.0; /* zero frame sums guarded (boost: S <= 0 -> 1) */
    }
    double t0 = omp_get_wtime();
    /* C = X X^T: upper triangle, X row-major n x n_pix */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)n_pix, 1.0, X,
                (int)(n_pix > 0 ? n_pix : 1), 0.0, C, (int)n);
    if (syrk_seconds)
        *syrk_seconds = omp_get_wtime() - t0;
    /* C(t1,t2) *= n_pix / (S(t1) S(t2)), as (n_pix / S(t1)) * (1 / S(t2)) */
    const double np = (double)n_pix;
    double *inv = xpcs_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    for (int64_t t = 0; t < n; t++)
        inv[t] = 1.0 / S[t];
#pragma omp parallel for schedule(dynamic, 16)
    for (int64_t i = 0; i < n; i++) {
        double *row = C + (size_t)i * (size_t)n;
        const double wi = np / S[i];
        for (int64_t j = i; j < n; j++)
            row[j] = row[j] * wi * inv[j];
    }
    free(inv);
}

#define DIAG_BLOCK 256

void xpcs_twotime_diag_means(const double *C, int64_t ldc, int64_t n, double *out)
{
    /* Threads own blocks of diagonals; inside a block the rows are walked in
     * order, so each diagonal's sum has a fixed order. */
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t kb = 0; kb < n; kb += DIAG_BLOCK) {
        const int64_t ke = kb + DIAG_BLOCK < n ? kb + DIAG_BLOCK : n;
        double acc[DIAG_BLOCK];
        memset(acc, 0, sizeof acc);
        for (int64_t i = 0; i + kb < n; i++) {
            const double *row = C + (size_t)i * (size_t)ldc + (size_t)i;
            const int64_t kmax = ke < n - i ? ke : n - i;
            for (int64_t k = kb; k < kmax; k++)
                acc[k - kb] += row[k];
        }
        for (int64_t k = kb; k < ke; k++)
            out[k] = acc[k - kb] / (double)(n - k);
    }
}

void xpcs_twotime_segments(const double *C, int64_t n, double *seg)
{
    const int64_t len = n / 5;
    if (len == 0)
        return;
    double *tmp = xpcs_malloc(sizeof(double) * (size_t)len);
    for (int s = 0; s < 5; s++) {
        const double *blk = C + (size_t)(s * len) * (size_t)n + (size_t)(s * len);
        xpcs_twotime_diag_means(blk, n, len, tmp);
        for (int64_t k = 0; k < len; k++)
            seg[k * 5 + s] = tmp[k];
    }
    free(tmp);
}

int64_t xpcs_twotime_tri_len(int64_t n)
{
    return n * (n + 1) / 2;
}

void xpcs_twotime_pack_upper(const double *C, int64_t n, float *tri)
{
#pragma omp parallel for schedule(dynamic, 16)
    for (int64_t i = 0; i < n; i++) {
        /* row i starts after rows 0..i-1 of lengths n, n-1, ... */
        float *dst = tri + (size_t)(i * n - i * (i - 1) / 2);
        const double *src = C + (size_t)i * (size_t)n;
        for (int64_t j = i; j < n; j++)
            dst[j - i] = (float)src[j];
    }
}

double xpcs_twotime_flops(int64_t n_frames, int64_t n_pix)
{
    return (double)n_frames * (double)(n_frames + 1) * (double)n_pix;
}
