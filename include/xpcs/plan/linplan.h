/* linplan: the linear-lag stage's lags and FFT block geometry (plain
 * data, the same on every rank). */
#ifndef XPCS_LINPLAN_H
#define XPCS_LINPLAN_H

#include "xpcs/config/config.h"
#include "xpcs/core/status.h"
#include "xpcs/kernels/g2lin.h"
#include "xpcs/core/dtype.h"
#include "xpcs/plan/qmap.h"

/* For N frames, at most own pixels per rank moved as xfer_type, threads
 * per rank: lags and kernel geometry and the stage's bytes per rank: --max-lag
 * (clipped to N-1) when given, else all lags that fit budget - base_bytes;
 * one block when it fits, else time blocks.  Fails (XPCS_ERR_MEMORY) with
 * the need, suggesting --max-lag / --avg-frame, when they do not fit. */
xpcs_status xpcs_linplan_make(const xpcs_config *cfg, int64_t N, int64_t own, xpcs_dtype xfer_type,
                              int threads, const xpcs_qmap *q, double base_bytes, double budget,
                              xpcs_g2lin_geom *geo, double *bytes, xpcs_err *err);

#endif
