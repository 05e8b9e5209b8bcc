/* SPDX-License-Identifier: MIT */
/*
 * A simulator connection's WebSocket side: plain or TLS transport on a
 * non-blocking socket, the opening handshake, client frames (masked,
 * size-limited, answered) and batched server frames.
 */
#include "tools/sim_conn.h"

#include "tools/sim_http.h"

#include "core/clock.h"
#include "feeds/wsframe.h"

#include <errno.h>
#include <openssl/err.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct arb_sim_conn *arb_sim_conn_create(struct arb_sim_server *srv, int fd)
{
    struct arb_sim_conn *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->srv = srv;
    c->fd = fd;
    c->in_cap = srv->cfg.max_frame + ARB_WS_HEADER_MAX + ARB_SIM_REQ_MAX;
    c->in = malloc(c->in_cap);
    c->msg = malloc(srv->cfg.max_frame);
    c->out = malloc(ARB_SIM_OUT_CAP);
    if (!c->in || !c->msg || !c->out) {
        arb_sim_conn_destroy(c);
        return NULL;
    }
    return c;
}

void arb_sim_conn_destroy(struct arb_sim_conn *c)
{
    if (!c)
        return;
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
    arb_sim_orders_close(c->orders);
    free(c->reply);
    free(c->in);
    free(c->msg);
    free(c->out);
    free(c);
}

bool arb_sim_conn_done(struct arb_sim_conn *c)
{
    /* A-D: pairs with the release store at the end of arb_sim_conn_main. */
    return atomic_load_explicit(&c->done, memory_order_acquire);
}

pthread_t *arb_sim_conn_thread(struct arb_sim_conn *c)
{
    return &c->thread;
}

int arb_sim_conn_stopping(struct arb_sim_conn *c)
{
    return atomic_load_explicit(&c->srv->stopping, memory_order_acquire);
}

/* ---------------------------------------------------------------- transport */

/* Waits for the socket (or TLS's buffered bytes). Returns 1 ready, 0 timeout, -errno. */
int arb_sim_io_wait(struct arb_sim_conn *c, short events, int timeout_ms)
{
    struct pollfd p = {.fd = c->fd, .events = events};
    int rc;

    if ((events & POLLIN) && c->ssl && SSL_pending(c->ssl) > 0)
        return 1;
    rc = poll(&p, 1, timeout_ms);
    if (rc < 0)
        return errno == EINTR ? 0 : -errno;
    return rc > 0;
}

/* Reads what is there. Returns bytes (> 0), 0 at end of stream, -EAGAIN, or -EIO. */
ssize_t arb_sim_io_read(struct arb_sim_conn *c, void *buf, size_t len)
{
    if (c->ssl) {
        int n = SSL_read(c->ssl, buf, (int)(len > 1 << 30 ? 1 << 30 : len));
        if (n > 0)
            return n;
        switch (SSL_get_error(c->ssl, n)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            return -EAGAIN;
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        default:
            ERR_clear_error();
            return -EIO;
        }
    }
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -EIO;
    }
}

/*
 * Writes all of buf. A drop command or shutdown while the client is not
 * reading ends the wait early (-ECANCELED), so faults still apply to a
 * backed-up connection. Returns 0 or -errno.
 */
int arb_sim_io_write_all(struct arb_sim_conn *c, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint64_t give_up = arb_clock_mono_ns() + ARB_SIM_WRITE_GIVEUP_MS * ARB_SIM_NS_PER_MS;

    while (len > 0) {
        ssize_t n;
        short ev = POLLOUT;
        if (c->ssl) {
            int w = SSL_write(c->ssl, p, (int)(len > 1 << 30 ? 1 << 30 : len));
            n = w;
            if (w <= 0) {
                int e = SSL_get_error(c->ssl, w);
                if (e == SSL_ERROR_WANT_READ)
                    ev = POLLIN;
                else if (e != SSL_ERROR_WANT_WRITE) {
                    ERR_clear_error();
                    return -EPIPE;
                }
                n = -1;
                errno = EAGAIN;
            }
        } else {
            n = send(c->fd, p, len, MSG_NOSIGNAL);
        }
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        if (arb_sim_conn_stopping(c) ||
            atomic_load_explicit(&c->srv->faults.drop_gen, memory_order_acquire) != c->drop_gen)
            return -ECANCELED;
        if (arb_clock_mono_ns() > give_up)
            return -ETIMEDOUT;
        if (arb_sim_io_wait(c, ev, 100) < 0)
            return -EIO;
    }
    return 0;
}

int arb_sim_out_flush(struct arb_sim_conn *c)
{
    int rc;

    if (c->out_len == 0)
        return 0;
    rc = arb_sim_io_write_all(c, c->out, c->out_len);
    atomic_fetch_add_explicit(&c->srv->stats.bytes_out, c->out_len, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->srv->stats.frames_out, c->frames_pending, memory_order_relaxed);
    c->out_len = 0;
    c->frames_pending = 0;
    c->last_send_real_ns = c->real_ns;
    return rc;
}

/* Queues one unmasked frame; frames bigger than the buffer go straight out. */
int arb_sim_out_frame(struct arb_sim_conn *c, int opcode, const void *payload, size_t len)
{
    uint8_t hdr[ARB_WS_HEADER_MAX];
    size_t hl;
    int rc;

    if (c->out_len + len + ARB_WS_HEADER_MAX > ARB_SIM_OUT_CAP && (rc = arb_sim_out_flush(c)) < 0)
        return rc;
    hl = arb_ws_frame_encode(hdr, 1, (enum arb_ws_opcode)opcode, len, NULL);
    c->frames_pending++;
    if (len + ARB_WS_HEADER_MAX > ARB_SIM_OUT_CAP) {
        c->frames_pending = 0;
        atomic_fetch_add_explicit(&c->srv->stats.frames_out, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->srv->stats.bytes_out, hl + len, memory_order_relaxed);
        if ((rc = arb_sim_io_write_all(c, hdr, hl)) < 0)
            return rc;
        return arb_sim_io_write_all(c, payload, len);
    }
    memcpy(c->out + c->out_len, hdr, hl);
    memcpy(c->out + c->out_len + hl, payload, len);
    c->out_len += hl + len;
    return 0;
}

void arb_sim_conn_session_send(void *ctx, const char *msg, size_t len)
{
    arb_sim_out_frame(ctx, ARB_WS_TEXT, msg, len);
}

/* Sends a close frame with `code` and flushes. */
void arb_sim_out_close(struct arb_sim_conn *c, unsigned code, const char *reason)
{
    uint8_t p[125];
    size_t rl = strlen(reason);

    if (rl > sizeof p - 2)
        rl = sizeof p - 2;
    p[0] = (uint8_t)(code >> 8);
    p[1] = (uint8_t)code;
    memcpy(p + 2, reason, rl);
    arb_sim_out_frame(c, ARB_WS_CLOSE, p, rl + 2);
    arb_sim_out_flush(c);
}

/* After our close frame: give the client a moment to answer, then close TCP. */
void arb_sim_conn_linger(struct arb_sim_conn *c)
{
    uint64_t until = arb_clock_mono_ns() + 1000 * ARB_SIM_NS_PER_MS;
    uint8_t buf[4096];

    shutdown(c->fd, SHUT_WR);
    while (arb_clock_mono_ns() < until) {
        ssize_t n;
        if (arb_sim_io_wait(c, POLLIN, 50) <= 0)
            continue;
        n = arb_sim_io_read(c, buf, sizeof buf);
        if (n == 0 || (n < 0 && n != -EAGAIN))
            break;
    }
}

/* Fails the connection for a client protocol error (RFC 6455 7.1.7). */
int arb_sim_conn_fail(struct arb_sim_conn *c, unsigned code, const char *why)
{
    atomic_fetch_add_explicit(&c->srv->stats.protocol_errors, 1, memory_order_relaxed);
    if (c->srv->cfg.verbose)
        fprintf(stderr, "arbsim: closing %u: %s\n", code, why);
    arb_sim_out_close(c, code, why);
    shutdown(c->fd, SHUT_RDWR);
    return -EPROTO;
}

/* ------------------------------------------------------------ client frames */

static int utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t b = s[i];
        size_t len;
        uint32_t cp;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
            cp = b & 0x1Fu;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            cp = b & 0x0Fu;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            cp = b & 0x07u;
        } else {
            return 0;
        }
        if (i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static int close_code_valid(unsigned code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
           (code >= 3000 && code <= 4999);
}

/*
 * Sends an order session's answer, after its configured latency. A drop
 * fault instead books the order and cuts the connection: a reset, or half of
 * the answer's frame then FIN. Returns 0, or -ECONNABORTED after a drop.
 */
static int orders_answer(struct arb_sim_conn *c, const struct arb_sim_reply *r)
{
    if (r->delay_ns) {
        struct timespec ts = {.tv_sec = (time_t)(r->delay_ns / 1000000000ULL),
                              .tv_nsec = (long)(r->delay_ns % 1000000000ULL)};
        arb_sim_out_flush(c);
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    if (r->drop == 1 + ARB_SIM_DROP_MID && r->n > 0) {
        uint8_t hdr[ARB_WS_HEADER_MAX];
        size_t hl = arb_ws_frame_encode(hdr, 1, ARB_WS_TEXT, r->len[0], NULL);
        arb_sim_out_flush(c);
        arb_sim_io_write_all(c, hdr, hl);
        arb_sim_io_write_all(c, r->buf + r->off[0], r->len[0] / 2);
        shutdown(c->fd, SHUT_RDWR);
        return -ECONNABORTED;
    }
    if (r->drop) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        arb_sim_out_flush(c);
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        return -ECONNABORTED;
    }
    for (uint32_t i = 0; i < r->n; i++)
        if (arb_sim_out_frame(c, ARB_WS_TEXT, r->buf + r->off[i], r->len[i]) < 0)
            return -EIO;
    return arb_sim_out_flush(c);
}

static int on_message(struct arb_sim_conn *c, int opcode, const uint8_t *p, size_t len)
{
    if (opcode == ARB_WS_BINARY)
        return arb_sim_conn_fail(c, 1003, "binary frames are not part of this protocol");
    if (!utf8_valid(p, len))
        return arb_sim_conn_fail(c, 1007, "text frame is not valid UTF-8");
    if (c->orders) {
        memset(c->reply, 0, offsetof(struct arb_sim_reply, buf));
        if (arb_sim_orders_text(c->orders, (const char *)p, len, c->reply))
            return orders_answer(c, c->reply);
    }
    if (!c->sess.any && c->srv->cfg.verbose)
        fprintf(stderr, "arbsim: client says %.*s\n", (int)(len > 200 ? 200 : len), p);
    arb_sim_session_text(&c->sess, (const char *)p, len, c->real_ns);
    return 0;
}

/* One complete, unmasked client frame. Returns 0, or < 0 when the connection ends. */
static int on_frame(struct arb_sim_conn *c, const struct arb_ws_frame *f, uint8_t *p)
{
    size_t len = (size_t)f->payload_len;
    struct arb_sim_faults *ft = &c->srv->faults;

    atomic_fetch_add_explicit(&c->srv->stats.frames_in, 1, memory_order_relaxed);
    switch (f->opcode) {
    case ARB_WS_PING:
        /* A hard stall is silence at the WebSocket layer too. */
        if (atomic_load_explicit(&ft->stall_hard, memory_order_relaxed) &&
            arb_clock_mono_ns() < atomic_load_explicit(&ft->stall_until_ns, memory_order_acquire))
            return 0;
        return arb_sim_out_frame(c, ARB_WS_PONG, p, len) < 0 ? -EIO : 0;
    case ARB_WS_PONG:
        c->ping_outstanding = 0;
        return 0;
    case ARB_WS_CLOSE: {
        unsigned code = 1000;
        if (len == 1)
            return arb_sim_conn_fail(c, 1002, "close payload of one byte");
        if (len >= 2) {
            code = (unsigned)p[0] << 8 | p[1];
            if (!close_code_valid(code))
                return arb_sim_conn_fail(c, 1002, "invalid close code");
            if (!utf8_valid(p + 2, len - 2))
                return arb_sim_conn_fail(c, 1007, "close reason is not valid UTF-8");
        }
        arb_sim_out_close(c, code, "");
        shutdown(c->fd, SHUT_RDWR);
        return -ESHUTDOWN;
    }
    case ARB_WS_TEXT:
    case ARB_WS_BINARY:
        if (c->msg_op)
            return arb_sim_conn_fail(c, 1002, "new message inside a fragmented one");
        if (f->fin)
            return on_message(c, f->opcode, p, len);
        c->msg_op = f->opcode;
        c->msg_len = 0;
        /* The first fragment is appended like the rest. */
        __attribute__((fallthrough));
    case ARB_WS_CONT:
        if (!c->msg_op)
            return arb_sim_conn_fail(c, 1002, "continuation without a message");
        if (c->msg_len + len > c->srv->cfg.max_frame)
            return arb_sim_conn_fail(c, 1009, "message too big");
        memcpy(c->msg + c->msg_len, p, len);
        c->msg_len += len;
        if (f->fin) {
            int op = c->msg_op;
            c->msg_op = 0;
            return on_message(c, op, c->msg, c->msg_len);
        }
        return 0;
    default:
        return arb_sim_conn_fail(c, 1002, "unknown opcode");
    }
}

/* Handles the complete frames in the input buffer. Returns 0, or < 0 when the connection ends. */
int arb_sim_conn_input(struct arb_sim_conn *c)
{
    size_t off = 0;
    int rc = 0;

    while (off < c->in_len) {
        struct arb_ws_frame f;
        int hl = arb_ws_frame_decode(c->in + off, c->in_len - off, c->srv->cfg.max_frame, &f);
        if (hl == 0)
            break;
        if (hl == -EMSGSIZE)
            return arb_sim_conn_fail(c, 1009, "frame too big");
        if (hl < 0)
            return arb_sim_conn_fail(c, 1002, "malformed frame header");
        if (!f.masked)
            return arb_sim_conn_fail(c, 1002, "client frames must be masked");
        if (c->in_len - off < (size_t)hl + f.payload_len)
            break;
        arb_ws_mask(c->in + off + hl, (size_t)f.payload_len, f.mask, 0);
        rc = on_frame(c, &f, c->in + off + hl);
        off += (size_t)hl + (size_t)f.payload_len;
        if (rc < 0)
            return rc;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return 0;
}

/* Reads and handles what the client sent. Returns 0, or < 0 when the connection ends. */
int arb_sim_conn_read(struct arb_sim_conn *c)
{
    ssize_t n = arb_sim_io_read(c, c->in + c->in_len, c->in_cap - c->in_len);

    if (n == -EAGAIN)
        return 0;
    if (n <= 0)
        return -ECONNRESET;
    c->in_len += (size_t)n;
    return arb_sim_conn_input(c);
}

/* ---------------------------------------------------------------- handshake */

static int tls_accept(struct arb_sim_conn *c, uint64_t deadline)
{
    c->ssl = SSL_new(c->srv->cfg.tls);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
        return -ENOMEM;
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    for (;;) {
        int rc = SSL_accept(c->ssl), e;
        uint64_t now = arb_clock_mono_ns();
        if (rc == 1)
            return 0;
        e = SSL_get_error(c->ssl, rc);
        if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || now > deadline) {
            if (c->srv->cfg.verbose) {
                char buf[256];
                ERR_error_string_n(ERR_peek_error(), buf, sizeof buf);
                fprintf(stderr, "arbsim: TLS handshake failed: %s\n", buf);
            }
            ERR_clear_error();
            return -EPROTO;
        }
        if (arb_sim_io_wait(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                            (int)((deadline - now) / ARB_SIM_NS_PER_MS) + 1) < 0)
            return -EIO;
    }
}

int arb_sim_conn_handshake(struct arb_sim_conn *c, struct arb_sim_request *req)
{
    uint64_t deadline = arb_clock_mono_ns() + ARB_SIM_HANDSHAKE_MS * ARB_SIM_NS_PER_MS;
    char resp[512];
    uint8_t first;
    int head = 0;
    size_t rl;

    /* TLS starts with a handshake record (0x16); an HTTP request never does. */
    if (arb_sim_io_wait(c, POLLIN, ARB_SIM_HANDSHAKE_MS) <= 0 ||
        recv(c->fd, &first, 1, MSG_PEEK) != 1)
        return -ETIMEDOUT;
    if (first == 0x16) {
        if (!c->srv->cfg.tls)
            return -EPROTONOSUPPORT;
        if (tls_accept(c, deadline) < 0)
            return -EPROTO;
    }
    while (head == 0) {
        uint64_t now = arb_clock_mono_ns();
        ssize_t n;
        if (now > deadline)
            return -ETIMEDOUT;
        n = arb_sim_io_read(c, c->in + c->in_len, ARB_SIM_REQ_MAX - c->in_len);
        if (n == -EAGAIN) {
            /* Short waits, so a shutdown is not held up by a silent client. */
            if (arb_sim_conn_stopping(c) || arb_sim_io_wait(c, POLLIN, 100) < 0)
                return -EIO;
            continue;
        }
        if (n <= 0)
            return -ECONNRESET;
        c->in_len += (size_t)n;
        head = arb_sim_handshake_head_len((const char *)c->in, c->in_len);
    }
    if (head < 0) {
        static const char big[] = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                  "Content-Length: 0\r\nConnection: close\r\n\r\n";
        arb_sim_io_write_all(c, big, sizeof big - 1);
        return -EMSGSIZE;
    }
    /* The exchange's REST calls share the port; everything else must be an upgrade. */
    if (arb_sim_http_wants(c->srv->exch, (const char *)c->in, (size_t)head))
        return 1;
    rl = arb_sim_handshake_answer((const char *)c->in, (size_t)head, req, resp, sizeof resp);
    if (arb_sim_io_write_all(c, resp, rl) < 0)
        return -EIO;
    memmove(c->in, c->in + head, c->in_len - (size_t)head);
    c->in_len -= (size_t)head;
    return req->status == 101 ? 0 : -EPROTO;
}
