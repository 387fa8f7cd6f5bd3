/* comm: the only compilation unit that calls MPI directly. */
#include "xpcs/parallel/comm.h"
#include "xpcs/parallel/comm_mpi.h"

#include "xpcs/core/signals.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct xpcs_comm {
    MPI_Comm comm;
    int rank;
    int size;
};

/* A tree collective of `bytes` from T0 on (comm_stats.c's convention). */
#define TALLY_TREE(KIND, T0, BYTES)                                                                \
    xpcs_comm_tally((KIND), MPI_Wtime() - (T0), xpcs_comm_tree_msgs(c->size),                      \
                    xpcs_comm_tree_msgs(c->size), (double)(BYTES), (double)(BYTES))

/* A gather of `bytes` per rank onto root: root receives P - 1 messages. */
static void tally_gather(const xpcs_comm *c, double t0, int root, size_t bytes)
{
    const int at_root = c->rank == root;
    const double others = c->size - 1;
    xpcs_comm_tally(XPCS_COLL_GATHER, MPI_Wtime() - t0, at_root ? 0 : 1, at_root ? others : 0,
                    at_root ? 0 : (double)bytes, at_root ? others * (double)bytes : 0);
}

static MPI_Datatype mpi_type(xpcs_dtype t)
{
    switch (t) {
    case XPCS_DT_U8:
        return MPI_UINT8_T;
    case XPCS_DT_U16:
        return MPI_UINT16_T;
    case XPCS_DT_U32:
        return MPI_UINT32_T;
    default:
        return MPI_DOUBLE;
    }
}

/* The status layer's abort hook: an allocation failure on one rank ends
 * the whole job (the others may be waiting in a collective). */
static void abort_job(int code)
{
    int inited = 0, done = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&done);
    if (inited && !done)
        MPI_Abort(MPI_COMM_WORLD, code);
}

/* What start-up chose for Open MPI's point-to-point layer (xpcs_comm_print_launch). */
static const char *launch_note = NULL;

/* Every rank on one node (mpirun says so in OMPI_COMM_WORLD_SIZE and
 * OMPI_COMM_WORLD_LOCAL_SIZE) and no choice of the user's: Open MPI's ob1
 * layer (shared memory between the ranks) at once, instead of its default
 * selection, which opens and probes the network layers (UCX, cm) first: that
 * took 0.2 s of every run here (MPI_Init + MPI_Finalize at 2 ranks: 0.38 s,
 * 0.18 s with ob1; Open MPI 4.1.4), and one node uses no network.  An
 * OMPI_MCA_pml the user sets wins; MPI_Init reads it, so it is set before. */
static void prefer_shared_memory_pml(void)
{
    const char *size = getenv("OMPI_COMM_WORLD_SIZE");
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (getenv("OMPI_MCA_pml")) {
        launch_note = "the user's (OMPI_MCA_pml)";
        return;
    }
    if (!size || !local || strcmp(size, local) != 0)
        return;
    if (setenv("OMPI_MCA_pml", "ob1", 0) == 0)
        launch_note = "ob1 (every rank on one node; OMPI_MCA_pml chooses another)";
}

void xpcs_comm_print_launch(FILE *out)
{
    fprintf(out, "MPI point-to-point layer: %s\n",
            launch_note ? launch_note : "Open MPI's default");
}

xpcs_status xpcs_comm_init(int *argc, char ***argv, xpcs_comm **world, xpcs_err *err)
{
    int provided = 0;
    prefer_shared_memory_pml();
    /* FUNNELED: OpenMP threads compute, only the main thread calls MPI and
     * HDF5 (the parallel HDF5 build is not thread-safe) */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return xpcs_fail(err, XPCS_ERR_MPI, "MPI_Init_thread failed");
    xpcs_set_abort_hook(abort_job);
    return xpcs_comm_wrap(MPI_COMM_WORLD, world, err);
}

void xpcs_comm_finalize(xpcs_comm **world)
{
    xpcs_comm_destroy(world);
    int inited = 0, done = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&done);
    if (inited && !done)
        MPI_Finalize();
}

xpcs_status xpcs_comm_dup(const xpcs_comm *parent, xpcs_comm **out, xpcs_err *err)
{
    return xpcs_comm_wrap(parent->comm, out, err);
}

MPI_Info xpcs_comm_info(const xpcs_comm *c)
{
    (void)c; /* no MPI-IO hints yet: the implementation's defaults */
    return MPI_INFO_NULL;
}

xpcs_status xpcs_comm_wrap(MPI_Comm parent, xpcs_comm **out, xpcs_err *err)
{
    xpcs_comm *c = xpcs_calloc(1, sizeof *c);
    if (MPI_Comm_dup(parent, &c->comm) != MPI_SUCCESS) {
        free(c);
        return xpcs_fail(err, XPCS_ERR_MPI, "MPI_Comm_dup failed");
    }
    MPI_Comm_rank(c->comm, &c->rank);
    MPI_Comm_size(c->comm, &c->size);
    *out = c;
    return XPCS_OK;
}

void xpcs_comm_destroy(xpcs_comm **c)
{
    if (!c || !*c)
        return;
    MPI_Comm_free(&(*c)->comm);
    free(*c);
    *c = NULL;
}

int xpcs_comm_rank(const xpcs_comm *c)
{
    return c->rank;
}
int xpcs_comm_size(const xpcs_comm *c)
{
    return c->size;
}
int xpcs_comm_is_root(const xpcs_comm *c)
{
    return c->rank == 0;
}
MPI_Comm xpcs_comm_raw(const xpcs_comm *c)
{
    return c->comm;
}
xpcs_status xpcs_comm_split_node(const xpcs_comm *c, xpcs_comm **out, xpcs_err *err)
{
    MPI_Comm node = MPI_COMM_NULL;
    *out = NULL;
    if (MPI_Comm_split_type(c->comm, MPI_COMM_TYPE_SHARED, c->rank, MPI_INFO_NULL, &node) !=
            MPI_SUCCESS ||
        node == MPI_COMM_NULL)
        return xpcs_fail(err, XPCS_ERR_MPI, "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) failed");
    xpcs_comm *s = xpcs_calloc(1, sizeof *s);
    s->comm = node;
    MPI_Comm_rank(node, &s->rank);
    MPI_Comm_size(node, &s->size);
    *out = s;
    return XPCS_OK;
}

int xpcs_comm_node_size(const xpcs_comm *c)
{
    xpcs_comm *node = NULL;
    xpcs_err err;
    if (xpcs_comm_split_node(c, &node, &err) != XPCS_OK)
        return 1;
    const int n = node->size;
    xpcs_comm_destroy(&node);
    return n;
}

double xpcs_comm_wtime(void)
{
    return MPI_Wtime();
}

xpcs_status xpcs_comm_agree(const xpcs_comm *c, xpcs_status local, xpcs_err *err)
{
    int mine[2] = {(int)local, local != XPCS_OK ? c->rank : INT_MAX};
    int worst[2];
    /* Two reductions in one call would need MINLOC semantics on different
     * keys; do the status max and the first failing rank separately. */
    /* the status and any stop signal (SIGTERM, ...) in one reduction: a
     * signal on any rank stops every rank here, together */
    int stop[2] = {mine[0], xpcs_signal_pending()}, any[2];
    const double t0 = MPI_Wtime();
    MPI_Allreduce(stop, any, 2, MPI_INT, MPI_MAX, c->comm);
    TALLY_TREE(XPCS_COLL_ALLREDUCE, t0, sizeof stop);
    if (any[1] > 0) {
        xpcs_signal_agreed(any[1]);
        return xpcs_signal_fail(err);
    }
    worst[0] = any[0];
    if (worst[0] == XPCS_OK)
        return XPCS_OK;
    MPI_Allreduce(&mine[1], &worst[1], 1, MPI_INT, MPI_MIN, c->comm);
    /* the message's own length, not the 64 KiB buffer, travels */
    const int from = worst[1];
    int len = c->rank == from && err ? (int)strnlen(err->msg, sizeof err->msg - 1) : 0;
    MPI_Bcast(&len, 1, MPI_INT, from, c->comm);
    char *text = xpcs_malloc((size_t)len + 1);
    if (c->rank == from)
        memcpy(text, err ? err->msg : "", (size_t)len);
    MPI_Bcast(text, len, MPI_CHAR, from, c->comm);
    text[len] = '\0';
    if (err)
        memcpy(err->msg, text, (size_t)len + 1);
    free(text);
    return (xpcs_status)worst[0];
}

void xpcs_comm_barrier(const xpcs_comm *c)
{
    const double t0 = MPI_Wtime();
    MPI_Barrier(c->comm);
    TALLY_TREE(XPCS_COLL_BARRIER, t0, 0);
}

/* ---- batch scheduling --------------------------------------------------- */

xpcs_status xpcs_comm_split(const xpcs_comm *c, int color, int key, xpcs_comm **out, xpcs_err *err)
{
    MPI_Comm sub = MPI_COMM_NULL;
    *out = NULL;
    if (MPI_Comm_split(c->comm, color >= 0 ? color : MPI_UNDEFINED, key, &sub) != MPI_SUCCESS)
        return xpcs_fail(err, XPCS_ERR_MPI, "MPI_Comm_split failed");
    if (sub == MPI_COMM_NULL)
        return XPCS_OK;
    xpcs_comm *s = xpcs_calloc(1, sizeof *s);
    s->comm = sub;
    MPI_Comm_rank(sub, &s->rank);
    MPI_Comm_size(sub, &s->size);
    *out = s;
    return XPCS_OK;
}

void xpcs_comm_send(const xpcs_comm *c, const void *buf, size_t bytes, int dest, int tag)
{
    const double t0 = MPI_Wtime();
    MPI_Send(buf, (int)bytes, MPI_BYTE, dest, tag, c->comm);
    xpcs_comm_tally(XPCS_COLL_P2P, MPI_Wtime() - t0, 1, 0, (double)bytes, 0);
}

void xpcs_comm_recv(const xpcs_comm *c, void *buf, size_t bytes, int source, int tag)
{
    const double t0 = MPI_Wtime();
    MPI_Recv(buf, (int)bytes, MPI_BYTE, source, tag, c->comm, MPI_STATUS_IGNORE);
    xpcs_comm_tally(XPCS_COLL_P2P, MPI_Wtime() - t0, 0, 1, 0, (double)bytes);
}

/* Tests rq until it completes, sleeping 1 ms between tests. */
static void wait_idle(MPI_Request *rq, MPI_Status *status)
{
    const struct timespec nap = {0, 1000000L};
    int done = 0;
    for (;;) {
        MPI_Test(rq, &done, status);
        if (done)
            return;
        nanosleep(&nap, NULL);
    }
}

void xpcs_comm_recv_any(const xpcs_comm *c, void *buf, size_t bytes, int tag, int *source)
{
    MPI_Request rq;
    MPI_Status status;
    const double t0 = MPI_Wtime();
    MPI_Irecv(buf, (int)bytes, MPI_BYTE, MPI_ANY_SOURCE, tag, c->comm, &rq);
    wait_idle(&rq, &status);
    xpcs_comm_tally(XPCS_COLL_P2P, MPI_Wtime() - t0, 0, 1, 0, (double)bytes);
    if (source)
        *source = status.MPI_SOURCE;
}

void xpcs_comm_bcast_idle(const xpcs_comm *c, void *buf, size_t bytes, int root)
{
    MPI_Request rq;
    const double t0 = MPI_Wtime();
    MPI_Ibcast(buf, (int)bytes, MPI_BYTE, root, c->comm, &rq);
    wait_idle(&rq, MPI_STATUS_IGNORE);
    TALLY_TREE(XPCS_COLL_BCAST, t0, bytes);
}

void xpcs_comm_bcast(const xpcs_comm *c, void *buf, size_t bytes, int root)
{
    /* Chunk so that each count fits an int. */
    const size_t max = (size_t)1 << 30;
    char *p = buf;
    const double t0 = MPI_Wtime();
    const size_t all = bytes;
    while (bytes > 0) {
        size_t n = bytes < max ? bytes : max;
        MPI_Bcast(p, (int)n, MPI_BYTE, root, c->comm);
        p += n;
        bytes -= n;
    }
    TALLY_TREE(XPCS_COLL_BCAST, t0, all);
}

void xpcs_comm_allreduce_max_double(const xpcs_comm *c, double *buf, int n)
{
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_MAX, c->comm);
    TALLY_TREE(XPCS_COLL_ALLREDUCE, t0, sizeof(double) * (size_t)n);
}

void xpcs_comm_allreduce_min_double(const xpcs_comm *c, double *buf, int n)
{
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_MIN, c->comm);
    TALLY_TREE(XPCS_COLL_ALLREDUCE, t0, sizeof(double) * (size_t)n);
}

void xpcs_comm_allreduce_sum_int64(const xpcs_comm *c, int64_t *buf, int n)
{
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_INT64_T, MPI_SUM, c->comm);
    TALLY_TREE(XPCS_COLL_ALLREDUCE, t0, sizeof(int64_t) * (size_t)n);
}

static void reduce_chunked(const xpcs_comm *c, void *buf, int64_t n, MPI_Datatype t, size_t esz,
                           int root)
{
    const int64_t max = (int64_t)1 << 28, all = n;
    char *p = buf;
    const double t0 = MPI_Wtime();
    while (n > 0) {
        int k = (int)(n < max ? n : max);
        if (c->rank == root)
            MPI_Reduce(MPI_IN_PLACE, p, k, t, MPI_SUM, root, c->comm);
        else
            MPI_Reduce(p, NULL, k, t, MPI_SUM, root, c->comm);
        p += (size_t)k * esz;
        n -= k;
    }
    TALLY_TREE(XPCS_COLL_REDUCE, t0, esz * (size_t)all);
}

void xpcs_comm_reduce_sum_double(const xpcs_comm *c, double *buf, int64_t n, int root)
{
    reduce_chunked(c, buf, n, MPI_DOUBLE, sizeof(double), root);
}

void xpcs_comm_reduce_sum_int64(const xpcs_comm *c, int64_t *buf, int64_t n, int root)
{
    reduce_chunked(c, buf, n, MPI_INT64_T, sizeof(int64_t), root);
}

void xpcs_comm_gather_double(const xpcs_comm *c, double v, double *out, int root)
{
    const double t0 = MPI_Wtime();
    MPI_Gather(&v, 1, MPI_DOUBLE, out, 1, MPI_DOUBLE, root, c->comm);
    tally_gather(c, t0, root, sizeof(double));
}

void xpcs_comm_gather_doubles(const xpcs_comm *c, const double *mine, int n, double *out, int root)
{
    const double t0 = MPI_Wtime();
    MPI_Gather(mine, n, MPI_DOUBLE, out, n, MPI_DOUBLE, root, c->comm);
    tally_gather(c, t0, root, sizeof(double) * (size_t)n);
}

void xpcs_comm_gather_bytes(const xpcs_comm *c, const void *mine, int n, void *out, int root)
{
    const double t0 = MPI_Wtime();
    MPI_Gather(mine, n, MPI_BYTE, out, n, MPI_BYTE, root, c->comm);
    tally_gather(c, t0, root, (size_t)n);
}

void xpcs_comm_allgatherv_double(const xpcs_comm *c, const double *mine, int my_count, double *all,
                                 const int *counts)
{
    int *displ = xpcs_malloc(sizeof(int) * (size_t)c->size);
    int off = 0;
    for (int r = 0; r < c->size; r++) {
        displ[r] = off;
        off += counts[r];
    }
    const double t0 = MPI_Wtime();
    MPI_Allgatherv(mine, my_count, MPI_DOUBLE, all, counts, displ, MPI_DOUBLE, c->comm);
    /* a ring: P - 1 messages each way, my part out, the others' in */
    const double ring = c->size > 1 ? c->size - 1 : 0;
    xpcs_comm_tally(XPCS_COLL_ALLGATHERV, MPI_Wtime() - t0, ring, ring, 8.0 * my_count * ring,
                    8.0 * (off - counts[c->rank]));
    free(displ);
}

void xpcs_comm_alltoallv(const xpcs_comm *c, const void *send, const int *scount, const int *sdispl,
                         void *recv, const int *rcount, const int *rdispl, xpcs_dtype t)
{
    const double t0 = MPI_Wtime();
    MPI_Alltoallv(send, scount, sdispl, mpi_type(t), recv, rcount, rdispl, mpi_type(t), c->comm);
    double mo = 0, mi = 0, bo = 0, bi = 0;
    const double esz = (double)xpcs_dtype_size(t);
    for (int r = 0; r < c->size; r++)
        if (r != c->rank) {
            mo += scount[r] > 0;
            mi += rcount[r] > 0;
            bo += esz * scount[r];
            bi += esz * rcount[r];
        }
    xpcs_comm_tally(XPCS_COLL_ALLTOALLV, MPI_Wtime() - t0, mo, mi, bo, bi);
}

#define P2P_CHUNK ((size_t)1 << 30)

void xpcs_comm_send_bytes(const xpcs_comm *c, const void *buf, size_t bytes, int dest, int tag)
{
    const char *p = buf;
    const double t0 = MPI_Wtime();
    const size_t all = bytes;
    do {
        size_t n = bytes < P2P_CHUNK ? bytes : P2P_CHUNK;
        MPI_Send(p, (int)n, MPI_BYTE, dest, tag, c->comm);
        p += n;
        bytes -= n;
    } while (bytes > 0);
    xpcs_comm_tally(XPCS_COLL_P2P, MPI_Wtime() - t0, 1, 0, (double)all, 0);
}

void xpcs_comm_recv_bytes(const xpcs_comm *c, void *buf, size_t bytes, int src, int tag)
{
    char *p = buf;
    const double t0 = MPI_Wtime();
    const size_t all = bytes;
    do {
        size_t n = bytes < P2P_CHUNK ? bytes : P2P_CHUNK;
        MPI_Recv(p, (int)n, MPI_BYTE, src, tag, c->comm, MPI_STATUS_IGNORE);
        p += n;
        bytes -= n;
    } while (bytes > 0);
    xpcs_comm_tally(XPCS_COLL_P2P, MPI_Wtime() - t0, 0, 1, 0, (double)all);
}

int xpcs_comm_probe(const xpcs_comm *c, int tag, int wait)
{
    MPI_Status s;
    if (wait) {
        MPI_Probe(MPI_ANY_SOURCE, tag, c->comm, &s);
        return s.MPI_SOURCE;
    }
    int flag = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, tag, c->comm, &flag, &s);
    return flag ? s.MPI_SOURCE : -1;
}

void xpcs_comm_allreduce_sum_double(const xpcs_comm *c, double *buf, int64_t n)
{
    const int64_t max = (int64_t)1 << 28;
    while (n > 0) {
        int k = (int)(n < max ? n : max);
        const double t0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, buf, k, MPI_DOUBLE, MPI_SUM, c->comm);
        TALLY_TREE(XPCS_COLL_ALLREDUCE, t0, sizeof(double) * (size_t)k);
        buf += k;
        n -= k;
    }
}

void xpcs_comm_alltoall_int(const xpcs_comm *c, const int *send, int *recv)
{
    const double t0 = MPI_Wtime();
    MPI_Alltoall(send, 1, MPI_INT, recv, 1, MPI_INT, c->comm);
    const double others = c->size - 1;
    xpcs_comm_tally(XPCS_COLL_ALLTOALL, MPI_Wtime() - t0, others, others, 4.0 * others,
                    4.0 * others);
}

struct xpcs_file {
    MPI_File fh;
    char path[4096];
};

static void mpi_error_text(int code, char *buf, size_t n)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, s, &len) != MPI_SUCCESS)
        len = 0;
    s[len < MPI_MAX_ERROR_STRING ? len : MPI_MAX_ERROR_STRING - 1] = '\0';
    snprintf(buf, n, "%s", s);
}

/* Collective read-only open of PATH on every rank of C; errors are returned,
 * not fatal, on the handle. */
xpcs_status xpcs_comm_file_open(const xpcs_comm *c, const char *path, xpcs_file **out,
                                xpcs_err *err)
{
    xpcs_file *f = xpcs_calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    int rc = MPI_File_open(c->comm, path, MPI_MODE_RDONLY, MPI_INFO_NULL, &f->fh);
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        mpi_error_text(rc, msg, sizeof msg);
        free(f);
        *out = NULL;
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open with MPI-IO: %s", path, msg);
    }
    MPI_File_set_errhandler(f->fh, MPI_ERRORS_RETURN);
    *out = f;
    return XPCS_OK;
}

xpcs_status xpcs_comm_file_read_at_all(xpcs_file *f, int64_t offset, void *buf, size_t bytes,
                                       xpcs_err *err)
{
    if (bytes > (size_t)INT_MAX)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "%s: read of %zu bytes: more than 2^31-1", f->path,
                         bytes);
    MPI_Status status;
    char dummy;
    const double t0 = MPI_Wtime();
    int rc = MPI_File_read_at_all(f->fh, (MPI_Offset)offset, bytes ? buf : &dummy, (int)bytes,
                                  MPI_BYTE, &status);
    xpcs_comm_tally(XPCS_COLL_FILE_READ, MPI_Wtime() - t0, 0, 0, 0, (double)bytes);
    int got = 0;
    if (rc == MPI_SUCCESS)
        MPI_Get_count(&status, MPI_BYTE, &got);
    if (rc != MPI_SUCCESS || (size_t)got != bytes) {
        char msg[MPI_MAX_ERROR_STRING] = "short read";
        if (rc != MPI_SUCCESS)
            mpi_error_text(rc, msg, sizeof msg);
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: cannot read %zu bytes at offset %lld: %s (file changed or "
                         "truncated?)",
                         f->path, bytes, (long long)offset, msg);
    }
    return XPCS_OK;
}

void xpcs_comm_file_close(xpcs_file **f)
{
    if (!f || !*f)
        return;
    MPI_File_close(&(*f)->fh);
    free(*f);
    *f = NULL;
}

xpcs_status xpcs_comm_file_open_mine(const char *path, xpcs_file **out, xpcs_err *err)
{
    xpcs_file *f = xpcs_calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    /* MPI_COMM_SELF: the ranks write at different times, each its own bytes */
    const int rc = MPI_File_open(MPI_COMM_SELF, path, MPI_MODE_WRONLY, MPI_INFO_NULL, &f->fh);
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        mpi_error_text(rc, msg, sizeof msg);
        free(f);
        *out = NULL;
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot open for writing with MPI-IO: %s", path,
                         msg);
    }
    MPI_File_set_errhandler(f->fh, MPI_ERRORS_RETURN);
    *out = f;
    return XPCS_OK;
}

xpcs_status xpcs_comm_file_write_at(xpcs_file *f, int64_t off, const void *buf, size_t n,
                                    xpcs_err *err)
{
    const char *p = buf;
    while (n > 0) { /* MPI counts are ints */
        const int k = n < ((size_t)1 << 30) ? (int)n : 1 << 30;
        MPI_Status status;
        const double t0 = MPI_Wtime();
        const int rc = MPI_File_write_at(f->fh, (MPI_Offset)off, p, k, MPI_BYTE, &status);
        xpcs_comm_tally(XPCS_COLL_FILE_WRITE, MPI_Wtime() - t0, 0, 0, (double)k, 0);
        int done = 0;
        if (rc == MPI_SUCCESS)
            MPI_Get_count(&status, MPI_BYTE, &done);
        if (rc != MPI_SUCCESS || done <= 0) {
            char msg[MPI_MAX_ERROR_STRING] = "nothing written";
            if (rc != MPI_SUCCESS)
                mpi_error_text(rc, msg, sizeof msg);
            return xpcs_fail(err, XPCS_ERR_OUTPUT,
                             "%s: cannot write %d bytes at offset %lld with MPI-IO: %s", f->path, k,
                             (long long)off, msg);
        }
        p += done;
        off += done;
        n -= (size_t)done;
    }
    return XPCS_OK;
}

xpcs_status xpcs_comm_file_close_written(xpcs_file **fp, xpcs_err *err)
{
    if (!fp || !*fp)
        return XPCS_OK;
    xpcs_file *f = *fp;
    /* on stable storage before the run may publish the file: this rank's
     * bytes flushed here, in parallel with the others, not by the
     * publisher's fsync afterwards */
    const double t0 = MPI_Wtime();
    int rc = MPI_File_sync(f->fh);
    xpcs_comm_tally(XPCS_COLL_FILE_WRITE, MPI_Wtime() - t0, 0, 0, 0, 0);
    const int rc_close = MPI_File_close(&f->fh);
    rc = rc == MPI_SUCCESS ? rc_close : rc;
    xpcs_status st = XPCS_OK;
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        mpi_error_text(rc, msg, sizeof msg);
        st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                       "%s: cannot sync and close after writing with MPI-IO: %s", f->path, msg);
    }
    free(f);
    *fp = NULL;
    return st;
}

void xpcs_comm_abort(const char *msg, int code)
{
    fprintf(stderr, "xpcs: fatal: %s\n", msg);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}
