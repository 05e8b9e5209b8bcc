/* SPDX-License-Identifier: MIT */
/* Cold set-up for the SPSC ring; the hot operations are inline in ring.h. */
#include "ring.h"

#include <errno.h>
#include <stdlib.h>

int arb_ring_init(struct arb_ring *r, struct arb_ring_rec *slots, uint32_t capacity)
{
    if (!r || !slots || capacity < 2 || (capacity & (capacity - 1)) != 0)
        return -EINVAL;
    if (((uintptr_t)slots & (ARB_CACHELINE - 1)) != 0)
        return -EINVAL;
    memset(r, 0, sizeof(*r));
    r->prod.mask = capacity - 1;
    r->prod.slots = slots;
    r->cons.mask = capacity - 1;
    r->cons.slots = slots;
    atomic_init(&r->pub_tail.tail, 0);
    atomic_init(&r->pub_head.head, 0);
    return 0;
}

struct arb_ring *arb_ring_create(uint32_t capacity)
{
    struct arb_ring *r;
    struct arb_ring_rec *slots;

    if (capacity < 2 || (capacity & (capacity - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    r = aligned_alloc(ARB_RING_PAD, sizeof(*r));
    slots = aligned_alloc(ARB_CACHELINE, (size_t)capacity * sizeof(*slots));
    if (!r || !slots) {
        free(r);
        free(slots);
        errno = ENOMEM;
        return NULL;
    }
    memset(slots, 0, (size_t)capacity * sizeof(*slots));
    arb_ring_init(r, slots, capacity);
    return r;
}

void arb_ring_destroy(struct arb_ring *r)
{
    if (!r)
        return;
    free(r->prod.slots);
    free(r);
}
