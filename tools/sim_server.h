/* SPDX-License-Identifier: MIT */
/*
 * The venue simulator's server: a loopback listener serving ws:// and wss://
 * on one port (TLS is told apart by its first byte), one thread per client
 * connection, and the fault commands that reach every connection at once.
 */
#ifndef ARB_TOOLS_SIM_SERVER_H
#define ARB_TOOLS_SIM_SERVER_H

#include "tools/sim_encode.h"
#include "tools/sim_source.h"

#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_MAX_CONNS 256

enum arb_sim_drop_mode {
    ARB_SIM_DROP_RST = 0, /* abortive close: the peer sees ECONNRESET */
    ARB_SIM_DROP_FIN = 1, /* orderly TCP close, but no WebSocket close frame */
    ARB_SIM_DROP_MID = 2, /* half of the next frame, then an orderly TCP close */
};

/* Set by flags before the server starts; read-only afterwards. */
struct arb_sim_config {
    enum arb_sim_venue venue;
    const struct arb_sim_source *src; /* NULL: acknowledge subscriptions, stream nothing */
    double speed;                     /* recorded time divided by this; 0 = as fast as possible */
    uint32_t loops;                   /* passes over the source; 0 = forever */
    bool per_client;                  /* each client starts the source at its own subscription */
    bool unfiltered;                  /* stream every symbol once anything is subscribed */
    bool close_at_end;                /* close 1000 after the last pass instead of idling */
    uint64_t seq_start;               /* first sequence number a script message carries */
    uint64_t hb_ns;                   /* venue heartbeat period; 0 = none */
    uint64_t ping_ns;                 /* server ping frames (binance); 0 = none */
    uint64_t
        pong_timeout_ns; /* close a client that leaves a ping unanswered this long; 0 = never */
    uint32_t max_frame;  /* largest client frame payload accepted */
    SSL_CTX *tls;        /* NULL: plain ws:// only */
    int verbose;
    /* Faults scheduled by data-frame count on a connection; each fires once per process. */
    uint64_t drop_after; /* drop everyone after this many data frames; 0 = never */
    int drop_mode;       /* enum arb_sim_drop_mode */
    uint64_t stall_at;   /* stall after this many data frames ... */
    uint64_t stall_ms;   /* ... for this long */
    uint64_t garbage_at; /* send the malformed frames after this many */
    uint64_t skip_at;    /* skip skip_n sequence numbers after this many */
    uint64_t skip_n;
};

/* Commands fan out to every connection: each one compares generations with the last it saw. */
struct arb_sim_faults {
    _Atomic uint32_t drop_gen;
    _Atomic int drop_mode; /* written before drop_gen is bumped (release) */
    _Atomic uint32_t garbage_gen;
    _Atomic uint64_t skip_total;     /* sequence numbers skipped so far */
    _Atomic uint64_t stall_until_ns; /* CLOCK_MONOTONIC; 0 = not stalled */
    _Atomic int stall_hard;          /* during the stall, not even pongs */
    _Atomic int paused;
    _Atomic uint64_t paused_total_ns; /* time spent paused, shifts every due time */
    uint64_t pause_start_ns;          /* under the server lock */
    _Atomic int fired[4];             /* scheduled drop, stall, garbage, skip */
};

struct arb_sim_stats {
    _Atomic uint64_t accepted;    /* TCP connections accepted */
    _Atomic uint64_t active;      /* connections being served */
    _Atomic uint64_t upgraded;    /* handshakes answered with 101 */
    _Atomic uint64_t rejected;    /* handshakes refused (HTTP error or TLS failure) */
    _Atomic uint64_t frames_out;  /* every frame sent */
    _Atomic uint64_t data_frames; /* market-data frames sent */
    _Atomic uint64_t bytes_out;
    _Atomic uint64_t frames_in;       /* client frames read */
    _Atomic uint64_t protocol_errors; /* connections closed for a client protocol violation */
    _Atomic uint64_t drops;           /* connections dropped on command */
};

struct arb_sim_conn;
struct arb_sim_exch;

struct arb_sim_server {
    struct arb_sim_config cfg;
    struct arb_sim_faults faults;
    struct arb_sim_stats stats;
    pthread_mutex_t lock;      /* guards the fields below and pause bookkeeping */
    uint64_t anchor_ns;        /* shared timeline: CLOCK_MONOTONIC of the first subscription */
    uint64_t anchor_paused_ns; /* paused_total_ns at that moment */
    bool anchored;
    struct arb_sim_conn *conns[ARB_SIM_MAX_CONNS];
    struct arb_sim_exch *exch;   /* the simulated exchange (sim_match.h); NULL: market data only */
    _Atomic uint64_t played_pos; /* per-client/flood: timeline position the latest client played */
    _Atomic int stopping;
    int listen_fd;
    int port;
    char host[64];
};

/* Sets srv up around cfg (copied). Returns 0 or -errno. */
int arb_sim_server_init(struct arb_sim_server *srv, const struct arb_sim_config *cfg);

/* Binds and listens on host (127.0.0.1, ::1 or localhost only) and port (0 = ephemeral).
 * Returns 0 or -errno; the bound port is in srv->port. */
int arb_sim_server_listen(struct arb_sim_server *srv, const char *host, int port);

/* Accepts one pending connection and starts its thread. Returns 0, -EAGAIN or -errno. */
int arb_sim_server_accept(struct arb_sim_server *srv);

/* Reaps connection threads that have finished. */
void arb_sim_server_reap(struct arb_sim_server *srv);

/* Tells every connection to close (1001 going away), joins them and closes the listener. */
void arb_sim_server_stop(struct arb_sim_server *srv);

/*
 * Runs one control command ("drop [rst|fin|mid]", "stall MS [hard]", "garbage",
 * "skip N", "pause", "resume", "stats", "book [SYMBOL]", the order faults
 * named as their flags, "help") and writes a one-line reply
 * ending in '\n' into reply. Returns 0, or -EINVAL for a bad command.
 */
int arb_sim_server_command(struct arb_sim_server *srv, const char *line, char *reply, size_t len);

/* Writes the stats as one JSON object line into buf. Returns the length. */
size_t arb_sim_server_stats(struct arb_sim_server *srv, char *buf, size_t len);

/* Connection thread body (sim_conn.c). */
void *arb_sim_conn_main(void *arg);

/* Allocates a connection for an accepted socket. NULL on failure. */
struct arb_sim_conn *arb_sim_conn_create(struct arb_sim_server *srv, int fd);

/* Whether the connection's thread has finished, and its thread, for joining. */
bool arb_sim_conn_done(struct arb_sim_conn *c);
pthread_t *arb_sim_conn_thread(struct arb_sim_conn *c);
void arb_sim_conn_destroy(struct arb_sim_conn *c);

#endif /* ARB_TOOLS_SIM_SERVER_H */
