/* SPDX-License-Identifier: MIT */
/*
 * feeds/ws.c over TLS against an independent peer (python3-websockets, see
 * ws_peer_server.py) with certificates made at run time: echo, fragments,
 * large messages, ping/pong, server-initiated close, and rejected certificates.
 */
#include "core/clock.h"
#include "feeds/ws.h"
#include "test.h"
#include "ws_test_server.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

#define BIG (1000 * 1000)

struct got {
    int n;
    int op;
    size_t len;
    uint8_t *buf; /* preallocated, BIG bytes */
};

static void on_msg(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct got *g = ctx;
    (void)ts;
    g->n++;
    g->op = op;
    g->len = n;
    memcpy(g->buf, p, n < BIG ? n : BIG);
}

struct peer {
    pid_t pid;
    uint16_t port;
};

/* Starts the python peer with cert/key; returns 0 once it prints its port. */
static int peer_start(struct peer *pr, const char *cert, const char *key)
{
    char script[1024], line[64];
    int pfd[2];
    posix_spawn_file_actions_t fa;
    const char *src = getenv("ARB_SOURCE_DIR");

    snprintf(script, sizeof(script), "%s/tests/feeds/ws_peer_server.py", src ? src : ".");
    char *argv[] = {"/usr/bin/python3", script, (char *)cert, (char *)key, NULL};
    if (pipe(pfd) < 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    int rc = posix_spawn(&pr->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        return -1;
    }
    FILE *f = fdopen(pfd[0], "r");
    unsigned port = 0;
    if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "PORT %u", &port) != 1) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    pr->port = (uint16_t)port;
    return 0;
}

static struct peer peers[2];

static void peer_stop(struct peer *pr)
{
    if (pr->pid > 0) {
        kill(pr->pid, SIGTERM);
        waitpid(pr->pid, NULL, 0);
        pr->pid = 0;
    }
}

/* A failed REQUIRE exits early: never leave the peers running. */
static void peers_stop(void)
{
    peer_stop(&peers[0]);
    peer_stop(&peers[1]);
}

static enum arb_ws_state drive(struct arb_ws *ws, enum arb_ws_state want)
{
    for (int i = 0; i < 2000; i++) {
        if (ws->state == want || ws->state == ARB_WS_FAILED || ws->state == ARB_WS_CLOSED)
            break;
        arb_ws_wait(ws, 5000000);
    }
    return ws->state;
}

/* Waits for the next message. Returns 0 when one came. */
static int next_msg(struct arb_ws *ws, struct got *g)
{
    int before = g->n;
    for (int i = 0; i < 2000 && g->n == before && ws->state == ARB_WS_OPEN; i++)
        arb_ws_wait(ws, 5000000);
    return g->n > before ? 0 : -1;
}

static int command(struct arb_ws *ws, struct got *g, const char *cmd)
{
    if (arb_ws_send(ws, ARB_WS_TEXT, cmd, strlen(cmd)) != 0)
        return -1;
    return next_msg(ws, g);
}

/*
 * 10,000 small messages after connect, counting this thread's allocations
 * from the moment the request is queued until the last message is in.
 */
static void blast(struct arb_ws *ws, struct got *g, const char *what, bool must_be_zero)
{
    int n0 = g->n;
    g->len = 0; /* forget an earlier "blast-done" */
    CHECK_EQ_I64(arb_ws_send(ws, ARB_WS_TEXT, "cmd:blast 10000 120", 19), 0);
    int64_t a0 = arb_bench_allocated();
    uint64_t t0 = arb_clock_mono_ns();
    for (int i = 0; i < 20000 && ws->state == ARB_WS_OPEN; i++) {
        if (g->len == 10 && !memcmp(g->buf, "blast-done", 10))
            break;
        arb_ws_wait(ws, 5000000);
    }
    int64_t a1 = arb_bench_allocated();
    uint64_t t1 = arb_clock_mono_ns();
    CHECK_EQ_I64(g->n - n0, 10001);
    printf("wss %s: %d messages in %.1f ms, %lld bytes allocated meanwhile\n", what, g->n - n0,
           (double)(t1 - t0) / 1e6, a0 < 0 ? 0ll : (long long)(a1 - a0));
#ifndef ARB_SANITIZED
    if (must_be_zero && a0 >= 0)
        CHECK_EQ_I64(a1 - a0, 0);
#else
    (void)must_be_zero;
#endif
}

static void test_conformance(struct io_uring *ring, uint16_t port, const char *ca)
{
    static uint8_t text[70000];
    struct got g = {.buf = malloc(BIG)};
    struct arb_ws_config cfg = {
        .ca_file = ca, .on_msg = on_msg, .ctx = &g, .conn.tx_size = 256 << 10};
    struct arb_ws ws;
    char url[64];

    REQUIRE(arb_ws_init(&ws, ring, &cfg) == 0);
    snprintf(url, sizeof(url), "wss://localhost:%u/conformance", port);
    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    if (drive(&ws, ARB_WS_OPEN) != ARB_WS_OPEN) {
        T_FAIL("open: %s (%s)", arb_ws_state_name(ws.state), ws.errmsg);
        exit(T_EXIT_FAIL);
    }

    /* Echo at the 7-bit, 16-bit and 64-bit client lengths: the peer unmasks them. */
    static const size_t sizes[] = {9, 125, 126, 40000, 65535, 65536, sizeof(text)};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (size_t k = 0; k < sizes[i]; k++)
            text[k] = (uint8_t)('A' + (k * 7 + i) % 26);
        CHECK_EQ_I64(arb_ws_send(&ws, ARB_WS_TEXT, text, sizes[i]), 0);
        CHECK_EQ_I64(next_msg(&ws, &g), 0);
        if (g.op != ARB_WS_TEXT || g.len != sizes[i] || memcmp(g.buf, text, sizes[i]) != 0)
            T_FAIL("echo of %zu bytes: got op %d len %zu", sizes[i], g.op, g.len);
    }
    CHECK_EQ_I64(arb_ws_send(&ws, ARB_WS_BINARY, "\x00\x01\xff", 3), 0);
    CHECK_EQ_I64(next_msg(&ws, &g), 0);
    CHECK(g.op == ARB_WS_BINARY && g.len == 3 && !memcmp(g.buf, "\x00\x01\xff", 3));

    /* Fragments: one text message of 7 x 1000 bytes, reassembled. */
    uint64_t copied = ws.stats.copied;
    CHECK_EQ_I64(command(&ws, &g, "cmd:frag 7 1000"), 0);
    CHECK(g.op == ARB_WS_TEXT && g.len == 7000);
    for (size_t k = 0; k < g.len && k < 7000; k++)
        if (g.buf[k] != 'a' + k / 1000) {
            T_FAIL("fragment byte %zu is %c", k, g.buf[k]);
            break;
        }
    CHECK_EQ_U64(ws.stats.copied, copied + 1);

    /* A megabyte-ish binary message over about 62 TLS records. */
    CHECK_EQ_I64(command(&ws, &g, "cmd:big 1000000"), 0);
    CHECK(g.op == ARB_WS_BINARY && g.len == BIG);
    for (size_t k = 0; k < g.len && k < BIG; k++)
        if (g.buf[k] != (uint8_t)(k * 31 + 7)) {
            T_FAIL("big byte %zu is %u", k, g.buf[k]);
            break;
        }

    /* The peer's ping() only resolves on a pong with the same payload. */
    uint64_t pings = ws.stats.pings;
    CHECK_EQ_I64(command(&ws, &g, "cmd:ping xyz123"), 0);
    CHECK(g.len == 14 && !memcmp(g.buf, "pong-ok:xyz123", 14));
    CHECK(ws.stats.pings > pings);

    blast(&ws, &g, "TLS 1.3", false);

    /* Server-initiated close with a code: we echo it and wait for the hang-up. */
    CHECK_EQ_I64(arb_ws_send(&ws, ARB_WS_TEXT, "cmd:close 4001 done", 19), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_CLOSED), ARB_WS_CLOSED);
    CHECK_EQ_I64(ws.close_code, 4001);

    /* By address: checked against the IP SAN, no SNI. Then a client-initiated close. */
    snprintf(url, sizeof(url), "wss://127.0.0.1:%u/", port);
    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_OPEN), ARB_WS_OPEN);
    CHECK_EQ_I64(arb_ws_close(&ws, 1000), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_CLOSED), ARB_WS_CLOSED);
    CHECK_EQ_I64(ws.close_code, 1000);

    arb_ws_destroy(&ws);

    /* TLS 1.2 (AES-GCM): OpenSSL 3.0 decrypts its records without allocating. */
    cfg.tls_max_version = TLS1_2_VERSION;
    REQUIRE(arb_ws_init(&ws, ring, &cfg) == 0);
    snprintf(url, sizeof(url), "wss://localhost:%u/tls12", port);
    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_OPEN), ARB_WS_OPEN);
    if (ws.state == ARB_WS_OPEN) {
        CHECK_STR(SSL_get_version(ws.tls.ssl), "TLSv1.2");
        blast(&ws, &g, "TLS 1.2", true);
        CHECK_EQ_I64(arb_ws_close(&ws, 1000), 0);
        CHECK_EQ_I64(drive(&ws, ARB_WS_CLOSED), ARB_WS_CLOSED);
    }
    arb_ws_destroy(&ws);
    free(g.buf);
}

/* A certificate the client must refuse: the handshake fails with a message saying why. */
static void expect_reject(struct io_uring *ring, const char *url, const char *ca, const char *why)
{
    struct arb_ws_config cfg = {.ca_file = ca};
    struct arb_ws ws;

    REQUIRE(arb_ws_init(&ws, ring, &cfg) == 0);
    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    enum arb_ws_state st = drive(&ws, ARB_WS_OPEN);
    if (st != ARB_WS_FAILED || ws.err != -EPERM || !strstr(ws.errmsg, why))
        T_FAIL("%s: state %s err %d \"%s\", want failed -EPERM \"%s\"", url, arb_ws_state_name(st),
               ws.err, ws.errmsg, why);
    else
        printf("rejected as expected: %s\n", ws.errmsg);
    arb_ws_destroy(&ws);
}

static int make_cert(const char *dir, const char *name, const char *cn, const char *san)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-days 1 -subj /CN=%s -addext subjectAltName=%s -keyout %s/%s.key "
             "-out %s/%s.pem >/dev/null 2>&1",
             cn, san, dir, name, dir, name);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    char dir[] = "/tmp/arb-ws-tls-XXXXXX", good_pem[128], good_key[128], other_pem[128],
         other_key[128], url[128];
    struct peer *good = &peers[0], *other = &peers[1];
    struct io_uring ring;

    if (system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skip: /usr/bin/python3 cannot import websockets\n");
        return T_EXIT_SKIP;
    }
    arb_clock_init(5);
    REQUIRE(mkdtemp(dir) != NULL);
    REQUIRE(make_cert(dir, "good", "localhost", "DNS:localhost,IP:127.0.0.1") == 0);
    REQUIRE(make_cert(dir, "other", "other.invalid", "DNS:other.invalid") == 0);
    snprintf(good_pem, sizeof(good_pem), "%s/good.pem", dir);
    snprintf(good_key, sizeof(good_key), "%s/good.key", dir);
    snprintf(other_pem, sizeof(other_pem), "%s/other.pem", dir);
    snprintf(other_key, sizeof(other_key), "%s/other.key", dir);
    atexit(peers_stop);
    REQUIRE(peer_start(good, good_pem, good_key) == 0);
    REQUIRE(peer_start(other, other_pem, other_key) == 0);
    REQUIRE(arb_conn_ring_init(&ring, 64) == 0);

    test_conformance(&ring, good->port, good_pem);

    /* Trusted certificate, wrong name. */
    snprintf(url, sizeof(url), "wss://localhost:%u/", other->port);
    expect_reject(&ring, url, other_pem, "hostname mismatch");
    /* Right name, untrusted issuer: the good server checked against the other CA. */
    snprintf(url, sizeof(url), "wss://localhost:%u/", good->port);
    expect_reject(&ring, url, other_pem, "certificate verify failed");
    /* And against the system store, which has never heard of our CA. */
    expect_reject(&ring, url, NULL, "certificate verify failed");

    peers_stop();
    io_uring_queue_exit(&ring);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return T_DONE();
}
