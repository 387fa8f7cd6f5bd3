/* fit_io: fits the g2 of an existing result file and writes /xpcs/fit/<model>
 * into it (serial HDF5, one process).  The module fit.h does the numbers;
 * this file only reads and writes.
 *
 * Inputs read from the result:
 *   t (s) = /xpcs/multitau/delay_list * frame_time * stride_frame * avg_frame
 *     frame_time   /entry/instrument/detector_1/frame_time
 *     stride_frame, avg_frame   /xpcs/multitau/config/
 *   g2, err  /xpcs/multitau/normalized_g2{,_err}  (n_t, n_bins), bin = column
 *   q (1/Angstrom) of bin k: natural index i = dynamic_index_mapping[k],
 *     q = dynamic_v_list_dim0[i / n1], n1 = len(dynamic_v_list_dim1) (1 if absent);
 *     without dynamic_index_mapping, bin k is natural index k.
 *
 * Safe update: the result is copied to a temporary (core/publish.h), the
 * copy is modified and published over the original (its mode kept; a link
 * there is replaced, its target untouched) only when complete; on any error
 * the copy is removed and the original is untouched.  An existing /xpcs/fit/<model>
 * is an error unless overwrite is set (then the group is replaced; HDF5
 * does not reclaim the old group's space, h5repack does).
 *
 * Layout (README "Fit results"):
 *   /xpcs/fit/<model>/ param_names, param_units (n_p,) strings; params,
 *     params_err (n_bins, n_p); chi2_red (n_bins,); n_points, status
 *     (n_bins,) int32; status_names (5,); q (n_bins,); t (n_t,) s;
 *     g2_fit (n_t, n_bins) the model at t; fit_range (2,) s; fixed (n_p,)
 *     int32; fixed_values (n_p,); bounds (n_p, 2); t_unit "s"; q_unit;
 *     attributes model, formula, error_convention, version
 *   /xpcs/fit/<model>/tau_q/ exponent(_err), prefactor(_err), chi2_red,
 *     status, n_bins_used, bins_used (n_bins,) int32, prefactor_m2(_err),
 *     chi2_red_m2, diffusion_A2_per_s(_err), diffusion_um2_per_s(_err),
 *     exponent_is_m2, tau_param, formula
 */
#ifndef XPCS_FIT_IO_H
#define XPCS_FIT_IO_H

#include <stdio.h>

#include "xpcs/kernels/fit.h"
#include "xpcs/core/status.h"

/* What a fit of a whole result file gives back (for summaries). */
typedef struct {
    int n_bins;
    int n_status[XPCS_FIT_N_STATUS]; /* bins per status */
    xpcs_tauq_result tq;
    double t_first, t_last; /* s, the file's delay range */
    double seconds;         /* wall time of the fits */
} xpcs_fit_summary;

/* Which g2 of the result is fitted. */
typedef enum {
    XPCS_FIT_SRC_MULTITAU = 0, /* /xpcs/multitau: delay_list, normalized_g2{,_err} */
    XPCS_FIT_SRC_LINEAR,       /* /xpcs/linear: the same names */
    XPCS_FIT_SRC_TWOTIME       /* /xpcs/twotime/normalized_g2 of processed_bins, lags
                                  1 .. N/5-1, errors from the 5 segments' spread */
} xpcs_fit_source;
/* "multitau", "linear", "twotime" */
const char *xpcs_fit_source_name(xpcs_fit_source s);
xpcs_status xpcs_fit_source_parse(const char *name, xpcs_fit_source *s, xpcs_err *err);

/* Where the fits go: out NULL: /xpcs/fit/<group> of the result itself (a
 * copy updated and published over it); else the separate file out (created,
 * or an existing fit file updated), which holds /xpcs/fit/<group>, the
 * attribute result_file and an external link /result to the result's root;
 * the result gets an external link /xpcs/fit/<group> to it, written in place
 * (a link, no copy of the result), unless the result cannot be written
 * (then only the fit file links: said on log).  group = <model> for
 * multitau, <source>_<model> otherwise. */
typedef struct {
    xpcs_fit_source source;
    const char *out;
    int overwrite; /* replace an existing /xpcs/fit/<group> */
} xpcs_fit_target;

/* The group's name for a source and model ("single", "linear_single"). */
void xpcs_fit_group_name(xpcs_fit_source s, xpcs_fit_model m, char *buf, size_t n);

xpcs_status xpcs_fit_result_to(const char *path, const xpcs_fit_target *tg,
                               const xpcs_fit_options *o, FILE *log, int verbose,
                               xpcs_fit_summary *sum, xpcs_err *err);

/* Fits every dynamic bin of the result at path with options o, fits tau(q)
 * and writes /xpcs/fit/<model> (see above).  log (may be NULL) receives a
 * short summary; verbose adds one line per bin.  Errors: XPCS_ERR_INPUT
 * (missing file or dataset, wrong shape), XPCS_ERR_OUTPUT (existing fit
 * without overwrite, cannot write), XPCS_ERR_USAGE (bad options). */
xpcs_status xpcs_fit_result_file(const char *path, const xpcs_fit_options *o, int overwrite,
                                 FILE *log, int verbose, xpcs_fit_summary *sum, xpcs_err *err);

/* The same with the model and range given as text (xpcs-corr --fit MODEL
 * --fit-range A:B; range "" or NULL = all delays), default options
 * otherwise, replacing an existing /xpcs/fit/<model>. */
xpcs_status xpcs_fit_result_file_named(const char *path, const char *model, const char *range,
                                       FILE *log, int verbose, xpcs_err *err);

#endif
