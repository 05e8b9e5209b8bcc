/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the WebSocket receive path: the frame decoder (every
 * accepted header re-encodes to the same bytes) and arb_ws_input (the same
 * stream fed whole and in random pieces must deliver the same messages).
 */
#include "feeds/ws.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over everything delivered, so two runs can be compared. */
struct digest {
    uint64_t h;
    uint64_t msgs;
    uint32_t max_msg;
};

static void mix(struct digest *d, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ULL;
}

static void on_msg(void *ctx, enum arb_ws_opcode op, const uint8_t *p, size_t n, uint64_t ts)
{
    struct digest *d = ctx;
    uint32_t o = op;

    if (n > d->max_msg || (op != ARB_WS_TEXT && op != ARB_WS_BINARY))
        abort();
    mix(d, &o, sizeof(o));
    mix(d, &n, sizeof(n));
    mix(d, p, n); /* reads every byte, so ASan checks the bounds */
    mix(d, &ts, sizeof(ts));
    d->msgs++;
}

static void fuzz_decoder(const uint8_t *data, size_t size)
{
    uint8_t again[ARB_WS_HEADER_MAX];
    struct arb_ws_frame f;

    for (size_t off = 0; off < size;) {
        int rc = arb_ws_frame_decode(data + off, size - off, 1u << 20, &f);
        if (rc <= 0) {
            off++;
            continue;
        }
        if ((size_t)rc > size - off || rc > ARB_WS_HEADER_MAX || f.header_len != (uint32_t)rc)
            abort();
        /* Only minimal encodings are accepted, so the header re-encodes byte for byte. */
        size_t h = arb_ws_frame_encode(again, f.fin, (enum arb_ws_opcode)f.opcode, f.payload_len,
                                       f.masked ? f.mask : NULL);
        if (h != (size_t)rc || memcmp(again, data + off, h) != 0)
            abort();
        off += (size_t)rc;
    }
}

static struct arb_ws ws;
static struct digest dig;

/* Feeds the stream in pieces sized by `seed` (0: whole); returns the digest. */
static uint64_t run(const uint8_t *data, size_t size, uint32_t seed, int *state, int *err)
{
    arb_ws_reset(&ws);
    arb_ws_open_detached(&ws);
    dig.h = 0xcbf29ce484222325ULL;
    dig.msgs = 0;
    for (size_t off = 0; off < size;) {
        size_t n = size - off;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 16) % 97;
            if (n > size - off)
                n = size - off;
        }
        /* The timestamp of the piece that completes a message differs between runs. */
        arb_ws_input(&ws, data + off, n, 0);
        off += n;
    }
    *state = ws.state;
    *err = ws.err;
    mix(&dig, &ws.conn.tx_tail, sizeof(ws.conn.tx_tail));
    return dig.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    int s1, s2, e1, e2;

    if (!ready) {
        struct arb_ws_config cfg = {
            .max_msg = 4096, .on_msg = on_msg, .ctx = &dig, .conn.tx_size = 8192};
        if (arb_ws_init(&ws, NULL, &cfg) != 0)
            abort();
        dig.max_msg = cfg.max_msg;
        ready = 1;
    }
    fuzz_decoder(data, size);
    if (size < 1)
        return 0;
    uint32_t seed = data[0] | 1u;
    uint64_t whole = run(data + 1, size - 1, 0, &s1, &e1);
    uint64_t msgs = dig.msgs;
    uint64_t pieces = run(data + 1, size - 1, seed, &s2, &e2);
    if (whole != pieces || msgs != dig.msgs || s1 != s2 || e1 != e2)
        abort();
    return 0;
}
