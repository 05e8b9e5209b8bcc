/* SPDX-License-Identifier: MIT */
/*
 * Detector cost per tick with 8 venues x 8 instruments (stablecoins against
 * USD and each other, BTC and ETH spot and perpetual), median and p99, and
 * the bytes allocated while it runs. The peer is the plain way to write it:
 * double arithmetic that rescans every venue pair of the tick's instrument,
 * every spot/perp pair and the coin's peg on each tick, with no fixed point
 * and no incremental state.
 */
#include "bench/alloc.h"
#include "bench/bench.h"
#include "core/clock.h"
#include "core/detect.h"
#include "core/hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NV     8
#define NI     8
#define NTICKS (1u << 20)

static const char *const venues[NV] = {"binance", "kraken",   "coinbase", "okex",
                                       "bybit",   "bitstamp", "gemini",   "huobi"};
static const char *const symbols[NI] = {"USDC/USD", "USDT/USD", "DAI/USD",       "USDC/USDT",
                                        "BTC/USDT", "ETH/USDT", "BTC-USDT-SWAP", "ETH-USDT-SWAP"};
/* Perpetuals half a basis point over spot: a quiet market, where the common path is the cost. */
static const double base_px[NI] = {1.0, 1.0, 1.0, 1.0, 65000.0, 3000.0, 65003.25, 3000.15};

static struct arb_registry reg;
static int inst_id[NI];
static struct arb_tick *ticks;

/* A random walk per venue x instrument; quotes cross across venues now and then. */
static void make_ticks(void)
{
    double mid[NV][NI];
    uint64_t s = 12345;
    ticks = aligned_alloc(64, sizeof(*ticks) * NTICKS);
    ARB_BENCH_CHECK(ticks);
    for (int v = 0; v < NV; v++)
        for (int i = 0; i < NI; i++)
            mid[v][i] = base_px[i];
    for (uint32_t k = 0; k < NTICKS; k++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        int v = (int)((s >> 33) % NV), i = (int)((s >> 40) % NI);
        double u = (double)((s >> 11) & 0xfffff) / 1048576.0 - 0.5;
        mid[v][i] *= 1.0 + u * 0.0002;
        mid[v][i] += (base_px[i] - mid[v][i]) * 0.01; /* mean-reverting */
        struct arb_tick *t = &ticks[k];
        memset(t, 0, sizeof(*t));
        t->venue = (uint16_t)v;
        t->instrument = (uint16_t)inst_id[i];
        if (i >= 6 && k % 16 == 0) {
            t->kind = ARB_TICK_FUNDING;
            t->funding_rate_e8 = 10000;
            t->mark_px_e8 = (int64_t)(mid[v][i] * 1e8);
            t->have = ARB_TICK_HAVE_FUNDING | ARB_TICK_HAVE_MARK;
        } else {
            double half = base_px[i] * 0.00005;
            t->kind = ARB_TICK_BBO;
            t->bid_px_e8 = (int64_t)((mid[v][i] - half) * 1e8);
            t->ask_px_e8 = (int64_t)((mid[v][i] + half) * 1e8);
            t->bid_qty_e8 = t->ask_qty_e8 = 1000 * 100000000LL;
            t->have = ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK | ARB_TICK_HAVE_BID_QTY |
                      ARB_TICK_HAVE_ASK_QTY;
        }
        t->recv_ts_ns = 1700000000000000000ULL + (uint64_t)k * 1000; /* 1M ticks/s */
    }
}

/* ---- the peer: a plain detector ---- */

struct plain_quote {
    double bid, ask, funding;
    uint64_t ts;
    int valid;
};

struct plain {
    struct plain_quote q[NV][NI];
    double fees_bps, min_edge_bps, entry_bps;
    uint64_t signals;
};

static void plain_on_tick(struct plain *p, const struct arb_tick *t, int i)
{
    struct plain_quote *q = &p->q[t->venue][i];
    if (t->kind == ARB_TICK_FUNDING) {
        q->funding = (double)t->funding_rate_e8 / 1e8;
    } else {
        q->bid = (double)t->bid_px_e8 / 1e8;
        q->ask = (double)t->ask_px_e8 / 1e8;
        q->ts = t->recv_ts_ns;
        q->valid = 1;
    }
    /* Every venue pair of this instrument. */
    for (int a = 0; a < NV; a++)
        for (int b = 0; b < NV; b++) {
            const struct plain_quote *qa = &p->q[a][i], *qb = &p->q[b][i];
            if (a == b || !qa->valid || !qb->valid)
                continue;
            double edge = (qb->bid - qa->ask) / qa->ask * 1e4 - 2 * p->fees_bps;
            if (edge > p->min_edge_bps && t->recv_ts_ns - qa->ts < 500000000ULL)
                p->signals++;
        }
    /* Every spot/perp pair of the asset. */
    if (i == 4 || i == 5 || i == 6 || i == 7) {
        int s = i < 6 ? i : i - 2, f = s + 2;
        for (int a = 0; a < NV; a++)
            for (int b = 0; b < NV; b++) {
                const struct plain_quote *qs = &p->q[a][s], *qf = &p->q[b][f];
                if (!qs->valid || !qf->valid)
                    continue;
                double basis = (qf->bid - qs->ask) / qs->ask * 1e4;
                if (fabs(basis) >= p->entry_bps) {
                    double r = fabs(basis) / 1e4 + pow(1 + qf->funding, 21) - 1;
                    if (pow(1 + r, 365.0 / 7) - 1 >= 0.15)
                        p->signals++;
                }
            }
    }
    /* The peg, from every venue's mid. */
    if (i < 4) {
        double sum = 0;
        int n = 0;
        for (int a = 0; a < NV; a++)
            if (p->q[a][i].valid) {
                sum += (p->q[a][i].bid + p->q[a][i].ask) / 2;
                n++;
            }
        if (n && fabs(sum / n - 1.0) * 1e4 >= 30)
            p->signals++;
    }
}

static void drain(struct arb_ring *ev, struct arb_ring *in)
{
    struct arb_ring_rec *first;
    uint32_t n;
    while ((n = arb_ring_spsc_peek(ev, 4096, &first)))
        arb_ring_spsc_release(ev, n);
    while ((n = arb_ring_spsc_peek(in, 4096, &first)))
        arb_ring_spsc_release(in, n);
}

int main(void)
{
    arb_clock_init(0);
    arb_registry_init(&reg);
    for (int v = 0; v < NV; v++)
        arb_registry_venue(&reg, venues[v]);
    for (int i = 0; i < NI; i++) {
        /* The -SWAP spelling makes the last two perpetuals on any venue. */
        inst_id[i] = arb_registry_resolve(&reg, "okex", symbols[i], strlen(symbols[i]));
        ARB_BENCH_CHECK(inst_id[i] >= 0);
    }
    make_ticks();
    static int inst_index[ARB_MAX_INSTRUMENTS];
    for (int i = 0; i < NI; i++)
        inst_index[inst_id[i]] = i;

    struct arb_params params;
    arb_params_defaults(&params);
    static struct arb_params_pub pub;
    arb_params_pub_init(&pub, &params);
    struct arb_ring *ev = arb_ring_create(1 << 16), *in = arb_ring_create(1 << 16);
    struct arb_hist *h_ours = arb_hist_create(), *h_peer = arb_hist_create();
    ARB_BENCH_CHECK(ev && in && h_ours && h_peer);

    /* The cost of the timestamps themselves, taken off each sample. */
    uint64_t t_over = UINT64_MAX;
    for (int k = 0; k < 1000; k++) {
        uint64_t a = arb_clock_ticks(), b = arb_clock_ticks();
        if (b - a < t_over)
            t_over = b - a;
    }

    struct arb_bench_series s_ours = {0}, s_peer = {0}, p99_ours = {0}, p99_peer = {0};
    struct arb_bench_series m_ours = {0}, m_peer = {0};
    int64_t allocated = 0;
    int reps = arb_bench_reps();
    /* ARB_BENCH_ONLY=arbiter runs just the batch pass, for callgrind or perf stat. */
    const char *only = getenv("ARB_BENCH_ONLY");
    if (only && strcmp(only, "arbiter") == 0) {
        struct arb_detector *d = arb_detector_create(&reg, &pub, NULL, ev, in);
        ARB_BENCH_CHECK(d);
        for (uint32_t k = 0; k < NTICKS; k += 1024) {
            for (uint32_t j = k; j < k + 1024; j++)
                arb_detector_on_tick(d, &ticks[j]);
            drain(ev, in);
        }
        arb_detector_destroy(d);
        return 0;
    }
    for (int r = 0; r < reps; r++) {
        /* Ours: a fresh detector each repetition, the same ticks. */
        struct arb_detector *d = arb_detector_create(&reg, &pub, NULL, ev, in);
        ARB_BENCH_CHECK(d);
        arb_hist_init(h_ours);
        int64_t a0 = arb_bench_allocated();
        for (uint32_t k = 0; k < NTICKS; k += 1024) {
            for (uint32_t j = k; j < k + 1024; j++) {
                uint64_t t0 = arb_clock_ticks();
                arb_detector_on_tick(d, &ticks[j]);
                uint64_t t1 = arb_clock_ticks();
                arb_hist_record(h_ours,
                                arb_clock_ticks_to_ns(t1 - t0 > t_over ? t1 - t0 - t_over : 0));
            }
            drain(ev, in);
        }
        int64_t a1 = arb_bench_allocated();
        if (a0 >= 0)
            allocated += a1 - a0;
        arb_bench_sink(d->stats.signals[1] + d->stats.signals[2] + d->stats.signals[3]);
        arb_detector_destroy(d);
        arb_bench_add(&s_ours, (double)arb_hist_percentile(h_ours, 50));
        /* The mean without per-tick timestamps: what a core spends, rdtsc excluded. */
        d = arb_detector_create(&reg, &pub, NULL, ev, in);
        ARB_BENCH_CHECK(d);
        uint64_t b0 = arb_clock_ticks();
        for (uint32_t k = 0; k < NTICKS; k += 1024) {
            for (uint32_t j = k; j < k + 1024; j++)
                arb_detector_on_tick(d, &ticks[j]);
            drain(ev, in);
        }
        arb_bench_add(&m_ours, (double)arb_clock_ticks_to_ns(arb_clock_ticks() - b0) / NTICKS);
        if (r == 0)
            fprintf(stderr,
                    "# detect: signals spread %llu basis %llu depeg %llu, intents %llu, refusals "
                    "%llu\n",
                    (unsigned long long)d->stats.signals[1],
                    (unsigned long long)d->stats.signals[2],
                    (unsigned long long)d->stats.signals[3], (unsigned long long)d->stats.intents,
                    (unsigned long long)d->stats.refusals);
        arb_detector_destroy(d);
        arb_bench_add(&p99_ours, (double)arb_hist_percentile(h_ours, 99));

        struct plain *p = calloc(1, sizeof(*p));
        ARB_BENCH_CHECK(p);
        p->fees_bps = 10;
        p->min_edge_bps = 15;
        p->entry_bps = 20;
        arb_hist_init(h_peer);
        for (uint32_t j = 0; j < NTICKS; j++) {
            uint64_t t0 = arb_clock_ticks();
            plain_on_tick(p, &ticks[j], inst_index[ticks[j].instrument]);
            uint64_t t1 = arb_clock_ticks();
            arb_hist_record(h_peer, arb_clock_ticks_to_ns(t1 - t0 > t_over ? t1 - t0 - t_over : 0));
        }
        arb_bench_sink(p->signals);
        memset(p->q, 0, sizeof(p->q));
        uint64_t c0 = arb_clock_ticks();
        for (uint32_t j = 0; j < NTICKS; j++)
            plain_on_tick(p, &ticks[j], inst_index[ticks[j].instrument]);
        arb_bench_add(&m_peer, (double)arb_clock_ticks_to_ns(arb_clock_ticks() - c0) / NTICKS);
        arb_bench_sink(p->signals);
        free(p);
        arb_bench_add(&s_peer, (double)arb_hist_percentile(h_peer, 50));
        arb_bench_add(&p99_peer, (double)arb_hist_percentile(h_peer, 99));
    }
    arb_bench_report("detect", "ns_per_tick_mean", "ns", &m_ours, "plain_double_rescan", &m_peer,
                     false);
    arb_bench_report("detect", "ns_per_tick_p50", "ns", &s_ours, "plain_double_rescan", &s_peer,
                     false);
    arb_bench_report("detect", "ns_per_tick_p99", "ns", &p99_ours, "plain_double_rescan", &p99_peer,
                     false);
    if (allocated >= 0)
        arb_bench_json("detect", "bytes_allocated_on_path", (double)allocated, "bytes", NULL, 0,
                       false);
    fprintf(stderr, "# detect: %u ticks x %d reps, %d venues x %d instruments\n", NTICKS, reps, NV,
            NI);
    return 0;
}
