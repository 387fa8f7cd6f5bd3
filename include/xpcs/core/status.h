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

/* The longest message the code can produce: a message quotes at most three
 * user-given texts (paths and values, each at most 4095 bytes: PATH_MAX, the
 * config's path fields, the option engine's limit on quoted values), each
 * escaped to at most 4 bytes a byte, plus its own words: 3 x 16380 + 1 KiB
 * < 64 KiB.  A longer one (only possible through a caller that quotes a
 * longer text) keeps its start and its end, where the reason is, and says how
 * many bytes of the middle were left out. */
#define XPCS_ERR_LEN 65536

typedef struct {
    char msg[XPCS_ERR_LEN];
} xpcs_err;

/* Fill err (if non-NULL) with a printf-style message; returns code.  Control
 * bytes (0x00-0x1f, 0x7f) of the message, which only user-given text can
 * bring, are written as \xNN, so a file name cannot move the cursor or
 * recolour the terminal; err may be one of the arguments (a message wrapped
 * in another). */
xpcs_status xpcs_fail(xpcs_err *err, xpcs_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* text with its control bytes written as \xNN into out (n > 0 bytes, cut to
 * fit, always terminated); returns the length the whole escaped text needs. */
size_t xpcs_escape(char *out, size_t n, const char *text);

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
