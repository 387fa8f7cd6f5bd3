/* ttstage_impl: the two-time stage's state, shared by ttstage.c (series
 * and events) and ttmaps.c (maps, transfer, writing); pipeline-private. */
#ifndef XPCS_TTSTAGE_IMPL_H
#define XPCS_TTSTAGE_IMPL_H

#include "xpcs/core/exactsum.h"
#include "xpcs/io/mapz.h"
#include "xpcs/pipeline/evroute.h"
#include "xpcs/pipeline/ttstage.h"
#include "xpcs/plan/ttplan.h"

enum { TT_EV_NONE = 0, TT_EV_DENSE = 1, TT_EV_SPARSE = 2 };

struct xpcs_ttstage {
    const xpcs_ttplan *tp; /* bins, owners, columns (the plan's) */
    int n_ranks, rank;
    int64_t N;
    xpcs_dtype xt; /* series type in the store */
    size_t xsz;
    const char *raw;  /* for messages */
    int maps_to_root; /* io.maps_to_root: the map chunks go to rank 0 (ttmaps.c) */
    /* event input: detector pixel -> owner and column */
    int ev_mode;       /* TT_EV_NONE / TT_EV_DENSE / TT_EV_SPARSE */
    int32_t *px_owner; /* [npix]; -1: in no selected bin */
    uint32_t *px_col;  /* [npix] */
    xpcs_evroute route;
    uint32_t *ev; /* owner: received (column, frame, count) triplets */
    int64_t ev_n, ev_cap;
    int64_t *cptr;       /* [n_cols + 1]: the events as CSR per column */
    uint32_t *cfr, *cct; /* frames (ascending) and counts */
    /* frame input */
    void *store; /* [N][n_cols] */
    void *send;
    int *cnt;
    /* copies of the split bins this rank has tiles of but does not own
     * (xpcs_ttstage_replicate): [n_bins], NULL elsewhere */
    void **rep_store;            /* dense: [N][k] of xt */
    int64_t **rep_ptr;           /* events: [k + 1] from 0 */
    uint32_t **rep_fr, **rep_ct; /* events */
    /* one tile at a time: rows of C packed (row i holds j >= i), the same
     * as float32, the exact diagonal sums */
    double *X, *Cp;
    double **row;
    float *tri;
    xpcs_xsum *acc, *sacc;
    /* the maps' storage (rank 0's choice), this rank's compressor, the
     * records gathered for rank 0 (ttmaps.c), one chunk */
    xpcs_mapz_spec mz;
    xpcs_mapz *z;
    unsigned char *piece, *inbox; /* inbox: rank 0, a piece received */
    size_t piece_len, piece_cap, inbox_cap;
    float *blk;
    /* ranks other than 0 write their chunks themselves: the piece's
     * compressed chunks wait in the outbox while rank 0 reserves their
     * space (n_res records); addr: the offsets (rank 0: the reply) */
    unsigned char *outbox;
    size_t outbox_len, outbox_cap;
    int64_t n_res, *addr;
    size_t addr_cap;
    xpcs_file *file;     /* the result's temporary, open for this rank's writes */
    char tmp_path[4096]; /* its path (rank 0's) */
    xpcs_resfile *w;     /* rank 0: the result file, open */
    int remote;          /* rank 0: messages still to come */
    xpcs_status st;      /* the first failure of the maps' phase */
    xpcs_err *scratch;
    const xpcs_comm *comm; /* rank 0 serves the others inside its tiles */
    xpcs_timers *tm;
    xpcs_err *err;
    double serve_sec;
    FILE *progress; /* rank 0: a line per finished bin (NULL: none) */
    double t0;
    int bins_done;
    /* rank 0: results of every bin; the exact sums of a bin whose tiles are
     * still arriving */
    double *all_g2, *all_seg;                /* [N][n_bins], [N/5][5][n_bins] */
    double *bin_sec, *bin_blas, *bin_events; /* [n_bins] */
    double *rank_sec;                        /* [n_ranks] seconds of maps */
    xpcs_xsum **bin_acc;                     /* [n_bins] */
    int *bin_left, *bin_e;                   /* tiles to come, exponent */
};

#endif
