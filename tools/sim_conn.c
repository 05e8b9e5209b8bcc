/* SPDX-License-Identifier: MIT */
/*
 * A simulator connection's market side, on its own thread: playback of the
 * source on the shared (or its own) timeline, the venue's heartbeats and
 * pings, and the faults, all batched into one write per round.
 */
#include "tools/sim_conn.h"

#include "tools/sim_http.h"

#include "core/clock.h"
#include "feeds/wsframe.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The sequence number a script message carries: per symbol, +1 a message, across loops. */
static uint64_t seq_of(struct arb_sim_conn *c, const struct arb_sim_msg *m)
{
    const struct arb_sim_source *src = c->srv->cfg.src;

    return c->srv->cfg.seq_start + c->pass * src->sym_count[m->sym] + m->ordinal +
           atomic_load_explicit(&c->srv->faults.skip_total, memory_order_acquire);
}

/* The payload of the message at the cursor, whatever the filter: for garbage and drop mid. */
static size_t render_cursor(struct arb_sim_conn *c, char *buf, size_t cap)
{
    const struct arb_sim_source *src = c->srv->cfg.src;
    const struct arb_sim_msg *m;

    if (!src || src->n == 0)
        return 0;
    m = &src->msgs[c->idx < src->n ? c->idx : 0];
    if (src->kind == ARB_SIM_SRC_CAPTURE) {
        struct arb_ws_frame f;
        int hl = arb_ws_frame_decode(src->frames + m->frame_off, m->frame_len, UINT64_MAX >> 1, &f);
        size_t plen = hl > 0 ? (size_t)f.payload_len : 0;
        if (plen > cap)
            plen = cap;
        memcpy(buf, src->frames + m->frame_off + (hl > 0 ? hl : 0), plen);
        return plen;
    }
    {
        struct arb_sim_enc e = {.seq = seq_of(c, m),
                                .now_ns = c->real_ns,
                                .combined = c->sess.combined,
                                .kraken_v1 = c->sess.kraken_v1,
                                .channel_id = c->sess.channel_id[m->sym]};
        int n = arb_sim_encode_bbo(c->srv->cfg.venue, &src->quotes[m->quote], &e, buf, cap);
        return n > 0 ? (size_t)n : 0;
    }
}

static void send_garbage(struct arb_sim_conn *c)
{
    static const char fallback[] = "{\"stream\":\"usdcusdt@bookTicker\",\"data\":{\"u\":1";
    static const uint8_t bad_utf8[] = "\xc3\x28 not json \xff\xfe\xed\xa0\x80";
    char buf[ARB_SIM_MSG_MAX];
    size_t n = render_cursor(c, buf, sizeof buf);

    /* A message cut in half: valid UTF-8, invalid JSON. */
    if (n < 8) {
        memcpy(buf, fallback, sizeof fallback - 1);
        n = sizeof fallback - 1;
    }
    arb_sim_out_frame(c, ARB_WS_TEXT, buf, n / 2);
    /* A text frame that is neither UTF-8 nor JSON (RFC 6455 says the client must fail it). */
    arb_sim_out_frame(c, ARB_WS_TEXT, bad_utf8, sizeof bad_utf8 - 1);
}

static void do_drop(struct arb_sim_conn *c, int mode)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};

    atomic_fetch_add_explicit(&c->srv->stats.drops, 1, memory_order_relaxed);
    if (mode == ARB_SIM_DROP_MID) {
        char payload[ARB_SIM_MSG_MAX];
        uint8_t frame[ARB_SIM_MSG_MAX + ARB_WS_HEADER_MAX];
        size_t n = render_cursor(c, payload, sizeof payload), hl;
        if (n < 16) {
            n = (size_t)snprintf(payload, sizeof payload, "{\"type\":\"heartbeat\",\"x\":\"%0*d\"}",
                                 64, 0);
        }
        hl = arb_ws_frame_encode(frame, 1, ARB_WS_TEXT, n, NULL);
        memcpy(frame + hl, payload, n);
        /* Header and half the payload: the client is left inside a frame. */
        arb_sim_io_write_all(c, frame, hl + n / 2);
        shutdown(c->fd, SHUT_RDWR);
    } else if (mode == ARB_SIM_DROP_FIN) {
        shutdown(c->fd, SHUT_RDWR);
    } else {
        /* Linger 0 turns close into a RST: the connection dies without a goodbye. */
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    if (c->srv->cfg.verbose)
        fprintf(stderr, "arbsim: dropped a client (%s) after %llu data frames\n",
                mode == ARB_SIM_DROP_MID   ? "mid"
                : mode == ARB_SIM_DROP_FIN ? "fin"
                                           : "rst",
                (unsigned long long)c->data_frames);
}

/* Fires a scheduled fault once per process when this connection reaches its frame count. */
static int scheduled(struct arb_sim_conn *c)
{
    const struct arb_sim_config *cfg = &c->srv->cfg;
    char cmd[64], reply[256];
    struct {
        uint64_t at;
        int k;
    } s[4] = {{cfg->drop_after, 0}, {cfg->stall_at, 1}, {cfg->garbage_at, 2}, {cfg->skip_at, 3}};

    for (int i = 0; i < 4; i++) {
        int expect = 0;
        if (!s[i].at || c->data_frames < s[i].at)
            continue;
        if (atomic_load_explicit(&c->srv->faults.fired[i], memory_order_relaxed) ||
            !atomic_compare_exchange_strong_explicit(&c->srv->faults.fired[i], &expect, 1,
                                                     memory_order_acq_rel, memory_order_relaxed))
            continue;
        if (i == 0)
            snprintf(cmd, sizeof cmd, "drop %s",
                     cfg->drop_mode == ARB_SIM_DROP_MID   ? "mid"
                     : cfg->drop_mode == ARB_SIM_DROP_FIN ? "fin"
                                                          : "rst");
        else if (i == 1)
            snprintf(cmd, sizeof cmd, "stall %llu", (unsigned long long)cfg->stall_ms);
        else if (i == 2)
            snprintf(cmd, sizeof cmd, "garbage");
        else
            snprintf(cmd, sizeof cmd, "skip %llu", (unsigned long long)cfg->skip_n);
        arb_sim_server_command(c->srv, cmd, reply, sizeof reply);
        if (cfg->verbose)
            fprintf(stderr, "arbsim: scheduled after %llu frames: %s",
                    (unsigned long long)c->data_frames, reply);
        return 1;
    }
    return 0;
}

/* Starts playback at the first subscription: at the shared timeline's present, or at 0. */
static void start_playback(struct arb_sim_conn *c, uint64_t now)
{
    struct arb_sim_server *srv = c->srv;
    const struct arb_sim_source *src = srv->cfg.src;
    int first = 0;

    c->playing = 1;
    c->skip_seen = atomic_load_explicit(&srv->faults.skip_total, memory_order_acquire);
    if (srv->cfg.per_client || srv->cfg.speed <= 0) {
        c->anchor_ns = now;
        c->anchor_paused_ns =
            atomic_load_explicit(&srv->faults.paused_total_ns, memory_order_acquire);
        return;
    }
    pthread_mutex_lock(&srv->lock);
    if (!srv->anchored) {
        srv->anchored = true;
        srv->anchor_ns = now;
        srv->anchor_paused_ns =
            atomic_load_explicit(&srv->faults.paused_total_ns, memory_order_relaxed);
        first = 1;
    }
    c->anchor_ns = srv->anchor_ns;
    c->anchor_paused_ns = srv->anchor_paused_ns;
    pthread_mutex_unlock(&srv->lock);
    if (!first) {
        uint64_t paused = atomic_load_explicit(&srv->faults.paused_total_ns, memory_order_acquire) -
                          c->anchor_paused_ns;
        uint64_t el = now - c->anchor_ns > paused ? now - c->anchor_ns - paused : 0;
        uint64_t rel = (uint64_t)((double)el * srv->cfg.speed);
        c->pass = rel / src->period_ns;
        c->idx = arb_sim_source_seek(src, rel % src->period_ns);
        if (srv->cfg.loops && c->pass >= srv->cfg.loops)
            c->finished = 1;
    }
}

/* Encodes and queues the frames of one script row. */
static int emit_script(struct arb_sim_conn *c, const struct arb_sim_msg *m, uint8_t want)
{
    const struct arb_sim_config *cfg = &c->srv->cfg;
    const struct arb_sim_quote *q = &cfg->src->quotes[m->quote];
    char buf[ARB_SIM_MSG_MAX];
    struct arb_sim_enc e = {.seq = seq_of(c, m),
                            .now_ns = c->real_ns,
                            .combined = c->sess.combined,
                            .kraken_v1 = c->sess.kraken_v1,
                            .snapshot = c->sess.snapshot_due[m->sym],
                            .channel_id = c->sess.channel_id[m->sym]};
    int n, rc;

    if (want & ARB_SIM_CH_BBO) {
        n = arb_sim_encode_bbo(cfg->venue, q, &e, buf, sizeof buf);
        if (n > 0) {
            if ((rc = arb_sim_out_frame(c, ARB_WS_TEXT, buf, (size_t)n)) < 0)
                return rc;
            c->data_frames++;
            c->sess.snapshot_due[m->sym] = 0;
            c->sess.last_seq[m->sym] = e.seq;
        }
    }
    if ((want & ARB_SIM_CH_FUNDING) && q->has_funding) {
        n = arb_sim_encode_funding(cfg->venue, q, &e, buf, sizeof buf);
        if (n > 0) {
            if ((rc = arb_sim_out_frame(c, ARB_WS_TEXT, buf, (size_t)n)) < 0)
                return rc;
            c->data_frames++;
        }
    }
    return 0;
}

/*
 * Queues the messages due at `now`, up to one batch. Returns the CLOCK_MONOTONIC
 * time the next one is due: `now` when more are ready, UINT64_MAX when none will be.
 */
static uint64_t produce(struct arb_sim_conn *c, uint64_t now, int *err)
{
    struct arb_sim_server *srv = c->srv;
    const struct arb_sim_config *cfg = &srv->cfg;
    const struct arb_sim_source *src = cfg->src;
    uint64_t paused, rel_now = UINT64_MAX, skip;
    int flood = cfg->speed <= 0;

    *err = 0;
    if (!src || c->finished)
        return UINT64_MAX;
    if (!c->playing)
        start_playback(c, now);
    /* A-P1: pairs with P1 in sim_server.c, so a resumed clock never jumps backwards. */
    if (atomic_load_explicit(&srv->faults.paused, memory_order_acquire))
        return UINT64_MAX;
    paused = atomic_load_explicit(&srv->faults.paused_total_ns, memory_order_relaxed) -
             c->anchor_paused_ns;
    if (!flood) {
        uint64_t el = now - c->anchor_ns > paused ? now - c->anchor_ns - paused : 0;
        rel_now = (uint64_t)((double)el * cfg->speed);
    }
    skip = atomic_load_explicit(&srv->faults.skip_total, memory_order_acquire);
    if (skip != c->skip_seen) {
        c->skip_pending += skip - c->skip_seen;
        c->skip_seen = skip;
    }
    while (c->out_len < ARB_SIM_BATCH_BYTES) {
        const struct arb_sim_msg *m;
        uint64_t due;
        uint8_t want;

        if (c->idx >= src->n) {
            c->idx = 0;
            c->pass++;
            if (cfg->loops && c->pass >= cfg->loops) {
                c->finished = 1;
                return UINT64_MAX;
            }
        }
        m = &src->msgs[c->idx];
        due = c->pass * src->period_ns + m->t_ns;
        if (!flood && due > rel_now)
            return c->anchor_ns + paused + (uint64_t)((double)due / cfg->speed);
        want = m->sym < 0 || c->sess.unfiltered ? 0xff : c->sess.want[m->sym];
        if (!want) {
            c->idx++;
            continue;
        }
        if (scheduled(c))
            return now;
        if (src->kind == ARB_SIM_SRC_CAPTURE) {
            /* Captures carry no sequence of ours: a skip loses whole messages. */
            if (c->skip_pending) {
                c->skip_pending--;
                c->idx++;
                continue;
            }
            if (m->frame_len + c->out_len > ARB_SIM_OUT_CAP && (*err = arb_sim_out_flush(c)) < 0)
                return UINT64_MAX;
            if (m->frame_len > ARB_SIM_OUT_CAP) {
                atomic_fetch_add_explicit(&srv->stats.frames_out, 1, memory_order_relaxed);
                atomic_fetch_add_explicit(&srv->stats.bytes_out, m->frame_len,
                                          memory_order_relaxed);
                *err = arb_sim_io_write_all(c, src->frames + m->frame_off, m->frame_len);
            } else {
                memcpy(c->out + c->out_len, src->frames + m->frame_off, m->frame_len);
                c->out_len += m->frame_len;
                c->frames_pending++;
            }
            c->data_frames++;
        } else {
            *err = emit_script(c, m, want);
        }
        if (*err < 0)
            return UINT64_MAX;
        c->idx++;
    }
    return now;
}

static void publish_data_frames(struct arb_sim_conn *c, uint64_t *published)
{
    atomic_fetch_add_explicit(&c->srv->stats.data_frames, c->data_frames - *published,
                              memory_order_relaxed);
    *published = c->data_frames;
}

static void stream(struct arb_sim_conn *c)
{
    struct arb_sim_server *srv = c->srv;
    const struct arb_sim_config *cfg = &srv->cfg;
    struct arb_sim_faults *ft = &srv->faults;
    uint64_t published = 0;

    c->ping_next_ns = cfg->ping_ns ? arb_clock_mono_ns() + cfg->ping_ns : UINT64_MAX;
    for (;;) {
        uint64_t now = arb_clock_mono_ns(), next = UINT64_MAX, t;
        uint32_t g;
        int stalled, rc, err = 0;

        c->real_ns = arb_clock_real_ns();
        if (arb_sim_conn_stopping(c)) {
            arb_sim_out_close(c, 1001, "going away");
            arb_sim_conn_linger(c);
            break;
        }
        /* A-D1: pairs with D1 in sim_server.c, so drop_mode is the one set with this gen. */
        g = atomic_load_explicit(&ft->drop_gen, memory_order_acquire);
        if (g != c->drop_gen) {
            arb_sim_out_flush(c);
            do_drop(c, atomic_load_explicit(&ft->drop_mode, memory_order_relaxed));
            break;
        }
        t = atomic_load_explicit(&ft->stall_until_ns, memory_order_acquire);
        stalled = now < t;
        if (stalled) {
            next = t;
        } else {
            g = atomic_load_explicit(&ft->garbage_gen, memory_order_acquire);
            if (g != c->garbage_gen) {
                c->garbage_gen = g;
                send_garbage(c);
            }
            if (c->sess.any) {
                next = produce(c, now, &err);
                if (err < 0)
                    break;
                /* The exchange matches per-client and flood playback against this. */
                if (cfg->src && c->playing)
                    atomic_store_explicit(&srv->played_pos, c->pass * cfg->src->n + c->idx,
                                          memory_order_relaxed);
            }
            t = arb_sim_session_heartbeat(&c->sess, c->real_ns, c->last_send_real_ns);
            if (t != UINT64_MAX) {
                /* Heartbeats run on the wall clock the session stamps; convert the wait. */
                uint64_t in = t > c->real_ns ? t - c->real_ns : 0;
                if (now + in < next)
                    next = now + in;
            }
            if (now >= c->ping_next_ns) {
                char ts[24];
                int n = snprintf(ts, sizeof ts, "%llu",
                                 (unsigned long long)(c->real_ns / ARB_SIM_NS_PER_MS));
                arb_sim_out_frame(c, ARB_WS_PING, ts, (size_t)n);
                if (!c->ping_outstanding)
                    c->ping_sent_ns = now;
                c->ping_outstanding = 1;
                c->ping_next_ns = now + cfg->ping_ns;
            }
            if (c->ping_next_ns < next)
                next = c->ping_next_ns;
        }
        if (arb_sim_out_flush(c) < 0)
            break;
        publish_data_frames(c, &published);
        if (cfg->pong_timeout_ns && c->ping_outstanding &&
            now - c->ping_sent_ns > cfg->pong_timeout_ns) {
            arb_sim_conn_fail(c, 1008, "pong timeout");
            break;
        }
        if (c->finished && cfg->close_at_end && !stalled) {
            arb_sim_out_close(c, 1000, "end of data");
            arb_sim_conn_linger(c);
            break;
        }
        {
            uint64_t wait_ns = next > now ? next - now : 0;
            int ms = wait_ns >= ARB_SIM_WAIT_CAP_MS * ARB_SIM_NS_PER_MS
                         ? ARB_SIM_WAIT_CAP_MS
                         : (int)((wait_ns + ARB_SIM_NS_PER_MS - 1) / ARB_SIM_NS_PER_MS);
            rc = arb_sim_io_wait(c, POLLIN, ms);
        }
        if (rc < 0)
            break;
        if (rc > 0) {
            c->real_ns = arb_clock_real_ns();
            if (arb_sim_conn_read(c) < 0)
                break;
            if (arb_sim_out_flush(c) < 0)
                break;
        }
    }
    publish_data_frames(c, &published);
}

void *arb_sim_conn_main(void *arg)
{
    struct arb_sim_conn *c = arg;
    struct arb_sim_server *srv = c->srv;
    struct arb_sim_request req;
    int rc;

    atomic_fetch_add_explicit(&srv->stats.active, 1, memory_order_relaxed);
    c->drop_gen = atomic_load_explicit(&srv->faults.drop_gen, memory_order_acquire);
    rc = arb_sim_conn_handshake(c, &req);
    if (rc == 1) {
        arb_sim_http_serve(c);
    } else if (rc < 0) {
        atomic_fetch_add_explicit(&srv->stats.rejected, 1, memory_order_relaxed);
        if (srv->cfg.verbose)
            fprintf(stderr, "arbsim: handshake refused: %s\n",
                    rc == -EPROTO && req.reason[0] ? req.reason : strerror(-rc));
    } else {
        atomic_fetch_add_explicit(&srv->stats.upgraded, 1, memory_order_relaxed);
        c->drop_gen = atomic_load_explicit(&srv->faults.drop_gen, memory_order_acquire);
        c->garbage_gen = atomic_load_explicit(&srv->faults.garbage_gen, memory_order_acquire);
        c->real_ns = arb_clock_real_ns();
        arb_sim_session_open(&c->sess, srv->cfg.venue, req.target, srv->cfg.src, srv->cfg.hb_ns,
                             c->real_ns, arb_sim_conn_session_send, c);
        c->sess.unfiltered = srv->cfg.unfiltered;
        if (srv->exch && (c->orders = arb_sim_orders_open(srv->exch, req.target)) &&
            !(c->reply = malloc(sizeof *c->reply)))
            goto out;
        /* Bytes the client sent right behind its request are frames already. */
        if (c->in_len && arb_sim_conn_input(c) < 0)
            goto out;
        if (arb_sim_out_flush(c) == 0)
            stream(c);
    }
out:
    atomic_fetch_sub_explicit(&srv->stats.active, 1, memory_order_relaxed);
    /* D: the last write; the acceptor may free c once it reads it. */
    atomic_store_explicit(&c->done, 1, memory_order_release);
    return NULL;
}
