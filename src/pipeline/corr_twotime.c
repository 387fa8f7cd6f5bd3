/* corr_twotime: the two-time stage of the pipeline (see corr_ext.h): bins
 * over ranks, the second all-to-all, the end-of-run map computation and the
 * transfer of the maps to rank 0.  MPI through comm only; the kernel is
 * twotime.c, the file groups h5extra.c. */
#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/pipeline/corr_ext.h"
#include "xpcs/kernels/twotime.h"

enum { TAG_CMD = 3101, TAG_HDR = 3102, TAG_MAP = 3103 };
enum { CMD_STOP = 0, CMD_GO = 1 };
enum { TT_EV_NONE = 0, TT_EV_DENSE = 1, TT_EV_SPARSE = 2 };

struct xpcs_corr_tt {
    int n_ranks, rank;
    int64_t N;
    xpcs_dtype xt;
    size_t xsz;
    int smooth;
    char smooth_name[16];
    /* bins in processing order (ascending dynamic label) */
    int n_bins;
    int32_t *bin;       /* [n_bins] 1-based dynamic bin */
    int64_t *bin_first; /* [n_bins + 1] into pix */
    int64_t *pix;       /* pixels, bin by bin, ordered by (static label, index) */
    int64_t *grp;       /* group column starts within their bin, per bin */
    int64_t *grp_first; /* [n_bins + 1] into grp (each bin: n_groups + 1 entries) */
    int *owner;         /* [n_bins] */
    /* exchange: the pixels each rank receives, rank by rank */
    int64_t *xpix, *xpf; /* xpf [n_ranks + 1] */
    int64_t *col0;       /* [n_bins] first column of the bin in its owner's store */
    int64_t n_cols;      /* this rank's columns */
    double *rank_bytes;  /* [n_ranks] */
    double *store_bytes; /* [n_ranks]: of rank_bytes, the dense series store
                          * and its send buffer (not needed by the event
                          * kernel) */
    int64_t step_frames, max_mine;
    /* event input (evstream.c): detector pixel -> owner and column */
    int ev_mode;                /* TT_EV_NONE / TT_EV_DENSE / TT_EV_SPARSE */
    int32_t *px_owner, *px_col; /* [npix]; owner -1: in no selected bin */
    int64_t npix;
    uint32_t *ev; /* owner: received (column, frame, count) triplets */
    int64_t ev_n, ev_cap;
    uint32_t *esend;
    int64_t esend_cap;
    int64_t *cptr;       /* [n_cols + 1]: the events as CSR per column */
    uint32_t *cfr, *cct; /* frames (ascending) and counts */
    /* run time */
    void *store; /* [N][n_cols] */
    void *send;
    int *cnt;
    double *X, *C, *g2, *seg;
    float *tri;
    int go_sent;
    /* rank 0: results of every bin */
    double *all_g2, *all_seg;                                /* [N][n_bins], [N/5][5][n_bins] */
    double *bin_sec, *bin_blas, *bin_events, *bin_xfer_wait; /* [n_bins] */
};

typedef struct {
    int64_t px;
    int32_t sq;
} px_sq;

static int cmp_px(const void *a, const void *b)
{
    const px_sq *x = a, *y = b;
    if (x->sq != y->sq)
        return x->sq < y->sq ? -1 : 1;
    return (x->px > y->px) - (x->px < y->px);
}

static int64_t bin_len(const xpcs_corr_tt *t, int i)
{
    return t->bin_first[i + 1] - t->bin_first[i];
}

static double compute_bytes(const xpcs_corr_tt *t, int64_t max_k, int max_g)
{
    const double N = (double)t->N;
    return 8.0 * N * (double)max_k                    /* X */
           + 8.0 * N * N                              /* C */
           + xpcs_twotime_dense_bytes(t->N, max_g)    /* sums, factors, a row block */
           + 4.0 * (double)xpcs_twotime_tri_len(t->N) /* float32 triangle */
           + 8.0 * (N + (double)(t->N / 5 * 5));      /* diagonal means */
}

xpcs_status xpcs_corr_tt_plan(const xpcs_config *cfg, const xpcs_qmap *q, const xpcs_plan *p,
                              int rank, int events, xpcs_corr_tt **out, double *max_bytes,
                              int *max_rank, xpcs_err *err)
{
    unsigned char *sel = xpcs_malloc((size_t)q->n_dq + 1);
    xpcs_status st = xpcs_parse_bin_selection(cfg->dq_selection, q->n_dq, sel, err);
    if (st) {
        free(sel);
        return st;
    }
    xpcs_corr_tt *t = xpcs_calloc(1, sizeof *t);
    t->n_ranks = p->n_ranks;
    t->rank = rank;
    t->N = p->n_frames;
    t->xt = p->xfer_type;
    t->xsz = xpcs_dtype_size(p->xfer_type);
    t->smooth = xpcs_smooth_from_name(cfg->smooth);
    snprintf(t->smooth_name, sizeof t->smooth_name, "%s", cfg->smooth);
    t->step_frames = p->step_frames;
    t->max_mine = (p->step_frames + p->n_ranks - 1) / p->n_ranks;
    /* pixels per selected bin: valid pixels carrying the dynamic label */
    int64_t *count = xpcs_calloc((size_t)q->n_dq + 1, sizeof(int64_t));
    for (int64_t i = 0; i < q->n_pixels; i++)
        if (q->mask[i] && q->dmap[i] > 0 && sel[q->dmap[i]])
            count[q->dmap[i]]++;
    t->bin = xpcs_malloc(sizeof(int32_t) * (size_t)(q->n_dq + 1));
    t->bin_first = xpcs_calloc((size_t)q->n_dq + 2, sizeof(int64_t));
    for (int d = 1; d <= q->n_dq; d++)
        if (count[d] > 0) {
            t->bin[t->n_bins] = d;
            t->bin_first[t->n_bins + 1] = t->bin_first[t->n_bins] + count[d];
            t->n_bins++;
        }
    free(sel);
    if (t->n_bins == 0) {
        free(count);
        xpcs_corr_tt_destroy(&t);
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "%s: -d/--dq-selection '%s' selects no dynamic bin with valid pixels: "
                         "nothing to correlate for two-time",
                         cfg->qmap, cfg->dq_selection);
    }
    /* pixels ordered by bin, then static label, then index; groups = runs
     * of one static label (sqmap), the whole bin (dqmap) or none */
    const int64_t n_pix = t->bin_first[t->n_bins];
    int *slot = xpcs_calloc((size_t)q->n_dq + 1, sizeof(int));
    for (int i = 0; i < t->n_bins; i++)
        slot[t->bin[i]] = i + 1;
    px_sq *tmp = xpcs_malloc(sizeof(px_sq) * (size_t)n_pix);
    int64_t *fill = xpcs_calloc((size_t)t->n_bins, sizeof(int64_t));
    for (int64_t i = 0; i < q->n_pixels; i++)
        if (q->mask[i] && q->dmap[i] > 0 && slot[q->dmap[i]]) {
            int b = slot[q->dmap[i]] - 1;
            px_sq *e = &tmp[t->bin_first[b] + fill[b]++];
            e->px = i;
            e->sq = q->smap[i];
        }
    t->pix = xpcs_malloc(sizeof(int64_t) * (size_t)n_pix);
    t->grp = xpcs_malloc(sizeof(int64_t) * (size_t)(n_pix + 2 * t->n_bins));
    t->grp_first = xpcs_calloc((size_t)t->n_bins + 1, sizeof(int64_t));
    int64_t ng = 0;
    for (int b = 0; b < t->n_bins; b++) {
        px_sq *e = tmp + t->bin_first[b];
        int64_t k = bin_len(t, b);
        qsort(e, (size_t)k, sizeof *e, cmp_px);
        for (int64_t j = 0; j < k; j++) {
            t->pix[t->bin_first[b] + j] = e[j].px;
            /* sqmap: a group per static label; dqmap, none: one group */
            if (j == 0 || (t->smooth == XPCS_SMOOTH_SQMAP && e[j].sq != e[j - 1].sq))
                t->grp[ng++] = j;
        }
        t->grp[ng++] = k;
        t->grp_first[b + 1] = ng;
    }
    free(tmp);
    free(fill);
    free(slot);
    free(count);
    /* owners: largest bins first, each to the least loaded rank (ties: the
     * lower rank); a bin's work is about N^2 (n + 32) */
    int *order = xpcs_malloc(sizeof(int) * (size_t)t->n_bins);
    for (int i = 0; i < t->n_bins; i++)
        order[i] = i;
    for (int i = 1; i < t->n_bins; i++) /* insertion sort: by size desc, bin asc */
        for (int j = i; j > 0 && bin_len(t, order[j]) > bin_len(t, order[j - 1]); j--) {
            int s = order[j];
            order[j] = order[j - 1];
            order[j - 1] = s;
        }
    double *load = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    t->owner = xpcs_malloc(sizeof(int) * (size_t)t->n_bins);
    for (int i = 0; i < t->n_bins; i++) {
        int best = 0;
        for (int r = 1; r < t->n_ranks; r++)
            if (load[r] < load[best])
                best = r;
        t->owner[order[i]] = best;
        load[best] += (double)bin_len(t, order[i]) + 32.0;
    }
    free(order);
    free(load);
    /* exchange lists: rank by rank, its bins in processing order */
    t->xpix = xpcs_malloc(sizeof(int64_t) * (size_t)n_pix);
    t->xpf = xpcs_calloc((size_t)t->n_ranks + 1, sizeof(int64_t));
    t->col0 = xpcs_malloc(sizeof(int64_t) * (size_t)t->n_bins);
    t->rank_bytes = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    t->store_bytes = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    int64_t off = 0;
    *max_bytes = 0;
    *max_rank = 0;
    for (int r = 0; r < t->n_ranks; r++) {
        int64_t max_k = 0;
        int max_g = 1;
        t->xpf[r] = off;
        for (int b = 0; b < t->n_bins; b++)
            if (t->owner[b] == r) {
                t->col0[b] = off - t->xpf[r];
                memcpy(t->xpix + off, t->pix + t->bin_first[b],
                       sizeof(int64_t) * (size_t)bin_len(t, b));
                off += bin_len(t, b);
                if (bin_len(t, b) > max_k)
                    max_k = bin_len(t, b);
                if (t->grp_first[b + 1] - t->grp_first[b] - 1 > max_g)
                    max_g = (int)(t->grp_first[b + 1] - t->grp_first[b] - 1);
            }
        const int64_t cols = off - t->xpf[r];
        /* series store (uint32 when filled from events) */
        double sb = (double)t->N * (double)cols * (double)(events && t->xsz < 4 ? 4 : t->xsz);
        sb += (double)t->max_mine * (double)n_pix * (double)t->xsz; /* send buffer */
        t->store_bytes[r] = sb;
        double m = events ? 0.0 : sb;
        m += max_k > 0 || r == 0 ? compute_bytes(t, max_k, max_g) : 0.0; /* one map */
        if (r == 0)
            m += 8.0 * (double)t->N * 2.0 * (double)t->n_bins + (8 << 20); /* results, rows */
        t->rank_bytes[r] = m;
        if (m > *max_bytes) {
            *max_bytes = m;
            *max_rank = r;
        }
    }
    t->xpf[t->n_ranks] = off;
    t->n_cols = t->xpf[rank + 1] - t->xpf[rank];
    *out = t;
    return XPCS_OK;
}

void xpcs_corr_tt_store_bytes(const xpcs_corr_tt *t, double *max_bytes, int *max_rank)
{
    *max_bytes = 0;
    *max_rank = 0;
    for (int r = 0; r < t->n_ranks; r++)
        if (t->store_bytes[r] > *max_bytes) {
            *max_bytes = t->store_bytes[r];
            *max_rank = r;
        }
}

void xpcs_corr_tt_destroy(xpcs_corr_tt **tp)
{
    if (!tp || !*tp)
        return;
    xpcs_corr_tt *t = *tp;
    free(t->bin);
    free(t->bin_first);
    free(t->pix);
    free(t->grp);
    free(t->grp_first);
    free(t->owner);
    free(t->xpix);
    free(t->xpf);
    free(t->col0);
    free(t->rank_bytes);
    free(t->store_bytes);
    free(t->store);
    free(t->send);
    free(t->cnt);
    free(t->X);
    free(t->C);
    free(t->g2);
    free(t->seg);
    free(t->tri);
    free(t->px_owner);
    free(t->px_col);
    free(t->ev);
    free(t->esend);
    free(t->cptr);
    free(t->cfr);
    free(t->cct);
    free(t->all_g2);
    free(t->all_seg);
    free(t->bin_sec);
    free(t->bin_blas);
    free(t->bin_events);
    free(t->bin_xfer_wait);
    free(t);
    *tp = NULL;
}

void xpcs_corr_tt_print_plan(const xpcs_corr_tt *t, FILE *out)
{
    fprintf(out, "plan: twotime: %d bin(s), %lld x %lld maps, smoothing %s; bins over ranks:\n",
            t->n_bins, (long long)t->N, (long long)t->N, t->smooth_name);
    for (int r = 0; r < t->n_ranks; r++) {
        fprintf(out, "plan:   rank %d computes", r);
        int any = 0;
        for (int b = 0; b < t->n_bins; b++)
            if (t->owner[b] == r) {
                fprintf(out, " %d (%lld px)", t->bin[b], (long long)bin_len(t, b));
                any = 1;
            }
        fprintf(out, "%s; memory %.1f MiB\n", any ? "" : " nothing", t->rank_bytes[r] / 1048576.0);
    }
}

void xpcs_corr_tt_alloc(xpcs_corr_tt *t)
{
    const int64_t n_pix = t->xpf[t->n_ranks];
    t->cnt = xpcs_malloc(sizeof(int) * 4 * (size_t)t->n_ranks);
    if (t->ev_mode == TT_EV_SPARSE)
        return;                      /* events only */
    if (t->ev_mode == TT_EV_DENSE) { /* sums of events: zeros where none */
        t->store = xpcs_calloc((size_t)t->N * (size_t)t->n_cols + 1, t->xsz);
        return;
    }
    t->store = xpcs_malloc((size_t)t->N * (size_t)t->n_cols * t->xsz + 1);
    t->send = xpcs_malloc((size_t)t->max_mine * (size_t)n_pix * t->xsz + 1);
}

void xpcs_corr_tt_use_events(xpcs_corr_tt *t, int64_t npix, int sparse)
{
    t->ev_mode = sparse ? TT_EV_SPARSE : TT_EV_DENSE;
    t->npix = npix;
    if (!sparse) { /* the store holds sums of uint32 counts */
        t->xt = XPCS_DT_U32;
        t->xsz = sizeof(uint32_t);
    }
    t->px_owner = xpcs_malloc(sizeof(int32_t) * (size_t)(npix + 1));
    t->px_col = xpcs_malloc(sizeof(int32_t) * (size_t)(npix + 1));
    for (int64_t i = 0; i < npix; i++)
        t->px_owner[i] = -1;
    for (int r = 0; r < t->n_ranks; r++)
        for (int64_t j = t->xpf[r]; j < t->xpf[r + 1]; j++) {
            t->px_owner[t->xpix[j]] = r;
            t->px_col[t->xpix[j]] = (int32_t)(j - t->xpf[r]);
        }
}

/* bytes moved to and from the other ranks (counts in elements of esz) */
static void count_bytes(const xpcs_corr_tt *t, xpcs_timers *tm, size_t esz)
{
    const int *sc = t->cnt, *rc = sc + 2 * t->n_ranks;
    for (int r = 0; r < t->n_ranks && tm; r++)
        if (r != t->rank) {
            xpcs_counter_add(tm, XPCS_C_BYTES_SENT, (double)sc[r] * (double)esz);
            xpcs_counter_add(tm, XPCS_C_BYTES_RECEIVED, (double)rc[r] * (double)esz);
        }
}

xpcs_status xpcs_corr_tt_exchange_events(xpcs_corr_tt *t, const xpcs_comm *c, int64_t fa,
                                         int64_t n_fr, const int64_t *fptr, const uint32_t *fpix,
                                         const uint32_t *fcnt, const char *raw, xpcs_timers *tm,
                                         xpcs_err *err)
{
    const int R = t->n_ranks;
    int *sc = t->cnt, *sd = sc + R, *rc = sd + R, *rd = rc + R;
    for (int r = 0; r < R; r++)
        sc[r] = 0;
    const int64_t n_ev = n_fr > 0 ? fptr[n_fr] : 0;
    for (int64_t i = 0; i < n_ev; i++) {
        const int32_t o = t->px_owner[fpix[i]];
        if (o >= 0)
            sc[o]++;
    }
    int64_t n_send = 0;
    for (int r = 0; r < R; r++)
        n_send += sc[r];
    xpcs_status st = XPCS_OK;
    if (3 * n_send > INT_MAX)
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: %lld two-time events in one step on one rank: more than the "
                       "all-to-all can move (use more ranks or --step-frames)",
                       raw, (long long)n_send);
    st = xpcs_comm_agree(c, st, err);
    if (st)
        return st;
    /* (column in the owner's store, frame, count), owner by owner, time
     * order within each */
    t->esend = xpcs_grow_keep(t->esend, &t->esend_cap, 3 * n_send + 3, sizeof(uint32_t));
    int64_t *pos = xpcs_malloc(sizeof(int64_t) * (size_t)R);
    int64_t off = 0;
    for (int r = 0; r < R; r++) {
        pos[r] = off;
        sd[r] = (int)(3 * off);
        off += sc[r];
        sc[r] *= 3;
    }
    for (int64_t f = 0; f < n_fr; f++)
        for (int64_t i = fptr[f]; i < fptr[f + 1]; i++) {
            const int32_t o = t->px_owner[fpix[i]];
            if (o < 0)
                continue;
            uint32_t *d = t->esend + 3 * pos[o]++;
            d[0] = (uint32_t)t->px_col[fpix[i]];
            d[1] = (uint32_t)(fa + f);
            d[2] = fcnt[i];
        }
    free(pos);
    xpcs_comm_alltoall_int(c, sc, rc);
    int64_t n_recv = 0;
    for (int r = 0; r < R; r++) {
        rd[r] = (int)n_recv;
        n_recv += rc[r];
    }
    if (n_recv > INT_MAX) /* the displacements are int: cannot be received */
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: more than 2^31 two-time event words in one step on rank %d: use "
                       "more ranks or --step-frames",
                       raw, t->rank);
    st = xpcs_comm_agree(c, st, err);
    if (st)
        return st;
    /* received slices come in rank order, ranks hold consecutive frames:
     * the events of every column arrive in time order */
    uint32_t *recv;
    if (t->ev_mode == TT_EV_SPARSE) {
        t->ev = xpcs_grow_keep(t->ev, &t->ev_cap, t->ev_n * 3 + n_recv + 3, sizeof(uint32_t));
        recv = t->ev + 3 * t->ev_n;
    }
    else {
        t->ev = xpcs_grow_keep(t->ev, &t->ev_cap, n_recv + 3, sizeof(uint32_t));
        recv = t->ev;
    }
    xpcs_comm_alltoallv(c, t->esend, sc, sd, recv, rc, rd, XPCS_DT_U32);
    count_bytes(t, tm, sizeof(uint32_t));
    n_recv /= 3;
    if (t->ev_mode == TT_EV_SPARSE) {
        t->ev_n += n_recv;
        return XPCS_OK;
    }
    /* dense: add the counts into the series store (repeated frames: -a) */
    uint32_t *store = t->store;
    for (int64_t i = 0; i < n_recv && !st; i++) {
        const uint32_t *d = recv + 3 * i;
        uint32_t *v = store + (size_t)d[1] * (size_t)t->n_cols + d[0];
        if (*v > UINT32_MAX - d[2])
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: frame %u: a summed count exceeds 2^32-1", raw,
                           d[1]);
        else
            *v += d[2];
    }
    return xpcs_comm_agree(c, st, err);
}

/* Owner, once after the last step: the events as CSR per column (stable
 * counting sort: time order kept), counts of a repeated frame summed. */
static xpcs_status events_to_csr(xpcs_corr_tt *t, const char *raw, xpcs_err *err)
{
    const int64_t n = t->ev_n, nc = t->n_cols;
    t->cptr = xpcs_calloc((size_t)nc + 2, sizeof(int64_t));
    for (int64_t i = 0; i < n; i++)
        t->cptr[t->ev[3 * i] + 1]++;
    for (int64_t k = 0; k < nc; k++)
        t->cptr[k + 1] += t->cptr[k];
    t->cfr = xpcs_malloc(sizeof(uint32_t) * (size_t)(n + 1));
    t->cct = xpcs_malloc(sizeof(uint32_t) * (size_t)(n + 1));
    int64_t *pos = xpcs_malloc(sizeof(int64_t) * (size_t)(nc + 1));
    memcpy(pos, t->cptr, sizeof(int64_t) * (size_t)(nc + 1));
    for (int64_t i = 0; i < n; i++) {
        const uint32_t *d = t->ev + 3 * i;
        const int64_t q = pos[d[0]]++;
        t->cfr[q] = d[1];
        t->cct[q] = d[2];
    }
    free(pos);
    free(t->ev);
    t->ev = NULL;
    t->ev_n = t->ev_cap = 0;
    xpcs_status st = XPCS_OK;
    int64_t w = 0;
    for (int64_t k = 0; k < nc; k++) {
        const int64_t a = t->cptr[k], b = t->cptr[k + 1];
        t->cptr[k] = w;
        for (int64_t i = a; i < b; i++) {
            if (w > t->cptr[k] && t->cfr[w - 1] == t->cfr[i]) {
                const uint64_t s = (uint64_t)t->cct[w - 1] + t->cct[i];
                if (s > UINT32_MAX && !st)
                    st =
                        xpcs_fail(err, XPCS_ERR_INPUT,
                                  "%s: frame %u: a summed count exceeds 2^32-1: use --kernel dense",
                                  raw, t->cfr[i]);
                t->cct[w - 1] = (uint32_t)s;
            }
            else {
                t->cfr[w] = t->cfr[i];
                t->cct[w] = t->cct[i];
                w++;
            }
        }
    }
    t->cptr[nc] = w;
    return st;
}

xpcs_status xpcs_corr_tt_events_done(xpcs_corr_tt *t, const xpcs_comm *c, const char *raw,
                                     xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    if (t->ev_mode == TT_EV_SPARSE)
        st = events_to_csr(t, raw, err);
    free(t->esend);
    t->esend = NULL;
    t->esend_cap = 0;
    return xpcs_comm_agree(c, st, err);
}

#define TT_PACK(T)                                                                                 \
    do {                                                                                           \
        const T *fr = (const T *)frames;                                                           \
        T *sb = (T *)t->send;                                                                      \
        _Pragma("omp parallel for schedule(static)") for (int64_t f = 0; f < count; f++)           \
        {                                                                                          \
            const T *src = fr + (size_t)f * (size_t)npix;                                          \
            for (int d = 0; d < t->n_ranks; d++) {                                                 \
                int64_t a = t->xpf[d], n = t->xpf[d + 1] - a;                                      \
                T *dst = sb + (size_t)(count * a) + (size_t)(f * n);                               \
                const int64_t *idx = t->xpix + a;                                                  \
                for (int64_t j = 0; j < n; j++)                                                    \
                    dst[j] = src[idx[j]];                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

void xpcs_corr_tt_exchange(xpcs_corr_tt *t, const xpcs_comm *c, const xpcs_plan *p, int64_t step,
                           const void *frames, int64_t count, xpcs_timers *tm)
{
    const int64_t npix = p->rows * p->cols;
    switch (t->xsz) {
    case 1:
        TT_PACK(uint8_t);
        break;
    case 2:
        TT_PACK(uint16_t);
        break;
    case 4:
        TT_PACK(uint32_t);
        break;
    default:
        TT_PACK(double);
        break;
    }
    int *sc = t->cnt, *sd = sc + t->n_ranks, *rc = sd + t->n_ranks, *rd = rc + t->n_ranks;
    const int64_t step_lo = step * p->step_frames;
    for (int r = 0; r < t->n_ranks; r++) {
        int64_t f_r, c_r;
        xpcs_plan_rank_frames(p, step, r, &f_r, &c_r);
        sc[r] = (int)(count * (t->xpf[r + 1] - t->xpf[r]));
        sd[r] = (int)(count * t->xpf[r]);
        rc[r] = (int)(c_r * t->n_cols);
        rd[r] = (int)((f_r - step_lo) * t->n_cols);
    }
    /* received straight into the store: rows step_lo.. in time order */
    xpcs_comm_alltoallv(c, t->send, sc, sd,
                        (char *)t->store + (size_t)step_lo * (size_t)t->n_cols * t->xsz, rc, rd,
                        t->xt);
    count_bytes(t, tm, t->xsz);
}

/* Bin b's map (twotime.h: the dense or the event kernel), diagonal means
 * and segments; the float32 triangle in t->tri.  *events: the bin's photon
 * events (event kernel; 0 for the dense kernel). */
static void compute_bin(xpcs_corr_tt *t, int b, double *sec, double *blas_sec, double *events)
{
    const int64_t N = t->N, k = bin_len(t, b);
    const int sparse = t->ev_mode == TT_EV_SPARSE;
    if (!t->C) {
        int64_t max_k = 0;
        for (int i = 0; i < t->n_bins; i++)
            if (t->owner[i] == t->rank && bin_len(t, i) > max_k)
                max_k = bin_len(t, i);
        if (!sparse)
            t->X = xpcs_malloc(sizeof(double) * (size_t)(N * max_k) + 1);
        t->C = xpcs_malloc(sizeof(double) * (size_t)(N * N));
        t->g2 = xpcs_malloc(sizeof(double) * (size_t)N);
        t->seg = xpcs_calloc((size_t)(N / 5 * 5) + 1, sizeof(double));
    }
    if (!t->tri)
        t->tri = xpcs_malloc(sizeof(float) * (size_t)xpcs_twotime_tri_len(N));
    if (!sparse)
        xpcs_twotime_load(t->store, t->xt, t->n_cols, t->col0[b], N, k, t->X);
    double t0 = omp_get_wtime();
    const int64_t *g = t->grp + t->grp_first[b];
    const int ng = (int)(t->grp_first[b + 1] - t->grp_first[b]) - 1;
    const xpcs_smooth sm = (xpcs_smooth)t->smooth;
    *events = 0;
    *blas_sec = 0;
    if (sparse) {
        const int64_t *ptr = t->cptr + t->col0[b];
        *events = (double)(ptr[k] - ptr[0]);
        xpcs_twotime_sparse(ptr, t->cfr, t->cct, N, k, g, ng, sm, t->C);
    }
    else {
        xpcs_twotime_dense(t->X, N, k, g, ng, sm, t->C, blas_sec);
    }
    xpcs_twotime_diag_means(t->C, N, N, t->g2);
    xpcs_twotime_segments(t->C, N, t->seg);
    *sec = omp_get_wtime() - t0;
    xpcs_twotime_pack_upper(t->C, N, t->tri);
}

static int64_t hdr_len(const xpcs_corr_tt *t)
{
    return 4 + t->N + t->N / 5 * 5; /* bin, seconds, BLAS seconds, events, g2, segments */
}

void xpcs_corr_tt_serve(xpcs_corr_tt *t, const xpcs_comm *c)
{
    const int64_t hl = hdr_len(t);
    double *hdr = xpcs_malloc(sizeof(double) * (size_t)hl);
    int first = 1;
    for (int b = 0; b < t->n_bins; b++) {
        if (t->owner[b] != t->rank)
            continue;
        double sec = 0, blas = 0, events = 0;
        compute_bin(t, b, &sec, &blas, &events);
        if (first) {
            int cmd = CMD_STOP;
            xpcs_comm_recv_bytes(c, &cmd, sizeof cmd, 0, TAG_CMD);
            first = 0;
            if (cmd != CMD_GO)
                break;
        }
        hdr[0] = b;
        hdr[1] = sec;
        hdr[2] = blas;
        hdr[3] = events;
        memcpy(hdr + 4, t->g2, sizeof(double) * (size_t)t->N);
        memcpy(hdr + 4 + t->N, t->seg, sizeof(double) * (size_t)(t->N / 5 * 5));
        xpcs_comm_send_bytes(c, hdr, sizeof(double) * (size_t)hl, 0, TAG_HDR);
        xpcs_comm_send_bytes(c, t->tri, sizeof(float) * (size_t)xpcs_twotime_tri_len(t->N), 0,
                             TAG_MAP);
    }
    free(hdr);
}

/* rank 0: keep bin b's diagonal means and timing; write its map */
static xpcs_status take_bin(xpcs_corr_tt *t, int b, const double *g2, const double *seg, double sec,
                            double blas, double events, const xpcs_h5x *w, xpcs_status st,
                            xpcs_err *err)
{
    const int64_t N = t->N, nb = t->n_bins, len = N / 5;
    for (int64_t k = 0; k < N; k++)
        t->all_g2[k * nb + b] = g2[k];
    for (int64_t k = 0; k < len; k++)
        for (int s = 0; s < 5; s++)
            t->all_seg[(k * 5 + s) * nb + b] = seg[k * 5 + s];
    t->bin_sec[b] = sec;
    t->bin_blas[b] = blas;
    t->bin_events[b] = events;
    if (st)
        return st; /* after an error: only drain */
    char path[128];
    snprintf(path, sizeof path, "/xpcs/twotime/correlation_map/c2_%05d", b + 1);
    return xpcs_h5x_upper_map(w, path, N, t->tri, err);
}

static void send_cmd(xpcs_corr_tt *t, const xpcs_comm *c, int cmd)
{
    for (int r = 1; r < t->n_ranks; r++) {
        int owns = 0;
        for (int b = 0; b < t->n_bins; b++)
            owns |= t->owner[b] == r;
        if (owns)
            xpcs_comm_send_bytes(c, &cmd, sizeof cmd, r, TAG_CMD);
    }
}

xpcs_status xpcs_corr_tt_write(xpcs_corr_tt *t, const xpcs_comm *c, const xpcs_h5x *w,
                               const xpcs_result *r, xpcs_err *err)
{
    const int64_t N = t->N, nb = t->n_bins, hl = hdr_len(t);
    t->all_g2 = xpcs_calloc((size_t)(N * nb), sizeof(double));
    t->all_seg = xpcs_calloc((size_t)(N / 5 * 5 * nb) + 1, sizeof(double));
    t->bin_sec = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_blas = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_events = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_xfer_wait = xpcs_calloc((size_t)nb, sizeof(double));
    double *hdr = xpcs_malloc(sizeof(double) * (size_t)hl);
    if (!t->tri)
        t->tri = xpcs_malloc(sizeof(float) * (size_t)xpcs_twotime_tri_len(N));
    t->go_sent = 1;
    send_cmd(t, c, CMD_GO);
    int remote = 0;
    for (int b = 0; b < nb; b++)
        remote += t->owner[b] != 0;
    xpcs_status st = XPCS_OK;
    const size_t tri_bytes = sizeof(float) * (size_t)xpcs_twotime_tri_len(N);
#define RECEIVE(SRC)                                                                               \
    do {                                                                                           \
        double w0_ = xpcs_comm_wtime();                                                            \
        xpcs_comm_recv_bytes(c, hdr, sizeof(double) * (size_t)hl, (SRC), TAG_HDR);                 \
        xpcs_comm_recv_bytes(c, t->tri, tri_bytes, (SRC), TAG_MAP);                                \
        int b_ = (int)hdr[0];                                                                      \
        t->bin_xfer_wait[b_] = xpcs_comm_wtime() - w0_;                                            \
        st = take_bin(t, b_, hdr + 4, hdr + 4 + N, hdr[1], hdr[2], hdr[3], w, st, err);            \
        remote--;                                                                                  \
    } while (0)
    for (int b = 0; b < nb; b++) {
        if (t->owner[b] != 0)
            continue;
        double sec = 0, blas = 0, events = 0;
        compute_bin(t, b, &sec, &blas, &events);
        st = take_bin(t, b, t->g2, t->seg, sec, blas, events, w, st, err);
        int src;
        while (remote > 0 && (src = xpcs_comm_probe(c, TAG_HDR, 0)) >= 0)
            RECEIVE(src);
    }
    while (remote > 0) {
        int src = xpcs_comm_probe(c, TAG_HDR, 1);
        RECEIVE(src);
    }
#undef RECEIVE
    free(hdr);
    if (st)
        return st;
    int64_t *ids = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    int64_t *own = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    int64_t *npx = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    double *gf = xpcs_malloc(sizeof(double) * (size_t)nb);
    for (int b = 0; b < nb; b++) {
        ids[b] = t->bin[b];
        own[b] = t->owner[b];
        npx[b] = bin_len(t, b);
        gf[b] = t->bin_sec[b] > 0 ? xpcs_twotime_flops(N, npx[b]) / t->bin_sec[b] / 1e9 : 0.0;
    }
    int64_t d1[1] = {nb}, d2[2] = {N, nb}, d3[3] = {N / 5, 5, nb};
    st = xpcs_h5x_i64(w, "/xpcs/twotime/processed_bins", 1, d1, ids, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/normalized_g2", 2, d2, t->all_g2, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/normalized_g2_segments", 3, d3, t->all_seg, err);
    if (!st)
        st = xpcs_h5x_config(w, "/xpcs/twotime/config", r, "Twotime", err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/twotime/config/smooth", t->smooth_name, err);
    if (!st)
        st = xpcs_h5x_i64(w, "/xpcs/twotime/config/bin_rank", 1, d1, own, err);
    if (!st)
        st = xpcs_h5x_i64(w, "/xpcs/twotime/config/bin_pixels", 1, d1, npx, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_seconds", 1, d1, t->bin_sec, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_blas_seconds", 1, d1, t->bin_blas, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_events", 1, d1, t->bin_events, err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/twotime/config/kernel",
                          t->ev_mode == TT_EV_SPARSE ? "sparse" : "dense", err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/twotime/config/kernel_option", xpcs_kernel_name(r->cfg->kernel),
                          err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/occupancy", 0, NULL, &r->occupancy, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_gflops", 1, d1, gf, err);
    free(ids);
    free(own);
    free(npx);
    free(gf);
    return st;
}

void xpcs_corr_tt_release(xpcs_corr_tt *t, const xpcs_comm *c)
{
    if (!t->go_sent)
        send_cmd(t, c, CMD_STOP);
    t->go_sent = 1;
}

void xpcs_corr_tt_print_stats(const xpcs_corr_tt *t, FILE *out)
{
    if (!t->bin_sec)
        return;
    const int sparse = t->ev_mode == TT_EV_SPARSE;
    double fl = 0, sec = 0, bl = 0, ev = 0;
    double *fl_rank = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    double *sec_rank = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    for (int b = 0; b < t->n_bins; b++) {
        /* dense: the products' flops; events: photon events */
        const double f = sparse ? t->bin_events[b] : xpcs_twotime_flops(t->N, bin_len(t, b));
        const double rate = t->bin_sec[b] > 0 ? f / t->bin_sec[b] : 0.0;
        if (sparse)
            fprintf(out,
                    "twotime: bin %d (%lld px) on rank %d: event kernel %.3f s, %.0f events "
                    "(%.3g events/s)\n",
                    t->bin[b], (long long)bin_len(t, b), t->owner[b], t->bin_sec[b], f, rate);
        else
            fprintf(out,
                    "twotime: bin %d (%lld px) on rank %d: correlation %.3f s (dgemm %.3f s), "
                    "%.1f GFLOP/s\n",
                    t->bin[b], (long long)bin_len(t, b), t->owner[b], t->bin_sec[b], t->bin_blas[b],
                    rate / 1e9);
        fl += f;
        sec += t->bin_sec[b];
        bl += t->bin_blas[b];
        ev += t->bin_events[b];
        fl_rank[t->owner[b]] += f;
        sec_rank[t->owner[b]] += t->bin_sec[b];
    }
    if (sparse)
        fprintf(out, "twotime: all bins: event kernel, %.0f events in %.3f s\n", ev, sec);
    else
        fprintf(out,
                "twotime: all bins: %.3g GFLOP in %.3f s of correlation (%.3f s dgemm): %.1f "
                "GFLOP/s per rank\n",
                fl / 1e9, sec, bl, sec > 0 ? fl / sec / 1e9 : 0.0);
    for (int r = 0; r < t->n_ranks; r++)
        if (sec_rank[r] > 0)
            fprintf(out, "twotime: rank %d: %.3g %s in %.3f s\n", r,
                    sparse ? fl_rank[r] : fl_rank[r] / 1e9, sparse ? "events" : "GFLOP",
                    sec_rank[r]);
    free(fl_rank);
    free(sec_rank);
}
