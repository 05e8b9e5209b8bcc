/* SPDX-License-Identifier: MIT */
/*
 * feeds/ws.c's receive path without a socket: one server byte stream fed in
 * every chunking, control replies read back from the send buffer.
 */
#include "feeds/ws.h"
#include "test.h"

#include <errno.h>

#define MAX_MSGS 16

struct got {
    int n;
    int op[MAX_MSGS];
    size_t len[MAX_MSGS];
    uint8_t *data[MAX_MSGS];
    const uint8_t *ptr[MAX_MSGS]; /* where the bytes were handed over */
    uint64_t ts[MAX_MSGS];
};

static void on_msg(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct got *g = ctx;
    if (g->n == MAX_MSGS) {
        T_FAIL("too many messages");
        return;
    }
    g->op[g->n] = op;
    g->len[g->n] = n;
    g->data[g->n] = malloc(n + 1);
    memcpy(g->data[g->n], p, n);
    g->ptr[g->n] = p;
    g->ts[g->n] = ts;
    g->n++;
}

static void got_clear(struct got *g)
{
    for (int i = 0; i < g->n; i++)
        free(g->data[i]);
    memset(g, 0, sizeof(*g));
}

/* Appends an unmasked server frame. */
static size_t put(uint8_t *out, int fin, enum arb_ws_opcode op, const void *p, size_t n)
{
    size_t h = arb_ws_frame_encode(out, fin, op, n, NULL);
    memcpy(out + h, p, n);
    return h + n;
}

static uint8_t stream[80000 + 512];
static uint8_t big[70000];
static size_t msg_end[5]; /* stream offset just past each message's last frame */

/*
 * The stream: "hello"; 300 bytes binary; "frag" + ping + "ment" + "ed" as
 * three fragments around a ping; an empty text; 70000 bytes binary; an
 * unsolicited pong; close 1000 "bye".
 */
static size_t build_stream(void)
{
    uint8_t bin300[300];
    size_t n = 0;

    for (size_t i = 0; i < sizeof(bin300); i++)
        bin300[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 13 + 5);
    n += put(stream + n, 1, ARB_WS_TEXT, "hello", 5);
    msg_end[0] = n;
    n += put(stream + n, 1, ARB_WS_BINARY, bin300, sizeof(bin300));
    msg_end[1] = n;
    n += put(stream + n, 0, ARB_WS_TEXT, "frag", 4);
    n += put(stream + n, 1, ARB_WS_PING, "are you there", 13);
    n += put(stream + n, 0, ARB_WS_CONT, "ment", 4);
    n += put(stream + n, 1, ARB_WS_CONT, "ed", 2);
    msg_end[2] = n;
    n += put(stream + n, 1, ARB_WS_TEXT, "", 0);
    msg_end[3] = n;
    n += put(stream + n, 1, ARB_WS_BINARY, big, sizeof(big));
    msg_end[4] = n;
    n += put(stream + n, 1, ARB_WS_PONG, "x", 1);
    n += put(stream + n, 1, ARB_WS_CLOSE,
             "\x03\xe8"
             "bye",
             5);
    return n;
}

/* Decodes the client's frames from its send buffer, checking each is masked. */
static int client_frames(struct arb_ws *ws, int *ops, uint8_t payloads[][128], size_t *lens,
                         int max)
{
    const uint8_t *p = ws->conn.tx + ws->conn.tx_head;
    size_t left = ws->conn.tx_tail - ws->conn.tx_head;
    int k = 0;

    while (left && k < max) {
        struct arb_ws_frame f;
        int h = arb_ws_frame_decode(p, left, 125, &f);
        REQUIRE(h > 0 && f.masked && f.fin && left >= h + f.payload_len);
        memcpy(payloads[k], p + h, f.payload_len);
        arb_ws_mask(payloads[k], f.payload_len, f.mask, 0);
        ops[k] = f.opcode;
        lens[k] = f.payload_len;
        k++;
        p += h + f.payload_len;
        left -= h + f.payload_len;
    }
    return k;
}

static void check_run(struct arb_ws *ws, struct got *g, size_t chunk, size_t total,
                      const uint64_t *want_ts)
{
    int ops[8];
    uint8_t pl[8][128];
    size_t lens[8];

    CHECK_EQ_I64(g->n, 5);
    if (g->n != 5)
        return;
    CHECK(g->op[0] == ARB_WS_TEXT && g->len[0] == 5 && !memcmp(g->data[0], "hello", 5));
    CHECK(g->op[1] == ARB_WS_BINARY && g->len[1] == 300 && g->data[1][299] == (uint8_t)(299 * 7));
    CHECK(g->op[2] == ARB_WS_TEXT && g->len[2] == 10 && !memcmp(g->data[2], "fragmented", 10));
    CHECK(g->op[3] == ARB_WS_TEXT && g->len[3] == 0);
    CHECK(g->op[4] == ARB_WS_BINARY && g->len[4] == sizeof(big) &&
          !memcmp(g->data[4], big, sizeof(big)));
    for (int i = 0; i < g->n; i++)
        CHECK_EQ_U64(g->ts[i], want_ts[i]);
    CHECK_EQ_I64(ws->state, ARB_WS_CLOSING);
    CHECK_EQ_U64(ws->close_code, 1000);
    /* Replies: a pong carrying the ping's payload, then the close echo with the same code. */
    int k = client_frames(ws, ops, pl, lens, 8);
    CHECK_EQ_I64(k, 2);
    if (k == 2) {
        CHECK(ops[0] == ARB_WS_PONG && lens[0] == 13 && !memcmp(pl[0], "are you there", 13));
        CHECK(ops[1] == ARB_WS_CLOSE && lens[1] == 2 && pl[1][0] == 0x03 && pl[1][1] == 0xe8);
    }
    if (chunk >= total) {
        /* One buffer: only the fragmented message was copied; the rest point into it. */
        CHECK_EQ_U64(ws->stats.copied, 1);
        for (int i = 0; i < 5; i++) {
            int inside = g->ptr[i] >= stream && g->ptr[i] < stream + total;
            CHECK_EQ_I64(inside, i != 2);
        }
    }
}

/* Feeds the stream cut into `chunk`-byte pieces; each piece gets its own timestamp. */
static void run_chunked(struct arb_ws *ws, struct got *g, size_t chunk, size_t total,
                        const size_t *cuts)
{
    arb_ws_reset(ws);
    memset(&ws->stats, 0, sizeof(ws->stats)); /* stats span reconnects; count this run only */
    REQUIRE(arb_ws_open_detached(ws) == 0);
    got_clear(g);
    size_t off = 0;
    uint64_t ts = 1000;
    uint64_t want_ts[5] = {0};
    int ci = 0;
    while (off < total) {
        size_t n = chunk;
        if (cuts)
            n = cuts[ci++] - off;
        if (n > total - off)
            n = total - off;
        /* A message carries the timestamp of the buffer holding its last byte. */
        for (int i = 0; i < 5; i++)
            if (msg_end[i] > off && msg_end[i] <= off + n)
                want_ts[i] = ts;
        CHECK_EQ_I64(arb_ws_input(ws, stream + off, n, ts), 0);
        off += n;
        ts++;
    }
    check_run(ws, g, cuts ? 0 : chunk, total, want_ts);
}

static void test_chunkings(void)
{
    struct arb_ws ws;
    struct got g = {0};
    struct arb_ws_config cfg = {.max_msg = 100000, .on_msg = on_msg, .ctx = &g};
    size_t total = build_stream();

    REQUIRE(arb_ws_init(&ws, NULL, &cfg) == 0);
    static const size_t sizes[] = {1, 2, 3, 5, 7, 13, 14, 15, 64, 127, 1000, 4096, 65536};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        run_chunked(&ws, &g, sizes[i], total, NULL);
    run_chunked(&ws, &g, total, total, NULL);

    /* Random cut points, fixed seed: splits land inside headers, masks and payloads. */
    uint64_t seed = 7;
    for (int round = 0; round < 200; round++) {
        size_t cuts[64], at = 0;
        int nc = 0;
        while (nc < 63) {
            at += 1 + t_rand(&seed) % 400;
            if (at >= total)
                break;
            cuts[nc++] = at;
        }
        cuts[nc] = total;
        run_chunked(&ws, &g, 0, total, cuts);
        if (t_failures)
            break;
    }
    got_clear(&g);
    arb_ws_destroy(&ws);
}

static void expect_fail(const uint8_t *b, size_t n, uint32_t max_msg, int err, const char *what)
{
    struct arb_ws ws;
    struct got g = {0};
    struct arb_ws_config cfg = {.max_msg = max_msg, .on_msg = on_msg, .ctx = &g};

    REQUIRE(arb_ws_init(&ws, NULL, &cfg) == 0);
    REQUIRE(arb_ws_open_detached(&ws) == 0);
    int rc = arb_ws_input(&ws, b, n, 1);
    if (rc != err || ws.state != ARB_WS_FAILED || g.n != 0)
        T_FAIL("%s: rc %d state %s msgs %d, want %d failed 0 (%s)", what, rc,
               arb_ws_state_name(ws.state), g.n, err, ws.errmsg);
    /* Once failed, nothing more is delivered. */
    static const uint8_t hello[] = {0x81, 0x02, 'h', 'i'};
    CHECK_EQ_I64(arb_ws_input(&ws, hello, sizeof(hello), 2), err);
    CHECK_EQ_I64(g.n, 0);
    got_clear(&g);
    arb_ws_destroy(&ws);
}

static void test_errors(void)
{
    uint8_t b[4096];
    size_t n;

    static const uint8_t masked[] = {0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
    expect_fail(masked, sizeof(masked), 1000, -EPROTO, "masked server frame");
    static const uint8_t cont[] = {0x80, 0x01, 'x'};
    expect_fail(cont, sizeof(cont), 1000, -EPROTO, "continuation without a message");
    n = put(b, 0, ARB_WS_TEXT, "ab", 2);
    n += put(b + n, 1, ARB_WS_TEXT, "cd", 2);
    expect_fail(b, n, 1000, -EPROTO, "text inside a fragmented text");
    static const uint8_t rsv[] = {0xC1, 0x00};
    expect_fail(rsv, sizeof(rsv), 1000, -EPROTO, "reserved bit");
    static const uint8_t close1[] = {0x88, 0x01, 0x03};
    expect_fail(close1, sizeof(close1), 1000, -EPROTO, "1-byte close body");

    /* Too big in one frame, and too big only once the fragments add up. */
    n = arb_ws_frame_encode(b, 1, ARB_WS_BINARY, 1001, NULL);
    expect_fail(b, n, 1000, -EMSGSIZE, "1001-byte frame over 1000");
    static uint8_t part[400];
    n = put(b, 0, ARB_WS_BINARY, part, sizeof(part));
    n += put(b + n, 0, ARB_WS_CONT, part, sizeof(part));
    n += put(b + n, 1, ARB_WS_CONT, part, sizeof(part));
    expect_fail(b, n, 1000, -EMSGSIZE, "three 400-byte fragments over 1000");
}

int main(void)
{
    test_chunkings();
    test_errors();
    return T_DONE();
}
