/* SPDX-License-Identifier: MIT */
/*
 * arbsim: a loopback venue simulator. Speaks one venue's public WebSocket
 * market-data protocol over ws:// and wss://, plays a script or a capture,
 * and injects faults on command (stdin or a control socket) or on schedule.
 * On the same port it is a simulated exchange for the venue's order protocols.
 */
#include "tools/sim_match.h"
#include "tools/sim_server.h"
#include "tools/sim_sign.h"
#include "tools/sim_source.h"

#include "core/clock.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_CLIENTS 8   /* control connections served at once */
#define CTL_LINE    512 /* longest control command */
#define EXCH_FLAGS  16  /* order-fault flags given on the command line */

static volatile sig_atomic_t g_stop;

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: arbsim --venue NAME [--script FILE | --capture FILE] [options]\n"
        "Serves one venue's public WebSocket market data on loopback.\n"
        "\n"
        "  --venue NAME            binance, binance-futures, coinbase or kraken\n"
        "  --host ADDR             127.0.0.1 (default), ::1 or localhost; nothing else\n"
        "  --port N                listening port; 0 (default) picks one, printed first:\n"
        "                          \"arbsim: listening ws://127.0.0.1:PORT/\"\n"
        "  --cert FILE --key FILE  PEM certificate and key: wss:// on the same port too\n"
        "  --script FILE           CSV t_ms,symbol,bid,bid_qty,ask,ask_qty[,funding_rate,mark]\n"
        "  --capture FILE          recorded frames: '<ns> <json>', '<sec.frac>: <json>' or bare\n"
        "  --speed X               play recorded time divided by X (default 1; 0 = flood)\n"
        "  --flood                 as fast as the client reads (same as --speed 0)\n"
        "  --loop N                passes over the source (default 1; 0 = forever)\n"
        "  --per-client            each client starts the source afresh (default: one shared\n"
        "                          timeline that starts at the first subscription)\n"
        "  --all-symbols           stream every symbol once anything is subscribed\n"
        "  --close-at-end          close (1000) after the last pass instead of idling\n"
        "  --seq-start N           first sequence number in script messages (default 1000000)\n"
        "  --heartbeat-ms N        venue heartbeat period (default 1000; 0 = none)\n"
        "  --ping-ms N             server ping frames (default: binance 20000,\n"
        "                          binance-futures 180000, others 0)\n"
        "  --pong-timeout-ms N     close clients that leave a ping unanswered (default 0: never)\n"
        "  --max-frame N           largest client frame payload accepted (default 65536)\n"
        "  --bare-gap-ms N         spacing of capture lines that carry no time (default 10)\n"
        "  --control PATH          take commands on this UNIX socket too\n"
        "  --control-port N        take commands on 127.0.0.1:N too (0 = pick, printed)\n"
        "  --no-stdin              do not read commands from standard input\n"
        "  --drop-after-frames N[:rst|fin|mid]  drop every client once one has N data frames\n"
        "  --stall-at-frame N:MS   stall for MS ms once a client has N data frames\n"
        "  --garbage-at-frame N    send the malformed frames once a client has N data frames\n"
        "  --skip-at-frame N:K     skip K sequence numbers once a client has N data frames\n"
        "  -v, --verbose           log connections and faults to stderr\n"
        "  -h, --help              this text\n"
        "\n"
        "Simulated exchange (order entry on the same port; see docs/ARBSIM.md):\n"
        "  --api-key K             the test account's API key (Coinbase: the key name)\n"
        "  --api-secret S          its secret (Binance HMAC; Kraken: base64)\n"
        "  --key-file FILE         api-key=... and api-secret=... lines; must be mode 0600\n"
        "  --coinbase-pubkey PEM   EC P-256 key that verifies Coinbase ES256 JWTs\n"
        "  --ed25519-pubkey PEM    Binance Ed25519 API key: verify signatures with it\n"
        "  --order-latency-us US   wait this long before answering an order\n"
        "  --partial-ratio R       fill only R (0-1] of what the book offers\n"
        "  --partial-every N       ... only on every Nth order (ratio default 0.5)\n"
        "  --reject-every N[:funds|filter|busy]  refuse every Nth order with that error\n"
        "  --rate-limit N:MS[:weight]  token bucket of N orders per MS ms (429s beyond)\n"
        "  --drop-after-orders N[:rst|mid]  book the Nth order, then reset the connection\n"
        "                          (or send half the answer, then FIN); once\n"
        "\n"
        "Commands, one per line (stdin or the control socket), answered with one line:\n"
        "  drop [rst|fin|mid]  close every client's TCP connection: reset (default),\n"
        "                      orderly FIN without a close frame, or half a frame then FIN\n"
        "  stall MS [hard]     send nothing, heartbeats included, for MS ms; pings are still\n"
        "                      answered unless 'hard'\n"
        "  garbage             send a truncated JSON frame and a non-UTF-8 text frame\n"
        "  skip N              the next message of each symbol jumps N sequence numbers\n"
        "                      (captures: the next N messages are not sent)\n"
        "  pause | resume      stop or restart the market; heartbeats continue\n"
        "  stats               one JSON line of counters (\"orders\": the exchange's)\n"
        "  book [SYMBOL]       the top of book orders match against now\n"
        "  order-latency-us, partial-ratio, partial-every, reject-every, rate-limit,\n"
        "  drop-after-orders   as the flags, e.g. 'reject-every 3:busy', 'rate-limit off'\n"
        "  quit                stop the simulator\n"
        "Exit status: 0 after quit or a signal, 2 for bad flags or files, 1 otherwise.\n");
}

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static int parse_u64(const char *flag, const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (!*s || *s == '-' || *end || errno) {
        fprintf(stderr, "arbsim: %s: '%s' is not a whole number\n", flag, s);
        return -EINVAL;
    }
    *out = v;
    return 0;
}

/* "N:M" into two numbers. */
static int parse_pair(const char *flag, const char *s, uint64_t *a, uint64_t *b)
{
    char tmp[64];
    char *colon;

    snprintf(tmp, sizeof tmp, "%s", s);
    colon = strchr(tmp, ':');
    if (!colon) {
        fprintf(stderr, "arbsim: %s: want N:M, got '%s'\n", flag, s);
        return -EINVAL;
    }
    *colon = '\0';
    if (parse_u64(flag, tmp, a) < 0 || parse_u64(flag, colon + 1, b) < 0)
        return -EINVAL;
    return 0;
}

static SSL_CTX *tls_setup(const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    char err[256];

    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        ERR_error_string_n(ERR_get_error(), err, sizeof err);
        fprintf(stderr, "arbsim: --cert %s: %s\n", cert, err);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ERR_error_string_n(ERR_get_error(), err, sizeof err);
        fprintf(stderr, "arbsim: --key %s: %s\n", key, err);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int control_listen_unix(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof sun.sun_path) {
        fprintf(stderr, "arbsim: --control %s: path too long\n", path);
        return -ENAMETOOLONG;
    }
    strcpy(sun.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 || listen(fd, 8) < 0) {
        int e = errno;
        fprintf(stderr, "arbsim: --control %s: %s\n", path, strerror(e));
        if (fd >= 0)
            close(fd);
        return -e;
    }
    return fd;
}

static int control_listen_tcp(int port, int *bound)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    socklen_t sl = sizeof sin;
    int fd, one = 1;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(fd, 8) < 0) {
        int e = errno;
        fprintf(stderr, "arbsim: --control-port %d: %s\n", port, strerror(e));
        close(fd);
        return -e;
    }
    getsockname(fd, (struct sockaddr *)&sin, &sl);
    *bound = ntohs(sin.sin_port);
    return fd;
}

/* A line-oriented command stream: stdin or one control connection. */
struct ctl {
    int fd;     /* -1: unused */
    int out_fd; /* where replies go */
    char buf[CTL_LINE];
    size_t len;
};

/* Runs the complete lines in c->buf. Returns 1 when a line said quit. */
static int ctl_lines(struct arb_sim_server *srv, struct ctl *c)
{
    char *nl;

    while ((nl = memchr(c->buf, '\n', c->len))) {
        char reply[4096];
        size_t ll = (size_t)(nl - c->buf);
        *nl = '\0';
        if (ll && c->buf[ll - 1] == '\r')
            c->buf[ll - 1] = '\0';
        if (strcmp(c->buf, "quit") == 0 || strcmp(c->buf, "exit") == 0) {
            dprintf(c->out_fd, "ok quit\n");
            return 1;
        }
        if (c->buf[0] != '\0' && c->buf[0] != '#') {
            arb_sim_server_command(srv, c->buf, reply, sizeof reply);
            if (write(c->out_fd, reply, strlen(reply)) < 0 && c->out_fd != STDOUT_FILENO)
                c->len = 0;
        }
        memmove(c->buf, nl + 1, c->len - ll - 1);
        c->len -= ll + 1;
    }
    if (c->len == sizeof c->buf) {
        dprintf(c->out_fd, "error: command too long\n");
        c->len = 0;
    }
    return 0;
}

/* Reads from a control stream. Returns 1 on quit, -1 at its end, 0 otherwise. */
static int ctl_read(struct arb_sim_server *srv, struct ctl *c)
{
    ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n <= 0)
        return -1;
    c->len += (size_t)n;
    return ctl_lines(srv, c);
}

static int load_source(struct arb_sim_source *src, const char *script, const char *capture,
                       enum arb_sim_venue venue, uint64_t bare_gap_ms)
{
    char err[512];
    int rc;

    if (script)
        rc = arb_sim_source_load_script(src, script, err, sizeof err);
    else
        rc = arb_sim_source_load_capture(src, capture, venue, bare_gap_ms * 1000000ULL, err,
                                         sizeof err);
    if (rc < 0)
        fprintf(stderr, "arbsim: %s\n", err);
    return rc;
}

int main(int argc, char **argv)
{
    enum {
        O_HOST = 256,
        O_PORT,
        O_CERT,
        O_KEY,
        O_SCRIPT,
        O_CAPTURE,
        O_SPEED,
        O_FLOOD,
        O_LOOP,
        O_PER_CLIENT,
        O_ALL,
        O_CLOSE_END,
        O_SEQ,
        O_HB,
        O_PING,
        O_PONG_TO,
        O_MAX_FRAME,
        O_BARE,
        O_CONTROL,
        O_CONTROL_PORT,
        O_NO_STDIN,
        O_DROP_AFTER,
        O_STALL_AT,
        O_GARBAGE_AT,
        O_SKIP_AT,
        O_VENUE,
        O_API_KEY,
        O_API_SECRET,
        O_KEY_FILE,
        O_CB_PUB,
        O_ED_PUB,
        O_EXCH, /* order faults: handed to arb_sim_exch_set by name */
    };
    static const struct option opts[] = {
        {"venue", required_argument, NULL, O_VENUE},
        {"host", required_argument, NULL, O_HOST},
        {"port", required_argument, NULL, O_PORT},
        {"cert", required_argument, NULL, O_CERT},
        {"key", required_argument, NULL, O_KEY},
        {"script", required_argument, NULL, O_SCRIPT},
        {"capture", required_argument, NULL, O_CAPTURE},
        {"speed", required_argument, NULL, O_SPEED},
        {"flood", no_argument, NULL, O_FLOOD},
        {"loop", required_argument, NULL, O_LOOP},
        {"per-client", no_argument, NULL, O_PER_CLIENT},
        {"all-symbols", no_argument, NULL, O_ALL},
        {"close-at-end", no_argument, NULL, O_CLOSE_END},
        {"seq-start", required_argument, NULL, O_SEQ},
        {"heartbeat-ms", required_argument, NULL, O_HB},
        {"ping-ms", required_argument, NULL, O_PING},
        {"pong-timeout-ms", required_argument, NULL, O_PONG_TO},
        {"max-frame", required_argument, NULL, O_MAX_FRAME},
        {"bare-gap-ms", required_argument, NULL, O_BARE},
        {"control", required_argument, NULL, O_CONTROL},
        {"control-port", required_argument, NULL, O_CONTROL_PORT},
        {"no-stdin", no_argument, NULL, O_NO_STDIN},
        {"drop-after-frames", required_argument, NULL, O_DROP_AFTER},
        {"stall-at-frame", required_argument, NULL, O_STALL_AT},
        {"garbage-at-frame", required_argument, NULL, O_GARBAGE_AT},
        {"skip-at-frame", required_argument, NULL, O_SKIP_AT},
        {"api-key", required_argument, NULL, O_API_KEY},
        {"api-secret", required_argument, NULL, O_API_SECRET},
        {"key-file", required_argument, NULL, O_KEY_FILE},
        {"coinbase-pubkey", required_argument, NULL, O_CB_PUB},
        {"ed25519-pubkey", required_argument, NULL, O_ED_PUB},
        {"order-latency-us", required_argument, NULL, O_EXCH},
        {"partial-ratio", required_argument, NULL, O_EXCH},
        {"partial-every", required_argument, NULL, O_EXCH},
        {"reject-every", required_argument, NULL, O_EXCH},
        {"rate-limit", required_argument, NULL, O_EXCH},
        {"drop-after-orders", required_argument, NULL, O_EXCH},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct arb_sim_config cfg = {
        .speed = 1.0, .loops = 1, .seq_start = 1000000, .hb_ns = 1000000000ULL, .max_frame = 65536};
    const char *host = "127.0.0.1", *cert = NULL, *key = NULL, *script = NULL, *capture = NULL;
    const char *control = NULL;
    uint64_t port = 0, v, bare_gap_ms = 10, ping_ms = UINT64_MAX, control_port = UINT64_MAX;
    int venue = -1, use_stdin = 1, opt, rc, ctl_unix = -1, ctl_tcp = -1, ctl_tcp_port = 0;
    static struct arb_sim_source src;
    static struct arb_sim_server srv;
    struct ctl ctls[CTL_CLIENTS + 1];
    struct sigaction sa;
    static struct arb_sim_keys keys;
    const char *key_file = NULL, *cb_pub = NULL, *ed_pub = NULL;
    const char *exch_name[EXCH_FLAGS], *exch_val[EXCH_FLAGS];
    int nexch = 0, li = 0;
    char err[512];

    while ((opt = getopt_long(argc, argv, "vh", opts, &li)) != -1) {
        switch (opt) {
        case O_API_KEY:
        case O_API_SECRET:
            if (strlen(optarg) >= ARB_SIM_KEY_MAX) {
                fprintf(stderr, "arbsim: --%s: too long\n", opts[li].name);
                return 2;
            }
            strcpy(opt == O_API_KEY ? keys.api_key : keys.secret_text, optarg);
            break;
        case O_KEY_FILE:
            key_file = optarg;
            break;
        case O_CB_PUB:
            cb_pub = optarg;
            break;
        case O_ED_PUB:
            ed_pub = optarg;
            break;
        case O_EXCH:
            if (nexch == EXCH_FLAGS) {
                fprintf(stderr, "arbsim: too many order-fault flags\n");
                return 2;
            }
            exch_name[nexch] = opts[li].name;
            exch_val[nexch++] = optarg;
            break;
        case O_VENUE:
            venue = arb_sim_venue_find(optarg);
            if (venue < 0) {
                fprintf(stderr,
                        "arbsim: --venue %s: want binance, binance-futures, coinbase "
                        "or kraken\n",
                        optarg);
                return 2;
            }
            break;
        case O_HOST:
            host = optarg;
            break;
        case O_PORT:
            if (parse_u64("--port", optarg, &port) < 0 || port > 65535)
                return 2;
            break;
        case O_CERT:
            cert = optarg;
            break;
        case O_KEY:
            key = optarg;
            break;
        case O_SCRIPT:
            script = optarg;
            break;
        case O_CAPTURE:
            capture = optarg;
            break;
        case O_SPEED: {
            char *end;
            cfg.speed = strtod(optarg, &end);
            if (*end || !*optarg || !(cfg.speed >= 0 && cfg.speed <= 1e9)) {
                fprintf(stderr, "arbsim: --speed %s: want a number >= 0\n", optarg);
                return 2;
            }
            break;
        }
        case O_FLOOD:
            cfg.speed = 0;
            break;
        case O_LOOP:
            if (parse_u64("--loop", optarg, &v) < 0 || v > UINT32_MAX)
                return 2;
            cfg.loops = (uint32_t)v;
            break;
        case O_PER_CLIENT:
            cfg.per_client = true;
            break;
        case O_ALL:
            cfg.unfiltered = true;
            break;
        case O_CLOSE_END:
            cfg.close_at_end = true;
            break;
        case O_SEQ:
            if (parse_u64("--seq-start", optarg, &cfg.seq_start) < 0)
                return 2;
            break;
        case O_HB:
            if (parse_u64("--heartbeat-ms", optarg, &v) < 0)
                return 2;
            cfg.hb_ns = v * 1000000ULL;
            break;
        case O_PING:
            if (parse_u64("--ping-ms", optarg, &ping_ms) < 0)
                return 2;
            break;
        case O_PONG_TO:
            if (parse_u64("--pong-timeout-ms", optarg, &v) < 0)
                return 2;
            cfg.pong_timeout_ns = v * 1000000ULL;
            break;
        case O_MAX_FRAME:
            if (parse_u64("--max-frame", optarg, &v) < 0 || v < 125 || v > (64u << 20)) {
                fprintf(stderr, "arbsim: --max-frame: want 125 to %u\n", 64u << 20);
                return 2;
            }
            cfg.max_frame = (uint32_t)v;
            break;
        case O_BARE:
            if (parse_u64("--bare-gap-ms", optarg, &bare_gap_ms) < 0)
                return 2;
            break;
        case O_CONTROL:
            control = optarg;
            break;
        case O_CONTROL_PORT:
            if (parse_u64("--control-port", optarg, &control_port) < 0 || control_port > 65535)
                return 2;
            break;
        case O_NO_STDIN:
            use_stdin = 0;
            break;
        case O_DROP_AFTER: {
            char tmp[64], *colon;
            snprintf(tmp, sizeof tmp, "%s", optarg);
            colon = strchr(tmp, ':');
            if (colon) {
                *colon++ = '\0';
                if (strcmp(colon, "mid") == 0)
                    cfg.drop_mode = ARB_SIM_DROP_MID;
                else if (strcmp(colon, "fin") == 0)
                    cfg.drop_mode = ARB_SIM_DROP_FIN;
                else if (strcmp(colon, "rst") != 0) {
                    fprintf(stderr, "arbsim: --drop-after-frames: mode is rst, fin or mid\n");
                    return 2;
                }
            }
            if (parse_u64("--drop-after-frames", tmp, &cfg.drop_after) < 0)
                return 2;
            break;
        }
        case O_STALL_AT:
            if (parse_pair("--stall-at-frame", optarg, &cfg.stall_at, &cfg.stall_ms) < 0)
                return 2;
            break;
        case O_GARBAGE_AT:
            if (parse_u64("--garbage-at-frame", optarg, &cfg.garbage_at) < 0)
                return 2;
            break;
        case O_SKIP_AT:
            if (parse_pair("--skip-at-frame", optarg, &cfg.skip_at, &cfg.skip_n) < 0)
                return 2;
            if (cfg.skip_n == 0) {
                fprintf(stderr, "arbsim: --skip-at-frame: K must be 1 or more\n");
                return 2;
            }
            break;
        case 'v':
            cfg.verbose++;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "arbsim: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (venue < 0) {
        fprintf(stderr, "arbsim: --venue is required\n");
        usage(stderr);
        return 2;
    }
    if (script && capture) {
        fprintf(stderr, "arbsim: --script and --capture exclude each other\n");
        return 2;
    }
    if (!cert != !key) {
        fprintf(stderr, "arbsim: --cert and --key go together\n");
        return 2;
    }
    if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
        strcmp(host, "localhost") != 0) {
        fprintf(stderr, "arbsim: --host %s: only 127.0.0.1, ::1 or localhost\n", host);
        return 2;
    }
    cfg.venue = (enum arb_sim_venue)venue;
    if (ping_ms == UINT64_MAX)
        ping_ms = venue == ARB_SIM_BINANCE ? 20000 : venue == ARB_SIM_BINANCE_FUTURES ? 180000 : 0;
    cfg.ping_ns = ping_ms * 1000000ULL;
    if ((script || capture) && load_source(&src, script, capture, cfg.venue, bare_gap_ms) < 0)
        return 2;
    cfg.src = script || capture ? &src : NULL;
    if (cert && !(cfg.tls = tls_setup(cert, key)))
        return 2;
    if ((key_file && arb_sim_keys_load_file(&keys, key_file, err, sizeof err) < 0) ||
        arb_sim_keys_finish(&keys, venue == ARB_SIM_KRAKEN, err, sizeof err) < 0 ||
        (cb_pub && arb_sim_keys_load_pem(&keys.ec_pub, cb_pub, EVP_PKEY_EC, err, sizeof err) < 0) ||
        (ed_pub &&
         arb_sim_keys_load_pem(&keys.ed_pub, ed_pub, EVP_PKEY_ED25519, err, sizeof err) < 0)) {
        fprintf(stderr, "arbsim: %s\n", err);
        return 2;
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (arb_sim_server_init(&srv, &cfg) < 0 || !(srv.exch = arb_sim_exch_create(&srv, &keys)))
        return 1;
    for (int i = 0; i < nexch; i++) {
        if (arb_sim_exch_set(srv.exch, exch_name[i], exch_val[i], err, sizeof err) < 0) {
            fprintf(stderr, "arbsim: --%s\n", err);
            return 2;
        }
    }
    rc = arb_sim_server_listen(&srv, host, (int)port);
    if (rc < 0) {
        fprintf(stderr, "arbsim: listen on %s:%llu: %s\n", host, (unsigned long long)port,
                strerror(-rc));
        return 1;
    }
    if (control && (ctl_unix = control_listen_unix(control)) < 0)
        return 2;
    if (control_port != UINT64_MAX &&
        (ctl_tcp = control_listen_tcp((int)control_port, &ctl_tcp_port)) < 0)
        return 2;

    printf("arbsim: listening ws://%s:%d/\n", srv.host, srv.port);
    if (cfg.tls)
        printf("arbsim: listening wss://%s:%d/\n", srv.host, srv.port);
    if (ctl_tcp >= 0)
        printf("arbsim: control tcp://127.0.0.1:%d\n", ctl_tcp_port);
    if (ctl_unix >= 0)
        printf("arbsim: control unix:%s\n", control);
    fflush(stdout);
    if (cfg.src)
        fprintf(stderr, "arbsim: %s: %zu messages, %u symbols, pass %.3f s, speed %g%s\n",
                script ? script : capture, src.n, src.nsyms, (double)src.period_ns / 1e9, cfg.speed,
                cfg.speed <= 0 ? " (flood)" : "");

    for (int i = 0; i <= CTL_CLIENTS; i++) {
        ctls[i].fd = -1;
        ctls[i].len = 0;
    }
    if (use_stdin) {
        ctls[0].fd = STDIN_FILENO;
        ctls[0].out_fd = STDOUT_FILENO;
    }
    while (!g_stop) {
        struct pollfd p[3 + CTL_CLIENTS + 1];
        int np = 0, quit = 0;

        p[np++] = (struct pollfd){.fd = srv.listen_fd, .events = POLLIN};
        p[np++] = (struct pollfd){.fd = ctl_unix, .events = POLLIN};
        p[np++] = (struct pollfd){.fd = ctl_tcp, .events = POLLIN};
        for (int i = 0; i <= CTL_CLIENTS; i++)
            p[np++] = (struct pollfd){.fd = ctls[i].fd, .events = POLLIN};
        if (poll(p, (nfds_t)np, 100) < 0 && errno != EINTR)
            break;
        if (p[0].revents & POLLIN)
            while (arb_sim_server_accept(&srv) != -EAGAIN && !g_stop)
                ;
        for (int l = 1; l <= 2; l++) {
            int fd;
            if (!(p[l].revents & POLLIN))
                continue;
            fd = accept4(p[l].fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0)
                continue;
            for (int i = 1; i <= CTL_CLIENTS; i++) {
                if (ctls[i].fd < 0) {
                    ctls[i].fd = fd;
                    ctls[i].out_fd = fd;
                    ctls[i].len = 0;
                    fd = -1;
                    break;
                }
            }
            if (fd >= 0)
                close(fd);
        }
        for (int i = 0; i <= CTL_CLIENTS; i++) {
            if (ctls[i].fd < 0 || !(p[3 + i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            rc = ctl_read(&srv, &ctls[i]);
            if (rc == 1)
                quit = 1;
            if (rc < 0) {
                /* End of stdin only stops reading it: tests often start us with </dev/null. */
                if (i > 0)
                    close(ctls[i].fd);
                ctls[i].fd = -1;
            }
        }
        arb_sim_server_reap(&srv);
        if (quit)
            break;
    }

    arb_sim_server_stop(&srv);
    arb_sim_exch_destroy(srv.exch);
    for (int i = 1; i <= CTL_CLIENTS; i++)
        if (ctls[i].fd >= 0)
            close(ctls[i].fd);
    if (ctl_unix >= 0) {
        close(ctl_unix);
        unlink(control);
    }
    if (ctl_tcp >= 0)
        close(ctl_tcp);
    if (cfg.tls)
        SSL_CTX_free(cfg.tls);
    if (cfg.src)
        arb_sim_source_free(&src);
    return 0;
}
