/* simd: the level of the SIMD kernels that runs (see
 * include/xpcs/kernels/simd.h and src/kernels/simd_impl.h). */
#include "xpcs/kernels/simd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd_impl.h"

/* The copies this build has (cmake/XpcsSimd.cmake defines XPCS_SIMD_HAVE_<level>);
 * the others stay NULL. */
static const xpcs_simd_kernels copies[XPCS_SIMD_NLEVELS] = {
    [XPCS_SIMD_GENERIC] = {xpcs_multitau_push_generic, xpcs_mtsparse_push_generic,
                           xpcs_saxs_int_frames_generic},
#ifdef XPCS_SIMD_HAVE_v2
    [XPCS_SIMD_V2] = {xpcs_multitau_push_v2, xpcs_mtsparse_push_v2, xpcs_saxs_int_frames_v2},
#endif
#ifdef XPCS_SIMD_HAVE_v3
    [XPCS_SIMD_V3] = {xpcs_multitau_push_v3, xpcs_mtsparse_push_v3, xpcs_saxs_int_frames_v3},
#endif
#ifdef XPCS_SIMD_HAVE_v4
    [XPCS_SIMD_V4] = {xpcs_multitau_push_v4, xpcs_mtsparse_push_v4, xpcs_saxs_int_frames_v4},
#endif
};

static const char *const level_names[XPCS_SIMD_NLEVELS] = {"generic", "v2", "v3", "v4"};

static xpcs_simd_level active = XPCS_SIMD_GENERIC;
static pthread_once_t chosen = PTHREAD_ONCE_INIT;

const char *xpcs_simd_level_name(xpcs_simd_level l)
{
#ifdef XPCS_SIMD_NATIVE
    if (l == XPCS_SIMD_GENERIC)
        return "native";
#endif
    return l >= 0 && l < XPCS_SIMD_NLEVELS ? level_names[l] : "?";
}

int xpcs_simd_compiled(xpcs_simd_level l)
{
    return l >= 0 && l < XPCS_SIMD_NLEVELS && copies[l].multitau_push != NULL;
}

int xpcs_simd_cpu_supports(xpcs_simd_level l)
{
    if (l == XPCS_SIMD_GENERIC)
        return 1;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
#if !defined(__clang__) && __GNUC__ >= 12
    /* the ISA levels as the compiler defines them for -march=x86-64-vN */
    switch (l) {
    case XPCS_SIMD_V2:
        return __builtin_cpu_supports("x86-64-v2") > 0;
    case XPCS_SIMD_V3:
        return __builtin_cpu_supports("x86-64-v3") > 0;
    case XPCS_SIMD_V4:
        return __builtin_cpu_supports("x86-64-v4") > 0;
    default:
        return 0;
    }
#else
    const int v2 = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt") &&
                   __builtin_cpu_supports("ssse3");
    const int v3 = v2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                   __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    const int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512vl");
    return l == XPCS_SIMD_V2 ? v2 : l == XPCS_SIMD_V3 ? v3 : l == XPCS_SIMD_V4 ? v4 : 0;
#endif
#else
    return 0;
#endif
}

xpcs_simd_level xpcs_simd_best(void)
{
    xpcs_simd_level best = XPCS_SIMD_GENERIC;
    for (int l = XPCS_SIMD_V2; l < XPCS_SIMD_NLEVELS; l++)
        if (xpcs_simd_compiled((xpcs_simd_level)l) && xpcs_simd_cpu_supports((xpcs_simd_level)l))
            best = (xpcs_simd_level)l;
    return best;
}

/* Why level l cannot run here ("" when it can). */
static const char *cannot_run(xpcs_simd_level l)
{
    if (!xpcs_simd_compiled(l))
        return "this build has no such copy";
    if (!xpcs_simd_cpu_supports(l))
        return "this CPU does not run its instructions";
    return "";
}

/* The level XPCS_SIMD asks for; the best on an error. */
static xpcs_status from_environment(xpcs_simd_level *out, xpcs_err *err)
{
    const char *v = getenv("XPCS_SIMD");
    *out = xpcs_simd_best();
    if (!v || !v[0] || strcmp(v, "auto") == 0)
        return XPCS_OK;
    for (int l = 0; l < XPCS_SIMD_NLEVELS; l++) {
        if (strcmp(v, level_names[l]) != 0 && strcmp(v, xpcs_simd_level_name(l)) != 0)
            continue;
        const char *why = cannot_run((xpcs_simd_level)l);
        if (why[0])
            return xpcs_fail(err, XPCS_ERR_USAGE,
                             "environment XPCS_SIMD=%s: %s (this build and CPU run up to %s)", v,
                             why, xpcs_simd_level_name(xpcs_simd_best()));
        *out = (xpcs_simd_level)l;
        return XPCS_OK;
    }
    char names[64] = "";
    for (int l = 0; l < XPCS_SIMD_NLEVELS; l++)
        if (xpcs_simd_compiled((xpcs_simd_level)l))
            snprintf(names + strlen(names), sizeof names - strlen(names), ", %s",
                     xpcs_simd_level_name((xpcs_simd_level)l));
    return xpcs_fail(err, XPCS_ERR_USAGE, "environment XPCS_SIMD: '%s': expected auto%s", v, names);
}

static void choose_once(void)
{
    xpcs_simd_level l;
    from_environment(&l, NULL);
    active = l;
}

xpcs_status xpcs_simd_select(xpcs_err *err)
{
    pthread_once(&chosen, choose_once);
    xpcs_simd_level l;
    xpcs_status st = from_environment(&l, err);
    active = l;
    return st;
}

xpcs_status xpcs_simd_force(xpcs_simd_level l, xpcs_err *err)
{
    pthread_once(&chosen, choose_once);
    if (l < 0 || l >= XPCS_SIMD_NLEVELS)
        return xpcs_fail(err, XPCS_ERR_USAGE, "SIMD level %d: no such level", (int)l);
    const char *why = cannot_run(l);
    if (why[0])
        return xpcs_fail(err, XPCS_ERR_USAGE, "SIMD level %s: %s", xpcs_simd_level_name(l), why);
    active = l;
    return XPCS_OK;
}

xpcs_simd_level xpcs_simd_active(void)
{
    pthread_once(&chosen, choose_once);
    return active;
}

const xpcs_simd_kernels *xpcs_simd_kernels_active(void)
{
    return &copies[xpcs_simd_active()];
}

void xpcs_simd_describe(char *buf, size_t n)
{
    const char *env = getenv("XPCS_SIMD");
    int k = snprintf(buf, n, "%s (XPCS_SIMD %s; CPU up to %s; compiled",
                     xpcs_simd_level_name(xpcs_simd_active()), env && env[0] ? env : "auto",
                     xpcs_simd_level_name(xpcs_simd_best()));
    for (int l = 0; l < XPCS_SIMD_NLEVELS && k > 0 && (size_t)k < n; l++)
        if (xpcs_simd_compiled((xpcs_simd_level)l))
            k += snprintf(buf + k, n - (size_t)k, " %s", xpcs_simd_level_name((xpcs_simd_level)l));
    if (k > 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, ")");
}
