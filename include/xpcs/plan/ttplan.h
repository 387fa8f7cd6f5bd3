/* ttplan: the two-time decomposition as plain data (every rank builds the
 * same copy).
 *
 * Bins.  The selected dynamic bins (-d) with valid pixels, in ascending
 * label order; each bin's pixels ordered by (static label, pixel index), so
 * the smoothing groups (-s sqmap: one per static label; dqmap and none: the
 * whole bin) are runs of columns.
 * Owners.  Every bin goes to one rank: largest bins first, each to the least
 * loaded rank (ties: the lower rank); a bin's work is about N^2 (n + 32).
 * Tiles.  A bin whose map does not fit one rank's budget is split into
 * tiles of consecutive map rows over a group of ranks (the least loaded,
 * rows in rank order), balanced by the area of the upper triangle; every
 * tile comes from the same exact group products, so the map does not depend
 * on the split.  The bin's owner (its first tile's rank) receives the
 * series; the other ranks of the group get a copy after the last step.
 * Columns.  Rank r's store holds the columns xpix[xpf[r] .. xpf[r+1]) (the
 * pixels of the bins it owns, bin by bin); col0[b] is bin b's first column
 * in its owner's store.
 */
#ifndef XPCS_TTPLAN_H
#define XPCS_TTPLAN_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/config/config.h"
#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"
#include "xpcs/plan/qmap.h"

typedef struct xpcs_ttplan {
    int n_ranks, rank;
    int64_t N;     /* output frames: maps are N x N */
    xpcs_dtype xt; /* series type (the plan's transfer type) */
    int smooth;    /* xpcs_smooth (kernels/twotime.h) */
    char smooth_name[16];
    int n_bins;
    int32_t *bin;       /* [n_bins] 1-based dynamic bin */
    int64_t *bin_first; /* [n_bins + 1] into pix */
    int64_t *pix;       /* pixels, bin by bin, ordered by (static label, index) */
    int64_t *grp;       /* group column starts within their bin, per bin */
    int64_t *grp_first; /* [n_bins + 1] into grp (each bin: n_groups + 1 entries) */
    int *owner;         /* [n_bins]: the rank of the bin's first tile */
    /* tiles: bin b's are [bin_tile[b], bin_tile[b + 1]), rows ascending */
    int n_tiles;
    int *bin_tile;                 /* [n_bins + 1] */
    int *tile_rank;                /* [n_tiles] */
    int64_t *tile_row0;            /* [n_tiles] map rows [tile_row0, tile_row1) */
    int64_t *tile_row1;            /* [n_tiles] */
    int64_t *xpix, *xpf;           /* columns rank by rank: xpf [n_ranks + 1] */
    int64_t *col0;                 /* [n_bins] first column of the bin in its owner's store */
    int64_t n_cols;                /* this rank's columns */
    int64_t step_frames, max_mine; /* the plan's step and a rank's largest share */
    double *rank_bytes;            /* [n_ranks] maps, results (+ the dense store unless events) */
    double *store_bytes;           /* [n_ranks] of which the dense series store (its own bins' and
                                    * the copies of split bins) and its send buffer */
    int min_ranks; /* ranks the largest split needs (1: nothing split, 0: tiles do not help) */
    double need;   /* the largest rank's maps + the largest store (when fitted with it) */
} xpcs_ttplan;

/* Bins, pixels, owners, tiles and memory per rank.  events: the event
 * pipeline may feed the bins (the dense store is then left out of
 * rank_bytes: it is counted once the kernel is chosen).  room: the bytes a
 * rank has for two-time; a bin whose map does not fit in it is split into
 * tiles (< 0: never split); fit_store: the dense store may be needed (the
 * dense kernel may run): fit it in room too.  *max_bytes, *max_rank: the
 * largest rank's need. */
xpcs_status xpcs_ttplan_create(const xpcs_config *cfg, const xpcs_qmap *q, int64_t n_frames,
                               int n_ranks, int rank, int64_t step_frames, xpcs_dtype xfer_type,
                               int events, int fit_store, double room, xpcs_ttplan **out,
                               double *max_bytes, int *max_rank, xpcs_err *err);
void xpcs_ttplan_destroy(xpcs_ttplan **t);

static inline int64_t xpcs_ttplan_bin_len(const xpcs_ttplan *t, int b)
{
    return t->bin_first[b + 1] - t->bin_first[b];
}
/* The dense series store and its send buffer: the largest rank's bytes. */
void xpcs_ttplan_store_bytes(const xpcs_ttplan *t, double *max_bytes, int *max_rank);
/* Bytes of one tile's computation (X, the tile's rows of C and of the
 * float32 triangle: `area` elements each, the kernel's sums, the exact
 * diagonal sums) for a bin of max_k pixels in max_g groups. */
double xpcs_ttplan_compute_bytes(int64_t N, int64_t max_k, int max_g, double area);
/* Elements of the upper triangle in map rows [r0, r1) of an N x N map. */
static inline double xpcs_ttplan_area(int64_t N, int64_t r0, int64_t r1)
{
    return (double)(r1 - r0) * (double)N -
           ((double)r1 * (double)(r1 - 1) - (double)r0 * (double)(r0 - 1)) / 2.0;
}

void xpcs_ttplan_print(const xpcs_ttplan *t, FILE *out);
/* JSON object text: bins, pixels, owners; free() it. */
char *xpcs_ttplan_json(const xpcs_ttplan *t);

#endif
