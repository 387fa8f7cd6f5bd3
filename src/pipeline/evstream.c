/* evstream: event pipeline (see include/xpcs/evstream.h).
 *
 * Data structure manifest (per rank):
 *   corr_bits, valid_bits    [n_pixels / 64] bit maps of the correlated and
 *                            the valid (mask != 0) pixels: 64 KiB for the
 *                            Rigaku detector, so the reader's per-event tests
 *                            stay in cache
 *   flat_lo [n_ranks + 1]    first flat pixel index of each owner's range
 *                            (owners hold contiguous ranges of the ascending
 *                            correlated-pixel list)
 *   loc [own flat range]     owner side: flat pixel -> index among its pixels
 *   frame CSR (reader side)  the non-zero counts of this rank's frames of a
 *                            step: fptr [frames + 1], fpix, fcnt
 *   send / epoch             (pixel index, frame, count) uint32 triplets:
 *                            grouped by owner / received in time order
 *   ptr, cfr, cct            the epoch as CSR per owned pixel (kernel input)
 */
#include "xpcs/pipeline/evstream.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static inline int bit_of(const uint64_t *bits, uint32_t p)
{
    return (int)(bits[p >> 6] >> (p & 63)) & 1;
}
/* Event-file steps: at most this many words per rank, and whole frames
 * (a build with -DXPCS_EV_WORDS_PER_RANK=N makes small steps for tests). */
#ifdef XPCS_EV_WORDS_PER_RANK
#define WORDS_PER_RANK ((int64_t)XPCS_EV_WORDS_PER_RANK)
#else
#define WORDS_PER_RANK ((int64_t)4 << 20)
#endif
/* Largest number of output frames in one event-file step (sparse kernel). */
#define MAX_STEP_FRAMES ((int64_t)1 << 20)
/* --kernel auto, -t twotime: the event kernel below this occupancy */
#define XPCS_TT_SPARSE_BELOW 0.1

typedef struct {
    xpcs_evstream *s;
    int rank, n_ranks;
    int64_t npix, n_own, n_mask;
    uint64_t *corr_bits, *valid_bits;
    int64_t *flat_lo;
    uint32_t *loc;
    int64_t loc_lo;   /* loc[p - loc_lo] */
    int32_t *evowner; /* owner of each event of the step, -1: not correlated */
    int64_t evowner_cap;
    /* reader side, one step */
    int64_t *fptr;
    int64_t fptr_cap;
    uint32_t *fpix, *fcnt;
    int64_t fev_cap;
    uint32_t *send;
    int64_t send_cap;
    int *sc, *sd, *rc, *rd;
    double *fsum;
    int64_t fsum_cap;
    /* owner side */
    uint32_t *epoch; /* triplets */
    int64_t ep_n, ep_cap, ep_f0, ep_max;
    int64_t *ptr;
    uint32_t *cfr, *cct; /* the epoch's CSR, inside epoch */
    uint32_t *part;      /* CSR build: events partitioned by pixel block */
    int64_t part_cap;
    double *scale;
    int64_t scale_cap;
    uint32_t *dense;
    int64_t dense_cap;
} ev_ctx;

static void *grow(void *p, int64_t *cap, int64_t need, size_t esz)
{
    if (need <= *cap)
        return p;
    int64_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    free(p);
    *cap = n;
    return xpcs_malloc((size_t)n * esz);
}

int xpcs_evstream_prefer_sparse(double occupancy, int event_file, int multitau)
{
    /* Multitau: crossover measured on 256 x 256 uint16 frames, 2 ranks: the
     * event kernel wins below about 4 % non-zero pixel-frames (2 %: 6.5e8
     * vs 3.9e8 pixel-frames/s), the register-blocked dense kernel above
     * (9.4 %: 3.1e8 vs 6.5e8).  Event files start as events, so the event
     * kernel wins up to a much higher occupancy. */
    if (multitau)
        return occupancy >= 0 && occupancy < (event_file ? 0.25 : 0.03);
    /* Two-time: the event kernel's pairs cost about n occ^2 N^2 / 2
     * scattered adds against the dense products' n N^2 flops at dgemm speed,
     * so the crossover is an occupancy.  tools/bench_sparse_twotime.sh
     * (2000 frames, 10 bins, 2 cores): at 256 x 256 the event kernel is 80x
     * faster at 1e-3, 2.7x at 1e-1, 1.2x slower at 0.2; at 128 x 128 even
     * at 1e-1, 1.3x slower at 0.2.  Event files too: the dense kernel is
     * then fed from the events. */
    return occupancy >= 0 && occupancy < XPCS_TT_SPARSE_BELOW;
}

/* ---- non-zero counts of dense frames ------------------------------------ */

/* Appends the non-zero pixels of one frame of npix values, in ascending
 * order.  256-byte blocks of zeros are skipped with one test (OR of 32
 * words loaded straight from the frame: no copy of the block); in the other
 * blocks each non-zero 8-byte word appends its values without branches (a
 * zero value is written and overwritten by the next), so pix and cnt need
 * room for npix values.  Measured on 1 MiB frames just read from the page
 * cache: 20 % faster than 64-byte blocks with a branch per value at 1e-3
 * non-zero values, 4x at 0.5 (no mispredicted branches). */
#define EXTRACT(TYPE)                                                                              \
    do {                                                                                           \
        const TYPE *x = (const TYPE *)frame;                                                       \
        const int64_t L = 8 / (int64_t)sizeof(TYPE), B = 32 * L;                                   \
        int64_t p0 = 0;                                                                            \
        for (; p0 + B <= npix; p0 += B) {                                                          \
            uint64_t o = 0;                                                                        \
            for (int64_t q = 0; q < B; q += L) {                                                   \
                uint64_t w;                                                                        \
                memcpy(&w, x + p0 + q, sizeof w);                                                  \
                o |= w;                                                                            \
            }                                                                                      \
            if (!o)                                                                                \
                continue;                                                                          \
            for (int64_t q = p0; q < p0 + B; q += L) {                                             \
                uint64_t w;                                                                        \
                memcpy(&w, x + q, sizeof w);                                                       \
                if (!w)                                                                            \
                    continue;                                                                      \
                for (int64_t p = q; p < q + L; p++) {                                              \
                    pix[n] = (uint32_t)p;                                                          \
                    cnt[n] = (uint32_t)x[p];                                                       \
                    n += x[p] != 0;                                                                \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (int64_t p = p0; p < npix; p++)                                                        \
            if (x[p]) {                                                                            \
                pix[n] = (uint32_t)p;                                                              \
                cnt[n] = (uint32_t)x[p];                                                           \
                n++;                                                                               \
            }                                                                                      \
    } while (0)

static int64_t extract_frame(const void *frame, xpcs_dtype t, int64_t npix, uint32_t *pix,
                             uint32_t *cnt)
{
    int64_t n = 0;
    if (t == XPCS_DT_U8)
        EXTRACT(uint8_t);
    else if (t == XPCS_DT_U16)
        EXTRACT(uint16_t);
    else
        EXTRACT(uint32_t);
    return n;
}

/* ---- one step: SAXS, frame sums, routing, owner ------------------------- */

static void flush_epoch(ev_ctx *e, int64_t f_end, xpcs_err *err, xpcs_status *st);

static void scale_frames(ev_ctx *e, int64_t f0, int64_t n)
{
    e->scale = grow(e->scale, &e->scale_cap, n > 0 ? n : 1, sizeof(double));
    for (int64_t f = 0; f < n; f++) {
        /* as corr.c: I'(t) = I(t) / <I(t)>; an all-zero frame stays */
        double s = e->s->frame_sum[f0 + f];
        e->scale[f] = s > 0 ? (double)e->n_mask / s : 1.0;
    }
}

/* The step covers output frames [F0, F1); this rank holds the events of its
 * frames [fa, fb) in the frame CSR. */
static xpcs_status do_step(ev_ctx *e, int64_t F0, int64_t F1, int64_t fa, int64_t fb, int last,
                           xpcs_err *err)
{
    xpcs_evstream *s = e->s;
    const int R = e->n_ranks;
    const int64_t nf = F1 - F0, mine = fb - fa;
    const int64_t n_ev = mine > 0 ? e->fptr[mine] : 0;
    const int do_mt = s->ms || s->mt; /* -t twotime: no multitau kernel */
    s->nonzero += n_ev;

    /* SAXS (image and segments; the frame sums below) */
    xpcs_timer_start(s->tm, XPCS_T_SAXS);
    if (mine > 0)
        xpcs_saxs_add_events(s->saxs, fa, mine, e->fptr, e->fpix, e->fcnt, NULL);
    xpcs_timer_stop(s->tm, XPCS_T_SAXS);

    /* this rank's part of the frame sums (valid pixels: an integer sum, as
     * xpcs_saxs_add_frames forms it); triplets for each owner, time order */
    xpcs_timer_start(s->tm, XPCS_T_PACK);
    e->fsum = grow(e->fsum, &e->fsum_cap, nf, sizeof(double));
    memset(e->fsum, 0, sizeof(double) * (size_t)nf);
    for (int r = 0; r < R; r++)
        e->sc[r] = 0;
    int64_t n_send = 0;
    e->evowner = grow(e->evowner, &e->evowner_cap, n_ev + 1, sizeof(int32_t));
    for (int64_t f = 0; f < mine; f++) {
        uint64_t sum = 0;
        int r = 0; /* pixels ascend within a frame (per raw frame with -a) */
        for (int64_t i = e->fptr[f]; i < e->fptr[f + 1]; i++) {
            const uint32_t p = e->fpix[i];
            sum += bit_of(e->valid_bits, p) ? e->fcnt[i] : 0;
            if (!do_mt || !bit_of(e->corr_bits, p)) {
                e->evowner[i] = -1;
                continue;
            }
            if (p < e->flat_lo[r])
                r = 0;
            while (p >= e->flat_lo[r + 1])
                r++;
            e->evowner[i] = r;
            e->sc[r]++;
            n_send++;
        }
        e->fsum[fa - F0 + f] = (double)sum;
    }
    xpcs_status st = XPCS_OK;
    if (3 * n_send > INT_MAX)
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: %lld events in one step on one rank: more than the all-to-all "
                       "can move (use more ranks or --step-frames)",
                       s->cfg->raw, (long long)n_send);
    int64_t *pos = xpcs_malloc(sizeof(int64_t) * (size_t)R);
    int64_t off = 0;
    for (int r = 0; r < R; r++) {
        pos[r] = off;
        e->sd[r] = (int)(3 * off);
        off += e->sc[r];
    }
    e->send = grow(e->send, &e->send_cap, 3 * n_send + 3, sizeof(uint32_t));
    if (!st) {
        for (int64_t f = 0; f < mine; f++) {
            const uint32_t fr = (uint32_t)(fa + f);
            for (int64_t i = e->fptr[f]; i < e->fptr[f + 1]; i++) {
                const int d = e->evowner[i];
                if (d < 0)
                    continue;
                uint32_t *t = e->send + 3 * pos[d]++;
                t[0] = e->fpix[i]; /* the owner maps it to its own index */
                t[1] = fr;
                t[2] = e->fcnt[i];
            }
        }
    }
    free(pos);
    for (int r = 0; r < R; r++)
        e->sc[r] *= 3;
    xpcs_timer_stop(s->tm, XPCS_T_PACK);
    st = xpcs_comm_agree(s->comm, st, err);
    if (st)
        return st;

    xpcs_timer_start(s->tm, XPCS_T_EXCHANGE);
    xpcs_comm_allreduce_sum_double(s->comm, e->fsum, nf);
    memcpy(s->frame_sum + F0, e->fsum, sizeof(double) * (size_t)nf);
    int64_t n_recv = 0;
    uint32_t *recv = NULL;
    if (do_mt) { /* the owned pixels' events to their owners */
        xpcs_comm_alltoall_int(s->comm, e->sc, e->rc);
        for (int r = 0; r < R; r++) {
            e->rd[r] = (int)n_recv;
            n_recv += e->rc[r];
        }
        n_recv /= 3;
        if (s->ms) {
            e->epoch =
                xpcs_grow_keep(e->epoch, &e->ep_cap, 3 * (e->ep_n + n_recv) + 3, sizeof(uint32_t));
            recv = e->epoch + 3 * e->ep_n;
        }
        else {
            e->epoch = grow(e->epoch, &e->ep_cap, 3 * n_recv + 3, sizeof(uint32_t));
            recv = e->epoch;
        }
        xpcs_comm_alltoallv(s->comm, e->send, e->sc, e->sd, recv, e->rc, e->rd, XPCS_DT_U32);
        for (int r = 0; r < R; r++) /* bytes moved between ranks (profile) */
            if (r != e->rank) {
                xpcs_counter_add(s->tm, XPCS_C_BYTES_SENT, 4.0 * e->sc[r]);
                xpcs_counter_add(s->tm, XPCS_C_BYTES_RECEIVED, 4.0 * e->rc[r]);
            }
    }
    /* two-time: the events of the selected bins to the bins' owners */
    if (s->tt)
        st = xpcs_corr_tt_exchange_events(s->tt, s->comm, fa, mine, e->fptr, e->fpix, e->fcnt,
                                          s->cfg->raw, s->tm, err);
    xpcs_timer_stop(s->tm, XPCS_T_EXCHANGE);
    if (st)
        return st;

    xpcs_timer_start(s->tm, XPCS_T_MULTITAU);
    if (!do_mt) {
        /* two-time only: nothing to correlate per step */
    }
    else if (s->ms) {
        e->ep_n += n_recv;
        if (last || e->ep_n >= e->ep_max)
            flush_epoch(e, F1, err, &st);
    }
    else {
        /* dense kernel: the step's frames of the owned pixels */
        const int64_t n_own = e->n_own;
        e->dense = grow(e->dense, &e->dense_cap, nf * n_own + 1, sizeof(uint32_t));
        memset(e->dense, 0, sizeof(uint32_t) * (size_t)(nf * n_own));
        for (int64_t i = 0; i < n_recv && !st; i++) {
            const uint32_t *t = recv + 3 * i;
            uint32_t *v = e->dense + (int64_t)(t[1] - F0) * n_own + e->loc[t[0] - e->loc_lo];
            if (*v > UINT32_MAX - t[2])
                st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: frame %u: a summed count exceeds 2^32-1",
                               s->cfg->raw, t[1]);
            else
                *v += t[2];
        }
        if (!st) {
            if (s->cfg->normalize_frame)
                scale_frames(e, F0, nf);
            xpcs_multitau_push(s->mt, e->dense, XPCS_DT_U32, nf, n_own,
                               s->cfg->normalize_frame ? e->scale : NULL);
        }
    }
    xpcs_timer_stop(s->tm, XPCS_T_MULTITAU);
    return xpcs_comm_agree(s->comm, st, err);
}

/* CSR per pixel of n (pixel, frame, count) triplets, stable (each pixel's
 * events keep their order).  Two passes of a radix partition: by block of
 * CSR_BLOCK pixels into part (few write streams), then within each block by
 * pixel (a block's events fit in L2): random writes over the whole epoch,
 * with their cache and TLB misses, become local. */
#define CSR_BLOCK 2048
static void csr_build(uint32_t *t, int64_t n, int64_t n_own, const uint32_t *loc, int64_t loc_lo,
                      int64_t *ptr, uint32_t **part, int64_t *part_cap)
{
    const int64_t nb = n_own / CSR_BLOCK + 1;
    int64_t *bptr = xpcs_calloc((size_t)nb + 1, sizeof(int64_t));
    memset(ptr, 0, sizeof(int64_t) * (size_t)(n_own + 1));
    for (int64_t i = 0; i < n; i++) { /* flat pixel -> own index, in place */
        const uint32_t j = loc[t[3 * i] - loc_lo];
        t[3 * i] = j;
        bptr[j / CSR_BLOCK + 1]++;
        ptr[j + 1]++;
    }
    for (int64_t b = 0; b < nb; b++)
        bptr[b + 1] += bptr[b];
    for (int64_t p = 0; p < n_own; p++)
        ptr[p + 1] += ptr[p];
    *part = grow(*part, part_cap, 3 * n + 3, sizeof(uint32_t));
    uint32_t *pt = *part;
    int64_t *bpos = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    memcpy(bpos, bptr, sizeof(int64_t) * (size_t)nb);
    for (int64_t i = 0; i < n; i++) {
        uint32_t *d = pt + 3 * bpos[t[3 * i] / CSR_BLOCK]++;
        d[0] = t[3 * i];
        d[1] = t[3 * i + 1];
        d[2] = t[3 * i + 2];
    }
    free(bpos);
    /* within a block: its pixels' CSR slots are one contiguous range; the
     * frames and counts go to t, read completely above */
    uint32_t *cfr = t, *cct = t + n + 1;
    int64_t *pos = xpcs_malloc(sizeof(int64_t) * (size_t)(CSR_BLOCK + 1));
    for (int64_t b = 0; b < nb; b++) {
        const int64_t p0 = b * CSR_BLOCK;
        const int64_t np = n_own - p0 < CSR_BLOCK ? n_own - p0 : CSR_BLOCK;
        if (np <= 0)
            break;
        memcpy(pos, ptr + p0, sizeof(int64_t) * (size_t)np);
        for (int64_t i = bptr[b]; i < bptr[b + 1]; i++) {
            const uint32_t *d = pt + 3 * i;
            const int64_t k = pos[d[0] - p0]++;
            cfr[k] = d[1];
            cct[k] = d[2];
        }
    }
    free(pos);
    free(bptr);
}

/* The epoch's events (frames [ep_f0, f_end)) as CSR per owned pixel, counts
 * of the same frame summed (-a), pushed to the sparse kernel. */
static void flush_epoch(ev_ctx *e, int64_t f_end, xpcs_err *err, xpcs_status *st)
{
    const int64_t n = e->ep_n, n_own = e->n_own;
    int64_t *ptr = e->ptr;
    csr_build(e->epoch, n, n_own, e->loc, e->loc_lo, ptr, &e->part, &e->part_cap);
    /* the CSR lives in the epoch buffer, free once partitioned */
    e->cfr = e->epoch;
    e->cct = e->epoch + n + 1;
    /* merge repeated frames of a pixel (averaged frames, repeated words) */
    int64_t w = 0;
    for (int64_t p = 0; p < n_own; p++) {
        const int64_t a = ptr[p], b = ptr[p + 1];
        ptr[p] = w;
        for (int64_t i = a; i < b; i++) {
            if (w > ptr[p] && e->cfr[w - 1] == e->cfr[i]) {
                uint64_t sum = (uint64_t)e->cct[w - 1] + e->cct[i];
                if (sum > UINT32_MAX && !*st)
                    *st = xpcs_fail(err, XPCS_ERR_INPUT,
                                    "%s: frame %u: a summed count exceeds 2^32-1: use "
                                    "--kernel dense",
                                    e->s->cfg->raw, e->cfr[i]);
                e->cct[w - 1] = (uint32_t)sum;
            }
            else {
                e->cfr[w] = e->cfr[i];
                e->cct[w] = e->cct[i];
                w++;
            }
        }
    }
    ptr[n_own] = w;
    const int64_t nf = f_end - e->ep_f0;
    if (e->s->cfg->normalize_frame)
        scale_frames(e, e->ep_f0, nf);
    if (!*st)
        xpcs_mtsparse_push(e->s->ms, e->ep_f0, nf, ptr, e->cfr, e->cct,
                           e->s->cfg->normalize_frame ? e->scale : NULL);
    e->ep_f0 = f_end;
    e->ep_n = 0;
}

/* ---- sources ------------------------------------------------------------ */

/* Room for n_frames frames and `need` events in the frame CSR (kept). */
static void frames_reserve(ev_ctx *e, int64_t n_frames, int64_t need)
{
    e->fptr = grow(e->fptr, &e->fptr_cap, n_frames + 1, sizeof(int64_t));
    if (need > e->fev_cap) {
        int64_t cap = e->fev_cap;
        e->fpix = xpcs_grow_keep(e->fpix, &cap, need, sizeof(uint32_t));
        cap = e->fev_cap;
        e->fcnt = xpcs_grow_keep(e->fcnt, &cap, need, sizeof(uint32_t));
        e->fev_cap = cap;
    }
}

/* A step's frames are read in sub-blocks of about SUB_BLOCK_BYTES (at
 * least one frame), each scanned for events right after its read, while it
 * is in cache: reading a whole step (up to 256 MB) and scanning it after
 * streams it from memory a second time.  On 1 MiB frames 1, 2 and 4 MiB
 * measured alike (read about 40 %, scan about 20 % faster than whole
 * steps), 16 MiB slower; 4 MiB makes the fewest collective reads. */
#define SUB_BLOCK_BYTES ((int64_t)4 << 20)
static int64_t sub_block_frames(int64_t npix, size_t rsz)
{
    const int64_t n = SUB_BLOCK_BYTES / (npix * (int64_t)rsz);
    return n > 1 ? n : 1;
}

/* The end of the sub-block that starts at raw frame j0 of a rank's n_raw
 * raw frames of a step (file frames g0, g0 + stride, ...): sub frames, then
 * the rest of the last frame's chunk, so that each chunk of `chunk` frames
 * (0: not chunked) is read, and decoded, by one read only. */
static int64_t sub_block_end(int64_t g0, int64_t stride, int64_t n_raw, int64_t j0, int64_t sub,
                             int64_t chunk)
{
    int64_t j1 = j0 + sub < n_raw ? j0 + sub : n_raw;
    while (chunk > 1 && j1 < n_raw &&
           (g0 + j1 * stride) / chunk == (g0 + (j1 - 1) * stride) / chunk)
        j1++;
    return j1;
}

/* The most raw frames of one sub-block (a chunk holds at most
 * ceil(chunk / stride) of the used frames), at most a rank's share of a
 * step. */
static int64_t sub_block_max(const xpcs_plan *p, int n_ranks, int64_t sub, int64_t chunk)
{
    const int64_t step = (p->step_frames + n_ranks - 1) / n_ranks * p->avg;
    const int64_t m = chunk > 1 ? sub + (chunk + p->stride - 1) / p->stride - 1 : sub;
    return m < step ? m : step;
}

/* Collective: this rank's raw frames of step k (xpcs_plan_rank_frames, avg
 * raw frames per output frame), read in sub-blocks into rawbuf (room for
 * sub_block_max frames of the raw type), the non-zero values of each
 * sub-block appended to the frame CSR (fptr, fpix, fcnt of e) right after
 * its read.  Every rank makes as many reads as the rank with the most
 * sub-blocks (empty reads after its own, or after a failed read), then all
 * agree on the outcome: one agreement per step, as before.  keep = 0: only
 * *n_events counts (each frame's events overwrite the last's). */
static xpcs_status read_step(ev_ctx *e, const xpcs_comm *c, const xpcs_plan *p, xpcs_raw *raw,
                             int64_t k, void *rawbuf, int64_t sub, int keep, xpcs_timers *tm,
                             int64_t *n_events, xpcs_err *err)
{
    const size_t fbytes = (size_t)e->npix * xpcs_dtype_size(p->raw_type);
    const int64_t chunk = xpcs_raw_chunk_frames(raw);
    int64_t first = 0, count = 0, n_sub = 0;
    for (int r = 0; r < e->n_ranks; r++) {
        int64_t f, m, nb = 0;
        xpcs_plan_rank_frames(p, k, r, &f, &m);
        const int64_t g0 = p->begin + f * p->avg * p->stride;
        for (int64_t j = 0; j < m * p->avg; nb++)
            j = sub_block_end(g0, p->stride, m * p->avg, j, sub, chunk);
        n_sub = nb > n_sub ? nb : n_sub;
        if (r == e->rank) {
            first = f;
            count = m;
        }
    }
    const int64_t n_raw = count * p->avg, g0 = p->begin + first * p->avg * p->stride;
    frames_reserve(e, count, 0);
    e->fptr[0] = 0;
    int64_t n = 0, total = 0, j0 = 0;
    xpcs_status st = XPCS_OK;
    xpcs_err later; /* the reads after a failure keep the first message */
    for (int64_t b = 0; b < n_sub; b++) {
        const int64_t j1 = st ? j0 : sub_block_end(g0, p->stride, n_raw, j0, sub, chunk);
        if (tm)
            xpcs_timer_start(tm, XPCS_T_READ);
        const xpcs_status rs =
            xpcs_raw_read(raw, g0 + j0 * p->stride, p->stride, j1 - j0, rawbuf, st ? &later : err);
        if (tm)
            xpcs_timer_stop(tm, XPCS_T_READ);
        st = st ? st : rs;
        if (st)
            continue;
        if (tm)
            xpcs_timer_start(tm, XPCS_T_SAXS);
        for (int64_t j = j0; j < j1; j++) {
            frames_reserve(e, count, n + e->npix);
            const int64_t m = extract_frame((const char *)rawbuf + (size_t)(j - j0) * fbytes,
                                            p->raw_type, e->npix, e->fpix + n, e->fcnt + n);
            total += m;
            if (keep)
                n += m;
            if ((j + 1) % p->avg == 0)
                e->fptr[(j + 1) / p->avg] = n;
        }
        if (tm)
            xpcs_timer_stop(tm, XPCS_T_SAXS);
        j0 = j1;
    }
    *n_events = total;
    return xpcs_comm_agree(c, st, err);
}

static xpcs_status run_hdf5(ev_ctx *e, xpcs_err *err)
{
    xpcs_evstream *s = e->s;
    const xpcs_plan *p = s->plan;
    const size_t rsz = xpcs_dtype_size(p->raw_type);
    const int64_t sub = sub_block_frames(e->npix, rsz);
    const int64_t cap = sub_block_max(p, e->n_ranks, sub, xpcs_raw_chunk_frames(s->raw));
    void *rawbuf = xpcs_malloc((size_t)(cap * e->npix) * rsz + 64);
    xpcs_status st = XPCS_OK;
    for (int64_t k = 0; k < p->n_steps && !st; k++) {
        int64_t first, count, n_ev;
        xpcs_plan_rank_frames(p, k, e->rank, &first, &count);
        const int64_t F0 = k * p->step_frames;
        const int64_t F1 = F0 + p->step_frames < p->n_frames ? F0 + p->step_frames : p->n_frames;
        st = read_step(e, s->comm, p, s->raw, k, rawbuf, sub, 1, s->tm, &n_ev, err);
        if (st)
            break;
        s->bytes_read += (double)(count * p->avg * e->npix) * (double)rsz;
        xpcs_counter_add(s->tm, XPCS_C_BYTES_READ,
                         (double)(count * p->avg * e->npix) * (double)rsz);
        xpcs_counter_add(s->tm, XPCS_C_FRAMES_READ, (double)count);
        st = do_step(e, F0, F1, first, first + count, k + 1 == p->n_steps, err);
        xpcs_counter_add(s->tm, XPCS_C_PIXEL_FRAMES, (double)(F1 - F0) * (double)e->n_own);
        xpcs_progress_update(s->progress, F1);
    }
    free(rawbuf);
    return st;
}

/* Event files: a cut is a boundary between output frames, one row of
 * CUT(nm) int64: [output frame F, words before it in all modules, words
 * before it in module 0, ..., module nm - 1] (the words of raw frames
 * before begin + F * u). */
#define CUT(nm) ((nm) + 2)

/* Rank 0: the cut at frame F, each module searched between the words of
 * cuts a and b (a->F <= F <= b->F). */
static xpcs_status cut_at(ev_ctx *e, int64_t F, const int64_t *a, const int64_t *b, int64_t *out,
                          xpcs_err *err)
{
    const xpcs_plan *p = e->s->plan;
    out[0] = F;
    return xpcs_rigaku_lower_bounds(e->s->rig, p->begin + F * p->stride * p->avg, a + 2, b + 2,
                                    out + 2, &out[1], err);
}

/* Rank 0: narrows cuts a (a[1] <= limit) and b (b[1] > limit) until
 * b[0] = a[0] + 1: a is then the last frame whose words stay within
 * limit. */
static xpcs_status cut_narrow(ev_ctx *e, int nm, int64_t limit, int64_t *a, int64_t *b,
                              int64_t *tmp, xpcs_err *err)
{
    while (b[0] - a[0] > 1) {
        xpcs_status st = cut_at(e, a[0] + (b[0] - a[0]) / 2, a, b, tmp, err);
        if (st)
            return st;
        memcpy(tmp[1] <= limit ? a : b, tmp, sizeof(int64_t) * (size_t)CUT(nm));
    }
    return XPCS_OK;
}

/* Rank 0: the next step.  cut[0] (its start) is given; fills cut[R] (its
 * end: at most max_frames frames and WORDS_PER_RANK words per rank, at
 * least one frame) and cut[1 .. R-1], where each rank's frames start (about
 * equal numbers of words).  cut rows are CUT(nm) apart; tmp holds 3 rows. */
static xpcs_status plan_step(ev_ctx *e, int64_t max_frames, int64_t *cut, int64_t *tmp,
                             xpcs_err *err)
{
    const xpcs_plan *p = e->s->plan;
    xpcs_rigaku *rig = e->s->rig;
    const int nm = xpcs_rigaku_n_modules(rig), K = CUT(nm), R = e->n_ranks;
    int64_t *c0 = cut, *end = cut + (int64_t)R * K, *a = tmp, *b = tmp + K, *t = tmp + 2 * K;
    const int64_t F0 = c0[0];
    const int64_t F1 = F0 + max_frames < p->n_frames ? F0 + max_frames : p->n_frames;
    /* the step's end: all frames up to F1, or fewer within the word limit */
    memcpy(b, c0, sizeof(int64_t) * (size_t)K);
    for (int m = 0; m < nm; m++)
        b[2 + m] = xpcs_rigaku_n_words(rig, m);
    xpcs_status st = cut_at(e, F1, c0, b, end, err);
    const int64_t limit = c0[1] + WORDS_PER_RANK * R;
    if (!st && end[1] > limit && F1 > F0 + 1) {
        st = cut_at(e, F0 + 1, c0, end, a, err);
        if (!st && a[1] <= limit) {
            memcpy(b, end, sizeof(int64_t) * (size_t)K);
            st = cut_narrow(e, nm, limit, a, b, t, err);
        }
        if (!st)
            memcpy(end, a, sizeof(int64_t) * (size_t)K);
    }
    /* rank k's first frame: the cut nearest to k / R of the step's words */
    for (int k = 1; k < R && !st; k++) {
        int64_t *ck = cut + (int64_t)k * K, *prev = ck - K;
        const int64_t target = c0[1] + (end[1] - c0[1]) * k / R;
        const int64_t *pick = prev[1] >= target ? prev : end;
        if (prev[1] < target && end[1] > target) {
            memcpy(a, prev, sizeof(int64_t) * (size_t)K);
            memcpy(b, end, sizeof(int64_t) * (size_t)K);
            st = cut_narrow(e, nm, target, a, b, t, err);
            pick = target - a[1] <= b[1] - target ? a : b;
        }
        memcpy(ck, pick, sizeof(int64_t) * (size_t)K);
    }
    return st;
}

/* One module's words of this rank, being read frame by frame. */
typedef struct {
    int64_t i, end; /* next word, end of the module's words (in words[]) */
    int64_t first;  /* file index of words[0]: file word = first + i */
    int64_t cur;    /* raw frame being read, -1 before the first */
    int use;        /* it is a used one (stride) */
    int64_t origin; /* canvas pixel of module pixel 0 */
    uint32_t offset;
    const char *path;
} ev_module;

/* Appends module md's events of raw frames before hi (the end of one output
 * frame) to the frame CSR at *n.  Checks: frames in order and inside the
 * rank's raw frames [lo, hi_rank), pixels inside the module; count-0 words
 * only mark the frame count. */
static xpcs_status decode_module(ev_ctx *e, ev_module *md, const uint64_t *words, int64_t hi,
                                 int64_t lo, int64_t hi_rank, int64_t *n_io, xpcs_err *err)
{
    const xpcs_plan *p = e->s->plan;
    const int64_t cols = p->cols, origin = md->origin;
    const uint32_t offset = md->offset;
    uint32_t *fpix = e->fpix, *fcnt = e->fcnt;
    int64_t n = *n_io, i = md->i, cur = md->cur;
    int use = md->use;
    xpcs_status st = XPCS_OK;
    for (; i < md->end; i++) {
        const uint64_t wd = words[i];
        const int64_t f = xpcs_rigaku_frame_of(wd);
        if (f != cur) { /* a new frame: checks, and is it used */
            if (f >= hi)
                break;
            if (f < cur) {
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: event word %lld: frame %lld after frame %lld: expected "
                               "events sorted by frame",
                               md->path, (long long)(md->first + i), (long long)f, (long long)cur);
                break;
            }
            if (f < lo) {
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: event word %lld: frame %lld outside frames [%lld, %lld) "
                               "where the search put it: expected events sorted by frame",
                               md->path, (long long)(md->first + i), (long long)f, (long long)lo,
                               (long long)hi_rank);
                break;
            }
            cur = f;
            use = (f - p->begin) % p->stride == 0;
        }
        const uint32_t q = xpcs_rigaku_pixel_of(wd) - offset, ct = xpcs_rigaku_count_of(wd);
        if (q >= XPCS_RIGAKU_PIXELS) {
            if (e->s->plan->rows == XPCS_RIGAKU_ROWS)
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: event word %lld: pixel index %u outside the %d x %d "
                               "detector",
                               md->path, (long long)(md->first + i), xpcs_rigaku_pixel_of(wd),
                               XPCS_RIGAKU_ROWS, XPCS_RIGAKU_COLS);
            else
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: event word %lld: pixel index %u outside the %d x %d module "
                               "(expected %u ... %u, offset %u from the file's first word)",
                               md->path, (long long)(md->first + i), xpcs_rigaku_pixel_of(wd),
                               XPCS_RIGAKU_ROWS, XPCS_RIGAKU_COLS, offset,
                               offset + XPCS_RIGAKU_PIXELS - 1, offset);
            break;
        }
        fpix[n] = (uint32_t)(origin + (int64_t)(q >> 10) * cols + (q & 1023u));
        fcnt[n] = ct;
        n += use & (ct != 0);
    }
    md->i = i;
    md->cur = cur;
    md->use = use;
    *n_io = n;
    return st;
}

/* Event files: rank 0 cuts the words into steps of whole output frames and
 * each step into contiguous frame ranges of about equal words, one per rank
 * (binary searches in every module file); every rank reads its word ranges
 * of every module (collective MPI-IO) and merges them per output frame into
 * the frame CSR, module pixels placed on the canvas. */
static xpcs_status run_events(ev_ctx *e, xpcs_err *err)
{
    xpcs_evstream *s = e->s;
    const xpcs_plan *p = s->plan;
    const xpcs_comm *c = s->comm;
    xpcs_rigaku *rig = s->rig;
    const int nm = xpcs_rigaku_n_modules(rig), K = CUT(nm), R = e->n_ranks;
    const int64_t u = p->stride * p->avg;
    /* the dense kernel needs a dense step buffer: the plan's step size */
    const int64_t max_frames = s->ms ? MAX_STEP_FRAMES : p->step_frames;
    int64_t *cut = xpcs_calloc((size_t)(R + 4) * (size_t)K, sizeof(int64_t));
    int64_t *tmp = cut + (int64_t)(R + 1) * K;
    ev_module md[XPCS_RIGAKU3M_MODULES];
    xpcs_status st = XPCS_OK;
    if (e->rank == 0) { /* the first cut: raw frame begin */
        for (int m = 0; m < nm; m++)
            tmp[2 + m] = xpcs_rigaku_n_words(rig, m);
        st = cut_at(e, 0, cut, tmp, cut, err);
    }
    st = xpcs_comm_agree(c, st, err);
    uint64_t *words = NULL;
    int64_t words_cap = 0;
    while (!st && cut[0] < p->n_frames) {
        if (e->rank == 0)
            st = plan_step(e, max_frames, cut, tmp, err);
        st = xpcs_comm_agree(c, st, err);
        if (st)
            break;
        xpcs_comm_bcast(c, cut, sizeof(int64_t) * (size_t)(R + 1) * (size_t)K, 0);
        const int64_t F0 = cut[0], F1 = cut[(int64_t)R * K];
        const int64_t *ca = cut + (int64_t)e->rank * K, *cb = ca + K;
        const int64_t fa = ca[0], fb = cb[0], nw = cb[1] - ca[1];
        xpcs_timer_start(s->tm, XPCS_T_READ);
        if (nw > ((int64_t)1 << 28))
            st = xpcs_fail(err, XPCS_ERR_MEMORY,
                           "%s: more than 2^28 event words in one output frame on one rank",
                           s->cfg->raw);
        st = xpcs_comm_agree(c, st, err);
        if (!st)
            words = grow(words, &words_cap, nw + 1, sizeof(uint64_t));
        for (int64_t m = 0, off = 0; m < nm && !st; m++) {
            const int64_t a = ca[2 + m], n = cb[2 + m] - a;
            md[m] = (ev_module){.i = off,
                                .end = off + n,
                                .first = a - off,
                                .cur = -1,
                                .path = xpcs_rigaku_module_path(rig, (int)m)};
            xpcs_rigaku_module_place(rig, (int)m, &md[m].origin, &md[m].offset);
            st = xpcs_comm_agree(c, xpcs_rigaku_read(rig, (int)m, a, n, words + off, err), err);
            off += n;
        }
        xpcs_timer_stop(s->tm, XPCS_T_READ);
        if (st)
            break;
        s->bytes_read += (double)nw * 8.0;
        xpcs_counter_add(s->tm, XPCS_C_BYTES_READ, (double)nw * 8.0);
        xpcs_counter_add(s->tm, XPCS_C_FRAMES_READ, (double)(fb - fa));

        /* merge the modules per output frame */
        xpcs_timer_start(s->tm, XPCS_T_SAXS);
        const int64_t raw_lo = p->begin + fa * u, raw_hi = p->begin + fb * u;
        frames_reserve(e, fb - fa, nw);
        e->fptr[0] = 0;
        int64_t n = 0;
        for (int64_t f = fa; f < fb && !st; f++) {
            for (int m = 0; m < nm && !st; m++)
                st = decode_module(e, &md[m], words, p->begin + (f + 1) * u, raw_lo, raw_hi, &n,
                                   err);
            e->fptr[f - fa + 1] = n;
        }
        for (int m = 0; m < nm && !st; m++)
            if (md[m].i < md[m].end) /* a word past the rank's frames */
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: event word %lld: frame %lld outside frames [%lld, %lld) "
                               "where the search put it: expected events sorted by frame",
                               md[m].path, (long long)(md[m].first + md[m].i),
                               (long long)xpcs_rigaku_frame_of(words[md[m].i]), (long long)raw_lo,
                               (long long)raw_hi);
        xpcs_timer_stop(s->tm, XPCS_T_SAXS);
        st = xpcs_comm_agree(c, st, err);
        if (st)
            break;
        st = do_step(e, F0, F1, fa, fb, F1 >= p->n_frames, err);
        xpcs_counter_add(s->tm, XPCS_C_PIXEL_FRAMES, (double)(F1 - F0) * (double)e->n_own);
        xpcs_progress_update(s->progress, F1);
        memmove(cut, cut + (int64_t)R * K, sizeof(int64_t) * (size_t)K); /* the next start */
    }
    free(words);
    free(cut);
    return st;
}

static void ctx_free(ev_ctx *e)
{
    free(e->corr_bits);
    free(e->valid_bits);
    free(e->flat_lo);
    free(e->loc);
    free(e->evowner);
    free(e->fptr);
    free(e->fpix);
    free(e->fcnt);
    free(e->send);
    free(e->sc);
    free(e->fsum);
    free(e->epoch);
    free(e->ptr);
    free(e->part);
    free(e->scale);
    free(e->dense);
}

xpcs_status xpcs_evstream_run(xpcs_evstream *s, xpcs_err *err)
{
    ev_ctx e;
    memset(&e, 0, sizeof e);
    e.s = s;
    e.rank = xpcs_comm_rank(s->comm);
    e.n_ranks = xpcs_comm_size(s->comm);
    const xpcs_plan *p = s->plan;
    const xpcs_qmap *q = s->qmap;
    e.npix = p->rows * p->cols;
    e.n_own = p->pix_first[e.rank + 1] - p->pix_first[e.rank];
    e.n_mask = xpcs_saxs_n_mask(s->saxs);
    const size_t words = (size_t)(e.npix / 64 + 1);
    e.corr_bits = xpcs_calloc(words, sizeof(uint64_t));
    e.valid_bits = xpcs_calloc(words, sizeof(uint64_t));
    for (int64_t i = 0; i < e.npix; i++)
        if (q->mask[i])
            e.valid_bits[i >> 6] |= (uint64_t)1 << (i & 63);
    for (int64_t j = 0; j < q->n_corr; j++)
        e.corr_bits[q->corr_pixel[j] >> 6] |= (uint64_t)1 << (q->corr_pixel[j] & 63);
    /* flat_lo[r]: rank r's first correlated pixel; empty ranks take the
     * next rank's start, so the owner of p is the last r with
     * flat_lo[r] <= p < flat_lo[r + 1] */
    e.flat_lo = xpcs_malloc(sizeof(int64_t) * (size_t)(e.n_ranks + 1));
    e.flat_lo[e.n_ranks] = e.npix + 1;
    for (int r = e.n_ranks - 1; r >= 0; r--)
        e.flat_lo[r] = p->pix_first[r] < p->pix_first[r + 1] ? q->corr_pixel[p->pix_first[r]]
                                                             : e.flat_lo[r + 1];
    /* own pixels: flat index -> index among them */
    const int64_t j0 = p->pix_first[e.rank], j1 = p->pix_first[e.rank + 1];
    e.loc_lo = j1 > j0 ? q->corr_pixel[j0] : 0;
    const int64_t span = j1 > j0 ? q->corr_pixel[j1 - 1] - e.loc_lo + 1 : 1;
    e.loc = xpcs_calloc((size_t)span, sizeof(uint32_t));
    for (int64_t j = j0; j < j1; j++)
        e.loc[q->corr_pixel[j] - e.loc_lo] = (uint32_t)(j - j0);
    e.sc = xpcs_malloc(sizeof(int) * 4 * (size_t)e.n_ranks);
    e.sd = e.sc + e.n_ranks;
    e.rc = e.sd + e.n_ranks;
    e.rd = e.rc + e.n_ranks;
    e.ptr = xpcs_malloc(sizeof(int64_t) * (size_t)(e.n_own + 1));
    /* an epoch holds at most this many events per rank: a share of what
     * the memory budget leaves (about 20 bytes per event in flight) */
    double spare = p->mem_budget - p->mem_per_rank;
    int64_t ep = (int64_t)(spare / 64.0);
    e.ep_max = ep < ((int64_t)1 << 20) ? ((int64_t)1 << 20)
                                       : (ep > ((int64_t)1 << 27) ? ((int64_t)1 << 27) : ep);
    s->bytes_read = 0;
    s->nonzero = 0;
    xpcs_status st = s->rig ? run_events(&e, err) : run_hdf5(&e, err);
    if (!st && s->tt)
        st = xpcs_corr_tt_events_done(s->tt, s->comm, s->cfg->raw, err);
    xpcs_comm_allreduce_sum_int64(s->comm, &s->nonzero, 1);
    ctx_free(&e);
    return st;
}

xpcs_status xpcs_evstream_occupancy(const xpcs_comm *c, const xpcs_plan *p, xpcs_raw *raw,
                                    xpcs_rigaku *rig, double *occupancy, xpcs_err *err)
{
    const int64_t npix = p->rows * p->cols;
    xpcs_status st = XPCS_OK;
    if (rig) {
        double occ = 0;
        if (xpcs_comm_is_root(c)) {
            const int nm = xpcs_rigaku_n_modules(rig);
            const int64_t u = p->stride * p->avg;
            const int64_t nf = p->n_frames < 4096 ? p->n_frames : 4096;
            int64_t *w = xpcs_calloc(3 * (size_t)nm, sizeof(int64_t)), *hi = w + nm, *w0 = hi + nm;
            int64_t n0 = 0, n1 = 0;
            for (int m = 0; m < nm; m++)
                hi[m] = xpcs_rigaku_n_words(rig, m);
            st = xpcs_rigaku_lower_bounds(rig, p->begin, w, hi, w0, &n0, err);
            if (!st)
                st = xpcs_rigaku_lower_bounds(rig, p->begin + nf * u, w0, hi, w, &n1, err);
            occ = (double)(n1 - n0) / ((double)(nf * u) * (double)npix);
            free(w);
        }
        st = xpcs_comm_agree(c, st, err);
        xpcs_comm_bcast(c, &occ, sizeof occ, 0);
        *occupancy = occ;
        return st;
    }
    /* the first step's frames, as run_hdf5 reads them; events counted */
    ev_ctx e;
    memset(&e, 0, sizeof e);
    e.rank = xpcs_comm_rank(c);
    e.n_ranks = xpcs_comm_size(c);
    e.npix = npix;
    int64_t first, count;
    xpcs_plan_rank_frames(p, 0, e.rank, &first, &count);
    const size_t rsz = xpcs_dtype_size(p->raw_type);
    const int64_t sub = sub_block_frames(npix, rsz);
    const int64_t cap = sub_block_max(p, e.n_ranks, sub, xpcs_raw_chunk_frames(raw));
    void *buf = xpcs_malloc((size_t)(cap * npix) * rsz + 64);
    int64_t v[2] = {0, count * p->avg * npix};
    st = read_step(&e, c, p, raw, 0, buf, sub, 0, NULL, &v[0], err);
    if (!st)
        xpcs_comm_allreduce_sum_int64(c, v, 2);
    free(buf);
    free(e.fptr);
    free(e.fpix);
    free(e.fcnt);
    *occupancy = v[1] > 0 ? (double)v[0] / (double)v[1] : 0.0;
    return st;
}
