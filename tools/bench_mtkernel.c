/* bench_mtkernel: a benchmark (not a test) of the dense multitau kernel alone,
 * without I/O, SAXS or MPI: P pixels x N frames of uint16 counts (mean about
 * 0.25, a few distinct counts) pushed in pushes of S frames, as a rank's
 * kernel gets them from the pipeline (S = the plan's step), with or without
 * row scales (-nf 1, the default, has them).  The frames of one push are
 * generated once and pushed N / S times, so the source is the same in memory
 * as a receive buffer (2 MiB pages where the kernel allows them, like
 * pipeline/framestream).  Prints pixel-frames per second of the pushes, ns
 * per pixel-frame and a checksum of G2 (to compare builds: equal checksums
 * for equal arguments).
 *
 * Usage: build/bench_mtkernel [--pixels P] [--frames N] [--push S]
 *                             [--no-scale] [--repeat R]
 *   defaults: 32768 pixels (one rank of 256 x 256 at 2 ranks), 20000 frames,
 *   pushes of 256 (the plan's step there), row scales on, best of R = 3.
 *   OMP_NUM_THREADS sets the kernel's threads; XPCS_SIMD its SIMD level. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "xpcs/kernels/multitau.h"
#include "xpcs/kernels/simd.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_u32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static int64_t arg_i64(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "bench_mtkernel: %s needs a value\n", argv[*i]);
        exit(2);
    }
    char *end;
    long long v = strtoll(argv[++*i], &end, 10);
    if (*end || v <= 0) {
        fprintf(stderr, "bench_mtkernel: %s: '%s' is not a positive integer\n", argv[*i - 1],
                argv[*i]);
        exit(2);
    }
    return (int64_t)v;
}

int main(int argc, char **argv)
{
    int64_t P = 32768, N = 20000, S = 256, R = 3;
    int scaled = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pixels"))
            P = arg_i64(argc, argv, &i);
        else if (!strcmp(argv[i], "--frames"))
            N = arg_i64(argc, argv, &i);
        else if (!strcmp(argv[i], "--push"))
            S = arg_i64(argc, argv, &i);
        else if (!strcmp(argv[i], "--repeat"))
            R = arg_i64(argc, argv, &i);
        else if (!strcmp(argv[i], "--no-scale"))
            scaled = 0;
        else {
            fprintf(stderr, "bench_mtkernel: unknown argument %s (see the file's header)\n",
                    argv[i]);
            return 2;
        }
    }
    if (S > N)
        S = N;
    const size_t bytes = sizeof(uint16_t) * (size_t)P * (size_t)S;
    const size_t huge = 2u << 20;
    void *mem = NULL;
    if (posix_memalign(&mem, huge, (bytes + huge - 1) / huge * huge) != 0) {
        fprintf(stderr, "bench_mtkernel: cannot allocate %zu bytes\n", bytes);
        return 1;
    }
#ifdef MADV_HUGEPAGE
    madvise(mem, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
#endif
    uint16_t *rows = mem;
    for (size_t k = 0; k < (size_t)P * (size_t)S; k++) {
        uint32_t u = next_u32();
        rows[k] = (uint16_t)((u & 3u) == 0 ? 1 + ((u >> 8) & 1u) : 0);
    }
    double *scale = malloc(sizeof(double) * (size_t)S);
    for (int64_t f = 0; f < S; f++)
        scale[f] = 0.9 + 0.2 * (double)(next_u32() % 1000u) / 1000.0;

    double best = 0, checksum = 0;
    for (int64_t rep = 0; rep < R; rep++) {
        xpcs_multitau *mt = NULL;
        xpcs_err err;
        if (xpcs_multitau_create(N, P, &mt, &err) != XPCS_OK) {
            fprintf(stderr, "bench_mtkernel: %s\n", err.msg);
            return 1;
        }
        const double t0 = now_s();
        for (int64_t f = 0; f < N; f += S) {
            const int64_t n = f + S <= N ? S : N - f;
            xpcs_multitau_push(mt, rows, XPCS_DT_U16, n, P, scaled ? scale : NULL);
        }
        const double dt = now_s() - t0;
        if (rep == 0 || dt < best)
            best = dt;
        double *res = malloc(sizeof(double) * 3 * (size_t)P);
        checksum = 0;
        for (int j = 0; j < xpcs_multitau_n_delays(mt); j++) {
            xpcs_multitau_result(mt, j, res, res + P, res + 2 * P, &err);
            for (int64_t p = 0; p < P; p++)
                checksum += res[p];
        }
        free(res);
        xpcs_multitau_destroy(&mt);
    }
    const double pf = (double)P * (double)N;
    printf("bench_mtkernel: %lld pixels x %lld frames, pushes of %lld, %s, SIMD %s: "
           "best of %lld %.3f s, %.3g pixel-frames/s, %.2f ns per pixel-frame; G2 checksum "
           "%.17g\n",
           (long long)P, (long long)N, (long long)S, scaled ? "row scales" : "no scales",
           xpcs_simd_level_name(xpcs_simd_active()), (long long)R, best, pf / best, best * 1e9 / pf,
           checksum);
    free(scale);
    free(mem);
    return 0;
}
