/* SPDX-License-Identifier: MIT */
/*
 * The server side of the RFC 6455 opening handshake: checks a client's HTTP
 * upgrade request and writes the 101 answer (or the HTTP error that says what
 * was wrong). Pure functions over caller buffers.
 */
#ifndef ARB_TOOLS_SIM_HANDSHAKE_H
#define ARB_TOOLS_SIM_HANDSHAKE_H

#include <stddef.h>

#define ARB_SIM_REQ_MAX    8192 /* longest request head accepted, in bytes */
#define ARB_SIM_TARGET_MAX 1024 /* longest request-target kept */

/* What the handshake learned. */
struct arb_sim_request {
    int status;                      /* 101 on success, else the HTTP status sent */
    char target[ARB_SIM_TARGET_MAX]; /* "/stream?streams=..." */
    char reason[96];                 /* why it failed, for logs and the error body */
};

/*
 * Returns the length of the request head in buf[0..len) including its blank
 * line, 0 when it is not complete yet, or -EMSGSIZE when it exceeds
 * ARB_SIM_REQ_MAX.
 */
int arb_sim_handshake_head_len(const char *buf, size_t len);

/*
 * Checks the request head (method GET, HTTP/1.1, Host, Upgrade: websocket,
 * Connection: Upgrade, Sec-WebSocket-Version: 13, a Sec-WebSocket-Key of 16
 * base64 bytes) and writes the full response into resp. Returns the response
 * length; req->status says whether it is the 101.
 */
size_t arb_sim_handshake_answer(const char *head, size_t len, struct arb_sim_request *req,
                                char *resp, size_t resp_cap);

#endif /* ARB_TOOLS_SIM_HANDSHAKE_H */
