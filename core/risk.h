/* SPDX-License-Identifier: MIT */
/*
 * The risk gate: every order intent passes it before it leaves. It sizes an
 * intent by half-Kelly, cuts it to every limit, and refuses, with a counted
 * reason, what no size can make safe. Runs on the detector thread.
 */
#ifndef ARB_CORE_RISK_H
#define ARB_CORE_RISK_H

#include "core/event.h"
#include "core/intent.h"
#include "core/params.h"
#include "core/registry.h"

#include <stdbool.h>
#include <stdint.h>

#define ARB_RISK_MIN_NOTIONAL_E8 (10LL * 100000000LL) /* below 10 USD an order is noise */

struct arb_risk {
    const struct arb_registry *reg;
    int64_t venue_gross_usd[ARB_MAX_VENUES];     /* _e8: open notional per venue */
    int64_t asset_net_usd[ARB_MAX_ASSETS];       /* _e8: signed net exposure per asset */
    int64_t depeg_exposure_usd;                  /* _e8: open depeg notional */
    int64_t daily_pnl_usd;                       /* _e8: realized today, fed by fills */
    uint64_t pnl_day;                            /* UTC day number daily_pnl_usd belongs to */
    uint32_t consecutive_errors[ARB_MAX_VENUES]; /* fed by the gateway */
    uint8_t coin_level[ARB_COIN_COUNT];          /* enum arb_depeg_level, set by the detector */
    int8_t asset_coin[ARB_MAX_ASSETS]; /* asset id -> enum arb_coin, -1 if not a stablecoin */
    uint64_t passed;
    uint64_t refused[ARB_REFUSE_COUNT];
};

/* Sets up the gate over a built registry. */
void arb_risk_init(struct arb_risk *r, const struct arb_registry *reg);

/*
 * Detector thread. Sizes `in` (legs carry limit prices and the most the book
 * offers in qty_e8; a qty of INT64_MAX means the book did not say) and
 * decides. p_win and win_loss are _e8. On pass, the legs' qty_e8 hold the
 * sized quantity, exposures are booked, and true is returned. On refusal,
 * *reason and *cap_usd (the bound that refused) are set and false returned.
 * `notional_usd` receives the sized (or asked-for) notional, _e8.
 */
bool arb_risk_gate(struct arb_risk *r, const struct arb_params *p, struct arb_intent *in,
                   int64_t p_win, int64_t win_loss, int64_t *notional_usd, enum arb_refusal *reason,
                   int64_t *cap_usd);

/*
 * Gives back exposure booked for `qty_e8` of a leg that will never trade
 * (an IOC remainder, a reject). `depeg` when the intent was a depeg entry.
 */
void arb_risk_release(struct arb_risk *r, uint16_t venue, uint16_t instrument, uint8_t side,
                      int64_t qty_e8, int64_t px_e8, bool depeg);

/* Names for reports: "halt", "daily_loss", ... */
const char *arb_refusal_name(enum arb_refusal reason);

#endif /* ARB_CORE_RISK_H */
