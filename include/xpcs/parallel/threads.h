/* threads: how many OpenMP threads a rank runs, and why.
 *
 * An explicit setting (--threads / threading.num_threads) wins, then
 * OMP_NUM_THREADS; otherwise a rank takes the cores of its affinity mask
 * divided by the ranks of its node whose masks overlap its own (at least 1),
 * so that `mpirun -np 2` on 2 cores runs 2 x 1 and never 2 x 2.  When the
 * ranks x threads of a node exceed the cores its ranks may run on, the node's
 * first rank prints one warning line.
 */
#ifndef XPCS_THREADS_H
#define XPCS_THREADS_H

#include <stdio.h>

#include "xpcs/core/status.h"
#include "xpcs/parallel/comm.h"

#define XPCS_THREADS_SETTING "--threads"
#define XPCS_THREADS_ENV "OMP_NUM_THREADS"
#define XPCS_THREADS_AFFINITY "affinity/ranks-per-node"

typedef struct {
    int n;              /* OpenMP threads of this rank (0: not chosen yet) */
    const char *source; /* one of the XPCS_THREADS_* names above */
    int cpus;           /* CPUs in this rank's affinity mask */
    int sharing;        /* ranks on the node whose masks overlap it, itself included */
    int node_ranks;     /* ranks of the communicator on this node */
    int node_cpus;      /* CPUs in the union of the node's masks */
    int node_threads;   /* threads of all the node's ranks together */
} xpcs_threads;

/* Collective over c.  setting > 0: that many threads; otherwise
 * OMP_NUM_THREADS (as OpenMP read it) when set, else the affinity rule.
 * Applies the count (omp_set_num_threads) and, on the node's first rank,
 * warns on stderr as `prog: warning: ...` when the node is oversubscribed. */
xpcs_status xpcs_threads_choose(const xpcs_comm *c, int setting, const char *prog, xpcs_threads *t,
                                xpcs_err *err);
/* One line for -v: "threads: 1 per rank (affinity/ranks-per-node: ...)". */
void xpcs_threads_print(const xpcs_threads *t, FILE *out);

#endif
