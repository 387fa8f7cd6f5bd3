#include "xpcs/core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

xpcs_status xpcs_fail(xpcs_err *err, xpcs_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Set by parallel/comm once MPI runs: aborts every rank of the job. */
static xpcs_abort_hook abort_hook;

void xpcs_set_abort_hook(xpcs_abort_hook hook)
{
    abort_hook = hook;
}

static void oom(size_t bytes)
{
    fprintf(stderr, "xpcs: error: out of memory allocating %zu bytes\n", bytes);
    fflush(stderr);
    if (abort_hook)
        abort_hook(XPCS_ERR_MEMORY);
    exit(XPCS_ERR_MEMORY);
}

void *xpcs_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        oom(bytes);
    return p;
}

void *xpcs_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xpcs_grow_keep(void *p, int64_t *cap, int64_t need, size_t esz)
{
    if (need <= *cap)
        return p;
    int64_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(p, (size_t)n * esz);
    if (!q)
        oom((size_t)n * esz);
    *cap = n;
    return q;
}

void *xpcs_grow(void *p, int64_t *cap, int64_t need, size_t esz)
{
    if (need <= *cap)
        return p;
    free(p);
    int64_t n = 0;
    void *q = xpcs_grow_keep(NULL, &n, need, esz);
    *cap = n;
    return q;
}
