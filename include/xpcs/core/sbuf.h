/* sbuf: a growable text buffer for the report writers (HTML, SVG, base64).
 * Allocation failures abort through xpcs_malloc's policy, so appends cannot
 * fail.  Free with xpcs_sbuf_destroy.
 */
#ifndef XPCS_SBUF_H
#define XPCS_SBUF_H

#include <stddef.h>

typedef struct xpcs_sbuf xpcs_sbuf;

xpcs_sbuf *xpcs_sbuf_create(void);
void xpcs_sbuf_destroy(xpcs_sbuf **b);
/* The text (NUL-terminated; free() it); the buffer is destroyed. */
char *xpcs_sbuf_take(xpcs_sbuf **b);

void xpcs_sbuf_add(xpcs_sbuf *b, const char *text);
void xpcs_sbuf_addn(xpcs_sbuf *b, const char *text, size_t n);
void xpcs_sbuf_printf(xpcs_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* text with & < > " ' escaped for HTML and SVG. */
void xpcs_sbuf_add_escaped(xpcs_sbuf *b, const char *text);
/* data as base64 (RFC 4648, with padding). */
void xpcs_sbuf_add_base64(xpcs_sbuf *b, const unsigned char *data, size_t n);

const char *xpcs_sbuf_text(const xpcs_sbuf *b);
size_t xpcs_sbuf_len(const xpcs_sbuf *b);

#endif
