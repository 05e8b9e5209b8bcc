/* SPDX-License-Identifier: MIT */
/*
 * A feed thread's capture against what arbsim sent: one `<recv_ns> <payload>`
 * line per received message, the payload byte for byte, the time the one its
 * ticks carry, across many io_uring buffer flushes in flood mode; and
 * `arbiter parse` of the file gives back the same ticks the ring carried.
 */
#include "feed_sim.h"

#include "core/fixed.h"

#define SEQ0 7000

static const struct fs_quote quotes[] = {
    {"1.0002", "1250000.5", "1.0003", "980000.25", 100020000, 125000050000000, 100030000,
     98000025000000},
    {"0.99987654", "12.3456789", "0.99991234", "0.00000001", 99987654, 1234567890, 99991234, 1},
    {"1.1", "1", "1.2", "2", 110000000, 100000000, 120000000, 200000000},
};
#define NQ 3

/* What arbsim must put on the wire for each row, written out by hand from its docs: binance
 * spot prints 8 decimals, and the /stream endpoint wraps the payload. */
#define WIRE_HEAD "{\"stream\":\"usdcusdt@bookTicker\",\"data\":{\"u\":"
static const char *const wire_tail[NQ] = {
    ",\"s\":\"USDCUSDT\",\"b\":\"1.00020000\",\"B\":\"1250000.50000000\","
    "\"a\":\"1.00030000\",\"A\":\"980000.25000000\"}}",
    ",\"s\":\"USDCUSDT\",\"b\":\"0.99987654\",\"B\":\"12.34567890\","
    "\"a\":\"0.99991234\",\"A\":\"0.00000001\"}}",
    ",\"s\":\"USDCUSDT\",\"b\":\"1.10000000\",\"B\":\"1.00000000\","
    "\"a\":\"1.20000000\",\"A\":\"2.00000000\"}}",
};
#define ACK "{\"result\":null,\"id\":1}"

static struct fs_feed ff;

/* The string value of "key" in a JSON line from arbiter parse, copied into out. */
static const char *json_str(const char *line, const char *key, char *out, size_t len)
{
    char k[64];

    snprintf(k, sizeof k, "\"%s\":\"", key);
    const char *p = strstr(line, k), *e;
    if (!p || !(e = strchr(p + strlen(k), '"')) || (size_t)(e - p - (ptrdiff_t)strlen(k)) >= len)
        return "";
    p += strlen(k);
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return out;
}

static int64_t json_fixed(const char *line, const char *key)
{
    char v[64];
    int64_t x = INT64_MIN;

    if (arb_fixed_parse_cstr(json_str(line, key, v, sizeof v), &x) < 0)
        T_FAIL("%s: '%s' is not a decimal", key, v);
    return x;
}

static uint64_t json_u64(const char *line, const char *key)
{
    char k[64];

    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(line, k);
    return p ? strtoull(p + strlen(k), NULL, 10) : UINT64_MAX;
}

/*
 * Runs one feed with capture over arbsim playing `passes` passes of the script (flooded
 * when `flood`), keeping every tick; then checks the file, and arbiter parse of it.
 */
static void run(const char *arbsim, const char *arbiter, const char *dir, const char *script,
                int passes, bool flood)
{
    char cap[512], loops[16], cmd[1200], v[64];
    struct arb_simproc sim;
    size_t n = (size_t)passes * NQ, got = 0;
    struct arb_tick *ticks = calloc(n, sizeof *ticks);

    fprintf(stderr, "-- %d passes%s\n", passes, flood ? ", flood" : "");
    REQUIRE(ticks);
    snprintf(cap, sizeof cap, "%s/feed_%d.cap", dir, passes);
    snprintf(loops, sizeof loops, "%d", passes);
    const char *args[] = {"--venue", "binance",     "--script",
                          script,    "--seq-start", "7000",
                          "--loop",  loops,         flood ? "--flood" : NULL,
                          NULL};
    fs_sim_start(&sim, arbsim, args);
    struct arb_feed_config cfg = fs_config();
    cfg.capture_path = cap;
    fs_feed_init(&ff, "binance", "USDCUSDT", "ws", sim.port, "/stream", cfg);
    REQUIRE(arb_feed_start(&ff.feed) == 0);
    while (got < n && fs_next(&ff, &ticks[got], 10000))
        got++;
    CHECK_EQ_U64(got, n);
    for (size_t i = 0; i < got; i++) {
        if (!fs_same_quote(&ticks[i], &quotes[i % NQ]) || ticks[i].seq != SEQ0 + i) {
            T_FAIL("tick %zu: seq %llu, not its script row", i, (unsigned long long)ticks[i].seq);
            break;
        }
    }
    /* Stopping flushes the capture and waits for its writes. */
    arb_feed_stop(&ff.feed);
    uint64_t cap_bytes = fs_stat(&ff.feed.stats.capture_bytes);
    CHECK_EQ_U64(fs_stat(&ff.feed.stats.frames), n + 1);
    fs_feed_destroy(&ff);
    CHECK_EQ_I64(fs_sim_stop(&sim), 0);

    /* The file: the ack, then every quote, as sent, stamped with its ticks' receive time. */
    FILE *f = fopen(cap, "r");
    REQUIRE(f);
    static char line[4096], want[1024];
    size_t lines = 0, bytes = 0;
    uint64_t prev_ts = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        bytes += len;
        REQUIRE(len > 0 && line[len - 1] == '\n');
        line[--len] = '\0';
        char *sp = strchr(line, ' ');
        REQUIRE(sp && sp > line && strspn(line, "0123456789") == (size_t)(sp - line));
        uint64_t ts = strtoull(line, NULL, 10);
        CHECK(ts >= prev_ts);
        prev_ts = ts;
        if (lines == 0) {
            CHECK_STR(sp + 1, ACK);
        } else if (lines <= n) {
            size_t i = lines - 1;
            snprintf(want, sizeof want, "%s%llu%s", WIRE_HEAD, (unsigned long long)(SEQ0 + i),
                     wire_tail[i % NQ]);
            if (strcmp(sp + 1, want) != 0) {
                T_FAIL("line %zu: '%s', want '%s'", lines + 1, sp + 1, want);
                break;
            }
            if (i < got && ts != ticks[i].recv_ts_ns) {
                T_FAIL("line %zu: time %llu, tick's %llu", lines + 1, (unsigned long long)ts,
                       (unsigned long long)ticks[i].recv_ts_ns);
                break;
            }
        }
        lines++;
    }
    fclose(f);
    CHECK_EQ_U64(lines, n + 1);
    CHECK_EQ_U64(bytes, cap_bytes);

    /* arbiter parse reads the file back into the same ticks. */
    snprintf(cmd, sizeof cmd, "'%s' parse --venue binance '%s' 2>/dev/null", arbiter, cap);
    FILE *p = popen(cmd, "r");
    REQUIRE(p);
    size_t k = 0;
    while (fgets(line, sizeof line, p)) {
        if (k >= got) {
            T_FAIL("arbiter parse: extra line '%s'", line);
            break;
        }
        const struct arb_tick *t = &ticks[k];
        bool ok = strcmp(json_str(line, "venue", v, sizeof v), "binance") == 0 &&
                  strcmp(json_str(line, "symbol", v, sizeof v), "USDCUSDT") == 0 &&
                  strcmp(json_str(line, "kind", v, sizeof v), "bbo") == 0 &&
                  json_fixed(line, "bid_px") == t->bid_px_e8 &&
                  json_fixed(line, "bid_qty") == t->bid_qty_e8 &&
                  json_fixed(line, "ask_px") == t->ask_px_e8 &&
                  json_fixed(line, "ask_qty") == t->ask_qty_e8 &&
                  json_u64(line, "recv_ts_ns") == t->recv_ts_ns && json_u64(line, "seq") == t->seq;
        if (!ok) {
            T_FAIL("arbiter parse line %zu: '%s' is not tick seq %llu", k + 1, line,
                   (unsigned long long)t->seq);
            break;
        }
        k++;
    }
    CHECK_EQ_I64(pclose(p), 0);
    CHECK_EQ_U64(k, got);
    free(ticks);
}

int main(int argc, char **argv)
{
    const char *arbsim = fs_arbsim(argc, argv);
    char dir[128], script[512];

    if (argc < 3 || access(argv[2], X_OK) != 0) {
        fprintf(stderr, "skip: usage: %s path/to/arbsim path/to/arbiter\n", argv[0]);
        return T_EXIT_SKIP;
    }
    fs_tmpdir(dir, sizeof dir, "feed_capture");
    fs_write_script(dir, "quotes.csv", "USDCUSDT", quotes, NQ, 20, script, sizeof script);
    run(arbsim, argv[2], dir, script, 1, false);
    /* About 3 MB of lines: the two 1 MiB buffers each go to io_uring more than once. */
    run(arbsim, argv[2], dir, script, 8000, true);
    fs_rmdir(dir);
    return T_DONE();
}
