/* Unit tests of kernels/events: frame -> event extraction against a plain
 * scan (every type, block boundaries, frame sizes that are not multiples of
 * a block, empty and full frames), events -> column CSR (the direct and the
 * radix strategies against a brute-force stable sort, with and without a
 * pixel -> column map) and the merge of repeated frames (sums, overflow). */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/events.h"

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

int main(void)
{
    test_extract();
    test_csr();
    test_merge();
    test_frame_csr();
    return test_report();
}
