/* SPDX-License-Identifier: MIT */
/*
 * The order connection drops while an order is in flight (arbsim
 * --drop-after-orders: the order is booked, its answer lost). On reconnect
 * the gateway sends it again with the same client order id; the exchange
 * refuses the duplicate and nothing trades twice; the gateway then asks for
 * the first order's state and books its fill exactly once. The gateway runs
 * on its own thread here. Binance USDCUSDT: bid 0.9990 x 1000, ask 0.9995 x 1000.
 */
#include "gw_sim.h"

static const char bn_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDCUSDT,0.9990,1000,0.9995,1000\n";

static struct gw t;

static bool fills_reached(struct gw *g, const void *arg)
{
    return gw_stat(&g->g.stats.fills) >= *(const uint64_t *)arg;
}

static void run(const char *arbsim, const char *drop, int nlegs)
{
    static const char *syms[] = {"USDCUSDT"};
    const char *faults[] = {"--drop-after-orders", drop, NULL};
    struct arb_simproc bn;
    struct gw_keys k;
    char dir[64], path[128], url[128];
    int fails = t_failures;

    gw_keys_make(&k);
    fs_tmpdir(dir, sizeof dir, "gw_reconnect");
    fs_write(dir, "bn.csv", bn_book, path, sizeof path);
    gw_sim_start(&bn, arbsim, "binance", path, k.bn_key, k.bn_secret, faults);
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/ws-api/v3", bn.port);
    struct arb_gateway_venue v = {.venue = "binance",
                                  .url = url,
                                  .api_key = k.bn_key,
                                  .api_secret = k.bn_secret,
                                  .symbols = syms,
                                  .nsymbols = 1};
    struct arb_gateway_config cfg = gw_config(&v, 1);
    /* Far longer than a reconnect (100 ms): a slow machine must not time the leg out. */
    cfg.leg_timeout_ms = 15000;
    gw_registry(&t);
    REQUIRE(gw_init(&t, &cfg) == 0);
    gw_wait_open(&t, 0);
    REQUIRE(arb_gateway_start(&t.g) == 0);
    t.threaded = true;

    /* Buy 10 (fills at the ask 0.9995); with two legs also sell 10 (fills at the bid 0.9990). */
    struct arb_intent in = gw_intent(1, t.inst, 0, ARB_SIDE_BUY, 99960000, 10 * GW_E8, nlegs, 0,
                                     ARB_SIDE_SELL, 99890000, 10 * GW_E8);
    gw_push(&t, &in);
    const uint64_t want = (uint64_t)nlegs;
    CHECK(gw_until(&t, fills_reached, &want, 30000));
    gw_settle(&t, 300); /* a second booking of the same order would show now */
    arb_gateway_stop(&t.g);
    t.threaded = false;
    gw_drain(&t);

    /* The exchange: each order booked once, never traded twice. */
    CHECK_EQ_U64(gw_sim_orders(&bn, "drops"), 1);
    CHECK_EQ_U64(gw_sim_orders(&bn, "filled"), (uint64_t)nlegs);
    CHECK_EQ_U64(gw_sim_orders(&bn, "bad_signatures"), 0); /* the order.status query too */
    /* After the drop the gateway asks before it re-sends: an order the venue booked is
     * reported by the status query, never sent twice; one it never saw ("Order does not
     * exist") is re-sent, at most once per leg. So the venue sees no duplicate at all. */
    CHECK_EQ_U64(gw_sim_orders(&bn, "duplicates"), 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.duplicates), 0);
    CHECK(gw_stat(&t.g.stats.resent) <= (uint64_t)nlegs);
    CHECK(gw_stat(&t.g.stats.disconnects) >= 1);

    /* The gateway: each order's fill booked exactly once (after the drop, in whichever
     * order the answers came). */
    const struct arb_fill *f0 = gw_trade(&t, 0, 1, 0);
    int buy = f0 && f0->side == ARB_SIDE_BUY ? 0 : 1;
    GW_CHECK_TRADE(&t, 0, 1, buy, ARB_SIDE_BUY, 10 * GW_E8, 99950000, buy == 0 ? 0 : -500000);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_TRADE, -1, 0), (uint64_t)nlegs);
    CHECK_EQ_U64(gw_stat(&t.g.stats.fills), (uint64_t)nlegs);
    CHECK_EQ_U64(gw_stat(&t.g.stats.late_fills), 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.hedges), 0);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_FINAL, -1, 0), 0);
    const struct arb_position *p = &t.g.pos.pos[0][t.inst];
    if (nlegs == 1) {
        CHECK_EQ_I64(p->qty_e8, 10 * GW_E8);
        CHECK_EQ_I64(p->avg_px_e8, 99950000);
        CHECK_EQ_I64(p->fills, 1);
    } else {
        /* Whichever comes second closes the first: 10 * (0.9990 - 0.9995) = -0.005. */
        GW_CHECK_TRADE(&t, 0, 1, 1 - buy, ARB_SIDE_SELL, 10 * GW_E8, 99900000,
                       buy == 0 ? -500000 : 0);
        CHECK_EQ_I64(gw_trade(&t, 0, 1, 1)->realized_e8, -500000);
        CHECK_EQ_I64(p->qty_e8, 0);
        CHECK_EQ_I64(p->realized_e8, -500000);
        CHECK_EQ_I64(p->fills, 2);
        CHECK_EQ_U64(t.g.twoleg.stats.balanced, 1);
        CHECK_EQ_U64(t.g.twoleg.stats.legged, 0);
    }
    CHECK_EQ_U64(gw_count_events(&t, ARB_EV_ALARM), 0);

    gw_destroy(&t);
    CHECK_EQ_I64(fs_sim_stop(&bn), 0);
    fs_rmdir(dir);
    if (t_failures != fails)
        fprintf(stderr, "... with --drop-after-orders %s, %d leg(s)\n", drop, nlegs);
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);

    arb_clock_init(0);
    run(arbsim, "1:mid", 1);
    run(arbsim, "1:rst", 1);
    run(arbsim, "1:mid", 2);
    return T_DONE();
}
