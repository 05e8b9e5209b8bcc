/* SPDX-License-Identifier: MIT */
/*
 * arbsim's WebSocket server side against RFC 6455: the opening handshake and
 * its refusals, masking, ping/pong, close, fragmentation and hostile frames.
 */
#include "test_arbsim.h"

static struct t_ws w;
static char buf[1 << 16];

static int handshake_status(int port, const char *request)
{
    int st = t_ws_open(&w, port, "/", request, NULL);

    t_ws_close(&w);
    return st;
}

static void test_handshake(int port)
{
    char req[1024];

    t_ws_connect(&w, port, "/ws", NULL);
    CHECK(strstr(w.response, "HTTP/1.1 101 Switching Protocols\r\n") == w.response);
    CHECK(strcasestr(w.response, "\r\nUpgrade: websocket\r\n") != NULL);
    CHECK(strcasestr(w.response, "\r\nConnection: Upgrade\r\n") != NULL);
    t_ws_close(&w);

    /* Header names and tokens are case-insensitive; Connection may list several tokens. */
    snprintf(req, sizeof req,
             "GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, "
             "Upgrade\r\nsec-websocket-key: " T_WS_KEY "\r\nsec-websocket-version: 13\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 101);

    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: " T_WS_KEY "\r\nSec-WebSocket-Version: 8\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 426);
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 400); /* no key */
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 400); /* a key of 10 bytes, not 16 */
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: " T_WS_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 400); /* no Upgrade */
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: " T_WS_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 400); /* no Host */
    snprintf(req, sizeof req,
             "POST / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: " T_WS_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 405);
    snprintf(req, sizeof req, "GET / HTTP/1.0\r\nHost: x\r\n\r\n");
    CHECK_EQ_I64(handshake_status(port, req), 505);
}

static void expect_close(int port, const char *what, const void *frame_bytes, size_t n,
                         unsigned code)
{
    size_t len;
    int op;

    t_ws_connect(&w, port, "/ws", NULL);
    REQUIRE(t_ws_write(&w, frame_bytes, n) == 0);
    op = t_ws_recv(&w, 3000, buf, sizeof buf, &len);
    if (op != ARB_WS_CLOSE || t_close_code(buf, len) != code)
        T_FAIL("%s: want close %u, got op %d code %u", what, code, op, t_close_code(buf, len));
    /* After failing the connection the server closes TCP. */
    op = t_ws_recv(&w, 3000, buf, sizeof buf, &len);
    if (op != T_WS_EOF && op != T_WS_RESET)
        T_FAIL("%s: connection still open after the close (op %d)", what, op);
    t_ws_close(&w);
}

static void test_hostile(int port)
{
    uint8_t f[300];
    size_t hl;
    static const uint8_t key[4] = {1, 2, 3, 4};

    /* An unmasked client frame is a protocol error. */
    hl = arb_ws_frame_encode(f, 1, ARB_WS_TEXT, 2, NULL);
    memcpy(f + hl, "{}", 2);
    expect_close(port, "unmasked", f, hl + 2, 1002);

    /* Reserved bits set. */
    hl = arb_ws_frame_encode(f, 1, ARB_WS_TEXT, 0, key);
    f[0] |= 0x40;
    expect_close(port, "rsv1", f, hl, 1002);

    /* Unknown opcode 0x3. */
    hl = arb_ws_frame_encode(f, 1, ARB_WS_TEXT, 0, key);
    f[0] = (uint8_t)((f[0] & 0xF0) | 0x3);
    expect_close(port, "opcode 3", f, hl, 1002);

    /* A length far beyond --max-frame is refused before any payload arrives. */
    hl = arb_ws_frame_encode(f, 1, ARB_WS_TEXT, 1ULL << 40, key);
    expect_close(port, "huge length", f, hl, 1009);

    /* Text that is not UTF-8 (an overlong slash). */
    hl = arb_ws_frame_encode(f, 1, ARB_WS_TEXT, 2, key);
    f[hl] = (uint8_t)0xC0;
    f[hl + 1] = (uint8_t)0xAF;
    arb_ws_mask(f + hl, 2, key, 0);
    expect_close(port, "bad utf-8", f, hl + 2, 1007);

    /* Binary frames are not part of any venue's market-data protocol. */
    hl = arb_ws_frame_encode(f, 1, ARB_WS_BINARY, 1, key);
    f[hl] = 0x55 ^ key[0];
    expect_close(port, "binary", f, hl + 1, 1003);

    /* A continuation with no message started. */
    hl = arb_ws_frame_encode(f, 1, ARB_WS_CONT, 0, key);
    expect_close(port, "stray continuation", f, hl, 1002);

    /* A ping with more than 125 bytes of payload. */
    memset(f, 0, sizeof f);
    f[0] = 0x89;
    f[1] = 0x80 | 126;
    f[2] = 0;
    f[3] = 200;
    expect_close(port, "long ping", f, 4 + 4 + 200, 1002);
}

static void test_ping_close_fragments(int port)
{
    size_t len;
    int op;

    t_ws_connect(&w, port, "/ws", NULL);
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_PING, "hello", 5, 0) == 0);
    op = t_ws_recv(&w, 3000, buf, sizeof buf, &len);
    CHECK_EQ_I64(op, ARB_WS_PONG);
    CHECK(len == 5 && memcmp(buf, "hello", 5) == 0);

    /* A subscription split over three fragments, with a ping between them. */
    {
        static const char *const part[3] = {"{\"method\":\"SUBS",
                                            "CRIBE\",\"params\":[\"x@bookTicker\"]", ",\"id\":42}"};
        REQUIRE(t_ws_send_frame(&w, 0, ARB_WS_TEXT, part[0], strlen(part[0]), 0) == 0);
        REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_PING, "", 0, 0) == 0);
        REQUIRE(t_ws_send_frame(&w, 0, ARB_WS_CONT, part[1], strlen(part[1]), 0) == 0);
        REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_CONT, part[2], strlen(part[2]), 0) == 0);
    }
    op = t_ws_recv(&w, 3000, buf, sizeof buf, &len);
    CHECK_EQ_I64(op, ARB_WS_PONG);
    op = t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL);
    CHECK_EQ_I64(op, ARB_WS_TEXT);
    CHECK_STR(buf, "{\"result\":null,\"id\":42}");

    /* Close with 1000 and a reason: echoed, then the server closes TCP. */
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_CLOSE,
                            "\x03\xe8"
                            "bye",
                            5, 0) == 0);
    op = t_ws_recv(&w, 3000, buf, sizeof buf, &len);
    CHECK_EQ_I64(op, ARB_WS_CLOSE);
    CHECK_EQ_I64(t_close_code(buf, len), 1000);
    op = t_ws_recv(&w, 3000, buf, sizeof buf, &len);
    CHECK(op == T_WS_EOF);
    t_ws_close(&w);

    /* A close code that may not be sent (1005) fails the connection. */
    t_ws_connect(&w, port, "/ws", NULL);
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_CLOSE, "\x03\xed", 2, 0) == 0);
    op = t_ws_recv(&w, 3000, buf, sizeof buf, &len);
    CHECK_EQ_I64(op, ARB_WS_CLOSE);
    CHECK_EQ_I64(t_close_code(buf, len), 1002);
    t_ws_close(&w);
}

static void test_slow_and_silent(int port)
{
    struct t_ws *v = &w;
    char junk[9000];
    int op;

    /* A request head past 8 KiB is refused with 431, not buffered forever. */
    memset(junk, 'a', sizeof junk);
    memcpy(junk, "GET / HTTP/1.1\r\nX: ", 19);
    junk[sizeof junk - 1] = '\0';
    CHECK_EQ_I64(t_ws_open(v, port, "/", junk, NULL), 431);
    t_ws_close(v);

    /* Garbage instead of HTTP. */
    op = t_ws_open(v, port, "/", "hello\r\n\r\n", NULL);
    CHECK_EQ_I64(op, 400);
    t_ws_close(v);
}

int main(void)
{
    struct arb_simproc sim;
    char reply[1024];
    const char *args[] = {"--venue", "binance", "--max-frame", "4096", NULL};

    t_sim_start(&sim, args);
    test_handshake(sim.port);
    test_hostile(sim.port);
    test_ping_close_fragments(sim.port);
    test_slow_and_silent(sim.port);
    fs_sim_cmd(&sim, "stats", reply, sizeof reply);
    CHECK(strstr(reply, "\"protocol_errors\":") != NULL);
    CHECK(t_json_u64(reply, "\"protocol_errors\":") >= 9);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
    return T_DONE();
}
