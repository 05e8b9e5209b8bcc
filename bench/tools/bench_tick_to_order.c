/* SPDX-License-Identifier: MIT */
/*
 * Tick to order over loopback: arbsim replays a depeg path at a fixed, open-loop
 * rate, and the real engine (feed thread, tick ring, detector with the gateway
 * fused in, io_uring send) turns crossings into signed Binance orders, against a
 * plain pipeline of ordinary parts (blocking sockets, cJSON, strtod, a mutex and
 * condvar queue, one-shot HMAC, send()), interleaved in the same run.
 */
#include "bench/bench.h"

#include "core/clock.h"
#include "core/hist.h"
#include "core/log.h"
#include "core/params.h"
#include "feeds/wsframe.h"
#include "tools/engine.h"
#include "tools/simproc.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The market: script rows 1 ms apart played at --speed 2, so a tick every
 * 0.5 ms (2,000 ticks/s) whatever the client does: arbsim's clock, not the
 * client's reads, paces it, so a slow client cannot slow the market down
 * (no coordinated omission). Rows are whole milliseconds, hence the speed.
 */
#define TICK_SPEED     "2"
#define TICKS_PER_S    2000
#define CYCLE          4    /* ticks: peg, peg, 50 bps below (open), back at the peg (close) */
#define SCRIPT_CYCLES  1000 /* 4,000 rows, a 2 s pass, looped for ever */
#define WARM_ORDERS    200  /* orders before the window: connects, first-touch caches */
#define REP_TIMEOUT_NS 15000000000ULL
#define SPIN_US        60000000u /* 60 s: the hot threads never park during a rep */
#define SYMBOL         "USDCUSDT"
#define API_KEY        "bench-t2o-key"
#define API_SECRET     "bench-t2o-secret-test-material-only"

/* The depeg rule of the defaults, for the plain side: USDC entry 30 bps, exit 10 bps. */
#define ENTRY_FRAC       0.0030
#define EXIT_FRAC        0.0010
#define MAX_NOTIONAL_USD 10000.0

#define NSTAGES 7
static const char *const stage_names[NSTAGES] = {
    "feed_parse",  /* receive completion to tick pushed */
    "ring_hop",    /* tick ring: push to the detector's pop */
    "detect",      /* detector pass per tick (every tick), risk included */
    "risk",        /* risk gate per intent */
    "intent_hop",  /* intent ring: push to the (fused) gateway's pop */
    "encode_sign", /* encode, HMAC-SHA256, frame into the send buffer */
    "submit",      /* io_uring_submit: the syscall, after the tick-to-order end point */
};

#define NPCT 5
static const char *const pct_names[NPCT] = {"p50", "p90", "p99", "p99_9", "max"};
static const double pct_values[NPCT] = {50, 90, 99, 99.9, 100};

/* ---- arbsim ---------------------------------------------------------------- */

static struct arb_simproc g_sim;
static char g_dir[] = "/tmp/bench_t2o_XXXXXX";

/* Whatever the exit path (a failed check, a signal), arbsim and the temp files go. */
static void cleanup(void)
{
    char cmd[128];

    if (g_sim.pid > 0) {
        kill(g_sim.pid, SIGKILL);
        waitpid(g_sim.pid, NULL, 0);
        g_sim.pid = 0;
    }
    if (g_dir[sizeof(g_dir) - 2] != 'X') {
        snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_tick_to_order: could not remove %s\n", g_dir);
    }
}

static void on_signal(int sig)
{
    if (g_sim.pid > 0)
        kill(g_sim.pid, SIGKILL);
    _exit(128 + sig);
}

/* Sends one control command and waits for its "ok" line. */
static void sim_cmd(struct arb_simproc *s, const char *cmd)
{
    char line[256];

    ARB_BENCH_CHECK(arb_simproc_cmd(s, cmd, line, sizeof line) == 0 && strncmp(line, "ok", 2) == 0);
}

/*
 * The path: a cycle of four rows, 1 ms apart. The third dips 50 bps below the
 * peg (the ask at 0.995 against USDC's 30 bps entry: buy), the fourth is back
 * at the peg (the long's exit: sell), so every cycle makes two orders. The
 * dip's ask size (1,000) sizes the entry, far under every risk cap.
 */
static void write_script(const char *path)
{
    FILE *f = fopen(path, "w");

    ARB_BENCH_CHECK(f);
    fprintf(f, "t_ms,symbol,bid,bid_qty,ask,ask_qty\n");
    for (int i = 0; i < SCRIPT_CYCLES; i++) {
        int t = i * CYCLE;
        fprintf(f, "%d," SYMBOL ",0.9999,500000.00,1.0000,501000.00\n", t);
        fprintf(f, "%d," SYMBOL ",0.9999,500000.00,1.0000,499000.00\n", t + 1);
        fprintf(f, "%d," SYMBOL ",0.9940,500000.00,0.9950,1000.00\n", t + 2);
        fprintf(f, "%d," SYMBOL ",0.9999,500000.00,1.0000,500000.00\n", t + 3);
    }
    ARB_BENCH_CHECK(fclose(f) == 0);
}

static void write_keys(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

    ARB_BENCH_CHECK(fd >= 0);
    ARB_BENCH_CHECK(dprintf(fd, "api-key=%s\napi-secret=%s\n", API_KEY, API_SECRET) > 0);
    close(fd);
}

/* ---- one repetition's figures ------------------------------------------------ */

struct rep_result {
    double t2o[NPCT];              /* ns */
    double stage[NSTAGES][2];      /* p50, p99, ns */
    uint64_t ticks, orders, fills; /* in the window */
    uint64_t intents, refusals;    /* arbiter: intents the gateway took, refusals, whole rep */
};

static void percentiles(const struct arb_hist *h, double out[NPCT])
{
    for (int i = 0; i < NPCT; i++)
        out[i] =
            pct_values[i] >= 100 ? (double)h->max : (double)arb_hist_percentile(h, pct_values[i]);
}

/* dst = a - b: what was recorded after b was copied from the same histogram. */
static void hist_window(struct arb_hist *dst, const struct arb_hist *a, const struct arb_hist *b)
{
    for (uint32_t i = 0; i < ARB_HIST_BUCKETS; i++)
        dst->counts[i] = a->counts[i] - b->counts[i];
    dst->count = a->count - b->count;
    dst->sum = a->sum - b->sum;
    dst->min = 0;      /* the window's own extremes are unknown; percentiles need neither */
    dst->max = a->max; /* an upper bound */
    dst->clamped = a->clamped - b->clamped;
}

/* ---- arbiter: the engine, as `arbiter run` wires it -------------------------- */

struct ours_tally {
    uint64_t orders; /* ORDER events, warm-up included */
    uint64_t window; /* ORDER events recorded into t2o */
    uint64_t want;
    uint64_t intents, refusals, fills;
    bool recording;
    struct arb_hist *t2o;
};

/*
 * The slow path's part, on this thread: drains both event rings. An ORDER
 * event carries the gateway's own tick-to-order figure (exec.latency_ns, the
 * value it records into h_tick_to_order), so the window holds exactly `want`.
 */
static void drain(struct arb_engine *e, struct ours_tally *t)
{
    struct arb_event ev;

    while (arb_ring_spsc_pop(e->events, &ev)) {
        t->intents += ev.type == ARB_EV_INTENT;
        t->refusals += ev.type == ARB_EV_REFUSAL;
    }
    while (arb_ring_spsc_pop(e->gw_events, &ev)) {
        t->refusals += ev.type == ARB_EV_REFUSAL;
        t->fills += ev.type == ARB_EV_FILL && ev.exec.qty > 0;
        if (ev.type != ARB_EV_ORDER)
            continue;
        t->orders++;
        if (t->recording && t->window < t->want) {
            arb_hist_record(t->t2o, (uint64_t)ev.exec.latency_ns);
            t->window++;
        }
    }
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct arb_hist *stage_hist(struct arb_engine *e, int i)
{
    struct arb_hist *h[NSTAGES] = {e->h_parse[0],       e->h_hop,      e->h_detect,    e->h_risk,
                                   e->gw->h_intent_hop, e->gw->h_sign, e->gw->h_submit};
    return h[i];
}

static void run_ours(int port, uint32_t run_id, uint64_t want, struct rep_result *res)
{
    static struct arb_engine e;
    static struct arb_hist snap[NSTAGES], win;
    static const char *const syms[] = {SYMBOL};
    char md_url[64], ord_url[64], err[160];
    struct ours_tally t = {.want = want, .t2o = arb_hist_create()};

    ARB_BENCH_CHECK(t.t2o);
    snprintf(md_url, sizeof md_url, "ws://127.0.0.1:%d/stream", port);
    snprintf(ord_url, sizeof ord_url, "ws://127.0.0.1:%d/ws-api/v3", port);
    /* Our own order buckets would stop us at Binance's 50 orders per 10 s; arbsim has none. */
    struct arb_gateway_venue gv = {.venue = "binance",
                                   .url = ord_url,
                                   .api_key = API_KEY,
                                   .api_secret = API_SECRET,
                                   .symbols = syms,
                                   .nsymbols = 1,
                                   .orders_per_10s = 100000000,
                                   .weight_per_min = 100000000};
    struct arb_engine_config cfg = {0};
    cfg.nfeeds = 1;
    cfg.feeds[0].venue = "binance";
    cfg.feeds[0].cfg = (struct arb_feed_config){.url = md_url,
                                                .symbols = syms,
                                                .nsymbols = 1,
                                                .cpu = arb_bench_cpu(0),
                                                .spin_us = SPIN_US,
                                                .seq_contiguous = -1};
    cfg.gateway =
        (struct arb_gateway_config){.cpu = -1, .run_id = run_id, .venues = &gv, .nvenues = 1};
    /* Off unless asked: a submission-polling kernel thread needs a core this box lacks. */
    cfg.gateway.sqpoll = arb_bench_env_u64("ARB_BENCH_T2O_SQPOLL", 0) != 0;
    cfg.detector_cpu = arb_bench_cpu(1);
    cfg.fuse_gateway = 1; /* one core per hot thread: two cores, two threads */
    cfg.spin_us = SPIN_US;

    ARB_BENCH_CHECK(arb_engine_prepare(&e, &cfg) == 0);
    /* Every crossing is its own signal: no re-emit cooldown. */
    ARB_BENCH_CHECK(arb_params_set(&e.params, &e.reg, "signal.cooldown_ms", "0", err, sizeof err) ==
                    0);
    ARB_BENCH_CHECK(arb_engine_init(&e) == 0);
    ARB_BENCH_CHECK(arb_engine_start(&e) == 0);

    uint64_t start = arb_bench_now_ns();
    while (t.orders < WARM_ORDERS) {
        nap_ms(5);
        drain(&e, &t);
        if (arb_bench_now_ns() - start > REP_TIMEOUT_NS) {
            fprintf(stderr,
                    "bench_tick_to_order: engine warm-up stalled: %llu orders, %llu ticks\n",
                    (unsigned long long)t.orders,
                    (unsigned long long)atomic_load(&e.feeds[0].stats.ticks));
            exit(1);
        }
    }
    /*
     * The stage histograms belong to the hot threads. With the market paused
     * and every answer in, nothing writes them, so they can be copied; the
     * window is then what was recorded after the copy.
     */
    sim_cmd(&g_sim, "pause");
    nap_ms(30);
    drain(&e, &t);
    for (int i = 0; i < NSTAGES; i++)
        memcpy(&snap[i], stage_hist(&e, i), sizeof snap[i]);
    uint64_t ticks0 = atomic_load(&e.feeds[0].stats.ticks);
    uint64_t fills0 = t.fills;
    t.recording = true;
    sim_cmd(&g_sim, "resume");
    while (t.window < want) {
        nap_ms(5);
        drain(&e, &t);
        if (arb_bench_now_ns() - start > REP_TIMEOUT_NS) {
            fprintf(stderr, "bench_tick_to_order: engine stalled at %llu of %llu orders\n",
                    (unsigned long long)t.window, (unsigned long long)want);
            exit(1);
        }
    }
    arb_engine_stop(&e);
    drain(&e, &t);

    const struct arb_gateway_stats *gs = &e.gw->stats;
    uint64_t g_orders = atomic_load(&gs->orders), g_intents = atomic_load(&gs->intents);
    /* Every intent reached the gateway and left as one order; the venue refused none. */
    ARB_BENCH_CHECK(t.window == want);
    /* Equal unless this (starved) driver let the gateway's event ring overflow, which the
     * gateway counts; then the window is still exact, only the tally is short. */
    uint64_t dropped = atomic_load(&gs->events_dropped);
    if (g_orders != t.orders)
        fprintf(stderr,
                "# tick_to_order: gateway sent %llu orders, %llu ORDER events seen, %llu "
                "events dropped by a slow driver\n",
                (unsigned long long)g_orders, (unsigned long long)t.orders,
                (unsigned long long)dropped);
    ARB_BENCH_CHECK((g_orders == t.orders || dropped > 0) && g_intents >= g_orders);
    ARB_BENCH_CHECK(atomic_load(&gs->rejects) == 0 && atomic_load(&gs->malformed) == 0);
    ARB_BENCH_CHECK(atomic_load(&gs->disconnects) == 0);
    ARB_BENCH_CHECK(t.fills > fills0);
    percentiles(t.t2o, res->t2o);
    for (int i = 0; i < NSTAGES; i++) {
        hist_window(&win, stage_hist(&e, i), &snap[i]);
        res->stage[i][0] = (double)arb_hist_percentile(&win, 50);
        res->stage[i][1] = (double)arb_hist_percentile(&win, 99);
    }
    res->ticks = atomic_load(&e.feeds[0].stats.ticks) - ticks0;
    res->orders = t.window;
    res->fills = t.fills - fills0;
    res->intents = g_intents;
    res->refusals = t.refusals;
    arb_engine_destroy(&e);
    arb_hist_destroy(t.t2o);
}

/* ---- peer: a plain pipeline of ordinary parts --------------------------------- */

#define PQ_CAP 4096

struct pq_item {
    double bid, ask, bid_qty, ask_qty;
    uint64_t recv_ns; /* when recv() returned the bytes that held it */
};

struct plain {
    int port;
    uint32_t run_id;
    uint64_t want;
    int md_fd, ord_fd;
    /* The queue between the reader and the decider. */
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    struct pq_item q[PQ_CAP];
    uint64_t head, tail;
    bool stop;
    /* Decider. */
    uint64_t ticks, orders, window;
    struct arb_hist *t2o;
    /* Answer reader. */
    _Atomic uint64_t answers, answers_ok, answers_filled;
    uint8_t md_buf[1 << 16];
    size_t md_have;
    uint8_t ord_buf[1 << 16];
    size_t ord_have;
};

static void send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        ARB_BENCH_CHECK(k > 0);
        b += k;
        n -= (size_t)k;
    }
}

/* A blocking WebSocket client handshake; bytes after the 101 stay in buf. */
static int ws_open(int port, const char *path, uint8_t *buf, size_t cap, size_t *have)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    char req[512];

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ARB_BENCH_CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rl = snprintf(req, sizeof req,
                      "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n",
                      path, port);
    send_all(fd, req, (size_t)rl);
    *have = 0;
    for (;;) {
        ssize_t k = recv(fd, buf + *have, cap - *have, 0);
        ARB_BENCH_CHECK(k > 0);
        *have += (size_t)k;
        uint8_t *end = memmem(buf, *have, "\r\n\r\n", 4);
        if (end) {
            ARB_BENCH_CHECK(memcmp(buf, "HTTP/1.1 101", 12) == 0);
            size_t hl = (size_t)(end + 4 - buf);
            memmove(buf, buf + hl, *have - hl);
            *have -= hl;
            return fd;
        }
    }
}

/* One masked text frame, built and sent the ordinary way: a copy, then send(). */
static void ws_send_text(int fd, const char *p, size_t n, uint64_t *t_send)
{
    uint8_t frame[ARB_GW_MSG_MAX + 16];
    uint8_t key[4];
    long r = random();

    memcpy(key, &r, sizeof key);
    size_t h = arb_ws_frame_encode(frame, 1, ARB_WS_TEXT, n, key);
    memcpy(frame + h, p, n);
    arb_ws_mask(frame + h, n, key, 0);
    if (t_send)
        *t_send = arb_clock_now_ns();
    send_all(fd, frame, h + n);
}

/* A bookTicker, raw or wrapped in {"stream":..,"data":..}, read with cJSON and strtod. */
static bool parse_ticker(const char *p, size_t n, struct pq_item *it)
{
    cJSON *root = cJSON_ParseWithLength(p, n);
    bool ok = false;

    if (!root)
        return false;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!d)
        d = root;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(d, "s");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(d, "b");
    const cJSON *bq = cJSON_GetObjectItemCaseSensitive(d, "B");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(d, "a");
    const cJSON *aq = cJSON_GetObjectItemCaseSensitive(d, "A");
    if (cJSON_IsString(s) && strcmp(s->valuestring, SYMBOL) == 0 && cJSON_IsString(b) &&
        cJSON_IsString(bq) && cJSON_IsString(a) && cJSON_IsString(aq)) {
        it->bid = strtod(b->valuestring, NULL);
        it->bid_qty = strtod(bq->valuestring, NULL);
        it->ask = strtod(a->valuestring, NULL);
        it->ask_qty = strtod(aq->valuestring, NULL);
        ok = true;
    }
    cJSON_Delete(root);
    return ok;
}

static void *plain_reader(void *arg)
{
    struct plain *pl = arg;
    uint8_t *buf = pl->md_buf;
    size_t have = pl->md_have;
    uint64_t t = arb_clock_now_ns();

    for (;;) {
        size_t off = 0;
        for (;;) {
            struct arb_ws_frame f;
            int hl = arb_ws_frame_decode(buf + off, have - off, sizeof pl->md_buf, &f);
            ARB_BENCH_CHECK(hl >= 0);
            if (hl == 0 || have - off < (size_t)hl + f.payload_len)
                break;
            struct pq_item it;
            if (f.opcode == ARB_WS_TEXT &&
                parse_ticker((const char *)buf + off + hl, (size_t)f.payload_len, &it)) {
                it.recv_ns = t;
                pthread_mutex_lock(&pl->mu);
                while (pl->head - pl->tail == PQ_CAP && !pl->stop)
                    pthread_cond_wait(&pl->nonfull, &pl->mu);
                pl->q[pl->head++ % PQ_CAP] = it;
                pthread_cond_signal(&pl->nonempty);
                pthread_mutex_unlock(&pl->mu);
            }
            off += (size_t)hl + (size_t)f.payload_len;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
        ssize_t k = recv(pl->md_fd, buf + have, sizeof pl->md_buf - have, 0);
        t = arb_clock_now_ns();
        if (k <= 0)
            break; /* shut down by the driver */
        have += (size_t)k;
    }
    return NULL;
}

/* Builds, signs and sends one order.place the way the Binance docs show it. */
static void plain_order(struct plain *pl, bool buy, double px, double qty, uint64_t recv_ns)
{
    char clid[32], query[512], sig[2 * EVP_MAX_MD_SIZE + 1], msg[1024];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    long long ts_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    snprintf(clid, sizeof clid, "p%04x%08llx", pl->run_id & 0xffff, (unsigned long long)pl->orders);
    int qn = snprintf(query, sizeof query,
                      "apiKey=%s&newClientOrderId=%s&price=%.8f&quantity=%.8f&recvWindow=5000"
                      "&side=%s&symbol=%s&timeInForce=IOC&timestamp=%lld&type=LIMIT",
                      API_KEY, clid, px, qty, buy ? "BUY" : "SELL", SYMBOL, ts_ms);
    ARB_BENCH_CHECK(qn > 0 && (size_t)qn < sizeof query);
    ARB_BENCH_CHECK(HMAC(EVP_sha256(), API_SECRET, (int)strlen(API_SECRET),
                         (const unsigned char *)query, (size_t)qn, mac, &maclen));
    for (unsigned int i = 0; i < maclen; i++)
        snprintf(sig + 2 * i, 3, "%02x", mac[i]);
    int mn = snprintf(msg, sizeof msg,
                      "{\"id\":%llu,\"method\":\"order.place\",\"params\":{\"apiKey\":\"%s\","
                      "\"newClientOrderId\":\"%s\",\"price\":\"%.8f\",\"quantity\":\"%.8f\","
                      "\"recvWindow\":5000,\"side\":\"%s\",\"symbol\":\"%s\",\"timeInForce\":"
                      "\"IOC\",\"timestamp\":%lld,\"type\":\"LIMIT\",\"signature\":\"%s\"}}",
                      (unsigned long long)pl->orders + 1, API_KEY, clid, px, qty,
                      buy ? "BUY" : "SELL", SYMBOL, ts_ms, sig);
    ARB_BENCH_CHECK(mn > 0 && (size_t)mn < sizeof msg);
    uint64_t t_send;
    /* Same end point as the engine's: just before the call that hands the order to the kernel. */
    ws_send_text(pl->ord_fd, msg, (size_t)mn, &t_send);
    pl->orders++;
    if (pl->orders > WARM_ORDERS && pl->window < pl->want) {
        arb_hist_record(pl->t2o, t_send - recv_ns);
        pl->window++;
    }
}

static void *plain_decider(void *arg)
{
    struct plain *pl = arg;
    bool long_pos = false;
    double pos_qty = 0;

    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (pl->head == pl->tail && !pl->stop)
            pthread_cond_wait(&pl->nonempty, &pl->mu);
        if (pl->stop) {
            pthread_mutex_unlock(&pl->mu);
            break;
        }
        struct pq_item it = pl->q[pl->tail++ % PQ_CAP];
        pthread_cond_signal(&pl->nonfull);
        pthread_mutex_unlock(&pl->mu);
        pl->ticks++;
        /* The detector's rule in double: buy a dip below the entry, sell once back home. */
        if (!long_pos && it.ask <= 1.0 - ENTRY_FRAC) {
            double qty =
                it.ask_qty < MAX_NOTIONAL_USD / it.ask ? it.ask_qty : MAX_NOTIONAL_USD / it.ask;
            plain_order(pl, true, it.ask, qty, it.recv_ns);
            long_pos = true;
            pos_qty = qty;
        } else if (long_pos && fabs(it.bid - 1.0) <= EXIT_FRAC) {
            plain_order(pl, false, it.bid, pos_qty, it.recv_ns);
            long_pos = false;
        }
        if (pl->window >= pl->want) {
            pthread_mutex_lock(&pl->mu);
            pl->stop = true;
            pthread_cond_broadcast(&pl->nonfull);
            pthread_mutex_unlock(&pl->mu);
            break;
        }
    }
    return NULL;
}

/* Reads the venue's answers so its socket never backs up, and counts them. */
static void *plain_answers(void *arg)
{
    struct plain *pl = arg;
    uint8_t *buf = pl->ord_buf;
    size_t have = pl->ord_have;

    for (;;) {
        size_t off = 0;
        for (;;) {
            struct arb_ws_frame f;
            int hl = arb_ws_frame_decode(buf + off, have - off, sizeof pl->ord_buf, &f);
            ARB_BENCH_CHECK(hl >= 0);
            if (hl == 0 || have - off < (size_t)hl + f.payload_len)
                break;
            if (f.opcode == ARB_WS_TEXT) {
                const char *p = (const char *)buf + off + hl;
                size_t n = (size_t)f.payload_len;
                atomic_fetch_add(&pl->answers, 1);
                if (memmem(p, n, "\"status\":200", 12))
                    atomic_fetch_add(&pl->answers_ok, 1);
                if (memmem(p, n, "\"status\":\"FILLED\"", 17))
                    atomic_fetch_add(&pl->answers_filled, 1);
            }
            off += (size_t)hl + (size_t)f.payload_len;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
        ssize_t k = recv(pl->ord_fd, buf + have, sizeof pl->ord_buf - have, 0);
        if (k <= 0)
            break;
        have += (size_t)k;
    }
    return NULL;
}

static void run_plain(int port, uint32_t run_id, uint64_t want, struct rep_result *res)
{
    static struct plain pl;
    static const char sub[] =
        "{\"method\":\"SUBSCRIBE\",\"params\":[\"usdcusdt@bookTicker\"],\"id\":1}";
    struct arb_thread rd, dc, an;

    memset(&pl, 0, sizeof pl);
    pl.port = port;
    pl.run_id = run_id;
    pl.want = want;
    pl.t2o = arb_hist_create();
    ARB_BENCH_CHECK(pl.t2o);
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.nonempty, NULL);
    pthread_cond_init(&pl.nonfull, NULL);
    pl.ord_fd = ws_open(port, "/ws-api/v3", pl.ord_buf, sizeof pl.ord_buf, &pl.ord_have);
    pl.md_fd = ws_open(port, "/stream", pl.md_buf, sizeof pl.md_buf, &pl.md_have);
    ws_send_text(pl.md_fd, sub, sizeof sub - 1, NULL);
    /* The same cores as the engine's two hot threads; these block instead of spinning. */
    arb_bench_thread_start(&an, "plain-answers", -1, plain_answers, &pl);
    arb_bench_thread_start(&dc, "plain-decide", arb_bench_cpu(1), plain_decider, &pl);
    arb_bench_thread_start(&rd, "plain-read", arb_bench_cpu(0), plain_reader, &pl);

    uint64_t start = arb_bench_now_ns();
    for (;;) {
        nap_ms(5);
        pthread_mutex_lock(&pl.mu);
        bool done = pl.stop;
        pthread_mutex_unlock(&pl.mu);
        if (done)
            break;
        if (arb_bench_now_ns() - start > REP_TIMEOUT_NS) {
            fprintf(stderr, "bench_tick_to_order: plain pipeline stalled at %llu of %llu orders\n",
                    (unsigned long long)pl.window, (unsigned long long)want);
            exit(1);
        }
    }
    arb_thread_join(&dc, NULL);
    shutdown(pl.md_fd, SHUT_RDWR);
    arb_thread_join(&rd, NULL);
    /* Every order answered, and accepted: a plain pipeline that failed is not a fast one. */
    for (int i = 0; i < 200 && atomic_load(&pl.answers) < pl.orders; i++)
        nap_ms(5);
    shutdown(pl.ord_fd, SHUT_RDWR);
    arb_thread_join(&an, NULL);
    ARB_BENCH_CHECK(pl.window == want);
    ARB_BENCH_CHECK(atomic_load(&pl.answers) == pl.orders);
    ARB_BENCH_CHECK(atomic_load(&pl.answers_ok) == pl.orders);
    ARB_BENCH_CHECK(atomic_load(&pl.answers_filled) > 0);
    close(pl.md_fd);
    close(pl.ord_fd);
    percentiles(pl.t2o, res->t2o);
    res->ticks = pl.ticks;
    res->orders = pl.window;
    res->fills = atomic_load(&pl.answers_filled);
    arb_hist_destroy(pl.t2o);
    pthread_mutex_destroy(&pl.mu);
    pthread_cond_destroy(&pl.nonempty);
    pthread_cond_destroy(&pl.nonfull);
}

/* ---- driver ------------------------------------------------------------------ */

int main(void)
{
    uint64_t want = arb_bench_env_u64("ARB_BENCH_T2O_ORDERS", 2000);
    int reps = arb_bench_reps();
    char script[128], keys[128], speed_arg[8] = TICK_SPEED;
    struct arb_bench_series t2o[2][NPCT] = {0}, stage[NSTAGES][2] = {0};
    uint32_t run_base;

    if (access(ARB_ARBSIM, X_OK) != 0) {
        fprintf(stderr, "bench_tick_to_order: %s not built\n", ARB_ARBSIM);
        return 1;
    }
    if (reps < 5)
        reps = 5; /* five of each at least: fewer make a median of noise */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    arb_clock_init(0);
    arb_log_set_level(ARB_LOG_WARN);
    ARB_BENCH_CHECK(mkdtemp(g_dir));
    atexit(cleanup);
    snprintf(script, sizeof script, "%s/depeg.csv", g_dir);
    snprintf(keys, sizeof keys, "%s/keys", g_dir);
    write_script(script);
    write_keys(keys);
    char *argv[] = {ARB_ARBSIM, "--venue",    "binance", "--script", script,
                    "--speed",  speed_arg,    "--loop",  "0",        "--ping-ms",
                    "0",        "--key-file", keys,      NULL};
    if (arb_simproc_start(&g_sim, argv, 0) < 0) {
        fprintf(stderr, "bench_tick_to_order: %s\n", g_sim.errmsg);
        return 1;
    }
    /* Client order ids carry the run id: fresh per side and rep, so arbsim never sees a repeat. */
    run_base = (uint32_t)getpid() * 64u;

    fprintf(stderr,
            "# tick_to_order: arbsim binance %s, %d ticks/s open loop (1 ms rows at --speed %s), "
            "50 bps dip every %dth tick and back: %d orders/s; %llu orders per rep after %d "
            "warm-up, %d reps each side, interleaved\n"
            "# arbiter: feed thread on CPU %d, detector with the gateway fused in on CPU %d, "
            "both spinning (spin_us %u, no parking); arbsim and this driver unpinned; "
            "gateway SQPOLL %s\n"
            "# plain_pipeline: blocking recv() reader on CPU %d -> cJSON + strtod -> mutex/condvar "
            "queue -> decider on CPU %d: double rule, snprintf JSON, one-shot HMAC(), send()\n"
            "# tick to order: receive completion (CQE reaped / recv() returned) to just before "
            "the send call (io_uring_submit / send()); same TSC clock both sides\n",
            SYMBOL, TICKS_PER_S, TICK_SPEED, CYCLE, 2 * TICKS_PER_S / CYCLE,
            (unsigned long long)want, WARM_ORDERS, reps, arb_bench_cpu(0), arb_bench_cpu(1),
            SPIN_US, arb_bench_env_u64("ARB_BENCH_T2O_SQPOLL", 0) ? "on" : "off", arb_bench_cpu(0),
            arb_bench_cpu(1));

    uint64_t t_start = arb_bench_now_ns();
    struct rep_result sum[2] = {0};
    for (int rep = 0; rep < reps; rep++) {
        for (int k = 0; k < 2; k++) {
            /* ours first on even reps, the peer first on odd ones */
            int side = k ^ (rep & 1);
            struct rep_result r = {0};
            uint32_t run_id = run_base + (uint32_t)(rep * 2 + side);
            if (side == 0) {
                run_ours(g_sim.port, run_id, want, &r);
                for (int s = 0; s < NSTAGES; s++) {
                    arb_bench_add(&stage[s][0], r.stage[s][0]);
                    arb_bench_add(&stage[s][1], r.stage[s][1]);
                }
            } else {
                run_plain(g_sim.port, run_id, want, &r);
            }
            for (int i = 0; i < NPCT; i++)
                arb_bench_add(&t2o[side][i], r.t2o[i]);
            sum[side].ticks += r.ticks;
            sum[side].orders += r.orders;
            sum[side].fills += r.fills;
            sum[side].intents += r.intents;
            sum[side].refusals += r.refusals;
            if (getenv("ARB_BENCH_VERBOSE"))
                fprintf(stderr,
                        "#   rep %d %s: %llu ticks, %llu orders, %llu filled; p50 %.0f p99 %.0f "
                        "max %.0f ns\n",
                        rep, side ? "plain_pipeline" : "arbiter", (unsigned long long)r.ticks,
                        (unsigned long long)r.orders, (unsigned long long)r.fills, r.t2o[0],
                        r.t2o[2], r.t2o[4]);
        }
    }
    for (int i = 0; i < NPCT; i++) {
        char metric[48];
        snprintf(metric, sizeof metric, "tick_to_order_%s", pct_names[i]);
        arb_bench_report("tick_to_order", metric, "ns", &t2o[0][i], "plain_pipeline", &t2o[1][i],
                         false);
    }
    for (int s = 0; s < NSTAGES; s++) {
        char metric[48];
        snprintf(metric, sizeof metric, "stage_%s_p50", stage_names[s]);
        arb_bench_report("tick_to_order", metric, "ns", &stage[s][0], NULL, NULL, false);
        snprintf(metric, sizeof metric, "stage_%s_p99", stage_names[s]);
        arb_bench_report("tick_to_order", metric, "ns", &stage[s][1], NULL, NULL, false);
    }
    fprintf(stderr,
            "# tick_to_order: windows held %llu ticks -> %llu orders (%llu filled) for arbiter "
            "(gateway took %llu intents, %llu refusals, warm-up included), %llu ticks -> %llu "
            "orders (%llu filled) for plain_pipeline; %.1f s\n",
            (unsigned long long)sum[0].ticks, (unsigned long long)sum[0].orders,
            (unsigned long long)sum[0].fills, (unsigned long long)sum[0].intents,
            (unsigned long long)sum[0].refusals, (unsigned long long)sum[1].ticks,
            (unsigned long long)sum[1].orders, (unsigned long long)sum[1].fills,
            (double)(arb_bench_now_ns() - t_start) / 1e9);
    arb_simproc_stop(&g_sim, 1000);
    return 0;
}
