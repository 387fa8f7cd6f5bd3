/* g2lin: linear-lag correlator with batched FFTW real transforms.  See
 * include/xpcs/g2lin.h for the definitions and the block scheme.
 *
 * Data structure manifest:
 *   buf    [buf_frames][n_pixels] pushed elements: rows 0..hist-1 are the L
 *          frames before the current block, rows hist..hist+nnew-1 the
 *          block's frames so far; row 0 is global frame buf_t0
 *   head   [L][n_pixels] the first L frames (several blocks only)
 *   scale  [N] per-frame factor (1 without row scales)
 *   acc    [L][acc_ld] per lag tau (row tau-1) and pixel: sum of the
 *          products x(t - tau) x(t) over the blocks processed so far
 *   tot    [n_pixels] sum of all frames, in time order
 *   ws     per OpenMP thread: XPCS_G2LIN_BATCH real series of length M
 *          (y, b) and their half spectra (Y, Bc); a pixel-major tile of a
 *          super-batch of sb pixels (rows read once per sb pixels) and its
 *          block sums per lag, res [L][sb], added to acc once per super-batch
 */
#include "xpcs/kernels/g2lin.h"

#include <fftw3.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define NB XPCS_G2LIN_BATCH

typedef struct {
    double *y, *b;        /* [NB][M] */
    fftw_complex *Y, *Bc; /* [NB][M/2 + 1] */
    void *tile;           /* [sb][buf_frames] elements, pixel-major */
    double *res;          /* [L][sb] the super-batch's block sums per lag */
    void *raw[4];         /* the allocations behind them */
    double fft_seconds;
    int64_t unrounded;
} lin_ws;

struct xpcs_g2lin {
    xpcs_g2lin_geom geo;
    int64_t n_pixels, acc_ld, sb; /* sb: pixels per super-batch (NB multiple) */
    xpcs_dtype type;
    size_t esz, row_bytes;
    void *buf;
    int64_t hist, nnew, buf_t0;
    void *head;
    double *scale;
    int scaled;
    double *acc, *tot;
    int64_t pushed;
    fftw_plan fwd, bwd;
    int n_ws;
    lin_ws *ws;
    double block_wall;
    int64_t n_blocks;
    double *head_sum, *tail_sum;
    int64_t next_lag;
};

/* base + bytes, as an untyped pointer (rows of any element type) */
static inline void *at(void *base, size_t bytes)
{
    return (char *)base + bytes;
}
static inline const void *cat(const void *base, size_t bytes)
{
    return (const char *)base + bytes;
}

static int only_2357(int64_t n)
{
    static const int f[] = {2, 3, 5, 7};
    for (int i = 0; i < 4; i++)
        while (n % f[i] == 0)
            n /= f[i];
    return n == 1;
}

int64_t xpcs_fft_good_size(int64_t n)
{
    int64_t m = n < 4 ? 4 : n;
    m = (m + 3) / 4 * 4; /* a >= 2: every transform of a batch stays 32-byte aligned */
    while (!only_2357(m / 4))
        m += 4;
    return m;
}

void xpcs_g2lin_geometry(int64_t n_frames, int64_t max_lag, int blocks, xpcs_g2lin_geom *g)
{
    /* Blocks of T >= 8 L frames keep the overlap cost (L extra frames per
     * block, three transforms instead of two) small.  One block costs two
     * transforms of length M1 >= N + L for the run; blocks cost three of
     * length M per T frames: blocks = 0 takes the cheaper (M log M model). */
    int64_t t0 = 8 * max_lag > 8192 ? 8 * max_lag : 8192;
    g->n_frames = n_frames;
    g->max_lag = max_lag;
    const int64_t m = xpcs_fft_good_size(t0 + max_lag);
    const int64_t m1 = xpcs_fft_good_size(n_frames + max_lag);
    const double c1 = 2.0 * (double)m1 * log2((double)m1) / (double)n_frames;
    const double cb = 3.0 * (double)m * log2((double)m) / (double)(m - max_lag);
    if (m - max_lag >= n_frames || (blocks == 0 && c1 <= cb)) {
        g->single = 1;
        g->block = n_frames;
        g->fft_len = m1;
        g->buf_frames = n_frames;
    }
    else {
        g->single = 0;
        g->fft_len = m;
        g->block = m - max_lag;
        g->buf_frames = max_lag + g->block;
    }
}

/* at most about 8 MiB of tile and 8 MiB of lag results per thread, 16 to
 * 256 pixels */
static int64_t super_batch(const xpcs_g2lin_geom *g, int64_t n_pixels, size_t esz)
{
    int64_t a = ((int64_t)8 << 20) / (g->buf_frames * (int64_t)esz);
    int64_t b = ((int64_t)8 << 20) / (g->max_lag * (int64_t)sizeof(double));
    int64_t sb = (a < b ? a : b) / NB * NB;
    const int64_t all = (n_pixels + NB - 1) / NB * NB; /* no more than the pixels */
    sb = sb > 16 * NB ? 16 * NB : sb;
    sb = sb > all ? all : sb;
    return sb < NB ? NB : sb;
}

static double ws_bytes(int64_t m)
{
    return (double)NB *
           (2.0 * (double)m * sizeof(double) + 2.0 * (double)(m / 2 + 1) * sizeof(fftw_complex));
}

double xpcs_g2lin_bytes(const xpcs_g2lin_geom *g, int64_t n_pixels, size_t elem_size, int threads)
{
    const double px = (double)((n_pixels + 7) / 8 * 8);
    double b = 0;
    b += (double)g->buf_frames * (double)n_pixels * (double)elem_size; /* frames kept */
    b += g->single ? 0.0 : (double)g->max_lag * (double)n_pixels * (double)elem_size; /* head */
    b += (double)g->max_lag * px * sizeof(double); /* accumulators */
    b += 3.0 * px * sizeof(double);                /* tot, head/tail sums */
    b += (double)g->n_frames * sizeof(double);     /* scales */
    b += (double)(threads > 0 ? threads : 1) *
         (ws_bytes(g->fft_len) + (double)super_batch(g, n_pixels, elem_size) *
                                     ((double)g->buf_frames * (double)elem_size +
                                      (double)g->max_lag * sizeof(double))); /* FFT, tile, R */
    return b;
}

static void free_ws(xpcs_g2lin *g)
{
    for (int i = 0; g->ws && i < g->n_ws; i++) {
        for (int k = 0; k < 4; k++)
            free(g->ws[i].raw[k]);
        free(g->ws[i].tile);
        free(g->ws[i].res);
    }
    free(g->ws);
    g->ws = NULL;
}

void xpcs_g2lin_destroy(xpcs_g2lin **gp)
{
    if (!gp || !*gp)
        return;
    xpcs_g2lin *g = *gp;
    if (g->fwd)
        fftw_destroy_plan(g->fwd);
    if (g->bwd)
        fftw_destroy_plan(g->bwd);
    free_ws(g);
    free(g->buf);
    free(g->head);
    free(g->scale);
    free(g->acc);
    free(g->tot);
    free(g->head_sum);
    free(g->tail_sum);
    free(g);
    *gp = NULL;
}

/* 64-byte aligned block: every work array has the same alignment as the
 * ones the plans were made on (required by the new-array execute calls). */
static void *alloc64(size_t bytes, void **raw)
{
    *raw = xpcs_malloc(bytes + 64);
    return (void *)(((uintptr_t)*raw + 63) & ~(uintptr_t)63);
}

xpcs_status xpcs_g2lin_create(const xpcs_g2lin_geom *geo, int64_t n_pixels, xpcs_dtype type,
                              int planning, xpcs_g2lin **out, xpcs_err *err)
{
    const int64_t N = geo->n_frames, L = geo->max_lag, M = geo->fft_len;
    if (N < 2 || L < 1 || L >= N || M < geo->block + L || (!geo->single && geo->block < L) ||
        M > INT32_MAX / 2 || n_pixels < 0 || xpcs_dtype_size(type) == 0)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "g2lin: bad geometry N=%lld L=%lld T=%lld M=%lld",
                         (long long)N, (long long)L, (long long)geo->block, (long long)M);
    xpcs_g2lin *g = xpcs_calloc(1, sizeof *g);
    g->geo = *geo;
    g->n_pixels = n_pixels;
    g->acc_ld = (n_pixels + 7) / 8 * 8;
    g->sb = super_batch(geo, n_pixels, xpcs_dtype_size(type));
    g->type = type;
    g->esz = xpcs_dtype_size(type);
    g->row_bytes = (size_t)n_pixels * g->esz;
    g->buf = xpcs_malloc((size_t)geo->buf_frames * g->row_bytes + 1);
    if (!geo->single)
        g->head = xpcs_malloc((size_t)L * g->row_bytes + 1);
    g->scale = xpcs_malloc(sizeof(double) * (size_t)N);
    g->acc = xpcs_calloc((size_t)L * (size_t)g->acc_ld + 1, sizeof(double));
    g->tot = xpcs_calloc((size_t)g->acc_ld + 1, sizeof(double));
    g->head_sum = xpcs_calloc((size_t)g->acc_ld + 1, sizeof(double));
    g->tail_sum = xpcs_calloc((size_t)g->acc_ld + 1, sizeof(double));
    g->n_ws = omp_get_max_threads();
    g->ws = xpcs_calloc((size_t)g->n_ws, sizeof(lin_ws));
    const size_t nr = (size_t)NB * (size_t)M, nc = (size_t)NB * (size_t)(M / 2 + 1);
    for (int i = 0; i < g->n_ws; i++) {
        lin_ws *w = &g->ws[i];
        w->y = alloc64(sizeof(double) * nr, &w->raw[0]);
        w->b = alloc64(sizeof(double) * nr, &w->raw[1]);
        w->Y = alloc64(sizeof(fftw_complex) * nc, &w->raw[2]);
        w->Bc = alloc64(sizeof(fftw_complex) * nc, &w->raw[3]);
        w->tile = xpcs_malloc((size_t)g->sb * (size_t)geo->buf_frames * g->esz);
        w->res = xpcs_malloc(sizeof(double) * (size_t)g->sb * (size_t)L);
    }
    unsigned flags = planning == 0   ? FFTW_ESTIMATE
                     : planning == 1 ? FFTW_MEASURE
                                     : FFTW_MEASURE | FFTW_WISDOM_ONLY;
    int n = (int)M, nh = (int)(M / 2 + 1);
    /* batch: NB transforms, series b at y + b*M, spectrum b at Y + b*(M/2+1) */
    g->fwd =
        fftw_plan_many_dft_r2c(1, &n, NB, g->ws[0].y, NULL, 1, n, g->ws[0].Y, NULL, 1, nh, flags);
    g->bwd =
        fftw_plan_many_dft_c2r(1, &n, NB, g->ws[0].Y, NULL, 1, nh, g->ws[0].y, NULL, 1, n, flags);
    if (!g->fwd || !g->bwd) {
        xpcs_g2lin_destroy(&g);
        return xpcs_fail(err, XPCS_ERR_INTERNAL,
                         "FFTW: no plan for %d real transforms of length %lld%s", NB, (long long)M,
                         planning == 2 ? " in the wisdom broadcast by rank 0" : "");
    }
    *out = g;
    return XPCS_OK;
}

/* Super-batch of n <= sb pixels from p0: the frame-major rows 0..F-1 of the
 * buffer copied into the thread's pixel-major tile [n][F] (one pass over the
 * rows for sb pixels instead of one per batch of NB), in 32 x 32 blocks that
 * stay in L1.  On the way the new frames hist..F-1 join each pixel's total,
 * in time order per pixel (blocks of frames in order) and with the multitau
 * kernel's operations (x = count, or count * scale when frames are scaled). */
#define TBLK 32
#define TILE(T)                                                                                    \
    do {                                                                                           \
        const T *base = (const T *)g->buf + p0;                                                    \
        T *dst = (T *)w->tile;                                                                     \
        double *tot = g->tot + p0;                                                                 \
        for (int64_t t0 = 0; t0 < F; t0 += TBLK) {                                                 \
            const int64_t t1 = t0 + TBLK < F ? t0 + TBLK : F;                                      \
            for (int64_t j0 = 0; j0 < n; j0 += TBLK) {                                             \
                const int64_t j1 = j0 + TBLK < n ? j0 + TBLK : n;                                  \
                for (int64_t t = t0; t < t1; t++) {                                                \
                    const T *row = base + (size_t)t * (size_t)g->n_pixels;                         \
                    if (t + TBLK < F) /* the same pixels' next block of rows */                    \
                        __builtin_prefetch(row + (size_t)TBLK * (size_t)g->n_pixels + j0);         \
                    for (int64_t j = j0; j < j1; j++)                                              \
                        dst[(size_t)j * (size_t)F + (size_t)t] = row[j];                           \
                    if (t < g->hist)                                                               \
                        continue;                                                                  \
                    if (g->scaled)                                                                 \
                        for (int64_t j = j0; j < j1; j++)                                          \
                            tot[j] += (double)row[j] * sc[t];                                      \
                    else                                                                           \
                        for (int64_t j = j0; j < j1; j++)                                          \
                            tot[j] += (double)row[j];                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static void tile_gather(xpcs_g2lin *g, lin_ws *w, int64_t p0, int64_t n, int64_t F)
{
    const double *sc = g->scale + g->buf_t0;
    switch (g->type) {
    case XPCS_DT_U8:
        TILE(uint8_t);
        break;
    case XPCS_DT_U16:
        TILE(uint16_t);
        break;
    case XPCS_DT_U32:
        TILE(uint32_t);
        break;
    default:
        TILE(double);
        break;
    }
}

/* y[b*M + t] = tile[j0 + b][t] * scale(t), t < F; zero up to M. */
#define GATHER(T)                                                                                  \
    do {                                                                                           \
        const T *src = (const T *)w->tile + (size_t)j0 * (size_t)F;                                \
        for (int b = 0; b < nb; b++) {                                                             \
            double *yb = w->y + (size_t)b * (size_t)M;                                             \
            const T *sb = src + (size_t)b * (size_t)F;                                             \
            for (int64_t t = 0; t < F; t++)                                                        \
                yb[t] = (double)sb[t] * sc[t];                                                     \
        }                                                                                          \
    } while (0)

static void gather(const xpcs_g2lin *g, lin_ws *w, int64_t j0, int nb, int64_t F)
{
    const int64_t M = g->geo.fft_len;
    const double *sc = g->scale + g->buf_t0;
    switch (g->type) {
    case XPCS_DT_U8:
        GATHER(uint8_t);
        break;
    case XPCS_DT_U16:
        GATHER(uint16_t);
        break;
    case XPCS_DT_U32:
        GATHER(uint32_t);
        break;
    default:
        GATHER(double);
        break;
    }
    for (int b = 0; b < NB; b++) {
        int64_t from = b < nb ? F : 0;
        memset(w->y + (size_t)b * (size_t)M + from, 0, sizeof(double) * (size_t)(M - from));
    }
}

static void norms(const double *v, int64_t n, double *l1, double *l2)
{
    double a = 0, q = 0;
    for (int64_t t = 0; t < n; t++) {
        a += fabs(v[t]);
        q += v[t] * v[t];
    }
    *l1 = a;
    *l2 = sqrt(q);
}

/* One batch of nb pixels (tile rows j0..) through one block. */
static void batch_block(xpcs_g2lin *g, lin_ws *w, int64_t j0, int nb)
{
    const int64_t M = g->geo.fft_len, L = g->geo.max_lag, hist = g->hist, nnew = g->nnew;
    const int64_t F = hist + nnew, nh = M / 2 + 1;
    const int autoc = hist == 0;
    gather(g, w, j0, nb, F);
    int exact[NB];
    /* error bound of the block sums (see g2lin.h); counts are integers
     * unless a row scale was applied */
    const double kappa = 16.0 * DBL_EPSILON * 0.5 * log2((double)M);
    for (int b = 0; b < nb; b++) {
        const double *yb = w->y + (size_t)b * (size_t)M;
        double l1y, l2y, l1b, l2b;
        norms(yb, F, &l1y, &l2y);
        if (autoc) {
            l1b = l1y;
            l2b = l2y;
        }
        else
            norms(yb + hist, nnew, &l1b, &l2b);
        exact[b] = !g->scaled && kappa * (l1b * l2y + l1y * l2b) < 0.25;
        if (!exact[b])
            w->unrounded++;
    }
    double t0 = omp_get_wtime();
    fftw_execute_dft_r2c(g->fwd, w->y, w->Y);
    if (!autoc) {
        for (int b = 0; b < NB; b++) {
            double *bb = w->b + (size_t)b * (size_t)M;
            if (b < nb)
                memcpy(bb, w->y + (size_t)b * (size_t)M + hist, sizeof(double) * (size_t)nnew);
            memset(bb + (b < nb ? nnew : 0), 0, sizeof(double) * (size_t)(M - (b < nb ? nnew : 0)));
        }
        fftw_execute_dft_r2c(g->fwd, w->b, w->Bc);
    }
    w->fft_seconds += omp_get_wtime() - t0;
    /* spectrum of the correlation: |X|^2, or conj(B) Y */
    for (int b = 0; b < nb; b++) {
        fftw_complex *Y = w->Y + (size_t)b * (size_t)nh;
        if (autoc) {
            for (int64_t k = 0; k < nh; k++) {
                Y[k][0] = Y[k][0] * Y[k][0] + Y[k][1] * Y[k][1];
                Y[k][1] = 0.0;
            }
        }
        else {
            fftw_complex *Bc = w->Bc + (size_t)b * (size_t)nh;
            for (int64_t k = 0; k < nh; k++) {
                double yr = Y[k][0], yi = Y[k][1], br = Bc[k][0], bi = Bc[k][1];
                Y[k][0] = br * yr + bi * yi;
                Y[k][1] = br * yi - bi * yr;
            }
        }
    }
    t0 = omp_get_wtime();
    fftw_execute_dft_c2r(g->bwd, w->Y, w->y); /* unnormalized: M times the correlation */
    w->fft_seconds += omp_get_wtime() - t0;
    /* lag tau of pixel j0 + b into the super-batch's R[tau - 1][j0 + b], in
     * blocks of TBLK lags (the rows of R written stay in L1) */
    const double inv_m = 1.0 / (double)M;
    const int64_t sb = g->sb;
    for (int64_t t0 = 1; t0 <= L; t0 += TBLK) {
        const int64_t t1 = t0 + TBLK <= L + 1 ? t0 + TBLK : L + 1;
        for (int b = 0; b < nb; b++) {
            /* autocorrelation: lag tau at tau; cross: at hist - tau */
            const double *yb = w->y + (size_t)b * (size_t)M;
            const int64_t at = autoc ? 0 : hist, sg = autoc ? 1 : -1;
            double *r = w->res + j0 + b;
            if (exact[b])
                for (int64_t tau = t0; tau < t1; tau++)
                    r[(size_t)(tau - 1) * (size_t)sb] = nearbyint(yb[at + sg * tau] * inv_m);
            else
                for (int64_t tau = t0; tau < t1; tau++)
                    r[(size_t)(tau - 1) * (size_t)sb] = fmax(yb[at + sg * tau] * inv_m, 0.0);
        }
    }
}

/* acc[tau][p0 .. p0+n) += R[tau][0 .. n): one pass over the lag rows per
 * super-batch */
static void add_results(xpcs_g2lin *g, const lin_ws *w, int64_t p0, int64_t n)
{
    for (int64_t tau = 0; tau < g->geo.max_lag; tau++) {
        double *arow = g->acc + (size_t)tau * (size_t)g->acc_ld + p0;
        const double *r = w->res + (size_t)tau * (size_t)g->sb;
        for (int64_t j = 0; j < n; j++)
            arow[j] += r[j];
    }
}

static void process_block(xpcs_g2lin *g)
{
    double t0 = omp_get_wtime();
#pragma omp parallel
    {
        lin_ws *w = &g->ws[omp_get_thread_num() % g->n_ws];
        const int64_t F = g->hist + g->nnew;
#pragma omp for schedule(dynamic, 1)
        for (int64_t si = 0; si < (g->n_pixels + g->sb - 1) / g->sb; si++) {
            int64_t p0 = si * g->sb;
            int64_t n = g->n_pixels - p0 < g->sb ? g->n_pixels - p0 : g->sb;
            tile_gather(g, w, p0, n, F);
            /* batches stay aligned to NB pixels of the rank's list */
            for (int64_t j0 = 0; j0 < n; j0 += NB)
                batch_block(g, w, j0, (int)(n - j0 < NB ? n - j0 : NB));
            add_results(g, w, p0, n);
        }
    }
    g->block_wall += omp_get_wtime() - t0;
    g->n_blocks++;
}

/* Keep the last L frames as the next block's history. */
static void shift(xpcs_g2lin *g)
{
    const int64_t L = g->geo.max_lag, F = g->hist + g->nnew;
    memmove(g->buf, at(g->buf, (size_t)(F - L) * g->row_bytes), (size_t)L * g->row_bytes);
    g->buf_t0 += F - L;
    g->hist = L;
    g->nnew = 0;
}

void xpcs_g2lin_push(xpcs_g2lin *g, const void *rows, int64_t n_rows, int64_t ld,
                     const double *row_scale)
{
    const int64_t N = g->geo.n_frames, L = g->geo.max_lag;
    int64_t r = 0;
    if (row_scale)
        g->scaled = 1;
    while (r < n_rows && g->pushed < N) {
        int64_t k = n_rows - r;
        if (k > g->geo.block - g->nnew)
            k = g->geo.block - g->nnew;
        if (k > N - g->pushed)
            k = N - g->pushed;
        for (int64_t i = 0; i < k; i++) {
            const void *row = cat(rows, (size_t)(r + i) * (size_t)ld * g->esz);
            int64_t t = g->pushed + i;
            memcpy(at(g->buf, (size_t)(g->hist + g->nnew + i) * g->row_bytes), row, g->row_bytes);
            if (g->head && t < L)
                memcpy(at(g->head, (size_t)t * g->row_bytes), row, g->row_bytes);
            g->scale[t] = row_scale ? row_scale[r + i] : 1.0;
        }
        g->nnew += k;
        g->pushed += k;
        r += k;
        if (g->nnew == g->geo.block || g->pushed == N) {
            process_block(g);
            if (g->pushed < N)
                shift(g);
        }
    }
}

static inline double elem(const xpcs_g2lin *g, const void *row, int64_t p)
{
    switch (g->type) {
    case XPCS_DT_U8:
        return (double)((const uint8_t *)row)[p];
    case XPCS_DT_U16:
        return (double)((const uint16_t *)row)[p];
    case XPCS_DT_U32:
        return (double)((const uint32_t *)row)[p];
    default:
        return ((const double *)row)[p];
    }
}

xpcs_status xpcs_g2lin_result(xpcs_g2lin *g, int64_t tau, double *G2, double *IP, double *IF,
                              xpcs_err *err)
{
    const int64_t N = g->geo.n_frames, L = g->geo.max_lag;
    if (g->pushed != N)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "g2lin: %lld of %lld frames pushed",
                         (long long)g->pushed, (long long)N);
    if (tau == 1) {
        memset(g->head_sum, 0, sizeof(double) * (size_t)g->n_pixels);
        memset(g->tail_sum, 0, sizeof(double) * (size_t)g->n_pixels);
        g->next_lag = 1;
    }
    if (tau < 1 || tau > L || tau != g->next_lag)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "g2lin: lag %lld asked out of order (next %lld)",
                         (long long)tau, (long long)g->next_lag);
    /* frame tau-1 joins the head sum, frame N-tau the tail sum */
    const void *hrow = g->head ? cat(g->head, (size_t)(tau - 1) * g->row_bytes)
                               : cat(g->buf, (size_t)(tau - 1 - g->buf_t0) * g->row_bytes);
    const void *trow = cat(g->buf, (size_t)(N - tau - g->buf_t0) * g->row_bytes);
    const double hs = g->scale[tau - 1], ts = g->scale[N - tau];
    const int scaled = g->scaled;
    const double n = (double)(N - tau);
    const double *acc = g->acc + (size_t)(tau - 1) * (size_t)g->acc_ld;
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < g->n_pixels; p++) {
        /* the same operations as the multitau kernel: x = count * scale
         * only when scaled, running sums from 0 */
        double xh = elem(g, hrow, p), xt = elem(g, trow, p);
        if (scaled) {
            xh *= hs;
            xt *= ts;
        }
        g->head_sum[p] += xh;
        g->tail_sum[p] += xt;
        G2[p] = acc[p] / n;
        IP[p] = (g->tot[p] - g->head_sum[p]) / n; /* later window  t = tau..N-1 */
        IF[p] = (g->tot[p] - g->tail_sum[p]) / n; /* earlier window t = 0..N-1-tau */
    }
    g->next_lag++;
    return XPCS_OK;
}

void xpcs_g2lin_stats(const xpcs_g2lin *g, double *block_wall, double *fft_thread_seconds,
                      int64_t *n_blocks, int64_t *n_unrounded)
{
    double f = 0;
    int64_t u = 0;
    for (int i = 0; i < g->n_ws; i++) {
        f += g->ws[i].fft_seconds;
        u += g->ws[i].unrounded;
    }
    if (block_wall)
        *block_wall = g->block_wall;
    if (fft_thread_seconds)
        *fft_thread_seconds = f;
    if (n_blocks)
        *n_blocks = g->n_blocks;
    if (n_unrounded)
        *n_unrounded = u;
}

int xpcs_fftw_wisdom_import_string(const char *text)
{
    return fftw_import_wisdom_from_string(text);
}

char *xpcs_fftw_wisdom_export_string(void)
{
    char *w = fftw_export_wisdom_to_string();
    if (!w)
        return NULL;
    size_t n = strlen(w) + 1;
    char *copy = xpcs_malloc(n);
    memcpy(copy, w, n);
    fftw_free(w);
    return copy;
}

int xpcs_fftw_wisdom_import_file(const char *path)
{
    return fftw_import_wisdom_from_filename(path);
}

int xpcs_fftw_wisdom_export_file(const char *path)
{
    return fftw_export_wisdom_to_filename(path);
}
