/* xpcs-synth: synthetic XPCS stacks with known g2 (see xpcs/synth.h).
 *
 * Model, per pixel p and frame t (one frame = one time step):
 *   E_p(0)   ~ CN(0,1)
 *   E_p(t+1) = rho_p E_p(t) + sqrt(1 - rho_p^2) xi,  xi ~ CN(0,1),
 *              rho_p = exp(-1 / tau_p)                (tau_p in frames)
 *   I_p(t)   = a |E_p(t)|^2 + (1 - a),  a = sqrt(beta)  (mean 1)
 *   n_p(t)   ~ Poisson(rate * I_p(t)), clipped to the dtype maximum
 * so <I(0) I(t)> = 1 + beta exp(-2 t / tau_p).
 *
 * Random numbers are counter based (splitmix64 of key + counter), so every
 * draw is a pure function of (seed, frame, pixel): the output does not
 * depend on chunking and the per-frame loop vectorizes.  log, sincos, exp
 * and sqrt in that loop are own branch-free polynomial versions so that gcc
 * vectorizes it without -ffast-math or libmvec.
 */
#define _POSIX_C_SOURCE 200809L

#include "xpcs/apps/synth.h"

#include "xpcs/io/rigaku.h"

#include <hdf5.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SYNTH_PATH_MAX 4096
#define SYNTH_PI 3.14159265358979323846
#define SYNTH_LN2 0.69314718055994530942
#define SYNTH_LOG2E 1.44269504088896340736
#define SYNTH_LN1_5 0.40546510810816438198
#define SYNTH_HC_KEV_A 12.398    /* lambda[A] = 12.398 / E[keV] */
#define SYNTH_POISSON_EXACT 30.0 /* inversion up to this mean, rounded normal above */
#define SYNTH_GOLDEN 0x9e3779b97f4a7c15ULL
#define SYNTH_ONE_BITS 0x3ff0000000000000ULL /* bits of 1.0 */
#define SYNTH_MANT_MASK 0x000fffffffffffffULL

enum { SYNTH_TILE = 512 };

static const char *const synth_suffix[] = {".h5",      "_metadata.hdf", "_qmap.h5", "_truth.h5",
                                           ".bin",     ".bin.000",      ".bin.001", ".bin.002",
                                           ".bin.003", ".bin.004",      ".bin.005"};
#define SYNTH_FMT_EVENTS (XPCS_SYNTH_FMT_RIGAKU | XPCS_SYNTH_FMT_RIGAKU3M)
#define SYNTH_RIGAKU_ROWS 512
#define SYNTH_RIGAKU_COLS 1024
#define SYNTH_RIGAKU_MAX 4095u /* 12-bit counts */

/* ------------------------------------------------------------------ */
/* parameters                                                          */

void xpcs_synth_params_default(xpcs_synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->outdir = NULL;
    p->name = NULL;
    p->rows = 256;
    p->cols = 256;
    p->frames = 1000;
    p->dtype = XPCS_SYNTH_U16;
    p->rate = 0.1;
    p->beta = 0.2;
    p->tau0 = 20.0;
    p->tau_exponent = -2.0;
    p->n_dq = 10;
    p->sq_per_dq = 3;
    p->gzip = 0;
    p->chunk_frames = 0;
    p->seed = 1;
    p->constant_mode = 0;
    p->constant_value = 0;
    p->n_hot = 5;
    p->n_dead = 5;
    p->frame_time = 1e-3;
    p->count_time = NAN;
    p->energy_kev = 10.0;
    p->pixel_size_mm = 0.075;
    p->det_dist_mm = 5000.0;
    p->beam_center_x = NAN;
    p->beam_center_y = NAN;
    p->beamstop_px = NAN;
    p->write_metadata = 1;
    p->format = XPCS_SYNTH_FMT_H5;
    p->iid = 0;
}

static uint32_t dtype_max(xpcs_synth_dtype d)
{
    return d == XPCS_SYNTH_U8 ? 255u : d == XPCS_SYNTH_U16 ? 65535u : 4294967295u;
}

static uint32_t dtype_hot(xpcs_synth_dtype d)
{
    return d == XPCS_SYNTH_U8 ? 255u : d == XPCS_SYNTH_U16 ? 60000u : 1000000u;
}

/* Largest count and the hot-pixel value: the dtype's, or 4095 when an
 * event file is written too (both files hold the same counts). */
static uint32_t count_max(const xpcs_synth_params *p)
{
    uint32_t m = dtype_max(p->dtype);
    return (p->format & SYNTH_FMT_EVENTS) && m > SYNTH_RIGAKU_MAX ? SYNTH_RIGAKU_MAX : m;
}
static uint32_t hot_value(const xpcs_synth_params *p)
{
    uint32_t h = dtype_hot(p->dtype), m = count_max(p);
    return h > m ? m : h;
}

/* Fill the NaN = auto fields from the detector size. */
static void resolve(const xpcs_synth_params *in, xpcs_synth_params *out)
{
    *out = *in;
    if (isnan(out->count_time))
        out->count_time = out->frame_time;
    if (isnan(out->beam_center_x))
        out->beam_center_x = (double)out->cols * 0.5 + 0.3;
    if (isnan(out->beam_center_y))
        out->beam_center_y = (double)out->rows * 0.5 - 0.2;
    if (isnan(out->beamstop_px))
        out->beamstop_px = (double)(out->rows < out->cols ? out->rows : out->cols) / 16.0;
    if (out->constant_mode) {
        out->n_hot = 0;
        out->n_dead = 0;
    }
    if (out->rows > 0 && out->cols > 0 && out->frames > 0 && out->chunk_frames >= 0) {
        const double frame_bytes = (double)out->rows * (double)out->cols * (double)out->dtype;
        if (out->chunk_frames == 0)
            out->chunk_frames = (long)floor(1048576.0 / frame_bytes);
        if (out->chunk_frames < 1)
            out->chunk_frames = 1;
        if (out->chunk_frames > out->frames)
            out->chunk_frames = out->frames;
    }
}

/* Shortest distance (pixels) from the beam centre to a detector edge; pixel
 * centres sit at integer indices, so the edges are at -0.5 and n - 0.5. */
static double edge_distance(const xpcs_synth_params *p)
{
    double d = p->beam_center_x + 0.5;
    d = fmin(d, (double)p->cols - 0.5 - p->beam_center_x);
    d = fmin(d, p->beam_center_y + 0.5);
    d = fmin(d, (double)p->rows - 0.5 - p->beam_center_y);
    return d;
}

static int finite_pos(double v)
{
    return isfinite(v) && v > 0.0;
}

xpcs_status xpcs_synth_check(const xpcs_synth_params *in, xpcs_err *err)
{
    xpcs_synth_params p;
    resolve(in, &p);
    const xpcs_status U = XPCS_ERR_USAGE;
    if (!p.outdir || !p.outdir[0])
        return xpcs_fail(err, U, "output directory (-o) is required");
    if (!p.name || !p.name[0] || strchr(p.name, '/'))
        return xpcs_fail(err, U, "name (-n) must be non-empty and contain no '/'");
    if (p.rows < 1 || p.rows > 65536 || p.cols < 1 || p.cols > 65536)
        return xpcs_fail(err, U, "rows x cols = %ld x %ld, expected 1..65536 each", p.rows, p.cols);
    if (p.frames < 1 || p.frames > 1000000000L)
        return xpcs_fail(err, U, "frames = %ld, expected 1..1e9", p.frames);
    if (p.dtype != XPCS_SYNTH_U8 && p.dtype != XPCS_SYNTH_U16 && p.dtype != XPCS_SYNTH_U32)
        return xpcs_fail(err, U, "dtype must be u8, u16 or u32");
    if (p.format < 1 || p.format > (XPCS_SYNTH_FMT_H5 | SYNTH_FMT_EVENTS) ||
        (p.format & SYNTH_FMT_EVENTS) == SYNTH_FMT_EVENTS)
        return xpcs_fail(err, U, "format must be h5, rigaku, rigaku3m, both or both3m");
    const int ev3m = (p.format & XPCS_SYNTH_FMT_RIGAKU3M) != 0;
    const long ev_rows = ev3m ? XPCS_RIGAKU3M_ROWS : SYNTH_RIGAKU_ROWS;
    const long ev_cols = ev3m ? XPCS_RIGAKU3M_COLS : SYNTH_RIGAKU_COLS;
    if ((p.format & SYNTH_FMT_EVENTS) &&
        (p.rows != ev_rows || p.cols != ev_cols || p.frames > (1L << 24)))
        return xpcs_fail(err, U,
                         "format %s: the %s is %ld x %ld (got %ld x %ld) and at most 2^24 "
                         "frames (got %ld)",
                         ev3m ? "rigaku3m" : "rigaku", ev3m ? "canvas" : "detector", ev_rows,
                         ev_cols, p.rows, p.cols, p.frames);
    if (!(p.rate >= 1e-4 && p.rate <= 100.0))
        return xpcs_fail(err, U, "rate = %g photons/pixel/frame, expected 1e-4..100", p.rate);
    if (!(p.beta >= 0.0 && p.beta <= 1.0))
        return xpcs_fail(err, U, "beta = %g, expected 0..1", p.beta);
    if (!finite_pos(p.tau0))
        return xpcs_fail(err, U, "tau0 = %g frames, expected > 0", p.tau0);
    if (!isfinite(p.tau_exponent))
        return xpcs_fail(err, U, "tau exponent must be finite");
    if (p.n_dq < 1 || p.n_dq > 100000 || p.sq_per_dq < 1 || p.sq_per_dq > 100000 ||
        (long)p.n_dq * p.sq_per_dq > 1000000L)
        return xpcs_fail(err, U,
                         "n-dq = %d, sq-per-dq = %d, expected >= 1 and a product "
                         "of at most 1e6",
                         p.n_dq, p.sq_per_dq);
    if (p.gzip < 0 || p.gzip > 9)
        return xpcs_fail(err, U, "gzip level %d, expected 0..9", p.gzip);
    if (p.chunk_frames < 0)
        return xpcs_fail(err, U, "chunk-frames = %ld, expected >= 0 (0 = auto)", in->chunk_frames);
    const double npix = (double)p.rows * (double)p.cols;
    if ((double)p.chunk_frames * npix * (double)p.dtype > 4294967295.0)
        return xpcs_fail(err, U, "a chunk of %ld frames exceeds the 4 GiB HDF5 limit",
                         p.chunk_frames);
    if (p.constant_mode && p.constant_value > dtype_max(p.dtype))
        return xpcs_fail(err, U, "constant %" PRIu32 " does not fit dtype (max %" PRIu32 ")",
                         p.constant_value, dtype_max(p.dtype));
    if (p.n_hot < 0 || p.n_dead < 0 || (double)(p.n_hot + p.n_dead) > npix)
        return xpcs_fail(err, U,
                         "hot = %ld, dead = %ld, expected >= 0 and at most "
                         "rows*cols together",
                         p.n_hot, p.n_dead);
    if (!finite_pos(p.frame_time) || !finite_pos(p.count_time))
        return xpcs_fail(err, U, "frame time %g s, count time %g s, expected > 0", p.frame_time,
                         p.count_time);
    if (!finite_pos(p.energy_kev) || !finite_pos(p.pixel_size_mm) || !finite_pos(p.det_dist_mm))
        return xpcs_fail(err, U,
                         "energy %g keV, pixel size %g mm, distance %g mm, "
                         "expected > 0",
                         p.energy_kev, p.pixel_size_mm, p.det_dist_mm);
    if (!isfinite(p.beam_center_x) || !isfinite(p.beam_center_y) || !(edge_distance(&p) > 0.0))
        return xpcs_fail(err, U,
                         "beam centre (x=%g, y=%g) must lie inside the %ld x %ld "
                         "detector",
                         p.beam_center_x, p.beam_center_y, p.rows, p.cols);
    if (!(p.beamstop_px >= 0.0) || !(p.beamstop_px < edge_distance(&p)))
        return xpcs_fail(err, U,
                         "beamstop radius %g px, expected >= 0 and below the "
                         "beam-centre-to-edge distance %g px",
                         p.beamstop_px, edge_distance(&p));
    return XPCS_OK;
}

xpcs_status xpcs_synth_path(const xpcs_synth_params *p, xpcs_synth_file which, char *buf, size_t n,
                            xpcs_err *err)
{
    if ((int)which < 0 || (int)which >= XPCS_SYNTH_N_FILES)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "unknown output file %d", (int)which);
    int len = snprintf(buf, n, "%s/%s%s", p->outdir ? p->outdir : "", p->name ? p->name : "",
                       synth_suffix[which]);
    if (len < 0 || (size_t)len >= n)
        return xpcs_fail(err, XPCS_ERR_USAGE, "output path for '%s' in '%s' too long",
                         p->name ? p->name : "", p->outdir ? p->outdir : "");
    return XPCS_OK;
}

/* ------------------------------------------------------------------ */
/* random numbers and vectorizable math                                */

static inline double bits_f64(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static inline uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* splitmix64 finalizer: draw number i of stream key is mix64(key + (i+1) * golden). */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Top 32 bits -> (k + 0.5) / 2^32, strictly inside (0, 1) so log() is finite. */
static inline double u_open32(uint64_t a)
{
    return bits_f64(SYNTH_ONE_BITS | ((a >> 32) << 20) | (1ULL << 19)) - 1.0;
}

/* Top 52 bits -> [0, 1). */
static inline double u_unit52(uint64_t b)
{
    return bits_f64(SYNTH_ONE_BITS | (b >> 12)) - 1.0;
}

/* ln(x) for normal x > 0: x = m 2^e with m in [1, 2),
 * ln m = ln 1.5 + 2 atanh(f), f = (m - 1.5) / (m + 1.5) in [-0.2, 0.143];
 * atanh series to f^17 (rel. err ~1e-14).  No branch, so the loop vectorizes. */
static inline double log_pos(double x)
{
    const uint64_t b = f64_bits(x);
    const double e = (double)((int32_t)(b >> 52) - 1023);
    const double m = bits_f64((b & SYNTH_MANT_MASK) | SYNTH_ONE_BITS);
    const double f = (m - 1.5) / (m + 1.5), s = f * f;
    double poly = 1.0 / 17; /* Horner in s: sum_j s^j / (2j + 1), j = 0..8 */
    poly = poly * s + 1.0 / 15;
    poly = poly * s + 1.0 / 13;
    poly = poly * s + 1.0 / 11;
    poly = poly * s + 1.0 / 9;
    poly = poly * s + 1.0 / 7;
    poly = poly * s + 1.0 / 5;
    poly = poly * s + 1.0 / 3;
    poly = poly * s + 1.0;
    return e * SYNTH_LN2 + SYNTH_LN1_5 + 2.0 * f * poly;
}

/* sqrt(x) for normal x > 0: bit-trick 1/sqrt guess (3.4 % error), four Newton
 * steps (error squares each step), then x / sqrt(x). */
static inline double sqrt_pos(double x)
{
    double y = bits_f64(0x5fe6eb50c7b537a9ULL - (f64_bits(x) >> 1));
    y = y * (1.5 - 0.5 * x * y * y);
    y = y * (1.5 - 0.5 * x * y * y);
    y = y * (1.5 - 0.5 * x * y * y);
    y = y * (1.5 - 0.5 * x * y * y);
    return x * y;
}

/* exp(-y) for 0 <= y < 1e9: -y log2(e) = n + r / ln2 with |r| <= ln2 / 2,
 * exp(r) by Taylor to r^11 (rel. err ~1e-14), times 2^n built from bits;
 * 0 below 2^-1000 (y > ~693).  Integer selects only: they vectorize. */
static inline double exp_neg(double y)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const int32_t n0 = (int32_t)(-y * SYNTH_LOG2E - 0.5); /* round to nearest, n0 <= 0 */
    const int32_t n = n0 > -1000 ? n0 : -1000;
    const double dn = (double)n;
    const double r = (-y - dn * ln2_hi) - dn * ln2_lo;
    double er = 1.0 / 39916800; /* Horner: sum_j r^j / j!, j = 0..11 */
    er = er * r + 1.0 / 3628800;
    er = er * r + 1.0 / 362880;
    er = er * r + 1.0 / 40320;
    er = er * r + 1.0 / 5040;
    er = er * r + 1.0 / 720;
    er = er * r + 1.0 / 120;
    er = er * r + 1.0 / 24;
    er = er * r + 1.0 / 6;
    er = er * r + 1.0 / 2;
    er = er * r + 1.0;
    er = er * r + 1.0;
    const double v = er * bits_f64((uint64_t)(int64_t)(n + 1023) << 52);
    /* bit mask, not "? v : 0.0": gcc would sink v into a branch and not vectorize */
    return bits_f64(f64_bits(v) & (0 - (uint64_t)(n0 > -1000)));
}

/* Uniform unit phasor (cos th, sin th) from the low 32 bits of a:
 * phi = frac * pi/4 in [0, pi/4) from 29 bits (Taylor sin to phi^13, cos to
 * phi^14), then bit 0 reflects about the diagonal and bits 1, 2 flip the signs,
 * which maps the first octant uniformly onto the whole circle. */
static inline void unit_phasor(uint64_t a, double *c, double *s)
{
    const double phi =
        (bits_f64(SYNTH_ONE_BITS | ((a & 0xfffffff8ULL) << 20)) - 1.0) * (SYNTH_PI / 4.0);
    const double x2 = phi * phi;
    /* nested Taylor: sin = phi (1 - x2/(2*3) (1 - x2/(4*5) (...))), cos alike */
    double sn = 1.0 - x2 * (1.0 / 156);
    sn = 1.0 - x2 * (1.0 / 110) * sn;
    sn = 1.0 - x2 * (1.0 / 72) * sn;
    sn = 1.0 - x2 * (1.0 / 42) * sn;
    sn = 1.0 - x2 * (1.0 / 20) * sn;
    sn = phi * (1.0 - x2 * (1.0 / 6) * sn);
    double cs = 1.0 - x2 * (1.0 / 182);
    cs = 1.0 - x2 * (1.0 / 132) * cs;
    cs = 1.0 - x2 * (1.0 / 90) * cs;
    cs = 1.0 - x2 * (1.0 / 56) * cs;
    cs = 1.0 - x2 * (1.0 / 30) * cs;
    cs = 1.0 - x2 * (1.0 / 12) * cs;
    cs = 1.0 - x2 * 0.5 * cs;
    const int swap = (int)(a & 1u);
    const double c0 = swap ? sn : cs;
    const double s0 = swap ? cs : sn;
    *c = bits_f64(f64_bits(c0) ^ ((a & 2u) << 62));
    *s = bits_f64(f64_bits(s0) ^ ((a & 4u) << 61));
}

/* The Rigaku 3M module file of canvas pixel i (1676 x 2100), and in *q
 * (when not NULL) its word's pixel index (odd module files with the 1024^2
 * offset); -1 in a gap. */
static int rigaku3m_place(size_t i, uint32_t *q)
{
    const int64_t row = (int64_t)(i / XPCS_RIGAKU3M_COLS), col = (int64_t)(i % XPCS_RIGAKU3M_COLS);
    for (int m = 0; m < XPCS_RIGAKU3M_MODULES; m++) {
        int64_t r0, c0;
        xpcs_rigaku3m_origin(m, &r0, &c0);
        if (row >= r0 && row < r0 + XPCS_RIGAKU_ROWS && col >= c0 && col < c0 + XPCS_RIGAKU_COLS) {
            if (q)
                *q = (uint32_t)((row - r0) * XPCS_RIGAKU_COLS + (col - c0)) +
                     (m % 2 ? XPCS_RIGAKU3M_OFFSET : 0);
            return m;
        }
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* the model: geometry, q maps, hot/dead pixels                        */

typedef struct {
    xpcs_synth_params p; /* resolved */
    size_t npix;
    int n_dq, n_sq;
    double k0, qmin, qmax; /* 1/A */
    int32_t *mask, *dyn, *sta;
    double *qd, *qs, *tau; /* dynamic centres, static centres, tau per dynamic bin (frames) */
    size_t *hot, *dead;    /* pixel indices */
    size_t n_hot, n_dead;
} synth_model;

static void model_free(synth_model *m)
{
    free(m->mask);
    free(m->dyn);
    free(m->sta);
    free(m->qd);
    free(m->qs);
    free(m->tau);
    free(m->hot);
    free(m->dead);
}

/* q = k0 sin(atan(r * pixel / distance)), k0 = 2 pi / lambda (1/A), r in pixels. */
static double q_of_r(const synth_model *m, double r)
{
    return m->k0 * sin(atan(r * m->p.pixel_size_mm / m->p.det_dist_mm));
}

static void model_build(const xpcs_synth_params *p, synth_model *m)
{
    memset(m, 0, sizeof *m);
    m->p = *p;
    m->npix = (size_t)p->rows * (size_t)p->cols;
    m->n_dq = p->n_dq;
    m->n_sq = p->n_dq * p->sq_per_dq;
    m->k0 = 2.0 * SYNTH_PI / (SYNTH_HC_KEV_A / p->energy_kev);
    m->qmin = q_of_r(m, p->beamstop_px);
    m->qmax = q_of_r(m, edge_distance(p));

    m->qd = xpcs_malloc((size_t)m->n_dq * sizeof *m->qd);
    m->qs = xpcs_malloc((size_t)m->n_sq * sizeof *m->qs);
    m->tau = xpcs_malloc((size_t)m->n_dq * sizeof *m->tau);
    const double dq = (m->qmax - m->qmin) / m->n_dq, sq = (m->qmax - m->qmin) / m->n_sq;
    for (int k = 0; k < m->n_dq; k++)
        m->qd[k] = m->qmin + (k + 0.5) * dq;
    for (int k = 0; k < m->n_sq; k++)
        m->qs[k] = m->qmin + (k + 0.5) * sq;
    for (int k = 0; k < m->n_dq; k++)
        m->tau[k] = p->tau0 * pow(m->qd[k] / m->qd[0], p->tau_exponent);

    /* hot then dead pixels: partial Fisher-Yates over all pixels, own stream */
    m->n_hot = (size_t)p->n_hot;
    m->n_dead = (size_t)p->n_dead;
    m->hot = xpcs_malloc((m->n_hot ? m->n_hot : 1) * sizeof *m->hot);
    m->dead = xpcs_malloc((m->n_dead ? m->n_dead : 1) * sizeof *m->dead);
    const size_t nsel = m->n_hot + m->n_dead;
    if (nsel) {
        size_t *perm = xpcs_malloc(m->npix * sizeof *perm);
        for (size_t i = 0; i < m->npix; i++)
            perm[i] = i;
        uint64_t state = mix64(p->seed + 3 * SYNTH_GOLDEN);
        for (size_t i = 0; i < nsel; i++) {
            state += SYNTH_GOLDEN;
            const size_t j = i + (size_t)(mix64(state) % (uint64_t)(m->npix - i));
            const size_t tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        memcpy(m->hot, perm, m->n_hot * sizeof *perm);
        memcpy(m->dead, perm + m->n_hot, m->n_dead * sizeof *perm);
        free(perm);
    }

    m->mask = xpcs_malloc(m->npix * sizeof *m->mask);
    m->dyn = xpcs_malloc(m->npix * sizeof *m->dyn);
    m->sta = xpcs_malloc(m->npix * sizeof *m->sta);
    for (long row = 0; row < p->rows; row++) {
        for (long col = 0; col < p->cols; col++) {
            const size_t i = (size_t)row * (size_t)p->cols + (size_t)col;
            const double r = hypot((double)col - p->beam_center_x, (double)row - p->beam_center_y);
            m->mask[i] = r < p->beamstop_px ? 0 : 1;
        }
    }
    for (size_t i = 0; i < m->n_hot; i++)
        m->mask[m->hot[i]] = 0;
    for (size_t i = 0; i < m->n_dead; i++)
        m->mask[m->dead[i]] = 0;
    if (p->format & XPCS_SYNTH_FMT_RIGAKU3M) /* the 3M's gaps */
        for (size_t i = 0; i < m->npix; i++)
            if (rigaku3m_place(i, NULL) < 0)
                m->mask[i] = 0;

    /* static label first, dynamic = its parent, so the nesting is exact */
    for (long row = 0; row < p->rows; row++) {
        for (long col = 0; col < p->cols; col++) {
            const size_t i = (size_t)row * (size_t)p->cols + (size_t)col;
            const double r = hypot((double)col - p->beam_center_x, (double)row - p->beam_center_y);
            const double q = q_of_r(m, r);
            m->dyn[i] = 0;
            m->sta[i] = 0;
            if (!m->mask[i] || q < m->qmin || q > m->qmax)
                continue;
            long s = (long)((q - m->qmin) / (m->qmax - m->qmin) * m->n_sq);
            if (s >= m->n_sq)
                s = m->n_sq - 1; /* q == qmax */
            m->sta[i] = (int32_t)(s + 1);
            m->dyn[i] = (int32_t)(s / p->sq_per_dq + 1);
        }
    }
}

/* 64-bit FNV-1a over the little-endian bytes of n int32 values. */
static uint64_t fnv1a_i32(uint64_t h, const int32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint32_t u = (uint32_t)v[i];
        for (int b = 0; b < 4; b++) {
            h ^= (u >> (8 * b)) & 0xffu;
            h *= 0x100000001b3ULL;
        }
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* frame generator                                                     */

typedef struct {
    size_t npix;
    double *er, *ei;   /* field, real and imaginary part */
    double *rho, *sig; /* exp(-1/tau_p), sqrt(1 - rho^2) */
    double amp, rate;  /* a = sqrt(beta); photons / pixel / frame */
    uint64_t key_field, key_normal;
    uint32_t maxval;
} synth_gen;

static void gen_init(synth_gen *g, const synth_model *m)
{
    g->npix = m->npix;
    g->er = xpcs_calloc(m->npix, sizeof *g->er);
    g->ei = xpcs_calloc(m->npix, sizeof *g->ei);
    g->rho = xpcs_malloc(m->npix * sizeof *g->rho);
    g->sig = xpcs_malloc(m->npix * sizeof *g->sig);
    for (size_t i = 0; i < m->npix; i++) {
        const double tau = m->dyn[i] > 0 ? m->tau[m->dyn[i] - 1] : m->p.tau0;
        g->rho[i] = exp(-1.0 / tau);
        g->sig[i] = sqrt(1.0 - g->rho[i] * g->rho[i]);
    }
    g->amp = sqrt(m->p.beta);
    g->rate = m->p.rate;
    g->key_field = mix64(m->p.seed + 1 * SYNTH_GOLDEN);
    g->key_normal = mix64(m->p.seed + 2 * SYNTH_GOLDEN);
    g->maxval = count_max(&m->p);
}

static void gen_free(synth_gen *g)
{
    free(g->er);
    free(g->ei);
    free(g->rho);
    free(g->sig);
}

/* Advance the field of n pixels by one step and prepare their Poisson draws:
 * lam = rate * I, pz = exp(-lam) = P(0), uu uniform in [0,1).  Pixel i uses
 * draws ctr + (2i)*golden (innovation) and ctr + (2i+1)*golden (Poisson).
 * first: E = xi (stationary start) instead of the AR(1) step. */
static void field_tile(size_t n, uint64_t ctr, int first, const double *restrict rho,
                       const double *restrict sig, double *restrict er, double *restrict ei,
                       double amp, double rate, double *restrict lam, double *restrict pz,
                       double *restrict uu)
{
    const double keep = first ? 0.0 : 1.0; /* exact 0/1 weights, no branch in the loop */
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        const uint64_t za = ctr + (uint64_t)(2 * i) * SYNTH_GOLDEN;
        const uint64_t a = mix64(za), b = mix64(za + SYNTH_GOLDEN);
        /* Box-Muller, complex: |xi|^2 = -ln u ~ Exp(1), so each part has variance 1/2 */
        const double r = sqrt_pos(-log_pos(u_open32(a)));
        double c, s;
        unit_phasor(a, &c, &s);
        const double rh = keep * rho[i], sg = keep * sig[i] + (1.0 - keep);
        const double xr = rh * er[i] + sg * r * c;
        const double xi = rh * ei[i] + sg * r * s;
        er[i] = xr;
        ei[i] = xi;
        const double l = rate * (amp * (xr * xr + xi * xi) + (1.0 - amp));
        lam[i] = l;
        pz[i] = exp_neg(l);
        uu[i] = u_unit52(b);
    }
}

/* Poisson(lam) given P(0) = pz and a uniform u: inversion (smallest k with
 * u < F(k)) up to SYNTH_POISSON_EXACT, rounded normal above; clipped to maxval. */
static uint32_t poisson_draw(double lam, double pz, double u, uint64_t key_normal, uint64_t idx,
                             uint32_t maxval)
{
    double k;
    if (u < pz) {
        return 0;
    }
    else if (lam <= SYNTH_POISSON_EXACT) {
        double pk = pz, cdf = pz;
        k = 0.0;
        /* the cap only guards against u above the rounded total probability */
        while (u >= cdf && k < 200.0) {
            k += 1.0;
            pk *= lam / k;
            cdf += pk;
        }
    }
    else {
        const uint64_t c = mix64(key_normal + (idx + 1) * SYNTH_GOLDEN);
        const double z = sqrt(-2.0 * log(u_open32(c))) *
                         cos(2.0 * SYNTH_PI * (double)(c & 0xffffffffULL) / 4294967296.0);
        k = floor(lam + sqrt(lam) * z + 0.5);
        if (k < 0.0)
            k = 0.0;
    }
    return k >= (double)maxval ? maxval : (uint32_t)k;
}

/* One frame t into out (npix values of dtype dt). */
static void gen_frame(synth_gen *g, const synth_model *m, uint64_t t, void *out)
{
    double lam[SYNTH_TILE], pz[SYNTH_TILE], uu[SYNTH_TILE];
    uint32_t cnt[SYNTH_TILE];
    const xpcs_synth_dtype dt = m->p.dtype;
    for (size_t p0 = 0; p0 < g->npix; p0 += SYNTH_TILE) {
        size_t n = g->npix - p0;
        if (n > SYNTH_TILE)
            n = SYNTH_TILE;
        const uint64_t ctr = g->key_field + (2 * (t * g->npix + p0) + 1) * SYNTH_GOLDEN;
        field_tile(n, ctr, t == 0, g->rho + p0, g->sig + p0, g->er + p0, g->ei + p0, g->amp,
                   g->rate, lam, pz, uu);
        for (size_t i = 0; i < n; i++)
            cnt[i] =
                poisson_draw(lam[i], pz[i], uu[i], g->key_normal, t * g->npix + p0 + i, g->maxval);
        if (dt == XPCS_SYNTH_U8) {
            uint8_t *o = (uint8_t *)out + p0;
            for (size_t i = 0; i < n; i++)
                o[i] = (uint8_t)cnt[i];
        }
        else if (dt == XPCS_SYNTH_U16) {
            uint16_t *o = (uint16_t *)out + p0;
            for (size_t i = 0; i < n; i++)
                o[i] = (uint16_t)cnt[i];
        }
        else {
            memcpy((uint32_t *)out + p0, cnt, n * sizeof *cnt);
        }
    }
}

static void set_pixel(void *out, xpcs_synth_dtype dt, size_t i, uint32_t v)
{
    if (dt == XPCS_SYNTH_U8)
        ((uint8_t *)out)[i] = (uint8_t)v;
    else if (dt == XPCS_SYNTH_U16)
        ((uint16_t *)out)[i] = (uint16_t)v;
    else
        ((uint32_t *)out)[i] = v;
}

/* ------------------------------------------------------------------ */
/* HDF5 helpers: every object without time stamps (deterministic files) */

static hid_t ocpl(hid_t cls)
{
    const hid_t pl = H5Pcreate(cls);
    if (pl >= 0 && H5Pset_obj_track_times(pl, 0) < 0) {
        H5Pclose(pl);
        return H5I_INVALID_HID;
    }
    return pl;
}

static xpcs_status h5_group(hid_t f, const char *path, const char *file, xpcs_err *err)
{
    const hid_t pl = ocpl(H5P_GROUP_CREATE);
    const hid_t g = pl < 0 ? H5I_INVALID_HID : H5Gcreate2(f, path, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (pl >= 0)
        H5Pclose(pl);
    if (g < 0)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create group %s", file, path);
    H5Gclose(g);
    return XPCS_OK;
}

/* rank 0 = scalar dataspace */
static xpcs_status h5_write(hid_t f, const char *path, hid_t ftype, hid_t mtype, int rank,
                            const hsize_t *dims, const void *buf, const char *file, xpcs_err *err)
{
    const hid_t sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, NULL);
    const hid_t pl = ocpl(H5P_DATASET_CREATE);
    hid_t d = H5I_INVALID_HID;
    herr_t rc = -1;
    if (sp >= 0 && pl >= 0)
        d = H5Dcreate2(f, path, ftype, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (d >= 0)
        rc = H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    if (d >= 0)
        H5Dclose(d);
    if (pl >= 0)
        H5Pclose(pl);
    if (sp >= 0)
        H5Sclose(sp);
    if (rc < 0)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot write dataset %s", file, path);
    return XPCS_OK;
}

static xpcs_status h5_f64(hid_t f, const char *path, double v, const char *file, xpcs_err *err)
{
    return h5_write(f, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &v, file, err);
}

static xpcs_status h5_f64v(hid_t f, const char *path, const double *v, size_t n, const char *file,
                           xpcs_err *err)
{
    const hsize_t dims[1] = {n};
    return h5_write(f, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, dims, v, file, err);
}

/* Fixed-length, NUL-terminated ASCII string type of `size` bytes. */
static hid_t str_type(size_t size)
{
    const hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, size ? size : 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0)) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* n fixed-length strings; n == 0 means one scalar string */
static xpcs_status h5_strs(hid_t f, const char *path, const char *const *s, size_t n,
                           const char *file, xpcs_err *err)
{
    const size_t cnt = n ? n : 1;
    size_t w = 1;
    for (size_t i = 0; i < cnt; i++)
        w = strlen(s[i]) + 1 > w ? strlen(s[i]) + 1 : w;
    char *buf = xpcs_calloc(cnt, w);
    for (size_t i = 0; i < cnt; i++)
        memcpy(buf + i * w, s[i], strlen(s[i]));
    const hid_t t = str_type(w);
    const hsize_t dims[1] = {n};
    xpcs_status st = XPCS_ERR_OUTPUT;
    if (t >= 0) {
        st = h5_write(f, path, t, t, n ? 1 : 0, dims, buf, file, err);
        H5Tclose(t);
    }
    else {
        xpcs_fail(err, st, "%s: cannot make string type for %s", file, path);
    }
    free(buf);
    return st;
}

static xpcs_status h5_str(hid_t f, const char *path, const char *s, const char *file, xpcs_err *err)
{
    return h5_strs(f, path, &s, 0, file, err);
}

static xpcs_status h5_attr_str(hid_t f, const char *obj, const char *name, const char *s,
                               const char *file, xpcs_err *err)
{
    const hid_t t = str_type(strlen(s) + 1);
    const hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5I_INVALID_HID;
    herr_t rc = -1;
    if (t >= 0 && sp >= 0)
        a = H5Acreate_by_name(f, obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        rc = H5Awrite(a, t, s);
        H5Aclose(a);
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (rc < 0)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot write attribute %s@%s", file, obj, name);
    return XPCS_OK;
}

static hid_t file_create(const char *file, xpcs_err *err)
{
    const hid_t f = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create HDF5 file", file);
    return f;
}

static xpcs_status file_close(hid_t f, xpcs_status st, const char *file, xpcs_err *err)
{
    if (H5Fclose(f) < 0 && st == XPCS_OK)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot close HDF5 file", file);
    return st;
}

/* ------------------------------------------------------------------ */
/* the four files                                                      */

static inline uint64_t xpcs_synth_le64(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(w);
#else
    return w;
#endif
}

/* --iid: frame t's non-zero pixels and counts, independent Poisson(rate)
 * draws (pixels ascending): geometric gaps between non-zero pixels, counts
 * from the zero-truncated Poisson by inversion; a pure function of (seed,
 * t).  Returns the number of events (at most npix). */
static size_t iid_events(const synth_gen *g, uint64_t t, uint32_t *pix, uint32_t *cnt)
{
    const double lam = g->rate, p0 = exp(-lam);
    const double lq = -lam; /* log(1 - P(n > 0)) = log(P(0)) */
    uint64_t ctr = mix64(g->key_normal + (t + 1) * SYNTH_GOLDEN);
    size_t n = 0;
    double pos = -1.0;
    for (;;) {
        ctr += SYNTH_GOLDEN;
        const double u = u_open32(mix64(ctr));
        pos += 1.0 + floor(log(u) / lq);
        if (pos >= (double)g->npix)
            break;
        ctr += SYNTH_GOLDEN;
        /* P(k | k >= 1) = P(k) / (1 - p0), k = 1, 2, ... */
        double v = u_unit52(mix64(ctr)) * (1.0 - p0), pk = p0 * lam, cdf = pk, k = 1.0;
        while (v >= cdf && k < 200.0) {
            k += 1.0;
            pk *= lam / k;
            cdf += pk;
        }
        pix[n] = (uint32_t)pos;
        cnt[n] = k >= (double)g->maxval ? g->maxval : (uint32_t)k;
        n++;
    }
    return n;
}

static void gen_frame_iid(synth_gen *g, const synth_model *m, uint64_t t, void *out)
{
    memset(out, 0, g->npix * (size_t)m->p.dtype);
    uint32_t *pix = xpcs_malloc(sizeof(uint32_t) * g->npix);
    uint32_t *cnt = xpcs_malloc(sizeof(uint32_t) * g->npix);
    size_t n = iid_events(g, t, pix, cnt);
    for (size_t i = 0; i < n; i++)
        set_pixel(out, m->p.dtype, pix[i], cnt[i]);
    free(pix);
    free(cnt);
}

/* The 3M's gaps (rows and columns between the modules) set to 0. */
static void zero_gaps(void *fr, size_t dsz)
{
    const size_t cols = XPCS_RIGAKU3M_COLS;
    for (size_t row = 0; row < XPCS_RIGAKU3M_ROWS; row++) {
        char *r = (char *)fr + row * cols * dsz;
        if (row % (XPCS_RIGAKU_ROWS + XPCS_RIGAKU3M_GAP_ROWS) >= XPCS_RIGAKU_ROWS)
            memset(r, 0, cols * dsz);
        else
            memset(r + XPCS_RIGAKU_COLS * dsz, 0, XPCS_RIGAKU3M_GAP_COLS * dsz);
    }
}

/* NAME.bin (or the 3M's NAME.bin.000 ... .005, nf files): the same frames
 * as NAME.h5, as Rigaku event words (frame, then pixel ascending; a
 * count-0 word in the last frame of a file when it is empty there, so the
 * frame count survives). */
static xpcs_status write_bin(const synth_model *m, char files[][SYNTH_PATH_MAX + 8], int nf,
                             xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    FILE *f[XPCS_RIGAKU3M_MODULES] = {NULL};
    for (int k = 0; k < nf; k++) {
        f[k] = fopen(files[k], "wb");
        if (!f[k]) {
            xpcs_status st =
                xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create: %s", files[k], strerror(errno));
            while (k-- > 0)
                fclose(f[k]);
            return st;
        }
    }
    synth_gen g;
    memset(&g, 0, sizeof g);
    if (p->iid) { /* the generator's keys and limits, not its field */
        g.npix = m->npix;
        g.rate = p->rate;
        g.key_normal = mix64(p->seed + 2 * SYNTH_GOLDEN);
        g.maxval = count_max(p);
    }
    else if (!p->constant_mode) {
        gen_init(&g, m);
    }
    const uint32_t hot = hot_value(p);
    void *fr = xpcs_malloc(m->npix * (size_t)p->dtype);
    uint32_t *pix = xpcs_malloc(sizeof(uint32_t) * m->npix);
    uint32_t *cnt = xpcs_malloc(sizeof(uint32_t) * m->npix);
    const size_t per = nf > 1 ? XPCS_RIGAKU_PIXELS + 1 : m->npix + 1; /* words per file */
    uint64_t *words = xpcs_malloc(sizeof(uint64_t) * per * (size_t)nf);
    size_t nw[XPCS_RIGAKU3M_MODULES];
    int ok = 1;
    size_t n = 0;
    for (long t = 0; t < p->frames && ok; t++) {
        if (p->iid && p->n_hot == 0 && p->n_dead == 0) {
            n = iid_events(&g, (uint64_t)t, pix, cnt);
        }
        else {
            if (p->constant_mode)
                for (size_t i = 0; i < m->npix; i++)
                    set_pixel(fr, p->dtype, i, p->constant_value);
            else if (p->iid)
                gen_frame_iid(&g, m, (uint64_t)t, fr);
            else
                gen_frame(&g, m, (uint64_t)t, fr);
            for (size_t i = 0; i < m->n_hot; i++)
                set_pixel(fr, p->dtype, m->hot[i], hot);
            for (size_t i = 0; i < m->n_dead; i++)
                set_pixel(fr, p->dtype, m->dead[i], 0);
            n = 0;
            for (size_t i = 0; i < m->npix; i++) {
                uint32_t v = p->dtype == XPCS_SYNTH_U8    ? ((const uint8_t *)fr)[i]
                             : p->dtype == XPCS_SYNTH_U16 ? ((const uint16_t *)fr)[i]
                                                          : ((const uint32_t *)fr)[i];
                if (v) {
                    pix[n] = (uint32_t)i;
                    cnt[n++] = v;
                }
            }
        }
        /* words of file k at words + k * per; 3M: gap pixels dropped */
        for (int k = 0; k < nf; k++)
            nw[k] = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t q = pix[i];
            const int k = nf > 1 ? rigaku3m_place(pix[i], &q) : 0;
            if (k >= 0)
                words[(size_t)k * per + nw[k]++] = (uint64_t)t << 40 | (uint64_t)q << 16 | cnt[i];
        }
        for (int k = 0; k < nf && ok; k++) {
            uint64_t *w = words + (size_t)k * per;
            if (nw[k] == 0 && t == p->frames - 1) /* count 0: only the frame count */
                w[nw[k]++] = (uint64_t)t << 40 |
                             (uint64_t)(k % 2 && nf > 1 ? XPCS_RIGAKU3M_OFFSET : 0) << 16;
            /* the file is little-endian */
            for (size_t i = 0; i < nw[k]; i++)
                w[i] = xpcs_synth_le64(w[i]);
            ok = fwrite(w, sizeof(uint64_t), nw[k], f[k]) == nw[k];
        }
    }
    free(fr);
    free(pix);
    free(cnt);
    free(words);
    if (!p->iid)
        gen_free(&g);
    int bad = -1;
    for (int k = 0; k < nf; k++)
        if (fclose(f[k]) != 0 && bad < 0)
            bad = k;
    if (!ok && bad < 0)
        bad = 0;
    return bad < 0 ? XPCS_OK
                   : xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot write events: %s", files[bad],
                               strerror(errno));
}

static xpcs_status write_data(const synth_model *m, const char *file, xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    const hid_t ftype = p->dtype == XPCS_SYNTH_U8    ? H5T_STD_U8LE
                        : p->dtype == XPCS_SYNTH_U16 ? H5T_STD_U16LE
                                                     : H5T_STD_U32LE;
    const hid_t mtype = p->dtype == XPCS_SYNTH_U8    ? H5T_NATIVE_UINT8
                        : p->dtype == XPCS_SYNTH_U16 ? H5T_NATIVE_UINT16
                                                     : H5T_NATIVE_UINT32;
    const char *dpath = "/entry/data/data";
    const hsize_t dims[3] = {(hsize_t)p->frames, (hsize_t)p->rows, (hsize_t)p->cols};
    const hsize_t chunk[3] = {(hsize_t)p->chunk_frames, dims[1], dims[2]};
    const size_t frame_bytes = m->npix * (size_t)p->dtype;

    const hid_t f = file_create(file, err);
    if (f < 0)
        return XPCS_ERR_OUTPUT;
    hid_t fsp = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, d = H5I_INVALID_HID;
    void *buf = NULL;
    synth_gen g;
    memset(&g, 0, sizeof g);
    xpcs_status st = h5_group(f, "/entry", file, err);
    if (st == XPCS_OK)
        st = h5_group(f, "/entry/data", file, err);
    if (st != XPCS_OK)
        goto done;
    st = XPCS_ERR_OUTPUT;
    fsp = H5Screate_simple(3, dims, NULL);
    dcpl = ocpl(H5P_DATASET_CREATE);
    if (fsp < 0 || dcpl < 0 || H5Pset_chunk(dcpl, 3, chunk) < 0) {
        xpcs_fail(err, st, "%s: cannot set up chunks [%ld,%ld,%ld] for %s", file, p->chunk_frames,
                  p->rows, p->cols, dpath);
        goto done;
    }
    if (p->gzip > 0 &&
        (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Pset_deflate(dcpl, (unsigned)p->gzip) < 0)) {
        xpcs_fail(err, st, "%s: deflate (gzip %d) not available for %s", file, p->gzip, dpath);
        goto done;
    }
    d = H5Dcreate2(f, dpath, ftype, fsp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0) {
        xpcs_fail(err, st, "%s: cannot create dataset %s", file, dpath);
        goto done;
    }

    /* one chunk of frames in memory at a time */
    buf = xpcs_malloc((size_t)p->chunk_frames * frame_bytes);
    const int gaps = (p->format & XPCS_SYNTH_FMT_RIGAKU3M) != 0;
    if (p->constant_mode) {
        for (size_t i = 0; i < (size_t)p->chunk_frames * m->npix; i++)
            set_pixel(buf, p->dtype, i, p->constant_value);
        for (long k = 0; k < p->chunk_frames && gaps; k++)
            zero_gaps((char *)buf + (size_t)k * frame_bytes, (size_t)p->dtype);
    }
    else {
        gen_init(&g, m);
    }
    const uint32_t hot = hot_value(p);
    for (long t0 = 0; t0 < p->frames; t0 += p->chunk_frames) {
        const long nf = p->frames - t0 < p->chunk_frames ? p->frames - t0 : p->chunk_frames;
        for (long k = 0; k < nf && !p->constant_mode; k++) {
            void *fr = (char *)buf + (size_t)k * frame_bytes;
            if (p->iid)
                gen_frame_iid(&g, m, (uint64_t)(t0 + k), fr);
            else
                gen_frame(&g, m, (uint64_t)(t0 + k), fr);
            for (size_t i = 0; i < m->n_hot; i++)
                set_pixel(fr, p->dtype, m->hot[i], hot);
            for (size_t i = 0; i < m->n_dead; i++)
                set_pixel(fr, p->dtype, m->dead[i], 0);
            if (gaps)
                zero_gaps(fr, (size_t)p->dtype);
        }
        const hsize_t start[3] = {(hsize_t)t0, 0, 0};
        const hsize_t count[3] = {(hsize_t)nf, dims[1], dims[2]};
        const hid_t msp = H5Screate_simple(3, count, NULL);
        herr_t rc =
            msp < 0 ? -1 : H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
        if (rc >= 0)
            rc = H5Dwrite(d, mtype, msp, fsp, H5P_DEFAULT, buf);
        if (msp >= 0)
            H5Sclose(msp);
        if (rc < 0) {
            xpcs_fail(err, st, "%s: cannot write frames %ld..%ld of %s", file, t0, t0 + nf - 1,
                      dpath);
            goto done;
        }
    }
    st = XPCS_OK;

done:
    free(buf);
    gen_free(&g);
    if (d >= 0 && H5Dclose(d) < 0 && st == XPCS_OK)
        st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot close dataset %s", file, dpath);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (fsp >= 0)
        H5Sclose(fsp);
    return file_close(f, st, file, err);
}

static xpcs_status write_metadata(const synth_model *m, const char *file, xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    char now[32] = "1970-01-01T00:00:00Z", scan[32];
    const time_t tnow = time(NULL);
    struct tm tm;
    if (tnow != (time_t)-1 && gmtime_r(&tnow, &tm))
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(scan, sizeof scan, "%" PRIu64, p->seed);

    const hid_t f = file_create(file, err);
    if (f < 0)
        return XPCS_ERR_OUTPUT;
    static const char *const groups[] = {"/entry",
                                         "/entry/instrument",
                                         "/entry/instrument/detector_1",
                                         "/entry/instrument/incident_beam",
                                         "/entry/instrument/bluesky",
                                         "/entry/instrument/bluesky/metadata",
                                         "/entry/sample",
                                         "/entry/user"};
    xpcs_status st = XPCS_OK;
    for (size_t i = 0; i < sizeof groups / sizeof *groups && st == XPCS_OK; i++)
        st = h5_group(f, groups[i], file, err);
    const char *det = "/entry/instrument/detector_1/";
    const struct {
        const char *name;
        double v;
    } scal[] = {{"frame_time", p->frame_time},
                {"count_time", p->count_time},
                {"x_pixel_size", p->pixel_size_mm},
                {"y_pixel_size", p->pixel_size_mm},
                {"distance", p->det_dist_mm}};
    char path[256];
    for (size_t i = 0; i < sizeof scal / sizeof *scal && st == XPCS_OK; i++) {
        snprintf(path, sizeof path, "%s%s", det, scal[i].name);
        st = h5_f64(f, path, scal[i].v, file, err);
    }
    if (st == XPCS_OK)
        st = h5_f64(f, "/entry/instrument/incident_beam/incident_energy", p->energy_kev, file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/entry/schema_version", "1.0", file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/entry/start_time", now, file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/entry/instrument/bluesky/metadata/plan_name", "xpcs-synth", file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/entry/instrument/bluesky/metadata/scan_id", scan, file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/entry/instrument/bluesky/metadata/detector", "synthetic", file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/entry/sample/name", p->name, file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/entry/user/name", "xpcs-synth", file, err);
    return file_close(f, st, file, err);
}

static xpcs_status write_qmap(const synth_model *m, const char *file, const char *source,
                              xpcs_err *err)
{
    const xpcs_synth_params *p = &m->p;
    const size_t K = (size_t)m->n_dq, Ks = (size_t)m->n_sq;
    const hsize_t img[2] = {(hsize_t)p->rows, (hsize_t)p->cols};
    const hsize_t two[1] = {2};
    const double phi0 = 0.0;
    const int64_t dnum[2] = {(int64_t)K, 1}, snum[2] = {(int64_t)Ks, 1};
    int64_t *idx = xpcs_malloc(Ks * sizeof *idx);
    for (size_t i = 0; i < Ks; i++)
        idx[i] = (int64_t)i;
    const hsize_t kd[1] = {K}, ksd[1] = {Ks};
    static const char *const names[] = {"q", "phi"};
    static const char *const units[] = {"1/A", "deg"};

    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a_i32(h, m->mask, m->npix);
    h = fnv1a_i32(h, m->dyn, m->npix);
    h = fnv1a_i32(h, m->sta, m->npix);
    char hash[17];
    snprintf(hash, sizeof hash, "%016" PRIx64, h);

    const hid_t f = file_create(file, err);
    if (f < 0) {
        free(idx);
        return XPCS_ERR_OUTPUT;
    }
    const hid_t I32 = H5T_STD_I32LE, NI32 = H5T_NATIVE_INT32;
    const hid_t I64 = H5T_STD_I64LE, NI64 = H5T_NATIVE_INT64;
    xpcs_status st = h5_group(f, "/qmap", file, err);
    if (st == XPCS_OK)
        st = h5_write(f, "/qmap/mask", I32, NI32, 2, img, m->mask, file, err);
    if (st == XPCS_OK)
        st = h5_write(f, "/qmap/dynamic_roi_map", I32, NI32, 2, img, m->dyn, file, err);
    if (st == XPCS_OK)
        st = h5_write(f, "/qmap/static_roi_map", I32, NI32, 2, img, m->sta, file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/qmap/dynamic_v_list_dim0", m->qd, K, file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/qmap/dynamic_v_list_dim1", &phi0, 1, file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/qmap/static_v_list_dim0", m->qs, Ks, file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/qmap/static_v_list_dim1", &phi0, 1, file, err);
    if (st == XPCS_OK)
        st = h5_write(f, "/qmap/dynamic_num_pts", I64, NI64, 1, two, dnum, file, err);
    if (st == XPCS_OK)
        st = h5_write(f, "/qmap/static_num_pts", I64, NI64, 1, two, snum, file, err);
    if (st == XPCS_OK)
        st = h5_write(f, "/qmap/dynamic_index_mapping", I64, NI64, 1, kd, idx, file, err);
    if (st == XPCS_OK)
        st = h5_write(f, "/qmap/static_index_mapping", I64, NI64, 1, ksd, idx, file, err);
    if (st == XPCS_OK)
        st = h5_strs(f, "/qmap/map_names", names, 2, file, err);
    if (st == XPCS_OK)
        st = h5_strs(f, "/qmap/map_units", units, 2, file, err);
    if (st == XPCS_OK)
        st = h5_f64(f, "/qmap/beam_center_x", p->beam_center_x, file, err);
    if (st == XPCS_OK)
        st = h5_f64(f, "/qmap/beam_center_y", p->beam_center_y, file, err);
    if (st == XPCS_OK)
        st = h5_f64(f, "/qmap/pixel_size", p->pixel_size_mm, file, err);
    if (st == XPCS_OK)
        st = h5_f64(f, "/qmap/detector_distance", p->det_dist_mm, file, err);
    if (st == XPCS_OK)
        st = h5_f64(f, "/qmap/energy", p->energy_kev, file, err);
    if (st == XPCS_OK)
        st = h5_str(f, "/qmap/source_file", source, file, err);
    if (st == XPCS_OK)
        st = h5_attr_str(f, "/qmap", "hash", hash, file, err);
    if (st == XPCS_OK)
        st = h5_attr_str(f, "/qmap", "version", "xpcs-synth-1", file, err);
    free(idx);
    return file_close(f, st, file, err);
}

static xpcs_status write_truth(const synth_model *m, const char *file, xpcs_err *err)
{
    const size_t K = (size_t)m->n_dq;
    double *ts = xpcs_malloc(K * sizeof *ts), *beta = xpcs_malloc(K * sizeof *beta);
    for (size_t k = 0; k < K; k++) {
        ts[k] = m->tau[k] * m->p.frame_time;
        beta[k] = m->p.beta;
    }
    const hid_t f = file_create(file, err);
    xpcs_status st = f < 0 ? XPCS_ERR_OUTPUT : h5_group(f, "/truth", file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/truth/q", m->qd, K, file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/truth/tau_frames", m->tau, K, file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/truth/tau_seconds", ts, K, file, err);
    if (st == XPCS_OK)
        st = h5_f64v(f, "/truth/beta", beta, K, file, err);
    if (st == XPCS_OK)
        st = h5_f64(f, "/truth/rate", m->p.rate, file, err);
    if (st == XPCS_OK)
        st = h5_f64(f, "/truth/tau_exponent", m->p.tau_exponent, file, err);
    free(ts);
    free(beta);
    return f < 0 ? st : file_close(f, st, file, err);
}

/* ------------------------------------------------------------------ */
/* driver                                                              */

/* mkdir -p */
static xpcs_status make_dirs(const char *dir, xpcs_err *err)
{
    char buf[SYNTH_PATH_MAX];
    const size_t n = strlen(dir);
    if (n >= sizeof buf)
        return xpcs_fail(err, XPCS_ERR_USAGE, "output directory path too long");
    memcpy(buf, dir, n + 1);
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create directory: %s", buf,
                             strerror(errno));
        *c = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create directory: %s", buf,
                         strerror(errno));
    struct stat sb;
    if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: output path is not a directory", buf);
    return XPCS_OK;
}

xpcs_status xpcs_synth_write(const xpcs_synth_params *in, xpcs_err *err)
{
    enum { NF = XPCS_SYNTH_N_FILES };
    xpcs_status st = xpcs_synth_check(in, err);
    if (st != XPCS_OK)
        return st;
    xpcs_synth_params p;
    resolve(in, &p);
    st = make_dirs(p.outdir, err);
    if (st != XPCS_OK)
        return st;

    char final[NF][SYNTH_PATH_MAX], tmp[NF][SYNTH_PATH_MAX + 8];
    for (int i = 0; i < NF && st == XPCS_OK; i++) {
        st = xpcs_synth_path(&p, (xpcs_synth_file)i, final[i], sizeof final[i], err);
        snprintf(tmp[i], sizeof tmp[i], "%s.tmp", final[i]);
    }
    if (st != XPCS_OK)
        return st;

    /* our messages replace the HDF5 error-stack dump */
    H5E_auto2_t efunc = NULL;
    void *edata = NULL;
    H5Eget_auto2(H5E_DEFAULT, &efunc, &edata);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    synth_model m;
    model_build(&p, &m);
    char source[SYNTH_PATH_MAX];
    snprintf(source, sizeof source, "%s%s", p.name, synth_suffix[XPCS_SYNTH_FILE_DATA]);
    int done[NF] = {0};
    st = write_qmap(&m, tmp[XPCS_SYNTH_FILE_QMAP], source, err);
    done[XPCS_SYNTH_FILE_QMAP] = 1;
    if (st == XPCS_OK) {
        st = write_truth(&m, tmp[XPCS_SYNTH_FILE_TRUTH], err);
        done[XPCS_SYNTH_FILE_TRUTH] = 1;
    }
    if (st == XPCS_OK && p.write_metadata) {
        st = write_metadata(&m, tmp[XPCS_SYNTH_FILE_METADATA], err);
        done[XPCS_SYNTH_FILE_METADATA] = 1;
    }
    if (st == XPCS_OK && (p.format & XPCS_SYNTH_FMT_H5)) {
        st = write_data(&m, tmp[XPCS_SYNTH_FILE_DATA], err);
        done[XPCS_SYNTH_FILE_DATA] = 1;
    }
    if (st == XPCS_OK && (p.format & XPCS_SYNTH_FMT_RIGAKU)) {
        st = write_bin(&m, &tmp[XPCS_SYNTH_FILE_BIN], 1, err);
        done[XPCS_SYNTH_FILE_BIN] = 1;
    }
    if (st == XPCS_OK && (p.format & XPCS_SYNTH_FMT_RIGAKU3M)) {
        st = write_bin(&m, &tmp[XPCS_SYNTH_FILE_BIN3M], XPCS_RIGAKU3M_MODULES, err);
        for (int k = 0; k < XPCS_RIGAKU3M_MODULES; k++)
            done[XPCS_SYNTH_FILE_BIN3M + k] = 1;
    }
    for (int i = 0; i < NF && st == XPCS_OK; i++) {
        if (done[i] && rename(tmp[i], final[i]) != 0) {
            st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot rename to %s: %s", tmp[i], final[i],
                           strerror(errno));
        }
        else {
            done[i] = 0;
        }
    }
    if (st != XPCS_OK) {
        for (int i = 0; i < NF; i++)
            if (done[i])
                unlink(tmp[i]); /* not remove(): never an rmdir */
    }
    model_free(&m);
    H5Eset_auto2(H5E_DEFAULT, efunc, edata);
    return st;
}
