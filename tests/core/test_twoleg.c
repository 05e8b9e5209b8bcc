/* SPDX-License-Identifier: MIT */
/*
 * core/twoleg and core/position: a rejected leg unwound or chased, a partial
 * fill hedged to the exact difference, a silent leg timed out and its late
 * fill hedged again, the alarm when hedging fails, and average-cost P&L
 * worked out by hand.
 */
#include "core/position.h"
#include "core/twoleg.h"
#include "test.h"

#define E8 100000000LL
#define MS 1000000ULL

static struct arb_intent pair(void)
{
    struct arb_intent in = {0};
    in.leg[0] = (struct arb_leg){.px_e8 = 100 * E8 / 100,
                                 .qty_e8 = 100 * E8,
                                 .venue = 0,
                                 .instrument = 0,
                                 .side = ARB_SIDE_BUY,
                                 .tif = ARB_TIF_IOC};
    in.leg[1] = (struct arb_leg){.px_e8 = 101 * E8 / 100,
                                 .qty_e8 = 100 * E8,
                                 .venue = 1,
                                 .instrument = 0,
                                 .side = ARB_SIDE_SELL,
                                 .tif = ARB_TIF_IOC};
    in.nlegs = 2;
    in.signal_id = 7;
    in.kind = ARB_SIG_SPREAD;
    in.action = ARB_ACT_OPEN;
    return in;
}

static void test_reject_unwind_and_chase(void)
{
    static struct arb_twoleg t;
    struct arb_leg h;
    struct arb_intent in = pair();

    /* 20 bps slippage: an unwind sell of the 1.00 leg may go down to 0.998. */
    arb_twoleg_init(&t, ARB_HEDGE_UNWIND, 20 * E8, 500 * MS, 3);
    int s = arb_twoleg_open(&t, &in, 0);
    REQUIRE(s >= 0);
    CHECK_EQ_I64(arb_twoleg_poll(&t, s, 1, &h), 0); /* both pending */
    arb_twoleg_exec(&t, s, 0, 100 * E8, true);
    arb_twoleg_exec(&t, s, 1, 0, true); /* rejected */
    REQUIRE(arb_twoleg_poll(&t, s, 2, &h) == 1);
    CHECK_EQ_I64(h.venue, 0);
    CHECK_EQ_I64(h.side, ARB_SIDE_SELL);
    CHECK_EQ_I64(h.qty_e8, 100 * E8);
    CHECK_EQ_I64(h.px_e8, 99800000);
    CHECK_EQ_I64(arb_twoleg_poll(&t, s, 3, &h), 0); /* hedge in flight */
    arb_twoleg_exec(&t, s, 2, 100 * E8, true);
    CHECK_EQ_I64(arb_twoleg_poll(&t, s, 4, &h), 0);
    CHECK(!t.f[s].active);
    CHECK_EQ_U64(t.stats.legged, 1);
    CHECK_EQ_U64(t.stats.hedged, 1);

    /* Chase: complete the missing sell on venue 1, down to 1.01 * (1 - 0.002) = 1.00798. */
    arb_twoleg_init(&t, ARB_HEDGE_CHASE, 20 * E8, 500 * MS, 3);
    s = arb_twoleg_open(&t, &in, 0);
    arb_twoleg_exec(&t, s, 0, 100 * E8, true);
    arb_twoleg_exec(&t, s, 1, 0, true);
    REQUIRE(arb_twoleg_poll(&t, s, 2, &h) == 1);
    CHECK_EQ_I64(h.venue, 1);
    CHECK_EQ_I64(h.side, ARB_SIDE_SELL);
    CHECK_EQ_I64(h.px_e8, 100798000);
}

static void test_partial_and_timeout(void)
{
    static struct arb_twoleg t;
    struct arb_leg h;
    struct arb_intent in = pair();

    arb_twoleg_init(&t, ARB_HEDGE_UNWIND, 20 * E8, 500 * MS, 3);
    int s = arb_twoleg_open(&t, &in, 0);
    arb_twoleg_exec(&t, s, 0, 100 * E8, true);
    arb_twoleg_exec(&t, s, 1, 25 * E8, false);
    arb_twoleg_exec(&t, s, 1, 35 * E8, true); /* 60 of 100 sold */
    REQUIRE(arb_twoleg_poll(&t, s, 1, &h) == 1);
    CHECK_EQ_I64(h.qty_e8, 40 * E8);
    CHECK_EQ_I64(h.side, ARB_SIDE_SELL);

    /* The sell leg goes silent: after 500 ms it counts as unfilled and the buy is unwound. */
    s = arb_twoleg_open(&t, &in, 1000 * MS);
    arb_twoleg_exec(&t, s, 0, 100 * E8, true);
    CHECK_EQ_I64(arb_twoleg_poll(&t, s, 1400 * MS, &h), 0);
    REQUIRE(arb_twoleg_poll(&t, s, 1501 * MS, &h) == 1);
    CHECK_EQ_I64(h.qty_e8, 100 * E8);
    arb_twoleg_exec(&t, s, 2, 100 * E8, true);
    CHECK_EQ_I64(arb_twoleg_poll(&t, s, 1502 * MS, &h), 0);
    CHECK(t.f[s].active); /* a timed-out leg keeps the flight open */
    /* Its late fill (a sale of 100) leaves us short 100: buy it back where it sold. */
    arb_twoleg_exec(&t, s, 1, 100 * E8, true);
    REQUIRE(arb_twoleg_poll(&t, s, 1600 * MS, &h) == 1);
    CHECK_EQ_I64(h.side, ARB_SIDE_BUY);
    CHECK_EQ_I64(h.venue, 1);
    CHECK_EQ_I64(h.qty_e8, 100 * E8);
    CHECK_EQ_U64(t.stats.timeouts, 1);
}

static void test_alarm(void)
{
    static struct arb_twoleg t;
    struct arb_leg h;
    struct arb_intent in = pair();

    arb_twoleg_init(&t, ARB_HEDGE_UNWIND, 20 * E8, 500 * MS, 2);
    int s = arb_twoleg_open(&t, &in, 0);
    arb_twoleg_exec(&t, s, 0, 100 * E8, true);
    arb_twoleg_exec(&t, s, 1, 0, true);
    /* Retries wait 20 ms, then 40 ms, and go one slippage bound further each time. */
    REQUIRE(arb_twoleg_poll(&t, s, 1, &h) == 1);
    CHECK_EQ_I64(h.px_e8, 99800000);    /* 1.00 less 20 bps */
    arb_twoleg_exec(&t, s, 2, 0, true); /* the hedge expires unfilled */
    CHECK_EQ_I64(arb_twoleg_poll(&t, s, 1 + 19 * MS, &h), 0);
    REQUIRE(arb_twoleg_poll(&t, s, 1 + 20 * MS, &h) == 1);
    CHECK_EQ_I64(h.px_e8, 99600000); /* two bounds: 40 bps */
    arb_twoleg_exec(&t, s, 2, 0, true);
    CHECK_EQ_I64(arb_twoleg_poll(&t, s, 2 + 20 * MS, &h), -1);
    CHECK_EQ_U64(t.stats.alarms, 1);
}

static void test_positions(void)
{
    static struct arb_registry reg;
    static struct arb_positions p;

    arb_registry_init(&reg);
    arb_registry_venue(&reg, "kraken");
    int i = arb_registry_resolve(&reg, "kraken", "USDC/USD", 8);
    arb_positions_init(&p, &reg);
    /* Buy 10 @ 1.00 (fee 0.01), buy 10 @ 1.02: 20 at an average 1.01. */
    CHECK_EQ_I64(arb_positions_fill(&p, 0, (uint16_t)i, ARB_SIDE_BUY, 10 * E8, E8, E8 / 100),
                 -E8 / 100);
    arb_positions_fill(&p, 0, (uint16_t)i, ARB_SIDE_BUY, 10 * E8, 102 * E8 / 100, 0);
    CHECK_EQ_I64(p.pos[0][i].avg_px_e8, 101 * E8 / 100);
    /* Sell 15 @ 1.03: realizes 15 * 0.02 = 0.30. */
    CHECK_EQ_I64(arb_positions_fill(&p, 0, (uint16_t)i, ARB_SIDE_SELL, 15 * E8, 103 * E8 / 100, 0),
                 30 * E8 / 100);
    /* Sell 10 @ 1.00: closes 5 at -0.01 each (-0.05), opens 5 short at 1.00. */
    CHECK_EQ_I64(arb_positions_fill(&p, 0, (uint16_t)i, ARB_SIDE_SELL, 10 * E8, E8, 0),
                 -5 * E8 / 100);
    CHECK_EQ_I64(p.pos[0][i].qty_e8, -5 * E8);
    CHECK_EQ_I64(p.pos[0][i].avg_px_e8, E8);
    CHECK_EQ_I64(p.realized_e8, 24 * E8 / 100); /* 0.30 - 0.05 - 0.01 fee */
    /* USDC -5; USD -10 - 0.01 - 10.2 + 15.45 + 10 = 5.24. */
    CHECK_EQ_I64(p.balance_e8[0][reg.inst[i].base_asset], -5 * E8);
    CHECK_EQ_I64(p.balance_e8[0][reg.inst[i].quote_asset], 524 * E8 / 100);
    /* Marked at 0.98 the short 5 has made 0.10. */
    arb_positions_mark(&p, 0, (uint16_t)i, 98 * E8 / 100);
    CHECK_EQ_I64(arb_positions_unrealized(&p), 10 * E8 / 100);
}

int main(void)
{
    test_reject_unwind_and_chase();
    test_partial_and_timeout();
    test_alarm();
    test_positions();
    return T_DONE();
}
