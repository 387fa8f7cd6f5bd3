/* provenance: what built this program and what it runs on -- the build
 * (version, git commit, compiler, flags: core/buildinfo) and the run time's
 * choices (the SIMD level of the kernels: kernels/simd; the BLAS and its
 * threads: kernels/blas).  Recorded in the results (/xpcs/<analysis>/config/
 * build/, io), the profile JSON ("build") and printed by every tool's
 * --version.
 */
#ifndef XPCS_PROVENANCE_H
#define XPCS_PROVENANCE_H

#include <stdio.h>

struct cJSON;

typedef struct {
    char version[32];  /* "0.1.0" */
    char git[64];      /* "338a2b2a9f3e-dirty", "unknown" */
    char compiler[64]; /* "GNU 12.2.0" */
    char flags[512];   /* "-O3 -DNDEBUG -ffp-contract=off" */
    char build_type[32];
    char simd[16];         /* the level that runs: "v4" */
    char simd_detail[160]; /* "v4 (XPCS_SIMD auto; CPU up to v4; compiled generic v2 v3 v4)" */
    char blas[256];        /* "OpenBLAS 0.3.21 ... (OpenMP threads: ...)" */
} xpcs_provenance;

void xpcs_provenance_get(xpcs_provenance *p);

/* --version: "PROG VERSION (xpcs-toolkit)" then one line each for the
 * git commit, compiler, flags, SIMD level and BLAS. */
void xpcs_provenance_print(FILE *out, const char *prog);

/* {"version", "git", "compiler", "flags", "build_type", "simd", "simd_detail", "blas"} */
struct cJSON *xpcs_provenance_json(void);

#endif
