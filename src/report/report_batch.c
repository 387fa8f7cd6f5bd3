/* report_batch: OUTDIR/batch_report.html, one row per file of a batch (see
 * xpcs/report/report.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_page.h"
#include "xpcs/config/config.h"
#include "xpcs/core/publish.h"
#include "xpcs/io/names.h"
#include "xpcs/kernels/fit.h"
#include "xpcs/report/report.h"

/* tau at the first q: the first fit in the file with a tau (or tau1), else
 * a single-exponential fit of multitau bin 1 here; NaN when neither. */
static double first_tau(xpcs_rpt_page *pg, const char **from)
{
    for (int k = 0; k < pg->n_fits; k++) {
        const xpcs_rpt_fit *fs = &pg->fits[k];
        if (fs->i_tau >= 0 && fs->n_bins > 0 && xpcs_rpt_fit_ok(fs, 0)) {
            *from = fs->model;
            return fs->p[fs->i_tau];
        }
    }
    if (!pg->g2 || pg->n_tau < 4 || !(pg->t_scale > 0))
        return NAN;
    double *t = xpcs_malloc(sizeof(double) * (size_t)pg->n_tau * 3), *y = t + pg->n_tau;
    double *e = y + pg->n_tau;
    for (int i = 0; i < pg->n_tau; i++) {
        t[i] = pg->delay[i] * pg->t_scale;
        y[i] = pg->g2[(size_t)i * pg->n_dq];
        e[i] = pg->g2e ? pg->g2e[(size_t)i * pg->n_dq] : 1.0;
    }
    xpcs_fit_options o;
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    xpcs_fit_result r;
    xpcs_err ignored;
    const int ok = xpcs_fit_curve(&o, pg->n_tau, t, y, e, &r, &ignored) == XPCS_OK &&
                   r.status == XPCS_FIT_CONVERGED;
    free(t);
    *from = "single fit here";
    return ok ? r.p[XPCS_FIT_P_TAU] : NAN;
}

static void row(xpcs_sbuf *o, const xpcs_batch_row *b)
{
    const char *base = strrchr(b->result, '/');
    base = base ? base + 1 : b->result;
    xpcs_sbuf_add(o, "<tr><td class=\"l\">");
    xpcs_sbuf_add_escaped(o, base);
    xpcs_sbuf_add(o, "</td><td class=\"l\">");
    xpcs_sbuf_add_escaped(o, b->state);
    xpcs_sbuf_add(o, "</td>");
    xpcs_rpt_page pg;
    memset(&pg, 0, sizeof pg);
    xpcs_err ignored;
    if (access(b->result, R_OK) != 0 || xpcs_h5r_open(b->result, NULL, &pg.f, &ignored)) {
        xpcs_sbuf_add(o, "<td></td><td></td><td></td><td class=\"l\"></td><td class=\"l\">");
        xpcs_sbuf_add_escaped(o, b->error ? b->error : "no result");
        xpcs_sbuf_add(o, "</td></tr>\n");
        return;
    }
    pg.o = o;
    xpcs_rpt_load_multitau(&pg);
    xpcs_rpt_load_fits(&pg);
    int nd;
    int64_t d[4];
    double *beta = xpcs_rpt_doubles(&pg, "/xpcs/quality/contrast/beta", &nd, d);
    double *base_v = xpcs_rpt_doubles(&pg, "/xpcs/quality/g2_baseline/baseline", &nd, d);
    char **qs = NULL;
    const int nq = xpcs_rpt_strings(&pg, "/xpcs/quality/status", &qs);
    const char *from = "";
    const double tau = first_tau(&pg, &from);
    char lab[120] = "";
    if (pg.n_dq > 0)
        xpcs_rpt_qlabel(&pg, 0, lab, sizeof lab);
    xpcs_sbuf_printf(o, "<td>%.4g</td><td>%.4g s<br/><small>", beta ? beta[0] : NAN, tau);
    xpcs_sbuf_add_escaped(o, from);
    xpcs_sbuf_printf(o, "</small></td><td>%.4g</td>", base_v ? base_v[0] : NAN);
    const char *q = nq > 0 ? qs[0] : "unknown";
    xpcs_sbuf_add(o, "<td class=\"l ");
    xpcs_sbuf_add(o,
                  strcmp(q, "ok") && strcmp(q, "warning") && strcmp(q, "critical") ? "unknown" : q);
    xpcs_sbuf_add(o, "\">");
    xpcs_sbuf_add_escaped(o, q);
    xpcs_sbuf_add(o, "</td><td class=\"l\">");
    char html[XPCS_PATH_MAX + 32];
    xpcs_sibling_name(b->result, XPCS_REPORT_SUFFIX, html, sizeof html);
    if (access(html, R_OK) == 0) {
        const char *hb = strrchr(html, '/');
        xpcs_sbuf_add(o, "<a href=\"");
        xpcs_sbuf_add_escaped(o, hb ? hb + 1 : html);
        xpcs_sbuf_add(o, "\">report</a> ");
    }
    xpcs_sbuf_add_escaped(o, lab);
    xpcs_sbuf_add(o, "</td></tr>\n");
    xpcs_h5r_free_strings(qs, nq);
    free(beta);
    free(base_v);
    xpcs_h5r_close(&pg.f);
    free(pg.delay);
    free(pg.g2);
    free(pg.g2e);
    free(pg.q);
    for (int k = 0; k < pg.n_fits; k++)
        xpcs_rpt_free_fit(&pg.fits[k]);
}

xpcs_status xpcs_report_batch(const char *html, const xpcs_batch_row *rows, int n, xpcs_err *err)
{
    xpcs_sbuf *o = xpcs_sbuf_create();
    xpcs_sbuf_add(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>XPCS batch report</title><style>"
                     "body{font-family:sans-serif;margin:18px;color:#222}table{border-collapse:"
                     "collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
                     "text-align:right}th{background:#f2f2f2}td.l{text-align:left}.ok{background:"
                     "#d8f0d8}.warning{background:#fbefc4}.critical{background:#f6c9c9}.unknown{"
                     "background:#e8e8e8}</style></head><body>\n<h1>XPCS batch report</h1>\n");
    xpcs_sbuf_printf(
        o,
        "<p>%d file(s). beta: contrast at the first q (g2 at the first delay - "
        "baseline); tau: at the first q, from the file's first fit (or a single-"
        "exponential fit of the multitau g2 of bin 1); baseline: mean g2 of the last 3 "
        "delays; quality: the worst data-quality indicator of the file.</p>\n"
        "<table><tr><th>result</th><th>run</th><th>beta</th><th>tau</th>"
        "<th>baseline</th><th>quality</th><th>report, first q</th></tr>\n",
        n);
    for (int i = 0; i < n; i++)
        row(o, &rows[i]);
    xpcs_sbuf_add(o, "</table>\n<p><small>Written by xpcs-toolkit " XPCS_VERSION
                     " (xpcs-corr batch).</small></p></body></html>\n");
    xpcs_publish_remove_stale(html);
    const xpcs_status st =
        xpcs_publish_file(html, XPCS_PUBLISH_REPLACE, xpcs_sbuf_text(o), xpcs_sbuf_len(o), err);
    xpcs_sbuf_destroy(&o);
    return st;
}
