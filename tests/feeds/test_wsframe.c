/* SPDX-License-Identifier: MIT */
/* feeds/wsframe.c against RFC 6455's own examples (5.7, 1.3) and its protocol rules. */
#include "feeds/wsframe.h"
#include "test.h"

#include <errno.h>

#define MAXP UINT64_MAX

static void check_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what)
{
    if (memcmp(got, want, n) != 0)
        T_FAIL("%s: bytes differ", what);
}

/* 5.7: every example, decoded and re-encoded byte for byte. */
static void test_rfc_examples(void)
{
    static const uint8_t hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const uint8_t hello_masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                           0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t frag1[] = {0x01, 0x03, 0x48, 0x65, 0x6c};
    static const uint8_t frag2[] = {0x80, 0x02, 0x6c, 0x6f};
    static const uint8_t ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    static const uint8_t pong_masked[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                          0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t bin256[] = {0x82, 0x7E, 0x01, 0x00};
    static const uint8_t bin64k[] = {0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    struct arb_ws_frame f;
    uint8_t out[ARB_WS_HEADER_MAX + 16];

    CHECK_EQ_I64(arb_ws_frame_decode(hello, sizeof(hello), MAXP, &f), 2);
    CHECK(f.fin == 1 && f.opcode == ARB_WS_TEXT && !f.masked && f.payload_len == 5);
    CHECK(memcmp(hello + 2, "Hello", 5) == 0);
    CHECK_EQ_U64(arb_ws_frame_encode(out, 1, ARB_WS_TEXT, 5, NULL), 2);
    memcpy(out + 2, "Hello", 5);
    check_bytes(out, hello, sizeof(hello), "unmasked Hello");

    CHECK_EQ_I64(arb_ws_frame_decode(hello_masked, sizeof(hello_masked), MAXP, &f), 6);
    CHECK(f.fin == 1 && f.opcode == ARB_WS_TEXT && f.masked && f.payload_len == 5);
    CHECK(memcmp(f.mask, key, 4) == 0);
    memcpy(out, hello_masked, sizeof(hello_masked));
    arb_ws_mask(out + 6, 5, f.mask, 0);
    CHECK(memcmp(out + 6, "Hello", 5) == 0);
    CHECK_EQ_U64(arb_ws_frame_encode(out, 1, ARB_WS_TEXT, 5, key), 6);
    memcpy(out + 6, "Hello", 5);
    arb_ws_mask(out + 6, 5, key, 0);
    check_bytes(out, hello_masked, sizeof(hello_masked), "masked Hello");

    CHECK_EQ_I64(arb_ws_frame_decode(frag1, sizeof(frag1), MAXP, &f), 2);
    CHECK(f.fin == 0 && f.opcode == ARB_WS_TEXT && f.payload_len == 3);
    CHECK_EQ_I64(arb_ws_frame_decode(frag2, sizeof(frag2), MAXP, &f), 2);
    CHECK(f.fin == 1 && f.opcode == ARB_WS_CONT && f.payload_len == 2);
    arb_ws_frame_encode(out, 0, ARB_WS_TEXT, 3, NULL);
    check_bytes(out, frag1, 2, "first fragment");
    arb_ws_frame_encode(out, 1, ARB_WS_CONT, 2, NULL);
    check_bytes(out, frag2, 2, "last fragment");

    CHECK_EQ_I64(arb_ws_frame_decode(ping, sizeof(ping), MAXP, &f), 2);
    CHECK(f.fin == 1 && f.opcode == ARB_WS_PING && f.payload_len == 5);
    CHECK_EQ_I64(arb_ws_frame_decode(pong_masked, sizeof(pong_masked), MAXP, &f), 6);
    CHECK(f.opcode == ARB_WS_PONG && f.masked);
    arb_ws_frame_encode(out, 1, ARB_WS_PONG, 5, key);
    memcpy(out + 6, "Hello", 5);
    arb_ws_mask(out + 6, 5, key, 0);
    check_bytes(out, pong_masked, sizeof(pong_masked), "masked pong");

    CHECK_EQ_I64(arb_ws_frame_decode(bin256, sizeof(bin256), MAXP, &f), 4);
    CHECK(f.opcode == ARB_WS_BINARY && f.payload_len == 256);
    CHECK_EQ_U64(arb_ws_frame_encode(out, 1, ARB_WS_BINARY, 256, NULL), 4);
    check_bytes(out, bin256, sizeof(bin256), "256-byte binary header");

    CHECK_EQ_I64(arb_ws_frame_decode(bin64k, sizeof(bin64k), MAXP, &f), 10);
    CHECK(f.opcode == ARB_WS_BINARY && f.payload_len == 65536);
    CHECK_EQ_U64(arb_ws_frame_encode(out, 1, ARB_WS_BINARY, 65536, NULL), 10);
    check_bytes(out, bin64k, sizeof(bin64k), "64 KiB binary header");
}

/* All three length encodings, at and around their boundaries, masked and not. */
static void test_lengths(void)
{
    static const uint64_t lens[] = {
        0, 1, 124, 125, 126, 127, 65535, 65536, 65537, 1ull << 32, (1ull << 63) - 1};
    static const uint8_t key[4] = {1, 2, 3, 4};
    uint8_t out[ARB_WS_HEADER_MAX];
    struct arb_ws_frame f;

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (int m = 0; m < 2; m++) {
            uint64_t len = lens[i];
            size_t want = (len < 126 ? 2 : len < 65536 ? 4 : 10) + (m ? 4 : 0);
            size_t h = arb_ws_frame_encode(out, 1, ARB_WS_BINARY, len, m ? key : NULL);
            CHECK_EQ_U64(h, want);
            CHECK_EQ_I64(arb_ws_frame_decode(out, h, MAXP, &f), (int)h);
            CHECK_EQ_U64(f.payload_len, len);
            CHECK_EQ_U64(f.header_len, h);
            CHECK_EQ_I64(f.masked, m);
            /* Every proper prefix asks for more bytes rather than guessing. */
            for (size_t k = 0; k < h; k++)
                CHECK_EQ_I64(arb_ws_frame_decode(out, k, MAXP, &f), 0);
        }
    }
}

/* Masking in pieces, at any offset, equals masking byte by byte from the start. */
static void test_mask_offsets(void)
{
    uint64_t seed = 42;
    uint8_t ref[300], buf[300], key[4];

    for (int round = 0; round < 200; round++) {
        uint64_t r = t_rand(&seed);
        memcpy(key, &r, 4);
        for (size_t i = 0; i < sizeof(ref); i++)
            ref[i] = buf[i] = (uint8_t)t_rand(&seed);
        for (size_t i = 0; i < sizeof(ref); i++)
            ref[i] ^= key[i % 4];
        size_t off = 0;
        while (off < sizeof(buf)) {
            size_t n = 1 + t_rand(&seed) % 40;
            if (n > sizeof(buf) - off)
                n = sizeof(buf) - off;
            arb_ws_mask(buf + off, n, key, off);
            off += n;
        }
        if (memcmp(buf, ref, sizeof(buf)) != 0) {
            T_FAIL("mask round %d differs", round);
            break;
        }
    }
}

static void expect_decode(const uint8_t *b, size_t n, uint64_t max, int want, const char *what)
{
    struct arb_ws_frame f;
    int rc = arb_ws_frame_decode(b, n, max, &f);
    if (rc != want)
        T_FAIL("%s: got %d, want %d", what, rc, want);
}

static void test_violations(void)
{
    struct {
        uint8_t b[14];
        size_t n;
        const char *what;
    } bad[] = {
        {{0xC1, 0x00}, 2, "RSV1"},
        {{0xA1, 0x00}, 2, "RSV2"},
        {{0x91, 0x00}, 2, "RSV3"},
        {{0x83, 0x00}, 2, "opcode 3"},
        {{0x87, 0x00}, 2, "opcode 7"},
        {{0x8B, 0x00}, 2, "opcode 0xB"},
        {{0x8F, 0x00}, 2, "opcode 0xF"},
        {{0x09, 0x00}, 2, "fragmented ping"},
        {{0x08, 0x00}, 2, "fragmented close"},
        {{0x0A, 0x00}, 2, "fragmented pong"},
        {{0x89, 0x7E, 0x00, 0x7E}, 4, "ping with 126-byte payload"},
        {{0x88, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}, 10, "close with 64-bit length"},
        {{0x82, 0x7E, 0x00, 0x7D}, 4, "125 in the 16-bit form"},
        {{0x82, 0x7E, 0x00, 0x00}, 4, "0 in the 16-bit form"},
        {{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, 10, "65535 in the 64-bit form"},
        {{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x7D}, 10, "125 in the 64-bit form"},
        {{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}, 10, "64-bit length with the top bit"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_decode(bad[i].b, bad[i].n, MAXP, -EPROTO, bad[i].what);

    /* A bad first byte fails before the rest has arrived. */
    static const uint8_t rsv[] = {0xC1};
    expect_decode(rsv, 1, MAXP, -EPROTO, "RSV1 alone");

    /* A 125-byte ping is the largest legal control frame. */
    static const uint8_t ping125[] = {0x89, 0x7D};
    expect_decode(ping125, 2, MAXP, 2, "125-byte ping");

    static const uint8_t big[] = {0x82, 0x7E, 0x01, 0x00};
    expect_decode(big, 4, 255, -EMSGSIZE, "256 over a 255 limit");
    expect_decode(big, 4, 256, 4, "256 at a 256 limit");
    static const uint8_t huge[] = {0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    expect_decode(huge, 10, 1u << 20, -EMSGSIZE, "2^63-1 over 1 MiB");
}

/* RFC 6455 1.3's worked example, and one computed independently with openssl(1). */
static void test_accept(void)
{
    char out[29];
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";

    /* The value printed in RFC 6455 1.3 (and what openssl sha1 | base64 gives). */
    arb_ws_accept(key, strlen(key), out);
    CHECK_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /* printf 'x3JJHMbDL1EzLkh9GBhXDw==258EAFA5-E914-47DA-95CA-C5AB0DC85B11' |
     * openssl sha1 -binary | base64 */
    key = "x3JJHMbDL1EzLkh9GBhXDw==";
    arb_ws_accept(key, strlen(key), out);
    CHECK_STR(out, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

int main(void)
{
    test_rfc_examples();
    test_lengths();
    test_mask_offsets();
    test_violations();
    test_accept();
    return T_DONE();
}
