/* SPDX-License-Identifier: MIT */
/*
 * Sequence gaps and garbage through a feed thread. arbsim's `skip N` is a
 * gap only where the venue promises consecutive numbers (cfg.seq_contiguous);
 * a step back is a gap everywhere. `garbage` (truncated JSON, then bytes that
 * are not UTF-8) is counted as malformed and the stream goes on.
 */
#include "feed_sim.h"

#define NROWS 10
#define SEQ0  1000

/* Every row the same quote, so any tick can be checked whatever the sequence does. */
static const struct fs_quote q = {"0.9997", "1500000.25",    "0.9999", "730000.75",
                                  99970000, 150000025000000, 99990000, 73000075000000};
static struct fs_quote rows[NROWS];
static struct fs_feed ff;

static bool next_bbo(struct arb_tick *t)
{
    if (!fs_next(&ff, t, 5000)) {
        T_FAIL("no tick");
        return false;
    }
    if (!fs_same_quote(t, &q)) {
        T_FAIL("kind %u flags %#x seq %llu: not the scripted quote", t->kind, t->flags,
               (unsigned long long)t->seq);
        return false;
    }
    return true;
}

static void start(struct arb_simproc *sim, const char *arbsim, const char *script, int contiguous)
{
    const char *args[] = {"--venue", "binance",     "--script", script, "--loop",
                          "0",       "--seq-start", "1000",     NULL};
    struct arb_feed_config cfg = fs_config();

    cfg.seq_contiguous = contiguous;
    fs_sim_start(sim, arbsim, args);
    fs_feed_init(&ff, "binance", "USDCUSDT", "ws", sim->port, "/stream", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);
}

static void stop(struct arb_simproc *sim)
{
    fs_feed_destroy(&ff);
    CHECK_EQ_I64(fs_sim_stop(sim), 0);
}

/* `skip 5` moves one message's sequence on by 6: a gap only when contiguous. */
static void test_skip(const char *arbsim, const char *script, int contiguous)
{
    struct arb_simproc sim;
    struct arb_tick t, prev;
    int jumps = 0;

    fprintf(stderr, "-- skip, seq_contiguous %d\n", contiguous);
    start(&sim, arbsim, script, contiguous);
    for (int i = 0; i < 3; i++) {
        REQUIRE(next_bbo(&t));
        CHECK_EQ_U64(t.seq, SEQ0 + (unsigned)i);
        CHECK_EQ_I64(t.flags, 0);
    }
    prev = t;
    fs_sim_ok(&sim, "skip 5");
    for (int i = 0; i < 20; i++) {
        REQUIRE(next_bbo(&t));
        if (t.seq == prev.seq + 6) {
            jumps++;
            CHECK_EQ_I64(t.flags, contiguous == 1 ? ARB_TICK_F_GAP : 0);
        } else {
            CHECK_EQ_U64(t.seq, prev.seq + 1);
            CHECK_EQ_I64(t.flags, 0);
        }
        prev = t;
    }
    CHECK_EQ_I64(jumps, 1);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.gaps), contiguous == 1 ? 1 : 0);
    stop(&sim);
}

/*
 * A capture that repeats and goes back: u 20, 21, 21, 19, 25, 26. Sparse sequences
 * (binance's own rule) flag the repeat and the step back; contiguous ones the jump too.
 */
static void test_step_back(const char *arbsim, const char *dir, int contiguous)
{
    static const uint64_t u[6] = {20, 21, 21, 19, 25, 26};
    static const uint8_t gap_sparse[6] = {0, 0, 1, 1, 0, 0};
    static const uint8_t gap_contig[6] = {0, 0, 1, 1, 1, 0};
    char text[2048], cap[512];
    size_t pos = 0;
    struct arb_simproc sim;
    struct arb_tick t;

    fprintf(stderr, "-- step back, seq_contiguous %d\n", contiguous);
    for (int i = 0; i < 6; i++)
        pos += (size_t)snprintf(text + pos, sizeof text - pos,
                                "%llu {\"u\":%llu,\"s\":\"USDCUSDT\",\"b\":\"0.99970000\","
                                "\"B\":\"1500000.25000000\",\"a\":\"0.99990000\","
                                "\"A\":\"730000.75000000\"}\n",
                                1700000000000000000ULL + (unsigned long long)i * 5000000ULL,
                                (unsigned long long)u[i]);
    fs_write(dir, "back.cap", text, cap, sizeof cap);
    const char *args[] = {"--venue", "binance", "--capture", cap, NULL};
    struct arb_feed_config cfg = fs_config();
    cfg.seq_contiguous = contiguous;
    fs_sim_start(&sim, arbsim, args);
    fs_feed_init(&ff, "binance", "USDCUSDT", "ws", sim.port, "/ws", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);
    const uint8_t *want = contiguous == 1 ? gap_contig : gap_sparse;
    uint64_t gaps = 0;
    for (int i = 0; i < 6; i++) {
        REQUIRE(next_bbo(&t));
        CHECK_EQ_U64(t.seq, u[i]);
        CHECK_EQ_I64(t.flags, want[i] ? ARB_TICK_F_GAP : 0);
        gaps += want[i];
    }
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.gaps), gaps);
    stop(&sim);
}

static void test_garbage(const char *arbsim, const char *script)
{
    struct arb_simproc sim;
    struct arb_tick t;

    fprintf(stderr, "-- garbage\n");
    start(&sim, arbsim, script, -1);
    for (int i = 0; i < 3; i++)
        REQUIRE(next_bbo(&t));
    fs_sim_ok(&sim, "garbage");
    CHECK(fs_wait_stat(&ff.feed.stats.malformed, 2, 5000));
    /* The thread reads on, and what follows is whole and correct. */
    uint64_t seq = 0;
    for (int i = 0; i < 20; i++) {
        REQUIRE(next_bbo(&t));
        CHECK_EQ_I64(t.flags, 0);
        if (seq)
            CHECK_EQ_U64(t.seq, seq + 1);
        seq = t.seq;
    }
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.malformed), 2);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.disconnects), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.gaps), 0);
    CHECK_EQ_I64(atomic_load_explicit(&ff.feed.state, memory_order_relaxed), ARB_WS_OPEN);
    stop(&sim);
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    char dir[128], script[512];

    for (int i = 0; i < NROWS; i++)
        rows[i] = q;
    fs_tmpdir(dir, sizeof dir, "feed_faults");
    fs_write_script(dir, "quotes.csv", "USDCUSDT", rows, NROWS, 10, script, sizeof script);
    test_skip(arbsim, script, 1);
    test_skip(arbsim, script, -1);
    test_step_back(arbsim, dir, -1);
    test_step_back(arbsim, dir, 1);
    test_garbage(arbsim, script);
    fs_rmdir(dir);
    return T_DONE();
}
