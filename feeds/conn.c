/* SPDX-License-Identifier: MIT */
/* io_uring TCP client: request tagging, completion dispatch, buffer recycling. */
#include "conn.h"

#include "core/clock.h"

#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* user_data is the connection's address with the request kind in the low 3 bits. */
enum conn_op {
    OP_CONNECT = 1,
    OP_RECV = 2,
    OP_SEND = 3,
    OP_CANCEL = 4,
};
#define OP_MASK 7u

_Static_assert(alignof(struct arb_conn) >= 8, "low 3 address bits carry the op");

#define RX_BUF_SIZE_DEFAULT (16u << 10)
#define RX_BUFS_DEFAULT     64u
#define RX_BUFS_MAX         32768u /* the kernel's limit for one buffer ring */
#define TX_SIZE_DEFAULT     (64u << 10)

/* Buffer group ids must differ between connections sharing a ring; unique per process suffices. */
static _Atomic uint16_t conn_next_bgid;

static inline uint64_t conn_tag(struct arb_conn *c, enum conn_op op)
{
    return (uint64_t)(uintptr_t)c | op;
}

/* An SQE, submitting what is queued first when the ring is full. */
static struct io_uring_sqe *conn_sqe(struct io_uring *ring)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

    if (!sqe) {
        io_uring_submit(ring);
        sqe = io_uring_get_sqe(ring);
    }
    return sqe;
}

int arb_conn_ring_init(struct io_uring *ring, unsigned entries)
{
    struct io_uring_params p;

    memset(&p, 0, sizeof(p));
    /* Multishot receives post one completion per buffer: give them room. */
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    p.cq_entries = entries * 4 < 256 ? 256 : entries * 4;
    int rc = io_uring_queue_init_params(entries, ring, &p);
    if (rc == -EINVAL) {
        /* SUBMIT_ALL is 5.18+; older kernels refuse unknown flags. */
        p.flags &= ~IORING_SETUP_SUBMIT_ALL;
        rc = io_uring_queue_init_params(entries, ring, &p);
    }
    return rc;
}

static void conn_buf_ring_setup(struct arb_conn *c)
{
    size_t sz = (size_t)c->rx_bufs * sizeof(struct io_uring_buf);
    struct io_uring_buf_reg reg;
    void *mem;

    if (posix_memalign(&mem, 4096, sz < 4096 ? 4096 : sz) != 0)
        return;
    memset(&reg, 0, sizeof(reg));
    reg.ring_addr = (uint64_t)(uintptr_t)mem;
    reg.ring_entries = c->rx_bufs;
    reg.bgid = atomic_fetch_add_explicit(&conn_next_bgid, 1, memory_order_relaxed);
    if (io_uring_register_buf_ring(c->ring, &reg, 0) != 0) {
        free(mem); /* pre-5.19 kernel: plain recv instead */
        return;
    }
    c->br = mem;
    c->bgid = reg.bgid;
    c->multishot = true;
    io_uring_buf_ring_init(c->br);
    int mask = io_uring_buf_ring_mask(c->rx_bufs);
    for (uint32_t i = 0; i < c->rx_bufs; i++)
        io_uring_buf_ring_add(c->br, c->rx + (size_t)i * c->rx_buf_size, c->rx_buf_size,
                              (unsigned short)i, mask, (int)i);
    io_uring_buf_ring_advance(c->br, (int)c->rx_bufs);
}

/*
 * Registered buffers: each ring gets a sparse table on first use, and each
 * connection's send buffer a slot in it, so sends skip the kernel's per-call
 * page pinning. Cold; the table of rings is small and mutex-guarded.
 */
#define FIXED_SLOTS 64
#define FIXED_RINGS 32

static struct {
    struct io_uring *ring;
    unsigned next;
} fixed_rings[FIXED_RINGS];
static pthread_mutex_t fixed_lock = PTHREAD_MUTEX_INITIALIZER;

static int conn_register_tx(struct arb_conn *c)
{
    int slot = -1;

    pthread_mutex_lock(&fixed_lock);
    for (int i = 0; i < FIXED_RINGS; i++) {
        if (fixed_rings[i].ring != c->ring && fixed_rings[i].ring)
            continue;
        if (!fixed_rings[i].ring) {
            if (io_uring_register_buffers_sparse(c->ring, FIXED_SLOTS) < 0)
                break;
            fixed_rings[i].ring = c->ring;
            fixed_rings[i].next = 0;
        }
        if (fixed_rings[i].next < FIXED_SLOTS) {
            struct iovec iov = {.iov_base = c->tx, .iov_len = c->tx_size};
            unsigned k = fixed_rings[i].next;
            if (io_uring_register_buffers_update_tag(c->ring, k, &iov, NULL, 1) == 1) {
                fixed_rings[i].next++;
                slot = (int)k;
                /* A write has no MSG_NOSIGNAL: a peer that hung up must not kill us. */
                signal(SIGPIPE, SIG_IGN);
            }
        }
        break;
    }
    pthread_mutex_unlock(&fixed_lock);
    return slot;
}

int arb_conn_init(struct arb_conn *c, struct io_uring *ring, const struct arb_conn_config *cfg,
                  arb_conn_recv_fn on_recv, arb_conn_event_fn on_event, void *ctx)
{
    void *mem;

    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->ring = ring;
    c->on_recv = on_recv;
    c->on_event = on_event;
    c->ctx = ctx;
    c->rx_buf_size = cfg && cfg->rx_buf_size ? cfg->rx_buf_size : RX_BUF_SIZE_DEFAULT;
    c->rx_bufs = cfg && cfg->rx_bufs ? cfg->rx_bufs : RX_BUFS_DEFAULT;
    c->tx_size = cfg && cfg->tx_size ? cfg->tx_size : TX_SIZE_DEFAULT;
    if ((c->rx_bufs & (c->rx_bufs - 1)) || c->rx_bufs > RX_BUFS_MAX)
        return -EINVAL;
    if (posix_memalign(&mem, 4096, (size_t)c->rx_bufs * c->rx_buf_size) != 0)
        return -ENOMEM;
    c->rx = mem;
    c->tx = malloc(c->tx_size);
    if (!c->tx) {
        free(c->rx);
        c->rx = NULL;
        return -ENOMEM;
    }
    if (ring && !(cfg && cfg->no_multishot))
        conn_buf_ring_setup(c);
    /* Without a slot (an old kernel, a full table) sends stay plain: slower, still correct. */
    c->tx_fixed = ring ? conn_register_tx(c) : -1;
    return 0;
}

void arb_conn_destroy(struct arb_conn *c)
{
    arb_conn_reset(c);
    if (c->br) {
        io_uring_unregister_buf_ring(c->ring, c->bgid);
        free(c->br);
        c->br = NULL;
    }
    free(c->rx);
    free(c->tx);
    c->rx = c->tx = NULL;
}

int arb_conn_connect(struct arb_conn *c, const struct sockaddr *sa, socklen_t len)
{
    int one = 1;

    if (!c->ring || len > sizeof(c->addr))
        return -EINVAL;
    if (c->fd >= 0 || c->inflight)
        return -EISCONN;
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0)
        return -errno;
    /* Ticks and orders are small and urgent: never wait to coalesce them. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    struct io_uring_sqe *sqe = conn_sqe(c->ring);
    if (!sqe) {
        close(fd);
        return -EBUSY;
    }
    c->fd = fd;
    memcpy(&c->addr, sa, len);
    c->addr_len = len;
    c->tx_head = c->tx_tail = c->tx_sending = 0;
    io_uring_prep_connect(sqe, fd, (struct sockaddr *)&c->addr, c->addr_len);
    io_uring_sqe_set_data64(sqe, conn_tag(c, OP_CONNECT));
    c->inflight++;
    int rc = io_uring_submit(c->ring);
    return rc < 0 ? rc : 0;
}

static void conn_arm_recv(struct arb_conn *c)
{
    struct io_uring_sqe *sqe = conn_sqe(c->ring);

    if (!sqe)
        return; /* the ring is wedged; the feed's staleness watchdog will notice */
    if (c->multishot) {
        io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT;
        sqe->buf_group = c->bgid;
    } else {
        io_uring_prep_recv(sqe, c->fd, c->rx, c->rx_buf_size, 0);
    }
    io_uring_sqe_set_data64(sqe, conn_tag(c, OP_RECV));
    c->inflight++;
    c->recv_armed = true;
}

static void conn_send_start(struct arb_conn *c)
{
    if (c->send_busy || c->tx_head == c->tx_tail || !c->connected || c->closing)
        return;
    struct io_uring_sqe *sqe = conn_sqe(c->ring);
    if (!sqe)
        return; /* retried when the next send or completion comes */
    c->tx_sending = c->tx_tail - c->tx_head;
    if (c->tx_fixed >= 0)
        /* A write from the registered send buffer: no page pinning per send. A socket has
         * no file position, so the offset is ignored; SIGPIPE is ignored by the process. */
        io_uring_prep_write_fixed(sqe, c->fd, c->tx + c->tx_head, c->tx_sending, 0, c->tx_fixed);
    else
        io_uring_prep_send(sqe, c->fd, c->tx + c->tx_head, c->tx_sending, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, conn_tag(c, OP_SEND));
    c->inflight++;
    c->send_busy = true;
}

uint8_t *arb_conn_send_reserve(struct arb_conn *c, size_t n)
{
    if (c->tx_tail + n > c->tx_size && c->tx_head > 0 && !c->send_busy) {
        /* O(pending): only when the tail hits the end, which idle links never do. */
        memmove(c->tx, c->tx + c->tx_head, c->tx_tail - c->tx_head);
        c->tx_tail -= c->tx_head;
        c->tx_head = 0;
    }
    if (c->tx_tail + n > c->tx_size)
        return NULL;
    return c->tx + c->tx_tail;
}

int arb_conn_send_commit(struct arb_conn *c, size_t n)
{
    if (c->tx_tail + n > c->tx_size)
        return -EINVAL;
    c->tx_tail += (uint32_t)n;
    if (c->ring && c->fd >= 0)
        conn_send_start(c);
    return 0;
}

int arb_conn_send(struct arb_conn *c, const void *p, size_t n)
{
    uint8_t *dst = arb_conn_send_reserve(c, n);

    if (!dst)
        return -ENOBUFS;
    memcpy(dst, p, n);
    return arb_conn_send_commit(c, n);
}

void arb_conn_shutdown(struct arb_conn *c)
{
    if (c->fd >= 0)
        shutdown(c->fd, SHUT_RDWR);
    c->connected = false;
}

void arb_conn_reset(struct arb_conn *c)
{
    if (c->ring && (c->fd >= 0 || c->inflight)) {
        c->closing = true;
        if (c->fd >= 0)
            shutdown(c->fd, SHUT_RDWR);
        /* shutdown ends receives and sends; cancel covers a connect still in progress. */
        if (c->inflight && c->fd >= 0) {
            struct io_uring_sqe *sqe = conn_sqe(c->ring);
            if (sqe) {
                io_uring_prep_cancel_fd(sqe, c->fd, IORING_ASYNC_CANCEL_ALL);
                io_uring_sqe_set_data64(sqe, conn_tag(c, OP_CANCEL));
                c->inflight++;
            }
        }
        /*
         * The kernel may still write into rx or read from tx until each request
         * completes, and an fd closed early could be reused under a queued one:
         * so wait for all of them (bounded at about 2 s) before closing.
         */
        for (int i = 0; i < 2000 && c->inflight; i++)
            arb_conn_wait(c->ring, 1000000);
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->closing = false;
    c->connected = false;
    c->recv_armed = false;
    c->send_busy = false;
    c->tx_head = c->tx_tail = c->tx_sending = 0;
}

static void conn_on_recv(struct arb_conn *c, int res, unsigned flags)
{
    bool more = flags & IORING_CQE_F_MORE;

    if (!more) {
        c->inflight--;
        c->recv_armed = false;
    }
    if (res > 0) {
        uint8_t *p = c->rx;
        unsigned bid = 0;
        if (flags & IORING_CQE_F_BUFFER) {
            bid = flags >> IORING_CQE_BUFFER_SHIFT;
            p = c->rx + (size_t)bid * c->rx_buf_size;
        }
        if (!c->closing)
            c->on_recv(c->ctx, p, (size_t)res, arb_clock_now_ns());
        if (flags & IORING_CQE_F_BUFFER) {
            /* The hook is done with it: lend the buffer back to the kernel. */
            io_uring_buf_ring_add(c->br, p, c->rx_buf_size, (unsigned short)bid,
                                  io_uring_buf_ring_mask(c->rx_bufs), 0);
            io_uring_buf_ring_advance(c->br, 1);
        }
        if (!more && c->connected && !c->closing)
            conn_arm_recv(c);
        return;
    }
    if (c->closing || !c->connected)
        return;
    if (res == -ENOBUFS && c->multishot) {
        /* Every buffer was in use; they are all back now, so carry on. */
        conn_arm_recv(c);
        return;
    }
    if (res == -EINVAL && c->multishot) {
        /* A buffer ring but no multishot recv (5.19): plain recv from here on. */
        c->multishot = false;
        conn_arm_recv(c);
        return;
    }
    c->connected = false;
    if (res == 0)
        c->on_event(c->ctx, ARB_CONN_EV_EOF, 0);
    else
        c->on_event(c->ctx, ARB_CONN_EV_ERROR, res);
}

static void conn_dispatch(struct arb_conn *c, enum conn_op op, int res, unsigned flags)
{
    switch (op) {
    case OP_RECV:
        conn_on_recv(c, res, flags);
        break;
    case OP_SEND:
        c->inflight--;
        c->send_busy = false;
        if (c->closing)
            break;
        if (res < 0) {
            c->connected = false;
            c->on_event(c->ctx, ARB_CONN_EV_ERROR, res);
            break;
        }
        /* A short send leaves the rest queued; it goes out with what came since. */
        c->tx_head += (uint32_t)res;
        c->tx_sending = 0;
        if (c->tx_head == c->tx_tail)
            c->tx_head = c->tx_tail = 0;
        else
            conn_send_start(c);
        break;
    case OP_CONNECT:
        c->inflight--;
        if (c->closing)
            break;
        if (res < 0) {
            c->on_event(c->ctx, ARB_CONN_EV_ERROR, res);
            break;
        }
        c->connected = true;
        conn_arm_recv(c);
        conn_send_start(c);
        c->on_event(c->ctx, ARB_CONN_EV_CONNECTED, 0);
        break;
    case OP_CANCEL:
        c->inflight--;
        break;
    }
}

int arb_conn_poll(struct io_uring *ring)
{
    struct io_uring_cqe *cqe;
    int n = 0;

    if (io_uring_sq_ready(ring)) {
        int rc = io_uring_submit(ring);
        if (rc < 0 && rc != -EAGAIN && rc != -EBUSY && rc != -EINTR)
            return rc;
    }
    while (io_uring_peek_cqe(ring, &cqe) == 0) {
        uint64_t ud = cqe->user_data;
        int res = cqe->res;
        unsigned flags = cqe->flags;
        /*
         * Marked seen before dispatch, so a hook that reaps the ring again
         * (arb_conn_reset of another connection) never sees this one twice.
         */
        io_uring_cqe_seen(ring, cqe);
        n++;
        if (ud == 0 || ud == LIBURING_UDATA_TIMEOUT)
            continue;
        conn_dispatch((struct arb_conn *)(uintptr_t)(ud & ~(uint64_t)OP_MASK),
                      (enum conn_op)(ud & OP_MASK), res, flags);
    }
    /* Re-armed receives and replies queued by the hooks go out now, not a spin later. */
    if (io_uring_sq_ready(ring)) {
        int rc = io_uring_submit(ring);
        if (rc < 0 && rc != -EAGAIN && rc != -EBUSY && rc != -EINTR)
            return rc;
    }
    return n;
}

int arb_conn_wait(struct io_uring *ring, uint64_t timeout_ns)
{
    struct __kernel_timespec ts = {
        .tv_sec = (long long)(timeout_ns / 1000000000u),
        .tv_nsec = (long long)(timeout_ns % 1000000000u),
    };
    struct io_uring_cqe *cqe;

    int rc = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
        return rc;
    return arb_conn_poll(ring);
}
