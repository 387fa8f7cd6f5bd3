/* avgfile: the files of xpcs-average (see xpcs/io/avgfile.h). */
#include "xpcs/io/avgfile.h"

#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5pub.h"
#include "h5util.h"
#include "xpcs/core/publish.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/h5read.h"

#define EXPECT "a multitau result file"

static const char *const avg_paths[XPCS_AVG_N] = {"/xpcs/multitau/normalized_g2",
                                                  "/xpcs/multitau/normalized_g2_err",
                                                  "/xpcs/temporal_mean/scattering_2d",
                                                  "/xpcs/temporal_mean/scattering_1d",
                                                  "/xpcs/temporal_mean/scattering_1d_segments",
                                                  "/xpcs/spatial_mean/intensity_vs_time"};

const char *xpcs_avgfile_dataset(int k)
{
    return avg_paths[k];
}

/* ---- reading ---------------------------------------------------------------- */

/* The shape of an averaged dataset; whatever is not a dataset is missing. */
static xpcs_status shape_of(const xpcs_h5r *h, const char *path, xpcs_h5r_info *info, xpcs_err *err)
{
    const char *file = xpcs_h5r_name(h);
    if (xpcs_h5r_stat(h, path, EXPECT, info, err) != XPCS_OK)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s is missing: expected " EXPECT, file,
                         path);
    if (info->rank > XPCS_AVG_MAX_RANK)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s has %d dimensions: expected 1 to %d",
                         file, path, info->rank, XPCS_AVG_MAX_RANK);
    return XPCS_OK;
}

/* The whole dataset as double into *v (malloc'd). */
static xpcs_status read_all(const xpcs_h5r *h, const char *path, xpcs_h5r_info *info, double **v,
                            xpcs_err *err)
{
    xpcs_status st = shape_of(h, path, info, err);
    if (!st && xpcs_h5r_f64(h, path, EXPECT, v, NULL, err) != XPCS_OK)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s: cannot read it as numbers",
                       xpcs_h5r_name(h), path);
    return st;
}

/* A number, NaN when absent or not one number. */
static double read_scalar(const xpcs_h5r *h, const char *path)
{
    double v;
    xpcs_err ignored;
    return xpcs_h5r_f64_scalar(h, path, NULL, &v, &ignored) == XPCS_OK ? v : NAN;
}

static void read_hash(const xpcs_h5r *h, char *out, size_t n)
{
    char *s = NULL;
    xpcs_err ignored;
    out[0] = '\0';
    if (xpcs_h5r_attr_string(h, "/xpcs/qmap", "hash", NULL, &s, &ignored) == XPCS_OK)
        snprintf(out, n, "%s", s);
    free(s);
}

static xpcs_status read_input(const xpcs_h5r *h, xpcs_avg_input *in, xpcs_err *err)
{
    const char *file = xpcs_h5r_name(h);
    xpcs_h5r_info info;
    xpcs_status st = XPCS_OK;
    read_hash(h, in->hash, sizeof in->hash);
    for (int k = 0; k < XPCS_AVG_N && !st; k++) { /* shapes of every averaged dataset */
        st = shape_of(h, avg_paths[k], &info, err);
        in->rank[k] = info.rank;
        for (int d = 0; d < info.rank && d < XPCS_AVG_MAX_RANK; d++)
            in->dims[k][d] = info.dims[d];
    }
    double *dl = NULL;
    if (!st)
        st = read_all(h, XPCS_AVG_DELAYS, &info, &dl, err);
    if (!st && info.rank != 1)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s has %d dimensions: expected 1", file,
                       XPCS_AVG_DELAYS, info.rank);
    if (!st) {
        in->n_tau = (int)info.dims[0];
        in->delays = xpcs_malloc(sizeof(int64_t) * (size_t)(in->n_tau ? in->n_tau : 1));
        for (int j = 0; j < in->n_tau; j++)
            in->delays[j] = (int64_t)llround(dl[j]);
    }
    free(dl);
    if (!st && (in->rank[XPCS_AVG_G2] != 2 || in->dims[XPCS_AVG_G2][0] != in->n_tau))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: %s: expected shape (n_delays = %d, n_bins) like the delay list", file,
                       avg_paths[XPCS_AVG_G2], in->n_tau);
    if (!st && (in->rank[XPCS_AVG_INT] != 2 || in->dims[XPCS_AVG_INT][0] != 2))
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s: expected shape (2, n_frames)", file,
                       avg_paths[XPCS_AVG_INT]);
    if (!st)
        st = read_all(h, avg_paths[XPCS_AVG_G2], &info, &in->g2, err);
    if (!st)
        st = read_all(h, avg_paths[XPCS_AVG_INT], &info, &in->int_t, err);
    if (!st) {
        in->stride = read_scalar(h, "/xpcs/multitau/config/stride_frame");
        in->avg = read_scalar(h, "/xpcs/multitau/config/avg_frame");
        in->frame_time = read_scalar(h, "/entry/instrument/detector_1/frame_time");
    }
    return st;
}

xpcs_status xpcs_avgfile_read(const char *path, xpcs_avg_input *in, xpcs_err *err)
{
    memset(in, 0, sizeof *in);
    in->stride = in->avg = in->frame_time = NAN;
    xpcs_h5r *h = NULL;
    xpcs_status st = xpcs_h5r_open(path, "an HDF5 result file", &h, err);
    if (st)
        return st;
    st = read_input(h, in, err);
    xpcs_h5r_close(&h);
    if (st)
        xpcs_avgfile_input_free(in);
    return st;
}

void xpcs_avgfile_input_free(xpcs_avg_input *in)
{
    free(in->delays);
    free(in->g2);
    free(in->int_t);
    in->delays = NULL;
    in->g2 = in->int_t = NULL;
}

xpcs_status xpcs_avgfile_read_data(const char *path, double *v[XPCS_AVG_N], int64_t n[XPCS_AVG_N],
                                   xpcs_err *err)
{
    for (int k = 0; k < XPCS_AVG_N; k++) {
        v[k] = NULL;
        n[k] = 0;
    }
    xpcs_h5r *h = NULL;
    if (xpcs_h5r_open(path, NULL, &h, err) != XPCS_OK)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot reopen", path);
    xpcs_status st = XPCS_OK;
    for (int k = 0; k < XPCS_AVG_N && !st; k++) {
        xpcs_h5r_info info;
        st = read_all(h, avg_paths[k], &info, &v[k], err);
        n[k] = st ? 0 : info.count;
    }
    xpcs_h5r_close(&h);
    for (int k = 0; k < XPCS_AVG_N && st; k++) {
        free(v[k]);
        v[k] = NULL;
    }
    return st;
}

/* ---- writing (small writers: h5util.h) ----------------------------------- */

#define REC "/xpcs/average/"

static int write_record(hid_t f, const xpcs_avg_record *r)
{
    if (xpcs_h5_exists(f, "/xpcs/average") && H5Ldelete(f, "/xpcs/average", H5P_DEFAULT) < 0)
        return -1;
    hsize_t n1[1] = {(hsize_t)r->n}, two[1] = {2};
    int rc = 0;
    rc |= xpcs_h5_put_strs(f, REC "files", r->files, r->n);
    rc |= xpcs_h5_put_strs(f, REC "accepted", r->accepted, r->n_accepted);
    rc |= xpcs_h5_put_strs(f, REC "rejected", r->rejected, r->n_rejected);
    rc |= xpcs_h5_put_strs(f, REC "reasons", r->reasons, r->n_rejected);
    rc |= xpcs_h5_put(f, REC "g2_baseline", H5T_NATIVE_DOUBLE, 1, n1, r->g2_baseline);
    rc |= xpcs_h5_put(f, REC "int_t_block_min", H5T_NATIVE_DOUBLE, 1, n1, r->int_t_block_min);
    rc |= xpcs_h5_put(f, REC "int_t_block_max", H5T_NATIVE_DOUBLE, 1, n1, r->int_t_block_max);
    rc |= xpcs_h5_put(f, REC "intensity", H5T_NATIVE_DOUBLE, 1, n1, r->intensity);
    rc |= xpcs_h5_put(f, REC "saxs_deviation", H5T_NATIVE_DOUBLE, 1, n1, r->saxs_dev);
    rc |= xpcs_h5_put(f, REC "saxs_drift", H5T_NATIVE_DOUBLE, 1, n1, r->saxs_drift);
    rc |= xpcs_h5_put_f64(f, REC "config/int_tol", r->int_tol);
    rc |= xpcs_h5_put_f64(f, REC "config/saxs_tol", r->saxs_tol);
    rc |= xpcs_h5_put_f64(f, REC "config/drift_tol", r->drift_tol);
    rc |= xpcs_h5_put_str(f, REC "config/intensity_rule", r->intensity_rule);
    rc |= xpcs_h5_put_str(f, REC "config/saxs_rule", r->saxs_rule);
    rc |= xpcs_h5_put_f64(f, REC "config/q_bin", r->q_bin);
    rc |= xpcs_h5_put_f64(f, REC "config/window", r->window);
    rc |= xpcs_h5_put(f, REC "config/bounds", H5T_NATIVE_DOUBLE, 1, two, r->bounds);
    rc |= xpcs_h5_put_f64(f, REC "config/int_t_sigma", r->int_t_sigma);
    rc |= xpcs_h5_put_f64(f, REC "config/int_t_blocks", r->int_t_blocks);
    rc |= xpcs_h5_put_f64(f, REC "config/int_t_floor", r->int_t_floor);
    rc |= xpcs_h5_put_f64(f, REC "config/int_t_rule_applied", r->int_t_rule_applied);
    rc |= xpcs_h5_put_str(f, REC "config/g2_rule", r->g2_rule);
    rc |= xpcs_h5_put_str(f, REC "config/int_t_rule", r->int_t_rule);
    rc |= xpcs_h5_put_str(f, REC "config/g2_err_rule", r->g2_err_rule);
    rc |= xpcs_h5_put_str(f, REC "config/version", "xpcs-toolkit " XPCS_VERSION);
    return rc;
}

/* Replaces the values of the existing dataset path (same shape). */
static int rewrite(hid_t f, const char *path, const double *v)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0)
        return -1;
    int rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0 ? -1 : 0;
    H5Dclose(d);
    return rc;
}

xpcs_status xpcs_avgfile_write(const char *template_path, const char *out, int overwrite,
                               const double *const avg[XPCS_AVG_N], const xpcs_avg_record *rec,
                               xpcs_err *err)
{
    xpcs_publish *p = NULL;
    xpcs_publish_remove_stale(out); /* a killed run's leftovers */
    xpcs_status st =
        xpcs_publish_begin(out, overwrite ? XPCS_PUBLISH_REPLACE : XPCS_PUBLISH_NEW, &p, err);
    if (st)
        return st;
    st = xpcs_publish_copy(p, template_path, "result file", err);
    hid_t f = -1;
    if (!st && (f = xpcs_h5pub_open(p, template_path, "result file", err)) < 0)
        st = XPCS_ERR_INPUT;
    /* the datasets are rewritten in place; the record is small */
    const double bytes = 64.0 * 1024 + 256.0 * (rec->n + 8);
    if (!st)
        st = xpcs_h5pub_reserve(f, p, bytes, err);
    if (!st) {
        int rc = 0;
        for (int k = 0; k < XPCS_AVG_N; k++)
            rc |= rewrite(f, avg_paths[k], avg[k]);
        rc |= write_record(f, rec);
        if (rc < 0)
            st = xpcs_h5pub_fail(p, "the average", err);
    }
    return xpcs_h5pub_finish(&f, &p, st, err);
}
