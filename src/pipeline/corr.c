/* corr: one xpcs-corr run, read as its table of contents (the stages are
 * described in include/xpcs/pipeline/run.h):
 *
 *   prolog   setup      q-map, source, plan (kernels, memory), output names;
 *                       --dry-run stops here, after printing the plan
 *            stages     the kernels and stages the plan asks for
 *   loop     frames     dense frames through the multitau / linear / two-time
 *            or events  photon events through the event kernels
 *   epilog   reduce     normalization and reductions, the result file
 *            fit        --fit: rank 0 fits the written result (xpcs-fit)
 *            finish     profile, report, health verdict
 *
 * Every stage is collective and ends with the ranks agreeing on its
 * outcome, so one failing rank never leaves the others in a collective; a
 * stop signal (SIGTERM, ...) on any rank is agreed the same way, at the next
 * step boundary.  The files the run publishes form one transaction: a run
 * that fails after its result is in place removes it again (and the profile
 * and report), so a failed run leaves nothing and a rerun redoes it.
 */
#include "xpcs/pipeline/corr.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/publish.h"
#include "xpcs/core/signals.h"
#include "xpcs/io/fit_io.h"
#include "xpcs/monitor/profile.h"
#include "xpcs/pipeline/partial.h"
#include "xpcs/parallel/threads.h"
#include "xpcs/pipeline/run.h"

static xpcs_status run(xpcs_run *x, xpcs_err *err)
{
    /* prolog */
    int done = 0;
    xpcs_status st = xpcs_run_setup(x, &done, err);
    if (st || done)
        return st;
    st = xpcs_run_create_stages(x, err);
    /* loop */
    if (!st)
        st = x->plan.events ? xpcs_run_events(x, err) : xpcs_run_frames(x, err);
    if (!st && x->plan.events && x->occupancy < 0) /* the run's, when not planned */
        x->occupancy = (double)x->nonzero / ((double)x->plan.rows * (double)x->plan.cols *
                                             (double)x->plan.n_frames * (double)x->plan.avg);
    /* epilog */
    if (!st)
        st = xpcs_run_reduce_and_write(x, err);
    xpcs_timer_stop(&x->tm, XPCS_T_TOTAL);
    if (!st && x->cfg->fit[0]) { /* rank 0 fits the written result; all agree */
        xpcs_status fs = XPCS_OK;
        if (x->root)
            fs = xpcs_fit_result_file_named(x->out_path, x->cfg->fit, x->cfg->fit_range, stderr,
                                            x->cfg->verbose, err);
        st = xpcs_comm_agree(x->comm, fs, err);
    }
    if (!st) /* after the fit, so the report shows it */
        st = xpcs_run_finish(x, err);
    return st;
}

static void run_free(xpcs_run *x)
{
    xpcs_source_close(&x->src);
    xpcs_mtkernel_destroy(&x->mt);
    xpcs_partial_destroy(&x->part);
    xpcs_linstage_destroy(&x->lin);
    xpcs_ttstage_destroy(&x->tt);
    xpcs_saxs_destroy(&x->saxs);
    xpcs_quality_free(&x->quality);
    free(x->frame_sum);
    free(x->own_sq);
    free(x->own_dq);
    xpcs_plan_free(&x->plan);
    xpcs_timers_free(&x->tm);
    xpcs_qmap_free(&x->qmap);
    xpcs_comm_destroy(&x->comm);
}

xpcs_status xpcs_corr_run(const xpcs_config *cfg, const xpcs_comm *comm, char *result_path,
                          size_t result_len, xpcs_err *err)
{
    xpcs_run x;
    memset(&x, 0, sizeof x);
    x.cfg = cfg;
    x.occupancy = -1;
    if (result_path && result_len)
        result_path[0] = '\0';
    xpcs_status st = xpcs_comm_dup(comm, &x.comm, err);
    if (st)
        return st;
    x.rank = xpcs_comm_rank(x.comm);
    x.n_ranks = xpcs_comm_size(x.comm);
    x.root = x.rank == 0;
    /* main chooses over all ranks (a batch's groups share the nodes); a
     * library caller's run chooses over its own ranks */
    xpcs_threads thr = cfg->threads;
    if (thr.n > 0)
        omp_set_num_threads(thr.n);
    else
        st = xpcs_threads_choose(x.comm, cfg->site.num_threads, "xpcs-corr", &thr, err);
    if (st) {
        xpcs_comm_destroy(&x.comm);
        return st;
    }
    x.threads = thr;
    if (x.root && cfg->verbose) {
        fputs("xpcs-corr: ", stderr);
        xpcs_threads_print(&thr, stderr);
        fputs("xpcs-corr: ", stderr);
        xpcs_comm_print_launch(stderr);
    }
    if (cfg->site.enable_profiling)
        xpcs_profile_reset_peak_rss();
    xpcs_timers_init(&x.tm, x.comm);
    const int mark = xpcs_publish_txn_begin();
    st = run(&x, err);
    /* --fail-on-critical keeps the result it judged */
    xpcs_publish_txn_end(mark, !st || st == XPCS_ERR_HEALTH);
    const char *sig = xpcs_signal_name(xpcs_signal_pending());
    if (st == XPCS_ERR_SIGNAL && x.out_path[0]) /* name the file in progress */
        xpcs_fail(err, st,
                  "interrupted by %s while processing %s: %s not written (no temporary "
                  "left)",
                  sig, cfg->raw, x.out_path);
    else if (st == XPCS_ERR_SIGNAL)
        xpcs_fail(err, st, "interrupted by %s while processing %s (nothing written)", sig,
                  cfg->raw);
    if ((!st || st == XPCS_ERR_HEALTH) && result_path && result_len)
        snprintf(result_path, result_len, "%s", x.out_path);
    run_free(&x);
    return st;
}
