/* SPDX-License-Identifier: MIT */
/* Cold halves of the order-path codecs: base64 both ways and the HTTP response split. */
#include "codec.h"

const char arb_hex_pairs[513] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                                "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                                "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                                "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                                "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                                "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                                "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                                "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

static const char b64_std[65] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[65] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64_encode(char *out, const unsigned char *in, size_t n, const char *alpha, bool pad)
{
    size_t o = 0, i = 0;

    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        if (pad)
            out[o++] = '=';
    }
    return o;
}

size_t arb_b64_encode(char *out, const unsigned char *in, size_t n)
{
    return b64_encode(out, in, n, b64_std, true);
}

size_t arb_b64url_encode(char *out, const unsigned char *in, size_t n)
{
    return b64_encode(out, in, n, b64_url, false);
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int arb_b64_decode(unsigned char *out, size_t cap, const char *in, size_t n)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;

    while (n > 0 && in[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        int v = b64_val(in[i]);
        if (v < 0)
            return -EINVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -ENOSPC;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (int)o;
}

int arb_http_split(const char *msg, size_t len, int *status, const char **body, size_t *blen)
{
    int st = 0;

    if (len < 5 || memcmp(msg, "HTTP/", 5) != 0)
        return 0;
    /* "HTTP/1.1 200 OK": the status is the three digits after the first space. */
    {
        const char *sp = memchr(msg, ' ', len);
        if (!sp || (size_t)(msg + len - sp) < 4)
            return -EINVAL;
        for (int i = 1; i <= 3; i++) {
            unsigned d = (unsigned)(sp[i] - '0');
            if (d >= 10)
                return -EINVAL;
            st = st * 10 + (int)d;
        }
    }
    for (size_t i = 0; i + 4 <= len; i++) {
        if (msg[i] == '\r' && memcmp(msg + i, "\r\n\r\n", 4) == 0) {
            *status = st;
            *body = msg + i + 4;
            *blen = len - i - 4;
            return 1;
        }
    }
    return -EINVAL;
}
