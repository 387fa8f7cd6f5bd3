/* synth_frames: xpcs-synth's per-frame counts.
 *
 * Speckle, per pixel p and frame t (one frame = one time step):
 *   E_p(0)   ~ CN(0,1)
 *   E_p(t+1) = rho_p E_p(t) + sqrt(1 - rho_p^2) xi,  xi ~ CN(0,1),
 *              rho_p = exp(-1 / tau_p)                (tau_p in frames)
 *   I_p(t)   = a |E_p(t)|^2 + (1 - a),  a = sqrt(beta)  (mean 1)
 *   n_p(t)   ~ Poisson(rate * I_p(t)), clipped to the dtype maximum
 * so <I(0) I(t)> = 1 + beta exp(-2 t / tau_p).  --iid: independent
 * Poisson(rate) counts; --constant: every pixel the same value.  The random
 * numbers are counter based (synth_rand.h): a pure function of (seed,
 * frame, pixel).
 */
#include "synth_internal.h"
#include "synth_rand.h"

#include "xpcs/io/rigaku.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SYNTH_POISSON_EXACT 30.0 /* inversion up to this mean, rounded normal above */

enum { SYNTH_TILE = 512 };

struct xpcs_synth_gen {
    const xpcs_synth_model *m;
    size_t npix;
    double *er, *ei;   /* field, real and imaginary part (speckle only) */
    double *rho, *sig; /* exp(-1/tau_p), sqrt(1 - rho^2) */
    double amp, rate;  /* a = sqrt(beta); photons / pixel / frame */
    uint64_t key_field, key_normal;
    uint32_t maxval;
    void *frame;         /* xpcs_synth_events' frame, on first use */
    uint32_t *pix, *cnt; /* iid_frame's events, on first use */
};

xpcs_synth_gen *xpcs_synth_gen_create(const xpcs_synth_model *m)
{
    xpcs_synth_gen *g = xpcs_calloc(1, sizeof *g);
    g->m = m;
    g->npix = m->npix;
    g->amp = sqrt(m->p.beta);
    g->rate = m->p.rate;
    g->key_field = mix64(m->p.seed + 1 * SYNTH_GOLDEN);
    g->key_normal = mix64(m->p.seed + 2 * SYNTH_GOLDEN);
    g->maxval = xpcs_synth_count_max(&m->p);
    if (m->p.constant_mode || m->p.iid)
        return g;
    g->er = xpcs_calloc(m->npix, sizeof *g->er);
    g->ei = xpcs_calloc(m->npix, sizeof *g->ei);
    g->rho = xpcs_malloc(m->npix * sizeof *g->rho);
    g->sig = xpcs_malloc(m->npix * sizeof *g->sig);
    for (size_t i = 0; i < m->npix; i++) {
        const double tau = m->dyn[i] > 0 ? m->tau[m->dyn[i] - 1] : m->p.tau0;
        g->rho[i] = exp(-1.0 / tau);
        g->sig[i] = sqrt(1.0 - g->rho[i] * g->rho[i]);
    }
    return g;
}

void xpcs_synth_gen_destroy(xpcs_synth_gen **gp)
{
    xpcs_synth_gen *g = *gp;
    if (!g)
        return;
    free(g->er);
    free(g->ei);
    free(g->rho);
    free(g->sig);
    free(g->frame);
    free(g->pix);
    free(g->cnt);
    free(g);
    *gp = NULL;
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

/* Speckle frame t into out (npix values of the dtype). */
static void speckle_frame(xpcs_synth_gen *g, uint64_t t, void *out)
{
    double lam[SYNTH_TILE], pz[SYNTH_TILE], uu[SYNTH_TILE];
    uint32_t cnt[SYNTH_TILE];
    const xpcs_synth_dtype dt = g->m->p.dtype;
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

/* --iid: frame t's non-zero pixels and counts, independent Poisson(rate)
 * draws (pixels ascending): geometric gaps between non-zero pixels, counts
 * from the zero-truncated Poisson by inversion; a pure function of (seed,
 * t).  Returns the number of events (at most npix). */
static size_t iid_events(const xpcs_synth_gen *g, uint64_t t, uint32_t *pix, uint32_t *cnt)
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

static void iid_frame(xpcs_synth_gen *g, uint64_t t, void *out)
{
    const xpcs_synth_dtype dt = g->m->p.dtype;
    memset(out, 0, g->npix * (size_t)dt);
    if (!g->pix) {
        g->pix = xpcs_malloc(sizeof(uint32_t) * g->npix);
        g->cnt = xpcs_malloc(sizeof(uint32_t) * g->npix);
    }
    const size_t n = iid_events(g, t, g->pix, g->cnt);
    for (size_t i = 0; i < n; i++)
        set_pixel(out, dt, g->pix[i], g->cnt[i]);
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

void xpcs_synth_frame(xpcs_synth_gen *g, int64_t t, void *out)
{
    const xpcs_synth_model *m = g->m;
    const xpcs_synth_params *p = &m->p;
    if (p->constant_mode)
        for (size_t i = 0; i < m->npix; i++)
            set_pixel(out, p->dtype, i, p->constant_value);
    else if (p->iid)
        iid_frame(g, (uint64_t)t, out);
    else
        speckle_frame(g, (uint64_t)t, out);
    const uint32_t hot = xpcs_synth_hot_value(p);
    for (size_t i = 0; i < m->n_hot; i++)
        set_pixel(out, p->dtype, m->hot[i], hot);
    for (size_t i = 0; i < m->n_dead; i++)
        set_pixel(out, p->dtype, m->dead[i], 0);
    if (p->format & XPCS_SYNTH_FMT_RIGAKU3M)
        zero_gaps(out, (size_t)p->dtype);
}

size_t xpcs_synth_events(xpcs_synth_gen *g, int64_t t, uint32_t *pix, uint32_t *cnt)
{
    const xpcs_synth_params *p = &g->m->p;
    if (p->iid && p->n_hot == 0 && p->n_dead == 0) /* cost per event, not per pixel */
        return iid_events(g, (uint64_t)t, pix, cnt);
    if (!g->frame)
        g->frame = xpcs_malloc(g->npix * (size_t)p->dtype);
    xpcs_synth_frame(g, t, g->frame);
    size_t n = 0;
    for (size_t i = 0; i < g->npix; i++) {
        const uint32_t v = p->dtype == XPCS_SYNTH_U8    ? ((const uint8_t *)g->frame)[i]
                           : p->dtype == XPCS_SYNTH_U16 ? ((const uint16_t *)g->frame)[i]
                                                        : ((const uint32_t *)g->frame)[i];
        if (v) {
            pix[n] = (uint32_t)i;
            cnt[n++] = v;
        }
    }
    return n;
}
