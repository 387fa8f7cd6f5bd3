/* mtkernel: the multitau kernel of a run, dense (multitau.h: frames as rows
 * of the owned pixels) or on events (mtsparse.h: column CSR epochs), behind
 * one interface so the pipeline does not branch on the kind.  Both give the
 * same G2, IP, IF bit for bit (mtsparse.h). */
#ifndef XPCS_MTKERNEL_H
#define XPCS_MTKERNEL_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"

typedef struct xpcs_mtkernel xpcs_mtkernel;

/* n_pixels owned pixels over n_frames output frames; sparse: the event
 * kernel. */
xpcs_status xpcs_mtkernel_create(int sparse, int64_t n_frames, int64_t n_pixels,
                                 xpcs_mtkernel **out, xpcs_err *err);
void xpcs_mtkernel_destroy(xpcs_mtkernel **k);
int xpcs_mtkernel_is_sparse(const xpcs_mtkernel *k);

/* Dense kernel: n_rows frames [n_rows][ld] of type t, in time order;
 * row_scale NULL or one factor per frame (--normalize-frame). */
void xpcs_mtkernel_push_rows(xpcs_mtkernel *k, const void *rows, xpcs_dtype t, int64_t n_rows,
                             int64_t ld, const double *row_scale);
/* Event kernel: frames [f0, f0 + n_fr) as column CSR (ptr [n_pixels + 1],
 * frames ascending, counts); frame_scale NULL or one factor per frame. */
void xpcs_mtkernel_push_events(xpcs_mtkernel *k, int64_t f0, int64_t n_fr, const int64_t *ptr,
                               const uint32_t *frame, const uint32_t *count,
                               const double *frame_scale);

/* Correlate the frames the dense kernel gathered (before _result_so_far). */
void xpcs_mtkernel_settle(xpcs_mtkernel *k);

int xpcs_mtkernel_n_delays(const xpcs_mtkernel *k);
const int64_t *xpcs_mtkernel_delays(const xpcs_mtkernel *k);
/* Per-pixel sums of delay j (multitau.h): G2, IP, IF [n_pixels]. */
xpcs_status xpcs_mtkernel_result(const xpcs_mtkernel *k, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err);
/* The same for pixels [p0, p1) only, to G2[0 .. p1 - p0) etc., on the
 * calling thread (for xpcs_g2norm_fill_pass); p0 == p1 only checks j. */
xpcs_status xpcs_mtkernel_result_block(const xpcs_mtkernel *k, int j, int64_t p0, int64_t p1,
                                       double *G2, double *IP, double *IF, xpcs_err *err);
/* Dense kernel, before the end: the sums of the frames pushed so far, as a
 * run of that many frames (xpcs_multitau_result_so_far); the event kernel
 * keeps no such state (XPCS_ERR_INTERNAL). */
xpcs_status xpcs_mtkernel_result_so_far(const xpcs_mtkernel *k, int j, double *G2, double *IP,
                                        double *IF, xpcs_err *err);
int64_t xpcs_mtkernel_frames_pushed(const xpcs_mtkernel *k);

#endif
