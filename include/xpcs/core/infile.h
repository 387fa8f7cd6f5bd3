/* infile: what every input file must be before it is read (raw frames,
 * q-map, metadata, config, lists): a regular file, or a symbolic link to
 * one.  A FIFO, a device, a socket or a directory is refused at once and
 * never blocks: the check opens with O_NONBLOCK (a FIFO without a writer
 * opens at once) and asks the open file (fstat), so the answer is about the
 * file that would be read, not about a name that changed in between. */
#ifndef XPCS_INFILE_H
#define XPCS_INFILE_H

#include <stddef.h>

/* 0 when path is a readable regular file (after links); else -1 and why
 * (n bytes) says what it is instead: "No such file or directory", "a FIFO
 * (named pipe), not a regular file", "a directory, not a regular file", ... */
int xpcs_input_regular(const char *path, char *why, size_t n);

/* An open, blocking, read-only descriptor of the regular file path (close()
 * it), or -1 with why as above: the check and the read are one open file. */
int xpcs_input_open(const char *path, char *why, size_t n);

/* The whole regular file path, at most max bytes, into *text (terminated;
 * free() it) and *len (its bytes; the text may hold NUL bytes: compare with
 * strlen).  0, or -1 with why as above or "larger than MAX bytes". */
int xpcs_input_slurp(const char *path, size_t max, char **text, size_t *len, char *why, size_t n);

#endif
