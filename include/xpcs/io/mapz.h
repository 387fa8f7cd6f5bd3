/* mapz: the two-time maps' chunks, compressed on the rank that computed
 * them.
 *
 * A map (n, n) float32 is stored chunked (chunk x chunk) with LZF (filter
 * 32000, as boost_corr writes its maps) where HDF5 finds that filter, else
 * deflate; chunks wholly below the diagonal are never written, so the empty
 * triangle takes no space.  Rank 0 alone has the result file open (serial
 * HDF5): the ranks that compute a map compress its chunks here, through an
 * in-memory HDF5 file with the same filter (HDF5 runs the filter, so a
 * chunk is what HDF5 would have written), and send them to rank 0, which
 * puts them into the file as they are (xpcs_h5x_map_chunk). */
#ifndef XPCS_MAPZ_H
#define XPCS_MAPZ_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/status.h"

#define XPCS_MAPZ_LZF 32000 /* HDF5 filter ids */
#define XPCS_MAPZ_DEFLATE 1
#define XPCS_MAPZ_DEFLATE_LEVEL 1 /* deflate 4 saves 2 % more at 1.3x the time */

/* How the maps are stored: the same on every rank (rank 0 picks it). */
typedef struct {
    int32_t filter; /* XPCS_MAPZ_LZF or XPCS_MAPZ_DEFLATE */
    int32_t chunk;  /* chunk side: min(256, n) */
} xpcs_mapz_spec;

/* The storage of (n, n) maps: LZF when HDF5 has the filter, else deflate. */
xpcs_mapz_spec xpcs_mapz_choose(int64_t n);
/* "lzf" / "gzip" */
const char *xpcs_mapz_name(const xpcs_mapz_spec *s);

typedef struct xpcs_mapz xpcs_mapz;

xpcs_status xpcs_mapz_create(const xpcs_mapz_spec *s, xpcs_mapz **out, xpcs_err *err);
/* Compresses one chunk (chunk x chunk float32, row-major, zeros outside the
 * map).  *bytes points into z (valid until the next call); *mask is HDF5's
 * filter mask (1: stored without the filter, which could not shrink it). */
xpcs_status xpcs_mapz_pack(xpcs_mapz *z, const float *blk, const void **bytes, size_t *n,
                           uint32_t *mask, xpcs_err *err);
void xpcs_mapz_destroy(xpcs_mapz **z);

#endif
