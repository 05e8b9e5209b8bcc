/* SPDX-License-Identifier: MIT */
/* Cold side of the histogram: percentiles, merge and reports. */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void arb_hist_init(struct arb_hist *h)
{
    memset(h, 0, sizeof(*h));
    h->min = UINT64_MAX;
}

struct arb_hist *arb_hist_create(void)
{
    struct arb_hist *h = malloc(sizeof(*h));

    if (h)
        arb_hist_init(h);
    return h;
}

void arb_hist_destroy(struct arb_hist *h)
{
    free(h);
}

uint64_t arb_hist_bucket_low(uint32_t idx)
{
    if (idx < 2 * ARB_HIST_SUB_HALF)
        return idx;
    uint32_t shift = idx / ARB_HIST_SUB_HALF - 1;
    return (uint64_t)(idx - shift * ARB_HIST_SUB_HALF) << shift;
}

uint64_t arb_hist_bucket_high(uint32_t idx)
{
    if (idx < 2 * ARB_HIST_SUB_HALF)
        return idx;
    uint32_t shift = idx / ARB_HIST_SUB_HALF - 1;
    return arb_hist_bucket_low(idx) + (1ULL << shift) - 1;
}

void arb_hist_merge(struct arb_hist *dst, const struct arb_hist *src)
{
    for (size_t i = 0; i < ARB_HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
    dst->count += src->count;
    dst->clamped += src->clamped;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t arb_hist_percentile(const struct arb_hist *h, double p)
{
    if (h->count == 0)
        return 0;
    if (p <= 0)
        return h->min;
    /* The rank is computed in integers where possible: p99.9 of 1000 is rank 999. */
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->count - 1e-9);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < ARB_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t v = arb_hist_bucket_high(i);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

void arb_hist_summarize(const struct arb_hist *h, struct arb_hist_summary *s)
{
    s->count = h->count;
    s->min = h->count ? h->min : 0;
    s->max = h->max;
    s->p50 = arb_hist_percentile(h, 50);
    s->p90 = arb_hist_percentile(h, 90);
    s->p99 = arb_hist_percentile(h, 99);
    s->p999 = arb_hist_percentile(h, 99.9);
    s->p9999 = arb_hist_percentile(h, 99.99);
    s->mean = h->count ? (double)h->sum / (double)h->count : 0.0;
}

void arb_hist_print(const struct arb_hist *h, const char *name, const char *unit, FILE *out)
{
    struct arb_hist_summary s;

    arb_hist_summarize(h, &s);
    fprintf(out,
            "%-16s count=%llu min=%llu p50=%llu p90=%llu p99=%llu p99.9=%llu p99.99=%llu "
            "max=%llu mean=%.1f (%s)\n",
            name, (unsigned long long)s.count, (unsigned long long)s.min, (unsigned long long)s.p50,
            (unsigned long long)s.p90, (unsigned long long)s.p99, (unsigned long long)s.p999,
            (unsigned long long)s.p9999, (unsigned long long)s.max, s.mean, unit);
}

int arb_hist_json(const struct arb_hist *h, char *buf, size_t len)
{
    struct arb_hist_summary s;

    arb_hist_summarize(h, &s);
    return snprintf(buf, len,
                    "{\"count\":%llu,\"min\":%llu,\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,"
                    "\"p99.9\":%llu,\"p99.99\":%llu,\"max\":%llu,\"mean\":%.1f}",
                    (unsigned long long)s.count, (unsigned long long)s.min,
                    (unsigned long long)s.p50, (unsigned long long)s.p90, (unsigned long long)s.p99,
                    (unsigned long long)s.p999, (unsigned long long)s.p9999,
                    (unsigned long long)s.max, s.mean);
}
