/* SPDX-License-Identifier: MIT */
/* Coinbase Exchange market data: the ticker channel, and heartbeats. */
#include "feeds/json.h"
#include "feeds/parser.h"

#include <errno.h>

enum cb_field {
    CB_TYPE,
    CB_SEQUENCE,
    CB_PRODUCT_ID,
    CB_BEST_BID,
    CB_BEST_BID_SIZE,
    CB_BEST_ASK,
    CB_BEST_ASK_SIZE,
    CB_TIME,
    CB_NFIELDS,
};

/* Key -> field + 1, or 0 for the many keys a ticker carries that arbiter skips. */
static inline int cb_slot(const char *k, size_t klen)
{
    switch (klen) {
    case 4:
        if (memcmp(k, "type", 4) == 0)
            return CB_TYPE + 1;
        if (memcmp(k, "time", 4) == 0)
            return CB_TIME + 1;
        return 0;
    case 8:
        if (memcmp(k, "sequence", 8) == 0)
            return CB_SEQUENCE + 1;
        if (memcmp(k, "best_bid", 8) == 0)
            return CB_BEST_BID + 1;
        if (memcmp(k, "best_ask", 8) == 0)
            return CB_BEST_ASK + 1;
        return 0;
    case 10:
        return memcmp(k, "product_id", 10) == 0 ? CB_PRODUCT_ID + 1 : 0;
    case 13:
        if (memcmp(k, "best_bid_size", 13) == 0)
            return CB_BEST_BID_SIZE + 1;
        if (memcmp(k, "best_ask_size", 13) == 0)
            return CB_BEST_ASK_SIZE + 1;
        return 0;
    default:
        return 0;
    }
}

/* An optional decimal string field: sets `bit` in *have when present. Returns 0 or -1. */
static inline int cb_decimal(const struct arb_json_val *f, uint32_t seen, int field, int64_t *out,
                             uint16_t *have, uint16_t bit)
{
    if (!(seen & (1u << field)))
        return 0;
    if (f[field].type != ARB_JSON_STR || arb_fixed_parse(f[field].s, f[field].len, out) < 0)
        return -1;
    *have |= bit;
    return 0;
}

static int cb_message(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                      struct arb_tick *out, int max)
{
    struct arb_json_val f[CB_NFIELDS], v;
    struct arb_json_cur c;
    const char *k;
    size_t klen;
    uint32_t seen = 0;
    uint16_t have = 0;
    uint64_t seq = 0, exch_ns = 0;
    int64_t w[4] = {0, 0, 0, 0};
    int slot, id;

    if (max < 1 || !arb_json_enter_msg(&c, msg, len, '{'))
        return ARB_PARSE_MALFORMED;
    while (arb_json_key(&c, &k, &klen)) {
        /* Scanned in place: copying a just-written value over would stall on the load. */
        slot = cb_slot(k, klen);
        if (slot)
            seen |= 1u << (slot - 1);
        if (!arb_json_take(&c, slot ? &f[slot - 1] : &v))
            break;
    }
    if (!arb_json_finished(&c) || !(seen & (1u << CB_TYPE)) || f[CB_TYPE].type != ARB_JSON_STR)
        return ARB_PARSE_MALFORMED;
    if (!ARB_JSON_EQ(f[CB_TYPE].s, f[CB_TYPE].len, "ticker")) {
        if (ARB_JSON_EQ(f[CB_TYPE].s, f[CB_TYPE].len, "heartbeat"))
            p->stats.heartbeats++;
        return ARB_PARSE_SKIP;
    }
    if (!(seen & (1u << CB_PRODUCT_ID)) || f[CB_PRODUCT_ID].type != ARB_JSON_STR)
        return ARB_PARSE_MALFORMED;
    /* Sizes arrived in the ticker in 2022; older tickers carry only the prices. */
    if (cb_decimal(f, seen, CB_BEST_BID, &w[0], &have, ARB_TICK_HAVE_BID) < 0 ||
        cb_decimal(f, seen, CB_BEST_BID_SIZE, &w[1], &have, ARB_TICK_HAVE_BID_QTY) < 0 ||
        cb_decimal(f, seen, CB_BEST_ASK, &w[2], &have, ARB_TICK_HAVE_ASK) < 0 ||
        cb_decimal(f, seen, CB_BEST_ASK_SIZE, &w[3], &have, ARB_TICK_HAVE_ASK_QTY) < 0)
        return ARB_PARSE_MALFORMED;
    if (seen & (1u << CB_SEQUENCE)) {
        if (f[CB_SEQUENCE].type != ARB_JSON_NUM ||
            arb_json_u64(f[CB_SEQUENCE].s, f[CB_SEQUENCE].len, &seq) < 0)
            return ARB_PARSE_MALFORMED;
        have |= ARB_TICK_HAVE_SEQ;
    }
    if (seen & (1u << CB_TIME)) {
        if (f[CB_TIME].type != ARB_JSON_STR ||
            arb_json_rfc3339_ns(f[CB_TIME].s, f[CB_TIME].len, &exch_ns) < 0)
            return ARB_PARSE_MALFORMED;
        have |= ARB_TICK_HAVE_EXCH_TS;
    }
    /* A ticker without a book top says nothing the detector can use. */
    if (!(have & (ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK)))
        return ARB_PARSE_SKIP;
    id = arb_parser_instrument(p, f[CB_PRODUCT_ID].s, f[CB_PRODUCT_ID].len);
    if (id < 0)
        return ARB_PARSE_UNKNOWN;
    return arb_parser_emit(p, id, ARB_TICK_BBO, w, have, exch_ns, seq, recv_ts_ns, out);
}

/*
 * Fast path: a ticker exactly as Coinbase writes it, with or without the
 * sizes added in 2022:
 *   {"type":"ticker","sequence":N,"product_id":"SYM","price":"..","open_24h":"..",
 *    "volume_24h":"..","low_24h":"..","high_24h":"..","volume_30d":"..","best_bid":"P",
 *    ["best_bid_size":"Q",]"best_ask":"P",["best_ask_size":"Q",]"side":"..","time":"T",
 *    "trade_id":N,"last_size":".."}
 * Keys are matched as word literals in that order; the values arbiter does
 * not keep are skipped as strings, exactly as the general scanner skips them.
 * The whole message is matched before the symbol is looked up. Returns 1 or
 * ARB_PARSE_UNKNOWN as cb_message would, or ARB_PARSE_FAST_MISS.
 */
static inline int cb_fast(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                          struct arb_tick *out)
{
    const char *q = msg, *end = msg + len, *sym, *sym_end, *ts;
    uint64_t seq, exch_ns, trade_id;
    int64_t w[4] = {0, 0, 0, 0};
    uint16_t have =
        ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK | ARB_TICK_HAVE_SEQ | ARB_TICK_HAVE_EXCH_TS;
    const char *t;
    int id;

    if (!(q = ARB_JSON_DIGITS(q, end, "{\"type\":\"ticker\",\"sequence\":", &seq)) ||
        !ARB_JSON_AT(q, end, ",\"product_id\":\""))
        return ARB_PARSE_FAST_MISS;
    sym = q + 15;
    if (!(sym_end = arb_json_str_end16(sym, end)) ||
        !(q = ARB_JSON_SKIP_STR(sym_end, end, "\",\"price\":\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"open_24h\":\"")) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "\",\"volume_24h\":\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"low_24h\":\"")) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "\",\"high_24h\":\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"volume_30d\":\"")) ||
        !(q = ARB_JSON_FIXED_STR(t, end, "\",\"best_bid\":\"", &w[0])))
        return ARB_PARSE_FAST_MISS;
    if (ARB_JSON_AT(q, end, "\",\"best_bid_size\":\"")) {
        if (!(q = arb_json_fixed_str(q + 18, end, &w[1])))
            return ARB_PARSE_FAST_MISS;
        have |= ARB_TICK_HAVE_BID_QTY;
    }
    if (!(t = ARB_JSON_FIXED_STR(q, end, "\",\"best_ask\":\"", &w[2])))
        return ARB_PARSE_FAST_MISS;
    q = t;
    if (ARB_JSON_AT(q, end, "\",\"best_ask_size\":\"")) {
        if (!(q = arb_json_fixed_str(q + 18, end, &w[3])))
            return ARB_PARSE_FAST_MISS;
        have |= ARB_TICK_HAVE_ASK_QTY;
    }
    if (!(t = ARB_JSON_SKIP_STR(q, end, "\",\"side\":\"")) ||
        !ARB_JSON_AT(t, end, "\",\"time\":\""))
        return ARB_PARSE_FAST_MISS;
    ts = t + 10;
    if (!(q = arb_json_str_end(ts, end)) ||
        arb_json_rfc3339_ns(ts, (size_t)(q - ts), &exch_ns) < 0 ||
        !(t = ARB_JSON_DIGITS(q, end, "\",\"trade_id\":", &trade_id)) ||
        !(q = ARB_JSON_SKIP_STR(t, end, ",\"last_size\":\"")) || end - q != 2 || q[1] != '}')
        return ARB_PARSE_FAST_MISS;
    p->stats.fast++;
    /* The message matched through its end, so well over 16 bytes follow the symbol. */
    id = arb_parser_instrument16(p, sym, (size_t)(sym_end - sym));
    if (id < 0)
        return ARB_PARSE_UNKNOWN;
    return arb_parser_emit(p, id, ARB_TICK_BBO, w, have, exch_ns, seq, recv_ts_ns, out);
}

static int coinbase_parse(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                          struct arb_tick *out, int max)
{
    int rc = max < 1 ? ARB_PARSE_MALFORMED : cb_fast(p, msg, len, recv_ts_ns, out);

    if (rc == ARB_PARSE_FAST_MISS)
        rc = cb_message(p, msg, len, recv_ts_ns, out, max);
    return arb_parser_tally(p, rc);
}

static int coinbase_parse_general(struct arb_parser *p, const char *msg, size_t len,
                                  uint64_t recv_ts_ns, struct arb_tick *out, int max)
{
    return arb_parser_tally(p, cb_message(p, msg, len, recv_ts_ns, out, max));
}

static int coinbase_subscribe(const char *const *symbols, size_t n, char *buf, size_t len)
{
    size_t pos = 0;
    int rc = arb_json_put_raw(buf, len, &pos, "{\"type\":\"subscribe\",\"product_ids\":[");

    if (rc == 0)
        rc = arb_json_put_strs(buf, len, &pos, symbols, n);
    if (rc == 0)
        rc = arb_json_put_raw(buf, len, &pos, "],\"channels\":[\"ticker\",\"heartbeat\"]}\n");
    return rc < 0 ? rc : (int)pos;
}

const struct arb_feed_ops arb_feed_coinbase = {
    .name = "coinbase",
    .url = "wss://ws-feed.exchange.coinbase.com",
    .parse = coinbase_parse,
    .parse_general = coinbase_parse_general,
    .subscribe = coinbase_subscribe,
    .heartbeat_ms = 1000, /* the heartbeat channel ticks every second per product */
    /* sequence counts every message of the product's full feed, so tickers skip ahead. */
    .seq_contiguous = 0,
};
