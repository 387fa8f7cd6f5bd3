/* quality: the data-quality indicators (see include/xpcs/kernels/quality.h). */
#include "xpcs/kernels/quality.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/status.h"

void xpcs_quality_defaults(xpcs_quality_opts *o)
{
    memset(o, 0, sizeof *o);
    o->hot_sigma = 10;
    o->hot_ratio = 3;
    o->pixel_shift_critical = 0.1;
    o->dead_counts = 20;
    o->fraction_critical = 0.01;
    o->drop_fraction = 0.5;
    o->jump_fraction = 0.2;
    o->drift_warning = 0.05;
    o->drift_critical = 0.2;
    o->baseline_warning = 0.05;
    o->baseline_critical = 0.2;
    o->contrast_warning = 0.3;
    o->contrast_critical = 0.6;
}

const char *xpcs_quality_status_name(int status)
{
    static const char *const names[] = {"ok", "warning", "critical", "unknown"};
    return status >= 0 && status <= 3 ? names[status] : "unknown";
}

/* Median of v[n] (v is reordered); NaN for n = 0.  GSL's selection
 * (O(n)): the same values as a full sort's middle ones, averaged as
 * 0.5 * (lower + upper) for even n. */
static double median(double *v, int64_t n)
{
    if (n <= 0)
        return NAN;
    return gsl_stats_median(v, 1, (size_t)n);
}

static void add_item(xpcs_quality_entry *e, int64_t item, double value)
{
    if ((e->n & (e->n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow to twice */
        const size_t cap = e->n ? (size_t)e->n * 2 : 1;
        int64_t *items = xpcs_malloc(sizeof(int64_t) * cap);
        double *values = xpcs_malloc(sizeof(double) * cap);
        if (e->n) {
            memcpy(items, e->items, sizeof(int64_t) * (size_t)e->n);
            memcpy(values, e->values, sizeof(double) * (size_t)e->n);
        }
        free(e->items);
        free(e->values);
        e->items = items;
        e->values = values;
    }
    e->items[e->n] = item;
    e->values[e->n] = value;
    e->n++;
}

static void entry(xpcs_quality *q, xpcs_quality_ind k, const char *name, const char *items_are,
                  const char *unit, double warning, double critical)
{
    xpcs_quality_entry *e = &q->e[k];
    e->name = name;
    e->items_are = items_are;
    e->unit = unit;
    e->warning = warning;
    e->critical = critical;
    e->status = XPCS_QS_UNKNOWN;
}

/* Per static bin: the valid pixels' means, their median and robust spread. */
typedef struct {
    int64_t *first; /* [n_sq + 2] CSR over the bins 0..n_sq */
    int64_t *pix;
    double *med, *spread, *mean;
} bin_stats;

static void bins_of_pixels(const xpcs_quality_input *in, bin_stats *b)
{
    const int64_t np = in->rows * in->cols, nb = in->n_sq + 1;
    const double nraw = (double)(in->n_frames * in->avg);
    b->first = xpcs_calloc((size_t)nb + 1, sizeof(int64_t));
    b->pix = xpcs_malloc(sizeof(int64_t) * (size_t)(np + 1));
    b->med = xpcs_calloc((size_t)nb, sizeof(double));
    b->spread = xpcs_calloc((size_t)nb, sizeof(double));
    b->mean = xpcs_calloc((size_t)nb, sizeof(double));
    for (int64_t p = 0; p < np; p++)
        if (in->mask[p] && in->smap[p] > 0 && in->smap[p] <= in->n_sq)
            b->first[in->smap[p] + 1]++;
    for (int64_t s = 0; s < nb; s++)
        b->first[s + 1] += b->first[s];
    int64_t *at = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    memcpy(at, b->first, sizeof(int64_t) * (size_t)nb);
    for (int64_t p = 0; p < np; p++)
        if (in->mask[p] && in->smap[p] > 0 && in->smap[p] <= in->n_sq)
            b->pix[at[in->smap[p]]++] = p;
    free(at);
    double *v = xpcs_malloc(sizeof(double) * (size_t)(np + 1));
    for (int64_t s = 1; s < nb; s++) {
        const int64_t n = b->first[s + 1] - b->first[s];
        double sum = 0;
        for (int64_t i = 0; i < n; i++)
            sum += v[i] = in->s2[b->pix[b->first[s] + i]];
        b->mean[s] = n ? sum / (double)n : 0.0;
        const double m = median(v, n);
        for (int64_t i = 0; i < n; i++)
            v[i] = fabs(v[i] - m);
        const double mad = 1.4826 * median(v, n);
        /* the mean of a Poisson pixel over the run spreads by sqrt(m / N) */
        const double poisson = sqrt(fmax(m, 1.0 / nraw) / nraw);
        b->med[s] = n ? m : 0.0;
        b->spread[s] = fmax(mad, poisson);
    }
    free(v);
}

static void bins_free(bin_stats *b)
{
    free(b->first);
    free(b->pix);
    free(b->med);
    free(b->spread);
    free(b->mean);
}

/* Saturated, hot and dead pixels; the first two critical when they move
 * their bin's mean by more than pixel_shift_critical. */
static void pixels(const xpcs_quality_input *in, const xpcs_quality_opts *o, xpcs_quality *q)
{
    xpcs_quality_entry *sat = &q->e[XPCS_Q_SATURATED], *hot = &q->e[XPCS_Q_HOT];
    xpcs_quality_entry *dead = &q->e[XPCS_Q_DEAD];
    bin_stats b;
    bins_of_pixels(in, &b);
    const double nraw = (double)(in->n_frames * in->avg);
    const double satv = in->count_max * (double)in->avg;
    int64_t n_valid = 0;
    double worst_shift = 0;
    for (int s = 1; s <= in->n_sq; s++) {
        double sum_bad = 0;
        int64_t n_bad = 0;
        const int64_t n = b.first[s + 1] - b.first[s];
        n_valid += n;
        for (int64_t i = b.first[s]; i < b.first[s + 1]; i++) {
            const int64_t p = b.pix[i];
            const double m = in->s2[p];
            const int is_sat = in->pmax && satv > 0 && in->pmax[p] >= satv;
            const int is_hot = !is_sat && (m - b.med[s]) / b.spread[s] > o->hot_sigma &&
                               m > o->hot_ratio * b.med[s];
            if (is_sat)
                add_item(sat, p, m);
            if (is_hot)
                add_item(hot, p, m);
            if (is_sat || is_hot) {
                sum_bad += m;
                n_bad++;
            }
            if (m == 0 && b.med[s] * nraw >= o->dead_counts)
                add_item(dead, p, b.med[s]);
        }
        if (n_bad > 0 && n > n_bad) { /* the bin's mean with and without them */
            const double clean = (b.mean[s] * (double)n - sum_bad) / (double)(n - n_bad);
            const double shift = clean > 0 ? b.mean[s] / clean - 1 : INFINITY;
            worst_shift = shift > worst_shift ? shift : worst_shift;
        }
        else if (n_bad > 0)
            worst_shift = INFINITY;
    }
    for (xpcs_quality_entry *e = sat; e <= hot; e++) {
        e->value = (double)e->n;
        e->status = e->n == 0                               ? XPCS_QS_OK
                    : worst_shift > o->pixel_shift_critical ? XPCS_QS_CRITICAL
                                                            : XPCS_QS_WARNING;
    }
    if (!in->pmax || !(satv > 0))
        sat->status = XPCS_QS_UNKNOWN;
    dead->value = (double)dead->n;
    dead->critical = o->fraction_critical * (double)n_valid;
    dead->status = dead->n == 0                       ? XPCS_QS_OK
                   : (double)dead->n > dead->critical ? XPCS_QS_CRITICAL
                                                      : XPCS_QS_WARNING;
    bins_free(&b);
}

/* Zero frames, beam drops and intensity jumps from the intensity vs time. */
static void frames(const xpcs_quality_input *in, const xpcs_quality_opts *o, int64_t n_valid,
                   xpcs_quality *q)
{
    xpcs_quality_entry *zero = &q->e[XPCS_Q_ZERO_FRAMES], *drop = &q->e[XPCS_Q_BEAM_DROPS];
    xpcs_quality_entry *jump = &q->e[XPCS_Q_JUMPS];
    const int64_t N = in->n_frames;
    if (N < 1 || n_valid < 1)
        return;
    double *v = xpcs_malloc(sizeof(double) * (size_t)N);
    memcpy(v, in->int_t, sizeof(double) * (size_t)N);
    const double med = median(v, N);
    /* counts of the valid pixels in one output frame, and their Poisson spread as a mean */
    const double counts = med * (double)n_valid * (double)in->avg;
    const double sd = sqrt(fmax(med, 0.0) / ((double)n_valid * (double)in->avg));
    for (int64_t k = 0; k < N; k++) {
        const double I = in->int_t[k];
        if (I == 0 && counts >= o->dead_counts)
            add_item(zero, k, I);
        else if (I < (1 - o->drop_fraction) * med && med - I > 6 * sd)
            add_item(drop, k, med > 0 ? I / med : 0.0);
    }
    /* window medians, the zero frames left out */
    const int64_t W = N / 64 > 16 ? N / 64 : 16;
    double prev = NAN;
    for (int64_t a = 0; a < N; a += W) {
        int64_t n = 0;
        for (int64_t k = a; k < a + W && k < N; k++)
            if (!(in->int_t[k] == 0 && counts >= o->dead_counts))
                v[n++] = in->int_t[k];
        if (n < W / 2) { /* a short tail or mostly dropped frames: no level */
            prev = a + W < N ? NAN : prev;
            continue;
        }
        const double m = median(v, n);
        const double sw = 1.2533 * sd / sqrt((double)n) * sqrt(2.0);
        if (isfinite(prev) && prev > 0 && fabs(m / prev - 1) > o->jump_fraction &&
            fabs(m - prev) > 6 * sw)
            add_item(jump, a, m / prev - 1);
        prev = m;
    }
    free(v);
    zero->value = (double)zero->n;
    zero->critical = o->fraction_critical * (double)N;
    zero->status = zero->n == 0                       ? XPCS_QS_OK
                   : (double)zero->n > zero->critical ? XPCS_QS_CRITICAL
                                                      : XPCS_QS_WARNING;
    drop->value = (double)drop->n;
    drop->critical = 5 * o->fraction_critical * (double)N;
    drop->status = drop->n == 0                       ? XPCS_QS_OK
                   : (double)drop->n > drop->critical ? XPCS_QS_CRITICAL
                                                      : XPCS_QS_WARNING;
    double big = 0;
    for (int64_t i = 0; i < jump->n; i++)
        big = fabs(jump->values[i]) > big ? fabs(jump->values[i]) : big;
    jump->value = big;
    jump->status = jump->n == 0           ? XPCS_QS_OK
                   : big > jump->critical ? XPCS_QS_CRITICAL
                                          : XPCS_QS_WARNING;
}

/* SAXS drift: the last third of the segments against the first third. */
static void drift(const xpcs_quality_input *in, const xpcs_quality_opts *o, xpcs_quality *q)
{
    xpcs_quality_entry *e = &q->e[XPCS_Q_SAXS_DRIFT];
    const int ns = in->n_seg, nb = in->n_sq_out, third = ns / 3;
    if (!in->segs || third < 1 || nb < 1)
        return;
    double big = 0;
    for (int s = 0; s < nb; s++) {
        double early = 0, late = 0, d[64];
        for (int k = 0; k < third; k++) {
            early += in->segs[(size_t)k * nb + s] / third;
            late += in->segs[(size_t)(ns - 1 - k) * nb + s] / third;
        }
        int nd = 0;
        for (int k = 0; k + 1 < ns && nd < 64; k++)
            d[nd++] = fabs(in->segs[(size_t)(k + 1) * nb + s] - in->segs[(size_t)k * nb + s]);
        /* a segment's spread from its successive differences (robust: a beam
         * drop in one segment or a slow drift hardly moves the median) */
        const double sigma = 1.4826 * median(d, nd) / sqrt(2.0) * sqrt(2.0 / third);
        const double r = early > 0 ? late / early - 1 : 0.0;
        if (early > 0 && fabs(r) > o->drift_warning && fabs(late - early) > 5 * sigma) {
            add_item(e, in->sq_ids ? in->sq_ids[s] : s + 1, r);
            big = fabs(r) > big ? fabs(r) : big;
        }
    }
    e->value = big;
    e->status = e->n == 0                 ? XPCS_QS_OK
                : big > o->drift_critical ? XPCS_QS_CRITICAL
                                          : XPCS_QS_WARNING;
}

/* The g2 baseline at the last 3 delays and the contrast at the first. */
static void g2_checks(const xpcs_quality_input *in, const xpcs_quality_opts *o, xpcs_quality *q)
{
    const int nd = in->n_delays, B = in->n_dq;
    q->n_dq = B;
    q->beta = xpcs_malloc(sizeof(double) * (size_t)(B + 1));
    q->base = xpcs_malloc(sizeof(double) * (size_t)(B + 1));
    for (int b = 0; b < B; b++)
        q->beta[b] = q->base[b] = NAN;
    if (!in->g2 || nd < 4 || B < 1)
        return;
    xpcs_quality_entry *be = &q->e[XPCS_Q_BASELINE], *ce = &q->e[XPCS_Q_CONTRAST];
    double *berr = xpcs_malloc(sizeof(double) * (size_t)B * 2), *cerr = berr + B;
    double bbig = 0, cbig = 0;
    for (int b = 0; b < B; b++) {
        double m = 0, e2 = 0;
        for (int k = nd - 3; k < nd; k++) {
            m += in->g2[(size_t)k * B + b] / 3;
            e2 += in->g2_err[(size_t)k * B + b] * in->g2_err[(size_t)k * B + b] / 9;
        }
        q->base[b] = m;
        berr[b] = sqrt(e2);
        q->beta[b] = in->g2[b] - m;
        cerr[b] = sqrt(in->g2_err[b] * in->g2_err[b] + e2);
        if (fabs(m - 1) > o->baseline_warning && fabs(m - 1) > 5 * berr[b]) {
            add_item(be, b + 1, m);
            bbig = fabs(m - 1) > bbig ? fabs(m - 1) : bbig;
        }
    }
    for (int b = 0; b < B && B >= 3; b++) { /* against the median of up to 4 neighbours */
        double nb[4], ne = 0;
        int n = 0;
        for (int d = -2; d <= 2; d++)
            if (d != 0 && b + d >= 0 && b + d < B && isfinite(q->beta[b + d])) {
                nb[n++] = q->beta[b + d];
                ne = fmax(ne, cerr[b + d]);
            }
        if (n < 2)
            continue;
        const double ref = median(nb, n), dev = q->beta[b] - ref;
        const double rel = ref != 0 ? dev / fabs(ref) : INFINITY;
        if (fabs(rel) > o->contrast_warning && fabs(dev) > 5 * sqrt(cerr[b] * cerr[b] + ne * ne)) {
            add_item(ce, b + 1, q->beta[b]);
            cbig = fabs(rel) > cbig ? fabs(rel) : cbig;
        }
    }
    free(berr);
    be->value = bbig;
    be->status = be->n == 0                    ? XPCS_QS_OK
                 : bbig > o->baseline_critical ? XPCS_QS_CRITICAL
                                               : XPCS_QS_WARNING;
    ce->value = cbig;
    ce->status = ce->n == 0                    ? XPCS_QS_OK
                 : cbig > o->contrast_critical ? XPCS_QS_CRITICAL
                                               : XPCS_QS_WARNING;
}

void xpcs_quality_compute(const xpcs_quality_input *in, const xpcs_quality_opts *o, xpcs_quality *q)
{
    memset(q, 0, sizeof *q);
    entry(q, XPCS_Q_SATURATED, "saturated_pixels", "pixels", "pixels", 1, NAN);
    entry(q, XPCS_Q_HOT, "hot_pixels", "pixels", "pixels", 1, NAN);
    entry(q, XPCS_Q_DEAD, "dead_pixels", "pixels", "pixels", 1, NAN);
    entry(q, XPCS_Q_ZERO_FRAMES, "zero_frames", "frames", "frames", 1, NAN);
    entry(q, XPCS_Q_BEAM_DROPS, "beam_drops", "frames", "frames", 1, NAN);
    entry(q, XPCS_Q_JUMPS, "intensity_jumps", "frames", "relative change", o->jump_fraction,
          2.5 * o->jump_fraction);
    entry(q, XPCS_Q_SAXS_DRIFT, "saxs_drift", "bins", "relative change", o->drift_warning,
          o->drift_critical);
    entry(q, XPCS_Q_BASELINE, "g2_baseline", "bins", "|baseline - 1|", o->baseline_warning,
          o->baseline_critical);
    entry(q, XPCS_Q_CONTRAST, "contrast", "bins", "relative to the neighbours", o->contrast_warning,
          o->contrast_critical);
    int64_t n_valid = 0;
    for (int64_t p = 0; p < in->rows * in->cols; p++)
        n_valid += in->mask[p] != 0;
    pixels(in, o, q);
    frames(in, o, n_valid, q);
    drift(in, o, q);
    g2_checks(in, o, q);
    q->worst = XPCS_QS_OK;
    for (int k = 0; k < XPCS_Q_COUNT; k++)
        if (q->e[k].status != XPCS_QS_UNKNOWN && q->e[k].status > q->worst)
            q->worst = q->e[k].status;
    q->n_mask = q->e[XPCS_Q_SATURATED].n + q->e[XPCS_Q_HOT].n + q->e[XPCS_Q_DEAD].n;
}

void xpcs_quality_free(xpcs_quality *q)
{
    for (int k = 0; k < XPCS_Q_COUNT; k++) {
        free(q->e[k].items);
        free(q->e[k].values);
    }
    free(q->beta);
    free(q->base);
    memset(q, 0, sizeof *q);
}

int64_t xpcs_quality_apply_mask(const xpcs_quality *q, int32_t *mask, int64_t n_pixels)
{
    int64_t changed = 0;
    static const xpcs_quality_ind px[] = {XPCS_Q_SATURATED, XPCS_Q_HOT, XPCS_Q_DEAD};
    for (int j = 0; j < 3; j++)
        for (int64_t i = 0; i < q->e[px[j]].n; i++) {
            const int64_t p = q->e[px[j]].items[i];
            if (p >= 0 && p < n_pixels && mask[p]) {
                mask[p] = 0;
                changed++;
            }
        }
    return changed;
}
