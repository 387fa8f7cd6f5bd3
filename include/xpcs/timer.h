/* timer: per-rank phase timers (CoMD performanceTimers pattern).
 *
 * One enum and one names table; XPCS_NO_TIMING compiles start/stop away.
 * Times are MPI_Wtime seconds, summed over every start/stop pair of a phase.
 * xpcs_timer_report() reduces them to rank 0: min / mean / max over ranks
 * with the rank that holds the min and the max, and the imbalance
 * max/mean - 1.
 */
#ifndef XPCS_TIMER_H
#define XPCS_TIMER_H

#include <stdio.h>

#include "xpcs/comm.h"

typedef enum {
    XPCS_T_TOTAL = 0,
    XPCS_T_PLAN,
    XPCS_T_OPEN,
    XPCS_T_READ,
    XPCS_T_SAXS,
    XPCS_T_PACK,
    XPCS_T_EXCHANGE,
    XPCS_T_MULTITAU,
    XPCS_T_REDUCE,
    XPCS_T_WRITE,
    XPCS_T_COUNT
} xpcs_timer_id;

typedef struct {
    double start[XPCS_T_COUNT];
    double total[XPCS_T_COUNT];
    double first_start[XPCS_T_COUNT]; /* earliest start, for phase wall time */
    double last_stop[XPCS_T_COUNT];
} xpcs_timers;

const char *xpcs_timer_name(xpcs_timer_id id);
void xpcs_timers_init(xpcs_timers *t);
void xpcs_timer_start_(xpcs_timers *t, xpcs_timer_id id);
void xpcs_timer_stop_(xpcs_timers *t, xpcs_timer_id id);

#ifdef XPCS_NO_TIMING
#define xpcs_timer_start(t, id) ((void)0)
#define xpcs_timer_stop(t, id) ((void)0)
#else
#define xpcs_timer_start(t, id) xpcs_timer_start_((t), (id))
#define xpcs_timer_stop(t, id) xpcs_timer_stop_((t), (id))
#endif

/* Collective.  Rank 0 prints the table to out (may be NULL on others).
 * phase_max receives, on every rank, the max over ranks of each phase. */
void xpcs_timer_report(const xpcs_timers *t, const xpcs_comm *c, FILE *out,
                       double phase_max[XPCS_T_COUNT]);

#endif
