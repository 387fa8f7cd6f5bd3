/* mtsparse_impl: the event multitau kernel's state (private to kernels),
 * shared by mtsparse.c (create, results) and the push path compiled once per
 * SIMD level (mtsparse_push.c).  See include/xpcs/mtsparse.h for the
 * convention and why it is bit-identical to the dense kernel.
 *
 * Data structure manifest:
 *   state   [n_tiles][n_slots][TW] doubles: per pixel and level L the G2
 *           sums acc[m], the head sums (first m level frames), the tail sums
 *           (last m level frames, filled at the end) and the total; lags
 *           m = 1..8 at level 0 and 5..8 above (TW pixels per tile: a
 *           delay's values of a tile are contiguous, so reading them out is
 *           a stream; a pixel's slots of a level stay few cache lines).
 *   blocks  BP pixels each, with the carry of their pixels: per level, the
 *           level frames (index k, value) with k >= F_L - 8, F_L the number
 *           of complete level-L frames so far.  Later level frames have
 *           k >= F_L, so these are all a later product or the end-of-run
 *           tail can need; a carried even frame whose partner is not yet
 *           complete is still to be moved up (pending).
 */
#ifndef XPCS_MTSPARSE_IMPL_H
#define XPCS_MTSPARSE_IMPL_H

#include <stdint.h>

#include "xpcs/kernels/multitau.h"
#include "xpcs/kernels/mtsparse.h"

#define TW 256 /* pixels per state tile */
#define BP 256 /* pixels per carry block (a multiple of TW) */
#define HIST 8 /* level frames kept back: the largest lag */
#define MAXLEV 64

typedef struct {
    int64_t k;
    double v;
} mts_entry;

typedef struct {
    int32_t level;
    int32_t k;
    double v;
} mts_carry;

typedef struct {
    mts_carry *carry; /* this block's pixels' carry, pixel-major, level-ascending */
    int64_t cap;
    uint32_t off[BP + 1];
} mts_block;

struct xpcs_mtsparse {
    int64_t n_frames, n_pixels;
    int n_levels, n_delays;
    int64_t delays[XPCS_MT_MAX_DELAYS];
    int level[XPCS_MT_MAX_DELAYS];
    int lag[XPCS_MT_MAX_DELAYS];
    int base[MAXLEV]; /* first slot of each level */
    int n_slots;
    int64_t n_tiles, n_blocks;
    double *state;
    mts_block *blocks;
    int64_t pushed;
};

/* slots of level L: acc[nlag], head[nlag], tail[nlag], total */
static inline int nlag_of(int L)
{
    return L == 0 ? 8 : 4;
}
static inline int m0_of(int L)
{
    return L == 0 ? 1 : 5;
}

#endif
