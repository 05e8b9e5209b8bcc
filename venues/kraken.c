/* SPDX-License-Identifier: MIT */
/*
 * Kraken order entry: WebSocket v2 add_order and cancel_all_orders_after with
 * the REST-issued token, API-Sign for the REST call, and the answers and
 * `executions` channel as executions.
 */
#include "kraken.h"
#include "rest.h"

#include "codec.h"
#include "exec.h"
#include "hmac.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define TOKEN_PATH "/0/private/GetWebSocketsToken"

struct kraken_state {
    struct arb_hmac hmac;                 /* HMAC-SHA512 pads of the decoded secret */
    char tail[ARB_KRAKEN_TOKEN_MAX + 32]; /* ","token":"<token>"},"req_id": */
    size_t tail_len;                      /* 0 until a token is set */
    char token[ARB_KRAKEN_TOKEN_MAX];
    size_t token_len;
};

static int kraken_keys_init(struct arb_venue_keys *k, const char *api_key, const char *secret)
{
    struct kraken_state *st;
    size_t klen = api_key ? strlen(api_key) : 0;
    int n;

    memset(k, 0, sizeof(*k));
    if (klen == 0 || klen >= sizeof(k->api_key) || !secret)
        return -EINVAL;
    /* Kraken issues the secret in base64; the HMAC key is its decoding. */
    n = arb_b64_decode(k->secret, sizeof(k->secret), secret, strlen(secret));
    if (n <= 0) {
        OPENSSL_cleanse(k, sizeof(*k));
        return -EINVAL;
    }
    st = calloc(1, sizeof(*st));
    if (!st) {
        OPENSSL_cleanse(k, sizeof(*k));
        return -ENOMEM;
    }
    k->secret_len = (size_t)n;
    memcpy(k->api_key, api_key, klen + 1);
    arb_hmac_init(&st->hmac, ARB_HMAC_SHA512, k->secret, k->secret_len);
    k->sign_state = st;
    return 0;
}

static void kraken_keys_free(struct arb_venue_keys *k)
{
    if (k->sign_state) {
        OPENSSL_cleanse(k->sign_state, sizeof(struct kraken_state));
        free(k->sign_state);
    }
    OPENSSL_cleanse(k, sizeof(*k));
}

/*
 * The token lands inside a JSON string: anything but quotes, backslashes and
 * control bytes is fine. Kraken's tokens are base64, '+' and '/' included.
 */
static bool json_text_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < ' ' || c >= 0x7f || c == '"' || c == '\\')
            return false;
    }
    return n > 0;
}

int arb_kraken_set_token(struct arb_venue_keys *k, const char *token, size_t len)
{
    struct kraken_state *st = k->sign_state;
    struct arb_wbuf w;

    if (!st || len >= sizeof(st->token) || !json_text_ok(token, len))
        return -EINVAL;
    memcpy(st->token, token, len);
    st->token[len] = '\0';
    st->token_len = len;
    arb_wbuf_init(&w, st->tail, sizeof(st->tail));
    ARB_WBUF_LIT(&w, "\",\"token\":\"");
    arb_wbuf_put(&w, token, len);
    ARB_WBUF_LIT(&w, "\"},\"req_id\":");
    st->tail_len = w.p - w.base;
    return 0;
}

int arb_kraken_api_sign(const struct arb_venue_keys *k, const char *path, const char *nonce,
                        const char *postdata, char *sign)
{
    const struct kraken_state *st = k->sign_state;
    unsigned char msg[256 + 32], mac[ARB_HMAC_SHA512_LEN];
    size_t pl = strlen(path), nl = strlen(nonce), dl = strlen(postdata);
    EVP_MD_CTX *md;
    int ok;

    if (!st || pl > 256)
        return -EINVAL;
    memcpy(msg, path, pl);
    /* SHA256(nonce + postdata): the nonce twice, once bare and once inside postdata. */
    md = EVP_MD_CTX_new();
    ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(md, nonce, nl) == 1 && EVP_DigestUpdate(md, postdata, dl) == 1 &&
         EVP_DigestFinal_ex(md, msg + pl, NULL) == 1;
    EVP_MD_CTX_free(md);
    if (!ok)
        return -EIO;
    arb_hmac_sign(&st->hmac, msg, pl + 32, mac);
    sign[arb_b64_encode(sign, mac, sizeof(mac))] = '\0';
    return 0;
}

int arb_kraken_token_request(const struct arb_venue_keys *k, uint64_t nonce, char *buf, size_t len)
{
    char body[40], nstr[24], sig[ARB_KRAKEN_SIGN_LEN + 1];
    struct arb_wbuf w;
    int bl, rc;

    arb_wbuf_init(&w, nstr, sizeof(nstr) - 1);
    arb_wbuf_u64(&w, nonce);
    nstr[w.p - w.base] = '\0';
    arb_wbuf_init(&w, body, sizeof(body) - 1);
    ARB_WBUF_LIT(&w, "nonce=");
    arb_wbuf_put(&w, nstr, strlen(nstr));
    bl = arb_wbuf_len(&w);
    body[bl] = '\0';
    rc = arb_kraken_api_sign(k, TOKEN_PATH, nstr, body, sig);
    if (rc < 0)
        return rc;
    arb_wbuf_init(&w, buf, len);
    ARB_WBUF_LIT(&w, "POST " TOKEN_PATH " HTTP/1.1\r\nHost: api.kraken.com\r\n"
                     "User-Agent: arbiter/0.1\r\nAPI-Key: ");
    arb_wbuf_put(&w, k->api_key, strlen(k->api_key));
    ARB_WBUF_LIT(&w, "\r\nAPI-Sign: ");
    arb_wbuf_put(&w, sig, ARB_KRAKEN_SIGN_LEN);
    ARB_WBUF_LIT(&w, "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ");
    arb_wbuf_u64(&w, (uint64_t)bl);
    ARB_WBUF_LIT(&w, "\r\n\r\n");
    arb_wbuf_put(&w, body, (size_t)bl);
    return arb_wbuf_len(&w);
}

int arb_kraken_token_accept(struct arb_venue_keys *k, const char *msg, size_t len)
{
    const char *body = msg, *key;
    size_t blen = len, kl;
    int status = 0, errors = 0;
    struct arb_json_cur c;
    struct arb_json_val v, token = {0};

    if (arb_http_split(msg, len, &status, &body, &blen) < 0 ||
        !arb_json_enter_msg(&c, body, blen, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &key, &kl, &v)) {
        if (ARB_JSON_EQ(key, kl, "error") && v.type == ARB_JSON_ARR) {
            /* "error":[] on success; anything inside is Kraken refusing. */
            errors = arb_json_ws(v.s + 1, v.s + v.len) != v.s + v.len - 1;
        } else if (ARB_JSON_EQ(key, kl, "result") && v.type == ARB_JSON_OBJ) {
            struct arb_json_cur r;
            const char *rk;
            size_t rkl;
            struct arb_json_val rv;
            arb_json_enter(&r, v.s, v.s + v.len, '{');
            while (arb_json_member(&r, &rk, &rkl, &rv))
                if (ARB_JSON_EQ(rk, rkl, "token") && rv.type == ARB_JSON_STR)
                    token = rv;
            if (r.state != ARB_JSON_DONE)
                return -EINVAL;
        }
    }
    if (!arb_json_finished(&c))
        return -EINVAL;
    if (errors || (status && status != 200))
        return -EPROTO;
    if (token.type != ARB_JSON_STR)
        return -EINVAL;
    return arb_kraken_set_token(k, token.s, token.len);
}

static int kraken_encode_order(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                               size_t len)
{
    const struct kraken_state *st = k->sign_state;
    const struct arb_leg *leg = o->leg;
    size_t clid_len;
    struct arb_wbuf w;

    if (!st || st->tail_len == 0 || !leg || leg->px_e8 <= 0 || leg->qty_e8 <= 0 || !o->symbol ||
        !arb_venue_text_ok(o->symbol, o->symbol_len) ||
        (leg->side != ARB_SIDE_BUY && leg->side != ARB_SIDE_SELL))
        return -EINVAL;
    clid_len = strnlen(o->clid, sizeof(o->clid));
    if (clid_len == sizeof(o->clid) || !arb_venue_text_ok(o->clid, clid_len))
        return -EINVAL;
    /* Quantities and prices are JSON numbers in v2; the shortest exact decimal is one. */
    arb_wbuf_init(&w, buf, len);
    if (leg->side == ARB_SIDE_BUY)
        ARB_WBUF_LIT(&w, "{\"method\":\"add_order\",\"params\":{\"order_type\":\"limit\","
                         "\"side\":\"buy\",\"order_qty\":");
    else
        ARB_WBUF_LIT(&w, "{\"method\":\"add_order\",\"params\":{\"order_type\":\"limit\","
                         "\"side\":\"sell\",\"order_qty\":");
    arb_wbuf_fixed(&w, leg->qty_e8);
    ARB_WBUF_LIT(&w, ",\"limit_price\":");
    arb_wbuf_fixed(&w, leg->px_e8);
    ARB_WBUF_LIT(&w, ",\"time_in_force\":\"ioc\",\"symbol\":\"");
    arb_wbuf_put(&w, o->symbol, o->symbol_len);
    ARB_WBUF_LIT(&w, "\",\"cl_ord_id\":\"");
    arb_wbuf_put(&w, o->clid, clid_len);
    arb_wbuf_put(&w, st->tail, st->tail_len);
    arb_wbuf_u64(&w, o->req_id);
    ARB_WBUF_LIT(&w, "}");
    return arb_wbuf_len(&w);
}

int arb_kraken_cancel_after(const struct arb_venue_keys *k, uint32_t timeout_s, uint64_t req_id,
                            char *buf, size_t len)
{
    const struct kraken_state *st = k->sign_state;
    struct arb_wbuf w;

    if (!st || st->tail_len == 0)
        return -EINVAL;
    arb_wbuf_init(&w, buf, len);
    ARB_WBUF_LIT(&w, "{\"method\":\"cancel_all_orders_after\",\"params\":{\"timeout\":");
    arb_wbuf_u64(&w, timeout_s);
    ARB_WBUF_LIT(&w, ",\"token\":\"");
    arb_wbuf_put(&w, st->token, st->token_len);
    ARB_WBUF_LIT(&w, "\"},\"req_id\":");
    arb_wbuf_u64(&w, req_id);
    ARB_WBUF_LIT(&w, "}");
    return arb_wbuf_len(&w);
}

/* ---- answers ---------------------------------------------------------------------------- */

static int ts_ms(const struct arb_json_val *v, uint64_t *ms)
{
    uint64_t ns;

    if (v->type != ARB_JSON_STR || arb_json_rfc3339_ns(v->s, v->len, &ns) < 0)
        return -EINVAL;
    *ms = ns / 1000000u;
    return 0;
}

static bool contains(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);

    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(s + i, lit, l) == 0)
            return true;
    return false;
}

/* The answer to our add_order: accepted, or refused with Kraken's error string. */
static int add_order_answer(const char *p, const char *end, struct arb_exec *e)
{
    struct arb_json_cur c;
    struct arb_json_val v, result = {0}, error = {0};
    const char *k;
    size_t kl;
    int success = -1;

    arb_exec_clear(e);
    arb_json_enter(&c, p, end, '{');
    while (arb_json_member(&c, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "req_id")) {
            if (arb_exec_u64(&v, &e->req_id) < 0)
                return -EINVAL;
        } else if (ARB_JSON_EQ(k, kl, "success") && v.type == ARB_JSON_LIT) {
            success = v.s[0] == 't';
        } else if (ARB_JSON_EQ(k, kl, "result")) {
            result = v;
        } else if (ARB_JSON_EQ(k, kl, "error")) {
            error = v;
        } else if (ARB_JSON_EQ(k, kl, "time_out")) {
            if (ts_ms(&v, &e->venue_ts_ms) < 0)
                return -EINVAL;
        }
    }
    if (c.state != ARB_JSON_DONE || success < 0)
        return -EINVAL;
    if (success) {
        e->kind = ARB_EXEC_ACK;
        if (result.type == ARB_JSON_OBJ) {
            struct arb_json_cur r;
            arb_json_enter(&r, result.s, result.s + result.len, '{');
            while (arb_json_member(&r, &k, &kl, &v))
                if (ARB_JSON_EQ(k, kl, "cl_ord_id") && v.type == ARB_JSON_STR)
                    arb_exec_copy(e->clid, sizeof(e->clid), v.s, v.len);
            if (r.state != ARB_JSON_DONE)
                return -EINVAL;
        }
        return 1;
    }
    if (error.type != ARB_JSON_STR)
        return -EINVAL;
    arb_exec_copy(e->reason, sizeof(e->reason), error.s, error.len);
    /* "EOrder:Rate limit exceeded", "EAPI:Rate limit exceeded", "EGeneral:Too many requests". */
    e->kind = contains(error.s, error.len, "Rate limit") || contains(error.s, error.len, "Too many")
                  ? ARB_EXEC_RATE_LIMIT
                  : ARB_EXEC_REJECT;
    return 1;
}

static int status_kind(const char *s, size_t n, int64_t cum)
{
    if (ARB_JSON_EQ(s, n, "filled"))
        return ARB_EXEC_FILL;
    if (ARB_JSON_EQ(s, n, "partially_filled"))
        return ARB_EXEC_PARTIAL;
    if (ARB_JSON_EQ(s, n, "new") || ARB_JSON_EQ(s, n, "pending_new"))
        return ARB_EXEC_ACK;
    if (ARB_JSON_EQ(s, n, "canceled") || ARB_JSON_EQ(s, n, "expired"))
        return cum > 0 ? ARB_EXEC_PARTIAL : ARB_EXEC_EXPIRED;
    return -1;
}

/* Fees paid in the quote asset of "BASE/QUOTE": the part after the slash. */
static int quote_fees(const struct arb_json_val *fees, const struct arb_json_val *sym, int64_t *fee)
{
    struct arb_json_cur arr;
    const char *end = fees->s + fees->len, *slash;

    if (sym->type != ARB_JSON_STR || !(slash = memchr(sym->s, '/', sym->len)))
        return 0;
    if (!arb_json_enter(&arr, fees->s, end, '['))
        return -EINVAL;
    while (arb_json_elem_at(&arr)) {
        struct arb_json_cur f;
        struct arb_json_val v, asset = {0};
        const char *k;
        size_t kl;
        int64_t q = 0;
        if (!arb_json_enter(&f, arr.p, end, '{'))
            return -EINVAL;
        while (arb_json_member(&f, &k, &kl, &v)) {
            if (ARB_JSON_EQ(k, kl, "asset"))
                asset = v;
            else if (ARB_JSON_EQ(k, kl, "qty") && arb_exec_decimal(&v, &q) < 0)
                return -EINVAL;
        }
        if (!arb_json_resume(&arr, &f))
            return -EINVAL;
        if (asset.type == ARB_JSON_STR && asset.len == (size_t)(sym->s + sym->len - slash - 1) &&
            memcmp(asset.s, slash + 1, asset.len) == 0)
            *fee += q;
    }
    return arr.state == ARB_JSON_DONE ? 0 : -EINVAL;
}

/* One element of an executions message. Returns 1 when it is about an order of ours. */
static int execution(const char *p, const char *end, struct arb_exec *e)
{
    struct arb_json_cur c;
    struct arb_json_val v, status = {0}, etype = {0}, fees = {0}, sym = {0}, reason = {0};
    const char *k;
    size_t kl;
    int64_t cum = 0, cost = 0, avg = 0;
    bool have_cum = false;
    int kind;

    arb_exec_clear(e);
    if (!arb_json_enter(&c, p, end, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &k, &kl, &v)) {
        int rc = 0;
        if (ARB_JSON_EQ(k, kl, "cl_ord_id") && v.type == ARB_JSON_STR)
            arb_exec_copy(e->clid, sizeof(e->clid), v.s, v.len);
        else if (ARB_JSON_EQ(k, kl, "order_status"))
            status = v;
        else if (ARB_JSON_EQ(k, kl, "exec_type"))
            etype = v;
        else if (ARB_JSON_EQ(k, kl, "cum_qty") && (rc = arb_exec_decimal(&v, &cum)) == 0)
            have_cum = true;
        else if (ARB_JSON_EQ(k, kl, "cum_cost"))
            rc = arb_exec_decimal(&v, &cost);
        else if (ARB_JSON_EQ(k, kl, "avg_price"))
            rc = arb_exec_decimal(&v, &avg);
        else if (ARB_JSON_EQ(k, kl, "fees") && v.type == ARB_JSON_ARR)
            fees = v;
        else if (ARB_JSON_EQ(k, kl, "symbol"))
            sym = v;
        else if (ARB_JSON_EQ(k, kl, "reason"))
            reason = v;
        else if (ARB_JSON_EQ(k, kl, "timestamp"))
            rc = ts_ms(&v, &e->venue_ts_ms);
        if (rc < 0)
            return -EINVAL;
    }
    if (c.state != ARB_JSON_DONE)
        return -EINVAL;
    if (!e->clid[0])
        return 0; /* not placed by arbiter: we always set cl_ord_id */
    kind = status.type == ARB_JSON_STR ? status_kind(status.s, status.len, cum) : -1;
    if (kind < 0 && etype.type == ARB_JSON_STR)
        kind = status_kind(etype.s, etype.len, cum);
    if (kind < 0)
        return 0; /* amended, restated, status: nothing the gateway acts on */
    /* Kraken's trade and status events may come without cum_qty: such a report cannot say
     * the order is done filling, and says nothing about how much. */
    if (!have_cum && (kind == ARB_EXEC_FILL || kind == ARB_EXEC_PARTIAL))
        kind = ARB_EXEC_ACK;
    e->kind = (uint8_t)kind;
    e->filled_qty_e8 = have_cum ? cum : -1;
    e->avg_px_e8 = cum > 0 ? (avg > 0 ? avg : arb_exec_avg_e8(cost, cum)) : 0;
    if (fees.type == ARB_JSON_ARR && quote_fees(&fees, &sym, &e->fee_e8) < 0)
        return -EINVAL;
    if (reason.type == ARB_JSON_STR)
        arb_exec_copy(e->reason, sizeof(e->reason), reason.s, reason.len);
    return 1;
}

static int kraken_parse_exec(const char *msg, size_t len, struct arb_exec *out, int max)
{
    struct arb_json_cur c;
    struct arb_json_val v, method = {0}, channel = {0}, data = {0};
    const char *k, *obj;
    size_t kl;
    int n = 0;

    if (!msg || max < 1 || !arb_json_enter_msg(&c, msg, len, '{'))
        return -EINVAL;
    obj = c.p - 1;
    while (arb_json_member(&c, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "method"))
            method = v;
        else if (ARB_JSON_EQ(k, kl, "channel"))
            channel = v;
        else if (ARB_JSON_EQ(k, kl, "data"))
            data = v;
    }
    if (!arb_json_finished(&c))
        return -EINVAL;
    if (method.type == ARB_JSON_STR && ARB_JSON_EQ(method.s, method.len, "add_order"))
        return add_order_answer(obj, c.p, out);
    if (channel.type == ARB_JSON_STR && ARB_JSON_EQ(channel.s, channel.len, "executions") &&
        data.type == ARB_JSON_ARR) {
        struct arb_json_cur arr;
        const char *end = data.s + data.len;
        arb_json_enter(&arr, data.s, end, '[');
        while (arb_json_elem_at(&arr)) {
            struct arb_json_val el;
            struct arb_exec e;
            int rc;
            if (!arb_json_take(&arr, &el) || el.type != ARB_JSON_OBJ)
                return -EINVAL;
            rc = execution(el.s, el.s + el.len, &e);
            if (rc < 0)
                return rc;
            if (rc == 0)
                continue;
            /* Dropping a fill would leave a leg unaccounted for: refuse the whole message. */
            if (n == max)
                return -ENOSPC;
            out[n++] = e;
        }
        return arr.state == ARB_JSON_DONE ? n : -EINVAL;
    }
    return 0; /* heartbeats, status, subscribe and cancel_all_orders_after answers */
}

/*
 * GetWebSocketsToken on the REST host that serves this order endpoint:
 * ws-auth.kraken.com -> api.kraken.com live; the same host:port on loopback.
 */
static int kraken_session_prepare(struct arb_venue_keys *k, const char *order_url,
                                  const char *ca_file, char *err, size_t errlen)
{
    char req[1024], body[4096], rest[512];
    struct timespec ts;

    if (strstr(order_url, "ws-auth.kraken.com"))
        snprintf(rest, sizeof(rest), "https://api.kraken.com");
    else
        snprintf(rest, sizeof(rest), "%s", order_url);
    clock_gettime(CLOCK_REALTIME, &ts);
    /* The nonce only has to increase per key: microseconds since the epoch do. */
    uint64_t nonce = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
    int n = arb_kraken_token_request(k, nonce, req, sizeof(req));
    if (n < 0) {
        snprintf(err, errlen, "kraken: cannot sign the token request");
        return n;
    }
    int status =
        arb_rest_exchange(rest, ca_file, req, (size_t)n, body, sizeof(body), 5000, err, errlen);
    if (status < 0)
        return status;
    if (status != 200 || arb_kraken_token_accept(k, body, strlen(body)) < 0) {
        snprintf(err, errlen, "kraken: GetWebSocketsToken answered %d: %.160s", status, body);
        return -EACCES;
    }
    return 0;
}

/* Fills arrive on the executions channel, which needs the session's token. */
static int kraken_on_open(const struct arb_venue_keys *k, uint64_t req_id, char *buf, size_t len)
{
    const struct kraken_state *st = k->sign_state;

    if (!st || !st->token_len)
        return -EINVAL;
    int n = snprintf(buf, len,
                     "{\"method\":\"subscribe\",\"params\":{\"channel\":\"executions\","
                     "\"token\":\"%s\",\"snap_orders\":false,\"snap_trades\":false},"
                     "\"req_id\":%llu}",
                     st->token, (unsigned long long)req_id);
    return n > 0 && (size_t)n < len ? n : -ENOSPC;
}

/* Orders cancelled by Kraken 60 s after the engine goes quiet; refreshed every 20 s. */
static int kraken_keepalive(const struct arb_venue_keys *k, uint64_t req_id, char *buf, size_t len)
{
    return arb_kraken_cancel_after(k, 60, req_id, buf, len);
}

const struct arb_venue_ops arb_venue_kraken = {
    .name = "kraken",
    .order_url = "wss://ws-auth.kraken.com/v2",
    .keys_init = kraken_keys_init,
    .keys_free = kraken_keys_free,
    .encode_order = kraken_encode_order,
    .parse_exec = kraken_parse_exec,
    .session_prepare = kraken_session_prepare,
    .keepalive = kraken_keepalive,
    .keepalive_ms = 20000,
    .on_open = kraken_on_open,
    /* Kraken limits orders with a per-pair counter that decays over time (its
     * ceiling depends on the account tier), not a fixed count per window. */
    .orders_per_10s = 0,
    .weight_per_min = 0,
    .order_weight = 1,
};
