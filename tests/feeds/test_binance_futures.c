/* SPDX-License-Identifier: MIT */
/* feeds/binance_futures.c: USD-M bookTicker and markPriceUpdate against real messages. */
#include "feed_test.h"

static const char *const syms[] = {"BTCUSDT",  "BTCBUSD_210129", "SUSHIUSDT",
                                   "AKROUSDT", "KEEPUSDT",       "CTKUSDT"};

#define FUT "messages/binance_futures_messages.jsonl"

static void test_mark_price(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    /* Line 3: {"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1569888003001,
     * "s":"BTCUSDT","p":"8291.34697815","r":"0.00010000","T":1569916800000}} */
    char *msg = ft_line(FUT, 3, &len, &ts);

    ft_parser(&p, &st, syms, 6);
    REQUIRE(arb_feed_binance_futures.parse(&p, msg, len, 99, t, 2) == 1);
    CHECK_EQ_I64(t[0].kind, ARB_TICK_FUNDING);
    CHECK_EQ_I64(t[0].instrument, 0);
    CHECK_EQ_I64(t[0].mark_px_e8, 829134697815);
    CHECK_EQ_I64(t[0].funding_rate_e8, 10000);
    CHECK_EQ_U64(t[0].next_funding_ts_ns, 1569916800000000000ULL);
    CHECK_EQ_U64(t[0].exch_ts_ns, 1569888003001000000ULL);
    CHECK_EQ_U64(t[0].recv_ts_ns, 99);
    CHECK_EQ_I64(t[0].have, ARB_TICK_HAVE_MARK | ARB_TICK_HAVE_FUNDING | ARB_TICK_HAVE_NEXT_FND |
                                ARB_TICK_HAVE_EXCH_TS);
    free(msg);

    /* Line 10: ..."E":1597536008000,"s":"BTCUSDT","p":"11857.56000000",
     * "i":"11851.86949091","r":"0.00015640","T":1597564800000 */
    msg = ft_line(FUT, 10, &len, &ts);
    REQUIRE(arb_feed_binance_futures.parse(&p, msg, len, 99, t, 2) == 1);
    CHECK_EQ_I64(t[0].mark_px_e8, 1185756000000);
    CHECK_EQ_I64(t[0].index_px_e8, 1185186949091);
    CHECK_EQ_I64(t[0].funding_rate_e8, 15640);
    CHECK_EQ_U64(t[0].next_funding_ts_ns, 1597564800000000000ULL);
    CHECK_EQ_U64(t[0].exch_ts_ns, 1597536008000000000ULL);
    CHECK_EQ_I64(t[0].have, ARB_TICK_HAVE_MARK | ARB_TICK_HAVE_INDEX | ARB_TICK_HAVE_FUNDING |
                                ARB_TICK_HAVE_NEXT_FND | ARB_TICK_HAVE_EXCH_TS);
    free(msg);

    /* Line 14, a quarterly contract: "p":"31799.27730000","P":"31235.82439517",
     * "i":"31307.03400000","r":"0.00000000","T":0. T 0 means no next funding. */
    msg = ft_line(FUT, 14, &len, &ts);
    REQUIRE(arb_feed_binance_futures.parse(&p, msg, len, 99, t, 2) == 1);
    CHECK_EQ_I64(t[0].instrument, 1);
    CHECK_EQ_I64(t[0].mark_px_e8, 3179927730000);
    CHECK_EQ_I64(t[0].index_px_e8, 3130703400000);
    CHECK_EQ_I64(t[0].funding_rate_e8, 0);
    CHECK_EQ_U64(t[0].next_funding_ts_ns, 0);
    CHECK_EQ_I64(t[0].have, ARB_TICK_HAVE_MARK | ARB_TICK_HAVE_INDEX | ARB_TICK_HAVE_FUNDING |
                                ARB_TICK_HAVE_EXCH_TS);
    free(msg);

    /* COIN-M delivery contracts send an empty rate: no funding, not malformed. */
    REQUIRE(ft_parse(&arb_feed_binance_futures, &p,
                     "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"-0.5\","
                     "\"r\":\"\",\"T\":0}",
                     1, t, 2) == 1);
    CHECK_EQ_I64(t[0].mark_px_e8, -50000000);
    CHECK_EQ_I64(t[0].have, ARB_TICK_HAVE_MARK | ARB_TICK_HAVE_EXCH_TS);
    ft_check_prefixes(&arb_feed_binance_futures, &p,
                      "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\"}");
}

static void test_book_ticker(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    /* Line 15: {"e":"bookTicker","u":185130926750,"s":"BTCUSDT","b":"33134.42","B":"0.170",
     * "a":"33139.39","A":"0.380","T":1612137603568,"E":1612137603571} */
    char *msg = ft_line(FUT, 15, &len, &ts);

    ft_parser(&p, &st, syms, 6);
    REQUIRE(arb_feed_binance_futures.parse(&p, msg, len, 5, t, 2) == 1);
    CHECK_EQ_I64(t[0].kind, ARB_TICK_BBO);
    CHECK_EQ_I64(t[0].bid_px_e8, 3313442000000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 17000000);
    CHECK_EQ_I64(t[0].ask_px_e8, 3313939000000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 38000000);
    CHECK_EQ_U64(t[0].seq, 185130926750ULL);
    /* E, the event time, not T, the matching engine's transaction time. */
    CHECK_EQ_U64(t[0].exch_ts_ns, 1612137603571000000ULL);
    CHECK_EQ_I64(t[0].have, ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK |
                                ARB_TICK_HAVE_ASK_QTY | ARB_TICK_HAVE_SEQ | ARB_TICK_HAVE_EXCH_TS);
    free(msg);

    /* Recorded line 2, 1626992741.06217: {"stream":"sushiusdt@bookTicker","data":{"e":
     * "bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2","a":"7.6120",
     * "A":"297","T":1626992741012,"E":1626992741017}} */
    msg = ft_line("recorded/BINANCE_FUTURES.ws.1.0", 2, &len, &ts);
    CHECK_EQ_U64(ts, 1626992741062170000ULL);
    REQUIRE(arb_feed_binance_futures.parse(&p, msg, len, ts, t, 2) == 1);
    CHECK_EQ_I64(t[0].instrument, 2);
    CHECK_EQ_I64(t[0].bid_px_e8, 761100000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 200000000);
    CHECK_EQ_I64(t[0].ask_px_e8, 761200000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 29700000000);
    CHECK_EQ_U64(t[0].seq, 600859600576ULL);
    CHECK_EQ_U64(t[0].exch_ts_ns, 1626992741017000000ULL);
    CHECK_EQ_U64(t[0].recv_ts_ns, 1626992741062170000ULL);
    free(msg);

    /* The same event raw, as the single-stream endpoint sends it. */
    REQUIRE(ft_parse(&arb_feed_binance_futures, &p,
                     "{\"e\":\"bookTicker\",\"u\":600859600576,\"s\":\"SUSHIUSDT\",\"b\":"
                     "\"7.6110\",\"B\":\"2\",\"a\":\"7.6120\",\"A\":\"297\",\"T\":1626992741012,"
                     "\"E\":1626992741017}",
                     1, t, 2) == 1);
    CHECK_EQ_I64(t[0].ask_qty_e8, 29700000000);
    CHECK_EQ_U64(t[0].exch_ts_ns, 1626992741017000000ULL);
}

static void test_mark_price_array(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    /* !markPrice@arr: events of lines 3 and 10 in one array, raw and combined. */
    const char *arr = "[{\"e\":\"markPriceUpdate\",\"E\":1569888003001,\"s\":\"BTCUSDT\",\"p\":"
                      "\"8291.34697815\",\"r\":\"0.00010000\",\"T\":1569916800000},{\"e\":"
                      "\"markPriceUpdate\",\"E\":1609830121004,\"s\":\"BTCBUSD_210129\",\"p\":"
                      "\"31799.27730000\",\"P\":\"31235.82439517\",\"i\":\"31307.03400000\","
                      "\"r\":\"0.00000000\",\"T\":0}]";
    char wrapped[1024];

    ft_parser(&p, &st, syms, 6);
    REQUIRE(ft_parse(&arb_feed_binance_futures, &p, arr, 1, t, 2) == 2);
    CHECK_EQ_I64(t[0].instrument, 0);
    CHECK_EQ_I64(t[0].mark_px_e8, 829134697815);
    CHECK_EQ_I64(t[1].instrument, 1);
    CHECK_EQ_I64(t[1].index_px_e8, 3130703400000);
    snprintf(wrapped, sizeof(wrapped), "{\"stream\":\"!markPrice@arr\",\"data\":%s}", arr);
    REQUIRE(ft_parse(&arb_feed_binance_futures, &p, wrapped, 1, t, 2) == 2);
    CHECK_EQ_I64(t[1].mark_px_e8, 3179927730000);
    /* Room for one: the second is dropped, not written past out. */
    CHECK_EQ_I64(ft_parse(&arb_feed_binance_futures, &p, wrapped, 1, t, 1), 1);
    CHECK_EQ_U64(p.stats.events, 5);
}

static void test_skip_and_malformed(void)
{
    static const int skip_lines[] = {1, 2, 4, 5, 6, 7, 8, 9, 11, 12, 13};
    static const char *const bad[] = {
        "{\"e\":\"markPriceUpdate\",\"E\":\"1\",\"s\":\"BTCUSDT\",\"p\":\"1\"}",
        "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":8291.3}",
        "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\"}",
        "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\",\"T\":-1}",
        "{\"e\":\"markPriceUpdate\",\"E\":99999999999999999999,\"s\":\"BTCUSDT\",\"p\":\"1\"}",
        "{\"e\":\"bookTicker\",\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\"}",
        "[{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\"},5]",
        "{\"stream\":\"!markPrice@arr\",\"data\":[{\"e\":\"markPriceUpdate\"}",
    };
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;

    ft_parser(&p, &st, syms, 6);
    for (size_t i = 0; i < sizeof(skip_lines) / sizeof(skip_lines[0]); i++) {
        char *msg = ft_line(FUT, skip_lines[i], &len, &ts);
        int rc = arb_feed_binance_futures.parse(&p, msg, len, 1, t, 2);
        if (rc != ARB_PARSE_SKIP)
            T_FAIL("line %d: rc %d, want skip", skip_lines[i], rc);
        free(msg);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = ft_parse(&arb_feed_binance_futures, &p, bad[i], 1, t, 2);
        if (rc != ARB_PARSE_MALFORMED)
            T_FAIL("bad[%zu]: rc %d, want malformed", i, rc);
    }
    CHECK_EQ_I64(ft_parse(&arb_feed_binance_futures, &p,
                          "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"p\":\"1\"}", 1, t,
                          2),
                 ARB_PARSE_UNKNOWN);
    CHECK_EQ_U64(p.stats.skipped, 11);
    CHECK_EQ_U64(p.stats.malformed, sizeof(bad) / sizeof(bad[0]));
    CHECK_EQ_U64(p.stats.unknown_symbol, 1);
}

static void test_whole_file(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct ft_counts c;

    ft_parser(&p, &st, syms, 6);
    ft_run_file(&arb_feed_binance_futures, &p, "recorded/BINANCE_FUTURES.ws.1.0", &c);
    /* Counted independently: grep -c '@bookTicker","data"' gives 613; python3's json
     * module finds 1535 frames (764 depthUpdate, 91 aggTrade, 67 kline) and 1 meta line. */
    CHECK_EQ_U64(c.meta, 1);
    CHECK_EQ_U64(c.frames, 1535);
    CHECK_EQ_U64(c.events, 613);
    CHECK_EQ_U64(p.stats.skipped, 922);
    CHECK_EQ_U64(p.stats.malformed, 0);
    CHECK_EQ_U64(p.stats.unknown_symbol, 0);
    CHECK(c.seq_ok);
}

static void test_subscribe(void)
{
    const char *const s[] = {"BTCUSDT"};
    char buf[256];
    const char *want = "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\","
                       "\"btcusdt@markPrice@1s\"],\"id\":1}\n";
    int n = arb_feed_binance_futures.subscribe(s, 1, buf, sizeof(buf));

    REQUIRE(n == (int)strlen(want));
    CHECK(memcmp(buf, want, (size_t)n) == 0);
    CHECK(arb_feed_ops_find("binance-futures") == &arb_feed_binance_futures);
}

int main(void)
{
    test_mark_price();
    test_book_ticker();
    test_mark_price_array();
    test_skip_and_malformed();
    test_whole_file();
    test_subscribe();
    return T_DONE();
}
