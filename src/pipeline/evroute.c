/* evroute: events to their owners (see include/xpcs/pipeline/evroute.h). */
#include "xpcs/pipeline/evroute.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void xpcs_evroute_init(xpcs_evroute *r, int n_ranks, int rank, const char *what)
{
    memset(r, 0, sizeof *r);
    r->n_ranks = n_ranks;
    r->rank = rank;
    r->what = what;
    r->sc = xpcs_malloc(sizeof(int) * 4 * (size_t)n_ranks);
    r->sd = r->sc + n_ranks;
    r->rc = r->sd + n_ranks;
    r->rd = r->rc + n_ranks;
}

void xpcs_evroute_free(xpcs_evroute *r)
{
    free(r->owner);
    free(r->send);
    free(r->sc);
    memset(r, 0, sizeof *r);
}

int32_t *xpcs_evroute_owners(xpcs_evroute *r, int64_t n_events)
{
    r->owner = xpcs_grow(r->owner, &r->owner_cap, n_events + 1, sizeof(int32_t));
    return r->owner;
}

void xpcs_evroute_owners_table(xpcs_evroute *r, const xpcs_frame_csr *f, int64_t n_fr,
                               const int32_t *px_owner)
{
    const int64_t n_ev = n_fr > 0 ? f->ptr[n_fr] : 0;
    int32_t *o = xpcs_evroute_owners(r, n_ev);
    for (int64_t i = 0; i < n_ev; i++)
        o[i] = px_owner[f->pix[i]];
}

/* (key, frame, count) owner by owner, time order within each; counts and
 * displacements in words.  Returns the events sent. */
static int64_t pack(xpcs_evroute *r, const xpcs_frame_csr *f, int64_t fa, int64_t n_fr,
                    const uint32_t *keys)
{
    const int R = r->n_ranks;
    const int64_t n_ev = n_fr > 0 ? f->ptr[n_fr] : 0;
    int64_t n_send = 0;
    for (int d = 0; d < R; d++)
        r->sc[d] = 0;
    for (int64_t i = 0; i < n_ev; i++)
        if (r->owner[i] >= 0)
            r->sc[r->owner[i]]++;
    for (int d = 0; d < R; d++)
        n_send += r->sc[d];
    if (3 * n_send > INT_MAX)
        return n_send;
    int64_t *pos = xpcs_malloc(sizeof(int64_t) * (size_t)R);
    int64_t off = 0;
    for (int d = 0; d < R; d++) {
        pos[d] = off;
        r->sd[d] = (int)(3 * off);
        off += r->sc[d];
        r->sc[d] *= 3;
    }
    r->send = xpcs_grow(r->send, &r->send_cap, 3 * n_send + 3, sizeof(uint32_t));
    for (int64_t k = 0; k < n_fr; k++) {
        const uint32_t fr = (uint32_t)(fa + k);
        for (int64_t i = f->ptr[k]; i < f->ptr[k + 1]; i++) {
            const int d = r->owner[i];
            if (d < 0)
                continue;
            uint32_t *t = r->send + 3 * pos[d]++;
            t[0] = keys ? keys[f->pix[i]] : f->pix[i];
            t[1] = fr;
            t[2] = f->cnt[i];
        }
    }
    free(pos);
    return n_send;
}

/* The counts, then the triplets (after the send side agreed). */
static xpcs_status exchange(xpcs_evroute *r, const xpcs_comm *c, uint32_t **buf, int64_t *cap,
                            int64_t n_have, int64_t *n_recv, const char *raw, xpcs_timers *tm,
                            xpcs_err *err)
{
    const int R = r->n_ranks;
    xpcs_status st = XPCS_OK;
    xpcs_comm_alltoall_int(c, r->sc, r->rc);
    int64_t words = 0;
    for (int d = 0; d < R; d++) {
        r->rd[d] = (int)words;
        words += r->rc[d];
    }
    if (words > INT_MAX) /* the displacements are int: cannot be received */
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: more than 2^31 %sevent words in one step on rank %d: use "
                       "more ranks or --step-frames",
                       raw, r->what, r->rank);
    st = xpcs_comm_agree(c, st, err);
    if (st)
        return st;
    *buf = xpcs_grow_keep(*buf, cap, 3 * n_have + words + 3, sizeof(uint32_t));
    xpcs_comm_alltoallv(c, r->send, r->sc, r->sd, *buf + 3 * n_have, r->rc, r->rd, XPCS_DT_U32);
    for (int d = 0; d < R; d++) /* bytes moved between ranks (profile) */
        if (d != r->rank) {
            xpcs_counter_add(tm, XPCS_C_BYTES_SENT, 4.0 * r->sc[d]);
            xpcs_counter_add(tm, XPCS_C_BYTES_RECEIVED, 4.0 * r->rc[d]);
        }
    *n_recv = words / 3;
    return XPCS_OK;
}

xpcs_status xpcs_evroute_exchange(xpcs_evroute *r, const xpcs_comm *c, const xpcs_frame_csr *f,
                                  int64_t fa, int64_t n_fr, const uint32_t *keys, uint32_t **buf,
                                  int64_t *cap, int64_t n_have, int64_t *n_recv, const char *raw,
                                  xpcs_timers *tm, xpcs_err *err)
{
    *n_recv = 0;
    xpcs_timer_start(tm, XPCS_T_PACK);
    const int64_t n_send = pack(r, f, fa, n_fr, keys);
    xpcs_timer_stop(tm, XPCS_T_PACK);
    xpcs_timer_start(tm, XPCS_T_EXCHANGE);
    xpcs_status st = XPCS_OK;
    if (3 * n_send > INT_MAX)
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: %lld %sevents in one step on one rank: more than the all-to-all "
                       "can move (use more ranks or --step-frames)",
                       raw, (long long)n_send, r->what);
    st = xpcs_comm_agree(c, st, err);
    if (!st)
        st = exchange(r, c, buf, cap, n_have, n_recv, raw, tm, err);
    xpcs_timer_stop(tm, XPCS_T_EXCHANGE);
    return st;
}
