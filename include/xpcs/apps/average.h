/* average: xpcs-average, one result from repeated measurements (serial HDF5,
 * no MPI), following pyXpcsViewer's averaging toolbox (README "Averaging").
 *
 * Compatibility (else the whole run is refused): every input has the same
 * /xpcs/qmap hash attribute, delay_list, stride_frame, avg_frame and frame
 * time, and the same shapes of the averaged datasets
 *     /xpcs/multitau/normalized_g2, normalized_g2_err,
 *     /xpcs/temporal_mean/scattering_2d, scattering_1d, scattering_1d_segments,
 *     /xpcs/spatial_mean/intensity_vs_time.
 * Rules (a file is rejected when either fails; every reason is recorded):
 *  1. g2 baseline: the mean of normalized_g2 over the last `window` delays
 *     at dynamic bin `q_bin` lies in [lo, hi] (viewer defaults 3, 1, [0.95,
 *     1.05]).
 *  2. intensity vs time: per file x(t) = Int_t(t) / median(Int_t) (the mean
 *     if the median is 0; the rule skips a file whose Int_t is all 0), cut
 *     into `int_t_blocks` equal consecutive blocks; lo_f / hi_f = the lowest /
 *     highest block mean.  Over the files, m = median and
 *     s = max(1.4826 MAD, int_t_floor) of lo_f (and of hi_f); a file is an
 *     outlier when |lo_f - m_lo| > S s_lo or |hi_f - m_hi| > S s_hi.
 *     Applied with 3 or more files (S = int_t_sigma; S <= 0 disables it).
 *     It stands in for the viewer's 2-cluster k-means on (min, max) of the
 *     normalized Int_t: block means ignore single-frame noise and catch beam
 *     drops and sample jumps; median/MAD need no cluster count.
 * 3. Absolute intensity: the mean of intensity_vs_time (counts per pixel and
 *    frame, not divided by the file's own median) against the median over
 *    the files: rejected outside [1 / (1 + int_tol), 1 + int_tol] (a
 *    brighter or dimmer repeat).  3 or more files.
 * 4. SAXS between files: the median over the static bins of |I(q) / the
 *    files' median I(q) - 1| (scattering_1d) above saxs_tol.  3+ files.
 * 5. SAXS drift in the file (radiation damage): the median over the static
 *    bins of |I(q) over the last third of scattering_1d_segments / the first
 *    third - 1| above drift_tol.  Any number of files.
 * Output: a byte copy of the first accepted file (OUT.tmp, renamed when
 * complete) with, over the n accepted files summed in input order then
 * divided by n: normalized_g2, scattering_2d, scattering_1d, the segments and
 * row 1 of intensity_vs_time; normalized_g2_err = mean(err) / sqrt(n) (the
 * viewer's rule); plus /xpcs/average/{files, accepted, rejected, reasons,
 * g2_baseline, int_t_block_min, int_t_block_max, config/...}.
 */
#ifndef XPCS_AVERAGE_H
#define XPCS_AVERAGE_H

#include <stdio.h>

#include "xpcs/core/status.h"

typedef struct {
    const char *out;    /* output file */
    int overwrite;      /* replace an existing output */
    int q_bin;          /* 1-based dynamic bin of rule 1 (default 1) */
    int window;         /* last delays of rule 1 (default 3) */
    double lo, hi;      /* rule 1 bounds (default 0.95, 1.05) */
    double int_t_sigma; /* rule 2 S (default 5), <= 0 off */
    int int_t_blocks;   /* rule 2 blocks (default 32) */
    double int_t_floor; /* rule 2 smallest sigma (default 0.01) */
    double int_tol;     /* rule 3: mean intensity within (1 + tol) of the files' median
                           (default 0.25; <= 0 off; 3+ files) */
    double saxs_tol;    /* rule 4: median over q of |I(q) / files' median I(q) - 1|
                           (default 0.2; <= 0 off; 3+ files) */
    double drift_tol;   /* rule 5: median over q of |I(q) of the last third of the
                           segments / the first third - 1| in the file (default 0.1) */
} xpcs_average_opts;

void xpcs_average_opts_default(xpcs_average_opts *o);

typedef struct xpcs_average xpcs_average;

/* Reads the n inputs, checks that they are compatible and applies the
 * rules (no output yet).  The options are copied. */
xpcs_status xpcs_average_screen(const xpcs_average_opts *o, int n, const char *const *files,
                                xpcs_average **out, xpcs_err *err);
void xpcs_average_destroy(xpcs_average **a);

int xpcs_average_count(const xpcs_average *a);
int xpcs_average_n_accepted(const xpcs_average *a);
int xpcs_average_is_accepted(const xpcs_average *a, int i);
const char *xpcs_average_reason(const xpcs_average *a, int i); /* "" when accepted */

/* One line per input: "accepted FILE (...)" or "rejected FILE: reasons". */
void xpcs_average_print(const xpcs_average *a, FILE *out);

/* Writes the average (XPCS_ERR_INPUT when no file was accepted). */
xpcs_status xpcs_average_write(const xpcs_average *a, xpcs_err *err);

#endif
