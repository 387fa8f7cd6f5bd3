#include "xpcs/plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "xpcs/core/sbuf.h"
#include "xpcs/kernels/g2norm.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/plan/linplan.h"
#include "xpcs/plan/ttplan.h"

xpcs_status xpcs_plan_frames(int64_t n_raw, int64_t begin, int64_t end, int64_t stride, int64_t avg,
                             xpcs_plan *p, const char *what, xpcs_err *err)
{
    int64_t b = begin < 0 ? n_raw + begin : begin;
    int64_t e = end == -1 ? n_raw : (end < 0 ? n_raw + end : end);
    if (e > n_raw)
        e = n_raw;
    if (b < 0 || b >= n_raw)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "%s: empty frame range: begin frame %lld is outside the %lld frames", what,
                         (long long)begin, (long long)n_raw);
    int64_t unit; /* -f x -a: past 2^63 it is past every frame range */
    if (stride < 1 || avg < 1 || __builtin_mul_overflow(stride, avg, &unit))
        unit = INT64_MAX;
    int64_t len = e > b ? (e - b) / unit * unit : 0;
    int64_t n = len / unit;
    if (n < 2)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "%s: empty frame range: frames [%lld, %lld) with stride %lld and avg "
                         "%lld give %lld frame(s); at least 2 are needed",
                         what, (long long)b, (long long)e, (long long)stride, (long long)avg,
                         (long long)n);
    p->n_raw_frames = n_raw;
    p->begin = b;
    p->end = b + len;
    p->stride = stride;
    p->avg = avg;
    p->n_frames = n;
    return XPCS_OK;
}

/* The automatic step: f frames per rank, doubled from 1 while one rank's
 * buffers (read + summed + send + receive, both step buffers: 2 f
 * per_frame bytes) stay within 256 MiB, up to 1024, halved while they take
 * more than an eighth of the memory budget but never below what a rank
 * read before (f for all ranks together), times the rank count, so that
 * every rank reads f frames in every step whatever the rank count.  Before,
 * a step held f frames for all ranks together: past f ranks, ranks sat idle
 * in the read, and the all-to-all sent P^2 ever smaller messages in a fixed
 * number of steps (tools/scaling_model.py, README "Scaling").  Capped by
 * the frames there are (never below f) and by the all-to-all's int counts:
 * a rank's send displacement reaches f * n_corr (bounded with f), its
 * receive displacement S * (the pixels it owns): ceil(n_corr / P) for
 * multi-tau and linear, up to n_corr for two-time bins (max_owned). */
int64_t xpcs_plan_auto_step(int n_ranks, int64_t npix, int64_t n_corr, int64_t avg, size_t rsz,
                            size_t xsz, int64_t n_frames, int64_t max_owned, double mem_budget)
{
    /* bytes that one frame of one rank's step costs that rank */
    const double per_frame = (double)avg * (double)npix * (double)rsz + (double)npix * 8.0 +
                             2.0 * (double)n_corr * (double)xsz;
    const double budget = 256.0 * 1024 * 1024;
    const int64_t nc = n_corr > 0 ? n_corr : 1;
    int64_t f = 1;
    while (f < 1024 && 2.0 * (double)f * per_frame <= budget && 2 * f * nc < INT32_MAX)
        f *= 2;
    /* a rank's frames per step: f, halved while its two step buffers take
     * more than an eighth of the memory budget, but never fewer than before
     * (f frames for all ranks together: a run that fitted still fits) */
    const int64_t before = (f + n_ranks - 1) / n_ranks;
    int64_t g = f;
    while (g > before && mem_budget > 0 && 2.0 * (double)g * per_frame > mem_budget / 8)
        g /= 2;
    if (g <= before)
        return f;
    int64_t s = g * n_ranks;
    const int64_t need = n_frames > f ? n_frames : f;
    if (s > need)
        s = need;
    /* a rank receives S frames of the pixels it owns: ceil(n_corr / P), or
     * up to every correlated pixel when it owns two-time bins */
    const int64_t own = max_owned > 0 ? max_owned : (nc + n_ranks - 1) / n_ranks;
    while (s > f && 2 * s * own >= INT32_MAX)
        s = s / 2 > f ? s / 2 : f;
    return s;
}

void xpcs_plan_decompose(xpcs_plan *p, int n_ranks, int threads, int64_t rows, int64_t cols,
                         int64_t n_corr, xpcs_dtype raw_type, int64_t step_frames,
                         int64_t max_owned)
{
    const double mem_budget = p->mem_budget; /* set by the caller, 0 = none */
    p->n_ranks = n_ranks;
    p->threads_per_rank = threads;
    p->rows = rows;
    p->cols = cols;
    p->n_corr = n_corr;
    p->raw_type = raw_type;
    /* What travels between ranks: the raw type, or the sum of avg frames. */
    if (p->avg == 1)
        p->xfer_type = raw_type;
    else if (raw_type != XPCS_DT_U32 && p->avg <= 65537)
        p->xfer_type = XPCS_DT_U32;
    else
        p->xfer_type = XPCS_DT_F64;
    int64_t npix = rows * cols;
    size_t rsz = xpcs_dtype_size(raw_type), xsz = xpcs_dtype_size(p->xfer_type);
    if (step_frames <= 0)
        step_frames = xpcs_plan_auto_step(n_ranks, npix, n_corr, p->avg, rsz, xsz, p->n_frames,
                                          max_owned, mem_budget);
    p->step_frames = step_frames;
    p->n_steps = (p->n_frames + step_frames - 1) / step_frames;
    free(p->pix_first);
    p->pix_first = xpcs_malloc(sizeof(int64_t) * (size_t)(n_ranks + 1));
    for (int r = 0; r <= n_ranks; r++)
        p->pix_first[r] = n_corr * r / n_ranks;
    /* Memory of the largest rank: step buffers + kernel state + SAXS. */
    int64_t own = (n_corr + n_ranks - 1) / n_ranks;
    int64_t fr = (step_frames + n_ranks - 1) / n_ranks;
    memset(p->mem, 0, sizeof p->mem);
    p->mem[XPCS_MEM_READ_BUFFER] = (double)fr * p->avg * npix * rsz;
    p->mem[XPCS_MEM_SUMMED_FRAMES] = p->avg > 1 ? (double)fr * npix * xsz : 0;
    p->mem[XPCS_MEM_SEND_BUFFER] = (double)fr * n_corr * xsz;
    p->mem[XPCS_MEM_RECEIVE_BUFFER] = (double)step_frames * own * xsz;
    p->mem[XPCS_MEM_MULTITAU] =
        (double)own * (xpcs_multitau_bytes_per_pixel(p->n_frames) +
                       xpcs_multitau_stage_bytes_per_pixel(p->n_frames, step_frames, xsz));
    p->mem[XPCS_MEM_DELAY_SUMS] = (double)own * (3 * 8 + 8); /* per-delay G2/IP/IF + labels */
    p->mem[XPCS_MEM_SAXS] = (double)npix * (8 * 3 + 4 * 3);  /* SAXS sums, qmap arrays */
    p->mem[XPCS_MEM_FRAME_SUMS] = (double)p->n_frames * 8 * 2;
    xpcs_plan_mem_set(p, XPCS_MEM_READ_BUFFER, p->mem[XPCS_MEM_READ_BUFFER]);
}

static const char *const mem_names[XPCS_MEM_COUNT] = {
    "read_buffer",    "summed_frames",  "send_buffer", "receive_buffer",
    "multitau_state", "delay_sums",     "saxs_qmap",   "frame_sums",
    "twotime_maps",   "twotime_series", "linear"};

const char *xpcs_mem_item_name(xpcs_mem_item i)
{
    return i >= 0 && i < XPCS_MEM_COUNT ? mem_names[i] : "?";
}

void xpcs_plan_mem_set(xpcs_plan *p, xpcs_mem_item i, double bytes)
{
    p->mem[i] = bytes;
    double m = 0;
    for (int k = 0; k < XPCS_MEM_COUNT; k++)
        m += p->mem[k];
    p->mem_per_rank = m;
}

void xpcs_plan_rank_frames(const xpcs_plan *p, int64_t step, int rank, int64_t *first,
                           int64_t *count)
{
    int64_t lo = step * p->step_frames;
    int64_t hi = lo + p->step_frames < p->n_frames ? lo + p->step_frames : p->n_frames;
    int64_t n = hi - lo;
    int64_t a = lo + n * rank / p->n_ranks, b = lo + n * (rank + 1) / p->n_ranks;
    *first = a;
    *count = b - a;
}

/* ---- stages and kernels ------------------------------------------------ */

/* Two-time: bins over ranks and their memory (the dense series store is
 * counted here only when no event kernel can run). */
static xpcs_status plan_twotime(xpcs_plan *p, const xpcs_config *cfg, const xpcs_qmap *q, int rank,
                                xpcs_err *err)
{
    double bytes;
    int at;
    const int store_later = p->event_file || cfg->kernel != XPCS_KERNEL_DENSE;
    /* a map that does not fit what the budget leaves a rank is split in
     * tiles; the dense series store is fitted too unless only the event
     * kernel can run */
    const double room = p->mem_budget - p->mem_per_rank;
    xpcs_status st = xpcs_ttplan_create(
        cfg, q, p->n_frames, p->n_ranks, rank, p->step_frames, p->xfer_type, store_later,
        cfg->kernel != XPCS_KERNEL_SPARSE, room, &p->twotime, &bytes, &at, err);
    if (st)
        return st;
    const xpcs_ttplan *t = p->twotime;
    char ranks[96] = "more ranks";
    if (t->min_ranks > p->n_ranks) /* 0: splitting the maps would not help */
        snprintf(ranks, sizeof ranks, "more ranks (a map split in tiles needs at least %d)",
                 t->min_ranks);
    /* the maps must fit here; the series store or the events are checked
     * once the kernel is chosen (plan_twotime_kernel), each with its message */
    const double need = bytes;
    if (p->mem_per_rank + need > p->mem_budget)
        return xpcs_fail(err, XPCS_ERR_MEMORY,
                         "%s: two-time needs about %.0f MiB on rank %d (%.0f MiB for %lld x "
                         "%lld maps and the series of its bins), over the budget of %.0f "
                         "MiB: use -a/--avg-frame, fewer bins (-d), %s or --max-memory",
                         cfg->raw, (p->mem_per_rank + need) / 1048576.0, at, need / 1048576.0,
                         (long long)p->n_frames, (long long)p->n_frames, p->mem_budget / 1048576.0,
                         ranks);
    xpcs_plan_mem_set(p, XPCS_MEM_TWOTIME, bytes);
    return XPCS_OK;
}

xpcs_status xpcs_plan_stages(xpcs_plan *p, const xpcs_config *cfg, const xpcs_qmap *q, int rank,
                             int event_file, xpcs_err *err)
{
    const xpcs_analysis a = cfg->analysis;
    p->do_multitau = a == XPCS_ANALYSIS_MULTITAU || a == XPCS_ANALYSIS_BOTH;
    p->do_linear = a == XPCS_ANALYSIS_LINEAR;
    p->do_twotime = a == XPCS_ANALYSIS_TWOTIME || a == XPCS_ANALYSIS_BOTH;
    p->event_file = event_file;
    p->occupancy = -1;
    /* The event pipeline feeds multitau and two-time; linear needs dense
     * frames. */
    if (p->do_linear && event_file)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "%s: -t linear is not available for Rigaku .bin input (multitau, "
                         "twotime or both)",
                         cfg->raw);
    if (!p->do_multitau)
        xpcs_plan_mem_set(p, XPCS_MEM_MULTITAU, 0.0);
    /* per-bin arrays on every rank: the SAXS segments (at most 16) and bin
     * sums, and the multitau bin sums of every delay, so that a q-map with
     * very many bins is refused here, not by an allocation that fails */
    double bins = (double)(q->n_sq + 1) * 8.0 * 18.0;
    if (p->do_multitau)
        bins += xpcs_g2norm_bytes(xpcs_multitau_delays(p->n_frames, NULL, NULL, NULL), q->n_sq,
                                  q->n_dq);
    xpcs_plan_mem_set(p, XPCS_MEM_SAXS, p->mem[XPCS_MEM_SAXS] + bins);
    xpcs_status st = p->do_twotime ? plan_twotime(p, cfg, q, rank, err) : XPCS_OK;
    if (!st && p->do_linear) {
        double bytes;
        snprintf(p->fftw_wisdom, sizeof p->fftw_wisdom, "%s", cfg->fftw_wisdom);
        const int64_t own = (p->n_corr + p->n_ranks - 1) / p->n_ranks;
        st = xpcs_linplan_make(cfg, p->n_frames, own, p->xfer_type, p->threads_per_rank, q,
                               p->mem_per_rank, p->mem_budget, &p->linear, &bytes, err);
        if (!st)
            xpcs_plan_mem_set(p, XPCS_MEM_LINEAR, bytes);
    }
    if (!st && p->mem_per_rank > p->mem_budget)
        st = xpcs_fail(err, XPCS_ERR_MEMORY,
                       "%s: needs about %.0f MiB per rank, over the budget of %.0f MiB: use "
                       "more ranks, -a/--avg-frame, or --max-memory",
                       cfg->raw, p->mem_per_rank / 1048576.0, p->mem_budget / 1048576.0);
    return st;
}

int xpcs_plan_prefer_sparse(double occupancy, int event_file, int multitau)
{
    /* Multitau: crossover measured on 256 x 256 uint16 frames, 2 ranks: the
     * event kernel wins below about 4 % non-zero pixel-frames (2 %: 6.5e8
     * vs 3.9e8 pixel-frames/s), the register-blocked dense kernel above
     * (9.4 %: 3.1e8 vs 6.5e8).  Event files start as events, so the event
     * kernel wins up to a much higher occupancy. */
    if (multitau)
        return occupancy >= 0 && occupancy < (event_file ? 0.25 : 0.03);
    /* Two-time: the event kernel's pairs cost about n occ^2 N^2 / 2
     * scattered adds against the dense products' n N^2 flops at dgemm speed,
     * so the crossover is an occupancy.  tools/bench_sparse_twotime.sh
     * (2000 frames, 10 bins, 2 cores): at 256 x 256 the event kernel is 80x
     * faster at 1e-3, 2.7x at 1e-1, 1.2x slower at 0.2; at 128 x 128 even
     * at 1e-1, 1.3x slower at 0.2.  Event files too: the dense kernel is
     * then fed from the events. */
    return occupancy >= 0 && occupancy < 0.1;
}

int xpcs_plan_needs_occupancy(const xpcs_plan *p, const xpcs_config *cfg)
{
    return !p->do_linear && cfg->kernel == XPCS_KERNEL_AUTO;
}

/* Two-time memory once its kernel is chosen: the dense series store that
 * plan_twotime left out when the dense kernel runs after all; or the events
 * the event kernel keeps instead, 20 bytes each (12 while streaming, 8 more
 * in CSR), estimated from the measured occupancy against the store's 4-byte
 * counts (not measured: not planned). */
static xpcs_status plan_twotime_kernel(xpcs_plan *p, const xpcs_config *cfg, xpcs_err *err)
{
    const int sparse = p->sparse_twotime;
    const int store_later = p->event_file || cfg->kernel != XPCS_KERNEL_DENSE;
    if (!p->twotime || (sparse ? !(p->occupancy > 0) : !store_later))
        return XPCS_OK;
    double bytes;
    int at;
    xpcs_ttplan_store_bytes(p->twotime, &bytes, &at);
    if (sparse)
        bytes *= p->occupancy * 20.0 / 4.0;
    if (p->mem_per_rank + bytes > p->mem_budget)
        return xpcs_fail(err, XPCS_ERR_MEMORY,
                         "%s: the %s two-time kernel needs about %.0f MiB more on rank %d for the "
                         "%s of its bins, over the budget of %.0f MiB: use %s-a/--avg-frame, fewer "
                         "bins (-d), more ranks or --max-memory",
                         cfg->raw, sparse ? "event" : "dense", bytes / 1048576.0, at,
                         sparse ? "events" : "series", p->mem_budget / 1048576.0,
                         sparse ? "" : "--kernel sparse, ");
    xpcs_plan_mem_set(p, XPCS_MEM_TWOTIME_SERIES, bytes);
    return XPCS_OK;
}

xpcs_status xpcs_plan_kernels(xpcs_plan *p, const xpcs_config *cfg, double occupancy, xpcs_err *err)
{
    /* both as --kernel says, or each by the measured occupancy (auto);
     * either event kernel puts the run on the event pipeline, the other
     * kernel is then fed dense frames from it */
    const int events_ok = !p->do_linear;
    int sparse_mt = events_ok && cfg->kernel == XPCS_KERNEL_SPARSE;
    int sparse_tt = sparse_mt;
    p->occupancy = occupancy;
    if (events_ok && cfg->kernel == XPCS_KERNEL_AUTO) {
        sparse_mt = xpcs_plan_prefer_sparse(occupancy, p->event_file, 1);
        sparse_tt = xpcs_plan_prefer_sparse(occupancy, p->event_file, 0);
    }
    if (cfg->num_partial_g2 > 0 && p->do_multitau) {
        /* -np: partial g2 come from the dense kernel's state at segment ends */
        if (p->event_file)
            return xpcs_fail(err, XPCS_ERR_USAGE,
                             "-np/--num-partial-g2: needs frames (HDF5 input); %s is an event "
                             "file",
                             cfg->raw);
        if (cfg->num_partial_g2 > p->n_frames)
            return xpcs_fail(err, XPCS_ERR_USAGE,
                             "-np/--num-partial-g2 %d: more segments than the %lld frames",
                             cfg->num_partial_g2, (long long)p->n_frames);
        sparse_mt = sparse_tt = 0;
    }
    p->sparse_multitau = sparse_mt && p->do_multitau;
    p->sparse_twotime = sparse_tt && p->do_twotime;
    p->events = p->sparse_multitau || p->sparse_twotime || p->event_file;
    p->kernels_chosen = 1;
    return plan_twotime_kernel(p, cfg, err);
}

void xpcs_plan_kernel_name(const xpcs_plan *p, char *buf, size_t n)
{
    if (p->do_multitau && p->do_twotime && p->sparse_multitau != p->sparse_twotime)
        snprintf(buf, n, "multitau %s, twotime %s", p->sparse_multitau ? "sparse" : "dense",
                 p->sparse_twotime ? "sparse" : "dense");
    else
        snprintf(buf, n, "%s", p->sparse_multitau || p->sparse_twotime ? "sparse" : "dense");
}

/* ---- printing ----------------------------------------------------------- */

void xpcs_plan_print(const xpcs_plan *p, FILE *out)
{
    fprintf(out, "plan: %d rank(s) x %d thread(s)\n", p->n_ranks, p->threads_per_rank);
    fprintf(out, "plan: raw frames [%lld, %lld) of %lld, stride %lld, avg %lld -> %lld frames\n",
            (long long)p->begin, (long long)p->end, (long long)p->n_raw_frames,
            (long long)p->stride, (long long)p->avg, (long long)p->n_frames);
    fprintf(out, "plan: %lld step(s) of %lld frames; each step's frames split evenly over ranks\n",
            (long long)p->n_steps, (long long)p->step_frames);
    fprintf(out, "plan: detector %lld x %lld, %s, %lld correlated pixels, moved as %s\n",
            (long long)p->rows, (long long)p->cols, xpcs_dtype_name(p->raw_type),
            (long long)p->n_corr, xpcs_dtype_name(p->xfer_type));
    for (int r = 0; r < p->n_ranks; r++) {
        int64_t f, n;
        xpcs_plan_rank_frames(p, 0, r, &f, &n);
        fprintf(out, "plan:   rank %d owns pixels [%lld, %lld) (%lld), reads %lld frames/step\n", r,
                (long long)p->pix_first[r], (long long)p->pix_first[r + 1],
                (long long)(p->pix_first[r + 1] - p->pix_first[r]), (long long)n);
    }
    if (p->do_linear) {
        const xpcs_g2lin_geom *g = &p->linear;
        fprintf(out,
                "plan: linear: lags 1..%lld; %s of %lld frames, FFT length %lld in batches of %d; "
                "FFTW planner: %s%s%s\n",
                (long long)g->max_lag, g->single ? "one block" : "blocks", (long long)g->block,
                (long long)g->fft_len, XPCS_G2LIN_BATCH, p->fftw_wisdom[0] ? "wisdom" : "estimate",
                p->fftw_wisdom[0] ? " " : "", p->fftw_wisdom);
    }
    if (p->twotime)
        xpcs_ttplan_print(p->twotime, out);
    if (p->kernels_chosen) {
        char k[64];
        xpcs_plan_kernel_name(p, k, sizeof k);
        fprintf(out, "plan: kernels: %s; %s pipeline", k, p->events ? "event" : "frame");
        if (p->occupancy >= 0)
            fprintf(out, "; occupancy %.3g in the first frames", p->occupancy);
        fprintf(out, "\n");
    }
    fprintf(out, "plan: memory per rank:");
    for (int i = 0; i < XPCS_MEM_COUNT; i++)
        if (p->mem[i] > 0)
            fprintf(out, " %s %.1f MiB,", mem_names[i], p->mem[i] / 1048576.0);
    fprintf(out, " in all\n");
    fprintf(out, "plan: memory estimate %.1f MiB per rank (budget %.1f MiB)\n",
            p->mem_per_rank / 1048576.0, p->mem_budget / 1048576.0);
}

char *xpcs_plan_json(const xpcs_plan *p)
{
    xpcs_sbuf *b = xpcs_sbuf_create();
    xpcs_sbuf_printf(b,
                     "{\"n_ranks\": %d, \"threads_per_rank\": %d, \"n_raw_frames\": %lld, "
                     "\"begin\": %lld, \"end\": %lld, \"stride\": %lld, \"avg\": %lld, "
                     "\"n_frames\": %lld, \"step_frames\": %lld, \"n_steps\": %lld, "
                     "\"rows\": %lld, \"cols\": %lld, \"n_corr_pixels\": %lld, "
                     "\"raw_type\": \"%s\", \"xfer_type\": \"%s\", \"mem_per_rank_bytes\": %.0f, "
                     "\"pixel_first\": [",
                     p->n_ranks, p->threads_per_rank, (long long)p->n_raw_frames,
                     (long long)p->begin, (long long)p->end, (long long)p->stride,
                     (long long)p->avg, (long long)p->n_frames, (long long)p->step_frames,
                     (long long)p->n_steps, (long long)p->rows, (long long)p->cols,
                     (long long)p->n_corr, xpcs_dtype_name(p->raw_type),
                     xpcs_dtype_name(p->xfer_type), p->mem_per_rank);
    for (int r = 0; r <= p->n_ranks; r++)
        xpcs_sbuf_printf(b, "%s%lld", r ? ", " : "", (long long)p->pix_first[r]);
    xpcs_sbuf_printf(b, "], \"mem_budget_bytes\": %.0f, \"memory_bytes\": {", p->mem_budget);
    for (int i = 0; i < XPCS_MEM_COUNT; i++)
        xpcs_sbuf_printf(b, "%s\"%s\": %.0f", i ? ", " : "", mem_names[i], p->mem[i]);
    xpcs_sbuf_printf(b, "}, \"multitau\": %s, \"linear\": %s, \"twotime\": %s",
                     p->do_multitau ? "true" : "false", p->do_linear ? "true" : "false",
                     p->do_twotime ? "true" : "false");
    if (p->kernels_chosen)
        xpcs_sbuf_printf(b,
                         ", \"kernels\": {\"multitau\": \"%s\", \"twotime\": \"%s\", "
                         "\"pipeline\": \"%s\", \"occupancy\": %.17g}",
                         !p->do_multitau      ? "none"
                         : p->sparse_multitau ? "sparse"
                                              : "dense",
                         !p->do_twotime      ? "none"
                         : p->sparse_twotime ? "sparse"
                                             : "dense",
                         p->events ? "event" : "frame", p->occupancy);
    if (p->do_linear)
        xpcs_sbuf_printf(b,
                         ", \"linear_lags\": {\"max_lag\": %lld, \"block_frames\": %lld, "
                         "\"fft_length\": %lld, \"one_block\": %d}",
                         (long long)p->linear.max_lag, (long long)p->linear.block,
                         (long long)p->linear.fft_len, p->linear.single);
    if (p->twotime) {
        char *tt = xpcs_ttplan_json(p->twotime);
        xpcs_sbuf_printf(b, ", \"twotime_bins\": %s", tt);
        free(tt);
    }
    xpcs_sbuf_add(b, "}");
    return xpcs_sbuf_take(&b);
}

void xpcs_plan_free(xpcs_plan *p)
{
    free(p->pix_first);
    p->pix_first = NULL;
    xpcs_ttplan_destroy(&p->twotime);
}
