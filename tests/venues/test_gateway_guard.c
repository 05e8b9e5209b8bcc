/* SPDX-License-Identifier: MIT */
/*
 * Paper trading is the default: without cfg.live the gateway refuses any
 * order endpoint off loopback, and with it refuses to start without
 * credentials. Credentials load from the environment or a key file only its
 * owner can read (tools/creds.c, compiled in). No secret ever reaches the
 * log, even when every step fails or a venue refuses our signatures.
 */
#include "gw_sim.h"

#include "tools/creds.h"

#include <stdlib.h>
#include <sys/stat.h>

static const char bn_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDCUSDT,0.9990,1000,0.9995,1000\n";
static const char kr_book[] = "t_ms,symbol,bid,bid_qty,ask,ask_qty\n"
                              "0,USDC/USDT,1.0010,800,1.0015,800\n";

static struct gw t;
static const char *bn_syms[] = {"USDCUSDT"}, *kr_syms[] = {"USDC/USDT"};

static int try_init(bool live, const char *venue, const char *url, const char *key,
                    const char *secret)
{
    struct arb_gateway_venue v = {.venue = venue,
                                  .url = url,
                                  .api_key = key,
                                  .api_secret = secret,
                                  .symbols = strcmp(venue, "kraken") ? bn_syms : kr_syms,
                                  .nsymbols = 1};
    struct arb_gateway_config cfg = gw_config(&v, 1);
    cfg.live = live;
    gw_registry(&t);
    int rc = gw_init(&t, &cfg);
    gw_destroy(&t);
    return rc;
}

static void loopback_names(void)
{
    CHECK(arb_gateway_url_is_loopback("ws://127.0.0.1:9000/ws-api/v3"));
    CHECK(arb_gateway_url_is_loopback("wss://127.200.3.4/v2"));
    CHECK(arb_gateway_url_is_loopback("ws://localhost:1/"));
    CHECK(arb_gateway_url_is_loopback("ws://[::1]:8080/v2"));
    CHECK(!arb_gateway_url_is_loopback("wss://ws-api.binance.com:443/ws-api/v3"));
    CHECK(!arb_gateway_url_is_loopback("ws://128.0.0.1/"));
    CHECK(!arb_gateway_url_is_loopback("ws://127.0.0.1.example.com/"));
    CHECK(!arb_gateway_url_is_loopback("ws://localhost.example.com/"));
    CHECK(!arb_gateway_url_is_loopback("ws://[::2]:80/"));
    CHECK(!arb_gateway_url_is_loopback("ws://10.0.0.1/"));
}

static void paper_guard(const struct gw_keys *k)
{
    /* Paper: public endpoints refused, the plug-in's default (NULL) included. */
    CHECK_EQ_I64(try_init(false, "binance", "wss://ws-api.binance.com:443/ws-api/v3", k->bn_key,
                          k->bn_secret),
                 -EPERM);
    CHECK_EQ_I64(try_init(false, "binance", NULL, k->bn_key, k->bn_secret), -EPERM);
    CHECK_EQ_I64(try_init(false, "kraken", NULL, k->kr_key, k->kr_secret), -EPERM);
    CHECK(fs_log_has("refusing order endpoint wss://ws-api.binance.com:443/ws-api/v3"));
    /* Live without credentials: refused before anything connects. */
    CHECK_EQ_I64(try_init(true, "binance", NULL, NULL, NULL), -EPERM);
    CHECK_EQ_I64(try_init(true, "binance", NULL, k->bn_key, NULL), -EPERM);
    CHECK(fs_log_has("--live needs credentials"));
    /* Live with credentials passes the guard (init opens no connection). */
    CHECK_EQ_I64(try_init(true, "binance", NULL, k->bn_key, k->bn_secret), 0);
    /* Credentials that do not decode are refused without quoting them. */
    CHECK_EQ_I64(try_init(false, "kraken", "ws://127.0.0.1:1/v2", k->kr_key, "not*base64!"),
                 -EINVAL);
}

static void creds(const struct gw_keys *k, const char *dir)
{
    struct arb_creds c;
    char err[512], path[128], text[512];

    /* Environment: ARB_<VENUE>_API_KEY/_SECRET, '-' spelled '_'. */
    unsetenv("ARB_BINANCE_FUTURES_API_KEY");
    unsetenv("ARB_BINANCE_FUTURES_API_SECRET");
    CHECK_EQ_I64(arb_creds_load(&c, "binance-futures", NULL, err, sizeof err), -ENOENT);
    CHECK(!c.have);
    setenv("ARB_BINANCE_FUTURES_API_KEY", k->bn_key, 1);
    CHECK_EQ_I64(arb_creds_load(&c, "binance-futures", NULL, err, sizeof err), -ENOENT);
    setenv("ARB_BINANCE_FUTURES_API_SECRET", k->bn_secret, 1);
    CHECK_EQ_I64(arb_creds_load(&c, "binance-futures", NULL, err, sizeof err), 0);
    CHECK(c.have);
    CHECK_STR(c.key, k->bn_key);
    CHECK_STR(c.secret, k->bn_secret);
    arb_creds_wipe(&c);
    CHECK(!c.have && !c.secret[0]);
    unsetenv("ARB_BINANCE_FUTURES_API_KEY");
    unsetenv("ARB_BINANCE_FUTURES_API_SECRET");

    /* A key file of mode 0600 loads; the section is the venue. */
    snprintf(text, sizeof text,
             "# test keys\n[binance]\napi_key = %s\napi_secret = %s\n[kraken]\napi_key = %s\n"
             "api_secret = %s\n",
             k->bn_key, k->bn_secret, k->kr_key, k->kr_secret);
    fs_write(dir, "keys.ini", text, path, sizeof path);
    REQUIRE(chmod(path, 0600) == 0);
    CHECK_EQ_I64(arb_creds_load(&c, "kraken", path, err, sizeof err), 0);
    CHECK_STR(c.key, k->kr_key);
    CHECK_STR(c.secret, k->kr_secret);
    CHECK_EQ_I64(arb_creds_load(&c, "binance", path, err, sizeof err), 0);
    CHECK_STR(c.secret, k->bn_secret);
    CHECK_EQ_I64(arb_creds_load(&c, "coinbase", path, err, sizeof err), -ENOENT);
    CHECK(strstr(err, "not in the key file") != NULL);
    /* Readable by group or others: refused, whatever it holds. */
    REQUIRE(chmod(path, 0644) == 0);
    CHECK_EQ_I64(arb_creds_load(&c, "binance", path, err, sizeof err), -EPERM);
    CHECK(strstr(err, "chmod 600") != NULL);
    CHECK(!strstr(err, k->bn_secret) && !c.have && !c.secret[0]);
    REQUIRE(chmod(path, 0640) == 0);
    CHECK_EQ_I64(arb_creds_load(&c, "binance", path, err, sizeof err), -EPERM);
    REQUIRE(chmod(path, 0400) == 0);
    CHECK_EQ_I64(arb_creds_load(&c, "binance", path, err, sizeof err), 0);
    arb_creds_wipe(&c);
    snprintf(path, sizeof path, "%s/missing.ini", dir);
    CHECK_EQ_I64(arb_creds_load(&c, "binance", path, err, sizeof err), -ENOENT);
}

static bool rejected_one(struct gw *g, const void *arg)
{
    (void)arg;
    return gw_stat(&g->g.stats.rejects) >= 1;
}

/* Failures that log: a venue refusing our signature, a token request refused. */
static void noisy_failures(const char *arbsim, const struct gw_keys *k, const char *dir)
{
    struct arb_simproc bn, kr;
    struct gw_keys other;
    char bn_path[128], kr_path[128], bn_url[128], kr_url[128];

    gw_keys_make(&other);
    fs_write(dir, "bn.csv", bn_book, bn_path, sizeof bn_path);
    fs_write(dir, "kr.csv", kr_book, kr_path, sizeof kr_path);
    /* The exchanges know the same keys with other secrets. */
    gw_sim_start(&bn, arbsim, "binance", bn_path, k->bn_key, other.bn_secret, NULL);
    gw_sim_start(&kr, arbsim, "kraken", kr_path, k->kr_key, other.kr_secret, NULL);
    snprintf(bn_url, sizeof bn_url, "ws://127.0.0.1:%d/ws-api/v3", bn.port);
    snprintf(kr_url, sizeof kr_url, "ws://127.0.0.1:%d/v2", kr.port);

    /* Kraken: the token request's signature does not verify, so init fails. */
    CHECK_EQ_I64(try_init(false, "kraken", kr_url, k->kr_key, k->kr_secret), -EACCES);
    CHECK(fs_log_has("EAPI:Invalid signature"));
    CHECK_EQ_U64(gw_sim_orders(&kr, "bad_signatures"), 1);

    /* Binance: the order goes out and comes back refused (-1022). */
    struct arb_gateway_venue v = {.venue = "binance",
                                  .url = bn_url,
                                  .api_key = k->bn_key,
                                  .api_secret = k->bn_secret,
                                  .symbols = bn_syms,
                                  .nsymbols = 1};
    struct arb_gateway_config cfg = gw_config(&v, 1);
    gw_registry(&t);
    REQUIRE(gw_init(&t, &cfg) == 0);
    gw_wait_open(&t, 0);
    struct arb_intent in =
        gw_intent(1, t.inst, 0, ARB_SIDE_BUY, 99960000, 10 * GW_E8, 1, 0, 0, 0, 0);
    gw_push(&t, &in);
    CHECK(gw_until(&t, rejected_one, NULL, 20000));
    CHECK(fs_log_has("Signature for this request is not valid"));
    CHECK_EQ_U64(gw_sim_orders(&bn, "bad_signatures"), 1);
    gw_destroy(&t);
    CHECK_EQ_I64(fs_sim_stop(&bn), 0);
    CHECK_EQ_I64(fs_sim_stop(&kr), 0);
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    struct gw_keys k;
    char dir[64];

    arb_clock_init(0);
    arb_log_set_sink(fs_log_sink);
    arb_log_set_level(ARB_LOG_DEBUG);
    gw_keys_make(&k);
    fs_tmpdir(dir, sizeof dir, "gw_guard");

    loopback_names();
    paper_guard(&k);
    creds(&k, dir);
    noisy_failures(arbsim, &k, dir);

    /* Whatever was logged, no secret is in it, in whole or in part. */
    CHECK(fs_log_len > 0);
    CHECK(!fs_log_has(k.bn_secret));
    CHECK(!fs_log_has(k.kr_secret));
    char half[40];
    snprintf(half, sizeof half, "%.16s", k.bn_secret); /* no fragment of it either */
    CHECK(!fs_log_has(half));
    snprintf(half, sizeof half, "%.16s", k.kr_secret);
    CHECK(!fs_log_has(half));
    fs_rmdir(dir);
    return T_DONE();
}
