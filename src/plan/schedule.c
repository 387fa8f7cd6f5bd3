#include "xpcs/plan/schedule.h"

#include <stdlib.h>
#include <string.h>

double xpcs_sched_file_time(double w, int g)
{
    if (g < 1)
        g = 1;
    double eff = 1.0 / (1.0 + XPCS_SCHED_LOSS * (double)(g - 1));
    return XPCS_SCHED_OVERHEAD + w / (XPCS_SCHED_RATE * (double)g * eff);
}

double xpcs_sched_makespan(int n, const double *t, const int *order, int n_groups)
{
    if (n_groups < 1 || n < 1)
        return 0.0;
    double *busy = xpcs_calloc((size_t)n_groups, sizeof(double));
    for (int i = 0; i < n; i++) {
        int best = 0;
        for (int g = 1; g < n_groups; g++)
            if (busy[g] < busy[best])
                best = g;
        busy[best] += t[order[i]];
    }
    double m = 0.0;
    for (int g = 0; g < n_groups; g++)
        if (busy[g] > m)
            m = busy[g];
    free(busy);
    return m;
}

void xpcs_sched_order(int n, const double *w, int *order)
{
    /* insertion sort: stable, n is the number of files */
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && w[order[j - 1]] < w[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

void xpcs_layout_make(int n_ranks, int g, xpcs_layout *out)
{
    memset(out, 0, sizeof *out);
    if (g < 1)
        g = 1;
    out->n_ranks = n_ranks;
    out->base_size = g;
    out->group_of_rank = xpcs_malloc(sizeof(int) * (size_t)n_ranks);
    int workers = n_ranks - 1;
    int n = workers / g;
    if (n_ranks < 3 || n < 2) { /* one group of every rank */
        out->scheduler = 0;
        out->n_groups = 1;
        out->group_size = xpcs_malloc(sizeof(int));
        out->group_first = xpcs_malloc(sizeof(int));
        out->group_size[0] = n_ranks;
        out->group_first[0] = 0;
        for (int r = 0; r < n_ranks; r++)
            out->group_of_rank[r] = 0;
        return;
    }
    out->scheduler = 1;
    out->n_groups = n;
    out->group_size = xpcs_malloc(sizeof(int) * (size_t)n);
    out->group_first = xpcs_malloc(sizeof(int) * (size_t)n);
    out->group_of_rank[0] = -1;
    int left = workers - n * g, r = 1;
    for (int k = 0; k < n; k++) {
        out->group_size[k] = g + left / n + (k < left % n ? 1 : 0);
        out->group_first[k] = r;
        for (int i = 0; i < out->group_size[k]; i++)
            out->group_of_rank[r++] = k;
    }
}

void xpcs_layout_free(xpcs_layout *l)
{
    free(l->group_of_rank);
    free(l->group_size);
    free(l->group_first);
    memset(l, 0, sizeof *l);
}

/* Predicted batch time of groups of g ranks (g = n_ranks: one group). */
static double predict(int n_ranks, int g, int n_jobs, const double *w, const int *order, double *t)
{
    xpcs_layout l;
    xpcs_layout_make(n_ranks, g, &l);
    /* the smallest group bounds every file's time (conservative) */
    int gmin = l.group_size[0];
    for (int k = 1; k < l.n_groups; k++)
        if (l.group_size[k] < gmin)
            gmin = l.group_size[k];
    for (int i = 0; i < n_jobs; i++)
        t[i] = xpcs_sched_file_time(w[i], gmin);
    double m = xpcs_sched_makespan(n_jobs, t, order, l.n_groups);
    xpcs_layout_free(&l);
    return m;
}

xpcs_status xpcs_layout_choose(int n_ranks, int ranks_per_file, int min_group, int n_jobs,
                               const double *w, xpcs_layout *out, xpcs_err *err)
{
    if (n_ranks < 1)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "layout: %d ranks", n_ranks);
    int *order = xpcs_malloc(sizeof(int) * (size_t)(n_jobs > 0 ? n_jobs : 1));
    double *t = xpcs_malloc(sizeof(double) * (size_t)(n_jobs > 0 ? n_jobs : 1));
    xpcs_sched_order(n_jobs, w, order);
    int g_best;
    double best;
    if (ranks_per_file > 0) {
        g_best = ranks_per_file < n_ranks ? ranks_per_file : n_ranks;
        best = predict(n_ranks, g_best, n_jobs, w, order, t);
    }
    else {
        if (min_group < 1)
            min_group = 1;
        /* one group of every rank first: ties keep it (fewer groups) */
        g_best = n_ranks;
        best = predict(n_ranks, n_ranks, n_jobs, w, order, t);
        /* candidates with >= 2 groups, largest groups first */
        for (int g = (n_ranks - 1) / 2; g >= min_group; g--) {
            double m = predict(n_ranks, g, n_jobs, w, order, t);
            if (m < best) {
                best = m;
                g_best = g;
            }
        }
    }
    xpcs_layout_make(n_ranks, g_best, out);
    out->predicted_s = best;
    free(order);
    free(t);
    return XPCS_OK;
}
