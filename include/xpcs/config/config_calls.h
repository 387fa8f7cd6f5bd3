/* config_calls: the callbacks of the special rows of xpcs-corr's option
 * table (config_table.c; options.h's xpcs_opt_fn) and the choices of its
 * choice rows. */
#ifndef XPCS_CONFIG_CALLS_H
#define XPCS_CONFIG_CALLS_H

#include "xpcs/config/options.h"

xpcs_status xpcs_cfg_on_raw(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                            xpcs_err *err);
xpcs_status xpcs_cfg_on_fit_range(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                  xpcs_err *err);
xpcs_status xpcs_cfg_on_timepix(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                xpcs_err *err);
xpcs_status xpcs_cfg_on_set(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                            xpcs_err *err);
xpcs_status xpcs_cfg_on_help(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                             xpcs_err *err);
xpcs_status xpcs_cfg_on_version(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                                xpcs_err *err);

/* -t/--analysis, --kernel, io.overlap (names -> config.h / siteopts.h values) */
extern const xpcs_opt_choice xpcs_cfg_analysis_choices[];
extern const xpcs_opt_choice xpcs_cfg_kernel_choices[];
extern const xpcs_opt_choice xpcs_cfg_overlap_choices[];

#endif
