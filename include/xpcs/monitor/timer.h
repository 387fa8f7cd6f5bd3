/* timer: per-rank phase timers and work counters (CoMD performanceTimers
 * pattern).  The only place the pipeline measures itself.
 *
 * One enum and one table (name, parent, whether the phase counts as busy
 * time); XPCS_NO_TIMING (CMake option XPCS_ENABLE_TIMING=OFF) compiles
 * start/stop away.  Per phase and rank the module keeps
 *   - wall seconds (xpcs_comm_wtime), summed over every start/stop pair,
 *   - process CPU seconds over the same intervals (CLOCK_PROCESS_CPUTIME_ID:
 *     every thread of the rank, so an interval where T threads work counts
 *     about T times its wall time),
 *   - the first start and the last stop, relative to the run's origin (set
 *     after a barrier, so ranks on different nodes share a time base),
 * plus counters (bytes read, bytes exchanged, pixel-frames computed) that
 * are always on.  Cross-rank reduction, the table and the JSON profile live
 * in profile.h.  Phases that never ran on any rank are left out of the
 * profile (CoMD), so a run shows only the stages it has.
 */
#ifndef XPCS_TIMER_H
#define XPCS_TIMER_H

#include <stdio.h>

#include "xpcs/parallel/comm.h"

typedef enum {
    XPCS_T_TOTAL = 0,
    XPCS_T_PLAN,
    XPCS_T_OPEN,
    XPCS_T_READ,
    XPCS_T_DECODE,  /* event words -> events (Rigaku modules placed on the canvas) */
    XPCS_T_EXTRACT, /* dense frames -> events (non-zero pixels) */
    XPCS_T_SAXS,
    XPCS_T_REDISTRIBUTE, /* parent of pack + exchange */
    XPCS_T_PACK,
    XPCS_T_EXCHANGE,
    XPCS_T_MULTITAU,
    XPCS_T_LINEAR, /* the linear-lag kernel (FFT blocks) */
    XPCS_T_REDUCE,
    XPCS_T_TWOTIME, /* two-time maps: products, normalization, diagonal means */
    XPCS_T_WRITE,
    XPCS_T_COUNT
} xpcs_timer_id;

typedef enum {
    XPCS_C_BYTES_READ = 0,   /* decoded frame bytes delivered by the reader */
    XPCS_C_BYTES_SENT,       /* all-to-all bytes sent to other ranks */
    XPCS_C_BYTES_RECEIVED,   /* all-to-all bytes received from other ranks */
    XPCS_C_FRAMES_READ,      /* output frames this rank read */
    XPCS_C_PIXEL_FRAMES,     /* pixel-frames pushed through the multitau kernel */
    XPCS_C_MAP_BYTES,        /* two-time map bytes (compressed) this rank wrote into the result */
    XPCS_C_MAP_CHUNKS,       /* two-time map chunks this rank wrote into the result */
    XPCS_C_MAP_SERVE_S,      /* rank 0: seconds on other ranks' map chunks (their space
                                reserved; written, where a rank sends its bytes) */
    XPCS_C_STEPS_OVERLAPPED, /* frame pipeline steps whose kernels ran beside the next read */
    XPCS_C_COUNT
} xpcs_counter_id;

/* Per step of the pipeline, this rank's communication (all MPI calls of the
 * step): bytes and messages to and from other ranks, seconds in MPI. */
enum {
    XPCS_SC_BYTES_OUT = 0,
    XPCS_SC_BYTES_IN,
    XPCS_SC_MSGS_OUT,
    XPCS_SC_MSGS_IN,
    XPCS_SC_SECONDS,
    XPCS_SC_COUNT
};

typedef struct {
    double origin; /* wtime of the run's start (after a barrier) */
    double start[XPCS_T_COUNT];
    double cpu_start[XPCS_T_COUNT];
    double total[XPCS_T_COUNT];       /* wall seconds */
    double cpu[XPCS_T_COUNT];         /* process CPU seconds */
    double first_start[XPCS_T_COUNT]; /* relative to origin; -1 = never */
    double last_stop[XPCS_T_COUNT];
    double count[XPCS_C_COUNT];
    /* communication (parallel/comm's totals): at the run's start, at the
     * last step mark, and per step */
    xpcs_comm_count comm0[XPCS_COLL_COUNT];
    double comm_mark[XPCS_SC_COUNT];
    double *step_comm; /* [n_steps][XPCS_SC_COUNT] */
    int64_t n_steps, steps_cap;
    int thread_cpu; /* 1: phases take the calling thread's CPU (xpcs_timers_cpu_clock) */
} xpcs_timers;

/* Table lookups.  Names have no leading spaces; depth gives the hierarchy
 * (0 total, 1 phases, 2 sub-phases).  A phase is "busy" when its CPU time
 * is useful work: the communication phase (exchange) and the parents
 * (total, redistribute) are not. */
const char *xpcs_timer_name(xpcs_timer_id id);
int xpcs_timer_depth(xpcs_timer_id id);
int xpcs_timer_is_busy(xpcs_timer_id id);
const char *xpcs_counter_name(xpcs_counter_id id);
/* 1 when the timers are compiled in. */
int xpcs_timing_enabled(void);

/* Zeroes everything; origin = now.  Collective: a barrier first, so the
 * origins of all ranks agree to within the barrier's skew. */
void xpcs_timers_init(xpcs_timers *t, const xpcs_comm *c);
void xpcs_timers_free(xpcs_timers *t);
/* End of a pipeline step: this rank's communication since the last mark
 * becomes the step's row. */
void xpcs_timer_step(xpcs_timers *t);
/* This rank's communication of the run so far, by kind (out[XPCS_COLL_COUNT]). */
void xpcs_timer_comm(const xpcs_timers *t, xpcs_comm_count *out);
/* thread_only 1: the phases timed from now on count the calling thread's
 * CPU seconds, not the process's: for serial phases of the main thread
 * while workers run jobs whose CPU they report themselves (the event
 * pipeline).  Switch only while no phase but total is being timed. */
void xpcs_timers_cpu_clock(xpcs_timers *t, int thread_only);
void xpcs_timer_start_(xpcs_timers *t, xpcs_timer_id id);
void xpcs_timer_stop_(xpcs_timers *t, xpcs_timer_id id);
/* An interval of phase id that ran on another thread and ended now (the
 * step's kernels while the next step was read): wall and CPU seconds as it
 * measured them.  Called by the thread that owns the timers. */
void xpcs_timer_add_(xpcs_timers *t, xpcs_timer_id id, double wall_s, double cpu_s);

static inline void xpcs_counter_add(xpcs_timers *t, xpcs_counter_id id, double v)
{
    t->count[id] += v;
}

#ifdef XPCS_NO_TIMING
#define xpcs_timer_start(t, id) ((void)sizeof(t), (void)sizeof(id))
#define xpcs_timer_stop(t, id) ((void)sizeof(t), (void)sizeof(id))
#define xpcs_timer_add(t, id, w, c) ((void)sizeof(t), (void)sizeof(id), (void)(w), (void)(c))
#else
#define xpcs_timer_start(t, id) xpcs_timer_start_((t), (id))
#define xpcs_timer_stop(t, id) xpcs_timer_stop_((t), (id))
#define xpcs_timer_add(t, id, w, c) xpcs_timer_add_((t), (id), (w), (c))
#endif

#endif
