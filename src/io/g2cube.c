/* g2cube: see include/xpcs/io/g2cube.h. */
#include "xpcs/io/g2cube.h"
#include "xpcs/parallel/comm_mpi.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/publish.h"
#include "xpcs/io/h5in.h"

struct xpcs_g2cube {
    const xpcs_comm *c;
    xpcs_publish *pub; /* rank 0 */
    hid_t file, dset, dxpl;
    int n_tau;
    int64_t rows, cols;
    char path[4096];
    float *buf; /* [3][span] */
    size_t buf_cap;
};

static xpcs_status fail_h5(const xpcs_g2cube *g, const char *what, xpcs_err *err)
{
    char why[512];
    xpcs_h5_last_error(why, sizeof why);
    return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot %s %s: %s", g->path, what, XPCS_G2_DATASET,
                     why);
}

static void close_all(xpcs_g2cube *g)
{
    if (g->dxpl >= 0)
        H5Pclose(g->dxpl);
    if (g->dset >= 0)
        H5Dclose(g->dset);
    if (g->file >= 0)
        H5Fclose(g->file);
    g->dxpl = g->dset = g->file = -1;
}

/* Collective: the file and the dataset, once rank 0's temporary exists. */
static xpcs_status open_cube(xpcs_g2cube *g, const char *tmp, xpcs_err *err)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, xpcs_comm_raw(g->c), xpcs_comm_info(g->c));
    H5Pset_file_locking(fapl, 0, 1); /* the temporary carries its own lock (publish.h) */
    g->file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (g->file < 0)
        return fail_h5(g, "create the file for", err);
    const hsize_t dims[4] = {(hsize_t)g->n_tau, 3, (hsize_t)g->rows, (hsize_t)g->cols};
    hid_t space = H5Screate_simple(4, dims, NULL), lcpl = H5Pcreate(H5P_LINK_CREATE),
          dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const float zero = 0.0f;
    H5Pset_create_intermediate_group(lcpl, 1);
    H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY); /* parallel writes need it */
    H5Pset_fill_value(dcpl, H5T_NATIVE_FLOAT, &zero);
    g->dset = H5Dcreate2(g->file, XPCS_G2_DATASET, H5T_IEEE_F32LE, space, lcpl, dcpl, H5P_DEFAULT);
    H5Sclose(space);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    if (g->dset < 0)
        return fail_h5(g, "create", err);
    g->dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(g->dxpl, H5FD_MPIO_COLLECTIVE);
    return XPCS_OK;
}

xpcs_status xpcs_g2cube_create(const xpcs_comm *c, const char *path, int overwrite, int n_tau,
                               int64_t rows, int64_t cols, xpcs_g2cube **out, xpcs_err *err)
{
    xpcs_g2cube *g = xpcs_calloc(1, sizeof *g);
    g->c = c;
    g->file = g->dset = g->dxpl = -1;
    g->n_tau = n_tau;
    g->rows = rows;
    g->cols = cols;
    snprintf(g->path, sizeof g->path, "%s", path);
    char tmp[4096 + 128] = "";
    xpcs_status st = XPCS_OK;
    if (xpcs_comm_is_root(c)) {
        xpcs_publish_remove_stale(path); /* a killed run's; never a live one's */
        st = xpcs_publish_begin(path, overwrite ? XPCS_PUBLISH_REPLACE : XPCS_PUBLISH_NEW, &g->pub,
                                err);
        /* the cube's bytes now: a full disk is one line here, not inside HDF5 */
        if (!st)
            st =
                xpcs_publish_reserve(g->pub, (int64_t)n_tau * 3 * rows * cols * 4 + (1 << 20), err);
        if (!st)
            snprintf(tmp, sizeof tmp, "%s", xpcs_publish_tmp(g->pub));
    }
    st = xpcs_comm_agree(c, st, err);
    if (!st) {
        xpcs_comm_bcast(c, tmp, sizeof tmp, 0);
        st = xpcs_comm_agree(c, open_cube(g, tmp, err), err);
    }
    if (st) {
        xpcs_g2cube_abandon(&g);
        return st;
    }
    *out = g;
    return XPCS_OK;
}

/* The union of up to three hyperslabs (a row's tail, whole rows, a row's
 * head) that covers flat indices [a, b] of every (j, component) plane. */
static hid_t span_space(const xpcs_g2cube *g, int j, int64_t a, int64_t b)
{
    const hsize_t dims[4] = {(hsize_t)g->n_tau, 3, (hsize_t)g->rows, (hsize_t)g->cols};
    hid_t s = H5Screate_simple(4, dims, NULL);
    if (a > b) {
        H5Sselect_none(s);
        return s;
    }
    const int64_t ra = a / g->cols, ca = a % g->cols, rb = b / g->cols, cb = b % g->cols;
    H5S_seloper_t op = H5S_SELECT_SET;
    hsize_t start[4] = {(hsize_t)j, 0, (hsize_t)ra, (hsize_t)ca}, count[4] = {1, 3, 1, 0};
    if (ra == rb) {
        count[3] = (hsize_t)(cb - ca + 1);
        H5Sselect_hyperslab(s, op, start, NULL, count, NULL);
        return s;
    }
    count[3] = (hsize_t)(g->cols - ca);
    H5Sselect_hyperslab(s, op, start, NULL, count, NULL);
    op = H5S_SELECT_OR;
    if (rb > ra + 1) {
        start[2] = (hsize_t)(ra + 1);
        start[3] = 0;
        count[2] = (hsize_t)(rb - ra - 1);
        count[3] = (hsize_t)g->cols;
        H5Sselect_hyperslab(s, op, start, NULL, count, NULL);
    }
    start[2] = (hsize_t)rb;
    start[3] = 0;
    count[2] = 1;
    count[3] = (hsize_t)(cb + 1);
    H5Sselect_hyperslab(s, op, start, NULL, count, NULL);
    return s;
}

xpcs_status xpcs_g2cube_write(xpcs_g2cube *g, int j, int64_t n, const int64_t *px, const double *G2,
                              const double *IP, const double *IF, xpcs_err *err)
{
    const int64_t a = n ? px[0] : 1, b = n ? px[n - 1] : 0, span = n ? b - a + 1 : 0;
    const size_t need = 3 * (size_t)span + 1;
    if (need > g->buf_cap) {
        free(g->buf);
        g->buf = xpcs_malloc(sizeof(float) * need);
        g->buf_cap = need;
    }
    /* the span in file order: component-major, zeros between owned pixels */
    memset(g->buf, 0, sizeof(float) * 3 * (size_t)span);
    for (int64_t i = 0; i < n; i++) {
        const int64_t o = px[i] - a;
        g->buf[o] = (float)G2[i];
        g->buf[span + o] = (float)IP[i];
        g->buf[2 * span + o] = (float)IF[i];
    }
    const hsize_t mdim = (hsize_t)(3 * span);
    hid_t mspace = H5Screate_simple(1, &mdim, NULL);
    if (!span)
        H5Sselect_none(mspace);
    hid_t fspace = span_space(g, j, a, b);
    herr_t rc = H5Dwrite(g->dset, H5T_NATIVE_FLOAT, mspace, fspace, g->dxpl, g->buf);
    H5Sclose(fspace);
    H5Sclose(mspace);
    return xpcs_comm_agree(g->c, rc < 0 ? fail_h5(g, "write", err) : XPCS_OK, err);
}

xpcs_status xpcs_g2cube_commit(xpcs_g2cube **gp, xpcs_err *err)
{
    xpcs_g2cube *g = *gp;
    herr_t rc = H5Dclose(g->dset);
    g->dset = -1;
    rc |= H5Pclose(g->dxpl);
    g->dxpl = -1;
    rc |= H5Fclose(g->file); /* collective */
    g->file = -1;
    xpcs_status st = rc < 0 ? fail_h5(g, "close the file of", err) : XPCS_OK;
    if (!st && g->pub)
        st = xpcs_publish_commit(&g->pub, err);
    st = xpcs_comm_agree(g->c, st, err);
    xpcs_g2cube_abandon(gp);
    return st;
}

void xpcs_g2cube_abandon(xpcs_g2cube **gp)
{
    xpcs_g2cube *g = *gp;
    if (!g)
        return;
    close_all(g);
    xpcs_publish_abandon(&g->pub);
    free(g->buf);
    free(g);
    *gp = NULL;
}
