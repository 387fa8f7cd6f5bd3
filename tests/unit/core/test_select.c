/* Unit test of core/select: the k-th smallest against the sorted array
 * (qsort), for every k of small arrays and many k of large ones, on random
 * values, few distinct values (a detector image: mostly 0), sorted and
 * reversed input and all values equal. */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/core/select.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* kind 0: random, 1: few distinct values, 2: ascending, 3: descending, 4: equal */
static void fill(double *v, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++)
        v[i] = kind == 0   ? (double)next_u32() / 7.0 - 3e8
               : kind == 1 ? (double)(next_u32() % 10 < 8 ? 0 : next_u32() % 4)
               : kind == 2 ? (double)i * 0.5
               : kind == 3 ? -(double)i
                           : 2.5;
}

static int check_all(size_t n, int kind, size_t step)
{
    double *v = malloc(sizeof(double) * n), *sorted = malloc(sizeof(double) * n),
           *w = malloc(sizeof(double) * n);
    fill(v, n, kind);
    memcpy(sorted, v, sizeof(double) * n);
    qsort(sorted, n, sizeof(double), cmp_double);
    int ok = 1;
    for (size_t k = 0; k < n; k += step) {
        memcpy(w, v, sizeof(double) * n);
        ok &= xpcs_select_kth(w, n, k) == sorted[k];
    }
    memcpy(w, v, sizeof(double) * n); /* the last one too */
    ok &= xpcs_select_kth(w, n, n - 1) == sorted[n - 1];
    free(v);
    free(sorted);
    free(w);
    return ok;
}

int main(void)
{
    const char *kinds[5] = {"random", "few distinct values", "ascending", "descending", "equal"};
    for (int kind = 0; kind < 5; kind++) {
        char what[96];
        snprintf(what, sizeof what, "select: every k of 1..40 values, %s", kinds[kind]);
        int ok = 1;
        for (size_t n = 1; n <= 40; n++)
            ok &= check_all(n, kind, 1);
        test_cond(what, ok);
        snprintf(what, sizeof what, "select: 100003 values, %s", kinds[kind]);
        test_cond(what, check_all(100003, kind, 997));
    }
    return test_report();
}
