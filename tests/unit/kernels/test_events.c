/* Unit tests of kernels/events: frame -> event extraction against a plain
 * scan (every type, block boundaries, frame sizes that are not multiples of
 * a block, empty and full frames), events -> column CSR (the direct and the
 * radix strategies against a brute-force stable sort, with and without a
 * pixel -> column map), the merge of repeated frames (sums, overflow) and
 * the SAXS sums from events against those from the same dense frames
 * (counts past 2^32 in a pixel's segment sum, calls of any size). */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/events.h"
#include "xpcs/kernels/saxs.h"

/* A frame of npix values of type t, a fraction `occ` non-zero (by 1/occ
 * odds), values 1..max; returns it as uint32 in ref too. */
static void *make_frame(xpcs_dtype t, int64_t npix, uint32_t occ_inv, uint32_t max, uint32_t *ref)
{
    const size_t esz = xpcs_dtype_size(t);
    unsigned char *f = calloc((size_t)npix + 8, esz);
    for (int64_t p = 0; p < npix; p++) {
        uint32_t v = occ_inv && next_u32() % occ_inv == 0 ? 1 + next_u32() % max : 0;
        ref[p] = v;
        if (t == XPCS_DT_U8)
            ((uint8_t *)f)[p] = (uint8_t)v;
        else if (t == XPCS_DT_U16)
            ((uint16_t *)f)[p] = (uint16_t)v;
        else
            ((uint32_t *)f)[p] = v;
    }
    return f;
}

static void test_extract(void)
{
    const xpcs_dtype types[3] = {XPCS_DT_U8, XPCS_DT_U16, XPCS_DT_U32};
    const uint32_t maxv[3] = {255, 65535, 100000};
    const int64_t sizes[5] = {1, 31, 256, 1000, 4099};
    const uint32_t occ[4] = {0, 1, 3, 200}; /* none, all, a third, sparse */
    int ok = 1;
    for (int ti = 0; ti < 3; ti++)
        for (int si = 0; si < 5; si++)
            for (int oi = 0; oi < 4; oi++) {
                const int64_t npix = sizes[si];
                uint32_t *ref = malloc(sizeof(uint32_t) * (size_t)npix);
                void *f = make_frame(types[ti], npix, occ[oi], maxv[ti], ref);
                uint32_t *pix = malloc(sizeof(uint32_t) * (size_t)npix);
                uint32_t *cnt = malloc(sizeof(uint32_t) * (size_t)npix);
                int64_t n = xpcs_events_extract(f, types[ti], npix, pix, cnt), k = 0;
                for (int64_t p = 0; p < npix && ok; p++)
                    if (ref[p]) {
                        ok &= k < n && pix[k] == (uint32_t)p && cnt[k] == ref[p];
                        k++;
                    }
                ok &= k == n;
                free(ref);
                free(f);
                free(pix);
                free(cnt);
            }
    test_cond("extraction equals a plain scan (u8/u16/u32, sizes, occupancies)", ok);
}

/* Brute-force column CSR: for each column, its events in input order. */
static int csr_matches(const uint32_t *t, int64_t n, int64_t n_cols, const uint32_t *loc,
                       int64_t loc_lo, const int64_t *ptr, const uint32_t *fr, const uint32_t *ct)
{
    int64_t k = 0;
    for (int64_t c = 0; c < n_cols; c++) {
        if (ptr[c] != k)
            return 0;
        for (int64_t i = 0; i < n; i++) {
            const int64_t col = loc ? loc[t[3 * i] - loc_lo] : t[3 * i];
            if (col != c)
                continue;
            if (fr[k] != t[3 * i + 1] || ct[k] != t[3 * i + 2])
                return 0;
            k++;
        }
    }
    return ptr[n_cols] == n && k == n;
}

static void test_csr(void)
{
    for (int use_loc = 0; use_loc < 2; use_loc++)
        for (int64_t n_cols = 1; n_cols <= 5000; n_cols *= 7) {
            const int64_t n = 3 * n_cols + 17, loc_lo = 100;
            /* columns are pixels loc_lo + 2c when mapped */
            uint32_t *loc = calloc((size_t)(2 * n_cols + 1), sizeof(uint32_t));
            for (int64_t c = 0; c < n_cols; c++)
                loc[2 * c] = (uint32_t)c;
            uint32_t *t = malloc(sizeof(uint32_t) * (size_t)(3 * n + 3));
            for (int64_t i = 0; i < n; i++) {
                const uint32_t c = next_u32() % (uint32_t)n_cols;
                t[3 * i] = use_loc ? (uint32_t)(loc_lo + 2 * c) : c;
                t[3 * i + 1] = (uint32_t)i; /* time order */
                t[3 * i + 2] = 1 + next_u32() % 9;
            }
            uint32_t *orig = malloc(sizeof(uint32_t) * (size_t)(3 * n + 3));
            memcpy(orig, t, sizeof(uint32_t) * (size_t)(3 * n));
            int64_t *p1 = malloc(sizeof(int64_t) * (size_t)(n_cols + 1));
            int64_t *p2 = malloc(sizeof(int64_t) * (size_t)(n_cols + 1));
            uint32_t *fr = malloc(sizeof(uint32_t) * (size_t)(n + 1));
            uint32_t *ct = malloc(sizeof(uint32_t) * (size_t)(n + 1));
            uint32_t *f1, *c1, *f2, *c2, *scratch = NULL;
            int64_t scap = 0;
            const uint32_t *L = use_loc ? loc - loc_lo : NULL;
            xpcs_events_csr(t, n, n_cols, use_loc ? loc : NULL, use_loc ? loc_lo : 0, p1, fr, ct,
                            &f1, &c1, NULL, NULL);
            test_cond("direct CSR leaves the triplets",
                      memcmp(t, orig, sizeof(uint32_t) * (size_t)(3 * n)) == 0);
            test_cond("direct CSR equals a stable sort",
                      csr_matches(orig, n, n_cols, use_loc ? loc : NULL, loc_lo, p1, f1, c1));
            xpcs_events_csr(t, n, n_cols, use_loc ? loc : NULL, use_loc ? loc_lo : 0, p2, NULL,
                            NULL, &f2, &c2, &scratch, &scap);
            test_cond("radix CSR in place", f2 == t && c2 == t + n + 1);
            test_cond("radix CSR equals the direct one",
                      memcmp(p1, p2, sizeof(int64_t) * (size_t)(n_cols + 1)) == 0 &&
                          memcmp(f1, f2, sizeof(uint32_t) * (size_t)n) == 0 &&
                          memcmp(c1, c2, sizeof(uint32_t) * (size_t)n) == 0);
            /* in parts, as the event stream does: keys -> columns and counts
             * part by part, then the CSR of all of them */
            uint32_t *t3 = malloc(sizeof(uint32_t) * (size_t)(3 * n + 3));
            memcpy(t3, orig, sizeof(uint32_t) * (size_t)(3 * n));
            int64_t *p3 = calloc((size_t)(n_cols + 1), sizeof(int64_t));
            for (int64_t a = 0; a < n;) {
                const int64_t k = 1 + next_u32() % (uint32_t)(n / 3 + 1);
                const int64_t m = a + k < n ? k : n - a;
                xpcs_events_columns(t3 + 3 * a, m, use_loc ? loc : NULL, use_loc ? loc_lo : 0, p3);
                a += m;
            }
            uint32_t *f3, *c3;
            xpcs_events_csr_counted(t3, n, n_cols, p3, &f3, &c3, NULL, NULL);
            test_cond("CSR in parts equals the direct one",
                      f3 == t3 && c3 == t3 + n + 1 &&
                          memcmp(p1, p3, sizeof(int64_t) * (size_t)(n_cols + 1)) == 0 &&
                          memcmp(f1, f3, sizeof(uint32_t) * (size_t)n) == 0 &&
                          memcmp(c1, c3, sizeof(uint32_t) * (size_t)n) == 0);
            free(t3);
            free(p3);
            (void)L;
            free(loc);
            free(t);
            free(orig);
            free(p1);
            free(p2);
            free(fr);
            free(ct);
            free(scratch);
        }
}

/* An epoch past 2^20 events: the radix CSR's blocks are shared by the
 * threads (OMP_NUM_THREADS=2 in ctest), and its CSR equals the direct one,
 * itself checked against a stable sort above. */
static void test_csr_threads(void)
{
    const int64_t n_cols = 50000, n = ((int64_t)1 << 20) + 4099;
    uint32_t *t = malloc(sizeof(uint32_t) * (size_t)(3 * n + 3));
    for (int64_t i = 0; i < n; i++) {
        t[3 * i] = next_u32() % (uint32_t)n_cols;
        t[3 * i + 1] = (uint32_t)i;
        t[3 * i + 2] = 1 + next_u32() % 9;
    }
    int64_t *p1 = malloc(sizeof(int64_t) * (size_t)(n_cols + 1));
    int64_t *p2 = calloc((size_t)(n_cols + 1), sizeof(int64_t));
    uint32_t *fr = malloc(sizeof(uint32_t) * (size_t)(n + 1));
    uint32_t *ct = malloc(sizeof(uint32_t) * (size_t)(n + 1));
    uint32_t *f1, *c1, *f2, *c2;
    xpcs_events_csr(t, n, n_cols, NULL, 0, p1, fr, ct, &f1, &c1, NULL, NULL);
    xpcs_events_columns(t, n, NULL, 0, p2);
    xpcs_events_csr_counted(t, n, n_cols, p2, &f2, &c2, NULL, NULL);
    test_cond("radix CSR of 2^20 + 4099 events (threads share the blocks) equals the direct one",
              memcmp(p1, p2, sizeof(int64_t) * (size_t)(n_cols + 1)) == 0 &&
                  memcmp(f1, f2, sizeof(uint32_t) * (size_t)n) == 0 &&
                  memcmp(c1, c2, sizeof(uint32_t) * (size_t)n) == 0);
    free(t);
    free(p1);
    free(p2);
    free(fr);
    free(ct);
}

static void test_merge(void)
{
    /* column 0: frames 1,1,2 (counts 3,4,5); column 1: none; column 2: 7,7,7 */
    int64_t ptr[4] = {0, 3, 3, 6};
    uint32_t fr[6] = {1, 1, 2, 7, 7, 7}, ct[6] = {3, 4, 5, 1, 1, 1}, bad = 0;
    test_cond("merge: no overflow", xpcs_events_merge(ptr, 3, fr, ct, &bad) == 0);
    test_cond("merge: repeated frames summed",
              ptr[0] == 0 && ptr[1] == 2 && ptr[2] == 2 && ptr[3] == 3 && fr[0] == 1 &&
                  ct[0] == 7 && fr[1] == 2 && ct[1] == 5 && fr[2] == 7 && ct[2] == 3);
    /* repeats only from column 1 on: column 0 stays, column 1 merges */
    int64_t q[4] = {0, 2, 5, 6};
    uint32_t fq[6] = {1, 2, 3, 3, 4, 9}, cq[6] = {1, 2, 3, 4, 5, 6};
    test_cond("merge: a later column's repeats",
              xpcs_events_merge(q, 3, fq, cq, &bad) == 0 && q[0] == 0 && q[1] == 2 && q[2] == 4 &&
                  q[3] == 5 && fq[0] == 1 && cq[0] == 1 && fq[1] == 2 && cq[1] == 2 && fq[2] == 3 &&
                  cq[2] == 7 && fq[3] == 4 && cq[3] == 5 && fq[4] == 9 && cq[4] == 6);
    /* no repeats: nothing changes */
    int64_t u[3] = {0, 2, 3};
    uint32_t fu[3] = {1, 2, 2}, cu[3] = {5, 6, 7};
    test_cond("merge: no repeats, nothing moved", xpcs_events_merge(u, 2, fu, cu, &bad) == 0 &&
                                                      u[0] == 0 && u[1] == 2 && u[2] == 3 &&
                                                      fu[2] == 2 && cu[0] == 5 && cu[2] == 7);
    int64_t p2[2] = {0, 3};
    uint32_t f2[3] = {4, 4, 5}, c2[3] = {UINT32_MAX, 2, 1};
    test_cond("merge: overflow reported with its frame",
              xpcs_events_merge(p2, 1, f2, c2, &bad) == 1 && bad == 4);
}

static void test_frame_csr(void)
{
    xpcs_frame_csr f = {0};
    xpcs_frame_csr_reserve(&f, 10, 100);
    for (int i = 0; i < 100; i++) {
        f.pix[i] = (uint32_t)i;
        f.cnt[i] = (uint32_t)(2 * i);
    }
    xpcs_frame_csr_reserve(&f, 5000, 100000);
    int kept = 1;
    for (int i = 0; i < 100; i++)
        kept &= f.pix[i] == (uint32_t)i && f.cnt[i] == (uint32_t)(2 * i);
    test_cond("frame CSR keeps its events when it grows",
              kept && f.cap >= 100000 && f.ptr_cap >= 5001);
    xpcs_frame_csr_free(&f);
    test_cond("frame CSR freed", f.ptr == NULL && f.cap == 0);
}

/* xpcs_saxs_add_events against xpcs_saxs_add_frames on the same uint32
 * frames (integer lanes there, a pixel's uint32 sum and largest count side
 * by side here): image, segment sums, frame sums and largest counts equal
 * bit for bit, with counts near 2^31 that pass 2^32 - 1 within a segment,
 * a mask, events in calls of 1-17 frames and the largest counts asked for
 * halfway (folded, then the run goes on). */
static void test_saxs_events(void)
{
    const int64_t np = 300, nf = 200;
    int32_t mask[300], smap[300];
    for (int64_t p = 0; p < np; p++) {
        mask[p] = p % 11 != 0;
        smap[p] = (int32_t)(p % 6);
    }
    uint32_t *fr = calloc((size_t)(np * nf), sizeof(uint32_t));
    int64_t *ptr = malloc(sizeof(int64_t) * (size_t)(nf + 1));
    uint32_t *pix = malloc(sizeof(uint32_t) * (size_t)(np * nf));
    uint32_t *cnt = malloc(sizeof(uint32_t) * (size_t)(np * nf));
    ptr[0] = 0;
    for (int64_t f = 0; f < nf; f++) {
        int64_t n = ptr[f];
        for (int64_t p = 0; p < np; p++) {
            uint32_t v = next_u32() % 7 == 0 ? 1 + next_u32() % 5 : 0;
            if (p % 37 == 0 && next_u32() % 3 == 0)
                v = 0x80000000u + next_u32() % 1000; /* three pass 2^32 */
            fr[f * np + p] = v;
            if (v) {
                pix[n] = (uint32_t)p;
                cnt[n++] = v;
            }
        }
        ptr[f + 1] = n;
    }
    xpcs_saxs *a = xpcs_saxs_create(np, nf, mask, smap, 5);
    xpcs_saxs *b = xpcs_saxs_create(np, nf, mask, smap, 5);
    double *fa = calloc((size_t)nf, sizeof(double)), *fb = calloc((size_t)nf, sizeof(double));
    xpcs_saxs_add_frames(a, fr, XPCS_DT_U32, nf, 0, fa);
    int asked = 0, same_half = 1;
    for (int64_t f = 0; f < nf;) {
        int64_t n = 1 + next_u32() % 17;
        n = f + n > nf ? nf - f : n;
        xpcs_saxs_add_events(b, f, n, ptr + f, pix, cnt, fb + f);
        f += n;
        if (!asked && f >= nf / 2) { /* folded halfway, then more events */
            asked = 1;
            const double *mb = xpcs_saxs_pixel_max(b);
            for (int64_t p = 0; p < np; p++) {
                uint32_t m = 0;
                for (int64_t g = 0; g < f; g++)
                    m = fr[g * np + p] > m ? fr[g * np + p] : m;
                same_half &= mb[p] == (double)m;
            }
        }
    }
    test_cond("saxs events: the largest counts asked for halfway", asked && same_half);
    xpcs_saxs_flush(a);
    xpcs_saxs_flush(b);
    int64_t na, nb;
    const double *sa = xpcs_saxs_segment_sum(a, &na), *sb = xpcs_saxs_segment_sum(b, &nb);
    int same_img = 1, same_seg = na == nb, same_max = 1, same_fs = 1, past = 0;
    const double *ia = xpcs_saxs_image_sum(a), *ib = xpcs_saxs_image_sum(b);
    const double *ma = xpcs_saxs_pixel_max(a), *mb = xpcs_saxs_pixel_max(b);
    for (int64_t p = 0; p < np; p++) {
        same_img &= ia[p] == ib[p];
        same_max &= ma[p] == mb[p];
        past |= ib[p] > 3.0 * 4294967295.0;
    }
    for (int64_t k = 0; k < na && same_seg; k++)
        same_seg &= sa[k] == sb[k];
    for (int64_t f = 0; f < nf; f++)
        same_fs &= fa[f] == fb[f];
    test_cond("saxs events: image sums equal the dense frames' (past 2^32 a pixel)",
              same_img && past);
    test_cond("saxs events: segment sums equal", same_seg);
    test_cond("saxs events: frame sums (masked) equal", same_fs);
    test_cond("saxs events: largest counts equal", same_max);
    xpcs_saxs_destroy(&a);
    xpcs_saxs_destroy(&b);
    free(fa);
    free(fb);
    free(fr);
    free(ptr);
    free(pix);
    free(cnt);
}

int main(void)
{
    test_extract();
    test_saxs_events();
    test_csr();
    test_csr_threads();
    test_merge();
    test_frame_csr();
    return test_report();
}
