/* SPDX-License-Identifier: MIT */
/*
 * The gateway's REST order sessions (venue plug-ins with `rest` set, such as
 * Coinbase): HTTP/1.1 keep-alive over the gateway's own io_uring connection
 * and TLS (arb_ws in raw mode), responses framed by feeds/http.h and matched
 * to requests in order, and the follow-up queries that learn an order's
 * fills. Internal to the gateway: gateway.c calls these, on its thread.
 */
#ifndef ARB_VENUES_GATEWAY_REST_H
#define ARB_VENUES_GATEWAY_REST_H

#include "feeds/http.h"
#include "venues/gateway.h"

#define ARB_GW_REST_INFLIGHT 64      /* requests sent and awaiting their response, a power of two */
#define ARB_GW_REST_WAITS    16      /* follow-up queries waiting for their time */
#define ARB_GW_REST_RX_MAX   65536   /* largest response accepted, bytes */
#define ARB_GW_REST_OID_MAX  64      /* a venue order id, NUL included */
#define ARB_GW_REST_TRIES    12      /* queries of one order before it is left to the leg timeout */
#define ARB_GW_REST_RETRY_NS 2000000 /* first re-query delay; doubles, up to 64x */

enum arb_gw_rest_kind {
    ARB_GW_REST_ORDER = 1,    /* an order request: its answer goes to parse_exec */
    ARB_GW_REST_FOLLOWUP = 2, /* a query of an order's state and fills */
};

/* One request sent, awaiting its response (responses come back in request order). */
struct arb_gw_rest_req {
    uint64_t req_id;   /* ORDER: the order's request id, for answers without a client id */
    uint16_t slot_leg; /* slot * 3 + leg of the order */
    uint8_t kind;      /* enum arb_gw_rest_kind */
    uint8_t tries;     /* FOLLOWUP: queries of this order before this one */
    char oid[ARB_GW_REST_OID_MAX]; /* FOLLOWUP: the venue's order id */
};

/* A follow-up query held back until due_ns (the order was not final yet, or the query failed). */
struct arb_gw_rest_wait {
    uint64_t due_ns;
    struct arb_gw_rest_req q;
};

struct arb_gw_rest {
    struct arb_gateway *g;
    uint16_t venue;
    bool broken;  /* a response could not be framed or matched: drop the connection */
    bool closing; /* the server said Connection: close: send nothing more on it */
    struct arb_http_rx rx;
    uint8_t *rx_buf; /* ARB_GW_REST_RX_MAX bytes */
    struct arb_gw_rest_req fifo[ARB_GW_REST_INFLIGHT];
    uint32_t head, tail; /* fifo[head % N] is the oldest request awaiting its response */
    struct arb_gw_rest_wait wait[ARB_GW_REST_WAITS];
    uint32_t nwait;
    struct {
        uint64_t requests;    /* sent: orders and follow-ups */
        uint64_t responses;   /* framed and matched */
        uint64_t followups;   /* follow-up queries sent */
        uint64_t requeries;   /* follow-ups sent again: not final yet, or failed */
        uint64_t idle_closes; /* the server closed an idle connection: reopened quietly */
        uint64_t gave_up;     /* orders whose fate the queries never learned */
    } stats;
};

/*
 * Allocates the REST state of session `venue` and points cfg (the session's
 * connection config, before arb_ws_init) at raw mode and the response framer.
 * Returns 0 or -ENOMEM.
 */
int arb_gw_rest_init(struct arb_gateway *g, uint16_t venue, struct arb_ws_config *cfg);

/* Frees what arb_gw_rest_init allocated (after the connection is destroyed). */
void arb_gw_rest_destroy(struct arb_gw_session *s);

/*
 * Sends one encoded order request as it is and records it as awaiting its
 * response. Returns 0, -ENOBUFS when ARB_GW_REST_INFLIGHT requests await
 * answers or the send buffer is full, -ENOTCONN when the server is closing.
 */
int arb_gw_rest_send(struct arb_gateway *g, uint16_t venue, int slot, int leg, uint64_t req_id,
                     const char *req, size_t n);

/*
 * One gateway turn for a REST session: reopens a connection the server closed
 * while idle, drops one that sent garbage, sends follow-ups that are due.
 * Returns true when it handled the session's state (the caller skips it).
 */
bool arb_gw_rest_step(struct arb_gateway *g, uint16_t venue);

/* Forgets requests awaiting answers on a lost connection (their orders are re-sent). */
void arb_gw_rest_lost(struct arb_gw_session *s);

/* Gives each plug-in's idle hook one step (Coinbase's JWT pool); for idle turns only. */
void arb_gw_idle(struct arb_gateway *g);

/* Books one execution as if its session had received it: gateway.c's on_exec. */
void arb_gw_exec(struct arb_gateway *g, uint16_t venue, const struct arb_exec *x);

#endif /* ARB_VENUES_GATEWAY_REST_H */
