/* SPDX-License-Identifier: MIT */
/* Fixed-point logarithm and exponential by range reduction and short series. */
#include "fxmath.h"

#define LN2_E16 6931471805599453LL /* ln 2 = 0.6931471805599453094 */

arb_i128 arb_fx_ln16(arb_i128 x)
{
    if (x <= 0)
        return -((arb_i128)1 << 100);
    /* x = m * 2^k with m in [1, 2). */
    int k = 0;
    while (x >= 2 * (arb_i128)ARB_FX_E16) {
        x /= 2;
        k++;
    }
    while (x < ARB_FX_E16) {
        x *= 2;
        k--;
    }
    /* ln m = 2 atanh(z), z = (m-1)/(m+1) <= 1/3: the series gains a digit per term. */
    arb_i128 z = (x - ARB_FX_E16) * ARB_FX_E16 / (x + ARB_FX_E16);
    arb_i128 z2 = arb_fx_mul16(z, z), term = z, sum = 0;
    for (int n = 1; n < 60 && term != 0; n += 2) {
        sum += term / n;
        term = arb_fx_mul16(term, z2);
    }
    return 2 * sum + (arb_i128)k * LN2_E16;
}

arb_i128 arb_fx_exp16(arb_i128 y)
{
    if (y > 40 * (arb_i128)ARB_FX_E16)
        y = 40 * (arb_i128)ARB_FX_E16;
    if (y < -40 * (arb_i128)ARB_FX_E16)
        return 0;
    /* y = k ln2 + t with |t| <= ln2 / 2, then e^y = 2^k e^t. */
    arb_i128 k = (y >= 0 ? y + LN2_E16 / 2 : y - LN2_E16 / 2) / LN2_E16;
    arb_i128 t = y - k * LN2_E16;
    arb_i128 term = ARB_FX_E16, sum = ARB_FX_E16;
    for (int n = 1; n < 40 && term != 0; n++) {
        term = arb_fx_mul16(term, t) / n;
        sum += term;
    }
    return k >= 0 ? sum << (int)k : sum >> (int)-k;
}
