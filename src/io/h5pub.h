/* h5pub: an HDF5 file written into a temporary of core/publish.h (the
 * result, xpcs-fit's update, xpcs-average's output, xpcs-synth's files),
 * io-private.
 *
 * HDF5 1.10 does not survive every failed write: a full disk inside
 * H5Ocopy crashes it, and a failed H5Fclose leaves a file object that
 * crashes MPI_Finalize.  So: the writers reserve the space a step needs
 * before HDF5 writes it (a full disk is then a clean error, before HDF5
 * sees it), the file is flushed before it is closed, and a file that
 * cannot be flushed is closed into a scratch file in memory (HDF5 then
 * holds nothing broken) while its temporary is removed.
 */
#ifndef XPCS_H5PUB_H
#define XPCS_H5PUB_H

#include <hdf5.h>

#include "xpcs/core/publish.h"

/* HDF5 opens the temporary of p through xpcs_publish_open_path (this very
 * file): copy_of NULL: a new empty file; else the file copy_of (its `role`
 * in messages, e.g. "metadata file") already copied into it, read-write.
 * HDF5's file locking is off: the temporary is this writer's alone and
 * carries its own lock.  < 0 on failure (err filled: a copy HDF5 cannot
 * open is an input error naming copy_of). */
hid_t xpcs_h5pub_open(xpcs_publish *p, const char *copy_of, const char *role, xpcs_err *err);
/* The same; others_write: through h5ownvfd.h's driver, so that other
 * ranks can write the bytes of chunks this rank only reserves. */
hid_t xpcs_h5pub_open_shared(xpcs_publish *p, const char *copy_of, const char *role,
                             int others_write, xpcs_err *err);

/* Room for the file to grow by `more` bytes (plus a margin for HDF5's own
 * metadata) beyond its current size (xpcs_publish_reserve). */
xpcs_status xpcs_h5pub_reserve(hid_t f, xpcs_publish *p, double more, xpcs_err *err);

/* Flushes and closes *f (-1 afterwards); on failure the file is discarded
 * as below and err names p's file and the cause. */
xpcs_status xpcs_h5pub_close(hid_t *f, xpcs_publish *p, xpcs_err *err);

/* Closes *f (-1 afterwards, -1 is fine) without writing anything more to
 * its file: after an error, before the temporary is abandoned. */
void xpcs_h5pub_discard(hid_t *f);

/* The end of a writer: with st OK, *f closed (xpcs_h5pub_close) and *p
 * published (xpcs_publish_commit); otherwise, or when either fails, *f
 * discarded and *p abandoned.  Returns the first error. */
xpcs_status xpcs_h5pub_finish(hid_t *f, xpcs_publish **p, xpcs_status st, xpcs_err *err);

/* XPCS_ERR_OUTPUT: "FINAL: cannot write WHAT: <cause> (ENOSPC)" from the
 * HDF5 error stack's errno, or HDF5's last message when it has none. */
xpcs_status xpcs_h5pub_fail(const xpcs_publish *p, const char *what, xpcs_err *err);

#endif
