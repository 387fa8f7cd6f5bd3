/* h5filters: filter availability and the built-in bitshuffle / LZ4 decoders
 * (see h5filters.h).
 *
 * Formats, as the reference filters write them:
 *  - bitshuffle 32008, cd_values {major, minor, elem_size, block_size,
 *    compression}: with LZ4 (compression 2) a chunk is an 8-byte big-endian
 *    total size, a 4-byte big-endian block size in bytes, then per block of
 *    `block` elements a 4-byte big-endian compressed size and the LZ4 block
 *    of the bit-shuffled elements; the blocks are the full blocks, then one
 *    of the rest rounded down to a multiple of 8 elements; the last
 *    (size % 8) elements follow unshuffled.  Without compression the chunk
 *    is the bit-shuffled blocks alone (block size from cd_values, 0 = the
 *    default 8192 bytes / elem_size, a multiple of 8, at least 128).
 *    Bit-shuffled block of n elements: bit b of byte j of element e is bit
 *    (e % 8) of byte (j*8 + b) * n/8 + e/8.
 *  - LZ4 32004: an 8-byte big-endian total size, a 4-byte big-endian block
 *    size, then per block a 4-byte big-endian compressed size and the LZ4
 *    block (stored as is when the compressed size equals the block size).
 */
#include "h5filters.h"

#include <H5PLpublic.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *(*alloc_fn)(size_t);
typedef void (*free_fn)(void *);

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 8 x 8 bit matrix, row r = byte r (bits 8r..8r+7): bit (r, c) -> (c, r). */
static inline uint64_t transpose8(uint64_t x)
{
    uint64_t t;
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
    x = x ^ t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
    x = x ^ t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
    x = x ^ t ^ (t << 28);
    return x;
}

void xpcs_bitunshuffle_block(const uint8_t *in, uint8_t *out, size_t n, size_t elem_size)
{
    const size_t row = n / 8; /* bytes per bit plane */
    for (size_t j = 0; j < elem_size; j++)
        for (size_t q = 0; q < row; q++) {
            /* byte b of x: plane (j, b), byte q: bit r = element 8q + r */
            uint64_t x = 0;
            for (size_t b = 0; b < 8; b++)
                x |= (uint64_t)in[(j * 8 + b) * row + q] << (8 * b);
            x = transpose8(x); /* byte r: bit b = bit b of element 8q + r's byte j */
            for (size_t r = 0; r < 8; r++)
                out[(8 * q + r) * elem_size + j] = (uint8_t)(x >> (8 * r));
        }
}

static size_t bshuf_default_block(size_t elem_size)
{
    size_t b = 8192 / elem_size;
    b = b / 8 * 8;
    return b > 128 ? b : 128;
}

static int bshuf_decode_alloc(const uint8_t *in, size_t in_size, const unsigned *cd, size_t n_cd,
                              alloc_fn alloc, free_fn release, uint8_t **out_p, size_t *out_size)
{
    const size_t elem = n_cd > 2 ? cd[2] : 0;
    const unsigned comp = n_cd > 4 ? cd[4] : 0;
    if (elem == 0 || (comp != 0 && comp != 2))
        return -1; /* zstd (3) and unknown compressions are not built in */
    const uint8_t *p = in, *end = in + in_size;
    size_t total, block;
    if (comp == 2) {
        if (in_size < 12)
            return -1;
        total = (size_t)be64(in);
        block = be32(in + 8) / elem;
        p += 12;
    }
    else {
        total = in_size;
        block = n_cd > 3 && cd[3] ? cd[3] : bshuf_default_block(elem);
    }
    if (total % elem || block == 0 || block % 8)
        return -1;
    const size_t size = total / elem;
    uint8_t *out = alloc(total ? total : 1);
    uint8_t *tmp = malloc(block * elem);
    if (!out || !tmp) {
        free(tmp);
        if (out)
            release(out);
        return -1;
    }
    size_t done = 0; /* elements */
    int bad = 0;
    const size_t full = size / block, last = size % block - size % block % 8;
    for (size_t k = 0; k <= full && !bad; k++) {
        const size_t nb = k < full ? block : last;
        if (nb == 0)
            break;
        const size_t bytes = nb * elem;
        if (comp == 2) {
            if (end - p < 4) {
                bad = 1;
                break;
            }
            const uint32_t c = be32(p);
            p += 4;
            if ((size_t)(end - p) < c || c > (uint32_t)INT32_MAX ||
                LZ4_decompress_safe((const char *)p, (char *)tmp, (int)c, (int)bytes) !=
                    (int)bytes) {
                bad = 1;
                break;
            }
            p += c;
            xpcs_bitunshuffle_block(tmp, out + done * elem, nb, elem);
        }
        else {
            if ((size_t)(end - p) < bytes) {
                bad = 1;
                break;
            }
            xpcs_bitunshuffle_block(p, out + done * elem, nb, elem);
            p += bytes;
        }
        done += nb;
    }
    const size_t rest = (size - done) * elem; /* the last size % 8 elements, as they are */
    if (!bad && (size_t)(end - p) >= rest)
        memcpy(out + done * elem, p, rest);
    else
        bad = 1;
    free(tmp);
    if (bad) {
        release(out);
        return -1;
    }
    *out_p = out;
    *out_size = total;
    return 0;
}

static int lz4h5_decode_alloc(const uint8_t *in, size_t in_size, alloc_fn alloc, free_fn release,
                              uint8_t **out_p, size_t *out_size)
{
    if (in_size < 12)
        return -1;
    const size_t total = (size_t)be64(in);
    size_t block = be32(in + 8);
    if (block > total)
        block = total;
    const uint8_t *p = in + 12, *end = in + in_size;
    uint8_t *out = alloc(total ? total : 1);
    if (!out)
        return -1;
    size_t done = 0;
    int bad = block == 0 && total > 0;
    while (done < total && !bad) {
        const size_t nb = total - done < block ? total - done : block;
        if (end - p < 4) {
            bad = 1;
            break;
        }
        const uint32_t c = be32(p);
        p += 4;
        if ((size_t)(end - p) < c) {
            bad = 1;
        }
        else if (c == nb) {
            memcpy(out + done, p, nb);
        }
        else if (c > (uint32_t)INT32_MAX || LZ4_decompress_safe((const char *)p, (char *)out + done,
                                                                (int)c, (int)nb) != (int)nb) {
            bad = 1;
        }
        p += c;
        done += nb;
    }
    if (bad) {
        release(out);
        return -1;
    }
    *out_p = out;
    *out_size = total;
    return 0;
}

int xpcs_bshuf_decode(const uint8_t *in, size_t in_size, const unsigned *cd, size_t n_cd,
                      uint8_t **out, size_t *out_size)
{
    return bshuf_decode_alloc(in, in_size, cd, n_cd, malloc, free, out, out_size);
}

int xpcs_lz4h5_decode(const uint8_t *in, size_t in_size, uint8_t **out, size_t *out_size)
{
    return lz4h5_decode_alloc(in, in_size, malloc, free, out, out_size);
}

/* ---- HDF5 side ---------------------------------------------------------- */

/* buffers handed to HDF5 come from its allocator */
static void *h5_alloc(size_t n)
{
    return H5allocate_memory(n, 0);
}
static void h5_release(void *p)
{
    H5free_memory(p);
}

static size_t filter_bshuf(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                           size_t nbytes, size_t *buf_size, void **buf)
{
    uint8_t *out;
    size_t n;
    if (!(flags & H5Z_FLAG_REVERSE) ||
        bshuf_decode_alloc(*buf, nbytes, cd_values, cd_nelmts, h5_alloc, h5_release, &out, &n))
        return 0; /* decode only; 0 = failure */
    H5free_memory(*buf);
    *buf = out;
    *buf_size = n;
    return n;
}

static size_t filter_lz4(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                         size_t nbytes, size_t *buf_size, void **buf)
{
    uint8_t *out;
    size_t n;
    (void)cd_nelmts;
    (void)cd_values;
    if (!(flags & H5Z_FLAG_REVERSE) ||
        lz4h5_decode_alloc(*buf, nbytes, h5_alloc, h5_release, &out, &n))
        return 0;
    H5free_memory(*buf);
    *buf = out;
    *buf_size = n;
    return n;
}

static int builtin_registered[2]; /* bitshuffle, lz4 */

static int register_builtin(H5Z_filter_t id)
{
    const int k = id == XPCS_FILTER_BITSHUFFLE ? 0 : 1;
    if (builtin_registered[k])
        return 0;
    const H5Z_class2_t cls = {H5Z_CLASS_T_VERS,
                              id,
                              0, /* no encoder */
                              1,
                              k == 0 ? "bitshuffle (xpcs-toolkit built-in decoder)"
                                     : "lz4 (xpcs-toolkit built-in decoder)",
                              NULL,
                              NULL,
                              k == 0 ? filter_bshuf : filter_lz4};
    if (H5Zregister(&cls) < 0)
        return -1;
    builtin_registered[k] = 1;
    return 0;
}

static const char *known_name(H5Z_filter_t id)
{
    switch (id) {
    case H5Z_FILTER_DEFLATE:
        return "deflate";
    case H5Z_FILTER_SHUFFLE:
        return "shuffle";
    case H5Z_FILTER_FLETCHER32:
        return "fletcher32";
    case H5Z_FILTER_SZIP:
        return "szip";
    case H5Z_FILTER_NBIT:
        return "nbit";
    case H5Z_FILTER_SCALEOFFSET:
        return "scaleoffset";
    case 307:
        return "bzip2";
    case XPCS_FILTER_LZF:
        return "lzf";
    case 32001:
        return "blosc";
    case XPCS_FILTER_LZ4:
        return "lz4";
    case XPCS_FILTER_BITSHUFFLE:
        return "bitshuffle";
    case 32015:
        return "zstd";
    default:
        return "unknown";
    }
}

static void plugin_path(char *buf, size_t n)
{
    unsigned count = 0;
    buf[0] = '\0';
    if (H5PLsize(&count) < 0)
        return;
    for (unsigned i = 0; i < count; i++) {
        char dir[1024];
        if (H5PLget(i, dir, sizeof dir) <= 0)
            continue;
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", len ? ":" : "", dir);
    }
}

xpcs_status xpcs_h5filters_check(hid_t dcpl, const char *path, const char *dataset, char *used,
                                 size_t n, xpcs_err *err)
{
    if (used && n)
        used[0] = '\0';
    int nf = H5Pget_nfilters(dcpl);
    for (int i = 0; i < nf; i++) {
        unsigned flags = 0, cd[32], cfg = 0;
        size_t ncd = sizeof cd / sizeof cd[0];
        char name[256] = "";
        H5Z_filter_t id =
            H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, sizeof name, name, &cfg);
        if (id < 0)
            return xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s: cannot query filter %d", path,
                             dataset, i);
        const int builtin_id = id == XPCS_FILTER_BITSHUFFLE || id == XPCS_FILTER_LZ4;
        const int k = id == XPCS_FILTER_BITSHUFFLE ? 0 : 1;
        const char *how = "HDF5";
        if (builtin_id && builtin_registered[k]) {
            how = "built-in";
        }
        else if (H5Zfilter_avail(id) <= 0) {
            if (builtin_id && register_builtin(id) == 0) {
                how = "built-in";
            }
            else {
                /* also an "optional" filter (h5py marks LZF so): the chunks
                 * written through it cannot be read without it */
                char pp[2048];
                plugin_path(pp, sizeof pp);
                return xpcs_fail(err, XPCS_ERR_INPUT,
                                 "%s: dataset %s needs HDF5 filter %d (%s) and no plugin for "
                                 "this (parallel) HDF5 provides it: install one built for "
                                 "libhdf5_openmpi in the plugin path (%s) or set "
                                 "HDF5_PLUGIN_PATH",
                                 path, dataset, (int)id, known_name(id), pp[0] ? pp : "none");
            }
        }
        else if (id >= 256) { /* ids below 256 are HDF5's own filters */
            how = "plugin";
        }
        if (used && n) {
            size_t len = strlen(used);
            snprintf(used + len, n - len, "%s%d %s (%s)", len ? ", " : "", (int)id, known_name(id),
                     how);
        }
    }
    return XPCS_OK;
}
