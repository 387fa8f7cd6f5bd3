/* Unit tests: exact sums, frame selection and pixel decomposition, option
 * and bin-selection parsing, q-map nesting. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/config/config.h"
#include "xpcs/core/exactsum.h"
#include "xpcs/plan/plan.h"
#include "xpcs/plan/qmap.h"

static void test_exactsum(void)
{
    /* the same values summed in two orders and groupings give the same bits */
    enum { N = 10000 };
    double *v = malloc(sizeof(double) * N);
    double mx = 0;
    for (int i = 0; i < N; i++) {
        v[i] = sin(i * 0.7) * pow(10.0, (i % 13) - 6);
        mx = fmax(mx, fabs(v[i]));
    }
    int e = xpcs_xsum_exponent(mx);
    double sc = xpcs_xsum_scale(e);
    xpcs_xsum a = {{0}}, b = {{0}}, c = {{0}};
    for (int i = 0; i < N; i++)
        xpcs_xsum_add(&a, v[i], sc);
    for (int i = N - 1; i >= 0; i -= 2)
        xpcs_xsum_add(&b, v[i], sc);
    for (int i = N - 2; i >= 0; i -= 2)
        xpcs_xsum_add(&c, v[i], sc);
    for (int k = 0; k < XPCS_XSUM_DIGITS; k++)
        b.d[k] += c.d[k];
    double sa = xpcs_xsum_value(&a, e), sb = xpcs_xsum_value(&b, e);
    long double ref = 0;
    for (int i = 0; i < N; i++)
        ref += v[i];
    test_cond("exact sum independent of order", memcmp(&sa, &sb, sizeof sa) == 0);
    test_cond("exact sum accurate", fabs(sa - (double)ref) <= 1e-15 * fabs((double)ref) + 1e-18);
    xpcs_xsum z = {{0}};
    xpcs_xsum_add(&z, 0.0, xpcs_xsum_scale(xpcs_xsum_exponent(0.0)));
    test_cond("zeros sum to zero", xpcs_xsum_value(&z, 0) == 0.0);
    free(v);
}

static void test_plan(void)
{
    xpcs_plan p = {0};
    xpcs_err err;
    test_cond("plain range", xpcs_plan_frames(100, 0, -1, 1, 1, &p, "t", &err) == XPCS_OK &&
                                 p.n_frames == 100 && p.begin == 0 && p.end == 100);
    test_cond("stride/avg trim", xpcs_plan_frames(100, 3, 95, 2, 3, &p, "t", &err) == XPCS_OK &&
                                     p.n_frames == 15 && p.end == 93);
    test_cond("negative begin", xpcs_plan_frames(100, -10, -1, 1, 1, &p, "t", &err) == XPCS_OK &&
                                    p.begin == 90 && p.n_frames == 10);
    test_cond("end past the data is clipped",
              xpcs_plan_frames(100, 0, 1000, 1, 1, &p, "t", &err) == XPCS_OK && p.end == 100);
    test_cond("empty range", xpcs_plan_frames(100, 50, 40, 1, 1, &p, "t", &err) != XPCS_OK &&
                                 strstr(err.msg, "empty frame range"));
    test_cond("begin outside", xpcs_plan_frames(100, 100, -1, 1, 1, &p, "t", &err) != XPCS_OK);
    test_cond("one frame is too few",
              xpcs_plan_frames(100, 0, -1, 60, 1, &p, "t", &err) != XPCS_OK);
    xpcs_plan_frames(1000, 0, -1, 1, 1, &p, "t", &err);
    for (int r = 1; r <= 5; r++) {
        xpcs_plan_decompose(&p, r, 1, 10, 10, 97, XPCS_DT_U16, 64, 0);
        int64_t tot = 0, fr = 0, mn = 1 << 30, mx = 0;
        for (int k = 0; k < r; k++) {
            int64_t n = p.pix_first[k + 1] - p.pix_first[k];
            tot += n;
            mn = n < mn ? n : mn;
            mx = n > mx ? n : mx;
            int64_t f, c;
            xpcs_plan_rank_frames(&p, 3, k, &f, &c);
            fr += c;
        }
        test_cond("pixels covered once, balanced", tot == 97 && mx - mn <= 1);
        test_cond("step frames covered once", fr == 64);
    }
    xpcs_plan_decompose(&p, 1, 1, 256, 256, 50000, XPCS_DT_U16, 0, 0);
    int64_t s1 = p.step_frames;
    xpcs_plan_decompose(&p, 3, 1, 256, 256, 50000, XPCS_DT_U16, 0, 0);
    test_cond("automatic step: the same frames per rank at 1 and 3 ranks", p.step_frames == 3 * s1);
    const double per_frame = 256.0 * 256 * (2 + 8) + 2.0 * 50000 * 2; /* bytes */
    test_cond("... a power of two per rank, doubled while the buffers fit 256 MiB",
              s1 == 256 && 2.0 * (s1 / 2) * per_frame <= 256.0 * 1048576);
    /* an Eiger 4M frame: 4 frames per rank; 64 ranks read 256 frames a step */
    test_cond("Eiger 4M at 64 ranks: 4 frames per rank",
              xpcs_plan_auto_step(64, 2162 * 2068, 3000000, 1, 2, 2, 100000, 0, 0) == 256);
    test_cond("... never past the frames there are",
              xpcs_plan_auto_step(64, 2162 * 2068, 3000000, 1, 2, 2, 100, 0, 0) == 100);
    test_cond("... nor below one rank's f",
              xpcs_plan_auto_step(64, 64, 64, 1, 2, 2, 10, 0, 0) == 1024);
    /* all-to-all counts: 2 S n_corr < 2^31 */
    /* a tight --max-memory keeps the rule of before: f for all ranks together */
    test_cond("a 64 MiB budget at 3 ranks: f frames a step, as before",
              xpcs_plan_auto_step(3, 256 * 256, 50000, 1, 2, 2, 50000, 0, 64.0 * 1048576) == s1);
    /* 2 GiB at 3 ranks: 256 MiB for a rank's buffers -> 128 frames per rank
     * (2 x 128 x 835 KiB; 256 would take 428 MiB), more than before (86) */
    test_cond("a 2 GiB budget at 3 ranks: 128 frames per rank",
              xpcs_plan_auto_step(3, 256 * 256, 50000, 1, 2, 2, 50000, 0, 2048.0 * 1048576) ==
                  3 * 128);
    test_cond("a 4 GiB budget at 3 ranks: f frames per rank",
              xpcs_plan_auto_step(3, 256 * 256, 50000, 1, 2, 2, 50000, 0, 4096.0 * 1048576) ==
                  3 * s1);
    /* all-to-all counts: S frames of a rank's pixels below 2^31 */
    int64_t big = xpcs_plan_auto_step(4096, 2162 * 2068, 4000000, 1, 2, 2, 1000000, 0, 0);
    test_cond("Eiger 4M at 4096 ranks: every rank reads 4 frames a step", big == 4 * 4096);
    int64_t tt = xpcs_plan_auto_step(4096, 2162 * 2068, 4000000, 1, 2, 2, 1000000, 4000000, 0);
    test_cond("... with whole two-time bins: S n_corr below 2^31",
              2 * tt * 4000000 < INT32_MAX && tt >= 4);
    xpcs_plan_free(&p);
}

static void test_config(void)
{
    unsigned char sel[11];
    xpcs_err err;
    test_cond("selection 1,3,5-7", xpcs_parse_bin_selection("1,3,5-7", 10, sel, &err) == XPCS_OK &&
                                       sel[1] && !sel[2] && sel[3] && !sel[4] && sel[5] && sel[6] &&
                                       sel[7] && !sel[8]);
    test_cond("selection all",
              xpcs_parse_bin_selection("all", 10, sel, &err) == XPCS_OK && sel[1] && sel[10]);
    test_cond("selection out of range", xpcs_parse_bin_selection("0,11", 10, sel, &err) != XPCS_OK);
    test_cond("selection garbage", xpcs_parse_bin_selection("1,x", 10, sel, &err) != XPCS_OK);
    xpcs_config c;
    xpcs_config_default(&c);
    char *argv1[] = {"x", "-r", "a.h5", "-q", "q.h5", "-f", "2", "-a", "3", "-b", "-5", "-w", NULL};
    int ex;
    test_cond("parse options", xpcs_config_parse(&c, 12, argv1, 0, &ex, &err) == XPCS_OK &&
                                   c.stride_frame == 2 && c.avg_frame == 3 && c.begin_frame == -5 &&
                                   c.overwrite);
    xpcs_config_free(&c);
    xpcs_config_default(&c);
    char *argv2[] = {"x", "-r", "a.h5", "-q", "q.h5", "-f", "0", NULL};
    test_cond("stride 0 rejected", xpcs_config_parse(&c, 7, argv2, 0, &ex, &err) != XPCS_OK);
    xpcs_config_free(&c);
    xpcs_config_default(&c);
    char *argv3[] = {"x", "-r", "a.h5", "-q", "q.h5", "-t", "nonsense", NULL};
    test_cond("bad type rejected", xpcs_config_parse(&c, 7, argv3, 0, &ex, &err) != XPCS_OK);
    xpcs_config_free(&c);
}

static void test_qmap(void)
{
    /* 2 x 4 detector; static bin 3 straddles dynamic bins 1 and 2 (majority 2) */
    xpcs_qmap q = {0};
    xpcs_err err;
    q.rows = 2;
    q.cols = 4;
    int32_t mask[8] = {1, 1, 1, 1, 1, 1, 0, 1};
    int32_t dmap[8] = {1, 1, 2, 2, 1, 2, 2, 0};
    int32_t smap[8] = {1, 1, 3, 3, 3, 2, 2, 2};
    q.mask = malloc(sizeof mask);
    q.dmap = malloc(sizeof dmap);
    q.smap = malloc(sizeof smap);
    memcpy(q.mask, mask, sizeof mask);
    memcpy(q.dmap, dmap, sizeof dmap);
    memcpy(q.smap, smap, sizeof smap);
    test_cond("qmap builds", xpcs_qmap_build(&q, "t", &err) == XPCS_OK);
    test_cond("bins counted", q.n_dq == 2 && q.n_sq == 3);
    test_cond("majority nesting", q.sq_to_dq[1] == 1 && q.sq_to_dq[2] == 2 && q.sq_to_dq[3] == 2);
    /* pixel 6 masked; pixel 7 has no dynamic label but its static bin maps */
    test_cond("correlated pixels", q.n_corr == 7 && q.corr_pixel[6] == 7);
    xpcs_qmap_free(&q);
}

int main(void)
{
    test_exactsum();
    test_plan();
    test_config();
    test_qmap();
    return test_report();
}
