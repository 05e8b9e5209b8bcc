/* SPDX-License-Identifier: MIT */
/*
 * A deliberately plain WebSocket server for the transport tests: blocking
 * sockets on 127.0.0.1, one thread, frames built with feeds/wsframe.h.
 */
#ifndef ARB_TESTS_FEEDS_WS_TEST_SERVER_H
#define ARB_TESTS_FEEDS_WS_TEST_SERVER_H

#include "bench/alloc.h"
#include "feeds/wsframe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* Listens on 127.0.0.1 with a kernel-chosen port. Returns the fd; *port gets the port. */
static inline int ts_listen(uint16_t *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static inline int ts_write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static inline int ts_read_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n) {
        ssize_t k = recv(fd, b, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

/*
 * Accepts one client and reads its upgrade request. `status` 101 answers
 * properly; `bad_accept` sends a wrong Sec-WebSocket-Accept; any other status
 * is sent as a refusal. Returns the connected fd, or -1.
 */
static inline int ts_accept(int lfd, int status, int bad_accept)
{
    char req[4096], acc[29], resp[512];
    size_t n = 0;
    int one = 1;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    /* Byte at a time up to the blank line, so no frame bytes are swallowed. */
    while (n < sizeof(req) - 1) {
        if (recv(fd, req + n, 1, 0) != 1) {
            close(fd);
            return -1;
        }
        n++;
        if (n >= 4 && memcmp(req + n - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    req[n] = '\0';
    const char *k = strcasestr(req, "\r\nSec-WebSocket-Key:");
    if (!k) {
        close(fd);
        return -1;
    }
    k += 20;
    while (*k == ' ')
        k++;
    arb_ws_accept(k, strcspn(k, "\r"), acc);
    if (bad_accept)
        acc[3] ^= 1;
    int len;
    if (status == 101)
        len = snprintf(resp, sizeof(resp),
                       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                       acc);
    else
        len = snprintf(resp, sizeof(resp),
                       "HTTP/1.1 %d Too Many Requests\r\nContent-Length: 0\r\n\r\n", status);
    ts_write_all(fd, resp, (size_t)len);
    return fd;
}

/* Sends one unmasked frame. */
static inline int ts_send_frame(int fd, int fin, enum arb_ws_opcode op, const void *p, size_t n)
{
    uint8_t h[ARB_WS_HEADER_MAX];
    size_t hl = arb_ws_frame_encode(h, fin, op, n, NULL);
    if (ts_write_all(fd, h, hl) < 0)
        return -1;
    return n ? ts_write_all(fd, p, n) : 0;
}

/*
 * Reads one client frame, which must be masked, and unmasks it into p.
 * Returns the payload length, or -1.
 */
static inline long ts_read_frame(int fd, struct arb_ws_frame *f, uint8_t *p, size_t cap)
{
    uint8_t h[ARB_WS_HEADER_MAX];
    size_t have = 0;
    int rc;

    while ((rc = arb_ws_frame_decode(h, have, cap, f)) == 0) {
        if (have == sizeof(h) || ts_read_all(fd, h + have, 1) < 0)
            return -1;
        have++;
    }
    if (rc < 0 || !f->masked || ts_read_all(fd, p, f->payload_len) < 0)
        return -1;
    arb_ws_mask(p, f->payload_len, f->mask, 0);
    return (long)f->payload_len;
}

#endif /* ARB_TESTS_FEEDS_WS_TEST_SERVER_H */
