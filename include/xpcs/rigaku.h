/* rigaku: Rigaku XSPA-500k event files (.bin), as boost_corr reads them.
 *
 * No header: a flat array of little-endian uint64 words, one per event,
 *     word = frame << 40 | pixel << 16 | count
 * frame in bits 40-63 (0-based), pixel = row * 1024 + col in bits 16-36 over
 * 512 x 1024 pixels, count in bits 0-11 (bits 12-15 and 37-39 are ignored).
 * Events are sorted by frame (pixels ascending within a frame); the number of
 * frames is the last word's frame + 1 (a file whose last frames are empty
 * ends with a count-0 word in its last frame).  The six-module 3M variant
 * (.bin.000 ... .bin.005) is not supported.
 *
 * Reading: rank 0 finds word ranges of frames by binary search (pread of
 * single words); every rank reads its slice of a range with collective
 * MPI-IO (comm.h).  Order and pixel range are checked by the reader of each
 * word (evstream.c), so a bad file is found wherever it is read.
 */
#ifndef XPCS_RIGAKU_H
#define XPCS_RIGAKU_H

#include <stdint.h>

#include "xpcs/comm.h"
#include "xpcs/status.h"

#define XPCS_RIGAKU_ROWS 512
#define XPCS_RIGAKU_COLS 1024
#define XPCS_RIGAKU_PIXELS (XPCS_RIGAKU_ROWS * XPCS_RIGAKU_COLS)

static inline uint64_t xpcs_rigaku_word(uint64_t frame, uint64_t pixel, uint64_t count)
{
    return frame << 40 | pixel << 16 | count;
}
static inline int64_t xpcs_rigaku_frame_of(uint64_t w)
{
    return (int64_t)(w >> 40);
}
static inline uint32_t xpcs_rigaku_pixel_of(uint64_t w)
{
    return (uint32_t)((w >> 16) & 0x1fffffu);
}
static inline uint32_t xpcs_rigaku_count_of(uint64_t w)
{
    return (uint32_t)(w & 0xfffu);
}
/* Host order <-> the file's little-endian words (no-op on x86). */
static inline uint64_t xpcs_rigaku_le64(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(w);
#else
    return w;
#endif
}

/* 1 when path names an event file (ends in ".bin"). */
int xpcs_rigaku_is_event_file(const char *path);

typedef struct xpcs_rigaku xpcs_rigaku;

/* Collective: checks the file (size a non-zero multiple of 8) and opens it
 * for MPI-IO on every rank and for single-word reads on rank 0. */
xpcs_status xpcs_rigaku_open(const xpcs_comm *c, const char *path, xpcs_rigaku **out,
                             xpcs_err *err);
void xpcs_rigaku_close(xpcs_rigaku **r);

const char *xpcs_rigaku_path(const xpcs_rigaku *r);
int64_t xpcs_rigaku_n_words(const xpcs_rigaku *r);
/* Frames in the file: the last word's frame + 1. */
int64_t xpcs_rigaku_n_frames(const xpcs_rigaku *r);

/* Rank 0 only: the word at index i. */
xpcs_status xpcs_rigaku_read_word(xpcs_rigaku *r, int64_t i, uint64_t *w, xpcs_err *err);
/* Rank 0 only: the first word index whose frame is >= frame (n_words if
 * none), by binary search over words [lo, n_words).  On a file that is
 * not sorted the answer is some index whose neighbours bracket frame. */
xpcs_status xpcs_rigaku_lower_bound(xpcs_rigaku *r, int64_t frame, int64_t lo, int64_t *word,
                                    xpcs_err *err);

/* Collective: words [first, first + n) into buf in host order (n may be 0). */
xpcs_status xpcs_rigaku_read(xpcs_rigaku *r, int64_t first, int64_t n, uint64_t *buf,
                             xpcs_err *err);

#endif
