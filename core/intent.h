/* SPDX-License-Identifier: MIT */
/*
 * Order intents: what the detector asks the order gateway to do, after the
 * risk gate has sized and passed it. One or two IOC legs in one ring record.
 */
#ifndef ARB_CORE_INTENT_H
#define ARB_CORE_INTENT_H

#include <stdint.h>

enum arb_side {
    ARB_SIDE_BUY = 1,
    ARB_SIDE_SELL = 2,
};

enum arb_tif {
    ARB_TIF_IOC = 1, /* immediate or cancel: the only kind arbitrage sends */
};

enum arb_signal_kind {
    ARB_SIG_SPREAD = 1,
    ARB_SIG_BASIS = 2,
    ARB_SIG_DEPEG = 3,
};

enum arb_intent_action {
    ARB_ACT_OPEN = 1,  /* adds exposure: every risk check applies */
    ARB_ACT_CLOSE = 2, /* reduces exposure: only halt stops it */
};

struct arb_leg {
    int64_t px_e8;  /* limit price */
    int64_t qty_e8; /* base quantity */
    uint16_t venue;
    uint16_t instrument;
    uint8_t side; /* enum arb_side */
    uint8_t tif;  /* enum arb_tif */
    uint16_t reserved;
};

struct arb_intent {
    struct arb_leg leg[2];
    uint64_t origin_ts_ns; /* receive time of the tick that caused it: tick-to-order starts here */
    uint32_t signal_id;    /* unique per run; client order ids derive from it */
    uint8_t kind;          /* enum arb_signal_kind */
    uint8_t nlegs;         /* 1 or 2 */
    uint8_t action;        /* enum arb_intent_action */
    uint8_t reserved;
};

_Static_assert(sizeof(struct arb_leg) == 24, "leg layout");
_Static_assert(sizeof(struct arb_intent) == 64, "an intent is one ring record");

#endif /* ARB_CORE_INTENT_H */
