/* fit: g2(t) model fits and the tau(q) power law (no MPI, no HDF5) -- the
 * entry point its users include.  One module per concern:
 *   fit_model.h    the models (single, stretched, double), their names,
 *                  parameters, value and Jacobian
 *   fit_options.h  what to fit: range, fixed parameters, bounds, parsing
 *   fit_solve.h    the GSL least-squares fit of one curve / every bin,
 *                  bound transforms and the error convention
 *   fit_tauq.h     tau(q) = prefactor * q^exponent and the diffusion
 *                  coefficient
 */
#ifndef XPCS_FIT_H
#define XPCS_FIT_H

#include <stddef.h>

#include "xpcs/core/status.h"
#include "xpcs/kernels/fit_model.h"
#include "xpcs/kernels/fit_options.h"
#include "xpcs/kernels/fit_solve.h"
#include "xpcs/kernels/fit_tauq.h"

#endif
