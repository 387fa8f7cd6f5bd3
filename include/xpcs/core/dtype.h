/* dtype: the element types of detector frames, of the series moved between
 * ranks and of the kernels' inputs (no MPI here: parallel/comm maps them to
 * MPI datatypes). */
#ifndef XPCS_DTYPE_H
#define XPCS_DTYPE_H

#include <stddef.h>

typedef enum { XPCS_DT_INVALID = 0, XPCS_DT_U8, XPCS_DT_U16, XPCS_DT_U32, XPCS_DT_F64 } xpcs_dtype;

/* Bytes of one element (0 for XPCS_DT_INVALID). */
size_t xpcs_dtype_size(xpcs_dtype t);
/* "uint8", "uint16", "uint32", "float64" (HDF5 and NumPy spelling). */
const char *xpcs_dtype_name(xpcs_dtype t);
/* The type of such a name; XPCS_DT_INVALID for any other. */
xpcs_dtype xpcs_dtype_from_name(const char *name);

#endif
