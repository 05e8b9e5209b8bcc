/* SPDX-License-Identifier: MIT */
/*
 * Positions and P&L in fixed point: per venue x instrument (quantity,
 * average cost, realized P&L, fees) and per venue x asset balances. Fed by
 * fills; marked to market with the last prices for unrealized P&L. Quote
 * currencies are summed as USD, which holds for the stablecoin quotes arbiter
 * trades (USD, USDT, USDC); a depeg's cost shows up in the depeg positions.
 */
#ifndef ARB_CORE_POSITION_H
#define ARB_CORE_POSITION_H

#include "core/intent.h"
#include "core/registry.h"

#include <stdint.h>

struct arb_position {
    int64_t qty_e8;      /* signed base quantity */
    int64_t avg_px_e8;   /* average cost of the open quantity */
    int64_t realized_e8; /* in the instrument's quote */
    int64_t fees_e8;     /* paid, in the quote */
    int64_t volume_e8;   /* traded quote notional, for reports */
    uint32_t fills;
};

struct arb_positions {
    const struct arb_registry *reg;
    struct arb_position pos[ARB_MAX_VENUES][ARB_MAX_INSTRUMENTS];
    int64_t balance_e8[ARB_MAX_VENUES][ARB_MAX_ASSETS];   /* net change per venue x asset */
    int64_t mark_e8[ARB_MAX_VENUES][ARB_MAX_INSTRUMENTS]; /* last price seen, for unrealized */
    int64_t realized_e8; /* totals, in USD-equivalent quote units */
    int64_t fees_e8;
    uint64_t fills;
};

void arb_positions_init(struct arb_positions *p, const struct arb_registry *reg);

/*
 * Books one fill: `qty` (> 0) of `instrument` on `venue` at `px`, paying
 * `fee` (quote units). Returns the realized P&L of this fill, _e8.
 */
int64_t arb_positions_fill(struct arb_positions *p, uint16_t venue, uint16_t instrument,
                           enum arb_side side, int64_t qty_e8, int64_t px_e8, int64_t fee_e8);

/* Records a last price for unrealized P&L. */
static inline void arb_positions_mark(struct arb_positions *p, uint16_t venue, uint16_t instrument,
                                      int64_t px_e8)
{
    p->mark_e8[venue][instrument] = px_e8;
}

/* Unrealized P&L of every open position at its venue's mark, _e8. */
int64_t arb_positions_unrealized(const struct arb_positions *p);

/* Net base quantity of an asset across all venues and instruments, _e8. */
int64_t arb_positions_asset_net(const struct arb_positions *p, uint16_t asset);

#endif /* ARB_CORE_POSITION_H */
