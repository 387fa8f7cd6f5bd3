/* siteopts: the settings an HPC site sets once (threading, memory, io,
 * monitoring), as plain data inside xpcs_config (config.h).  Parsing,
 * environment variables, the YAML file and the effective configuration are
 * in settings.h.
 */
#ifndef XPCS_SITEOPTS_H
#define XPCS_SITEOPTS_H

#include "xpcs/monitor/health.h"
#include "xpcs/monitor/progress.h"

#define XPCS_SETTINGS_MAX 32

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
    unsigned char source[XPCS_SETTINGS_MAX];  /* xpcs_setting_source per setting */
} xpcs_siteopts;

#endif
