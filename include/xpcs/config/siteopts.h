/* siteopts: the settings an HPC site sets once (threading, memory, io,
 * monitoring), as plain data inside xpcs_config (config.h).  Their rows
 * (section, key, XPCS_* variable, limits, default) are in xpcs-corr's option
 * table (config.c); here: what the rows cannot say by themselves.
 */
#ifndef XPCS_SITEOPTS_H
#define XPCS_SITEOPTS_H

#include "xpcs/config/options.h"
#include "xpcs/core/status.h"
#include "xpcs/kernels/quality.h"
#include "xpcs/monitor/health.h"
#include "xpcs/monitor/progress.h"

/* io.overlap: whether the frame pipeline reads step k + 1 while the
 * kernels correlate step k (pipeline/framestream.c). */
typedef enum { XPCS_OVERLAP_AUTO = 0, XPCS_OVERLAP_ON, XPCS_OVERLAP_OFF } xpcs_overlap;

typedef struct {
    int num_threads;            /* threading.num_threads, 0 = OpenMP's default */
    int enable_profiling;       /* monitoring.enable_profiling: profile JSON + table */
    int enable_report;          /* monitoring.enable_report: HTML report */
    int progress;               /* monitoring.progress: xpcs_progress_mode */
    double progress_interval_s; /* monitoring.progress_interval_s (batch logs) */
    int fail_on_critical;       /* monitoring.fail_on_critical */
    xpcs_threshold threshold[XPCS_IND_COUNT]; /* monitoring.{alert,critical}_threshold_* */
    double storage_bandwidth_gbps;            /* io.storage_bandwidth_gbps, 0 = unknown */
    int measure_storage_bandwidth;            /* io.measure_storage_bandwidth */
    int maps_to_root;          /* io.maps_to_root: two-time map chunks written by rank 0 only */
    int overlap;               /* io.overlap: xpcs_overlap */
    xpcs_quality_opts quality; /* quality.*, --auto-mask (data quality) */
} xpcs_siteopts;

/* The health thresholds' defaults (monitor/health.h) and the data-quality
 * thresholds' (kernels/quality.h); the other fields' defaults are in their
 * rows. */
void xpcs_siteopts_default(xpcs_siteopts *s);
/* Each indicator's critical threshold lies beyond its alert threshold. */
xpcs_status xpcs_siteopts_check(const xpcs_siteopts *s, xpcs_err *err);
/* monitoring.progress: auto, live, lines or off (a boolean: auto / off). */
extern const xpcs_opt_codec xpcs_progress_codec;

#endif
