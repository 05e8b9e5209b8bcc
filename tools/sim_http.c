/* SPDX-License-Identifier: MIT */
/* REST order entry for the simulated exchange: HTTP/1.1 keep-alive and each venue's endpoints. */
#include "tools/sim_http.h"

#include "tools/sim_conn.h"
#include "tools/sim_orders.h"

#include "core/clock.h"
#include "core/fixed.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* One parsed request. Pointers are into the connection's input buffer. */
struct req {
    char method[8];
    char path[512];   /* the target up to '?' */
    char query[2048]; /* after '?', as sent */
    const char *body;
    size_t body_len;
    bool close; /* Connection: close, or HTTP/1.0 */
    char host[128];
    char auth[2048];    /* Authorization */
    char mbx_key[256];  /* X-MBX-APIKEY */
    char api_key[256];  /* API-Key (Kraken) */
    char api_sign[256]; /* API-Sign (Kraken) */
};

static bool route(enum arb_sim_venue v, const char *method, const char *path)
{
    bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;

    switch (v) {
    case ARB_SIM_BINANCE:
        return (post && strcmp(path, "/api/v3/order") == 0) ||
               (get && strcmp(path, "/api/v3/time") == 0);
    case ARB_SIM_BINANCE_FUTURES:
        return (post && strcmp(path, "/fapi/v1/order") == 0) ||
               (get && strcmp(path, "/fapi/v1/time") == 0);
    case ARB_SIM_COINBASE:
        return (post && strcmp(path, "/api/v3/brokerage/orders") == 0) ||
               (get && strncmp(path, "/api/v3/brokerage/orders/historical/", 36) == 0);
    case ARB_SIM_KRAKEN:
        return post && strcmp(path, "/0/private/GetWebSocketsToken") == 0;
    default:
        return false;
    }
}

/* Method and path from a request line. Returns 0 or -EINVAL. */
static int request_line(const char *head, size_t len, struct req *q)
{
    const char *eol = memchr(head, '\r', len), *sp1, *sp2, *qm;
    size_t tl;

    if (!eol)
        return -EINVAL;
    sp1 = memchr(head, ' ', (size_t)(eol - head));
    sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || (size_t)(sp1 - head) >= sizeof q->method)
        return -EINVAL;
    memcpy(q->method, head, (size_t)(sp1 - head));
    q->method[sp1 - head] = '\0';
    tl = (size_t)(sp2 - sp1 - 1);
    qm = memchr(sp1 + 1, '?', tl);
    if ((size_t)((qm ? qm : sp2) - sp1 - 1) >= sizeof q->path)
        return -EINVAL;
    snprintf(q->path, sizeof q->path, "%.*s", (int)((qm ? qm : sp2) - sp1 - 1), sp1 + 1);
    if (qm && (size_t)(sp2 - qm - 1) >= sizeof q->query)
        return -EINVAL;
    snprintf(q->query, sizeof q->query, "%.*s", qm ? (int)(sp2 - qm - 1) : 0, qm ? qm + 1 : "");
    q->close = eol - sp2 - 1 == 8 && memcmp(sp2 + 1, "HTTP/1.0", 8) == 0;
    return 0;
}

bool arb_sim_http_wants(const struct arb_sim_exch *x, const char *head, size_t len)
{
    struct req q;

    return x && request_line(head, len, &q) == 0 && route(arb_sim_exch_venue(x), q.method, q.path);
}

/* Headers into q. Returns the Content-Length (0 when none), or -EINVAL. */
static long headers(const char *head, size_t len, struct req *q)
{
    const char *p = memchr(head, '\n', len), *end = head + len;
    long clen = 0;

    for (p = p ? p + 1 : end; p < end;) {
        const char *eol = memchr(p, '\r', (size_t)(end - p)), *colon, *v;
        size_t vl;
        if (!eol || eol == p)
            break;
        colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon)
            return -EINVAL;
        for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
            ;
        vl = (size_t)(eol - v);
#define IS(name)                                                                                   \
    ((size_t)(colon - p) == sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0)
#define COPY(dst) snprintf(dst, sizeof dst, "%.*s", (int)(vl < sizeof dst ? vl : 0), v)
        if (IS("Content-Length")) {
            char *e;
            clen = strtol(v, &e, 10);
            if (e == v || clen < 0)
                return -EINVAL;
        } else if (IS("Transfer-Encoding")) {
            return -EINVAL; /* chunked bodies are not part of these APIs */
        } else if (IS("Connection")) {
            q->close |= vl >= 5 && strncasecmp(v, "close", 5) == 0;
        } else if (IS("Host")) {
            COPY(q->host);
        } else if (IS("Authorization")) {
            COPY(q->auth);
        } else if (IS("X-MBX-APIKEY")) {
            COPY(q->mbx_key);
        } else if (IS("API-Key")) {
            COPY(q->api_key);
        } else if (IS("API-Sign")) {
            COPY(q->api_sign);
        }
#undef COPY
#undef IS
        p = eol + 2;
    }
    return clen;
}

static int unhex(char c)
{
    return c >= '0' && c <= '9'                     ? c - '0'
           : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                    : -1;
}

/* "a=1&b=x%20y" into p, values URL-decoded. */
static void form_params(const char *s, size_t len, struct arb_sim_params *p)
{
    const char *end = s + len;

    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s)), *e = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        char val[160];
        size_t vl = 0;
        if (eq) {
            for (const char *c = eq + 1; c < e && vl < sizeof val - 1; c++) {
                if (*c == '%' && e - c > 2 && unhex(c[1]) >= 0 && unhex(c[2]) >= 0) {
                    val[vl++] = (char)(unhex(c[1]) << 4 | unhex(c[2]));
                    c += 2;
                } else {
                    val[vl++] = *c == '+' ? ' ' : *c;
                }
            }
            arb_sim_params_add(p, s, (size_t)(eq - s), val, vl);
        }
        s = amp ? amp + 1 : end;
    }
}

static void put_body(struct arb_sim_reply *r, int status, const char *ctype, const char *body)
{
    r->http_status = status;
    snprintf(r->headers + strlen(r->headers), sizeof r->headers - strlen(r->headers),
             "Content-Type: %s\r\n", ctype);
    arb_sim_reply_push(r, body, strlen(body));
}

/* ---------------------------------------------------------------- Binance */

/* totalParams (query string then body) without its signature parameter: what was signed. */
static size_t binance_payload(const struct req *q, char *out, size_t cap, char *sig, size_t slen)
{
    char all[4096];
    int n = snprintf(all, sizeof all, "%s%.*s", q->query, (int)q->body_len, q->body ? q->body : "");
    char *s;

    sig[0] = '\0';
    if (n < 0 || (size_t)n >= sizeof all)
        return 0;
    for (s = all; (s = strstr(s, "signature=")); s++) {
        char *v = s + 10, *e = v + strcspn(v, "&");
        if (s != all && s[-1] != '&')
            continue;
        /* Ed25519 signatures are base64, so they arrive percent-encoded. */
        for (size_t o = 0; v < e && o + 1 < slen; v++) {
            if (*v == '%' && e - v > 2 && unhex(v[1]) >= 0 && unhex(v[2]) >= 0) {
                sig[o++] = (char)(unhex(v[1]) << 4 | unhex(v[2]));
                v += 2;
            } else {
                sig[o++] = *v;
            }
            sig[o] = '\0';
        }
        /* Take one '&' along: the one before, or for a first parameter the one after. */
        if (s != all)
            s--;
        else if (*e == '&')
            e++;
        memmove(s, e, strlen(e) + 1);
        break;
    }
    snprintf(out, cap, "%s", all);
    return strlen(out);
}

static void binance_rest(struct arb_sim_exch *x, const struct req *q, struct arb_sim_reply *r)
{
    const struct arb_sim_keys *k = arb_sim_exch_keys(x);
    bool fut = arb_sim_exch_venue(x) == ARB_SIM_BINANCE_FUTURES;
    struct arb_sim_params p = {0};
    struct arb_sim_place pl;
    char payload[4096], sig[256], obj[2048];
    enum arb_sim_auth auth = ARB_SIM_AUTH_OK;
    size_t plen;
    int status;

    if (strcmp(q->method, "GET") == 0) {
        snprintf(obj, sizeof obj, "{\"serverTime\":%llu}",
                 (unsigned long long)(arb_clock_real_ns() / 1000000));
        return put_body(r, 200, "application/json;charset=UTF-8", obj);
    }
    if (!q->mbx_key[0]) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_KEY);
        return put_body(r, 401, "application/json;charset=UTF-8",
                        "{\"code\":-2014,\"msg\":\"API-key format invalid.\"}");
    }
    form_params(q->query, strlen(q->query), &p);
    if (q->body_len)
        form_params(q->body, q->body_len, &p);
    plen = binance_payload(q, payload, sizeof payload, sig, sizeof sig);
    if (strcmp(q->mbx_key, k->api_key) != 0)
        auth = ARB_SIM_AUTH_BAD_KEY;
    else if (!sig[0] || !arb_sim_sign_binance_ok(k, payload, plen, sig, strlen(sig)))
        auth = ARB_SIM_AUTH_BAD_SIG;
    status = arb_sim_binance_place(x, &p, auth, obj, sizeof obj, &pl);
    r->delay_ns = pl.delay_ns;
    r->drop = pl.drop;
    snprintf(r->headers, sizeof r->headers, "X-MBX-USED-WEIGHT-1M: %llu\r\n%s: %llu\r\n",
             (unsigned long long)pl.orders_in_window,
             fut ? "X-MBX-ORDER-COUNT-1M" : "X-MBX-ORDER-COUNT-10S",
             (unsigned long long)pl.orders_in_window);
    if (status == 429)
        snprintf(r->headers + strlen(r->headers), sizeof r->headers - strlen(r->headers),
                 "Retry-After: %llu\r\n", (unsigned long long)((pl.retry_after_ms + 999) / 1000));
    put_body(r, status, "application/json;charset=UTF-8", obj);
}

/* --------------------------------------------------------------- Coinbase */

static void cb_uuid(uint64_t id, char *out, size_t len)
{
    snprintf(out, len, "00000000-0000-4000-8000-%012llx", (unsigned long long)id);
}

static uint64_t cb_id(const char *uuid)
{
    size_t n = strlen(uuid);

    return n == 36 && strncmp(uuid, "00000000-0000-4000-8000-", 24) == 0
               ? strtoull(uuid + 24, NULL, 16)
               : 0;
}

static void cb_error(struct arb_sim_reply *r, int status, const char *err, const char *msg)
{
    char body[512];

    snprintf(body, sizeof body, "{\"error\":\"%s\",\"error_details\":\"%s\",\"message\":\"%s\"}",
             err, msg, msg);
    put_body(r, status, "application/json", body);
}

/* The JWT's uri claim for this request, as the client may have spelled the host. */
static bool cb_auth(struct arb_sim_exch *x, const struct req *q, struct arb_sim_reply *r)
{
    char u1[1024], u2[1024], why[128];
    const char *uris[2] = {u1, u2};

    snprintf(u1, sizeof u1, "%s api.coinbase.com%s", q->method, q->path);
    snprintf(u2, sizeof u2, "%s %s%s", q->method, q->host, q->path);
    if (strncmp(q->auth, "Bearer ", 7) != 0 ||
        arb_sim_sign_jwt_check(arb_sim_exch_keys(x), q->auth + 7, strlen(q->auth + 7), uris, 2,
                               arb_clock_real_ns() / 1000000000ULL, why, sizeof why) < 0) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_SIGNATURE);
        put_body(r, 401, "text/plain; charset=utf-8", "Unauthorized\n");
        return false;
    }
    return true;
}

static void cb_config(const struct arb_sim_order *o, char *out, size_t len)
{
    char qty[32], px[32];

    arb_sim_fmt_fixed(o->qty_e8, o->qty_dec, qty);
    arb_sim_fmt_fixed(o->limit_e8, o->px_dec, px);
    snprintf(out, len, "{\"sor_limit_ioc\":{\"base_size\":\"%s\",\"limit_price\":\"%s\"}}", qty,
             px);
}

static void cb_create(struct arb_sim_exch *x, const struct req *q, struct arb_sim_reply *r)
{
    cJSON *req = cJSON_ParseWithLength(q->body ? q->body : "", q->body_len);
    const cJSON *clid = cJSON_GetObjectItemCaseSensitive(req, "client_order_id");
    const cJSON *prod = cJSON_GetObjectItemCaseSensitive(req, "product_id");
    const cJSON *side = cJSON_GetObjectItemCaseSensitive(req, "side");
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(req, "order_configuration");
    const cJSON *ioc = cJSON_GetObjectItemCaseSensitive(conf, "sor_limit_ioc");
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(ioc, "base_size");
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(ioc, "limit_price");
    struct arb_sim_order_req rq = {0};
    struct arb_sim_place pl;
    char body[2048], oid[40], cfg[256];

    if (!cJSON_IsString(clid) || !clid->valuestring[0] || !cJSON_IsString(prod) ||
        !cJSON_IsString(side) ||
        (strcmp(side->valuestring, "BUY") != 0 && strcmp(side->valuestring, "SELL") != 0)) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_REQUEST);
        cb_error(r, 400, "INVALID_ARGUMENT", "client_order_id, product_id and side are required");
        goto out;
    }
    /* Nothing rests in the simulator: the limit IOC configuration only. */
    if (!cJSON_IsString(size) || !cJSON_IsString(price) ||
        arb_fixed_parse_cstr(size->valuestring, &rq.qty_e8) != 0 ||
        arb_fixed_parse_cstr(price->valuestring, &rq.limit_e8) != 0 || rq.qty_e8 <= 0 ||
        rq.limit_e8 <= 0) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_REQUEST);
        cb_error(r, 400, "INVALID_ARGUMENT",
                 "order_configuration must be sor_limit_ioc with base_size and limit_price");
        goto out;
    }
    rq.symbol = prod->valuestring;
    rq.clid = clid->valuestring;
    rq.side = side->valuestring[0] == 'B' ? 1 : -1;
    rq.px_dec = arb_sim_decimals(price->valuestring);
    rq.qty_dec = arb_sim_decimals(size->valuestring);
    arb_sim_exch_place(x, &rq, &pl);
    r->delay_ns = pl.delay_ns;
    r->drop = pl.drop;
    if (pl.status == ARB_SIM_ORD_RATE_LIMITED) {
        cb_error(r, 429, "RESOURCE_EXHAUSTED", "Too many requests");
        goto out;
    }
    if (pl.status == ARB_SIM_ORD_REJECTED && pl.reject == ARB_SIM_REJ_BUSY) {
        cb_error(r, 503, "UNAVAILABLE", "Service unavailable");
        goto out;
    }
    if (pl.status == ARB_SIM_ORD_REJECTED) {
        const char *e = pl.reject == ARB_SIM_REJ_FUNDS    ? "INSUFFICIENT_FUND"
                        : pl.reject == ARB_SIM_REJ_FILTER ? "INVALID_SIZE_PRECISION"
                                                          : "INVALID_PRODUCT_ID";
        const char *m = pl.reject == ARB_SIM_REJ_FUNDS    ? "Insufficient balance in source account"
                        : pl.reject == ARB_SIM_REJ_FILTER ? "Too many decimals in order amount"
                                                          : "Invalid product_id";
        snprintf(body, sizeof body,
                 "{\"success\":false,\"failure_reason\":\"UNKNOWN_FAILURE_REASON\",\"order_id\":"
                 "\"\",\"error_response\":{\"error\":\"%s\",\"message\":\"%s\",\"error_details\":"
                 "\"\",\"preview_failure_reason\":\"PREVIEW_%s\"}}",
                 e, m, e);
        put_body(r, 200, "application/json", body);
        goto out;
    }
    /* A repeated client_order_id creates nothing: the venue returns the earlier order. */
    cb_uuid(pl.ord.id, oid, sizeof oid);
    cb_config(&pl.ord, cfg, sizeof cfg);
    snprintf(body, sizeof body,
             "{\"success\":true,\"success_response\":{\"order_id\":\"%s\",\"product_id\":\"%s\","
             "\"side\":\"%s\",\"client_order_id\":\"%s\"},\"order_configuration\":%s}",
             oid, pl.ord.symbol, pl.ord.side > 0 ? "BUY" : "SELL", pl.ord.clid, cfg);
    put_body(r, 200, "application/json", body);
out:
    cJSON_Delete(req);
}

static void cb_fills(struct arb_sim_exch *x, const struct req *q, struct arb_sim_reply *r)
{
    struct arb_sim_params p = {0};
    struct arb_sim_order o;
    const char *id;
    char body[2048] = "{\"fills\":[],\"cursor\":\"\"}";

    form_params(q->query, strlen(q->query), &p);
    id = arb_sim_params_get(&p, "order_id");
    if (!id)
        id = arb_sim_params_get(&p, "order_ids");
    if (id && arb_sim_exch_order(x, cb_id(id), NULL, &o) == 0 && o.filled_e8) {
        char px[32], sz[32], ts[32], oid[40];
        arb_sim_fmt_fixed(o.fill_px_e8, o.px_dec, px);
        arb_sim_fmt_fixed(o.filled_e8, o.qty_dec, sz);
        arb_sim_fmt_time_us(o.ts_ms * 1000000, ts);
        cb_uuid(o.id, oid, sizeof oid);
        snprintf(body, sizeof body,
                 "{\"fills\":[{\"entry_id\":\"%llu\",\"trade_id\":\"%llu\",\"order_id\":\"%s\","
                 "\"trade_time\":\"%s\",\"trade_type\":\"FILL\",\"price\":\"%s\",\"size\":\"%s\","
                 "\"commission\":\"0\",\"product_id\":\"%s\",\"sequence_timestamp\":\"%s\","
                 "\"liquidity_indicator\":\"TAKER\",\"size_in_quote\":false,\"user_id\":\"sim\","
                 "\"side\":\"%s\",\"retail_portfolio_id\":\"\"}],\"cursor\":\"\"}",
                 (unsigned long long)o.trade_id, (unsigned long long)o.trade_id, oid, ts, px, sz,
                 o.symbol, ts, o.side > 0 ? "BUY" : "SELL");
    }
    put_body(r, 200, "application/json", body);
}

static void cb_order(struct arb_sim_exch *x, const char *uuid, struct arb_sim_reply *r)
{
    struct arb_sim_order o;
    char body[3072], cfg[256], ts[32], fs[32], avg[32], val[32], pct[8];

    if (arb_sim_exch_order(x, cb_id(uuid), NULL, &o) < 0)
        return cb_error(r, 404, "NOT_FOUND", "order with this orderID was not found");
    cb_config(&o, cfg, sizeof cfg);
    arb_sim_fmt_time_us(o.ts_ms * 1000000, ts);
    arb_sim_fmt_fixed(o.filled_e8, o.qty_dec, fs);
    arb_sim_fmt_fixed(o.filled_e8 ? o.fill_px_e8 : 0, o.px_dec, avg);
    arb_sim_fmt_fixed(o.quote_e8, 0, val);
    snprintf(pct, sizeof pct, "%d", (int)((__int128)o.filled_e8 * 100 / o.qty_e8));
    snprintf(body, sizeof body,
             "{\"order\":{\"order_id\":\"%s\",\"product_id\":\"%s\",\"user_id\":\"sim\","
             "\"order_configuration\":%s,\"side\":\"%s\",\"client_order_id\":\"%s\","
             "\"status\":\"%s\",\"time_in_force\":\"IMMEDIATE_OR_CANCEL\",\"created_time\":\"%s\","
             "\"completion_percentage\":\"%s\",\"filled_size\":\"%s\",\"average_filled_price\":"
             "\"%s\",\"number_of_fills\":\"%d\",\"filled_value\":\"%s\",\"pending_cancel\":false,"
             "\"size_in_quote\":false,\"total_fees\":\"0\",\"size_inclusive_of_fees\":false,"
             "\"total_value_after_fees\":\"%s\",\"trigger_status\":\"INVALID_ORDER_TYPE\","
             "\"order_type\":\"LIMIT\",\"reject_reason\":\"\",\"settled\":true,"
             "\"product_type\":\"SPOT\",\"outstanding_hold_amount\":\"0\"}}",
             uuid, o.symbol, cfg, o.side > 0 ? "BUY" : "SELL", o.clid,
             o.status == ARB_SIM_ORD_FILLED    ? "FILLED"
             : o.status == ARB_SIM_ORD_PARTIAL ? "CANCELLED"
                                               : "EXPIRED",
             ts, pct, fs, avg, o.filled_e8 ? 1 : 0, val, val);
    put_body(r, 200, "application/json", body);
}

static void coinbase_rest(struct arb_sim_exch *x, const struct req *q, struct arb_sim_reply *r)
{
    if (!cb_auth(x, q, r))
        return;
    if (strcmp(q->method, "POST") == 0)
        cb_create(x, q, r);
    else if (strcmp(q->path, "/api/v3/brokerage/orders/historical/fills") == 0)
        cb_fills(x, q, r);
    else
        cb_order(x, q->path + 36, r);
}

/* ----------------------------------------------------------------- Kraken */

static void kraken_rest(struct arb_sim_exch *x, const struct req *q, struct arb_sim_reply *r)
{
    const struct arb_sim_keys *k = arb_sim_exch_keys(x);
    struct arb_sim_params p = {0};
    const char *nonce;
    char body[256], token[48];
    unsigned long long nv = 0;

    form_params(q->body ? q->body : "", q->body_len, &p);
    nonce = arb_sim_params_get(&p, "nonce");
    /* Kraken answers errors with HTTP 200 and an error list. */
    if (!k->api_key[0] || strcmp(q->api_key, k->api_key) != 0) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_KEY);
        return put_body(r, 200, "application/json", "{\"error\":[\"EAPI:Invalid key\"]}");
    }
    if (!nonce || !arb_sim_sign_kraken_ok(k, q->path, nonce, q->body ? q->body : "", q->body_len,
                                          q->api_sign)) {
        arb_sim_exch_note(x, ARB_SIM_NOTE_BAD_SIGNATURE);
        return put_body(r, 200, "application/json", "{\"error\":[\"EAPI:Invalid signature\"]}");
    }
    if (sscanf(nonce, "%llu", &nv) != 1 || !arb_sim_exch_nonce(x, nv))
        return put_body(r, 200, "application/json", "{\"error\":[\"EAPI:Invalid nonce\"]}");
    arb_sim_exch_token_issue(x, token, sizeof token);
    snprintf(body, sizeof body, "{\"error\":[],\"result\":{\"token\":\"%s\",\"expires\":900}}",
             token);
    put_body(r, 200, "application/json", body);
}

/* ------------------------------------------------------------------ server */

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Bad Request";
    }
}

/* Writes the response; a drop fault cuts it off or resets instead. Returns 0 or -errno. */
static int respond(struct arb_sim_conn *c, const struct arb_sim_reply *r, bool close)
{
    char *out = malloc(1024 + r->used);
    int n, rc;

    if (!out)
        return -ENOMEM;
    n = snprintf(out, 1024, "HTTP/1.1 %d %s\r\n%sContent-Length: %zu\r\n%s\r\n", r->http_status,
                 reason(r->http_status), r->headers, r->used, close ? "Connection: close\r\n" : "");
    memcpy(out + n, r->buf, r->used);
    if (r->drop == 1 + ARB_SIM_DROP_MID) {
        /* The order is booked, but the client gets only half the answer. */
        arb_sim_io_write_all(c, out, ((size_t)n + r->used) / 2);
        shutdown(c->fd, SHUT_RDWR);
        rc = -ECONNABORTED;
    } else if (r->drop) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        rc = -ECONNABORTED;
    } else {
        rc = arb_sim_io_write_all(c, out, (size_t)n + r->used);
    }
    free(out);
    return rc;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ULL),
                          .tv_nsec = (long)(ns % 1000000000ULL)};

    while (ns && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void arb_sim_http_serve(struct arb_sim_conn *c)
{
    struct arb_sim_exch *x = c->srv->exch;
    struct arb_sim_reply *r = malloc(sizeof *r);
    uint64_t idle_since = arb_clock_mono_ns();

    while (r && !arb_sim_conn_stopping(c)) {
        int head = arb_sim_handshake_head_len((const char *)c->in, c->in_len);
        struct req q;
        long clen;

        if (atomic_load_explicit(&c->srv->faults.drop_gen, memory_order_acquire) != c->drop_gen) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            break;
        }
        if (head < 0) {
            static const char big[] = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                      "Content-Length: 0\r\nConnection: close\r\n\r\n";
            arb_sim_io_write_all(c, big, sizeof big - 1);
            break;
        }
        memset(&q, 0, sizeof q);
        clen = 0;
        if (head > 0 && (request_line((const char *)c->in, (size_t)head, &q) < 0 ||
                         (clen = headers((const char *)c->in, (size_t)head, &q)) < 0 ||
                         clen > ARB_SIM_HTTP_BODY_MAX)) {
            static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                      "Connection: close\r\n\r\n";
            arb_sim_io_write_all(c, bad, sizeof bad - 1);
            break;
        }
        if (head == 0 || c->in_len < (size_t)head + (size_t)clen) {
            ssize_t n;
            int w = arb_sim_io_wait(c, POLLIN, 100);
            if (w < 0 ||
                arb_clock_mono_ns() - idle_since > ARB_SIM_HTTP_IDLE_MS * ARB_SIM_NS_PER_MS)
                break;
            if (w == 0)
                continue;
            n = arb_sim_io_read(c, c->in + c->in_len, c->in_cap - c->in_len);
            if (n == -EAGAIN)
                continue;
            if (n <= 0)
                break;
            c->in_len += (size_t)n;
            continue;
        }
        q.body = (const char *)c->in + head;
        q.body_len = (size_t)clen;
        memset(r, 0, offsetof(struct arb_sim_reply, buf));
        if (!route(arb_sim_exch_venue(x), q.method, q.path))
            put_body(r, 404, "application/json", "{\"error\":\"not found\"}");
        else if (arb_sim_exch_venue(x) == ARB_SIM_COINBASE)
            coinbase_rest(x, &q, r);
        else if (arb_sim_exch_venue(x) == ARB_SIM_KRAKEN)
            kraken_rest(x, &q, r);
        else
            binance_rest(x, &q, r);
        sleep_ns(r->delay_ns);
        if (respond(c, r, q.close) < 0 || q.close)
            break;
        memmove(c->in, c->in + head + clen, c->in_len - (size_t)head - (size_t)clen);
        c->in_len -= (size_t)head + (size_t)clen;
        idle_since = arb_clock_mono_ns();
    }
    free(r);
}
