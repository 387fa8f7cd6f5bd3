/* rigaku: Rigaku XSPA event files, as boost_corr reads them: the 500k
 * (one file NAME.bin) and the 3M (six module files NAME.bin.000 ... .005).
 *
 * No header: a flat array of little-endian uint64 words, one per event,
 *     word = frame << 40 | pixel << 16 | count
 * frame in bits 40-63 (0-based), pixel = row * 1024 + col in bits 16-36 over
 * the 512 x 1024 pixels of one module, count in bits 0-11 (bits 12-15 and
 * 37-39 are ignored).  Events are sorted by frame (pixels ascending within
 * a frame); the number of frames is the last word's frame + 1 (a file whose
 * last frames are empty ends with a count-0 word in its last frame).
 *
 * The 3M: six XSPA modules of 512 x 1024, one event file each, tiled 3 rows
 * x 2 columns into a 1676 x 2100 canvas with gaps of 70 rows and 52
 * columns.  Confirmed by reading boost_corr (AZjk/boost_corr,
 * src/boost_corr/xpcs_aps_8idi/dataset/rigaku_3M_handler.py and
 * rigaku_handler.py at commits aceefedfb5e3 and 0ed213441e8d; det_size
 * (512, 1024) from xpcs_dataset.py at aceefedfb5e3):
 *   - the files are taken in the order 5, 0, 4, 1, 3, 2; the k-th of them
 *     goes to tile row k / 2, tile column k % 2: tile (0,0) = .bin.005,
 *     (0,1) = .000, (1,0) = .004, (1,1) = .001, (2,0) = .003, (2,1) = .002;
 *     module row r, column c lands on canvas row tile_row * (512 + 70) + r,
 *     column tile_col * (1024 + 52) + c: no flips, no rotations;
 *   - any one module path names the set (its last three characters are
 *     replaced by 000 ... 005); all six must exist;
 *   - pixel index: when the smallest index of a file is >= 1024^2, 1024^2 is
 *     subtracted from every index of that file.  Here the offset is taken
 *     from the file's first word (rank 0 reads it at open) and every word
 *     must then lie in [offset, offset + 512 * 1024): this accepts exactly
 *     the files on which boost_corr's rule gives in-module indices, without
 *     a pass over the whole file;
 *   - frame count: the largest over the six files (last word's frame + 1);
 *     a module with fewer frames has empty frames at the end;
 *   - frames are aligned by frame number: frame f of every module file is
 *     frame f of the canvas (no per-module frame offset).
 * The 500k file keeps the rule above without an offset (512 x 1024 canvas,
 * one module at the origin).
 *
 * Reading: rank 0 finds word ranges of frames by binary search in each file
 * (pread of single words); every rank reads its ranges with collective
 * MPI-IO (comm.h).  Order and pixel range are checked by the reader of each
 * word (evstream.c), so a bad file is found wherever it is read.
 */
#ifndef XPCS_RIGAKU_H
#define XPCS_RIGAKU_H

#include <stdint.h>

#include "xpcs/parallel/comm.h"
#include "xpcs/core/status.h"

/* one module (the 500k detector) */
#define XPCS_RIGAKU_ROWS 512
#define XPCS_RIGAKU_COLS 1024
#define XPCS_RIGAKU_PIXELS (XPCS_RIGAKU_ROWS * XPCS_RIGAKU_COLS)
#define XPCS_RIGAKU_COUNT_MAX 4095u /* 12-bit counts */
/* the 3M canvas */
#define XPCS_RIGAKU3M_MODULES 6
#define XPCS_RIGAKU3M_GAP_ROWS 70
#define XPCS_RIGAKU3M_GAP_COLS 52
#define XPCS_RIGAKU3M_ROWS (3 * XPCS_RIGAKU_ROWS + 2 * XPCS_RIGAKU3M_GAP_ROWS) /* 1676 */
#define XPCS_RIGAKU3M_COLS (2 * XPCS_RIGAKU_COLS + XPCS_RIGAKU3M_GAP_COLS)     /* 2100 */
#define XPCS_RIGAKU3M_OFFSET ((uint32_t)1 << 20) /* module index offset 1024^2 */

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

/* 3M: the canvas row and column of pixel (0, 0) of module file NAME.bin.00m. */
void xpcs_rigaku3m_origin(int module, int64_t *row, int64_t *col);
/* 3M: the module file (0 .. 5) of canvas pixel i (row-major, 1676 x 2100)
 * and in *q (when not NULL) its pixel index within the module
 * (row * 1024 + col); -1 for a pixel in a gap. */
int xpcs_rigaku3m_module_of(int64_t i, uint32_t *q);

/* 1 when path names an event file: ends in ".bin" (500k) or ".bin.000" ...
 * ".bin.005" (one module of a 3M set). */
int xpcs_rigaku_is_event_file(const char *path);
/* 1 when path names one module file of a 3M set (".bin.000" ... ".bin.005"). */
int xpcs_rigaku_is_3m(const char *path);

typedef struct xpcs_rigaku xpcs_rigaku;

/* Collective: checks the file(s) (each present, size a non-zero multiple of
 * 8) and opens them for MPI-IO on every rank and for single-word reads on
 * rank 0. */
xpcs_status xpcs_rigaku_open(const xpcs_comm *c, const char *path, xpcs_rigaku **out,
                             xpcs_err *err);
void xpcs_rigaku_close(xpcs_rigaku **r);

const char *xpcs_rigaku_path(const xpcs_rigaku *r);
/* The frame shape: 512 x 1024 (500k) or 1676 x 2100 (3M). */
int64_t xpcs_rigaku_rows(const xpcs_rigaku *r);
int64_t xpcs_rigaku_cols(const xpcs_rigaku *r);
/* Frames: the largest last word's frame + 1 over the files. */
int64_t xpcs_rigaku_n_frames(const xpcs_rigaku *r);

/* Modules: 1 (500k) or 6 (3M, index m = file NAME.bin.00m). */
int xpcs_rigaku_n_modules(const xpcs_rigaku *r);
const char *xpcs_rigaku_module_path(const xpcs_rigaku *r, int m);
int64_t xpcs_rigaku_n_words(const xpcs_rigaku *r, int m);
/* Where module m's pixels go: module pixel q (after subtracting offset)
 * is canvas pixel origin + (q / 1024) * cols + q % 1024. */
void xpcs_rigaku_module_place(const xpcs_rigaku *r, int m, int64_t *origin, uint32_t *offset);

/* Rank 0 only: the first word index in [lo, hi) of module m whose frame is
 * >= frame (hi if none), by binary search.  On a file that is not sorted
 * the answer is some index whose neighbours bracket frame. */
xpcs_status xpcs_rigaku_lower_bound(xpcs_rigaku *r, int m, int64_t frame, int64_t lo, int64_t hi,
                                    int64_t *word, xpcs_err *err);
/* Rank 0 only: xpcs_rigaku_lower_bound on every module, word[m] searched in
 * [lo[m], hi[m]); *total = the sum of word[m]. */
xpcs_status xpcs_rigaku_lower_bounds(xpcs_rigaku *r, int64_t frame, const int64_t *lo,
                                     const int64_t *hi, int64_t *word, int64_t *total,
                                     xpcs_err *err);

/* Collective: words [first, first + n) of module m into buf in host order
 * (n may be 0). */
xpcs_status xpcs_rigaku_read(xpcs_rigaku *r, int m, int64_t first, int64_t n, uint64_t *buf,
                             xpcs_err *err);

#endif
