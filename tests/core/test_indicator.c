/* SPDX-License-Identifier: MIT */
/*
 * core/indicator and core/fxmath against straightforward floating-point
 * references over random price series: EWMA z-score, Wilder's RSI(14),
 * Bollinger(20, 2 sigma), and the fixed-point ln, exp and power.
 */
#include "core/fxmath.h"
#include "core/indicator.h"
#include "test.h"

#include <math.h>

#define E8 100000000.0

struct ref_rsi {
    double prev, ag, al;
    int n;
};

static double ref_rsi(struct ref_rsi *r, double x)
{
    if (r->n++ == 0) {
        r->prev = x;
        return 50;
    }
    double ch = x - r->prev, g = ch > 0 ? ch : 0, l = ch < 0 ? -ch : 0;
    r->prev = x;
    if (r->n <= 15) {
        r->ag += g;
        r->al += l;
        if (r->n < 15)
            return 50;
        r->ag /= 14;
        r->al /= 14;
    } else {
        r->ag = (r->ag * 13 + g) / 14;
        r->al = (r->al * 13 + l) / 14;
    }
    return r->ag + r->al > 0 ? 100 * r->ag / (r->ag + r->al) : 50;
}

static void test_series(uint64_t seed, double vol)
{
    struct arb_ewma e = {0};
    struct arb_rsi r = {0};
    struct arb_boll b = {0};
    struct ref_rsi rr = {0};
    double mean = 0, var = 0, win[20];
    double price = 1.0;
    int n = 0, bad = 0;

    for (int i = 0; i < 20000; i++) {
        double u = (double)(t_rand(&seed) >> 11) / 9007199254740992.0 - 0.5;
        price += u * vol;
        if (price < 0.5)
            price = 0.5;
        int64_t x = (int64_t)llround(price * E8);
        double xd = (double)x / E8; /* the reference sees exactly what we see */

        /* EWMA: z against the state before x, alpha 1/16. */
        arb_ewma_update(&e, x);
        int64_t z = arb_ewma_z(&e);
        double zr = 0;
        if (i == 0) {
            mean = xd;
            var = 0;
        } else {
            double d = xd - mean;
            zr = var > 0 ? d / sqrt(var) : 0;
            mean += d / 16;
            var += (d * d - var) / 16;
        }
        if (var > 1e-12 && fabs((double)z / 1e4 - zr) > 0.01 + 0.001 * fabs(zr))
            if (bad++ < 5)
                T_FAIL("ewma z at %d: %.4f vs reference %.4f", i, (double)z / 1e4, zr);
        if (fabs((double)e.mean_e8 / E8 - mean) > 1e-6)
            if (bad++ < 5)
                T_FAIL("ewma mean at %d: %.8f vs %.8f", i, (double)e.mean_e8 / E8, mean);

        arb_rsi_update(&r, x);
        double rs = (double)arb_rsi_value(&r) / 100, rsr = ref_rsi(&rr, xd);
        if (fabs(rs - rsr) > 0.05)
            if (bad++ < 5)
                T_FAIL("rsi at %d: %.2f vs reference %.2f", i, rs, rsr);

        struct arb_boll_out bo;
        arb_boll_update(&b, x);
        arb_boll_bands(&b, x, &bo);
        win[n % 20] = xd;
        n++;
        int m = n < 20 ? n : 20;
        double s = 0, ss = 0;
        for (int k = 0; k < m; k++)
            s += win[k];
        double mu = s / m;
        for (int k = 0; k < m; k++)
            ss += (win[k] - mu) * (win[k] - mu);
        double sd = sqrt(ss / m);
        if (fabs((double)bo.mid_e8 / E8 - mu) > 2e-8 ||
            fabs((double)bo.upper_e8 / E8 - (mu + 2 * sd)) > 1e-7 ||
            fabs((double)bo.lower_e8 / E8 - (mu - 2 * sd)) > 1e-7)
            if (bad++ < 5)
                T_FAIL("bollinger at %d: mid %.8f/%.8f upper %.8f/%.8f", i, (double)bo.mid_e8 / E8,
                       mu, (double)bo.upper_e8 / E8, mu + 2 * sd);
        if (sd > 1e-6) {
            double pb = (xd - (mu - 2 * sd)) / (4 * sd);
            if (fabs((double)bo.pct_b_e4 / 1e4 - pb) > 0.002)
                if (bad++ < 5)
                    T_FAIL("%%b at %d: %.4f vs %.4f", i, (double)bo.pct_b_e4 / 1e4, pb);
        }
    }
}

static void test_fxmath(void)
{
    uint64_t seed = 99;
    for (int i = 0; i < 100000; i++) {
        uint64_t x = t_rand(&seed) >> (t_rand(&seed) % 64);
        uint64_t r = arb_fx_isqrt(x);
        if (!((unsigned __int128)r * r <= x && (unsigned __int128)(r + 1) * (r + 1) > x)) {
            T_FAIL("isqrt(%llu) = %llu", (unsigned long long)x, (unsigned long long)r);
            break;
        }
    }
    CHECK_EQ_U64(arb_fx_isqrt(UINT64_MAX), 4294967295ULL);
    for (double v = 0.001; v < 1000; v *= 1.37) {
        arb_i128 x = (arb_i128)(v * 1e16);
        double l = (double)arb_fx_ln16(x) / 1e16;
        if (fabs(l - log((double)x / 1e16)) > 1e-12)
            T_FAIL("ln(%g) = %.15f vs %.15f", v, l, log(v));
    }
    for (double y = -20; y < 20; y += 0.731) {
        double e = (double)arb_fx_exp16((arb_i128)(y * 1e16)) / 1e16;
        if (fabs(e - exp(y)) > 1e-12 * exp(y) + 2e-16)
            T_FAIL("exp(%g) = %.15g vs %.15g", y, e, exp(y));
    }
    double p = (double)arb_fx_pow16((arb_i128)(1.0001 * 1e16), 21) / 1e16;
    CHECK(fabs(p - pow(1.0001, 21)) < 1e-14);
}

int main(void)
{
    test_series(1, 0.0004); /* a calm stablecoin */
    test_series(2, 0.01);   /* a depeg's swings */
    test_fxmath();
    return T_DONE();
}
