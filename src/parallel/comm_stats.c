/* comm_stats: what this process's MPI calls moved and how long they took,
 * by kind of call (see include/xpcs/parallel/comm.h).  comm.c tallies every
 * wrapper; the profile reads the totals.  Counting conventions: bytes and
 * messages to and from other ranks only (a rank's share with itself is a
 * copy); for the collectives whose algorithm the MPI library chooses
 * (allreduce, reduce, bcast, allgatherv, barrier) the messages are the
 * textbook count of a tree or ring: ceil(log2 P) per call, P - 1 for a
 * ring allgather; file reads and writes count their bytes in and out. */
#include <math.h>
#include <string.h>

#include "xpcs/parallel/comm.h"

static xpcs_comm_count totals[XPCS_COLL_COUNT];

static const char *const coll_names[XPCS_COLL_COUNT] = {
    "alltoallv", "alltoall", "allgatherv", "allreduce", "reduce",    "bcast",
    "gather",    "barrier",  "p2p",        "file_read", "file_write"};

const char *xpcs_coll_name(xpcs_coll k)
{
    return k >= 0 && k < XPCS_COLL_COUNT ? coll_names[k] : "?";
}

void xpcs_comm_tally(xpcs_coll k, double seconds, double msgs_out, double msgs_in, double bytes_out,
                     double bytes_in)
{
    xpcs_comm_count *c = &totals[k];
    c->calls += 1;
    c->seconds += seconds;
    c->msgs_out += msgs_out;
    c->msgs_in += msgs_in;
    c->bytes_out += bytes_out;
    c->bytes_in += bytes_in;
}

double xpcs_comm_tree_msgs(int n_ranks)
{
    return n_ranks > 1 ? ceil(log2((double)n_ranks)) : 0.0;
}

void xpcs_comm_counts(xpcs_comm_count *out)
{
    memcpy(out, totals, sizeof totals);
}

void xpcs_comm_counts_total(const xpcs_comm_count *k, xpcs_comm_count *sum)
{
    memset(sum, 0, sizeof *sum);
    for (int i = 0; i < XPCS_COLL_COUNT; i++) {
        if (i == XPCS_COLL_FILE_READ || i == XPCS_COLL_FILE_WRITE)
            continue; /* between ranks only */
        sum->calls += k[i].calls;
        sum->seconds += k[i].seconds;
        sum->msgs_out += k[i].msgs_out;
        sum->msgs_in += k[i].msgs_in;
        sum->bytes_out += k[i].bytes_out;
        sum->bytes_in += k[i].bytes_in;
    }
}
