/* fileutil: small file-system helpers shared by the writers (the
 * temporaries and their publishing are in publish.h). */
#ifndef XPCS_FILEUTIL_H
#define XPCS_FILEUTIL_H

#include <stddef.h>

#include "xpcs/core/status.h"

/* "ENOSPC", "EDQUOT", "EROFS", "EIO", ... for the errors a writer meets;
 * "errno" for others. */
const char *xpcs_errno_name(int e);

/* One line: "FILE: cannot WHAT: <strerror> (ENAME)"; returns code. */
xpcs_status xpcs_fail_errno(xpcs_err *err, xpcs_status code, const char *file, const char *what,
                            int e);

/* Copies the regular file src (a link to one is fine; anything else is
 * refused without blocking on it) to the open descriptor fd, written from
 * its current position; every read and write checked.  `role` names src in
 * messages ("metadata file", ...), dst names fd's file. */
xpcs_status xpcs_copy_to_fd(const char *src, const char *role, int fd, const char *dst,
                            xpcs_err *err);

/* mkdir -p: dir and its missing parents (mode less the umask); 0, or the
 * errno of the first component that could not be made (ENOTDIR when one is
 * not a directory). */
int xpcs_mkdir_p(const char *dir, unsigned mode);

/* Writes n bytes to fd (short writes and EINTR retried); 0 or an errno. */
int xpcs_write_all(int fd, const void *buf, size_t n);

#endif
