/* SPDX-License-Identifier: MIT */
/*
 * Test side of the order gateway against arbsim's simulated exchange: test
 * keys made at run time, one arbsim per venue on a scripted book, a real
 * struct arb_gateway stepped from the test thread (or its own thread), and
 * the fill and event rings read back into arrays for exact checks.
 */
#ifndef ARB_TESTS_VENUES_GW_SIM_H
#define ARB_TESTS_VENUES_GW_SIM_H

#include "feeds/feed_sim.h"

#include "core/event.h"
#include "core/fill.h"
#include "core/intent.h"
#include "venues/codec.h"
#include "venues/gateway.h"

#include <sys/random.h>

#define GW_E8 100000000LL

/* Test credentials: a random Binance HMAC secret (ASCII) and a random Kraken one (base64). */
struct gw_keys {
    char bn_key[40], bn_secret[72];
    char kr_key[40], kr_secret[128];
};

static inline void gw_random(void *buf, size_t n)
{
    REQUIRE(getrandom(buf, n, 0) == (ssize_t)n);
}

static inline void gw_keys_make(struct gw_keys *k)
{
    static const char an[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[64];

    gw_random(r, sizeof r);
    for (int i = 0; i < 64; i++)
        k->bn_secret[i] = an[r[i] % 62];
    k->bn_secret[64] = '\0';
    gw_random(r, 32);
    for (int i = 0; i < 16; i++) {
        k->bn_key[i] = an[r[i] % 62];
        k->kr_key[i] = an[r[16 + i] % 62];
    }
    k->bn_key[16] = k->kr_key[16] = '\0';
    /* Kraken issues 64-byte secrets in base64 (88 characters). */
    gw_random(r, sizeof r);
    k->kr_secret[arb_b64_encode(k->kr_secret, r, sizeof r)] = '\0';
}

/*
 * Starts arbsim for `venue` on the book in `script`, with the test account, plus
 * up to 8 extra arguments (NULL-terminated).
 */
static inline void gw_sim_start(struct arb_simproc *s, const char *arbsim, const char *venue,
                                const char *script, const char *key, const char *secret,
                                const char *const *extra)
{
    const char *args[24] = {"--venue",   venue, "--script",     script,
                            "--api-key", key,   "--api-secret", secret};
    int n = 8;

    for (int i = 0; extra && extra[i] && n < 22; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    fs_sim_start(s, arbsim, args);
}

/* A counter from the "orders" object of arbsim's stats (UINT64_MAX when absent). */
static inline uint64_t gw_sim_orders(struct arb_simproc *s, const char *key)
{
    char reply[4096], k[64];

    fs_sim_cmd(s, "stats", reply, sizeof reply);
    const char *o = strstr(reply, "\"orders\":");
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = o ? strstr(o, k) : NULL;
    return p ? strtoull(p + strlen(k), NULL, 10) : UINT64_MAX;
}

/*
 * The two exchanges of a spread test: binance USDCUSDT and kraken USDC/USDT,
 * each an arbsim on its book (files in a fresh temp dir) with the test keys,
 * and the gateway's venue table for both.
 */
struct gw_pair {
    struct gw_keys k;
    struct arb_simproc bn, kr;
    char dir[64], bn_path[128], kr_path[128], bn_url[128], kr_url[128];
    struct arb_gateway_venue v[2]; /* binance, kraken: for gw_config(v, 2) */
};

/* Starts both with extra arguments per venue (NULL-terminated, or NULL) in a temp dir `name`. */
static inline void gw_pair_start(struct gw_pair *x, const char *arbsim, const char *name,
                                 const char *bn_book, const char *kr_book,
                                 const char *const *bn_extra, const char *const *kr_extra)
{
    static const char *bn_syms[] = {"USDCUSDT"}, *kr_syms[] = {"USDC/USDT"};

    gw_keys_make(&x->k);
    fs_tmpdir(x->dir, sizeof x->dir, name);
    fs_write(x->dir, "bn.csv", bn_book, x->bn_path, sizeof x->bn_path);
    fs_write(x->dir, "kr.csv", kr_book, x->kr_path, sizeof x->kr_path);
    gw_sim_start(&x->bn, arbsim, "binance", x->bn_path, x->k.bn_key, x->k.bn_secret, bn_extra);
    gw_sim_start(&x->kr, arbsim, "kraken", x->kr_path, x->k.kr_key, x->k.kr_secret, kr_extra);
    snprintf(x->bn_url, sizeof x->bn_url, "ws://127.0.0.1:%d/ws-api/v3", x->bn.port);
    snprintf(x->kr_url, sizeof x->kr_url, "ws://127.0.0.1:%d/v2", x->kr.port);
    x->v[0] = (struct arb_gateway_venue){.venue = "binance",
                                         .url = x->bn_url,
                                         .api_key = x->k.bn_key,
                                         .api_secret = x->k.bn_secret,
                                         .symbols = bn_syms,
                                         .nsymbols = 1};
    x->v[1] = (struct arb_gateway_venue){.venue = "kraken",
                                         .url = x->kr_url,
                                         .api_key = x->k.kr_key,
                                         .api_secret = x->k.kr_secret,
                                         .symbols = kr_syms,
                                         .nsymbols = 1};
}

/* Quits both (each must exit 0) and removes the temp dir. */
static inline void gw_pair_stop(struct gw_pair *x)
{
    CHECK_EQ_I64(fs_sim_stop(&x->bn), 0);
    CHECK_EQ_I64(fs_sim_stop(&x->kr), 0);
    fs_rmdir(x->dir);
}

#define GW_MAX_REC 512

/* A gateway under test, its rings, and everything it reported so far. */
struct gw {
    struct arb_registry reg;
    struct arb_ring *intents, *fills, *events;
    struct arb_gateway g;
    struct arb_fill fill[GW_MAX_REC];
    size_t nfill;
    struct arb_event ev[GW_MAX_REC];
    size_t nev;
    int inst; /* USDC/USDT */
    bool threaded;
};

/* Registers binance (0) and kraken (1) and the instrument every test trades. */
static inline void gw_registry(struct gw *t)
{
    arb_registry_init(&t->reg);
    REQUIRE(arb_registry_venue(&t->reg, "binance") == 0);
    REQUIRE(arb_registry_venue(&t->reg, "kraken") == 1);
    t->inst = arb_registry_instrument(&t->reg, "USDC", "USDT", ARB_INST_SPOT);
    REQUIRE(t->inst >= 0);
}

/* Default test config: paper trading, unpinned, a fixed run id. */
static inline struct arb_gateway_config gw_config(const struct arb_gateway_venue *v, size_t n)
{
    return (struct arb_gateway_config){
        .live = false, .cpu = -1, .run_id = 0x7e57, .venues = v, .nvenues = n};
}

/* arb_gateway_init on fresh rings; returns its result (the rings stay for gw_destroy). */
static inline int gw_init(struct gw *t, const struct arb_gateway_config *cfg)
{
    t->intents = arb_ring_create(256);
    t->fills = arb_ring_create(1024);
    t->events = arb_ring_create(1024);
    REQUIRE(t->intents && t->fills && t->events);
    t->nfill = t->nev = 0;
    t->threaded = false;
    return arb_gateway_init(&t->g, cfg, &t->reg, t->intents, t->fills, t->events);
}

static inline void gw_destroy(struct gw *t)
{
    arb_gateway_destroy(&t->g);
    arb_ring_destroy(t->intents);
    arb_ring_destroy(t->fills);
    arb_ring_destroy(t->events);
}

/* Moves what the gateway reported into t->fill and t->ev. */
static inline void gw_drain(struct gw *t)
{
    struct arb_fill f;
    struct arb_event e;

    while (arb_ring_spsc_pop(t->fills, &f)) {
        REQUIRE(t->nfill < GW_MAX_REC);
        t->fill[t->nfill++] = f;
    }
    while (arb_ring_spsc_pop(t->events, &e)) {
        REQUIRE(t->nev < GW_MAX_REC);
        t->ev[t->nev++] = e;
    }
}

/* One turn: a gateway step (unless its thread runs), then the rings drained. */
static inline void gw_turn(struct gw *t)
{
    if (!t->threaded && arb_gateway_step(&t->g) == 0)
        arb_conn_wait(&t->g.ring, 1000000); /* idle: wait up to 1 ms for an answer */
    else if (t->threaded)
        fs_sleep_ms(1);
    gw_drain(t);
}

/* Turns until pred(t, arg) holds or timeout_ms passes. Returns whether it held. */
static inline bool gw_until(struct gw *t, bool (*pred)(struct gw *, const void *), const void *arg,
                            unsigned timeout_ms)
{
    uint64_t deadline = fs_now_ms() + timeout_ms;

    for (;;) {
        gw_turn(t);
        if (pred(t, arg))
            return true;
        if (fs_now_ms() > deadline)
            return false;
    }
}

/* Turns for `ms` milliseconds, whatever happens: lets late or duplicate reports show. */
static inline void gw_settle(struct gw *t, unsigned ms)
{
    uint64_t end = fs_now_ms() + ms;

    while (fs_now_ms() < end)
        gw_turn(t);
}

static inline bool gw_pred_open(struct gw *t, const void *arg)
{
    const struct arb_gw_session *s = &t->g.s[*(const int *)arg];
    /* was_open: the on-open and keepalive requests are out too. */
    return s->ws.state == ARB_WS_OPEN && s->was_open;
}

/* Waits (generously) for a venue's order session to be open. */
static inline void gw_wait_open(struct gw *t, int venue)
{
    if (!gw_until(t, gw_pred_open, &venue, 20000))
        T_FAIL("order session of venue %d never opened (state %s: %s)", venue,
               arb_ws_state_name(t->g.s[venue].ws.state), t->g.s[venue].ws.errmsg);
    REQUIRE(t->g.s[venue].ws.state == ARB_WS_OPEN);
}

/* Whether no flight is in progress: every intent answered, hedged or given up. */
static inline bool gw_pred_idle(struct gw *t, const void *arg)
{
    (void)arg;
    if (arb_ring_count(t->intents))
        return false;
    for (int i = 0; i < ARB_TWOLEG_MAX; i++)
        if (t->g.twoleg.f[i].active)
            return false;
    return true;
}

static inline void gw_wait_idle(struct gw *t)
{
    if (!gw_until(t, gw_pred_idle, NULL, 20000))
        T_FAIL("flights still open after 20 s");
}

/* A one- or two-leg intent: legs as (venue, side, limit _e8, qty _e8). */
static inline struct arb_intent gw_intent(uint32_t signal, int inst, uint16_t v0, uint8_t side0,
                                          int64_t px0, int64_t qty0, int nlegs, uint16_t v1,
                                          uint8_t side1, int64_t px1, int64_t qty1)
{
    struct arb_intent in = {0};

    in.leg[0] = (struct arb_leg){.px_e8 = px0,
                                 .qty_e8 = qty0,
                                 .venue = v0,
                                 .instrument = (uint16_t)inst,
                                 .side = side0,
                                 .tif = ARB_TIF_IOC};
    if (nlegs > 1)
        in.leg[1] = (struct arb_leg){.px_e8 = px1,
                                     .qty_e8 = qty1,
                                     .venue = v1,
                                     .instrument = (uint16_t)inst,
                                     .side = side1,
                                     .tif = ARB_TIF_IOC};
    in.origin_ts_ns = arb_clock_now_ns();
    in.signal_id = signal;
    in.kind = ARB_SIG_SPREAD;
    in.nlegs = (uint8_t)nlegs;
    in.action = ARB_ACT_OPEN;
    return in;
}

static inline void gw_push(struct gw *t, const struct arb_intent *in)
{
    REQUIRE(arb_ring_spsc_push(t->intents, in));
}

/* Number of fill records of `kind` (0: any) for `venue` (-1: any) and signal (0: any). */
static inline size_t gw_count_fills(const struct gw *t, int kind, int venue, uint32_t signal)
{
    size_t n = 0;

    for (size_t i = 0; i < t->nfill; i++) {
        const struct arb_fill *f = &t->fill[i];
        if ((!kind || f->kind == kind) && (venue < 0 || f->venue == venue) &&
            (!signal || f->signal_id == signal))
            n++;
    }
    return n;
}

static inline size_t gw_count_events(const struct gw *t, int type)
{
    size_t n = 0;

    for (size_t i = 0; i < t->nev; i++)
        n += t->ev[i].type == type;
    return n;
}

/* The k-th (from 0) TRADE on `venue` for `signal`, or NULL. */
static inline const struct arb_fill *gw_trade(const struct gw *t, int venue, uint32_t signal, int k)
{
    for (size_t i = 0; i < t->nfill; i++) {
        const struct arb_fill *f = &t->fill[i];
        if (f->kind == ARB_FILL_TRADE && f->venue == venue && f->signal_id == signal && k-- == 0)
            return f;
    }
    return NULL;
}

/* Checks one trade record against hand-derived values. */
#define GW_CHECK_TRADE(t, venue, signal, k, side_, qty, px, realized)                              \
    do {                                                                                           \
        const struct arb_fill *f_ = gw_trade((t), (venue), (signal), (k));                         \
        if (!f_) {                                                                                 \
            T_FAIL("no trade %d on venue %d for signal %u", (k), (venue), (unsigned)(signal));     \
            break;                                                                                 \
        }                                                                                          \
        CHECK_EQ_I64(f_->side, (side_));                                                           \
        CHECK_EQ_I64(f_->qty_e8, (qty));                                                           \
        CHECK_EQ_I64(f_->px_e8, (px));                                                             \
        CHECK_EQ_I64(f_->fee_e8, 0);                                                               \
        CHECK_EQ_I64(f_->realized_e8, (realized));                                                 \
        CHECK_EQ_I64(f_->instrument, (t)->inst);                                                   \
    } while (0)

static inline uint64_t gw_stat(_Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

#endif /* ARB_TESTS_VENUES_GW_SIM_H */
