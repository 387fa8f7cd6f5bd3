/* finish: the last part of the epilog -- the per-rank profile reduced to
 * rank 0, the summary lines and the profile table, the profile JSON and the
 * HTML report beside the result, and the health verdict. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "xpcs/io/names.h"
#include "xpcs/monitor/profile.h"
#include "xpcs/pipeline/run.h"
#include "xpcs/report/report.h"

/* Collective: the profile to rank 0, the summary lines and table, the
 * profile JSON and the HTML report (rank 0), then the health verdict
 * (XPCS_ERR_HEALTH with --fail-on-critical when an indicator is critical). */
xpcs_status xpcs_run_finish(xpcs_run *x, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    const xpcs_siteopts *so = &x->cfg->site;
    xpcs_profile_run run = {0};
    run.program = "xpcs-corr";
    run.raw = x->cfg->raw;
    run.result = x->out_path;
    run.frames = p->n_frames;
    run.raw_frames = p->n_frames * p->avg;
    run.rows = p->rows;
    run.cols = p->cols;
    run.n_corr = p->n_corr;
    run.n_delays = x->mt ? xpcs_mtkernel_n_delays(x->mt) : (int)p->linear.max_lag;
    run.step_frames = p->step_frames;
    run.n_steps = p->n_steps;
    run.n_own = x->n_own;
    run.threads = omp_get_max_threads();
    run.threads_how = x->threads;
    run.mem_budget = p->mem_budget;
    run.mem_estimate = p->mem_per_rank;
    run.storage_gbps = x->storage_gbps;
    run.storage_source = x->storage_source;
    run.thresholds = so->threshold;
    xpcs_profile *prof = xpcs_profile_gather(&x->tm, x->comm, &run);
    xpcs_status st = XPCS_OK;
    /* a batch prints one line per file itself: files of a batch stay quiet */
    /* stdout holds only the result path (main prints it), as boost_corr's */
    const int talk = !x->cfg->quiet || x->cfg->verbose;
    if (x->root) {
        double wall = xpcs_profile_wall(prof), bytes = xpcs_profile_bytes_read(prof);
        if (talk)
            fprintf(
                stderr,
                "xpcs-corr: %lld frames of %lld x %lld (%lld correlated pixels, %d delays) on %d "
                "rank(s) x %d thread(s) in %.3f s\n",
                (long long)p->n_frames, (long long)p->rows, (long long)p->cols,
                (long long)p->n_corr, (int)run.n_delays, x->n_ranks, omp_get_max_threads(), wall);
        if (talk)
            fprintf(
                stderr,
                "xpcs-corr: throughput %.3g pixel-frames/s end to end; read %.3f GB at %.2f GB/s "
                "(slowest rank's read time %.3f s)\n",
                xpcs_profile_throughput(prof), bytes / 1e9, xpcs_profile_read_gbps(prof),
                xpcs_profile_phase_max(prof, XPCS_T_READ));
        const double pf = (double)p->rows * (double)p->cols * (double)p->n_frames * (double)p->avg;
        if (talk && p->events)
            fprintf(stderr,
                    "xpcs-corr: %s kernel: %lld photon events (occupancy %.3g) at %.3g events/s "
                    "end to end\n",
                    (p->do_multitau ? p->sparse_multitau : p->sparse_twotime) ? "sparse" : "dense",
                    (long long)x->nonzero, pf > 0 ? (double)x->nonzero / pf : 0.0,
                    wall > 0 ? (double)x->nonzero / wall : 0.0);
        if (x->cfg->verbose && x->lin)
            xpcs_linstage_print_stats(x->lin, stderr);
        if (x->cfg->verbose && x->tt)
            xpcs_ttstage_print_stats(x->tt, stderr);
        char path[XPCS_PATH_MAX + 32];
        const char *prof_path = NULL;
        if (so->enable_profiling) {
            if (talk)
                xpcs_profile_print(prof, stderr);
            xpcs_sibling_name(x->out_path, XPCS_PROFILE_SUFFIX, path, sizeof path);
            xpcs_err werr;
            xpcs_status ws = xpcs_profile_write(prof, path, &werr);
            if (ws == XPCS_OK) {
                if (talk)
                    fprintf(stderr, "xpcs-corr: profile %s\n", path);
                prof_path = path;
            }
            else if (ws == XPCS_ERR_OUTPUT) /* a full disk fails the run (corr.c rolls back) */
                st = xpcs_fail(err, ws, "%s", werr.msg);
            else
                fprintf(stderr, "xpcs-corr: warning: %s\n", werr.msg);
        }
        fflush(stderr);
        if (so->enable_report && !st) {
            char html[XPCS_PATH_MAX + 32];
            xpcs_sibling_name(x->out_path, XPCS_REPORT_SUFFIX, html, sizeof html);
            xpcs_err rerr;
            xpcs_status rs = xpcs_report_write(x->out_path, prof_path, html, &rerr);
            if (rs == XPCS_OK) {
                if (talk)
                    fprintf(stderr, "xpcs-corr: report %s\n", html);
            }
            else if (rs == XPCS_ERR_OUTPUT)
                st = xpcs_fail(err, rs, "%s", rerr.msg);
            else
                fprintf(stderr, "xpcs-corr: warning: no report: %s\n", rerr.msg);
        }
        char why[512];
        if (!st && so->fail_on_critical && x->quality.worst == XPCS_QS_CRITICAL) {
            size_t at = 0;
            for (int k = 0; k < XPCS_Q_COUNT; k++)
                if (x->quality.e[k].status == XPCS_QS_CRITICAL && at < sizeof why)
                    at += (size_t)snprintf(why + at, sizeof why - at, "%s%s", at ? ", " : "",
                                           x->quality.e[k].name);
            st = xpcs_fail(err, XPCS_ERR_HEALTH,
                           "%s: data-quality indicator(s) critical with --fail-on-critical: %s",
                           x->out_path, why);
        }
        if (!st && so->fail_on_critical &&
            xpcs_profile_worst(prof, why, sizeof why) == XPCS_HEALTH_CRITICAL)
            st = xpcs_fail(err, XPCS_ERR_HEALTH,
                           "%s: health indicator(s) critical with --fail-on-critical: %s",
                           x->out_path, why);
        xpcs_profile_destroy(&prof);
    }
    return xpcs_comm_agree(x->comm, st, err);
}
