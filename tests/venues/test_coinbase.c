/* SPDX-License-Identifier: MIT */
/*
 * venues/coinbase.c: the create-order request (body and headers in the
 * documented shape), its JWT decoded and its ES256/EdDSA signature verified
 * independently with keys generated here, and the documented answers and
 * user-channel updates parsed; the pre-signed JWT pool (use once, oldest
 * first, aged out and refilled), the historical-order query and its answers.
 */
#include "venue_test.h"
#include "venues/coinbase.h"

#include <openssl/bn.h>
#include <openssl/ec.h>

#define KEY_NAME                                                                                   \
    "organizations/0f8c7a8e-1e5b-4c6f-9d3a-1b2c3d4e5f60/apiKeys/"                                  \
    "9a8b7c6d-0000-1111-2222-333344445555"

static const char created[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"success\":true,"
    "\"success_response\":{\"order_id\":\"11111-00000-000000\",\"product_id\":\"BTC-USD\","
    "\"side\":\"BUY\",\"client_order_id\":\"arb-12-0\"},\"order_configuration\":{"
    "\"sor_limit_ioc\":{\"base_size\":\"0.001\",\"limit_price\":\"10000.00\"}}}";

static const char failed[] =
    "{\"success\":false,\"failure_reason\":\"UNKNOWN_FAILURE_REASON\",\"order_id\":\"\","
    "\"error_response\":{\"error\":\"INSUFFICIENT_FUND\",\"message\":\"Insufficient balance in "
    "source account\",\"error_details\":\"\",\"preview_failure_reason\":"
    "\"PREVIEW_INSUFFICIENT_FUND\"}}";

static const char limited[] =
    "HTTP/1.1 429 Too Many Requests\r\n\r\n{\"error\":\"RESOURCE_EXHAUSTED"
    "\",\"message\":\"Too many requests\"}";

static const char unauth[] = "HTTP/1.1 401 Unauthorized\r\n\r\n{\"error\":\"UNAUTHENTICATED\","
                             "\"message\":\"invalid JWT\"}";

/* The user channel: our IOC filled in part, then done; an order without our id. */
static const char user_msg[] =
    "{\"channel\":\"user\",\"client_id\":\"\",\"timestamp\":\"2023-02-09T20:33:57.609931463Z\","
    "\"sequence_num\":0,\"events\":[{\"type\":\"update\",\"orders\":[{\"order_id\":"
    "\"a1b2c3d4-e5f6-7890-abcd-ef1234567890\",\"client_order_id\":\"arb-12-0\","
    "\"cumulative_quantity\":\"0.0006\",\"leaves_quantity\":\"0\",\"avg_price\":\"9999.5\","
    "\"total_fees\":\"0.035998\",\"status\":\"CANCELLED\",\"product_id\":\"BTC-USD\","
    "\"order_side\":\"BUY\",\"order_type\":\"Limit\",\"reject_reason\":\"\"},{\"order_id\":"
    "\"b\",\"client_order_id\":\"arb-13-0\",\"cumulative_quantity\":\"0.001\",\"avg_price\":"
    "\"10000\",\"total_fees\":\"0.06\",\"status\":\"FILLED\"},{\"order_id\":\"c\","
    "\"client_order_id\":\"arb-14-0\",\"cumulative_quantity\":\"0\",\"avg_price\":\"0\","
    "\"total_fees\":\"0\",\"status\":\"FAILED\",\"reject_reason\":\"INSUFFICIENT_FUNDS\"},{"
    "\"order_id\":\"d\",\"client_order_id\":\"\",\"status\":\"OPEN\"}]}]}";

/* Splits header.payload.signature; returns pointers into jwt (which it NUL-splits). */
#define ORDERS_URI "POST api.coinbase.com/api/v3/brokerage/orders"

static void check_jwt(char *jwt, EVP_PKEY *pkey, const char *alg, uint64_t now_s, const char *uri)
{
    char *d1 = strchr(jwt, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL, want[512];
    unsigned char hdr[512], pay[512], raw[80];
    int hl, pl, rl;

    REQUIRE(d1 && d2);
    hl = vt_b64_decode(jwt, (size_t)(d1 - jwt), hdr, sizeof(hdr) - 1);
    pl = vt_b64_decode(d1 + 1, (size_t)(d2 - d1 - 1), pay, sizeof(pay) - 1);
    rl = vt_b64_decode(d2 + 1, strlen(d2 + 1), raw, sizeof(raw));
    REQUIRE(hl > 0 && pl > 0);
    hdr[hl] = pay[pl] = '\0';
    /* The nonce is random: check its form, then the rest byte for byte. */
    {
        char *nonce = strstr((char *)hdr, "\"nonce\":\"");
        REQUIRE(nonce);
        nonce += 9;
        for (int i = 0; i < 32; i++)
            if (!strchr("0123456789abcdef", nonce[i]))
                T_FAIL("nonce character %d is '%c'", i, nonce[i]);
        CHECK(nonce[32] == '"');
        /* Random by design: checked above, then masked so the rest compares exactly. */
        memset(nonce, 'x', 32);
    }
    snprintf(want, sizeof(want),
             "{\"alg\":\"%s\",\"kid\":\"" KEY_NAME "\",\"nonce\":\"%s\",\"typ\":\"JWT\"}", alg,
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    CHECK_STR((char *)hdr, want);
    snprintf(want, sizeof(want),
             "{\"sub\":\"" KEY_NAME "\",\"iss\":\"cdp\",\"nbf\":%llu,\"exp\":%llu,\"uri\":"
             "\"%s\"}",
             (unsigned long long)now_s, (unsigned long long)now_s + 120, uri);
    CHECK_STR((char *)pay, want);
    /* JWS signs the ASCII "header.payload" as sent. */
    CHECK_EQ_I64(rl, 64);
    if (strcmp(alg, "ES256") == 0) {
        /* r||s back to DER, the form EVP_DigestVerify takes. */
        ECDSA_SIG *s = ECDSA_SIG_new();
        unsigned char der[80], *p = der;
        int dl;
        REQUIRE(s && ECDSA_SIG_set0(s, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL)));
        dl = i2d_ECDSA_SIG(s, &p);
        ECDSA_SIG_free(s);
        CHECK(vt_verify(pkey, der, (size_t)dl, jwt, (size_t)(d2 - jwt)));
        CHECK(!vt_verify(pkey, der, (size_t)dl, jwt, (size_t)(d2 - jwt) - 1));
    } else {
        CHECK(vt_verify(pkey, raw, 64, jwt, (size_t)(d2 - jwt)));
        CHECK(!vt_verify(pkey, raw, 64, jwt, (size_t)(d2 - jwt) - 1));
    }
}

static void test_encode(const char *type, const char *alg, int escaped)
{
    const struct arb_venue_ops *ops = &arb_venue_coinbase;
    EVP_PKEY *pkey;
    char *pem = vt_gen_pem(type, &pkey), buf[2048], jwt[1024];
    struct arb_venue_keys k;
    struct arb_leg leg = {.px_e8 = 1000000000000LL, .qty_e8 = 100000, .side = ARB_SIDE_BUY};
    struct arb_order o = {
        .leg = &leg, .symbol = "BTC-USD", .symbol_len = 7, .ts_ms = 1700000000123ULL};
    const char *body_want = "{\"client_order_id\":\"arb-12-0\",\"product_id\":\"BTC-USD\",\"side\":"
                            "\"BUY\",\"order_configuration\":{\"sor_limit_ioc\":{\"base_size\":"
                            "\"0.001\",\"limit_price\":\"10000\"}}}";
    char *auth, *crlf, head_want[256];
    int n;

    if (escaped) {
        /* As CDP's JSON key file has it: newlines written as \n. */
        char *e = malloc(2 * strlen(pem) + 1), *q = e;
        for (const char *p = pem; *p; p++) {
            if (*p == '\n') {
                *q++ = '\\';
                *q++ = 'n';
            } else {
                *q++ = *p;
            }
        }
        *q = '\0';
        free(pem);
        pem = e;
    }
    REQUIRE(ops->keys_init(&k, KEY_NAME, pem) == 0);
    strcpy(o.clid, "arb-12-0");
    n = ops->encode_order(&k, &o, buf, sizeof(buf));
    REQUIRE(n > 0);
    buf[n] = '\0';
    CHECK(strncmp(buf,
                  "POST /api/v3/brokerage/orders HTTP/1.1\r\nHost: api.coinbase.com\r\n"
                  "Authorization: Bearer ",
                  strlen("POST /api/v3/brokerage/orders HTTP/1.1\r\nHost: api.coinbase.com\r\n"
                         "Authorization: Bearer ")) == 0);
    auth = strstr(buf, "Bearer ");
    REQUIRE(auth);
    auth += 7;
    crlf = strstr(auth, "\r\n");
    REQUIRE(crlf);
    snprintf(head_want, sizeof(head_want),
             "\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body_want), body_want);
    CHECK_STR(crlf, head_want);
    memcpy(jwt, auth, (size_t)(crlf - auth));
    jwt[crlf - auth] = '\0';
    check_jwt(jwt, pkey, alg, 1700000000ULL, ORDERS_URI);
    CHECK(ops->encode_order(&k, &o, buf, 300) == -ENOSPC);
    ops->keys_free(&k);
    EVP_PKEY_free(pkey);
    free(pem);
}

/* The JWT of a request in buf (NUL-terminated), copied into jwt. */
static void jwt_of(const char *buf, char *jwt, size_t cap)
{
    const char *a = strstr(buf, "Bearer "), *e = a ? strstr(a, "\r\n") : NULL;

    REQUIRE(a && e && (size_t)(e - a - 7) < cap);
    memcpy(jwt, a + 7, (size_t)(e - a - 7));
    jwt[e - a - 7] = '\0';
}

#define T0 1700000000ULL

/* Encodes one order at now_s and checks its JWT: signed at nbf_s for the create URI. */
static void order_at(struct arb_venue_keys *k, EVP_PKEY *pkey, uint64_t now_s, uint64_t nbf_s,
                     char *jwt_out)
{
    struct arb_leg leg = {.px_e8 = 100000000, .qty_e8 = 100000000, .side = ARB_SIDE_SELL};
    struct arb_order o = {
        .leg = &leg, .symbol = "USDT-USD", .symbol_len = 8, .ts_ms = now_s * 1000};
    char buf[2048], jwt[1024];

    strcpy(o.clid, "a7e570000000100");
    int n = arb_venue_coinbase.encode_order(k, &o, buf, sizeof(buf));
    REQUIRE(n > 0);
    buf[n] = '\0';
    jwt_of(buf, jwt, sizeof(jwt));
    strcpy(jwt_out, jwt);
    check_jwt(jwt, pkey, "ES256", nbf_s, ORDERS_URI);
}

static void test_pool(void)
{
    const struct arb_venue_ops *ops = &arb_venue_coinbase;
    struct arb_coinbase_pool_stats st;
    struct arb_venue_keys k;
    EVP_PKEY *pkey;
    char *pem = vt_gen_pem("EC", &pkey);
    static char seen[ARB_COINBASE_JWT_POOL + 1][1024];

    REQUIRE(ops->keys_init(&k, KEY_NAME, pem) == 0);
    arb_coinbase_jwt_pool_stats(&k, &st);
    CHECK_EQ_U64(st.ready, 0);
    CHECK_EQ_I64(arb_coinbase_jwt_pool_fill(&k, T0, 100), ARB_COINBASE_JWT_POOL);
    /* Five seconds later every order takes one (nbf T0), each a different JWT. */
    for (int i = 0; i < ARB_COINBASE_JWT_POOL; i++) {
        order_at(&k, pkey, T0 + 5, T0, seen[i]);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(seen[i], seen[j]) != 0);
    }
    /* Empty: signed on the spot, valid from now. */
    order_at(&k, pkey, T0 + 5, T0 + 5, seen[ARB_COINBASE_JWT_POOL]);
    arb_coinbase_jwt_pool_stats(&k, &st);
    CHECK_EQ_U64(st.hits, ARB_COINBASE_JWT_POOL);
    CHECK_EQ_U64(st.misses, 1);
    CHECK_EQ_U64(st.signed_, ARB_COINBASE_JWT_POOL);
    CHECK_EQ_U64(st.ready, 0);

    /* Refilled at T0 + 10: usable for 99 s more, then dropped (20 s of 120 left). */
    CHECK_EQ_I64(arb_coinbase_jwt_pool_fill(&k, T0 + 10, 100), ARB_COINBASE_JWT_POOL);
    order_at(&k, pkey, T0 + 10 + ARB_COINBASE_JWT_REFRESH_S - 1, T0 + 10, seen[0]);
    order_at(&k, pkey, T0 + 10 + ARB_COINBASE_JWT_REFRESH_S, T0 + 10 + ARB_COINBASE_JWT_REFRESH_S,
             seen[1]);
    arb_coinbase_jwt_pool_stats(&k, &st);
    CHECK_EQ_U64(st.dropped, ARB_COINBASE_JWT_POOL - 1);
    CHECK_EQ_U64(st.misses, 2);
    CHECK_EQ_U64(st.ready, 0);
    /* A fill keeps the young ones and tops up; a clock stepped back drops them all. */
    CHECK_EQ_I64(arb_coinbase_jwt_pool_fill(&k, T0 + 200, 3), 3);
    CHECK_EQ_I64(arb_coinbase_jwt_pool_fill(&k, T0 + 250, 100), ARB_COINBASE_JWT_POOL);
    order_at(&k, pkey, T0 + 260, T0 + 200, seen[0]);
    order_at(&k, pkey, T0 + 260, T0 + 200, seen[0]);
    order_at(&k, pkey, T0 + 260, T0 + 200, seen[0]);
    order_at(&k, pkey, T0 + 260, T0 + 250, seen[0]);
    order_at(&k, pkey, T0 + 150, T0 + 150, seen[0]);
    arb_coinbase_jwt_pool_stats(&k, &st);
    CHECK_EQ_U64(st.ready, 0);

    /* The gateway's idle hook signs one per call until the pool is full, then does nothing. */
    int calls = 0;
    while (ops->idle(&k, (T0 + 400) * 1000) > 0 && calls < 100)
        calls++;
    CHECK_EQ_I64(calls, ARB_COINBASE_JWT_POOL);
    CHECK_EQ_I64(ops->idle(&k, (T0 + 400) * 1000), 0);
    CHECK_EQ_I64(ops->idle(&k, (T0 + 400 + ARB_COINBASE_JWT_REFRESH_S) * 1000), 1);

    /* The follow-up query: its own JWT, whose uri names the order. */
    {
        const char *oid = "00000000-0000-4000-8000-00000000002a";
        char buf[2048], jwt[1024], want[256];
        int n = ops->encode_followup(&k, oid, T0 * 1000 + 999, buf, sizeof(buf));
        REQUIRE(n > 0);
        buf[n] = '\0';
        static const char head[] = "GET /api/v3/brokerage/orders/historical/"
                                   "00000000-0000-4000-8000-00000000002a HTTP/1.1\r\n"
                                   "Host: api.coinbase.com\r\nAuthorization: Bearer ";
        CHECK(strncmp(buf, head, sizeof(head) - 1) == 0);
        CHECK(n > 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0);
        CHECK(strstr(buf, "Content-Length") == NULL);
        jwt_of(buf, jwt, sizeof(jwt));
        snprintf(want, sizeof(want), "GET api.coinbase.com/api/v3/brokerage/orders/historical/%s",
                 oid);
        check_jwt(jwt, pkey, "ES256", T0, want);
        CHECK(ops->encode_followup(&k, "a/b", T0 * 1000, buf, sizeof(buf)) == -EINVAL);
        CHECK(ops->encode_followup(&k, "", T0 * 1000, buf, sizeof(buf)) == -EINVAL);
        CHECK(ops->encode_followup(&k, "a\"b", T0 * 1000, buf, sizeof(buf)) == -EINVAL);
        CHECK(ops->encode_followup(&k, oid, T0 * 1000, buf, 200) == -ENOSPC);
        CHECK(arb_coinbase_encode_order_query(&k, oid, T0 * 1000, buf, sizeof(buf)) > 0);
    }
    ops->keys_free(&k);
    EVP_PKEY_free(pkey);
    free(pem);
}

/* GET .../orders/historical/{id} answers, in the documented shape. */
#define HIST(status, filled, avg, fees)                                                            \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n"               \
    "{\"order\":{\"order_id\":\"0000-1\",\"product_id\":\"USDT-USD\",\"user_id\":\"u\","           \
    "\"order_configuration\":{\"sor_limit_ioc\":{\"base_size\":\"300\",\"limit_price\":\"1."       \
    "0015\"}},"                                                                                    \
    "\"side\":\"BUY\",\"client_order_id\":\"a7e5700000001"                                         \
    "00\",\"status\":\"" status "\","                                                              \
    "\"time_in_force\":\"IMMEDIATE_OR_CANCEL\",\"created_time\":\"2023-03-11T10:00:00.123456Z\","  \
    "\"filled_size\":\"" filled "\",\"average_filled_price\":\"" avg                               \
    "\",\"number_of_fills\":\"1\","                                                                \
    "\"total_fees\":\"" fees "\",\"reject_reason\":\"\",\"settled\":true}}"

static void test_historical(void)
{
    const struct arb_venue_ops *ops = &arb_venue_coinbase;
    static const char filled[] = HIST("FILLED", "300", "1.001", "0.3003");
    static const char partial[] = HIST("CANCELLED", "200", "1.0010", "0");
    static const char expired[] = HIST("EXPIRED", "0", "0", "0");
    static const char open[] = HIST("OPEN", "100.5", "1.0009", "0.01");
    static const char missing[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n"
                                  "{\"error\":\"NOT_FOUND\",\"message\":\"order with this orderID "
                                  "was not found\"}";
    struct arb_exec e[4];
    char oid[64];

    REQUIRE(ops->parse_exec(filled, strlen(filled), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_FILL);
    CHECK_STR(e[0].clid, "a7e570000000100");
    CHECK_EQ_I64(e[0].filled_qty_e8, 30000000000);
    CHECK_EQ_I64(e[0].avg_px_e8, 100100000);
    CHECK_EQ_I64(e[0].fee_e8, 30030000);
    REQUIRE(ops->parse_exec(partial, strlen(partial), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_PARTIAL);
    CHECK_EQ_I64(e[0].filled_qty_e8, 20000000000);
    REQUIRE(ops->parse_exec(expired, strlen(expired), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_EXPIRED);
    CHECK_EQ_I64(e[0].avg_px_e8, 0);
    /* Not final yet: an ack that carries what has filled, so the order stays live. */
    REQUIRE(ops->parse_exec(open, strlen(open), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
    CHECK_EQ_I64(e[0].filled_qty_e8, 10050000000);
    REQUIRE(ops->parse_exec(missing, strlen(missing), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_REJECT);
    CHECK_EQ_I64(e[0].code, 404);

    /* What still needs asking: a created order, an open one; not a final one or a refusal. */
    CHECK_EQ_I64(ops->rest_pending(created, strlen(created), oid, sizeof(oid)), 18);
    CHECK_STR(oid, "11111-00000-000000");
    CHECK_EQ_I64(ops->rest_pending(open, strlen(open), oid, sizeof(oid)), 6);
    CHECK_STR(oid, "0000-1");
    CHECK_EQ_I64(ops->rest_pending(filled, strlen(filled), oid, sizeof(oid)), 0);
    CHECK_EQ_I64(ops->rest_pending(partial, strlen(partial), oid, sizeof(oid)), 0);
    CHECK_EQ_I64(ops->rest_pending(expired, strlen(expired), oid, sizeof(oid)), 0);
    CHECK_EQ_I64(ops->rest_pending(failed, strlen(failed), oid, sizeof(oid)), 0);
    CHECK_EQ_I64(ops->rest_pending(unauth, strlen(unauth), oid, sizeof(oid)), 0);
    CHECK_EQ_I64(ops->rest_pending(limited, strlen(limited), oid, sizeof(oid)), 0);
    CHECK_EQ_I64(ops->rest_pending(created, strlen(created), oid, 10), -EINVAL);
    vt_malformed_sweep(ops->parse_exec, filled);
    vt_malformed_sweep(ops->parse_exec, open);
}

int main(void)
{
    const struct arb_venue_ops *ops = &arb_venue_coinbase;
    struct arb_exec e[4];
    struct arb_venue_keys k;
    EVP_PKEY *pkey;
    char *pem;

    test_encode("EC", "ES256", 0);
    test_encode("EC", "ES256", 1);
    test_encode("ED25519", "EdDSA", 0);
    /* P-384 is EC but not ES256. */
    {
        EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
        BIO *bio = BIO_new(BIO_s_mem());
        char *data;
        long n;
        REQUIRE(p384 && bio && PEM_write_bio_PrivateKey(bio, p384, NULL, NULL, 0, NULL, NULL));
        n = BIO_get_mem_data(bio, &data);
        pem = strndup(data, (size_t)n);
        CHECK(ops->keys_init(&k, KEY_NAME, pem) == -ENOTSUP);
        free(pem);
        BIO_free(bio);
        EVP_PKEY_free(p384);
    }
    pem = vt_gen_pem("EC", &pkey);
    CHECK(ops->keys_init(&k, "", pem) == -EINVAL);
    CHECK(ops->keys_init(&k, KEY_NAME, "not a key") == -EINVAL);
    EVP_PKEY_free(pkey);
    free(pem);

    REQUIRE(ops->parse_exec(created, strlen(created), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_ACK);
    CHECK_STR(e[0].clid, "arb-12-0");
    REQUIRE(ops->parse_exec(failed, strlen(failed), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_REJECT);
    CHECK_STR(e[0].reason, "INSUFFICIENT_FUND");
    REQUIRE(ops->parse_exec(limited, strlen(limited), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_RATE_LIMIT);
    CHECK_EQ_I64(e[0].code, 429);
    REQUIRE(ops->parse_exec(unauth, strlen(unauth), e, 4) == 1);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_REJECT);
    CHECK_EQ_I64(e[0].code, 401);
    CHECK_STR(e[0].reason, "UNAUTHENTICATED");
    {
        const char *r = "HTTP/1.1 503 Service Unavailable\r\n\r\n{}";
        REQUIRE(ops->parse_exec(r, strlen(r), e, 4) == 1);
        CHECK_EQ_I64(e[0].kind, ARB_EXEC_UNKNOWN);
    }

    REQUIRE(ops->parse_exec(user_msg, strlen(user_msg), e, 4) == 3);
    CHECK_EQ_I64(e[0].kind, ARB_EXEC_PARTIAL);
    CHECK_STR(e[0].clid, "arb-12-0");
    CHECK_EQ_I64(e[0].filled_qty_e8, 60000);
    CHECK_EQ_I64(e[0].avg_px_e8, 999950000000LL);
    CHECK_EQ_I64(e[0].fee_e8, 3599800);
    CHECK_EQ_U64(e[0].venue_ts_ms, 1675974837609ULL);
    CHECK_EQ_I64(e[1].kind, ARB_EXEC_FILL);
    CHECK_EQ_I64(e[2].kind, ARB_EXEC_REJECT);
    CHECK_STR(e[2].reason, "INSUFFICIENT_FUNDS");
    CHECK(ops->parse_exec(user_msg, strlen(user_msg), e, 2) == -ENOSPC);
    {
        const char *hb = "{\"channel\":\"heartbeats\",\"client_id\":\"\",\"timestamp\":"
                         "\"2023-06-23T20:31:26.122969572Z\",\"sequence_num\":0,\"events\":[{"
                         "\"current_time\":\"2023-06-23 20:31:56.121961769 +0000 UTC\","
                         "\"heartbeat_counter\":3049}]}";
        CHECK_EQ_I64(ops->parse_exec(hb, strlen(hb), e, 4), 0);
    }
    vt_malformed_sweep(ops->parse_exec, created);
    vt_malformed_sweep(ops->parse_exec, failed);
    vt_malformed_sweep(ops->parse_exec, user_msg);
    test_pool();
    test_historical();
    return T_DONE();
}
