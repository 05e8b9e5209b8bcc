/* SPDX-License-Identifier: MIT */
/*
 * The order gateway's REST session (Coinbase over HTTP/1.1 keep-alive) against
 * arbsim's simulated Coinbase, which verifies every JWT with the public half
 * of a P-256 key made here: fills worked out by hand from the scripted book,
 * each order followed by its historical-order query, every request on one
 * connection, a two-leg intent with Kraken balanced, a 429, a connection
 * dropped after booking (the re-sent create is answered with the order the
 * venue has: one trade, not two), and a 401 for a key the venue does not know.
 */
#include "gw_sim.h"
#include "venues/coinbase.h"
#include "venues/gateway_rest.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#define KEY_NAME "organizations/7e57/apiKeys/rest-test"

/*
 *   coinbase USDT-USD: bid 0.9990 x 1000, ask 1.0010 x 500
 *   kraken   USDT/USD: bid 1.0020 x 800,  ask 1.0030 x 800
 * What our orders take from a quote stays gone (the book never moves here).
 */
static const char cb_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDT-USD,0.9990,1000,1.0010,500\n";
static const char kr_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDT/USD,1.0020,800,1.0030,800\n";

static struct gw t;

/* A fresh P-256 private key, PEM, into `path` (0600) and a malloc'd string. */
static char *make_key(const char *path)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *pem;
    long n;

    REQUIRE(k && bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1);
    n = BIO_get_mem_data(bio, &data);
    pem = strndup(data, (size_t)n);
    REQUIRE(pem);
    if (path) {
        FILE *f = fopen(path, "w");
        REQUIRE(f && fputs(pem, f) >= 0 && fclose(f) == 0 && chmod(path, 0600) == 0);
    }
    BIO_free(bio);
    EVP_PKEY_free(k);
    return pem;
}

static void registry(struct gw *g)
{
    arb_registry_init(&g->reg);
    REQUIRE(arb_registry_venue(&g->reg, "coinbase") == 0);
    REQUIRE(arb_registry_venue(&g->reg, "kraken") == 1);
    g->inst = arb_registry_instrument(&g->reg, "USDT", "USD", ARB_INST_SPOT);
    REQUIRE(g->inst >= 0);
}

/* One coinbase-only intent, run to its end. */
static void one_leg(uint32_t sig, uint8_t side, int64_t px, int64_t qty)
{
    struct arb_intent in = gw_intent(sig, t.inst, 0, side, px, qty, 1, 0, 0, 0, 0);
    gw_push(&t, &in);
    gw_wait_idle(&t);
}

/* The FINAL record of a coinbase leg: what the risk gate gets back. */
static int64_t unfilled(uint32_t sig)
{
    for (size_t i = 0; i < t.nfill; i++)
        if (t.fill[i].kind == ARB_FILL_FINAL && t.fill[i].venue == 0 && t.fill[i].signal_id == sig)
            return t.fill[i].unfilled_e8;
    return -1;
}

static bool pred_disconnected(struct gw *g, const void *arg)
{
    (void)arg;
    return gw_stat(&g->g.stats.disconnects) > 0;
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    struct fs_sim cb, kr;
    struct gw_keys k;
    char dir[64], cb_path[128], kr_path[128], key_path[128], cb_url[128], kr_url[128];
    static const char *cb_syms[] = {"USDT-USD"}, *kr_syms[] = {"USDT/USD"};

    arb_clock_init(0);
    gw_keys_make(&k);
    fs_tmpdir(dir, sizeof dir, "gw_rest");
    fs_write(dir, "cb.csv", cb_book, cb_path, sizeof cb_path);
    fs_write(dir, "kr.csv", kr_book, kr_path, sizeof kr_path);
    snprintf(key_path, sizeof key_path, "%s/cb.pem", dir);
    char *pem = make_key(key_path);
    const char *cb_args[] = {"--venue", "coinbase",          "--script", cb_path, "--api-key",
                             KEY_NAME,  "--coinbase-pubkey", key_path,   NULL};
    fs_sim_start(&cb, arbsim, cb_args);
    gw_sim_start(&kr, arbsim, "kraken", kr_path, k.kr_key, k.kr_secret, NULL);
    /* The REST base: requests name their own paths. */
    snprintf(cb_url, sizeof cb_url, "http://127.0.0.1:%d", cb.port);
    snprintf(kr_url, sizeof kr_url, "ws://127.0.0.1:%d/v2", kr.port);
    struct arb_gateway_venue v[2] = {
        {.venue = "coinbase",
         .url = cb_url,
         .api_key = KEY_NAME,
         .api_secret = pem,
         .symbols = cb_syms,
         .nsymbols = 1},
        {.venue = "kraken",
         .url = kr_url,
         .api_key = k.kr_key,
         .api_secret = k.kr_secret,
         .symbols = kr_syms,
         .nsymbols = 1},
    };
    struct arb_gateway_config cfg = gw_config(v, 2);
    registry(&t);
    REQUIRE(gw_init(&t, &cfg) == 0);
    struct arb_gw_rest *rs = t.g.s[0].rest;
    REQUIRE(rs && t.g.s[1].rest == NULL);
    struct arb_coinbase_pool_stats ps;
    arb_coinbase_jwt_pool_stats(&t.g.s[0].keys, &ps);
    CHECK_EQ_U64(ps.ready, ARB_COINBASE_JWT_POOL); /* signed at init, before any order */
    gw_wait_open(&t, 0);
    gw_wait_open(&t, 1);

    /* 1: buy 300 at most 1.0015: the ask, 1.0010 x 500, fills it all. */
    one_leg(1, ARB_SIDE_BUY, 100150000, 30000000000);
    GW_CHECK_TRADE(&t, 0, 1, 0, ARB_SIDE_BUY, 30000000000, 100100000, 0);
    CHECK_EQ_I64(unfilled(1), -1); /* filled: nothing to give back */
    /* 2: buy 300 more: 200 are left at the ask; the IOC's rest is cancelled. */
    one_leg(2, ARB_SIDE_BUY, 100150000, 30000000000);
    GW_CHECK_TRADE(&t, 0, 2, 0, ARB_SIDE_BUY, 20000000000, 100100000, 0);
    CHECK(gw_trade(&t, 0, 2, 1) == NULL);
    CHECK_EQ_I64(unfilled(2), 10000000000);
    /* 3: buy 100: the ask is used up, the IOC expires unfilled. */
    one_leg(3, ARB_SIDE_BUY, 100150000, 10000000000);
    CHECK(gw_trade(&t, 0, 3, 0) == NULL);
    CHECK_EQ_I64(unfilled(3), 10000000000);
    /* 4: sell 400 at least 0.9985: the bid, 0.9990, takes it; long 500 at 1.0010, so
     * 400 * (0.9990 - 1.0010) = -0.8 realized. */
    one_leg(4, ARB_SIDE_SELL, 99850000, 40000000000);
    GW_CHECK_TRADE(&t, 0, 4, 0, ARB_SIDE_SELL, 40000000000, 99900000, -80000000);
    /* 5: two legs, sell 100 on coinbase (0.9990, 600 left: -0.2 realized against the long)
     * and buy 100 on kraken (its ask 1.0030): both fill, balanced. */
    struct arb_intent in = gw_intent(5, t.inst, 0, ARB_SIDE_SELL, 99850000, 10000000000, 2, 1,
                                     ARB_SIDE_BUY, 100350000, 10000000000);
    gw_push(&t, &in);
    gw_wait_idle(&t);
    GW_CHECK_TRADE(&t, 0, 5, 0, ARB_SIDE_SELL, 10000000000, 99900000, -20000000);
    GW_CHECK_TRADE(&t, 1, 5, 0, ARB_SIDE_BUY, 10000000000, 100300000, 0);
    /* Every flight so far ended balanced (one-leg intents count too); none legged. */
    CHECK_EQ_U64(t.g.twoleg.stats.balanced, 5);
    CHECK_EQ_U64(t.g.twoleg.stats.legged, 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.hedges), 0);
    CHECK_EQ_I64(t.g.pos.pos[0][t.inst].qty_e8, 0);
    CHECK_EQ_I64(t.g.pos.pos[1][t.inst].qty_e8, 10000000000);
    CHECK_EQ_I64(t.g.pos.realized_e8, -100000000);

    CHECK_EQ_U64(gw_sim_orders(&cb, "received"), 5);
    CHECK_EQ_U64(gw_sim_orders(&cb, "filled"), 3);
    CHECK_EQ_U64(gw_sim_orders(&cb, "partial"), 1);
    CHECK_EQ_U64(gw_sim_orders(&cb, "expired"), 1);
    CHECK_EQ_U64(gw_sim_orders(&cb, "bad_signatures"), 0);
    /* Five creates and five historical-order queries, in order, on one connection. */
    CHECK_EQ_U64(rs->stats.followups, 5);
    CHECK_EQ_U64(rs->stats.requeries, 0);
    CHECK_EQ_U64(rs->stats.requests, 10);
    CHECK_EQ_U64(rs->stats.responses, 10);
    CHECK_EQ_U64(fs_sim_stat(&cb, "accepted"), 1);
    CHECK_EQ_U64(gw_stat(&t.g.stats.disconnects), 0);
    CHECK_EQ_U64(gw_stat(&t.g.stats.malformed), 0);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, -1, 0), 0);
    /* Every create took a pre-signed JWT: none was signed on the order path. */
    arb_coinbase_jwt_pool_stats(&t.g.s[0].keys, &ps);
    CHECK_EQ_U64(ps.hits, 5);
    CHECK_EQ_U64(ps.misses, 0);

    /* 6 and 7: the venue allows one order per 10 minutes: 6 fills (sell 10 at 0.9990, 500
     * left), 7 gets 429 RESOURCE_EXHAUSTED: refused, counted, nothing traded. */
    fs_sim_ok(&cb, "rate-limit 1:600000");
    one_leg(6, ARB_SIDE_SELL, 99850000, 1000000000);
    GW_CHECK_TRADE(&t, 0, 6, 0, ARB_SIDE_SELL, 1000000000, 99900000, 0);
    one_leg(7, ARB_SIDE_SELL, 99850000, 1000000000);
    CHECK(gw_trade(&t, 0, 7, 0) == NULL);
    CHECK_EQ_U64(gw_stat(&t.g.stats.venue_429), 1);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, 0, 7), 1);
    CHECK_EQ_I64(unfilled(7), 1000000000);
    CHECK_EQ_U64(gw_sim_orders(&cb, "rate_limited"), 1);
    fs_sim_ok(&cb, "rate-limit 0");
    gw_settle(&t, 1100); /* our own bucket holds coinbase back for 1 s after a 429 */

    /* 8: the venue books it, then resets the connection before answering. The gateway
     * reconnects and sends the same create again: Coinbase answers with the order it has
     * (a duplicate, nothing new), and the follow-up reports its one fill of 20 at 0.9990. */
    fs_sim_ok(&cb, "drop-after-orders 1:rst");
    one_leg(8, ARB_SIDE_SELL, 99850000, 2000000000);
    GW_CHECK_TRADE(&t, 0, 8, 0, ARB_SIDE_SELL, 2000000000, 99900000, 0);
    CHECK(gw_trade(&t, 0, 8, 1) == NULL);
    CHECK(gw_until(&t, pred_disconnected, NULL, 1000));
    CHECK_EQ_U64(gw_stat(&t.g.stats.disconnects), 1);
    CHECK_EQ_U64(gw_sim_orders(&cb, "duplicates"), 1);
    CHECK_EQ_U64(fs_sim_stat(&cb, "accepted"), 2);
    CHECK_EQ_I64(t.g.pos.pos[0][t.inst].qty_e8, -3000000000);
    gw_destroy(&t);

    /* A key the venue does not know (same name, another key pair): 401 Unauthorized. */
    char *other = make_key(NULL);
    v[0].api_secret = other;
    cfg = gw_config(v, 1);
    registry(&t);
    REQUIRE(gw_init(&t, &cfg) == 0);
    gw_wait_open(&t, 0);
    uint64_t bad_before = gw_sim_orders(&cb, "bad_signatures");
    one_leg(9, ARB_SIDE_SELL, 99850000, 1000000000);
    CHECK(gw_trade(&t, 0, 9, 0) == NULL);
    CHECK_EQ_U64(gw_stat(&t.g.stats.rejects), 1);
    CHECK_EQ_U64(gw_count_fills(&t, ARB_FILL_ERROR, 0, 9), 1);
    CHECK_EQ_I64(unfilled(9), 1000000000);
    CHECK_EQ_U64(gw_sim_orders(&cb, "bad_signatures"), bad_before + 1);
    CHECK_EQ_U64(t.g.s[0].rest->stats.followups, 0); /* refused: nothing to ask about */
    gw_destroy(&t);

    CHECK_EQ_I64(fs_sim_stop(&cb), 0);
    CHECK_EQ_I64(fs_sim_stop(&kr), 0);
    free(pem);
    free(other);
    fs_rmdir(dir);
    return T_DONE();
}
