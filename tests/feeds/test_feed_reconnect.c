/* SPDX-License-Identifier: MIT */
/*
 * A feed thread through arbsim's connection drops (reset, FIN, and FIN in the
 * middle of a frame): each gives one DOWN|STALE status tick and one counted
 * disconnect, the reconnect waits out its backoff, the subscription goes out
 * again, ticks resume, and no part of a cut message is ever delivered. With
 * the venue gone, retries back off instead of spinning.
 */
#include "feed_sim.h"

#define NROWS      10
#define SEQ0       1000
#define BACKOFF_MS 200 /* reconnect_min_ms: the first retry waits 100..200 ms */

static struct fs_quote rows[NROWS];
static char text[NROWS][4][32];
static struct fs_feed ff;
static uint64_t bbo_seen;

/* Row i quotes bid 0.9990 + i bp and ask one bp above, sizes i+1 and 2(i+1) million and a bit. */
static void make_rows(void)
{
    for (int i = 0; i < NROWS; i++) {
        int64_t v[4] = {99900000 + i * 10000, (int64_t)(i + 1) * 100000000000000 + 12345678,
                        99910000 + i * 10000, (int64_t)(i + 1) * 200000000000000 + 5};
        for (int k = 0; k < 4; k++)
            snprintf(text[i][k], sizeof text[i][k], "%lld.%08lld", (long long)(v[k] / 100000000),
                     (long long)(v[k] % 100000000));
        rows[i] = (struct fs_quote){text[i][0], text[i][1], text[i][2], text[i][3],
                                    v[0],       v[1],       v[2],       v[3]};
    }
}

/* A BBO tick must be a whole row of the script: the one its sequence number names. */
static void check_bbo(const struct arb_tick *t)
{
    const struct fs_quote *q = &rows[(t->seq - SEQ0) % NROWS];

    bbo_seen++;
    if (t->seq < SEQ0 || !fs_same_quote(t, q))
        T_FAIL("tick seq %llu: bid %lld x %lld ask %lld x %lld is not its script row",
               (unsigned long long)t->seq, (long long)t->bid_px_e8, (long long)t->bid_qty_e8,
               (long long)t->ask_px_e8, (long long)t->ask_qty_e8);
    CHECK_EQ_I64(t->flags, 0);
}

/* Reads ticks until a STATUS one, checking the BBOs on the way. */
static bool next_status(struct arb_tick *st, unsigned timeout_ms)
{
    uint64_t deadline = fs_now_ms() + timeout_ms;

    while (fs_now_ms() < deadline) {
        if (!fs_next(&ff, st, 50))
            continue;
        if (st->kind == ARB_TICK_STATUS)
            return true;
        check_bbo(st);
    }
    return false;
}

/* The next BBO tick; a STATUS tick on the way fails the test. */
static bool next_bbo(struct arb_tick *t, unsigned timeout_ms)
{
    if (!fs_next(&ff, t, timeout_ms))
        return false;
    if (t->kind != ARB_TICK_BBO) {
        T_FAIL("kind %u flags %#x where a quote was due", t->kind, t->flags);
        return false;
    }
    check_bbo(t);
    return true;
}

/* One drop: status, counters, backoff, resubscription, resumed ticks. */
static void drop(struct arb_simproc *sim, const char *cmd, int round)
{
    struct arb_tick st, t;

    fprintf(stderr, "-- %s\n", cmd);
    REQUIRE(next_bbo(&t, 5000));
    fs_sim_ok(sim, cmd);
    if (!next_status(&st, 5000)) {
        T_FAIL("%s: no status tick", cmd);
        return;
    }
    CHECK_EQ_U64(st.flags, ARB_TICK_F_DOWN | ARB_TICK_F_STALE);
    CHECK_EQ_U64(st.venue, ff.feed.venue);
    CHECK_EQ_U64(st.have, 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.disconnects), (uint64_t)round);
    /* The first quote on the new connection: after the backoff, within a generous bound. */
    REQUIRE(next_bbo(&t, 5000));
    CHECK(t.recv_ts_ns >= st.recv_ts_ns + BACKOFF_MS / 2 * FS_MS);
    CHECK(t.recv_ts_ns <= st.recv_ts_ns + 25 * BACKOFF_MS * FS_MS);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.connects), (uint64_t)round + 1);
    /* Each connection subscribed once: binance answers every SUBSCRIBE with one ack, and
     * streams nothing to a connection that has not subscribed. */
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.skipped), (uint64_t)round + 1);
    CHECK_EQ_U64(fs_sim_stat(sim, "accepted"), (uint64_t)round + 1);
    for (int i = 0; i < 5; i++)
        REQUIRE(next_bbo(&t, 5000));
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    char dir[128], script[512];
    struct arb_simproc sim;
    struct arb_tick t;

    make_rows();
    fs_tmpdir(dir, sizeof dir, "feed_reconnect");
    fs_write_script(dir, "quotes.csv", "USDCUSDT", rows, NROWS, 10, script, sizeof script);
    const char *args[] = {"--venue", "binance",     "--script", script, "--loop",
                          "0",       "--seq-start", "1000",     NULL};
    fs_sim_start(&sim, arbsim, args);
    struct arb_feed_config cfg = fs_config();
    cfg.reconnect_min_ms = BACKOFF_MS;
    cfg.reconnect_max_ms = 800;
    fs_feed_init(&ff, "binance", "USDCUSDT", "ws", sim.port, "/stream", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);

    drop(&sim, "drop", 1);
    drop(&sim, "drop mid", 2);
    drop(&sim, "drop fin", 3);

    /* The venue goes away: closed with 1001, then refused. Retries back off (min 200 ms,
     * doubling to 800), so two seconds hold a handful of attempts, not thousands. */
    fprintf(stderr, "-- venue gone\n");
    uint64_t c0 = fs_stat(&ff.feed.stats.connects), d0 = fs_stat(&ff.feed.stats.disconnects);
    uint64_t statuses = 0;
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
    uint64_t t_end = fs_now_ms() + 2000;
    while (fs_now_ms() < t_end) {
        if (!fs_next(&ff, &t, 50))
            continue;
        if (t.kind == ARB_TICK_STATUS) {
            CHECK_EQ_U64(t.flags, ARB_TICK_F_DOWN | ARB_TICK_F_STALE);
            statuses++;
        } else {
            check_bbo(&t);
        }
    }
    uint64_t tries = fs_stat(&ff.feed.stats.connects) - c0;
    fprintf(stderr, "%llu connection attempts in 2 s\n", (unsigned long long)tries);
    CHECK(tries >= 2 && tries <= 12);
    /* One status per lost or failed connection, and they are the same events. */
    while (fs_next(&ff, &t, 0))
        statuses += t.kind == ARB_TICK_STATUS;
    arb_feed_stop(&ff.feed);
    while (arb_ring_spsc_pop(ff.ring, &t))
        statuses += t.kind == ARB_TICK_STATUS;
    CHECK_EQ_U64(statuses, fs_stat(&ff.feed.stats.disconnects) - d0);
    /* Every message the feed took in was a whole one: a quote or an ack, nothing torn.
     * Read once the thread has stopped, so the counters agree with each other. */
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.malformed), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.unknown), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.frames), fs_stat(&ff.feed.stats.ticks) -
                                                     fs_stat(&ff.feed.stats.disconnects) +
                                                     fs_stat(&ff.feed.stats.skipped));
    CHECK(bbo_seen >= 3 * 7); /* per drop: one before, the first after, five more */
    fs_feed_destroy(&ff);
    fs_rmdir(dir);
    return T_DONE();
}
