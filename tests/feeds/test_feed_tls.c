/* SPDX-License-Identifier: MIT */
/*
 * A feed thread over wss:// to arbsim, with a certificate the test makes with
 * the openssl tool: ticks arrive when the feed trusts that certificate; with
 * another CA, or a certificate for another address, every attempt fails with
 * a clear message, is counted as a disconnect and is retried with backoff.
 */
#include "feed_sim.h"

static const struct fs_quote quotes[] = {
    {"0.9998", "1000.5", "0.99995", "2000.25", 99980000, 100050000000, 99995000, 200025000000},
    {"1.0001", "3", "1.0002", "4.00000001", 100010000, 300000000, 100020000, 400000001},
    {"0.874", "25000", "0.878", "19000", 87400000, 2500000000000, 87800000, 1900000000000},
};
#define NQ 3

static struct fs_feed ff;

static void make_cert(const char *dir, const char *name, const char *subj, const char *san)
{
    char cmd[1024];

    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
             "-subj /CN=%s -addext subjectAltName=%s -keyout %s/%s.key -out %s/%s.pem "
             ">/dev/null 2>&1",
             subj, san, dir, name, dir, name);
    REQUIRE(system(cmd) == 0);
}

static void test_trusted(int port, const char *ca)
{
    struct arb_tick t;

    fprintf(stderr, "-- trusted\n");
    struct arb_feed_config cfg = fs_config();
    cfg.ca_file = ca;
    fs_feed_init(&ff, "coinbase", "USDT-USD", "wss", port, "/", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);
    for (int i = 0; i < NQ; i++) {
        REQUIRE(fs_next(&ff, &t, 5000));
        if (!fs_same_quote(&t, &quotes[i]))
            T_FAIL("tick %d: kind %u bid %lld ask %lld: not the script's", i, t.kind,
                   (long long)t.bid_px_e8, (long long)t.ask_px_e8);
        CHECK_EQ_U64(t.seq, 500u + (unsigned)i);
        CHECK_EQ_I64(t.flags, 0);
    }
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.connects), 1);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.disconnects), 0);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.malformed), 0);
    fs_feed_destroy(&ff);
}

/* The handshake fails for `why`; the feed says so, counts it and keeps trying. */
static void test_untrusted(int port, const char *ca, const char *why)
{
    struct arb_tick t;

    fprintf(stderr, "-- %s\n", why);
    struct arb_feed_config cfg = fs_config();
    cfg.ca_file = ca;
    cfg.reconnect_min_ms = 100;
    fs_feed_init(&ff, "coinbase", "USDT-USD", "wss", port, "/", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);
    /* min 100 ms, doubling to 400: three attempts take well under a second unloaded. */
    CHECK(fs_wait_stat(&ff.feed.stats.disconnects, 3, 10000));
    arb_feed_stop(&ff.feed);
    uint64_t downs = 0;
    while (arb_ring_spsc_pop(ff.ring, &t)) {
        /* Nothing but "down" reaches the detector from a peer that is not trusted. */
        CHECK_EQ_I64(t.kind, ARB_TICK_STATUS);
        CHECK_EQ_U64(t.flags, ARB_TICK_F_DOWN | ARB_TICK_F_STALE);
        downs++;
    }
    CHECK_EQ_U64(downs, fs_stat(&ff.feed.stats.disconnects));
    CHECK(fs_stat(&ff.feed.stats.connects) >= 3);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.frames), 0);
    CHECK(fs_log_has(why));
    fs_feed_destroy(&ff);
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    char dir[128], script[512], cert[256], key[256], other[256], noip[256], line[256];
    struct arb_simproc sim;

    if (system("openssl version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skip: no openssl tool\n");
        return T_EXIT_SKIP;
    }
    arb_log_set_sink(fs_log_sink);
    fs_tmpdir(dir, sizeof dir, "feed_tls");
    make_cert(dir, "server", "localhost", "DNS:localhost,IP:127.0.0.1");
    make_cert(dir, "other", "other", "DNS:other,IP:127.0.0.1");
    make_cert(dir, "noip", "localhost", "DNS:localhost");
    snprintf(cert, sizeof cert, "%s/server.pem", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    snprintf(other, sizeof other, "%s/other.pem", dir);
    fs_write_script(dir, "quotes.csv", "USDT-USD", quotes, NQ, 20, script, sizeof script);
    const char *args[] = {"--venue",  "coinbase", "--cert",       cert,          "--key", key,
                          "--script", script,     "--per-client", "--seq-start", "500",   NULL};
    fs_sim_start(&sim, arbsim, args);
    REQUIRE(fgets(line, sizeof line, sim.out));
    CHECK(strncmp(line, "arbsim: listening wss://127.0.0.1:", 34) == 0);

    test_trusted(sim.port, cert);
    test_untrusted(sim.port, other, "certificate verify failed");
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);

    /* The same CA trusted, but the certificate does not name the address dialled. */
    snprintf(noip, sizeof noip, "%s/noip.pem", dir);
    snprintf(key, sizeof key, "%s/noip.key", dir);
    const char *args2[] = {"--venue", "coinbase", "--cert", noip, "--key",
                           key,       "--script", script,   NULL};
    fs_sim_start(&sim, arbsim, args2);
    test_untrusted(sim.port, noip, "IP address mismatch");
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
    fs_rmdir(dir);
    return T_DONE();
}
