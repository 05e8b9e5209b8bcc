/* SPDX-License-Identifier: MIT */
/* core/thread: names, pinning, and the fallback for a CPU that is not there. */
#include "core/log.h"
#include "core/thread.h"
#include "test.h"

#include <sched.h>

struct seen {
    char name[ARB_THREAD_NAME_MAX];
    int cpu;
};

static void *probe(void *arg)
{
    struct seen *s = arg;
    pthread_getname_np(pthread_self(), s->name, sizeof(s->name));
    /* Spin a little so the scheduler has had a chance to move us if unpinned. */
    for (volatile int i = 0; i < 100000; i++)
        ;
    s->cpu = sched_getcpu();
    return NULL;
}

static char warned[512];

static void capture(enum arb_log_level level, const char *line, int len)
{
    (void)level;
    snprintf(warned, sizeof(warned), "%.*s", len, line);
}

int main(void)
{
    struct arb_thread t;
    struct seen s;
    int ncpu = arb_thread_cpus();

    for (int cpu = 0; cpu < ncpu && cpu < 4; cpu++) {
        memset(&s, 0, sizeof(s));
        REQUIRE(arb_thread_start(&t, "arb-feed-binance", cpu, probe, &s) == 0);
        CHECK_EQ_I64(t.cpu, cpu);
        arb_thread_join(&t, NULL);
        CHECK_STR(s.name, "arb-feed-binanc"); /* the kernel keeps 15 bytes */
        CHECK_EQ_I64(s.cpu, cpu);
    }
    /* A CPU this machine lacks: a warning and an unpinned thread, not a failure. */
    arb_log_set_sink(capture);
    memset(&s, 0, sizeof(s));
    REQUIRE(arb_thread_start(&t, "detector", 4096, probe, &s) == 0);
    arb_thread_join(&t, NULL);
    arb_log_set_sink(NULL);
    CHECK_EQ_I64(t.cpu, -1);
    CHECK_STR(s.name, "detector");
    CHECK(strstr(warned, "cpu 4096 is not available") != NULL);
    CHECK(s.cpu >= 0 && s.cpu < ncpu);
    CHECK_EQ_I64(arb_thread_pin_self(-1), -EINVAL);
    CHECK_EQ_I64(arb_thread_join(&t, NULL), -EINVAL);
    return T_DONE();
}
