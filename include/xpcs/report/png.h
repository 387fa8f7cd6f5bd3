/* png: images for the self-contained report.
 *
 * An 8-bit RGB PNG encoder (one IDAT, filter 0, zlib deflate) and the
 * viridis colour map used for the detector image and the two-time maps.
 */
#ifndef XPCS_PNG_H
#define XPCS_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/status.h"

/* rgb: [h][w][3].  *out is malloc'd (free()), *len its size. */
xpcs_status xpcs_png_encode_rgb(const uint8_t *rgb, int w, int h, unsigned char **out, size_t *len,
                                xpcs_err *err);

/* t in [0, 1] (clamped; NaN -> the lowest colour) -> viridis RGB. */
void xpcs_viridis(double t, uint8_t rgb[3]);

#endif
