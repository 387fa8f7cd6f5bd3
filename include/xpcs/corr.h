/* corr: the xpcs-corr pipeline,
 *   plan (rank 0) -> read (collective HDF5) -> redistribute (all-to-all)
 *   -> kernels (multitau, saxs) -> normalize / reduce -> write (rank 0).
 */
#ifndef XPCS_CORR_H
#define XPCS_CORR_H

#include <mpi.h>

/* The whole program behind main(): parses argv, runs, prints errors on rank
 * 0.  Collective over comm; returns the process exit code (same on every
 * rank). */
int xpcs_corr_main(int argc, char **argv, MPI_Comm comm);

#endif
