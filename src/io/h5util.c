#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/status.h"
#include "xpcs/monitor/provenance.h"

int xpcs_h5_put_pl(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank,
                   const hsize_t *dims, const void *data, hid_t dcpl)
{
    hid_t s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t d = H5Dcreate2(loc, name, ftype, s, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    hsize_t n = 1; /* elements: an empty dataset gets no write */
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    int rc = -1;
    if (d >= 0) {
        rc = n > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ? -1 : 0;
        H5Dclose(d);
    }
    H5Sclose(s);
    return rc;
}

int xpcs_h5_put(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                const void *data)
{
    return xpcs_h5_put_pl(loc, name, type, type, rank, dims, data, H5P_DEFAULT);
}

int xpcs_h5_put_f64(hid_t loc, const char *name, double v)
{
    return xpcs_h5_put(loc, name, H5T_NATIVE_DOUBLE, 0, NULL, &v);
}

int xpcs_h5_put_i64(hid_t loc, const char *name, int64_t v)
{
    return xpcs_h5_put(loc, name, H5T_NATIVE_INT64, 0, NULL, &v);
}

int xpcs_h5_put_i32(hid_t loc, const char *name, int32_t v)
{
    return xpcs_h5_put(loc, name, H5T_NATIVE_INT32, 0, NULL, &v);
}

static hid_t str_type(size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    return t;
}

int xpcs_h5_put_str_pl(hid_t loc, const char *name, const char *v, hid_t dcpl)
{
    hid_t t = str_type(strlen(v) + 1);
    int rc = xpcs_h5_put_pl(loc, name, t, t, 0, NULL, v, dcpl);
    H5Tclose(t);
    return rc;
}

int xpcs_h5_put_str(hid_t loc, const char *name, const char *v)
{
    return xpcs_h5_put_str_pl(loc, name, v, H5P_DEFAULT);
}

int xpcs_h5_put_strs_pl(hid_t loc, const char *name, const char *const *v, int n, hid_t dcpl)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len = strlen(v[i]) + 1 > len ? strlen(v[i]) + 1 : len;
    char *buf = xpcs_calloc((size_t)(n > 0 ? n : 1), len);
    for (int i = 0; i < n; i++)
        memcpy(buf + (size_t)i * len, v[i], strlen(v[i]));
    hid_t t = str_type(len);
    hsize_t d[1] = {(hsize_t)n};
    int rc = xpcs_h5_put_pl(loc, name, t, t, 1, d, buf, dcpl);
    H5Tclose(t);
    free(buf);
    return rc;
}

int xpcs_h5_put_strs(hid_t loc, const char *name, const char *const *v, int n)
{
    return xpcs_h5_put_strs_pl(loc, name, v, n, H5P_DEFAULT);
}

int xpcs_h5_put_group_pl(hid_t loc, const char *name, hid_t gcpl)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0)
        return 0;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t g = H5Gcreate2(loc, name, lcpl, gcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    if (g < 0)
        return -1;
    H5Gclose(g);
    return 0;
}

int xpcs_h5_put_group(hid_t loc, const char *name)
{
    return xpcs_h5_put_group_pl(loc, name, H5P_DEFAULT);
}

hid_t xpcs_h5_untimed(hid_t cls)
{
    const hid_t pl = H5Pcreate(cls);
    if (pl >= 0 && H5Pset_obj_track_times(pl, 0) < 0) {
        H5Pclose(pl);
        return H5I_INVALID_HID;
    }
    return pl;
}

int xpcs_h5_put_attr_str(hid_t loc, const char *obj, const char *name, const char *v)
{
    hid_t t = str_type(strlen(v) + 1);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(loc, obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a >= 0 && H5Awrite(a, t, v) >= 0 ? 0 : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    return rc;
}

hid_t xpcs_h5_group(hid_t loc, const char *name)
{
    return xpcs_h5_put_group(loc, name) < 0 ? -1 : H5Gopen2(loc, name, H5P_DEFAULT);
}

int xpcs_h5_exists(hid_t loc, const char *path)
{
    if (!path[0] || strcmp(path, "/") == 0)
        return path[0] != '\0';
    size_t len = strlen(path) + 1;
    char *buf = memcpy(xpcs_malloc(len), path, len);
    int ok = 1;
    for (char *p = buf + 1; ok; p++) {
        if (*p == '/' || *p == '\0') {
            const char c = *p;
            *p = '\0';
            ok = H5Lexists(loc, buf, H5P_DEFAULT) > 0;
            if (c == '\0')
                break;
            *p = c;
        }
    }
    free(buf);
    return ok;
}

int xpcs_h5_put_build(hid_t loc, const char *name)
{
    xpcs_provenance p;
    xpcs_provenance_get(&p);
    const char *keys[] = {"version",    "git",  "compiler",    "flags",
                          "build_type", "simd", "simd_detail", "blas"};
    const char *vals[] = {p.version,    p.git,  p.compiler,    p.flags,
                          p.build_type, p.simd, p.simd_detail, p.blas};
    char path[256];
    int rc = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", name, keys[i]);
        rc |= xpcs_h5_put_str(loc, path, vals[i]);
    }
    return rc;
}
