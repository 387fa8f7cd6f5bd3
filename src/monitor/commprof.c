/* commprof: see include/xpcs/monitor/commprof.h. */
#include "xpcs/monitor/commprof.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char *const fields[6] = {"calls",     "msgs_out", "msgs_in",
                                      "bytes_out", "bytes_in", "seconds"};

void xpcs_commprof_pack(const xpcs_timers *t, double *v)
{
    xpcs_comm_count k[XPCS_COLL_COUNT];
    xpcs_timer_comm(t, k);
    for (int i = 0; i < XPCS_COLL_COUNT; i++) {
        double *o = v + 6 * i;
        o[0] = k[i].calls;
        o[1] = k[i].msgs_out;
        o[2] = k[i].msgs_in;
        o[3] = k[i].bytes_out;
        o[4] = k[i].bytes_in;
        o[5] = k[i].seconds;
    }
}

void xpcs_commprof_steps(const xpcs_timers *t, const xpcs_comm *c, double **sum, double **max,
                         int64_t *n)
{
    /* every rank goes through the same steps; the largest count, padded */
    double nd = (double)t->n_steps;
    xpcs_comm_allreduce_max_double(c, &nd, 1);
    const int64_t ns = (int64_t)nd;
    const int64_t len = ns * XPCS_SC_COUNT;
    double *s = xpcs_calloc((size_t)len + 1, sizeof(double));
    double *m = xpcs_calloc((size_t)len + 1, sizeof(double));
    const int64_t mine = (t->n_steps < ns ? t->n_steps : ns) * XPCS_SC_COUNT;
    if (mine > 0) {
        memcpy(s, t->step_comm, sizeof(double) * (size_t)mine);
        memcpy(m, t->step_comm, sizeof(double) * (size_t)mine);
    }
    if (len > 0) {
        xpcs_comm_reduce_sum_double(c, s, len, 0);
        xpcs_comm_allreduce_max_double(c, m, (int)len);
    }
    *n = ns;
    if (xpcs_comm_is_root(c)) {
        *sum = s;
        *max = m;
        return;
    }
    free(s);
    free(m);
    *sum = *max = NULL;
}

static cJSON *counts_json(const double *v, int only_used)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < XPCS_COLL_COUNT; i++) {
        const double *k = v + 6 * i;
        if (only_used && !(k[0] > 0))
            continue;
        cJSON *e = cJSON_AddObjectToObject(o, xpcs_coll_name((xpcs_coll)i));
        for (int f = 0; f < 6; f++)
            cJSON_AddNumberToObject(e, fields[f], k[f]);
    }
    return o;
}

cJSON *xpcs_commprof_rank_json(const double *v)
{
    return counts_json(v, 1);
}

static cJSON *array(const double *a, int64_t n, int k)
{
    cJSON *arr = cJSON_CreateArray();
    for (int64_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(a[i * XPCS_SC_COUNT + k]));
    return arr;
}

cJSON *xpcs_commprof_json(const double *const *v_rank, int n_ranks, const double *sum,
                          const double *max, int64_t n_steps)
{
    double tot[XPCS_COMMPROF_LEN] = {0}, mx[XPCS_COMMPROF_LEN] = {0};
    for (int r = 0; r < n_ranks; r++)
        for (int i = 0; i < XPCS_COMMPROF_LEN; i++) {
            tot[i] += v_rank[r][i];
            mx[i] = v_rank[r][i] > mx[i] ? v_rank[r][i] : mx[i];
        }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "total", counts_json(tot, 1));
    cJSON_AddItemToObject(o, "largest_rank", counts_json(mx, 1));
    cJSON *st = cJSON_AddObjectToObject(o, "steps");
    cJSON_AddNumberToObject(st, "n", (double)n_steps);
    static const char *const names[XPCS_SC_COUNT] = {"bytes_out", "bytes_in", "msgs_out", "msgs_in",
                                                     "seconds"};
    for (int k = 0; k < XPCS_SC_COUNT && sum && max; k++) {
        char key[32];
        snprintf(key, sizeof key, "%s_sum", names[k]);
        cJSON_AddItemToObject(st, key, array(sum, n_steps, k));
        snprintf(key, sizeof key, "%s_max", names[k]);
        cJSON_AddItemToObject(st, key, array(max, n_steps, k));
    }
    return o;
}
