/* SPDX-License-Identifier: MIT */
/* Status screen and summary. */
#include "status.h"

#include "core/fixed.h"
#include "core/report.h"
#include "core/risk.h"

#include <string.h>

/* A monitoring read of a value another thread writes: it may be a moment old, never torn. */
#define PEEK(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static const char *fx(int64_t v, char *buf)
{
    arb_fixed_format(v, buf);
    return buf;
}

static uint64_t stat_of(_Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static void latency_line(FILE *out, const char *name, const struct arb_hist *h)
{
    struct arb_hist_summary s;

    arb_hist_summarize(h, &s);
    if (!s.count) {
        fprintf(out, "  %-14s        -\n", name);
        return;
    }
    fprintf(out, "  %-14s %8llu %8llu %8llu %9llu %10llu  (n=%llu)\n", name,
            (unsigned long long)s.p50, (unsigned long long)s.p90, (unsigned long long)s.p99,
            (unsigned long long)s.p999, (unsigned long long)s.max, (unsigned long long)s.count);
}

static void latency_block(struct arb_engine *e, FILE *out)
{
    fprintf(out, "latency (ns)          p50      p90      p99     p99.9        max\n");
    latency_line(out, "tick->order", e->gw->h_tick_to_order);
    for (size_t i = 0; i < e->nfeeds; i++) {
        char name[32];
        snprintf(name, sizeof(name), "parse %.8s", e->feeds[i].ops->name);
        latency_line(out, name, e->h_parse[i]);
    }
    latency_line(out, "ring hop", e->h_hop);
    latency_line(out, "detect", e->h_detect);
    latency_line(out, "risk", e->h_risk);
    latency_line(out, "intent hop", e->gw->h_intent_hop);
    latency_line(out, "encode+sign", e->gw->h_sign);
    latency_line(out, "submit", e->gw->h_submit);
    latency_line(out, "venue answer", e->gw->h_ack);
}

static void positions_block(struct arb_engine *e, FILE *out)
{
    const struct arb_positions *p = &e->gw->pos;
    char a[ARB_FIXED_STRMAX], b[ARB_FIXED_STRMAX], c[ARB_FIXED_STRMAX];
    int shown = 0;

    for (uint32_t v = 0; v < e->reg.nvenues; v++)
        for (uint32_t i = 0; i < e->reg.ninstruments; i++) {
            const struct arb_position *ps = &p->pos[v][i];
            int64_t qty = PEEK(ps->qty_e8);
            uint32_t fills = PEEK(ps->fills);
            if (!fills)
                continue;
            fprintf(out, "  %-16s %-14s qty %14s  avg %-12s realized %-12s fills %u\n",
                    e->reg.venue[v], e->reg.inst[i].name, fx(qty, a), fx(PEEK(ps->avg_px_e8), b),
                    fx(PEEK(ps->realized_e8), c), fills);
            shown++;
        }
    if (!shown)
        fprintf(out, "  (flat: no fills yet)\n");
    fprintf(out, "P&L  realized %s  unrealized %s  fees %s (quote units, USD-equivalent)\n",
            fx(PEEK(p->realized_e8), a), fx(arb_positions_unrealized(p), b),
            fx(PEEK(p->fees_e8), c));
}

void arb_status_draw(struct arb_engine *e, FILE *out, const char *title, double elapsed_s,
                     bool ansi)
{
    char a[ARB_FIXED_STRMAX], b[ARB_FIXED_STRMAX];
    const struct arb_engine_counts *k = &e->counts;
    struct arb_gateway *g = e->gw;

    if (ansi)
        fputs("\033[H\033[2J", out);
    fprintf(out, "%s   %.1f s\n\n", title, elapsed_s);
    fprintf(out, "feed              state        frames      ticks  stale  gaps  malformed  "
                 "reconnects\n");
    for (size_t i = 0; i < e->nfeeds; i++) {
        struct arb_feed *f = &e->feeds[i];
        fprintf(out, "  %-16s %-8s %10llu %10llu %6llu %5llu %10llu %11llu\n", f->ops->name,
                arb_ws_state_name((enum arb_ws_state)atomic_load(&f->state)),
                (unsigned long long)stat_of(&f->stats.frames),
                (unsigned long long)stat_of(&f->stats.ticks),
                (unsigned long long)stat_of(&f->stats.stale),
                (unsigned long long)stat_of(&f->stats.gaps),
                (unsigned long long)stat_of(&f->stats.malformed),
                (unsigned long long)stat_of(&f->stats.disconnects));
    }
    fprintf(out, "\nquotes\n");
    for (uint32_t i = 0; i < e->reg.ninstruments; i++)
        for (uint32_t v = 0; v < e->reg.nvenues; v++) {
            const struct arb_quote *q = &e->det->quote[i][v];
            if (!PEEK(q->updates))
                continue;
            fprintf(out, "  %-16s %-14s bid %-12s ask %-12s updates %u\n", e->reg.venue[v],
                    e->reg.inst[i].name, fx(PEEK(q->bid_px_e8), a), fx(PEEK(q->ask_px_e8), b),
                    PEEK(q->updates));
        }
    fprintf(out, "\nsignals  spread %llu  basis %llu  depeg %llu   intents %llu  refusals %llu\n",
            (unsigned long long)k->signals[ARB_SIG_SPREAD],
            (unsigned long long)k->signals[ARB_SIG_BASIS],
            (unsigned long long)k->signals[ARB_SIG_DEPEG], (unsigned long long)k->intents,
            (unsigned long long)k->refusals);
    fprintf(out,
            "orders   sent %llu  fills %llu  partial %llu  expired %llu  rejected %llu  "
            "rate-limited %llu  429s %llu  hedges %llu  alarms %llu\n\n",
            (unsigned long long)stat_of(&g->stats.orders),
            (unsigned long long)stat_of(&g->stats.fills),
            (unsigned long long)stat_of(&g->stats.partials),
            (unsigned long long)stat_of(&g->stats.expired),
            (unsigned long long)stat_of(&g->stats.rejects),
            (unsigned long long)stat_of(&g->stats.rate_limited),
            (unsigned long long)stat_of(&g->stats.venue_429),
            (unsigned long long)stat_of(&g->stats.hedges),
            (unsigned long long)stat_of(&g->stats.alarms));
    fprintf(out, "positions\n");
    positions_block(e, out);
    fputc('\n', out);
    latency_block(e, out);
    fflush(out);
}

void arb_status_summary(struct arb_engine *e, FILE *out, double elapsed_s)
{
    const struct arb_risk *r = &e->det->risk;

    fprintf(out, "\n== summary after %.1f s ==\n", elapsed_s);
    arb_status_draw(e, out, "arbiter", elapsed_s, false);
    fprintf(out, "refusals by reason:");
    for (int i = 1; i < ARB_REFUSE_COUNT; i++)
        if (r->refused[i])
            fprintf(out, " %s=%llu", arb_refusal_name((enum arb_refusal)i),
                    (unsigned long long)r->refused[i]);
    fprintf(out,
            "\ntwo-leg: opened %llu balanced %llu legged %llu hedged %llu timeouts %llu "
            "alarms %llu\n",
            (unsigned long long)e->gw->twoleg.stats.opened,
            (unsigned long long)e->gw->twoleg.stats.balanced,
            (unsigned long long)e->gw->twoleg.stats.legged,
            (unsigned long long)e->gw->twoleg.stats.hedged,
            (unsigned long long)e->gw->twoleg.stats.timeouts,
            (unsigned long long)e->gw->twoleg.stats.alarms);
}

static void json_hist(FILE *out, const char *name, const struct arb_hist *h, int comma)
{
    char buf[512];

    arb_hist_json(h, buf, sizeof(buf));
    fprintf(out, "%s\"%s\":%s", comma ? "," : "", name, buf);
}

void arb_status_json(struct arb_engine *e, FILE *out, double elapsed_s)
{
    const struct arb_engine_counts *k = &e->counts;
    struct arb_gateway *g = e->gw;
    char a[ARB_FIXED_STRMAX], b[ARB_FIXED_STRMAX];

    fprintf(out,
            "{\"summary\":{\"elapsed_s\":%.3f,\"spread\":%llu,\"basis\":%llu,\"depeg\":%llu,"
            "\"intents\":%llu,\"refusals\":%llu,\"orders\":%llu,\"fills\":%llu,\"hedges\":%llu,"
            "\"alarms\":%llu,\"realized\":\"%s\",\"fees\":\"%s\",\"latency_ns\":{",
            elapsed_s, (unsigned long long)k->signals[ARB_SIG_SPREAD],
            (unsigned long long)k->signals[ARB_SIG_BASIS],
            (unsigned long long)k->signals[ARB_SIG_DEPEG], (unsigned long long)k->intents,
            (unsigned long long)k->refusals, (unsigned long long)stat_of(&g->stats.orders),
            (unsigned long long)stat_of(&g->stats.fills),
            (unsigned long long)stat_of(&g->stats.hedges),
            (unsigned long long)stat_of(&g->stats.alarms), fx(g->pos.realized_e8, a),
            fx(g->pos.fees_e8, b));
    json_hist(out, "tick_to_order", g->h_tick_to_order, 0);
    json_hist(out, "ring_hop", e->h_hop, 1);
    json_hist(out, "detect", e->h_detect, 1);
    json_hist(out, "risk", e->h_risk, 1);
    json_hist(out, "intent_hop", g->h_intent_hop, 1);
    json_hist(out, "encode_sign", g->h_sign, 1);
    json_hist(out, "submit", g->h_submit, 1);
    fprintf(out, "}}}\n");
}
