/* fileutil: small file-system helpers shared by the writers. */
#ifndef XPCS_FILEUTIL_H
#define XPCS_FILEUTIL_H

#include <stddef.h>

#include "xpcs/core/status.h"

/* Copies src to dst byte for byte (1 MiB at a time) and gives dst the
 * permission bits of src.  `role` names src in error messages ("metadata
 * file", "result file", ...).  On failure dst may exist partly: the caller
 * removes it (it is always a temporary name). */
xpcs_status xpcs_copy_file(const char *src, const char *dst, const char *role, xpcs_err *err);

#endif
