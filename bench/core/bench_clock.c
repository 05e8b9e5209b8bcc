/* SPDX-License-Identifier: MIT */
/*
 * Timestamps: arb_clock_now_ns plus arb_hist_record, the hot path's way of
 * timing a stage, against a bare rdtscp; with rdtsc and the kernel clocks
 * (vDSO clock_gettime) as reference points.
 */
#include "bench/bench.h"
#include "core/clock.h"
#include "core/hist.h"

#include <x86intrin.h>

/* Each kernel does n operations and returns something built from all of them. */
typedef uint64_t (*kernel_fn)(struct arb_hist *h, uint64_t n);

static __attribute__((noinline)) uint64_t k_now_record(struct arb_hist *h, uint64_t n)
{
    uint64_t prev = arb_clock_now_ns();

    /* Records the gap between consecutive stamps, as a stage timer would. */
    for (uint64_t i = 0; i < n; i++) {
        uint64_t now = arb_clock_now_ns();
        arb_hist_record(h, now - prev);
        prev = now;
    }
    return h->count;
}

static __attribute__((noinline)) uint64_t k_now(struct arb_hist *h, uint64_t n)
{
    uint64_t acc = 0;

    (void)h;
    for (uint64_t i = 0; i < n; i++)
        acc += arb_clock_now_ns();
    return acc;
}

static __attribute__((noinline)) uint64_t k_rdtscp(struct arb_hist *h, uint64_t n)
{
    uint64_t acc = 0;
    unsigned aux;

    (void)h;
    for (uint64_t i = 0; i < n; i++)
        acc += __rdtscp(&aux);
    return acc + aux;
}

static __attribute__((noinline)) uint64_t k_rdtsc(struct arb_hist *h, uint64_t n)
{
    uint64_t acc = 0;

    (void)h;
    for (uint64_t i = 0; i < n; i++)
        acc += __rdtsc();
    return acc;
}

static __attribute__((noinline)) uint64_t k_real(struct arb_hist *h, uint64_t n)
{
    uint64_t acc = 0;

    (void)h;
    for (uint64_t i = 0; i < n; i++)
        acc += arb_clock_real_ns();
    return acc;
}

static __attribute__((noinline)) uint64_t k_mono(struct arb_hist *h, uint64_t n)
{
    uint64_t acc = 0;

    (void)h;
    for (uint64_t i = 0; i < n; i++)
        acc += arb_clock_mono_ns();
    return acc;
}

enum kernel { K_NOW_RECORD, K_RDTSCP, K_NOW, K_REAL, K_RDTSC, K_MONO, K_COUNT };

static const kernel_fn kernels[K_COUNT] = {k_now_record, k_rdtscp, k_now, k_real, k_rdtsc, k_mono};

/* ns per operation of one kernel run. */
static double time_kernel(kernel_fn k, struct arb_hist *h, uint64_t n)
{
    uint64_t t0 = arb_bench_now_ns();
    uint64_t acc = k(h, n);
    uint64_t t1 = arb_bench_now_ns();

    arb_bench_sink(acc);
    return (double)(t1 - t0) / (double)n;
}

int main(void)
{
    struct arb_bench_series s[K_COUNT] = {0};
    int reps = arb_bench_reps();
    uint64_t n = arb_bench_env_u64("ARB_BENCH_CLOCK_OPS", 2000000);
    struct arb_hist *h = arb_hist_create();

    ARB_BENCH_CHECK(h);
    if (arb_clock_init(0) != 0)
        fprintf(stderr, "# clock: no invariant TSC; arb_clock_now_ns falls back to "
                        "clock_gettime and the figures show that fallback\n");
    else
        fprintf(stderr, "# clock: TSC at %.3f GHz\n", arb_clock_g.tsc_ghz);
    for (int k = 0; k < K_COUNT; k++)
        time_kernel(kernels[k], h, n / 10 + 1); /* warm-up */
    for (int rep = 0; rep < reps; rep++) {
        /* Every kernel once per repetition, starting one further along each time. */
        for (int j = 0; j < K_COUNT; j++) {
            int k = (j + rep) % K_COUNT;
            arb_hist_init(h);
            arb_bench_add(&s[k], time_kernel(kernels[k], h, n));
            if (k == K_NOW_RECORD)
                ARB_BENCH_CHECK(h->count == n);
        }
    }
    arb_bench_report("clock", "now_plus_record", "ns/op", &s[K_NOW_RECORD], "rdtscp", &s[K_RDTSCP],
                     false);
    arb_bench_report("clock", "now_ns", "ns/op", &s[K_NOW], "clock_gettime_realtime", &s[K_REAL],
                     false);
    arb_bench_report("clock", "rdtsc", "ns/op", &s[K_RDTSC], "rdtscp", &s[K_RDTSCP], false);
    arb_bench_report("clock", "clock_gettime_monotonic", "ns/op", &s[K_MONO], NULL, NULL, false);
    arb_hist_destroy(h);
    return 0;
}
