/* SPDX-License-Identifier: MIT */
/*
 * Exact decimal fixed point: int64 with 8 decimals (`_e8`), the unit of every
 * price, quantity and rate in arbiter. Parsing never goes through a double.
 */
#ifndef ARB_CORE_FIXED_H
#define ARB_CORE_FIXED_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_FIXED_DECIMALS 8
#define ARB_FIXED_ONE      100000000LL /* 1.0 in _e8 */
#define ARB_FIXED_STRMAX   22          /* "-92233720368.54775808" plus NUL */

/*
 * Parses [-]digits[.digits] of exactly `len` bytes into *out (units of 1e-8).
 * Returns 0 on success; -EINVAL on an empty string or any other character
 * (no '+', no exponent, no spaces); -ERANGE when the value does not fit in
 * int64 _e8; -EDOM when a nonzero digit lies beyond the 8th decimal.
 * Extra decimals that are all zero ("1.0000000000") are exact and accepted.
 */
static inline int arb_fixed_parse(const char *s, size_t len, int64_t *out)
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

/*
 * Writes the shortest exact decimal form of v into buf (no trailing zeros,
 * no exponent, "0" for zero) and NUL-terminates it. buf needs
 * ARB_FIXED_STRMAX bytes. Returns the length, not counting the NUL.
 */
size_t arb_fixed_format(int64_t v, char *buf);

/*
 * Slow path for numbers in exponent form ("1.5e-7", "-2E+3"), as JSON
 * writers emit them. Rounds half away from zero at the 8th decimal. Returns 0, -EINVAL
 * or -ERANGE.
 */
int arb_fixed_parse_sci(const char *s, size_t len, int64_t *out);

/* Parses a NUL-terminated string; same contract as arb_fixed_parse. */
int arb_fixed_parse_cstr(const char *s, int64_t *out);

/* Converts to double, for display and the slow path only. */
static inline double arb_fixed_to_double(int64_t v)
{
    return (double)v / (double)ARB_FIXED_ONE;
}

#endif /* ARB_CORE_FIXED_H */
