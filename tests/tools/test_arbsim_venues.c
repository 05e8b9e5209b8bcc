/* SPDX-License-Identifier: MIT */
/*
 * arbsim speaks each venue's protocol: subscription answers, greetings and
 * heartbeats per venue, scripted prices that the project's own parsers read
 * back to the script's exact values, and capture playback (times, filtering,
 * a real recording frame for frame).
 */
#include "test_arbsim.h"

#include "core/fixed.h"
#include "core/symtab.h"
#include "feeds/capture.h"
#include "feeds/parser.h"

static struct t_ws w;
static char buf[1 << 16];

#define E8(s)             fixed_e8(s)
#define STARTS(s, prefix) (strncmp((s), (prefix), strlen(prefix)) == 0)

static int64_t fixed_e8(const char *s)
{
    int64_t v = 0;

    REQUIRE(arb_fixed_parse_cstr(s, &v) == 0);
    return v;
}

/* Parses msg with the venue's parser (symbol -> instrument 0). Returns the tick count. */
static int parse(const char *venue, const char *sym, const char *msg, struct arb_tick *t, int max)
{
    const struct arb_feed_ops *ops = arb_feed_ops_find(venue);
    static struct arb_symtab tab;
    struct arb_parser p;
    size_t n = strlen(msg);
    char *copy = malloc(n + 1); /* exact size, so ASan sees any overread */
    int rc;

    REQUIRE(ops);
    arb_symtab_init(&tab);
    REQUIRE(arb_symtab_add(&tab, sym, strlen(sym), 0) == 0);
    arb_parser_init(&p, 3, &tab);
    memcpy(copy, msg, n);
    rc = ops->parse(&p, copy, n, 1, t, max);
    free(copy);
    return rc;
}

/* Reads text frames until one equals want; false after 3 s. */
static int recv_until(char *out, size_t cap, const char *want)
{
    uint64_t end = t_now_ms() + 3000;

    while (t_now_ms() < end)
        if (t_ws_recv_text(&w, 500, out, cap, NULL) == ARB_WS_TEXT && strcmp(out, want) == 0)
            return 1;
    return 0;
}

static void start(struct arb_simproc *s, const char *venue, const char *script, const char *extra)
{
    char path[512];
    const char *args[] = {"--venue",     venue, "--script",       t_src(script, path, sizeof path),
                          "--seq-start", "500", "--heartbeat-ms", "200",
                          extra,         NULL};

    t_sim_start(s, args);
}

static void test_binance(void)
{
    struct arb_simproc sim;
    struct arb_tick t[4];
    uint64_t u0;

    start(&sim, "binance", "data/scripts/usdcusdt_binance.csv", NULL);
    /* Nothing streams before a subscription. */
    t_ws_connect(&w, sim.port, "/ws", NULL);
    CHECK_EQ_I64(t_ws_recv_text(&w, 300, buf, sizeof buf, NULL), T_WS_TIMEOUT);
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"SUBSCRIBE\",\"params\":[\"usdcusdt@bookTicker\"],"
                               "\"id\":7}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK_STR(buf, "{\"result\":null,\"id\":7}");
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    /* Row 1 of the script, in Binance's 8-decimal strings. */
    CHECK_STR(buf, "{\"u\":500,\"s\":\"USDCUSDT\",\"b\":\"1.00000000\",\"B\":\"1250000.00000000\","
                   "\"a\":\"1.00010000\",\"A\":\"980000.00000000\"}");
    REQUIRE(parse("binance", "USDCUSDT", buf, t, 4) == 1);
    CHECK_EQ_I64(t[0].kind, ARB_TICK_BBO);
    CHECK_EQ_I64(t[0].bid_px_e8, E8("1.0000"));
    CHECK_EQ_I64(t[0].bid_qty_e8, E8("1250000"));
    CHECK_EQ_I64(t[0].ask_px_e8, E8("1.0001"));
    CHECK_EQ_I64(t[0].ask_qty_e8, E8("980000"));
    CHECK_EQ_U64(t[0].seq, 500);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    u0 = t_json_u64(buf, "\"u\":");
    CHECK_EQ_U64(u0, 501);
    REQUIRE(parse("binance", "USDCUSDT", buf, t, 4) == 1);
    CHECK_EQ_I64(t[0].bid_qty_e8, E8("1190000"));

    /* Other requests of the protocol. */
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":8}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, "\"u\":") == ARB_WS_TEXT);
    CHECK_STR(buf, "{\"result\":[\"usdcusdt@bookTicker\"],\"id\":8}");
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"SUBSCRIBE\",\"params\":\"x\",\"id\":9}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, "\"u\":") == ARB_WS_TEXT);
    CHECK(strstr(buf, "\"error\":{\"code\":2") && strstr(buf, "\"id\":9}"));
    REQUIRE(t_ws_send_text(&w, "{\"method\":") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, "\"u\":") == ARB_WS_TEXT);
    CHECK(strstr(buf, "\"code\":3") != NULL);
    t_ws_close(&w);

    /* Combined streams named in the URL start without a SUBSCRIBE, wrapped with the stream. */
    t_ws_connect(&w, sim.port, "/stream?streams=usdcusdt@bookTicker", NULL);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK(STARTS(buf, "{\"stream\":\"usdcusdt@bookTicker\",\"data\":{\"u\":"));
    REQUIRE(parse("binance", "USDCUSDT", buf, t, 4) == 1);
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

static void test_binance_futures(void)
{
    struct arb_simproc sim;
    struct arb_tick t[4];
    int books = 0, marks = 0;

    start(&sim, "binance-futures", "data/scripts/btcusdt_binance_futures.csv", NULL);
    t_ws_connect(&w, sim.port, "/stream", NULL);
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@bookTicker\","
                               "\"btcusdt@markPrice@1s\"],\"id\":1}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK_STR(buf, "{\"result\":null,\"id\":1}");
    while (books < 2 || marks < 1) {
        REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
        REQUIRE(parse("binance-futures", "BTCUSDT", buf, t, 4) == 1);
        if (strstr(buf, "\"e\":\"markPriceUpdate\"")) {
            /* Row 1: funding 0.00010000 and mark 27150.47, 8 decimals as Binance prints. */
            CHECK(strstr(buf, "\"p\":\"27150.47000000\"") && strstr(buf, "\"r\":\"0.00010000\""));
            CHECK_EQ_I64(t[0].kind, ARB_TICK_FUNDING);
            CHECK_EQ_I64(t[0].mark_px_e8, E8("27150.47"));
            CHECK_EQ_I64(t[0].funding_rate_e8, E8("0.0001"));
            /* Next funding is on an 8-hour boundary. */
            CHECK_EQ_U64(t[0].next_funding_ts_ns % (8ULL * 3600 * 1000000000ULL), 0);
            marks++;
        } else {
            CHECK_EQ_I64(t[0].kind, ARB_TICK_BBO);
            if (books == 0) {
                /* Futures print the contract's tick and step, as the script gives them. */
                CHECK(strstr(buf, "\"b\":\"27150.10\",\"B\":\"3.512\"") != NULL);
                CHECK_EQ_I64(t[0].bid_px_e8, E8("27150.10"));
                CHECK_EQ_I64(t[0].ask_qty_e8, E8("1.208"));
                CHECK_EQ_U64(t[0].seq, 500);
            }
            books++;
        }
    }
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

static void test_coinbase(void)
{
    struct arb_simproc sim;
    struct arb_tick t[4];
    int tickers = 0, beats = 0;

    start(&sim, "coinbase", "data/scripts/usdtusd_coinbase.csv", NULL);
    t_ws_connect(&w, sim.port, "/", NULL);
    REQUIRE(t_ws_send_text(&w, "{\"type\":\"subscribe\",\"product_ids\":[\"USDT-USD\"],"
                               "\"channels\":[\"ticker\",\"heartbeat\"]}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK_STR(buf, "{\"type\":\"subscriptions\",\"channels\":[{\"name\":\"heartbeat\","
                   "\"product_ids\":[\"USDT-USD\"]},{\"name\":\"ticker\",\"product_ids\":"
                   "[\"USDT-USD\"]}]}");
    while (tickers < 2 || beats < 2) {
        REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
        if (strstr(buf, "\"type\":\"heartbeat\"")) {
            CHECK(strstr(buf, "\"product_id\":\"USDT-USD\"") != NULL);
            CHECK(parse("coinbase", "USDT-USD", buf, t, 4) <= 0); /* no tick from a heartbeat */
            beats++;
            continue;
        }
        REQUIRE(parse("coinbase", "USDT-USD", buf, t, 4) == 1);
        CHECK_EQ_U64(t[0].seq, 500 + (uint64_t)tickers);
        if (tickers == 0) {
            CHECK_EQ_I64(t[0].bid_px_e8, E8("1.0006"));
            CHECK_EQ_I64(t[0].bid_qty_e8, E8("250000"));
            CHECK_EQ_I64(t[0].ask_px_e8, E8("1.0007"));
            CHECK_EQ_I64(t[0].ask_qty_e8, E8("180000"));
            CHECK(t[0].exch_ts_ns > 0);
        }
        tickers++;
    }
    REQUIRE(t_ws_send_text(&w, "{\"type\":\"subscribe\",\"channels\":[\"ticker\"]}") == 0);
    CHECK(recv_until(buf, sizeof buf,
                     "{\"type\":\"error\",\"message\":\"Failed to subscribe\","
                     "\"reason\":\"No product ids provided\"}"));
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

static void test_kraken(void)
{
    struct arb_simproc sim;
    struct arb_tick t[4];
    int n;

    start(&sim, "kraken", "data/scripts/usdcusd_kraken.csv", NULL);
    /* v2 on /v2: status greeting, method replies, a snapshot first, then updates. */
    t_ws_connect(&w, sim.port, "/v2", NULL);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK(STARTS(buf, "{\"channel\":\"status\",\"data\":[{\"api_version\":\"v2\""));
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"subscribe\",\"params\":{\"channel\":\"ticker\","
                               "\"symbol\":[\"USDC/USD\"]},\"req_id\":3}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK(STARTS(buf, "{\"method\":\"subscribe\",\"req_id\":3,\"result\":{\"channel\":\"ticker\""));
    CHECK(strstr(buf, "\"symbol\":\"USDC/USD\"},\"success\":true,\"time_in\":\"") != NULL);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK(strstr(buf, "{\"channel\":\"ticker\",\"type\":\"snapshot\"") == buf);
    REQUIRE(parse("kraken", "USDC/USD", buf, t, 4) == 1);
    CHECK_EQ_I64(t[0].bid_px_e8, E8("0.9999"));
    CHECK_EQ_I64(t[0].bid_qty_e8, E8("520000"));
    CHECK_EQ_I64(t[0].ask_px_e8, E8("1"));
    CHECK_EQ_I64(t[0].ask_qty_e8, E8("410000"));
    /* Between updates 500 ms apart, Kraken's heartbeat fills the silence (period 200 ms). */
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK_STR(buf, "{\"channel\":\"heartbeat\"}");
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, "heartbeat") == ARB_WS_TEXT);
    CHECK(strstr(buf, "{\"channel\":\"ticker\",\"type\":\"update\"") == buf);
    REQUIRE(parse("kraken", "USDC/USD", buf, t, 4) == 1);
    CHECK_EQ_I64(t[0].bid_px_e8, E8("0.997"));
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"ping\",\"req_id\":11}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, "\"channel\":") == ARB_WS_TEXT);
    CHECK(STARTS(buf, "{\"method\":\"pong\",\"req_id\":11,"));
    t_ws_close(&w);

    /* v1 on /: systemStatus, one subscriptionStatus per pair, array tickers. */
    t_ws_connect(&w, sim.port, "/", NULL);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK(strstr(buf, "\"event\":\"systemStatus\",\"status\":\"online\"") != NULL);
    REQUIRE(t_ws_send_text(&w, "{\"event\":\"subscribe\",\"pair\":[\"USDC/USD\"],"
                               "\"subscription\":{\"name\":\"ticker\"},\"reqid\":5}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK(strstr(buf, "\"event\":\"subscriptionStatus\",\"pair\":\"USDC/USD\",\"reqid\":5,"
                      "\"status\":\"subscribed\",\"subscription\":{\"name\":\"ticker\"}}") != NULL);
    n = 0;
    while (n < 1) {
        REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, "\"event\":\"heartbeat\"") ==
                ARB_WS_TEXT);
        CHECK(buf[0] == '[');
        REQUIRE(parse("kraken", "USDC/USD", buf, t, 4) == 1);
        CHECK(t[0].bid_px_e8 > 0 && t[0].ask_px_e8 > t[0].bid_px_e8);
        n++;
    }
    REQUIRE(t_ws_send_text(&w, "{\"event\":\"bogus\"}") == 0);
    CHECK(recv_until(buf, sizeof buf,
                     "{\"errorMessage\":\"Unsupported event\",\"event\":\"error\"}"));
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

/* A capture of our own, written in the cryptofeed form: times, META lines, two symbols. */
static void test_capture_timing(void)
{
    char path[] = "/tmp/arbsim_capXXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct arb_simproc sim;
    uint64_t t[4];
    int got = 0;

    REQUIRE(f);
    fprintf(f, "wss://stream.binance.com:9443/ws <-> 1633998511.159679\n");
    for (int i = 0; i < 4; i++) {
        fprintf(f,
                "16339985%02d.000000: {\"u\":%d,\"s\":\"AAAUSDT\",\"b\":\"1\",\"B\":\"1\","
                "\"a\":\"2\",\"A\":\"1\"}\n",
                12 + i * 2, i);
        fprintf(f,
                "16339985%02d.500000: {\"u\":%d,\"s\":\"BBBUSDT\",\"b\":\"1\",\"B\":\"1\","
                "\"a\":\"2\",\"A\":\"1\"}\n",
                12 + i * 2, 100 + i);
    }
    fclose(f);
    {
        /* Recorded 2 s apart, played at speed 10: 200 ms apart. */
        const char *args[] = {"--venue", "binance", "--capture", path, "--speed", "10", NULL};
        t_sim_start(&sim, args);
    }
    t_ws_connect(&w, sim.port, "/ws", NULL);
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"SUBSCRIBE\",\"params\":[\"aaausdt@bookTicker\"],"
                               "\"id\":1}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    while (got < 4) {
        REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
        /* Only the subscribed symbol, in recorded order. */
        CHECK(strstr(buf, "\"s\":\"AAAUSDT\"") != NULL);
        CHECK_EQ_U64(t_json_u64(buf, "\"u\":"), (uint64_t)got);
        t[got++] = t_now_ms();
    }
    /* Loose bounds: honouring the recorded gaps, not measuring the scheduler. */
    CHECK(t[3] - t[0] >= 500 && t[3] - t[0] < 3000);
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
    unlink(path);
}

/* A real recording plays back frame for frame and byte for byte. */
static void test_capture_real(void)
{
    char path[512], line[1 << 16];
    FILE *f = fopen(t_src("data/recorded/BINANCE.ws.1.0", path, sizeof path), "r");
    struct arb_simproc sim;
    int frames = 0, got = 0, op;
    const char *args[] = {"--venue", "binance",       "--capture",      path,
                          "--flood", "--all-symbols", "--close-at-end", NULL};

    if (!f) {
        fprintf(stderr, "note: %s missing, real capture not played\n", path);
        return;
    }
    while (fgets(line, sizeof line, f))
        if (line[0] >= '0' && line[0] <= '9')
            frames++;
    t_sim_start(&sim, args);
    t_ws_connect(&w, sim.port, "/stream?streams=nknusdt@bookTicker", NULL);
    rewind(f);
    while ((op = t_ws_recv(&w, 5000, buf, sizeof buf, NULL)) == ARB_WS_TEXT) {
        const char *payload;
        size_t plen;
        uint64_t ts;
        do {
            REQUIRE(fgets(line, sizeof line, f));
            line[strcspn(line, "\n")] = '\0';
        } while (arb_capture_line(line, strlen(line), &ts, &payload, &plen) != ARB_CAPTURE_FRAME);
        if (strlen(buf) != plen || memcmp(buf, payload, plen) != 0) {
            T_FAIL("frame %d differs from the recording", got);
            break;
        }
        got++;
    }
    CHECK_EQ_I64(op, ARB_WS_CLOSE);
    CHECK_EQ_I64(got, frames);
    fclose(f);
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

int main(void)
{
    test_binance();
    test_binance_futures();
    test_coinbase();
    test_kraken();
    test_capture_timing();
    test_capture_real();
    return T_DONE();
}
