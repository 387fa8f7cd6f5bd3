/* publish: how every writer puts a file in place -- the result, the
 * profile, the report, xpcs-fit's update, xpcs-average's output, the batch
 * summary and xpcs-synth's files.
 *
 *   xpcs_publish_begin(FINAL)  creates the temporary FINAL.<host>.<pid>.<random>.tmp
 *                              with O_CREAT|O_EXCL|O_NOFOLLOW (mode 0666 less the
 *                              umask): unique to this run, never another run's
 *                              file, never reached through a symbolic link; an
 *                              advisory lock (open file description lock) on it
 *                              says that its writer is alive (on one byte far
 *                              past the data: other ranks' MPI-IO writes into the
 *                              temporary, which may lock their ranges, never
 *                              wait for it)
 *   write / copy / fd          the content; libraries that open files by name
 *                              (HDF5) open xpcs_publish_open_path(), which
 *                              reaches this very file (/proc/self/fd/N)
 *   xpcs_publish_commit        fsync, close, then into place: XPCS_PUBLISH_NEW
 *                              never replaces anything at FINAL (renameat2
 *                              RENAME_NOREPLACE, or link + unlink where the file
 *                              system lacks it): a result that appeared meanwhile
 *                              is an error, not clobbered; XPCS_PUBLISH_REPLACE
 *                              (-w, or an update) replaces the name itself (a
 *                              symbolic link there is replaced, its target is
 *                              not touched)
 *   xpcs_publish_abandon       closes and removes the temporary
 *
 * Temporaries of dead writers: xpcs_publish_remove_stale(FINAL) removes the
 * ones whose lock is free and whose pid is gone (same host), or whose lock
 * has been free for a minute (a reused pid, another host); a live writer's
 * temporary is never removed.
 *
 * Rollback: commits made between xpcs_publish_txn_begin() and
 * xpcs_publish_txn_end() are recorded; ending with keep = 0 removes every
 * file published since the mark that is still the one published, so a run
 * that fails after its result is in place leaves nothing behind.
 *
 * Every failure is one line naming FINAL and the cause (ENOSPC, EDQUOT,
 * EROFS, EIO, ...), status XPCS_ERR_OUTPUT.  One thread publishes.
 */
#ifndef XPCS_PUBLISH_H
#define XPCS_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/status.h"

typedef enum {
    XPCS_PUBLISH_NEW = 0,    /* FINAL must not exist when the file is published */
    XPCS_PUBLISH_REPLACE = 1 /* whatever is at FINAL is replaced (not followed) */
} xpcs_publish_mode;

typedef struct xpcs_publish xpcs_publish;

xpcs_status xpcs_publish_begin(const char *final, xpcs_publish_mode mode, xpcs_publish **out,
                               xpcs_err *err);
/* The temporary's descriptor (read-write, positioned at its end), names. */
int xpcs_publish_fd(const xpcs_publish *p);
const char *xpcs_publish_final(const xpcs_publish *p);
const char *xpcs_publish_tmp(const xpcs_publish *p);
/* A path that opens the temporary itself, not whatever has its name now. */
const char *xpcs_publish_open_path(const xpcs_publish *p);

/* n bytes at the descriptor's position. */
xpcs_status xpcs_publish_write(xpcs_publish *p, const void *buf, size_t n, xpcs_err *err);
/* The regular file src, byte for byte (role names it in messages). */
xpcs_status xpcs_publish_copy(xpcs_publish *p, const char *src, const char *role, xpcs_err *err);
/* The temporary gets the permission bits of the file `like` (an update keeps
 * the original's mode). */
void xpcs_publish_keep_mode(xpcs_publish *p, const char *like);
/* Room on the disk for the file to grow to `bytes` (fallocate without
 * changing its size, or a free-space check where that is not supported):
 * a full disk or quota is a clean error here, before a library that does
 * not survive a failed write (HDF5 1.10's H5Ocopy) writes.  The unused
 * rest is given back at commit. */
xpcs_status xpcs_publish_reserve(xpcs_publish *p, int64_t bytes, xpcs_err *err);

/* fsync, close, publish as the mode says; on failure the temporary is
 * removed.  *p is NULL afterwards either way. */
xpcs_status xpcs_publish_commit(xpcs_publish **p, xpcs_err *err);
/* Closes and removes the temporary (NULL or *p NULL: nothing). */
void xpcs_publish_abandon(xpcs_publish **p);

/* The whole file at once: begin, write, commit. */
xpcs_status xpcs_publish_file(const char *final, xpcs_publish_mode mode, const void *buf, size_t n,
                              xpcs_err *err);

/* Removes the temporaries of FINAL left by dead writers (see above);
 * returns how many. */
int xpcs_publish_remove_stale(const char *final);

/* Rollback marks (see above); transactions nest. */
int xpcs_publish_txn_begin(void);
void xpcs_publish_txn_end(int mark, int keep);

#endif
