/* SPDX-License-Identifier: MIT */
/* Formatting side of the fixed-point decimals, and the cold half of parsing. */
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

int arb_fixed_parse_slow(const char *s, size_t len, int64_t *out)
{
    const char *p = s, *end = s + len;
    int neg = 0;
    uint64_t ip = 0, fp = 0;
    size_t idig = 0;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    while (p < end && (unsigned)(*p - '0') < 10) {
        ip = ip * 10 + (uint64_t)(*p - '0');
        idig++;
        /* 11 significant integer digits is the most an int64 _e8 holds; stop
         * before uint64 itself could wrap. Leading zeros do not count. */
        if (ip >= 100000000000ULL)
            return -ERANGE;
        p++;
    }
    if (idig == 0)
        return -EINVAL;
    if (p < end) {
        static const uint64_t scale[9] = {100000000, 10000000, 1000000, 100000, 10000,
                                          1000,      100,      10,      1};
        size_t fdig = 0;

        if (*p != '.')
            return -EINVAL;
        p++;
        if (p == end)
            return -EINVAL; /* "1." is not a number an exchange sends */
        while (p < end && fdig < ARB_FIXED_DECIMALS) {
            unsigned d = (unsigned)(*p - '0');
            if (d >= 10)
                return -EINVAL;
            fp = fp * 10 + d;
            fdig++;
            p++;
        }
        fp *= scale[fdig];
        for (; p < end; p++) {
            if (*p == '0')
                continue;
            return (unsigned)(*p - '0') < 10 ? -EDOM : -EINVAL;
        }
    }
    if (ip > (uint64_t)INT64_MAX / ARB_FIXED_ONE)
        return -ERANGE;
    {
        uint64_t mag = ip * (uint64_t)ARB_FIXED_ONE + fp;
        if (mag > (uint64_t)INT64_MAX + (uint64_t)neg)
            return -ERANGE;
        *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    }
    return 0;
}

int arb_fixed_parse_cstr(const char *s, int64_t *out)
{
    return arb_fixed_parse(s, strlen(s), out);
}

int arb_fixed_parse_sci(const char *s, size_t len, int64_t *out)
{
    /* [-]digits[.digits](e|E)[+-]digits, rewritten as plain digits and a scale. */
    char digits[40];
    size_t nd = 0, i = 0;
    int neg = 0, point = -1, exp = 0, eneg = 0;

    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    for (; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.' && point < 0) {
            point = (int)nd;
            continue;
        }
        if ((unsigned)(s[i] - '0') > 9 || nd == sizeof(digits))
            return -EINVAL;
        digits[nd++] = s[i];
    }
    if (nd == 0 || i == len)
        return -EINVAL;
    i++;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        eneg = s[i++] == '-';
    if (i == len)
        return -EINVAL;
    for (; i < len; i++) {
        if ((unsigned)(s[i] - '0') > 9 || exp > 400)
            return -EINVAL;
        exp = exp * 10 + (s[i] - '0');
    }
    if (point < 0)
        point = (int)nd;
    /* Decimal point position after the exponent; digits at or past 8 decimals round. */
    int pos = point + (eneg ? -exp : exp);
    __int128 v = 0;
    int round_digit = 0;
    /* Digit k weighs 10^(pos - 1 - k) units, i.e. 10^(pos + 7 - k) in _e8. */
    for (int k = 0; k < pos + ARB_FIXED_DECIMALS + 1; k++) {
        int dig = k < (int)nd ? digits[k] - '0' : 0;
        if (k < pos + ARB_FIXED_DECIMALS) {
            v = v * 10 + dig;
            if (v > (__int128)INT64_MAX)
                return -ERANGE;
        } else {
            round_digit = dig;
        }
    }
    if (round_digit >= 5)
        v++;
    if (v > (__int128)INT64_MAX)
        return -ERANGE;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}
