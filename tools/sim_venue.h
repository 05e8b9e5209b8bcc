/* SPDX-License-Identifier: MIT */
/*
 * The control side of each venue's public WebSocket protocol, as a server:
 * what a client may subscribe to and how the venue answers (binance
 * SUBSCRIBE acks, coinbase subscriptions, kraken v1 subscriptionStatus and
 * v2 method replies), the greeting sent on connect, and the venue's own
 * heartbeats. One session per client connection.
 */
#ifndef ARB_TOOLS_SIM_VENUE_H
#define ARB_TOOLS_SIM_VENUE_H

#include "tools/sim_encode.h"
#include "tools/sim_source.h"

#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_SUB_MAX  64 /* subscriptions one client may hold */
#define ARB_SIM_NAME_MAX 64 /* a stream or product name, NUL included */

/* Channels a subscription asks for, as a bit mask. */
#define ARB_SIM_CH_BBO       0x01u /* top of book: bookTicker, ticker */
#define ARB_SIM_CH_FUNDING   0x02u /* binance-futures markPrice */
#define ARB_SIM_CH_HEARTBEAT 0x04u /* coinbase heartbeat channel */
#define ARB_SIM_CH_OTHER     0x08u /* acknowledged, but nothing to stream (depth, trades...) */

/* Sends one text frame to the client. */
typedef void (*arb_sim_send_fn)(void *ctx, const char *msg, size_t len);

struct arb_sim_session {
    enum arb_sim_venue venue;
    uint8_t combined;   /* binance: /stream wraps events as {"stream":..,"data":..} */
    uint8_t kraken_v1;  /* kraken: connected on "/" rather than "/v2" */
    uint8_t any;        /* a subscription arrived: streaming may start */
    uint8_t unfiltered; /* stream every symbol once anything is subscribed */
    uint32_t nsub;
    char name[ARB_SIM_SUB_MAX][ARB_SIM_NAME_MAX]; /* stream/product/pair as the client sent it */
    uint8_t chan[ARB_SIM_SUB_MAX];                /* ARB_SIM_CH_* of each */
    int16_t sub_sym[ARB_SIM_SUB_MAX];             /* source symbol id, -1 if not in the source */
    uint8_t want[ARB_SIM_SYMS];                   /* per source symbol: ARB_SIM_CH_* */
    uint8_t snapshot_due[ARB_SIM_SYMS];           /* kraken v2: next ticker is a snapshot */
    int32_t channel_id[ARB_SIM_SYMS];             /* kraken v1 channelID per symbol */
    uint64_t last_seq[ARB_SIM_SYMS];              /* last sequence sent, for heartbeats */
    uint64_t hb_period_ns;                        /* venue heartbeat period */
    uint64_t hb_next_ns;                          /* when the next heartbeat is due */
    uint64_t connection_id;
    const struct arb_sim_source *src; /* may be NULL */
    arb_sim_send_fn send;
    void *send_ctx;
    uint64_t msgs_in; /* client text messages handled */
    uint64_t errors;  /* of which answered with a venue error */
};

/*
 * Sets a session up after the handshake: `target` is the request-target of the
 * GET ("/stream?streams=usdcusdt@bookTicker", "/v2"). Sends the venue's
 * greeting (kraken's status), and subscribes URL streams (binance).
 */
void arb_sim_session_open(struct arb_sim_session *s, enum arb_sim_venue venue, const char *target,
                          const struct arb_sim_source *src, uint64_t hb_period_ns, uint64_t now_ns,
                          arb_sim_send_fn send, void *ctx);

/* Answers one client text message the way the venue does. Returns 0 when it was
 * understood, -EINVAL when it was answered with the venue's error. */
int arb_sim_session_text(struct arb_sim_session *s, const char *msg, size_t len, uint64_t now_ns);

/*
 * Sends the venue heartbeats due at now_ns; `quiet_since_ns` is when the last
 * frame went out (kraken beats only on an idle connection). Returns the time
 * the next one is due, or UINT64_MAX when the venue sends none.
 */
uint64_t arb_sim_session_heartbeat(struct arb_sim_session *s, uint64_t now_ns,
                                   uint64_t quiet_since_ns);

#endif /* ARB_TOOLS_SIM_VENUE_H */
