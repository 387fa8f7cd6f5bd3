#include "xpcs/report/png.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Appends chunk (length, type, data, CRC over type + data) at *o. */
static unsigned char *chunk(unsigned char *o, const char *type, const unsigned char *data, size_t n)
{
    put_u32(o, (uint32_t)n);
    memcpy(o + 4, type, 4);
    if (n)
        memcpy(o + 8, data, n);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, o + 4, (uInt)(n + 4));
    put_u32(o + 8 + n, (uint32_t)crc);
    return o + 12 + n;
}

xpcs_status xpcs_png_encode_rgb(const uint8_t *rgb, int w, int h, unsigned char **out, size_t *len,
                                xpcs_err *err)
{
    *out = NULL;
    *len = 0;
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384)
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "png: bad image size %d x %d", w, h);
    const size_t row = (size_t)w * 3 + 1, raw_n = row * (size_t)h;
    unsigned char *raw = xpcs_malloc(raw_n);
    for (int y = 0; y < h; y++) {
        raw[(size_t)y * row] = 0; /* filter: none */
        memcpy(raw + (size_t)y * row + 1, rgb + (size_t)y * (size_t)w * 3, (size_t)w * 3);
    }
    uLongf zn = compressBound((uLong)raw_n);
    unsigned char *z = xpcs_malloc(zn);
    int zrc = compress2(z, &zn, raw, (uLong)raw_n, 6);
    free(raw);
    if (zrc != Z_OK) {
        free(z);
        return xpcs_fail(err, XPCS_ERR_INTERNAL, "png: deflate failed (zlib %d)", zrc);
    }
    unsigned char *png = xpcs_malloc(8 + 25 + 12 + zn + 12);
    static const unsigned char sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    memcpy(png, sig, 8);
    unsigned char ihdr[13];
    put_u32(ihdr, (uint32_t)w);
    put_u32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    unsigned char *o = chunk(png + 8, "IHDR", ihdr, sizeof ihdr);
    o = chunk(o, "IDAT", z, zn);
    o = chunk(o, "IEND", NULL, 0);
    free(z);
    *out = png;
    *len = (size_t)(o - png);
    return XPCS_OK;
}

void xpcs_viridis(double t, uint8_t rgb[3])
{
    /* viridis sampled at 0, 0.1, ..., 1 (matplotlib's table), linear in between */
    static const uint8_t a[11][3] = {{68, 1, 84},    {72, 36, 117},  {65, 68, 135},  {53, 95, 141},
                                     {42, 120, 142}, {33, 145, 140}, {34, 168, 132}, {68, 191, 112},
                                     {122, 209, 81}, {189, 223, 38}, {253, 231, 37}};
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    double x = t * 10.0;
    int i = (int)floor(x);
    if (i >= 10)
        i = 9;
    double f = x - i;
    for (int k = 0; k < 3; k++)
        rgb[k] = (uint8_t)lround(a[i][k] + f * (a[i + 1][k] - a[i][k]));
}
