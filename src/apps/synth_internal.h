/* synth_internal: what the pieces of xpcs-synth share (private to
 * src/apps/synth*.c; xpcs/apps/synth.h is the public side).
 *
 *   synth_params.c  defaults, checks, the "auto" fields, file names
 *   synth_model.c   q geometry, q maps, hot and dead pixels
 *   synth_frames.c  per-frame counts: speckle with known g2, iid, constant
 *   synth_files.c   the files, written through io (h5write, rigaku_writer)
 *   synth.c         xpcs_synth_write: directory, temporary names, renames
 */
#ifndef XPCS_SYNTH_INTERNAL_H
#define XPCS_SYNTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/apps/synth.h"
#include "xpcs/core/publish.h"

#define SYNTH_PATH_MAX 4096
#define SYNTH_FMT_EVENTS (XPCS_SYNTH_FMT_RIGAKU | XPCS_SYNTH_FMT_RIGAKU3M)

/* ---- parameters (synth_params.c) ---- */

/* out = in with the NaN = auto fields filled from the detector size, no
 * hot/dead pixels in constant mode and the chunk size settled. */
void xpcs_synth_resolve(const xpcs_synth_params *in, xpcs_synth_params *out);
/* Largest count: the dtype's, or 4095 when an event file is written too
 * (both files hold the same counts). */
uint32_t xpcs_synth_count_max(const xpcs_synth_params *p);
/* The value of a hot pixel (at most xpcs_synth_count_max). */
uint32_t xpcs_synth_hot_value(const xpcs_synth_params *p);
/* Shortest distance (pixels) from the beam centre to a detector edge. */
double xpcs_synth_edge_distance(const xpcs_synth_params *p);
/* ".h5", "_metadata.hdf", ...: the suffix of one output file. */
const char *xpcs_synth_suffix(xpcs_synth_file which);

/* ---- the model (synth_model.c) ---- */

typedef struct {
    xpcs_synth_params p; /* resolved */
    size_t npix;
    int n_dq, n_sq;
    double k0, qmin, qmax; /* 1/A */
    int32_t *mask, *dyn, *sta;
    double *qd, *qs, *tau; /* dynamic centres, static centres (1/A), tau per dynamic bin (frames) */
    size_t *hot, *dead;    /* pixel indices */
    size_t n_hot, n_dead;
} xpcs_synth_model;

/* p must be resolved and checked. */
void xpcs_synth_model_build(const xpcs_synth_params *p, xpcs_synth_model *m);
void xpcs_synth_model_free(xpcs_synth_model *m);
/* The q map's hash attribute: 16 hex digits of a 64-bit FNV-1a over mask,
 * dynamic and static maps. */
void xpcs_synth_model_hash(const xpcs_synth_model *m, char hash[17]);

/* ---- frames (synth_frames.c) ---- */

typedef struct xpcs_synth_gen xpcs_synth_gen;

/* The frame source of m (which must outlive it): constant, iid or speckle
 * counts as m's parameters say. */
xpcs_synth_gen *xpcs_synth_gen_create(const xpcs_synth_model *m);
void xpcs_synth_gen_destroy(xpcs_synth_gen **g);
/* Frame t (npix values of the dtype) into out, hot and dead pixels set, the
 * Rigaku 3M gaps zero.  Speckle frames must come in order t = 0, 1, ... */
void xpcs_synth_frame(xpcs_synth_gen *g, int64_t t, void *out);
/* Frame t's non-zero pixels (ascending) and counts into pix[] and cnt[]
 * (room for npix each); returns their number.  The events of
 * xpcs_synth_frame, except that --iid without hot or dead pixels also
 * returns events in the 3M gaps (the event writer drops them). */
size_t xpcs_synth_events(xpcs_synth_gen *g, int64_t t, uint32_t *pix, uint32_t *cnt);

/* ---- the files (synth_files.c), each into its temporary (core/publish.h;
 * synth.c publishes them) ---- */

/* source: the data file's name, recorded in the q map */
xpcs_status xpcs_synth_write_qmap(const xpcs_synth_model *m, xpcs_publish *file, const char *source,
                                  xpcs_err *err);
xpcs_status xpcs_synth_write_truth(const xpcs_synth_model *m, xpcs_publish *file, xpcs_err *err);
xpcs_status xpcs_synth_write_metadata(const xpcs_synth_model *m, xpcs_publish *file, xpcs_err *err);
xpcs_status xpcs_synth_write_data(const xpcs_synth_model *m, xpcs_publish *file, xpcs_err *err);
/* NAME.bin (n_files 1) or the 3M's NAME.bin.000 ... .005 (n_files 6). */
xpcs_status xpcs_synth_write_events(const xpcs_synth_model *m, xpcs_publish *const *files,
                                    int n_files, xpcs_err *err);

#endif
