#define _DEFAULT_SOURCE /* pread */
#include "xpcs/rigaku.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct xpcs_rigaku {
    char path[4096];
    int64_t n_words, n_frames;
    int fd; /* rank 0 */
    xpcs_file *file;
};

int xpcs_rigaku_is_event_file(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".bin") == 0;
}

static xpcs_status read_at(int fd, const char *path, int64_t i, uint64_t *w, xpcs_err *err)
{
    uint64_t v = 0;
    ssize_t got = pread(fd, &v, sizeof v, (off_t)i * 8);
    if (got != (ssize_t)sizeof v)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read event word %lld: %s", path,
                         (long long)i, got < 0 ? strerror(errno) : "short read");
    *w = xpcs_rigaku_le64(v);
    return XPCS_OK;
}

/* Rank 0: size and frame count. */
static xpcs_status probe(xpcs_rigaku *r, xpcs_err *err)
{
    struct stat sb;
    r->fd = open(r->path, O_RDONLY);
    if (r->fd < 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read raw data file: %s", r->path,
                         strerror(errno));
    if (fstat(r->fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: not a regular file: expected a Rigaku .bin "
                         "event file",
                         r->path);
    if (sb.st_size == 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: empty file: expected Rigaku events (little-endian uint64 words)",
                         r->path);
    if (sb.st_size % 8 != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: size %lld bytes is not a multiple of 8: truncated event word "
                         "(expected little-endian uint64 words)",
                         r->path, (long long)sb.st_size);
    r->n_words = (int64_t)sb.st_size / 8;
    uint64_t last = 0;
    xpcs_status st = read_at(r->fd, r->path, r->n_words - 1, &last, err);
    if (st)
        return st;
    r->n_frames = xpcs_rigaku_frame_of(last) + 1;
    return XPCS_OK;
}

xpcs_status xpcs_rigaku_open(const xpcs_comm *c, const char *path, xpcs_rigaku **out, xpcs_err *err)
{
    *out = NULL;
    xpcs_rigaku *r = xpcs_calloc(1, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->fd = -1;
    xpcs_status st = XPCS_OK;
    if (xpcs_comm_is_root(c))
        st = probe(r, err);
    st = xpcs_comm_agree(c, st, err);
    if (!st) {
        int64_t v[2] = {r->n_words, r->n_frames};
        xpcs_comm_bcast(c, v, sizeof v, 0);
        r->n_words = v[0];
        r->n_frames = v[1];
        st = xpcs_comm_agree(c, xpcs_comm_file_open(c, path, &r->file, err), err);
    }
    if (st) {
        xpcs_rigaku_close(&r);
        return st;
    }
    *out = r;
    return XPCS_OK;
}

void xpcs_rigaku_close(xpcs_rigaku **rp)
{
    if (!rp || !*rp)
        return;
    xpcs_rigaku *r = *rp;
    if (r->fd >= 0)
        close(r->fd);
    xpcs_comm_file_close(&r->file);
    free(r);
    *rp = NULL;
}

const char *xpcs_rigaku_path(const xpcs_rigaku *r)
{
    return r->path;
}
int64_t xpcs_rigaku_n_words(const xpcs_rigaku *r)
{
    return r->n_words;
}
int64_t xpcs_rigaku_n_frames(const xpcs_rigaku *r)
{
    return r->n_frames;
}

xpcs_status xpcs_rigaku_read_word(xpcs_rigaku *r, int64_t i, uint64_t *w, xpcs_err *err)
{
    return read_at(r->fd, r->path, i, w, err);
}

xpcs_status xpcs_rigaku_lower_bound(xpcs_rigaku *r, int64_t frame, int64_t lo, int64_t *word,
                                    xpcs_err *err)
{
    int64_t hi = r->n_words;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        uint64_t w = 0;
        xpcs_status st = read_at(r->fd, r->path, mid, &w, err);
        if (st)
            return st;
        if (xpcs_rigaku_frame_of(w) < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    *word = lo;
    return XPCS_OK;
}

xpcs_status xpcs_rigaku_read(xpcs_rigaku *r, int64_t first, int64_t n, uint64_t *buf, xpcs_err *err)
{
    xpcs_status st = xpcs_comm_file_read_at_all(r->file, first * 8, buf, (size_t)n * 8, err);
    if (st)
        return st;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (int64_t i = 0; i < n; i++)
        buf[i] = xpcs_rigaku_le64(buf[i]);
#endif
    return XPCS_OK;
}
