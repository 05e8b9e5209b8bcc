/* SPDX-License-Identifier: MIT */
/*
 * SPSC ring against Concurrency Kit's ck_ring (typed SPSC interface): 64-byte
 * record throughput between two pinned threads, and round-trip latency of a
 * ping-pong through two rings. Every record is checked, so none is skipped.
 */
#include "bench/bench.h"
#include "core/clock.h"
#include "core/hist.h"
#include "core/ring.h"
#include "core/thread.h"

#include <ck_ring.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

/* The record both rings carry: a sequence number the consumer checks and payload. */
struct bench_rec {
    alignas(ARB_CACHELINE) uint64_t seq;
    uint64_t pay[7]; /* pay[6] == ~seq: proves the last bytes landed before the index */
};
_Static_assert(sizeof(struct bench_rec) == ARB_RING_REC, "same record size as the arbiter ring");

CK_RING_PROTOTYPE(bench_rec, bench_rec)

enum variant {
    V_OURS_BATCH,  /* reserve/commit in place, peek/release a run in place */
    V_OURS_SINGLE, /* push/pop: copy in, copy out, one record at a time */
    V_CK,          /* ck_ring_enqueue_spsc / ck_ring_dequeue_spsc, copy in and out */
    V_COUNT
};

static const char *const variant_name[V_COUNT] = {"arbiter_batch", "arbiter_single", "ck_ring"};

#define BATCH_MAX 64 /* records consumed per peek: long enough to amortize, short of the ring */

/*
 * Intel's L2 spatial prefetcher moves lines in 128-byte pairs, so where a ring
 * sits relative to a 128-byte boundary decides whether its producer and
 * consumer lines travel together. Both rings start on such a boundary, so each
 * gets the layout its header intends and neither gets a lucky placement.
 */
#define PAIR_ALIGN (2 * ARB_CACHELINE)

/* Both rings, over separate buffers of the same capacity and alignment. */
struct rings {
    alignas(PAIR_ALIGN) struct arb_ring arb;
    struct arb_ring_rec *arb_slots;
    alignas(PAIR_ALIGN) struct ck_ring ck;
    struct bench_rec *ck_slots;
    uint32_t cap;
};

/* One throughput run. The start flag sits on its own line, away from the rings. */
struct tput_run {
    struct rings *r;
    enum variant v;
    uint64_t n;
    alignas(ARB_CACHELINE) atomic_int ready;
    atomic_int go;
    alignas(ARB_CACHELINE) uint64_t t_start_ns; /* written by the producer */
    alignas(ARB_CACHELINE) uint64_t t_end_ns;   /* written by the consumer */
    uint64_t sum;                               /* payload checksum, keeps the reads alive */
};

static bool g_yield; /* fewer than 2 CPUs: waiting threads yield instead of spinning */

/*
 * What a thread does when the ring is full or empty. A bare spin, no pause:
 * under KVM, pause loops can trigger pause-loop exits, and the aim here is the
 * ring's cost, not an idle policy's. Every variant waits the same way.
 */
static inline void wait_hint(void)
{
    if (g_yield)
        sched_yield();
}

static inline void fill(struct bench_rec *rec, uint64_t i)
{
    rec->seq = i;
    for (int k = 0; k < 6; k++)
        rec->pay[k] = i + (uint64_t)k;
    rec->pay[6] = ~i;
}

/* Checks one record and folds its payload into the checksum. */
static inline uint64_t check(const struct bench_rec *rec, uint64_t want)
{
    ARB_BENCH_CHECK(rec->seq == want && rec->pay[6] == ~want);
    return rec->pay[0] ^ rec->pay[5];
}

static void start_line(struct tput_run *t)
{
    atomic_fetch_add_explicit(&t->ready, 1, memory_order_acq_rel);
    while (!atomic_load_explicit(&t->go, memory_order_acquire))
        wait_hint();
}

static void *producer(void *arg)
{
    struct tput_run *t = arg;
    struct rings *r = t->r;
    uint64_t n = t->n;

    start_line(t);
    t->t_start_ns = arb_bench_now_ns();
    switch (t->v) {
    case V_OURS_BATCH:
        for (uint64_t i = 0; i < n; i++) {
            struct bench_rec *slot;
            while (!(slot = arb_ring_spsc_reserve(&r->arb)))
                wait_hint();
            fill(slot, i);
            arb_ring_spsc_commit(&r->arb);
        }
        break;
    case V_OURS_SINGLE:
        for (uint64_t i = 0; i < n; i++) {
            struct bench_rec rec;
            fill(&rec, i);
            while (!arb_ring_spsc_push(&r->arb, &rec))
                wait_hint();
        }
        break;
    case V_CK:
        for (uint64_t i = 0; i < n; i++) {
            struct bench_rec rec;
            fill(&rec, i);
            while (!ck_ring_enqueue_spsc_bench_rec(&r->ck, r->ck_slots, &rec))
                wait_hint();
        }
        break;
    default:
        break;
    }
    return NULL;
}

static void *consumer(void *arg)
{
    struct tput_run *t = arg;
    struct rings *r = t->r;
    uint64_t n = t->n, sum = 0;

    start_line(t);
    switch (t->v) {
    case V_OURS_BATCH:
        for (uint64_t i = 0; i < n;) {
            struct arb_ring_rec *first;
            uint32_t got = arb_ring_spsc_peek(&r->arb, BATCH_MAX, &first);
            if (!got) {
                wait_hint();
                continue;
            }
            const struct bench_rec *rec = (const struct bench_rec *)first;
            for (uint32_t k = 0; k < got; k++)
                sum += check(&rec[k], i + k);
            arb_ring_spsc_release(&r->arb, got);
            i += got;
        }
        break;
    case V_OURS_SINGLE:
        for (uint64_t i = 0; i < n; i++) {
            struct bench_rec rec;
            while (!arb_ring_spsc_pop(&r->arb, &rec))
                wait_hint();
            sum += check(&rec, i);
        }
        break;
    case V_CK:
        for (uint64_t i = 0; i < n; i++) {
            struct bench_rec rec;
            while (!ck_ring_dequeue_spsc_bench_rec(&r->ck, r->ck_slots, &rec))
                wait_hint();
            sum += check(&rec, i);
        }
        break;
    default:
        break;
    }
    t->t_end_ns = arb_bench_now_ns();
    t->sum = sum;
    return NULL;
}

static void rings_reset(struct rings *r)
{
    ARB_BENCH_CHECK(arb_ring_init(&r->arb, r->arb_slots, r->cap) == 0);
    ck_ring_init(&r->ck, r->cap);
}

static void rings_alloc(struct rings *r, uint32_t cap)
{
    size_t bytes = (size_t)cap * ARB_RING_REC;

    r->cap = cap;
    r->arb_slots = aligned_alloc(PAIR_ALIGN, bytes);
    r->ck_slots = aligned_alloc(PAIR_ALIGN, bytes);
    ARB_BENCH_CHECK(r->arb_slots && r->ck_slots);
    /* Fault the pages in now so no repetition pays for them. */
    memset(r->arb_slots, 0, bytes);
    memset(r->ck_slots, 0, bytes);
    rings_reset(r);
}

static void rings_free(struct rings *r)
{
    free(r->arb_slots);
    free(r->ck_slots);
}

/* One repetition: records per second through the ring with variant v. */
static double tput_once(struct rings *r, enum variant v, uint64_t n)
{
    struct tput_run *t = aligned_alloc(alignof(struct tput_run), sizeof(*t));
    struct arb_thread prod, cons;
    uint64_t want = 0;

    ARB_BENCH_CHECK(t);
    memset(t, 0, sizeof(*t));
    t->r = r;
    t->v = v;
    t->n = n;
    rings_reset(r);
    arb_bench_thread_start(&cons, "bench-cons", arb_bench_cpu(1), consumer, t);
    arb_bench_thread_start(&prod, "bench-prod", arb_bench_cpu(0), producer, t);
    while (atomic_load_explicit(&t->ready, memory_order_acquire) < 2)
        sched_yield();
    atomic_store_explicit(&t->go, 1, memory_order_release);
    arb_thread_join(&prod, NULL);
    arb_thread_join(&cons, NULL);
    for (uint64_t i = 0; i < n; i++)
        want += i ^ (i + 5);
    ARB_BENCH_CHECK(t->sum == want);
    double rate = (double)n * 1e9 / (double)(t->t_end_ns - t->t_start_ns);
    free(t);
    return rate;
}

/* Ping-pong: A sends to B through ab, B echoes back through ba. */
struct pp_run {
    struct rings ab, ba;
    enum variant v;
    uint64_t warm, n;
    struct arb_hist *hist; /* round trips in ns, filled by A */
    alignas(ARB_CACHELINE) atomic_int ready;
    atomic_int go;
};

static void *pp_echo(void *arg)
{
    struct pp_run *p = arg;
    uint64_t total = p->warm + p->n;

    atomic_fetch_add_explicit(&p->ready, 1, memory_order_acq_rel);
    while (!atomic_load_explicit(&p->go, memory_order_acquire))
        wait_hint();
    for (uint64_t i = 0; i < total; i++) {
        if (p->v == V_CK) {
            struct bench_rec rec;
            while (!ck_ring_dequeue_spsc_bench_rec(&p->ab.ck, p->ab.ck_slots, &rec))
                wait_hint();
            /* One record is in flight, so the reply ring is never full. */
            ARB_BENCH_CHECK(ck_ring_enqueue_spsc_bench_rec(&p->ba.ck, p->ba.ck_slots, &rec));
        } else {
            /* Forwarded in place: peek the request, copy it straight into the reply slot. */
            struct arb_ring_rec *in;
            while (!arb_ring_spsc_peek(&p->ab.arb, 1, &in))
                wait_hint();
            void *out = arb_ring_spsc_reserve(&p->ba.arb);
            ARB_BENCH_CHECK(out);
            memcpy(out, in, ARB_RING_REC);
            arb_ring_spsc_commit(&p->ba.arb);
            arb_ring_spsc_release(&p->ab.arb, 1);
        }
    }
    return NULL;
}

static void *pp_send(void *arg)
{
    struct pp_run *p = arg;
    uint64_t total = p->warm + p->n;

    atomic_fetch_add_explicit(&p->ready, 1, memory_order_acq_rel);
    while (!atomic_load_explicit(&p->go, memory_order_acquire))
        wait_hint();
    for (uint64_t i = 0; i < total; i++) {
        uint64_t t0 = arb_clock_ticks();
        if (p->v == V_CK) {
            struct bench_rec rec;
            fill(&rec, i);
            ARB_BENCH_CHECK(ck_ring_enqueue_spsc_bench_rec(&p->ab.ck, p->ab.ck_slots, &rec));
            while (!ck_ring_dequeue_spsc_bench_rec(&p->ba.ck, p->ba.ck_slots, &rec))
                wait_hint();
            check(&rec, i);
        } else {
            struct bench_rec *slot = arb_ring_spsc_reserve(&p->ab.arb);
            ARB_BENCH_CHECK(slot);
            fill(slot, i);
            arb_ring_spsc_commit(&p->ab.arb);
            struct arb_ring_rec *back;
            while (!arb_ring_spsc_peek(&p->ba.arb, 1, &back))
                wait_hint();
            check((const struct bench_rec *)back, i);
            arb_ring_spsc_release(&p->ba.arb, 1);
        }
        uint64_t t1 = arb_clock_ticks();
        if (i >= p->warm)
            arb_hist_record(p->hist, arb_clock_ticks_to_ns(t1 - t0));
    }
    return NULL;
}

/* One repetition of the ping-pong; leaves the round trips in p->hist. */
static void pp_once(struct pp_run *p, enum variant v)
{
    struct arb_thread a, b;

    p->v = v;
    rings_reset(&p->ab);
    rings_reset(&p->ba);
    arb_hist_init(p->hist);
    atomic_store_explicit(&p->ready, 0, memory_order_relaxed);
    atomic_store_explicit(&p->go, 0, memory_order_relaxed);
    arb_bench_thread_start(&b, "bench-echo", arb_bench_cpu(1), pp_echo, p);
    arb_bench_thread_start(&a, "bench-send", arb_bench_cpu(0), pp_send, p);
    while (atomic_load_explicit(&p->ready, memory_order_acquire) < 2)
        sched_yield();
    atomic_store_explicit(&p->go, 1, memory_order_release);
    arb_thread_join(&a, NULL);
    arb_thread_join(&b, NULL);
    ARB_BENCH_CHECK(p->hist->count == p->n);
}

static void bench_throughput(int reps, uint32_t cap, uint64_t n)
{
    struct arb_bench_series s[V_COUNT] = {0};
    struct rings r;
    char metric[64];

    rings_alloc(&r, cap);
    tput_once(&r, V_OURS_BATCH, n / 10); /* warm-up: threads, caches, frequency */
    for (int rep = 0; rep < reps; rep++) {
        /* Interleaved, and the order rotates so no variant always runs first. */
        for (int k = 0; k < V_COUNT; k++) {
            enum variant v = (enum variant)((k + rep) % V_COUNT);
            arb_bench_add(&s[v], tput_once(&r, v, n));
        }
    }
    rings_free(&r);
    snprintf(metric, sizeof(metric), "throughput_cap%u", cap);
    arb_bench_report("ring", metric, "rec/s", &s[V_OURS_BATCH], variant_name[V_CK], &s[V_CK], true);
    snprintf(metric, sizeof(metric), "throughput_single_cap%u", cap);
    arb_bench_report("ring", metric, "rec/s", &s[V_OURS_SINGLE], variant_name[V_CK], &s[V_CK],
                     true);
}

static void bench_roundtrip(int reps, uint32_t cap, uint64_t n)
{
    struct arb_bench_series p50[2] = {0}, p99[2] = {0};
    struct pp_run *p = aligned_alloc(alignof(struct pp_run), sizeof(*p));
    static const enum variant pair[2] = {V_OURS_BATCH, V_CK};

    ARB_BENCH_CHECK(p);
    memset(p, 0, sizeof(*p));
    rings_alloc(&p->ab, cap);
    rings_alloc(&p->ba, cap);
    p->hist = arb_hist_create();
    ARB_BENCH_CHECK(p->hist);
    p->warm = n / 20 + 1;
    p->n = n;
    for (int rep = 0; rep < reps; rep++) {
        for (int k = 0; k < 2; k++) {
            int which = (k + rep) % 2;
            pp_once(p, pair[which]);
            arb_bench_add(&p50[which], (double)arb_hist_percentile(p->hist, 50));
            arb_bench_add(&p99[which], (double)arb_hist_percentile(p->hist, 99));
        }
    }
    arb_bench_report("ring", "roundtrip_p50", "ns", &p50[0], variant_name[V_CK], &p50[1], false);
    arb_bench_report("ring", "roundtrip_p99", "ns", &p99[0], variant_name[V_CK], &p99[1], false);
    arb_hist_destroy(p->hist);
    rings_free(&p->ab);
    rings_free(&p->ba);
    free(p);
}

int main(void)
{
    int reps = arb_bench_reps();
    uint64_t n = arb_bench_env_u64("ARB_BENCH_RING_RECORDS", 2000000);
    uint64_t rt = arb_bench_env_u64("ARB_BENCH_RING_ROUNDTRIPS", 200000);

    arb_clock_init(0);
    g_yield = arb_bench_must_yield();
    if (g_yield) {
        fprintf(stderr, "# ring: fewer than 2 CPUs; threads run unpinned and yield, "
                        "so figures measure the scheduler, not the ring\n");
        n /= 100;
        rt /= 100;
    }
    bench_throughput(reps, 1024, n);
    bench_throughput(reps, 4096, n);
    bench_roundtrip(reps, 1024, rt);
    return 0;
}
