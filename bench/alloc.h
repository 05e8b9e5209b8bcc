/* SPDX-License-Identifier: MIT */
/*
 * Allocation counting for benchmarks and tests: bytes this thread has allocated, from
 * jemalloc's own statistics, so "the hot path does no allocation" is a
 * number printed next to the timing, not a claim.
 */
#ifndef ARB_BENCH_ALLOC_H
#define ARB_BENCH_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#ifdef ARB_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

/* Bytes allocated by the calling thread so far, or -1 without jemalloc. */
static inline int64_t arb_bench_allocated(void)
{
#ifdef ARB_JEMALLOC
    uint64_t v = 0;
    size_t sz = sizeof(v);
    if (mallctl("thread.allocated", &v, &sz, NULL, 0) == 0)
        return (int64_t)v;
#endif
    return -1;
}

#endif /* ARB_BENCH_ALLOC_H */
