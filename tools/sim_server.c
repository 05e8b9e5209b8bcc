/* SPDX-License-Identifier: MIT */
/* The simulator's listener, connection bookkeeping and fault commands. */
#include "tools/sim_server.h"

#include "tools/sim_match.h"

#include "core/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int arb_sim_server_init(struct arb_sim_server *srv, const struct arb_sim_config *cfg)
{
    memset(srv, 0, sizeof *srv);
    srv->cfg = *cfg;
    srv->listen_fd = -1;
    return -pthread_mutex_init(&srv->lock, NULL);
}

int arb_sim_server_listen(struct arb_sim_server *srv, const char *host, int port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1, family;

    memset(&ss, 0, sizeof ss);
    /* Loopback only: the simulator must never be reachable from another machine. */
    if (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *sin;
        family = AF_INET;
        snprintf(srv->host, sizeof srv->host, "127.0.0.1");
    } else if (strcmp(host, "::1") == 0) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        sin6->sin6_addr = in6addr_loopback;
        sl = sizeof *sin6;
        family = AF_INET6;
        snprintf(srv->host, sizeof srv->host, "[::1]");
    } else {
        return -EADDRNOTAVAIL;
    }
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    srv->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
    srv->listen_fd = fd;
    return 0;
}

int arb_sim_server_accept(struct arb_sim_server *srv)
{
    struct arb_sim_conn *c;
    int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), slot = -1, rc;
    int one = 1;

    if (fd < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
    atomic_fetch_add_explicit(&srv->stats.accepted, 1, memory_order_relaxed);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    arb_sim_server_reap(srv);
    for (int i = 0; i < ARB_SIM_MAX_CONNS; i++) {
        if (!srv->conns[i]) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                   "Connection: close\r\n\r\n";
        ssize_t w = write(fd, busy, sizeof busy - 1);
        (void)w;
        close(fd);
        atomic_fetch_add_explicit(&srv->stats.rejected, 1, memory_order_relaxed);
        return -EBUSY;
    }
    c = arb_sim_conn_create(srv, fd);
    if (!c) {
        close(fd);
        return -ENOMEM;
    }
    srv->conns[slot] = c;
    rc = pthread_create(arb_sim_conn_thread(c), NULL, arb_sim_conn_main, c);
    if (rc != 0) {
        srv->conns[slot] = NULL;
        arb_sim_conn_destroy(c);
        return -rc;
    }
    return 0;
}

void arb_sim_server_reap(struct arb_sim_server *srv)
{
    for (int i = 0; i < ARB_SIM_MAX_CONNS; i++) {
        struct arb_sim_conn *c = srv->conns[i];
        if (c && arb_sim_conn_done(c)) {
            pthread_join(*arb_sim_conn_thread(c), NULL);
            srv->conns[i] = NULL;
            arb_sim_conn_destroy(c);
        }
    }
}

void arb_sim_server_stop(struct arb_sim_server *srv)
{
    atomic_store_explicit(&srv->stopping, 1, memory_order_release);
    for (int i = 0; i < ARB_SIM_MAX_CONNS; i++) {
        struct arb_sim_conn *c = srv->conns[i];
        if (c) {
            pthread_join(*arb_sim_conn_thread(c), NULL);
            srv->conns[i] = NULL;
            arb_sim_conn_destroy(c);
        }
    }
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    srv->listen_fd = -1;
    pthread_mutex_destroy(&srv->lock);
}

size_t arb_sim_server_stats(struct arb_sim_server *srv, char *buf, size_t len)
{
    struct arb_sim_stats *s = &srv->stats;
    int n;

#define LD(f) (unsigned long long)atomic_load_explicit(&s->f, memory_order_relaxed)
    n = snprintf(
        buf, len,
        "{\"venue\":\"%s\",\"clients\":%llu,\"accepted\":%llu,\"upgraded\":%llu,"
        "\"rejected\":%llu,\"frames_out\":%llu,\"data_frames\":%llu,\"bytes_out\":%llu,"
        "\"frames_in\":%llu,\"protocol_errors\":%llu,\"drops\":%llu,\"paused\":%s,"
        "\"skipped\":%llu",
        arb_sim_venue_name(srv->cfg.venue), LD(active), LD(accepted), LD(upgraded), LD(rejected),
        LD(frames_out), LD(data_frames), LD(bytes_out), LD(frames_in), LD(protocol_errors),
        LD(drops),
        atomic_load_explicit(&srv->faults.paused, memory_order_relaxed) ? "true" : "false",
        (unsigned long long)atomic_load_explicit(&srv->faults.skip_total, memory_order_relaxed));
#undef LD
    if (n < 0 || (size_t)n >= len)
        return n < 0 ? 0 : len - 1;
    if (srv->exch && len - (size_t)n > 16) {
        n += snprintf(buf + n, len - (size_t)n, ",\"orders\":");
        n += (int)arb_sim_exch_stats(srv->exch, buf + n, len - (size_t)n - 3);
    }
    n += snprintf(buf + n, len - (size_t)n, "}\n");
    return (size_t)n >= len ? len - 1 : (size_t)n;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || *s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || (*end && *end != ' ' && *end != '\t'))
        return -EINVAL;
    *out = v;
    return 0;
}

static void set_pause(struct arb_sim_server *srv, int on)
{
    struct arb_sim_faults *f = &srv->faults;
    uint64_t now = arb_clock_mono_ns();

    pthread_mutex_lock(&srv->lock);
    if (on && !atomic_load_explicit(&f->paused, memory_order_relaxed)) {
        f->pause_start_ns = now;
        atomic_store_explicit(&f->paused, 1, memory_order_release);
    } else if (!on && atomic_load_explicit(&f->paused, memory_order_relaxed)) {
        /* P1: the new total is stored before paused clears; pairs with A-P1 in sim_conn.c. */
        atomic_fetch_add_explicit(&f->paused_total_ns, now - f->pause_start_ns,
                                  memory_order_relaxed);
        atomic_store_explicit(&f->paused, 0, memory_order_release);
    }
    pthread_mutex_unlock(&srv->lock);
}

int arb_sim_server_command(struct arb_sim_server *srv, const char *line, char *reply, size_t len)
{
    struct arb_sim_faults *f = &srv->faults;
    char cmd[32] = "", arg1[32] = "", arg2[32] = "";
    uint64_t v;
    int n = sscanf(line, " %31s %31s %31s", cmd, arg1, arg2);

    if (n < 1) {
        snprintf(reply, len, "error: empty command\n");
        return -EINVAL;
    }
    if (strcmp(cmd, "drop") == 0) {
        int mode = ARB_SIM_DROP_RST;
        if (n >= 2 && strcmp(arg1, "mid") == 0)
            mode = ARB_SIM_DROP_MID;
        else if (n >= 2 && strcmp(arg1, "fin") == 0)
            mode = ARB_SIM_DROP_FIN;
        else if (n >= 2 && strcmp(arg1, "rst") != 0) {
            snprintf(reply, len, "error: drop [rst|fin|mid]\n");
            return -EINVAL;
        }
        atomic_store_explicit(&f->drop_mode, mode, memory_order_relaxed);
        /* D1: the mode is visible before the new generation; pairs with A-D1 in sim_conn.c. */
        atomic_fetch_add_explicit(&f->drop_gen, 1, memory_order_release);
        snprintf(reply, len, "ok drop %s\n",
                 mode == ARB_SIM_DROP_MID   ? "mid"
                 : mode == ARB_SIM_DROP_FIN ? "fin"
                                            : "rst");
        return 0;
    }
    if (strcmp(cmd, "stall") == 0) {
        if (n < 2 || parse_u64(arg1, &v) < 0 || v > 86400000ULL ||
            (n == 3 && strcmp(arg2, "hard") != 0)) {
            snprintf(reply, len, "error: stall MS [hard]\n");
            return -EINVAL;
        }
        atomic_store_explicit(&f->stall_hard, n == 3, memory_order_relaxed);
        atomic_store_explicit(&f->stall_until_ns, arb_clock_mono_ns() + v * 1000000ULL,
                              memory_order_release);
        snprintf(reply, len, "ok stall %llu%s\n", (unsigned long long)v, n == 3 ? " hard" : "");
        return 0;
    }
    if (strcmp(cmd, "garbage") == 0) {
        atomic_fetch_add_explicit(&f->garbage_gen, 1, memory_order_release);
        snprintf(reply, len, "ok garbage\n");
        return 0;
    }
    if (strcmp(cmd, "skip") == 0) {
        if (n < 2 || parse_u64(arg1, &v) < 0 || v == 0 || v > 1000000000ULL) {
            snprintf(reply, len, "error: skip N (1 or more)\n");
            return -EINVAL;
        }
        atomic_fetch_add_explicit(&f->skip_total, v, memory_order_release);
        snprintf(reply, len, "ok skip %llu\n", (unsigned long long)v);
        return 0;
    }
    if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
        set_pause(srv, cmd[0] == 'p');
        snprintf(reply, len, "ok %s\n", cmd);
        return 0;
    }
    if (strcmp(cmd, "stats") == 0) {
        arb_sim_server_stats(srv, reply, len);
        return 0;
    }
    if (strcmp(cmd, "book") == 0 && srv->exch) {
        arb_sim_exch_book(srv->exch, n >= 2 ? arg1 : NULL, reply, len);
        return 0;
    }
    if (srv->exch && n >= 2) {
        char err[128];
        int rc = arb_sim_exch_set(srv->exch, cmd, arg1, err, sizeof err);
        if (rc == 0) {
            snprintf(reply, len, "ok %s %s\n", cmd, arg1);
            return 0;
        }
        if (rc == -EINVAL) {
            snprintf(reply, len, "error: %s\n", err);
            return -EINVAL;
        }
    }
    if (strcmp(cmd, "help") == 0) {
        snprintf(
            reply, len,
            "commands: drop [rst|fin|mid], stall MS [hard], garbage, skip N, "
            "pause, resume, stats, book [SYMBOL], order-latency-us US, partial-ratio R, "
            "partial-every N, reject-every N[:funds|filter|busy], rate-limit N:MS[:weight]|off, "
            "drop-after-orders N[:rst|mid], quit\n");
        return 0;
    }
    snprintf(reply, len, "error: unknown command '%s' (try help)\n", cmd);
    return -EINVAL;
}
