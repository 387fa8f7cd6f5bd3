/* partial: -np/--num-partial-g2 N, boost_corr's partial g2.  The output
 * frames are cut into N segments of n_frames / N frames; at the end of
 * segment k (k = 1..N) the g2 and its error of all frames so far -- the
 * exact g2 a run of those k segments alone gives, bit for bit -- are taken
 * from the dense multitau state (xpcs_multitau_result_so_far) and reduced to
 * rank 0 as the final g2 is.  As boost_corr: a partial equal to the one
 * before it (numpy's allclose) is dropped, zeros of g2 become NaN; delays a
 * partial does not reach yet are NaN.  Written as
 * /xpcs/multitau/normalized_g2_partial (n_partial, n_tau, n_bins),
 * normalized_g2_partial_err, normalized_g2_partial_labels (frames used). */
#ifndef XPCS_PARTIAL_H
#define XPCS_PARTIAL_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"
#include "xpcs/io/h5out.h"
#include "xpcs/pipeline/run.h"

typedef struct xpcs_partial xpcs_partial;

/* n_seg segments of n_frames frames, n_tau delays of the whole run. */
xpcs_partial *xpcs_partial_create(int64_t n_frames, int n_seg, int n_tau, int n_dq);
void xpcs_partial_destroy(xpcs_partial **p);

/* The multitau kernel's push of n rows (xpcs_mtkernel_push_rows), cut at the
 * segment ends, where the partial g2 is taken (collective: every rank pushes
 * the same frames).  Without -np (x->part NULL) just the push. */
xpcs_status xpcs_run_push_rows(xpcs_run *x, const void *rows, xpcs_dtype t, int64_t n, int64_t ld,
                               const double *row_scale, xpcs_err *err);

/* Rank 0: the three datasets into the open result file. */
xpcs_status xpcs_partial_write(const xpcs_partial *p, xpcs_resfile *w, xpcs_err *err);

#endif
