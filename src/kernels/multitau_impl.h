/* multitau_impl: the dense multitau kernel's state (private to kernels),
 * shared by multitau.c (create, results) and the push path that is compiled
 * once per SIMD level (multitau_push.c).  Data structure manifest (per tile
 * of W <= XPCS_MT_TILE pixels, per level L < n_levels, each "vec" is W
 * doubles):
 *   ring[RING] vecs   the last RING level frames, slot = index % RING
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

static inline double *vec(const mt_tile *t, int L, int v)
{
    return t->state + ((size_t)L * NVEC + (size_t)v) * XPCS_MT_TILE;
}
#define V_RING(k) (k)
#define V_FIRST(k) (RING + (k))
#define V_TOTAL (RING + 8)
#define V_ACC(m) (RING + 8 + 1 + (m)-1)

#endif
