/* SPDX-License-Identifier: MIT */
/*
 * feeds/http.c: responses framed the same whatever the split (every split
 * point, byte by byte), pipelined responses in order, chunked bodies decoded,
 * interim 1xx skipped, bad input refused, and never a byte past cap.
 */
#include "test.h"

#include "feeds/http.h"

#include <stdbool.h>

#define MAX_SEEN 16

struct seen {
    int n;
    int status[MAX_SEEN];
    bool close[MAX_SEEN];
    char body[MAX_SEEN][256];
    size_t body_len[MAX_SEEN];
    bool msg_ok[MAX_SEEN]; /* msg is the head then the body, contiguous */
};

static void on_resp(void *ctx, const struct arb_http_resp *r, uint64_t ts)
{
    struct seen *s = ctx;

    (void)ts;
    if (s->n == MAX_SEEN || r->body_len >= sizeof(s->body[0])) {
        T_FAIL("too many or too long responses");
        return;
    }
    s->status[s->n] = r->status;
    s->close[s->n] = r->close;
    memcpy(s->body[s->n], r->body, r->body_len);
    s->body[s->n][r->body_len] = '\0';
    s->body_len[s->n] = r->body_len;
    s->msg_ok[s->n] = r->body == r->msg + r->head_len && r->len == r->head_len + r->body_len &&
                      r->head_len >= 4 && memcmp(r->msg + r->head_len - 4, "\r\n\r\n", 4) == 0 &&
                      memcmp(r->msg, "HTTP/1.", 7) == 0;
    s->n++;
}

/* Four responses back to back: Content-Length, 100 then chunked with an extension and a
 * trailer, 204, and a 429 that closes. The bodies, decoded by hand, follow. */
static const char stream[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 17\r\n\r\n"
    "{\"success\":true}\n"
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;name=v\r\n{\"ord\r\n"
    "C\r\ner\":{\"id\":1}\r\n"
    "1\r\n}\r\n"
    "0\r\nX-Trailer: yes\r\n\r\n"
    "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
    "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 12\r\n\r\n"
    "Slow down!\r\n";

static void check_stream(const struct seen *s, const char *how, size_t split)
{
    static const int status[] = {200, 200, 204, 429};
    static const char *const body[] = {"{\"success\":true}\n", "{\"order\":{\"id\":1}}", "",
                                       "Slow down!\r\n"};

    if (s->n != 4) {
        T_FAIL("%s at %zu: %d responses", how, split, s->n);
        return;
    }
    for (int i = 0; i < 4; i++) {
        if (s->status[i] != status[i] || strcmp(s->body[i], body[i]) != 0 || !s->msg_ok[i] ||
            s->close[i] != (i == 3))
            T_FAIL("%s at %zu: response %d is %d \"%s\"", how, split, i, s->status[i], s->body[i]);
    }
}

static void test_splits(void)
{
    size_t n = sizeof(stream) - 1;
    static uint8_t buf[512];
    struct arb_http_rx rx;
    struct seen s;

    /* Whole: the first response is delivered in place, the chunked one from buf. */
    memset(&s, 0, sizeof(s));
    arb_http_rx_init(&rx, buf, sizeof(buf), on_resp, &s);
    CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)stream, n, 0), 0);
    check_stream(&s, "whole", 0);
    CHECK(rx.stats.in_place >= 1);
    CHECK_EQ_U64(rx.stats.skipped, 1);
    CHECK(!arb_http_rx_partial(&rx));

    for (size_t cut = 1; cut < n; cut++) {
        memset(&s, 0, sizeof(s));
        arb_http_rx_init(&rx, buf, sizeof(buf), on_resp, &s);
        CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)stream, cut, 0), 0);
        CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)stream + cut, n - cut, 0), 0);
        check_stream(&s, "split", cut);
        CHECK(!arb_http_rx_partial(&rx));
    }
    /* Three pieces, every pair of cuts: partial heads, chunk lines and CRLFs in any piece. */
    for (size_t a = 1; a < n; a += 3)
        for (size_t b = a + 1; b < n; b += 5) {
            memset(&s, 0, sizeof(s));
            arb_http_rx_init(&rx, buf, sizeof(buf), on_resp, &s);
            CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)stream, a, 0), 0);
            CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)stream + a, b - a, 0), 0);
            CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)stream + b, n - b, 0), 0);
            check_stream(&s, "three-way", a * 1000 + b);
        }
    memset(&s, 0, sizeof(s));
    arb_http_rx_init(&rx, buf, sizeof(buf), on_resp, &s);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)stream + i, 1, 0), 0);
    check_stream(&s, "bytewise", 0);
    CHECK_EQ_U64(rx.stats.in_place, 0);
}

/* A response alone must be refused with `err`, however it is split. */
static void expect_error(const char *text, int err, size_t cap)
{
    uint8_t buf[600];
    struct arb_http_rx rx;
    struct seen s;
    size_t n = strlen(text);

    REQUIRE(cap + 8 <= sizeof(buf));
    for (size_t cut = 0; cut <= n; cut++) {
        int rc1, rc2;
        memset(&s, 0, sizeof(s));
        memset(buf, 0xa5, sizeof(buf));
        arb_http_rx_init(&rx, buf, cap, on_resp, &s);
        rc1 = arb_http_rx_input(&rx, (const uint8_t *)text, cut, 0);
        rc2 = arb_http_rx_input(&rx, (const uint8_t *)text + cut, n - cut, 0);
        if ((rc1 != err && rc2 != err) || (rc1 < 0 && rc1 != err) || s.n != 0)
            T_FAIL("\"%.40s...\" cut %zu: %d, %d (want %d), %d delivered", text, cut, rc1, rc2, err,
                   s.n);
        /* Sticky: a connection that sent garbage is not trusted again. */
        CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)"HTTP/1.1 204 OK\r\n\r\n", 19, 0),
                     err);
        for (size_t i = cap; i < sizeof(buf); i++)
            if (buf[i] != 0xa5) {
                T_FAIL("\"%.40s...\": byte %zu past cap %zu written", text, i, cap);
                break;
            }
    }
}

static void test_errors(void)
{
    expect_error("GET / HTTP/1.1\r\nHost: x\r\n\r\n", -EPROTO, 512);
    expect_error("HTTP/2 200 OK\r\n\r\n", -EPROTO, 512);
    expect_error("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", -EPROTO, 512);
    expect_error("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", -EPROTO, 512);
    expect_error("HTTP/1.1 700 Odd\r\nContent-Length: 0\r\n\r\n", -EPROTO, 512);
    /* No length and not chunked: the body would end only with the connection. */
    expect_error("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello", -EPROTO, 512);
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nhello", -EPROTO, 512);
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello", -EPROTO, 512);
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", -EPROTO,
                 512);
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", -EPROTO,
                 512);
    expect_error("HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n", -EPROTO, 512);
    expect_error("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\nContent-Length: 0\r\n\r\n", -EPROTO, 512);
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
                 -EPROTO, 512);
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n", -EPROTO,
                 512);
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\n", -EPROTO,
                 512);
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "fffffffffffffffff\r\n",
                 -EPROTO, 512);
    /* Longer than cap: the head alone, a declared length, a chunk, and chunks adding up. */
    expect_error("HTTP/1.1 200 OK\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaaaaaaaaaaaaaaaaaa\r\nContent-Length: 0\r\n\r\n",
                 -EMSGSIZE, 64);
    expect_error("HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n"
                 "012345678901234567890123456789012345678901234567890123456789",
                 -EMSGSIZE, 64);
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n", -EMSGSIZE, 64);
    expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "8\r\n01234567\r\n8\r\n01234567\r\n8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n",
                 -EMSGSIZE, 64);
}

/* Exactly cap bytes fits; HTTP/1.0 closes unless told to keep alive; status-only lines. */
static void test_edges(void)
{
    static const char exact[] = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n01234567";
    static const char v10[] =
        "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n"
        "ok"
        "HTTP/1.1 401\r\nContent-Length: 13\r\n\r\nUnauthorized\n";
    uint8_t buf[sizeof(exact) - 1 + 8];
    struct arb_http_rx rx;
    struct seen s;

    memset(&s, 0, sizeof(s));
    memset(buf, 0xa5, sizeof(buf));
    arb_http_rx_init(&rx, buf, sizeof(exact) - 1, on_resp, &s);
    for (size_t i = 0; i < sizeof(exact) - 1; i++)
        CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)exact + i, 1, 0), 0);
    CHECK_EQ_I64(s.n, 1);
    CHECK_STR(s.body[0], "01234567");
    for (size_t i = sizeof(exact) - 1; i < sizeof(buf); i++)
        CHECK(buf[i] == 0xa5);

    static uint8_t big[256];
    memset(&s, 0, sizeof(s));
    arb_http_rx_init(&rx, big, sizeof(big), on_resp, &s);
    CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)v10, sizeof(v10) - 1, 0), 0);
    REQUIRE(s.n == 3);
    CHECK(s.close[0]);
    CHECK(!s.close[1]);
    CHECK(!s.close[2]);
    CHECK_EQ_I64(s.status[2], 401);
    CHECK_STR(s.body[2], "Unauthorized\n");
    CHECK_EQ_U64(rx.stats.in_place, 3);

    /* Reset forgets a partial response and an error. */
    CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)"HTTP/1.1 200 OK\r\nCont", 21, 0), 0);
    CHECK(arb_http_rx_partial(&rx));
    arb_http_rx_reset(&rx);
    CHECK(!arb_http_rx_partial(&rx));
    CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)"junk\r\n\r\n", 8, 0), -EPROTO);
    arb_http_rx_reset(&rx);
    CHECK_EQ_I64(arb_http_rx_input(&rx, (const uint8_t *)exact, sizeof(exact) - 1, 0), 0);
    CHECK_EQ_I64(s.n, 4);
}

int main(void)
{
    test_splits();
    test_errors();
    test_edges();
    return T_DONE();
}
