/* h5read: the shared read-only HDF5 access (see xpcs/io/h5read.h). */
#include "xpcs/io/h5read.h"

#include "xpcs/core/infile.h"

#include <hdf5.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "h5util.h"
#include "xpcs/io/h5in.h"

struct xpcs_h5r {
    hid_t file;
    char *name;
};

static const char *or_default(const char *expect, const char *dflt)
{
    return expect ? expect : dflt;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xpcs_malloc(n), s, n);
}

xpcs_status xpcs_h5r_open(const char *path, const char *expect, xpcs_h5r **out, xpcs_err *err)
{
    *out = NULL;
    char why[256]; /* a FIFO or a directory: refused before HDF5 blocks on it */
    if (xpcs_input_regular(path, why, sizeof why) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open: expected %s (%s)", path,
                         or_default(expect, "an HDF5 file"), why);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        char h5[256];
        xpcs_h5_last_error(h5, sizeof h5);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open: expected %s%s%s%s", path,
                         or_default(expect, "an HDF5 file"), h5[0] ? " (HDF5: " : "", h5,
                         h5[0] ? ")" : "");
    }
    xpcs_h5r *r = xpcs_calloc(1, sizeof *r);
    r->file = f;
    r->name = dup_str(path);
    *out = r;
    return XPCS_OK;
}

void xpcs_h5r_close(xpcs_h5r **f)
{
    if (!f || !*f)
        return;
    H5Fclose((*f)->file);
    free((*f)->name);
    free(*f);
    *f = NULL;
}

const char *xpcs_h5r_name(const xpcs_h5r *f)
{
    return f->name;
}

int xpcs_h5r_exists(const xpcs_h5r *f, const char *path)
{
    return xpcs_h5_exists(f->file, path);
}

int xpcs_h5r_is_group(const xpcs_h5r *f, const char *path)
{
    if (!xpcs_h5r_exists(f, path))
        return 0;
    hid_t o = H5Oopen(f->file, path, H5P_DEFAULT);
    if (o < 0)
        return 0;
    const int g = H5Iget_type(o) == H5I_GROUP;
    H5Oclose(o);
    return g;
}

xpcs_status xpcs_h5r_list(const xpcs_h5r *f, const char *path, const char *expect, char ***names,
                          int *n, xpcs_err *err)
{
    *names = NULL;
    *n = 0;
    expect = or_default(expect, "a group");
    if (!xpcs_h5r_exists(f, path))
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: group %s is missing: expected %s", f->name, path,
                         expect);
    hid_t g = H5Gopen2(f->file, path, H5P_DEFAULT);
    if (g < 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s is not a group: expected %s", f->name, path,
                         expect);
    H5G_info_t gi;
    xpcs_status st = XPCS_OK;
    if (H5Gget_info(g, &gi) < 0 || gi.nlinks > INT_MAX)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot list group %s: expected %s", f->name, path,
                       expect);
    char **s = st ? NULL : xpcs_calloc(gi.nlinks ? (size_t)gi.nlinks : 1, sizeof(char *));
    for (hsize_t i = 0; !st && i < gi.nlinks; i++) {
        ssize_t len =
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
        s[i] = xpcs_calloc(len > 0 ? (size_t)len + 1 : 1, 1);
        if (len < 0 || H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, s[i],
                                          (size_t)len + 1, H5P_DEFAULT) < 0) {
            xpcs_h5r_free_strings(s, (int)i + 1);
            s = NULL;
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot list group %s: expected %s", f->name,
                           path, expect);
        }
    }
    H5Gclose(g);
    if (!st) {
        *names = s;
        *n = (int)gi.nlinks;
    }
    return st;
}

static xpcs_h5r_class class_of(hid_t t)
{
    switch (H5Tget_class(t)) {
    case H5T_INTEGER:
        return XPCS_H5R_INTEGER;
    case H5T_FLOAT:
        return XPCS_H5R_FLOAT;
    case H5T_STRING:
        return XPCS_H5R_STRING;
    default:
        return XPCS_H5R_OTHER;
    }
}

/* Opens the dataset at path (*d, closed by the caller) and describes it. */
static xpcs_status open_ds(const xpcs_h5r *f, const char *path, const char *expect, hid_t *d,
                           xpcs_h5r_info *info, xpcs_err *err)
{
    memset(info, 0, sizeof *info);
    *d = -1;
    if (!xpcs_h5r_exists(f, path))
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s is missing: expected %s", f->name,
                         path, expect);
    *d = H5Dopen2(f->file, path, H5P_DEFAULT);
    if (*d < 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s is not a dataset: expected %s", f->name, path,
                         expect);
    hid_t t = H5Dget_type(*d), s = H5Dget_space(*d);
    info->cls = class_of(t);
    info->elem_size = H5Tget_size(t);
    info->vlen = info->cls == XPCS_H5R_STRING && H5Tis_variable_str(t) > 0;
    const int rank = H5Sget_simple_extent_ndims(s);
    hsize_t dims[XPCS_H5R_MAX_RANK];
    info->rank = rank > 0 ? rank : 0;
    if (rank > 0)
        H5Sget_simple_extent_dims(s, dims, NULL);
    for (int k = 0; k < info->rank; k++)
        info->dims[k] = (int64_t)dims[k];
    const hssize_t np = H5Sget_simple_extent_npoints(s);
    info->count = np > 0 ? (int64_t)np : 0;
    hid_t dcpl = H5Dget_create_plist(*d);
    hsize_t ch[XPCS_H5R_MAX_RANK];
    if (dcpl >= 0 && info->rank > 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
        H5Pget_chunk(dcpl, XPCS_H5R_MAX_RANK, ch) == info->rank)
        info->chunk_rows = (int64_t)ch[0];
    if (dcpl >= 0)
        H5Pclose(dcpl);
    H5Sclose(s);
    H5Tclose(t);
    return XPCS_OK;
}

xpcs_status xpcs_h5r_stat(const xpcs_h5r *f, const char *path, const char *expect,
                          xpcs_h5r_info *info, xpcs_err *err)
{
    hid_t d;
    xpcs_status st = open_ds(f, path, or_default(expect, "a dataset"), &d, info, err);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

static int is_numeric(const xpcs_h5r_info *in)
{
    return in->cls == XPCS_H5R_INTEGER || in->cls == XPCS_H5R_FLOAT;
}

static xpcs_status read_fail(const xpcs_h5r *f, const char *path, xpcs_err *err)
{
    char h5[256];
    xpcs_h5_last_error(h5, sizeof h5);
    return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read dataset %s (HDF5: %s)", f->name, path,
                     h5);
}

/* The whole numeric dataset in memory type mt (esz bytes per element). */
static xpcs_status read_numbers(const xpcs_h5r *f, const char *path, const char *expect, hid_t mt,
                                size_t esz, void **out, xpcs_h5r_info *info, int64_t want_count,
                                xpcs_err *err)
{
    *out = NULL;
    xpcs_h5r_info local = {0};
    info = info ? info : &local;
    hid_t d;
    xpcs_status st = open_ds(f, path, expect, &d, info, err);
    if (!st && !is_numeric(info))
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s is not numeric: expected %s", f->name,
                       path, expect);
    if (!st && want_count >= 0 && info->count != want_count)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s has %lld elements: expected %s",
                       f->name, path, (long long)info->count, expect);
    if (!st) {
        void *v = xpcs_malloc(esz * (info->count ? (size_t)info->count : 1));
        if (info->count > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            st = read_fail(f, path, err);
            free(v);
        }
        else
            *out = v;
    }
    if (d >= 0)
        H5Dclose(d);
    return st;
}

xpcs_status xpcs_h5r_f64(const xpcs_h5r *f, const char *path, const char *expect, double **out,
                         xpcs_h5r_info *info, xpcs_err *err)
{
    return read_numbers(f, path, or_default(expect, "a numeric dataset"), H5T_NATIVE_DOUBLE,
                        sizeof(double), (void **)out, info, -1, err);
}

xpcs_status xpcs_h5r_i64(const xpcs_h5r *f, const char *path, const char *expect, int64_t **out,
                         xpcs_h5r_info *info, xpcs_err *err)
{
    return read_numbers(f, path, or_default(expect, "a numeric dataset"), H5T_NATIVE_INT64,
                        sizeof(int64_t), (void **)out, info, -1, err);
}

xpcs_status xpcs_h5r_f64_scalar(const xpcs_h5r *f, const char *path, const char *expect, double *v,
                                xpcs_err *err)
{
    double *buf = NULL;
    xpcs_status st = read_numbers(f, path, or_default(expect, "a scalar number"), H5T_NATIVE_DOUBLE,
                                  sizeof(double), (void **)&buf, NULL, 1, err);
    if (!st)
        *v = buf[0];
    free(buf);
    return st;
}

xpcs_status xpcs_h5r_i64_scalar(const xpcs_h5r *f, const char *path, const char *expect, int64_t *v,
                                xpcs_err *err)
{
    int64_t *buf = NULL;
    xpcs_status st = read_numbers(f, path, or_default(expect, "a scalar integer"), H5T_NATIVE_INT64,
                                  sizeof(int64_t), (void **)&buf, NULL, 1, err);
    if (!st)
        *v = buf[0];
    free(buf);
    return st;
}

xpcs_status xpcs_h5r_rows_f64(const xpcs_h5r *f, const char *path, const char *expect,
                              int64_t first, int64_t count, double *buf, xpcs_err *err)
{
    expect = or_default(expect, "a 2-D numeric dataset");
    xpcs_h5r_info in;
    hid_t d;
    xpcs_status st = open_ds(f, path, expect, &d, &in, err);
    if (!st && !is_numeric(&in))
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s is not numeric: expected %s", f->name,
                       path, expect);
    if (!st && (in.rank != 2 || first < 0 || count < 0 || first + count > in.dims[0]))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: dataset %s has rank %d and %lld rows: expected rows %lld .. %lld of %s",
                       f->name, path, in.rank, (long long)(in.rank ? in.dims[0] : 0),
                       (long long)first, (long long)(first + count - 1), expect);
    if (!st && count > 0) {
        hsize_t start[2] = {(hsize_t)first, 0}, cnt[2] = {(hsize_t)count, (hsize_t)in.dims[1]};
        hid_t fs = H5Dget_space(d), ms = H5Screate_simple(2, cnt, NULL);
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0 ||
            H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) < 0)
            st = read_fail(f, path, err);
        H5Sclose(ms);
        H5Sclose(fs);
    }
    if (d >= 0)
        H5Dclose(d);
    return st;
}

/* The np strings of a dataset or attribute (obj) of string type ft in the
 * file's character set; 0 on failure.  Fixed length: one byte more than
 * stored, so a full-width NULLPAD string keeps its last character when
 * converted to NULLTERM. */
static int read_strs(hid_t obj, int is_attr, hid_t ft, hid_t space, int64_t np, char **strs)
{
    hid_t mt = H5Tcopy(ft);
    int ok;
    if (H5Tis_variable_str(ft) > 0) {
        char **raw = xpcs_calloc((size_t)np, sizeof(char *));
        ok = (is_attr ? H5Aread(obj, mt, raw)
                      : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw)) >= 0;
        for (int64_t i = 0; ok && i < np; i++)
            strs[i] = dup_str(raw[i] ? raw[i] : "");
        if (ok)
            H5Dvlen_reclaim(mt, space, H5P_DEFAULT, raw);
        free(raw);
    }
    else {
        const size_t sz = H5Tget_size(ft) + 1;
        H5Tset_size(mt, sz);
        H5Tset_strpad(mt, H5T_STR_NULLTERM);
        char *buf = xpcs_calloc((size_t)np, sz);
        ok = (is_attr ? H5Aread(obj, mt, buf)
                      : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0;
        for (int64_t i = 0; ok && i < np; i++) {
            strs[i] = xpcs_calloc(1, sz);
            memcpy(strs[i], buf + (size_t)i * sz, sz - 1);
        }
        free(buf);
    }
    H5Tclose(mt);
    return ok;
}

xpcs_status xpcs_h5r_strings(const xpcs_h5r *f, const char *path, const char *expect, char ***out,
                             int *n, xpcs_err *err)
{
    *out = NULL;
    *n = 0;
    expect = or_default(expect, "strings");
    xpcs_h5r_info in;
    hid_t d;
    xpcs_status st = open_ds(f, path, expect, &d, &in, err);
    if (!st && (in.cls != XPCS_H5R_STRING || in.count > INT_MAX))
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s is not a string: expected %s", f->name,
                       path, expect);
    if (!st && in.count > 0) {
        char **s = xpcs_calloc((size_t)in.count, sizeof(char *));
        hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
        if (read_strs(d, 0, t, sp, in.count, s)) {
            *out = s;
            *n = (int)in.count;
        }
        else {
            free(s);
            st = read_fail(f, path, err);
        }
        H5Sclose(sp);
        H5Tclose(t);
    }
    if (d >= 0)
        H5Dclose(d);
    return st;
}

xpcs_status xpcs_h5r_attr_string(const xpcs_h5r *f, const char *obj, const char *name,
                                 const char *expect, char **out, xpcs_err *err)
{
    *out = NULL;
    expect = or_default(expect, "a string");
    if (!xpcs_h5r_exists(f, obj) || H5Aexists_by_name(f->file, obj, name, H5P_DEFAULT) <= 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: attribute %s of %s is missing: expected %s",
                         f->name, name, obj, expect);
    hid_t a = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open attribute %s of %s: expected %s",
                         f->name, name, obj, expect);
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    const hssize_t np = H5Sget_simple_extent_npoints(sp);
    xpcs_status st = XPCS_OK;
    if (H5Tget_class(t) != H5T_STRING || np < 1)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: attribute %s of %s is not a string: expected %s",
                       f->name, name, obj, expect);
    if (!st) {
        char **s = xpcs_calloc((size_t)np, sizeof(char *));
        if (read_strs(a, 1, t, sp, np, s)) {
            *out = s[0];
            s[0] = NULL;
        }
        else
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read attribute %s of %s", f->name, name,
                           obj);
        xpcs_h5r_free_strings(s, (int)np);
    }
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(a);
    return st;
}

void xpcs_h5r_free_strings(char **s, int n)
{
    for (int i = 0; i < n && s; i++)
        free(s[i]);
    free(s);
}
