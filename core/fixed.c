/* SPDX-License-Identifier: MIT */
/* Formatting side of the fixed-point decimals; parsing is inline in fixed.h. */
#include "fixed.h"

#include <string.h>

size_t arb_fixed_format(int64_t v, char *buf)
{
    /* Work on the magnitude as uint64 so INT64_MIN has no special case. */
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    uint64_t ip = mag / (uint64_t)ARB_FIXED_ONE;
    uint64_t fp = mag % (uint64_t)ARB_FIXED_ONE;
    char tmp[24];
    size_t n = 0, i = 0;

    if (v < 0)
        buf[n++] = '-';
    do {
        tmp[i++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    while (i)
        buf[n++] = tmp[--i];
    if (fp) {
        int digits = ARB_FIXED_DECIMALS;
        while (fp % 10 == 0) {
            fp /= 10;
            digits--;
        }
        buf[n++] = '.';
        for (int d = digits - 1; d >= 0; d--) {
            buf[n + (size_t)d] = (char)('0' + fp % 10);
            fp /= 10;
        }
        n += (size_t)digits;
    }
    buf[n] = '\0';
    return n;
}

int arb_fixed_parse_cstr(const char *s, int64_t *out)
{
    return arb_fixed_parse(s, strlen(s), out);
}
