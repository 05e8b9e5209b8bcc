/* SPDX-License-Identifier: MIT */
/* feeds/binance.c: spot bookTicker, raw and combined, against recorded messages. */
#include "feed_test.h"

#include "feeds/json.h"

static const char *const syms[] = {"NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR", "BTCUSDT", "BNBUSDT"};

#define BBO_HAVE                                                                                   \
    (ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK | ARB_TICK_HAVE_ASK_QTY |       \
     ARB_TICK_HAVE_SEQ)

static void test_combined_recorded(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[4];
    size_t len;
    uint64_t ts;
    /* Line 9, 1633998513.377805: {"stream":"nknusdt@bookTicker","data":{"u":499869768,
     * "s":"NKNUSDT","b":"0.35210000","B":"672.00000000","a":"0.35260000","A":"3199.00000000"}} */
    char *msg = ft_line("recorded/BINANCE.ws.1.0", 9, &len, &ts);

    ft_parser(&p, &st, syms, 6);
    CHECK_EQ_U64(ts, 1633998513377805000ULL);
    REQUIRE(arb_feed_binance.parse(&p, msg, len, ts, t, 4) == 1);
    CHECK_EQ_I64(t[0].kind, ARB_TICK_BBO);
    CHECK_EQ_I64(t[0].venue, 7);
    CHECK_EQ_I64(t[0].instrument, 0);
    CHECK_EQ_I64(t[0].bid_px_e8, 35210000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 67200000000);
    CHECK_EQ_I64(t[0].ask_px_e8, 35260000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 319900000000);
    CHECK_EQ_U64(t[0].seq, 499869768);
    CHECK_EQ_U64(t[0].recv_ts_ns, 1633998513377805000ULL);
    /* Spot bookTicker carries no event time. */
    CHECK_EQ_U64(t[0].exch_ts_ns, 0);
    CHECK_EQ_I64(t[0].have, BBO_HAVE);
    CHECK_EQ_I64(t[0].flags, 0);
    CHECK_EQ_U64(p.stats.msgs, 1);
    CHECK_EQ_U64(p.stats.events, 1);
    ft_check_prefixes(&arb_feed_binance, &p,
                      "{\"stream\":\"nknusdt@bookTicker\",\"data\":{\"u\":"
                      "499869768,\"s\":\"NKNUSDT\",\"b\":\"0.35210000\","
                      "\"B\":\"672.00000000\",\"a\":\"0.35260000\",\"A\":"
                      "\"3199.00000000\"}}");
    free(msg);
}

static void test_combined_tardis(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[4];
    size_t len;
    uint64_t ts;
    /* messages line 3: {"stream":"btcusdt@bookTicker","data":{"u":1127645101,"s":"BTCUSDT",
     * "b":"8010.00000000","B":"0.14245900","a":"8012.15000000","A":"0.03120100"}} */
    char *msg = ft_line("messages/binance_messages.jsonl", 3, &len, &ts);

    ft_parser(&p, &st, syms, 6);
    CHECK_EQ_U64(ts, 0);
    REQUIRE(arb_feed_binance.parse(&p, msg, len, 42, t, 4) == 1);
    CHECK_EQ_I64(t[0].instrument, 4);
    CHECK_EQ_I64(t[0].bid_px_e8, 801000000000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 14245900);
    CHECK_EQ_I64(t[0].ask_px_e8, 801215000000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 3120100);
    CHECK_EQ_U64(t[0].seq, 1127645101);
    CHECK_EQ_U64(t[0].recv_ts_ns, 42);
    CHECK_EQ_I64(t[0].have, BBO_HAVE);
    free(msg);
}

static void test_raw(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    /* Binance's documented raw bookTicker (the <symbol>@bookTicker stream, no wrapper). */
    const char *doc =
        "{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\",\"B\":\"31.21000000\","
        "\"a\":\"25.36520000\",\"A\":\"40.66000000\"}";
    /* The data object of BINANCE.ws.1.0 line 10, byte for byte, as the raw stream sends it. */
    const char *rec =
        "{\"u\":499869769,\"s\":\"NKNUSDT\",\"b\":\"0.35210000\",\"B\":\"672.00000000\","
        "\"a\":\"0.35250000\",\"A\":\"1123.00000000\"}";

    ft_parser(&p, &st, syms, 6);
    REQUIRE(ft_parse(&arb_feed_binance, &p, doc, 5, t, 2) == 1);
    CHECK_EQ_I64(t[0].instrument, 5);
    CHECK_EQ_I64(t[0].bid_px_e8, 2535190000);
    CHECK_EQ_I64(t[0].bid_qty_e8, 3121000000);
    CHECK_EQ_I64(t[0].ask_px_e8, 2536520000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 4066000000);
    CHECK_EQ_U64(t[0].seq, 400900217);
    CHECK_EQ_I64(t[0].have, BBO_HAVE);
    REQUIRE(ft_parse(&arb_feed_binance, &p, rec, 5, t, 2) == 1);
    CHECK_EQ_I64(t[0].instrument, 0);
    CHECK_EQ_I64(t[0].ask_px_e8, 35250000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 112300000000);
    CHECK_EQ_U64(t[0].seq, 499869769);
    /* Field order and whitespace are not part of the format. */
    REQUIRE(ft_parse(&arb_feed_binance, &p,
                     " { \"A\" : \"1\" , \"a\":\"2\",\"B\":\"3\",\"b\":\"1.5\",\"s\":\"BNBUSDT\","
                     "\"x\":[1,{\"y\":\"}\"}],\"u\":9 }\n",
                     5, t, 2) == 1);
    CHECK_EQ_I64(t[0].bid_px_e8, 150000000);
    CHECK_EQ_I64(t[0].ask_qty_e8, 100000000);
    CHECK_EQ_U64(t[0].seq, 9);
    ft_check_prefixes(&arb_feed_binance, &p, doc);
}

static void test_other_kinds(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t len;
    uint64_t ts;
    int skipped = 0;

    ft_parser(&p, &st, syms, 6);
    /* Every line of binance_messages.jsonl except line 3 is a trade, depth, ticker or
     * snapshot: valid Binance, but not a kind this parser handles. */
    for (int line = 1; line <= 10; line++) {
        if (line == 3)
            continue;
        char *msg = ft_line("messages/binance_messages.jsonl", line, &len, &ts);
        int rc = arb_feed_binance.parse(&p, msg, len, 1, t, 2);
        if (rc != ARB_PARSE_SKIP)
            T_FAIL("line %d: rc %d, want skip", line, rc);
        skipped++;
        free(msg);
    }
    /* Recorded depthUpdate (line 2), aggTrade and kline, from the capture. */
    char *msg = ft_line("recorded/BINANCE.ws.1.0", 2, &len, &ts);
    CHECK_EQ_I64(arb_feed_binance.parse(&p, msg, len, ts, t, 2), ARB_PARSE_SKIP);
    skipped++;
    free(msg);
    CHECK_EQ_I64(ft_parse(&arb_feed_binance, &p, "{\"result\":null,\"id\":1}", 1, t, 2),
                 ARB_PARSE_SKIP);
    CHECK_EQ_I64(
        ft_parse(&arb_feed_binance, &p, "{\"code\":2,\"msg\":\"Invalid request\"}", 1, t, 2),
        ARB_PARSE_SKIP);
    skipped += 2;
    /* markPriceUpdate is a futures event: the spot plug-in does not take it. */
    CHECK_EQ_I64(ft_parse(&arb_feed_binance, &p,
                          "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\"}", 1, t,
                          2),
                 ARB_PARSE_SKIP);
    skipped++;
    CHECK_EQ_U64(p.stats.skipped, (uint64_t)skipped);
    CHECK_EQ_U64(p.stats.events, 0);
    CHECK_EQ_U64(p.stats.malformed, 0);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        "garbage",
        "{",
        "}",
        "{}}",
        "[{]",
        "{\"e\":5}",
        "{\"u\":1,\"s\":\"BNBUSDT\"}", /* bookTicker, no prices */
        "{\"u\":\"1\",\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}", /* u
                                                                                              string
                                                                                            */
        "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":25.35,\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}", /* number */
        "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1e3\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"0.123456789\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"u\":1,\"s\":5,\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"u\":-1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}x",
        "{\"u\":1,\"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\",}",
        "{\"u\":1 \"s\":\"BNBUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}",
        "{\"stream\":\"x\",\"data\":\"y\"}",
        "{\"stream\":\"x\",\"data\":{\"u\":1,\"s\":\"BNBUSDT\"}",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
        "[[["
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
        "]]}",
        "{\"a\":[}",
        "{\"a\":tru}",
        "{\"a\":\"\\\"}",
    };
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    size_t n = sizeof(bad) / sizeof(bad[0]);

    ft_parser(&p, &st, syms, 6);
    for (size_t i = 0; i < n; i++) {
        int rc = ft_parse(&arb_feed_binance, &p, bad[i], 1, t, 2);
        if (rc != ARB_PARSE_MALFORMED)
            T_FAIL("bad[%zu] '%s': rc %d, want malformed", i, bad[i], rc);
    }
    CHECK_EQ_U64(p.stats.malformed, n);
    CHECK_EQ_U64(p.stats.msgs, n);
    /* A valid message with no room for a tick is refused, not written past out. */
    CHECK_EQ_I64(ft_parse(&arb_feed_binance, &p, "{\"result\":null,\"id\":1}", 1, t, 0),
                 ARB_PARSE_MALFORMED);
}

/* The resolve fallback: records what it was asked and registers as instrument 77. */
static int resolved;

static int resolve77(void *ctx, const char *sym, size_t len)
{
    struct arb_symtab *st = ctx;

    resolved++;
    if (len != 7 || memcmp(sym, "ETHUSDT", 7) != 0)
        return -1;
    return arb_symtab_add(st, sym, len, 77) == 0 ? 77 : -1;
}

static void test_unknown_symbol(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick t[2];
    const char *eth = "{\"u\":1,\"s\":\"ETHUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}";
    const char *xrp = "{\"u\":1,\"s\":\"XRPUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}";

    ft_parser(&p, &st, syms, 6);
    CHECK_EQ_I64(ft_parse(&arb_feed_binance, &p, eth, 1, t, 2), ARB_PARSE_UNKNOWN);
    CHECK_EQ_U64(p.stats.unknown_symbol, 1);
    /* Malformed beats unknown: the symbol is looked up only for well-formed messages. */
    CHECK_EQ_I64(
        ft_parse(&arb_feed_binance, &p,
                 "{\"u\":1,\"s\":\"ETHUSDT\",\"b\":\"x\",\"B\":\"1\",\"a\":\"1\",\"A\":\"1\"}", 1,
                 t, 2),
        ARB_PARSE_MALFORMED);
    p.resolve = resolve77;
    p.resolve_ctx = &st;
    CHECK_EQ_I64(ft_parse(&arb_feed_binance, &p, eth, 1, t, 2), 1);
    CHECK_EQ_I64(t[0].instrument, 77);
    CHECK_EQ_I64(ft_parse(&arb_feed_binance, &p, eth, 1, t, 2), 1);
    CHECK_EQ_I64(resolved, 1); /* the second time, symtab knew it */
    CHECK_EQ_I64(ft_parse(&arb_feed_binance, &p, xrp, 1, t, 2), ARB_PARSE_UNKNOWN);
    CHECK_EQ_U64(p.stats.unknown_symbol, 2);
    CHECK_EQ_U64(p.stats.events, 2);
}

static void test_whole_file(void)
{
    struct arb_symtab st;
    struct arb_parser p;
    struct ft_counts c;

    ft_parser(&p, &st, syms, 4);
    ft_run_file(&arb_feed_binance, &p, "recorded/BINANCE.ws.1.0", &c);
    /* Counted independently: `grep -c '@bookTicker","data"'` gives 84 bookTicker frames;
     * python3's json module finds 265 received frames (177 depthUpdate, 2 aggTrade,
     * 2 kline) and one connection line. */
    CHECK_EQ_U64(c.meta, 1);
    CHECK_EQ_U64(c.frames, 265);
    CHECK_EQ_U64(c.events, 84);
    CHECK_EQ_U64(p.stats.events, 84);
    CHECK_EQ_U64(p.stats.skipped, 181);
    CHECK_EQ_U64(p.stats.malformed, 0);
    CHECK_EQ_U64(p.stats.unknown_symbol, 0);
    CHECK(c.seq_ok);
}

static void test_subscribe(void)
{
    const char *const s[] = {"BTCUSDT", "USDCUSDT"};
    char buf[256];
    const char *want = "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\","
                       "\"usdcusdt@bookTicker\"],\"id\":1}\n";
    int n = arb_feed_binance.subscribe(s, 2, buf, sizeof(buf));

    REQUIRE(n == (int)strlen(want));
    CHECK(memcmp(buf, want, (size_t)n) == 0);
    CHECK_EQ_I64(arb_feed_binance.subscribe(s, 2, buf, 40), -ENOSPC);
    CHECK_STR(arb_feed_binance.name, "binance");
    CHECK(arb_feed_ops_find("binance") == &arb_feed_binance);
    CHECK(arb_feed_ops_find("binance-us") == NULL);
}

int main(void)
{
    test_combined_recorded();
    test_combined_tardis();
    test_raw();
    test_other_kinds();
    test_malformed();
    test_unknown_symbol();
    test_whole_file();
    test_subscribe();
    return T_DONE();
}
