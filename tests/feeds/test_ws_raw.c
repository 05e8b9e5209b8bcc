/* SPDX-License-Identifier: MIT */
/*
 * feeds/ws.c in raw mode against a plain TCP server on loopback: open as soon
 * as TCP is up (no upgrade), bytes out as written and in as they arrive
 * (across several server writes), the server's hang-up is CLOSED rather than
 * a failure, and raw-only and WebSocket-only calls refuse each other's mode.
 */
#include "core/clock.h"
#include "feeds/ws.h"
#include "test.h"
#include "ws_test_server.h"

#include <pthread.h>

struct server {
    int lfd;
    uint16_t port;
    pthread_t th;
    char got[64]; /* what the client sent */
    int errors;
};

static void *server_main(void *arg)
{
    struct server *s = arg;
    int fd = accept(s->lfd, NULL, NULL);

    if (fd < 0) {
        s->errors++;
        return NULL;
    }
    /* The client speaks first: no upgrade request may come before its bytes. */
    if (ts_read_all(fd, s->got, 12) < 0)
        s->errors++;
    ts_write_all(fd, "HTTP/1.1 200", 12);
    usleep(20000); /* a second segment: the client must see the bytes as they come */
    ts_write_all(fd, " OK\r\n\r\n", 7);
    usleep(20000);
    close(fd);
    return NULL;
}

struct got {
    char buf[64];
    size_t len;
    int calls;
    int bad_op;
};

static void on_msg(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct got *g = ctx;

    (void)ts;
    g->calls++;
    g->bad_op |= op != ARB_WS_BINARY;
    if (g->len + n < sizeof(g->buf)) {
        memcpy(g->buf + g->len, p, n);
        g->len += n;
    }
}

static void wait_state(struct arb_ws *ws, enum arb_ws_state want)
{
    uint64_t end = arb_clock_mono_ns() + 5000000000ull;

    while (ws->state != want && ws->state != ARB_WS_FAILED && arb_clock_mono_ns() < end)
        arb_ws_wait(ws, 1000000);
}

int main(void)
{
    static struct io_uring ring;
    static struct arb_ws ws, plain;
    struct server s = {0};
    struct got g = {0};
    char url[64];

    arb_clock_init(0);
    REQUIRE(arb_conn_ring_init(&ring, 64) == 0);
    s.lfd = ts_listen(&s.port);
    REQUIRE(s.lfd >= 0);
    REQUIRE(pthread_create(&s.th, NULL, server_main, &s) == 0);

    struct arb_ws_config cfg = {.raw = true, .on_msg = on_msg, .ctx = &g};
    REQUIRE(arb_ws_init(&ws, &ring, &cfg) == 0);
    CHECK(ws.msg == NULL); /* nothing to reassemble in raw mode */
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/api", s.port);
    REQUIRE(arb_ws_connect(&ws, url) == 0);
    CHECK_EQ_I64(arb_ws_send_raw(&ws, "x", 1), -ENOTCONN);
    wait_state(&ws, ARB_WS_OPEN);
    REQUIRE(ws.state == ARB_WS_OPEN);
    CHECK_EQ_I64(arb_ws_send(&ws, ARB_WS_TEXT, "x", 1), -EINVAL);
    CHECK_EQ_I64(arb_ws_ping(&ws, "x", 1), -EINVAL);
    CHECK_EQ_I64(arb_ws_send_raw(&ws, "GET / HTTP/1", 12), 0);
    wait_state(&ws, ARB_WS_CLOSED);
    CHECK(ws.state == ARB_WS_CLOSED);
    CHECK_EQ_I64(ws.err, 0);
    CHECK_EQ_U64(g.len, 19);
    CHECK(memcmp(g.buf, "HTTP/1.1 200 OK\r\n\r\n", 19) == 0);
    CHECK(g.calls >= 2);
    CHECK(!g.bad_op);
    pthread_join(s.th, NULL);
    CHECK(memcmp(s.got, "GET / HTTP/1", 12) == 0);
    CHECK_EQ_I64(s.errors, 0);

    /* A WebSocket client takes no http:// URL and has no raw send. */
    struct arb_ws_config wc = {.on_msg = on_msg, .ctx = &g};
    REQUIRE(arb_ws_init(&plain, &ring, &wc) == 0);
    CHECK_EQ_I64(arb_ws_connect(&plain, url), -EINVAL);
    CHECK_EQ_I64(arb_ws_send_raw(&plain, "x", 1), -EINVAL);
    /* Detached raw input goes straight to on_msg, whatever the bytes. */
    arb_ws_reset(&ws);
    REQUIRE(arb_ws_open_detached(&ws) == 0);
    g.len = 0;
    CHECK_EQ_I64(arb_ws_input(&ws, (const uint8_t *)"\x81\x02hi", 4, 0), 0);
    CHECK_EQ_U64(g.len, 4);

    arb_ws_destroy(&plain);
    arb_ws_destroy(&ws);
    close(s.lfd);
    io_uring_queue_exit(&ring);
    return T_DONE();
}
