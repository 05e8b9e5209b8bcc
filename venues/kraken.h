/* SPDX-License-Identifier: MIT */
/*
 * Kraken spot order entry over WebSocket v2: `add_order` and the dead man's
 * switch `cancel_all_orders_after`, authorised by a token fetched over REST
 * (GetWebSocketsToken, signed with API-Sign), and `executions` back as fills.
 */
#ifndef ARB_VENUES_KRAKEN_H
#define ARB_VENUES_KRAKEN_H

#include "venue.h"

#include <stddef.h>
#include <stdint.h>

#define ARB_KRAKEN_TOKEN_MAX 128 /* tokens are ~43 base64 characters; NUL included */
#define ARB_KRAKEN_SIGN_LEN  88  /* base64 of a 64-byte HMAC-SHA512 */

extern const struct arb_venue_ops arb_venue_kraken;

/*
 * API-Sign for a private REST call: base64(HMAC-SHA512(path + SHA256(nonce +
 * postdata), base64-decoded secret)). Writes ARB_KRAKEN_SIGN_LEN characters
 * and a NUL into sign. Returns 0, or -EINVAL when k holds no Kraken keys.
 */
int arb_kraken_api_sign(const struct arb_venue_keys *k, const char *path, const char *nonce,
                        const char *postdata, char *sign);

/*
 * The whole HTTP/1.1 request `POST /0/private/GetWebSocketsToken` with body
 * "nonce=<nonce>" and its API-Key/API-Sign headers. nonce must grow with every
 * private call on the key. Returns its length, -ENOSPC or -EINVAL.
 */
int arb_kraken_token_request(const struct arb_venue_keys *k, uint64_t nonce, char *buf, size_t len);

/*
 * Takes the token from a GetWebSocketsToken answer (a whole HTTP response or
 * its JSON body) into k: add_order and cancel_all_orders_after need it.
 * Returns 0, -EPROTO when Kraken answered with an error, -EINVAL when malformed.
 */
int arb_kraken_token_accept(struct arb_venue_keys *k, const char *msg, size_t len);

/* Sets the WebSocket token directly. Returns 0 or -EINVAL (too long, or needs escaping). */
int arb_kraken_set_token(struct arb_venue_keys *k, const char *token, size_t len);

/*
 * The dead man's switch: cancel every order unless this is sent again within
 * timeout_s seconds (0 disarms it). Returns the message's length, -ENOSPC or
 * -EINVAL (no token yet).
 */
int arb_kraken_cancel_after(const struct arb_venue_keys *k, uint32_t timeout_s, uint64_t req_id,
                            char *buf, size_t len);

#endif /* ARB_VENUES_KRAKEN_H */
