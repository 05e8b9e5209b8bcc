/* SPDX-License-Identifier: MIT */
/* Binance spot market data: bookTicker, raw and combined-stream. */
#include "binance.h"

#include <errno.h>

static int binance_parse(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                         struct arb_tick *out, int max)
{
    return arb_binance_parse(p, msg, len, recv_ts_ns, out, max, false);
}

static int binance_parse_general(struct arb_parser *p, const char *msg, size_t len,
                                 uint64_t recv_ts_ns, struct arb_tick *out, int max)
{
    return arb_parser_tally(p, arb_binance_message(p, msg, len, recv_ts_ns, out, max, false));
}

int arb_binance_subscribe(const char *const *symbols, size_t n, const char *const *suffixes,
                          size_t nsuffixes, char *buf, size_t len)
{
    size_t pos = 0;
    int rc = arb_json_put_raw(buf, len, &pos, "{\"method\":\"SUBSCRIBE\",\"params\":[");

    for (size_t i = 0; i < n && rc == 0; i++) {
        for (size_t j = 0; j < nsuffixes && rc == 0; j++) {
            char stream[ARB_SYMTAB_SYMMAX + 32];
            size_t sl = strlen(symbols[i]);
            if (sl > ARB_SYMTAB_SYMMAX)
                return -EINVAL;
            /* Stream names take the symbol in lower case; the suffix keeps its case. */
            for (size_t c = 0; c < sl; c++) {
                char ch = symbols[i][c];
                stream[c] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
            }
            stream[sl] = '\0';
            strncat(stream, suffixes[j], sizeof(stream) - sl - 1);
            if (i + j > 0)
                rc = arb_json_put_raw(buf, len, &pos, ",");
            if (rc == 0)
                rc = arb_json_put_str(buf, len, &pos, stream, false);
        }
    }
    if (rc == 0)
        rc = arb_json_put_raw(buf, len, &pos, "],\"id\":1}\n");
    return rc < 0 ? rc : (int)pos;
}

static int binance_subscribe(const char *const *symbols, size_t n, char *buf, size_t len)
{
    static const char *const suffixes[] = {"@bookTicker"};

    return arb_binance_subscribe(symbols, n, suffixes, 1, buf, len);
}

const struct arb_feed_ops arb_feed_binance = {
    .name = "binance",
    .url = "wss://stream.binance.com:9443/stream",
    .parse = binance_parse,
    .parse_general = binance_parse_general,
    .subscribe = binance_subscribe,
    /* Binance keeps the connection alive with WebSocket pings, not messages. */
    .heartbeat_ms = 0,
    /* u is the book's update id: bookTicker skips the updates that leave the top alone. */
    .seq_contiguous = 0,
};
