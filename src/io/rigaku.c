#define _DEFAULT_SOURCE /* pread */
#include "xpcs/io/rigaku.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpcs/core/infile.h"

typedef struct {
    char path[4096];
    int64_t n_words, n_frames;
    int64_t origin;  /* canvas index of module pixel 0 */
    uint32_t offset; /* subtracted from every pixel index */
    int fd;          /* rank 0 */
    xpcs_file *file;
} rig_module;

struct xpcs_rigaku {
    char path[4096];
    int n_mod;
    int64_t rows, cols, n_frames;
    rig_module mod[XPCS_RIGAKU3M_MODULES];
};

/* boost_corr's module order: the k-th file of (5, 0, 4, 1, 3, 2) is tile k
 * (tile row k / 2, tile column k % 2). */
static const int tile_of_module[XPCS_RIGAKU3M_MODULES] = {1, 3, 5, 4, 2, 0};

void xpcs_rigaku3m_origin(int module, int64_t *row, int64_t *col)
{
    const int t = tile_of_module[module];
    *row = (int64_t)(t / 2) * (XPCS_RIGAKU_ROWS + XPCS_RIGAKU3M_GAP_ROWS);
    *col = (int64_t)(t % 2) * (XPCS_RIGAKU_COLS + XPCS_RIGAKU3M_GAP_COLS);
}

int xpcs_rigaku3m_module_of(int64_t i, uint32_t *q)
{
    const int64_t row = i / XPCS_RIGAKU3M_COLS, col = i % XPCS_RIGAKU3M_COLS;
    for (int m = 0; m < XPCS_RIGAKU3M_MODULES; m++) {
        int64_t r0, c0;
        xpcs_rigaku3m_origin(m, &r0, &c0);
        if (row >= r0 && row < r0 + XPCS_RIGAKU_ROWS && col >= c0 && col < c0 + XPCS_RIGAKU_COLS) {
            if (q)
                *q = (uint32_t)((row - r0) * XPCS_RIGAKU_COLS + (col - c0));
            return m;
        }
    }
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

int xpcs_rigaku_is_3m(const char *path)
{
    size_t n = strlen(path);
    return n > 8 && strncmp(path + n - 8, ".bin.00", 7) == 0 && path[n - 1] >= '0' &&
           path[n - 1] < '0' + XPCS_RIGAKU3M_MODULES;
}

int xpcs_rigaku_is_event_file(const char *path)
{
    return ends_with(path, ".bin") || xpcs_rigaku_is_3m(path);
}

static xpcs_status read_at(const rig_module *m, int64_t i, uint64_t *w, xpcs_err *err)
{
    uint64_t v = 0;
    ssize_t got = pread(m->fd, &v, sizeof v, (off_t)i * 8);
    if (got != (ssize_t)sizeof v)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read event word %lld: %s", m->path,
                         (long long)i, got < 0 ? strerror(errno) : "short read");
    *w = xpcs_rigaku_le64(v);
    return XPCS_OK;
}

/* Rank 0: size, frame count and (3M) the pixel offset of one file. */
static xpcs_status probe(rig_module *m, int is_3m, xpcs_err *err)
{
    struct stat sb;
    char why[256];
    if (xpcs_input_regular(m->path, why, sizeof why) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read raw data file: %s%s", m->path, why,
                         is_3m ? " (a Rigaku 3M set needs all six module files .bin.000 ... "
                                 ".bin.005)"
                               : "");
    m->fd = open(m->path, O_RDONLY | O_NONBLOCK); /* regular: the flag changes nothing */
    if (m->fd < 0 || fstat(m->fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: cannot read raw data file: it changed while "
                         "it was opened",
                         m->path);
    if (sb.st_size == 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: empty file: expected Rigaku events (little-endian uint64 words)",
                         m->path);
    if (sb.st_size % 8 != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: size %lld bytes is not a multiple of 8: truncated event word "
                         "(expected little-endian uint64 words)",
                         m->path, (long long)sb.st_size);
    m->n_words = (int64_t)sb.st_size / 8;
    uint64_t w = 0;
    xpcs_status st = read_at(m, m->n_words - 1, &w, err);
    if (st)
        return st;
    m->n_frames = xpcs_rigaku_frame_of(w) + 1;
    m->offset = 0;
    if (is_3m) {
        st = read_at(m, 0, &w, err);
        if (!st && xpcs_rigaku_pixel_of(w) >= XPCS_RIGAKU3M_OFFSET)
            m->offset = XPCS_RIGAKU3M_OFFSET;
    }
    return st;
}

xpcs_status xpcs_rigaku_open(const xpcs_comm *c, const char *path, xpcs_rigaku **out, xpcs_err *err)
{
    *out = NULL;
    xpcs_rigaku *r = xpcs_calloc(1, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    const int is_3m = xpcs_rigaku_is_3m(path);
    r->n_mod = is_3m ? XPCS_RIGAKU3M_MODULES : 1;
    r->rows = is_3m ? XPCS_RIGAKU3M_ROWS : XPCS_RIGAKU_ROWS;
    r->cols = is_3m ? XPCS_RIGAKU3M_COLS : XPCS_RIGAKU_COLS;
    for (int m = 0; m < r->n_mod; m++) {
        rig_module *md = &r->mod[m];
        snprintf(md->path, sizeof md->path, "%s", path);
        md->fd = -1;
        if (is_3m) {
            md->path[strlen(md->path) - 1] = (char)('0' + m);
            int64_t row, col;
            xpcs_rigaku3m_origin(m, &row, &col);
            md->origin = row * r->cols + col;
        }
    }
    xpcs_status st = XPCS_OK;
    if (xpcs_comm_is_root(c))
        for (int m = 0; m < r->n_mod && !st; m++)
            st = probe(&r->mod[m], is_3m, err);
    st = xpcs_comm_agree(c, st, err);
    for (int m = 0; m < r->n_mod && !st; m++) {
        rig_module *md = &r->mod[m];
        int64_t v[3] = {md->n_words, md->n_frames, md->offset};
        xpcs_comm_bcast(c, v, sizeof v, 0);
        md->n_words = v[0];
        md->n_frames = v[1];
        md->offset = (uint32_t)v[2];
        if (md->n_frames > r->n_frames)
            r->n_frames = md->n_frames;
        st = xpcs_comm_agree(c, xpcs_comm_file_open(c, md->path, &md->file, err), err);
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
    for (int m = 0; m < r->n_mod; m++) {
        if (r->mod[m].fd >= 0)
            close(r->mod[m].fd);
        xpcs_comm_file_close(&r->mod[m].file);
    }
    free(r);
    *rp = NULL;
}

const char *xpcs_rigaku_path(const xpcs_rigaku *r)
{
    return r->path;
}
int64_t xpcs_rigaku_rows(const xpcs_rigaku *r)
{
    return r->rows;
}
int64_t xpcs_rigaku_cols(const xpcs_rigaku *r)
{
    return r->cols;
}
int64_t xpcs_rigaku_n_frames(const xpcs_rigaku *r)
{
    return r->n_frames;
}
int xpcs_rigaku_n_modules(const xpcs_rigaku *r)
{
    return r->n_mod;
}
const char *xpcs_rigaku_module_path(const xpcs_rigaku *r, int m)
{
    return r->mod[m].path;
}
int64_t xpcs_rigaku_n_words(const xpcs_rigaku *r, int m)
{
    return r->mod[m].n_words;
}
void xpcs_rigaku_module_place(const xpcs_rigaku *r, int m, int64_t *origin, uint32_t *offset)
{
    *origin = r->mod[m].origin;
    *offset = r->mod[m].offset;
}

xpcs_status xpcs_rigaku_lower_bound(xpcs_rigaku *r, int m, int64_t frame, int64_t lo, int64_t hi,
                                    int64_t *word, xpcs_err *err)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        uint64_t w = 0;
        xpcs_status st = read_at(&r->mod[m], mid, &w, err);
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

xpcs_status xpcs_rigaku_lower_bounds(xpcs_rigaku *r, int64_t frame, const int64_t *lo,
                                     const int64_t *hi, int64_t *word, int64_t *total,
                                     xpcs_err *err)
{
    int64_t sum = 0;
    for (int m = 0; m < r->n_mod; m++) {
        xpcs_status st = xpcs_rigaku_lower_bound(r, m, frame, lo[m], hi[m], &word[m], err);
        if (st)
            return st;
        sum += word[m];
    }
    *total = sum;
    return XPCS_OK;
}

xpcs_status xpcs_rigaku_read(xpcs_rigaku *r, int m, int64_t first, int64_t n, uint64_t *buf,
                             xpcs_err *err)
{
    xpcs_status st = xpcs_comm_file_read_at_all(r->mod[m].file, first * 8, buf, (size_t)n * 8, err);
    if (st)
        return st;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (int64_t i = 0; i < n; i++)
        buf[i] = xpcs_rigaku_le64(buf[i]);
#endif
    return XPCS_OK;
}
