/* rigaku_writer: Rigaku XSPA event files (the format in rigaku.h), written
 * one frame at a time with stdio: one file NAME.bin (500k: frames of
 * 512 x 1024) or the six module files NAME.bin.000 ... .005 of a 3M (frames
 * on the 1676 x 2100 canvas; events in the gaps are dropped, and the files
 * with an odd module number carry the 1024^2 pixel index offset, the others
 * none, so that a reader meets both).  A file that is empty in the last
 * frame gets a count-0 word there, so that the frame count survives.
 */
#ifndef XPCS_RIGAKU_WRITER_H
#define XPCS_RIGAKU_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/publish.h"
#include "xpcs/core/status.h"

typedef struct xpcs_rigaku_writer xpcs_rigaku_writer;

/* Writes n_files files into the temporaries files[] (core/publish.h; the
 * caller publishes or abandons them): 1 (500k) or 6 (3M, files[m] = module
 * file m), for `frames` frames.  On failure nothing stays open. */
xpcs_status xpcs_rigaku_writer_create(xpcs_publish *const *files, int n_files, int64_t frames,
                                      xpcs_rigaku_writer **out, xpcs_err *err);

/* Frame t (called for t = 0, 1, ..., frames - 1) as n events: canvas
 * pixel indices pix[] ascending, each at most once, counts cnt[] of
 * 1 ... 4095 (12 bits). */
xpcs_status xpcs_rigaku_writer_frame(xpcs_rigaku_writer *w, int64_t t, const uint32_t *pix,
                                     const uint32_t *cnt, size_t n, xpcs_err *err);

/* Closes every file and frees *w (NULL afterwards): XPCS_OK, or
 * XPCS_ERR_OUTPUT naming the first file whose close failed (the first file
 * when only a write failed); this message replaces a failed frame's. */
xpcs_status xpcs_rigaku_writer_close(xpcs_rigaku_writer **w, xpcs_err *err);

#endif
