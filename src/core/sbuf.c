#include "xpcs/core/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/status.h"

struct xpcs_sbuf {
    char *s;
    size_t len, cap;
};

xpcs_sbuf *xpcs_sbuf_create(void)
{
    xpcs_sbuf *b = xpcs_calloc(1, sizeof *b);
    b->cap = 4096;
    b->s = xpcs_malloc(b->cap);
    b->s[0] = '\0';
    return b;
}

char *xpcs_sbuf_take(xpcs_sbuf **b)
{
    char *s = (*b)->s;
    free(*b);
    *b = NULL;
    return s;
}

void xpcs_sbuf_destroy(xpcs_sbuf **b)
{
    if (!b || !*b)
        return;
    free((*b)->s);
    free(*b);
    *b = NULL;
}

static void reserve(xpcs_sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap;
    while (b->len + extra + 1 > cap)
        cap *= 2;
    char *s = xpcs_malloc(cap);
    memcpy(s, b->s, b->len + 1);
    free(b->s);
    b->s = s;
    b->cap = cap;
}

void xpcs_sbuf_addn(xpcs_sbuf *b, const char *text, size_t n)
{
    reserve(b, n);
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void xpcs_sbuf_add(xpcs_sbuf *b, const char *text)
{
    xpcs_sbuf_addn(b, text, strlen(text));
}

void xpcs_sbuf_printf(xpcs_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= b->cap - b->len) {
        reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void xpcs_sbuf_add_escaped(xpcs_sbuf *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&':
            xpcs_sbuf_add(b, "&amp;");
            break;
        case '<':
            xpcs_sbuf_add(b, "&lt;");
            break;
        case '>':
            xpcs_sbuf_add(b, "&gt;");
            break;
        case '"':
            xpcs_sbuf_add(b, "&quot;");
            break;
        case '\'':
            xpcs_sbuf_add(b, "&#39;");
            break;
        default:
            xpcs_sbuf_addn(b, p, 1);
        }
    }
}

void xpcs_sbuf_add_base64(xpcs_sbuf *b, const unsigned char *d, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    reserve(b, (n + 2) / 3 * 4);
    char *o = b->s + b->len;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = tab[v >> 6 & 63];
        *o++ = tab[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0u);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    b->len = (size_t)(o - b->s);
    b->s[b->len] = '\0';
}

const char *xpcs_sbuf_text(const xpcs_sbuf *b)
{
    return b->s;
}

size_t xpcs_sbuf_len(const xpcs_sbuf *b)
{
    return b->len;
}
