/* SPDX-License-Identifier: MIT */
/* JSON lines for signals, intents and refusals. */
#include "report.h"

#include "fixed.h"
#include "params.h"
#include "risk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* Appends to a bounded buffer; remembers overflow instead of failing at each call. */
struct out {
    char *buf;
    size_t len;
    size_t used;
    int overflow;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;

    if (o->overflow)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->len - o->used)
        o->overflow = 1;
    else
        o->used += (size_t)n;
}

static void put_dec(struct out *o, const char *key, int64_t v)
{
    char s[ARB_FIXED_STRMAX];

    arb_fixed_format(v, s);
    put(o, ",\"%s\":\"%s\"", key, s);
}

static int finish(struct out *o)
{
    return o->overflow ? -ENOSPC : (int)o->used;
}

static const char *const level_names[] = {"low", "medium", "high", "critical"};
static const char *const signal_names[] = {"?", "spread", "basis", "depeg"};

const char *arb_report_level_name(unsigned level)
{
    return level < 4 ? level_names[level] : "?";
}

const char *arb_report_signal_name(unsigned kind)
{
    return kind < 4 ? signal_names[kind] : "?";
}

static const char *venue_name(const struct arb_registry *reg, unsigned v)
{
    return v < reg->nvenues ? reg->venue[v] : "?";
}

static const char *inst_name(const struct arb_registry *reg, unsigned i)
{
    return i < reg->ninstruments ? reg->inst[i].name : "?";
}

static void head(struct out *o, const struct arb_event *ev, const char *type)
{
    put(o, "{\"ts_ns\":%llu,\"type\":\"%s\",\"signal\":%u", (unsigned long long)ev->ts_ns, type,
        ev->signal_id);
}

int arb_report_event_json(const struct arb_event *ev, const struct arb_registry *reg, char *buf,
                          size_t len)
{
    struct out o = {.buf = buf, .len = len};
    bool exit = (ev->dir & ARB_DIR_EXIT) != 0;

    switch (ev->type) {
    case ARB_EV_SPREAD:
        head(&o, ev, "spread");
        put(&o, ",\"instrument\":\"%s\",\"venues\":[\"%s\",\"%s\"]", inst_name(reg, ev->instrument),
            venue_name(reg, ev->venue_a), venue_name(reg, ev->venue_b));
        put_dec(&o, "edge_bps", ev->spread.edge_bps);
        put_dec(&o, "buy_px", ev->spread.buy_px);
        put_dec(&o, "sell_px", ev->spread.sell_px);
        if (ev->spread.qty != INT64_MAX)
            put_dec(&o, "qty", ev->spread.qty);
        put(&o, ",\"age_us\":[%u,%u]}", ev->age_a_us, ev->age_b_us);
        break;
    case ARB_EV_BASIS:
        head(&o, ev, "basis");
        put(&o, ",\"action\":\"%s\",\"instrument\":\"%s\",\"venues\":[\"%s\",\"%s\"]",
            exit ? "exit" : "enter", inst_name(reg, ev->instrument), venue_name(reg, ev->venue_a),
            venue_name(reg, ev->venue_b));
        put(&o, ",\"perp\":\"%s\"", (ev->dir & 3) == ARB_DIR_PERP_RICH ? "rich" : "cheap");
        put_dec(&o, "basis_bps", ev->basis.basis_bps);
        if (!exit) {
            if (ev->flags & ARB_EV_F_NO_FUNDING)
                put(&o, ",\"funding_rate\":null");
            else
                put_dec(&o, "funding_rate", ev->basis.funding_rate);
            put_dec(&o, "return_bps", ev->basis.return_bps);
            put_dec(&o, "annualized_pct", ev->basis.annualized_pct);
        }
        put(&o, ",\"age_us\":[%u,%u]}", ev->age_a_us, ev->age_b_us);
        break;
    case ARB_EV_DEPEG:
        head(&o, ev, "depeg");
        put(&o, ",\"action\":\"%s\",\"coin\":\"%s\",\"venue\":\"%s\",\"instrument\":\"%s\"",
            exit ? "exit" : "enter", arb_coin_name(ev->coin), venue_name(reg, ev->venue_a),
            inst_name(reg, ev->instrument));
        put(&o, ",\"side\":\"%s\"", (ev->dir & 3) == ARB_DIR_BELOW_PEG ? "buy" : "sell");
        put_dec(&o, "price", ev->depeg.price);
        put_dec(&o, "deviation_bps", ev->depeg.deviation_bps);
        put(&o, ",\"level\":\"%s\"", arb_report_level_name(ev->level));
        if (!exit) {
            put_dec(&o, "strength", ev->depeg.strength);
            put_dec(&o, "zscore", ev->depeg.zscore_e4 * 10000);
        }
        put(&o, "}");
        break;
    case ARB_EV_REFUSAL:
        head(&o, ev, "refusal");
        put(&o, ",\"kind\":\"%s\",\"action\":\"%s\",\"reason\":\"%s\"",
            arb_report_signal_name(ev->level), exit ? "close" : "open",
            arb_refusal_name((enum arb_refusal)ev->reason));
        put(&o, ",\"instrument\":\"%s\",\"venue\":\"%s\"", inst_name(reg, ev->instrument),
            venue_name(reg, ev->venue_a));
        put_dec(&o, "notional_usd", ev->order.notional_usd);
        if (ev->order.cap_usd)
            put_dec(&o, "cap_usd", ev->order.cap_usd);
        put(&o, "}");
        break;
    case ARB_EV_ORDER:
        head(&o, ev, "order");
        put(&o, ",\"leg\":%u,\"attempt\":%u,\"venue\":\"%s\",\"instrument\":\"%s\"", ev->dir,
            ev->level, venue_name(reg, ev->venue_a), inst_name(reg, ev->instrument));
        put_dec(&o, "qty", ev->exec.qty);
        put_dec(&o, "px", ev->exec.px);
        put(&o, ",\"tick_to_order_ns\":%lld}", (long long)ev->exec.latency_ns);
        break;
    case ARB_EV_FILL: {
        static const char *const kinds[] = {"none",     "ack",     "filled",      "partial",
                                            "rejected", "expired", "rate_limited"};
        head(&o, ev, "fill");
        put(&o, ",\"leg\":%u,\"status\":\"%s\",\"venue\":\"%s\",\"instrument\":\"%s\"", ev->dir,
            ev->reason < 7 ? kinds[ev->reason] : "?", venue_name(reg, ev->venue_a),
            inst_name(reg, ev->instrument));
        put_dec(&o, "filled_qty", ev->exec.qty);
        if (ev->exec.px)
            put_dec(&o, "avg_px", ev->exec.px);
        if (ev->exec.fee)
            put_dec(&o, "fee", ev->exec.fee);
        put(&o, ",\"answer_ns\":%lld}", (long long)ev->exec.latency_ns);
        break;
    }
    case ARB_EV_HEDGE:
        head(&o, ev, "hedge");
        put(&o, ",\"venue\":\"%s\",\"instrument\":\"%s\"", venue_name(reg, ev->venue_a),
            inst_name(reg, ev->instrument));
        put_dec(&o, "qty", ev->exec.qty);
        put_dec(&o, "px", ev->exec.px);
        put(&o, "}");
        break;
    case ARB_EV_ALARM:
        head(&o, ev, "alarm");
        put(&o, ",\"what\":\"unhedged\",\"venue\":\"%s\",\"instrument\":\"%s\"",
            venue_name(reg, ev->venue_a), inst_name(reg, ev->instrument));
        put_dec(&o, "imbalance", ev->exec.qty);
        put(&o, "}");
        break;
    default:
        return -EINVAL;
    }
    return finish(&o);
}

int arb_report_intent_json(const struct arb_event *ev, const struct arb_intent *in,
                           const struct arb_registry *reg, char *buf, size_t len)
{
    struct out o = {.buf = buf, .len = len};

    head(&o, ev, "intent");
    put(&o, ",\"kind\":\"%s\",\"action\":\"%s\"", arb_report_signal_name(in->kind),
        in->action == ARB_ACT_CLOSE ? "close" : "open");
    put_dec(&o, "notional_usd", ev->order.notional_usd);
    put(&o, ",\"legs\":[");
    for (unsigned i = 0; i < in->nlegs && i < 2; i++) {
        const struct arb_leg *l = &in->leg[i];
        put(&o, "%s{\"venue\":\"%s\",\"instrument\":\"%s\",\"side\":\"%s\"", i ? "," : "",
            venue_name(reg, l->venue), inst_name(reg, l->instrument),
            l->side == ARB_SIDE_BUY ? "buy" : "sell");
        put_dec(&o, "px", l->px_e8);
        put_dec(&o, "qty", l->qty_e8);
        put(&o, ",\"tif\":\"IOC\"}");
    }
    put(&o, "]}");
    return finish(&o);
}
