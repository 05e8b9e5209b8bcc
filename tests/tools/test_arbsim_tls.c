/* SPDX-License-Identifier: MIT */
/*
 * arbsim over wss://: a certificate made for the test with the openssl tool,
 * a client that verifies it (chain and 127.0.0.1), and ws:// on the same port.
 */
#include "test_arbsim.h"

static struct t_ws w;
static char buf[1 << 16];

int main(void)
{
    char dir[] = "/tmp/arbsim_tlsXXXXXX", cert[128], key[128], cmd[1024], path[512];
    struct arb_simproc sim;
    int rc;

    if (system("openssl version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skip: no openssl tool\n");
        return T_EXIT_SKIP;
    }
    REQUIRE(mkdtemp(dir));
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
             "-keyout %s -out %s >/dev/null 2>&1",
             key, cert);
    REQUIRE(system(cmd) == 0);
    {
        const char *args[] = {
            "--venue",  "coinbase",
            "--cert",   cert,
            "--key",    key,
            "--script", t_src("data/scripts/usdtusd_coinbase.csv", path, sizeof path),
            "--speed",  "20",
            NULL};
        t_sim_start(&sim, args);
    }
    REQUIRE(fgets(cmd, sizeof cmd, sim.out));
    CHECK(strncmp(cmd, "arbsim: listening wss://127.0.0.1:", 34) == 0);

    /* TLS, verified against the generated certificate for the IP we dialled. */
    t_ws_connect(&w, sim.port, "/", cert);
    REQUIRE(t_ws_send_text(&w, "{\"type\":\"subscribe\",\"product_ids\":[\"USDT-USD\"],"
                               "\"channels\":[\"ticker\"]}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK_STR(buf, "{\"type\":\"subscriptions\",\"channels\":[{\"name\":\"ticker\","
                   "\"product_ids\":[\"USDT-USD\"]}]}");
    for (int i = 0; i < 3; i++) {
        REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
        CHECK(strncmp(buf, "{\"type\":\"ticker\",\"sequence\":", 28) == 0);
    }
    /* Ping and close work the same inside TLS. */
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_PING, "tls", 3, 0) == 0);
    for (;;) {
        rc = t_ws_recv(&w, 3000, buf, sizeof buf, NULL);
        if (rc != ARB_WS_TEXT)
            break;
    }
    CHECK_EQ_I64(rc, ARB_WS_PONG);
    CHECK_STR(buf, "tls");
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_CLOSE, "\x03\xe8", 2, 0) == 0);
    for (;;) {
        size_t n;
        rc = t_ws_recv(&w, 3000, buf, sizeof buf, &n);
        if (rc != ARB_WS_TEXT)
            break;
    }
    CHECK_EQ_I64(rc, ARB_WS_CLOSE);
    t_ws_close(&w);

    /* A client that trusts nothing of this kind fails the TLS handshake; the server survives. */
    {
        char other[128];
        snprintf(other, sizeof other, "%s/other.pem", dir);
        snprintf(cmd, sizeof cmd,
                 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                 "-days 2 -subj /CN=other -keyout %s/other.key -out %s >/dev/null 2>&1",
                 dir, other);
        REQUIRE(system(cmd) == 0);
        CHECK(t_ws_open(&w, sim.port, "/", NULL, other) < 0);
        t_ws_close(&w);
    }

    /* Plain ws:// is served on the same port. */
    t_ws_connect(&w, sim.port, "/", NULL);
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_PING, "x", 1, 0) == 0);
    CHECK_EQ_I64(t_ws_recv(&w, 3000, buf, sizeof buf, NULL), ARB_WS_PONG);
    t_ws_close(&w);

    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    REQUIRE(system(cmd) == 0);
    return T_DONE();
}
