/* Unit test of the event-based multitau kernel: bit-identical G2/IP/IF to
 * the dense kernel on the same random data, for occupancies from 1e-3 to 1,
 * frame counts that are not powers of two, frame scales (normalization),
 * random splits of the run into pushes and 1 or 2 threads; the sums of
 * pixel blocks (both kernels) equal the whole arrays', and g2norm from
 * blocks made on demand equals g2norm from arrays. */
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/kernels/g2norm.h"
#include "xpcs/kernels/mtsparse.h"
#include "xpcs/kernels/multitau.h"

static double next_unit(void)
{
    return (double)next_u32() / 4294967296.0;
}

/* dense [n][npix] uint32 data with about occ non-zero entries; bursts make
 * neighbouring frames non-zero together (products at every level). */
static uint32_t *make_data(int64_t n, int64_t npix, double occ, uint32_t maxc)
{
    uint32_t *x = calloc((size_t)(n * npix), sizeof(uint32_t));
    for (int64_t t = 0; t < n; t++)
        for (int64_t p = 0; p < npix; p++) {
            double u = next_unit();
            int burst = t > 0 && x[(t - 1) * npix + p] && next_unit() < 0.3;
            if (u < occ || burst)
                x[t * npix + p] = 1 + next_u32() % maxc;
        }
    return x;
}

static int same(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, sizeof(double) * n) == 0;
}

static void run_case(int64_t n, int64_t npix, double occ, int scaled, int threads, int max_push,
                     uint32_t maxc)
{
    uint32_t *x = make_data(n, npix, occ, maxc);
    double *scale = malloc(sizeof(double) * (size_t)n);
    for (int64_t t = 0; t < n; t++)
        scale[t] = scaled ? 0.3 + next_unit() * 3.7 : 1.0;
    omp_set_num_threads(threads);
    xpcs_err err;
    xpcs_multitau *mt = NULL;
    xpcs_mtsparse *ms = NULL;
    xpcs_multitau_create(n, npix, &mt, &err);
    xpcs_mtsparse_create(n, npix, &ms, &err);
    xpcs_multitau_push(mt, x, XPCS_DT_U32, n, npix, scaled ? scale : NULL);
    /* random consecutive pushes; CSR of each push's events */
    int64_t f0 = 0, events = 0;
    int64_t *ptr = malloc(sizeof(int64_t) * (size_t)(npix + 1));
    uint32_t *fr = malloc(sizeof(uint32_t) * (size_t)(n * npix + 1));
    uint32_t *ct = malloc(sizeof(uint32_t) * (size_t)(n * npix + 1));
    while (f0 < n) {
        /* max_push 0: the whole run in one push (the exact-integer path
         * when unscaled) */
        int64_t len = max_push > 0 ? 1 + (int64_t)(next_u32() % (uint32_t)max_push) : n;
        if (f0 + len > n)
            len = n - f0;
        int64_t k = 0;
        for (int64_t p = 0; p < npix; p++) {
            ptr[p] = k;
            for (int64_t t = f0; t < f0 + len; t++)
                if (x[t * npix + p]) {
                    fr[k] = (uint32_t)t;
                    ct[k] = x[t * npix + p];
                    k++;
                }
        }
        ptr[npix] = k;
        events += k;
        xpcs_mtsparse_push(ms, f0, len, ptr, fr, ct, scaled ? scale + f0 : NULL);
        f0 += len;
    }
    int nd = xpcs_multitau_n_delays(mt);
    int ok = nd == xpcs_mtsparse_n_delays(ms) &&
             memcmp(xpcs_multitau_delay_list(mt), xpcs_mtsparse_delay_list(ms),
                    sizeof(int64_t) * (size_t)nd) == 0;
    double *a = malloc(sizeof(double) * 6 * (size_t)npix);
    double *b = a + 3 * npix;
    int bad_j = -1;
    for (int j = 0; j < nd && ok; j++) {
        xpcs_status s1 = xpcs_multitau_result(mt, j, a, a + npix, a + 2 * npix, &err);
        xpcs_status s2 = xpcs_mtsparse_result(ms, j, b, b + npix, b + 2 * npix, &err);
        if (s1 || s2 || !same(a, b, 3 * (size_t)npix)) {
            ok = 0;
            bad_j = j;
        }
    }
    printf("n=%lld npix=%lld occ=%g scaled=%d threads=%d push<=%d: %lld events, %d delays: "
           "%s%s\n",
           (long long)n, (long long)npix, occ, scaled, threads, max_push, (long long)events, nd,
           ok ? "bit-identical" : "DIFFERENT", ok ? "" : " (see delay index below)");
    if (!ok)
        printf("  first differing delay index %d\n", bad_j);
    test_cond("sparse kernel bit-identical to the dense kernel", ok);
    /* the same sums block by block (the reduction's fill): random ranges,
     * across tile boundaries, both kernels, against the whole arrays */
    int blocks_ok = 1;
    double *c = malloc(sizeof(double) * 3 * (size_t)(npix + 1));
    for (int j = 0; j < nd && blocks_ok; j++) {
        xpcs_multitau_result(mt, j, a, a + npix, a + 2 * npix, &err);
        for (int64_t p0 = 0; p0 < npix;) {
            const int64_t r = p0 + 1 + (int64_t)(next_u32() % 300u);
            const int64_t p1 = r < npix ? r : npix;
            const int64_t w = p1 - p0;
            for (int kind = 0; kind < 2; kind++) {
                xpcs_status st =
                    kind ? xpcs_mtsparse_result_block(ms, j, p0, p1, c, c + w, c + 2 * w, &err)
                         : xpcs_multitau_result_block(mt, j, p0, p1, c, c + w, c + 2 * w, &err);
                blocks_ok &= !st && same(c, a + p0, (size_t)w) &&
                             same(c + w, a + npix + p0, (size_t)w) &&
                             same(c + 2 * w, a + 2 * npix + p0, (size_t)w);
            }
            p0 = p1;
        }
    }
    test_cond("sums of pixel blocks (both kernels) equal the whole arrays'", blocks_ok);
    free(c);
    xpcs_multitau_destroy(&mt);
    xpcs_mtsparse_destroy(&ms);
    free(a);
    free(ptr);
    free(fr);
    free(ct);
    free(x);
    free(scale);
}

/* g2norm's two phases from arrays and from blocks made on demand (the
 * reduction's fill, called from the threads) give the same maxima and the
 * same exact sums, bit for bit. */
typedef struct {
    const double *G2, *IP, *IF;
} fill_src;

static void fill_copy(void *arg, int64_t p0, int64_t p1, double *G2, double *IP, double *IF)
{
    const fill_src *f = arg;
    memcpy(G2, f->G2 + p0, sizeof(double) * (size_t)(p1 - p0));
    memcpy(IP, f->IP + p0, sizeof(double) * (size_t)(p1 - p0));
    memcpy(IF, f->IF + p0, sizeof(double) * (size_t)(p1 - p0));
}

static void test_g2norm_fill(void)
{
    const int64_t n = 1237; /* not a multiple of the 256-pixel blocks */
    const int nd = 3, n_sq = 7, n_dq = 3;
    int32_t s2d[8] = {0, 1, 1, 2, 2, 3, 3, 0};
    int32_t *sq = malloc(sizeof(int32_t) * n), *dq = malloc(sizeof(int32_t) * n);
    double *v = malloc(sizeof(double) * 3 * n * nd);
    for (int64_t p = 0; p < n; p++) {
        sq[p] = (int32_t)((p / 40) % (n_sq + 1)); /* runs of 40, bin 0 too */
        dq[p] = s2d[sq[p]];
    }
    for (int64_t i = 0; i < 3 * n * nd; i++)
        v[i] = 0.5 + next_unit() * (i % 7 == 0 ? 1e3 : 1.0);
    xpcs_g2norm *a = xpcs_g2norm_create(nd, n_sq, n_dq, s2d);
    xpcs_g2norm *b = xpcs_g2norm_create(nd, n_sq, n_dq, s2d);
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < nd; j++) {
            const double *G2 = v + (size_t)j * 3 * n, *IP = G2 + n, *IF = IP + n;
            fill_src f = {G2, IP, IF};
            if (pass == 0) {
                xpcs_g2norm_scan(a, j, n, G2, IP, IF, sq, dq);
                xpcs_g2norm_fill_pass(b, 1, j, n, fill_copy, &f, sq, dq);
            }
            else {
                xpcs_g2norm_accumulate(a, j, n, G2, IP, IF, sq, dq);
                xpcs_g2norm_fill_pass(b, 2, j, n, fill_copy, &f, sq, dq);
            }
        }
    int na, nb;
    int64_t sa, sb;
    const double *ma = xpcs_g2norm_maxima(a, &na), *mb = xpcs_g2norm_maxima(b, &nb);
    const int64_t *ua = xpcs_g2norm_sums(a, &sa), *ub = xpcs_g2norm_sums(b, &sb);
    int nonzero = 0;
    for (int64_t k = 0; k < sa; k++)
        nonzero |= ua[k] != 0;
    test_cond("g2norm from blocks made on demand: the same maxima and exact sums",
              na == nb && sa == sb && nonzero && memcmp(ma, mb, sizeof(double) * (size_t)na) == 0 &&
                  memcmp(ua, ub, sizeof(int64_t) * (size_t)sa) == 0);
    xpcs_g2norm_destroy(&a);
    xpcs_g2norm_destroy(&b);
    free(sq);
    free(dq);
    free(v);
}

int main(void)
{
    test_g2norm_fill();
    *test_rng() = 0x9e3779b97f4a7c15ull;
    const int64_t ns[] = {2, 3, 9, 17, 37, 1000, 1531, 4099};
    const double occs[] = {1e-3, 0.05, 0.5, 1.0};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t o = 0; o < sizeof occs / sizeof occs[0]; o++) {
            int64_t npix = ns[i] > 1000 ? 67 : 301;
            run_case(ns[i], npix, occs[o], 0, 1, (int)ns[i] + 1, 7);
            run_case(ns[i], npix, occs[o], 1, 2, 1 + (int)(ns[i] / 5), 7);
            run_case(ns[i], npix, occs[o], 1, 1, 3, 100000);
            run_case(ns[i], npix, occs[o], 0, 2, 0, 7);
            /* counts up to 1e5: some pixels' totals too large for the
             * exact-integer path, which then falls back */
            run_case(ns[i], npix, occs[o], 0, 1, 0, 100000);
        }
    /* many pixels (several carry blocks), long run, tiny pushes */
    run_case(3000, 777, 0.01, 0, 2, 64, 3);
    run_case(3000, 777, 0.01, 1, 2, 300, 3);
    run_case(20000, 300, 0.001, 0, 2, 0, 3);
    run_case(20000, 300, 0.0002, 0, 1, 0, 3);
    /* a pixel with events only at the very end / start, single push */
    {
        const int64_t n = 1029, np = 3;
        xpcs_err err;
        xpcs_multitau *mt;
        xpcs_mtsparse *ms;
        xpcs_multitau_create(n, np, &mt, &err);
        xpcs_mtsparse_create(n, np, &ms, &err);
        uint32_t *x = calloc((size_t)(n * np), sizeof(uint32_t));
        x[(n - 1) * np + 0] = 5;
        x[0 * np + 1] = 2;
        x[(n - 2) * np + 1] = 9;
        xpcs_multitau_push(mt, x, XPCS_DT_U32, n, np, NULL);
        int64_t ptr[4] = {0, 1, 3, 3};
        uint32_t fr[3] = {(uint32_t)(n - 1), 0, (uint32_t)(n - 2)}, ct[3] = {5, 2, 9};
        xpcs_mtsparse_push(ms, 0, n, ptr, fr, ct, NULL);
        int ok = 1;
        for (int j = 0; j < xpcs_multitau_n_delays(mt); j++) {
            double a[9], b[9];
            xpcs_multitau_result(mt, j, a, a + 3, a + 6, &err);
            xpcs_mtsparse_result(ms, j, b, b + 3, b + 6, &err);
            ok &= memcmp(a, b, sizeof a) == 0;
        }
        test_cond("events at the first and last frames", ok);
        xpcs_multitau_destroy(&mt);
        xpcs_mtsparse_destroy(&ms);
        free(x);
    }
    return test_report();
}
