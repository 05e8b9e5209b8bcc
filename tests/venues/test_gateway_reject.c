/* SPDX-License-Identifier: MIT */
/*
 * The order gateway when a venue refuses one leg: the leg that filled is
 * unwound at once, the refusal is counted and reported to the risk gate as
 * an ARB_FILL_ERROR per refusal (consecutive errors, no OK in between), and
 * the streak ends with the venue's next accepted order. Binance (arbsim
 * --reject-every 1, "insufficient balance") against kraken, scripted books.
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

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    struct gw_pair ex;
    static const char *const bn_faults[] = {"--reject-every", "1:funds", NULL};

    arb_clock_init(0);
    gw_pair_start(&ex, arbsim, "gw_reject", bn_book, kr_book, bn_faults, NULL);
    struct arb_gateway_config cfg = gw_config(ex.v, 2); /* unwind, 20 bps */
    gw_registry(&t);
    REQUIRE(gw_init(&t, &cfg) == 0);
    gw_wait_open(&t, 0);
    gw_wait_open(&t, 1);

    /* Signals 1 and 2: buy 12.5 on binance (refused: the answer carries only our request
     * id), sell 12.5 on kraken (fills at 1.0010). Short 12.5: unwind buys it back on
     * kraken, limit 1.0008 + 20 bps = 1.0028016, filled at the ask 1.0015:
     * 12.5 * (1.0015 - 1.0010) * (-1) = -0.00625 realized each time. */
    for (uint32_t sig = 1; sig <= 2; sig++) {
        struct arb_intent in = gw_intent(sig, t.inst, 0, ARB_SIDE_BUY, 99960000, 1250000000, 2, 1,
                                         ARB_SIDE_SELL, 100080000, 1250000000);
        gw_push(&t, &in);
        gw_wait_idle(&t);
        GW_CHECK_TRADE(&t, 1, sig, 0, ARB_SIDE_SELL, 1250000000, 100100000, 0);
        GW_CHECK_TRADE(&t, 1, sig, 1, ARB_SIDE_BUY, 1250000000, 100150000, -625000);
        CHECK(gw_trade(&t, 0, sig, 0) == NULL);
        CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, 0, sig), 1);
        CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_FINAL, 0, sig), 1);
    }
    CHECK_EQ_U64(gw_stat(&t.g.stats.rejects), 2);
    CHECK_EQ_U64(gw_stat(&t.g.stats.hedges), 2);
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_HEDGE), 2);
    CHECK_EQ_U64(t.g.twoleg.stats.legged, 2);
    CHECK_EQ_U64(t.g.twoleg.stats.hedged, 2);
    CHECK_EQ_I64(t.g.pos.pos[1][t.inst].qty_e8, 0);
    CHECK_EQ_I64(t.g.pos.pos[0][t.inst].qty_e8, 0);
    CHECK_EQ_I64(t.g.pos.realized_e8, -1250000);
    for (size_t i = 0; i < t.nfill; i++) {
        const struct arb_fill *f = &t.fill[i];
        if (f->venue != 0)
            continue;
        /* Binance so far: two errors in a row, nothing accepted to end the streak. */
        CHECK(f->kind == ARB_FILL_ERROR || f->kind == ARB_FILL_FINAL);
        if (f->kind == ARB_FILL_FINAL) /* the refused leg's booking goes back whole */
            CHECK_EQ_I64(f->unfilled_e8, 1250000000);
    }
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, -1, 0), 2);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, 1, 0), 0);

    /* The venue accepts again: signal 3 fills both legs and the streak ends with an OK. */
    fs_sim_ok(&ex.bn, "reject-every 0");
    size_t before = t.nfill;
    struct arb_intent in = gw_intent(3, t.inst, 0, ARB_SIDE_BUY, 99960000, 1250000000, 2, 1,
                                     ARB_SIDE_SELL, 100080000, 1250000000);
    gw_push(&t, &in);
    gw_wait_idle(&t);
    gw_settle(&t, 200);
    GW_CHECK_TRADE(&t, 0, 3, 0, ARB_SIDE_BUY, 1250000000, 99950000, 0);
    GW_CHECK_TRADE(&t, 1, 3, 0, ARB_SIDE_SELL, 1250000000, 100100000, 0);
    bool ok_seen = false;
    for (size_t i = before; i < t.nfill; i++)
        if (t.fill[i].venue == 0) {
            CHECK(t.fill[i].kind != ARB_FILL_ERROR);
            ok_seen |= t.fill[i].kind == ARB_FILL_OK;
        }
    CHECK(ok_seen);
    CHECK_EQ_U64(gw_stat(&t.g.stats.rejects), 2);
    CHECK_EQ_U64(gw_stat(&t.g.stats.hedges), 2);
    CHECK_EQ_U64(t.g.twoleg.stats.balanced, 1);
    CHECK_EQ_U64(t.g.twoleg.stats.alarms, 0);
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_ALARM), 0);
    /* Flat across venues: long 12.5 on binance, short 12.5 on kraken. */
    int usdc = arb_registry_asset(&t.reg, "USDC");
    REQUIRE(usdc >= 0);
    CHECK_EQ_I64(arb_positions_asset_net(&t.g.pos, (uint16_t)usdc), 0);
    CHECK_EQ_I64(t.g.pos.pos[0][t.inst].qty_e8, 1250000000);
    CHECK_EQ_I64(t.g.pos.pos[1][t.inst].qty_e8, -1250000000);

    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "received"), 3);
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "rejected"), 2);
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "funds"), 2);
    CHECK_EQ_U64(gw_sim_orders(&ex.bn, "filled"), 1);
    CHECK_EQ_U64(gw_sim_orders(&ex.kr, "filled"), 5);

    gw_destroy(&t);
    gw_pair_stop(&ex);
    return T_DONE();
}
