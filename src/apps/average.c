/* average: the rules of xpcs-average -- which inputs agree, the g2
 * baseline and Int_t outlier rules, the mean (see average.h).  The files
 * are read and written by io/avgfile. */
#include "xpcs/apps/average.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpcs/io/avgfile.h"

typedef struct {
    char *path;
    xpcs_avg_input in; /* its g2 and int_t are freed after screening */
    double baseline;
    int have_int;
    double int_lo, int_hi;
    double int_mean; /* rule 3: mean of intensity_vs_time */
    double *s1;      /* rule 4: scattering_1d */
    int64_t n_s1;
    double saxs_dev; /* rule 4: median |I(q) / reference - 1| (NaN: not applied) */
    double drift;    /* rule 5 */
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
    o->int_tol = 0.25;
    o->saxs_tol = 0.2;
    o->drift_tol = 0.1;
}

static size_t count_of(int nd, const int64_t *dims)
{
    size_t n = 1;
    for (int k = 0; k < nd; k++)
        n *= (size_t)dims[k];
    return n;
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

/* Rules 4 and 5: the file's I(q) kept; its drift from its own segments. */
static xpcs_status saxs_stats(in_file *f, xpcs_err *err)
{
    double *v[XPCS_AVG_N];
    int64_t n[XPCS_AVG_N];
    xpcs_status st = xpcs_avgfile_read_data(f->path, v, n, err);
    if (st)
        return st;
    f->n_s1 = n[XPCS_AVG_S1D];
    f->s1 = v[XPCS_AVG_S1D];
    v[XPCS_AVG_S1D] = NULL;
    const int64_t nq = f->n_s1, ns = nq > 0 ? n[XPCS_AVG_SEG] / nq : 0, third = ns / 3;
    const double *seg = v[XPCS_AVG_SEG];
    double *r = xpcs_malloc(sizeof(double) * (size_t)(nq + 1));
    size_t m = 0;
    for (int64_t q = 0; q < nq && third > 0; q++) {
        double early = 0, late = 0;
        for (int64_t k = 0; k < third; k++) {
            early += seg[k * nq + q];
            late += seg[(ns - 1 - k) * nq + q];
        }
        if (early > 0)
            r[m++] = fabs(late / early - 1);
    }
    f->drift = m ? median(r, m) : NAN;
    free(r);
    for (int k = 0; k < XPCS_AVG_N; k++)
        free(v[k]);
    return XPCS_OK;
}

/* Reads f and applies rule 1's option checks; rule 1 and 2 statistics. */
static xpcs_status read_input(xpcs_average *A, in_file *f, xpcs_err *err)
{
    xpcs_avg_input *in = &f->in;
    xpcs_status st = xpcs_avgfile_read(f->path, in, err);
    if (!st) {
        /* rule 1 */
        const int K = A->o.q_bin, W = A->o.window, n_dq = (int)in->dims[XPCS_AVG_G2][1];
        if (K < 1 || K > n_dq)
            st = xpcs_fail(err, XPCS_ERR_USAGE, "--q-bin %d: %s has %d dynamic bins", K, f->path,
                           n_dq);
        else if (W < 1 || W > in->n_tau)
            st = xpcs_fail(err, XPCS_ERR_USAGE, "--window %d: %s has %d delays", W, f->path,
                           in->n_tau);
        else {
            double s = 0;
            for (int j = in->n_tau - W; j < in->n_tau; j++)
                s += in->g2[(size_t)j * (size_t)n_dq + (size_t)(K - 1)];
            f->baseline = s / W;
        }
        /* rule 2 statistics */
        size_t nf = (size_t)in->dims[XPCS_AVG_INT][1];
        f->have_int = int_t_blocks(in->int_t + nf, nf, A->o.int_t_blocks, &f->int_lo, &f->int_hi);
        double s = 0;
        for (size_t t = 0; t < nf; t++)
            s += in->int_t[nf + t];
        f->int_mean = nf ? s / (double)nf : NAN;
        st = saxs_stats(f, err);
    }
    free(in->g2);
    free(in->int_t);
    in->g2 = in->int_t = NULL;
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
    for (int d = 0; d < f->in.rank[k] && len < n; d++)
        len += (size_t)snprintf(buf + len, n - len, "%s%llu", d ? ", " : "",
                                (unsigned long long)f->in.dims[k][d]);
    if (len < n)
        snprintf(buf + len, n - len, ")");
}

/* Everything that must match the first file. */
static xpcs_status check_compatible(const in_file *a, const in_file *b, xpcs_err *err)
{
    if (strcmp(a->in.hash, b->in.hash) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: /xpcs/qmap hash '%s' differs from '%s' of %s: expected results of "
                         "the same q-map",
                         b->path, b->in.hash, a->in.hash, a->path);
    int same = a->in.n_tau == b->in.n_tau;
    for (int j = 0; same && j < a->in.n_tau; j++)
        same = a->in.delays[j] == b->in.delays[j];
    if (!same)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: %s (%d delays) differs from that of %s (%d delays): expected the "
                         "same delay list",
                         b->path, XPCS_AVG_DELAYS, b->in.n_tau, a->path, a->in.n_tau);
    for (int k = 0; k < XPCS_AVG_N; k++) {
        int eq = a->in.rank[k] == b->in.rank[k];
        for (int d = 0; eq && d < a->in.rank[k]; d++)
            eq = a->in.dims[k][d] == b->in.dims[k][d];
        if (!eq) {
            char sa[128], sb[128];
            shape_text(a, k, sa, sizeof sa);
            shape_text(b, k, sb, sizeof sb);
            return xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s has shape %s: expected %s like %s",
                             b->path, xpcs_avgfile_dataset(k), sb, sa, a->path);
        }
    }
    if (!same_num(a->in.stride, b->in.stride) || !same_num(a->in.avg, b->in.avg))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: stride_frame/avg_frame %g/%g differ from %g/%g of %s: expected the "
                         "same frame selection",
                         b->path, b->in.stride, b->in.avg, a->in.stride, a->in.avg, a->path);
    if (!same_num(a->in.frame_time, b->in.frame_time))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: frame_time %g s differs from %g s of %s: expected the same frame "
                         "time",
                         b->path, b->in.frame_time, a->in.frame_time, a->path);
    return XPCS_OK;
}

/* Rules 3 to 5: absolute intensity and I(q) against the files' medians
 * (3+ files), the drift of I(q) inside each file. */
static void intensity_rules(xpcs_average *A)
{
    const xpcs_average_opts *o = &A->o;
    const int n = A->n;
    double *v = xpcs_malloc(sizeof(double) * (size_t)(n + 1));
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(A->f[i].int_mean))
            v[m++] = A->f[i].int_mean;
    const double med = m >= 3 ? median(v, (size_t)m) : NAN;
    for (int i = 0; i < n && o->int_tol > 0 && med > 0; i++) {
        const double r = A->f[i].int_mean / med;
        if (!(r <= 1 + o->int_tol && r >= 1 / (1 + o->int_tol)))
            add_reason(&A->f[i],
                       "absolute intensity %.4g counts per pixel and frame is %.3gx the files' "
                       "median %.4g (allowed %.3g..%.3gx)",
                       A->f[i].int_mean, r, med, 1 / (1 + o->int_tol), 1 + o->int_tol);
    }
    const int64_t nq = A->f[0].n_s1;
    double *ref = xpcs_malloc(sizeof(double) * (size_t)(nq + 1));
    double *dev = xpcs_malloc(sizeof(double) * (size_t)(nq + 1));
    for (int64_t q = 0; q < nq && n >= 3; q++) {
        for (int i = 0; i < n; i++)
            v[i] = A->f[i].s1[q];
        ref[q] = median(v, (size_t)n);
    }
    for (int i = 0; i < n; i++) {
        in_file *f = &A->f[i];
        size_t k = 0;
        for (int64_t q = 0; q < nq && n >= 3 && f->n_s1 == nq; q++)
            if (ref[q] > 0)
                dev[k++] = fabs(f->s1[q] / ref[q] - 1);
        f->saxs_dev = k ? median(dev, k) : NAN;
        if (o->saxs_tol > 0 && f->saxs_dev > o->saxs_tol)
            add_reason(f,
                       "SAXS differs from the other files: I(q) off the files' median by %.1f %% "
                       "(median over %zu q bins; limit %.3g %%)",
                       100 * f->saxs_dev, k, 100 * o->saxs_tol);
        if (o->drift_tol > 0 && f->drift > o->drift_tol)
            add_reason(f,
                       "SAXS drifts within the file (radiation damage?): I(q) of the last third "
                       "of the run off the first third by %.1f %% (median over q; limit %.3g %%)",
                       100 * f->drift, 100 * o->drift_tol);
    }
    free(v);
    free(ref);
    free(dev);
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
    intensity_rules(A);
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
    A->n_dq = (int)A->f[0].in.dims[XPCS_AVG_G2][1];
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
        free((*a)->f[i].s1);
        xpcs_avgfile_input_free(&(*a)->f[i].in);
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
        fprintf(out, "; intensity %.4g; SAXS drift %.3g", f->int_mean, f->drift);
        fprintf(out, ")%s%s\n", f->accepted ? "" : ": ", f->reason);
    }
}

/* ---- output --------------------------------------------------------------- */

static const in_file *first_accepted(const xpcs_average *A)
{
    for (int i = 0; i < A->n; i++)
        if (A->f[i].accepted)
            return &A->f[i];
    return NULL;
}

/* Sums of the averaged datasets over the accepted files, in input order;
 * sum[XPCS_AVG_INT]'s row 0 (the frame index) is the first accepted file's. */
static xpcs_status sum_accepted(const xpcs_average *A, double **sum, xpcs_err *err)
{
    const in_file *t = first_accepted(A);
    for (int k = 0; k < XPCS_AVG_N; k++)
        sum[k] = xpcs_calloc(count_of(t->in.rank[k], t->in.dims[k]) + 1, sizeof(double));
    const size_t first = count_of(t->in.rank[XPCS_AVG_INT], t->in.dims[XPCS_AVG_INT]) / 2;
    double *row0 = xpcs_malloc(sizeof(double) * (first + 1));
    xpcs_status st = XPCS_OK;
    for (int i = 0; i < A->n && !st; i++) {
        const in_file *f = &A->f[i];
        if (!f->accepted)
            continue;
        double *v[XPCS_AVG_N];
        int64_t n[XPCS_AVG_N];
        st = xpcs_avgfile_read_data(f->path, v, n, err);
        for (int k = 0; k < XPCS_AVG_N && !st; k++) {
            for (int64_t e = 0; e < n[k]; e++)
                sum[k][e] += v[k][e];
            if (k == XPCS_AVG_INT && f == t)
                memcpy(row0, v[k], sizeof(double) * first);
            free(v[k]);
        }
    }
    if (!st)
        memcpy(sum[XPCS_AVG_INT], row0, sizeof(double) * first);
    free(row0);
    return st;
}

/* The means: sum / n; normalized_g2_err: mean / sqrt(n) (the viewer's rule);
 * intensity_vs_time: row 1 only. */
static void divide(const xpcs_average *A, double **sum, int na)
{
    const in_file *t = first_accepted(A);
    const double n = (double)na, rt = sqrt(n);
    for (int k = 0; k < XPCS_AVG_N; k++) {
        size_t cnt = count_of(t->in.rank[k], t->in.dims[k]);
        size_t first = k == XPCS_AVG_INT ? cnt / 2 : 0;
        for (size_t e = first; e < cnt; e++)
            sum[k][e] = k == XPCS_AVG_G2_ERR ? sum[k][e] / n / rt : sum[k][e] / n;
    }
}

static xpcs_status write_average(const xpcs_average *A, const double *const *avg, xpcs_err *err)
{
    const xpcs_average_opts *o = &A->o;
    const char **all = xpcs_malloc(sizeof(char *) * (size_t)A->n * 4);
    const char **acc = all + A->n, **rej = acc + A->n, **why = rej + A->n;
    double *base = xpcs_malloc(sizeof(double) * (size_t)A->n * 6);
    double *ilo = base + A->n, *ihi = ilo + A->n, *imean = ihi + A->n, *sdev = imean + A->n;
    double *drift = sdev + A->n;
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
        imean[i] = fi->int_mean;
        sdev[i] = fi->saxs_dev;
        drift[i] = fi->drift;
    }
    xpcs_avg_record r = {
        .n = A->n,
        .files = all,
        .n_accepted = na,
        .n_rejected = nr,
        .accepted = acc,
        .rejected = rej,
        .reasons = why,
        .g2_baseline = base,
        .int_t_block_min = ilo,
        .int_t_block_max = ihi,
        .q_bin = o->q_bin,
        .window = o->window,
        .bounds = {o->lo, o->hi},
        .int_t_sigma = o->int_t_sigma,
        .int_t_blocks = o->int_t_blocks,
        .int_t_floor = o->int_t_floor,
        .int_t_rule_applied = A->int_rule_applied,
        .g2_rule = "accept when bounds[0] <= mean(normalized_g2[-window:, q_bin - 1]) <= bounds[1]",
        .int_t_rule = "x = Int_t / median(Int_t); lo, hi = min, max of the means of int_t_blocks "
                      "equal blocks of x; reject when |lo - median(lo)| or |hi - median(hi)| over "
                      "the files exceeds int_t_sigma * max(1.4826 MAD, int_t_floor) (3+ files)",
        .g2_err_rule = "mean(normalized_g2_err) / sqrt(n_accepted)",
        .intensity = imean,
        .saxs_dev = sdev,
        .saxs_drift = drift,
        .int_tol = o->int_tol,
        .saxs_tol = o->saxs_tol,
        .drift_tol = o->drift_tol,
        .intensity_rule = "reject when mean(intensity_vs_time) / median over the files is outside "
                          "[1 / (1 + int_tol), 1 + int_tol] (3+ files)",
        .saxs_rule = "reject when median over q of |scattering_1d / median over the files - 1| > "
                     "saxs_tol (3+ files), or when median over q of |segments' last third / "
                     "first third - 1| > drift_tol"};
    xpcs_status st =
        xpcs_avgfile_write(first_accepted(A)->path, o->out, o->overwrite, avg, &r, err);
    free(all);
    free(base);
    return st;
}

xpcs_status xpcs_average_write(const xpcs_average *A, xpcs_err *err)
{
    const int na = xpcs_average_n_accepted(A);
    if (na == 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "no file accepted out of %d (reasons above): nothing to average", A->n);
    const char *out = A->o.out;
    struct stat sb; /* lstat: a link at out counts, also a dangling one */
    if (!A->o.overwrite && lstat(out, &sb) == 0)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: file exists: use -w/--overwrite to replace it",
                         out);
    char rout[PATH_MAX], rin[PATH_MAX];
    for (int i = 0; i < A->n; i++)
        if (realpath(out, rout) && realpath(A->f[i].path, rin) && strcmp(rout, rin) == 0)
            return xpcs_fail(err, XPCS_ERR_USAGE, "%s: the output is one of the inputs", out);
    double *sum[XPCS_AVG_N] = {NULL};
    xpcs_status st = sum_accepted(A, sum, err);
    if (!st) {
        divide(A, sum, na);
        st = write_average(A, (const double *const *)sum, err);
    }
    for (int k = 0; k < XPCS_AVG_N; k++)
        free(sum[k]);
    return st;
}
