/* Unit tests of pipeline/kworker: the job runs on another thread, wait
 * returns only after it ended, its wall time, and its CPU time without the
 * main thread's (which works meanwhile, as the reader does); a job posted
 * alone runs one OpenMP thread and counts only its own thread's CPU. */
#define _POSIX_C_SOURCE 200809L
#include <omp.h>
#include <pthread.h>
#include <time.h>

#include "testhelp.h"
#include "xpcs/pipeline/kworker.h"

typedef struct {
    pthread_t ran_on;
    volatile int done;
    double spin_s;
    int threads; /* omp_get_max_threads() inside the job */
} job;

static double cpu_thread_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Burns s seconds of this thread's CPU. */
static void spin(double s)
{
    const double t0 = cpu_thread_s();
    volatile double x = 0.0;
    while (cpu_thread_s() - t0 < s)
        for (int i = 0; i < 1000; i++)
            x += 1.0;
}

static void run(void *arg)
{
    job *j = arg;
    j->ran_on = pthread_self();
    j->threads = omp_get_max_threads();
    spin(j->spin_s);
    j->done = 1;
}

int main(void)
{
    xpcs_kworker *w = xpcs_kworker_create();
    test_cond("worker starts", w != NULL);
    if (!w)
        return test_report();
    job j = {.spin_s = 0.15};
    double wall = -1.0, cpu = -1.0;
    xpcs_kworker_post(w, run, &j);
    spin(0.3); /* the main thread works meanwhile (the next step's read) */
    xpcs_kworker_wait(w, &wall, &cpu);
    test_cond("the job ran on another thread", j.done && !pthread_equal(j.ran_on, pthread_self()));
    test_cond("wall time of the job", wall >= 0.15);
    /* 0.15 s of its own; the main thread's 0.3 s not counted */
    test_cond("CPU time of the job only", cpu >= 0.1 && cpu < 0.25);

    j = (job){.spin_s = 0.05};
    xpcs_kworker_post(w, run, &j);
    xpcs_kworker_wait(w, &wall, &cpu); /* no work here: wait must block */
    test_cond("wait returns after the job ended", j.done == 1);
    xpcs_kworker_wait(w, &wall, &cpu);
    test_cond("wait without a job returns at once with zeros", wall == 0.0 && cpu == 0.0);

    /* the job's OpenMP threads are the poster's count, whatever the
     * environment's default (a pthread starts from the default) */
    const int before = omp_get_max_threads();
    int seen[2];
    for (int k = 0; k < 2; k++) {
        omp_set_num_threads(before + 2 + k);
        j = (job){.spin_s = 0.0};
        xpcs_kworker_post(w, run, &j);
        xpcs_kworker_wait(w, &wall, &cpu);
        seen[k] = j.threads;
    }
    omp_set_num_threads(before);
    test_cond("the job runs the poster's OpenMP thread count",
              seen[0] == before + 2 && seen[1] == before + 3);

    /* alone: one OpenMP thread, and the CPU is the worker's own while a
     * second worker also works (the event pipeline's SAXS job) */
    xpcs_kworker *w2 = xpcs_kworker_create();
    test_cond("a second worker starts", w2 != NULL);
    if (w2) {
        job j2 = {.spin_s = 0.2};
        omp_set_num_threads(before + 2);
        j = (job){.spin_s = 0.1};
        xpcs_kworker_post_alone(w, run, &j);
        xpcs_kworker_post(w2, run, &j2);
        spin(0.1);
        double wall2, cpu2;
        xpcs_kworker_wait(w, &wall, &cpu);
        xpcs_kworker_wait(w2, &wall2, &cpu2);
        omp_set_num_threads(before);
        test_cond("a job alone runs one OpenMP thread", j.threads == 1 && j2.threads == before + 2);
        /* 0.1 s of its own; neither the main thread's 0.1 s nor the other
         * worker's 0.2 s counted */
        test_cond("a job alone: CPU time of its own thread only", cpu >= 0.07 && cpu < 0.17);
        xpcs_kworker_destroy(&w2);
    }

    j = (job){.spin_s = 0.05};
    xpcs_kworker_post(w, run, &j);
    xpcs_kworker_destroy(&w); /* waits for the posted job */
    test_cond("destroy waits for a posted job", j.done == 1 && w == NULL);
    return test_report();
}
