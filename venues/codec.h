/* SPDX-License-Identifier: MIT */
/*
 * Text codecs for the order path: a bounded writer, hex and base64 by table
 * (no sprintf, no allocation), decimals as venues spell them, and the split
 * of an HTTP/1.1 response into status and body.
 */
#ifndef ARB_VENUES_CODEC_H
#define ARB_VENUES_CODEC_H

#include "core/fixed.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A bounded writer: once a write does not fit it is dropped and `full` stays set. */
struct arb_wbuf {
    char *p;    /* next byte to write */
    char *end;  /* one past the last writable byte */
    char *base; /* start of the buffer, for the final length */
    int full;   /* a write did not fit: the result is -ENOSPC */
};

static inline void arb_wbuf_init(struct arb_wbuf *w, char *buf, size_t len)
{
    w->p = buf;
    w->base = buf;
    w->end = buf + len;
    w->full = 0;
}

static inline void arb_wbuf_put(struct arb_wbuf *w, const void *s, size_t n)
{
    if ((size_t)(w->end - w->p) < n) {
        w->full = 1;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

/* Appends a string literal; its length is a compile-time constant. */
#define ARB_WBUF_LIT(w, lit) arb_wbuf_put((w), (lit), sizeof(lit) - 1)

/* Length written so far, or -ENOSPC when anything was dropped. */
static inline int arb_wbuf_len(const struct arb_wbuf *w)
{
    return w->full ? -ENOSPC : (int)(w->p - w->base);
}

/* Unsigned decimal, digits written backwards into a register-sized scratch. */
static inline void arb_wbuf_u64(struct arb_wbuf *w, uint64_t v)
{
    char t[20];
    size_t i = sizeof(t);

    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    arb_wbuf_put(w, t + i, sizeof(t) - i);
}

/* A fixed-point _e8 value in its shortest exact decimal form ("0.1", "52000"). */
static inline void arb_wbuf_fixed(struct arb_wbuf *w, int64_t v)
{
    char t[ARB_FIXED_STRMAX];

    arb_wbuf_put(w, t, arb_fixed_format(v, t));
}

/* "000102...ff": two hex digits per byte value, one 16-bit load per input byte. */
extern const char arb_hex_pairs[513];

/* Writes 2*n lower-case hex digits (no NUL). */
static inline void arb_hex_encode(char *out, const unsigned char *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        memcpy(out + 2 * i, arb_hex_pairs + 2 * (size_t)in[i], 2);
}

/* Encoded length of n bytes in padded base64, and in unpadded base64url. */
#define ARB_B64_LEN(n)    (((n) + 2) / 3 * 4)
#define ARB_B64URL_LEN(n) (((n)*4 + 2) / 3)

/* Standard base64 with '=' padding (RFC 4648 section 4). Returns the length written. */
size_t arb_b64_encode(char *out, const unsigned char *in, size_t n);

/* base64url without padding, as JWTs use (RFC 7515 section 2). Returns the length written. */
size_t arb_b64url_encode(char *out, const unsigned char *in, size_t n);

/*
 * Decodes standard base64 (padding optional, no whitespace) into out.
 * Returns the decoded length, -EINVAL on a bad character or length, or
 * -ENOSPC when it does not fit in cap.
 */
int arb_b64_decode(unsigned char *out, size_t cap, const char *in, size_t n);

/*
 * Whether every byte of s may go into a JSON string and a URL query unescaped:
 * printable ASCII other than '"', '\\', '&', '=', '%', '+', '#' and space.
 * Symbols and client order ids are checked with it, so no encoder escapes.
 */
static inline bool arb_venue_text_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '&' || c == '=' || c == '%' ||
            c == '+' || c == '#')
            return false;
    }
    return true;
}

/*
 * When msg is an HTTP/1.x response ("HTTP/1.1 429 ..."), sets *status and the
 * body span and returns 1; returns 0 and leaves them alone when msg is not
 * one (a WebSocket frame's payload), or -EINVAL for a truncated head.
 */
int arb_http_split(const char *msg, size_t len, int *status, const char **body, size_t *blen);

#endif /* ARB_VENUES_CODEC_H */
