/* threads: the OpenMP thread count of a rank (see threads.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_* */
#include "xpcs/parallel/threads.h"

#include <omp.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One rank's mask as plain words, as it travels between the ranks. */
#define MASK_WORDS (CPU_SETSIZE / 64)
typedef struct {
    uint64_t w[MASK_WORDS];
} mask_t;

static int mask_self(mask_t *m)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    memset(m, 0, sizeof *m);
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int i = 0; i < CPU_SETSIZE; i++)
            if (CPU_ISSET(i, &set)) {
                m->w[i / 64] |= (uint64_t)1 << (i % 64);
                n++;
            }
    }
    if (n == 0) { /* no mask: every online CPU */
        long on = sysconf(_SC_NPROCESSORS_ONLN);
        n = on > 0 ? (on < CPU_SETSIZE ? (int)on : CPU_SETSIZE) : 1;
        for (int i = 0; i < n; i++)
            m->w[i / 64] |= (uint64_t)1 << (i % 64);
    }
    return n;
}

static int mask_count(const mask_t *m)
{
    int n = 0;
    for (int k = 0; k < MASK_WORDS; k++)
        n += __builtin_popcountll(m->w[k]);
    return n;
}

static int mask_overlap(const mask_t *a, const mask_t *b)
{
    for (int k = 0; k < MASK_WORDS; k++)
        if (a->w[k] & b->w[k])
            return 1;
    return 0;
}

/* OMP_NUM_THREADS set and not empty (OpenMP has read it: its count is
 * omp_get_max_threads()). */
static int env_set(void)
{
    const char *e = getenv("OMP_NUM_THREADS");
    return e && e[strspn(e, " \t")] != '\0';
}

/* One rank's request as it travels to the node's first rank: its mask
 * and its explicit count (0: none). */
typedef struct {
    mask_t m;
    int threads;
} rank_req;

/* On the node's first rank: every rank's count (explicit, else its mask's
 * CPUs over the ranks sharing them), the sharers of each and the node's
 * total. */
static void decide_on_node(const rank_req *all, int n, int setting, int env, int *threads,
                           int *sharing, int *node_cpus, int *node_threads)
{
    mask_t uni;
    memset(&uni, 0, sizeof uni);
    *node_threads = 0;
    for (int r = 0; r < n; r++) {
        sharing[r] = 0;
        for (int s = 0; s < n; s++)
            sharing[r] += mask_overlap(&all[r].m, &all[s].m);
        for (int k = 0; k < MASK_WORDS; k++)
            uni.w[k] |= all[r].m.w[k];
        threads[r] = all[r].threads;
        if (setting > 0 || env)
            continue; /* the explicit count */
        int t = mask_count(&all[r].m) / (sharing[r] > 0 ? sharing[r] : 1);
        threads[r] = t > 0 ? t : 1;
    }
    for (int r = 0; r < n; r++)
        *node_threads += threads[r];
    *node_cpus = mask_count(&uni);
}

xpcs_status xpcs_threads_choose(const xpcs_comm *c, int setting, const char *prog, xpcs_threads *t,
                                xpcs_err *err)
{
    memset(t, 0, sizeof *t);
    const int env = setting <= 0 && env_set();
    t->source = setting > 0 ? XPCS_THREADS_SETTING : env ? XPCS_THREADS_ENV : XPCS_THREADS_AFFINITY;
    mask_t mine;
    t->cpus = mask_self(&mine);
    xpcs_comm *node = NULL;
    xpcs_status st = xpcs_comm_split_node(c, &node, err);
    st = xpcs_comm_agree(c, st, err);
    if (st) {
        xpcs_comm_destroy(&node);
        return st;
    }
    const int n = xpcs_comm_size(node), first = xpcs_comm_is_root(node);
    /* explicit counts travel with the masks; the first rank decides the rest */
    rank_req me, *all = NULL;
    memset(&me, 0, sizeof me); /* the padding travels too */
    me.m = mine;
    me.threads = setting > 0 ? setting : env ? omp_get_max_threads() : 0;
    int *out = xpcs_calloc((size_t)n * 4, sizeof(int)); /* threads, sharing, cpus, total */
    if (first)
        all = xpcs_calloc((size_t)n, sizeof *all);
    xpcs_comm_gather_bytes(node, &me, (int)sizeof me, all, 0);
    if (first) {
        decide_on_node(all, n, setting, env, out, out + n, out + 2 * n, out + 2 * n + 1);
        free(all);
    }
    xpcs_comm_bcast(node, out, sizeof(int) * (size_t)n * 4, 0);
    const int r = xpcs_comm_rank(node);
    t->n = out[r];
    t->sharing = out[n + r];
    t->node_ranks = n;
    t->node_cpus = out[2 * n];
    t->node_threads = out[2 * n + 1];
    free(out);
    xpcs_comm_destroy(&node);
    omp_set_num_threads(t->n);
    if (first && t->node_threads > t->node_cpus) {
        char host[256] = "this node";
        if (gethostname(host, sizeof host - 1) != 0)
            snprintf(host, sizeof host, "this node");
        char fix[96];
        if (t->node_ranks > t->node_cpus)
            snprintf(fix, sizeof fix, "run at most %d rank(s) there", t->node_cpus);
        else
            snprintf(fix, sizeof fix, "set OMP_NUM_THREADS or --threads to %d or less",
                     t->node_cpus / t->node_ranks);
        fprintf(stderr,
                "%s: warning: %d rank(s) x %d thread(s) = %d threads on %s, which has %d "
                "core(s) for them (threads from %s): oversubscribed, OpenMP threads will wait "
                "for each other; %s\n",
                prog, t->node_ranks, t->n, t->node_threads, host, t->node_cpus, t->source, fix);
        fflush(stderr);
    }
    return XPCS_OK;
}

void xpcs_threads_print(const xpcs_threads *t, FILE *out)
{
    if (t->source && strcmp(t->source, XPCS_THREADS_AFFINITY) == 0)
        fprintf(out,
                "threads: %d per rank (%s: %d core(s) in the rank's affinity mask, shared by %d "
                "of the node's %d rank(s))\n",
                t->n, t->source, t->cpus, t->sharing, t->node_ranks);
    else
        fprintf(out,
                "threads: %d per rank (%s; %d core(s) in the rank's affinity mask, %d rank(s) "
                "on the node)\n",
                t->n, t->source ? t->source : "OpenMP's default", t->cpus, t->node_ranks);
}
