/* buildinfo: how this library was built, recorded at build time
 * (cmake/buildinfo.cmake writes the definition): the results' provenance
 * (monitor/provenance adds what the run chose: the SIMD level, the BLAS). */
#ifndef XPCS_BUILDINFO_H
#define XPCS_BUILDINFO_H

typedef struct {
    const char *version;     /* "0.1.0" */
    const char *git;         /* git describe --always --dirty, or "unknown" */
    const char *compiler;    /* "GNU 12.2.0" */
    const char *flags;       /* the C flags of the build type, as compiled */
    const char *build_type;  /* "Release" */
    const char *simd_levels; /* SIMD kernel copies compiled: "generic v2 v3 v4" or "native" */
    const char *blas_vendor; /* FindBLAS's BLA_VENDOR */
} xpcs_buildinfo;

const xpcs_buildinfo *xpcs_build_info(void);

#endif
