/* Unit test of the multitau kernel against a brute-force oracle: direct
 * per-pixel sums over the level frames at each delay, no multi-tau
 * machinery.  Also: thread count and push splitting leave the result
 * bit-identical; the delay list follows the APS stop rule. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/multitau.h"

/* brute force G2/IP/IF of pixel p at (level L, lag m) */
static void oracle(const double *x, int64_t n, int64_t npix, int64_t p, int L, int m, double *G2,
                   double *IP, double *IF)
{
    int64_t nl = n >> L, w = (int64_t)1 << L;
    double *lv = malloc(sizeof(double) * (size_t)nl);
    for (int64_t k = 0; k < nl; k++) {
        lv[k] = 0;
        for (int64_t i = 0; i < w; i++)
            lv[k] += x[(k * w + i) * npix + p];
    }
    double g = 0, a = 0, b = 0;
    int64_t pairs = nl - m;
    for (int64_t k = m; k < nl; k++) {
        g += lv[k - m] * lv[k];
        a += lv[k];
        b += lv[k - m];
    }
    *G2 = g / ((double)pairs * (double)w * (double)w);
    *IP = a / ((double)pairs * (double)w);
    *IF = b / ((double)pairs * (double)w);
    free(lv);
}

static int run_case(int64_t n, int64_t npix, int threads, int64_t chunk, int scaled, double **out)
{
    uint16_t *raw = malloc(sizeof(uint16_t) * (size_t)(n * npix));
    double *xd = malloc(sizeof(double) * (size_t)(n * npix));
    double *scale = malloc(sizeof(double) * (size_t)n);
    *test_rng() = 88172645463325252ull;
    for (int64_t i = 0; i < n * npix; i++)
        raw[i] = (uint16_t)(next_u32() % 5 == 0 ? next_u32() % 7 : 0);
    for (int64_t t = 0; t < n; t++)
        scale[t] = scaled ? 0.5 + (double)(next_u32() % 1000) / 997.0 : 1.0;
    for (int64_t t = 0; t < n; t++)
        for (int64_t p = 0; p < npix; p++)
            xd[t * npix + p] = (double)raw[t * npix + p] * scale[t];
    omp_set_num_threads(threads);
    xpcs_multitau *mt = NULL;
    xpcs_err err;
    xpcs_multitau_create(n, npix, &mt, &err);
    for (int64_t t = 0; t < n; t += chunk) {
        int64_t c = t + chunk <= n ? chunk : n - t;
        xpcs_multitau_push(mt, raw + t * npix, XPCS_DT_U16, c, npix, scaled ? scale + t : NULL);
    }
    int nd = xpcs_multitau_n_delays(mt);
    int64_t delays[XPCS_MT_MAX_DELAYS];
    int lev[XPCS_MT_MAX_DELAYS], lag[XPCS_MT_MAX_DELAYS];
    xpcs_multitau_delays(n, delays, lev, lag);
    double *res = malloc(sizeof(double) * 3 * (size_t)(nd * npix));
    double worst = 0;
    for (int j = 0; j < nd; j++) {
        double *G2 = res + 3 * j * npix, *IP = G2 + npix, *IF = IP + npix;
        xpcs_multitau_result(mt, j, G2, IP, IF, &err);
        for (int64_t p = 0; p < npix; p++) {
            double g, a, b;
            oracle(xd, n, npix, p, lev[j], lag[j], &g, &a, &b);
            /* relative, with the count scale (~1) as the floor: a window
             * that is exactly 0 may come out as +-1e-16 when frames are
             * scaled (the windows are total minus the first/last frames) */
            double e1 = fabs(G2[p] - g) / fmax(fabs(g), 1.0);
            double e2 = fabs(IP[p] - a) / fmax(fabs(a), 1.0);
            double e3 = fabs(IF[p] - b) / fmax(fabs(b), 1.0);
            worst = fmax(worst, fmax(e1, fmax(e2, e3)));
        }
    }
    printf("n=%lld npix=%lld threads=%d chunk=%lld scaled=%d: %d delays, max rel err %.2e\n",
           (long long)n, (long long)npix, threads, (long long)chunk, scaled, nd, worst);
    xpcs_multitau_destroy(&mt);
    free(raw);
    free(xd);
    free(scale);
    *out = res;
    test_cond("kernel equals brute force to 1e-12", worst < 1e-12);
    return nd;
}

int main(void)
{
    /* delay list: APS dpl 4, N = 10000 gives 48 delays */
    int64_t d[XPCS_MT_MAX_DELAYS];
    test_cond("48 delays for 10000 frames", xpcs_multitau_delays(10000, d, NULL, NULL) == 48);
    test_cond("delays 1..8 then 10,12,14,16",
              d[0] == 1 && d[7] == 8 && d[8] == 10 && d[11] == 16 && d[12] == 20);
    test_cond("last delay for 10000 frames", d[47] == 8 * 1024);
    test_cond("5 frames: delays 1..4", xpcs_multitau_delays(5, d, NULL, NULL) == 4 && d[3] == 4);
    test_cond("12 frames: 1..8, 10", xpcs_multitau_delays(12, d, NULL, NULL) == 9 && d[8] == 10);

    /* odd, non-power-of-two frame counts; tile edges (npix not a multiple
     * of the tile width); several push sizes and thread counts */
    const int64_t ns[] = {2, 9, 37, 1000, 1531};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        double *a, *b, *c;
        int nd = run_case(ns[i], 131, 1, ns[i], 0, &a);
        run_case(ns[i], 131, 2, 7, 0, &b);
        run_case(ns[i], 131, 2, 3, 1, &c);
        test_cond("1 vs 2 threads, 1 vs 7-frame pushes: bit-identical",
                  memcmp(a, b, sizeof(double) * 3 * (size_t)nd * 131) == 0);
        free(a);
        free(b);
        free(c);
    }
    /* Every input type gives the same bits (u8, u16 and f64 take the fused
     * level 0 on full tiles, u32 the general path), pushed whole or in
     * small gathered pieces; partial results need a settle first. */
    {
        const int64_t n = 700, np = 300;
        uint8_t *x8 = malloc((size_t)(n * np));
        uint16_t *x16 = malloc(sizeof(uint16_t) * (size_t)(n * np));
        uint32_t *x32 = malloc(sizeof(uint32_t) * (size_t)(n * np));
        double *xf = malloc(sizeof(double) * (size_t)(n * np)), scale[700];
        for (int64_t i = 0; i < n * np; i++) {
            x8[i] = (uint8_t)(next_u32() % 3 == 0 ? next_u32() % 9 : 0);
            x16[i] = x8[i];
            x32[i] = x8[i];
            xf[i] = x8[i];
        }
        for (int64_t t = 0; t < n; t++)
            scale[t] = 0.5 + (double)(next_u32() % 1000) / 997.0;
        const void *rows[4] = {x8, x16, x32, xf};
        const xpcs_dtype types[4] = {XPCS_DT_U8, XPCS_DT_U16, XPCS_DT_U32, XPCS_DT_F64};
        const size_t esz[4] = {1, 2, 4, 8};
        double *res[8];
        int nd = 0, so_far_ok = 1;
        xpcs_err err;
        for (int k = 0; k < 8; k++) {
            const int ty = k % 4, piece = k < 4 ? (int)n : 5;
            xpcs_multitau *mt;
            xpcs_multitau_create(n, np, &mt, &err);
            for (int64_t t = 0; t < n; t += piece) {
                int64_t c = t + piece <= n ? piece : n - t;
                xpcs_multitau_push(mt, (const char *)rows[ty] + (size_t)(t * np) * esz[ty],
                                   types[ty], c, np, scale + t);
                if (piece < n && t + c == 300) {
                    double g[300], a[300], b[300];
                    /* 300 frames in, some gathered: refused until settled */
                    so_far_ok &= xpcs_multitau_result_so_far(mt, 0, g, a, b, &err) != XPCS_OK;
                    xpcs_multitau_settle(mt);
                    so_far_ok &= xpcs_multitau_result_so_far(mt, 0, g, a, b, &err) == XPCS_OK;
                }
            }
            nd = xpcs_multitau_n_delays(mt);
            res[k] = malloc(sizeof(double) * 3 * (size_t)(nd * np));
            for (int j = 0; j < nd; j++) {
                double *G2 = res[k] + 3 * j * np;
                xpcs_multitau_result(mt, j, G2, G2 + np, G2 + 2 * np, &err);
            }
            xpcs_multitau_destroy(&mt);
        }
        int same = 1;
        for (int k = 1; k < 8; k++)
            same &= memcmp(res[0], res[k], sizeof(double) * 3 * (size_t)(nd * np)) == 0;
        test_cond("u8, u16, u32, f64, whole or in 5-frame pieces: bit-identical", same);
        test_cond("partial results refused while frames wait, given after a settle", so_far_ok);
        for (int k = 0; k < 8; k++)
            free(res[k]);
        free(x8);
        free(x16);
        free(x32);
        free(xf);
    }
    /* constant frames: G2 = c^2, IP = IF = c at every delay */
    {
        const int64_t n = 777, np = 5;
        uint32_t *x = malloc(sizeof(uint32_t) * n * np);
        for (int64_t i = 0; i < n * np; i++)
            x[i] = 3;
        xpcs_multitau *mt;
        xpcs_err err;
        xpcs_multitau_create(n, np, &mt, &err);
        xpcs_multitau_push(mt, x, XPCS_DT_U32, n, np, NULL);
        int ok = 1;
        for (int j = 0; j < xpcs_multitau_n_delays(mt); j++) {
            double G2[5], IP[5], IF[5];
            xpcs_multitau_result(mt, j, G2, IP, IF, &err);
            for (int p = 0; p < 5; p++)
                ok &= G2[p] == 9.0 && IP[p] == 3.0 && IF[p] == 3.0;
        }
        test_cond("constant frames: G2 = 9, IP = IF = 3 exactly", ok);
        xpcs_multitau_destroy(&mt);
        free(x);
    }
    return test_report();
}
