/* SPDX-License-Identifier: MIT */
/*
 * Two-leg safety. Both legs of an arbitrage leave back to back; this module
 * watches what each fills and, when the pair ends unbalanced (one leg
 * rejected, filled in part, or silent past its timeout), produces the order
 * that hedges the difference at once: unwind the filled leg, or chase the
 * missing one within a slippage bound. An imbalance is never left silently:
 * when hedging gives up, it says so.
 */
#ifndef ARB_CORE_TWOLEG_H
#define ARB_CORE_TWOLEG_H

#include "core/intent.h"

#include <stdbool.h>
#include <stdint.h>

#define ARB_TWOLEG_MAX      1024        /* intents in flight; a power of two */
#define ARB_TWOLEG_RETRY_NS 20000000ULL /* 20 ms before a second hedge attempt, doubling */

enum arb_hedge_mode {
    ARB_HEDGE_UNWIND = 1, /* trade the over-filled leg back */
    ARB_HEDGE_CHASE = 2,  /* complete the under-filled leg */
};

enum arb_leg_status {
    ARB_LEG_PENDING = 0, /* sent, no final answer */
    ARB_LEG_DONE = 1,    /* final: filled, partly filled, expired or rejected */
    ARB_LEG_TIMEOUT = 2, /* no final answer in time: treated as unfilled until one comes */
};

/* One intent in flight. Leg index 2 accumulates hedge orders. */
struct arb_flight {
    struct arb_intent in;
    int64_t signed_fill_e8[3]; /* base quantity bought (+) or sold (-), per leg and hedges */
    uint64_t sent_ns;
    uint64_t hedge_sent_ns;
    uint32_t hedges;    /* hedge orders sent */
    uint8_t status[2];  /* enum arb_leg_status */
    uint8_t hedge_side; /* side of the hedge in flight */
    bool counted;       /* its outcome is in the stats */
    bool hedge_pending;
    bool active;
};

struct arb_twoleg {
    struct arb_flight f[ARB_TWOLEG_MAX];
    uint8_t mode;         /* enum arb_hedge_mode */
    int64_t slippage_bps; /* _e8: how far past the leg's price a hedge may go */
    uint64_t leg_timeout_ns;
    uint32_t max_hedges; /* attempts before raising the alarm */
    struct {
        uint64_t opened;
        uint64_t balanced; /* closed with both legs equal, no hedge needed */
        uint64_t legged;   /* ended unbalanced and needed a hedge */
        uint64_t hedges;   /* hedge orders produced */
        uint64_t hedged;   /* imbalances brought back to zero by hedging */
        uint64_t timeouts; /* legs that went silent past the timeout */
        uint64_t alarms;   /* imbalances hedging could not close */
        uint64_t full;     /* opens refused: too many in flight */
    } stats;
};

void arb_twoleg_init(struct arb_twoleg *t, enum arb_hedge_mode mode, int64_t slippage_bps,
                     uint64_t leg_timeout_ns, uint32_t max_hedges);

/*
 * Starts watching an intent whose legs were just sent. One-leg intents are
 * tracked until answered (to route their fills) but never hedged. Returns
 * the flight's slot, or -ENOSPC when every slot is busy.
 */
int arb_twoleg_open(struct arb_twoleg *t, const struct arb_intent *in, uint64_t now_ns);

/*
 * Reports an execution on leg 0, 1 or 2 (a hedge) of flight `slot`:
 * `fill_e8` newly filled base quantity (>= 0), `final` when the order is done.
 */
void arb_twoleg_exec(struct arb_twoleg *t, int slot, int leg, int64_t fill_e8, bool final);

/*
 * Decides what flight `slot` needs now. Returns 1 with *hedge set when a
 * hedge order must go out, 0 when nothing is needed, -1 when hedging gave
 * up (the caller raises the alarm and halts new risk).
 */
int arb_twoleg_poll(struct arb_twoleg *t, int slot, uint64_t now_ns, struct arb_leg *hedge);

/* Net base imbalance of a flight, _e8 (0 when balanced). */
static inline int64_t arb_twoleg_net(const struct arb_flight *f)
{
    return f->signed_fill_e8[0] + f->signed_fill_e8[1] + f->signed_fill_e8[2];
}

#endif /* ARB_CORE_TWOLEG_H */
