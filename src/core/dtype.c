/* dtype: the element types of frames and of the data moved between ranks. */
#include "xpcs/core/dtype.h"

#include <string.h>

size_t xpcs_dtype_size(xpcs_dtype t)
{
    switch (t) {
    case XPCS_DT_U8:
        return 1;
    case XPCS_DT_U16:
        return 2;
    case XPCS_DT_U32:
        return 4;
    case XPCS_DT_F64:
        return 8;
    default:
        return 0;
    }
}

const char *xpcs_dtype_name(xpcs_dtype t)
{
    switch (t) {
    case XPCS_DT_U8:
        return "uint8";
    case XPCS_DT_U16:
        return "uint16";
    case XPCS_DT_U32:
        return "uint32";
    case XPCS_DT_F64:
        return "float64";
    default:
        return "invalid";
    }
}

xpcs_dtype xpcs_dtype_from_name(const char *name)
{
    for (int t = XPCS_DT_U8; t <= XPCS_DT_F64; t++)
        if (name && strcmp(name, xpcs_dtype_name((xpcs_dtype)t)) == 0)
            return (xpcs_dtype)t;
    return XPCS_DT_INVALID;
}
