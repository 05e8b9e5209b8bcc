/* SPDX-License-Identifier: MIT */
/*
 * Binance order entry, spot and USDⓈ-M futures: signed `order.place` over the
 * WebSocket API, the same order as a REST request, and the answers (API
 * responses, executionReport, ORDER_TRADE_UPDATE) as executions. The two
 * markets differ only in the dialect below.
 */
#ifndef ARB_VENUES_BINANCE_H
#define ARB_VENUES_BINANCE_H

#include "venue.h"

#include <stddef.h>

/* Orders older than this on arrival are refused by the venue: the spread deadline is 5 s. */
#define ARB_BINANCE_RECV_WINDOW_MS 5000

/* Where spot and USDⓈ-M futures order entry differ. */
struct arb_binance_dialect {
    const char *rest_path; /* "/api/v3/order" */
    const char *rest_host; /* "api.binance.com" */
    const char *resp_type; /* newOrderRespType to ask for; NULL: the venue default */
};

extern const struct arb_binance_dialect arb_binance_spot;
extern const struct arb_binance_dialect arb_binance_futures;

extern const struct arb_venue_ops arb_venue_binance;
extern const struct arb_venue_ops arb_venue_binance_futures;

/*
 * Prepares signing for dialect d. secret is either the HMAC secret key as
 * Binance issues it (ASCII) or an Ed25519 private key in PEM. Returns 0,
 * -EINVAL for a malformed key, -ENOTSUP for another PEM key type, -ENOMEM.
 */
int arb_binance_keys_init(struct arb_venue_keys *k, const char *api_key, const char *secret,
                          const struct arb_binance_dialect *d);

/* Frees the signing state and wipes the key material. */
void arb_binance_keys_free(struct arb_venue_keys *k);

/* WebSocket API `order.place`; the contract of arb_venue_ops.encode_order. */
int arb_binance_encode_order(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                             size_t len);

/*
 * The same IOC limit order as a whole HTTP/1.1 request, `POST <rest_path>?<query>
 * &signature=..` with the X-MBX-APIKEY header. Returns its length, -ENOSPC or
 * -EINVAL, as encode_order does.
 */
int arb_binance_rest_order(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                           size_t len);

/*
 * Parses a WebSocket API response, a user-data event (executionReport,
 * ORDER_TRADE_UPDATE, bare or wrapped in "event" or "data"), or a whole
 * HTTP response to the REST order. Returns executions written (0 or 1),
 * or -EINVAL.
 */
/*
 * Writes the WebSocket API `order.status` request for the order whose client id
 * is o->clid, signed like an order. Returns the length, -EINVAL or -ENOSPC.
 */
int arb_binance_encode_query(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                             size_t len);

int arb_binance_parse_exec(const char *msg, size_t len, struct arb_exec *out, int max);

#endif /* ARB_VENUES_BINANCE_H */
