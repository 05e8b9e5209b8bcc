/* SPDX-License-Identifier: MIT */
/*
 * Captures of raw received frames, one per line. arbiter writes
 * `<receive_ts_ns> <payload>` (hftbacktest's raw form) and reads that, the
 * cryptofeed recorder's `<unix_seconds.fraction>: <payload>`, and bare payloads.
 */
#ifndef ARB_FEEDS_CAPTURE_H
#define ARB_FEEDS_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

enum arb_capture_kind {
    ARB_CAPTURE_EMPTY = 0, /* blank line */
    ARB_CAPTURE_FRAME = 1, /* a received frame: payload and, unless bare, its time */
    ARB_CAPTURE_META = 2,  /* "ws://..."/"wss://..." connection metadata or a sent frame */
};

/*
 * Classifies one line (without its newline). For a frame, payload and plen
 * point into line and *ts_ns is the receive time in ns since the epoch, or 0
 * for a bare payload. Returns the kind.
 */
enum arb_capture_kind arb_capture_line(const char *line, size_t len, uint64_t *ts_ns,
                                       const char **payload, size_t *plen);

#endif /* ARB_FEEDS_CAPTURE_H */
