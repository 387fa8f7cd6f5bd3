/* publish: see include/xpcs/core/publish.h. */
#define _GNU_SOURCE /* renameat2, open file description locks, fallocate */

#include "xpcs/core/publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "xpcs/core/fileutil.h"

/* A temporary whose lock has been free this long belongs to nobody alive
 * (its writer holds the lock from creation to publication). */
#define STALE_AGE_S 60

struct xpcs_publish {
    int fd;
    xpcs_publish_mode mode;
    char *final, *tmp;
    char open_path[64];
    dev_t dev;
    ino_t ino;
    int64_t reserved; /* bytes allocated ahead (fallocate), 0 = none */
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xpcs_malloc(n), s, n);
}

/* FNV-1a of the host name: the temporaries of one host are told apart from
 * another's (whose pids mean nothing here). */
static uint32_t host_hash(void)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    uint32_t h = 2166136261u;
    for (const char *c = host; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    return h;
}

static uint32_t random32(void)
{
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (uint32_t)ts.tv_nsec ^ ((uint32_t)ts.tv_sec << 7) ^ (uint32_t)getpid() * 2654435761u;
    }
    return r;
}

/* The byte a writer locks: far past any data, so that the byte-range
 * locks an MPI-IO library takes around its writes (NFS) never meet it
 * while other ranks write their two-time map chunks into the temporary
 * (pipeline/ttmaps.c); lock_state asks about the whole file, so it still
 * sees it. */
#define LOCK_BYTE ((off_t)1 << 62)

/* Write lock on the open file description (kept when other descriptors of
 * the file are closed, e.g. HDF5's); classic record locks where the kernel
 * has no OFD locks.  Best effort: without locks the pid in the name still
 * protects the file on its own host. */
static void lock_fd(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = LOCK_BYTE;
    fl.l_len = 1;
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0 && errno == EINVAL)
        fcntl(fd, F_SETLK, &fl);
}

/* 1 locked by someone, 0 free, -1 unknown. */
static int lock_state(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0) {
        if (errno != EINVAL)
            return -1;
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_GETLK, &fl) != 0)
            return -1;
    }
    return fl.l_type != F_UNLCK;
}

/* Unlinks path only while it still names the file (dev, ino). */
static int unlink_same(const char *path, dev_t dev, ino_t ino)
{
    struct stat sb;
    if (lstat(path, &sb) != 0 || sb.st_dev != dev || sb.st_ino != ino)
        return -1;
    return unlink(path);
}

xpcs_status xpcs_publish_begin(const char *final, xpcs_publish_mode mode, xpcs_publish **out,
                               xpcs_err *err)
{
    *out = NULL;
    const size_t n = strlen(final) + 48;
    char *tmp = xpcs_malloc(n);
    const uint32_t host = host_hash();
    int fd = -1, e = 0;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        snprintf(tmp, n, "%s.%08x.%ld.%08x.tmp", final, (unsigned)host, (long)getpid(),
                 (unsigned)random32());
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        e = fd < 0 ? errno : 0;
        if (fd < 0 && e != EEXIST)
            break;
    }
    if (fd < 0) {
        free(tmp);
        return xpcs_fail_errno(err, XPCS_ERR_OUTPUT, final, "create a temporary file beside it", e);
    }
    lock_fd(fd);
    xpcs_publish *p = xpcs_calloc(1, sizeof *p);
    p->fd = fd;
    p->mode = mode;
    p->final = dup_str(final);
    p->tmp = tmp;
    struct stat sb;
    if (fstat(fd, &sb) == 0) {
        p->dev = sb.st_dev;
        p->ino = sb.st_ino;
    }
    snprintf(p->open_path, sizeof p->open_path, "/proc/self/fd/%d", fd);
    if (access(p->open_path, F_OK) != 0) /* no /proc: the name, checked at open */
        p->open_path[0] = '\0';
    *out = p;
    return XPCS_OK;
}

int xpcs_publish_fd(const xpcs_publish *p)
{
    return p->fd;
}

const char *xpcs_publish_final(const xpcs_publish *p)
{
    return p->final;
}

const char *xpcs_publish_tmp(const xpcs_publish *p)
{
    return p->tmp;
}

const char *xpcs_publish_open_path(const xpcs_publish *p)
{
    return p->open_path[0] ? p->open_path : p->tmp;
}

xpcs_status xpcs_publish_write(xpcs_publish *p, const void *buf, size_t n, xpcs_err *err)
{
    int e = xpcs_write_all(p->fd, buf, n);
    return e ? xpcs_fail_errno(err, XPCS_ERR_OUTPUT, p->final, "write", e) : XPCS_OK;
}

xpcs_status xpcs_publish_copy(xpcs_publish *p, const char *src, const char *role, xpcs_err *err)
{
    return xpcs_copy_to_fd(src, role, p->fd, p->final, err);
}

void xpcs_publish_keep_mode(xpcs_publish *p, const char *like)
{
    struct stat sb;
    if (stat(like, &sb) == 0)
        fchmod(p->fd, sb.st_mode & 07777);
}

xpcs_status xpcs_publish_reserve(xpcs_publish *p, int64_t bytes, xpcs_err *err)
{
    if (bytes <= p->reserved)
        return XPCS_OK;
    /* Ahead by a quarter of what is reserved: a writer that reserves chunk
     * by chunk (two-time maps) then calls fallocate O(log size) times, not
     * once per chunk (on tmpfs each call walks every page from 0: 3 ms at
     * 300 MB).  Where the disk cannot hold the extra, the exact amount. */
    const int64_t ahead = p->reserved + p->reserved / 4;
    if (ahead > bytes && fallocate(p->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)ahead) == 0) {
        p->reserved = ahead;
        return XPCS_OK;
    }
    if (fallocate(p->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) == 0) {
        p->reserved = bytes;
        return XPCS_OK;
    }
    int e = errno;
    if (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL) { /* e.g. NFSv3: count the free space */
        struct stat sb;
        struct statvfs vb;
        if (fstat(p->fd, &sb) != 0 || fstatvfs(p->fd, &vb) != 0)
            return XPCS_OK;
        double need = (double)bytes - (double)sb.st_size;
        if (need <= (double)vb.f_bavail * (double)vb.f_frsize)
            return XPCS_OK;
        e = ENOSPC;
    }
    return xpcs_fail_errno(err, XPCS_ERR_OUTPUT, p->final, "write", e);
}

/* ---- commit ------------------------------------------------------------- */

/* Space allocated ahead and not used goes back (punch the part past the
 * end; the size stays). */
static void give_back_reserve(xpcs_publish *p)
{
    struct stat sb;
    if (p->reserved > 0 && fstat(p->fd, &sb) == 0 && p->reserved > (int64_t)sb.st_size)
        fallocate(p->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, sb.st_size,
                  (off_t)(p->reserved - (int64_t)sb.st_size));
    p->reserved = 0;
}

/* The directory entry made durable as well (best effort: not every file
 * system syncs directories). */
static void sync_dir(const char *final)
{
    char *dir = dup_str(final);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, strlen(dir) + 1, "%s", ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Puts tmp at final without replacing anything there; 0 or an errno. */
static int place_new(const char *tmp, const char *final)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    int e = errno;
    if (e != EINVAL && e != ENOSYS && e != EOPNOTSUPP)
        return e;
    /* no RENAME_NOREPLACE here (e.g. NFS): link() refuses an existing name */
    if (link(tmp, final) == 0) {
        unlink(tmp);
        return 0;
    }
    e = errno;
    if (e != EPERM && e != EOPNOTSUPP && e != ENOSYS)
        return e;
    /* no hard links either: the last check is not atomic */
    struct stat sb;
    if (lstat(final, &sb) == 0)
        return EEXIST;
    return rename(tmp, final) == 0 ? 0 : errno;
}

/* Published files of the open transactions (rollback), known by device,
 * inode and change time as published (an inode number alone may come back
 * for another file). */
typedef struct {
    char *path;
    struct stat sb;
} published;
static published *txn_list;
static int txn_n, txn_cap, txn_depth;

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void txn_record(const xpcs_publish *p)
{
    struct stat sb;
    if (txn_depth == 0 || lstat(p->final, &sb) != 0)
        return;
    if (txn_n == txn_cap) {
        int64_t cap = txn_cap;
        txn_list = xpcs_grow_keep(txn_list, &cap, txn_n + 1, sizeof *txn_list);
        txn_cap = (int)cap;
    }
    txn_list[txn_n].path = dup_str(p->final);
    txn_list[txn_n++].sb = sb;
}

/* Removes a published file while it is still the one published. */
static void unpublish(const published *f)
{
    struct stat sb;
    if (lstat(f->path, &sb) == 0 && same_file(&sb, &f->sb))
        unlink(f->path);
}

static void publish_free(xpcs_publish *p)
{
    free(p->final);
    free(p->tmp);
    free(p);
}

xpcs_status xpcs_publish_commit(xpcs_publish **pp, xpcs_err *err)
{
    xpcs_publish *p = *pp;
    *pp = NULL;
    give_back_reserve(p);
    xpcs_status st = XPCS_OK;
    if (fsync(p->fd) != 0 && errno != EINVAL)
        st = xpcs_fail_errno(err, XPCS_ERR_OUTPUT, p->final, "write", errno);
    if (close(p->fd) != 0 && !st && errno != EINTR)
        st = xpcs_fail_errno(err, XPCS_ERR_OUTPUT, p->final, "write", errno);
    p->fd = -1;
    int e = 0;
    if (!st)
        e = p->mode == XPCS_PUBLISH_NEW ? place_new(p->tmp, p->final)
                                        : (rename(p->tmp, p->final) == 0 ? 0 : errno);
    if (!st && e == EEXIST)
        st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                       "%s: exists (it appeared while this run was writing): not replaced; use "
                       "-w/--overwrite to replace it",
                       p->final);
    else if (!st && e)
        st = xpcs_fail_errno(err, XPCS_ERR_OUTPUT, p->final, "rename the temporary file to it", e);
    if (st)
        unlink_same(p->tmp, p->dev, p->ino);
    else {
        sync_dir(p->final);
        txn_record(p);
    }
    publish_free(p);
    return st;
}

void xpcs_publish_abandon(xpcs_publish **pp)
{
    if (!pp || !*pp)
        return;
    xpcs_publish *p = *pp;
    *pp = NULL;
    unlink_same(p->tmp, p->dev, p->ino); /* while our lock still holds it */
    if (p->fd >= 0)
        close(p->fd);
    publish_free(p);
}

xpcs_status xpcs_publish_file(const char *final, xpcs_publish_mode mode, const void *buf, size_t n,
                              xpcs_err *err)
{
    xpcs_publish *p = NULL;
    xpcs_status st = xpcs_publish_begin(final, mode, &p, err);
    if (!st)
        st = xpcs_publish_write(p, buf, n, err);
    if (st) {
        xpcs_publish_abandon(&p);
        return st;
    }
    return xpcs_publish_commit(&p, err);
}

/* ---- stale temporaries -------------------------------------------------- */

/* 1 when process pid has ended: gone, or a zombie that its parent has not
 * reaped yet (after kill -9 of a job, until init or mpirun collects it; it
 * holds no file and no lock any more, but kill(pid, 0) still succeeds). */
static int pid_ended(long pid)
{
    if (kill((pid_t)pid, 0) != 0)
        return errno == ESRCH;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0; /* no /proc: cannot tell */
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *end = strrchr(buf, ')'); /* "pid (comm) S ...": comm may hold ')' */
    return end && end[1] == ' ' && (end[2] == 'Z' || end[2] == 'X');
}

/* 1 when the temporary dir/name (parsed: host hash, pid) provably has no
 * live writer. */
static int is_dead(int dfd, const char *name, uint32_t host, long pid, dev_t *dev, ino_t *ino)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0; /* a link, gone, unreadable: not ours to judge */
    struct stat sb;
    int dead = 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        const int locked = lock_state(fd);
        const int old = difftime(time(NULL), sb.st_mtime) > STALE_AGE_S;
        const int here = host == host_hash();
        if (locked == 1 || (here && pid == (long)getpid()))
            dead = 0;
        else if (here && pid > 0 && pid_ended(pid))
            dead = 1;
        else
            dead = locked == 0 && old;
        *dev = sb.st_dev;
        *ino = sb.st_ino;
    }
    close(fd);
    return dead;
}

int xpcs_publish_remove_stale(const char *final)
{
    char *dir = dup_str(final);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : final;
    if (!slash)
        snprintf(dir, strlen(dir) + 1, "%s", ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int removed = 0;
    DIR *d = opendir(dir);
    const size_t bl = strlen(base);
    while (d) {
        struct dirent *de = readdir(d);
        if (!de)
            break;
        const char *nm = de->d_name;
        unsigned host = 0, rnd = 0;
        long pid = 0;
        int used = 0;
        if (strncmp(nm, base, bl) != 0 || nm[bl] != '.' ||
            sscanf(nm + bl, ".%8x.%ld.%8x.tmp%n", &host, &pid, &rnd, &used) != 3 ||
            nm[bl + (size_t)used] != '\0')
            continue;
        dev_t dev = 0;
        ino_t ino = 0;
        if (!is_dead(dirfd(d), nm, host, pid, &dev, &ino))
            continue;
        struct stat sb;
        if (fstatat(dirfd(d), nm, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_dev == dev &&
            sb.st_ino == ino && unlinkat(dirfd(d), nm, 0) == 0)
            removed++;
    }
    if (d)
        closedir(d);
    free(dir);
    return removed;
}

/* ---- rollback ----------------------------------------------------------- */

int xpcs_publish_txn_begin(void)
{
    txn_depth++;
    return txn_n;
}

void xpcs_publish_txn_end(int mark, int keep)
{
    /* kept: an enclosing transaction may still roll them back */
    if (!keep && mark >= 0) {
        for (int i = txn_n - 1; i >= mark; i--) {
            unpublish(&txn_list[i]);
            free(txn_list[i].path);
        }
        if (mark < txn_n)
            txn_n = mark;
    }
    if (txn_depth > 0)
        txn_depth--;
    if (txn_depth == 0) {
        for (int i = 0; i < txn_n; i++)
            free(txn_list[i].path);
        free(txn_list);
        txn_list = NULL;
        txn_n = txn_cap = 0;
    }
}
