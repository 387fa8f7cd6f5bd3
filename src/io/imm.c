/* imm: see include/xpcs/io/imm.h. */
#include "xpcs/io/imm.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpcs/core/infile.h"

#define HEADER 1024
#define PIECE_BYTES ((int64_t)256 << 20) /* one MPI-IO read, at most */

struct xpcs_imm {
    const xpcs_comm *c;
    char path[4096];
    int64_t n, rows, cols;
    int compressed;
    int64_t *off;  /* [n] payload offsets */
    uint32_t *len; /* [n] dlen */
    xpcs_file *file;
    unsigned char *buf;
    size_t cap;
};

int xpcs_imm_is_imm(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".imm") == 0;
}

static int32_t le32(const unsigned char *h, int at)
{
    return (int32_t)((uint32_t)h[at] | (uint32_t)h[at + 1] << 8 | (uint32_t)h[at + 2] << 16 |
                     (uint32_t)h[at + 3] << 24);
}

/* Rank 0: the table of contents, every header checked. */
static xpcs_status scan(xpcs_imm *m, xpcs_err *err)
{
    char why[256];
    if (xpcs_input_regular(m->path, why, sizeof why) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read the raw file: %s", m->path, why);
    int fd = open(m->path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open the IMM file", m->path);
    }
    const int64_t size = (int64_t)sb.st_size;
    int64_t pos = 0, cap_off = 0, cap_len = 0;
    xpcs_status st = XPCS_OK;
    unsigned char h[HEADER];
    while (!st && pos < size) {
        if (pos + HEADER > size || pread(fd, h, HEADER, pos) != HEADER) {
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: frame %lld: the file ends inside its 1024-byte header (at byte "
                           "%lld of %lld): expected whole IMM frames",
                           m->path, (long long)m->n, (long long)pos, (long long)size);
            break;
        }
        const int32_t comp = le32(h, 4), rows = le32(h, 108), cols = le32(h, 112),
                      bytes = le32(h, 116);
        const uint32_t dlen = (uint32_t)le32(h, 152);
        if (m->n == 0) {
            m->compressed = comp == 6;
            m->rows = rows;
            m->cols = cols;
            if (rows <= 0 || cols <= 0 || (int64_t)rows * cols > ((int64_t)1 << 31) || bytes != 2) {
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: frame 0 header: rows %d, cols %d, %d bytes per count: "
                               "expected a detector of at most 2^31 pixels with 2-byte counts",
                               m->path, rows, cols, bytes);
                break;
            }
        }
        else if ((comp == 6) != m->compressed || rows != m->rows || cols != m->cols) {
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: frame %lld header: compression %d, %d x %d: expected the first "
                           "frame's (compression %d, %lld x %lld)",
                           m->path, (long long)m->n, comp, rows, cols, m->compressed ? 6 : 0,
                           (long long)m->rows, (long long)m->cols);
            break;
        }
        const int64_t npix = m->rows * m->cols;
        const int64_t payload = (int64_t)dlen * (m->compressed ? 6 : 2);
        if ((!m->compressed && dlen != npix) || (m->compressed && dlen > npix) ||
            pos + HEADER + payload > size) {
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: frame %lld declares %u %s (%lld bytes at byte %lld): the file "
                           "holds %lld bytes and the detector %lld pixels",
                           m->path, (long long)m->n, dlen, m->compressed ? "events" : "counts",
                           (long long)payload, (long long)(pos + HEADER), (long long)size,
                           (long long)npix);
            break;
        }
        m->off = xpcs_grow_keep(m->off, &cap_off, m->n + 1, sizeof(int64_t));
        m->len = xpcs_grow_keep(m->len, &cap_len, m->n + 1, sizeof(uint32_t));
        m->off[m->n] = pos + HEADER;
        m->len[m->n++] = dlen;
        pos += HEADER + payload;
    }
    close(fd);
    if (!st && m->n == 0)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: empty IMM file: expected frames", m->path);
    return st;
}

xpcs_status xpcs_imm_open(const xpcs_comm *c, const char *path, xpcs_imm **out, xpcs_err *err)
{
    xpcs_imm *m = xpcs_calloc(1, sizeof *m);
    m->c = c;
    snprintf(m->path, sizeof m->path, "%s", path);
    xpcs_status st = xpcs_comm_is_root(c) ? scan(m, err) : XPCS_OK;
    st = xpcs_comm_agree(c, st, err);
    int64_t hdr[4] = {m->n, m->rows, m->cols, m->compressed};
    if (!st) {
        xpcs_comm_bcast(c, hdr, sizeof hdr, 0);
        m->n = hdr[0], m->rows = hdr[1], m->cols = hdr[2], m->compressed = (int)hdr[3];
        if (!xpcs_comm_is_root(c)) {
            m->off = xpcs_malloc(sizeof(int64_t) * (size_t)m->n);
            m->len = xpcs_malloc(sizeof(uint32_t) * (size_t)m->n);
        }
        xpcs_comm_bcast(c, m->off, sizeof(int64_t) * (size_t)m->n, 0);
        xpcs_comm_bcast(c, m->len, sizeof(uint32_t) * (size_t)m->n, 0);
        st = xpcs_comm_agree(c, xpcs_comm_file_open(c, path, &m->file, err), err);
    }
    if (st) {
        xpcs_imm_close(&m);
        return st;
    }
    *out = m;
    return XPCS_OK;
}

void xpcs_imm_close(xpcs_imm **mp)
{
    xpcs_imm *m = *mp;
    if (!m)
        return;
    xpcs_comm_file_close(&m->file);
    free(m->off);
    free(m->len);
    free(m->buf);
    free(m);
    *mp = NULL;
}

void xpcs_imm_dims(const xpcs_imm *m, int64_t *frames, int64_t *rows, int64_t *cols)
{
    *frames = m->n;
    *rows = m->rows;
    *cols = m->cols;
}

int xpcs_imm_compressed(const xpcs_imm *m)
{
    return m->compressed;
}

static int64_t payload_bytes(const xpcs_imm *m, int64_t f)
{
    return (int64_t)m->len[f] * (m->compressed ? 6 : 2);
}

/* Frame f's payload (at p) into out [rows * cols]. */
static xpcs_status decode(const xpcs_imm *m, int64_t f, const unsigned char *p, uint16_t *out,
                          xpcs_err *err)
{
    const int64_t npix = m->rows * m->cols, n = m->len[f];
    if (!m->compressed) {
        memcpy(out, p, sizeof(uint16_t) * (size_t)npix); /* little-endian, as the file */
        return XPCS_OK;
    }
    memset(out, 0, sizeof(uint16_t) * (size_t)npix);
    for (int64_t i = 0; i < n; i++) {
        int32_t pix;
        uint16_t cnt;
        memcpy(&pix, p + 4 * i, 4);
        memcpy(&cnt, p + 4 * n + 2 * i, 2);
        if (pix < 0 || pix >= npix)
            return xpcs_fail(err, XPCS_ERR_INPUT,
                             "%s: frame %lld: event %lld names pixel %d: expected 0..%lld", m->path,
                             (long long)f, (long long)i, pix, (long long)npix - 1);
        out[pix] = cnt; /* boost_corr writes each pixel once per frame, the last one wins */
    }
    return XPCS_OK;
}

xpcs_status xpcs_imm_read(xpcs_imm *m, int64_t first, int64_t stride, int64_t count, uint16_t *buf,
                          xpcs_err *err)
{
    /* pieces: runs of frames read at once (consecutive frames are adjacent
     * in the file, headers between them), each at most PIECE_BYTES unless
     * one frame is larger; every rank makes as many reads as the rank with
     * the most pieces (collective reads) */
    double n_pieces = 0;
    for (int64_t i = 0; i < count;) {
        int64_t j = i + 1, span = payload_bytes(m, first + i * stride);
        while (stride == 1 && j < count &&
               span + HEADER + payload_bytes(m, first + j) <= PIECE_BYTES)
            span += HEADER + payload_bytes(m, first + j++);
        n_pieces++;
        i = j;
    }
    double most = n_pieces;
    xpcs_comm_allreduce_max_double(m->c, &most, 1);
    xpcs_status st = XPCS_OK;
    xpcs_err later;
    const int64_t npix = m->rows * m->cols;
    int64_t i = 0;
    for (int64_t k = 0; k < (int64_t)most; k++) {
        int64_t j = i, span = 0, at = 0;
        if (i < count) {
            at = m->off[first + i * stride];
            span = payload_bytes(m, first + i * stride);
            j = i + 1;
            while (stride == 1 && j < count &&
                   span + HEADER + payload_bytes(m, first + j) <= PIECE_BYTES)
                span += HEADER + payload_bytes(m, first + j++);
        }
        if ((size_t)span + 1 > m->cap) {
            free(m->buf);
            m->cap = (size_t)span + 1;
            m->buf = xpcs_malloc(m->cap);
        }
        const xpcs_status rs = xpcs_comm_file_read_at_all(m->file, at, m->buf,
                                                          st ? 0 : (size_t)span, st ? &later : err);
        st = st ? st : rs;
        for (int64_t q = i; !st && q < j; q++) {
            const int64_t f = first + q * stride;
            st = decode(m, f, m->buf + (m->off[f] - at), buf + (size_t)q * (size_t)npix, err);
        }
        i = j;
    }
    return st;
}
