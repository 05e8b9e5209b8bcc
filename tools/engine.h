/* SPDX-License-Identifier: MIT */
/*
 * The engine: feed threads, the detector thread (with the gateway fused in
 * when the machine has fewer cores than hot threads), the order gateway, and
 * the slow path on the caller's thread, wired by SPSC rings:
 *
 *   feed x N -> tick rings -> detector -> intent ring -> gateway -> venues
 *                             detector <- fill ring   <- gateway
 *   slow path <- event rings (detector's, gateway's)
 */
#ifndef ARB_TOOLS_ENGINE_H
#define ARB_TOOLS_ENGINE_H

#include "core/detect.h"
#include "core/hist.h"
#include "core/params.h"
#include "core/park.h"
#include "core/registry.h"
#include "core/ring.h"
#include "core/thread.h"
#include "feeds/feed.h"
#include "venues/gateway.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#define ARB_ENGINE_RING 4096 /* records per ring */

struct arb_engine_feed {
    const char *venue;
    struct arb_feed_config cfg;
};

struct arb_engine_config {
    struct arb_engine_feed feeds[ARB_MAX_VENUES];
    size_t nfeeds;
    struct arb_gateway_config gateway;
    int detector_cpu;    /* -1: unpinned */
    int fuse_gateway;    /* -1: when cores < hot threads; 0: own thread; 1: in the detector */
    uint32_t spin_us;    /* detector busy-poll before parking; 0 picks 50 */
    const char *journal; /* every event as a JSON line; NULL: none */
};

struct arb_engine_counts {
    uint64_t signals[4]; /* by enum arb_signal_kind */
    uint64_t intents, refusals, orders, fills, hedges, alarms;
};

struct arb_engine {
    struct arb_engine_config cfg;
    struct arb_registry reg;
    struct arb_params params; /* the slow path's copy; published to pub */
    struct arb_params_pub pub;
    struct arb_ring *ticks[ARB_MAX_VENUES];
    uint64_t *tick_stamps[ARB_MAX_VENUES];
    struct arb_ring *intents, *fills, *events, *gw_events;
    uint64_t *intent_stamps;
    struct arb_feed feeds[ARB_MAX_VENUES];
    size_t nfeeds;
    struct arb_detector *det;
    struct arb_gateway *gw;
    bool fused;
    struct arb_thread det_thread;
    struct arb_park doorbell;
    _Atomic int stop;
    /* Latency, ns: per stage and end to end. */
    struct arb_hist *h_parse[ARB_MAX_VENUES];
    struct arb_hist *h_hop;          /* tick ring: feed push to detector pop */
    struct arb_hist *h_detect;       /* detector pass per tick, risk gate included */
    struct arb_hist *h_risk;         /* risk gate per intent */
    struct arb_engine_counts counts; /* slow path's tally of the event rings */
    FILE *journal;
};

/*
 * Builds the engine: registers venues and symbols, applies params (the
 * caller fills e->params after arb_engine_prepare and before init), creates
 * rings, feeds, the detector and the gateway. Returns 0 or -errno (logged).
 */
int arb_engine_prepare(struct arb_engine *e, const struct arb_engine_config *cfg);
int arb_engine_init(struct arb_engine *e);

/* Starts every thread. Returns 0 or -errno. */
int arb_engine_start(struct arb_engine *e);

/* Slow path, caller's thread: drains the event rings into counts and the journal. */
void arb_engine_poll(struct arb_engine *e);

/* Publishes e->params to the hot path (wait-free for the detector). */
void arb_engine_publish(struct arb_engine *e);

/* Stops every thread (gateway, detector, feeds) and drains what is left. */
void arb_engine_stop(struct arb_engine *e);
void arb_engine_destroy(struct arb_engine *e);

#endif /* ARB_TOOLS_ENGINE_H */
