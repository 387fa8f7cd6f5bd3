/* report_quality: the data-quality badges at the top of the page, from
 * /xpcs/quality (pipeline/qstage.h): one badge per indicator with its
 * status, what it flags and the first pixels, frames or bins.  Compute
 * health (efficiency, memory, I/O) is in the profile section. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_page.h"

static const char *const indicators[] = {"saturated_pixels", "hot_pixels",  "dead_pixels",
                                         "zero_frames",      "beam_drops",  "intensity_jumps",
                                         "saxs_drift",       "g2_baseline", "contrast"};

static void badge(xpcs_rpt_page *pg, const char *name, int64_t cols)
{
    xpcs_sbuf *o = pg->o;
    char path[160], **st = NULL, **what = NULL;
    snprintf(path, sizeof path, "/xpcs/quality/%s/status", name);
    const int ns = xpcs_rpt_strings(pg, path, &st);
    snprintf(path, sizeof path, "/xpcs/quality/%s/items_are", name);
    const int nw = xpcs_rpt_strings(pg, path, &what);
    const char *status = ns > 0 ? st[0] : "unknown", *kind = nw > 0 ? what[0] : "";
    if (strcmp(status, "ok") && strcmp(status, "warning") && strcmp(status, "critical"))
        status = "unknown";
    int nd;
    int64_t dims[4] = {0, 0, 0, 0};
    snprintf(path, sizeof path, "/xpcs/quality/%s/items", name);
    double *items = xpcs_rpt_doubles(pg, path, &nd, dims);
    const int64_t n = items ? dims[0] : 0;
    xpcs_sbuf_printf(o, "<div class=\"badge %s\"><b>", status);
    xpcs_sbuf_add_escaped(o, name);
    xpcs_sbuf_printf(o, "</b><br/>%lld ", (long long)n);
    xpcs_sbuf_add_escaped(o, kind);
    for (int64_t i = 0; i < n && i < 3; i++) {
        const long long v = (long long)items[i];
        if (strcmp(kind, "pixels") == 0 && cols > 0)
            xpcs_sbuf_printf(o, "%s(%lld, %lld)", i ? ", " : "<br/><small>", v / cols, v % cols);
        else
            xpcs_sbuf_printf(o, "%s%lld", i ? ", " : "<br/><small>", v);
    }
    if (n > 0)
        xpcs_sbuf_printf(o, "%s</small>", n > 3 ? ", ..." : "");
    xpcs_sbuf_printf(o, "<br/>%s</div>", status);
    free(items);
    xpcs_h5r_free_strings(st, ns);
    xpcs_h5r_free_strings(what, nw);
}

void xpcs_rpt_quality_section(xpcs_rpt_page *pg)
{
    xpcs_sbuf *o = pg->o;
    char **s = NULL;
    const int n = xpcs_rpt_strings(pg, "/xpcs/quality/status", &s);
    xpcs_sbuf_add(o, "<h2>Data quality</h2>\n");
    if (n <= 0) {
        xpcs_sbuf_add(o, "<p class=\"note\">No data-quality indicators in this file.</p>\n");
        return;
    }
    xpcs_sbuf_add(o, "<p class=\"note\">Checked in the run's one pass over the data: ");
    xpcs_sbuf_add(o, "overall <b>");
    xpcs_sbuf_add_escaped(o, s[0]);
    xpcs_sbuf_add(o, "</b>. Pixels as (row, column), frames after stride / averaging, bins "
                     "1-based; the lists are under /xpcs/quality. Compute health (efficiency, "
                     "memory, I/O) is in the run profile below.</p>\n");
    xpcs_h5r_free_strings(s, n);
    int nd;
    int64_t dims[4] = {0, 0, 0, 0};
    double *img = xpcs_rpt_doubles(pg, "/xpcs/temporal_mean/scattering_2d", &nd, dims);
    const int64_t cols = img && nd == 3 ? dims[2] : 0;
    free(img);
    xpcs_sbuf_add(o, "<div class=\"health\" style=\"flex-wrap:wrap\">");
    for (size_t k = 0; k < sizeof indicators / sizeof indicators[0]; k++)
        badge(pg, indicators[k], cols);
    xpcs_sbuf_add(o, "</div>\n");
}
