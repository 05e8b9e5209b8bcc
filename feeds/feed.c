/* SPDX-License-Identifier: MIT */
/* The feed thread: connection lifecycle, parsing into the ring, health. */
#include "feed.h"

#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define MS 1000000ULL

static inline void stat_inc(_Atomic uint64_t *c, uint64_t n)
{
    /* Single writer: a relaxed load and store, no locked read-modify-write on the hot path. */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- ticks out ------------------------------------------------------- */

/*
 * The push time only feeds per-hop latency stamps. Reading the clock is about half the
 * cost of a push on a VM (rdtsc), so it is read only when the ring carries stamps.
 */
static inline uint64_t push_stamp(const struct arb_feed *f)
{
    return f->out->prod.stamp ? arb_clock_now_ns() : 0;
}

/* Full is back-pressure: wait for the detector rather than drop a tick. */
static void push(struct arb_feed *f, const struct arb_tick *t)
{
    if (arb_ring_spsc_push_stamped(f->out, t, push_stamp(f))) {
        stat_inc(&f->stats.ticks, 1);
        if (f->cfg.doorbell)
            arb_park_ring(f->cfg.doorbell);
        return;
    }
    stat_inc(&f->stats.ring_full, 1);
    while (!arb_ring_spsc_push_stamped(f->out, t, push_stamp(f))) {
        if (atomic_load_explicit(&f->stop, memory_order_relaxed))
            return;
        if (f->cfg.doorbell)
            arb_park_ring(f->cfg.doorbell);
        arb_cpu_relax();
    }
    stat_inc(&f->stats.ticks, 1);
    if (f->cfg.doorbell)
        arb_park_ring(f->cfg.doorbell);
}

/*
 * All the ticks of one message: staged, then published with one store to the shared
 * index and one doorbell, so the detector never sees half a message. What does not fit
 * goes through push(), which waits.
 */
static void push_all(struct arb_feed *f, const struct arb_tick *t, int k)
{
    struct arb_ring *r = f->out;
    uint64_t ts = push_stamp(f);
    int i;

    for (i = 0; i < k; i++) {
        void *slot = arb_ring_spsc_reserve(r);
        if (!slot)
            break;
        memcpy(slot, &t[i], ARB_RING_REC);
        if (r->prod.stamp)
            r->prod.stamp[r->prod.tail & r->prod.mask] = ts;
        arb_ring_spsc_stage(r);
    }
    if (i > 0) {
        arb_ring_spsc_publish(r);
        stat_inc(&f->stats.ticks, (uint64_t)i);
        if (f->cfg.doorbell)
            arb_park_ring(f->cfg.doorbell);
    }
    for (; i < k; i++)
        push(f, &t[i]);
}

/* Tells the detector about the venue's health, with no prices. */
static void push_status(struct arb_feed *f, uint8_t flags)
{
    struct arb_tick t = {0};

    t.kind = ARB_TICK_STATUS;
    t.venue = f->venue;
    t.flags = flags;
    t.recv_ts_ns = f->now_ns;
    push(f, &t);
}

/* ---- capture --------------------------------------------------------- */

static void capture_reap(struct arb_feed *f, bool wait)
{
    struct io_uring_cqe *cqe;

    while ((wait ? io_uring_wait_cqe(&f->cap_ring, &cqe) : io_uring_peek_cqe(&f->cap_ring, &cqe)) ==
           0) {
        int which = (int)io_uring_cqe_get_data64(cqe);
        if (cqe->res < 0)
            arb_log_limited(&f->log_conn, f->now_ns, ARB_LOG_ERROR, "feed %s: capture write: %s",
                            f->ops->name, strerror(-cqe->res));
        f->cap_busy[which] = false;
        io_uring_cqe_seen(&f->cap_ring, cqe);
        wait = false;
    }
}

/* Hands the current buffer to io_uring and switches to the other one. */
static void capture_flush(struct arb_feed *f)
{
    if (f->cap_fd < 0 || f->cap_used == 0)
        return;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&f->cap_ring);
    if (!sqe) {
        capture_reap(f, true);
        sqe = io_uring_get_sqe(&f->cap_ring);
    }
    io_uring_prep_write(sqe, f->cap_fd, f->cap_buf[f->cap_cur], (unsigned)f->cap_used, f->cap_off);
    io_uring_sqe_set_data64(sqe, (uint64_t)f->cap_cur);
    io_uring_submit(&f->cap_ring);
    f->cap_busy[f->cap_cur] = true;
    f->cap_off += f->cap_used;
    stat_inc(&f->stats.capture_bytes, f->cap_used);
    f->cap_cur ^= 1;
    f->cap_used = 0;
    /* Both buffers in flight: wait for the disk rather than lose a frame. */
    while (f->cap_busy[f->cap_cur])
        capture_reap(f, true);
}

static void capture_frame(struct arb_feed *f, const uint8_t *p, size_t n, uint64_t ts)
{
    if (f->cap_fd < 0)
        return;
    if (n + 32 > ARB_FEED_CAPTURE_BUF)
        return; /* larger than a buffer: max_msg keeps this from happening */
    if (f->cap_used + n + 32 > ARB_FEED_CAPTURE_BUF)
        capture_flush(f);
    char *b = f->cap_buf[f->cap_cur] + f->cap_used;
    int k = snprintf(b, 32, "%llu ", (unsigned long long)ts);
    memcpy(b + k, p, n);
    b[k + (int)n] = '\n';
    f->cap_used += (size_t)k + n + 1;
    capture_reap(f, false);
}

/* ---- messages in ----------------------------------------------------- */

/* Flags gaps and lag on freshly parsed ticks, in place. */
static void check_tick(struct arb_feed *f, struct arb_tick *t)
{
    if (t->have & ARB_TICK_HAVE_SEQ) {
        uint64_t *last = &f->last_seq[t->instrument];
        /* A step back is always a gap (duplicate or reordered); a jump only where the
         * venue promises consecutive numbers. */
        if (*last && (t->seq <= *last || (f->contiguous && t->seq != *last + 1))) {
            t->flags |= ARB_TICK_F_GAP;
            stat_inc(&f->stats.gaps, 1);
            arb_log_limited(&f->log_bad, f->now_ns, ARB_LOG_WARN,
                            "feed %s: sequence gap on instrument %u: %llu after %llu", f->ops->name,
                            t->instrument, (unsigned long long)t->seq, (unsigned long long)*last);
        }
        *last = t->seq;
    }
    if ((t->have & ARB_TICK_HAVE_EXCH_TS) && t->recv_ts_ns > t->exch_ts_ns &&
        t->recv_ts_ns - t->exch_ts_ns > (uint64_t)f->cfg.max_lag_ms * MS) {
        t->flags |= ARB_TICK_F_STALE;
        stat_inc(&f->stats.lagging, 1);
    }
}

static void on_msg(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct arb_feed *f = ctx;
    struct arb_parser *ps = &f->parser;
    uint64_t before_hb = ps->stats.heartbeats;

    (void)op;
    f->last_rx_ns = ts;
    f->attempt = 0; /* a message is proof the connection works: reset the backoff */
    stat_inc(&f->stats.frames, 1);
    capture_frame(f, p, n, ts);
    int k = f->ops->parse(ps, (const char *)p, n, ts, f->ticks, ARB_FEED_TICKS);
    if (k > 0) {
        for (int i = 0; i < k; i++)
            check_tick(f, &f->ticks[i]);
        if (f->cfg.h_parse)
            arb_hist_record(f->cfg.h_parse, arb_clock_now_ns() - ts);
        push_all(f, f->ticks, k);
        f->is_stale = false; /* fresh prices, unflagged: the detector trusts the venue again */
    } else if (k == ARB_PARSE_SKIP) {
        stat_inc(&f->stats.skipped, 1);
        if (ps->stats.heartbeats != before_hb)
            stat_inc(&f->stats.heartbeats, 1);
    } else if (k == ARB_PARSE_UNKNOWN) {
        stat_inc(&f->stats.unknown, 1);
    } else {
        stat_inc(&f->stats.malformed, 1);
        arb_log_limited(&f->log_bad, ts, ARB_LOG_WARN,
                        "feed %s: malformed message (%zu bytes): %.*s", f->ops->name, n,
                        (int)(n < 120 ? n : 120), (const char *)p);
    }
}

/* ---- connection lifecycle ------------------------------------------- */

static void schedule_reconnect(struct arb_feed *f)
{
    uint64_t lo = f->cfg.reconnect_min_ms, hi = f->cfg.reconnect_max_ms;
    uint64_t d = lo << (f->attempt < 16 ? f->attempt : 16);

    if (d > hi)
        d = hi;
    /* Full jitter over the upper half: reconnect storms from many boxes spread out. */
    d = d / 2 + rng_next(&f->rng) % (d / 2 + 1);
    f->next_connect_ns = f->now_ns + d * MS;
    f->attempt++;
}

static void connection_lost(struct arb_feed *f, const char *why)
{
    stat_inc(&f->stats.disconnects, 1);
    arb_log_limited(&f->log_conn, f->now_ns, ARB_LOG_WARN, "feed %s: %s: %s; reconnecting",
                    f->ops->name, why,
                    f->ws.errmsg[0] ? f->ws.errmsg : arb_ws_state_name(f->ws.state));
    arb_ws_reset(&f->ws);
    f->subscribed = false;
    f->is_stale = true;
    push_status(f, ARB_TICK_F_STALE | ARB_TICK_F_DOWN);
    schedule_reconnect(f);
}

static void subscribe(struct arb_feed *f)
{
    const char *p = f->sub, *end = f->sub + f->sub_len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && arb_ws_send(&f->ws, ARB_WS_TEXT, p, n) < 0) {
            connection_lost(f, "subscription send failed");
            return;
        }
        p += n + 1;
    }
    f->subscribed = true;
    f->last_rx_ns = f->now_ns; /* silence is measured from the subscription */
    f->last_ping_ns = f->now_ns;
}

int arb_feed_step(struct arb_feed *f, uint64_t wait_ns)
{
    int n = 0;

    f->now_ns = arb_clock_now_ns();
    enum arb_ws_state st = f->ws.state;
    if (st == ARB_WS_IDLE) {
        if (f->now_ns >= f->next_connect_ns) {
            stat_inc(&f->stats.connects, 1);
            if (arb_ws_connect(&f->ws, f->url) < 0)
                connection_lost(f, "connect");
        }
    } else {
        n = wait_ns ? arb_ws_wait(&f->ws, wait_ns) : arb_ws_poll(&f->ws);
        f->now_ns = arb_clock_now_ns();
        st = f->ws.state;
        if (st == ARB_WS_FAILED || st == ARB_WS_CLOSED) {
            connection_lost(f, st == ARB_WS_CLOSED ? "closed by the venue" : "connection failed");
        } else if (st == ARB_WS_OPEN) {
            if (!f->subscribed)
                subscribe(f);
            uint64_t silent = f->now_ns - f->last_rx_ns;
            if (!f->is_stale && silent > (uint64_t)f->cfg.stale_ms * MS) {
                /* Silence never looks healthy: say so before anything trades on old prices. */
                f->is_stale = true;
                stat_inc(&f->stats.stale, 1);
                push_status(f, ARB_TICK_F_STALE);
                arb_log_limited(&f->log_conn, f->now_ns, ARB_LOG_WARN,
                                "feed %s: no data for %llu ms: stale", f->ops->name,
                                (unsigned long long)(silent / MS));
            }
            if (silent > 3ULL * f->cfg.stale_ms * MS) {
                stat_inc(&f->stats.watchdog, 1);
                connection_lost(f, "silent connection");
            } else if (f->now_ns - f->last_ping_ns > (uint64_t)f->cfg.ping_ms * MS) {
                if (arb_ws_ping(&f->ws, "arb", 3) == 0)
                    stat_inc(&f->stats.pings, 1);
                f->last_ping_ns = f->now_ns;
            }
        } else if (f->ws.deadline_ns && arb_clock_mono_ns() > f->ws.deadline_ns) {
            /* deadline_ns is CLOCK_MONOTONIC, not the epoch time in now_ns. */
            connection_lost(f, "open timed out");
        }
    }
    atomic_store_explicit(&f->state, (int)f->ws.state, memory_order_relaxed);
    return n;
}

static void *feed_main(void *arg)
{
    struct arb_feed *f = arg;
    uint64_t spin_ns = (uint64_t)f->cfg.spin_us * 1000, idle_since = 0;

    while (!atomic_load_explicit(&f->stop, memory_order_acquire)) {
        /* Busy-poll while data flows; after spin_us of nothing, park in io_uring for up to
         * a millisecond, so a small machine is not burned and health checks still run. */
        bool park = idle_since && f->now_ns - idle_since > spin_ns;
        int n = arb_feed_step(f, park && f->ws.state != ARB_WS_IDLE ? MS : 0);
        if (n > 0) {
            idle_since = 0;
        } else {
            if (!idle_since)
                idle_since = f->now_ns;
            if (f->ws.state == ARB_WS_IDLE) {
                /* Waiting out a backoff: sleep, there is no socket to park on. */
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
            } else if (!park) {
                arb_cpu_relax();
            }
        }
    }
    if (f->ws.state == ARB_WS_OPEN) {
        arb_ws_close(&f->ws, 1000);
        for (int i = 0; i < 50 && f->ws.state == ARB_WS_CLOSING; i++)
            arb_ws_wait(&f->ws, 2 * MS);
    }
    arb_ws_reset(&f->ws);
    capture_flush(f);
    while (f->cap_busy[0] || f->cap_busy[1])
        capture_reap(f, true);
    return NULL;
}

/* ---- set-up ------------------------------------------------------------ */

int arb_feed_init(struct arb_feed *f, const char *venue, const struct arb_feed_config *cfg,
                  struct arb_registry *reg, struct arb_ring *out)
{
    int rc;

    memset(f, 0, sizeof(*f));
    f->cap_fd = -1;
    f->ops = arb_feed_ops_find(venue);
    if (!f->ops) {
        arb_log(ARB_LOG_ERROR, "feed %s: no such venue plug-in", venue);
        return -ENOENT;
    }
    f->cfg = *cfg;
    if (!f->cfg.stale_ms)
        f->cfg.stale_ms = 5000;
    if (!f->cfg.max_lag_ms)
        f->cfg.max_lag_ms = 2000;
    if (!f->cfg.ping_ms)
        f->cfg.ping_ms = 5000;
    if (!f->cfg.reconnect_min_ms)
        f->cfg.reconnect_min_ms = 100;
    if (!f->cfg.reconnect_max_ms)
        f->cfg.reconnect_max_ms = 10000;
    if (!f->cfg.spin_us)
        f->cfg.spin_us = 50;
    f->contiguous =
        cfg->seq_contiguous < 0 ? f->ops->seq_contiguous != 0 : cfg->seq_contiguous != 0;
    snprintf(f->url, sizeof(f->url), "%s", cfg->url ? cfg->url : f->ops->url);
    f->out = out;
    int vid = arb_registry_venue(reg, venue);
    if (vid < 0)
        return vid;
    f->venue = (uint16_t)vid;
    arb_symtab_init(&f->symtab);
    if (cfg->nsymbols == 0 || cfg->nsymbols > ARB_FEED_MAX_SYMBOLS) {
        arb_log(ARB_LOG_ERROR, "feed %s: between 1 and %d symbols, not %zu", venue,
                ARB_FEED_MAX_SYMBOLS, cfg->nsymbols);
        return -EINVAL;
    }
    for (size_t i = 0; i < cfg->nsymbols; i++) {
        const char *s = cfg->symbols[i];
        if (arb_registry_map(reg, &f->symtab, venue, s, strlen(s)) < 0) {
            arb_log(ARB_LOG_ERROR, "feed %s: cannot map symbol '%s' to an instrument", venue, s);
            return -EINVAL;
        }
    }
    arb_parser_init(&f->parser, f->venue, &f->symtab);
    f->sub = malloc(65536);
    if (!f->sub)
        return -ENOMEM;
    f->sub_len = f->ops->subscribe(cfg->symbols, cfg->nsymbols, f->sub, 65536);
    if (f->sub_len < 0) {
        arb_log(ARB_LOG_ERROR, "feed %s: subscription does not fit", venue);
        return f->sub_len;
    }
    rc = io_uring_queue_init(256, &f->ring, 0);
    if (rc < 0) {
        arb_log(ARB_LOG_ERROR, "feed %s: io_uring_queue_init: %s", venue, strerror(-rc));
        return rc;
    }
    struct arb_ws_config wc = {.ca_file = cfg->ca_file, .on_msg = on_msg, .ctx = f};
    rc = arb_ws_init(&f->ws, &f->ring, &wc);
    if (rc < 0) {
        arb_log(ARB_LOG_ERROR, "feed %s: %s", venue, f->ws.errmsg);
        return rc;
    }
    if (cfg->capture_path) {
        f->cap_fd = open(cfg->capture_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (f->cap_fd < 0) {
            rc = -errno;
            arb_log(ARB_LOG_ERROR, "feed %s: capture %s: %s", venue, cfg->capture_path,
                    strerror(errno));
            return rc;
        }
        f->cap_off = (uint64_t)lseek(f->cap_fd, 0, SEEK_END);
        f->cap_buf[0] = malloc(ARB_FEED_CAPTURE_BUF);
        f->cap_buf[1] = malloc(ARB_FEED_CAPTURE_BUF);
        if (!f->cap_buf[0] || !f->cap_buf[1] || io_uring_queue_init(8, &f->cap_ring, 0) < 0)
            return -ENOMEM;
    }
    if (getrandom(&f->rng, sizeof(f->rng), 0) != sizeof(f->rng))
        f->rng = arb_clock_ticks();
    f->log_bad = (struct arb_log_limit)ARB_LOG_LIMIT_INIT(5, 1000000000ULL);
    f->log_conn = (struct arb_log_limit)ARB_LOG_LIMIT_INIT(5, 1000000000ULL);
    f->is_stale = true; /* nothing is fresh until the first tick */
    return 0;
}

int arb_feed_start(struct arb_feed *f)
{
    char name[ARB_THREAD_NAME_MAX];

    snprintf(name, sizeof(name), "feed-%s", f->ops->name);
    atomic_store_explicit(&f->stop, 0, memory_order_relaxed);
    return arb_thread_start(&f->thread, name, f->cfg.cpu, feed_main, f);
}

void arb_feed_stop(struct arb_feed *f)
{
    if (!f->thread.started)
        return;
    atomic_store_explicit(&f->stop, 1, memory_order_release);
    arb_thread_join(&f->thread, NULL);
}

void arb_feed_destroy(struct arb_feed *f)
{
    arb_feed_stop(f);
    if (f->ws.conn.ring)
        arb_ws_destroy(&f->ws);
    if (f->ring.ring_fd > 0)
        io_uring_queue_exit(&f->ring);
    if (f->cap_fd >= 0) {
        io_uring_queue_exit(&f->cap_ring);
        close(f->cap_fd);
    }
    free(f->cap_buf[0]);
    free(f->cap_buf[1]);
    free(f->sub);
    f->cap_fd = -1;
}
