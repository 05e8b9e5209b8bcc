/* SPDX-License-Identifier: MIT */
/* core/hist: bucket geometry, percentiles against a sorted array, merge. */
#include "core/hist.h"
#include "test.h"

#include <math.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_geometry(void)
{
    uint64_t seed = 7;
    for (int i = 0; i < 1000000; i++) {
        uint64_t r = t_rand(&seed);
        uint64_t v = r >> (24 + r % 40); /* spread over every power of two */
        if (v > ARB_HIST_MAX)
            v = ARB_HIST_MAX;
        uint32_t idx = arb_hist_index(v);
        REQUIRE(idx < ARB_HIST_BUCKETS);
        uint64_t lo = arb_hist_bucket_low(idx), hi = arb_hist_bucket_high(idx);
        if (v < lo || v > hi)
            T_FAIL("v=%llu outside bucket %u [%llu,%llu]", (unsigned long long)v, idx,
                   (unsigned long long)lo, (unsigned long long)hi);
        /* Three significant digits: the bucket is at most 1/1024 of its value. */
        if (lo && (double)(hi - lo) / (double)lo > 1.0 / 1024)
            T_FAIL("bucket %u too wide: [%llu,%llu]", idx, (unsigned long long)lo,
                   (unsigned long long)hi);
        if (t_failures)
            return;
    }
    for (uint64_t v = 0; v < 2048; v++)
        CHECK_EQ_U64(arb_hist_bucket_low(arb_hist_index(v)), v); /* exact below 2048 */
    CHECK_EQ_U64(arb_hist_index(ARB_HIST_MAX), ARB_HIST_BUCKETS - 1);
    /* One minute is inside the range. */
    CHECK(arb_hist_index(60ULL * 1000000000ULL) < ARB_HIST_BUCKETS);
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)n - 1e-9);
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static void check_dist(const char *name, uint64_t *vals, size_t n)
{
    struct arb_hist *h = arb_hist_create();
    REQUIRE(h);
    for (size_t i = 0; i < n; i++)
        arb_hist_record(h, vals[i]);
    qsort(vals, n, sizeof(*vals), cmp_u64);
    static const double ps[] = {1, 10, 50, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        uint64_t want = exact_percentile(vals, n, ps[i]);
        uint64_t got = arb_hist_percentile(h, ps[i]);
        double rel = want ? fabs((double)got - (double)want) / (double)want : (double)got;
        if (rel > 1.0 / 1024 + 1e-12)
            T_FAIL("%s p%g: got %llu, exact %llu (rel %.6f)", name, ps[i], (unsigned long long)got,
                   (unsigned long long)want, rel);
    }
    CHECK_EQ_U64(h->count, n);
    CHECK_EQ_U64(h->min, vals[0]);
    CHECK_EQ_U64(h->max, vals[n - 1]);
    arb_hist_destroy(h);
}

static void test_percentiles(void)
{
    enum { N = 200000 };
    static uint64_t v[N];
    uint64_t seed = 42;

    for (size_t i = 0; i < N; i++)
        v[i] = 1 + t_rand(&seed) % 5000;
    check_dist("uniform", v, N);
    for (size_t i = 0; i < N; i++) {
        /* Log-uniform from 1 ns to 60 s: the latency-like case. */
        double u = (double)(t_rand(&seed) >> 11) / 9007199254740992.0;
        v[i] = (uint64_t)exp(u * log(60e9));
    }
    check_dist("loguniform", v, N);
    for (size_t i = 0; i < N; i++)
        v[i] = 1000 + (i % 100 == 0 ? 1000000 : t_rand(&seed) % 50); /* 1% outliers */
    check_dist("bimodal", v, N);
    for (size_t i = 0; i < 1000; i++)
        v[i] = i + 1;
    check_dist("small", v, 1000);
}

static void test_merge_and_empty(void)
{
    struct arb_hist *a = arb_hist_create(), *b = arb_hist_create(), *all = arb_hist_create();
    uint64_t seed = 3;
    REQUIRE(a && b && all);
    CHECK_EQ_U64(arb_hist_percentile(a, 50), 0);
    for (int i = 0; i < 100000; i++) {
        uint64_t v = t_rand(&seed) % 1000000;
        arb_hist_record(i & 1 ? a : b, v);
        arb_hist_record(all, v);
    }
    arb_hist_merge(a, b);
    CHECK(memcmp(a->counts, all->counts, sizeof(a->counts)) == 0);
    CHECK_EQ_U64(a->count, all->count);
    CHECK_EQ_U64(a->min, all->min);
    CHECK_EQ_U64(a->max, all->max);
    CHECK_EQ_U64(arb_hist_percentile(a, 99.9), arb_hist_percentile(all, 99.9));
    /* Values beyond the range are clamped and counted, not lost. */
    arb_hist_record(all, ARB_HIST_MAX + 12345);
    CHECK_EQ_U64(all->clamped, 1);
    CHECK_EQ_U64(all->max, ARB_HIST_MAX + 12345);
    char json[512];
    int n = arb_hist_json(a, json, sizeof(json));
    CHECK(n > 0 && (size_t)n < sizeof(json));
    CHECK(strstr(json, "\"p99.9\":") != NULL && json[0] == '{' && json[n - 1] == '}');
    arb_hist_destroy(a);
    arb_hist_destroy(b);
    arb_hist_destroy(all);
}

int main(void)
{
    test_geometry();
    test_percentiles();
    test_merge_and_empty();
    return T_DONE();
}
