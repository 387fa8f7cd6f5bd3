/* comm_mpi: the MPI handles behind an xpcs_comm, for the two places that
 * must hand them to a library (the HDF5 MPI-IO driver in io/h5in) or take
 * them from a host program that embeds the engine.  Everything else uses
 * the opaque xpcs_comm of comm.h and never sees MPI.
 */
#ifndef XPCS_COMM_MPI_H
#define XPCS_COMM_MPI_H

#include <mpi.h>

#include "xpcs/core/status.h"

typedef struct xpcs_comm xpcs_comm; /* as in comm.h (not included: one way) */

/* Duplicates parent (any communicator of the host program). */
xpcs_status xpcs_comm_wrap(MPI_Comm parent, xpcs_comm **out, xpcs_err *err);
/* The communicator (for the HDF5 MPI-IO driver in io/h5in) and the MPI-IO hints. */
MPI_Comm xpcs_comm_raw(const xpcs_comm *c);
MPI_Info xpcs_comm_info(const xpcs_comm *c);

#endif
