/* SPDX-License-Identifier: MIT */
/* RFC 6455 frame headers, payload masking and the opening-handshake accept key. */
#include "wsframe.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

/* RFC 6455 1.3: the GUID every server appends to the client's key. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

static int opcode_known(unsigned op)
{
    return op <= ARB_WS_BINARY || (op >= ARB_WS_CLOSE && op <= ARB_WS_PONG);
}

int arb_ws_frame_decode(const uint8_t *buf, size_t len, uint64_t max_payload,
                        struct arb_ws_frame *f)
{
    if (len < 1)
        return 0;
    unsigned b0 = buf[0], op = b0 & 0x0f;
    /* Checked on the first byte alone, so a stream fails as early as it can. */
    if ((b0 & 0x70) || !opcode_known(op))
        return -EPROTO;
    if ((op & 0x8) && !(b0 & 0x80))
        return -EPROTO; /* 5.5: control frames must not be fragmented */
    if (len < 2)
        return 0;

    unsigned b1 = buf[1], len7 = b1 & 0x7f;
    size_t hlen = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) ? 4 : 0);
    uint64_t plen = len7;

    if ((op & 0x8) && len7 > 125)
        return -EPROTO; /* 5.5: control payloads fit in the 7-bit length */
    if (len < hlen)
        return 0;
    if (len7 == 126) {
        plen = (uint64_t)buf[2] << 8 | buf[3];
        if (plen < 126)
            return -EPROTO; /* 5.2: the minimal number of bytes must be used */
    } else if (len7 == 127) {
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | buf[2 + i];
        if (plen >> 63)
            return -EPROTO; /* 5.2: the most significant bit must be 0 */
        if (plen < 65536)
            return -EPROTO;
    }
    if (plen > max_payload)
        return -EMSGSIZE;

    f->fin = (uint8_t)(b0 >> 7);
    f->opcode = (uint8_t)op;
    f->masked = (uint8_t)(b1 >> 7);
    if (f->masked)
        memcpy(f->mask, buf + hlen - 4, 4);
    else
        memset(f->mask, 0, 4);
    f->header_len = (uint32_t)hlen;
    f->payload_len = plen;
    return (int)hlen;
}

size_t arb_ws_frame_encode(uint8_t *out, int fin, enum arb_ws_opcode opcode, uint64_t payload_len,
                           const uint8_t *mask)
{
    size_t n = 2;

    out[0] = (uint8_t)((fin ? 0x80 : 0) | ((unsigned)opcode & 0x0f));
    if (payload_len < 126) {
        out[1] = (uint8_t)payload_len;
    } else if (payload_len <= 0xffff) {
        out[1] = 126;
        out[2] = (uint8_t)(payload_len >> 8);
        out[3] = (uint8_t)payload_len;
        n = 4;
    } else {
        out[1] = 127;
        for (int i = 0; i < 8; i++)
            out[2 + i] = (uint8_t)(payload_len >> (56 - 8 * i));
        n = 10;
    }
    if (mask) {
        out[1] |= 0x80;
        memcpy(out + n, mask, 4);
        n += 4;
    }
    return n;
}

void arb_ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset)
{
    uint8_t rot[8];
    uint64_t m8;
    size_t i = 0;

    /* Rotate the key so that rot[0] applies to p[0]; then 8 bytes per step. */
    for (int k = 0; k < 8; k++)
        rot[k] = mask[(offset + (uint64_t)k) & 3];
    memcpy(&m8, rot, 8);
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        v ^= m8;
        memcpy(p + i, &v, 8);
    }
    for (; i < n; i++)
        p[i] ^= rot[i & 7];
}

static inline uint32_t rol32(uint32_t x, int n)
{
    return x << n | x >> (32 - n);
}

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[80];

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

/*
 * SHA-1 (FIPS 180-4 6.1) of at most a few blocks. Our own because OpenSSL
 * 3's SHA1() goes through EVP_Q_digest, which fetches and allocates: this
 * header promises no allocation, and the venue simulator calls it per accept.
 */
static void sha1(const uint8_t *m, size_t len, uint8_t out[20])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    uint8_t tail[128];
    size_t full = len & ~(size_t)63, rest = len - full;

    for (size_t i = 0; i < full; i += 64)
        sha1_block(h, m + i);
    memset(tail, 0, sizeof(tail));
    memcpy(tail, m + full, rest);
    tail[rest] = 0x80;
    size_t tl = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tl - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t i = 0; i < tl; i += 64)
        sha1_block(h, tail + i);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

void arb_ws_accept(const char *key, size_t key_len, char out[29])
{
    uint8_t buf[128 + sizeof(ws_guid)];
    uint8_t md[20];

    /* Real keys are 24 characters; a longer one is truncated rather than overflowing. */
    if (key_len > 128)
        key_len = 128;
    memcpy(buf, key, key_len);
    memcpy(buf + key_len, ws_guid, sizeof(ws_guid) - 1);
    sha1(buf, key_len + sizeof(ws_guid) - 1, md);
    /* 20 bytes give 28 base64 characters plus the NUL; EVP_EncodeBlock allocates nothing. */
    EVP_EncodeBlock((unsigned char *)out, md, sizeof(md));
}
