/* select: the k-th smallest of n doubles without sorting them all, for
 * percentiles of large arrays (the report's colour ranges of a detector
 * image: sorting a Rigaku 3M image twice took 0.5 s of every run).
 * Quickselect with a median-of-three pivot and a three-way partition, so
 * arrays with many equal values (detector images: mostly 0 or a few
 * counts) stay linear: expected O(n). */
#ifndef XPCS_SELECT_H
#define XPCS_SELECT_H

#include <stddef.h>

/* The value that would be v[k] (k < n) after sorting v ascending; v is
 * reordered.  No NaN in v (the caller keeps the finite values). */
double xpcs_select_kth(double *v, size_t n, size_t k);

#endif
