#include "xpcs/kernels/saxs.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "saxs_impl.h"
#include "simd_impl.h"

struct xpcs_saxs {
    int64_t n_pixels, n_frames;
    int n_sq;
    int n_seg;
    int64_t seg_len;
    int32_t *smap; /* [n_pixels] static label where mask != 0, else 0 */
    double *maskd; /* [n_pixels] 1.0 / 0.0 */
    int64_t n_mask;
    int64_t *sq_npix; /* [n_sq + 1] */
    double *image;    /* [n_pixels] sum over flushed frames */
    double *open;     /* [n_pixels] sum over frames of the open segment */
    int open_seg;     /* -1: leftover tail / none */
    int has_open;
    double *seg;  /* [n_seg][n_sq + 1] */
    double *pmax; /* [n_pixels] largest count of a frame (data quality) */
    /* [n_pixels][2] events only (made at the first): the open segment's
     * integer sum and largest count of each pixel side by side, so an
     * event touches one cache line, not one of open and one of pmax (8
     * bytes a pixel: the Rigaku 500k's 4 MiB stay in L2).  The sums are
     * folded into the image and segment sums at each flush, a sum about to
     * pass 2^32 - 1 into open first (integers below 2^53 add exactly in a
     * double in any order, so the sums are those of before); the largest
     * counts, a running maximum, into pmax when it is asked for. */
    uint32_t *ev;
};

xpcs_saxs *xpcs_saxs_create(int64_t n_pixels, int64_t n_frames, const int32_t *mask,
                            const int32_t *smap, int n_sq)
{
    xpcs_saxs *s = xpcs_calloc(1, sizeof *s);
    s->n_pixels = n_pixels;
    s->n_frames = n_frames;
    s->n_sq = n_sq;
    int L = 0;
    while ((n_frames >> L) > 16)
        L++;
    s->n_seg = (int)(n_frames >> L);
    s->seg_len = (int64_t)1 << L;
    s->smap = xpcs_malloc(sizeof(int32_t) * (size_t)n_pixels);
    s->maskd = xpcs_malloc(sizeof(double) * (size_t)n_pixels);
    s->sq_npix = xpcs_calloc((size_t)n_sq + 1, sizeof(int64_t));
    for (int64_t p = 0; p < n_pixels; p++) {
        int on = mask[p] != 0;
        s->maskd[p] = on ? 1.0 : 0.0;
        s->smap[p] = on && smap[p] > 0 && smap[p] <= n_sq ? smap[p] : 0;
        s->n_mask += on;
        s->sq_npix[s->smap[p]]++;
    }
    s->image = xpcs_calloc((size_t)n_pixels, sizeof(double));
    s->open = xpcs_calloc((size_t)n_pixels, sizeof(double));
    s->seg = xpcs_calloc((size_t)s->n_seg * (size_t)(n_sq + 1), sizeof(double));
    s->pmax = xpcs_calloc((size_t)n_pixels + 1, sizeof(double));
    s->open_seg = -1;
    return s;
}

void xpcs_saxs_destroy(xpcs_saxs **sp)
{
    if (!sp || !*sp)
        return;
    xpcs_saxs *s = *sp;
    free(s->smap);
    free(s->maskd);
    free(s->sq_npix);
    free(s->image);
    free(s->open);
    free(s->seg);
    free(s->pmax);
    free(s->ev);
    free(s);
    *sp = NULL;
}

int xpcs_saxs_n_segments(const xpcs_saxs *s)
{
    return s->n_seg;
}
int64_t xpcs_saxs_n_mask(const xpcs_saxs *s)
{
    return s->n_mask;
}

void xpcs_saxs_flush(xpcs_saxs *s)
{
    if (!s->has_open)
        return;
    double *row = s->open_seg >= 0 ? s->seg + (size_t)s->open_seg * (size_t)(s->n_sq + 1) : NULL;
    if (s->ev) /* the events' sums (exact integers: open + sum is the whole sum) */
        for (int64_t p = 0; p < s->n_pixels; p++) {
            const double o = s->open[p] + (double)s->ev[2 * p];
            s->ev[2 * p] = 0;
            if (row)
                row[s->smap[p]] += o;
            s->image[p] += o;
            s->open[p] = 0.0;
        }
    else {
        if (row)
            for (int64_t p = 0; p < s->n_pixels; p++)
                row[s->smap[p]] += s->open[p];
        for (int64_t p = 0; p < s->n_pixels; p++) {
            s->image[p] += s->open[p];
            s->open[p] = 0.0;
        }
    }
    s->has_open = 0;
}

/* Frames i0..i0+cnt-1 of one segment, double frames (-a sums past the
 * integer types): per block of pixels, the sums stay in cache. */
#define ADD_RUN(TYPE)                                                                              \
    do {                                                                                           \
        const TYPE *base = (const TYPE *)frames;                                                   \
        _Pragma("omp parallel")                                                                    \
        {                                                                                          \
            double *part = xpcs_calloc((size_t)cnt, sizeof(double));                               \
            _Pragma("omp for schedule(static)") for (int64_t b = 0; b < n_blk; b++)                \
            {                                                                                      \
                int64_t p0 = b * BLK, p1 = p0 + BLK < np ? p0 + BLK : np;                          \
                for (int64_t f = 0; f < cnt; f++) {                                                \
                    const TYPE *v = base + (size_t)(i0 + f) * (size_t)np;                          \
                    double sum = 0.0;                                                              \
                    _Pragma("omp simd reduction(+ : sum)") for (int64_t p = p0; p < p1; p++)       \
                    {                                                                              \
                        double x = (double)v[p];                                                   \
                        open[p] += x;                                                              \
                        pmax[p] = x > pmax[p] ? x : pmax[p];                                       \
                        sum += x * maskd[p];                                                       \
                    }                                                                              \
                    part[f] += sum;                                                                \
                    xpcs_saxs_copy_block(cp, n_cp, p0, p1, v, sizeof(TYPE), i0 + f);               \
                }                                                                                  \
            }                                                                                      \
            _Pragma("omp critical") for (int64_t f = 0; f < cnt; f++) fsum[f] += part[f];          \
            free(part);                                                                            \
        }                                                                                          \
    } while (0)

void xpcs_saxs_add_frames(xpcs_saxs *s, const void *frames, xpcs_dtype t, int64_t n, int64_t first,
                          double *frame_sum)
{
    xpcs_saxs_add_frames_copy(s, frames, t, n, first, frame_sum, NULL, 0);
}

void xpcs_saxs_add_frames_copy(xpcs_saxs *s, const void *frames, xpcs_dtype t, int64_t n,
                               int64_t first, double *frame_sum, const xpcs_saxs_copy *cp,
                               int64_t n_cp)
{
    const int64_t np = s->n_pixels;
    const int64_t BLK = 4096; /* pixels per thread block: the sums stay in L1/L2 */
    const int64_t n_blk = (np + BLK - 1) / BLK;
    double *open = s->open, *pmax = s->pmax;
    const double *maskd = s->maskd;
    int64_t i0 = 0;
    while (i0 < n) {
        /* a run of frames in the same segment */
        int64_t g = first + i0;
        int seg = (int)(g / s->seg_len);
        if (seg >= s->n_seg)
            seg = -1;
        int64_t end = seg >= 0 ? (int64_t)(seg + 1) * s->seg_len : s->n_frames;
        int64_t cnt = end - g < n - i0 ? end - g : n - i0;
        if (s->has_open && s->open_seg != seg)
            xpcs_saxs_flush(s);
        s->open_seg = seg;
        s->has_open = 1;
        double *fsum = frame_sum + i0;
        for (int64_t f = 0; f < cnt; f++)
            fsum[f] = 0.0;
        if (t == XPCS_DT_U8 || t == XPCS_DT_U16 || t == XPCS_DT_U32)
            /* integer sums: exact, so every SIMD level gives the same sums */
            xpcs_simd_kernels_active()->saxs_int_frames(frames, t, np, i0, cnt, maskd, open, pmax,
                                                        fsum, cp, n_cp);
        else
            ADD_RUN(double);
        i0 += cnt;
    }
}

void xpcs_saxs_add_events(xpcs_saxs *s, int64_t first, int64_t n, const int64_t *ptr,
                          const uint32_t *pixel, const uint32_t *count, double *frame_sum)
{
    if (!s->ev)
        s->ev = xpcs_calloc((size_t)s->n_pixels, 2 * sizeof(uint32_t));
    uint32_t *ev = s->ev;
    double *open = s->open;
    const double *maskd = s->maskd;
    for (int64_t i = 0; i < n; i++) {
        int64_t g = first + i;
        int seg = (int)(g / s->seg_len);
        if (seg >= s->n_seg)
            seg = -1;
        if (s->has_open && s->open_seg != seg)
            xpcs_saxs_flush(s);
        s->open_seg = seg;
        s->has_open = 1;
        /* a pixel's sum and its largest count of one event (not a pixel's
         * sum: an event is one frame's count) */
        for (int64_t e = ptr[i]; e < ptr[i + 1]; e++) {
            uint32_t *a = ev + 2 * (size_t)pixel[e];
            const uint32_t c = count[e];
            uint32_t sum = a[0] + c;
            if (sum < a[0]) { /* would pass 2^32 - 1: the sum so far into open */
                open[pixel[e]] += (double)a[0];
                sum = c;
            }
            a[0] = sum;
            a[1] = c > a[1] ? c : a[1];
        }
        if (!frame_sum)
            continue;
        double sum = 0.0;
        for (int64_t e = ptr[i]; e < ptr[i + 1]; e++)
            sum += (double)count[e] * maskd[pixel[e]];
        frame_sum[i] = sum;
    }
}

double *xpcs_saxs_pixel_max(xpcs_saxs *s)
{
    /* the events' largest counts so far */
    if (s->ev)
        for (int64_t p = 0; p < s->n_pixels; p++) {
            uint32_t *a = s->ev + 2 * p;
            s->pmax[p] = (double)a[1] > s->pmax[p] ? (double)a[1] : s->pmax[p];
            a[1] = 0;
        }
    return s->pmax;
}

double *xpcs_saxs_image_sum(xpcs_saxs *s)
{
    return s->image;
}

double *xpcs_saxs_segment_sum(xpcs_saxs *s, int64_t *count)
{
    *count = (int64_t)s->n_seg * (s->n_sq + 1);
    return s->seg;
}

void xpcs_saxs_frame_scale(const xpcs_saxs *s, const double *frame_sum, int64_t n, double *scale)
{
    for (int64_t f = 0; f < n; f++)
        scale[f] = frame_sum[f] > 0 ? (double)s->n_mask / frame_sum[f] : 1.0;
}

void xpcs_saxs_intensity(const xpcs_saxs *s, const double *frame_sum, int64_t n, int64_t avg,
                         double *out)
{
    const double n_mask = (double)s->n_mask;
    for (int64_t k = 0; k < n; k++)
        out[k] = n_mask > 0 ? frame_sum[k] / (n_mask * (double)avg) : 0.0;
}

void xpcs_saxs_finish(const xpcs_saxs *s, int64_t avg, double *scattering_2d, int *sq_ids,
                      int *n_out, double *scattering_1d, double *segments)
{
    const double per_frame = 1.0 / ((double)s->n_frames * (double)avg);
    double *bin = xpcs_calloc((size_t)s->n_sq + 1, sizeof(double));
    for (int64_t p = 0; p < s->n_pixels; p++) {
        scattering_2d[p] = s->image[p] * per_frame * s->maskd[p];
        bin[s->smap[p]] += scattering_2d[p];
    }
    int n = 0;
    for (int q = 1; q <= s->n_sq; q++) {
        if (s->sq_npix[q] == 0)
            continue;
        sq_ids[n] = q;
        scattering_1d[n] = bin[q] / (double)s->sq_npix[q];
        n++;
    }
    *n_out = n;
    const double per_seg = 1.0 / ((double)s->seg_len * (double)avg);
    for (int k = 0; k < s->n_seg; k++) {
        const double *row = s->seg + (size_t)k * (size_t)(s->n_sq + 1);
        for (int i = 0; i < n; i++)
            segments[(size_t)k * (size_t)n + (size_t)i] =
                row[sq_ids[i]] * per_seg / (double)s->sq_npix[sq_ids[i]];
    }
    free(bin);
}
