/* SPDX-License-Identifier: MIT */
/* Risk gate: half-Kelly sizing, limits and the breakers. */
#include "risk.h"

#include "fxmath.h"

#include <string.h>

#define E8 100000000LL

static const char *const refusal_names[ARB_REFUSE_COUNT] = {
    [ARB_REFUSE_NONE] = "none",
    [ARB_REFUSE_HALT] = "halt",
    [ARB_REFUSE_VENUE_HALT] = "venue_halt",
    [ARB_REFUSE_ERRORS] = "consecutive_errors",
    [ARB_REFUSE_DAILY_LOSS] = "daily_loss",
    [ARB_REFUSE_CRITICAL_DEPEG] = "critical_depeg",
    [ARB_REFUSE_NO_EDGE] = "no_edge",
    [ARB_REFUSE_POSITION] = "max_position",
    [ARB_REFUSE_VENUE_LIMIT] = "venue_limit",
    [ARB_REFUSE_COIN_LIMIT] = "coin_limit",
    [ARB_REFUSE_DEPEG_CAP] = "depeg_exposure",
    [ARB_REFUSE_MIN_SIZE] = "min_size",
    [ARB_REFUSE_BACKPRESSURE] = "backpressure",
};

const char *arb_refusal_name(enum arb_refusal reason)
{
    return (unsigned)reason < ARB_REFUSE_COUNT ? refusal_names[reason] : "?";
}

void arb_risk_init(struct arb_risk *r, const struct arb_registry *reg)
{
    memset(r, 0, sizeof(*r));
    r->reg = reg;
    for (uint32_t a = 0; a < ARB_MAX_ASSETS; a++)
        r->asset_coin[a] = (int8_t)(a < reg->nassets ? arb_coin_find(reg->asset[a]) : -1);
}

/* pct (_e8 percent) of capital (_e8 USD), _e8 USD. */
static int64_t pct_of(int64_t capital, int64_t pct)
{
    return (int64_t)((arb_i128)capital * pct / (100 * E8));
}

static int64_t notional_of(int64_t px, int64_t qty)
{
    return (int64_t)((arb_i128)px * qty / E8);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Signed change to an asset's net exposure from one leg: buying adds base. */
static int64_t leg_base_delta(const struct arb_leg *l, int64_t notional)
{
    return l->side == ARB_SIDE_BUY ? notional : -notional;
}

static bool refuse(struct arb_risk *r, enum arb_refusal why, int64_t cap, enum arb_refusal *reason,
                   int64_t *cap_usd)
{
    r->refused[why]++;
    *reason = why;
    *cap_usd = cap;
    return false;
}

static void book(struct arb_risk *r, const struct arb_intent *in, int64_t notional, int sign)
{
    for (unsigned i = 0; i < in->nlegs; i++) {
        const struct arb_leg *l = &in->leg[i];
        const struct arb_instrument *ins = &r->reg->inst[l->instrument];
        int64_t n = notional_of(l->px_e8, l->qty_e8);
        r->venue_gross_usd[l->venue] += sign * n;
        if (r->venue_gross_usd[l->venue] < 0)
            r->venue_gross_usd[l->venue] = 0;
        /* The asset moves the way the leg trades, whether it opens or closes. */
        r->asset_net_usd[ins->base_asset] += leg_base_delta(l, n);
    }
    if (in->kind == ARB_SIG_DEPEG) {
        r->depeg_exposure_usd += sign * notional;
        if (r->depeg_exposure_usd < 0)
            r->depeg_exposure_usd = 0;
    }
}

bool arb_risk_gate(struct arb_risk *r, const struct arb_params *p, struct arb_intent *in,
                   int64_t p_win, int64_t win_loss, int64_t *notional_usd, enum arb_refusal *reason,
                   int64_t *cap_usd)
{
    int64_t capital = p->risk_capital_usd;
    *notional_usd = 0;

    if (p->halt)
        return refuse(r, ARB_REFUSE_HALT, 0, reason, cap_usd);
    for (unsigned i = 0; i < in->nlegs; i++) {
        uint16_t v = in->leg[i].venue;
        if (p->venue_halt[v])
            return refuse(r, ARB_REFUSE_VENUE_HALT, 0, reason, cap_usd);
        if (r->consecutive_errors[v] >= (uint32_t)p->risk_max_consecutive_errors)
            return refuse(r, ARB_REFUSE_ERRORS, 0, reason, cap_usd);
    }
    if (in->action == ARB_ACT_CLOSE) {
        /* Closing reduces risk: it is sized by the position it closes, not by Kelly. */
        int64_t n = notional_of(in->leg[0].px_e8, in->leg[0].qty_e8);
        *notional_usd = n;
        book(r, in, n, -1);
        r->passed++;
        return true;
    }
    if (-r->daily_pnl_usd >= pct_of(capital, p->risk_daily_loss_pct))
        return refuse(r, ARB_REFUSE_DAILY_LOSS, pct_of(capital, p->risk_daily_loss_pct), reason,
                      cap_usd);
    for (unsigned i = 0; i < in->nlegs; i++) {
        const struct arb_instrument *ins = &r->reg->inst[in->leg[i].instrument];
        int cb = r->asset_coin[ins->base_asset], cq = r->asset_coin[ins->quote_asset];
        if ((cb >= 0 && r->coin_level[cb] == ARB_LEVEL_CRITICAL) ||
            (cq >= 0 && r->coin_level[cq] == ARB_LEVEL_CRITICAL))
            return refuse(r, ARB_REFUSE_CRITICAL_DEPEG, 0, reason, cap_usd);
    }

    /* Kelly: f = p - (1 - p) / b, then the configured fraction of it (half-Kelly). */
    int64_t f = p_win - (int64_t)((arb_i128)(E8 - p_win) * E8 / (win_loss > 0 ? win_loss : 1));
    if (f <= 0)
        return refuse(r, ARB_REFUSE_NO_EDGE, 0, reason, cap_usd);
    int64_t size = (int64_t)((arb_i128)capital * f / E8 * p->risk_kelly_fraction / E8);
    int64_t cap = pct_of(capital, p->risk_max_position_pct);
    enum arb_refusal bound = ARB_REFUSE_POSITION;
    if (size > cap)
        size = cap;
    if (p->risk_max_order_notional_usd < size) {
        size = p->risk_max_order_notional_usd;
        cap = size;
    }
    /* The book: never ask for more than the top of book shows on any leg. */
    for (unsigned i = 0; i < in->nlegs; i++) {
        const struct arb_leg *l = &in->leg[i];
        if (l->qty_e8 != INT64_MAX)
            size = min64(size, notional_of(l->px_e8, l->qty_e8));
    }
    /* Per-venue gross exposure. */
    int64_t venue_cap = pct_of(capital, p->risk_max_venue_pct);
    for (unsigned i = 0; i < in->nlegs; i++) {
        int64_t room = venue_cap - r->venue_gross_usd[in->leg[i].venue];
        if (room < size) {
            size = room;
            bound = ARB_REFUSE_VENUE_LIMIT;
            cap = venue_cap;
        }
    }
    /* Per-asset net exposure: a hedged pair nets out, a one-sided trade does not. */
    int64_t coin_cap = pct_of(capital, p->risk_max_coin_pct);
    for (unsigned i = 0; i < in->nlegs; i++) {
        const struct arb_instrument *ins = &r->reg->inst[in->leg[i].instrument];
        int64_t delta_per_usd = 0;
        for (unsigned j = 0; j < in->nlegs; j++)
            if (r->reg->inst[in->leg[j].instrument].base_asset == ins->base_asset)
                delta_per_usd += in->leg[j].side == ARB_SIDE_BUY ? 1 : -1;
        if (delta_per_usd == 0)
            continue;
        int64_t net = r->asset_net_usd[ins->base_asset];
        int64_t room = delta_per_usd > 0 ? coin_cap - net : coin_cap + net;
        room /= delta_per_usd > 0 ? delta_per_usd : -delta_per_usd;
        if (room < size) {
            size = room;
            bound = ARB_REFUSE_COIN_LIMIT;
            cap = coin_cap;
        }
    }
    if (in->kind == ARB_SIG_DEPEG) {
        int64_t depeg_cap = pct_of(capital, p->depeg_max_exposure_pct);
        int64_t room = depeg_cap - r->depeg_exposure_usd;
        if (room < size) {
            size = room;
            bound = ARB_REFUSE_DEPEG_CAP;
            cap = depeg_cap;
        }
    }
    if (size < ARB_RISK_MIN_NOTIONAL_E8) {
        *notional_usd = size > 0 ? size : 0;
        /* Cut to nothing by a limit: name the limit; by the book: too small to bother. */
        return refuse(r, size <= 0 ? bound : ARB_REFUSE_MIN_SIZE, cap, reason, cap_usd);
    }
    /* Both legs get the same base quantity, priced off the first leg's limit. */
    int64_t qty = (int64_t)((arb_i128)size * E8 / in->leg[0].px_e8);
    for (unsigned i = 0; i < in->nlegs; i++)
        in->leg[i].qty_e8 = qty;
    *notional_usd = notional_of(in->leg[0].px_e8, qty);
    book(r, in, *notional_usd, +1);
    r->passed++;
    return true;
}

void arb_risk_release(struct arb_risk *r, uint16_t venue, uint16_t instrument, uint8_t side,
                      int64_t qty_e8, int64_t px_e8, bool depeg)
{
    const struct arb_instrument *ins = &r->reg->inst[instrument];
    int64_t n = notional_of(px_e8, qty_e8);

    r->venue_gross_usd[venue] -= n;
    if (r->venue_gross_usd[venue] < 0)
        r->venue_gross_usd[venue] = 0;
    /* The booking assumed the leg traded; undo its direction. */
    r->asset_net_usd[ins->base_asset] -= side == ARB_SIDE_BUY ? n : -n;
    if (depeg) {
        r->depeg_exposure_usd -= n;
        if (r->depeg_exposure_usd < 0)
            r->depeg_exposure_usd = 0;
    }
}
