/* synth_model: xpcs-synth's geometry and q maps.
 *
 * q = k0 sin(atan(r * pixel / distance)) with k0 = 2 pi / lambda (1/A),
 * lambda = 12.398 / E[keV] A and r the distance (pixels) from the beam
 * centre; pixels behind the beamstop, hot, dead and (3M) in the gaps are
 * masked.  Ks = K * M static bins split [qmin, qmax] evenly, each dynamic
 * bin is M consecutive static bins (exact nesting); tau_k = tau0 *
 * (q_k / q_1)^tau_exponent frames.  Hot and dead pixels: a partial
 * Fisher-Yates shuffle over all pixels on its own random stream.
 */
#include "synth_internal.h"
#include "synth_rand.h"

#include "xpcs/io/rigaku.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNTH_HC_KEV_A 12.398 /* lambda[A] = 12.398 / E[keV] */

void xpcs_synth_model_free(xpcs_synth_model *m)
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
static double q_of_r(const xpcs_synth_model *m, double r)
{
    return m->k0 * sin(atan(r * m->p.pixel_size_mm / m->p.det_dist_mm));
}

/* Bin centres (1/A) and tau per dynamic bin (frames). */
static void q_bins(xpcs_synth_model *m)
{
    const xpcs_synth_params *p = &m->p;
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
}

/* Hot then dead pixels: partial Fisher-Yates over all pixels, own stream. */
static void hot_dead(xpcs_synth_model *m)
{
    const xpcs_synth_params *p = &m->p;
    m->n_hot = (size_t)p->n_hot;
    m->n_dead = (size_t)p->n_dead;
    m->hot = xpcs_malloc((m->n_hot ? m->n_hot : 1) * sizeof *m->hot);
    m->dead = xpcs_malloc((m->n_dead ? m->n_dead : 1) * sizeof *m->dead);
    const size_t nsel = m->n_hot + m->n_dead;
    if (!nsel)
        return;
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

/* The mask (beamstop, hot, dead, 3M gaps), then the static and dynamic maps
 * (labels from 1, 0 = not in a bin). */
static void maps(xpcs_synth_model *m)
{
    const xpcs_synth_params *p = &m->p;
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
            if (xpcs_rigaku3m_module_of((int64_t)i, NULL) < 0)
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

void xpcs_synth_model_build(const xpcs_synth_params *p, xpcs_synth_model *m)
{
    memset(m, 0, sizeof *m);
    m->p = *p;
    m->npix = (size_t)p->rows * (size_t)p->cols;
    m->n_dq = p->n_dq;
    m->n_sq = p->n_dq * p->sq_per_dq;
    m->k0 = 2.0 * SYNTH_PI / (SYNTH_HC_KEV_A / p->energy_kev);
    m->qmin = q_of_r(m, p->beamstop_px);
    m->qmax = q_of_r(m, xpcs_synth_edge_distance(p));
    q_bins(m);
    hot_dead(m);
    maps(m);
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

void xpcs_synth_model_hash(const xpcs_synth_model *m, char hash[17])
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a_i32(h, m->mask, m->npix);
    h = fnv1a_i32(h, m->dyn, m->npix);
    h = fnv1a_i32(h, m->sta, m->npix);
    snprintf(hash, 17, "%016" PRIx64, h);
}
