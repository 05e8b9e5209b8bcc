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

#include <math.h>
#include <stdint.h>

#define ARB_FX_E16 10000000000000000LL /* 1.0 in _e16 */

typedef __int128 arb_i128; /* the one typedef: C has no 128-bit spelling */

/*
 * floor(sqrt(x)) for any uint64: the FPU's correctly rounded square root as
 * the guess, then an exact integer correction, so the result is the same
 * integer everywhere and costs ~20 cycles instead of a Newton loop of divides.
 */
static inline uint64_t arb_fx_isqrt(uint64_t x)
{
    uint64_t r = (uint64_t)__builtin_sqrt((double)x);

    if (r > 0xffffffffULL)
        r = 0xffffffffULL;
    while (r * r > x)
        r--;
    while (r < 0xffffffffULL && (r + 1) * (r + 1) <= x)
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
