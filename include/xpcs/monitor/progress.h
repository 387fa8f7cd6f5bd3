/* progress: rank 0's progress line for long runs (frames done / total,
 * rate, ETA), on stderr so stdout stays parseable.
 *
 * live  : one line redrawn in place with '\r' (at most twice a second),
 *         ended with a newline by xpcs_progress_finish;
 * lines : a plain line every interval_s seconds (batch logs); nothing at all
 *         for a run shorter than one interval;
 * auto  : live when the stream is a terminal, lines otherwise.  Under mpirun
 *         a rank's stderr is a pipe to the launcher even on a terminal (and
 *         its stdout may be a pseudo-terminal even when piped into a log),
 *         so auto gives plain lines there; "live" forces the live line;
 * off   : nothing.
 * Wall clock from CLOCK_MONOTONIC (no MPI here).
 */
#ifndef XPCS_PROGRESS_H
#define XPCS_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef enum {
    XPCS_PROGRESS_AUTO = 0,
    XPCS_PROGRESS_LIVE,
    XPCS_PROGRESS_LINES,
    XPCS_PROGRESS_OFF
} xpcs_progress_mode;

typedef struct xpcs_progress xpcs_progress;

/* "auto", "live", "lines", "off"; parse returns -1 for anything else. */
const char *xpcs_progress_mode_name(int mode);
int xpcs_progress_mode_parse(const char *text);

/* total = frames of the run; what names the program in the line.  Free
 * with xpcs_progress_destroy (which does not print). */
xpcs_progress *xpcs_progress_create(FILE *out, int mode, double interval_s, int64_t total,
                                    const char *what);
/* done = frames finished so far (monotone). */
void xpcs_progress_update(xpcs_progress *p, int64_t done);
/* Ends a live line / prints a last line if any line was printed. */
void xpcs_progress_finish(xpcs_progress *p);
/* On an error: ends a live line so the error message starts a new line. */
void xpcs_progress_cancel(xpcs_progress *p);
void xpcs_progress_destroy(xpcs_progress **p);

#endif
