/* corr: the xpcs-corr pipeline,
 *   plan (rank 0) -> read (parallel HDF5) -> redistribute (all-to-all)
 *   -> kernels (multitau, saxs) -> normalize / reduce -> write (rank 0).
 */
#ifndef XPCS_CORR_H
#define XPCS_CORR_H

#include <stddef.h>

#include "xpcs/config/config.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/core/status.h"

/* Correlates one raw file as cfg says, collectively over comm (any
 * communicator: the batch scheduler passes a group's).  On success
 * result_path receives the result file's path (on every rank).  Errors are
 * agreed: every rank returns the same status and message. */
xpcs_status xpcs_corr_run(const xpcs_config *cfg, const xpcs_comm *comm, char *result_path,
                          size_t result_len, xpcs_err *err);

#endif
