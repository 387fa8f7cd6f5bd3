/* fileutil: small file-system helpers shared by the writers. */
#ifndef XPCS_FILEUTIL_H
#define XPCS_FILEUTIL_H

#include <stddef.h>

#include "xpcs/status.h"

/* Copies src to dst byte for byte (1 MiB at a time) and gives dst the
 * permission bits of src.  `role` names src in error messages ("metadata
 * file", "result file", ...).  On failure dst may exist partly: the caller
 * removes it (it is always a temporary name). */
xpcs_status xpcs_copy_file(const char *src, const char *dst, const char *role, xpcs_err *err);

/* The stem that names a run's result and metadata files: the base name of
 * raw without its last extension (a leading dot is kept), and without
 * ".bin.00m" for a module file of a Rigaku 3M set (NAME.bin.003 -> NAME). */
void xpcs_raw_stem(const char *raw, char *stem, size_t n);

#endif
