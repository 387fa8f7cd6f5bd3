/* ttstage: the two-time bins' series and events on their owners (see
 * include/xpcs/pipeline/ttstage.h; the maps are ttmaps.c).  MPI through
 * comm only. */
#include <stdlib.h>
#include <string.h>

#include "ttstage_impl.h"

xpcs_ttstage *xpcs_ttstage_create(const xpcs_plan *p, int rank, const char *raw, int maps_to_root)
{
    const xpcs_ttplan *tp = p->twotime;
    xpcs_ttstage *t = xpcs_calloc(1, sizeof *t);
    t->tp = tp;
    t->n_ranks = tp->n_ranks;
    t->rank = rank;
    t->N = tp->N;
    t->xt = tp->xt;
    t->xsz = xpcs_dtype_size(tp->xt);
    t->raw = raw;
    t->maps_to_root = maps_to_root;
    t->cnt = xpcs_malloc(sizeof(int) * 4 * (size_t)t->n_ranks);
    const int64_t n_pix = tp->xpf[tp->n_ranks];
    if (!p->events) {
        t->ev_mode = TT_EV_NONE;
        t->store = xpcs_malloc((size_t)t->N * (size_t)tp->n_cols * t->xsz + 1);
        t->send = xpcs_malloc((size_t)tp->max_mine * (size_t)n_pix * t->xsz + 1);
        return t;
    }
    /* event input: the map of detector pixels to owner and column */
    t->ev_mode = p->sparse_twotime ? TT_EV_SPARSE : TT_EV_DENSE;
    const int64_t npix = p->rows * p->cols;
    t->px_owner = xpcs_malloc(sizeof(int32_t) * (size_t)(npix + 1));
    t->px_col = xpcs_malloc(sizeof(uint32_t) * (size_t)(npix + 1));
    for (int64_t i = 0; i < npix; i++)
        t->px_owner[i] = -1;
    for (int r = 0; r < t->n_ranks; r++)
        for (int64_t j = tp->xpf[r]; j < tp->xpf[r + 1]; j++) {
            t->px_owner[tp->xpix[j]] = r;
            t->px_col[tp->xpix[j]] = (uint32_t)(j - tp->xpf[r]);
        }
    xpcs_evroute_init(&t->route, t->n_ranks, rank, "two-time ");
    if (t->ev_mode == TT_EV_DENSE) { /* sums of uint32 counts: zeros where none */
        t->xt = XPCS_DT_U32;
        t->xsz = sizeof(uint32_t);
        t->store = xpcs_calloc((size_t)t->N * (size_t)tp->n_cols + 1, t->xsz);
    }
    return t;
}

void xpcs_ttstage_destroy(xpcs_ttstage **tp)
{
    if (!tp || !*tp)
        return;
    xpcs_ttstage *t = *tp;
    free(t->px_owner);
    free(t->px_col);
    xpcs_evroute_free(&t->route);
    free(t->ev);
    free(t->cptr);
    free(t->cfr);
    free(t->cct);
    free(t->store);
    free(t->send);
    free(t->cnt);
    xpcs_mapz_destroy(&t->z);
    free(t->piece);
    free(t->inbox);
    free(t->outbox);
    free(t->addr);
    if (t->file) { /* only after a failure: the file is abandoned anyway */
        xpcs_err e;
        xpcs_comm_file_close_written(&t->file, &e);
    }
    free(t->blk);
    free(t->scratch);
    free(t->X);
    free(t->Cp);
    free(t->row);
    free(t->tri);
    free(t->acc);
    free(t->all_g2);
    free(t->all_seg);
    free(t->bin_sec);
    free(t->bin_blas);
    free(t->bin_events);
    free(t->rank_sec);
    free(t->bin_left);
    free(t->bin_e);
    for (int b = 0; b < t->tp->n_bins; b++) {
        if (t->bin_acc)
            free(t->bin_acc[b]);
        if (t->rep_store)
            free(t->rep_store[b]);
        if (t->rep_ptr) {
            free(t->rep_ptr[b]);
            free(t->rep_fr[b]);
            free(t->rep_ct[b]);
        }
    }
    free(t->bin_acc);
    free(t->rep_store);
    free(t->rep_ptr);
    free(t->rep_fr);
    free(t->rep_ct);
    free(t);
    *tp = NULL;
}

/* ---- event pipeline ------------------------------------------------------ */

xpcs_status xpcs_ttstage_exchange_events(xpcs_ttstage *t, const xpcs_comm *c,
                                         const xpcs_frame_csr *f, int64_t fa, int64_t n_fr,
                                         xpcs_timers *tm, xpcs_err *err)
{
    xpcs_evroute_owners_table(&t->route, f, n_fr, t->px_owner);
    /* sparse: the events accumulate over the run; dense: each step's are
     * added into the store right away */
    const int64_t have = t->ev_mode == TT_EV_SPARSE ? t->ev_n : 0;
    int64_t n_recv;
    xpcs_status st = xpcs_evroute_exchange(&t->route, c, f, fa, n_fr, t->px_col, &t->ev, &t->ev_cap,
                                           have, &n_recv, t->raw, tm, err);
    if (st)
        return st;
    if (t->ev_mode == TT_EV_SPARSE) {
        t->ev_n += n_recv;
        return XPCS_OK;
    }
    /* dense: add the counts into the series store (repeated frames: -a) */
    uint32_t *store = t->store;
    const int64_t n_cols = t->tp->n_cols;
    for (int64_t i = 0; i < n_recv && !st; i++) {
        const uint32_t *d = t->ev + 3 * i;
        uint32_t *v = store + (size_t)d[1] * (size_t)n_cols + d[0];
        if (*v > UINT32_MAX - d[2])
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: frame %u: a summed count exceeds 2^32-1",
                           t->raw, d[1]);
        else
            *v += d[2];
    }
    return xpcs_comm_agree(c, st, err);
}

/* Owner, once after the last step: the events as CSR per column (stable:
 * time order kept), counts of a repeated frame summed. */
static xpcs_status events_to_csr(xpcs_ttstage *t, xpcs_err *err)
{
    const int64_t n = t->ev_n, nc = t->tp->n_cols;
    t->cptr = xpcs_calloc((size_t)nc + 2, sizeof(int64_t));
    uint32_t *fr = xpcs_malloc(sizeof(uint32_t) * (size_t)(n + 1));
    uint32_t *ct = xpcs_malloc(sizeof(uint32_t) * (size_t)(n + 1));
    xpcs_events_csr(t->ev, n, nc, NULL, 0, t->cptr, fr, ct, &t->cfr, &t->cct, NULL, NULL);
    free(t->ev);
    t->ev = NULL;
    t->ev_n = t->ev_cap = 0;
    uint32_t bad;
    if (xpcs_events_merge(t->cptr, nc, t->cfr, t->cct, &bad))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: frame %u: a summed count exceeds 2^32-1: use --kernel dense", t->raw,
                         bad);
    return XPCS_OK;
}

xpcs_status xpcs_ttstage_events_done(xpcs_ttstage *t, const xpcs_comm *c, xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    if (t->ev_mode == TT_EV_SPARSE)
        st = events_to_csr(t, err);
    xpcs_evroute_free(&t->route);
    return xpcs_comm_agree(c, st, err);
}

/* ---- copies of the split bins --------------------------------------------- */

enum { TAG_REP = 3104 };

/* Bin b's owner sends its series (or events) to rank r, which keeps a copy. */
static void copy_bin(xpcs_ttstage *t, const xpcs_comm *c, int b, int r)
{
    const xpcs_ttplan *tp = t->tp;
    const int64_t N = t->N, k = xpcs_ttplan_bin_len(tp, b);
    const int owner = tp->owner[b];
    if (t->ev_mode == TT_EV_SPARSE) {
        if (t->rank == owner) {
            const int64_t *src = t->cptr + tp->col0[b], q0 = src[0], n = src[k] - q0;
            int64_t *ptr = xpcs_malloc(sizeof(int64_t) * (size_t)(k + 1));
            for (int64_t j = 0; j <= k; j++)
                ptr[j] = src[j] - q0;
            xpcs_comm_send_bytes(c, ptr, sizeof(int64_t) * (size_t)(k + 1), r, TAG_REP);
            xpcs_comm_send_bytes(c, t->cfr + q0, sizeof(uint32_t) * (size_t)n, r, TAG_REP);
            xpcs_comm_send_bytes(c, t->cct + q0, sizeof(uint32_t) * (size_t)n, r, TAG_REP);
            free(ptr);
        }
        else if (t->rank == r) {
            int64_t *ptr = xpcs_malloc(sizeof(int64_t) * (size_t)(k + 1));
            xpcs_comm_recv_bytes(c, ptr, sizeof(int64_t) * (size_t)(k + 1), owner, TAG_REP);
            const int64_t n = ptr[k];
            t->rep_ptr[b] = ptr;
            t->rep_fr[b] = xpcs_malloc(sizeof(uint32_t) * (size_t)(n + 1));
            t->rep_ct[b] = xpcs_malloc(sizeof(uint32_t) * (size_t)(n + 1));
            xpcs_comm_recv_bytes(c, t->rep_fr[b], sizeof(uint32_t) * (size_t)n, owner, TAG_REP);
            xpcs_comm_recv_bytes(c, t->rep_ct[b], sizeof(uint32_t) * (size_t)n, owner, TAG_REP);
        }
        return;
    }
    const size_t bytes = (size_t)(N * k) * t->xsz;
    if (t->rank == owner) { /* the bin's columns of every frame, packed */
        char *buf = xpcs_malloc(bytes + 1);
        for (int64_t f = 0; f < N; f++)
            memcpy(buf + (size_t)(f * k) * t->xsz,
                   (const char *)t->store + (size_t)(f * tp->n_cols + tp->col0[b]) * t->xsz,
                   (size_t)k * t->xsz);
        xpcs_comm_send_bytes(c, buf, bytes, r, TAG_REP);
        free(buf);
    }
    else if (t->rank == r) {
        t->rep_store[b] = xpcs_malloc(bytes + 1);
        xpcs_comm_recv_bytes(c, t->rep_store[b], bytes, owner, TAG_REP);
    }
}

void xpcs_ttstage_replicate(xpcs_ttstage *t, const xpcs_comm *c)
{
    const xpcs_ttplan *tp = t->tp;
    const int nb = tp->n_bins;
    t->rep_store = xpcs_calloc((size_t)nb, sizeof(void *));
    t->rep_ptr = xpcs_calloc((size_t)nb, sizeof(int64_t *));
    t->rep_fr = xpcs_calloc((size_t)nb, sizeof(uint32_t *));
    t->rep_ct = xpcs_calloc((size_t)nb, sizeof(uint32_t *));
    /* every rank walks the same order (bins, then tiles): each send meets
     * its receive, no cycle */
    for (int b = 0; b < nb; b++)
        for (int i = tp->bin_tile[b]; i < tp->bin_tile[b + 1]; i++) {
            const int r = tp->tile_rank[i];
            int seen = r == tp->owner[b];
            for (int j = tp->bin_tile[b]; j < i; j++)
                seen |= tp->tile_rank[j] == r;
            if (!seen)
                copy_bin(t, c, b, r);
        }
}

/* ---- frame pipeline ------------------------------------------------------ */

#define TT_PACK(T)                                                                                 \
    do {                                                                                           \
        const T *fr = (const T *)frames;                                                           \
        T *sb = (T *)t->send;                                                                      \
        _Pragma("omp parallel for schedule(static)") for (int64_t f = 0; f < count; f++)           \
        {                                                                                          \
            const T *src = fr + (size_t)f * (size_t)npix;                                          \
            for (int d = 0; d < t->n_ranks; d++) {                                                 \
                int64_t a = tp->xpf[d], n = tp->xpf[d + 1] - a;                                    \
                T *dst = sb + (size_t)(count * a) + (size_t)(f * n);                               \
                const int64_t *idx = tp->xpix + a;                                                 \
                for (int64_t j = 0; j < n; j++)                                                    \
                    dst[j] = src[idx[j]];                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

void xpcs_ttstage_exchange(xpcs_ttstage *t, const xpcs_comm *c, const xpcs_plan *p, int64_t step,
                           const void *frames, int64_t count, xpcs_timers *tm)
{
    const xpcs_ttplan *tp = t->tp;
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
        sc[r] = (int)(count * (tp->xpf[r + 1] - tp->xpf[r]));
        sd[r] = (int)(count * tp->xpf[r]);
        rc[r] = (int)(c_r * tp->n_cols);
        rd[r] = (int)((f_r - step_lo) * tp->n_cols);
    }
    /* received straight into the store: rows step_lo.. in time order */
    xpcs_comm_alltoallv(c, t->send, sc, sd,
                        (char *)t->store + (size_t)step_lo * (size_t)tp->n_cols * t->xsz, rc, rd,
                        t->xt);
    for (int r = 0; r < t->n_ranks && tm; r++) /* bytes moved between ranks */
        if (r != t->rank) {
            xpcs_counter_add(tm, XPCS_C_BYTES_SENT, (double)sc[r] * (double)t->xsz);
            xpcs_counter_add(tm, XPCS_C_BYTES_RECEIVED, (double)rc[r] * (double)t->xsz);
        }
}
