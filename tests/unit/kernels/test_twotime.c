/* Unit test of the two-time kernels against a brute-force oracle: smoothing
 * by group means, C(t1,t2) = n sum_p Y_p(t1) Y_p(t2) / (S(t1) S(t2)) by
 * direct triple loops, diagonal means and the 5 segments, the float32 upper
 * triangle.  The event (sparse) kernel gives the dense kernel's bits on the
 * same counts, at occupancies from 1e-3 to 1; so do 1 and 2 threads.
 * Constant frames give C = 1 exactly; zero frames are guarded. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/twotime.h"

typedef struct {
    double *C, *g2, *seg;
    float *tri;
} tt_out;

/* the dense kernel: load, products, diagonal means, segments, pack */
static void kernel(const uint16_t *store, int64_t ld, int64_t col0, int64_t n, int64_t k,
                   const int64_t *gs, int ng, tt_out *o)
{
    double *X = malloc(sizeof(double) * (size_t)(n * k));
    o->C = malloc(sizeof(double) * (size_t)(n * n));
    o->g2 = malloc(sizeof(double) * (size_t)n);
    o->seg = calloc((size_t)(n / 5 * 5 + 1), sizeof(double));
    o->tri = malloc(sizeof(float) * (size_t)xpcs_twotime_tri_len(n));
    xpcs_twotime_load(store, XPCS_DT_U16, ld, col0, n, k, X);
    int64_t all[2] = {0, k};
    xpcs_twotime_dense(X, n, k, ng > 0 ? gs : all, ng > 0 ? ng : 1,
                       ng > 0 ? XPCS_SMOOTH_SQMAP : XPCS_SMOOTH_NONE, o->C, NULL);
    xpcs_twotime_diag_means(o->C, n, n, o->g2);
    xpcs_twotime_segments(o->C, n, o->seg);
    xpcs_twotime_pack_upper(o->C, n, o->tri);
    free(X);
}

/* the event kernel on the same counts: C only */
static double *sparse_kernel(const uint16_t *store, int64_t ld, int64_t col0, int64_t n, int64_t k,
                             const int64_t *gs, int ng)
{
    int64_t *ptr = calloc((size_t)k + 1, sizeof(int64_t));
    uint32_t *fr = malloc(sizeof(uint32_t) * (size_t)(n * k + 1));
    uint32_t *ct = malloc(sizeof(uint32_t) * (size_t)(n * k + 1));
    int64_t e = 0;
    for (int64_t p = 0; p < k; p++) {
        for (int64_t t = 0; t < n; t++)
            if (store[t * ld + col0 + p]) {
                fr[e] = (uint32_t)t;
                ct[e++] = store[t * ld + col0 + p];
            }
        ptr[p + 1] = e;
    }
    double *C = malloc(sizeof(double) * (size_t)(n * n));
    int64_t all[2] = {0, k};
    xpcs_twotime_sparse(ptr, fr, ct, n, k, ng > 0 ? gs : all, ng > 0 ? ng : 1,
                        ng > 0 ? XPCS_SMOOTH_SQMAP : XPCS_SMOOTH_NONE, C);
    free(ptr);
    free(fr);
    free(ct);
    return C;
}

/* upper triangles bit-identical */
static int same_upper(const double *A, const double *B, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (memcmp(A + i * n + i, B + i * n + i, sizeof(double) * (size_t)(n - i)))
            return 0;
    return 1;
}

static void out_free(tt_out *o)
{
    free(o->C);
    free(o->g2);
    free(o->seg);
    free(o->tri);
}

/* brute force of the whole convention, in long double */
static void brute(const uint16_t *store, int64_t ld, int64_t col0, int64_t n, int64_t k,
                  const int64_t *gs, int ng, double *C)
{
    double *Y = malloc(sizeof(double) * (size_t)(n * k));
    for (int64_t t = 0; t < n; t++)
        for (int64_t p = 0; p < k; p++)
            Y[t * k + p] = store[t * ld + col0 + p];
    for (int64_t t = 0; t < n && ng > 0; t++)
        for (int g = 0; g < ng; g++) {
            long double m = 0;
            for (int64_t p = gs[g]; p < gs[g + 1]; p++)
                m += Y[t * k + p];
            m /= (long double)(gs[g + 1] - gs[g]);
            if (m <= 0)
                m = 1;
            for (int64_t p = gs[g]; p < gs[g + 1]; p++)
                Y[t * k + p] = (double)(Y[t * k + p] / m);
        }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            long double s = 0, si = 0, sj = 0;
            for (int64_t p = 0; p < k; p++) {
                s += (long double)Y[i * k + p] * Y[j * k + p];
                si += Y[i * k + p];
                sj += Y[j * k + p];
            }
            if (si <= 0)
                si = 1;
            if (sj <= 0)
                sj = 1;
            C[i * n + j] = (double)(s * k / (si * sj));
        }
    free(Y);
}

static void test_random(int ng_mode, int sparsity)
{
    const int64_t n = 137, ld = 50, col0 = 7, k = 31;
    uint16_t *store = malloc(sizeof(uint16_t) * (size_t)(n * ld));
    for (int64_t i = 0; i < n * ld; i++)
        store[i] = (uint16_t)(next_u32() % (uint32_t)sparsity == 0 ? next_u32() % 9 : 0);
    for (int64_t p = 0; p < ld; p++) /* frame 40: all zero (guarded) */
        store[40 * ld + p] = 0;
    int64_t gs[4] = {0, 10, 11, 31}; /* sqmap-like groups, one of a single pixel */
    int64_t gd[2] = {0, 31};
    const int64_t *g = ng_mode == 0 ? gs : gd;
    int ng = ng_mode == 0 ? 3 : (ng_mode == 1 ? 1 : 0);
    tt_out o;
    kernel(store, ld, col0, n, k, g, ng, &o);
    double *B = malloc(sizeof(double) * (size_t)(n * n));
    brute(store, ld, col0, n, k, g, ng, B);
    double worst = 0, wg = 0, ws = 0, wt = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i; j < n; j++) {
            worst = fmax(worst, fabs(o.C[i * n + j] - B[i * n + j]) / fabs(B[i * n + j] + 1e-300));
            int64_t off = i * n - i * (i - 1) / 2 + (j - i);
            wt = fmax(wt, fabs((double)o.tri[off] - B[i * n + j]) / fabs(B[i * n + j] + 1e-300));
        }
    for (int64_t d = 0; d < n; d++) {
        long double s = 0;
        for (int64_t i = 0; i + d < n; i++)
            s += B[i * n + i + d];
        wg = fmax(wg, fabs(o.g2[d] - (double)(s / (n - d))) / fabs((double)(s / (n - d))));
    }
    const int64_t len = n / 5;
    for (int sgi = 0; sgi < 5; sgi++)
        for (int64_t d = 0; d < len; d++) {
            long double s = 0;
            for (int64_t i = sgi * len; i + d < (sgi + 1) * len; i++)
                s += B[i * n + i + d];
            double want = (double)(s / (len - d));
            ws = fmax(ws, fabs(o.seg[d * 5 + sgi] - want) / fabs(want));
        }
    printf("1/%d non-zero, smooth %s: C %.2e, float32 %.2e, g2 %.2e, segments %.2e\n", sparsity,
           ng_mode == 0   ? "sqmap"
           : ng_mode == 1 ? "dqmap"
                          : "none",
           worst, wt, wg, ws);
    test_cond("C equals brute force (1e-12)", worst < 1e-12);
    test_cond("float32 map within 1e-6", wt < 1e-6);
    test_cond("diagonal means", wg < 1e-12);
    test_cond("segment diagonal means", ws < 1e-12);
    test_cond("zero frame guarded (finite)", isfinite(o.C[40 * n + 40]) && isfinite(o.C[40]));
    /* the event kernel: the same bits */
    double *Cs = sparse_kernel(store, ld, col0, n, k, g, ng);
    test_cond("event kernel: bit-identical to the dense kernel", same_upper(Cs, o.C, n));
    free(Cs);
    /* thread count: bit-identical (exact integer products) */
    omp_set_num_threads(1);
    tt_out o1;
    kernel(store, ld, col0, n, k, g, ng, &o1);
    Cs = sparse_kernel(store, ld, col0, n, k, g, ng);
    omp_set_num_threads(2);
    test_cond("1 and 2 threads: bit-identical (dense)", same_upper(o1.C, o.C, n));
    test_cond("1 and 2 threads: bit-identical (event)", same_upper(Cs, o.C, n));
    free(Cs);
    out_free(&o1);
    out_free(&o);
    free(B);
    free(store);
}

static void test_constant(void)
{
    const int64_t n = 600, k = 40; /* several diagonal blocks of the kernel */
    uint16_t *store = malloc(sizeof(uint16_t) * (size_t)(n * k));
    for (int64_t i = 0; i < n * k; i++)
        store[i] = 3;
    int64_t gs[3] = {0, 15, 40};
    tt_out o;
    kernel(store, k, 0, n, k, gs, 2, &o);
    int ones = 1;
    for (int64_t i = 0; i < xpcs_twotime_tri_len(n); i++)
        ones &= o.tri[i] == 1.0f;
    for (int64_t d = 0; d < n; d++)
        ones &= o.g2[d] == 1.0;
    test_cond("constant frames: C == 1 and g2 == 1", ones);
    double *Cs = sparse_kernel(store, k, 0, n, k, gs, 2);
    test_cond("constant frames: event kernel bit-identical", same_upper(Cs, o.C, n));
    free(Cs);
    out_free(&o);
    free(store);
}

int main(void)
{
    omp_set_num_threads(2);
    const int sparsity[4] = {1, 3, 40, 1000}; /* 1 in s values non-zero */
    for (int s = 0; s < 4; s++)
        for (int m = 0; m < 3; m++)
            test_random(m, sparsity[s]);
    test_constant();
    test_cond("smooth names", xpcs_smooth_from_name("sqmap") == XPCS_SMOOTH_SQMAP &&
                                  xpcs_smooth_from_name("none") == XPCS_SMOOTH_NONE &&
                                  xpcs_smooth_from_name("x") < 0);
    return test_report();
}
