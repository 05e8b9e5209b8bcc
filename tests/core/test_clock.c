/* SPDX-License-Identifier: MIT */
/* core/clock: monotonic reads across threads, and calibration error. */
#include "core/clock.h"
#include "core/thread.h"
#include "test.h"

#include <stdatomic.h>

static _Atomic uint64_t backwards;

static void *reader(void *arg)
{
    (void)arg;
    uint64_t prev = arb_clock_now_ns(), bad = 0;
    for (int i = 0; i < 2000000; i++) {
        uint64_t now = arb_clock_now_ns();
        if (now < prev)
            bad++;
        prev = now;
    }
    atomic_fetch_add_explicit(&backwards, bad, memory_order_relaxed);
    return NULL;
}

static void test_monotonic(void)
{
    struct arb_thread t[2];

    for (int i = 0; i < 2; i++)
        REQUIRE(arb_thread_start(&t[i], "clock-reader", i, reader, NULL) == 0);
    for (int i = 0; i < 2; i++)
        arb_thread_join(&t[i], NULL);
    CHECK_EQ_U64(atomic_load(&backwards), 0);
}

/* Over 200 ms the TSC-derived clock must track CLOCK_MONOTONIC within 0.1%. */
static void test_calibration(void)
{
    uint64_t m0 = arb_clock_mono_ns(), c0 = arb_clock_now_ns();
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    uint64_t m1 = arb_clock_mono_ns(), c1 = arb_clock_now_ns();
    double dm = (double)(m1 - m0), dc = (double)(c1 - c0);
    double err = (dc - dm) / dm;
    fprintf(stderr, "clock: tsc=%d %.4f GHz, rate error %.1f ppm\n", arb_clock_g.use_tsc,
            arb_clock_g.tsc_ghz, err * 1e6);
    CHECK(err < 1e-3 && err > -1e-3);
    /* Anchored to the epoch: within 50 ms of CLOCK_REALTIME (generous for NTP slew). */
    int64_t off = (int64_t)(arb_clock_now_ns() - arb_clock_real_ns());
    CHECK(off < 50000000 && off > -50000000);
    /* Ticks-to-ns conversion is linear. */
    CHECK_EQ_U64(arb_clock_ticks_to_ns(0), 0);
}

int main(void)
{
    int rc = arb_clock_init(0);
    fprintf(stderr, "clock: invariant tsc=%d, init=%d\n", arb_clock_tsc_invariant(), rc);
    test_calibration();
    test_monotonic();
    /* The fallback path must also be monotonic and close to the kernel clock. */
    arb_clock_g.use_tsc = false;
    uint64_t a = arb_clock_now_ns(), b = arb_clock_now_ns();
    CHECK(b >= a);
    return T_DONE();
}
