/* mapz: chunks of the two-time maps compressed by HDF5 itself, in a file
 * held in memory (see mapz.h). */
#include "xpcs/io/mapz.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

struct xpcs_mapz {
    xpcs_mapz_spec s;
    hid_t f, ds;
    void *buf; /* the last chunk's bytes */
    size_t cap;
};

xpcs_mapz_spec xpcs_mapz_choose(int64_t n)
{
    xpcs_mapz_spec s;
    s.chunk = (int32_t)(n < 256 ? (n > 0 ? n : 1) : 256);
    s.filter = H5Zfilter_avail(XPCS_MAPZ_LZF) > 0 ? XPCS_MAPZ_LZF : XPCS_MAPZ_DEFLATE;
    return s;
}

const char *xpcs_mapz_name(const xpcs_mapz_spec *s)
{
    return s->filter == XPCS_MAPZ_LZF ? "lzf" : "gzip";
}

/* A fresh in-memory file with one dataset of one chunk. */
static int open_mem(xpcs_mapz *z)
{
    const hsize_t d[2] = {(hsize_t)z->s.chunk, (hsize_t)z->s.chunk};
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_fapl_core(fapl, 1 << 20, 0); /* never written to disk */
    H5Pset_chunk(dcpl, 2, d);
    if (z->s.filter == XPCS_MAPZ_LZF)
        H5Pset_filter(dcpl, XPCS_MAPZ_LZF, H5Z_FLAG_OPTIONAL, 0, NULL);
    else
        H5Pset_deflate(dcpl, XPCS_MAPZ_DEFLATE_LEVEL);
    char name[64];
    snprintf(name, sizeof name, "xpcs-mapz-%p", (void *)z);
    z->f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    hid_t sp = H5Screate_simple(2, d, NULL);
    z->ds =
        z->f >= 0 ? H5Dcreate2(z->f, "c", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
    H5Sclose(sp);
    H5Pclose(dcpl);
    H5Pclose(fapl);
    return z->ds >= 0 ? 0 : -1;
}

static void close_mem(xpcs_mapz *z)
{
    if (z->ds >= 0)
        H5Dclose(z->ds);
    if (z->f >= 0)
        H5Fclose(z->f);
    z->ds = z->f = -1;
}

xpcs_status xpcs_mapz_create(const xpcs_mapz_spec *s, xpcs_mapz **out, xpcs_err *err)
{
    xpcs_mapz *z = xpcs_calloc(1, sizeof *z);
    z->s = *s;
    z->f = z->ds = -1;
    z->cap = sizeof(float) * (size_t)s->chunk * (size_t)s->chunk + 1024;
    z->buf = xpcs_malloc(z->cap);
    if (open_mem(z) < 0) {
        xpcs_mapz_destroy(&z);
        return xpcs_fail(err, XPCS_ERR_OUTPUT,
                         "two-time maps: cannot set up the %s compression of %d x %d chunks",
                         s->filter == XPCS_MAPZ_LZF ? "LZF" : "deflate", (int)s->chunk,
                         (int)s->chunk);
    }
    *out = z;
    return XPCS_OK;
}

xpcs_status xpcs_mapz_pack(xpcs_mapz *z, const float *blk, const void **bytes, size_t *n,
                           uint32_t *mask, xpcs_err *err)
{
    const hsize_t at[2] = {0, 0};
    hsize_t size = 0, fsize = 0;
    /* freed chunk space is not always reused: start a new file now and then */
    if (H5Fget_filesize(z->f, &fsize) >= 0 && fsize > (64u << 20)) {
        close_mem(z);
        open_mem(z);
    }
    if (z->ds < 0 || H5Dwrite(z->ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, blk) < 0 ||
        H5Dget_chunk_storage_size(z->ds, at, &size) < 0 || size > z->cap ||
        H5Dread_chunk(z->ds, H5P_DEFAULT, at, mask, z->buf) < 0)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "two-time maps: cannot compress a %d x %d chunk",
                         (int)z->s.chunk, (int)z->s.chunk);
    *bytes = z->buf;
    *n = (size_t)size;
    return XPCS_OK;
}

void xpcs_mapz_destroy(xpcs_mapz **zp)
{
    if (!zp || !*zp)
        return;
    close_mem(*zp);
    free((*zp)->buf);
    free(*zp);
    *zp = NULL;
}
