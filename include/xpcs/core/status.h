/* Status codes and one-line error messages shared by every module.
 *
 * Every fallible function returns an xpcs_status and, on failure, fills an
 * xpcs_err with one line that names the file, the dataset and what was
 * expected.  Only main() and the MPI error path decide to exit.
 */
#ifndef XPCS_STATUS_H
#define XPCS_STATUS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    XPCS_OK = 0,
    XPCS_ERR_USAGE = 2,  /* bad command line or config */
    XPCS_ERR_INPUT = 3,  /* missing / malformed input file or dataset */
    XPCS_ERR_OUTPUT = 4, /* cannot write the result */
    XPCS_ERR_MEMORY = 5, /* allocation failed or over the memory budget */
    XPCS_ERR_MPI = 6,    /* an MPI call failed */
    XPCS_ERR_INTERNAL = 7,
    XPCS_ERR_HEALTH = 8, /* --fail-on-critical: the result is written, an indicator is critical */
    XPCS_ERR_SIGNAL = 9  /* stopped by SIGTERM/SIGINT/SIGHUP/SIGUSR1: exit 128 + the signal
                            (core/signals.h, xpcs_exit_code) */
} xpcs_status;

#define XPCS_ERR_LEN 1024

typedef struct {
    char msg[XPCS_ERR_LEN];
} xpcs_err;

/* Fill err (if non-NULL) with a printf-style message; returns code. */
xpcs_status xpcs_fail(xpcs_err *err, xpcs_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Called on a fatal error (out of memory) before exit(code): parallel/comm
 * installs one that aborts every rank, so no rank waits in a collective for
 * a rank that is gone.  NULL (the default): exit only. */
typedef void (*xpcs_abort_hook)(int code);
void xpcs_set_abort_hook(xpcs_abort_hook hook);

/* malloc/calloc that never return NULL: on failure they print one line and
 * abort the job through the abort hook (redis zmalloc policy).
 * Free with free(). */
void *xpcs_malloc(size_t bytes);
void *xpcs_calloc(size_t n, size_t size);
/* Growable array: room for `need` elements of esz bytes, contents kept
 * (realloc: large blocks move by remapping, without copying the pages); the
 * capacity *cap at least doubles. */
void *xpcs_grow_keep(void *p, int64_t *cap, int64_t need, size_t esz);
/* The same without keeping the contents (a buffer about to be overwritten:
 * no copy when it moves). */
void *xpcs_grow(void *p, int64_t *cap, int64_t need, size_t esz);

#endif
