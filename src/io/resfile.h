/* resfile: the open result file behind xpcs_resfile (io-private). */
#ifndef XPCS_RESFILE_PRIVATE_H
#define XPCS_RESFILE_PRIVATE_H

#include <hdf5.h>

#include "xpcs/core/publish.h"
#include "xpcs/io/h5out.h"

struct xpcs_resfile {
    hid_t f;           /* open, read-write */
    xpcs_publish *pub; /* its temporary (core/publish.h) */
    void *scratch;     /* xpcs_h5x_map_reserve's stand-in bytes */
    size_t scratch_cap;
    hid_t map_ds; /* the two-time map whose chunks came last (h5extra.c), -1 */
    char map_path[64];
};

/* Closes the map kept open by h5extra.c (before the file is closed). */
void xpcs_resfile_close_map(xpcs_resfile *w);

/* Room for `more` bytes of datasets before they are written (h5pub.h). */
xpcs_status xpcs_resfile_reserve(xpcs_resfile *w, double more, xpcs_err *err);

#endif
