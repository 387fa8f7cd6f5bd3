/* Bare cblas_dsyrk speed (benchmark helper, not part of the library):
 *   bench_dsyrk N K [REPS]
 * C (N x N, upper) = X X^T for X row-major N x K, as the two-time kernel
 * calls it; prints the best time and GFLOP/s = N (N + 1) K / time. */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_dsyrk N K [REPS]\n");
        return 2;
    }
    int n = atoi(argv[1]), k = atoi(argv[2]), reps = argc > 3 ? atoi(argv[3]) : 3;
    double *x = malloc(sizeof(double) * (size_t)n * (size_t)k);
    double *c = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!x || !c)
        return 1;
    for (size_t i = 0; i < (size_t)n * (size_t)k; i++)
        x[i] = (double)(i % 7) * 0.25;
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = omp_get_wtime();
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, 1.0, x, k, 0.0, c, n);
        double t = omp_get_wtime() - t0;
        if (t < best)
            best = t;
    }
    printf("dsyrk N=%d K=%d threads=%d: %.3f s, %.1f GFLOP/s\n", n, k, omp_get_max_threads(), best,
           (double)n * (n + 1) * k / best / 1e9);
    free(x);
    free(c);
    return 0;
}
