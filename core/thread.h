/* SPDX-License-Identifier: MIT */
/*
 * Named threads pinned to one CPU, and the spin-then-park idle policy the hot
 * threads share. The design target is one core per hot thread; on a smaller
 * machine pinning falls back to the scheduler with a warning.
 */
#ifndef ARB_CORE_THREAD_H
#define ARB_CORE_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define ARB_THREAD_NAME_MAX 16 /* the kernel's limit, NUL included */

struct arb_thread {
    pthread_t tid;
    char name[ARB_THREAD_NAME_MAX];
    int cpu_requested; /* -1: not pinned */
    int cpu;           /* where it is pinned, -1 when it runs unpinned */
    void *(*fn)(void *);
    void *arg;
    bool started;
};

/*
 * Starts fn(arg) as thread `name` (15 bytes kept) pinned to `cpu`; cpu < 0
 * leaves it unpinned. A CPU this machine does not have, or may not use,
 * gives a warning and an unpinned thread rather than a failure.
 * Returns 0 on success or -errno from pthread_create.
 */
int arb_thread_start(struct arb_thread *t, const char *name, int cpu, void *(*fn)(void *),
                     void *arg);

/* Waits for the thread. Returns 0 or -errno. */
int arb_thread_join(struct arb_thread *t, void **ret);

/* Pins the calling thread. Returns 0, or -EINVAL when the CPU is not usable. */
int arb_thread_pin_self(int cpu);

/* Number of CPUs this process may run on. */
int arb_thread_cpus(void);

/* One pause instruction: tells the core we are spinning. */
static inline void arb_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* ARB_CORE_THREAD_H */
