/* SPDX-License-Identifier: MIT */
/*
 * The order gateway hedges a partly filled spread at once, by the exact
 * difference: in unwind mode the over-filled leg is traded back, in chase
 * mode the missing part of the short leg is completed. Two arbsim exchanges
 * on scripted books; kraken fills every 2nd order only in part (ratio 0.5).
 * Every quantity and price is worked out by hand below.
 */
#include "gw_sim.h"

/*
 *   binance USDCUSDT:  bid 0.9990 x 1000, ask 0.9995 x 1000
 *   kraken  USDC/USDT: bid 1.0010 x 800,  ask 1.0015 x 800
 */
static const char bn_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDCUSDT,0.9990,1000,0.9995,1000\n";
static const char kr_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDC/USDT,1.0010,800,1.0015,800\n";

static struct gw t;

static void run(const char *arbsim, enum arb_hedge_mode mode)
{
    struct gw_pair ex;
    static const char *const kr_faults[] = {"--partial-every", "2", NULL};
    int fails = t_failures;

    gw_pair_start(&ex, arbsim, "gw_hedge", bn_book, kr_book, NULL, kr_faults);
    struct arb_gateway_config cfg = gw_config(ex.v, 2);
    cfg.hedge_mode = (uint8_t)mode; /* slippage: the default 20 bps */
    gw_registry(&t);
    REQUIRE(gw_init(&t, &cfg) == 0);
    gw_wait_open(&t, 0);
    gw_wait_open(&t, 1);

    /* Signal 1 (kraken order #1, filled in full): buy 12.5 on binance at 0.9995, sell 12.5
     * on kraken at 1.0010. Balanced. */
    struct arb_intent a = gw_intent(1, t.inst, 0, ARB_SIDE_BUY, 99960000, 1250000000, 2, 1,
                                    ARB_SIDE_SELL, 100080000, 1250000000);
    gw_push(&t, &a);
    gw_wait_idle(&t);
    CHECK_EQ_U64(t.g.twoleg.stats.balanced, 1);

    /* Signal 2: sell 12.5 on binance (fills at 0.9990), buy 12.5 on kraken: its order #2
     * fills half of 12.5 = 6.25, cut to the one decimal ordered: 6.2 at 1.0015.
     * Net -12.5 + 6.2 = -6.3: short 6.3, hedged by buying 6.3. */
    struct arb_intent b = gw_intent(2, t.inst, 0, ARB_SIDE_SELL, 99890000, 1250000000, 2, 1,
                                    ARB_SIDE_BUY, 100160000, 1250000000);
    gw_push(&t, &b);
    gw_wait_idle(&t);
    gw_settle(&t, 200);

    GW_CHECK_TRADE(&t, 0, 1, 0, ARB_SIDE_BUY, 1250000000, 99950000, 0);
    GW_CHECK_TRADE(&t, 1, 1, 0, ARB_SIDE_SELL, 1250000000, 100100000, 0);
    /* binance realizes 12.5 * (0.9990 - 0.9995) = -0.00625 */
    GW_CHECK_TRADE(&t, 0, 2, 0, ARB_SIDE_SELL, 1250000000, 99900000, -625000);
    /* kraken buys 6.2 of its 12.5 short back: 6.2 * (1.0015 - 1.0010) * (-1) = -0.0031 */
    GW_CHECK_TRADE(&t, 1, 2, 0, ARB_SIDE_BUY, 620000000, 100150000, -310000);
    CHECK_EQ_U64(gw_stat(&t.g.stats.partials), 1);

    /* The kraken leg's unfilled 6.3 goes back to the risk gate as final. */
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_FINAL, -1, 0), 1);
    for (size_t i = 0; i < t.nfill; i++)
        if (t.fill[i].kind == ARB_FILL_FINAL) {
            CHECK_EQ_I64(t.fill[i].venue, 1);
            CHECK_EQ_I64(t.fill[i].signal_id, 2);
            CHECK_EQ_I64(t.fill[i].unfilled_e8, 630000000);
        }

    /* One hedge event, for exactly the difference. */
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_HEDGE), 1);
    const struct arb_event *h = NULL;
    for (size_t i = 0; i < t.nev; i++)
        if (t.ev[i].type == ARB_EV_HEDGE)
            h = &t.ev[i];
    REQUIRE(h);
    CHECK_EQ_I64(h->signal_id, 2);
    CHECK_EQ_I64(h->dir, 2);
    CHECK_EQ_I64(h->exec.qty, 630000000);
    CHECK_EQ_I64(h->instrument, t.inst);

    const struct arb_position *pb = &t.g.pos.pos[0][t.inst], *pk = &t.g.pos.pos[1][t.inst];
    if (mode == ARB_HEDGE_UNWIND) {
        /* Unwind: the over-filled leg was binance's sale; buy 6.3 back there, limit the
         * leg's 0.9989 plus 20 bps: 0.9989 + 0.0019978 = 1.0008978. Fills at the ask. */
        CHECK_EQ_I64(h->venue_a, 0);
        CHECK_EQ_I64(h->exec.px, 100089780);
        GW_CHECK_TRADE(&t, 0, 2, 1, ARB_SIDE_BUY, 630000000, 99950000, 0);
        CHECK(gw_trade(&t, 1, 2, 1) == NULL);
        /* binance long 6.3 at 0.9995, kraken short 6.3 at 1.0010: net flat. */
        CHECK_EQ_I64(pb->qty_e8, 630000000);
        CHECK_EQ_I64(pb->avg_px_e8, 99950000);
        CHECK_EQ_I64(pk->qty_e8, -630000000);
        CHECK_EQ_I64(pk->avg_px_e8, 100100000);
        CHECK_EQ_I64(t.g.pos.realized_e8, -625000 - 310000);
        CHECK_EQ_U64(gw_sim_orders(&ex.bn, "filled"), 3);
        CHECK_EQ_U64(gw_sim_orders(&ex.kr, "received"), 2);
    } else {
        /* Chase: the short leg was kraken's purchase; buy the missing 6.3 there, limit its
         * 1.0016 plus 20 bps: 1.0016 + 0.0020032 = 1.0036032. Kraken's order #3 fills in
         * full at the ask: 6.3 * (1.0015 - 1.0010) * (-1) = -0.00315. */
        CHECK_EQ_I64(h->venue_a, 1);
        CHECK_EQ_I64(h->exec.px, 100360320);
        GW_CHECK_TRADE(&t, 1, 2, 1, ARB_SIDE_BUY, 630000000, 100150000, -315000);
        CHECK(gw_trade(&t, 0, 2, 1) == NULL);
        CHECK_EQ_I64(pb->qty_e8, 0);
        CHECK_EQ_I64(pk->qty_e8, 0);
        CHECK_EQ_I64(pk->avg_px_e8, 0);
        CHECK_EQ_I64(t.g.pos.realized_e8, -625000 - 310000 - 315000);
        CHECK_EQ_U64(gw_sim_orders(&ex.bn, "filled"), 2);
        CHECK_EQ_U64(gw_sim_orders(&ex.kr, "received"), 3);
        CHECK_EQ_U64(gw_sim_orders(&ex.kr, "filled"), 2);
    }
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "partial"), 1);
    /* Final net zero across venues, and the pair counted as hedged, not alarmed. */
    int usdc = arb_registry_asset(&t.reg, "USDC");
    REQUIRE(usdc >= 0);
    CHECK_EQ_I64(arb_positions_asset_net(&t.g.pos, (uint16_t)usdc), 0);
    CHECK_EQ_U64(t.g.twoleg.stats.opened, 2);
    CHECK_EQ_U64(t.g.twoleg.stats.legged, 1);
    CHECK_EQ_U64(t.g.twoleg.stats.hedges, 1);
    CHECK_EQ_U64(t.g.twoleg.stats.hedged, 1);
    CHECK_EQ_U64(t.g.twoleg.stats.alarms, 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.hedges), 1);
    CHECK_EQ_U64(gw_stat(&t.g.stats.orders), 5);
    CHECK_EQ_U64(gw_stat(&t.g.stats.rejects), 0);
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_ALARM), 0);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, -1, 0), 0);

    gw_destroy(&t);
    gw_pair_stop(&ex);
    if (t_failures != fails)
        fprintf(stderr, "... in %s mode\n", mode == ARB_HEDGE_UNWIND ? "unwind" : "chase");
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);

    arb_clock_init(0);
    run(arbsim, ARB_HEDGE_UNWIND);
    run(arbsim, ARB_HEDGE_CHASE);
    return T_DONE();
}
