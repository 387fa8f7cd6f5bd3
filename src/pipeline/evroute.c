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

/* Events per owner (r->sc, in events), and their sum.  Four count rows
 * with the nobody column -1 in front: no branch per event, and consecutive
 * events of one owner do not wait on the same counter. */
static int64_t count(xpcs_evroute *r, int64_t n_ev)
{
    const int R = r->n_ranks;
    const int32_t *o = r->owner;
    int64_t *c = xpcs_calloc(4 * (size_t)(R + 1), sizeof(int64_t));
    int64_t *c0 = c + 1, *c1 = c0 + R + 1, *c2 = c1 + R + 1, *c3 = c2 + R + 1;
    int64_t i = 0;
    for (; i + 4 <= n_ev; i += 4) {
        c0[o[i]]++;
        c1[o[i + 1]]++;
        c2[o[i + 2]]++;
        c3[o[i + 3]]++;
    }
    for (; i < n_ev; i++)
        c0[o[i]]++;
    int64_t n_send = 0;
    for (int d = 0; d < R; d++) {
        const int64_t k = c0[d] + c1[d] + c2[d] + c3[d];
        r->sc[d] = (int)(k < INT_MAX ? k : INT_MAX);
        n_send += k;
    }
    free(c);
    return n_send;
}

/* (key, frame, count) owner by owner, time order within each: this rank's
 * own share straight into its place in the receive buffer (self), the
 * others' into the send buffer at r->sd.  An event without owner is
 * written to a spare slot that does not advance (no branch). */
static void pack(xpcs_evroute *r, const xpcs_frame_csr *f, int64_t fa, int64_t n_fr,
                 const uint32_t *keys, uint32_t *self)
{
    const int R = r->n_ranks;
    uint32_t spare[3];
    uint32_t **at = xpcs_malloc(sizeof(uint32_t *) * (size_t)(R + 1));
    int64_t *step = xpcs_malloc(sizeof(int64_t) * (size_t)(R + 1));
    at[0] = spare; /* owner -1 */
    step[0] = 0;
    for (int d = 0; d < R; d++) {
        at[d + 1] = d == r->rank ? self : r->send + r->sd[d];
        step[d + 1] = 3;
    }
    uint32_t **to = at + 1; /* to[-1]: the spare slot */
    const int64_t *adv = step + 1;
    for (int64_t k = 0; k < n_fr; k++) {
        const uint32_t fr = (uint32_t)(fa + k);
        for (int64_t i = f->ptr[k]; i < f->ptr[k + 1]; i++) {
            const int d = r->owner[i];
            uint32_t *t = to[d];
            t[0] = keys ? keys[f->pix[i]] : f->pix[i];
            t[1] = fr;
            t[2] = f->cnt[i];
            to[d] = t + adv[d];
        }
    }
    free(at);
    free(step);
}

/* The counts (in words) to every rank and the received words'
 * displacements; returns the words this rank receives (the caller refuses
 * more than an int can count). */
static int64_t exchange_counts(xpcs_evroute *r, const xpcs_comm *c)
{
    const int R = r->n_ranks;
    int64_t off = 0;
    for (int d = 0; d < R; d++) {
        r->sd[d] = (int)off;
        off += 3 * (int64_t)r->sc[d];
        r->sc[d] *= 3;
    }
    xpcs_comm_alltoall_int(c, r->sc, r->rc);
    int64_t words = 0;
    for (int d = 0; d < R; d++) {
        r->rd[d] = (int)(words < INT_MAX ? words : INT_MAX);
        words += r->rc[d];
    }
    return words;
}

xpcs_status xpcs_evroute_exchange(xpcs_evroute *r, const xpcs_comm *c, const xpcs_frame_csr *f,
                                  int64_t fa, int64_t n_fr, const uint32_t *keys, uint32_t **buf,
                                  int64_t *cap, int64_t n_have, int64_t *n_recv, const char *raw,
                                  xpcs_timers *tm, xpcs_err *err)
{
    const int R = r->n_ranks, me = r->rank;
    const int64_t n_ev = n_fr > 0 ? f->ptr[n_fr] : 0;
    *n_recv = 0;
    xpcs_timer_start(tm, XPCS_T_PACK);
    const int64_t n_send = count(r, n_ev);
    xpcs_timer_stop(tm, XPCS_T_PACK);
    xpcs_timer_start(tm, XPCS_T_EXCHANGE);
    xpcs_status st = XPCS_OK;
    if (3 * n_send > INT_MAX)
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: %lld %sevents in one step on one rank: more than the all-to-all "
                       "can move (use more ranks or --step-frames)",
                       raw, (long long)n_send, r->what);
    st = xpcs_comm_agree(c, st, err);
    int64_t words = 0;
    if (!st) {
        words = exchange_counts(r, c);
        if (words > INT_MAX) /* the displacements are int: cannot be received */
            st = xpcs_fail(err, XPCS_ERR_MEMORY,
                           "%s: more than 2^31 %sevent words in one step on rank %d: use "
                           "more ranks or --step-frames",
                           raw, r->what, me);
        st = xpcs_comm_agree(c, st, err);
    }
    xpcs_timer_stop(tm, XPCS_T_EXCHANGE);
    if (st)
        return st;
    xpcs_timer_start(tm, XPCS_T_PACK);
    *buf = xpcs_grow_keep(*buf, cap, 3 * n_have + words + 3, sizeof(uint32_t));
    r->send = xpcs_grow(r->send, &r->send_cap, 3 * n_send + 3, sizeof(uint32_t));
    pack(r, f, fa, n_fr, keys, *buf + 3 * n_have + r->rd[me]);
    xpcs_timer_stop(tm, XPCS_T_PACK);
    xpcs_timer_start(tm, XPCS_T_EXCHANGE);
    /* this rank's own share is in place already: the all-to-all moves the rest */
    const int sc_me = r->sc[me], rc_me = r->rc[me];
    r->sc[me] = r->rc[me] = 0;
    if (R > 1)
        xpcs_comm_alltoallv(c, r->send, r->sc, r->sd, *buf + 3 * n_have, r->rc, r->rd, XPCS_DT_U32);
    r->sc[me] = sc_me;
    r->rc[me] = rc_me;
    for (int d = 0; d < R; d++) /* bytes moved between ranks (profile) */
        if (d != me) {
            xpcs_counter_add(tm, XPCS_C_BYTES_SENT, 4.0 * r->sc[d]);
            xpcs_counter_add(tm, XPCS_C_BYTES_RECEIVED, 4.0 * r->rc[d]);
        }
    xpcs_timer_stop(tm, XPCS_T_EXCHANGE);
    *n_recv = words / 3;
    return XPCS_OK;
}
