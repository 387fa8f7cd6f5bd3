/* average: screening and averaging of result files (see average.h). */
#include "xpcs/apps/average.h"

#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xpcs/core/fileutil.h"
#include "xpcs/io/h5in.h"
#include "../io/h5util.h" /* TODO(issue 11): through io */

enum { P_G2 = 0, P_ERR, P_S2D, P_S1D, P_SEG, P_INT, N_AVG };

static const char *const avg_paths[N_AVG] = {"/xpcs/multitau/normalized_g2",
                                             "/xpcs/multitau/normalized_g2_err",
                                             "/xpcs/temporal_mean/scattering_2d",
                                             "/xpcs/temporal_mean/scattering_1d",
                                             "/xpcs/temporal_mean/scattering_1d_segments",
                                             "/xpcs/spatial_mean/intensity_vs_time"};
#define DELAYS "/xpcs/multitau/delay_list"
#define MAX_ND 4

typedef struct {
    char *path;
    char hash[256];
    int nd[N_AVG];
    hsize_t dims[N_AVG][MAX_ND];
    int n_tau;
    int64_t *delays;
    double stride, avg, frame_time; /* NaN when absent */
    double baseline;
    int have_int;
    double int_lo, int_hi;
    int accepted;
    char reason[768];
} in_file;

struct xpcs_average {
    xpcs_average_opts o;
    int n;
    in_file *f;
    int n_dq;
    int int_rule_applied;
    double med_lo, sig_lo, med_hi, sig_hi;
};

void xpcs_average_opts_default(xpcs_average_opts *o)
{
    memset(o, 0, sizeof *o);
    o->q_bin = 1;
    o->window = 3;
    o->lo = 0.95;
    o->hi = 1.05;
    o->int_t_sigma = 5.0;
    o->int_t_blocks = 32;
    o->int_t_floor = 0.01;
}

/* ---- small HDF5 readers --------------------------------------------------- */

static xpcs_status open_ds(hid_t f, const char *file, const char *path, hid_t *d, int *nd,
                           hsize_t *dims, xpcs_err *err)
{
    *d = H5Lexists(f, path, H5P_DEFAULT) > 0 ? H5Dopen2(f, path, H5P_DEFAULT) : -1;
    if (*d < 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s is missing: expected a multitau result file", file, path);
    hid_t s = H5Dget_space(*d);
    *nd = H5Sget_simple_extent_ndims(s);
    if (*nd < 0 || *nd > MAX_ND) {
        H5Sclose(s);
        H5Dclose(*d);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s has %d dimensions: expected 1 to %d",
                         file, path, *nd, MAX_ND);
    }
    H5Sget_simple_extent_dims(s, dims, NULL);
    H5Sclose(s);
    return XPCS_OK;
}

static size_t count_of(int nd, const hsize_t *dims)
{
    size_t n = 1;
    for (int k = 0; k < nd; k++)
        n *= (size_t)dims[k];
    return n;
}

/* Reads the whole dataset as double into *data (malloc'd). */
static xpcs_status read_f64(hid_t f, const char *file, const char *path, int *nd, hsize_t *dims,
                            double **data, xpcs_err *err)
{
    hid_t d;
    xpcs_status st = open_ds(f, file, path, &d, nd, dims, err);
    if (st)
        return st;
    size_t n = count_of(*nd, dims);
    *data = xpcs_malloc(sizeof(double) * (n ? n : 1));
    herr_t rc = n ? H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) : 0;
    H5Dclose(d);
    if (rc < 0) {
        free(*data);
        *data = NULL;
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s: cannot read it as numbers", file,
                         path);
    }
    return XPCS_OK;
}

static int link_exists(hid_t f, const char *path)
{
    /* every intermediate group must exist for H5Lexists */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        int ok = H5Lexists(f, buf, H5P_DEFAULT) > 0;
        *p = '/';
        if (!ok)
            return 0;
    }
    return H5Lexists(f, buf, H5P_DEFAULT) > 0;
}

static double read_scalar(hid_t f, const char *path)
{
    double v = NAN;
    if (!link_exists(f, path))
        return v;
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0)
        return v;
    hid_t s = H5Dget_space(d);
    if (H5Sget_simple_extent_npoints(s) == 1 &&
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
        v = NAN;
    H5Sclose(s);
    H5Dclose(d);
    return v;
}

static void read_hash(hid_t f, char *out, size_t n)
{
    out[0] = '\0';
    if (!link_exists(f, "/xpcs/qmap") ||
        H5Aexists_by_name(f, "/xpcs/qmap", "hash", H5P_DEFAULT) <= 0)
        return;
    hid_t a = H5Aopen_by_name(f, "/xpcs/qmap", "hash", H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return;
    hid_t t = H5Aget_type(a);
    if (H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            char *s = NULL;
            hid_t mt = H5Tcopy(t); /* same character set (h5py writes UTF-8) */
            if (H5Aread(a, mt, &s) >= 0 && s) {
                snprintf(out, n, "%s", s);
                H5free_memory(s);
            }
            H5Tclose(mt);
        }
        else {
            size_t sz = H5Tget_size(t);
            char *s = xpcs_calloc(sz + 1, 1);
            hid_t mt = H5Tcopy(t);
            H5Tset_size(mt, sz + 1);
            H5Tset_strpad(mt, H5T_STR_NULLTERM);
            if (H5Aread(a, mt, s) >= 0)
                snprintf(out, n, "%s", s);
            H5Tclose(mt);
            free(s);
        }
    }
    H5Tclose(t);
    H5Aclose(a);
}

/* ---- statistics ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n-1] (v is reordered). */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Rule 2 statistics of one Int_t series x[0..n-1]; 0 if not defined. */
static int int_t_blocks(const double *x, size_t n, int blocks, double *lo, double *hi)
{
    if (n == 0)
        return 0;
    double *tmp = xpcs_malloc(sizeof(double) * n);
    memcpy(tmp, x, sizeof(double) * n);
    double ref = median(tmp, n);
    free(tmp);
    if (!(ref > 0)) {
        double s = 0;
        for (size_t t = 0; t < n; t++)
            s += x[t];
        ref = s / (double)n;
    }
    if (!(ref > 0))
        return 0;
    size_t b = (size_t)blocks < n ? (size_t)blocks : n;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t k = 0; k < b; k++) {
        size_t a0 = k * n / b, a1 = (k + 1) * n / b;
        double s = 0;
        for (size_t t = a0; t < a1; t++)
            s += x[t];
        double m = s / (double)(a1 - a0) / ref;
        if (m < *lo)
            *lo = m;
        if (m > *hi)
            *hi = m;
    }
    return 1;
}

static void add_reason(in_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_reason(in_file *f, const char *fmt, ...)
{
    size_t len = strlen(f->reason);
    if (len && len + 2 < sizeof f->reason) {
        memcpy(f->reason + len, "; ", 3);
        len += 2;
    }
    if (len + 1 >= sizeof f->reason)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->reason + len, sizeof f->reason - len, fmt, ap);
    va_end(ap);
}

/* ---- screening ------------------------------------------------------------ */

static xpcs_status read_input(xpcs_average *A, in_file *f, xpcs_err *err)
{
    hid_t h = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h < 0) {
        char h5[256];
        xpcs_h5_last_error(h5, sizeof h5);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open: expected an HDF5 result file%s%s%s",
                         f->path, h5[0] ? " (HDF5: " : "", h5, h5[0] ? ")" : "");
    }
    xpcs_status st = XPCS_OK;
    read_hash(h, f->hash, sizeof f->hash);
    /* shapes of every averaged dataset */
    for (int k = 0; k < N_AVG && !st; k++) {
        hid_t d;
        st = open_ds(h, f->path, avg_paths[k], &d, &f->nd[k], f->dims[k], err);
        if (!st)
            H5Dclose(d);
    }
    double *dl = NULL, *g2 = NULL, *it = NULL;
    int nd;
    hsize_t dims[MAX_ND];
    if (!st)
        st = read_f64(h, f->path, DELAYS, &nd, dims, &dl, err);
    if (!st && nd != 1)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s has %d dimensions: expected 1", f->path, DELAYS,
                       nd);
    if (!st) {
        f->n_tau = (int)dims[0];
        f->delays = xpcs_malloc(sizeof(int64_t) * (size_t)(f->n_tau ? f->n_tau : 1));
        for (int j = 0; j < f->n_tau; j++)
            f->delays[j] = (int64_t)llround(dl[j]);
    }
    if (!st && (f->nd[P_G2] != 2 || f->dims[P_G2][0] != (hsize_t)f->n_tau))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: %s: expected shape (n_delays = %d, n_bins) like the delay list",
                       f->path, avg_paths[P_G2], f->n_tau);
    if (!st && (f->nd[P_INT] != 2 || f->dims[P_INT][0] != 2))
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s: expected shape (2, n_frames)", f->path,
                       avg_paths[P_INT]);
    if (!st)
        st = read_f64(h, f->path, avg_paths[P_G2], &nd, dims, &g2, err);
    if (!st)
        st = read_f64(h, f->path, avg_paths[P_INT], &nd, dims, &it, err);
    if (!st) {
        f->stride = read_scalar(h, "/xpcs/multitau/config/stride_frame");
        f->avg = read_scalar(h, "/xpcs/multitau/config/avg_frame");
        f->frame_time = read_scalar(h, "/entry/instrument/detector_1/frame_time");
        /* rule 1 */
        const int K = A->o.q_bin, W = A->o.window, n_dq = (int)f->dims[P_G2][1];
        if (K < 1 || K > n_dq)
            st = xpcs_fail(err, XPCS_ERR_USAGE, "--q-bin %d: %s has %d dynamic bins", K, f->path,
                           n_dq);
        else if (W < 1 || W > f->n_tau)
            st = xpcs_fail(err, XPCS_ERR_USAGE, "--window %d: %s has %d delays", W, f->path,
                           f->n_tau);
        else {
            double s = 0;
            for (int j = f->n_tau - W; j < f->n_tau; j++)
                s += g2[(size_t)j * (size_t)n_dq + (size_t)(K - 1)];
            f->baseline = s / W;
        }
        /* rule 2 statistics */
        size_t nf = (size_t)f->dims[P_INT][1];
        f->have_int = int_t_blocks(it + nf, nf, A->o.int_t_blocks, &f->int_lo, &f->int_hi);
    }
    free(dl);
    free(g2);
    free(it);
    H5Fclose(h);
    return st;
}

static int same_num(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

static void shape_text(const in_file *f, int k, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "(");
    for (int d = 0; d < f->nd[k] && len < n; d++)
        len += (size_t)snprintf(buf + len, n - len, "%s%llu", d ? ", " : "",
                                (unsigned long long)f->dims[k][d]);
    if (len < n)
        snprintf(buf + len, n - len, ")");
}

/* Everything that must match the first file. */
static xpcs_status check_compatible(const in_file *a, const in_file *b, xpcs_err *err)
{
    if (strcmp(a->hash, b->hash) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: /xpcs/qmap hash '%s' differs from '%s' of %s: expected results of "
                         "the same q-map",
                         b->path, b->hash, a->hash, a->path);
    int same = a->n_tau == b->n_tau;
    for (int j = 0; same && j < a->n_tau; j++)
        same = a->delays[j] == b->delays[j];
    if (!same)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: %s (%d delays) differs from that of %s (%d delays): expected the "
                         "same delay list",
                         b->path, DELAYS, b->n_tau, a->path, a->n_tau);
    for (int k = 0; k < N_AVG; k++) {
        int eq = a->nd[k] == b->nd[k];
        for (int d = 0; eq && d < a->nd[k]; d++)
            eq = a->dims[k][d] == b->dims[k][d];
        if (!eq) {
            char sa[128], sb[128];
            shape_text(a, k, sa, sizeof sa);
            shape_text(b, k, sb, sizeof sb);
            return xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s has shape %s: expected %s like %s",
                             b->path, avg_paths[k], sb, sa, a->path);
        }
    }
    if (!same_num(a->stride, b->stride) || !same_num(a->avg, b->avg))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: stride_frame/avg_frame %g/%g differ from %g/%g of %s: expected the "
                         "same frame selection",
                         b->path, b->stride, b->avg, a->stride, a->avg, a->path);
    if (!same_num(a->frame_time, b->frame_time))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: frame_time %g s differs from %g s of %s: expected the same frame "
                         "time",
                         b->path, b->frame_time, a->frame_time, a->path);
    return XPCS_OK;
}

static void apply_rules(xpcs_average *A)
{
    const xpcs_average_opts *o = &A->o;
    for (int i = 0; i < A->n; i++) {
        in_file *f = &A->f[i];
        if (!(f->baseline >= o->lo && f->baseline <= o->hi))
            add_reason(f,
                       "g2 baseline %.4f (mean of the last %d delays at q bin %d) outside [%g, %g]",
                       f->baseline, o->window, o->q_bin, o->lo, o->hi);
    }
    int m = 0;
    for (int i = 0; i < A->n; i++)
        m += A->f[i].have_int;
    A->int_rule_applied = o->int_t_sigma > 0 && m >= 3;
    if (A->int_rule_applied) {
        double *lo = xpcs_malloc(sizeof(double) * (size_t)m);
        double *hi = xpcs_malloc(sizeof(double) * (size_t)m);
        int k = 0;
        for (int i = 0; i < A->n; i++)
            if (A->f[i].have_int) {
                lo[k] = A->f[i].int_lo;
                hi[k++] = A->f[i].int_hi;
            }
        A->med_lo = median(lo, (size_t)m);
        A->med_hi = median(hi, (size_t)m);
        for (int j = 0; j < m; j++) {
            lo[j] = fabs(lo[j] - A->med_lo);
            hi[j] = fabs(hi[j] - A->med_hi);
        }
        A->sig_lo = fmax(1.4826 * median(lo, (size_t)m), o->int_t_floor);
        A->sig_hi = fmax(1.4826 * median(hi, (size_t)m), o->int_t_floor);
        free(lo);
        free(hi);
        for (int i = 0; i < A->n; i++) {
            in_file *f = &A->f[i];
            if (!f->have_int)
                continue;
            double zl = fabs(f->int_lo - A->med_lo) / A->sig_lo;
            double zh = fabs(f->int_hi - A->med_hi) / A->sig_hi;
            if (zl > o->int_t_sigma)
                add_reason(f,
                           "intensity vs time outlier: lowest block mean %.4f of Int_t/median is "
                           "%.1f robust sigmas from the files' median %.4f (limit %g)",
                           f->int_lo, zl, A->med_lo, o->int_t_sigma);
            if (zh > o->int_t_sigma)
                add_reason(f,
                           "intensity vs time outlier: highest block mean %.4f of Int_t/median "
                           "is %.1f robust sigmas from the files' median %.4f (limit %g)",
                           f->int_hi, zh, A->med_hi, o->int_t_sigma);
        }
    }
    for (int i = 0; i < A->n; i++)
        A->f[i].accepted = A->f[i].reason[0] == '\0';
}

xpcs_status xpcs_average_screen(const xpcs_average_opts *o, int n, const char *const *files,
                                xpcs_average **out, xpcs_err *err)
{
    *out = NULL;
    if (n < 1)
        return xpcs_fail(err, XPCS_ERR_USAGE, "no result files given (see --help)");
    if (!(o->lo <= o->hi))
        return xpcs_fail(err, XPCS_ERR_USAGE, "--bounds %g:%g: expected LO <= HI", o->lo, o->hi);
    if (o->int_t_blocks < 1)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--int-t-blocks: expected >= 1");
    xpcs_average *A = xpcs_calloc(1, sizeof *A);
    A->o = *o;
    A->n = n;
    A->f = xpcs_calloc((size_t)n, sizeof *A->f);
    xpcs_status st = XPCS_OK;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(files[i]) + 1;
        A->f[i].path = memcpy(xpcs_malloc(len), files[i], len);
    }
    for (int i = 0; i < n && !st; i++) {
        st = read_input(A, &A->f[i], err);
        if (!st && i > 0)
            st = check_compatible(&A->f[0], &A->f[i], err);
    }
    if (st) {
        xpcs_average_destroy(&A);
        return st;
    }
    A->n_dq = (int)A->f[0].dims[P_G2][1];
    apply_rules(A);
    *out = A;
    return XPCS_OK;
}

void xpcs_average_destroy(xpcs_average **a)
{
    if (!a || !*a)
        return;
    for (int i = 0; i < (*a)->n; i++) {
        free((*a)->f[i].path);
        free((*a)->f[i].delays);
    }
    free((*a)->f);
    free(*a);
    *a = NULL;
}

int xpcs_average_count(const xpcs_average *a)
{
    return a->n;
}

int xpcs_average_n_accepted(const xpcs_average *a)
{
    int k = 0;
    for (int i = 0; i < a->n; i++)
        k += a->f[i].accepted;
    return k;
}

int xpcs_average_is_accepted(const xpcs_average *a, int i)
{
    return a->f[i].accepted;
}

const char *xpcs_average_reason(const xpcs_average *a, int i)
{
    return a->f[i].reason;
}

void xpcs_average_print(const xpcs_average *a, FILE *out)
{
    for (int i = 0; i < a->n; i++) {
        const in_file *f = &a->f[i];
        fprintf(out, "%s %s (g2 baseline %.4f", f->accepted ? "accepted" : "rejected", f->path,
                f->baseline);
        if (f->have_int)
            fprintf(out, "; Int_t block means %.4f..%.4f of the median", f->int_lo, f->int_hi);
        fprintf(out, ")%s%s\n", f->accepted ? "" : ": ", f->reason);
    }
}

/* ---- output --------------------------------------------------------------- */

/* Sums of the averaged datasets over the accepted files, in input order. */
static xpcs_status sum_accepted(const xpcs_average *A, double **sum, xpcs_err *err)
{
    const in_file *t = NULL;
    for (int i = 0; i < A->n && !t; i++)
        if (A->f[i].accepted)
            t = &A->f[i];
    for (int k = 0; k < N_AVG; k++)
        sum[k] = xpcs_calloc(count_of(t->nd[k], t->dims[k]) + 1, sizeof(double));
    xpcs_status st = XPCS_OK;
    for (int i = 0; i < A->n && !st; i++) {
        const in_file *f = &A->f[i];
        if (!f->accepted)
            continue;
        hid_t h = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (h < 0)
            return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot reopen", f->path);
        for (int k = 0; k < N_AVG && !st; k++) {
            double *v = NULL;
            int nd;
            hsize_t dims[MAX_ND];
            st = read_f64(h, f->path, avg_paths[k], &nd, dims, &v, err);
            if (st)
                break;
            size_t n = count_of(nd, dims);
            for (size_t e = 0; e < n; e++)
                sum[k][e] += v[e];
            free(v);
        }
        H5Fclose(h);
    }
    return st;
}

static int write_record(const xpcs_average *A, hid_t f)
{
    const xpcs_average_opts *o = &A->o;
    if (link_exists(f, "/xpcs/average") && H5Ldelete(f, "/xpcs/average", H5P_DEFAULT) < 0)
        return -1;
    hid_t g = H5Gcreate2(f, "/xpcs/average", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return -1;
    const char **all = xpcs_malloc(sizeof(char *) * (size_t)A->n);
    const char **acc = xpcs_malloc(sizeof(char *) * (size_t)A->n);
    const char **rej = xpcs_malloc(sizeof(char *) * (size_t)A->n);
    const char **why = xpcs_malloc(sizeof(char *) * (size_t)A->n);
    double *base = xpcs_malloc(sizeof(double) * (size_t)A->n * 3);
    double *ilo = base + A->n, *ihi = ilo + A->n;
    int na = 0, nr = 0;
    for (int i = 0; i < A->n; i++) {
        const in_file *fi = &A->f[i];
        all[i] = fi->path;
        if (fi->accepted)
            acc[na++] = fi->path;
        else {
            rej[nr] = fi->path;
            why[nr++] = fi->reason;
        }
        base[i] = fi->baseline;
        ilo[i] = fi->have_int ? fi->int_lo : NAN;
        ihi[i] = fi->have_int ? fi->int_hi : NAN;
    }
    hsize_t n1[1] = {(hsize_t)A->n}, two[1] = {2};
    int rc = 0;
    rc |= xpcs_h5_put_strs(g, "files", all, A->n);
    rc |= xpcs_h5_put_strs(g, "accepted", acc, na);
    rc |= xpcs_h5_put_strs(g, "rejected", rej, nr);
    rc |= xpcs_h5_put_strs(g, "reasons", why, nr);
    rc |= xpcs_h5_put(g, "g2_baseline", H5T_NATIVE_DOUBLE, 1, n1, base);
    rc |= xpcs_h5_put(g, "int_t_block_min", H5T_NATIVE_DOUBLE, 1, n1, ilo);
    rc |= xpcs_h5_put(g, "int_t_block_max", H5T_NATIVE_DOUBLE, 1, n1, ihi);
    free(all);
    free(acc);
    free(rej);
    free(why);
    free(base);
    hid_t c = H5Gcreate2(g, "config", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (c < 0) {
        H5Gclose(g);
        return -1;
    }
    double q = o->q_bin, w = o->window, bounds[2] = {o->lo, o->hi};
    double blocks = o->int_t_blocks, applied = A->int_rule_applied;
    rc |= xpcs_h5_put(c, "q_bin", H5T_NATIVE_DOUBLE, 0, NULL, &q);
    rc |= xpcs_h5_put(c, "window", H5T_NATIVE_DOUBLE, 0, NULL, &w);
    rc |= xpcs_h5_put(c, "bounds", H5T_NATIVE_DOUBLE, 1, two, bounds);
    rc |= xpcs_h5_put(c, "int_t_sigma", H5T_NATIVE_DOUBLE, 0, NULL, &o->int_t_sigma);
    rc |= xpcs_h5_put(c, "int_t_blocks", H5T_NATIVE_DOUBLE, 0, NULL, &blocks);
    rc |= xpcs_h5_put(c, "int_t_floor", H5T_NATIVE_DOUBLE, 0, NULL, &o->int_t_floor);
    rc |= xpcs_h5_put(c, "int_t_rule_applied", H5T_NATIVE_DOUBLE, 0, NULL, &applied);
    rc |= xpcs_h5_put_str(
        c, "g2_rule",
        "accept when bounds[0] <= mean(normalized_g2[-window:, q_bin - 1]) <= bounds[1]");
    rc |= xpcs_h5_put_str(
        c, "int_t_rule",
        "x = Int_t / median(Int_t); lo, hi = min, max of the means of int_t_blocks "
        "equal blocks of x; reject when |lo - median(lo)| or |hi - median(hi)| over "
        "the files exceeds int_t_sigma * max(1.4826 MAD, int_t_floor) (3+ files)");
    rc |= xpcs_h5_put_str(c, "g2_err_rule", "mean(normalized_g2_err) / sqrt(n_accepted)");
    rc |= xpcs_h5_put_str(c, "version", "xpcs-toolkit " XPCS_VERSION);
    H5Gclose(c);
    H5Gclose(g);
    return rc;
}

static int rewrite(hid_t f, const char *path, const double *v)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0)
        return -1;
    int rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0 ? -1 : 0;
    H5Dclose(d);
    return rc;
}

xpcs_status xpcs_average_write(const xpcs_average *A, xpcs_err *err)
{
    const int na = xpcs_average_n_accepted(A);
    if (na == 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "no file accepted out of %d (reasons above): nothing to average", A->n);
    const char *out = A->o.out;
    if (!A->o.overwrite && access(out, F_OK) == 0)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: file exists: use -w/--overwrite to replace it",
                         out);
    char rout[PATH_MAX], rin[PATH_MAX];
    for (int i = 0; i < A->n; i++)
        if (realpath(out, rout) && realpath(A->f[i].path, rin) && strcmp(rout, rin) == 0)
            return xpcs_fail(err, XPCS_ERR_USAGE, "%s: the output is one of the inputs", out);
    const in_file *t = NULL;
    for (int i = 0; i < A->n && !t; i++)
        if (A->f[i].accepted)
            t = &A->f[i];
    double *sum[N_AVG] = {NULL};
    xpcs_status st = sum_accepted(A, sum, err);
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    hid_t f = -1;
    if (!st)
        st = xpcs_copy_file(t->path, tmp, "result file", err);
    if (!st) {
        f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
        if (f < 0)
            st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot open the copy of %s for writing", tmp,
                           t->path);
    }
    if (!st) {
        const double n = (double)na, rt = sqrt(n);
        int rc = 0;
        for (int k = 0; k < N_AVG; k++) {
            size_t cnt = count_of(t->nd[k], t->dims[k]);
            size_t first = 0;
            if (k == P_INT) { /* row 0 is the frame index: keep the first file's */
                double *v = NULL;
                int nd;
                hsize_t dims[MAX_ND];
                if (read_f64(f, tmp, avg_paths[k], &nd, dims, &v, err) != XPCS_OK) {
                    rc = -1;
                    break;
                }
                first = cnt / 2;
                memcpy(sum[k], v, sizeof(double) * first);
                free(v);
            }
            for (size_t e = first; e < cnt; e++)
                sum[k][e] = k == P_ERR ? sum[k][e] / n / rt : sum[k][e] / n;
            rc |= rewrite(f, avg_paths[k], sum[k]);
        }
        rc |= write_record(A, f);
        if (rc < 0) {
            char h5[256];
            xpcs_h5_last_error(h5, sizeof h5);
            st =
                xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot write the average (HDF5: %s)", tmp, h5);
        }
    }
    if (f >= 0 && H5Fclose(f) < 0 && !st)
        st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot close (disk full?)", tmp);
    if (!st && rename(tmp, out) != 0)
        st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot rename to %s: %s", tmp, out,
                       strerror(errno));
    if (st)
        unlink(tmp);
    for (int k = 0; k < N_AVG; k++)
        free(sum[k]);
    return st;
}
