/* kworker: a second thread that runs one job at a time (see
 * include/xpcs/pipeline/kworker.h).  A persistent thread, so the OpenMP
 * team it starts for the kernels is made once, not once per step. */
#define _POSIX_C_SOURCE 200809L
#include "xpcs/pipeline/kworker.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "xpcs/core/status.h"

enum { W_IDLE, W_POSTED, W_DONE, W_QUIT };

struct xpcs_kworker {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state;
    void (*fn)(void *);
    void *arg;
    int threads;        /* the poster's OpenMP thread count, for the job */
    int alone;          /* the job runs on this thread only: its CPU is this thread's */
    clockid_t main_cpu; /* the main thread's CPU clock */
    double wall, cpu;   /* of the last job */
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *loop(void *p)
{
    xpcs_kworker *w = p;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->state != W_POSTED && w->state != W_QUIT)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->state == W_QUIT)
            break;
        pthread_mutex_unlock(&w->mu);
        /* OpenMP's thread count is per thread: a thread made with
         * pthread_create starts from the environment's default (all the
         * cores without OMP_NUM_THREADS), not from the count the run chose */
        omp_set_num_threads(w->threads);
        const double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID),
                     m0 = clock_s(w->main_cpu), s0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        w->fn(w->arg);
        const double m1 = clock_s(w->main_cpu), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        w->wall = clock_s(CLOCK_MONOTONIC) - t0;
        /* alone: other threads (another worker) may run meanwhile, so only
         * this thread's own clock is the job's */
        w->cpu = w->alone ? clock_s(CLOCK_THREAD_CPUTIME_ID) - s0 : (c1 - c0) - (m1 - m0);
        pthread_mutex_lock(&w->mu);
        w->state = W_DONE;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

xpcs_kworker *xpcs_kworker_create(void)
{
    xpcs_kworker *w = xpcs_calloc(1, sizeof *w);
    if (pthread_getcpuclockid(pthread_self(), &w->main_cpu) != 0)
        w->main_cpu = CLOCK_THREAD_CPUTIME_ID; /* read on the worker: 0 */
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->state = W_IDLE;
    if (pthread_create(&w->th, NULL, loop, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

static void post(xpcs_kworker *w, void (*fn)(void *arg), void *arg, int alone)
{
    pthread_mutex_lock(&w->mu);
    w->fn = fn;
    w->arg = arg;
    w->threads = alone ? 1 : omp_get_max_threads();
    w->alone = alone;
    w->state = W_POSTED;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void xpcs_kworker_post(xpcs_kworker *w, void (*fn)(void *arg), void *arg)
{
    post(w, fn, arg, 0);
}

void xpcs_kworker_post_alone(xpcs_kworker *w, void (*fn)(void *arg), void *arg)
{
    post(w, fn, arg, 1);
}

void xpcs_kworker_wait(xpcs_kworker *w, double *wall_s, double *cpu_s)
{
    pthread_mutex_lock(&w->mu);
    while (w->state == W_POSTED)
        pthread_cond_wait(&w->cv, &w->mu);
    const int ran = w->state == W_DONE;
    w->state = W_IDLE;
    pthread_mutex_unlock(&w->mu);
    *wall_s = ran ? w->wall : 0.0;
    *cpu_s = ran ? (w->cpu > 0.0 ? w->cpu : 0.0) : 0.0;
}

int xpcs_kworker_busy(xpcs_kworker *w)
{
    pthread_mutex_lock(&w->mu);
    const int busy = w->state == W_POSTED;
    pthread_mutex_unlock(&w->mu);
    return busy;
}

double xpcs_kworker_others_cpu(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID) - clock_s(CLOCK_THREAD_CPUTIME_ID);
}

void xpcs_kworker_destroy(xpcs_kworker **wp)
{
    if (!wp || !*wp)
        return;
    xpcs_kworker *w = *wp;
    double a, b;
    xpcs_kworker_wait(w, &a, &b);
    pthread_mutex_lock(&w->mu);
    w->state = W_QUIT;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
    *wp = NULL;
}
