#include "xpcs/plan/qmap.h"

#include <stdlib.h>
#include <string.h>

xpcs_status xpcs_qmap_build(xpcs_qmap *q, const char *what, xpcs_err *err)
{
    q->n_pixels = q->rows * q->cols;
    int32_t max_d = 0, max_s = 0;
    q->n_valid = 0;
    for (int64_t p = 0; p < q->n_pixels; p++) {
        if (q->dmap[p] < 0 || q->smap[p] < 0)
            return xpcs_fail(err, XPCS_ERR_INPUT,
                             "%s: /qmap/%s has a negative label at pixel %lld: expected 0 "
                             "(unused) or a bin number >= 1",
                             what, q->dmap[p] < 0 ? "dynamic_roi_map" : "static_roi_map",
                             (long long)p);
        if (q->dmap[p] > q->n_pixels || q->smap[p] > q->n_pixels) /* bins are arrays */
            return xpcs_fail(err, XPCS_ERR_INPUT,
                             "%s: /qmap/%s has label %d at pixel %lld: expected a bin number "
                             "1..%lld (the detector's pixels)",
                             what, q->dmap[p] > q->n_pixels ? "dynamic_roi_map" : "static_roi_map",
                             q->dmap[p] > q->n_pixels ? q->dmap[p] : q->smap[p], (long long)p,
                             (long long)q->n_pixels);
        q->mask[p] = q->mask[p] != 0;
        if (!q->mask[p]) {
            q->dmap[p] = 0;
            q->smap[p] = 0;
            continue;
        }
        q->n_valid++;
        if (q->dmap[p] > max_d)
            max_d = q->dmap[p];
        if (q->smap[p] > max_s)
            max_s = q->smap[p];
    }
    q->n_dq = max_d;
    q->n_sq = max_s;
    if (q->n_dq == 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: /qmap/dynamic_roi_map has no valid pixel with a bin >= 1 (mask "
                         "applied): nothing to correlate",
                         what);
    /* sq -> dq: the first dq label seen, then a majority vote if the file
     * does not nest cleanly. */
    q->sq_to_dq = xpcs_calloc((size_t)q->n_sq + 1, sizeof(int32_t));
    int conflict = 0;
    for (int64_t p = 0; p < q->n_pixels; p++) {
        int s = q->smap[p], d = q->dmap[p];
        if (s > 0 && d > 0) {
            if (q->sq_to_dq[s] == 0)
                q->sq_to_dq[s] = d;
            else if (q->sq_to_dq[s] != d)
                conflict = 1;
        }
    }
    q->n_nonnested = 0;
    if (conflict) {
        size_t cells = (size_t)(q->n_sq + 1) * (size_t)(q->n_dq + 1);
        if (cells > ((size_t)1 << 27))
            return xpcs_fail(err, XPCS_ERR_INPUT,
                             "%s: static bins do not nest in dynamic bins and there are too many "
                             "(%d x %d) to reassign",
                             what, q->n_sq, q->n_dq);
        int64_t *votes = xpcs_calloc(cells, sizeof(int64_t));
        for (int64_t p = 0; p < q->n_pixels; p++)
            if (q->smap[p] > 0 && q->dmap[p] > 0)
                votes[(size_t)q->smap[p] * (size_t)(q->n_dq + 1) + (size_t)q->dmap[p]]++;
        for (int s = 1; s <= q->n_sq; s++) {
            int64_t best = 0;
            for (int d = 1; d <= q->n_dq; d++) {
                int64_t v = votes[(size_t)s * (size_t)(q->n_dq + 1) + (size_t)d];
                if (v > best) {
                    best = v;
                    q->sq_to_dq[s] = d;
                }
            }
        }
        free(votes);
        for (int64_t p = 0; p < q->n_pixels; p++)
            if (q->smap[p] > 0 && q->dmap[p] > 0 && q->sq_to_dq[q->smap[p]] != q->dmap[p])
                q->n_nonnested++;
    }
    q->n_corr = 0;
    for (int pass = 0; pass < 2; pass++) {
        int64_t n = 0;
        for (int64_t p = 0; p < q->n_pixels; p++) {
            int s = q->smap[p];
            if (q->mask[p] && (q->dmap[p] > 0 || (s > 0 && q->sq_to_dq[s] > 0))) {
                if (pass)
                    q->corr_pixel[n] = p;
                n++;
            }
        }
        if (!pass) {
            q->n_corr = n;
            q->corr_pixel = xpcs_malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
        }
    }
    return XPCS_OK;
}

void xpcs_qmap_free(xpcs_qmap *q)
{
    free(q->mask);
    free(q->dmap);
    free(q->smap);
    free(q->sq_to_dq);
    free(q->corr_pixel);
    memset(q, 0, sizeof *q);
}
