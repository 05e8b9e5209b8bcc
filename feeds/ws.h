/* SPDX-License-Identifier: MIT */
/*
 * RFC 6455 WebSocket client over an io_uring connection, with TLS for wss://.
 * Every buffer is allocated by arb_ws_init; receiving never allocates, and a
 * message that arrived whole in one buffer is handed over in place. In raw
 * mode it is the same connection and TLS without WebSocket framing: the
 * byte stream an HTTP/1.1 keep-alive client (feeds/http.h) runs on.
 */
#ifndef ARB_FEEDS_WS_H
#define ARB_FEEDS_WS_H

#include "feeds/conn.h"
#include "feeds/tls.h"
#include "feeds/wsframe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum arb_ws_state {
    ARB_WS_IDLE = 0,       /* no connection: after init, reset or a finished close */
    ARB_WS_CONNECTING = 1, /* TCP connect in flight */
    ARB_WS_TLS = 2,        /* TLS handshake */
    ARB_WS_UPGRADE = 3,    /* HTTP upgrade sent, waiting for 101 */
    ARB_WS_OPEN = 4,       /* messages flow */
    ARB_WS_CLOSING = 5,    /* close frame sent or received, waiting for the peer to hang up */
    ARB_WS_CLOSED = 6,     /* close handshake done; close_code says why */
    ARB_WS_FAILED = 7,     /* error: err and errmsg say what; call arb_ws_reset */
};

/*
 * A complete text or binary message. `p` is valid only during the call;
 * `recv_ts_ns` is arb_clock_now_ns() when the completion carrying its last
 * bytes was reaped. Called on the thread that polls the ring.
 */
typedef void (*arb_ws_msg_fn)(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n,
                              uint64_t recv_ts_ns);

struct arb_ws_config {
    uint32_t max_msg;         /* largest message or frame accepted, bytes; 0 picks 1 MiB */
    uint32_t open_timeout_ms; /* connect + TLS + upgrade budget; 0 picks 10 s */
    const char *ca_file;      /* PEM trust anchors for wss://; NULL: the system store */
    /*
     * Newest TLS version to offer (TLS1_2_VERSION, ...); 0: the library's.
     * With OpenSSL 3.0, TLS 1.3 re-initialises the cipher for every record
     * (EVP_CipherInit_ex), which allocates; TLS 1.2 AES-GCM receives without
     * allocating. Both are verified the same way.
     */
    int tls_max_version;
    const char *headers; /* extra upgrade lines, each ending "\r\n"; kept by pointer */
    /*
     * Raw byte stream: no upgrade and no framing. The client is OPEN once TCP
     * (and TLS for https:// or wss://) is up; on_msg receives plaintext as it
     * arrives (op ARB_WS_BINARY, any split); arb_ws_send_raw writes bytes
     * as-is; the peer's hang-up is ARB_WS_CLOSED, not a failure. URLs may
     * also be http:// and https://.
     */
    bool raw;
    struct arb_conn_config conn; /* receive buffers, send buffer, recv fallback */
    arb_ws_msg_fn on_msg;
    void *ctx;
};

#define ARB_WS_ERR_MAX 224
#define ARB_WS_HS_MAX  8192 /* upgrade request and response, headers included */

struct arb_ws {
    struct arb_conn conn; /* first: the socket and its buffers */
    struct arb_tls tls;   /* used for wss:// only; its context is made at the first wss connect */
    enum arb_ws_state state;
    int err;                     /* -errno of the failure, 0 when none */
    char errmsg[ARB_WS_ERR_MAX]; /* what failed, for the caller to print */
    uint16_t close_code;         /* the peer's close code; 1005 when it sent none */
    bool secure;                 /* wss:// */
    bool tls_ctx_ready;          /* tls.ctx exists */
    bool close_sent;             /* our close frame is queued */

    /* Where to connect; parsed by arb_ws_connect. */
    char host[256];
    char path[1024]; /* path and query, "/" at least */
    uint16_t port;
    char accept[29]; /* the Sec-WebSocket-Accept the server must return */

    struct arb_ws_config cfg;
    uint64_t deadline_ns; /* CLOCK_MONOTONIC limit for opening or closing */
    uint64_t rng;         /* splitmix64 state for mask keys, seeded from getrandom */

    /* Receive parser. */
    uint8_t hdr[ARB_WS_HEADER_MAX]; /* a frame header split across buffers */
    uint8_t hdr_have;               /* bytes of it held */
    bool in_frame;                  /* f describes a frame whose payload is still arriving */
    bool in_msg;                    /* a fragmented message is being reassembled */
    uint8_t msg_op;                 /* its opcode */
    struct arb_ws_frame f;          /* the current frame */
    uint64_t frame_off;             /* payload bytes of f already consumed */
    uint8_t ctl[125];               /* a control payload split across buffers */
    uint8_t *msg;                   /* reassembly buffer, max_msg bytes */
    size_t msg_len;                 /* bytes held in msg */

    uint8_t *pt;  /* TLS plaintext, ARB_WS_PT_SIZE bytes */
    uint8_t *txf; /* frame staging before encryption, conn.tx_size bytes */
    char *hs;     /* upgrade request, then response, ARB_WS_HS_MAX bytes */
    uint32_t hs_len;

    struct {
        uint64_t msgs;   /* messages delivered */
        uint64_t bytes;  /* payload bytes delivered */
        uint64_t copied; /* messages delivered from the reassembly buffer */
        uint64_t pings;  /* pings answered */
    } stats;
};

/*
 * Allocates every buffer and registers the receive ring on `ring` (the
 * caller's, one per feed thread). `ring` NULL gives a detached client for
 * arb_ws_open_detached. Cold. Returns 0 on success, -errno on failure.
 */
int arb_ws_init(struct arb_ws *ws, struct io_uring *ring, const struct arb_ws_config *cfg);

/* Resets, then frees everything arb_ws_init allocated. */
void arb_ws_destroy(struct arb_ws *ws);

/*
 * Starts connecting to ws://host[:port][/path] or wss://...; arb_ws_poll
 * and arb_ws_wait drive it to ARB_WS_OPEN or ARB_WS_FAILED. Resets first,
 * so it also reconnects. Returns 0 on success, -errno on failure.
 */
int arb_ws_connect(struct arb_ws *ws, const char *url);

/*
 * Drops the connection (without a close handshake) and clears the parser,
 * keeping every buffer for the next arb_ws_connect. Not from inside on_msg.
 */
void arb_ws_reset(struct arb_ws *ws);

/*
 * Dispatches every completion already posted on the ring, without waiting.
 * Returns the number handled (0: idle, time to spin or park), or ws->err
 * once the connection has failed.
 */
int arb_ws_poll(struct arb_ws *ws);

/* Like arb_ws_poll, but parks up to timeout_ns for a first completion. */
int arb_ws_wait(struct arb_ws *ws, uint64_t timeout_ns);

/*
 * Sends one text or binary message as a single masked frame. The bytes go
 * out at the next poll. Returns 0 on success, -ENOBUFS when the send buffer
 * is full, -ENOTCONN when not open, -errno on failure.
 */
int arb_ws_send(struct arb_ws *ws, enum arb_ws_opcode op, const void *p, size_t n);

/*
 * Raw mode: queues n bytes as they are (encrypted for https://). The bytes go
 * out at the next poll. Returns 0 on success, -ENOBUFS when the send buffer
 * is full (nothing queued), -ENOTCONN when not open, -EINVAL when not raw.
 */
int arb_ws_send_raw(struct arb_ws *ws, const void *p, size_t n);

/*
 * Sends a ping with up to 125 bytes of payload; the peer's pong is proof of
 * life. Returns 0 on success, -ENOTCONN when not open, -EINVAL when too long,
 * -ENOBUFS when the send buffer is full.
 */
int arb_ws_ping(struct arb_ws *ws, const void *p, size_t n);

/*
 * Starts the close handshake with `code` (1000: normal; raw mode: TLS
 * close_notify, or at once for plain TCP). Returns 0 on success, -ENOTCONN
 * when not open, -errno on failure.
 */
int arb_ws_close(struct arb_ws *ws, uint16_t code);

/*
 * Consumes bytes as if received (plaintext, after TLS): frames, and the
 * upgrade response while upgrading (raw mode: straight to on_msg). The path arb_ws_poll uses;
 * exposed for tests, fuzzing and replay. Returns 0, or ws->err once failed.
 */
int arb_ws_input(struct arb_ws *ws, const uint8_t *p, size_t n, uint64_t recv_ts_ns);

/*
 * Puts an idle client in ARB_WS_OPEN with no socket, so arb_ws_input can be
 * driven directly; replies (pongs, close echoes) accumulate in conn.tx.
 * Returns 0 on success, -EBUSY when not idle.
 */
int arb_ws_open_detached(struct arb_ws *ws);

/* Name of a state, for messages. */
const char *arb_ws_state_name(enum arb_ws_state s);

#endif /* ARB_FEEDS_WS_H */
