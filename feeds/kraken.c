/* SPDX-License-Identifier: MIT */
/*
 * Kraken spot market data: the WebSocket v2 ticker (objects, JSON numbers,
 * several symbols per message) and the v1 ticker (arrays, decimal strings).
 */
#include "feeds/json.h"
#include "feeds/parser.h"

#include <errno.h>

/* Fills the parts of a BBO tick every Kraken form shares. Returns 1 or ARB_PARSE_UNKNOWN. */
static inline int kr_emit(struct arb_parser *p, const char *sym, size_t sym_len, const int64_t w[4],
                          uint16_t have, uint64_t exch_ns, uint64_t recv_ts_ns, struct arb_tick *t)
{
    int id = arb_parser_instrument(p, sym, sym_len);

    if (id < 0)
        return ARB_PARSE_UNKNOWN;
    /* Neither version numbers ticker messages: seq 0. */
    return arb_parser_emit(p, id, ARB_TICK_BBO, w, have, exch_ns, 0, recv_ts_ns, t);
}

/* v2: an optional JSON-number field. Returns 0 or -1. */
static inline int kr_number(const struct arb_json_val *v, int64_t *out, uint16_t *have,
                            uint16_t bit)
{
    if (v->type == ARB_JSON_NONE)
        return 0;
    if (v->type != ARB_JSON_NUM || arb_json_decimal(v->s, v->len, out) < 0)
        return -1;
    *have |= bit;
    return 0;
}

/* v2: one entry of a ticker's data array, walked in place under c. */
static int kr_v2_entry(struct arb_parser *p, struct arb_json_cur *c, uint64_t recv_ts_ns,
                       struct arb_tick *t)
{
    struct arb_json_val sym = {0}, bid = {0}, bid_qty = {0}, ask = {0}, ask_qty = {0}, ts = {0}, v;
    const char *k;
    size_t klen;
    int64_t w[4] = {0, 0, 0, 0};
    uint16_t have = 0;
    uint64_t exch_ns = 0;

    while (arb_json_key(c, &k, &klen)) {
        struct arb_json_val *dst = &v; /* values land in place: no copy to stall on */
        switch (klen) {
        case 3:
            if (memcmp(k, "bid", 3) == 0)
                dst = &bid;
            else if (memcmp(k, "ask", 3) == 0)
                dst = &ask;
            break;
        case 6:
            if (memcmp(k, "symbol", 6) == 0)
                dst = &sym;
            break;
        case 7:
            if (memcmp(k, "bid_qty", 7) == 0)
                dst = &bid_qty;
            else if (memcmp(k, "ask_qty", 7) == 0)
                dst = &ask_qty;
            break;
        case 9:
            if (memcmp(k, "timestamp", 9) == 0)
                dst = &ts;
            break;
        default:
            break;
        }
        if (!arb_json_take(c, dst))
            break;
    }
    if (c->state != ARB_JSON_DONE || sym.type != ARB_JSON_STR ||
        kr_number(&bid, &w[0], &have, ARB_TICK_HAVE_BID) < 0 ||
        kr_number(&bid_qty, &w[1], &have, ARB_TICK_HAVE_BID_QTY) < 0 ||
        kr_number(&ask, &w[2], &have, ARB_TICK_HAVE_ASK) < 0 ||
        kr_number(&ask_qty, &w[3], &have, ARB_TICK_HAVE_ASK_QTY) < 0)
        return ARB_PARSE_MALFORMED;
    if (ts.type != ARB_JSON_NONE) {
        if (ts.type != ARB_JSON_STR || arb_json_rfc3339_ns(ts.s, ts.len, &exch_ns) < 0)
            return ARB_PARSE_MALFORMED;
        have |= ARB_TICK_HAVE_EXCH_TS;
    }
    if (!(have & (ARB_TICK_HAVE_BID | ARB_TICK_HAVE_ASK)))
        return ARB_PARSE_SKIP;
    return kr_emit(p, sym.s, sym.len, w, have, exch_ns, recv_ts_ns, t);
}

/* v2: the data array of a ticker message under c, one tick per entry. */
static int kr_v2_data(struct arb_parser *p, struct arb_json_cur *c, uint64_t recv_ts_ns,
                      struct arb_tick *out, int max)
{
    int acc = ARB_PARSE_SKIP;

    while (arb_json_elem_at(c)) {
        struct arb_json_cur in;
        int n = acc > 0 ? acc : 0, rc;
        if (!arb_json_enter(&in, c->p, c->end, '{'))
            return ARB_PARSE_MALFORMED;
        /* Entries past `max` are still checked but dropped: the caller sized out. */
        struct arb_tick spare;
        rc = kr_v2_entry(p, &in, recv_ts_ns, n < max ? &out[n] : &spare);
        if (!arb_json_resume(c, &in))
            return ARB_PARSE_MALFORMED;
        acc = arb_parser_fold(acc, n < max ? rc : (rc > 0 ? 0 : rc));
    }
    return c->state == ARB_JSON_DONE ? acc : ARB_PARSE_MALFORMED;
}

/* v2 and v1 control messages, both objects: {"channel":..} and {"event":..}. */
static int kr_object(struct arb_parser *p, struct arb_json_cur *c, uint64_t recv_ts_ns,
                     struct arb_tick *out, int max)
{
    struct arb_json_val chan = {0}, event = {0}, data = {0};
    const char *k;
    size_t klen;
    int data_rc = ARB_PARSE_SKIP, walked = 0;

    while (arb_json_key(c, &k, &klen)) {
        struct arb_json_val v;
        /* "channel" comes first on the wire, so a ticker's data is walked once, in place. */
        if (ARB_JSON_EQ(k, klen, "data") && chan.type == ARB_JSON_STR &&
            ARB_JSON_EQ(chan.s, chan.len, "ticker") && !walked) {
            struct arb_json_cur in;
            if (!arb_json_enter(&in, c->p, c->end, '['))
                return ARB_PARSE_MALFORMED;
            data_rc = kr_v2_data(p, &in, recv_ts_ns, out, max);
            if (!arb_json_resume(c, &in))
                return ARB_PARSE_MALFORMED;
            walked = 1;
            continue;
        }
        if (!arb_json_take(c, &v))
            break;
        if (ARB_JSON_EQ(k, klen, "channel"))
            chan = v;
        else if (ARB_JSON_EQ(k, klen, "event"))
            event = v;
        else if (ARB_JSON_EQ(k, klen, "data"))
            data = v;
    }
    if (!arb_json_finished(c))
        return ARB_PARSE_MALFORMED;
    if (chan.type == ARB_JSON_STR) {
        if (ARB_JSON_EQ(chan.s, chan.len, "heartbeat")) {
            p->stats.heartbeats++;
            return ARB_PARSE_SKIP;
        }
        if (!ARB_JSON_EQ(chan.s, chan.len, "ticker"))
            return ARB_PARSE_SKIP; /* status, book, trade... */
        if (walked)
            return data_rc;
        if (data.type == ARB_JSON_ARR) {
            /* data came before channel: walk the span now. */
            struct arb_json_cur in;
            arb_json_enter(&in, data.s, data.s + data.len, '[');
            return kr_v2_data(p, &in, recv_ts_ns, out, max);
        }
        return ARB_PARSE_MALFORMED;
    }
    if (chan.type != ARB_JSON_NONE || (event.type != ARB_JSON_NONE && event.type != ARB_JSON_STR))
        return ARB_PARSE_MALFORMED;
    if (event.type == ARB_JSON_STR && ARB_JSON_EQ(event.s, event.len, "heartbeat"))
        p->stats.heartbeats++;
    return ARB_PARSE_SKIP; /* systemStatus, subscriptionStatus, pong, v2 method responses */
}

/* v1: one side of the ticker, [price, wholeLotVolume, lotVolume]. Returns 0 or -1. */
static int kr_v1_side(const struct arb_json_val *side, int64_t *px, int64_t *qty)
{
    struct arb_json_cur c;
    struct arb_json_val v[3];
    int n = 0;

    if (side->type != ARB_JSON_ARR)
        return -1;
    arb_json_enter(&c, side->s, side->s + side->len, '[');
    while (n < 3 && arb_json_element(&c, &v[n]))
        n++;
    if (n < 3 || c.state == ARB_JSON_ERR || v[0].type != ARB_JSON_STR || v[2].type != ARB_JSON_STR)
        return -1;
    /* The whole-lot volume v[1] is the lot volume rounded down; v[2] is exact. */
    return arb_fixed_parse(v[0].s, v[0].len, px) < 0 || arb_fixed_parse(v[2].s, v[2].len, qty) < 0
               ? -1
               : 0;
}

/* v1: [channelID, {payload}, ..., "channelName", "pair"]. */
static int kr_array(struct arb_parser *p, struct arb_json_cur *c, uint64_t recv_ts_ns,
                    struct arb_tick *out)
{
    struct arb_json_val a = {0}, b = {0}, first = {0}, prev = {0}, last = {0}, v;
    int64_t w[4];
    int n = 0;

    while (arb_json_elem_at(c)) {
        if (n == 1 && *c->p == '{') {
            /* The payload is walked in place; only a ticker's "a" and "b" are kept. */
            struct arb_json_cur in;
            const char *k;
            size_t klen;
            arb_json_enter(&in, c->p, c->end, '{');
            while (arb_json_key(&in, &k, &klen) && arb_json_take(&in, klen != 1     ? &v
                                                                      : k[0] == 'a' ? &a
                                                                      : k[0] == 'b' ? &b
                                                                                    : &v))
                ;
            if (!arb_json_resume(c, &in))
                return ARB_PARSE_MALFORMED;
            v.type = ARB_JSON_OBJ;
        } else if (!arb_json_take(c, &v)) {
            return ARB_PARSE_MALFORMED;
        }
        if (n == 0)
            first = v;
        prev = last;
        last = v;
        n++;
    }
    if (!arb_json_finished(c) || n < 4 || first.type != ARB_JSON_NUM || prev.type != ARB_JSON_STR ||
        last.type != ARB_JSON_STR)
        return ARB_PARSE_MALFORMED;
    if (!ARB_JSON_EQ(prev.s, prev.len, "ticker"))
        return ARB_PARSE_SKIP; /* trade, spread, book-N, ohlc-N */
    if (n != 4 || kr_v1_side(&b, &w[0], &w[1]) < 0 || kr_v1_side(&a, &w[2], &w[3]) < 0)
        return ARB_PARSE_MALFORMED;
    return kr_emit(p, last.s, last.len, w,
                   ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK |
                       ARB_TICK_HAVE_ASK_QTY,
                   0, recv_ts_ns, out);
}

/*
 * Fast path: a v1 ticker exactly as Kraken writes it:
 *   [ID,{"a":["P",N,"Q"],"b":["P",N,"Q"],"c":["..",".."],"v":["..",".."],
 *    "p":["..",".."],"t":[N,N],"l":["..",".."],"h":["..",".."],"o":["..",".."]},
 *    "ticker","PAIR"]
 * Keys and brackets are matched as word literals; the arrays arbiter does not
 * keep are skipped string by string, as the general scanner skips them. The
 * whole message is matched before the pair is looked up. Returns 1 or
 * ARB_PARSE_UNKNOWN as kr_array would, or ARB_PARSE_FAST_MISS.
 */
static inline int kr_v1_fast(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                             struct arb_tick *out)
{
    const char *q = msg, *end = msg + len, *t, *sym, *sym_end;
    uint64_t chan, lots, n0, n1;
    int64_t w[4];

    if (q == end || *q != '[' || !(q = arb_json_digits(q + 1, end, &chan)) ||
        !(q = ARB_JSON_FIXED_STR(q, end, ",{\"a\":[\"", &w[2])) ||
        !(t = ARB_JSON_DIGITS(q, end, "\",", &lots)) ||
        !(q = ARB_JSON_FIXED_STR(t, end, ",\"", &w[3])) ||
        !(t = ARB_JSON_FIXED_STR(q, end, "\"],\"b\":[\"", &w[0])) ||
        !(q = ARB_JSON_DIGITS(t, end, "\",", &lots)) ||
        !(t = ARB_JSON_FIXED_STR(q, end, ",\"", &w[1])) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "\"],\"c\":[\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"")) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "\"],\"v\":[\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"")) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "\"],\"p\":[\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"")) ||
        !(q = ARB_JSON_DIGITS(t, end, "\"],\"t\":[", &n0)) ||
        !(t = ARB_JSON_DIGITS(q, end, ",", &n1)) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "],\"l\":[\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"")) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "\"],\"h\":[\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"")) ||
        !(q = ARB_JSON_SKIP_STR(t, end, "\"],\"o\":[\"")) ||
        !(t = ARB_JSON_SKIP_STR(q, end, "\",\"")))
        return ARB_PARSE_FAST_MISS;
    if (!ARB_JSON_AT(t, end, "\"]},\"ticker\",\""))
        return ARB_PARSE_FAST_MISS;
    sym = t + 14;
    if (!(sym_end = arb_json_str_end16(sym, end)) || end - sym_end != 2 || sym_end[1] != ']')
        return ARB_PARSE_FAST_MISS;
    p->stats.fast++;
    return kr_emit(p, sym, (size_t)(sym_end - sym), w,
                   ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK |
                       ARB_TICK_HAVE_ASK_QTY,
                   0, recv_ts_ns, out);
}

/* The general scanner: v1 arrays and v2 (and control) objects. */
static int kr_message(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                      struct arb_tick *out, int max)
{
    struct arb_json_cur c;

    if (max < 1)
        return ARB_PARSE_MALFORMED;
    if (arb_json_enter_msg(&c, msg, len, '['))
        return kr_array(p, &c, recv_ts_ns, out);
    if (arb_json_enter_msg(&c, msg, len, '{'))
        return kr_object(p, &c, recv_ts_ns, out, max);
    return ARB_PARSE_MALFORMED;
}

static int kraken_parse(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                        struct arb_tick *out, int max)
{
    int rc = max < 1 ? ARB_PARSE_MALFORMED : kr_v1_fast(p, msg, len, recv_ts_ns, out);

    if (rc == ARB_PARSE_FAST_MISS)
        rc = kr_message(p, msg, len, recv_ts_ns, out, max);
    return arb_parser_tally(p, rc);
}

static int kraken_parse_general(struct arb_parser *p, const char *msg, size_t len,
                                uint64_t recv_ts_ns, struct arb_tick *out, int max)
{
    return arb_parser_tally(p, kr_message(p, msg, len, recv_ts_ns, out, max));
}

static int kraken_subscribe(const char *const *symbols, size_t n, char *buf, size_t len)
{
    size_t pos = 0;
    int rc = arb_json_put_raw(
        buf, len, &pos,
        "{\"method\":\"subscribe\",\"params\":{\"channel\":\"ticker\",\"symbol\":[");

    if (rc == 0)
        rc = arb_json_put_strs(buf, len, &pos, symbols, n);
    /* bbo: a ticker on every change of the book top, not only on trades (the default). */
    if (rc == 0)
        rc = arb_json_put_raw(buf, len, &pos, "],\"event_trigger\":\"bbo\"}}\n");
    return rc < 0 ? rc : (int)pos;
}

const struct arb_feed_ops arb_feed_kraken = {
    .name = "kraken",
    .url = "wss://ws.kraken.com/v2",
    .parse = kraken_parse,
    .parse_general = kraken_parse_general,
    .subscribe = kraken_subscribe,
    .heartbeat_ms = 1000, /* a heartbeat every second when the channels are quiet */
    .seq_contiguous = 0,  /* tickers carry no sequence */
};
