/* events: frame -> event extraction, events -> column CSR (see
 * include/xpcs/kernels/events.h). */
#include "xpcs/kernels/events.h"

#include <stdlib.h>
#include <string.h>

void xpcs_frame_csr_reserve(xpcs_frame_csr *f, int64_t n_frames, int64_t n_events)
{
    /* the frame pointers are rewritten: not kept */
    f->ptr = xpcs_grow(f->ptr, &f->ptr_cap, n_frames + 1, sizeof(int64_t));
    if (n_events > f->cap) {
        int64_t cap = f->cap;
        f->pix = xpcs_grow_keep(f->pix, &cap, n_events, sizeof(uint32_t));
        cap = f->cap;
        f->cnt = xpcs_grow_keep(f->cnt, &cap, n_events, sizeof(uint32_t));
        f->cap = cap;
    }
}

void xpcs_frame_csr_free(xpcs_frame_csr *f)
{
    free(f->ptr);
    free(f->pix);
    free(f->cnt);
    memset(f, 0, sizeof *f);
}

/* Appends the non-zero pixels of one frame of npix values, in ascending
 * order.  256-byte blocks of zeros are skipped with one test (OR of 32
 * words loaded straight from the frame: no copy of the block); in the other
 * blocks each non-zero 8-byte word appends its values without branches (a
 * zero value is written and overwritten by the next), so pix and cnt need
 * room for npix values.  Measured on 1 MiB frames just read from the page
 * cache: 20 % faster than 64-byte blocks with a branch per value at 1e-3
 * non-zero values, 4x at 0.5 (no mispredicted branches). */
#define EXTRACT(TYPE)                                                                              \
    do {                                                                                           \
        const TYPE *x = (const TYPE *)frame;                                                       \
        const int64_t L = 8 / (int64_t)sizeof(TYPE), B = 32 * L;                                   \
        int64_t p0 = 0;                                                                            \
        for (; p0 + B <= npix; p0 += B) {                                                          \
            uint64_t o = 0;                                                                        \
            for (int64_t q = 0; q < B; q += L) {                                                   \
                uint64_t w;                                                                        \
                memcpy(&w, x + p0 + q, sizeof w);                                                  \
                o |= w;                                                                            \
            }                                                                                      \
            if (!o)                                                                                \
                continue;                                                                          \
            for (int64_t q = p0; q < p0 + B; q += L) {                                             \
                uint64_t w;                                                                        \
                memcpy(&w, x + q, sizeof w);                                                       \
                if (!w)                                                                            \
                    continue;                                                                      \
                for (int64_t p = q; p < q + L; p++) {                                              \
                    pix[n] = (uint32_t)p;                                                          \
                    cnt[n] = (uint32_t)x[p];                                                       \
                    n += x[p] != 0;                                                                \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (int64_t p = p0; p < npix; p++)                                                        \
            if (x[p]) {                                                                            \
                pix[n] = (uint32_t)p;                                                              \
                cnt[n] = (uint32_t)x[p];                                                           \
                n++;                                                                               \
            }                                                                                      \
    } while (0)

int64_t xpcs_events_extract(const void *frame, xpcs_dtype t, int64_t npix, uint32_t *pix,
                            uint32_t *cnt)
{
    int64_t n = 0;
    if (t == XPCS_DT_U8)
        EXTRACT(uint8_t);
    else if (t == XPCS_DT_U16)
        EXTRACT(uint16_t);
    else
        EXTRACT(uint32_t);
    return n;
}

/* Out of place: one stable counting sort (the triplets are read twice). */
static void csr_direct(const uint32_t *t, int64_t n, int64_t n_cols, const uint32_t *loc,
                       int64_t loc_lo, int64_t *ptr, uint32_t *frame, uint32_t *count)
{
    memset(ptr, 0, sizeof(int64_t) * (size_t)(n_cols + 1));
    for (int64_t i = 0; i < n; i++)
        ptr[(loc ? loc[t[3 * i] - loc_lo] : t[3 * i]) + 1]++;
    for (int64_t k = 0; k < n_cols; k++)
        ptr[k + 1] += ptr[k];
    int64_t *pos = xpcs_malloc(sizeof(int64_t) * (size_t)(n_cols + 1));
    memcpy(pos, ptr, sizeof(int64_t) * (size_t)(n_cols + 1));
    for (int64_t i = 0; i < n; i++) {
        const uint32_t *d = t + 3 * i;
        const int64_t q = pos[loc ? loc[d[0] - loc_lo] : d[0]]++;
        frame[q] = d[1];
        count[q] = d[2];
    }
    free(pos);
}

void xpcs_events_columns(uint32_t *t, int64_t n, const uint32_t *loc, int64_t loc_lo,
                         int64_t *counts)
{
    for (int64_t i = 0; i < n; i++) { /* key -> column, in place */
        const uint32_t j = loc ? loc[t[3 * i] - loc_lo] : t[3 * i];
        t[3 * i] = j;
        counts[j + 1]++;
    }
}

/* In place: two passes of a radix partition, by block of CSR_BLOCK columns
 * into the scratch (few write streams), then within each block by column (a
 * block's events fit in L2): random writes over the whole epoch, with their
 * cache and TLB misses, become local. */
#define CSR_BLOCK 2048
void xpcs_events_csr_counted(uint32_t *t, int64_t n, int64_t n_cols, int64_t *ptr,
                             uint32_t **frame_out, uint32_t **count_out, uint32_t **scratch,
                             int64_t *scratch_cap)
{
    const int64_t nb = n_cols / CSR_BLOCK + 1;
    int64_t *bptr = xpcs_calloc((size_t)nb + 1, sizeof(int64_t));
    for (int64_t p = 0; p < n_cols; p++)
        bptr[p / CSR_BLOCK + 1] += ptr[p + 1];
    for (int64_t b = 0; b < nb; b++)
        bptr[b + 1] += bptr[b];
    ptr[0] = 0;
    for (int64_t p = 0; p < n_cols; p++)
        ptr[p + 1] += ptr[p];
    uint32_t *own = NULL; /* no scratch given: a temporary one */
    int64_t own_cap = 0;
    if (!scratch || !scratch_cap) {
        scratch = &own;
        scratch_cap = &own_cap;
    }
    *scratch = xpcs_grow(*scratch, scratch_cap, 3 * n + 3, sizeof(uint32_t));
    uint32_t *pt = *scratch;
    int64_t *bpos = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    memcpy(bpos, bptr, sizeof(int64_t) * (size_t)nb);
    for (int64_t i = 0; i < n; i++) {
        uint32_t *d = pt + 3 * bpos[t[3 * i] / CSR_BLOCK]++;
        d[0] = t[3 * i];
        d[1] = t[3 * i + 1];
        d[2] = t[3 * i + 2];
    }
    free(bpos);
    /* within a block: its columns' CSR slots are one contiguous range; the
     * frames and counts go to t, read completely above */
    uint32_t *cfr = t, *cct = t + n + 1;
    /* the blocks are independent (each its own bucket and CSR range): the
     * rank's threads share them (the places do not depend on who fills them) */
    const int64_t nb_cols = (n_cols + CSR_BLOCK - 1) / CSR_BLOCK;
#pragma omp parallel if (n > ((int64_t)1 << 20))
    {
        int64_t pos[CSR_BLOCK];
#pragma omp for schedule(dynamic, 4)
        for (int64_t b = 0; b < nb_cols; b++) {
            const int64_t p0 = b * CSR_BLOCK;
            const int64_t np = n_cols - p0 < CSR_BLOCK ? n_cols - p0 : CSR_BLOCK;
            memcpy(pos, ptr + p0, sizeof(int64_t) * (size_t)np);
            for (int64_t i = bptr[b]; i < bptr[b + 1]; i++) {
                const uint32_t *d = pt + 3 * i;
                const int64_t k = pos[d[0] - p0]++;
                cfr[k] = d[1];
                cct[k] = d[2];
            }
        }
    }
    free(bptr);
    free(own);
    *frame_out = cfr;
    *count_out = cct;
}

void xpcs_events_csr(uint32_t *t, int64_t n, int64_t n_cols, const uint32_t *loc, int64_t loc_lo,
                     int64_t *ptr, uint32_t *frame, uint32_t *count, uint32_t **frame_out,
                     uint32_t **count_out, uint32_t **scratch, int64_t *scratch_cap)
{
    if (frame && count) {
        csr_direct(t, n, n_cols, loc, loc_lo, ptr, frame, count);
        *frame_out = frame;
        *count_out = count;
        return;
    }
    memset(ptr, 0, sizeof(int64_t) * (size_t)(n_cols + 1));
    xpcs_events_columns(t, n, loc, loc_lo, ptr);
    xpcs_events_csr_counted(t, n, n_cols, ptr, frame_out, count_out, scratch, scratch_cap);
}

int xpcs_events_merge(int64_t *ptr, int64_t n_cols, uint32_t *frame, uint32_t *count,
                      uint32_t *bad_frame)
{
    int bad = 0;
    /* most epochs repeat no frame within a column (no -a, no repeated
     * words): find the first column that does, reading only; the columns
     * before it stay as they are */
    int64_t p0 = 0;
    for (; p0 < n_cols; p0++) {
        int rep = 0;
        for (int64_t i = ptr[p0] + 1; i < ptr[p0 + 1]; i++)
            rep |= frame[i] == frame[i - 1];
        if (rep)
            break;
    }
    if (p0 == n_cols)
        return 0;
    int64_t w = ptr[p0];
    for (int64_t p = p0; p < n_cols; p++) {
        const int64_t a = ptr[p], b = ptr[p + 1];
        ptr[p] = w;
        for (int64_t i = a; i < b; i++) {
            if (w > ptr[p] && frame[w - 1] == frame[i]) {
                const uint64_t sum = (uint64_t)count[w - 1] + count[i];
                if (sum > UINT32_MAX && !bad) {
                    bad = 1;
                    *bad_frame = frame[i];
                }
                count[w - 1] = (uint32_t)sum;
            }
            else {
                frame[w] = frame[i];
                count[w] = count[i];
                w++;
            }
        }
    }
    ptr[n_cols] = w;
    return bad;
}
