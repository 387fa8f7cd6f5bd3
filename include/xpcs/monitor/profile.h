/* profile: the run's per-rank timers and counters reduced to rank 0, the
 * health indicators, the short table printed at the end of a run and the
 * profile JSON (OUTDIR/<stem>_profile.json; schema in README "Profile").
 *
 * Definitions (all from the timer module's numbers):
 *   wall            latest end of "total" minus earliest start, over ranks
 *   phase span      latest end minus earliest start of a phase over ranks
 *   imbalance       max over ranks / mean over ranks - 1 (per phase)
 *   throughput      detector pixels x raw frames read / wall (end to end)
 *   read bandwidth  sum of decoded bytes read / slowest rank's read time
 *   busy time       a rank's CPU seconds in busy phases (timer.h) / threads
 *   parallel eff.   sum of busy CPU seconds / (wall x sum of threads)
 *   load balance    mean busy time / max busy time
 *   memory          max peak RSS over ranks / memory budget per rank
 *   I/O efficiency  read bandwidth / storage bandwidth (bare read)
 */
#ifndef XPCS_PROFILE_H
#define XPCS_PROFILE_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/parallel/comm.h"
#include "xpcs/parallel/threads.h"
#include "xpcs/monitor/health.h"
#include "xpcs/core/status.h"
#include "xpcs/monitor/timer.h"

/* What the pipeline tells the profile about the run (this rank's view;
 * everything but n_own and threads is the same on every rank). */
typedef struct {
    const char *program, *raw, *result;
    int64_t frames;     /* output frames (after stride / avg) */
    int64_t raw_frames; /* raw frames read = frames * avg */
    int64_t rows, cols, n_corr, n_delays, step_frames, n_steps;
    int64_t n_own;                    /* pixels this rank correlates */
    int threads;                      /* OpenMP threads of this rank */
    xpcs_threads threads_how;         /* how they were chosen (source NULL: not recorded) */
    double mem_budget, mem_estimate;  /* bytes per rank */
    double storage_gbps;              /* 0 = unknown */
    const char *storage_source;       /* "config", "measured" or "none" */
    const xpcs_threshold *thresholds; /* [XPCS_IND_COUNT], NULL: the defaults */
} xpcs_profile_run;

typedef struct xpcs_profile xpcs_profile;

/* Resets this process's peak-RSS mark (Linux /proc/self/clear_refs), so
 * the peak measured at the end belongs to this run.  Best effort. */
void xpcs_profile_reset_peak_rss(void);

/* Collective.  Returns the reduced profile on rank 0 (free with
 * xpcs_profile_destroy) and NULL on the other ranks. */
xpcs_profile *xpcs_profile_gather(const xpcs_timers *t, const xpcs_comm *c,
                                  const xpcs_profile_run *run);
void xpcs_profile_destroy(xpcs_profile **p);

double xpcs_profile_wall(const xpcs_profile *p);
double xpcs_profile_throughput(const xpcs_profile *p); /* pixel-frames/s */
double xpcs_profile_read_gbps(const xpcs_profile *p);  /* GB/s */
double xpcs_profile_bytes_read(const xpcs_profile *p); /* all ranks */
double xpcs_profile_phase_max(const xpcs_profile *p, xpcs_timer_id id);
double xpcs_profile_indicator(const xpcs_profile *p, xpcs_indicator_id id); /* percent */
xpcs_health xpcs_profile_status(const xpcs_profile *p, xpcs_indicator_id id);
/* Worst status over the indicators; why receives the critical ones, e.g.
 * "memory 97.1 % > 95 %" ("" when none). */
xpcs_health xpcs_profile_worst(const xpcs_profile *p, char *why, size_t n);

/* The short table (phases, throughput, indicators). */
void xpcs_profile_print(const xpcs_profile *p, FILE *out);
/* The profile as JSON text; free() it. */
char *xpcs_profile_json(const xpcs_profile *p);
/* Writes the JSON to path through a temporary (core/publish.h), replacing
 * a file there. */
xpcs_status xpcs_profile_write(const xpcs_profile *p, const char *path, xpcs_err *err);

#endif
