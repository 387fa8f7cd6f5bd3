/* src_imm: legacy IMM files as a source (see include/xpcs/pipeline/source.h,
 * io/imm.h): a dense format -- every rank reads its frames' bytes with
 * MPI-IO and decodes them into uint16 frames -- so the frame pipeline reads
 * them as HDF5 stacks, and the event pipeline (chosen by --kernel or the
 * occupancy, as for HDF5: compressed IMM files are sparse) scans them
 * (src_dense.c). */
#include <stdlib.h>

#include "xpcs/io/imm.h"
#include "xpcs/pipeline/source.h"

static void dims(const xpcs_source *s, int64_t *frames, int64_t *rows, int64_t *cols)
{
    xpcs_imm_dims(s->impl, frames, rows, cols);
}

static xpcs_dtype type(const xpcs_source *s)
{
    (void)s;
    return XPCS_DT_U16;
}

static xpcs_status read_frames(xpcs_source *s, int64_t first, int64_t stride, int64_t count,
                               void *buf, xpcs_err *err)
{
    return xpcs_imm_read(s->impl, first, stride, count, buf, err);
}

static void close_src(xpcs_source *s)
{
    xpcs_imm *m = s->impl;
    xpcs_imm_close(&m);
    s->impl = NULL;
}

static const xpcs_source_ops imm_ops = {.name = "imm",
                                        .event_file = 0,
                                        .dims = dims,
                                        .type = type,
                                        .occupancy = xpcs_dense_occupancy,
                                        .next_step = xpcs_dense_next_step,
                                        .read_events = xpcs_dense_read_events,
                                        .read_frames = read_frames,
                                        .close = close_src};

xpcs_status xpcs_source_open_imm(xpcs_source *s, xpcs_err *err)
{
    xpcs_imm *m = NULL;
    xpcs_status st = xpcs_imm_open(s->comm, s->cfg->raw, &m, err);
    if (st)
        return st;
    s->ops = &imm_ops;
    s->impl = m;
    s->filters = xpcs_imm_compressed(m) ? "IMM compressed (events)" : "IMM uncompressed";
    return XPCS_OK;
}
