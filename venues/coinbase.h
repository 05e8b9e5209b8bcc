/* SPDX-License-Identifier: MIT */
/*
 * Coinbase Advanced Trade order entry: `POST /api/v3/brokerage/orders` with an
 * sor_limit_ioc configuration, authorised by a per-request CDP JWT signed
 * ES256 (or EdDSA for an Ed25519 key), over HTTP/1.1 keep-alive; create-order
 * answers, the follow-up historical-order query and the `user` channel back
 * as executions.
 */
#ifndef ARB_VENUES_COINBASE_H
#define ARB_VENUES_COINBASE_H

#include "venue.h"

#include <stddef.h>
#include <stdint.h>

#define ARB_COINBASE_JWT_TTL_S 120 /* nbf to exp: the longest CDP accepts */
#define ARB_COINBASE_JWT_MAX   768 /* header, payload and signature, base64url */
#define ARB_COINBASE_JWT_POOL  8   /* create-order JWTs signed ahead, per key */
#define ARB_COINBASE_JWT_REFRESH_S                                                                 \
    100 /* a pooled JWT this old is dropped: 20 s left for the trip */

/* What the pre-signed JWT pool has done. */
struct arb_coinbase_pool_stats {
    uint64_t hits;    /* orders that took a pooled JWT */
    uint64_t misses;  /* orders signed on the spot (pool empty) */
    uint64_t signed_; /* JWTs signed into the pool */
    uint64_t dropped; /* pooled JWTs that aged out unused */
    uint32_t ready;   /* pooled now (some may have aged since the last fill or take) */
};

extern const struct arb_venue_ops arb_venue_coinbase;

/*
 * Writes the NUL-terminated JWT for one request, uri being "<METHOD> <host><path>"
 * ("POST api.coinbase.com/api/v3/brokerage/orders"), valid from now_s for
 * ARB_COINBASE_JWT_TTL_S seconds, with a fresh random nonce. The ES256
 * signature is the raw r||s form JWS requires (RFC 7518 section 3.4), not DER.
 * Returns the JWT's length, -ENOSPC, -EINVAL or -EIO. Allocates inside OpenSSL.
 */
int arb_coinbase_jwt(const struct arb_venue_keys *k, const char *uri, uint64_t now_s, char *buf,
                     size_t len);

/*
 * The create-order JWT pool. Signing costs ~70 us and allocates inside
 * OpenSSL, so the gateway signs create-order JWTs (the URI is the same for
 * every order) while it is idle, through the plug-in's `idle` hook, and
 * encode_order only copies the oldest usable one in, falling back to signing
 * when the pool is empty. Each JWT is used once (its nonce is its own) and
 * dropped unused once ARB_COINBASE_JWT_REFRESH_S old. Gateway thread only.
 *
 * Drops aged JWTs, then signs up to max_sign more (nbf now_s) until the pool
 * holds ARB_COINBASE_JWT_POOL. Cold. Returns the number pooled, or -errno.
 */
int arb_coinbase_jwt_pool_fill(struct arb_venue_keys *k, uint64_t now_s, unsigned max_sign);

/* Copies the pool's counters into out. */
void arb_coinbase_jwt_pool_stats(const struct arb_venue_keys *k,
                                 struct arb_coinbase_pool_stats *out);

/*
 * Writes `GET /api/v3/brokerage/orders/historical/{order_id}` with its own JWT
 * (uri "GET api.coinbase.com/api/v3/brokerage/orders/historical/{order_id}",
 * nbf ts_ms / 1000): the order's status, filled size, average price and fees,
 * which parse_exec reports as an execution. Signs (~70 us): the URI names the
 * order, so it cannot come from the pool. Returns the length, -ENOSPC, -EINVAL
 * (an id that is not a UUID-like token) or -EIO.
 */
int arb_coinbase_encode_order_query(const struct arb_venue_keys *k, const char *order_id,
                                    uint64_t ts_ms, char *buf, size_t len);

#endif /* ARB_VENUES_COINBASE_H */
