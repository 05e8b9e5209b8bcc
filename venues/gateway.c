/* SPDX-License-Identifier: MIT */
/* The order gateway thread: intents to signed orders, answers to fills and hedges. */
#include "gateway.h"
#include "gateway_rest.h"

#include "core/clock.h"
#include "core/event.h"
#include "core/fill.h"
#include "core/intent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ULL

static inline void stat_inc(_Atomic uint64_t *c)
{
    /* One writer: a relaxed load and store, no locked instruction on the path. */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

/* ---- client order ids -------------------------------------------------- */

/*
 * 'a', the run id (4 hex), the signal id (8 hex), the leg ('0', '1', 'h') and
 * the attempt (1 hex): 15 characters, inside every venue's limit (Kraken's 18),
 * unique per run, and naming the signal that caused the order.
 */
static void clid_make(char *out, uint32_t run, uint32_t signal, int leg, unsigned attempt)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = 'a';
    for (int i = 0; i < 4; i++)
        out[1 + i] = hex[(run >> (12 - 4 * i)) & 15];
    for (int i = 0; i < 8; i++)
        out[5 + i] = hex[(signal >> (28 - 4 * i)) & 15];
    out[13] = leg == 2 ? 'h' : (char)('0' + leg);
    out[14] = hex[attempt & 15];
    out[15] = '\0';
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses a client id of this run. Returns 0, or -1 for an id that is not ours. */
static int clid_parse(const char *id, uint32_t run, uint32_t *signal, int *leg)
{
    uint32_t r = 0, s = 0;

    if (strlen(id) != 15 || id[0] != 'a')
        return -1;
    for (int i = 1; i < 13; i++) {
        int v = hexval(id[i]);
        if (v < 0)
            return -1;
        if (i < 5)
            r = r << 4 | (uint32_t)v;
        else
            s = s << 4 | (uint32_t)v;
    }
    if (r != (run & 0xffff))
        return -1;
    *signal = s;
    *leg = id[13] == 'h' ? 2 : id[13] - '0';
    return *leg >= 0 && *leg <= 2 ? 0 : -1;
}

/* The flight slot of a signal: where arb_twoleg_open put it, by the same probe. */
static int slot_of(const struct arb_gateway *g, uint32_t signal)
{
    for (uint32_t k = 0; k < ARB_TWOLEG_MAX; k++) {
        uint32_t slot = (signal + k) & (ARB_TWOLEG_MAX - 1);
        const struct arb_flight *f = &g->twoleg.f[slot];
        if (f->active && f->in.signal_id == signal)
            return (int)slot;
        if (!f->active && k > 64)
            break;
    }
    return -1;
}

/* ---- reports out ------------------------------------------------------- */

static void event_out(struct arb_gateway *g, const struct arb_event *ev)
{
    /* The slow path is only a reader: if it falls behind, events are counted, not waited on. */
    if (!arb_ring_spsc_push(g->events, ev)) {
        stat_inc(&g->stats.events_dropped);
        arb_log_limited(&g->log_limit, g->now_ns, ARB_LOG_WARN, "gateway: events ring full");
    }
}

static void fill_out(struct arb_gateway *g, const struct arb_fill *f)
{
    /* Risk must see every fill: wait for the detector rather than drop one. */
    while (!arb_ring_spsc_push(g->fills, f)) {
        if (atomic_load_explicit(&g->stop, memory_order_relaxed))
            return;
        arb_cpu_relax();
    }
}

static void report_error(struct arb_gateway *g, uint16_t venue, uint32_t signal)
{
    struct arb_fill f = {
        .kind = ARB_FILL_ERROR, .venue = venue, .signal_id = signal, .ts_ns = g->now_ns};
    fill_out(g, &f);
}

/* ---- sending ------------------------------------------------------------ */

/* Queues the signed request in g->msg: a text frame, or on a REST session the request as it is. */
static int session_send(struct arb_gateway *g, uint16_t venue, int slot, int leg, uint64_t req_id,
                        size_t n)
{
    struct arb_gw_session *s = &g->s[venue];

    if (s->rest)
        return arb_gw_rest_send(g, venue, slot, leg, req_id, g->msg, n);
    return arb_ws_send(&s->ws, ARB_WS_TEXT, g->msg, n);
}

/*
 * Signs and queues one order. Returns 0 when queued, -EAGAIN when a rate
 * limit holds it back, -errno when the session cannot send.
 */
static int send_order(struct arb_gateway *g, int slot, int leg, const struct arb_leg *l,
                      unsigned attempt)
{
    struct arb_gw_session *s = &g->s[l->venue];
    struct arb_gw_order *o = &g->ord[slot][leg];
    struct arb_order req;

    if (!s->enabled || s->ws.state != ARB_WS_OPEN)
        return -ENOTCONN;
    if (!arb_bucket_has(&s->orders, 1, g->now_ns) ||
        !arb_bucket_has(&s->weight, s->ops->order_weight, g->now_ns))
        return -EAGAIN;
    uint64_t t0 = arb_clock_now_ns();
    req.leg = l;
    req.symbol = s->sym[l->instrument];
    req.symbol_len = s->sym_len[l->instrument];
    clid_make(req.clid, g->cfg.run_id, g->twoleg.f[slot].in.signal_id, leg, attempt);
    req.ts_ms = t0 / MS;
    req.req_id = ++s->req_id;
    int n = s->ops->encode_order(&s->keys, &req, g->msg, sizeof(g->msg));
    if (n < 0)
        return n;
    int rc = session_send(g, l->venue, slot, leg, req.req_id, (size_t)n);
    if (rc < 0)
        return rc;
    uint64_t t1 = arb_clock_now_ns();
    arb_bucket_take(&s->orders, 1, g->now_ns);
    arb_bucket_take(&s->weight, s->ops->order_weight, g->now_ns);
    arb_hist_record(g->h_sign, t1 - t0);
    if (!o->resend) /* a re-send keeps what the first attempt already filled */
        o->cum_e8 = 0;
    o->leg = *l;
    o->venue = l->venue;
    o->req_id = req.req_id;
    g->req_map[req.req_id & 4095] = (uint16_t)(slot * 3 + leg);
    o->sent_ns = t1;
    o->live = 1;
    o->attempt = (uint8_t)attempt;
    o->resent = o->resend;
    o->resend = 0;
    stat_inc(&g->stats.orders);
    return 0;
}

/* Submits everything queued: the one system call of the path. Answers are reaped by the
 * next step, after this intent's reports are out. */
static void submit(struct arb_gateway *g)
{
    uint64_t t0 = arb_clock_now_ns();
    io_uring_submit(&g->ring);
    arb_hist_record(g->h_submit, arb_clock_now_ns() - t0);
}

static void order_event(struct arb_gateway *g, int slot, int leg, uint64_t latency)
{
    const struct arb_gw_order *o = &g->ord[slot][leg];
    struct arb_event ev = {0};

    ev.ts_ns = g->now_ns;
    ev.signal_id = g->twoleg.f[slot].in.signal_id;
    ev.type = ARB_EV_ORDER;
    ev.dir = (uint8_t)leg;
    ev.level = o->attempt;
    ev.instrument = o->leg.instrument;
    ev.venue_a = o->venue;
    ev.exec.qty = o->leg.qty_e8;
    ev.exec.px = o->leg.px_e8;
    ev.exec.latency_ns = (int64_t)latency;
    event_out(g, &ev);
}

/* Books the part of a leg the risk gate reserved but that will never trade. */
static void release_unfilled(struct arb_gateway *g, int slot, int leg)
{
    const struct arb_flight *f = &g->twoleg.f[slot];
    struct arb_gw_order *o = &g->ord[slot][leg];
    struct arb_fill fl = {0};

    if (leg > 1 || o->booked_e8 <= o->cum_e8)
        return;
    fl.kind = ARB_FILL_FINAL;
    fl.venue = o->venue;
    fl.instrument = o->leg.instrument;
    fl.side = o->leg.side;
    fl.px_e8 = o->leg.px_e8;
    fl.unfilled_e8 = o->booked_e8 - o->cum_e8;
    fl.signal_id = f->in.signal_id;
    fl.signal_kind = f->in.kind;
    fl.action = f->in.action;
    fl.ts_ns = g->now_ns;
    o->booked_e8 = o->cum_e8;
    fill_out(g, &fl);
}

/*
 * Asks the venue for the state of a re-sent order it refused as a duplicate: it booked
 * the first send, whose answer was lost with the connection. The answer names the order
 * by client id and is booked like any execution report. Returns 0 when sent.
 */
static int query_order(struct arb_gateway *g, int slot, int leg)
{
    struct arb_gw_order *o = &g->ord[slot][leg];
    struct arb_gw_session *s = &g->s[o->venue];
    struct arb_order req;

    if (!s->ops->encode_query || s->ws.state != ARB_WS_OPEN)
        return -ENOTSUP;
    req.leg = &o->leg;
    req.symbol = s->sym[o->leg.instrument];
    req.symbol_len = s->sym_len[o->leg.instrument];
    clid_make(req.clid, g->cfg.run_id, g->twoleg.f[slot].in.signal_id, leg, o->attempt);
    req.ts_ms = arb_clock_now_ns() / MS;
    req.req_id = ++s->req_id;
    int n = s->ops->encode_query(&s->keys, &req, g->msg, sizeof(g->msg));
    if (n < 0)
        return n;
    int rc = session_send(g, o->venue, slot, leg, req.req_id, (size_t)n);
    if (rc < 0)
        return rc;
    o->req_id = req.req_id;
    g->req_map[req.req_id & 4095] = (uint16_t)(slot * 3 + leg);
    o->resent = 0; /* one query: a second duplicate is a real refusal */
    submit(g);
    return 0;
}

/* One intent from the detector: both legs back to back, then one submit. */
static void on_intent(struct arb_gateway *g, const struct arb_intent *in, uint64_t hop_ns)
{
    stat_inc(&g->stats.intents);
    arb_hist_record(g->h_intent_hop, hop_ns);
    /* Both legs must fit the buckets before either leaves: never leg ourselves. */
    for (int k = 0; k < in->nlegs; k++) {
        struct arb_gw_session *s = &g->s[in->leg[k].venue];
        bool up = s->enabled && s->ws.state == ARB_WS_OPEN;
        if (!up || !arb_bucket_has(&s->orders, (uint32_t)in->nlegs, g->now_ns) ||
            !arb_bucket_has(&s->weight, s->ops->order_weight, g->now_ns)) {
            stat_inc(up ? &g->stats.rate_limited : &g->stats.unavailable);
            struct arb_event ev = {.ts_ns = g->now_ns,
                                   .signal_id = in->signal_id,
                                   .type = ARB_EV_REFUSAL,
                                   .reason = s->enabled && s->ws.state == ARB_WS_OPEN
                                                 ? ARB_REFUSE_BACKPRESSURE
                                                 : ARB_REFUSE_VENUE_HALT,
                                   .level = in->kind,
                                   .instrument = in->leg[k].instrument,
                                   .venue_a = in->leg[k].venue};
            event_out(g, &ev);
            /* Nothing left: the whole booking goes back to the risk gate. */
            for (int j = 0; j < in->nlegs; j++) {
                struct arb_fill fl = {.kind = ARB_FILL_FINAL,
                                      .venue = in->leg[j].venue,
                                      .instrument = in->leg[j].instrument,
                                      .side = in->leg[j].side,
                                      .px_e8 = in->leg[j].px_e8,
                                      .unfilled_e8 = in->leg[j].qty_e8,
                                      .signal_id = in->signal_id,
                                      .signal_kind = in->kind,
                                      .action = in->action,
                                      .ts_ns = g->now_ns};
                fill_out(g, &fl);
            }
            return;
        }
    }
    int slot = arb_twoleg_open(&g->twoleg, in, g->now_ns);
    if (slot < 0) {
        arb_log_limited(&g->log_limit, g->now_ns, ARB_LOG_ERROR,
                        "gateway: %d intents in flight, refusing signal %u", ARB_TWOLEG_MAX,
                        in->signal_id);
        return;
    }
    g->flights_live[slot >> 6] |= 1ULL << (slot & 63);
    int sent = 0;
    for (int k = 0; k < in->nlegs; k++) {
        g->ord[slot][k].booked_e8 = in->leg[k].qty_e8;
        if (send_order(g, slot, k, &in->leg[k], 0) == 0)
            sent |= 1 << k;
        else
            arb_twoleg_exec(&g->twoleg, slot, k, 0, true); /* never left: unfilled, final */
    }
    /* Tick to order ends as the orders are handed to the kernel; the submit call's own
     * cost is its own stage. */
    uint64_t t = arb_clock_now_ns();
    submit(g);
    for (int k = 0; k < in->nlegs; k++)
        if (sent & (1 << k)) {
            arb_hist_record(g->h_tick_to_order, t - in->origin_ts_ns);
            order_event(g, slot, k, t - in->origin_ts_ns);
        } else {
            release_unfilled(g, slot, k);
        }
}

/* ---- answers ----------------------------------------------------------- */

static void on_exec(struct arb_gateway *g, uint16_t venue, const struct arb_exec *x)
{
    uint32_t signal;
    int leg, slot;

    if (clid_parse(x->clid, g->cfg.run_id, &signal, &leg) == 0) {
        slot = slot_of(g, signal);
    } else if (x->req_id) {
        /* Rejects on WebSocket APIs carry only the request id we sent. */
        int k = g->req_map[x->req_id & 4095];
        slot = k / 3;
        leg = k % 3;
        if (g->ord[slot][leg].req_id != x->req_id || g->ord[slot][leg].venue != venue)
            return;
        signal = g->twoleg.f[slot].in.signal_id;
    } else {
        return; /* not ours: nothing to book */
    }
    if (slot < 0)
        return;
    struct arb_gw_order *o = &g->ord[slot][leg];
    struct arb_flight *f = &g->twoleg.f[slot];
    /* An unknown outcome (a 5xx) is not final: the leg times out, counts as unfilled for
     * hedging, and its flight stays open for a late report. */
    bool final = x->kind != ARB_EXEC_ACK && x->kind != ARB_EXEC_UNKNOWN;
    if (x->kind == ARB_EXEC_UNKNOWN)
        stat_inc(&g->stats.unknown);
    /* A report that does not say how much has filled (-1) keeps what we know. */
    const int64_t filled = x->filled_qty_e8 < 0 ? o->cum_e8 : x->filled_qty_e8;
    if (filled < o->cum_e8)
        return; /* older than what we know */
    if (!o->live && filled > o->cum_e8) {
        /* A fill after the final answer: booked below as a trade, and said out loud, since
         * the risk gate already released this leg's exposure. */
        stat_inc(&g->stats.late_fills);
        arb_log_limited(&g->log_limit, g->now_ns, ARB_LOG_ERROR,
                        "gateway: %s: fill on %s after its final answer", g->s[venue].ops->name,
                        x->clid);
    }
    int64_t delta = filled - o->cum_e8;

    arb_hist_record(g->h_ack, g->now_ns - o->sent_ns);
    /* A re-sent order refused as a duplicate was booked by its first send, whose answer
     * the drop lost: booking this refusal as "nothing filled" would hedge a leg that did
     * trade. The order stays live until the venue says what it filled. */
    if (o->querying) {
        o->querying = 0;
        /* The venue never saw it: now the same client id can go out again safely. */
        if (x->kind == ARB_EXEC_REJECT && x->code == -2013 && o->live) {
            o->resend = 1;
            if (send_order(g, slot, leg, &o->leg, o->attempt) == 0) {
                stat_inc(&g->stats.resent);
                submit(g);
            }
            return;
        }
    }
    if (x->kind == ARB_EXEC_REJECT && o->resent && o->live && strstr(x->reason, "uplicate") &&
        query_order(g, slot, leg) == 0) {
        stat_inc(&g->stats.duplicates);
        return;
    }
    if (x->kind == ARB_EXEC_REJECT || x->kind == ARB_EXEC_RATE_LIMIT) {
        if (x->kind == ARB_EXEC_RATE_LIMIT) {
            stat_inc(&g->stats.venue_429);
            /* The venue's word wins over our bucket: stop sending there for a second. */
            arb_bucket_penalize(&g->s[venue].orders, g->now_ns + 1000 * MS);
        } else {
            stat_inc(&g->stats.rejects);
        }
        if (strstr(x->reason, "uplicate"))
            stat_inc(&g->stats.duplicates);
        report_error(g, venue, signal);
        arb_log_limited(&g->log_limit, g->now_ns, ARB_LOG_WARN, "gateway: %s rejected %s: %d %s",
                        g->s[venue].ops->name, x->clid, x->code, x->reason);
    } else {
        struct arb_fill ok = {
            .kind = ARB_FILL_OK, .venue = venue, .signal_id = signal, .ts_ns = g->now_ns};
        fill_out(g, &ok);
    }
    if (delta > 0) {
        /* The fill's price: the increment of the average, recovered from the totals. */
        int64_t px = x->avg_px_e8 ? x->avg_px_e8 : o->leg.px_e8;
        enum arb_side side = leg < 2 ? (enum arb_side)o->leg.side : (enum arb_side)f->hedge_side;
        int64_t realized =
            arb_positions_fill(&g->pos, venue, o->leg.instrument, side, delta, px, x->fee_e8);
        struct arb_fill fl = {.kind = ARB_FILL_TRADE,
                              .venue = venue,
                              .instrument = o->leg.instrument,
                              .side = (uint8_t)side,
                              .qty_e8 = delta,
                              .px_e8 = px,
                              .fee_e8 = x->fee_e8,
                              .realized_e8 = realized,
                              .signal_id = signal,
                              .signal_kind = f->in.kind,
                              .action = f->in.action,
                              .ts_ns = g->now_ns};
        fill_out(g, &fl);
        o->cum_e8 = filled;
        stat_inc(&g->stats.fills);
        if (x->kind == ARB_EXEC_PARTIAL)
            stat_inc(&g->stats.partials);
    } else if (x->kind == ARB_EXEC_EXPIRED) {
        stat_inc(&g->stats.expired);
    }
    arb_twoleg_exec(&g->twoleg, slot, leg, delta > 0 ? delta : 0, final);
    if (final) {
        o->live = 0;
        release_unfilled(g, slot, leg);
    }
    struct arb_event ev = {0};
    ev.ts_ns = g->now_ns;
    ev.signal_id = signal;
    ev.type = ARB_EV_FILL;
    ev.dir = (uint8_t)leg;
    ev.reason = x->kind;
    ev.instrument = o->leg.instrument;
    ev.venue_a = venue;
    ev.exec.qty = filled;
    ev.exec.px = x->avg_px_e8;
    ev.exec.fee = x->fee_e8;
    ev.exec.latency_ns = (int64_t)(g->now_ns - o->sent_ns);
    event_out(g, &ev);
}

static void on_msg(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct arb_gw_msg_ctx *m = ctx;
    struct arb_gateway *g = m->g;
    struct arb_exec x[8];

    (void)op;
    g->now_ns = ts;
    int k = g->s[m->venue].ops->parse_exec((const char *)p, n, x, 8);
    if (k < 0) {
        stat_inc(&g->stats.malformed);
        arb_log_limited(&g->log_limit, ts, ARB_LOG_WARN, "gateway: %s: malformed answer: %.*s",
                        g->s[m->venue].ops->name, (int)(n < 160 ? n : 160), (const char *)p);
        return;
    }
    for (int i = 0; i < k; i++)
        on_exec(g, m->venue, &x[i]);
}

/* ---- hedging ----------------------------------------------------------- */

/* The first slot at or after `from` with its bit set in flights_live, or -1. */
static int next_live(const struct arb_gateway *g, int from)
{
    for (int w = from >> 6; w < ARB_TWOLEG_MAX / 64; w++) {
        uint64_t bits = g->flights_live[w];
        if (w == from >> 6)
            bits &= ~0ULL << (from & 63);
        if (bits)
            return w * 64 + __builtin_ctzll(bits);
    }
    return -1;
}

static void check_flights(struct arb_gateway *g)
{
    struct arb_leg hedge;

    /* Only the slots on_intent opened: a scan of all ARB_TWOLEG_MAX flights (192 KiB) on
     * every step was most of the fused detector loop's time, and so of a tick's ring wait. */
    for (int slot = next_live(g, 0); slot >= 0; slot = next_live(g, slot + 1)) {
        struct arb_flight *f = &g->twoleg.f[slot];
        if (!f->active) {
            g->flights_live[slot >> 6] &= ~(1ULL << (slot & 63)); /* retired at its last poll */
            continue;
        }
        for (int leg = 0; leg < f->in.nlegs; leg++) {
            struct arb_gw_order *o = &g->ord[slot][leg];
            /*
             * Reconnected with an order whose answer the drop lost. Ask first: a real
             * venue may accept the same client id again once the IOC is done, so a blind
             * re-send could trade twice. Only "no such order" earns a re-send. A venue
             * without a status query leaves the leg to time out as unknown, and says so.
             */
            if (o->resend && g->s[o->venue].ws.state == ARB_WS_OPEN) {
                o->resend = 0;
                if (query_order(g, slot, leg) == 0) {
                    o->querying = 1;
                } else {
                    stat_inc(&g->stats.unknown);
                    arb_log_limited(&g->log_limit, g->now_ns, ARB_LOG_ERROR,
                                    "gateway: %s: order of signal %u lost with the connection and "
                                    "the venue has no status query: treated as unfilled",
                                    g->s[o->venue].ops->name, f->in.signal_id);
                }
            }
        }
        int rc = arb_twoleg_poll(&g->twoleg, slot, g->now_ns, &hedge);
        if (rc == 1) {
            stat_inc(&g->stats.hedges);
            struct arb_event ev = {.ts_ns = g->now_ns,
                                   .signal_id = f->in.signal_id,
                                   .type = ARB_EV_HEDGE,
                                   .dir = 2,
                                   .instrument = hedge.instrument,
                                   .venue_a = hedge.venue};
            ev.exec.qty = hedge.qty_e8;
            ev.exec.px = hedge.px_e8;
            event_out(g, &ev);
            g->ord[slot][2].booked_e8 = 0;
            if (send_order(g, slot, 2, &hedge, f->hedges) == 0)
                submit(g);
            else
                arb_twoleg_exec(&g->twoleg, slot, 2, 0, true);
        } else if (rc < 0) {
            stat_inc(&g->stats.alarms);
            struct arb_event ev = {.ts_ns = g->now_ns,
                                   .signal_id = f->in.signal_id,
                                   .type = ARB_EV_ALARM,
                                   .instrument = f->in.leg[0].instrument,
                                   .venue_a = f->in.leg[0].venue};
            ev.exec.qty = arb_twoleg_net(f);
            event_out(g, &ev);
            arb_log(ARB_LOG_ERROR,
                    "gateway: signal %u left unhedged by %lld e-8 after %u hedges: halting its "
                    "venues",
                    f->in.signal_id, (long long)arb_twoleg_net(f), f->hedges);
            for (int leg = 0; leg < f->in.nlegs; leg++)
                report_error(g, f->in.leg[leg].venue, f->in.signal_id);
        }
    }
}

/* ---- connections -------------------------------------------------------- */

static void session_lost(struct arb_gateway *g, uint16_t v)
{
    struct arb_gw_session *s = &g->s[v];

    stat_inc(&g->stats.disconnects);
    arb_log_limited(&g->log_limit, g->now_ns, ARB_LOG_WARN, "gateway: %s order connection: %s",
                    s->ops->name, s->ws.errmsg[0] ? s->ws.errmsg : arb_ws_state_name(s->ws.state));
    arb_ws_reset(&s->ws);
    arb_gw_rest_lost(s);
    s->was_open = false;
    /* Orders whose answer was lost go out again with the same id once reconnected. */
    for (int slot = 0; slot < ARB_TWOLEG_MAX; slot++)
        for (int leg = 0; leg < 3; leg++) {
            struct arb_gw_order *o = &g->ord[slot][leg];
            if (o->live && o->venue == v)
                o->resend = 1;
        }
    uint64_t d = 100ULL << (s->attempt < 7 ? s->attempt : 7);
    s->next_connect_ns = g->now_ns + d * MS;
    s->attempt++;
    report_error(g, v, 0);
}

int arb_gateway_step(struct arb_gateway *g)
{
    int work = 0;

    g->now_ns = arb_clock_now_ns();
    for (uint32_t v = 0; v < ARB_MAX_VENUES; v++) {
        struct arb_gw_session *s = &g->s[v];
        if (!s->enabled)
            continue;
        if (s->rest && arb_gw_rest_step(g, (uint16_t)v))
            continue;
        if (s->ws.state == ARB_WS_IDLE && g->now_ns >= s->next_connect_ns) {
            if (arb_ws_connect(&s->ws, s->url) < 0)
                session_lost(g, (uint16_t)v);
        } else if (s->ws.state == ARB_WS_FAILED || s->ws.state == ARB_WS_CLOSED) {
            session_lost(g, (uint16_t)v);
        } else if (s->ws.state == ARB_WS_OPEN) {
            s->attempt = 0;
            if (!s->was_open && s->ops->on_open) {
                int n = s->ops->on_open(&s->keys, ++s->req_id, g->msg, sizeof(g->msg));
                if (n > 0)
                    arb_ws_send(&s->ws, ARB_WS_TEXT, g->msg, (size_t)n);
            }
            /* Cancel-on-disconnect: armed on every new connection, refreshed before it lapses. */
            if (s->ops->keepalive && (!s->was_open || g->now_ns >= s->keepalive_ns)) {
                int n = s->ops->keepalive(&s->keys, ++s->req_id, g->msg, sizeof(g->msg));
                if (n > 0 && arb_ws_send(&s->ws, ARB_WS_TEXT, g->msg, (size_t)n) == 0)
                    s->keepalive_ns = g->now_ns + (uint64_t)s->ops->keepalive_ms * MS;
            }
            s->was_open = true;
        }
    }
    int n = arb_conn_poll(&g->ring);
    if (n > 0)
        work += n;
    g->now_ns = arb_clock_now_ns();

    struct arb_ring_rec *first;
    uint32_t k = arb_ring_spsc_peek(g->intents, 16, &first);
    for (uint32_t i = 0; i < k; i++) {
        const struct arb_intent *in = (const struct arb_intent *)&first[i];
        uint64_t pushed = arb_ring_stamp(g->intents, &first[i]);
        g->now_ns = arb_clock_now_ns();
        on_intent(g, in, pushed && g->now_ns > pushed ? g->now_ns - pushed : 0);
    }
    if (k)
        arb_ring_spsc_release(g->intents, k);
    work += (int)k;
    check_flights(g);
    if (work == 0)
        arb_gw_idle(g); /* nothing came or went: sign ahead while it is quiet */
    return work;
}

static void *gateway_main(void *arg)
{
    struct arb_gateway *g = arg;
    uint64_t idle_since = 0, spin_ns = (uint64_t)g->cfg.spin_us * 1000;

    while (!atomic_load_explicit(&g->stop, memory_order_acquire)) {
        if (arb_gateway_step(g) > 0) {
            idle_since = 0;
            continue;
        }
        if (!idle_since)
            idle_since = g->now_ns;
        if (g->now_ns - idle_since < spin_ns) {
            arb_cpu_relax();
            continue;
        }
        /* Parked in io_uring for up to 200 us: answers wake it at once, and intents wait at
         * most that long on a machine with fewer cores than hot threads. */
        arb_conn_wait(&g->ring, 200000);
    }
    return NULL;
}

/* ---- set-up ---------------------------------------------------------------- */

bool arb_gateway_url_is_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    char host[256];
    size_t n = 0;

    h = h ? h + 3 : url;
    if (*h == '[') {
        h++;
        while (h[n] && h[n] != ']' && n < sizeof(host) - 1)
            n++;
    } else {
        while (h[n] && h[n] != ':' && h[n] != '/' && n < sizeof(host) - 1)
            n++;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
        return true;
    struct in_addr a;
    return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

int arb_gateway_init(struct arb_gateway *g, const struct arb_gateway_config *cfg,
                     const struct arb_registry *reg, struct arb_ring *intents,
                     struct arb_ring *fills, struct arb_ring *events)
{
    int rc;

    memset(g, 0, sizeof(*g));
    g->cfg = *cfg;
    if (!g->cfg.leg_timeout_ms)
        g->cfg.leg_timeout_ms = 2000;
    if (!g->cfg.hedge_mode)
        g->cfg.hedge_mode = ARB_HEDGE_UNWIND;
    if (!g->cfg.hedge_slippage_bps)
        g->cfg.hedge_slippage_bps = 20 * 100000000LL;
    if (!g->cfg.spin_us)
        g->cfg.spin_us = 50;
    g->reg = reg;
    g->intents = intents;
    g->fills = fills;
    g->events = events;
    g->log_limit = (struct arb_log_limit)ARB_LOG_LIMIT_INIT(5, 1000000000ULL);
    arb_twoleg_init(&g->twoleg, (enum arb_hedge_mode)g->cfg.hedge_mode, g->cfg.hedge_slippage_bps,
                    (uint64_t)g->cfg.leg_timeout_ms * MS, g->cfg.max_hedges);
    arb_positions_init(&g->pos, reg);
    g->h_tick_to_order = arb_hist_create();
    g->h_intent_hop = arb_hist_create();
    g->h_sign = arb_hist_create();
    g->h_submit = arb_hist_create();
    g->h_ack = arb_hist_create();
    if (!g->h_tick_to_order || !g->h_intent_hop || !g->h_sign || !g->h_submit || !g->h_ack)
        return -ENOMEM;
    struct io_uring_params up = {0};
    if (cfg->sqpoll) {
        up.flags = IORING_SETUP_SQPOLL;
        up.sq_thread_idle = 1000; /* ms of no submissions before the poller sleeps */
    }
    rc = io_uring_queue_init_params(256, &g->ring, &up);
    if (rc < 0) {
        arb_log(ARB_LOG_ERROR, "gateway: io_uring_queue_init: %s", strerror(-rc));
        return rc;
    }
    uint64_t now = arb_clock_now_ns();
    for (size_t i = 0; i < cfg->nvenues; i++) {
        const struct arb_gateway_venue *vc = &cfg->venues[i];
        const struct arb_venue_ops *ops = arb_venue_ops_find(vc->venue);
        int vid = arb_registry_find_venue(reg, vc->venue);
        if (!ops || vid < 0) {
            arb_log(ARB_LOG_ERROR, "gateway: %s: %s", vc->venue,
                    !ops ? "no order plug-in for this venue" : "venue has no market data feed");
            return -ENOENT;
        }
        struct arb_gw_session *s = &g->s[vid];
        s->ops = ops;
        snprintf(s->url, sizeof(s->url), "%s", vc->url ? vc->url : ops->order_url);
        if (!cfg->live && !arb_gateway_url_is_loopback(s->url)) {
            arb_log(ARB_LOG_ERROR,
                    "gateway: %s: refusing order endpoint %s: paper trading is the default, and "
                    "only loopback endpoints (the simulated exchange) are allowed without --live",
                    vc->venue, s->url);
            return -EPERM;
        }
        if (cfg->live && (!vc->api_key || !vc->api_secret)) {
            arb_log(ARB_LOG_ERROR, "gateway: %s: --live needs credentials for this venue",
                    vc->venue);
            return -EPERM;
        }
        rc = ops->keys_init(&s->keys, vc->api_key ? vc->api_key : "",
                            vc->api_secret ? vc->api_secret : "");
        if (rc < 0) {
            arb_log(ARB_LOG_ERROR, "gateway: %s: the API credentials do not load (%s)", vc->venue,
                    strerror(-rc));
            return rc;
        }
        if (ops->session_prepare) {
            char err[256];
            rc = ops->session_prepare(&s->keys, s->url, vc->ca_file, err, sizeof(err));
            if (rc < 0) {
                arb_log(ARB_LOG_ERROR, "gateway: %s: %s", vc->venue, err);
                return rc;
            }
        }
        for (size_t k = 0; k < vc->nsymbols; k++) {
            const char *sym = vc->symbols[k];
            int inst =
                arb_registry_resolve((struct arb_registry *)reg, vc->venue, sym, strlen(sym));
            if (inst < 0 || strlen(sym) >= sizeof(s->sym[0])) {
                arb_log(ARB_LOG_ERROR, "gateway: %s: cannot map symbol '%s'", vc->venue, sym);
                return -EINVAL;
            }
            snprintf(s->sym[inst], sizeof(s->sym[inst]), "%s", sym);
            s->sym_len[inst] = (uint8_t)strlen(sym);
        }
        arb_bucket_init(&s->orders, vc->orders_per_10s ? vc->orders_per_10s : ops->orders_per_10s,
                        10000 * MS, now);
        arb_bucket_init(&s->weight, vc->weight_per_min ? vc->weight_per_min : ops->weight_per_min,
                        60000 * MS, now);
        g->msg_ctx[vid] = (struct arb_gw_msg_ctx){.g = g, .venue = (uint16_t)vid};
        struct arb_ws_config wc = {
            .ca_file = vc->ca_file, .on_msg = on_msg, .ctx = &g->msg_ctx[vid]};
        /* REST venues: the same connection and TLS as a byte stream, framed as HTTP. */
        if (ops->rest && (rc = arb_gw_rest_init(g, (uint16_t)vid, &wc)) < 0) {
            arb_log(ARB_LOG_ERROR, "gateway: %s: %s", vc->venue, strerror(-rc));
            return rc;
        }
        rc = arb_ws_init(&s->ws, &g->ring, &wc);
        if (rc < 0) {
            arb_log(ARB_LOG_ERROR, "gateway: %s: %s", vc->venue, s->ws.errmsg);
            return rc;
        }
        s->ws_ready = true;
        s->enabled = true;
    }
    return 0;
}

int arb_gateway_start(struct arb_gateway *g)
{
    atomic_store_explicit(&g->stop, 0, memory_order_relaxed);
    return arb_thread_start(&g->thread, "gateway", g->cfg.cpu, gateway_main, g);
}

void arb_gateway_stop(struct arb_gateway *g)
{
    if (!g->thread.started)
        return;
    atomic_store_explicit(&g->stop, 1, memory_order_release);
    arb_thread_join(&g->thread, NULL);
}

void arb_gateway_destroy(struct arb_gateway *g)
{
    arb_gateway_stop(g);
    /* Sessions are torn down however far their set-up got, so a failed init leaks nothing. */
    for (uint32_t v = 0; v < ARB_MAX_VENUES; v++) {
        struct arb_gw_session *s = &g->s[v];
        if (!s->ops)
            continue;
        if (s->ws_ready)
            arb_ws_destroy(&s->ws);
        arb_gw_rest_destroy(s);
        if (s->ops->keys_free)
            s->ops->keys_free(&s->keys);
        memset(&s->keys, 0, sizeof(s->keys)); /* no secret outlives the session */
        s->ops = NULL;
    }
    if (g->ring.ring_fd > 0)
        io_uring_queue_exit(&g->ring);
    arb_hist_destroy(g->h_tick_to_order);
    arb_hist_destroy(g->h_intent_hop);
    arb_hist_destroy(g->h_sign);
    arb_hist_destroy(g->h_submit);
    arb_hist_destroy(g->h_ack);
}

/* ---- REST sessions (venues/gateway_rest.c) --------------------------------- */

void arb_gw_exec(struct arb_gateway *g, uint16_t venue, const struct arb_exec *x)
{
    on_exec(g, venue, x);
}
