/* SPDX-License-Identifier: MIT */
/*
 * core/params: dotted keys, bounds and clear errors, and the wait-free
 * publication hammered from another thread: every block the reader sees
 * must be one the writer wrote, never a mix of two.
 */
#include "core/clock.h"
#include "core/params.h"
#include "core/thread.h"
#include "test.h"

#include <stdatomic.h>

#define E8 100000000LL

static struct arb_registry reg;

static void test_keys(void)
{
    struct arb_params p;
    char err[200], out[64];

    arb_registry_init(&reg);
    arb_registry_venue(&reg, "binance");
    arb_registry_venue(&reg, "kraken");
    arb_params_defaults(&p);
    /* The brief's defaults. */
    CHECK_EQ_I64(p.spread_min_edge_bps, 15 * E8);
    CHECK_EQ_I64(p.basis_entry_bps, 20 * E8);
    CHECK_EQ_I64(p.basis_min_annualized_pct, 15 * E8);
    CHECK_EQ_I64(p.depeg_entry_bps[ARB_COIN_USDC], 30 * E8);
    CHECK_EQ_I64(p.depeg_entry_bps[ARB_COIN_FRAX], 60 * E8);
    CHECK_EQ_I64(p.depeg_critical_bps, 200 * E8);
    CHECK_EQ_I64(p.risk_daily_loss_pct, 2 * E8);
    CHECK_EQ_I64(p.risk_max_consecutive_errors, 5);

    CHECK_EQ_I64(arb_params_set(&p, &reg, "spread.min_edge_bps", "12.5", err, sizeof(err)), 0);
    CHECK_EQ_I64(p.spread_min_edge_bps, 1250000000);
    CHECK_EQ_I64(arb_params_set(&p, &reg, "fees.kraken.taker_bps", "26", err, sizeof(err)), 0);
    CHECK_EQ_I64(p.fees_taker_bps[1], 26 * E8);
    CHECK_EQ_I64(arb_params_set(&p, &reg, "depeg.entry_bps.DAI", "45", err, sizeof(err)), 0);
    CHECK_EQ_I64(p.depeg_entry_bps[ARB_COIN_DAI], 45 * E8);
    CHECK_EQ_I64(arb_params_set(&p, &reg, "halt", "true", err, sizeof(err)), 0);
    CHECK_EQ_I64(p.halt, 1);
    CHECK_EQ_I64(arb_params_set(&p, &reg, "venue.binance.halt", "1", err, sizeof(err)), 0);
    CHECK_EQ_I64(p.venue_halt[0], 1);
    CHECK_EQ_I64(arb_params_get(&p, &reg, "spread.min_edge_bps", out, sizeof(out)), 0);
    CHECK_STR(out, "12.5");
    CHECK_EQ_I64(arb_params_get(&p, &reg, "feed.kraken.stale_ms", out, sizeof(out)), 0);
    CHECK_STR(out, "5000");

    /* Hostile input: each refused with the key named, the block untouched. */
    struct arb_params before = p;
    CHECK_EQ_I64(arb_params_set(&p, &reg, "spread.min_edge", "1", err, sizeof(err)), -ENOENT);
    CHECK_STR(err, "spread.min_edge: unknown parameter");
    CHECK_EQ_I64(arb_params_set(&p, &reg, "fees.binanse.taker_bps", "1", err, sizeof(err)),
                 -ENOENT);
    CHECK_STR(err, "fees.binanse.taker_bps: unknown venue 'binanse'");
    CHECK_EQ_I64(arb_params_set(&p, &reg, "depeg.entry_bps.DOGE", "1", err, sizeof(err)), -ENOENT);
    CHECK_EQ_I64(arb_params_set(&p, &reg, "basis.entry_bps", "abc", err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "basis.entry_bps: 'abc' is not a decimal number");
    CHECK_EQ_I64(arb_params_set(&p, &reg, "basis.entry_bps", "1.123456789", err, sizeof(err)),
                 -EINVAL);
    CHECK_EQ_I64(arb_params_set(&p, &reg, "spread.max_age_ms", "1.5", err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "spread.max_age_ms: '1.5' is not an integer");
    CHECK_EQ_I64(arb_params_set(&p, &reg, "risk.max_position_pct", "101", err, sizeof(err)),
                 -ERANGE);
    CHECK_STR(err, "risk.max_position_pct: 101 is out of range [0, 100]");
    CHECK_EQ_I64(arb_params_set(&p, &reg, "halt", "2", err, sizeof(err)), -ERANGE);
    CHECK_EQ_I64(arb_params_set(&p, &reg, "halt", "", err, sizeof(err)), -EINVAL);
    CHECK(memcmp(&before, &p, sizeof(p)) == 0);
}

static int nkeys;
static void count_key(void *ctx, const char *key, const char *value)
{
    (void)ctx;
    (void)value;
    nkeys++;
    /* Every listed key must round-trip through get. */
    char out[64];
    struct arb_params p;
    arb_params_defaults(&p);
    if (arb_params_get(&p, &reg, key, out, sizeof(out)) != 0)
        T_FAIL("listed key %s does not resolve", key);
}

static void test_each(void)
{
    struct arb_params p;
    arb_params_defaults(&p);
    nkeys = 0;
    arb_params_each(&p, &reg, count_key, NULL);
    CHECK(nkeys > 40);
}

/* ---- publication hammer ---- */

static struct arb_params_pub pub;
static _Atomic int stop;

/* Block number g: every word derived from g, so a torn copy cannot be consistent. */
static void make_block(struct arb_params *p, uint64_t g)
{
    uint64_t *w = (uint64_t *)p;
    for (size_t i = 0; i < ARB_PARAMS_WORDS; i++)
        w[i] = g * 0x9e3779b97f4a7c15ULL + i;
}

static void *writer(void *arg)
{
    struct arb_params p;
    uint64_t *published = arg;
    for (uint64_t g = 1; !atomic_load_explicit(&stop, memory_order_relaxed); g++) {
        make_block(&p, g);
        arb_params_publish(&pub, &p);
        *published = g;
        /* Back to back, a writer would starve any seqlock reader; the slow path publishes
         * at most every few ms. A short gap still gives millions of races per run. */
        for (int k = 0; k < 64; k++)
            arb_cpu_relax();
    }
    return NULL;
}

static void test_hammer(void)
{
    struct arb_params p, seen;
    uint64_t seq = 0, published = 0, snapshots = 0, torn = 0, last_g = 0, backwards = 0;
    struct arb_thread t;

    make_block(&p, 0);
    arb_params_pub_init(&pub, &p);
    REQUIRE(arb_thread_start(&t, "params-writer", 1, writer, &published) == 0);
    /* At least 20000 fresh snapshots and 200 ms of racing, at most 5 s (sanitizers are slow). */
    uint64_t t0 = arb_clock_mono_ns();
    for (;;) {
        uint64_t el = arb_clock_mono_ns() - t0;
        if ((snapshots >= 20000 && el >= 200000000ULL) || el >= 5000000000ULL)
            break;
        if (!arb_params_changed(&pub, seq))
            continue;
        if (!arb_params_try_snapshot(&pub, &seen, &seq))
            continue;
        snapshots++;
        const uint64_t *w = (const uint64_t *)&seen;
        /* Recover g from word 0 (times the multiplier's inverse mod 2^64), check the rest. */
        uint64_t g = w[0] * 0xf1de83e19937733dULL;
        for (size_t k = 0; k < ARB_PARAMS_WORDS; k++)
            if (w[k] != g * 0x9e3779b97f4a7c15ULL + k) {
                torn++;
                break;
            }
        if (g < last_g)
            backwards++;
        last_g = g;
    }
    atomic_store(&stop, 1);
    arb_thread_join(&t, NULL);
    fprintf(stderr, "params: %llu snapshots, last block %llu of %llu published\n",
            (unsigned long long)snapshots, (unsigned long long)last_g,
            (unsigned long long)published);
    CHECK_EQ_U64(torn, 0);
    CHECK_EQ_U64(backwards, 0);
    CHECK(snapshots > 0);
}

int main(void)
{
    /* The multiplier's inverse really is one. */
    CHECK_EQ_U64(0x9e3779b97f4a7c15ULL * 0xf1de83e19937733dULL, 1);
    test_keys();
    test_each();
    test_hammer();
    return T_DONE();
}
