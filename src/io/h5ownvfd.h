/* h5ownvfd: an HDF5 file driver for a result file that other ranks write
 * into (io-private).
 *
 * A POSIX file, like HDF5's default sec2 driver, with one more mode:
 * while xpcs_h5own_skip_raw(1) is on, the raw data HDF5 writes is not
 * written.  HDF5 still allocates its space and indexes it (a chunk given
 * to H5Dwrite_chunk), and the rank that holds the bytes writes them there
 * itself (two-time maps: the rank that computed and compressed the chunk,
 * pipeline/ttmaps.c).  HDF5 1.10 has no parallel direct chunk write; this
 * keeps the file's metadata on one rank while the data goes from every
 * rank straight to the file.
 *
 * Nothing of the driver is stored in the file (no driver info block):
 * any reader opens it with HDF5's default driver.  The metadata
 * accumulator is off, so no raw byte is ever held and written back by
 * HDF5 over what the owners wrote.  Failed reads and writes put
 * "errno = N" in HDF5's error stack as sec2 does (h5pub.c reads it). */
#ifndef XPCS_H5OWNVFD_H
#define XPCS_H5OWNVFD_H

#include <hdf5.h>

/* A file access property list with the driver set (close it with
 * H5Pclose); -1 if the driver cannot be registered. */
hid_t xpcs_h5own_fapl(void);

/* on: HDF5's raw data writes are skipped (space and index only) until
 * called again with 0.  HDF5 is not thread-safe here: one thread calls. */
void xpcs_h5own_skip_raw(int on);

#endif
