/* SPDX-License-Identifier: MIT */
/*
 * venues/binance_futures.c: the USDⓈ-M dialect of order.place and POST
 * /fapi/v1/order (RESULT asked for), the futures docs' order.place answer,
 * ORDER_TRADE_UPDATE events, and no allocation per order.
 */
#include "binance_test.h"
#include "venues/binance.h"

#define PAYLOAD                                                                                    \
    "apiKey=" APIKEY "&newClientOrderId=arb-3-1&newOrderRespType=RESULT&price=43187&"              \
    "quantity=0.1&recvWindow=5000&side=BUY&symbol=BTCUSDT&timeInForce=IOC&timestamp="              \
    "1702555533821&type=LIMIT"

#define REST_QUERY                                                                                 \
    "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.1&price=43187&"                 \
    "newClientOrderId=arb-3-1&newOrderRespType=RESULT&recvWindow=5000&timestamp=1702555533821"

static struct arb_leg leg = {
    .px_e8 = 4318700000000LL, .qty_e8 = 10000000, .side = ARB_SIDE_BUY, .tif = ARB_TIF_IOC};

static void make_order(struct arb_order *o)
{
    memset(o, 0, sizeof(*o));
    o->leg = &leg;
    o->symbol = "BTCUSDT";
    o->symbol_len = 7;
    strcpy(o->clid, "arb-3-1");
    o->ts_ms = 1702555533821ULL;
    o->req_id = 3;
}

/* The futures WS API docs' answer to order.place (a GTC order, hence NEW). */
static const char doc_new[] =
    "{\"id\":\"3f7df6e3-2df4-44b9-9919-d2f38f90a99a\",\"status\":200,\"result\":{\"orderId\":"
    "325078477,\"symbol\":\"BTCUSDT\",\"status\":\"NEW\",\"clientOrderId\":"
    "\"iCXL1BywlBaf2sesNUrVl3\",\"price\":\"43187.00\",\"avgPrice\":\"0.00\",\"origQty\":"
    "\"0.100\",\"executedQty\":\"0.000\",\"cumQty\":\"0.000\",\"cumQuote\":\"0.00000\","
    "\"timeInForce\":\"GTC\",\"type\":\"LIMIT\",\"reduceOnly\":false,\"closePosition\":false,"
    "\"side\":\"BUY\",\"positionSide\":\"BOTH\",\"stopPrice\":\"0.00\",\"workingType\":"
    "\"CONTRACT_PRICE\",\"priceProtect\":false,\"origType\":\"LIMIT\",\"priceMatch\":\"NONE\","
    "\"selfTradePreventionMode\":\"NONE\",\"goodTillDate\":0,\"updateTime\":1702555534435},"
    "\"rateLimits\":[{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,"
    "\"limit\":300,\"count\":1}]}";

/* Our IOC with RESULT: final state, avgPrice given. */
static const char ioc_filled[] =
    "{\"id\":3,\"status\":200,\"result\":{\"orderId\":325078478,\"symbol\":\"BTCUSDT\",\"status\":"
    "\"FILLED\",\"clientOrderId\":\"arb-3-1\",\"price\":\"43187.00\",\"avgPrice\":\"43186.50\","
    "\"origQty\":\"0.100\",\"executedQty\":\"0.100\",\"cumQty\":\"0.100\",\"cumQuote\":"
    "\"4318.65000\",\"timeInForce\":\"IOC\",\"type\":\"LIMIT\",\"updateTime\":1702555534440}}";

static const char ioc_expired[] =
    "{\"id\":4,\"status\":200,\"result\":{\"orderId\":325078479,\"symbol\":\"BTCUSDT\",\"status\":"
    "\"EXPIRED\",\"clientOrderId\":\"arb-4-1\",\"price\":\"43000.00\",\"avgPrice\":\"0.00\","
    "\"origQty\":\"0.100\",\"executedQty\":\"0.000\",\"cumQuote\":\"0.00000\",\"timeInForce\":"
    "\"IOC\",\"type\":\"LIMIT\",\"updateTime\":1702555534450}}";

static const char margin[] = "{\"id\":5,\"status\":400,\"error\":{\"code\":-2019,\"msg\":\"Margin "
                             "is insufficient.\"}}";

/* The futures user-data docs' ORDER_TRADE_UPDATE, then a partial IOC fill. */
static const char otu_new[] =
    "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":1568879465651,\"T\":1568879465650,\"o\":{\"s\":"
    "\"BTCUSDT\",\"c\":\"TEST\",\"S\":\"SELL\",\"o\":\"TRAILING_STOP_MARKET\",\"f\":\"GTC\",\"q\":"
    "\"0.001\",\"p\":\"0\",\"ap\":\"0\",\"sp\":\"7103.04\",\"x\":\"NEW\",\"X\":\"NEW\",\"i\":"
    "8886774,\"l\":\"0\",\"z\":\"0\",\"L\":\"0\",\"N\":\"USDT\",\"n\":\"0\",\"T\":1568879465650,"
    "\"t\":0,\"b\":\"0\",\"a\":\"9.91\",\"m\":false,\"R\":false,\"wt\":\"CONTRACT_PRICE\",\"ot\":"
    "\"TRAILING_STOP_MARKET\",\"ps\":\"LONG\",\"cp\":false,\"AP\":\"7476.89\",\"cr\":\"5.0\","
    "\"rp\":\"0\"}}";

static const char otu_partial[] =
    "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":1568879465700,\"T\":1568879465699,\"o\":{\"s\":"
    "\"BTCUSDT\",\"c\":\"arb-6-0\",\"S\":\"BUY\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"0.010\","
    "\"p\":\"7100\",\"ap\":\"7099.5\",\"x\":\"EXPIRED\",\"X\":\"EXPIRED\",\"i\":8886775,\"l\":"
    "\"0\",\"z\":\"0.004\",\"L\":\"0\",\"N\":\"USDT\",\"n\":\"0.01135920\",\"T\":1568879465699,"
    "\"t\":0}}";

struct alloc_arg {
    struct arb_venue_keys *k;
    struct arb_order *o;
    char buf[1024];
};

static void encode_once(void *p)
{
    struct alloc_arg *a = p;

    a->o->ts_ms++;
    REQUIRE(arb_venue_binance_futures.encode_order(a->k, a->o, a->buf, sizeof(a->buf)) > 0);
}

int main(void)
{
    const struct arb_venue_ops *ops = &arb_venue_binance_futures;
    struct arb_venue_keys k;
    struct arb_order o;
    struct arb_exec e[2];
    char buf[1024], want[1024], sig[65];
    int n;

    REQUIRE(ops->keys_init(&k, APIKEY, SECRET) == 0);
    make_order(&o);
    hmac_hex(PAYLOAD, sig);
    n = ops->encode_order(&k, &o, buf, sizeof(buf));
    snprintf(want, sizeof(want),
             "{\"id\":3,\"method\":\"order.place\",\"params\":{\"apiKey\":\"" APIKEY "\","
             "\"newClientOrderId\":\"arb-3-1\",\"newOrderRespType\":\"RESULT\",\"price\":"
             "\"43187\",\"quantity\":\"0.1\",\"recvWindow\":5000,\"side\":\"BUY\",\"symbol\":"
             "\"BTCUSDT\",\"timeInForce\":\"IOC\",\"timestamp\":1702555533821,\"type\":\"LIMIT\","
             "\"signature\":\"%s\"}}",
             sig);
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_STR(buf, want);

    n = arb_binance_rest_order(&k, &o, buf, sizeof(buf));
    hmac_hex(REST_QUERY, sig);
    snprintf(want, sizeof(want),
             "POST /fapi/v1/order?" REST_QUERY "&signature=%s HTTP/1.1\r\nHost: fapi.binance.com"
             "\r\nX-MBX-APIKEY: " APIKEY "\r\nContent-Length: 0\r\n\r\n",
             sig);
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK_STR(buf, want);

    REQUIRE(ops->parse_exec(doc_new, strlen(doc_new), e, 2) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
    CHECK_STR(e[0].clid, "iCXL1BywlBaf2sesNUrVl3");
    CHECK_EQ_I64(e[0].avg_px_e8, 0);
    CHECK_EQ_U64(e[0].venue_ts_ms, 1702555534435ULL);
    REQUIRE(ops->parse_exec(ioc_filled, strlen(ioc_filled), e, 2) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_FILL);
    CHECK_EQ_I64(e[0].filled_qty_e8, 10000000);
    CHECK_EQ_I64(e[0].avg_px_e8, 4318650000000LL);
    CHECK_EQ_U64(e[0].req_id, 3);
    REQUIRE(ops->parse_exec(ioc_expired, strlen(ioc_expired), e, 2) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_EXPIRED);
    REQUIRE(ops->parse_exec(margin, strlen(margin), e, 2) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_REJECT);
    CHECK_EQ_I64(e[0].code, -2019);
    CHECK_STR(e[0].reason, "Margin is insufficient.");
    REQUIRE(ops->parse_exec(otu_new, strlen(otu_new), e, 2) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
    CHECK_STR(e[0].clid, "TEST");
    REQUIRE(ops->parse_exec(otu_partial, strlen(otu_partial), e, 2) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_PARTIAL);
    CHECK_EQ_I64(e[0].filled_qty_e8, 400000);
    CHECK_EQ_I64(e[0].avg_px_e8, 709950000000LL);
    CHECK_EQ_I64(e[0].fee_e8, 1135920);
    CHECK_EQ_U64(e[0].venue_ts_ms, 1568879465699ULL);

    vt_malformed_sweep(ops->parse_exec, doc_new);
    vt_malformed_sweep(ops->parse_exec, otu_partial);

    /* Without jemalloc (sanitizer builds) there is nothing to count: -1. */
    {
        struct alloc_arg a = {.k = &k, .o = &o};
        int64_t bytes = vt_allocated(encode_once, &a, 1000);
        if (bytes >= 0)
            CHECK_EQ_I64(bytes, 0);
    }
    ops->keys_free(&k);
    return T_DONE();
}
