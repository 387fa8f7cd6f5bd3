/* rigaku_steps: word cuts and decoding of Rigaku event files (see
 * include/xpcs/io/rigaku_steps.h). */
#include "xpcs/io/rigaku_steps.h"

#include <string.h>

/* Rank 0: the cut at output frame F, each module searched between the
 * words of cuts a and b (a[0] <= F <= b[0]). */
static xpcs_status cut_at(xpcs_rigaku *r, const xpcs_plan *p, int64_t F, const int64_t *a,
                          const int64_t *b, int64_t *out, xpcs_err *err)
{
    out[0] = F;
    return xpcs_rigaku_lower_bounds(r, p->begin + F * p->stride * p->avg, a + 2, b + 2, out + 2,
                                    &out[1], err);
}

/* Rank 0: narrows cuts a (a[1] <= limit) and b (b[1] > limit) until
 * b[0] = a[0] + 1: a is then the last frame whose words stay within
 * limit. */
static xpcs_status cut_narrow(xpcs_rigaku *r, const xpcs_plan *p, int64_t limit, int64_t *a,
                              int64_t *b, int64_t *tmp, xpcs_err *err)
{
    const size_t row = sizeof(int64_t) * (size_t)XPCS_RIGAKU_CUT(xpcs_rigaku_n_modules(r));
    while (b[0] - a[0] > 1) {
        xpcs_status st = cut_at(r, p, a[0] + (b[0] - a[0]) / 2, a, b, tmp, err);
        if (st)
            return st;
        memcpy(tmp[1] <= limit ? a : b, tmp, row);
    }
    return XPCS_OK;
}

xpcs_status xpcs_rigaku_first_cut(xpcs_rigaku *r, const xpcs_plan *p, int64_t *cut, int64_t *tmp,
                                  xpcs_err *err)
{
    const int nm = xpcs_rigaku_n_modules(r);
    memset(tmp, 0, sizeof(int64_t) * (size_t)XPCS_RIGAKU_CUT(nm));
    for (int m = 0; m < nm; m++)
        tmp[2 + m] = xpcs_rigaku_n_words(r, m);
    memset(cut, 0, sizeof(int64_t) * (size_t)XPCS_RIGAKU_CUT(nm));
    return cut_at(r, p, 0, cut, tmp, cut, err);
}

xpcs_status xpcs_rigaku_plan_step(xpcs_rigaku *r, const xpcs_plan *p, int n_ranks,
                                  int64_t max_frames, int64_t words_per_rank, int64_t *cut,
                                  int64_t *tmp, xpcs_err *err)
{
    const int nm = xpcs_rigaku_n_modules(r), K = XPCS_RIGAKU_CUT(nm), R = n_ranks;
    const size_t row = sizeof(int64_t) * (size_t)K;
    int64_t *c0 = cut, *end = cut + (int64_t)R * K, *a = tmp, *b = tmp + K, *t = tmp + 2 * K;
    const int64_t F0 = c0[0];
    const int64_t F1 = F0 + max_frames < p->n_frames ? F0 + max_frames : p->n_frames;
    /* the step's end: all frames up to F1, or fewer within the word limit */
    memcpy(b, c0, row);
    for (int m = 0; m < nm; m++)
        b[2 + m] = xpcs_rigaku_n_words(r, m);
    xpcs_status st = cut_at(r, p, F1, c0, b, end, err);
    const int64_t limit = c0[1] + words_per_rank * R;
    if (!st && end[1] > limit && F1 > F0 + 1) {
        st = cut_at(r, p, F0 + 1, c0, end, a, err);
        if (!st && a[1] <= limit) {
            memcpy(b, end, row);
            st = cut_narrow(r, p, limit, a, b, t, err);
        }
        if (!st)
            memcpy(end, a, row);
    }
    /* rank k's first frame: the cut nearest to k / R of the step's words */
    for (int k = 1; k < R && !st; k++) {
        int64_t *ck = cut + (int64_t)k * K, *prev = ck - K;
        const int64_t target = c0[1] + (end[1] - c0[1]) * k / R;
        const int64_t *pick = prev[1] >= target ? prev : end;
        if (prev[1] < target && end[1] > target) {
            memcpy(a, prev, row);
            memcpy(b, end, row);
            st = cut_narrow(r, p, target, a, b, t, err);
            pick = target - a[1] <= b[1] - target ? a : b;
        }
        memcpy(ck, pick, row);
    }
    return st;
}

/* One module's words of this rank, being read frame by frame. */
typedef struct {
    int64_t i, end; /* next word, end of the module's words (in words[]) */
    int64_t first;  /* file index of words[0]: file word = first + i */
    int64_t cur;    /* raw frame being read, -1 before the first */
    int use;        /* it is a used one (stride) */
    int64_t origin; /* canvas pixel of module pixel 0 */
    uint32_t offset;
    const char *path;
} ev_module;

static xpcs_status pixel_error(const xpcs_plan *p, const ev_module *md, uint64_t wd, int64_t i,
                               xpcs_err *err)
{
    if (p->rows == XPCS_RIGAKU_ROWS)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: event word %lld: pixel index %u outside the %d x %d detector",
                         md->path, (long long)(md->first + i), xpcs_rigaku_pixel_of(wd),
                         XPCS_RIGAKU_ROWS, XPCS_RIGAKU_COLS);
    return xpcs_fail(err, XPCS_ERR_INPUT,
                     "%s: event word %lld: pixel index %u outside the %d x %d module "
                     "(expected %u ... %u, offset %u from the file's first word)",
                     md->path, (long long)(md->first + i), xpcs_rigaku_pixel_of(wd),
                     XPCS_RIGAKU_ROWS, XPCS_RIGAKU_COLS, md->offset,
                     md->offset + XPCS_RIGAKU_PIXELS - 1, md->offset);
}

/* Appends module md's events of raw frames before hi (the end of one output
 * frame) to the frame CSR at *n.  Checks: frames in order and inside the
 * rank's raw frames [lo, hi_rank), pixels inside the module; count-0 words
 * only mark the frame count. */
static xpcs_status decode_module(const xpcs_plan *p, ev_module *md, const uint64_t *words,
                                 int64_t hi, int64_t lo, int64_t hi_rank, uint32_t *fpix,
                                 uint32_t *fcnt, int64_t *n_io, xpcs_err *err)
{
    const int64_t cols = p->cols, origin = md->origin;
    const uint32_t offset = md->offset;
    int64_t n = *n_io, i = md->i, cur = md->cur;
    int use = md->use;
    xpcs_status st = XPCS_OK;
    for (; i < md->end; i++) {
        const uint64_t wd = words[i];
        const int64_t f = xpcs_rigaku_frame_of(wd);
        if (f != cur) { /* a new frame: checks, and is it used */
            if (f >= hi)
                break;
            if (f < cur) {
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: event word %lld: frame %lld after frame %lld: expected "
                               "events sorted by frame",
                               md->path, (long long)(md->first + i), (long long)f, (long long)cur);
                break;
            }
            if (f < lo) {
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: event word %lld: frame %lld outside frames [%lld, %lld) "
                               "where the search put it: expected events sorted by frame",
                               md->path, (long long)(md->first + i), (long long)f, (long long)lo,
                               (long long)hi_rank);
                break;
            }
            cur = f;
            use = (f - p->begin) % p->stride == 0;
        }
        const uint32_t q = xpcs_rigaku_pixel_of(wd) - offset, ct = xpcs_rigaku_count_of(wd);
        if (q >= XPCS_RIGAKU_PIXELS) {
            st = pixel_error(p, md, wd, i, err);
            break;
        }
        fpix[n] = (uint32_t)(origin + (int64_t)(q >> 10) * cols + (q & 1023u));
        fcnt[n] = ct;
        n += use & (ct != 0);
    }
    md->i = i;
    md->cur = cur;
    md->use = use;
    *n_io = n;
    return st;
}

xpcs_status xpcs_rigaku_decode_step(const xpcs_rigaku *r, const xpcs_plan *p, const int64_t *ca,
                                    const int64_t *cb, const uint64_t *words, xpcs_frame_csr *f,
                                    xpcs_err *err)
{
    const int nm = xpcs_rigaku_n_modules(r);
    const int64_t u = p->stride * p->avg, fa = ca[0], fb = cb[0], nw = cb[1] - ca[1];
    ev_module md[XPCS_RIGAKU3M_MODULES];
    for (int64_t m = 0, off = 0; m < nm; m++) {
        const int64_t a = ca[2 + m], n = cb[2 + m] - a;
        md[m] = (ev_module){.i = off,
                            .end = off + n,
                            .first = a - off,
                            .cur = -1,
                            .path = xpcs_rigaku_module_path(r, (int)m)};
        xpcs_rigaku_module_place(r, (int)m, &md[m].origin, &md[m].offset);
        off += n;
    }
    /* merge the modules per output frame */
    const int64_t raw_lo = p->begin + fa * u, raw_hi = p->begin + fb * u;
    xpcs_frame_csr_reserve(f, fb - fa, nw);
    f->ptr[0] = 0;
    int64_t n = 0;
    xpcs_status st = XPCS_OK;
    for (int64_t k = fa; k < fb && !st; k++) {
        for (int m = 0; m < nm && !st; m++)
            st = decode_module(p, &md[m], words, p->begin + (k + 1) * u, raw_lo, raw_hi, f->pix,
                               f->cnt, &n, err);
        f->ptr[k - fa + 1] = n;
    }
    for (int m = 0; m < nm && !st; m++)
        if (md[m].i < md[m].end) /* a word past the rank's frames */
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: event word %lld: frame %lld outside frames [%lld, %lld) "
                           "where the search put it: expected events sorted by frame",
                           md[m].path, (long long)(md[m].first + md[m].i),
                           (long long)xpcs_rigaku_frame_of(words[md[m].i]), (long long)raw_lo,
                           (long long)raw_hi);
    return st;
}
