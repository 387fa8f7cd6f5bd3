/* source: where a run's frames come from, behind one interface (IOR's
 * aiori pattern): HDF5 frame stacks (src_hdf5.c, io/h5in), legacy IMM files
 * (src_imm.c, io/imm) and Rigaku event files (src_rigaku.c, io/rigaku).  The pipeline asks for
 * dims, the occupancy, and, step by step, this rank's frames -- dense (HDF5 only) or as events
 * (frame CSR) -- and never branches on the format.
 *
 * Event steps.  HDF5: the plan's steps (every rank reads a contiguous slice
 * of the step's frames, independent reads, in sub-blocks scanned right after
 * their read).  Rigaku: rank 0 cuts the selected words into steps of whole
 * output frames and at most a few million words per rank, and each step into
 * contiguous ranges of output frames with about equal words, one per rank
 * (rigaku_steps.h); every rank reads its words with MPI-IO and decodes them.
 */
#ifndef XPCS_SOURCE_H
#define XPCS_SOURCE_H

#include <stdint.h>

#include "xpcs/config/config.h"
#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"
#include "xpcs/kernels/events.h"
#include "xpcs/monitor/timer.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/plan/plan.h"

typedef struct xpcs_source xpcs_source;

/* One step of the event pipeline: output frames [F0, F1); this rank's part
 * [fa, fb). */
typedef struct {
    int64_t F0, F1, fa, fb;
} xpcs_step;

/* The operations of one format. */
typedef struct {
    const char *name; /* "hdf5", "rigaku" */
    int event_file;   /* the file holds events (no dense read) */
    void (*dims)(const xpcs_source *s, int64_t *frames, int64_t *rows, int64_t *cols);
    xpcs_dtype (*type)(const xpcs_source *s);
    /* Collective: non-zero pixel-frames / pixel-frames at the start. */
    xpcs_status (*occupancy)(xpcs_source *s, const xpcs_plan *p, double *occ, xpcs_err *err);
    /* Collective: the step that starts at output frame F0 (the first call
     * has F0 = 0). */
    xpcs_status (*next_step)(xpcs_source *s, const xpcs_plan *p, int64_t F0, xpcs_step *step,
                             xpcs_err *err);
    /* Collective: this rank's frames of the step as events into f; the
     * decoded / read bytes of this rank in *bytes. */
    xpcs_status (*read_events)(xpcs_source *s, const xpcs_plan *p, const xpcs_step *step,
                               xpcs_frame_csr *f, double *bytes, xpcs_err *err);
    /* Collective (dense formats): `count` raw frames first, first + stride,
     * ... into buf. */
    xpcs_status (*read_frames)(xpcs_source *s, int64_t first, int64_t stride, int64_t count,
                               void *buf, xpcs_err *err);
    void (*close)(xpcs_source *s);
    /* Dense formats: frames decoded by one read (HDF5 chunks); NULL: 0. */
    int64_t (*chunk_frames)(const xpcs_source *s);
} xpcs_source_ops;

struct xpcs_source {
    const xpcs_source_ops *ops;
    const xpcs_comm *comm;
    const xpcs_config *cfg;
    xpcs_timers *tm;     /* read, decode and extract phases */
    const char *filters; /* "" when none */
    int64_t max_frames;  /* event steps: at most this many output frames */
    void *impl;          /* the format's state */
    void *sub_buf;       /* src_dense.c's sub-block of raw frames */
};

/* Collective: opens cfg->raw (an event file by its name, else HDF5
 * cfg->dataset); errors are agreed. */
xpcs_status xpcs_source_open(const xpcs_comm *c, const xpcs_config *cfg, xpcs_timers *tm,
                             xpcs_source **out, xpcs_err *err);
void xpcs_source_close(xpcs_source **s);

/* The format implementations (src_hdf5.c, src_rigaku.c, src_imm.c). */
xpcs_status xpcs_source_open_hdf5(xpcs_source *s, xpcs_err *err);
xpcs_status xpcs_source_open_rigaku(xpcs_source *s, xpcs_err *err);
xpcs_status xpcs_source_open_imm(xpcs_source *s, xpcs_err *err);

/* src_dense.c: the event pipeline's operations for a dense format (one with
 * read_frames): the plan's steps, read in sub-blocks and scanned. */
xpcs_status xpcs_dense_occupancy(xpcs_source *s, const xpcs_plan *p, double *occ, xpcs_err *err);
xpcs_status xpcs_dense_next_step(xpcs_source *s, const xpcs_plan *p, int64_t F0, xpcs_step *step,
                                 xpcs_err *err);
xpcs_status xpcs_dense_read_events(xpcs_source *s, const xpcs_plan *p, const xpcs_step *step,
                                   xpcs_frame_csr *f, double *bytes, xpcs_err *err);

#endif
