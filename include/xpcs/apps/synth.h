/* Synthetic XPCS data sets with known answers (xpcs-synth).
 *
 * Writes, in one output directory, a detector stack NAME.h5, its metadata
 * NAME_metadata.hdf, a q map NAME_qmap.h5 and the ground truth
 * NAME_truth.h5.  Each pixel carries a complex Gaussian field that follows
 * an AR(1) process with correlation time tau_k of its dynamic q bin, so that
 * g2(t) = 1 + beta * exp(-2 t / tau_k); counts are Poisson(rate * I).
 * The same parameters and seed give byte-identical files (except the
 * start_time string of the metadata file).
 */
#ifndef XPCS_SYNTH_H
#define XPCS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/status.h"

/* Pixel type of the detector stack; the value is the size in bytes. */
typedef enum { XPCS_SYNTH_U8 = 1, XPCS_SYNTH_U16 = 2, XPCS_SYNTH_U32 = 4 } xpcs_synth_dtype;

/* The files one call writes (see xpcs_synth_path). */
typedef enum {
    XPCS_SYNTH_FILE_DATA = 0, /* NAME.h5 */
    XPCS_SYNTH_FILE_METADATA, /* NAME_metadata.hdf */
    XPCS_SYNTH_FILE_QMAP,     /* NAME_qmap.h5 */
    XPCS_SYNTH_FILE_TRUTH,    /* NAME_truth.h5 */
    XPCS_SYNTH_FILE_BIN,      /* NAME.bin (Rigaku events, --format rigaku) */
    XPCS_SYNTH_FILE_BIN3M     /* NAME.bin.000; NAME.bin.00m is XPCS_SYNTH_FILE_BIN3M + m
                                 (Rigaku 3M module files, --format rigaku3m) */
} xpcs_synth_file;
#define XPCS_SYNTH_N_FILES (XPCS_SYNTH_FILE_BIN3M + 6)

/* Formats of the frames (a bit set). */
enum { XPCS_SYNTH_FMT_H5 = 1, XPCS_SYNTH_FMT_RIGAKU = 2, XPCS_SYNTH_FMT_RIGAKU3M = 4 };

/* Everything xpcs-synth can be asked for.  Fields documented as "NaN =
 * auto" take their default from the detector size when left NaN. */
typedef struct {
    const char *outdir; /* created if missing (like mkdir -p) */
    const char *name;   /* file stem, no '/' */

    long rows, cols, frames; /* stack shape [frames, rows, cols] */
    xpcs_synth_dtype dtype;

    double rate;         /* mean photons / pixel / frame, 1e-4 .. 100 */
    double beta;         /* speckle contrast, 0 .. 1 */
    double tau0;         /* correlation time of dynamic bin 1, frames */
    double tau_exponent; /* tau_k = tau0 * (q_k / q_1)^tau_exponent */
    int n_dq;            /* K dynamic q bins */
    int sq_per_dq;       /* M static bins per dynamic bin, Ks = K * M */

    int gzip;          /* deflate level 0 .. 9, 0 = uncompressed */
    long chunk_frames; /* frames per chunk, 0 = auto (about 1 MiB chunks) */

    uint64_t seed;
    int constant_mode;       /* every pixel of every frame = constant_value */
    uint32_t constant_value; /* must fit dtype */
    long n_hot, n_dead;      /* hot / dead pixels (none in constant mode) */

    double frame_time;    /* s */
    double count_time;    /* s, NaN = frame_time */
    double energy_kev;    /* keV */
    double pixel_size_mm; /* mm, square pixels */
    double det_dist_mm;   /* sample-detector distance, mm */
    double beam_center_x; /* column, NaN = cols * 0.5 + 0.3 */
    double beam_center_y; /* row, NaN = rows * 0.5 - 0.2 */
    double beamstop_px;   /* radius in pixels, NaN = min(rows, cols) / 16 */
    int write_metadata;   /* 0: skip NAME_metadata.hdf */
    /* Frames as NAME.h5 and/or NAME.bin, a Rigaku XSPA-500k event file
     * (rigaku.h; 512 x 1024 only; counts, hot pixels included, clipped to
     * 4095 in both files so that they hold the same data), and/or the six
     * module files NAME.bin.000 ... .005 of a Rigaku 3M (1676 x 2100 only:
     * the canvas of rigaku.h; its gaps are zero in NAME.h5 and masked in the
     * q map; module files with an odd number carry the 1024^2 pixel index
     * offset, the others none, so that the reader meets both). */
    int format;
    /* 1: counts are independent Poisson(rate) draws, no speckle (cost per
     * event, not per pixel-frame: benchmark data). */
    int iid;
} xpcs_synth_params;

/* Fill p with the defaults of the xpcs-synth command line (outdir and name
 * NULL). */
void xpcs_synth_params_default(xpcs_synth_params *p);

/* Validate p without touching the file system. */
xpcs_status xpcs_synth_check(const xpcs_synth_params *p, xpcs_err *err);

/* Path "<outdir>/<name><suffix>" of one output file into buf[n]. */
xpcs_status xpcs_synth_path(const xpcs_synth_params *p, xpcs_synth_file which, char *buf, size_t n,
                            xpcs_err *err);

/* Validate p, create outdir and write all files.  Each file is written to
 * its own temporary (core/publish.h) and published, replacing a file of that
 * name, only after every file is complete, so no partial file ever carries a
 * final name.  Serial HDF5 (default file driver); call
 * from one MPI rank only.  Memory is O(rows * cols + one chunk). */
xpcs_status xpcs_synth_write(const xpcs_synth_params *p, xpcs_err *err);

#endif
