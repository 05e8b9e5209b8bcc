/* SPDX-License-Identifier: MIT */
/*
 * venues/kraken.c: the REST authentication docs' API-Sign example byte for
 * byte, the token request and answer, add_order and cancel_all_orders_after in
 * the WebSocket v2 docs' shape, the documented answers and executions, and no
 * allocation per order.
 */
#include "venue_test.h"
#include "venues/kraken.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>

/* The docs' example private key (a public test vector, tied to no account). */
#define SECRET                                                                                     \
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
#define TOKEN "G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"

static const char add_ok[] = "{\"method\":\"add_order\",\"req_id\":123456789,\"result\":{"
                             "\"order_id\":\"AA5JGQ-SBMRC-SCJ7J7\",\"cl_ord_id\":\"arb-8-0\"},"
                             "\"success\":true,\"time_in\":\"2023-09-21T14:15:07.197274Z\","
                             "\"time_out\":\"2023-09-21T14:15:07.205301Z\"}";

static const char add_err[] = "{\"error\":\"EOrder:Insufficient funds\",\"method\":\"add_order\","
                              "\"req_id\":123456789,\"success\":false,\"time_in\":"
                              "\"2023-09-21T14:15:07.197274Z\",\"time_out\":"
                              "\"2023-09-21T14:15:07.205301Z\"}";

static const char add_rate[] = "{\"error\":\"EOrder:Rate limit exceeded\",\"method\":\"add_order\","
                               "\"req_id\":5,\"success\":false}";

/* executions: the docs' pending_new, then a partial trade and the IOC's expiry. */
static const char exec_msg[] =
    "{\"channel\":\"executions\",\"type\":\"update\",\"data\":[{\"order_id\":"
    "\"OK4GJX-KSTLS-7DZZO5\",\"cl_ord_id\":\"arb-8-0\",\"symbol\":\"BTC/USD\",\"order_qty\":"
    "0.005,\"cum_cost\":0.0,\"time_in_force\":\"IOC\",\"exec_type\":\"pending_new\",\"side\":"
    "\"buy\",\"order_type\":\"limit\",\"limit_price\":26500.0,\"order_status\":\"pending_new\","
    "\"fee_usd_equiv\":0.0,\"timestamp\":\"2023-09-22T10:33:05.709950Z\"},{\"order_id\":"
    "\"OK4GJX-KSTLS-7DZZO5\",\"cl_ord_id\":\"arb-8-0\",\"exec_id\":\"TL3J6S-Q6DPP-A4WXDY\","
    "\"exec_type\":\"trade\",\"trade_id\":1,\"symbol\":\"BTC/USD\",\"side\":\"buy\","
    "\"last_qty\":0.002,\"last_price\":26499.5,\"liquidity_ind\":\"t\",\"cost\":52.999,"
    "\"order_status\":\"partially_filled\",\"order_type\":\"limit\",\"fees\":[{\"asset\":"
    "\"USD\",\"qty\":0.1378}],\"fee_usd_equiv\":0.1378,\"cum_qty\":0.002,\"cum_cost\":52.999,"
    "\"avg_price\":26499.5,\"timestamp\":\"2023-09-22T10:33:05.710000Z\"},{\"order_id\":"
    "\"OK4GJX-KSTLS-7DZZO5\",\"cl_ord_id\":\"arb-8-0\",\"exec_type\":\"expired\","
    "\"order_status\":\"expired\",\"cum_qty\":2e-3,\"cum_cost\":52.999,\"symbol\":\"BTC/USD\","
    "\"timestamp\":\"2023-09-22T10:33:05.710100Z\"},{\"order_id\":\"OTHER-ORDER\",\"exec_type\":"
    "\"new\",\"order_status\":\"new\"}],\"sequence\":8}";

static const char token_http[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"error\":[],\"result\":{"
    "\"token\":\"" TOKEN "\",\"expires\":900}}";

struct alloc_arg {
    struct arb_venue_keys *k;
    struct arb_order *o;
    char buf[512];
};

static void encode_once(void *p)
{
    struct alloc_arg *a = p;

    a->o->req_id++;
    REQUIRE(arb_venue_kraken.encode_order(a->k, a->o, a->buf, sizeof(a->buf)) > 0);
}

int main(void)
{
    const struct arb_venue_ops *ops = &arb_venue_kraken;
    struct arb_venue_keys k;
    char sig[ARB_KRAKEN_SIGN_LEN + 1], buf[1024], want[1024];
    struct arb_leg leg = {.px_e8 = 2650040000000LL, .qty_e8 = 120000000, .side = ARB_SIDE_BUY};
    struct arb_order o = {.leg = &leg, .symbol = "BTC/USD", .symbol_len = 7, .req_id = 123456789};
    struct arb_exec e[4];
    int n;

    REQUIRE(ops->keys_init(&k, "unit-test-key", SECRET) == 0);
    CHECK_EQ_U64(k.secret_len, 64);
    /* docs.kraken.com "Spot REST Authentication", Examples. */
    REQUIRE(arb_kraken_api_sign(&k, "/0/private/AddOrder", "1616492376594",
                                "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type="
                                "buy&volume=1.25",
                                sig) == 0);
    CHECK_STR(sig,
              "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8"
              "ndwLUQ==");

    /* Token request: headers in order, and an API-Sign an independent computation agrees with. */
    n = arb_kraken_token_request(&k, 1616492376594ULL, buf, sizeof(buf));
    REQUIRE(n > 0);
    buf[n] = '\0';
    {
        unsigned char msg[64], mac[64], secret[64];
        unsigned int ml = 0;
        char b64[89];
        const char *path = "/0/private/GetWebSocketsToken";
        REQUIRE(vt_b64_decode(SECRET, strlen(SECRET), secret, sizeof(secret)) == 64);
        memcpy(msg, path, strlen(path));
        SHA256((const unsigned char *)"1616492376594nonce=1616492376594", 32, msg + strlen(path));
        HMAC(EVP_sha512(), secret, 64, msg, strlen(path) + 32, mac, &ml);
        EVP_EncodeBlock((unsigned char *)b64, mac, 64);
        snprintf(want, sizeof(want),
                 "POST /0/private/GetWebSocketsToken HTTP/1.1\r\nHost: api.kraken.com\r\n"
                 "User-Agent: arbiter/0.1\r\nAPI-Key: unit-test-key\r\nAPI-Sign: %s\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 19\r\n\r\n"
                 "nonce=1616492376594",
                 b64);
        CHECK_STR(buf, want);
    }

    /* No token yet: nothing to authorise an order with. */
    strcpy(o.clid, "arb-8-0");
    CHECK(ops->encode_order(&k, &o, buf, sizeof(buf)) == -EINVAL);
    CHECK(arb_kraken_cancel_after(&k, 60, 1, buf, sizeof(buf)) == -EINVAL);
    CHECK(arb_kraken_token_accept(&k, "{\"error\":[\"EAPI:Invalid key\"]}", 30) == -EPROTO);
    CHECK(arb_kraken_token_accept(&k, token_http, strlen(token_http) - 1) == -EINVAL);
    REQUIRE(arb_kraken_token_accept(&k, token_http, strlen(token_http)) == 0);

    n = ops->encode_order(&k, &o, buf, sizeof(buf));
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_STR(buf,
              "{\"method\":\"add_order\",\"params\":{\"order_type\":\"limit\",\"side\":\"buy\","
              "\"order_qty\":1.2,\"limit_price\":26500.4,\"time_in_force\":\"ioc\","
              "\"symbol\":\"BTC/USD\",\"cl_ord_id\":\"arb-8-0\",\"token\":\"" TOKEN "\"},"
              "\"req_id\":123456789}");
    CHECK(ops->encode_order(&k, &o, buf, 50) == -ENOSPC);
    n = arb_kraken_cancel_after(&k, 60, 7, buf, sizeof(buf));
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_STR(buf, "{\"method\":\"cancel_all_orders_after\",\"params\":{\"timeout\":60,\"token\":"
                   "\"" TOKEN "\"},\"req_id\":7}");

    REQUIRE(ops->parse_exec(add_ok, strlen(add_ok), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
    CHECK_STR(e[0].clid, "arb-8-0");
    CHECK_EQ_U64(e[0].req_id, 123456789);
    CHECK_EQ_U64(e[0].venue_ts_ms, 1695305707205ULL);
    REQUIRE(ops->parse_exec(add_err, strlen(add_err), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_REJECT);
    CHECK_STR(e[0].reason, "EOrder:Insufficient funds");
    CHECK_EQ_U64(e[0].req_id, 123456789);
    REQUIRE(ops->parse_exec(add_rate, strlen(add_rate), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_RATE_LIMIT);

    REQUIRE(ops->parse_exec(exec_msg, strlen(exec_msg), e, 4) == 3);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
    CHECK_EQ_U64(e[0].venue_ts_ms, 1695378785709ULL);
    CHECK_EQ_I64(e[1].kind, ARB_EXEC_PARTIAL);
    CHECK_EQ_I64(e[1].filled_qty_e8, 200000);
    CHECK_EQ_I64(e[1].avg_px_e8, 2649950000000LL);
    CHECK_EQ_I64(e[1].fee_e8, 13780000);
    CHECK_EQ_I64(e[2].kind, ARB_EXEC_PARTIAL); /* expired after a fill: cum_qty > 0 */
    CHECK_EQ_I64(e[2].filled_qty_e8, 200000);
    CHECK_EQ_I64(e[2].avg_px_e8, 2649950000000LL); /* cum_cost / cum_qty */
    CHECK_STR(e[2].clid, "arb-8-0");
    CHECK(ops->parse_exec(exec_msg, strlen(exec_msg), e, 2) == -ENOSPC);
    CHECK_EQ_I64(e[0].filled_qty_e8, -1); /* pending_new carries no cum_qty: "does not say" */
    {
        /* A trade event without cum_qty cannot end the order nor say how much filled. */
        static const char bare_trade[] =
            "{\"channel\":\"executions\",\"type\":\"update\",\"data\":[{\"order_id\":"
            "\"OK4GJX-KSTLS-7DZZO5\",\"cl_ord_id\":\"arb-8-0\",\"exec_type\":\"trade\","
            "\"last_qty\":0.002,\"last_price\":26499.5,\"order_status\":\"partially_filled\"}]}";
        REQUIRE(ops->parse_exec(bare_trade, strlen(bare_trade), e, 4) == 1);
        CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
        CHECK_EQ_I64(e[0].filled_qty_e8, -1);
    }

    {
        const char *other[] = {
            "{\"channel\":\"heartbeat\"}",
            "{\"channel\":\"status\",\"type\":\"update\",\"data\":[{\"system\":\"online\"}]}",
            "{\"method\":\"cancel_all_orders_after\",\"req_id\":7,\"result\":{\"currentTime\":"
            "\"2023-09-21T14:15:07Z\",\"triggerTime\":\"2023-09-21T14:16:07Z\"},\"success\":true}",
        };
        for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
            CHECK_EQ_I64(ops->parse_exec(other[i], strlen(other[i]), e, 4), 0);
    }
    vt_malformed_sweep(ops->parse_exec, add_ok);
    vt_malformed_sweep(ops->parse_exec, add_err);
    vt_malformed_sweep(ops->parse_exec, exec_msg);

    /* Without jemalloc (sanitizer builds) there is nothing to count: -1. */
    {
        struct alloc_arg a = {.k = &k, .o = &o};
        int64_t bytes = vt_allocated(encode_once, &a, 1000);
        if (bytes >= 0)
            CHECK_EQ_I64(bytes, 0);
    }
    ops->keys_free(&k);
    CHECK(ops->keys_init(&k, "key", "not base64!") == -EINVAL);
    return T_DONE();
}
