/* SPDX-License-Identifier: MIT */
/*
 * Minimal test harness, liburing style: each test is one binary that exits
 * 0 on pass, 1 on fail and 77 on skip. Checks report file and line.
 */
#ifndef ARB_TESTS_TEST_H
#define ARB_TESTS_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_EXIT_PASS 0
#define T_EXIT_FAIL 1
#define T_EXIT_SKIP 77

static int t_failures;

#define T_FAIL(...)                                                                                \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        t_failures++;                                                                              \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            T_FAIL("check failed: %s", #cond);                                                     \
    } while (0)

#define CHECK_EQ_I64(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            T_FAIL("%s == %s: %lld != %lld", #a, #b, a_, b_);                                      \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                                         \
    do {                                                                                           \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);             \
        if (a_ != b_)                                                                              \
            T_FAIL("%s == %s: %llu != %llu", #a, #b, a_, b_);                                      \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            T_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");  \
    } while (0)

/* Stops at the first failure when continuing would only add noise. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            T_FAIL("required: %s", #cond);                                                         \
            exit(T_EXIT_FAIL);                                                                     \
        }                                                                                          \
    } while (0)

#define T_DONE() (t_failures ? T_EXIT_FAIL : T_EXIT_PASS)

/* Fixed-seed generator (splitmix64) so every run sees the same cases. */
static inline uint64_t t_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#endif /* ARB_TESTS_TEST_H */
