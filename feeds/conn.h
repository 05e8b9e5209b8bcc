/* SPDX-License-Identifier: MIT */
/*
 * A TCP client connection whose socket I/O goes through a caller-owned
 * io_uring: connect, send, and multishot receive into a provided-buffer ring.
 */
#ifndef ARB_FEEDS_CONN_H
#define ARB_FEEDS_CONN_H

#include <liburing.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* What on_event reports. `res` is 0, or -errno for ARB_CONN_EV_ERROR. */
enum arb_conn_event {
    ARB_CONN_EV_CONNECTED = 1, /* the TCP connect completed */
    ARB_CONN_EV_EOF = 2,       /* the peer closed its side */
    ARB_CONN_EV_ERROR = 3,     /* connect, receive or send failed */
};

struct arb_conn_config {
    uint32_t rx_buf_size; /* bytes per receive buffer; 0 picks 16 KiB */
    uint32_t rx_bufs;     /* receive buffers, a power of two; 0 picks 64 */
    uint32_t tx_size;     /* send buffer bytes; 0 picks 64 KiB */
    bool no_multishot;    /* use one plain recv at a time, as on kernels before 6.0 */
};

/*
 * Receives `n` bytes at `p`, which stay valid until the hook returns;
 * `recv_ts_ns` is arb_clock_now_ns() when their completion was reaped.
 */
typedef void (*arb_conn_recv_fn)(void *ctx, const uint8_t *p, size_t n, uint64_t recv_ts_ns);
typedef void (*arb_conn_event_fn)(void *ctx, enum arb_conn_event ev, int res);

/* Must stay 8-byte aligned: completions carry its address with the op in the low bits. */
struct arb_conn {
    struct io_uring *ring; /* the feed thread's ring; NULL: detached (tests, fuzzing) */
    int fd;                /* the socket, -1 when none */
    uint32_t inflight;     /* submitted requests whose last completion is still due */
    bool connected;        /* the TCP connect completed and no EOF or error since */
    bool closing;          /* being reset: completions are drained and ignored */
    bool recv_armed;       /* a receive request is outstanding */
    bool multishot;        /* multishot recv over the buffer ring; false: plain recv */
    bool send_busy;        /* a send request is outstanding */

    arb_conn_recv_fn on_recv;
    arb_conn_event_fn on_event;
    void *ctx;

    /* Receive side: rx_bufs buffers of rx_buf_size, lent to the kernel through br. */
    uint8_t *rx;                  /* rx_bufs * rx_buf_size bytes */
    uint32_t rx_buf_size;         /* bytes per buffer */
    uint32_t rx_bufs;             /* buffer count, a power of two */
    uint32_t rx_next;             /* plain-recv mode: the buffer the next recv fills */
    struct io_uring_buf_ring *br; /* shared with the kernel; NULL in plain-recv mode */
    uint16_t bgid;                /* buffer group id, unique per process */

    /* Send side: bytes [tx_head, tx_tail) wait; [tx_head, tx_head + tx_sending) are in flight. */
    uint8_t *tx;
    uint32_t tx_size;
    uint32_t tx_head;
    uint32_t tx_tail;
    uint32_t tx_sending;
    int tx_fixed; /* index of tx in the ring's registered buffers, -1: none */

    struct sockaddr_storage addr; /* where connect goes */
    socklen_t addr_len;
};

/*
 * Creates a ring suited to the spin-then-park loop: completions are posted
 * without the task entering the kernel (no DEFER_TASKRUN or COOP_TASKRUN),
 * so io_uring_peek_cqe sees them while the thread spins.
 * Returns 0 on success, -errno on failure.
 */
int arb_conn_ring_init(struct io_uring *ring, unsigned entries);

/*
 * Allocates the buffers and registers the receive buffer ring on `ring`
 * (falling back to plain recv when the kernel refuses). `ring` NULL makes a
 * detached connection whose sends stay in the buffer. Cold.
 * Returns 0 on success, -errno on failure.
 */
/*
 * (The send buffer is registered with the ring where the kernel allows, and
 * sends then ignore SIGPIPE process-wide, as a write cannot say MSG_NOSIGNAL.)
 */
int arb_conn_init(struct arb_conn *c, struct io_uring *ring, const struct arb_conn_config *cfg,
                  arb_conn_recv_fn on_recv, arb_conn_event_fn on_event, void *ctx);

/* Resets the connection, unregisters the buffer ring and frees the buffers. */
void arb_conn_destroy(struct arb_conn *c);

/*
 * Opens a socket and queues its connect; on_event reports the result. The
 * receive is armed once connected. Returns 0 on success, -errno on failure.
 */
int arb_conn_connect(struct arb_conn *c, const struct sockaddr *sa, socklen_t len);

/*
 * Room for `n` more bytes to send, or NULL when the buffer is full
 * (back-pressure: reap completions and retry). Owner thread only.
 */
uint8_t *arb_conn_send_reserve(struct arb_conn *c, size_t n);

/*
 * Queues the `n` bytes written at the last reserve, starting a send if none
 * is in flight. Returns 0 on success, -errno on failure.
 */
int arb_conn_send_commit(struct arb_conn *c, size_t n);

/* Copies and queues n bytes. Returns 0 on success, -ENOBUFS when full, -errno on failure. */
int arb_conn_send(struct arb_conn *c, const void *p, size_t n);

/*
 * Shuts the socket down both ways without waiting, so outstanding requests
 * finish soon; safe inside hooks. The socket stays open until arb_conn_reset.
 */
void arb_conn_shutdown(struct arb_conn *c);

/*
 * Cancels outstanding requests, reaps the ring until they have completed
 * (dispatching other connections' completions as usual), and closes the
 * socket. Buffers are kept for the next connect. Not from inside a hook.
 */
void arb_conn_reset(struct arb_conn *c);

/*
 * Submits queued requests if there are any, then dispatches every completion
 * already posted, without waiting. No syscall when idle.
 * Returns the number of completions handled, or -errno when submit failed.
 */
int arb_conn_poll(struct io_uring *ring);

/*
 * Like arb_conn_poll, but waits up to timeout_ns for a first completion.
 * Returns the number of completions handled (0 on timeout), -errno on failure.
 */
int arb_conn_wait(struct io_uring *ring, uint64_t timeout_ns);

#endif /* ARB_FEEDS_CONN_H */
