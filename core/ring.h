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

#define ARB_CACHELINE 64
#define ARB_RING_REC  64 /* bytes per record: one cache line */

/* One record. Users cast it to their 64-byte type (struct arb_tick, ...). */
struct arb_ring_rec {
    alignas(ARB_CACHELINE) unsigned char bytes[ARB_RING_REC];
};

#define ARB_RING_PAD 128 /* the L2 prefetcher moves lines in 128-byte pairs: keep writers apart */

/*
 * Four blocks, each alone in its 128 bytes. The two published indices are
 * the only shared lines: each is written by one side and polled by the
 * other. Everything else is private to one side (its own index, a cached
 * copy of the other's, the geometry), so an empty poll or a full check never
 * writes a line the other side reads.
 */
struct arb_ring {
    struct {
        alignas(ARB_RING_PAD) _Atomic uint64_t tail; /* published: records [0, tail) are written */
    } pub_tail;
    struct {
        alignas(ARB_RING_PAD) _Atomic uint64_t head; /* published: records [0, head) are read */
    } pub_head;
    struct {
        alignas(ARB_RING_PAD) uint64_t tail; /* next slot to fill; ahead of pub_tail while staged */
        uint64_t head_cache;                 /* last head seen, may lag */
        uint64_t mask;                       /* capacity - 1 */
        struct arb_ring_rec *slots;
        uint64_t *stamp; /* optional per-slot push time */
    } prod;
    struct {
        alignas(
            ARB_RING_PAD) uint64_t head; /* next slot to read; ahead of pub_head until release */
        uint64_t tail_cache;             /* last tail seen, may lag */
        uint64_t mask;
        struct arb_ring_rec *slots;
        uint64_t *stamp;
    } cons;
};

_Static_assert(sizeof(struct arb_ring_rec) == ARB_CACHELINE, "record is one line");
_Static_assert(offsetof(struct arb_ring, pub_head) == ARB_RING_PAD, "published indices apart");
_Static_assert(offsetof(struct arb_ring, prod) == 2 * ARB_RING_PAD, "producer block alone");
_Static_assert(offsetof(struct arb_ring, cons) == 3 * ARB_RING_PAD, "consumer block alone");
_Static_assert(sizeof(struct arb_ring) == 4 * ARB_RING_PAD, "no block shares a line pair");

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
    uint64_t tail = r->prod.tail;

    if (tail - r->prod.head_cache > r->prod.mask) {
        /* A1: pairs with R2, so the consumer has finished reading the slot we reuse. Only
         * the private cache is written, and only when the ring looked full. */
        uint64_t head = atomic_load_explicit(&r->pub_head.head, memory_order_acquire);
        if (tail - head > r->prod.mask)
            return NULL;
        r->prod.head_cache = head;
    }
    return &r->prod.slots[tail & r->prod.mask];
}

/*
 * Producer only. Keeps the slot returned by the last reserve without
 * publishing it yet: a burst of records (all the ticks of one frame) then
 * moves the shared line once, at arb_ring_spsc_publish.
 */
static inline void arb_ring_spsc_stage(struct arb_ring *r)
{
    r->prod.tail++;
}

/* Producer only. Publishes every staged record. */
static inline void arb_ring_spsc_publish(struct arb_ring *r)
{
    /* R1: pairs with A2, so the records' bytes are visible before their index. */
    atomic_store_explicit(&r->pub_tail.tail, r->prod.tail, memory_order_release);
}

/* Producer only. Publishes the slot returned by the last arb_ring_spsc_reserve. */
static inline void arb_ring_spsc_commit(struct arb_ring *r)
{
    arb_ring_spsc_stage(r);
    arb_ring_spsc_publish(r);
}

/*
 * Attaches caller memory of `capacity` timestamps, one per slot, so latency
 * can be measured per hop without widening the records. Cold, before use.
 */
static inline void arb_ring_attach_stamps(struct arb_ring *r, uint64_t *stamps)
{
    r->prod.stamp = stamps;
    r->cons.stamp = stamps;
}

/* Producer only. Like arb_ring_spsc_commit, recording `ts` for the slot (R1 covers it). */
static inline void arb_ring_spsc_commit_stamped(struct arb_ring *r, uint64_t ts)
{
    if (r->prod.stamp)
        r->prod.stamp[r->prod.tail & r->prod.mask] = ts;
    arb_ring_spsc_commit(r);
}

/* Consumer only. The push time of a peeked record, or 0 without stamps. */
static inline uint64_t arb_ring_stamp(const struct arb_ring *r, const struct arb_ring_rec *rec)
{
    return r->cons.stamp ? r->cons.stamp[rec - r->cons.slots] : 0;
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
    uint64_t head = r->cons.head;
    uint64_t avail = r->cons.tail_cache - head;

    if (avail == 0) {
        /* A2: pairs with R1, so the records up to tail are fully written. An empty poll
         * reads the shared line and writes nothing. */
        uint64_t tail = atomic_load_explicit(&r->pub_tail.tail, memory_order_acquire);
        if (tail == head)
            return 0;
        r->cons.tail_cache = tail;
        avail = tail - head;
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
    r->cons.head += n;
    /* R2: pairs with A1, so the producer reuses these slots only after we read them. */
    atomic_store_explicit(&r->pub_head.head, r->cons.head, memory_order_release);
}

/* Producer only. arb_ring_spsc_push that also stamps the slot with `ts`. */
static inline bool arb_ring_spsc_push_stamped(struct arb_ring *r, const void *rec, uint64_t ts)
{
    void *slot = arb_ring_spsc_reserve(r);

    if (!slot)
        return false;
    memcpy(slot, rec, ARB_RING_REC);
    arb_ring_spsc_commit_stamped(r, ts);
    return true;
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
    uint64_t tail = atomic_load_explicit(&r->pub_tail.tail, memory_order_acquire);
    uint64_t head = atomic_load_explicit(&r->pub_head.head, memory_order_acquire);

    return (uint32_t)(tail - head);
}

#endif /* ARB_CORE_RING_H */
