/* SPDX-License-Identifier: MIT */
/*
 * WebSocket client: URL and upgrade handshake, frame reassembly, control frames, sends;
 * and raw mode, the same connection and TLS as a plain byte stream.
 */
#include "ws.h"

#include "core/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <openssl/evp.h>

#define WS_MAX_MSG_DEFAULT  (1u << 20)
#define WS_OPEN_TIMEOUT_MS  10000u
#define WS_CLOSE_TIMEOUT_NS 2000000000ull /* how long the peer gets to hang up after close */
#define WS_PT_SIZE          16384u        /* one TLS record of plaintext at most */
/* Worst-case TLS growth per record (CBC-SHA384 with padding) plus slack. */
#define WS_TLS_OVERHEAD(n)  (((n) / 16384 + 1) * 96 + 64)

static const char *const ws_state_names[] = {"idle", "connecting", "tls",    "upgrade",
                                             "open", "closing",    "closed", "failed"};

const char *arb_ws_state_name(enum arb_ws_state s)
{
    return (unsigned)s < sizeof(ws_state_names) / sizeof(ws_state_names[0]) ? ws_state_names[s]
                                                                            : "?";
}

__attribute__((format(printf, 3, 4))) static int ws_fail(struct arb_ws *ws, int err,
                                                         const char *fmt, ...)
{
    va_list ap;

    if (ws->state == ARB_WS_FAILED)
        return ws->err;
    va_start(ap, fmt);
    vsnprintf(ws->errmsg, sizeof(ws->errmsg), fmt, ap);
    va_end(ap);
    ws->state = ARB_WS_FAILED;
    ws->err = err;
    /* Stop the socket now; the caller's arb_ws_reset closes it outside the hooks. */
    arb_conn_shutdown(&ws->conn);
    return err;
}

/* splitmix64: a few cycles per mask key, seeded per connection from getrandom. */
static inline uint32_t ws_rand32(struct arb_ws *ws)
{
    uint64_t z = (ws->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static void ws_parser_clear(struct arb_ws *ws)
{
    ws->hdr_have = 0;
    ws->in_frame = false;
    ws->in_msg = false;
    ws->frame_off = 0;
    ws->msg_len = 0;
    ws->hs_len = 0;
}

/* Moves what OpenSSL wants sent into the connection's send buffer. */
static int ws_tls_flush(struct arb_ws *ws)
{
    size_t n;

    while ((n = arb_tls_pending(&ws->tls)) > 0) {
        uint8_t *dst = arb_conn_send_reserve(&ws->conn, n);
        if (!dst)
            return ws_fail(ws, -ENOBUFS, "send buffer full (%u bytes)", ws->conn.tx_size);
        size_t got = arb_tls_drain(&ws->tls, dst, n);
        arb_conn_send_commit(&ws->conn, got);
        if (got == 0)
            break;
    }
    return 0;
}

/* Sends bytes that are already framed: through TLS for wss://. */
static int ws_send_raw(struct arb_ws *ws, const uint8_t *p, size_t n)
{
    if (!ws->secure)
        return arb_conn_send(&ws->conn, p, n);
    /* Refuse before encrypting, so a full buffer never leaves half a record queued. */
    if (!arb_conn_send_reserve(&ws->conn, n + WS_TLS_OVERHEAD(n)))
        return -ENOBUFS;
    int rc = arb_tls_write(&ws->tls, p, n);
    if (rc < 0)
        return ws_fail(ws, rc, "%s", ws->tls.err);
    return ws_tls_flush(ws);
}

static int ws_send_frame(struct arb_ws *ws, enum arb_ws_opcode op, const uint8_t *p, size_t n)
{
    uint8_t mask[4];
    uint32_t r = ws_rand32(ws);
    uint8_t *dst;

    memcpy(mask, &r, 4);
    if (n + ARB_WS_HEADER_MAX > ws->conn.tx_size)
        return -EMSGSIZE;
    /* Plain: frame straight into the send buffer. TLS: stage, then encrypt into it. */
    dst = ws->secure ? ws->txf : arb_conn_send_reserve(&ws->conn, n + ARB_WS_HEADER_MAX);
    if (!dst)
        return -ENOBUFS;
    size_t h = arb_ws_frame_encode(dst, 1, op, n, mask);
    if (n)
        memcpy(dst + h, p, n);
    arb_ws_mask(dst + h, n, mask, 0);
    if (ws->secure)
        return ws_send_raw(ws, dst, h + n);
    return arb_conn_send_commit(&ws->conn, h + n);
}

static void ws_send_close(struct arb_ws *ws, uint16_t code)
{
    uint8_t body[2] = {(uint8_t)(code >> 8), (uint8_t)code};

    ws->close_sent = true;
    /* 1005 and 1006 are never sent (RFC 6455 7.4.1): echo them as an empty close. */
    ws_send_frame(ws, ARB_WS_CLOSE, body, code == 1005 || code == 1006 ? 0 : 2);
    ws->state = ARB_WS_CLOSING;
    ws->deadline_ns = arb_clock_mono_ns() + WS_CLOSE_TIMEOUT_NS;
}

static void ws_deliver(struct arb_ws *ws, uint8_t op, const uint8_t *p, size_t n, uint64_t ts)
{
    ws->stats.msgs++;
    ws->stats.bytes += n;
    if (ws->cfg.on_msg)
        ws->cfg.on_msg(ws->cfg.ctx, (enum arb_ws_opcode)op, p, n, ts);
}

static void ws_control(struct arb_ws *ws, uint8_t op, const uint8_t *p, size_t n)
{
    if (op == ARB_WS_PING) {
        if (ws->state == ARB_WS_OPEN) {
            ws->stats.pings++;
            /* 5.5.2: the pong carries the ping's payload. */
            if (ws_send_frame(ws, ARB_WS_PONG, p, n) < 0 && ws->state != ARB_WS_FAILED)
                ws_fail(ws, -ENOBUFS, "send buffer full: cannot answer a ping");
        }
        return;
    }
    if (op != ARB_WS_CLOSE)
        return; /* unsolicited pongs are allowed and mean nothing (5.5.3) */
    if (n == 1) {
        ws_fail(ws, -EPROTO, "protocol error: close frame with a 1-byte body");
        return;
    }
    ws->close_code = n >= 2 ? (uint16_t)((unsigned)p[0] << 8 | p[1]) : 1005;
    if (!ws->close_sent)
        ws_send_close(ws, ws->close_code); /* 5.5.1: echo the code, then wait for the hang-up */
    /*
     * Both close frames are out: now TLS may say goodbye too. Any earlier and
     * a peer like Python's asyncio drops its close reply on seeing close_notify.
     */
    if (ws->secure && arb_tls_shutdown(&ws->tls) == 0)
        ws_tls_flush(ws);
}

/* Consumes frames from p[0..n). */
static void ws_frames(struct arb_ws *ws, const uint8_t *p, size_t n, uint64_t ts)
{
    for (;;) {
        struct arb_ws_frame *f = &ws->f;

        if (!ws->in_frame) {
            int rc;
            size_t used;
            if (n == 0)
                return;
            if (ws->hdr_have == 0) {
                rc = arb_ws_frame_decode(p, n, ws->cfg.max_msg, f);
                if (rc == 0) {
                    /* Less than a header (< 14 bytes): keep it for the next buffer. */
                    memcpy(ws->hdr, p, n);
                    ws->hdr_have = (uint8_t)n;
                    return;
                }
                used = rc > 0 ? (size_t)rc : 0;
            } else {
                size_t take = ARB_WS_HEADER_MAX - ws->hdr_have;
                if (take > n)
                    take = n;
                memcpy(ws->hdr + ws->hdr_have, p, take);
                rc = arb_ws_frame_decode(ws->hdr, ws->hdr_have + take, ws->cfg.max_msg, f);
                if (rc == 0) {
                    ws->hdr_have = (uint8_t)(ws->hdr_have + take);
                    return;
                }
                used = rc > 0 ? (size_t)rc - ws->hdr_have : 0;
                ws->hdr_have = 0;
            }
            if (rc == -EMSGSIZE) {
                ws_fail(ws, rc, "frame exceeds max_msg (%u bytes)", ws->cfg.max_msg);
                return;
            }
            if (rc < 0) {
                ws_fail(ws, rc, "protocol error: invalid frame header");
                return;
            }
            if (f->masked) {
                ws_fail(ws, -EPROTO, "protocol error: masked frame from the server (5.1)");
                return;
            }
            if (f->opcode == ARB_WS_CONT && !ws->in_msg) {
                ws_fail(ws, -EPROTO, "protocol error: continuation without a message");
                return;
            }
            if ((f->opcode == ARB_WS_TEXT || f->opcode == ARB_WS_BINARY) && ws->in_msg) {
                ws_fail(ws, -EPROTO, "protocol error: new message inside a fragmented one");
                return;
            }
            if (!(f->opcode & 0x8)) {
                if (f->opcode != ARB_WS_CONT)
                    ws->msg_len = 0;
                if (ws->msg_len + f->payload_len > ws->cfg.max_msg) {
                    ws_fail(ws, -EMSGSIZE, "message exceeds max_msg (%u bytes)", ws->cfg.max_msg);
                    return;
                }
                if (f->opcode != ARB_WS_CONT && !f->fin) {
                    ws->in_msg = true;
                    ws->msg_op = f->opcode;
                }
            }
            p += used;
            n -= used;
            ws->in_frame = true;
            ws->frame_off = 0;
        }

        uint64_t left = f->payload_len - ws->frame_off;
        size_t take = left < n ? (size_t)left : n;
        bool whole = ws->frame_off == 0 && take == left; /* all of it is in p */

        if (f->opcode & 0x8) {
            if (whole) {
                ws_control(ws, f->opcode, p, take);
            } else {
                memcpy(ws->ctl + ws->frame_off, p, take);
                if (take == left)
                    ws_control(ws, f->opcode, ws->ctl, (size_t)f->payload_len);
            }
        } else if (whole && !ws->in_msg) {
            /* The common case: one unfragmented message inside one buffer, no copy. */
            ws_deliver(ws, f->opcode, p, take, ts);
        } else {
            memcpy(ws->msg + ws->msg_len, p, take);
            ws->msg_len += take;
            if (take == left && f->fin) {
                uint8_t op = ws->in_msg ? ws->msg_op : f->opcode;
                ws->in_msg = false;
                ws->stats.copied++;
                ws_deliver(ws, op, ws->msg, ws->msg_len, ts);
                ws->msg_len = 0;
            }
        }
        ws->frame_off += take;
        p += take;
        n -= take;
        if (take != left)
            return; /* the rest of the payload is in a later buffer */
        ws->in_frame = false;
        if (ws->state != ARB_WS_OPEN && ws->state != ARB_WS_CLOSING)
            return;
    }
}

/* Case-insensitive search for a comma-separated token in a header value. */
static bool ws_has_token(const char *v, size_t len, const char *tok)
{
    size_t tl = strlen(tok);

    for (size_t i = 0; i < len;) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < len && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(v + s, tok, tl) == 0)
            return true;
    }
    return false;
}

/* Checks the server's answer to the upgrade (RFC 6455 4.2.2, 4.1 points 1-6). */
static int ws_check_upgrade(struct arb_ws *ws, char *h, size_t len)
{
    bool upgrade = false, connection = false, accept = false;
    char *eol = memchr(h, '\r', len);
    int status = 0;

    if (!eol || sscanf(h, "HTTP/1.1 %3d", &status) != 1 || status != 101) {
        size_t sl = eol ? (size_t)(eol - h) : (len < 64 ? len : 64);
        return ws_fail(ws, status ? -ECONNREFUSED : -EPROTO, "upgrade refused: \"%.*s\"",
                       (int)(sl < 96 ? sl : 96), h);
    }
    for (char *line = eol + 2; line < h + len;) {
        char *end = memchr(line, '\r', (size_t)(h + len - line));
        if (!end || end == line)
            break;
        char *colon = memchr(line, ':', (size_t)(end - line));
        if (colon) {
            size_t nl = (size_t)(colon - line);
            char *v = colon + 1;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            size_t vl = (size_t)(end - v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
#define IS(name) (nl == sizeof(name) - 1 && strncasecmp(line, name, nl) == 0)
            if (IS("upgrade"))
                upgrade = vl == 9 && strncasecmp(v, "websocket", 9) == 0;
            else if (IS("connection"))
                connection = ws_has_token(v, vl, "upgrade");
            else if (IS("sec-websocket-accept"))
                accept = vl == 28 && memcmp(v, ws->accept, 28) == 0;
            else if ((IS("sec-websocket-extensions") || IS("sec-websocket-protocol")) && vl)
                return ws_fail(ws, -EPROTO, "upgrade: server chose \"%.*s\", never offered",
                               (int)(nl + 2 + (vl < 64 ? vl : 64)), line);
#undef IS
        }
        line = end + 2;
    }
    if (!upgrade || !connection)
        return ws_fail(ws, -EPROTO, "upgrade: missing Upgrade: websocket or Connection: Upgrade");
    if (!accept)
        return ws_fail(ws, -EPROTO, "upgrade: Sec-WebSocket-Accept missing or wrong");
    ws->state = ARB_WS_OPEN;
    ws->hs_len = 0;
    return 0;
}

/* Gathers the upgrade response. Returns the bytes of p it used, or -errno. */
static ssize_t ws_upgrade_input(struct arb_ws *ws, const uint8_t *p, size_t n)
{
    size_t old = ws->hs_len, room = ARB_WS_HS_MAX - 1 - old;
    size_t take = n < room ? n : room;

    memcpy(ws->hs + old, p, take);
    size_t total = old + take;
    for (size_t i = old >= 3 ? old - 3 : 0; i + 4 <= total; i++) {
        if (memcmp(ws->hs + i, "\r\n\r\n", 4) == 0) {
            size_t end = i + 4;
            int rc = ws_check_upgrade(ws, ws->hs, end);
            /* Frames may follow the headers in the same buffer. */
            return rc < 0 ? rc : (ssize_t)(end - old);
        }
    }
    ws->hs_len = (uint32_t)total;
    if (total == ARB_WS_HS_MAX - 1)
        return ws_fail(ws, -EMSGSIZE, "upgrade response headers exceed %u bytes", ARB_WS_HS_MAX);
    return (ssize_t)n;
}

int arb_ws_input(struct arb_ws *ws, const uint8_t *p, size_t n, uint64_t recv_ts_ns)
{
    if (ws->cfg.raw) {
        /* No framing: whatever arrived is the caller's, split wherever TCP split it. */
        if (ws->state == ARB_WS_OPEN && n)
            ws_deliver(ws, ARB_WS_BINARY, p, n, recv_ts_ns);
        return ws->state == ARB_WS_FAILED ? ws->err : 0;
    }
    if (ws->state == ARB_WS_UPGRADE) {
        ssize_t used = ws_upgrade_input(ws, p, n);
        if (used < 0 || ws->state != ARB_WS_OPEN)
            return ws->state == ARB_WS_FAILED ? ws->err : 0;
        p += used;
        n -= (size_t)used;
    }
    if (ws->state == ARB_WS_OPEN || ws->state == ARB_WS_CLOSING)
        ws_frames(ws, p, n, recv_ts_ns);
    return ws->state == ARB_WS_FAILED ? ws->err : 0;
}

static void ws_send_upgrade(struct arb_ws *ws)
{
    uint8_t raw[16];
    char key[25];
    bool default_port = ws->port == (ws->secure ? 443 : 80);

    /* The key is a nonce the server must prove it read: fresh from the kernel each time. */
    if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
        ws_fail(ws, -EIO, "getrandom failed");
        return;
    }
    EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw));
    arb_ws_accept(key, 24, ws->accept);
    /* Host names the port when it is not the scheme's default, and brackets IPv6. */
    char port[8] = "";
    if (!default_port)
        snprintf(port, sizeof(port), ":%u", ws->port);
    bool v6 = strchr(ws->host, ':') != NULL;
    int n = snprintf(ws->hs, ARB_WS_HS_MAX,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s%s%s%s\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "User-Agent: arbiter\r\n"
                     "%s\r\n",
                     ws->path, v6 ? "[" : "", ws->host, v6 ? "]" : "", port, key,
                     ws->cfg.headers ? ws->cfg.headers : "");
    if (n < 0 || n >= ARB_WS_HS_MAX) {
        ws_fail(ws, -EMSGSIZE, "upgrade request exceeds %u bytes", ARB_WS_HS_MAX);
        return;
    }
    ws->state = ARB_WS_UPGRADE;
    int rc = ws_send_raw(ws, (const uint8_t *)ws->hs, (size_t)n);
    if (rc < 0)
        ws_fail(ws, rc, "cannot queue the upgrade request");
}

/* TCP, and TLS for a secure URL, are up: upgrade, or in raw mode start the byte stream. */
static void ws_transport_up(struct arb_ws *ws)
{
    if (ws->cfg.raw)
        ws->state = ARB_WS_OPEN;
    else
        ws_send_upgrade(ws);
}

static void ws_on_recv(void *ctx, const uint8_t *p, size_t n, uint64_t ts)
{
    struct arb_ws *ws = ctx;

    if (!ws->secure) {
        arb_ws_input(ws, p, n, ts);
        return;
    }
    if (ws->state == ARB_WS_FAILED || ws->state == ARB_WS_CLOSED)
        return;
    if (arb_tls_feed(&ws->tls, p, n) < 0) {
        ws_fail(ws, -ENOMEM, "%s", ws->tls.err);
        return;
    }
    if (ws->state == ARB_WS_TLS) {
        int rc = arb_tls_handshake(&ws->tls);
        ws_tls_flush(ws);
        if (rc < 0) {
            ws_fail(ws, rc, "%s", ws->tls.err);
            return;
        }
        if (rc == 0)
            return;
        ws_transport_up(ws);
    }
    for (;;) {
        ssize_t k = arb_tls_read(&ws->tls, ws->pt, WS_PT_SIZE);
        if (k > 0) {
            arb_ws_input(ws, ws->pt, (size_t)k, ts);
            if (ws->state == ARB_WS_FAILED || ws->state == ARB_WS_CLOSED)
                return;
            continue;
        }
        if (k < 0 && k != -EPIPE)
            ws_fail(ws, (int)k, "%s", ws->tls.err);
        /* close_notify (-EPIPE) is followed by the TCP FIN, which on_event handles. */
        break;
    }
    /* Reading can produce output: TLS 1.3 key updates, alerts. */
    if (arb_tls_pending(&ws->tls))
        ws_tls_flush(ws);
}

static void ws_on_event(void *ctx, enum arb_conn_event ev, int res)
{
    struct arb_ws *ws = ctx;

    switch (ev) {
    case ARB_CONN_EV_CONNECTED:
        if (!ws->secure) {
            ws_transport_up(ws);
            break;
        }
        ws->state = ARB_WS_TLS;
        int rc = arb_tls_start(&ws->tls, ws->host);
        if (rc < 0) {
            ws_fail(ws, rc, "%s", ws->tls.err);
            break;
        }
        ws_tls_flush(ws);
        break;
    case ARB_CONN_EV_EOF:
        if (ws->cfg.raw && ws->state == ARB_WS_OPEN) {
            /* A byte stream's end is the peer's to choose (an idle HTTP keep-alive). */
            ws->state = ARB_WS_CLOSED;
            ws->close_code = 1006;
            arb_conn_shutdown(&ws->conn);
            break;
        }
        if (ws->state == ARB_WS_CLOSING) {
            ws->state = ARB_WS_CLOSED;
            if (!ws->close_code)
                ws->close_code = 1006;
            arb_conn_shutdown(&ws->conn);
            break;
        }
        if (ws->in_frame || ws->hdr_have || ws->in_msg)
            ws_fail(ws, -ECONNRESET, "connection dropped mid-frame (%s)",
                    arb_ws_state_name(ws->state));
        else
            ws_fail(ws, -ECONNRESET, "connection closed by the peer without a close frame (%s)",
                    arb_ws_state_name(ws->state));
        break;
    case ARB_CONN_EV_ERROR:
        if (ws->state == ARB_WS_CONNECTING)
            ws_fail(ws, res, "connect to %s:%u failed: %s", ws->host, ws->port, strerror(-res));
        else if (ws->state == ARB_WS_CLOSING)
            ws->state = ARB_WS_CLOSED;
        else
            ws_fail(ws, res, "socket error: %s", strerror(-res));
        break;
    }
}

int arb_ws_init(struct arb_ws *ws, struct io_uring *ring, const struct arb_ws_config *cfg)
{
    memset(ws, 0, sizeof(*ws));
    if (cfg)
        ws->cfg = *cfg;
    if (!ws->cfg.max_msg)
        ws->cfg.max_msg = WS_MAX_MSG_DEFAULT;
    if (!ws->cfg.open_timeout_ms)
        ws->cfg.open_timeout_ms = WS_OPEN_TIMEOUT_MS;
    int rc = arb_conn_init(&ws->conn, ring, &ws->cfg.conn, ws_on_recv, ws_on_event, ws);
    if (rc < 0)
        return rc;
    /* Raw mode reassembles nothing: no message buffer (max_msg is 1 MiB by default). */
    ws->msg = ws->cfg.raw ? NULL : malloc(ws->cfg.max_msg);
    ws->pt = malloc(WS_PT_SIZE);
    ws->txf = malloc(ws->conn.tx_size);
    ws->hs = malloc(ARB_WS_HS_MAX);
    if ((!ws->msg && !ws->cfg.raw) || !ws->pt || !ws->txf || !ws->hs) {
        arb_ws_destroy(ws);
        return -ENOMEM;
    }
    if (getrandom(&ws->rng, sizeof(ws->rng), 0) != sizeof(ws->rng)) {
        arb_ws_destroy(ws);
        return -EIO;
    }
    return 0;
}

void arb_ws_destroy(struct arb_ws *ws)
{
    arb_ws_reset(ws);
    arb_conn_destroy(&ws->conn);
    if (ws->tls_ctx_ready)
        arb_tls_destroy(&ws->tls);
    ws->tls_ctx_ready = false;
    free(ws->msg);
    free(ws->pt);
    free(ws->txf);
    free(ws->hs);
    ws->msg = ws->pt = ws->txf = NULL;
    ws->hs = NULL;
}

void arb_ws_reset(struct arb_ws *ws)
{
    arb_conn_reset(&ws->conn);
    if (ws->tls_ctx_ready)
        arb_tls_reset(&ws->tls);
    ws_parser_clear(ws);
    ws->state = ARB_WS_IDLE;
    ws->err = 0;
    ws->errmsg[0] = '\0';
    ws->close_code = 0;
    ws->close_sent = false;
}

int arb_ws_open_detached(struct arb_ws *ws)
{
    if (ws->state != ARB_WS_IDLE || ws->conn.fd >= 0)
        return -EBUSY;
    ws->secure = false;
    ws->state = ARB_WS_OPEN;
    return 0;
}

/* Splits ws[s]://host[:port][/path] into ws->host, port, path. */
static int ws_parse_url(struct arb_ws *ws, const char *url)
{
    const char *h;
    size_t hl;

    if (strncmp(url, "wss://", 6) == 0) {
        ws->secure = true;
        h = url + 6;
    } else if (strncmp(url, "ws://", 5) == 0) {
        ws->secure = false;
        h = url + 5;
    } else if (ws->cfg.raw && strncmp(url, "https://", 8) == 0) {
        ws->secure = true;
        h = url + 8;
    } else if (ws->cfg.raw && strncmp(url, "http://", 7) == 0) {
        ws->secure = false;
        h = url + 7;
    } else {
        return ws_fail(ws, -EINVAL, "url %s: scheme must be ws:// or wss://%s", url,
                       ws->cfg.raw ? " (or http://, https://)" : "");
    }
    const char *path = h + strcspn(h, "/?#");
    const char *port = NULL;
    if (*h == '[') {
        /* An IPv6 literal: [::1]:443 */
        const char *rb = memchr(h, ']', (size_t)(path - h));
        if (!rb)
            return ws_fail(ws, -EINVAL, "url %s: unterminated [", url);
        hl = (size_t)(rb - h - 1);
        h++;
        if (rb[1] == ':')
            port = rb + 2;
        else if (rb + 1 != path)
            return ws_fail(ws, -EINVAL, "url %s: junk after ]", url);
    } else {
        const char *colon = memchr(h, ':', (size_t)(path - h));
        hl = (size_t)((colon ? colon : path) - h);
        if (colon)
            port = colon + 1;
    }
    if (hl == 0 || hl >= sizeof(ws->host))
        return ws_fail(ws, -EINVAL, "url %s: bad host", url);
    memcpy(ws->host, h, hl);
    ws->host[hl] = '\0';
    ws->port = ws->secure ? 443 : 80;
    if (port) {
        char *end;
        unsigned long v = strtoul(port, &end, 10);
        if (end == port || end != path || v == 0 || v > 65535)
            return ws_fail(ws, -EINVAL, "url %s: bad port", url);
        ws->port = (uint16_t)v;
    }
    /* The fragment is never sent (RFC 6455 3); a bare query still needs the "/". */
    size_t pl = strcspn(path, "#");
    int n = snprintf(ws->path, sizeof(ws->path), "%s%.*s", *path == '/' ? "" : "/", (int)pl, path);
    if (n < 0 || (size_t)n >= sizeof(ws->path))
        return ws_fail(ws, -EINVAL, "url %s: path too long", url);
    return 0;
}

/* Resolves ws->host. IPv4 first: venues publish A records and our servers bind IPv4. */
static int ws_resolve(struct arb_ws *ws, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    struct addrinfo hints, *res = NULL;

    memset(ss, 0, sizeof(*ss));
    /* Literals skip getaddrinfo, which allocates: a reconnect to an IP stays allocation-free. */
    if (inet_pton(AF_INET, ws->host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(ws->port);
        *len = sizeof(*in4);
        return 0;
    }
    if (inet_pton(AF_INET6, ws->host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(ws->port);
        *len = sizeof(*in6);
        return 0;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_INET;
    int rc = getaddrinfo(ws->host, NULL, &hints, &res);
    if (rc != 0) {
        hints.ai_family = AF_UNSPEC;
        rc = getaddrinfo(ws->host, NULL, &hints, &res);
    }
    if (rc != 0)
        return ws_fail(ws, -EHOSTUNREACH, "cannot resolve %s: %s", ws->host, gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    if (ss->ss_family == AF_INET)
        in4->sin_port = htons(ws->port);
    else
        in6->sin6_port = htons(ws->port);
    return 0;
}

int arb_ws_connect(struct arb_ws *ws, const char *url)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    int rc;

    arb_ws_reset(ws);
    if ((rc = ws_parse_url(ws, url)) < 0)
        return rc;
    if (ws->secure && !ws->tls_ctx_ready) {
        if ((rc = arb_tls_init(&ws->tls, ws->cfg.ca_file, ws->cfg.tls_max_version)) < 0)
            return ws_fail(ws, rc, "%s", ws->tls.err);
        ws->tls_ctx_ready = true;
    }
    if ((rc = ws_resolve(ws, &ss, &len)) < 0)
        return rc;
    ws->state = ARB_WS_CONNECTING;
    ws->deadline_ns = arb_clock_mono_ns() + (uint64_t)ws->cfg.open_timeout_ms * 1000000u;
    rc = arb_conn_connect(&ws->conn, (struct sockaddr *)&ss, len);
    if (rc < 0)
        return ws_fail(ws, rc, "connect to %s:%u: %s", ws->host, ws->port, strerror(-rc));
    return 0;
}

/* Off the hot path: only while opening or closing. */
static int ws_check_deadline(struct arb_ws *ws)
{
    if (ws->state == ARB_WS_OPEN || ws->state == ARB_WS_IDLE || ws->state == ARB_WS_CLOSED)
        return 0;
    if (ws->state == ARB_WS_FAILED)
        return ws->err;
    if (arb_clock_mono_ns() < ws->deadline_ns)
        return 0;
    if (ws->state == ARB_WS_CLOSING) {
        /* The peer never hung up: 7.1.1 lets the client close the TCP connection itself. */
        ws->state = ARB_WS_CLOSED;
        arb_conn_shutdown(&ws->conn);
        return 0;
    }
    return ws_fail(ws, -ETIMEDOUT, "no open connection after %u ms (%s)", ws->cfg.open_timeout_ms,
                   arb_ws_state_name(ws->state));
}

int arb_ws_poll(struct arb_ws *ws)
{
    int n = arb_conn_poll(ws->conn.ring);

    if (__builtin_expect(ws->state != ARB_WS_OPEN, 0)) {
        int rc = ws_check_deadline(ws);
        if (rc < 0)
            return rc;
    }
    return n;
}

int arb_ws_wait(struct arb_ws *ws, uint64_t timeout_ns)
{
    int n = arb_conn_wait(ws->conn.ring, timeout_ns);

    if (ws->state != ARB_WS_OPEN) {
        int rc = ws_check_deadline(ws);
        if (rc < 0)
            return rc;
    }
    return n;
}

int arb_ws_send(struct arb_ws *ws, enum arb_ws_opcode op, const void *p, size_t n)
{
    if (ws->state != ARB_WS_OPEN)
        return -ENOTCONN;
    if ((op != ARB_WS_TEXT && op != ARB_WS_BINARY) || ws->cfg.raw)
        return -EINVAL;
    return ws_send_frame(ws, op, p, n);
}

int arb_ws_send_raw(struct arb_ws *ws, const void *p, size_t n)
{
    if (!ws->cfg.raw)
        return -EINVAL;
    if (ws->state != ARB_WS_OPEN)
        return -ENOTCONN;
    return ws_send_raw(ws, p, n);
}

int arb_ws_ping(struct arb_ws *ws, const void *p, size_t n)
{
    if (ws->state != ARB_WS_OPEN)
        return -ENOTCONN;
    if (n > 125 || ws->cfg.raw)
        return -EINVAL; /* 5.5: control frames carry at most 125 bytes */
    return ws_send_frame(ws, ARB_WS_PING, p, n);
}

int arb_ws_close(struct arb_ws *ws, uint16_t code)
{
    if (ws->state != ARB_WS_OPEN)
        return -ENOTCONN;
    if (ws->cfg.raw) {
        /* No close frame in a byte stream: TLS says goodbye, then the peer's FIN ends it. */
        if (!ws->secure || arb_tls_shutdown(&ws->tls) < 0) {
            ws->state = ARB_WS_CLOSED;
            arb_conn_shutdown(&ws->conn);
            return 0;
        }
        ws_tls_flush(ws);
        ws->state = ARB_WS_CLOSING;
        ws->deadline_ns = arb_clock_mono_ns() + WS_CLOSE_TIMEOUT_NS;
        return ws->state == ARB_WS_FAILED ? ws->err : 0;
    }
    ws_send_close(ws, code);
    return ws->state == ARB_WS_FAILED ? ws->err : 0;
}
