/* SPDX-License-Identifier: MIT */
/*
 * Coinbase Advanced Trade order entry: `POST /api/v3/brokerage/orders` with an
 * sor_limit_ioc configuration, authorised by a per-request CDP JWT signed
 * ES256 (or EdDSA for an Ed25519 key); create-order answers and the `user`
 * channel back as executions.
 */
#ifndef ARB_VENUES_COINBASE_H
#define ARB_VENUES_COINBASE_H

#include "venue.h"

#include <stddef.h>
#include <stdint.h>

#define ARB_COINBASE_JWT_TTL_S 120 /* nbf to exp: the longest CDP accepts */
#define ARB_COINBASE_JWT_MAX   768 /* header, payload and signature, base64url */

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

#endif /* ARB_VENUES_COINBASE_H */
