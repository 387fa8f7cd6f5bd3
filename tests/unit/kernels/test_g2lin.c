/* Unit test of the linear-lag FFT kernel against a brute-force oracle:
 * direct O(N L) sums per pixel and lag, no transforms.  Integer counts must
 * come out exactly (the block sums are rounded); scaled frames agree to 1e-12
 * of the lag-0 scale.  Covers one block and several blocks (with a partial
 * last block), every element type, push sizes that cut blocks, thread counts,
 * and the agreement of IP/IF with the multitau kernel at lags 1..8. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/g2lin.h"
#include "xpcs/kernels/multitau.h"

/* x[t*npix + p] as double (times scale[t]) */
static void brute(const double *x, int64_t n, int64_t npix, int64_t p, int64_t tau, double *G2,
                  double *IP, double *IF)
{
    double g = 0, a = 0, b = 0;
    for (int64_t t = 0; t + tau < n; t++) {
        g += x[t * npix + p] * x[(t + tau) * npix + p];
        a += x[(t + tau) * npix + p];
        b += x[t * npix + p];
    }
    *G2 = g / (double)(n - tau);
    *IP = a / (double)(n - tau);
    *IF = b / (double)(n - tau);
}

static void fill(void *raw, xpcs_dtype t, int64_t count, int big)
{
    for (int64_t i = 0; i < count; i++) {
        uint32_t v = next_u32() % 4 == 0 ? next_u32() % (big ? 60000u : 6u) : 0u;
        switch (t) {
        case XPCS_DT_U8:
            ((uint8_t *)raw)[i] = (uint8_t)v;
            break;
        case XPCS_DT_U16:
            ((uint16_t *)raw)[i] = (uint16_t)v;
            break;
        case XPCS_DT_U32:
            ((uint32_t *)raw)[i] = v * 3u;
            break;
        default:
            ((double *)raw)[i] = (double)v;
            break;
        }
    }
}

static double as_double(const void *raw, xpcs_dtype t, int64_t i)
{
    switch (t) {
    case XPCS_DT_U8:
        return ((const uint8_t *)raw)[i];
    case XPCS_DT_U16:
        return ((const uint16_t *)raw)[i];
    case XPCS_DT_U32:
        return ((const uint32_t *)raw)[i];
    default:
        return ((const double *)raw)[i];
    }
}

/* Runs the kernel with geometry geo on npix pixels and checks every lag. */
static void run_case(const char *name, xpcs_g2lin_geom geo, int64_t npix, xpcs_dtype t, int scaled,
                     int threads, int64_t chunk, int big)
{
    const int64_t n = geo.n_frames, L = geo.max_lag;
    const size_t esz = xpcs_dtype_size(t);
    void *raw = malloc(esz * (size_t)(n * npix));
    double *x = malloc(sizeof(double) * (size_t)(n * npix));
    double *scale = malloc(sizeof(double) * (size_t)n);
    fill(raw, t, n * npix, big);
    for (int64_t f = 0; f < n; f++)
        scale[f] = scaled ? 0.5 + (double)(next_u32() % 1000) / 997.0 : 1.0;
    for (int64_t f = 0; f < n; f++)
        for (int64_t p = 0; p < npix; p++)
            x[f * npix + p] = as_double(raw, t, f * npix + p) * (scaled ? scale[f] : 1.0);
    omp_set_num_threads(threads);
    xpcs_g2lin *g = NULL;
    xpcs_err err;
    int ok = xpcs_g2lin_create(&geo, npix, t, 0, &g, &err) == XPCS_OK;
    for (int64_t f = 0; ok && f < n; f += chunk) {
        int64_t c = f + chunk <= n ? chunk : n - f;
        xpcs_g2lin_push(g, (const char *)raw + esz * (size_t)(f * npix), c, npix,
                        scaled ? scale + f : NULL);
    }
    double *G2 = malloc(sizeof(double) * 3 * (size_t)npix), *IP = G2 + npix, *IF = IP + npix;
    double worst = 0;
    int exact = 1;
    for (int64_t tau = 1; ok && tau <= L; tau++) {
        ok &= xpcs_g2lin_result(g, tau, G2, IP, IF, &err) == XPCS_OK;
        for (int64_t p = 0; ok && p < npix; p++) {
            double a, b, c;
            brute(x, n, npix, p, tau, &a, &b, &c);
            /* scale of G2 for this pixel: mean square of the series */
            double ms = 0;
            for (int64_t f = 0; f < n; f++)
                ms += x[f * npix + p] * x[f * npix + p];
            ms = ms / (double)n + 1e-300;
            double d = fabs(G2[p] - a) / ms;
            d = fmax(d, fabs(IP[p] - b) / (fabs(b) + 1e-300) * (b != 0));
            d = fmax(d, fabs(IF[p] - c) / (fabs(c) + 1e-300) * (c != 0));
            worst = fmax(worst, d);
            exact &= G2[p] == a;
        }
    }
    int64_t nb, nu;
    xpcs_g2lin_stats(g, NULL, NULL, &nb, &nu);
    printf("%-44s blocks %lld, M %lld, unrounded %lld, worst %.2e%s\n", name, (long long)nb,
           (long long)geo.fft_len, (long long)nu, worst, scaled ? "" : (exact ? " (exact)" : ""));
    test_cond(name, ok && worst < 1e-12);
    if (!scaled && !big)
        test_cond("integer counts give the exact sums", exact && nu == 0);
    xpcs_g2lin_destroy(&g);
    free(G2);
    free(raw);
    free(x);
    free(scale);
}

/* multi-block geometry with a small block (the default would be one block) */
static xpcs_g2lin_geom small_blocks(int64_t n, int64_t L, int64_t T)
{
    xpcs_g2lin_geom g;
    g.n_frames = n;
    g.max_lag = L;
    g.single = 0;
    g.fft_len = xpcs_fft_good_size(T + L);
    g.block = g.fft_len - L;
    g.buf_frames = L + g.block;
    return g;
}

static void test_vs_multitau(void)
{
    /* IP, IF and integer G2 equal the multitau kernel's level 0 bit for bit */
    const int64_t n = 300, npix = 37;
    uint16_t *raw = malloc(sizeof(uint16_t) * (size_t)(n * npix));
    double *scale = malloc(sizeof(double) * (size_t)n);
    fill(raw, XPCS_DT_U16, n * npix, 0);
    for (int64_t f = 0; f < n; f++)
        scale[f] = 0.3 + (double)(next_u32() % 1000) / 777.0;
    for (int scaled = 0; scaled < 2; scaled++) {
        xpcs_err err;
        xpcs_multitau *mt = NULL;
        xpcs_multitau_create(n, npix, &mt, &err);
        xpcs_multitau_push(mt, raw, XPCS_DT_U16, n, npix, scaled ? scale : NULL);
        xpcs_g2lin_geom geo = small_blocks(n, 20, 50);
        xpcs_g2lin *g = NULL;
        xpcs_g2lin_create(&geo, npix, XPCS_DT_U16, 0, &g, &err);
        xpcs_g2lin_push(g, raw, n, npix, scaled ? scale : NULL);
        double a[3 * 37], b[3 * 37];
        int same_i = 1, same_g = 1;
        double gd = 0;
        for (int j = 0; j < 8; j++) {
            xpcs_multitau_result(mt, j, a, a + npix, a + 2 * npix, &err);
            xpcs_g2lin_result(g, j + 1, b, b + npix, b + 2 * npix, &err);
            same_i &= memcmp(a + npix, b + npix, sizeof(double) * 2 * (size_t)npix) == 0;
            same_g &= memcmp(a, b, sizeof(double) * (size_t)npix) == 0;
            for (int p = 0; p < npix; p++)
                gd = fmax(gd, fabs(a[p] - b[p]) / (fabs(a[p]) + 1e-3));
        }
        if (scaled) {
            test_cond("scaled: IP, IF bit-identical to multitau level 0", same_i);
            test_cond("scaled: G2 within 1e-13 of multitau level 0", gd < 1e-13);
        }
        else
            test_cond("G2, IP, IF bit-identical to multitau level 0", same_i && same_g);
        xpcs_g2lin_destroy(&g);
        xpcs_multitau_destroy(&mt);
    }
    free(raw);
    free(scale);
}

int main(void)
{
    xpcs_g2lin_geom geo;
    test_cond("good sizes", xpcs_fft_good_size(1) == 4 && xpcs_fft_good_size(39999) == 40000 &&
                                xpcs_fft_good_size(11 * 4) == 48);
    xpcs_g2lin_geometry(20000, 19999, 0, &geo);
    test_cond("all lags: one block", geo.single && geo.fft_len >= 39999);
    xpcs_g2lin_geometry(1000000, 100, 1, &geo);
    test_cond("long run: bounded blocks", !geo.single && geo.block >= 800 &&
                                              geo.buf_frames == geo.block + 100 &&
                                              geo.fft_len >= geo.block + 100);
    xpcs_g2lin_geometry(20000, 1000, 0, &geo);
    test_cond("one block when cheapest", geo.single && geo.buf_frames == 20000);
    xpcs_g2lin_geometry(2000000, 100, 0, &geo);
    test_cond("time blocks when cheapest", !geo.single);
    xpcs_g2lin_geometry(17000, 1100, 1, &geo);
    test_cond("time blocks when memory is short",
              !geo.single && geo.buf_frames < 17000 && geo.block >= 8 * 1100);

    xpcs_g2lin_geometry(333, 332, 0, &geo);
    run_case("one block, all lags, u16", geo, 41, XPCS_DT_U16, 0, 2, 333, 0);
    xpcs_g2lin_geometry(500, 37, 0, &geo);
    run_case("one block, u8, pushes of 7", geo, 19, XPCS_DT_U8, 0, 1, 7, 0);
    run_case("blocks T~60 L 25, u16, pushes of 13", small_blocks(517, 25, 60), 35, XPCS_DT_U16, 0,
             2, 13, 0);
    run_case("blocks, u32, one push", small_blocks(400, 9, 30), 17, XPCS_DT_U32, 0, 1, 400, 0);
    run_case("blocks, f64, pushes of 64", small_blocks(700, 50, 200), 33, XPCS_DT_F64, 0, 3, 64, 0);
    run_case("blocks, scaled frames", small_blocks(613, 40, 100), 21, XPCS_DT_U16, 1, 2, 50, 0);
    xpcs_g2lin_geometry(800, 799, 0, &geo);
    run_case("one block, scaled frames", geo, 16, XPCS_DT_U16, 1, 2, 100, 0);
    run_case("blocks, large counts (u32)", small_blocks(600, 30, 100), 9, XPCS_DT_U32, 0, 2, 77, 1);
    run_case("lag = block length", small_blocks(300, 64, 64), 5, XPCS_DT_U16, 0, 1, 300, 0);
    test_vs_multitau();
    return test_report();
}
