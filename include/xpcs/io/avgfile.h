/* avgfile: the files of xpcs-average (the rules are apps/average.c; the
 * layout is README "Averaging" and xpcs/apps/average.h).
 *
 * Reads what the rules look at in one result file, reads the averaged
 * datasets, and writes the averaged file: a byte copy of a template (the
 * first accepted input) in a temporary (core/publish.h) whose averaged
 * datasets are replaced and which gets /xpcs/average/{files, accepted,
 * rejected, reasons, g2_baseline, int_t_block_min, int_t_block_max,
 * intensity, saxs_deviation, saxs_drift, config/...}; published as out when complete, removed on
 * any error.
 */
#ifndef XPCS_AVGFILE_H
#define XPCS_AVGFILE_H

#include <stdint.h>

#include "xpcs/core/status.h"

/* The averaged datasets, in this order. */
enum {
    XPCS_AVG_G2 = 0, /* /xpcs/multitau/normalized_g2 (n_delays, n_bins) */
    XPCS_AVG_G2_ERR, /* /xpcs/multitau/normalized_g2_err */
    XPCS_AVG_S2D,    /* /xpcs/temporal_mean/scattering_2d */
    XPCS_AVG_S1D,    /* /xpcs/temporal_mean/scattering_1d */
    XPCS_AVG_SEG,    /* /xpcs/temporal_mean/scattering_1d_segments */
    XPCS_AVG_INT,    /* /xpcs/spatial_mean/intensity_vs_time (2, n_frames) */
    XPCS_AVG_N
};
#define XPCS_AVG_MAX_RANK 4
/* The delay list the inputs must share. */
#define XPCS_AVG_DELAYS "/xpcs/multitau/delay_list"

/* The path of averaged dataset k. */
const char *xpcs_avgfile_dataset(int k);

/* What the rules and the compatibility check read of one input. */
typedef struct {
    char hash[256];       /* /xpcs/qmap hash attribute, "" if none */
    int rank[XPCS_AVG_N]; /* of every averaged dataset */
    int64_t dims[XPCS_AVG_N][XPCS_AVG_MAX_RANK];
    int n_tau;
    int64_t *delays;                /* [n_tau] frames */
    double stride, avg, frame_time; /* NaN when absent */
    double *g2;                     /* [n_tau][n_bins] normalized_g2 */
    double *int_t;                  /* [2][n_frames] intensity_vs_time */
} xpcs_avg_input;

/* Reads path (XPCS_ERR_INPUT naming the file and dataset when it is not a
 * multitau result: a dataset missing, of rank > 4, normalized_g2 not
 * (n_delays, n_bins), intensity_vs_time not (2, n_frames)). */
xpcs_status xpcs_avgfile_read(const char *path, xpcs_avg_input *in, xpcs_err *err);
void xpcs_avgfile_input_free(xpcs_avg_input *in);

/* The XPCS_AVG_N averaged datasets of path as double, v[k] malloc'd,
 * n[k] elements. */
xpcs_status xpcs_avgfile_read_data(const char *path, double *v[XPCS_AVG_N], int64_t n[XPCS_AVG_N],
                                   xpcs_err *err);

/* /xpcs/average of the averaged file. */
typedef struct {
    int n;                      /* inputs */
    const char *const *files;   /* [n] */
    int n_accepted, n_rejected; /* files accepted / rejected */
    const char *const *accepted;
    const char *const *rejected, *const *reasons;    /* [n_rejected] */
    const double *g2_baseline;                       /* [n] */
    const double *int_t_block_min, *int_t_block_max; /* [n] NaN: rule not applicable */
    /* config/: the options and the rules in words */
    double q_bin, window, bounds[2], int_t_sigma, int_t_blocks, int_t_floor;
    double int_t_rule_applied;
    const char *g2_rule, *int_t_rule, *g2_err_rule;
    /* rules 3-5: per file the mean intensity, the I(q) deviation from the
     * files' median and the drift of I(q) inside the file (NaN: none) */
    const double *intensity, *saxs_dev, *saxs_drift; /* [n] */
    double int_tol, saxs_tol, drift_tol;
    const char *intensity_rule, *saxs_rule;
} xpcs_avg_record;

/* Writes out from template with avg[k] in place of dataset k and the record
 * (see above), through a temporary (core/publish.h): overwrite = 0 never
 * replaces a file at out, also one that appeared while averaging. */
xpcs_status xpcs_avgfile_write(const char *template_path, const char *out, int overwrite,
                               const double *const avg[XPCS_AVG_N], const xpcs_avg_record *rec,
                               xpcs_err *err);

#endif
