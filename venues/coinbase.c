/* SPDX-License-Identifier: MIT */
/*
 * Coinbase Advanced Trade order entry: the create-order request with its CDP
 * JWT (ES256 through OpenSSL, DER signature converted to r||s) taken from a
 * pool signed ahead of time, the follow-up order query, and the create-order
 * answers, historical orders and `user` channel updates as executions.
 */
#include "coinbase.h"

#include "codec.h"
#include "exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#define ORDERS_URI   "POST api.coinbase.com/api/v3/brokerage/orders"
#define HISTORICAL   "/api/v3/brokerage/orders/historical/"
#define BODY_MAX     384 /* the JSON body: fixed text, a symbol, an id and two decimals */
#define ORDER_ID_MAX 64  /* Coinbase order ids are UUIDs (36 characters) */

/* One pre-signed create-order JWT. */
struct jwt_slot {
    uint64_t nbf_s; /* its nbf: usable until nbf_s + ARB_COINBASE_JWT_REFRESH_S */
    uint32_t len;
    char jwt[ARB_COINBASE_JWT_MAX];
};

struct coinbase_state {
    EVP_PKEY *key;  /* EC P-256 (ES256) or Ed25519 (EdDSA) */
    EVP_MD_CTX *md; /* reused by every signature */
    int eddsa;      /* the key is Ed25519: alg EdDSA, signature already raw */
    /* Pre-signed create-order JWTs, oldest first: [head, head + n) modulo the pool size.
     * Gateway thread only: filled when it is idle, taken by encode_order. */
    struct jwt_slot pool[ARB_COINBASE_JWT_POOL];
    uint32_t head, n;
    struct arb_coinbase_pool_stats stats;
};

/* CDP hands keys out in JSON with "\n" escapes; accept them as pasted. */
static char *unescape_pem(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *p = malloc(n + 1);

    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && s[i + 1] == 'n') {
            p[o++] = '\n';
            i++;
        } else {
            p[o++] = s[i];
        }
    }
    p[o] = '\0';
    return p;
}

static void coinbase_keys_free(struct arb_venue_keys *k)
{
    struct coinbase_state *st = k->sign_state;

    if (st) {
        EVP_MD_CTX_free(st->md);
        EVP_PKEY_free(st->key);
        free(st);
    }
    OPENSSL_cleanse(k, sizeof(*k));
}

static int coinbase_keys_init(struct arb_venue_keys *k, const char *api_key, const char *secret)
{
    struct coinbase_state *st;
    size_t klen = api_key ? strlen(api_key) : 0;
    char *pem;
    BIO *bio;
    int rc = 0;

    memset(k, 0, sizeof(*k));
    if (klen == 0 || klen >= sizeof(k->api_key) || !arb_venue_text_ok(api_key, klen) || !secret)
        return -EINVAL;
    st = calloc(1, sizeof(*st));
    pem = unescape_pem(secret);
    bio = pem ? BIO_new_mem_buf(pem, -1) : NULL;
    if (!st || !bio) {
        rc = -ENOMEM;
        goto out;
    }
    k->sign_state = st;
    memcpy(k->api_key, api_key, klen + 1);
    st->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    if (!st->key) {
        rc = -EINVAL;
    } else if (EVP_PKEY_get_id(st->key) == EVP_PKEY_ED25519) {
        st->eddsa = 1;
    } else {
        char group[32];
        /* ES256 is ECDSA on P-256 only ("prime256v1" to OpenSSL). */
        if (EVP_PKEY_get_id(st->key) != EVP_PKEY_EC ||
            !EVP_PKEY_get_utf8_string_param(st->key, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                            sizeof(group), NULL) ||
            strcmp(group, "prime256v1") != 0)
            rc = -ENOTSUP;
    }
    if (rc == 0 && !(st->md = EVP_MD_CTX_new()))
        rc = -ENOMEM;
out:
    BIO_free(bio);
    if (pem) {
        OPENSSL_cleanse(pem, strlen(pem));
        free(pem);
    }
    if (!k->sign_state)
        free(st);
    if (rc < 0)
        coinbase_keys_free(k);
    return rc;
}

/* Signs input and writes the JWS signature (64 raw bytes) base64url. Returns its length or -EIO. */
static int jws_sign(struct coinbase_state *st, const char *input, size_t n, char *out)
{
    unsigned char der[80], raw[64];
    size_t dl = sizeof(der);
    const EVP_MD *h = st->eddsa ? NULL : EVP_sha256();

    if (EVP_DigestSignInit(st->md, NULL, h, NULL, st->key) != 1 ||
        EVP_DigestSign(st->md, der, &dl, (const unsigned char *)input, n) != 1)
        return -EIO;
    if (st->eddsa) {
        if (dl != 64)
            return -EIO;
        memcpy(raw, der, 64);
    } else {
        /* OpenSSL returns ECDSA-Sig-Value DER; JWS wants r and s as 32-byte big-endian each. */
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
        const BIGNUM *r, *s;
        int ok;
        if (!sig)
            return -EIO;
        ECDSA_SIG_get0(sig, &r, &s);
        ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
        ECDSA_SIG_free(sig);
        if (!ok)
            return -EIO;
    }
    return (int)arb_b64url_encode(out, raw, sizeof(raw));
}

int arb_coinbase_jwt(const struct arb_venue_keys *k, const char *uri, uint64_t now_s, char *buf,
                     size_t len)
{
    struct coinbase_state *st = k->sign_state;
    char hdr[256], pay[384], nonce[33];
    unsigned char rnd[16];
    struct arb_wbuf w;
    size_t hl, pl, n, klen = strlen(k->api_key), ulen = uri ? strlen(uri) : 0;
    int sl;

    /* uri goes into the JSON payload unescaped ("POST host/path" has a space, so
     * arb_venue_text_ok is too strict for it). */
    if (!st || ulen == 0 || memchr(uri, '"', ulen) || memchr(uri, '\\', ulen))
        return -EINVAL;
    /* The nonce only has to differ between requests; 16 random bytes do. */
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return -EIO;
    arb_hex_encode(nonce, rnd, sizeof(rnd));
    arb_wbuf_init(&w, hdr, sizeof(hdr));
    if (st->eddsa)
        ARB_WBUF_LIT(&w, "{\"alg\":\"EdDSA\",\"kid\":\"");
    else
        ARB_WBUF_LIT(&w, "{\"alg\":\"ES256\",\"kid\":\"");
    arb_wbuf_put(&w, k->api_key, klen);
    ARB_WBUF_LIT(&w, "\",\"nonce\":\"");
    arb_wbuf_put(&w, nonce, 32);
    ARB_WBUF_LIT(&w, "\",\"typ\":\"JWT\"}");
    if (w.full)
        return -EINVAL;
    hl = (size_t)(w.p - w.base);
    arb_wbuf_init(&w, pay, sizeof(pay));
    ARB_WBUF_LIT(&w, "{\"sub\":\"");
    arb_wbuf_put(&w, k->api_key, klen);
    ARB_WBUF_LIT(&w, "\",\"iss\":\"cdp\",\"nbf\":");
    arb_wbuf_u64(&w, now_s);
    ARB_WBUF_LIT(&w, ",\"exp\":");
    arb_wbuf_u64(&w, now_s + ARB_COINBASE_JWT_TTL_S);
    ARB_WBUF_LIT(&w, ",\"uri\":\"");
    arb_wbuf_put(&w, uri, ulen);
    ARB_WBUF_LIT(&w, "\"}");
    if (w.full)
        return -EINVAL;
    pl = (size_t)(w.p - w.base);
    if (len < ARB_B64URL_LEN(hl) + 1 + ARB_B64URL_LEN(pl) + 1 + ARB_B64URL_LEN(64) + 1)
        return -ENOSPC;
    n = arb_b64url_encode(buf, (const unsigned char *)hdr, hl);
    buf[n++] = '.';
    n += arb_b64url_encode(buf + n, (const unsigned char *)pay, pl);
    sl = jws_sign(st, buf, n, buf + n + 1);
    if (sl < 0)
        return sl;
    buf[n++] = '.';
    n += (size_t)sl;
    buf[n] = '\0';
    return (int)n;
}

/* ---- pre-signed JWTs ---------------------------------------------------------------------- */

/* Drops pooled JWTs too old to send (or, after a clock step back, not yet valid). */
static void pool_expire(struct coinbase_state *st, uint64_t now_s)
{
    while (st->n) {
        const struct jwt_slot *j = &st->pool[st->head];
        if (now_s >= j->nbf_s && now_s - j->nbf_s < ARB_COINBASE_JWT_REFRESH_S)
            return; /* the rest are younger */
        st->head = (st->head + 1) % ARB_COINBASE_JWT_POOL;
        st->n--;
        st->stats.dropped++;
    }
}

/* The oldest usable pooled JWT, taken (each carries its own nonce: one use), or NULL. */
static const struct jwt_slot *pool_take(struct coinbase_state *st, uint64_t now_s)
{
    pool_expire(st, now_s);
    if (!st->n) {
        st->stats.misses++;
        return NULL;
    }
    const struct jwt_slot *j = &st->pool[st->head];
    st->head = (st->head + 1) % ARB_COINBASE_JWT_POOL;
    st->n--;
    st->stats.hits++;
    return j;
}

int arb_coinbase_jwt_pool_fill(struct arb_venue_keys *k, uint64_t now_s, unsigned max_sign)
{
    struct coinbase_state *st = k->sign_state;

    if (!st)
        return -EINVAL;
    pool_expire(st, now_s);
    for (unsigned i = 0; i < max_sign && st->n < ARB_COINBASE_JWT_POOL; i++) {
        struct jwt_slot *j = &st->pool[(st->head + st->n) % ARB_COINBASE_JWT_POOL];
        int rc = arb_coinbase_jwt(k, ORDERS_URI, now_s, j->jwt, sizeof(j->jwt));
        if (rc < 0)
            return rc;
        j->len = (uint32_t)rc;
        j->nbf_s = now_s;
        st->n++;
        st->stats.signed_++;
    }
    return (int)st->n;
}

void arb_coinbase_jwt_pool_stats(const struct arb_venue_keys *k,
                                 struct arb_coinbase_pool_stats *out)
{
    const struct coinbase_state *st = k->sign_state;

    memset(out, 0, sizeof(*out));
    if (st) {
        *out = st->stats;
        out->ready = st->n;
    }
}

/* The gateway's idle hook: one JWT per call (~70 us), so an idle turn stays short. */
static int coinbase_idle(struct arb_venue_keys *k, uint64_t now_ms)
{
    struct coinbase_state *st = k->sign_state;

    if (!st)
        return 0;
    pool_expire(st, now_ms / 1000);
    if (st->n == ARB_COINBASE_JWT_POOL)
        return 0;
    int rc = arb_coinbase_jwt_pool_fill(k, now_ms / 1000, 1);
    return rc < 0 ? rc : 1;
}

/* ---- requests ------------------------------------------------------------------------------ */

static int coinbase_encode_order(const struct arb_venue_keys *k, const struct arb_order *o,
                                 char *buf, size_t len)
{
    const struct arb_leg *leg = o->leg;
    char body[BODY_MAX], own[ARB_COINBASE_JWT_MAX];
    const char *jwt = own;
    struct arb_wbuf w;
    size_t clid_len;
    int bl, jl;

    if (!k->sign_state || !leg || leg->px_e8 <= 0 || leg->qty_e8 <= 0 || !o->symbol ||
        !arb_venue_text_ok(o->symbol, o->symbol_len) ||
        (leg->side != ARB_SIDE_BUY && leg->side != ARB_SIDE_SELL))
        return -EINVAL;
    clid_len = strnlen(o->clid, sizeof(o->clid));
    if (clid_len == sizeof(o->clid) || !arb_venue_text_ok(o->clid, clid_len))
        return -EINVAL;
    arb_wbuf_init(&w, body, sizeof(body));
    ARB_WBUF_LIT(&w, "{\"client_order_id\":\"");
    arb_wbuf_put(&w, o->clid, clid_len);
    ARB_WBUF_LIT(&w, "\",\"product_id\":\"");
    arb_wbuf_put(&w, o->symbol, o->symbol_len);
    if (leg->side == ARB_SIDE_BUY)
        ARB_WBUF_LIT(&w, "\",\"side\":\"BUY\"");
    else
        ARB_WBUF_LIT(&w, "\",\"side\":\"SELL\"");
    /* sor_limit_ioc: an IOC limit order routed over Coinbase's books. */
    ARB_WBUF_LIT(&w, ",\"order_configuration\":{\"sor_limit_ioc\":{\"base_size\":\"");
    arb_wbuf_fixed(&w, leg->qty_e8);
    ARB_WBUF_LIT(&w, "\",\"limit_price\":\"");
    arb_wbuf_fixed(&w, leg->px_e8);
    ARB_WBUF_LIT(&w, "\"}}}");
    bl = arb_wbuf_len(&w);
    if (bl < 0)
        return -EINVAL;
    /* A pooled JWT is a copy; signing here costs ~70 us and allocates inside OpenSSL. */
    const struct jwt_slot *pooled = pool_take(k->sign_state, o->ts_ms / 1000);
    if (pooled) {
        jwt = pooled->jwt;
        jl = (int)pooled->len;
    } else {
        jl = arb_coinbase_jwt(k, ORDERS_URI, o->ts_ms / 1000, own, sizeof(own));
        if (jl < 0)
            return jl;
    }
    arb_wbuf_init(&w, buf, len);
    ARB_WBUF_LIT(&w, "POST /api/v3/brokerage/orders HTTP/1.1\r\nHost: api.coinbase.com\r\n"
                     "Authorization: Bearer ");
    arb_wbuf_put(&w, jwt, (size_t)jl);
    ARB_WBUF_LIT(&w, "\r\nContent-Type: application/json\r\nContent-Length: ");
    arb_wbuf_u64(&w, (uint64_t)bl);
    ARB_WBUF_LIT(&w, "\r\n\r\n");
    arb_wbuf_put(&w, body, (size_t)bl);
    return arb_wbuf_len(&w);
}

/* An order id we may put in a path and a JSON string as it is. */
static bool order_id_ok(const char *s, size_t n)
{
    if (n == 0 || n >= ORDER_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-'))
            return false;
    }
    return true;
}

/* GET .../orders/historical/{order_id}: its URI names the order, so its JWT is signed now. */
int arb_coinbase_encode_order_query(const struct arb_venue_keys *k, const char *oid, uint64_t ts_ms,
                                    char *buf, size_t len)
{
    char uri[128], jwt[ARB_COINBASE_JWT_MAX];
    size_t ol = oid ? strlen(oid) : 0;
    struct arb_wbuf w;
    int jl;

    if (!order_id_ok(oid, ol))
        return -EINVAL;
    arb_wbuf_init(&w, uri, sizeof(uri));
    ARB_WBUF_LIT(&w, "GET api.coinbase.com" HISTORICAL);
    arb_wbuf_put(&w, oid, ol);
    arb_wbuf_put(&w, "", 1);
    if (w.full)
        return -EINVAL;
    jl = arb_coinbase_jwt(k, uri, ts_ms / 1000, jwt, sizeof(jwt));
    if (jl < 0)
        return jl;
    arb_wbuf_init(&w, buf, len);
    ARB_WBUF_LIT(&w, "GET " HISTORICAL);
    arb_wbuf_put(&w, oid, ol);
    ARB_WBUF_LIT(&w, " HTTP/1.1\r\nHost: api.coinbase.com\r\nAuthorization: Bearer ");
    arb_wbuf_put(&w, jwt, (size_t)jl);
    ARB_WBUF_LIT(&w, "\r\n\r\n");
    return arb_wbuf_len(&w);
}

/* ---- answers ---------------------------------------------------------------------------- */

static int user_kind(const char *s, size_t n, int64_t cum)
{
    if (ARB_JSON_EQ(s, n, "FILLED"))
        return ARB_EXEC_FILL;
    if (ARB_JSON_EQ(s, n, "PENDING") || ARB_JSON_EQ(s, n, "OPEN") || ARB_JSON_EQ(s, n, "QUEUED"))
        return cum > 0 ? ARB_EXEC_PARTIAL : ARB_EXEC_ACK;
    if (ARB_JSON_EQ(s, n, "CANCELLED") || ARB_JSON_EQ(s, n, "EXPIRED"))
        return cum > 0 ? ARB_EXEC_PARTIAL : ARB_EXEC_EXPIRED;
    if (ARB_JSON_EQ(s, n, "FAILED"))
        return ARB_EXEC_REJECT;
    return -1;
}

/*
 * One order of a user-channel event, or the order of a historical-order answer
 * (`hist`: its own names for the quantities, and a status not yet final is an ack
 * carrying what has filled, since the order may still trade). Returns 1 for an
 * order with a client id, else 0.
 */
static int user_order(const char *p, const char *end, uint64_t ts, struct arb_exec *e, bool hist)
{
    struct arb_json_cur c;
    struct arb_json_val v, status = {0}, reject = {0};
    const char *k;
    size_t kl;
    int kind;

    arb_exec_clear(e);
    if (!arb_json_enter(&c, p, end, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &k, &kl, &v)) {
        int rc = 0;
        if (ARB_JSON_EQ(k, kl, "client_order_id") && v.type == ARB_JSON_STR)
            arb_exec_copy(e->clid, sizeof(e->clid), v.s, v.len);
        else if (ARB_JSON_EQ(k, kl, "status"))
            status = v;
        else if (hist ? ARB_JSON_EQ(k, kl, "filled_size")
                      : ARB_JSON_EQ(k, kl, "cumulative_quantity"))
            rc = arb_exec_decimal(&v, &e->filled_qty_e8);
        else if (hist ? ARB_JSON_EQ(k, kl, "average_filled_price")
                      : ARB_JSON_EQ(k, kl, "avg_price"))
            rc = arb_exec_decimal(&v, &e->avg_px_e8);
        else if (ARB_JSON_EQ(k, kl, "total_fees"))
            rc = arb_exec_decimal(&v, &e->fee_e8);
        else if (ARB_JSON_EQ(k, kl, "reject_reason"))
            reject = v;
        if (rc < 0)
            return -EINVAL;
    }
    if (c.state != ARB_JSON_DONE)
        return -EINVAL;
    if (!e->clid[0] || status.type != ARB_JSON_STR)
        return 0;
    kind = user_kind(status.s, status.len, e->filled_qty_e8);
    if (hist && kind == ARB_EXEC_PARTIAL && !ARB_JSON_EQ(status.s, status.len, "CANCELLED") &&
        !ARB_JSON_EQ(status.s, status.len, "EXPIRED"))
        kind = ARB_EXEC_ACK;
    if (kind < 0)
        return 0;
    e->kind = (uint8_t)kind;
    e->venue_ts_ms = ts;
    if (e->filled_qty_e8 == 0)
        e->avg_px_e8 = 0;
    if (kind == ARB_EXEC_REJECT && reject.type == ARB_JSON_STR)
        arb_exec_copy(e->reason, sizeof(e->reason), reject.s, reject.len);
    return 1;
}

/* {"channel":"user","timestamp":..,"events":[{"type":..,"orders":[...]}]} */
static int user_channel(const struct arb_json_val *events, uint64_t ts, struct arb_exec *out,
                        int max)
{
    struct arb_json_cur ev;
    const char *end = events->s + events->len;
    int n = 0;

    if (!arb_json_enter(&ev, events->s, end, '['))
        return -EINVAL;
    while (arb_json_elem_at(&ev)) {
        struct arb_json_cur obj;
        struct arb_json_val v;
        const char *k;
        size_t kl;
        if (!arb_json_enter(&obj, ev.p, end, '{'))
            return -EINVAL;
        while (arb_json_member(&obj, &k, &kl, &v)) {
            struct arb_json_cur arr;
            if (!ARB_JSON_EQ(k, kl, "orders") || v.type != ARB_JSON_ARR)
                continue;
            arb_json_enter(&arr, v.s, v.s + v.len, '[');
            while (arb_json_elem_at(&arr)) {
                struct arb_json_val o;
                struct arb_exec e;
                int rc;
                if (!arb_json_take(&arr, &o) || o.type != ARB_JSON_OBJ)
                    return -EINVAL;
                rc = user_order(o.s, o.s + o.len, ts, &e, false);
                if (rc < 0)
                    return rc;
                if (rc == 0)
                    continue;
                if (n == max)
                    return -ENOSPC; /* never drop a fill silently */
                out[n++] = e;
            }
            if (arr.state != ARB_JSON_DONE)
                return -EINVAL;
        }
        if (!arb_json_resume(&ev, &obj))
            return -EINVAL;
    }
    return ev.state == ARB_JSON_DONE ? n : -EINVAL;
}

/* The create-order answer: {"success":true,"success_response":{...}} or a failure. */
static int create_answer(bool success, const struct arb_json_val *ok,
                         const struct arb_json_val *err, const struct arb_json_val *failure,
                         int status, struct arb_exec *e)
{
    struct arb_json_cur c;
    struct arb_json_val v;
    const char *k;
    size_t kl;

    arb_exec_clear(e);
    if (success) {
        e->kind = ARB_EXEC_ACK;
        if (ok->type != ARB_JSON_OBJ)
            return -EINVAL;
        arb_json_enter(&c, ok->s, ok->s + ok->len, '{');
        while (arb_json_member(&c, &k, &kl, &v))
            if (ARB_JSON_EQ(k, kl, "client_order_id") && v.type == ARB_JSON_STR)
                arb_exec_copy(e->clid, sizeof(e->clid), v.s, v.len);
        return c.state == ARB_JSON_DONE ? 1 : -EINVAL;
    }
    e->kind = ARB_EXEC_REJECT;
    e->code = status;
    if (failure->type == ARB_JSON_STR)
        arb_exec_copy(e->reason, sizeof(e->reason), failure->s, failure->len);
    if (err->type == ARB_JSON_OBJ) {
        /* "message" says it for people, "error" names it for programs: prefer the name. */
        struct arb_json_val msg = {0}, name = {0};
        arb_json_enter(&c, err->s, err->s + err->len, '{');
        while (arb_json_member(&c, &k, &kl, &v)) {
            if (ARB_JSON_EQ(k, kl, "error") && v.type == ARB_JSON_STR)
                name = v;
            else if (ARB_JSON_EQ(k, kl, "message") && v.type == ARB_JSON_STR)
                msg = v;
        }
        if (c.state != ARB_JSON_DONE)
            return -EINVAL;
        if (name.type == ARB_JSON_STR && name.len > 0)
            arb_exec_copy(e->reason, sizeof(e->reason), name.s, name.len);
        else if (msg.type == ARB_JSON_STR && msg.len > 0)
            arb_exec_copy(e->reason, sizeof(e->reason), msg.s, msg.len);
    }
    return 1;
}

static int coinbase_parse_exec(const char *msg, size_t len, struct arb_exec *out, int max)
{
    const char *body = msg, *k;
    size_t blen = len, kl;
    int status = 0, http, success = -1;
    struct arb_json_cur c;
    struct arb_json_val v, channel = {0}, events = {0}, ok = {0}, err = {0}, failure = {0},
                           error = {0}, message = {0}, order = {0};
    uint64_t ts = 0;

    if (!msg || max < 1)
        return -EINVAL;
    http = arb_http_split(msg, len, &status, &body, &blen);
    if (http < 0 || !arb_json_enter_msg(&c, body, blen, '{'))
        return -EINVAL;
    while (arb_json_member(&c, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "success") && v.type == ARB_JSON_LIT)
            success = v.s[0] == 't';
        else if (ARB_JSON_EQ(k, kl, "success_response"))
            ok = v;
        else if (ARB_JSON_EQ(k, kl, "error_response"))
            err = v;
        else if (ARB_JSON_EQ(k, kl, "failure_reason"))
            failure = v;
        else if (ARB_JSON_EQ(k, kl, "channel"))
            channel = v;
        else if (ARB_JSON_EQ(k, kl, "events"))
            events = v;
        else if (ARB_JSON_EQ(k, kl, "error"))
            error = v;
        else if (ARB_JSON_EQ(k, kl, "message"))
            message = v;
        else if (ARB_JSON_EQ(k, kl, "order"))
            order = v;
        else if (ARB_JSON_EQ(k, kl, "timestamp") && v.type == ARB_JSON_STR) {
            uint64_t ns;
            if (arb_json_rfc3339_ns(v.s, v.len, &ns) < 0)
                return -EINVAL;
            ts = ns / 1000000u;
        }
    }
    if (!arb_json_finished(&c))
        return -EINVAL;
    if (channel.type == ARB_JSON_STR && ARB_JSON_EQ(channel.s, channel.len, "user"))
        return events.type == ARB_JSON_ARR ? user_channel(&events, ts, out, max) : 0;
    /* 429 and 5xx are about the request, whatever the body holds. */
    if (status == 429 || status >= 500) {
        arb_exec_clear(out);
        out->kind = status == 429 ? ARB_EXEC_RATE_LIMIT : ARB_EXEC_UNKNOWN;
        out->code = status;
        if (message.type == ARB_JSON_STR)
            arb_exec_copy(out->reason, sizeof(out->reason), message.s, message.len);
        return 1;
    }
    if (success >= 0)
        return create_answer(success, &ok, &err, &failure, status, out);
    /* GET .../orders/historical/{id}: {"order":{...}}, the order's state and totals. */
    if (order.type == ARB_JSON_OBJ && status < 400)
        return user_order(order.s, order.s + order.len, ts, out, true);
    if (status >= 400) {
        /* Auth and validation failures: {"error":"INVALID_ARGUMENT","message":".."}. */
        arb_exec_clear(out);
        out->kind = ARB_EXEC_REJECT;
        out->code = status;
        if (error.type == ARB_JSON_STR)
            arb_exec_copy(out->reason, sizeof(out->reason), error.s, error.len);
        else if (message.type == ARB_JSON_STR)
            arb_exec_copy(out->reason, sizeof(out->reason), message.s, message.len);
        return 1;
    }
    return 0;
}

/* The order id in {"success":true,"success_response":{"order_id":..}} or {"order":{..}}. */
static int coinbase_rest_pending(const char *msg, size_t len, char *oid, size_t cap)
{
    const char *body, *k;
    size_t blen, kl;
    int status = 0;
    struct arb_json_cur c, o;
    struct arb_json_val v, inner = {0}, id = {0}, st = {0};
    bool create = false;

    if (arb_http_split(msg, len, &status, &body, &blen) != 1 || status < 200 || status >= 300 ||
        !arb_json_enter_msg(&c, body, blen, '{'))
        return status >= 200 && status < 300 ? -EINVAL : 0;
    while (arb_json_member(&c, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "success_response") && v.type == ARB_JSON_OBJ) {
            inner = v;
            create = true;
        } else if (ARB_JSON_EQ(k, kl, "order") && v.type == ARB_JSON_OBJ) {
            inner = v;
        }
    }
    if (!arb_json_finished(&c))
        return -EINVAL;
    if (inner.type != ARB_JSON_OBJ)
        return 0; /* a refusal: nothing was booked */
    arb_json_enter(&o, inner.s, inner.s + inner.len, '{');
    while (arb_json_member(&o, &k, &kl, &v)) {
        if (ARB_JSON_EQ(k, kl, "order_id") && v.type == ARB_JSON_STR)
            id = v;
        else if (ARB_JSON_EQ(k, kl, "status") && v.type == ARB_JSON_STR)
            st = v;
    }
    if (o.state != ARB_JSON_DONE || !order_id_ok(id.s, id.len) || id.len >= cap)
        return -EINVAL;
    /* A historical order in a final state needs no more asking. */
    if (!create && (st.type != ARB_JSON_STR || ARB_JSON_EQ(st.s, st.len, "FILLED") ||
                    ARB_JSON_EQ(st.s, st.len, "CANCELLED") ||
                    ARB_JSON_EQ(st.s, st.len, "EXPIRED") || ARB_JSON_EQ(st.s, st.len, "FAILED")))
        return 0;
    memcpy(oid, id.s, id.len);
    oid[id.len] = '\0';
    return (int)id.len;
}

const struct arb_venue_ops arb_venue_coinbase = {
    .name = "coinbase",
    .order_url = "https://api.coinbase.com/api/v3/brokerage/orders",
    .keys_init = coinbase_keys_init,
    .keys_free = coinbase_keys_free,
    .encode_order = coinbase_encode_order,
    .parse_exec = coinbase_parse_exec,
    /* REST: the create answer has no fills, so each order is followed by a query of it. */
    /* After a dropped connection the gateway asks before re-sending. Coinbase answers a
     * create with a client_order_id it has seen with that order, creating nothing, so the
     * same request is the query, and its follow-up reports the fills. */
    .encode_query = coinbase_encode_order,
    .rest = 1,
    .rest_pending = coinbase_rest_pending,
    .encode_followup = arb_coinbase_encode_order_query,
    .idle = coinbase_idle,
    /* Advanced Trade allows 30 private REST requests per second; each order is one. */
    .orders_per_10s = 300,
    .weight_per_min = 0,
    .order_weight = 1,
};
