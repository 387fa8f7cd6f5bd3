/* twotime: the dense (CBLAS cblas_dgemm tiles, one thread each: blas.h) and the
 * event kernels of the two-time map, smoothing and normalization after the
 * exact products, diagonal means.  See include/xpcs/twotime.h. */
#include "xpcs/kernels/twotime.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/kernels/blas.h"
#include "xpcs_cblas.h" /* the build's CBLAS header (cmake/XpcsDependencies.cmake) */

int xpcs_smooth_from_name(const char *name)
{
    if (strcmp(name, "sqmap") == 0)
        return XPCS_SMOOTH_SQMAP;
    if (strcmp(name, "dqmap") == 0)
        return XPCS_SMOOTH_DQMAP;
    if (strcmp(name, "none") == 0)
        return XPCS_SMOOTH_NONE;
    return -1;
}

#define LOAD(T)                                                                                    \
    do {                                                                                           \
        _Pragma("omp parallel for schedule(static)") for (int64_t t = 0; t < n_frames; t++)        \
        {                                                                                          \
            const T *src = (const T *)store + (size_t)t * (size_t)ld + col0;                       \
            double *dst = X + (size_t)t * (size_t)n_pix;                                           \
            for (int64_t k = 0; k < n_pix; k++)                                                    \
                dst[k] = (double)src[k];                                                           \
        }                                                                                          \
    } while (0)

void xpcs_twotime_load(const void *store, xpcs_dtype type, int64_t ld, int64_t col0,
                       int64_t n_frames, int64_t n_pix, double *X)
{
    switch (type) {
    case XPCS_DT_U8:
        LOAD(uint8_t);
        break;
    case XPCS_DT_U16:
        LOAD(uint16_t);
        break;
    case XPCS_DT_U32:
        LOAD(uint32_t);
        break;
    default:
        LOAD(double);
        break;
    }
}

/* Tile of the dense kernel: TT_TILE x TT_TILE frames; a thread's dgemm
 * result and the C tile it updates stay in L2 across the groups. */
#define TT_TILE 256

/* T_g(t) (given), m_g(t) and S(t) of the header's formulas. */
static void factors(const double *T, const int64_t *gstart, int G, int64_t N, xpcs_smooth smooth,
                    double *m, double *S)
{
    for (int64_t t = 0; t < N; t++)
        S[t] = 0;
    for (int g = 0; g < G; g++) {
        const double ng = (double)(gstart[g + 1] - gstart[g]);
        const double *Tg = T + (size_t)g * (size_t)N;
        double *mg = m + (size_t)g * (size_t)N;
        for (int64_t t = 0; t < N; t++) {
            /* group mean at frame t (photons per pixel); an empty group
             * keeps its values (boost: mean <= 0 -> 1) */
            double mean = smooth == XPCS_SMOOTH_NONE || ng <= 0 ? 1.0 : Tg[t] / ng;
            mg[t] = mean > 0 ? mean : 1.0;
            S[t] += Tg[t] / mg[t];
        }
    }
    for (int64_t t = 0; t < N; t++)
        if (!(S[t] > 0))
            S[t] = 1.0; /* zero frame sums guarded (boost: S <= 0 -> 1) */
}

/* C(i, j) = A(i, j) n / (S(i) S(j)) for j in [j0, j1). */
static inline void finish_row(double *row, int64_t i, int64_t j0, int64_t j1, double n,
                              const double *S)
{
    const double si = S[i];
    for (int64_t j = j0; j < j1; j++)
        row[j] = row[j] * n / (si * S[j]);
}

double xpcs_twotime_dense_bytes(int64_t n_frames, int n_groups)
{
    /* sums, means, frame sums; a dgemm tile per thread */
    return 8.0 * (double)n_frames * (2.0 * n_groups + 1.0) +
           8.0 * TT_TILE * TT_TILE * (double)omp_get_max_threads();
}

/* The largest diagonal value C(i, i) of the map, from the exact G_g(i, i)
 * (G2ii [n_groups][N]) and the factors: every C(i, j) is at most
 * max(C(i, i), C(j, j)) (Cauchy-Schwarz over the pixels), which bounds the
 * map for the exact diagonal sums. */
static double diag_max(const double *G2ii, const double *m, const double *S, int64_t N, int64_t G,
                       double n)
{
    double mx = 0;
    for (int64_t t = 0; t < N; t++) {
        double a = 0;
        for (int64_t g = 0; g < G; g++) {
            const double mg = m[(size_t)g * (size_t)N + (size_t)t];
            a += G2ii[(size_t)g * (size_t)N + (size_t)t] / (mg * mg);
        }
        const double c = a * n / (S[t] * S[t]);
        mx = c > mx ? c : mx;
    }
    return mx;
}

/* One dgemm tile (rows [i0, i0 + M), columns [j0, j0 + W)) of the map:
 * the group products, smoothed and summed in group order, normalized. */
static void dense_tile(const double *X, int64_t ld, int64_t N, int64_t n_pix, const int64_t *gstart,
                       int64_t G, const double *m, const double *S, int64_t r0, int64_t i0,
                       int64_t M, int64_t j0, int64_t W, double *const *row, double *tmp,
                       double *blas)
{
    for (int64_t r = 0; r < M; r++) {
        const int64_t i = i0 + r, a = i > j0 ? i : j0;
        if (a < j0 + W)
            memset(row[i - r0] + a, 0, sizeof(double) * (size_t)(j0 + W - a));
    }
    for (int64_t g = 0; g < G; g++) {
        const int64_t c0 = gstart[g], K = gstart[g + 1] - c0;
        if (K <= 0)
            continue;
        /* tmp[r][s] = G_g(i0 + r, j0 + s) (exact: integer sums); on this
         * thread (xpcs_blas_setup) */
        double t0 = omp_get_wtime();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)W, (int)K, 1.0,
                    X + (size_t)i0 * (size_t)ld + (size_t)c0, (int)ld,
                    X + (size_t)j0 * (size_t)ld + (size_t)c0, (int)ld, 0.0, tmp, (int)W);
        *blas += omp_get_wtime() - t0;
        const double *mg = m + (size_t)g * (size_t)N;
        for (int64_t r = 0; r < M; r++) {
            const int64_t i = i0 + r, a = i > j0 ? i : j0;
            double *ri = row[i - r0];
            const double *src = tmp + (size_t)r * (size_t)W - (size_t)j0;
            const double mi = mg[i];
            for (int64_t j = a; j < j0 + W; j++)
                ri[j] += src[j] / (mi * mg[j]);
        }
    }
    for (int64_t r = 0; r < M; r++) {
        const int64_t i = i0 + r, a = i > j0 ? i : j0;
        finish_row(row[i - r0], i, a, j0 + W, (double)n_pix, S);
    }
}

void xpcs_twotime_dense_rows(const double *X, int64_t n_frames, int64_t n_pix,
                             const int64_t *gstart, int n_groups, xpcs_smooth smooth, int64_t r0,
                             int64_t r1, double *const *row, double *blas_seconds, double *cmax)
{
    const int64_t N = n_frames, G = n_groups, ld = n_pix > 0 ? n_pix : 1;
    double *T = xpcs_calloc((size_t)(G * N) + 1, sizeof(double));
    double *G2ii = xpcs_calloc((size_t)(G * N) + 1, sizeof(double));
    double *m = xpcs_malloc(sizeof(double) * (size_t)(G * N + 1));
    double *S = xpcs_malloc(sizeof(double) * (size_t)(N + 1));
    /* T_g(t) and G_g(t, t): exact integer sums */
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < N; t++) {
        const double *x = X + (size_t)t * (size_t)n_pix;
        for (int64_t g = 0; g < G; g++) {
            double s = 0, q = 0;
            for (int64_t k = gstart[g]; k < gstart[g + 1]; k++) {
                s += x[k];
                q += x[k] * x[k];
            }
            T[g * N + t] = s;
            G2ii[g * N + t] = q;
        }
    }
    factors(T, gstart, (int)G, N, smooth, m, S);
    if (cmax)
        *cmax = diag_max(G2ii, m, S, N, G, (double)n_pix);
    /* tiles (bi, bj) of rows [r0, r1): row blocks from r0, column blocks
     * from the row block's first row (j >= i); any tiling gives the same
     * bits (exact products, then the same operations per element) */
    const int64_t nr = r1 > r0 ? r1 - r0 : 0, nbi = (nr + TT_TILE - 1) / TT_TILE;
    int64_t *first = xpcs_malloc(sizeof(int64_t) * (size_t)(nbi + 1)); /* tiles before row block */
    first[0] = 0;
    for (int64_t bi = 0; bi < nbi; bi++)
        first[bi + 1] = first[bi] + (N - (r0 + bi * TT_TILE) + TT_TILE - 1) / TT_TILE;
    const int64_t n_tiles = first[nbi];
    double blas = 0;
    int n_threads = 1;
    xpcs_blas_setup(); /* a BLAS with threads of its own runs on one */
#pragma omp parallel reduction(+ : blas)
    {
#pragma omp single
        n_threads = omp_get_num_threads();
        double *tmp = xpcs_malloc(sizeof(double) * TT_TILE * TT_TILE);
#pragma omp for schedule(dynamic, 1)
        for (int64_t tile = 0; tile < n_tiles; tile++) {
            int64_t bi = 0;
            while (tile >= first[bi + 1])
                bi++;
            const int64_t i0 = r0 + bi * TT_TILE, j0 = i0 + (tile - first[bi]) * TT_TILE;
            const int64_t M = r1 - i0 < TT_TILE ? r1 - i0 : TT_TILE;
            const int64_t W = N - j0 < TT_TILE ? N - j0 : TT_TILE;
            dense_tile(X, ld, N, n_pix, gstart, G, m, S, r0, i0, M, j0, W, row, tmp, &blas);
        }
        free(tmp);
    }
    if (blas_seconds) /* per thread */
        *blas_seconds = blas / n_threads;
    free(first);
    free(T);
    free(G2ii);
    free(m);
    free(S);
}

void xpcs_twotime_dense(const double *X, int64_t n_frames, int64_t n_pix, const int64_t *gstart,
                        int n_groups, xpcs_smooth smooth, double *C, double *blas_seconds)
{
    double **row = xpcs_malloc(sizeof(double *) * (size_t)(n_frames + 1));
    for (int64_t i = 0; i < n_frames; i++)
        row[i] = C + (size_t)i * (size_t)n_frames;
    xpcs_twotime_dense_rows(X, n_frames, n_pix, gstart, n_groups, smooth, 0, n_frames, row,
                            blas_seconds, NULL);
    free(row);
}

/* One row t of the event kernel: the pairs of events (t, j >= t) of each
 * pixel, group by group in column order, into row[j]; then normalized. */
static void sparse_row(int64_t t, const int64_t *ptr, const uint32_t *fr, const uint32_t *ct,
                       int64_t N, int64_t n_pix, const int64_t *fptr, const uint32_t *ek,
                       const int64_t *eq, const int32_t *gof, const double *m, const double *S,
                       double *row, double *gbuf, uint32_t *touched)
{
    memset(row + t, 0, sizeof(double) * (size_t)(N - t));
    int64_t e = fptr[t];
    const int64_t e1 = fptr[t + 1];
    while (e < e1) {
        const int32_t g = gof[ek[e]];
        int64_t nt = 0;
        for (; e < e1 && gof[ek[e]] == g; e++) {
            const int64_t k = ek[e], q0 = eq[e];
            const double ca = (double)ct[q0];
            for (int64_t q = q0; q < ptr[k + 1]; q++) {
                const uint32_t j = fr[q];
                if (gbuf[j] == 0)
                    touched[nt++] = j;
                gbuf[j] += ca * (double)ct[q];
            }
        }
        const double *mg = m + (size_t)g * (size_t)N;
        const double mi = mg[t];
        for (int64_t i = 0; i < nt; i++) {
            const uint32_t j = touched[i];
            row[j] += gbuf[j] / (mi * mg[j]);
            gbuf[j] = 0;
        }
    }
    finish_row(row, t, t, N, (double)n_pix, S);
}

void xpcs_twotime_sparse_rows(const int64_t *ptr, const uint32_t *fr, const uint32_t *ct,
                              int64_t n_frames, int64_t n_pix, const int64_t *gstart, int n_groups,
                              xpcs_smooth smooth, int64_t r0, int64_t r1, double *const *row,
                              double *cmax)
{
    const int64_t N = n_frames, G = n_groups, q_lo = ptr[0], n_ev = ptr[n_pix] - q_lo;
    /* T_g(t) and G_g(t, t) from the events (exact integer sums), group of
     * each column */
    double *T = xpcs_calloc((size_t)(G * N) + 1, sizeof(double));
    double *G2ii = xpcs_calloc((size_t)(G * N) + 1, sizeof(double));
    double *m = xpcs_malloc(sizeof(double) * (size_t)(G * N + 1));
    double *S = xpcs_malloc(sizeof(double) * (size_t)(N + 1));
    int32_t *gof = xpcs_malloc(sizeof(int32_t) * (size_t)(n_pix + 1));
    for (int64_t g = 0; g < G; g++)
        for (int64_t k = gstart[g]; k < gstart[g + 1]; k++) {
            gof[k] = (int32_t)g;
            for (int64_t q = ptr[k]; q < ptr[k + 1]; q++) {
                T[g * N + fr[q]] += (double)ct[q];
                G2ii[g * N + fr[q]] += (double)ct[q] * (double)ct[q];
            }
        }
    factors(T, gstart, (int)G, N, smooth, m, S);
    if (cmax)
        *cmax = diag_max(G2ii, m, S, N, G, (double)n_pix);
    /* frame-major index of the events: row t lists (column, event) with
     * columns ascending, so the groups come in order */
    int64_t *fptr = xpcs_calloc((size_t)N + 1, sizeof(int64_t));
    for (int64_t q = q_lo; q < q_lo + n_ev; q++)
        fptr[fr[q] + 1]++;
    for (int64_t t = 0; t < N; t++)
        fptr[t + 1] += fptr[t];
    uint32_t *ek = xpcs_malloc(sizeof(uint32_t) * (size_t)(n_ev + 1));
    int64_t *eq = xpcs_malloc(sizeof(int64_t) * (size_t)(n_ev + 1));
    int64_t *pos = xpcs_malloc(sizeof(int64_t) * (size_t)(N + 1));
    memcpy(pos, fptr, sizeof(int64_t) * (size_t)N);
    for (int64_t k = 0; k < n_pix; k++)
        for (int64_t q = ptr[k]; q < ptr[k + 1]; q++) {
            const int64_t e = pos[fr[q]]++;
            ek[e] = (uint32_t)k;
            eq[e] = q;
        }
    free(pos);
#pragma omp parallel
    {
        /* G_g(t, .) of one row and group; the frames it touched */
        double *gbuf = xpcs_calloc((size_t)N + 1, sizeof(double));
        uint32_t *touched = xpcs_malloc(sizeof(uint32_t) * (size_t)(N + 1));
#pragma omp for schedule(dynamic, 16)
        for (int64_t t = r0; t < r1; t++)
            sparse_row(t, ptr, fr, ct, N, n_pix, fptr, ek, eq, gof, m, S, row[t - r0], gbuf,
                       touched);
        free(gbuf);
        free(touched);
    }
    free(fptr);
    free(ek);
    free(eq);
    free(gof);
    free(T);
    free(G2ii);
    free(m);
    free(S);
}

void xpcs_twotime_sparse(const int64_t *ptr, const uint32_t *fr, const uint32_t *ct,
                         int64_t n_frames, int64_t n_pix, const int64_t *gstart, int n_groups,
                         xpcs_smooth smooth, double *C)
{
    double **row = xpcs_malloc(sizeof(double *) * (size_t)(n_frames + 1));
    for (int64_t i = 0; i < n_frames; i++)
        row[i] = C + (size_t)i * (size_t)n_frames;
    xpcs_twotime_sparse_rows(ptr, fr, ct, n_frames, n_pix, gstart, n_groups, smooth, 0, n_frames,
                             row, NULL);
    free(row);
}

#define DIAG_BLOCK 256

void xpcs_twotime_diag_means(const double *C, int64_t ldc, int64_t n, double *out)
{
    /* Threads own blocks of diagonals; inside a block the rows are walked in
     * order, so each diagonal's sum has a fixed order. */
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t kb = 0; kb < n; kb += DIAG_BLOCK) {
        const int64_t ke = kb + DIAG_BLOCK < n ? kb + DIAG_BLOCK : n;
        double acc[DIAG_BLOCK];
        memset(acc, 0, sizeof acc);
        for (int64_t i = 0; i + kb < n; i++) {
            const double *row = C + (size_t)i * (size_t)ldc + (size_t)i;
            const int64_t kmax = ke < n - i ? ke : n - i;
            for (int64_t k = kb; k < kmax; k++)
                acc[k - kb] += row[k];
        }
        for (int64_t k = kb; k < ke; k++)
            out[k] = acc[k - kb] / (double)(n - k);
    }
}

void xpcs_twotime_segments(const double *C, int64_t n, double *seg)
{
    const int64_t len = n / 5;
    if (len == 0)
        return;
    double *tmp = xpcs_malloc(sizeof(double) * (size_t)len);
    for (int s = 0; s < 5; s++) {
        const double *blk = C + (size_t)(s * len) * (size_t)n + (size_t)(s * len);
        xpcs_twotime_diag_means(blk, n, len, tmp);
        for (int64_t k = 0; k < len; k++)
            seg[k * 5 + s] = tmp[k];
    }
    free(tmp);
}

int64_t xpcs_twotime_tri_len(int64_t n)
{
    return n * (n + 1) / 2;
}

void xpcs_twotime_pack_upper(const double *C, int64_t n, float *tri)
{
#pragma omp parallel for schedule(dynamic, 16)
    for (int64_t i = 0; i < n; i++) {
        /* row i starts after rows 0..i-1 of lengths n, n-1, ... */
        float *dst = tri + (size_t)(i * n - i * (i - 1) / 2);
        const double *src = C + (size_t)i * (size_t)n;
        for (int64_t j = i; j < n; j++)
            dst[j - i] = (float)src[j];
    }
}

double xpcs_twotime_flops(int64_t n_frames, int64_t n_pix)
{
    return (double)n_frames * (double)(n_frames + 1) * (double)n_pix;
}
