/* commprof: the communication part of the profile -- per rank, by kind of
 * MPI call (calls, messages and bytes to and from other ranks, seconds);
 * per pipeline step, summed and maximal over the ranks.  What the scaling
 * model (tools/scaling_model.py) reads. */
#ifndef XPCS_COMMPROF_H
#define XPCS_COMMPROF_H

#include <stdint.h>

#include "xpcs/monitor/timer.h"
#include "xpcs/parallel/comm.h"

/* Doubles of one rank's counts in the gathered vector. */
#define XPCS_COMMPROF_LEN (XPCS_COLL_COUNT * 6)

/* This rank's counts of the run (calls, msgs_out, msgs_in, bytes_out,
 * bytes_in, seconds per kind) into v[XPCS_COMMPROF_LEN]. */
void xpcs_commprof_pack(const xpcs_timers *t, double *v);

/* Per step over the ranks (collective): on rank 0 *sum and *max get
 * [*n][XPCS_SC_COUNT] (free them), elsewhere NULL. */
void xpcs_commprof_steps(const xpcs_timers *t, const xpcs_comm *c, double **sum, double **max,
                         int64_t *n);

struct cJSON;
/* rank_json: one rank's counts v as {kind: {...}} (kinds with calls only). */
struct cJSON *xpcs_commprof_rank_json(const double *v);
/* The run's: totals over the ranks by kind, the largest rank by kind, and
 * the steps; v_rank(r) = rank r's counts. */
struct cJSON *xpcs_commprof_json(const double *const *v_rank, int n_ranks, const double *sum,
                                 const double *max, int64_t n_steps);

#endif
