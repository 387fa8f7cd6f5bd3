/* report_saxs: the time-averaged scattering image with its colour bar,
 * I(q) per static bin, and the intensity vs time. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"
#include "xpcs/report/svgplot.h"

void xpcs_rpt_scattering_section(xpcs_rpt_page *pg)
{
    xpcs_sbuf *o = pg->o;
    int nd;
    int64_t dims[4];
    double *img = xpcs_rpt_doubles(pg, "/xpcs/temporal_mean/scattering_2d", &nd, dims);
    double *s1 = NULL;
    int64_t d1[4];
    int nd1;
    s1 = xpcs_rpt_doubles(pg, "/xpcs/temporal_mean/scattering_1d", &nd1, d1);
    if (!img && !s1)
        return;
    xpcs_sbuf_add(o, "<h2>Scattering</h2>\n<div class=\"row\">");
    if (img && nd >= 2) {
        int h = (int)dims[nd - 2], w = (int)dims[nd - 1];
        size_t n = (size_t)h * (size_t)w;
        double lo = xpcs_rpt_percentile(img, n, 0.01, 1),
               hi = xpcs_rpt_percentile(img, n, 0.999, 1);
        if (isfinite(lo) && isfinite(hi)) {
            if (!(hi > lo))
                hi = lo * 10;
            xpcs_sbuf_printf(o,
                             "<div class=\"fig\"><div class=\"cap\">time-averaged image, %d x "
                             "%d pixels (log scale; grey: masked or zero)</div>",
                             h, w);
            xpcs_rpt_inline_image(pg, img, h, w, lo, hi, 1, 1, "time-averaged scattering image",
                                  420);
            xpcs_rpt_colorbar(o, xpcs_rpt_next_id(pg), lo, hi, "counts/px/frame");
            xpcs_sbuf_add(o, "</div>");
        }
    }
    if (s1 && nd1 >= 1) {
        int n = (int)d1[nd1 - 1];
        double *q = xpcs_malloc(sizeof(double) * (size_t)n);
        int have_q = 0;
        int nv, ni;
        int64_t dv[4], di[4];
        double *v = xpcs_rpt_doubles(pg, "/xpcs/qmap/static_v_list_dim0", &nv, dv);
        double *idx = xpcs_rpt_doubles(pg, "/xpcs/qmap/static_index_mapping", &ni, di);
        if (v && idx && ni == 1 && di[0] == (int64_t)n) {
            have_q = 1;
            for (int i = 0; i < n && have_q; i++) {
                long k = lround(idx[i]);
                have_q = k >= 0 && (int64_t)k < dv[0];
                if (have_q)
                    q[i] = v[k];
            }
        }
        else if (v && nv == 1 && dv[0] == (int64_t)n) {
            have_q = 1;
            memcpy(q, v, sizeof(double) * (size_t)n);
        }
        if (!have_q)
            for (int i = 0; i < n; i++)
                q[i] = i + 1;
        free(v);
        free(idx);
        char xl[64];
        snprintf(xl, sizeof xl, have_q ? "q (%s)" : "static bin", pg->q_unit);
        xpcs_plot *pl = xpcs_plot_create(xpcs_rpt_next_id(pg), 440, 320, have_q, 1);
        xpcs_plot_labels(pl, "I(q): mean intensity per static bin", xl, "counts/px/frame");
        xpcs_plot_line(pl, q, s1, n, xpcs_rpt_palette[0], 1.2, 0);
        xpcs_plot_points(pl, q, s1, n, xpcs_rpt_palette[0], 2.0);
        xpcs_sbuf_add(o, "<div class=\"fig\">");
        xpcs_plot_render(pl, o);
        xpcs_sbuf_add(o, "</div>");
        xpcs_plot_destroy(&pl);
        free(q);
    }
    xpcs_sbuf_add(o, "</div>\n");
    free(img);
    free(s1);
}

void xpcs_rpt_intensity_section(xpcs_rpt_page *pg)
{
    int nd;
    int64_t dims[4];
    double *it = xpcs_rpt_doubles(pg, "/xpcs/spatial_mean/intensity_vs_time", &nd, dims);
    if (!it || nd != 2 || dims[0] != 2 || dims[1] < 1) {
        free(it);
        return;
    }
    const int n = (int)dims[1];
    const double sc = pg->t_scale > 0 ? pg->t_scale : 1.0;
    const int nb = n > 2000 ? 1000 : n;
    double *x = xpcs_malloc(sizeof(double) * (size_t)nb * 4);
    double *m = x + nb, *lo = m + nb, *hi = lo + nb;
    for (int b = 0; b < nb; b++) {
        int a = (int)((int64_t)b * n / nb), e = (int)((int64_t)(b + 1) * n / nb);
        double s = 0, l = INFINITY, h = -INFINITY;
        for (int i = a; i < e; i++) {
            double v = it[n + i];
            s += v;
            l = fmin(l, v);
            h = fmax(h, v);
        }
        x[b] = it[(a + e - 1) / 2] * sc;
        m[b] = s / (e - a);
        lo[b] = l;
        hi[b] = h;
    }
    xpcs_plot *pl = xpcs_plot_create(xpcs_rpt_next_id(pg), 900, 260, 0, 0);
    xpcs_plot_labels(
        pl, nb < n ? "intensity vs time (mean per bucket; band: min to max)" : "intensity vs time",
        pg->t_scale > 0 ? "time (s)" : "frame", "mean counts/px/frame");
    if (nb < n)
        xpcs_plot_band(pl, x, lo, hi, nb, xpcs_rpt_palette[0], 0.25);
    xpcs_plot_line(pl, x, m, nb, xpcs_rpt_palette[0], 1.0, 0);
    xpcs_sbuf_add(pg->o, "<h2>Intensity vs time</h2>\n<div class=\"fig\">");
    xpcs_plot_render(pl, pg->o);
    xpcs_sbuf_add(pg->o, "</div>\n");
    xpcs_plot_destroy(&pl);
    free(x);
    free(it);
}
