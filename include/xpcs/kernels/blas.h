/* blas: the CBLAS the kernels call (the dense two-time kernel's dgemm
 * tiles) and its threads.
 *
 * The two-time kernel calls cblas_dgemm from inside OpenMP parallel regions,
 * one tile per thread.  A BLAS threaded with OpenMP (OpenBLAS's OpenMP build,
 * BLIS with OpenMP) sees the region and runs the call on the calling thread;
 * a BLAS with threads of its own (OpenBLAS or BLIS built with pthreads, MKL,
 * FlexiBLAS's backends) would start them on top of OpenMP's and fight them
 * for the cores.  xpcs_blas_setup() tells them apart by the functions each
 * vendor exports and sets the latter to one thread, so every dgemm runs on
 * the OpenMP thread that calls it, whatever BLAS the build found (FindBLAS,
 * BLA_VENDOR).  A BLAS it cannot identify (netlib, ATLAS) is left as it is.
 */
#ifndef XPCS_BLAS_H
#define XPCS_BLAS_H

#include <stddef.h>

typedef enum {
    XPCS_BLAS_UNKNOWN = 0, /* no vendor functions found: assumed single-threaded */
    XPCS_BLAS_SEQUENTIAL,  /* a single-threaded build */
    XPCS_BLAS_OPENMP,      /* OpenMP threads: one thread inside our parallel regions */
    XPCS_BLAS_OWN_THREADS  /* threads of its own: set to one thread */
} xpcs_blas_threading;

typedef struct {
    char name[224];                /* "OpenBLAS 0.3.21 DYNAMIC_ARCH ...", "unknown CBLAS" */
    xpcs_blas_threading threading; /* as found */
    int set_single;                /* 1: setup set it to one thread */
} xpcs_blas_info;

/* Finds the BLAS and applies the rule above, once per process (thread-safe);
 * later calls return the same.  The two-time kernel calls it before its
 * first dgemm; --version and the provenance report it. */
const xpcs_blas_info *xpcs_blas_setup(void);

/* The rule: 1 when a BLAS threaded this way must be set to one thread. */
int xpcs_blas_needs_single(xpcs_blas_threading t);

/* "OpenBLAS 0.3.21 ... (OpenMP threads: one per call inside parallel regions)". */
void xpcs_blas_describe(char *buf, size_t n);

#endif
