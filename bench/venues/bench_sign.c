/* SPDX-License-Identifier: MIT */
/*
 * Order signing: HMAC-SHA256 + hex of a 128-byte order string with the pads
 * hashed once (venues/hmac.c) against OpenSSL's EVP_MAC, both as a normal
 * caller uses it (a context made, keyed and freed per signature) and at its
 * best (EVP_MAC_CTX_dup of a keyed context). Then encode_order per venue,
 * with the bytes it allocates. Medians of interleaved repetitions.
 */
#include "bench/alloc.h"
#include "bench/bench.h"
#include "venues/binance.h"
#include "venues/codec.h"
#include "venues/hmac.h"
#include "venues/kraken.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

/* Binance's documented example secret: a public test vector. */
#define SECRET  "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
#define APIKEY  "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
#define MSG_LEN 128

static char msg[MSG_LEN + 1];
static EVP_MAC *mac;
static OSSL_PARAM params[2];
static EVP_MAC_CTX *keyed;

static void sign_ours(const struct arb_hmac *h, char *hex)
{
    unsigned char d[32];

    arb_hmac_sign(h, msg, MSG_LEN, d);
    arb_hex_encode(hex, d, sizeof(d));
}

static void sign_evp_new(char *hex)
{
    EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac);
    unsigned char d[32];
    size_t n = 0;

    ARB_BENCH_CHECK(c && EVP_MAC_init(c, (const unsigned char *)SECRET, strlen(SECRET), params));
    ARB_BENCH_CHECK(EVP_MAC_update(c, (const unsigned char *)msg, MSG_LEN));
    ARB_BENCH_CHECK(EVP_MAC_final(c, d, &n, sizeof(d)) && n == 32);
    EVP_MAC_CTX_free(c);
    arb_hex_encode(hex, d, sizeof(d));
}

static void sign_evp_dup(char *hex)
{
    EVP_MAC_CTX *c = EVP_MAC_CTX_dup(keyed);
    unsigned char d[32];
    size_t n = 0;

    ARB_BENCH_CHECK(c && EVP_MAC_update(c, (const unsigned char *)msg, MSG_LEN));
    ARB_BENCH_CHECK(EVP_MAC_final(c, d, &n, sizeof(d)) && n == 32);
    EVP_MAC_CTX_free(c);
    arb_hex_encode(hex, d, sizeof(d));
}

static void bench_hmac(int reps)
{
    const uint64_t iters = arb_bench_env_u64("ARB_BENCH_SIGN_ITERS", 20000);
    struct arb_bench_series ours = {0}, evp_new = {0}, evp_dup = {0};
    struct arb_hmac h;
    char a[65] = {0}, b[65] = {0}, c[65] = {0};

    /* A realistic order payload, cut to exactly 128 bytes. */
    {
        static const char full[] =
            "newClientOrderId=arb-1234567-0&price=1.0001&quantity=25000&recvWindow=5000&"
            "side=BUY&symbol=USDCUSDT&timeInForce=IOC&timestamp=1700000000000&type=LIMIT";
        _Static_assert(sizeof(full) - 1 >= MSG_LEN, "the payload covers 128 bytes");
        memcpy(msg, full, MSG_LEN);
    }
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    keyed = EVP_MAC_CTX_new(mac);
    ARB_BENCH_CHECK(mac && keyed &&
                    EVP_MAC_init(keyed, (const unsigned char *)SECRET, strlen(SECRET), params));
    ARB_BENCH_CHECK(arb_hmac_init(&h, ARB_HMAC_SHA256, SECRET, strlen(SECRET)) == 0);

    /* Same digest from all three before any timing counts. */
    sign_ours(&h, a);
    sign_evp_new(b);
    sign_evp_dup(c);
    ARB_BENCH_CHECK(strcmp(a, b) == 0 && strcmp(a, c) == 0);

    for (int r = 0; r < reps; r++) {
        uint64_t t0 = arb_bench_now_ns();
        for (uint64_t i = 0; i < iters; i++) {
            msg[0] = (char)('a' + (i & 7)); /* a different message each time */
            sign_ours(&h, a);
            arb_bench_clobber(a);
        }
        uint64_t t1 = arb_bench_now_ns();
        for (uint64_t i = 0; i < iters; i++) {
            msg[0] = (char)('a' + (i & 7));
            sign_evp_new(b);
            arb_bench_clobber(b);
        }
        uint64_t t2 = arb_bench_now_ns();
        for (uint64_t i = 0; i < iters; i++) {
            msg[0] = (char)('a' + (i & 7));
            sign_evp_dup(c);
            arb_bench_clobber(c);
        }
        uint64_t t3 = arb_bench_now_ns();
        arb_bench_add(&ours, (double)(t1 - t0) / (double)iters);
        arb_bench_add(&evp_new, (double)(t2 - t1) / (double)iters);
        arb_bench_add(&evp_dup, (double)(t3 - t2) / (double)iters);
    }
    ARB_BENCH_CHECK(strcmp(a, b) == 0 && strcmp(a, c) == 0); /* last message: 'a' + 7 */
    arb_bench_report("sign", "hmac_sha256_hex_128B_ns", "ns", &ours, "openssl_evp_mac", &evp_new,
                     false);
    arb_bench_report("sign", "hmac_sha256_hex_128B_vs_dup_ns", "ns", &ours,
                     "openssl_evp_mac_ctx_dup", &evp_dup, false);
    arb_hmac_wipe(&h);
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
}

struct venue_case {
    const char *metric;
    const struct arb_venue_ops *ops;
    const char *symbol;
    int rest; /* Binance REST form instead of encode_order */
    struct arb_venue_keys k;
    struct arb_bench_series ns;
    int64_t bytes; /* allocated per order, -1 when not countable */
};

static char *gen_pem(const char *type)
{
    EVP_PKEY *p = strcmp(type, "EC") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                                          : EVP_PKEY_Q_keygen(NULL, NULL, type);
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *pem;
    long n;

    ARB_BENCH_CHECK(p && bio && PEM_write_bio_PrivateKey(bio, p, NULL, NULL, 0, NULL, NULL));
    n = BIO_get_mem_data(bio, &data);
    pem = strndup(data, (size_t)n);
    BIO_free(bio);
    EVP_PKEY_free(p);
    return pem;
}

static int encode(struct venue_case *v, struct arb_order *o, char *buf, size_t len)
{
    return v->rest ? arb_binance_rest_order(&v->k, o, buf, len)
                   : v->ops->encode_order(&v->k, o, buf, len);
}

static void bench_encode(int reps)
{
    const uint64_t iters = arb_bench_env_u64("ARB_BENCH_ENCODE_ITERS", 20000);
    char *ed = gen_pem("ED25519"), *ec = gen_pem("EC");
    struct venue_case cases[] = {
        {.metric = "encode_binance_ws_hmac_ns",
         .ops = arb_venue_ops_find("binance"),
         .symbol = "USDCUSDT",
         .rest = 0},
        {.metric = "encode_binance_rest_hmac_ns",
         .ops = arb_venue_ops_find("binance"),
         .symbol = "USDCUSDT",
         .rest = 1},
        {.metric = "encode_binance_ws_ed25519_ns",
         .ops = arb_venue_ops_find("binance"),
         .symbol = "USDCUSDT",
         .rest = 0},
        {.metric = "encode_binance_futures_ws_hmac_ns",
         .ops = arb_venue_ops_find("binance-futures"),
         .symbol = "USDCUSDT",
         .rest = 0},
        {.metric = "encode_kraken_ws_ns",
         .ops = arb_venue_ops_find("kraken"),
         .symbol = "USDC/USD",
         .rest = 0},
        {.metric = "encode_coinbase_rest_es256_ns",
         .ops = arb_venue_ops_find("coinbase"),
         .symbol = "USDC-USD",
         .rest = 0},
    };
    const int nc = (int)(sizeof(cases) / sizeof(cases[0]));
    struct arb_leg leg = {.px_e8 = 100010000, .qty_e8 = 2500000000000LL, .side = ARB_SIDE_BUY};
    struct arb_order o = {.leg = &leg, .ts_ms = 1700000000000ULL};
    char buf[2048];

    strcpy(o.clid, "arb-1234567-0");
    ARB_BENCH_CHECK(cases[0].ops->keys_init(&cases[0].k, APIKEY, SECRET) == 0);
    ARB_BENCH_CHECK(cases[1].ops->keys_init(&cases[1].k, APIKEY, SECRET) == 0);
    ARB_BENCH_CHECK(cases[2].ops->keys_init(&cases[2].k, APIKEY, ed) == 0);
    ARB_BENCH_CHECK(cases[3].ops->keys_init(&cases[3].k, APIKEY, SECRET) == 0);
    /* Kraken's documented example secret, and a fixed 43-character token: signing needs
     * no live session, only a token of the real length in the request. */
    ARB_BENCH_CHECK(cases[4].ops->keys_init(&cases[4].k, "bench",
                                            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18f"
                                            "WxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==") == 0);
    ARB_BENCH_CHECK(
        arb_kraken_set_token(&cases[4].k, "G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY", 43) == 0);
    ARB_BENCH_CHECK(cases[5].ops->keys_init(&cases[5].k, "organizations/bench/apiKeys/bench", ec) ==
                    0);

    for (int c = 0; c < nc; c++) {
        struct venue_case *v = &cases[c];
        int64_t before;
        o.symbol = v->symbol;
        o.symbol_len = strlen(v->symbol);
        ARB_BENCH_CHECK(encode(v, &o, buf, sizeof(buf)) > 0);
        before = arb_bench_allocated();
        for (int i = 0; i < 100; i++)
            ARB_BENCH_CHECK(encode(v, &o, buf, sizeof(buf)) > 0);
        v->bytes = before < 0 ? -1 : (arb_bench_allocated() - before) / 100;
    }
    for (int r = 0; r < reps; r++) {
        for (int c = 0; c < nc; c++) {
            struct venue_case *v = &cases[c];
            /* Public-key signatures cost tens of µs: fewer of them keep the run short. */
            uint64_t n = c >= 5 || c == 2 ? iters / 20 : iters, t0;
            o.symbol = v->symbol;
            o.symbol_len = strlen(v->symbol);
            t0 = arb_bench_now_ns();
            for (uint64_t i = 0; i < n; i++) {
                o.ts_ms++;
                o.req_id++;
                ARB_BENCH_CHECK(encode(v, &o, buf, sizeof(buf)) > 0);
                arb_bench_clobber(buf);
            }
            arb_bench_add(&v->ns, (double)(arb_bench_now_ns() - t0) / (double)n);
        }
    }
    for (int c = 0; c < nc; c++) {
        char metric[96];
        arb_bench_report("encode_order", cases[c].metric, "ns", &cases[c].ns, NULL, NULL, false);
        snprintf(metric, sizeof(metric), "%.*s_alloc_bytes", (int)(strlen(cases[c].metric) - 3),
                 cases[c].metric);
        arb_bench_json("encode_order", metric, (double)cases[c].bytes, "B", NULL, 0, false);
        cases[c].ops->keys_free(&cases[c].k);
    }
    free(ed);
    free(ec);
}

int main(void)
{
    int reps = arb_bench_reps();

    bench_hmac(reps);
    bench_encode(reps);
    return 0;
}
