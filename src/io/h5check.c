/* h5check: see h5check.h. */
#include "h5check.h"

#include <hdf5.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xpcs/core/infile.h"
#include "xpcs/io/h5in.h"

#define MAX_RANK 32

/* One dataset being checked: where it is and what it claims. */
typedef struct {
    const char *path, *name; /* file and dataset, for messages */
    hid_t d, dcpl;
    int rank;
    hsize_t dims[MAX_RANK];
    size_t esz;      /* bytes per element */
    int64_t fsize;   /* the file's size */
    uint64_t nbytes; /* the elements' bytes, 0 if they overflow 64 bits */
} dset_view;

static xpcs_status h5_error(xpcs_err *err, const char *fmt, const char *path, const char *name)
{
    char h5[256];
    xpcs_h5_last_error(h5, sizeof h5);
    xpcs_fail(err, XPCS_ERR_INPUT, fmt, path, name);
    if (h5[0])
        xpcs_fail(err, XPCS_ERR_INPUT, "%s (HDF5: %s)", err->msg, h5);
    return XPCS_ERR_INPUT;
}

static int64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

/* ---- contiguous --------------------------------------------------------- */

static xpcs_status check_contiguous(const dset_view *v, xpcs_err *err)
{
    if (H5Pget_external_count(v->dcpl) > 0)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s keeps its data in external files: expected the data "
                         "in the file (or a virtual dataset)",
                         v->path, v->name);
    const haddr_t off = H5Dget_offset(v->d);
    const hsize_t stored = H5Dget_storage_size(v->d);
    const uint64_t frame = v->dims[0] ? v->nbytes / v->dims[0] : 0;
    if (v->nbytes == 0 && v->dims[0] > 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s: its size overflows 64 bits", v->path,
                         v->name);
    if (off == HADDR_UNDEF)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s has no data stored (never written): expected frames",
                         v->path, v->name);
    if (stored < v->nbytes)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s claims %llu frames (%llu bytes) but stores %llu bytes: "
                         "expected at most %llu frames (damaged header?)",
                         v->path, v->name, (unsigned long long)v->dims[0],
                         (unsigned long long)v->nbytes, (unsigned long long)stored,
                         (unsigned long long)(frame ? stored / frame : 0));
    if (off > (uint64_t)v->fsize || v->nbytes > (uint64_t)v->fsize - off)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s claims %llu frames, stored at bytes %llu..%llu, but the "
                         "file ends at byte %lld: it holds at most %llu frames (truncated file?)",
                         v->path, v->name, (unsigned long long)v->dims[0], (unsigned long long)off,
                         (unsigned long long)(off + v->nbytes), (long long)v->fsize,
                         (unsigned long long)(frame && off < (uint64_t)v->fsize
                                                  ? ((uint64_t)v->fsize - off) / frame
                                                  : 0));
    return XPCS_OK;
}

/* ---- chunked -------------------------------------------------------------- */

typedef struct {
    haddr_t addr;
    hsize_t size;
    hsize_t frame;
} chunk_rec;

static int by_addr(const void *a, const void *b)
{
    const chunk_rec *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The chunk grid of v: chunk dims cd, chunks per dimension per, their
 * number *n and the bytes of one chunk *cbytes. */
static xpcs_status chunk_grid(const dset_view *v, hsize_t *cd, hsize_t *per, uint64_t *n,
                              uint64_t *cbytes, xpcs_err *err)
{
    if (H5Pget_chunk(v->dcpl, v->rank, cd) != v->rank)
        return h5_error(err, "%s: dataset %s: its chunk dimensions cannot be read", v->path,
                        v->name);
    *n = 1;
    *cbytes = v->esz;
    for (int i = 0; i < v->rank; i++) {
        per[i] = cd[i] ? (v->dims[i] + cd[i] - 1) / cd[i] : 0;
        if (cd[i] == 0 || __builtin_mul_overflow(*cbytes, cd[i], cbytes) ||
            __builtin_mul_overflow(*n, per[i], n) || *cbytes > 0xffffffffu)
            return xpcs_fail(err, XPCS_ERR_INPUT,
                             "%s: dataset %s has chunks of an impossible shape (dimension %d: "
                             "%llu): damaged header?",
                             v->path, v->name, i, (unsigned long long)cd[i]);
    }
    return XPCS_OK;
}

/* One chunk's index entry at offset off: present, inside the file, of a
 * size its filters can give. */
static xpcs_status check_chunk(const dset_view *v, const hsize_t *off, uint64_t cbytes,
                               int filtered, chunk_rec *rec, xpcs_err *err)
{
    unsigned mask = 0;
    haddr_t addr = HADDR_UNDEF;
    hsize_t size = 0;
    char at[128];
    snprintf(at, sizeof at, "the chunk at frame %llu%s", (unsigned long long)off[0],
             v->rank > 1 && (off[1] || (v->rank > 2 && off[2])) ? " (not its first rows/columns)"
                                                                : "");
    if (H5Dget_chunk_info_by_coord(v->d, off, &mask, &addr, &size) < 0) {
        char what[256];
        snprintf(what, sizeof what, "%s: cannot look up %s in the chunk index (damaged index?)",
                 v->name, at);
        return h5_error(err, "%s: dataset %s", v->path, what);
    }
    (void)mask;
    if (addr == HADDR_UNDEF)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s: %s is missing from the chunk index: expected every "
                         "chunk written (damaged chunk index or an unfinished file?)",
                         v->path, v->name, at);
    if (addr > (uint64_t)v->fsize || size > (uint64_t)v->fsize - addr)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s: %s lies at bytes %llu..%llu, past the end of the file "
                         "(%lld bytes): truncated file or damaged chunk index",
                         v->path, v->name, at, (unsigned long long)addr,
                         (unsigned long long)(addr + size), (long long)v->fsize);
    /* compressed chunks: at most about the raw size (every codec's worst case
     * is a small excess); anything larger is a damaged size, not data */
    if (filtered ? (size == 0 || size > 2 * cbytes + 4096) : size != cbytes)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s: %s has %llu bytes: expected %s%llu (damaged chunk "
                         "index or header?)",
                         v->path, v->name, at, (unsigned long long)size,
                         filtered ? "a compressed chunk of about " : "",
                         (unsigned long long)cbytes);
    *rec = (chunk_rec){addr, size, off[0]};
    return XPCS_OK;
}

static xpcs_status check_chunked(const dset_view *v, xpcs_err *err)
{
    hsize_t cd[MAX_RANK], per[MAX_RANK], off[MAX_RANK] = {0}, have = 0;
    uint64_t n = 0, cbytes = 0;
    xpcs_status st = chunk_grid(v, cd, per, &n, &cbytes, err);
    if (st || n == 0)
        return st;
    hid_t space = H5Dget_space(v->d);
    herr_t rc = H5Dget_num_chunks(v->d, space, &have);
    H5Sclose(space);
    if (rc < 0)
        return h5_error(err, "%s: dataset %s: its chunk index cannot be read (damaged file?)",
                        v->path, v->name);
    /* counted first: a damaged extent may claim more chunks than any file
     * holds, and each is looked up below */
    if (have != n)
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: dataset %s: the chunk index holds %llu chunks, its extent (%llu "
                         "frames) needs %llu: %s",
                         v->path, v->name, (unsigned long long)have, (unsigned long long)v->dims[0],
                         (unsigned long long)n,
                         have < n ? "chunks are missing (an unfinished file, or a damaged "
                                    "index or header?)"
                                  : "damaged chunk index");
    const int filtered = H5Pget_nfilters(v->dcpl) > 0;
    chunk_rec *rec = xpcs_malloc(sizeof *rec * (size_t)n);
    for (uint64_t k = 0; k < n && !st; k++) { /* every chunk, by its coordinates */
        st = check_chunk(v, off, cbytes, filtered, &rec[k], err);
        for (int i = v->rank - 1; i >= 0; i--) {
            off[i] += cd[i];
            if (off[i] < per[i] * cd[i])
                break;
            off[i] = 0;
        }
    }
    if (!st) { /* two entries pointing into one chunk: damaged keys */
        qsort(rec, (size_t)n, sizeof *rec, by_addr);
        for (uint64_t k = 0; k + 1 < n && !st; k++)
            if (rec[k].addr + rec[k].size > rec[k + 1].addr)
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: dataset %s: the chunks at frames %llu and %llu overlap in the "
                               "file: damaged chunk index",
                               v->path, v->name, (unsigned long long)rec[k].frame,
                               (unsigned long long)rec[k + 1].frame);
    }
    free(rec);
    return st;
}

/* ---- one dataset, any layout ------------------------------------------------ */

static xpcs_status check_virtual(const dset_view *v, xpcs_h5watch *w, int depth, xpcs_err *err);

/* Opens name in file f (path) and checks its storage; a dataset that does
 * not open is left to the caller (*opened = 0).  depth: 0 for the raw
 * dataset, 1 for a VDS source (whose own sources are not followed). */
static xpcs_status check_dataset(hid_t f, const char *path, const char *name, xpcs_h5watch *w,
                                 int depth, int *opened, xpcs_err *err)
{
    dset_view v = {.path = path, .name = name, .d = -1, .dcpl = -1};
    *opened = 0;
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0 || (v.d = H5Dopen2(f, name, H5P_DEFAULT)) < 0)
        return XPCS_OK;
    *opened = 1;
    xpcs_status st = XPCS_OK;
    hid_t s = H5Dget_space(v.d), t = H5Dget_type(v.d);
    v.rank = H5Sget_simple_extent_ndims(s);
    v.esz = t >= 0 ? H5Tget_size(t) : 0;
    v.dcpl = H5Dget_create_plist(v.d);
    v.fsize = file_size(path);
    if (v.rank < 1 || v.rank > MAX_RANK || v.esz == 0 || v.dcpl < 0 ||
        H5Sget_simple_extent_dims(s, v.dims, NULL) < 0)
        st = h5_error(err, "%s: dataset %s: its shape, type or layout cannot be read", path, name);
    v.nbytes = v.esz;
    for (int i = 0; !st && i < v.rank; i++)
        if (__builtin_mul_overflow(v.nbytes, v.dims[i], &v.nbytes))
            v.nbytes = 0;
    if (!st) {
        switch (H5Pget_layout(v.dcpl)) {
        case H5D_CONTIGUOUS:
            st = check_contiguous(&v, err);
            break;
        case H5D_CHUNKED:
            st = check_chunked(&v, err);
            break;
        case H5D_VIRTUAL:
            st = depth == 0 ? check_virtual(&v, w, depth, err) : XPCS_OK;
            break;
        case H5D_COMPACT: /* in the object header, read with it */
            break;
        default:
            st = h5_error(err, "%s: dataset %s: unknown storage layout", path, name);
        }
    }
    if (t >= 0)
        H5Tclose(t);
    if (s >= 0)
        H5Sclose(s);
    if (v.dcpl >= 0)
        H5Pclose(v.dcpl);
    H5Dclose(v.d);
    return st;
}

/* ---- virtual datasets ---------------------------------------------------- */

static void watch_add(xpcs_h5watch *w, const char *path, int64_t size)
{
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->paths[i], path) == 0)
            return;
    char **p = xpcs_malloc(sizeof *p * (size_t)(w->n + 1));
    int64_t *s = xpcs_malloc(sizeof *s * (size_t)(w->n + 1));
    if (w->n) {
        memcpy(p, w->paths, sizeof *p * (size_t)w->n);
        memcpy(s, w->size, sizeof *s * (size_t)w->n);
    }
    free(w->paths);
    free(w->size);
    w->paths = p;
    w->size = s;
    size_t len = strlen(path) + 1;
    w->paths[w->n] = memcpy(xpcs_malloc(len), path, len);
    w->size[w->n++] = size;
}

/* Where HDF5 looks for a relative source file name: HDF5_VDS_PREFIX, the
 * virtual dataset's own directory, the working directory.  The first
 * regular file into out; 0 if none (tried: what was tried). */
static int find_source(const char *vds_path, const char *name, char *out, size_t n, char *tried,
                       size_t tn)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", vds_path);
    const char *prefix = getenv("HDF5_VDS_PREFIX");
    const char *cand[3] = {NULL, NULL, NULL};
    char c0[8192], c1[8192];
    int k = 0;
    if (name[0] == '/')
        cand[k++] = name;
    else {
        if (prefix && prefix[0]) {
            snprintf(c0, sizeof c0, "%s/%s", prefix, name);
            cand[k++] = c0;
        }
        snprintf(c1, sizeof c1, "%s/%s", dirname(dir), name);
        cand[k++] = c1;
        cand[k++] = name;
    }
    tried[0] = '\0';
    for (int i = 0; i < k; i++) {
        char why[128];
        if (xpcs_input_regular(cand[i], why, sizeof why) == 0) {
            snprintf(out, n, "%s", cand[i]);
            return 1;
        }
        size_t len = strlen(tried);
        snprintf(tried + len, tn - len, "%s%s (%s)", i ? ", " : "", cand[i], why);
    }
    return 0;
}

/* Mapping i of a virtual dataset: its source file and dataset. */
static xpcs_status check_mapping(const dset_view *v, size_t i, size_t count, xpcs_h5watch *w,
                                 int depth, xpcs_err *err)
{
    char file[4096], dset[1024], found[8192], tried[16384];
    const ssize_t nf = H5Pget_virtual_filename(v->dcpl, i, file, sizeof file);
    const ssize_t nd = H5Pget_virtual_dsetname(v->dcpl, i, dset, sizeof dset);
    if (nf < 0 || nd < 0 || nf >= (ssize_t)sizeof file || nd >= (ssize_t)sizeof dset)
        return h5_error(err, "%s: virtual dataset %s: a source name cannot be read", v->path,
                        v->name);
    if (strchr(file, '%') || strchr(dset, '%'))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: virtual dataset %s: source %s:%s is a printf-style pattern: not "
                         "supported, expected one source file per mapping",
                         v->path, v->name, file, dset);
    if (strcmp(file, ".") == 0)
        snprintf(found, sizeof found, "%s", v->path);
    else if (!find_source(v->path, file, found, sizeof found, tried, sizeof tried))
        return xpcs_fail(err, XPCS_ERR_INPUT,
                         "%s: virtual dataset %s: source file %s (mapping %zu of %zu) is "
                         "missing: tried %s",
                         v->path, v->name, file, i + 1, count, tried);
    hid_t f = H5Fopen(found, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return h5_error(err, "%s: cannot open as HDF5 (a source of virtual dataset %s)", found,
                        v->name);
    watch_add(w, found, file_size(found));
    int opened = 0;
    xpcs_status st = check_dataset(f, found, dset, w, depth + 1, &opened, err);
    if (!st && !opened)
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: source dataset %s of virtual dataset %s (in %s) is missing", found,
                       dset, v->name, v->path);
    H5Fclose(f);
    return st;
}

/* Elements the mapping's virtual selection covers; -1 when it is unlimited
 * (it grows with its sources: not counted). */
static int64_t mapped_points(const dset_view *v, size_t i)
{
    hid_t vs = H5Pget_virtual_vspace(v->dcpl, i);
    if (vs < 0)
        return 0;
    hsize_t dims[MAX_RANK], maxd[MAX_RANK];
    int rank = H5Sget_simple_extent_ndims(vs);
    int64_t np = H5Sget_select_npoints(vs);
    if (rank > 0 && rank <= MAX_RANK && H5Sget_simple_extent_dims(vs, dims, maxd) >= 0)
        for (int k = 0; k < rank; k++)
            if (maxd[k] == H5S_UNLIMITED)
                np = -1;
    H5Sclose(vs);
    return np;
}

static xpcs_status check_virtual(const dset_view *v, xpcs_h5watch *w, int depth, xpcs_err *err)
{
    size_t count = 0;
    if (H5Pget_virtual_count(v->dcpl, &count) < 0)
        return h5_error(err, "%s: virtual dataset %s: its mappings cannot be read", v->path,
                        v->name);
    w->vds = 1;
    uint64_t mapped = 0, total = 1;
    int counted = 1;
    for (int i = 0; i < v->rank; i++)
        if (__builtin_mul_overflow(total, v->dims[i], &total))
            counted = 0;
    xpcs_status st = XPCS_OK;
    for (size_t i = 0; i < count && !st; i++) {
        const int64_t np = mapped_points(v, i);
        if (np < 0)
            counted = 0;
        mapped += np > 0 ? (uint64_t)np : 0;
        st = check_mapping(v, i, count, w, depth, err);
    }
    if (!st && counted && mapped < total)
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: virtual dataset %s maps %llu of its %llu elements to sources: "
                       "expected every frame mapped (unmapped ones would read as the fill value)",
                       v->path, v->name, (unsigned long long)mapped, (unsigned long long)total);
    return st;
}

/* ---- the raw file ---------------------------------------------------------- */

xpcs_status xpcs_h5check_raw(const char *path, const char *dataset, xpcs_h5watch *w, xpcs_err *err)
{
    memset(w, 0, sizeof *w);
    watch_add(w, path, file_size(path));
    /* a file HDF5 cannot open is the collective open's to report */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return XPCS_OK;
    int opened = 0;
    xpcs_status st = check_dataset(f, path, dataset, w, 0, &opened, err);
    H5Fclose(f);
    return st;
}

void xpcs_h5watch_free(xpcs_h5watch *w)
{
    for (int i = 0; i < w->n; i++)
        free(w->paths[i]);
    free(w->paths);
    free(w->size);
    memset(w, 0, sizeof *w);
}

char *xpcs_h5watch_pack(const xpcs_h5watch *w, int64_t *bytes)
{
    size_t n = 2 * sizeof(int64_t);
    for (int i = 0; i < w->n; i++)
        n += sizeof(int64_t) + strlen(w->paths[i]) + 1;
    char *buf = xpcs_malloc(n), *p = buf;
    const int64_t head[2] = {w->vds, w->n};
    memcpy(p, head, sizeof head);
    p += sizeof head;
    for (int i = 0; i < w->n; i++) {
        memcpy(p, &w->size[i], sizeof(int64_t));
        p += sizeof(int64_t);
        const size_t len = strlen(w->paths[i]) + 1;
        memcpy(p, w->paths[i], len);
        p += len;
    }
    *bytes = (int64_t)n;
    return buf;
}

void xpcs_h5watch_unpack(const char *buf, int64_t bytes, xpcs_h5watch *w)
{
    memset(w, 0, sizeof *w);
    int64_t head[2];
    memcpy(head, buf, sizeof head);
    const char *p = buf + sizeof head, *end = buf + bytes;
    for (int64_t i = 0; i < head[1] && p < end; i++) {
        int64_t size;
        memcpy(&size, p, sizeof size);
        p += sizeof size;
        watch_add(w, p, size);
        p += strlen(p) + 1;
    }
    w->vds = (int)head[0];
}

xpcs_status xpcs_h5watch_sizes(const xpcs_h5watch *w, xpcs_err *err)
{
    for (int i = 0; i < w->n; i++) {
        const int64_t now = file_size(w->paths[i]);
        if (now < w->size[i])
            return now < 0 ? xpcs_fail(err, XPCS_ERR_INPUT,
                                       "%s: the file disappeared while it was read", w->paths[i])
                           : xpcs_fail(err, XPCS_ERR_INPUT,
                                       "%s: the file shrank from %lld to %lld bytes while it was "
                                       "read (truncated or rewritten?)",
                                       w->paths[i], (long long)w->size[i], (long long)now);
    }
    return XPCS_OK;
}
