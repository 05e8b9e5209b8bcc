/* SPDX-License-Identifier: MIT */
/* Server side of the venues' subscription protocols, greetings and heartbeats. */
#include "tools/sim_venue.h"

#include "tools/sim_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REPLY_MAX 8192

/* A reply under construction; overflow truncates to nothing rather than to bad JSON. */
struct reply {
    char buf[REPLY_MAX];
    size_t len;
    int overflow;
};

static void rp(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rp(struct reply *r, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (r->overflow)
        return;
    va_start(ap, fmt);
    n = vsnprintf(r->buf + r->len, sizeof r->buf - r->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof r->buf - r->len)
        r->overflow = 1;
    else
        r->len += (size_t)n;
}

static void send_reply(struct arb_sim_session *s, struct reply *r)
{
    if (!r->overflow)
        s->send(s->send_ctx, r->buf, r->len);
    r->len = 0;
    r->overflow = 0;
}

static void time_now(uint64_t now_ns, char out[28])
{
    arb_sim_fmt_time_us(now_ns, out);
}

/* Recomputes the per-symbol channel masks after the subscription list changed. */
static void rebuild_want(struct arb_sim_session *s)
{
    memset(s->want, 0, sizeof s->want);
    s->any = s->nsub > 0;
    for (uint32_t i = 0; i < s->nsub; i++)
        if (s->sub_sym[i] >= 0)
            s->want[s->sub_sym[i]] |= s->chan[i];
}

/* The symbol a subscription names: binance streams are "<sym>@<stream>". */
static int sub_symbol(const struct arb_sim_session *s, const char *name, size_t len)
{
    if (s->venue == ARB_SIM_BINANCE || s->venue == ARB_SIM_BINANCE_FUTURES) {
        const char *at = memchr(name, '@', len);
        if (at)
            len = (size_t)(at - name);
    }
    return arb_sim_source_find_sym(s->src, name, len);
}

/* Adds (or widens) one subscription. Returns 0, -ENOSPC or -ENAMETOOLONG. */
static int sub_add(struct arb_sim_session *s, const char *name, size_t len, uint8_t chan)
{
    uint32_t i;
    int sym;

    if (len == 0 || len >= ARB_SIM_NAME_MAX)
        return -ENAMETOOLONG;
    for (i = 0; i < s->nsub; i++)
        if (strlen(s->name[i]) == len && memcmp(s->name[i], name, len) == 0 && s->chan[i] == chan)
            return 0;
    if (s->nsub >= ARB_SIM_SUB_MAX)
        return -ENOSPC;
    memcpy(s->name[i], name, len);
    s->name[i][len] = '\0';
    s->chan[i] = chan;
    sym = sub_symbol(s, name, len);
    s->sub_sym[i] = (int16_t)sym;
    if (sym >= 0) {
        s->snapshot_due[sym] = 1;
        if (s->channel_id[sym] == 0)
            s->channel_id[sym] = 336 + sym * 4; /* stable per pair, like Kraken's */
    }
    s->nsub++;
    rebuild_want(s);
    return 0;
}

static void sub_del(struct arb_sim_session *s, const char *name, size_t len, uint8_t chan)
{
    for (uint32_t i = 0; i < s->nsub; i++) {
        if (strlen(s->name[i]) != len || memcmp(s->name[i], name, len) != 0 ||
            (chan && s->chan[i] != chan))
            continue;
        s->nsub--;
        memmove(s->name[i], s->name[s->nsub], ARB_SIM_NAME_MAX);
        s->chan[i] = s->chan[s->nsub];
        s->sub_sym[i] = s->sub_sym[s->nsub];
        i--;
    }
    rebuild_want(s);
}

static uint8_t binance_channel(const char *name, size_t len)
{
    const char *at = memchr(name, '@', len);
    size_t rest;

    if (!at)
        return ARB_SIM_CH_OTHER;
    at++;
    rest = len - (size_t)(at - name);
    if (rest == 10 && memcmp(at, "bookTicker", 10) == 0)
        return ARB_SIM_CH_BBO;
    if (rest >= 9 && memcmp(at, "markPrice", 9) == 0)
        return ARB_SIM_CH_FUNDING;
    return ARB_SIM_CH_OTHER;
}

/* ------------------------------------------------------------------ binance */

static void binance_error(struct arb_sim_session *s, int code, const char *msg, const char *id,
                          size_t idlen)
{
    struct reply r = {.len = 0};

    rp(&r, "{\"error\":{\"code\":%d,\"msg\":\"%s\"},\"id\":%.*s}", code, msg, (int)idlen, id);
    send_reply(s, &r);
    s->errors++;
}

static int binance_text(struct arb_sim_session *s, const char *msg, size_t len)
{
    struct arb_sim_json_tok root, method, params, id, el;
    const char *idp = "null", *pos = NULL;
    size_t idlen = 4;
    struct reply r = {.len = 0};
    int subscribe, rc;

    if (arb_sim_json_check(msg, len, &root) < 0 || root.type != ARB_SIM_JSON_OBJECT) {
        binance_error(s, 3, "Invalid JSON: expected an object", idp, idlen);
        return -EINVAL;
    }
    if (arb_sim_json_get(&root, "id", &id) == 0) {
        if ((id.type != ARB_SIM_JSON_NUMBER && id.type != ARB_SIM_JSON_STRING) || id.len > 40 ||
            (id.type == ARB_SIM_JSON_NUMBER && id.p[0] == '-')) {
            binance_error(s, 1, "Invalid value type: expected unsigned integer or string", idp,
                          idlen);
            return -EINVAL;
        }
        /* A string id is echoed with its quotes. */
        idp = id.type == ARB_SIM_JSON_STRING ? id.p - 1 : id.p;
        idlen = id.type == ARB_SIM_JSON_STRING ? id.len + 2 : id.len;
    }
    if (arb_sim_json_get(&root, "method", &method) < 0 || method.type != ARB_SIM_JSON_STRING) {
        binance_error(s, 2, "Invalid request: method is missing", idp, idlen);
        return -EINVAL;
    }
    if (arb_sim_json_eq(&method, "LIST_SUBSCRIPTIONS")) {
        rp(&r, "{\"result\":[");
        for (uint32_t i = 0; i < s->nsub; i++)
            rp(&r, "%s\"%s\"", i ? "," : "", s->name[i]);
        rp(&r, "],\"id\":%.*s}", (int)idlen, idp);
        send_reply(s, &r);
        return 0;
    }
    subscribe = arb_sim_json_eq(&method, "SUBSCRIBE");
    if (!subscribe && !arb_sim_json_eq(&method, "UNSUBSCRIBE") &&
        !arb_sim_json_eq(&method, "SET_PROPERTY") && !arb_sim_json_eq(&method, "GET_PROPERTY")) {
        binance_error(s, 2, "Invalid request: unknown method", idp, idlen);
        return -EINVAL;
    }
    if (arb_sim_json_get(&root, "params", &params) < 0 || params.type != ARB_SIM_JSON_ARRAY) {
        binance_error(s, 2, "Invalid request: params must be an array", idp, idlen);
        return -EINVAL;
    }
    if (arb_sim_json_eq(&method, "GET_PROPERTY") || arb_sim_json_eq(&method, "SET_PROPERTY")) {
        struct arb_sim_json_tok val;
        const char *p2 = NULL;
        if (arb_sim_json_next(&params, &p2, &el) != 1 || !arb_sim_json_eq(&el, "combined")) {
            binance_error(s, 0, "Unknown property", idp, idlen);
            return -EINVAL;
        }
        if (arb_sim_json_eq(&method, "GET_PROPERTY")) {
            rp(&r, "{\"result\":%s,\"id\":%.*s}", s->combined ? "true" : "false", (int)idlen, idp);
            send_reply(s, &r);
            return 0;
        }
        if (arb_sim_json_next(&params, &p2, &val) != 1 ||
            (val.type != ARB_SIM_JSON_TRUE && val.type != ARB_SIM_JSON_FALSE)) {
            binance_error(s, 1, "Invalid value type: expected Boolean", idp, idlen);
            return -EINVAL;
        }
        s->combined = val.type == ARB_SIM_JSON_TRUE;
        rp(&r, "{\"result\":null,\"id\":%.*s}", (int)idlen, idp);
        send_reply(s, &r);
        return 0;
    }
    while ((rc = arb_sim_json_next(&params, &pos, &el)) == 1) {
        if (el.type != ARB_SIM_JSON_STRING || memchr(el.p, '\\', el.len)) {
            binance_error(s, 2, "Invalid request: stream names are strings", idp, idlen);
            return -EINVAL;
        }
        if (subscribe) {
            if (sub_add(s, el.p, el.len, binance_channel(el.p, el.len)) < 0) {
                binance_error(s, 2, "Invalid request: too many streams or name too long", idp,
                              idlen);
                return -EINVAL;
            }
        } else {
            sub_del(s, el.p, el.len, 0);
        }
    }
    rp(&r, "{\"result\":null,\"id\":%.*s}", (int)idlen, idp);
    send_reply(s, &r);
    return 0;
}

/* Streams named in the URL: /stream?streams=a@bookTicker/b@bookTicker or /ws/a@bookTicker. */
static void binance_url(struct arb_sim_session *s, const char *target)
{
    const char *list = NULL;

    if (strncmp(target, "/stream", 7) == 0) {
        s->combined = 1;
        list = strstr(target, "streams=");
        if (list)
            list += 8;
    } else if (strncmp(target, "/ws/", 4) == 0) {
        list = target + 4;
    }
    while (list && *list && *list != '&') {
        size_t n = strcspn(list, "/&");
        if (n)
            sub_add(s, list, n, binance_channel(list, n));
        list += n;
        if (*list == '/')
            list++;
    }
}

/* ----------------------------------------------------------------- coinbase */

static void coinbase_error(struct arb_sim_session *s, const char *message, const char *reason)
{
    struct reply r = {.len = 0};

    rp(&r, "{\"type\":\"error\",\"message\":\"%s\",\"reason\":\"%s\"}", message, reason);
    send_reply(s, &r);
    s->errors++;
}

static int coinbase_chan(const struct arb_sim_json_tok *name, uint8_t *chan)
{
    static const char *const other[] = {"level2", "level2_batch", "matches",
                                        "full",   "ticker_batch", "status",
                                        "level3", "auctionfeed",  "rfq_matches"};

    if (arb_sim_json_eq(name, "ticker")) {
        *chan = ARB_SIM_CH_BBO;
        return 0;
    }
    if (arb_sim_json_eq(name, "heartbeat")) {
        *chan = ARB_SIM_CH_HEARTBEAT;
        return 0;
    }
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        if (arb_sim_json_eq(name, other[i])) {
            *chan = ARB_SIM_CH_OTHER;
            return 0;
        }
    }
    return -EINVAL;
}

/* Coinbase keeps one product list per channel; "subscriptions" lists them all. */
static const char *coinbase_chan_name(uint8_t chan)
{
    return chan == ARB_SIM_CH_BBO         ? "ticker"
           : chan == ARB_SIM_CH_HEARTBEAT ? "heartbeat"
                                          : "level2";
}

static void coinbase_subscriptions(struct arb_sim_session *s)
{
    static const uint8_t order[] = {ARB_SIM_CH_HEARTBEAT, ARB_SIM_CH_BBO, ARB_SIM_CH_OTHER};
    struct reply r = {.len = 0};
    int nch = 0;

    rp(&r, "{\"type\":\"subscriptions\",\"channels\":[");
    for (size_t c = 0; c < sizeof order; c++) {
        int n = 0;
        for (uint32_t i = 0; i < s->nsub; i++) {
            if (s->chan[i] != order[c])
                continue;
            if (n++ == 0)
                rp(&r, "%s{\"name\":\"%s\",\"product_ids\":[", nch++ ? "," : "",
                   coinbase_chan_name(order[c]));
            else
                rp(&r, ",");
            rp(&r, "\"%s\"", s->name[i]);
        }
        if (n)
            rp(&r, "]}");
    }
    rp(&r, "]}");
    send_reply(s, &r);
}

static int coinbase_products(struct arb_sim_session *s, const struct arb_sim_json_tok *list,
                             uint8_t chan, int subscribe)
{
    struct arb_sim_json_tok el;
    const char *pos = NULL;
    int rc;

    while ((rc = arb_sim_json_next(list, &pos, &el)) == 1) {
        if (el.type != ARB_SIM_JSON_STRING || memchr(el.p, '\\', el.len))
            return -EINVAL;
        if (subscribe) {
            if (sub_add(s, el.p, el.len, chan) < 0)
                return -EINVAL;
        } else {
            sub_del(s, el.p, el.len, chan);
        }
    }
    return rc;
}

static int coinbase_text(struct arb_sim_session *s, const char *msg, size_t len)
{
    struct arb_sim_json_tok root, type, products, channels, ch;
    const char *pos = NULL;
    int subscribe, have_products, rc;

    if (arb_sim_json_check(msg, len, &root) < 0 || root.type != ARB_SIM_JSON_OBJECT) {
        coinbase_error(s, "Failed to subscribe", "malformed JSON");
        return -EINVAL;
    }
    if (arb_sim_json_get(&root, "type", &type) < 0 ||
        (!arb_sim_json_eq(&type, "subscribe") && !arb_sim_json_eq(&type, "unsubscribe"))) {
        coinbase_error(s, "Failed to subscribe", "type must be subscribe or unsubscribe");
        return -EINVAL;
    }
    subscribe = arb_sim_json_eq(&type, "subscribe");
    have_products = arb_sim_json_get(&root, "product_ids", &products) == 0 &&
                    products.type == ARB_SIM_JSON_ARRAY;
    if (arb_sim_json_get(&root, "channels", &channels) < 0 || channels.type != ARB_SIM_JSON_ARRAY) {
        coinbase_error(s, "Failed to subscribe", "channels must be an array");
        return -EINVAL;
    }
    while ((rc = arb_sim_json_next(&channels, &pos, &ch)) == 1) {
        struct arb_sim_json_tok name = ch, own;
        const struct arb_sim_json_tok *list = have_products ? &products : NULL;
        uint8_t chan;
        if (ch.type == ARB_SIM_JSON_OBJECT) {
            if (arb_sim_json_get(&ch, "name", &name) < 0)
                name.type = 0;
            if (arb_sim_json_get(&ch, "product_ids", &own) == 0 && own.type == ARB_SIM_JSON_ARRAY)
                list = &own;
        }
        if (coinbase_chan(&name, &chan) < 0) {
            coinbase_error(s, "Failed to subscribe", "channel is not a valid channel");
            return -EINVAL;
        }
        if (!list) {
            coinbase_error(s, "Failed to subscribe", "No product ids provided");
            return -EINVAL;
        }
        if (coinbase_products(s, list, chan, subscribe) < 0) {
            coinbase_error(s, "Failed to subscribe", "product_ids must be strings");
            return -EINVAL;
        }
    }
    coinbase_subscriptions(s);
    return 0;
}

/* ------------------------------------------------------------------- kraken */

static void kraken_v1_error(struct arb_sim_session *s, const char *why)
{
    struct reply r = {.len = 0};

    rp(&r, "{\"errorMessage\":\"%s\",\"event\":\"error\"}", why);
    send_reply(s, &r);
    s->errors++;
}

static int kraken_v1_text(struct arb_sim_session *s, const char *msg, size_t len)
{
    struct arb_sim_json_tok root, ev, reqid, pairs, sub, name, el;
    char reqbuf[64] = "";
    const char *pos = NULL;
    struct reply r = {.len = 0};
    int subscribe, rc;
    uint8_t chan;

    if (arb_sim_json_check(msg, len, &root) < 0 || root.type != ARB_SIM_JSON_OBJECT) {
        kraken_v1_error(s, "Malformed request");
        return -EINVAL;
    }
    if (arb_sim_json_get(&root, "reqid", &reqid) == 0 && reqid.type == ARB_SIM_JSON_NUMBER &&
        reqid.len < 24)
        snprintf(reqbuf, sizeof reqbuf, ",\"reqid\":%.*s", (int)reqid.len, reqid.p);
    if (arb_sim_json_get(&root, "event", &ev) < 0) {
        kraken_v1_error(s, "Malformed request");
        return -EINVAL;
    }
    if (arb_sim_json_eq(&ev, "ping")) {
        rp(&r, "{\"event\":\"pong\"%s}", reqbuf);
        send_reply(s, &r);
        return 0;
    }
    subscribe = arb_sim_json_eq(&ev, "subscribe");
    if (!subscribe && !arb_sim_json_eq(&ev, "unsubscribe")) {
        kraken_v1_error(s, "Unsupported event");
        return -EINVAL;
    }
    if (arb_sim_json_get(&root, "subscription", &sub) < 0 || sub.type != ARB_SIM_JSON_OBJECT ||
        arb_sim_json_get(&sub, "name", &name) < 0 || name.type != ARB_SIM_JSON_STRING ||
        name.len > 16 || memchr(name.p, '\\', name.len)) {
        kraken_v1_error(s, "Subscription name invalid");
        return -EINVAL;
    }
    if (arb_sim_json_eq(&name, "ticker"))
        chan = ARB_SIM_CH_BBO;
    else if (arb_sim_json_eq(&name, "book") || arb_sim_json_eq(&name, "trade") ||
             arb_sim_json_eq(&name, "spread") || arb_sim_json_eq(&name, "ohlc"))
        chan = ARB_SIM_CH_OTHER;
    else {
        kraken_v1_error(s, "Subscription name invalid");
        return -EINVAL;
    }
    if (arb_sim_json_get(&root, "pair", &pairs) < 0 || pairs.type != ARB_SIM_JSON_ARRAY) {
        kraken_v1_error(s, "Currency pair not in ISO 4217-A3 format");
        return -EINVAL;
    }
    while ((rc = arb_sim_json_next(&pairs, &pos, &el)) == 1) {
        int sym;
        if (el.type != ARB_SIM_JSON_STRING || memchr(el.p, '\\', el.len) ||
            (subscribe ? sub_add(s, el.p, el.len, chan) : (sub_del(s, el.p, el.len, chan), 0)) <
                0) {
            kraken_v1_error(s, "Currency pair not in ISO 4217-A3 format");
            return -EINVAL;
        }
        sym = arb_sim_source_find_sym(s->src, el.p, el.len);
        rp(&r,
           "{\"channelID\":%d,\"channelName\":\"%.*s\",\"event\":\"subscriptionStatus\","
           "\"pair\":\"%.*s\"%s,\"status\":\"%s\",\"subscription\":{\"name\":\"%.*s\"}}",
           sym >= 0 ? s->channel_id[sym] : 0, (int)name.len, name.p, (int)el.len, el.p, reqbuf,
           subscribe ? "subscribed" : "unsubscribed", (int)name.len, name.p);
        send_reply(s, &r);
    }
    return 0;
}

static void kraken_v2_error(struct arb_sim_session *s, const char *method, const char *why,
                            const char *reqbuf, uint64_t now_ns)
{
    struct reply r = {.len = 0};
    char t[28];

    time_now(now_ns, t);
    rp(&r,
       "{\"error\":\"%s\",\"method\":\"%s\"%s,\"success\":false,\"time_in\":\"%s\","
       "\"time_out\":\"%s\"}",
       why, method, reqbuf, t, t);
    send_reply(s, &r);
    s->errors++;
}

static int kraken_v2_text(struct arb_sim_session *s, const char *msg, size_t len, uint64_t now_ns)
{
    struct arb_sim_json_tok root, method, reqid, params, channel, syms, el, snap;
    char reqbuf[64] = "", t[28];
    const char *pos = NULL, *mname;
    struct reply r = {.len = 0};
    int subscribe, rc;
    uint8_t chan;

    if (arb_sim_json_check(msg, len, &root) < 0 || root.type != ARB_SIM_JSON_OBJECT) {
        kraken_v2_error(s, "", "Malformed request", reqbuf, now_ns);
        return -EINVAL;
    }
    if (arb_sim_json_get(&root, "req_id", &reqid) == 0 && reqid.type == ARB_SIM_JSON_NUMBER &&
        reqid.len < 24)
        snprintf(reqbuf, sizeof reqbuf, ",\"req_id\":%.*s", (int)reqid.len, reqid.p);
    time_now(now_ns, t);
    if (arb_sim_json_get(&root, "method", &method) < 0) {
        kraken_v2_error(s, "", "Malformed request", reqbuf, now_ns);
        return -EINVAL;
    }
    if (arb_sim_json_eq(&method, "ping")) {
        rp(&r, "{\"method\":\"pong\"%s,\"time_in\":\"%s\",\"time_out\":\"%s\"}", reqbuf, t, t);
        send_reply(s, &r);
        return 0;
    }
    subscribe = arb_sim_json_eq(&method, "subscribe");
    if (!subscribe && !arb_sim_json_eq(&method, "unsubscribe")) {
        kraken_v2_error(s, "", "Method not supported", reqbuf, now_ns);
        return -EINVAL;
    }
    mname = subscribe ? "subscribe" : "unsubscribe";
    if (arb_sim_json_get(&root, "params", &params) < 0 || params.type != ARB_SIM_JSON_OBJECT ||
        arb_sim_json_get(&params, "channel", &channel) < 0 || channel.type != ARB_SIM_JSON_STRING) {
        kraken_v2_error(s, mname, "Missing field: channel", reqbuf, now_ns);
        return -EINVAL;
    }
    if (arb_sim_json_eq(&channel, "heartbeat") || arb_sim_json_eq(&channel, "status")) {
        rp(&r,
           "{\"method\":\"%s\"%s,\"result\":{\"channel\":\"%.*s\"},\"success\":true,"
           "\"time_in\":\"%s\",\"time_out\":\"%s\"}",
           mname, reqbuf, (int)channel.len, channel.p, t, t);
        send_reply(s, &r);
        return 0;
    }
    if (arb_sim_json_eq(&channel, "ticker"))
        chan = ARB_SIM_CH_BBO;
    else if (arb_sim_json_eq(&channel, "book") || arb_sim_json_eq(&channel, "trade") ||
             arb_sim_json_eq(&channel, "ohlc") || arb_sim_json_eq(&channel, "instrument"))
        chan = ARB_SIM_CH_OTHER;
    else {
        kraken_v2_error(s, mname, "Channel not found", reqbuf, now_ns);
        return -EINVAL;
    }
    if (arb_sim_json_get(&params, "symbol", &syms) < 0 || syms.type != ARB_SIM_JSON_ARRAY) {
        kraken_v2_error(s, mname, "Missing field: symbol", reqbuf, now_ns);
        return -EINVAL;
    }
    int snapshot =
        !(arb_sim_json_get(&params, "snapshot", &snap) == 0 && snap.type == ARB_SIM_JSON_FALSE);
    while ((rc = arb_sim_json_next(&syms, &pos, &el)) == 1) {
        int sym;
        if (el.type != ARB_SIM_JSON_STRING || memchr(el.p, '\\', el.len) ||
            (subscribe ? sub_add(s, el.p, el.len, chan) : (sub_del(s, el.p, el.len, chan), 0)) <
                0) {
            kraken_v2_error(s, mname, "Currency pair not supported", reqbuf, now_ns);
            return -EINVAL;
        }
        sym = arb_sim_source_find_sym(s->src, el.p, el.len);
        if (sym >= 0 && !snapshot)
            s->snapshot_due[sym] = 0;
        rp(&r,
           "{\"method\":\"%s\"%s,\"result\":{\"channel\":\"%.*s\",%s\"snapshot\":%s,"
           "\"symbol\":\"%.*s\"},\"success\":true,\"time_in\":\"%s\",\"time_out\":\"%s\"}",
           mname, reqbuf, (int)channel.len, channel.p,
           chan == ARB_SIM_CH_BBO ? "\"event_trigger\":\"trades\"," : "",
           snapshot ? "true" : "false", (int)el.len, el.p, t, t);
        send_reply(s, &r);
    }
    return rc < 0 ? -EINVAL : 0;
}

/* ------------------------------------------------------------------- common */

void arb_sim_session_open(struct arb_sim_session *s, enum arb_sim_venue venue, const char *target,
                          const struct arb_sim_source *src, uint64_t hb_period_ns, uint64_t now_ns,
                          arb_sim_send_fn send, void *ctx)
{
    static _Atomic uint64_t next_id = 14545728493745856413ULL; /* Kraken-sized ids */
    struct reply r = {.len = 0};

    memset(s, 0, sizeof *s);
    s->venue = venue;
    s->src = src;
    s->send = send;
    s->send_ctx = ctx;
    s->hb_period_ns = hb_period_ns;
    s->hb_next_ns = now_ns + hb_period_ns;
    s->connection_id = next_id++;
    switch (venue) {
    case ARB_SIM_BINANCE:
    case ARB_SIM_BINANCE_FUTURES:
        binance_url(s, target);
        break;
    case ARB_SIM_KRAKEN:
        s->kraken_v1 = strncmp(target, "/v2", 3) != 0;
        if (s->kraken_v1)
            rp(&r,
               "{\"connectionID\":%llu,\"event\":\"systemStatus\",\"status\":\"online\","
               "\"version\":\"1.9.5\"}",
               (unsigned long long)s->connection_id);
        else
            rp(&r,
               "{\"channel\":\"status\",\"data\":[{\"api_version\":\"v2\",\"connection_id\":%llu,"
               "\"system\":\"online\",\"version\":\"2.0.10\"}],\"type\":\"update\"}",
               (unsigned long long)s->connection_id);
        send_reply(s, &r);
        break;
    default:
        break;
    }
}

int arb_sim_session_text(struct arb_sim_session *s, const char *msg, size_t len, uint64_t now_ns)
{
    s->msgs_in++;
    switch (s->venue) {
    case ARB_SIM_BINANCE:
    case ARB_SIM_BINANCE_FUTURES:
        return binance_text(s, msg, len);
    case ARB_SIM_COINBASE:
        return coinbase_text(s, msg, len);
    case ARB_SIM_KRAKEN:
        return s->kraken_v1 ? kraken_v1_text(s, msg, len) : kraken_v2_text(s, msg, len, now_ns);
    default:
        return -EINVAL;
    }
}

uint64_t arb_sim_session_heartbeat(struct arb_sim_session *s, uint64_t now_ns,
                                   uint64_t quiet_since_ns)
{
    struct reply r = {.len = 0};
    char t[28];

    if (s->hb_period_ns == 0 || !s->any)
        return UINT64_MAX;
    switch (s->venue) {
    case ARB_SIM_COINBASE:
        /* One beat per product on the heartbeat channel, every period, busy or not. */
        if (now_ns < s->hb_next_ns)
            return s->hb_next_ns;
        time_now(now_ns, t);
        for (uint32_t i = 0; i < s->nsub; i++) {
            uint64_t seq;
            if (s->chan[i] != ARB_SIM_CH_HEARTBEAT)
                continue;
            seq = s->sub_sym[i] >= 0 ? s->last_seq[s->sub_sym[i]] : 0;
            rp(&r,
               "{\"type\":\"heartbeat\",\"last_trade_id\":%llu,\"product_id\":\"%s\","
               "\"sequence\":%llu,\"time\":\"%s\"}",
               (unsigned long long)seq, s->name[i], (unsigned long long)seq, t);
            send_reply(s, &r);
        }
        s->hb_next_ns = now_ns + s->hb_period_ns;
        return s->hb_next_ns;
    case ARB_SIM_KRAKEN:
        /* Kraken beats only when nothing else went out for a period. */
        if (now_ns < quiet_since_ns + s->hb_period_ns)
            return quiet_since_ns + s->hb_period_ns;
        if (s->kraken_v1)
            rp(&r, "{\"event\":\"heartbeat\"}");
        else
            rp(&r, "{\"channel\":\"heartbeat\"}");
        send_reply(s, &r);
        return now_ns + s->hb_period_ns;
    default:
        return UINT64_MAX;
    }
}
