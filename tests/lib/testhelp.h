/* A tiny test harness (redis testhelp.h style): test_cond() counts and
 * prints each check; test_report() prints "N passed, M failed" and gives the
 * exit code.  next_u32(): the tests' random numbers (xorshift64, upper 32
 * bits), from the state *test_rng() (set it to reseed). */
#ifndef XPCS_TESTHELP_H
#define XPCS_TESTHELP_H

#include <stdint.h>
#include <stdio.h>

static int test_passed, test_failed;

#define test_cond(descr, cond)                                                                     \
    do {                                                                                           \
        if (cond) {                                                                                \
            test_passed++;                                                                         \
        }                                                                                          \
        else {                                                                                     \
            test_failed++;                                                                         \
            printf("FAIL %s (%s:%d)\n", descr, __FILE__, __LINE__);                                \
        }                                                                                          \
    } while (0)

static inline int test_report(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

static inline uint64_t *test_rng(void)
{
    static uint64_t state = 88172645463325252ull;
    return &state;
}

static inline uint32_t next_u32(void)
{
    uint64_t *r = test_rng();
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return (uint32_t)(*r >> 32);
}

#endif
