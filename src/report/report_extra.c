/* report_extra: the g2 of the other analyses and the run's stability:
 *   linear g2 (/xpcs/linear), the two-time diagonal g2 with its 5 segments
 *   (/xpcs/twotime/normalized_g2{,_segments}), I(q) per segment
 *   (stability), the contrast beta(q) and an averaged file's inputs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"
#include "xpcs/report/svgplot.h"

/* Seconds per frame of an analysis group's delays (0: unknown). */
static double group_dt(const xpcs_rpt_page *pg, const char *group)
{
    char p1[128], p2[128];
    double ft = 0, stride = 1, avg = 1;
    snprintf(p1, sizeof p1, "%s/config/stride_frame", group);
    snprintf(p2, sizeof p2, "%s/config/avg_frame", group);
    xpcs_rpt_scalar(pg, "/entry/instrument/detector_1/frame_time", &ft);
    xpcs_rpt_scalar(pg, p1, &stride);
    xpcs_rpt_scalar(pg, p2, &avg);
    return ft > 0 ? ft * stride * avg : 0.0;
}

/* Panels of g2 (nt x nb, column k = dynamic bin bins[k]) with error bars
 * (err may be NULL), extra curves (ex: n_ex series of nt x nb, thin) and
 * the fit's curves (fit: NULL or one with g2_fit for the nb bins); the y
 * range from the first n_range points (0: all; the two-time g2 of the
 * longest lags averages few pairs and would squash the rest). */
static void g2_panels(xpcs_rpt_page *pg, const double *t, int nt, const double *g2,
                      const double *err, int nb, const int *bins, const double *const *ex, int n_ex,
                      const char *tlabel, const xpcs_rpt_fit *fit, int n_range)
{
    xpcs_sbuf *o = pg->o;
    double *y = xpcs_malloc(sizeof(double) * (size_t)nt * 2), *e = y + nt;
    const int shown = nb < MAX_PANELS ? nb : MAX_PANELS;
    if (shown < nb)
        xpcs_sbuf_printf(o, "<p class=\"note\">Panels: %d of %d bins, evenly spaced.</p>\n", shown,
                         nb);
    xpcs_sbuf_add(o, "<div class=\"grid\">\n");
    for (int s = 0; s < shown; s++) {
        const int j =
            shown < nb ? (int)((double)s * (nb - 1) / (shown - 1 > 0 ? shown - 1 : 1)) : s;
        char lab[120];
        xpcs_rpt_qlabel(pg, bins[j] - 1, lab, sizeof lab);
        xpcs_plot *pl = xpcs_plot_create(xpcs_rpt_next_id(pg), 300, 210, 1, 0);
        xpcs_plot_labels(pl, lab, tlabel, "g2");
        if (n_range > 1 && n_range < nt) {
            double lo = INFINITY, hi = -INFINITY;
            for (int i = 0; i < n_range; i++) {
                const double v = g2[(size_t)i * nb + j];
                lo = isfinite(v) && v < lo ? v : lo;
                hi = isfinite(v) && v > hi ? v : hi;
            }
            if (hi > lo)
                xpcs_plot_yrange(pl, lo - 0.15 * (hi - lo), hi + 0.15 * (hi - lo));
        }
        for (int x = 0; x < n_ex; x++) {
            char col[16];
            xpcs_rpt_color_of(x, n_ex, col, sizeof col);
            for (int i = 0; i < nt; i++)
                y[i] = ex[x][(size_t)i * nb + j];
            xpcs_plot_line(pl, t, y, nt, col, 0.8, 0);
        }
        for (int i = 0; i < nt; i++) {
            y[i] = g2[(size_t)i * nb + j];
            e[i] = err ? err[(size_t)i * nb + j] : 0.0;
        }
        if (err)
            xpcs_plot_errorbars(pl, t, y, e, nt, "#9ab");
        xpcs_plot_points(pl, t, y, nt, xpcs_rpt_palette[0], 1.6);
        if (fit && xpcs_rpt_fit_ok(fit, j)) { /* the model xpcs-fit wrote */
            for (int i = 0; i < fit->n_t && i < nt; i++)
                y[i] = fit->g2_fit[(size_t)i * nb + j];
            xpcs_plot_line(pl, fit->t, y, fit->n_t < nt ? fit->n_t : nt, xpcs_rpt_palette[3], 1.5,
                           1);
        }
        xpcs_plot_render(pl, o);
        xpcs_plot_destroy(&pl);
    }
    xpcs_sbuf_add(o, "</div>\n");
    free(y);
}

/* The first fit of a source (its groups are <source>_<model>) with a curve
 * for each of nb bins. */
static const xpcs_rpt_fit *fit_of(const xpcs_rpt_page *pg, const char *source, int nb)
{
    const size_t n = strlen(source);
    for (int k = 0; k < pg->n_fits; k++)
        if (strncmp(pg->fits[k].model, source, n) == 0 && pg->fits[k].model[n] == '_' &&
            pg->fits[k].n_bins == nb && pg->fits[k].g2_fit)
            return &pg->fits[k];
    return NULL;
}

void xpcs_rpt_linear_section(xpcs_rpt_page *pg)
{
    int nd, ne;
    int64_t dl[4], dg[4], de[4];
    double *d = xpcs_rpt_doubles(pg, "/xpcs/linear/delay_list", &nd, dl);
    double *g2 = d ? xpcs_rpt_doubles(pg, "/xpcs/linear/normalized_g2", &nd, dg) : NULL;
    double *err = g2 ? xpcs_rpt_doubles(pg, "/xpcs/linear/normalized_g2_err", &ne, de) : NULL;
    if (g2 && nd == 2 && dg[0] == dl[0]) {
        const int nt = (int)dg[0], nb = (int)dg[1];
        const double dt = group_dt(pg, "/xpcs/linear");
        int *bins = xpcs_malloc(sizeof(int) * (size_t)nb);
        for (int k = 0; k < nb; k++)
            bins[k] = k + 1;
        for (int i = 0; i < nt; i++)
            d[i] *= dt > 0 ? dt : 1.0;
        xpcs_sbuf_printf(pg->o,
                         "<h2>Linear g2</h2>\n<p class=\"note\">g2 at every lag 1 .. %d frames "
                         "(FFT), %d q bins; error bars: standard error over the pixels; dashed: "
                         "the fit (xpcs-fit --source linear), when there is one.</p>\n",
                         nt, nb);
        g2_panels(pg, d, nt, g2, err && de[0] == dg[0] && de[1] == dg[1] ? err : NULL, nb, bins,
                  NULL, 0, dt > 0 ? "delay t (s)" : "delay (frames)", fit_of(pg, "linear", nb), 0);
        free(bins);
    }
    free(d);
    free(g2);
    free(err);
}

void xpcs_rpt_twotime_g2_section(xpcs_rpt_page *pg)
{
    int nd, ns, nb_d;
    int64_t dg[4], dsg[4], db[4];
    double *g2 = xpcs_rpt_doubles(pg, "/xpcs/twotime/normalized_g2", &nd, dg);
    double *seg =
        g2 ? xpcs_rpt_doubles(pg, "/xpcs/twotime/normalized_g2_segments", &ns, dsg) : NULL;
    double *bd = g2 ? xpcs_rpt_doubles(pg, "/xpcs/twotime/processed_bins", &nb_d, db) : NULL;
    if (g2 && nd == 2 && dg[0] > 1 && bd && db[0] == dg[1]) {
        const int N = (int)dg[0], nb = (int)dg[1], nt = N - 1;
        const double dt = group_dt(pg, "/xpcs/twotime");
        double *t = xpcs_malloc(sizeof(double) * (size_t)nt);
        int *bins = xpcs_malloc(sizeof(int) * (size_t)nb);
        for (int k = 0; k < nb; k++)
            bins[k] = (int)bd[k];
        for (int i = 0; i < nt; i++)
            t[i] = (i + 1) * (dt > 0 ? dt : 1.0);
        /* the 5 diagonal blocks' g2 over the lags they have (N/5), NaN after */
        const int len = N / 5,
                  have = seg && ns == 3 && dsg[0] == len && dsg[1] == 5 && dsg[2] == nb;
        double *ex[5] = {NULL};
        for (int s = 0; s < 5 && have; s++) {
            ex[s] = xpcs_malloc(sizeof(double) * (size_t)nt * (size_t)nb);
            for (int i = 0; i < nt; i++)
                for (int k = 0; k < nb; k++)
                    ex[s][(size_t)i * nb + k] =
                        i + 1 < len ? seg[((size_t)(i + 1) * 5 + s) * nb + k] : NAN;
        }
        xpcs_sbuf_printf(pg->o,
                         "<h2>Two-time g2</h2>\n<p class=\"note\">The mean of each diagonal t2 - "
                         "t1 of the two-time maps (lags 1 .. %d frames), %d bin(s)%s; dashed: "
                         "the fit (xpcs-fit --source twotime), when there is one.</p>\n",
                         nt, nb,
                         have ? "; thin lines: the same for the 5 consecutive blocks of the run "
                                "(segments), which show how the dynamics change over the run"
                              : "");
        g2_panels(pg, t, nt, g2 + nb, NULL, nb, bins, (const double *const *)ex, have ? 5 : 0,
                  dt > 0 ? "delay t (s)" : "delay (frames)", fit_of(pg, "twotime", nb), len);
        for (int s = 0; s < 5; s++)
            free(ex[s]);
        free(t);
        free(bins);
    }
    free(g2);
    free(seg);
    free(bd);
}

/* q of the scattering_1d columns: static_v_list_dim0[static_index_mapping[k] / n1]. */
static double *static_q(const xpcs_rpt_page *pg, int n)
{
    int n0, n1d, nm;
    int64_t d0[4], d1[4], dm[4];
    double *v0 = xpcs_rpt_doubles(pg, "/xpcs/qmap/static_v_list_dim0", &n0, d0);
    double *v1 = xpcs_rpt_doubles(pg, "/xpcs/qmap/static_v_list_dim1", &n1d, d1);
    double *map = xpcs_rpt_doubles(pg, "/xpcs/qmap/static_index_mapping", &nm, dm);
    const long n1 = v1 && n1d == 1 && d1[0] > 0 ? (long)d1[0] : 1;
    double *q = xpcs_malloc(sizeof(double) * (size_t)(n + 1));
    int ok = v0 && map && dm[0] == n;
    for (int k = 0; k < n && ok; k++) {
        const long i = lround(map[k]) / n1;
        ok = i >= 0 && i < (long)d0[0];
        q[k] = ok ? v0[i] : NAN;
    }
    if (!ok)
        for (int k = 0; k < n; k++)
            q[k] = k + 1;
    free(v0);
    free(v1);
    free(map);
    return q;
}

void xpcs_rpt_stability_section(xpcs_rpt_page *pg)
{
    int nd;
    int64_t d[4];
    double *seg = xpcs_rpt_doubles(pg, "/xpcs/temporal_mean/scattering_1d_segments", &nd, d);
    if (!seg || nd != 2 || d[0] < 2) {
        free(seg);
        return;
    }
    const int ns = (int)d[0], n = (int)d[1];
    double *q = static_q(pg, n), *y = xpcs_malloc(sizeof(double) * (size_t)n);
    const int have_q = !(n > 0 && q[0] == 1 && (n == 1 || q[n - 1] == n));
    xpcs_sbuf_printf(pg->o,
                     "<h2>Stability</h2>\n<p class=\"note\">I(q) of each of the %d consecutive "
                     "segments of the run (dark: early, light: late), and each segment's I(q) "
                     "divided by the first one's: radiation damage or a drifting beam shows as "
                     "curves that move apart (the data-quality indicator saxs_drift).</p>\n"
                     "<div class=\"row\">",
                     ns);
    xpcs_plot *a = xpcs_plot_create(xpcs_rpt_next_id(pg), 460, 320, have_q, 1);
    xpcs_plot *b = xpcs_plot_create(xpcs_rpt_next_id(pg), 460, 320, have_q, 0);
    xpcs_plot_labels(a, "I(q) per segment", have_q ? "q" : "static bin", "I (counts/pixel/frame)");
    xpcs_plot_labels(b, "I(q) / I(q) of the first segment", have_q ? "q" : "static bin", "ratio");
    for (int s = 0; s < ns; s++) {
        char col[16];
        xpcs_rpt_color_of(s, ns, col, sizeof col);
        xpcs_plot_line(a, q, seg + (size_t)s * n, n, col, 1.2, 0);
        for (int k = 0; k < n; k++)
            y[k] = seg[k] > 0 ? seg[(size_t)s * n + k] / seg[k] : NAN;
        xpcs_plot_line(b, q, y, n, col, 1.2, 0);
    }
    xpcs_plot_legend(a, "first segment", "#440154");
    xpcs_plot_legend(a, "last segment", "#fde725");
    xpcs_plot_render(a, pg->o);
    xpcs_plot_render(b, pg->o);
    xpcs_sbuf_add(pg->o, "</div>\n");
    xpcs_plot_destroy(&a);
    xpcs_plot_destroy(&b);
    free(q);
    free(y);
    free(seg);
}

void xpcs_rpt_contrast_section(xpcs_rpt_page *pg)
{
    int nd, ni;
    int64_t d[4], di[4];
    double *beta = xpcs_rpt_doubles(pg, "/xpcs/quality/contrast/beta", &nd, d);
    if (!beta || nd != 1 || d[0] < 1 || d[0] != pg->n_dq) {
        free(beta);
        return;
    }
    const int n = (int)d[0];
    double *items = xpcs_rpt_doubles(pg, "/xpcs/quality/contrast/items", &ni, di);
    double *q = xpcs_malloc(sizeof(double) * (size_t)n * 3), *fx = q + n, *fy = fx + n;
    int nf = 0;
    for (int k = 0; k < n; k++) {
        q[k] = pg->q ? pg->q[k] : k + 1;
        for (int64_t i = 0; items && i < di[0]; i++)
            if ((int)items[i] == k + 1) {
                fx[nf] = q[k];
                fy[nf++] = beta[k];
            }
    }
    xpcs_sbuf_printf(pg->o,
                     "<h2>Contrast beta(q)</h2>\n<p class=\"note\">beta = g2 at the first delay "
                     "- the baseline (mean of the last 3 delays), per dynamic bin; red: bins "
                     "the contrast indicator flags (off their neighbours).</p>\n");
    xpcs_plot *pl = xpcs_plot_create(xpcs_rpt_next_id(pg), 460, 300, pg->q != NULL, 0);
    xpcs_plot_labels(pl, "contrast beta(q)", pg->q ? "q" : "dynamic bin", "beta");
    xpcs_plot_line(pl, q, beta, n, xpcs_rpt_palette[0], 1.0, 0);
    xpcs_plot_points(pl, q, beta, n, xpcs_rpt_palette[0], 3.0);
    if (nf)
        xpcs_plot_points(pl, fx, fy, nf, "#d62728", 5.0);
    xpcs_plot_render(pl, pg->o);
    xpcs_plot_destroy(&pl);
    free(q);
    free(items);
    free(beta);
}

void xpcs_rpt_average_section(xpcs_rpt_page *pg)
{
    char **files = NULL, **acc = NULL, **rej = NULL, **why = NULL;
    const int nf = xpcs_rpt_strings(pg, "/xpcs/average/files", &files);
    if (nf <= 0)
        return;
    const int na = xpcs_rpt_strings(pg, "/xpcs/average/accepted", &acc);
    const int nr = xpcs_rpt_strings(pg, "/xpcs/average/rejected", &rej);
    const int nw = xpcs_rpt_strings(pg, "/xpcs/average/reasons", &why);
    xpcs_sbuf *o = pg->o;
    xpcs_sbuf_printf(o,
                     "<h2>Averaged inputs</h2>\n<p class=\"note\">This file is the average of "
                     "%d of %d results (xpcs-average); the rules and the numbers are under "
                     "/xpcs/average.</p>\n<table><tr><th>input</th><th>decision</th><th>reason"
                     "</th></tr>\n",
                     na > 0 ? na : 0, nf);
    for (int i = 0; i < na; i++) {
        xpcs_sbuf_add(o, "<tr><td class=\"l\">");
        xpcs_sbuf_add_escaped(o, acc[i]);
        xpcs_sbuf_add(o, "</td><td class=\"l ok\">accepted</td><td></td></tr>\n");
    }
    for (int i = 0; i < nr; i++) {
        xpcs_sbuf_add(o, "<tr><td class=\"l\">");
        xpcs_sbuf_add_escaped(o, rej[i]);
        xpcs_sbuf_add(o, "</td><td class=\"l critical\">rejected</td><td class=\"l\">");
        xpcs_sbuf_add_escaped(o, i < nw ? why[i] : "");
        xpcs_sbuf_add(o, "</td></tr>\n");
    }
    xpcs_sbuf_add(o, "</table>\n");
    xpcs_h5r_free_strings(files, nf);
    xpcs_h5r_free_strings(acc, na);
    xpcs_h5r_free_strings(rej, nr);
    xpcs_h5r_free_strings(why, nw);
}
