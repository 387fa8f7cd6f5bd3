/* multitau: dense multi-tau kernel.  See include/xpcs/multitau.h for the
 * convention and src/kernels/multitau_impl.h for the state; the push path
 * (multitau_push.c) runs in the copy of the SIMD level chosen at run time
 * (simd.h). */
#include "xpcs/kernels/multitau.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "multitau_impl.h"
#include "simd_impl.h"

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
    for (int i = 0; i < mt->n_blocks; i++)
        if (mt->blocks[i]) {
            free(mt->blocks[i]->mem);
            free(mt->blocks[i]->scratch);
            free(mt->blocks[i]->pending);
            free(mt->blocks[i]);
        }
    free(mt->blocks);
    free(mt->stage);
    free(mt);
    *mtp = NULL;
}

int64_t xpcs_multitau_frames_pushed(const xpcs_multitau *mt)
{
    return mt->pushed + mt->staged;
}
int xpcs_multitau_n_delays(const xpcs_multitau *mt)
{
    return mt->n_delays;
}
const int64_t *xpcs_multitau_delay_list(const xpcs_multitau *mt)
{
    return mt->delays;
}
void xpcs_mt_blocks_reserve(xpcs_multitau *mt, int n_threads)
{
    if (n_threads <= mt->n_blocks)
        return;
    mt_blocks **grown = xpcs_calloc((size_t)n_threads, sizeof *grown);
    if (mt->n_blocks > 0)
        memcpy(grown, mt->blocks, (size_t)mt->n_blocks * sizeof *grown);
    free(mt->blocks);
    mt->blocks = grown;
    mt->n_blocks = n_threads;
}

mt_blocks *xpcs_mt_blocks_of(xpcs_multitau *mt, int tid)
{
    if (!mt->blocks[tid]) {
        /* zeroed, so the columns past a narrow last tile start finite (they
         * only ever hold sums of finite frames after that) */
        mt_blocks *b = xpcs_calloc(1, sizeof *b);
        const int nb = mt->n_levels + 1;
        b->n_levels = mt->n_levels;
        b->scratch = xpcs_calloc((size_t)nb, sizeof(double *));
        b->pending = xpcs_calloc((size_t)nb, sizeof(int));
        b->mem = xpcs_calloc((size_t)nb * XPCS_MT_SCRATCH_ROWS * XPCS_MT_TILE, sizeof(double));
        for (int L = 0; L < nb; L++)
            b->scratch[L] = b->mem + (size_t)L * XPCS_MT_SCRATCH_ROWS * XPCS_MT_TILE;
        mt->blocks[tid] = b;
    }
    return mt->blocks[tid];
}

double xpcs_multitau_stage_bytes_per_pixel(int64_t n_frames, int64_t push_frames, size_t elem_size)
{
    if (push_frames >= XPCS_MT_STAGE_FRAMES || push_frames >= n_frames)
        return 0.0;
    return (double)XPCS_MT_STAGE_FRAMES * (double)elem_size;
}

static void correlate(xpcs_multitau *mt, const void *rows, xpcs_dtype type, int64_t n_rows,
                      int64_t ld, const double *row_scale)
{
    xpcs_simd_kernels_active()->multitau_push(mt, rows, type, n_rows, ld, row_scale);
}

void xpcs_multitau_settle(xpcs_multitau *mt)
{
    if (mt->staged > 0)
        correlate(mt, mt->stage, mt->stage_type, mt->staged, mt->n_pixels,
                  mt->stage_scaled ? mt->stage_scale : NULL);
    mt->staged = 0;
}

void xpcs_multitau_push(xpcs_multitau *mt, const void *rows, xpcs_dtype type, int64_t n_rows,
                        int64_t ld, const double *row_scale)
{
    const size_t esize = xpcs_dtype_size(type);
    const char *src = rows;
    /* a different type or scaling than the gathered frames': those first */
    if (mt->staged > 0 && (type != mt->stage_type || (row_scale != NULL) != mt->stage_scaled))
        xpcs_multitau_settle(mt);
    while (n_rows > 0) {
        /* large enough, or the run's last frames, or no pixels: straight in
         * (so a run whose step is large never allocates the buffer) */
        if (mt->staged == 0 && (n_rows >= XPCS_MT_STAGE_FRAMES ||
                                mt->pushed + n_rows >= mt->n_frames || mt->n_pixels == 0)) {
            correlate(mt, src, type, n_rows, ld, row_scale);
            break;
        }
        if (!mt->stage || mt->stage_elem < esize) {
            free(mt->stage);
            mt->stage = xpcs_malloc((size_t)XPCS_MT_STAGE_FRAMES * (size_t)mt->n_pixels * esize);
            mt->stage_elem = esize;
        }
        mt->stage_type = type;
        mt->stage_scaled = row_scale != NULL;
        int64_t take = XPCS_MT_STAGE_FRAMES - mt->staged;
        if (take > n_rows)
            take = n_rows;
        for (int64_t r = 0; r < take; r++) {
            memcpy(mt->stage + (size_t)(mt->staged + r) * (size_t)mt->n_pixels * esize,
                   src + (size_t)r * (size_t)ld * esize, (size_t)mt->n_pixels * esize);
            if (row_scale)
                mt->stage_scale[mt->staged + r] = row_scale[r];
        }
        mt->staged += take;
        src += (size_t)take * (size_t)ld * esize;
        if (row_scale)
            row_scale += take;
        n_rows -= take;
        if (mt->staged == XPCS_MT_STAGE_FRAMES)
            xpcs_multitau_settle(mt);
    }
    /* every frame in: nothing may wait for a settle that never comes */
    if (mt->pushed + mt->staged >= mt->n_frames)
        xpcs_multitau_settle(mt);
}

/* The sums of delay j over the first n_frames frames (all pushed). */
static void result_at(const xpcs_multitau *mt, int64_t n_frames, int j, double *G2, double *IP,
                      double *IF);

/* The final sums of delay j exist: every frame pushed, j a delay. */
static xpcs_status result_check(const xpcs_multitau *mt, int j, xpcs_err *err)
{
    if (mt->pushed != mt->n_frames)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "multitau: %lld of %lld frames pushed",
                         (long long)mt->pushed, (long long)mt->n_frames);
    if (j < 0 || j >= mt->n_delays)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "multitau: no delay %d", j);
    return XPCS_OK;
}

xpcs_status xpcs_multitau_result(const xpcs_multitau *mt, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err)
{
    const xpcs_status st = result_check(mt, j, err);
    if (!st)
        result_at(mt, mt->n_frames, j, G2, IP, IF);
    return st;
}

xpcs_status xpcs_multitau_result_so_far(const xpcs_multitau *mt, int j, double *G2, double *IP,
                                        double *IF, xpcs_err *err)
{
    if (mt->staged > 0)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "multitau: %lld frames wait to be settled",
                         (long long)mt->staged);
    /* the state after F frames is the state of a run of F frames: level L
     * holds exactly F >> L frames, and its sums only their pairs */
    if (j < 0 || j >= xpcs_multitau_delays(mt->pushed, NULL, NULL, NULL))
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "multitau: no delay %d after %lld frames", j,
                         (long long)mt->pushed);
    result_at(mt, mt->pushed, j, G2, IP, IF);
    return XPCS_OK;
}

/* Pixels [pa, pb) of tile t, delay j, after n_frames frames: to G2[0 ..
 * pb - pa) etc. */
static void tile_result(const xpcs_multitau *mt, const mt_tile *t, int64_t n_frames, int j, int pa,
                        int pb, double *G2, double *IP, double *IF)
{
    const int L = mt->level[j], m = mt->lag[j];
    const int64_t nl = n_frames >> L;
    const double n = (double)(nl - m);
    /* divide (not multiply by a reciprocal): exact sums stay exact, so
     * constant frames give G2 = c^2 and IP = IF = c to the last bit */
    const double g2_den = n * (double)((int64_t)1 << (2 * L));
    const double i_den = n * (double)((int64_t)1 << L);
    const double *acc = vec(t, L, V_ACC(m));
    const double *tot = vec(t, L, V_TOTAL);
    for (int p = pa; p < pb; p++) {
        double head = 0.0, tail = 0.0; /* first m and last m level frames */
        for (int k = 0; k < m; k++) {
            head += vec(t, L, V_FIRST(k))[p];
            tail += vec(t, L, V_RING((int)((nl - 1 - k) % RING)))[p];
        }
        G2[p - pa] = acc[p] / g2_den;
        IP[p - pa] = (tot[p] - head) / i_den; /* later window  k = m..N_L-1 */
        IF[p - pa] = (tot[p] - tail) / i_den; /* earlier window k = 0..N_L-1-m */
    }
}

static void result_at(const xpcs_multitau *mt, int64_t n_frames, int j, double *G2, double *IP,
                      double *IF)
{
#pragma omp parallel for schedule(static)
    for (int64_t ti = 0; ti < mt->n_tiles; ti++) {
        const mt_tile *t = &mt->tiles[ti];
        const int64_t q = t->first_pixel;
        tile_result(mt, t, n_frames, j, 0, t->w, G2 + q, IP + q, IF + q);
    }
}

xpcs_status xpcs_multitau_result_block(const xpcs_multitau *mt, int j, int64_t p0, int64_t p1,
                                       double *G2, double *IP, double *IF, xpcs_err *err)
{
    const xpcs_status st = result_check(mt, j, err);
    for (int64_t p = p0; p < p1 && !st;) { /* tile by tile */
        const mt_tile *t = &mt->tiles[p / XPCS_MT_TILE];
        const int pa = (int)(p - t->first_pixel);
        const int pb = (int)(p1 - t->first_pixel < t->w ? p1 - t->first_pixel : t->w);
        tile_result(mt, t, mt->n_frames, j, pa, pb, G2 + (p - p0), IP + (p - p0), IF + (p - p0));
        p = t->first_pixel + pb;
    }
    return st;
}
