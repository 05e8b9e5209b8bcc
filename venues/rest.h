/* SPDX-License-Identifier: MIT */
/*
 * One blocking HTTP/1.1 exchange over TCP or TLS, for session set-up that
 * happens before any order (Kraken's WebSocket token). Never on the hot path.
 */
#ifndef ARB_VENUES_REST_H
#define ARB_VENUES_REST_H

#include <stddef.h>

/*
 * Sends the complete request `req` to the host of `url` (http:// or https://,
 * ws:// and wss:// accepted as aliases), waits up to timeout_ms, and copies
 * the whole response, status line and headers included, into body
 * (NUL-terminated, cut at body_cap). https verifies the
 * certificate and host name against ca_file or the system store. Returns the
 * HTTP status (200...), or -errno with err set.
 */
int arb_rest_exchange(const char *url, const char *ca_file, const char *req, size_t req_len,
                      char *body, size_t body_cap, unsigned timeout_ms, char *err, size_t errlen);

#endif /* ARB_VENUES_REST_H */
