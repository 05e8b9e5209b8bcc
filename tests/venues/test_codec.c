/* SPDX-License-Identifier: MIT */
/*
 * venues/codec.c: hex and base64 against OpenSSL's encoders, base64 decoding
 * round trips and refusals, the bounded writer, and the HTTP response split.
 */
#include "test.h"
#include "venues/codec.h"

#include <openssl/evp.h>

int main(void)
{
    uint64_t seed = 3;
    char buf[64];
    struct arb_wbuf w;
    const char *body;
    size_t blen;
    int status = 0;

    for (int i = 0; i < 1000; i++) {
        unsigned char in[200], back[200];
        char ours[300], ref[300];
        size_t n = t_rand(&seed) % sizeof(in), m;
        int rl, dl;
        for (size_t j = 0; j < n; j++)
            in[j] = (unsigned char)t_rand(&seed);
        m = arb_b64_encode(ours, in, n);
        rl = EVP_EncodeBlock((unsigned char *)ref, in, (int)n);
        CHECK_EQ_U64(m, (size_t)rl);
        CHECK_EQ_U64(m, ARB_B64_LEN(n));
        if (memcmp(ours, ref, m) != 0)
            T_FAIL("base64 of %zu bytes differs from OpenSSL", n);
        dl = arb_b64_decode(back, sizeof(back), ours, m);
        CHECK_EQ_I64(dl, (long long)n);
        if (dl == (int)n && memcmp(back, in, n) != 0)
            T_FAIL("base64 round trip of %zu bytes", n);
        /* base64url is base64 with two letters swapped and no padding. */
        m = arb_b64url_encode(ours, in, n);
        CHECK_EQ_U64(m, ARB_B64URL_LEN(n));
        for (size_t j = 0; j < m; j++) {
            char c = ref[j] == '+' ? '-' : ref[j] == '/' ? '_' : ref[j];
            if (ours[j] != c) {
                T_FAIL("base64url of %zu bytes at %zu", n, j);
                break;
            }
        }
    }
    {
        unsigned char b[8];
        CHECK(arb_b64_decode(b, sizeof(b), "QUJD*A==", 8) == -EINVAL);
        CHECK(arb_b64_decode(b, sizeof(b), "QUJDR", 5) == -EINVAL);
        CHECK(arb_b64_decode(b, 2, "QUJD", 4) == -ENOSPC);
        CHECK(arb_b64_decode(b, sizeof(b), "QUJD", 4) == 3 && memcmp(b, "ABC", 3) == 0);
    }
    {
        unsigned char in[3] = {0x00, 0xab, 0xff};
        char hex[7] = {0};
        arb_hex_encode(hex, in, 3);
        CHECK_STR(hex, "00abff");
    }

    arb_wbuf_init(&w, buf, 12);
    ARB_WBUF_LIT(&w, "id=");
    arb_wbuf_u64(&w, 18446744073709551615ULL);
    CHECK(arb_wbuf_len(&w) == -ENOSPC);
    arb_wbuf_init(&w, buf, sizeof(buf));
    arb_wbuf_u64(&w, 0);
    ARB_WBUF_LIT(&w, ",");
    arb_wbuf_fixed(&w, 5200000000000LL);
    ARB_WBUF_LIT(&w, ",");
    arb_wbuf_fixed(&w, 1000000LL);
    CHECK_EQ_I64(arb_wbuf_len(&w), 12);
    buf[12] = '\0';
    CHECK_STR(buf, "0,52000,0.01");

    CHECK(arb_venue_text_ok("arb-1_A.b:c/d", 13));
    CHECK(!arb_venue_text_ok("a b", 3) && !arb_venue_text_ok("a\"b", 3) &&
          !arb_venue_text_ok("a&b", 3) && !arb_venue_text_ok("", 0));

    {
        const char *r = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n\r\n{\"a\":1}";
        CHECK(arb_http_split(r, strlen(r), &status, &body, &blen) == 1);
        CHECK_EQ_I64(status, 429);
        CHECK(blen == 7 && memcmp(body, "{\"a\":1}", 7) == 0);
        CHECK(arb_http_split("{\"a\":1}", 7, &status, &body, &blen) == 0);
        CHECK(arb_http_split(r, 30, &status, &body, &blen) == -EINVAL);
        CHECK(arb_http_split("HTTP/1.1 2x0 OK\r\n\r\n", 19, &status, &body, &blen) == -EINVAL);
    }
    return T_DONE();
}
