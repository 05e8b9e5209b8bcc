/* SPDX-License-Identifier: MIT */
/*
 * A feed: one venue's market data on one pinned thread. It owns an io_uring,
 * a WebSocket connection and the venue's parser, and pushes normalized ticks
 * into an SPSC ring for the detector. It reconnects with backoff and jitter,
 * resubscribes, pings, detects silence and lag (and says so in the tick
 * stream), flags sequence gaps, and can record every frame it receives.
 */
#ifndef ARB_FEEDS_FEED_H
#define ARB_FEEDS_FEED_H

#include "core/hist.h"
#include "core/log.h"
#include "core/park.h"
#include "core/registry.h"
#include "core/ring.h"
#include "core/symtab.h"
#include "core/thread.h"
#include "feeds/parser.h"
#include "feeds/ws.h"

#include <liburing.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ARB_FEED_MAX_SYMBOLS 64
#define ARB_FEED_TICKS       64        /* ticks one message may carry */
#define ARB_FEED_CAPTURE_BUF (1 << 20) /* bytes per capture buffer; two alternate */

struct arb_feed_config {
    const char *url;            /* NULL: the plug-in's public endpoint */
    const char *ca_file;        /* wss:// trust anchors; NULL: the system store */
    const char *capture_path;   /* append every received frame here; NULL: off */
    const char *const *symbols; /* venue spellings to subscribe to */
    size_t nsymbols;
    int cpu;                   /* pin the thread here; -1: unpinned */
    uint32_t stale_ms;         /* silence that marks the venue stale; 0 picks 5000 */
    uint32_t max_lag_ms;       /* exchange time this far behind receipt is stale; 0: 2000 */
    uint32_t ping_ms;          /* WebSocket ping interval; 0 picks 5000 */
    uint32_t reconnect_min_ms; /* first backoff; 0 picks 100 */
    uint32_t reconnect_max_ms; /* backoff ceiling; 0 picks 10000 */
    uint32_t spin_us;          /* busy-poll this long before parking; 0 picks 50 */
    int seq_contiguous;        /* -1: the plug-in's rule; 0/1: override */
    struct arb_park *doorbell; /* rung after each push when the consumer parks; or NULL */
    struct arb_hist *h_parse;  /* receive completion to tick pushed, ns; or NULL */
};

/* Counters, written by the feed thread only, read by anyone (relaxed). */
struct arb_feed_stats {
    _Atomic uint64_t frames;      /* messages received */
    _Atomic uint64_t ticks;       /* ticks pushed */
    _Atomic uint64_t skipped;     /* messages of kinds not handled */
    _Atomic uint64_t heartbeats;  /* venue heartbeats */
    _Atomic uint64_t unknown;     /* messages for symbols we do not trade */
    _Atomic uint64_t malformed;   /* not the venue's format */
    _Atomic uint64_t gaps;        /* sequence jumps (contiguous venues) or steps back (all) */
    _Atomic uint64_t lagging;     /* ticks whose exchange time lagged too far */
    _Atomic uint64_t stale;       /* transitions into stale */
    _Atomic uint64_t connects;    /* connections opened */
    _Atomic uint64_t disconnects; /* connections lost or failed */
    _Atomic uint64_t watchdog;    /* reconnects forced by silence on an open connection */
    _Atomic uint64_t ring_full;   /* pushes that found the ring full and had to wait */
    _Atomic uint64_t pings;       /* pings sent */
    _Atomic uint64_t capture_bytes;
};

struct arb_feed {
    const struct arb_feed_ops *ops;
    struct arb_feed_config cfg;
    uint16_t venue;
    struct arb_ring *out;     /* ticks to the detector */
    struct io_uring ring;     /* the socket's */
    struct io_uring cap_ring; /* the capture file's writes */
    struct arb_ws ws;
    struct arb_parser parser;
    struct arb_symtab symtab;
    struct arb_thread thread;
    _Atomic int stop;
    _Atomic int state; /* enum arb_ws_state, for the slow path's status line */
    struct arb_feed_stats stats;

    /* Feed thread only. */
    char url[1024];
    char *sub; /* subscription messages, one per line */
    int sub_len;
    uint64_t now_ns;
    uint64_t last_rx_ns; /* last frame of any kind */
    uint64_t last_ping_ns;
    uint64_t next_connect_ns;
    uint32_t attempt; /* consecutive failed connects, for the backoff */
    uint64_t rng;
    bool subscribed;
    bool is_stale;
    bool contiguous;
    uint64_t last_seq[ARB_MAX_INSTRUMENTS];
    struct arb_tick ticks[ARB_FEED_TICKS];
    struct arb_log_limit log_bad;
    struct arb_log_limit log_conn;

    /* Capture: two buffers, one filling while the other is written by io_uring. */
    int cap_fd;
    char *cap_buf[2];
    size_t cap_used;
    int cap_cur;
    bool cap_busy[2];
    uint64_t cap_off;
};

/*
 * Sets up a feed of `venue` (a plug-in name) into `out`, resolving its
 * symbols in `reg` (cold: before any hot thread runs). Returns 0 on success,
 * -errno on failure with a message logged.
 */
int arb_feed_init(struct arb_feed *f, const char *venue, const struct arb_feed_config *cfg,
                  struct arb_registry *reg, struct arb_ring *out);

/* Stops the thread if running and frees everything. */
void arb_feed_destroy(struct arb_feed *f);

/* Starts the feed thread, named "feed-<venue>", pinned to cfg->cpu. Returns 0 or -errno. */
int arb_feed_start(struct arb_feed *f);

/* Asks the thread to stop and waits for it. The connection is closed. */
void arb_feed_stop(struct arb_feed *f);

/*
 * One turn of the feed loop: connect when due, poll completions, subscribe,
 * ping, check silence. `wait_ns` > 0 parks up to that long when idle.
 * Returns completions handled. The thread calls it; tests may drive it.
 */
int arb_feed_step(struct arb_feed *f, uint64_t wait_ns);

#endif /* ARB_FEEDS_FEED_H */
