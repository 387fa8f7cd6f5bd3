/* report: the self-contained HTML page a beamline scientist opens first,
 * OUTDIR/<stem>_report.html, built from the result file (serial HDF5 reads)
 * and, when given, the run's profile JSON.  No scripts, no network: plots
 * are inline SVG, images inline base64 PNG.
 *
 * Sections, each only when its data is in the file:
 *   header and health      run facts; the health indicators with status
 *   g2                     all q bins on one log-time plot, then one panel
 *                          per q bin with error bars (and fit curves)
 *   scattering             time-averaged image (log colour scale, <= 512 px)
 *                          and I(q)
 *   intensity vs time
 *   two-time               /xpcs/twotime/correlation_map/c2_* (upper
 *                          triangles, shown mirrored, block-averaged)
 *   fits                   /xpcs/fit/<model>/{params, param_names, ...}:
 *                          parameter table, tau(q), curves over the data
 *   profile                phase table, per-rank phase bars, throughput,
 *                          imbalance (from the profile JSON)
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

#endif
