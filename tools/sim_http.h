/* SPDX-License-Identifier: MIT */
/*
 * The simulated exchange's REST side: plain HTTP/1.1 requests (keep-alive,
 * Content-Length bodies) on the simulator's port, answered the way each
 * venue does: Binance POST /api/v3/order and /fapi/v1/order (HMAC or
 * Ed25519 signed), Coinbase Advanced Trade /api/v3/brokerage/orders (JWT
 * ES256 bearer) with its fills and order lookups, and Kraken's
 * /0/private/GetWebSocketsToken (API-Sign).
 */
#ifndef ARB_TOOLS_SIM_HTTP_H
#define ARB_TOOLS_SIM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct arb_sim_exch;
struct arb_sim_conn;

#define ARB_SIM_HTTP_BODY_MAX 65536 /* longest request body accepted (413 beyond) */
#define ARB_SIM_HTTP_IDLE_MS  60000 /* a keep-alive connection idle this long is closed */

/*
 * Whether a complete request head is a REST call this venue's exchange
 * serves (its method and path), rather than a WebSocket opening handshake.
 */
bool arb_sim_http_wants(const struct arb_sim_exch *x, const char *head, size_t len);

/*
 * Serves HTTP/1.1 requests on the connection until the client closes, asks
 * to (Connection: close), goes idle, or a fault drops it. The first request's
 * bytes are already in the connection's input buffer.
 */
void arb_sim_http_serve(struct arb_sim_conn *c);

#endif /* ARB_TOOLS_SIM_HTTP_H */
