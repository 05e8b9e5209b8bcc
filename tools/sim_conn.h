/* SPDX-License-Identifier: MIT */
/*
 * One simulator client connection, shared by its two halves: the WebSocket
 * side (sim_wsio.c: transport, handshake, frames in and out) and the market
 * side (sim_conn.c: playback, faults, the stream loop). Internal to arb_sim.
 */
#ifndef ARB_TOOLS_SIM_CONN_H
#define ARB_TOOLS_SIM_CONN_H

#include "tools/sim_handshake.h"
#include "tools/sim_orders.h"
#include "tools/sim_server.h"
#include "tools/sim_venue.h"

#include <sys/types.h>

/* One batch of frames, a few thousand market-data messages; encoding stops at half of it. */
#define ARB_SIM_OUT_CAP         (256u * 1024)
#define ARB_SIM_BATCH_BYTES     (ARB_SIM_OUT_CAP / 2)
#define ARB_SIM_HANDSHAKE_MS    5000  /* slow or silent clients lose their slot after this */
#define ARB_SIM_WRITE_GIVEUP_MS 30000 /* a client that reads nothing for this long is dropped */
#define ARB_SIM_WAIT_CAP_MS     20    /* longest sleep, so commands act within this */
#define ARB_SIM_NS_PER_MS       1000000ULL

struct arb_sim_conn {
    struct arb_sim_server *srv;
    pthread_t thread;
    _Atomic int done; /* D: set last by the thread; the acceptor joins once it reads 1 */
    int fd;
    SSL *ssl;
    uint8_t *in; /* client bytes not yet consumed */
    size_t in_len, in_cap;
    uint8_t *msg; /* a fragmented client message being reassembled */
    size_t msg_len;
    int msg_op;   /* opcode of the message in msg, 0 when none */
    uint8_t *out; /* frames waiting to be written */
    size_t out_len;
    uint64_t frames_pending;      /* frames in out, published to the stats on flush */
    uint64_t last_send_real_ns;   /* wall clock of the last write, for idle heartbeats */
    struct arb_sim_session sess;  /* the venue protocol's state */
    struct arb_sim_osess *orders; /* order session on the venue's order path, else NULL */
    struct arb_sim_reply *reply;  /* the order session's answer being built */
    /* playback */
    int playing, finished;                /* subscribed and started; every pass done */
    uint64_t anchor_ns, anchor_paused_ns; /* CLOCK_MONOTONIC start and paused total then */
    uint64_t pass;                        /* loop over the source, from 0 */
    size_t idx;                           /* next message of the pass */
    uint64_t data_frames;                 /* market-data frames sent on this connection */
    uint64_t real_ns;                     /* wall clock of the current batch */
    /* faults already applied */
    uint32_t drop_gen, garbage_gen;   /* generations of the commands already acted on */
    uint64_t skip_seen, skip_pending; /* captures: messages still to leave out */
    /* server pings */
    uint64_t ping_next_ns, ping_sent_ns; /* CLOCK_MONOTONIC */
    int ping_outstanding;                /* no pong since the last ping */
};

/* Whether the server is shutting down. */
int arb_sim_conn_stopping(struct arb_sim_conn *c);

/* Waits for the socket (or TLS's buffered bytes). Returns 1 ready, 0 timeout, -errno. */
int arb_sim_io_wait(struct arb_sim_conn *c, short events, int timeout_ms);

/* Reads what is there. Returns bytes (> 0), 0 at end of stream, -EAGAIN, or -EIO. */
ssize_t arb_sim_io_read(struct arb_sim_conn *c, void *buf, size_t len);

/* Writes all of buf; gives up on a drop command, shutdown or a stuck client. Returns 0 or -errno.
 */
int arb_sim_io_write_all(struct arb_sim_conn *c, const void *buf, size_t len);

/* Writes the queued frames. Returns 0 or -errno. */
int arb_sim_out_flush(struct arb_sim_conn *c);

/* Queues one unmasked frame (writing first when the batch is full). Returns 0 or -errno. */
int arb_sim_out_frame(struct arb_sim_conn *c, int opcode, const void *payload, size_t len);

/* Queues a close frame with code and reason, and flushes. */
void arb_sim_out_close(struct arb_sim_conn *c, unsigned code, const char *reason);

/* After our close frame: lets the client answer for up to a second, then ends TCP. */
void arb_sim_conn_linger(struct arb_sim_conn *c);

/* Fails the connection for a client protocol error (RFC 6455 7.1.7). Returns -EPROTO. */
int arb_sim_conn_fail(struct arb_sim_conn *c, unsigned code, const char *why);

/* Handles the complete client frames already buffered. Returns 0, or < 0 when it ends. */
int arb_sim_conn_input(struct arb_sim_conn *c);

/* Reads and handles what the client sent. Returns 0, or < 0 when the connection ends. */
int arb_sim_conn_read(struct arb_sim_conn *c);

/* TLS sniffing and accept, then the opening handshake. Returns 0 once upgraded, 1 for a
 * REST request the exchange serves (its head is in c->in), or -errno. */
int arb_sim_conn_handshake(struct arb_sim_conn *c, struct arb_sim_request *req);

/* The session's way to send a text frame (arb_sim_send_fn; ctx is the connection). */
void arb_sim_conn_session_send(void *ctx, const char *msg, size_t len);

#endif /* ARB_TOOLS_SIM_CONN_H */
