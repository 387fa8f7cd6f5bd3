/* h5write: deterministic serial HDF5 files through h5util's writers. */
#include "xpcs/io/h5write.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "h5pub.h"
#include "h5util.h"

struct xpcs_h5w {
    hid_t file;
    xpcs_publish *pub; /* the temporary it is written into */
    char *name;        /* for messages: the final name */
    H5E_auto2_t efunc; /* HDF5's error printing before create, restored at close */
    void *edata;
};

struct xpcs_h5w_stack {
    xpcs_h5w *w;
    char *path;
    hid_t d, space, dcpl, mtype;
    int64_t rows, cols;
};

/* On-disk (little-endian) and in-memory HDF5 types of t; 0 if t has none. */
static int h5_types(xpcs_dtype t, hid_t *ftype, hid_t *mtype)
{
    switch (t) {
    case XPCS_DT_U8:
        *ftype = H5T_STD_U8LE;
        *mtype = H5T_NATIVE_UINT8;
        return 1;
    case XPCS_DT_U16:
        *ftype = H5T_STD_U16LE;
        *mtype = H5T_NATIVE_UINT16;
        return 1;
    case XPCS_DT_U32:
        *ftype = H5T_STD_U32LE;
        *mtype = H5T_NATIVE_UINT32;
        return 1;
    case XPCS_DT_F64:
        *ftype = H5T_IEEE_F64LE;
        *mtype = H5T_NATIVE_DOUBLE;
        return 1;
    default:
        return 0;
    }
}

static char *dup_str(const char *s)
{
    const size_t n = strlen(s) + 1;
    return memcpy(xpcs_malloc(n), s, n);
}

xpcs_status xpcs_h5w_create(xpcs_publish *p, xpcs_h5w **out, xpcs_err *err)
{
    *out = NULL;
    H5E_auto2_t efunc = NULL;
    void *edata = NULL;
    /* our messages replace the HDF5 error-stack dump */
    H5Eget_auto2(H5E_DEFAULT, &efunc, &edata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const hid_t f = xpcs_h5pub_open(p, NULL, NULL, err);
    if (f < 0) {
        H5Eset_auto2(H5E_DEFAULT, efunc, edata);
        return XPCS_ERR_OUTPUT;
    }
    xpcs_h5w *w = xpcs_calloc(1, sizeof *w);
    w->file = f;
    w->pub = p;
    w->name = dup_str(xpcs_publish_final(p));
    w->efunc = efunc;
    w->edata = edata;
    *out = w;
    return XPCS_OK;
}

xpcs_status xpcs_h5w_close(xpcs_h5w **wp, xpcs_status st, xpcs_err *err)
{
    xpcs_h5w *w = *wp;
    if (!w)
        return st;
    if (st == XPCS_OK)
        st = xpcs_h5pub_close(&w->file, w->pub, err);
    xpcs_h5pub_discard(&w->file);
    H5Eset_auto2(H5E_DEFAULT, w->efunc, w->edata);
    free(w->name);
    free(w);
    *wp = NULL;
    return st;
}

/* Room for `bytes` more before HDF5 writes them, and the cause of a failed
 * write (h5pub.h). */
static xpcs_status reserve(xpcs_h5w *w, double bytes, xpcs_err *err)
{
    return xpcs_h5pub_reserve(w->file, w->pub, bytes, err);
}

static xpcs_status write_fail(xpcs_h5w *w, const char *what, const char *path, xpcs_err *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s %s", what, path);
    return xpcs_h5pub_fail(w->pub, buf, err);
}

xpcs_status xpcs_h5w_group(xpcs_h5w *w, const char *path, xpcs_err *err)
{
    const hid_t pl = xpcs_h5_untimed(H5P_GROUP_CREATE);
    const int rc = pl < 0 ? -1 : xpcs_h5_put_group_pl(w->file, path, pl);
    if (pl >= 0)
        H5Pclose(pl);
    if (rc < 0)
        return write_fail(w, "group", path, err);
    return XPCS_OK;
}

/* One dataset: ftype on disk, mtype in memory; rank 0 = scalar. */
static xpcs_status put(xpcs_h5w *w, const char *path, hid_t ftype, hid_t mtype, int rank,
                       const int64_t *dims, const void *v, xpcs_err *err)
{
    hsize_t d[8] = {0};
    if (rank < 0 || rank > 8)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "%s: dataset %s of rank %d, expected 0..8",
                         w->name, path, rank);
    double bytes = (double)H5Tget_size(ftype);
    for (int i = 0; i < rank; i++) {
        d[i] = (hsize_t)dims[i];
        bytes *= (double)dims[i];
    }
    xpcs_status st = reserve(w, bytes, err);
    if (st)
        return st;
    const hid_t pl = xpcs_h5_untimed(H5P_DATASET_CREATE);
    const int rc = pl < 0 ? -1 : xpcs_h5_put_pl(w->file, path, ftype, mtype, rank, d, v, pl);
    if (pl >= 0)
        H5Pclose(pl);
    if (rc < 0)
        return write_fail(w, "dataset", path, err);
    return XPCS_OK;
}

xpcs_status xpcs_h5w_f64(xpcs_h5w *w, const char *path, int rank, const int64_t *dims,
                         const double *v, xpcs_err *err)
{
    return put(w, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, v, err);
}

xpcs_status xpcs_h5w_i32(xpcs_h5w *w, const char *path, int rank, const int64_t *dims,
                         const int32_t *v, xpcs_err *err)
{
    return put(w, path, H5T_STD_I32LE, H5T_NATIVE_INT32, rank, dims, v, err);
}

xpcs_status xpcs_h5w_i64(xpcs_h5w *w, const char *path, int rank, const int64_t *dims,
                         const int64_t *v, xpcs_err *err)
{
    return put(w, path, H5T_STD_I64LE, H5T_NATIVE_INT64, rank, dims, v, err);
}

/* A scalar string (n < 0) or n strings. */
static xpcs_status put_strs(xpcs_h5w *w, const char *path, const char *const *s, int n,
                            xpcs_err *err)
{
    double bytes = 0;
    for (int i = 0; i < (n < 0 ? 1 : n); i++)
        bytes += 64.0 + (double)strlen(s[i]);
    xpcs_status st = reserve(w, bytes, err);
    if (st)
        return st;
    const hid_t pl = xpcs_h5_untimed(H5P_DATASET_CREATE);
    int rc = -1;
    if (pl >= 0)
        rc = n < 0 ? xpcs_h5_put_str_pl(w->file, path, s[0], pl)
                   : xpcs_h5_put_strs_pl(w->file, path, s, n, pl);
    if (pl >= 0)
        H5Pclose(pl);
    if (rc < 0)
        return write_fail(w, "dataset", path, err);
    return XPCS_OK;
}

xpcs_status xpcs_h5w_str(xpcs_h5w *w, const char *path, const char *s, xpcs_err *err)
{
    return put_strs(w, path, &s, -1, err);
}

xpcs_status xpcs_h5w_strs(xpcs_h5w *w, const char *path, const char *const *s, int n, xpcs_err *err)
{
    return put_strs(w, path, s, n < 0 ? 0 : n, err);
}

xpcs_status xpcs_h5w_attr_str(xpcs_h5w *w, const char *obj, const char *name, const char *s,
                              xpcs_err *err)
{
    if (xpcs_h5_put_attr_str(w->file, obj, name, s) < 0)
        return write_fail(w, "attribute", name, err);
    return XPCS_OK;
}

/* ------------------------------------------------------------------ */
/* frame stacks                                                        */

xpcs_status xpcs_h5w_stack_create(xpcs_h5w *w, const char *path, xpcs_dtype type, int64_t frames,
                                  int64_t rows, int64_t cols, int64_t chunk_frames, int gzip,
                                  xpcs_h5w_stack **out, xpcs_err *err)
{
    *out = NULL;
    hid_t ftype, mtype;
    if (!h5_types(type, &ftype, &mtype))
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "%s: no HDF5 type for element type %d of %s",
                         w->name, (int)type, path);
    xpcs_h5w_stack *s = xpcs_calloc(1, sizeof *s);
    s->w = w;
    s->path = dup_str(path);
    s->mtype = mtype;
    s->rows = rows;
    s->cols = cols;
    s->d = H5I_INVALID_HID;
    const hsize_t dims[3] = {(hsize_t)frames, (hsize_t)rows, (hsize_t)cols};
    const hsize_t chunk[3] = {(hsize_t)chunk_frames, dims[1], dims[2]};
    s->space = H5Screate_simple(3, dims, NULL);
    s->dcpl = xpcs_h5_untimed(H5P_DATASET_CREATE);
    xpcs_status st = XPCS_ERR_OUTPUT;
    if (s->space < 0 || s->dcpl < 0 || H5Pset_chunk(s->dcpl, 3, chunk) < 0)
        xpcs_fail(err, st, "%s: cannot set up chunks [%ld,%ld,%ld] for %s", w->name,
                  (long)chunk_frames, (long)rows, (long)cols, path);
    else if (gzip > 0 && (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 ||
                          H5Pset_deflate(s->dcpl, (unsigned)gzip) < 0))
        xpcs_fail(err, st, "%s: deflate (gzip %d) not available for %s", w->name, gzip, path);
    else if ((s->d = H5Dcreate2(w->file, path, ftype, s->space, H5P_DEFAULT, s->dcpl,
                                H5P_DEFAULT)) < 0)
        write_fail(w, "dataset", path, err);
    else
        st = XPCS_OK;
    if (st != XPCS_OK)
        return xpcs_h5w_stack_close(&s, st, err);
    *out = s;
    return XPCS_OK;
}

xpcs_status xpcs_h5w_stack_write(xpcs_h5w_stack *s, int64_t first, int64_t n, const void *buf,
                                 xpcs_err *err)
{
    const hsize_t start[3] = {(hsize_t)first, 0, 0};
    const hsize_t count[3] = {(hsize_t)n, (hsize_t)s->rows, (hsize_t)s->cols};
    /* at most the raw bytes (deflate only shrinks them, up to a little) */
    const double bytes =
        (double)n * (double)s->rows * (double)s->cols * (double)H5Tget_size(s->mtype) * 1.01;
    xpcs_status st = reserve(s->w, bytes, err);
    if (st)
        return st;
    const hid_t msp = H5Screate_simple(3, count, NULL);
    herr_t rc =
        msp < 0 ? -1 : H5Sselect_hyperslab(s->space, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0)
        rc = H5Dwrite(s->d, s->mtype, msp, s->space, H5P_DEFAULT, buf);
    if (msp >= 0)
        H5Sclose(msp);
    if (rc < 0) {
        char what[128];
        snprintf(what, sizeof what, "frames %ld..%ld of", (long)first, (long)(first + n - 1));
        return write_fail(s->w, what, s->path, err);
    }
    return XPCS_OK;
}

xpcs_status xpcs_h5w_stack_close(xpcs_h5w_stack **sp, xpcs_status st, xpcs_err *err)
{
    xpcs_h5w_stack *s = *sp;
    if (!s)
        return st;
    if (s->d >= 0 && H5Dclose(s->d) < 0 && st == XPCS_OK)
        st = write_fail(s->w, "dataset", s->path, err);
    if (s->dcpl >= 0)
        H5Pclose(s->dcpl);
    if (s->space >= 0)
        H5Sclose(s->space);
    free(s->path);
    free(s);
    *sp = NULL;
    return st;
}

xpcs_status xpcs_h5w_qmap_masked(const char *qmap, const char *out, const int32_t *mask,
                                 int64_t n_pixels, xpcs_err *err)
{
    xpcs_publish *p = NULL;
    xpcs_publish_remove_stale(out);
    xpcs_status st = xpcs_publish_begin(out, XPCS_PUBLISH_REPLACE, &p, err);
    if (!st)
        st = xpcs_publish_copy(p, qmap, "q-map file", err);
    hid_t f = -1, d = -1;
    if (!st && (f = xpcs_h5pub_open(p, qmap, "q-map file", err)) < 0)
        st = XPCS_ERR_INPUT;
    if (!st && ((d = H5Dopen2(f, "/qmap/mask", H5P_DEFAULT)) < 0))
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset /qmap/mask is missing", qmap);
    if (!st) {
        hid_t sp = H5Dget_space(d);
        const hssize_t np = H5Sget_simple_extent_npoints(sp);
        H5Sclose(sp);
        if (np != n_pixels)
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: /qmap/mask has %lld pixels: expected %lld",
                           qmap, (long long)np, (long long)n_pixels);
        else if (H5Dwrite(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, mask) < 0)
            st = xpcs_h5pub_fail(p, "/qmap/mask", err);
    }
    if (d >= 0)
        H5Dclose(d);
    /* a new mask is a new q-map for the viewer: a new hash */
    if (!st && H5Aexists_by_name(f, "/qmap", "hash", H5P_DEFAULT) > 0) {
        char old[256] = "", h[300];
        hid_t a = H5Aopen_by_name(f, "/qmap", "hash", H5P_DEFAULT, H5P_DEFAULT);
        hid_t t = a >= 0 ? H5Aget_type(a) : -1;
        if (t >= 0 && H5Tget_class(t) == H5T_STRING && !H5Tis_variable_str(t) &&
            H5Tget_size(t) < sizeof old)
            H5Aread(a, t, old);
        if (t >= 0)
            H5Tclose(t);
        if (a >= 0)
            H5Aclose(a);
        snprintf(h, sizeof h, "%s-automask", old);
        if (H5Adelete_by_name(f, "/qmap", "hash", H5P_DEFAULT) < 0 ||
            xpcs_h5_put_attr_str(f, "/qmap", "hash", h) < 0)
            st = xpcs_h5pub_fail(p, "/qmap hash", err);
    }
    return xpcs_h5pub_finish(&f, &p, st, err);
}
