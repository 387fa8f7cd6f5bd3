/* report: the self-contained HTML page of a result (see
 * xpcs/report/report.h): the header, the sections in order (report_page.h
 * lists them) and the footer, written through a temporary (core/publish.h). */
#include "xpcs/report/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"
#include "xpcs/core/publish.h"
#include "xpcs/core/infile.h"

static const char *css =
    "body{font-family:sans-serif;margin:18px;color:#222;background:#fff;max-width:1360px}"
    "h1{font-size:22px;margin:4px 0}h2{font-size:18px;border-bottom:1px solid #ccc;"
    "margin-top:26px}h3{font-size:15px}.note{color:#555;font-size:13px}"
    ".grid{display:flex;flex-wrap:wrap;gap:6px}.row{display:flex;flex-wrap:wrap;gap:18px;"
    "align-items:flex-start}.fig{display:inline-block;vertical-align:top}"
    ".cap{font-size:12px;color:#444;margin-bottom:4px}img.px{image-rendering:pixelated;"
    "border:1px solid #444}table{border-collapse:collapse;font-size:12px;margin:8px 0}"
    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f2f2f2}"
    "td.l{text-align:left}"
    "table.kv td,table.kv th{text-align:left}.health{display:flex;gap:10px;margin:10px 0}"
    ".badge{border-radius:6px;padding:8px 14px;font-size:13px;min-width:170px;"
    "border:1px solid #999}.ok{background:#d8f0d8}.warning{background:#fbefc4}"
    ".critical{background:#f6c9c9}.unknown{background:#e8e8e8}";

/* A string dataset's first string as a header row (nothing when absent). */
static void str_row(xpcs_rpt_page *pg, const char *label, const char *path)
{
    char **s = NULL;
    const int n = xpcs_rpt_strings(pg, path, &s);
    if (n > 0) {
        xpcs_sbuf_printf(pg->o, "<tr><th>%s</th><td>", label);
        xpcs_sbuf_add_escaped(pg->o, s[0]);
        xpcs_sbuf_add(pg->o, "</td></tr>");
    }
    xpcs_h5r_free_strings(s, n);
}

/* The sample, q-map, frame selection, normalization, energy, distance and
 * mask coverage (issue 13): what a scientist checks first. */
static void header_run(xpcs_rpt_page *pg)
{
    static const char *const groups[] = {"/xpcs/multitau", "/xpcs/linear", "/xpcs/twotime"};
    const char *g = NULL;
    char p[160];
    for (int k = 0; k < 3 && !g; k++) {
        snprintf(p, sizeof p, "%s/config/avg_frame", groups[k]);
        if (xpcs_h5r_exists(pg->f, p))
            g = groups[k];
    }
    str_row(pg, "sample", "/entry/sample/name");
    if (!g)
        return;
    snprintf(p, sizeof p, "%s/config/qmap", g);
    str_row(pg, "q-map file", p);
    double b = 0, e = 0, st = 1, av = 1, nf = 0;
    const char *names[] = {"begin_frame", "end_frame", "stride_frame", "avg_frame",
                           "normalize_frame"};
    double *v[] = {&b, &e, &st, &av, &nf};
    for (int k = 0; k < 5; k++) {
        snprintf(p, sizeof p, "%s/config/%s", g, names[k]);
        xpcs_rpt_scalar(pg, p, v[k]);
    }
    xpcs_sbuf_printf(pg->o,
                     "<tr><th>frame selection</th><td>raw frames [%.0f, %.0f), every %.0f, "
                     "averaged by %.0f</td></tr><tr><th>normalization</th><td>%s</td></tr>",
                     b, e, st, av, nf != 0 ? "each frame by its mean (--normalize-frame)" : "none");
    double energy = 0, dist = 0;
    if (xpcs_rpt_scalar(pg, "/entry/instrument/incident_beam/incident_energy", &energy))
        xpcs_sbuf_printf(pg->o, "<tr><th>energy</th><td>%.5g keV</td></tr>", energy);
    if (xpcs_rpt_scalar(pg, "/xpcs/qmap/detector_distance", &dist))
        xpcs_sbuf_printf(pg->o, "<tr><th>detector distance</th><td>%.5g</td></tr>", dist);
    int nd;
    int64_t d[4];
    double *mask = xpcs_rpt_doubles(pg, "/xpcs/qmap/mask", &nd, d);
    if (mask) {
        const int64_t np = d[0] * d[1] * d[2] * d[3];
        int64_t on = 0;
        for (int64_t i = 0; i < np; i++)
            on += mask[i] != 0;
        xpcs_sbuf_printf(pg->o,
                         "<tr><th>mask coverage</th><td>%lld of %lld pixels valid (%.1f %%)"
                         "</td></tr>",
                         (long long)on, (long long)np, np ? 100.0 * (double)on / (double)np : 0.0);
        free(mask);
    }
}

static void header(xpcs_rpt_page *pg, const char *result_path, const cJSON *prof)
{
    xpcs_sbuf *o = pg->o;
    const char *base = strrchr(result_path, '/');
    base = base ? base + 1 : result_path;
    xpcs_sbuf_add(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>XPCS report: ");
    xpcs_sbuf_add_escaped(o, base);
    xpcs_sbuf_printf(o, "</title><style>%s</style></head><body>\n<h1>XPCS report: ", css);
    xpcs_sbuf_add_escaped(o, base);
    xpcs_sbuf_add(o, "</h1>\n<table class=\"kv\">");
    char **s = NULL;
    int n = xpcs_rpt_strings(pg, "/xpcs/rawdata_path", &s);
    xpcs_sbuf_add(o, "<tr><th>raw data</th><td>");
    xpcs_sbuf_add_escaped(o, n > 0 ? s[0] : "?");
    xpcs_h5r_free_strings(s, n);
    xpcs_sbuf_add(o, "</td></tr><tr><th>result</th><td>");
    xpcs_sbuf_add_escaped(o, result_path);
    xpcs_sbuf_add(o, "</td></tr>");
    n = xpcs_rpt_strings(pg, "/entry/start_time", &s);
    if (n > 0) {
        xpcs_sbuf_add(o, "<tr><th>start time</th><td>");
        xpcs_sbuf_add_escaped(o, s[0]);
        xpcs_sbuf_add(o, "</td></tr>");
    }
    xpcs_h5r_free_strings(s, n);
    header_run(pg);
    double ft = 0, nr = 0, nth = 0;
    int nd;
    int64_t dims[4] = {0, 0, 0, 0};
    double *it = xpcs_rpt_doubles(pg, "/xpcs/spatial_mean/intensity_vs_time", &nd, dims);
    if (it && nd == 2)
        xpcs_sbuf_printf(o, "<tr><th>frames</th><td>%llu (after stride / averaging)</td></tr>",
                         (unsigned long long)dims[1]);
    free(it);
    if (xpcs_rpt_scalar(pg, "/entry/instrument/detector_1/frame_time", &ft))
        xpcs_sbuf_printf(o, "<tr><th>frame time</th><td>%.6g s</td></tr>", ft);
    if (xpcs_rpt_scalar(pg, "/xpcs/multitau/config/n_ranks", &nr) &&
        xpcs_rpt_scalar(pg, "/xpcs/multitau/config/n_threads_per_rank", &nth))
        xpcs_sbuf_printf(o, "<tr><th>computed on</th><td>%.0f rank(s) x %.0f thread(s)</td></tr>",
                         nr, nth);
    n = xpcs_rpt_strings(pg, "/xpcs/multitau/config/version", &s);
    if (n > 0) {
        xpcs_sbuf_add(o, "<tr><th>program</th><td>");
        xpcs_sbuf_add_escaped(o, s[0]);
        xpcs_sbuf_add(o, "</td></tr>");
    }
    xpcs_h5r_free_strings(s, n);
    if (prof)
        xpcs_rpt_profile_row(o, prof);
    xpcs_sbuf_add(o, "</table>\n");
}

static cJSON *load_profile(const char *path, xpcs_err *err, xpcs_status *st)
{
    *st = XPCS_OK;
    if (!path)
        return NULL;
    char *text = NULL, why[256];
    size_t len = 0; /* a regular file: a FIFO is refused, not waited on */
    if (xpcs_input_slurp(path, (size_t)1 << 30, &text, &len, why, sizeof why) != 0) {
        *st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read the profile: %s", path, why);
        return NULL;
    }
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        *st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: not a profile JSON object", path);
        return NULL;
    }
    return j;
}

xpcs_status xpcs_report_write(const char *result_path, const char *profile_path,
                              const char *html_path, xpcs_err *err)
{
    xpcs_status st;
    cJSON *prof = load_profile(profile_path, err, &st);
    if (st)
        return st;
    xpcs_rpt_page pg;
    memset(&pg, 0, sizeof pg);
    if (xpcs_h5r_open(result_path, NULL, &pg.f, err) != XPCS_OK) {
        cJSON_Delete(prof);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open the result file (HDF5)",
                         result_path);
    }
    pg.o = xpcs_sbuf_create();
    xpcs_rpt_load_multitau(&pg);
    xpcs_rpt_load_fits(&pg);
    header(&pg, result_path, prof);
    xpcs_rpt_quality_section(&pg); /* data quality first; compute health in the profile */
    xpcs_rpt_average_section(&pg);
    xpcs_rpt_g2_section(&pg);
    xpcs_rpt_linear_section(&pg);
    xpcs_rpt_twotime_g2_section(&pg);
    xpcs_rpt_contrast_section(&pg);
    xpcs_rpt_scattering_section(&pg);
    xpcs_rpt_intensity_section(&pg);
    xpcs_rpt_stability_section(&pg);
    xpcs_rpt_twotime_section(&pg);
    xpcs_rpt_fits_section(&pg);
    xpcs_rpt_profile_section(&pg, prof);
    xpcs_sbuf_add(pg.o, "<p class=\"note\">Written by xpcs-toolkit " XPCS_VERSION
                        " (xpcs-report). Self-contained: no scripts, no external files.</p>\n"
                        "</body></html>\n");
    xpcs_h5r_close(&pg.f);
    cJSON_Delete(prof);

    xpcs_publish_remove_stale(html_path); /* a killed writer's leftovers */
    st = xpcs_publish_file(html_path, XPCS_PUBLISH_REPLACE, xpcs_sbuf_text(pg.o),
                           xpcs_sbuf_len(pg.o), err);
    xpcs_sbuf_destroy(&pg.o);
    free(pg.delay);
    free(pg.g2);
    free(pg.g2e);
    free(pg.q);
    for (int k = 0; k < pg.n_fits; k++)
        xpcs_rpt_free_fit(&pg.fits[k]);
    return st;
}
