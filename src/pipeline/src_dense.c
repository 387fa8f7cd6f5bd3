/* src_dense: the event pipeline on a dense format (HDF5 frames, IMM): the
 * plan's steps, each rank's raw frames read through the format's
 * read_frames in sub-blocks, every sub-block scanned for events right after
 * its read (source.h). */
#include <stdlib.h>

#include "xpcs/kernels/events.h"
#include "xpcs/pipeline/source.h"

/* A step's frames are read in sub-blocks of about SUB_BLOCK_BYTES (at
 * least one frame), each scanned for events right after its read, while it
 * is in cache: reading a whole step (up to 256 MB) and scanning it after
 * streams it from memory a second time.  On 1 MiB frames 1, 2 and 4 MiB
 * measured alike (read about 40 %, scan about 20 % faster than whole
 * steps), 16 MiB slower; 4 MiB makes the fewest reads. */
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

static int64_t chunk_of(const xpcs_source *s)
{
    return s->ops->chunk_frames ? s->ops->chunk_frames(s) : 0;
}

/* The sub-block buffer, allocated on first use (freed by xpcs_source_close). */
static void *sub_buffer(xpcs_source *s, const xpcs_plan *p, int64_t *sub)
{
    const int64_t npix = p->rows * p->cols;
    const size_t rsz = xpcs_dtype_size(p->raw_type);
    *sub = sub_block_frames(npix, rsz);
    if (!s->sub_buf) {
        const int64_t frames = sub_block_max(p, xpcs_comm_size(s->comm), *sub, chunk_of(s));
        s->sub_buf = xpcs_malloc((size_t)(frames * npix) * rsz + 64);
    }
    return s->sub_buf;
}

/* Collective: this rank's raw frames of step k (xpcs_plan_rank_frames, avg
 * raw frames per output frame), read in sub-blocks, the non-zero values of
 * each sub-block appended to the frame CSR f right after its read.  Every
 * rank makes as many reads as the rank with the most sub-blocks (empty
 * reads after its own, or after a failed read; the reads are independent,
 * so this only keeps the ranks in step), then all agree on the outcome: one
 * agreement per step.  keep = 0: only *n_events counts (each
 * frame's events overwrite the last's). */
static xpcs_status read_step(xpcs_source *s, const xpcs_plan *p, int64_t k, xpcs_frame_csr *f,
                             int keep, xpcs_timers *tm, int64_t *n_events, xpcs_err *err)
{
    const int rank = xpcs_comm_rank(s->comm), n_ranks = xpcs_comm_size(s->comm);
    const int64_t npix = p->rows * p->cols;
    const size_t fbytes = (size_t)npix * xpcs_dtype_size(p->raw_type);
    const int64_t chunk = chunk_of(s);
    int64_t sub;
    void *rawbuf = sub_buffer(s, p, &sub);
    int64_t first = 0, count = 0, n_sub = 0;
    for (int r = 0; r < n_ranks; r++) {
        int64_t fr, m, nb = 0;
        xpcs_plan_rank_frames(p, k, r, &fr, &m);
        const int64_t g0 = p->begin + fr * p->avg * p->stride;
        for (int64_t j = 0; j < m * p->avg; nb++)
            j = sub_block_end(g0, p->stride, m * p->avg, j, sub, chunk);
        n_sub = nb > n_sub ? nb : n_sub;
        if (r == rank) {
            first = fr;
            count = m;
        }
    }
    const int64_t n_raw = count * p->avg, g0 = p->begin + first * p->avg * p->stride;
    xpcs_frame_csr_reserve(f, count, 0);
    f->ptr[0] = 0;
    int64_t n = 0, total = 0, j0 = 0;
    xpcs_status st = XPCS_OK;
    xpcs_err later; /* the reads after a failure keep the first message */
    for (int64_t b = 0; b < n_sub; b++) {
        const int64_t j1 = st ? j0 : sub_block_end(g0, p->stride, n_raw, j0, sub, chunk);
        if (tm)
            xpcs_timer_start(tm, XPCS_T_READ);
        const xpcs_status rs = s->ops->read_frames(s, g0 + j0 * p->stride, p->stride, j1 - j0,
                                                   rawbuf, st ? &later : err);
        if (tm)
            xpcs_timer_stop(tm, XPCS_T_READ);
        st = st ? st : rs;
        if (st)
            continue;
        if (tm)
            xpcs_timer_start(tm, XPCS_T_EXTRACT);
        for (int64_t j = j0; j < j1; j++) {
            xpcs_frame_csr_reserve(f, count, n + npix);
            const int64_t m = xpcs_events_extract((const char *)rawbuf + (size_t)(j - j0) * fbytes,
                                                  p->raw_type, npix, f->pix + n, f->cnt + n);
            total += m;
            if (keep)
                n += m;
            if ((j + 1) % p->avg == 0)
                f->ptr[(j + 1) / p->avg] = n;
        }
        if (tm)
            xpcs_timer_stop(tm, XPCS_T_EXTRACT);
        j0 = j1;
    }
    *n_events = total;
    return xpcs_comm_agree(s->comm, st, err);
}

/* The first step's frames, as the event pipeline reads them; events
 * counted over all ranks. */
xpcs_status xpcs_dense_occupancy(xpcs_source *s, const xpcs_plan *p, double *occ, xpcs_err *err)
{
    int64_t first, count;
    xpcs_plan_rank_frames(p, 0, xpcs_comm_rank(s->comm), &first, &count);
    xpcs_frame_csr f = {0};
    int64_t v[2] = {0, count * p->avg * p->rows * p->cols};
    xpcs_status st = read_step(s, p, 0, &f, 0, NULL, &v[0], err);
    if (!st)
        xpcs_comm_allreduce_sum_int64(s->comm, v, 2);
    xpcs_frame_csr_free(&f);
    *occ = v[1] > 0 ? (double)v[0] / (double)v[1] : 0.0;
    return st;
}

xpcs_status xpcs_dense_next_step(xpcs_source *s, const xpcs_plan *p, int64_t F0, xpcs_step *step,
                                 xpcs_err *err)
{
    (void)err;
    const int64_t k = F0 / p->step_frames;
    int64_t first, count;
    xpcs_plan_rank_frames(p, k, xpcs_comm_rank(s->comm), &first, &count);
    step->F0 = k * p->step_frames;
    step->F1 = step->F0 + p->step_frames < p->n_frames ? step->F0 + p->step_frames : p->n_frames;
    step->fa = first;
    step->fb = first + count;
    return XPCS_OK;
}

xpcs_status xpcs_dense_read_events(xpcs_source *s, const xpcs_plan *p, const xpcs_step *step,
                                   xpcs_frame_csr *f, double *bytes, xpcs_err *err)
{
    int64_t n_ev;
    xpcs_status st = read_step(s, p, step->F0 / p->step_frames, f, 1, s->tm, &n_ev, err);
    *bytes = st ? 0.0
                : (double)((step->fb - step->fa) * p->avg * p->rows * p->cols) *
                      (double)xpcs_dtype_size(p->raw_type);
    return st;
}
