/* SPDX-License-Identifier: MIT */
/* OpenSSL client sessions driven through two memory BIOs. */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* Appends OpenSSL's queued errors to `what` in t->err and empties the queue. */
static void tls_set_err(struct arb_tls *t, const char *what)
{
    size_t n = (size_t)snprintf(t->err, sizeof(t->err), "tls: %s", what);
    unsigned long e;

    while ((e = ERR_get_error()) != 0) {
        if (n + 3 < sizeof(t->err)) {
            t->err[n++] = ':';
            t->err[n++] = ' ';
            ERR_error_string_n(e, t->err + n, sizeof(t->err) - n);
            n = strlen(t->err);
        }
    }
}

int arb_tls_init(struct arb_tls *t, const char *ca_file, int max_version)
{
    memset(t, 0, sizeof(*t));
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (!t->ctx) {
        tls_set_err(t, "SSL_CTX_new failed");
        return -ENOMEM;
    }
    /* Exchanges all speak 1.2 or 1.3; anything older is a downgrade. */
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    if (max_version)
        SSL_CTX_set_max_proto_version(t->ctx, max_version);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    int ok = ca_file ? SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL)
                     : SSL_CTX_set_default_verify_paths(t->ctx);
    if (ok != 1) {
        char what[ARB_TLS_ERR_MAX / 2];
        snprintf(what, sizeof(what), "cannot load CA %s", ca_file ? ca_file : "system store");
        tls_set_err(t, what);
        SSL_CTX_free(t->ctx);
        t->ctx = NULL;
        return -ENOENT;
    }
    return 0;
}

void arb_tls_reset(struct arb_tls *t)
{
    /* SSL_free also frees the BIOs SSL_set_bio handed over. */
    SSL_free(t->ssl);
    t->ssl = NULL;
    t->rbio = t->wbio = NULL;
    t->handshake_done = 0;
}

void arb_tls_destroy(struct arb_tls *t)
{
    arb_tls_reset(t);
    SSL_CTX_free(t->ctx);
    t->ctx = NULL;
}

/*
 * Grows a memory BIO's buffer once so that steady-state traffic, which never
 * holds more than about a receive buffer plus a record, reuses it instead of
 * reallocating.
 */
static void tls_bio_pregrow(BIO *b)
{
    static const uint8_t zero[4096];
    uint8_t sink[4096];

    for (int i = 0; i < 16; i++)
        BIO_write(b, zero, sizeof(zero));
    while (BIO_read(b, sink, sizeof(sink)) > 0)
        ;
}

int arb_tls_start(struct arb_tls *t, const char *host)
{
    unsigned char ip[16];

    arb_tls_reset(t);
    t->err[0] = '\0';
    t->ssl = SSL_new(t->ctx);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->rbio || !t->wbio) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        t->rbio = t->wbio = NULL;
        tls_set_err(t, "out of memory");
        arb_tls_reset(t);
        return -ENOMEM;
    }
    /* An empty BIO means "no bytes yet", not end of file: OpenSSL must ask again. */
    BIO_set_mem_eof_return(t->rbio, -1);
    tls_bio_pregrow(t->rbio);
    tls_bio_pregrow(t->wbio);
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    SSL_set_connect_state(t->ssl);

    int is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
    int ok;
    if (is_ip) {
        /* RFC 6066 3: SNI carries host names only; an address is checked against IP SANs. */
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host);
    } else {
        ok = SSL_set_tlsext_host_name(t->ssl, host) == 1 && SSL_set1_host(t->ssl, host) == 1;
        /* No partial wildcards ("w*.example.com"): what browsers accept, and no more. */
        SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    if (!ok) {
        tls_set_err(t, "cannot set the expected host name");
        arb_tls_reset(t);
        return -EINVAL;
    }
    int rc = arb_tls_handshake(t);
    return rc < 0 ? rc : 0;
}

int arb_tls_feed(struct arb_tls *t, const uint8_t *p, size_t n)
{
    if (n > INT_MAX || BIO_write(t->rbio, p, (int)n) != (int)n) {
        tls_set_err(t, "cannot buffer received bytes");
        return -ENOMEM;
    }
    return 0;
}

int arb_tls_handshake(struct arb_tls *t)
{
    if (t->handshake_done)
        return 1;
    int rc = SSL_do_handshake(t->ssl);
    if (rc == 1) {
        t->handshake_done = 1;
        return 1;
    }
    int e = SSL_get_error(t->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    long vr = SSL_get_verify_result(t->ssl);
    if (vr != X509_V_OK) {
        char what[ARB_TLS_ERR_MAX / 2];
        snprintf(what, sizeof(what), "certificate verify failed: %s",
                 X509_verify_cert_error_string(vr));
        ERR_clear_error();
        tls_set_err(t, what);
        return -EPERM;
    }
    tls_set_err(t, "handshake failed");
    return -EPROTO;
}

ssize_t arb_tls_read(struct arb_tls *t, uint8_t *out, size_t cap)
{
    /*
     * No ERR_clear_error() first: every failure path below empties the queue,
     * so it is already clear and the hot path skips the thread-local lookup.
     */
    int n = SSL_read(t->ssl, out, cap > INT_MAX ? INT_MAX : (int)cap);
    if (n > 0)
        return n;
    int e = SSL_get_error(t->ssl, n);
    if (e == SSL_ERROR_WANT_READ)
        return 0;
    if (e == SSL_ERROR_ZERO_RETURN) {
        snprintf(t->err, sizeof(t->err), "tls: peer sent close_notify");
        return -EPIPE;
    }
    tls_set_err(t, "read failed");
    return -EPROTO;
}

int arb_tls_write(struct arb_tls *t, const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    /* A memory BIO takes everything, so a write is whole or an error. */
    int rc = SSL_write(t->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
    if (rc != (int)n) {
        tls_set_err(t, "write failed");
        return -EPROTO;
    }
    return 0;
}

int arb_tls_shutdown(struct arb_tls *t)
{
    if (!t->ssl || !t->handshake_done)
        return 0;
    /* 0 means "sent ours, theirs not seen": all we need, since the socket closes next. */
    if (SSL_shutdown(t->ssl) < 0) {
        tls_set_err(t, "shutdown failed");
        return -EPROTO;
    }
    return 0;
}

size_t arb_tls_pending(const struct arb_tls *t)
{
    return t->wbio ? BIO_ctrl_pending(t->wbio) : 0;
}

size_t arb_tls_drain(struct arb_tls *t, uint8_t *out, size_t cap)
{
    int n = BIO_read(t->wbio, out, cap > INT_MAX ? INT_MAX : (int)cap);
    return n > 0 ? (size_t)n : 0;
}
