/* fit_read: the g2 a fit reads from a result (io-private; fit_io.c).
 * Sources and the q of each column: include/xpcs/io/fit_io.h. */
#ifndef XPCS_FIT_READ_H
#define XPCS_FIT_READ_H

#include <stdint.h>

#include "xpcs/io/fit_io.h"
#include "xpcs/io/h5read.h"

typedef struct {
    int n_t, n_bins;
    double *t;           /* [n_t] s */
    double *g2, *g2_err; /* [n_t][n_bins] */
    double *q;           /* [n_bins] 1/Angstrom */
    int64_t *bins;       /* [n_bins] the 1-based dynamic bin of each column */
} fit_input;

void xpcs_fit_input_free(fit_input *in);
/* The source's g2, t and q from the open result f. */
xpcs_status xpcs_fit_read_input(const xpcs_h5r *f, xpcs_fit_source src, fit_input *in,
                                xpcs_err *err);

#endif
