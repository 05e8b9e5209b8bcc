/* SPDX-License-Identifier: MIT */
/*
 * End-to-end feed throughput: arbsim --flood on loopback, through io_uring,
 * the WebSocket client, the binance parser and the tick ring of a real
 * struct arb_feed, against a blocking recv() loop with the same frame decoder
 * and parser ("the ordinary parts"), over ws:// and wss://, interleaved.
 */
#include "bench/alloc.h"
#include "bench/bench.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/registry.h"
#include "core/ring.h"
#include "feeds/feed.h"
#include "feeds/parser.h"
#include "feeds/wsframe.h"
#include "tools/simproc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#define CAP_LINES   100000  /* distinct frames in the flooded capture */
#define SEQ0        1000000 /* u of its first line */
#define WARM_FRAMES 200000  /* frames before the window opens: connect, slow start, caches */
#define RING_CAP    65536   /* ticks; the consumer drains every ~100 us */
#define TIMEOUT_NS  60000000000ULL

static const char sub_msg[] =
    "{\"method\":\"SUBSCRIBE\",\"params\":[\"usdcusdt@bookTicker\"],\"id\":1}";

/* A capture of distinct bookTickers, u = SEQ0 + line, prices moving a little. */
static void write_capture(const char *path)
{
    FILE *f = fopen(path, "w");

    ARB_BENCH_CHECK(f);
    for (int i = 0; i < CAP_LINES; i++)
        fprintf(f,
                "%llu {\"u\":%d,\"s\":\"USDCUSDT\",\"b\":\"0.99%02d0000\",\"B\":\"%d.00000000\","
                "\"a\":\"1.00%02d0000\",\"A\":\"%d.50000000\"}\n",
                1700000000000000000ULL + (unsigned long long)i * 1000, SEQ0 + i, 90 + i % 10,
                100000 + i % 7919, i % 10, 200000 + i % 104729);
    ARB_BENCH_CHECK(fclose(f) == 0);
}

/* One rep's outcome. */
struct result {
    uint64_t frames;     /* in the window */
    uint64_t ns;         /* window length */
    int64_t alloc_bytes; /* allocated by the feed thread in the window; -1 without jemalloc */
    uint64_t ring_full;
};

/* ---- arbiter: struct arb_feed on its own thread, a consumer draining the ring ---- */

struct feed_run {
    struct arb_registry reg;
    struct arb_ring *ring;
    struct arb_feed feed;
    uint64_t want;
    struct result res;
    _Atomic int done;  /* feed thread -> consumer: stop */
    uint64_t consumed; /* consumer only, read after join */
    uint64_t bad;      /* ticks that were not the capture's next line */
    int64_t sum;       /* every bid, so nothing is optimized away */
};

/*
 * The feed thread's busy path, as feed_main runs it under load (arb_feed_step
 * without parking), on a thread of ours so that it can read its own jemalloc
 * counter around the window.
 */
static void *feed_thread(void *arg)
{
    struct feed_run *r = arg;
    struct arb_feed *f = &r->feed;
    uint64_t start = arb_bench_now_ns(), t0 = 0, n0 = 0;
    int64_t a0 = 0;

    for (;;) {
        arb_feed_step(f, 0);
        uint64_t n = atomic_load_explicit(&f->stats.ticks, memory_order_relaxed);
        if (!t0 && n >= WARM_FRAMES) {
            a0 = arb_bench_allocated();
            n0 = n;
            t0 = arb_bench_now_ns();
        } else if (t0 && n - n0 >= r->want) {
            uint64_t t1 = arb_bench_now_ns();
            int64_t a1 = arb_bench_allocated();
            r->res.frames = n - n0;
            r->res.ns = t1 - t0;
            r->res.alloc_bytes = a0 < 0 ? -1 : a1 - a0;
            break;
        }
        if (arb_bench_now_ns() - start > TIMEOUT_NS) {
            fprintf(stderr, "bench_feed: feed stalled at %llu ticks (%s)\n", (unsigned long long)n,
                    f->ws.errmsg);
            exit(1);
        }
    }
    r->res.ring_full = atomic_load_explicit(&f->stats.ring_full, memory_order_relaxed);
    atomic_store_explicit(&r->done, 1, memory_order_release);
    return NULL;
}

/* Sleeps between drains, so a third busy thread does not crowd two cores. */
static void *consumer_thread(void *arg)
{
    struct feed_run *r = arg;
    struct timespec nap = {0, 50000};

    for (;;) {
        struct arb_ring_rec *first;
        uint32_t n = arb_ring_spsc_peek(r->ring, 4096, &first);
        if (n == 0) {
            if (atomic_load_explicit(&r->done, memory_order_acquire) &&
                arb_ring_spsc_peek(r->ring, 1, &first) == 0)
                break;
            nanosleep(&nap, NULL);
            continue;
        }
        for (uint32_t i = 0; i < n; i++) {
            const struct arb_tick *t = (const struct arb_tick *)&first[i];
            r->bad += t->kind != ARB_TICK_BBO || t->seq != SEQ0 + r->consumed % CAP_LINES;
            r->sum += t->bid_px_e8;
            r->consumed++;
        }
        arb_ring_spsc_release(r->ring, n);
    }
    return NULL;
}

static struct result run_feed(int port, const char *scheme, const char *ca, uint64_t want)
{
    static struct feed_run r;
    static const char *const syms[] = {"USDCUSDT"};
    char url[128];
    struct arb_thread ft, ct;

    memset(&r, 0, sizeof r);
    arb_registry_init(&r.reg);
    r.ring = arb_ring_create(RING_CAP);
    ARB_BENCH_CHECK(r.ring);
    r.want = want;
    snprintf(url, sizeof url, "%s://127.0.0.1:%d/ws", scheme, port);
    struct arb_feed_config cfg = {
        .url = url,
        .ca_file = ca,
        .symbols = syms,
        .nsymbols = 1,
        .cpu = -1,
        .seq_contiguous = -1,
    };
    ARB_BENCH_CHECK(arb_feed_init(&r.feed, "binance", &cfg, &r.reg, r.ring) == 0);
    arb_bench_thread_start(&ct, "bench-drain", -1, consumer_thread, &r);
    arb_bench_thread_start(&ft, "feed-binance", arb_bench_cpu(0), feed_thread, &r);
    arb_thread_join(&ft, NULL);
    arb_thread_join(&ct, NULL);
    /* Every tick pushed reached the consumer as the capture's next line. */
    ARB_BENCH_CHECK(r.bad == 0);
    ARB_BENCH_CHECK(r.consumed == atomic_load_explicit(&r.feed.stats.ticks, memory_order_relaxed));
    ARB_BENCH_CHECK(r.feed.stats.malformed == 0);
    arb_bench_sink((uint64_t)r.sum);
    arb_feed_destroy(&r.feed);
    arb_ring_destroy(r.ring);
    return r.res;
}

/* ---- peer: blocking recv(), the same frame decoder and parser, one thread ---- */

struct peer_run {
    int port;
    SSL_CTX *ctx; /* NULL: plain ws:// */
    uint64_t want;
    struct result res;
};

static void write_all(int fd, SSL *ssl, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n) {
        ssize_t k = ssl ? SSL_write(ssl, b, (int)n) : send(fd, b, n, MSG_NOSIGNAL);
        ARB_BENCH_CHECK(k > 0);
        b += k;
        n -= (size_t)k;
    }
}

static ssize_t read_some(int fd, SSL *ssl, uint8_t *p, size_t n)
{
    return ssl ? SSL_read(ssl, p, (int)(n > INT32_MAX ? INT32_MAX : n)) : recv(fd, p, n, 0);
}

static void *peer_thread(void *arg)
{
    struct peer_run *pr = arg;
    static uint8_t buf[1 << 16];
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)pr->port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    SSL *ssl = NULL;
    char req[512];
    size_t have = 0;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ARB_BENCH_CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (pr->ctx) {
        ssl = SSL_new(pr->ctx);
        ARB_BENCH_CHECK(ssl);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
        SSL_set_fd(ssl, fd);
        ARB_BENCH_CHECK(SSL_connect(ssl) == 1);
    }
    int rl = snprintf(req, sizeof req,
                      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n",
                      pr->port);
    write_all(fd, ssl, req, (size_t)rl);
    for (;;) {
        ssize_t k = read_some(fd, ssl, buf + have, sizeof buf - have);
        ARB_BENCH_CHECK(k > 0);
        have += (size_t)k;
        uint8_t *end = memmem(buf, have, "\r\n\r\n", 4);
        if (end) {
            ARB_BENCH_CHECK(memcmp(buf, "HTTP/1.1 101", 12) == 0);
            size_t hl = (size_t)(end + 4 - buf);
            memmove(buf, buf + hl, have - hl);
            have -= hl;
            break;
        }
    }
    {
        static const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
        uint8_t f[256];
        size_t n = sizeof sub_msg - 1, h = arb_ws_frame_encode(f, 1, ARB_WS_TEXT, n, key);
        memcpy(f + h, sub_msg, n);
        arb_ws_mask(f + h, n, key, 0);
        write_all(fd, ssl, f, h + n);
    }

    /* The parser and symbols as the feed sets them up. */
    struct arb_registry reg;
    struct arb_symtab st;
    struct arb_parser ps;
    struct arb_tick ticks[ARB_FEED_TICKS];
    arb_registry_init(&reg);
    int venue = arb_registry_venue(&reg, "binance");
    int inst = arb_registry_resolve(&reg, "binance", "USDCUSDT", 8);
    ARB_BENCH_CHECK(venue >= 0 && inst >= 0);
    arb_symtab_init(&st);
    ARB_BENCH_CHECK(arb_symtab_add(&st, "USDCUSDT", 8, (uint16_t)inst) == 0);
    arb_parser_init(&ps, (uint16_t)venue, &st);

    uint64_t count = 0, bad = 0, t0 = 0, n0 = 0, start = arb_bench_now_ns();
    int64_t sum = 0;
    size_t off = 0;
    for (;;) {
        /* Every whole frame in the buffer. */
        for (;;) {
            struct arb_ws_frame f;
            int hl = arb_ws_frame_decode(buf + off, have - off, sizeof buf, &f);
            ARB_BENCH_CHECK(hl >= 0);
            if (hl == 0 || have - off < (size_t)hl + f.payload_len)
                break;
            const uint8_t *p = buf + off + hl;
            if (f.opcode == ARB_WS_TEXT) {
                int k = arb_feed_binance.parse(&ps, (const char *)p, (size_t)f.payload_len,
                                               arb_clock_now_ns(), ticks, ARB_FEED_TICKS);
                for (int i = 0; i < k; i++) {
                    bad += ticks[i].seq != SEQ0 + count % CAP_LINES;
                    sum += ticks[i].bid_px_e8;
                    count++;
                }
            }
            off += (size_t)hl + (size_t)f.payload_len;
        }
        if (!t0 && count >= WARM_FRAMES) {
            n0 = count;
            t0 = arb_bench_now_ns();
        } else if (t0 && count - n0 >= pr->want) {
            pr->res.ns = arb_bench_now_ns() - t0;
            pr->res.frames = count - n0;
            break;
        }
        ARB_BENCH_CHECK(arb_bench_now_ns() - start < TIMEOUT_NS);
        /* Keep the partial frame; refill behind it. */
        memmove(buf, buf + off, have - off);
        have -= off;
        off = 0;
        ssize_t k = read_some(fd, ssl, buf + have, sizeof buf - have);
        ARB_BENCH_CHECK(k > 0);
        have += (size_t)k;
    }
    ARB_BENCH_CHECK(bad == 0);
    arb_bench_sink((uint64_t)sum);
    if (ssl)
        SSL_free(ssl);
    close(fd);
    pr->res.alloc_bytes = -1;
    return NULL;
}

static struct result run_peer(int port, SSL_CTX *ctx, uint64_t want)
{
    struct peer_run pr = {.port = port, .ctx = ctx, .want = want};
    struct arb_thread t;

    arb_bench_thread_start(&t, "peer-recv", arb_bench_cpu(0), peer_thread, &pr);
    arb_thread_join(&t, NULL);
    return pr.res;
}

/* ---- driver ------------------------------------------------------------------ */

/* Interleaved reps of feed and peer against one arbsim; prints frames/s and allocations. */
static void measure(const char *transport, int port, const char *ca, SSL_CTX *ctx, uint64_t want)
{
    struct arb_bench_series ours = {0}, theirs = {0};
    int reps = arb_bench_reps();
    int64_t alloc_max = 0;
    uint64_t ring_full = 0;
    char metric[64];
    const char *scheme = ctx ? "wss" : "ws";

    for (int rep = 0; rep < reps; rep++) {
        for (int side = 0; side < 2; side++) {
            /* ours first on even reps, the peer first on odd ones */
            if ((side ^ (rep & 1)) == 0) {
                struct result r = run_feed(port, scheme, ca, want);
                arb_bench_add(&ours, (double)r.frames * 1e9 / (double)r.ns);
                alloc_max =
                    r.alloc_bytes > alloc_max || r.alloc_bytes < 0 ? r.alloc_bytes : alloc_max;
                ring_full += r.ring_full;
            } else {
                struct result r = run_peer(port, ctx, want);
                arb_bench_add(&theirs, (double)r.frames * 1e9 / (double)r.ns);
            }
        }
    }
    snprintf(metric, sizeof metric, "frames_%s", transport);
    arb_bench_report("feed", metric, "frames/s", &ours, "recv_loop", &theirs, true);
    snprintf(metric, sizeof metric, "feed_thread_alloc_bytes_%s", transport);
    arb_bench_json("feed", metric, (double)alloc_max, "bytes", NULL, NAN, false);
    fprintf(stderr,
            "# feed %s: %llu frames per window; ring full %llu times; allocation is the "
            "largest of %d windows (-1: no jemalloc)\n",
            transport, (unsigned long long)want, (unsigned long long)ring_full, reps);
}

int main(void)
{
    uint64_t want = arb_bench_env_u64("ARB_BENCH_FEED_FRAMES", 1000000);
    char dir[] = "/tmp/bench_feed_XXXXXX", cap[128], cert[128], key[128], cmd[1024];
    struct arb_simproc sim;

    if (access(ARB_ARBSIM, X_OK) != 0) {
        fprintf(stderr, "bench_feed: %s not built\n", ARB_ARBSIM);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    arb_clock_init(0);
    /* The capture loops, so u steps back once a pass: a gap the feed would log each time. */
    arb_log_set_level(ARB_LOG_ERROR);
    ARB_BENCH_CHECK(mkdtemp(dir));
    snprintf(cap, sizeof cap, "%s/flood.cap", dir);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    write_capture(cap);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
             "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s "
             ">/dev/null 2>&1",
             key, cert);
    bool tls = system(cmd) == 0;
    if (!tls)
        fprintf(stderr, "bench_feed: no openssl tool: wss:// figures skipped\n");
    /* One simulator for every rep: wss:// answers on the same port when it has a certificate. */
    char *argv[] = {
        ARB_ARBSIM, "--venue",   "binance", "--capture",           cap,  "--flood", "--loop",
        "0",        "--ping-ms", "0",       tls ? "--cert" : NULL, cert, "--key",   key,
        NULL};
    if (arb_simproc_start(&sim, argv, 0) < 0) {
        fprintf(stderr, "bench_feed: %s\n", sim.errmsg);
        return 1;
    }

    measure("ws", sim.port, NULL, NULL, want);
    if (tls) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        ARB_BENCH_CHECK(ctx && SSL_CTX_load_verify_locations(ctx, cert, NULL) == 1);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        measure("wss", sim.port, cert, ctx, want);
        SSL_CTX_free(ctx);
    }
    arb_simproc_stop(&sim, 3000);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ARB_BENCH_CHECK(system(cmd) == 0);
    return 0;
}
