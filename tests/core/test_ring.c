/* SPDX-License-Identifier: MIT */
/* core/ring: single-thread semantics, wrap-around, and a two-thread stress. */
#include "core/ring.h"
#include "core/thread.h"
#include "test.h"

#include <errno.h>
#include <pthread.h>

struct rec {
    uint64_t seq;
    uint64_t check; /* seq * golden: a torn or stale record fails the check */
    uint64_t pad[6];
};
_Static_assert(sizeof(struct rec) == ARB_RING_REC, "test record is one ring record");

#define GOLDEN 0x9e3779b97f4a7c15ULL

static void test_init(void)
{
    static struct arb_ring_rec slots[8];
    struct arb_ring r;

    CHECK_EQ_I64(arb_ring_init(&r, slots, 0), -EINVAL);
    CHECK_EQ_I64(arb_ring_init(&r, slots, 1), -EINVAL);
    CHECK_EQ_I64(arb_ring_init(&r, slots, 6), -EINVAL);
    CHECK_EQ_I64(arb_ring_init(&r, (struct arb_ring_rec *)((char *)slots + 8), 4), -EINVAL);
    CHECK_EQ_I64(arb_ring_init(&r, slots, 8), 0);
    CHECK_EQ_U64(arb_ring_capacity(&r), 8);
    CHECK(arb_ring_create(3) == NULL && errno == EINVAL);
}

static void test_full_and_empty(void)
{
    static struct arb_ring_rec slots[4];
    struct arb_ring r;
    struct rec in = {0}, out;

    arb_ring_init(&r, slots, 4);
    CHECK(!arb_ring_spsc_pop(&r, &out));
    for (uint64_t i = 0; i < 4; i++) {
        in.seq = i;
        CHECK(arb_ring_spsc_push(&r, &in));
    }
    /* Full is back-pressure: the push fails and nothing already queued changes. */
    in.seq = 99;
    CHECK(!arb_ring_spsc_push(&r, &in));
    CHECK(arb_ring_spsc_reserve(&r) == NULL);
    CHECK_EQ_U64(arb_ring_count(&r), 4);
    for (uint64_t i = 0; i < 4; i++) {
        CHECK(arb_ring_spsc_pop(&r, &out));
        CHECK_EQ_U64(out.seq, i);
    }
    CHECK(!arb_ring_spsc_pop(&r, &out));
    CHECK_EQ_U64(arb_ring_count(&r), 0);
}

static void test_reserve_commit(void)
{
    static struct arb_ring_rec slots[4];
    struct arb_ring r;
    struct rec out;

    arb_ring_init(&r, slots, 4);
    struct rec *a = arb_ring_spsc_reserve(&r);
    struct rec *b = arb_ring_spsc_reserve(&r);
    CHECK(a == b); /* nothing is published until commit */
    a->seq = 7;
    CHECK(!arb_ring_spsc_pop(&r, &out));
    arb_ring_spsc_commit(&r);
    CHECK(arb_ring_spsc_pop(&r, &out));
    CHECK_EQ_U64(out.seq, 7);

    /* Staged records are invisible until one publish makes the whole burst visible. */
    for (uint64_t i = 0; i < 3; i++) {
        struct rec *x = arb_ring_spsc_reserve(&r);
        REQUIRE(x);
        x->seq = 10 + i;
        arb_ring_spsc_stage(&r);
    }
    CHECK(!arb_ring_spsc_pop(&r, &out));
    CHECK_EQ_U64(arb_ring_count(&r), 0);
    arb_ring_spsc_publish(&r);
    CHECK_EQ_U64(arb_ring_count(&r), 3);
    for (uint64_t i = 0; i < 3; i++) {
        CHECK(arb_ring_spsc_pop(&r, &out));
        CHECK_EQ_U64(out.seq, 10 + i);
    }
}

/* Many laps with irregular batch sizes, so every slot sees every wrap offset. */
static void test_wrap(void)
{
    static struct arb_ring_rec slots[8];
    struct arb_ring r;
    struct rec batch[16];
    uint64_t next_in = 0, next_out = 0, seed = 1;

    arb_ring_init(&r, slots, 8);
    for (int round = 0; round < 10000; round++) {
        unsigned n_in = (unsigned)(t_rand(&seed) % 9);
        for (unsigned i = 0; i < n_in; i++) {
            struct rec *slot = arb_ring_spsc_reserve(&r);
            if (!slot) {
                CHECK_EQ_U64(next_in - next_out, 8);
                break;
            }
            slot->seq = next_in;
            slot->check = next_in * GOLDEN;
            arb_ring_spsc_commit(&r);
            next_in++;
        }
        unsigned want = (unsigned)(t_rand(&seed) % 9);
        if (round & 1) {
            uint32_t got = arb_ring_spsc_pop_batch(&r, batch, want);
            CHECK(got <= want);
            for (uint32_t i = 0; i < got; i++) {
                CHECK_EQ_U64(batch[i].seq, next_out);
                next_out++;
            }
        } else {
            struct arb_ring_rec *first = NULL;
            uint32_t got = arb_ring_spsc_peek(&r, want, &first);
            /* A peeked run never crosses the end of the slot array. */
            CHECK(first + got <= slots + 8);
            for (uint32_t i = 0; i < got; i++) {
                const struct rec *x = (const struct rec *)&first[i];
                CHECK_EQ_U64(x->seq, next_out);
                CHECK_EQ_U64(x->check, next_out * GOLDEN);
                next_out++;
            }
            arb_ring_spsc_release(&r, got);
        }
        CHECK_EQ_U64(arb_ring_count(&r), next_in - next_out);
        if (t_failures)
            return;
    }
    CHECK(next_out > 20000);
}

#ifndef STRESS_RECORDS
#define STRESS_RECORDS 10000000ULL
#endif

struct stress {
    struct arb_ring *r;
    uint64_t n;
    uint64_t full_spins;
};

static void *producer(void *arg)
{
    struct stress *s = arg;

    for (uint64_t i = 0; i < s->n; i++) {
        struct rec *slot;
        while (!(slot = arb_ring_spsc_reserve(s->r))) {
            s->full_spins++;
            arb_cpu_relax();
        }
        slot->seq = i;
        slot->check = i * GOLDEN;
        slot->pad[5] = ~i;
        arb_ring_spsc_commit(s->r);
    }
    return NULL;
}

static void test_stress(void)
{
    struct stress s = {.r = arb_ring_create(1024), .n = STRESS_RECORDS};
    struct arb_thread prod;
    struct rec batch[64];
    uint64_t expect = 0, bad = 0;

    REQUIRE(s.r);
    REQUIRE(arb_thread_start(&prod, "ring-prod", 1, producer, &s) == 0);
    while (expect < s.n) {
        uint32_t got = arb_ring_spsc_pop_batch(s.r, batch, 64);
        if (!got) {
            arb_cpu_relax();
            continue;
        }
        for (uint32_t i = 0; i < got; i++) {
            /* In order, each exactly once, and never torn. */
            if (batch[i].seq != expect || batch[i].check != expect * GOLDEN ||
                batch[i].pad[5] != ~expect)
                bad++;
            expect = batch[i].seq + 1;
        }
    }
    arb_thread_join(&prod, NULL);
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(expect, s.n);
    CHECK_EQ_U64(arb_ring_count(s.r), 0);
    fprintf(stderr, "stress: %llu records, producer saw full %llu times\n", (unsigned long long)s.n,
            (unsigned long long)s.full_spins);
    arb_ring_destroy(s.r);
}

int main(void)
{
    test_init();
    test_full_and_empty();
    test_reserve_commit();
    test_wrap();
    test_stress();
    return T_DONE();
}
