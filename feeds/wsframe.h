/* SPDX-License-Identifier: MIT */
/*
 * RFC 6455 frame codec, shared by the WebSocket client and the venue
 * simulator. Pure functions over caller buffers: no I/O, no allocation.
 */
#ifndef ARB_FEEDS_WSFRAME_H
#define ARB_FEEDS_WSFRAME_H

#include <stddef.h>
#include <stdint.h>

enum arb_ws_opcode {
    ARB_WS_CONT = 0x0,
    ARB_WS_TEXT = 0x1,
    ARB_WS_BINARY = 0x2,
    ARB_WS_CLOSE = 0x8,
    ARB_WS_PING = 0x9,
    ARB_WS_PONG = 0xA,
};

#define ARB_WS_HEADER_MAX 14 /* 2 + 8 (64-bit length) + 4 (mask) */

struct arb_ws_frame {
    uint8_t fin;          /* 1 on the last fragment */
    uint8_t opcode;       /* enum arb_ws_opcode */
    uint8_t masked;       /* 1 when a mask key follows (client-to-server) */
    uint8_t mask[4];      /* the key, when masked */
    uint32_t header_len;  /* bytes before the payload */
    uint64_t payload_len; /* bytes of payload */
};

/*
 * Decodes the frame header at buf[0..len). Returns the header length (> 0),
 * 0 when more bytes are needed, -EPROTO on a protocol violation (reserved
 * bits, unknown opcode, fragmented or over-long control frame, non-minimal
 * length encoding, length with the top bit set) and -EMSGSIZE when the
 * payload exceeds max_payload.
 */
int arb_ws_frame_decode(const uint8_t *buf, size_t len, uint64_t max_payload,
                        struct arb_ws_frame *f);

/*
 * Encodes a frame header into out (ARB_WS_HEADER_MAX bytes). `mask` NULL
 * means unmasked (server-to-client). Returns the header length.
 */
size_t arb_ws_frame_encode(uint8_t *out, int fin, enum arb_ws_opcode opcode, uint64_t payload_len,
                           const uint8_t *mask);

/* XORs n bytes with the mask key, `offset` bytes into the payload. */
void arb_ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset);

/* Writes the Sec-WebSocket-Accept value for `key` (RFC 6455 4.2.2) into out[29]. */
void arb_ws_accept(const char *key, size_t key_len, char out[29]);

#endif /* ARB_FEEDS_WSFRAME_H */
