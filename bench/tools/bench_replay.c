/* SPDX-License-Identifier: MIT */
/*
 * `arbiter replay` throughput: events per second end to end from a raw
 * capture file (read, parse, detect, risk, report), against the plain way to
 * read the same file: getline, cJSON_Parse of every payload and strtod of the
 * same fields, with no detector at all. The capture is the recorded Binance
 * USD-M stream, repeated until it is large enough to time.
 */
#include "bench/bench.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef ARB_BENCH_ARBITER
#define ARB_BENCH_ARBITER "arbiter"
#endif
#ifndef ARB_BENCH_DATA
#define ARB_BENCH_DATA "data"
#endif

#define COPIES 400 /* ~240k frames, ~100 MB: long enough that start-up is noise */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the recording COPIES times, each copy's times shifted so the file stays ordered. */
static long make_capture(const char *src, const char *dst)
{
    FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
    char *line = NULL;
    size_t cap = 0;
    long frames = 0;

    if (!in || !out) {
        fprintf(stderr, "bench_replay: %s: %s\n", in ? dst : src, strerror(errno));
        exit(1);
    }
    for (int c = 0; c < COPIES; c++) {
        rewind(in);
        ssize_t n;
        while ((n = getline(&line, &cap, in)) > 0) {
            double sec;
            int off;
            /* cryptofeed frames: "<sec.frac>: <payload>"; rewrite as arbiter's "<ns> <payload>". */
            if (sscanf(line, "%lf:%n", &sec, &off) != 1 || line[0] == 'w')
                continue;
            unsigned long long ns =
                (unsigned long long)(sec * 1e9) + (unsigned long long)c * 3600000000000ULL;
            fprintf(out, "%llu%s", ns, line + off);
            frames++;
        }
    }
    free(line);
    fclose(in);
    fclose(out);
    return frames;
}

/* Ours: the real command, timed from outside; its summary says how many events it saw. */
static double run_replay(const char *capture, long *events)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "%s replay --no-timing binance-futures:%s", ARB_BENCH_ARBITER,
             capture);
    double t0 = now_s();
    FILE *p = popen(cmd, "r");
    char buf[65536];
    *events = 0;
    ARB_BENCH_CHECK(p);
    while (fgets(buf, sizeof(buf), p)) {
        char *s = strstr(buf, "{\"summary\":{\"events\":");
        if (s)
            *events = strtol(s + 21, NULL, 10);
    }
    int st = pclose(p);
    double dt = now_s() - t0;
    ARB_BENCH_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && *events > 0);
    return (double)*events / dt;
}

/* The peer: getline + cJSON + strtod of the fields our parser reads. */
static double run_plain(const char *capture, long *events)
{
    FILE *in = fopen(capture, "r");
    char *line = NULL;
    size_t cap = 0;
    double sink = 0;
    ssize_t n;

    ARB_BENCH_CHECK(in);
    *events = 0;
    double t0 = now_s();
    while ((n = getline(&line, &cap, in)) > 0) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        cJSON *root = cJSON_Parse(sp + 1);
        if (!root)
            continue;
        cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
        cJSON *e = data ? cJSON_GetObjectItemCaseSensitive(data, "e") : NULL;
        if (cJSON_IsString(e) && strcmp(e->valuestring, "bookTicker") == 0) {
            static const char *const keys[] = {"b", "B", "a", "A"};
            for (int k = 0; k < 4; k++) {
                cJSON *v = cJSON_GetObjectItemCaseSensitive(data, keys[k]);
                if (cJSON_IsString(v))
                    sink += strtod(v->valuestring, NULL);
            }
            (*events)++;
        } else if (cJSON_IsString(e) && strcmp(e->valuestring, "markPriceUpdate") == 0) {
            cJSON *r = cJSON_GetObjectItemCaseSensitive(data, "r");
            if (cJSON_IsString(r))
                sink += strtod(r->valuestring, NULL);
            (*events)++;
        }
        cJSON_Delete(root);
    }
    double dt = now_s() - t0;
    free(line);
    fclose(in);
    arb_bench_sink((uint64_t)sink);
    return (double)*events / dt;
}

int main(void)
{
    char capture[] = "/tmp/arb-bench-replay-XXXXXX";
    int fd = mkstemp(capture);
    ARB_BENCH_CHECK(fd >= 0);
    close(fd);
    long frames = make_capture(ARB_BENCH_DATA "/recorded/BINANCE_FUTURES.ws.1.0", capture);
    struct arb_bench_series ours = {0}, plain = {0};
    long ev_ours = 0, ev_plain = 0;
    int reps = arb_bench_reps();
    if (reps > 5)
        reps = 5; /* each rep replays ~240k frames twice; five are plenty for a median */
    for (int r = 0; r < reps; r++) {
        if (r & 1) {
            arb_bench_add(&plain, run_plain(capture, &ev_plain));
            arb_bench_add(&ours, run_replay(capture, &ev_ours));
        } else {
            arb_bench_add(&ours, run_replay(capture, &ev_ours));
            arb_bench_add(&plain, run_plain(capture, &ev_plain));
        }
    }
    unlink(capture);
    /* Both sides must have seen the same events, or the ratio means nothing. */
    ARB_BENCH_CHECK(ev_ours == ev_plain);
    arb_bench_report("replay", "events_per_s", "events/s", &ours, "cjson_strtod_read", &plain,
                     true);
    fprintf(stderr,
            "# replay: %ld frames, %ld events per pass; ours includes the detector and risk "
            "gate, the peer only parses\n",
            frames, ev_ours);
    return 0;
}
