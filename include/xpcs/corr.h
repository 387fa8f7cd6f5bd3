/* corr: the xpcs-corr pipeline,
 *   plan (rank 0) -> read (collective HDF5) -> redistribute (all-to-all)
 *   -> kernels (multitau, saxs) -> normalize / reduce -> write (rank 0).
 */
#ifndef XPCS_CORR_H
#define XPCS_CORR_H

#include <mpi.h>
#include <stddef.h>

#include "xpcs/config.h"
#include "xpcs/status.h"

/* Correlates one raw file as cfg says, collectively over comm (any
 * communicator: the batch scheduler passes a group's).  On success
 * result_path receives the result file's path (on every rank).  Errors are
 * agreed: every rank returns the same status and message. */
xpcs_status xpcs_corr_run(const xpcs_config *cfg, MPI_Comm comm, char *result_path,
                          size_t result_len, xpcs_err *err);

/* The whole program behind main(): parses argv, runs, prints errors on rank
 * 0.  Collective over comm; returns the process exit code (same on every
 * rank). */
int xpcs_corr_main(int argc, char **argv, MPI_Comm comm);

#endif
