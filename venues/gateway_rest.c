/* SPDX-License-Identifier: MIT */
/*
 * REST order sessions of the gateway: requests out on a keep-alive connection,
 * responses framed and matched in order, order answers booked, and each order
 * followed by queries of its state until the venue says it is final.
 */
#include "gateway_rest.h"

#include "core/clock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ULL

static inline void rest_stat(_Atomic uint64_t *c)
{
    /* One writer, as in gateway.c. */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

static inline uint32_t fifo_count(const struct arb_gw_rest *rs)
{
    return rs->tail - rs->head;
}

/* Queues bytes already encoded and remembers what they ask. Returns 0 or -errno. */
static int rest_out(struct arb_gw_rest *rs, const struct arb_gw_rest_req *q, const char *p,
                    size_t n)
{
    struct arb_gw_session *s = &rs->g->s[rs->venue];

    if (rs->closing || rs->broken)
        return -ENOTCONN;
    if (fifo_count(rs) == ARB_GW_REST_INFLIGHT)
        return -ENOBUFS;
    int rc = arb_ws_send_raw(&s->ws, p, n);
    if (rc < 0)
        return rc;
    rs->fifo[rs->tail++ % ARB_GW_REST_INFLIGHT] = *q;
    rs->stats.requests++;
    return 0;
}

int arb_gw_rest_send(struct arb_gateway *g, uint16_t venue, int slot, int leg, uint64_t req_id,
                     const char *req, size_t n)
{
    struct arb_gw_rest_req q = {
        .req_id = req_id, .slot_leg = (uint16_t)(slot * 3 + leg), .kind = ARB_GW_REST_ORDER};

    return rest_out(g->s[venue].rest, &q, req, n);
}

/* Signs and sends a query of order q->oid. Returns 0 or -errno (then it may be retried). */
static int followup_send(struct arb_gw_rest *rs, const struct arb_gw_rest_req *q)
{
    struct arb_gateway *g = rs->g;
    struct arb_gw_session *s = &g->s[rs->venue];

    if (s->ws.state != ARB_WS_OPEN)
        return -ENOTCONN;
    /* Off the order path: the order left already. g->msg is free outside send_order. */
    int n =
        s->ops->encode_followup(&s->keys, q->oid, arb_clock_now_ns() / MS, g->msg, sizeof(g->msg));
    if (n < 0)
        return n;
    int rc = rest_out(rs, q, g->msg, (size_t)n);
    if (rc == 0) {
        rs->stats.followups++;
        if (q->tries)
            rs->stats.requeries++;
    }
    return rc;
}

/* Holds a query back: the order is not final yet, or the last query failed. */
static void followup_later(struct arb_gw_rest *rs, const struct arb_gw_rest_req *q, uint64_t now)
{
    struct arb_gateway *g = rs->g;

    if (q->tries + 1 >= ARB_GW_REST_TRIES || rs->nwait == ARB_GW_REST_WAITS) {
        /* The leg times out as unfilled and its flight stays open for a late report. */
        rs->stats.gave_up++;
        rest_stat(&g->stats.unknown);
        arb_log_limited(&g->log_limit, now, ARB_LOG_ERROR,
                        "gateway: %s: order %s: no final state after %u queries",
                        g->s[rs->venue].ops->name, q->oid, (unsigned)q->tries + 1);
        return;
    }
    struct arb_gw_rest_wait *w = &rs->wait[rs->nwait++];
    w->q = *q;
    w->q.kind = ARB_GW_REST_FOLLOWUP;
    w->q.tries = (uint8_t)(q->tries + 1);
    w->due_ns = now + (ARB_GW_REST_RETRY_NS << (q->tries < 6 ? q->tries : 6));
}

/* What an order request's response says, as executions; one is made up when it says none. */
static int order_execs(struct arb_gw_rest *rs, const struct arb_http_resp *r,
                       const struct arb_gw_rest_req *q, struct arb_exec *x, int max)
{
    const struct arb_venue_ops *ops = rs->g->s[rs->venue].ops;
    int k = ops->parse_exec(r->msg, r->len, x, max);

    if (k > 0)
        return k;
    /* No JSON to read (a proxy's or an auth layer's page): the status decides. A 2xx we
     * cannot read may have booked the order, so its fate is unknown rather than refused. */
    memset(x, 0, sizeof(*x));
    x->kind = r->status == 429   ? ARB_EXEC_RATE_LIMIT
              : r->status >= 500 ? ARB_EXEC_UNKNOWN
              : r->status >= 400 ? ARB_EXEC_REJECT
                                 : ARB_EXEC_UNKNOWN;
    x->code = r->status;
    x->req_id = q->req_id;
    size_t n = r->body_len < sizeof(x->reason) - 1 ? r->body_len : sizeof(x->reason) - 1;
    for (size_t i = 0; i < n; i++) {
        char c = r->body[i];
        if (c == '\r' || c == '\n')
            break;
        x->reason[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    if (k < 0)
        rest_stat(&rs->g->stats.malformed);
    return 1;
}

static void on_order_answer(struct arb_gw_rest *rs, const struct arb_http_resp *r,
                            const struct arb_gw_rest_req *q)
{
    struct arb_gateway *g = rs->g;
    const struct arb_venue_ops *ops = g->s[rs->venue].ops;
    struct arb_exec x[8];
    int k = order_execs(rs, r, q, x, 8);

    for (int i = 0; i < k; i++) {
        /* A refusal names no client id; the request it answers is known by its place. */
        if (!x[i].clid[0] && !x[i].req_id)
            x[i].req_id = q->req_id;
        arb_gw_exec(g, rs->venue, &x[i]);
    }
    struct arb_gw_rest_req f = {.slot_leg = q->slot_leg, .kind = ARB_GW_REST_FOLLOWUP};
    if (ops->rest_pending && ops->encode_followup &&
        ops->rest_pending(r->msg, r->len, f.oid, sizeof(f.oid)) > 0 && followup_send(rs, &f) < 0)
        followup_later(rs, &f, g->now_ns);
}

static void on_followup_answer(struct arb_gw_rest *rs, const struct arb_http_resp *r,
                               const struct arb_gw_rest_req *q)
{
    struct arb_gateway *g = rs->g;
    const struct arb_venue_ops *ops = g->s[rs->venue].ops;
    struct arb_exec x[8];
    int k = r->status >= 200 && r->status < 300 ? ops->parse_exec(r->msg, r->len, x, 8) : -1;

    /* A failed query (429, 5xx, unreadable) says nothing about the order: ask again. */
    if (k <= 0) {
        if (k < 0 && r->status < 300)
            rest_stat(&g->stats.malformed);
        arb_log_limited(&g->log_limit, g->now_ns, ARB_LOG_WARN,
                        "gateway: %s: query of order %s: HTTP %d", ops->name, q->oid, r->status);
        followup_later(rs, q, g->now_ns);
        return;
    }
    const struct arb_gw_order *o = &g->ord[q->slot_leg / 3][q->slot_leg % 3];
    for (int i = 0; i < k; i++) {
        /* Asked again after it was final (a re-sent order's second follow-up): nothing new. */
        if (!o->live && x[i].filled_qty_e8 <= o->cum_e8)
            continue;
        arb_gw_exec(g, rs->venue, &x[i]);
    }
    struct arb_gw_rest_req again = *q;
    if (ops->rest_pending(r->msg, r->len, again.oid, sizeof(again.oid)) > 0)
        followup_later(rs, &again, g->now_ns);
}

static void on_resp(void *ctx, const struct arb_http_resp *r, uint64_t ts)
{
    struct arb_gw_rest *rs = ctx;
    struct arb_gateway *g = rs->g;

    g->now_ns = ts;
    if (r->close)
        rs->closing = true; /* the server ends the connection after this response */
    if (fifo_count(rs) == 0) {
        rs->broken = true;
        rest_stat(&g->stats.malformed);
        arb_log_limited(&g->log_limit, ts, ARB_LOG_WARN,
                        "gateway: %s: HTTP %d answers no request: dropping the connection",
                        g->s[rs->venue].ops->name, r->status);
        return;
    }
    struct arb_gw_rest_req q = rs->fifo[rs->head++ % ARB_GW_REST_INFLIGHT];
    rs->stats.responses++;
    if (q.kind == ARB_GW_REST_ORDER)
        on_order_answer(rs, r, &q);
    else
        on_followup_answer(rs, r, &q);
}

/* The connection's plaintext, in whatever pieces TCP and TLS made of it. */
static void on_bytes(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct arb_gw_rest *rs = ctx;

    (void)op;
    if (rs->broken)
        return;
    int rc = arb_http_rx_input(&rs->rx, p, n, ts);
    if (rc < 0) {
        struct arb_gateway *g = rs->g;
        rs->broken = true;
        rest_stat(&g->stats.malformed);
        arb_log_limited(&g->log_limit, ts, ARB_LOG_WARN, "gateway: %s: %s: dropping the connection",
                        g->s[rs->venue].ops->name,
                        rc == -EMSGSIZE ? "response too long" : "not an HTTP/1.1 response");
    }
}

int arb_gw_rest_init(struct arb_gateway *g, uint16_t venue, struct arb_ws_config *cfg)
{
    struct arb_gw_session *s = &g->s[venue];
    struct arb_gw_rest *rs = calloc(1, sizeof(*rs));

    if (!rs || !(rs->rx_buf = malloc(ARB_GW_REST_RX_MAX))) {
        free(rs);
        return -ENOMEM;
    }
    rs->g = g;
    rs->venue = venue;
    arb_http_rx_init(&rs->rx, rs->rx_buf, ARB_GW_REST_RX_MAX, on_resp, rs);
    s->rest = rs;
    cfg->raw = true;
    cfg->on_msg = on_bytes;
    cfg->ctx = rs;
    /* Sign ahead before the first order, so it never waits for a signature. */
    for (int i = 0; s->ops->idle && i < 64; i++)
        if (s->ops->idle(&s->keys, arb_clock_now_ns() / MS) <= 0)
            break;
    return 0;
}

void arb_gw_rest_destroy(struct arb_gw_session *s)
{
    if (!s->rest)
        return;
    free(s->rest->rx_buf);
    free(s->rest);
    s->rest = NULL;
}

void arb_gw_rest_lost(struct arb_gw_session *s)
{
    struct arb_gw_rest *rs = s->rest;

    if (!rs)
        return;
    /* Orders awaiting answers are re-sent with their client ids (the venue answers a
     * repeated id with the order it has), and their follow-ups come from those answers. */
    rs->head = rs->tail = 0;
    rs->nwait = 0;
    rs->broken = rs->closing = false;
    arb_http_rx_reset(&rs->rx);
}

bool arb_gw_rest_step(struct arb_gateway *g, uint16_t venue)
{
    struct arb_gw_session *s = &g->s[venue];
    struct arb_gw_rest *rs = s->rest;

    if (rs->broken && s->ws.state == ARB_WS_OPEN) {
        arb_conn_shutdown(&s->ws.conn); /* the connection then ends as lost */
        return true;
    }
    /* An idle keep-alive the server closed (or a Connection: close answered in full) is
     * no failure: reopen at once, without telling the risk gate about an error. */
    if (s->ws.state == ARB_WS_CLOSED && !rs->broken && fifo_count(rs) == 0 &&
        !arb_http_rx_partial(&rs->rx)) {
        rs->stats.idle_closes++;
        arb_ws_reset(&s->ws);
        arb_http_rx_reset(&rs->rx);
        rs->closing = false;
        s->next_connect_ns = g->now_ns;
        s->was_open = false;
        return true;
    }
    if (s->ws.state != ARB_WS_OPEN || rs->nwait == 0)
        return false;
    for (uint32_t i = 0; i < rs->nwait;) {
        struct arb_gw_rest_wait *w = &rs->wait[i];
        if (g->now_ns < w->due_ns) {
            i++;
            continue;
        }
        struct arb_gw_rest_req q = w->q;
        *w = rs->wait[--rs->nwait]; /* order among waits does not matter */
        if (followup_send(rs, &q) < 0) {
            q.tries--; /* not sent: this attempt does not count */
            followup_later(rs, &q, g->now_ns);
        }
    }
    return false;
}

void arb_gw_idle(struct arb_gateway *g)
{
    uint64_t now_ms = arb_clock_now_ns() / MS;

    for (uint32_t v = 0; v < ARB_MAX_VENUES; v++) {
        struct arb_gw_session *s = &g->s[v];
        /* One costly step per idle turn: a new intent waits at most that long. */
        if (s->enabled && s->ops->idle && s->ops->idle(&s->keys, now_ms) > 0)
            return;
    }
}
