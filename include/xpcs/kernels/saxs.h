/* saxs: time-averaged scattering and intensity vs time (no MPI, no HDF5).
 *
 * Accumulated on the reader side, on whole frames, so every pixel of the
 * detector is covered whoever owns it for correlation.  Conventions:
 *  - scattering_2d(p)  = mean over frames of I_p (counts/pixel/frame) x mask
 *  - scattering_1d(s)  = mean of scattering_2d over the pixels of static bin
 *                        s (mask != 0), empty static bins dropped
 *  - segments: the run is cut into n_seg equal segments of 2^L frames, L the
 *    smallest level with (N >> L) <= 16 (so 9..16 segments, as boost_corr's
 *    multitau); a leftover tail of fewer than 2^L frames is in no segment.
 *    Segment k holds the true mean intensity of each static bin over its
 *    frames (not boost_corr's partial sum / N).
 *  - intensity_vs_time(t) = sum of I over the pixels with mask != 0 divided by
 *    their number (not over all detector pixels: hot pixels are masked).
 * Frames may be sums of avg raw frames (-a); finish divides by avg.
 * Sums of integer counts are exact in double, so results do not depend on
 * how frames are split among ranks.
 */
#ifndef XPCS_SAXS_H
#define XPCS_SAXS_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"

typedef struct xpcs_saxs xpcs_saxs;

/* mask, smap: [n_pixels] (copied).  Free with _destroy. */
xpcs_saxs *xpcs_saxs_create(int64_t n_pixels, int64_t n_frames, const int32_t *mask,
                            const int32_t *smap, int n_sq);
void xpcs_saxs_destroy(xpcs_saxs **s);

int xpcs_saxs_n_segments(const xpcs_saxs *s);

/* frames: [n][n_pixels] of type t, global frame indices first..first+n-1,
 * called with increasing frame indices.  frame_sum[i] receives the masked
 * pixel sum of frame i. */
void xpcs_saxs_add_frames(xpcs_saxs *s, const void *frames, xpcs_dtype t, int64_t n, int64_t first,
                          double *frame_sum);

/* One pass over the frames for the SAXS sums, the frame sums and a copy
 * of some pixels (the pack for the pixel owners): frame i's pixels
 * [pix0, pix0 + len) also go to dst + i * stride bytes, as elements of type
 * t.  cp [n_cp] ascending by pix0, not overlapping.  Integer frames are
 * summed in integer lanes (exact, so the double sums are the same). */
typedef struct {
    int64_t pix0, len;
    char *dst;
    size_t stride;
} xpcs_saxs_copy;
void xpcs_saxs_add_frames_copy(xpcs_saxs *s, const void *frames, xpcs_dtype t, int64_t n,
                               int64_t first, double *frame_sum, const xpcs_saxs_copy *cp,
                               int64_t n_cp);

/* The same from events: frame first + i has the non-zero counts
 * count[ptr[i] .. ptr[i+1]) at pixels pixel[...] (a pixel may repeat: the
 * counts add).  Integer sums, so the result equals add_frames' on the same
 * data whatever the split of frames or events over calls and ranks.
 * frame_sum may be NULL (the caller forms the frame sums). */
void xpcs_saxs_add_events(xpcs_saxs *s, int64_t first, int64_t n, const int64_t *ptr,
                          const uint32_t *pixel, const uint32_t *count, double *frame_sum);

/* Closes the open segment; then the sums below are complete for this rank. */
void xpcs_saxs_flush(xpcs_saxs *s);
/* Image sums [n_pixels] and segment sums [n_seg][n_sq + 1]: reduce with SUM. */
double *xpcs_saxs_image_sum(xpcs_saxs *s);
double *xpcs_saxs_segment_sum(xpcs_saxs *s, int64_t *count);
/* Each pixel's largest count in one frame (one event's with events; -a:
 * of the summed frames) [n_pixels]: reduce with MAX (data quality). */
double *xpcs_saxs_pixel_max(xpcs_saxs *s);

/* Root, after the reduction.  scattering_2d [n_pixels]; the non-empty static
 * bins' ids (1-based) in sq_ids [n_sq] and their count in *n_out;
 * scattering_1d [n_sq]; segments [n_seg][n_out]. */
void xpcs_saxs_finish(const xpcs_saxs *s, int64_t avg, double *scattering_2d, int *sq_ids,
                      int *n_out, double *scattering_1d, double *segments);

int64_t xpcs_saxs_n_mask(const xpcs_saxs *s);

/* --normalize-frame: scale[i] = valid pixels / frame_sum[i] (1 for a frame
 * that sums to 0), for n frames. */
void xpcs_saxs_frame_scale(const xpcs_saxs *s, const double *frame_sum, int64_t n, double *scale);
/* intensity_vs_time: out[k] = frame_sum[k] / (valid pixels x avg), the mean
 * count per valid pixel and raw frame (0 without valid pixels). */
void xpcs_saxs_intensity(const xpcs_saxs *s, const double *frame_sum, int64_t n, int64_t avg,
                         double *out);

#endif
