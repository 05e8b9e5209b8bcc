/* SPDX-License-Identifier: MIT */
/*
 * Integer math for decisions that the hot path must make exactly and
 * deterministically: square roots, powers, logarithms and exponentials in
 * fixed point. `_e16` values are scaled by 1e16 and carried in __int128.
 * Nothing here touches floating point, so a replay decides identically on
 * every machine.
 */
#ifndef ARB_CORE_FXMATH_H
#define ARB_CORE_FXMATH_H

#include <stdint.h>

#define ARB_FX_E16 10000000000000000LL /* 1.0 in _e16 */

typedef __int128 arb_i128; /* the one typedef: C has no 128-bit spelling */

/* floor(sqrt(x)) for any uint64. */
static inline uint64_t arb_fx_isqrt(uint64_t x)
{
    if (x == 0)
        return 0;
    /* Start from the top bit's square root and run Newton down: at most ~6 steps. */
    uint64_t r = 1ULL << ((64 - (unsigned)__builtin_clzll(x) + 1) / 2);
    for (;;) {
        uint64_t next = (r + x / r) / 2;
        if (next >= r)
            break;
        r = next;
    }
    while (r * r > x)
        r--;
    while ((r + 1) * (r + 1) <= x && r + 1 < (1ULL << 32))
        r++;
    return r;
}

/* a * b / 1e16 for _e16 operands, rounding toward zero. */
static inline arb_i128 arb_fx_mul16(arb_i128 a, arb_i128 b)
{
    return a * b / ARB_FX_E16;
}

/* x^n for an _e16 base and a small non-negative integer exponent. */
static inline arb_i128 arb_fx_pow16(arb_i128 x, unsigned n)
{
    arb_i128 r = ARB_FX_E16;

    while (n) {
        if (n & 1)
            r = arb_fx_mul16(r, x);
        n >>= 1;
        if (n)
            x = arb_fx_mul16(x, x);
    }
    return r;
}

/* Natural log of an _e16 value x > 0, as _e16. Returns INT64_MIN-ish for x <= 0. */
arb_i128 arb_fx_ln16(arb_i128 x);

/* e^y for an _e16 exponent, as _e16; saturates at about e^40. */
arb_i128 arb_fx_exp16(arb_i128 y);

#endif /* ARB_CORE_FXMATH_H */
