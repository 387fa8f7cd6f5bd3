/* report_fits: per fit model, tau(q) of the converged bins with the power
 * law, and the table of parameters per bin. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"
#include "xpcs/report/svgplot.h"

/* For files without g2_fit:
 *   single     baseline + beta exp(-2 t / tau)
 *   stretched  baseline + beta exp(-2 (t / tau)^gamma)
 *   double     baseline + beta (f exp(-t / tau1) + (1 - f) exp(-t / tau2))^2
 *   double_stretched  the same with exp(-(t / tau_i)^gamma_i) */
double xpcs_rpt_fit_eval(const xpcs_rpt_fit *fs, int b, double t)
{
    if (fs->i_beta < 0 || fs->i_tau < 0 || b >= fs->n_bins)
        return NAN;
    const double *p = fs->p + (size_t)b * fs->n_p;
    double base = fs->i_base >= 0 ? p[fs->i_base] : 1.0, beta = p[fs->i_beta];
    double tau = p[fs->i_tau];
    if (!(tau > 0))
        return NAN;
    if (fs->i_tau2 >= 0 && fs->i_frac >= 0) {
        double f = p[fs->i_frac];
        const double g1 = fs->i_g1 >= 0 ? p[fs->i_g1] : 1.0, g2 = fs->i_g2 >= 0 ? p[fs->i_g2] : 1.0;
        double s = f * exp(-pow(t / tau, g1)) + (1 - f) * exp(-pow(t / p[fs->i_tau2], g2));
        return base + beta * s * s;
    }
    if (fs->i_gamma >= 0)
        return base + beta * exp(-2 * pow(t / tau, p[fs->i_gamma]));
    return base + beta * exp(-2 * t / tau);
}

int xpcs_rpt_fit_ok(const xpcs_rpt_fit *fs, int b)
{
    return !fs->status || fs->status[b] == 0;
}

/* tau(q) of the converged bins (q per bin), with the power law when fitted. */
static void tauq_plot(xpcs_rpt_page *pg, const xpcs_rpt_fit *fs, const double *q)
{
    xpcs_sbuf *o = pg->o;
    double *tau = xpcs_malloc(sizeof(double) * (size_t)fs->n_bins * 3);
    double *te = tau + fs->n_bins, *qq = te + fs->n_bins;
    double qlo = INFINITY, qhi = 0;
    for (int b = 0; b < fs->n_bins; b++) {
        int ok = xpcs_rpt_fit_ok(fs, b);
        tau[b] = ok ? fs->p[(size_t)b * fs->n_p + fs->i_tau] : NAN;
        te[b] = ok && fs->err ? fs->err[(size_t)b * fs->n_p + fs->i_tau] : 0.0;
        qq[b] = q[b];
        if (ok && q[b] > 0) {
            qlo = fmin(qlo, q[b]);
            qhi = fmax(qhi, q[b]);
        }
    }
    char xl[64], title[160];
    snprintf(xl, sizeof xl, "q (%s)", fs->q ? "1/A" : pg->q_unit);
    if (fs->have_tq)
        snprintf(title, sizeof title, "%s(q): exponent %.3f +- %.3f", fs->names[fs->i_tau],
                 fs->tq_exp, fs->tq_exp_err);
    else
        snprintf(title, sizeof title, "%s(q)", fs->names[fs->i_tau]);
    xpcs_plot *pl = xpcs_plot_create(xpcs_rpt_next_id(pg), 440, 300, 1, 1);
    xpcs_plot_labels(pl, title, xl, "tau (s)");
    if (fs->err)
        xpcs_plot_errorbars(pl, qq, tau, te, fs->n_bins, "#9ab");
    xpcs_plot_points(pl, qq, tau, fs->n_bins, xpcs_rpt_palette[3], 3.0);
    if (fs->have_tq && fs->tq_pre > 0 && qhi > qlo) {
        double lx[2] = {qlo, qhi};
        double ly[2] = {fs->tq_pre * pow(qlo, fs->tq_exp), fs->tq_pre * pow(qhi, fs->tq_exp)};
        xpcs_plot_line(pl, lx, ly, 2, xpcs_rpt_palette[0], 1.2, 1);
        xpcs_plot_legend(pl, "prefactor q^exponent", xpcs_rpt_palette[0]);
    }
    xpcs_sbuf_add(o, "<div class=\"fig\">");
    xpcs_plot_render(pl, o);
    xpcs_sbuf_add(o, "</div>\n");
    xpcs_plot_destroy(&pl);
    free(tau);
    if (fs->have_tq && isfinite(fs->tq_d))
        xpcs_sbuf_printf(o,
                         "<p class=\"note\">With exponent -2: diffusion coefficient D = "
                         "%.4g &plusmn; %.2g &micro;m<sup>2</sup>/s.</p>\n",
                         fs->tq_d, fs->tq_d_err);
}

/* One row per bin (at most 200): label, status, chi2_red, parameters. */
static void param_table(xpcs_rpt_page *pg, const xpcs_rpt_fit *fs)
{
    xpcs_sbuf *o = pg->o;
    xpcs_sbuf_add(o, "<table><tr><th>bin</th>");
    if (fs->status)
        xpcs_sbuf_add(o, "<th>status</th>");
    if (fs->chi2)
        xpcs_sbuf_add(o, "<th>chi2_red</th>");
    for (int p = 0; p < fs->n_p; p++) {
        xpcs_sbuf_add(o, "<th>");
        xpcs_sbuf_add_escaped(o, fs->names[p]);
        xpcs_sbuf_add(o, "</th>");
    }
    xpcs_sbuf_add(o, "</tr>\n");
    for (int b = 0; b < fs->n_bins && b < 200; b++) {
        char lab[96];
        if (fs->q)
            snprintf(lab, sizeof lab, "bin %d: q = %.4g 1/A", b + 1, fs->q[b]);
        else if (fs->n_bins == pg->n_dq)
            xpcs_rpt_qlabel(pg, b, lab, sizeof lab);
        else
            snprintf(lab, sizeof lab, "%d", b + 1);
        xpcs_sbuf_add(o, "<tr><td>");
        xpcs_sbuf_add_escaped(o, lab);
        xpcs_sbuf_add(o, "</td>");
        if (fs->status) {
            int si = (int)fs->status[b];
            xpcs_sbuf_add(o, "<td class=\"l\">");
            if (si >= 0 && si < fs->n_status_names)
                xpcs_sbuf_add_escaped(o, fs->status_names[si]);
            else
                xpcs_sbuf_printf(o, "%d", si);
            xpcs_sbuf_add(o, "</td>");
        }
        if (fs->chi2)
            xpcs_sbuf_printf(o, "<td>%.3g</td>", fs->chi2[b]);
        for (int p = 0; p < fs->n_p; p++) {
            double v = fs->p[(size_t)b * fs->n_p + p];
            if (fs->err)
                xpcs_sbuf_printf(o, "<td>%.4g &plusmn; %.2g</td>", v,
                                 fs->err[(size_t)b * fs->n_p + p]);
            else
                xpcs_sbuf_printf(o, "<td>%.4g</td>", v);
        }
        xpcs_sbuf_add(o, "</tr>\n");
    }
    xpcs_sbuf_add(o, "</table>\n");
}

void xpcs_rpt_fits_section(xpcs_rpt_page *pg)
{
    xpcs_sbuf *o = pg->o;
    for (int k = 0; k < pg->n_fits; k++) {
        const xpcs_rpt_fit *fs = &pg->fits[k];
        int n_ok = 0;
        for (int b = 0; b < fs->n_bins; b++)
            n_ok += xpcs_rpt_fit_ok(fs, b);
        xpcs_sbuf_add(o, "<h2>Fit: ");
        xpcs_sbuf_add_escaped(o, fs->model);
        xpcs_sbuf_add(o, "</h2>\n<p class=\"note\">/xpcs/fit/");
        xpcs_sbuf_add_escaped(o, fs->model);
        xpcs_sbuf_printf(o, ": %d bin(s), %d converged, %d parameter(s)%s.</p>\n", fs->n_bins, n_ok,
                         fs->n_p,
                         fs->n_bins == pg->n_dq && (fs->g2_fit || fs->i_tau >= 0)
                             ? "; curves drawn over the g2 panels"
                             : "");
        const double *q = fs->q ? fs->q : (fs->n_bins == pg->n_dq ? pg->q : NULL);
        if (fs->i_tau >= 0 && q)
            tauq_plot(pg, fs, q);
        param_table(pg, fs);
    }
}
