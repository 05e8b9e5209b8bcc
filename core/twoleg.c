/* SPDX-License-Identifier: MIT */
/* Two-leg safety: imbalance tracking and hedge orders. */
#include "twoleg.h"

#include "fxmath.h"

#include <errno.h>
#include <string.h>

#define BPS_SCALE 1000000000000LL

void arb_twoleg_init(struct arb_twoleg *t, enum arb_hedge_mode mode, int64_t slippage_bps,
                     uint64_t leg_timeout_ns, uint32_t max_hedges)
{
    memset(t, 0, sizeof(*t));
    t->mode = (uint8_t)mode;
    t->slippage_bps = slippage_bps;
    t->leg_timeout_ns = leg_timeout_ns;
    t->max_hedges = max_hedges ? max_hedges : 3;
}

int arb_twoleg_open(struct arb_twoleg *t, const struct arb_intent *in, uint64_t now_ns)
{
    /* Slots by signal id, probing past busy ones: O(1) while the table is sparse. */
    for (uint32_t k = 0; k < ARB_TWOLEG_MAX; k++) {
        uint32_t slot = (in->signal_id + k) & (ARB_TWOLEG_MAX - 1);
        struct arb_flight *f = &t->f[slot];
        if (f->active)
            continue;
        memset(f, 0, sizeof(*f));
        f->in = *in;
        f->sent_ns = now_ns;
        f->active = true;
        if (in->nlegs < 2)
            f->status[1] = ARB_LEG_DONE;
        t->stats.opened++;
        return (int)slot;
    }
    t->stats.full++;
    return -ENOSPC;
}

void arb_twoleg_exec(struct arb_twoleg *t, int slot, int leg, int64_t fill_e8, bool final)
{
    struct arb_flight *f = &t->f[slot & (ARB_TWOLEG_MAX - 1)];

    if (!f->active || leg < 0 || leg > 2)
        return;
    if (fill_e8 > 0) {
        uint8_t side = leg < 2 ? f->in.leg[leg].side : f->hedge_side;
        f->signed_fill_e8[leg] += side == ARB_SIDE_BUY ? fill_e8 : -fill_e8;
    }
    if (final) {
        if (leg < 2)
            f->status[leg] = ARB_LEG_DONE;
        else
            f->hedge_pending = false;
    }
}

static int64_t slip(int64_t px, int64_t bps, bool up)
{
    int64_t d = (int64_t)((arb_i128)px * bps / BPS_SCALE);
    return up ? px + d : px - d;
}

int arb_twoleg_poll(struct arb_twoleg *t, int slot, uint64_t now_ns, struct arb_leg *hedge)
{
    struct arb_flight *f = &t->f[slot & (ARB_TWOLEG_MAX - 1)];

    if (!f->active)
        return 0;
    for (int k = 0; k < 2; k++)
        if (f->status[k] == ARB_LEG_PENDING && now_ns - f->sent_ns > t->leg_timeout_ns) {
            f->status[k] = ARB_LEG_TIMEOUT;
            t->stats.timeouts++;
        }
    if (f->status[0] == ARB_LEG_PENDING || f->status[1] == ARB_LEG_PENDING)
        return 0;
    if (f->in.nlegs < 2) {
        /* One leg is a position by intent, not an imbalance: nothing to hedge. */
        if (f->status[0] == ARB_LEG_DONE) {
            f->active = false;
            t->stats.balanced++;
        }
        return 0;
    }
    if (f->hedge_pending) {
        /* A hedge that never answers is retried like a silent leg. */
        if (now_ns - f->hedge_sent_ns <= t->leg_timeout_ns)
            return 0;
        f->hedge_pending = false;
    }
    int64_t net = arb_twoleg_net(f);
    if (net == 0) {
        if (!f->counted) {
            f->counted = true;
            if (f->hedges)
                t->stats.hedged++;
            else
                t->stats.balanced++;
        }
        /* A timed-out leg may still fill late; keep the slot until its answer or the next
         * use. Only a fully answered flight is retired. */
        if (f->status[0] == ARB_LEG_DONE && f->status[1] == ARB_LEG_DONE)
            f->active = false;
        return 0;
    }
    if (f->hedges == 0)
        t->stats.legged++;
    f->counted = false; /* a late fill reopened it: its new outcome counts */
    if (f->hedges >= t->max_hedges) {
        t->stats.alarms++;
        f->active = false;
        return -1;
    }
    /* A hedge that came back short is retried only after the book had time to refill
     * (ARB_TWOLEG_RETRY_NS, doubling per attempt): firing again into the same empty
     * level would burn the attempts in a millisecond. */
    if (f->hedges && now_ns - f->hedge_sent_ns < (ARB_TWOLEG_RETRY_NS << (f->hedges - 1)))
        return 0;
    /* Long the excess (net > 0): sell it. Unwind on the leg that bought; chase on the leg
     * that should have sold. Short is the mirror image. */
    bool sell = net > 0;
    int over = -1, under = -1;
    for (int k = 0; k < f->in.nlegs; k++) {
        bool bought = f->in.leg[k].side == ARB_SIDE_BUY;
        if (bought == sell)
            over = k;
        else
            under = k;
    }
    int use = t->mode == ARB_HEDGE_CHASE && under >= 0 ? under : over >= 0 ? over : 0;
    const struct arb_leg *src = &f->in.leg[use];
    *hedge = *src;
    hedge->side = sell ? ARB_SIDE_SELL : ARB_SIDE_BUY;
    hedge->qty_e8 = net > 0 ? net : -net;
    /* Marketable within the bound: pay up to slippage past the leg's own price; each
     * retry may go one more bound further (the market moved away from the first try). */
    hedge->px_e8 = slip(src->px_e8, t->slippage_bps * (int64_t)(f->hedges + 1), !sell);
    hedge->tif = ARB_TIF_IOC;
    f->hedge_side = hedge->side;
    f->hedges++;
    f->hedge_pending = true;
    f->hedge_sent_ns = now_ns;
    t->stats.hedges++;
    return 1;
}
