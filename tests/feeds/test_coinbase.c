/* SPDX-License-Identifier: MIT */
/* feeds/coinbase.c: the Exchange ticker channel and heartbeats against real messages. */
#include "feed_test.h"

#include "feeds/json.h"

static const char *const syms[] = {"BTC-USD",  "BAND-GBP", "SKL-USD",  "SKL-BTC",
                                   "SKL-GBP",  "NMR-EUR",  "BAND-BTC", "YFI-BTC",
                                   "DASH-BTC", "NU-GBP",   "CRV-EUR"};
#define NSYMS (sizeof(syms) / sizeof(syms[0]))
#define MSGS  "messages/coinbase_messages.jsonl"

static void test_ticker_without_sizes(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    /* Line 7: {"type":"ticker","sequence":8176375276,"product_id":"BTC-USD",...
     * "best_bid":"4094.99","best_ask":"4095",...,"time":"2019-04-01T00:00:04.540000Z",...} */
    char *msg = ft_line(MSGS, 7, &len, &ts);

    ft_parser(&p, &st, syms, NSYMS);
    REQUIRE(arb_feed_coinbase.parse(&p, msg, len, 3, t, 2) == 1);
    CHECK_EQ_I64(t[0].kind, ARB_TICK_BBO);
    CHECK_EQ_I64(t[0].instrument, 0);
    CHECK_EQ_I64(t[0].bid_px_e8, 409499000000);
    CHECK_EQ_I64(t[0].ask_px_e8, 409500000000);
    CHECK_EQ_U64(t[0].seq, 8176375276ULL);
    /* 2019-04-01T00:00:00Z is 1554076800 s since the epoch (Binance's trade at line 1 of
     * binance_messages.jsonl has E 1554076800945 for the same instant). */
    CHECK_EQ_U64(t[0].exch_ts_ns, 1554076804540000000ULL);
    CHECK_EQ_I64(t[0].have,
                 ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK | ARB_TICK_HAVE_SEQ | ARB_TICK_HAVE_EXCH_TS);
    free(msg);

    /* Line 8: sequence 23345076686, best_bid "58800.00", best_ask "58800.01",
     * time "2021-04-01T00:00:01.618503Z" (1617235200 + 1.618503 s). */
    msg = ft_line(MSGS, 8, &len, &ts);
    REQUIRE(arb_feed_coinbase.parse(&p, msg, len, 3, t, 2) == 1);
    CHECK_EQ_I64(t[0].bid_px_e8, 5880000000000);
    CHECK_EQ_I64(t[0].ask_px_e8, 5880001000000);
    CHECK_EQ_U64(t[0].seq, 23345076686ULL);
    CHECK_EQ_U64(t[0].exch_ts_ns, 1617235201618503000ULL);
    free(msg);
}

static void test_ticker_with_sizes(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    /* Line 9: sequence 50978628538, "best_bid":"17165.15","best_bid_size":"0.61540890",
     * "best_ask":"17167.76","best_ask_size":"0.18528568","time":"2022-12-01T00:00:00.122581Z" */
    char *msg = ft_line(MSGS, 9, &len, &ts);

    ft_parser(&p, &st, syms, NSYMS);
    REQUIRE(arb_feed_coinbase.parse(&p, msg, len, 3, t, 2) == 1);
    CHECK_EQ_I64(t[0].bid_px_e8, 1716515000000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 61540890);
    CHECK_EQ_I64(t[0].ask_px_e8, 1716776000000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 18528568);
    CHECK_EQ_U64(t[0].seq, 50978628538ULL);
    CHECK_EQ_U64(t[0].exch_ts_ns, 1669852800122581000ULL); /* 2022-12-01 is 1669852800 */
    CHECK_EQ_I64(t[0].have, ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK |
                                ARB_TICK_HAVE_ASK_QTY | ARB_TICK_HAVE_SEQ | ARB_TICK_HAVE_EXCH_TS);
    free(msg);
}

static void test_recorded_ticker(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    /* Line 9, 1618677817.079694: {"type":"ticker","sequence":333938798,"product_id":
     * "BAND-GBP",...,"best_bid":"14.7550","best_ask":"14.8060",...,
     * "time":"2021-04-17T16:43:30.244075Z",...} */
    char *msg = ft_line("recorded/COINBASE.ws.28.0.part1", 9, &len, &ts);

    ft_parser(&p, &st, syms, NSYMS);
    CHECK_EQ_U64(ts, 1618677817079694000ULL);
    REQUIRE(arb_feed_coinbase.parse(&p, msg, len, ts, t, 2) == 1);
    CHECK_EQ_I64(t[0].instrument, 1);
    CHECK_EQ_I64(t[0].bid_px_e8, 1475500000);
    CHECK_EQ_I64(t[0].ask_px_e8, 1480600000);
    CHECK_EQ_U64(t[0].seq, 333938798);
    /* 2021-04-17 is day 18734 since the epoch: 18734 * 86400 + 16:43:30 = 1618677810. */
    CHECK_EQ_U64(t[0].exch_ts_ns, 1618677810244075000ULL);
    CHECK_EQ_U64(t[0].recv_ts_ns, 1618677817079694000ULL);
    free(msg);
}

static void test_heartbeat_and_others(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;

    ft_parser(&p, &st, syms, NSYMS);
    /* Coinbase's documented heartbeat (no recording has one). */
    CHECK_EQ_I64(ft_parse(&arb_feed_coinbase, &p,
                          "{\"type\":\"heartbeat\",\"sequence\":90,\"last_trade_id\":20,"
                          "\"product_id\":\"BTC-USD\",\"time\":\"2014-11-07T08:19:28.464459Z\"}",
                          1, t, 2),
                 ARB_PARSE_SKIP);
    CHECK_EQ_U64(p.stats.heartbeats, 1);
    /* Lines 1-6: match, l2update, l2update, snapshot, l2update (with the zero time
     * 0001-01-01, which only a ticker would have to read) and snapshot. */
    for (int line = 1; line <= 6; line++) {
        char *msg = ft_line(MSGS, line, &len, &ts);
        int rc = arb_feed_coinbase.parse(&p, msg, len, 1, t, 2);
        if (rc != ARB_PARSE_SKIP)
            T_FAIL("line %d: rc %d, want skip", line, rc);
        free(msg);
    }
    /* A ticker with no book top (before the first quote) carries nothing to trade on. */
    CHECK_EQ_I64(ft_parse(&arb_feed_coinbase, &p,
                          "{\"type\":\"ticker\",\"sequence\":1,\"product_id\":\"BTC-USD\","
                          "\"price\":\"1\"}",
                          1, t, 2),
                 ARB_PARSE_SKIP);
    CHECK_EQ_U64(p.stats.skipped, 8);
    CHECK_EQ_U64(p.stats.heartbeats, 1);
    CHECK_EQ_U64(p.stats.events, 0);
}

static void test_malformed_and_unknown(void)
{
    static const char *const bad[] = {
        "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":4094.99}",
        "{\"type\":\"ticker\",\"sequence\":\"1\",\"product_id\":\"BTC-USD\",\"best_bid\":\"1\"}",
        "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":\"1\","
        "\"time\":\"2019-13-01T00:00:04.540000Z\"}",
        "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":\"1\","
        "\"time\":\"2019-02-29T00:00:04Z\"}",
        "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":\"1\","
        "\"time\":\"2019-04-01 00:00:04Z\"}",
        "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":\"1\","
        "\"time\":\"2019-04-01T00:00:04.Z\"}",
        "{\"type\":\"ticker\",\"best_bid\":\"1\"}",
        "{\"product_id\":\"BTC-USD\",\"best_bid\":\"1\"}",
        "{\"type\":7}",
        "[\"ticker\"]",
        "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":\"1\"",
    };
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    uint64_t ns;

    ft_parser(&p, &st, syms, NSYMS);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = ft_parse(&arb_feed_coinbase, &p, bad[i], 1, t, 2);
        if (rc != ARB_PARSE_MALFORMED)
            T_FAIL("bad[%zu]: rc %d, want malformed", i, rc);
    }
    CHECK_EQ_I64(ft_parse(&arb_feed_coinbase, &p,
                          "{\"type\":\"ticker\",\"product_id\":\"ETH-USD\",\"best_bid\":\"1\"}", 1,
                          t, 2),
                 ARB_PARSE_UNKNOWN);
    CHECK_EQ_U64(p.stats.unknown_symbol, 1);
    /* The time parser on its own: a leap day, a leap second and a 9-digit fraction. */
    CHECK(arb_json_rfc3339_ns("2000-02-29T23:59:59.000000001Z", 30, &ns) == 0);
    CHECK_EQ_U64(ns, 951868799000000001ULL);
    CHECK(arb_json_rfc3339_ns("1969-12-31T23:59:59Z", 20, &ns) < 0);
    CHECK(arb_json_rfc3339_ns("1970-01-01T00:00:00Z", 20, &ns) == 0);
    CHECK_EQ_U64(ns, 0);
    ft_check_prefixes(&arb_feed_coinbase, &p,
                      "{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"best_bid\":\"1\"}");
}

static void test_whole_file(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct ft_counts c;

    ft_parser(&p, &st, syms, NSYMS);
    ft_run_file(&arb_feed_coinbase, &p, "recorded/COINBASE.ws.28.0.part1", &c);
    /* Counted independently with python3's json module: 3209 frames, of which 31 are
     * tickers (3134 l2update, 21 match, 10 last_match, 10 snapshot, 3 subscriptions),
     * and 4 meta lines (the connection and three subscribe requests). */
    CHECK_EQ_U64(c.meta, 4);
    CHECK_EQ_U64(c.frames, 3209);
    CHECK_EQ_U64(c.events, 31);
    CHECK_EQ_U64(p.stats.skipped, 3178);
    CHECK_EQ_U64(p.stats.malformed, 0);
    CHECK_EQ_U64(p.stats.unknown_symbol, 0);
    CHECK(c.seq_ok);
}

/*
 * The RFC 3339 word path against the byte loop it shortcuts
 * (arb_json_rfc3339_ns_slow, the original parser): random times with 0 to 10
 * fraction digits, each also with one byte replaced, exact-size copies.
 */
static void test_rfc3339_word_path(void)
{
    static const char junk[] = "0-9:.TZx/ ";
    uint64_t seed = 1618677817, mismatches = 0;
    char s[48];

    for (int i = 0; i < 300000; i++) {
        uint64_t r = t_rand(&seed);
        int nf = (int)(r % 11), n;
        /* Years either side of 1970, months and days a little past their ranges. */
        n = snprintf(s, sizeof(s), "%04u-%02u-%02uT%02u:%02u:%02u",
                     (unsigned)(1960 + (r >> 8) % 90), (unsigned)((r >> 16) % 14),
                     (unsigned)((r >> 20) % 33), (unsigned)((r >> 26) % 25),
                     (unsigned)((r >> 31) % 61), (unsigned)((r >> 37) % 62));
        if (nf > 0) {
            s[n++] = '.';
            for (int k = 0; k < nf; k++)
                s[n++] = (char)('0' + t_rand(&seed) % 10);
        }
        s[n++] = 'Z';
        if ((r >> 44) & 1)
            s[(r >> 45) % (uint64_t)n] = junk[(r >> 50) % (sizeof(junk) - 1)];
        char *exact = malloc((size_t)n);
        REQUIRE(exact);
        memcpy(exact, s, (size_t)n);
        uint64_t a = 1, b = 1;
        int ra = arb_json_rfc3339_ns(exact, (size_t)n, &a);
        int rb = arb_json_rfc3339_ns_slow(exact, (size_t)n, &b);
        if ((ra != rb || (ra == 0 && a != b)) && mismatches++ < 5)
            T_FAIL("\"%.*s\": word path %d %llu, byte loop %d %llu", n, s, ra,
                   (unsigned long long)a, rb, (unsigned long long)b);
        free(exact);
    }
    CHECK_EQ_U64(mismatches, 0);
}

static void test_subscribe(void)
{
    const char *const s[] = {"BTC-USD", "USDT-USD"};
    char buf[256];
    const char *want = "{\"type\":\"subscribe\",\"product_ids\":[\"BTC-USD\",\"USDT-USD\"],"
                       "\"channels\":[\"ticker\",\"heartbeat\"]}\n";
    int n = arb_feed_coinbase.subscribe(s, 2, buf, sizeof(buf));

    REQUIRE(n == (int)strlen(want));
    CHECK(memcmp(buf, want, (size_t)n) == 0);
    CHECK_EQ_I64(arb_feed_coinbase.subscribe(s, 2, buf, 20), -ENOSPC);
}

int main(void)
{
    test_ticker_without_sizes();
    test_ticker_with_sizes();
    test_recorded_ticker();
    test_heartbeat_and_others();
    test_malformed_and_unknown();
    test_whole_file();
    test_rfc3339_word_path();
    test_subscribe();
    return T_DONE();
}
