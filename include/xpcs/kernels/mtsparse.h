/* mtsparse: the event-based multi-tau kernel (no MPI, no HDF5).
 *
 * Same delay list, level coarsening, end-of-run scaling and per-pixel
 * results as the dense kernel (multitau.h), computed from the non-zero
 * (frame, count) events of each pixel alone, and bit-identical to it:
 * every sum of the dense kernel gets, per pixel, its non-zero terms added in
 * the same (time) order, and adding the dense kernel's zero terms is the
 * identity (values are >= 0, sums start at +0.0).  In particular:
 *  - level L+1 frame k is the sum of level-L frames 2k and 2k+1, formed only
 *    for k < N_{L+1} (an odd leftover frame never moves up); a frame whose
 *    partner is zero moves up unchanged (x + 0 = x exactly);
 *  - G2 sums get the products x(k-m) x(k) in increasing k; the window sums
 *    IP/IF are total minus the sum of the first / last m level frames, those
 *    summed in the dense kernel's order (first: increasing, last:
 *    decreasing index);
 *  - with a frame scale (--normalize-frame) a value is count * scale[frame],
 *    the same product the dense kernel forms.
 * Cost: proportional to the events times the levels they reach, plus a
 * small per-pixel state (about 13 doubles per level); pixels without events
 * cost nothing.
 *
 * Frames arrive in pushes of consecutive frame ranges; each push gives, per
 * pixel, its events of that range in CSR form (pixel-major).  Between pushes
 * a pixel keeps only its level frames of the last 8 level-frame slots.  The
 * split of frames into pushes, of pixels into OpenMP threads, or of pixels
 * over ranks cannot change a bit.
 */
#ifndef XPCS_MTSPARSE_H
#define XPCS_MTSPARSE_H

#include <stdint.h>

#include "xpcs/core/status.h"

typedef struct xpcs_mtsparse xpcs_mtsparse;

/* State for n_pixels pixel series of n_frames frames (n_frames < 2^31). */
xpcs_status xpcs_mtsparse_create(int64_t n_frames, int64_t n_pixels, xpcs_mtsparse **out,
                                 xpcs_err *err);
void xpcs_mtsparse_destroy(xpcs_mtsparse **ms);

/* Bytes of result state per pixel for n_frames (memory estimates). */
double xpcs_mtsparse_bytes_per_pixel(int64_t n_frames);

/* Push frames [f0, f0 + n_fr), f0 = frames pushed so far.  Pixel p's events
 * are frame[ptr[p] .. ptr[p+1]) (strictly increasing, inside the range) with
 * counts count[...]; frame_scale[f - f0] multiplies the counts of frame f
 * (NULL = none).  OpenMP parallel over pixel blocks. */
void xpcs_mtsparse_push(xpcs_mtsparse *ms, int64_t f0, int64_t n_fr, const int64_t *ptr,
                        const uint32_t *frame, const uint32_t *count, const double *frame_scale);

int64_t xpcs_mtsparse_frames_pushed(const xpcs_mtsparse *ms);
int xpcs_mtsparse_n_delays(const xpcs_mtsparse *ms);
const int64_t *xpcs_mtsparse_delay_list(const xpcs_mtsparse *ms);

/* After all frames: per-pixel G2, IP, IF of delay j ([n_pixels] each),
 * bit-identical to xpcs_multitau_result on the same data. */
xpcs_status xpcs_mtsparse_result(const xpcs_mtsparse *ms, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err);
/* The same for pixels [p0, p1) only, to G2[0 .. p1 - p0) etc., on the
 * calling thread (xpcs_g2norm_fill_pass); p0 == p1 only checks j. */
xpcs_status xpcs_mtsparse_result_block(const xpcs_mtsparse *ms, int j, int64_t p0, int64_t p1,
                                       double *G2, double *IP, double *IF, xpcs_err *err);

#endif
