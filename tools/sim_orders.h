/* SPDX-License-Identifier: MIT */
/*
 * The simulated exchange's order protocols over WebSocket, as the venue's
 * server: Binance Spot WebSocket API (/ws-api/v3) and USD-M Futures
 * WebSocket API (/ws-fapi/v1) order.place, and Kraken WebSocket v2 (/v2, as
 * on ws-auth.kraken.com) add_order, executions, cancel_all_orders_after.
 * Client requests are read with cJSON, answers written in each venue's own
 * format. Also the Binance order logic the REST side (sim_http.c) shares.
 */
#ifndef ARB_TOOLS_SIM_ORDERS_H
#define ARB_TOOLS_SIM_ORDERS_H

#include "tools/sim_match.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_REPLY_MSGS 4     /* messages one request may be answered with */
#define ARB_SIM_REPLY_CAP  16384 /* bytes of all of them */
#define ARB_SIM_PARAMS_MAX 32    /* request parameters kept */

/* What one request is answered with: WebSocket messages or one HTTP response body. */
struct arb_sim_reply {
    uint32_t n;                       /* messages in buf */
    uint32_t off[ARB_SIM_REPLY_MSGS]; /* where each starts in buf */
    uint32_t len[ARB_SIM_REPLY_MSGS];
    size_t used;
    uint8_t drop;      /* 0, or 1 + enum arb_sim_drop_mode: drop the connection instead */
    uint64_t delay_ns; /* answer no sooner than this after the request */
    int http_status;   /* REST only */
    char headers[256]; /* REST only: extra header lines, each ending in CRLF */
    char buf[ARB_SIM_REPLY_CAP];
};

/* Request parameters by name, as strings (Binance query strings and params objects). */
struct arb_sim_params {
    int n;
    char key[ARB_SIM_PARAMS_MAX][40];
    char val[ARB_SIM_PARAMS_MAX][160];
};

/* Outcome of authenticating a Binance request. */
enum arb_sim_auth {
    ARB_SIM_AUTH_OK = 0,
    ARB_SIM_AUTH_BAD_KEY = 1, /* missing or unknown API key */
    ARB_SIM_AUTH_BAD_SIG = 2, /* the signature does not verify */
};

/* One order connection's state. */
struct arb_sim_osess {
    struct arb_sim_exch *x;
    enum arb_sim_venue venue;
    bool executions;   /* kraken: subscribed to the executions channel */
    uint64_t exec_seq; /* kraken: executions sequence */
};

/* Appends one message to r. Returns 0, or -ENOSPC. */
int arb_sim_reply_push(struct arb_sim_reply *r, const char *msg, size_t len);

/* Adds a parameter (truncating long values). Returns 0, or -ENOSPC when full. */
int arb_sim_params_add(struct arb_sim_params *p, const char *key, size_t klen, const char *val,
                       size_t vlen);

/* The value of key, or NULL. */
const char *arb_sim_params_get(const struct arb_sim_params *p, const char *key);

/*
 * Opens an order session when `target` is the venue's order endpoint
 * (binance /ws-api/v3, binance-futures /ws-fapi/v1, kraken /v2). Returns
 * it (calloc'ed), or NULL when the target is market data only.
 */
struct arb_sim_osess *arb_sim_orders_open(struct arb_sim_exch *x, const char *target);

void arb_sim_orders_close(struct arb_sim_osess *s);

/*
 * Handles one client text message. Returns 1 when it was an order-protocol
 * request (r holds the answer), 0 when it is for the market-data session
 * (kraken subscribe ticker, ping).
 */
int arb_sim_orders_text(struct arb_sim_osess *s, const char *msg, size_t len,
                        struct arb_sim_reply *r);

/*
 * Binance spot or futures: validates an authenticated order's parameters,
 * places it and writes the result (spot FULL, futures RESULT) or the error
 * object into obj. Returns the HTTP status the venue gives it; pl says what
 * happened.
 */
int arb_sim_binance_place(struct arb_sim_exch *x, const struct arb_sim_params *p,
                          enum arb_sim_auth auth, char *obj, size_t cap, struct arb_sim_place *pl);

#endif /* ARB_TOOLS_SIM_ORDERS_H */
