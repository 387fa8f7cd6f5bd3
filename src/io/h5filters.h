/* h5filters: compressed detector data (issue 7).
 *
 * Frames compressed the way detectors write them are read through HDF5
 * filter plugins (HDF5_PLUGIN_PATH, default
 * /usr/lib/x86_64-linux-gnu/hdf5/openmpi/plugins for the parallel library):
 * Debian's `bitshuffle` package has an openmpi build of the bitshuffle/LZ4
 * filter 32008 (Eiger), `hdf5-plugin-lzf` one of LZF 32000.  Debian's
 * `hdf5-filter-plugin` builds LZ4 32004 and bzip2 307 for the serial library
 * only.  So, for a filter HDF5 cannot find:
 *  - bitshuffle 32008 (with LZ4 or without compression) and LZ4 32004 are
 *    decoded by built-in filters (own bitshuffle, liblz4), registered with
 *    H5Zregister; they decode only;
 *  - any other filter is an error that names it and the plugin path.
 * The pure decoders are exposed for the unit test.
 */
#ifndef XPCS_H5FILTERS_H
#define XPCS_H5FILTERS_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/status.h"

#define XPCS_FILTER_LZF 32000
#define XPCS_FILTER_LZ4 32004
#define XPCS_FILTER_BITSHUFFLE 32008

/* Every filter of the dataset creation property list dcpl is available,
 * from a plugin or built in (registered here when needed); otherwise an
 * error naming file, dataset and filter.  used[] (may be NULL, n entries)
 * receives a short description per filter, e.g. "32008 bitshuffle
 * (built-in)". */
xpcs_status xpcs_h5filters_check(hid_t dcpl, const char *path, const char *dataset, char *used,
                                 size_t n, xpcs_err *err);

/* Decoders (return 0 on success).  Bitshuffle: the bit planes of n
 * elements of elem_size bytes (n a multiple of 8) back into elements. */
void xpcs_bitunshuffle_block(const uint8_t *in, uint8_t *out, size_t n, size_t elem_size);
/* One HDF5 filter 32008 chunk (cd_values as stored) into out (out_size
 * bytes expected). */
int xpcs_bshuf_decode(const uint8_t *in, size_t in_size, const unsigned *cd, size_t n_cd,
                      uint8_t **out, size_t *out_size);
/* One HDF5 filter 32004 chunk. */
int xpcs_lz4h5_decode(const uint8_t *in, size_t in_size, uint8_t **out, size_t *out_size);

#endif
