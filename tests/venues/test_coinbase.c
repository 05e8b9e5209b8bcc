/* SPDX-License-Identifier: MIT */
/*
 * venues/coinbase.c: the create-order request (body and headers in the
 * documented shape), its JWT decoded and its ES256/EdDSA signature verified
 * independently with keys generated here, and the documented answers and
 * user-channel updates parsed.
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
static void check_jwt(char *jwt, EVP_PKEY *pkey, const char *alg, uint64_t now_s)
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
        memset(nonce, 'x', 32);
    }
    snprintf(want, sizeof(want),
             "{\"alg\":\"%s\",\"kid\":\"" KEY_NAME "\",\"nonce\":\"%s\",\"typ\":\"JWT\"}", alg,
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    CHECK_STR((char *)hdr, want);
    snprintf(want, sizeof(want),
             "{\"sub\":\"" KEY_NAME "\",\"iss\":\"cdp\",\"nbf\":%llu,\"exp\":%llu,\"uri\":"
             "\"POST api.coinbase.com/api/v3/brokerage/orders\"}",
             (unsigned long long)now_s, (unsigned long long)now_s + 120);
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
    check_jwt(jwt, pkey, alg, 1700000000ULL);
    CHECK(ops->encode_order(&k, &o, buf, 300) == -ENOSPC);
    ops->keys_free(&k);
    EVP_PKEY_free(pkey);
    free(pem);
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
    return T_DONE();
}
