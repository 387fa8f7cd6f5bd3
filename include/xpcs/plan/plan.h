/* plan: who reads which frames, who owns which pixels, which kernels run
 * and the memory they need (every rank builds the same copy, from the same
 * inputs, deterministically).  A plain data structure: printed by
 * --dry-run and -v, and stored in the result's config (/xpcs/.../config/
 * plan), so the plan a dry run prints is the plan the run records.
 *
 * Frames.  Raw frames [begin, end) are trimmed to a multiple of stride*avg;
 * output frame k is the sum of raw frames begin + (k*avg + a)*stride,
 * a = 0..avg-1 (boost_corr: take every stride-th frame, then average groups
 * of avg; we sum and divide later, which leaves g2 unchanged).
 * The run advances in steps of step_frames output frames; inside a step the
 * frames are split evenly over the ranks in rank order, so after the
 * all-to-all every owner receives the step's frames in time order.
 *
 * Pixels.  Rank r owns correlated pixels [pix_first[r], pix_first[r+1]) of
 * the qmap's ascending correlated-pixel list: balanced by the number of
 * valid pixels, not by rows.
 *
 * Kernels.  Multitau and two-time each run dense or on photon events
 * (--kernel, or auto: by the occupancy measured in the first frames); an
 * event kernel, or an event file (Rigaku .bin), puts the run on the event
 * pipeline.
 *
 * Memory.  One ledger: the bytes of each item for the rank that needs the
 * most of it; mem_per_rank is their sum and must stay within mem_budget.
 */
#ifndef XPCS_PLAN_H
#define XPCS_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/config/config.h"
#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"
#include "xpcs/kernels/g2lin.h"
#include "xpcs/plan/qmap.h"

struct xpcs_ttplan;

typedef enum {
    XPCS_MEM_READ_BUFFER = 0, /* raw frames of one step */
    XPCS_MEM_SUMMED_FRAMES,   /* -a: the step's frames summed */
    XPCS_MEM_SEND_BUFFER,     /* the step's pixels packed for the owners */
    XPCS_MEM_RECEIVE_BUFFER,  /* the step's frames of the owned pixels */
    XPCS_MEM_MULTITAU,        /* multitau state of the owned pixels */
    XPCS_MEM_DELAY_SUMS,      /* per-delay G2/IP/IF of the owned pixels and their labels */
    XPCS_MEM_SAXS,            /* SAXS sums and the q-map arrays */
    XPCS_MEM_FRAME_SUMS,      /* intensity vs time */
    XPCS_MEM_TWOTIME,         /* maps being computed, their results */
    XPCS_MEM_TWOTIME_SERIES,  /* the bins' series (dense kernel) or events (event kernel) */
    XPCS_MEM_LINEAR,          /* the linear-lag kernel and its normalization */
    XPCS_MEM_COUNT
} xpcs_mem_item;

typedef struct {
    int n_ranks;
    int threads_per_rank;
    /* frames */
    int64_t n_raw_frames;
    int64_t begin, end; /* raw frames [begin, end) after trimming */
    int64_t stride, avg;
    int64_t n_frames; /* output frames N */
    int64_t step_frames, n_steps;
    /* detector and pixels */
    int64_t rows, cols;
    int64_t n_corr;
    int64_t *pix_first; /* [n_ranks + 1] */
    xpcs_dtype raw_type, xfer_type;
    /* what runs (xpcs_plan_stages) */
    int do_multitau, do_linear, do_twotime;
    int event_file;                  /* the raw file holds photon events (Rigaku .bin) */
    xpcs_g2lin_geom linear;          /* do_linear: lags and FFT blocks */
    char fftw_wisdom[XPCS_PATH_MAX]; /* linear: "" = FFTW_ESTIMATE, else the wisdom file */
    struct xpcs_ttplan *twotime;     /* do_twotime: bins and their owners */
    /* kernels (xpcs_plan_kernels) */
    int kernels_chosen;
    int sparse_multitau, sparse_twotime; /* the event kernels run */
    int events;                          /* the event pipeline reads */
    double occupancy;                    /* measured non-zero fraction, < 0: not measured */
    /* memory, bytes per rank (largest rank of each item) */
    double mem[XPCS_MEM_COUNT];
    double mem_per_rank; /* sum of mem[] */
    double mem_budget;
} xpcs_plan;

/* Resolves begin/end/stride/avg against n_raw frames (boost_corr rules:
 * negative begin counts from the end; end -1 = all, end < -1 counts from the
 * end, end past the last frame is clipped). */
xpcs_status xpcs_plan_frames(int64_t n_raw, int64_t begin, int64_t end, int64_t stride, int64_t avg,
                             xpcs_plan *p, const char *what, xpcs_err *err);

/* Frames per step (all ranks together) when --step-frames is not given:
 * f frames per rank (a power of two up to 1024, doubled while one rank's
 * step buffers stay within 256 MiB, halved while they take more than an
 * eighth of mem_budget in bytes, 0 = none, but never below f / n_ranks,
 * the rule before) times the rank count, at most the frames there are (but
 * at least f) and with every all-to-all count below 2^31 (max_owned: the
 * most correlated pixels one rank receives, n_corr when two-time bins are
 * owned whole; 0 = ceil(n_corr / n_ranks)).  The results do
 * not depend on it (tests scale and identical). */
int64_t xpcs_plan_auto_step(int n_ranks, int64_t npix, int64_t n_corr, int64_t avg, size_t rsz,
                            size_t xsz, int64_t n_frames, int64_t max_owned, double mem_budget);

/* Fills the decomposition and the ledger of the frame pipeline.
 * step_frames 0 = automatic (xpcs_plan_auto_step, with p->mem_budget when
 * the caller has set it). */
void xpcs_plan_decompose(xpcs_plan *p, int n_ranks, int threads, int64_t rows, int64_t cols,
                         int64_t n_corr, xpcs_dtype raw_type, int64_t step_frames,
                         int64_t max_owned);

/* The analysis of cfg (-t): the linear lags and the two-time bins over
 * ranks (rank: this rank, for its two-time columns), their memory in the
 * ledger, checked against the budget (XPCS_ERR_MEMORY naming what to
 * change).  event_file: the raw file holds events. */
xpcs_status xpcs_plan_stages(xpcs_plan *p, const xpcs_config *cfg, const xpcs_qmap *q, int rank,
                             int event_file, xpcs_err *err);

/* Whether the measured occupancy (non-zero pixel-frames / pixel-frames)
 * asks for the event kernel: multitau, or two-time (multitau = 0). */
int xpcs_plan_prefer_sparse(double occupancy, int event_file, int multitau);
/* 1 when --kernel auto needs the occupancy of the first frames. */
int xpcs_plan_needs_occupancy(const xpcs_plan *p, const xpcs_config *cfg);
/* The kernels (--kernel, or auto by occupancy; < 0: not measured), and the
 * two-time series or events they keep, checked against the budget. */
xpcs_status xpcs_plan_kernels(xpcs_plan *p, const xpcs_config *cfg, double occupancy,
                              xpcs_err *err);
/* "dense", "sparse", or "multitau sparse, twotime dense" when they differ. */
void xpcs_plan_kernel_name(const xpcs_plan *p, char *buf, size_t n);

/* Output frames [*first, *first + *count) that rank reads in step. */
void xpcs_plan_rank_frames(const xpcs_plan *p, int64_t step, int rank, int64_t *first,
                           int64_t *count);

/* The ledger item's name ("read_buffer", ...). */
const char *xpcs_mem_item_name(xpcs_mem_item i);
/* Sets one ledger item and the sum. */
void xpcs_plan_mem_set(xpcs_plan *p, xpcs_mem_item i, double bytes);

void xpcs_plan_print(const xpcs_plan *p, FILE *out);
/* JSON text of the plan (one line); free() it. */
char *xpcs_plan_json(const xpcs_plan *p);
void xpcs_plan_free(xpcs_plan *p);

#endif
