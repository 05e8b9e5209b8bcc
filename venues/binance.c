/* SPDX-License-Identifier: MIT */
/*
 * Binance order entry shared by spot and USDⓈ-M futures: keys (HMAC pads or an
 * Ed25519 key), the pre-built request pieces, signing, and the answer parser.
 * The spot plug-in table lives here too; the futures one in binance_futures.c.
 */
#include "binance.h"

#include "codec.h"
#include "exec.h"
#include "hmac.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define HEAD_MAX    256 /* each pre-built piece: fixed text plus an API key of < 128 bytes */
#define PAYLOAD_MAX 512 /* the signed query: pieces plus a symbol, never near this */
#define SIG_MAX     96  /* 64 hex digits (HMAC) or 88 base64 characters (Ed25519) */

const struct arb_binance_dialect arb_binance_spot = {
    .rest_path = "/api/v3/order",
    .rest_host = "api.binance.com",
    /* Spot answers a LIMIT order with FULL (status, fills) by default. */
    .resp_type = NULL,
};

const struct arb_binance_dialect arb_binance_futures = {
    .rest_path = "/fapi/v1/order",
    .rest_host = "fapi.binance.com",
    /* Futures default to ACK; RESULT returns an IOC order's final FILLED/EXPIRED state. */
    .resp_type = "RESULT",
};

/*
 * Everything about an order that does not change between orders, built once
 * at keys_init: per order only price, quantity, client id, symbol, side,
 * timestamp and signature are written, each with one memcpy.
 */
struct binance_state {
    struct arb_hmac hmac;    /* the secret's pads: REST queries */
    struct arb_hmac hmac_ws; /* the pads plus q_head: every WS payload starts with it */
    EVP_PKEY *ed25519;       /* instead of the pads, for an Ed25519 API key */
    EVP_MD_CTX *md;          /* reused by every Ed25519 signature */
    const struct arb_binance_dialect *d;
    /* "apiKey=<key>&newClientOrderId=": the head of every signed WS payload. */
    char q_head[HEAD_MAX];
    /* ,"method":"order.place","params":{"apiKey":"<key>","newClientOrderId":" */
    char ws_head[HEAD_MAX];
    /* "&newOrderRespType=RESULT" and ","newOrderRespType":"RESULT, or "" (spot). */
    char q_resp[64], ws_resp[64];
    /* "POST /api/v3/order?" and " HTTP/1.1\r\nHost: ..\r\nX-MBX-APIKEY: <key>\r\n..." */
    char rest_head[64], rest_tail[HEAD_MAX];
    size_t q_head_len, ws_head_len, q_resp_len, ws_resp_len, rest_head_len, rest_tail_len;
};

static int put_piece(char *dst, size_t cap, size_t *len, const char *a, const char *b,
                     const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

    if (la + lb + lc >= cap)
        return -EINVAL;
    memcpy(dst, a, la);
    memcpy(dst + la, b, lb);
    memcpy(dst + la + lb, c, lc);
    dst[la + lb + lc] = '\0';
    *len = la + lb + lc;
    return 0;
}

static int ed25519_load(struct binance_state *st, const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);

    if (!bio)
        return -ENOMEM;
    st->ed25519 = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!st->ed25519)
        return -EINVAL;
    if (EVP_PKEY_get_id(st->ed25519) != EVP_PKEY_ED25519)
        return -ENOTSUP; /* RSA keys work with Binance but are 20x slower to sign: not offered */
    st->md = EVP_MD_CTX_new();
    return st->md ? 0 : -ENOMEM;
}

int arb_binance_keys_init(struct arb_venue_keys *k, const char *api_key, const char *secret,
                          const struct arb_binance_dialect *d)
{
    struct binance_state *st;
    size_t klen = api_key ? strlen(api_key) : 0, slen = secret ? strlen(secret) : 0;
    int rc;

    memset(k, 0, sizeof(*k));
    if (klen == 0 || klen >= sizeof(k->api_key) || !arb_venue_text_ok(api_key, klen) || slen == 0)
        return -EINVAL;
    st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    k->sign_state = st;
    st->d = d;
    memcpy(k->api_key, api_key, klen + 1);
    if (strncmp(secret, "-----BEGIN", 10) == 0) {
        rc = ed25519_load(st, secret);
    } else {
        /* The HMAC key is the secret's ASCII text, not a decoding of it. */
        if (slen > sizeof(k->secret)) {
            rc = -EINVAL;
        } else {
            memcpy(k->secret, secret, slen);
            k->secret_len = slen;
            rc = arb_hmac_init(&st->hmac, ARB_HMAC_SHA256, secret, slen);
        }
    }
    if (rc == 0)
        rc = put_piece(st->q_head, sizeof(st->q_head), &st->q_head_len, "apiKey=", api_key,
                       "&newClientOrderId=");
    if (rc == 0)
        rc = put_piece(st->ws_head, sizeof(st->ws_head), &st->ws_head_len,
                       ",\"method\":\"order.place\",\"params\":{\"apiKey\":\"", api_key,
                       "\",\"newClientOrderId\":\"");
    if (rc == 0 && d->resp_type) {
        rc = put_piece(st->q_resp, sizeof(st->q_resp), &st->q_resp_len,
                       "&newOrderRespType=", d->resp_type, "");
        if (rc == 0)
            rc = put_piece(st->ws_resp, sizeof(st->ws_resp), &st->ws_resp_len,
                           "\",\"newOrderRespType\":\"", d->resp_type, "");
    }
    if (rc == 0)
        rc = put_piece(st->rest_head, sizeof(st->rest_head), &st->rest_head_len, "POST ",
                       d->rest_path, "?");
    if (rc == 0) {
        char host[96];
        size_t hl;
        rc = put_piece(host, sizeof(host), &hl, " HTTP/1.1\r\nHost: ", d->rest_host,
                       "\r\nX-MBX-APIKEY: ");
        if (rc == 0)
            rc = put_piece(st->rest_tail, sizeof(st->rest_tail), &st->rest_tail_len, host, api_key,
                           "\r\nContent-Length: 0\r\n\r\n");
    }
    if (rc == 0 && !st->ed25519) {
        st->hmac_ws = st->hmac;
        arb_hmac_absorb(&st->hmac_ws, st->q_head, st->q_head_len);
    }
    if (rc < 0)
        arb_binance_keys_free(k);
    return rc;
}

void arb_binance_keys_free(struct arb_venue_keys *k)
{
    struct binance_state *st = k->sign_state;

    if (st) {
        EVP_MD_CTX_free(st->md);
        EVP_PKEY_free(st->ed25519);
        OPENSSL_cleanse(st, sizeof(*st));
        free(st);
    }
    OPENSSL_cleanse(k, sizeof(*k));
}

/* The order's variable parts, validated and formatted once for both payload and request. */
struct order_text {
    char px[ARB_FIXED_STRMAX], qty[ARB_FIXED_STRMAX];
    size_t px_len, qty_len, clid_len;
    const char *side;
    size_t side_len;
};

static int order_text(const struct arb_order *o, struct order_text *t)
{
    const struct arb_leg *leg = o->leg;

    if (!leg || leg->px_e8 <= 0 || leg->qty_e8 <= 0 || !o->symbol ||
        !arb_venue_text_ok(o->symbol, o->symbol_len))
        return -EINVAL;
    if (leg->side == ARB_SIDE_BUY) {
        t->side = "BUY";
        t->side_len = 3;
    } else if (leg->side == ARB_SIDE_SELL) {
        t->side = "SELL";
        t->side_len = 4;
    } else {
        return -EINVAL;
    }
    t->clid_len = strnlen(o->clid, sizeof(o->clid));
    if (t->clid_len == sizeof(o->clid) || !arb_venue_text_ok(o->clid, t->clid_len))
        return -EINVAL;
    t->px_len = arb_fixed_format(leg->px_e8, t->px);
    t->qty_len = arb_fixed_format(leg->qty_e8, t->qty);
    return 0;
}

/*
 * Signs msg: HMAC-SHA256 in hex with h, or Ed25519 in base64. Returns the
 * signature's length in sig, or -EIO when OpenSSL fails.
 */
static int sign(struct binance_state *st, const struct arb_hmac *h, const char *msg, size_t n,
                char *sig)
{
    if (st->ed25519) {
        unsigned char raw[64];
        size_t rl = sizeof(raw);
        /* Ed25519 has no separate digest: one-shot DigestSign over the whole payload. */
        if (EVP_DigestSignInit(st->md, NULL, NULL, NULL, st->ed25519) != 1 ||
            EVP_DigestSign(st->md, raw, &rl, (const unsigned char *)msg, n) != 1)
            return -EIO;
        return (int)arb_b64_encode(sig, raw, rl);
    } else {
        unsigned char mac[ARB_HMAC_SHA256_LEN];
        arb_hmac_sign(h, msg, n, mac);
        arb_hex_encode(sig, mac, sizeof(mac));
        return 2 * ARB_HMAC_SHA256_LEN;
    }
}

int arb_binance_encode_order(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                             size_t len)
{
    struct binance_state *st = k->sign_state;
    struct order_text t;
    char q[PAYLOAD_MAX], sig[SIG_MAX];
    struct arb_wbuf w;
    int qn, sn;

    if (!st || order_text(o, &t) < 0)
        return -EINVAL;
    /* The signed payload: every parameter but the signature, sorted by name. */
    arb_wbuf_init(&w, q, sizeof(q));
    arb_wbuf_put(&w, st->q_head, st->q_head_len);
    arb_wbuf_put(&w, o->clid, t.clid_len);
    arb_wbuf_put(&w, st->q_resp, st->q_resp_len);
    ARB_WBUF_LIT(&w, "&price=");
    arb_wbuf_put(&w, t.px, t.px_len);
    ARB_WBUF_LIT(&w, "&quantity=");
    arb_wbuf_put(&w, t.qty, t.qty_len);
    ARB_WBUF_LIT(&w, "&recvWindow=5000&side=");
    arb_wbuf_put(&w, t.side, t.side_len);
    ARB_WBUF_LIT(&w, "&symbol=");
    arb_wbuf_put(&w, o->symbol, o->symbol_len);
    ARB_WBUF_LIT(&w, "&timeInForce=IOC&timestamp=");
    arb_wbuf_u64(&w, o->ts_ms);
    ARB_WBUF_LIT(&w, "&type=LIMIT");
    qn = arb_wbuf_len(&w);
    if (qn < 0)
        return -EINVAL; /* only an absurd symbol overflows the payload */
    /* hmac_ws has already absorbed q_head: sign only what follows it. */
    if (st->ed25519)
        sn = sign(st, NULL, q, (size_t)qn, sig);
    else
        sn = sign(st, &st->hmac_ws, q + st->q_head_len, (size_t)qn - st->q_head_len, sig);
    if (sn < 0)
        return sn;

    arb_wbuf_init(&w, buf, len);
    ARB_WBUF_LIT(&w, "{\"id\":");
    arb_wbuf_u64(&w, o->req_id);
    arb_wbuf_put(&w, st->ws_head, st->ws_head_len);
    arb_wbuf_put(&w, o->clid, t.clid_len);
    arb_wbuf_put(&w, st->ws_resp, st->ws_resp_len);
    ARB_WBUF_LIT(&w, "\",\"price\":\"");
    arb_wbuf_put(&w, t.px, t.px_len);
    ARB_WBUF_LIT(&w, "\",\"quantity\":\"");
    arb_wbuf_put(&w, t.qty, t.qty_len);
    ARB_WBUF_LIT(&w, "\",\"recvWindow\":5000,\"side\":\"");
    arb_wbuf_put(&w, t.side, t.side_len);
    ARB_WBUF_LIT(&w, "\",\"symbol\":\"");
    arb_wbuf_put(&w, o->symbol, o->symbol_len);
    ARB_WBUF_LIT(&w, "\",\"timeInForce\":\"IOC\",\"timestamp\":");
    arb_wbuf_u64(&w, o->ts_ms);
    ARB_WBUF_LIT(&w, ",\"type\":\"LIMIT\",\"signature\":\"");
    arb_wbuf_put(&w, sig, (size_t)sn);
    ARB_WBUF_LIT(&w, "\"}}");
    return arb_wbuf_len(&w);
}

int arb_binance_rest_order(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                           size_t len)
{
    struct binance_state *st = k->sign_state;
    struct order_text t;
    char sig[SIG_MAX];
    struct arb_wbuf w;
    const char *query;
    int sn;

    if (!st || order_text(o, &t) < 0)
        return -EINVAL;
    arb_wbuf_init(&w, buf, len);
    arb_wbuf_put(&w, st->rest_head, st->rest_head_len);
    query = w.p;
    ARB_WBUF_LIT(&w, "symbol=");
    arb_wbuf_put(&w, o->symbol, o->symbol_len);
    ARB_WBUF_LIT(&w, "&side=");
    arb_wbuf_put(&w, t.side, t.side_len);
    ARB_WBUF_LIT(&w, "&type=LIMIT&timeInForce=IOC&quantity=");
    arb_wbuf_put(&w, t.qty, t.qty_len);
    ARB_WBUF_LIT(&w, "&price=");
    arb_wbuf_put(&w, t.px, t.px_len);
    ARB_WBUF_LIT(&w, "&newClientOrderId=");
    arb_wbuf_put(&w, o->clid, t.clid_len);
    arb_wbuf_put(&w, st->q_resp, st->q_resp_len);
    ARB_WBUF_LIT(&w, "&recvWindow=5000&timestamp=");
    arb_wbuf_u64(&w, o->ts_ms);
    if (w.full)
        return -ENOSPC;
    /* The signature covers the query exactly as sent, in the order written. */
    sn = sign(st, &st->hmac, query, (size_t)(w.p - query), sig);
    if (sn < 0)
        return sn;
    ARB_WBUF_LIT(&w, "&signature=");
    if (st->ed25519) {
        /* base64's '+', '/' and '=' are query syntax: percent-encode them. */
        for (int i = 0; i < sn; i++) {
            if (sig[i] == '+')
                ARB_WBUF_LIT(&w, "%2B");
            else if (sig[i] == '/')
                ARB_WBUF_LIT(&w, "%2F");
            else if (sig[i] == '=')
                ARB_WBUF_LIT(&w, "%3D");
            else
                arb_wbuf_put(&w, sig + i, 1);
        }
    } else {
        arb_wbuf_put(&w, sig, (size_t)sn);
    }
    arb_wbuf_put(&w, st->rest_tail, st->rest_tail_len);
    return arb_wbuf_len(&w);
}

/* ---- answers ---------------------------------------------------------------------------- */

/* What an order answer said, before it becomes an arb_exec. */
struct answer {
    const char *clid, *orig_clid, *status, *exec_type, *sym, *fee_asset, *reason, *fills;
    size_t clid_len, orig_len, status_len, exec_type_len, sym_len, fee_asset_len, reason_len,
        fills_len;
    int64_t filled, quote, avg, fee;
    uint64_t ts;
};

static int status_kind(const char *s, size_t n, int64_t filled)
{
    if (ARB_JSON_EQ(s, n, "FILLED"))
        return ARB_EXEC_FILL;
    if (ARB_JSON_EQ(s, n, "PARTIALLY_FILLED"))
        return ARB_EXEC_PARTIAL;
    if (ARB_JSON_EQ(s, n, "NEW") || ARB_JSON_EQ(s, n, "PENDING_NEW"))
        return ARB_EXEC_ACK;
    /* An IOC that partly filled ends EXPIRED with executedQty > 0 (user-data-stream.md). */
    if (ARB_JSON_EQ(s, n, "EXPIRED") || ARB_JSON_EQ(s, n, "EXPIRED_IN_MATCH") ||
        ARB_JSON_EQ(s, n, "CANCELED") || ARB_JSON_EQ(s, n, "PENDING_CANCEL"))
        return filled > 0 ? ARB_EXEC_PARTIAL : ARB_EXEC_EXPIRED;
    if (ARB_JSON_EQ(s, n, "REJECTED"))
        return ARB_EXEC_REJECT;
    return ARB_EXEC_UNKNOWN;
}

/* Whether asset is the quote asset of symbol ("USDT" of "BTCUSDT"): its suffix. */
static bool is_quote(const char *sym, size_t sn, const char *asset, size_t an)
{
    return an > 0 && an < sn && memcmp(sym + sn - an, asset, an) == 0;
}

/* Sums the commissions of a FULL response's fills that were paid in the quote asset. */
static int sum_fills(struct answer *a)
{
    struct arb_json_cur arr;
    const char *end = a->fills + a->fills_len;

    if (!arb_json_enter(&arr, a->fills, end, '['))
        return -EINVAL;
    while (arb_json_elem_at(&arr)) {
        struct arb_json_cur f;
        struct arb_json_val v;
        const char *k, *asset = NULL;
        size_t kl, al = 0;
        int64_t fee = 0;
        if (!arb_json_enter(&f, arr.p, end, '{'))
            return -EINVAL;
        while (arb_json_member(&f, &k, &kl, &v)) {
            if (ARB_JSON_EQ(k, kl, "commission")) {
                if (arb_exec_decimal(&v, &fee) < 0)
                    return -EINVAL;
            } else if (ARB_JSON_EQ(k, kl, "commissionAsset") && v.type == ARB_JSON_STR) {
                asset = v.s;
                al = v.len;
            }
        }
        if (!arb_json_resume(&arr, &f))
            return -EINVAL;
        if (asset && is_quote(a->sym, a->sym_len, asset, al))
            a->fee += fee;
    }
    return arr.state == ARB_JSON_DONE ? 0 : -EINVAL;
}

/*
 * Reads one order object: a WS API "result", a REST body, an executionReport
 * or the "o" of ORDER_TRADE_UPDATE. Short (event) and long (response) field
 * names are both accepted; each message uses one set.
 */
static int read_order(const char *p, const char *end, struct answer *a)
{
    struct arb_json_cur c;
    struct arb_json_val v;
    const char *k;
    size_t kl;
    int64_t fee_this = 0;
    bool fee_seen = false;

    if (!arb_json_enter(&c, p, end, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &k, &kl, &v)) {
        int rc = 0;
        if (kl == 1) {
            switch (k[0]) {
            case 'c':
                if (v.type == ARB_JSON_STR)
                    a->clid = v.s, a->clid_len = v.len;
                break;
            case 'C':
                if (v.type == ARB_JSON_STR)
                    a->orig_clid = v.s, a->orig_len = v.len;
                break;
            case 'X':
                if (v.type == ARB_JSON_STR)
                    a->status = v.s, a->status_len = v.len;
                break;
            case 'x':
                if (v.type == ARB_JSON_STR)
                    a->exec_type = v.s, a->exec_type_len = v.len;
                break;
            case 's':
                if (v.type == ARB_JSON_STR)
                    a->sym = v.s, a->sym_len = v.len;
                break;
            case 'r':
                if (v.type == ARB_JSON_STR)
                    a->reason = v.s, a->reason_len = v.len;
                break;
            case 'z':
                rc = arb_exec_decimal(&v, &a->filled);
                break;
            case 'Z':
                rc = arb_exec_decimal(&v, &a->quote);
                break;
            case 'n':
                fee_seen = true;
                rc = arb_exec_decimal(&v, &fee_this);
                break;
            case 'N':
                if (v.type == ARB_JSON_STR)
                    a->fee_asset = v.s, a->fee_asset_len = v.len;
                break;
            case 'T':
                rc = arb_exec_u64(&v, &a->ts);
                break;
            default:
                break;
            }
        } else if (kl == 2 && k[0] == 'a' && k[1] == 'p') {
            rc = arb_exec_decimal(&v, &a->avg);
        } else if (ARB_JSON_EQ(k, kl, "clientOrderId")) {
            if (v.type == ARB_JSON_STR)
                a->clid = v.s, a->clid_len = v.len;
        } else if (ARB_JSON_EQ(k, kl, "status")) {
            if (v.type == ARB_JSON_STR)
                a->status = v.s, a->status_len = v.len;
        } else if (ARB_JSON_EQ(k, kl, "symbol")) {
            if (v.type == ARB_JSON_STR)
                a->sym = v.s, a->sym_len = v.len;
        } else if (ARB_JSON_EQ(k, kl, "executedQty")) {
            rc = arb_exec_decimal(&v, &a->filled);
        } else if (ARB_JSON_EQ(k, kl, "cummulativeQuoteQty") || ARB_JSON_EQ(k, kl, "cumQuote")) {
            rc = arb_exec_decimal(&v, &a->quote);
        } else if (ARB_JSON_EQ(k, kl, "avgPrice")) {
            rc = arb_exec_decimal(&v, &a->avg);
        } else if (ARB_JSON_EQ(k, kl, "transactTime") || ARB_JSON_EQ(k, kl, "updateTime")) {
            rc = arb_exec_u64(&v, &a->ts);
        } else if (ARB_JSON_EQ(k, kl, "fills") && v.type == ARB_JSON_ARR) {
            a->fills = v.s;
            a->fills_len = v.len;
        }
        if (rc < 0)
            return -EINVAL;
    }
    if (c.state != ARB_JSON_DONE)
        return -EINVAL;
    if (fee_seen && a->sym && a->fee_asset &&
        is_quote(a->sym, a->sym_len, a->fee_asset, a->fee_asset_len))
        a->fee = fee_this;
    if (a->fills && a->sym && sum_fills(a) < 0)
        return -EINVAL;
    return 0;
}

static int emit_order(const struct answer *a, uint64_t req_id, struct arb_exec *e)
{
    const char *clid = a->clid;
    size_t clid_len = a->clid_len;

    arb_exec_clear(e);
    /* A user cancel reports the cancel request's id in c, the order's in C. */
    if (a->orig_clid && a->orig_len > 0) {
        clid = a->orig_clid;
        clid_len = a->orig_len;
    }
    if (!clid)
        return -EINVAL;
    arb_exec_copy(e->clid, sizeof(e->clid), clid, clid_len);
    /* The ACK response type carries no status: accepted, nothing more known yet. */
    e->kind = a->status ? (uint8_t)status_kind(a->status, a->status_len, a->filled) : ARB_EXEC_ACK;
    e->filled_qty_e8 = a->filled;
    e->avg_px_e8 = a->avg > 0 ? a->avg : arb_exec_avg_e8(a->quote, a->filled);
    if (a->filled == 0)
        e->avg_px_e8 = 0;
    e->fee_e8 = a->fee;
    e->venue_ts_ms = a->ts;
    e->req_id = req_id;
    if (e->kind == ARB_EXEC_REJECT && a->reason)
        arb_exec_copy(e->reason, sizeof(e->reason), a->reason, a->reason_len);
    return 1;
}

/* {"code":-2010,"msg":"..."} with the HTTP or WS API status it came with. */
static int emit_error(const char *p, const char *end, int status, uint64_t req_id,
                      struct arb_exec *e)
{
    struct arb_json_cur c;
    struct arb_json_val v;
    const char *k;
    size_t kl;

    arb_exec_clear(e);
    e->req_id = req_id;
    e->code = status;
    if (!arb_json_enter(&c, p, end, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "code")) {
            if (arb_exec_i32(&v, &e->code) < 0)
                return -EINVAL;
        } else if (ARB_JSON_EQ(k, kl, "msg") && v.type == ARB_JSON_STR) {
            arb_exec_copy(e->reason, sizeof(e->reason), v.s, v.len);
        }
    }
    if (c.state != ARB_JSON_DONE)
        return -EINVAL;
    /* 429: over a limit; 418: banned for ignoring 429s; -1003 too much weight and
     * -1015 too many orders can arrive with either. -1007: the backend timed out
     * and the order may or may not exist. */
    if (status == 429 || status == 418 || e->code == -1003 || e->code == -1015)
        e->kind = ARB_EXEC_RATE_LIMIT;
    else if (status >= 500 || e->code == -1007)
        e->kind = ARB_EXEC_UNKNOWN;
    else
        e->kind = ARB_EXEC_REJECT;
    return 1;
}

static int parse_event(const char *p, const char *end, struct arb_exec *e);

/*
 * The signed WebSocket API `order.status` request for o->clid (spot and USD-M
 * take the same parameters). Returns its length or -errno.
 */
int arb_binance_encode_query(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                             size_t len)
{
    struct binance_state *st = k->sign_state;
    size_t clid_len = strnlen(o->clid, sizeof(o->clid));
    char q[PAYLOAD_MAX], sig[SIG_MAX];
    struct arb_wbuf w;
    int qn, sn;

    if (!st || clid_len == sizeof(o->clid) || !arb_venue_text_ok(o->clid, clid_len) || !o->symbol ||
        !arb_venue_text_ok(o->symbol, o->symbol_len))
        return -EINVAL;
    /* Sorted by name as the order's payload; the full pads, since q_head names another id. */
    arb_wbuf_init(&w, q, sizeof(q));
    ARB_WBUF_LIT(&w, "apiKey=");
    arb_wbuf_put(&w, k->api_key, strlen(k->api_key));
    ARB_WBUF_LIT(&w, "&origClientOrderId=");
    arb_wbuf_put(&w, o->clid, clid_len);
    ARB_WBUF_LIT(&w, "&recvWindow=5000&symbol=");
    arb_wbuf_put(&w, o->symbol, o->symbol_len);
    ARB_WBUF_LIT(&w, "&timestamp=");
    arb_wbuf_u64(&w, o->ts_ms);
    qn = arb_wbuf_len(&w);
    if (qn < 0)
        return -EINVAL;
    sn = sign(st, st->ed25519 ? NULL : &st->hmac, q, (size_t)qn, sig);
    if (sn < 0)
        return sn;

    arb_wbuf_init(&w, buf, len);
    ARB_WBUF_LIT(&w, "{\"id\":");
    arb_wbuf_u64(&w, o->req_id);
    ARB_WBUF_LIT(&w, ",\"method\":\"order.status\",\"params\":{\"apiKey\":\"");
    arb_wbuf_put(&w, k->api_key, strlen(k->api_key));
    ARB_WBUF_LIT(&w, "\",\"origClientOrderId\":\"");
    arb_wbuf_put(&w, o->clid, clid_len);
    ARB_WBUF_LIT(&w, "\",\"recvWindow\":5000,\"symbol\":\"");
    arb_wbuf_put(&w, o->symbol, o->symbol_len);
    ARB_WBUF_LIT(&w, "\",\"timestamp\":");
    arb_wbuf_u64(&w, o->ts_ms);
    ARB_WBUF_LIT(&w, ",\"signature\":\"");
    arb_wbuf_put(&w, sig, (size_t)sn);
    ARB_WBUF_LIT(&w, "\"}}");
    return arb_wbuf_len(&w);
}

/* One JSON object: a WS API response, a wrapped or bare user-data event. */
static int parse_object(const char *p, const char *end, struct arb_exec *e, int depth)
{
    struct arb_json_cur c;
    struct arb_json_val v, result = {0}, error = {0}, inner = {0}, etype = {0};
    const char *k;
    size_t kl;
    uint64_t req_id = 0;
    int status = 0;

    if (!arb_json_enter(&c, p, end, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "id")) {
            /* Ours are numbers; a string id is someone else's request. */
            if (v.type == ARB_JSON_NUM && arb_json_u64(v.s, v.len, &req_id) < 0)
                return -EINVAL;
        } else if (ARB_JSON_EQ(k, kl, "status") && v.type == ARB_JSON_NUM) {
            uint64_t s;
            if (arb_json_u64(v.s, v.len, &s) < 0 || s > 999)
                return -EINVAL;
            status = (int)s;
        } else if (ARB_JSON_EQ(k, kl, "result")) {
            result = v;
        } else if (ARB_JSON_EQ(k, kl, "error")) {
            error = v;
        } else if (ARB_JSON_EQ(k, kl, "event") || ARB_JSON_EQ(k, kl, "data")) {
            inner = v;
        } else if (ARB_JSON_EQ(k, kl, "e")) {
            etype = v;
        }
    }
    if (c.state != ARB_JSON_DONE)
        return -EINVAL;
    if (etype.type == ARB_JSON_STR)
        return parse_event(p, end, e);
    if (inner.type == ARB_JSON_OBJ && depth == 0)
        return parse_object(inner.s, inner.s + inner.len, e, 1);
    if (error.type == ARB_JSON_OBJ)
        return emit_error(error.s, error.s + error.len, status, req_id, e);
    if (status == 200 && result.type == ARB_JSON_OBJ) {
        struct answer a = {0};
        if (read_order(result.s, result.s + result.len, &a) < 0)
            return -EINVAL;
        /* A result without clientOrderId answers some other method (time, ping...). */
        return a.clid ? emit_order(&a, req_id, e) : 0;
    }
    return 0;
}

/* executionReport (spot) or ORDER_TRADE_UPDATE (futures); other events are not orders. */
static int parse_event(const char *p, const char *end, struct arb_exec *e)
{
    struct arb_json_cur c;
    struct arb_json_val v, etype = {0}, o = {0};
    const char *k;
    size_t kl;
    uint64_t ev_ts = 0;
    struct answer a = {0};

    if (!arb_json_enter(&c, p, end, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "e"))
            etype = v;
        else if (ARB_JSON_EQ(k, kl, "E") && arb_exec_u64(&v, &ev_ts) < 0)
            return -EINVAL;
        else if (ARB_JSON_EQ(k, kl, "o"))
            o = v;
    }
    if (c.state != ARB_JSON_DONE)
        return -EINVAL;
    if (ARB_JSON_EQ(etype.s, etype.len, "executionReport")) {
        if (read_order(p, end, &a) < 0)
            return -EINVAL;
    } else if (ARB_JSON_EQ(etype.s, etype.len, "ORDER_TRADE_UPDATE") && o.type == ARB_JSON_OBJ) {
        if (read_order(o.s, o.s + o.len, &a) < 0)
            return -EINVAL;
    } else {
        return 0;
    }
    /* A user cancel is the only case where C names our order; "" otherwise. */
    if (!(a.exec_type && ARB_JSON_EQ(a.exec_type, a.exec_type_len, "CANCELED")))
        a.orig_clid = NULL;
    /* "r" is "NONE" unless the order was rejected. */
    if (a.reason && ARB_JSON_EQ(a.reason, a.reason_len, "NONE"))
        a.reason = NULL;
    if (!a.ts)
        a.ts = ev_ts;
    return emit_order(&a, 0, e);
}

int arb_binance_parse_exec(const char *msg, size_t len, struct arb_exec *out, int max)
{
    const char *body = msg;
    size_t blen = len;
    int status = 0, http;
    struct arb_json_cur c;

    if (!msg || max < 1)
        return -EINVAL;
    http = arb_http_split(msg, len, &status, &body, &blen);
    if (http < 0)
        return -EINVAL;
    if (!arb_json_enter_msg(&c, body, blen, '{'))
        return -EINVAL;
    /* Everything after the top-level object must be whitespace: check it by skipping it. */
    {
        struct arb_json_val whole;
        const char *after = arb_json_value(c.p - 1, body + blen, &whole);
        if (!after || arb_json_ws(after, body + blen) != body + blen)
            return -EINVAL;
    }
    if (http) {
        struct answer a = {0};
        if (status >= 400)
            return emit_error(c.p - 1, body + blen, status, 0, out);
        if (read_order(c.p - 1, body + blen, &a) < 0)
            return -EINVAL;
        return a.clid ? emit_order(&a, 0, out) : 0;
    }
    return parse_object(c.p - 1, body + blen, out, 0);
}

static int binance_keys_init(struct arb_venue_keys *k, const char *api_key, const char *secret)
{
    return arb_binance_keys_init(k, api_key, secret, &arb_binance_spot);
}

const struct arb_venue_ops arb_venue_binance = {
    .name = "binance",
    .order_url = "wss://ws-api.binance.com:443/ws-api/v3",
    .keys_init = binance_keys_init,
    .keys_free = arb_binance_keys_free,
    .encode_order = arb_binance_encode_order,
    .parse_exec = arb_binance_parse_exec,
    .encode_query = arb_binance_encode_query,
    /* The limits in the WS API docs' own example response: 50 orders per 10 s,
     * 6000 weight per minute, order.place weighing 1. exchangeInfo has the live ones. */
    .orders_per_10s = 50,
    .weight_per_min = 6000,
    .order_weight = 1,
};
