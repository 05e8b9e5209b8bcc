/* SPDX-License-Identifier: MIT */
/* Average-cost position keeping. */
#include "position.h"

#include "fxmath.h"

#include <string.h>

#define E8 100000000LL

void arb_positions_init(struct arb_positions *p, const struct arb_registry *reg)
{
    memset(p, 0, sizeof(*p));
    p->reg = reg;
}

static int64_t notional(int64_t qty, int64_t px)
{
    return (int64_t)((arb_i128)qty * px / E8);
}

int64_t arb_positions_fill(struct arb_positions *p, uint16_t venue, uint16_t instrument,
                           enum arb_side side, int64_t qty_e8, int64_t px_e8, int64_t fee_e8)
{
    struct arb_position *ps = &p->pos[venue][instrument];
    const struct arb_instrument *in = &p->reg->inst[instrument];
    int64_t signed_qty = side == ARB_SIDE_BUY ? qty_e8 : -qty_e8;
    int64_t realized = 0;

    /* Balances: base in, quote out (or the reverse), fee out of the quote. */
    p->balance_e8[venue][in->base_asset] += signed_qty;
    p->balance_e8[venue][in->quote_asset] -= notional(signed_qty, px_e8) + fee_e8;

    if (ps->qty_e8 == 0 || (ps->qty_e8 > 0) == (signed_qty > 0)) {
        /* Adding to the position (or opening it): a new weighted average cost. */
        int64_t total = ps->qty_e8 + signed_qty;
        ps->avg_px_e8 =
            (int64_t)(((arb_i128)ps->avg_px_e8 * (ps->qty_e8 < 0 ? -ps->qty_e8 : ps->qty_e8) +
                       (arb_i128)px_e8 * qty_e8) /
                      (total < 0 ? -total : total));
        ps->qty_e8 = total;
    } else {
        /* Reducing: realize against the average cost; past zero the rest opens at px. */
        int64_t open = ps->qty_e8 < 0 ? -ps->qty_e8 : ps->qty_e8;
        int64_t closed = qty_e8 < open ? qty_e8 : open;
        int64_t dir = ps->qty_e8 > 0 ? 1 : -1;
        realized = notional(closed, px_e8 - ps->avg_px_e8) * dir;
        ps->qty_e8 += signed_qty;
        if (qty_e8 > open)
            ps->avg_px_e8 = px_e8;
        else if (ps->qty_e8 == 0)
            ps->avg_px_e8 = 0;
    }
    ps->realized_e8 += realized - fee_e8;
    ps->fees_e8 += fee_e8;
    ps->volume_e8 += notional(qty_e8, px_e8);
    ps->fills++;
    p->realized_e8 += realized - fee_e8;
    p->fees_e8 += fee_e8;
    p->fills++;
    p->mark_e8[venue][instrument] = px_e8;
    return realized - fee_e8;
}

int64_t arb_positions_unrealized(const struct arb_positions *p)
{
    int64_t u = 0;

    for (uint32_t v = 0; v < p->reg->nvenues; v++)
        for (uint32_t i = 0; i < p->reg->ninstruments; i++) {
            const struct arb_position *ps = &p->pos[v][i];
            if (ps->qty_e8 && p->mark_e8[v][i])
                u += notional(ps->qty_e8, p->mark_e8[v][i] - ps->avg_px_e8);
        }
    return u;
}

int64_t arb_positions_asset_net(const struct arb_positions *p, uint16_t asset)
{
    int64_t n = 0;

    for (uint32_t v = 0; v < p->reg->nvenues; v++)
        n += p->balance_e8[v][asset];
    return n;
}
