/* comm: the only module that calls MPI (CoMD parallel.c pattern).
 *
 * Wraps one communicator (a duplicate of the one passed in, so the engine
 * never hard-codes MPI_COMM_WORLD).  Collective helpers are named for what
 * they do; xpcs_comm_agree() is the one place where ranks agree on an error
 * before a collective, so that one failing rank never leaves the others
 * waiting.
 */
#ifndef XPCS_COMM_H
#define XPCS_COMM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xpcs/core/dtype.h"

#include "xpcs/core/status.h"

typedef struct xpcs_comm xpcs_comm;

/* Start-up (main only): MPI_Init_thread (FUNNELED), the status layer's
 * abort hook, and *world = a duplicate of MPI_COMM_WORLD.  Finalize frees
 * *world and ends MPI. */
xpcs_status xpcs_comm_init(int *argc, char ***argv, xpcs_comm **world, xpcs_err *err);
/* One line: the MPI point-to-point layer start-up chose, and why (-v). */
void xpcs_comm_print_launch(FILE *out);
void xpcs_comm_finalize(xpcs_comm **world);
/* A duplicate of parent (its own message space); free with xpcs_comm_destroy. */
xpcs_status xpcs_comm_dup(const xpcs_comm *parent, xpcs_comm **out, xpcs_err *err);
void xpcs_comm_destroy(xpcs_comm **c);

int xpcs_comm_rank(const xpcs_comm *c);
int xpcs_comm_size(const xpcs_comm *c);
int xpcs_comm_is_root(const xpcs_comm *c);
double xpcs_comm_wtime(void);
/* Number of ranks of c on this node (shared-memory split). */
int xpcs_comm_node_size(const xpcs_comm *c);
/* Collective over c: *out = the ranks of c on this node (shared memory),
 * ordered by their rank in c; free with xpcs_comm_destroy. */
xpcs_status xpcs_comm_split_node(const xpcs_comm *c, xpcs_comm **out, xpcs_err *err);

/* Every rank passes its local status; all return the worst (largest) one.
 * On failure err holds the message of the lowest failing rank, on every
 * rank, so rank 0 can print it and every rank exits together.  A stop
 * signal on any rank (core/signals.h) makes every rank return
 * XPCS_ERR_SIGNAL here ("interrupted by SIGTERM"): the step boundary where
 * all of them stop together. */
xpcs_status xpcs_comm_agree(const xpcs_comm *c, xpcs_status local, xpcs_err *err);

void xpcs_comm_barrier(const xpcs_comm *c);

/* ---- batch scheduling (batch.c): sub-communicators, small messages ---- */
/* Collective over c: ranks with the same color >= 0 form *out (ordered by
 * key, then rank); a rank with color < 0 gets *out = NULL. */
xpcs_status xpcs_comm_split(const xpcs_comm *c, int color, int key, xpcs_comm **out, xpcs_err *err);
/* Point-to-point byte messages (small: bytes must fit an int). */
void xpcs_comm_send(const xpcs_comm *c, const void *buf, size_t bytes, int dest, int tag);
void xpcs_comm_recv(const xpcs_comm *c, void *buf, size_t bytes, int source, int tag);
/* Receives one message with this tag from any rank; *source = the sender.
 * Waits by polling with short sleeps, so a rank that only waits (the batch
 * scheduler) takes no CPU time from the ranks that compute. */
void xpcs_comm_recv_any(const xpcs_comm *c, void *buf, size_t bytes, int tag, int *source);
/* xpcs_comm_bcast that waits the same sleepy way (for ranks that may wait
 * long, e.g. groups that finished while others still work). */
void xpcs_comm_bcast_idle(const xpcs_comm *c, void *buf, size_t bytes, int root);
void xpcs_comm_bcast(const xpcs_comm *c, void *buf, size_t bytes, int root);
void xpcs_comm_allreduce_max_double(const xpcs_comm *c, double *buf, int n);
void xpcs_comm_allreduce_min_double(const xpcs_comm *c, double *buf, int n);
void xpcs_comm_allreduce_sum_int64(const xpcs_comm *c, int64_t *buf, int n);
/* Sum onto root (in place on root; others' buffers are left as they were). */
void xpcs_comm_reduce_sum_double(const xpcs_comm *c, double *buf, int64_t n, int root);
void xpcs_comm_reduce_sum_int64(const xpcs_comm *c, int64_t *buf, int64_t n, int root);
/* Gather one double per rank onto root (out has size ranks on root). */
void xpcs_comm_gather_double(const xpcs_comm *c, double v, double *out, int root);
/* Gather n doubles (or n bytes) per rank onto root, rank-major: out has
 * size ranks * n on root (may be NULL elsewhere). */
void xpcs_comm_gather_doubles(const xpcs_comm *c, const double *mine, int n, double *out, int root);
void xpcs_comm_gather_bytes(const xpcs_comm *c, const void *mine, int n, void *out, int root);
/* Concatenate per-rank double arrays (counts[r] each) on every rank. */
void xpcs_comm_allgatherv_double(const xpcs_comm *c, const double *mine, int my_count, double *all,
                                 const int *counts);
/* Personalised all-to-all of typed elements; counts/displacements in
 * elements.  Counts must fit an int (the plan bounds the step size). */
void xpcs_comm_alltoallv(const xpcs_comm *c, const void *send, const int *scount, const int *sdispl,
                         void *recv, const int *rcount, const int *rdispl, xpcs_dtype t);

/* Point to point (two-time maps to the writer): blocking, any size (sent
 * in chunks below 2^31 bytes, received in the same chunks). */
void xpcs_comm_send_bytes(const xpcs_comm *c, const void *buf, size_t bytes, int dest, int tag);
void xpcs_comm_recv_bytes(const xpcs_comm *c, void *buf, size_t bytes, int src, int tag);
/* Rank of a sender with a message of `tag` pending for this rank; waits for
 * one when wait != 0, otherwise returns -1 when there is none. */
int xpcs_comm_probe(const xpcs_comm *c, int tag, int wait);
/* Element-wise sum over all ranks, in place (exact for integer values). */
void xpcs_comm_allreduce_sum_double(const xpcs_comm *c, double *buf, int64_t n);
/* One int to and from every rank (send[r] goes to rank r). */
void xpcs_comm_alltoall_int(const xpcs_comm *c, const int *send, int *recv);

/* A file read with MPI-IO (opened collectively, read-only). */
typedef struct xpcs_file xpcs_file;
xpcs_status xpcs_comm_file_open(const xpcs_comm *c, const char *path, xpcs_file **out,
                                xpcs_err *err);
/* Collective: every rank reads `bytes` bytes (0 allowed, < 2^31) at byte
 * offset `offset`; a short read is an error. */
xpcs_status xpcs_comm_file_read_at_all(xpcs_file *f, int64_t offset, void *buf, size_t bytes,
                                       xpcs_err *err);
void xpcs_comm_file_close(xpcs_file **f);
/* A rank's own writes into a file that another rank holds open (two-time
 * map chunks into the result file, whose space rank 0 reserved:
 * io/h5extra.h xpcs_h5x_map_reserve).  Not collective: this rank alone
 * opens the existing file (MPI_COMM_SELF) and writes when its bytes are
 * ready. */
xpcs_status xpcs_comm_file_open_mine(const char *path, xpcs_file **out, xpcs_err *err);
/* n bytes at byte offset off (MPI-IO, independent). */
xpcs_status xpcs_comm_file_write_at(xpcs_file *f, int64_t off, const void *buf, size_t n,
                                    xpcs_err *err);
/* Syncs (MPI_File_sync: on stable storage) and closes *f (NULL afterwards;
 * NULL is fine); a failure of either is an error. */
xpcs_status xpcs_comm_file_close_written(xpcs_file **f, xpcs_err *err);

/* ---- communication accounting (comm_stats.c) ------------------------------ */
/* Kinds of call every wrapper above is counted as. */
typedef enum {
    XPCS_COLL_ALLTOALLV = 0,
    XPCS_COLL_ALLTOALL,
    XPCS_COLL_ALLGATHERV,
    XPCS_COLL_ALLREDUCE, /* also the agreement of xpcs_comm_agree */
    XPCS_COLL_REDUCE,
    XPCS_COLL_BCAST,
    XPCS_COLL_GATHER,
    XPCS_COLL_BARRIER,
    XPCS_COLL_P2P,        /* point-to-point sends and receives */
    XPCS_COLL_FILE_READ,  /* MPI-IO reads */
    XPCS_COLL_FILE_WRITE, /* MPI-IO writes (two-time map chunks by their owners) */
    XPCS_COLL_COUNT
} xpcs_coll;

/* Calls, messages and bytes to / from other ranks, seconds inside MPI. */
typedef struct {
    double calls, msgs_out, msgs_in, bytes_out, bytes_in, seconds;
} xpcs_comm_count;

const char *xpcs_coll_name(xpcs_coll k);
/* This process's totals since it started, one per kind (out[XPCS_COLL_COUNT]). */
void xpcs_comm_counts(xpcs_comm_count *out);
/* The sum over the kinds of calls between ranks (the file kinds left out). */
void xpcs_comm_counts_total(const xpcs_comm_count *k, xpcs_comm_count *sum);
/* For comm.c: add one call. */
void xpcs_comm_tally(xpcs_coll k, double seconds, double msgs_out, double msgs_in, double bytes_out,
                     double bytes_in);
/* Messages of a tree collective over n_ranks: ceil(log2 n_ranks). */
double xpcs_comm_tree_msgs(int n_ranks);

/* Last resort: prints msg and aborts every rank of the job. */
void xpcs_comm_abort(const char *msg, int code) __attribute__((noreturn));

#endif
