#include "xpcs/io/h5in.h"
#include "xpcs/parallel/comm_mpi.h"

#include "h5check.h"
#include "h5filters.h"
#include "xpcs/core/infile.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void xpcs_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct {
    char *buf;
    size_t n;
} walk_ctx;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    walk_ctx *w = data;
    (void)n;
    /* the stack is walked inward-first; keep the innermost with a text */
    if (e->desc && e->desc[0] && !w->buf[0])
        snprintf(w->buf, w->n, "%s", e->desc);
    return 0;
}

void xpcs_h5_last_error(char *buf, size_t n)
{
    walk_ctx w = {buf, n};
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_cb, &w);
}

static xpcs_status h5fail(xpcs_err *err, xpcs_status code, const char *fmt, const char *file,
                          const char *what)
{
    char h5[256];
    xpcs_h5_last_error(h5, sizeof h5);
    xpcs_fail(err, code, fmt, file, what);
    return h5[0] ? xpcs_fail(err, code, "%s (HDF5: %s)", err->msg, h5) : code;
}

/* The q-map's maps as they are stored: integers, or numbers (h5py writes
 * float maps too).  A label must be a whole bin number 0..n_pixels: a NaN,
 * an infinity, a negative or a larger label is an input error that names
 * it and the pixel (not a wrapped int, an allocation of 2^31 bins, or a
 * NaN reported as negative).  A mask value counts as valid when it is a
 * non-zero integer, or a finite number whose whole part is non-zero (what
 * HDF5's conversion to int gave before; NaN and infinities are not valid). */
typedef enum { MAP_LABELS, MAP_MASK } map_kind;

static xpcs_status map_value(const char *path, const char *name, map_kind kind, int64_t p,
                             int64_t cols, int64_t npix, double v, int32_t *out, xpcs_err *err)
{
    if (kind == MAP_MASK) {
        *out = isfinite(v) && (v >= 1.0 || v <= -1.0);
        return XPCS_OK;
    }
    const double top = npix < INT32_MAX - 1 ? (double)npix : (double)(INT32_MAX - 1);
    if (v >= 0 && v < top + 1) {
        *out = (int32_t)v; /* a fraction is cut, as HDF5's conversion did */
        return XPCS_OK;
    }
    char label[64];
    if (isnan(v) || isinf(v))
        snprintf(label, sizeof label, "%s label", isnan(v) ? "a NaN" : "an infinite");
    else
        snprintf(label, sizeof label, "%s label %.17g", v < 0 ? "a negative" : "a too large", v);
    return xpcs_fail(err, XPCS_ERR_INPUT,
                     "%s: %s has %s at pixel (%lld, %lld): expected 0 (unused) or a bin number "
                     "1..%.0f (the detector's pixels)",
                     path, name, label, (long long)(p / cols), (long long)(p % cols), top);
}

/* Reads a 2-D integer-like dataset into int32 [rows*cols]; rows/cols are
 * set from the first map and checked against it for the others. */
static xpcs_status read_map(hid_t f, const char *path, const char *name, map_kind kind,
                            int64_t *rows, int64_t *cols, int32_t **out, xpcs_err *err)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s is missing: expected a 2-D map", path,
                         name);
    hid_t s = H5Dget_space(d);
    int nd = H5Sget_simple_extent_ndims(s);
    hsize_t dims[8] = {0};
    if (nd == 2)
        H5Sget_simple_extent_dims(s, dims, NULL);
    H5Sclose(s);
    if (nd != 2) {
        H5Dclose(d);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s has %d dimension(s): expected 2",
                         path, name, nd);
    }
    if (*rows > 0 && ((int64_t)dims[0] != *rows || (int64_t)dims[1] != *cols)) {
        H5Dclose(d);
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s has shape (%llu, %llu): expected (%lld, %lld) like "
                         "the other maps",
                         path, name, (unsigned long long)dims[0], (unsigned long long)dims[1],
                         (long long)*rows, (long long)*cols);
    }
    *rows = (int64_t)dims[0];
    *cols = (int64_t)dims[1];
    hid_t ft = H5Dget_type(d);
    H5T_class_t cls = H5Tget_class(ft);
    if (cls != H5T_ENUM && cls != H5T_INTEGER && cls != H5T_FLOAT) {
        H5Tclose(ft);
        H5Dclose(d);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s is not numeric: expected integers",
                         path, name);
    }
    const size_t n = (size_t)dims[0] * dims[1];
    int32_t *v = xpcs_malloc(sizeof(int32_t) * (n ? n : 1));
    herr_t rc;
    xpcs_status st = XPCS_OK;
    if (cls == H5T_ENUM) { /* h5py writes bool maps as an enum of int8 */
        int8_t *tmp = xpcs_malloc(n ? n : 1);
        hid_t et = H5Tcopy(ft);
        rc = H5Dread(d, et, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp);
        H5Tclose(et);
        for (size_t i = 0; i < n; i++)
            v[i] = tmp[i];
        free(tmp);
    }
    else { /* every integer and float fits a double exactly enough to check */
        double *tmp = xpcs_malloc(sizeof(double) * (n ? n : 1));
        rc = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp);
        for (size_t i = 0; rc >= 0 && i < n && !st; i++)
            st = map_value(path, name, kind, (int64_t)i, *cols, (int64_t)n, tmp[i], &v[i], err);
        free(tmp);
    }
    H5Tclose(ft);
    H5Dclose(d);
    if (rc < 0)
        st = h5fail(err, XPCS_ERR_INPUT, "%s: cannot read dataset %s", path, name);
    if (st) {
        free(v);
        return st;
    }
    *out = v;
    return XPCS_OK;
}

/* A regular file (a FIFO or a directory is refused at once) that HDF5 knows. */
static xpcs_status check_file(const char *path, const char *role, xpcs_err *err)
{
    char why[256];
    if (xpcs_input_regular(path, why, sizeof why) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read %s file: %s", path, role, why);
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: not an HDF5 file: expected the %s in HDF5", path,
                         role);
    return XPCS_OK;
}

xpcs_status xpcs_h5in_read_qmap(const char *path, xpcs_qmap *q, xpcs_err *err)
{
    memset(q, 0, sizeof *q);
    xpcs_status st = check_file(path, "q-map", err);
    if (st)
        return st;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return h5fail(err, XPCS_ERR_INPUT, "%s: cannot open as HDF5%s", path, "");
    if (H5Lexists(f, "/qmap", H5P_DEFAULT) <= 0) {
        H5Fclose(f);
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: group /qmap is missing: expected an APS q-map file", path);
    }
    int64_t rows = 0, cols = 0;
    st = read_map(f, path, "/qmap/dynamic_roi_map", MAP_LABELS, &rows, &cols, &q->dmap, err);
    if (!st)
        st = read_map(f, path, "/qmap/static_roi_map", MAP_LABELS, &rows, &cols, &q->smap, err);
    if (!st)
        st = read_map(f, path, "/qmap/mask", MAP_MASK, &rows, &cols, &q->mask, err);
    if (!st && H5Lexists(f, "/qmap/blemish", H5P_DEFAULT) > 0) {
        int32_t *blemish = NULL;
        st = read_map(f, path, "/qmap/blemish", MAP_MASK, &rows, &cols, &blemish, err);
        if (!st)
            for (int64_t p = 0; p < rows * cols; p++)
                q->mask[p] = q->mask[p] && blemish[p];
        free(blemish);
    }
    if (!st && H5Aexists_by_name(f, "/qmap", "hash", H5P_DEFAULT) > 0) {
        hid_t a = H5Aopen_by_name(f, "/qmap", "hash", H5P_DEFAULT, H5P_DEFAULT);
        hid_t t = H5Aget_type(a);
        if (H5Tget_class(t) == H5T_STRING) {
            if (H5Tis_variable_str(t) > 0) {
                char *s = NULL;
                hid_t mt = H5Tcopy(H5T_C_S1);
                H5Tset_size(mt, H5T_VARIABLE);
                if (H5Aread(a, mt, &s) >= 0 && s) {
                    snprintf(q->hash, sizeof q->hash, "%s", s);
                    H5free_memory(s);
                }
                H5Tclose(mt);
            }
            else {
                size_t sz = H5Tget_size(t);
                char *s = xpcs_calloc(sz + 1, 1);
                if (H5Aread(a, t, s) >= 0)
                    snprintf(q->hash, sizeof q->hash, "%s", s);
                free(s);
            }
        }
        H5Tclose(t);
        H5Aclose(a);
    }
    H5Fclose(f);
    q->rows = rows;
    q->cols = cols;
    if (!st)
        st = xpcs_qmap_build(q, path, err);
    return st;
}

struct xpcs_raw {
    hid_t file, dset, fspace, dxpl;
    xpcs_h5watch watch; /* files whose shrinking would turn frames into zeros */
    int64_t frames, rows, cols;
    xpcs_dtype type;
    hid_t mem_type;
    int64_t chunk_frames; /* frames per chunk, 0: not chunked */
    char path[1024];
    char dataset[256];
    char filters[512];
};

/* The frames dataset, with a chunk cache for compressed chunks only: a read
 * that splits a compressed chunk between two sub-blocks then decodes it
 * once; uncompressed chunks go straight into the caller's buffer (through a
 * cache they would be copied once more: with independent reads HDF5 reads
 * every cacheable chunk into the cache first). */
static hid_t open_frames(hid_t file, const char *dataset)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, 12421, 64u << 20, 1.0);
    hid_t d = H5Dopen2(file, dataset, dapl);
    hid_t dcpl = d >= 0 ? H5Dget_create_plist(d) : -1;
    if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_nfilters(dcpl) == 0) {
        H5Dclose(d); /* again, without the cache (every rank does the same) */
        H5Pset_chunk_cache(dapl, 0, 0, 1.0);
        d = H5Dopen2(file, dataset, dapl);
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    H5Pclose(dapl);
    return d;
}

/* Collective: rank 0 checks the dataset's storage with the serial driver
 * (h5check.h) and every rank learns the outcome and the watch list. */
static xpcs_status check_storage(const xpcs_comm *c, const char *path, const char *dataset,
                                 xpcs_h5watch *w, xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    if (xpcs_comm_is_root(c))
        st = xpcs_h5check_raw(path, dataset, w, err);
    st = xpcs_comm_agree(c, st, err);
    if (st) {
        xpcs_h5watch_free(w);
        return st;
    }
    int64_t bytes = 0;
    char *buf = xpcs_comm_is_root(c) ? xpcs_h5watch_pack(w, &bytes) : NULL;
    xpcs_comm_bcast(c, &bytes, sizeof bytes, 0);
    if (!buf)
        buf = xpcs_malloc((size_t)bytes);
    xpcs_comm_bcast(c, buf, (size_t)bytes, 0);
    if (!xpcs_comm_is_root(c))
        xpcs_h5watch_unpack(buf, bytes, w);
    free(buf);
    return XPCS_OK;
}

xpcs_status xpcs_raw_open(const xpcs_comm *c, const char *path, const char *dataset, xpcs_raw **out,
                          xpcs_err *err)
{
    *out = NULL;
    /* Every rank checks the same file and gets the same answer, so a bad
     * file never splits the ranks before the collective open. */
    xpcs_status st = check_file(path, "raw data", err);
    if (st)
        return st;
    xpcs_raw *r = xpcs_calloc(1, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    snprintf(r->dataset, sizeof r->dataset, "%s", dataset);
    r->file = r->dset = r->fspace = r->dxpl = -1;
    st = check_storage(c, path, dataset, &r->watch, err);
    if (st) {
        free(r);
        return st;
    }
    /* A virtual dataset opens its sources with the file's driver on each
     * rank by itself, which the MPI-IO driver (collective opens) cannot do:
     * every rank reads it with the serial driver. */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (!r->watch.vds) {
        H5Pset_fapl_mpio(fapl, xpcs_comm_raw(c), xpcs_comm_info(c));
        H5Pset_all_coll_metadata_ops(fapl, 1);
    }
    r->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (r->file < 0) /* before H5Pclose, which clears the error stack */
        st = h5fail(err, XPCS_ERR_INPUT, "%s: cannot open as HDF5%s", path, "");
    H5Pclose(fapl);
    if (r->file < 0) {
        xpcs_h5watch_free(&r->watch);
        free(r);
        return st;
    }
    if (H5Lexists(r->file, "/entry", H5P_DEFAULT) <= 0 && strncmp(dataset, "/entry/", 7) == 0)
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: dataset %s is missing: expected frames [frames, rows, cols]", path,
                       dataset);
    else {
        htri_t ex = H5Lexists(r->file, dataset, H5P_DEFAULT);
        if (ex > 0)
            r->dset = open_frames(r->file, dataset);
        if (r->dset < 0)
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: dataset %s is missing: expected frames [frames, rows, cols]", path,
                           dataset);
    }
    if (!st) {
        r->fspace = H5Dget_space(r->dset);
        int nd = H5Sget_simple_extent_ndims(r->fspace);
        hsize_t d[32] = {0};
        if (nd > 0 && nd <= 32)
            H5Sget_simple_extent_dims(r->fspace, d, NULL);
        if (nd != 3 || d[0] == 0 || d[1] == 0 || d[2] == 0) {
            char shape[128] = "";
            for (int i = 0; i < nd && i < 8; i++)
                snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%llu",
                         i ? ", " : "", (unsigned long long)d[i]);
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: dataset %s has shape (%s): expected a non-empty 3-D stack "
                           "[frames, rows, cols]",
                           path, dataset, shape);
        }
        r->frames = (int64_t)d[0];
        r->rows = (int64_t)d[1];
        r->cols = (int64_t)d[2];
    }
    if (!st) { /* compressed frames: plugins or built-in decoders */
        hid_t dcpl = H5Dget_create_plist(r->dset);
        st = xpcs_h5filters_check(dcpl, path, dataset, r->filters, sizeof r->filters, err);
        hsize_t cd[3] = {0, 0, 0};
        if (H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 3, cd) == 3)
            r->chunk_frames = (int64_t)cd[0];
        H5Pclose(dcpl);
    }
    if (!st) {
        hid_t t = H5Dget_type(r->dset);
        size_t sz = H5Tget_size(t);
        int ok = H5Tget_class(t) == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE;
        if (ok && sz == 1) {
            r->type = XPCS_DT_U8;
            r->mem_type = H5T_NATIVE_UINT8;
        }
        else if (ok && sz == 2) {
            r->type = XPCS_DT_U16;
            r->mem_type = H5T_NATIVE_UINT16;
        }
        else if (ok && sz == 4) {
            r->type = XPCS_DT_U32;
            r->mem_type = H5T_NATIVE_UINT32;
        }
        else
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: dataset %s has %s %zu-byte elements: expected unsigned 8, 16 or "
                           "32-bit integers",
                           path, dataset,
                           H5Tget_class(t) == H5T_INTEGER ? "signed integer" : "non-integer", sz);
        H5Tclose(t);
    }
    if (st) {
        xpcs_raw_close(&r);
        return st;
    }
    /* Independent reads: each rank reads its own frames, so a read that
     * fails (a chunk that does not decode, a file cut short) fails on that
     * rank alone and the ranks agree after the step; inside a collective
     * read the others would wait for it forever. */
    r->dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (!r->watch.vds)
        H5Pset_dxpl_mpio(r->dxpl, H5FD_MPIO_INDEPENDENT);
    *out = r;
    return XPCS_OK;
}

void xpcs_raw_close(xpcs_raw **rp)
{
    if (!rp || !*rp)
        return;
    xpcs_raw *r = *rp;
    if (r->dxpl >= 0)
        H5Pclose(r->dxpl);
    if (r->fspace >= 0)
        H5Sclose(r->fspace);
    if (r->dset >= 0)
        H5Dclose(r->dset);
    if (r->file >= 0)
        H5Fclose(r->file);
    xpcs_h5watch_free(&r->watch);
    free(r);
    *rp = NULL;
}

void xpcs_raw_dims(const xpcs_raw *r, int64_t *frames, int64_t *rows, int64_t *cols)
{
    *frames = r->frames;
    *rows = r->rows;
    *cols = r->cols;
}

xpcs_dtype xpcs_raw_type(const xpcs_raw *r)
{
    return r->type;
}

const char *xpcs_raw_filters(const xpcs_raw *r)
{
    return r->filters;
}

int64_t xpcs_raw_chunk_frames(const xpcs_raw *r)
{
    return r->chunk_frames;
}

xpcs_status xpcs_raw_read(xpcs_raw *r, int64_t first, int64_t stride, int64_t count, void *buf,
                          xpcs_err *err)
{
    hsize_t mdims[3] = {(hsize_t)(count > 0 ? count : 1), (hsize_t)r->rows, (hsize_t)r->cols};
    hid_t mspace = H5Screate_simple(3, mdims, NULL);
    if (count > 0) {
        hsize_t start[3] = {(hsize_t)first, 0, 0};
        hsize_t stridev[3] = {(hsize_t)stride, 1, 1};
        hsize_t cnt[3] = {(hsize_t)count, 1, 1};
        hsize_t block[3] = {1, (hsize_t)r->rows, (hsize_t)r->cols};
        H5Sselect_hyperslab(r->fspace, H5S_SELECT_SET, start, stridev, cnt, block);
    }
    else { /* nothing to read (reads are independent: no call to join) */
        H5Sselect_none(r->fspace);
        H5Sselect_none(mspace);
    }
    herr_t rc = H5Dread(r->dset, r->mem_type, mspace, r->fspace, r->dxpl, buf);
    xpcs_status st = XPCS_OK;
    if (rc < 0) { /* before H5Sclose, which clears HDF5's error stack */
        char what[320];
        snprintf(what, sizeof what, "%s frames %lld..%lld", r->dataset, (long long)first,
                 (long long)(first + (count - 1) * stride));
        st = h5fail(err, XPCS_ERR_INPUT, "%s: cannot read dataset %s", r->path, what);
    }
    H5Sclose(mspace);
    /* HDF5 reads past the end of a file as zeros: a file cut short while it
     * is read is an error, whatever the read returned */
    xpcs_status shrunk = xpcs_h5watch_sizes(&r->watch, err);
    return shrunk ? shrunk : st;
}
