/* SPDX-License-Identifier: MIT */
/* Parameter keys, defaults, text conversion and seqlock publication. */
#include "params.h"

#include "fixed.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const coin_names[ARB_COIN_COUNT] = {
    [ARB_COIN_USDC] = "USDC", [ARB_COIN_USDT] = "USDT",   [ARB_COIN_DAI] = "DAI",
    [ARB_COIN_FRAX] = "FRAX", [ARB_COIN_FDUSD] = "FDUSD", [ARB_COIN_TUSD] = "TUSD",
    [ARB_COIN_BUSD] = "BUSD", [ARB_COIN_PYUSD] = "PYUSD", [ARB_COIN_USDE] = "USDE",
};

int arb_coin_find(const char *asset)
{
    for (int i = 0; i < ARB_COIN_COUNT; i++)
        if (strcmp(coin_names[i], asset) == 0)
            return i;
    return -1;
}

const char *arb_coin_name(int coin)
{
    return coin >= 0 && coin < ARB_COIN_COUNT ? coin_names[coin] : "?";
}

enum key_kind {
    KEY_DEC, /* decimal, stored _e8 */
    KEY_INT, /* integer */
};

enum key_index {
    KEY_SCALAR, /* one value */
    KEY_COIN,   /* prefix.<COIN> */
    KEY_VENUE,  /* prefix.<venue>.suffix */
};

/* One row per key: the one place that names, bounds and locates a parameter. */
struct key_def {
    const char *name; /* scalar: full key; coin: prefix; venue: "prefix.%s.suffix" */
    uint8_t kind;     /* enum key_kind */
    uint8_t index;    /* enum key_index */
    size_t offset;    /* of the member (the array's first element when indexed) */
    int64_t min, max; /* inclusive bounds, in stored units */
};

#define E8     100000000LL
#define OFF(m) offsetof(struct arb_params, m)

static const struct key_def keys[] = {
    {"spread.min_edge_bps", KEY_DEC, KEY_SCALAR, OFF(spread_min_edge_bps), -1000 * E8, 10000 * E8},
    {"spread.max_age_ms", KEY_INT, KEY_SCALAR, OFF(spread_max_age_ms), 1, 3600000},
    {"signal.cooldown_ms", KEY_INT, KEY_SCALAR, OFF(signal_cooldown_ms), 0, 3600000},
    {"basis.entry_bps", KEY_DEC, KEY_SCALAR, OFF(basis_entry_bps), 0, 10000 * E8},
    {"basis.exit_bps", KEY_DEC, KEY_SCALAR, OFF(basis_exit_bps), 0, 10000 * E8},
    {"basis.min_annualized_pct", KEY_DEC, KEY_SCALAR, OFF(basis_min_annualized_pct), -100 * E8,
     100000 * E8},
    {"basis.horizon_days", KEY_INT, KEY_SCALAR, OFF(basis_horizon_days), 1, 365},
    {"basis.max_hold_days", KEY_INT, KEY_SCALAR, OFF(basis_max_hold_days), 1, 365},
    {"depeg.entry_bps", KEY_DEC, KEY_COIN, OFF(depeg_entry_bps), 0, 10000 * E8},
    {"depeg.medium_bps", KEY_DEC, KEY_SCALAR, OFF(depeg_medium_bps), 0, 10000 * E8},
    {"depeg.high_bps", KEY_DEC, KEY_SCALAR, OFF(depeg_high_bps), 0, 10000 * E8},
    {"depeg.critical_bps", KEY_DEC, KEY_SCALAR, OFF(depeg_critical_bps), 0, 10000 * E8},
    {"depeg.max_exposure_pct", KEY_DEC, KEY_SCALAR, OFF(depeg_max_exposure_pct), 0, 100 * E8},
    {"depeg.take_profit_bps", KEY_DEC, KEY_SCALAR, OFF(depeg_take_profit_bps), 0, 10000 * E8},
    {"depeg.stop_bps", KEY_DEC, KEY_SCALAR, OFF(depeg_stop_bps), 0, 10000 * E8},
    {"depeg.trail_bps", KEY_DEC, KEY_SCALAR, OFF(depeg_trail_bps), 0, 10000 * E8},
    {"depeg.max_hold_h", KEY_INT, KEY_SCALAR, OFF(depeg_max_hold_h), 1, 24 * 365},
    {"depeg.exit_bps", KEY_DEC, KEY_SCALAR, OFF(depeg_exit_bps), 0, 10000 * E8},
    {"depeg.venue_weight.%s", KEY_DEC, KEY_VENUE, OFF(depeg_venue_weight), 0, E8},
    {"risk.capital", KEY_DEC, KEY_SCALAR, OFF(risk_capital_usd), 0, 10000000000LL * E8 / 100},
    {"risk.max_order_notional", KEY_DEC, KEY_SCALAR, OFF(risk_max_order_notional_usd), 0,
     10000000000LL * E8 / 100},
    {"risk.daily_loss_pct", KEY_DEC, KEY_SCALAR, OFF(risk_daily_loss_pct), 0, 100 * E8},
    {"risk.max_position_pct", KEY_DEC, KEY_SCALAR, OFF(risk_max_position_pct), 0, 100 * E8},
    {"risk.max_venue_pct", KEY_DEC, KEY_SCALAR, OFF(risk_max_venue_pct), 0, 1000 * E8},
    {"risk.max_coin_pct", KEY_DEC, KEY_SCALAR, OFF(risk_max_coin_pct), 0, 1000 * E8},
    {"risk.max_consecutive_errors", KEY_INT, KEY_SCALAR, OFF(risk_max_consecutive_errors), 1, 1000},
    {"risk.kelly_fraction", KEY_DEC, KEY_SCALAR, OFF(risk_kelly_fraction), 0, E8},
    {"sizing.spread.p_win", KEY_DEC, KEY_SCALAR, OFF(sizing_spread_p_win), 0, E8},
    {"sizing.spread.win_loss", KEY_DEC, KEY_SCALAR, OFF(sizing_spread_win_loss), 1, 1000 * E8},
    {"sizing.basis.p_win", KEY_DEC, KEY_SCALAR, OFF(sizing_basis_p_win), 0, E8},
    {"sizing.basis.win_loss", KEY_DEC, KEY_SCALAR, OFF(sizing_basis_win_loss), 1, 1000 * E8},
    {"fees.%s.taker_bps", KEY_DEC, KEY_VENUE, OFF(fees_taker_bps), -100 * E8, 1000 * E8},
    {"feed.%s.stale_ms", KEY_INT, KEY_VENUE, OFF(feed_stale_ms), 1, 3600000},
    {"feed.%s.max_lag_ms", KEY_INT, KEY_VENUE, OFF(feed_max_lag_ms), 1, 3600000},
    {"venue.%s.halt", KEY_INT, KEY_VENUE, OFF(venue_halt), 0, 1},
    {"halt", KEY_INT, KEY_SCALAR, OFF(halt), 0, 1},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void arb_params_defaults(struct arb_params *p)
{
    memset(p, 0, sizeof(*p));
    p->spread_min_edge_bps = 15 * E8;
    p->spread_max_age_ms = 500;
    p->signal_cooldown_ms = 1000;
    p->basis_entry_bps = 20 * E8;
    p->basis_exit_bps = 5 * E8;
    p->basis_min_annualized_pct = 15 * E8;
    p->basis_horizon_days = 7;
    p->basis_max_hold_days = 7;
    for (int c = 0; c < ARB_COIN_COUNT; c++)
        p->depeg_entry_bps[c] = 50 * E8; /* coins the brief does not name: DAI's level */
    p->depeg_entry_bps[ARB_COIN_USDC] = 30 * E8;
    p->depeg_entry_bps[ARB_COIN_USDT] = 40 * E8;
    p->depeg_entry_bps[ARB_COIN_DAI] = 50 * E8;
    p->depeg_entry_bps[ARB_COIN_FRAX] = 60 * E8;
    p->depeg_medium_bps = 50 * E8;
    p->depeg_high_bps = 100 * E8;
    p->depeg_critical_bps = 200 * E8;
    p->depeg_max_exposure_pct = 15 * E8;
    p->depeg_take_profit_bps = 200 * E8;
    p->depeg_stop_bps = 100 * E8;
    p->depeg_trail_bps = 50 * E8;
    p->depeg_max_hold_h = 24;
    p->depeg_exit_bps = 10 * E8;
    p->risk_capital_usd = 100000 * E8;
    p->risk_max_order_notional_usd = 10000 * E8;
    p->risk_daily_loss_pct = 2 * E8;
    p->risk_max_position_pct = 25 * E8;
    p->risk_max_venue_pct = 50 * E8;
    p->risk_max_coin_pct = 50 * E8;
    p->risk_max_consecutive_errors = 5;
    p->risk_kelly_fraction = E8 / 2;
    p->sizing_spread_p_win = 90 * E8 / 100;
    p->sizing_spread_win_loss = 1 * E8;
    p->sizing_basis_p_win = 80 * E8 / 100;
    p->sizing_basis_win_loss = 15 * E8 / 10;
    for (int v = 0; v < ARB_MAX_VENUES; v++) {
        p->depeg_venue_weight[v] = E8;
        p->fees_taker_bps[v] = 10 * E8;
        p->feed_stale_ms[v] = 5000;
        p->feed_max_lag_ms[v] = 2000;
    }
}

/*
 * Public taker fees at each venue's entry tier, in bps; a desk sets its own
 * tier with fees.<venue>.taker_bps.
 */
static const struct {
    const char *venue;
    int64_t taker_bps;
} venue_fees[] = {
    {"binance", 10 * E8}, {"binance-futures", 5 * E8}, {"coinbase", 60 * E8},
    {"kraken", 40 * E8},  {"okex", 10 * E8},           {"bybit", 10 * E8},
};

void arb_params_venue_defaults(struct arb_params *p, const struct arb_registry *reg)
{
    for (uint32_t v = 0; v < reg->nvenues; v++)
        for (size_t i = 0; i < sizeof(venue_fees) / sizeof(venue_fees[0]); i++)
            if (strcmp(reg->venue[v], venue_fees[i].venue) == 0)
                p->fees_taker_bps[v] = venue_fees[i].taker_bps;
}

/* Finds the key row and the array index a dotted key names. */
static const struct key_def *key_lookup(const struct arb_registry *reg, const char *key, int *index,
                                        char *err, size_t errlen)
{
    *index = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        const struct key_def *k = &keys[i];
        size_t plen;

        switch (k->index) {
        case KEY_SCALAR:
            if (strcmp(key, k->name) == 0)
                return k;
            break;
        case KEY_COIN:
            plen = strlen(k->name);
            if (strncmp(key, k->name, plen) == 0 && key[plen] == '.') {
                int c = arb_coin_find(key + plen + 1);
                if (c < 0) {
                    snprintf(err, errlen, "%s: unknown stablecoin '%s'", key, key + plen + 1);
                    return NULL;
                }
                *index = c;
                return k;
            }
            break;
        case KEY_VENUE: {
            const char *mark = strstr(k->name, "%s");
            size_t pre = (size_t)(mark - k->name);
            const char *suf = mark + 2;
            size_t klen = strlen(key), slen = strlen(suf);
            if (klen > pre + slen && strncmp(key, k->name, pre) == 0 &&
                strcmp(key + klen - slen, suf) == 0) {
                char venue[ARB_NAME_MAX];
                size_t vlen = klen - pre - slen;
                if (vlen >= sizeof(venue))
                    break;
                memcpy(venue, key + pre, vlen);
                venue[vlen] = '\0';
                int v = reg ? arb_registry_find_venue(reg, venue) : -ENOENT;
                if (v < 0) {
                    snprintf(err, errlen, "%s: unknown venue '%s'", key, venue);
                    return NULL;
                }
                *index = v;
                return k;
            }
            break;
        }
        }
    }
    snprintf(err, errlen, "%s: unknown parameter", key);
    return NULL;
}

static int64_t *key_slot(struct arb_params *p, const struct key_def *k, int index)
{
    return (int64_t *)((char *)p + k->offset) + index;
}

int arb_params_set(struct arb_params *p, const struct arb_registry *reg, const char *key,
                   const char *value, char *err, size_t errlen)
{
    char scratch[160];
    int index;
    int64_t v;

    if (!err) {
        err = scratch;
        errlen = sizeof(scratch);
    }
    const struct key_def *k = key_lookup(reg, key, &index, err, errlen);
    if (!k)
        return -ENOENT;
    if (k->kind == KEY_INT) {
        /* Integers go through the exact decimal parser too: "1.5" ms is refused, not cut. */
        if (k->max == 1 && (strcmp(value, "true") == 0 || strcmp(value, "on") == 0))
            value = "1";
        else if (k->max == 1 && (strcmp(value, "false") == 0 || strcmp(value, "off") == 0))
            value = "0";
        int rc = arb_fixed_parse_cstr(value, &v);
        if (rc != 0 || v % E8 != 0) {
            snprintf(err, errlen, "%s: '%s' is not an integer", key, value);
            return -EINVAL;
        }
        v /= E8;
    } else {
        int rc = arb_fixed_parse_cstr(value, &v);
        if (rc != 0) {
            snprintf(err, errlen, "%s: '%s' is not a decimal number%s", key, value,
                     rc == -EDOM ? " with at most 8 decimals" : "");
            return rc == -ERANGE ? -ERANGE : -EINVAL;
        }
    }
    if (v < k->min || v > k->max) {
        char lo[ARB_FIXED_STRMAX], hi[ARB_FIXED_STRMAX];
        if (k->kind == KEY_DEC) {
            arb_fixed_format(k->min, lo);
            arb_fixed_format(k->max, hi);
        } else {
            snprintf(lo, sizeof(lo), "%lld", (long long)k->min);
            snprintf(hi, sizeof(hi), "%lld", (long long)k->max);
        }
        snprintf(err, errlen, "%s: %s is out of range [%s, %s]", key, value, lo, hi);
        return -ERANGE;
    }
    *key_slot(p, k, index) = v;
    return 0;
}

static void format_value(const struct key_def *k, int64_t v, char *out, size_t len)
{
    if (k->kind == KEY_DEC) {
        char buf[ARB_FIXED_STRMAX];
        arb_fixed_format(v, buf);
        snprintf(out, len, "%s", buf);
    } else {
        snprintf(out, len, "%lld", (long long)v);
    }
}

int arb_params_get(const struct arb_params *p, const struct arb_registry *reg, const char *key,
                   char *out, size_t len)
{
    char err[160];
    int index;
    const struct key_def *k = key_lookup(reg, key, &index, err, sizeof(err));

    if (!k)
        return -ENOENT;
    format_value(k, *key_slot((struct arb_params *)p, k, index), out, len);
    return 0;
}

void arb_params_each(const struct arb_params *p, const struct arb_registry *reg,
                     void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    char name[96], value[32];

    for (size_t i = 0; i < NKEYS; i++) {
        const struct key_def *k = &keys[i];
        int n = k->index == KEY_COIN    ? ARB_COIN_COUNT
                : k->index == KEY_VENUE ? (reg ? (int)reg->nvenues : 0)
                                        : 1;
        for (int j = 0; j < n; j++) {
            if (k->index == KEY_COIN)
                snprintf(name, sizeof(name), "%s.%s", k->name, coin_names[j]);
            else if (k->index == KEY_VENUE) {
                const char *mark = strstr(k->name, "%s");
                snprintf(name, sizeof(name), "%.*s%s%s", (int)(mark - k->name), k->name,
                         reg->venue[j], mark + 2);
            } else
                snprintf(name, sizeof(name), "%s", k->name);
            format_value(k, *key_slot((struct arb_params *)p, k, j), value, sizeof(value));
            fn(ctx, name, value);
        }
    }
}

void arb_params_pub_init(struct arb_params_pub *pub, const struct arb_params *p)
{
    const uint64_t *src = (const uint64_t *)p;

    /* Even and non-zero, so a reader starting from seen_seq = 0 takes this block. */
    atomic_init(&pub->seq, 2);
    for (size_t i = 0; i < ARB_PARAMS_WORDS; i++)
        atomic_init(&pub->words[i], src[i]);
}

void arb_params_publish(struct arb_params_pub *pub, const struct arb_params *p)
{
    const uint64_t *src = (const uint64_t *)p;
    uint64_t seq = atomic_load_explicit(&pub->seq, memory_order_relaxed); /* sole writer */

    atomic_store_explicit(&pub->seq, seq + 1, memory_order_relaxed);
    /* R1: pairs with A2. Release stores keep the odd sequence ahead of every word, so a
     * reader that sees any new word also sees the write in progress. (Ordered stores
     * rather than a fence, which ThreadSanitizer cannot follow; on x86 they are plain movs.) */
    for (size_t i = 0; i < ARB_PARAMS_WORDS; i++)
        atomic_store_explicit(&pub->words[i], src[i], memory_order_release);
    /* R2: pairs with A1/A3; the words are visible before the even sequence. */
    atomic_store_explicit(&pub->seq, seq + 2, memory_order_release);
}

bool arb_params_try_snapshot(const struct arb_params_pub *pub, struct arb_params *out,
                             uint64_t *seen_seq)
{
    uint64_t tmp[ARB_PARAMS_WORDS];
    /* A3: pairs with R2, so the words we read are at least this new. */
    uint64_t s1 = atomic_load_explicit(&pub->seq, memory_order_acquire);

    if (s1 == *seen_seq || (s1 & 1))
        return false;
    /* A2: pairs with R1. Acquire loads keep the sequence re-read below after every word:
     * if a writer started meanwhile, the re-read sees it. */
    for (size_t i = 0; i < ARB_PARAMS_WORDS; i++)
        tmp[i] = atomic_load_explicit(&pub->words[i], memory_order_acquire);
    if (atomic_load_explicit(&pub->seq, memory_order_relaxed) != s1)
        return false;
    memcpy(out, tmp, sizeof(tmp));
    *seen_seq = s1;
    return true;
}
