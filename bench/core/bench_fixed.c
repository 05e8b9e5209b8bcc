/* SPDX-License-Identifier: MIT */
/*
 * Fixed-point decimals against libc: arb_fixed_parse vs strtod, and
 * arb_fixed_format vs snprintf("%.8f"), over a corpus of exchange-style
 * prices, quantities and rates. `--instr` runs each kernel once for callgrind.
 */
#include "bench/bench.h"
#include "core/fixed.h"

#include <stdlib.h>

#define CORPUS_RANDOM 4096 /* random strings on top of the hand-picked ones */
#define CORPUS_SEED   0x5eed2024ULL

/* Strings as exchanges send them, with the answers they must parse to. */
static const struct {
    const char *s;
    int64_t e8;
} corpus_fixed[] = {
    {"0.99987000", 99987000},
    {"61837.64", 6183764000000},
    {"1", 100000000},
    {"0.00000001", 1},
    {"-0.00010000", -10000},
    {"35.72892241", 3572892241},
    {"1.00010000", 100010000},
    {"0.0001", 10000},
    {"26000.5", 2600050000000},
    {"0.99990000", 99990000},
    {"3245.10000000", 324510000000},
    {"1000000", 100000000000000},
};

#define CORPUS_FIXED (sizeof(corpus_fixed) / sizeof(corpus_fixed[0]))

/* Every string NUL-terminated in one pool (strtod needs the NUL), with its length. */
struct corpus {
    size_t n;
    const char **s;
    size_t *len;
    int64_t *e8; /* expected value, from the generator */
    double *d;   /* the same value as a double, for snprintf */
    char *pool;
};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static const uint64_t pow10_u64[9] = {1,      10,      100,      1000,     10000,
                                      100000, 1000000, 10000000, 100000000};

/*
 * One random exchange string: a stablecoin price near 1, a BTC-like price, a
 * quantity, or a signed funding rate; 1..8 decimals, sometimes zero-padded to
 * 8 the way Binance sends them. Writes the text and returns its _e8 value.
 */
static int64_t gen_one(uint64_t *st, char *buf, size_t cap)
{
    uint64_t r = splitmix64(st);
    unsigned kind = (unsigned)(r % 4), dec = 1 + (unsigned)((r >> 8) % 8);
    bool pad = ((r >> 16) & 3) == 0, neg = false;
    uint64_t ip, fp = splitmix64(st) % pow10_u64[dec];

    switch (kind) {
    case 0: /* stablecoin: 0.99xx or 1.00xx */
        ip = (r >> 20) & 1;
        if (ip == 0)
            fp = pow10_u64[dec] - 1 - fp % (pow10_u64[dec] / 100 + 1);
        else
            fp = fp % (pow10_u64[dec] / 100 + 1);
        break;
    case 1: /* BTC-like price */
        ip = 10000 + (r >> 20) % 90000;
        break;
    case 2: /* quantity */
        ip = (r >> 20) % pow10_u64[(r >> 40) % 7];
        break;
    default: /* funding rate, signed */
        ip = 0;
        neg = (r >> 20) & 1;
        break;
    }
    unsigned shown = pad ? 8 : dec;
    uint64_t fshown = fp * pow10_u64[shown - dec];
    int len = snprintf(buf, cap, "%s%llu.%0*llu", neg ? "-" : "", (unsigned long long)ip,
                       (int)shown, (unsigned long long)fshown);
    ARB_BENCH_CHECK(len > 0 && (size_t)len < cap);
    int64_t mag = (int64_t)(ip * (uint64_t)ARB_FIXED_ONE + fp * pow10_u64[8 - dec]);
    return neg ? -mag : mag;
}

static void corpus_build(struct corpus *c)
{
    size_t n = CORPUS_FIXED + CORPUS_RANDOM, used = 0, cap = n * 32;
    uint64_t st = CORPUS_SEED;

    c->n = n;
    c->s = calloc(n, sizeof(*c->s));
    c->len = calloc(n, sizeof(*c->len));
    c->e8 = calloc(n, sizeof(*c->e8));
    c->d = calloc(n, sizeof(*c->d));
    c->pool = calloc(cap, 1);
    ARB_BENCH_CHECK(c->s && c->len && c->e8 && c->d && c->pool);
    for (size_t i = 0; i < n; i++) {
        char *dst = c->pool + used;
        if (i < CORPUS_FIXED) {
            snprintf(dst, 32, "%s", corpus_fixed[i].s);
            c->e8[i] = corpus_fixed[i].e8;
        } else {
            c->e8[i] = gen_one(&st, dst, 32);
        }
        c->s[i] = dst;
        c->len[i] = strlen(dst);
        c->d[i] = strtod(dst, NULL);
        used += c->len[i] + 1;
    }
}

static void corpus_free(struct corpus *c)
{
    free(c->s);
    free(c->len);
    free(c->e8);
    free(c->d);
    free(c->pool);
}

/*
 * The kernels: one pass over the corpus each. Not inlined, so callgrind can
 * count each one's instructions; a call per ~4000 operations costs nothing.
 * Each returns a value built from every result, so none can be skipped.
 */
static __attribute__((noinline)) uint64_t kern_parse(const struct corpus *c)
{
    uint64_t sum = 0;
    int bad = 0;

    for (size_t i = 0; i < c->n; i++) {
        int64_t v = 0;
        bad |= arb_fixed_parse(c->s[i], c->len[i], &v);
        sum += (uint64_t)v;
    }
    ARB_BENCH_CHECK(bad == 0);
    return sum;
}

static __attribute__((noinline)) uint64_t kern_strtod(const struct corpus *c)
{
    double sum = 0;

    for (size_t i = 0; i < c->n; i++)
        sum += strtod(c->s[i], NULL);
    return (uint64_t)(int64_t)sum;
}

static __attribute__((noinline)) uint64_t kern_format(const struct corpus *c)
{
    char buf[ARB_FIXED_STRMAX];
    uint64_t sum = 0;

    for (size_t i = 0; i < c->n; i++)
        sum += arb_fixed_format(c->e8[i], buf) + (unsigned char)buf[0];
    return sum;
}

static __attribute__((noinline)) uint64_t kern_snprintf(const struct corpus *c)
{
    char buf[48];
    uint64_t sum = 0;

    for (size_t i = 0; i < c->n; i++)
        sum += (uint64_t)snprintf(buf, sizeof(buf), "%.8f", c->d[i]) + (unsigned char)buf[0];
    return sum;
}

/* ns per operation over `passes` passes of a kernel. */
static double time_kernel(uint64_t (*kern)(const struct corpus *), const struct corpus *c,
                          uint64_t passes)
{
    uint64_t acc = 0, t0 = arb_bench_now_ns();

    for (uint64_t p = 0; p < passes; p++) {
        /* The corpus "may have changed", so a pass cannot be hoisted out of the loop. */
        arb_bench_clobber(c->pool);
        acc += kern(c);
    }
    uint64_t t1 = arb_bench_now_ns();
    arb_bench_sink(acc);
    return (double)(t1 - t0) / (double)(passes * c->n);
}

/* Both sides must agree with the generator before anything is timed. */
static void corpus_verify(const struct corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        int64_t v = 0;
        char buf[ARB_FIXED_STRMAX];
        ARB_BENCH_CHECK(arb_fixed_parse(c->s[i], c->len[i], &v) == 0 && v == c->e8[i]);
        ARB_BENCH_CHECK(arb_fixed_format(v, buf) > 0);
        ARB_BENCH_CHECK(arb_fixed_parse_cstr(buf, &v) == 0 && v == c->e8[i]);
        ARB_BENCH_CHECK(llround(c->d[i] * 1e8) == c->e8[i]);
    }
}

int main(int argc, char **argv)
{
    struct corpus c;
    int reps = arb_bench_reps();
    uint64_t ops = arb_bench_env_u64("ARB_BENCH_FIXED_OPS", 2000000);

    corpus_build(&c);
    corpus_verify(&c);
    if (argc > 1 && strcmp(argv[1], "--instr") == 0) {
        /* One pass each, for `valgrind --tool=callgrind`: Ir of kern_X / corpus size. */
        arb_bench_sink(kern_parse(&c) + kern_strtod(&c) + kern_format(&c) + kern_snprintf(&c));
        printf("corpus %zu strings\n", c.n);
        corpus_free(&c);
        return 0;
    }

    uint64_t passes = ops / c.n + 1;
    struct arb_bench_series parse = {0}, strtod_s = {0}, format = {0}, snprintf_s = {0};

    time_kernel(kern_parse, &c, passes / 4 + 1); /* warm-up */
    time_kernel(kern_strtod, &c, passes / 4 + 1);
    for (int rep = 0; rep < reps; rep++) {
        /* ours, peer, ours, peer; who goes first alternates between repetitions. */
        if (rep % 2 == 0) {
            arb_bench_add(&parse, time_kernel(kern_parse, &c, passes));
            arb_bench_add(&strtod_s, time_kernel(kern_strtod, &c, passes));
            arb_bench_add(&format, time_kernel(kern_format, &c, passes));
            arb_bench_add(&snprintf_s, time_kernel(kern_snprintf, &c, passes));
        } else {
            arb_bench_add(&strtod_s, time_kernel(kern_strtod, &c, passes));
            arb_bench_add(&parse, time_kernel(kern_parse, &c, passes));
            arb_bench_add(&snprintf_s, time_kernel(kern_snprintf, &c, passes));
            arb_bench_add(&format, time_kernel(kern_format, &c, passes));
        }
    }
    arb_bench_report("fixed", "parse", "ns/op", &parse, "strtod", &strtod_s, false);
    arb_bench_report("fixed", "format", "ns/op", &format, "snprintf", &snprintf_s, false);
    corpus_free(&c);
    return 0;
}
