/* A tiny test harness (redis testhelp.h style): test_cond() counts and
 * prints each check; test_report() prints "N passed, M failed" and gives the
 * exit code. */
#ifndef XPCS_TESTHELP_H
#define XPCS_TESTHELP_H

#include <stdio.h>

static int test_passed, test_failed;

#define test_cond(descr, cond)                                                                 \
    do {                                                                                       \
        if (cond) {                                                                            \
            test_passed++;                                                                     \
        }                                                                                      \
        else {                                                                                 \
            test_failed++;                                                                     \
            printf("FAIL %s (%s:%d)\n", descr, __FILE__, __LINE__);                          \
        }                                                                                      \
    } while (0)

static inline int test_report(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
