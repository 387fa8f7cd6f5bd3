/* blas: which CBLAS is linked and its threads (see include/xpcs/kernels/blas.h).
 * The vendors' functions are weak references: those of the BLAS the build
 * linked resolve, the others stay NULL.  (No vendor header is included: each
 * declares its own spelling of these.) */
#define _GNU_SOURCE /* dladdr */
#include "xpcs/kernels/blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* OpenBLAS */
extern int openblas_get_parallel(void) __attribute__((weak)); /* 0 seq., 1 pthreads, 2 OpenMP */
extern char *openblas_get_config(void) __attribute__((weak));
extern void openblas_set_num_threads(int n) __attribute__((weak));
/* Intel MKL */
extern void MKL_Get_Version_String(char *buf, int len) __attribute__((weak));
extern void MKL_Set_Num_Threads(int n) __attribute__((weak));
/* BLIS (dim_t: 64-bit in its default builds) */
extern const char *bli_info_get_version_str(void) __attribute__((weak));
extern int64_t bli_info_get_enable_openmp(void) __attribute__((weak));
extern int64_t bli_info_get_enable_pthreads(void) __attribute__((weak));
extern void bli_thread_set_num_threads(int64_t n) __attribute__((weak));
/* The CBLAS itself: which library file provides cblas_dgemm (dladdr).
 * Only its address is taken, so the prototype does not matter; weak, so a
 * tool that links no BLAS of its own (xpcs-fit: GSL's CBLAS) is not made to
 * load one (that would change which CBLAS GSL calls). */
extern void cblas_dgemm(void) __attribute__((weak));
/* FlexiBLAS (forwards to the backend it loads) */
extern int flexiblas_current_backend(char *name, size_t len) __attribute__((weak));
extern void flexiblas_set_num_threads(int n) __attribute__((weak));

static xpcs_blas_info info;
static pthread_once_t once = PTHREAD_ONCE_INIT;

int xpcs_blas_needs_single(xpcs_blas_threading t)
{
    return t == XPCS_BLAS_OWN_THREADS;
}

/* Which BLAS, and how it threads. */
static void identify(xpcs_blas_info *b)
{
    if (openblas_get_parallel) {
        const int par = openblas_get_parallel();
        snprintf(b->name, sizeof b->name, "%s",
                 openblas_get_config ? openblas_get_config() : "OpenBLAS");
        b->threading = par == 2   ? XPCS_BLAS_OPENMP
                       : par == 1 ? XPCS_BLAS_OWN_THREADS
                                  : XPCS_BLAS_SEQUENTIAL;
    }
    else if (MKL_Get_Version_String) {
        char v[128] = "";
        MKL_Get_Version_String(v, (int)sizeof v);
        snprintf(b->name, sizeof b->name, "%s", v[0] ? v : "Intel MKL");
        b->threading = XPCS_BLAS_OWN_THREADS; /* TBB, or OpenMP: one thread is right either way */
    }
    else if (bli_info_get_version_str) {
        snprintf(b->name, sizeof b->name, "BLIS %s", bli_info_get_version_str());
        if (bli_info_get_enable_openmp && bli_info_get_enable_openmp())
            b->threading = XPCS_BLAS_OPENMP;
        else if (bli_info_get_enable_pthreads && bli_info_get_enable_pthreads())
            b->threading = XPCS_BLAS_OWN_THREADS;
        else
            b->threading = XPCS_BLAS_SEQUENTIAL;
    }
    else if (flexiblas_current_backend) {
        char be[96] = "";
        flexiblas_current_backend(be, sizeof be);
        snprintf(b->name, sizeof b->name, "FlexiBLAS (backend %s)", be[0] ? be : "?");
        b->threading = XPCS_BLAS_OWN_THREADS;
    }
    else {
        snprintf(b->name, sizeof b->name, "unknown CBLAS");
        b->threading = XPCS_BLAS_UNKNOWN;
    }
}

/* " [libopenblas.so.0]": the file providing cblas_dgemm, if any. */
static void library_file(char *buf, size_t n)
{
    buf[0] = '\0';
    void (*f)(void) = cblas_dgemm;
    void *addr = NULL;
    memcpy(&addr, &f, sizeof addr < sizeof f ? sizeof addr : sizeof f);
    Dl_info di;
    if (addr && dladdr(addr, &di) && di.dli_fname) {
        const char *slash = strrchr(di.dli_fname, '/');
        snprintf(buf, n, " [%s]", slash ? slash + 1 : di.dli_fname);
    }
}

static void setup_once(void)
{
    identify(&info);
    char file[128];
    library_file(file, sizeof file);
    size_t k = strlen(info.name);
    snprintf(info.name + k, sizeof info.name - k, "%s", file);
    if (!xpcs_blas_needs_single(info.threading))
        return;
    if (openblas_get_parallel && openblas_set_num_threads)
        openblas_set_num_threads(1);
    else if (MKL_Get_Version_String && MKL_Set_Num_Threads)
        MKL_Set_Num_Threads(1);
    else if (bli_info_get_version_str && bli_thread_set_num_threads)
        bli_thread_set_num_threads(1);
    else if (flexiblas_current_backend && flexiblas_set_num_threads)
        flexiblas_set_num_threads(1);
    else
        return;
    info.set_single = 1;
}

const xpcs_blas_info *xpcs_blas_setup(void)
{
    pthread_once(&once, setup_once);
    return &info;
}

void xpcs_blas_describe(char *buf, size_t n)
{
    const xpcs_blas_info *b = xpcs_blas_setup();
    static const char *const how[] = {"single-threaded as far as known", "sequential build",
                                      "OpenMP threads: one per call inside parallel regions",
                                      "threads of its own"};
    snprintf(buf, n, "%s (%s%s)", b->name, how[b->threading],
             b->set_single ? ": set to one thread" : "");
}
