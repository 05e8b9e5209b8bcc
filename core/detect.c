/* SPDX-License-Identifier: MIT */
/* Detector: per-tick signal evaluation, fixed point throughout. */
#include "detect.h"

#include "clock.h"
#include "fxmath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define E8        100000000LL
#define BPS_SCALE 1000000000000LL /* (a - b) / b * 1e4 bps * 1e8 (_e8) */
#define MS        1000000ULL
#define HOT       static inline __attribute__((always_inline)) /* hot-path helpers, flattened */

/* ---- small helpers ---------------------------------------------------- */

static inline int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static inline int64_t abs64(int64_t a)
{
    return a < 0 ? -a : a;
}

/* (num / den) in bps, _e8. Used only once a signal fires, so the division is off the common path.
 */
static inline int64_t ratio_bps(int64_t num, int64_t den)
{
    return (int64_t)((arb_i128)num * BPS_SCALE / den);
}

/* Deviation of a USD price from the 1.00 peg in bps, _e8: (x - 1) * 1e4, no divide. */
static inline int64_t peg_bps(int64_t x_e8)
{
    return (x_e8 - E8) * 10000;
}

/* num / den > bps (bps _e8), decided exactly without dividing. den > 0. */
static inline bool ratio_exceeds(int64_t num, int64_t den, int64_t bps)
{
    return (arb_i128)num * BPS_SCALE > (arb_i128)bps * den;
}

static inline uint32_t age_us(uint64_t now, uint64_t then)
{
    uint64_t a = now > then ? (now - then) / 1000 : 0;
    return a > UINT32_MAX ? UINT32_MAX : (uint32_t)a;
}

/* Whether a quote may be traded on at `now`: fresh, from a healthy venue, not lagging. */
static inline bool quote_usable(struct arb_detector *d, uint16_t v, const struct arb_quote *q,
                                uint64_t now)
{
    const struct arb_params *p = &d->params;
    uint64_t max_age = (uint64_t)p->spread_max_age_ms * MS;
    uint64_t stale = (uint64_t)p->feed_stale_ms[v] * MS;

    if (!q->valid || d->venue_stale[v] || q->lagging)
        return false;
    /* Ticks from different feed threads may arrive slightly out of order: clamp at 0. */
    uint64_t age = now > q->recv_ts_ns ? now - q->recv_ts_ns : 0;
    uint64_t silent = now > d->venue_last_ns[v] ? now - d->venue_last_ns[v] : 0;
    return age <= max_age && silent <= stale;
}

static inline void emit(struct arb_detector *d, const struct arb_event *ev)
{
    if (!arb_ring_spsc_push(d->events, ev))
        d->stats.events_dropped++;
}

/*
 * Runs an intent through the risk gate and on to the gateway, reporting the
 * outcome as an event. Returns true when the intent was queued.
 */
static bool submit(struct arb_detector *d, struct arb_intent *in, int64_t p_win, int64_t win_loss)
{
    struct arb_event ev = {0};
    enum arb_refusal reason = ARB_REFUSE_NONE;
    int64_t notional = 0, cap = 0;

    ev.ts_ns = in->origin_ts_ns;
    ev.signal_id = in->signal_id;
    ev.level = in->kind;
    ev.instrument = in->leg[0].instrument;
    ev.venue_a = in->leg[0].venue;
    ev.venue_b = in->nlegs > 1 ? in->leg[1].venue : in->leg[0].venue;
    ev.dir = in->action == ARB_ACT_CLOSE ? ARB_DIR_EXIT : 0;
    uint64_t t0 = d->h_risk ? arb_clock_ticks() : 0;
    bool ok = arb_risk_gate(&d->risk, &d->params, in, p_win, win_loss, &notional, &reason, &cap);
    if (d->h_risk)
        arb_hist_record(d->h_risk, arb_clock_ticks_to_ns(arb_clock_ticks() - t0));
    /* The push time rides in the ring's stamps (when attached) for the hop histogram; it
     * never feeds a decision, so replays stay deterministic. */
    if (ok && !arb_ring_spsc_push_stamped(d->intents, in,
                                          d->intents->prod.stamp ? arb_clock_now_ns() : 0)) {
        /* The gateway is behind: back-pressure is a refusal, never a silent drop. */
        ok = false;
        reason = ARB_REFUSE_BACKPRESSURE;
        d->risk.refused[reason]++;
    }
    ev.type = ok ? ARB_EV_INTENT : ARB_EV_REFUSAL;
    ev.reason = (uint8_t)reason;
    ev.order.notional_usd = notional;
    ev.order.qty = in->leg[0].qty_e8;
    ev.order.px = in->leg[0].px_e8;
    ev.order.cap_usd = cap;
    if (ok)
        d->stats.intents++;
    else
        d->stats.refusals++;
    emit(d, &ev);
    return ok;
}

static inline void leg_set(struct arb_leg *l, uint16_t venue, uint16_t inst, uint8_t side,
                           int64_t px, int64_t qty)
{
    l->px_e8 = px;
    l->qty_e8 = qty;
    l->venue = venue;
    l->instrument = inst;
    l->side = side;
    l->tif = ARB_TIF_IOC;
    l->reserved = 0;
}

/* A standing opportunity is re-reported only after the cooldown. */
static inline bool cooled(const struct arb_detector *d, uint64_t last, uint64_t now)
{
    return last == 0 || now - last >= (uint64_t)d->params.signal_cooldown_ms * MS;
}

/* ---- cross-venue spread ---------------------------------------------- */

/* Buy on a at its ask, sell on b at its bid. */
static void eval_spread(struct arb_detector *d, uint16_t inst, uint16_t a, uint16_t b, uint64_t now)
{
    const struct arb_quote *qa = &d->quote[inst][a], *qb = &d->quote[inst][b];
    uint64_t *last = &d->spread_emit_ns[inst][a][b];
    const struct arb_params *p = &d->params;

    if (!qa->valid || !qb->valid || qb->bid_px_e8 <= qa->ask_px_e8)
        return;
    int64_t hurdle = p->spread_min_edge_bps + p->fees_taker_bps[a] + p->fees_taker_bps[b];
    /* Net edge must exceed the minimum: at exactly the threshold there is no trade. */
    if (!ratio_exceeds(qb->bid_px_e8 - qa->ask_px_e8, qa->ask_px_e8, hurdle))
        return;
    if (!quote_usable(d, a, qa, now) || !quote_usable(d, b, qb, now)) {
        d->stats.stale_skips++;
        return;
    }
    if (!cooled(d, *last, now))
        return;
    *last = now;

    struct arb_event ev = {0};
    ev.ts_ns = now;
    ev.signal_id = ++d->next_signal;
    ev.type = ARB_EV_SPREAD;
    ev.dir = ARB_DIR_BUY_FIRST;
    ev.instrument = inst;
    ev.venue_a = a;
    ev.venue_b = b;
    ev.age_a_us = age_us(now, qa->recv_ts_ns);
    ev.age_b_us = age_us(now, qb->recv_ts_ns);
    ev.spread.edge_bps = ratio_bps(qb->bid_px_e8 - qa->ask_px_e8, qa->ask_px_e8) -
                         p->fees_taker_bps[a] - p->fees_taker_bps[b];
    ev.spread.buy_px = qa->ask_px_e8;
    ev.spread.sell_px = qb->bid_px_e8;
    ev.spread.qty = min64(qa->ask_qty_e8, qb->bid_qty_e8);
    d->stats.signals[ARB_SIG_SPREAD]++;
    emit(d, &ev);

    struct arb_intent in = {0};
    leg_set(&in.leg[0], a, inst, ARB_SIDE_BUY, qa->ask_px_e8, qa->ask_qty_e8);
    leg_set(&in.leg[1], b, inst, ARB_SIDE_SELL, qb->bid_px_e8, qb->bid_qty_e8);
    in.origin_ts_ns = now;
    in.signal_id = ev.signal_id;
    in.kind = ARB_SIG_SPREAD;
    in.nlegs = 2;
    in.action = ARB_ACT_OPEN;
    submit(d, &in, p->sizing_spread_p_win, p->sizing_spread_win_loss);
}

/*
 * Index of the venue (not `self`) with the highest price in `px`, or the
 * lowest when `lowest`, among quotes younger than max_age; -1 when none beats
 * `limit`. One pass over one or two cache lines.
 */
/* x * q / 2^32 for a 32.32 factor q. */
HOT int64_t scale_q32(int64_t x, int64_t q)
{
    return (int64_t)(((arb_i128)x * q) >> 32);
}

HOT bool better(int64_t a, int64_t b, bool lowest)
{
    return lowest ? a < b : a > b;
}

/* One pass over a column for its best two. */
static void top2_rescan(struct arb_top2 *t, const int64_t *px, uint32_t nv, bool lowest)
{
    int first = -1, second = -1;

    for (uint32_t w = 0; w < nv; w++) {
        if (first < 0 || better(px[w], px[first], lowest)) {
            second = first;
            first = (int)w;
        } else if (second < 0 || better(px[w], px[second], lowest)) {
            second = (int)w;
        }
    }
    t->first = (int8_t)first;
    t->second = (int8_t)second;
}

/*
 * Venue v's price in a column moved from old to px[v]. Keeps the best two,
 * rescanning only when one of them got worse.
 */
HOT void top2_update(struct arb_top2 *t, const int64_t *px, uint32_t nv, int v, int64_t old,
                     bool lowest)
{
    int64_t now = px[v];

    if (t->first == v) {
        if (t->second < 0 || !better(px[t->second], now, lowest))
            return; /* still the best */
    } else if (t->second == v) {
        if (better(now, px[t->first], lowest)) {
            t->second = t->first;
            t->first = (int8_t)v;
            return;
        }
        if (!better(old, now, lowest))
            return; /* second and no worse than before: nothing can overtake it */
    } else {
        if (t->first < 0 || better(now, px[t->first], lowest)) {
            t->second = t->first;
            t->first = (int8_t)v;
        } else if (t->second < 0 || better(now, px[t->second], lowest)) {
            t->second = (int8_t)v;
        }
        return;
    }
    top2_rescan(t, px, nv, lowest);
}

/* The best venue in a column other than `self`, or -1. */
HOT int top2_other(const struct arb_top2 *t, int self)
{
    return t->first == self ? t->second : t->first;
}

/*
 * The best venue other than `self` whose price beats `limit` and whose
 * quote is younger than max_age; -1 when none. The top-two answer is the
 * common case; a full pass runs only when that quote is too old.
 */
HOT int best_other(const struct arb_top2 *t, const int64_t *px, const uint64_t *ts, uint32_t nv,
                   int self, bool lowest, int64_t limit, uint64_t now, uint64_t max_age)
{
    int w = top2_other(t, self);

    if (w < 0 || !better(px[w], limit, lowest))
        return -1;
    if (now <= ts[w] || now - ts[w] <= max_age)
        return w;
    w = -1;
    for (uint32_t k = 0; k < nv; k++) {
        bool fresh = now <= ts[k] || now - ts[k] <= max_age;
        if ((int)k != self && fresh && better(px[k], limit, lowest)) {
            limit = px[k];
            w = (int)k;
        }
    }
    return w;
}

/*
 * A tick on venue v can open a spread only against the best price elsewhere:
 * buy here and sell at the richest bid, or buy at the cheapest ask and sell
 * here. Ranking is net of each venue's fee; eval_spread decides exactly.
 */
static void spreads_for(struct arb_detector *d, uint16_t v, uint16_t inst, uint64_t now)
{
    const struct arb_top *tp = &d->top[inst];
    uint64_t max_age = (uint64_t)d->params.spread_max_age_ms * MS;
    uint32_t nv = d->reg->nvenues;

    if (tp->ask_net[v] != INT64_MAX) {
        int w = best_other(&tp->best_bid_net, tp->bid_net, tp->ts, nv, v, false,
                           scale_q32(tp->ask_net[v], d->spread_up_q32), now, max_age);
        if (w >= 0)
            eval_spread(d, inst, v, (uint16_t)w, now);
    }
    if (tp->bid_net[v] != INT64_MIN) {
        int w = best_other(&tp->best_ask_net, tp->ask_net, tp->ts, nv, v, true,
                           scale_q32(tp->bid_net[v], d->spread_dn_q32), now, max_age);
        if (w >= 0)
            eval_spread(d, inst, (uint16_t)w, v, now);
    }
}

/* Writes venue v's column entries and keeps the four top-two structures. */
HOT void top_put(struct arb_top *tp, uint32_t nv, uint16_t v, int64_t bid_net, int64_t ask_net,
                 int64_t bid, int64_t ask, bool gross)
{
    int64_t o_bn = tp->bid_net[v], o_an = tp->ask_net[v], o_b = tp->bid[v], o_a = tp->ask[v];

    tp->bid_net[v] = bid_net;
    tp->ask_net[v] = ask_net;
    tp->bid[v] = bid;
    tp->ask[v] = ask;
    top2_update(&tp->best_bid_net, tp->bid_net, nv, v, o_bn, false);
    top2_update(&tp->best_ask_net, tp->ask_net, nv, v, o_an, true);
    /* Gross columns serve only the basis: instruments without a spot/perp partner skip them. */
    if (gross) {
        top2_update(&tp->best_bid, tp->bid, nv, v, o_b, false);
        top2_update(&tp->best_ask, tp->ask, nv, v, o_a, true);
    }
}

/* Net-of-fee prices for the scans; sentinels when the quote must not be traded. */
HOT void top_set(struct arb_detector *d, uint16_t v, uint16_t inst, const struct arb_quote *q)
{
    struct arb_top *tp = &d->top[inst];
    uint32_t nv = d->reg->nvenues;

    tp->ts[v] = q->recv_ts_ns;
    if (q->valid && !q->lagging && !d->venue_stale[v]) {
        /* A multiply and a shift: the fee fraction is kept in 32.32 form (for ranking only;
         * eval_spread decides on the exact bps). */
        int64_t fee = d->fee_q32[v];
        top_put(tp, nv, v, q->bid_px_e8 - scale_q32(q->bid_px_e8, fee),
                q->ask_px_e8 + scale_q32(q->ask_px_e8, fee), q->bid_px_e8, q->ask_px_e8,
                d->nbasis_of[inst] != 0);
    } else {
        top_put(tp, nv, v, INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX, d->nbasis_of[inst] != 0);
    }
}

/* A venue went stale or down: none of its prices may be picked as a counterparty. */
static void top_clear_venue(struct arb_detector *d, uint16_t v)
{
    for (uint32_t i = 0; i < ARB_MAX_INSTRUMENTS; i++)
        top_put(&d->top[i], d->reg->nvenues, v, INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX, true);
}

/* ---- funding basis ---------------------------------------------------- */

/*
 * Expected return over H days and its annualization, in _e16 fractions:
 * r = |basis| + ((1 + f_received)^(3H) - 1), annual = (1 + r)^(365/H) - 1.
 * The entry test compares logs, (365/H) ln(1+r) >= ln(1+min), so it needs
 * no fractional power. Returns whether the annualized return qualifies.
 */
static bool basis_return(const struct arb_params *p, int64_t basis_bps, int64_t rate_e8,
                         bool have_rate, bool short_perp, int64_t *return_bps,
                         int64_t *annualized_pct)
{
    int64_t h = p->basis_horizon_days;
    arb_i128 r = (arb_i128)abs64(basis_bps) * 10000; /* bps _e8 -> fraction _e16 */

    if (have_rate) {
        arb_i128 f = (arb_i128)rate_e8 * E8 * (short_perp ? 1 : -1);
        r += arb_fx_pow16(ARB_FX_E16 + f, (unsigned)(3 * h)) - ARB_FX_E16;
    }
    *return_bps = (int64_t)(r / 10000);
    if (r <= -ARB_FX_E16) {
        *annualized_pct = -100 * E8;
        return false;
    }
    arb_i128 lhs = arb_fx_ln16(ARB_FX_E16 + r) * 365 / h;
    arb_i128 ann = arb_fx_exp16(lhs) - ARB_FX_E16;
    arb_i128 pct = ann / 1000000; /* fraction _e16 -> pct _e8 */
    *annualized_pct = pct > (arb_i128)INT64_MAX ? INT64_MAX : (int64_t)pct;
    arb_i128 rhs = arb_fx_ln16(ARB_FX_E16 + (arb_i128)p->basis_min_annualized_pct * 1000000);
    return lhs >= rhs;
}

static void basis_emit(struct arb_detector *d, uint32_t k, uint16_t s, uint16_t f, uint64_t now,
                       uint8_t dir, int64_t basis_bps, int64_t spot_px, int64_t perp_px,
                       int64_t spot_qty, int64_t perp_qty, const struct arb_funding *fu,
                       int64_t ret_bps, int64_t ann_pct)
{
    struct arb_basis_state *st = &d->basis[k][s][f];
    const struct arb_basis_pair *pr = &d->pairs[k];
    const struct arb_params *p = &d->params;
    bool exit = (dir & ARB_DIR_EXIT) != 0;

    struct arb_event ev = {0};
    ev.ts_ns = now;
    ev.signal_id = ++d->next_signal;
    ev.type = ARB_EV_BASIS;
    ev.dir = dir;
    ev.instrument = pr->spot;
    ev.venue_a = s;
    ev.venue_b = f;
    ev.flags = fu->valid ? 0 : ARB_EV_F_NO_FUNDING;
    ev.age_a_us = age_us(now, d->quote[pr->spot][s].recv_ts_ns);
    ev.age_b_us = age_us(now, d->quote[pr->perp][f].recv_ts_ns);
    ev.basis.basis_bps = basis_bps;
    ev.basis.funding_rate = fu->valid ? fu->rate_e8 : 0;
    ev.basis.annualized_pct = ann_pct;
    ev.basis.return_bps = ret_bps;
    d->stats.signals[ARB_SIG_BASIS]++;
    emit(d, &ev);

    /* Rich perp: buy spot, sell perp. Cheap: the reverse. An exit undoes the open side. */
    int8_t open_dir = exit ? st->dir : (int8_t)(dir & 3);
    bool buy_spot = (open_dir == ARB_DIR_PERP_RICH) != exit;
    struct arb_intent in = {0};
    leg_set(&in.leg[0], s, pr->spot, buy_spot ? ARB_SIDE_BUY : ARB_SIDE_SELL, spot_px,
            exit ? st->qty_e8 : spot_qty);
    leg_set(&in.leg[1], f, pr->perp, buy_spot ? ARB_SIDE_SELL : ARB_SIDE_BUY, perp_px,
            exit ? st->qty_e8 : perp_qty);
    in.origin_ts_ns = now;
    in.signal_id = ev.signal_id;
    in.kind = ARB_SIG_BASIS;
    in.nlegs = 2;
    in.action = exit ? ARB_ACT_CLOSE : ARB_ACT_OPEN;
    if (submit(d, &in, p->sizing_basis_p_win, p->sizing_basis_win_loss)) {
        if (exit) {
            st->dir = 0;
            st->qty_e8 = 0;
            d->basis_open[k]--;
        } else {
            d->basis_open[k]++;
            st->dir = (int8_t)(dir & 3);
            st->entry_ns = now;
            st->qty_e8 = in.leg[0].qty_e8;
            st->signal_id = ev.signal_id;
        }
    }
}

static void eval_basis(struct arb_detector *d, uint32_t k, uint16_t s, uint16_t f, uint64_t now)
{
    const struct arb_basis_pair *pr = &d->pairs[k];
    const struct arb_quote *qs = &d->quote[pr->spot][s], *qp = &d->quote[pr->perp][f];
    const struct arb_funding *fu = &d->funding[pr->perp][f];
    struct arb_basis_state *st = &d->basis[k][s][f];
    const struct arb_params *p = &d->params;

    if (!qs->valid || !qp->valid)
        return;
    if (st->dir) {
        /* Open: the exit is priced where we would close, the opposite sides. */
        bool rich = st->dir == ARB_DIR_PERP_RICH;
        int64_t spot_px = rich ? qs->bid_px_e8 : qs->ask_px_e8;
        int64_t perp_px = rich ? qp->ask_px_e8 : qp->bid_px_e8;
        int64_t b = ratio_bps(perp_px - spot_px, spot_px);
        bool expired =
            now - st->entry_ns >= (uint64_t)p->basis_max_hold_days * 86400ULL * 1000 * MS;
        if ((abs64(b) < p->basis_exit_bps || expired) && quote_usable(d, s, qs, now) &&
            quote_usable(d, f, qp, now))
            basis_emit(d, k, s, f, now, (uint8_t)(st->dir | ARB_DIR_EXIT), b, spot_px, perp_px,
                       st->qty_e8, st->qty_e8, fu, 0, 0);
        return;
    }
    uint8_t dir;
    int64_t num, den, spot_px, perp_px, spot_qty, perp_qty;
    if (qp->bid_px_e8 > qs->ask_px_e8) {
        dir = ARB_DIR_PERP_RICH;
        num = qp->bid_px_e8 - qs->ask_px_e8;
        den = qs->ask_px_e8;
        spot_px = qs->ask_px_e8;
        spot_qty = qs->ask_qty_e8;
        perp_px = qp->bid_px_e8;
        perp_qty = qp->bid_qty_e8;
    } else if (qp->ask_px_e8 < qs->bid_px_e8) {
        dir = ARB_DIR_PERP_CHEAP;
        num = qp->ask_px_e8 - qs->bid_px_e8;
        den = qs->bid_px_e8;
        spot_px = qs->bid_px_e8;
        spot_qty = qs->bid_qty_e8;
        perp_px = qp->ask_px_e8;
        perp_qty = qp->ask_qty_e8;
    } else {
        st->last_emit_ns = 0;
        return;
    }
    /* |basis| >= entry, decided without dividing. */
    if ((arb_i128)abs64(num) * BPS_SCALE < (arb_i128)p->basis_entry_bps * den) {
        st->last_emit_ns = 0;
        return;
    }
    if (!cooled(d, st->last_emit_ns, now))
        return;
    if (!quote_usable(d, s, qs, now) || !quote_usable(d, f, qp, now)) {
        d->stats.stale_skips++;
        return;
    }
    int64_t b = ratio_bps(num, den), ret, ann;
    if (!basis_return(p, b, fu->rate_e8, fu->valid, dir == ARB_DIR_PERP_RICH, &ret, &ann)) {
        /* Not enough return yet; look again after the cooldown, not on every tick. */
        st->last_emit_ns = now;
        return;
    }
    st->last_emit_ns = now;
    basis_emit(d, k, s, f, now, dir, b, spot_px, perp_px, spot_qty, perp_qty, fu, ret, ann);
}

/*
 * A spot tick meets the richest perp bid and the cheapest perp ask across
 * venues; a perp (or funding) tick meets the cheapest spot ask and the
 * richest spot bid. Open positions on the pair are checked for exit too.
 */
static void basis_for(struct arb_detector *d, uint16_t v, uint16_t inst, uint64_t now)
{
    uint64_t max_age = (uint64_t)d->params.spread_max_age_ms * MS;
    uint32_t nv = d->reg->nvenues;

    for (unsigned j = 0; j < d->nbasis_of[inst]; j++) {
        uint32_t k = d->basis_of[inst][j];
        const struct arb_basis_pair *pr = &d->pairs[k];
        bool is_spot = pr->spot == inst;
        const struct arb_top *other = &d->top[is_spot ? pr->perp : pr->spot];

        if (d->basis_open[k]) {
            /* Exits are per position: look at every venue pairing of this tick's venue. */
            for (uint32_t w = 0; w < nv; w++) {
                const struct arb_basis_state *st =
                    is_spot ? &d->basis[k][v][w] : &d->basis[k][w][v];
                if (st->dir)
                    is_spot ? eval_basis(d, k, v, (uint16_t)w, now)
                            : eval_basis(d, k, (uint16_t)w, v, now);
            }
        }
        /* Rich: perp bid above spot ask. Cheap: perp ask below spot bid. The self
         * argument is out of range so no venue is skipped: spot and perp may share one. */
        const struct arb_quote *q = &d->quote[inst][v];
        if (!q->valid)
            continue;
        int rich, cheap;
        if (is_spot) {
            /* perp bid >= spot ask (1 + entry); perp ask <= spot bid (1 - entry). */
            rich = best_other(&other->best_bid, other->bid, other->ts, nv, -1, false,
                              scale_q32(q->ask_px_e8, d->basis_up_q32), now, max_age);
            cheap = best_other(&other->best_ask, other->ask, other->ts, nv, -1, true,
                               scale_q32(q->bid_px_e8, d->basis_dn_q32), now, max_age);
        } else {
            /* spot ask <= perp bid / (1 + entry); spot bid >= perp ask / (1 - entry). */
            rich = best_other(&other->best_ask, other->ask, other->ts, nv, -1, true,
                              scale_q32(q->bid_px_e8, d->basis_inv_up_q32), now, max_age);
            cheap = best_other(&other->best_bid, other->bid, other->ts, nv, -1, false,
                               scale_q32(q->ask_px_e8, d->basis_inv_dn_q32), now, max_age);
        }
        if (rich >= 0)
            is_spot ? eval_basis(d, k, v, (uint16_t)rich, now)
                    : eval_basis(d, k, (uint16_t)rich, v, now);
        if (cheap >= 0 && cheap != rich)
            is_spot ? eval_basis(d, k, v, (uint16_t)cheap, now)
                    : eval_basis(d, k, (uint16_t)cheap, v, now);
    }
}

/* ---- depeg ------------------------------------------------------------- */

/*
 * The USD value of one unit of `coin`: the venue-weighted mean of fresh
 * direct USD mids. Returns 1.0 (the peg) when no venue quotes it directly.
 */
static int64_t coin_estimate(struct arb_detector *d, int coin, uint64_t now)
{
    /* Prices near 1e8 times weights up to 1e8, over 16 venues: inside int64. */
    int64_t sum = 0, wsum = 0;

    for (uint32_t v = 0; v < d->reg->nvenues; v++) {
        const struct arb_depeg_state *ds = &d->depeg[coin][v];
        uint64_t stale = (uint64_t)d->params.feed_stale_ms[v] * MS;
        if (!ds->price_ts_ns || d->venue_stale[v] || now - ds->price_ts_ns > stale)
            continue;
        sum += ds->price_e8 * d->params.depeg_venue_weight[v] / E8;
        wsum += d->params.depeg_venue_weight[v];
    }
    return wsum ? sum * E8 / wsum : E8;
}

static uint8_t depeg_level(const struct arb_params *p, int64_t dev_abs)
{
    if (dev_abs >= p->depeg_critical_bps)
        return ARB_LEVEL_CRITICAL;
    if (dev_abs >= p->depeg_high_bps)
        return ARB_LEVEL_HIGH;
    if (dev_abs >= p->depeg_medium_bps)
        return ARB_LEVEL_MEDIUM;
    return ARB_LEVEL_LOW;
}

static int64_t clamp01(int64_t x)
{
    return x < 0 ? 0 : x > E8 ? E8 : x;
}

/*
 * Strength in 0..1 (_e8): 40% how far past the entry threshold (saturating
 * at twice it), 20% liquidity (top-of-book notional against the order cap),
 * 40% reversion evidence (z-score, RSI and Bollinger %B all pointing back to
 * the peg), all scaled by the venue's weight.
 */
static int64_t depeg_strength(const struct arb_params *p, int64_t dev_abs, int64_t entry,
                              int64_t book_usd, int64_t z_e4, int64_t rsi_e2, int64_t pct_b_e4,
                              bool below, int64_t weight)
{
    int64_t dev_s = clamp01(entry ? (int64_t)((arb_i128)dev_abs * E8 / (2 * entry)) : E8);
    int64_t liq_s =
        clamp01(p->risk_max_order_notional_usd
                    ? (int64_t)((arb_i128)book_usd * E8 / p->risk_max_order_notional_usd)
                    : E8);
    /* Below the peg, reversion means up: a negative z, a low RSI, %B under the band. */
    int64_t z = below ? -z_e4 : z_e4;
    int64_t z_s = clamp01(z * E8 / 30000); /* 3 sigma saturates */
    int64_t rsi_s = clamp01((below ? 5000 - rsi_e2 : rsi_e2 - 5000) * E8 / 2000); /* 30/70 */
    int64_t b_s = clamp01((below ? 5000 - pct_b_e4 : pct_b_e4 - 5000) * E8 / 5000);
    int64_t rev_s = (z_s + rsi_s + b_s) / 3;
    int64_t s = (40 * dev_s + 20 * liq_s + 40 * rev_s) / 100;
    return (int64_t)((arb_i128)s * weight / E8);
}

static void depeg_exit(struct arb_detector *d, int coin, uint16_t v, const struct arb_quote *q,
                       int64_t to_usd, uint64_t now)
{
    struct arb_depeg_state *ds = &d->depeg[coin][v];
    const struct arb_params *p = &d->params;
    uint16_t inst = ds->pos_instrument;

    if (inst != 0xffff && &d->quote[inst][v] != q)
        return; /* the position lives on another instrument of this venue */
    /* Long closes at the bid, short at the ask; all in the instrument's quote. */
    int64_t px = ds->pos_dir > 0 ? q->bid_px_e8 : q->ask_px_e8;
    if (ds->pos_dir > 0 ? px > ds->pos_best_px_e8 : px < ds->pos_best_px_e8)
        ds->pos_best_px_e8 = px;
    int64_t gain_bps = ratio_bps((px - ds->pos_entry_px_e8) * ds->pos_dir, ds->pos_entry_px_e8);
    int64_t from_best = ratio_bps((ds->pos_best_px_e8 - px) * ds->pos_dir, ds->pos_best_px_e8);
    int64_t usd = (int64_t)((arb_i128)px * to_usd / E8);
    int64_t dev = peg_bps(usd);
    bool take = gain_bps >= p->depeg_take_profit_bps;
    bool stop = -gain_bps >= p->depeg_stop_bps;
    bool trail = gain_bps > 0 && from_best >= p->depeg_trail_bps;
    bool held = now - ds->pos_entry_ns >= (uint64_t)p->depeg_max_hold_h * 3600ULL * 1000 * MS;
    bool home = abs64(dev) <= p->depeg_exit_bps;

    if (!(take || stop || trail || held || home) || !quote_usable(d, v, q, now))
        return;
    struct arb_event ev = {0};
    ev.ts_ns = now;
    ev.signal_id = ++d->next_signal;
    ev.type = ARB_EV_DEPEG;
    ev.dir = (uint8_t)((ds->pos_dir > 0 ? ARB_DIR_BELOW_PEG : ARB_DIR_ABOVE_PEG) | ARB_DIR_EXIT);
    ev.level = ds->level;
    ev.instrument = inst;
    ev.venue_a = v;
    ev.venue_b = v;
    ev.coin = (uint8_t)coin;
    ev.depeg.deviation_bps = dev;
    ev.depeg.price = usd;
    d->stats.signals[ARB_SIG_DEPEG]++;
    emit(d, &ev);

    struct arb_intent in = {0};
    leg_set(&in.leg[0], v, inst, ds->pos_dir > 0 ? ARB_SIDE_SELL : ARB_SIDE_BUY, px,
            ds->pos_qty_e8);
    in.origin_ts_ns = now;
    in.signal_id = ev.signal_id;
    in.kind = ARB_SIG_DEPEG;
    in.nlegs = 1;
    in.action = ARB_ACT_CLOSE;
    if (submit(d, &in, 0, E8))
        ds->pos_dir = 0;
}

static void eval_depeg(struct arb_detector *d, uint16_t v, uint16_t inst, uint64_t now)
{
    int coin = d->base_coin[inst];
    const struct arb_quote *q = &d->quote[inst][v];
    const struct arb_params *p = &d->params;

    if (coin < 0 || !q->valid)
        return;
    /* Price in USD: direct, or through the quote coin's own current estimate. */
    int64_t to_usd = E8;
    if (!d->quote_usd[inst]) {
        if (d->quote_coin[inst] < 0)
            return;
        to_usd = coin_estimate(d, d->quote_coin[inst], now);
    }
    int64_t bid = q->bid_px_e8, ask = q->ask_px_e8;
    if (to_usd != E8) {
        /* Stablecoin prices near 1e8 times a rate near 1e8: int64 holds it (below 9e10). */
        bid = bid < 9000000000LL ? bid * to_usd / E8 : (int64_t)((arb_i128)bid * to_usd / E8);
        ask = ask < 9000000000LL ? ask * to_usd / E8 : (int64_t)((arb_i128)ask * to_usd / E8);
    }
    int64_t mid = (bid + ask) / 2;

    struct arb_depeg_state *ds = &d->depeg[coin][v];
    if (d->quote_usd[inst]) {
        /* Only direct quotes feed the estimate: cross rates would feed on themselves. */
        ds->price_e8 = mid;
        ds->price_ts_ns = now;
    }
    /* Indicator state moves on every tick (adds and shifts); their values are computed
     * only when a signal needs them. */
    arb_ewma_update(&ds->ewma, mid);
    arb_rsi_update(&ds->rsi, mid);
    arb_boll_update(&ds->boll, mid);

    uint8_t level = depeg_level(p, abs64(peg_bps(mid)));
    if (level != ds->level || level > d->risk.coin_level[coin]) {
        ds->level = level;
        /* The coin's level is the worst fresh venue's; the risk gate reads it. */
        uint8_t worst = level;
        for (uint32_t w = 0; w < d->reg->nvenues; w++)
            if (d->depeg[coin][w].price_ts_ns && !d->venue_stale[w] &&
                d->depeg[coin][w].level > worst)
                worst = d->depeg[coin][w].level;
        d->risk.coin_level[coin] = worst;
    }

    if (ds->pos_dir) {
        depeg_exit(d, coin, v, q, to_usd, now);
        return;
    }
    int64_t dev_buy = peg_bps(ask), dev_sell = peg_bps(bid);
    int64_t entry = p->depeg_entry_bps[coin];
    bool below = dev_buy <= -entry, above = dev_sell >= entry;
    if (!below && !above) {
        ds->last_emit_ns = 0;
        return;
    }
    if (!cooled(d, ds->last_emit_ns, now))
        return;
    if (!quote_usable(d, v, q, now)) {
        d->stats.stale_skips++;
        return;
    }
    ds->last_emit_ns = now;
    int64_t dev = below ? dev_buy : dev_sell;
    int64_t qty = below ? q->ask_qty_e8 : q->bid_qty_e8;
    int64_t book_usd =
        qty == INT64_MAX ? INT64_MAX / 2 : (int64_t)((arb_i128)qty * (below ? ask : bid) / E8);
    int64_t z = arb_ewma_z(&ds->ewma), rsi = arb_rsi_value(&ds->rsi);
    struct arb_boll_out bo;
    arb_boll_bands(&ds->boll, mid, &bo);
    int64_t strength = depeg_strength(p, abs64(dev), entry, book_usd, z, rsi, bo.pct_b_e4, below,
                                      p->depeg_venue_weight[v]);

    struct arb_event ev = {0};
    ev.ts_ns = now;
    ev.signal_id = ++d->next_signal;
    ev.type = ARB_EV_DEPEG;
    ev.dir = below ? ARB_DIR_BELOW_PEG : ARB_DIR_ABOVE_PEG;
    ev.level = depeg_level(p, abs64(dev));
    ev.instrument = inst;
    ev.venue_a = v;
    ev.venue_b = v;
    ev.coin = (uint8_t)coin;
    ev.age_a_us = age_us(now, q->recv_ts_ns);
    ev.depeg.deviation_bps = dev;
    ev.depeg.price = below ? ask : bid;
    ev.depeg.strength = strength;
    ev.depeg.zscore_e4 = z;
    d->stats.signals[ARB_SIG_DEPEG]++;
    emit(d, &ev);

    /* Sized on a win probability that grows with strength, and take-profit over stop. */
    int64_t p_win = E8 / 2 + (int64_t)((arb_i128)strength * 40 / 100);
    int64_t win_loss = p->depeg_stop_bps
                           ? (int64_t)((arb_i128)p->depeg_take_profit_bps * E8 / p->depeg_stop_bps)
                           : E8;
    struct arb_intent in = {0};
    int64_t px = below ? q->ask_px_e8 : q->bid_px_e8;
    leg_set(&in.leg[0], v, inst, below ? ARB_SIDE_BUY : ARB_SIDE_SELL, px, qty);
    in.origin_ts_ns = now;
    in.signal_id = ev.signal_id;
    in.kind = ARB_SIG_DEPEG;
    in.nlegs = 1;
    in.action = ARB_ACT_OPEN;
    if (submit(d, &in, p_win, win_loss)) {
        ds->pos_dir = below ? 1 : -1;
        ds->pos_instrument = inst;
        ds->pos_qty_e8 = in.leg[0].qty_e8;
        ds->pos_entry_px_e8 = px;
        ds->pos_best_px_e8 = px;
        ds->pos_entry_ns = now;
        ds->pos_signal = ev.signal_id;
    }
}

/* ---- tick intake ------------------------------------------------------- */

static void on_bbo(struct arb_detector *d, const struct arb_tick *t)
{
    uint16_t v = t->venue, i = t->instrument;
    struct arb_quote *q = &d->quote[i][v];
    const uint16_t both = ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK;

    if ((t->have & both) != both) {
        /* A one-sided update keeps the other side; a book is valid once both are known. */
        if (t->have & ARB_TICK_HAVE_BID) {
            q->bid_px_e8 = t->bid_px_e8;
            q->bid_qty_e8 = (t->have & ARB_TICK_HAVE_BID_QTY) ? t->bid_qty_e8 : INT64_MAX;
        }
        if (t->have & ARB_TICK_HAVE_ASK) {
            q->ask_px_e8 = t->ask_px_e8;
            q->ask_qty_e8 = (t->have & ARB_TICK_HAVE_ASK_QTY) ? t->ask_qty_e8 : INT64_MAX;
        }
    } else {
        q->bid_px_e8 = t->bid_px_e8;
        q->ask_px_e8 = t->ask_px_e8;
        q->bid_qty_e8 = (t->have & ARB_TICK_HAVE_BID_QTY) ? t->bid_qty_e8 : INT64_MAX;
        q->ask_qty_e8 = (t->have & ARB_TICK_HAVE_ASK_QTY) ? t->ask_qty_e8 : INT64_MAX;
    }
    q->recv_ts_ns = t->recv_ts_ns;
    q->exch_ts_ns = (t->have & ARB_TICK_HAVE_EXCH_TS) ? t->exch_ts_ns : 0;
    q->updates++;
    q->valid = q->bid_px_e8 > 0 && q->ask_px_e8 > 0 && q->bid_px_e8 <= q->ask_px_e8;
    q->lagging = q->exch_ts_ns && t->recv_ts_ns > q->exch_ts_ns &&
                 t->recv_ts_ns - q->exch_ts_ns > (uint64_t)d->params.feed_max_lag_ms[v] * MS;
    if (!(d->venues_of[i] & (1u << v)))
        d->venues_of[i] |= (uint16_t)(1u << v);
    top_set(d, v, i, q);

    spreads_for(d, v, i, t->recv_ts_ns);
    if (d->nbasis_of[i])
        basis_for(d, v, i, t->recv_ts_ns);
    if (d->base_coin[i] >= 0)
        eval_depeg(d, v, i, t->recv_ts_ns);
}

static void on_funding(struct arb_detector *d, const struct arb_tick *t)
{
    struct arb_funding *f = &d->funding[t->instrument][t->venue];

    if (t->have & ARB_TICK_HAVE_MARK)
        f->mark_px_e8 = t->mark_px_e8;
    if (t->have & ARB_TICK_HAVE_INDEX)
        f->index_px_e8 = t->index_px_e8;
    if (t->have & ARB_TICK_HAVE_FUNDING) {
        f->rate_e8 = t->funding_rate_e8;
        f->valid = 1;
    }
    if (t->have & ARB_TICK_HAVE_NEXT_FND)
        f->next_ts_ns = t->next_funding_ts_ns;
    f->recv_ts_ns = t->recv_ts_ns;
    if (!(d->venues_of[t->instrument] & (1u << t->venue)))
        d->venues_of[t->instrument] |= (uint16_t)(1u << t->venue);
    /* New funding changes the expected return of every basis on this perpetual. */
    if (d->nbasis_of[t->instrument])
        basis_for(d, t->venue, t->instrument, t->recv_ts_ns);
}

/* New parameters may carry new fees: re-rank every quote. Cold, on publication only. */
/* 1 + bps (bps _e8) as a 32.32 factor. */
static int64_t q32_one_plus(int64_t bps)
{
    return (int64_t)((((arb_i128)1 << 32) * (BPS_SCALE + bps)) / BPS_SCALE);
}

/*
 * Everything the scans need from the parameters, as 32.32 factors. Each
 * threshold is loosened by 0.1 bps, more than the gap between the scans'
 * multiplicative fee ranking and the exact additive test, so a prefilter never
 * hides a trade the exact test would take.
 */
static void fees_derive(struct arb_detector *d)
{
    const struct arb_params *p = &d->params;
    const int64_t slack = E8 / 10;

    for (uint32_t v = 0; v < ARB_MAX_VENUES; v++)
        d->fee_q32[v] = (int64_t)(((arb_i128)p->fees_taker_bps[v] << 32) / BPS_SCALE);
    d->spread_up_q32 = q32_one_plus(p->spread_min_edge_bps - slack);
    d->spread_dn_q32 = (int64_t)((((arb_i128)1 << 64) / d->spread_up_q32));
    int64_t e = p->basis_entry_bps - slack;
    d->basis_up_q32 = q32_one_plus(e);
    d->basis_dn_q32 = q32_one_plus(-e);
    d->basis_inv_up_q32 = (int64_t)((((arb_i128)1 << 64) / d->basis_up_q32));
    d->basis_inv_dn_q32 =
        d->basis_dn_q32 > 0 ? (int64_t)((((arb_i128)1 << 64) / d->basis_dn_q32)) : INT64_MAX;
}

/* Every column rewritten from the quotes and every top two rescanned. Cold. */
static void top_rebuild(struct arb_detector *d)
{
    uint32_t nv = d->reg->nvenues;

    for (uint32_t i = 0; i < ARB_MAX_INSTRUMENTS; i++) {
        struct arb_top *tp = &d->top[i];
        for (uint32_t v = 0; v < nv; v++) {
            const struct arb_quote *q = &d->quote[i][v];
            bool ok = q->updates && q->valid && !q->lagging && !d->venue_stale[v];
            int64_t fee = d->fee_q32[v];
            tp->bid_net[v] = ok ? q->bid_px_e8 - scale_q32(q->bid_px_e8, fee) : INT64_MIN;
            tp->ask_net[v] = ok ? q->ask_px_e8 + scale_q32(q->ask_px_e8, fee) : INT64_MAX;
            tp->bid[v] = ok ? q->bid_px_e8 : INT64_MIN;
            tp->ask[v] = ok ? q->ask_px_e8 : INT64_MAX;
        }
        top2_rescan(&tp->best_bid_net, tp->bid_net, nv, false);
        top2_rescan(&tp->best_ask_net, tp->ask_net, nv, true);
        top2_rescan(&tp->best_bid, tp->bid, nv, false);
        top2_rescan(&tp->best_ask, tp->ask, nv, true);
    }
}

/* New parameters may carry new fees: re-rank every quote. Cold, on publication only. */
static void params_refreshed(struct arb_detector *d)
{
    d->stats.params_updates++;
    fees_derive(d);
    top_rebuild(d);
}

HOT void set_stale(struct arb_detector *d, uint16_t v, bool stale)
{
    if (stale && !d->venue_stale[v])
        top_clear_venue(d, v);
    d->venue_stale[v] = stale;
}

void arb_detector_on_tick(struct arb_detector *d, const struct arb_tick *t)
{
    if (d->pub && arb_params_changed(d->pub, d->params_seq) &&
        arb_params_try_snapshot(d->pub, &d->params, &d->params_seq))
        params_refreshed(d);
    d->stats.ticks++;
    if (t->venue >= ARB_MAX_VENUES || t->instrument >= ARB_MAX_INSTRUMENTS)
        return;
    d->venue_last_ns[t->venue] = t->recv_ts_ns;
    if (t->kind == ARB_TICK_STATUS) {
        d->stats.status_ticks++;
        set_stale(d, t->venue, (t->flags & (ARB_TICK_F_STALE | ARB_TICK_F_DOWN)) != 0);
        return;
    }
    /* A feed that flags its own data stale is believed: nothing trades on it. */
    set_stale(d, t->venue, (t->flags & ARB_TICK_F_STALE) != 0);
    if (d->venue_stale[t->venue])
        d->stats.stale_ticks++;
    if (t->kind == ARB_TICK_BBO)
        on_bbo(d, t);
    else if (t->kind == ARB_TICK_FUNDING)
        on_funding(d, t);
}

void arb_detector_on_fill(struct arb_detector *d, const struct arb_fill *f)
{
    struct arb_risk *r = &d->risk;

    if (f->venue >= ARB_MAX_VENUES)
        return;
    switch (f->kind) {
    case ARB_FILL_ERROR:
        r->consecutive_errors[f->venue]++;
        break;
    case ARB_FILL_OK:
        r->consecutive_errors[f->venue] = 0;
        break;
    case ARB_FILL_TRADE: {
        /* The daily loss limit counts from UTC midnight. */
        uint64_t day = f->ts_ns / (86400ULL * 1000000000ULL);
        if (day != r->pnl_day) {
            r->pnl_day = day;
            r->daily_pnl_usd = 0;
        }
        r->daily_pnl_usd += f->realized_e8;
        break;
    }
    case ARB_FILL_FINAL: {
        if (f->instrument >= ARB_MAX_INSTRUMENTS || f->unfilled_e8 <= 0)
            break;
        bool depeg = f->signal_kind == ARB_SIG_DEPEG && f->action == ARB_ACT_OPEN;
        if (f->action == ARB_ACT_OPEN)
            arb_risk_release(r, f->venue, f->instrument, f->side, f->unfilled_e8, f->px_e8, depeg);
        /* An entry that did not trade (in full) is not (all) a position to manage. */
        int coin = d->base_coin[f->instrument];
        if (depeg && coin >= 0) {
            struct arb_depeg_state *ds = &d->depeg[coin][f->venue];
            if (ds->pos_signal == f->signal_id && ds->pos_dir) {
                ds->pos_qty_e8 -= f->unfilled_e8;
                if (ds->pos_qty_e8 <= 0)
                    ds->pos_dir = 0;
            }
        } else if (f->signal_kind == ARB_SIG_BASIS && f->action == ARB_ACT_OPEN) {
            /* Both legs report; the spot leg's remainder is the position's. */
            for (unsigned j = 0; j < d->nbasis_of[f->instrument]; j++) {
                uint32_t k = d->basis_of[f->instrument][j];
                if (d->pairs[k].spot != f->instrument)
                    continue;
                for (uint32_t a = 0; a < ARB_MAX_VENUES; a++)
                    for (uint32_t b = 0; b < ARB_MAX_VENUES; b++) {
                        struct arb_basis_state *st = &d->basis[k][a][b];
                        if (st->dir && st->signal_id == f->signal_id) {
                            st->qty_e8 -= f->unfilled_e8;
                            if (st->qty_e8 <= 0) {
                                st->dir = 0;
                                d->basis_open[k]--;
                            }
                        }
                    }
            }
        }
        break;
    }
    }
}

/* ---- set-up ------------------------------------------------------------ */

void arb_detector_refresh_shape(struct arb_detector *d)
{
    const struct arb_registry *reg = d->reg;
    int usd = -1;

    for (uint32_t a = 0; a < reg->nassets; a++)
        if (strcmp(reg->asset[a], "USD") == 0)
            usd = (int)a;
    d->npairs = 0;
    memset(d->nbasis_of, 0, sizeof(d->nbasis_of));
    for (uint32_t i = 0; i < ARB_MAX_INSTRUMENTS; i++) {
        d->base_coin[i] = -1;
        d->quote_coin[i] = -1;
        d->quote_usd[i] = 0;
    }
    for (uint32_t i = 0; i < reg->ninstruments; i++) {
        const struct arb_instrument *in = &reg->inst[i];
        d->base_coin[i] = (int8_t)arb_coin_find(reg->asset[in->base_asset]);
        d->quote_coin[i] = (int8_t)arb_coin_find(reg->asset[in->quote_asset]);
        d->quote_usd[i] = usd >= 0 && in->quote_asset == (uint16_t)usd;
        if (in->kind != ARB_INST_SPOT)
            d->base_coin[i] = -1; /* a perpetual's price is not the coin's spot value */
    }
    for (uint32_t i = 0; i < reg->ninstruments; i++) {
        const struct arb_instrument *s = &reg->inst[i];
        if (s->kind != ARB_INST_SPOT)
            continue;
        for (uint32_t j = 0; j < reg->ninstruments; j++) {
            const struct arb_instrument *p = &reg->inst[j];
            if (p->kind != ARB_INST_PERP || p->base_asset != s->base_asset ||
                p->quote_asset != s->quote_asset)
                continue;
            if (d->npairs == ARB_MAX_BASIS_PAIRS || d->nbasis_of[i] == 4 || d->nbasis_of[j] == 4)
                continue;
            d->pairs[d->npairs] = (struct arb_basis_pair){.spot = (uint16_t)i, .perp = (uint16_t)j};
            d->basis_of[i][d->nbasis_of[i]++] = (uint8_t)d->npairs;
            d->basis_of[j][d->nbasis_of[j]++] = (uint8_t)d->npairs;
            d->npairs++;
        }
    }
    for (uint32_t a = 0; a < ARB_MAX_ASSETS; a++)
        d->risk.asset_coin[a] = (int8_t)(a < reg->nassets ? arb_coin_find(reg->asset[a]) : -1);
    /* New venues or basis partners: the gross columns of new pairs were not kept. */
    top_rebuild(d);
}

struct arb_detector *arb_detector_create(const struct arb_registry *reg,
                                         const struct arb_params_pub *pub,
                                         const struct arb_params *params, struct arb_ring *events,
                                         struct arb_ring *intents)
{
    struct arb_detector *d;

    if (!reg || !events || !intents || (!pub && !params)) {
        errno = EINVAL;
        return NULL;
    }
    d = aligned_alloc(ARB_CACHELINE,
                      (sizeof(*d) + ARB_CACHELINE - 1) & ~(size_t)(ARB_CACHELINE - 1));
    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    memset(d, 0, sizeof(*d));
    d->reg = reg;
    d->pub = pub;
    d->events = events;
    d->intents = intents;
    if (pub)
        arb_params_try_snapshot(pub, &d->params, &d->params_seq);
    else
        d->params = *params;
    arb_risk_init(&d->risk, reg);
    fees_derive(d);
    for (uint32_t i = 0; i < ARB_MAX_INSTRUMENTS; i++) {
        struct arb_top *tp = &d->top[i];
        for (uint32_t v = 0; v < ARB_MAX_VENUES; v++) {
            tp->bid_net[v] = tp->bid[v] = INT64_MIN;
            tp->ask_net[v] = tp->ask[v] = INT64_MAX;
        }
        tp->best_bid_net = tp->best_ask_net = tp->best_bid = tp->best_ask =
            (struct arb_top2){.first = -1, .second = -1};
    }
    for (uint32_t c = 0; c < ARB_COIN_COUNT; c++)
        for (uint32_t v = 0; v < ARB_MAX_VENUES; v++)
            d->depeg[c][v].pos_instrument = 0xffff;
    arb_detector_refresh_shape(d);
    return d;
}

void arb_detector_destroy(struct arb_detector *d)
{
    free(d);
}
