/* linstage: the linear-lag stage of the pipeline (-t linear).
 *
 * The multitau pixel ownership is reused.  Each rank pushes its pixels'
 * frames into the g2lin kernel (the lags and FFT blocks are the plan's,
 * linplan.h); at the end the per-pixel G2/IP/IF of every lag go through
 * g2norm exactly as multitau's (exact sums, so the result is the same for
 * any rank count).
 *   /xpcs/linear/{delay_list (L,) int64 = 1..L, normalized_g2 (L, n_dq),
 *                 normalized_g2_err (L, n_dq), config/}
 */
#ifndef XPCS_LINSTAGE_H
#define XPCS_LINSTAGE_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/config/config.h"
#include "xpcs/core/status.h"
#include "xpcs/io/h5out.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/plan/plan.h"
#include "xpcs/plan/qmap.h"

typedef struct xpcs_linstage xpcs_linstage;

/* Collective: the kernel for n_own pixels; FFTW plans (--fftw-wisdom:
 * planned on rank 0, wisdom broadcast, same plan on every rank). */
xpcs_status xpcs_linstage_create(const xpcs_comm *c, const xpcs_config *cfg, const xpcs_plan *p,
                                 int64_t n_own, xpcs_linstage **out, xpcs_err *err);
void xpcs_linstage_destroy(xpcs_linstage **l);
void xpcs_linstage_push(xpcs_linstage *l, const void *rows, int64_t n_rows, int64_t ld,
                        const double *row_scale);
/* Collective: normalization and reduction; g2 and errors end on rank 0. */
xpcs_status xpcs_linstage_reduce(xpcs_linstage *l, const xpcs_comm *c, const xpcs_qmap *q,
                                 const int32_t *own_sq, const int32_t *own_dq, xpcs_err *err);
/* Rank 0: the /xpcs/linear group into the open result file. */
xpcs_status xpcs_linstage_write(const xpcs_linstage *l, xpcs_resfile *w, const xpcs_result *r,
                                xpcs_err *err);
/* Rank 0 after reduce: per-rank FFT and block times. */
void xpcs_linstage_print_stats(const xpcs_linstage *l, FILE *out);

#endif
