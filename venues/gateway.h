/* SPDX-License-Identifier: MIT */
/*
 * The order gateway: one pinned thread that drains the intent ring, signs
 * each leg with its venue's plug-in, and sends it over a persistent
 * connection through io_uring (the submit is the path's only system call).
 * It rate-limits per venue, watches both legs of every intent and hedges an
 * imbalance at once, keeps positions and P&L, and reports fills to the
 * detector (for the risk gate) and events to the slow path.
 *
 * Paper trading is the default: without `live`, every order endpoint must be
 * on loopback (the simulated exchange), and the gateway refuses to start
 * otherwise.
 */
#ifndef ARB_VENUES_GATEWAY_H
#define ARB_VENUES_GATEWAY_H

#include "core/bucket.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/position.h"
#include "core/registry.h"
#include "core/ring.h"
#include "core/thread.h"
#include "core/twoleg.h"
#include "feeds/ws.h"
#include "venues/venue.h"

#include <liburing.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ARB_GW_MSG_MAX 4096 /* largest signed request */

struct arb_gw_rest;

struct arb_gateway_venue {
    const char *venue;          /* plug-in name */
    const char *url;            /* order endpoint; NULL: the plug-in's public one */
    const char *ca_file;        /* wss:// trust anchors; NULL: the system store */
    const char *api_key;        /* never logged */
    const char *api_secret;     /* never logged */
    const char *const *symbols; /* venue spellings this session trades */
    size_t nsymbols;
    uint32_t orders_per_10s; /* 0: the plug-in's published limit */
    uint32_t weight_per_min; /* 0: the plug-in's published limit */
};

struct arb_gateway_config {
    bool live;                  /* false: loopback endpoints only (paper trading) */
    int cpu;                    /* -1: unpinned */
    uint32_t run_id;            /* client order ids carry it: unique per run */
    uint32_t leg_timeout_ms;    /* 0 picks 2000 */
    uint8_t hedge_mode;         /* enum arb_hedge_mode; 0 picks unwind */
    int64_t hedge_slippage_bps; /* _e8; 0 picks 20 bps */
    uint32_t max_hedges;        /* 0 picks 3 */
    uint32_t spin_us;           /* busy-poll before parking; 0 picks 50 */
    /* Experimental, off: a kernel thread polls the ring's submissions (IORING_SETUP_SQPOLL),
     * so a send costs a store instead of a system call, for a core that polls. It pays only
     * with a core to spare; on two cores it competes with the hot threads (bench_tick_to_order
     * measures it with ARB_BENCH_T2O_SQPOLL=1). */
    bool sqpoll;
    const struct arb_gateway_venue *venues;
    size_t nvenues;
};

struct arb_gw_session {
    const struct arb_venue_ops *ops;
    struct arb_venue_keys keys;
    struct arb_ws ws;
    char url[512];
    char sym[ARB_MAX_INSTRUMENTS][32]; /* venue spelling per instrument, "" when not traded */
    uint8_t sym_len[ARB_MAX_INSTRUMENTS];
    struct arb_bucket orders; /* order count */
    struct arb_bucket weight; /* request weight */
    uint64_t next_connect_ns;
    uint32_t attempt;
    uint64_t req_id;
    uint64_t keepalive_ns; /* next dead man's switch refresh */
    bool was_open;         /* the keepalive has been armed on this connection */
    bool ws_ready;         /* arb_ws_init succeeded: destroy must free it */
    bool enabled;
    struct arb_gw_rest *rest; /* REST venues (ops->rest): HTTP state, venues/gateway_rest.h */
};

/* Per order in flight: what it asked, what it has filled so far. */
struct arb_gw_order {
    struct arb_leg leg;
    uint64_t sent_ns;
    int64_t cum_e8;    /* cumulative fill reported so far */
    int64_t booked_e8; /* base quantity the risk gate booked for it */
    uint64_t req_id;   /* the request id it went out with */
    uint16_t venue;
    uint8_t live; /* awaiting a final answer */
    uint8_t attempt;
    uint8_t resend;   /* connection dropped: send again, same client id */
    uint8_t resent;   /* this attempt is a re-send: a duplicate answer means the venue has it */
    uint8_t querying; /* a status query is out after a drop: its answer decides a re-send */
};

/* Routes an order connection's messages to its venue. */
struct arb_gw_msg_ctx {
    struct arb_gateway *g;
    uint16_t venue;
};

struct arb_gateway_stats {
    _Atomic uint64_t intents;
    _Atomic uint64_t orders;
    _Atomic uint64_t fills;
    _Atomic uint64_t partials;
    _Atomic uint64_t rejects;
    _Atomic uint64_t expired;
    _Atomic uint64_t rate_limited; /* held back by our own buckets */
    _Atomic uint64_t unavailable;  /* held back: the venue's order session is not open */
    _Atomic uint64_t venue_429;    /* the venue said we were over its limit */
    _Atomic uint64_t hedges;
    _Atomic uint64_t alarms;
    _Atomic uint64_t resent;     /* re-sent after a reconnect, same client id */
    _Atomic uint64_t duplicates; /* the venue already had that client id */
    _Atomic uint64_t disconnects;
    _Atomic uint64_t malformed;
    _Atomic uint64_t events_dropped; /* events the slow path was too slow to take */
    _Atomic uint64_t late_fills;     /* fills reported after the order's final answer */
    _Atomic uint64_t unknown;        /* answers that leave the order's state unknown (5xx) */
};

struct arb_gateway {
    struct arb_gateway_config cfg;
    const struct arb_registry *reg;
    struct arb_ring *intents; /* in, from the detector */
    struct arb_ring *fills;   /* out, to the detector (risk) */
    struct arb_ring *events;  /* out, to the slow path */
    struct io_uring ring;
    struct arb_gw_session s[ARB_MAX_VENUES];
    struct arb_twoleg twoleg;
    uint64_t flights_live[ARB_TWOLEG_MAX / 64]; /* bit per slot opened and not yet retired */
    struct arb_gw_order ord[ARB_TWOLEG_MAX][3];
    struct arb_gw_msg_ctx msg_ctx[ARB_MAX_VENUES];
    uint16_t req_map[4096]; /* request id -> slot * 3 + leg, for answers without a client id */
    struct arb_positions pos;
    struct arb_thread thread;
    _Atomic int stop;
    struct arb_gateway_stats stats;
    /* Latency, ns, owned by the gateway thread; read after it stops (or racily for a
     * status line, which tolerates a torn percentile). */
    struct arb_hist *h_tick_to_order; /* tick receive completion to the order's submit */
    struct arb_hist *h_intent_hop;    /* intent ring: detector push to gateway pop */
    struct arb_hist *h_sign;          /* encode and sign */
    struct arb_hist *h_submit;        /* io_uring submit */
    struct arb_hist *h_ack;           /* submit to the venue's answer */
    struct arb_log_limit log_limit;
    uint64_t now_ns;
    char msg[ARB_GW_MSG_MAX];
};

/*
 * Sets up sessions (keys, symbols, buckets, connections not yet opened).
 * Returns 0, or -errno with a message logged: an unknown venue, a missing
 * symbol, or a non-loopback endpoint without cfg->live.
 */
int arb_gateway_init(struct arb_gateway *g, const struct arb_gateway_config *cfg,
                     const struct arb_registry *reg, struct arb_ring *intents,
                     struct arb_ring *fills, struct arb_ring *events);
void arb_gateway_destroy(struct arb_gateway *g);

/* Starts the gateway thread ("gateway"), pinned to cfg->cpu. Returns 0 or -errno. */
int arb_gateway_start(struct arb_gateway *g);

/* Stops the thread; open orders are left to their IOC expiry. */
void arb_gateway_stop(struct arb_gateway *g);

/*
 * One turn: connect what is due, reap answers, send what the intent ring
 * holds, hedge what is unbalanced. Returns the work done (0: idle).
 */
int arb_gateway_step(struct arb_gateway *g);

/* Whether `url` names a loopback host (127.0.0.0/8, ::1, localhost). */
bool arb_gateway_url_is_loopback(const char *url);

#endif /* ARB_VENUES_GATEWAY_H */
