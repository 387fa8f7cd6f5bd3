/* simd_impl: the copies of the SIMD kernels (private to kernels).
 *
 * A file of the kernels' SIMD_SOURCES is compiled once per level with
 * XPCS_SIMD_VARIANT set to the level's name (generic, v2, v3, v4) and that
 * level's -march; XPCS_SIMD_NAME(f) is f_<level>, so every copy has its own
 * names, static functions included (objdump then tells which copy an
 * instruction belongs to: tests/lib/check_isa.py).
 */
#ifndef XPCS_SIMD_IMPL_H
#define XPCS_SIMD_IMPL_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/kernels/mtsparse.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/kernels/saxs.h"

#define XPCS_SIMD_CAT_(a, b) a##_##b
#define XPCS_SIMD_CAT(a, b) XPCS_SIMD_CAT_(a, b)
#define XPCS_SIMD_NAME(f) XPCS_SIMD_CAT(f, XPCS_SIMD_VARIANT)

/* One level's copies; the arguments are the public functions'. */
typedef struct {
    void (*multitau_push)(xpcs_multitau *mt, const void *rows, xpcs_dtype t, int64_t n_rows,
                          int64_t ld, const double *row_scale);
    void (*mtsparse_push)(xpcs_mtsparse *ms, int64_t f0, int64_t n_fr, const int64_t *ptr,
                          const uint32_t *frame, const uint32_t *count, const double *frame_scale);
    /* saxs.c's pass over frames i0..i0+cnt-1 of integer type t (u8, u16,
     * u32) of one segment: open += counts, pmax = largest, fsum[f] +=
     * masked sum of frame i0+f, and the copies cp (saxs_frames.c) */
    void (*saxs_int_frames)(const void *frames, xpcs_dtype t, int64_t np, int64_t i0, int64_t cnt,
                            const double *maskd, double *open, double *pmax, double *fsum,
                            const xpcs_saxs_copy *cp, int64_t n_cp);
} xpcs_simd_kernels;

/* The running level's copies (chosen on the first call, see simd.h). */
const xpcs_simd_kernels *xpcs_simd_kernels_active(void);

#define XPCS_SIMD_DECLARE(level)                                                                   \
    void xpcs_multitau_push_##level(xpcs_multitau *mt, const void *rows, xpcs_dtype t,             \
                                    int64_t n_rows, int64_t ld, const double *row_scale);          \
    void xpcs_mtsparse_push_##level(xpcs_mtsparse *ms, int64_t f0, int64_t n_fr,                   \
                                    const int64_t *ptr, const uint32_t *frame,                     \
                                    const uint32_t *count, const double *frame_scale);             \
    void xpcs_saxs_int_frames_##level(const void *frames, xpcs_dtype t, int64_t np, int64_t i0,    \
                                      int64_t cnt, const double *maskd, double *open,              \
                                      double *pmax, double *fsum, const xpcs_saxs_copy *cp,        \
                                      int64_t n_cp);
XPCS_SIMD_DECLARE(generic)
XPCS_SIMD_DECLARE(v2)
XPCS_SIMD_DECLARE(v3)
XPCS_SIMD_DECLARE(v4)
#undef XPCS_SIMD_DECLARE

#endif
