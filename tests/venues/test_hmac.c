/* SPDX-License-Identifier: MIT */
/*
 * venues/hmac.c: the venues' documented signature examples byte for byte, and
 * random keys and messages against OpenSSL's own HMAC.
 */
#include "test.h"
#include "venues/codec.h"
#include "venues/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* Binance's documented HMAC example keys (public test vectors, not credentials). */
#define BN_SECRET "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
#define BN_APIKEY "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"

static void hex_of(const struct arb_hmac *h, const char *msg, char *hex)
{
    unsigned char mac[ARB_HMAC_MAX_LEN];
    size_t n = arb_hmac_sign(h, msg, strlen(msg), mac);

    arb_hex_encode(hex, mac, n);
    hex[2 * n] = '\0';
}

int main(void)
{
    struct arb_hmac h, hp;
    char hex[2 * ARB_HMAC_MAX_LEN + 1];
    uint64_t seed = 7;

    REQUIRE(arb_hmac_init(&h, ARB_HMAC_SHA256, BN_SECRET, strlen(BN_SECRET)) == 0);
    /* REST API docs, "SIGNED Endpoint Examples for POST /api/v3/order". */
    hex_of(&h,
           "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow="
           "5000&timestamp=1499827319559",
           hex);
    CHECK_STR(hex, "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    /* WebSocket API docs, "SIGNED request example (HMAC)". */
    hex_of(&h,
           "apiKey=" BN_APIKEY "&newOrderRespType=ACK&price=52000.00&quantity=0.01000000&"
           "recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&"
           "type=LIMIT",
           hex);
    CHECK_STR(hex, "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a");
    /* A prefix absorbed once gives the same MAC as signing it every time. */
    hp = h;
    arb_hmac_absorb(&hp, "apiKey=" BN_APIKEY "&", strlen("apiKey=" BN_APIKEY "&"));
    hex_of(&hp,
           "newOrderRespType=ACK&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&"
           "symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
           hex);
    CHECK_STR(hex, "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a");
    arb_hmac_wipe(&hp);

    /* Random keys (shorter and longer than a block) and messages against OpenSSL. */
    for (int i = 0; i < 2000; i++) {
        int alg = i % 2 ? ARB_HMAC_SHA512 : ARB_HMAC_SHA256;
        unsigned char key[300], msg[600], ours[64], ref[64];
        size_t kl = t_rand(&seed) % sizeof(key), ml = t_rand(&seed) % sizeof(msg), n;
        unsigned int rl = 0;
        for (size_t j = 0; j < kl; j++)
            key[j] = (unsigned char)t_rand(&seed);
        for (size_t j = 0; j < ml; j++)
            msg[j] = (unsigned char)t_rand(&seed);
        REQUIRE(arb_hmac_init(&h, alg, key, kl) == 0);
        n = arb_hmac_sign(&h, msg, ml, ours);
        HMAC(alg == ARB_HMAC_SHA256 ? EVP_sha256() : EVP_sha512(), key, (int)kl, msg, ml, ref, &rl);
        CHECK_EQ_U64(n, rl);
        if (memcmp(ours, ref, rl) != 0)
            T_FAIL("alg %d key %zu msg %zu: MAC differs from OpenSSL", alg, kl, ml);
    }
    CHECK(arb_hmac_init(&h, 99, "k", 1) == -EINVAL);
    return T_DONE();
}
