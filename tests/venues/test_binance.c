/* SPDX-License-Identifier: MIT */
/*
 * venues/binance.c, spot: order.place and REST requests against hand-written
 * expectations in the documented shape (signatures recomputed with OpenSSL),
 * Ed25519 signatures verified with the public key, the documented answers
 * parsed, malformed input refused, and no allocation per HMAC order.
 */
#include "binance_test.h"
#include "venues/binance.h"

/* What our order must sign: the params sorted by name, as the docs' step 1 says. */
#define PAYLOAD                                                                                    \
    "apiKey=" APIKEY "&newClientOrderId=arb-17-0&price=52000&quantity=0.01&recvWindow=5000&"       \
    "side=SELL&symbol=BTCUSDT&timeInForce=IOC&timestamp=1645423376532&type=LIMIT"

#define REST_QUERY                                                                                 \
    "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.01&price=52000&"               \
    "newClientOrderId=arb-17-0&recvWindow=5000&timestamp=1645423376532"

static struct arb_leg leg = {
    .px_e8 = 5200000000000LL, .qty_e8 = 1000000, .side = ARB_SIDE_SELL, .tif = ARB_TIF_IOC};

static void make_order(struct arb_order *o)
{
    memset(o, 0, sizeof(*o));
    o->leg = &leg;
    o->symbol = "BTCUSDT";
    o->symbol_len = 7;
    strcpy(o->clid, "arb-17-0");
    o->ts_ms = 1645423376532ULL;
    o->req_id = 42;
}

static void test_encode_hmac(void)
{
    struct arb_venue_keys k;
    struct arb_order o;
    char buf[1024], want[1024], sig[65];
    int n;

    REQUIRE(arb_venue_binance.keys_init(&k, APIKEY, SECRET) == 0);
    CHECK(k.secret_len == 64 && memcmp(k.secret, SECRET, 64) == 0);
    make_order(&o);
    hmac_hex(PAYLOAD, sig);
    n = arb_venue_binance.encode_order(&k, &o, buf, sizeof(buf));
    snprintf(want, sizeof(want),
             "{\"id\":42,\"method\":\"order.place\",\"params\":{\"apiKey\":\"" APIKEY "\","
             "\"newClientOrderId\":\"arb-17-0\",\"price\":\"52000\",\"quantity\":\"0.01\","
             "\"recvWindow\":5000,\"side\":\"SELL\",\"symbol\":\"BTCUSDT\","
             "\"timeInForce\":\"IOC\",\"timestamp\":1645423376532,\"type\":\"LIMIT\","
             "\"signature\":\"%s\"}}",
             sig);
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_STR(buf, want);
    CHECK_EQ_I64(n, (long long)strlen(want));

    n = arb_binance_rest_order(&k, &o, buf, sizeof(buf));
    hmac_hex(REST_QUERY, sig);
    snprintf(want, sizeof(want),
             "POST /api/v3/order?" REST_QUERY "&signature=%s HTTP/1.1\r\n"
             "Host: api.binance.com\r\nX-MBX-APIKEY: " APIKEY "\r\nContent-Length: 0\r\n\r\n",
             sig);
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_STR(buf, want);

    /* Every buffer too small by one byte is refused, never overrun. */
    for (size_t cap = 0; cap < strlen(want); cap += 37)
        CHECK(arb_binance_rest_order(&k, &o, buf, cap) == -ENOSPC);
    CHECK(arb_venue_binance.encode_order(&k, &o, buf, 100) == -ENOSPC);
    strcpy(o.clid, "bad id");
    CHECK(arb_venue_binance.encode_order(&k, &o, buf, sizeof(buf)) == -EINVAL);
    make_order(&o);
    leg.side = 0;
    CHECK(arb_venue_binance.encode_order(&k, &o, buf, sizeof(buf)) == -EINVAL);
    leg.side = ARB_SIDE_SELL;
    arb_venue_binance.keys_free(&k);
    CHECK(k.sign_state == NULL && k.secret_len == 0);
}

/* order.status by client id, after a re-sent order came back as a duplicate. */
static void test_encode_query(void)
{
    struct arb_venue_keys k;
    struct arb_order o;
    char buf[1024], want[1024], sig[65];
    int n;

    REQUIRE(arb_venue_binance.keys_init(&k, APIKEY, SECRET) == 0);
    REQUIRE(arb_venue_binance.encode_query == arb_binance_encode_query);
    make_order(&o);
    hmac_hex("apiKey=" APIKEY "&origClientOrderId=arb-17-0&recvWindow=5000&symbol=BTCUSDT&"
             "timestamp=1645423376532",
             sig);
    n = arb_binance_encode_query(&k, &o, buf, sizeof(buf));
    snprintf(want, sizeof(want),
             "{\"id\":42,\"method\":\"order.status\",\"params\":{\"apiKey\":\"" APIKEY "\","
             "\"origClientOrderId\":\"arb-17-0\",\"recvWindow\":5000,\"symbol\":\"BTCUSDT\","
             "\"timestamp\":1645423376532,\"signature\":\"%s\"}}",
             sig);
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_STR(buf, want);
    /* The answer is the order object: its cumulative fill, by client id. */
    struct arb_exec x;
    const char ans[] =
        "{\"id\":43,\"status\":200,\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":12,"
        "\"clientOrderId\":\"arb-17-0\",\"price\":\"52000.00000000\","
        "\"origQty\":\"0.01000000\",\"executedQty\":\"0.00400000\","
        "\"cummulativeQuoteQty\":\"208.00000000\",\"status\":\"EXPIRED\","
        "\"timeInForce\":\"IOC\",\"type\":\"LIMIT\",\"side\":\"SELL\"}}";
    REQUIRE(arb_venue_binance.parse_exec(ans, strlen(ans), &x, 1) == 1);
    CHECK_STR(x.clid, "arb-17-0");
    CHECK_EQ_I64(x.kind, ARB_EXEC_PARTIAL);
    CHECK_EQ_I64(x.filled_qty_e8, 400000);
    CHECK_EQ_I64(x.avg_px_e8, 5200000000000LL);
    CHECK(arb_binance_encode_query(&k, &o, buf, 100) == -ENOSPC);
    strcpy(o.clid, "bad id");
    CHECK(arb_binance_encode_query(&k, &o, buf, sizeof(buf)) == -EINVAL);
    arb_venue_binance.keys_free(&k);
}

/* Pulls the "signature" string out of an order.place request. */
static size_t find_sig(const char *req, char *sig, size_t cap)
{
    const char *p = strstr(req, "\"signature\":\""), *q;

    REQUIRE(p);
    p += 13;
    q = strchr(p, '"');
    REQUIRE(q && (size_t)(q - p) < cap);
    memcpy(sig, p, (size_t)(q - p));
    sig[q - p] = '\0';
    return (size_t)(q - p);
}

static void test_encode_ed25519(void)
{
    EVP_PKEY *pkey;
    char *pem = vt_gen_pem("ED25519", &pkey);
    struct arb_venue_keys k;
    struct arb_order o;
    char buf[1024], sig[128], dec[128];
    unsigned char raw[128];
    int n, rl;

    REQUIRE(arb_venue_binance.keys_init(&k, APIKEY, pem) == 0);
    make_order(&o);
    n = arb_venue_binance.encode_order(&k, &o, buf, sizeof(buf));
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_EQ_U64(find_sig(buf, sig, sizeof(sig)), 88);
    rl = vt_b64_decode(sig, strlen(sig), raw, sizeof(raw));
    CHECK_EQ_I64(rl, 64);
    CHECK(vt_verify(pkey, raw, (size_t)rl, PAYLOAD, strlen(PAYLOAD)));
    /* A signature over anything else must not verify: the check is not vacuous. */
    CHECK(!vt_verify(pkey, raw, (size_t)rl, PAYLOAD "x", strlen(PAYLOAD) + 1));

    /* REST: the base64 signature is percent-encoded in the query. */
    n = arb_binance_rest_order(&k, &o, buf, sizeof(buf));
    REQUIRE(n > 0);
    buf[n] = '\0';
    {
        const char *p = strstr(buf, "&signature="), *q;
        size_t m = 0;
        REQUIRE(p);
        CHECK(strncmp(buf, "POST /api/v3/order?" REST_QUERY "&signature=",
                      strlen("POST /api/v3/order?" REST_QUERY "&signature=")) == 0);
        p += 11;
        q = strchr(p, ' ');
        REQUIRE(q);
        for (; p < q; p++) {
            if (*p == '%') {
                dec[m++] = p[2] == 'B' ? '+' : p[2] == 'F' ? '/' : '=';
                p += 2;
            } else {
                dec[m++] = *p;
            }
        }
        rl = vt_b64_decode(dec, m, raw, sizeof(raw));
        CHECK_EQ_I64(rl, 64);
        CHECK(vt_verify(pkey, raw, (size_t)rl, REST_QUERY, strlen(REST_QUERY)));
    }
    arb_venue_binance.keys_free(&k);
    EVP_PKEY_free(pkey);
    free(pem);

    /* An EC key is not an Binance API key type arbiter signs with. */
    pem = vt_gen_pem("EC", &pkey);
    CHECK(arb_venue_binance.keys_init(&k, APIKEY, pem) == -ENOTSUP);
    CHECK(k.sign_state == NULL);
    EVP_PKEY_free(pkey);
    free(pem);
    CHECK(arb_venue_binance.keys_init(&k, "", SECRET) == -EINVAL);
    CHECK(arb_venue_binance.keys_init(&k, APIKEY, "-----BEGIN PRIVATE KEY-----\nAAAA\n") ==
          -EINVAL);
}

/* The docs' FULL answer to order.place (comments removed). */
static const char full_filled[] =
    "{\"id\":\"56374a46-3061-486b-a311-99ee972eb648\",\"status\":200,\"result\":{\"symbol\":"
    "\"BTCUSDT\",\"orderId\":12569099453,\"orderListId\":-1,\"clientOrderId\":"
    "\"4d96324ff9d44481926157ec08158a40\",\"transactTime\":1660801715793,\"price\":"
    "\"23416.10000000\",\"origQty\":\"0.00847000\",\"executedQty\":\"0.00847000\","
    "\"origQuoteOrderQty\":\"0.000000\",\"cummulativeQuoteQty\":\"198.33521500\",\"status\":"
    "\"FILLED\",\"timeInForce\":\"GTC\",\"type\":\"LIMIT\",\"side\":\"SELL\",\"workingTime\":"
    "1660801715793,\"fills\":[{\"price\":\"23416.10000000\",\"qty\":\"0.00635000\","
    "\"commission\":\"0.000000\",\"commissionAsset\":\"BNB\",\"tradeId\":1650422481},{\"price\":"
    "\"23416.50000000\",\"qty\":\"0.00212000\",\"commission\":\"0.000000\",\"commissionAsset\":"
    "\"BNB\",\"tradeId\":1650422482}]},\"rateLimits\":[{\"rateLimitType\":\"ORDERS\","
    "\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":50,\"count\":1}]}";

/* Our IOC partly filled: the same shape, status EXPIRED, a fee paid in USDT. */
static const char ioc_partial[] =
    "{\"id\":9,\"status\":200,\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":1,\"orderListId\":-1,"
    "\"clientOrderId\":\"arb-9-1\",\"transactTime\":1660801715793,\"price\":\"23417.00000000\","
    "\"origQty\":\"1.00000000\",\"executedQty\":\"0.40000000\",\"cummulativeQuoteQty\":"
    "\"9366.60000000\",\"status\":\"EXPIRED\",\"timeInForce\":\"IOC\",\"type\":\"LIMIT\","
    "\"side\":\"BUY\",\"fills\":[{\"price\":\"23416.50000000\",\"qty\":\"0.40000000\","
    "\"commission\":\"0.00936660\",\"commissionAsset\":\"USDT\",\"tradeId\":7}]}}";

static const char ioc_nothing[] =
    "{\"id\":10,\"status\":200,\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":2,\"orderListId\":-1,"
    "\"clientOrderId\":\"arb-10-0\",\"transactTime\":1660801715800,\"price\":\"23000.00000000\","
    "\"origQty\":\"1.00000000\",\"executedQty\":\"0.00000000\",\"cummulativeQuoteQty\":"
    "\"0.00000000\",\"status\":\"EXPIRED\",\"timeInForce\":\"IOC\",\"type\":\"LIMIT\","
    "\"side\":\"BUY\",\"fills\":[]}}";

/* The docs' ACK and RESULT answers. */
static const char ack[] = "{\"id\":\"56374a46-3061-486b-a311-99ee972eb648\",\"status\":200,"
                          "\"result\":{\"symbol\":\"BTCUSDT\",\"orderId\":12569099453,"
                          "\"orderListId\":-1,\"clientOrderId\":"
                          "\"4d96324ff9d44481926157ec08158a40\",\"transactTime\":1660801715639}}";

static const char rejected[] =
    "{\"id\":77,\"status\":400,\"error\":{\"code\":-2010,\"msg\":\"Account has insufficient "
    "balance for requested action.\"},\"rateLimits\":[{\"rateLimitType\":\"ORDERS\",\"interval\":"
    "\"SECOND\",\"intervalNum\":10,\"limit\":50,\"count\":13}]}";

static const char banned[] =
    "{\"id\":78,\"status\":418,\"error\":{\"code\":-1003,\"msg\":\"Way too much request weight "
    "used; IP banned until 1659146400000. Please use WebSocket Streams for live updates to avoid "
    "bans.\",\"data\":{\"serverTime\":1659142907531,\"retryAfter\":1659146400000}}}";

static const char too_many[] =
    "{\"id\":79,\"status\":429,\"error\":{\"code\":-1015,\"msg\":\"Too many new orders; current "
    "limit is 50 orders per 10 SECOND.\"}}";

static const char backend_timeout[] =
    "{\"id\":80,\"status\":400,\"error\":{\"code\":-1007,\"msg\":\"Timeout waiting for response "
    "from backend server. Send status unknown; execution status unknown.\"}}";

/* user-data-stream.md's executionReport, and the TRADE/EXPIRED pair an IOC produces. */
static const char exec_new[] =
    "{\"e\":\"executionReport\",\"E\":1499405658658,\"s\":\"ETHBTC\",\"c\":"
    "\"mUvoqJxFIILMdfAW5iGSOW\",\"S\":\"BUY\",\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":\"1.00000000\","
    "\"p\":\"0.10264410\",\"P\":\"0.00000000\",\"F\":\"0.00000000\",\"g\":-1,\"C\":\"\",\"x\":"
    "\"NEW\",\"X\":\"NEW\",\"r\":\"NONE\",\"i\":4293153,\"l\":\"0.00000000\",\"z\":\"0.00000000\","
    "\"L\":\"0.00000000\",\"n\":\"0\",\"N\":null,\"T\":1499405658657,\"t\":-1,\"I\":8641984,"
    "\"w\":true,\"m\":false,\"M\":false,\"O\":1499405658657,\"Z\":\"0.00000000\",\"Y\":"
    "\"0.00000000\",\"Q\":\"0.00000000\",\"W\":1499405658657,\"V\":\"NONE\"}";

static const char exec_trade[] =
    "{\"event\":{\"e\":\"executionReport\",\"E\":1499405658700,\"s\":\"ETHBTC\",\"c\":"
    "\"arb-5-0\",\"S\":\"BUY\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"1.00000000\",\"p\":"
    "\"0.10264410\",\"C\":\"\",\"x\":\"TRADE\",\"X\":\"PARTIALLY_FILLED\",\"r\":\"NONE\",\"i\":"
    "4293154,\"l\":\"0.25000000\",\"z\":\"0.25000000\",\"L\":\"0.10264000\",\"n\":\"0.00002566\","
    "\"N\":\"BTC\",\"T\":1499405658699,\"t\":12,\"Z\":\"0.02566000\"}}";

static const char exec_expired[] =
    "{\"e\":\"executionReport\",\"E\":1499405658701,\"s\":\"ETHBTC\",\"c\":\"arb-5-0\",\"S\":"
    "\"BUY\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"1.00000000\",\"p\":\"0.10264410\",\"C\":\"\","
    "\"x\":\"EXPIRED\",\"X\":\"EXPIRED\",\"r\":\"NONE\",\"i\":4293154,\"l\":\"0.00000000\",\"z\":"
    "\"0.25000000\",\"L\":\"0.00000000\",\"n\":\"0\",\"N\":null,\"T\":1499405658700,\"t\":-1,"
    "\"Z\":\"0.02566000\"}";

static const char rest_reject[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                                  "\r\n{\"code\":-2010,\"msg\":\"Account has insufficient balance "
                                  "for requested action.\"}";

static const char rest_429[] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\n\r\n"
                               "{\"code\":-1003,\"msg\":\"Too many requests.\"}";

static const char rest_502[] = "HTTP/1.1 502 Bad Gateway\r\n\r\n{\"code\":-1000,\"msg\":\"x\"}";

static void test_parse(void)
{
    struct arb_exec e[4];
    const vt_parse_fn parse = arb_venue_binance.parse_exec;

    REQUIRE(parse(full_filled, strlen(full_filled), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_FILL);
    CHECK_STR(e[0].clid, "4d96324ff9d44481926157ec08158a40");
    CHECK_EQ_I64(e[0].filled_qty_e8, 847000);
    CHECK_EQ_I64(e[0].avg_px_e8, 2341620011806LL); /* 198.335215 / 0.00847, half up */
    CHECK_EQ_I64(e[0].fee_e8, 0);                  /* paid in BNB, not the quote asset */
    CHECK_EQ_U64(e[0].venue_ts_ms, 1660801715793ULL);
    CHECK_EQ_U64(e[0].req_id, 0); /* a string id is not one arbiter sent */

    REQUIRE(parse(ioc_partial, strlen(ioc_partial), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_PARTIAL);
    CHECK_EQ_I64(e[0].filled_qty_e8, 40000000);
    CHECK_EQ_I64(e[0].avg_px_e8, 2341650000000LL);
    CHECK_EQ_I64(e[0].fee_e8, 936660);
    CHECK_EQ_U64(e[0].req_id, 9);

    REQUIRE(parse(ioc_nothing, strlen(ioc_nothing), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_EXPIRED);
    CHECK_EQ_I64(e[0].filled_qty_e8, 0);
    CHECK_EQ_I64(e[0].avg_px_e8, 0);

    REQUIRE(parse(ack, strlen(ack), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);

    REQUIRE(parse(rejected, strlen(rejected), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_REJECT);
    CHECK_EQ_I64(e[0].code, -2010);
    CHECK_STR(e[0].reason, "Account has insufficient balance for requested action.");
    CHECK_EQ_U64(e[0].req_id, 77);

    REQUIRE(parse(banned, strlen(banned), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_RATE_LIMIT);
    CHECK_EQ_I64(e[0].code, -1003);
    REQUIRE(parse(too_many, strlen(too_many), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_RATE_LIMIT);
    CHECK_EQ_U64(e[0].req_id, 79);
    REQUIRE(parse(backend_timeout, strlen(backend_timeout), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_UNKNOWN);

    REQUIRE(parse(exec_new, strlen(exec_new), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
    CHECK_STR(e[0].clid, "mUvoqJxFIILMdfAW5iGSOW");
    CHECK_EQ_U64(e[0].venue_ts_ms, 1499405658657ULL);
    REQUIRE(parse(exec_trade, strlen(exec_trade), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_PARTIAL);
    CHECK_STR(e[0].clid, "arb-5-0");
    CHECK_EQ_I64(e[0].filled_qty_e8, 25000000);
    CHECK_EQ_I64(e[0].avg_px_e8, 10264000);
    CHECK_EQ_I64(e[0].fee_e8, 2566); /* BTC is ETHBTC's quote asset */
    REQUIRE(parse(exec_expired, strlen(exec_expired), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_PARTIAL);
    CHECK_EQ_I64(e[0].filled_qty_e8, 25000000);

    REQUIRE(parse(rest_reject, strlen(rest_reject), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_REJECT);
    CHECK_EQ_I64(e[0].code, -2010);
    REQUIRE(parse(rest_429, strlen(rest_429), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_RATE_LIMIT);
    REQUIRE(parse(rest_502, strlen(rest_502), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_UNKNOWN);
    {
        char http[2048];
        const char *body = strstr(full_filled, "\"result\":") + 9;
        size_t bl = strlen(body) - strlen(strstr(body, ",\"rateLimits\""));
        int hn = snprintf(http, sizeof(http), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%.*s",
                          bl, (int)bl, body);
        REQUIRE(parse(http, (size_t)hn, e, 4) == 1);
        CHECK_EQ_I64(e[0].kind, ARB_EXEC_FILL);
        CHECK_EQ_I64(e[0].filled_qty_e8, 847000);
    }

    /* Not about orders. */
    {
        const char *other[] = {
            "{\"id\":1,\"status\":200,\"result\":{\"serverTime\":1656400526260}}",
            "{\"id\":2,\"status\":200,\"result\":[]}",
            "{\"event\":{\"e\":\"outboundAccountPosition\",\"E\":1728972148778,\"u\":1,\"B\":[]}}",
            "{\"e\":\"balanceUpdate\",\"E\":1573200697110,\"a\":\"BTC\",\"d\":\"100.00000000\","
            "\"T\":1573200697068}",
        };
        for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
            CHECK_EQ_I64(parse(other[i], strlen(other[i]), e, 4), 0);
    }
    CHECK(parse("", 0, e, 4) == -EINVAL);
    CHECK(parse("[]", 2, e, 4) == -EINVAL);
    CHECK(parse("{} x", 4, e, 4) == -EINVAL);
    CHECK(parse(ack, strlen(ack), e, 0) == -EINVAL);
    {
        const char *bad = "{\"id\":3,\"status\":200,\"result\":{\"clientOrderId\":\"a\","
                          "\"executedQty\":\"1e\",\"status\":\"FILLED\"}}";
        CHECK(parse(bad, strlen(bad), e, 4) == -EINVAL);
    }

    vt_malformed_sweep(parse, full_filled);
    vt_malformed_sweep(parse, rejected);
    vt_malformed_sweep(parse, exec_trade);
    vt_malformed_sweep(parse, rest_reject);
}

struct alloc_arg {
    struct arb_venue_keys *k;
    struct arb_order *o;
    char buf[1024];
};

static void encode_once(void *p)
{
    struct alloc_arg *a = p;

    a->o->ts_ms++;
    REQUIRE(arb_venue_binance.encode_order(a->k, a->o, a->buf, sizeof(a->buf)) > 0);
    REQUIRE(arb_binance_rest_order(a->k, a->o, a->buf, sizeof(a->buf)) > 0);
}

static void test_no_alloc(void)
{
    struct arb_venue_keys k;
    struct arb_order o;
    struct alloc_arg a = {.k = &k, .o = &o};
    int64_t bytes;

    REQUIRE(arb_venue_binance.keys_init(&k, APIKEY, SECRET) == 0);
    make_order(&o);
    /* -1 without jemalloc: sanitizer builds bring their own allocator. */
    bytes = vt_allocated(encode_once, &a, 1000);
    if (bytes < 0)
        fprintf(stderr, "allocation count skipped: no jemalloc statistics\n");
    else
        CHECK_EQ_I64(bytes, 0);
    arb_venue_binance.keys_free(&k);
}

int main(void)
{
    test_encode_hmac();
    test_encode_query();
    test_encode_ed25519();
    test_parse();
    test_no_alloc();
    return T_DONE();
}
