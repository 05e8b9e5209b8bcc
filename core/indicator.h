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

#define ARB_EWMA_SHIFT     4  /* alpha = 1/16: a ~31-tick half-life, smooth but quick */
#define ARB_RSI_PERIOD     14
#define ARB_BOLL_PERIOD    20
#define ARB_IND_DEV_CLAMP  3000000000LL /* 30.0 in _e8: keeps d*d inside int64 */

struct arb_ewma {
    int64_t mean_e8;
    int64_t var_e8; /* variance in price units squared, _e8 */
    uint32_t n;
};

/* Adds x; returns the z-score of x against the state before it, _e4 (1.5 sigma = 15000). */
static inline int64_t arb_ewma_update(struct arb_ewma *e, int64_t x_e8)
{
    if (e->n++ == 0) {
        e->mean_e8 = x_e8;
        e->var_e8 = 0;
        return 0;
    }
    int64_t d = x_e8 - e->mean_e8;
    if (d > ARB_IND_DEV_CLAMP)
        d = ARB_IND_DEV_CLAMP;
    if (d < -ARB_IND_DEV_CLAMP)
        d = -ARB_IND_DEV_CLAMP;
    int64_t z = 0;
    /* sigma in _e8 is sqrt(var_e8 * 1e8); a flat history has no z-score. */
    uint64_t sd = arb_fx_isqrt((uint64_t)e->var_e8 * 100000000ULL);
    if (sd > 0)
        z = d * 10000 / (int64_t)sd;
    e->mean_e8 += d / (1 << ARB_EWMA_SHIFT);
    int64_t sq = d * d / 100000000LL;
    e->var_e8 += (sq - e->var_e8) / (1 << ARB_EWMA_SHIFT);
    return z;
}

struct arb_rsi {
    int64_t prev_e8;
    int64_t avg_gain_e8;
    int64_t avg_loss_e8;
    uint32_t n; /* prices seen */
};

/* Adds x; returns RSI in _e2 (0..10000, i.e. 0..100.00); 5000 until 14 changes are seen. */
static inline int64_t arb_rsi_update(struct arb_rsi *r, int64_t x_e8)
{
    if (r->n++ == 0) {
        r->prev_e8 = x_e8;
        return 5000;
    }
    int64_t ch = x_e8 - r->prev_e8;
    int64_t gain = ch > 0 ? ch : 0, loss = ch < 0 ? -ch : 0;
    r->prev_e8 = x_e8;
    if (r->n <= ARB_RSI_PERIOD + 1) {
        /* Seed with the simple mean of the first 14 changes, as Wilder did. */
        r->avg_gain_e8 += gain;
        r->avg_loss_e8 += loss;
        if (r->n < ARB_RSI_PERIOD + 1)
            return 5000;
        r->avg_gain_e8 /= ARB_RSI_PERIOD;
        r->avg_loss_e8 /= ARB_RSI_PERIOD;
    } else {
        r->avg_gain_e8 = (r->avg_gain_e8 * (ARB_RSI_PERIOD - 1) + gain) / ARB_RSI_PERIOD;
        r->avg_loss_e8 = (r->avg_loss_e8 * (ARB_RSI_PERIOD - 1) + loss) / ARB_RSI_PERIOD;
    }
    int64_t tot = r->avg_gain_e8 + r->avg_loss_e8;
    return tot ? r->avg_gain_e8 * 10000 / tot : 5000;
}

struct arb_boll {
    int64_t win_e8[ARB_BOLL_PERIOD];
    int64_t sum_e8;
    arb_i128 sumsq_e16;
    uint32_t n;   /* prices seen */
    uint32_t pos; /* next slot */
};

struct arb_boll_out {
    int64_t mid_e8;   /* 20-period mean */
    int64_t upper_e8; /* mean + 2 sigma */
    int64_t lower_e8; /* mean - 2 sigma */
    int64_t pct_b_e4; /* (x - lower) / (upper - lower): 0 at the lower band, 10000 at the upper */
};

/* Adds x and returns the bands including x; until 20 prices, over those seen. */
static inline void arb_boll_update(struct arb_boll *b, int64_t x_e8, struct arb_boll_out *o)
{
    if (b->n >= ARB_BOLL_PERIOD) {
        int64_t old = b->win_e8[b->pos];
        b->sum_e8 -= old;
        b->sumsq_e16 -= (arb_i128)old * old;
    } else {
        b->n++;
    }
    b->win_e8[b->pos] = x_e8;
    b->pos = (b->pos + 1) % ARB_BOLL_PERIOD;
    b->sum_e8 += x_e8;
    b->sumsq_e16 += (arb_i128)x_e8 * x_e8;
    int64_t n = b->n;
    int64_t mean = b->sum_e8 / n;
    /* Population variance: E[x^2] - mean^2, exact in 128 bits. */
    arb_i128 var_e16 = b->sumsq_e16 / n - (arb_i128)mean * mean;
    if (var_e16 < 0)
        var_e16 = 0;
    int64_t sd = (int64_t)arb_fx_isqrt(var_e16 > (arb_i128)UINT64_MAX ? UINT64_MAX : (uint64_t)var_e16);
    o->mid_e8 = mean;
    o->upper_e8 = mean + 2 * sd;
    o->lower_e8 = mean - 2 * sd;
    o->pct_b_e4 = sd ? (x_e8 - o->lower_e8) * 10000 / (4 * sd) : 5000;
}

#endif /* ARB_CORE_INDICATOR_H */
