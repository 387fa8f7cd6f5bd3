/* config: xpcs-corr's options.  One table (config.c, rows of options.h)
 * defines each of them once: the command line, boost_corr's JSON / YAML keys
 * (-c FILE), the site settings (sections threading, memory, io, monitoring;
 * XPCS_* environment variables; --set SECTION.KEY=V), the defaults, --help,
 * the -v line and the effective configuration (settings.h).
 *
 * Option names follow boost_corr so its users can switch.  Precedence:
 * command line > config file > XPCS_* environment > defaults.
 */
#ifndef XPCS_CONFIG_H
#define XPCS_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/config/options.h"
#include "xpcs/config/siteopts.h"
#include "xpcs/core/status.h"
#include "xpcs/parallel/threads.h"

#define XPCS_PATH_MAX 4096
#define XPCS_CONFIG_ROWS 96 /* rows of xpcs-corr's option table, at most */

typedef enum {
    XPCS_ANALYSIS_INVALID = 0,
    XPCS_ANALYSIS_MULTITAU,
    XPCS_ANALYSIS_TWOTIME, /* two-time maps only */
    XPCS_ANALYSIS_BOTH,    /* multitau + two-time in one pass over the data */
    XPCS_ANALYSIS_LINEAR   /* linear-lag g2 with FFTW */
} xpcs_analysis;

/* --kernel: multi-tau on dense frames, on events, or chosen by occupancy. */
typedef enum { XPCS_KERNEL_AUTO = 0, XPCS_KERNEL_DENSE, XPCS_KERNEL_SPARSE } xpcs_kernel;

typedef struct {
    char raw[XPCS_PATH_MAX];
    char qmap[XPCS_PATH_MAX];
    char output[XPCS_PATH_MAX];
    char config_file[XPCS_PATH_MAX];
    char dataset[256];      /* raw frames dataset, default /entry/data/data */
    xpcs_analysis analysis; /* -t */
    int64_t begin_frame;    /* -b, 0-based; negative counts from the end */
    int64_t end_frame;      /* -e, exclusive; -1 = all */
    int64_t stride_frame;   /* -f */
    int64_t avg_frame;      /* -a */
    int normalize_frame;    /* --normalize-frame: divide each frame by its mean */
    char dq_selection[1024];
    int overwrite;        /* -w */
    int verbose;          /* -v (repeatable) */
    double frame_time;    /* --frame-time s, used when no metadata file */
    double count_time;    /* --count-time s */
    double max_memory_mb; /* --max-memory MiB per rank, 0 = default */
    int64_t step_frames;  /* --step-frames, 0 = automatic */
    int dry_run;          /* --dry-run: plan only */
    char fit[16];         /* --fit single|stretched|double after correlating; "" = none */
    char fit_range[128];  /* --fit-range TMIN:TMAX in s; "" = all delays */
    /* batch runs (batch.h): several raw files */
    int n_raw_args;               /* -r values, then positional raw files */
    char **raw_args;              /* [n_raw_args] in order (heap: xpcs_config_free) */
    char raw_list[XPCS_PATH_MAX]; /* --raw-list FILE: lines "RAW [QMAP]" */
    int ranks_per_file;           /* --ranks-per-file N, 0 = automatic */
    int quiet;                    /* set by the batch: no per-file stdout summary */
    xpcs_siteopts site;           /* threading, memory, io, monitoring (settings.h) */
    xpcs_threads threads;         /* chosen by main over all ranks; n == 0: the run chooses */
    /* linear and two-time (see g2lin.h, twotime.h) */
    int64_t max_lag;                 /* --max-lag, linear; 0 = all lags that fit */
    char fftw_wisdom[XPCS_PATH_MAX]; /* --fftw-wisdom FILE, "" = FFTW_ESTIMATE */
    char smooth[16];                 /* -s/--smooth sqmap|dqmap|none, two-time */
    xpcs_kernel kernel;              /* --kernel dense|sparse|auto (default auto) */
    /* boost_corr's options (README "Coming from boost_corr") */
    int gpu_id;                  /* -i/--gpu-id: -1 = CPU; any other value runs on the CPU too */
    int save_g2;                 /* -G/--save-G2: per-pixel G2, IP, IF in <result>_G2.hdf */
    int num_partial_g2;          /* -np/--num-partial-g2 N: cumulative partial g2, 0 = none */
    double crop_ratio_threshold; /* --crop-ratio-threshold: recorded; no effect here */
    char prefix[256];            /* -p/--prefix: result name PREFIX_<name> */
    char suffix[256];            /* -u/--suffix: result name <name>_SUFFIX */
    unsigned char source[XPCS_CONFIG_ROWS]; /* xpcs_opt_source of each row of the table */
} xpcs_config;

void xpcs_config_default(xpcs_config *c);
/* Frees what parse allocated (raw_args); c stays usable as a single-file config. */
void xpcs_config_free(xpcs_config *c);

/* Parses argv: the -c file, the XPCS_* environment and the command line.
 * Returns XPCS_OK, or XPCS_ERR_USAGE with a message.  *exit_now is set for
 * --help / --version (printed when print != 0). */
xpcs_status xpcs_config_parse(xpcs_config *c, int argc, char **argv, int print, int *exit_now,
                              xpcs_err *err);
/* xpcs-corr's option table, rows into xpcs_config (config_table.c). */
const xpcs_opts_table *xpcs_config_table(void);

/* Parses "all" or "1,3,5-7" into sel[1..n_bins] (sel[0] unused). */
xpcs_status xpcs_parse_bin_selection(const char *text, int n_bins, unsigned char *sel,
                                     xpcs_err *err);

const char *xpcs_analysis_name(xpcs_analysis a);
const char *xpcs_kernel_name(xpcs_kernel k);
void xpcs_config_usage(FILE *out);
/* The -v line: "config: raw=... qmap=... ... step_frames=N[ config=FILE]". */
void xpcs_config_print(const xpcs_config *c, FILE *out);

#endif
