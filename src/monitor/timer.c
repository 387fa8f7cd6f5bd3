#include "xpcs/monitor/timer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The one table of phases: name, depth in the hierarchy, busy (useful CPU
 * work) or not.  Order = xpcs_timer_id. */
static const struct {
    const char *name;
    int depth;
    int busy;
} timer_table[XPCS_T_COUNT] = {{"total", 0, 0},    {"plan", 1, 1},         {"open", 1, 1},
                               {"read", 1, 1},     {"decode", 1, 1},       {"extract", 1, 1},
                               {"saxs", 1, 1},     {"redistribute", 1, 0}, {"pack", 2, 1},
                               {"exchange", 2, 0}, {"multitau", 1, 1},     {"linear", 1, 1},
                               {"reduce", 1, 1},   {"twotime", 1, 1},      {"write", 1, 1}};

static const char *const counter_names[XPCS_C_COUNT] = {
    "bytes_read",         "bytes_sent",          "bytes_received",
    "frames_read",        "pixel_frames",        "map_bytes_written",
    "map_chunks_written", "others_maps_seconds", "steps_overlapped"};

const char *xpcs_timer_name(xpcs_timer_id id)
{
    return (id >= 0 && id < XPCS_T_COUNT) ? timer_table[id].name : "?";
}

int xpcs_timer_depth(xpcs_timer_id id)
{
    return (id >= 0 && id < XPCS_T_COUNT) ? timer_table[id].depth : 0;
}

int xpcs_timer_is_busy(xpcs_timer_id id)
{
    return (id >= 0 && id < XPCS_T_COUNT) ? timer_table[id].busy : 0;
}

const char *xpcs_counter_name(xpcs_counter_id id)
{
    return (id >= 0 && id < XPCS_C_COUNT) ? counter_names[id] : "?";
}

int xpcs_timing_enabled(void)
{
#ifdef XPCS_NO_TIMING
    return 0;
#else
    return 1;
#endif
}

/* CPU seconds of the whole process (all threads), or of the calling
 * thread (t->thread_cpu). */
static double cpu_now(const xpcs_timers *t)
{
    struct timespec ts;
    if (clock_gettime(t->thread_cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The process's communication totals as a step row. */
static void comm_now(double *row)
{
    xpcs_comm_count k[XPCS_COLL_COUNT], sum;
    xpcs_comm_counts(k);
    xpcs_comm_counts_total(k, &sum);
    row[XPCS_SC_BYTES_OUT] = sum.bytes_out;
    row[XPCS_SC_BYTES_IN] = sum.bytes_in;
    row[XPCS_SC_MSGS_OUT] = sum.msgs_out;
    row[XPCS_SC_MSGS_IN] = sum.msgs_in;
    row[XPCS_SC_SECONDS] = sum.seconds;
}

void xpcs_timers_init(xpcs_timers *t, const xpcs_comm *c)
{
    memset(t, 0, sizeof *t);
    xpcs_comm_counts(t->comm0);
    comm_now(t->comm_mark);
    for (int i = 0; i < XPCS_T_COUNT; i++) {
        t->first_start[i] = -1.0;
        t->last_stop[i] = -1.0;
    }
    xpcs_comm_barrier(c);
    t->origin = xpcs_comm_wtime();
}

void xpcs_timers_free(xpcs_timers *t)
{
    free(t->step_comm);
    t->step_comm = NULL;
    t->n_steps = t->steps_cap = 0;
}

void xpcs_timer_step(xpcs_timers *t)
{
    double now[XPCS_SC_COUNT];
    comm_now(now);
    t->step_comm = xpcs_grow_keep(t->step_comm, &t->steps_cap, (t->n_steps + 1) * XPCS_SC_COUNT,
                                  sizeof(double));
    for (int k = 0; k < XPCS_SC_COUNT; k++) {
        t->step_comm[t->n_steps * XPCS_SC_COUNT + k] = now[k] - t->comm_mark[k];
        t->comm_mark[k] = now[k];
    }
    t->n_steps++;
}

void xpcs_timer_comm(const xpcs_timers *t, xpcs_comm_count *out)
{
    xpcs_comm_counts(out);
    for (int k = 0; k < XPCS_COLL_COUNT; k++) {
        out[k].calls -= t->comm0[k].calls;
        out[k].msgs_out -= t->comm0[k].msgs_out;
        out[k].msgs_in -= t->comm0[k].msgs_in;
        out[k].bytes_out -= t->comm0[k].bytes_out;
        out[k].bytes_in -= t->comm0[k].bytes_in;
        out[k].seconds -= t->comm0[k].seconds;
    }
}

void xpcs_timer_start_(xpcs_timers *t, xpcs_timer_id id)
{
    t->start[id] = xpcs_comm_wtime();
    t->cpu_start[id] = cpu_now(t);
    if (t->first_start[id] < 0)
        t->first_start[id] = t->start[id] - t->origin;
}

void xpcs_timer_stop_(xpcs_timers *t, xpcs_timer_id id)
{
    double now = xpcs_comm_wtime();
    t->total[id] += now - t->start[id];
    t->cpu[id] += cpu_now(t) - t->cpu_start[id];
    t->last_stop[id] = now - t->origin;
}

void xpcs_timers_cpu_clock(xpcs_timers *t, int thread_only)
{
    t->thread_cpu = thread_only;
}

void xpcs_timer_add_(xpcs_timers *t, xpcs_timer_id id, double wall_s, double cpu_s)
{
    double now = xpcs_comm_wtime();
    t->total[id] += wall_s;
    t->cpu[id] += cpu_s;
    if (t->first_start[id] < 0)
        t->first_start[id] = now - wall_s - t->origin;
    t->last_stop[id] = now - t->origin;
}
