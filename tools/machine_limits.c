/* machine_limits: this machine's memory bandwidth and peak arithmetic, as
 * JSON on stdout, for the roofline of the pipeline's phases (README
 * "Machine limits").  Not a test: a benchmark, best of several repeats.
 *
 *   memory   STREAM-like copy (a = b: 16 bytes per element) and triad
 *            (a = b + s c: 24 bytes), arrays far larger than the caches,
 *            first touched by the threads that use them; STREAM's byte
 *            counts (the write-allocate read of a is not counted)
 *   compute  independent chains of vector operations at each SIMD width
 *            the CPU runs (128-bit SSE2, 256-bit AVX2+FMA, 512-bit
 *            AVX-512): double fused multiply-adds (2 flops per lane), int64
 *            adds and int32 multiply + add (2 ops per lane)
 *
 * at 1 thread and at every thread count up to the CPUs of the affinity mask
 * (OpenMP).  "runtime_simd" is the level the engine's kernels run here
 * (kernels/simd.h).
 *
 * Usage: machine_limits [--mib N] [--repeat R] [--threads T]
 *   --mib     MiB per stream array (default 512; three arrays)
 *   --repeat  repeats, the best kept (default 5)
 *   --threads the largest thread count measured (default: the affinity's CPUs)
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <omp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/kernels/simd.h"

static double now(void)
{
    return omp_get_wtime();
}

/* ---- memory ------------------------------------------------------------ */

typedef struct {
    double copy, triad; /* bytes/s, best of the repeats */
} stream_result;

static stream_result stream(double *a, double *b, double *c, int64_t n, int threads, int repeat)
{
    stream_result r = {0, 0};
    const double s = 3.0;
    for (int k = 0; k < repeat; k++) {
        double t0 = now();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int64_t i = 0; i < n; i++)
            a[i] = b[i];
        double t1 = now();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int64_t i = 0; i < n; i++)
            a[i] = b[i] + s * c[i];
        double t2 = now();
        double copy = 16.0 * (double)n / (t1 - t0), triad = 24.0 * (double)n / (t2 - t1);
        r.copy = copy > r.copy ? copy : r.copy;
        r.triad = triad > r.triad ? triad : r.triad;
    }
    return r;
}

/* ---- compute ----------------------------------------------------------- */

/* Each kernel runs `iters` rounds of CHAINS independent vector operations
 * (enough chains to cover the latency of two pipes) and returns a value
 * that depends on all of them, so nothing is optimized away. */
#define CHAINS 12
#define ITERS 20000000L

typedef double (*kernel_fn)(long iters);

static double fma128(long iters) /* SSE2: multiply then add (no FMA at this width) */
{
    __m128d acc[CHAINS], m = _mm_set1_pd(0.999999), x = _mm_set1_pd(1e-9);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm_set1_pd(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm_add_pd(_mm_mul_pd(acc[k], m), x);
    double s = 0, v[2];
    for (int k = 0; k < CHAINS; k++) {
        _mm_storeu_pd(v, acc[k]);
        s += v[0] + v[1];
    }
    return s;
}

__attribute__((target("avx2,fma"))) static double fma256(long iters)
{
    __m256d acc[CHAINS], m = _mm256_set1_pd(0.999999), x = _mm256_set1_pd(1e-9);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm256_set1_pd(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm256_fmadd_pd(acc[k], m, x);
    double s = 0, v[4];
    for (int k = 0; k < CHAINS; k++) {
        _mm256_storeu_pd(v, acc[k]);
        s += v[0] + v[1] + v[2] + v[3];
    }
    return s;
}

__attribute__((target("avx512f"))) static double fma512(long iters)
{
    __m512d acc[CHAINS], m = _mm512_set1_pd(0.999999), x = _mm512_set1_pd(1e-9);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm512_set1_pd(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm512_fmadd_pd(acc[k], m, x);
    double s = 0;
    for (int k = 0; k < CHAINS; k++)
        s += _mm512_reduce_add_pd(acc[k]);
    return s;
}

static double add64_128(long iters)
{
    __m128i acc[CHAINS], x = _mm_set1_epi64x(3);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm_set1_epi64x(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm_add_epi64(acc[k], x);
    int64_t s = 0, v[2];
    for (int k = 0; k < CHAINS; k++) {
        _mm_storeu_si128((__m128i *)v, acc[k]);
        s += v[0] + v[1];
    }
    return (double)s;
}

__attribute__((target("avx2"))) static double add64_256(long iters)
{
    __m256i acc[CHAINS], x = _mm256_set1_epi64x(3);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm256_set1_epi64x(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm256_add_epi64(acc[k], x);
    int64_t s = 0, v[4];
    for (int k = 0; k < CHAINS; k++) {
        _mm256_storeu_si256((__m256i *)v, acc[k]);
        s += v[0] + v[1] + v[2] + v[3];
    }
    return (double)s;
}

__attribute__((target("avx512f"))) static double add64_512(long iters)
{
    __m512i acc[CHAINS], x = _mm512_set1_epi64(3);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm512_set1_epi64(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm512_add_epi64(acc[k], x);
    int64_t s = 0;
    for (int k = 0; k < CHAINS; k++)
        s += _mm512_reduce_add_epi64(acc[k]);
    return (double)s;
}

__attribute__((target("sse4.1"))) static double mad32_128(long iters)
{
    __m128i acc[CHAINS], m = _mm_set1_epi32(5), x = _mm_set1_epi32(7);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm_set1_epi32(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm_add_epi32(_mm_mullo_epi32(acc[k], m), x);
    int32_t v[4];
    double s = 0;
    for (int k = 0; k < CHAINS; k++) {
        _mm_storeu_si128((__m128i *)v, acc[k]);
        s += (double)v[0] + v[1] + v[2] + v[3];
    }
    return s;
}

__attribute__((target("avx2"))) static double mad32_256(long iters)
{
    __m256i acc[CHAINS], m = _mm256_set1_epi32(5), x = _mm256_set1_epi32(7);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm256_set1_epi32(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm256_add_epi32(_mm256_mullo_epi32(acc[k], m), x);
    int32_t v[8];
    double s = 0;
    for (int k = 0; k < CHAINS; k++) {
        _mm256_storeu_si256((__m256i *)v, acc[k]);
        for (int l = 0; l < 8; l++)
            s += v[l];
    }
    return s;
}

__attribute__((target("avx512f"))) static double mad32_512(long iters)
{
    __m512i acc[CHAINS], m = _mm512_set1_epi32(5), x = _mm512_set1_epi32(7);
    for (int k = 0; k < CHAINS; k++)
        acc[k] = _mm512_set1_epi32(k);
    for (long i = 0; i < iters; i++)
        for (int k = 0; k < CHAINS; k++)
            acc[k] = _mm512_add_epi32(_mm512_mullo_epi32(acc[k], m), x);
    /* the lanes wrap (their values are only a checksum): summed as doubles,
     * not with _mm512_reduce_add_epi32, whose int additions overflow (UB) */
    int32_t v[16];
    double s = 0;
    for (int k = 0; k < CHAINS; k++) {
        _mm512_storeu_si512((void *)v, acc[k]);
        for (int l = 0; l < 16; l++)
            s += v[l];
    }
    return s;
}

typedef struct {
    const char *name; /* JSON key */
    int bits;         /* vector width */
    int lanes;        /* elements per vector */
    double ops;       /* operations per element per chain step */
    kernel_fn fn;
    const char *cpu; /* __builtin_cpu_supports feature, NULL: always */
} kernel;

static const kernel kernels[] = {
    {"f64_mul_add_128", 128, 2, 2, fma128, NULL},
    {"f64_fma_256", 256, 4, 2, fma256, "fma"},
    {"f64_fma_512", 512, 8, 2, fma512, "avx512f"},
    {"i64_add_128", 128, 2, 1, add64_128, NULL},
    {"i64_add_256", 256, 4, 1, add64_256, "avx2"},
    {"i64_add_512", 512, 8, 1, add64_512, "avx512f"},
    {"i32_mul_add_128", 128, 4, 2, mad32_128, "sse4.1"},
    {"i32_mul_add_256", 256, 8, 2, mad32_256, "avx2"},
    {"i32_mul_add_512", 512, 16, 2, mad32_512, "avx512f"},
};
#define N_KERNELS (int)(sizeof kernels / sizeof kernels[0])

static int cpu_has(const char *f)
{
    if (!f)
        return 1;
    if (!strcmp(f, "fma"))
        return __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
    if (!strcmp(f, "avx2"))
        return __builtin_cpu_supports("avx2");
    if (!strcmp(f, "avx512f"))
        return __builtin_cpu_supports("avx512f");
    if (!strcmp(f, "sse4.1"))
        return __builtin_cpu_supports("sse4.1");
    return 0;
}

/* Operations per second of kernel k on `threads` threads (each runs the
 * whole loop; best of `repeat`). */
static double peak(const kernel *k, int threads, int repeat, double *sink)
{
    const long iters = ITERS / (k->bits / 128);
    double best = 0;
    for (int r = 0; r < repeat; r++) {
        double t0 = now(), s = 0;
#pragma omp parallel num_threads(threads) reduction(+ : s)
        s += k->fn(iters);
        double t = now() - t0;
        *sink += s;
        double ops = (double)threads * (double)iters * CHAINS * k->lanes * k->ops / t;
        best = ops > best ? ops : best;
    }
    return best;
}

static int affinity_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? n : 1;
}

int main(int argc, char **argv)
{
    double mib = 512;
    int repeat = 5, max_threads = affinity_cpus();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mib") && i + 1 < argc)
            mib = atof(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            max_threads = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: machine_limits [--mib N] [--repeat R] [--threads T]\n");
            return 2;
        }
    }
    if (mib < 1 || repeat < 1 || max_threads < 1) {
        fprintf(stderr, "machine_limits: --mib, --repeat and --threads must be >= 1\n");
        return 2;
    }
    const int64_t n = (int64_t)(mib * 1048576.0 / sizeof(double));
    double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)n),
           *c = malloc(sizeof(double) * (size_t)n);
    if (!a || !b || !c) {
        fprintf(stderr, "machine_limits: cannot allocate 3 x %.0f MiB\n", mib);
        return 5;
    }
#pragma omp parallel for num_threads(max_threads) schedule(static)
    for (int64_t i = 0; i < n; i++) { /* first touch by the threads that stream */
        a[i] = 0;
        b[i] = 1;
        c[i] = 2;
    }
    xpcs_err err; /* XPCS_SIMD as the engine reads it; a bad value keeps the best level */
    if (xpcs_simd_select(&err))
        fprintf(stderr, "machine_limits: %s\n", err.msg);
    const xpcs_simd_level lv = xpcs_simd_active();
    char simd[256];
    xpcs_simd_describe(simd, sizeof simd);
    printf("{\n  \"cpus_in_affinity\": %d,\n  \"runtime_simd\": \"%s\",\n  \"runtime_simd_bits\": "
           "%d,\n",
           affinity_cpus(), xpcs_simd_level_name(lv),
           lv == XPCS_SIMD_V4   ? 512
           : lv == XPCS_SIMD_V3 ? 256
                                : 128);
    printf("  \"simd\": \"%s\",\n  \"stream_array_mib\": %.0f,\n  \"repeat\": %d,\n", simd, mib,
           repeat);
    printf("  \"threads\": {");
    double sink = 0;
    for (int t = 1; t <= max_threads; t++) {
        stream_result s = stream(a, b, c, n, t, repeat);
        printf("%s\n    \"%d\": {\n      \"copy_gb_per_s\": %.2f,\n      \"triad_gb_per_s\": %.2f",
               t > 1 ? "," : "", t, s.copy / 1e9, s.triad / 1e9);
        for (int k = 0; k < N_KERNELS; k++)
            if (cpu_has(kernels[k].cpu))
                printf(",\n      \"%s_gops\": %.2f", kernels[k].name,
                       peak(&kernels[k], t, repeat, &sink) / 1e9);
        printf("\n    }");
    }
    printf("\n  },\n  \"checksum\": %.6g\n}\n", sink);
    free(a);
    free(b);
    free(c);
    return 0;
}
