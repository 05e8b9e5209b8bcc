/* SPDX-License-Identifier: MIT */
/*
 * A doorbell for a consumer that spins and then parks: producers ring it
 * after publishing, which costs one relaxed load unless the consumer is
 * asleep, and only then a futex wake. The design target is one core per hot
 * thread (no parking at all); on a smaller machine this keeps the engine
 * responsive instead of burning the cores its producers need.
 */
#ifndef ARB_CORE_PARK_H
#define ARB_CORE_PARK_H

#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct arb_park {
    _Atomic uint32_t seq;      /* bumped by every ring that wakes a sleeper */
    _Atomic uint32_t sleeping; /* the consumer is (about to be) in futex_wait */
};

/* Producer side, after its ring commit. */
static inline void arb_park_ring(struct arb_park *p)
{
    /* A1: pairs with R1. The read-modify-write is a full barrier after our ring commit
     * (a plain load could pass the commit in the store buffer), so either the consumer's
     * re-check sees the record or we see it sleeping. An RMW rather than a fence, which
     * ThreadSanitizer cannot follow; a missed wake-up could only cost the park timeout. */
    if (atomic_fetch_add_explicit(&p->sleeping, 0, memory_order_seq_cst)) {
        atomic_fetch_add_explicit(&p->seq, 1, memory_order_release);
        syscall(SYS_futex, &p->seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

/*
 * Consumer side: announce sleep, let `ready` re-check the rings (a producer
 * may have published in between), then wait up to timeout_ns for a ring.
 */
static inline void arb_park_wait(struct arb_park *p, int (*ready)(void *), void *ctx,
                                 uint64_t timeout_ns)
{
    uint32_t seq = atomic_load_explicit(&p->seq, memory_order_acquire);

    /* R1: pairs with A1: either we see their record, or they see us sleeping. */
    atomic_store_explicit(&p->sleeping, 1, memory_order_seq_cst);
    if (!ready(ctx)) {
        struct timespec ts = {(time_t)(timeout_ns / 1000000000ULL),
                              (long)(timeout_ns % 1000000000ULL)};
        syscall(SYS_futex, &p->seq, FUTEX_WAIT_PRIVATE, seq, &ts, NULL, 0);
    }
    atomic_store_explicit(&p->sleeping, 0, memory_order_relaxed);
}

#endif /* ARB_CORE_PARK_H */
