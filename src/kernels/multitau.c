/* multitau: dense multi-tau kernel.  See include/xpcs/multitau.h for the
 * convention.  Data structure manifest (per tile of W <= XPCS_MT_TILE
 * pixels, per level L < n_levels, each "vec" is W doubles):
 *   ring[RING] vecs   the last RING level frames, slot = index % RING
 *   first[8] vecs     the first 8 level frames (for the later-window sums)
 *   total[1] vec      sum of all level frames
 *   acc[8] vecs       G2 sums for local lag m = 1..8 (acc[m-1])
 */
#include "xpcs/kernels/multitau.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define XPCS_MT_TILE 128
#define RING 9 /* current frame + 8 back */
#define NVEC (RING + 8 + 1 + 8)

typedef struct {
    int64_t first_pixel; /* tile covers pixels [first_pixel, first_pixel + w) */
    int w;
    int64_t *count; /* [n_levels] level frames seen */
    double *state;  /* [n_levels][NVEC][XPCS_MT_TILE] */
} mt_tile;

struct xpcs_multitau {
    int64_t n_frames;
    int64_t n_pixels;
    int n_levels;
    int n_delays;
    int64_t delays[XPCS_MT_MAX_DELAYS];
    int level[XPCS_MT_MAX_DELAYS];
    int lag[XPCS_MT_MAX_DELAYS];
    int64_t n_tiles;
    mt_tile *tiles;
    int64_t pushed;
};

int xpcs_multitau_delays(int64_t n_frames, int64_t *delays, int *levels, int *lags)
{
    int n = 0;
    for (int L = 0; L < 62 && n < XPCS_MT_MAX_DELAYS; L++) {
        int64_t nl = n_frames >> L;
        int m0 = L == 0 ? 1 : 5;
        for (int m = m0; m <= 8; m++) {
            if (m >= nl) /* first delay m 2^L >= N_L 2^L: the list stops */
                return n;
            if (delays)
                delays[n] = (int64_t)m << L;
            if (levels)
                levels[n] = L;
            if (lags)
                lags[n] = m;
            n++;
        }
    }
    return n;
}

double xpcs_multitau_bytes_per_pixel(int64_t n_frames)
{
    int lev[XPCS_MT_MAX_DELAYS];
    int n = xpcs_multitau_delays(n_frames, NULL, lev, NULL);
    int n_levels = n ? lev[n - 1] + 1 : 1;
    return (double)n_levels * NVEC * sizeof(double);
}

static inline double *vec(const mt_tile *t, int L, int v)
{
    return t->state + ((size_t)L * NVEC + (size_t)v) * XPCS_MT_TILE;
}
#define V_RING(k) (k)
#define V_FIRST(k) (RING + (k))
#define V_TOTAL (RING + 8)
#define V_ACC(m) (RING + 8 + 1 + (m)-1)

xpcs_status xpcs_multitau_create(int64_t n_frames, int64_t n_pixels, xpcs_multitau **out,
                                 xpcs_err *err)
{
    if (n_frames < 2)
        return xpcs_fail(err, XPCS_ERR_USAGE, "multitau needs at least 2 frames, got %lld",
                         (long long)n_frames);
    xpcs_multitau *mt = xpcs_calloc(1, sizeof *mt);
    mt->n_frames = n_frames;
    mt->n_pixels = n_pixels;
    mt->n_delays = xpcs_multitau_delays(n_frames, mt->delays, mt->level, mt->lag);
    mt->n_levels = mt->level[mt->n_delays - 1] + 1;
    mt->n_tiles = (n_pixels + XPCS_MT_TILE - 1) / XPCS_MT_TILE;
    mt->tiles = xpcs_calloc((size_t)(mt->n_tiles ? mt->n_tiles : 1), sizeof(mt_tile));
    /* First touch from the thread that will own the tile (NUMA). */
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < mt->n_tiles; i++) {
        mt_tile *t = &mt->tiles[i];
        t->first_pixel = i * XPCS_MT_TILE;
        int64_t rest = n_pixels - t->first_pixel;
        t->w = (int)(rest < XPCS_MT_TILE ? rest : XPCS_MT_TILE);
        t->count = xpcs_calloc((size_t)mt->n_levels, sizeof(int64_t));
        t->state = xpcs_calloc((size_t)mt->n_levels * NVEC * XPCS_MT_TILE, sizeof(double));
    }
    *out = mt;
    return XPCS_OK;
}

void xpcs_multitau_destroy(xpcs_multitau **mtp)
{
    if (!mtp || !*mtp)
        return;
    xpcs_multitau *mt = *mtp;
    for (int64_t i = 0; i < mt->n_tiles; i++) {
        free(mt->tiles[i].count);
        free(mt->tiles[i].state);
    }
    free(mt->tiles);
    free(mt);
    *mtp = NULL;
}

int64_t xpcs_multitau_frames_pushed(const xpcs_multitau *mt)
{
    return mt->pushed;
}
int xpcs_multitau_n_delays(const xpcs_multitau *mt)
{
    return mt->n_delays;
}
const int64_t *xpcs_multitau_delay_list(const xpcs_multitau *mt)
{
    return mt->delays;
}

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

void xpcs_multitau_push(xpcs_multitau *mt, const void *rows, xpcs_dtype type, int64_t n_rows,
                        int64_t ld, const double *row_scale)
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

xpcs_status xpcs_multitau_result(const xpcs_multitau *mt, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err)
{
    if (mt->pushed != mt->n_frames)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "multitau: %lld of %lld frames pushed",
                         (long long)mt->pushed, (long long)mt->n_frames);
    if (j < 0 || j >= mt->n_delays)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "multitau: no delay %d", j);
    const int L = mt->level[j], m = mt->lag[j];
    const int64_t nl = mt->n_frames >> L;
    const double n = (double)(nl - m);
    /* divide (not multiply by a reciprocal): exact sums stay exact, so
     * constant frames give G2 = c^2 and IP = IF = c to the last bit */
    const double g2_den = n * (double)((int64_t)1 << (2 * L));
    const double i_den = n * (double)((int64_t)1 << L);
#pragma omp parallel for schedule(static)
    for (int64_t ti = 0; ti < mt->n_tiles; ti++) {
        const mt_tile *t = &mt->tiles[ti];
        const double *acc = vec(t, L, V_ACC(m));
        const double *tot = vec(t, L, V_TOTAL);
        for (int p = 0; p < t->w; p++) {
            double head = 0.0, tail = 0.0; /* first m and last m level frames */
            for (int k = 0; k < m; k++) {
                head += vec(t, L, V_FIRST(k))[p];
                tail += vec(t, L, V_RING((int)((nl - 1 - k) % RING)))[p];
            }
            int64_t q = t->first_pixel + p;
            G2[q] = acc[p] / g2_den;
            IP[q] = (tot[p] - head) / i_den; /* later window  k = m..N_L-1 */
            IF[q] = (tot[p] - tail) / i_den; /* earlier window k = 0..N_L-1-m */
        }
    }
    return XPCS_OK;
}
