/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics. One line per message, written whole with one write(2) so lines
 * from different threads never interleave. Hot threads use the rate-limited
 * form, which costs a counter check when suppressed.
 */
#ifndef ARB_CORE_LOG_H
#define ARB_CORE_LOG_H

#include <stdint.h>

enum arb_log_level {
    ARB_LOG_ERROR = 0,
    ARB_LOG_WARN = 1,
    ARB_LOG_INFO = 2,
    ARB_LOG_DEBUG = 3,
};

/* Where lines go. The default writes to stderr. */
typedef void (*arb_log_sink_fn)(enum arb_log_level level, const char *line, int len);

void arb_log_set_sink(arb_log_sink_fn sink);
void arb_log_set_level(enum arb_log_level level);

/* Formats and emits one line ("arbiter: warn: ..."). Cold: it formats. */
void arb_log(enum arb_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A token bucket for one log site: at most `burst` lines, refilled at one per
 * `interval_ns`. Suppressed lines are counted and reported with the next one
 * that passes.
 */
struct arb_log_limit {
    uint64_t interval_ns;
    uint32_t burst;
    uint32_t tokens;
    uint64_t last_ns;
    uint64_t suppressed;
};

#define ARB_LOG_LIMIT_INIT(burst_, interval_ns_)                                                   \
    {                                                                                              \
        .interval_ns = (interval_ns_), .burst = (burst_), .tokens = (burst_)                       \
    }

/* Like arb_log, but through the bucket `lim`; `now_ns` is the caller's clock. */
void arb_log_limited(struct arb_log_limit *lim, uint64_t now_ns, enum arb_log_level level,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* ARB_CORE_LOG_H */
