/* names: every file name the engine derives from another, in one place.
 *
 *   raw        DIR/NAME.h5, DIR/NAME.bin, DIR/NAME.bin.000 .. .005 (3M)
 *   stem       NAME (xpcs_raw_stem)
 *   metadata   DIR/NAME_metadata.hdf               beside the raw file, or
 *              DIR/M_metadata.hdf with /entry/schema_version, M_ starting NAME
 *   result     OUTDIR/[P_]NAME[_S]_results.hdf     (M for NAME with boost's rule;
 *              single runs without -w: _results_1.hdf, ... when it exists)
 *   siblings   OUTDIR/NAME_profile.json, OUTDIR/NAME_report.html, ...,
 *              OUTDIR/NAME_results_G2.hdf (-G, boost_corr's name)
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

/* As boost_corr names a result: OUTDIR/[PREFIX_]NAME[_SUFFIX]_results.hdf, NAME
 * the metadata file's stem less "_metadata" (meta, from xpcs_metadata_find) or,
 * without one (meta NULL), the raw file's stem; PREFIX less trailing '_',
 * SUFFIX less leading '_' (boost's rstrip / lstrip); "" or NULL: none. */
xpcs_status xpcs_result_name_as_boost(const char *outdir, const char *raw, const char *meta,
                                      const char *prefix, const char *suffix, char *buf, size_t n,
                                      xpcs_err *err);

/* boost_corr's create_unique_file: buf itself when nothing is there (lstat:
 * a link counts), else buf less ".hdf" plus "_1.hdf", "_2.hdf", ... the first
 * free one. */
xpcs_status xpcs_result_name_unique(char *buf, size_t n, xpcs_err *err);

/* <dir of raw>/<stem>_metadata.hdf (it may not exist). */
void xpcs_metadata_name(const char *raw, char *buf, size_t n);

/* The metadata file of raw: <dir>/<stem>_metadata.hdf when it exists (any
 * kind of file: the caller checks it); otherwise boost_corr's rule (a
 * <dir>/M_metadata.hdf holding /entry/schema_version), kept to a file whose
 * M starts the raw file's stem up to a '_', '-' or '.' (A_001_00001-01000.imm
 * takes A_001_metadata.hdf; b.h5 never takes a neighbour's a_metadata.hdf;
 * the longest such M wins).
 * Returns 1 (meta = that file; *beside = 1 for the first kind), or 0 (meta =
 * <dir>/<stem>_metadata.hdf, for messages). */
int xpcs_metadata_find(const char *raw, char *meta, size_t n, int *beside);

/* A file beside a result: dir/stem + suffix, stem = the result's name
 * without _results.hdf (or, for another name, without its extension). */
void xpcs_sibling_name(const char *result, const char *suffix, char *buf, size_t n);

/* -G: boost_corr's <result less .hdf>_G2.hdf (A_results_G2.hdf). */
void xpcs_g2_name(const char *result, char *buf, size_t n);

/* Removes the temporaries of a result, its profile and its report left by
 * dead writers (xpcs_publish_remove_stale); returns how many. */
int xpcs_outputs_remove_stale(const char *result);

#endif
