/* Unit tests of pipeline/pack: pixel runs of each owner, the packing of a
 * step's frames for the owners against a brute-force gather (any rank
 * count, element sizes 1, 2, 4, 8), the sums of avg raw frames, and the
 * pack fused with the SAXS pass against brute-force sums and gathers. */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/saxs.h"
#include "xpcs/pipeline/pack.h"

/* A random ascending subset of [0, npix): long runs and gaps. */
static int64_t make_pixels(int64_t npix, int64_t *pix)
{
    int64_t n = 0;
    int on = 1;
    for (int64_t p = 0; p < npix; p++) {
        if (next_u32() % 17 == 0)
            on = !on;
        if (on)
            pix[n++] = p;
    }
    return n;
}

static void test_runs_and_pack(void)
{
    const int64_t npix = 997, count = 5;
    int64_t *pix = malloc(sizeof(int64_t) * (size_t)npix);
    const int64_t n_corr = make_pixels(npix, pix);
    const size_t sizes[4] = {1, 2, 4, 8};
    int runs_ok = 1, pack_ok = 1;
    for (int R = 1; R <= 6; R++) {
        int64_t *pf = malloc(sizeof(int64_t) * (size_t)(R + 1));
        for (int r = 0; r <= R; r++)
            pf[r] = n_corr * r / R;
        xpcs_pixel_runs pr;
        xpcs_pixel_runs_build(&pr, pix, pf, R);
        /* the runs of owner d cover exactly its pixels, in order */
        for (int d = 0; d < R; d++) {
            int64_t j = pf[d];
            for (int64_t k = pr.first_run[d]; k < pr.first_run[d + 1]; k++)
                for (int64_t q = 0; q < pr.len[k]; q++)
                    runs_ok &= j < pf[d + 1] && pix[j++] == pr.start[k] + q;
            runs_ok &= j == pf[d + 1];
        }
        for (int si = 0; si < 4; si++) {
            const size_t esz = sizes[si];
            unsigned char *frames = malloc(esz * (size_t)(count * npix));
            for (size_t b = 0; b < esz * (size_t)(count * npix); b++)
                frames[b] = (unsigned char)next_u32();
            unsigned char *send = malloc(esz * (size_t)(count * n_corr) + 1);
            xpcs_pack_owners(frames, esz, count, npix, &pr, pf, R, send);
            for (int d = 0; d < R; d++) {
                const int64_t n = pf[d + 1] - pf[d];
                for (int64_t f = 0; f < count; f++)
                    for (int64_t j = 0; j < n; j++) {
                        const unsigned char *got = send + esz * (size_t)(count * pf[d] + f * n + j);
                        const unsigned char *want =
                            frames + esz * (size_t)(f * npix + pix[pf[d] + j]);
                        pack_ok &= memcmp(got, want, esz) == 0;
                    }
            }
            free(frames);
            free(send);
        }
        xpcs_pixel_runs_free(&pr);
        free(pf);
    }
    test_cond("each owner's runs cover its pixels in order (1..6 ranks)", runs_ok);
    test_cond("packing equals a brute-force gather (1..6 ranks, 1/2/4/8-byte elements)", pack_ok);
    free(pix);
}

static void test_sum_groups(void)
{
    const int64_t count = 4, avg = 3, npix = 53;
    uint16_t *raw = malloc(sizeof(uint16_t) * (size_t)(count * avg * npix));
    for (int64_t i = 0; i < count * avg * npix; i++)
        raw[i] = (uint16_t)next_u32();
    uint32_t *o32 = malloc(sizeof(uint32_t) * (size_t)(count * npix));
    double *o64 = malloc(sizeof(double) * (size_t)(count * npix));
    xpcs_sum_groups(raw, XPCS_DT_U16, o32, XPCS_DT_U32, count, avg, npix);
    xpcs_sum_groups(raw, XPCS_DT_U16, o64, XPCS_DT_F64, count, avg, npix);
    int ok = 1;
    for (int64_t f = 0; f < count; f++)
        for (int64_t p = 0; p < npix; p++) {
            uint32_t s = 0;
            for (int64_t a = 0; a < avg; a++)
                s += raw[(f * avg + a) * npix + p];
            ok &= o32[f * npix + p] == s && o64[f * npix + p] == (double)s;
        }
    test_cond("sums of avg raw frames (u16 -> u32 and f64)", ok);
    free(raw);
    free(o32);
    free(o64);
}

/* Random counts of type t (full range: the integer lanes must not overflow)
 * as frame values; doubles hold integers, as -a sums do. */
static double fill_value(void *frames, xpcs_dtype t, int64_t i)
{
    const uint32_t r = next_u32();
    switch (t) {
    case XPCS_DT_U8:
        return ((uint8_t *)frames)[i] = (uint8_t)r;
    case XPCS_DT_U16:
        return ((uint16_t *)frames)[i] = (uint16_t)r;
    case XPCS_DT_U32:
        return ((uint32_t *)frames)[i] = r;
    default:
        return ((double *)frames)[i] = (double)(r >> 8);
    }
}

/* One pass: SAXS sums, pixel maxima, frame sums, segments and the pack of
 * each owner (this rank's own to its own buffer) over pixel blocks and
 * segment boundaries, in two calls, equal to brute-force loops. */
static void test_fused_pass(void)
{
    const int64_t npix = 5003, nf = 40, cut = 23; /* 10 segments of 4 frames */
    const int n_sq = 5;
    const xpcs_dtype types[4] = {XPCS_DT_U8, XPCS_DT_U16, XPCS_DT_U32, XPCS_DT_F64};
    int32_t *mask = malloc(sizeof(int32_t) * (size_t)npix);
    int32_t *smap = malloc(sizeof(int32_t) * (size_t)npix);
    int64_t *pix = malloc(sizeof(int64_t) * (size_t)npix);
    for (int64_t q = 0; q < npix; q++) {
        mask[q] = next_u32() % 5 != 0;
        smap[q] = (int32_t)(next_u32() % (n_sq + 2)); /* 0 and n_sq + 1: in no bin */
    }
    const int64_t n_corr = make_pixels(npix, pix);
    double *vals = malloc(sizeof(double) * (size_t)(nf * npix));
    double *fsum = malloc(sizeof(double) * (size_t)nf);
    int sums_ok = 1, pack_ok = 1;
    for (int ti = 0; ti < 4; ti++)
        for (int R = 1; R <= 4; R++) {
            const xpcs_dtype t = types[ti];
            const size_t esz = xpcs_dtype_size(t);
            const int self = R / 2;
            int64_t pf[5];
            for (int r = 0; r <= R; r++)
                pf[r] = n_corr * r / R;
            xpcs_pixel_runs pr;
            xpcs_pixel_runs_build(&pr, pix, pf, R);
            xpcs_saxs_copy *cp = malloc(sizeof *cp * (size_t)(pr.n_runs + 1));
            char *frames = malloc(esz * (size_t)(nf * npix));
            for (int64_t i = 0; i < nf * npix; i++)
                vals[i] = fill_value(frames, t, i);
            xpcs_saxs *s = xpcs_saxs_create(npix, nf, mask, smap, n_sq);
            for (int call = 0; call < 2; call++) {
                const int64_t f0 = call ? cut : 0, n = call ? nf - cut : cut;
                char *send = calloc((size_t)(n * n_corr) + 1, esz);
                char *mine = calloc((size_t)(n * (pf[self + 1] - pf[self])) + 1, esz);
                int64_t n_cp = xpcs_pack_copies(&pr, pf, R, n, esz, send, self, mine, cp);
                xpcs_saxs_add_frames_copy(s, frames + esz * (size_t)(f0 * npix), t, n, f0,
                                          fsum + f0, cp, n_cp);
                for (int d = 0; d < R; d++) {
                    const int64_t nd = pf[d + 1] - pf[d];
                    for (int64_t f = 0; f < n; f++)
                        for (int64_t j = 0; j < nd; j++) {
                            const char *got = d == self
                                                  ? mine + esz * (size_t)(f * nd + j)
                                                  : send + esz * (size_t)(n * pf[d] + f * nd + j);
                            const char *want =
                                frames + esz * (size_t)((f0 + f) * npix + pix[pf[d] + j]);
                            pack_ok &= memcmp(got, want, esz) == 0;
                        }
                }
                free(send);
                free(mine);
            }
            xpcs_saxs_flush(s);
            const double *img = xpcs_saxs_image_sum(s), *pm = xpcs_saxs_pixel_max(s);
            int64_t n_segv;
            const double *seg = xpcs_saxs_segment_sum(s, &n_segv);
            double want_seg[10][6] = {{0}};
            for (int64_t f = 0; f < nf; f++) {
                double fs = 0.0;
                for (int64_t q = 0; q < npix; q++) {
                    const double v = vals[f * npix + q];
                    fs += mask[q] ? v : 0.0;
                    const int b = mask[q] && smap[q] > 0 && smap[q] <= n_sq ? smap[q] : 0;
                    want_seg[f / 4][b] += v;
                }
                sums_ok &= fsum[f] == fs;
            }
            for (int64_t q = 0; q < npix; q++) {
                double sum = 0.0, mx = 0.0;
                for (int64_t f = 0; f < nf; f++) {
                    sum += vals[f * npix + q];
                    mx = vals[f * npix + q] > mx ? vals[f * npix + q] : mx;
                }
                sums_ok &= img[q] == sum && pm[q] == mx;
            }
            sums_ok &= n_segv == 10 * (n_sq + 1);
            for (int k = 0; k < 10; k++)
                for (int b = 0; b <= n_sq; b++)
                    sums_ok &= seg[k * (n_sq + 1) + b] == want_seg[k][b];
            xpcs_saxs_destroy(&s);
            free(frames);
            free(cp);
            xpcs_pixel_runs_free(&pr);
        }
    test_cond("fused pass: SAXS, maxima, frame and segment sums exact (u8/u16/u32/f64, 2 calls)",
              sums_ok);
    test_cond("fused pass: the pack equals a gather, own block to its own buffer (1..4 ranks)",
              pack_ok);
    free(mask);
    free(smap);
    free(pix);
    free(vals);
    free(fsum);
}

int main(void)
{
    test_runs_and_pack();
    test_sum_groups();
    test_fused_pass();
    return test_report();
}
