/* optshow: an option table (options.h) shown: the --help text, the one line
 * of effective values (-v), one line per setting with where it came from,
 * and the effective configuration as JSON (written into result files).
 */
#ifndef XPCS_OPTSHOW_H
#define XPCS_OPTSHOW_H

#include <stdio.h>

#include "xpcs/config/options.h"

/* --help: t->usage_head, one entry per option row (table order; TEXT rows
 * as paragraphs), t->usage_tail, then the config-file keys and the settings
 * (with their environment variables) when the table names titles for them. */
void xpcs_opts_usage(const xpcs_opts_table *t, FILE *out);

/* prefix, then " name=value" for each XPCS_OPTF_PRINT row, then a newline.
 * name: the row's show, key, or long name with '_' for '-'. */
void xpcs_opts_print_line(const xpcs_opts_table *t, const void *obj, const char *prefix, FILE *out);

/* "setting section.key = value (source; XPCS_VAR)", one line per setting,
 * sections in the table's order.  src: [t->n] sources or NULL. */
void xpcs_opts_print_settings(const xpcs_opts_table *t, const void *obj, const unsigned char *src,
                              FILE *out);

/* {top-level XPCS_OPTF_EFFECTIVE keys..., section: {key: value...}...,
 *  "sources": {"section.key": "default" | "environment" | "config file" |
 *  "command line"}} as compact JSON text; free() it (never NULL). */
char *xpcs_opts_effective(const xpcs_opts_table *t, const void *obj, const unsigned char *src);

#endif
