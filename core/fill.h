/* SPDX-License-Identifier: MIT */
/*
 * What the order gateway tells the detector thread back: fills, final
 * outcomes and venue errors, so the risk gate's exposures, daily loss limit
 * and error breaker act on what really traded. One ring record each.
 */
#ifndef ARB_CORE_FILL_H
#define ARB_CORE_FILL_H

#include <stdint.h>

enum arb_fill_kind {
    ARB_FILL_TRADE = 1, /* qty traded at px */
    ARB_FILL_FINAL = 2, /* the order is done; unfilled_e8 was never traded */
    ARB_FILL_ERROR = 3, /* the venue refused or failed the request */
    ARB_FILL_OK = 4,    /* the venue accepted a request: the error streak ends */
};

struct arb_fill {
    int64_t qty_e8;      /* TRADE: base quantity */
    int64_t px_e8;       /* TRADE: price */
    int64_t fee_e8;      /* TRADE: fee in the quote */
    int64_t realized_e8; /* TRADE: realized P&L of this fill, after fees */
    int64_t unfilled_e8; /* FINAL: base quantity the risk gate booked but never traded */
    uint64_t ts_ns;
    uint32_t signal_id;
    uint16_t venue;
    uint16_t instrument;
    uint8_t kind;        /* enum arb_fill_kind */
    uint8_t side;        /* enum arb_side */
    uint8_t signal_kind; /* enum arb_signal_kind of the intent */
    uint8_t action;      /* enum arb_intent_action of the intent */
    uint8_t reserved[4];
};

_Static_assert(sizeof(struct arb_fill) == 64, "a fill is one ring record");

#endif /* ARB_CORE_FILL_H */
