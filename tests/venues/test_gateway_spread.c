/* SPDX-License-Identifier: MIT */
/*
 * The order gateway end to end: a two-leg spread (buy on binance, sell on
 * kraken) and its reverse, against two arbsim exchanges on scripted books;
 * every fill, position and P&L worked out by hand from the scripts. Also the
 * Kraken session: its WebSocket token fetched over REST at init, and the
 * executions subscription and dead man's switch sent when the connection opens.
 */
#include "gw_sim.h"

/*
 * The books. With no market-data subscriber arbsim matches against the t=0
 * quotes; what an order takes is gone from the quote.
 *   binance USDCUSDT:  bid 0.9990 x 1000, ask 0.9995 x 1000
 *   kraken  USDC/USDT: bid 1.0010 x 800,  ask 1.0015 x 800
 */
static const char bn_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDCUSDT,0.9990,1000,0.9995,1000\n";
static const char kr_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDC/USDT,1.0010,800,1.0015,800\n";

static struct gw t;

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    struct gw_pair ex;

    arb_clock_init(0);
    gw_pair_start(&ex, arbsim, "gw_spread", bn_book, kr_book, NULL, NULL);
    struct arb_gateway_config cfg = gw_config(ex.v, 2);
    gw_registry(&t);
    REQUIRE(gw_init(&t, &cfg) == 0);

    /* Kraken's token came over REST during init, before any connection. */
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "tokens"), 1);

    gw_wait_open(&t, 0);
    gw_wait_open(&t, 1);

    /* Open: buy 250 on binance (limit 0.9996, fills at the ask 0.9995), sell 250 on kraken
     * (limit 1.0008, fills at the bid 1.0010). */
    struct arb_intent open = gw_intent(1, t.inst, 0, ARB_SIDE_BUY, 99960000, 250 * GW_E8, 2, 1,
                                       ARB_SIDE_SELL, 100080000, 250 * GW_E8);
    gw_push(&t, &open);
    gw_wait_idle(&t);

    GW_CHECK_TRADE(&t, 0, 1, 0, ARB_SIDE_BUY, 250 * GW_E8, 99950000, 0);
    GW_CHECK_TRADE(&t, 1, 1, 0, ARB_SIDE_SELL, 250 * GW_E8, 100100000, 0);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_TRADE, -1, 1), 2);

    /* Close: sell 250 on binance (limit 0.9985, fills at the bid 0.9990), buy 250 on kraken
     * (limit 1.0020, fills at the ask 1.0015). Each venue realizes against its average:
     *   binance 250 * (0.9990 - 0.9995)          = -0.125
     *   kraken  250 * (1.0015 - 1.0010) * (-1)   = -0.125  (a short bought back) */
    struct arb_intent close = gw_intent(2, t.inst, 0, ARB_SIDE_SELL, 99850000, 250 * GW_E8, 2, 1,
                                        ARB_SIDE_BUY, 100200000, 250 * GW_E8);
    close.action = ARB_ACT_CLOSE;
    gw_push(&t, &close);
    gw_wait_idle(&t);
    gw_settle(&t, 200); /* anything late or duplicated would show now */

    GW_CHECK_TRADE(&t, 0, 2, 0, ARB_SIDE_SELL, 250 * GW_E8, 99900000, -12500000);
    GW_CHECK_TRADE(&t, 1, 2, 0, ARB_SIDE_BUY, 250 * GW_E8, 100150000, -12500000);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_TRADE, -1, 0), 4);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, -1, 0), 0);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_FINAL, -1, 0), 0); /* nothing left unfilled */
    CHECK(gw_count_fills(&t, ARB_FILL_OK, 0, 0) >= 2);
    CHECK(gw_count_fills(&t, ARB_FILL_OK, 1, 0) >= 2);
    for (size_t i = 0; i < t.nfill; i++)
        if (t.fill[i].kind == ARB_FILL_TRADE) {
            CHECK_EQ_I64(t.fill[i].signal_kind, ARB_SIG_SPREAD);
            CHECK_EQ_I64(t.fill[i].action, t.fill[i].signal_id == 1 ? ARB_ACT_OPEN : ARB_ACT_CLOSE);
        }

    /* Positions: flat on both venues, the round trip's cost realized. */
    const struct arb_position *pb = &t.g.pos.pos[0][t.inst], *pk = &t.g.pos.pos[1][t.inst];
    CHECK_EQ_I64(pb->qty_e8, 0);
    CHECK_EQ_I64(pk->qty_e8, 0);
    CHECK_EQ_I64(pb->realized_e8, -12500000);
    CHECK_EQ_I64(pk->realized_e8, -12500000);
    CHECK_EQ_I64(pb->fills, 2);
    CHECK_EQ_I64(pk->fills, 2);
    CHECK_EQ_I64(t.g.pos.realized_e8, -25000000);
    CHECK_EQ_I64(t.g.pos.fees_e8, 0);
    CHECK_EQ_U64(t.g.pos.fills, 4);
    int usdc = arb_registry_asset(&t.reg, "USDC"), usdt = arb_registry_asset(&t.reg, "USDT");
    REQUIRE(usdc >= 0 && usdt >= 0);
    CHECK_EQ_I64(arb_positions_asset_net(&t.g.pos, (uint16_t)usdc), 0);
    /* Quote balances: binance paid 249.875 and got 249.75; kraken got 250.25, paid 250.375. */
    CHECK_EQ_I64(t.g.pos.balance_e8[0][usdt], -12500000);
    CHECK_EQ_I64(t.g.pos.balance_e8[1][usdt], -12500000);

    /* Two-leg bookkeeping: both intents closed balanced, nothing hedged. */
    CHECK_EQ_U64(t.g.twoleg.stats.opened, 2);
    CHECK_EQ_U64(t.g.twoleg.stats.balanced, 2);
    CHECK_EQ_U64(t.g.twoleg.stats.legged, 0);
    CHECK_EQ_U64(t.g.twoleg.stats.hedges, 0);
    CHECK_EQ_U64(t.g.twoleg.stats.alarms, 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.intents), 2);
    CHECK_EQ_U64(gw_stat(&t.g.stats.orders), 4);
    CHECK_EQ_U64(gw_stat(&t.g.stats.fills), 4);
    CHECK_EQ_U64(gw_stat(&t.g.stats.rejects), 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.malformed), 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.late_fills), 0);
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_ORDER), 4);
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_HEDGE), 0);
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_ALARM), 0);
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_REFUSAL), 0);

    /* The exchanges' side: two orders each, all filled, signatures all good. */
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "received"), 2);
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "filled"), 2);
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "bad_signatures"), 0);
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "received"), 2);
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "filled"), 2);
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "bad_keys"), 0);
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "bad_signatures"), 0);
    /* Kraken: fills come on the executions channel, subscribed once on open, and the dead
     * man's switch was armed on open (refreshed every 20 s: once or twice on a slow run). */
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "tokens"), 1);
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "exec_subscriptions"), 1);
    uint64_t dms = gw_sim_orders(&ex.kr, "cancel_after");
    CHECK(dms >= 1 && dms < 10);
    /* Binance has no such requests: nothing but the two orders reached it. */
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "exec_subscriptions"), 0);
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "cancel_after"), 0);

    gw_destroy(&t);
    gw_pair_stop(&ex);
    return T_DONE();
}
