/* SPDX-License-Identifier: MIT */
/*
 * Events the hot path reports to the slow path: signals, passed intents and
 * refusals. One ring record each; the slow path journals, prints and counts
 * them. The hot path never formats text.
 */
#ifndef ARB_CORE_EVENT_H
#define ARB_CORE_EVENT_H

#include <stdint.h>

enum arb_event_type {
    ARB_EV_SPREAD = 1,  /* cross-venue spread signal */
    ARB_EV_BASIS = 2,   /* funding-basis signal (entry or exit) */
    ARB_EV_DEPEG = 3,   /* stablecoin depeg signal */
    ARB_EV_INTENT = 4,  /* an intent passed the risk gate */
    ARB_EV_REFUSAL = 5, /* the risk gate (or back-pressure) refused an intent */
    ARB_EV_ORDER = 6,   /* gateway: an order left (or was held back by a rate limit) */
    ARB_EV_FILL = 7,    /* gateway: an execution came back */
    ARB_EV_HEDGE = 8,   /* gateway: a two-leg imbalance is being hedged */
    ARB_EV_ALARM = 9,   /* gateway: something needs a human (unhedged, unknown fill state) */
};

enum arb_depeg_level {
    ARB_LEVEL_LOW = 0,
    ARB_LEVEL_MEDIUM = 1,
    ARB_LEVEL_HIGH = 2,
    ARB_LEVEL_CRITICAL = 3,
};

/* Why the risk gate said no. Counted per reason. */
enum arb_refusal {
    ARB_REFUSE_NONE = 0,
    ARB_REFUSE_HALT,           /* global kill switch */
    ARB_REFUSE_VENUE_HALT,     /* this venue is halted */
    ARB_REFUSE_ERRORS,         /* consecutive venue errors breaker */
    ARB_REFUSE_DAILY_LOSS,     /* daily loss limit reached */
    ARB_REFUSE_CRITICAL_DEPEG, /* would add exposure to a coin in critical depeg */
    ARB_REFUSE_NO_EDGE,        /* Kelly fraction <= 0 */
    ARB_REFUSE_POSITION,       /* max position fraction used up */
    ARB_REFUSE_VENUE_LIMIT,    /* per-venue exposure limit */
    ARB_REFUSE_COIN_LIMIT,     /* per-coin exposure limit */
    ARB_REFUSE_DEPEG_CAP,      /* depeg exposure cap */
    ARB_REFUSE_MIN_SIZE,       /* cut below the minimum order after limits */
    ARB_REFUSE_BACKPRESSURE,   /* intent ring full: the gateway is behind */
    ARB_REFUSE_COUNT,
};

/* Signal direction flags (dir). */
#define ARB_DIR_BUY_FIRST  1    /* spread: buy on venue_a, sell on venue_b */
#define ARB_DIR_PERP_RICH  1    /* basis: buy spot (venue_a), sell perp (venue_b) */
#define ARB_DIR_PERP_CHEAP 2    /* basis: sell spot, buy perp */
#define ARB_DIR_BELOW_PEG  1    /* depeg: buy the coin */
#define ARB_DIR_ABOVE_PEG  2    /* depeg: sell the coin */
#define ARB_DIR_EXIT       0x80 /* basis/depeg: the signal closes a position */

#define ARB_EV_F_NO_FUNDING 0x01 /* basis: no funding rate known yet, funding term is 0 */

struct arb_event {
    uint64_t ts_ns; /* event time: the triggering tick's receive time */
    uint32_t signal_id;
    uint8_t type;   /* enum arb_event_type */
    uint8_t level;  /* DEPEG: enum arb_depeg_level; INTENT/REFUSAL: signal kind */
    uint8_t reason; /* REFUSAL: enum arb_refusal; FILL: the execution kind */
    uint8_t dir;    /* ARB_DIR_*; ORDER/FILL/HEDGE: leg (0, 1; 2 for a hedge) */
    uint16_t instrument;
    uint16_t venue_a;  /* spread: buy venue; basis: spot venue; depeg: the venue */
    uint16_t venue_b;  /* spread: sell venue; basis: perp venue */
    uint8_t coin;      /* DEPEG: enum arb_coin */
    uint8_t flags;     /* ARB_EV_F_* */
    uint32_t age_a_us; /* age of the quote on venue_a when used */
    uint32_t age_b_us;
    union { /* prices and quantities _e8, bps and pct _e8 */
        struct {
            int64_t edge_bps; /* net of both taker fees */
            int64_t buy_px;   /* ask on venue_a */
            int64_t sell_px;  /* bid on venue_b */
            int64_t qty;      /* min of both top-of-book sizes */
        } spread;
        struct {
            int64_t basis_bps;      /* signed: > 0 perp rich */
            int64_t funding_rate;   /* per period, as the venue quotes it */
            int64_t annualized_pct; /* expected return over H, annualized */
            int64_t return_bps;     /* expected return over H */
        } basis;
        struct {
            int64_t deviation_bps; /* signed: price - 1 */
            int64_t price;         /* in USD, converted through the quote coin if needed */
            int64_t strength;      /* 0..1 */
            int64_t zscore_e4;     /* EWMA z-score of the price */
        } depeg;
        struct {
            int64_t qty;        /* ORDER: sent; FILL: cumulative filled */
            int64_t px;         /* ORDER: limit; FILL: average price */
            int64_t fee;        /* FILL: fee */
            int64_t latency_ns; /* ORDER: tick receipt to submit; FILL: submit to answer */
        } exec;
        struct {
            int64_t notional_usd; /* sized (INTENT) or asked for (REFUSAL) */
            int64_t qty;          /* first leg */
            int64_t px;           /* first leg's limit */
            int64_t cap_usd;      /* REFUSAL: the limit that bound */
        } order;
    };
};

_Static_assert(sizeof(struct arb_event) == 64, "an event is one ring record");

#endif /* ARB_CORE_EVENT_H */
