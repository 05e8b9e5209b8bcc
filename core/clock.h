/* SPDX-License-Identifier: MIT */
/*
 * Time. The hot path reads the TSC and converts to nanoseconds since the
 * Unix epoch with one multiply; the scale is calibrated once against the
 * kernel clocks. Without an invariant TSC it falls back to clock_gettime.
 */
#ifndef ARB_CORE_CLOCK_H
#define ARB_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define ARB_CLOCK_HAVE_TSC 1
#else
#define ARB_CLOCK_HAVE_TSC 0
#endif

/* Calibration, written once by arb_clock_init and read-only afterwards. */
struct arb_clock {
    uint64_t tsc0;      /* TSC at the anchor */
    uint64_t epoch0_ns; /* CLOCK_REALTIME at the anchor, ns since the epoch */
    uint64_t mono0_ns;  /* CLOCK_MONOTONIC at the anchor */
    uint64_t mult;      /* ns per tick, as a 32.32 fixed-point factor */
    double tsc_ghz;     /* ticks per ns, for reports */
    bool use_tsc;       /* false: every read is a clock_gettime */
};

extern struct arb_clock arb_clock_g;

/*
 * Calibrates the TSC against CLOCK_MONOTONIC over about `calib_ms` ms (0 picks
 * 50 ms) and anchors it to CLOCK_REALTIME. Call once, before threads start.
 * Returns 0 when the TSC is used, 1 when it fell back to clock_gettime.
 */
int arb_clock_init(unsigned calib_ms);

/* Whether the CPU says its TSC is invariant (constant rate, runs in C-states). */
bool arb_clock_tsc_invariant(void);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in ns, straight from the kernel (vDSO). */
static inline uint64_t arb_clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline uint64_t arb_clock_real_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Raw timestamp counter; not ordered against surrounding loads (rdtsc). */
static inline uint64_t arb_clock_ticks(void)
{
#if ARB_CLOCK_HAVE_TSC
    return __rdtsc();
#else
    return arb_clock_mono_ns();
#endif
}

/* Converts a tick delta to ns. */
static inline uint64_t arb_clock_ticks_to_ns(uint64_t dticks)
{
    return (uint64_t)(((unsigned __int128)dticks * arb_clock_g.mult) >> 32);
}

/*
 * Now, in ns since the Unix epoch. Monotonic within a run when the TSC is in
 * use (it never follows NTP steps after the anchor). Any thread.
 */
static inline uint64_t arb_clock_now_ns(void)
{
    if (__builtin_expect(!arb_clock_g.use_tsc, 0))
        return arb_clock_real_ns();
    return arb_clock_g.epoch0_ns + arb_clock_ticks_to_ns(arb_clock_ticks() - arb_clock_g.tsc0);
}

#endif /* ARB_CORE_CLOCK_H */
