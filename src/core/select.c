/* select: the k-th smallest of n doubles (include/xpcs/core/select.h). */
#include "xpcs/core/select.h"

static inline void swap_d(double *v, size_t i, size_t j)
{
    const double t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static inline double median3(double a, double b, double c)
{
    const double lo = a < b ? a : b, hi = a < b ? b : a;
    return c < lo ? lo : (c > hi ? hi : c);
}

double xpcs_select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* v[k] of the sorted array lies in [lo, hi) */
    while (hi - lo > 1) {
        const double piv = median3(v[lo], v[lo + (hi - lo) / 2], v[hi - 1]);
        /* [lo, lt) < piv, [lt, i) == piv, [gt, hi) > piv, [i, gt) not seen */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (v[i] < piv)
                swap_d(v, lt++, i++);
            else if (v[i] > piv)
                swap_d(v, i, --gt);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return piv;
    }
    return v[k];
}
