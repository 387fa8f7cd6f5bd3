#include "xpcs/plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "xpcs/kernels/multitau.h"

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
    int64_t unit = stride * avg;
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

void xpcs_plan_decompose(xpcs_plan *p, int n_ranks, int threads, int64_t rows, int64_t cols,
                         int64_t n_corr, xpcs_dtype raw_type, int64_t step_frames)
{
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
    if (step_frames <= 0) {
        /* bytes that one output frame costs across all ranks together */
        double per_frame = (double)p->avg * (double)npix * (double)rsz + (double)npix * 8.0 +
                           2.0 * (double)n_corr * (double)xsz;
        const double budget = 256.0 * 1024 * 1024;
        step_frames = 1;
        while (step_frames < 1024 && 2.0 * (double)step_frames * per_frame <= budget &&
               2 * step_frames * (n_corr > 0 ? n_corr : 1) < INT32_MAX)
            step_frames *= 2;
    }
    p->step_frames = step_frames;
    p->n_steps = (p->n_frames + step_frames - 1) / step_frames;
    free(p->pix_first);
    p->pix_first = xpcs_malloc(sizeof(int64_t) * (size_t)(n_ranks + 1));
    for (int r = 0; r <= n_ranks; r++)
        p->pix_first[r] = n_corr * r / n_ranks;
    /* Memory of the largest rank: step buffers + kernel state + SAXS. */
    int64_t own = (n_corr + n_ranks - 1) / n_ranks;
    int64_t fr = (step_frames + n_ranks - 1) / n_ranks;
    double m = 0;
    m += (double)fr * p->avg * npix * rsz;                         /* read buffer */
    m += p->avg > 1 ? (double)fr * npix * xsz : 0;                 /* summed frames */
    m += (double)fr * n_corr * xsz;                                /* send buffer */
    m += (double)step_frames * own * xsz;                          /* receive buffer */
    m += (double)own * xpcs_multitau_bytes_per_pixel(p->n_frames); /* multitau state */
    m += (double)own * (3 * 8 + 8);                                /* per-delay G2/IP/IF + labels */
    m += (double)npix * (8 * 3 + 4 * 3);                           /* SAXS sums, qmap arrays */
    m += (double)p->n_frames * 8 * 2;                              /* frame sums */
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
    fprintf(out, "plan: memory estimate %.1f MiB per rank (budget %.1f MiB)\n",
            p->mem_per_rank / 1048576.0, p->mem_budget / 1048576.0);
}

char *xpcs_plan_json(const xpcs_plan *p)
{
    size_t cap = 1024 + (size_t)p->n_ranks * 48;
    char *s = xpcs_malloc(cap);
    int n =
        snprintf(s, cap,
                 "{\"n_ranks\": %d, \"threads_per_rank\": %d, \"n_raw_frames\": %lld, "
                 "\"begin\": %lld, \"end\": %lld, \"stride\": %lld, \"avg\": %lld, "
                 "\"n_frames\": %lld, \"step_frames\": %lld, \"n_steps\": %lld, "
                 "\"rows\": %lld, \"cols\": %lld, \"n_corr_pixels\": %lld, "
                 "\"raw_type\": \"%s\", \"xfer_type\": \"%s\", \"mem_per_rank_bytes\": %.0f, "
                 "\"pixel_first\": [",
                 p->n_ranks, p->threads_per_rank, (long long)p->n_raw_frames, (long long)p->begin,
                 (long long)p->end, (long long)p->stride, (long long)p->avg, (long long)p->n_frames,
                 (long long)p->step_frames, (long long)p->n_steps, (long long)p->rows,
                 (long long)p->cols, (long long)p->n_corr, xpcs_dtype_name(p->raw_type),
                 xpcs_dtype_name(p->xfer_type), p->mem_per_rank);
    for (int r = 0; r <= p->n_ranks && n > 0 && (size_t)n < cap; r++)
        n += snprintf(s + n, cap - (size_t)n, "%s%lld", r ? ", " : "", (long long)p->pix_first[r]);
    if (n > 0 && (size_t)n < cap)
        snprintf(s + n, cap - (size_t)n, "]}");
    return s;
}

void xpcs_plan_free(xpcs_plan *p)
{
    free(p->pix_first);
    p->pix_first = NULL;
}
