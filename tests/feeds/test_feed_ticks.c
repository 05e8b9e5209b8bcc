/* SPDX-License-Identifier: MIT */
/*
 * A feed thread against arbsim for binance, coinbase and kraken: every
 * scripted quote arrives once, in order, as a BBO tick with the script's
 * exact fixed-point prices and quantities, the venue's sequence and no flags.
 */
#include "feed_sim.h"

/* Decimals of several widths, both sides of 1, the smallest step and whole numbers. */
static const struct fs_quote quotes[] = {
    {"1.0002", "1250000.5", "1.0003", "980000.25", 100020000, 125000050000000, 100030000,
     98000025000000},
    {"0.99987654", "12.3456789", "0.99991234", "0.00000001", 99987654, 1234567890, 99991234, 1},
    {"1.1", "1", "1.2", "2", 110000000, 100000000, 120000000, 200000000},
    {"0.874", "25000", "0.878", "19000.5", 87400000, 2500000000000, 87800000, 1900050000000},
    {"1", "0.5", "1.00000001", "7", 100000000, 50000000, 100000001, 700000000},
};
#define NQ ((int)(sizeof quotes / sizeof quotes[0]))

struct venue_case {
    const char *venue;
    const char *symbol; /* the venue's spelling, in the script and the subscription */
    const char *path;   /* URL path arbsim serves the venue's protocol on */
    const char *canon;  /* the registry's instrument name */
    bool has_seq;       /* messages carry a sequence number */
    bool has_exch_ts;   /* messages carry an exchange time */
};

static const struct venue_case cases[] = {
    {"binance", "USDCUSDT", "/stream", "USDC/USDT", true, false},
    {"coinbase", "USDT-USD", "/", "USDT/USD", true, true},
    {"kraken", "USDC/USD", "/v2", "USDC/USD", false, true},
};

static struct fs_feed ff;

static void run(const char *arbsim, const char *dir, const struct venue_case *vc)
{
    char script[512];
    struct arb_simproc sim;
    struct arb_tick t;
    uint64_t t0 = arb_clock_now_ns(), prev_recv = 0;

    fprintf(stderr, "-- %s\n", vc->venue);
    fs_write_script(dir, "quotes.csv", vc->symbol, quotes, NQ, 20, script, sizeof script);
    const char *args[] = {"--venue", vc->venue, "--script", script, "--seq-start", "7000", NULL};
    fs_sim_start(&sim, arbsim, args);
    fs_feed_init(&ff, vc->venue, vc->symbol, "ws", sim.port, vc->path, fs_config());
    int venue_id = arb_registry_find_venue(&ff.reg, vc->venue);
    int inst = arb_registry_find_instrument(&ff.reg, vc->canon);
    REQUIRE(venue_id >= 0 && inst >= 0);
    REQUIRE(arb_feed_start(&ff.feed) == 0);

    for (int i = 0; i < NQ; i++) {
        if (!fs_next(&ff, &t, 5000)) {
            T_FAIL("%s: tick %d did not arrive", vc->venue, i);
            break;
        }
        if (!fs_same_quote(&t, &quotes[i]))
            T_FAIL("%s: tick %d: kind %u bid %lld x %lld ask %lld x %lld, want %s x %s / %s x %s",
                   vc->venue, i, t.kind, (long long)t.bid_px_e8, (long long)t.bid_qty_e8,
                   (long long)t.ask_px_e8, (long long)t.ask_qty_e8, quotes[i].bid,
                   quotes[i].bid_qty, quotes[i].ask, quotes[i].ask_qty);
        CHECK_EQ_I64(t.venue, venue_id);
        CHECK_EQ_I64(t.instrument, inst);
        CHECK_EQ_I64(t.flags, 0);
        uint16_t want_have = ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK |
                             ARB_TICK_HAVE_ASK_QTY | (vc->has_seq ? ARB_TICK_HAVE_SEQ : 0) |
                             (vc->has_exch_ts ? ARB_TICK_HAVE_EXCH_TS : 0);
        CHECK_EQ_U64(t.have, want_have);
        CHECK_EQ_U64(t.seq, vc->has_seq ? 7000u + (unsigned)i : 0u);
        /* Stamped on receipt, in order, during this run. */
        CHECK(t.recv_ts_ns >= t0 && t.recv_ts_ns <= arb_clock_now_ns());
        CHECK(t.recv_ts_ns >= prev_recv);
        prev_recv = t.recv_ts_ns;
        /* arbsim stamps the present: sent before it was received, give or take clock steps. */
        if (vc->has_exch_ts)
            CHECK(t.exch_ts_ns >= t0 - 1000 * FS_MS && t.exch_ts_ns <= t.recv_ts_ns + FS_MS);
    }
    /* One pass: nothing after the last row. */
    CHECK(!fs_next(&ff, &t, 300) || t.kind != ARB_TICK_BBO);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.ticks), NQ);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.malformed), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.unknown), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.gaps), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.lagging), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.connects), 1);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.disconnects), 0);
    /* The subscription answer (and kraken's status message) are counted, not ticked. */
    CHECK(fs_stat(&ff.feed.stats.skipped) >= 1);
    fs_feed_destroy(&ff);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    char dir[128];

    fs_tmpdir(dir, sizeof dir, "feed_ticks");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(arbsim, dir, &cases[i]);
    fs_rmdir(dir);
    return T_DONE();
}
