/* SPDX-License-Identifier: MIT */
/*
 * O(1)-per-tick price indicators in integer fixed point: EWMA mean and
 * variance (z-score), Wilder's RSI(14) and Bollinger(20, 2 sigma). Inputs are
 * _e8 prices near 1.0 (stablecoins); deviations are clamped so squares fit.
 */
#ifndef ARB_CORE_INDICATOR_H
#define ARB_CORE_INDICATOR_H

#include "core/fxmath.h"

#include <stdint.h>

#define ARB_EWMA_SHIFT  4 /* alpha = 1/16: a ~31-tick half-life, smooth but quick */
#define ARB_RSI_PERIOD  14
#define ARB_BOLL_PERIOD 20
#define ARB_IND_DEV_CLAMP                                                                          \
    30000000LL /* 0.3 in _e8: a stablecoin 30% off its peg saturates the                           \
                * indicators, and every square and sum stays in int64 */

struct arb_ewma {
    int64_t mean_e8;
    int64_t var_e16; /* variance in price units squared, _e16: stablecoin variances are ~1e-9 */
    int64_t last_d;  /* the last price minus the mean before it, for the z-score */
    int64_t last_var_e16; /* the variance before the last price */
    uint32_t n;
};

/* Adds x: two adds and two shifts, no divide (the z-score is computed on demand). */
static inline void arb_ewma_update(struct arb_ewma *e, int64_t x_e8)
{
    if (e->n++ == 0) {
        e->mean_e8 = x_e8;
        e->var_e16 = 0;
        e->last_d = 0;
        e->last_var_e16 = 0;
        return;
    }
    int64_t d = x_e8 - e->mean_e8;
    if (d > ARB_IND_DEV_CLAMP)
        d = ARB_IND_DEV_CLAMP;
    if (d < -ARB_IND_DEV_CLAMP)
        d = -ARB_IND_DEV_CLAMP;
    e->last_d = d;
    e->last_var_e16 = e->var_e16;
    e->mean_e8 += d / (1 << ARB_EWMA_SHIFT);
    /* |d| <= 3e7, so d * d <= 9e14: int64 with room to spare. */
    e->var_e16 += (d * d - e->var_e16) / (1 << ARB_EWMA_SHIFT);
}

/* The z-score of the last price against the state before it, _e4 (1.5 sigma = 15000). */
static inline int64_t arb_ewma_z(const struct arb_ewma *e)
{
    /* sigma _e8 is the root of the _e16 variance; a flat history has no z-score. */
    uint64_t sd = arb_fx_isqrt((uint64_t)e->last_var_e16);
    return sd ? e->last_d * 10000 / (int64_t)sd : 0;
}

#define ARB_RSI_SCALE                                                                              \
    10000000LL /* averages keep 7 extra digits so Wilder's recursion does not                      \
                * drift by truncation */

struct arb_rsi {
    int64_t prev_e8;
    int64_t avg_gain; /* _e8 times ARB_RSI_SCALE */
    int64_t avg_loss;
    uint32_t n; /* prices seen */
};

/* Adds x: the divides by 14 are by a constant, so multiplies. */
static inline void arb_rsi_update(struct arb_rsi *r, int64_t x_e8)
{
    if (r->n++ == 0) {
        r->prev_e8 = x_e8;
        return;
    }
    int64_t ch = x_e8 - r->prev_e8;
    if (ch > ARB_IND_DEV_CLAMP)
        ch = ARB_IND_DEV_CLAMP;
    if (ch < -ARB_IND_DEV_CLAMP)
        ch = -ARB_IND_DEV_CLAMP;
    int64_t gain = ch > 0 ? ch * ARB_RSI_SCALE : 0, loss = ch < 0 ? -ch * ARB_RSI_SCALE : 0;
    r->prev_e8 = x_e8;
    if (r->n <= ARB_RSI_PERIOD + 1) {
        /* Seed with the simple mean of the first 14 changes, as Wilder did. */
        r->avg_gain += gain / ARB_RSI_PERIOD;
        r->avg_loss += loss / ARB_RSI_PERIOD;
    } else {
        r->avg_gain = (r->avg_gain * (ARB_RSI_PERIOD - 1) + gain) / ARB_RSI_PERIOD;
        r->avg_loss = (r->avg_loss * (ARB_RSI_PERIOD - 1) + loss) / ARB_RSI_PERIOD;
    }
}

/* RSI in _e2 (0..10000, i.e. 0..100.00); 5000 until 14 changes are seen. */
static inline int64_t arb_rsi_value(const struct arb_rsi *r)
{
    if (r->n < ARB_RSI_PERIOD + 1)
        return 5000;
    int64_t tot = r->avg_gain + r->avg_loss;
    /* avg_gain <= 3e7 * 1e7, so times 1e4 still fits in int64: no 128-bit divide. */
    return tot ? r->avg_gain * 10000 / tot : 5000;
}

/*
 * Kept as deviations from the first price seen (clamped like the others), so
 * sums and squares stay in int64 and the variance needs no 128-bit divide.
 */
struct arb_boll {
    int64_t ref_e8;
    int64_t win[ARB_BOLL_PERIOD]; /* deviations from ref, _e8 */
    int64_t sum;
    int64_t sumsq; /* _e16 */
    uint32_t n;    /* prices seen, up to the period */
    uint32_t pos;  /* next slot */
};

struct arb_boll_out {
    int64_t mid_e8;   /* 20-period mean */
    int64_t upper_e8; /* mean + 2 sigma */
    int64_t lower_e8; /* mean - 2 sigma */
    int64_t pct_b_e4; /* (x - lower) / (upper - lower): 0 at the lower band, 10000 at the upper */
};

/* Adds x: a window slot, two adds and two subtracts. */
static inline void arb_boll_update(struct arb_boll *b, int64_t x_e8)
{
    if (b->n == 0)
        b->ref_e8 = x_e8;
    int64_t d = x_e8 - b->ref_e8;
    if (d > ARB_IND_DEV_CLAMP)
        d = ARB_IND_DEV_CLAMP;
    if (d < -ARB_IND_DEV_CLAMP)
        d = -ARB_IND_DEV_CLAMP;
    if (b->n >= ARB_BOLL_PERIOD) {
        int64_t old = b->win[b->pos];
        b->sum -= old;
        b->sumsq -= old * old;
    } else {
        b->n++;
    }
    b->win[b->pos] = d;
    b->pos = b->pos + 1 == ARB_BOLL_PERIOD ? 0 : b->pos + 1;
    b->sum += d;
    b->sumsq += d * d;
}

/* The bands over the window, and where the last price x sits in them. */
static inline void arb_boll_bands(const struct arb_boll *b, int64_t x_e8, struct arb_boll_out *o)
{
    if (b->n == 0) {
        *o = (struct arb_boll_out){x_e8, x_e8, x_e8, 5000};
        return;
    }
    /* Population variance (n sum d^2 - (sum d)^2) / n^2, exact until the divide; with a
     * full window n^2 is the constant 400, which the compiler turns into a multiply. */
    int64_t n = b->n, var;
    if (n == ARB_BOLL_PERIOD)
        var = (ARB_BOLL_PERIOD * b->sumsq - b->sum * b->sum) / (ARB_BOLL_PERIOD * ARB_BOLL_PERIOD);
    else
        var = (n * b->sumsq - b->sum * b->sum) / (n * n);
    int64_t mean = b->ref_e8 + (n == ARB_BOLL_PERIOD ? b->sum / ARB_BOLL_PERIOD : b->sum / n);
    int64_t sd = (int64_t)arb_fx_isqrt(var > 0 ? (uint64_t)var : 0);
    o->mid_e8 = mean;
    o->upper_e8 = mean + 2 * sd;
    o->lower_e8 = mean - 2 * sd;
    o->pct_b_e4 = sd ? (x_e8 - o->lower_e8) * 10000 / (4 * sd) : 5000;
}

#endif /* ARB_CORE_INDICATOR_H */
