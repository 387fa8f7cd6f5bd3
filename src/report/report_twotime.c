/* report_twotime: the two-time maps C(t1, t2), block-averaged and
 * mirrored from the stored upper triangle, the diagonal corrected as
 * pyXpcsViewer does (C(i, i) replaced by the mean of its side bands C(i,
 * i+1) and C(i-1, i): the diagonal carries the shot noise), titled by the
 * bin's q with time axes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"

/* Seconds per two-time frame (frame time x stride x avg); 0 unknown. */
static double twotime_dt(const xpcs_rpt_page *pg)
{
    double ft = 0, stride = 1, avg = 1;
    xpcs_rpt_scalar(pg, "/entry/instrument/detector_1/frame_time", &ft);
    xpcs_rpt_scalar(pg, "/xpcs/twotime/config/stride_frame", &stride);
    xpcs_rpt_scalar(pg, "/xpcs/twotime/config/avg_frame", &avg);
    return ft > 0 ? ft * stride * avg : 0.0;
}

/* Reads the square (N, N) map at path block-averaged to at most 384 on a
 * side, mirroring the upper triangle; returns [S][S] and S, or NULL. */
static double *twotime_blocks(const xpcs_rpt_page *pg, const char *path, int *S_out, int *N_out)
{
    xpcs_h5r_info in;
    xpcs_err ignored;
    if (xpcs_h5r_stat(pg->f, path, NULL, &in, &ignored) != XPCS_OK || in.rank != 2 ||
        in.dims[0] != in.dims[1] || in.dims[0] <= 0)
        return NULL;
    const int N = (int)in.dims[0], target = 384;
    int b = (N + target - 1) / target, S = (N + b - 1) / b;
    double *sum = xpcs_calloc((size_t)S * S, sizeof(double));
    double *cnt = xpcs_calloc((size_t)S * S, sizeof(double));
    /* rows are read in strips of at most 2^23 values (64 MiB); of whole
     * chunk rows when compressed (a chunk cut by strips is decompressed
     * once per strip) */
    int hs = b;
    if (in.chunk_rows > 0)
        hs = (int)in.chunk_rows * (b / (int)in.chunk_rows > 1 ? b / (int)in.chunk_rows : 1);
    hs = (1 << 23) / N < hs ? (1 << 23) / N : hs;
    hs = hs > 0 ? hs : 1;
    double *strip = xpcs_malloc(sizeof(double) * (size_t)hs * (size_t)N);
    int ok = 1;
    double left = NAN; /* C(i-1, i), from the row before */
    for (int r0 = 0; r0 < N && ok; r0 += hs) {
        const int rows = r0 + hs <= N ? hs : N - r0;
        ok = xpcs_h5r_rows_f64(pg->f, path, NULL, r0, rows, strip, &ignored) == XPCS_OK;
        for (int i = 0; ok && i < rows; i++) {
            int gi = r0 + i, I = gi / b;
            double *row = strip + (size_t)i * N;
            const double right = gi + 1 < N ? row[gi + 1] : NAN;
            if (N > 1) /* the viewer's diagonal: the mean of the side bands */
                row[gi] = isfinite(left) && isfinite(right) ? 0.5 * (left + right)
                          : isfinite(right)                 ? right
                                                            : left;
            left = right;
            for (int j = gi; j < N; j++) { /* upper triangle incl. the diagonal */
                double v = row[j];
                if (!isfinite(v))
                    continue;
                sum[(size_t)I * S + j / b] += v;
                cnt[(size_t)I * S + j / b] += 1;
            }
        }
    }
    double *out = NULL;
    if (ok) {
        out = xpcs_malloc(sizeof(double) * (size_t)S * S);
        for (int I = 0; I < S; I++)
            for (int J = 0; J < S; J++) {
                int a = I <= J ? I : J, c = I <= J ? J : I;
                size_t k = (size_t)a * S + c;
                out[(size_t)I * S + J] = cnt[k] > 0 ? sum[k] / cnt[k] : NAN;
            }
        *S_out = S;
        *N_out = N;
    }
    free(strip);
    free(sum);
    free(cnt);
    return out;
}

/* One map with its caption (its bin's q, the time axes) and colour bar; 0
 * when it is not a square map.  bin: 1-based dynamic bin, 0 unknown. */
static int twotime_map(xpcs_rpt_page *pg, const char *gp, const char *name, int bin)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", gp, name);
    int S = 0, N = 0;
    double *m = twotime_blocks(pg, path, &S, &N);
    if (!m)
        return 0;
    double *off = xpcs_malloc(sizeof(double) * (size_t)S * S);
    size_t k = 0;
    for (int I = 0; I < S; I++)
        for (int J = 0; J < S; J++)
            if (I != J || S == 1)
                off[k++] = m[(size_t)I * S + J];
    double lo = xpcs_rpt_percentile(off, k, 0.02, 0), hi = xpcs_rpt_percentile(off, k, 0.98, 0);
    free(off);
    if (!(hi > lo))
        hi = lo + 1e-9;
    char cap[640], lab[120] = "";
    if (bin > 0)
        xpcs_rpt_qlabel(pg, bin - 1, lab, sizeof lab);
    const double dt = twotime_dt(pg);
    int at = 0;
    if (lab[0]) /* titled by its bin's q; the map's name after it */
        at = snprintf(cap, sizeof cap, "%s (%s)", lab, name);
    else
        at = snprintf(cap, sizeof cap, "%s", name);
    if (at > 0 && (size_t)at < sizeof cap && dt > 0)
        snprintf(cap + at, sizeof cap - (size_t)at,
                 ": %d x %d frames; t1 0 .. %.4g s right, t2 0 .. %.4g s down", N, N, N * dt,
                 N * dt);
    else if (at > 0 && (size_t)at < sizeof cap)
        snprintf(cap + at, sizeof cap - (size_t)at, ": %d x %d frames; t1 right, t2 down", N, N);
    xpcs_sbuf_add(pg->o, "<div class=\"fig\"><div class=\"cap\">");
    xpcs_sbuf_add_escaped(pg->o, cap);
    xpcs_sbuf_add(pg->o, "</div>");
    xpcs_rpt_inline_image(pg, m, S, S, lo, hi, 0, 0, cap, 300);
    xpcs_rpt_colorbar(pg->o, xpcs_rpt_next_id(pg), lo, hi, "C(t1,t2)");
    xpcs_sbuf_add(pg->o, "</div>");
    free(m);
    return 1;
}

void xpcs_rpt_twotime_section(xpcs_rpt_page *pg)
{
    const char *gp = "/xpcs/twotime/correlation_map";
    char **names = NULL;
    int n = 0;
    xpcs_err ignored;
    if (xpcs_h5r_list(pg->f, gp, NULL, &names, &n, &ignored) != XPCS_OK)
        return;
    int nd;
    int64_t dims[4] = {0, 0, 0, 0};
    double *bins = xpcs_rpt_doubles(pg, "/xpcs/twotime/processed_bins", &nd, dims);
    const int nb = bins && nd == 1 ? (int)dims[0] : 0;
    xpcs_sbuf_printf(pg->o,
                     "<h2>Two-time correlation</h2>\n<p class=\"note\">%llu map(s) in %s; "
                     "C(t1, t2) block-averaged, mirrored from the stored upper triangle, the "
                     "diagonal replaced by the mean of its side bands (as pyXpcsViewer does); "
                     "colour range: 2nd to 98th percentile off the diagonal. ",
                     (unsigned long long)n, gp);
    if (n > MAX_TWOTIME)
        xpcs_sbuf_printf(pg->o, "Shown: the first %d of the %d maps (the others are in the file).",
                         MAX_TWOTIME, n);
    else
        xpcs_sbuf_add(pg->o, "Every map is shown.");
    xpcs_sbuf_add(pg->o, "</p>\n<div class=\"grid\">");
    int shown = 0;
    for (int i = 0; i < n && shown < MAX_TWOTIME; i++) {
        char name[128]; /* a name is cut at 127 characters */
        snprintf(name, sizeof name, "%s", names[i]);
        /* c2_00001 .. are numbered in the order of processed_bins */
        const int k = atoi(name + (strncmp(name, "c2_", 3) == 0 ? 3 : 0)) - 1;
        shown += twotime_map(pg, gp, name, k >= 0 && k < nb ? (int)bins[k] : 0);
    }
    xpcs_sbuf_add(pg->o, "</div>\n");
    free(bins);
    xpcs_h5r_free_strings(names, n);
}
