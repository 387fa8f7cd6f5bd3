#include "xpcs/core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

size_t xpcs_escape(char *out, size_t n, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    size_t need = 0, k = 0;
    int full = n == 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char e[4] = {(char)*p, 0, 0, 0};
        size_t m = 1;
        if (is_control(*p)) {
            e[0] = '\\', e[1] = 'x', e[2] = hex[*p >> 4], e[3] = hex[*p & 15];
            m = 4;
        }
        if (out && !full && k + m < n) { /* whole escapes only, nothing after a cut */
            memcpy(out + k, e, m);
            k += m;
        }
        else
            full = 1;
        need += m;
    }
    if (out && n > 0)
        out[k] = '\0';
    return need;
}

/* The start of a UTF-8 character or an escape at or before i of s. */
static size_t char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
        i--;
    for (size_t j = i >= 3 ? i - 3 : 0; j < i; j++)
        if (s[j] == '\\' && s[j + 1] == 'x' && j + 4 > i)
            return j;
    return i;
}

/* msg (escaped, len bytes) into out: whole, or its start and end with the
 * middle left out. */
static void put_message(char *out, const char *msg, size_t len)
{
    if (len < XPCS_ERR_LEN) {
        memcpy(out, msg, len + 1);
        return;
    }
    const size_t keep = (XPCS_ERR_LEN - 96) / 2; /* both ends, the note, the moves */
    const size_t head = char_start(msg, keep), tail = char_start(msg, len - keep);
    memcpy(out, msg, head);
    const int m = snprintf(out + head, 64, " ...[%zu bytes left out]... ", tail - head);
    memcpy(out + head + (size_t)m, msg + tail, len - tail + 1);
}

xpcs_status xpcs_fail(xpcs_err *err, xpcs_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    /* formatted apart from err->msg, which may be an argument */
    char *text = xpcs_malloc(n > 0 ? (size_t)n + 1 : 1);
    if (n < 0 || vsnprintf(text, (size_t)n + 1, fmt, ap2) < 0)
        text[0] = '\0';
    va_end(ap2);
    const size_t need = xpcs_escape(NULL, 0, text);
    char *esc = xpcs_malloc(need + 1);
    xpcs_escape(esc, need + 1, text);
    put_message(err->msg, esc, need);
    free(esc);
    free(text);
    return code;
}

/* Set by parallel/comm once MPI runs: aborts every rank of the job. */
static xpcs_abort_hook abort_hook;

void xpcs_set_abort_hook(xpcs_abort_hook hook)
{
    abort_hook = hook;
}

static void oom(size_t bytes)
{
    fprintf(stderr, "xpcs: error: out of memory allocating %zu bytes\n", bytes);
    fflush(stderr);
    if (abort_hook)
        abort_hook(XPCS_ERR_MEMORY);
    exit(XPCS_ERR_MEMORY);
}

void *xpcs_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        oom(bytes);
    return p;
}

void *xpcs_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xpcs_grow_keep(void *p, int64_t *cap, int64_t need, size_t esz)
{
    if (need <= *cap)
        return p;
    int64_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(p, (size_t)n * esz);
    if (!q)
        oom((size_t)n * esz);
    *cap = n;
    return q;
}

void *xpcs_grow(void *p, int64_t *cap, int64_t need, size_t esz)
{
    if (need <= *cap)
        return p;
    free(p);
    int64_t n = 0;
    void *q = xpcs_grow_keep(NULL, &n, need, esz);
    *cap = n;
    return q;
}
