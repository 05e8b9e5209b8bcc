/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 response framer for a keep-alive client: cuts a received byte
 * stream into whole responses (status line, headers, a Content-Length or
 * chunked body), in order, on caller memory. It never allocates.
 */
#ifndef ARB_FEEDS_HTTP_H
#define ARB_FEEDS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_HTTP_LINE_MAX 1024 /* longest chunk-size or trailer line accepted */

/*
 * One complete response. `msg` holds the head and then the body, contiguous
 * (a chunked body decoded in place, so the head still says "chunked"): the
 * shape venue parsers take. Pointers are valid only during the callback.
 */
struct arb_http_resp {
    int status;       /* 100..599 */
    bool close;       /* "Connection: close": the server ends the connection after it */
    const char *msg;  /* head (ending "\r\n\r\n") then body */
    size_t len;       /* head_len + body_len */
    size_t head_len;  /* bytes of msg up to and including the blank line */
    const char *body; /* msg + head_len */
    size_t body_len;
};

typedef void (*arb_http_resp_fn)(void *ctx, const struct arb_http_resp *r, uint64_t recv_ts_ns);

struct arb_http_rx {
    uint8_t *buf;    /* caller memory: a response that does not arrive whole in one read */
    size_t cap;      /* bytes of buf; also the largest response accepted */
    size_t len;      /* bytes held in buf */
    size_t scan;     /* head search resumes here (no "\r\n\r\n" before it) */
    size_t head_len; /* 0 while the head is incomplete */
    int status;
    uint8_t mode;   /* how the body ends: RX_* in http.c */
    uint8_t cstate; /* chunked: where in the chunk grammar the raw bytes at rd are */
    bool close;
    uint64_t need; /* Content-Length body bytes, or bytes left in the current chunk */
    size_t rd;     /* chunked: first raw (still encoded) byte in buf */
    size_t wr;     /* chunked: end of the decoded body in buf (wr <= rd) */
    int err;       /* -EPROTO or -EMSGSIZE once failed; sticky until reset */
    arb_http_resp_fn on_resp;
    void *ctx;
    struct {
        uint64_t responses; /* delivered */
        uint64_t in_place;  /* delivered straight from the input, no copy */
        uint64_t skipped;   /* 1xx interim responses, consumed and not delivered */
    } stats;
};

/* Sets up a framer on caller memory `buf` of `cap` bytes. */
void arb_http_rx_init(struct arb_http_rx *rx, uint8_t *buf, size_t cap, arb_http_resp_fn on_resp,
                      void *ctx);

/* Forgets any partial response and the error, as for a new connection. */
void arb_http_rx_reset(struct arb_http_rx *rx);

/*
 * Consumes received bytes, calling on_resp for each response they complete,
 * in order. A response that arrived whole in one call is handed over from
 * `p` in place. Returns 0, -EPROTO for bytes that are not an HTTP/1.1
 * response (a body delimited only by the close, a bad chunk), or -EMSGSIZE
 * for a response longer than cap; after an error the connection must be
 * dropped, and every later call returns the same error.
 */
int arb_http_rx_input(struct arb_http_rx *rx, const uint8_t *p, size_t n, uint64_t recv_ts_ns);

/* Whether bytes of an incomplete response are held. */
static inline bool arb_http_rx_partial(const struct arb_http_rx *rx)
{
    return rx->len > 0;
}

#endif /* ARB_FEEDS_HTTP_H */
