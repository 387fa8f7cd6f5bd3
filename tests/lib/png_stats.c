/* png_stats FILE.png: decodes an 8-bit RGB/RGBA PNG (the headless Chromium
 * screenshot) and prints "width height nonwhite_fraction distinct_colours".
 * Exit 1 when the file is not such a PNG.  Test helper for test_report.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: png_stats FILE.png\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return 1;
    }
    fclose(f);
    static const unsigned char sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    if (n < 33 || memcmp(buf, sig, 8) != 0 || memcmp(buf + 12, "IHDR", 4) != 0) {
        fprintf(stderr, "%s: not a PNG\n", argv[1]);
        free(buf);
        return 1;
    }
    uint32_t w = be32(buf + 16), h = be32(buf + 20);
    int depth = buf[24], ctype = buf[25], interlace = buf[28];
    int bpp = ctype == 6 ? 4 : ctype == 2 ? 3 : 0;
    if (depth != 8 || !bpp || interlace || w == 0 || h == 0 || w > 20000 || h > 20000) {
        fprintf(stderr, "%s: unsupported PNG (depth %d, colour type %d)\n", argv[1], depth, ctype);
        free(buf);
        return 1;
    }
    /* concatenate IDAT */
    size_t zcap = (size_t)n, zn = 0;
    unsigned char *z = malloc(zcap);
    for (long at = 8; at + 12 <= n;) {
        uint32_t len = be32(buf + at);
        if (at + 12 + (long)len > n)
            break;
        if (memcmp(buf + at + 4, "IDAT", 4) == 0) {
            memcpy(z + zn, buf + at + 8, len);
            zn += len;
        }
        at += 12 + (long)len;
    }
    size_t stride = (size_t)w * (size_t)bpp, rawn = (stride + 1) * h;
    unsigned char *raw = malloc(rawn);
    uLongf got = (uLongf)rawn;
    if (!z || !raw || uncompress(raw, &got, z, (uLong)zn) != Z_OK || got != rawn) {
        fprintf(stderr, "%s: corrupt image data\n", argv[1]);
        return 1;
    }
    unsigned char *img = calloc(h, stride), *prev = calloc(1, stride);
    for (uint32_t y = 0; y < h; y++) {
        const unsigned char *src = raw + (size_t)y * (stride + 1);
        unsigned char *row = img + (size_t)y * stride;
        const unsigned char *up = y ? img + (size_t)(y - 1) * stride : prev;
        int ft = src[0];
        for (size_t x = 0; x < stride; x++) {
            int a = x >= (size_t)bpp ? row[x - bpp] : 0, b = up[x];
            int c = x >= (size_t)bpp ? up[x - bpp] : 0, v = src[1 + x];
            switch (ft) {
            case 1:
                v += a;
                break;
            case 2:
                v += b;
                break;
            case 3:
                v += (a + b) / 2;
                break;
            case 4:
                v += paeth(a, b, c);
                break;
            default:
                break;
            }
            row[x] = (unsigned char)v;
        }
    }
    unsigned char *seen = calloc((size_t)1 << 21, 1); /* 2^24 colour bits */
    size_t nonwhite = 0, distinct = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const unsigned char *p = img + i * (size_t)bpp;
        if (p[0] < 250 || p[1] < 250 || p[2] < 250)
            nonwhite++;
        uint32_t key = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        if (!(seen[key >> 3] & (1u << (key & 7)))) {
            seen[key >> 3] |= (unsigned char)(1u << (key & 7));
            distinct++;
        }
    }
    printf("%u %u %.4f %zu\n", w, h, (double)nonwhite / ((double)w * h), distinct);
    free(seen);
    free(img);
    free(prev);
    free(raw);
    free(z);
    free(buf);
    return 0;
}
