#include "xpcs/kernels/g2norm.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/exactsum.h"

/* Quantities with one exponent per delay; R and R2 are g2_p - 1 and its
 * square (see finish). */
enum { Q_G2 = 0, Q_IP, Q_IF, Q_R, Q_R2, NQ };

/* Zero-denominator convention of boost_corr: divide by 1e8 instead. */
#define ZERO_DENOM 1e8

struct xpcs_g2norm {
    int n_delays, n_sq, n_dq;
    int32_t *sq_to_dq; /* [n_sq + 1] */
    double *maxima;    /* [n_delays][NQ] */
    /* int64 block, reduced as one array:
     *   counts: sq pixel counts [n_sq + 1], dq pixel counts [n_dq + 1]
     *   per delay: static xsum [n_sq + 1][3], dynamic xsum [n_dq + 1][2] */
    int64_t n_sums;
    int64_t *sums;
    int counted;
};

static int64_t per_delay(const xpcs_g2norm *g)
{
    return ((int64_t)(g->n_sq + 1) * 3 + (int64_t)(g->n_dq + 1) * 2) * XPCS_XSUM_DIGITS;
}
static int64_t counts_len(const xpcs_g2norm *g)
{
    return (int64_t)g->n_sq + 1 + g->n_dq + 1;
}
static xpcs_xsum *static_acc(const xpcs_g2norm *g, int64_t *base, int j)
{
    (void)g;
    return (xpcs_xsum *)(base + counts_len(g) + per_delay(g) * j);
}
static xpcs_xsum *dyn_acc(const xpcs_g2norm *g, int64_t *base, int j)
{
    return static_acc(g, base, j) + (int64_t)(g->n_sq + 1) * 3;
}

xpcs_g2norm *xpcs_g2norm_create(int n_delays, int n_sq, int n_dq, const int32_t *sq_to_dq)
{
    xpcs_g2norm *g = xpcs_calloc(1, sizeof *g);
    g->n_delays = n_delays;
    g->n_sq = n_sq;
    g->n_dq = n_dq;
    g->sq_to_dq = xpcs_malloc(sizeof(int32_t) * (size_t)(n_sq + 1));
    memcpy(g->sq_to_dq, sq_to_dq, sizeof(int32_t) * (size_t)(n_sq + 1));
    g->maxima = xpcs_calloc((size_t)n_delays * NQ, sizeof(double));
    g->n_sums = counts_len(g) + per_delay(g) * n_delays;
    g->sums = xpcs_calloc((size_t)g->n_sums, sizeof(int64_t));
    return g;
}

double xpcs_g2norm_bytes(int n_delays, int n_sq, int n_dq)
{
    xpcs_g2norm g;
    memset(&g, 0, sizeof g);
    g.n_sq = n_sq;
    g.n_dq = n_dq;
    return ((double)counts_len(&g) + (double)per_delay(&g) * n_delays) * sizeof(int64_t) +
           (double)n_delays * NQ * sizeof(double) + (double)(n_sq + 1) * sizeof(int32_t);
}

void xpcs_g2norm_destroy(xpcs_g2norm **gp)
{
    if (!gp || !*gp)
        return;
    free((*gp)->sq_to_dq);
    free((*gp)->maxima);
    free((*gp)->sums);
    free(*gp);
    *gp = NULL;
}

static inline double pixel_ratio(double G2, double IP, double IF)
{
    double d = IP * IF;
    return G2 / (d != 0.0 ? d : ZERO_DENOM);
}

/* max without libm's NaN rules (the values are finite): vectorizes */
static inline double max_of(double a, double b)
{
    return a > b ? a : b;
}

/* Pixels per block of the per-pixel passes (scan, accumulate): in
 * accumulate, a block's digits first (one vectorized loop), then added into
 * the bins (one scalar loop). */
#define ACC_BLOCK 256

/* The maxima of one block [p0, p1) into m[5] (max_of's comparisons):
 * every value computed, then selected (0 outside a bin: no maximum moves),
 * so no branch per pixel; no-trapping-math as block_digits. */
__attribute__((optimize("no-trapping-math"))) static void
scan_block(int nb, const double *G2, const double *IP, const double *IF, const int32_t *sq,
           const int32_t *dq, double *m)
{
    double m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4];
    /* pixel_ratio and max_of written out: a function with its own
     * optimization flags inlines nothing */
    for (int p = 0; p < nb; p++) {
        const int in_s = sq[p] > 0, in_d = dq[p] > 0;
        const double d = IP[p] * IF[p];
        const double den = d != 0.0 ? d : ZERO_DENOM;
        const double r = G2[p] / den - 1.0;
        const double a = in_s ? fabs(G2[p]) : 0.0, b = in_s ? fabs(IP[p]) : 0.0;
        const double c = in_s ? fabs(IF[p]) : 0.0, e = in_d ? fabs(r) : 0.0;
        const double f = in_d ? r * r : 0.0;
        m0 = m0 > a ? m0 : a;
        m1 = m1 > b ? m1 : b;
        m2 = m2 > c ? m2 : c;
        m3 = m3 > e ? m3 : e;
        m4 = m4 > f ? m4 : f;
    }
    m[0] = m0;
    m[1] = m1;
    m[2] = m2;
    m[3] = m3;
    m[4] = m4;
}

/* The values of block [p0, p0 + nb): in the arrays, or made by fill into
 * the thread's buf [3][ACC_BLOCK]. */
typedef struct {
    const double *G2, *IP, *IF;
    xpcs_g2norm_fill fill;
    void *arg;
} values;

static void block_values(const values *v, int64_t p0, int nb, double *buf, const double **G2,
                         const double **IP, const double **IF)
{
    if (!v->fill) {
        *G2 = v->G2 + p0;
        *IP = v->IP + p0;
        *IF = v->IF + p0;
        return;
    }
    v->fill(v->arg, p0, p0 + nb, buf, buf + ACC_BLOCK, buf + 2 * ACC_BLOCK);
    *G2 = buf;
    *IP = buf + ACC_BLOCK;
    *IF = buf + 2 * ACC_BLOCK;
}

static void scan(xpcs_g2norm *g, int j, int64_t n, const values *v, const int32_t *sq,
                 const int32_t *dq)
{
    double m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    const int64_t n_blocks = (n + ACC_BLOCK - 1) / ACC_BLOCK;
#pragma omp parallel reduction(max : m0, m1, m2, m3, m4)
    {
        double *buf = v->fill ? xpcs_malloc(sizeof(double) * 3 * ACC_BLOCK) : NULL;
#pragma omp for schedule(static)
        for (int64_t b = 0; b < n_blocks; b++) {
            double m[NQ] = {m0, m1, m2, m3, m4};
            const int64_t p0 = b * ACC_BLOCK;
            const int nb = (int)(n - p0 < ACC_BLOCK ? n - p0 : ACC_BLOCK);
            const double *G2, *IP, *IF;
            block_values(v, p0, nb, buf, &G2, &IP, &IF);
            scan_block(nb, G2, IP, IF, sq + p0, dq + p0, m);
            m0 = m[0];
            m1 = m[1];
            m2 = m[2];
            m3 = m[3];
            m4 = m[4];
        }
        free(buf);
    }
    double *mx = g->maxima + (size_t)j * NQ;
    mx[Q_G2] = max_of(mx[Q_G2], m0);
    mx[Q_IP] = max_of(mx[Q_IP], m1);
    mx[Q_IF] = max_of(mx[Q_IF], m2);
    mx[Q_R] = max_of(mx[Q_R], m3);
    mx[Q_R2] = max_of(mx[Q_R2], m4);
}

void xpcs_g2norm_scan(xpcs_g2norm *g, int j, int64_t n, const double *G2, const double *IP,
                      const double *IF, const int32_t *sq, const int32_t *dq)
{
    scan(g, j, n, &(const values){G2, IP, IF, NULL, NULL}, sq, dq);
}

double *xpcs_g2norm_maxima(xpcs_g2norm *g, int *count)
{
    *count = g->n_delays * NQ;
    return g->maxima;
}

/* Bin exponents leave headroom for the sum of up to 2^33 values. */
static double scale_of(const xpcs_g2norm *g, int j, int q)
{
    return xpcs_xsum_scale(xpcs_xsum_exponent(g->maxima[(size_t)j * NQ + q]));
}
static int expo_of(const xpcs_g2norm *g, int j, int q)
{
    return xpcs_xsum_exponent(g->maxima[(size_t)j * NQ + q]);
}

/* The 3 digits of xpcs_xsum_add (exactsum.h) of y = x * scale, |y| <= 2^30:
 * each truncation fits an int32, so the conversions vectorize (the same
 * digits as xpcs_xsum_add's trunc and int64 conversion, bit for bit). */
#define DIGITS(Y, D, I)                                                                            \
    do {                                                                                           \
        double y_ = (Y);                                                                           \
        const int32_t t0_ = (int32_t)y_;                                                           \
        y_ = (y_ - (double)t0_) * 0x1p30;                                                          \
        const int32_t t1_ = (int32_t)y_;                                                           \
        y_ = (y_ - (double)t1_) * 0x1p30;                                                          \
        (D)[0][I] = t0_;                                                                           \
        (D)[1][I] = t1_;                                                                           \
        (D)[2][I] = (int32_t)y_;                                                                   \
    } while (0)

/* The digits of one block of nb pixels from p0: 5 values x 3 digits, zero
 * for a pixel outside the static (values 0-2) or dynamic (3-4) bins. */
/* no-trapping-math lets GCC evaluate both sides of the selects and the
 * conversions in vector lanes; no value changes (the same IEEE operations:
 * no reassociation, no contraction). */
__attribute__((optimize("no-trapping-math"))) static void
block_digits(int nb, const double *G2, const double *IP, const double *IF, const int32_t *sq,
             const int32_t *dq, const double *sc, int32_t (*dg)[ACC_BLOCK])
{
    for (int p = 0; p < nb; p++) {
        /* every value computed, then selected: no branch, so it vectorizes */
        const int in_s = sq[p] > 0, in_d = dq[p] > 0;
        const double d = IP[p] * IF[p];
        const double den = d != 0.0 ? d : ZERO_DENOM;
        const double r = G2[p] / den - 1.0;
        const double v0 = G2[p] * sc[0], v1 = IP[p] * sc[1], v2 = IF[p] * sc[2];
        const double v3 = r * sc[3], v4 = r * r * sc[4];
        DIGITS(in_s ? v0 : 0.0, dg + 0, p);
        DIGITS(in_s ? v1 : 0.0, dg + 3, p);
        DIGITS(in_s ? v2 : 0.0, dg + 6, p);
        DIGITS(in_d ? v3 : 0.0, dg + 9, p);
        DIGITS(in_d ? v4 : 0.0, dg + 12, p);
    }
}

/* Neighbouring pixels mostly share their bins: a run of pixels of one bin
 * (labels lab[0 .. nb), <= 0: bin 0) has its digits summed in int64
 * (vector sums over a digit's row) and added to the bin once: rows
 * 3 * per_bin of dg, row r to acc[per_bin * bin + r / 3].d[r % 3]; the
 * run's length to cnt[bin] (bins > 0; cnt may be NULL).  Integer sums: the
 * grouping changes no value.  (Pixel by pixel, each add waited for the last
 * one's store.) */
static void add_runs(const int32_t *lab, int nb, int32_t (*dg)[ACC_BLOCK], int per_bin,
                     xpcs_xsum *acc, int64_t *cnt)
{
    for (int i = 0; i < nb;) {
        const int bin = lab[i] > 0 ? lab[i] : 0;
        int e = i + 1;
        while (e < nb && (lab[e] > 0 ? lab[e] : 0) == bin)
            e++;
        for (int r = 0; r < 3 * per_bin; r++) {
            int64_t a = 0;
            for (int u = i; u < e; u++)
                a += dg[r][u];
            acc[per_bin * bin + r / 3].d[r % 3] += a;
        }
        if (cnt && bin > 0)
            cnt[bin] += e - i;
        i = e;
    }
}

static void accumulate(xpcs_g2norm *g, int j, int64_t n, const values *v, const int32_t *sq,
                       const int32_t *dq)
{
    const double sc[NQ] = {scale_of(g, j, Q_G2), scale_of(g, j, Q_IP), scale_of(g, j, Q_IF),
                           scale_of(g, j, Q_R), scale_of(g, j, Q_R2)};
    const int64_t len = per_delay(g);
    const int count_now = !g->counted;
    const int64_t n_blocks = (n + ACC_BLOCK - 1) / ACC_BLOCK;
    g->counted = 1;
#pragma omp parallel
    {
        /* Thread-private int64 accumulators, merged by integer addition:
         * exact, so the thread count cannot change the result.  A pixel
         * outside a bin adds zero digits to bin 0, which nothing reads. */
        int64_t *loc = xpcs_calloc((size_t)len, sizeof(int64_t));
        int64_t *cnt = count_now ? xpcs_calloc((size_t)counts_len(g), sizeof(int64_t)) : NULL;
        xpcs_xsum *st = (xpcs_xsum *)loc;
        xpcs_xsum *dy = st + (int64_t)(g->n_sq + 1) * 3;
        int32_t(*dg)[ACC_BLOCK] = xpcs_malloc(sizeof(int32_t) * 15 * ACC_BLOCK);
        double *buf = v->fill ? xpcs_malloc(sizeof(double) * 3 * ACC_BLOCK) : NULL;
#pragma omp for schedule(static)
        for (int64_t b = 0; b < n_blocks; b++) {
            const int64_t p0 = b * ACC_BLOCK;
            const int nb = (int)(n - p0 < ACC_BLOCK ? n - p0 : ACC_BLOCK);
            const double *G2, *IP, *IF;
            block_values(v, p0, nb, buf, &G2, &IP, &IF);
            block_digits(nb, G2, IP, IF, sq + p0, dq + p0, sc, dg);
            add_runs(sq + p0, nb, dg, 3, st, cnt);
            add_runs(dq + p0, nb, dg + 9, 2, dy, cnt ? cnt + g->n_sq + 1 : NULL);
        }
        int64_t *dst = (int64_t *)static_acc(g, g->sums, j);
#pragma omp critical
        {
            for (int64_t k = 0; k < len; k++)
                dst[k] += loc[k];
            if (cnt)
                for (int64_t k = 0; k < counts_len(g); k++)
                    g->sums[k] += cnt[k];
        }
        free(dg);
        free(buf);
        free(loc);
        free(cnt);
    }
}

void xpcs_g2norm_accumulate(xpcs_g2norm *g, int j, int64_t n, const double *G2, const double *IP,
                            const double *IF, const int32_t *sq, const int32_t *dq)
{
    accumulate(g, j, n, &(const values){G2, IP, IF, NULL, NULL}, sq, dq);
}

void xpcs_g2norm_fill_pass(xpcs_g2norm *g, int phase, int j, int64_t n, xpcs_g2norm_fill fill,
                           void *arg, const int32_t *sq, const int32_t *dq)
{
    const values v = {NULL, NULL, NULL, fill, arg};
    if (phase == 1)
        scan(g, j, n, &v, sq, dq);
    else
        accumulate(g, j, n, &v, sq, dq);
}

int64_t *xpcs_g2norm_sums(xpcs_g2norm *g, int64_t *count)
{
    *count = g->n_sums;
    return g->sums;
}

void xpcs_g2norm_finish(const xpcs_g2norm *g, double *g2, double *err)
{
    const int64_t *n_sq = g->sums;
    const int64_t *n_dq = g->sums + g->n_sq + 1;
    double *bin_sum = xpcs_calloc((size_t)g->n_dq + 1, sizeof(double));
    int64_t *bin_n = xpcs_calloc((size_t)g->n_dq + 1, sizeof(int64_t));
    for (int j = 0; j < g->n_delays; j++) {
        const xpcs_xsum *st = static_acc(g, g->sums, j);
        const xpcs_xsum *dy = dyn_acc(g, g->sums, j);
        memset(bin_sum, 0, sizeof(double) * (size_t)(g->n_dq + 1));
        memset(bin_n, 0, sizeof(int64_t) * (size_t)(g->n_dq + 1));
        for (int s = 1; s <= g->n_sq; s++) {
            int q = g->sq_to_dq[s];
            if (q <= 0 || n_sq[s] == 0)
                continue;
            double npx = (double)n_sq[s];
            double mg2 = xpcs_xsum_value(&st[3 * s + 0], expo_of(g, j, Q_G2)) / npx;
            double mip = xpcs_xsum_value(&st[3 * s + 1], expo_of(g, j, Q_IP)) / npx;
            double mif = xpcs_xsum_value(&st[3 * s + 2], expo_of(g, j, Q_IF)) / npx;
            bin_sum[q] += pixel_ratio(mg2, mip, mif);
            bin_n[q]++;
        }
        for (int q = 1; q <= g->n_dq; q++) {
            double *out_g2 = &g2[(size_t)j * g->n_dq + (q - 1)];
            double *out_err = &err[(size_t)j * g->n_dq + (q - 1)];
            *out_g2 = bin_n[q] ? bin_sum[q] / (double)bin_n[q] : 0.0;
            int64_t n = n_dq[q];
            if (n < 2) {
                *out_err = 0.0;
                continue;
            }
            double s1 = xpcs_xsum_value(&dy[2 * q + 0], expo_of(g, j, Q_R));
            double s2 = xpcs_xsum_value(&dy[2 * q + 1], expo_of(g, j, Q_R2));
            /* unbiased variance from exact sums of r = g2_p - 1 (the shift by
             * the fixed value 1 keeps S2 - S1^2/n free of cancellation for
             * g2 ~ 1; it is the same on every rank): (S2 - S1^2/n) / (n-1) */
            double var = (s2 - s1 * s1 / (double)n) / (double)(n - 1);
            *out_err = var > 0.0 ? sqrt(var) / sqrt((double)n) : 0.0;
        }
    }
    free(bin_sum);
    free(bin_n);
}
