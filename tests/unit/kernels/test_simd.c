/* Unit test of the SIMD dispatch (kernels/simd): every level this build has
 * and this CPU runs gives bit-identical G2/IP/IF from the dense and the event
 * multitau kernels, on random data with non-integer frame scales (where a
 * fused multiply-add or another order of additions would change the last
 * bits), pushed in random pieces; XPCS_SIMD chooses the level, and a name
 * that is not a level is an error naming the variable. */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/mtsparse.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/kernels/simd.h"

#define NF 1237
#define NPIX 301

/* G2, IP, IF of every delay, dense then event kernel: [2][n_delays][3][NPIX] */
static double *run_level(const uint16_t *x, const double *scale, int *n_out)
{
    xpcs_err err;
    xpcs_multitau *mt = NULL;
    xpcs_mtsparse *ms = NULL;
    xpcs_multitau_create(NF, NPIX, &mt, &err);
    xpcs_mtsparse_create(NF, NPIX, &ms, &err);
    uint64_t saved = *test_rng();
    int64_t f0 = 0;
    int64_t *ptr = malloc(sizeof(int64_t) * (NPIX + 1));
    uint32_t *fr = malloc(sizeof(uint32_t) * NF * NPIX);
    uint32_t *ct = malloc(sizeof(uint32_t) * NF * NPIX);
    while (f0 < NF) { /* the same random pieces at every level */
        int64_t len = 1 + (int64_t)(next_u32() % 200u);
        if (f0 + len > NF)
            len = NF - f0;
        xpcs_multitau_push(mt, x + f0 * NPIX, XPCS_DT_U16, len, NPIX, scale + f0);
        int64_t k = 0;
        for (int64_t p = 0; p < NPIX; p++) {
            ptr[p] = k;
            for (int64_t t = f0; t < f0 + len; t++)
                if (x[t * NPIX + p]) {
                    fr[k] = (uint32_t)t;
                    ct[k++] = x[t * NPIX + p];
                }
        }
        ptr[NPIX] = k;
        xpcs_mtsparse_push(ms, f0, len, ptr, fr, ct, scale + f0);
        f0 += len;
    }
    *test_rng() = saved;
    const int nd = xpcs_multitau_n_delays(mt);
    double *out = malloc(sizeof(double) * 2 * (size_t)nd * 3 * NPIX);
    for (int j = 0; j < nd; j++) {
        double *d = out + (size_t)j * 3 * NPIX, *s = d + (size_t)nd * 3 * NPIX;
        xpcs_multitau_result(mt, j, d, d + NPIX, d + 2 * NPIX, &err);
        xpcs_mtsparse_result(ms, j, s, s + NPIX, s + 2 * NPIX, &err);
    }
    *n_out = nd;
    xpcs_multitau_destroy(&mt);
    xpcs_mtsparse_destroy(&ms);
    free(ptr);
    free(fr);
    free(ct);
    return out;
}

static void test_levels(void)
{
    uint16_t *x = calloc((size_t)NF * NPIX, sizeof(uint16_t));
    double *scale = malloc(sizeof(double) * NF);
    for (int64_t i = 0; i < (int64_t)NF * NPIX; i++) /* about 30 % non-zero, some bursts */
        x[i] = next_u32() % 10 < 3 ? (uint16_t)(1 + next_u32() % 40) : 0;
    for (int t = 0; t < NF; t++)
        scale[t] = 0.37 + (double)(next_u32() % 100000) / 31337.0;
    double *ref = NULL;
    int nd_ref = 0, ran = 0;
    for (int l = 0; l < XPCS_SIMD_NLEVELS; l++) {
        xpcs_err err;
        if (!xpcs_simd_compiled((xpcs_simd_level)l) ||
            !xpcs_simd_cpu_supports((xpcs_simd_level)l)) {
            printf("level %s: %s\n", xpcs_simd_level_name((xpcs_simd_level)l),
                   xpcs_simd_compiled((xpcs_simd_level)l) ? "not run by this CPU" : "not built");
            test_cond("a level that cannot run is refused",
                      xpcs_simd_force((xpcs_simd_level)l, &err) == XPCS_ERR_USAGE);
            continue;
        }
        test_cond("force a level that runs", xpcs_simd_force((xpcs_simd_level)l, &err) == XPCS_OK);
        test_cond("the forced level is active", xpcs_simd_active() == (xpcs_simd_level)l);
        for (int threads = 1; threads <= 2; threads++) {
            omp_set_num_threads(threads);
            int nd = 0;
            double *r = run_level(x, scale, &nd);
            const size_t n = (size_t)nd * 3 * NPIX;
            test_cond("dense and event kernels agree at this level",
                      memcmp(r, r + n, sizeof(double) * n) == 0);
            if (!ref) {
                ref = r;
                nd_ref = nd;
            }
            else {
                int same = nd == nd_ref && memcmp(r, ref, sizeof(double) * 2 * n) == 0;
                if (!same)
                    printf("level %s, %d thread(s): results differ from level %s\n",
                           xpcs_simd_level_name((xpcs_simd_level)l), threads,
                           xpcs_simd_level_name(XPCS_SIMD_GENERIC));
                test_cond("bit-identical to the generic level", same);
                free(r);
            }
        }
        printf("level %s: ran\n", xpcs_simd_level_name((xpcs_simd_level)l));
        ran++;
    }
    test_cond("the generic level and the best one ran", ran >= 1 && xpcs_simd_best() >= 0);
    free(ref);
    free(x);
    free(scale);
}

static void test_environment(void)
{
    xpcs_err err = {{0}};
    setenv("XPCS_SIMD", "generic", 1);
    test_cond("XPCS_SIMD=generic",
              xpcs_simd_select(&err) == XPCS_OK && xpcs_simd_active() == XPCS_SIMD_GENERIC);
    setenv("XPCS_SIMD", "auto", 1);
    test_cond("XPCS_SIMD=auto: the best",
              xpcs_simd_select(&err) == XPCS_OK && xpcs_simd_active() == xpcs_simd_best());
    setenv("XPCS_SIMD", "v9", 1);
    xpcs_status st = xpcs_simd_select(&err);
    printf("XPCS_SIMD=v9: %s\n", err.msg);
    test_cond("XPCS_SIMD=v9 is a usage error naming the variable",
              st == XPCS_ERR_USAGE && strstr(err.msg, "XPCS_SIMD") && strstr(err.msg, "'v9'"));
    test_cond("... and leaves the best level", xpcs_simd_active() == xpcs_simd_best());
    for (int l = XPCS_SIMD_V2; l < XPCS_SIMD_NLEVELS; l++)
        if (!xpcs_simd_compiled((xpcs_simd_level)l) ||
            !xpcs_simd_cpu_supports((xpcs_simd_level)l)) {
            setenv("XPCS_SIMD", xpcs_simd_level_name((xpcs_simd_level)l), 1);
            test_cond("a level that cannot run here is an error",
                      xpcs_simd_select(&err) == XPCS_ERR_USAGE);
        }
    unsetenv("XPCS_SIMD");
}

int main(void)
{
    test_levels();
    test_environment();
    return test_report();
}
