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
#define flush_levels XPCS_SIMD_NAME(flush_levels)
#define vload XPCS_SIMD_NAME(vload)
#define vstore XPCS_SIMD_NAME(vstore)
#define lags_1_8 XPCS_SIMD_NAME(lags_1_8)
#define lags_5_8 XPCS_SIMD_NAME(lags_5_8)
#define level_block XPCS_SIMD_NAME(level_block)
#define push_block XPCS_SIMD_NAME(push_block)
#define prefetch_row XPCS_SIMD_NAME(prefetch_row)
#define conv_u8 XPCS_SIMD_NAME(conv_u8)
#define conv_u16 XPCS_SIMD_NAME(conv_u16)
#define conv_f64 XPCS_SIMD_NAME(conv_f64)
#define fused_level0_u8 XPCS_SIMD_NAME(fused_level0_u8)
#define fused_level0_u16 XPCS_SIMD_NAME(fused_level0_u16)
#define fused_level0_f64 XPCS_SIMD_NAME(fused_level0_f64)
#define ones XPCS_SIMD_NAME(ones)

#include "multitau_impl.h"

/* acc += x * h over w pixels: one lag of one level frame. */
static inline void fma_row(double *restrict acc, const double *restrict x, const double *restrict h,
                           int w)
{
#pragma omp simd
    for (int p = 0; p < w; p++)
        acc[p] += x[p] * h[p];
}

/* Every level runs in blocks of up to BLK frames held in a thread's scratch
 * block [8 + BLK][XPCS_MT_TILE] (mt_blocks): rows 0..7 are the 8 frames
 * before the block (oldest first), rows 8.. the new frames (level 0 only
 * where it is not fused with the conversion, DEFINE_FUSED_LEVEL0; levels
 * >= 1 gather their frames there until BLK are in or the tile's part of the
 * push ends, so a level's history copy and ring write are paid once per BLK
 * frames, not once per few).  With the history full, the
 * 8 lags are accumulated register-blocked (VW pixels x 8 lags of sums kept
 * in registers over the block), so each frame is loaded once per lag instead
 * of once per lag plus a load and store of every sum.  Each sum still gets
 * its additions in time order, acc += x(i) x(i-m) rounded as in the per-row
 * path (no FMA contraction: -std=c11), so the split of frames into blocks or
 * pushes cannot change a bit. */
#define BLK XPCS_MT_BLK
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

/* Frames of level L in scratch[L] rows 8..8+n-1: correlate, sum, remember,
 * and pass their pairs up. */
static void level_block(mt_tile *t, int L, int n, mt_blocks *lb)
{
    const int w = t->w;
    const int W = XPCS_MT_TILE;
    double *buf = lb->scratch[L];
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
    if (L + 1 >= lb->n_levels)
        return;
    /* Odd frames complete a pair (i-1, i), summed (not averaged) into the
     * next level's block; a full block runs at once (it uses only the next
     * level's scratch, so this block's rows stay as they are). */
    double *next = lb->scratch[L + 1];
    for (r = 8; r < 8 + n; r++) {
        int64_t i = base + (r - 8);
        if (!(i & 1))
            continue;
        const double *prev = buf + (size_t)(r - 1) * W, *x = buf + (size_t)r * W;
        double *y = next + (size_t)(8 + lb->pending[L + 1]++) * W;
#pragma omp simd
        for (int p = 0; p < w; p++)
            y[p] = prev[p] + x[p];
        if (lb->pending[L + 1] == BLK) {
            lb->pending[L + 1] = 0;
            level_block(t, L + 1, BLK, lb);
        }
    }
}

/* The end of a tile's part of a push: the frames waiting at levels >= 1 run,
 * lowest level first (each may add frames to the one above), so the tile's
 * state holds every frame pushed so far. */
static void flush_levels(mt_tile *t, mt_blocks *lb)
{
    for (int L = 1; L < lb->n_levels; L++)
        if (lb->pending[L] > 0) {
            int n = lb->pending[L];
            lb->pending[L] = 0;
            level_block(t, L, n, lb);
        }
}

/* The block after this one: its rows are fetched from memory while this
 * block's lags are computed.  A tile's row of a block is w counts at a stride
 * of the step's whole width (ld pixels), so the hardware prefetcher, which
 * follows a stream within a page, does not see it coming; without this the
 * conversion waited on memory for about a quarter of the kernel's time. */
typedef struct {
    const char *row0; /* its first row's first count, NULL: none */
    size_t stride;    /* bytes from one row to the next */
    size_t bytes;     /* bytes of a row */
    int n;            /* rows */
} next_block;

static inline void prefetch_row(const next_block *nb, int r)
{
    if (nb->row0 && r < nb->n)
        for (size_t o = 0; o < nb->bytes; o += 64)
            __builtin_prefetch(nb->row0 + (size_t)r * nb->stride + o, 0, 2);
}

/* General level 0: the block's counts become doubles in scratch[0] rows 8..,
 * x = count x row scale (x = count without a scale), and run as a block. */
#define CONVERT_ROWS(TYPE)                                                                         \
    do {                                                                                           \
        for (int r = 0; r < n; r++) {                                                              \
            const TYPE *src = (const TYPE *)rows + (size_t)(r0 + r) * (size_t)ld + t->first_pixel; \
            double *x = lb->scratch[0] + (size_t)(8 + r) * XPCS_MT_TILE;                           \
            prefetch_row(next, r);                                                                 \
            if (row_scale) {                                                                       \
                const double s = row_scale[r0 + r];                                                \
                _Pragma("omp simd") for (int p = 0; p < w; p++) x[p] = (double)src[p] * s;         \
            }                                                                                      \
            else {                                                                                 \
                _Pragma("omp simd") for (int p = 0; p < w; p++) x[p] = (double)src[p];             \
            }                                                                                      \
        }                                                                                          \
        level_block(t, 0, n, lb);                                                                  \
    } while (0)

/* Counts to doubles through int32 lanes (exact: u8 and u16 fit), which the
 * compilers vectorize; a direct u16 -> double conversion is done lane by
 * lane.  uint32 counts take the general path. */
typedef uint8_t vu8 __attribute__((vector_size(VW * sizeof(uint8_t))));
typedef uint16_t vu16 __attribute__((vector_size(VW * sizeof(uint16_t))));
typedef int32_t vi32 __attribute__((vector_size(VW * sizeof(int32_t))));

static inline vd conv_u8(const uint8_t *p)
{
    vu8 v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(__builtin_convertvector(v, vi32), vd);
}
static inline vd conv_u16(const uint16_t *p)
{
    vu16 v;
    memcpy(&v, p, sizeof v);
    return __builtin_convertvector(__builtin_convertvector(v, vi32), vd);
}
static inline vd conv_f64(const double *p)
{
    return vload(p);
}

/* One frame of the fused level 0: x = count x scale, total += x,
 * acc[m-1] += x h_m (m = 1..8), the pair h1 + x (= prev + x) for an odd
 * frame, and x kept in X (the variable of the frame 9 back, no longer
 * needed).  ODD: this frame's index is odd. */
#define L0_FRAME(CONV, R, ODD, X, H1, H2, H3, H4, H5, H6, H7, H8)                                  \
    do {                                                                                           \
        const vd xv = CONV(src + (size_t)(R) * (size_t)ld) * sc[R];                                \
        s += xv;                                                                                   \
        a1 += xv * H1;                                                                             \
        a2 += xv * H2;                                                                             \
        a3 += xv * H3;                                                                             \
        a4 += xv * H4;                                                                             \
        a5 += xv * H5;                                                                             \
        a6 += xv * H6;                                                                             \
        a7 += xv * H7;                                                                             \
        a8 += xv * H8;                                                                             \
        if (ODD) {                                                                                 \
            vstore(y, H1 + xv);                                                                    \
            y += W;                                                                                \
        }                                                                                          \
        X = xv;                                                                                    \
    } while (0)

/* Level 0 of a full tile whose 8 frames before the block exist, fused with
 * the conversion: VW pixels at a time, each frame converted once into a
 * register and kept there as the history of the next 8, so level 0 neither
 * stores nor reloads its frames.  Nine variables v0..v8 hold the frame and
 * the 8 before it; nine frames in a row use them in turn (the names rotate,
 * the values never move: a register move per history frame and frame cost
 * as much as the lags).  The same operations in the same order as
 * CONVERT_ROWS + level_block, so every sum is the same to the last bit:
 *   x = (double)count * scale (x 1.0 without a scale: exact),
 *   total += x, acc[m-1] += x * x(i-m), and for odd i the level-1 frame
 *   x(i-1) + x(i), stored in the next level's block rows (pairs);
 * the last 8 frames go back into the ring.  The caller makes room in the
 * next level's block for the block's pairs. */
#define DEFINE_FUSED_LEVEL0(NAME, TYPE, CONV)                                                      \
    static void NAME(mt_tile *t, const TYPE *src0, size_t ld, int n, const double *sc,             \
                     const next_block *next, double *pairs)                                        \
    {                                                                                              \
        const size_t W = XPCS_MT_TILE;                                                             \
        const int64_t base = t->count[0];                                                          \
        double *acc = vec(t, 0, V_ACC(1)), *tot = vec(t, 0, V_TOTAL);                              \
        double *ring_in[8], *ring_out[8];                                                          \
        for (int k = 0; k < 8; k++) {                                                              \
            ring_in[k] = vec(t, 0, V_RING((int)((base - 1 - k) % RING)));                          \
            ring_out[k] = vec(t, 0, V_RING((int)((base + n - 1 - k) % RING)));                     \
        }                                                                                          \
        /* the next block's rows, a share per group of pixels */                                   \
        const int pf_rows = (next->n + (int)(W / VW) - 1) / (int)(W / VW);                         \
        for (size_t p0 = 0; p0 < W; p0 += VW) {                                                    \
            for (int k = 0; k < pf_rows; k++)                                                      \
                prefetch_row(next, (int)(p0 / VW) * pf_rows + k);                                  \
            const TYPE *src = src0 + p0;                                                           \
            double *y = pairs + p0;                                                                \
            vd s = vload(tot + p0);                                                                \
            vd a1 = vload(acc + 0 * W + p0), a2 = vload(acc + 1 * W + p0),                         \
               a3 = vload(acc + 2 * W + p0), a4 = vload(acc + 3 * W + p0),                         \
               a5 = vload(acc + 4 * W + p0), a6 = vload(acc + 5 * W + p0),                         \
               a7 = vload(acc + 6 * W + p0), a8 = vload(acc + 7 * W + p0);                         \
            /* canonical names: v8 = x(i-1), v7 = x(i-2), ..., v1 = x(i-8) */                      \
            vd v0, v1 = vload(ring_in[7] + p0), v2 = vload(ring_in[6] + p0),                       \
                   v3 = vload(ring_in[5] + p0), v4 = vload(ring_in[4] + p0),                       \
                   v5 = vload(ring_in[3] + p0), v6 = vload(ring_in[2] + p0),                       \
                   v7 = vload(ring_in[1] + p0), v8 = vload(ring_in[0] + p0);                       \
            int r = 0;                                                                             \
            for (; r + 9 <= n; r += 9) {                                                           \
                const int odd = (int)((base + r) & 1), even = !odd;                                \
                L0_FRAME(CONV, r + 0, odd, v0, v8, v7, v6, v5, v4, v3, v2, v1);                    \
                L0_FRAME(CONV, r + 1, even, v1, v0, v8, v7, v6, v5, v4, v3, v2);                   \
                L0_FRAME(CONV, r + 2, odd, v2, v1, v0, v8, v7, v6, v5, v4, v3);                    \
                L0_FRAME(CONV, r + 3, even, v3, v2, v1, v0, v8, v7, v6, v5, v4);                   \
                L0_FRAME(CONV, r + 4, odd, v4, v3, v2, v1, v0, v8, v7, v6, v5);                    \
                L0_FRAME(CONV, r + 5, even, v5, v4, v3, v2, v1, v0, v8, v7, v6);                   \
                L0_FRAME(CONV, r + 6, odd, v6, v5, v4, v3, v2, v1, v0, v8, v7);                    \
                L0_FRAME(CONV, r + 7, even, v7, v6, v5, v4, v3, v2, v1, v0, v8);                   \
                L0_FRAME(CONV, r + 8, odd, v8, v7, v6, v5, v4, v3, v2, v1, v0);                    \
            }                                                                                      \
            /* the last n mod 9 frames, the names shifted back each time */                        \
            for (; r < n; r++) {                                                                   \
                L0_FRAME(CONV, r, (base + r) & 1, v0, v8, v7, v6, v5, v4, v3, v2, v1);             \
                v1 = v2;                                                                           \
                v2 = v3;                                                                           \
                v3 = v4;                                                                           \
                v4 = v5;                                                                           \
                v5 = v6;                                                                           \
                v6 = v7;                                                                           \
                v7 = v8;                                                                           \
                v8 = v0;                                                                           \
            }                                                                                      \
            vstore(tot + p0, s);                                                                   \
            vstore(acc + 0 * W + p0, a1);                                                          \
            vstore(acc + 1 * W + p0, a2);                                                          \
            vstore(acc + 2 * W + p0, a3);                                                          \
            vstore(acc + 3 * W + p0, a4);                                                          \
            vstore(acc + 4 * W + p0, a5);                                                          \
            vstore(acc + 5 * W + p0, a6);                                                          \
            vstore(acc + 6 * W + p0, a7);                                                          \
            vstore(acc + 7 * W + p0, a8);                                                          \
            vstore(ring_out[0] + p0, v8);                                                          \
            vstore(ring_out[1] + p0, v7);                                                          \
            vstore(ring_out[2] + p0, v6);                                                          \
            vstore(ring_out[3] + p0, v5);                                                          \
            vstore(ring_out[4] + p0, v4);                                                          \
            vstore(ring_out[5] + p0, v3);                                                          \
            vstore(ring_out[6] + p0, v2);                                                          \
            vstore(ring_out[7] + p0, v1);                                                          \
        }                                                                                          \
        t->count[0] = base + n;                                                                    \
    }

DEFINE_FUSED_LEVEL0(fused_level0_u8, uint8_t, conv_u8)
DEFINE_FUSED_LEVEL0(fused_level0_u16, uint16_t, conv_u16)
DEFINE_FUSED_LEVEL0(fused_level0_f64, double, conv_f64)

/* row scale 1 for rows without a scale (x 1.0 is exact) */
static const double ones[BLK] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

/* Frames r0..r0+n-1 (n <= BLK) of rows into tile t. */
static void push_block(mt_tile *t, const void *rows, xpcs_dtype type, int64_t r0, int n, int64_t ld,
                       const double *row_scale, const next_block *next, mt_blocks *lb)
{
    const int w = t->w;
    if (w == XPCS_MT_TILE && t->count[0] >= 8 && type != XPCS_DT_U32) {
        /* room in the next level's block for this block's pairs */
        if (lb->n_levels > 1 && lb->pending[1] + (n + 1) / 2 > BLK) {
            int np = lb->pending[1];
            lb->pending[1] = 0;
            level_block(t, 1, np, lb);
        }
        /* with one level the pairs go to the spare block and are dropped */
        double *pairs = lb->scratch[1] + (size_t)(8 + lb->pending[1]) * XPCS_MT_TILE;
        const double *sc = row_scale ? row_scale + r0 : ones;
        const size_t off = (size_t)r0 * (size_t)ld + (size_t)t->first_pixel;
        const int64_t base = t->count[0];
        switch (type) {
        case XPCS_DT_U8:
            fused_level0_u8(t, (const uint8_t *)rows + off, (size_t)ld, n, sc, next, pairs);
            break;
        case XPCS_DT_U16:
            fused_level0_u16(t, (const uint16_t *)rows + off, (size_t)ld, n, sc, next, pairs);
            break;
        default:
            fused_level0_f64(t, (const double *)rows + off, (size_t)ld, n, sc, next, pairs);
            break;
        }
        if (lb->n_levels > 1)
            lb->pending[1] += (int)(((base + n) >> 1) - (base >> 1));
        if (lb->n_levels > 1 && lb->pending[1] == BLK) {
            lb->pending[1] = 0;
            level_block(t, 1, BLK, lb);
        }
        return;
    }
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
}

void XPCS_SIMD_NAME(xpcs_multitau_push)(xpcs_multitau *mt, const void *rows, xpcs_dtype type,
                                        int64_t n_rows, int64_t ld, const double *row_scale)
{
    const size_t esize = xpcs_dtype_size(type);
    xpcs_mt_blocks_reserve(mt, omp_get_max_threads());
#pragma omp parallel
    {
        mt_blocks *lb = xpcs_mt_blocks_of(mt, omp_get_thread_num());
#pragma omp for schedule(static)
        for (int64_t ti = 0; ti < mt->n_tiles; ti++) {
            mt_tile *t = &mt->tiles[ti];
            for (int64_t r0 = 0; r0 < n_rows; r0 += BLK) {
                int n = (int)(n_rows - r0 < BLK ? n_rows - r0 : BLK);
                /* the next block: this tile's, or the next tile's first */
                next_block nb = {NULL, (size_t)ld * esize, 0, 0};
                int64_t nr0 = r0 + BLK, np = t->first_pixel;
                int nw = t->w;
                if (nr0 >= n_rows && ti + 1 < mt->n_tiles) {
                    nr0 = 0;
                    np = mt->tiles[ti + 1].first_pixel;
                    nw = mt->tiles[ti + 1].w;
                }
                if (nr0 < n_rows) {
                    nb.row0 = (const char *)rows + ((size_t)nr0 * (size_t)ld + (size_t)np) * esize;
                    nb.bytes = (size_t)nw * esize;
                    nb.n = (int)(n_rows - nr0 < BLK ? n_rows - nr0 : BLK);
                }
                push_block(t, rows, type, r0, n, ld, row_scale, &nb, lb);
            }
            flush_levels(t, lb);
        }
    }
    mt->pushed += n_rows;
}
