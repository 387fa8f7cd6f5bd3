/* rigaku_steps: the event pipeline's steps through Rigaku event files: word
 * cuts (where each step and each rank's part of it start, found by binary
 * search in every module file) and the decoding of a rank's words into the
 * frame CSR (module pixels placed on the canvas).
 *
 * A cut is a boundary between output frames, one row of
 * XPCS_RIGAKU_CUT(nm) int64: [output frame F, words before it in all
 * modules, words before it in module 0, ..., module nm - 1] (the words of
 * raw frames before begin + F * stride * avg).  A step's cuts are R + 1 rows
 * (R ranks): row r is where rank r's frames start, row R the step's end.
 */
#ifndef XPCS_RIGAKU_STEPS_H
#define XPCS_RIGAKU_STEPS_H

#include <stdint.h>

#include "xpcs/core/status.h"
#include "xpcs/io/rigaku.h"
#include "xpcs/kernels/events.h"
#include "xpcs/plan/plan.h"

#define XPCS_RIGAKU_CUT(nm) ((nm) + 2)

/* Rank 0: cut row 0 at output frame 0 (tmp: one row of scratch). */
xpcs_status xpcs_rigaku_first_cut(xpcs_rigaku *r, const xpcs_plan *p, int64_t *cut, int64_t *tmp,
                                  xpcs_err *err);

/* Rank 0: the next step of n_ranks parts.  cut row 0 (its start) is given;
 * fills row n_ranks (its end: at most max_frames frames and about
 * words_per_rank words per rank, at least one frame) and rows 1 .. n_ranks-1,
 * where each rank's frames start (about equal numbers of words).  tmp holds
 * 3 rows of scratch. */
xpcs_status xpcs_rigaku_plan_step(xpcs_rigaku *r, const xpcs_plan *p, int n_ranks,
                                  int64_t max_frames, int64_t words_per_rank, int64_t *cut,
                                  int64_t *tmp, xpcs_err *err);

/* The output frames [fa, fb) of one rank (cut rows ca and cb = ca + row):
 * decodes the words just read -- module m's words [ca[2+m], cb[2+m]) one
 * module after the other in words[] -- into the frame CSR f (frames
 * fa..fb-1, event pixels on the canvas).  Checks: frames sorted and inside
 * the rank's raw frames, pixels inside the module; count-0 words only mark
 * the frame count; frames between the stride's used ones are skipped. */
xpcs_status xpcs_rigaku_decode_step(const xpcs_rigaku *r, const xpcs_plan *p, const int64_t *ca,
                                    const int64_t *cb, const uint64_t *words, xpcs_frame_csr *f,
                                    xpcs_err *err);

#endif
