/* batch: xpcs-corr over many raw files (README "Batch runs").
 *
 *   rank 0: builds the job list (joblist.h), skips files whose result
 *           exists (resume; not with -w), removes the temporaries of dead
 *           runs (never a live run's, core/publish.h),
 *           reads the files' shapes and picks the layout (schedule.h);
 *   every rank: joins its group's communicator (xpcs_comm_split);
 *   groups:  the leader asks rank 0 for a file (point-to-point, reporting the
 *           previous file's status and time), broadcasts it to its group,
 *           and the group correlates it with xpcs_corr_run() (errors are
 *           agreed inside the group, so a bad file fails alone); file -1
 *           ends the loop.  With a single group rank 0 leads it and
 *           hands out the files itself.
 *   rank 0: prints one line per file as it finishes, keeps
 *           OUTDIR/batch_summary.json up to date (written to .tmp, renamed)
 *           and prints its path as the last stdout line.
 * The exit status is 0 when no file failed, otherwise the worst failed
 * file's status; usage and output-directory errors stop the batch before
 * any file runs.
 */
#ifndef XPCS_BATCH_H
#define XPCS_BATCH_H

#include "xpcs/config/config.h"
#include "xpcs/parallel/comm.h"

#define XPCS_BATCH_SUMMARY "batch_summary.json"

/* True when cfg names several raw files, a --raw-list or a -r pattern. */
int xpcs_batch_requested(const xpcs_config *cfg);

/* Runs the batch collectively over comm; prints its lines and errors on
 * rank 0.  Returns the process exit code (the same on every rank). */
int xpcs_batch_main(const xpcs_config *cfg, const xpcs_comm *comm);

#endif
