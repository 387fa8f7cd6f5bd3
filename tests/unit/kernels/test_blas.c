/* Unit test of kernels/blas: the rule (only a BLAS with threads of its own
 * is set to one thread), what setup finds for the BLAS this build linked
 * (consistent with its own description; an OpenMP OpenBLAS is left alone),
 * and that the dense two-time kernel's dgemm tiles, called from 2 OpenMP
 * threads at once, give the exact integer products afterwards. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/blas.h"
#include "xpcs/kernels/twotime.h"

int main(void)
{
    test_cond("sequential: left alone", !xpcs_blas_needs_single(XPCS_BLAS_SEQUENTIAL));
    test_cond("OpenMP threads: left alone", !xpcs_blas_needs_single(XPCS_BLAS_OPENMP));
    test_cond("unknown: left alone", !xpcs_blas_needs_single(XPCS_BLAS_UNKNOWN));
    test_cond("threads of its own: one thread", xpcs_blas_needs_single(XPCS_BLAS_OWN_THREADS));

    const xpcs_blas_info *b = xpcs_blas_setup();
    char text[512];
    xpcs_blas_describe(text, sizeof text);
    printf("blas: %s\n", text);
    test_cond("setup names the BLAS", b->name[0] != '\0');
    test_cond("setup is done once", xpcs_blas_setup() == b);
    test_cond("set to one thread exactly when it has threads of its own",
              b->set_single == (b->threading == XPCS_BLAS_OWN_THREADS));
    if (strncmp(b->name, "OpenBLAS", 8) == 0)
        test_cond("OpenBLAS: threading as its build says", strstr(b->name, "USE_OPENMP")
                                                               ? b->threading == XPCS_BLAS_OPENMP
                                                               : b->threading != XPCS_BLAS_OPENMP);

    /* 600 frames x 40 pixels of small counts, one group, no smoothing: the
     * map's numerator is an exact integer product; its diagonal
     * C(t, t) = n sum_p x_p(t)^2 / S(t)^2 checked directly */
    const int64_t N = 600, P = 40;
    double *X = malloc(sizeof(double) * (size_t)(N * P));
    for (int64_t i = 0; i < N * P; i++)
        X[i] = (double)(next_u32() % 5);
    const int64_t gstart[2] = {0, P};
    double *C = calloc((size_t)(N * N), sizeof(double));
    omp_set_num_threads(2);
    xpcs_twotime_dense(X, N, P, gstart, 1, XPCS_SMOOTH_NONE, C, NULL);
    int ok = 1;
    for (int64_t t = 0; t < N && ok; t += 37) {
        double sq = 0, s = 0;
        for (int64_t p = 0; p < P; p++) {
            sq += X[t * P + p] * X[t * P + p];
            s += X[t * P + p];
        }
        s = s > 0 ? s : 1.0;
        ok = C[t * N + t] == sq * (double)P / (s * s);
    }
    test_cond("dgemm tiles from 2 OpenMP threads: exact diagonal", ok);
    free(X);
    free(C);
    return test_report();
}
