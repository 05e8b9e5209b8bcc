/* SPDX-License-Identifier: MIT */
/* Binance USD-M futures market data: bookTicker and markPriceUpdate (funding). */
#include "binance.h"

static int binance_futures_parse(struct arb_parser *p, const char *msg, size_t len,
                                 uint64_t recv_ts_ns, struct arb_tick *out, int max)
{
    return arb_binance_parse(p, msg, len, recv_ts_ns, out, max, true);
}

static int binance_futures_parse_general(struct arb_parser *p, const char *msg, size_t len,
                                         uint64_t recv_ts_ns, struct arb_tick *out, int max)
{
    return arb_parser_tally(p, arb_binance_message(p, msg, len, recv_ts_ns, out, max, true));
}

static int binance_futures_subscribe(const char *const *symbols, size_t n, char *buf, size_t len)
{
    /* markPrice@1s: mark, index and funding every second instead of every three. */
    static const char *const suffixes[] = {"@bookTicker", "@markPrice@1s"};

    return arb_binance_subscribe(symbols, n, suffixes, 2, buf, len);
}

const struct arb_feed_ops arb_feed_binance_futures = {
    .name = "binance-futures",
    .url = "wss://fstream.binance.com/stream",
    .parse = binance_futures_parse,
    .parse_general = binance_futures_parse_general,
    .subscribe = binance_futures_subscribe,
    .heartbeat_ms = 0,   /* WebSocket pings only */
    .seq_contiguous = 0, /* u is the book's update id, not a per-stream counter */
};
