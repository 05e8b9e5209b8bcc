/* SPDX-License-Identifier: MIT */
/*
 * arbsim's flood mode, the source of the end-to-end throughput benchmark:
 * every pass of every loop arrives, in order, with sequence numbers that run
 * on across loops, and the stream closes with 1000 at the end. Prints the rate
 * it saw as a note (timings are never assertions here).
 */
#include "test_arbsim.h"

static struct t_ws w;
static char buf[1 << 16];

/* Reads until the close frame. Returns data frames seen; checks "u" runs +1 when `seq`. */
static uint64_t read_all(int seq, uint64_t first_u, unsigned *close_code)
{
    uint64_t n = 0, expect = first_u;
    size_t len = 0;
    int op;

    while ((op = t_ws_recv(&w, 10000, buf, sizeof buf, &len)) == ARB_WS_TEXT) {
        if (seq) {
            uint64_t u = t_json_u64(buf, "\"u\":");
            if (u != expect) {
                T_FAIL("frame %llu: u %llu, want %llu", (unsigned long long)n,
                       (unsigned long long)u, (unsigned long long)expect);
                break;
            }
            expect++;
        }
        n++;
    }
    *close_code = op == ARB_WS_CLOSE ? t_close_code(buf, len) : 0;
    return n;
}

static double secs(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int main(void)
{
    char path[512], loops[32];
    struct arb_simproc sim;
    struct timespec t0, t1;
    unsigned code;
    uint64_t n, want = strtoull(t_env("ARB_FLOOD_FRAMES", "200000"), NULL, 10);

    /* Script: 10 rows a pass, so loops = want / 10. */
    snprintf(loops, sizeof loops, "%llu", (unsigned long long)(want / 10));
    {
        const char *args[] = {
            "--venue",     "binance",
            "--flood",     "--loop",
            loops,         "--close-at-end",
            "--seq-start", "1",
            "--script",    t_src("data/scripts/usdcusdt_binance.csv", path, sizeof path),
            NULL};
        t_sim_start(&sim, args);
    }
    t_ws_connect(&w, sim.port, "/ws/usdcusdt@bookTicker", NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    n = read_all(1, 1, &code);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_EQ_U64(n, want / 10 * 10);
    CHECK_EQ_I64(code, 1000);
    printf("note: script flood, encoded per frame: %llu frames in %.3f s = %.0f frames/s\n",
           (unsigned long long)n, secs(&t0, &t1), (double)n / secs(&t0, &t1));
    t_ws_close(&w);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);

    /* A real capture (265 frames a pass), prebuilt frames copied out in batches. */
    t_src("data/recorded/BINANCE.ws.1.0", path, sizeof path);
    if (access(path, R_OK) == 0) {
        snprintf(loops, sizeof loops, "%llu", (unsigned long long)(want / 265 + 1));
        const char *args[] = {"--venue",        "binance",       "--flood",   "--loop", loops,
                              "--close-at-end", "--all-symbols", "--capture", path,     NULL};
        t_sim_start(&sim, args);
        t_ws_connect(&w, sim.port, "/stream?streams=nknusdt@bookTicker", NULL);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        n = read_all(0, 0, &code);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CHECK_EQ_U64(n, (want / 265 + 1) * 265);
        CHECK_EQ_I64(code, 1000);
        printf("note: capture flood, recorded frames: %llu frames in %.3f s = %.0f frames/s\n",
               (unsigned long long)n, secs(&t0, &t1), (double)n / secs(&t0, &t1));
        t_ws_close(&w);
        CHECK_EQ_I64(fs_sim_stop(&sim), 0);
    }
    return T_DONE();
}
