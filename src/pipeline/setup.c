/* setup: the prolog of a run -- everything before the first frame is read
 * (see include/xpcs/pipeline/run.h): the q-map (rank 0 reads, all get it),
 * the source, the plan (frames, pixels, stages, kernels, memory), the
 * output names; then the kernels and stages the plan asks for. */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpcs/core/fileutil.h"
#include "xpcs/config/settings.h"
#include "xpcs/core/infile.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/names.h"
#include "xpcs/monitor/iobench.h"
#include "xpcs/pipeline/partial.h"
#include "xpcs/pipeline/run.h"

static xpcs_status load_qmap(xpcs_run *x, xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    int64_t dims[2] = {0, 0};
    if (x->root) {
        st = xpcs_h5in_read_qmap(x->cfg->qmap, &x->qmap, err);
        dims[0] = x->qmap.rows;
        dims[1] = x->qmap.cols;
    }
    st = xpcs_comm_agree(x->comm, st, err);
    if (st)
        return st;
    xpcs_comm_bcast(x->comm, dims, sizeof dims, 0);
    if (!x->root) {
        x->qmap.rows = dims[0];
        x->qmap.cols = dims[1];
        size_t n = (size_t)(dims[0] * dims[1]);
        x->qmap.mask = xpcs_malloc(sizeof(int32_t) * n);
        x->qmap.dmap = xpcs_malloc(sizeof(int32_t) * n);
        x->qmap.smap = xpcs_malloc(sizeof(int32_t) * n);
    }
    size_t bytes = sizeof(int32_t) * (size_t)(dims[0] * dims[1]);
    xpcs_comm_bcast(x->comm, x->qmap.mask, bytes, 0);
    xpcs_comm_bcast(x->comm, x->qmap.dmap, bytes, 0);
    xpcs_comm_bcast(x->comm, x->qmap.smap, bytes, 0);
    xpcs_comm_bcast(x->comm, x->qmap.hash, sizeof x->qmap.hash, 0);
    if (!x->root) /* same arrays, same deterministic build as rank 0 */
        st = xpcs_qmap_build(&x->qmap, x->cfg->qmap, err);
    return xpcs_comm_agree(x->comm, st, err);
}

/* Rank 0: the metadata file beside the raw file, or the one boost_corr's
 * rule finds there; it must be a regular file (a FIFO there would block its
 * copy: refused now). */
static xpcs_status find_metadata(xpcs_run *x, xpcs_err *err)
{
    char why[256];
    int beside = 0;
    x->have_meta = xpcs_metadata_find(x->cfg->raw, x->meta_path, sizeof x->meta_path, &beside);
    if (x->have_meta && xpcs_input_regular(x->meta_path, why, sizeof why) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: cannot read the metadata file: %s (expected the raw file's /entry "
                         "metadata in HDF5)",
                         x->meta_path, why);
    /* no 1 s default: tau and D would come out wrong in a file that looks normal */
    if (!x->have_meta && x->cfg->frame_time <= 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: no metadata file %s beside it (nor a *_metadata.hdf with "
                         "/entry/schema_version named after its start): the frame time is "
                         "unknown; give it with --frame-time S",
                         x->cfg->raw, x->meta_path);
    if (x->cfg->verbose && x->have_meta)
        fprintf(stderr, "xpcs-corr: metadata %s (%s)\n", x->meta_path,
                beside ? "beside the raw file, named after it"
                       : "boost_corr's rule: a *_metadata.hdf there with "
                         "/entry/schema_version, named after the raw file's start; it names "
                         "the result");
    else if (x->cfg->verbose)
        fprintf(stderr, "xpcs-corr: no metadata file: a minimal /entry from --frame-time\n");
    return XPCS_OK;
}

/* Output directory, result name, metadata file: decided on rank 0. */
static xpcs_status prepare_output(xpcs_run *x, xpcs_err *err)
{
    xpcs_status st = x->root ? find_metadata(x, err) : XPCS_OK;
    if (x->root && !st) {
        const xpcs_config *c = x->cfg;
        struct stat sb;
        if (stat(c->output, &sb) != 0) {
            if ((errno = xpcs_mkdir_p(c->output, 0775)) != 0) /* with parents, as boost_corr */
                st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create the output directory: %s",
                               c->output, strerror(errno));
        }
        else if (!S_ISDIR(sb.st_mode))
            st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                           "%s: not a directory: expected the output "
                           "directory",
                           c->output);
        /* root passes access(); a directory with no write bit at all is
         * still meant to be read-only, so refuse it as well */
        if (!st && (access(c->output, W_OK | X_OK) != 0 ||
                    (stat(c->output, &sb) == 0 && (sb.st_mode & 0222) == 0)))
            st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                           "%s: output directory is not writable: expected a directory where "
                           "the result can be created",
                           c->output);
        if (!st &&
            xpcs_result_name_as_boost(c->output, c->raw, x->have_meta ? x->meta_path : NULL,
                                      c->prefix, c->suffix, x->out_path, sizeof x->out_path, err))
            st = XPCS_ERR_OUTPUT; /* the name does not fit: an output error here */
        /* a single run without -w takes the next free name (_1, _2, ...) as boost_corr;
         * a batch's file (quiet) never does: an existing result is a finished file */
        if (!st && !c->overwrite && !c->quiet)
            st = xpcs_result_name_unique(x->out_path, sizeof x->out_path, err);
        struct stat rb; /* lstat: a link there counts too (it is never followed) */
        if (!st && !c->overwrite && lstat(x->out_path, &rb) == 0)
            st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                           "%s: result file exists: use -w/--overwrite to replace it", x->out_path);
        if (!st) /* a killed run's leftovers; never a live run's */
            xpcs_outputs_remove_stale(x->out_path);
    }
    st = xpcs_comm_agree(x->comm, st, err);
    if (!st) /* every rank knows the result's name (batch groups use it) */
        xpcs_comm_bcast(x->comm, x->out_path, sizeof x->out_path, 0);
    return st;
}

static double default_budget(const xpcs_comm *c)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    double ram = pages > 0 && psz > 0 ? (double)pages * (double)psz : 4.0 * (1 << 30);
    return 0.5 * ram / xpcs_comm_node_size(c);
}

/* Frames, pixels, the stages and their memory (deterministic: every rank
 * fails the same way). */
static xpcs_status make_plan(xpcs_run *x, xpcs_err *err)
{
    const xpcs_config *c = x->cfg;
    int64_t frames, rows, cols;
    x->src->ops->dims(x->src, &frames, &rows, &cols);
    const int event_file = x->src->ops->event_file;
    xpcs_status st = XPCS_OK;
    if (rows != x->qmap.rows || cols != x->qmap.cols)
        st =
            xpcs_fail(err, XPCS_ERR_INPUT,
                      "%s: /qmap maps have shape (%lld, %lld): expected the frame shape (%lld, "
                      "%lld) of %s%s%s",
                      c->qmap, (long long)x->qmap.rows, (long long)x->qmap.cols, (long long)rows,
                      (long long)cols, c->raw, event_file ? "" : ":", event_file ? "" : c->dataset);
    if (!st)
        st = xpcs_plan_frames(frames, c->begin_frame, c->end_frame, c->stride_frame, c->avg_frame,
                              &x->plan, c->raw, err);
    if (st)
        return st;
    unsigned char *sel = xpcs_malloc((size_t)x->qmap.n_dq + 1);
    st = xpcs_parse_bin_selection(c->dq_selection, x->qmap.n_dq, sel, err);
    free(sel);
    if (st)
        return st;
    int64_t step_values; /* a step's values in the all-to-all, in 64 bits */
    if (c->step_frames > 0 &&
        (__builtin_mul_overflow(c->step_frames, x->qmap.n_corr, &step_values) ||
         step_values >= INT32_MAX))
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "--step-frames %lld: too large for %lld pixels (all-to-all counts "
                         "must stay below 2^31)",
                         (long long)c->step_frames, (long long)x->qmap.n_corr);
    const int whole_bins =
        c->analysis == XPCS_ANALYSIS_TWOTIME || c->analysis == XPCS_ANALYSIS_BOTH;
    x->plan.mem_budget = /* before the decomposition: a small budget makes smaller steps */
        c->max_memory_mb > 0 ? c->max_memory_mb * 1048576.0 : default_budget(x->comm);
    xpcs_plan_decompose(&x->plan, x->n_ranks, omp_get_max_threads(), rows, cols, x->qmap.n_corr,
                        x->src->ops->type(x->src), c->step_frames, whole_bins ? x->qmap.n_corr : 0);
    st = xpcs_plan_stages(&x->plan, c, &x->qmap, x->rank, event_file, err);
    if (st)
        return st;
    x->own_first = x->plan.pix_first[x->rank];
    x->n_own = x->plan.pix_first[x->rank + 1] - x->own_first;
    return XPCS_OK;
}

/* The kernels: --kernel auto measures the occupancy of the first frames
 * (collective: the same read the run starts with). */
static xpcs_status choose_kernels(xpcs_run *x, xpcs_err *err)
{
    double occ = -1;
    xpcs_status st = XPCS_OK;
    if (xpcs_plan_needs_occupancy(&x->plan, x->cfg))
        st = x->src->ops->occupancy(x->src, &x->plan, &occ, err);
    if (!st)
        st = xpcs_comm_agree(x->comm, xpcs_plan_kernels(&x->plan, x->cfg, occ, err), err);
    x->occupancy = x->plan.occupancy;
    return st;
}

/* io.measure_storage_bandwidth: a bare read of the raw file; otherwise the
 * configured io.storage_bandwidth_gbps (0 = unknown). */
static xpcs_status storage_bandwidth(xpcs_run *x, xpcs_err *err)
{
    const xpcs_siteopts *so = &x->cfg->site;
    x->storage_gbps = so->storage_bandwidth_gbps;
    x->storage_source = x->storage_gbps > 0 ? "config" : "none";
    if (!so->measure_storage_bandwidth)
        return XPCS_OK;
    double gbps = 0.0, bytes = 0.0;
    xpcs_status st = xpcs_iobench_read(x->comm, x->cfg->raw, 0.0, &gbps, &bytes, err);
    if (st)
        return st;
    x->storage_gbps = gbps;
    x->storage_source = "measured";
    if (x->root) {
        fprintf(stderr,
                "xpcs-corr: storage: bare read of %.3f GB of %s on %d rank(s): %.2f GB/s (put "
                "io: {storage_bandwidth_gbps: %.2f} in the site config to skip this read)\n",
                bytes / 1e9, x->cfg->raw, x->n_ranks, gbps, gbps);
    }
    return XPCS_OK;
}

/* Rank 0, -v or --dry-run: the options, the settings and the plan; the
 * last line is the plan as the result records it.  -n prints it on stdout
 * (boost_corr's dry run prints its arguments there), -v on stderr: stdout
 * of a run holds only the result path. */
static void print_plan(const xpcs_run *x)
{
    const xpcs_config *c = x->cfg;
    FILE *out = c->dry_run ? stdout : stderr;
    xpcs_config_print(c, out);
    xpcs_settings_print(c, out);
    xpcs_plan_print(&x->plan, out);
    if (x->src->filters[0])
        fprintf(out, "plan: %s filters: %s\n", c->dataset, x->src->filters);
    fprintf(out, "plan: q-map %s: %d dynamic, %d static bins, %lld valid pixels%s\n", c->qmap,
            x->qmap.n_dq, x->qmap.n_sq, (long long)x->qmap.n_valid,
            x->qmap.n_nonnested ? " (static bins reassigned to a majority dynamic bin)" : "");
    char kname[64];
    xpcs_plan_kernel_name(&x->plan, kname, sizeof kname);
    if (c->verbose && x->occupancy >= 0)
        fprintf(out, "kernel: %s (--kernel %s, occupancy %.3g in the first frames)\n", kname,
                xpcs_kernel_name(c->kernel), x->occupancy);
    else if (c->verbose)
        fprintf(out, "kernel: %s (--kernel %s)\n", kname, xpcs_kernel_name(c->kernel));
    char *json = xpcs_plan_json(&x->plan);
    fprintf(out, "plan: json %s\n", json);
    free(json);
    fflush(out);
}

xpcs_status xpcs_run_setup(xpcs_run *x, int *done, xpcs_err *err)
{
    const xpcs_config *c = x->cfg;
    *done = 0;
    xpcs_status st = storage_bandwidth(x, err);
    if (st)
        return st;
    xpcs_timer_start(&x->tm, XPCS_T_TOTAL);
    xpcs_timer_start(&x->tm, XPCS_T_PLAN);
    st = load_qmap(x, err);
    xpcs_timer_stop(&x->tm, XPCS_T_PLAN);
    if (st)
        return st;
    xpcs_timer_start(&x->tm, XPCS_T_OPEN);
    st = xpcs_source_open(x->comm, c, &x->tm, &x->src, err);
    xpcs_timer_stop(&x->tm, XPCS_T_OPEN);
    if (st)
        return st;
    xpcs_timer_start(&x->tm, XPCS_T_PLAN);
    st = xpcs_comm_agree(x->comm, make_plan(x, err), err);
    if (!st)
        st = choose_kernels(x, err);
    if (!st && !c->dry_run)
        st = prepare_output(x, err);
    xpcs_timer_stop(&x->tm, XPCS_T_PLAN);
    if (st)
        return st;
    if (x->root && (c->verbose || c->dry_run))
        print_plan(x);
    *done = c->dry_run;
    return XPCS_OK;
}

xpcs_status xpcs_run_create_stages(xpcs_run *x, xpcs_err *err)
{
    const xpcs_config *c = x->cfg;
    const xpcs_plan *p = &x->plan;
    x->own_sq = xpcs_malloc(sizeof(int32_t) * (size_t)(x->n_own ? x->n_own : 1));
    x->own_dq = xpcs_malloc(sizeof(int32_t) * (size_t)(x->n_own ? x->n_own : 1));
    for (int64_t i = 0; i < x->n_own; i++) {
        int64_t px = x->qmap.corr_pixel[x->own_first + i];
        x->own_sq[i] = x->qmap.smap[px];
        x->own_dq[i] = x->qmap.dmap[px];
    }
    xpcs_status st = XPCS_OK;
    if (p->do_multitau)
        st = xpcs_mtkernel_create(p->sparse_multitau, p->n_frames, x->n_own, &x->mt, err);
    if (!st && p->do_multitau && c->num_partial_g2 > 0) /* the plan made it dense */
        x->part = xpcs_partial_create(p->n_frames, c->num_partial_g2, xpcs_mtkernel_n_delays(x->mt),
                                      x->qmap.n_dq);
    st = xpcs_comm_agree(x->comm, st, err);
    if (!st && p->do_linear)
        st = xpcs_linstage_create(x->comm, c, p, x->n_own, &x->lin, err);
    if (st)
        return st;
    if (p->do_twotime)
        x->tt = xpcs_ttstage_create(p, x->rank, c->raw, c->site.maps_to_root);
    x->saxs =
        xpcs_saxs_create(p->rows * p->cols, p->n_frames, x->qmap.mask, x->qmap.smap, x->qmap.n_sq);
    x->frame_sum = xpcs_calloc((size_t)p->n_frames, sizeof(double));
    return XPCS_OK;
}
