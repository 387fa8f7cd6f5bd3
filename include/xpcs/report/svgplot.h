/* svgplot: small inline-SVG x/y plots for the report (no scripts, no
 * external fonts or files).  Add series, then render: the data range is
 * taken from the lines, points and bands (error bars never widen it; they
 * are clipped to the frame), linear or log10 on each axis, with ticks.
 */
#ifndef XPCS_SVGPLOT_H
#define XPCS_SVGPLOT_H

#include "xpcs/core/sbuf.h"

typedef struct xpcs_plot xpcs_plot;

/* id must be unique within the page (clip-path ids). */
xpcs_plot *xpcs_plot_create(int id, int width, int height, int xlog, int ylog);
void xpcs_plot_destroy(xpcs_plot **p);
void xpcs_plot_labels(xpcs_plot *p, const char *title, const char *xlabel, const char *ylabel);
/* Fixes an axis range instead of the automatic one. */
void xpcs_plot_xrange(xpcs_plot *p, double lo, double hi);
void xpcs_plot_yrange(xpcs_plot *p, double lo, double hi);

/* Series (arrays are copied; points that are not finite, or not positive
 * on a log axis, are skipped).  color is any SVG colour, e.g. "#1f77b4". */
void xpcs_plot_line(xpcs_plot *p, const double *x, const double *y, int n, const char *color,
                    double width, int dashed);
void xpcs_plot_points(xpcs_plot *p, const double *x, const double *y, int n, const char *color,
                      double radius);
void xpcs_plot_errorbars(xpcs_plot *p, const double *x, const double *y, const double *err, int n,
                         const char *color);
/* Filled band between ylo and yhi. */
void xpcs_plot_band(xpcs_plot *p, const double *x, const double *ylo, const double *yhi, int n,
                    const char *color, double opacity);
void xpcs_plot_legend(xpcs_plot *p, const char *label, const char *color);

/* Appends <svg>...</svg> to out. */
void xpcs_plot_render(xpcs_plot *p, xpcs_sbuf *out);

#endif
