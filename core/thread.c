/* SPDX-License-Identifier: MIT */
/* Pinned, named threads. */
#include "thread.h"

#include "log.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

int arb_thread_cpus(void)
{
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    return CPU_COUNT(&set);
}

static bool cpu_usable(int cpu);

int arb_thread_pin_self(int cpu)
{
    cpu_set_t want;

    if (!cpu_usable(cpu))
        return -EINVAL;
    CPU_ZERO(&want);
    CPU_SET(cpu, &want);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof(want), &want);
    return rc ? -rc : 0;
}

static void *trampoline(void *p)
{
    struct arb_thread *t = p;

    pthread_setname_np(pthread_self(), t->name);
    return t->fn(t->arg);
}

static bool cpu_usable(int cpu)
{
    cpu_set_t allowed;

    return cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof(allowed), &allowed) == 0 &&
           CPU_ISSET(cpu, &allowed);
}

int arb_thread_start(struct arb_thread *t, const char *name, int cpu, void *(*fn)(void *),
                     void *arg)
{
    pthread_attr_t attr;
    cpu_set_t want;
    int rc;

    memset(t, 0, sizeof(*t));
    strncpy(t->name, name, ARB_THREAD_NAME_MAX - 1);
    t->cpu_requested = cpu;
    t->cpu = -1;
    t->fn = fn;
    t->arg = arg;
    pthread_attr_init(&attr);
    /* Pinned at creation, so the thread never runs a cycle on the wrong core. */
    if (cpu >= 0) {
        if (cpu_usable(cpu)) {
            CPU_ZERO(&want);
            CPU_SET(cpu, &want);
            pthread_attr_setaffinity_np(&attr, sizeof(want), &want);
            t->cpu = cpu;
        } else {
            arb_log(ARB_LOG_WARN,
                    "thread %s: cpu %d is not available (%d usable); running unpinned", t->name,
                    cpu, arb_thread_cpus());
        }
    }
    rc = pthread_create(&t->tid, &attr, trampoline, t);
    pthread_attr_destroy(&attr);
    if (rc)
        return -rc;
    t->started = true;
    return 0;
}

int arb_thread_join(struct arb_thread *t, void **ret)
{
    if (!t->started)
        return -EINVAL;
    int rc = pthread_join(t->tid, ret);
    t->started = false;
    return rc ? -rc : 0;
}
