/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the benchmark binaries: repetition count, medians of
 * interleaved repetitions, the JSON line that bench/run forwards, pinned
 * threads and a sink that keeps measured work from being optimized away.
 */
#ifndef ARB_BENCH_BENCH_H
#define ARB_BENCH_BENCH_H

#include "core/thread.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARB_BENCH_REPS_DEFAULT 7   /* odd, so the median is one measured value */
#define ARB_BENCH_REPS_MAX     101 /* series live on the stack; more reps add nothing */

/* Repetitions per figure: ARB_BENCH_REPS, else 7, clamped to 1..ARB_BENCH_REPS_MAX. */
static inline int arb_bench_reps(void)
{
    const char *s = getenv("ARB_BENCH_REPS");
    long n = s && *s ? strtol(s, NULL, 10) : ARB_BENCH_REPS_DEFAULT;

    if (n < 1)
        n = 1;
    if (n > ARB_BENCH_REPS_MAX)
        n = ARB_BENCH_REPS_MAX;
    return (int)n;
}

/* An unsigned knob from the environment (e.g. a record count), or `def` when unset. */
static inline uint64_t arb_bench_env_u64(const char *name, uint64_t def)
{
    const char *s = getenv(name);

    return s && *s ? strtoull(s, NULL, 10) : def;
}

/* CLOCK_MONOTONIC in ns. Brackets whole repetitions, so its ~20 ns cost is noise. */
static inline uint64_t arb_bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Makes the compiler believe `v` is used, at the cost of nothing: the value
 * has to be computed into a register, but no store or load is emitted.
 */
static inline void arb_bench_sink(uint64_t v)
{
    __asm__ __volatile__("" : : "r"(v));
}

/* Forces the compiler to assume *p was read and written (defeats hoisting). */
static inline void arb_bench_clobber(void *p)
{
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

/* One figure measured once per repetition. */
struct arb_bench_series {
    int n;
    double v[ARB_BENCH_REPS_MAX];
};

static inline void arb_bench_add(struct arb_bench_series *s, double v)
{
    if (s->n < ARB_BENCH_REPS_MAX)
        s->v[s->n++] = v;
}

/* Median of the series (mean of the middle two when n is even); NAN when empty. */
static inline double arb_bench_median(const struct arb_bench_series *s)
{
    double t[ARB_BENCH_REPS_MAX];
    int n = s->n;

    if (n == 0)
        return NAN;
    memcpy(t, s->v, (size_t)n * sizeof(double));
    /* Insertion sort: n is at most 101 and this runs once per figure. */
    for (int i = 1; i < n; i++) {
        double x = t[i];
        int j = i - 1;
        while (j >= 0 && t[j] > x) {
            t[j + 1] = t[j];
            j--;
        }
        t[j + 1] = x;
    }
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static inline double arb_bench_min(const struct arb_bench_series *s)
{
    double m = s->n ? s->v[0] : NAN;

    for (int i = 1; i < s->n; i++)
        m = s->v[i] < m ? s->v[i] : m;
    return m;
}

static inline double arb_bench_max(const struct arb_bench_series *s)
{
    double m = s->n ? s->v[0] : NAN;

    for (int i = 1; i < s->n; i++)
        m = s->v[i] > m ? s->v[i] : m;
    return m;
}

/*
 * Prints a JSON number: integers for large values, 4 significant digits for
 * small ones, null for a non-finite value (JSON has no NaN).
 */
static inline void arb_bench_put_num(FILE *f, double v)
{
    if (!isfinite(v))
        fputs("null", f);
    else if (fabs(v) >= 1000)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.4g", v);
}

/*
 * Prints one result line on stdout, the format bench/run forwards:
 * {"bench":..,"metric":..,"value":..,"unit":..} plus, when `peer` is not NULL,
 * "peer", "peer_value" and "ratio". The ratio is > 1 when arbiter is better:
 * peer/ours when lower is better (times), ours/peer otherwise (throughput).
 * Names are plain identifiers from the benchmark source, so nothing is escaped.
 */
static inline void arb_bench_json(const char *bench, const char *metric, double value,
                                  const char *unit, const char *peer, double peer_value,
                                  bool higher_is_better)
{
    fprintf(stdout, "{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":", bench, metric);
    arb_bench_put_num(stdout, value);
    fprintf(stdout, ",\"unit\":\"%s\"", unit);
    if (peer) {
        double ratio = higher_is_better ? value / peer_value : peer_value / value;
        fprintf(stdout, ",\"peer\":\"%s\",\"peer_value\":", peer);
        arb_bench_put_num(stdout, peer_value);
        fputs(",\"ratio\":", stdout);
        if (isfinite(ratio))
            fprintf(stdout, "%.3f", ratio);
        else
            fputs("null", stdout);
    }
    fputs("}\n", stdout);
    /* bench/run reads line by line; do not hold results in a pipe buffer. */
    fflush(stdout);
}

/*
 * Prints medians of two interleaved series as one JSON line, and their spread
 * (min..max over the repetitions) on stderr so a reader can judge the noise.
 */
static inline void arb_bench_report(const char *bench, const char *metric, const char *unit,
                                    const struct arb_bench_series *ours, const char *peer,
                                    const struct arb_bench_series *theirs, bool higher_is_better)
{
    arb_bench_json(bench, metric, arb_bench_median(ours), unit, peer,
                   theirs ? arb_bench_median(theirs) : NAN, higher_is_better);
    fprintf(stderr, "# %s %s: arbiter %.4g..%.4g", bench, metric, arb_bench_min(ours),
            arb_bench_max(ours));
    if (peer && theirs)
        fprintf(stderr, ", %s %.4g..%.4g", peer, arb_bench_min(theirs), arb_bench_max(theirs));
    fprintf(stderr, " %s over %d reps\n", unit, ours->n);
    /* ARB_BENCH_VERBOSE=1 lists every repetition, to tell noise from a real shift. */
    if (getenv("ARB_BENCH_VERBOSE")) {
        for (int i = 0; i < ours->n; i++) {
            fprintf(stderr, "#   rep %d: arbiter %.4g", i, ours->v[i]);
            if (peer && theirs && i < theirs->n)
                fprintf(stderr, ", %s %.4g", peer, theirs->v[i]);
            fputc('\n', stderr);
        }
    }
}

/*
 * CPU for the `i`-th pinned benchmark thread: cpu i when this process may use
 * it, else -1 (unpinned), so a 1-CPU machine still runs, only more slowly.
 */
static inline int arb_bench_cpu(int i)
{
    return i < arb_thread_cpus() ? i : -1;
}

/*
 * Whether spinning threads should yield while they wait: with fewer than two
 * usable CPUs the peer cannot run while we spin, so spinning only burns the
 * time slice it needs.
 */
static inline bool arb_bench_must_yield(void)
{
    return arb_thread_cpus() < 2;
}

/* Starts a pinned benchmark thread or exits: a benchmark without its thread is meaningless. */
static inline void arb_bench_thread_start(struct arb_thread *t, const char *name, int cpu,
                                          void *(*fn)(void *), void *arg)
{
    int rc = arb_thread_start(t, name, cpu, fn, arg);

    if (rc < 0) {
        fprintf(stderr, "bench: cannot start thread %s: %s\n", name, strerror(-rc));
        exit(1);
    }
}

/* Reports a broken invariant (a lost record, a wrong sum) and fails the run. */
#define ARB_BENCH_CHECK(cond)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: bench check failed: %s\n", __FILE__, __LINE__, #cond);         \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#endif /* ARB_BENCH_BENCH_H */
