/* SPDX-License-Identifier: MIT */
/* Log formatting, the stderr sink and per-site rate limiting. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static void stderr_sink(enum arb_log_level level, const char *line, int len)
{
    (void)level;
    ssize_t rc = write(STDERR_FILENO, line, (size_t)len);
    (void)rc; /* nowhere left to report a failed diagnostic */
}

static _Atomic(arb_log_sink_fn) log_sink = stderr_sink;
static _Atomic int log_level = ARB_LOG_INFO;

static const char *const level_name[] = {"error", "warn", "info", "debug"};

void arb_log_set_sink(arb_log_sink_fn sink)
{
    atomic_store_explicit(&log_sink, sink ? sink : stderr_sink, memory_order_release);
}

void arb_log_set_level(enum arb_log_level level)
{
    atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

__attribute__((format(printf, 3, 0))) static void
vlog(enum arb_log_level level, uint64_t suppressed, const char *fmt, va_list ap)
{
    char line[1024];
    int n = snprintf(line, sizeof(line), "arbiter: %s: ", level_name[level]);

    n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    if (n > (int)sizeof(line) - 64)
        n = (int)sizeof(line) - 64;
    if (suppressed)
        n += snprintf(line + n, sizeof(line) - (size_t)n, " (%llu similar suppressed)",
                      (unsigned long long)suppressed);
    line[n++] = '\n';
    /* Pairs with the release in arb_log_set_sink. */
    arb_log_sink_fn sink = atomic_load_explicit(&log_sink, memory_order_acquire);
    sink(level, line, n);
}

void arb_log(enum arb_log_level level, const char *fmt, ...)
{
    va_list ap;

    if ((int)level > atomic_load_explicit(&log_level, memory_order_relaxed))
        return;
    va_start(ap, fmt);
    vlog(level, 0, fmt, ap);
    va_end(ap);
}

void arb_log_limited(struct arb_log_limit *lim, uint64_t now_ns, enum arb_log_level level,
                     const char *fmt, ...)
{
    va_list ap;

    if ((int)level > atomic_load_explicit(&log_level, memory_order_relaxed))
        return;
    if (lim->tokens < lim->burst && lim->interval_ns) {
        uint64_t refill = (now_ns - lim->last_ns) / lim->interval_ns;
        if (refill) {
            uint64_t t = lim->tokens + refill;
            lim->tokens = t > lim->burst ? lim->burst : (uint32_t)t;
            lim->last_ns = now_ns;
        }
    }
    if (lim->tokens == 0) {
        lim->suppressed++;
        return;
    }
    if (lim->tokens == lim->burst)
        lim->last_ns = now_ns;
    lim->tokens--;
    va_start(ap, fmt);
    vlog(level, lim->suppressed, fmt, ap);
    va_end(ap);
    lim->suppressed = 0;
}
