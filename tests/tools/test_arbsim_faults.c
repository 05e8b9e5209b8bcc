/* SPDX-License-Identifier: MIT */
/*
 * arbsim's fault injection, as a client sees it: drops (reset, FIN, mid-frame),
 * stalls that keep the connection open, garbage frames, sequence skips,
 * pause/resume, on command and on schedule, and the control sockets.
 */
#include "test_arbsim.h"

#include <sys/un.h>

static struct t_ws w;
static char buf[1 << 16];

/* A steady binance stream: the script's 100 ms steps played 10x faster, forever. */
static void start(struct arb_simproc *s, const char *extra1, const char *extra2)
{
    static char path[512];
    const char *args[] = {
        "--venue",     "binance",
        "--script",    t_src("data/scripts/usdcusdt_binance.csv", path, sizeof path),
        "--speed",     "10",
        "--loop",      "0",
        "--seq-start", "500",
        extra1,        extra2,
        NULL};

    t_sim_start(s, args);
    t_ws_connect(&w, s->port, "/ws", NULL);
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"SUBSCRIBE\",\"params\":[\"usdcusdt@bookTicker\"],"
                               "\"id\":1}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    REQUIRE(strcmp(buf, "{\"result\":null,\"id\":1}") == 0);
}

#define NO_FRAME (-1000) /* next_u: nothing within the time */

/* The next data frame's update id, NO_FRAME, or a T_WS_ code. */
static int64_t next_u(int timeout_ms)
{
    int op = t_ws_recv_text(&w, timeout_ms, buf, sizeof buf, NULL);

    if (op == T_WS_TIMEOUT)
        return NO_FRAME;
    if (op != ARB_WS_TEXT)
        return op < 0 ? op : -100 - op;
    return (int64_t)t_json_u64(buf, "\"u\":");
}

/* Reads frames until the connection ends; returns how it ended. */
static int until_end(void)
{
    for (;;) {
        int op = t_ws_recv(&w, 3000, buf, sizeof buf, NULL);
        if (op < 0 || op == ARB_WS_CLOSE)
            return op;
    }
}

static void test_drops(void)
{
    struct arb_simproc sim;
    char reply[1024];
    int end;

    start(&sim, NULL, NULL);
    REQUIRE(next_u(3000) == 500);
    fs_sim_cmd(&sim, "drop", reply, sizeof reply);
    CHECK_STR(reply, "ok drop rst\n");
    end = until_end();
    CHECK_EQ_I64(end, T_WS_RESET);
    t_ws_close(&w);

    /* The server goes on: a new client connects and the shared timeline continues. */
    t_ws_connect(&w, sim.port, "/ws", NULL);
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"SUBSCRIBE\",\"params\":[\"usdcusdt@bookTicker\"],"
                               "\"id\":2}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    CHECK(next_u(3000) > 500);
    fs_sim_cmd(&sim, "drop fin", reply, sizeof reply);
    CHECK_STR(reply, "ok drop fin\n");
    /* An orderly TCP end with no WebSocket close frame. */
    CHECK_EQ_I64(until_end(), T_WS_EOF);
    t_ws_close(&w);

    t_ws_connect(&w, sim.port, "/ws", NULL);
    REQUIRE(t_ws_send_text(&w, "{\"method\":\"SUBSCRIBE\",\"params\":[\"usdcusdt@bookTicker\"],"
                               "\"id\":3}") == 0);
    REQUIRE(t_ws_recv_text(&w, 3000, buf, sizeof buf, NULL) == ARB_WS_TEXT);
    fs_sim_cmd(&sim, "drop mid", reply, sizeof reply);
    CHECK_STR(reply, "ok drop mid\n");
    /* The stream ends inside a frame. */
    CHECK_EQ_I64(until_end(), T_WS_TRUNCATE);
    t_ws_close(&w);

    fs_sim_cmd(&sim, "stats", reply, sizeof reply);
    CHECK_EQ_U64(t_json_u64(reply, "\"drops\":"), 3);
    CHECK_EQ_U64(t_json_u64(reply, "\"accepted\":"), 3);
    fs_sim_cmd(&sim, "drop sideways", reply, sizeof reply);
    CHECK(strncmp(reply, "error:", 6) == 0);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

/* Drains what was already in flight when a command took effect. */
static int64_t drain(int ms)
{
    int64_t last = -1, u;

    while ((u = next_u(ms)) >= 0)
        last = u;
    return last;
}

static void test_stall_pause(void)
{
    struct arb_simproc sim;
    char reply[1024];
    struct pollfd p;
    int64_t last, u;
    uint64_t t0;

    start(&sim, NULL, NULL);
    REQUIRE(next_u(3000) >= 500);
    fs_sim_cmd(&sim, "stall 700", reply, sizeof reply);
    CHECK_STR(reply, "ok stall 700\n");
    t0 = t_now_ms();
    last = drain(100);
    /* Silence that looks healthy: no bytes at all, and the connection stays open. */
    p = (struct pollfd){.fd = w.fd, .events = POLLIN};
    if (t_now_ms() - t0 < 400)
        CHECK_EQ_I64(poll(&p, 1, (int)(500 - (t_now_ms() - t0))), 0);
    /* Pings are still answered during a (soft) stall. */
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_PING, "p", 1, 0) == 0);
    CHECK_EQ_I64(t_ws_recv(&w, 1000, buf, sizeof buf, NULL), ARB_WS_PONG);
    /* Then the backlog arrives without a gap. */
    u = next_u(3000);
    CHECK(t_now_ms() - t0 >= 600);
    if (last >= 0)
        CHECK_EQ_I64(u, last + 1);

    fs_sim_cmd(&sim, "pause", reply, sizeof reply);
    CHECK_STR(reply, "ok pause\n");
    last = drain(100);
    CHECK_EQ_I64(next_u(400), NO_FRAME);
    fs_sim_cmd(&sim, "stats", reply, sizeof reply);
    CHECK(strstr(reply, "\"paused\":true") != NULL);
    fs_sim_cmd(&sim, "resume", reply, sizeof reply);
    CHECK_STR(reply, "ok resume\n");
    /* A paused market resumes where it stopped: the next update follows the last. */
    u = next_u(3000);
    if (last >= 0)
        CHECK_EQ_I64(u, last + 1);

    /* A hard stall ignores pings too. */
    fs_sim_cmd(&sim, "stall 500 hard", reply, sizeof reply);
    CHECK_STR(reply, "ok stall 500 hard\n");
    drain(100);
    REQUIRE(t_ws_send_frame(&w, 1, ARB_WS_PING, "p", 1, 0) == 0);
    t0 = t_now_ms();
    CHECK_EQ_I64(t_ws_recv_text(&w, 250, buf, sizeof buf, NULL), T_WS_TIMEOUT);
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

/* The truncated-JSON frame and the non-UTF-8 frame, in that order. */
static void expect_garbage(void)
{
    int seen = 0;

    while (seen < 2) {
        size_t n = 0;
        int op = t_ws_recv(&w, 3000, buf, sizeof buf, &n);
        REQUIRE(op == ARB_WS_TEXT);
        if (seen == 0 && buf[0] == '{' && buf[n - 1] != '}') {
            CHECK(strncmp(buf, "{\"u\":", 5) == 0); /* half of a real bookTicker */
            seen = 1;
        } else if (seen == 1) {
            CHECK(memchr(buf, 0xff, n) != NULL);
            seen = 2;
        } else {
            CHECK(buf[0] == '{' && buf[n - 1] == '}');
        }
    }
}

static void test_garbage_skip(void)
{
    struct arb_simproc sim;
    char reply[1024];
    int64_t prev, u;
    int jumps = 0;

    start(&sim, NULL, NULL);
    REQUIRE(next_u(3000) >= 500);
    fs_sim_cmd(&sim, "garbage", reply, sizeof reply);
    CHECK_STR(reply, "ok garbage\n");
    expect_garbage();
    /* After the garbage the stream goes on. */
    prev = next_u(3000);
    REQUIRE(prev >= 500);
    fs_sim_cmd(&sim, "skip 5", reply, sizeof reply);
    CHECK_STR(reply, "ok skip 5\n");
    /* Every step is +1 except one of +6 (5 numbers skipped). */
    for (int i = 0; i < 15; i++) {
        u = next_u(3000);
        REQUIRE(u >= 0);
        if (u - prev == 6)
            jumps++;
        else
            CHECK_EQ_I64(u - prev, 1);
        prev = u;
    }
    CHECK_EQ_I64(jumps, 1);
    fs_sim_cmd(&sim, "skip x", reply, sizeof reply);
    CHECK(strncmp(reply, "error:", 6) == 0);
    fs_sim_cmd(&sim, "frobnicate", reply, sizeof reply);
    CHECK(strncmp(reply, "error: unknown command", 22) == 0);
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
}

static void test_scheduled(void)
{
    struct arb_simproc sim;
    uint64_t t0;

    /* Exactly 3 data frames, then an orderly TCP end with no close frame. */
    start(&sim, "--drop-after-frames", "3:fin");
    for (int i = 0; i < 3; i++)
        CHECK_EQ_I64(next_u(3000), 500 + i);
    CHECK_EQ_I64(until_end(), T_WS_EOF);
    t_ws_close(&w);
    fs_sim_stop(&sim);

    start(&sim, "--drop-after-frames", "2:mid");
    CHECK_EQ_I64(next_u(3000), 500);
    CHECK_EQ_I64(next_u(3000), 501);
    CHECK_EQ_I64(until_end(), T_WS_TRUNCATE);
    t_ws_close(&w);
    fs_sim_stop(&sim);

    start(&sim, "--skip-at-frame", "2:4");
    CHECK_EQ_I64(next_u(3000), 500);
    CHECK_EQ_I64(next_u(3000), 501);
    CHECK_EQ_I64(next_u(3000), 506);
    CHECK_EQ_I64(next_u(3000), 507);
    t_ws_close(&w);
    fs_sim_stop(&sim);

    start(&sim, "--garbage-at-frame", "1");
    CHECK_EQ_I64(next_u(3000), 500);
    expect_garbage();
    CHECK_EQ_I64(next_u(3000), 501);
    t_ws_close(&w);
    fs_sim_stop(&sim);

    start(&sim, "--stall-at-frame", "2:500");
    CHECK_EQ_I64(next_u(3000), 500);
    CHECK_EQ_I64(next_u(3000), 501);
    t0 = t_now_ms();
    CHECK_EQ_I64(next_u(3000), 502);
    CHECK(t_now_ms() - t0 >= 400);
    t_ws_close(&w);
    fs_sim_stop(&sim);
}

static int line_cmd(int fd, const char *cmd, char *reply, size_t len)
{
    size_t n = 0;

    REQUIRE(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd));
    while (n < len - 1) {
        ssize_t k = read(fd, reply + n, 1);
        if (k <= 0)
            break;
        if (reply[n++] == '\n')
            break;
    }
    reply[n] = '\0';
    return (int)n;
}

static void test_control_sockets(void)
{
    struct arb_simproc sim;
    char line[256], reply[1024], upath[108];
    const char *args[8];
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd, port;

    snprintf(upath, sizeof upath, "/tmp/arbsim_ctl_%d", (int)getpid());
    args[0] = "--venue";
    args[1] = "coinbase";
    args[2] = "--control-port";
    args[3] = "0";
    args[4] = "--control";
    args[5] = upath;
    args[6] = "--no-stdin";
    args[7] = NULL;
    t_sim_start(&sim, args);
    REQUIRE(fgets(line, sizeof line, sim.out));
    REQUIRE(strncmp(line, "arbsim: control tcp://127.0.0.1:", 32) == 0);
    port = atoi(line + 32);
    fd = t_tcp_connect(port);
    line_cmd(fd, "stats\n", reply, sizeof reply);
    CHECK(strncmp(reply, "{\"venue\":\"coinbase\",", 20) == 0);
    line_cmd(fd, "help\n", reply, sizeof reply);
    CHECK(strncmp(reply, "commands:", 9) == 0);
    close(fd);

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(sun.sun_path, upath);
    REQUIRE(connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0);
    line_cmd(fd, "pause\n", reply, sizeof reply);
    CHECK_STR(reply, "ok pause\n");
    line_cmd(fd, "quit\n", reply, sizeof reply);
    CHECK_STR(reply, "ok quit\n");
    close(fd);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);
    CHECK(access(upath, F_OK) != 0); /* the socket file is removed on exit */
}

int main(void)
{
    test_drops();
    test_stall_pause();
    test_garbage_skip();
    test_scheduled();
    test_control_sockets();
    return T_DONE();
}
