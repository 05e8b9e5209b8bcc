/* SPDX-License-Identifier: MIT */
/* feeds/kraken.c: WebSocket v1 ticker arrays (recorded) and the v2 ticker (documented). */
#include "feed_test.h"

static const char *const syms[] = {"WAVES/EUR", "XMR/USD", "KSM/XBT",   "GRT/ETH",
                                   "SC/EUR",    "ETH/CHF", "OCEAN/XBT", "OMG/USD",
                                   "XBT/CHF",   "ADA/XBT", "ALGO/USD",  "BTC/USD"};
#define NSYMS (sizeof(syms) / sizeof(syms[0]))
#define V1    "recorded/KRAKEN.ws.49.0"

#define BBO4 (ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK | ARB_TICK_HAVE_ASK_QTY)

/*
 * Kraken's documented v2 ticker snapshot (docs.kraken.com, "WSS ws.kraken.com/v2
 * ticker"), kept whitespace-free. No recording in data/ has a v2 message.
 */
static const char v2_doc[] =
    "{\"channel\":\"ticker\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\"ALGO/USD\",\"bid\":"
    "0.10025,\"bid_qty\":740.0,\"ask\":0.10036,\"ask_qty\":1361.44813783,\"last\":0.10035,"
    "\"volume\":997038.98383185,\"vwap\":0.10148,\"low\":0.09979,\"high\":0.10285,\"change\":"
    "-0.00017,\"change_pct\":-0.17,\"timestamp\":\"2023-09-25T09:04:31.742648Z\"}]}";

static void test_v1_ticker(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    /* Line 14, 1618678132.9496498: [1668,{"a":["13.253900",35,"35.72892241"],
     * "b":["13.232900",185,"185.18432037"],...},"ticker","WAVES/EUR"] */
    char *msg = ft_line(V1, 14, &len, &ts);

    ft_parser(&p, &st, syms, NSYMS);
    CHECK_EQ_U64(ts, 1618678132949649800ULL);
    REQUIRE(arb_feed_kraken.parse(&p, msg, len, ts, t, 2) == 1);
    CHECK_EQ_I64(t[0].kind, ARB_TICK_BBO);
    CHECK_EQ_I64(t[0].instrument, 0);
    CHECK_EQ_I64(t[0].bid_px_e8, 1323290000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 18518432037); /* the lot volume, not the whole-lot 185 */
    CHECK_EQ_I64(t[0].ask_px_e8, 1325390000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 3572892241);
    CHECK_EQ_I64(t[0].have, BBO4); /* v1 has neither sequence nor time */
    CHECK_EQ_U64(t[0].seq, 0);
    CHECK_EQ_U64(t[0].exch_ts_ns, 0);
    CHECK_EQ_U64(t[0].recv_ts_ns, 1618678132949649800ULL);
    free(msg);

    /* Line 22: [468,{"a":["56218.30000",0,"0.13690578"],"b":["56119.10000",0,"0.03333108"],
     * ...},"ticker","XBT/CHF"] */
    msg = ft_line(V1, 22, &len, &ts);
    REQUIRE(arb_feed_kraken.parse(&p, msg, len, ts, t, 2) == 1);
    CHECK_EQ_I64(t[0].instrument, 8);
    CHECK_EQ_I64(t[0].bid_px_e8, 5611910000000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 3333108);
    CHECK_EQ_I64(t[0].ask_px_e8, 5621830000000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 13690578);
    free(msg);
    ft_check_prefixes(&arb_feed_kraken, &p,
                      "[468,{\"a\":[\"56218.30000\",0,\"0.13690578\"],\"b\":[\"56119.10000\",0,"
                      "\"0.03333108\"]},\"ticker\",\"XBT/CHF\"]");
}

static void test_v2_ticker(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[4];
    char two[1024];

    ft_parser(&p, &st, syms, NSYMS);
    REQUIRE(ft_parse(&arb_feed_kraken, &p, v2_doc, 8, t, 4) == 1);
    CHECK_EQ_I64(t[0].instrument, 10);
    CHECK_EQ_I64(t[0].bid_px_e8, 10025000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 74000000000);
    CHECK_EQ_I64(t[0].ask_px_e8, 10036000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 136144813783);
    /* 2023-09-25 is day 19625: 19625 * 86400 + 09:04:31 = 1695632671. */
    CHECK_EQ_U64(t[0].exch_ts_ns, 1695632671742648000ULL);
    CHECK_EQ_U64(t[0].recv_ts_ns, 8);
    CHECK_EQ_I64(t[0].have, BBO4 | ARB_TICK_HAVE_EXCH_TS);
    ft_check_prefixes(&arb_feed_kraken, &p, v2_doc);

    /* Two symbols in one update, the second with an exponent-form double and no time. */
    snprintf(two, sizeof(two),
             "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[%.*s,{\"symbol\":\"BTC/USD\","
             "\"bid\":1.5e-05,\"bid_qty\":2E+3,\"ask\":26500.1,\"ask_qty\":0}]}",
             (int)(strrchr(v2_doc, ']') - strchr(v2_doc, '[') - 1), strchr(v2_doc, '[') + 1);
    REQUIRE(ft_parse(&arb_feed_kraken, &p, two, 8, t, 4) == 2);
    CHECK_EQ_I64(t[0].instrument, 10);
    CHECK_EQ_I64(t[1].instrument, 11);
    CHECK_EQ_I64(t[1].bid_px_e8, 1500);
    CHECK_EQ_I64(t[1].bid_qty_e8, 200000000000);
    CHECK_EQ_I64(t[1].ask_px_e8, 2650010000000);
    CHECK_EQ_I64(t[1].ask_qty_e8, 0);
    CHECK_EQ_I64(t[1].have, BBO4);
    /* Room for one tick: one is written, the rest dropped. */
    CHECK_EQ_I64(ft_parse(&arb_feed_kraken, &p, two, 8, t, 1), 1);
    /* "data" before "channel" works too, through the second pass. */
    CHECK_EQ_I64(ft_parse(&arb_feed_kraken, &p,
                          "{\"data\":[{\"symbol\":\"BTC/USD\",\"bid\":1,\"ask\":2}],\"type\":"
                          "\"update\",\"channel\":\"ticker\"}",
                          8, t, 4),
                 1);
    CHECK_EQ_I64(t[0].have, ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK);
}

static void test_heartbeats_and_others(void)
{
    static const char *const skip[] = {
        "{\"channel\":\"status\",\"type\":\"update\",\"data\":[{\"version\":\"2.0.0\","
        "\"system\":\"online\",\"api_version\":\"v2\",\"connection_id\":1}]}",
        "{\"method\":\"subscribe\",\"result\":{\"channel\":\"ticker\",\"symbol\":\"ALGO/USD\"},"
        "\"success\":true,\"time_in\":\"2023-09-25T09:04:31.742599Z\"}",
        "{\"event\":\"pong\",\"reqid\":42}",
        "[42,{\"as\":[[\"5541.2\",\"1.5\",\"1534614248.123678\"]]},\"book-10\",\"XBT/USD\"]",
    };
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    char *msg;

    ft_parser(&p, &st, syms, NSYMS);
    /* Line 24: {"event":"heartbeat"} (v1); v2 sends {"channel":"heartbeat"}. */
    msg = ft_line(V1, 24, &len, &ts);
    CHECK_EQ_I64(arb_feed_kraken.parse(&p, msg, len, ts, t, 2), ARB_PARSE_SKIP);
    free(msg);
    CHECK_EQ_I64(ft_parse(&arb_feed_kraken, &p, "{\"channel\":\"heartbeat\"}", 1, t, 2),
                 ARB_PARSE_SKIP);
    CHECK_EQ_U64(p.stats.heartbeats, 2);
    /* Lines 3 and 4: systemStatus, subscriptionStatus; KRAKEN.ws.48.0 line 23: a trade. */
    for (int line = 3; line <= 4; line++) {
        msg = ft_line(V1, line, &len, &ts);
        CHECK_EQ_I64(arb_feed_kraken.parse(&p, msg, len, ts, t, 2), ARB_PARSE_SKIP);
        free(msg);
    }
    msg = ft_line("recorded/KRAKEN.ws.48.0", 23, &len, &ts);
    CHECK_EQ_I64(arb_feed_kraken.parse(&p, msg, len, ts, t, 2), ARB_PARSE_SKIP);
    free(msg);
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        int rc = ft_parse(&arb_feed_kraken, &p, skip[i], 1, t, 2);
        if (rc != ARB_PARSE_SKIP)
            T_FAIL("skip[%zu]: rc %d", i, rc);
    }
    CHECK_EQ_U64(p.stats.skipped, 9);
    CHECK_EQ_U64(p.stats.heartbeats, 2);
    CHECK_EQ_U64(p.stats.malformed, 0);
}

static void test_malformed_and_unknown(void)
{
    static const char *const bad[] = {
        /* v2 prices are JSON numbers */
        "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
        "\"bid\":\"0.1\"}]}",
        "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{\"bid\":0.1}]}",
        "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":{\"symbol\":\"BTC/USD\"}}",
        "{\"channel\":\"ticker\",\"type\":\"update\"}",
        "{\"channel\":\"ticker\",\"data\":[{\"symbol\":\"BTC/USD\",\"bid\":1,"
        "\"timestamp\":\"yesterday\"}]}",
        "{\"channel\":\"ticker\",\"data\":[{\"symbol\":\"BTC/USD\",\"bid\":1e999}]}",
        "{\"channel\":5}",
        /* v1: prices are strings, sides have three entries */
        "[468,{\"a\":[56218.3,0,\"0.13690578\"],\"b\":[\"1\",0,\"1\"]},\"ticker\",\"XBT/CHF\"]",
        "[468,{\"a\":[\"1\",0],\"b\":[\"1\",0,\"1\"]},\"ticker\",\"XBT/CHF\"]",
        "[468,{\"b\":[\"1\",0,\"1\"]},\"ticker\",\"XBT/CHF\"]",
        "[468,{\"a\":[\"1\",0,\"1\"],\"b\":[\"1\",0,\"1\"]},\"ticker\"]",
        "[\"x\",{\"a\":[\"1\",0,\"1\"],\"b\":[\"1\",0,\"1\"]},\"ticker\",\"XBT/CHF\"]",
        "[468,{\"a\":[\"1\",0,\"1\"],\"b\":[\"1\",0,\"1\"]},\"ticker\",\"XBT/CHF\",]",
        "[]",
        "nonsense",
    };
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];

    ft_parser(&p, &st, syms, NSYMS);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = ft_parse(&arb_feed_kraken, &p, bad[i], 1, t, 2);
        if (rc != ARB_PARSE_MALFORMED)
            T_FAIL("bad[%zu]: rc %d, want malformed", i, rc);
    }
    CHECK_EQ_U64(p.stats.malformed, sizeof(bad) / sizeof(bad[0]));
    CHECK_EQ_I64(
        ft_parse(&arb_feed_kraken, &p,
                 "[1,{\"a\":[\"1\",0,\"1\"],\"b\":[\"1\",0,\"1\"]},\"ticker\",\"DOT/USD\"]", 1, t,
                 2),
        ARB_PARSE_UNKNOWN);
    CHECK_EQ_I64(ft_parse(&arb_feed_kraken, &p,
                          "{\"channel\":\"ticker\",\"data\":[{\"symbol\":\"DOT/USD\",\"bid\":1}]}",
                          1, t, 2),
                 ARB_PARSE_UNKNOWN);
    CHECK_EQ_U64(p.stats.unknown_symbol, 2);
}

static void test_whole_files(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct ft_counts c;

    /* Counted independently: grep -c ',"ticker","' gives 18 tickers; python3's json module
     * finds 60 frames (31 heartbeats, 10 subscriptionStatus, 1 systemStatus) and 2 meta
     * lines (the connection and the subscribe request). */
    ft_parser(&p, &st, syms, NSYMS);
    ft_run_file(&arb_feed_kraken, &p, V1, &c);
    CHECK_EQ_U64(c.meta, 2);
    CHECK_EQ_U64(c.frames, 60);
    CHECK_EQ_U64(c.events, 18);
    CHECK_EQ_U64(p.stats.skipped, 42);
    CHECK_EQ_U64(p.stats.heartbeats, 31);
    CHECK_EQ_U64(p.stats.malformed, 0);
    CHECK_EQ_U64(p.stats.unknown_symbol, 0);
    /* KRAKEN.ws.48.0, the trade channel: 49 frames (8 trade arrays, 30 heartbeats,
     * 10 subscriptionStatus, 1 systemStatus), no tickers. */
    ft_parser(&p, &st, syms, NSYMS);
    ft_run_file(&arb_feed_kraken, &p, "recorded/KRAKEN.ws.48.0", &c);
    CHECK_EQ_U64(c.frames, 49);
    CHECK_EQ_U64(c.events, 0);
    CHECK_EQ_U64(p.stats.skipped, 49);
    CHECK_EQ_U64(p.stats.heartbeats, 30);
    CHECK_EQ_U64(p.stats.malformed, 0);
}

static void test_subscribe(void)
{
    const char *const s[] = {"USDC/USD", "USDT/USD"};
    char buf[256];
    const char *want = "{\"method\":\"subscribe\",\"params\":{\"channel\":\"ticker\",\"symbol\":"
                       "[\"USDC/USD\",\"USDT/USD\"],\"event_trigger\":\"bbo\"}}\n";
    int n = arb_feed_kraken.subscribe(s, 2, buf, sizeof(buf));

    REQUIRE(n == (int)strlen(want));
    CHECK(memcmp(buf, want, (size_t)n) == 0);
    CHECK_EQ_I64(arb_feed_kraken.subscribe(s, 2, buf, 60), -ENOSPC);
}

int main(void)
{
    test_v1_ticker();
    test_v2_ticker();
    test_heartbeats_and_others();
    test_malformed_and_unknown();
    test_whole_files();
    test_subscribe();
    return T_DONE();
}
