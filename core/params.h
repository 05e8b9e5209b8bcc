/* SPDX-License-Identifier: MIT */
/*
 * The strategy parameters block: every threshold, fee, cap and limit, named
 * by dotted keys ("spread.min_edge_bps") that the config file, `--set`, the
 * control socket and the LLM strategist all share, and published to the hot
 * path wait-free through a sequence lock.
 */
#ifndef ARB_CORE_PARAMS_H
#define ARB_CORE_PARAMS_H

#include "core/registry.h"
#include "core/ring.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The stablecoins arbiter knows a peg for (all pegged to 1 USD). */
enum arb_coin {
    ARB_COIN_USDC,
    ARB_COIN_USDT,
    ARB_COIN_DAI,
    ARB_COIN_FRAX,
    ARB_COIN_FDUSD,
    ARB_COIN_TUSD,
    ARB_COIN_BUSD,
    ARB_COIN_PYUSD,
    ARB_COIN_USDE,
    ARB_COIN_COUNT,
};

/* Coin id for an asset code ("USDC"), or -1 when it is not a known stablecoin. */
int arb_coin_find(const char *asset);
const char *arb_coin_name(int coin);

/*
 * Units: `_bps`, `_pct`, `_usd` and fractions are decimal fixed point with 8
 * places (the key "spread.min_edge_bps" = 15 is stored as 15e8); `_ms`,
 * `_h`, `_days` and counts are plain integers. Every member is 8 bytes so
 * the block can be copied as words.
 */
struct arb_params {
    int64_t spread_min_edge_bps; /* net edge after both taker fees */
    int64_t spread_max_age_ms;   /* both quotes younger than this */
    int64_t signal_cooldown_ms;  /* re-emit a standing opportunity at most this often */

    int64_t basis_entry_bps; /* |basis| to enter */
    int64_t basis_exit_bps;  /* |basis| below which an open basis trade exits */
    int64_t basis_min_annualized_pct;
    int64_t basis_horizon_days; /* H in the expected-return formula */
    int64_t basis_max_hold_days;

    int64_t depeg_entry_bps[ARB_COIN_COUNT]; /* per-coin deviation to act */
    int64_t depeg_medium_bps;
    int64_t depeg_high_bps;
    int64_t depeg_critical_bps;
    int64_t depeg_max_exposure_pct; /* of capital, across all depeg positions */
    int64_t depeg_take_profit_bps;
    int64_t depeg_stop_bps;
    int64_t depeg_trail_bps;
    int64_t depeg_max_hold_h;
    int64_t depeg_exit_bps;                     /* back within this of the peg: exit */
    int64_t depeg_venue_weight[ARB_MAX_VENUES]; /* 0..1: trust in a venue's price */

    int64_t risk_capital_usd;
    int64_t risk_max_order_notional_usd;
    int64_t risk_daily_loss_pct;
    int64_t risk_max_position_pct; /* per position, of capital */
    int64_t risk_max_venue_pct;    /* gross exposure on one venue, of capital */
    int64_t risk_max_coin_pct;     /* gross exposure in one asset, of capital */
    int64_t risk_max_consecutive_errors;
    int64_t risk_kelly_fraction; /* 0.5: half-Kelly */

    int64_t sizing_spread_p_win;    /* estimated win probability, 0..1 */
    int64_t sizing_spread_win_loss; /* average win / average loss */
    int64_t sizing_basis_p_win;
    int64_t sizing_basis_win_loss;

    int64_t fees_taker_bps[ARB_MAX_VENUES];
    int64_t feed_stale_ms[ARB_MAX_VENUES];
    int64_t feed_max_lag_ms[ARB_MAX_VENUES]; /* exchange time behind receive time */

    int64_t venue_halt[ARB_MAX_VENUES]; /* 1: no new orders on this venue */
    int64_t halt;                       /* 1: kill switch, no new orders anywhere */
    uint64_t version;                   /* bumped by every publish, for the journal */
};

_Static_assert(sizeof(struct arb_params) % 8 == 0, "the block is copied as words");

#define ARB_PARAMS_WORDS (sizeof(struct arb_params) / 8)

/* Fills in the defaults (../shared/docs/BRIEF.md's strategy defaults). */
void arb_params_defaults(struct arb_params *p);

/* Applies each registered venue's published taker fee (entry tier). */
void arb_params_venue_defaults(struct arb_params *p, const struct arb_registry *reg);

/*
 * Sets one key from its text value: "spread.min_edge_bps" = "12.5",
 * "fees.binance.taker_bps" = "7.5", "depeg.entry_bps.USDC" = "30",
 * "halt" = "1". Venue names resolve through reg. Returns 0, or -ENOENT for an
 * unknown key, -EINVAL for a bad value, -ERANGE for one out of the key's
 * bounds; err (when not NULL) receives a message naming the key.
 */
int arb_params_set(struct arb_params *p, const struct arb_registry *reg, const char *key,
                   const char *value, char *err, size_t errlen);

/* Writes a key's current value as text. Returns 0 or -ENOENT. */
int arb_params_get(const struct arb_params *p, const struct arb_registry *reg, const char *key,
                   char *out, size_t len);

/*
 * Calls fn for every key with its value text, in a stable order (for
 * `arbiter params`, the control socket's dump and the journal).
 */
void arb_params_each(const struct arb_params *p, const struct arb_registry *reg,
                     void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

/*
 * Wait-free publication. One writer (the slow path) and any number of
 * readers. The sequence is odd while a write is in progress.
 */
struct arb_params_pub {
    alignas(ARB_CACHELINE) _Atomic uint64_t seq;
    alignas(ARB_CACHELINE) _Atomic uint64_t words[ARB_PARAMS_WORDS];
};

/* Sets up the publication with an initial block. */
void arb_params_pub_init(struct arb_params_pub *pub, const struct arb_params *p);

/* Writer only. Publishes a new block; never waits for readers. */
void arb_params_publish(struct arb_params_pub *pub, const struct arb_params *p);

/* Any thread. True when a block newer than `seen_seq` has been published. */
static inline bool arb_params_changed(const struct arb_params_pub *pub, uint64_t seen_seq)
{
    /* A1: pairs with R2 in arb_params_publish. */
    return atomic_load_explicit(&pub->seq, memory_order_acquire) != seen_seq;
}

/*
 * Reader. Copies the current block into *out when it is complete and newer
 * than *seen_seq, and updates *seen_seq. Returns true on a fresh copy; false
 * when nothing changed or a write was in flight, in which case *out is left
 * untouched and the caller keeps its previous block (it never waits).
 */
bool arb_params_try_snapshot(const struct arb_params_pub *pub, struct arb_params *out,
                             uint64_t *seen_seq);

#endif /* ARB_CORE_PARAMS_H */
