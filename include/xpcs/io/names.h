/* names: every file name the engine derives from another, in one place.
 *
 *   raw        DIR/NAME.h5, DIR/NAME.bin, DIR/NAME.bin.000 .. .005 (3M)
 *   stem       NAME (xpcs_raw_stem)
 *   metadata   DIR/NAME_metadata.hdf               beside the raw file
 *   result     OUTDIR/NAME_results.hdf
 *   siblings   OUTDIR/NAME_profile.json, OUTDIR/NAME_report.html, ...
 *   temporary  FINAL.<host>.<pid>.<random>.tmp, written, then renamed to FINAL
 *              when complete (core/publish.h)
 */
#ifndef XPCS_NAMES_H
#define XPCS_NAMES_H

#include <stddef.h>

#include "xpcs/core/status.h"

#define XPCS_RESULT_SUFFIX "_results.hdf"
#define XPCS_METADATA_SUFFIX "_metadata.hdf"
#define XPCS_PROFILE_SUFFIX "_profile.json"
#define XPCS_REPORT_SUFFIX "_report.html"
#define XPCS_AUTOMASK_SUFFIX "_automask.h5" /* --auto-mask: the q-map with flagged pixels off */

/* The stem that names a run's result and metadata files: the base name of
 * raw without its last extension (a leading dot is kept), and without
 * ".bin.00m" for a module file of a Rigaku 3M set (NAME.bin.003 -> NAME). */
void xpcs_raw_stem(const char *raw, char *stem, size_t n);

/* OUTDIR/<stem>_results.hdf; XPCS_ERR_USAGE when it does not fit n (with
 * room left for the temporary suffix). */
xpcs_status xpcs_result_name(const char *outdir, const char *raw, char *buf, size_t n,
                             xpcs_err *err);

/* <dir of raw>/<stem>_metadata.hdf (it may not exist). */
void xpcs_metadata_name(const char *raw, char *buf, size_t n);

/* A file beside a result: dir/stem + suffix, stem = the result's name
 * without _results.hdf (or, for another name, without its extension). */
void xpcs_sibling_name(const char *result, const char *suffix, char *buf, size_t n);

/* Removes the temporaries of a result, its profile and its report left by
 * dead writers (xpcs_publish_remove_stale); returns how many. */
int xpcs_outputs_remove_stale(const char *result);

#endif
