/* SPDX-License-Identifier: MIT */
/* The simulated exchange's book view, IOC matching, order store and order faults. */
#include "tools/sim_match.h"

#include "tools/sim_server.h"

#include "core/clock.h"
#include "core/symtab.h"
#include "feeds/parser.h"
#include "feeds/wsframe.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BUCKETS (ARB_SIM_ORDERS_MAX * 2) /* client-id hash heads; a power of two */

struct taken {
    char symbol[ARB_SIM_SYMMAX + 1];
    uint64_t version;       /* the quote the amounts were taken from */
    int64_t bid_e8, ask_e8; /* quantity our orders took from it */
};

struct arb_sim_exch {
    pthread_mutex_t lock; /* guards everything below */
    struct arb_sim_server *srv;
    enum arb_sim_venue venue;
    struct arb_sim_keys keys;
    /* faults, settable at run time */
    uint64_t latency_ns;
    uint32_t partial_ppm;   /* share of the fillable quantity a partial fill gets, per million */
    uint32_t partial_every; /* N: every Nth order fills partially; 0: see partial_all */
    bool partial_all;       /* partial-ratio given without partial-every: every fill is partial */
    uint32_t reject_every;
    uint8_t reject_reason;
    uint32_t rate_n; /* token bucket: rate_n orders per rate_period_ns; 0 = none */
    uint64_t rate_period_ns;
    uint8_t rate_weight; /* answer with the request-weight error rather than order count */
    uint64_t drop_after; /* drop the connection that sends this order; 0 = never */
    uint8_t drop_mode;   /* enum arb_sim_drop_mode */
    bool drop_fired;
    /* state */
    double tokens;                          /* rate bucket level */
    uint64_t bucket_ns;                     /* CLOCK_MONOTONIC of the last refill */
    uint64_t window_start_ns, window_count; /* orders in the current bucket period */
    uint64_t seen;                          /* orders counted for the every-Nth faults */
    uint64_t next_id, next_trade;
    struct arb_sim_order *orders; /* ring of ARB_SIM_ORDERS_MAX */
    uint64_t stored;              /* orders ever stored; slot = stored % max */
    int32_t *head, *chain;        /* client-id hash: bucket heads and per-slot next */
    struct taken taken[ARB_SIM_TAKEN_MAX];
    uint32_t ntaken;
    uint64_t kraken_nonce;
    struct {
        char token[48];
    } tokens_out[ARB_SIM_TOKENS_MAX];
    uint32_t ntokens;
    struct arb_symtab tab; /* captures: empty; parse resolves through want_sym */
    const char *want_sym;  /* captures: the symbol being looked for */
    uint64_t st_received, st_filled, st_partial, st_expired, st_rejected, st_duplicates,
        st_rate_limited;
    uint64_t st_reject[ARB_SIM_NREJ];
    uint64_t st_note[ARB_SIM_NNOTES];
};

static uint32_t clid_hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h & (BUCKETS - 1);
}

struct arb_sim_exch *arb_sim_exch_create(struct arb_sim_server *srv, struct arb_sim_keys *keys)
{
    struct arb_sim_exch *x = calloc(1, sizeof *x);

    if (!x)
        return NULL;
    x->orders = calloc(ARB_SIM_ORDERS_MAX, sizeof *x->orders);
    x->head = malloc(BUCKETS * sizeof *x->head);
    x->chain = malloc(ARB_SIM_ORDERS_MAX * sizeof *x->chain);
    if (!x->orders || !x->head || !x->chain || pthread_mutex_init(&x->lock, NULL) != 0) {
        free(x->orders);
        free(x->head);
        free(x->chain);
        free(x);
        return NULL;
    }
    memset(x->head, 0xff, BUCKETS * sizeof *x->head);
    x->srv = srv;
    x->venue = srv->cfg.venue;
    x->keys = *keys;
    memset(keys, 0, sizeof *keys);
    x->partial_ppm = 500000;
    x->next_id = 1;
    x->next_trade = 1;
    arb_symtab_init(&x->tab);
    return x;
}

void arb_sim_exch_destroy(struct arb_sim_exch *x)
{
    if (!x)
        return;
    arb_sim_keys_free(&x->keys);
    pthread_mutex_destroy(&x->lock);
    free(x->orders);
    free(x->head);
    free(x->chain);
    free(x);
}

const struct arb_sim_keys *arb_sim_exch_keys(const struct arb_sim_exch *x)
{
    return &x->keys;
}

enum arb_sim_venue arb_sim_exch_venue(const struct arb_sim_exch *x)
{
    return x->venue;
}

uint8_t arb_sim_decimals(const char *s)
{
    const char *dot = strchr(s, '.');
    size_t n = 0;

    if (!dot)
        return 0;
    while (dot[1 + n] >= '0' && dot[1 + n] <= '9')
        n++;
    return (uint8_t)(n > 8 ? 8 : n);
}

/* ------------------------------------------------------------------ faults */

static int parse_u64(const char *s, uint64_t *v, char **end)
{
    if (!s || *s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    *v = strtoull(s, end, 10);
    return errno ? -EINVAL : 0;
}

int arb_sim_exch_set(struct arb_sim_exch *x, const char *name, const char *value, char *err,
                     size_t errlen)
{
    uint64_t v = 0, w = 0;
    char *end = NULL;
    int rc = 0;

    pthread_mutex_lock(&x->lock);
    if (strcmp(name, "order-latency-us") == 0) {
        if (parse_u64(value, &v, &end) < 0 || *end || v > 60000000ULL)
            rc = -EINVAL;
        else
            x->latency_ns = v * 1000;
    } else if (strcmp(name, "partial-ratio") == 0) {
        double r = strtod(value, &end);
        if (!*value || *end || !(r > 0 && r <= 1))
            rc = -EINVAL;
        else {
            /* A ratio alone makes every fill partial; 1 turns partial fills off. */
            x->partial_ppm = (uint32_t)(r * 1e6 + 0.5);
            x->partial_all = x->partial_ppm < 1000000;
        }
    } else if (strcmp(name, "partial-every") == 0) {
        if (parse_u64(value, &v, &end) < 0 || *end || v > UINT32_MAX)
            rc = -EINVAL;
        else
            x->partial_every = (uint32_t)v;
    } else if (strcmp(name, "reject-every") == 0) {
        uint8_t reason = ARB_SIM_REJ_FUNDS;
        if (parse_u64(value, &v, &end) < 0 || v > UINT32_MAX)
            rc = -EINVAL;
        else if (*end == ':') {
            if (strcmp(end + 1, "funds") == 0)
                reason = ARB_SIM_REJ_FUNDS;
            else if (strcmp(end + 1, "filter") == 0)
                reason = ARB_SIM_REJ_FILTER;
            else if (strcmp(end + 1, "busy") == 0)
                reason = ARB_SIM_REJ_BUSY;
            else
                rc = -EINVAL;
        } else if (*end) {
            rc = -EINVAL;
        }
        if (rc == 0) {
            x->reject_every = (uint32_t)v;
            x->reject_reason = reason;
        }
    } else if (strcmp(name, "rate-limit") == 0) {
        if (strcmp(value, "off") == 0 || strcmp(value, "0") == 0) {
            x->rate_n = 0;
        } else if (parse_u64(value, &v, &end) < 0 || *end != ':' || v == 0 || v > 1000000 ||
                   parse_u64(end + 1, &w, &end) < 0 || w == 0 ||
                   (*end && strcmp(end, ":weight") != 0)) {
            rc = -EINVAL;
        } else {
            x->rate_n = (uint32_t)v;
            x->rate_period_ns = w * 1000000ULL;
            x->rate_weight = *end != '\0';
            x->tokens = (double)v;
            x->bucket_ns = arb_clock_mono_ns();
            x->window_start_ns = x->bucket_ns;
            x->window_count = 0;
        }
    } else if (strcmp(name, "drop-after-orders") == 0) {
        uint8_t mode = ARB_SIM_DROP_RST;
        if (parse_u64(value, &v, &end) < 0)
            rc = -EINVAL;
        else if (*end == ':' && strcmp(end + 1, "mid") == 0)
            mode = ARB_SIM_DROP_MID;
        else if (*end && !(*end == ':' && strcmp(end + 1, "rst") == 0))
            rc = -EINVAL;
        if (rc == 0) {
            x->drop_after = v;
            x->drop_mode = mode;
            x->drop_fired = false;
        }
    } else {
        rc = -ENOENT;
    }
    pthread_mutex_unlock(&x->lock);
    if (rc == -EINVAL)
        snprintf(err, errlen, "%s: bad value '%s'", name, value);
    return rc;
}

/* ------------------------------------------------------------- book view */

/*
 * How many messages of the timeline are due now, counted across passes: on
 * the shared timeline from the clock (the market moves even while a client
 * is stalled, as a real one does); per client or in flood mode, as far as
 * the latest connection has played. Before any subscription, the opening
 * quotes (t = 0) are the book.
 */
static uint64_t played(struct arb_sim_exch *x)
{
    struct arb_sim_server *srv = x->srv;
    const struct arb_sim_source *src = srv->cfg.src;
    uint64_t anchor, apaused, pstart, paused_total, now, el, rel, pass, p;
    bool anchored;
    int paused;

    if (srv->cfg.per_client || srv->cfg.speed <= 0) {
        p = atomic_load_explicit(&srv->played_pos, memory_order_relaxed);
        return p ? p : arb_sim_source_seek(src, 1);
    }
    pthread_mutex_lock(&srv->lock);
    anchored = srv->anchored;
    anchor = srv->anchor_ns;
    apaused = srv->anchor_paused_ns;
    pstart = srv->faults.pause_start_ns;
    paused = atomic_load_explicit(&srv->faults.paused, memory_order_acquire);
    paused_total = atomic_load_explicit(&srv->faults.paused_total_ns, memory_order_acquire);
    pthread_mutex_unlock(&srv->lock);
    if (!anchored)
        return arb_sim_source_seek(src, 1);
    now = paused ? pstart : arb_clock_mono_ns();
    paused_total -= apaused;
    el = now > anchor + paused_total ? now - anchor - paused_total : 0;
    rel = (uint64_t)((double)el * srv->cfg.speed);
    if (src->period_ns == 0)
        return src->n;
    pass = rel / src->period_ns;
    if (srv->cfg.loops && pass >= srv->cfg.loops)
        return (uint64_t)srv->cfg.loops * src->n;
    return pass * src->n + arb_sim_source_seek(src, rel % src->period_ns + 1);
}

static int want_sym(void *ctx, const char *sym, size_t len)
{
    const struct arb_sim_exch *x = ctx;

    return strlen(x->want_sym) == len && strncasecmp(x->want_sym, sym, len) == 0 ? 0 : -1;
}

/* Captures: the BBO fields one recorded message gives for the wanted symbol. */
static void capture_fields(struct arb_sim_exch *x, const struct arb_sim_msg *m,
                           struct arb_sim_top *t, unsigned *have)
{
    const struct arb_sim_source *src = x->srv->cfg.src;
    const struct arb_feed_ops *ops = arb_feed_ops_find(arb_sim_venue_name(x->venue));
    struct arb_ws_frame f;
    struct arb_tick ticks[8];
    struct arb_parser p;
    int hl, n;

    if (!ops)
        return;
    hl = arb_ws_frame_decode(src->frames + m->frame_off, m->frame_len, UINT64_MAX >> 1, &f);
    if (hl <= 0)
        return;
    arb_parser_init(&p, 0, &x->tab);
    p.resolve = want_sym;
    p.resolve_ctx = x;
    n = ops->parse(&p, (const char *)src->frames + m->frame_off + hl, (size_t)f.payload_len, 0,
                   ticks, 8);
    /* Walking backwards: within one message the last tick is the newest. */
    for (int i = n - 1; i >= 0; i--) {
        const struct arb_tick *k = &ticks[i];
        if (k->kind != ARB_TICK_BBO || k->instrument != 0)
            continue;
        if ((k->have & ARB_TICK_HAVE_BID) && !(*have & 1))
            t->bid_e8 = k->bid_px_e8, *have |= 1;
        if ((k->have & ARB_TICK_HAVE_BID_QTY) && !(*have & 2))
            t->bid_qty_e8 = k->bid_qty_e8, *have |= 2;
        if ((k->have & ARB_TICK_HAVE_ASK) && !(*have & 4))
            t->ask_e8 = k->ask_px_e8, *have |= 4;
        if ((k->have & ARB_TICK_HAVE_ASK_QTY) && !(*have & 8))
            t->ask_qty_e8 = k->ask_qty_e8, *have |= 8;
    }
}

/*
 * The newest quote of symbol at or before timeline position pos, walking
 * back at most one pass: O(messages since the symbol's last quote), which
 * suits a simulator's order rate. Called under x->lock.
 */
static int top_locked(struct arb_sim_exch *x, const char *symbol, struct arb_sim_top *t)
{
    const struct arb_sim_source *src = x->srv->cfg.src;
    uint64_t pos;
    unsigned have = 0;
    int sid;

    memset(t, 0, sizeof *t);
    if (!src || src->n == 0)
        return -ENOENT;
    sid = arb_sim_source_find_sym(src, symbol, strlen(symbol));
    if (sid < 0 && src->kind == ARB_SIM_SRC_SCRIPT)
        return -ENOENT;
    pos = played(x);
    x->want_sym = symbol;
    for (uint64_t p = pos, steps = 0; p > 0 && steps < src->n && have != 15; p--, steps++) {
        const struct arb_sim_msg *m = &src->msgs[(p - 1) % src->n];
        if (src->kind == ARB_SIM_SRC_SCRIPT) {
            const struct arb_sim_quote *q;
            if (m->sym != sid)
                continue;
            q = &src->quotes[m->quote];
            t->bid_e8 = q->bid_e8;
            t->bid_qty_e8 = q->bid_qty_e8;
            t->ask_e8 = q->ask_e8;
            t->ask_qty_e8 = q->ask_qty_e8;
            t->dec_px = q->dec[ARB_SIM_F_ASK];
            t->dec_qty = q->dec[ARB_SIM_F_ASK_QTY];
            have = 15;
        } else {
            if (sid >= 0 && m->sym >= 0 && m->sym != sid)
                continue;
            capture_fields(x, m, t, &have);
        }
        if (have && !t->version)
            t->version = p;
    }
    if (sid < 0 && !have)
        return -ENOENT;
    t->have = have == 15;
    /* Liquidity our earlier orders took from this same quote is gone until it changes. */
    for (uint32_t i = 0; i < x->ntaken; i++) {
        struct taken *k = &x->taken[i];
        if (strcmp(k->symbol, symbol) != 0)
            continue;
        if (k->version == t->version) {
            t->taken_bid_e8 = k->bid_e8;
            t->taken_ask_e8 = k->ask_e8;
            t->bid_qty_e8 -= k->bid_e8;
            t->ask_qty_e8 -= k->ask_e8;
        }
        break;
    }
    return 0;
}

static void take(struct arb_sim_exch *x, const char *symbol, uint64_t version, int side,
                 int64_t qty)
{
    struct taken *k = NULL;

    for (uint32_t i = 0; i < x->ntaken && !k; i++)
        if (strcmp(x->taken[i].symbol, symbol) == 0)
            k = &x->taken[i];
    if (!k) {
        if (x->ntaken == ARB_SIM_TAKEN_MAX)
            return;
        k = &x->taken[x->ntaken++];
        snprintf(k->symbol, sizeof k->symbol, "%s", symbol);
    }
    if (k->version != version) {
        k->version = version;
        k->bid_e8 = k->ask_e8 = 0;
    }
    if (side > 0)
        k->ask_e8 += qty;
    else
        k->bid_e8 += qty;
}

int arb_sim_exch_top(struct arb_sim_exch *x, const char *symbol, struct arb_sim_top *top)
{
    int rc;

    pthread_mutex_lock(&x->lock);
    rc = top_locked(x, symbol, top);
    pthread_mutex_unlock(&x->lock);
    return rc;
}

/* ---------------------------------------------------------------- orders */

static struct arb_sim_order *find_clid(struct arb_sim_exch *x, const char *clid)
{
    for (int32_t i = x->head[clid_hash(clid)]; i >= 0; i = x->chain[i])
        if (strcmp(x->orders[i].clid, clid) == 0)
            return &x->orders[i];
    return NULL;
}

static void store(struct arb_sim_exch *x, const struct arb_sim_order *o)
{
    uint32_t slot = (uint32_t)(x->stored % ARB_SIM_ORDERS_MAX);
    struct arb_sim_order *old = &x->orders[slot];

    /* The ring is full: the oldest order leaves its hash chain first. */
    if (x->stored >= ARB_SIM_ORDERS_MAX) {
        int32_t *pp = &x->head[clid_hash(old->clid)];
        while (*pp >= 0 && *pp != (int32_t)slot)
            pp = &x->chain[*pp];
        if (*pp == (int32_t)slot)
            *pp = x->chain[slot];
    }
    *old = *o;
    x->chain[slot] = x->head[clid_hash(o->clid)];
    x->head[clid_hash(o->clid)] = (int32_t)slot;
    x->stored++;
}

/* Refills the bucket and takes a token. Returns true when the order may go on. */
static bool bucket_take(struct arb_sim_exch *x, struct arb_sim_place *out)
{
    uint64_t now = arb_clock_mono_ns();
    double per_ns;

    if (!x->rate_n)
        return true;
    per_ns = (double)x->rate_n / (double)x->rate_period_ns;
    x->tokens += (double)(now - x->bucket_ns) * per_ns;
    if (x->tokens > x->rate_n)
        x->tokens = x->rate_n;
    x->bucket_ns = now;
    if (now - x->window_start_ns >= x->rate_period_ns) {
        x->window_start_ns = now;
        x->window_count = 0;
    }
    x->window_count++;
    out->rate_n = x->rate_n;
    out->rate_weight = x->rate_weight;
    out->rate_period_ms = x->rate_period_ns / 1000000;
    out->orders_in_window = x->window_count;
    if (x->tokens >= 1.0) {
        x->tokens -= 1.0;
        return true;
    }
    out->retry_after_ms = (uint64_t)((1.0 - x->tokens) / per_ns / 1e6) + 1;
    return false;
}

static int64_t mul_e8(int64_t a_e8, int64_t b_e8)
{
    return (int64_t)((__int128)a_e8 * b_e8 / 100000000);
}

int arb_sim_exch_place(struct arb_sim_exch *x, const struct arb_sim_order_req *rq,
                       struct arb_sim_place *out)
{
    struct arb_sim_order *o = &out->ord;
    struct arb_sim_top top;
    struct arb_sim_order *dup;
    int64_t avail = 0, fill = 0, px = 0;
    bool partial;

    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&x->lock);
    x->st_received++;
    out->delay_ns = x->latency_ns;
    if (!bucket_take(x, out)) {
        out->status = ARB_SIM_ORD_RATE_LIMITED;
        x->st_rate_limited++;
        goto out;
    }
    if (rq->clid && rq->clid[0] && (dup = find_clid(x, rq->clid))) {
        /* Idempotent by client id: the earlier order comes back, nothing trades again. */
        out->status = ARB_SIM_ORD_DUPLICATE;
        *o = *dup;
        x->st_duplicates++;
        goto out;
    }
    x->seen++;
    if (x->drop_after && !x->drop_fired && x->seen >= x->drop_after) {
        x->drop_fired = true;
        out->drop = (uint8_t)(1 + x->drop_mode);
        x->st_note[ARB_SIM_NOTE_DROP]++;
    }
    if (x->reject_every && x->seen % x->reject_every == 0) {
        out->status = ARB_SIM_ORD_REJECTED;
        out->reject = x->reject_reason;
        goto rejected;
    }
    if (top_locked(x, rq->symbol, &top) < 0) {
        out->status = ARB_SIM_ORD_REJECTED;
        out->reject = ARB_SIM_REJ_SYMBOL;
        goto rejected;
    }
    if (top.have && rq->side > 0 && top.ask_e8 > 0 && rq->limit_e8 >= top.ask_e8) {
        avail = top.ask_qty_e8;
        px = top.ask_e8;
    } else if (top.have && rq->side < 0 && top.bid_e8 > 0 && rq->limit_e8 <= top.bid_e8) {
        avail = top.bid_qty_e8;
        px = top.bid_e8;
    }
    fill = avail > 0 ? (rq->qty_e8 < avail ? rq->qty_e8 : avail) : 0;
    partial = x->partial_ppm < 1000000 &&
              (x->partial_every ? x->seen % x->partial_every == 0 : x->partial_all);
    if (fill > 0 && partial) {
        /* Cut to the precision the client ordered in, never rounding up. */
        int64_t unit = 1;
        for (int i = rq->qty_dec; i < 8; i++)
            unit *= 10;
        fill = (int64_t)((__int128)fill * x->partial_ppm / 1000000);
        fill -= fill % unit;
    }
    memset(o, 0, sizeof *o);
    o->id = x->next_id++;
    o->ts_ms = arb_clock_real_ns() / 1000000;
    snprintf(o->symbol, sizeof o->symbol, "%s", rq->symbol);
    if (rq->clid && rq->clid[0])
        snprintf(o->clid, sizeof o->clid, "%s", rq->clid);
    else
        snprintf(o->clid, sizeof o->clid, "sim-%llu", (unsigned long long)o->id);
    o->side = (int8_t)rq->side;
    o->px_dec = rq->px_dec;
    o->qty_dec = rq->qty_dec;
    o->limit_e8 = rq->limit_e8;
    o->qty_e8 = rq->qty_e8;
    if (fill > 0) {
        o->filled_e8 = fill;
        o->fill_px_e8 = px;
        o->quote_e8 = mul_e8(fill, px);
        o->trade_id = x->next_trade++;
        take(x, rq->symbol, top.version, rq->side, fill);
    }
    o->status = fill == rq->qty_e8 ? ARB_SIM_ORD_FILLED
                : fill > 0         ? ARB_SIM_ORD_PARTIAL
                                   : ARB_SIM_ORD_EXPIRED;
    out->status = o->status;
    if (o->status == ARB_SIM_ORD_FILLED)
        x->st_filled++;
    else if (o->status == ARB_SIM_ORD_PARTIAL)
        x->st_partial++;
    else
        x->st_expired++;
    store(x, o);
    goto out;
rejected:
    x->st_rejected++;
    x->st_reject[out->reject]++;
out:
    pthread_mutex_unlock(&x->lock);
    return 0;
}

int arb_sim_exch_order(struct arb_sim_exch *x, uint64_t id, const char *clid,
                       struct arb_sim_order *out)
{
    const struct arb_sim_order *o = NULL;

    pthread_mutex_lock(&x->lock);
    if (id) {
        /* Ids are dense from 1, so the slot is known; check it was not overwritten. */
        uint32_t slot = (uint32_t)((id - 1) % ARB_SIM_ORDERS_MAX);
        if (id < x->next_id && x->orders[slot].id == id)
            o = &x->orders[slot];
    } else if (clid) {
        o = find_clid(x, clid);
    }
    if (o)
        *out = *o;
    pthread_mutex_unlock(&x->lock);
    return o ? 0 : -ENOENT;
}

void arb_sim_exch_note(struct arb_sim_exch *x, enum arb_sim_note what)
{
    pthread_mutex_lock(&x->lock);
    x->st_note[what]++;
    if (what == ARB_SIM_NOTE_BAD_REQUEST) {
        x->st_received++;
        x->st_rejected++;
    }
    pthread_mutex_unlock(&x->lock);
}

bool arb_sim_exch_nonce(struct arb_sim_exch *x, uint64_t nonce)
{
    bool ok;

    pthread_mutex_lock(&x->lock);
    ok = nonce > x->kraken_nonce;
    if (ok)
        x->kraken_nonce = nonce;
    pthread_mutex_unlock(&x->lock);
    return ok;
}

void arb_sim_exch_token_issue(struct arb_sim_exch *x, char *out, size_t len)
{
    uint8_t raw[24];

    if (RAND_bytes(raw, sizeof raw) != 1)
        memset(raw, 0x5a, sizeof raw);
    arb_sim_b64_encode(raw, sizeof raw, out, len);
    pthread_mutex_lock(&x->lock);
    snprintf(x->tokens_out[x->ntokens % ARB_SIM_TOKENS_MAX].token, 48, "%s", out);
    x->ntokens++;
    x->st_note[ARB_SIM_NOTE_TOKEN]++;
    pthread_mutex_unlock(&x->lock);
}

bool arb_sim_exch_token_ok(struct arb_sim_exch *x, const char *token)
{
    bool ok = false;

    pthread_mutex_lock(&x->lock);
    for (uint32_t i = 0; i < ARB_SIM_TOKENS_MAX && i < x->ntokens && !ok; i++)
        ok = strcmp(x->tokens_out[i].token, token) == 0;
    pthread_mutex_unlock(&x->lock);
    return ok;
}

size_t arb_sim_exch_stats(struct arb_sim_exch *x, char *buf, size_t len)
{
    int n;

    pthread_mutex_lock(&x->lock);
    n = snprintf(buf, len,
                 "{\"received\":%llu,\"filled\":%llu,\"partial\":%llu,\"expired\":%llu,"
                 "\"rejected\":%llu,\"rejected_by\":{\"funds\":%llu,\"filter\":%llu,"
                 "\"busy\":%llu,\"symbol\":%llu,\"bad_request\":%llu},\"duplicates\":%llu,"
                 "\"rate_limited\":%llu,\"bad_signatures\":%llu,\"bad_keys\":%llu,"
                 "\"tokens\":%llu,\"drops\":%llu,\"exec_subscriptions\":%llu,"
                 "\"cancel_after\":%llu}",
                 (unsigned long long)x->st_received, (unsigned long long)x->st_filled,
                 (unsigned long long)x->st_partial, (unsigned long long)x->st_expired,
                 (unsigned long long)x->st_rejected,
                 (unsigned long long)x->st_reject[ARB_SIM_REJ_FUNDS],
                 (unsigned long long)x->st_reject[ARB_SIM_REJ_FILTER],
                 (unsigned long long)x->st_reject[ARB_SIM_REJ_BUSY],
                 (unsigned long long)x->st_reject[ARB_SIM_REJ_SYMBOL],
                 (unsigned long long)x->st_note[ARB_SIM_NOTE_BAD_REQUEST],
                 (unsigned long long)x->st_duplicates, (unsigned long long)x->st_rate_limited,
                 (unsigned long long)x->st_note[ARB_SIM_NOTE_BAD_SIGNATURE],
                 (unsigned long long)x->st_note[ARB_SIM_NOTE_BAD_KEY],
                 (unsigned long long)x->st_note[ARB_SIM_NOTE_TOKEN],
                 (unsigned long long)x->st_note[ARB_SIM_NOTE_DROP],
                 (unsigned long long)x->st_note[ARB_SIM_NOTE_EXEC_SUB],
                 (unsigned long long)x->st_note[ARB_SIM_NOTE_CANCEL_AFTER]);
    pthread_mutex_unlock(&x->lock);
    return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

size_t arb_sim_exch_book(struct arb_sim_exch *x, const char *sym, char *buf, size_t len)
{
    const struct arb_sim_source *src = x->srv->cfg.src;
    size_t used = 0;
    int first = 1;

#define PUT(...)                                                                                   \
    do {                                                                                           \
        int n_ = snprintf(buf + used, len - used, __VA_ARGS__);                                    \
        if (n_ > 0)                                                                                \
            used = used + (size_t)n_ >= len ? len - 1 : used + (size_t)n_;                         \
    } while (0)
    PUT("{\"book\":[");
    for (uint32_t i = 0; src && i < src->nsyms && len - used > 256; i++) {
        struct arb_sim_top t;
        char b[32], bq[32], a[32], aq[32];
        const char *name = sym ? sym : src->sym[i];
        if (arb_sim_exch_top(x, name, &t) < 0)
            break;
        if (t.have) {
            arb_sim_fmt_fixed(t.bid_e8, t.dec_px, b);
            arb_sim_fmt_fixed(t.bid_qty_e8, t.dec_qty, bq);
            arb_sim_fmt_fixed(t.ask_e8, t.dec_px, a);
            arb_sim_fmt_fixed(t.ask_qty_e8, t.dec_qty, aq);
            PUT("%s{\"symbol\":\"%s\",\"bid\":\"%s\",\"bid_qty\":\"%s\",\"ask\":\"%s\","
                "\"ask_qty\":\"%s\",\"position\":%llu}",
                first ? "" : ",", name, b, bq, a, aq, (unsigned long long)t.version);
        } else {
            PUT("%s{\"symbol\":\"%s\",\"bid\":null,\"ask\":null}", first ? "" : ",", name);
        }
        first = 0;
        if (sym)
            break;
    }
    PUT("]}\n");
#undef PUT
    return used;
}
