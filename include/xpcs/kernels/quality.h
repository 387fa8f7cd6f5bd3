/* quality: data-quality indicators of one run, from what the run's single
 * pass over the data produced (no MPI, no HDF5): the time-averaged image,
 * each pixel's largest count, the intensity vs time, the static bins' I(q)
 * per segment and the multitau g2.  Each indicator has a value, a warning
 * and a critical threshold (quality.* settings), a status, and names what
 * it flags: pixels (flat index row * cols + col), frames (output frame
 * index) or bins (1-based).
 *
 *   saturated_pixels  valid pixels whose largest count reached the raw
 *                     type's maximum (with -a: avg x the maximum)
 *   hot_pixels        valid pixels whose mean lies above their static bin's
 *                     median by more than hot_sigma robust spreads
 *                     (1.4826 MAD, at least the Poisson spread of the mean)
 *                     and above hot_ratio x that median
 *     both: warning when any; critical when removing the flagged pixels
 *     moves a static bin's mean by more than pixel_shift_critical
 *   dead_pixels       valid pixels with no count at all while their static
 *                     bin's median expects at least dead_counts over the run;
 *                     critical above fraction_critical of the valid pixels
 *   zero_frames       frames without a count while the run's median frame
 *                     holds at least dead_counts (dropped frames);
 *                     critical above fraction_critical of the frames
 *   beam_drops        other frames whose intensity lies below
 *                     (1 - drop_fraction) x the median and 6 Poisson spreads
 *                     under it; critical above 5 x fraction_critical
 *   intensity_jumps   frames where the median intensity of a window of W
 *                     frames (W = max(16, N/64)) differs from the previous
 *                     window's by more than jump_fraction and 6 spreads;
 *                     warning when any
 *   saxs_drift        static bins whose mean intensity over the last third
 *                     of the segments differs from the first third by more
 *                     than drift_warning (critical: drift_critical) and 5
 *                     spreads (from the segments' successive differences)
 *   g2_baseline       dynamic bins whose g2 over the last 3 delays averages
 *                     further than baseline_warning (critical) from 1 and 5
 *                     errors
 *   contrast          dynamic bins whose beta = g2(first delay) - baseline
 *                     differs from the mean of its two neighbours by more
 *                     than contrast_warning (critical) relative, and 5 errors
 */
#ifndef XPCS_QUALITY_H
#define XPCS_QUALITY_H

#include <stdint.h>

typedef enum {
    XPCS_Q_SATURATED = 0,
    XPCS_Q_HOT,
    XPCS_Q_DEAD,
    XPCS_Q_ZERO_FRAMES,
    XPCS_Q_BEAM_DROPS,
    XPCS_Q_JUMPS,
    XPCS_Q_SAXS_DRIFT,
    XPCS_Q_BASELINE,
    XPCS_Q_CONTRAST,
    XPCS_Q_COUNT
} xpcs_quality_ind;

enum { XPCS_QS_OK = 0, XPCS_QS_WARNING = 1, XPCS_QS_CRITICAL = 2, XPCS_QS_UNKNOWN = 3 };

/* The quality.* settings (defaults in xpcs_quality_defaults) and --auto-mask. */
typedef struct {
    double hot_sigma, hot_ratio, pixel_shift_critical;
    double dead_counts, fraction_critical;
    double drop_fraction, jump_fraction;
    double drift_warning, drift_critical;
    double baseline_warning, baseline_critical;
    double contrast_warning, contrast_critical;
    int auto_mask; /* write OUTDIR/<stem>_automask.h5 */
} xpcs_quality_opts;

void xpcs_quality_defaults(xpcs_quality_opts *o);

typedef struct {
    int64_t rows, cols;
    const int32_t *mask; /* [rows*cols] != 0: valid */
    const int32_t *smap; /* [rows*cols] static bin 1..n_sq, 0: none */
    int n_sq;
    const double *s2;   /* [rows*cols] mean counts per pixel and raw frame */
    const double *pmax; /* [rows*cols] largest count of a frame (NULL: not known) */
    double count_max;   /* a saturated count (0: not known) */
    int64_t n_frames, avg;
    const double *int_t; /* [n_frames] mean count per valid pixel and raw frame */
    int n_seg, n_sq_out; /* segments: [n_seg][n_sq_out] static bins' means */
    const double *segs;
    const int *sq_ids;  /* [n_sq_out] the 1-based static bin of each column */
    int n_delays, n_dq; /* multitau g2 [n_delays][n_dq] (NULL: none) */
    const double *g2, *g2_err;
} xpcs_quality_input;

typedef struct {
    const char *name, *unit, *items_are; /* items_are: "pixels", "frames", "bins" */
    double value, warning, critical;     /* value: the flagged count or the largest deviation */
    int status;                          /* XPCS_QS_* */
    int64_t n;                           /* flagged items */
    int64_t *items;                      /* [n] */
    double *values;                      /* [n] what was measured for each */
} xpcs_quality_entry;

typedef struct {
    xpcs_quality_entry e[XPCS_Q_COUNT];
    int worst;      /* XPCS_QS_*, unknown ones left out */
    int n_dq;       /* contrast and baseline per dynamic bin */
    double *beta;   /* [n_dq] g2(first delay) - baseline, NaN without multitau */
    double *base;   /* [n_dq] */
    int64_t n_mask; /* pixels the auto mask removes (saturated, hot, dead) */
} xpcs_quality;

void xpcs_quality_compute(const xpcs_quality_input *in, const xpcs_quality_opts *o,
                          xpcs_quality *q);
void xpcs_quality_free(xpcs_quality *q);
const char *xpcs_quality_status_name(int status);
/* The pixels the auto mask removes: mask[p] = 0 for every flagged pixel
 * (saturated, hot, dead); returns how many it changed. */
int64_t xpcs_quality_apply_mask(const xpcs_quality *q, int32_t *mask, int64_t n_pixels);

#endif
