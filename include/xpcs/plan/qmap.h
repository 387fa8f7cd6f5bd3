/* qmap: pixel -> (dynamic bin, static bin) labels and the correlated pixel
 * list (no MPI, no HDF5; h5in.c reads the file).
 *
 * A pixel is "valid" when mask != 0 (and blemish != 0 when the file has one).
 * Static bins nest in dynamic bins: sq_to_dq[s] is the dynamic bin of static
 * bin s (the most common dynamic label among its valid pixels; 0 = none).
 * A pixel is correlated when it is valid and has a dynamic label, or has a
 * static label whose static bin maps to a dynamic bin (static-bin means
 * include every pixel of the bin).  Correlated pixels are listed in
 * ascending flat index (row * cols + col); ranks own contiguous slices.
 */
#ifndef XPCS_QMAP_H
#define XPCS_QMAP_H

#include <stdint.h>

#include "xpcs/core/status.h"

typedef struct {
    int64_t rows, cols, n_pixels;
    int32_t *mask; /* [n_pixels] 1 = valid (blemish folded in) */
    int32_t *dmap; /* [n_pixels] dynamic label 0..n_dq (0 where not valid) */
    int32_t *smap; /* [n_pixels] static label 0..n_sq (0 where not valid) */
    int n_dq, n_sq;
    int32_t *sq_to_dq; /* [n_sq + 1] */
    int64_t n_corr;
    int64_t *corr_pixel; /* [n_corr] flat indices, ascending */
    int64_t n_valid;
    int64_t n_nonnested; /* valid pixels whose dq differs from their sq bin's */
    char hash[256];      /* /qmap hash attribute ("" if absent) */
} xpcs_qmap;

/* Takes ownership of mask/dmap/smap (malloc'd, [rows*cols]); builds the rest.
 * `what` names the file in error messages. */
xpcs_status xpcs_qmap_build(xpcs_qmap *q, const char *what, xpcs_err *err);
void xpcs_qmap_free(xpcs_qmap *q);

#endif
