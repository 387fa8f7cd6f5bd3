/* g2cube: -G/--save-G2, boost_corr's per-pixel G2, IP and IF, stacked as
 * (n_tau, 3, rows, cols) float32 at /xpcs/multitau/unnormalized_G2 of
 * <result less .hdf>_G2.hdf (the result links there, h5extra).  Written with
 * parallel HDF5 (MPI-IO driver, collective writes): every rank writes the
 * pixels it owns, so the cube is never gathered on one rank.  Pixels nobody
 * correlates (masked, or without a dynamic bin) stay 0.  The file is a
 * temporary of core/publish.h (rank 0 creates, reserves its size and
 * publishes it), so a failed run leaves no part of it. */
#ifndef XPCS_G2CUBE_H
#define XPCS_G2CUBE_H

#include <stdint.h>

#include "xpcs/core/status.h"
#include "xpcs/parallel/comm.h"

#define XPCS_G2_SUFFIX "_G2.hdf"
#define XPCS_G2_DATASET "/xpcs/multitau/unnormalized_G2"

typedef struct xpcs_g2cube xpcs_g2cube;

/* Collective: the file `path` (replacing one there only with overwrite)
 * with its dataset, allocated and filled with zeros. */
xpcs_status xpcs_g2cube_create(const xpcs_comm *c, const char *path, int overwrite, int n_tau,
                               int64_t rows, int64_t cols, xpcs_g2cube **out, xpcs_err *err);
/* Collective, once per delay j = 0..n_tau-1: this rank's n pixels (flat
 * detector indices px[], ascending, disjoint from other ranks' ranges) and
 * their G2, IP, IF. */
xpcs_status xpcs_g2cube_write(xpcs_g2cube *g, int j, int64_t n, const int64_t *px, const double *G2,
                              const double *IP, const double *IF, xpcs_err *err);
/* Collective: closed; rank 0 publishes it.  *g is NULL afterwards. */
xpcs_status xpcs_g2cube_commit(xpcs_g2cube **g, xpcs_err *err);
/* Collective: closed and removed (after an error). */
void xpcs_g2cube_abandon(xpcs_g2cube **g);

#endif
