/* report_twotime: the two-time maps C(t1, t2), block-averaged and
 * mirrored from the stored upper triangle. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"

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
    for (int r0 = 0; r0 < N && ok; r0 += hs) {
        const int rows = r0 + hs <= N ? hs : N - r0;
        ok = xpcs_h5r_rows_f64(pg->f, path, NULL, r0, rows, strip, &ignored) == XPCS_OK;
        for (int i = 0; ok && i < rows; i++) {
            int gi = r0 + i, I = gi / b;
            for (int j = gi; j < N; j++) { /* upper triangle incl. the diagonal */
                double v = strip[(size_t)i * N + j];
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

/* One map with its caption and colour bar; 0 when it is not a square map. */
static int twotime_map(xpcs_rpt_page *pg, const char *gp, const char *name)
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
    char cap[200];
    snprintf(cap, sizeof cap, "%s: %d x %d frames", name, N, N);
    xpcs_sbuf_add(pg->o, "<div class=\"fig\"><div class=\"cap\">");
    xpcs_sbuf_add_escaped(pg->o, cap);
    xpcs_sbuf_add(pg->o, " (t1 right, t2 down)</div>");
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
    xpcs_sbuf_printf(pg->o,
                     "<h2>Two-time correlation</h2>\n<p class=\"note\">%llu map(s) in %s; "
                     "C(t1, t2) block-averaged, mirrored from the stored upper triangle; "
                     "colour range: 2nd to 98th percentile off the diagonal.</p>\n"
                     "<div class=\"grid\">",
                     (unsigned long long)n, gp);
    int shown = 0;
    for (int i = 0; i < n && shown < MAX_TWOTIME; i++) {
        char name[128]; /* a name is cut at 127 characters */
        snprintf(name, sizeof name, "%s", names[i]);
        shown += twotime_map(pg, gp, name);
    }
    xpcs_sbuf_add(pg->o, "</div>\n");
    xpcs_h5r_free_strings(names, n);
}
