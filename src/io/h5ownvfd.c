/* h5ownvfd: see h5ownvfd.h. */
#include "h5ownvfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    H5FD_t pub; /* first: HDF5 fills it */
    int fd;
    haddr_t eoa, eof; /* end of allocated space; end of the file as we wrote it */
    dev_t dev;
    ino_t ino;
} own_file;

static int skip_raw;

void xpcs_h5own_skip_raw(int on)
{
    skip_raw = on;
}

/* An error on HDF5's stack, in sec2's words (h5pub.c looks for "errno = "). */
#define OWN_FAIL(min, what, e)                                                                     \
    H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_VFL, min,                 \
             "%s, errno = %d, error message = '%s'", what, e, strerror(e))

static H5FD_t *own_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
    (void)fapl;
    (void)maxaddr;
    int o = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
    o |= (flags & H5F_ACC_TRUNC) ? O_TRUNC : 0;
    o |= (flags & H5F_ACC_CREAT) ? O_CREAT : 0;
    o |= (flags & H5F_ACC_EXCL) ? O_EXCL : 0;
    const int fd = open(name, o | O_CLOEXEC, 0666);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        const int e = errno;
        if (fd >= 0)
            close(fd);
        OWN_FAIL(H5E_CANTOPENFILE, "unable to open file", e);
        return NULL;
    }
    own_file *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return NULL;
    }
    f->fd = fd;
    f->eof = (haddr_t)sb.st_size;
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    return &f->pub;
}

static herr_t own_close(H5FD_t *file)
{
    own_file *f = (own_file *)file;
    const int rc = close(f->fd);
    const int e = errno;
    free(f);
    if (rc != 0) {
        OWN_FAIL(H5E_CANTCLOSEFILE, "unable to close file", e);
        return -1;
    }
    return 0;
}

static int own_cmp(const H5FD_t *a, const H5FD_t *b)
{
    const own_file *x = (const own_file *)a, *y = (const own_file *)b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return 0;
}

/* Metadata and small raw data aggregated as sec2 does; no metadata
 * accumulator and no sieve buffer: HDF5 then never keeps raw bytes that it
 * could write back later over an owner's. */
static herr_t own_query(const H5FD_t *file, unsigned long *flags)
{
    (void)file;
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_AGGREGATE_SMALLDATA |
             H5FD_FEAT_POSIX_COMPAT_HANDLE;
    return 0;
}

static haddr_t own_get_eoa(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const own_file *)file)->eoa;
}

static herr_t own_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
    (void)type;
    ((own_file *)file)->eoa = addr;
    return 0;
}

static haddr_t own_get_eof(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const own_file *)file)->eof;
}

static herr_t own_get_handle(H5FD_t *file, hid_t fapl, void **handle)
{
    (void)fapl;
    *handle = &((own_file *)file)->fd;
    return 0;
}

/* Bytes past the end of the file read as zeros (as sec2). */
static herr_t own_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                       void *buf)
{
    (void)type;
    (void)dxpl;
    own_file *f = (own_file *)file;
    unsigned char *p = buf;
    while (size > 0) {
        const ssize_t n = pread(f->fd, p, size, (off_t)addr);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            OWN_FAIL(H5E_READERROR, "file read failed", errno);
            return -1;
        }
        if (n == 0) {
            memset(p, 0, size);
            break;
        }
        p += n;
        addr += (haddr_t)n;
        size -= (size_t)n;
    }
    return 0;
}

static herr_t own_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                        const void *buf)
{
    (void)dxpl;
    own_file *f = (own_file *)file;
    if (skip_raw && type == H5FD_MEM_DRAW)
        return 0; /* the owner of these bytes writes them (h5ownvfd.h) */
    const unsigned char *p = buf;
    const haddr_t end = addr + size;
    while (size > 0) {
        const ssize_t n = pwrite(f->fd, p, size, (off_t)addr);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            OWN_FAIL(H5E_WRITEERROR, "file write failed", n < 0 ? errno : EIO);
            return -1;
        }
        p += n;
        addr += (haddr_t)n;
        size -= (size_t)n;
    }
    f->eof = end > f->eof ? end : f->eof;
    return 0;
}

/* The file's length set to the allocated space.  Its real length, not
 * ours: the owners' writes may have lengthened it. */
static herr_t own_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
    (void)dxpl;
    (void)closing;
    own_file *f = (own_file *)file;
    struct stat sb;
    if (fstat(f->fd, &sb) != 0 ||
        ((haddr_t)sb.st_size != f->eoa && ftruncate(f->fd, (off_t)f->eoa) != 0)) {
        OWN_FAIL(H5E_SEEKERROR, "unable to extend file properly", errno);
        return -1;
    }
    f->eof = f->eoa;
    return 0;
}

static const H5FD_class_t own_class = {
    .name = "xpcs_owner_writes",
    .maxaddr = (haddr_t)INT64_MAX,
    .fc_degree = H5F_CLOSE_WEAK,
    .open = own_open,
    .close = own_close,
    .cmp = own_cmp,
    .query = own_query,
    .get_eoa = own_get_eoa,
    .set_eoa = own_set_eoa,
    .get_eof = own_get_eof,
    .get_handle = own_get_handle,
    .read = own_read,
    .write = own_write,
    .truncate = own_truncate,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

hid_t xpcs_h5own_fapl(void)
{
    static hid_t id = -1;
    if (id < 0 || H5Iis_valid(id) <= 0)
        id = H5FDregister(&own_class);
    if (id < 0)
        return -1;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_driver(fapl, id, NULL) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}
