/* SPDX-License-Identifier: MIT */
/* Engine wiring: rings, threads, the detector loop and the slow path's drain. */
#include "engine.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ULL

static struct arb_ring *ring_new(uint64_t **stamps)
{
    struct arb_ring *r = arb_ring_create(ARB_ENGINE_RING);

    if (r && stamps) {
        *stamps = calloc(ARB_ENGINE_RING, sizeof(**stamps));
        if (!*stamps) {
            arb_ring_destroy(r);
            return NULL;
        }
        arb_ring_attach_stamps(r, *stamps);
    }
    return r;
}

int arb_engine_prepare(struct arb_engine *e, const struct arb_engine_config *cfg)
{
    memset(e, 0, sizeof(*e));
    e->cfg = *cfg;
    arb_registry_init(&e->reg);
    for (size_t i = 0; i < cfg->nfeeds; i++)
        if (arb_registry_venue(&e->reg, cfg->feeds[i].venue) < 0)
            return -EINVAL;
    arb_params_defaults(&e->params);
    arb_params_venue_defaults(&e->params, &e->reg);
    return 0;
}

int arb_engine_init(struct arb_engine *e)
{
    const struct arb_engine_config *cfg = &e->cfg;
    int rc;

    e->intents = ring_new(&e->intent_stamps);
    e->fills = ring_new(NULL);
    e->events = ring_new(NULL);
    e->gw_events = ring_new(NULL);
    e->h_hop = arb_hist_create();
    e->h_detect = arb_hist_create();
    e->h_risk = arb_hist_create();
    if (!e->intents || !e->fills || !e->events || !e->gw_events || !e->h_hop || !e->h_detect ||
        !e->h_risk)
        return -ENOMEM;
    for (size_t i = 0; i < cfg->nfeeds; i++) {
        struct arb_feed_config fc = cfg->feeds[i].cfg;
        e->ticks[i] = ring_new(&e->tick_stamps[i]);
        e->h_parse[i] = arb_hist_create();
        if (!e->ticks[i] || !e->h_parse[i])
            return -ENOMEM;
        fc.doorbell = &e->doorbell;
        fc.h_parse = e->h_parse[i];
        rc = arb_feed_init(&e->feeds[i], cfg->feeds[i].venue, &fc, &e->reg, e->ticks[i]);
        if (rc < 0)
            return rc;
        e->nfeeds++;
        /* Feed-specific limits become the detector's too: one name, one meaning. */
        e->params.feed_stale_ms[e->feeds[i].venue] = fc.stale_ms ? fc.stale_ms : 5000;
    }
    /* A venue without an order session is watched, not traded: the risk gate says so. */
    for (uint32_t v = 0; v < e->reg.nvenues; v++) {
        bool trades = false;
        for (size_t k = 0; k < cfg->gateway.nvenues; k++)
            if (strcmp(cfg->gateway.venues[k].venue, e->reg.venue[v]) == 0)
                trades = true;
        if (!trades)
            e->params.venue_halt[v] = 1;
    }
    e->gw = calloc(1, sizeof(*e->gw));
    if (!e->gw)
        return -ENOMEM;
    rc = arb_gateway_init(e->gw, &cfg->gateway, &e->reg, e->intents, e->fills, e->gw_events);
    if (rc < 0)
        return rc;
    arb_params_pub_init(&e->pub, &e->params);
    e->det = arb_detector_create(&e->reg, &e->pub, NULL, e->events, e->intents);
    if (!e->det)
        return -ENOMEM;
    e->det->h_risk = e->h_risk;
    /* Hot threads: feeds, the detector and the gateway. One core each is the design; with
     * fewer, the gateway runs inside the detector's loop and saves a hand-off. */
    int hot = (int)e->nfeeds + 2;
    e->fused = cfg->fuse_gateway < 0 ? arb_thread_cpus() < hot : cfg->fuse_gateway != 0;
    if (cfg->journal) {
        e->journal = fopen(cfg->journal, "w");
        if (!e->journal) {
            arb_log(ARB_LOG_ERROR, "journal %s: %s", cfg->journal, strerror(errno));
            return -errno;
        }
    }
    return 0;
}

/* ---- the detector thread ----------------------------------------------- */

static int rings_ready(void *ctx)
{
    struct arb_engine *e = ctx;

    for (size_t i = 0; i < e->nfeeds; i++)
        if (arb_ring_count(e->ticks[i]))
            return 1;
    return arb_ring_count(e->fills) != 0;
}

/* One round: every feed ring in turn (a batch each, so no venue starves), then fills. */
static uint32_t detector_round(struct arb_engine *e)
{
    struct arb_detector *d = e->det;
    struct arb_ring_rec *first;
    uint32_t total = 0;

    for (size_t i = 0; i < e->nfeeds; i++) {
        uint32_t n = arb_ring_spsc_peek(e->ticks[i], 64, &first);
        if (!n)
            continue;
        for (uint32_t k = 0; k < n; k++) {
            uint64_t t0 = arb_clock_now_ns();
            uint64_t pushed = arb_ring_stamp(e->ticks[i], &first[k]);
            if (pushed && t0 > pushed)
                arb_hist_record(e->h_hop, t0 - pushed);
            arb_detector_on_tick(d, (const struct arb_tick *)&first[k]);
            arb_hist_record(e->h_detect, arb_clock_now_ns() - t0);
            /* Fused: the order leaves before the next tick is looked at. */
            if (e->fused && arb_ring_count(e->intents))
                arb_gateway_step(e->gw);
        }
        arb_ring_spsc_release(e->ticks[i], n);
        total += n;
    }
    uint32_t n = arb_ring_spsc_peek(e->fills, 64, &first);
    for (uint32_t k = 0; k < n; k++)
        arb_detector_on_fill(d, (const struct arb_fill *)&first[k]);
    if (n)
        arb_ring_spsc_release(e->fills, n);
    return total + n;
}

static void *detector_main(void *arg)
{
    struct arb_engine *e = arg;
    uint64_t spin_ns = (uint64_t)(e->cfg.spin_us ? e->cfg.spin_us : 50) * 1000, idle_since = 0;

    while (!atomic_load_explicit(&e->stop, memory_order_acquire)) {
        uint32_t n = detector_round(e);
        if (e->fused)
            n += (uint32_t)arb_gateway_step(e->gw);
        if (n) {
            idle_since = 0;
            continue;
        }
        uint64_t now = arb_clock_now_ns();
        if (!idle_since)
            idle_since = now;
        if (now - idle_since < spin_ns) {
            arb_cpu_relax();
            continue;
        }
        /* Parked on the feeds' doorbell: a tick wakes it at once. Fused, venue answers
         * arrive on the gateway's ring, which cannot ring a futex, so the nap is short. */
        arb_park_wait(&e->doorbell, rings_ready, e, e->fused ? 50000 : MS);
    }
    return NULL;
}

int arb_engine_start(struct arb_engine *e)
{
    int rc;

    atomic_store(&e->stop, 0);
    for (size_t i = 0; i < e->nfeeds; i++)
        if ((rc = arb_feed_start(&e->feeds[i])) < 0)
            return rc;
    if (!e->fused && (rc = arb_gateway_start(e->gw)) < 0)
        return rc;
    return arb_thread_start(&e->det_thread, "detector", e->cfg.detector_cpu, detector_main, e);
}

/* ---- slow path ---------------------------------------------------------------- */

static void tally(struct arb_engine *e, const struct arb_event *ev)
{
    struct arb_engine_counts *c = &e->counts;

    switch (ev->type) {
    case ARB_EV_SPREAD:
        c->signals[ARB_SIG_SPREAD]++;
        break;
    case ARB_EV_BASIS:
        c->signals[ARB_SIG_BASIS]++;
        break;
    case ARB_EV_DEPEG:
        c->signals[ARB_SIG_DEPEG]++;
        break;
    case ARB_EV_INTENT:
        c->intents++;
        break;
    case ARB_EV_REFUSAL:
        c->refusals++;
        break;
    case ARB_EV_ORDER:
        c->orders++;
        break;
    case ARB_EV_FILL:
        c->fills++;
        break;
    case ARB_EV_HEDGE:
        c->hedges++;
        break;
    case ARB_EV_ALARM:
        c->alarms++;
        break;
    default:
        break;
    }
}

static void drain_events(struct arb_engine *e, struct arb_ring *r)
{
    struct arb_event ev;
    char line[1024];

    while (arb_ring_spsc_pop(r, &ev)) {
        tally(e, &ev);
        if (!e->journal)
            continue;
        int n;
        if (ev.type == ARB_EV_INTENT) {
            /* The journal has the event; the legs went to the gateway. */
            n = snprintf(line, sizeof(line),
                         "{\"ts_ns\":%llu,\"type\":\"intent\",\"signal\":%u,\"kind\":\"%s\"}",
                         (unsigned long long)ev.ts_ns, ev.signal_id,
                         arb_report_signal_name(ev.level));
        } else {
            n = arb_report_event_json(&ev, &e->reg, line, sizeof(line));
        }
        if (n > 0 && (size_t)n < sizeof(line)) {
            line[n] = '\n';
            fwrite(line, 1, (size_t)n + 1, e->journal);
        }
    }
}

void arb_engine_poll(struct arb_engine *e)
{
    drain_events(e, e->events);
    drain_events(e, e->gw_events);
}

void arb_engine_publish(struct arb_engine *e)
{
    e->params.version++;
    arb_params_publish(&e->pub, &e->params);
}

void arb_engine_stop(struct arb_engine *e)
{
    atomic_store_explicit(&e->stop, 1, memory_order_release);
    /* Feeds first, so nothing new arrives; then the consumers. */
    for (size_t i = 0; i < e->nfeeds; i++)
        arb_feed_stop(&e->feeds[i]);
    if (e->det_thread.started)
        arb_thread_join(&e->det_thread, NULL);
    if (!e->fused)
        arb_gateway_stop(e->gw);
    arb_engine_poll(e);
    if (e->journal)
        fflush(e->journal);
}

void arb_engine_destroy(struct arb_engine *e)
{
    for (size_t i = 0; i < e->nfeeds; i++) {
        arb_feed_destroy(&e->feeds[i]);
        arb_ring_destroy(e->ticks[i]);
        free(e->tick_stamps[i]);
        arb_hist_destroy(e->h_parse[i]);
    }
    if (e->gw) {
        arb_gateway_destroy(e->gw);
        free(e->gw);
    }
    arb_detector_destroy(e->det);
    arb_ring_destroy(e->intents);
    free(e->intent_stamps);
    arb_ring_destroy(e->fills);
    arb_ring_destroy(e->events);
    arb_ring_destroy(e->gw_events);
    arb_hist_destroy(e->h_hop);
    arb_hist_destroy(e->h_detect);
    arb_hist_destroy(e->h_risk);
    if (e->journal)
        fclose(e->journal);
}
