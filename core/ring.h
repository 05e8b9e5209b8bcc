/* SPDX-License-Identifier: MIT */
/*
 * Lock-free single-producer, single-consumer ring of fixed 64-byte records.
 * Feed threads push ticks through it to the detector, and the detector pushes
 * intents through it to the order gateway. Full is back-pressure, never a drop.
 */
#ifndef ARB_CORE_RING_H
#define ARB_CORE_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARB_CACHELINE  64
#define ARB_RING_REC   64 /* bytes per record: one cache line */

/* One record. Users cast it to their 64-byte type (struct arb_tick, ...). */
struct arb_ring_rec {
    alignas(ARB_CACHELINE) unsigned char bytes[ARB_RING_REC];
};

/*
 * Each side owns one cache line: its own index, a cached copy of the other
 * side's index, and private copies of the read-only geometry, so a push or pop
 * touches only its own line until the cached index runs out.
 */
struct arb_ring {
    struct {
        alignas(ARB_CACHELINE) _Atomic uint64_t tail; /* next slot to publish */
        uint64_t head_cache;                          /* last head seen, may lag */
        uint64_t mask;                                /* capacity - 1 */
        struct arb_ring_rec *slots;
    } prod;
    struct {
        alignas(ARB_CACHELINE) _Atomic uint64_t head; /* next slot to consume */
        uint64_t tail_cache;                          /* last tail seen, may lag */
        uint64_t mask;
        struct arb_ring_rec *slots;
    } cons;
};

_Static_assert(sizeof(struct arb_ring_rec) == ARB_CACHELINE, "record is one line");
_Static_assert(offsetof(struct arb_ring, cons) % ARB_CACHELINE == 0, "cons on its own line");
_Static_assert(offsetof(struct arb_ring, cons) >= ARB_CACHELINE, "prod and cons lines differ");
_Static_assert(sizeof(struct arb_ring) == 2 * ARB_CACHELINE, "two lines, no false sharing");

/* Sets up a ring over caller memory of `capacity` records (a power of two, >= 2).
 * Returns 0 on success, -EINVAL on a bad capacity or misaligned memory. */
int arb_ring_init(struct arb_ring *r, struct arb_ring_rec *slots, uint32_t capacity);

/* Allocating variant of arb_ring_init. Returns NULL on failure (errno set). */
struct arb_ring *arb_ring_create(uint32_t capacity);

/* Frees a ring made by arb_ring_create. */
void arb_ring_destroy(struct arb_ring *r);

/* Capacity in records. Any thread. */
static inline uint32_t arb_ring_capacity(const struct arb_ring *r)
{
    return (uint32_t)(r->prod.mask + 1);
}

/*
 * Producer only. Returns the slot to write the next record into, or NULL when
 * the ring is full. Calling it again before commit returns the same slot.
 */
static inline void *arb_ring_spsc_reserve(struct arb_ring *r)
{
    uint64_t tail = atomic_load_explicit(&r->prod.tail, memory_order_relaxed); /* own index */

    if (tail - r->prod.head_cache > r->prod.mask) {
        /* A1: pairs with R2, so the consumer has finished reading the slot we reuse. */
        r->prod.head_cache = atomic_load_explicit(&r->cons.head, memory_order_acquire);
        if (tail - r->prod.head_cache > r->prod.mask)
            return NULL;
    }
    return &r->prod.slots[tail & r->prod.mask];
}

/* Producer only. Publishes the slot returned by the last arb_ring_spsc_reserve. */
static inline void arb_ring_spsc_commit(struct arb_ring *r)
{
    uint64_t tail = atomic_load_explicit(&r->prod.tail, memory_order_relaxed);

    /* R1: pairs with A2, so the record's bytes are visible before its index. */
    atomic_store_explicit(&r->prod.tail, tail + 1, memory_order_release);
}

/* Producer only. Copies one record in. Returns false when full (back-pressure). */
static inline bool arb_ring_spsc_push(struct arb_ring *r, const void *rec)
{
    void *slot = arb_ring_spsc_reserve(r);

    if (!slot)
        return false;
    memcpy(slot, rec, ARB_RING_REC);
    arb_ring_spsc_commit(r);
    return true;
}

/*
 * Consumer only. Returns how many records can be read in place, at most `max`,
 * contiguous from *first (the run stops at the wrap). Zero when empty.
 * The records stay valid until arb_ring_spsc_release.
 */
static inline uint32_t arb_ring_spsc_peek(struct arb_ring *r, uint32_t max,
                                          struct arb_ring_rec **first)
{
    uint64_t head = atomic_load_explicit(&r->cons.head, memory_order_relaxed); /* own index */
    uint64_t avail = r->cons.tail_cache - head;

    if (avail == 0) {
        /* A2: pairs with R1, so the records up to tail are fully written. */
        r->cons.tail_cache = atomic_load_explicit(&r->prod.tail, memory_order_acquire);
        avail = r->cons.tail_cache - head;
        if (avail == 0)
            return 0;
    }
    uint64_t idx = head & r->cons.mask;
    uint64_t to_wrap = r->cons.mask + 1 - idx;
    if (avail > to_wrap)
        avail = to_wrap;
    if (avail > max)
        avail = max;
    *first = &r->cons.slots[idx];
    return (uint32_t)avail;
}

/* Consumer only. Hands `n` peeked records back to the producer. */
static inline void arb_ring_spsc_release(struct arb_ring *r, uint32_t n)
{
    uint64_t head = atomic_load_explicit(&r->cons.head, memory_order_relaxed);

    /* R2: pairs with A1, so the producer reuses these slots only after we read them. */
    atomic_store_explicit(&r->cons.head, head + n, memory_order_release);
}

/*
 * Consumer only. Copies up to `max` records into `out` and releases them.
 * Returns the count, which may span the wrap; zero when empty.
 */
static inline uint32_t arb_ring_spsc_pop_batch(struct arb_ring *r, void *out, uint32_t max)
{
    unsigned char *dst = (unsigned char *)out;
    uint32_t total = 0;

    while (total < max) {
        struct arb_ring_rec *first;
        uint32_t n = arb_ring_spsc_peek(r, max - total, &first);
        if (n == 0)
            break;
        memcpy(dst + (size_t)total * ARB_RING_REC, first, (size_t)n * ARB_RING_REC);
        total += n;
        /* Released per run so a long batch frees slots for the producer early. */
        arb_ring_spsc_release(r, n);
    }
    return total;
}

/* Consumer only. Copies one record out. Returns false when empty. */
static inline bool arb_ring_spsc_pop(struct arb_ring *r, void *out)
{
    struct arb_ring_rec *first;

    if (arb_ring_spsc_peek(r, 1, &first) == 0)
        return false;
    memcpy(out, first, ARB_RING_REC);
    arb_ring_spsc_release(r, 1);
    return true;
}

/* Any thread. Records in flight; exact only when both sides are quiescent. */
static inline uint32_t arb_ring_count(struct arb_ring *r)
{
    uint64_t tail = atomic_load_explicit(&r->prod.tail, memory_order_acquire);
    uint64_t head = atomic_load_explicit(&r->cons.head, memory_order_acquire);

    return (uint32_t)(tail - head);
}

#endif /* ARB_CORE_RING_H */
