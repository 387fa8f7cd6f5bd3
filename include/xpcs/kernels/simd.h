/* simd: which compiled copy of the SIMD kernels runs (the multitau push
 * paths, dense and event).  A portable build compiles them once per level
 * (cmake/XpcsSimd.cmake) and one binary runs on any of these CPUs:
 *
 *   generic  the build's own flags
 *   v2       x86-64-v2 (SSE4.2)
 *   v3       x86-64-v3 (AVX2, FMA)
 *   v4       x86-64-v4 (AVX-512)
 *
 * The level that runs is the highest compiled one the CPU supports, or the
 * one the environment variable XPCS_SIMD names (auto, generic, v2, v3, v4).
 * Results are bit-identical at every level: every copy does the same IEEE
 * operations in the same order (no fused multiply-add at any level, no
 * reassociation); only how many pixels or lags share a vector differs, and
 * vector lanes never add into each other.
 */
#ifndef XPCS_SIMD_H
#define XPCS_SIMD_H

#include <stddef.h>

#include "xpcs/core/status.h"

typedef enum {
    XPCS_SIMD_GENERIC = 0,
    XPCS_SIMD_V2,
    XPCS_SIMD_V3,
    XPCS_SIMD_V4,
    XPCS_SIMD_NLEVELS
} xpcs_simd_level;

/* "generic" ("native" in a -DXPCS_NATIVE=ON build), "v2", "v3", "v4". */
const char *xpcs_simd_level_name(xpcs_simd_level l);
/* 1 when this build has level l's copy. */
int xpcs_simd_compiled(xpcs_simd_level l);
/* 1 when this CPU runs level l's instructions (generic: always). */
int xpcs_simd_cpu_supports(xpcs_simd_level l);
/* The highest level that is compiled and runs here. */
xpcs_simd_level xpcs_simd_best(void);

/* Chooses the level from XPCS_SIMD (unset, empty or "auto": the best).  A
 * name that is not a level, or a level this build lacks or this CPU cannot
 * run, is an error naming it (XPCS_ERR_USAGE) and leaves the best level.
 * The tools call it before any kernel runs; without it the first kernel
 * call chooses the same way, silently falling back to the best level. */
xpcs_status xpcs_simd_select(xpcs_err *err);
/* Runs level l from now on (tests); an error if it cannot run here. */
xpcs_status xpcs_simd_force(xpcs_simd_level l, xpcs_err *err);
/* The level that runs. */
xpcs_simd_level xpcs_simd_active(void);
/* "v4 (XPCS_SIMD auto; CPU up to v4; compiled generic v2 v3 v4)". */
void xpcs_simd_describe(char *buf, size_t n);

#endif
