/* SPDX-License-Identifier: MIT */
/* Blocking HTTP/1.1 over a socket, with OpenSSL for https. */
#include "rest.h"

#include <errno.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct stream {
    int fd;
    SSL *ssl;
    unsigned timeout_ms;
};

static int wait_fd(const struct stream *s, short ev)
{
    struct pollfd p = {.fd = s->fd, .events = ev};
    int rc = poll(&p, 1, (int)s->timeout_ms);
    return rc > 0 ? 0 : rc == 0 ? -ETIMEDOUT : -errno;
}

static ssize_t s_write(struct stream *s, const char *p, size_t n)
{
    if (s->ssl) {
        int k = SSL_write(s->ssl, p, (int)n);
        return k > 0 ? k : -EIO;
    }
    return send(s->fd, p, n, MSG_NOSIGNAL);
}

static ssize_t s_read(struct stream *s, char *p, size_t n)
{
    if (!s->ssl || SSL_pending(s->ssl) == 0) {
        int rc = wait_fd(s, POLLIN);
        if (rc < 0)
            return rc;
    }
    if (s->ssl) {
        int k = SSL_read(s->ssl, p, (int)n);
        return k > 0 ? k : 0;
    }
    return recv(s->fd, p, n, 0);
}

/* Splits scheme://host[:port]. */
static int parse_url(const char *url, bool *tls, char *host, size_t hl, char *port, size_t pl)
{
    const char *h = strstr(url, "://");
    if (!h)
        return -EINVAL;
    *tls = strncmp(url, "https", 5) == 0 || strncmp(url, "wss", 3) == 0;
    h += 3;
    size_t n = strcspn(h, ":/");
    if (n == 0 || n >= hl)
        return -EINVAL;
    memcpy(host, h, n);
    host[n] = '\0';
    if (h[n] == ':') {
        size_t m = strcspn(h + n + 1, "/");
        if (m == 0 || m >= pl)
            return -EINVAL;
        memcpy(port, h + n + 1, m);
        port[m] = '\0';
    } else {
        snprintf(port, pl, "%s", *tls ? "443" : "80");
    }
    return 0;
}

int arb_rest_exchange(const char *url, const char *ca_file, const char *req, size_t req_len,
                      char *body, size_t body_cap, unsigned timeout_ms, char *err, size_t errlen)
{
    char host[256], port[16];
    bool tls;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    struct stream s = {.fd = -1, .timeout_ms = timeout_ms ? timeout_ms : 5000};
    SSL_CTX *ctx = NULL;
    char *resp = NULL;
    int rc;

    if (parse_url(url, &tls, host, sizeof(host), port, sizeof(port)) < 0) {
        snprintf(err, errlen, "%s: not a URL", url);
        return -EINVAL;
    }
    if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
        snprintf(err, errlen, "%s: %s", host, gai_strerror(rc));
        return -EHOSTUNREACH;
    }
    s.fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (s.fd < 0 || connect(s.fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s:%s: %s", host, port, strerror(errno));
        goto out;
    }
    if (tls) {
        ctx = SSL_CTX_new(TLS_client_method());
        if (!ctx || (ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                             : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
            snprintf(err, errlen, "tls: cannot load trust anchors");
            rc = -EIO;
            goto out;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        s.ssl = SSL_new(ctx);
        SSL_set_fd(s.ssl, s.fd);
        SSL_set_tlsext_host_name(s.ssl, host);
        SSL_set1_host(s.ssl, host);
        if (SSL_connect(s.ssl) != 1) {
            unsigned long e = ERR_get_error();
            snprintf(err, errlen, "tls: %s", e ? ERR_reason_error_string(e) : "handshake failed");
            rc = -EPROTO;
            goto out;
        }
    }
    for (size_t off = 0; off < req_len;) {
        ssize_t k = s_write(&s, req + off, req_len - off);
        if (k <= 0) {
            snprintf(err, errlen, "%s: send failed", host);
            rc = -EIO;
            goto out;
        }
        off += (size_t)k;
    }
    /* Read until the headers and Content-Length bytes of body are in. */
    size_t cap = 65536, got = 0, need = 0;
    char *hdr_end = NULL;
    resp = malloc(cap + 1);
    if (!resp) {
        rc = -ENOMEM;
        goto out;
    }
    for (;;) {
        if (got == cap) {
            snprintf(err, errlen, "%s: response too large", host);
            rc = -EMSGSIZE;
            goto out;
        }
        ssize_t k = s_read(&s, resp + got, cap - got);
        if (k <= 0) {
            if (hdr_end && !need)
                break; /* no Content-Length: the body ends with the connection */
            snprintf(err, errlen, "%s: %s", host,
                     k == -ETIMEDOUT ? "timed out" : "connection closed");
            rc = k < 0 ? (int)k : -ECONNRESET;
            goto out;
        }
        got += (size_t)k;
        resp[got] = '\0';
        if (!hdr_end && (hdr_end = strstr(resp, "\r\n\r\n"))) {
            const char *cl = strcasestr(resp, "\r\ncontent-length:");
            if (cl && cl < hdr_end)
                need = (size_t)strtoul(cl + 17, NULL, 10) + (size_t)(hdr_end + 4 - resp);
        }
        if (hdr_end && need && got >= need)
            break;
    }
    int status = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1) {
        snprintf(err, errlen, "%s: not an HTTP response", host);
        rc = -EPROTO;
        goto out;
    }
    /* The whole response: callers split it with the venue's own parser. */
    size_t blen = got < body_cap ? got : body_cap - 1;
    memcpy(body, resp, blen);
    body[blen] = '\0';
    rc = status;
out:
    free(resp);
    if (s.ssl)
        SSL_free(s.ssl);
    SSL_CTX_free(ctx);
    if (s.fd >= 0)
        close(s.fd);
    freeaddrinfo(ai);
    return rc;
}
