/* kworker: one job at a time on a second thread of the rank, so the frame
 * pipeline can correlate step k while the main thread reads step k + 1
 * (issue 14: overlap).  The job must not call MPI or HDF5: both stay on
 * the main thread (MPI_THREAD_FUNNELED; HDF5 is not built thread-safe). */
#ifndef XPCS_KWORKER_H
#define XPCS_KWORKER_H

typedef struct xpcs_kworker xpcs_kworker;

/* Starts the thread; NULL if it cannot be started (then run jobs inline).
 * Create, post, wait and destroy from the same (main) thread. */
xpcs_kworker *xpcs_kworker_create(void);
/* Runs fn(arg) on the worker; at most one job posted at a time. */
void xpcs_kworker_post(xpcs_kworker *w, void (*fn)(void *arg), void *arg);
/* The same with one OpenMP thread, for a job that runs beside other
 * threads of the rank (another worker): its CPU seconds (wait's cpu_s) are
 * the worker thread's own. */
void xpcs_kworker_post_alone(xpcs_kworker *w, void (*fn)(void *arg), void *arg);
/* Waits for the posted job (returns at once if none).  wall_s: the job's
 * seconds; cpu_s: the process's CPU seconds over the job less the main
 * thread's own (so the reading it did meanwhile is not counted twice). */
void xpcs_kworker_wait(xpcs_kworker *w, double *wall_s, double *cpu_s);
/* 1 while a posted job still runs (does not wait). */
int xpcs_kworker_busy(xpcs_kworker *w);
/* CPU seconds of the process's other threads than the caller so far: what
 * the job used while the caller read is taken off the read's CPU time. */
double xpcs_kworker_others_cpu(void);
/* Waits for a posted job, stops the thread. */
void xpcs_kworker_destroy(xpcs_kworker **w);

#endif
