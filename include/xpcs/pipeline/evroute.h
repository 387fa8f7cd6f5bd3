/* evroute: the one event router.  A step's events (this rank's frame CSR)
 * go to the ranks that own them -- the multitau owners (pixel ranges) and
 * the two-time owners (whole bins) -- as (key, frame, count) uint32
 * triplets in one all-to-all; every owner receives them rank by rank, and
 * ranks hold consecutive frames, so each owner's events arrive in time
 * order.
 *
 * The caller marks each event's owner (-1: nobody) in the router's owner
 * array, by its own rule (xpcs_evroute_owners_table for a per-pixel table),
 * then exchanges.  Both counts that MPI takes as int are checked (the sent
 * and the received words of one step), and every rank agrees on the
 * outcome.
 */
#ifndef XPCS_EVROUTE_H
#define XPCS_EVROUTE_H

#include <stdint.h>

#include "xpcs/core/status.h"
#include "xpcs/kernels/events.h"
#include "xpcs/monitor/timer.h"
#include "xpcs/parallel/comm.h"

typedef struct {
    int n_ranks, rank;
    const char *what; /* "" or "two-time ": names the events in messages */
    int32_t *owner;   /* [events of the step]: owner rank, -1: not routed */
    int64_t owner_cap;
    uint32_t *send;
    int64_t send_cap;
    int *sc, *sd, *rc, *rd; /* [n_ranks] each, in uint32 words */
} xpcs_evroute;

void xpcs_evroute_init(xpcs_evroute *r, int n_ranks, int rank, const char *what);
void xpcs_evroute_free(xpcs_evroute *r);

/* The owner array, with room for n_events events. */
int32_t *xpcs_evroute_owners(xpcs_evroute *r, int64_t n_events);
/* Owners from a per-pixel table (px_owner[flat pixel], -1: nobody) for the
 * events of f's first n_fr frames. */
void xpcs_evroute_owners_table(xpcs_evroute *r, const xpcs_frame_csr *f, int64_t n_fr,
                               const int32_t *px_owner);

/* Collective: sends the events of f's first n_fr frames (output frames
 * fa, fa + 1, ...) that have an owner as (key, frame, count), key =
 * keys[pixel] (or the pixel when keys is NULL), and receives the owners'
 * share: appended to *buf (grown, kept) after its first n_have triplets;
 * *n_recv = triplets received.  raw names the input in messages; the bytes
 * moved between ranks go to tm's counters, the packing to phase pack and the
 * all-to-all to phase exchange (the caller runs neither around it). */
xpcs_status xpcs_evroute_exchange(xpcs_evroute *r, const xpcs_comm *c, const xpcs_frame_csr *f,
                                  int64_t fa, int64_t n_fr, const uint32_t *keys, uint32_t **buf,
                                  int64_t *cap, int64_t n_have, int64_t *n_recv, const char *raw,
                                  xpcs_timers *tm, xpcs_err *err);

#endif
