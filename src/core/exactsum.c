#include "xpcs/core/exactsum.h"

#include <math.h>

int xpcs_xsum_exponent(double max_abs)
{
    if (!(max_abs > 0.0) || !isfinite(max_abs))
        return 0;
    int e;
    frexp(max_abs, &e); /* max_abs = f 2^e, f in [0.5, 1): max_abs < 2^e */
    if (e < -900)       /* keep 2^(30-e) finite; such tiny values sum to ~0 anyway */
        e = -900;
    return e;
}

double xpcs_xsum_scale(int e)
{
    return ldexp(1.0, 30 - e);
}

double xpcs_xsum_value(const xpcs_xsum *acc, int e)
{
    double v = 0.0;
    for (int k = XPCS_XSUM_DIGITS - 1; k >= 0; k--)
        v = v * 0x1p-30 + (double)acc->d[k];
    return ldexp(v, e - 30);
}
