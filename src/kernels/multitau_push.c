/* multitau_push: the dense multitau kernel's push path, compiled once per
 * SIMD level (simd_impl.h: every function carries the level's suffix).
 * Every sum gets its additions in the same order at every level, so the
 * levels give bit-identical results. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "simd_impl.h"

/* every function of this file, and those it inlines from multitau_impl.h */
#define vec XPCS_SIMD_NAME(vec)
#define fma_row XPCS_SIMD_NAME(fma_row)
#define level_frame XPCS_SIMD_NAME(level_frame)
#define vload XPCS_SIMD_NAME(vload)
#define vstore XPCS_SIMD_NAME(vstore)
#define lags_1_8 XPCS_SIMD_NAME(lags_1_8)
#define lags_5_8 XPCS_SIMD_NAME(lags_5_8)
#define level_block XPCS_SIMD_NAME(level_block)
#define push_block XPCS_SIMD_NAME(push_block)

#include "multitau_impl.h"

/* acc += x * h over w pixels: one lag of one level frame. */
static inline void fma_row(double *restrict acc, const double *restrict x, const double *restrict h,
                           int w)
{
#pragma omp simd
    for (int p = 0; p < w; p++)
        acc[p] += x[p] * h[p];
}

/* The level-L frame just stored in its ring slot is correlated with the
 * frames 1..8 (level 0) or 5..8 (level >= 1) before it, added to the total
 * and, while among the first 8, remembered.  Every odd frame completes a pair
 * that becomes the next level's frame. */
static void level_frame(mt_tile *t, int L, int n_levels)
{
    const int w = t->w;
    for (;;) {
        int64_t i = t->count[L];
        double *x = vec(t, L, V_RING((int)(i % RING)));
        int m0 = L == 0 ? 1 : 5;
        for (int m = m0; m <= 8 && m <= i; m++)
            fma_row(vec(t, L, V_ACC(m)), x, vec(t, L, V_RING((int)((i - m) % RING))), w);
        double *tot = vec(t, L, V_TOTAL);
#pragma omp simd
        for (int p = 0; p < w; p++)
            tot[p] += x[p];
        if (i < 8)
            memcpy(vec(t, L, V_FIRST((int)i)), x, sizeof(double) * (size_t)w);
        t->count[L] = i + 1;
        if (!(i & 1) || L + 1 >= n_levels)
            return;
        /* pair (i-1, i) -> next level frame, summed (not averaged) */
        const double *prev = vec(t, L, V_RING((int)((i - 1) % RING)));
        double *y = vec(t, L + 1, V_RING((int)(t->count[L + 1] % RING)));
#pragma omp simd
        for (int p = 0; p < w; p++)
            y[p] = prev[p] + x[p];
        L++;
    }
}

/* Level 0 runs in blocks of BLK frames held in a thread-local scratch
 * [8 + BLK][XPCS_MT_TILE]: rows 0..7 are the 8 frames before the block
 * (oldest first), rows 8.. the new frames.  With the history full, the
 * 8 lags are accumulated register-blocked (VW pixels x 8 lags of sums kept
 * in registers over the block), so each frame is loaded once per lag instead
 * of once per lag plus a load and store of every sum.  Each sum still gets
 * its additions in time order, acc += x(i) x(i-m) rounded as in the per-row
 * path (no FMA contraction: -std=c11), so the split of frames into blocks or
 * pushes cannot change a bit. */
#define BLK 64
#ifdef __AVX512F__
#define VW 8
#else
#define VW 4
#endif

/* acc[m-1] += x(r) x(r-m) over rows r0..r1-1 of buf, for m = 1..8 (level 0)
 * or m = 5..8, VW pixels at a time with the sums held in vector registers
 * (GCC vector extensions: the same code for AVX-512, AVX2 or SSE). */
typedef double vd __attribute__((vector_size(VW * sizeof(double))));

static inline vd vload(const double *p)
{
    vd v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void vstore(double *p, vd v)
{
    memcpy(p, &v, sizeof v);
}

static void lags_1_8(double *restrict acc, double *restrict tot, const double *restrict buf, int r0,
                     int r1)
{
    const size_t W = XPCS_MT_TILE;
    for (size_t p0 = 0; p0 < W; p0 += VW) {
        vd s = vload(tot + p0);
        vd a1 = vload(acc + 0 * W + p0), a2 = vload(acc + 1 * W + p0), a3 = vload(acc + 2 * W + p0),
           a4 = vload(acc + 3 * W + p0), a5 = vload(acc + 4 * W + p0), a6 = vload(acc + 5 * W + p0),
           a7 = vload(acc + 6 * W + p0), a8 = vload(acc + 7 * W + p0);
        for (int r = r0; r < r1; r++) {
            const double *x = buf + (size_t)r * W + p0;
            const vd xv = vload(x);
            s += xv;
            a1 += xv * vload(x - 1 * W);
            a2 += xv * vload(x - 2 * W);
            a3 += xv * vload(x - 3 * W);
            a4 += xv * vload(x - 4 * W);
            a5 += xv * vload(x - 5 * W);
            a6 += xv * vload(x - 6 * W);
            a7 += xv * vload(x - 7 * W);
            a8 += xv * vload(x - 8 * W);
        }
        vstore(tot + p0, s);
        vstore(acc + 0 * W + p0, a1);
        vstore(acc + 1 * W + p0, a2);
        vstore(acc + 2 * W + p0, a3);
        vstore(acc + 3 * W + p0, a4);
        vstore(acc + 4 * W + p0, a5);
        vstore(acc + 5 * W + p0, a6);
        vstore(acc + 6 * W + p0, a7);
        vstore(acc + 7 * W + p0, a8);
    }
}

static void lags_5_8(double *restrict acc, double *restrict tot, const double *restrict buf, int r0,
                     int r1)
{
    const size_t W = XPCS_MT_TILE;
    for (size_t p0 = 0; p0 < W; p0 += VW) {
        vd s = vload(tot + p0);
        vd a5 = vload(acc + 4 * W + p0), a6 = vload(acc + 5 * W + p0), a7 = vload(acc + 6 * W + p0),
           a8 = vload(acc + 7 * W + p0);
        for (int r = r0; r < r1; r++) {
            const double *x = buf + (size_t)r * W + p0;
            const vd xv = vload(x);
            s += xv;
            a5 += xv * vload(x - 5 * W);
            a6 += xv * vload(x - 6 * W);
            a7 += xv * vload(x - 7 * W);
            a8 += xv * vload(x - 8 * W);
        }
        vstore(tot + p0, s);
        vstore(acc + 4 * W + p0, a5);
        vstore(acc + 5 * W + p0, a6);
        vstore(acc + 6 * W + p0, a7);
        vstore(acc + 7 * W + p0, a8);
    }
}

/* Levels below LB run blocked in thread-local scratch buffers; from LB on
 * (blocks of a few frames) the per-frame ring path is cheaper. */
#define LB 5
#define SCRATCH_ROWS (8 + BLK + 1)

/* Frames of level L in scratch[L] rows 8..8+n-1: correlate, sum, remember,
 * and pass their pairs up. */
static void level_block(mt_tile *t, int L, int n, double *const *scratch, int n_levels)
{
    const int w = t->w;
    const int W = XPCS_MT_TILE;
    double *buf = scratch[L];
    const int64_t base = t->count[L]; /* level-L index of scratch row 8 */
    const int m0 = L == 0 ? 1 : 5;
    /* history: row 7 - k = frame base-1-k, from the level's ring */
    for (int k = 0; k < 8 && k < base; k++)
        memcpy(buf + (size_t)(7 - k) * W, vec(t, L, V_RING((int)((base - 1 - k) % RING))),
               sizeof(double) * (size_t)w);
    /* Frames with fewer than 8 before them one by one (lags, total, first
     * 8), then the rest blocked (lags and total); each sum still gets its
     * additions in time order. */
    double *tot = vec(t, L, V_TOTAL);
    int r = 8;
    for (; r < 8 + n && base + (r - 8) < 8; r++) {
        int64_t i = base + (r - 8);
        const double *x = buf + (size_t)r * W;
        for (int m = m0; m <= 8 && m <= i; m++)
            fma_row(vec(t, L, V_ACC(m)), x, buf + (size_t)(r - m) * W, w);
#pragma omp simd
        for (int p = 0; p < w; p++)
            tot[p] += x[p];
        memcpy(vec(t, L, V_FIRST((int)i)), x, sizeof(double) * (size_t)w);
    }
    if (r < 8 + n) {
        if (L == 0)
            lags_1_8(vec(t, L, V_ACC(1)), tot, buf, r, 8 + n);
        else
            lags_5_8(vec(t, L, V_ACC(1)), tot, buf, r, 8 + n);
    }
    /* the last RING frames back into the ring */
    for (r = 8 + n - RING < 8 ? 8 : 8 + n - RING; r < 8 + n; r++) {
        int64_t i = base + (r - 8);
        memcpy(vec(t, L, V_RING((int)(i % RING))), buf + (size_t)r * W, sizeof(double) * (size_t)w);
    }
    t->count[L] = base + n;
    if (L + 1 >= n_levels)
        return;
    /* odd frames complete a pair (i-1, i), summed into the next level */
    const int up = L + 1 < LB;
    double *next = up ? scratch[L + 1] : NULL;
    int n_up = 0;
    for (r = 8; r < 8 + n; r++) {
        int64_t i = base + (r - 8);
        if (!(i & 1))
            continue;
        const double *prev = buf + (size_t)(r - 1) * W, *x = buf + (size_t)r * W;
        double *y = up ? next + (size_t)(8 + n_up++) * W
                       : vec(t, L + 1, V_RING((int)(t->count[L + 1] % RING)));
#pragma omp simd
        for (int p = 0; p < w; p++)
            y[p] = prev[p] + x[p];
        if (!up)
            level_frame(t, L + 1, n_levels);
    }
    if (up && n_up > 0)
        level_block(t, L + 1, n_up, scratch, n_levels);
}

#define CONVERT_ROWS(TYPE)                                                                         \
    do {                                                                                           \
        for (int r = 0; r < n; r++) {                                                              \
            const TYPE *src = (const TYPE *)rows + (size_t)(r0 + r) * (size_t)ld + t->first_pixel; \
            double *x = scratch[0] + (size_t)(8 + r) * XPCS_MT_TILE;                               \
            if (row_scale) {                                                                       \
                const double s = row_scale[r0 + r];                                                \
                _Pragma("omp simd") for (int p = 0; p < w; p++) x[p] = (double)src[p] * s;         \
            }                                                                                      \
            else {                                                                                 \
                _Pragma("omp simd") for (int p = 0; p < w; p++) x[p] = (double)src[p];             \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Frames r0..r0+n-1 (n <= BLK) of rows into tile t. */
static void push_block(mt_tile *t, const void *rows, xpcs_dtype type, int64_t r0, int n, int64_t ld,
                       const double *row_scale, double *const *scratch, int n_levels)
{
    const int w = t->w;
    switch (type) {
    case XPCS_DT_U8:
        CONVERT_ROWS(uint8_t);
        break;
    case XPCS_DT_U16:
        CONVERT_ROWS(uint16_t);
        break;
    case XPCS_DT_U32:
        CONVERT_ROWS(uint32_t);
        break;
    default:
        CONVERT_ROWS(double);
        break;
    }
    level_block(t, 0, n, scratch, n_levels);
}

void XPCS_SIMD_NAME(xpcs_multitau_push)(xpcs_multitau *mt, const void *rows, xpcs_dtype type,
                                        int64_t n_rows, int64_t ld, const double *row_scale)
{
    const int n_levels = mt->n_levels;
#pragma omp parallel
    {
        /* one scratch block per blocked level, zeroed so the columns past a
         * narrow last tile stay finite */
        double *scratch[LB];
        double *mem = xpcs_calloc((size_t)LB * SCRATCH_ROWS * XPCS_MT_TILE, sizeof(double));
        for (int L = 0; L < LB; L++)
            scratch[L] = mem + (size_t)L * SCRATCH_ROWS * XPCS_MT_TILE;
#pragma omp for schedule(static)
        for (int64_t ti = 0; ti < mt->n_tiles; ti++) {
            mt_tile *t = &mt->tiles[ti];
            for (int64_t r0 = 0; r0 < n_rows; r0 += BLK) {
                int n = (int)(n_rows - r0 < BLK ? n_rows - r0 : BLK);
                push_block(t, rows, type, r0, n, ld, row_scale, scratch, n_levels);
            }
        }
        free(mem);
    }
    mt->pushed += n_rows;
}
