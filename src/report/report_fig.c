/* report_fig: what the figures of the report share -- plot ids, colours,
 * q labels, percentiles for colour ranges, colour bars and inline PNG
 * images. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "report_page.h"
#include "xpcs/core/select.h"
#include "xpcs/report/png.h"

const char *const xpcs_rpt_palette[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

int xpcs_rpt_next_id(xpcs_rpt_page *pg)
{
    return ++pg->plot_id;
}

void xpcs_rpt_color_of(int i, int n, char *buf, size_t len)
{
    uint8_t c[3];
    xpcs_viridis(n > 1 ? 0.9 * i / (n - 1) : 0.0, c);
    snprintf(buf, len, "#%02x%02x%02x", c[0], c[1], c[2]);
}

void xpcs_rpt_qlabel(const xpcs_rpt_page *pg, int j, char *buf, size_t n)
{
    const double phi = pg->q ? pg->q[pg->n_dq + 1 + j] : NAN; /* stored after q */
    if (pg->q && isfinite(phi))
        snprintf(buf, n, "bin %d: q = %.4g %s, phi %.3g", j + 1, pg->q[j], pg->q_unit, phi);
    else if (pg->q)
        snprintf(buf, n, "bin %d: q = %.4g %s", j + 1, pg->q[j], pg->q_unit);
    else
        snprintf(buf, n, "bin %d", j + 1);
}

/* The values are copied; the k-th smallest is selected (core/select: a
 * sort of a 3.5M-pixel image took 0.25 s). */
double xpcs_rpt_percentile(const double *v, size_t n, double p, int positive_only)
{
    double *w = xpcs_malloc(sizeof(double) * (n ? n : 1));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && (!positive_only || v[i] > 0))
            w[m++] = v[i];
    const double r = m ? xpcs_select_kth(w, m, (size_t)(p * (double)(m - 1) + 0.5)) : NAN;
    free(w);
    return r;
}

void xpcs_rpt_colorbar(xpcs_sbuf *o, int id, double lo, double hi, const char *label)
{
    xpcs_sbuf_printf(o,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"130\" height=\"260\" "
                     "font-family=\"sans-serif\" font-size=\"11\"><defs><linearGradient "
                     "id=\"cb%d\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">",
                     id);
    for (int k = 0; k <= 10; k++) {
        uint8_t c[3];
        xpcs_viridis(k / 10.0, c);
        xpcs_sbuf_printf(o, "<stop offset=\"%.1f\" stop-color=\"#%02x%02x%02x\"/>", k / 10.0, c[0],
                         c[1], c[2]);
    }
    xpcs_sbuf_printf(o,
                     "</linearGradient></defs><rect x=\"4\" y=\"10\" width=\"18\" height=\"230\" "
                     "fill=\"url(#cb%d)\" stroke=\"#444\"/><text x=\"26\" y=\"18\">%.3g</text>"
                     "<text x=\"26\" y=\"240\">%.3g</text><text x=\"26\" y=\"130\">",
                     id, hi, lo);
    xpcs_sbuf_add_escaped(o, label);
    xpcs_sbuf_add(o, "</text></svg>");
}

/* Blocks of b x b pixels, b the smallest factor that fits MAX_IMAGE. */
void xpcs_rpt_inline_image(xpcs_rpt_page *pg, const double *v, int h, int w, double lo, double hi,
                           int lg, int zero_masked, const char *alt, int css_px)
{
    int b = 1;
    while ((h + b - 1) / b > MAX_IMAGE || (w + b - 1) / b > MAX_IMAGE)
        b++;
    int H = (h + b - 1) / b, W = (w + b - 1) / b;
    uint8_t *rgb = xpcs_malloc((size_t)H * (size_t)W * 3);
    double l0 = lg ? log10(lo) : lo, l1 = lg ? log10(hi) : hi;
    if (!(l1 > l0))
        l1 = l0 + 1;
    for (int Y = 0; Y < H; Y++)
        for (int X = 0; X < W; X++) {
            double s = 0;
            int n = 0;
            for (int y = Y * b; y < (Y + 1) * b && y < h; y++)
                for (int x = X * b; x < (X + 1) * b && x < w; x++) {
                    double val = v[(size_t)y * w + x];
                    if (isfinite(val) && !(zero_masked && val == 0)) {
                        s += val;
                        n++;
                    }
                }
            uint8_t *px = rgb + ((size_t)Y * W + X) * 3;
            if (!n) {
                px[0] = px[1] = px[2] = 40;
                continue;
            }
            double m = s / n;
            double t = lg ? (m > 0 ? (log10(m) - l0) / (l1 - l0) : 0.0) : (m - l0) / (l1 - l0);
            xpcs_viridis(t, px);
        }
    unsigned char *png = NULL;
    size_t len = 0;
    xpcs_err err;
    if (xpcs_png_encode_rgb(rgb, W, H, &png, &len, &err) == XPCS_OK) {
        int dw = css_px, dh = (int)lround((double)css_px * H / W);
        if (H > W) {
            dh = css_px;
            dw = (int)lround((double)css_px * W / H);
        }
        xpcs_sbuf_printf(pg->o, "<img class=\"px\" width=\"%d\" height=\"%d\" alt=\"", dw, dh);
        xpcs_sbuf_add_escaped(pg->o, alt);
        xpcs_sbuf_add(pg->o, "\" src=\"data:image/png;base64,");
        xpcs_sbuf_add_base64(pg->o, png, len);
        xpcs_sbuf_add(pg->o, "\"/>");
    }
    free(png);
    free(rgb);
}
