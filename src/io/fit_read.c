/* fit_read: the g2, t and q a fit reads from a result (fit_read.h). */
#include "fit_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

void xpcs_fit_input_free(fit_input *in)
{
    free(in->t);
    free(in->g2);
    free(in->g2_err);
    free(in->q);
    free(in->bins);
    memset(in, 0, sizeof *in);
}

/* ---- reading (shared readers: h5read.h) --------------------------------- */

/* A numeric dataset of rank 0..2 as double.  want_rank < 0: any rank
 * with the element count returned in *count.  dims receives the shape. */
static xpcs_status read_f64(const xpcs_h5r *f, const char *name, int want_rank, hsize_t dims[2],
                            double **out, size_t *count, const char *expect, xpcs_err *err)
{
    *out = NULL;
    xpcs_h5r_info in;
    xpcs_status st = xpcs_h5r_stat(f, name, expect, &in, err);
    if (!st && ((in.cls != XPCS_H5R_INTEGER && in.cls != XPCS_H5R_FLOAT) || in.rank > 2 ||
                (want_rank >= 0 && in.rank != want_rank)))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: dataset %s has rank %d or a non-numeric type: "
                       "expected %s",
                       xpcs_h5r_name(f), name, in.rank, expect);
    if (!st)
        st = xpcs_h5r_f64(f, name, expect, out, &in, err);
    if (!st) {
        if (count)
            *count = (size_t)in.count;
        if (dims) {
            dims[0] = in.rank >= 1 ? (hsize_t)in.dims[0] : 1;
            dims[1] = in.rank >= 2 ? (hsize_t)in.dims[1] : 1;
        }
    }
    return st;
}

/* A scalar (or one-element) number. */
static xpcs_status read_scalar(const xpcs_h5r *f, const char *name, double *v, xpcs_err *err)
{
    double *buf;
    size_t n = 0;
    xpcs_status st = read_f64(f, name, -1, NULL, &buf, &n, "a scalar number", err);
    if (!st && n != 1)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s has %zu elements: expected a scalar",
                       xpcs_h5r_name(f), name, n);
    if (!st)
        *v = buf[0];
    free(buf);
    return st;
}

/* t (s) = delays * frame_time * stride * avg of group's config. */
static xpcs_status to_seconds(const xpcs_h5r *f, const char *group, int n, double *t, xpcs_err *err)
{
    char p1[128], p2[128];
    double ft = 0, stride = 0, avg = 0;
    snprintf(p1, sizeof p1, "%s/config/stride_frame", group);
    snprintf(p2, sizeof p2, "%s/config/avg_frame", group);
    xpcs_status st = read_scalar(f, "/entry/instrument/detector_1/frame_time", &ft, err);
    if (!st)
        st = read_scalar(f, p1, &stride, err);
    if (!st)
        st = read_scalar(f, p2, &avg, err);
    if (!st && !(ft > 0 && isfinite(ft) && stride >= 1 && avg >= 1))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: frame_time %g s, stride_frame %g, avg_frame %g: expected a positive "
                       "frame time and stride, avg >= 1",
                       xpcs_h5r_name(f), ft, stride, avg);
    for (int i = 0; i < n && !st; i++)
        t[i] *= ft * stride * avg;
    return st;
}

/* multitau and linear: delay_list (frames), normalized_g2 and _err
 * (n_delays, n_bins), every dynamic bin. */
static xpcs_status read_g2_delays(const xpcs_h5r *f, const char *group, fit_input *in,
                                  xpcs_err *err)
{
    const char *file = xpcs_h5r_name(f);
    hsize_t dl[2] = {0, 0}, dg[2] = {0, 0}, de[2] = {0, 0};
    double *delay = NULL;
    size_t n_delay = 0;
    char pd[128], pg[128], pe[128], what[128];
    snprintf(pd, sizeof pd, "%s/delay_list", group);
    snprintf(pg, sizeof pg, "%s/normalized_g2", group);
    snprintf(pe, sizeof pe, "%s/normalized_g2_err", group);
    snprintf(what, sizeof what, "a %s result (n_delays, n_bins)", group + 6);
    xpcs_status st =
        read_f64(f, pd, -1, dl, &delay, &n_delay, "the delay list (n_delays,) in frames", err);
    if (!st)
        st = read_f64(f, pg, 2, dg, &in->g2, NULL, what, err);
    if (!st)
        st = read_f64(f, pe, 2, de, &in->g2_err, NULL, "the g2 errors (n_delays, n_bins)", err);
    if (!st && (dg[0] != n_delay || de[0] != dg[0] || de[1] != dg[1] || dg[0] < 1 || dg[1] < 1))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: %s (%llu, %llu) and _err (%llu, %llu): "
                       "expected both (n_delays = %zu, n_bins >= 1)",
                       file, pg, (unsigned long long)dg[0], (unsigned long long)dg[1],
                       (unsigned long long)de[0], (unsigned long long)de[1], n_delay);
    in->t = delay;
    if (!st) {
        in->n_t = (int)dg[0];
        in->n_bins = (int)dg[1];
        in->bins = xpcs_malloc(sizeof(int64_t) * (size_t)in->n_bins);
        for (int k = 0; k < in->n_bins; k++)
            in->bins[k] = k + 1;
        st = to_seconds(f, group, in->n_t, in->t, err);
    }
    return st;
}

/* twotime: normalized_g2 (N, n_bins), row k = lag k frames, of the
 * processed_bins; no errors are stored, so lag k's is the spread of the 5
 * diagonal blocks' means (normalized_g2_segments): std (ddof 1) / sqrt(5);
 * lags 1 .. N/5 - 1 (lag 0 is no correlation; longer lags have no blocks). */
static xpcs_status read_g2_twotime(const xpcs_h5r *f, fit_input *in, xpcs_err *err)
{
    const char *file = xpcs_h5r_name(f);
    hsize_t dg[2] = {0, 0};
    double *g2 = NULL, *seg = NULL, *bins = NULL;
    size_t nseg = 0, nb = 0;
    xpcs_status st = read_f64(f, "/xpcs/twotime/normalized_g2", 2, dg, &g2, NULL,
                              "a two-time result (N, n_bins)", err);
    if (!st)
        st = read_f64(f, "/xpcs/twotime/processed_bins", 1, NULL, &bins, &nb,
                      "the 1-based dynamic bins of the maps", err);
    xpcs_h5r_info si;
    if (!st)
        st = xpcs_h5r_f64(f, "/xpcs/twotime/normalized_g2_segments",
                          "the segments' g2 (N/5, 5, n_bins)", &seg, &si, err);
    if (!st)
        nseg = (size_t)si.count;
    const int64_t N = (int64_t)dg[0], B = (int64_t)dg[1], K = N / 5;
    if (!st && (nb != (size_t)B || nseg != (size_t)(K * 5 * B) || B < 1))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: /xpcs/twotime/normalized_g2 (%lld, %lld), processed_bins (%zu), "
                       "normalized_g2_segments (%zu values): expected (N, n_bins), (n_bins,) and "
                       "(N/5, 5, n_bins)",
                       file, (long long)N, (long long)B, nb, nseg);
    if (!st && K < 3)
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: /xpcs/twotime/normalized_g2 has %lld lags: expected at least 15 to fit",
                       file, (long long)N);
    if (!st) {
        in->n_t = (int)(K - 1);
        in->n_bins = (int)B;
        in->t = xpcs_malloc(sizeof(double) * (size_t)in->n_t);
        in->g2 = xpcs_malloc(sizeof(double) * (size_t)(in->n_t * B));
        in->g2_err = xpcs_malloc(sizeof(double) * (size_t)(in->n_t * B));
        in->bins = xpcs_malloc(sizeof(int64_t) * (size_t)B);
        for (int64_t b = 0; b < B; b++)
            in->bins[b] = (int64_t)bins[b];
        for (int64_t k = 1; k < K; k++) {
            in->t[k - 1] = (double)k;
            for (int64_t b = 0; b < B; b++) {
                double m = 0, v = 0;
                for (int s2 = 0; s2 < 5; s2++)
                    m += seg[(k * 5 + s2) * B + b] / 5;
                for (int s2 = 0; s2 < 5; s2++) {
                    const double d = seg[(k * 5 + s2) * B + b] - m;
                    v += d * d / 4;
                }
                in->g2[(k - 1) * B + b] = g2[k * B + b];
                in->g2_err[(k - 1) * B + b] = sqrt(v / 5);
            }
        }
        st = to_seconds(f, "/xpcs/twotime", in->n_t, in->t, err);
    }
    free(g2);
    free(seg);
    free(bins);
    return st;
}

/* q of each column's dynamic bin (1-based in->bins) through the dynamic
 * index mapping. */
static xpcs_status read_q(const xpcs_h5r *f, fit_input *in, xpcs_err *err)
{
    const char *file = xpcs_h5r_name(f);
    double *dim0 = NULL, *dim1 = NULL, *map = NULL;
    size_t n0 = 0, n1 = 1, nm = 0;
    xpcs_status st = read_f64(f, "/xpcs/qmap/dynamic_v_list_dim0", 1, NULL, &dim0, &n0,
                              "the q values of the dynamic bins (1/Angstrom)", err);
    if (!st && xpcs_h5r_exists(f, "/xpcs/qmap/dynamic_v_list_dim1"))
        st = read_f64(f, "/xpcs/qmap/dynamic_v_list_dim1", 1, NULL, &dim1, &n1,
                      "the second axis of the dynamic bins", err);
    if (!st && n1 < 1)
        n1 = 1;
    int64_t max_bin = 0;
    for (int k = 0; k < in->n_bins; k++)
        max_bin = in->bins[k] > max_bin ? in->bins[k] : max_bin;
    if (!st && xpcs_h5r_exists(f, "/xpcs/qmap/dynamic_index_mapping")) {
        st = read_f64(f, "/xpcs/qmap/dynamic_index_mapping", 1, NULL, &map, &nm,
                      "the natural index of each dynamic bin", err);
        if (!st && nm < (size_t)max_bin)
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: /xpcs/qmap/dynamic_index_mapping has %zu entries: expected one "
                           "per g2 column (%lld)",
                           file, nm, (long long)max_bin);
    }
    if (!st) {
        in->q = xpcs_malloc(sizeof(double) * (size_t)in->n_bins);
        for (int k = 0; k < in->n_bins && !st; k++) {
            const int64_t bin = in->bins[k] - 1;
            const double nat = bin < 0 ? -1.0 : map ? map[bin] : (double)bin;
            const double i0 = floor(nat / (double)n1);
            if (n0 == 0) /* no q at all: no "0 .. -1" range to name */
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: /xpcs/qmap/dynamic_v_list_dim0 is empty: expected the q "
                               "value of each dynamic bin",
                               file);
            else if (!(nat >= 0) || !(i0 < (double)n0))
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: dynamic bin %lld has natural index %g: expected 0 .. %zu "
                               "(dynamic_v_list_dim0 has %zu values, dim1 %zu)",
                               file, (long long)bin + 1, nat, n0 * n1 - 1, n0, n1);
            else
                in->q[k] = dim0[(size_t)i0];
        }
    }
    free(dim0);
    free(dim1);
    free(map);
    return st;
}

xpcs_status xpcs_fit_read_input(const xpcs_h5r *f, xpcs_fit_source src, fit_input *in,
                                xpcs_err *err)
{
    memset(in, 0, sizeof *in);
    xpcs_status st = src == XPCS_FIT_SRC_TWOTIME  ? read_g2_twotime(f, in, err)
                     : src == XPCS_FIT_SRC_LINEAR ? read_g2_delays(f, "/xpcs/linear", in, err)
                                                  : read_g2_delays(f, "/xpcs/multitau", in, err);
    if (!st)
        st = read_q(f, in, err);
    if (st)
        xpcs_fit_input_free(in);
    return st;
}
