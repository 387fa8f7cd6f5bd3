/* src_hdf5: HDF5 frame stacks as a source (see include/xpcs/pipeline/source.h):
 * dense reads for the frame pipeline; the event pipeline reads them through
 * src_dense.c. */
#include <stdlib.h>

#include "xpcs/io/h5in.h"
#include "xpcs/pipeline/source.h"

typedef struct {
    xpcs_raw *raw;
} hdf5_src;

static xpcs_raw *raw_of(const xpcs_source *s)
{
    return ((const hdf5_src *)s->impl)->raw;
}

static void dims(const xpcs_source *s, int64_t *frames, int64_t *rows, int64_t *cols)
{
    xpcs_raw_dims(raw_of(s), frames, rows, cols);
}

static xpcs_dtype type(const xpcs_source *s)
{
    return xpcs_raw_type(raw_of(s));
}

static xpcs_status read_frames(xpcs_source *s, int64_t first, int64_t stride, int64_t count,
                               void *buf, xpcs_err *err)
{
    return xpcs_raw_read(raw_of(s), first, stride, count, buf, err);
}

static int64_t chunk_frames(const xpcs_source *s)
{
    return xpcs_raw_chunk_frames(raw_of(s));
}

static void close_src(xpcs_source *s)
{
    hdf5_src *h = s->impl;
    xpcs_raw_close(&h->raw);
    free(h);
    s->impl = NULL;
}

static const xpcs_source_ops hdf5_ops = {.name = "hdf5",
                                         .event_file = 0,
                                         .dims = dims,
                                         .type = type,
                                         .occupancy = xpcs_dense_occupancy,
                                         .next_step = xpcs_dense_next_step,
                                         .read_events = xpcs_dense_read_events,
                                         .chunk_frames = chunk_frames,
                                         .read_frames = read_frames,
                                         .close = close_src};

xpcs_status xpcs_source_open_hdf5(xpcs_source *s, xpcs_err *err)
{
    hdf5_src *h = xpcs_calloc(1, sizeof *h);
    xpcs_status st = xpcs_raw_open(s->comm, s->cfg->raw, s->cfg->dataset, &h->raw, err);
    if (st) {
        free(h);
        return st;
    }
    s->ops = &hdf5_ops;
    s->impl = h;
    s->filters = xpcs_raw_filters(h->raw);
    return XPCS_OK;
}
