/* report_profile: the health badges and the run profile (the JSON
 * xpcs-corr writes): summary, phase table, per-rank bars and table. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_page.h"

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : "";
}

void xpcs_rpt_health_badges(xpcs_sbuf *o, const cJSON *prof)
{
    const cJSON *ind = cJSON_GetObjectItemCaseSensitive(prof, "indicators");
    if (!cJSON_IsObject(ind))
        return;
    xpcs_sbuf_add(o, "<div class=\"health\">");
    for (const cJSON *it = ind->child; it; it = it->next) {
        const char *st = jstr(it, "status");
        double v = jnum(it, "value_pct");
        int higher = strcmp(jstr(it, "better"), "higher") == 0;
        xpcs_sbuf_printf(o, "<div class=\"badge %s\"><b>", st);
        xpcs_sbuf_add_escaped(o, it->string);
        if (isfinite(v))
            xpcs_sbuf_printf(o, "</b><br/>%.1f %%", v);
        else
            xpcs_sbuf_add(o, "</b><br/>n/a");
        xpcs_sbuf_printf(o, "<br/><small>target %s %g %%, critical %s %g %%</small><br/>%s</div>",
                         higher ? "&gt;" : "&lt;", jnum(it, "target_pct"), higher ? "&lt;" : "&gt;",
                         jnum(it, "critical_pct"), st);
    }
    xpcs_sbuf_add(o, "</div>\n");
}

/* The profile's row of the header table. */
void xpcs_rpt_profile_row(xpcs_sbuf *o, const cJSON *prof)
{
    xpcs_sbuf_add(o, "<tr><th>profile</th><td>");
    xpcs_sbuf_add_escaped(o, jstr(prof, "created"));
    /* compute health is not the data's: its verdict stays in the profile section */
    xpcs_sbuf_printf(o, " (compute health %s: see the run profile)</td></tr>",
                     jstr(prof, "health"));
}

static void summary_table(xpcs_sbuf *o, const cJSON *prof)
{
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(prof, "run");
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(prof, "summary");
    char storage[96];
    if (jnum(sum, "storage_gb_per_s") > 0)
        snprintf(storage, sizeof storage, "%.3g GB/s, %s", jnum(sum, "storage_gb_per_s"),
                 jstr(sum, "storage_source"));
    else
        snprintf(storage, sizeof storage, "unknown");
    xpcs_sbuf_printf(o,
                     "<table class=\"kv\"><tr><th>ranks x threads</th><td>%.0f x %.0f on %.0f "
                     "node(s)</td></tr><tr><th>wall time</th><td>%.3f s</td></tr>"
                     "<tr><th>throughput</th><td>%.3g pixel-frames/s (detector pixels x raw "
                     "frames / wall); %.3g correlated pixel-frames/s</td></tr>"
                     "<tr><th>read</th><td>%.3f GB at %.2f GB/s (storage: %s)</td></tr>"
                     "<tr><th>exchanged</th><td>%.3f GB</td></tr>"
                     "<tr><th>parallel efficiency</th><td>%.1f %% (load balance %.2f)</td></tr>"
                     "<tr><th>peak RSS</th><td>%.1f MiB (rank %.0f) of a %.0f MiB budget per rank "
                     "(plan estimate %.1f MiB)</td></tr></table>\n",
                     jnum(run, "n_ranks"), jnum(run, "threads_per_rank"), jnum(run, "n_nodes"),
                     jnum(sum, "wall_s"), jnum(sum, "pixel_frames_per_s"),
                     jnum(sum, "correlated_pixel_frames_per_s"), jnum(sum, "bytes_read") / 1e9,
                     jnum(sum, "read_gb_per_s"), storage, jnum(sum, "bytes_exchanged") / 1e9,
                     100.0 * jnum(sum, "parallel_efficiency"), jnum(sum, "load_balance"),
                     jnum(sum, "peak_rss_max_bytes") / 1048576.0, jnum(sum, "peak_rss_max_rank"),
                     jnum(sum, "memory_budget_bytes") / 1048576.0,
                     jnum(sum, "memory_estimate_bytes") / 1048576.0);
}

/* One row per timed phase, indented by its depth. */
static void phase_table(xpcs_sbuf *o, const cJSON *ph)
{
    xpcs_sbuf_add(o, "<table><tr><th>phase</th><th>min s (rank)</th><th>mean s</th><th>max s "
                     "(rank)</th><th>imbalance</th><th>span s</th></tr>\n");
    for (const cJSON *p = ph->child; p; p = p->next) {
        if (!(jnum(p, "max_s") > 0))
            continue;
        xpcs_sbuf_printf(o, "<tr><td class=\"l\" style=\"padding-left:%.1fem\">",
                         0.4 + 1.2 * jnum(p, "depth"));
        xpcs_sbuf_add_escaped(o, p->string);
        xpcs_sbuf_printf(o,
                         "</td><td>%.4f (%.0f)</td><td>%.4f</td><td>%.4f (%.0f)</td><td>%.1f "
                         "%%</td><td>%.4f</td></tr>\n",
                         jnum(p, "min_s"), jnum(p, "min_rank"), jnum(p, "mean_s"), jnum(p, "max_s"),
                         jnum(p, "max_rank"), 100.0 * jnum(p, "imbalance"), jnum(p, "span_s"));
    }
    xpcs_sbuf_add(o, "</table>\n");
}

/* Per-rank stacked bars of the leaf phases; "other" = total - leaves.
 * 0 (nothing drawn) when no rank has a wall time. */
static int rank_bars(xpcs_sbuf *o, const cJSON *ph, const cJSON *ranks, int n_ranks)
{
    const char *leaf[32];
    int n_leaf = 0;
    for (const cJSON *p = ph->child; p && n_leaf < 31; p = p->next) {
        double dep = jnum(p, "depth");
        const cJSON *nx = p->next;
        int is_leaf = dep > 0 && (!nx || !(jnum(nx, "depth") > dep));
        if (is_leaf)
            leaf[n_leaf++] = p->string;
    }
    int shown = n_ranks < MAX_BAR_RANKS ? n_ranks : MAX_BAR_RANKS;
    double tmax = 0;
    for (int r = 0; r < n_ranks; r++) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ranks, r), "wall_s");
        tmax = fmax(tmax, jnum(w, "total"));
    }
    if (!(tmax > 0))
        return 0;
    const int W = 900, left = 70, right = 20, row = 16, top = 26;
    const int H = top + shown * row + 60;
    const double sx = (W - left - right) / tmax;
    xpcs_sbuf_printf(o,
                     "<h3>Per-rank phases</h3><div class=\"fig\"><svg "
                     "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                     "font-family=\"sans-serif\" font-size=\"11\">\n",
                     W, H);
    xpcs_sbuf_printf(o,
                     "<text x=\"%d\" y=\"14\" font-weight=\"bold\">wall seconds per phase "
                     "and rank%s</text>\n",
                     left, shown < n_ranks ? " (first ranks only)" : "");
    for (int s = 0; s < shown; s++) {
        const cJSON *rk = cJSON_GetArrayItem(ranks, s);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(rk, "wall_s");
        double x = left, y = top + s * row, acc = 0;
        xpcs_sbuf_printf(o, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">rank %d</text>",
                         left - 4, y + 11, s);
        for (int l = 0; l <= n_leaf; l++) {
            double v = l < n_leaf ? jnum(w, leaf[l]) : jnum(w, "total") - acc;
            if (!(v > 0))
                continue;
            acc += v;
            xpcs_sbuf_printf(o,
                             "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
                             "fill=\"%s\"><title>rank %d %s %.4f s</title></rect>",
                             x, y, v * sx, row - 3, l < n_leaf ? xpcs_rpt_palette[l % 10] : "#ccc",
                             s, l < n_leaf ? leaf[l] : "other", v);
            x += v * sx;
        }
        xpcs_sbuf_add(o, "\n");
    }
    double ly = top + shown * row + 14;
    for (int l = 0; l <= n_leaf; l++) {
        double lx = left + (l % 6) * 135;
        double yy = ly + (l / 6) * 16;
        xpcs_sbuf_printf(o,
                         "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"10\" fill=\"%s\"/>"
                         "<text x=\"%.0f\" y=\"%.0f\">%s</text>",
                         lx, yy, l < n_leaf ? xpcs_rpt_palette[l % 10] : "#ccc", lx + 16, yy + 9,
                         l < n_leaf ? leaf[l] : "other (waiting, untimed)");
    }
    xpcs_sbuf_printf(o,
                     "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
                     "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3g s</text></svg></div>\n",
                     left, top - 2, left, top + shown * row, W - right, top - 4, tmax);
    return 1;
}

static void rank_table(xpcs_sbuf *o, const cJSON *ranks, int n_ranks)
{
    xpcs_sbuf_add(o, "<table><tr><th>rank</th><th>host</th><th>threads</th><th>pixels</th>"
                     "<th>busy s</th><th>efficiency</th><th>read GB</th><th>sent GB</th>"
                     "<th>peak RSS MiB</th></tr>\n");
    for (int r = 0; r < n_ranks; r++) {
        const cJSON *rk = cJSON_GetArrayItem(ranks, r);
        xpcs_sbuf_printf(o, "<tr><td>%d</td><td>", r);
        xpcs_sbuf_add_escaped(o, jstr(rk, "host"));
        xpcs_sbuf_printf(o,
                         "</td><td>%.0f</td><td>%.0f</td><td>%.3f</td><td>%.1f %%</td>"
                         "<td>%.3f</td><td>%.3f</td><td>%.1f</td></tr>\n",
                         jnum(rk, "threads"), jnum(rk, "pixels"), jnum(rk, "busy_s"),
                         100.0 * jnum(rk, "efficiency"), jnum(rk, "bytes_read") / 1e9,
                         jnum(rk, "bytes_sent") / 1e9, jnum(rk, "peak_rss_bytes") / 1048576.0);
    }
    xpcs_sbuf_add(o, "</table>\n");
}

void xpcs_rpt_profile_section(xpcs_rpt_page *pg, const cJSON *prof)
{
    xpcs_sbuf *o = pg->o;
    xpcs_sbuf_add(o, "<h2>Run profile</h2>\n");
    if (!prof) {
        xpcs_sbuf_add(o, "<p class=\"note\">No profile: the run had monitoring.enable_profiling "
                         "off, or no profile JSON was given to xpcs-report.</p>\n");
        return;
    }
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(prof, "phases");
    const cJSON *ranks = cJSON_GetObjectItemCaseSensitive(prof, "ranks");
    xpcs_sbuf_add(o, "<h3>Compute health</h3>\n<p class=\"note\">How the computation ran on "
                     "this machine (not the data: see Data quality at the top).</p>\n");
    xpcs_rpt_health_badges(o, prof);
    summary_table(o, prof);
    if (!cJSON_IsObject(ph))
        return;
    phase_table(o, ph);
    int n_ranks = cJSON_IsArray(ranks) ? cJSON_GetArraySize(ranks) : 0;
    if (n_ranks <= 0 || !rank_bars(o, ph, ranks, n_ranks))
        return;
    if (n_ranks <= 32)
        rank_table(o, ranks, n_ranks);
}
