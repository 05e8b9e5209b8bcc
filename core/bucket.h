/* SPDX-License-Identifier: MIT */
/*
 * Token buckets for venue rate limits: capacity tokens, refilled at a fixed
 * rate, taken before a request leaves. The gateway never sends over a limit;
 * an empty bucket is back-pressure returned to the caller.
 */
#ifndef ARB_CORE_BUCKET_H
#define ARB_CORE_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct arb_bucket {
    uint64_t capacity; /* tokens when full, scaled by ARB_BUCKET_SCALE */
    uint64_t tokens;   /* tokens now, scaled */
    uint64_t per_ns;   /* scaled tokens added per ns */
    uint64_t last_ns;  /* time of the last refill */
};

#define ARB_BUCKET_SCALE 1000000000000ULL /* one token: per_ns stays whole down to 1 per 1000 s */

/* A bucket of `capacity` tokens refilled over `window_ns` (e.g. 10 orders per 10 s). */
static inline void arb_bucket_init(struct arb_bucket *b, uint32_t capacity, uint64_t window_ns,
                                   uint64_t now_ns)
{
    b->capacity = (uint64_t)capacity * ARB_BUCKET_SCALE;
    b->tokens = b->capacity;
    b->per_ns = window_ns ? b->capacity / window_ns : 0;
    b->last_ns = now_ns;
}

static inline void arb_bucket_refill(struct arb_bucket *b, uint64_t now_ns)
{
    if (now_ns <= b->last_ns)
        return;
    uint64_t dt = now_ns - b->last_ns;
    /* Past a full refill the product could overflow; the bucket is full anyway. */
    if (b->per_ns == 0 || dt >= b->capacity / b->per_ns)
        b->tokens = b->capacity;
    else
        b->tokens =
            b->capacity - b->tokens < dt * b->per_ns ? b->capacity : b->tokens + dt * b->per_ns;
    b->last_ns = now_ns;
}

/* Whether n tokens are available now (after refill), without taking them. */
static inline bool arb_bucket_has(struct arb_bucket *b, uint32_t n, uint64_t now_ns)
{
    if (b->capacity == 0)
        return true; /* no published limit */
    arb_bucket_refill(b, now_ns);
    return b->tokens >= (uint64_t)n * ARB_BUCKET_SCALE;
}

/* Takes n tokens if available. Returns false (taking nothing) when they are not. */
static inline bool arb_bucket_take(struct arb_bucket *b, uint32_t n, uint64_t now_ns)
{
    if (!arb_bucket_has(b, n, now_ns))
        return false;
    if (b->capacity)
        b->tokens -= (uint64_t)n * ARB_BUCKET_SCALE;
    return true;
}

/* Empties the bucket until `until_ns`: the venue said we are over its limit (429). */
static inline void arb_bucket_penalize(struct arb_bucket *b, uint64_t until_ns)
{
    b->tokens = 0;
    b->last_ns = until_ns;
}

#endif /* ARB_CORE_BUCKET_H */
