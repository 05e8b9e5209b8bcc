/* SPDX-License-Identifier: MIT */
/* TSC calibration against the kernel clocks. */
#include "clock.h"

#if ARB_CLOCK_HAVE_TSC
#include <cpuid.h>
#endif

struct arb_clock arb_clock_g = {.mult = 1ULL << 32, .tsc_ghz = 1.0, .use_tsc = false};

bool arb_clock_tsc_invariant(void)
{
#if ARB_CLOCK_HAVE_TSC
    unsigned a, b, c, d;

    if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
        return false;
    __cpuid(0x80000007, a, b, c, d);
    return (d & (1u << 8)) != 0; /* "Invariant TSC" */
#else
    return false;
#endif
}

int arb_clock_init(unsigned calib_ms)
{
    if (!calib_ms)
        calib_ms = 50;
    if (!arb_clock_tsc_invariant()) {
        arb_clock_g.use_tsc = false;
        return 1;
    }
    /*
     * Bracket each TSC read between two monotonic reads and keep the tightest
     * bracket, so a preemption in the middle does not skew the rate.
     */
    uint64_t best_gap = UINT64_MAX, t0 = 0, m0 = 0, r0 = 0;
    for (int i = 0; i < 16; i++) {
        uint64_t a = arb_clock_mono_ns();
        uint64_t t = arb_clock_ticks();
        uint64_t r = arb_clock_real_ns();
        uint64_t b = arb_clock_mono_ns();
        if (b - a < best_gap) {
            best_gap = b - a;
            t0 = t;
            m0 = a + (b - a) / 2;
            r0 = r;
        }
    }
    struct timespec ts = {.tv_sec = calib_ms / 1000, .tv_nsec = (long)(calib_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    uint64_t t1 = 0, m1 = 0;
    best_gap = UINT64_MAX;
    for (int i = 0; i < 16; i++) {
        uint64_t a = arb_clock_mono_ns();
        uint64_t t = arb_clock_ticks();
        uint64_t b = arb_clock_mono_ns();
        if (b - a < best_gap) {
            best_gap = b - a;
            t1 = t;
            m1 = a + (b - a) / 2;
        }
    }
    if (t1 <= t0 || m1 <= m0) {
        arb_clock_g.use_tsc = false;
        return 1;
    }
    arb_clock_g.tsc0 = t0;
    arb_clock_g.mono0_ns = m0;
    arb_clock_g.epoch0_ns = r0;
    arb_clock_g.mult = (uint64_t)(((unsigned __int128)(m1 - m0) << 32) / (t1 - t0));
    arb_clock_g.tsc_ghz = (double)(t1 - t0) / (double)(m1 - m0);
    arb_clock_g.use_tsc = true;
    return 0;
}
