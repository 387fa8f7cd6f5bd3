/* rigaku_writer: event words (rigaku.h's xpcs_rigaku_word), little-endian,
 * one frame's words per file per call. */
#include "xpcs/io/rigaku_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xpcs/core/fileutil.h"
#include "xpcs/io/rigaku.h"

struct xpcs_rigaku_writer {
    int n_files; /* 1 (500k) or 6 (3M) */
    int64_t frames;
    FILE *f[XPCS_RIGAKU3M_MODULES];
    char *path[XPCS_RIGAKU3M_MODULES];
    uint64_t *words; /* one frame: file k's words at words + k * per */
    size_t per;      /* a module's pixels + the count-0 word */
    int ok;          /* every fwrite so far complete */
    int e;           /* errno of the first failed write */
};

static void writer_free(xpcs_rigaku_writer *w)
{
    for (int k = 0; k < w->n_files; k++)
        free(w->path[k]);
    free(w->words);
    free(w);
}

xpcs_status xpcs_rigaku_writer_create(xpcs_publish *const *files, int n_files, int64_t frames,
                                      xpcs_rigaku_writer **out, xpcs_err *err)
{
    *out = NULL;
    if (n_files != 1 && n_files != XPCS_RIGAKU3M_MODULES)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "%s: %d Rigaku event files, expected 1 or 6",
                         n_files > 0 ? xpcs_publish_final(files[0]) : "", n_files);
    xpcs_rigaku_writer *w = xpcs_calloc(1, sizeof *w);
    w->n_files = n_files;
    w->frames = frames;
    w->ok = 1;
    for (int k = 0; k < n_files; k++) {
        const char *name = xpcs_publish_final(files[k]);
        const size_t len = strlen(name) + 1;
        w->path[k] = memcpy(xpcs_malloc(len), name, len);
    }
    for (int k = 0; k < n_files; k++) {
        /* a stream on the temporary's own descriptor (a copy of it) */
        int fd = dup(xpcs_publish_fd(files[k]));
        w->f[k] = fd < 0 ? NULL : fdopen(fd, "wb");
        if (!w->f[k]) {
            const int e = errno;
            if (fd >= 0)
                close(fd);
            xpcs_status st = xpcs_fail_errno(err, XPCS_ERR_OUTPUT, w->path[k], "write", e);
            while (k-- > 0)
                fclose(w->f[k]);
            writer_free(w);
            return st;
        }
    }
    w->per = (size_t)XPCS_RIGAKU_PIXELS + 1;
    w->words = xpcs_malloc(sizeof(uint64_t) * w->per * (size_t)n_files);
    *out = w;
    return XPCS_OK;
}

xpcs_status xpcs_rigaku_writer_frame(xpcs_rigaku_writer *w, int64_t t, const uint32_t *pix,
                                     const uint32_t *cnt, size_t n, xpcs_err *err)
{
    const int m3 = w->n_files > 1;
    size_t nw[XPCS_RIGAKU3M_MODULES] = {0};
    for (size_t i = 0; i < n; i++) {
        uint32_t q = pix[i];
        const int k = m3 ? xpcs_rigaku3m_module_of(pix[i], &q) : 0;
        if (k < 0)
            continue; /* a 3M gap */
        if (q >= XPCS_RIGAKU_PIXELS || nw[k] + 1 >= w->per)
            return xpcs_fail(err, XPCS_ERR_INTERNAL,
                             "%s: frame %lld: event pixel %u outside the detector or repeated",
                             w->path[k], (long long)t, (unsigned)pix[i]);
        q += m3 && k % 2 ? XPCS_RIGAKU3M_OFFSET : 0;
        w->words[(size_t)k * w->per + nw[k]++] = xpcs_rigaku_word((uint64_t)t, q, cnt[i]);
    }
    for (int k = 0; k < w->n_files; k++) {
        uint64_t *wk = w->words + (size_t)k * w->per;
        if (nw[k] == 0 && t == w->frames - 1) /* count 0: only the frame count */
            wk[nw[k]++] = xpcs_rigaku_word((uint64_t)t, m3 && k % 2 ? XPCS_RIGAKU3M_OFFSET : 0, 0);
        for (size_t i = 0; i < nw[k]; i++)
            wk[i] = xpcs_rigaku_le64(wk[i]);
        if (fwrite(wk, sizeof(uint64_t), nw[k], w->f[k]) != nw[k]) {
            w->ok = 0;
            w->e = errno;
            return xpcs_fail_errno(err, XPCS_ERR_OUTPUT, w->path[k], "write events", errno);
        }
    }
    return XPCS_OK;
}

xpcs_status xpcs_rigaku_writer_close(xpcs_rigaku_writer **wp, xpcs_err *err)
{
    xpcs_rigaku_writer *w = *wp;
    if (!w)
        return XPCS_OK;
    int bad = -1, e = w->e;
    for (int k = 0; k < w->n_files; k++)
        if (fclose(w->f[k]) != 0 && bad < 0) {
            bad = k;
            e = errno;
        }
    if (!w->ok && bad < 0)
        bad = 0;
    const xpcs_status st =
        bad < 0 ? XPCS_OK
                : xpcs_fail_errno(err, XPCS_ERR_OUTPUT, w->path[bad], "write events", e ? e : EIO);
    writer_free(w);
    *wp = NULL;
    return st;
}
