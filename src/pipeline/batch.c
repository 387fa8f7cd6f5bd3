/* batch: the scheduler and the group loop of a batch run (see batch.h). */
#include "xpcs/core/fileutil.h"
#include "xpcs/pipeline/batch.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xpcs/core/publish.h"
#include "xpcs/core/signals.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/pipeline/corr.h"
#include "xpcs/pipeline/joblist.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/plan/schedule.h"
#include "xpcs/report/report.h"

enum { TAG_REPORT = 4101, TAG_JOB = 4102 };

/* Leader -> scheduler: the file just finished (job -1 on the first
 * request) and its outcome; the reply is the next job index or -1. */
typedef struct {
    int32_t group;
    int32_t job;
    int32_t status;
    double seconds;
    char msg[XPCS_ERR_LEN];
} batch_report;

typedef enum { JOB_PENDING = 0, JOB_RUNNING, JOB_DONE, JOB_SKIPPED, JOB_FAILED } job_state;

static const char *const state_names[] = {"pending", "running", "done", "skipped", "failed"};

/* The scheduler's book-keeping (rank 0 only). */
typedef struct {
    const xpcs_config *cfg;
    const xpcs_joblist *jobs;
    const xpcs_layout *lay;
    int n;
    int *order; /* dispatch order (largest first), skipped jobs left out */
    int n_order, next;
    job_state *state;
    double *seconds, *started;
    int *group;
    char **error;
    double *busy; /* [n_groups] seconds spent in xpcs_corr_run */
    int *files;   /* [n_groups] files run */
    double t0;
    char started_utc[32];
    int worst;
    int interrupted; /* a file was stopped by a signal: hand out no more */
    char summary[XPCS_PATH_MAX + 32];
} sched;

/* ---- summary ------------------------------------------------------------ */

static void count_states(const sched *S, int counts[5])
{
    memset(counts, 0, sizeof(int) * 5);
    for (int i = 0; i < S->n; i++)
        counts[S->state[i]]++;
}

static void write_summary(sched *S, int complete)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "program", "xpcs-corr " XPCS_VERSION);
    /* ended by a signal: the batch ended, its files are not complete */
    cJSON_AddBoolToObject(root, "complete", complete && S->worst != XPCS_ERR_SIGNAL);
    cJSON_AddStringToObject(root, "started_utc", S->started_utc);
    cJSON_AddNumberToObject(root, "wall_seconds", xpcs_comm_wtime() - S->t0);
    cJSON_AddNumberToObject(root, "exit_status", complete ? xpcs_exit_code(S->worst) : -1);
    cJSON_AddStringToObject(root, "output", S->cfg->output);
    const xpcs_layout *L = S->lay;
    cJSON_AddNumberToObject(root, "n_ranks", L->n_ranks);
    cJSON_AddBoolToObject(root, "scheduler_rank", L->scheduler);
    cJSON_AddNumberToObject(root, "predicted_seconds", L->predicted_s);
    cJSON *groups = cJSON_AddArrayToObject(root, "groups");
    for (int g = 0; g < L->n_groups; g++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "group", g);
        cJSON_AddNumberToObject(o, "first_rank", L->group_first[g]);
        cJSON_AddNumberToObject(o, "ranks", L->group_size[g]);
        cJSON_AddNumberToObject(o, "files", S->files[g]);
        cJSON_AddNumberToObject(o, "busy_seconds", S->busy[g]);
        cJSON_AddItemToArray(groups, o);
    }
    int c[5];
    count_states(S, c);
    cJSON *tot = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(tot, "files", S->n);
    for (int k = 0; k < 5; k++)
        cJSON_AddNumberToObject(tot, state_names[k], c[k]);
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (int i = 0; i < S->n; i++) {
        const xpcs_job *j = xpcs_joblist_get(S->jobs, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "raw", j->raw);
        cJSON_AddStringToObject(o, "qmap", j->qmap);
        cJSON_AddStringToObject(o, "result", j->result);
        cJSON_AddStringToObject(o, "status", state_names[S->state[i]]);
        cJSON_AddNumberToObject(o, "seconds", S->seconds[i]);
        cJSON_AddNumberToObject(o, "started_at", S->started[i]);
        cJSON_AddNumberToObject(o, "group", S->group[i]);
        cJSON_AddNumberToObject(o, "pixel_frames", j->work);
        if (S->error[i])
            cJSON_AddStringToObject(o, "error", S->error[i]);
        else
            cJSON_AddNullToObject(o, "error");
        cJSON_AddItemToArray(files, o);
    }
    char *json = cJSON_Print(root);
    cJSON_Delete(root);
    const size_t n = json ? strlen(json) : 0;
    char *text = xpcs_malloc(n + 1);
    memcpy(text, json ? json : "", n);
    text[n] = '\n';
    free(json);
    xpcs_err e;
    if (xpcs_publish_file(S->summary, XPCS_PUBLISH_REPLACE, text, n + 1, &e))
        fprintf(stderr, "xpcs-corr: warning: cannot write the batch summary: %s\n", e.msg);
    free(text);
}

static void print_line(const sched *S, int i)
{
    const xpcs_job *j = xpcs_joblist_get(S->jobs, i);
    if (S->state[i] == JOB_SKIPPED)
        printf("batch: skipped %9.3f s  %s  (result exists; -w recomputes it)\n", 0.0, j->result);
    else if (S->state[i] == JOB_DONE)
        printf("batch: done    %9.3f s  %s\n", S->seconds[i], j->result);
    else if (S->state[i] == JOB_PENDING)
        printf("batch: stopped %9.3f s  %s  (not done: a rerun resumes it)\n", S->seconds[i],
               j->result);
    else
        printf("batch: failed  %9.3f s  %s  error: %s\n", S->seconds[i], j->result,
               S->error[i] ? S->error[i] : "");
    fflush(stdout);
}

/* Records a finished file and hands out the next one (-1: none left). */
static int32_t sched_next(sched *S, const batch_report *rep)
{
    if (rep->job >= 0 && rep->job < S->n && S->state[rep->job] == JOB_RUNNING) {
        int i = rep->job, g = rep->group;
        S->seconds[i] = rep->seconds;
        if (g >= 0 && g < S->lay->n_groups) {
            S->busy[g] += rep->seconds;
            S->files[g]++;
        }
        if (rep->status == XPCS_OK)
            S->state[i] = JOB_DONE;
        else {
            /* a signal leaves the file pending (not done: a rerun resumes it) */
            const int stopped = rep->status == XPCS_ERR_SIGNAL;
            S->state[i] = stopped ? JOB_PENDING : JOB_FAILED;
            S->interrupted |= stopped;
            size_t len = strnlen(rep->msg, sizeof rep->msg);
            S->error[i] = xpcs_malloc(len + 1);
            memcpy(S->error[i], rep->msg, len);
            S->error[i][len] = '\0';
            if (rep->status > S->worst)
                S->worst = rep->status;
            fprintf(stderr, "xpcs-corr: error: %s\n", S->error[i]);
            fflush(stderr);
        }
        print_line(S, i);
        write_summary(S, 0);
    }
    while (S->next < S->n_order && !S->interrupted && !xpcs_signal_pending()) {
        int i = S->order[S->next++];
        if (S->state[i] != JOB_PENDING)
            continue;
        S->state[i] = JOB_RUNNING;
        S->group[i] = rep->group;
        S->started[i] = xpcs_comm_wtime() - S->t0;
        return i;
    }
    return -1;
}

static void sched_init(sched *S, const xpcs_config *cfg, const xpcs_joblist *jobs,
                       const xpcs_layout *lay)
{
    memset(S, 0, sizeof *S);
    S->cfg = cfg;
    S->jobs = jobs;
    S->lay = lay;
    S->n = xpcs_joblist_count(jobs);
    size_t n = (size_t)(S->n > 0 ? S->n : 1);
    S->state = xpcs_calloc(n, sizeof *S->state);
    S->seconds = xpcs_calloc(n, sizeof(double));
    S->started = xpcs_calloc(n, sizeof(double));
    S->group = xpcs_malloc(sizeof(int) * n);
    S->error = xpcs_calloc(n, sizeof(char *));
    S->busy = xpcs_calloc((size_t)lay->n_groups, sizeof(double));
    S->files = xpcs_calloc((size_t)lay->n_groups, sizeof(int));
    S->t0 = xpcs_comm_wtime();
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(S->started_utc, sizeof S->started_utc, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    snprintf(S->summary, sizeof S->summary, "%s/%s", cfg->output, XPCS_BATCH_SUMMARY);
    /* largest first; skipped files are not handed out */
    double *w = xpcs_malloc(sizeof(double) * n);
    int *all = xpcs_malloc(sizeof(int) * n);
    for (int i = 0; i < S->n; i++) {
        w[i] = xpcs_joblist_get(jobs, i)->work;
        S->group[i] = -1;
    }
    xpcs_sched_order(S->n, w, all);
    S->order = xpcs_malloc(sizeof(int) * n);
    for (int k = 0; k < S->n; k++) {
        int i = all[k];
        if (xpcs_joblist_get(jobs, i)->skipped)
            S->state[i] = JOB_SKIPPED;
        else
            S->order[S->n_order++] = i;
    }
    free(w);
    free(all);
}

static void sched_free(sched *S)
{
    for (int i = 0; i < S->n; i++)
        free(S->error[i]);
    free(S->error);
    free(S->state);
    free(S->seconds);
    free(S->started);
    free(S->group);
    free(S->order);
    free(S->busy);
    free(S->files);
}

/* ---- set-up (rank 0) ---------------------------------------------------- */

static xpcs_status ensure_outdir(const char *dir, xpcs_err *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if ((errno = xpcs_mkdir_p(dir, 0775)) != 0) /* with parents, as boost_corr */
            return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create the output directory: %s",
                             dir, strerror(errno));
    }
    else if (!S_ISDIR(sb.st_mode))
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: not a directory: expected the output directory",
                         dir);
    if (access(dir, W_OK | X_OK) != 0 || (stat(dir, &sb) == 0 && (sb.st_mode & 0222) == 0))
        return xpcs_fail(err, XPCS_ERR_OUTPUT,
                         "%s: output directory is not writable: expected a directory where the "
                         "results can be created",
                         dir);
    return XPCS_OK;
}

/* Memory budget per rank in MiB: -max-memory, or half the node's RAM over
 * every rank of the batch on the node (groups share the node). */
static double budget_mib(const xpcs_config *cfg, const xpcs_comm *c)
{
    if (cfg->max_memory_mb > 0)
        return cfg->max_memory_mb;
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    double ram = pages > 0 && psz > 0 ? (double)pages * (double)psz : 4.0 * (1 << 30);
    return 0.5 * ram / xpcs_comm_node_size(c) / 1048576.0;
}

/* Smallest group whose ranks can hold the largest file (rough form of the
 * plan's estimate: multitau state and step buffers shared, SAXS not). */
static int memory_min_group(const xpcs_joblist *l, double budget_bytes, int n_ranks)
{
    int gmin = 1;
    for (int i = 0; i < xpcs_joblist_count(l); i++) {
        const xpcs_job *j = xpcs_joblist_get(l, i);
        if (j->skipped || j->work <= 0)
            continue;
        double npix = (double)j->rows * (double)j->cols;
        double shared = npix * xpcs_multitau_bytes_per_pixel(j->frames) + 512.0 * 1048576.0;
        double fixed = npix * 36.0 + (double)j->frames * 16.0;
        int g = 1;
        while (g < n_ranks && shared / g + fixed > budget_bytes)
            g++;
        if (g > gmin)
            gmin = g;
    }
    return gmin;
}

static void print_layout(const sched *S, int n_ranks)
{
    const xpcs_layout *L = S->lay;
    int c[5];
    count_states(S, c);
    printf("batch: %d file(s), %d to run, %d skipped; %d rank(s): ", S->n, S->n_order,
           c[JOB_SKIPPED], n_ranks);
    if (L->scheduler)
        printf("rank 0 schedules, %d groups (", L->n_groups);
    else
        printf("1 group (");
    for (int g = 0; g < L->n_groups; g++)
        printf("%s%d", g ? "," : "", L->group_size[g]);
    printf(" ranks); model %.2f s\n", L->predicted_s);
}

/* ---- the group loop ----------------------------------------------------- */

static void group_loop(const xpcs_config *cfg, const xpcs_joblist *jobs, const xpcs_comm *world,
                       const xpcs_comm *grp, int my_group, double mem_mib, sched *local)
{
    const int leader = xpcs_comm_is_root(grp);
    batch_report rep;
    memset(&rep, 0, sizeof rep);
    rep.group = my_group;
    rep.job = -1;
    xpcs_config *fc = xpcs_malloc(sizeof *fc);
    for (;;) {
        int32_t job = -1;
        if (leader) {
            if (local)
                job = sched_next(local, &rep);
            else {
                xpcs_comm_send(world, &rep, sizeof rep, 0, TAG_REPORT);
                xpcs_comm_recv(world, &job, sizeof job, 0, TAG_JOB);
            }
        }
        xpcs_comm_bcast(grp, &job, sizeof job, 0);
        if (job < 0)
            break;
        const xpcs_job *j = xpcs_joblist_get(jobs, job);
        *fc = *cfg;
        fc->raw_args = NULL;
        fc->n_raw_args = 0;
        fc->raw_list[0] = '\0';
        snprintf(fc->raw, sizeof fc->raw, "%s", j->raw);
        snprintf(fc->qmap, sizeof fc->qmap, "%s", j->qmap);
        fc->quiet = 1;
        fc->max_memory_mb = mem_mib;
        xpcs_err e;
        e.msg[0] = '\0';
        char result[XPCS_PATH_MAX];
        double t = xpcs_comm_wtime();
        xpcs_status st = xpcs_corr_run(fc, grp, result, sizeof result, &e);
        rep.job = job;
        rep.status = (int32_t)st;
        rep.seconds = xpcs_comm_wtime() - t;
        snprintf(rep.msg, sizeof rep.msg, "%s", st ? e.msg : "");
    }
    free(fc);
}

/* ---- entry -------------------------------------------------------------- */

int xpcs_batch_requested(const xpcs_config *cfg)
{
    return xpcs_joblist_requested(cfg);
}

static xpcs_status build_on_root(const xpcs_config *cfg, xpcs_joblist **jobs, xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    if (!cfg->dry_run)
        st = ensure_outdir(cfg->output, err);
    if (!st)
        st = xpcs_joblist_build(cfg, jobs, err);
    if (st)
        return st;
    if (!cfg->dry_run) {
        char summary[XPCS_PATH_MAX + 64];
        snprintf(summary, sizeof summary, "%s/%s", cfg->output, XPCS_BATCH_SUMMARY);
        int n = xpcs_publish_remove_stale(summary) + xpcs_joblist_remove_stale(*jobs);
        if (n > 0)
            printf("batch: removed %d stale temporary result file(s) of an interrupted run\n", n);
    }
    xpcs_joblist_estimate(*jobs, cfg->dataset);
    return XPCS_OK;
}

/* Every rank gets rank 0's job list. */
static xpcs_status share_jobs(const xpcs_comm *world, xpcs_joblist **jobs, xpcs_err *err)
{
    const int rank = xpcs_comm_rank(world);
    uint64_t bytes = 0;
    char *buf = NULL;
    xpcs_status st = XPCS_OK;
    if (rank == 0) {
        size_t b = 0;
        buf = xpcs_joblist_pack(*jobs, &b);
        bytes = b;
    }
    xpcs_comm_bcast(world, &bytes, sizeof bytes, 0);
    if (rank != 0)
        buf = xpcs_malloc((size_t)bytes);
    xpcs_comm_bcast(world, buf, (size_t)bytes, 0);
    if (rank != 0)
        st = xpcs_joblist_unpack(buf, (size_t)bytes, jobs, err);
    free(buf);
    return xpcs_comm_agree(world, st, err);
}

/* The layout: chosen on rank 0, broadcast as (group size, predicted time),
 * rebuilt the same way everywhere. */
static void choose_layout(const xpcs_config *cfg, const xpcs_comm *world, const xpcs_joblist *jobs,
                          double mem_mib, xpcs_layout *lay)
{
    const int n_ranks = xpcs_comm_size(world);
    double lay_msg[2] = {0, 0};
    const int n_jobs = xpcs_joblist_count(jobs);
    if (xpcs_comm_rank(world) == 0) {
        xpcs_err err;
        double *w = xpcs_malloc(sizeof(double) * (size_t)(n_jobs + 1));
        int n_run = 0;
        for (int i = 0; i < n_jobs; i++)
            if (!xpcs_joblist_get(jobs, i)->skipped)
                w[n_run++] = xpcs_joblist_get(jobs, i)->work;
        int gmin = memory_min_group(jobs, mem_mib * 1048576.0, n_ranks);
        xpcs_layout tmp;
        xpcs_layout_choose(n_ranks, cfg->ranks_per_file, gmin, n_run, w, &tmp, &err);
        lay_msg[0] = tmp.base_size;
        lay_msg[1] = tmp.predicted_s;
        xpcs_layout_free(&tmp);
        free(w);
    }
    xpcs_comm_bcast(world, lay_msg, sizeof lay_msg, 0);
    xpcs_layout_make(n_ranks, (int)lay_msg[0], lay);
    lay->predicted_s = lay_msg[1];
}

/* Rank 0, --dry-run: what would run and what would be skipped. */
static void print_dry_run(const sched *S, const xpcs_joblist *jobs)
{
    for (int k = 0; k < S->n_order; k++) {
        const xpcs_job *j = xpcs_joblist_get(jobs, S->order[k]);
        printf("batch: would run %s -> %s (%lld x %lld x %lld)\n", j->raw, j->result,
               (long long)j->frames, (long long)j->rows, (long long)j->cols);
    }
    for (int i = 0; i < S->n; i++)
        if (S->state[i] == JOB_SKIPPED)
            printf("batch: would skip %s (result exists)\n", xpcs_joblist_get(jobs, i)->raw);
    fflush(stdout);
}

/* Rank 0 at the end: OUTDIR/batch_report.html, a row per file (a report
 * that cannot be written is a warning: the batch's results stand). */
static void write_batch_report(const sched *S)
{
    xpcs_batch_row *rows = xpcs_calloc((size_t)S->n + 1, sizeof *rows);
    for (int i = 0; i < S->n; i++) {
        rows[i].result = xpcs_joblist_get(S->jobs, i)->result;
        rows[i].state = state_names[S->state[i]];
        rows[i].error = S->error[i];
    }
    char html[XPCS_PATH_MAX + 32];
    snprintf(html, sizeof html, "%s/%s", S->cfg->output, XPCS_BATCH_REPORT);
    xpcs_err e;
    if (xpcs_report_batch(html, rows, S->n, &e))
        fprintf(stderr, "xpcs-corr: warning: cannot write the batch report: %s\n", e.msg);
    else
        printf("batch: report %s\n", html);
    free(rows);
}

/* Rank 0 at the end: the totals line and the summary's path. */
static void print_totals(const sched *S, const xpcs_layout *lay, int n_ranks)
{
    int c[5];
    count_states(S, c);
    double wall = xpcs_comm_wtime() - S->t0, used = 0, mx = 0, mean = 0;
    for (int g = 0; g < lay->n_groups; g++) {
        used += S->busy[g] * lay->group_size[g];
        mean += S->busy[g] / lay->n_groups;
        if (S->busy[g] > mx)
            mx = S->busy[g];
    }
    printf("batch: %d file(s): %d done, %d skipped, %d failed in %.3f s; groups busy "
           "max/mean %.3f, ranks busy %.0f %%\n",
           S->n, c[JOB_DONE], c[JOB_SKIPPED], c[JOB_FAILED], wall, mean > 0 ? mx / mean : 1.0,
           wall > 0 ? 100.0 * used / (wall * n_ranks) : 0.0);
    if (c[JOB_PENDING] > 0)
        printf("batch: %d file(s) not done: interrupted by %s; a rerun resumes them\n",
               c[JOB_PENDING], xpcs_signal_name(xpcs_signal_pending()));
    printf("%s\n", S->summary);
    fflush(stdout);
}

/* Every rank joins its group; groups take files until none is left; a
 * separate scheduler rank (large layouts) only hands them out.  Returns
 * the exit code, the same on every rank. */
static int32_t run_groups(const xpcs_config *cfg, const xpcs_comm *world, const xpcs_joblist *jobs,
                          const xpcs_layout *lay, sched *S, int have_sched, double mem_mib)
{
    const int rank = xpcs_comm_rank(world);
    xpcs_err err;
    int32_t code = 0;
    if (have_sched)
        write_summary(S, 0);
    const int my_group = lay->group_of_rank[rank];
    xpcs_comm *grp = NULL;
    xpcs_status st = xpcs_comm_split(world, my_group, rank, &grp, &err);
    if (st == XPCS_OK) {
        if (grp)
            group_loop(cfg, jobs, world, grp, my_group, mem_mib,
                       lay->scheduler ? NULL : (have_sched ? S : NULL));
        else { /* the scheduler rank */
            int active = lay->n_groups;
            while (active > 0) {
                batch_report rep;
                int src = 0;
                xpcs_comm_recv_any(world, &rep, sizeof rep, TAG_REPORT, &src);
                int32_t job = sched_next(S, &rep);
                xpcs_comm_send(world, &job, sizeof job, src, TAG_JOB);
                if (job < 0)
                    active--;
            }
        }
    }
    xpcs_comm_destroy(&grp);
    if (have_sched) {
        if (!st && !S->worst && xpcs_signal_pending()) /* stopped between files */
            S->worst = XPCS_ERR_SIGNAL;
        code = xpcs_exit_code(st ? st : (xpcs_status)S->worst);
        write_summary(S, 1);
        write_batch_report(S);
        print_totals(S, lay, xpcs_comm_size(world));
    }
    /* finished groups wait here without spinning */
    xpcs_comm_bcast_idle(world, &code, sizeof code, 0);
    return code;
}

int xpcs_batch_main(const xpcs_config *cfg, const xpcs_comm *comm)
{
    xpcs_err err;
    err.msg[0] = '\0';
    xpcs_comm *world = NULL;
    if (xpcs_comm_dup(comm, &world, &err) != XPCS_OK) {
        fprintf(stderr, "xpcs-corr: error: %s\n", err.msg);
        return XPCS_ERR_MPI;
    }
    const int rank = xpcs_comm_rank(world), n_ranks = xpcs_comm_size(world);
    const double mem_mib = budget_mib(cfg, world);
    xpcs_joblist *jobs = NULL;
    xpcs_status st = rank == 0 ? build_on_root(cfg, &jobs, &err) : XPCS_OK;
    st = xpcs_comm_agree(world, st, &err);
    if (!st)
        st = share_jobs(world, &jobs, &err);
    if (st) {
        if (rank == 0)
            fprintf(stderr, "xpcs-corr: error: %s\n", err.msg);
        xpcs_joblist_destroy(&jobs);
        xpcs_comm_destroy(&world);
        return xpcs_exit_code(st);
    }
    xpcs_layout lay;
    choose_layout(cfg, world, jobs, mem_mib, &lay);
    sched S;
    memset(&S, 0, sizeof S);
    int have_sched = rank == 0;
    if (have_sched) {
        sched_init(&S, cfg, jobs, &lay);
        print_layout(&S, n_ranks);
        for (int i = 0; i < S.n; i++)
            if (S.state[i] == JOB_SKIPPED && !cfg->dry_run)
                print_line(&S, i);
    }
    int32_t code = 0;
    if (cfg->dry_run && rank == 0)
        print_dry_run(&S, jobs);
    else if (!cfg->dry_run)
        code = run_groups(cfg, world, jobs, &lay, &S, have_sched, mem_mib);
    if (have_sched)
        sched_free(&S);
    xpcs_layout_free(&lay);
    xpcs_joblist_destroy(&jobs);
    xpcs_comm_destroy(&world);
    return (int)code;
}
