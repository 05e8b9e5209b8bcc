/* SPDX-License-Identifier: MIT */
/*
 * The order side of a venue plug-in: one table of hooks per venue that turns
 * an intent's leg into the venue's own signed order request, and the venue's
 * answers (acks, fills, rejects) back into executions. The gateway owns the
 * connection; the plug-in only encodes and parses.
 */
#ifndef ARB_VENUES_VENUE_H
#define ARB_VENUES_VENUE_H

#include "core/intent.h"

#include <stddef.h>
#include <stdint.h>

#define ARB_CLID_MAX 36 /* client order id, NUL included; every venue takes 32+ chars */

/* One order to send: a leg, and what identifies it. */
struct arb_order {
    const struct arb_leg *leg;
    const char *symbol; /* the venue's spelling of leg->instrument */
    size_t symbol_len;
    char clid[ARB_CLID_MAX]; /* unique per run, traceable to the signal */
    uint64_t ts_ms;          /* the venue's request timestamp, ms since the epoch */
    uint64_t req_id;         /* request id for WebSocket APIs that echo one */
};

enum arb_exec_kind {
    ARB_EXEC_NONE = 0,       /* not an execution report: a heartbeat, a status... */
    ARB_EXEC_ACK = 1,        /* accepted, nothing filled yet */
    ARB_EXEC_FILL = 2,       /* filled, completely */
    ARB_EXEC_PARTIAL = 3,    /* filled in part; for IOC the rest is cancelled */
    ARB_EXEC_REJECT = 4,     /* refused by the venue: code and reason say why */
    ARB_EXEC_EXPIRED = 5,    /* IOC with nothing filled */
    ARB_EXEC_RATE_LIMIT = 6, /* refused for a rate limit (HTTP 429/418, -1003, ...) */
    ARB_EXEC_UNKNOWN = 7,    /* the venue failed (5xx, Binance -1007): the order's fate is
                                unknown until queried, so neither filled nor rejected */
};

/* What came back for one order. Quantities are cumulative for the order. */
struct arb_exec {
    uint8_t kind; /* enum arb_exec_kind */
    char clid[ARB_CLID_MAX];
    int64_t filled_qty_e8; /* cumulative; -1 when the report does not say */
    int64_t avg_px_e8;     /* average fill price, 0 when nothing filled */
    int64_t fee_e8;        /* in the quote currency, when the venue reports it: for the
                              fills this message reports (Binance, Kraken), cumulative
                              (Coinbase) */
    int32_t code;          /* the venue's error code on a reject (HTTP status if none) */
    uint64_t venue_ts_ms;
    uint64_t req_id; /* the request id a WebSocket API echoed (0: none). A reject
                        carries no client order id on Binance or Kraken: the gateway
                        matches it by this */
    char reason[96]; /* the venue's message on a reject */
};

/*
 * Credentials and precomputed signing state. Secrets live only here, in
 * memory: never logged, never written out. Filled by creds_init.
 */
struct arb_venue_keys {
    char api_key[128];
    unsigned char secret[128]; /* raw secret bytes (Kraken's is base64-decoded) */
    size_t secret_len;
    void *sign_state; /* plug-in private: HMAC pads, EVP_PKEY, ... */
};

struct arb_venue_ops {
    const char *name;      /* Tardis.dev id, as for the feeds */
    const char *order_url; /* the venue's order-entry endpoint (WebSocket API or REST base) */
    /*
     * Prepares signing from an API key and secret (as the venue issues them:
     * hex/base64/PEM). Returns 0 on success, -errno on failure (never
     * printing the secret).
     */
    int (*keys_init)(struct arb_venue_keys *k, const char *api_key, const char *secret);
    void (*keys_free)(struct arb_venue_keys *k);
    /*
     * Writes the signed request for one IOC limit order into buf. Returns its
     * length, -ENOSPC, or -EINVAL for an order the venue would refuse anyway
     * (no side, price or quantity <= 0, a client id or symbol that would need
     * escaping) or keys not ready (Kraken without a WebSocket token).
     * Gateway thread only: signing may use per-key scratch in sign_state.
     */
    int (*encode_order)(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                        size_t len);
    /*
     * Parses one message from the order connection (or a whole HTTP response
     * for REST order entry). Returns the number of executions written (0 for
     * messages that are not about orders), -EINVAL for a malformed message,
     * or -ENOSPC when it reports on more orders than max (nothing is dropped
     * silently).
     */
    int (*parse_exec)(const char *msg, size_t len, struct arb_exec *out, int max);
    /*
     * Optional: writes a signed request for the state of the order placed as `o`
     * (same client id, leg and symbol; o->req_id and o->ts_ms fresh), answered
     * so that parse_exec reports the order's cumulative fill. The gateway asks
     * when a re-sent order comes back as a duplicate: the venue booked the first
     * send, whose answer the dropped connection lost. Returns the length or -errno.
     */
    int (*encode_query)(const struct arb_venue_keys *k, const struct arb_order *o, char *buf,
                        size_t len);
    /*
     * Optional, slow path: readies a session before its connection opens
     * (Kraken fetches its WebSocket token over REST from order_url's host).
     * Returns 0 or -errno with err set (never quoting a secret).
     */
    int (*session_prepare)(struct arb_venue_keys *k, const char *order_url, const char *ca_file,
                           char *err, size_t errlen);
    /*
     * Optional: the venue's cancel-on-disconnect message (a dead man's
     * switch), sent when the connection opens and every keepalive_ms after,
     * so a silent engine's orders are cancelled by the venue. Returns the
     * length or -errno.
     */
    int (*keepalive)(const struct arb_venue_keys *k, uint64_t req_id, char *buf, size_t len);
    uint32_t keepalive_ms;
    /*
     * Optional: a request to send once the connection opens, before any
     * order, so the venue reports executions on it (Kraken's `executions`
     * channel). Returns the length, 0 for none, or -errno.
     */
    int (*on_open)(const struct arb_venue_keys *k, uint64_t req_id, char *buf, size_t len);
    /*
     * REST order entry (Coinbase): the session is an HTTP/1.1 keep-alive
     * connection (http:// or https://) instead of a WebSocket. encode_order
     * writes a whole request, sent as it is; answers are whole responses,
     * matched to requests in order, for parse_exec.
     */
    uint8_t rest;
    /*
     * Optional, REST: when an answer (to an order, or to encode_followup's
     * request) leaves the order's fills still to be asked for, copies the
     * venue's order id into oid (cap bytes, NUL included) and returns its
     * length; 0 when nothing more is needed (a refusal, a final state);
     * -EINVAL for a malformed answer.
     */
    int (*rest_pending)(const char *msg, size_t len, char *oid, size_t cap);
    /*
     * Optional, REST: writes the signed request for the state and fills of the
     * venue's order `oid`, answered so that parse_exec reports the order's
     * cumulative fill. Returns the length or -errno.
     */
    int (*encode_followup)(const struct arb_venue_keys *k, const char *oid, uint64_t ts_ms,
                           char *buf, size_t len);
    /*
     * Optional, cold: precomputes signing material while the gateway has
     * nothing else to do (Coinbase signs create-order JWTs ahead). Each call
     * does at most one costly step. Returns the steps done (0: nothing left
     * to do) or -errno.
     */
    int (*idle)(struct arb_venue_keys *k, uint64_t now_ms);
    /* Published limits, used as the token buckets' defaults. */
    uint32_t orders_per_10s; /* order-count limit per 10 s (0: none published) */
    uint32_t weight_per_min; /* request weight per minute (0: none published) */
    uint16_t order_weight;   /* weight of one order request */
};

/* Looks a venue's order plug-in up by name. NULL when arbiter has none. */
const struct arb_venue_ops *arb_venue_ops_find(const char *name);

#endif /* ARB_VENUES_VENUE_H */
