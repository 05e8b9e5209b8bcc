/* SPDX-License-Identifier: MIT */
/*
 * The detector: the engine's hot path. It keeps the top of book for every
 * venue x instrument and the funding of every perpetual, and on each tick
 * evaluates only what that tick can change: cross-venue spreads on its
 * instrument, funding basis against its spot/perp partners, and the depeg of
 * its stablecoin. Signals go to the events ring, risk-passed intents to the
 * intent ring. It never allocates, locks, logs or waits.
 */
#ifndef ARB_CORE_DETECT_H
#define ARB_CORE_DETECT_H

#include "core/event.h"
#include "core/fill.h"
#include "core/hist.h"
#include "core/indicator.h"
#include "core/intent.h"
#include "core/params.h"
#include "core/registry.h"
#include "core/ring.h"
#include "core/risk.h"
#include "core/tick.h"

#include <stdbool.h>
#include <stdint.h>

#define ARB_MAX_BASIS_PAIRS 32

/* Top of book for one venue x instrument. */
struct arb_quote {
    int64_t bid_px_e8;
    int64_t bid_qty_e8; /* INT64_MAX when the venue does not send sizes */
    int64_t ask_px_e8;
    int64_t ask_qty_e8;
    uint64_t recv_ts_ns; /* local receive time of the last update */
    uint64_t exch_ts_ns; /* venue time of the last update, 0 if absent */
    uint32_t updates;
    uint8_t valid;   /* both sides known and not crossed */
    uint8_t lagging; /* exchange time too far behind receive time */
    uint8_t reserved[2];
    uint64_t reserved2;
};

/*
 * The best two venues of one price column, kept incrementally so a tick finds
 * its best counterparty in O(1); a full pass over the column is needed only
 * when the best or second best gets worse.
 */
struct arb_top2 {
    int8_t first;  /* venue with the best price, -1 when none */
    int8_t second; /* venue with the next best, -1 when none */
};

/*
 * One instrument's usable prices across venues, packed per column. Net
 * prices carry each venue's taker fee, for ranking spread counterparties;
 * gross prices serve the basis, which the brief defines before fees.
 * Unusable entries hold sentinels (INT64_MIN bids, INT64_MAX asks).
 */
struct arb_top {
    int64_t bid_net[ARB_MAX_VENUES];
    int64_t ask_net[ARB_MAX_VENUES];
    int64_t bid[ARB_MAX_VENUES];
    int64_t ask[ARB_MAX_VENUES];
    uint64_t ts[ARB_MAX_VENUES]; /* receive time of the quote */
    struct arb_top2 best_bid_net, best_ask_net, best_bid, best_ask;
};

/* Latest funding and mark of one perpetual on one venue. */
struct arb_funding {
    int64_t mark_px_e8;
    int64_t index_px_e8;
    int64_t rate_e8;
    uint64_t next_ts_ns;
    uint64_t recv_ts_ns;
    uint8_t valid;
};

/* Depeg state of one coin on one venue: indicators and an open position. */
struct arb_depeg_state {
    struct arb_ewma ewma;
    struct arb_rsi rsi;
    struct arb_boll boll;
    int64_t price_e8; /* last mid in USD */
    uint64_t price_ts_ns;
    uint64_t last_emit_ns; /* 0: no standing signal */
    uint8_t level;         /* enum arb_depeg_level */
    int8_t pos_dir;        /* +1 long the coin, -1 short, 0 flat */
    uint16_t pos_instrument;
    int64_t pos_qty_e8;
    int64_t pos_entry_px_e8; /* in the instrument's quote */
    int64_t pos_best_px_e8;  /* best exit price seen since entry, for the trailing stop */
    uint64_t pos_entry_ns;
    uint32_t pos_signal;
};

/* A spot and a perpetual of the same base and quote. */
struct arb_basis_pair {
    uint16_t spot;
    uint16_t perp;
};

/* One basis opportunity: pair x spot venue x perp venue. */
struct arb_basis_state {
    uint64_t last_emit_ns;
    uint64_t entry_ns;
    int64_t qty_e8;
    uint32_t signal_id;
    int8_t dir; /* 0 flat, ARB_DIR_PERP_RICH or ARB_DIR_PERP_CHEAP when open */
};

struct arb_detector_stats {
    uint64_t ticks;
    uint64_t stale_ticks; /* ticks flagged stale by their feed */
    uint64_t status_ticks;
    uint64_t signals[4]; /* by enum arb_signal_kind */
    uint64_t intents;
    uint64_t refusals;
    uint64_t events_dropped; /* events ring full: the slow path fell behind */
    uint64_t params_updates;
    uint64_t stale_skips; /* evaluations skipped for a stale or lagging quote */
};

struct arb_detector {
    const struct arb_registry *reg;
    const struct arb_params_pub *pub; /* NULL: params are set directly */
    uint64_t params_seq;
    struct arb_params params; /* private copy: the hot path reads only this */
    struct arb_ring *events;  /* to the slow path */
    struct arb_ring *intents; /* to the order gateway */
    struct arb_risk risk;
    uint32_t next_signal;

    /* Static shape, from the registry at init. */
    uint16_t venues_of[ARB_MAX_INSTRUMENTS]; /* bitmask of venues that quoted it */
    int8_t base_coin[ARB_MAX_INSTRUMENTS];   /* enum arb_coin or -1 */
    int8_t quote_coin[ARB_MAX_INSTRUMENTS];  /* enum arb_coin or -1 */
    uint8_t quote_usd[ARB_MAX_INSTRUMENTS];  /* quoted in USD */
    uint8_t nbasis_of[ARB_MAX_INSTRUMENTS];
    uint16_t basis_open[ARB_MAX_BASIS_PAIRS]; /* open positions per pair: exits to check */
    uint8_t basis_of[ARB_MAX_INSTRUMENTS][4]; /* pair indexes an instrument belongs to */
    uint32_t npairs;
    struct arb_basis_pair pairs[ARB_MAX_BASIS_PAIRS];

    int64_t fee_q32[ARB_MAX_VENUES]; /* taker fee as a 32.32 fraction, from params */
    /* Prefilter factors (32.32), a hair looser than the exact tests they stand in front of:
     * a scan may let through a near miss, never drop an opportunity. */
    int64_t spread_up_q32;                      /* 1 + min edge */
    int64_t spread_dn_q32;                      /* 1 / (1 + min edge) */
    int64_t basis_up_q32, basis_dn_q32;         /* 1 + entry, 1 - entry */
    int64_t basis_inv_up_q32, basis_inv_dn_q32; /* 1 / (1 + entry), 1 / (1 - entry) */

    /* Venue health. */
    uint64_t venue_last_ns[ARB_MAX_VENUES];
    uint8_t venue_stale[ARB_MAX_VENUES]; /* the feed says stale or down */

    /* Market state, instrument-major so one instrument's venues share cache lines. */
    struct arb_quote quote[ARB_MAX_INSTRUMENTS][ARB_MAX_VENUES];
    struct arb_funding funding[ARB_MAX_INSTRUMENTS][ARB_MAX_VENUES];
    struct arb_top top[ARB_MAX_INSTRUMENTS];
    struct arb_depeg_state depeg[ARB_COIN_COUNT][ARB_MAX_VENUES];
    struct arb_basis_state basis[ARB_MAX_BASIS_PAIRS][ARB_MAX_VENUES][ARB_MAX_VENUES];
    uint64_t spread_emit_ns[ARB_MAX_INSTRUMENTS][ARB_MAX_VENUES][ARB_MAX_VENUES];

    struct arb_detector_stats stats;
    struct arb_hist *h_risk; /* risk-gate time per intent, ns; NULL: not measured (replay) */
};

/*
 * Allocates a detector for `reg` (already holding every venue and
 * instrument), reading parameters from `pub` (or from *params when pub is
 * NULL) and writing to the two rings. Returns NULL with errno set on failure.
 */
struct arb_detector *arb_detector_create(const struct arb_registry *reg,
                                         const struct arb_params_pub *pub,
                                         const struct arb_params *params, struct arb_ring *events,
                                         struct arb_ring *intents);
void arb_detector_destroy(struct arb_detector *d);

/*
 * Re-reads the registry's instruments (after new ones were resolved during a
 * replay). Cold.
 */
void arb_detector_refresh_shape(struct arb_detector *d);

/* Detector thread. Processes one tick. */
void arb_detector_on_tick(struct arb_detector *d, const struct arb_tick *t);

/*
 * Detector thread. Books what the gateway reports (struct arb_fill): trades
 * into daily P&L, unfilled bookings back out of the exposures, venue errors
 * into the breaker, and unfilled entries back out of the signal state.
 */
void arb_detector_on_fill(struct arb_detector *d, const struct arb_fill *f);

#endif /* ARB_CORE_DETECT_H */
