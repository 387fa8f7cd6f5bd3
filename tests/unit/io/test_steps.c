/* Unit tests of the step cuts: the plan's steps of HDF5 input (every
 * step's frames split over the ranks exactly once) and the Rigaku word cuts
 * (io/rigaku_steps): on a small event file with known words, every cut
 * counts the words before its frame exactly, the steps tile the frames,
 * stay within the frame and word limits, the ranks' parts are contiguous,
 * and decoding each part gives the events of its raw frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testhelp.h"
#include "xpcs/io/rigaku.h"
#include "xpcs/io/rigaku_steps.h"
#include "xpcs/io/rigaku_writer.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/plan/plan.h"

static void test_plan_steps(void)
{
    int ok = 1;
    for (int R = 1; R <= 4; R++)
        for (int64_t step = 1; step <= 70; step += 23) {
            xpcs_plan p = {0};
            xpcs_err err;
            xpcs_plan_frames(301, 5, -1, 2, 3, &p, "t", &err);
            xpcs_plan_decompose(&p, R, 1, 4, 4, 10, XPCS_DT_U16, step, 0);
            int64_t next = 0;
            for (int64_t k = 0; k < p.n_steps; k++)
                for (int r = 0; r < R; r++) {
                    int64_t f, c;
                    xpcs_plan_rank_frames(&p, k, r, &f, &c);
                    ok &= f == next && c >= 0 && (c == 0 || f / p.step_frames == k);
                    next = f + c;
                }
            ok &= next == p.n_frames;
            xpcs_plan_free(&p);
        }
    test_cond("plan steps: rank slices tile every step, in order", ok);
}

/* The test file: frame t has (t * 7) % 13 events (none for some frames),
 * at pixels t*31 + 1000 e (mod the detector), counts 1 + (t + e) % 5. */
#define FRAMES 160
static int events_of(int64_t t, uint32_t *pix, uint32_t *cnt)
{
    const int n = (int)((t * 7) % 13);
    for (int e = 0; e < n; e++) {
        pix[e] = (uint32_t)((t * 31 + 1000 * e) % XPCS_RIGAKU_PIXELS);
        cnt[e] = (uint32_t)(1 + (t + e) % 5);
    }
    /* ascending pixels */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && pix[j] < pix[j - 1]; j--) {
            uint32_t a = pix[j], b = cnt[j];
            pix[j] = pix[j - 1];
            cnt[j] = cnt[j - 1];
            pix[j - 1] = a;
            cnt[j - 1] = b;
        }
    return n;
}

/* Words of raw frames before `frame` (the writer adds a count-0 word in an
 * empty last frame only). */
static int64_t words_before(int64_t frame)
{
    int64_t n = 0;
    uint32_t pix[16], cnt[16];
    for (int64_t t = 0; t < frame && t < FRAMES; t++)
        n += events_of(t, pix, cnt);
    if (frame >= FRAMES && events_of(FRAMES - 1, pix, cnt) == 0)
        n++;
    return n;
}

static const char *write_file(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/xpcs_test_steps_%d.bin", (int)getpid());
    xpcs_publish *p = NULL;
    xpcs_rigaku_writer *w = NULL;
    xpcs_err err;
    if (xpcs_publish_begin(path, XPCS_PUBLISH_REPLACE, &p, &err) ||
        xpcs_rigaku_writer_create(&p, 1, FRAMES, &w, &err)) {
        xpcs_publish_abandon(&p);
        return NULL;
    }
    uint32_t pix[16], cnt[16];
    int bad = 0;
    for (int64_t t = 0; t < FRAMES && !bad; t++) {
        int n = events_of(t, pix, cnt);
        bad = xpcs_rigaku_writer_frame(w, t, pix, cnt, (size_t)n, &err) != XPCS_OK;
    }
    bad |= xpcs_rigaku_writer_close(&w, &err) != XPCS_OK;
    if (bad) {
        xpcs_publish_abandon(&p);
        return NULL;
    }
    return xpcs_publish_commit(&p, &err) ? NULL : path;
}

/* One part [ca, cb) decoded: the events of its output frames' used raw
 * frames, per output frame. */
static int decode_ok(const xpcs_rigaku *rig, const xpcs_plan *p, const int64_t *ca,
                     const int64_t *cb, const uint64_t *words, xpcs_frame_csr *f)
{
    xpcs_err err;
    if (xpcs_rigaku_decode_step(rig, p, ca, cb, words, f, &err))
        return 0;
    const int64_t u = p->stride * p->avg;
    uint32_t pix[16], cnt[16];
    for (int64_t k = ca[0]; k < cb[0]; k++) {
        int64_t i = f->ptr[k - ca[0]];
        for (int64_t a = 0; a < p->avg; a++) {
            const int64_t t = p->begin + k * u + a * p->stride;
            const int n = events_of(t, pix, cnt);
            for (int e = 0; e < n; e++, i++)
                if (f->pix[i] != pix[e] || f->cnt[i] != cnt[e])
                    return 0;
        }
        if (i != f->ptr[k - ca[0] + 1])
            return 0;
    }
    return 1;
}

static void test_rigaku_cuts(xpcs_comm *c)
{
    const char *path = write_file();
    test_cond("test event file written", path != NULL);
    if (!path)
        return;
    xpcs_rigaku *rig = NULL;
    xpcs_err err;
    test_cond("event file opens", xpcs_rigaku_open(c, path, &rig, &err) == XPCS_OK);
    if (!rig)
        return;
    const int64_t nw = xpcs_rigaku_n_words(rig, 0);
    uint64_t *words = malloc(sizeof(uint64_t) * (size_t)(nw + 1));
    int cuts_ok = 1, tile_ok = 1, limit_ok = 1, dec_ok = 1;
    for (int R = 1; R <= 3; R++)
        for (int64_t wpr = 5; wpr <= 500; wpr *= 10) {
            xpcs_plan p = {0};
            xpcs_plan_frames(FRAMES, 3, -1, 2, 2, &p, path, &err);
            p.rows = XPCS_RIGAKU_ROWS; /* the canvas the decoder places pixels on */
            p.cols = XPCS_RIGAKU_COLS;
            const int K = XPCS_RIGAKU_CUT(1);
            int64_t *cut = calloc((size_t)(R + 4) * (size_t)K, sizeof(int64_t));
            int64_t *tmp = cut + (int64_t)(R + 1) * K;
            const int64_t max_frames = 9, u = p.stride * p.avg;
            xpcs_frame_csr f = {0};
            int64_t F0 = 0;
            cuts_ok &= xpcs_rigaku_first_cut(rig, &p, cut, tmp, &err) == XPCS_OK;
            while (F0 < p.n_frames && cuts_ok) {
                cuts_ok &= xpcs_rigaku_plan_step(rig, &p, R, max_frames, wpr, cut, tmp, &err) == 0;
                const int64_t F1 = cut[(int64_t)R * K];
                tile_ok &= cut[0] == F0 && F1 > F0 && F1 - F0 <= max_frames;
                limit_ok &= F1 == F0 + 1 || cut[(int64_t)R * K + 1] - cut[1] <= wpr * R;
                for (int r = 0; r <= R; r++) {
                    const int64_t *row = cut + (int64_t)r * K;
                    cuts_ok &= row[1] == words_before(p.begin + row[0] * u) && row[2] == row[1];
                    tile_ok &= r == 0 || row[0] >= row[-K];
                }
                for (int r = 0; r < R; r++) {
                    const int64_t *ca = cut + (int64_t)r * K, *cb = ca + K;
                    xpcs_rigaku_read(rig, 0, ca[2], cb[2] - ca[2], words, &err);
                    dec_ok &= decode_ok(rig, &p, ca, cb, words, &f);
                }
                F0 = F1;
                memmove(cut, cut + (int64_t)R * K, sizeof(int64_t) * (size_t)K);
            }
            tile_ok &= F0 == p.n_frames;
            xpcs_frame_csr_free(&f);
            free(cut);
            xpcs_plan_free(&p);
        }
    test_cond("Rigaku cuts count the words before their frame", cuts_ok);
    test_cond("Rigaku steps tile the frames; rank parts in order", tile_ok);
    test_cond("Rigaku steps within the word limit (or one frame)", limit_ok);
    test_cond("Rigaku decoding of each rank's part equals its raw frames' events", dec_ok);
    free(words);
    xpcs_rigaku_close(&rig);
    unlink(path);
}

int main(int argc, char **argv)
{
    xpcs_comm *world = NULL;
    xpcs_err err;
    if (xpcs_comm_init(&argc, &argv, &world, &err) != XPCS_OK) {
        printf("FAIL MPI init: %s\n", err.msg);
        return 1;
    }
    test_plan_steps();
    test_rigaku_cuts(world);
    xpcs_comm_finalize(&world);
    return test_report();
}
