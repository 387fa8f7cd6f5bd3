/* multitau_impl: the dense multitau kernel's state (private to kernels),
 * shared by multitau.c (create, results) and the push path that is compiled
 * once per SIMD level (multitau_push.c).  Data structure manifest (per tile
 * of W <= XPCS_MT_TILE pixels, per level L < n_levels, each "vec" is W
 * doubles):
 *   ring[RING] vecs   the last 8 level frames, slot = index % RING (the
 *                     history of the next frames and the last-window sums)
 *   first[8] vecs     the first 8 level frames (for the later-window sums)
 *   total[1] vec      sum of all level frames
 *   acc[8] vecs       G2 sums for local lag m = 1..8 (acc[m-1])
 */
#ifndef XPCS_MULTITAU_IMPL_H
#define XPCS_MULTITAU_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/kernels/multitau.h"

#define XPCS_MT_TILE 128
#define RING 8 /* lags reach 8 frames back; nothing reads further */
#define NVEC (RING + 8 + 1 + 8)

typedef struct {
    int64_t first_pixel; /* tile covers pixels [first_pixel, first_pixel + w) */
    int w;
    int64_t *count; /* [n_levels] level frames seen */
    double *state;  /* [n_levels][NVEC][XPCS_MT_TILE] */
} mt_tile;

/* Level blocks: every level runs in blocks of up to XPCS_MT_BLK frames held
 * in a thread's scratch [8 + XPCS_MT_BLK][XPCS_MT_TILE] per level (rows
 * 0..7: the 8 frames before the block, oldest first; rows 8..: the block),
 * plus one spare block.  A level's frames wait there (pending[L] of them)
 * until the block is full or the tile's part of a push ends.  A thread's
 * blocks are kept from push to push (xpcs_mt_blocks_of). */
#define XPCS_MT_BLK 64
#define XPCS_MT_SCRATCH_ROWS (8 + XPCS_MT_BLK)

typedef struct {
    double **scratch; /* [n_levels + 1] blocks of XPCS_MT_SCRATCH_ROWS rows */
    int *pending;     /* [n_levels + 1] frames waiting in scratch[L] rows 8.. */
    int n_levels;
    double *mem;
} mt_blocks;

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
    int64_t pushed; /* frames correlated */
    /* small pushes gathered: [staged][n_pixels] of stage_type, their scales */
    int64_t staged;
    xpcs_dtype stage_type;
    int stage_scaled;
    char *stage;
    size_t stage_elem;
    double stage_scale[XPCS_MT_STAGE_FRAMES];
    int n_blocks;       /* threads that have (or may get) blocks */
    mt_blocks **blocks; /* [n_blocks], NULL until the thread's first push */
};

/* Before a parallel push: room for n_threads threads' blocks. */
void xpcs_mt_blocks_reserve(xpcs_multitau *mt, int n_threads);
/* Thread tid's blocks (tid < the reserved count), made on first use. */
mt_blocks *xpcs_mt_blocks_of(xpcs_multitau *mt, int tid);

static inline double *vec(const mt_tile *t, int L, int v)
{
    return t->state + ((size_t)L * NVEC + (size_t)v) * XPCS_MT_TILE;
}
#define V_RING(k) (k)
#define V_FIRST(k) (RING + (k))
#define V_TOTAL (RING + 8)
#define V_ACC(m) (RING + 8 + 1 + (m)-1)

#endif
