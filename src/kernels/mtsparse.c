/* mtsparse: event-based multi-tau.  See include/xpcs/mtsparse.h for the
 * convention and src/kernels/mtsparse_impl.h for the state; the push path
 * (mtsparse_push.c) runs in the copy of the SIMD level chosen at run time
 * (simd.h). */
#include "xpcs/kernels/mtsparse.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "mtsparse_impl.h"
#include "simd_impl.h"

static int slots_for(int n_levels, int *base)
{
    int s = 0;
    for (int L = 0; L < n_levels; L++) {
        if (base)
            base[L] = s;
        s += 3 * nlag_of(L) + 1;
    }
    return s;
}

static int levels_for(int64_t n_frames)
{
    int lev[XPCS_MT_MAX_DELAYS];
    int n = xpcs_multitau_delays(n_frames, NULL, lev, NULL);
    return n ? lev[n - 1] + 1 : 1;
}

double xpcs_mtsparse_bytes_per_pixel(int64_t n_frames)
{
    return (double)slots_for(levels_for(n_frames), NULL) * sizeof(double);
}

xpcs_status xpcs_mtsparse_create(int64_t n_frames, int64_t n_pixels, xpcs_mtsparse **out,
                                 xpcs_err *err)
{
    if (n_frames < 2)
        return xpcs_fail(err, XPCS_ERR_USAGE, "multitau needs at least 2 frames, got %lld",
                         (long long)n_frames);
    if (n_frames > INT32_MAX)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "the sparse kernel handles up to 2^31-1 frames, got %lld: use "
                         "--kernel dense",
                         (long long)n_frames);
    xpcs_mtsparse *ms = xpcs_calloc(1, sizeof *ms);
    ms->n_frames = n_frames;
    ms->n_pixels = n_pixels;
    ms->n_delays = xpcs_multitau_delays(n_frames, ms->delays, ms->level, ms->lag);
    ms->n_levels = ms->level[ms->n_delays - 1] + 1;
    ms->n_slots = slots_for(ms->n_levels, ms->base);
    ms->n_tiles = (n_pixels + TW - 1) / TW;
    ms->n_blocks = (n_pixels + BP - 1) / BP;
    /* zeroed by writing, tile by tile in parallel: with calloc's lazy zero
     * pages the kernel's first read maps the shared zero page and its first
     * write then faults again to copy it, which with several threads also
     * flushes the other cores' TLBs (an IPI per page; measured: the push
     * 2.3x slower on 2 threads than on 1) */
    const int64_t tile_len = (int64_t)ms->n_slots * TW;
    ms->state = xpcs_malloc(sizeof(double) * (size_t)((ms->n_tiles ? ms->n_tiles : 1) * tile_len));
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < ms->n_tiles; t++)
        memset(ms->state + t * tile_len, 0, sizeof(double) * (size_t)tile_len);
    ms->blocks = xpcs_calloc((size_t)(ms->n_blocks ? ms->n_blocks : 1), sizeof(mts_block));
    *out = ms;
    return XPCS_OK;
}

void xpcs_mtsparse_destroy(xpcs_mtsparse **msp)
{
    if (!msp || !*msp)
        return;
    xpcs_mtsparse *ms = *msp;
    for (int64_t b = 0; b < ms->n_blocks; b++)
        free(ms->blocks[b].carry);
    free(ms->blocks);
    free(ms->state);
    free(ms);
    *msp = NULL;
}

int64_t xpcs_mtsparse_frames_pushed(const xpcs_mtsparse *ms)
{
    return ms->pushed;
}
int xpcs_mtsparse_n_delays(const xpcs_mtsparse *ms)
{
    return ms->n_delays;
}
const int64_t *xpcs_mtsparse_delay_list(const xpcs_mtsparse *ms)
{
    return ms->delays;
}
void xpcs_mtsparse_push(xpcs_mtsparse *ms, int64_t f0, int64_t n_fr, const int64_t *ptr,
                        const uint32_t *frame, const uint32_t *count, const double *frame_scale)
{
    xpcs_simd_kernels_active()->mtsparse_push(ms, f0, n_fr, ptr, frame, count, frame_scale);
}

/* Pixels [pa, pb) of tile t, delay j: to g2[0 .. pb - pa) etc. */
static void tile_result(const xpcs_mtsparse *ms, int64_t t, int j, int pa, int pb, double *g2,
                        double *ip, double *iff)
{
    const int L = ms->level[j], m = ms->lag[j];
    const int64_t nl = ms->n_frames >> L;
    const double n = (double)(nl - m);
    /* the dense kernel's divisions, operand for operand */
    const double g2_den = n * (double)((int64_t)1 << (2 * L));
    const double i_den = n * (double)((int64_t)1 << L);
    const int nlag = nlag_of(L), mi = m - m0_of(L);
    const size_t s_acc = (size_t)ms->base[L] + (size_t)mi;
    const size_t s_head = s_acc + (size_t)nlag, s_tail = s_head + (size_t)nlag;
    const size_t s_tot = (size_t)ms->base[L] + (size_t)(3 * nlag);
    const double *st = ms->state + (size_t)t * (size_t)ms->n_slots * TW;
    const double *acc = st + s_acc * TW + pa, *head = st + s_head * TW + pa;
    const double *tail = st + s_tail * TW + pa, *tot = st + s_tot * TW + pa;
    /* a slot's pixels are contiguous, so the divisions vectorize */
#pragma omp simd
    for (int i = 0; i < pb - pa; i++) {
        g2[i] = acc[i] / g2_den;
        ip[i] = (tot[i] - head[i]) / i_den;
        iff[i] = (tot[i] - tail[i]) / i_den;
    }
}

static xpcs_status result_check(const xpcs_mtsparse *ms, int j, xpcs_err *err)
{
    if (ms->pushed != ms->n_frames)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "mtsparse: %lld of %lld frames pushed",
                         (long long)ms->pushed, (long long)ms->n_frames);
    if (j < 0 || j >= ms->n_delays)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "mtsparse: no delay %d", j);
    return XPCS_OK;
}

xpcs_status xpcs_mtsparse_result_block(const xpcs_mtsparse *ms, int j, int64_t p0, int64_t p1,
                                       double *G2, double *IP, double *IF, xpcs_err *err)
{
    const xpcs_status st = result_check(ms, j, err);
    for (int64_t p = p0; p < p1 && !st;) { /* tile by tile */
        const int64_t t = p / TW;
        const int pa = (int)(p - t * TW);
        const int pb = (int)(p1 - t * TW < TW ? p1 - t * TW : TW);
        tile_result(ms, t, j, pa, pb, G2 + (p - p0), IP + (p - p0), IF + (p - p0));
        p = t * TW + pb;
    }
    return st;
}

xpcs_status xpcs_mtsparse_result(const xpcs_mtsparse *ms, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err)
{
    const xpcs_status st = result_check(ms, j, err);
    if (st)
        return st;
        /* tile by tile */
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < ms->n_tiles; t++) {
        const int64_t p0 = t * TW;
        const int w = (int)(ms->n_pixels - p0 < TW ? ms->n_pixels - p0 : TW);
        tile_result(ms, t, j, 0, w, G2 + p0, IP + p0, IF + p0);
    }
    return XPCS_OK;
}
