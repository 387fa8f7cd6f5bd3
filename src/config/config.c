#include "xpcs/config/config.h"

#include <stdlib.h>
#include <string.h>

#include "xpcs/config/optparse.h"
#include "xpcs/config/optshow.h"
#include "xpcs/kernels/fit.h"

void xpcs_config_default(xpcs_config *c)
{
    memset(c, 0, sizeof *c);
    /* the rows' defaults; test_options checks that each one reads */
    (void)xpcs_opts_defaults(xpcs_config_table(), c, NULL);
    xpcs_siteopts_default(&c->site);
}

void xpcs_config_free(xpcs_config *c)
{
    for (int i = 0; i < c->n_raw_args; i++)
        free(c->raw_args[i]);
    free(c->raw_args);
    c->raw_args = NULL;
    c->n_raw_args = 0;
}

void xpcs_config_usage(FILE *out)
{
    xpcs_opts_usage(xpcs_config_table(), out);
}

void xpcs_config_print(const xpcs_config *c, FILE *out)
{
    xpcs_opts_print_line(xpcs_config_table(), c, "config:", out);
}

/* What holds only for the final values (any source may set them). */
static xpcs_status check_config(const xpcs_config *c, xpcs_err *err)
{
    if (!c->raw[0] && !c->raw_list[0])
        return xpcs_fail(err, XPCS_ERR_USAGE, "missing -r/--raw RAW.h5 (see --help)");
    if (!c->qmap[0] && !c->raw_list[0]) /* a list may name a q-map per file */
        return xpcs_fail(err, XPCS_ERR_USAGE, "missing -q/--qmap QMAP.h5 (see --help)");
    if (c->stride_frame < 1)
        return xpcs_fail(err, XPCS_ERR_USAGE, "-f/--stride-frame: expected >= 1, got %lld",
                         (long long)c->stride_frame);
    if (c->avg_frame < 1)
        return xpcs_fail(err, XPCS_ERR_USAGE, "-a/--avg-frame: expected >= 1, got %lld",
                         (long long)c->avg_frame);
    if (c->step_frames < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--step-frames: expected >= 0");
    if (c->max_memory_mb < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--max-memory: expected a size in MiB >= 0");
    if (c->max_lag < 0)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "--max-lag: expected a lag in frames >= 1 (0 = auto)");
    if (strcmp(c->smooth, "sqmap") && strcmp(c->smooth, "dqmap") && strcmp(c->smooth, "none"))
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "-s/--smooth: expected sqmap, dqmap or none, got '%s'", c->smooth);
    if (c->fit_range[0] && !c->fit[0])
        return xpcs_fail(err, XPCS_ERR_USAGE, "--fit-range: needs --fit MODEL");
    if (c->fit[0]) { /* checked here so a bad name fails before correlating */
        xpcs_fit_model m;
        double a, b;
        xpcs_status st = xpcs_fit_model_parse(c->fit, &m, err);
        if (!st && c->fit_range[0])
            st = xpcs_fit_range_parse(c->fit_range, &a, &b, err);
        if (st)
            return st;
    }
    return xpcs_siteopts_check(&c->site, err);
}

/* boost_corr's options that change nothing here, named once (rank 0). */
static void config_notes(const xpcs_config *c, FILE *out)
{
    if (c->gpu_id != -1)
        fprintf(out,
                "xpcs-corr: note: -i/--gpu-id %d: there is no GPU code here; running on the "
                "CPU\n",
                c->gpu_id);
    /* multitau options without multitau: named, never silently dropped */
    if (c->save_g2 && (c->analysis == XPCS_ANALYSIS_TWOTIME || c->analysis == XPCS_ANALYSIS_LINEAR))
        fprintf(out, "xpcs-corr: note: -G/--save-G2: no effect with -t %s (multitau only)\n",
                xpcs_analysis_name(c->analysis));
    if (c->num_partial_g2 &&
        (c->analysis == XPCS_ANALYSIS_TWOTIME || c->analysis == XPCS_ANALYSIS_LINEAR))
        fprintf(out,
                "xpcs-corr: note: -np/--num-partial-g2: no effect with -t %s (multitau "
                "only)\n",
                xpcs_analysis_name(c->analysis));
    if (c->verbose)
        fprintf(out,
                "xpcs-corr: note: --crop-ratio-threshold %g is recorded and changes nothing: only "
                "valid pixels are ever correlated\n",
                c->crop_ratio_threshold);
}

xpcs_status xpcs_config_parse(xpcs_config *c, int argc, char **argv, int print, int *exit_now,
                              xpcs_err *err)
{
    *exit_now = 0;
    const xpcs_opts_table *table = xpcs_config_table();
    xpcs_opts *o = xpcs_opts_create(table, c, c->source, exit_now, print);
    /* -c FILE first, so the file sits between the environment and the command line */
    xpcs_status st = xpcs_opts_parse(o, argc, argv, XPCS_OPTS_PASS_EARLY, NULL, err);
    if (!st)
        st = xpcs_opts_apply_env(o, err);
    if (!st && c->config_file[0])
        st = xpcs_opts_apply_file(o, c->config_file, err);
    if (!st)
        st = xpcs_opts_parse(o, argc, argv, XPCS_OPTS_PASS_MAIN, NULL, err);
    const int stopped = xpcs_opts_stopped(o);
    xpcs_opts_destroy(&o);
    if (st || stopped)
        return st;
    st = check_config(c, err);
    if (!st && print)
        config_notes(c, stderr);
    return st;
}

xpcs_status xpcs_parse_bin_selection(const char *text, int n_bins, unsigned char *sel,
                                     xpcs_err *err)
{
    memset(sel, 0, (size_t)n_bins + 1);
    if (strcmp(text, "all") == 0 || text[0] == '\0') {
        memset(sel + 1, 1, (size_t)n_bins);
        return XPCS_OK;
    }
    const char *p = text;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10), b;
        if (end == p)
            return xpcs_fail(err, XPCS_ERR_USAGE, "-d/--dq-selection '%s': expected e.g. 1,3,5-7",
                             text);
        p = end;
        b = a;
        if (*p == '-') {
            b = strtol(p + 1, &end, 10);
            if (end == p + 1)
                return xpcs_fail(err, XPCS_ERR_USAGE,
                                 "-d/--dq-selection '%s': expected e.g. 1,3,5-7", text);
            p = end;
        }
        if (a < 1 || b > n_bins || a > b)
            return xpcs_fail(err, XPCS_ERR_USAGE, "-d/--dq-selection '%s': bins must lie in 1..%d",
                             text, n_bins);
        for (long k = a; k <= b; k++)
            sel[k] = 1;
        if (*p == ',')
            p++;
        else if (*p)
            return xpcs_fail(err, XPCS_ERR_USAGE, "-d/--dq-selection '%s': expected e.g. 1,3,5-7",
                             text);
    }
    return XPCS_OK;
}
