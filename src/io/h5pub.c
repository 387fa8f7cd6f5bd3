/* h5pub: see h5pub.h. */
#define _GNU_SOURCE /* memfd_create */

#include "h5pub.h"
#include "h5ownvfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpcs/core/fileutil.h"
#include "xpcs/io/h5in.h"

/* HDF5's own descriptor of f (the default sec2 driver), -1 if none. */
static int vfd_of(hid_t f)
{
    void *h = NULL;
    if (H5Fget_vfd_handle(f, H5P_DEFAULT, &h) < 0 || !h)
        return -1;
    return *(int *)h;
}

hid_t xpcs_h5pub_open(xpcs_publish *p, const char *copy_of, const char *role, xpcs_err *err)
{
    return xpcs_h5pub_open_shared(p, copy_of, role, 0, err);
}

hid_t xpcs_h5pub_open_shared(xpcs_publish *p, const char *copy_of, const char *role,
                             int others_write, xpcs_err *err)
{
    hid_t fapl = others_write ? xpcs_h5own_fapl() : H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) {
        xpcs_h5pub_fail(p, "the file (no file driver)", err);
        return -1;
    }
    H5Pset_file_locking(fapl, 0, 1);
    const char *path = xpcs_publish_open_path(p);
    hid_t f = !copy_of ? H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)
                       : H5Fopen(path, H5F_ACC_RDWR, fapl);
    if (f < 0) {
        char h5[256];
        xpcs_h5_last_error(h5, sizeof h5);
        if (copy_of)
            xpcs_fail(err, XPCS_ERR_INPUT, "%s: %s is not a readable HDF5 file (HDF5: %s)", copy_of,
                      role, h5);
        else
            xpcs_h5pub_fail(p, "the file", err);
    }
    H5Pclose(fapl);
    if (f < 0)
        return -1;
    /* by name (no /proc): it must still be the temporary we created */
    struct stat a, b;
    int hfd = vfd_of(f);
    if (hfd >= 0 && fstat(hfd, &a) == 0 && fstat(xpcs_publish_fd(p), &b) == 0 &&
        (a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
        xpcs_h5pub_discard(&f);
        xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: the temporary file %s was replaced while open",
                  xpcs_publish_final(p), xpcs_publish_tmp(p));
        return -1;
    }
    return f;
}

xpcs_status xpcs_h5pub_reserve(hid_t f, xpcs_publish *p, double more, xpcs_err *err)
{
    hsize_t size = 0;
    if (H5Fget_filesize(f, &size) < 0)
        size = 0;
    const double margin = 65536.0 + more / 8.0; /* object headers, B-trees, heaps */
    return xpcs_publish_reserve(p, (int64_t)((double)size + more + margin), err);
}

typedef struct {
    int e;
} errno_walk;

/* HDF5's sec2 driver puts "errno = N" in the description of a failed
 * read, write or truncate. */
static herr_t find_errno(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    errno_walk *w = data;
    const char *s = e->desc ? strstr(e->desc, "errno = ") : NULL;
    if (s && !w->e)
        w->e = atoi(s + 8);
    return 0;
}

/* The errors a write meets on a full or failing disk. */
static int disk_errno(int e)
{
    return e == ENOSPC || e == EDQUOT || e == EFBIG || e == EIO || e == EROFS;
}

xpcs_status xpcs_h5pub_fail(const xpcs_publish *p, const char *what, xpcs_err *err)
{
    const int e0 = errno; /* the failed write's, when HDF5's later calls cleared its stack */
    errno_walk w = {0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, find_errno, &w);
    if (w.e <= 0 && disk_errno(e0))
        w.e = e0;
    char act[128];
    snprintf(act, sizeof act, "write %s", what);
    if (w.e > 0)
        return xpcs_fail_errno(err, XPCS_ERR_OUTPUT, xpcs_publish_final(p), act, w.e);
    char h5[256];
    xpcs_h5_last_error(h5, sizeof h5);
    return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot %s (HDF5: %s)", xpcs_publish_final(p), act,
                     h5[0] ? h5 : "unknown error");
}

xpcs_status xpcs_h5pub_close(hid_t *f, xpcs_publish *p, xpcs_err *err)
{
    if (*f < 0)
        return XPCS_OK;
    if (H5Fflush(*f, H5F_SCOPE_LOCAL) < 0) {
        xpcs_status st = xpcs_h5pub_fail(p, "the file", err);
        xpcs_h5pub_discard(f);
        return st;
    }
    herr_t rc = H5Fclose(*f);
    *f = -1;
    return rc < 0 ? xpcs_h5pub_fail(p, "the file", err) : XPCS_OK;
}

xpcs_status xpcs_h5pub_finish(hid_t *f, xpcs_publish **p, xpcs_status st, xpcs_err *err)
{
    if (!st)
        st = xpcs_h5pub_close(f, *p, err);
    xpcs_h5pub_discard(f);
    if (st) {
        xpcs_publish_abandon(p);
        return st;
    }
    return xpcs_publish_commit(p, err);
}

void xpcs_h5pub_discard(hid_t *f)
{
    if (*f < 0)
        return;
    /* whatever HDF5 still wants to write goes to memory, so the close
     * succeeds and leaves no half-closed file for H5close/MPI_Finalize */
    int hfd = vfd_of(*f);
    int m = hfd >= 0 ? memfd_create("xpcs-discard", MFD_CLOEXEC) : -1;
    if (m < 0 && hfd >= 0)
        m = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (m >= 0) {
        dup2(m, hfd);
        close(m);
    }
    /* a file-size limit (ulimit -f) would fail the scratch file too */
    struct rlimit lim, raised;
    const int have = getrlimit(RLIMIT_FSIZE, &lim) == 0;
    raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (have)
        setrlimit(RLIMIT_FSIZE, &raised);
    H5Fclose(*f);
    if (have)
        setrlimit(RLIMIT_FSIZE, &lim);
    *f = -1;
}
