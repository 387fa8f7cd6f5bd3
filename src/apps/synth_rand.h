/* synth_rand: xpcs-synth's counter-based random numbers and the branch-free
 * math of its per-frame loop (private to src/apps/synth_*.c).
 *
 * Draw number i of stream key is mix64(key + (i + 1) * golden) (splitmix64),
 * so every draw is a pure function of (seed, frame, pixel) and the output
 * does not depend on chunking.  log, sincos, exp and sqrt here are own
 * branch-free polynomial versions so that gcc vectorizes the loop without
 * -ffast-math or libmvec.
 */
#ifndef XPCS_SYNTH_RAND_H
#define XPCS_SYNTH_RAND_H

#include <stdint.h>
#include <string.h>

#define SYNTH_PI 3.14159265358979323846
#define SYNTH_LN2 0.69314718055994530942
#define SYNTH_LOG2E 1.44269504088896340736
#define SYNTH_LN1_5 0.40546510810816438198
#define SYNTH_GOLDEN 0x9e3779b97f4a7c15ULL
#define SYNTH_ONE_BITS 0x3ff0000000000000ULL /* bits of 1.0 */
#define SYNTH_MANT_MASK 0x000fffffffffffffULL

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

#endif
