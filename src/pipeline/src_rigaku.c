/* src_rigaku: Rigaku event files as a source (see include/xpcs/pipeline/source.h):
 * rank 0 cuts the steps (io/rigaku_steps: binary searches in every module
 * file) and broadcasts the cuts; every rank reads its word ranges of every
 * module (collective MPI-IO) and decodes them into the frame CSR. */
#include <stdlib.h>
#include <string.h>

#include "xpcs/io/rigaku.h"
#include "xpcs/io/rigaku_steps.h"
#include "xpcs/pipeline/source.h"

/* Event-file steps: at most this many words per rank, and whole frames
 * (a build with -DXPCS_EV_WORDS_PER_RANK=N makes small steps for tests). */
#ifdef XPCS_EV_WORDS_PER_RANK
#define WORDS_PER_RANK ((int64_t)XPCS_EV_WORDS_PER_RANK)
#else
#define WORDS_PER_RANK ((int64_t)4 << 20)
#endif

typedef struct {
    xpcs_rigaku *rig;
    int64_t *cut; /* (R + 1) cut rows of the current step, then 3 rows of scratch */
    int64_t *tmp;
    uint64_t *words;
    int64_t words_cap;
} rigaku_src;

static void dims(const xpcs_source *s, int64_t *frames, int64_t *rows, int64_t *cols)
{
    const rigaku_src *g = s->impl;
    *frames = xpcs_rigaku_n_frames(g->rig);
    *rows = xpcs_rigaku_rows(g->rig);
    *cols = xpcs_rigaku_cols(g->rig);
}

static xpcs_dtype type(const xpcs_source *s)
{
    (void)s;
    return XPCS_DT_U16; /* counts are 12 bits */
}

/* The words of the first up to 4096 output frames over their pixel-frames
 * (rank 0 counts them with two searches, all get the value). */
static xpcs_status occupancy(xpcs_source *s, const xpcs_plan *p, double *occupancy, xpcs_err *err)
{
    rigaku_src *g = s->impl;
    xpcs_status st = XPCS_OK;
    double occ = 0;
    if (xpcs_comm_is_root(s->comm)) {
        const int nm = xpcs_rigaku_n_modules(g->rig);
        const int64_t u = p->stride * p->avg, npix = p->rows * p->cols;
        const int64_t nf = p->n_frames < 4096 ? p->n_frames : 4096;
        int64_t *w = xpcs_calloc(3 * (size_t)nm, sizeof(int64_t)), *hi = w + nm, *w0 = hi + nm;
        int64_t n0 = 0, n1 = 0;
        for (int m = 0; m < nm; m++)
            hi[m] = xpcs_rigaku_n_words(g->rig, m);
        st = xpcs_rigaku_lower_bounds(g->rig, p->begin, w, hi, w0, &n0, err);
        if (!st)
            st = xpcs_rigaku_lower_bounds(g->rig, p->begin + nf * u, w0, hi, w, &n1, err);
        occ = (double)(n1 - n0) / ((double)(nf * u) * (double)npix);
        free(w);
    }
    st = xpcs_comm_agree(s->comm, st, err);
    xpcs_comm_bcast(s->comm, &occ, sizeof occ, 0);
    *occupancy = occ;
    return st;
}

static xpcs_status next_step(xpcs_source *s, const xpcs_plan *p, int64_t F0, xpcs_step *step,
                             xpcs_err *err)
{
    rigaku_src *g = s->impl;
    const int R = xpcs_comm_size(s->comm), rank = xpcs_comm_rank(s->comm);
    const int K = XPCS_RIGAKU_CUT(xpcs_rigaku_n_modules(g->rig));
    if (!g->cut) {
        g->cut = xpcs_calloc((size_t)(R + 4) * (size_t)K, sizeof(int64_t));
        g->tmp = g->cut + (int64_t)(R + 1) * K;
    }
    xpcs_status st = XPCS_OK;
    if (F0 == 0 && xpcs_comm_is_root(s->comm)) /* the first cut: raw frame begin */
        st = xpcs_rigaku_first_cut(g->rig, p, g->cut, g->tmp, err);
    else if (F0 > 0) /* the next step starts where the last ended */
        memmove(g->cut, g->cut + (int64_t)R * K, sizeof(int64_t) * (size_t)K);
    st = xpcs_comm_agree(s->comm, st, err);
    if (!st && xpcs_comm_is_root(s->comm))
        st =
            xpcs_rigaku_plan_step(g->rig, p, R, s->max_frames, WORDS_PER_RANK, g->cut, g->tmp, err);
    st = xpcs_comm_agree(s->comm, st, err);
    if (st)
        return st;
    xpcs_comm_bcast(s->comm, g->cut, sizeof(int64_t) * (size_t)(R + 1) * (size_t)K, 0);
    step->F0 = g->cut[0];
    step->F1 = g->cut[(int64_t)R * K];
    step->fa = g->cut[(int64_t)rank * K];
    step->fb = g->cut[(int64_t)(rank + 1) * K];
    return XPCS_OK;
}

static xpcs_status read_events(xpcs_source *s, const xpcs_plan *p, const xpcs_step *step,
                               xpcs_frame_csr *f, double *bytes, xpcs_err *err)
{
    rigaku_src *g = s->impl;
    const int nm = xpcs_rigaku_n_modules(g->rig), K = XPCS_RIGAKU_CUT(nm);
    const int64_t *ca = g->cut + (int64_t)xpcs_comm_rank(s->comm) * K, *cb = ca + K;
    const int64_t nw = cb[1] - ca[1];
    (void)step;
    *bytes = 0;
    xpcs_timer_start(s->tm, XPCS_T_READ);
    xpcs_status st = XPCS_OK;
    if (nw > ((int64_t)1 << 28))
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: more than 2^28 event words in one output frame on one rank",
                       s->cfg->raw);
    st = xpcs_comm_agree(s->comm, st, err);
    if (!st) /* overwritten: not kept */
        g->words = xpcs_grow(g->words, &g->words_cap, nw + 1, sizeof(uint64_t));
    for (int64_t m = 0, off = 0; m < nm && !st; m++) {
        const int64_t a = ca[2 + m], n = cb[2 + m] - a;
        st = xpcs_comm_agree(s->comm, xpcs_rigaku_read(g->rig, (int)m, a, n, g->words + off, err),
                             err);
        off += n;
    }
    xpcs_timer_stop(s->tm, XPCS_T_READ);
    if (st)
        return st;
    *bytes = (double)nw * 8.0;
    xpcs_timer_start(s->tm, XPCS_T_DECODE);
    st = xpcs_rigaku_decode_step(g->rig, p, ca, cb, g->words, f, err);
    xpcs_timer_stop(s->tm, XPCS_T_DECODE);
    return xpcs_comm_agree(s->comm, st, err);
}

static void close_src(xpcs_source *s)
{
    rigaku_src *g = s->impl;
    xpcs_rigaku_close(&g->rig);
    free(g->cut);
    free(g->words);
    free(g);
    s->impl = NULL;
}

static const xpcs_source_ops rigaku_ops = {.name = "rigaku",
                                           .event_file = 1,
                                           .dims = dims,
                                           .type = type,
                                           .occupancy = occupancy,
                                           .next_step = next_step,
                                           .read_events = read_events,
                                           .read_frames = NULL,
                                           .close = close_src};

xpcs_status xpcs_source_open_rigaku(xpcs_source *s, xpcs_err *err)
{
    rigaku_src *g = xpcs_calloc(1, sizeof *g);
    xpcs_status st = xpcs_rigaku_open(s->comm, s->cfg->raw, &g->rig, err);
    if (st) {
        free(g);
        return st;
    }
    s->ops = &rigaku_ops;
    s->impl = g;
    return XPCS_OK;
}
