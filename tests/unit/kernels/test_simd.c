/* Unit test of the SIMD dispatch (kernels/simd): every level this build has
 * and this CPU runs gives bit-identical G2/IP/IF from the dense and the event
 * multitau kernels, on random data with non-integer frame scales (where a
 * fused multiply-add or another order of additions would change the last
 * bits), pushed in random pieces; the SAXS pass over integer frames gives
 * at every level the sums of a direct count (image, segments, largest
 * counts, masked frame sums) and the copies of its pack; XPCS_SIMD chooses
 * the level, and a name that is not a level is an error naming the
 * variable. */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/mtsparse.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/kernels/saxs.h"
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

/* The SAXS pass over frames of type t at the active level: NS frames of
 * SP pixels (pixel 3 of every 7 masked, a pixel's count up to 2^16 - 1 and
 * up to 2^31 in uint32 frames, so some sums pass 2^32), added in random
 * pieces with the pack's copies of two runs of pixels.  Against a direct
 * count in 64-bit integers: the image, segment and frame sums and the
 * largest counts; the copies against the frames.  Returns the doubles
 * [image, segments, largest, frame sums] for the comparison of levels. */
#define SP 5000
#define NS 700
static double *saxs_level(const void *frames, xpcs_dtype t, size_t *n_out)
{
    const size_t esz = xpcs_dtype_size(t);
    int32_t *mask = malloc(sizeof(int32_t) * SP), *smap = malloc(sizeof(int32_t) * SP);
    for (int p = 0; p < SP; p++) {
        mask[p] = p % 7 != 3;
        smap[p] = 1 + p % 4;
    }
    xpcs_saxs *s = xpcs_saxs_create(SP, NS, mask, smap, 4);
    const int nseg = xpcs_saxs_n_segments(s);
    double *fsum = malloc(sizeof(double) * NS);
    /* two runs: pixels [100, 2200) to one place, [2500, 4999) to another */
    xpcs_saxs_copy cp[2] = {{100, 2100, NULL, 2100 * esz}, {2500, 2499, NULL, 2499 * esz}};
    char *dst0 = calloc((size_t)NS * 2100, esz), *dst1 = calloc((size_t)NS * 2499, esz);
    uint64_t saved = *test_rng();
    for (int64_t f0 = 0; f0 < NS;) {
        int64_t len = 1 + (int64_t)(next_u32() % 90u);
        if (f0 + len > NS)
            len = NS - f0;
        cp[0].dst = dst0 + (size_t)f0 * cp[0].stride;
        cp[1].dst = dst1 + (size_t)f0 * cp[1].stride;
        xpcs_saxs_add_frames_copy(s, (const char *)frames + (size_t)f0 * SP * esz, t, len, f0,
                                  fsum + f0, cp, 2);
        f0 += len;
    }
    *test_rng() = saved;
    xpcs_saxs_flush(s);
    int64_t nsum = 0;
    const double *img = xpcs_saxs_image_sum(s), *seg = xpcs_saxs_segment_sum(s, &nsum);
    const double *mx = xpcs_saxs_pixel_max(s);
    /* the direct count; segments of 2^L frames, at most 16 of them */
    int64_t seg_len = 1;
    while (NS / seg_len > 16)
        seg_len *= 2;
    int ok_img = 1, ok_max = 1, ok_fs = 1, ok_seg = 1, ok_cp = 1;
    int64_t *segref = calloc((size_t)nseg * 5, sizeof(int64_t));
    for (int p = 0; p < SP; p++) {
        uint64_t sum = 0, m = 0;
        for (int f = 0; f < NS; f++) {
            const size_t i = (size_t)f * SP + (size_t)p;
            const uint64_t v = t == XPCS_DT_U8    ? ((const uint8_t *)frames)[i]
                               : t == XPCS_DT_U16 ? ((const uint16_t *)frames)[i]
                                                  : ((const uint32_t *)frames)[i];
            sum += v;
            m = v > m ? v : m;
            if (f / seg_len < nseg && mask[p])
                segref[(f / seg_len) * 5 + smap[p]] += (int64_t)v;
            const int in0 = p >= 100 && p < 2200, in1 = p >= 2500 && p < 4999;
            if (in0 || in1) {
                const char *d = in0 ? dst0 + ((size_t)f * 2100 + (size_t)(p - 100)) * esz
                                    : dst1 + ((size_t)f * 2499 + (size_t)(p - 2500)) * esz;
                ok_cp &= memcmp(d, (const char *)frames + i * esz, esz) == 0;
            }
        }
        ok_img &= img[p] == (double)sum;
        ok_max &= mx[p] == (double)m;
    }
    for (int f = 0; f < NS; f++) {
        uint64_t sum = 0;
        for (int p = 0; p < SP; p++) {
            const size_t i = (size_t)f * SP + (size_t)p;
            if (mask[p])
                sum += t == XPCS_DT_U8    ? ((const uint8_t *)frames)[i]
                       : t == XPCS_DT_U16 ? ((const uint16_t *)frames)[i]
                                          : ((const uint32_t *)frames)[i];
        }
        ok_fs &= fsum[f] == (double)sum;
    }
    for (int g = 0; g < nseg; g++)
        for (int b = 1; b <= 4; b++)
            ok_seg &= seg[(size_t)g * 5 + (size_t)b] == (double)segref[g * 5 + b];
    test_cond("SAXS pass: the image is the direct count", ok_img);
    test_cond("SAXS pass: the largest counts", ok_max);
    test_cond("SAXS pass: the masked frame sums", ok_fs);
    test_cond("SAXS pass: the segments' bin sums", ok_seg);
    test_cond("SAXS pass: the pack's copies", ok_cp);
    double *out = malloc(sizeof(double) * (2 * SP + (size_t)nsum + NS));
    memcpy(out, img, sizeof(double) * SP);
    memcpy(out + SP, mx, sizeof(double) * SP);
    memcpy(out + 2 * SP, seg, sizeof(double) * (size_t)nsum);
    memcpy(out + 2 * SP + nsum, fsum, sizeof(double) * NS);
    *n_out = 2 * SP + (size_t)nsum + NS;
    xpcs_saxs_destroy(&s);
    free(mask);
    free(smap);
    free(fsum);
    free(dst0);
    free(dst1);
    free(segref);
    return out;
}

static void test_saxs_levels(void)
{
    const xpcs_dtype types[3] = {XPCS_DT_U8, XPCS_DT_U16, XPCS_DT_U32};
    const size_t n = (size_t)NS * SP;
    for (int k = 0; k < 3; k++) {
        const xpcs_dtype t = types[k];
        void *fr = malloc(n * xpcs_dtype_size(t));
        for (size_t i = 0; i < n; i++) {
            const uint32_t u = next_u32(), big = u % 97 == 0;
            if (t == XPCS_DT_U8)
                ((uint8_t *)fr)[i] = (uint8_t)(big ? 255 : u % 4);
            else if (t == XPCS_DT_U16)
                ((uint16_t *)fr)[i] = (uint16_t)(big ? 65535 : u % 4);
            else /* sums past 2^32 in a few hundred frames */
                ((uint32_t *)fr)[i] = big ? 0x7fffffffu + u % 1000u : u % 4;
        }
        double *ref = NULL;
        for (int l = 0; l < XPCS_SIMD_NLEVELS; l++) {
            xpcs_err err;
            if (!xpcs_simd_compiled((xpcs_simd_level)l) ||
                !xpcs_simd_cpu_supports((xpcs_simd_level)l))
                continue;
            xpcs_simd_force((xpcs_simd_level)l, &err);
            for (int threads = 1; threads <= 2; threads++) {
                omp_set_num_threads(threads);
                size_t m = 0;
                double *r = saxs_level(fr, t, &m);
                if (!ref)
                    ref = r;
                else {
                    test_cond("SAXS pass: bit-identical to the generic level at 1 thread",
                              memcmp(r, ref, sizeof(double) * m) == 0);
                    free(r);
                }
            }
            printf("SAXS pass, %s counts, level %s: ran\n", xpcs_dtype_name(t),
                   xpcs_simd_level_name((xpcs_simd_level)l));
        }
        free(ref);
        free(fr);
    }
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
    test_saxs_levels();
    test_environment();
    return test_report();
}
