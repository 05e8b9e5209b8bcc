/* SPDX-License-Identifier: MIT */
/* Order protocols over WebSocket: Binance (spot, USD-M) WebSocket API and Kraken v2 trading. */
#include "tools/sim_orders.h"

#include "tools/sim_server.h"

#include "core/clock.h"
#include "core/fixed.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int arb_sim_reply_push(struct arb_sim_reply *r, const char *msg, size_t len)
{
    if (r->n == ARB_SIM_REPLY_MSGS || r->used + len > sizeof r->buf)
        return -ENOSPC;
    memcpy(r->buf + r->used, msg, len);
    r->off[r->n] = (uint32_t)r->used;
    r->len[r->n++] = (uint32_t)len;
    r->used += len;
    return 0;
}

/* printf into a fresh message of r. */
__attribute__((format(printf, 2, 3))) static void reply_printf(struct arb_sim_reply *r,
                                                               const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        arb_sim_reply_push(r, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

int arb_sim_params_add(struct arb_sim_params *p, const char *key, size_t klen, const char *val,
                       size_t vlen)
{
    if (p->n == ARB_SIM_PARAMS_MAX)
        return -ENOSPC;
    if (klen >= sizeof p->key[0])
        klen = sizeof p->key[0] - 1;
    if (vlen >= sizeof p->val[0])
        vlen = sizeof p->val[0] - 1;
    memcpy(p->key[p->n], key, klen);
    p->key[p->n][klen] = '\0';
    memcpy(p->val[p->n], val, vlen);
    p->val[p->n][vlen] = '\0';
    p->n++;
    return 0;
}

const char *arb_sim_params_get(const struct arb_sim_params *p, const char *key)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i], key) == 0)
            return p->val[i];
    return NULL;
}

/* ---------------------------------------------------------------- Binance */

/* The asset a fee would be charged in: the base on a buy, the quote on a sell. */
static void fee_asset(const char *symbol, int side, char *out, size_t len)
{
    static const char *const quotes[] = {"FDUSD", "USDT", "USDC", "TUSD", "BUSD", "DAI",
                                         "BTC",   "ETH",  "BNB",  "USD",  NULL};
    size_t sl = strlen(symbol);

    for (int i = 0; quotes[i]; i++) {
        size_t ql = strlen(quotes[i]);
        if (sl > ql && strcmp(symbol + sl - ql, quotes[i]) == 0) {
            if (side > 0)
                snprintf(out, len, "%.*s", (int)(sl - ql), symbol);
            else
                snprintf(out, len, "%s", quotes[i]);
            return;
        }
    }
    snprintf(out, len, "%s", symbol);
}

/* "50 orders per 10 SECOND", Binance's way of naming an interval. */
static void interval_text(uint64_t ms, char *out, size_t len)
{
    if (ms % 60000 == 0)
        snprintf(out, len, "%llu MINUTE", (unsigned long long)(ms / 60000));
    else if (ms % 1000 == 0)
        snprintf(out, len, "%llu SECOND", (unsigned long long)(ms / 1000));
    else
        snprintf(out, len, "%llu MILLISECOND", (unsigned long long)ms);
}

static int bn_error(char *obj, size_t cap, int status, int code, const char *msg)
{
    snprintf(obj, cap, "{\"code\":%d,\"msg\":\"%s\"}", code, msg);
    return status;
}

/* Spot newOrderRespType FULL; futures as newOrderRespType RESULT. Returns 200. */
static int bn_result(enum arb_sim_venue v, const struct arb_sim_order *o, const char *type,
                     char *obj, size_t cap)
{
    bool fut = v == ARB_SIM_BINANCE_FUTURES;
    /* Spot prints every amount with 8 decimals; futures in the symbol's precision. */
    unsigned pd = fut ? o->px_dec : 8, qd = fut ? o->qty_dec : 8;
    char px[32], qty[32], exq[32], quote[32], fpx[32], avg[32], asset[ARB_SIM_SYMMAX + 1];
    /* An IOC that traded part and expired the rest ends EXPIRED, executedQty tells the fill. */
    const char *status = o->status == ARB_SIM_ORD_FILLED ? "FILLED" : "EXPIRED";
    const char *side = o->side > 0 ? "BUY" : "SELL";

    arb_sim_fmt_fixed(o->limit_e8, pd, px);
    arb_sim_fmt_fixed(o->qty_e8, qd, qty);
    arb_sim_fmt_fixed(o->filled_e8, qd, exq);
    /* Futures print averages and quote totals with 5 decimals ("avgPrice":"0.00000"). */
    arb_sim_fmt_fixed(o->quote_e8, fut ? 5 : 8, quote);
    arb_sim_fmt_fixed(o->fill_px_e8, pd, fpx);
    if (fut) {
        int64_t avg_e8 = o->filled_e8 ? o->fill_px_e8 : 0;
        arb_sim_fmt_fixed(avg_e8, 5, avg);
        snprintf(obj, cap,
                 "{\"orderId\":%llu,\"symbol\":\"%s\",\"status\":\"%s\",\"clientOrderId\":\"%s\","
                 "\"price\":\"%s\",\"avgPrice\":\"%s\",\"origQty\":\"%s\",\"executedQty\":\"%s\","
                 "\"cumQty\":\"%s\",\"cumQuote\":\"%s\",\"timeInForce\":\"IOC\",\"type\":\"%s\","
                 "\"reduceOnly\":false,\"closePosition\":false,\"side\":\"%s\","
                 "\"positionSide\":\"BOTH\",\"stopPrice\":\"0\",\"workingType\":\"CONTRACT_PRICE\","
                 "\"priceProtect\":false,\"origType\":\"%s\",\"priceMatch\":\"NONE\","
                 "\"selfTradePreventionMode\":\"EXPIRE_MAKER\",\"goodTillDate\":0,"
                 "\"updateTime\":%llu}",
                 (unsigned long long)o->id, o->symbol, status, o->clid, px, avg, qty, exq, exq,
                 quote, type, side, type, (unsigned long long)o->ts_ms);
        return 200;
    }
    fee_asset(o->symbol, o->side, asset, sizeof asset);
    {
        char fills[512] = "";
        if (o->filled_e8)
            snprintf(fills, sizeof fills,
                     "{\"price\":\"%s\",\"qty\":\"%s\",\"commission\":\"0.00000000\","
                     "\"commissionAsset\":\"%s\",\"tradeId\":%llu}",
                     fpx, exq, asset, (unsigned long long)o->trade_id);
        snprintf(
            obj, cap,
            "{\"symbol\":\"%s\",\"orderId\":%llu,\"orderListId\":-1,\"clientOrderId\":\"%s\","
            "\"transactTime\":%llu,\"price\":\"%s\",\"origQty\":\"%s\",\"executedQty\":\"%s\","
            "\"origQuoteOrderQty\":\"0.00000000\",\"cummulativeQuoteQty\":\"%s\","
            "\"status\":\"%s\",\"timeInForce\":\"IOC\",\"type\":\"%s\",\"side\":\"%s\","
            "\"workingTime\":%llu,\"fills\":[%s],\"selfTradePreventionMode\":\"EXPIRE_MAKER\"}",
            o->symbol, (unsigned long long)o->id, o->clid, (unsigned long long)o->ts_ms, px, qty,
            exq, quote, status, type, side, (unsigned long long)o->ts_ms, fills);
    }
    return 200;
}

static int bn_missing(struct arb_sim_exch *x, char *obj, size_t cap, const char *name)
{
    char msg[160];

    arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_REQUEST);
    snprintf(msg, sizeof msg,
             "Mandatory parameter '%s' was not sent, was empty/null, or malformed.", name);
    return bn_error(obj, cap, 400, -1102, msg);
}

static int bn_bad(struct arb_sim_exch *x, char *obj, size_t cap, int code, const char *msg)
{
    arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_REQUEST);
    return bn_error(obj, cap, 400, code, msg);
}

int arb_sim_binance_place(struct arb_sim_exch *x, const struct arb_sim_params *p,
                          enum arb_sim_auth auth, char *obj, size_t cap, struct arb_sim_place *pl)
{
    enum arb_sim_venue v = arb_sim_exch_venue(x);
    bool fut = v == ARB_SIM_BINANCE_FUTURES;
    const char *ts = arb_sim_params_get(p, "timestamp"), *rw = arb_sim_params_get(p, "recvWindow");
    const char *sym = arb_sim_params_get(p, "symbol"), *side = arb_sim_params_get(p, "side");
    const char *type = arb_sim_params_get(p, "type"), *tif = arb_sim_params_get(p, "timeInForce");
    const char *qty = arb_sim_params_get(p, "quantity"), *price = arb_sim_params_get(p, "price");
    const char *clid = arb_sim_params_get(p, "newClientOrderId");
    struct arb_sim_order_req rq = {0};
    uint64_t now_ms = arb_clock_real_ns() / 1000000, t, window = 5000;
    char msg[240], iv[48];
    bool market;

    memset(pl, 0, sizeof *pl);
    if (auth == ARB_SIM_AUTH_BAD_KEY) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_KEY);
        return bn_error(obj, cap, 401, -2015, "Invalid API-key, IP, or permissions for action.");
    }
    if (auth == ARB_SIM_AUTH_BAD_SIG) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_SIGNATURE);
        return bn_error(obj, cap, 400, -1022, "Signature for this request is not valid.");
    }
    if (!ts || !*ts || sscanf(ts, "%llu", (unsigned long long *)&t) != 1)
        return bn_missing(x, obj, cap, "timestamp");
    if (rw && (sscanf(rw, "%llu", (unsigned long long *)&window) != 1 || window > 60000))
        return bn_bad(x, obj, cap, -1131, "recvWindow must be less than 60000");
    if (t > now_ms + 1000)
        return bn_bad(x, obj, cap, -1021,
                      "Timestamp for this request was 1000ms ahead of the server's time.");
    if (now_ms > t + window)
        return bn_bad(x, obj, cap, -1021,
                      "Timestamp for this request is outside of the recvWindow.");
    if (!sym || !*sym)
        return bn_missing(x, obj, cap, "symbol");
    if (!side || !*side)
        return bn_missing(x, obj, cap, "side");
    if (strcmp(side, "BUY") != 0 && strcmp(side, "SELL") != 0)
        return bn_bad(x, obj, cap, -1117, "Invalid side.");
    if (!type || !*type)
        return bn_missing(x, obj, cap, "type");
    market = strcmp(type, "MARKET") == 0;
    if (!market && strcmp(type, "LIMIT") != 0)
        return bn_bad(x, obj, cap, -1116, "Invalid orderType.");
    if (!market && (!tif || !*tif))
        return bn_missing(x, obj, cap, "timeInForce");
    /* The simulator matches immediately and rests nothing: IOC (or MARKET) only. */
    if (!market && strcmp(tif, "IOC") != 0)
        return bn_bad(x, obj, cap, -1115, "Invalid timeInForce.");
    if (!qty || arb_fixed_parse_cstr(qty, &rq.qty_e8) != 0)
        return bn_missing(x, obj, cap, "quantity");
    if (rq.qty_e8 <= 0)
        return bn_bad(x, obj, cap, -4003 * fut + -1013 * !fut,
                      fut ? "Quantity less than or equal to zero." : "Invalid quantity.");
    if (!market && (!price || arb_fixed_parse_cstr(price, &rq.limit_e8) != 0 || rq.limit_e8 <= 0))
        return bn_missing(x, obj, cap, "price");
    if (clid && (strlen(clid) > 36 || !*clid))
        return bn_bad(x, obj, cap, -1100,
                      "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                      "'^[\\\\.A-Z\\\\:/a-z0-9_-]{1,36}$'.");
    rq.symbol = sym;
    rq.clid = clid;
    rq.side = side[0] == 'B' ? 1 : -1;
    if (market)
        rq.limit_e8 = rq.side > 0 ? INT64_MAX : 0;
    rq.px_dec = market ? 8 : arb_sim_decimals(price);
    rq.qty_dec = arb_sim_decimals(qty);
    arb_sim_exch_place(x, &rq, pl);
    switch (pl->status) {
    case ARB_SIM_ORD_RATE_LIMITED:
        interval_text(pl->rate_period_ms, iv, sizeof iv);
        if (!pl->rate_weight) {
            snprintf(msg, sizeof msg, "Too many new orders; current limit is %u orders per %s.",
                     pl->rate_n, iv);
            return bn_error(obj, cap, 429, -1015, msg);
        }
        snprintf(msg, sizeof msg,
                 "Too much request weight used; current limit is %u request weight per %s. Please "
                 "use WebSocket Streams for live updates to avoid polling the API.",
                 pl->rate_n, iv);
        return bn_error(obj, cap, 429, -1003, msg);
    case ARB_SIM_ORD_DUPLICATE:
        return fut ? bn_error(obj, cap, 400, -4116, "ClientOrderId is duplicated.")
                   : bn_error(obj, cap, 400, -2010, "Duplicate order sent.");
    case ARB_SIM_ORD_REJECTED:
        switch (pl->reject) {
        case ARB_SIM_REJ_FUNDS:
            return fut ? bn_error(obj, cap, 400, -2019, "Margin is insufficient.")
                       : bn_error(obj, cap, 400, -2010,
                                  "Account has insufficient balance for requested action.");
        case ARB_SIM_REJ_FILTER:
            return fut ? bn_error(obj, cap, 400, -1111,
                                  "Precision is over the maximum defined for this asset.")
                       : bn_error(obj, cap, 400, -1013, "Filter failure: LOT_SIZE");
        case ARB_SIM_REJ_BUSY:
            return bn_error(obj, cap, 503, -1008,
                            "Server is currently overloaded with other requests. Please try again "
                            "in a few minutes.");
        default:
            return bn_error(obj, cap, 400, -1121, "Invalid symbol.");
        }
    default:
        return bn_result(v, &pl->ord, type, obj, cap);
    }
}

/* A JSON number as Binance's signature payload shows it: integers plain, else shortest. */
static void num_text(double d, char *out, size_t cap)
{
    if (d > -9e15 && d < 9e15 && d == (double)(long long)d) {
        snprintf(out, cap, "%lld", (long long)d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Binance WebSocket API: the params object as strings, the signature payload
 * (every param but signature, sorted by name, key=value joined by '&') and
 * the authentication outcome.
 */
static enum arb_sim_auth bn_ws_params(struct arb_sim_exch *x, const cJSON *params,
                                      struct arb_sim_params *p)
{
    const struct arb_sim_keys *k = arb_sim_exch_keys(x);
    const char *keys[ARB_SIM_PARAMS_MAX], *key, *sig;
    char payload[4096];
    size_t used = 0;
    int n = 0;
    const cJSON *it;

    cJSON_ArrayForEach(it, params)
    {
        char num[64];
        const char *val = num;
        if (cJSON_IsString(it))
            val = it->valuestring;
        else if (cJSON_IsNumber(it))
            num_text(it->valuedouble, num, sizeof num);
        else if (cJSON_IsBool(it))
            val = cJSON_IsTrue(it) ? "true" : "false";
        else
            continue;
        arb_sim_params_add(p, it->string, strlen(it->string), val, strlen(val));
    }
    key = arb_sim_params_get(p, "apiKey");
    sig = arb_sim_params_get(p, "signature");
    if (!key || strcmp(key, k->api_key) != 0 || !k->api_key[0])
        return ARB_SIM_AUTH_BAD_KEY;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i], "signature") != 0)
            keys[n++] = p->key[i];
    qsort(keys, (size_t)n, sizeof keys[0], cmp_key);
    for (int i = 0; i < n; i++) {
        int w = snprintf(payload + used, sizeof payload - used, "%s%s=%s", i ? "&" : "", keys[i],
                         arb_sim_params_get(p, keys[i]));
        if (w < 0 || (size_t)w >= sizeof payload - used)
            return ARB_SIM_AUTH_BAD_SIG;
        used += (size_t)w;
    }
    if (!sig || !arb_sim_sign_binance_ok(k, payload, used, sig, strlen(sig)))
        return ARB_SIM_AUTH_BAD_SIG;
    return ARB_SIM_AUTH_OK;
}

static void bn_ws_answer(struct arb_sim_reply *r, const char *id, int status, const char *obj,
                         const struct arb_sim_place *pl)
{
    char limits[256];

    snprintf(limits, sizeof limits,
             "[{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,"
             "\"limit\":%u,\"count\":%llu}]",
             pl && pl->rate_n ? pl->rate_n : 100,
             (unsigned long long)(pl ? pl->orders_in_window : 0));
    if (status == 200) {
        reply_printf(r, "{\"id\":%s,\"status\":200,\"result\":%s,\"rateLimits\":%s}", id, obj,
                     limits);
    } else if (status == 429 && pl) {
        /* The 429 says when to come back, in the data member the ban answers (418) carry. */
        uint64_t now_ms = arb_clock_real_ns() / 1000000;
        reply_printf(r,
                     "{\"id\":%s,\"status\":429,\"error\":%.*s,\"data\":{\"serverTime\":%llu,"
                     "\"retryAfter\":%llu}},\"rateLimits\":%s}",
                     id, (int)strlen(obj) - 1, obj, (unsigned long long)now_ms,
                     (unsigned long long)(now_ms + pl->retry_after_ms), limits);
    } else {
        reply_printf(r, "{\"id\":%s,\"status\":%d,\"error\":%s,\"rateLimits\":%s}", id, status, obj,
                     limits);
    }
}

static void binance_ws(struct arb_sim_osess *s, cJSON *req, struct arb_sim_reply *r)
{
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
    char *id = idj ? cJSON_PrintUnformatted(idj) : NULL;
    const char *ids = id ? id : "null";
    char obj[2048];

    if (!cJSON_IsString(method)) {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        bn_error(obj, sizeof obj, 400, -1102,
                 "Mandatory parameter 'method' was not sent, was empty/null, or malformed.");
        bn_ws_answer(r, ids, 400, obj, NULL);
    } else if (strcmp(method->valuestring, "ping") == 0) {
        bn_ws_answer(r, ids, 200, "{}", NULL);
    } else if (strcmp(method->valuestring, "time") == 0) {
        snprintf(obj, sizeof obj, "{\"serverTime\":%llu}",
                 (unsigned long long)(arb_clock_real_ns() / 1000000));
        bn_ws_answer(r, ids, 200, obj, NULL);
    } else if (strcmp(method->valuestring, "order.place") == 0) {
        struct arb_sim_params p = {0};
        struct arb_sim_place pl;
        enum arb_sim_auth auth =
            cJSON_IsObject(params) ? bn_ws_params(s->x, params, &p) : ARB_SIM_AUTH_BAD_KEY;
        int status = arb_sim_binance_place(s->x, &p, auth, obj, sizeof obj, &pl);
        r->delay_ns = pl.delay_ns;
        r->drop = pl.drop;
        bn_ws_answer(r, ids, status, obj, &pl);
    } else if (strcmp(method->valuestring, "order.status") == 0) {
        /* Query by origClientOrderId (the only form the engine sends); as signed as an
         * order. The order object of order.place, with its fills. */
        struct arb_sim_params p = {0};
        struct arb_sim_order o;
        enum arb_sim_auth auth =
            cJSON_IsObject(params) ? bn_ws_params(s->x, params, &p) : ARB_SIM_AUTH_BAD_KEY;
        const char *clid = arb_sim_params_get(&p, "origClientOrderId");
        int status;
        if (auth != ARB_SIM_AUTH_OK) {
            arb_sim_exch_note(s->x, auth == ARB_SIM_AUTH_BAD_KEY ? ARB_SIM_NOTE_BAD_KEY
                                                                 : ARB_SIM_NOTE_BAD_SIGNATURE);
            status = auth == ARB_SIM_AUTH_BAD_KEY
                         ? bn_error(obj, sizeof obj, 401, -2015,
                                    "Invalid API-key, IP, or permissions for action.")
                         : bn_error(obj, sizeof obj, 400, -1022,
                                    "Signature for this request is not valid.");
        } else if (!clid || arb_sim_exch_order(s->x, 0, clid, &o) < 0) {
            status = bn_error(obj, sizeof obj, 400, -2013, "Order does not exist.");
        } else {
            status = bn_result(arb_sim_exch_venue(s->x), &o, "LIMIT", obj, sizeof obj);
        }
        bn_ws_answer(r, ids, status, obj, NULL);
    } else {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        bn_error(obj, sizeof obj, 400, -1020, "This operation is not supported.");
        bn_ws_answer(r, ids, 400, obj, NULL);
    }
    cJSON_free(id);
}

/* ----------------------------------------------------------------- Kraken */

/* A v2 number (or a decimal string) as 1e-8 fixed point, and the decimals it needs. */
static int kr_num(const cJSON *v, int64_t *e8, uint8_t *dec)
{
    if (cJSON_IsString(v)) {
        if (arb_fixed_parse_cstr(v->valuestring, e8) != 0)
            return -EINVAL;
        *dec = arb_sim_decimals(v->valuestring);
        return 0;
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 9e7))
        return -EINVAL;
    /* Below 9e7 a double holds every 1e-8 step, so rounding recovers the decimal sent. */
    *e8 = (int64_t)(v->valuedouble * 1e8 + 0.5);
    *dec = 8;
    for (int64_t f = *e8 % 100000000; *dec > 0 && f % 10 == 0; f /= 10)
        (*dec)--;
    if (*e8 % 100000000 == 0)
        *dec = 0;
    return 0;
}

static void kr_order_id(uint64_t id, char c, char *out, size_t len)
{
    snprintf(out, len, "%cSIMUL-%05llu-%06llu", c, (unsigned long long)(id / 1000000 % 100000),
             (unsigned long long)(id % 1000000));
}

/* The envelope fields every v2 method answer carries, after the method's own. */
static void kr_tail(char *out, size_t len, const char *req_id, uint64_t in_ns)
{
    char tin[32], tout[32];

    arb_sim_fmt_time_us(in_ns, tin);
    arb_sim_fmt_time_us(arb_clock_real_ns(), tout);
    snprintf(out, len, "%s%s%s\"time_in\":\"%s\",\"time_out\":\"%s\"}", req_id ? "\"req_id\":" : "",
             req_id ? req_id : "", req_id ? "," : "", tin, tout);
}

static void kr_error(struct arb_sim_reply *r, const char *method, const char *req_id,
                     uint64_t in_ns, const char *err)
{
    char tail[160];

    kr_tail(tail, sizeof tail, req_id, in_ns);
    reply_printf(r, "{\"error\":\"%s\",\"method\":\"%s\",\"success\":false,%s", err, method, tail);
}

/* The executions channel's view of one IOC order: new, its trade, then filled or canceled. */
static void kr_executions(struct arb_sim_osess *s, const struct arb_sim_order *o,
                          struct arb_sim_reply *r)
{
    char oid[32], tid[32], ts[32], qty[32], lim[32], lq[32], lp[32], cost[32];
    const char *side = o->side > 0 ? "buy" : "sell";

    kr_order_id(o->id, 'O', oid, sizeof oid);
    kr_order_id(o->trade_id, 'T', tid, sizeof tid);
    arb_sim_fmt_time_us(o->ts_ms * 1000000, ts);
    arb_sim_fmt_fixed(o->qty_e8, 0, qty);
    arb_sim_fmt_fixed(o->limit_e8, 0, lim);
    arb_sim_fmt_fixed(o->filled_e8, 0, lq);
    arb_sim_fmt_fixed(o->fill_px_e8, 0, lp);
    arb_sim_fmt_fixed(o->quote_e8, 0, cost);
    reply_printf(r,
                 "{\"channel\":\"executions\",\"type\":\"update\",\"data\":[{\"order_id\":\"%s\","
                 "\"cl_ord_id\":\"%s\",\"symbol\":\"%s\",\"side\":\"%s\",\"order_type\":\"limit\","
                 "\"order_qty\":%s,\"limit_price\":%s,\"time_in_force\":\"IOC\","
                 "\"order_status\":\"new\",\"exec_type\":\"new\",\"timestamp\":\"%s\","
                 "\"order_userref\":0}],\"sequence\":%llu}",
                 oid, o->clid, o->symbol, side, qty, lim, ts, (unsigned long long)++s->exec_seq);
    if (o->filled_e8)
        reply_printf(r,
                     "{\"channel\":\"executions\",\"type\":\"update\",\"data\":[{\"order_id\":"
                     "\"%s\",\"cl_ord_id\":\"%s\",\"exec_id\":\"%s\",\"exec_type\":\"trade\","
                     "\"trade_id\":%llu,\"symbol\":\"%s\",\"side\":\"%s\",\"last_qty\":%s,"
                     "\"last_price\":%s,\"liquidity_ind\":\"t\",\"cost\":%s,\"order_userref\":0,"
                     "\"order_status\":\"%s\",\"order_type\":\"limit\",\"fee_usd_equiv\":0,"
                     "\"fees\":[{\"asset\":\"USD\",\"qty\":0}],\"timestamp\":\"%s\"}],"
                     "\"sequence\":%llu}",
                     oid, o->clid, tid, (unsigned long long)o->trade_id, o->symbol, side, lq, lp,
                     cost, o->status == ARB_SIM_ORD_FILLED ? "filled" : "partially_filled", ts,
                     (unsigned long long)++s->exec_seq);
    reply_printf(r,
                 "{\"channel\":\"executions\",\"type\":\"update\",\"data\":[{\"order_id\":\"%s\","
                 "\"cl_ord_id\":\"%s\",\"exec_type\":\"%s\",\"order_status\":\"%s\",%s"
                 "\"cum_qty\":%s,\"cum_cost\":%s,\"avg_price\":%s,\"fee_usd_equiv\":0,"
                 "\"timestamp\":\"%s\"}],\"sequence\":%llu}",
                 oid, o->clid, o->status == ARB_SIM_ORD_FILLED ? "filled" : "canceled",
                 o->status == ARB_SIM_ORD_FILLED ? "filled" : "canceled",
                 o->status == ARB_SIM_ORD_FILLED ? "" : "\"reason\":\"Immediate or cancel\",", lq,
                 cost, o->filled_e8 ? lp : "0", ts, (unsigned long long)++s->exec_seq);
}

static void kr_add_order(struct arb_sim_osess *s, const cJSON *params, const char *req_id,
                         uint64_t in_ns, struct arb_sim_reply *r)
{
    static const char m[] = "add_order";
    const cJSON *sym = cJSON_GetObjectItemCaseSensitive(params, "symbol");
    const cJSON *side = cJSON_GetObjectItemCaseSensitive(params, "side");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(params, "order_type");
    const cJSON *tif = cJSON_GetObjectItemCaseSensitive(params, "time_in_force");
    const cJSON *clid = cJSON_GetObjectItemCaseSensitive(params, "cl_ord_id");
    struct arb_sim_order_req rq = {0};
    struct arb_sim_place pl;
    char oid[32], tail[160];
    bool market;

    if (!cJSON_IsString(sym) || !cJSON_IsString(side) || !cJSON_IsString(type) ||
        (strcmp(side->valuestring, "buy") != 0 && strcmp(side->valuestring, "sell") != 0)) {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        return kr_error(r, m, req_id, in_ns, "EGeneral:Invalid arguments");
    }
    market = strcmp(type->valuestring, "market") == 0;
    if (!market && strcmp(type->valuestring, "limit") != 0) {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        return kr_error(r, m, req_id, in_ns, "EGeneral:Invalid arguments:order_type");
    }
    /* Nothing rests in the simulator: limit orders must be IOC. */
    if (!market && (!cJSON_IsString(tif) || strcasecmp(tif->valuestring, "ioc") != 0)) {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        return kr_error(r, m, req_id, in_ns, "EGeneral:Invalid arguments:time_in_force");
    }
    if (kr_num(cJSON_GetObjectItemCaseSensitive(params, "order_qty"), &rq.qty_e8, &rq.qty_dec) <
            0 ||
        rq.qty_e8 <= 0) {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        return kr_error(r, m, req_id, in_ns, "EGeneral:Invalid arguments:order_qty");
    }
    if (!market && (kr_num(cJSON_GetObjectItemCaseSensitive(params, "limit_price"), &rq.limit_e8,
                           &rq.px_dec) < 0 ||
                    rq.limit_e8 <= 0)) {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        return kr_error(r, m, req_id, in_ns, "EGeneral:Invalid arguments:limit_price");
    }
    rq.symbol = sym->valuestring;
    rq.clid = cJSON_IsString(clid) ? clid->valuestring : NULL;
    rq.side = side->valuestring[0] == 'b' ? 1 : -1;
    if (market)
        rq.limit_e8 = rq.side > 0 ? INT64_MAX : 0;
    arb_sim_exch_place(s->x, &rq, &pl);
    r->delay_ns = pl.delay_ns;
    r->drop = pl.drop;
    switch (pl.status) {
    case ARB_SIM_ORD_RATE_LIMITED:
        return kr_error(r, m, req_id, in_ns, "EOrder:Rate limit exceeded");
    case ARB_SIM_ORD_DUPLICATE:
        return kr_error(r, m, req_id, in_ns, "EOrder:Duplicate order");
    case ARB_SIM_ORD_REJECTED:
        return kr_error(r, m, req_id, in_ns,
                        pl.reject == ARB_SIM_REJ_FUNDS    ? "EOrder:Insufficient funds"
                        : pl.reject == ARB_SIM_REJ_FILTER ? "EOrder:Order minimum not met"
                        : pl.reject == ARB_SIM_REJ_BUSY   ? "EService:Unavailable"
                                                          : "EQuery:Unknown asset pair");
    default:
        break;
    }
    kr_order_id(pl.ord.id, 'O', oid, sizeof oid);
    kr_tail(tail, sizeof tail, req_id, in_ns);
    if (rq.clid)
        reply_printf(r,
                     "{\"method\":\"add_order\",\"result\":{\"order_id\":\"%s\",\"cl_ord_id\":"
                     "\"%s\"},\"success\":true,%s",
                     oid, pl.ord.clid, tail);
    else
        reply_printf(r,
                     "{\"method\":\"add_order\",\"result\":{\"order_id\":\"%s\"},\"success\":true,"
                     "%s",
                     oid, tail);
    if (s->executions)
        kr_executions(s, &pl.ord, r);
}

/* Returns 1 when the request was a trading one, 0 when the market session should take it. */
static int kraken_ws(struct arb_sim_osess *s, cJSON *req, struct arb_sim_reply *r)
{
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(req, "req_id");
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(params, "token");
    const cJSON *channel = cJSON_GetObjectItemCaseSensitive(params, "channel");
    uint64_t in_ns = arb_clock_real_ns();
    char req_id[32], tail[160];
    const char *m;

    if (!cJSON_IsString(method))
        return 0;
    m = method->valuestring;
    if (strcmp(m, "add_order") != 0 && strcmp(m, "cancel_all_orders_after") != 0 &&
        strcmp(m, "cancel_all") != 0 && strcmp(m, "cancel_order") != 0 &&
        !((strcmp(m, "subscribe") == 0 || strcmp(m, "unsubscribe") == 0) &&
          cJSON_IsString(channel) && strcmp(channel->valuestring, "executions") == 0))
        return 0;
    if (cJSON_IsNumber(rid))
        snprintf(req_id, sizeof req_id, "%lld", (long long)rid->valuedouble);
    if (!cJSON_IsString(token) || !arb_sim_exch_token_ok(s->x, token->valuestring)) {
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_KEY);
        kr_error(r, m, cJSON_IsNumber(rid) ? req_id : NULL, in_ns, "ESession:Invalid session");
        return 1;
    }
    kr_tail(tail, sizeof tail, cJSON_IsNumber(rid) ? req_id : NULL, in_ns);
    if (strcmp(m, "add_order") == 0) {
        kr_add_order(s, params, cJSON_IsNumber(rid) ? req_id : NULL, in_ns, r);
    } else if (strcmp(m, "subscribe") == 0) {
        s->executions = true;
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_EXEC_SUB);
        reply_printf(r,
                     "{\"method\":\"subscribe\",\"result\":{\"channel\":\"executions\","
                     "\"maxratecount\":180,\"snapshot\":true},\"success\":true,%s",
                     tail);
        reply_printf(r,
                     "{\"channel\":\"executions\",\"type\":\"snapshot\",\"data\":[],"
                     "\"sequence\":%llu}",
                     (unsigned long long)++s->exec_seq);
    } else if (strcmp(m, "unsubscribe") == 0) {
        s->executions = false;
        reply_printf(r,
                     "{\"method\":\"unsubscribe\",\"result\":{\"channel\":\"executions\"},"
                     "\"success\":true,%s",
                     tail);
    } else if (strcmp(m, "cancel_all_orders_after") == 0) {
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(params, "timeout");
        char now[32], trig[32] = "0";
        uint64_t t = arb_clock_real_ns();
        if (!cJSON_IsNumber(to) || to->valuedouble < 0 || to->valuedouble > 86400) {
            kr_error(r, m, cJSON_IsNumber(rid) ? req_id : NULL, in_ns,
                     "EGeneral:Invalid arguments:timeout");
            return 1;
        }
        arb_sim_fmt_time_us(t, now);
        /* Seconds precision, as the venue prints them; nothing rests here for it to cancel. */
        now[19] = 'Z';
        now[20] = '\0';
        if (to->valuedouble > 0) {
            arb_sim_fmt_time_us(t + (uint64_t)to->valuedouble * 1000000000ULL, trig);
            trig[19] = 'Z';
            trig[20] = '\0';
        }
        reply_printf(r,
                     "{\"method\":\"cancel_all_orders_after\",\"result\":{\"currentTime\":\"%s\","
                     "\"triggerTime\":\"%s\"},\"success\":true,%s",
                     now, trig, tail);
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_CANCEL_AFTER);
    } else if (strcmp(m, "cancel_all") == 0) {
        reply_printf(r, "{\"method\":\"cancel_all\",\"result\":{\"count\":0},\"success\":true,%s",
                     tail);
    } else {
        /* IOC orders never rest, so there is never anything to cancel. */
        kr_error(r, m, cJSON_IsNumber(rid) ? req_id : NULL, in_ns, "EOrder:Unknown order");
    }
    return 1;
}

/* --------------------------------------------------------------- sessions */

struct arb_sim_osess *arb_sim_orders_open(struct arb_sim_exch *x, const char *target)
{
    enum arb_sim_venue v = arb_sim_exch_venue(x);
    size_t pl = strcspn(target, "?");
    const char *path = v == ARB_SIM_BINANCE           ? "/ws-api/v3"
                       : v == ARB_SIM_BINANCE_FUTURES ? "/ws-fapi/v1"
                       : v == ARB_SIM_KRAKEN          ? "/v2"
                                                      : NULL;
    struct arb_sim_osess *s;

    if (!path || pl != strlen(path) || strncmp(target, path, pl) != 0)
        return NULL;
    s = calloc(1, sizeof *s);
    if (s) {
        s->x = x;
        s->venue = v;
    }
    return s;
}

void arb_sim_orders_close(struct arb_sim_osess *s)
{
    free(s);
}

int arb_sim_orders_text(struct arb_sim_osess *s, const char *msg, size_t len,
                        struct arb_sim_reply *r)
{
    cJSON *req = cJSON_ParseWithLength(msg, len);
    int rc = 1;

    if (s->venue == ARB_SIM_KRAKEN) {
        rc = cJSON_IsObject(req) ? kraken_ws(s, req, r) : 0;
    } else if (!cJSON_IsObject(req)) {
        char obj[128];
        arb_sim_exch_note(s->x, ARB_SIM_NOTE_BAD_REQUEST);
        bn_error(obj, sizeof obj, 400, -1135, "Invalid JSON request");
        bn_ws_answer(r, "null", 400, obj, NULL);
    } else {
        binance_ws(s, req, r);
    }
    cJSON_Delete(req);
    return rc;
}
