/* SPDX-License-Identifier: MIT */
/* Classifies capture lines: arbiter's `<ns> <payload>`, cryptofeed's `<sec.frac>: <payload>`. */
#include "capture.h"

#include <string.h>

#define NS_PER_SEC 1000000000ULL

enum arb_capture_kind arb_capture_line(const char *line, size_t len, uint64_t *ts_ns,
                                       const char **payload, size_t *plen)
{
    const char *p = line, *end;
    uint64_t whole = 0, frac = 0;
    size_t nd = 0, fd = 0;

    /* Lines written on Windows or through a terminal may keep their CR. */
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    end = line + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end)
        return ARB_CAPTURE_EMPTY;
    if ((end - p >= 5 && memcmp(p, "ws://", 5) == 0) ||
        (end - p >= 6 && memcmp(p, "wss://", 6) == 0))
        return ARB_CAPTURE_META;

    /* 19 digits always fit in uint64 (10^19 < 2^64): only the 20th needs the test. */
    for (; p < end && (unsigned)(*p - '0') < 10; p++, nd++) {
        unsigned d = (unsigned)(*p - '0');
        if (nd >= 19 && (nd > 19 || whole > (UINT64_MAX - d) / 10))
            goto bare;
        whole = whole * 10 + d;
    }
    if (nd == 0)
        goto bare;
    if (p < end && *p == '.') {
        /* Digits past the ninth are below a nanosecond: truncated, never rounded up. */
        for (p++; p < end && (unsigned)(*p - '0') < 10; p++, fd++)
            if (fd < 9)
                frac = frac * 10 + (uint64_t)(*p - '0');
        if (fd == 0)
            goto bare;
        for (size_t i = fd; i < 9; i++)
            frac *= 10;
    }
    if (p < end && *p == ':') {
        /* cryptofeed: unix seconds, then ": " */
        if (whole > (UINT64_MAX - frac) / NS_PER_SEC)
            goto bare;
        p++;
        if (p < end && *p == ' ')
            p++;
        *ts_ns = whole * NS_PER_SEC + frac;
    } else if (p < end && *p == ' ' && fd == 0) {
        /* arbiter / hftbacktest: integer ns, then one space */
        p++;
        *ts_ns = whole;
    } else {
        goto bare;
    }
    *payload = p;
    *plen = (size_t)(end - p);
    return ARB_CAPTURE_FRAME;
bare:
    p = line;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    *ts_ns = 0;
    *payload = p;
    *plen = (size_t)(end - p);
    return ARB_CAPTURE_FRAME;
}
