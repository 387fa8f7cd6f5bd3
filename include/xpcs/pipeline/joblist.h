/* joblist: the files of a batch run (built on one rank; no MPI).
 *
 * Sources, in this order: every -r value and positional argument (a value
 * with a wildcard * ? [ that names no existing file is expanded with
 * glob(3), sorted; no match is an error), the config file's "raw" when the
 * command line has none, then --raw-list FILE: one raw file per line,
 * optionally followed by its own q-map ("RAW [QMAP]", separated by blanks;
 * empty lines and lines starting with # are ignored; relative paths are
 * relative to the working directory).  Files without a q-map of their own
 * use -q.  Each job's result is OUTDIR/<raw stem>_results.hdf, the name
 * xpcs-corr gives it; two raw files with the same result name are an error.
 *
 * Resume: a job whose result exists is marked skipped (unless overwrite).
 */
#ifndef XPCS_JOBLIST_H
#define XPCS_JOBLIST_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/config/config.h"
#include "xpcs/core/status.h"

typedef struct xpcs_joblist xpcs_joblist;

typedef struct {
    const char *raw, *qmap, *result;
    int skipped; /* result existed when the list was built (not -w) */
    double work; /* pixel-frames of the raw stack; 0 = unknown */
    int64_t frames, rows, cols;
} xpcs_job;

/* True when cfg names more than one raw file, a list, or a pattern. */
int xpcs_joblist_requested(const xpcs_config *cfg);

/* Builds the list from cfg (see above); checks names and q-maps, not the
 * files' contents.  Marks existing results skipped unless cfg->overwrite. */
xpcs_status xpcs_joblist_build(const xpcs_config *cfg, xpcs_joblist **out, xpcs_err *err);
void xpcs_joblist_destroy(xpcs_joblist **l);

int xpcs_joblist_count(const xpcs_joblist *l);
const xpcs_job *xpcs_joblist_get(const xpcs_joblist *l, int i);

/* Reads the shape of every job's frame dataset (serial HDF5) to fill
 * frames/rows/cols/work; a file that cannot be read keeps work 0 (its run
 * reports the error). */
void xpcs_joblist_estimate(xpcs_joblist *l, const char *dataset);

/* Removes the temporaries of every job's result, profile and report left
 * by dead runs (xpcs_publish_remove_stale: never a live run's; complete
 * results only ever appear by rename).  Returns how many. */
int xpcs_joblist_remove_stale(const xpcs_joblist *l);

/* Flat copy for a broadcast (free() it), and back. */
char *xpcs_joblist_pack(const xpcs_joblist *l, size_t *bytes);
xpcs_status xpcs_joblist_unpack(const char *buf, size_t bytes, xpcs_joblist **out, xpcs_err *err);

#endif
