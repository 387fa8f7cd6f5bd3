/* resfile: the open result file behind xpcs_resfile (io-private). */
#ifndef XPCS_RESFILE_PRIVATE_H
#define XPCS_RESFILE_PRIVATE_H

#include <hdf5.h>

#include "xpcs/config/config.h"
#include "xpcs/io/h5out.h"

struct xpcs_resfile {
    hid_t f;                     /* open, read-write */
    char tmp[XPCS_PATH_MAX + 8]; /* "<final>.tmp" */
    char final[XPCS_PATH_MAX];
};

#endif
