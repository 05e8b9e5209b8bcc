/* SPDX-License-Identifier: MIT */
/* HTTP/1.1 response framing: heads, Content-Length and chunked bodies, pipelined responses. */
#include "http.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

enum {
    RX_NONE = 0,    /* no body: 1xx, 204, 304, or Content-Length: 0 */
    RX_LENGTH = 1,  /* Content-Length bytes */
    RX_CHUNKED = 2, /* Transfer-Encoding: chunked */
};

enum {
    CH_SIZE = 0,      /* a chunk-size line is next */
    CH_DATA = 1,      /* `need` bytes of chunk data are next */
    CH_DATA_CRLF = 2, /* the CRLF after chunk data is next */
    CH_TRAILER = 3,   /* trailer lines, up to the blank line */
};

void arb_http_rx_init(struct arb_http_rx *rx, uint8_t *buf, size_t cap, arb_http_resp_fn on_resp,
                      void *ctx)
{
    memset(rx, 0, sizeof(*rx));
    rx->buf = buf;
    rx->cap = cap;
    rx->on_resp = on_resp;
    rx->ctx = ctx;
}

static void rx_clear_msg(struct arb_http_rx *rx)
{
    rx->scan = 0;
    rx->head_len = 0;
    rx->status = 0;
    rx->mode = RX_NONE;
    rx->cstate = CH_SIZE;
    rx->close = false;
    rx->need = 0;
    rx->rd = rx->wr = 0;
}

void arb_http_rx_reset(struct arb_http_rx *rx)
{
    rx_clear_msg(rx);
    rx->len = 0;
    rx->err = 0;
}

static int rx_fail(struct arb_http_rx *rx, int err)
{
    rx->err = err;
    return err;
}

/* The offset just past the first "\r\n\r\n" at or after `from`, or 0 when there is none. */
static size_t head_end(const uint8_t *p, size_t from, size_t n)
{
    for (size_t i = from; i < n;) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        if (!nl)
            return 0;
        size_t k = (size_t)(nl - p);
        if (k >= 3 && memcmp(p + k - 3, "\r\n\r\n", 4) == 0)
            return k + 1;
        i = k + 1;
    }
    return 0;
}

/* Whether the comma-separated header value v holds `tok` (any case). */
static bool has_token(const char *v, size_t vl, const char *tok, bool last_only)
{
    size_t tl = strlen(tok);
    bool found = false;

    for (size_t i = 0; i < vl;) {
        while (i < vl && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < vl && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e == s)
            continue;
        found = e - s == tl && strncasecmp(v + s, tok, tl) == 0;
        if (found && !last_only)
            return true;
    }
    return found;
}

/* What one response head says about its body. */
struct head {
    int status;
    uint8_t mode;
    bool close;
    uint64_t clen;
};

/* Parses a head of hl bytes (ending "\r\n\r\n"). Returns 0 or -EPROTO. */
static int head_parse(const char *h, size_t hl, struct head *out)
{
    bool v10, have_len = false, chunked = false, keep_alive = false;
    const char *end = h + hl - 2; /* the blank line's CRLF */
    const char *eol = memchr(h, '\r', hl);

    memset(out, 0, sizeof(*out));
    /* "HTTP/1.x SSS[ reason]": reason phrases are for people, so only the code is read. */
    if (!eol || eol - h < 12 || memcmp(h, "HTTP/1.", 7) != 0 || (h[7] != '0' && h[7] != '1') ||
        h[8] != ' ' || (eol - h > 12 && h[12] != ' ') || eol[1] != '\n')
        return -EPROTO;
    v10 = h[7] == '0';
    for (int i = 9; i < 12; i++) {
        if (h[i] < '0' || h[i] > '9')
            return -EPROTO;
        out->status = out->status * 10 + (h[i] - '0');
    }
    if (out->status < 100 || out->status > 599)
        return -EPROTO;
    for (const char *line = eol + 2; line < end;) {
        const char *e = memchr(line, '\r', (size_t)(end - line + 1));
        if (!e || e[1] != '\n')
            return -EPROTO;
        const char *colon = memchr(line, ':', (size_t)(e - line));
        /* No name, or folded onto the previous line (obsolete, RFC 9112 5.2): refused. */
        if (!colon || colon == line || *line == ' ' || *line == '\t')
            return -EPROTO;
        size_t nl = (size_t)(colon - line);
        const char *v = colon + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        size_t vl = (size_t)(e - v);
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            vl--;
#define IS(name) (nl == sizeof(name) - 1 && strncasecmp(line, name, nl) == 0)
        if (IS("content-length")) {
            uint64_t n = 0;
            if (vl == 0 || vl > 15)
                return -EPROTO;
            for (size_t i = 0; i < vl; i++) {
                if (v[i] < '0' || v[i] > '9')
                    return -EPROTO;
                n = n * 10 + (uint64_t)(v[i] - '0');
            }
            /* Two different lengths would let a proxy and us frame differently. */
            if (have_len && n != out->clen)
                return -EPROTO;
            have_len = true;
            out->clen = n;
        } else if (IS("transfer-encoding")) {
            /* chunked must be the last coding, or only the close would end the body. */
            if (!has_token(v, vl, "chunked", true))
                return -EPROTO;
            chunked = true;
        } else if (IS("connection")) {
            out->close |= has_token(v, vl, "close", false);
            keep_alive |= has_token(v, vl, "keep-alive", false);
        }
#undef IS
        line = e + 2;
    }
    if (v10 && !keep_alive)
        out->close = true; /* HTTP/1.0 closes unless it says otherwise */
    if (out->status < 200 || out->status == 204 || out->status == 304)
        out->mode = RX_NONE;
    else if (chunked) /* Transfer-Encoding wins over Content-Length (RFC 9112 6.3) */
        out->mode = RX_CHUNKED;
    else if (have_len)
        out->mode = out->clen ? RX_LENGTH : RX_NONE;
    else
        return -EPROTO; /* read until close: no keep-alive, so not for us */
    return 0;
}

/* Hands one response to the callback, or drops it when it is interim (1xx). */
static void deliver(struct arb_http_rx *rx, const uint8_t *msg, size_t head_len, size_t len,
                    const struct head *h, uint64_t ts)
{
    if (h->status < 200) {
        rx->stats.skipped++;
        return;
    }
    struct arb_http_resp r = {.status = h->status,
                              .close = h->close,
                              .msg = (const char *)msg,
                              .len = len,
                              .head_len = head_len,
                              .body = (const char *)msg + head_len,
                              .body_len = len - head_len};
    rx->stats.responses++;
    if (rx->on_resp)
        rx->on_resp(rx->ctx, &r, ts);
}

/* Parses a hex chunk-size line [p, p+n) without its CRLF. Returns 0 or -EPROTO. */
static int chunk_size(const uint8_t *p, size_t n, uint64_t *size)
{
    size_t i = 0;
    uint64_t v = 0;

    for (; i < n; i++) {
        int d = p[i] >= '0' && p[i] <= '9'   ? p[i] - '0'
                : p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
                : p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 10
                                             : -1;
        if (d < 0)
            break;
        if (i == 15)
            return -EPROTO; /* > 2^60: no response of ours is near that */
        v = v << 4 | (uint64_t)d;
    }
    if (i == 0)
        return -EPROTO;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < n && p[i] != ';') /* only chunk extensions may follow, and are ignored */
        return -EPROTO;
    *size = v;
    return 0;
}

/*
 * Advances over the raw chunked bytes [rd, len), decoding chunk data down to wr.
 * Returns 1 when the body (and its trailers) are complete, 0 when more bytes are
 * needed, -EPROTO or -EMSGSIZE.
 */
static int chunk_step(struct arb_http_rx *rx)
{
    uint8_t *b = rx->buf;

    for (;;) {
        switch (rx->cstate) {
        case CH_SIZE:
        case CH_TRAILER: {
            const uint8_t *nl = memchr(b + rx->rd, '\n', rx->len - rx->rd);
            if (!nl)
                return rx->len - rx->rd > ARB_HTTP_LINE_MAX ? -EPROTO : 0;
            size_t k = (size_t)(nl - b);
            if (k == rx->rd || b[k - 1] != '\r' || k - rx->rd > ARB_HTTP_LINE_MAX)
                return -EPROTO;
            size_t line = k - 1 - rx->rd; /* without its CRLF */
            if (rx->cstate == CH_TRAILER) {
                rx->rd = k + 1;
                if (line == 0)
                    return 1; /* the blank line ends the message */
                continue;     /* a trailer field: framing needs none of them */
            }
            uint64_t size;
            if (chunk_size(b + rx->rd, line, &size) < 0)
                return -EPROTO;
            rx->rd = k + 1;
            if (size == 0) {
                rx->cstate = CH_TRAILER;
                continue;
            }
            if (size > rx->cap - rx->wr)
                return -EMSGSIZE;
            rx->need = size;
            rx->cstate = CH_DATA;
            continue;
        }
        case CH_DATA: {
            size_t avail = rx->len - rx->rd;
            size_t take = rx->need < avail ? (size_t)rx->need : avail;
            if (take == 0)
                return 0;
            memmove(b + rx->wr, b + rx->rd, take);
            rx->wr += take;
            rx->rd += take;
            rx->need -= take;
            if (rx->need)
                return 0;
            rx->cstate = CH_DATA_CRLF;
            continue;
        }
        default: /* CH_DATA_CRLF */
            if (rx->len - rx->rd < 2)
                return rx->len > rx->rd && b[rx->rd] != '\r' ? -EPROTO : 0;
            if (b[rx->rd] != '\r' || b[rx->rd + 1] != '\n')
                return -EPROTO;
            rx->rd += 2;
            rx->cstate = CH_SIZE;
            continue;
        }
    }
}

/* Delivers every response complete in buf. Returns 0 or -errno. */
static int rx_process(struct arb_http_rx *rx, uint64_t ts)
{
    while (rx->len > 0) {
        struct head h;
        if (!rx->head_len) {
            size_t e = head_end(rx->buf, rx->scan > 3 ? rx->scan - 3 : 0, rx->len);
            if (!e) {
                rx->scan = rx->len;
                return rx->len == rx->cap ? rx_fail(rx, -EMSGSIZE) : 0;
            }
            if (head_parse((const char *)rx->buf, e, &h) < 0)
                return rx_fail(rx, -EPROTO);
            rx->head_len = e;
            rx->status = h.status;
            rx->mode = h.mode;
            rx->close = h.close;
            rx->need = h.clen;
            rx->rd = rx->wr = e;
            rx->cstate = CH_SIZE;
            if (h.mode == RX_LENGTH && h.clen > rx->cap - e)
                return rx_fail(rx, -EMSGSIZE);
        }
        h = (struct head){.status = rx->status, .mode = rx->mode, .close = rx->close};
        size_t used, msg_len;
        if (rx->mode == RX_NONE) {
            used = msg_len = rx->head_len;
        } else if (rx->mode == RX_LENGTH) {
            if (rx->len - rx->head_len < rx->need)
                return 0;
            used = msg_len = rx->head_len + (size_t)rx->need;
        } else {
            int rc = chunk_step(rx);
            if (rc < 0)
                return rx_fail(rx, rc);
            if (rc == 0)
                return 0;
            used = rx->rd;
            msg_len = rx->wr;
        }
        deliver(rx, rx->buf, rx->head_len, msg_len, &h, ts);
        /* Pipelined: what follows is the next response's start. */
        memmove(rx->buf, rx->buf + used, rx->len - used);
        rx->len -= used;
        rx_clear_msg(rx);
    }
    return 0;
}

int arb_http_rx_input(struct arb_http_rx *rx, const uint8_t *p, size_t n, uint64_t recv_ts_ns)
{
    if (rx->err)
        return rx->err;
    /* Nothing held: deliver whole Content-Length responses straight from p. */
    while (rx->len == 0 && n > 0) {
        struct head h;
        size_t e = head_end(p, 0, n);
        if (!e)
            break;
        if (head_parse((const char *)p, e, &h) < 0)
            return rx_fail(rx, -EPROTO);
        if (h.mode == RX_CHUNKED)
            break; /* decoded in buf, which is writable */
        if (h.clen > rx->cap || e + h.clen > rx->cap)
            return rx_fail(rx, -EMSGSIZE);
        size_t total = e + (h.mode == RX_LENGTH ? (size_t)h.clen : 0);
        if (total > n)
            break;
        if (h.status >= 200)
            rx->stats.in_place++;
        deliver(rx, p, e, total, &h, recv_ts_ns);
        p += total;
        n -= total;
    }
    while (n > 0) {
        /* Chunk headers already decoded away leave a gap: reclaim it before copying more. */
        if (rx->mode == RX_CHUNKED && rx->head_len && rx->rd > rx->wr) {
            memmove(rx->buf + rx->wr, rx->buf + rx->rd, rx->len - rx->rd);
            rx->len -= rx->rd - rx->wr;
            rx->rd = rx->wr;
        }
        size_t room = rx->cap - rx->len, take = n < room ? n : room;
        if (take == 0)
            return rx_fail(rx, -EMSGSIZE);
        memcpy(rx->buf + rx->len, p, take);
        rx->len += take;
        p += take;
        n -= take;
        int rc = rx_process(rx, recv_ts_ns);
        if (rc < 0)
            return rc;
    }
    return 0;
}
