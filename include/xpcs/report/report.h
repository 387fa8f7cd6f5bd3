/* report: the self-contained HTML page a beamline scientist opens first,
 * OUTDIR/<stem>_report.html, built from the result file (serial HDF5 reads)
 * and, when given, the run's profile JSON.  No scripts, no network: plots
 * are inline SVG, images inline base64 PNG.
 *
 * Sections, each only when its data is in the file:
 *   header                 run facts: sample, q-map, frame selection,
 *                          normalization, energy, distance, mask coverage
 *   data quality           one badge per data-quality indicator (/xpcs/quality)
 *   averaged inputs        an xpcs-average file's accepted and rejected inputs
 *   g2                     all q bins on one log-time plot, then one panel
 *                          per q bin with error bars (and fit curves)
 *   scattering             time-averaged image (log colour scale, <= 512 px)
 *                          and I(q)
 *   linear, two-time g2    /xpcs/linear; the two-time diagonal g2 and segments
 *   contrast               beta(q) with the flagged bins
 *   intensity vs time, stability (I(q) per segment)
 *   two-time               /xpcs/twotime/correlation_map/c2_* (upper
 *                          triangles, shown mirrored, block-averaged)
 *   fits                   /xpcs/fit/<model>/{params, param_names, ...}:
 *                          parameter table, tau(q), curves over the data
 *   profile                compute-health badges, phase table, per-rank phase
 *                          bars, throughput, imbalance (from the profile JSON)
 * The page holds no time stamp of its own: rebuilding it from the same
 * files gives the same bytes.
 */
#ifndef XPCS_REPORT_H
#define XPCS_REPORT_H

#include "xpcs/core/status.h"

/* profile_path may be NULL.  Writes html_path through a temporary
 * (core/publish.h), replacing a file there. */
xpcs_status xpcs_report_write(const char *result_path, const char *profile_path,
                              const char *html_path, xpcs_err *err);

/* A batch's page (OUTDIR/batch_report.html): one row per file -- its run
 * state, beta and tau at the first q, the g2 baseline, the data-quality
 * status and a link to its report (when the report exists beside it). */
typedef struct {
    const char *result; /* the result path */
    const char *state;  /* done, skipped, failed, pending */
    const char *error;  /* NULL or the failure's message */
} xpcs_batch_row;
#define XPCS_BATCH_REPORT "batch_report.html"
xpcs_status xpcs_report_batch(const char *html, const xpcs_batch_row *rows, int n, xpcs_err *err);

#endif
