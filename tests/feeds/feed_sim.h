/* SPDX-License-Identifier: MIT */
/*
 * Test side of a feed against arbsim: starts the simulator (its path is the
 * test's argument) on an ephemeral port, writes scripts and captures into a
 * temp dir, runs a real struct arb_feed into a ring, and reads the ticks back.
 */
#ifndef ARB_TESTS_FEEDS_FEED_SIM_H
#define ARB_TESTS_FEEDS_FEED_SIM_H

#include "test.h"
#include "tools/simproc_test.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/ring.h"
#include "feeds/feed.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define FS_MS 1000000ULL

static inline uint64_t fs_now_ms(void)
{
    return arb_clock_mono_ns() / FS_MS;
}

static inline void fs_sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* The arbsim binary from argv[1]; exits 77 when it was not given or not built. */
static inline const char *fs_arbsim(int argc, char **argv)
{
    if (argc < 2 || access(argv[1], X_OK) != 0) {
        fprintf(stderr, "skip: usage: %s path/to/arbsim (built)\n", argv[0]);
        exit(T_EXIT_SKIP);
    }
    return argv[1];
}

/* Sends a command that must be acknowledged with "ok <cmd>". */
static inline void fs_sim_ok(struct arb_simproc *s, const char *cmd)
{
    char reply[512], want[512];

    fs_sim_cmd(s, cmd, reply, sizeof reply);
    snprintf(want, sizeof want, "ok %s\n", cmd);
    if (strcmp(reply, want) != 0 && strncmp(reply, want, strlen(want) - 1) != 0)
        T_FAIL("arbsim '%s' answered '%s'", cmd, reply);
}

/* The unsigned number after `key` in arbsim's stats line, or UINT64_MAX. */
static inline uint64_t fs_sim_stat(struct arb_simproc *s, const char *key)
{
    char reply[2048], k[64];

    fs_sim_cmd(s, "stats", reply, sizeof reply);
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(reply, k);
    return p ? strtoull(p + strlen(k), NULL, 10) : UINT64_MAX;
}

/* A fresh temp dir in `dir` (at least 64 bytes). */
static inline void fs_tmpdir(char *dir, size_t len, const char *name)
{
    snprintf(dir, len, "/tmp/%s_XXXXXX", name);
    REQUIRE(mkdtemp(dir));
}

static inline void fs_rmdir(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* Writes `text` to dir/name and returns the full path in path. */
static inline const char *fs_write(const char *dir, const char *name, const char *text, char *path,
                                   size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    REQUIRE(f && fputs(text, f) >= 0 && fclose(f) == 0);
    return path;
}

/* One feed under test, with its registry and output ring. */
struct fs_feed {
    struct arb_registry reg;
    struct arb_ring *ring;
    struct arb_feed feed;
    char url[256];
    const char *symbols[1];
};

/*
 * Defaults for tests: short reconnects and pings so faults play out in well
 * under a second, a ring big enough that a test never blocks the feed.
 */
static inline struct arb_feed_config fs_config(void)
{
    return (struct arb_feed_config){
        .cpu = -1,
        .stale_ms = 3000,
        .max_lag_ms = 0,
        .ping_ms = 1000,
        .reconnect_min_ms = 50,
        .reconnect_max_ms = 400,
        .seq_contiguous = -1,
    };
}

/* Sets up ff over ws[s]://127.0.0.1:port<path> for one symbol. Does not start it. */
static inline void fs_feed_init(struct fs_feed *ff, const char *venue, const char *symbol,
                                const char *scheme, int port, const char *path,
                                struct arb_feed_config cfg)
{
    arb_registry_init(&ff->reg);
    ff->ring = arb_ring_create(1 << 14);
    REQUIRE(ff->ring);
    snprintf(ff->url, sizeof ff->url, "%s://127.0.0.1:%d%s", scheme, port, path);
    ff->symbols[0] = symbol;
    cfg.url = ff->url;
    cfg.symbols = ff->symbols;
    cfg.nsymbols = 1;
    REQUIRE(arb_feed_init(&ff->feed, venue, &cfg, &ff->reg, ff->ring) == 0);
}

static inline void fs_feed_destroy(struct fs_feed *ff)
{
    arb_feed_destroy(&ff->feed);
    arb_ring_destroy(ff->ring);
}

static inline uint64_t fs_stat(_Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* The next tick within timeout_ms, from a running feed thread. */
static inline bool fs_next(struct fs_feed *ff, struct arb_tick *t, unsigned timeout_ms)
{
    uint64_t deadline = fs_now_ms() + timeout_ms;

    while (!arb_ring_spsc_pop(ff->ring, t)) {
        if (fs_now_ms() > deadline)
            return false;
        fs_sleep_ms(1);
    }
    return true;
}

/* Waits until *c reaches at least `want`, up to timeout_ms. */
static inline bool fs_wait_stat(_Atomic uint64_t *c, uint64_t want, unsigned timeout_ms)
{
    uint64_t deadline = fs_now_ms() + timeout_ms;

    while (fs_stat(c) < want) {
        if (fs_now_ms() > deadline)
            return false;
        fs_sleep_ms(1);
    }
    return true;
}

/* One scripted quote, as the CSV prints it and as fixed point derived by hand. */
struct fs_quote {
    const char *bid, *bid_qty, *ask, *ask_qty;
    int64_t bid_e8, bid_qty_e8, ask_e8, ask_qty_e8;
};

/* Writes a script of `n` rows `step_ms` apart for `symbol` into dir/name. */
static inline const char *fs_write_script(const char *dir, const char *name, const char *symbol,
                                          const struct fs_quote *q, int n, unsigned step_ms,
                                          char *path, size_t len)
{
    char text[8192];
    size_t pos = (size_t)snprintf(text, sizeof text, "t_ms,symbol,bid,bid_qty,ask,ask_qty\n");

    for (int i = 0; i < n; i++) {
        pos += (size_t)snprintf(text + pos, sizeof text - pos, "%u,%s,%s,%s,%s,%s\n",
                                (unsigned)i * step_ms, symbol, q[i].bid, q[i].bid_qty, q[i].ask,
                                q[i].ask_qty);
        REQUIRE(pos < sizeof text);
    }
    return fs_write(dir, name, text, path, len);
}

/* A BBO tick carries exactly the quote's four fixed-point values. */
static inline bool fs_same_quote(const struct arb_tick *t, const struct fs_quote *q)
{
    return t->kind == ARB_TICK_BBO && t->bid_px_e8 == q->bid_e8 && t->bid_qty_e8 == q->bid_qty_e8 &&
           t->ask_px_e8 == q->ask_e8 && t->ask_qty_e8 == q->ask_qty_e8;
}

/* Log lines the feed thread wrote, for checking its error messages. */
static pthread_mutex_t fs_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char fs_log_buf[1 << 16];
static size_t fs_log_len;

static inline void fs_log_sink(enum arb_log_level level, const char *line, int len)
{
    (void)level;
    /* Still shown for whoever reads the test's output; a failed write loses nothing checked. */
    ssize_t rc = write(STDERR_FILENO, line, (size_t)len);
    (void)rc;
    pthread_mutex_lock(&fs_log_lock);
    if (len > 0 && fs_log_len + (size_t)len < sizeof fs_log_buf - 1) {
        memcpy(fs_log_buf + fs_log_len, line, (size_t)len);
        fs_log_len += (size_t)len;
        fs_log_buf[fs_log_len] = '\0';
    }
    pthread_mutex_unlock(&fs_log_lock);
}

/* Whether the log so far holds `needle`. */
static inline bool fs_log_has(const char *needle)
{
    pthread_mutex_lock(&fs_log_lock);
    bool found = strstr(fs_log_buf, needle) != NULL;
    pthread_mutex_unlock(&fs_log_lock);
    return found;
}

#endif /* ARB_TESTS_FEEDS_FEED_SIM_H */
