/* h5check: the raw frames dataset, checked by one rank before any rank
 * reads it (io-private).
 *
 * Every rank reads its own frames, so a fault that only one rank's frames
 * meet (a damaged chunk index entry, a chunk past the end of the file) used
 * to fail that rank inside a read the others had entered (issue 17).  Rank 0
 * opens the file with the serial driver and checks what the reads will rely
 * on, and every rank agrees on the outcome before any frame is read:
 *  - contiguous: the data is stored (not a never-written dataset), the
 *    storage holds every frame the dataspace claims, and it ends inside the
 *    file (a dataspace claiming 10x the frames is refused, not read as
 *    zeros);
 *  - chunked: every chunk of the extent is in the chunk index (found by its
 *    coordinates, so every index node on the way is read once), none is
 *    extra, each lies inside the file, has the size of a chunk (unfiltered)
 *    or a plausible compressed size (filtered), and no two overlap;
 *  - virtual (VDS): each source file exists and is a regular file, its
 *    source dataset exists and passes the checks above, and the mappings
 *    cover the whole dataspace (an unmapped frame would read as the fill
 *    value); a missing source is named.
 * What the collective open checks itself (the file is HDF5, the dataset
 * exists, is 3-D and unsigned, its filters) is left to it: the same message
 * on every rank.
 *
 * The watch list: the files a read depends on (the raw file, the VDS
 * sources) and their sizes when checked; a file that shrinks while it is
 * read is an error, not frames of zeros (HDF5 reads past the end of a file
 * as zeros). */
#ifndef XPCS_H5CHECK_H
#define XPCS_H5CHECK_H

#include <stdint.h>

#include "xpcs/core/status.h"

typedef struct {
    int vds;       /* a virtual dataset: every rank reads it with the serial driver */
    int n;         /* files watched */
    char **paths;  /* [n]: the raw file, then the VDS source files */
    int64_t *size; /* [n]: their sizes when checked */
} xpcs_h5watch;

/* Rank 0: checks dataset of path as above and fills w (free with
 * xpcs_h5watch_free, also on failure). */
xpcs_status xpcs_h5check_raw(const char *path, const char *dataset, xpcs_h5watch *w, xpcs_err *err);
void xpcs_h5watch_free(xpcs_h5watch *w);
/* The watch list as bytes (rank 0) and back (the others), for a broadcast;
 * pack's result is freed with free(). */
char *xpcs_h5watch_pack(const xpcs_h5watch *w, int64_t *bytes);
void xpcs_h5watch_unpack(const char *buf, int64_t bytes, xpcs_h5watch *w);
/* An error naming the first watched file that is now smaller than when it
 * was checked (or gone), XPCS_OK when none is. */
xpcs_status xpcs_h5watch_sizes(const xpcs_h5watch *w, xpcs_err *err);

#endif
