/* SPDX-License-Identifier: MIT */
/*
 * Log-linear latency histogram in the style of HdrHistogram: 11 significant
 * bits per bucket (relative error under 1/1024, so 3 significant digits) from
 * 1 ns to 2^40 ns (about 18 minutes). Recording is O(1) and never allocates.
 */
#ifndef ARB_CORE_HIST_H
#define ARB_CORE_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARB_HIST_SUB_BITS 10 /* half the sub-buckets: 1024 */
#define ARB_HIST_SUB_HALF (1u << ARB_HIST_SUB_BITS)
#define ARB_HIST_MAX_BITS 40 /* values >= 2^40 clamp to the top */
#define ARB_HIST_MAX      ((1ULL << ARB_HIST_MAX_BITS) - 1)
#define ARB_HIST_BUCKETS  ((ARB_HIST_MAX_BITS - ARB_HIST_SUB_BITS + 1) * ARB_HIST_SUB_HALF)

struct arb_hist {
    uint64_t count;   /* values recorded */
    uint64_t min;     /* exact smallest value */
    uint64_t max;     /* exact largest value, before clamping */
    uint64_t clamped; /* values above ARB_HIST_MAX, counted in the top bucket */
    uint64_t sum;     /* for the mean; wraps only after 2^64 ns of samples */
    uint64_t counts[ARB_HIST_BUCKETS];
};

/* Percentiles that reports print. */
struct arb_hist_summary {
    uint64_t count, min, p50, p90, p99, p999, p9999, max;
    double mean;
};

/* Clears a histogram on caller memory. */
void arb_hist_init(struct arb_hist *h);

/* Allocating variant (the struct is about 250 KiB). NULL on failure. */
struct arb_hist *arb_hist_create(void);
void arb_hist_destroy(struct arb_hist *h);

/* Bucket index of a value: exact below 2048, then 1024 linear steps per power of two. */
static inline uint32_t arb_hist_index(uint64_t v)
{
    unsigned msb = 63u - (unsigned)__builtin_clzll(v | 1);
    unsigned shift = msb > ARB_HIST_SUB_BITS ? msb - ARB_HIST_SUB_BITS : 0;

    return shift * ARB_HIST_SUB_HALF + (uint32_t)(v >> shift);
}

/* Smallest and largest values that share bucket `idx`. */
uint64_t arb_hist_bucket_low(uint32_t idx);
uint64_t arb_hist_bucket_high(uint32_t idx);

/* Records one value (ns, or any unit). Single writer; O(1), no allocation. */
static inline void arb_hist_record(struct arb_hist *h, uint64_t v)
{
    uint64_t c = v;

    if (__builtin_expect(v > ARB_HIST_MAX, 0)) {
        c = ARB_HIST_MAX;
        h->clamped++;
    }
    h->counts[arb_hist_index(c)]++;
    h->count++;
    h->sum += v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

/* Adds src into dst. */
void arb_hist_merge(struct arb_hist *dst, const struct arb_hist *src);

/*
 * Value at percentile p (0..100]: the highest value equivalent to the bucket
 * holding the ceil(p/100 * count)-th smallest sample, but never above max.
 * Returns 0 for an empty histogram.
 */
uint64_t arb_hist_percentile(const struct arb_hist *h, double p);

void arb_hist_summarize(const struct arb_hist *h, struct arb_hist_summary *s);

/* One line of text: "count=.. min=.. p50=.. ... max=.. (unit)". */
void arb_hist_print(const struct arb_hist *h, const char *name, const char *unit, FILE *out);

/* Writes a JSON object {"count":..,"min":..,"p50":..,...,"max":..} into buf.
 * Returns the length snprintf would have written. */
int arb_hist_json(const struct arb_hist *h, char *buf, size_t len);

#endif /* ARB_CORE_HIST_H */
