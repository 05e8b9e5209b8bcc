/* SPDX-License-Identifier: MIT */
/*
 * feeds/ws.c against a local server that misbehaves on purpose: drops in the
 * middle of frames and headers, refuses or botches the upgrade. Each failure
 * must be reported (never a partial message), and arb_ws_reset + arb_ws_connect
 * on the same object must work again, without allocating, with multishot
 * receive and with the plain-recv fallback.
 */
#include "core/clock.h"
#include "feeds/ws.h"
#include "test.h"
#include "ws_test_server.h"

#include <pthread.h>

enum scene {
    SC_DROP_PAYLOAD,  /* 3 messages, then half a payload */
    SC_DROP_FRAGMENT, /* 1 message, then the first fragment of another */
    SC_DROP_HEADER,   /* 2 bytes of a 4-byte header */
    SC_SERVER_CLOSE,  /* 1 message, then close 1000 "bye" */
    SC_BAD_ACCEPT,    /* wrong Sec-WebSocket-Accept */
    SC_REFUSED,       /* HTTP 429 */
    SC_BLAST,         /* 10,000 messages in one write, then close 1000 */
    SC_ECHO,          /* echo one text frame, then answer the client's close */
    SC_COUNT,
};

struct server {
    int lfd;
    uint16_t port;
    pthread_t th;
    int rounds;            /* times through the scenes */
    uint16_t echoed_close; /* code in the client's close echo (SC_SERVER_CLOSE) */
    uint16_t client_close; /* code the client closed with (SC_ECHO) */
    int echo_ok;           /* the client's text arrived masked and intact */
    int errors;
};

#define BLAST_N   10000
#define BLAST_LEN 120
static uint8_t blast_buf[BLAST_N * (BLAST_LEN + 2)];

static void *server_main(void *arg)
{
    struct server *s = arg;
    uint8_t buf[2048];
    struct arb_ws_frame f;

    for (int r = 0; r < s->rounds; r++) {
        for (int sc = 0; sc < SC_COUNT; sc++) {
            int fd = ts_accept(s->lfd, sc == SC_REFUSED ? 429 : 101, sc == SC_BAD_ACCEPT);
            if (fd < 0) {
                s->errors++;
                continue;
            }
            switch (sc) {
            case SC_DROP_PAYLOAD:
                ts_send_frame(fd, 1, ARB_WS_TEXT, "m0", 2);
                ts_send_frame(fd, 1, ARB_WS_TEXT, "m1", 2);
                ts_send_frame(fd, 1, ARB_WS_TEXT, "m2", 2);
                memset(buf, 'x', 500);
                size_t h = arb_ws_frame_encode(buf + 1000, 1, ARB_WS_BINARY, 1000, NULL);
                ts_write_all(fd, buf + 1000, h);
                ts_write_all(fd, buf, 500);
                break;
            case SC_DROP_FRAGMENT:
                ts_send_frame(fd, 1, ARB_WS_TEXT, "again", 5);
                ts_send_frame(fd, 0, ARB_WS_TEXT, "first-half", 10);
                break;
            case SC_DROP_HEADER:
                ts_write_all(fd, "\x82\x7e", 2);
                break;
            case SC_SERVER_CLOSE:
                ts_send_frame(fd, 1, ARB_WS_TEXT, "ok", 2);
                ts_send_frame(fd, 1, ARB_WS_CLOSE,
                              "\x03\xe8"
                              "bye",
                              5);
                if (ts_read_frame(fd, &f, buf, sizeof(buf)) == 2 && f.opcode == ARB_WS_CLOSE)
                    s->echoed_close = (uint16_t)(buf[0] << 8 | buf[1]);
                break;
            case SC_BLAST: {
                size_t off = 0;
                for (int i = 0; i < BLAST_N; i++) {
                    uint8_t body[BLAST_LEN];
                    memset(body, 'a' + i % 26, sizeof(body));
                    off += arb_ws_frame_encode(blast_buf + off, 1, ARB_WS_TEXT, BLAST_LEN, NULL);
                    memcpy(blast_buf + off, body, BLAST_LEN);
                    off += BLAST_LEN;
                }
                ts_write_all(fd, blast_buf, off);
                ts_send_frame(fd, 1, ARB_WS_CLOSE, "\x03\xe8", 2);
                ts_read_frame(fd, &f, buf, sizeof(buf));
                break;
            }
            case SC_ECHO: {
                long n = ts_read_frame(fd, &f, buf, sizeof(buf));
                if (n == 7 && f.opcode == ARB_WS_TEXT && !memcmp(buf, "ping-me", 7))
                    s->echo_ok++;
                if (n > 0)
                    ts_send_frame(fd, 1, ARB_WS_TEXT, buf, (size_t)n);
                n = ts_read_frame(fd, &f, buf, sizeof(buf));
                if (n == 2 && f.opcode == ARB_WS_CLOSE) {
                    s->client_close = (uint16_t)(buf[0] << 8 | buf[1]);
                    ts_send_frame(fd, 1, ARB_WS_CLOSE, buf, 2);
                }
                break;
            }
            default:
                break;
            }
            close(fd);
        }
    }
    return NULL;
}

struct got {
    int n;
    char last[64];
};

static void on_msg(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct got *g = ctx;
    (void)op;
    (void)ts;
    g->n++;
    snprintf(g->last, sizeof(g->last), "%.*s", (int)n, (const char *)p);
}

/* Drives the ring until the state is `want` or terminal. */
static enum arb_ws_state drive(struct arb_ws *ws, enum arb_ws_state want)
{
    for (int i = 0; i < 1000; i++) {
        if (ws->state == want || ws->state == ARB_WS_FAILED || ws->state == ARB_WS_CLOSED)
            break;
        arb_ws_wait(ws, 5000000);
    }
    return ws->state;
}

static void expect_drop(struct arb_ws *ws, struct got *g, const char *url, int msgs,
                        const char *last, const char *what)
{
    g->n = 0;
    g->last[0] = '\0';
    CHECK_EQ_I64(arb_ws_connect(ws, url), 0);
    enum arb_ws_state st = drive(ws, ARB_WS_CLOSED);
    if (st != ARB_WS_FAILED || ws->err != -ECONNRESET || !strstr(ws->errmsg, "mid-frame"))
        T_FAIL("%s: state %s err %d (%s)", what, arb_ws_state_name(st), ws->err, ws->errmsg);
    if (g->n != msgs || strcmp(g->last, last) != 0)
        T_FAIL("%s: %d messages, last \"%s\"; want %d, \"%s\"", what, g->n, g->last, msgs, last);
    CHECK(arb_ws_poll(ws) == -ECONNRESET); /* the failure sticks until reset */
}

static void run_scenes(struct io_uring *ring, uint16_t port, uint16_t dead_port, bool multishot)
{
    struct got g = {0};
    struct arb_ws_config cfg = {.on_msg = on_msg, .ctx = &g, .conn.no_multishot = !multishot};
    struct arb_ws ws;
    char url[64], dead[64];
    char report[160]; /* printed after the allocation window: stdio allocates its buffer */

    snprintf(url, sizeof(url), "ws://127.0.0.1:%u/feed?x=1", port);
    snprintf(dead, sizeof(dead), "ws://127.0.0.1:%u/", dead_port);
    REQUIRE(arb_ws_init(&ws, ring, &cfg) == 0);
    CHECK_EQ_I64(ws.conn.multishot, multishot);

    /* Nobody listening: a clean error, and the object stays reusable. */
    CHECK_EQ_I64(arb_ws_connect(&ws, dead), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_OPEN), ARB_WS_FAILED);
    CHECK_EQ_I64(ws.err, -ECONNREFUSED);

    expect_drop(&ws, &g, url, 3, "m2", "drop mid-payload");

    /* From here on, reconnecting to an address literal must not allocate. */
    int64_t a0 = arb_bench_allocated();
    expect_drop(&ws, &g, url, 1, "again", "drop mid-message");
    expect_drop(&ws, &g, url, 0, "", "drop mid-header");

    g.n = 0;
    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_CLOSED), ARB_WS_CLOSED);
    CHECK_EQ_I64(ws.close_code, 1000);
    CHECK_EQ_I64(g.n, 1);
    CHECK_STR(g.last, "ok");

    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_OPEN), ARB_WS_FAILED);
    CHECK_EQ_I64(ws.err, -EPROTO);
    CHECK(strstr(ws.errmsg, "Sec-WebSocket-Accept") != NULL);

    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_OPEN), ARB_WS_FAILED);
    CHECK_EQ_I64(ws.err, -ECONNREFUSED);
    CHECK(strstr(ws.errmsg, "429") != NULL);

    /*
     * 10,000 messages, reaped by spinning on arb_ws_poll alone (no waiting
     * syscall): completions must be posted without our entering the kernel.
     */
    g.n = 0;
    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    REQUIRE(drive(&ws, ARB_WS_OPEN) == ARB_WS_OPEN);
    uint64_t copied = ws.stats.copied, t0 = arb_clock_mono_ns(), t1 = t0;
    while (ws.state == ARB_WS_OPEN && arb_clock_mono_ns() - t0 < 10000000000ull) {
        if (arb_ws_poll(&ws) > 0)
            t1 = arb_clock_mono_ns();
    }
    CHECK_EQ_I64(drive(&ws, ARB_WS_CLOSED), ARB_WS_CLOSED);
    CHECK_EQ_I64(g.n, 10000);
    CHECK_EQ_I64(g.last[0], 'a' + 9999 % 26);
    snprintf(report, sizeof(report),
             "ws:// %s: %d messages of %d bytes in %.2f ms (%.2f M msg/s), %llu copied\n",
             multishot ? "multishot" : "plain recv", g.n, BLAST_LEN, (double)(t1 - t0) / 1e6,
             g.n / ((double)(t1 - t0) / 1e3), (unsigned long long)(ws.stats.copied - copied));

    g.n = 0;
    CHECK_EQ_I64(arb_ws_connect(&ws, url), 0);
    REQUIRE(drive(&ws, ARB_WS_OPEN) == ARB_WS_OPEN);
    CHECK_EQ_I64(arb_ws_send(&ws, ARB_WS_TEXT, "ping-me", 7), 0);
    for (int i = 0; i < 1000 && g.n == 0 && ws.state == ARB_WS_OPEN; i++)
        arb_ws_wait(&ws, 5000000);
    CHECK_STR(g.last, "ping-me");
    CHECK_EQ_I64(arb_ws_close(&ws, 1000), 0);
    CHECK_EQ_I64(drive(&ws, ARB_WS_CLOSED), ARB_WS_CLOSED);
    CHECK_EQ_I64(ws.close_code, 1000);
    arb_ws_reset(&ws);
    int64_t a1 = arb_bench_allocated();
    printf("%s", report);
#ifndef ARB_SANITIZED
    if (a0 >= 0)
        CHECK_EQ_I64(a1 - a0, 0);
    else
        fprintf(stderr, "allocation count unavailable (no jemalloc)\n");
#else
    (void)a0; /* sanitizers bring their own allocator: nothing to count */
    (void)a1;
#endif
    arb_ws_destroy(&ws);
}

int main(void)
{
    struct server s = {.rounds = 2};
    struct io_uring ring;
    uint16_t dead_port;

    arb_clock_init(5);
    int dfd = ts_listen(&dead_port);
    REQUIRE(dfd >= 0);
    close(dfd); /* a port nobody listens on, for the refused connect */
    s.lfd = ts_listen(&s.port);
    REQUIRE(s.lfd >= 0);
    REQUIRE(pthread_create(&s.th, NULL, server_main, &s) == 0);
    REQUIRE(arb_conn_ring_init(&ring, 64) == 0);

    run_scenes(&ring, s.port, dead_port, true);
    run_scenes(&ring, s.port, dead_port, false);

    pthread_join(s.th, NULL);
    close(s.lfd);
    io_uring_queue_exit(&ring);
    CHECK_EQ_I64(s.errors, 0);
    CHECK_EQ_I64(s.echoed_close, 1000);
    CHECK_EQ_I64(s.client_close, 1000);
    CHECK_EQ_I64(s.echo_ok, 2);
    return T_DONE();
}
