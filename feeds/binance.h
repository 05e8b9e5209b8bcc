/* SPDX-License-Identifier: MIT */
/*
 * Binance's event format, shared by the spot and USD-M futures plug-ins:
 * raw events, combined-stream wrappers and event arrays into ticks.
 * Private to feeds/binance*.c.
 */
#ifndef ARB_FEEDS_BINANCE_H
#define ARB_FEEDS_BINANCE_H

#include "feeds/json.h"
#include "feeds/parser.h"

/* The one-letter fields arbiter reads; everything else is skipped. */
enum arb_binance_field {
    ARB_BN_e, /* event type; spot bookTicker has none */
    ARB_BN_s, /* symbol */
    ARB_BN_u, /* book update id */
    ARB_BN_b, /* best bid price */
    ARB_BN_B, /* best bid qty */
    ARB_BN_a, /* best ask price */
    ARB_BN_A, /* best ask qty */
    ARB_BN_E, /* event time, ms */
    ARB_BN_p, /* mark price */
    ARB_BN_i, /* index price */
    ARB_BN_r, /* funding rate */
    ARB_BN_T, /* markPriceUpdate: next funding time, ms; bookTicker: transaction time */
    ARB_BN_NFIELDS,
};

#define ARB_BN_BIT(f) (1u << ARB_BN_##f)

/* One event's fields: f[i] is valid only when bit i of seen is set. */
struct arb_binance_event {
    uint32_t seen;
    struct arb_json_val f[ARB_BN_NFIELDS];
};

/* Key letter -> field + 1; 0 for keys arbiter skips. */
static inline int arb_binance_slot(char k)
{
    switch (k) {
    case 'e':
        return ARB_BN_e + 1;
    case 's':
        return ARB_BN_s + 1;
    case 'u':
        return ARB_BN_u + 1;
    case 'b':
        return ARB_BN_b + 1;
    case 'B':
        return ARB_BN_B + 1;
    case 'a':
        return ARB_BN_a + 1;
    case 'A':
        return ARB_BN_A + 1;
    case 'E':
        return ARB_BN_E + 1;
    case 'p':
        return ARB_BN_p + 1;
    case 'i':
        return ARB_BN_i + 1;
    case 'r':
        return ARB_BN_r + 1;
    case 'T':
        return ARB_BN_T + 1;
    default:
        return 0;
    }
}

/*
 * Scans the value under c straight into its field of ev (or into scratch when
 * arbiter skips the key). Writing in place, not copying a scanned value over,
 * matters: the copy is a wide load of just-written narrow stores, which stalls.
 * Returns false on a syntax error.
 */
static inline bool arb_binance_take(struct arb_json_cur *c, struct arb_binance_event *ev,
                                    const char *k, size_t klen, struct arb_json_val *scratch)
{
    int slot = klen == 1 ? arb_binance_slot(k[0]) : 0;

    if (!slot)
        return arb_json_take(c, scratch);
    ev->seen |= 1u << (slot - 1);
    return arb_json_take(c, &ev->f[slot - 1]);
}

/* A decimal carried as a JSON string, as Binance sends every price and quantity. */
static inline int arb_binance_decimal(const struct arb_json_val *v, int64_t *out)
{
    return v->type == ARB_JSON_STR ? arb_fixed_parse(v->s, v->len, out) : -EINVAL;
}

/*
 * Turns one scanned event into *t. `funding` allows markPriceUpdate (futures
 * only). Returns 1, ARB_PARSE_SKIP, ARB_PARSE_UNKNOWN or ARB_PARSE_MALFORMED.
 * Every value is checked before the symbol is looked up, so a malformed
 * message is never counted as an unknown symbol.
 */
static inline int arb_binance_build(struct arb_parser *p, const struct arb_binance_event *ev,
                                    uint64_t recv_ts_ns, struct arb_tick *t, bool funding)
{
    const struct arb_json_val *f = ev->f;
    uint32_t seen = ev->seen;
    uint16_t have = 0;
    uint64_t exch_ns = 0, seq = 0;
    int64_t w[4] = {0, 0, 0, 0};
    uint8_t kind;
    int id;

    if (seen & ARB_BN_BIT(e)) {
        if (f[ARB_BN_e].type != ARB_JSON_STR)
            return ARB_PARSE_MALFORMED;
        if (ARB_JSON_EQ(f[ARB_BN_e].s, f[ARB_BN_e].len, "bookTicker"))
            kind = ARB_TICK_BBO;
        else if (funding && ARB_JSON_EQ(f[ARB_BN_e].s, f[ARB_BN_e].len, "markPriceUpdate"))
            kind = ARB_TICK_FUNDING;
        else
            return ARB_PARSE_SKIP;
    } else if ((seen & (ARB_BN_BIT(u) | ARB_BN_BIT(s))) == (ARB_BN_BIT(u) | ARB_BN_BIT(s))) {
        /* Spot bookTicker is the one event without "e"; "u" and "s" identify it. */
        kind = ARB_TICK_BBO;
    } else {
        return ARB_PARSE_SKIP; /* subscription results, errors, depth snapshots */
    }
    if (!(seen & ARB_BN_BIT(s)) || f[ARB_BN_s].type != ARB_JSON_STR)
        return ARB_PARSE_MALFORMED;
    if (seen & ARB_BN_BIT(E)) {
        if (arb_json_ms_to_ns(&f[ARB_BN_E], &exch_ns) < 0)
            return ARB_PARSE_MALFORMED;
        have |= ARB_TICK_HAVE_EXCH_TS;
    }
    if (kind == ARB_TICK_BBO) {
        const uint32_t need =
            ARB_BN_BIT(u) | ARB_BN_BIT(b) | ARB_BN_BIT(B) | ARB_BN_BIT(a) | ARB_BN_BIT(A);
        if ((seen & need) != need || f[ARB_BN_u].type != ARB_JSON_NUM ||
            arb_json_u64(f[ARB_BN_u].s, f[ARB_BN_u].len, &seq) < 0 ||
            arb_binance_decimal(&f[ARB_BN_b], &w[0]) < 0 ||
            arb_binance_decimal(&f[ARB_BN_B], &w[1]) < 0 ||
            arb_binance_decimal(&f[ARB_BN_a], &w[2]) < 0 ||
            arb_binance_decimal(&f[ARB_BN_A], &w[3]) < 0)
            return ARB_PARSE_MALFORMED;
        have |= ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK |
                ARB_TICK_HAVE_ASK_QTY | ARB_TICK_HAVE_SEQ;
    } else {
        if (!(seen & ARB_BN_BIT(p)) || arb_binance_decimal(&f[ARB_BN_p], &w[0]) < 0)
            return ARB_PARSE_MALFORMED;
        have |= ARB_TICK_HAVE_MARK;
        if (seen & ARB_BN_BIT(i)) {
            if (arb_binance_decimal(&f[ARB_BN_i], &w[1]) < 0)
                return ARB_PARSE_MALFORMED;
            have |= ARB_TICK_HAVE_INDEX;
        }
        /* Delivery contracts have no funding: they send "r":"" (COIN-M) or "T":0. */
        if ((seen & ARB_BN_BIT(r)) && !(f[ARB_BN_r].type == ARB_JSON_STR && f[ARB_BN_r].len == 0)) {
            if (arb_binance_decimal(&f[ARB_BN_r], &w[2]) < 0)
                return ARB_PARSE_MALFORMED;
            have |= ARB_TICK_HAVE_FUNDING;
        }
        if (seen & ARB_BN_BIT(T)) {
            uint64_t next_ns;
            if (arb_json_ms_to_ns(&f[ARB_BN_T], &next_ns) < 0)
                return ARB_PARSE_MALFORMED;
            if (next_ns) {
                w[3] = (int64_t)next_ns;
                have |= ARB_TICK_HAVE_NEXT_FND;
            }
        }
    }
    id = arb_parser_instrument(p, f[ARB_BN_s].s, f[ARB_BN_s].len);
    if (id < 0)
        return ARB_PARSE_UNKNOWN;
    return arb_parser_emit(p, id, kind, w, have, exch_ns, seq, recv_ts_ns, t);
}

/* Scans the event object under cursor c to its closer. Returns 0, or -1 when malformed. */
static inline int arb_binance_scan(struct arb_json_cur *c, struct arb_binance_event *ev)
{
    const char *k;
    size_t klen;
    struct arb_json_val v;

    ev->seen = 0;
    while (arb_json_key(c, &k, &klen) && arb_binance_take(c, ev, k, klen, &v))
        ;
    return c->state == ARB_JSON_DONE ? 0 : -1;
}

/* An array of event objects under cursor c (the `!markPrice@arr` stream). */
static inline int arb_binance_array(struct arb_parser *p, struct arb_json_cur *c,
                                    uint64_t recv_ts_ns, struct arb_tick *out, int max,
                                    bool funding)
{
    struct arb_binance_event ev;
    int acc = ARB_PARSE_SKIP;

    while (arb_json_elem_at(c)) {
        struct arb_json_cur in;
        int n = acc > 0 ? acc : 0;
        if (!arb_json_enter(&in, c->p, c->end, '{') || arb_binance_scan(&in, &ev) < 0 ||
            !arb_json_resume(c, &in))
            return ARB_PARSE_MALFORMED;
        /* Events past `max` are dropped: the caller sized out for the venue. */
        if (n < max)
            acc = arb_parser_fold(acc, arb_binance_build(p, &ev, recv_ts_ns, &out[n], funding));
    }
    return c->state == ARB_JSON_DONE ? acc : ARB_PARSE_MALFORMED;
}

/*
 * A combined-stream message names its stream first: {"stream":"btcusdt@depth@100ms",...}.
 * Streams we do not parse (depth, trades, klines: most of a busy connection's bytes)
 * are skipped on the name alone instead of being scanned to the end. True for one of
 * those.
 */
static inline bool arb_binance_other_stream(const char *msg, size_t len)
{
    static const char head[] = "{\"stream\":\"";
    const size_t hl = sizeof(head) - 1;

    if (len < hl + 2 || memcmp(msg, head, hl) != 0)
        return false;
    const char *name = msg + hl, *end = memchr(name, '"', len - hl);
    if (!end)
        return false; /* malformed: the general scanner will say so */
    size_t n = (size_t)(end - name);
    const char *at = memchr(name, '@', n);
    /* Only a well-formed "<symbol>@<kind>" name is judged here; anything odd is left to
     * the scanner, which validates it. The all-market streams start with '!'. */
    if (!at || at == name || name[0] == '!')
        return false;
    size_t rest = n - (size_t)(at - name);
    return !(rest >= 11 && memcmp(at, "@bookTicker", 11) == 0) &&
           !(rest >= 10 && memcmp(at, "@markPrice", 10) == 0);
}

/*
 * One message: a raw event `{"e":..}`, a combined-stream wrapper
 * `{"stream":..,"data":{..}|[..]}`, or a raw event array. The wrapper's data
 * is walked in place, not skipped and re-read.
 */
static inline int arb_binance_message(struct arb_parser *p, const char *msg, size_t len,
                                      uint64_t recv_ts_ns, struct arb_tick *out, int max,
                                      bool funding)
{
    struct arb_json_cur c;
    struct arb_binance_event ev;
    const char *k;
    size_t klen;
    int data_rc = 0, have_data = 0;

    if (max < 1)
        return ARB_PARSE_MALFORMED;
    if (arb_binance_other_stream(msg, len))
        return ARB_PARSE_SKIP;
    if (!arb_json_enter_msg(&c, msg, len, '{')) {
        int rc;
        if (!arb_json_enter_msg(&c, msg, len, '['))
            return ARB_PARSE_MALFORMED;
        rc = arb_binance_array(p, &c, recv_ts_ns, out, max, funding);
        return arb_json_finished(&c) ? rc : ARB_PARSE_MALFORMED;
    }
    ev.seen = 0;
    while (arb_json_key(&c, &k, &klen)) {
        struct arb_json_val v;
        if (ARB_JSON_EQ(k, klen, "data") && !have_data) {
            struct arb_json_cur in;
            have_data = 1;
            if (arb_json_enter(&in, c.p, c.end, '{')) {
                struct arb_binance_event dev;
                if (arb_binance_scan(&in, &dev) < 0)
                    return ARB_PARSE_MALFORMED;
                data_rc = arb_binance_build(p, &dev, recv_ts_ns, out, funding);
            } else if (arb_json_enter(&in, c.p, c.end, '[')) {
                data_rc = arb_binance_array(p, &in, recv_ts_ns, out, max, funding);
            } else {
                return ARB_PARSE_MALFORMED;
            }
            if (!arb_json_resume(&c, &in))
                return ARB_PARSE_MALFORMED;
            continue;
        }
        if (!arb_binance_take(&c, &ev, k, klen, &v))
            break;
    }
    if (!arb_json_finished(&c))
        return ARB_PARSE_MALFORMED;
    if (have_data)
        return data_rc;
    return arb_binance_build(p, &ev, recv_ts_ns, out, funding);
}

/*
 * Fast path: a bookTicker exactly as Binance writes it, raw or in the
 * combined-stream wrapper, spot or futures:
 *   {"stream":"..","data":{"u":N,"s":"SYM","b":"P","B":"Q","a":"P","A":"Q"}}
 *   {"stream":"..","data":{"e":"bookTicker","u":N,"s":..,"A":"Q","T":N,"E":N}}
 * Each key is matched as a word literal at its known place and each value is
 * converted where it is found, instead of scanning keys into slots and
 * parsing afterwards. The whole message is matched before the symbol is
 * looked up, so a miss has no side effects. Returns what arb_binance_message
 * would (1 or ARB_PARSE_UNKNOWN), or ARB_PARSE_FAST_MISS on any other bytes.
 */
static inline int arb_binance_fast(struct arb_parser *p, const char *msg, size_t len,
                                   uint64_t recv_ts_ns, struct arb_tick *t)
{
    const char *q = msg, *end = msg + len, *sym, *sym_end;
    bool wrapped = false, futures;
    uint64_t seq, ms = 0, ttime;
    int64_t w[4];
    uint16_t have = ARB_TICK_HAVE_BID | ARB_TICK_HAVE_BID_QTY | ARB_TICK_HAVE_ASK |
                    ARB_TICK_HAVE_ASK_QTY | ARB_TICK_HAVE_SEQ;
    int id;

    if (ARB_JSON_AT(q, end, "{\"stream\":\"")) {
        /* The stream name is not read: skipped as the general scanner skips it. */
        q = arb_json_str_end(q + 11, end);
        if (!q || !ARB_JSON_AT(q, end, "\",\"data\":{"))
            return ARB_PARSE_FAST_MISS;
        q += 10;
        wrapped = true;
    } else if (q < end && *q == '{') {
        q++;
    } else {
        return ARB_PARSE_FAST_MISS;
    }
    futures = ARB_JSON_AT(q, end, "\"e\":\"bookTicker\",");
    if (futures)
        q += 17;
    if (!ARB_JSON_AT(q, end, "\"u\":") || !(q = arb_json_digits(q + 4, end, &seq)) ||
        !ARB_JSON_AT(q, end, ",\"s\":\""))
        return ARB_PARSE_FAST_MISS;
    sym = q + 6;
    sym_end = arb_json_str_end16(sym, end);
    if (!sym_end || !ARB_JSON_AT(sym_end, end, "\",\"b\":\"") ||
        !(q = arb_json_fixed_str(sym_end + 7, end, &w[0])) || !ARB_JSON_AT(q, end, "\",\"B\":\"") ||
        !(q = arb_json_fixed_str(q + 7, end, &w[1])) || !ARB_JSON_AT(q, end, "\",\"a\":\"") ||
        !(q = arb_json_fixed_str(q + 7, end, &w[2])) || !ARB_JSON_AT(q, end, "\",\"A\":\"") ||
        !(q = arb_json_fixed_str(q + 7, end, &w[3])))
        return ARB_PARSE_FAST_MISS;
    if (futures) {
        /* T (transaction time) is scanned but unused, as in arb_binance_build. */
        if (!ARB_JSON_AT(q, end, "\",\"T\":") || !(q = arb_json_digits(q + 6, end, &ttime)) ||
            !ARB_JSON_AT(q, end, ",\"E\":") || !(q = arb_json_digits(q + 5, end, &ms)) ||
            ms > UINT64_MAX / 1000000u || q == end || *q != '}')
            return ARB_PARSE_FAST_MISS;
        q++;
        have |= ARB_TICK_HAVE_EXCH_TS;
    } else {
        if (!ARB_JSON_AT(q, end, "\"}"))
            return ARB_PARSE_FAST_MISS;
        q += 2;
    }
    if (wrapped && (q == end || *q++ != '}'))
        return ARB_PARSE_FAST_MISS;
    if (q != end)
        return ARB_PARSE_FAST_MISS; /* trailing whitespace is valid, but not this layout */
    p->stats.fast++;
    /* The message matched through its end, so at least 30 bytes follow the symbol. */
    id = arb_parser_instrument16(p, sym, (size_t)(sym_end - sym));
    if (id < 0)
        return ARB_PARSE_UNKNOWN;
    return arb_parser_emit(p, id, ARB_TICK_BBO, w, have, ms * 1000000u, seq, recv_ts_ns, t);
}

/* parse(): the fast path, then the general scanner when it misses. */
static inline int arb_binance_parse(struct arb_parser *p, const char *msg, size_t len,
                                    uint64_t recv_ts_ns, struct arb_tick *out, int max,
                                    bool funding)
{
    /* A stream we do not parse is skipped by both paths alike, on its name. */
    int rc = max < 1                              ? ARB_PARSE_MALFORMED
             : arb_binance_other_stream(msg, len) ? ARB_PARSE_SKIP
                                                  : arb_binance_fast(p, msg, len, recv_ts_ns, out);

    if (rc == ARB_PARSE_FAST_MISS)
        rc = arb_binance_message(p, msg, len, recv_ts_ns, out, max, funding);
    return arb_parser_tally(p, rc);
}

/*
 * Cold: writes one SUBSCRIBE request for every symbol (lower-cased) times
 * every stream suffix ("@bookTicker"), followed by a newline.
 * Returns the length, -ENOSPC, or -EINVAL for a symbol that needs escaping.
 */
int arb_binance_subscribe(const char *const *symbols, size_t n, const char *const *suffixes,
                          size_t nsuffixes, char *buf, size_t len);

#endif /* ARB_FEEDS_BINANCE_H */
