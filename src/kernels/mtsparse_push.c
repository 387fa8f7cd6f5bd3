/* mtsparse_push: the event multitau kernel's push path, compiled once per
 * SIMD level (simd_impl.h: every function carries the level's suffix).  The
 * vector of 8 lags (v8d) has the same lanes at every level, each lane its
 * own sum, so the levels give bit-identical results. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "simd_impl.h"

/* every function of this file, and those it inlines from mtsparse_impl.h */
#define nlag_of XPCS_SIMD_NAME(nlag_of)
#define m0_of XPCS_SIMD_NAME(m0_of)
#define v8_load XPCS_SIMD_NAME(v8_load)
#define carry_or_tail XPCS_SIMD_NAME(carry_or_tail)
#define pixel_push XPCS_SIMD_NAME(pixel_push)
#define scratch_reserve XPCS_SIMD_NAME(scratch_reserve)

#include "mtsparse_impl.h"

/* Per-thread scratch: two level lists, each with HIST free slots in front
 * for the carried frames, so a level's frames are one contiguous array. */
typedef struct {
    mts_entry *a, *b; /* HIST + 1 free slots in front, 1 behind */
    double *win;
    int64_t cap;
    mts_carry *carry; /* new carry of one block */
    int64_t carry_cap;
} mts_scratch;

typedef struct {
    const xpcs_mtsparse *ms;
    int64_t F_prev, F; /* frames pushed before / after this push */
    int final;
} push_ctx;

/* 8 lags in one vector (GCC vector extension; AVX-512, AVX2 or SSE). */
typedef double v8d __attribute__((vector_size(8 * sizeof(double))));
static inline v8d v8_load(const double *p)
{
    v8d v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* A level is "dense" when its frames span at most DENSE_SPAN level-frame
 * slots per frame: then each frame's 8 lag products come from a reversed
 * dense window, one vector operation, instead of a walk back. */
#define DENSE_SPAN 16
#define FAR_PAST (-((int64_t)1 << 40))
#define FAR_FUTURE ((int64_t)1 << 40)

/* One pixel, one push: level by level, the carried frames then the new ones.
 * st points at the pixel's slot 0 (slots TW apart).  Returns the number of
 * carry entries written to cout.  cur/nxt have one sentinel slot before and
 * HIST free slots before the list, and room for one sentinel after it; win
 * has room for a dense window of the longest list.
 *
 * Moving up: level L+1 frame P = level-L frames 2P + 2P+1: an even frame
 * followed by its odd partner moves up as their sum, any other frame alone
 * (x + 0 = x).  The last frame of a level stays back (pending) while its
 * partner is not complete; the next push moves it up with its partner. */
/* After level L's pass over its frames W[0 .. total): the frames a later
 * product or the tail can need (the last HIST before F_L) are carried into
 * cout (returns the new count); at the final push, the tail sums instead:
 * the last m level frames, latest first, for m = m0 .. HIST. */
static inline int carry_or_tail(const push_ctx *pc, int L, const mts_entry *W, int64_t total,
                                double *tail, mts_carry *cout, int n_cout)
{
    const xpcs_mtsparse *ms = pc->ms;
    const int64_t F_L = pc->F >> L;
    int64_t c0 = total;
    while (c0 > 0 && W[c0 - 1].k >= F_L - HIST)
        c0--;
    if (pc->final) {
        const int64_t N_L = ms->n_frames >> L;
        const int m0 = m0_of(L);
        if (c0 < total && W[total - 1].k >= N_L - HIST)
            for (int m = m0; m <= HIST; m++) {
                double s = 0.0;
                for (int64_t j = total - 1; j >= c0 && W[j].k >= N_L - m; j--)
                    s += W[j].v;
                tail[(size_t)(m - m0) * TW] = s;
            }
        return n_cout;
    }
    for (int64_t j = c0; j < total; j++) {
        cout[n_cout].level = L;
        cout[n_cout].k = (int32_t)W[j].k;
        cout[n_cout].v = W[j].v;
        n_cout++;
    }
    return n_cout;
}

static int pixel_push(const push_ctx *pc, double *st, const mts_carry *cin, int n_cin,
                      mts_entry *lev0, int64_t n_new, mts_entry *other, double *win,
                      mts_carry *cout)
{
    const xpcs_mtsparse *ms = pc->ms;
    const int nL = ms->n_levels;
    mts_entry *cur = lev0, *nxt = other;
    int n_cout = 0, ci = 0;
    for (int L = 0; L < nL; L++) {
        /* carried frames of level L go right before the new ones */
        int h = 0;
        while (ci + h < n_cin && cin[ci + h].level == L)
            h++;
        if (h == 0 && n_new == 0) {
            if (ci >= n_cin) /* nothing here, nothing carried higher up */
                break;
            continue;
        }
        mts_entry *W = cur - h;
        for (int c = 0; c < h; c++) {
            W[c].k = cin[ci + c].k;
            W[c].v = cin[ci + c].v;
        }
        ci += h;
        W[-1].k = FAR_PAST;
        const int64_t total = h + n_new;
        W[total].k = FAR_FUTURE;
        W[total].v = 0.0;
        const int64_t F_L = pc->F >> L, Fp_L = pc->F_prev >> L;
        const int m0 = m0_of(L), nlag = nlag_of(L);
        double *acc = st + (size_t)ms->base[L] * TW;
        double *head = acc + (size_t)nlag * TW;
        double *tot = acc + (size_t)(3 * nlag) * TW;

        /* One pass, in time order: G2 sums of lags 1..8 (lanes below m0
         * are computed and dropped), total, head sums, and the next level's
         * frames.  A carried even frame whose partner was not complete
         * (pending) moves up first. */
        const int up = L + 1 < nL;
        int64_t n_out = 0;
        if (h > 0 && !(W[h - 1].k & 1) && W[h - 1].k + 1 >= Fp_L) {
            const int64_t k = W[h - 1].k;
            nxt[0].k = k >> 1;
            nxt[0].v = W[h].k == k + 1 ? W[h - 1].v + W[h].v : W[h - 1].v;
            n_out = 1;
        }
        /* al[i]: lag i + 1; lanes below m0 - 1 are computed and dropped */
        double al[HIST] = {0};
        const int i0 = m0 - 1;
        for (int i = i0; i < HIST; i++)
            al[i] = acc[(size_t)(i - i0) * TW];
        double t = tot[0];
        const int64_t kmax = W[total - 1].k, span = kmax - W[0].k + 1;
#define FRAME_REST()                                                                               \
    do {                                                                                           \
        t += v;                                                                                    \
        if (k < HIST)                                                                              \
            for (int m = (int)(k + 1 > m0 ? k + 1 : m0); m <= HIST; m++)                           \
                head[(size_t)(m - m0) * TW] += v;                                                  \
        const int even = !(k & 1);                                                                 \
        const int with_next = even & (W[i + 1].k == k + 1);                                        \
        const int merged = !even & (W[i - 1].k == k - 1);                                          \
        nxt[n_out].k = k >> 1;                                                                     \
        nxt[n_out].v = v + (double)with_next * W[i + 1].v; /* v + 0 = v: no branch */              \
        n_out += !merged;                                                                          \
    } while (0)
        if (n_new > 1 && span <= DENSE_SPAN * total) {
            /* win[kmax - k] = x(k): frame k's lags 1..8 are win[kmax-k+1 ..] */
            memset(win, 0, sizeof(double) * (size_t)(span + HIST));
            for (int64_t i = 0; i < total; i++)
                win[kmax - W[i].k] = W[i].v;
            v8d a = v8_load(al);
            for (int64_t i = h; i < total; i++) {
                const int64_t k = W[i].k;
                const double v = W[i].v;
                a += v * v8_load(win + (kmax - k) + 1);
                FRAME_REST();
            }
            memcpy(al, &a, sizeof al);
        }
        else {
            for (int64_t i = h; i < total; i++) {
                const int64_t k = W[i].k;
                const double v = W[i].v;
                for (int64_t j = i - 1; W[j].k >= k - HIST; j--) /* frames within 8 */
                    al[k - W[j].k - 1] += v * W[j].v;
                FRAME_REST();
            }
        }
#undef FRAME_REST
        tot[0] = t;
        for (int i = i0; i < HIST; i++)
            acc[(size_t)(i - i0) * TW] = al[i];
        if (!up) {
            n_out = 0;
        }
        else if (n_out > 0) {
            /* the last frame waits while its partner is not complete; the
             * odd leftover at the end of the run never moves up */
            if ((!(kmax & 1) && kmax + 1 >= F_L) || nxt[n_out - 1].k >= (ms->n_frames >> (L + 1)))
                n_out--;
        }

        n_cout = carry_or_tail(pc, L, W, total, head + (size_t)nlag * TW, cout, n_cout);
        /* the next level's new frames */
        mts_entry *tmp = cur;
        cur = nxt;
        nxt = tmp;
        n_new = n_out;
    }
    return n_cout;
}

static void scratch_reserve(mts_scratch *s, int64_t n)
{
    if (n <= s->cap)
        return;
    free(s->a);
    free(s->b);
    free(s->win);
    s->cap = n;
    s->a = xpcs_malloc(sizeof(mts_entry) * (size_t)(n + HIST + 2));
    s->b = xpcs_malloc(sizeof(mts_entry) * (size_t)(n + HIST + 2));
    s->win = xpcs_malloc(sizeof(double) * (size_t)(DENSE_SPAN * (n + HIST) + 2 * HIST));
}

void XPCS_SIMD_NAME(xpcs_mtsparse_push)(xpcs_mtsparse *ms, int64_t f0, int64_t n_fr,
                                        const int64_t *ptr, const uint32_t *frame,
                                        const uint32_t *count, const double *frame_scale)
{
    push_ctx pc = {ms, f0, f0 + n_fr, f0 + n_fr >= ms->n_frames};
    int64_t max_ev = 0;
    for (int64_t p = 0; p < ms->n_pixels; p++)
        if (ptr[p + 1] - ptr[p] > max_ev)
            max_ev = ptr[p + 1] - ptr[p];
    /* a level list holds at most the pixel's new events plus one frame moved
     * up from each carried pending frame below */
    const int64_t list_cap = max_ev + MAXLEV + 1;
    const int64_t carry_max = (int64_t)BP * ms->n_levels * HIST;
#pragma omp parallel
    {
        mts_scratch s = {0};
        scratch_reserve(&s, list_cap);
        s.carry_cap = carry_max;
        s.carry = xpcs_malloc(sizeof(mts_carry) * (size_t)carry_max);
#pragma omp for schedule(dynamic, 4)
        for (int64_t b = 0; b < ms->n_blocks; b++) {
            mts_block *blk = &ms->blocks[b];
            const int64_t p0 = b * BP;
            const int np = (int)(ms->n_pixels - p0 < BP ? ms->n_pixels - p0 : BP);
            uint32_t noff[BP + 1];
            noff[0] = 0;
            int64_t nc = 0;
            for (int i = 0; i < np; i++) {
                const int64_t p = p0 + i;
                const int64_t e0 = ptr[p], ne = ptr[p + 1] - e0;
                const int n_cin = (int)(blk->off[i + 1] - blk->off[i]);
                if (ne == 0 && n_cin == 0) {
                    noff[i + 1] = (uint32_t)nc;
                    continue;
                }
                mts_entry *l0 = s.a + HIST + 1;
                for (int64_t e = 0; e < ne; e++) {
                    const uint32_t f = frame[e0 + e];
                    l0[e].k = f;
                    l0[e].v = frame_scale ? (double)count[e0 + e] * frame_scale[f - f0]
                                          : (double)count[e0 + e];
                }
                double *st = ms->state + ((size_t)(p / TW) * (size_t)ms->n_slots) * TW + p % TW;
                nc += pixel_push(&pc, st, blk->carry ? blk->carry + blk->off[i] : NULL, n_cin, l0,
                                 ne, s.b + HIST + 1, s.win, s.carry + nc);
                noff[i + 1] = (uint32_t)nc;
            }
            if (nc > blk->cap) {
                free(blk->carry);
                blk->cap = nc + nc / 2;
                blk->carry = xpcs_malloc(sizeof(mts_carry) * (size_t)blk->cap);
            }
            if (nc)
                memcpy(blk->carry, s.carry, sizeof(mts_carry) * (size_t)nc);
            memcpy(blk->off, noff, sizeof(uint32_t) * (size_t)(np + 1));
        }
        free(s.a);
        free(s.b);
        free(s.win);
        free(s.carry);
    }
    ms->pushed = pc.F;
}
