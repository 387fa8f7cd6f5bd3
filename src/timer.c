#include "xpcs/timer.h"

#include <stdlib.h>
#include <string.h>

static const char *const timer_names[XPCS_T_COUNT] = {
    "total", "  plan", "  open", "  read", "  saxs", "  pack", "  exchange", "  multitau",
    "  reduce", "  write"};

const char *xpcs_timer_name(xpcs_timer_id id)
{
    return (id >= 0 && id < XPCS_T_COUNT) ? timer_names[id] : "?";
}

void xpcs_timers_init(xpcs_timers *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < XPCS_T_COUNT; i++)
        t->first_start[i] = -1.0;
}

void xpcs_timer_start_(xpcs_timers *t, xpcs_timer_id id)
{
    t->start[id] = xpcs_comm_wtime();
    if (t->first_start[id] < 0)
        t->first_start[id] = t->start[id];
}

void xpcs_timer_stop_(xpcs_timers *t, xpcs_timer_id id)
{
    double now = xpcs_comm_wtime();
    t->total[id] += now - t->start[id];
    t->last_stop[id] = now;
}

void xpcs_timer_report(const xpcs_timers *t, const xpcs_comm *c, FILE *out,
                       double phase_max[XPCS_T_COUNT])
{
    int n = xpcs_comm_size(c);
    int root = xpcs_comm_is_root(c);
    double *all = root ? xpcs_malloc(sizeof(double) * (size_t)n) : NULL;
    double mx[XPCS_T_COUNT];
    memcpy(mx, t->total, sizeof mx);
    xpcs_comm_allreduce_max_double(c, mx, XPCS_T_COUNT);
    if (phase_max)
        memcpy(phase_max, mx, sizeof mx);
    if (root && out)
        fprintf(out, "%-12s %10s %10s %10s %8s %8s %9s\n", "phase", "min_s", "mean_s", "max_s",
                "min@rk", "max@rk", "imbalance");
    for (int i = 0; i < XPCS_T_COUNT; i++) {
        xpcs_comm_gather_double(c, t->total[i], all, 0);
        if (!root || !out || mx[i] <= 0.0)
            continue;
        double lo = all[0], hi = all[0], sum = 0.0;
        int rlo = 0, rhi = 0;
        for (int r = 0; r < n; r++) {
            sum += all[r];
            if (all[r] < lo) {
                lo = all[r];
                rlo = r;
            }
            if (all[r] > hi) {
                hi = all[r];
                rhi = r;
            }
        }
        double mean = sum / n;
        fprintf(out, "%-12s %10.4f %10.4f %10.4f %8d %8d %8.1f%%\n", timer_names[i], lo, mean, hi,
                rlo, rhi, mean > 0 ? 100.0 * (hi / mean - 1.0) : 0.0);
    }
    free(all);
}
