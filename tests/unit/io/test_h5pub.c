/* HDF5 files written into publish temporaries (io/h5write over io/h5pub)
 * when writes fail: the file-size limit (RLIMIT_FSIZE) stands in for a full
 * disk.  A failed dataset write and a failed flush at close are one line
 * naming the file and the cause (EFBIG); the temporary is removed; and the
 * process exits normally -- HDF5 1.10 crashes at exit (H5F__close_cb) when a
 * file whose close failed is left to it, so a crash here fails the test. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "testhelp.h"
#include "xpcs/core/publish.h"
#include "xpcs/io/h5write.h"

static void limit_size(rlim_t bytes)
{
    struct rlimit r;
    getrlimit(RLIMIT_FSIZE, &r);
    r.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &r);
}

/* Writes n doubles at /d[k] for k < count into a new file at final with
 * the size limit set to `limit` after `before` datasets; returns the
 * status of the whole write (publish included) and the message. */
static xpcs_status write_file(const char *final, int count, int before, rlim_t limit, char *msg,
                              size_t len, char *tmp, size_t tlen)
{
    xpcs_err err = {{0}};
    xpcs_publish *p = NULL;
    xpcs_h5w *w = NULL;
    xpcs_status st = xpcs_publish_begin(final, XPCS_PUBLISH_REPLACE, &p, &err);
    snprintf(tmp, tlen, "%s", p ? xpcs_publish_tmp(p) : "");
    if (!st)
        st = xpcs_h5w_create(p, &w, &err);
    static double v[1 << 14];
    const int64_t dims[1] = {1 << 14};
    for (int k = 0; k < count && !st; k++) {
        if (k == before)
            limit_size(limit);
        char name[32];
        snprintf(name, sizeof name, "/d%d", k);
        st = xpcs_h5w_f64(w, name, 1, dims, v, &err);
    }
    if (before >= count)
        limit_size(limit); /* only the flush at close fails */
    st = xpcs_h5w_close(&w, st, &err);
    limit_size(RLIM_INFINITY);
    if (st)
        xpcs_publish_abandon(&p);
    else
        st = xpcs_publish_commit(&p, &err);
    snprintf(msg, len, "%s", err.msg);
    return st;
}

int main(void)
{
    signal(SIGXFSZ, SIG_IGN); /* writes past the limit fail with EFBIG instead */
    char dir[] = "/tmp/xpcs-h5pub-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char final[128], msg[1024], tmp[256];
    snprintf(final, sizeof final, "%s/r.hdf", dir);

    xpcs_status st = write_file(final, 4, 4, RLIM_INFINITY, msg, sizeof msg, tmp, sizeof tmp);
    test_cond("no limit: published", st == XPCS_OK && access(final, F_OK) == 0);
    unlink(final);

    /* a dataset that does not fit: refused at its reservation or by HDF5 */
    st = write_file(final, 4, 2, 300000, msg, sizeof msg, tmp, sizeof tmp);
    printf("dataset past the limit: %s\n", msg);
    test_cond("a write past the limit: output error naming the file and EFBIG",
              st == XPCS_ERR_OUTPUT && strstr(msg, final) && strstr(msg, "(EFBIG)"));
    test_cond("... nothing published, temporary removed",
              access(final, F_OK) != 0 && access(tmp, F_OK) != 0);

    /* everything written, the metadata flush at close fails */
    st = write_file(final, 3, 3, 1, msg, sizeof msg, tmp, sizeof tmp);
    printf("flush past the limit: %s\n", msg);
    test_cond("a failed flush at close: output error naming the file and EFBIG",
              st == XPCS_ERR_OUTPUT && strstr(msg, final) && strstr(msg, "(EFBIG)"));
    test_cond("... nothing published, temporary removed",
              access(final, F_OK) != 0 && access(tmp, F_OK) != 0);

    st = write_file(final, 2, 2, RLIM_INFINITY, msg, sizeof msg, tmp, sizeof tmp);
    test_cond("HDF5 still works afterwards", st == XPCS_OK && access(final, F_OK) == 0);
    unlink(final);
    rmdir(dir);
    return test_report(); /* HDF5 shuts down at exit: no crash */
}
