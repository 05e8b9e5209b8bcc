/* SPDX-License-Identifier: MIT */
/*
 * Silence and lag, as a feed thread reports them. arbsim's soft stall keeps
 * the connection healthy (pings answered) but sends no data: the feed must
 * say STALE within stale_ms, then trust the venue again when quotes resume.
 * A stall past the watchdog forces a reconnect. Quotes whose exchange time
 * lags receipt by more than max_lag_ms come flagged STALE.
 */
#include "feed_sim.h"

#include <time.h>

#define NROWS    10
#define SEQ0     1000
#define STALE_MS 500 /* the watchdog reconnects after 3x this */

static const struct fs_quote rows[NROWS] = {
    {"1.0000", "100", "1.0001", "200", 100000000, 10000000000, 100010000, 20000000000},
    {"1.0001", "101", "1.0002", "201", 100010000, 10100000000, 100020000, 20100000000},
    {"1.0002", "102", "1.0003", "202", 100020000, 10200000000, 100030000, 20200000000},
    {"1.0003", "103", "1.0004", "203", 100030000, 10300000000, 100040000, 20300000000},
    {"1.0004", "104", "1.0005", "204", 100040000, 10400000000, 100050000, 20400000000},
    {"1.0005", "105", "1.0006", "205", 100050000, 10500000000, 100060000, 20500000000},
    {"1.0006", "106", "1.0007", "206", 100060000, 10600000000, 100070000, 20600000000},
    {"1.0007", "107", "1.0008", "207", 100070000, 10700000000, 100080000, 20700000000},
    {"1.0008", "108", "1.0009", "208", 100080000, 10800000000, 100090000, 20800000000},
    {"1.0009", "109", "1.0010", "209", 100090000, 10900000000, 100100000, 20900000000},
};

static struct fs_feed ff;

/* The next tick, which must be a quote whose values are its script row's. */
static bool next_bbo(struct arb_tick *t, unsigned timeout_ms)
{
    if (!fs_next(&ff, t, timeout_ms))
        return false;
    if (t->kind != ARB_TICK_BBO) {
        T_FAIL("kind %u flags %#x where a quote was due", t->kind, t->flags);
        return false;
    }
    if (!fs_same_quote(t, &rows[(t->seq - SEQ0) % NROWS]))
        T_FAIL("seq %llu does not carry its script row", (unsigned long long)t->seq);
    return true;
}

/* Drains quotes until a status tick; *last gets the last quote before it. */
static bool until_status(struct arb_tick *st, struct arb_tick *last, unsigned timeout_ms)
{
    uint64_t deadline = fs_now_ms() + timeout_ms;

    while (fs_now_ms() < deadline) {
        if (!fs_next(&ff, st, 20))
            continue;
        if (st->kind == ARB_TICK_STATUS)
            return true;
        if (!fs_same_quote(st, &rows[(st->seq - SEQ0) % NROWS]))
            T_FAIL("seq %llu does not carry its script row", (unsigned long long)st->seq);
        *last = *st;
    }
    return false;
}

static void test_stall(const char *arbsim, const char *script)
{
    struct arb_simproc sim;
    struct arb_tick t, last, st;
    const char *args[] = {"--venue", "binance",     "--script", script, "--loop",
                          "0",       "--seq-start", "1000",     NULL};

    fprintf(stderr, "-- soft stall shorter than the watchdog\n");
    fs_sim_start(&sim, arbsim, args);
    struct arb_feed_config cfg = fs_config();
    cfg.stale_ms = STALE_MS;
    cfg.ping_ms = 100;
    fs_feed_init(&ff, "binance", "USDCUSDT", "ws", sim.port, "/stream", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);
    for (int i = 0; i < 5; i++) {
        REQUIRE(next_bbo(&t, 5000));
        CHECK_EQ_I64(t.flags, 0);
    }
    last = t;
    uint64_t pings0 = fs_stat(&ff.feed.stats.pings);
    fs_sim_ok(&sim, "stall 900");
    REQUIRE(until_status(&st, &last, 5000));
    /* Stale, not down: the connection is fine, the data is not. */
    CHECK_EQ_U64(st.flags, ARB_TICK_F_STALE);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.stale), 1);
    CHECK(st.recv_ts_ns >= last.recv_ts_ns + STALE_MS * FS_MS);
    CHECK(st.recv_ts_ns <= last.recv_ts_ns + 5 * STALE_MS * FS_MS);
    /* The quotes due meanwhile arrive in a burst, unflagged and without a gap. */
    REQUIRE(next_bbo(&t, 5000));
    CHECK_EQ_I64(t.flags, 0);
    CHECK_EQ_U64(t.seq, last.seq + 1);
    CHECK(t.recv_ts_ns >= last.recv_ts_ns + 850 * FS_MS);
    for (int i = 0; i < 10; i++) {
        REQUIRE(next_bbo(&t, 5000));
        CHECK_EQ_I64(t.flags, 0);
    }
    /* Pings went out and were answered all along; nothing reconnected. */
    CHECK(fs_stat(&ff.feed.stats.pings) > pings0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.stale), 1);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.watchdog), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.disconnects), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.connects), 1);

    fprintf(stderr, "-- soft stall longer than the watchdog\n");
    last = t;
    fs_sim_ok(&sim, "stall 2500");
    REQUIRE(until_status(&st, &last, 5000));
    CHECK_EQ_U64(st.flags, ARB_TICK_F_STALE);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.stale), 2);
    /* At 3x stale_ms of silence the watchdog drops the connection that looks healthy. */
    REQUIRE(until_status(&st, &last, 5000));
    CHECK_EQ_U64(st.flags, ARB_TICK_F_DOWN | ARB_TICK_F_STALE);
    CHECK(st.recv_ts_ns >= last.recv_ts_ns + 3 * STALE_MS * FS_MS);
    CHECK(st.recv_ts_ns <= last.recv_ts_ns + 15 * STALE_MS * FS_MS);
    CHECK(fs_stat(&ff.feed.stats.watchdog) >= 1);
    CHECK(fs_stat(&ff.feed.stats.disconnects) >= 1);
    /* After the stall a new connection streams again, unflagged. The stall is arbsim-wide,
     * so the new connection may have been silenced (and dropped) too: skip its statuses. */
    uint64_t deadline = fs_now_ms() + 10000;
    bool resumed = false;
    while (!resumed && fs_now_ms() < deadline) {
        if (!fs_next(&ff, &t, 50))
            continue;
        if (t.kind == ARB_TICK_STATUS) {
            CHECK(t.flags & ARB_TICK_F_STALE);
            continue;
        }
        CHECK(fs_same_quote(&t, &rows[(t.seq - SEQ0) % NROWS]));
        CHECK_EQ_I64(t.flags, 0);
        resumed = true;
    }
    CHECK(resumed);
    CHECK(fs_stat(&ff.feed.stats.connects) >= 2);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.watchdog), fs_stat(&ff.feed.stats.disconnects));
    fs_feed_destroy(&ff);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

/* RFC 3339 with microseconds, as coinbase prints its times. */
static void rfc3339(uint64_t ns, char *out, size_t len)
{
    time_t sec = (time_t)(ns / 1000000000ULL);
    struct tm tm;
    char head[32];

    gmtime_r(&sec, &tm);
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, len, "%s.%06lluZ", head, (unsigned long long)(ns % 1000000000ULL / 1000));
}

static void test_lag(const char *arbsim, const char *dir)
{
    struct arb_simproc sim;
    struct arb_tick t;
    char cap[512], text[2048], old_ts[40], now_ts[40];
    uint64_t now = arb_clock_real_ns();

    /* Two minutes old, then current as of writing, then three years old. With max_lag_ms
     * at 30 s only the current one may be trusted, even on a slow machine. */
    fprintf(stderr, "-- lag\n");
    rfc3339(now - 120000 * FS_MS, old_ts, sizeof old_ts);
    rfc3339(now, now_ts, sizeof now_ts);
    snprintf(text, sizeof text,
             "1700000000000000000 {\"type\":\"ticker\",\"sequence\":10,\"product_id\":\"USDT-USD\","
             "\"best_bid\":\"0.9991\",\"best_bid_size\":\"100\",\"best_ask\":\"0.9993\","
             "\"best_ask_size\":\"200\",\"time\":\"%s\"}\n"
             "1700000000010000000 {\"type\":\"ticker\",\"sequence\":11,\"product_id\":\"USDT-USD\","
             "\"best_bid\":\"0.9992\",\"best_bid_size\":\"101\",\"best_ask\":\"0.9994\","
             "\"best_ask_size\":\"201\",\"time\":\"%s\"}\n"
             "1700000000020000000 {\"type\":\"ticker\",\"sequence\":12,\"product_id\":\"USDT-USD\","
             "\"best_bid\":\"0.9993\",\"best_bid_size\":\"102\",\"best_ask\":\"0.9995\","
             "\"best_ask_size\":\"202\",\"time\":\"2023-03-11T04:00:00.000000Z\"}\n",
             old_ts, now_ts);
    fs_write(dir, "lag.cap", text, cap, sizeof cap);
    const char *args[] = {"--venue", "coinbase", "--capture", cap, "--heartbeat-ms", "0", NULL};
    fs_sim_start(&sim, arbsim, args);
    struct arb_feed_config cfg = fs_config();
    cfg.max_lag_ms = 30000;
    fs_feed_init(&ff, "coinbase", "USDT-USD", "ws", sim.port, "/", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);
    static const uint8_t want_flags[3] = {ARB_TICK_F_STALE, 0, ARB_TICK_F_STALE};
    for (int i = 0; i < 3; i++) {
        REQUIRE(fs_next(&ff, &t, 5000));
        CHECK_EQ_I64(t.kind, ARB_TICK_BBO);
        CHECK_EQ_U64(t.seq, 10 + (unsigned)i);
        CHECK_EQ_I64(t.bid_px_e8, 99910000 + i * 10000);
        CHECK(t.have & ARB_TICK_HAVE_EXCH_TS);
        CHECK_EQ_U64(t.flags, want_flags[i]);
    }
    CHECK_EQ_U64(t.exch_ts_ns, 1678507200000000000ULL); /* 2023-03-11T04:00:00Z */
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.lagging), 2);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.gaps), 0);
    fs_feed_destroy(&ff);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    char dir[128], script[512];

    fs_tmpdir(dir, sizeof dir, "feed_stale");
    fs_write_script(dir, "quotes.csv", "USDCUSDT", rows, NROWS, 10, script, sizeof script);
    test_stall(arbsim, script);
    test_lag(arbsim, dir);
    fs_rmdir(dir);
    return T_DONE();
}
