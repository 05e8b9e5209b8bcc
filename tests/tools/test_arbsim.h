/* SPDX-License-Identifier: MIT */
/*
 * Test side of arbsim: starts the simulator on an ephemeral port with a pipe
 * on its stdin for commands, and a small blocking WebSocket client (plain or
 * TLS) that masks its frames with feeds/wsframe.h, written apart from the
 * server so the two check each other.
 */
#ifndef ARB_TESTS_TOOLS_TEST_ARBSIM_H
#define ARB_TESTS_TOOLS_TEST_ARBSIM_H

#include "test.h"
#include "tools/simproc_test.h"

#include "feeds/wsframe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The RFC 6455 section 1.3 example: this key must be answered with that accept value. */
#define T_WS_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define T_WS_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static inline const char *t_env(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return v && *v ? v : fallback;
}

/* Path of a file in the source tree. */
static inline const char *t_src(const char *rel, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", t_env("ARB_SOURCE_DIR", "."), rel);
    return buf;
}

/* Starts arbsim with args (NULL-terminated) and reads its port. Exits 77 without the binary. */
static inline void t_sim_start(struct arb_simproc *s, const char *const *args)
{
    char path[512];

    snprintf(path, sizeof path, "%s/tools/arbsim", t_env("ARB_BUILD_DIR", "."));
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "skip: %s not built\n", path);
        exit(T_EXIT_SKIP);
    }
    fs_sim_start(s, path, args);
}

static inline uint64_t t_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A blocking WebSocket client. */
struct t_ws {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    uint8_t buf[1 << 20]; /* received; buf[off..len) not yet returned */
    size_t off, len;
    char response[2048]; /* the handshake response head */
};

#define T_WS_TIMEOUT  0  /* nothing within the time */
#define T_WS_EOF      -1 /* orderly end of stream between frames */
#define T_WS_RESET    -2 /* the connection was reset */
#define T_WS_TRUNCATE -3 /* the stream ended inside a frame */

static inline int t_tcp_connect(int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(fd >= 0);
    REQUIRE(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static inline int t_ws_write(struct t_ws *w, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n) {
        ssize_t k = w->ssl ? SSL_write(w->ssl, b, (int)n) : send(w->fd, b, n, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Reads more bytes within timeout_ms. Returns > 0, or a T_WS_ code. */
static inline int t_ws_fill(struct t_ws *w, int timeout_ms)
{
    struct pollfd p = {.fd = w->fd, .events = POLLIN};
    ssize_t n;

    /* Compact only when the tail is short of room: one move per buffer, not per frame. */
    if (w->off && sizeof w->buf - w->len < 65536) {
        memmove(w->buf, w->buf + w->off, w->len - w->off);
        w->len -= w->off;
        w->off = 0;
    }
    if (w->len == sizeof w->buf)
        return T_WS_RESET;
    if (!(w->ssl && SSL_pending(w->ssl)) && poll(&p, 1, timeout_ms) <= 0)
        return T_WS_TIMEOUT;
    if (w->ssl) {
        int k = SSL_read(w->ssl, w->buf + w->len, (int)(sizeof w->buf - w->len));
        if (k <= 0) {
            int e = SSL_get_error(w->ssl, k);
            ERR_clear_error();
            return e == SSL_ERROR_ZERO_RETURN                      ? T_WS_EOF
                   : e == SSL_ERROR_SYSCALL && errno != ECONNRESET ? T_WS_EOF
                                                                   : T_WS_RESET;
        }
        n = k;
    } else {
        n = recv(w->fd, w->buf + w->len, sizeof w->buf - w->len, 0);
        if (n < 0)
            return errno == ECONNRESET ? T_WS_RESET : T_WS_RESET;
        if (n == 0)
            return T_WS_EOF;
    }
    w->len += (size_t)n;
    return (int)n;
}

/*
 * Connects to 127.0.0.1:port (TLS when cafile is set, verifying the server's
 * certificate and its 127.0.0.1 address against it) and sends `request`, or a
 * correct upgrade for `target` when request is NULL. Returns the HTTP status.
 */
static inline int t_ws_open(struct t_ws *w, int port, const char *target, const char *request,
                            const char *cafile)
{
    char req[2048];
    int status = 0;

    memset(w, 0, sizeof *w);
    w->fd = t_tcp_connect(port);
    if (cafile) {
        w->ctx = SSL_CTX_new(TLS_client_method());
        REQUIRE(w->ctx && SSL_CTX_load_verify_locations(w->ctx, cafile, NULL) == 1);
        SSL_CTX_set_verify(w->ctx, SSL_VERIFY_PEER, NULL);
        w->ssl = SSL_new(w->ctx);
        REQUIRE(w->ssl);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(w->ssl), "127.0.0.1");
        SSL_set_fd(w->ssl, w->fd);
        if (SSL_connect(w->ssl) != 1) {
            ERR_print_errors_fp(stderr);
            return -1;
        }
    }
    if (!request) {
        snprintf(req, sizeof req,
                 "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: " T_WS_KEY "\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n",
                 target, port);
        request = req;
    }
    REQUIRE(t_ws_write(w, request, strlen(request)) == 0);
    for (;;) {
        uint8_t *end = memmem(w->buf, w->len, "\r\n\r\n", 4);
        if (end) {
            size_t hl = (size_t)(end + 4 - w->buf);
            size_t keep = hl < sizeof w->response ? hl : sizeof w->response - 1;
            memcpy(w->response, w->buf, keep);
            w->response[keep] = '\0';
            w->off = hl;
            break;
        }
        if (t_ws_fill(w, 3000) <= 0)
            return -1;
    }
    sscanf(w->response, "HTTP/1.1 %d", &status);
    return status;
}

/* Opens a connection that must upgrade, and checks the accept value. */
static inline void t_ws_connect(struct t_ws *w, int port, const char *target, const char *cafile)
{
    REQUIRE(t_ws_open(w, port, target, NULL, cafile) == 101);
    REQUIRE(strstr(w->response, "\r\nSec-WebSocket-Accept: " T_WS_ACCEPT "\r\n"));
}

/* Sends one frame, masked (as a client must) unless `unmasked`. */
static inline int t_ws_send_frame(struct t_ws *w, int fin, int opcode, const void *p, size_t n,
                                  int unmasked)
{
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t *f = malloc(n + ARB_WS_HEADER_MAX);
    size_t hl;
    int rc;

    REQUIRE(f);
    hl = arb_ws_frame_encode(f, fin, (enum arb_ws_opcode)opcode, n, unmasked ? NULL : key);
    memcpy(f + hl, p, n);
    if (!unmasked)
        arb_ws_mask(f + hl, n, key, 0);
    rc = t_ws_write(w, f, hl + n);
    free(f);
    return rc;
}

static inline int t_ws_send_text(struct t_ws *w, const char *s)
{
    return t_ws_send_frame(w, 1, ARB_WS_TEXT, s, strlen(s), 0);
}

/*
 * Receives one frame within timeout_ms into out (NUL-terminated, cut to cap).
 * Returns the opcode (>= 0), or a T_WS_ code.
 */
static inline int t_ws_recv(struct t_ws *w, int timeout_ms, char *out, size_t cap, size_t *n)
{
    uint64_t deadline = t_now_ms() + (uint64_t)timeout_ms;

    for (;;) {
        struct arb_ws_frame f;
        const uint8_t *b = w->buf + w->off;
        size_t avail = w->len - w->off;
        int hl = arb_ws_frame_decode(b, avail, sizeof w->buf, &f), rc;
        if (hl > 0 && avail >= (size_t)hl + f.payload_len) {
            size_t pl = (size_t)f.payload_len, k = pl < cap - 1 ? pl : cap - 1;
            REQUIRE(!f.masked); /* server frames are never masked */
            memcpy(out, b + hl, k);
            out[k] = '\0';
            if (n)
                *n = pl;
            w->off += (size_t)hl + pl;
            return f.opcode;
        }
        REQUIRE(hl >= 0);
        uint64_t now = t_now_ms();
        if (now >= deadline)
            return T_WS_TIMEOUT;
        rc = t_ws_fill(w, (int)(deadline - now));
        if (rc == T_WS_EOF && w->len > w->off)
            return T_WS_TRUNCATE;
        if (rc <= 0 && rc != T_WS_TIMEOUT)
            return rc;
    }
}

/* Receives the next text frame, skipping pings and venue heartbeats containing `skip`. */
static inline int t_ws_recv_text(struct t_ws *w, int timeout_ms, char *out, size_t cap,
                                 const char *skip)
{
    for (;;) {
        int op = t_ws_recv(w, timeout_ms, out, cap, NULL);
        if (op == ARB_WS_PING || op == ARB_WS_PONG)
            continue;
        if (op == ARB_WS_TEXT && skip && strstr(out, skip))
            continue;
        return op;
    }
}

static inline void t_ws_close(struct t_ws *w)
{
    if (w->ssl)
        SSL_free(w->ssl);
    if (w->ctx)
        SSL_CTX_free(w->ctx);
    if (w->fd >= 0)
        close(w->fd);
    w->ssl = NULL;
    w->ctx = NULL;
    w->fd = -1;
}

/* The unsigned number after `key` in a JSON text ("\"u\":"), or UINT64_MAX. */
static inline uint64_t t_json_u64(const char *s, const char *key)
{
    const char *p = strstr(s, key);

    return p ? strtoull(p + strlen(key), NULL, 10) : UINT64_MAX;
}

/* Close code of a close frame's payload. */
static inline unsigned t_close_code(const char *payload, size_t n)
{
    return n >= 2 ? (unsigned)(uint8_t)payload[0] << 8 | (uint8_t)payload[1] : 0;
}

#endif /* ARB_TESTS_TOOLS_TEST_ARBSIM_H */
