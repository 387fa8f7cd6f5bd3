/* Unit tests of pipeline/pack: pixel runs of each owner, the packing of a
 * step's frames for the owners against a brute-force gather (any rank
 * count, element sizes 1, 2, 4, 8), and the sums of avg raw frames. */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
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

int main(void)
{
    test_runs_and_pack();
    test_sum_groups();
    return test_report();
}
