/* SPDX-License-Identifier: MIT */
/*
 * core/detect and core/risk against hand-computed cases: a spread exactly at
 * its threshold, fees flipping the sign, a stale quote, negative basis with
 * and without funding, peg cross rates, depeg levels, the critical-depeg
 * block, the kill switch and half-Kelly sizing.
 */
#include "core/detect.h"
#include "core/fixed.h"
#include "test.h"

#define E8 100000000LL
#define MS 1000000ULL

static struct arb_registry reg;
static struct arb_params params;
static struct arb_params_pub pub;
static struct arb_ring *events, *intents;
static struct arb_detector *det;
static int v_bin, v_krk, v_cb, v_fut;
static int i_usdc_usdt, i_usdc_usd, i_usdt_usd, i_btc_usdt, i_btc_perp;

static int64_t px(const char *s)
{
    int64_t v;
    REQUIRE(arb_fixed_parse_cstr(s, &v) == 0);
    return v;
}

static void setup(void)
{
    arb_registry_init(&reg);
    v_bin = arb_registry_venue(&reg, "binance");
    v_krk = arb_registry_venue(&reg, "kraken");
    v_cb = arb_registry_venue(&reg, "coinbase");
    v_fut = arb_registry_venue(&reg, "binance-futures");
    i_usdc_usdt = arb_registry_resolve(&reg, "binance", "USDCUSDT", 8);
    i_usdc_usd = arb_registry_resolve(&reg, "kraken", "USDC/USD", 8);
    i_usdt_usd = arb_registry_resolve(&reg, "kraken", "USDT/USD", 8);
    i_btc_usdt = arb_registry_resolve(&reg, "binance", "BTCUSDT", 7);
    i_btc_perp = arb_registry_resolve(&reg, "binance-futures", "BTCUSDT", 7);
    REQUIRE(i_btc_perp >= 0 && i_btc_perp != i_btc_usdt);
    arb_params_defaults(&params);
    /* Round fees make the hand arithmetic easy; each case sets what it needs. */
    for (int v = 0; v < ARB_MAX_VENUES; v++)
        params.fees_taker_bps[v] = 0;
    params.signal_cooldown_ms = 0;
}

/* A fresh detector with the current params, and empty rings. */
static void start(void)
{
    if (det)
        arb_detector_destroy(det);
    if (!events) {
        events = arb_ring_create(1024);
        intents = arb_ring_create(1024);
    }
    struct arb_event ev;
    struct arb_intent in;
    while (arb_ring_spsc_pop(events, &ev))
        ;
    while (arb_ring_spsc_pop(intents, &in))
        ;
    arb_params_pub_init(&pub, &params);
    det = arb_detector_create(&reg, &pub, NULL, events, intents);
    REQUIRE(det);
}

static void bbo(int venue, int inst, const char *bid, const char *ask, const char *qty,
                uint64_t ts_ms)
{
    struct arb_tick t = {0};
    t.kind = ARB_TICK_BBO;
    t.venue = (uint16_t)venue;
    t.instrument = (uint16_t)inst;
    t.bid_px_e8 = px(bid);
    t.ask_px_e8 = px(ask);
    t.bid_qty_e8 = t.ask_qty_e8 = px(qty);
    t.have = ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK_QTY;
    t.recv_ts_ns = 1700000000000ULL * MS + ts_ms * MS;
    arb_detector_on_tick(det, &t);
}

static void funding(int venue, int inst, const char *rate, uint64_t ts_ms)
{
    struct arb_tick t = {0};
    t.kind = ARB_TICK_FUNDING;
    t.venue = (uint16_t)venue;
    t.instrument = (uint16_t)inst;
    t.funding_rate_e8 = px(rate);
    t.have = ARB_TICK_HAVE_FUNDING;
    t.recv_ts_ns = 1700000000000ULL * MS + ts_ms * MS;
    arb_detector_on_tick(det, &t);
}

/* Pops the next event of `type`, skipping others; false if there is none. */
static bool next_event(int type, struct arb_event *out)
{
    while (arb_ring_spsc_pop(events, out))
        if (out->type == type)
            return true;
    return false;
}

static int count_events(int type)
{
    struct arb_event ev;
    int n = 0;
    while (arb_ring_spsc_pop(events, &ev))
        n += ev.type == type;
    return n;
}

static void test_spread_threshold(void)
{
    struct arb_event ev;

    params.fees_taker_bps[v_bin] = 10 * E8;
    params.fees_taker_bps[v_krk] = 5 * E8;
    start();
    /* Gross (1.0030 - 1.0000) / 1.0000 = 30 bps; fees 10 + 5: net 15, not above 15. */
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "5000", 0);
    bbo(v_krk, i_usdc_usd, "1.0030", "1.0040", "5000", 1);
    CHECK_EQ_I64(count_events(ARB_EV_SPREAD), 0);
    /* One more tick of 0.0001: gross 31, net 16 > 15. */
    bbo(v_krk, i_usdc_usd, "1.0031", "1.0040", "5000", 2);
    REQUIRE(next_event(ARB_EV_SPREAD, &ev));
    CHECK_EQ_I64(ev.venue_a, v_bin);
    CHECK_EQ_I64(ev.venue_b, v_krk);
    CHECK_EQ_I64(ev.spread.edge_bps, 16 * E8);
    CHECK_EQ_I64(ev.spread.buy_px, px("1.0000"));
    CHECK_EQ_I64(ev.spread.sell_px, px("1.0031"));
    CHECK_EQ_I64(ev.age_a_us, 2000); /* binance's quote is 2 ms old when used */
    CHECK_EQ_I64(ev.age_b_us, 0);
}

static void test_fees_flip_sign(void)
{
    params.fees_taker_bps[v_bin] = 0;
    params.fees_taker_bps[v_krk] = 0;
    start();
    /* Gross 20 bps clears 15 without fees... */
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "5000", 0);
    bbo(v_krk, i_usdc_usd, "1.0020", "1.0030", "5000", 1);
    CHECK_EQ_I64(count_events(ARB_EV_SPREAD), 1);
    /* ...and 10 + 10 bps of fees make it -0: no trade. */
    params.fees_taker_bps[v_bin] = 10 * E8;
    params.fees_taker_bps[v_krk] = 10 * E8;
    start();
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "5000", 0);
    bbo(v_krk, i_usdc_usd, "1.0020", "1.0030", "5000", 1);
    CHECK_EQ_I64(count_events(ARB_EV_SPREAD), 0);
    params.fees_taker_bps[v_bin] = params.fees_taker_bps[v_krk] = 0;
}

static void test_stale(void)
{
    params.spread_max_age_ms = 500;
    start();
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "5000", 0);
    /* 501 ms later the binance quote is too old to trade against. */
    bbo(v_krk, i_usdc_usd, "1.0050", "1.0060", "5000", 501);
    CHECK_EQ_I64(count_events(ARB_EV_SPREAD), 0);
    /* The scan itself passes over quotes older than max_age. */
    /* Refreshed, it trades. */
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "5000", 502);
    CHECK_EQ_I64(count_events(ARB_EV_SPREAD), 1);
    /* The feed flags kraken stale: nothing is computed from it, whatever its prices. */
    start();
    struct arb_tick st = {.kind = ARB_TICK_STATUS,
                          .venue = (uint16_t)v_krk,
                          .flags = ARB_TICK_F_STALE,
                          .recv_ts_ns = 1700000000000ULL * MS};
    bbo(v_krk, i_usdc_usd, "1.0050", "1.0060", "5000", 0);
    arb_detector_on_tick(det, &st);
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "5000", 1);
    CHECK_EQ_I64(count_events(ARB_EV_SPREAD), 0);
}

static void test_basis(void)
{
    struct arb_event ev;

    start();
    /* Spot bid 100.00, perp ask 99.70: basis (99.70 - 100) / 100 = -30 bps, perp cheap. */
    bbo(v_bin, i_btc_usdt, "100.00", "100.01", "10", 0);
    bbo(v_fut, i_btc_perp, "99.69", "99.70", "10", 1);
    /*
     * No funding known: r = 0.0030, annualized (1.003)^(365/7) - 1 = 16.9053% >= 15:
     * enter, and say the funding term was 0.
     */
    REQUIRE(next_event(ARB_EV_BASIS, &ev));
    CHECK_EQ_I64(ev.basis.basis_bps, -30 * E8);
    CHECK(ev.flags & ARB_EV_F_NO_FUNDING);
    CHECK_EQ_I64(ev.dir, ARB_DIR_PERP_CHEAP);
    CHECK_EQ_I64(ev.basis.return_bps, 30 * E8);
    /* Reference (python): (1.003 ** (365 / 7) - 1) * 100 = 16.905344... */
    CHECK(ev.basis.annualized_pct > px("16.9053") && ev.basis.annualized_pct < px("16.9054"));

    /*
     * Long the perp while it pays +0.0001 per period: r = 0.003 + (0.9999^21 - 1)
     * = 0.000902, annualized 4.81% < 15%: no entry.
     */
    start();
    funding(v_fut, i_btc_perp, "0.0001", 0);
    bbo(v_bin, i_btc_usdt, "100.00", "100.01", "10", 0);
    bbo(v_fut, i_btc_perp, "99.69", "99.70", "10", 1);
    CHECK_EQ_I64(count_events(ARB_EV_BASIS), 0);

    /*
     * Funding -0.0001 is received by the long perp: r = 0.003 + (1.0001^21 - 1)
     * = 0.0051021, annualized (1.0051021)^(365/7) - 1 = 30.3907% (python).
     */
    start();
    funding(v_fut, i_btc_perp, "-0.0001", 0);
    bbo(v_bin, i_btc_usdt, "100.00", "100.01", "10", 0);
    bbo(v_fut, i_btc_perp, "99.69", "99.70", "10", 1);
    REQUIRE(next_event(ARB_EV_BASIS, &ev));
    CHECK(!(ev.flags & ARB_EV_F_NO_FUNDING));
    CHECK_EQ_I64(ev.basis.funding_rate, -10000);
    CHECK(ev.basis.return_bps > px("51.0209") && ev.basis.return_bps < px("51.0211"));
    CHECK(ev.basis.annualized_pct > px("30.390") && ev.basis.annualized_pct < px("30.392"));
    /* The intent sells spot and buys the perp. */
    struct arb_intent in;
    REQUIRE(arb_ring_spsc_pop(intents, &in));
    CHECK_EQ_I64(in.leg[0].side, ARB_SIDE_SELL);
    CHECK_EQ_I64(in.leg[0].venue, v_bin);
    CHECK_EQ_I64(in.leg[1].side, ARB_SIDE_BUY);
    CHECK_EQ_I64(in.leg[1].venue, v_fut);
    /* Basis back inside 5 bps: exit. */
    bbo(v_fut, i_btc_perp, "99.98", "99.99", "10", 2);
    REQUIRE(next_event(ARB_EV_BASIS, &ev));
    CHECK(ev.dir & ARB_DIR_EXIT);

    /* 19.99 bps is below the 20 bps entry, whatever the funding. */
    start();
    funding(v_fut, i_btc_perp, "0.001", 0);
    bbo(v_bin, i_btc_usdt, "99.99", "100.00", "10", 0);
    bbo(v_fut, i_btc_perp, "100.1999", "100.2000", "10", 1);
    CHECK_EQ_I64(count_events(ARB_EV_BASIS), 0);
}

static void test_peg_cross_rate(void)
{
    struct arb_event ev;

    start();
    /* USDT is worth 1.0010 USD (kraken mid), so USDC/USDT at ask 0.9961 costs 0.99709610 USD:
     * -29.039 bps, inside USDC's 30 bps entry. */
    bbo(v_krk, i_usdt_usd, "1.0010", "1.0010", "100000", 0);
    bbo(v_bin, i_usdc_usdt, "0.9960", "0.9961", "50000", 1);
    CHECK_EQ_I64(count_events(ARB_EV_DEPEG), 0);
    /* Ask 0.9950 USDT = 0.995995 USD: -40.05 bps, a buy below the peg, level low (< 50). */
    bbo(v_bin, i_usdc_usdt, "0.9949", "0.9950", "50000", 2);
    REQUIRE(next_event(ARB_EV_DEPEG, &ev));
    CHECK_EQ_I64(ev.depeg.price, px("0.995995"));
    CHECK_EQ_I64(ev.depeg.deviation_bps, -px("40.05"));
    CHECK_EQ_I64(ev.dir, ARB_DIR_BELOW_PEG);
    CHECK_EQ_I64(ev.level, ARB_LEVEL_LOW);
    CHECK_EQ_I64(ev.coin, ARB_COIN_USDC);
    CHECK(ev.depeg.strength > 0 && ev.depeg.strength <= E8);
}

static void test_depeg_levels_and_block(void)
{
    struct arb_event ev;

    start();
    /* USDC at 0.9880 ask on kraken: -120 bps, high. */
    bbo(v_krk, i_usdc_usd, "0.9870", "0.9880", "100000", 0);
    REQUIRE(next_event(ARB_EV_DEPEG, &ev));
    CHECK_EQ_I64(ev.level, ARB_LEVEL_HIGH);
    CHECK_EQ_I64(ev.depeg.deviation_bps, -120 * E8);
    /* Falls to 0.9700: -300 bps, critical; new entries adding USDC exposure are refused. */
    start();
    bbo(v_krk, i_usdc_usd, "0.9690", "0.9700", "100000", 0);
    REQUIRE(next_event(ARB_EV_DEPEG, &ev));
    CHECK_EQ_I64(ev.level, ARB_LEVEL_CRITICAL);
    REQUIRE(next_event(ARB_EV_REFUSAL, &ev));
    CHECK_EQ_I64(ev.reason, ARB_REFUSE_CRITICAL_DEPEG);
    /* A USDC spread between binance and coinbase is blocked the same way. */
    bbo(v_bin, i_usdc_usd, "0.9600", "0.9610", "100000", 1);
    bbo(v_cb, i_usdc_usd, "0.9650", "0.9660", "100000", 2);
    REQUIRE(next_event(ARB_EV_SPREAD, &ev));
    REQUIRE(next_event(ARB_EV_REFUSAL, &ev));
    CHECK_EQ_I64(ev.reason, ARB_REFUSE_CRITICAL_DEPEG);
    CHECK_EQ_I64(ev.level, ARB_SIG_SPREAD);
}

static void test_halt_and_kelly(void)
{
    struct arb_event ev;
    struct arb_intent in;

    /*
     * Half-Kelly at p = 0.9, b = 1: f = 0.9 - 0.1 = 0.8, half 0.4 of 100k = 40k, capped
     * at 25% = 25k, then at the 10k order cap. 10000 / 1.0000 = 10000 USDC each leg.
     */
    start();
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "50000", 0);
    bbo(v_krk, i_usdc_usd, "1.0050", "1.0060", "50000", 1);
    REQUIRE(next_event(ARB_EV_INTENT, &ev));
    REQUIRE(arb_ring_spsc_pop(intents, &in));
    CHECK_EQ_I64(in.nlegs, 2);
    CHECK_EQ_I64(in.leg[0].qty_e8, 10000 * E8);
    CHECK_EQ_I64(in.leg[1].qty_e8, 10000 * E8);
    CHECK_EQ_I64(in.leg[0].tif, ARB_TIF_IOC);
    CHECK_EQ_I64(in.signal_id, ev.signal_id);
    /* A thin book cuts it: 3000 on the ask. */
    start();
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "3000", 0);
    bbo(v_krk, i_usdc_usd, "1.0050", "1.0060", "50000", 1);
    REQUIRE(arb_ring_spsc_pop(intents, &in));
    CHECK_EQ_I64(in.leg[0].qty_e8, 3000 * E8);
    /* The kill switch, published while running, refuses everything. */
    start();
    params.halt = 1;
    arb_params_publish(&pub, &params);
    params.halt = 0;
    bbo(v_bin, i_usdc_usd, "0.9990", "1.0000", "50000", 0);
    bbo(v_krk, i_usdc_usd, "1.0050", "1.0060", "50000", 1);
    REQUIRE(next_event(ARB_EV_REFUSAL, &ev));
    CHECK_EQ_I64(ev.reason, ARB_REFUSE_HALT);
    CHECK(!arb_ring_spsc_pop(intents, &in));
    CHECK_EQ_U64(det->stats.params_updates, 1);
}

int main(void)
{
    setup();
    test_spread_threshold();
    test_fees_flip_sign();
    test_stale();
    test_basis();
    test_peg_cross_rate();
    test_depeg_levels_and_block();
    test_halt_and_kelly();
    arb_detector_destroy(det);
    return T_DONE();
}
