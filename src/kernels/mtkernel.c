/* mtkernel: one interface over the dense and the event multitau kernels. */
#include "xpcs/kernels/mtkernel.h"

#include <stdlib.h>

#include "xpcs/kernels/mtsparse.h"
#include "xpcs/kernels/multitau.h"

struct xpcs_mtkernel {
    xpcs_multitau *dense;
    xpcs_mtsparse *sparse;
};

xpcs_status xpcs_mtkernel_create(int sparse, int64_t n_frames, int64_t n_pixels,
                                 xpcs_mtkernel **out, xpcs_err *err)
{
    xpcs_mtkernel *k = xpcs_calloc(1, sizeof *k);
    xpcs_status st = sparse ? xpcs_mtsparse_create(n_frames, n_pixels, &k->sparse, err)
                            : xpcs_multitau_create(n_frames, n_pixels, &k->dense, err);
    if (st) {
        free(k);
        return st;
    }
    *out = k;
    return XPCS_OK;
}

void xpcs_mtkernel_destroy(xpcs_mtkernel **kp)
{
    if (!kp || !*kp)
        return;
    xpcs_multitau_destroy(&(*kp)->dense);
    xpcs_mtsparse_destroy(&(*kp)->sparse);
    free(*kp);
    *kp = NULL;
}

int xpcs_mtkernel_is_sparse(const xpcs_mtkernel *k)
{
    return k->sparse != NULL;
}

void xpcs_mtkernel_push_rows(xpcs_mtkernel *k, const void *rows, xpcs_dtype t, int64_t n_rows,
                             int64_t ld, const double *row_scale)
{
    xpcs_multitau_push(k->dense, rows, t, n_rows, ld, row_scale);
}

void xpcs_mtkernel_push_events(xpcs_mtkernel *k, int64_t f0, int64_t n_fr, const int64_t *ptr,
                               const uint32_t *frame, const uint32_t *count,
                               const double *frame_scale)
{
    xpcs_mtsparse_push(k->sparse, f0, n_fr, ptr, frame, count, frame_scale);
}

int xpcs_mtkernel_n_delays(const xpcs_mtkernel *k)
{
    return k->sparse ? xpcs_mtsparse_n_delays(k->sparse) : xpcs_multitau_n_delays(k->dense);
}

const int64_t *xpcs_mtkernel_delays(const xpcs_mtkernel *k)
{
    return k->sparse ? xpcs_mtsparse_delay_list(k->sparse) : xpcs_multitau_delay_list(k->dense);
}

xpcs_status xpcs_mtkernel_result(const xpcs_mtkernel *k, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err)
{
    return k->sparse ? xpcs_mtsparse_result(k->sparse, j, G2, IP, IF, err)
                     : xpcs_multitau_result(k->dense, j, G2, IP, IF, err);
}

xpcs_status xpcs_mtkernel_result_block(const xpcs_mtkernel *k, int j, int64_t p0, int64_t p1,
                                       double *G2, double *IP, double *IF, xpcs_err *err)
{
    return k->sparse ? xpcs_mtsparse_result_block(k->sparse, j, p0, p1, G2, IP, IF, err)
                     : xpcs_multitau_result_block(k->dense, j, p0, p1, G2, IP, IF, err);
}

void xpcs_mtkernel_settle(xpcs_mtkernel *k)
{
    if (k->dense)
        xpcs_multitau_settle(k->dense);
}

xpcs_status xpcs_mtkernel_result_so_far(const xpcs_mtkernel *k, int j, double *G2, double *IP,
                                        double *IF, xpcs_err *err)
{
    if (k->sparse)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "mtkernel: no partial results on events");
    return xpcs_multitau_result_so_far(k->dense, j, G2, IP, IF, err);
}

int64_t xpcs_mtkernel_frames_pushed(const xpcs_mtkernel *k)
{
    return k->sparse ? xpcs_mtsparse_frames_pushed(k->sparse)
                     : xpcs_multitau_frames_pushed(k->dense);
}
