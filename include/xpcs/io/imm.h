/* imm: legacy APS IMM files (NAME.imm), as boost_corr's imm_handler.py reads
 * them.  Every frame is a 1024-byte header (little-endian; compression at
 * byte 4, rows 108, cols 112, bytes per count 116, dlen 152) and its
 * payload: uncompressed, dlen = rows * cols uint16 counts; compressed
 * (compression 6), dlen int32 pixel indices, then dlen uint16 counts.
 * Frames follow each other to the end of the file.
 *
 * Rank 0 walks the headers once (the table of contents: each payload's
 * offset and dlen), checking each against the first and against the file's
 * size; every rank gets the table, and reads its frames' bytes with MPI-IO
 * (collective reads, as for Rigaku files) and decodes them into uint16
 * frames. */
#ifndef XPCS_IMM_H
#define XPCS_IMM_H

#include <stdint.h>

#include "xpcs/core/status.h"
#include "xpcs/parallel/comm.h"

typedef struct xpcs_imm xpcs_imm;

/* 1 when path names an IMM file (".imm"). */
int xpcs_imm_is_imm(const char *path);

/* Collective: the file's table of contents (rank 0) and its MPI-IO handle. */
xpcs_status xpcs_imm_open(const xpcs_comm *c, const char *path, xpcs_imm **out, xpcs_err *err);
void xpcs_imm_close(xpcs_imm **m);
void xpcs_imm_dims(const xpcs_imm *m, int64_t *frames, int64_t *rows, int64_t *cols);
int xpcs_imm_compressed(const xpcs_imm *m);

/* Collective: `count` frames first, first + stride, ... decoded into buf
 * [count][rows * cols] uint16 (count may be 0 on some ranks).  An index
 * outside the detector is an input error naming the frame. */
xpcs_status xpcs_imm_read(xpcs_imm *m, int64_t first, int64_t stride, int64_t count, uint16_t *buf,
                          xpcs_err *err);

#endif
