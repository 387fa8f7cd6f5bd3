#include "xpcs/monitor/profile.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "xpcs/core/publish.h"
#include "xpcs/monitor/commprof.h"
#include "xpcs/monitor/provenance.h"

#define HOST_LEN 64
/* Per-rank vector gathered onto rank 0: wall, cpu, first start, last stop
 * per phase, the counters, then peak RSS, threads, pixels owned. */
#define V_WALL 0
#define V_CPU (V_WALL + XPCS_T_COUNT)
#define V_FIRST (V_CPU + XPCS_T_COUNT)
#define V_LAST (V_FIRST + XPCS_T_COUNT)
#define V_COUNT (V_LAST + XPCS_T_COUNT)
#define V_RSS (V_COUNT + XPCS_C_COUNT)
#define V_THREADS (V_RSS + 1)
#define V_OWN (V_THREADS + 1)
#define V_COMM (V_OWN + 1) /* communication by kind (commprof.h) */
#define V_LEN (V_COMM + XPCS_COMMPROF_LEN)

typedef struct {
    double min, mean, max, span, cpu_mean;
    int min_rank, max_rank, ran;
} phase_stat;

struct xpcs_profile {
    xpcs_profile_run run; /* strings copied below */
    char program[64], raw[4096], result[4096], storage_source[16];
    xpcs_threshold threshold[XPCS_IND_COUNT];
    int n_ranks, n_nodes, timing;
    double *v;                   /* [n_ranks][V_LEN] */
    double *step_sum, *step_max; /* [n_steps][XPCS_SC_COUNT] over the ranks */
    int64_t n_steps;
    char *hosts; /* [n_ranks][HOST_LEN] */
    phase_stat ph[XPCS_T_COUNT];
    double counts[XPCS_C_COUNT]; /* sums over ranks */
    double wall, throughput, corr_throughput, read_gbps, efficiency, load_balance;
    double rss_max;
    int rss_rank;
    double ind[XPCS_IND_COUNT];
    xpcs_health status[XPCS_IND_COUNT];
    char created[32];
};

void xpcs_profile_reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* Peak resident set size in bytes: VmHWM (reset per run), else getrusage. */
static double peak_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    double kb = -1.0;
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "VmHWM:", 6) == 0) {
                kb = strtod(line + 6, NULL);
                break;
            }
        fclose(f);
    }
    if (kb < 0) {
        struct rusage ru;
        kb = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss : 0.0;
    }
    return kb * 1024.0;
}

static double rv(const xpcs_profile *p, int r, int k)
{
    return p->v[(size_t)r * V_LEN + (size_t)k];
}

static void reduce_phases(xpcs_profile *p)
{
    for (int i = 0; i < XPCS_T_COUNT; i++) {
        phase_stat *s = &p->ph[i];
        double lo = INFINITY, hi = -INFINITY, sum = 0.0, cpu = 0.0;
        double first = INFINITY, last = -INFINITY;
        for (int r = 0; r < p->n_ranks; r++) {
            double w = rv(p, r, V_WALL + i);
            sum += w;
            cpu += rv(p, r, V_CPU + i);
            if (w < lo) {
                lo = w;
                s->min_rank = r;
            }
            if (w > hi) {
                hi = w;
                s->max_rank = r;
            }
            if (rv(p, r, V_FIRST + i) >= 0) {
                s->ran = 1;
                first = fmin(first, rv(p, r, V_FIRST + i));
                last = fmax(last, rv(p, r, V_LAST + i));
            }
        }
        s->min = lo;
        s->max = hi;
        s->mean = sum / p->n_ranks;
        s->cpu_mean = cpu / p->n_ranks;
        s->span = s->ran ? last - first : 0.0;
    }
}

/* A phase is in the profile when it ran on some rank (all of them when the
 * timers are compiled out: nothing "ran" then). */
static int listed(const xpcs_profile *p, int i)
{
    return !p->timing || p->ph[i].ran;
}

static double rank_busy_cpu(const xpcs_profile *p, int r)
{
    double b = 0.0;
    for (int i = 0; i < XPCS_T_COUNT; i++)
        if (xpcs_timer_is_busy((xpcs_timer_id)i))
            b += rv(p, r, V_CPU + i);
    return b;
}

static void derive(xpcs_profile *p)
{
    const xpcs_profile_run *run = &p->run;
    reduce_phases(p);
    p->wall = p->ph[XPCS_T_TOTAL].span;
    for (int k = 0; k < XPCS_C_COUNT; k++) {
        p->counts[k] = 0.0;
        for (int r = 0; r < p->n_ranks; r++)
            p->counts[k] += rv(p, r, V_COUNT + k);
    }
    double pf = (double)run->rows * (double)run->cols * (double)run->raw_frames;
    p->throughput = p->wall > 0 ? pf / p->wall : 0.0;
    p->corr_throughput = p->wall > 0 ? p->counts[XPCS_C_PIXEL_FRAMES] / p->wall : 0.0;
    double tread = p->ph[XPCS_T_READ].max;
    p->read_gbps = tread > 0 ? p->counts[XPCS_C_BYTES_READ] / tread / 1e9 : 0.0;

    double busy_cpu = 0.0, threads = 0.0, busy_max = 0.0, busy_sum = 0.0;
    p->rss_max = -1.0;
    for (int r = 0; r < p->n_ranks; r++) {
        double b = rank_busy_cpu(p, r), t = fmax(1.0, rv(p, r, V_THREADS));
        busy_cpu += b;
        threads += t;
        busy_sum += b / t;
        busy_max = fmax(busy_max, b / t);
        if (rv(p, r, V_RSS) > p->rss_max) {
            p->rss_max = rv(p, r, V_RSS);
            p->rss_rank = r;
        }
    }
    p->efficiency = p->timing && p->wall > 0 ? 100.0 * busy_cpu / (p->wall * threads) : NAN;
    p->load_balance = busy_max > 0 ? busy_sum / p->n_ranks / busy_max : NAN;
    p->ind[XPCS_IND_EFFICIENCY] = p->efficiency;
    p->ind[XPCS_IND_MEMORY] = run->mem_budget > 0 ? 100.0 * p->rss_max / run->mem_budget : NAN;
    p->ind[XPCS_IND_IO] =
        run->storage_gbps > 0 && p->read_gbps > 0 ? 100.0 * p->read_gbps / run->storage_gbps : NAN;
    for (int i = 0; i < XPCS_IND_COUNT; i++)
        p->status[i] = xpcs_health_classify((xpcs_indicator_id)i, p->ind[i], p->threshold[i]);

    p->n_nodes = 0;
    for (int r = 0; r < p->n_ranks; r++) {
        int seen = 0;
        for (int q = 0; q < r && !seen; q++)
            seen = strncmp(p->hosts + (size_t)q * HOST_LEN, p->hosts + (size_t)r * HOST_LEN,
                           HOST_LEN) == 0;
        p->n_nodes += !seen;
    }
}

xpcs_profile *xpcs_profile_gather(const xpcs_timers *t, const xpcs_comm *c,
                                  const xpcs_profile_run *run)
{
    double mine[V_LEN];
    memcpy(mine + V_WALL, t->total, sizeof t->total);
    memcpy(mine + V_CPU, t->cpu, sizeof t->cpu);
    memcpy(mine + V_FIRST, t->first_start, sizeof t->first_start);
    memcpy(mine + V_LAST, t->last_stop, sizeof t->last_stop);
    memcpy(mine + V_COUNT, t->count, sizeof t->count);
    mine[V_RSS] = peak_rss();
    mine[V_THREADS] = run->threads;
    mine[V_OWN] = (double)run->n_own;
    xpcs_commprof_pack(t, mine + V_COMM);
    char host[HOST_LEN];
    memset(host, 0, sizeof host);
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "unknown");

    const int root = xpcs_comm_is_root(c), n = xpcs_comm_size(c);
    xpcs_profile *p = NULL;
    double *all = NULL;
    char *hosts = NULL;
    if (root) {
        all = xpcs_malloc(sizeof(double) * (size_t)n * V_LEN);
        hosts = xpcs_calloc((size_t)n, HOST_LEN);
    }
    xpcs_comm_gather_doubles(c, mine, V_LEN, all, 0);
    xpcs_comm_gather_bytes(c, host, HOST_LEN, hosts, 0);
    double *step_sum = NULL, *step_max = NULL;
    int64_t n_steps = 0;
    xpcs_commprof_steps(t, c, &step_sum, &step_max, &n_steps);
    if (!root)
        return NULL;

    p = xpcs_calloc(1, sizeof *p);
    p->run = *run;
    snprintf(p->program, sizeof p->program, "%s", run->program ? run->program : "xpcs");
    snprintf(p->raw, sizeof p->raw, "%s", run->raw ? run->raw : "");
    snprintf(p->result, sizeof p->result, "%s", run->result ? run->result : "");
    snprintf(p->storage_source, sizeof p->storage_source, "%s",
             run->storage_source ? run->storage_source : "none");
    p->run.program = p->run.raw = p->run.result = p->run.storage_source = NULL;
    for (int i = 0; i < XPCS_IND_COUNT; i++)
        p->threshold[i] =
            run->thresholds ? run->thresholds[i] : xpcs_indicator_default((xpcs_indicator_id)i);
    p->run.thresholds = NULL;
    p->n_ranks = n;
    p->timing = xpcs_timing_enabled();
    p->v = all;
    p->hosts = hosts;
    p->step_sum = step_sum;
    p->step_max = step_max;
    p->n_steps = n_steps;
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(p->created, sizeof p->created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    derive(p);
    return p;
}

void xpcs_profile_destroy(xpcs_profile **p)
{
    if (!p || !*p)
        return;
    free((*p)->v);
    free((*p)->hosts);
    free((*p)->step_sum);
    free((*p)->step_max);
    free(*p);
    *p = NULL;
}

double xpcs_profile_wall(const xpcs_profile *p)
{
    return p->wall;
}
double xpcs_profile_throughput(const xpcs_profile *p)
{
    return p->throughput;
}
double xpcs_profile_read_gbps(const xpcs_profile *p)
{
    return p->read_gbps;
}
double xpcs_profile_bytes_read(const xpcs_profile *p)
{
    return p->counts[XPCS_C_BYTES_READ];
}
double xpcs_profile_phase_max(const xpcs_profile *p, xpcs_timer_id id)
{
    return p->ph[id].max;
}
double xpcs_profile_indicator(const xpcs_profile *p, xpcs_indicator_id id)
{
    return p->ind[id];
}
xpcs_health xpcs_profile_status(const xpcs_profile *p, xpcs_indicator_id id)
{
    return p->status[id];
}

static const char *rel(xpcs_indicator_id id, int target)
{
    int hb = xpcs_indicator_higher_is_better(id);
    return (hb ^ !target) ? ">" : "<";
}

xpcs_health xpcs_profile_worst(const xpcs_profile *p, char *why, size_t n)
{
    xpcs_health worst = XPCS_HEALTH_UNKNOWN;
    size_t used = 0;
    if (why && n)
        why[0] = '\0';
    for (int i = 0; i < XPCS_IND_COUNT; i++) {
        if (p->status[i] > worst)
            worst = p->status[i];
        if (p->status[i] == XPCS_HEALTH_CRITICAL && why && used < n) {
            int k = snprintf(why + used, n - used, "%s%s %.1f %% %s %g %%", used ? ", " : "",
                             xpcs_indicator_name((xpcs_indicator_id)i), p->ind[i],
                             rel((xpcs_indicator_id)i, 0), p->threshold[i].critical);
            if (k > 0)
                used += (size_t)k;
        }
    }
    return worst;
}

static const char *human_bytes(double b, char *buf, size_t n)
{
    if (b >= 1e9)
        snprintf(buf, n, "%.2f GB", b / 1e9);
    else if (b >= 1e6)
        snprintf(buf, n, "%.1f MB", b / 1e6);
    else
        snprintf(buf, n, "%.0f kB", b / 1e3);
    return buf;
}

void xpcs_profile_print(const xpcs_profile *p, FILE *out)
{
    fprintf(out, "profile: %d rank(s) x %d thread(s) on %d node(s), wall %.3f s%s\n", p->n_ranks,
            (int)rv(p, 0, V_THREADS), p->n_nodes, p->wall,
            p->timing ? "" : " (timers compiled out: XPCS_ENABLE_TIMING=OFF)");
    fprintf(out, "%-16s %9s %9s %9s %6s %6s %7s %9s\n", "phase", "min_s", "mean_s", "max_s",
            "min@rk", "max@rk", "imbal", "span_s");
    for (int i = 0; i < XPCS_T_COUNT; i++) {
        const phase_stat *s = &p->ph[i];
        if (!s->ran)
            continue;
        char name[32];
        snprintf(name, sizeof name, "%*s%s", 2 * xpcs_timer_depth((xpcs_timer_id)i), "",
                 xpcs_timer_name((xpcs_timer_id)i));
        fprintf(out, "%-16s %9.4f %9.4f %9.4f %6d %6d %6.1f%% %9.4f\n", name, s->min, s->mean,
                s->max, s->min_rank, s->max_rank,
                s->mean > 0 ? 100.0 * (s->max / s->mean - 1.0) : 0.0, s->span);
    }
    char b1[32], b2[32], b3[32], lb[16];
    if (isnan(p->load_balance))
        snprintf(lb, sizeof lb, "n/a");
    else
        snprintf(lb, sizeof lb, "%.2f", p->load_balance);
    fprintf(out,
            "throughput %.3g pixel-frames/s; read %s at %.2f GB/s; exchanged %s; peak RSS %s "
            "(rank %d); load balance %s\n",
            p->throughput, human_bytes(p->counts[XPCS_C_BYTES_READ], b1, sizeof b1), p->read_gbps,
            human_bytes(p->counts[XPCS_C_BYTES_SENT], b2, sizeof b2),
            human_bytes(p->rss_max, b3, sizeof b3), p->rss_rank, lb);
    for (int i = 0; i < XPCS_IND_COUNT; i++) {
        xpcs_indicator_id id = (xpcs_indicator_id)i;
        char val[32];
        if (isnan(p->ind[i]))
            snprintf(val, sizeof val, "n/a");
        else
            snprintf(val, sizeof val, "%.1f %%", p->ind[i]);
        fprintf(out, "health: %-20s %9s  (target %s %g %%, critical %s %g %%)  %s%s\n",
                xpcs_indicator_name(id), val, rel(id, 1), p->threshold[i].target, rel(id, 0),
                p->threshold[i].critical, xpcs_health_name(p->status[i]),
                id == XPCS_IND_IO && isnan(p->ind[i])
                    ? " (storage bandwidth unknown: set io.storage_bandwidth_gbps or "
                      "io.measure_storage_bandwidth)"
                    : "");
    }
}

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void add_num(cJSON *o, const char *k, double v)
{
    cJSON_AddItemToObject(o, k, num_or_null(v));
}

/* How rank 0's thread count was chosen (parallel/threads.h). */
static void add_threads(cJSON *r, const xpcs_threads *th)
{
    if (!th->source)
        return;
    cJSON_AddStringToObject(r, "threads_source", th->source);
    cJSON *tc = cJSON_AddObjectToObject(r, "threads_choice");
    cJSON_AddNumberToObject(tc, "threads", th->n);
    cJSON_AddStringToObject(tc, "source", th->source);
    cJSON_AddNumberToObject(tc, "cpus_in_mask", th->cpus);
    cJSON_AddNumberToObject(tc, "ranks_sharing_them", th->sharing);
    cJSON_AddNumberToObject(tc, "node_ranks", th->node_ranks);
    cJSON_AddNumberToObject(tc, "node_cpus", th->node_cpus);
    cJSON_AddNumberToObject(tc, "node_threads", th->node_threads);
}

char *xpcs_profile_json(const xpcs_profile *p)
{
    const xpcs_profile_run *run = &p->run;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "xpcs-toolkit/profile");
    cJSON_AddNumberToObject(root, "schema_version", 1);
    cJSON_AddStringToObject(root, "program", p->program);
    cJSON_AddStringToObject(root, "version", XPCS_VERSION);
    cJSON_AddStringToObject(root, "created", p->created);
    cJSON_AddStringToObject(root, "raw", p->raw);
    cJSON_AddStringToObject(root, "result", p->result);
    cJSON_AddBoolToObject(root, "timing_enabled", p->timing);
    cJSON_AddItemToObject(root, "build", xpcs_provenance_json());

    cJSON *r = cJSON_AddObjectToObject(root, "run");
    cJSON_AddNumberToObject(r, "n_ranks", p->n_ranks);
    cJSON_AddNumberToObject(r, "threads_per_rank", rv(p, 0, V_THREADS));
    cJSON_AddNumberToObject(r, "n_nodes", p->n_nodes);
    add_threads(r, &run->threads_how);
    cJSON_AddNumberToObject(r, "frames", (double)run->frames);
    cJSON_AddNumberToObject(r, "raw_frames", (double)run->raw_frames);
    cJSON_AddNumberToObject(r, "rows", (double)run->rows);
    cJSON_AddNumberToObject(r, "cols", (double)run->cols);
    cJSON_AddNumberToObject(r, "correlated_pixels", (double)run->n_corr);
    cJSON_AddNumberToObject(r, "delays", (double)run->n_delays);
    cJSON_AddNumberToObject(r, "step_frames", (double)run->step_frames);
    cJSON_AddNumberToObject(r, "steps", (double)run->n_steps);

    cJSON *s = cJSON_AddObjectToObject(root, "summary");
    add_num(s, "wall_s", p->wall);
    add_num(s, "pixel_frames_per_s", p->throughput);
    add_num(s, "correlated_pixel_frames_per_s", p->corr_throughput);
    add_num(s, "read_gb_per_s", p->read_gbps);
    add_num(s, "bytes_read", p->counts[XPCS_C_BYTES_READ]);
    add_num(s, "bytes_exchanged", p->counts[XPCS_C_BYTES_SENT]);
    add_num(s, "pixel_frames_computed", p->counts[XPCS_C_PIXEL_FRAMES]);
    add_num(s, "parallel_efficiency", p->efficiency / 100.0);
    add_num(s, "load_balance", p->load_balance);
    add_num(s, "peak_rss_max_bytes", p->rss_max);
    cJSON_AddNumberToObject(s, "peak_rss_max_rank", p->rss_rank);
    add_num(s, "memory_budget_bytes", run->mem_budget);
    add_num(s, "memory_estimate_bytes", run->mem_estimate);
    add_num(s, "storage_gb_per_s", run->storage_gbps > 0 ? run->storage_gbps : NAN);
    cJSON_AddStringToObject(s, "storage_source", p->storage_source);

    cJSON *ph = cJSON_AddObjectToObject(root, "phases");
    for (int i = 0; i < XPCS_T_COUNT; i++) {
        const phase_stat *st = &p->ph[i];
        if (!listed(p, i))
            continue;
        cJSON *o = cJSON_AddObjectToObject(ph, xpcs_timer_name((xpcs_timer_id)i));
        cJSON_AddNumberToObject(o, "depth", xpcs_timer_depth((xpcs_timer_id)i));
        cJSON_AddBoolToObject(o, "busy", xpcs_timer_is_busy((xpcs_timer_id)i));
        add_num(o, "min_s", st->min);
        cJSON_AddNumberToObject(o, "min_rank", st->min_rank);
        add_num(o, "mean_s", st->mean);
        add_num(o, "max_s", st->max);
        cJSON_AddNumberToObject(o, "max_rank", st->max_rank);
        add_num(o, "imbalance", st->mean > 0 ? st->max / st->mean - 1.0 : 0.0);
        add_num(o, "span_s", st->span);
        add_num(o, "cpu_mean_s", st->cpu_mean);
    }

    cJSON *ind = cJSON_AddObjectToObject(root, "indicators");
    for (int i = 0; i < XPCS_IND_COUNT; i++) {
        xpcs_indicator_id id = (xpcs_indicator_id)i;
        cJSON *o = cJSON_AddObjectToObject(ind, xpcs_indicator_name(id));
        add_num(o, "value_pct", p->ind[i]);
        add_num(o, "target_pct", p->threshold[i].target);
        add_num(o, "critical_pct", p->threshold[i].critical);
        cJSON_AddStringToObject(o, "better",
                                xpcs_indicator_higher_is_better(id) ? "higher" : "lower");
        cJSON_AddStringToObject(o, "status", xpcs_health_name(p->status[i]));
    }
    char why[512];
    cJSON_AddStringToObject(root, "health",
                            xpcs_health_name(xpcs_profile_worst(p, why, sizeof why)));

    const double **vr = xpcs_malloc(sizeof(double *) * (size_t)p->n_ranks);
    for (int rk = 0; rk < p->n_ranks; rk++)
        vr[rk] = p->v + (size_t)rk * V_LEN + V_COMM;
    cJSON_AddItemToObject(root, "comm",
                          xpcs_commprof_json(vr, p->n_ranks, p->step_sum, p->step_max, p->n_steps));
    free(vr);
    cJSON *ranks = cJSON_AddArrayToObject(root, "ranks");
    for (int rk = 0; rk < p->n_ranks; rk++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "rank", rk);
        cJSON_AddStringToObject(o, "host", p->hosts + (size_t)rk * HOST_LEN);
        cJSON_AddNumberToObject(o, "threads", rv(p, rk, V_THREADS));
        cJSON_AddNumberToObject(o, "pixels", rv(p, rk, V_OWN));
        cJSON *w = cJSON_AddObjectToObject(o, "wall_s");
        cJSON *cpu = cJSON_AddObjectToObject(o, "cpu_s");
        for (int i = 0; i < XPCS_T_COUNT; i++) {
            if (!listed(p, i))
                continue;
            cJSON_AddNumberToObject(w, xpcs_timer_name((xpcs_timer_id)i), rv(p, rk, V_WALL + i));
            cJSON_AddNumberToObject(cpu, xpcs_timer_name((xpcs_timer_id)i), rv(p, rk, V_CPU + i));
        }
        double t = fmax(1.0, rv(p, rk, V_THREADS));
        double busy = rank_busy_cpu(p, rk) / t;
        add_num(o, "busy_s", busy);
        add_num(o, "efficiency", p->timing && p->wall > 0 ? busy / p->wall : NAN);
        for (int k = 0; k < XPCS_C_COUNT; k++)
            cJSON_AddNumberToObject(o, xpcs_counter_name((xpcs_counter_id)k),
                                    rv(p, rk, V_COUNT + k));
        cJSON_AddNumberToObject(o, "peak_rss_bytes", rv(p, rk, V_RSS));
        cJSON_AddItemToObject(o, "comm",
                              xpcs_commprof_rank_json(p->v + (size_t)rk * V_LEN + V_COMM));
        cJSON_AddItemToArray(ranks, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        text = xpcs_malloc(3);
        memcpy(text, "{}", 3);
    }
    return text;
}

xpcs_status xpcs_profile_write(const xpcs_profile *p, const char *path, xpcs_err *err)
{
    char *json = xpcs_profile_json(p);
    const size_t n = strlen(json);
    char *text = xpcs_malloc(n + 1);
    memcpy(text, json, n);
    text[n] = '\n';
    free(json);
    xpcs_status st = xpcs_publish_file(path, XPCS_PUBLISH_REPLACE, text, n + 1, err);
    free(text);
    return st;
}
