/* report_g2: g2 per q bin -- all bins on one plot, then one panel per bin
 * (an even subset when there are many) with its error bars and the first
 * fit's curve. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"
#include "xpcs/report/svgplot.h"

void xpcs_rpt_g2_section(xpcs_rpt_page *pg)
{
    xpcs_sbuf *o = pg->o;
    if (!pg->g2) {
        xpcs_sbuf_add(o, "<h2>g2</h2><p class=\"note\">No multi-tau result in this file (a "
                         "linear or two-time g2, when present, follows).</p>\n");
        return;
    }
    const int nt = pg->n_tau, nq = pg->n_dq;
    double *t = xpcs_malloc(sizeof(double) * (size_t)nt * 4);
    double *y = t + nt, *e = y + nt;
    for (int i = 0; i < nt; i++)
        t[i] = pg->delay[i] * (pg->t_scale > 0 ? pg->t_scale : 1.0);
    const char *tlabel = pg->t_scale > 0 ? "delay t (s)" : "delay (frames)";
    const xpcs_rpt_fit *fit = NULL; /* the first fit with curves for these bins */
    for (int k = 0; k < pg->n_fits && !fit; k++)
        if (pg->fits[k].n_bins == nq &&
            (pg->fits[k].g2_fit || (pg->fits[k].i_tau >= 0 && pg->fits[k].i_beta >= 0)))
            fit = &pg->fits[k];
    double fx[64], fv[64];

    xpcs_sbuf_printf(o,
                     "<h2>g2 per q bin</h2>\n<p class=\"note\">%d q bins, %d delays. "
                     "Error bars: standard error over the pixels of the bin.%s</p>\n",
                     nq, nt, fit ? " Dashed: fit (first model in /xpcs/fit)." : "");
    /* overview: every bin (or an even subset) on one plot */
    xpcs_plot *pl = xpcs_plot_create(xpcs_rpt_next_id(pg), 640, 380, 1, 0);
    xpcs_plot_labels(pl, "g2(q, t), all bins", tlabel, "g2");
    int step = nq > MAX_OVERLAY ? (nq + MAX_OVERLAY - 1) / MAX_OVERLAY : 1;
    for (int j = 0; j < nq; j += step) {
        char col[16], lab[96];
        xpcs_rpt_color_of(j, nq, col, sizeof col);
        for (int i = 0; i < nt; i++)
            y[i] = pg->g2[(size_t)i * nq + j];
        xpcs_plot_line(pl, t, y, nt, col, 1.5, 0);
        if (j == 0 || j + step >= nq) {
            xpcs_rpt_qlabel(pg, j, lab, sizeof lab);
            xpcs_plot_legend(pl, lab, col);
        }
    }
    xpcs_sbuf_add(o, "<div class=\"fig\">");
    xpcs_plot_render(pl, o);
    xpcs_sbuf_add(o, "</div>\n");
    xpcs_plot_destroy(&pl);

    int shown = nq < MAX_PANELS ? nq : MAX_PANELS;
    if (shown < nq)
        xpcs_sbuf_printf(o, "<p class=\"note\">Panels: %d of %d bins, evenly spaced.</p>\n", shown,
                         nq);
    xpcs_sbuf_add(o, "<div class=\"grid\">\n");
    for (int s = 0; s < shown; s++) {
        int j = shown < nq ? (int)((double)s * (nq - 1) / (shown - 1 > 0 ? shown - 1 : 1)) : s;
        char title[160], lab[96];
        xpcs_rpt_qlabel(pg, j, lab, sizeof lab);
        if (fit && fit->i_tau >= 0 && xpcs_rpt_fit_ok(fit, j) &&
            fit->p[(size_t)j * fit->n_p + fit->i_tau] > 0)
            snprintf(title, sizeof title, "%s, %s %.3g s", lab, fit->names[fit->i_tau],
                     fit->p[(size_t)j * fit->n_p + fit->i_tau]);
        else
            snprintf(title, sizeof title, "%s", lab);
        pl = xpcs_plot_create(xpcs_rpt_next_id(pg), 300, 210, 1, 0);
        xpcs_plot_labels(pl, title, tlabel, "g2");
        for (int i = 0; i < nt; i++) {
            y[i] = pg->g2[(size_t)i * nq + j];
            e[i] = pg->g2e ? pg->g2e[(size_t)i * nq + j] : 0.0;
        }
        if (pg->g2e)
            xpcs_plot_errorbars(pl, t, y, e, nt, "#9ab");
        xpcs_plot_points(pl, t, y, nt, xpcs_rpt_palette[0], 2.2);
        if (fit && xpcs_rpt_fit_ok(fit, j) && fit->g2_fit) { /* the model the fit wrote */
            double *col = xpcs_malloc(sizeof(double) * (size_t)fit->n_t);
            for (int i = 0; i < fit->n_t; i++)
                col[i] = fit->g2_fit[(size_t)i * nq + j];
            xpcs_plot_line(pl, fit->t, col, fit->n_t, xpcs_rpt_palette[3], 1.5, 1);
            free(col);
        }
        else if (fit && xpcs_rpt_fit_ok(fit, j) && t[0] > 0) { /* evaluated on a log grid */
            for (int i = 0; i < 64; i++) {
                fx[i] = t[0] * pow(t[nt - 1] / t[0], i / 63.0);
                fv[i] = xpcs_rpt_fit_eval(fit, j, fx[i]);
            }
            xpcs_plot_line(pl, fx, fv, 64, xpcs_rpt_palette[3], 1.5, 1);
        }
        xpcs_plot_render(pl, o);
        xpcs_plot_destroy(&pl);
    }
    xpcs_sbuf_add(o, "</div>\n");
    free(t);
}
