/* pack: the frame pipeline's data movement inside one rank -- summing the
 * raw frames of one output frame (-a) and packing a step's frames for the
 * pixel owners (send = [owner rank][frame][owner's pixels]). */
#ifndef XPCS_PACK_H
#define XPCS_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/kernels/saxs.h"

/* The correlated pixels of each owner as runs of consecutive flat indices
 * (rings of a q-map are long runs), so packing is a few memcpy per row. */
typedef struct {
    int64_t n_runs;
    int64_t *start;     /* [n_runs] first flat pixel index of the run */
    int64_t *len;       /* [n_runs] */
    int64_t *first_run; /* [n_ranks + 1] runs of owner d: [first_run[d], first_run[d+1]) */
} xpcs_pixel_runs;

/* pix: the ascending correlated-pixel list; pf [n_ranks + 1]: owner d owns
 * pix[pf[d] .. pf[d+1]). */
void xpcs_pixel_runs_build(xpcs_pixel_runs *pr, const int64_t *pix, const int64_t *pf, int n_ranks);
void xpcs_pixel_runs_free(xpcs_pixel_runs *pr);

/* send = [owner d][frame f][owner d's pixels] for count frames of npix
 * elements of esz bytes: owner d's block starts at element count * pf[d]. */
void xpcs_pack_owners(const void *frames, size_t esz, int64_t count, int64_t npix,
                      const xpcs_pixel_runs *pr, const int64_t *pf, int n_ranks, void *send);

/* The same layout as copies for xpcs_saxs_add_frames_copy (the pack fused
 * with the SAXS pass, so the frames are read once): cp [pr->n_runs]; owner
 * self's block goes to self_dst instead when it is not NULL (straight into
 * the receive buffer: no copy to itself through the all-to-all).  Returns
 * the number of copies. */
int64_t xpcs_pack_copies(const xpcs_pixel_runs *pr, const int64_t *pf, int n_ranks, int64_t count,
                         size_t esz, void *send, int self, void *self_dst, xpcs_saxs_copy *cp);

/* out[f] = sum of raw frames f*avg .. f*avg + avg - 1 (count output frames
 * of npix values): raw type rt (u8/u16/u32) into ot (u32 or f64). */
void xpcs_sum_groups(const void *raw, xpcs_dtype rt, void *out, xpcs_dtype ot, int64_t count,
                     int64_t avg, int64_t npix);

#endif
