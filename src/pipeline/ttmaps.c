/* ttmaps: the two-time maps at the end of the run.  Rank 0 creates every
 * map's dataset (chunked, compressed: io/mapz.h) in the result file, which
 * it keeps open; then every tile (a bin's map rows on one rank: the whole
 * map unless the plan split it) is computed by its rank (phase twotime)
 * with the exact diagonal sums of its rows, and its chunks compressed and
 * written there (phase write): the maps are written by their owners.
 * HDF5 1.10 writes a compressed chunk only from the rank that holds the
 * file's metadata, so a rank sends rank 0 only the sizes of its next
 * chunks (a piece: up to 8 MiB of them), rank 0 reserves their space and
 * index entries (io/h5extra.h xpcs_h5x_map_reserve) between its own chunk
 * rows and tiles and answers with the offsets, and the rank writes its
 * bytes there itself (MPI-IO, parallel/comm.h).  The tiles' exact sums go
 * to rank 0, which adds a bin's (exact) and divides once all have come.
 * Chunk rows that two tiles share (split maps only) travel as plain rows
 * and go through HDF5's filter on rank 0.  The file is a sink: this stage
 * hands it datasets and is never called back. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/signals.h"
#include "xpcs/config/config.h"
#include "xpcs/io/h5extra.h"
#include "xpcs/io/mapz.h"
#include "xpcs/kernels/twotime.h"
#include "ttstage_impl.h"

enum { TAG_HEAD = 3102, TAG_BODY = 3103, TAG_ADDR = 3104 };

/* A message from a computing rank to rank 0: this head, then the body:
 * MSG_SUMS: HEAD doubles and the tile's exact sums; MSG_PIECE: records
 * (piece_rec and its payload, 8-byte aligned). */
enum { MSG_SUMS = 1, MSG_PIECE = 2 };
typedef struct {
    int64_t kind, bytes, last; /* last: the tile's last piece */
    int64_t status;            /* the sender's failure (its message stays there) */
    int64_t n_res;             /* REC_RESERVE records in the piece: rank 0 answers
                                  with their offsets (TAG_ADDR: status, offsets) */
} msg_head;

/* REC_CHUNK: chunk (a, b) of bin's map, nbytes compressed, filter mask;
 * REC_ROWS: rows [a, a + b) at columns c..N-1 as floats;
 * REC_RESERVE: as REC_CHUNK without its bytes (the sender writes them). */
enum { REC_CHUNK = 0, REC_ROWS = 1, REC_RESERVE = 2 };
typedef struct {
    int64_t kind, bin, a, b, c, nbytes, mask;
} piece_rec;

#define PIECE_BYTES (8 << 20)

/* The bytes that follow a record in a piece (8-byte aligned). */
static size_t payload(const piece_rec *r)
{
    return r->kind == REC_RESERVE ? 0 : (size_t)(r->nbytes + 7) / 8 * 8;
}

/* A tile's message head: tile, seconds, BLAS seconds, events, exponent. */
#define HEAD 5

static int64_t n_sums(const xpcs_ttstage *t)
{
    return t->N + t->N / 5 * 5; /* diagonals, then segment diagonals */
}

static int64_t tile_rows(const xpcs_ttstage *t, int i)
{
    return t->tp->tile_row1[i] - t->tp->tile_row0[i];
}

static int64_t tile_area(const xpcs_ttstage *t, int i)
{
    return (int64_t)xpcs_ttplan_area(t->N, t->tp->tile_row0[i], t->tp->tile_row1[i]);
}

/* Buffers for this rank's largest tile (and, on rank 0, any tile). */
static void tile_buffers(xpcs_ttstage *t)
{
    if (t->acc)
        return;
    const xpcs_ttplan *tp = t->tp;
    int64_t max_k = 0, max_rows = 0, max_area = 0;
    for (int b = 0; b < tp->n_bins; b++)
        for (int i = tp->bin_tile[b]; i < tp->bin_tile[b + 1]; i++) {
            if (tp->tile_rank[i] != t->rank && t->rank != 0)
                continue;
            const int64_t k = xpcs_ttplan_bin_len(tp, b);
            max_k = k > max_k ? k : max_k;
            max_rows = tile_rows(t, i) > max_rows ? tile_rows(t, i) : max_rows;
            max_area = tile_area(t, i) > max_area ? tile_area(t, i) : max_area;
        }
    if (t->ev_mode != TT_EV_SPARSE)
        t->X = xpcs_malloc(sizeof(double) * (size_t)(t->N * max_k) + 1);
    t->Cp = xpcs_malloc(sizeof(double) * (size_t)max_area + 1);
    t->row = xpcs_malloc(sizeof(double *) * (size_t)(max_rows + 1));
    t->tri = xpcs_malloc(sizeof(float) * (size_t)max_area + 1);
    t->acc = xpcs_malloc(sizeof(xpcs_xsum) * (size_t)(n_sums(t) + 1));
    t->sacc = t->acc + t->N;
}

/* The series of bin b as double [N][k] in X (owner: from its store; else
 * from the copy). */
static void load_series(xpcs_ttstage *t, int b, int64_t k)
{
    if (t->tp->owner[b] == t->rank)
        xpcs_twotime_load(t->store, t->xt, t->tp->n_cols, t->tp->col0[b], t->N, k, t->X);
    else
        xpcs_twotime_load(t->rep_store[b], t->xt, k, 0, t->N, k, t->X);
}

static void serve(xpcs_ttstage *t, const xpcs_comm *c, int wait, xpcs_err *err);

/* Rank 0 inside phase twotime: the messages that have come, as phase
 * write, their time kept apart from the bin's. */
static void serve_between(xpcs_ttstage *t)
{
    const double t0 = omp_get_wtime();
    xpcs_timer_stop(t->tm, XPCS_T_TWOTIME);
    xpcs_timer_start(t->tm, XPCS_T_WRITE);
    serve(t, t->comm, 0, t->err);
    xpcs_timer_stop(t->tm, XPCS_T_WRITE);
    xpcs_timer_start(t->tm, XPCS_T_TWOTIME);
    t->serve_sec += omp_get_wtime() - t0;
}

/* Tile i (bin b): its rows of the map (packed: row r holds j >= r), the
 * float32 copy, the exact partial diagonal sums; *events: the bin's photon
 * events (its first tile, event kernel), *e: the sums' exponent. */
static void compute_tile(xpcs_ttstage *t, int i, double *sec, double *blas_sec, double *events,
                         int *e)
{
    const xpcs_ttplan *tp = t->tp;
    int b = 0;
    while (i >= tp->bin_tile[b + 1])
        b++;
    const int64_t N = t->N, k = xpcs_ttplan_bin_len(tp, b);
    const int64_t r0 = tp->tile_row0[i], r1 = tp->tile_row1[i];
    const int sparse = t->ev_mode == TT_EV_SPARSE;
    tile_buffers(t);
    for (int64_t r = r0, off = 0; r < r1; off += N - r, r++)
        t->row[r - r0] = t->Cp + off - r; /* row[r - r0][j], j >= r */
    if (!sparse)
        load_series(t, b, k);
    double t0 = omp_get_wtime(), cmax = 0;
    const int64_t *g = tp->grp + tp->grp_first[b];
    const int ng = (int)(tp->grp_first[b + 1] - tp->grp_first[b]) - 1;
    const xpcs_smooth sm = (xpcs_smooth)tp->smooth;
    *events = 0;
    *blas_sec = 0;
    const int own = tp->owner[b] == t->rank;
    const int64_t *ptr = sparse ? (own ? t->cptr + tp->col0[b] : t->rep_ptr[b]) : NULL;
    const uint32_t *fr = sparse && !own ? t->rep_fr[b] : t->cfr;
    const uint32_t *ct = sparse && !own ? t->rep_ct[b] : t->cct;
    if (sparse && i == tp->bin_tile[b])
        *events = (double)(ptr[k] - ptr[0]);
    /* rank 0 computes in blocks of 128 rows and reserves the others'
     * chunks in between (a rank waits for its offsets until rank 0 serves
     * it: blocks of 512 rows cost a rank at 2 ranks 0.08 s of 0.25 in
     * phase write); the bits do not depend on the rows asked for, cmax is
     * the whole map's */
    const int64_t step = t->rank == 0 && t->n_ranks > 1 ? 128 : r1 - r0;
    const double served = t->serve_sec;
    for (int64_t a = r0; a < r1; a += step) {
        const int64_t z = a + step < r1 ? a + step : r1;
        double bs = 0, cm = 0;
        if (sparse)
            xpcs_twotime_sparse_rows(ptr, fr, ct, N, k, g, ng, sm, a, z, t->row + (a - r0), &cm);
        else
            xpcs_twotime_dense_rows(t->X, N, k, g, ng, sm, a, z, t->row + (a - r0), &bs, &cm);
        *blas_sec += bs;
        cmax = cm > cmax ? cm : cmax;
        if (z < r1)
            serve_between(t);
    }
    *e = xpcs_twotime_diag_exponent(cmax);
    memset(t->acc, 0, sizeof(xpcs_xsum) * (size_t)n_sums(t));
    xpcs_twotime_diag_partial(t->row, N, r0, r1, *e, t->acc, t->sacc);
    *sec = omp_get_wtime() - t0 - (t->serve_sec - served);
    const int64_t area = tile_area(t, i);
#pragma omp parallel for schedule(static)
    for (int64_t q = 0; q < area; q++)
        t->tri[q] = (float)t->Cp[q];
}

/* compute_tile as phase twotime.  After a stop signal the maps are not
 * computed any more (zeros, which nobody publishes), so every rank
 * reaches the end quickly. */
static void compute_timed(xpcs_ttstage *t, int i, double *head, xpcs_timers *tm)
{
    head[0] = i;
    if (xpcs_signal_pending()) {
        tile_buffers(t);
        memset(t->acc, 0, sizeof(xpcs_xsum) * (size_t)n_sums(t));
        memset(t->tri, 0, sizeof(float) * (size_t)tile_area(t, i));
        head[1] = head[2] = head[3] = head[4] = 0;
        return;
    }
    xpcs_timer_start(tm, XPCS_T_TWOTIME);
    int e = 0;
    compute_tile(t, i, &head[1], &head[2], &head[3], &e);
    head[4] = e;
    xpcs_timer_stop(tm, XPCS_T_TWOTIME);
}

/* Rank 0: tile i's sums into its bin's (exact); the bin's means once its
 * last tile is in. */
static xpcs_status take_tile(xpcs_ttstage *t, const double *head, const xpcs_xsum *sums,
                             xpcs_status st, xpcs_err *err)
{
    const xpcs_ttplan *tp = t->tp;
    const int i = (int)head[0];
    int b = 0;
    while (i >= tp->bin_tile[b + 1])
        b++;
    const int64_t N = t->N, nb = tp->n_bins, len = N / 5, ns = n_sums(t);
    if (!t->bin_acc[b]) {
        t->bin_acc[b] = xpcs_calloc((size_t)ns + 1, sizeof(xpcs_xsum));
        t->bin_left[b] = tp->bin_tile[b + 1] - tp->bin_tile[b];
        t->bin_e[b] = (int)head[4];
    }
    xpcs_xsum *a = t->bin_acc[b];
    for (int64_t q = 0; q < ns; q++) /* exact: the order of the tiles does not matter */
        for (int d = 0; d < XPCS_XSUM_DIGITS; d++)
            a[q].d[d] += sums[q].d[d];
    t->bin_sec[b] += head[1];
    t->bin_blas[b] += head[2];
    t->bin_events[b] += head[3];
    t->rank_sec[tp->tile_rank[i]] += head[1];
    if (!st && xpcs_signal_pending())
        st = xpcs_signal_fail(err);
    if ((int)head[4] != t->bin_e[b] && !st) /* every tile derives it from the same data */
        st = xpcs_fail(err, XPCS_ERR_INTERNAL, "two-time bin %d: tiles disagree on the bound",
                       tp->bin[b]);
    if (--t->bin_left[b] == 0) {
        double *g2 = xpcs_malloc(sizeof(double) * (size_t)(N + len * 5 + 1));
        xpcs_twotime_diag_finish(a, a + N, N, t->bin_e[b], g2, g2 + N);
        for (int64_t k = 0; k < N; k++)
            t->all_g2[k * nb + b] = g2[k];
        for (int64_t k = 0; k < len; k++)
            for (int s = 0; s < 5; s++)
                t->all_seg[(k * 5 + s) * nb + b] = g2[N + k * 5 + s];
        free(g2);
        free(t->bin_acc[b]);
        t->bin_acc[b] = NULL;
        if (t->progress) /* a map can take minutes: one line per bin */
            fprintf(t->progress,
                    "xpcs-corr: two-time map %d/%d (bin %d) computed, elapsed %.1f s\n",
                    ++t->bins_done, tp->n_bins, tp->bin[b], omp_get_wtime() - t->t0);
    }
    return st;
}

static void map_path(char *path, size_t n, int64_t b)
{
    snprintf(path, n, "/xpcs/twotime/correlation_map/c2_%05lld", (long long)b + 1);
}

/* The first failure keeps its message in err; later ones go to scratch. */
static xpcs_err *err_for(xpcs_ttstage *t, xpcs_err *err)
{
    return t->st ? t->scratch : err;
}
static void note(xpcs_ttstage *t, xpcs_status s)
{
    if (!t->st)
        t->st = s;
}

/* Rank 0: one piece's records into the file (nothing after a failure);
 * the reserved chunks' offsets in t->addr[1..]. */
static void apply_piece(xpcs_ttstage *t, const unsigned char *p, size_t len, xpcs_err *err)
{
    int64_t n_res = 0;
    for (size_t at = 0; at < len && !t->st;) {
        piece_rec r;
        memcpy(&r, p + at, sizeof r);
        at += sizeof r;
        char path[64];
        map_path(path, sizeof path, r.bin);
        if (r.kind == REC_CHUNK) { /* rank 0's own, or of a rank without the file */
            note(t, xpcs_h5x_map_chunk(t->w, path, r.a, r.b, t->mz.chunk, p + at, (size_t)r.nbytes,
                                       (uint32_t)r.mask, err));
            xpcs_counter_add(t->tm, XPCS_C_MAP_BYTES, (double)r.nbytes);
            xpcs_counter_add(t->tm, XPCS_C_MAP_CHUNKS, 1.0);
        }
        else if (r.kind == REC_RESERVE)
            note(t, xpcs_h5x_map_reserve(t->w, path, r.a, r.b, t->mz.chunk, (size_t)r.nbytes,
                                         (uint32_t)r.mask, &t->addr[1 + n_res++], err));
        else
            note(t, xpcs_h5x_map_rows(t->w, path, t->N, r.a, r.b, r.c, p + at, err));
        at += payload(&r);
    }
}

/* Room for n offsets and the status before them in t->addr. */
static void addr_room(xpcs_ttstage *t, int64_t n)
{
    if ((size_t)n + 1 > t->addr_cap) {
        free(t->addr);
        t->addr_cap = (size_t)n + 1;
        t->addr = xpcs_malloc(sizeof(int64_t) * t->addr_cap);
    }
}

/* Rank 0: the messages that have come in (wait: all that are to come). */
static void serve(xpcs_ttstage *t, const xpcs_comm *c, int wait, xpcs_err *err)
{
    for (int src; t->remote > 0 && (src = xpcs_comm_probe(c, TAG_HEAD, wait)) >= 0;) {
        msg_head h;
        xpcs_comm_recv_bytes(c, &h, sizeof h, src, TAG_HEAD);
        if ((size_t)h.bytes > t->inbox_cap) {
            free(t->inbox);
            t->inbox_cap = (size_t)h.bytes;
            t->inbox = xpcs_malloc(t->inbox_cap);
        }
        if (h.bytes > 0)
            xpcs_comm_recv_bytes(c, t->inbox, (size_t)h.bytes, src, TAG_BODY);
        if (h.kind == MSG_SUMS) {
            double head[HEAD];
            memcpy(head, t->inbox, sizeof head);
            const xpcs_xsum *sums = (const xpcs_xsum *)(t->inbox + sizeof(double) * HEAD);
            note(t, take_tile(t, head, sums, XPCS_OK, err_for(t, err)));
        }
        else {
            addr_room(t, h.n_res);
            const double a0 = omp_get_wtime();
            if (!t->st)
                apply_piece(t, t->inbox, (size_t)h.bytes, err);
            xpcs_counter_add(t->tm, XPCS_C_MAP_SERVE_S, omp_get_wtime() - a0);
            if (h.n_res > 0) { /* the sender waits for the offsets, even after a failure */
                t->addr[0] = t->st ? 1 : 0;
                xpcs_comm_send_bytes(c, t->addr, sizeof(int64_t) * (size_t)(h.n_res + 1), src,
                                     TAG_ADDR);
            }
        }
        t->remote -= h.kind == MSG_SUMS || h.last;
    }
}

/* A rank other than 0: the outbox's chunks at the offsets rank 0 gave
 * (t->addr[1..]), in the order of the piece's REC_RESERVE records; runs of
 * adjacent chunks in one write. */
static void write_outbox(xpcs_ttstage *t, xpcs_err *err)
{
    size_t from = 0, run = 0; /* the run: outbox bytes [from, from + run) */
    int64_t run_at = -1, q = 0;
    for (size_t at = 0; at < t->piece_len && !t->st;) {
        piece_rec r;
        memcpy(&r, t->piece + at, sizeof r);
        at += sizeof r + payload(&r);
        if (r.kind != REC_RESERVE)
            continue;
        const int64_t a = t->addr[1 + q++];
        if (run > 0 && run_at + (int64_t)run != a) {
            note(t,
                 xpcs_comm_file_write_at(t->file, run_at, t->outbox + from, run, err_for(t, err)));
            from += run;
            run = 0;
        }
        run_at = run == 0 ? a : run_at;
        run += (size_t)r.nbytes;
        xpcs_counter_add(t->tm, XPCS_C_MAP_BYTES, (double)r.nbytes);
        xpcs_counter_add(t->tm, XPCS_C_MAP_CHUNKS, 1.0);
    }
    if (run > 0 && !t->st)
        note(t, xpcs_comm_file_write_at(t->file, run_at, t->outbox + from, run, err_for(t, err)));
}

/* The gathered records: rank 0 writes them; the others send them and,
 * once rank 0 has reserved their chunks' space, write the chunks. */
static void flush_piece(xpcs_ttstage *t, const xpcs_comm *c, int last, xpcs_err *err)
{
    if (t->rank == 0) {
        apply_piece(t, t->piece, t->piece_len, err);
        t->piece_len = 0;
        serve(t, c, 0, err);
        return;
    }
    msg_head h = {MSG_PIECE, (int64_t)t->piece_len, last, t->st, t->n_res};
    xpcs_comm_send_bytes(c, &h, sizeof h, 0, TAG_HEAD);
    if (t->piece_len > 0)
        xpcs_comm_send_bytes(c, t->piece, t->piece_len, 0, TAG_BODY);
    if (t->n_res > 0) {
        addr_room(t, t->n_res);
        xpcs_comm_recv_bytes(c, t->addr, sizeof(int64_t) * (size_t)(t->n_res + 1), 0, TAG_ADDR);
        if (t->addr[0] == 0) /* else rank 0 failed: its error comes with the agreement */
            write_outbox(t, err);
    }
    t->piece_len = t->outbox_len = 0;
    t->n_res = 0;
}

/* Room for one record with its payload in the piece (sent first when full). */
static void *add_record(xpcs_ttstage *t, const xpcs_comm *c, const piece_rec *r, xpcs_err *err)
{
    const size_t need = sizeof *r + payload(r);
    if (t->piece_len + need > t->piece_cap && t->piece_len > 0)
        flush_piece(t, c, 0, err);
    if (need > t->piece_cap) { /* a row longer than a piece */
        free(t->piece);
        t->piece_cap = need;
        t->piece = xpcs_malloc(need);
    }
    unsigned char *p = t->piece + t->piece_len;
    memcpy(p, r, sizeof *r);
    t->piece_len += need;
    return p + sizeof *r; /* 8-byte aligned: records and payloads are whole int64s */
}

/* Chunk (k, j) of bin b from the packed rows [k C, e) (row r at rp[r]
 * holds columns r..N-1), compressed. */
static void add_chunk(xpcs_ttstage *t, const xpcs_comm *c, int b, int64_t k, int64_t j, int64_t e,
                      const float *const *rp, xpcs_err *err)
{
    const int64_t N = t->N, C = t->mz.chunk, q1 = (j + 1) * C < N ? (j + 1) * C : N;
    memset(t->blk, 0, sizeof(float) * (size_t)(C * C));
    for (int64_t r = k * C; r < e; r++) {
        const int64_t q0 = j * C > r ? j * C : r;
        if (q0 < q1)
            memcpy(t->blk + (r - k * C) * C + (q0 - j * C), rp[r - k * C] + (q0 - r),
                   sizeof(float) * (size_t)(q1 - q0));
    }
    const void *bytes;
    size_t n;
    uint32_t mask;
    note(t, xpcs_mapz_pack(t->z, t->blk, &bytes, &n, &mask, err_for(t, err)));
    if (t->st)
        return;
    if (!t->file) { /* rank 0, or a rank that cannot open the file: bytes to rank 0 */
        const piece_rec rec = {REC_CHUNK, b, k, j, 0, (int64_t)n, mask};
        memcpy(add_record(t, c, &rec, err), bytes, n);
        return;
    }
    /* the bytes stay here until rank 0 has reserved their place */
    if (t->outbox_len + n > PIECE_BYTES && t->outbox_len > 0)
        flush_piece(t, c, 0, err);
    const piece_rec rec = {REC_RESERVE, b, k, j, 0, (int64_t)n, mask};
    add_record(t, c, &rec, err); /* may send the piece before this record */
    if (t->outbox_len + n > t->outbox_cap) {
        t->outbox_cap = t->outbox_len + n > PIECE_BYTES ? t->outbox_len + n : PIECE_BYTES;
        unsigned char *o = xpcs_malloc(t->outbox_cap);
        if (t->outbox_len > 0) /* the first time: no outbox yet */
            memcpy(o, t->outbox, t->outbox_len);
        free(t->outbox);
        t->outbox = o;
    }
    memcpy(t->outbox + t->outbox_len, bytes, n);
    t->outbox_len += n;
    t->n_res++;
}

/* Rows [a, e) from column col0 on, plain (a chunk row shared with another
 * tile), in records that fit a piece. */
static void add_rows(xpcs_ttstage *t, const xpcs_comm *c, int b, int64_t a, int64_t e, int64_t col0,
                     const float *const *rp, xpcs_err *err)
{
    const int64_t N = t->N, w = N - col0;
    int64_t per = PIECE_BYTES / (4 * w) - 1;
    per = per < 1 ? 1 : per;
    for (int64_t r = a; r < e; r += per) {
        const int64_t nr = r + per < e ? per : e - r;
        const piece_rec rec = {REC_ROWS, b, r, nr, col0, 4 * nr * w, 0};
        float *dst = add_record(t, c, &rec, err);
        for (int64_t q = r; q < r + nr; q++, dst += w) {
            memset(dst, 0, sizeof(float) * (size_t)(q - col0));
            memcpy(dst + (q - col0), rp[q - a], sizeof(float) * (size_t)(N - q));
        }
    }
}

/* Tile i's rows as chunks of its map (phase write): the chunk rows wholly
 * inside the tile compressed here (chunks left of the diagonal skipped),
 * a chunk row shared with a neighbour tile as plain rows from its diagonal
 * chunk on.  Ends with the tile's last piece. */
static void emit_tile(xpcs_ttstage *t, const xpcs_comm *c, int i, xpcs_timers *tm, xpcs_err *err)
{
    const xpcs_ttplan *tp = t->tp;
    int b = 0;
    while (i >= tp->bin_tile[b + 1])
        b++;
    const int64_t N = t->N, C = t->mz.chunk, nc = (N + C - 1) / C;
    const int64_t r0 = tp->tile_row0[i], r1 = tp->tile_row1[i];
    xpcs_timer_start(tm, XPCS_T_WRITE);
    const float *rp[256 + 1];
    const float *next = t->tri;
    for (int64_t a = r0; a < r1 && !t->st && !xpcs_signal_pending();) {
        const int64_t k = a / C, kend = (k + 1) * C < N ? (k + 1) * C : N;
        const int64_t e = kend < r1 ? kend : r1;
        for (int64_t r = a; r < e; r++) { /* the packed rows of this chunk row */
            rp[r - a] = next;
            next += N - r;
        }
        if (a == k * C && e == kend)
            for (int64_t j = k; j < nc && !t->st; j++)
                add_chunk(t, c, b, k, j, e, rp, err);
        else
            add_rows(t, c, b, a, e, k * C, rp, err);
        if (t->rank == 0)
            serve(t, c, 0, err);
        a = e;
    }
    flush_piece(t, c, 1, err);
    xpcs_timer_stop(tm, XPCS_T_WRITE);
}

xpcs_status xpcs_ttstage_map_files(xpcs_ttstage *t, xpcs_resfile *w, xpcs_err *err)
{
    t->mz = xpcs_mapz_choose(t->N);
    xpcs_status st = XPCS_OK;
    for (int b = 0; b < t->tp->n_bins && !st; b++) {
        char path[64];
        map_path(path, sizeof path, b);
        st = xpcs_h5x_map_create(w, path, t->N, &t->mz, err);
    }
    return st;
}

/* Rank 0: the results' arrays. */
static void results_alloc(xpcs_ttstage *t)
{
    const int64_t N = t->N, nb = t->tp->n_bins;
    t->all_g2 = xpcs_calloc((size_t)(N * nb), sizeof(double));
    t->all_seg = xpcs_calloc((size_t)(N / 5 * 5 * nb) + 1, sizeof(double));
    t->bin_sec = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_blas = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_events = xpcs_calloc((size_t)nb, sizeof(double));
    t->rank_sec = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    t->bin_acc = xpcs_calloc((size_t)nb, sizeof(xpcs_xsum *));
    t->bin_left = xpcs_calloc((size_t)nb, sizeof(int));
    t->bin_e = xpcs_calloc((size_t)nb, sizeof(int));
}

/* Every rank: its tiles computed (phase twotime), their sums to rank 0
 * (a message as soon as a tile is computed) and their chunks compressed and
 * sent (phase write); rank 0 serves the others between its own chunk rows
 * and tiles, and at the end until every tile's sums and last piece are in. */
static xpcs_status tiles(xpcs_ttstage *t, const xpcs_comm *c, xpcs_timers *tm, xpcs_err *err)
{
    const int root = t->rank == 0;
    const size_t hl = sizeof(double) * HEAD + sizeof(xpcs_xsum) * (size_t)n_sums(t);
    unsigned char *msg = root ? NULL : xpcs_malloc(hl);
    t->remote = 0;
    for (int i = 0; i < t->tp->n_tiles && root; i++)
        t->remote += t->tp->tile_rank[i] != 0 ? 2 : 0; /* sums and last piece */
    for (int i = 0; i < t->tp->n_tiles; i++) {
        if (t->tp->tile_rank[i] != t->rank)
            continue;
        double head[HEAD];
        compute_timed(t, i, head, tm);
        if (root) {
            note(t, take_tile(t, head, t->acc, XPCS_OK, err_for(t, err)));
        }
        else {
            const msg_head h = {MSG_SUMS, (int64_t)hl, 0, t->st, 0};
            memcpy(msg, head, sizeof head);
            memcpy(msg + sizeof head, t->acc, hl - sizeof head);
            xpcs_comm_send_bytes(c, &h, sizeof h, 0, TAG_HEAD);
            xpcs_comm_send_bytes(c, msg, hl, 0, TAG_BODY);
        }
        emit_tile(t, c, i, tm, err);
    }
    if (root)
        serve(t, c, 1, err);
    else if (t->file) { /* its bytes durable before the agreement lets rank 0 publish */
        xpcs_timer_start(tm, XPCS_T_WRITE);
        note(t, xpcs_comm_file_close_written(&t->file, err_for(t, err)));
        xpcs_timer_stop(tm, XPCS_T_WRITE);
    }
    free(msg);
    return t->st;
}

xpcs_status xpcs_ttstage_maps(xpcs_ttstage *t, const xpcs_comm *c, xpcs_resfile *w, xpcs_status st,
                              FILE *progress, xpcs_timers *tm, xpcs_err *err)
{
    st = xpcs_comm_agree(c, st, err); /* rank 0's file, up to here */
    if (st)
        return st;
    if (t->rank == 0)
        results_alloc(t);
    xpcs_comm_bcast(c, &t->mz, sizeof t->mz, 0);
    if (t->rank == 0)
        snprintf(t->tmp_path, sizeof t->tmp_path, "%s", xpcs_resfile_tmp(w));
    xpcs_comm_bcast(c, t->tmp_path, sizeof t->tmp_path, 0);
    t->w = w;
    t->comm = c;
    t->tm = tm;
    t->err = err;
    t->progress = t->rank == 0 ? progress : NULL;
    t->t0 = omp_get_wtime();
    t->st = XPCS_OK;
    if (!t->scratch) {
        t->scratch = xpcs_malloc(sizeof(xpcs_err));
        t->piece_cap = PIECE_BYTES;
        t->piece = xpcs_malloc(t->piece_cap);
        t->blk = xpcs_malloc(sizeof(float) * (size_t)t->mz.chunk * (size_t)t->mz.chunk);
    }
    st = xpcs_comm_agree(c, t->z ? XPCS_OK : xpcs_mapz_create(&t->mz, &t->z, err), err);
    if (st)
        return st;
    int mine = 0;
    for (int i = 0; i < t->tp->n_tiles; i++)
        mine |= t->tp->tile_rank[i] == t->rank;
    /* where rank 0's file is not in reach (a disk of its node only), this
     * rank's chunks go to rank 0 as they are (REC_CHUNK); so they do with
     * io.maps_to_root */
    if (t->rank != 0 && mine && !t->file && !t->maps_to_root &&
        xpcs_comm_file_open_mine(t->tmp_path, &t->file, t->scratch) != XPCS_OK)
        t->file = NULL;
    tile_buffers(t);
    st = tiles(t, c, tm, err);
    return xpcs_comm_agree(c, st, err);
}
