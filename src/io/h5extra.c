/* h5extra: writers for the linear and two-time result groups. */
#include "xpcs/io/h5extra.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "h5ownvfd.h"
#include "h5pub.h"
#include "h5util.h"
#include "resfile.h"

static xpcs_status h5fail(xpcs_resfile *w, const char *path, xpcs_err *err)
{
    return xpcs_h5pub_fail(w->pub, path, err);
}

/* Room for n elements of esz bytes before HDF5 writes them (h5pub.h). */
static xpcs_status reserve(xpcs_resfile *w, int rank, const int64_t *dims, double esz,
                           xpcs_err *err)
{
    double n = 1;
    for (int i = 0; i < rank; i++)
        n *= (double)dims[i];
    return xpcs_resfile_reserve(w, n * esz, err);
}

static xpcs_status put(xpcs_resfile *w, const char *path, hid_t type, int rank, const int64_t *dims,
                       const void *data, xpcs_err *err)
{
    hsize_t d[8] = {0};
    for (int i = 0; i < rank && i < 8; i++)
        d[i] = (hsize_t)dims[i];
    xpcs_status st = reserve(w, rank, dims, (double)H5Tget_size(type), err);
    if (st)
        return st;
    return xpcs_h5_put(w->f, path, type, rank, d, data) < 0 ? h5fail(w, path, err) : XPCS_OK;
}

xpcs_status xpcs_h5x_f64(xpcs_resfile *w, const char *path, int rank, const int64_t *dims,
                         const double *data, xpcs_err *err)
{
    return put(w, path, H5T_NATIVE_DOUBLE, rank, dims, data, err);
}

xpcs_status xpcs_h5x_i64(xpcs_resfile *w, const char *path, int rank, const int64_t *dims,
                         const int64_t *data, xpcs_err *err)
{
    return put(w, path, H5T_NATIVE_INT64, rank, dims, data, err);
}

xpcs_status xpcs_h5x_str(xpcs_resfile *w, const char *path, const char *text, xpcs_err *err)
{
    int64_t len = (int64_t)strlen(text) + 1;
    xpcs_status st = reserve(w, 1, &len, 1.0, err);
    if (st)
        return st;
    return xpcs_h5_put_str(w->f, path, text) < 0 ? h5fail(w, path, err) : XPCS_OK;
}

xpcs_status xpcs_h5x_extlink(xpcs_resfile *w, const char *path, const char *file,
                             const char *object, xpcs_err *err)
{
    int64_t len = (int64_t)(strlen(file) + strlen(object)) + 64;
    xpcs_status st = reserve(w, 1, &len, 1.0, err);
    if (st)
        return st;
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    herr_t rc = H5Lcreate_external(file, object, w->f, path, lcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    return rc < 0 ? h5fail(w, path, err) : XPCS_OK;
}

xpcs_status xpcs_h5x_config(xpcs_resfile *w, const char *group, const xpcs_result *r,
                            const char *type_name, xpcs_err *err)
{
    const xpcs_config *c = r->cfg;
    char p[512];
    xpcs_status st = XPCS_OK;
#define I64(name, v)                                                                               \
    do {                                                                                           \
        int64_t val_ = (v);                                                                        \
        snprintf(p, sizeof p, "%s/%s", group, name);                                               \
        if (!st)                                                                                   \
            st = xpcs_h5x_i64(w, p, 0, NULL, &val_, err);                                          \
    } while (0)
#define STR(name, v)                                                                               \
    do {                                                                                           \
        snprintf(p, sizeof p, "%s/%s", group, name);                                               \
        if (!st)                                                                                   \
            st = xpcs_h5x_str(w, p, (v), err);                                                     \
    } while (0)
    I64("avg_frame", c->avg_frame);
    I64("stride_frame", c->stride_frame);
    I64("begin_frame", r->begin_raw);
    I64("end_frame", r->end_raw);
    I64("normalize_frame", c->normalize_frame);
    STR("type", type_name);
    STR("analysis_type", xpcs_analysis_name(c->analysis));
    STR("dq_selection", c->dq_selection);
    STR("raw", r->raw_path);
    STR("qmap", r->qmap_path);
    STR("output", c->output);
    STR("dataset", c->dataset);
    I64("n_ranks", r->n_ranks);
    I64("n_threads_per_rank", r->n_threads);
    STR("plan", r->plan_json);
    STR("version", "xpcs-toolkit " XPCS_VERSION);
    snprintf(p, sizeof p, "%s/build", group);
    if (!st && xpcs_h5_put_build(w->f, p) < 0)
        st = h5fail(w, p, err);
#undef I64
#undef STR
    return st;
}

xpcs_status xpcs_h5x_map_create(xpcs_resfile *w, const char *path, int64_t n,
                                const xpcs_mapz_spec *s, xpcs_err *err)
{
    const hsize_t d[2] = {(hsize_t)n, (hsize_t)n};
    const hsize_t ch[2] = {(hsize_t)s->chunk, (hsize_t)s->chunk};
    hid_t sp = H5Screate_simple(2, d, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    /* chunks are allocated as they are written; the ones never written
     * (below the diagonal) read as the fill value 0 */
    H5Pset_chunk(dcpl, 2, ch);
    if (s->filter == XPCS_MAPZ_LZF)
        H5Pset_filter(dcpl, XPCS_MAPZ_LZF, H5Z_FLAG_OPTIONAL, 0, NULL);
    else
        H5Pset_deflate(dcpl, XPCS_MAPZ_DEFLATE_LEVEL);
    hid_t ds = H5Dcreate2(w->f, path, H5T_IEEE_F32LE, sp, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    H5Sclose(sp);
    if (ds < 0)
        return h5fail(w, path, err);
    H5Dclose(ds);
    return XPCS_OK;
}

/* The map at path, open: the one kept from the last chunk when it is the
 * same (a map's chunks come one after another; opening a dataset for each
 * of 10^5 chunks was a good part of rank 0's time), else opened and kept.
 * Only whole compressed chunks go through this handle, never HDF5's chunk
 * cache, so nothing is pending on it when it is closed. */
static hid_t map_ds(xpcs_resfile *w, const char *path)
{
    if (w->map_ds >= 0 && strcmp(w->map_path, path) == 0)
        return w->map_ds;
    xpcs_resfile_close_map(w);
    w->map_ds = H5Dopen2(w->f, path, H5P_DEFAULT);
    if (w->map_ds >= 0)
        snprintf(w->map_path, sizeof w->map_path, "%s", path);
    return w->map_ds;
}

void xpcs_resfile_close_map(xpcs_resfile *w)
{
    if (w->map_ds >= 0)
        H5Dclose(w->map_ds);
    w->map_ds = -1;
    w->map_path[0] = '\0';
}

xpcs_status xpcs_h5x_map_chunk(xpcs_resfile *w, const char *path, int64_t ci, int64_t cj,
                               int64_t chunk, const void *bytes, size_t n, uint32_t mask,
                               xpcs_err *err)
{
    xpcs_status st = xpcs_resfile_reserve(w, (double)n, err);
    if (st)
        return st;
    const hsize_t at[2] = {(hsize_t)(ci * chunk), (hsize_t)(cj * chunk)};
    const hid_t ds = map_ds(w, path);
    const int ok = ds >= 0 && H5Dwrite_chunk(ds, H5P_DEFAULT, mask, at, n, bytes) >= 0;
    return ok ? XPCS_OK : h5fail(w, path, err);
}

xpcs_status xpcs_h5x_map_reserve(xpcs_resfile *w, const char *path, int64_t ci, int64_t cj,
                                 int64_t chunk, size_t n, uint32_t mask, int64_t *addr,
                                 xpcs_err *err)
{
    xpcs_status st = xpcs_resfile_reserve(w, (double)n, err);
    if (st)
        return st;
    if (n > w->scratch_cap) { /* HDF5 is handed a buffer, which the driver does not write */
        free(w->scratch);
        w->scratch = xpcs_calloc(n, 1);
        w->scratch_cap = n;
    }
    const hsize_t at[2] = {(hsize_t)(ci * chunk), (hsize_t)(cj * chunk)};
    const hid_t ds = map_ds(w, path);
    haddr_t a = HADDR_UNDEF;
    hsize_t size = 0;
    unsigned fm = 0;
    xpcs_h5own_skip_raw(1);
    int ok = ds >= 0 && H5Dwrite_chunk(ds, H5P_DEFAULT, mask, at, n, w->scratch) >= 0;
    xpcs_h5own_skip_raw(0);
    ok = ok && H5Dget_chunk_info_by_coord(ds, at, &fm, &a, &size) >= 0 && a != HADDR_UNDEF &&
         size == n;
    *addr = ok ? (int64_t)a : -1;
    return ok ? XPCS_OK : h5fail(w, path, err);
}

xpcs_status xpcs_h5x_map_rows(xpcs_resfile *w, const char *path, int64_t n, int64_t r0, int64_t nr,
                              int64_t col0, const void *rows, xpcs_err *err)
{
    xpcs_status st = xpcs_resfile_reserve(w, 4.0 * (double)nr * (double)(n - col0), err);
    if (st)
        return st;
    xpcs_resfile_close_map(w); /* these rows go through the chunk cache: a handle of their own */
    hid_t ds = H5Dopen2(w->f, path, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    const hsize_t start[2] = {(hsize_t)r0, (hsize_t)col0},
                  count[2] = {(hsize_t)nr, (hsize_t)(n - col0)};
    hid_t ms = H5Screate_simple(2, count, NULL);
    const int ok = sp >= 0 &&
                   H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
                   H5Dwrite(ds, H5T_NATIVE_FLOAT, ms, sp, H5P_DEFAULT, rows) >= 0;
    H5Sclose(ms);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    return ok ? XPCS_OK : h5fail(w, path, err);
}
