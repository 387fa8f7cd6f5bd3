/* report_page: what the sections of the report share (private to
 * src/report).  The page is assembled in report.c; each section appends its
 * HTML to the page's buffer:
 *   report_read.c     the result file's datasets the page needs (every read
 *                     optional: a missing piece leaves its part out)
 *   report_fig.c      plot ids, colours, q labels, colour bars, inline PNGs
 *   report_g2.c       g2 per q bin (overview and panels, fit curves)
 *   report_saxs.c     scattering image, I(q), intensity vs time
 *   report_twotime.c  two-time maps
 *   report_fits.c     the fits' tau(q) and parameter tables
 *   report_quality.c  the data-quality badges (top of the page)
 *   report_extra.c    linear and two-time g2, stability, contrast, the inputs
 *                     of an averaged file
 *   report_profile.c  compute-health badges and the run profile (JSON)
 */
#ifndef XPCS_REPORT_PAGE_H
#define XPCS_REPORT_PAGE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/sbuf.h"
#include "xpcs/io/h5read.h"

#define MAX_PANELS 36  /* g2 panels shown (evenly chosen when there are more bins) */
#define MAX_OVERLAY 24 /* curves on the overview plot */
#define MAX_IMAGE 512  /* longest side of an inline image, pixels */
#define MAX_TWOTIME 6  /* two-time maps shown */
#define MAX_BAR_RANKS 64

extern const char *const xpcs_rpt_palette[10];

/* One /xpcs/fit/<model> group in the layout xpcs-fit writes (README "Fit
 * results"): param_names (n_p,); params, params_err (n_bins, n_p); status,
 * chi2_red, q (n_bins,); t (n_t,) s and g2_fit (n_t, n_bins), the model at
 * t; tau_q/{exponent, prefactor, ...}.  Only param_names and params are
 * required; a missing piece leaves its part of the page out. */
typedef struct {
    char model[64];
    int n_p, n_bins;
    char **names;
    double *p;             /* [n_bins][n_p] */
    double *err;           /* [n_bins][n_p] or NULL */
    double *status, *chi2; /* [n_bins] or NULL */
    char **status_names;
    int n_status_names;
    double *q; /* [n_bins] or NULL */
    int n_t;
    double *t, *g2_fit; /* [n_t], [n_t][n_bins] or NULL */
    int i_base, i_beta, i_tau, i_gamma, i_tau2, i_frac, i_g1, i_g2;
    /* tau_q: exponent, its error, prefactor, D (um^2/s), its error */
    double tq_exp, tq_exp_err, tq_pre, tq_d, tq_d_err;
    int have_tq;
} xpcs_rpt_fit;

/* The page state. */
typedef struct {
    xpcs_h5r *f;
    xpcs_sbuf *o;
    int plot_id;
    /* multitau */
    int n_tau, n_dq;
    double *delay, *g2, *g2e; /* [n_tau], [n_tau][n_dq] */
    double t_scale;           /* seconds per delay_list unit; 0 = unknown */
    double *q;                /* [n_dq] q, then [n_dq + 1 ..] phi (NaN: none), or NULL */
    char q_unit[32];
    xpcs_rpt_fit fits[4];
    int n_fits;
} xpcs_rpt_page;

/* ---- reads (report_read.c) ---------------------------------------------- */

/* A numeric dataset as doubles (up to 4-D, at most 2^27 elements); NULL if
 * absent, empty or not numeric.  dims[0..ndim) receive the shape, the rest
 * 1. */
double *xpcs_rpt_doubles(const xpcs_rpt_page *pg, const char *path, int *ndim, int64_t dims[4]);
/* The first value of a numeric dataset; 0 (out untouched) if there is none. */
int xpcs_rpt_scalar(const xpcs_rpt_page *pg, const char *path, double *out);
/* The strings of a string dataset (1 .. 99999 of them); returns the count,
 * *out the strings (xpcs_h5r_free_strings), or 0 and NULL. */
int xpcs_rpt_strings(const xpcs_rpt_page *pg, const char *path, char ***out);
/* /xpcs/multitau: delays, g2, errors, time scale, q (and phi) per bin. */
void xpcs_rpt_load_multitau(xpcs_rpt_page *pg);
/* /xpcs/fit/<model> groups (at most 4, in name order). */
void xpcs_rpt_load_fits(xpcs_rpt_page *pg);
void xpcs_rpt_free_fit(xpcs_rpt_fit *fs);

/* ---- figures (report_fig.c) --------------------------------------------- */

int xpcs_rpt_next_id(xpcs_rpt_page *pg);
/* Curve i of n: a viridis colour "#rrggbb". */
void xpcs_rpt_color_of(int i, int n, char *buf, size_t len);
/* "bin j+1: q = ... unit, phi ..." (as far as the file tells). */
void xpcs_rpt_qlabel(const xpcs_rpt_page *pg, int j, char *buf, size_t n);
/* Percentile (0..1) of the finite values of v (positive_only: > 0 only);
 * NaN when there are none. */
double xpcs_rpt_percentile(const double *v, size_t n, double p, int positive_only);
void xpcs_rpt_colorbar(xpcs_sbuf *o, int id, double lo, double hi, const char *label);
/* values [h][w] -> block-averaged viridis PNG, inline <img> css_px wide
 * (or high).  zero_masked: exact zeros are drawn dark grey.  lg: log10. */
void xpcs_rpt_inline_image(xpcs_rpt_page *pg, const double *v, int h, int w, double lo, double hi,
                           int lg, int zero_masked, const char *alt, int css_px);

/* ---- fits (report_fits.c) ----------------------------------------------- */

/* The model of bin b at t (seconds) from its parameters; NaN when the
 * parameters are not the known ones. */
double xpcs_rpt_fit_eval(const xpcs_rpt_fit *fs, int b, double t);
/* 1 when bin b's fit converged (or the file has no status). */
int xpcs_rpt_fit_ok(const xpcs_rpt_fit *fs, int b);

/* ---- profile JSON (report_profile.c) ------------------------------------ */

/* The header table's row: when the profile was made (compute health named,
 * its badges in the profile section). */
void xpcs_rpt_profile_row(xpcs_sbuf *o, const cJSON *prof);
/* One badge per health indicator. */
void xpcs_rpt_health_badges(xpcs_sbuf *o, const cJSON *prof);

/* ---- sections, in page order -------------------------------------------- */

void xpcs_rpt_quality_section(xpcs_rpt_page *pg);
void xpcs_rpt_average_section(xpcs_rpt_page *pg);
void xpcs_rpt_g2_section(xpcs_rpt_page *pg);
void xpcs_rpt_linear_section(xpcs_rpt_page *pg);
void xpcs_rpt_twotime_g2_section(xpcs_rpt_page *pg);
void xpcs_rpt_contrast_section(xpcs_rpt_page *pg);
void xpcs_rpt_stability_section(xpcs_rpt_page *pg);
void xpcs_rpt_scattering_section(xpcs_rpt_page *pg);
void xpcs_rpt_intensity_section(xpcs_rpt_page *pg);
void xpcs_rpt_twotime_section(xpcs_rpt_page *pg);
void xpcs_rpt_fits_section(xpcs_rpt_page *pg);
void xpcs_rpt_profile_section(xpcs_rpt_page *pg, const cJSON *prof);

#endif
