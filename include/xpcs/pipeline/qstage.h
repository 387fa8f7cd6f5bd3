/* qstage: the run's data-quality indicators (kernels/quality.h) from the
 * result's own arrays -- no second pass over the data.  Rank 0, with the
 * result file open: written under /xpcs/quality, printed on stderr before
 * anything else of the epilog, and with --auto-mask the q-map copy without
 * the flagged pixels beside the result (OUTDIR/<stem>_automask.h5).
 *   /xpcs/quality/status                  worst status (ok, warning, critical)
 *   /xpcs/quality/<indicator>/{status, value, warning, critical, unit,
 *       items_are, items (n,) int64, item_values (n,), pixels (n, 2) [row, col]
 *       for the pixel indicators}
 *   /xpcs/quality/contrast/beta, g2_baseline/baseline   (n_dq,) per dynamic bin
 *   /xpcs/quality/auto_mask               the written mask file ("" without)
 */
#ifndef XPCS_QSTAGE_H
#define XPCS_QSTAGE_H

#include "xpcs/io/h5out.h"
#include "xpcs/kernels/quality.h"
#include "xpcs/pipeline/run.h"

/* q receives the indicators (free with xpcs_quality_free); sq_ids: the
 * static bin of each column of r's segments; pmax: each pixel's largest
 * count (reduced). */
xpcs_status xpcs_run_quality(const xpcs_run *x, const xpcs_result *r, const int *sq_ids,
                             const double *pmax, xpcs_resfile *w, xpcs_quality *q, xpcs_err *err);

#endif
