#include "xpcs/io/h5out.h"

#include <hdf5.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "h5pub.h"
#include "h5util.h"
#include "xpcs/io/h5in.h"
#include "resfile.h"

static double qmap_scalar(hid_t qf, const char *name, double fallback)
{
    double v = fallback;
    if (H5Lexists(qf, name, H5P_DEFAULT) <= 0)
        return v;
    hid_t d = H5Dopen2(qf, name, H5P_DEFAULT);
    if (d < 0)
        return v;
    hid_t s = H5Dget_space(d);
    if (H5Sget_simple_extent_npoints(s) == 1)
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v);
    H5Sclose(s);
    H5Dclose(d);
    return v;
}

static int minimal_entry(hid_t f, hid_t qf, const xpcs_result *r)
{
    char now[64];
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    double px = qmap_scalar(qf, "/qmap/pixel_size", 0.075);
    int rc = 0;
    rc |= xpcs_h5_put_str(f, "/entry/start_time", now);
    rc |= xpcs_h5_put_str(f, "/entry/schema_version", "xpcs-toolkit-minimal");
    rc |= xpcs_h5_put_f64(f, "/entry/instrument/detector_1/frame_time", r->frame_time);
    rc |= xpcs_h5_put_f64(f, "/entry/instrument/detector_1/count_time", r->count_time);
    rc |= xpcs_h5_put_f64(f, "/entry/instrument/detector_1/x_pixel_size", px);
    rc |= xpcs_h5_put_f64(f, "/entry/instrument/detector_1/y_pixel_size", px);
    rc |= xpcs_h5_put_f64(f, "/entry/instrument/detector_1/distance",
                          qmap_scalar(qf, "/qmap/detector_distance", 0.0));
    rc |= xpcs_h5_put_f64(f, "/entry/instrument/incident_beam/incident_energy",
                          qmap_scalar(qf, "/qmap/energy", 0.0));
    rc |= xpcs_h5_put_group(f, "/entry/instrument/bluesky/metadata");
    return rc;
}

static int write_results(hid_t f, hid_t qf, const xpcs_result *r)
{
    int rc = 0;
    const xpcs_config *c = r->cfg;
    /* /xpcs/qmap: copied with its attributes */
    rc |= xpcs_h5_put_group(f, "/xpcs");
    if (H5Ocopy(qf, "/qmap", f, "/xpcs/qmap", H5P_DEFAULT, H5P_DEFAULT) < 0)
        return -1;
    if (H5Aexists_by_name(f, "/xpcs/qmap", "hash", H5P_DEFAULT) <= 0)
        rc |= xpcs_h5_put_attr_str(f, "/xpcs/qmap", "hash", r->qmap_hash);
    char real[PATH_MAX];
    rc |=
        xpcs_h5_put_str(f, "/xpcs/rawdata_path", realpath(r->raw_path, real) ? real : r->raw_path);

    if (r->n_delays > 0) { /* -t twotime / linear: no multitau group */
        hsize_t d1[1] = {(hsize_t)r->n_delays};
        rc |= xpcs_h5_put(f, "/xpcs/multitau/delay_list", H5T_NATIVE_INT64, 1, d1, r->delays);
        hsize_t d2[2] = {(hsize_t)r->n_delays, (hsize_t)r->n_dq};
        rc |= xpcs_h5_put(f, "/xpcs/multitau/normalized_g2", H5T_NATIVE_DOUBLE, 2, d2, r->g2);
        rc |=
            xpcs_h5_put(f, "/xpcs/multitau/normalized_g2_err", H5T_NATIVE_DOUBLE, 2, d2, r->g2_err);

        hid_t g = H5Gcreate2(f, "/xpcs/multitau/config", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0)
            return -1;
        rc |= xpcs_h5_put_i64(g, "avg_frame", c->avg_frame);
        rc |= xpcs_h5_put_i64(g, "stride_frame", c->stride_frame);
        rc |= xpcs_h5_put_i64(g, "begin_frame", r->begin_raw);
        rc |= xpcs_h5_put_i64(g, "end_frame", r->end_raw);
        rc |= xpcs_h5_put_i64(g, "normalize_frame", c->normalize_frame);
        rc |= xpcs_h5_put_str(g, "type", "Multitau");
        rc |= xpcs_h5_put_str(g, "analysis_type", "Multitau");
        rc |= xpcs_h5_put_str(g, "dq_selection", c->dq_selection);
        rc |= xpcs_h5_put_str(g, "raw", r->raw_path);
        rc |= xpcs_h5_put_str(g, "qmap", r->qmap_path);
        rc |= xpcs_h5_put_str(g, "output", c->output);
        rc |= xpcs_h5_put_str(g, "dataset", c->dataset);
        rc |= xpcs_h5_put_i64(g, "n_ranks", r->n_ranks);
        rc |= xpcs_h5_put_i64(g, "n_threads_per_rank", r->n_threads);
        rc |= xpcs_h5_put_str(g, "plan", r->plan_json);
        rc |= xpcs_h5_put_str(g, "version", "xpcs-toolkit " XPCS_VERSION);
        rc |= xpcs_h5_put_build(g, "build");
        rc |= xpcs_h5_put_str(g, "intensity_vs_time_pixels", "mask");
        if (r->effective_config)
            rc |= xpcs_h5_put_str(g, "effective_config", r->effective_config);
        if (r->kernel) {
            rc |= xpcs_h5_put_str(g, "kernel", r->kernel);
            rc |= xpcs_h5_put_str(g, "kernel_option", xpcs_kernel_name(c->kernel));
            rc |= xpcs_h5_put_f64(g, "occupancy", r->occupancy);
        }
        H5Gclose(g);
    }

    hsize_t s2[3] = {1, (hsize_t)r->rows, (hsize_t)r->cols};
    rc |= xpcs_h5_put(f, "/xpcs/temporal_mean/scattering_2d", H5T_NATIVE_DOUBLE, 3, s2,
                      r->scattering_2d);
    hsize_t s1[2] = {1, (hsize_t)r->n_sq_out};
    rc |= xpcs_h5_put(f, "/xpcs/temporal_mean/scattering_1d", H5T_NATIVE_DOUBLE, 2, s1,
                      r->scattering_1d);
    hsize_t sg[2] = {(hsize_t)r->n_seg, (hsize_t)r->n_sq_out};
    rc |= xpcs_h5_put(f, "/xpcs/temporal_mean/scattering_1d_segments", H5T_NATIVE_DOUBLE, 2, sg,
                      r->segments);
    double *it = xpcs_malloc(sizeof(double) * 2 * (size_t)r->n_frames);
    for (int64_t k = 0; k < r->n_frames; k++) {
        it[k] = (double)k;
        it[r->n_frames + k] = r->int_t[k];
    }
    hsize_t si[2] = {2, (hsize_t)r->n_frames};
    rc |= xpcs_h5_put(f, "/xpcs/spatial_mean/intensity_vs_time", H5T_NATIVE_DOUBLE, 2, si, it);
    free(it);
    return rc;
}

/* Bytes the datasets of r take (the reservation before HDF5 writes). */
static double result_bytes(const xpcs_result *r)
{
    struct stat sb;
    double b = stat(r->qmap_path, &sb) == 0 ? (double)sb.st_size : 0.0; /* the /qmap copy */
    b += (double)r->n_delays * (8.0 + 16.0 * r->n_dq);
    b += 8.0 * ((double)r->rows * (double)r->cols + (double)r->n_sq_out * (1.0 + r->n_seg));
    b += 16.0 * (double)r->n_frames;
    b += (r->plan_json ? strlen(r->plan_json) : 0) +
         (r->effective_config ? strlen(r->effective_config) : 0) + 8192.0;
    return b;
}

xpcs_status xpcs_resfile_create(const xpcs_result *r, xpcs_resfile **out, xpcs_err *err)
{
    xpcs_resfile *w = xpcs_calloc(1, sizeof *w);
    w->f = -1;
    w->map_ds = -1;
    /* without -w a result that appears meanwhile (another run) is kept */
    xpcs_status st = xpcs_publish_begin(
        r->out_path, r->cfg->overwrite ? XPCS_PUBLISH_REPLACE : XPCS_PUBLISH_NEW, &w->pub, err);
    if (!st && r->meta_path)
        st = xpcs_publish_copy(w->pub, r->meta_path, "metadata file", err);
    if (!st && (w->f = xpcs_h5pub_open_shared(w->pub, r->meta_path, "metadata file",
                                              r->others_write_maps, err)) < 0)
        st = r->meta_path ? XPCS_ERR_INPUT : XPCS_ERR_OUTPUT;
    if (!st)
        st = xpcs_resfile_reserve(w, result_bytes(r), err);
    hid_t qf = -1;
    if (!st && (qf = H5Fopen(r->qmap_path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot reopen the q-map file", r->qmap_path);
    if (!st &&
        ((!r->meta_path && minimal_entry(w->f, qf, r) < 0) || write_results(w->f, qf, r) < 0))
        st = xpcs_h5pub_fail(w->pub, "the result", err);
    if (qf >= 0)
        H5Fclose(qf);
    if (st) {
        xpcs_resfile_abandon(&w);
        return st;
    }
    *out = w;
    return XPCS_OK;
}

xpcs_status xpcs_resfile_reserve(xpcs_resfile *w, double more, xpcs_err *err)
{
    return xpcs_h5pub_reserve(w->f, w->pub, more, err);
}

const char *xpcs_resfile_name(const xpcs_resfile *f)
{
    return xpcs_publish_final(f->pub);
}

const char *xpcs_resfile_tmp(const xpcs_resfile *f)
{
    return xpcs_publish_tmp(f->pub);
}

xpcs_status xpcs_resfile_commit(xpcs_resfile **fp, xpcs_err *err)
{
    xpcs_resfile *w = *fp;
    xpcs_resfile_close_map(w);
    xpcs_status st = xpcs_h5pub_close(&w->f, w->pub, err);
    if (st)
        xpcs_publish_abandon(&w->pub);
    else
        st = xpcs_publish_commit(&w->pub, err);
    free(w->scratch);
    free(w);
    *fp = NULL;
    return st;
}

void xpcs_resfile_abandon(xpcs_resfile **fp)
{
    if (!fp || !*fp)
        return;
    xpcs_resfile *w = *fp;
    xpcs_resfile_close_map(w);
    xpcs_h5pub_discard(&w->f);
    xpcs_publish_abandon(&w->pub);
    free(w->scratch);
    free(w);
    *fp = NULL;
}
