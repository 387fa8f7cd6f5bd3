#include "xpcs/report/svgplot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/status.h"

typedef enum { IT_LINE, IT_POINTS, IT_ERR, IT_BAND } item_kind;

typedef struct {
    item_kind k;
    int n;
    double *x, *y, *z; /* z: error or upper band */
    char color[32];
    double width;
    int dashed;
} item;

#define MAX_ITEMS 256
#define MAX_LEGEND 24

struct xpcs_plot {
    int id, w, h, xlog, ylog;
    char title[256], xlabel[128], ylabel[128];
    int fixed_x, fixed_y;
    double x0, x1, y0, y1;
    item items[MAX_ITEMS];
    int n_items;
    char legend[MAX_LEGEND][64];
    char legend_color[MAX_LEGEND][32];
    int n_legend;
};

/* frame margins */
#define ML 62
#define MR 14
#define MT 22
#define MB 38

xpcs_plot *xpcs_plot_create(int id, int width, int height, int xlog, int ylog)
{
    xpcs_plot *p = xpcs_calloc(1, sizeof *p);
    p->id = id;
    p->w = width;
    p->h = height;
    p->xlog = xlog;
    p->ylog = ylog;
    return p;
}

void xpcs_plot_destroy(xpcs_plot **pp)
{
    if (!pp || !*pp)
        return;
    xpcs_plot *p = *pp;
    for (int i = 0; i < p->n_items; i++) {
        free(p->items[i].x);
        free(p->items[i].y);
        free(p->items[i].z);
    }
    free(p);
    *pp = NULL;
}

void xpcs_plot_labels(xpcs_plot *p, const char *title, const char *xlabel, const char *ylabel)
{
    snprintf(p->title, sizeof p->title, "%s", title ? title : "");
    snprintf(p->xlabel, sizeof p->xlabel, "%s", xlabel ? xlabel : "");
    snprintf(p->ylabel, sizeof p->ylabel, "%s", ylabel ? ylabel : "");
}

void xpcs_plot_xrange(xpcs_plot *p, double lo, double hi)
{
    p->fixed_x = 1;
    p->x0 = lo;
    p->x1 = hi;
}

void xpcs_plot_yrange(xpcs_plot *p, double lo, double hi)
{
    p->fixed_y = 1;
    p->y0 = lo;
    p->y1 = hi;
}

static double *dup(const double *v, int n)
{
    if (!v)
        return NULL;
    double *d = xpcs_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (n > 0)
        memcpy(d, v, sizeof(double) * (size_t)n);
    return d;
}

static void add_item(xpcs_plot *p, item_kind k, const double *x, const double *y, const double *z,
                     int n, const char *color, double width, int dashed)
{
    if (p->n_items >= MAX_ITEMS || n <= 0)
        return;
    item *it = &p->items[p->n_items++];
    it->k = k;
    it->n = n;
    it->x = dup(x, n);
    it->y = dup(y, n);
    it->z = dup(z, n);
    snprintf(it->color, sizeof it->color, "%s", color ? color : "#000");
    it->width = width;
    it->dashed = dashed;
}

void xpcs_plot_line(xpcs_plot *p, const double *x, const double *y, int n, const char *color,
                    double width, int dashed)
{
    add_item(p, IT_LINE, x, y, NULL, n, color, width, dashed);
}

void xpcs_plot_points(xpcs_plot *p, const double *x, const double *y, int n, const char *color,
                      double radius)
{
    add_item(p, IT_POINTS, x, y, NULL, n, color, radius, 0);
}

void xpcs_plot_errorbars(xpcs_plot *p, const double *x, const double *y, const double *err, int n,
                         const char *color)
{
    add_item(p, IT_ERR, x, y, err, n, color, 1.0, 0);
}

void xpcs_plot_band(xpcs_plot *p, const double *x, const double *ylo, const double *yhi, int n,
                    const char *color, double opacity)
{
    add_item(p, IT_BAND, x, ylo, yhi, n, color, opacity, 0);
}

void xpcs_plot_legend(xpcs_plot *p, const char *label, const char *color)
{
    if (p->n_legend >= MAX_LEGEND)
        return;
    snprintf(p->legend[p->n_legend], sizeof p->legend[0], "%s", label);
    snprintf(p->legend_color[p->n_legend], sizeof p->legend_color[0], "%s", color);
    p->n_legend++;
}

static int usable(double v, int lg)
{
    return isfinite(v) && (!lg || v > 0);
}

static void grow(double v, int lg, double *lo, double *hi)
{
    if (!usable(v, lg))
        return;
    double t = lg ? log10(v) : v;
    if (t < *lo)
        *lo = t;
    if (t > *hi)
        *hi = t;
}

/* Range in axis units (log10 for a log axis), padded by 4 %. */
static void axis_range(const xpcs_plot *p, int axis, double *lo, double *hi)
{
    int lg = axis ? p->ylog : p->xlog;
    int fixed = axis ? p->fixed_y : p->fixed_x;
    double a = axis ? p->y0 : p->x0, b = axis ? p->y1 : p->x1;
    if (fixed && usable(a, lg) && usable(b, lg) && a < b) {
        *lo = lg ? log10(a) : a;
        *hi = lg ? log10(b) : b;
        return;
    }
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < p->n_items; i++) {
        const item *it = &p->items[i];
        if (it->k == IT_ERR)
            continue;
        for (int j = 0; j < it->n; j++) {
            if (axis == 0)
                grow(it->x[j], lg, lo, hi);
            else {
                grow(it->y[j], lg, lo, hi);
                if (it->z)
                    grow(it->z[j], lg, lo, hi);
            }
        }
    }
    if (!(*lo <= *hi)) {
        *lo = 0;
        *hi = 1;
    }
    if (*hi - *lo < 1e-12 * (fabs(*hi) + 1e-300) || *hi == *lo) {
        double d = lg ? 0.5 : (fabs(*lo) > 0 ? 0.1 * fabs(*lo) : 1.0);
        *lo -= d;
        *hi += d;
    }
    double pad = 0.04 * (*hi - *lo);
    *lo -= pad;
    *hi += pad;
}

typedef struct {
    double lo, hi; /* axis units */
    double px0, px1;
    int lg;
} axis_map;

static double map(const axis_map *m, double v)
{
    double t = m->lg ? log10(v) : v;
    return m->px0 + (t - m->lo) / (m->hi - m->lo) * (m->px1 - m->px0);
}

/* Tick label: as many decimals as the tick step needs (step 0: "%.3g"). */
static void fmt_tick(double v, double step, char *buf, size_t n)
{
    int dec = step > 0 ? (int)ceil(-log10(step) - 1e-9) : -1;
    if (dec < 0 && step > 0)
        dec = 0;
    if (dec >= 0 && dec <= 7 && fabs(v) < 1e6)
        snprintf(buf, n, "%.*f", dec, v);
    else
        snprintf(buf, n, "%.3g", v);
}

/* About 5 "nice" steps (1, 2, 5 x 10^k) covering [lo, hi]; *step_out
 * receives the step. */
static int linear_ticks(double lo, double hi, double *out, int max, double *step_out)
{
    int n = 0;
    double span = hi - lo, raw = span / 5.0;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag, step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
    *step_out = step;
    for (double v = ceil(lo / step) * step; v <= hi + 1e-9 * step && n < max; v += step)
        out[n++] = fabs(v) < 1e-12 * step ? 0.0 : v;
    return n;
}

/* Tick values (data units) for an axis; returns the count.  *step: the
 * linear step, 0 for powers of ten and their multiples. */
static int ticks(const axis_map *m, double *out, int max, double *step)
{
    int n = 0;
    *step = 0.0;
    if (m->lg) {
        int d0 = (int)ceil(m->lo - 1e-9), d1 = (int)floor(m->hi + 1e-9);
        int every = d1 - d0 > 8 ? (d1 - d0 + 7) / 8 : 1;
        if (d1 - d0 >= 1) {
            for (int d = d0; d <= d1 && n < max; d += every)
                out[n++] = pow(10.0, d);
            return n;
        }
        /* less than a decade: 1, 2, 5 multiples, or every integer multiple
         * if that gives too few (labels are thinned when drawn) */
        for (int pass = 0; pass < 2 && n < 3; pass++) {
            static const double m125[] = {1, 2, 5};
            static const double m1_9[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
            const double *mul = pass ? m1_9 : m125;
            int nm = pass ? 9 : 3;
            n = 0;
            for (int d = (int)floor(m->lo); d <= (int)ceil(m->hi) && n < max; d++)
                for (int k = 0; k < nm && n < max; k++) {
                    double v = mul[k] * pow(10.0, d);
                    double t = log10(v);
                    if (t >= m->lo && t <= m->hi)
                        out[n++] = v;
                }
        }
        if (n >= 2)
            return n;
        return linear_ticks(pow(10.0, m->lo), pow(10.0, m->hi), out, max, step);
    }
    return linear_ticks(m->lo, m->hi, out, max, step);
}

/* One item: a polyline, a band (the y edge, then the z edge backwards), a
 * group of circles, or vertical error bars y +- z (clipped at the log axis). */
static void render_item(const item *it, const axis_map *X, const axis_map *Y, xpcs_sbuf *o)
{
    if (it->k == IT_LINE || it->k == IT_BAND) {
        if (it->k == IT_LINE)
            xpcs_sbuf_printf(o,
                             "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s "
                             "points=\"",
                             it->color, it->width, it->dashed ? " stroke-dasharray=\"5,3\"" : "");
        else
            xpcs_sbuf_printf(o,
                             "<polygon fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\" "
                             "points=\"",
                             it->color, it->width);
        for (int j = 0; j < it->n; j++)
            if (usable(it->x[j], X->lg) && usable(it->y[j], Y->lg))
                xpcs_sbuf_printf(o, "%.1f,%.1f ", map(X, it->x[j]), map(Y, it->y[j]));
        if (it->k == IT_BAND)
            for (int j = it->n - 1; j >= 0; j--)
                if (usable(it->x[j], X->lg) && usable(it->z[j], Y->lg))
                    xpcs_sbuf_printf(o, "%.1f,%.1f ", map(X, it->x[j]), map(Y, it->z[j]));
        xpcs_sbuf_add(o, "\"/>\n");
    }
    else if (it->k == IT_POINTS) {
        xpcs_sbuf_printf(o, "<g fill=\"%s\">", it->color);
        for (int j = 0; j < it->n; j++)
            if (usable(it->x[j], X->lg) && usable(it->y[j], Y->lg))
                xpcs_sbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>",
                                 map(X, it->x[j]), map(Y, it->y[j]), it->width);
        xpcs_sbuf_add(o, "</g>\n");
    }
    else {
        xpcs_sbuf_printf(o, "<path stroke=\"%s\" stroke-width=\"1\" fill=\"none\" d=\"", it->color);
        for (int j = 0; j < it->n; j++) {
            double lo = it->y[j] - it->z[j], hi = it->y[j] + it->z[j];
            if (!usable(it->x[j], X->lg) || !(it->z[j] > 0) || !isfinite(hi))
                continue;
            if (Y->lg && !(lo > 0))
                lo = pow(10.0, Y->lo - 1.0);
            if (!usable(lo, Y->lg) || !usable(hi, Y->lg))
                continue;
            double px = map(X, it->x[j]);
            xpcs_sbuf_printf(o, "M%.1f %.1fV%.1f", px, map(Y, lo), map(Y, hi));
        }
        xpcs_sbuf_add(o, "\"/>\n");
    }
}

/* The legend, top right inside the frame (fw pixels wide). */
static void render_legend(const xpcs_plot *p, int fw, xpcs_sbuf *o)
{
    size_t longest = 0;
    for (int i = 0; i < p->n_legend; i++)
        longest = strlen(p->legend[i]) > longest ? strlen(p->legend[i]) : longest;
    const int lx = ML + fw - 24 - (int)(6.2 * (double)longest);
    for (int i = 0; i < p->n_legend; i++) {
        double y = MT + 12 + 13.0 * i;
        xpcs_sbuf_printf(o,
                         "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                         "stroke-width=\"3\"/><text x=\"%d\" y=\"%.1f\">",
                         lx, y - 4, lx + 14, y - 4, p->legend_color[i], lx + 18, y);
        xpcs_sbuf_add_escaped(o, p->legend[i]);
        xpcs_sbuf_add(o, "</text>\n");
    }
}

void xpcs_plot_render(xpcs_plot *p, xpcs_sbuf *o)
{
    axis_map X = {0, 1, ML, p->w - MR, p->xlog}, Y = {0, 1, p->h - MB, MT, p->ylog};
    axis_range(p, 0, &X.lo, &X.hi);
    axis_range(p, 1, &Y.lo, &Y.hi);
    const int fw = p->w - ML - MR, fh = p->h - MT - MB;
    xpcs_sbuf_printf(o,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                     "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
                     p->w, p->h, p->w, p->h);
    xpcs_sbuf_printf(o,
                     "<defs><clipPath id=\"clip%d\"><rect x=\"%d\" y=\"%d\" width=\"%d\" "
                     "height=\"%d\"/></clipPath></defs>\n",
                     p->id, ML, MT, fw, fh);
    xpcs_sbuf_printf(o,
                     "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" "
                     "stroke=\"#444\"/>\n",
                     ML, MT, fw, fh);
    double tv[64];
    char lab[32];
    double step;
    int nt = ticks(&X, tv, 64, &step);
    double last_end = -1e9; /* right end of the last x label: thin crowded labels */
    for (int i = 0; i < nt; i++) {
        double px = map(&X, tv[i]);
        fmt_tick(tv[i], step, lab, sizeof lab);
        double half = 3.3 * (double)strlen(lab);
        xpcs_sbuf_printf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>",
                         px, MT, px, MT + fh);
        if (px - half > last_end + 4) {
            xpcs_sbuf_printf(o, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px,
                             MT + fh + 13, lab);
            last_end = px + half;
        }
        xpcs_sbuf_add(o, "\n");
    }
    nt = ticks(&Y, tv, 64, &step);
    double last_y = 1e9;
    for (int i = 0; i < nt; i++) {
        double py = map(&Y, tv[i]);
        fmt_tick(tv[i], step, lab, sizeof lab);
        xpcs_sbuf_printf(o, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>",
                         ML, py, ML + fw, py);
        if (last_y - py >= 12) {
            xpcs_sbuf_printf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", ML - 4,
                             py + 4, lab);
            last_y = py;
        }
        xpcs_sbuf_add(o, "\n");
    }
    xpcs_sbuf_printf(o, "<g clip-path=\"url(#clip%d)\">\n", p->id);
    for (int i = 0; i < p->n_items; i++)
        render_item(&p->items[i], &X, &Y, o);
    xpcs_sbuf_add(o, "</g>\n");
    render_legend(p, fw, o);
    xpcs_sbuf_printf(o, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">", ML, MT - 7);
    xpcs_sbuf_add_escaped(o, p->title);
    xpcs_sbuf_printf(o, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", ML + fw / 2,
                     p->h - 6);
    xpcs_sbuf_add_escaped(o, p->xlabel);
    xpcs_sbuf_printf(o,
                     "</text><text transform=\"translate(13,%d) rotate(-90)\" "
                     "text-anchor=\"middle\">",
                     MT + fh / 2);
    xpcs_sbuf_add_escaped(o, p->ylabel);
    xpcs_sbuf_add(o, "</text>\n</svg>\n");
}
