/* SPDX-License-Identifier: MIT */
/*
 * TLS client over memory BIOs: OpenSSL never touches the socket. The caller
 * feeds it the ciphertext io_uring received and ships the ciphertext it emits.
 */
#ifndef ARB_FEEDS_TLS_H
#define ARB_FEEDS_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#define ARB_TLS_ERR_MAX 192

struct arb_tls {
    SSL_CTX *ctx;              /* trust store and protocol floor, one per arb_tls */
    SSL *ssl;                  /* one connection; remade by each arb_tls_start */
    BIO *rbio;                 /* ciphertext in: what the socket received */
    BIO *wbio;                 /* ciphertext out: what the socket must send */
    int handshake_done;        /* 1 once SSL_do_handshake succeeded */
    char err[ARB_TLS_ERR_MAX]; /* last failure, for the caller to print */
};

/*
 * Sets up the context. Peers are always verified: against `ca_file` (PEM)
 * when it is not NULL, else against the system store. `max_version` caps
 * the protocol (TLS1_2_VERSION, ...; 0: the library's newest).
 * Returns 0 on success, -errno on failure.
 */
int arb_tls_init(struct arb_tls *t, const char *ca_file, int max_version);

/* Frees the connection and the context. */
void arb_tls_destroy(struct arb_tls *t);

/*
 * Starts a client connection to `host` (SNI and certificate name check; an
 * IP literal is matched against the IP SANs and sends no SNI). Queues the
 * ClientHello for arb_tls_drain. Returns 0 on success, -errno on failure.
 */
int arb_tls_start(struct arb_tls *t, const char *host);

/* Drops the connection state (keeps the context). */
void arb_tls_reset(struct arb_tls *t);

/* Hands received ciphertext to OpenSSL. Returns 0 on success, -errno on failure. */
int arb_tls_feed(struct arb_tls *t, const uint8_t *p, size_t n);

/*
 * Advances the handshake on what was fed. Returns 1 when it has completed,
 * 0 when it needs more bytes, -EPERM when the peer's certificate was
 * rejected, -EPROTO on other failures (message in t->err).
 */
int arb_tls_handshake(struct arb_tls *t);

/*
 * Decrypts up to `cap` bytes of application data into out. Returns the
 * count (> 0), 0 when more ciphertext is needed, -EPIPE after the peer's
 * close_notify, -EPROTO on failure.
 */
ssize_t arb_tls_read(struct arb_tls *t, uint8_t *out, size_t cap);

/* Encrypts n bytes of application data. Returns 0 on success, -errno on failure. */
int arb_tls_write(struct arb_tls *t, const uint8_t *p, size_t n);

/* Queues a close_notify alert. Returns 0 on success, -errno on failure. */
int arb_tls_shutdown(struct arb_tls *t);

/* Bytes of ciphertext waiting to be sent. */
size_t arb_tls_pending(const struct arb_tls *t);

/* Moves up to `cap` bytes of pending ciphertext into out. Returns the count. */
size_t arb_tls_drain(struct arb_tls *t, uint8_t *out, size_t cap);

#endif /* ARB_FEEDS_TLS_H */
