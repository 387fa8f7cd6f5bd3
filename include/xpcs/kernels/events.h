/* events: photon events, the sparse form of detector frames (the one copy
 * of frame -> event extraction and of events -> CSR, used by the multitau
 * owners, the two-time owners and the sources).
 *
 *   frame CSR   a block of frames as non-zero pixels: fptr [n_frames + 1],
 *               fpix (flat detector pixel, ascending within a frame), fcnt
 *   triplets    (key, frame, count) uint32, 3 per event: what ranks send to
 *               the owners (key = flat pixel or the owner's column)
 *   column CSR  the events of each owned column (pixel): ptr [n_cols + 1],
 *               frames (ascending) and counts; what the event kernels read
 */
#ifndef XPCS_EVENTS_H
#define XPCS_EVENTS_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"

/* A block of frames as events (frame CSR); grown as needed, kept between
 * steps. */
typedef struct {
    int64_t *ptr;        /* [n_frames + 1] */
    uint32_t *pix, *cnt; /* [ptr[n_frames]] flat detector pixel, count */
    int64_t ptr_cap, cap;
} xpcs_frame_csr;

/* Room for n_frames frames and n_events events (the events are kept). */
void xpcs_frame_csr_reserve(xpcs_frame_csr *f, int64_t n_frames, int64_t n_events);
void xpcs_frame_csr_free(xpcs_frame_csr *f);

/* Appends the non-zero pixels of one frame of npix values of type t to
 * pix/cnt in ascending order and returns how many.  pix and cnt need room
 * for npix values (the scan writes ahead and overwrites). */
int64_t xpcs_events_extract(const void *frame, xpcs_dtype t, int64_t npix, uint32_t *pix,
                            uint32_t *cnt);

/* The column CSR of n triplets t[3 n], stable (each column keeps its events'
 * order).  The column of a triplet is loc[t[0] - loc_lo] when loc is given
 * (flat pixel -> column), else t[0].  ptr gets n_cols + 1 entries.
 *  - frame/count given (room for n + 1 each): a direct counting sort, t
 *    left as it is (peak memory 12 + 8 bytes per event);
 *  - frame/count NULL: in place, *frame_out = t and *count_out = t + n + 1,
 *    by a two-pass radix partition (by blocks of columns into *scratch,
 *    grown as needed and kept for the next call, or a temporary one when
 *    scratch is NULL, then within each block), so the random writes of a
 *    large epoch stay inside L2 (peak 12 + 12 bytes per event).
 * Both give the same CSR. */
void xpcs_events_csr(uint32_t *t, int64_t n, int64_t n_cols, const uint32_t *loc, int64_t loc_lo,
                     int64_t *ptr, uint32_t *frame, uint32_t *count, uint32_t **frame_out,
                     uint32_t **count_out, uint32_t **scratch, int64_t *scratch_cap);

/* The same CSR in two parts, so that the first can run on each part of an
 * epoch while it is still in cache: xpcs_events_columns turns the keys of
 * n triplets into columns (as above) in place and adds 1 to counts[column
 * + 1] for each (counts: n_cols + 1 entries, zeroed by the caller before
 * the first part); xpcs_events_csr_counted then takes all the epoch's
 * triplets (columns) and those counts, turns counts into ptr and returns
 * the CSR in place as xpcs_events_csr with frame/count NULL. */
void xpcs_events_columns(uint32_t *t, int64_t n, const uint32_t *loc, int64_t loc_lo,
                         int64_t *counts);
void xpcs_events_csr_counted(uint32_t *t, int64_t n, int64_t n_cols, int64_t *ptr,
                             uint32_t **frame_out, uint32_t **count_out, uint32_t **scratch,
                             int64_t *scratch_cap);

/* Sums the counts of repeated frames within each column (several raw
 * frames in one output frame, repeated event words) and compacts ptr,
 * frame and count.  Returns 0, or the first frame whose summed count
 * passes 2^32 - 1 (+1: *bad_frame holds it) after which sums wrap. */
int xpcs_events_merge(int64_t *ptr, int64_t n_cols, uint32_t *frame, uint32_t *count,
                      uint32_t *bad_frame);

#endif
